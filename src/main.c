/* rete: trace packets through the Linux networking stack. Global options and dispatch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cmd/cmd.h"
#include "lib/log.h"
#include "lib/opts.h"
#include "lib/suggest.h"

static const struct rete_cmd commands[] = {
	{ "collect", "Collect events from probes in the networking stack", rete_cmd_collect },
	{ "print", "Print events stored in a file", rete_cmd_print },
};

enum { OPT_LOG_LEVEL, OPT_HELP, OPT_VERSION };

static const struct rete_opt global_opts[] = {
	{ OPT_LOG_LEVEL, 0, "log-level", RETE_OPT_VALUE, "LEVEL",
	  "error, warn, info (default), debug or trace" },
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
	{ OPT_VERSION, 'V', "version", RETE_OPT_FLAG, NULL, "Print version" },
};

struct global_state {
	bool help, version;
};

static void usage(FILE *f)
{
	fputs("rete: trace packets through the Linux networking stack (Retis-compatible)\n\n"
	      "Usage: rete [OPTIONS] <COMMAND> [COMMAND OPTIONS]\n\nCommands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputc('\n', f);
	rete_opts_help(f, global_opts, sizeof(global_opts) / sizeof(global_opts[0]));
	fputs("\nExamples:\n"
	      "  rete collect\n"
	      "  rete collect -p tp:skb:kfree_skb/stack -c skb-drop,skb,dev,ns\n"
	      "  rete collect -o events.json --cmd 'ping -c1 192.0.2.2'\n"
	      "  rete print events.json\n\n"
	      "Run 'rete <COMMAND> --help' for the options of a command.\n",
	      f);
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

int main(int argc, char **argv)
{
	struct rete_global g = { .argv0 = argv[0], .argc = argc, .argv = argv };
	struct global_state st = { 0 };
	struct rete_suggest s;
	char err[256];
	int n;

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
		log_error("no command given (commands: collect, print; see rete --help)");
		return RETE_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1 + n], commands[i].name))
			return commands[i].run(&g, argc - 1 - n, argv + 1 + n);

	rete_suggest_init(&s, argv[1 + n]);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		rete_suggest_offer(&s, commands[i].name);
	if (s.best)
		log_error("unknown command '%s' (did you mean '%s'?)", argv[1 + n], s.best);
	else
		log_error("unknown command '%s' (see rete --help)", argv[1 + n]);
	return RETE_EXIT_USAGE;
}
