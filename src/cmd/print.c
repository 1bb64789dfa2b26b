/* rete print: render events stored in a file (rete or Retis JSON lines). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "events/json.h"
#include "events/output.h"
#include "lib/log.h"
#include "lib/opts.h"

enum { OPT_UTC, OPT_FORMAT, OPT_LINK_LAYER, OPT_HELP };

static const struct rete_opt print_opts[] = {
	{ OPT_UTC, 0, "utc", RETE_OPT_FLAG, NULL, "Print timestamps as UTC dates" },
	{ OPT_FORMAT, 0, "format", RETE_OPT_VALUE, "FORMAT",
	  "multi-line (default) or single-line" },
	{ OPT_LINK_LAYER, 'e', NULL, RETE_OPT_FLAG, NULL, "Print link-layer information" },
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

#define NOPTS (sizeof(print_opts) / sizeof(print_opts[0]))

struct print_args {
	struct rete_text_opts text;
	bool help;
};

static int print_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
			 size_t errlen)
{
	struct print_args *a = ctx;

	switch (o->id) {
	case OPT_UTC:
		a->text.utc = true;
		return 0;
	case OPT_FORMAT:
		if (!strcmp(v, "multi-line") || !strcmp(v, "single-line")) {
			a->text.single_line = !strcmp(v, "single-line");
			return 0;
		}
		snprintf(err, errlen, "invalid format '%s' (expected multi-line or single-line)",
			 v);
		return -EINVAL;
	case OPT_LINK_LAYER:
		a->text.link_layer = true;
		return 0;
	case OPT_HELP:
		a->help = true;
		return 0;
	}
	return -EINVAL;
}

static void print_usage(FILE *f)
{
	fputs("Print events stored in a file written by 'rete collect -o' or by Retis.\n\n"
	      "Usage: rete print [OPTIONS] [FILE]   (default FILE: rete.data)\n\n",
	      f);
	rete_opts_help(f, print_opts, NOPTS);
	fputs("\nExamples:\n"
	      "  rete print events.json\n"
	      "  rete print --format single-line --utc events.json\n",
	      f);
}

int rete_cmd_print(const struct rete_global *g, int argc, char **argv)
{
	struct print_args a = { 0 };
	struct rete_output out = { 0 };
	struct rete_event ev = { 0 };
	const char *pos[1], *path = "rete.data";
	size_t npos = 0, cap = 0, lineno = 0, bad = 0;
	char err[256], *line = NULL;
	ssize_t len;
	FILE *f;
	int rc;

	rc = rete_opts_parse(print_opts, NOPTS, argc - 1, argv + 1, false, print_handler, &a, pos,
			     1, &npos, err, sizeof(err));
	if (rc < 0) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	if (a.help) {
		print_usage(stdout);
		return RETE_EXIT_OK;
	}
	if (npos)
		path = pos[0];
	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		log_error("cannot open %s: %s", path, strerror(errno));
		return RETE_EXIT_FAIL;
	}
	out.text = stdout;
	out.text_opts = a.text;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		rc = rete_json_read_event(&ev, line, (size_t)len, err, sizeof(err));
		if (rc) {
			log_warn("%s:%zu: %s (line skipped)", path, lineno, err);
			bad++;
			continue;
		}
		rc = rete_output_event(&out, &ev, true);
		if (rc)
			break;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	rete_event_free(&ev);
	rc = rete_output_close(&out);
	if (rc && rc != -EPIPE) {
		log_error("cannot write output: %s", strerror(-rc));
		return RETE_EXIT_FAIL;
	}
	return bad ? RETE_EXIT_FAIL : RETE_EXIT_OK;
}
