/* skb-drop: the drop reason of skb:kfree_skb, named from the kernel's BTF (skb_drop.bpf.h). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/collector.h"
#include "core/decode.h"
#include "core/drop_reason.h"
#include "core/probe.h"
#include "events/event.h"
#include "events/section.h"
#include "uapi/rete_sections.h"

static int skb_drop_check(const struct btf *btf, char *why, size_t whylen)
{
	if (btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM) < 0) {
		snprintf(why, whylen, "this kernel has no drop reasons (enum skb_drop_reason)");
		return -EOPNOTSUPP;
	}
	if (btf__find_by_name_kind(btf, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF) < 0) {
		snprintf(why, whylen, "this kernel has no skb:kfree_skb tracepoint");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* It installs its own probe, which reports events like a user probe. */
static int skb_drop_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg,
			  char *err, size_t errlen)
{
	int rc = rete_probe_add_internal(env->probes, env->btf, "skb:kfree_skb", RETE_PROBE_F_EMIT);

	if (rc) {
		snprintf(err, errlen, "cannot add probe tp:skb:kfree_skb for skb-drop: %s",
			 strerror(-rc));
		return rc;
	}
	cfg->drop = 1;
	return 0;
}

/* The skb-drop section: the reason's name, and its subsystem when not the core's. */
#define OFF(m) ((uint32_t)offsetof(struct rete_ev_skb_drop, m))

static const struct rete_field drop_f[] = {
	{ .name = "subsys", .type = RETE_FT_STR, .flags = RETE_FF_SKIP_EMPTY,
	  .size = sizeof(((struct rete_ev_skb_drop *)0)->subsys), .off = OFF(subsys),
	  .doc = "Drop reason subsystem; absent for core reasons." },
	{ .name = "drop_reason", .type = RETE_FT_STR,
	  .size = sizeof(((struct rete_ev_skb_drop *)0)->drop_reason), .off = OFF(drop_reason),
	  .doc = "Drop reason (enum skb_drop_reason)." },
};
static const struct rete_fields drop_t = RETE_FIELDS("SkbDropEvent", "Skb drop section.", drop_f);

static void copy_name(char *dst, size_t dlen, const char *src)
{
	size_t n = strnlen(src, dlen - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Core reasons are looked up once and cached by value in the decoder. */
static int drop_decode(void *sec, uint8_t type, const void *raw, size_t len,
		       struct rete_decoder *d)
{
	struct rete_ev_skb_drop *drop = sec;
	struct rete_sec_drop r;
	uint32_t v;

	if (type != RETE_SEC_T_MAIN)
		return RETE_SEC_IGNORED;
	if (len < sizeof(r))
		return -EINVAL;
	memcpy(&r, raw, sizeof(r));
	v = (uint32_t)r.reason;
	if (v < RETE_REASON_CACHE_MAX) {
		if (!d->reason_cache) {
			d->reason_cache = calloc(RETE_REASON_CACHE_MAX, sizeof(*d->reason_cache));
			if (!d->reason_cache)
				return -ENOMEM;
		}
		if (!d->reason_cache[v][0]) {
			char subsys[32];

			rete_drop_reason_name(d->btf, r.reason, d->reason_cache[v],
					      sizeof(d->reason_cache[v]), subsys, sizeof(subsys));
		}
		copy_name(drop->drop_reason, sizeof(drop->drop_reason), d->reason_cache[v]);
		drop->subsys[0] = '\0';
		return 0;
	}
	rete_drop_reason_name(d->btf, r.reason, drop->drop_reason, sizeof(drop->drop_reason),
			      drop->subsys, sizeof(drop->subsys));
	return 0;
}

static const struct rete_section_desc drop_section = {
	.name = "skb-drop",
	.doc = "Skb drop section.",
	.size = sizeof(struct rete_ev_skb_drop),
	.fields = &drop_t,
	.owner = RETE_OWNER_SKB_DROP,
	RETE_SECTION_IN_EVENT(RETE_SEC_SKB_DROP, skb_drop),
	.decode = drop_decode,
};

const struct rete_collector_ops rete_collector_skb_drop = {
	.name = "skb-drop",
	.check = skb_drop_check,
	.setup = skb_drop_setup,
	.section = &drop_section,
};
