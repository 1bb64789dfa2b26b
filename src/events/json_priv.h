/*
 * Private to the JSON reader: json_read.c (lines, tokener, series, reader
 * context) hands parsed json-c objects to json_sections.c (sections ->
 * struct rete_event).
 */
#ifndef RETE_EVENTS_JSON_PRIV_H
#define RETE_EVENTS_JSON_PRIV_H

#include <stddef.h>

#include <json-c/json.h>

#include "events/event.h"

/* Run state of reading one line: the event and where errors go. */
struct rete_json_rd {
	struct rete_event *ev;
	char *err;
	size_t errlen;
	char prefix[32];	/* "event 2: " inside a series */
	const char *sec;	/* section being read, for messages */
	const char *path;	/* sub-object of the section, "" or "meta." */
	/* Retis 1.5 nested skb parts, converted once all sections are read. */
	struct json_object *skb15_packet, *skb15_dev, *skb15_ns;
};

/* Write one sentence to r->err (prefix and section added); returns -EINVAL. */
int rete_json_fail(struct rete_json_rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "an integer", "a string", ... for messages. */
const char *rete_json_type_name(struct json_object *v);

/*
 * Fill r->ev from one event object: reset first, and reset again on error
 * (one sentence in r->err, -EINVAL or -ENOMEM).
 */
int rete_json_read_object(struct rete_json_rd *r, struct json_object *obj);

struct rete_fields;

/*
 * Read one object described by a field table (events/fields.h) into base;
 * -EINVAL with one sentence in r->err, naming fields after path ("dev.").
 */
int rete_fields_read(struct rete_json_rd *r, struct json_object *o, const struct rete_fields *t,
		     void *base, const char *path);

#endif
