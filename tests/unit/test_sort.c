/*
 * Series sorter: grouping by tracking id, order inside and across series,
 * out-of-order events, clones, untracked pass-through, --max-buffer
 * flushing order and splits, errors; then `rete sort -o` end to end against
 * Retis's sorted sample (structure) and on the packets sample.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "events/event.h"
#include "lib/strbuf.h"
#include "process/sort.h"

/* ---- harness: events are named by a letter (series) and a timestamp ------------ */

struct harness {
	struct rete_strbuf log;	/* "A:10,20|U:12|" as series come out */
	uint64_t fail_ts;	/* encode fails for this timestamp (0 = never) */
	int emit_rc;		/* emit returns this after logging */
	size_t moved;		/* items whose final index differs from the encoded one */
	uint64_t last_skb;
};

static struct harness H;

static int setup(void **state)
{
	memset(&H, 0, sizeof(H));
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	rete_strbuf_free(&H.log);
	(void)state;
	return 0;
}

/* Series letter: tracking orig_head 0xA0 + n, or none for 'U'. */
static void mk(struct rete_event *ev, char series, uint64_t ts, uint64_t skb)
{
	memset(ev, 0, sizeof(*ev));
	rete_event_set(ev, RETE_SEC_COMMON);
	ev->common.timestamp = ts;
	if (series == 'U')
		return;
	rete_event_set(ev, RETE_SEC_SKB_TRACKING);
	ev->skb_tracking.orig_head = 0xA0 + (uint64_t)(series - 'A');
	ev->skb_tracking.timestamp = 1000 + (uint64_t)(series - 'A');
	ev->skb_tracking.skb = skb;
}

static int enc(const struct rete_event *ev, const struct rete_sort_pos *pos,
	       struct rete_strbuf *out, void *arg)
{
	(void)arg;
	if (H.fail_ts && ev->common.timestamp == H.fail_ts)
		return -EIO;
	H.last_skb = pos->skb;
	return rete_strbuf_addf(out, "%" PRIu64, ev->common.timestamp);
}

static int emit(const struct rete_sort_series *s, void *arg)
{
	(void)arg;
	rete_strbuf_addf(&H.log, "%c:", s->tracked ? (char)('A' + s->id.orig_head - 0xA0) : 'U');
	for (size_t i = 0; i < s->n; i++) {
		rete_strbuf_addf(&H.log, "%s%.*s", i ? "," : "", (int)s->items[i].len,
				 s->items[i].data);
		if (s->items[i].idx_at_add != i)
			H.moved++;
		if (i)
			assert_true(s->items[i - 1].timestamp <= s->items[i].timestamp);
	}
	rete_strbuf_addc(&H.log, '|');
	return H.emit_rc;
}

static struct rete_sorter *new_sorter(size_t max_buffer, size_t max_events)
{
	struct rete_sort_cfg cfg = {
		.max_buffer = max_buffer,
		.max_events = max_events,
		.encode = enc,
		.emit = emit,
	};
	struct rete_sorter *s;

	assert_int_equal(rete_sorter_new(&cfg, &s), 0);
	return s;
}

static void add(struct rete_sorter *s, char series, uint64_t ts)
{
	struct rete_event ev;

	mk(&ev, series, ts, 0x100 + ts);
	assert_int_equal(rete_sorter_add(s, &ev), 0);
}

static void expect(const char *log)
{
	assert_string_equal(rete_strbuf_str(&H.log), log);
}

/* ---- sorter ------------------------------------------------------------------------- */

static void test_event_id(void **state)
{
	struct rete_event ev;
	struct rete_sort_id id;
	uint64_t skb;

	mk(&ev, 'U', 1, 0);
	assert_false(rete_sort_event_id(&ev, &id, &skb));
	mk(&ev, 'B', 1, 0x55);
	assert_true(rete_sort_event_id(&ev, &id, &skb));
	assert_int_equal(id.orig_head, 0xA1);
	assert_int_equal(id.timestamp, 1001);
	assert_int_equal(skb, 0x55);
	/* A sorted file's tracking section (no skb-tracking) is an id too. */
	memset(&ev, 0, sizeof(ev));
	rete_event_set(&ev, RETE_SEC_TRACKING);
	ev.tracking.orig_head = 7;
	ev.tracking.timestamp = 8;
	ev.tracking.skb = 9;
	assert_true(rete_sort_event_id(&ev, &id, &skb));
	assert_int_equal(id.orig_head, 7);
	assert_int_equal(skb, 9);
	(void)state;
}

static void test_grouping(void **state)
{
	struct rete_sorter *s = new_sorter(0, 0);
	struct rete_sort_stats st;

	add(s, 'A', 10);
	add(s, 'B', 15);
	add(s, 'A', 20);
	add(s, 'U', 12);
	add(s, 'B', 25);
	add(s, 'A', 30);
	expect("");	/* unbounded: nothing comes out before the end */
	assert_int_equal(rete_sorter_flush(s), 0);
	expect("A:10,20,30|U:12|B:15,25|");
	rete_sorter_stats(s, &st);
	assert_int_equal(st.events, 6);
	assert_int_equal(st.series, 2);
	assert_int_equal(st.untracked, 1);
	assert_int_equal(st.early, 0);
	assert_int_equal(st.peak, 3);
	assert_int_equal(H.moved, 0);
	rete_sorter_free(s);
	(void)state;
}

/* Older events arriving late take their place; the series moves up. */
static void test_out_of_order(void **state)
{
	struct rete_sorter *s = new_sorter(0, 0);

	add(s, 'A', 20);
	add(s, 'B', 15);
	add(s, 'A', 30);
	add(s, 'A', 10);
	add(s, 'A', 25);
	assert_int_equal(rete_sorter_flush(s), 0);
	expect("A:10,20,25,30|B:15|");
	/* 20 and 30 were encoded as idx 0 and 1, 10 as 0 and 25 as 2: 20 and 30 moved. */
	assert_int_equal(H.moved, 2);
	rete_sorter_free(s);
	(void)state;
}

static void test_equal_timestamps_stable(void **state)
{
	struct rete_sorter *s = new_sorter(0, 0);
	struct rete_event ev;

	mk(&ev, 'A', 5, 1);
	assert_int_equal(rete_sorter_add(s, &ev), 0);
	mk(&ev, 'A', 5, 2);
	assert_int_equal(rete_sorter_add(s, &ev), 0);
	add(s, 'U', 5);
	add(s, 'B', 5);
	assert_int_equal(rete_sorter_flush(s), 0);
	expect("A:5,5|U:5|B:5|");	/* ties: arrival order */
	assert_int_equal(H.moved, 0);
	rete_sorter_free(s);
	(void)state;
}

/* Clones share the original's tracking id: one series, told apart by skb. */
static void test_clones(void **state)
{
	struct rete_sorter *s = new_sorter(0, 0);
	struct rete_event ev;

	mk(&ev, 'A', 10, 0xaaa);
	assert_int_equal(rete_sorter_add(s, &ev), 0);
	assert_int_equal(H.last_skb, 0xaaa);
	mk(&ev, 'A', 11, 0xbbb);	/* the clone */
	assert_int_equal(rete_sorter_add(s, &ev), 0);
	assert_int_equal(H.last_skb, 0xbbb);
	mk(&ev, 'A', 12, 0xaaa);
	assert_int_equal(rete_sorter_add(s, &ev), 0);
	assert_int_equal(rete_sorter_flush(s), 0);
	expect("A:10,11,12|");
	rete_sorter_free(s);
	(void)state;
}

static void test_untracked_time_order(void **state)
{
	struct rete_sorter *s = new_sorter(0, 0);

	add(s, 'U', 30);
	add(s, 'U', 10);
	add(s, 'A', 15);
	add(s, 'U', 20);
	add(s, 'U', 20);
	assert_int_equal(rete_sorter_flush(s), 0);
	expect("U:10|A:15|U:20|U:20|U:30|");
	rete_sorter_free(s);
	(void)state;
}

/* Over --max-buffer, the oldest series or untracked event goes first. */
static void test_max_buffer_order(void **state)
{
	struct rete_sorter *s = new_sorter(2, 0);
	struct rete_sort_stats st;

	add(s, 'A', 1);
	add(s, 'B', 2);
	expect("");
	add(s, 'B', 5);		/* same series: still 2 in flight */
	expect("");
	add(s, 'C', 3);
	expect("A:1|");
	add(s, 'U', 0);		/* older than every series in flight: out first */
	expect("A:1|U:0|");
	add(s, 'A', 4);		/* A again: a new series, split from the first */
	expect("A:1|U:0|B:2,5|");
	assert_int_equal(rete_sorter_flush(s), 0);
	expect("A:1|U:0|B:2,5|C:3|A:4|");
	rete_sorter_stats(s, &st);
	assert_int_equal(st.early, 2);
	assert_int_equal(st.split, 1);
	assert_int_equal(st.peak, 3);
	rete_sorter_free(s);
	(void)state;
}

/* A series outgrowing the event bound is handed out early. */
static void test_max_events(void **state)
{
	struct rete_sorter *s = new_sorter(10, 3);
	struct rete_sort_stats st;

	add(s, 'A', 1);
	add(s, 'B', 2);
	add(s, 'A', 3);
	expect("");
	add(s, 'A', 4);
	expect("A:1,3,4|");
	assert_int_equal(rete_sorter_flush(s), 0);
	expect("A:1,3,4|B:2|");
	rete_sorter_stats(s, &st);
	assert_int_equal(st.early, 1);
	rete_sorter_free(s);
	(void)state;
}

/* Default event bound: RETE_SORT_EVENTS_PER_SLOT per series slot. */
static void test_default_event_bound(void **state)
{
	struct rete_sorter *s = new_sorter(1, 0);

	for (uint64_t ts = 1; ts <= RETE_SORT_EVENTS_PER_SLOT; ts++)
		add(s, 'A', ts);
	expect("");
	add(s, 'A', 1000);
	assert_non_null(strstr(rete_strbuf_str(&H.log), ",1000|"));
	rete_sorter_free(s);
	(void)state;
}

/* A failed encode leaves nothing behind; emit errors stop and are returned. */
static void test_errors(void **state)
{
	struct rete_sorter *s = new_sorter(0, 0);
	struct rete_sort_cfg bad = { 0 };
	struct rete_sorter *none = NULL;
	struct rete_event ev;

	assert_int_equal(rete_sorter_new(&bad, &none), -EINVAL);
	add(s, 'A', 1);
	H.fail_ts = 2;
	mk(&ev, 'B', 2, 0);
	assert_int_equal(rete_sorter_add(s, &ev), -EIO);	/* fresh series dropped */
	mk(&ev, 'A', 2, 0);
	assert_int_equal(rete_sorter_add(s, &ev), -EIO);	/* existing one kept */
	H.fail_ts = 0;
	add(s, 'C', 3);
	H.emit_rc = -EPIPE;
	assert_int_equal(rete_sorter_flush(s), -EPIPE);
	expect("A:1|");
	H.emit_rc = 0;
	assert_int_equal(rete_sorter_flush(s), 0);
	expect("A:1|C:3|");
	rete_sorter_free(s);
	(void)state;
}

/* Freeing with series in flight releases them (checked under ASan). */
static void test_free_in_flight(void **state)
{
	struct rete_sorter *s = new_sorter(0, 0);

	for (uint64_t i = 0; i < 1000; i++)
		add(s, (char)('A' + i % 20), i);
	add(s, 'U', 1);
	rete_sorter_free(s);
	rete_sorter_free(NULL);
	(void)state;
}

/* Many series: hash growth, heap order. */
static void test_many_series(void **state)
{
	struct rete_sorter *s = new_sorter(0, 0);
	struct rete_sort_stats st;
	struct rete_event ev;

	for (uint64_t i = 0; i < 5000; i++) {
		mk(&ev, 'A', 100000 - i, 0);
		ev.skb_tracking.orig_head = i;	/* one series per event, newest first */
		assert_int_equal(rete_sorter_add(s, &ev), 0);
	}
	assert_int_equal(rete_sorter_flush(s), 0);
	rete_sorter_stats(s, &st);
	assert_int_equal(st.series, 5000);
	/* First out: the oldest (timestamp 95001). */
	assert_memory_equal(rete_strbuf_str(&H.log) + 2, "95001|", 6);
	rete_sorter_free(s);
	(void)state;
}

/* ---- rete sort -o, end to end ------------------------------------------------------------ */

static const char *ref_dir(void)
{
	static char buf[512];
	const char *shared = getenv("RETE_SHARED");

	snprintf(buf, sizeof(buf), "%s/reference/retis-events",
		 shared && *shared ? shared : "../shared");
	return buf;
}

static char *ref_file(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", ref_dir(), name) > 0);
	if (access(p, R_OK)) {
		print_message("skipping: %s not found (set RETE_SHARED)\n", p);
		free(p);
		return NULL;
	}
	return p;
}

static int run_sort(const char *in, const char *out, const char *max_buffer)
{
	struct rete_global g = { 0 };
	char *argv[8];
	int argc = 0;

	argv[argc++] = (char *)"sort";
	argv[argc++] = (char *)"-o";
	argv[argc++] = (char *)out;
	if (max_buffer) {
		argv[argc++] = (char *)"--max-buffer";
		argv[argc++] = (char *)max_buffer;
	}
	argv[argc++] = (char *)in;
	argv[argc] = NULL;
	return rete_cmd_sort(&g, argc, argv);
}

/* Lines of a file as JSON values. */
static struct json_object **load_lines(const char *path, size_t *ret_n)
{
	struct json_object **v = NULL;
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0;

	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		v = realloc(v, (n + 1) * sizeof(*v));
		assert_non_null(v);
		v[n] = json_tokener_parse(line);
		if (!v[n])
			fail_msg("%s:%zu is not JSON", path, n + 1);
		n++;
	}
	free(line);
	fclose(f);
	*ret_n = n;
	return v;
}

static void free_lines(struct json_object **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_object_put(v[i]);
	free(v);
}

/*
 * Same structure as Retis's output: the same series (lines) of the same
 * events, each with the same section names and, except "skb", the same
 * content. Retis 1.6 empties the pre-1.5 flat "skb" section of this old
 * file ("skb":{}) while rete keeps it whole: only its content may differ.
 */
static void assert_same_structure(struct json_object *want, struct json_object *got)
{
	size_t n = json_object_array_length(want);

	assert_true(json_object_is_type(got, json_type_array));
	assert_int_equal(json_object_array_length(got), n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *w = json_object_array_get_idx(want, i);
		struct json_object *g = json_object_array_get_idx(got, i), *gv;

		assert_int_equal(json_object_object_length(w), json_object_object_length(g));
		json_object_object_foreach(w, key, wv)
		{
			if (!json_object_object_get_ex(g, key, &gv))
				fail_msg("event %zu: section %s missing", i, key);
			if (!strcmp(key, "skb")) {
				assert_true(json_object_is_type(gv, json_type_object));
				continue;
			}
			if (!json_object_equal(wv, gv))
				fail_msg("event %zu: section %s differs: %s vs %s", i, key,
					 json_object_to_json_string(wv),
					 json_object_to_json_string(gv));
		}
	}
}

static void test_sort_o_matches_retis(void **state)
{
	char *in = ref_file("test_events.json"), *want = ref_file("test_events_sorted.json");
	char out[] = "/tmp/rete-sort-XXXXXX";
	struct json_object **w, **g;
	size_t nw, ng;
	int fd;

	if (!in || !want) {
		free(in);
		free(want);
		skip();
	}
	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(run_sort(in, out, NULL), RETE_EXIT_OK);
	w = load_lines(want, &nw);
	g = load_lines(out, &ng);
	assert_int_equal(ng, nw);
	for (size_t i = 0; i < nw; i++)
		assert_same_structure(w[i], g[i]);
	free_lines(w, nw);
	free_lines(g, ng);
	unlink(out);
	free(in);
	free(want);
	(void)state;
}

/* Every event once; each line one tracking id with idx 0..n-1; lines by first timestamp. */
static void check_sorted_packets(const char *out, size_t want_events, bool ordered)
{
	struct json_object **g;
	uint64_t prev_first = 0;
	size_t ng, events = 0;

	g = load_lines(out, &ng);
	for (size_t i = 0; i < ng; i++) {
		size_t n = json_object_array_length(g[i]);
		struct json_object *first_track = NULL, *o, *t, *sk;

		for (size_t k = 0; k < n; k++) {
			struct json_object *ev = json_object_array_get_idx(g[i], k), *c, *ts;
			uint64_t when;

			assert_true(json_object_object_get_ex(ev, "common", &c));
			assert_true(json_object_object_get_ex(c, "timestamp", &ts));
			when = json_object_get_uint64(ts);
			if (k == 0) {
				if (ordered)
					assert_true(when >= prev_first);
				prev_first = when;
			}
			events++;
			if (!json_object_object_get_ex(ev, "tracking", &t))
				continue;
			assert_true(json_object_object_get_ex(t, "idx", &o));
			assert_int_equal(json_object_get_int64(o), k);
			assert_true(json_object_object_get_ex(t, "skb", &sk));
			if (!first_track)
				first_track = sk;
			assert_true(json_object_object_get_ex(sk, "orig_head", &o));
			assert_true(json_object_equal(o, json_object_object_get(first_track,
										"orig_head")));
		}
	}
	assert_int_equal(events, want_events);
	free_lines(g, ng);
}

static void test_sort_o_packets(void **state)
{
	char *in = ref_file("test_events_packets.json");
	char out[] = "/tmp/rete-sort-XXXXXX";
	int fd;

	if (!in)
		skip();
	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(run_sort(in, out, NULL), RETE_EXIT_OK);
	check_sorted_packets(out, 27, true);
	/* A buffer of one series: still every event, series maybe split. */
	assert_int_equal(run_sort(in, out, "1"), RETE_EXIT_OK);
	check_sorted_packets(out, 27, false);
	unlink(out);
	free(in);
	(void)state;
}

static void test_sort_in_place_refused(void **state)
{
	char path[] = "/tmp/rete-sort-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("{\"common\":{\"timestamp\":1}}\n", f);
	fclose(f);
	assert_int_equal(run_sort(path, path, NULL), RETE_EXIT_USAGE);
	/* The input is untouched. */
	f = fopen(path, "r");
	assert_int_equal(fgetc(f), '{');
	fclose(f);
	unlink(path);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_event_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grouping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_equal_timestamps_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untracked_time_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_buffer_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_event_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_series, setup, teardown),
		cmocka_unit_test(test_sort_o_matches_retis),
		cmocka_unit_test(test_sort_o_packets),
		cmocka_unit_test(test_sort_in_place_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
