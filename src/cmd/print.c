/* rete print: render stored events (rete or Retis JSON lines, or sorted files). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/postproc.h"
#include "lib/log.h"
#include "lib/opts.h"

static const struct rete_opt print_opts[] = {
	{ RETE_POST_OPT_FILTER_PACKET, 'f', "filter-packet", RETE_OPT_VALUE, "EXPR",
	  RETE_POST_HELP_FILTER_PACKET },
	{ RETE_POST_OPT_FILTER_META, 'm', "filter-meta", RETE_OPT_VALUE, "EXPR",
	  RETE_POST_HELP_FILTER_META },
	{ RETE_POST_OPT_UTC, 0, "utc", RETE_OPT_FLAG, NULL, "Print timestamps as UTC dates" },
	{ RETE_POST_OPT_FORMAT, 0, "format", RETE_OPT_VALUE, "FORMAT",
	  "multi-line (default) or single-line" },
	{ RETE_POST_OPT_LINK_LAYER, 'e', NULL, RETE_OPT_FLAG, NULL,
	  "Print link-layer information" },
	{ RETE_POST_OPT_COLOR, 0, "color", RETE_OPT_VALUE, "WHEN", RETE_POST_HELP_COLOR },
	{ RETE_POST_OPT_NO_PAGER, 0, "no-pager", RETE_OPT_FLAG, NULL, RETE_POST_HELP_NO_PAGER },
	{ RETE_POST_OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

#define NOPTS (sizeof(print_opts) / sizeof(print_opts[0]))

static int print_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
			 size_t errlen)
{
	int rc = rete_post_opt(ctx, o, v, err, errlen);

	return rc == -ENOENT ? -EINVAL : rc;
}

const struct rete_cmd rete_cmd_print_desc = {
	.name = "print",
	.summary = "Print events stored in a file",
	.synopsis = "[OPTIONS] [FILE...]",
	.description = "Print events stored by 'rete collect -o' or by Retis, in the live output's "
		       "layout.\n",
	.notes = RETE_POST_HELP_INPUTS,
	.examples = "  rete print events.json\n"
		    "  rete print --format single-line --utc events.json\n"
		    "  rete print cap.json.0..                  # every rotated file, in order\n"
		    "  rete print -f 'tcp port 80' -m 'dev.name == \"veth01\"' events.json\n"
		    "  rete print -m 'skb-drop.drop_reason == \"NO_SOCKET\"' events.json\n"
		    "  rete print --color always events.json | less -R\n",
	.opts = print_opts,
	.nopts = NOPTS,
	.pos = RETE_CMD_POS_FILES,
	.run = rete_cmd_print,
};

/* Layout: a blank line after each event (multi-line), or after each series of a sorted file. */
static int print_event(struct rete_post_args *a, const struct rete_post_in *in,
		       const struct rete_event *ev, struct rete_strbuf *sb)
{
	size_t idx, n;
	bool series = rete_reader_series_pos(in->reader, &idx, &n);
	int rc;

	rete_strbuf_reset(sb);
	rc = rete_post_text_event(&a->text, ev, series && idx ? 1 : 0, sb);
	if (!rc && (series ? idx + 1 == n : !a->text.single_line))
		rc = rete_strbuf_addc(sb, '\n');
	if (!rc)
		rc = rete_post_write(stdout, sb->buf, sb->len);
	return rc;
}

int rete_cmd_print(const struct rete_global *g, int argc, char **argv)
{
	struct rete_post_args a = { 0 };
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	struct rete_event ev = { 0 };
	struct rete_post_in in;
	int code, rc, write_err = 0;
	bool read_failed = false;

	code = rete_post_parse(print_opts, NOPTS, argc, argv, print_handler, &a, &a);
	if (code != RETE_EXIT_OK || a.help) {
		if (a.help && code == RETE_EXIT_OK)
			rete_cmd_usage(stdout, &rete_cmd_print_desc);
		rete_post_args_free(&a);
		return code;
	}
	code = rete_post_in_open(&in, &a);
	if (code != RETE_EXIT_OK) {
		rete_post_args_free(&a);
		return code;
	}
	rete_post_stdout_init();
	rete_post_pager_start(&a);
	for (;;) {
		rc = rete_post_in_next(&in, &ev);
		if (rc <= 0) {
			read_failed = rc < 0;
			break;
		}
		write_err = print_event(&a, &in, &ev, &sb);
		if (write_err)
			break;
	}
	if (!write_err && fflush(stdout))
		write_err = -errno;
	/* A reader that went away (| head) is not an error. */
	if (write_err == -EPIPE)
		write_err = 0;
	rete_post_pager_end(&a);
	if (write_err)
		log_error("cannot write the output: %s", strerror(-write_err));
	rete_post_in_report(&in);
	code = read_failed || write_err || in.bad_lines ? RETE_EXIT_FAIL : RETE_EXIT_OK;
	rete_post_in_close(&in);
	rete_event_free(&ev);
	rete_strbuf_free(&sb);
	rete_post_args_free(&a);
	return code;
}
