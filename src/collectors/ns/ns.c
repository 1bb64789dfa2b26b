/* ns: the network namespace of the packet, from its device or socket (ns.bpf.h), and the netns section. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/collector.h"
#include "events/event.h"
#include "events/section.h"
#include "uapi/rete_sections.h"

#define OFF(m) ((uint32_t)offsetof(struct rete_ev_netns, m))

static const struct rete_field netns_f[] = {
	{ .name = "cookie", .type = RETE_FT_U64, .flags = RETE_FF_OPT, .off = OFF(cookie),
	  .has_off = OFF(has_cookie), .doc = "Net cookie (net->net_cookie), unique, never reused." },
	{ .name = "inum", .type = RETE_FT_U32, .off = OFF(inum), .doc = "Net inode number." },
};
static const struct rete_fields netns_t =
	RETE_FIELDS("NetnsEvent", "Net namespace section.", netns_f);

static int ns_decode(void *sec, uint8_t type, const void *raw, size_t len, struct rete_decoder *d)
{
	struct rete_ev_netns *ns = sec;
	struct rete_sec_ns r;

	if (type != RETE_SEC_T_MAIN)
		return RETE_SEC_IGNORED;
	if (len < sizeof(r))
		return -EINVAL;
	memcpy(&r, raw, sizeof(r));
	ns->has_cookie = r.cookie != 0;
	ns->cookie = r.cookie;
	ns->inum = r.inum;
	return 0;
}

static const struct rete_section_desc netns_section = {
	.name = "netns",
	.doc = "Net namespace section.",
	.size = sizeof(struct rete_ev_netns),
	.fields = &netns_t,
	.owner = RETE_OWNER_NS,
	RETE_SECTION_IN_EVENT(RETE_SEC_NETNS, netns),
	.decode = ns_decode,
};

const struct rete_collector_ops rete_collector_ns = {
	.name = "ns",
	.cfg_switch = RETE_CFG_SWITCH(ns),
	.section = &netns_section,
};
