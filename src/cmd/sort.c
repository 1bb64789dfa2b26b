/*
 * rete sort: group stored events into series, one per packet (process/sort.c
 * does the grouping), and print them (the seed README's layout) or write
 * them as one JSON array per line with a tracking section (-o).
 *
 * Each event is stored as its JSON line (with the tracking section of the
 * index it gets if nothing older comes) plus, when printing, its text: the
 * work is done once, on arrival. The few events that end up at another
 * index (an older event of their series came later) are rebuilt from their
 * JSON when their series is handed out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "cmd/postproc.h"
#include "events/json.h"
#include "lib/log.h"
#include "lib/opts.h"
#include "lib/parse.h"
#include "process/sort.h"

enum { OPT_OUT = RETE_POST_OPT_MAX, OPT_PRINT, OPT_MAX_BUFFER };

static const struct rete_opt sort_opts[] = {
	{ OPT_OUT, 'o', "out", RETE_OPT_VALUE, "FILE",
	  "Write the series to FILE (- for standard output), one JSON array per\n"
	  "line, instead of printing" },
	{ OPT_PRINT, 0, "print", RETE_OPT_FLAG, NULL, "Also print the series when -o is used" },
	{ OPT_MAX_BUFFER, 0, "max-buffer", RETE_OPT_VALUE, "N",
	  "Series (and untracked events) kept in memory while waiting for more\n"
	  "of their events (default 1000; 0 = unbounded). When more are in\n"
	  "flight the oldest is written; raise N if series come out split" },
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

#define NOPTS (sizeof(sort_opts) / sizeof(sort_opts[0]))

struct sort_args {
	struct rete_post_args post;
	const char *out;
	bool print;
	size_t max_buffer;
};

/* Stored form of an event: [json length, 4 bytes][json][text]. */
struct sort_run {
	struct sort_args *args;
	struct rete_text_opts text;	/* mono offset follows the input order */
	FILE *json;			/* -o, or NULL */
	bool print;
	struct rete_strbuf out, tmp;	/* series being written; rebuilt events */
	struct rete_json_reader *jr;
	struct rete_event scratch;
	int write_err;			/* the first output error, -EPIPE included */
	bool json_failed;		/* write_err concerns the -o file */
};

static int sort_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
			size_t errlen)
{
	struct sort_args *a = ctx;
	uint64_t n;
	int rc;

	switch (o->id) {
	case OPT_OUT:
		a->out = v;
		return 0;
	case OPT_PRINT:
		a->print = true;
		return 0;
	case OPT_MAX_BUFFER:
		rc = rete_parse_u64(v, &n);
		if (rc || n > SIZE_MAX / RETE_SORT_EVENTS_PER_SLOT) {
			snprintf(err, errlen, "--max-buffer expects a number of series (0 for no "
					      "limit), got '%s'",
				 v);
			return -EINVAL;
		}
		a->max_buffer = (size_t)n;
		return 0;
	}
	rc = rete_post_opt(&a->post, o, v, err, errlen);
	return rc == -ENOENT ? -EINVAL : rc;
}

const struct rete_cmd rete_cmd_sort_desc = {
	.name = "sort",
	.summary = "Group stored events into series, one per packet",
	.synopsis = "[OPTIONS] [FILE...]",
	.description =
		"Group stored events into series, one per packet (same tracking id, clones\n"
		"included), ordered by their first event; events without tracking pass through\n"
		"in time order.\n",
	.notes = RETE_POST_HELP_INPUTS,
	.examples =
		"  rete sort events.json\n"
		"  rete sort -o series.json events.json    # one JSON array (a series) per line\n"
		"  rete sort -o series.json --print cap.json.0..\n"
		"  rete sort --max-buffer 0 -m 'skb-drop' events.json\n",
	.opts = sort_opts,
	.nopts = NOPTS,
	.pos = RETE_CMD_POS_FILES,
	.run = rete_cmd_sort,
};

/* ---- encoding on arrival ------------------------------------------------- */

static int encode(const struct rete_event *ev, const struct rete_sort_pos *pos,
		  struct rete_strbuf *out, void *arg)
{
	struct sort_run *r = arg;
	struct rete_event tmp = *ev;	/* shallow: only the tracking section changes */
	size_t hdr = out->len;
	uint32_t jlen;
	int rc;

	tmp.present &= ~(1u << RETE_SEC_TRACKING);
	if (pos->tracked) {
		rete_event_set(&tmp, RETE_SEC_TRACKING);
		tmp.tracking.orig_head = pos->id.orig_head;
		tmp.tracking.timestamp = pos->id.timestamp;
		tmp.tracking.skb = pos->skb;
		tmp.tracking.idx = pos->idx;
	}
	rc = rete_strbuf_add(out, "\0\0\0\0", 4);
	if (!rc)
		rc = rete_json_write_event(&tmp, out);
	if (rc)
		return rc;
	jlen = (uint32_t)(out->len - hdr - 4);
	memcpy(out->buf + hdr, &jlen, 4);
	if (!r->print)
		return 0;
	return rete_post_text_event(&r->text, &tmp, pos->tracked && pos->idx ? 1 : 0, out);
}

/* ---- output when a series is handed out ------------------------------------ */

struct stored {
	const char *json, *text;
	size_t json_len, text_len;
};

static void split_item(const char *data, size_t len, struct stored *s)
{
	uint32_t jlen;

	memcpy(&jlen, data, 4);
	s->json = data + 4;
	s->json_len = jlen;
	s->text = data + 4 + jlen;
	s->text_len = len - 4 - jlen;
}

/* The item ended up at another index than the one it was encoded for: encode it again. */
static int rebuild(struct sort_run *r, size_t idx, struct stored *s)
{
	struct rete_sort_pos pos = { 0 };
	char err[256];
	int rc;

	rc = rete_json_reader_event(r->jr, &r->scratch, s->json, s->json_len, err, sizeof(err));
	if (rc)
		return rc == -ENOMEM ? rc : -EIO;	/* cannot happen: we wrote it */
	pos.tracked = rete_sort_event_id(&r->scratch, &pos.id, &pos.skb);
	pos.idx = idx > UINT32_MAX ? UINT32_MAX : (uint32_t)idx;
	rete_strbuf_reset(&r->tmp);
	rc = encode(&r->scratch, &pos, &r->tmp, r);
	if (rc)
		return rc;
	split_item(r->tmp.buf, r->tmp.len, s);
	return 0;
}

static int put(struct sort_run *r, FILE *f, bool is_json)
{
	int rc = rete_post_write(f, r->out.buf, r->out.len);

	if (rc && !r->write_err) {
		r->write_err = rc;
		r->json_failed = is_json;
	}
	return rc;
}

static int write_json(struct sort_run *r, const struct rete_sort_series *s)
{
	struct stored st;
	int rc;

	rete_strbuf_reset(&r->out);
	rete_strbuf_addc(&r->out, '[');
	for (size_t i = 0; i < s->n; i++) {
		split_item(s->items[i].data, s->items[i].len, &st);
		if (s->items[i].idx_at_add != i && s->tracked) {
			rc = rebuild(r, i, &st);
			if (rc)
				return rc;
		}
		if (i)
			rete_strbuf_addc(&r->out, ',');
		rete_strbuf_add(&r->out, st.json, st.json_len);
	}
	rc = rete_strbuf_adds(&r->out, "]\n");
	return rc ? rc : put(r, r->json, true);
}

static int write_text(struct sort_run *r, const struct rete_sort_series *s)
{
	struct stored st;
	int rc;

	rete_strbuf_reset(&r->out);
	for (size_t i = 0; i < s->n; i++) {
		split_item(s->items[i].data, s->items[i].len, &st);
		if (s->items[i].idx_at_add != i && s->tracked) {
			rc = rebuild(r, i, &st);
			if (rc)
				return rc;
		}
		rete_strbuf_add(&r->out, st.text, st.text_len);
	}
	rc = rete_strbuf_addc(&r->out, '\n');
	return rc ? rc : put(r, stdout, false);
}

static int emit(const struct rete_sort_series *s, void *arg)
{
	struct sort_run *r = arg;
	int rc = 0;

	if (r->json)
		rc = write_json(r, s);
	if (!rc && r->print)
		rc = write_text(r, s);
	return rc;
}

/* ---- command ------------------------------------------------------------------ */

/* The -o file is one of the inputs (it would be truncated before being read). */
static bool same_file(const char *out, const struct rete_post_args *a)
{
	struct stat so, si;

	if (stat(out, &so))
		return false;
	for (size_t i = 0; i < a->nfiles; i++)
		if (!stat(a->files[i], &si) && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
			return true;
	return false;
}

static int run(struct sort_run *r, struct rete_post_in *in, bool *ret_read_failed)
{
	struct rete_sort_cfg cfg = {
		.max_buffer = r->args->max_buffer,
		.encode = encode,
		.emit = emit,
		.arg = r,
	};
	struct rete_sorter *sorter;
	struct rete_sort_stats st;
	struct rete_event ev = { 0 };
	int rc;

	rc = rete_sorter_new(&cfg, &sorter);
	if (rc)
		return rc;
	for (;;) {
		rc = rete_post_in_next(in, &ev);
		if (rc <= 0) {
			*ret_read_failed = rc < 0;
			rc = 0;
			break;
		}
		rc = rete_sorter_add(sorter, &ev);
		if (rc)
			break;
	}
	if (!rc)
		rc = rete_sorter_flush(sorter);
	rete_sorter_stats(sorter, &st);
	log_debug("%" PRIu64 " events: %" PRIu64 " series, %" PRIu64 " untracked; at most %zu "
		  "in flight",
		  st.events, st.series, st.untracked, st.peak);
	if (st.split)
		log_warn("%" PRIu64 " series came out split because more than %zu series were in "
			 "flight: raise --max-buffer (0 = unbounded)",
			 st.split, r->args->max_buffer);
	rete_sorter_free(sorter);
	rete_event_free(&ev);
	return rc;
}

static int finish_output(struct sort_run *r, const char *path)
{
	if (r->json == stdout) {
		if (fflush(stdout) && !r->write_err) {
			r->write_err = -errno;
			r->json_failed = r->write_err != -EPIPE;
		}
	} else if (r->json && fclose(r->json) && !r->write_err) {
		r->write_err = -errno;
		r->json_failed = true;
	}
	r->json = NULL;
	if (fflush(stdout) && !r->write_err)
		r->write_err = -errno;
	if (!r->write_err || (r->write_err == -EPIPE && !r->json_failed))
		return 0;
	if (r->json_failed)
		log_error("cannot write %s: %s", path, strerror(-r->write_err));
	else
		log_error("cannot write the output: %s", strerror(-r->write_err));
	return r->write_err;
}

int rete_cmd_sort(const struct rete_global *g, int argc, char **argv)
{
	struct sort_args a = { .max_buffer = RETE_SORT_DEFAULT_BUFFER };
	struct sort_run r = { .args = &a };
	struct rete_post_in in;
	bool read_failed = false;
	int code, rc;

	code = rete_post_parse(sort_opts, NOPTS, argc, argv, sort_handler, &a, &a.post);
	if (code != RETE_EXIT_OK || a.post.help) {
		if (code == RETE_EXIT_OK)
			rete_cmd_usage(stdout, &rete_cmd_sort_desc);
		rete_post_args_free(&a.post);
		return code;
	}
	if (a.print && !a.out) {
		log_error("--print only makes sense with -o/--out (without it sort prints)");
		code = RETE_EXIT_USAGE;
		goto out_args;
	}
	if (a.print && a.out && !strcmp(a.out, "-")) {
		log_error("--print and -o - would both write to standard output");
		code = RETE_EXIT_USAGE;
		goto out_args;
	}
	if (a.out && strcmp(a.out, "-") && same_file(a.out, &a.post)) {
		log_error("cannot sort %s in place: give -o another file", a.out);
		code = RETE_EXIT_USAGE;
		goto out_args;
	}
	code = rete_post_in_open(&in, &a.post);
	if (code != RETE_EXIT_OK)
		goto out_args;
	r.text = a.post.text;
	r.print = !a.out || a.print;
	if (rete_json_reader_new(&r.jr)) {
		log_error("out of memory");
		code = RETE_EXIT_FAIL;
		goto out_in;
	}
	if (a.out && !strcmp(a.out, "-")) {
		r.json = stdout;	/* sort -o - | ...: the sorted JSON is the output */
	} else if (a.out) {
		r.json = rete_post_create(a.out);
		if (!r.json) {
			log_error("cannot create %s: %s", a.out, strerror(errno));
			code = RETE_EXIT_FAIL;
			goto out_in;
		}
	}
	rete_post_stdout_init();
	if (r.print)
		rete_post_pager_start(&a.post);
	rc = run(&r, &in, &read_failed);
	if (rc == r.write_err)
		rc = 0;	/* reported by finish_output(), or stdout's reader went away */
	else
		log_error("cannot sort: %s", strerror(-rc));
	if (finish_output(&r, a.out))
		rc = -EIO;
	rete_post_pager_end(&a.post);
	rete_post_in_report(&in);
	code = rc || read_failed || in.bad_lines ? RETE_EXIT_FAIL : RETE_EXIT_OK;
out_in:
	if (r.json && r.json != stdout)
		fclose(r.json);
	rete_json_reader_free(r.jr);
	rete_event_free(&r.scratch);
	rete_strbuf_free(&r.out);
	rete_strbuf_free(&r.tmp);
	rete_post_in_close(&in);
out_args:
	rete_post_args_free(&a.post);
	return code;
}
