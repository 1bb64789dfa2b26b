/*
 * Filters on stored events: libpcap for packet bytes (here), meta
 * expressions (evfilter_meta.c), and both together as the commands use
 * them. Grammar and semantics in evfilter.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <pcap/pcap.h>

#include "events/json.h"
#include "filter/pcap_hint.h"
#include "lib/strbuf.h"
#include "process/evfilter.h"

/* JSON nesting accepted when parsing an event back for a meta filter. */
#define JSON_DEPTH 64
/* Snap length handed to libpcap: more than any stored packet. */
#define PCAP_SNAPLEN 262144

/* ---- packet filter ---------------------------------------------------------- */

struct rete_pktfilter {
	struct bpf_program prog;
};

int rete_pktfilter_new(const char *expr, struct rete_pktfilter **ret, char *err, size_t errlen)
{
	struct rete_pktfilter *f = calloc(1, sizeof(*f));
	pcap_t *p;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p = pcap_open_dead(DLT_EN10MB, PCAP_SNAPLEN);
	if (!p) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (pcap_compile(p, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		char msg[PCAP_ERRBUF_SIZE + 256];

		rete_pcap_error_message(expr, pcap_geterr(p), msg, sizeof(msg));
		snprintf(err, errlen, "invalid packet filter '%s': %s", expr, msg);
		pcap_close(p);
		free(f);
		return -EINVAL;
	}
	pcap_close(p);
	*ret = f;
	return 0;
}

bool rete_pktfilter_match(const struct rete_pktfilter *f, const struct rete_event *ev)
{
	struct pcap_pkthdr h = { 0 };

	if (!rete_event_has(ev, RETE_SEC_PACKET) || !ev->packet.data || !ev->packet.capture_len)
		return false;
	h.caplen = ev->packet.capture_len;
	h.len = ev->packet.len > h.caplen ? ev->packet.len : h.caplen;
	return pcap_offline_filter(&f->prog, &h, ev->packet.data) != 0;
}

void rete_pktfilter_free(struct rete_pktfilter *f)
{
	if (!f)
		return;
	pcap_freecode(&f->prog);
	free(f);
}

/* ---- both ---------------------------------------------------------------------- */

struct rete_evfilter {
	struct rete_pktfilter *pkt;
	struct rete_metafilter *meta;
	struct json_tokener *tok;
	uint32_t sections;	/* modelled sections the meta filter reads */
	struct rete_strbuf sb;
	size_t tested, passed;
};

int rete_evfilter_new(const char *packet_expr, const char *meta_expr, struct rete_evfilter **ret,
		      char *err, size_t errlen)
{
	struct rete_evfilter *f = calloc(1, sizeof(*f));
	char msg[384];
	int rc;

	if (!f)
		goto out_nomem;
	if (packet_expr) {
		rc = rete_pktfilter_new(packet_expr, &f->pkt, msg, sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "-f: %s", msg);
			goto out_free;
		}
	}
	if (meta_expr) {
		rc = rete_metafilter_new(meta_expr, &f->meta, msg, sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "-m: %s", msg);
			goto out_free;
		}
		for (int id = 0; id < RETE_SEC_MAX; id++)
			if (rete_metafilter_uses(f->meta, rete_section_name(id)))
				f->sections |= 1u << id;
		f->tok = json_tokener_new_ex(JSON_DEPTH);
		if (!f->tok) {
			rc = -ENOMEM;
			goto out_free;
		}
	}
	*ret = f;
	return 0;

out_free:
	rete_evfilter_free(f);
	if (rc != -ENOMEM)
		return rc;
out_nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/*
 * The meta filter sees the event as JSON. Only the sections it reads are
 * written and parsed back: a shallow copy of the event keeps just those.
 */
static int meta_match(struct rete_evfilter *f, const struct rete_event *ev)
{
	struct rete_event part = *ev;
	struct json_object *obj;
	bool ok;
	int rc;

	part.present &= f->sections;
	part.nextra = 0;
	for (uint32_t i = 0; i < ev->nextra && i < RETE_EXTRA_MAX; i++)
		if (rete_metafilter_uses(f->meta, ev->extra[i].name))
			part.extra[part.nextra++] = ev->extra[i];
	rete_strbuf_reset(&f->sb);
	rc = rete_json_write_event(&part, &f->sb);
	if (rc)
		return rc == -ENOMEM ? rc : 0;
	json_tokener_reset(f->tok);
	obj = json_tokener_parse_ex(f->tok, f->sb.buf, (int)f->sb.len);
	if (!obj)
		return 0;	/* cannot happen: rete wrote this JSON */
	ok = rete_metafilter_match_json(f->meta, obj);
	json_object_put(obj);
	return ok;
}

int rete_evfilter_match(struct rete_evfilter *f, const struct rete_event *ev)
{
	int rc;

	if (!f || rete_event_has(ev, RETE_SEC_STARTUP))
		return 1;
	f->tested++;
	if (f->pkt && !rete_pktfilter_match(f->pkt, ev))
		return 0;
	if (f->meta) {
		rc = meta_match(f, ev);
		if (rc <= 0)
			return rc;
	}
	f->passed++;
	return 1;
}

void rete_evfilter_counts(const struct rete_evfilter *f, size_t *ret_tested, size_t *ret_passed)
{
	*ret_tested = f ? f->tested : 0;
	*ret_passed = f ? f->passed : 0;
}

void rete_evfilter_free(struct rete_evfilter *f)
{
	if (!f)
		return;
	rete_pktfilter_free(f->pkt);
	rete_metafilter_free(f->meta);
	if (f->tok)
		json_tokener_free(f->tok);
	rete_strbuf_free(&f->sb);
	free(f);
}
