/*
 * JSON reader, first half: lines -> json-c objects (one reused tokener,
 * strict JSON, UTF-8 checked), single events and sorted series; sections
 * are read by json_sections.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "events/json.h"
#include "events/json_emit.h"
#include "events/json_priv.h"

/* Deep enough for any Retis section (ct, ovs) plus the series array. */
#define JSON_MAX_DEPTH 64

struct rete_json_reader {
	struct json_tokener *tok;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parse one line into a json-c tree; NULL with an error message on failure. */
static struct json_object *parse_line(struct json_tokener *tok, struct rete_json_rd *r,
				      const char *line, size_t len)
{
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t first, base = 0, bad;

	while (len && is_ws(line[len - 1]))
		len--;
	for (first = 0; first < len && is_ws(line[first]); first++)
		;
	if (first == len) {
		rete_json_fail(r, "empty line");
		return NULL;
	}
	if (len > INT_MAX) {
		rete_json_fail(r, "line too long (%zu bytes)", len);
		return NULL;
	}
	/* json-c lets some invalid sequences through (past U+10FFFF, surrogates). */
	bad = utf8_invalid_at(line, len);
	if (bad < len) {
		rete_json_fail(r, "invalid UTF-8 at byte %zu", bad);
		return NULL;
	}
	json_tokener_reset(tok);
	obj = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	/*
	 * A bare number or literal ("42", "null") only ends at a delimiter:
	 * hand json-c the terminating NUL so it reports what the line holds.
	 */
	if (jerr == json_tokener_continue && line[first] != '{' && line[first] != '[') {
		base = len;
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof) {
		rete_json_fail(r, "invalid JSON: unexpected end of input");
		goto out_put;
	}
	if (jerr != json_tokener_success) {
		rete_json_fail(r, "invalid JSON at byte %zu: %s",
			       base + json_tokener_get_parse_end(tok),
			       json_tokener_error_desc(jerr));
		goto out_put;
	}
	if (!base && json_tokener_get_parse_end(tok) < len) {
		rete_json_fail(r, "invalid JSON at byte %zu: unexpected data after the end of "
				  "the value",
			       json_tokener_get_parse_end(tok));
		goto out_put;
	}
	if (!obj)
		rete_json_fail(r, "expected a JSON object, got null");
	return obj;

out_put:
	json_object_put(obj);
	return NULL;
}

static void rd_init(struct rete_json_rd *r, struct rete_event *ev, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->ev = ev;
	r->err = err;
	r->errlen = errlen;
	r->path = "";
	if (err && errlen)
		err[0] = '\0';
}

static int reader_event(struct json_tokener *tok, struct rete_event *ev, const char *line,
			size_t len, char *err, size_t errlen)
{
	struct json_object *obj;
	struct rete_json_rd r;
	int rc;

	rd_init(&r, ev, err, errlen);
	rete_event_reset(ev);
	obj = parse_line(tok, &r, line, len);
	if (!obj)
		return -EINVAL;
	if (json_object_is_type(obj, json_type_array))
		rc = rete_json_fail(&r, "this line is a JSON array, i.e. a series from a sorted "
					"file (`sort -o`), not a single event");
	else if (!json_object_is_type(obj, json_type_object))
		rc = rete_json_fail(&r, "expected a JSON object, got %s",
				    rete_json_type_name(obj));
	else
		rc = rete_json_read_object(&r, obj);
	json_object_put(obj);
	return rc;
}

static int reader_series(struct json_tokener *tok, struct rete_event *ev, const char *line,
			 size_t len, rete_json_series_cb cb, void *arg, char *err, size_t errlen)
{
	struct json_object *arr;
	struct rete_json_rd r;
	size_t n;
	int rc = 0;

	rd_init(&r, ev, err, errlen);
	rete_event_reset(ev);
	arr = parse_line(tok, &r, line, len);
	if (!arr)
		return -EINVAL;
	if (json_object_is_type(arr, json_type_object)) {
		rc = rete_json_fail(&r, "this line is a single event object, not a series (a "
					"JSON array from a sorted file)");
		goto out_put;
	}
	if (!json_object_is_type(arr, json_type_array)) {
		rc = rete_json_fail(&r, "expected a JSON array of events, got %s",
				    rete_json_type_name(arr));
		goto out_put;
	}
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *obj = json_object_array_get_idx(arr, i);

		snprintf(r.prefix, sizeof(r.prefix), "event %zu: ", i);
		if (!obj || !json_object_is_type(obj, json_type_object)) {
			rc = rete_json_fail(&r, "expected a JSON object, got %s",
					    obj ? rete_json_type_name(obj) : "null");
			rete_event_reset(ev);
			break;
		}
		rc = rete_json_read_object(&r, obj);
		if (rc)
			break;
		rc = cb(ev, i, arg);
		if (rc)
			break;
	}
out_put:
	json_object_put(arr);
	return rc;
}

static struct json_tokener *tokener_new(void)
{
	struct json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);

	if (tok)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	return tok;
}

static int no_tokener(char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

int rete_json_read_event(struct rete_event *ev, const char *line, size_t len, char *err,
			 size_t errlen)
{
	struct json_tokener *tok = tokener_new();
	int rc;

	if (!tok) {
		rete_event_reset(ev);
		return no_tokener(err, errlen);
	}
	rc = reader_event(tok, ev, line, len, err, errlen);
	json_tokener_free(tok);
	return rc;
}

int rete_json_read_series(struct rete_event *ev, const char *line, size_t len,
			  rete_json_series_cb cb, void *arg, char *err, size_t errlen)
{
	struct json_tokener *tok = tokener_new();
	int rc;

	if (!tok) {
		rete_event_reset(ev);
		return no_tokener(err, errlen);
	}
	rc = reader_series(tok, ev, line, len, cb, arg, err, errlen);
	json_tokener_free(tok);
	return rc;
}

int rete_json_reader_new(struct rete_json_reader **ret)
{
	struct rete_json_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->tok = tokener_new();
	if (!r->tok) {
		free(r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

void rete_json_reader_free(struct rete_json_reader *r)
{
	if (!r)
		return;
	json_tokener_free(r->tok);
	free(r);
}

int rete_json_reader_event(struct rete_json_reader *r, struct rete_event *ev, const char *line,
			   size_t len, char *err, size_t errlen)
{
	return reader_event(r->tok, ev, line, len, err, errlen);
}

int rete_json_reader_series(struct rete_json_reader *r, struct rete_event *ev, const char *line,
			    size_t len, rete_json_series_cb cb, void *arg, char *err,
			    size_t errlen)
{
	return reader_series(r->tok, ev, line, len, cb, arg, err, errlen);
}
