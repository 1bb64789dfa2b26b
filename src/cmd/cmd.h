/* Subcommands: one file each under src/cmd, dispatched from the table in main.c. */
#ifndef RETE_CMD_CMD_H
#define RETE_CMD_CMD_H

#include <stddef.h>

/* Exit codes. */
#define RETE_EXIT_OK 0
#define RETE_EXIT_FAIL 1
#define RETE_EXIT_USAGE 2

struct rete_global {
	const char *argv0;
	int argc;		/* the whole command line, for the startup event */
	char **argv;
	const char *profiles_dir;	/* -P/--extra-profiles-dir, or NULL */
};

struct rete_cmd {
	const char *name;
	const char *summary;
	/* argv[0] is the command name. Returns an exit code. */
	int (*run)(const struct rete_global *g, int argc, char **argv);
};

int rete_cmd_collect(const struct rete_global *g, int argc, char **argv);
int rete_cmd_print(const struct rete_global *g, int argc, char **argv);
int rete_cmd_sort(const struct rete_global *g, int argc, char **argv);
int rete_cmd_stats(const struct rete_global *g, int argc, char **argv);
int rete_cmd_profile(const struct rete_global *g, int argc, char **argv);
int rete_cmd_inspect(const struct rete_global *g, int argc, char **argv);

struct rete_profile_argv;
/*
 * -p/--profile: the command line of a command (argv[0] is its name) with the
 * arguments of the profiles in `lists` ("a,b" each) put before the user's.
 * Logs the notices and, on failure, the error; returns an exit code.
 */
int rete_profiles_apply(const struct rete_global *g, const char *const *lists, size_t nlists,
			int argc, char **argv, struct rete_profile_argv *ret);
int rete_cmd_pcap(const struct rete_global *g, int argc, char **argv);

#endif
