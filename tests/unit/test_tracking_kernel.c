/*
 * Packet tracking in the real kernel: the product's rete_track_start and
 * rete_track_lookup (src/collectors/skb_tracking/skb_tracking.bpf.h), built into
 * tests/bpf/tracking_test.bpf.c and run with BPF_PROG_TEST_RUN on a fake
 * sk_buff whose data head the test writes. A head that the kernel freed
 * unseen and gave to the next packet must end the id (kernels without a
 * kprobe on skb_free_head), while the rewrites one packet goes through on its
 * journey (forwarding, NAT, checksums, trimmed tailroom) must keep it.
 *
 * Needs root and a kernel with BPF; skipped otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "uapi/rete_config.h" /* the skeleton's .rodata types */
#include "tracking_test.skel.h"

#define NH 64		/* network header offset in the head (the headroom) */
#define END 512		/* sk_buff.end */

static const char *g_skip;
static struct rete_tracking_test *g_skel;

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int load(bool verify, struct rete_tracking_test **ret)
{
	struct rete_tracking_test *skel = rete_tracking_test__open();
	int rc;

	if (!skel)
		return -errno;
	skel->rodata->rete_cfg.track_verify = verify;
	bpf_map__set_max_entries(skel->maps.rete_events, 4096);
	rc = rete_tracking_test__load(skel);
	if (rc) {
		rete_tracking_test__destroy(skel);
		return rc;
	}
	*ret = skel;
	return 0;
}

static int setup(void **state)
{
	int rc;

	(void)state;
	libbpf_set_print(quiet);
	if (geteuid() != 0) {
		g_skip = "not root: loading BPF programs needs root";
		return 0;
	}
	rc = load(true, &g_skel);
	if (rc == -EPERM || rc == -ENOSYS || rc == -EOPNOTSUPP) {
		g_skip = "this kernel refuses to load BPF programs";
		return 0;
	}
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	rete_tracking_test__destroy(g_skel);
	g_skel = NULL;
	return 0;
}

/* ---- packets ---- */

struct pkt {
	uint8_t b[256];
	size_t len;
	uint16_t proto;		/* ethertype, host order */
};

static size_t ipv4_hdr(uint8_t *p, uint8_t l4proto, uint16_t id, size_t l4len)
{
	uint16_t tot = htons((uint16_t)(20 + l4len)), nid = htons(id), df = htons(0x4000);

	p[0] = 0x45;
	memcpy(p + 2, &tot, 2);
	memcpy(p + 4, &nid, 2);
	memcpy(p + 6, &df, 2);
	p[8] = 64;
	p[9] = l4proto;
	memcpy(p + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8); /* 192.0.2.1 > 192.0.2.2 */
	return 20;
}

static void udp4(struct pkt *k, uint16_t id, const char *payload)
{
	size_t n = strlen(payload), l3;
	uint16_t ulen = htons((uint16_t)(8 + n));

	memset(k, 0, sizeof(*k));
	k->proto = 0x0800;
	l3 = ipv4_hdr(k->b, 17, id, 8 + n);
	memcpy(k->b + l3, "\x1b\x58\x14\xe9", 4); /* 7000 > 5353 */
	memcpy(k->b + l3 + 4, &ulen, 2);
	memcpy(k->b + l3 + 8, payload, n);
	k->len = l3 + 8 + n;
}

static void tcp4(struct pkt *k, uint32_t seq, uint32_t ack, const char *payload)
{
	size_t n = strlen(payload), l3;
	uint32_t s = htonl(seq), a = htonl(ack);

	memset(k, 0, sizeof(*k));
	k->proto = 0x0800;
	l3 = ipv4_hdr(k->b, 6, 1, 32 + n);
	memcpy(k->b + l3, "\xc0\x00\x1f\x90", 4); /* 49152 > 8080 */
	memcpy(k->b + l3 + 4, &s, 4);
	memcpy(k->b + l3 + 8, &a, 4);
	k->b[l3 + 12] = 8 << 4;	/* 32-byte header: timestamps option */
	k->b[l3 + 13] = 0x18;	/* PSH ACK */
	memcpy(k->b + l3 + 14, "\x01\xf5", 2);
	memcpy(k->b + l3 + 20, "\x01\x01\x08\x0a\x00\x00\x10\x00\x00\x00\x20\x00", 12);
	memcpy(k->b + l3 + 32, payload, n);
	k->len = l3 + 32 + n;
}

static void icmp4(struct pkt *k, uint8_t type, uint16_t id, uint16_t seq, const char *payload)
{
	size_t n = strlen(payload), l3;
	uint16_t nid = htons(id), nseq = htons(seq);

	memset(k, 0, sizeof(*k));
	k->proto = 0x0800;
	l3 = ipv4_hdr(k->b, 1, 7, 8 + n);
	k->b[l3] = type;
	memcpy(k->b + l3 + 4, &nid, 2);
	memcpy(k->b + l3 + 6, &nseq, 2);
	memcpy(k->b + l3 + 8, payload, n);
	k->len = l3 + 8 + n;
}

static void udp6(struct pkt *k, const char *payload)
{
	size_t n = strlen(payload);
	uint16_t plen = htons((uint16_t)(8 + n));

	memset(k, 0, sizeof(*k));
	k->proto = 0x86dd;
	k->b[0] = 0x60;
	memcpy(k->b + 4, &plen, 2);
	k->b[6] = 17;
	k->b[7] = 64;
	memcpy(k->b + 8, "\x20\x01\x0d\xb8", 4);	/* 2001:db8::1 > 2001:db8::2 */
	k->b[23] = 1;
	memcpy(k->b + 24, "\x20\x01\x0d\xb8", 4);
	k->b[39] = 2;
	memcpy(k->b + 40, "\x1b\x58\x14\xe9", 4);
	memcpy(k->b + 44, &plen, 2);
	memcpy(k->b + 48, payload, n);
	k->len = 48 + n;
}

/* Put packet k in the fake head, as the kernel would at the head's new use. */
static void put(struct rete_tracking_test *skel, const struct pkt *k)
{
	memset(skel->bss->tt_head, 0x5a, sizeof(skel->bss->tt_head));
	memcpy(skel->bss->tt_head + NH, k->b, k->len);
	skel->bss->tt_nh = NH;
	skel->bss->tt_tail = NH + (uint32_t)k->len;
	skel->bss->tt_end = END;
	skel->bss->tt_proto = htons(k->proto);
}

/* Rewrite bytes of the packet in place (a header rewrite on the packet's journey). */
static void poke(struct rete_tracking_test *skel, size_t off, const void *v, size_t n)
{
	memcpy(skel->bss->tt_head + NH + off, v, n);
}

/* One run: 0 starts tracking at timestamp ts, 1 looks the packet up. */
static bool run(struct rete_tracking_test *skel, uint64_t mode, uint64_t ts)
{
	uint64_t args[2] = { mode, ts };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	int rc = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.rete_tracking_test), &opts);

	if (rc)
		fail_msg("BPF_PROG_TEST_RUN: %s", strerror(errno));
	assert_int_equal(skel->bss->tt_errors, 0);
	return opts.retval != 0;
}

static unsigned int entries(struct rete_tracking_test *skel)
{
	uint64_t key, next;
	unsigned int n = 0;
	int fd = bpf_map__fd(skel->maps.rete_tracking);
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

static uint64_t reused_count(struct rete_tracking_test *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v)), sum = 0;
	uint32_t key = RETE_GC_TRACK_REUSED;

	assert_non_null(v);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.rete_gcounters), &key, v), 0);
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	free(v);
	return sum;
}

/* A fresh tracking table for each test: *state is the loaded harness (check on, or off). */
static int fresh_setup(void **state, bool verify)
{
	struct rete_tracking_test *skel = NULL;

	*state = NULL;
	if (g_skip)
		return 0;
	if (load(verify, &skel))
		return -1;
	*state = skel;
	return 0;
}

static int fresh(void **state)
{
	return fresh_setup(state, true);
}

static int fresh_no_check(void **state)
{
	return fresh_setup(state, false);
}

static int fresh_free(void **state)
{
	rete_tracking_test__destroy(*state);
	return 0;
}

/* Skip the test (cmocka's skip) when BPF cannot run here. */
static void need_bpf(void)
{
	if (g_skip) {
		print_message("skipped: %s\n", g_skip);
		skip();
	}
}

/* Start tracking k at ts 100, then apply a change: is it still the same packet? */
static bool same_after(struct rete_tracking_test *skel, const struct pkt *k, size_t off,
		       const void *v, size_t n)
{
	put(skel, k);
	assert_true(run(skel, 0, 100));
	assert_true(run(skel, 1, 150));
	poke(skel, off, v, n);
	return run(skel, 1, 200);
}

/* ---- tests ---- */

static void test_same_packet_keeps_id(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;
	uint64_t head;

	need_bpf();
	udp4(&k, 0, "q000");
	put(skel, &k);
	assert_true(run(skel, 0, 100));
	head = skel->bss->tt_orig_head;
	assert_int_not_equal(head, 0);
	assert_true(run(skel, 1, 200));
	assert_int_equal(skel->bss->tt_orig_head, head);
	assert_int_equal(skel->bss->tt_timestamp, 100);
	assert_int_equal(reused_count(skel), 0);
}

/* The case: datagram q001 gets the head of q000, freed without a tracepoint. */
static void test_reused_head_ends_id(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;

	need_bpf();
	udp4(&k, 0, "q000");
	put(skel, &k);
	assert_true(run(skel, 0, 100));
	assert_int_equal(entries(skel), 1);
	udp4(&k, 0, "q001");
	put(skel, &k);
	assert_false(run(skel, 1, 200));
	/* The stale entry is gone: a packet the filter rejects is not followed. */
	assert_int_equal(entries(skel), 0);
	assert_int_equal(reused_count(skel), 1);
	/* The new packet gets an id of its own. */
	assert_true(run(skel, 0, 300));
	assert_true(run(skel, 1, 400));
	assert_int_equal(skel->bss->tt_timestamp, 300);
}

/* Forwarding and NAT rewrite addresses, ports, TTL and checksums: still one packet. */
static void test_nat_keeps_id(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;

	need_bpf();
	udp4(&k, 0, "q000");
	assert_true(same_after(skel, &k, 12, "\xc6\x33\x64\xfe", 4));	/* SNAT source */
	poke(skel, 8, "\x3f", 1);				/* TTL */
	poke(skel, 10, "\x12\x34", 2);				/* IP checksum */
	poke(skel, 20, "\x9c\x41\x00\x35", 4);			/* both ports */
	poke(skel, 26, "\xab\xcd", 2);				/* UDP checksum */
	poke(skel, 1, "\x10", 1);				/* DSCP */
	assert_true(run(skel, 1, 300));
	assert_int_equal(skel->bss->tt_timestamp, 100);
}

static void test_ipv4_id_tells_packets_apart(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;

	need_bpf();
	udp4(&k, 41, "same");
	assert_false(same_after(skel, &k, 5, "\x2a", 1)); /* id 41 -> 42, same payload */
}

static void test_tcp(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;

	need_bpf();
	/* The next segment: another sequence number, the same (empty) payload. */
	tcp4(&k, 1000, 5000, "");
	assert_false(same_after(skel, &k, 24, "\x00\x00\x04\x01", 4));
	/* NAT: ports, addresses and checksums. */
	tcp4(&k, 1000, 5000, "");
	put(skel, &k);
	assert_true(run(skel, 0, 500));
	poke(skel, 20, "\xc0\x01\x1f\x91", 4);
	poke(skel, 36, "\xbe\xef", 2);
	poke(skel, 16, "\xc6\x33\x64\x02", 4);
	assert_true(run(skel, 1, 600));
	assert_int_equal(skel->bss->tt_timestamp, 500);
	/* A different acknowledgment (a later pure ACK at the same head). */
	poke(skel, 28, "\x00\x00\x13\x8a", 4);
	assert_false(run(skel, 1, 700));
}

static void test_icmp_echo(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;

	need_bpf();
	/* NAT rewrites the echo id (and the checksum): same packet. */
	icmp4(&k, 8, 0x1234, 1, "0123456789abcdef");
	assert_true(same_after(skel, &k, 24, "\x43\x21", 2));
	poke(skel, 22, "\xff\xff", 2);
	assert_true(run(skel, 1, 300));
	/* The next echo request: another sequence number. */
	icmp4(&k, 8, 0x1234, 1, "0123456789abcdef");
	assert_false(same_after(skel, &k, 26, "\x00\x02", 2));
}

static void test_icmp_error_quoted_nat(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k, inner;

	need_bpf();
	/* Port unreachable quoting a UDP datagram: NAT rewrites the quoted addresses and ports. */
	udp4(&inner, 77, "x");
	icmp4(&k, 3, 0, 0, "");
	memcpy(k.b + 28, inner.b, 28);
	k.len = 28 + 28;
	assert_true(same_after(skel, &k, 28 + 12, "\xc6\x33\x64\x02\xc6\x33\x64\x03", 8));
	poke(skel, 28 + 10, "\x11\x11", 2);
	assert_true(run(skel, 1, 300));
	/* Another error quoting another datagram (its IP id). */
	poke(skel, 28 + 5, "\x4e", 1);
	assert_false(run(skel, 1, 400));
}

/* Bytes past the packet's end at first sight are tailroom: they do not count. */
static void test_tailroom_ignored(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;

	need_bpf();
	udp4(&k, 0, "q");
	assert_true(same_after(skel, &k, k.len, "\x01\x02\x03\x04\x05\x06", 6));
}

static void test_ipv6(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;

	need_bpf();
	udp6(&k, "v6 datagram 1");
	/* hop limit, traffic class and addresses (NPTv6) do not count */
	assert_true(same_after(skel, &k, 7, "\x3f", 1));
	poke(skel, 0, "\x6b\x80", 2);
	poke(skel, 8, "\x20\x01\x0d\xb9", 4);
	assert_true(run(skel, 1, 300));
	udp6(&k, "v6 datagram 1");
	assert_false(same_after(skel, &k, 48 + 12, "2", 1));
}

/* Nothing rete can compare (not IP): the id is kept, as before the check existed. */
static void test_non_ip_unchecked(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;

	need_bpf();
	memset(&k, 0, sizeof(k));
	k.proto = 0x0806;
	memcpy(k.b, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	k.len = 28;
	assert_true(same_after(skel, &k, 8, "\x11\x22", 2));
}

/* Kernels with a kprobe on skb_free_head see every free: no check, the table is exact. */
static void test_no_check_with_free_probe(void **state)
{
	struct rete_tracking_test *skel = *state;
	struct pkt k;

	need_bpf();
	udp4(&k, 0, "q000");
	put(skel, &k);
	assert_true(run(skel, 0, 100));
	udp4(&k, 0, "q001");
	put(skel, &k);
	assert_true(run(skel, 1, 200));
	assert_int_equal(skel->bss->tt_timestamp, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_packet_keeps_id, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_reused_head_ends_id, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_nat_keeps_id, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_ipv4_id_tells_packets_apart, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_tcp, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_icmp_echo, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_icmp_error_quoted_nat, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_tailroom_ignored, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_ipv6, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_non_ip_unchecked, fresh, fresh_free),
		cmocka_unit_test_setup_teardown(test_no_check_with_free_probe, fresh_no_check, fresh_free),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
