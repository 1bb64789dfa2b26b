/*
 * pcapng writer (process/pcapng.h) and the event JSON schema (events/schema.h):
 * block layout, padding, options, one interface per probe, limits, write
 * errors, libpcap reading the result back, and the packet blocks of the
 * Retis sample (test_events_packets.json -> test_events_packets.pcap) byte
 * for byte.
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

#include <json-c/json.h>
#include <pcap/pcap.h>

#include "collectors/ct/ct_section.h"
#include "collectors/nft/nft_section.h"
#include "events/section.h"
#include "events/event.h"
#include "events/json.h"
#include "events/reader.h"
#include "events/schema.h"
#include "events/text.h"
#include "process/pcapng.h"

/* ---- helpers ---- */

struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
}

static void mem_close(struct mem *m)
{
	assert_int_equal(fclose(m->f), 0);
	m->f = NULL;
}

static uint32_t le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint16_t le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

/* A block at buf+off: checks both length fields, returns its length. */
static uint32_t check_block(const char *buf, size_t len, size_t off, uint32_t type)
{
	uint32_t bl;

	assert_true(off + 12 <= len);
	assert_int_equal(le32(buf + off), type);
	bl = le32(buf + off + 4);
	assert_int_equal(bl % 4, 0);
	assert_true(off + bl <= len);
	assert_int_equal(le32(buf + off + bl - 4), bl);
	return bl;
}

struct opt {
	uint16_t code;
	uint16_t len;
	const char *val;
};

/*
 * Options from p to end: fills opts, checks zero padding and that the list
 * ends with opt_endofopt exactly at end. Returns the count (without endofopt).
 */
static size_t parse_opts(const char *p, const char *end, struct opt *opts, size_t max)
{
	size_t n = 0;

	for (;;) {
		uint16_t code, len;
		size_t padded;

		assert_true(p + 4 <= end);
		code = le16(p);
		len = le16(p + 2);
		if (code == 0) {
			assert_int_equal(len, 0);
			assert_ptr_equal(p + 4, end);
			return n;
		}
		padded = (len + 3u) & ~3u;
		assert_true(p + 4 + padded <= end);
		for (size_t i = len; i < padded; i++)
			assert_int_equal(p[4 + i], 0);
		assert_true(n < max);
		opts[n].code = code;
		opts[n].len = len;
		opts[n].val = p + 4;
		n++;
		p += 4 + padded;
	}
}

static void set_common(struct rete_event *ev, uint64_t ts)
{
	rete_event_set(ev, RETE_SEC_COMMON);
	ev->common.timestamp = ts;
	ev->common.has_smp_id = true;
	ev->common.smp_id = 3;
	ev->common.has_task = true;
	ev->common.pid = ev->common.tgid = 42;
	snprintf(ev->common.comm, sizeof(ev->common.comm), "ping");
}

static void set_kernel(struct rete_event *ev, const char *type, const char *symbol)
{
	rete_event_set(ev, RETE_SEC_KERNEL);
	snprintf(ev->kernel.probe_type, sizeof(ev->kernel.probe_type), "%s", type);
	snprintf(ev->kernel.symbol, sizeof(ev->kernel.symbol), "%s", symbol);
}

/* An Ethernet + IPv4 + ICMP echo request, captured in full (98 bytes). */
static void set_packet(struct rete_event *ev, uint32_t caplen, uint32_t len)
{
	uint8_t *d = rete_event_alloc(ev, caplen ? caplen : 1);
	static const uint8_t head[] = {
		0xfa, 0x5c, 0xbd, 0x8e, 0xcc, 0x01, 0xa6, 0xc2, 0x11, 0x71, 0x59, 0x45, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x54, 0xa3, 0xf9, 0x40, 0x00, 0x40, 0x01, 0x1b, 0x49, 0xc0, 0xa8,
		0x7d, 0x0a, 0xc0, 0xa8, 0x7d, 0x0b, 0x08, 0x00, 0x40, 0x5a, 0x71, 0x4c, 0x00, 0x01,
	};

	assert_non_null(d);
	for (uint32_t i = 0; i < caplen; i++)
		d[i] = i < sizeof(head) ? head[i] : (uint8_t)i;
	rete_event_set(ev, RETE_SEC_PACKET);
	ev->packet.data = d;
	ev->packet.capture_len = caplen;
	ev->packet.len = len;
}

static char *shared_file(const char *name)
{
	const char *shared = getenv("RETE_SHARED");
	char *path;

	if (!shared || !*shared)
		shared = "../shared";
	if (asprintf(&path, "%s/reference/retis-events/%s", shared, name) < 0)
		return NULL;
	return path;
}

/* ---- block layout ---- */

static void test_section_header(void **state)
{
	static const uint8_t want[] = {
		0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0x00, 0x00, 0x00, 0x4d, 0x3c, 0x2b, 0x1a,
		0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x1c, 0x00, 0x00, 0x00,
	};
	struct rete_pcapng *w;
	struct mem m;

	mem_open(&m);
	assert_int_equal(rete_pcapng_new(m.f, NULL, 0, &w), 0);
	assert_int_equal(rete_pcapng_flush(w), 0);
	rete_pcapng_free(w);
	mem_close(&m);
	assert_int_equal(m.len, sizeof(want));
	assert_memory_equal(m.buf, want, sizeof(want));
	free(m.buf);
	(void)state;
}

static void test_custom_block_padding(void **state)
{
	static const char data[] = "{\"a\":12345}";

	for (size_t n = 0; n <= 8; n++) {
		struct rete_pcapng *w;
		struct mem m;
		uint32_t bl;

		mem_open(&m);
		assert_int_equal(rete_pcapng_new(m.f, data, n, &w), 0);
		rete_pcapng_free(w);
		mem_close(&m);
		bl = check_block(m.buf, m.len, 28, RETE_PCAPNG_CB_COPY);
		assert_int_equal(bl, 16 + ((n + 3) & ~3u));
		assert_int_equal(m.len, 28 + bl);
		assert_int_equal(le32(m.buf + 28 + 8), RETE_PCAPNG_PEN);
		assert_memory_equal(m.buf + 28 + 12, data, n);
		for (size_t i = n; i < bl - 16; i++)
			assert_int_equal(m.buf[28 + 12 + i], 0);
		free(m.buf);
	}
	(void)state;
}

static void test_interfaces(void **state)
{
	const char *desc;
	struct rete_pcapng *w;
	struct opt o[8];
	struct mem m;
	uint32_t id, bl;
	size_t off = 28, n;

	mem_open(&m);
	assert_int_equal(rete_pcapng_new(m.f, NULL, 0, &w), 0);
	assert_int_equal(rete_pcapng_interface(w, "raw_tracepoint/net:netif_receive_skb", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(rete_pcapng_interface(w, "kprobe/ip_rcv", &id), 0);
	assert_int_equal(id, 1);
	/* Known names: same id, no new block. */
	assert_int_equal(rete_pcapng_interface(w, "raw_tracepoint/net:netif_receive_skb", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(rete_pcapng_interface(w, "kprobe/ip_rcv", &id), 0);
	assert_int_equal(id, 1);
	rete_pcapng_free(w);
	mem_close(&m);

	bl = check_block(m.buf, m.len, off, RETE_PCAPNG_IDB);
	assert_int_equal(le16(m.buf + off + 8), RETE_PCAPNG_LINKTYPE_ETHERNET);
	assert_int_equal(le16(m.buf + off + 10), 0);
	assert_int_equal(le32(m.buf + off + 12), 65535);
	n = parse_opts(m.buf + off + 16, m.buf + off + bl - 4, o, 8);
	assert_int_equal(n, 3);
	assert_int_equal(o[0].code, RETE_PCAPNG_IF_NAME);
	assert_int_equal(o[0].len, strlen("raw_tracepoint/net:netif_receive_skb"));
	assert_memory_equal(o[0].val, "raw_tracepoint/net:netif_receive_skb", o[0].len);
	assert_int_equal(o[1].code, RETE_PCAPNG_IF_DESCRIPTION);
	desc = "Fake interface for probe raw_tracepoint/net:netif_receive_skb";
	assert_int_equal(o[1].len, strlen(desc));
	assert_memory_equal(o[1].val, desc, o[1].len);
	assert_int_equal(o[2].code, RETE_PCAPNG_IF_TSRESOL);
	assert_int_equal(o[2].len, 1);
	assert_int_equal(o[2].val[0], 9);
	off += bl;
	bl = check_block(m.buf, m.len, off, RETE_PCAPNG_IDB);
	n = parse_opts(m.buf + off + 16, m.buf + off + bl - 4, o, 8);
	assert_int_equal(n, 3);
	assert_memory_equal(o[0].val, "kprobe/ip_rcv", o[0].len);
	off += bl;
	assert_int_equal(off, m.len);
	free(m.buf);
	(void)state;
}

static void test_packet_block(void **state)
{
	static const uint8_t data[] = { 1, 2, 3, 4, 5 };
	struct rete_pcapng_packet p = {
		.ts_ns = 0x0123456789abcdefULL,
		.data = data,
		.caplen = 5,
		.origlen = 60,
		.comment = "line 1\n  line 2",
		.comment_len = 15,
		.json = "{\"x\":1}",
		.json_len = 7,
	};
	struct rete_pcapng *w;
	struct opt o[8];
	struct mem m;
	uint32_t id, bl;
	size_t off, n;

	mem_open(&m);
	assert_int_equal(rete_pcapng_new(m.f, NULL, 0, &w), 0);
	/* No such interface yet. */
	assert_int_equal(rete_pcapng_packet(w, &p), -EINVAL);
	assert_int_equal(rete_pcapng_interface(w, "a", &id), 0);
	p.ifid = id;
	assert_int_equal(rete_pcapng_packet(w, &p), 0);
	/* No option: no opt_endofopt either. Original length raised to the captured one. */
	p.comment = NULL;
	p.json = NULL;
	p.origlen = 2;
	assert_int_equal(rete_pcapng_packet(w, &p), 0);
	assert_int_equal(rete_pcapng_stats(w)->packets, 2);
	rete_pcapng_free(w);
	mem_close(&m);

	off = 28;
	off += check_block(m.buf, m.len, off, RETE_PCAPNG_IDB);
	bl = check_block(m.buf, m.len, off, RETE_PCAPNG_EPB);
	assert_int_equal(le32(m.buf + off + 8), 0);
	assert_int_equal(le32(m.buf + off + 12), 0x01234567);
	assert_int_equal(le32(m.buf + off + 16), 0x89abcdef);
	assert_int_equal(le32(m.buf + off + 20), 5);
	assert_int_equal(le32(m.buf + off + 24), 60);
	assert_memory_equal(m.buf + off + 28, data, 5);
	assert_int_equal(m.buf[off + 33], 0);
	assert_int_equal(m.buf[off + 34], 0);
	assert_int_equal(m.buf[off + 35], 0);
	n = parse_opts(m.buf + off + 36, m.buf + off + bl - 4, o, 8);
	assert_int_equal(n, 2);
	assert_int_equal(o[0].code, RETE_PCAPNG_OPT_COMMENT);
	assert_int_equal(o[0].len, 15);
	assert_memory_equal(o[0].val, "line 1\n  line 2", 15);
	assert_int_equal(o[1].code, RETE_PCAPNG_OPT_CUSTOM_STR_COPY);
	assert_int_equal(o[1].len, 4 + 7);
	assert_int_equal(le32(o[1].val), RETE_PCAPNG_PEN);
	assert_memory_equal(o[1].val + 4, "{\"x\":1}", 7);
	off += bl;
	bl = check_block(m.buf, m.len, off, RETE_PCAPNG_EPB);
	assert_int_equal(bl, 32 + 8);
	assert_int_equal(le32(m.buf + off + 24), 5);
	off += bl;
	assert_int_equal(off, m.len);
	free(m.buf);
	(void)state;
}

/* Options hold at most 65535 bytes: comments are cut on a UTF-8 boundary, JSON left out. */
static void test_option_limits(void **state)
{
	size_t big = 70000;
	char *comment = malloc(big), *json = malloc(big);
	struct rete_pcapng_packet p = { .data = (const uint8_t *)"x", .caplen = 1, .origlen = 1 };
	struct rete_pcapng *w;
	struct opt o[8];
	struct mem m;
	uint32_t bl;
	size_t off, n;

	assert_non_null(comment);
	assert_non_null(json);
	/* "é" (2 bytes) repeated: 65535 falls in the middle of one. */
	for (size_t i = 0; i + 1 < big; i += 2) {
		comment[i] = (char)0xc3;
		comment[i + 1] = (char)0xa9;
	}
	memset(json, ' ', big);
	mem_open(&m);
	assert_int_equal(rete_pcapng_new(m.f, NULL, 0, &w), 0);
	assert_int_equal(rete_pcapng_interface(w, "a", &p.ifid), 0);
	p.comment = comment;
	p.comment_len = big;
	p.json = json;
	p.json_len = 65532;
	assert_int_equal(rete_pcapng_packet(w, &p), 0);
	p.comment_len = 65535;
	p.json_len = 65531;
	assert_int_equal(rete_pcapng_packet(w, &p), 0);
	assert_int_equal(rete_pcapng_stats(w)->comments_cut, 1);
	assert_int_equal(rete_pcapng_stats(w)->json_dropped, 1);
	rete_pcapng_free(w);
	mem_close(&m);

	off = 28;
	off += check_block(m.buf, m.len, off, RETE_PCAPNG_IDB);
	bl = check_block(m.buf, m.len, off, RETE_PCAPNG_EPB);
	n = parse_opts(m.buf + off + 32, m.buf + off + bl - 4, o, 8);
	assert_int_equal(n, 1);
	assert_int_equal(o[0].code, RETE_PCAPNG_OPT_COMMENT);
	assert_int_equal(o[0].len, 65534);
	off += bl;
	bl = check_block(m.buf, m.len, off, RETE_PCAPNG_EPB);
	n = parse_opts(m.buf + off + 32, m.buf + off + bl - 4, o, 8);
	assert_int_equal(n, 2);
	assert_int_equal(o[0].len, 65535);
	assert_int_equal(o[1].len, 65535);
	free(m.buf);
	free(comment);
	free(json);
	(void)state;
}

static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct rete_pcapng *w;

	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(rete_pcapng_new(f, NULL, 0, &w), -ENOSPC);
	fclose(f);
	/* Buffered: the error shows at the flush and then sticks. */
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	assert_int_equal(rete_pcapng_new(f, "{}", 2, &w), 0);
	assert_int_equal(rete_pcapng_flush(w), -ENOSPC);
	assert_int_equal(rete_pcapng_error(w), -ENOSPC);
	uint32_t id;

	assert_int_equal(rete_pcapng_interface(w, "a", &id), -ENOSPC);
	rete_pcapng_free(w);
	fclose(f);
	(void)state;
}

/* ---- events ---- */

static void test_event(void **state)
{
	static const struct rete_text_opts topts;
	struct rete_event ev = { 0 }, nopkt = { 0 }, back = { 0 };
	struct rete_strbuf text = RETE_STRBUF_INIT;
	struct rete_pcapng *w;
	struct opt o[8];
	char err[256];
	struct mem m;
	uint32_t bl;
	size_t off, n;

	set_common(&ev, 5000000000ULL);
	set_kernel(&ev, "raw_tracepoint", "net:netif_receive_skb");
	set_packet(&ev, 98, 98);
	rete_event_set(&ev, RETE_SEC_DEV);
	snprintf(ev.dev.name, sizeof(ev.dev.name), "eth0");
	ev.dev.ifindex = 2;
	assert_int_equal(rete_text_event(&ev, &topts, &text), 0);

	mem_open(&m);
	assert_int_equal(rete_pcapng_new(m.f, NULL, 0, &w), 0);
	/* Wall time = monotonic + offset (1000 s - 0.5 s here). */
	rete_pcapng_set_clock_offset(w, 999, 500000000);
	assert_int_equal(rete_pcapng_event(w, &ev), 0);
	/* Second event of the same probe: no new interface. */
	assert_int_equal(rete_pcapng_event(w, &ev), 0);
	set_common(&nopkt, 1);
	set_kernel(&nopkt, "raw_tracepoint", "skb:kfree_skb");
	assert_int_equal(rete_pcapng_event(w, &nopkt), -ENODATA);
	nopkt.present = 0;
	set_common(&nopkt, 1);
	set_packet(&nopkt, 14, 14);
	assert_int_equal(rete_pcapng_event(w, &nopkt), -ENOENT);
	rete_pcapng_free(w);
	mem_close(&m);

	off = 28;
	bl = check_block(m.buf, m.len, off, RETE_PCAPNG_IDB);
	n = parse_opts(m.buf + off + 16, m.buf + off + bl - 4, o, 8);
	assert_memory_equal(o[0].val, "raw_tracepoint/net:netif_receive_skb", o[0].len);
	off += bl;
	for (int i = 0; i < 2; i++) {
		uint64_t ts;

		bl = check_block(m.buf, m.len, off, RETE_PCAPNG_EPB);
		ts = (uint64_t)le32(m.buf + off + 12) << 32 | le32(m.buf + off + 16);
		assert_int_equal(ts, 1004500000000ULL);
		assert_int_equal(le32(m.buf + off + 20), 98);
		assert_int_equal(le32(m.buf + off + 24), 98);
		assert_memory_equal(m.buf + off + 28, ev.packet.data, 98);
		n = parse_opts(m.buf + off + 28 + 100, m.buf + off + bl - 4, o, 8);
		assert_int_equal(n, 2);
		/* The comment is the text rendering, packet line included. */
		assert_int_equal(o[0].len, text.len);
		assert_memory_equal(o[0].val, text.buf, text.len);
		assert_non_null(strstr(text.buf, "192.168.125.10 > 192.168.125.11"));
		/* The JSON is the event without its packet section. */
		assert_int_equal(le32(o[1].val), RETE_PCAPNG_PEN);
		assert_int_equal(rete_json_read_event(&back, o[1].val + 4, o[1].len - 4u, err,
						      sizeof(err)),
				 0);
		assert_false(rete_event_has(&back, RETE_SEC_PACKET));
		assert_true(rete_event_has(&back, RETE_SEC_DEV));
		assert_int_equal(back.common.timestamp, 5000000000ULL);
		assert_string_equal(back.kernel.symbol, "net:netif_receive_skb");
		off += bl;
	}
	assert_int_equal(off, m.len);
	rete_event_free(&ev);
	rete_event_free(&nopkt);
	rete_event_free(&back);
	rete_strbuf_free(&text);
	free(m.buf);
	(void)state;
}

/* Many probes: ids stay stable through table growth; the bound is enforced. */
static void test_many_interfaces(void **state)
{
	struct rete_pcapng *w;
	struct mem m;
	char name[32];
	uint32_t id;

	mem_open(&m);
	assert_int_equal(rete_pcapng_new(m.f, NULL, 0, &w), 0);
	for (uint32_t i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "kprobe/f%u", i);
		assert_int_equal(rete_pcapng_interface(w, name, &id), 0);
		assert_int_equal(id, i);
	}
	for (uint32_t i = 0; i < 1000; i += 7) {
		snprintf(name, sizeof(name), "kprobe/f%u", i);
		assert_int_equal(rete_pcapng_interface(w, name, &id), 0);
		assert_int_equal(id, i);
	}
	for (uint32_t i = 1000; i < RETE_PCAPNG_MAX_IFACES; i++) {
		snprintf(name, sizeof(name), "k/%u", i);
		assert_int_equal(rete_pcapng_interface(w, name, &id), 0);
	}
	assert_int_equal(rete_pcapng_interface(w, "one too many", &id), -E2BIG);
	assert_int_equal(rete_pcapng_interface(w, "kprobe/f999", &id), 0);
	assert_int_equal(id, 999);
	rete_pcapng_free(w);
	mem_close(&m);
	free(m.buf);
	(void)state;
}

/* libpcap reads what we write: every packet, lengths, ns timestamps. */
static void test_libpcap_reads_back(void **state)
{
	struct rete_event ev = { 0 };
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct rete_pcapng *w;
	struct mem m;
	pcap_t *p;
	FILE *in;
	int n = 0;

	mem_open(&m);
	assert_int_equal(rete_pcapng_new(m.f, "{}", 2, &w), 0);
	set_common(&ev, 1000000001ULL);
	set_kernel(&ev, "raw_tracepoint", "net:netif_receive_skb");
	set_packet(&ev, 60, 1500);
	assert_int_equal(rete_pcapng_event(w, &ev), 0);
	set_kernel(&ev, "kprobe", "ip_rcv");
	ev.common.timestamp = 2000000002ULL;
	assert_int_equal(rete_pcapng_event(w, &ev), 0);
	rete_pcapng_free(w);
	mem_close(&m);

	in = fmemopen(m.buf, m.len, "r");
	assert_non_null(in);
	p = pcap_fopen_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p)
		fail_msg("libpcap: %s", errbuf);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while (pcap_next_ex(p, &h, &data) == 1) {
		n++;
		assert_int_equal(h->caplen, 60);
		assert_int_equal(h->len, 1500);
		assert_int_equal(h->ts.tv_sec, n);
		assert_int_equal(h->ts.tv_usec, n); /* nanoseconds with PRECISION_NANO */
		assert_memory_equal(data, ev.packet.data, 60);
	}
	assert_int_equal(n, 2);
	pcap_close(p);
	rete_event_free(&ev);
	free(m.buf);
	(void)state;
}

/* ---- the Retis sample ---- */

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*ret_len = (size_t)len;
	return buf;
}

/* Convert a JSON file as `rete pcap` does, into memory. */
static void convert(const char *json_path, struct mem *m)
{
	const char *specs[] = { json_path };
	struct rete_reader *r;
	struct rete_event ev = { 0 };
	struct rete_pcapng *w;
	size_t schema_len;
	const char *schema = rete_event_schema(&schema_len);
	char err[512];
	int rc;

	assert_int_equal(rete_reader_open(specs, 1, &r, err, sizeof(err)), 0);
	mem_open(m);
	assert_int_equal(rete_pcapng_new(m->f, schema, schema_len, &w), 0);
	while ((rc = rete_reader_next(r, &ev, err, sizeof(err))) == 1) {
		if (rete_event_has(&ev, RETE_SEC_STARTUP)) {
			rete_pcapng_set_clock_offset(w, ev.startup.mono_offset_sec,
						     ev.startup.mono_offset_nsec);
			continue;
		}
		assert_int_equal(rete_pcapng_event(w, &ev), 0);
	}
	if (rc)
		fail_msg("%s", err);
	rete_pcapng_free(w);
	mem_close(m);
	rete_reader_free(r);
	rete_event_free(&ev);
}

/*
 * Every block but the schema block (Retis's schema describes Retis's event
 * types, ours rete's) is byte-identical to what Retis wrote: interfaces,
 * timestamps, lengths, packet bytes, comments and JSON options.
 */
static void test_retis_sample(void **state)
{
	char *json = shared_file("test_events_packets.json");
	char *pcap = shared_file("test_events_packets.pcap");
	size_t rlen = 0, ra = 0, rb = 0, blocks = 0, epbs = 0;
	struct mem m;
	char *ref;

	assert_non_null(json);
	assert_non_null(pcap);
	ref = slurp(pcap, &rlen);
	if (!ref) {
		print_message("skipping: %s: %s (set RETE_SHARED)\n", pcap, strerror(errno));
		free(json);
		free(pcap);
		skip();
	}
	convert(json, &m);
	while (ra < m.len && rb < rlen) {
		uint32_t ta = le32(m.buf + ra), tb = le32(ref + rb);
		uint32_t la = check_block(m.buf, m.len, ra, ta);
		uint32_t lb = check_block(ref, rlen, rb, tb);

		assert_int_equal(ta, tb);
		if (ta == RETE_PCAPNG_CB_COPY) {
			/* Both hold a JSON schema under Retis's PEN. */
			assert_int_equal(le32(m.buf + ra + 8), le32(ref + rb + 8));
		} else {
			if (la != lb || memcmp(m.buf + ra, ref + rb, la))
				fail_msg("block %zu (type 0x%x) differs from Retis's", blocks, ta);
		}
		epbs += ta == RETE_PCAPNG_EPB;
		blocks++;
		ra += la;
		rb += lb;
	}
	assert_int_equal(ra, m.len);
	assert_int_equal(rb, rlen);
	assert_int_equal(epbs, 26);
	free(m.buf);
	free(ref);
	free(json);
	free(pcap);
	(void)state;
}

/* ---- schema ---- */

static struct json_object *schema_obj;

static struct json_object *resolve(struct json_object *def)
{
	struct json_object *ref, *defs, *target;
	const char *s;

	while (json_object_object_get_ex(def, "$ref", &ref)) {
		s = json_object_get_string(ref);
		assert_int_equal(strncmp(s, "#/$defs/", 8), 0);
		assert_true(json_object_object_get_ex(schema_obj, "$defs", &defs));
		if (!json_object_object_get_ex(defs, s + 8, &target))
			fail_msg("schema: no definition %s", s);
		def = target;
	}
	return def;
}

static bool type_is(struct json_object *def, const char *type)
{
	struct json_object *t;

	if (!json_object_object_get_ex(def, "type", &t))
		return false;
	if (json_object_is_type(t, json_type_string))
		return !strcmp(json_object_get_string(t), type);
	for (size_t i = 0; i < json_object_array_length(t); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(t, i)), type))
			return true;
	return false;
}

/* Check a JSON value against a schema definition (the subset the schema uses). */
static void validate(struct json_object *v, struct json_object *def, const char *path)
{
	struct json_object *any, *props, *req, *items, *sub;

	def = resolve(def);
	/* Our oneOf: single-key objects, {"tcp": {...}} or {"udp": {...}}: take the one v has. */
	if (json_object_object_get_ex(def, "oneOf", &any)) {
		for (size_t i = 0; i < json_object_array_length(any); i++) {
			struct json_object *alt = json_object_array_get_idx(any, i), *r0;

			assert_true(json_object_object_get_ex(alt, "required", &req));
			r0 = json_object_array_get_idx(req, 0);
			if (json_object_object_get_ex(v, json_object_get_string(r0), NULL)) {
				validate(v, alt, path);
				return;
			}
		}
		fail_msg("%s: matches none of the oneOf", path);
	}
	if (json_object_object_get_ex(def, "anyOf", &any)) {
		if (!v)
			return;
		/* Our anyOf is always [definition, null]. */
		validate(v, json_object_array_get_idx(any, 0), path);
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_object:
		if (!type_is(def, "object"))
			fail_msg("%s: object where the schema says otherwise", path);
		assert_true(json_object_object_get_ex(def, "properties", &props));
		json_object_object_foreach(v, key, val)
		{
			char sub_path[256];

			snprintf(sub_path, sizeof(sub_path), "%s.%s", path, key);
			if (!json_object_object_get_ex(props, key, &sub)) {
				/* Pass-through sections are not described, by design. */
				if (!*path)
					continue;
				fail_msg("%s: not in the schema", sub_path);
			}
			validate(val, sub, sub_path);
		}
		if (json_object_object_get_ex(def, "required", &req))
			for (size_t i = 0; i < json_object_array_length(req); i++) {
				struct json_object *k = json_object_array_get_idx(req, i);

				if (!json_object_object_get_ex(v, json_object_get_string(k), NULL))
					fail_msg("%s: required %s missing", path,
						 json_object_get_string(k));
			}
		break;
	case json_type_array:
		if (!type_is(def, "array"))
			fail_msg("%s: array where the schema says otherwise", path);
		assert_true(json_object_object_get_ex(def, "items", &items));
		for (size_t i = 0; i < json_object_array_length(v); i++)
			validate(json_object_array_get_idx(v, i), items, path);
		break;
	case json_type_int:
		if (!type_is(def, "integer"))
			fail_msg("%s: integer where the schema says otherwise", path);
		break;
	case json_type_string:
		if (!type_is(def, "string"))
			fail_msg("%s: string where the schema says otherwise", path);
		break;
	case json_type_boolean:
		if (!type_is(def, "boolean"))
			fail_msg("%s: boolean where the schema says otherwise", path);
		break;
	case json_type_null:
		if (!type_is(def, "null"))
			fail_msg("%s: null where the schema says otherwise", path);
		break;
	default:
		fail_msg("%s: unexpected JSON type", path);
	}
}

static void validate_event(const struct rete_event *ev)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	struct json_object *v;

	assert_int_equal(rete_json_write_event(ev, &sb), 0);
	v = json_tokener_parse(sb.buf);
	assert_non_null(v);
	validate(v, schema_obj, "");
	json_object_put(v);
	rete_strbuf_free(&sb);
}

static void test_schema(void **state)
{
	size_t len;
	const char *s = rete_event_schema(&len);
	struct rete_event ev = { 0 };
	struct json_object *props, *o;
	struct rete_ct *ct;
	struct rete_nft *nft;
	char *json;

	assert_int_equal(strlen(s), len);
	schema_obj = json_tokener_parse(s);
	assert_non_null(schema_obj);
	/* What Retis's Wireshark plugin looks for. */
	assert_true(json_object_object_get_ex(schema_obj, "title", &o));
	assert_true(json_object_object_get_ex(schema_obj, "properties", &props));
	for (int id = 0; id < RETE_SEC_MAX; id++)
		if (!json_object_object_get_ex(props, rete_section_name((enum rete_section_id)id),
					       NULL))
			fail_msg("section %s not described",
				 rete_section_name((enum rete_section_id)id));

	/* Every section and every optional field rete writes. */
	set_common(&ev, 1);
	set_kernel(&ev, "kprobe", "ip_rcv");
	ev.kernel.has_stack = true;
	ev.kernel.nstack = 2;
	ev.kernel.stack[0] = "ip_rcv+0x0";
	ev.kernel.stack[1] = "__netif_receive_skb_one_core+0x8c";
	rete_event_set(&ev, RETE_SEC_SKB_TRACKING);
	rete_event_set(&ev, RETE_SEC_TRACKING);
	rete_event_set(&ev, RETE_SEC_SKB_DROP);
	snprintf(ev.skb_drop.drop_reason, sizeof(ev.skb_drop.drop_reason), "NO_SOCKET");
	snprintf(ev.skb_drop.subsys, sizeof(ev.skb_drop.subsys), "openvswitch");
	set_packet(&ev, 20, 20);
	rete_event_set(&ev, RETE_SEC_SKB);
	ev.skb.has_meta = ev.skb.has_data_ref = ev.skb.has_gso = ev.skb.has_vlan_accel = true;
	ev.skb.vlan_accel.has_proto = true;
	ev.skb.vlan_accel.proto = 0x8100;
	rete_event_set(&ev, RETE_SEC_DEV);
	ev.dev.has_rx_ifindex = true;
	rete_event_set(&ev, RETE_SEC_NETNS);
	ev.netns.has_cookie = true;
	/* A pass-through section: not described, allowed. */
	assert_int_equal(rete_event_add_extra(&ev, "ovs", "{\"event_type\":\"upcall\"}", 24), 0);
	/* nft, described by its collector: every optional field. */
	nft = rete_event_xsec(&ev, (size_t)rete_xsection_find("nft"), true);
	assert_non_null(nft);
	snprintf(nft->verdict, sizeof(nft->verdict), "jump");
	nft->has_verdict_chain = nft->has_rule_handle = true;
	nft->table_handle = -1;
	/* ct, described by its collector: every optional field, and a parent. */
	ct = rete_event_xsec(&ev, (size_t)rete_xsection_find("ct"), true);
	assert_non_null(ct);
	ct->state = RETE_CT_RELATED;
	for (int i = 0; i < 2; i++) {
		struct rete_ct_conn *c = i ? &ct->parent : &ct->base;

		snprintf(c->orig.src, sizeof(c->orig.src), "2001:db8::1");
		c->orig.version = c->reply.version = 1;
		c->orig.proto = c->reply.proto = i ? RETE_CT_TCP : RETE_CT_ICMP;
		c->has_proto_state = i;
		c->has_mark = c->has_labels = c->has_ct_status = true;
	}
	ct->has_parent = true;
	validate_event(&ev);

	rete_event_reset(&ev);
	set_common(&ev, 1);
	rete_event_set(&ev, RETE_SEC_STARTUP);
	ev.startup.cmdline = "rete collect";
	ev.startup.has_machine = true;
	ev.startup.has_split = true;
	validate_event(&ev);

	/* And the Retis sample events, when available. */
	json = shared_file("test_events_packets.json");
	assert_non_null(json);
	if (!access(json, R_OK)) {
		const char *specs[] = { json };
		struct rete_reader *r;
		char err[256];

		assert_int_equal(rete_reader_open(specs, 1, &r, err, sizeof(err)), 0);
		while (rete_reader_next(r, &ev, err, sizeof(err)) == 1)
			validate_event(&ev);
		rete_reader_free(r);
	}
	free(json);
	rete_event_free(&ev);
	json_object_put(schema_obj);
	schema_obj = NULL;
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_section_header),
		cmocka_unit_test(test_custom_block_padding),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_packet_block),
		cmocka_unit_test(test_option_limits),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_event),
		cmocka_unit_test(test_many_interfaces),
		cmocka_unit_test(test_libpcap_reads_back),
		cmocka_unit_test(test_retis_sample),
		cmocka_unit_test(test_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
