#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/decode.h"
#include "core/kallsyms.h"
#include "events/section.h"
#include "uapi/rete_sections.h"

void rete_decoder_init(struct rete_decoder *d, const struct rete_probe_set *probes,
		       const struct rete_kallsyms *ksyms, const struct btf *btf)
{
	memset(d, 0, sizeof(*d));
	d->probes = probes;
	d->ksyms = ksyms;
	d->btf = btf;
}

void rete_decoder_release(struct rete_decoder *d)
{
	free(d->reason_cache);
	d->reason_cache = NULL;
}

static void copy_str(char *dst, size_t dlen, const char *src, size_t slen)
{
	size_t n = strnlen(src, slen);

	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

typedef int (*dec_fn)(struct rete_decoder *d, const void *p, size_t len, struct rete_event *ev);

static int dec_common(struct rete_decoder *d, const void *p, size_t len, struct rete_event *ev)
{
	struct rete_sec_common c;

	memcpy(&c, p, sizeof(c));
	ev->common.timestamp = c.timestamp;
	ev->common.has_smp_id = true;
	ev->common.smp_id = c.smp_id;
	ev->common.has_task = true;
	ev->common.pid = (int32_t)c.pid;
	ev->common.tgid = (int32_t)c.tgid;
	copy_str(ev->common.comm, sizeof(ev->common.comm), c.comm, sizeof(c.comm));
	rete_event_set(ev, RETE_SEC_COMMON);
	return 0;
}

static int dec_kernel(struct rete_decoder *d, const void *p, size_t len, struct rete_event *ev)
{
	const struct rete_probe *probe;
	struct rete_sec_kernel k;

	memcpy(&k, p, sizeof(k));
	if (k.probe_id >= d->probes->n)
		return -EINVAL;
	probe = &d->probes->probes[k.probe_id];
	copy_str(ev->kernel.symbol, sizeof(ev->kernel.symbol), probe->symbol,
		 sizeof(probe->symbol));
	copy_str(ev->kernel.probe_type, sizeof(ev->kernel.probe_type),
		 rete_probe_type_name(probe->type), 32);
	rete_event_set(ev, RETE_SEC_KERNEL);
	return 0;
}

static int dec_retval(struct rete_decoder *d, const void *p, size_t len, struct rete_event *ev)
{
	struct rete_sec_retval r;

	memcpy(&r, p, sizeof(r));
	ev->kernel.retval = r.retval;
	ev->kernel.has_retval = true;
	return 0;
}

/* Frames of the tracing machinery itself (the BPF program and its trampoline). */
static bool tracing_frame(const char *sym)
{
	return !strncmp(sym, "bpf_trace_run", 13) || !strncmp(sym, "__bpf_trace_", 12) ||
	       !strncmp(sym, "bpf_prog_", 9) || !strncmp(sym, "bpf_trampoline_", 15);
}

static int dec_stack(struct rete_decoder *d, const void *p, size_t len, struct rete_event *ev)
{
	const uint8_t *ips = (const uint8_t *)p + sizeof(struct rete_sec_stack);
	struct rete_sec_stack s;
	char buf[256];
	uint32_t nr, first = 0;

	memcpy(&s, p, sizeof(s));
	nr = s.nr;
	if (sizeof(s) + (size_t)nr * sizeof(uint64_t) > len || nr > RETE_STACK_MAX)
		return -EINVAL;
	/* The stack starts in the probe program and bpf_trace_run*: skip those frames. */
	for (uint32_t i = 0; i < nr && i < 4; i++) {
		uint64_t ip;

		memcpy(&ip, ips + (size_t)i * sizeof(ip), sizeof(ip));
		rete_kallsyms_fmt(d->ksyms, ip, buf, sizeof(buf));
		if (d->ksyms && tracing_frame(buf))
			first = i + 1;
	}
	ev->kernel.has_stack = true;
	ev->kernel.nstack = 0;
	for (uint32_t i = first; i < nr; i++) {
		uint64_t ip;
		const char *str;

		memcpy(&ip, ips + (size_t)i * sizeof(ip), sizeof(ip));
		if (!ip)
			break;
		rete_kallsyms_fmt(d->ksyms, ip, buf, sizeof(buf));
		str = rete_event_strndup(ev, buf, strlen(buf));
		if (!str)
			return -ENOMEM;
		ev->kernel.stack[ev->kernel.nstack++] = str;
	}
	return 0;
}

#define ETH_HLEN 14

static int dec_packet(struct rete_decoder *d, const void *p, size_t len, struct rete_event *ev)
{
	struct rete_sec_packet pk;
	size_t cap, off = 0;
	uint8_t *data;

	memcpy(&pk, p, sizeof(pk));
	cap = pk.capture_len;
	if (sizeof(pk) + cap > len)
		return -EINVAL;
	/*
	 * Without a MAC header the bytes start at L3: like Retis, put a zeroed
	 * Ethernet header carrying skb->protocol in front so every packet
	 * starts at L2 (and pcap output stays Ethernet).
	 */
	if (pk.flags & RETE_PACKET_F_L3)
		off = ETH_HLEN;
	data = rete_event_alloc(ev, cap + off + 1);
	if (!data)
		return -ENOMEM;
	if (off) {
		memset(data, 0, ETH_HLEN);
		memcpy(data + 12, &pk.protocol, 2);
	}
	memcpy(data + off, (const uint8_t *)p + sizeof(pk), cap);
	ev->packet.len = pk.len + (uint32_t)off;
	ev->packet.capture_len = (uint32_t)(cap + off);
	ev->packet.data = data;
	rete_event_set(ev, RETE_SEC_PACKET);
	return 0;
}

static const struct {
	uint8_t owner, type;
	size_t min_size;
	dec_fn fn;
} decoders[] = {
	{ RETE_OWNER_COMMON, RETE_SEC_T_MAIN, sizeof(struct rete_sec_common), dec_common },
	{ RETE_OWNER_KERNEL, RETE_SEC_T_MAIN, sizeof(struct rete_sec_kernel), dec_kernel },
	{ RETE_OWNER_KERNEL, RETE_SEC_T_KERNEL_RETVAL, sizeof(struct rete_sec_retval), dec_retval },
	{ RETE_OWNER_KERNEL, RETE_SEC_T_KERNEL_STACK, sizeof(struct rete_sec_stack), dec_stack },
	{ RETE_OWNER_SKB, RETE_SEC_T_SKB_PACKET, sizeof(struct rete_sec_packet), dec_packet },
};

/*
 * A record of a section described by its collector (events/section.h).
 * *dropped: sections whose decoder said the event has nothing to show.
 */
static int dec_described(struct rete_decoder *d, const void *payload,
			 const struct rete_sec_hdr *sh, struct rete_event *ev, uint32_t *dropped)
{
	for (size_t i = 0; i < rete_xsections_count(); i++) {
		const struct rete_section_desc *desc = rete_xsection(i);
		bool existed;
		void *sec;
		int rc;

		if (desc->owner != sh->owner || !desc->decode)
			continue;
		if (*dropped & (1u << i))
			return 0;
		existed = rete_event_xsec_get(ev, i) != NULL;
		sec = rete_event_xsec(ev, i, true);
		if (!sec)
			return -ENOMEM;
		rc = desc->decode(sec, sh->type, payload, sh->size, d);
		if (rc == RETE_SEC_DROP) {
			rete_event_xsec_clear(ev, i);
			*dropped |= 1u << i;
			return 0;
		}
		if (rc == RETE_SEC_IGNORED) {
			if (!existed)
				rete_event_xsec_clear(ev, i);
			return 0;
		}
		return rc;
	}
	return 0;
}

int rete_decode(struct rete_decoder *d, const void *data, size_t size, struct rete_event *ev)
{
	const struct rete_raw_hdr *hdr = data;
	const uint8_t *p = data, *end;
	uint32_t dropped = 0;
	int rc;

	rete_event_reset(ev);
	if (size < sizeof(*hdr) || hdr->size > size || hdr->size < sizeof(*hdr) ||
	    hdr->abi != RETE_ABI_VERSION)
		goto out_bad;
	end = p + hdr->size;
	p += sizeof(*hdr);
	/*
	 * Sections are packed (4-byte headers, payloads of any size), so neither
	 * headers nor payloads are aligned: they are memcpy'd out, never dereferenced.
	 */
	while (p + sizeof(struct rete_sec_hdr) <= end) {
		const void *payload = p + sizeof(struct rete_sec_hdr);
		struct rete_sec_hdr sh;
		size_t i;

		memcpy(&sh, p, sizeof(sh));
		if ((size_t)(end - (const uint8_t *)payload) < sh.size)
			goto out_bad;
		for (i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++) {
			if (decoders[i].owner != sh.owner || decoders[i].type != sh.type)
				continue;
			if (sh.size < decoders[i].min_size)
				goto out_bad;
			rc = decoders[i].fn(d, payload, sh.size, ev);
			if (rc == -ENOMEM)
				return rc;
			if (rc)
				goto out_bad;
			break;
		}
		if (i == sizeof(decoders) / sizeof(decoders[0])) {
			rc = dec_described(d, payload, &sh, ev, &dropped);
			if (rc == -ENOMEM)
				return rc;
			if (rc)
				goto out_bad;
		}
		/* Unknown sections (a newer BPF object) are skipped. */
		p = (const uint8_t *)payload + sh.size;
	}
	return 0;
out_bad:
	d->bad_records++;
	return -EINVAL;
}
