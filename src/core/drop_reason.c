#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/btf.h"
#include "core/drop_reason.h"

#define SUBSYS_SHIFT 16

/*
 * Which enum holds the reasons of each drop-reason subsystem (names from
 * BTF). As Retis names them: core reasons without their SKB_ and DROP_REASON_
 * prefixes, the other subsystems' with their full enumerator names
 * (OVS_DROP_LAST_ACTION, RX_DROP_U_REPLAY, QDISC_DROP_...); their values carry
 * the subsystem in the high bits, so one enum can serve two subsystems.
 */
static const struct {
	const char *subsys;	/* enumerator of enum skb_drop_reason_subsys, prefix stripped */
	const char *reason_enum;
} subsys_enums[] = {
	{ "MAC80211_UNUSABLE", "mac80211_drop_reason" },
	{ "MAC80211_MONITOR", "mac80211_drop_reason" },
	{ "OPENVSWITCH", "ovs_drop_reason" },
	{ "QDISC", "qdisc_drop_reason" },
};

/* A core reason's name: SKB_DROP_REASON_NO_SOCKET -> NO_SOCKET, SKB_CONSUMED -> CONSUMED. */
static const char *core_name(const struct btf *btf, int32_t value)
{
	const char *name = rete_btf_enum_name(btf, "skb_drop_reason", NULL, value);

	if (name && !strncmp(name, "SKB_", 4))
		name += 4;
	if (name && !strncmp(name, "DROP_REASON_", 12))
		name += 12;
	return name;
}

int rete_drop_reason_name(const struct btf *btf, int32_t value, char *reason, size_t rlen,
			  char *subsys, size_t slen)
{
	uint32_t sub = (uint32_t)value >> SUBSYS_SHIFT;
	const char *sname = NULL, *rname = NULL;
	size_t i;

	if (!rlen || !slen)
		return -EINVAL;
	subsys[0] = '\0';
	/* Kernels without drop reasons pass -1 (Retis: a core NOT_SPECIFIED). */
	if (value < 0) {
		snprintf(reason, rlen, "NOT_SPECIFIED");
		return 0;
	}
	if (btf && sub)
		sname = rete_btf_enum_name(btf, "skb_drop_reason_subsys", "SKB_DROP_REASON_SUBSYS_",
					   sub);
	if (!sub) {
		if (btf)
			rname = core_name(btf, value);
	} else if (sname) {
		for (i = 0; i < sizeof(subsys_enums) / sizeof(subsys_enums[0]); i++) {
			if (strcmp(subsys_enums[i].subsys, sname))
				continue;
			rname = rete_btf_enum_name(btf, subsys_enums[i].reason_enum, NULL, value);
			break;
		}
		for (i = 0; sname[i] && i + 1 < slen; i++)
			subsys[i] = (char)tolower((unsigned char)sname[i]);
		subsys[i] = '\0';
	} else {
		snprintf(subsys, slen, "%u", sub);
	}
	/* Unknown: the raw value, subsystem bits included (as Retis writes it). */
	if (rname)
		snprintf(reason, rlen, "%s", rname);
	else
		snprintf(reason, rlen, "%u", (uint32_t)value);
	return 0;
}
