/* Shared plumbing of print, sort and stats: options, input, filters, output. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/postproc.h"
#include "lib/log.h"
#include "lib/prog.h"

#define STDOUT_BUF (1 << 20)
#define FILE_BUF (1 << 20)

int rete_post_opt(struct rete_post_args *a, const struct rete_opt *o, const char *value,
		  char *err, size_t errlen)
{
	switch (o->id) {
	case RETE_POST_OPT_UTC:
		a->text.utc = true;
		return 0;
	case RETE_POST_OPT_FORMAT:
		if (!strcmp(value, "multi-line") || !strcmp(value, "single-line")) {
			a->text.single_line = !strcmp(value, "single-line");
			return 0;
		}
		snprintf(err, errlen, "invalid format '%s' (expected multi-line or single-line)",
			 value);
		return -EINVAL;
	case RETE_POST_OPT_LINK_LAYER:
		a->text.link_layer = true;
		return 0;
	case RETE_POST_OPT_FILTER_PACKET:
		if (a->filter_packet) {
			snprintf(err, errlen, "-f/--filter-packet is given twice (combine the "
					      "expressions with 'and')");
			return -EINVAL;
		}
		a->filter_packet = value;
		return 0;
	case RETE_POST_OPT_FILTER_META:
		if (a->filter_meta) {
			snprintf(err, errlen, "-m/--filter-meta is given twice (combine the "
					      "expressions with 'and')");
			return -EINVAL;
		}
		a->filter_meta = value;
		return 0;
	case RETE_POST_OPT_HELP:
		a->help = true;
		return 0;
	case RETE_POST_OPT_COLOR:
		if (rete_color_mode_parse(value, &a->color)) {
			snprintf(err, errlen, "invalid color mode '%s' (expected %s)", value,
				 "auto, always or never");
			return -EINVAL;
		}
		return 0;
	case RETE_POST_OPT_NO_PAGER:
		a->no_pager = true;
		return 0;
	}
	return -ENOENT;
}

int rete_post_parse(const struct rete_opt *opts, size_t nopts, int argc, char **argv,
		    rete_opt_handler handler, void *ctx, struct rete_post_args *a)
{
	char err[512];
	int rc;

	a->files = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*a->files));
	if (!a->files) {
		log_error("out of memory");
		return RETE_EXIT_FAIL;
	}
	rc = rete_opts_parse(opts, nopts, argc - 1, argv + 1, false, handler, ctx, a->files,
			     argc > 0 ? (size_t)argc : 0, &a->nfiles, err, sizeof(err));
	if (rc < 0) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	/* Before any pager: auto means "the terminal the user looks at". */
	a->text.color = rete_color_use(a->color, STDOUT_FILENO);
	return RETE_EXIT_OK;
}

void rete_post_args_free(struct rete_post_args *a)
{
	free(a->files);
	a->files = NULL;
}


int rete_post_in_open(struct rete_post_in *in, const struct rete_post_args *a)
{
	const char *def[] = { rete_prog_data_file() };
	const char *def_rot[] = { rete_prog_data_rotated() };
	const char *const *specs = a->files;
	char first[64];
	size_t n = a->nfiles;
	char err[512];
	int rc;

	memset(in, 0, sizeof(*in));
	in->filtered = a->filter_packet || a->filter_meta;
	if (!n) {
		bool rotated;

		snprintf(first, sizeof(first), "%s.0", def[0]);
		rotated = access(def[0], F_OK) && !access(first, F_OK);

		specs = rotated ? def_rot : def;
		n = 1;
	}
	rc = rete_evfilter_new(a->filter_packet, a->filter_meta, &in->filter, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		return rc == -EINVAL ? RETE_EXIT_USAGE : RETE_EXIT_FAIL;
	}
	rc = rete_reader_open(specs, n, &in->reader, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		rete_evfilter_free(in->filter);
		in->filter = NULL;
		/* -EINVAL: the specs themselves are wrong ('-' twice). */
		return rc == -EINVAL ? RETE_EXIT_USAGE : RETE_EXIT_FAIL;
	}
	return RETE_EXIT_OK;
}

int rete_post_in_next(struct rete_post_in *in, struct rete_event *ev)
{
	const char *note;
	char err[768];
	int rc;

	for (;;) {
		rc = rete_reader_next(in->reader, ev, err, sizeof(err));
		while ((note = rete_reader_take_note(in->reader)))
			log_warn("%s", note);
		if (rc == -EINVAL) {
			log_warn("%s (line skipped)", err);
			in->bad_lines++;
			continue;
		}
		if (rc < 0) {
			log_error("%s", err);
			return rc;
		}
		if (!rc)
			return 0;
		rc = rete_evfilter_match(in->filter, ev);
		if (rc < 0) {
			log_error("cannot filter events: %s", strerror(-rc));
			return rc;
		}
		if (rc)
			return 1;
	}
}

void rete_post_in_report(const struct rete_post_in *in)
{
	size_t tested, passed;

	if (!in->filtered)
		return;
	rete_evfilter_counts(in->filter, &tested, &passed);
	if (!tested)
		return;
	if (!passed)
		log_info("no event matched the filters (%zu events read)", tested);
	else
		log_debug("%zu of %zu events matched the filters", passed, tested);
}

void rete_post_in_close(struct rete_post_in *in)
{
	rete_reader_free(in->reader);
	rete_evfilter_free(in->filter);
	in->reader = NULL;
	in->filter = NULL;
}

void rete_post_stdout_init(void)
{
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOFBF, STDOUT_BUF);
}

void rete_post_pager_start(struct rete_post_args *a)
{
	int rc;

	if (a->no_pager || !isatty(STDOUT_FILENO))
		return;
	rc = rete_pager_start(&a->pager, NULL);
	if (rc)
		log_warn("cannot run the pager (%s): %s; printing directly",
			 getenv("PAGER") ? getenv("PAGER") : RETE_PAGER_DEFAULT, strerror(-rc));
}

void rete_post_pager_end(struct rete_post_args *a)
{
	rete_pager_finish(&a->pager);
}

int rete_post_write(FILE *f, const char *buf, size_t len)
{
	errno = 0;
	if (len && fwrite(buf, 1, len, f) != len)
		return errno ? -errno : -EIO;
	return 0;
}

int rete_post_text_event(struct rete_text_opts *opts, const struct rete_event *ev,
			 unsigned indent, struct rete_strbuf *out)
{
	int rc;

	if (rete_event_has(ev, RETE_SEC_STARTUP)) {
		opts->has_mono_offset = true;
		opts->mono_offset_sec = ev->startup.mono_offset_sec;
		opts->mono_offset_nsec = ev->startup.mono_offset_nsec;
	}
	opts->indent = indent;
	rc = rete_text_event(ev, opts, out);
	opts->indent = 0;
	if (!rc)
		rc = rete_strbuf_addc(out, '\n');
	return rc;
}

FILE *rete_post_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;

	/* Packet data: keep the file private even if it existed before. */
	if (fd < 0)
		return NULL;
	if (fchmod(fd, 0600)) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, FILE_BUF);
	return f;
}
