#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "events/json.h"
#include "events/text.h"
#include "lib/strbuf.h"
#include "process/pcapng.h"

#define OPT_MAX 0xffffu			/* option lengths are 16 bits */
#define BLOCK_MAX (1u << 30)		/* sanity bound on one block */

struct iface {
	char *name;			/* NULL: free slot */
	uint32_t id;
};

struct rete_pcapng {
	FILE *out;
	int err;			/* first error, sticky */
	struct rete_strbuf blk;		/* block being built */
	struct rete_strbuf text;	/* event comment */
	struct rete_strbuf json;	/* event JSON */
	struct iface *ifaces;		/* open addressing, cap a power of 2 */
	size_t cap, n;
	bool has_offset;
	int64_t off_ns;
	struct rete_pcapng_stats stats;
};

/* ---- block building ------------------------------------------------------ */

static void put_u16(struct rete_strbuf *sb, uint16_t v)
{
	char b[2] = { (char)(v & 0xff), (char)(v >> 8) };

	rete_strbuf_add(sb, b, sizeof(b));
}

static void put_u32(struct rete_strbuf *sb, uint32_t v)
{
	char b[4] = { (char)(v & 0xff), (char)((v >> 8) & 0xff), (char)((v >> 16) & 0xff),
		      (char)(v >> 24) };

	rete_strbuf_add(sb, b, sizeof(b));
}

static void put_pad(struct rete_strbuf *sb)
{
	static const char zeros[4];

	if (sb->len & 3)
		rete_strbuf_add(sb, zeros, 4 - (sb->len & 3));
}

/* Bytes then zero padding to 32 bits. */
static void put_padded(struct rete_strbuf *sb, const void *p, size_t n)
{
	if (n)
		rete_strbuf_add(sb, p, n);
	put_pad(sb);
}

/* One option; n must be at most OPT_MAX (callers cut or drop first). */
static void put_opt(struct rete_strbuf *sb, uint16_t code, const void *p, size_t n)
{
	put_u16(sb, code);
	put_u16(sb, (uint16_t)n);
	put_padded(sb, p, n);
}

static void put_opt_end(struct rete_strbuf *sb)
{
	put_u16(sb, RETE_PCAPNG_OPT_ENDOFOPT);
	put_u16(sb, 0);
}

static void block_begin(struct rete_strbuf *sb, uint32_t type)
{
	rete_strbuf_reset(sb);
	put_u32(sb, type);
	put_u32(sb, 0);		/* total length, set by block_end() */
}

/* Patch the length, add the trailing copy, and write the block out. */
static int block_end(struct rete_pcapng *w)
{
	struct rete_strbuf *sb = &w->blk;
	uint32_t total;

	if (w->err)
		return w->err;
	if (sb->err)
		return w->err = sb->err;
	if (sb->len + 4 > BLOCK_MAX)
		return -E2BIG;
	total = (uint32_t)sb->len + 4;
	put_u32(sb, total);
	if (sb->err)
		return w->err = sb->err;
	sb->buf[4] = (char)(total & 0xff);
	sb->buf[5] = (char)((total >> 8) & 0xff);
	sb->buf[6] = (char)((total >> 16) & 0xff);
	sb->buf[7] = (char)(total >> 24);
	if (fwrite(sb->buf, 1, sb->len, w->out) != sb->len)
		w->err = errno ? -errno : -EIO;
	return w->err;
}

/* ---- writer --------------------------------------------------------------- */

static int write_shb(struct rete_pcapng *w)
{
	block_begin(&w->blk, RETE_PCAPNG_SHB);
	put_u32(&w->blk, 0x1A2B3C4D);	/* byte-order magic */
	put_u16(&w->blk, 1);		/* major */
	put_u16(&w->blk, 0);		/* minor */
	put_u32(&w->blk, 0xffffffff);	/* section length: not given */
	put_u32(&w->blk, 0xffffffff);
	return block_end(w);
}

static int write_custom(struct rete_pcapng *w, const char *data, size_t len)
{
	block_begin(&w->blk, RETE_PCAPNG_CB_COPY);
	put_u32(&w->blk, RETE_PCAPNG_PEN);
	put_padded(&w->blk, data, len);
	return block_end(w);
}

int rete_pcapng_new(FILE *out, const char *schema, size_t schema_len, struct rete_pcapng **ret)
{
	struct rete_pcapng *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return -ENOMEM;
	w->out = out;
	rc = write_shb(w);
	if (!rc && schema)
		rc = write_custom(w, schema, schema_len);
	if (rc) {
		rete_pcapng_free(w);
		return rc;
	}
	*ret = w;
	return 0;
}

void rete_pcapng_free(struct rete_pcapng *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->cap; i++)
		free(w->ifaces[i].name);
	free(w->ifaces);
	rete_strbuf_free(&w->blk);
	rete_strbuf_free(&w->text);
	rete_strbuf_free(&w->json);
	free(w);
}

int rete_pcapng_flush(struct rete_pcapng *w)
{
	if (fflush(w->out) && !w->err)
		w->err = errno ? -errno : -EIO;
	return w->err;
}

int rete_pcapng_error(const struct rete_pcapng *w)
{
	return w->err;
}

const struct rete_pcapng_stats *rete_pcapng_stats(const struct rete_pcapng *w)
{
	return &w->stats;
}

void rete_pcapng_set_clock_offset(struct rete_pcapng *w, int64_t sec, int64_t nsec)
{
	w->has_offset = true;
	/* Wraps like Retis's i64 arithmetic would on absurd values; never UB. */
	w->off_ns = (int64_t)((uint64_t)sec * 1000000000ULL + (uint64_t)nsec);
}

/* ---- interfaces ----------------------------------------------------------- */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static struct iface *iface_slot(struct iface *tab, size_t cap, const char *name)
{
	size_t i = (size_t)name_hash(name) & (cap - 1);

	while (tab[i].name && strcmp(tab[i].name, name))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int ifaces_grow(struct rete_pcapng *w)
{
	size_t cap = w->cap ? w->cap * 2 : 16;
	struct iface *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < w->cap; i++)
		if (w->ifaces[i].name)
			*iface_slot(tab, cap, w->ifaces[i].name) = w->ifaces[i];
	free(w->ifaces);
	w->ifaces = tab;
	w->cap = cap;
	return 0;
}

static int write_idb(struct rete_pcapng *w, const char *name)
{
	static const char prefix[] = "Fake interface for probe ";
	size_t n = strnlen(name, OPT_MAX - sizeof(prefix));
	struct rete_strbuf *sb = &w->blk;
	uint8_t tsresol = 9;

	block_begin(sb, RETE_PCAPNG_IDB);
	put_u16(sb, RETE_PCAPNG_LINKTYPE_ETHERNET);
	put_u16(sb, 0);
	put_u32(sb, RETE_PCAPNG_SNAPLEN);
	put_opt(sb, RETE_PCAPNG_IF_NAME, name, n);
	put_u16(sb, RETE_PCAPNG_IF_DESCRIPTION);
	put_u16(sb, (uint16_t)(sizeof(prefix) - 1 + n));
	rete_strbuf_add(sb, prefix, sizeof(prefix) - 1);
	put_padded(sb, name, n);
	put_opt(sb, RETE_PCAPNG_IF_TSRESOL, &tsresol, 1);
	put_opt_end(sb);
	return block_end(w);
}

int rete_pcapng_interface(struct rete_pcapng *w, const char *name, uint32_t *ret_id)
{
	struct iface *slot;
	int rc;

	if (w->err)
		return w->err;
	if (w->cap) {
		slot = iface_slot(w->ifaces, w->cap, name);
		if (slot->name) {
			*ret_id = slot->id;
			return 0;
		}
	}
	if (w->n >= RETE_PCAPNG_MAX_IFACES)
		return -E2BIG;
	/* Keep the table at most half full. */
	if ((w->n + 1) * 2 > w->cap) {
		rc = ifaces_grow(w);
		if (rc)
			return rc;
	}
	slot = iface_slot(w->ifaces, w->cap, name);
	slot->name = strdup(name);
	if (!slot->name)
		return -ENOMEM;
	slot->id = (uint32_t)w->n++;
	rc = write_idb(w, name);
	if (rc)
		return rc;
	*ret_id = slot->id;
	return 0;
}

/* ---- packets -------------------------------------------------------------- */

/* Longest prefix of s within max bytes that does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

int rete_pcapng_packet(struct rete_pcapng *w, const struct rete_pcapng_packet *p)
{
	struct rete_strbuf *sb = &w->blk;
	bool opts = false;
	int rc;

	if (w->err)
		return w->err;
	if (p->ifid >= w->n)
		return -EINVAL;
	if (p->caplen > BLOCK_MAX / 2)
		return -E2BIG;
	block_begin(sb, RETE_PCAPNG_EPB);
	put_u32(sb, p->ifid);
	put_u32(sb, (uint32_t)(p->ts_ns >> 32));
	put_u32(sb, (uint32_t)p->ts_ns);
	put_u32(sb, p->caplen);
	put_u32(sb, p->origlen < p->caplen ? p->caplen : p->origlen);
	put_padded(sb, p->data, p->caplen);
	if (p->comment) {
		size_t n = utf8_cut(p->comment, p->comment_len, OPT_MAX);

		if (n < p->comment_len)
			w->stats.comments_cut++;
		put_opt(sb, RETE_PCAPNG_OPT_COMMENT, p->comment, n);
		opts = true;
	}
	if (p->json && p->json_len <= OPT_MAX - 4) {
		put_u16(sb, RETE_PCAPNG_OPT_CUSTOM_STR_COPY);
		put_u16(sb, (uint16_t)(p->json_len + 4));
		put_u32(sb, RETE_PCAPNG_PEN);
		put_padded(sb, p->json, p->json_len);
		opts = true;
	} else if (p->json) {
		/* Cutting JSON would make it unreadable: leave it out. */
		w->stats.json_dropped++;
	}
	if (opts)
		put_opt_end(sb);
	rc = block_end(w);
	if (!rc)
		w->stats.packets++;
	return rc;
}

/* ---- events --------------------------------------------------------------- */

int rete_pcapng_event(struct rete_pcapng *w, const struct rete_event *ev)
{
	static const struct rete_text_opts text_opts;	/* Retis's defaults: multi-line */
	struct rete_pcapng_packet p = { 0 };
	struct rete_event nopacket;
	char name[sizeof(ev->kernel.probe_type) + sizeof(ev->kernel.symbol) + 2];
	int rc;

	if (w->err)
		return w->err;
	if (!rete_event_has(ev, RETE_SEC_COMMON) || !rete_event_has(ev, RETE_SEC_KERNEL))
		return -ENOENT;
	if (!rete_event_has(ev, RETE_SEC_PACKET))
		return -ENODATA;

	snprintf(name, sizeof(name), "%.*s/%.*s", (int)sizeof(ev->kernel.probe_type),
		 ev->kernel.probe_type, (int)sizeof(ev->kernel.symbol), ev->kernel.symbol);
	rc = rete_pcapng_interface(w, name, &p.ifid);
	if (rc)
		return rc;

	/* Comment with the packet line; JSON without the bytes (already in the block). */
	rete_strbuf_reset(&w->text);
	rc = rete_text_event(ev, &text_opts, &w->text);
	if (rc)
		return rc;
	nopacket = *ev;
	nopacket.present &= ~(1u << RETE_SEC_PACKET);
	rete_strbuf_reset(&w->json);
	rc = rete_json_write_event(&nopacket, &w->json);
	if (rc)
		return rc;

	p.ts_ns = ev->common.timestamp;
	if (w->has_offset)
		p.ts_ns += (uint64_t)w->off_ns;
	p.data = ev->packet.data;
	p.caplen = ev->packet.data ? ev->packet.capture_len : 0;
	p.origlen = ev->packet.len;
	p.comment = rete_strbuf_str(&w->text);
	p.comment_len = w->text.len;
	p.json = rete_strbuf_str(&w->json);
	p.json_len = w->json.len;
	return rete_pcapng_packet(w, &p);
}
