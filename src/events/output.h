/*
 * Where events go: a JSON-lines file (optionally rotated by size) and/or
 * text on a stream.
 *
 * JSON files are created with mode 0600 and written in whole lines: when a
 * write fails (disk full, ...) the file is cut back to its last complete
 * line, and the error sticks (later events are not written).
 *
 * Rotation (Retis's --out-rotate, retis-events/src/file/rotate.rs): events
 * go to PATH.0, PATH.1, ...; a new file is started when the next line would
 * take the current one past the size limit (a file holds at least one event,
 * so an event larger than the limit gets a file of its own). Every file
 * starts with the startup event, carrying split_file {id, policy {kind:
 * size, limit}} and the time the file was started. With a count, only the
 * newest `count` files are kept: older ones are deleted as new ones start.
 */
#ifndef RETE_EVENTS_OUTPUT_H
#define RETE_EVENTS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "events/event.h"
#include "events/text.h"
#include "lib/strbuf.h"

/* A JSON-lines file, or a rotated set of them (output.c). */
struct rete_json_sink;

struct rete_output {
	struct rete_json_sink *json;	/* JSON lines, or NULL */
	FILE *text;		/* human text, or NULL */
	struct rete_text_opts text_opts;
	struct rete_strbuf sb;
	uint64_t events;	/* events written */
	int err;		/* first write error (-errno) */
	bool err_json;		/* err is the JSON file's (path names the file) */
	/* The JSON file being written, or the one the first error concerns (kept after close). */
	char path[4096];
};

struct rete_output_rotate {
	uint64_t size;		/* bytes per file (> 0) */
	uint32_t count;		/* files kept, newest first; 0 keeps them all */
};

/* Create (mode 0600, truncated) a JSON-lines file. */
int rete_output_open_json(struct rete_output *o, const char *path);
/*
 * Create PATH.0 (mode 0600, truncated) and rotate as described above. The
 * first startup event written becomes the head line of every file.
 */
int rete_output_open_rotate(struct rete_output *o, const char *path,
			    const struct rete_output_rotate *rot);
/* Write one event; startup events are not rendered as text unless text_startup. */
int rete_output_event(struct rete_output *o, const struct rete_event *ev, bool text_startup);
/* JSON files started so far (1 without rotation, 0 without JSON output). */
uint32_t rete_output_files(const struct rete_output *o);
/* Flush and close what this output opened; returns the first error. */
/* A record for the JSON file only (not printed, not counted as an event). */
int rete_output_json_record(struct rete_output *o, const struct rete_event *ev);
int rete_output_close(struct rete_output *o);

#endif
