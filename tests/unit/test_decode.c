/*
 * Ring-buffer record decoding (core/decode.h). Records are built here from
 * the ABI structs of include/uapi, laid out the way the BPF side builds them
 * (rete_builder.bpf.h): a struct rete_raw_hdr, then sections packed one
 * after the other, each a 4-byte struct rete_sec_hdr and its payload, so
 * payloads are not 8-byte aligned.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/decode.h"
#include "core/kallsyms.h"
#include "helpers/btf_builder.h"
#include "helpers/fixture.h"
#include "uapi/rete_event.h"
#include "uapi/rete_sections.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Record builder. */

struct rec {
	_Alignas(8) uint8_t buf[RETE_EVENT_MAX * 2];
	size_t len;
	uint16_t nsec;
};

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->len = sizeof(struct rete_raw_hdr);
}

/* Append a section header claiming `size` payload bytes, then `n` bytes of payload. */
static void rec_add_raw(struct rec *r, uint8_t owner, uint8_t type, uint16_t size,
			const void *payload, size_t n)
{
	struct rete_sec_hdr h = { .owner = owner, .type = type, .size = size };

	assert_true(r->len + sizeof(h) + n <= sizeof(r->buf));
	memcpy(r->buf + r->len, &h, sizeof(h));
	r->len += sizeof(h);
	if (n)
		memcpy(r->buf + r->len, payload, n);
	r->len += n;
	r->nsec++;
}

static void rec_add(struct rec *r, uint8_t owner, uint8_t type, const void *payload, size_t n)
{
	rec_add_raw(r, owner, type, (uint16_t)n, payload, n);
}

/* Write the record header (size, ABI, nsec); returns the record size. */
static size_t rec_finish(struct rec *r)
{
	struct rete_raw_hdr h = {
		.size = (uint32_t)r->len,
		.abi = RETE_ABI_VERSION,
		.nsec = r->nsec,
	};

	memcpy(r->buf, &h, sizeof(h));
	return r->len;
}

static void rec_set_hdr(struct rec *r, uint32_t size, uint16_t abi)
{
	struct rete_raw_hdr h = { .size = size, .abi = abi, .nsec = r->nsec };

	memcpy(r->buf, &h, sizeof(h));
}

/* Fixture: probes, kallsyms, BTF and a decoder. */

static const char ksyms_fixture[] = "ffffffff81000000 T _stext\n"
				    "ffffffff81a00000 T ip_rcv\n"
				    "ffffffff81a80000 D some_data\n"
				    "ffffffff81b00000 t tcp_v4_rcv\n"
				    "ffffffff81300000 T bpf_trace_run2\n"
				    "ffffffff81310000 t __bpf_trace_kfree_skb\n"
				    "ffffffffa0001000 t bpf_prog_6deef7357e7b4530_rete_raw_tp"
				    "\t[bpf]\n"
				    "ffffffffa0003000 t bpf_trampoline_6442492525\t[bpf]\n";

struct fixture {
	struct rete_probe probes[3];
	struct rete_probe_set set;
	struct rete_kallsyms *ks;
	char ks_path[256];
	struct btf *btf;
	struct rete_decoder dec;
	struct rete_event ev;
	struct rec rec;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->probes[0].type = RETE_PROBE_RAW_TP;
	snprintf(f->probes[0].symbol, sizeof(f->probes[0].symbol), "skb:kfree_skb");
	f->probes[1].type = RETE_PROBE_KPROBE;
	snprintf(f->probes[1].symbol, sizeof(f->probes[1].symbol), "ip_rcv");
	/* Longer than the event's symbol field. */
	f->probes[2].type = RETE_PROBE_KRETPROBE;
	memset(f->probes[2].symbol, 's', sizeof(f->probes[2].symbol) - 1);
	f->set.probes = f->probes;
	f->set.n = f->set.cap = ARRAY_LEN(f->probes);

	rete_test_file_write("kallsyms", ksyms_fixture, f->ks_path, sizeof(f->ks_path));
	if (rete_kallsyms_load(f->ks_path, &f->ks))
		return -1;
	f->btf = rete_test_btf_new();
	rete_decoder_init(&f->dec, &f->set, f->ks, f->btf);
	rec_init(&f->rec);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rete_event_free(&f->ev);
	rete_decoder_release(&f->dec);
	btf__free(f->btf);
	rete_kallsyms_free(f->ks);
	rete_test_file_remove(f->ks_path);
	free(f);
	return 0;
}

static int decode(struct fixture *f)
{
	size_t len = rec_finish(&f->rec);

	return rete_decode(&f->dec, f->rec.buf, len, &f->ev);
}

static void decode_ok(struct fixture *f)
{
	assert_int_equal(decode(f), 0);
	assert_int_equal(f->dec.bad_records, 0);
}

/* Sections present, as a mask of enum rete_section_id bits. */
#define BIT(id) (1u << (id))

static void add_common(struct rec *r)
{
	struct rete_sec_common c = {
		.timestamp = 0x0123456789abcdefULL,
		.smp_id = 7,
		.pid = 1234,
		.tgid = 1200,
	};

	/* A full-size comm has no NUL. */
	memcpy(c.comm, "0123456789abcdef", sizeof(c.comm));
	rec_add(r, RETE_OWNER_COMMON, RETE_SEC_T_MAIN, &c, sizeof(c));
}

static void add_kernel(struct rec *r, uint32_t probe_id)
{
	struct rete_sec_kernel k = { .ksym = 0xffffffff81a00000ULL, .probe_id = probe_id };

	rec_add(r, RETE_OWNER_KERNEL, RETE_SEC_T_MAIN, &k, sizeof(k));
}

static void add_stack(struct rec *r, const uint64_t *ips, uint32_t nr, size_t nips)
{
	uint8_t buf[sizeof(struct rete_sec_stack) + 200 * sizeof(uint64_t)];
	struct rete_sec_stack s = { .nr = nr };

	assert_true(nips <= 200);
	memcpy(buf, &s, sizeof(s));
	if (nips)
		memcpy(buf + sizeof(s), ips, nips * sizeof(uint64_t));
	rec_add(r, RETE_OWNER_KERNEL, RETE_SEC_T_KERNEL_STACK, buf,
		sizeof(s) + nips * sizeof(uint64_t));
}

static void add_drop(struct rec *r, int32_t reason)
{
	struct rete_sec_drop d = { .reason = reason };

	rec_add(r, RETE_OWNER_SKB_DROP, RETE_SEC_T_MAIN, &d, sizeof(d));
}

static void add_packet(struct rec *r, uint32_t len, const void *bytes, uint16_t cap,
		       uint16_t proto, uint32_t flags)
{
	uint8_t buf[sizeof(struct rete_sec_packet) + RETE_PACKET_CAPTURE];
	struct rete_sec_packet p = {
		.len = len, .capture_len = cap, .protocol = proto, .flags = flags,
	};

	assert_true(cap <= RETE_PACKET_CAPTURE);
	memcpy(buf, &p, sizeof(p));
	if (cap)
		memcpy(buf + sizeof(p), bytes, cap);
	rec_add(r, RETE_OWNER_SKB, RETE_SEC_T_SKB_PACKET, buf, sizeof(p) + cap);
}

static void test_common_kernel(void **state)
{
	struct fixture *f = *state;

	add_common(&f->rec);
	add_kernel(&f->rec, 1);
	decode_ok(f);
	assert_int_equal(f->ev.present, BIT(RETE_SEC_COMMON) | BIT(RETE_SEC_KERNEL));
	assert_true(f->ev.common.timestamp == 0x0123456789abcdefULL);
	assert_true(f->ev.common.has_smp_id);
	assert_int_equal(f->ev.common.smp_id, 7);
	assert_true(f->ev.common.has_task);
	assert_int_equal(f->ev.common.pid, 1234);
	assert_int_equal(f->ev.common.tgid, 1200);
	assert_string_equal(f->ev.common.comm, "0123456789abcdef");
	assert_string_equal(f->ev.kernel.symbol, "ip_rcv");
	assert_string_equal(f->ev.kernel.probe_type, "kprobe");
	assert_false(f->ev.kernel.has_stack);

	/* Short comm; tracepoint probe; a symbol longer than the event field is cut. */
	rec_init(&f->rec);
	{
		struct rete_sec_common c = { .pid = (uint32_t)-1, .tgid = 5 };

		memcpy(c.comm, "ip\0garbage", 10);
		rec_add(&f->rec, RETE_OWNER_COMMON, RETE_SEC_T_MAIN, &c, sizeof(c));
	}
	add_kernel(&f->rec, 0);
	decode_ok(f);
	assert_string_equal(f->ev.common.comm, "ip");
	assert_int_equal(f->ev.common.pid, -1);
	assert_string_equal(f->ev.kernel.symbol, "skb:kfree_skb");
	assert_string_equal(f->ev.kernel.probe_type, "raw_tracepoint");

	rec_init(&f->rec);
	add_kernel(&f->rec, 2);
	decode_ok(f);
	assert_int_equal(strlen(f->ev.kernel.symbol), sizeof(f->ev.kernel.symbol) - 1);
	assert_string_equal(f->ev.kernel.probe_type, "kretprobe");
	assert_false(f->ev.kernel.has_retval);

	/* A return value section (kretprobe, fexit). */
	rec_init(&f->rec);
	add_kernel(&f->rec, 2);
	{
		struct rete_sec_retval r = { .retval = -22 };

		rec_add(&f->rec, RETE_OWNER_KERNEL, RETE_SEC_T_KERNEL_RETVAL, &r, sizeof(r));
	}
	decode_ok(f);
	assert_true(f->ev.kernel.has_retval);
	assert_true(f->ev.kernel.retval == -22);
}

static void test_stack(void **state)
{
	static const uint64_t ips[] = {
		0xffffffff81a0001fULL,	/* ip_rcv+0x1f */
		0xffffffff81000010ULL,	/* _stext+0x10 */
		0xffffffff81a90000ULL,	/* data symbols are ignored: ip_rcv+0x90000 */
		0xffffffff81b00000ULL,	/* tcp_v4_rcv+0x0 */
		0x10,			/* before the first symbol */
	};
	struct fixture *f = *state;

	add_kernel(&f->rec, 0);
	add_stack(&f->rec, ips, ARRAY_LEN(ips), ARRAY_LEN(ips));
	decode_ok(f);
	assert_true(f->ev.kernel.has_stack);
	assert_int_equal(f->ev.kernel.nstack, 5);
	assert_string_equal(f->ev.kernel.stack[0], "ip_rcv+0x1f");
	assert_string_equal(f->ev.kernel.stack[1], "_stext+0x10");
	assert_string_equal(f->ev.kernel.stack[2], "ip_rcv+0x90000");
	assert_string_equal(f->ev.kernel.stack[3], "tcp_v4_rcv+0x0");
	assert_string_equal(f->ev.kernel.stack[4], "0x10");
}

static void test_stack_tracing_frames(void **state)
{
	static const uint64_t ips[] = {
		0xffffffffa0001050ULL,	/* bpf_prog_..._rete_raw_tp+0x50 */
		0xffffffff8130008aULL,	/* bpf_trace_run2+0x8a */
		0xffffffff81310020ULL,	/* __bpf_trace_kfree_skb+0x20 */
		0xffffffff81b00010ULL,	/* tcp_v4_rcv+0x10 */
		0xffffffff81a0001fULL,	/* ip_rcv+0x1f */
		0xffffffff8130008aULL,	/* deeper: kept */
	};
	struct fixture *f = *state;

	/* The probe program and its trampoline at the top of the trace are dropped. */
	add_stack(&f->rec, ips, ARRAY_LEN(ips), ARRAY_LEN(ips));
	decode_ok(f);
	assert_int_equal(f->ev.kernel.nstack, 3);
	assert_string_equal(f->ev.kernel.stack[0], "tcp_v4_rcv+0x10");
	assert_string_equal(f->ev.kernel.stack[1], "ip_rcv+0x1f");
	assert_string_equal(f->ev.kernel.stack[2], "bpf_trace_run2+0x8a");

	/* fentry on 6.1: the trampoline's own frame comes first. */
	{
		static const uint64_t fe[] = {
			0xffffffffa000305eULL,	/* bpf_trampoline_6442492525+0x5e */
			0xffffffff81a00001ULL,	/* ip_rcv+0x1 */
		};

		rec_init(&f->rec);
		add_stack(&f->rec, fe, ARRAY_LEN(fe), ARRAY_LEN(fe));
		decode_ok(f);
		assert_int_equal(f->ev.kernel.nstack, 1);
		assert_string_equal(f->ev.kernel.stack[0], "ip_rcv+0x1");
	}

	/* Only tracing frames. */
	rec_init(&f->rec);
	add_stack(&f->rec, ips, 3, 3);
	decode_ok(f);
	assert_true(f->ev.kernel.has_stack);
	assert_int_equal(f->ev.kernel.nstack, 0);

	/* Without symbols nothing can be recognized, so nothing is dropped. */
	f->dec.ksyms = NULL;
	rec_init(&f->rec);
	add_stack(&f->rec, ips, ARRAY_LEN(ips), ARRAY_LEN(ips));
	decode_ok(f);
	assert_int_equal(f->ev.kernel.nstack, ARRAY_LEN(ips));
	assert_string_equal(f->ev.kernel.stack[0], "0xffffffffa0001050");
}

static void test_stack_edges(void **state)
{
	static const uint64_t stop[] = { 0xffffffff81a0001fULL, 0, 0xffffffff81000010ULL };
	uint64_t full[RETE_STACK_DEPTH];
	struct fixture *f = *state;

	/* A zero address ends the trace. */
	add_stack(&f->rec, stop, ARRAY_LEN(stop), ARRAY_LEN(stop));
	decode_ok(f);
	assert_true(f->ev.kernel.has_stack);
	assert_int_equal(f->ev.kernel.nstack, 1);

	/* Empty trace (bpf_get_stack failed). */
	rec_init(&f->rec);
	add_stack(&f->rec, NULL, 0, 0);
	decode_ok(f);
	assert_true(f->ev.kernel.has_stack);
	assert_int_equal(f->ev.kernel.nstack, 0);

	/* The deepest trace the BPF side captures. */
	for (size_t i = 0; i < ARRAY_LEN(full); i++)
		full[i] = 0xffffffff81a00000ULL + i;
	rec_init(&f->rec);
	add_stack(&f->rec, full, ARRAY_LEN(full), ARRAY_LEN(full));
	decode_ok(f);
	assert_int_equal(f->ev.kernel.nstack, RETE_STACK_DEPTH);
	assert_string_equal(f->ev.kernel.stack[RETE_STACK_DEPTH - 1], "ip_rcv+0x7e");

	/* Without kallsyms, raw addresses. */
	f->dec.ksyms = NULL;
	rec_init(&f->rec);
	add_stack(&f->rec, stop, 1, 1);
	decode_ok(f);
	assert_int_equal(f->ev.kernel.nstack, 1);
	assert_string_equal(f->ev.kernel.stack[0], "0xffffffff81a0001f");
}

static void test_tracking(void **state)
{
	struct fixture *f = *state;
	struct rete_sec_tracking t = {
		.orig_head = 0xffff888012345678ULL,
		.timestamp = 123456789012ULL,
		.skb = 0xffff888087654321ULL,
	};

	rec_add(&f->rec, RETE_OWNER_SKB_TRACKING, RETE_SEC_T_MAIN, &t, sizeof(t));
	decode_ok(f);
	assert_int_equal(f->ev.present, BIT(RETE_SEC_SKB_TRACKING));
	assert_true(f->ev.skb_tracking.orig_head == t.orig_head);
	assert_true(f->ev.skb_tracking.timestamp == t.timestamp);
	assert_true(f->ev.skb_tracking.skb == t.skb);
}

static void expect_drop(struct fixture *f, int32_t reason, const char *name, const char *subsys)
{
	rec_init(&f->rec);
	add_drop(&f->rec, reason);
	decode_ok(f);
	assert_int_equal(f->ev.present, BIT(RETE_SEC_SKB_DROP));
	assert_string_equal(f->ev.skb_drop.drop_reason, name);
	assert_string_equal(f->ev.skb_drop.subsys, subsys);
}

static void test_drop_reason(void **state)
{
	struct fixture *f = *state;

	expect_drop(f, 3, "NO_SOCKET", "");
	/* Second time from the cache. */
	expect_drop(f, 3, "NO_SOCKET", "");
	expect_drop(f, 2, "NOT_SPECIFIED", "");
	expect_drop(f, 999, "999", "");
	expect_drop(f, 999, "999", "");
	expect_drop(f, (RETE_TEST_SUBSYS_OPENVSWITCH << 16) + 1, "OVS_DROP_LAST_ACTION", "openvswitch");
	/* The core reason after a subsystem one has no subsystem left over. */
	expect_drop(f, 3, "NO_SOCKET", "");
	expect_drop(f, (RETE_TEST_SUBSYS_MAC80211_MONITOR << 16) + 1,
		    "RX_DROP_M_UNEXPECTED_4ADDR_FRAME", "mac80211_monitor");
	expect_drop(f, 0xffff, "65535", "");
	expect_drop(f, -1, "NOT_SPECIFIED", "");
}

static void test_drop_reason_no_btf(void **state)
{
	struct fixture *f = *state;

	rete_decoder_release(&f->dec);
	rete_decoder_init(&f->dec, &f->set, f->ks, NULL);
	expect_drop(f, 3, "3", "");
	expect_drop(f, (RETE_TEST_SUBSYS_OPENVSWITCH << 16) + 1, "196609", "3");
}

static const uint8_t frame[] = {
	/* Ethernet */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	/* IPv4 header start */
	0x45, 0x00, 0x00, 0x54, 0xa3, 0xf9, 0x40, 0x00, 0x40, 0x01,
};

static void test_packet_l2(void **state)
{
	struct fixture *f = *state;

	add_packet(&f->rec, 98, frame, sizeof(frame), htons(0x0800), 0);
	decode_ok(f);
	assert_int_equal(f->ev.present, BIT(RETE_SEC_PACKET));
	assert_int_equal(f->ev.packet.len, 98);
	assert_int_equal(f->ev.packet.capture_len, sizeof(frame));
	assert_memory_equal(f->ev.packet.data, frame, sizeof(frame));
}

static void test_packet_l3(void **state)
{
	static const uint8_t fake_eth[14] = { [12] = 0x86, [13] = 0xdd };
	const uint8_t *l3 = frame + 14;
	size_t l3_len = sizeof(frame) - 14;
	struct fixture *f = *state;

	add_packet(&f->rec, 84, l3, (uint16_t)l3_len, htons(0x86dd), RETE_PACKET_F_L3);
	decode_ok(f);
	assert_int_equal(f->ev.packet.len, 84 + 14);
	assert_int_equal(f->ev.packet.capture_len, l3_len + 14);
	/* Zeroed MACs, skb->protocol as the EtherType, then the L3 bytes. */
	assert_memory_equal(f->ev.packet.data, fake_eth, sizeof(fake_eth));
	assert_memory_equal(f->ev.packet.data + 14, l3, l3_len);

	/* Nothing captured: the fake header alone. */
	rec_init(&f->rec);
	add_packet(&f->rec, 40, NULL, 0, htons(0x86dd), RETE_PACKET_F_L3);
	decode_ok(f);
	assert_int_equal(f->ev.packet.len, 54);
	assert_int_equal(f->ev.packet.capture_len, 14);
	assert_memory_equal(f->ev.packet.data, fake_eth, sizeof(fake_eth));

	/* The largest capture. */
	{
		uint8_t big[RETE_PACKET_CAPTURE];

		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = (uint8_t)i;
		rec_init(&f->rec);
		add_packet(&f->rec, 1500, big, sizeof(big), htons(0x0800), RETE_PACKET_F_L3);
		decode_ok(f);
		assert_int_equal(f->ev.packet.capture_len, RETE_PACKET_CAPTURE + 14);
		assert_int_equal(f->ev.packet.data[12], 0x08);
		assert_int_equal(f->ev.packet.data[13], 0x00);
		assert_memory_equal(f->ev.packet.data + 14, big, sizeof(big));
	}
}

static void test_skb_sections(void **state)
{
	struct fixture *f = *state;
	struct rete_sec_skb_meta m = {
		.len = 1514, .data_len = 1000, .hash = 0xdeadbeef, .csum = 0x1234,
		.priority = 6, .ip_summed = 3, .csum_level = 1,
	};
	struct rete_sec_skb_dataref d = {
		.nohdr = 1, .cloned = 1, .fclone = 2, .users = 3, .dataref = 0x00020005,
	};
	struct rete_sec_skb_gso g = {
		.flags = 0x10, .nr_frags = 4, .gso_size = 1448, .gso_segs = 3, .gso_type = 0x41,
	};
	struct rete_sec_skb_vlan v = { .proto = htons(0x8100), .tci = (5 << 13) | (1 << 12) | 100 };

	rec_add(&f->rec, RETE_OWNER_SKB, RETE_SEC_T_SKB_META, &m, sizeof(m));
	rec_add(&f->rec, RETE_OWNER_SKB, RETE_SEC_T_SKB_DATAREF, &d, sizeof(d));
	rec_add(&f->rec, RETE_OWNER_SKB, RETE_SEC_T_SKB_GSO, &g, sizeof(g));
	rec_add(&f->rec, RETE_OWNER_SKB, RETE_SEC_T_SKB_VLAN, &v, sizeof(v));
	decode_ok(f);
	assert_int_equal(f->ev.present, BIT(RETE_SEC_SKB));

	assert_true(f->ev.skb.has_meta);
	assert_int_equal(f->ev.skb.meta.len, 1514);
	assert_int_equal(f->ev.skb.meta.data_len, 1000);
	assert_int_equal(f->ev.skb.meta.hash, 0xdeadbeef);
	assert_int_equal(f->ev.skb.meta.csum, 0x1234);
	assert_int_equal(f->ev.skb.meta.priority, 6);
	assert_int_equal(f->ev.skb.meta.ip_summed, 3);
	assert_int_equal(f->ev.skb.meta.csum_level, 1);

	assert_true(f->ev.skb.has_data_ref);
	assert_true(f->ev.skb.data_ref.nohdr);
	assert_true(f->ev.skb.data_ref.cloned);
	assert_int_equal(f->ev.skb.data_ref.fclone, 2);
	assert_int_equal(f->ev.skb.data_ref.users, 3);
	/* Only the low 16 bits: all references. */
	assert_int_equal(f->ev.skb.data_ref.dataref, 5);

	assert_true(f->ev.skb.has_gso);
	assert_int_equal(f->ev.skb.gso.flags, 0x10);
	assert_int_equal(f->ev.skb.gso.frags, 4);
	assert_int_equal(f->ev.skb.gso.size, 1448);
	assert_int_equal(f->ev.skb.gso.segs, 3);
	assert_int_equal(f->ev.skb.gso.type, 0x41);

	assert_true(f->ev.skb.has_vlan_accel);
	assert_true(f->ev.skb.vlan_accel.has_proto);
	assert_int_equal(f->ev.skb.vlan_accel.proto, 0x8100);
	assert_int_equal(f->ev.skb.vlan_accel.pcp, 5);
	assert_true(f->ev.skb.vlan_accel.dei);
	assert_int_equal(f->ev.skb.vlan_accel.vid, 100);

	/* One sub-section alone sets only its own has_ flag. */
	rec_init(&f->rec);
	v.tci = 0xfff;
	rec_add(&f->rec, RETE_OWNER_SKB, RETE_SEC_T_SKB_VLAN, &v, sizeof(v));
	decode_ok(f);
	assert_false(f->ev.skb.has_meta);
	assert_false(f->ev.skb.has_data_ref);
	assert_false(f->ev.skb.has_gso);
	assert_true(f->ev.skb.has_vlan_accel);
	assert_int_equal(f->ev.skb.vlan_accel.pcp, 0);
	assert_false(f->ev.skb.vlan_accel.dei);
	assert_int_equal(f->ev.skb.vlan_accel.vid, 0xfff);
}

static void test_dev_ns(void **state)
{
	struct fixture *f = *state;
	struct rete_sec_dev d = { .ifindex = 2, .rx_ifindex = 0 };
	struct rete_sec_ns n = { .cookie = 0, .inum = 4026531840u };

	memcpy(d.name, "eth0", 4);
	rec_add(&f->rec, RETE_OWNER_DEV, RETE_SEC_T_MAIN, &d, sizeof(d));
	rec_add(&f->rec, RETE_OWNER_NS, RETE_SEC_T_MAIN, &n, sizeof(n));
	decode_ok(f);
	assert_int_equal(f->ev.present, BIT(RETE_SEC_DEV) | BIT(RETE_SEC_NETNS));
	assert_string_equal(f->ev.dev.name, "eth0");
	assert_int_equal(f->ev.dev.ifindex, 2);
	assert_false(f->ev.dev.has_rx_ifindex);
	assert_false(f->ev.netns.has_cookie);
	assert_int_equal(f->ev.netns.inum, 4026531840u);

	rec_init(&f->rec);
	memcpy(d.name, "a_sixteen_char_n", 16);	/* IFNAMSIZ without a NUL */
	d.rx_ifindex = 3;
	n.cookie = 0x1000000000001ULL;
	rec_add(&f->rec, RETE_OWNER_DEV, RETE_SEC_T_MAIN, &d, sizeof(d));
	rec_add(&f->rec, RETE_OWNER_NS, RETE_SEC_T_MAIN, &n, sizeof(n));
	decode_ok(f);
	assert_string_equal(f->ev.dev.name, "a_sixteen_char_n");
	assert_true(f->ev.dev.has_rx_ifindex);
	assert_int_equal(f->ev.dev.rx_ifindex, 3);
	assert_true(f->ev.netns.has_cookie);
	assert_true(f->ev.netns.cookie == 0x1000000000001ULL);
}

/* Every section, the way the BPF side orders them. */
static void add_full(struct rec *r)
{
	static const uint64_t ips[] = { 0xffffffff81a0001fULL };
	struct rete_sec_tracking t = { .orig_head = 1, .timestamp = 2, .skb = 3 };
	struct rete_sec_skb_meta m = { .len = 60 };
	struct rete_sec_dev d = { .ifindex = 1 };
	struct rete_sec_ns n = { .inum = 1 };

	memcpy(d.name, "lo", 2);
	add_common(r);
	add_kernel(r, 0);
	add_stack(r, ips, 1, 1);
	rec_add(r, RETE_OWNER_SKB_TRACKING, RETE_SEC_T_MAIN, &t, sizeof(t));
	add_drop(r, 3);
	/* An odd-sized packet: the sections after it are not even 4-byte aligned. */
	add_packet(r, 60, frame, 23, htons(0x0800), 0);
	rec_add(r, RETE_OWNER_SKB, RETE_SEC_T_SKB_META, &m, sizeof(m));
	rec_add(r, RETE_OWNER_DEV, RETE_SEC_T_MAIN, &d, sizeof(d));
	rec_add(r, RETE_OWNER_NS, RETE_SEC_T_MAIN, &n, sizeof(n));
}

static const uint32_t full_present = BIT(RETE_SEC_COMMON) | BIT(RETE_SEC_KERNEL) |
				     BIT(RETE_SEC_SKB_TRACKING) | BIT(RETE_SEC_SKB_DROP) |
				     BIT(RETE_SEC_PACKET) | BIT(RETE_SEC_SKB) |
				     BIT(RETE_SEC_DEV) | BIT(RETE_SEC_NETNS);

static void test_full_record(void **state)
{
	struct fixture *f = *state;

	add_full(&f->rec);
	decode_ok(f);
	assert_int_equal(f->ev.present, full_present);
	assert_string_equal(f->ev.kernel.stack[0], "ip_rcv+0x1f");
	assert_int_equal(f->ev.skb_tracking.skb, 3);
	assert_string_equal(f->ev.skb_drop.drop_reason, "NO_SOCKET");
	assert_int_equal(f->ev.packet.capture_len, 23);
	assert_int_equal(f->ev.skb.meta.len, 60);
	assert_string_equal(f->ev.dev.name, "lo");
	assert_int_equal(f->ev.netns.inum, 1);

	/* The event is reset by each decode. */
	rec_init(&f->rec);
	add_drop(&f->rec, 2);
	decode_ok(f);
	assert_int_equal(f->ev.present, BIT(RETE_SEC_SKB_DROP));
	assert_false(f->ev.kernel.has_stack);
	assert_int_equal(f->ev.kernel.nstack, 0);
	assert_null(f->ev.packet.data);
	assert_string_equal(f->ev.dev.name, "");
}

static void test_unknown_sections_skipped(void **state)
{
	static const uint8_t junk[13] = { 0xff, 0xfe, 0xfd };
	struct fixture *f = *state;

	add_common(&f->rec);
	/* Owners rete does not decode (yet), an unknown type of a known owner, empty ones. */
	rec_add(&f->rec, RETE_OWNER_OVS, RETE_SEC_T_MAIN, junk, sizeof(junk));
	rec_add(&f->rec, 200, 0, junk, 5);
	rec_add(&f->rec, RETE_OWNER_KERNEL, 9, junk, sizeof(junk));
	rec_add(&f->rec, RETE_OWNER_SKB, 99, NULL, 0);
	rec_add(&f->rec, 0, 0, NULL, 0);
	add_kernel(&f->rec, 1);
	decode_ok(f);
	assert_int_equal(f->ev.present, BIT(RETE_SEC_COMMON) | BIT(RETE_SEC_KERNEL));
	assert_int_equal(f->ev.common.pid, 1234);
	assert_string_equal(f->ev.kernel.symbol, "ip_rcv");

	/* A record with no section at all. */
	rec_init(&f->rec);
	decode_ok(f);
	assert_int_equal(f->ev.present, 0);
}

static void expect_bad(struct fixture *f, const void *data, size_t size, uint64_t nbad)
{
	assert_int_equal(rete_decode(&f->dec, data, size, &f->ev), -EINVAL);
	assert_int_equal(f->dec.bad_records, nbad);
}

static void test_malformed_header(void **state)
{
	struct fixture *f = *state;
	size_t len;

	add_common(&f->rec);
	len = rec_finish(&f->rec);

	/* Truncated header. */
	expect_bad(f, f->rec.buf, 0, 1);
	expect_bad(f, f->rec.buf, 4, 2);
	expect_bad(f, f->rec.buf, sizeof(struct rete_raw_hdr) - 1, 3);
	/* The record claims more than was received. */
	expect_bad(f, f->rec.buf, len - 1, 4);
	rec_set_hdr(&f->rec, UINT32_MAX, RETE_ABI_VERSION);
	expect_bad(f, f->rec.buf, len, 5);
	/* A size smaller than the header itself. */
	rec_set_hdr(&f->rec, 4, RETE_ABI_VERSION);
	expect_bad(f, f->rec.buf, len, 6);
	/* Wrong ABI. */
	rec_set_hdr(&f->rec, (uint32_t)len, 0);
	expect_bad(f, f->rec.buf, len, 7);
	rec_set_hdr(&f->rec, (uint32_t)len, RETE_ABI_VERSION + 1);
	expect_bad(f, f->rec.buf, len, 8);
	/* Still decodes good records afterwards. */
	rec_set_hdr(&f->rec, (uint32_t)len, RETE_ABI_VERSION);
	assert_int_equal(rete_decode(&f->dec, f->rec.buf, len, &f->ev), 0);
	assert_int_equal(f->dec.bad_records, 8);
	/* Bytes after the record's own size are not looked at. */
	assert_int_equal(rete_decode(&f->dec, f->rec.buf, len + 16, &f->ev), 0);
}

static void test_malformed_sections(void **state)
{
	uint8_t payload[128] = { 0 };
	struct fixture *f = *state;
	uint64_t nbad = 0;

	/* A section longer than the record. */
	add_common(&f->rec);
	rec_add_raw(&f->rec, RETE_OWNER_SKB_TRACKING, RETE_SEC_T_MAIN, 100, payload, 24);
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), ++nbad);

	/* Unknown owners are bounds-checked too. */
	rec_init(&f->rec);
	rec_add_raw(&f->rec, 200, 0, 0xffff, payload, 8);
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), ++nbad);

	/* A known section shorter than its struct. */
	rec_init(&f->rec);
	rec_add(&f->rec, RETE_OWNER_COMMON, RETE_SEC_T_MAIN, payload,
		sizeof(struct rete_sec_common) - 1);
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), ++nbad);
	rec_init(&f->rec);
	rec_add(&f->rec, RETE_OWNER_SKB_DROP, RETE_SEC_T_MAIN, NULL, 0);
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), ++nbad);

	/* Probe ids out of range. */
	rec_init(&f->rec);
	add_kernel(&f->rec, 3);
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), ++nbad);
	rec_init(&f->rec);
	add_kernel(&f->rec, UINT32_MAX);
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), ++nbad);

	/* A packet capture longer than its section. */
	rec_init(&f->rec);
	{
		struct rete_sec_packet p = { .len = 100, .capture_len = 50 };

		memcpy(payload, &p, sizeof(p));
		rec_add(&f->rec, RETE_OWNER_SKB, RETE_SEC_T_SKB_PACKET, payload, sizeof(p) + 49);
		expect_bad(f, f->rec.buf, rec_finish(&f->rec), ++nbad);
	}
	assert_int_equal(f->dec.bad_records, 7);
}

static void test_malformed_stack(void **state)
{
	uint64_t ips[RETE_STACK_DEPTH + 2];
	struct fixture *f = *state;

	for (size_t i = 0; i < ARRAY_LEN(ips); i++)
		ips[i] = 0xffffffff81a00000ULL + i;
	/* More frames than an event holds, all present in the section. */
	add_stack(&f->rec, ips, RETE_STACK_MAX + 1, RETE_STACK_MAX + 1);
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), 1);
	/* nr larger than the addresses that follow. */
	rec_init(&f->rec);
	add_stack(&f->rec, ips, 3, 2);
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), 2);
	rec_init(&f->rec);
	add_stack(&f->rec, ips, UINT32_MAX, 2);
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), 3);
	rec_init(&f->rec);
	add_stack(&f->rec, ips, 0x20000000, 2);	/* nr * 8 wraps a 32-bit size */
	expect_bad(f, f->rec.buf, rec_finish(&f->rec), 4);
}

/* Decoding must not crash on anything: every truncation and random corruptions. */
static void test_robustness(void **state)
{
	struct fixture *f = *state;
	uint8_t *copy;
	uint32_t seed = 12345;
	size_t len;

	add_full(&f->rec);
	len = rec_finish(&f->rec);
	copy = malloc(len);
	assert_non_null(copy);

	for (size_t n = 0; n <= len; n++) {
		struct rete_raw_hdr h;
		int rc;

		/* Truncated as received, and truncated with a matching header. */
		memcpy(copy, f->rec.buf, len);
		rc = rete_decode(&f->dec, copy, n, &f->ev);
		assert_true(rc == 0 || rc == -EINVAL);
		if (n >= sizeof(h)) {
			memcpy(&h, copy, sizeof(h));
			h.size = (uint32_t)n;
			memcpy(copy, &h, sizeof(h));
			rc = rete_decode(&f->dec, copy, n, &f->ev);
			assert_true(rc == 0 || rc == -EINVAL);
		}
	}
	for (int round = 0; round < 20000; round++) {
		int rc;

		memcpy(copy, f->rec.buf, len);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			/* Keep the record header valid most of the time to reach the sections. */
			size_t pos = sizeof(struct rete_raw_hdr) +
				     (seed >> 8) % (len - sizeof(struct rete_raw_hdr));

			if (round % 16 == 0)
				pos = (seed >> 8) % len;
			copy[pos] = (uint8_t)(seed >> 20);
		}
		rc = rete_decode(&f->dec, copy, len, &f->ev);
		assert_true(rc == 0 || rc == -EINVAL);
		if (rc == 0 && rete_event_has(&f->ev, RETE_SEC_KERNEL))
			assert_true(f->ev.kernel.nstack <= RETE_STACK_MAX);
	}
	free(copy);
}

#define DECODE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DECODE_TEST(test_common_kernel),
		DECODE_TEST(test_stack),
		DECODE_TEST(test_stack_tracing_frames),
		DECODE_TEST(test_stack_edges),
		DECODE_TEST(test_tracking),
		DECODE_TEST(test_drop_reason),
		DECODE_TEST(test_drop_reason_no_btf),
		DECODE_TEST(test_packet_l2),
		DECODE_TEST(test_packet_l3),
		DECODE_TEST(test_skb_sections),
		DECODE_TEST(test_dev_ns),
		DECODE_TEST(test_full_record),
		DECODE_TEST(test_unknown_sections_skipped),
		DECODE_TEST(test_malformed_header),
		DECODE_TEST(test_malformed_sections),
		DECODE_TEST(test_malformed_stack),
		DECODE_TEST(test_robustness),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
