/* rete schema: the JSON Schema of the event file (Retis's `retis schema`). */
#include <stdio.h>

#include "cmd/cmd.h"
#include "events/schema.h"
#include "lib/log.h"
#include "lib/opts.h"

enum { OPT_HELP };

static const struct rete_opt schema_opts[] = {
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

static int rete_cmd_schema(const struct rete_global *g, int argc, char **argv);

const struct rete_cmd rete_cmd_schema_desc = {
	.name = "schema",
	.summary = "Print the JSON Schema of the event file",
	.synopsis = "",
	.description =
		"Print the JSON Schema (draft 2020-12) that every line of an event file\n"
		"written by 'rete collect' (or by Retis) follows, one section per property;\n"
		"the same schema 'rete pcap' embeds in its pcapng output. Sections rete does\n"
		"not write yet (ovs, ovs-detrace, userspace) are objects without further\n"
		"description.\n",
	.examples = "  rete schema > events.schema.json\n",
	.opts = schema_opts,
	.nopts = sizeof(schema_opts) / sizeof(schema_opts[0]),
	.pos = RETE_CMD_POS_NONE,
	.run = rete_cmd_schema,
};

static int schema_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
			  size_t errlen)
{
	*(bool *)ctx = true;
	return 0;
}

static int rete_cmd_schema(const struct rete_global *g, int argc, char **argv)
{
	const char *pos[1];
	bool help = false;
	size_t npos = 0, len;
	const char *s;
	char err[256];

	if (rete_opts_parse(schema_opts, rete_cmd_schema_desc.nopts, argc - 1, argv + 1, false,
			    schema_handler, &help, pos, 1, &npos, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	if (help) {
		rete_cmd_usage(stdout, &rete_cmd_schema_desc);
		return RETE_EXIT_OK;
	}
	if (npos) {
		log_error("unexpected argument '%s' (schema takes none)", pos[0]);
		return RETE_EXIT_USAGE;
	}
	s = rete_event_schema(&len);
	if (fwrite(s, 1, len, stdout) != len || putchar('\n') == EOF || fflush(stdout)) {
		log_error("cannot write the schema to standard output");
		return RETE_EXIT_FAIL;
	}
	return RETE_EXIT_OK;
}
