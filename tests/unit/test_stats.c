/*
 * Event statistics: counts on Retis's packets sample, lost sections (and
 * "not recorded" without them), table bounds, and distinct tracking ids
 * counted exactly then estimated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/event.h"
#include "events/json.h"
#include "events/reader.h"
#include "process/stats.h"

static char err[512];

static void add_line(struct rete_stats *s, const char *line)
{
	struct rete_event ev = { 0 };

	if (rete_json_read_event(&ev, line, strlen(line), err, sizeof(err)))
		fail_msg("%s: %s", line, err);
	assert_int_equal(rete_stats_add(s, &ev), 0);
	rete_event_free(&ev);
}

static uint64_t row_count(struct rete_stats *s, enum rete_stats_table t, const char *key,
			  size_t *ret_n)
{
	struct rete_stats_row *rows;
	uint64_t found = 0, other;
	size_t n;

	assert_int_equal(rete_stats_rows(s, t, &rows, &n, &other), 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(rows[i - 1].count >= rows[i].count);
		if (key && !strcmp(rows[i].key, key))
			found = rows[i].count;
	}
	if (ret_n)
		*ret_n = n;
	free(rows);
	return found;
}

static void test_empty(void **state)
{
	struct rete_stats *s;
	struct rete_stats_summary sum;
	size_t n;

	assert_int_equal(rete_stats_new(&s), 0);
	rete_stats_summary(s, &sum);
	assert_int_equal(sum.events, 0);
	assert_false(sum.has_ts);
	assert_false(sum.lost_recorded);
	assert_int_equal(sum.packets, 0);
	row_count(s, RETE_STATS_PROBES, NULL, &n);
	assert_int_equal(n, 0);
	assert_int_equal(rete_stats_rows(s, RETE_STATS_TABLE_MAX, NULL, &n, NULL), -EINVAL);
	rete_stats_free(s);
	rete_stats_free(NULL);
	(void)state;
}

static void test_packets_sample(void **state)
{
	const char *shared = getenv("RETE_SHARED");
	struct rete_stats_summary sum;
	struct rete_stats_row *rows;
	struct rete_event ev = { 0 };
	struct rete_reader *r;
	struct rete_stats *s;
	const char *specs[1];
	char *path;
	size_t n;
	int rc;

	assert_true(asprintf(&path, "%s/reference/retis-events/test_events_packets.json",
			     shared && *shared ? shared : "../shared") > 0);
	if (access(path, R_OK)) {
		print_message("skipping: %s not found (set RETE_SHARED)\n", path);
		free(path);
		skip();
	}
	specs[0] = path;
	assert_int_equal(rete_reader_open(specs, 1, &r, err, sizeof(err)), 0);
	assert_int_equal(rete_stats_new(&s), 0);
	while ((rc = rete_reader_next(r, &ev, err, sizeof(err))) == 1)
		assert_int_equal(rete_stats_add(s, &ev), 0);
	assert_int_equal(rc, 0);
	rete_stats_summary(s, &sum);
	assert_int_equal(sum.events, 26);
	assert_int_equal(sum.startups, 1);
	assert_string_equal(sum.version, "v1.6.0");
	assert_true(sum.has_offset);
	assert_int_equal(sum.offset_sec, 1742309146);
	assert_int_equal(sum.first_ts, 30419169061793ULL);
	assert_int_equal(sum.last_ts, 30420178673616ULL);
	assert_int_equal(sum.tracked, 26);
	assert_int_equal(sum.packets, 6);
	assert_false(sum.packets_estimated);
	assert_int_equal(sum.with_packet, 26);
	assert_int_equal(sum.drops, 2);
	assert_false(sum.lost_recorded);

	assert_int_equal(
		row_count(s, RETE_STATS_PROBES, "raw_tracepoint/net:netif_receive_skb", &n), 8);
	assert_int_equal(row_count(s, RETE_STATS_PROBES, "kretprobe/ovs_dp_upcall", NULL), 2);
	assert_int_equal(n, 6);
	assert_int_equal(row_count(s, RETE_STATS_DROPS, "NO_SOCKET", &n), 2);
	assert_int_equal(n, 1);
	assert_int_equal(row_count(s, RETE_STATS_DEVICES, "veth-ns01-ovs", &n), 8);
	assert_int_equal(n, 4);

	assert_int_equal(rete_stats_rows(s, RETE_STATS_NETNS, &rows, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].inum, 4026531840u);
	assert_int_equal(rows[0].count, 16);
	assert_true(rows[0].has_cookie);
	assert_int_equal(rows[0].cookie, 1);
	free(rows);
	assert_int_equal(rete_stats_rows(s, RETE_STATS_DEVICES, &rows, &n, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		assert_true(rows[i].has_inum);
		if (!strcmp(rows[i].key, "veth-ns01"))
			assert_int_equal(rows[i].ifindex, 11);
	}
	free(rows);

	rete_stats_free(s);
	rete_event_free(&ev);
	rete_reader_free(r);
	free(path);
	(void)state;
}

static void test_lost(void **state)
{
	struct rete_stats_summary sum;
	struct rete_stats *s;

	assert_int_equal(rete_stats_new(&s), 0);
	add_line(s, "{\"common\":{\"timestamp\":5},\"kernel\":{\"symbol\":\"a\",\"probe_type\":"
		    "\"kprobe\"}}");
	add_line(s, "{\"common\":{\"timestamp\":9},\"lost\":{\"total\":7,\"probes\":"
		    "{\"kprobe/a\":4,\"raw_tracepoint/b:c\":3}}}");
	add_line(s, "{\"lost\":{\"total\":1,\"probes\":{\"kprobe/a\":1}}}");
	rete_stats_summary(s, &sum);
	assert_true(sum.lost_recorded);
	assert_int_equal(sum.lost, 8);
	assert_int_equal(sum.events, 1);	/* lost lines are not events */
	assert_int_equal(sum.last_ts, 5);
	assert_int_equal(row_count(s, RETE_STATS_LOST, "kprobe/a", NULL), 5);
	assert_int_equal(row_count(s, RETE_STATS_LOST, "raw_tracepoint/b:c", NULL), 3);
	rete_stats_free(s);
	(void)state;
}

/* Events without kernel section, userspace probes, subsystem drop reasons. */
static void test_probe_names(void **state)
{
	struct rete_stats *s;

	assert_int_equal(rete_stats_new(&s), 0);
	add_line(s, "{\"common\":{\"timestamp\":1}}");
	add_line(s, "{\"common\":{\"timestamp\":2},\"userspace\":{\"probe_type\":\"usdt\","
		    "\"symbol\":\"ovs:op\",\"pid\":1,\"tid\":1}}");
	add_line(s, "{\"common\":{\"timestamp\":3},\"kernel\":{\"symbol\":\"skb:kfree_skb\","
		    "\"probe_type\":\"raw_tracepoint\"},\"skb-drop\":{\"subsys\":\"openvswitch\","
		    "\"drop_reason\":\"OVS_DROP_LAST_ACTION\"}}");
	assert_int_equal(row_count(s, RETE_STATS_PROBES, "(no probe)", NULL), 1);
	assert_int_equal(row_count(s, RETE_STATS_PROBES, "usdt/ovs:op", NULL), 1);
	assert_int_equal(row_count(s, RETE_STATS_DROPS, "openvswitch/OVS_DROP_LAST_ACTION", NULL),
			 1);
	rete_stats_free(s);
	(void)state;
}

/* Past RETE_STATS_KEYS_MAX distinct keys, events count as "other". */
static void test_table_bound(void **state)
{
	struct rete_stats_row *rows;
	struct rete_event ev = { 0 };
	struct rete_stats *s;
	uint64_t other;
	size_t n;

	assert_int_equal(rete_stats_new(&s), 0);
	rete_event_set(&ev, RETE_SEC_DEV);
	for (unsigned i = 0; i < RETE_STATS_KEYS_MAX + 10; i++) {
		snprintf(ev.dev.name, sizeof(ev.dev.name), "d%u", i);
		assert_int_equal(rete_stats_add(s, &ev), 0);
	}
	snprintf(ev.dev.name, sizeof(ev.dev.name), "d0");
	assert_int_equal(rete_stats_add(s, &ev), 0);	/* known key: still counted */
	assert_int_equal(rete_stats_rows(s, RETE_STATS_DEVICES, &rows, &n, &other), 0);
	assert_int_equal(n, RETE_STATS_KEYS_MAX);
	assert_int_equal(other, 10);
	assert_string_equal(rows[0].key, "d0");
	assert_int_equal(rows[0].count, 2);
	free(rows);
	rete_stats_free(s);
	(void)state;
}

/* Distinct ids: exact up to the bound, then a HyperLogLog estimate within 3%. */
static void test_distinct_packets(void **state)
{
	struct rete_stats_summary sum;
	struct rete_event ev = { 0 };
	struct rete_stats *s;
	uint64_t total = RETE_STATS_EXACT_MAX + RETE_STATS_EXACT_MAX / 2;
	double ratio;

	assert_int_equal(rete_stats_new(&s), 0);
	rete_event_set(&ev, RETE_SEC_SKB_TRACKING);
	for (uint64_t i = 0; i < 1000; i++) {
		ev.skb_tracking.orig_head = i % 100;	/* 100 ids, each 10 times */
		ev.skb_tracking.timestamp = 7;
		assert_int_equal(rete_stats_add(s, &ev), 0);
	}
	rete_stats_summary(s, &sum);
	assert_int_equal(sum.packets, 100);
	assert_false(sum.packets_estimated);
	for (uint64_t i = 0; i < total; i++) {
		ev.skb_tracking.orig_head = 0xffff888000000000ULL + i * 256;
		ev.skb_tracking.timestamp = 1000000 + i;
		assert_int_equal(rete_stats_add(s, &ev), 0);
	}
	rete_stats_summary(s, &sum);
	assert_true(sum.packets_estimated);
	ratio = (double)sum.packets / (double)(total + 100);
	if (ratio < 0.97 || ratio > 1.03)
		fail_msg("estimate %llu for %llu ids", (unsigned long long)sum.packets,
			 (unsigned long long)(total + 100));
	rete_stats_free(s);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_packets_sample),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_probe_names),
		cmocka_unit_test(test_table_bound),
		cmocka_unit_test(test_distinct_packets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
