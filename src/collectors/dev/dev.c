/* dev: the net_device of the packet (dev.bpf.h), and the dev section. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/collector.h"
#include "events/event.h"
#include "events/section.h"
#include "uapi/rete_sections.h"

#define OFF(m) ((uint32_t)offsetof(struct rete_ev_dev, m))

static const struct rete_field dev_f[] = {
	{ .name = "name", .type = RETE_FT_STR, .size = sizeof(((struct rete_ev_dev *)0)->name),
	  .off = OFF(name), .doc = "Device name." },
	{ .name = "ifindex", .type = RETE_FT_U32, .off = OFF(ifindex), .doc = "Ifindex." },
	{ .name = "rx_ifindex", .type = RETE_FT_U32, .flags = RETE_FF_OPT, .off = OFF(rx_ifindex),
	  .has_off = OFF(has_rx_ifindex), .doc = "Rx device ifindex (skb->skb_iif)." },
};
static const struct rete_fields dev_t = RETE_FIELDS("DevEvent", "Device section.", dev_f);

static int dev_decode(void *sec, uint8_t type, const void *raw, size_t len,
		      struct rete_decoder *d)
{
	struct rete_ev_dev *dev = sec;
	struct rete_sec_dev r;
	size_t n;

	if (type != RETE_SEC_T_MAIN)
		return RETE_SEC_IGNORED;
	if (len < sizeof(r))
		return -EINVAL;
	memcpy(&r, raw, sizeof(r));
	n = strnlen(r.name, sizeof(r.name));
	memcpy(dev->name, r.name, n);
	dev->name[n] = '\0';
	dev->ifindex = r.ifindex;
	dev->has_rx_ifindex = r.rx_ifindex != 0;
	dev->rx_ifindex = r.rx_ifindex;
	return 0;
}

static const struct rete_section_desc dev_section = {
	.name = "dev",
	.doc = "Net device section.",
	.size = sizeof(struct rete_ev_dev),
	.fields = &dev_t,
	.owner = RETE_OWNER_DEV,
	RETE_SECTION_IN_EVENT(RETE_SEC_DEV, dev),
	.decode = dev_decode,
};

const struct rete_collector_ops rete_collector_dev = {
	.name = "dev",
	.cfg_switch = RETE_CFG_SWITCH(dev),
	.section = &dev_section,
};
