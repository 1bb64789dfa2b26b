/*
 * skb-tracking: one id per packet, from the first probe that sees it until
 * its data head is freed (skb_tracking.bpf.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/collector.h"
#include "core/kernel.h"
#include "core/probe.h"
#include "events/event.h"
#include "events/section.h"
#include "lib/log.h"
#include "uapi/rete_sections.h"

/*
 * Where the kernel has kprobes, the functions that free or replace a data
 * head keep tracking ids exact (Retis's tracking probes): a head freed
 * without the free tracepoints, a head stolen by another skb, and a head
 * reallocated by pskb_expand_head (its entry follows the skb to the new head).
 *
 * Without a probe on skb_free_head, a head can be freed unseen (UDP delivery,
 * TCP's acked and consumed data, GRO) and reused by the next packet: the chain
 * then checks at each sighting that the head still holds the packet its id
 * was given to (track_verify). No tracepoint marks those frees:
 * skb:skb_copy_datagram_iovec does not fire for linear UDP datagrams
 * (copy_linear_skb).
 */
static void add_upkeep_kprobes(const struct rete_collector_env *env, struct rete_chain_cfg *cfg)
{
	static const struct {
		const char *func;
		uint8_t flag;
	} upkeep[] = {
		{ "skb_free_head", RETE_PROBE_F_TRACK_HEAD_FREE },
		{ "kfree_skb_partial", RETE_PROBE_F_TRACK_PARTIAL },
		{ "pskb_expand_head", RETE_PROBE_F_TRACK_EXPAND },
	};
	char err[512];

	cfg->track_verify = 1;
	if (rete_kernel_probe_type_usable(RETE_PROBE_KPROBE, err, sizeof(err))) {
		log_debug("tracking: no kprobes: ids end where a data head is reused");
		return;
	}
	for (size_t i = 0; i < sizeof(upkeep) / sizeof(upkeep[0]); i++) {
		struct rete_probe_spec spec = { .type = RETE_PROBE_KPROBE };
		size_t before = env->probes->n, added;
		struct rete_probe *p;

		snprintf(spec.target, sizeof(spec.target), "%s", upkeep[i].func);
		if (rete_probe_resolve(&spec, env->btf, env->tfs, upkeep[i].flag, env->probes,
				       &added, err, sizeof(err))) {
			log_debug("tracking: no probe on %s: %s", upkeep[i].func, err);
			continue;
		}
		p = rete_probe_set_find(env->probes, RETE_PROBE_KPROBE, upkeep[i].func);
		if (p && env->probes->n > before)
			p->optional = true;
		if (upkeep[i].flag == RETE_PROBE_F_TRACK_EXPAND)
			cfg->track_rekey = 1;
		if (upkeep[i].flag == RETE_PROBE_F_TRACK_HEAD_FREE)
			cfg->track_verify = 0;
		log_debug("tracking: kprobe:%s keeps ids exact", upkeep[i].func);
	}
	if (cfg->track_verify)
		log_debug("tracking: no kprobe on skb_free_head: ids end where a head is reused");
}

/* Tracking ends when the packet is freed: it watches the free tracepoints too. */
static int skb_tracking_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg,
			      char *err, size_t errlen)
{
	static const char *const frees[] = { "skb:kfree_skb", "skb:consume_skb" };

	for (size_t i = 0; i < sizeof(frees) / sizeof(frees[0]); i++) {
		int rc = rete_probe_add_internal(env->probes, env->btf, frees[i],
						 RETE_PROBE_F_TRACK_FREE);

		if (rc) {
			snprintf(err, errlen, "cannot watch tp:%s to end packet tracking: %s",
				 frees[i], strerror(-rc));
			return rc;
		}
	}
	add_upkeep_kprobes(env, cfg);
	cfg->tracking = 1;
	return 0;
}

/* The skb-tracking section: the id (timestamp, orig_head) and the skb. */
#define OFF(m) ((uint32_t)offsetof(struct rete_ev_skb_tracking, m))

static const struct rete_field tracking_f[] = {
	{ .name = "orig_head", .type = RETE_FT_U64, .off = OFF(orig_head),
	  .doc = "skb->head when the packet was first seen." },
	{ .name = "timestamp", .type = RETE_FT_U64, .off = OFF(timestamp),
	  .doc = "When the packet was first seen." },
	{ .name = "skb", .type = RETE_FT_U64, .off = OFF(skb), .doc = "Address of the skb." },
};
static const struct rete_fields tracking_t =
	RETE_FIELDS("SkbTrackingEvent",
		    "Skb tracking section. The tracking id is (timestamp, orig_head); skb tells "
		    "clones apart.",
		    tracking_f);

static int tracking_decode(void *sec, uint8_t type, const void *raw, size_t len,
			   struct rete_decoder *d)
{
	struct rete_ev_skb_tracking *t = sec;
	struct rete_sec_tracking r;

	if (type != RETE_SEC_T_MAIN)
		return RETE_SEC_IGNORED;
	if (len < sizeof(r))
		return -EINVAL;
	memcpy(&r, raw, sizeof(r));
	t->orig_head = r.orig_head;
	t->timestamp = r.timestamp;
	t->skb = r.skb;
	return 0;
}

static const struct rete_section_desc tracking_section = {
	.name = "skb-tracking",
	.doc = "Skb tracking section.",
	.size = sizeof(struct rete_ev_skb_tracking),
	.fields = &tracking_t,
	.owner = RETE_OWNER_SKB_TRACKING,
	RETE_SECTION_IN_EVENT(RETE_SEC_SKB_TRACKING, skb_tracking),
	.decode = tracking_decode,
};

const struct rete_collector_ops rete_collector_skb_tracking = {
	.name = "skb-tracking",
	.setup = skb_tracking_setup,
	.section = &tracking_section,
};
