/*
 * libFuzzer harness: one line of an event file, through the JSON reader
 * (events and sorted series), then what rete would do with it: write it
 * back (the writer asserts its size bound), read that again (what rete
 * writes, it must read), write again (same text), and print it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "events/json.h"
#include "events/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rete_event ev, ev2;

static void check_event(const struct rete_event *e)
{
	struct rete_strbuf a = RETE_STRBUF_INIT, b = RETE_STRBUF_INIT, t = RETE_STRBUF_INIT;
	struct rete_text_opts ml = { 0 }, sl = { .single_line = true, .link_layer = true };
	char err[256];

	if (rete_json_write_event(e, &a) == 0) {
		if (rete_json_read_event(&ev2, a.buf, a.len, err, sizeof(err)))
			abort();	/* rete cannot read what it wrote */
		if (rete_json_write_event(&ev2, &b) || strcmp(a.buf, b.buf))
			abort();	/* not stable */
	}
	rete_text_event(e, &ml, &t);
	rete_text_event(e, &sl, &t);
	rete_strbuf_free(&a);
	rete_strbuf_free(&b);
	rete_strbuf_free(&t);
}

static int series_cb(struct rete_event *e, size_t idx, void *arg)
{
	check_event(e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (!rete_json_read_event(&ev, (const char *)data, size, err, sizeof(err)))
		check_event(&ev);
	rete_json_read_series(&ev, (const char *)data, size, series_cb, NULL, err, sizeof(err));
	return 0;
}
