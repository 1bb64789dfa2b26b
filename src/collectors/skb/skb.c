/*
 * skb: the packet bytes, and sk_buff metadata with --skb-sections (skb.bpf.h);
 * the skb section (its four optional parts). The packet section it also
 * emits is the core's (events/, core/decode.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/collector.h"
#include "events/event.h"
#include "events/section.h"
#include "uapi/rete_sections.h"

/* Offset of a member of one of the skb section's parts, from the part. */
#define PART(part, m) \
	((uint32_t)(offsetof(struct rete_ev_skb, part.m) - offsetof(struct rete_ev_skb, part)))
#define OFF(m) ((uint32_t)offsetof(struct rete_ev_skb, m))

static const struct rete_field vlan_f[] = {
	/* Retis before 1.6.4 did not write it: read when absent, always written. */
	{ .name = "proto", .type = RETE_FT_U16, .flags = RETE_FF_OPT | RETE_FF_SCHEMA_REQ,
	  .off = PART(vlan_accel, proto), .has_off = PART(vlan_accel, has_proto),
	  .doc = "Tag protocol identifier." },
	{ .name = "pcp", .type = RETE_FT_U8, .off = PART(vlan_accel, pcp),
	  .doc = "Priority Code Point." },
	{ .name = "dei", .type = RETE_FT_BOOL, .off = PART(vlan_accel, dei),
	  .doc = "Drop Eligible Indicator." },
	{ .name = "vid", .type = RETE_FT_U16, .off = PART(vlan_accel, vid), .doc = "VLAN ID." },
};
static const struct rete_fields vlan_t =
	RETE_FIELDS("SkbVlanAccelEvent", "VLAN acceleration.", vlan_f);

static const struct rete_field meta_f[] = {
	{ .name = "len", .type = RETE_FT_U32, .off = PART(meta, len),
	  .doc = "Total packet length." },
	{ .name = "data_len", .type = RETE_FT_U32, .off = PART(meta, data_len),
	  .doc = "Length in the page buffer area." },
	{ .name = "hash", .type = RETE_FT_U32, .off = PART(meta, hash), .doc = "Packet hash." },
	{ .name = "ip_summed", .type = RETE_FT_U8, .off = PART(meta, ip_summed),
	  .doc = "Checksum status." },
	{ .name = "csum", .type = RETE_FT_U32, .off = PART(meta, csum),
	  .doc = "Checksum, or (start << 16) | offset." },
	{ .name = "csum_level", .type = RETE_FT_U8, .off = PART(meta, csum_level),
	  .doc = "Checksum level." },
	{ .name = "priority", .type = RETE_FT_U32, .off = PART(meta, priority),
	  .doc = "QoS priority." },
};
static const struct rete_fields meta_t = RETE_FIELDS("SkbMetaEvent", "Skb metadata.", meta_f);

static const struct rete_field data_ref_f[] = {
	{ .name = "nohdr", .type = RETE_FT_BOOL, .off = PART(data_ref, nohdr),
	  .doc = "Payload reference only." },
	{ .name = "cloned", .type = RETE_FT_BOOL, .off = PART(data_ref, cloned),
	  .doc = "Is the skb a clone." },
	{ .name = "fclone", .type = RETE_FT_U8, .off = PART(data_ref, fclone),
	  .doc = "Fast clone state." },
	{ .name = "users", .type = RETE_FT_U8, .off = PART(data_ref, users),
	  .doc = "Users count." },
	{ .name = "dataref", .type = RETE_FT_U8, .off = PART(data_ref, dataref),
	  .doc = "Data refcount." },
};
static const struct rete_fields data_ref_t =
	RETE_FIELDS("SkbDataRefEvent", "Skb data and refcount.", data_ref_f);

static const struct rete_field gso_f[] = {
	{ .name = "flags", .type = RETE_FT_U8, .off = PART(gso, flags),
	  .doc = "GSO flags (SKBFL_*)." },
	{ .name = "frags", .type = RETE_FT_U8, .off = PART(gso, frags),
	  .doc = "Number of fragments." },
	{ .name = "size", .type = RETE_FT_U32, .off = PART(gso, size), .doc = "GSO size." },
	{ .name = "segs", .type = RETE_FT_U32, .off = PART(gso, segs),
	  .doc = "Number of GSO segments." },
	{ .name = "type", .type = RETE_FT_U32, .off = PART(gso, type),
	  .doc = "GSO type (SKB_GSO_*)." },
};
static const struct rete_fields gso_t = RETE_FIELDS("SkbGsoEvent", "GSO information.", gso_f);

static const struct rete_field skb_f[] = {
	{ .name = "vlan_accel", .type = RETE_FT_OBJ, .flags = RETE_FF_OPT, .off = OFF(vlan_accel),
	  .has_off = OFF(has_vlan_accel), .sub = &vlan_t, .doc = "VLAN acceleration." },
	{ .name = "meta", .type = RETE_FT_OBJ, .flags = RETE_FF_OPT, .off = OFF(meta),
	  .has_off = OFF(has_meta), .sub = &meta_t, .doc = "Metadata." },
	{ .name = "data_ref", .type = RETE_FT_OBJ, .flags = RETE_FF_OPT, .off = OFF(data_ref),
	  .has_off = OFF(has_data_ref), .sub = &data_ref_t, .doc = "Data and refcount." },
	{ .name = "gso", .type = RETE_FT_OBJ, .flags = RETE_FF_OPT, .off = OFF(gso),
	  .has_off = OFF(has_gso), .sub = &gso_t, .doc = "GSO." },
};
static const struct rete_fields skb_t = RETE_FIELDS("SkbEvent", "Skb section.", skb_f);

/* One record per part; the packet records go to the core's packet section. */
static int skb_decode(void *sec, uint8_t type, const void *raw, size_t len,
		      struct rete_decoder *d)
{
	struct rete_ev_skb *s = sec;

	switch (type) {
	case RETE_SEC_T_SKB_META: {
		struct rete_sec_skb_meta m;

		if (len < sizeof(m))
			return -EINVAL;
		memcpy(&m, raw, sizeof(m));
		s->has_meta = true;
		s->meta.len = m.len;
		s->meta.data_len = m.data_len;
		s->meta.hash = m.hash;
		s->meta.csum = m.csum;
		s->meta.priority = m.priority;
		s->meta.ip_summed = m.ip_summed;
		s->meta.csum_level = m.csum_level;
		return 0;
	}
	case RETE_SEC_T_SKB_DATAREF: {
		struct rete_sec_skb_dataref r;

		if (len < sizeof(r))
			return -EINVAL;
		memcpy(&r, raw, sizeof(r));
		s->has_data_ref = true;
		s->data_ref.nohdr = r.nohdr;
		s->data_ref.cloned = r.cloned;
		s->data_ref.fclone = r.fclone;
		s->data_ref.users = r.users;
		/* Low 16 bits count all references; the high ones only the payload-only ones. */
		s->data_ref.dataref = (uint8_t)(r.dataref & 0xffff);
		return 0;
	}
	case RETE_SEC_T_SKB_GSO: {
		struct rete_sec_skb_gso g;

		if (len < sizeof(g))
			return -EINVAL;
		memcpy(&g, raw, sizeof(g));
		s->has_gso = true;
		s->gso.flags = g.flags;
		s->gso.frags = g.nr_frags;
		s->gso.size = g.gso_size;
		s->gso.segs = g.gso_segs;
		s->gso.type = g.gso_type;
		return 0;
	}
	case RETE_SEC_T_SKB_VLAN: {
		struct rete_sec_skb_vlan v;

		if (len < sizeof(v))
			return -EINVAL;
		memcpy(&v, raw, sizeof(v));
		s->has_vlan_accel = true;
		s->vlan_accel.proto = ntohs(v.proto);
		s->vlan_accel.has_proto = true;
		s->vlan_accel.pcp = (uint8_t)(v.tci >> 13);
		s->vlan_accel.dei = (v.tci >> 12) & 1;
		s->vlan_accel.vid = v.tci & 0xfff;
		return 0;
	}
	}
	return RETE_SEC_IGNORED;
}

static const struct rete_section_desc skb_section = {
	.name = "skb",
	.doc = "Skb section.",
	.size = sizeof(struct rete_ev_skb),
	.fields = &skb_t,
	.owner = RETE_OWNER_SKB,
	RETE_SECTION_IN_EVENT(RETE_SEC_SKB, skb),
	.decode = skb_decode,
};

static int skb_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg, char *err,
		     size_t errlen)
{
	cfg->skb = 1;
	cfg->skb_sections = env->opts->skb_sections;
	return 0;
}

const struct rete_collector_ops rete_collector_skb = {
	.name = "skb",
	.setup = skb_setup,
	.section = &skb_section,
};
