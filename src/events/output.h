/* Where events go: a JSON-lines file and/or text on a stream. */
#ifndef RETE_EVENTS_OUTPUT_H
#define RETE_EVENTS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "events/event.h"
#include "events/text.h"
#include "lib/strbuf.h"

struct rete_output {
	FILE *json;		/* JSON lines, or NULL */
	FILE *text;		/* human text, or NULL */
	struct rete_text_opts text_opts;
	struct rete_strbuf sb;
	uint64_t events;	/* events written */
	int err;		/* first write error (-errno) */
};

/* Create (mode 0600, truncated) a JSON-lines file with a large buffer. */
int rete_output_open_json(struct rete_output *o, const char *path);
/* Write one event; startup events are not rendered as text unless text_startup. */
int rete_output_event(struct rete_output *o, const struct rete_event *ev, bool text_startup);
/* Flush and close what this output opened; returns the first error. */
int rete_output_close(struct rete_output *o);

#endif
