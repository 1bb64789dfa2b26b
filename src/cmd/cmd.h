/* Subcommands: one file each under src/cmd, dispatched from the table in main.c. */
#ifndef RETE_CMD_CMD_H
#define RETE_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/opts.h"

/* Exit codes. */
#define RETE_EXIT_OK 0
#define RETE_EXIT_FAIL 1
#define RETE_EXIT_USAGE 2

struct rete_cli;

struct rete_global {
	const struct rete_cli *cli;	/* commands and global options (help, completion, man) */
	const char *argv0;
	int argc;		/* the whole command line, for the startup event */
	char **argv;
	const char *profiles_dir;	/* -P/--extra-profiles-dir, or NULL */
};

/* What a command takes after its options, for completion and man pages. */
enum rete_cmd_pos {
	RETE_CMD_POS_NONE,
	RETE_CMD_POS_FILES,	/* event files */
	RETE_CMD_POS_WORDS,	/* one of rete_cmd.pos_words (sub-commands) */
	RETE_CMD_POS_COMMAND,	/* a rete command name */
	RETE_CMD_POS_MAX,
};

/*
 * A command, described once for dispatch, --help, shell completion and man
 * pages. Each command file exports one (rete_cmd_<name>_desc).
 */
struct rete_cmd {
	const char *name;
	const char *summary;		/* one line, no final period */
	const char *synopsis;		/* after "rete NAME": "[OPTIONS] [FILE...]" */
	const char *description;	/* paragraphs, lines broken for 80 columns */
	const char *notes;		/* more text after the options, or NULL */
	const char *examples;		/* "  rete ...  # comment" lines */
	const struct rete_opt *opts;
	size_t nopts;
	enum rete_cmd_pos pos;
	const char *pos_words;		/* RETE_CMD_POS_WORDS: space-separated */
	/* argv[0] is the command name. Returns an exit code. */
	int (*run)(const struct rete_global *g, int argc, char **argv);
};

/* The whole command line interface: what main.c dispatches on. */
struct rete_cli {
	const struct rete_cmd *const *cmds;
	size_t ncmds;
	const struct rete_opt *opts;	/* global options */
	size_t nopts;
	const char *description;
	const char *examples;
};

/* How an option's value is completed (complete.c), for the shells and for tests. */
enum rete_value_kind {
	RETE_VALUE_NONE,	/* a flag */
	RETE_VALUE_FREE,	/* anything: nothing to propose */
	RETE_VALUE_WORDS,	/* a fixed set */
	RETE_VALUE_FILE,
	RETE_VALUE_DIR,
	RETE_VALUE_PROFILE,	/* profile names (rete profile list) or files */
	RETE_VALUE_MAX,
};

/*
 * What the value of option `o` of command `cmd` (NULL: a global option) is;
 * for RETE_VALUE_WORDS, *ret_words gets the space-separated set and
 * *ret_list whether the value is a comma-separated list of them.
 */
enum rete_value_kind rete_opt_value_kind(const struct rete_cmd *cmd, const struct rete_opt *o,
					 const char **ret_words, bool *ret_list);
/* Write the completion script for "bash", "zsh" or "fish": 0 or -EINVAL. */
int rete_complete_write(FILE *f, const char *shell, const struct rete_cli *cli);
/* Write a man page in roff: rete(1) when cmd is NULL, else rete-NAME(1). */
void rete_man_write(FILE *f, const struct rete_cli *cli, const struct rete_cmd *cmd);

/* --help of a command: description, usage, options, notes, examples. */
void rete_cmd_usage(FILE *f, const struct rete_cmd *cmd);
/* The command called `name`, or NULL. */
const struct rete_cmd *rete_cli_find(const struct rete_cli *cli, const char *name);

extern const struct rete_cmd rete_cmd_collect_desc;
extern const struct rete_cmd rete_cmd_print_desc;
extern const struct rete_cmd rete_cmd_sort_desc;
extern const struct rete_cmd rete_cmd_stats_desc;
extern const struct rete_cmd rete_cmd_inspect_desc;
extern const struct rete_cmd rete_cmd_profile_desc;
extern const struct rete_cmd rete_cmd_pcap_desc;
extern const struct rete_cmd rete_cmd_complete_desc;
extern const struct rete_cmd rete_cmd_man_desc;
extern const struct rete_cmd rete_cmd_schema_desc;
extern const struct rete_cmd rete_cmd_python_desc;

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
int rete_cmd_complete(const struct rete_global *g, int argc, char **argv);
int rete_cmd_man(const struct rete_global *g, int argc, char **argv);

#endif
