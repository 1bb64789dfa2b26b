/*
 * Event files, read line by line with one buffer per reader (no getline):
 * lines are handed to the JSON reader in place. Series lines (sorted files)
 * are parsed whole, their events copied into a queue and handed out one by
 * one by swapping structs with the caller's event (no second copy).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/json.h"
#include "events/reader.h"
#include "events/version.h"

#define READ_CHUNK (1u << 20)

struct src {
	const char *spec;	/* as given */
	char *base;		/* rotated sequence: FILE of FILE.N.., else NULL */
	unsigned long long first;
	bool is_stdin;
};

struct rete_reader {
	struct src *srcs;
	size_t nsrcs;
	size_t cur;		/* source being read */
	unsigned long long rot_idx;	/* N of the rotated file being read */
	int fd;			/* -1 when no file is open */
	char *name;		/* file being read, for messages */
	size_t lineno;

	char *buf;
	size_t cap, start, end, scanned;
	bool eof;
	bool last_unterminated;	/* the line just returned had no '\n' */
	bool skipping;		/* discarding an overlong line */

	struct rete_json_reader *jr;

	/* Events of the current series line, handed out from qpos. */
	struct rete_event *q;
	size_t qn, qcap, qpos;
	int q_rc;		/* error met after the queued events, or 0 */
	char *q_err;
	bool from_series;
	size_t series_idx, series_n;

	/* Position of the last event returned (the queue may be ahead). */
	char *ev_name;
	size_t ev_line;

	char note[512];
	bool has_note;
	size_t nevents, nerrors;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "FILE.N.." -> base FILE and N; false when spec is not of that form. */
static bool parse_rotation(const char *spec, char **ret_base, unsigned long long *ret_n)
{
	size_t len = strlen(spec), dot, i;
	unsigned long long n = 0;

	if (len < 5 || strcmp(spec + len - 2, ".."))
		return false;
	len -= 2;
	for (i = len; i > 0 && spec[i - 1] >= '0' && spec[i - 1] <= '9'; i--)
		;
	if (i == len || i < 2 || spec[i - 1] != '.' || len - i > 18)
		return false;
	dot = i - 1;
	for (; i < len; i++)
		n = n * 10 + (unsigned long long)(spec[i] - '0');
	*ret_base = strndup(spec, dot);
	if (!*ret_base)
		return false;
	*ret_n = n;
	return true;
}

static char *rotated_name(const char *base, unsigned long long n)
{
	char *s;

	if (asprintf(&s, "%s.%llu", base, n) < 0)
		return NULL;
	return s;
}

/* Lowest N >= from with BASE.N present in BASE's directory, for a hint. */
static bool first_rotated(const char *base, unsigned long long from, unsigned long long *ret)
{
	const char *slash = strrchr(base, '/');
	const char *prefix = slash ? slash + 1 : base;
	size_t plen = strlen(prefix);
	char *dir = slash ? strndup(base, (size_t)(slash - base) + 1) : strdup(".");
	bool found = false;
	struct dirent *de;
	DIR *d;

	if (!dir)
		return false;
	d = opendir(dir);
	free(dir);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		const char *p = de->d_name;
		unsigned long long n = 0;
		size_t k;

		if (strncmp(p, prefix, plen) || p[plen] != '.' || !p[plen + 1])
			continue;
		for (k = plen + 1; p[k] >= '0' && p[k] <= '9' && k < plen + 19; k++)
			n = n * 10 + (unsigned long long)(p[k] - '0');
		if (p[k] || n < from || (found && n >= *ret))
			continue;
		*ret = n;
		found = true;
	}
	closedir(d);
	return found;
}

/* A path can be read: opens it, checks it is not a directory, closes it. */
static int check_readable(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		rc = -errno;
	else if (S_ISDIR(st.st_mode))
		rc = -EISDIR;
	close(fd);
	return rc;
}

static int check_src(struct src *s, char *err, size_t errlen)
{
	unsigned long long n = 0;
	char *name;
	int rc;

	if (s->is_stdin)
		return 0;
	if (!s->base) {
		rc = check_readable(s->spec);
		if (rc)
			set_err(err, errlen, "cannot open %s: %s", s->spec, strerror(-rc));
		return rc;
	}
	name = rotated_name(s->base, s->first);
	if (!name) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = check_readable(name);
	if (rc == -ENOENT && first_rotated(s->base, s->first, &n))
		set_err(err, errlen,
			"cannot open %s: %s (the first rotated file present is %s.%llu: use "
			"%s.%llu..)",
			name, strerror(-rc), s->base, n, s->base, n);
	else if (rc)
		set_err(err, errlen, "cannot open %s: %s", name, strerror(-rc));
	free(name);
	return rc;
}

static void close_file(struct rete_reader *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
	r->start = r->end = r->scanned = 0;
	r->eof = false;
	r->skipping = false;
	r->lineno = 0;
}

/*
 * Open the file of the current source (and rotation index). For a rotated
 * sequence past its first file, a missing file ends the sequence: returns
 * -ENOENT with no message then.
 */
static int open_file(struct rete_reader *r, char *err, size_t errlen)
{
	struct src *s = &r->srcs[r->cur];
	char *name;
	int fd;

	if (s->is_stdin) {
		name = strdup("stdin");
		fd = STDIN_FILENO;
	} else {
		name = s->base ? rotated_name(s->base, r->rot_idx) : strdup(s->spec);
		fd = name ? open(name, O_RDONLY | O_CLOEXEC) : -1;
	}
	if (!name) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (fd < 0) {
		int rc = -errno;

		if (!(s->base && r->rot_idx > s->first && rc == -ENOENT))
			set_err(err, errlen, "cannot open %s: %s", name, strerror(-rc));
		free(name);
		return rc;
	}
	free(r->name);
	r->name = name;
	r->fd = fd;
	return 0;
}

int rete_reader_open(const char *const *specs, size_t nspecs, struct rete_reader **ret, char *err,
		     size_t errlen)
{
	struct rete_reader *r;
	bool have_stdin = false;
	int rc = -ENOMEM;

	if (!nspecs) {
		set_err(err, errlen, "no input file given");
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		goto out_nomem;
	r->fd = -1;
	r->srcs = calloc(nspecs, sizeof(*r->srcs));
	r->cap = READ_CHUNK;
	r->buf = malloc(r->cap);
	if (!r->srcs || !r->buf || rete_json_reader_new(&r->jr))
		goto out_free;
	r->nsrcs = nspecs;
	for (size_t i = 0; i < nspecs; i++) {
		struct src *s = &r->srcs[i];

		s->spec = specs[i];
		if (!strcmp(specs[i], "-")) {
			if (have_stdin) {
				set_err(err, errlen,
					"standard input ('-') is given more than once");
				rc = -EINVAL;
				goto out_free;
			}
			have_stdin = s->is_stdin = true;
		} else if (access(specs[i], F_OK)) {
			/* FILE.N.. unless a file has that very name. */
			parse_rotation(specs[i], &s->base, &s->first);
		}
		rc = check_src(s, err, errlen);
		if (rc)
			goto out_free;
	}
	r->rot_idx = r->srcs[0].first;
	rc = open_file(r, err, errlen);
	if (rc)
		goto out_free;
	*ret = r;
	return 0;

out_free:
	rete_reader_free(r);
	if (rc == -ENOMEM)
		goto out_nomem;
	return rc;
out_nomem:
	set_err(err, errlen, "out of memory");
	return -ENOMEM;
}

void rete_reader_free(struct rete_reader *r)
{
	if (!r)
		return;
	if (r->fd > 0)
		close(r->fd);
	for (size_t i = 0; i < r->nsrcs; i++)
		free(r->srcs[i].base);
	free(r->srcs);
	for (size_t i = 0; i < r->qcap; i++)
		rete_event_free(&r->q[i]);
	free(r->q);
	free(r->q_err);
	rete_json_reader_free(r->jr);
	free(r->buf);
	free(r->name);
	free(r->ev_name);
	free(r);
}

/* Move to the next file: the next rotated one, else the next source. 0, -ENOENT at the end. */
static int next_file(struct rete_reader *r, char *err, size_t errlen)
{
	struct src *s = &r->srcs[r->cur];
	int rc;

	close_file(r);
	if (s->base) {
		r->rot_idx++;
		rc = open_file(r, err, errlen);
		if (rc != -ENOENT || r->rot_idx == s->first)
			return rc;
	}
	if (++r->cur >= r->nsrcs)
		return -ENOENT;
	r->rot_idx = r->srcs[r->cur].first;
	return open_file(r, err, errlen);
}

static int fill(struct rete_reader *r)
{
	ssize_t n;

	if (r->start) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->scanned -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < READ_CHUNK / 4 && r->cap < RETE_READER_LINE_MAX + READ_CHUNK) {
		size_t cap = r->cap * 2;
		char *nb;

		if (cap > RETE_READER_LINE_MAX + READ_CHUNK)
			cap = RETE_READER_LINE_MAX + READ_CHUNK;
		nb = realloc(r->buf, cap);
		if (!nb)
			return -ENOMEM;
		r->buf = nb;
		r->cap = cap;
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (!n)
		r->eof = true;
	r->end += (size_t)n;
	return 0;
}

/*
 * Next line of the current file (without its '\n'). 1, 0 at the end of the
 * file, -E2BIG for a line over the limit (skipped), other -errno.
 */
static int next_line(struct rete_reader *r, char **ret_line, size_t *ret_len)
{
	for (;;) {
		char *nl = memchr(r->buf + r->scanned, '\n', r->end - r->scanned);
		int rc;

		if (nl) {
			size_t at = (size_t)(nl - r->buf);
			bool skipped = r->skipping;

			*ret_line = r->buf + r->start;
			*ret_len = at - r->start;
			r->start = r->scanned = at + 1;
			r->lineno++;
			r->last_unterminated = false;
			r->skipping = false;
			return skipped ? -E2BIG : 1;
		}
		r->scanned = r->end;
		if (r->eof) {
			if (r->start == r->end && !r->skipping)
				return 0;
			*ret_line = r->buf + r->start;
			*ret_len = r->end - r->start;
			r->start = r->scanned = r->end;
			r->lineno++;
			r->last_unterminated = true;
			if (r->skipping) {
				r->skipping = false;
				return -E2BIG;
			}
			return 1;
		}
		if (r->end - r->start >= RETE_READER_LINE_MAX) {
			r->skipping = true;
			r->start = r->scanned = r->end;
		}
		rc = fill(r);
		if (rc)
			return rc;
	}
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static bool is_series(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < len && s[i] == '[';
}

static int queue_cb(struct rete_event *ev, size_t idx, void *arg)
{
	struct rete_reader *r = arg;
	int rc;

	if (r->qn >= RETE_READER_SERIES_MAX)
		return -E2BIG;
	if (r->qn == r->qcap) {
		size_t cap = r->qcap ? r->qcap * 2 : 16;
		struct rete_event *q = realloc(r->q, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		memset(q + r->qcap, 0, (cap - r->qcap) * sizeof(*q));
		r->q = q;
		r->qcap = cap;
	}
	rete_event_reset(&r->q[r->qn]);
	rc = rete_event_copy(&r->q[r->qn], ev);
	if (rc)
		return rc;
	r->qn++;
	return 0;
}

/*
 * A file from a Retis newer than the layout rete reads, or older than any
 * Retis keeps readable: remember a note naming the version it claims.
 */
static void check_version(struct rete_reader *r, const struct rete_event *ev)
{
	const char *v = ev->startup.version;
	unsigned major, minor, patch;
	const char *what;

	if (!strncmp(v, "rete-", 5))
		return; /* rete before 0.2: the layout of today */
	if (rete_format_version_parse(v, &major, &minor, &patch))
		what = "a version Retis cannot parse: read as the current layout";
	else if (major > RETE_FORMAT_MAJOR ||
		 (major == RETE_FORMAT_MAJOR && minor > RETE_FORMAT_MINOR))
		what = "newer than the event layout rete reads: unknown fields are ignored and "
		       "unknown sections kept as they are";
	else if (major < RETE_FORMAT_MAJOR ||
		 (major == RETE_FORMAT_MAJOR && minor < RETE_FORMAT_OLDEST_MINOR))
		what = "older than 1.5.0, the first event layout Retis keeps readable: fields may "
		       "be missing or misread";
	else
		return;
	snprintf(r->note, sizeof(r->note), "%s:%zu: written by Retis %.*s, %s (rete reads %d.%d)",
		 r->name, r->lineno, (int)sizeof(ev->startup.version), ev->startup.version, what,
		 RETE_FORMAT_MAJOR, RETE_FORMAT_MINOR);
	r->has_note = true;
}

static int remember_pos(struct rete_reader *r)
{
	if (!r->ev_name || strcmp(r->ev_name, r->name)) {
		char *n = strdup(r->name);

		if (!n)
			return -ENOMEM;
		free(r->ev_name);
		r->ev_name = n;
	}
	r->ev_line = r->lineno;
	return 0;
}

static void swap_events(struct rete_event *a, struct rete_event *b)
{
	struct rete_event t = *a;

	*a = *b;
	*b = t;
}

static int line_error(struct rete_reader *r, int rc, const char *what, char *err, size_t errlen)
{
	if (rc == -ENOMEM) {
		set_err(err, errlen, "out of memory");
		return rc;
	}
	if (remember_pos(r))
		return -ENOMEM;
	r->nerrors++;
	set_err(err, errlen, "%s:%zu: %s%s", r->name, r->lineno,
		r->last_unterminated ? "truncated last line (no newline at the end of the file): "
				     : "",
		what);
	return -EINVAL;
}

/* Parse a series line into the queue; returns like rete_reader_next(). */
static int read_series(struct rete_reader *r, struct rete_event *ev, const char *line,
		       size_t len, char *err, size_t errlen)
{
	char what[384];
	int rc;

	r->qn = r->qpos = 0;
	r->q_rc = 0;
	rc = rete_json_reader_series(r->jr, ev, line, len, queue_cb, r, what, sizeof(what));
	if (rc == -E2BIG)
		snprintf(what, sizeof(what),
			 "series of more than %d events: the rest of the line is skipped",
			 RETE_READER_SERIES_MAX);
	if (rc && !r->qn)
		return line_error(r, rc, what, err, errlen);
	if (rc) {
		char *e = NULL;

		if (rc == -ENOMEM || asprintf(&e, "%s:%zu: %s", r->name, r->lineno, what) < 0) {
			set_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		free(r->q_err);
		r->q_err = e;
		r->q_rc = -EINVAL;
	}
	r->series_n = r->qn;
	if (remember_pos(r))
		return -ENOMEM;
	return 1;
}

static int next_queued(struct rete_reader *r, struct rete_event *ev, char *err, size_t errlen)
{
	if (r->qpos < r->qn) {
		rete_event_reset(ev);
		swap_events(ev, &r->q[r->qpos]);
		r->from_series = true;
		r->series_idx = r->qpos++;
		r->nevents++;
		if (rete_event_has(ev, RETE_SEC_STARTUP))
			check_version(r, ev);
		return 1;
	}
	if (r->q_rc) {
		int rc = r->q_rc;

		r->q_rc = 0;
		r->nerrors++;
		set_err(err, errlen, "%s", r->q_err);
		return rc;
	}
	return 0;
}

int rete_reader_next(struct rete_reader *r, struct rete_event *ev, char *err, size_t errlen)
{
	char *line = NULL;
	size_t len = 0;
	int rc;

	rc = next_queued(r, ev, err, errlen);
	if (rc)
		return rc;
	for (;;) {
		rc = r->fd < 0 ? 0 : next_line(r, &line, &len);
		if (rc == -E2BIG) {
			char what[96];

			snprintf(what, sizeof(what), "line longer than %u MiB (skipped)",
				 RETE_READER_LINE_MAX >> 20);
			return line_error(r, -EINVAL, what, err, errlen);
		}
		if (rc < 0) {
			set_err(err, errlen, "cannot read %s: %s", r->name, strerror(-rc));
			return rc;
		}
		if (!rc) {
			if (r->fd < 0)
				return 0;
			rc = next_file(r, err, errlen);
			if (rc == -ENOENT)
				return 0;
			if (rc)
				return rc;
			continue;
		}
		if (blank(line, len))
			continue;
		if (is_series(line, len)) {
			rc = read_series(r, ev, line, len, err, errlen);
			if (rc != 1)
				return rc;
			rc = next_queued(r, ev, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		{
			char what[384];

			rc = rete_json_reader_event(r->jr, ev, line, len, what, sizeof(what));
			if (rc)
				return line_error(r, rc, what, err, errlen);
		}
		if (remember_pos(r))
			return -ENOMEM;
		r->from_series = false;
		r->nevents++;
		if (rete_event_has(ev, RETE_SEC_STARTUP))
			check_version(r, ev);
		return 1;
	}
}

const char *rete_reader_file(const struct rete_reader *r)
{
	return r->ev_name ? r->ev_name : r->name ? r->name : "";
}

size_t rete_reader_line(const struct rete_reader *r)
{
	return r->ev_line;
}

bool rete_reader_series_pos(const struct rete_reader *r, size_t *ret_idx, size_t *ret_n)
{
	if (!r->from_series)
		return false;
	if (ret_idx)
		*ret_idx = r->series_idx;
	if (ret_n)
		*ret_n = r->series_n;
	return true;
}

const char *rete_reader_take_note(struct rete_reader *r)
{
	if (!r->has_note)
		return NULL;
	r->has_note = false;
	return r->note;
}

size_t rete_reader_events(const struct rete_reader *r)
{
	return r->nevents;
}

size_t rete_reader_errors(const struct rete_reader *r)
{
	return r->nerrors;
}
