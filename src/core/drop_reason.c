#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/btf.h"
#include "core/drop_reason.h"

#define SUBSYS_SHIFT 16

/* Which enum holds the reasons of each drop-reason subsystem (names from BTF). */
static const struct {
	const char *subsys;	/* enumerator of enum skb_drop_reason_subsys, prefix stripped */
	const char *reason_enum;
	const char *prefix;
} subsys_enums[] = {
	{ "CORE", "skb_drop_reason", "SKB_DROP_REASON_" },
	{ "MAC80211_UNUSABLE", "mac80211_drop_reason", "RX_DROP_U_" },
	{ "MAC80211_MONITOR", "mac80211_drop_reason", "RX_DROP_M_" },
	{ "OPENVSWITCH", "ovs_drop_reason", "OVS_DROP_" },
	{ "QDISC", "qdisc_drop_reason", "QDISC_DROP_" },
};

int rete_drop_reason_name(const struct btf *btf, int32_t value, char *reason, size_t rlen,
			  char *subsys, size_t slen)
{
	uint32_t sub = (uint32_t)value >> SUBSYS_SHIFT;
	const char *sname = NULL, *rname = NULL;
	size_t i;

	if (!rlen || !slen)
		return -EINVAL;
	subsys[0] = '\0';
	if (btf && sub)
		sname = rete_btf_enum_name(btf, "skb_drop_reason_subsys", "SKB_DROP_REASON_SUBSYS_",
					   sub);
	if (!sub) {
		if (btf)
			rname = rete_btf_enum_name(btf, "skb_drop_reason", "SKB_DROP_REASON_", value);
	} else if (sname) {
		for (i = 0; i < sizeof(subsys_enums) / sizeof(subsys_enums[0]); i++) {
			if (strcmp(subsys_enums[i].subsys, sname))
				continue;
			/* Subsystem enums carry the subsystem in their values too. */
			rname = rete_btf_enum_name(btf, subsys_enums[i].reason_enum,
						   subsys_enums[i].prefix, value);
			break;
		}
		for (i = 0; sname[i] && i + 1 < slen; i++)
			subsys[i] = (char)tolower((unsigned char)sname[i]);
		subsys[i] = '\0';
	} else {
		snprintf(subsys, slen, "%u", sub);
	}
	if (rname)
		snprintf(reason, rlen, "%s", rname);
	else
		snprintf(reason, rlen, "%u", (uint32_t)value & ((1u << SUBSYS_SHIFT) - 1));
	return 0;
}
