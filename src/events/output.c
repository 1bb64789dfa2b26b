#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/json.h"
#include "events/output.h"

#define JSON_BUF (1 << 20)

int rete_output_open_json(struct rete_output *o, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	/* The file holds packet data: keep it private even if it existed before. */
	if (fchmod(fd, 0600)) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	o->json = fdopen(fd, "w");
	if (!o->json) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	setvbuf(o->json, NULL, _IOFBF, JSON_BUF);
	return 0;
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

	if (o->json) {
		rete_strbuf_reset(&o->sb);
		rc = rete_json_write_event(ev, &o->sb);
		if (!rc)
			rc = rete_strbuf_addc(&o->sb, '\n');
		if (!rc && fwrite(o->sb.buf, 1, o->sb.len, o->json) != o->sb.len)
			rc = -errno ? -errno : -EIO;
		note_err(o, rc);
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

int rete_output_close(struct rete_output *o)
{
	if (o->json) {
		if (fclose(o->json))
			note_err(o, -errno);
		o->json = NULL;
	}
	if (o->text && fflush(o->text))
		note_err(o, -errno);
	rete_strbuf_free(&o->sb);
	return o->err;
}
