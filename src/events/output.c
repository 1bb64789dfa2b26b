#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "events/json.h"
#include "events/output.h"

#define JSON_BUF (1 << 20)

struct rete_json_sink {
	int fd;
	int err;		/* first JSON error: nothing more is written after it */
	char *buf;		/* pending whole lines */
	size_t len;
	uint64_t size;		/* bytes of the current file, pending ones included */
	uint64_t events;	/* non-startup events in the current file */
	uint32_t files;		/* files started */
	/* Rotation. */
	bool rotate;
	struct rete_output_rotate rot;
	char *base;
	uint32_t index;		/* suffix of the current file */
	bool has_head;		/* head: the startup event every file starts with */
	struct rete_event head;
	struct rete_strbuf line;
};

static void set_path(struct rete_output *o, const char *path)
{
	/* Once a JSON error is recorded, the path names the file it concerns. */
	if (!o->json || !o->json->err)
		snprintf(o->path, sizeof(o->path), "%s", path);
}

static int create_file(struct rete_output *o, const char *path)
{
	struct rete_json_sink *s = o->json;
	int fd;

	set_path(o, path);
	if (strlen(path) >= sizeof(o->path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* The file holds packet data: keep it private even if it existed before. */
	if (fchmod(fd, 0600)) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	s->fd = fd;
	s->size = 0;
	s->events = 0;
	s->files++;
	return 0;
}

/*
 * Write whole lines. On failure the file is cut back to its last complete
 * line, so a reader never sees half an event.
 */
static int write_lines(struct rete_json_sink *s, const char *p, size_t n, uint64_t at)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(s->fd, p + done, n - done);
		int rc;

		if (w < 0 && errno == EINTR)
			continue;
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		rc = w < 0 ? -errno : -EIO;
		while (done && p[done - 1] != '\n')
			done--;
		if (ftruncate(s->fd, (off_t)(at + done))) {
			/* Nothing better to do: the write error is what gets reported. */
		}
		return rc;
	}
	return 0;
}

static int sink_flush(struct rete_json_sink *s)
{
	int rc;

	if (!s->len)
		return 0;
	rc = write_lines(s, s->buf, s->len, s->size - s->len);
	s->len = 0;
	return rc;
}

static int sink_add(struct rete_json_sink *s, const char *p, size_t n)
{
	int rc;

	if (s->len + n > JSON_BUF) {
		rc = sink_flush(s);
		if (rc)
			return rc;
	}
	if (n > JSON_BUF) {
		rc = write_lines(s, p, n, s->size);
		if (!rc)
			s->size += n;
		return rc;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->size += n;
	return 0;
}

static int sink_new(struct rete_output *o)
{
	struct rete_json_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->buf = malloc(JSON_BUF);
	if (!s->buf) {
		free(s);
		return -ENOMEM;
	}
	o->json = s;
	return 0;
}

static void sink_free(struct rete_output *o)
{
	struct rete_json_sink *s = o->json;

	if (!s)
		return;
	free(s->buf);
	free(s->base);
	rete_event_free(&s->head);
	rete_strbuf_free(&s->line);
	free(s);
	o->json = NULL;
}

static int sink_close(struct rete_output *o)
{
	struct rete_json_sink *s = o->json;
	int rc = 0;

	if (s->fd < 0)
		return 0;
	rc = sink_flush(s);
	if (close(s->fd) && !rc)
		rc = -errno;
	s->fd = -1;
	return rc;
}

int rete_output_open_json(struct rete_output *o, const char *path)
{
	int rc = sink_new(o);

	if (!rc)
		rc = create_file(o, path);
	if (rc)
		sink_free(o);
	return rc;
}

/* PATH.N, in the caller's buffer. */
static int rotated_path(const struct rete_json_sink *s, uint32_t n, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s.%u", s->base, n) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int rete_output_open_rotate(struct rete_output *o, const char *path,
			    const struct rete_output_rotate *rot)
{
	char first[sizeof(o->path)];
	int rc;

	if (!rot->size)
		return -EINVAL;
	rc = sink_new(o);
	if (rc)
		return rc;
	o->json->rotate = true;
	o->json->rot = *rot;
	o->json->base = strdup(path);
	if (!o->json->base)
		rc = -ENOMEM;
	if (!rc)
		rc = rotated_path(o->json, 0, first, sizeof(first));
	if (!rc)
		rc = create_file(o, first);
	if (rc)
		sink_free(o);
	return rc;
}

uint32_t rete_output_files(const struct rete_output *o)
{
	return o->json ? o->json->files : 0;
}

static int add_event_line(struct rete_json_sink *s, const struct rete_event *ev,
			  struct rete_strbuf *sb)
{
	int rc;

	rete_strbuf_reset(sb);
	rc = rete_json_write_event(ev, sb);
	if (!rc)
		rc = rete_strbuf_addc(sb, '\n');
	return rc ? rc : sink_add(s, sb->buf, sb->len);
}

/* Remember the startup event: every rotated file starts with it. */
static int set_head(struct rete_json_sink *s, const struct rete_event *ev)
{
	int rc;

	rete_event_reset(&s->head);
	rc = rete_event_copy(&s->head, ev);
	if (rc)
		return rc;
	s->head.startup.has_split = true;
	s->head.startup.split_id = s->index;
	s->head.startup.split_limit = s->rot.size;
	s->has_head = true;
	return 0;
}

static int rotate(struct rete_output *o)
{
	struct rete_json_sink *s = o->json;
	char path[sizeof(o->path)];
	struct timespec now;
	int rc;

	rc = sink_close(o);
	if (rc)
		return rc;
	if (s->index == UINT32_MAX)
		return -EOVERFLOW;
	s->index++;
	rc = rotated_path(s, s->index, path, sizeof(path));
	if (!rc)
		rc = create_file(o, path);
	if (rc)
		return rc;
	if (s->has_head) {
		/* As Retis: the startup line of each file says when that file was started. */
		if (!clock_gettime(CLOCK_MONOTONIC, &now))
			s->head.common.timestamp =
				(uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
		s->head.startup.split_id = s->index;
		rc = add_event_line(s, &s->head, &s->line);
		if (rc)
			return rc;
	}
	if (s->rot.count && s->index >= s->rot.count) {
		rc = rotated_path(s, s->index - s->rot.count, path, sizeof(path));
		if (!rc && unlink(path) && errno != ENOENT) {
			rc = -errno;
			set_path(o, path);
		}
	}
	return rc;
}

static int json_event(struct rete_output *o, const struct rete_event *ev, bool startup)
{
	struct rete_json_sink *s = o->json;
	int rc;

	if (startup && s->rotate) {
		rc = set_head(s, ev);
		if (rc)
			return rc;
		ev = &s->head;
	}
	rete_strbuf_reset(&o->sb);
	rc = rete_json_write_event(ev, &o->sb);
	if (!rc)
		rc = rete_strbuf_addc(&o->sb, '\n');
	if (rc)
		return rc;
	if (!startup && s->rotate && s->events && s->size + o->sb.len > s->rot.size) {
		rc = rotate(o);
		if (rc)
			return rc;
	}
	rc = sink_add(s, o->sb.buf, o->sb.len);
	if (!rc && !startup)
		s->events++;
	return rc;
}

static void note_err(struct rete_output *o, int rc)
{
	if (rc && !o->err)
		o->err = rc;
}

int rete_output_event(struct rete_output *o, const struct rete_event *ev, bool text_startup)
{
	bool startup = rete_event_has(ev, RETE_SEC_STARTUP);
	int rc;

	/* After a write error the file ends with a whole line: leave it so. */
	if (o->json && !o->json->err) {
		o->json->err = json_event(o, ev, startup);
		if (o->json->err && !o->err)
			o->err_json = true;
		note_err(o, o->json->err);
	}
	if (startup) {
		o->text_opts.has_mono_offset = true;
		o->text_opts.mono_offset_sec = ev->startup.mono_offset_sec;
		o->text_opts.mono_offset_nsec = ev->startup.mono_offset_nsec;
	}
	if (o->text && (!startup || text_startup)) {
		rete_strbuf_reset(&o->sb);
		rc = rete_text_event(ev, &o->text_opts, &o->sb);
		if (!rc)
			rc = rete_strbuf_adds(&o->sb, o->text_opts.single_line ? "\n" : "\n\n");
		if (!rc && fwrite(o->sb.buf, 1, o->sb.len, o->text) != o->sb.len)
			rc = -EIO;
		note_err(o, rc);
	}
	if (!startup)
		o->events++;
	return o->err;
}

int rete_output_json_record(struct rete_output *o, const struct rete_event *ev)
{
	if (o->json && !o->json->err) {
		o->json->err = json_event(o, ev, false);
		if (o->json->err && !o->err)
			o->err_json = true;
		note_err(o, o->json->err);
	}
	return o->err;
}

int rete_output_close(struct rete_output *o)
{
	if (o->json) {
		if (!o->json->err) {
			o->json->err = sink_close(o);
			if (o->json->err && !o->err)
				o->err_json = true;
			note_err(o, o->json->err);
		}
		else if (o->json->fd >= 0)
			close(o->json->fd);
		sink_free(o);
	}
	if (o->text && fflush(o->text))
		note_err(o, -errno);
	rete_strbuf_free(&o->sb);
	return o->err;
}
