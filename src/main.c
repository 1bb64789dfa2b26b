/* rete: trace packets through the Linux networking stack. Global options and dispatch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cmd/cmd.h"
#include "lib/log.h"
#include "lib/opts.h"
#include "lib/prog.h"
#include "lib/suggest.h"
#include "profiles/profile.h"

static const struct rete_cmd *const commands[] = {
	&rete_cmd_collect_desc, &rete_cmd_print_desc,	 &rete_cmd_sort_desc,
	&rete_cmd_stats_desc,	&rete_cmd_inspect_desc,	 &rete_cmd_profile_desc,
	&rete_cmd_pcap_desc,	&rete_cmd_schema_desc,	 &rete_cmd_complete_desc,
	&rete_cmd_man_desc,	&rete_cmd_python_desc,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

enum { OPT_LOG_LEVEL, OPT_PROFILE, OPT_PROFILES_DIR, OPT_HELP, OPT_VERSION };

/* -p may be repeated; each holds a comma-separated list. */
#define PROFILE_OPTS_MAX 16

static const struct rete_opt global_opts[] = {
	{ OPT_LOG_LEVEL, 0, "log-level", RETE_OPT_VALUE, "LEVEL",
	  "error, warn, info (default), debug or trace" },
	{ OPT_PROFILE, 'p', "profile", RETE_OPT_VALUE, "LIST",
	  "Profiles to apply (names or YAML files, comma-separated): their\n"
	  "arguments go before the command's own. See rete profile list" },
	{ OPT_PROFILES_DIR, 'P', "extra-profiles-dir", RETE_OPT_VALUE, "DIR",
	  "Look for profiles in DIR first" },
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
	{ OPT_VERSION, 'V', "version", RETE_OPT_FLAG, NULL, "Print version" },
};

static const struct rete_cli cli = {
	.cmds = commands,
	.ncmds = NCOMMANDS,
	.opts = global_opts,
	.nopts = sizeof(global_opts) / sizeof(global_opts[0]),
	.description = "rete traces packets through the Linux networking stack with eBPF probes\n"
		       "(tracepoints and kernel functions), following each packet and reporting\n"
		       "what happened to it: the functions it went through, its headers, device,\n"
		       "network namespace and drop reason. It reads and writes the event files of\n"
		       "Retis, whose command line it follows.\n",
	.examples = "  rete collect\n"
		    "  rete collect -p tp:skb:kfree_skb/stack -c skb-drop,skb,dev,ns\n"
		    "  rete -p dropmon collect\n"
		    "  rete collect -o events.json --cmd 'ping -c1 192.0.2.2'\n"
		    "  rete print events.json\n"
		    "  rete inspect -p 'tp:net:*'\n"
		    "  rete sh-complete --shell bash > /etc/bash_completion.d/rete\n",
};

struct global_state {
	bool help, version;
	const char *profiles[PROFILE_OPTS_MAX];
	size_t nprofiles;
	const char *profiles_dir;
};

static void usage(FILE *f)
{
	fputs("rete: trace packets through the Linux networking stack (Retis-compatible)\n\n"
	      "Usage: rete [OPTIONS] <COMMAND> [COMMAND OPTIONS]\n\nCommands:\n",
	      f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i]->name, commands[i]->summary);
	fputc('\n', f);
	rete_opts_help(f, global_opts, sizeof(global_opts) / sizeof(global_opts[0]));
	fprintf(f, "\nExamples:\n%s\n"
		"Run 'rete <COMMAND> --help' for the options of a command, 'rete man <COMMAND>'\n"
		"for its manual page.\n",
		cli.examples);
}

static int global_handler(void *ctx, const struct rete_opt *o, const char *value, char *err,
			  size_t errlen)
{
	struct global_state *st = ctx;
	enum rete_log_level level;

	switch (o->id) {
	case OPT_LOG_LEVEL:
		if (rete_log_level_parse(value, &level)) {
			snprintf(err, errlen,
				 "invalid log level '%s' (expected error, warn, info, debug or trace)",
				 value);
			return -EINVAL;
		}
		rete_log_set_level(level);
		return 0;
	case OPT_PROFILE:
		if (st->nprofiles == PROFILE_OPTS_MAX) {
			snprintf(err, errlen,
				 "too many -p options (at most %d; use a list: -p a,b)",
				 PROFILE_OPTS_MAX);
			return -EINVAL;
		}
		st->profiles[st->nprofiles++] = value;
		return 0;
	case OPT_PROFILES_DIR:
		st->profiles_dir = value;
		return 0;
	case OPT_HELP:
		st->help = true;
		return 0;
	case OPT_VERSION:
		st->version = true;
		return 0;
	}
	return -EINVAL;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf chatter (and verifier logs) only at debug level and above. */
	if (rete_log_get_level() < RETE_LOG_DEBUG)
		return 0;
	if (level == LIBBPF_DEBUG && rete_log_get_level() < RETE_LOG_TRACE)
		return 0;
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/* Run a command, with the arguments of -p profiles first when there are some. */
static int run_command(struct rete_global *g, const struct global_state *st,
		       const struct rete_cmd *cmd, int argc, char **argv)
{
	struct rete_profile_argv pa = { 0 };
	int code;

	g->profiles_dir = st->profiles_dir;
	if (!st->nprofiles)
		return cmd->run(g, argc, argv);
	code = rete_profiles_apply(g, st->profiles, st->nprofiles, argc, argv, &pa);
	if (code == RETE_EXIT_OK)
		code = cmd->run(g, (int)pa.argc, pa.argv);
	rete_profile_argv_free(&pa);
	return code;
}

int main(int argc, char **argv)
{
	struct rete_global g = { .cli = &cli, .argv0 = argv[0], .argc = argc, .argv = argv };
	struct global_state st = { 0 };
	struct rete_suggest s;
	char err[256];
	int n;

	rete_prog_set(argv[0]);
	libbpf_set_print(libbpf_print);
	n = rete_opts_parse(global_opts, sizeof(global_opts) / sizeof(global_opts[0]), argc - 1,
			    argv + 1, true, global_handler, &st, NULL, 0, NULL, err, sizeof(err));
	if (n < 0) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	if (st.version) {
		printf("rete %s (%s)\n", RETE_VERSION, RETE_GIT_REV);
		return RETE_EXIT_OK;
	}
	if (st.help) {
		usage(stdout);
		return RETE_EXIT_OK;
	}
	if (1 + n >= argc) {
		char names[256];
		size_t len = 0;

		names[0] = '\0';
		for (size_t i = 0; i < NCOMMANDS; i++)
			len += (size_t)snprintf(names + len, len < sizeof(names) ? sizeof(names) - len : 0,
						"%s%s", i ? ", " : "", commands[i]->name);
		log_error("no command given (commands: %s; see rete --help)", names);
		return RETE_EXIT_USAGE;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1 + n], commands[i]->name))
			return run_command(&g, &st, commands[i], argc - 1 - n, argv + 1 + n);

	rete_suggest_init(&s, argv[1 + n]);
	for (size_t i = 0; i < NCOMMANDS; i++)
		rete_suggest_offer(&s, commands[i]->name);
	if (s.best)
		log_error("unknown command '%s' (did you mean '%s'?)", argv[1 + n], s.best);
	else
		log_error("unknown command '%s' (see rete --help)", argv[1 + n]);
	return RETE_EXIT_USAGE;
}
