/* Subcommands: one file each under src/cmd, dispatched from the table in main.c. */
#ifndef RETE_CMD_CMD_H
#define RETE_CMD_CMD_H

/* Exit codes. */
#define RETE_EXIT_OK 0
#define RETE_EXIT_FAIL 1
#define RETE_EXIT_USAGE 2

struct rete_global {
	const char *argv0;
	int argc;		/* the whole command line, for the startup event */
	char **argv;
};

struct rete_cmd {
	const char *name;
	const char *summary;
	/* argv[0] is the command name. Returns an exit code. */
	int (*run)(const struct rete_global *g, int argc, char **argv);
};

int rete_cmd_collect(const struct rete_global *g, int argc, char **argv);
int rete_cmd_print(const struct rete_global *g, int argc, char **argv);

#endif
