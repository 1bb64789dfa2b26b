/*
 * The ct section (src/collectors/ct/): decoding of the BPF records (struct
 * rete_sec_ct, with tuples laid out as the kernel's struct
 * nf_conntrack_tuple), its JSON through the field tables (write, size
 * bound, read, older layouts), and its text.
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

#include "collectors/ct/ct_section.h"
#include "core/decode.h"
#include "events/json.h"
#include "events/section.h"
#include "events/text.h"
#include "uapi/rete_event.h"
#include "uapi/rete_sections.h"

static char err[512];

/* A kernel tuple: src {u3, u, l3num}, dst {u3, u, protonum, dir}. */
static void tuple(uint8_t *t, int af, const char *src, const char *dst, uint8_t proto,
		  uint16_t su, uint16_t du)
{
	uint16_t l3 = (uint16_t)af, be;

	memset(t, 0, RETE_CT_TUPLE_LEN);
	assert_int_equal(inet_pton(af, src, t), 1);
	assert_int_equal(inet_pton(af, dst, t + 20), 1);
	be = htons(su);
	memcpy(t + 16, &be, 2);
	memcpy(t + 18, &l3, 2);
	be = htons(du);
	memcpy(t + 36, &be, 2);
	t[38] = proto;
}

static size_t ct_index(void)
{
	int i = rete_xsection_find("ct");

	assert_true(i >= 0);
	return (size_t)i;
}

static void test_decode_tcp_nat(void **state)
{
	struct rete_sec_ct r = { 0 };
	struct rete_ct ct = { 0 };

	(void)state;
	r.state = 2;	/* IP_CT_NEW */
	r.flags = RETE_CT_F_CONN | RETE_CT_F_ZONE | RETE_CT_F_MARK;
	r.zone_id = 7;
	r.zone_dir = 3;
	r.mark = 0x10;
	r.status = 0x188;
	r.proto_state = 1;	/* SYN_SENT */
	tuple(r.tuple[0], AF_INET, "192.0.2.1", "198.51.100.2", 6, 40000, 80);
	tuple(r.tuple[1], AF_INET, "198.51.100.2", "198.51.100.254", 6, 80, 61000);
	assert_int_equal(rete_section_ct.decode(&ct, RETE_SEC_T_MAIN, &r, sizeof(r), NULL), 0);
	assert_int_equal(ct.state, RETE_CT_NEW);
	assert_string_equal(ct.base.orig.src, "192.0.2.1");
	assert_string_equal(ct.base.reply.dst, "198.51.100.254");
	assert_int_equal(ct.base.orig.proto, RETE_CT_TCP);
	assert_int_equal(ct.base.orig.sport, 40000);
	assert_int_equal(ct.base.reply.dport, 61000);
	assert_int_equal(ct.base.zone_id, 7);
	assert_int_equal(ct.base.zone_dir, RETE_CT_ZONE_DEFAULT);
	assert_true(ct.base.has_mark);
	assert_int_equal(ct.base.mark, 0x10);
	assert_true(ct.base.has_proto_state);
	assert_string_equal(ct.base.proto_state, "SYN_SENT");
	assert_false(ct.base.has_labels);
	assert_int_equal(ct.base.ct_status, 0x188);
	assert_false(ct.has_parent);
}

static void test_decode_v6_icmp_labels_parent(void **state)
{
	struct rete_sec_ct r = { 0 }, p = { 0 };
	struct rete_ct ct = { 0 };
	uint64_t lo = 0x5, hi = 0x1;

	(void)state;
	r.state = 4;	/* IP_CT_RELATED_REPLY */
	r.flags = RETE_CT_F_CONN | RETE_CT_F_LABELS | RETE_CT_F_ZONE;
	r.zone_dir = 2;
	tuple(r.tuple[0], AF_INET6, "2001:db8::1", "2001:db8::2", 58, 0x1234, 0);
	r.tuple[0][36] = 128;	/* echo request */
	tuple(r.tuple[1], AF_INET6, "2001:db8::2", "2001:db8::1", 58, 0x1234, 0);
	r.tuple[1][36] = 129;
	memcpy(r.labels, &lo, 8);
	memcpy(r.labels + 8, &hi, 8);
	p.flags = RETE_CT_F_CONN;
	p.proto_state = 42;	/* beyond the names: the number */
	tuple(p.tuple[0], AF_INET, "192.0.2.1", "192.0.2.2", 6, 40000, 21);
	tuple(p.tuple[1], AF_INET, "192.0.2.2", "192.0.2.1", 6, 21, 40000);
	assert_int_equal(rete_section_ct.decode(&ct, RETE_SEC_T_MAIN, &r, sizeof(r), NULL), 0);
	assert_int_equal(rete_section_ct.decode(&ct, RETE_SEC_T_CT_PARENT, &p, sizeof(p), NULL), 0);
	assert_int_equal(ct.state, RETE_CT_RELATED_REPLY);
	assert_int_equal(ct.base.orig.version, 1);
	assert_string_equal(ct.base.orig.src, "2001:db8::1");
	assert_int_equal(ct.base.orig.proto, RETE_CT_ICMP);
	assert_int_equal(ct.base.orig.id, 0x1234);
	assert_int_equal(ct.base.orig.type, 128);
	assert_int_equal(ct.base.reply.type, 129);
	assert_int_equal(ct.base.zone_dir, RETE_CT_ZONE_REPLY);
	assert_false(ct.base.has_mark);
	assert_true(ct.base.has_labels);
	assert_int_equal(ct.base.labels[0], 1);
	assert_int_equal(ct.base.labels[1], 5);
	assert_false(ct.base.has_proto_state);
	assert_true(ct.has_parent);
	assert_int_equal(ct.parent.zone_dir, RETE_CT_ZONE_NONE);
	assert_string_equal(ct.parent.proto_state, "42");
	assert_int_equal(ct.parent.orig.dport, 21);
}

static void test_decode_untracked_and_unsupported(void **state)
{
	struct rete_sec_ct r = { 0 };
	struct rete_ct ct = { 0 };

	(void)state;
	/* notrack: state 7 and no connection. */
	r.state = 7;
	assert_int_equal(rete_section_ct.decode(&ct, RETE_SEC_T_MAIN, &r, sizeof(r), NULL), 0);
	assert_int_equal(ct.state, RETE_CT_UNTRACKED);
	assert_int_equal(ct.base.zone_dir, RETE_CT_ZONE_NONE);
	assert_true(ct.base.has_ct_status);
	/* GRE: no section (as Retis), an unknown state neither, a short record is an error. */
	memset(&ct, 0, sizeof(ct));
	r.state = 0;
	r.flags = RETE_CT_F_CONN;
	tuple(r.tuple[0], AF_INET, "192.0.2.1", "192.0.2.2", 47, 0, 0);
	tuple(r.tuple[1], AF_INET, "192.0.2.2", "192.0.2.1", 47, 0, 0);
	assert_int_equal(rete_section_ct.decode(&ct, RETE_SEC_T_MAIN, &r, sizeof(r), NULL), 1);
	r.state = 5;
	assert_int_equal(rete_section_ct.decode(&ct, RETE_SEC_T_MAIN, &r, sizeof(r), NULL), 1);
	assert_int_equal(rete_section_ct.decode(&ct, RETE_SEC_T_MAIN, &r, sizeof(r) - 1, NULL), -EINVAL);
}

/* Through the record decoder: a dropped main section takes its parent with it. */
static void test_record(void **state)
{
	struct rete_probe_set set = { 0 };
	struct rete_decoder d;
	struct rete_event ev = { 0 };
	_Alignas(8) uint8_t buf[512];
	struct rete_raw_hdr h = { .abi = RETE_ABI_VERSION };
	struct rete_sec_hdr sh = { .owner = RETE_OWNER_CT, .size = sizeof(struct rete_sec_ct) };
	struct rete_sec_ct r = { .state = 3, .flags = RETE_CT_F_CONN };
	size_t off = sizeof(h);
	const struct rete_ct *ct;

	(void)state;
	rete_decoder_init(&d, &set, NULL, NULL);
	tuple(r.tuple[0], AF_INET, "192.0.2.1", "192.0.2.2", 17, 5000, 53);
	tuple(r.tuple[1], AF_INET, "192.0.2.2", "192.0.2.1", 17, 53, 5000);
	for (int i = 0; i < 2; i++) {
		sh.type = i ? RETE_SEC_T_CT_PARENT : RETE_SEC_T_MAIN;
		memcpy(buf + off, &sh, sizeof(sh));
		memcpy(buf + off + sizeof(sh), &r, sizeof(r));
		off += sizeof(sh) + sizeof(r);
	}
	h.size = (uint32_t)off;
	h.nsec = 2;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(rete_decode(&d, buf, off, &ev), 0);
	ct = rete_event_xsec_get(&ev, ct_index());
	assert_non_null(ct);
	assert_int_equal(ct->state, RETE_CT_REPLY);
	assert_int_equal(ct->base.orig.proto, RETE_CT_UDP);
	assert_true(ct->has_parent);

	/* GRE main section: no ct section at all, parent included. */
	tuple(r.tuple[0], AF_INET, "192.0.2.1", "192.0.2.2", 47, 0, 0);
	memcpy(buf + sizeof(h) + sizeof(sh), &r, sizeof(r));
	assert_int_equal(rete_decode(&d, buf, off, &ev), 0);
	assert_null(rete_event_xsec_get(&ev, ct_index()));
	assert_int_equal(d.bad_records, 0);
	rete_event_free(&ev);
	rete_decoder_release(&d);
}

static void write_read(const char *line, struct rete_strbuf *out)
{
	struct rete_event ev = { 0 }, ev2 = { 0 };
	struct rete_strbuf again = RETE_STRBUF_INIT;

	if (rete_json_read_event(&ev, line, strlen(line), err, sizeof(err)))
		fail_msg("reading %s: %s", line, err);
	assert_non_null(rete_event_xsec_get(&ev, ct_index()));
	assert_null(rete_event_find_extra(&ev, "ct"));
	rete_strbuf_reset(out);
	assert_int_equal(rete_json_write_event(&ev, out), 0);
	assert_int_equal(rete_json_read_event(&ev2, out->buf, out->len, err, sizeof(err)), 0);
	assert_memory_equal(rete_event_xsec_get(&ev, ct_index()),
			    rete_event_xsec_get(&ev2, ct_index()), sizeof(struct rete_ct));
	assert_int_equal(rete_json_write_event(&ev2, &again), 0);
	assert_string_equal(out->buf, again.buf);
	rete_strbuf_free(&again);
	rete_event_free(&ev);
	rete_event_free(&ev2);
}

static const char full[] =
	"{\"ct\":{\"state\":\"established\",\"zone_id\":5,\"zone_dir\":\"Reply\",\"orig\":{\"ip\":"
	"{\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"version\":\"v4\"},\"proto\":{\"tcp\":"
	"{\"sport\":40000,\"dport\":21}}},\"reply\":{\"ip\":{\"src\":\"10.0.0.2\",\"dst\":"
	"\"10.0.0.1\",\"version\":\"v4\"},\"proto\":{\"tcp\":{\"sport\":21,\"dport\":40000}}},"
	"\"proto_state\":\"ESTABLISHED\",\"mark\":3,\"labels\":{\"hi\":1,\"lo\":2},"
	"\"ct_status\":398,\"parent\":{\"zone_id\":0,\"zone_dir\":\"Original\",\"orig\":{\"ip\":"
	"{\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"version\":\"v4\"},\"proto\":{\"tcp\":"
	"{\"sport\":40001,\"dport\":21}}},\"reply\":{\"ip\":{\"src\":\"10.0.0.2\",\"dst\":"
	"\"10.0.0.1\",\"version\":\"v4\"},\"proto\":{\"tcp\":{\"sport\":21,\"dport\":40001}}},"
	"\"ct_status\":8}}}";

static void test_json_round_trip(void **state)
{
	struct rete_strbuf out = RETE_STRBUF_INIT;

	(void)state;
	/* Retis's field order: written back byte for byte. */
	write_read(full, &out);
	assert_string_equal(out.buf, full);
	/* Retis 1.6's "tcp_state" reads as proto_state (written under the current name). */
	write_read("{\"ct\":{\"state\":\"new\",\"zone_id\":0,\"zone_dir\":\"Default\",\"orig\":{\"ip\":"
		   "{\"src\":\"a\",\"dst\":\"b\",\"version\":\"v6\"},\"proto\":{\"tcp\":{\"sport\":1,"
		   "\"dport\":2}}},\"reply\":{\"ip\":{\"src\":\"b\",\"dst\":\"a\",\"version\":\"v6\"},"
		   "\"proto\":{\"tcp\":{\"sport\":2,\"dport\":1}}},\"tcp_state\":\"SYN_SENT\","
		   "\"ct_status\":0}}",
		   &out);
	assert_non_null(strstr(out.buf, "\"proto_state\":\"SYN_SENT\""));
	assert_null(strstr(out.buf, "tcp_state"));
	/* No ct_status (Retis 1.5 layout): stays absent. */
	write_read("{\"ct\":{\"state\":\"reply\",\"zone_id\":0,\"zone_dir\":\"Default\",\"orig\":{\"ip\":"
		   "{\"src\":\"a\",\"dst\":\"b\",\"version\":\"v4\"},\"proto\":{\"icmp\":{\"code\":0,"
		   "\"type\":8,\"id\":1}}},\"reply\":{\"ip\":{\"src\":\"b\",\"dst\":\"a\",\"version\":"
		   "\"v4\"},\"proto\":{\"icmp\":{\"code\":0,\"type\":0,\"id\":1}}}}}",
		   &out);
	assert_null(strstr(out.buf, "ct_status"));
	rete_strbuf_free(&out);
}

/* What does not fit the description is kept verbatim as an extra section. */
static void test_json_unknown_layouts(void **state)
{
	static const char *const lines[] = {
		"{\"ct\":{\"state\":\"bogus\"}}",
		"{\"ct\":{}}",
		"{\"ct\":[1]}",
		"{\"ct\":{\"state\":\"new\",\"zone_id\":70000}}",
	};
	struct rete_strbuf out = RETE_STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct rete_event ev = { 0 };

		if (rete_json_read_event(&ev, lines[i], strlen(lines[i]), err, sizeof(err)))
			fail_msg("reading %s: %s", lines[i], err);
		assert_null(rete_event_xsec_get(&ev, ct_index()));
		assert_non_null(rete_event_find_extra(&ev, "ct"));
		rete_strbuf_reset(&out);
		assert_int_equal(rete_json_write_event(&ev, &out), 0);
		assert_string_equal(out.buf, lines[i]);
		rete_event_free(&ev);
	}
	rete_strbuf_free(&out);
}

/* The writer's bound holds for the largest values a ct section can take. */
static void test_bound(void **state)
{
	struct rete_ct *ct = calloc(1, sizeof(*ct));
	const struct rete_section_desc *d = rete_xsection(ct_index());
	char *buf;
	size_t n;

	(void)state;
	assert_non_null(ct);
	for (int i = 0; i < 2; i++) {
		struct rete_ct_conn *c = i ? &ct->parent : &ct->base;

		memset(c->orig.src, '"', sizeof(c->orig.src) - 1);
		memset(c->orig.dst, 0x01, sizeof(c->orig.dst) - 1);
		memset(c->reply.src, '\\', sizeof(c->reply.src) - 1);
		memset(c->reply.dst, 0xff, sizeof(c->reply.dst) - 1);
		memset(c->proto_state, 0x1f, sizeof(c->proto_state) - 1);
		c->zone_id = UINT16_MAX;
		c->orig.proto = c->reply.proto = RETE_CT_ICMP;
		c->has_proto_state = c->has_mark = c->has_labels = c->has_ct_status = true;
		c->mark = UINT32_MAX;
		c->labels[0] = c->labels[1] = c->ct_status = UINT64_MAX;
		c->orig.id = c->reply.id = UINT16_MAX;
		c->orig.code = c->orig.type = UINT8_MAX;
		c->zone_dir = RETE_CT_ZONE_DEFAULT;
	}
	ct->has_parent = true;
	ct->state = RETE_CT_RELATED_REPLY;
	n = rete_fields_bound(d->fields);
	buf = malloc(n);
	assert_non_null(buf);
	assert_true((size_t)(rete_fields_write(buf, d->fields, ct) - buf) <= n);
	free(buf);
	free(ct);
}

static void text_of(const char *line, bool single, const char *want)
{
	struct rete_text_opts opts = { .single_line = single };
	struct rete_strbuf out = RETE_STRBUF_INIT;
	struct rete_event ev = { 0 };
	const char *body;

	assert_int_equal(rete_json_read_event(&ev, line, strlen(line), err, sizeof(err)), 0);
	assert_int_equal(rete_text_event(&ev, &opts, &out), 0);
	body = strstr(out.buf, "ct_state");
	assert_non_null(body);
	assert_string_equal(body, want);
	rete_strbuf_free(&out);
	rete_event_free(&ev);
}

static void test_text(void **state)
{
	struct rete_sec_ct r = { .state = 7 };
	struct rete_strbuf out = RETE_STRBUF_INIT;
	struct rete_ct ct = { 0 };

	(void)state;
	text_of(full, false,
		"ct_state ESTABLISHED status 0x18e tcp (ESTABLISHED) orig [10.0.0.1.40000 > "
		"10.0.0.2.21] reply [10.0.0.2.21 > 10.0.0.1.40000] reply-zone 5 mark 3 labels "
		"0x10000000000000002\n  \\ parent [status 0x8 tcp (UNKNOWN) orig [10.0.0.1.40001 > "
		"10.0.0.2.21] reply [10.0.0.2.21 > 10.0.0.1.40001] orig-zone 0]");
	/* Untracked: no connection, nothing but the state. */
	assert_int_equal(rete_section_ct.decode(&ct, RETE_SEC_T_MAIN, &r, sizeof(r), NULL), 0);
	assert_int_equal(rete_section_ct.text(&ct, true, &out), 0);
	assert_string_equal(out.buf, "ct_state UNTRACKED");
	rete_strbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_tcp_nat),
		cmocka_unit_test(test_decode_v6_icmp_labels_parent),
		cmocka_unit_test(test_decode_untracked_and_unsupported),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_unknown_layouts),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
