/*
 * Event text rendering: golden strings in Retis 1.6's format. Events are
 * built by hand from the Retis reference files (test_events*.json).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "events/json.h"
#include "events/section.h"
#include "events/text.h"

/* ---- helpers ---- */

static void set_common(struct rete_event *ev, uint64_t ts, int smp, const char *comm, int pid,
		       int tgid)
{
	rete_event_set(ev, RETE_SEC_COMMON);
	ev->common.timestamp = ts;
	if (smp >= 0) {
		ev->common.has_smp_id = true;
		ev->common.smp_id = (uint32_t)smp;
	}
	if (comm) {
		ev->common.has_task = true;
		snprintf(ev->common.comm, sizeof(ev->common.comm), "%s", comm);
		ev->common.pid = pid;
		ev->common.tgid = tgid;
	}
}

static void set_kernel(struct rete_event *ev, const char *symbol, const char *probe_type)
{
	rete_event_set(ev, RETE_SEC_KERNEL);
	snprintf(ev->kernel.symbol, sizeof(ev->kernel.symbol), "%s", symbol);
	snprintf(ev->kernel.probe_type, sizeof(ev->kernel.probe_type), "%s", probe_type);
}

static void set_skb_tracking(struct rete_event *ev, uint64_t orig_head, uint64_t ts, uint64_t skb)
{
	rete_event_set(ev, RETE_SEC_SKB_TRACKING);
	ev->skb_tracking.orig_head = orig_head;
	ev->skb_tracking.timestamp = ts;
	ev->skb_tracking.skb = skb;
}

static void set_tracking(struct rete_event *ev, uint32_t idx)
{
	rete_event_set(ev, RETE_SEC_TRACKING);
	ev->tracking.orig_head = ev->skb_tracking.orig_head;
	ev->tracking.timestamp = ev->skb_tracking.timestamp;
	ev->tracking.skb = ev->skb_tracking.skb;
	ev->tracking.idx = idx;
}

static void set_drop(struct rete_event *ev, const char *subsys, const char *reason)
{
	rete_event_set(ev, RETE_SEC_SKB_DROP);
	snprintf(ev->skb_drop.subsys, sizeof(ev->skb_drop.subsys), "%s", subsys);
	snprintf(ev->skb_drop.drop_reason, sizeof(ev->skb_drop.drop_reason), "%s", reason);
}

static void set_netns(struct rete_event *ev, bool has_cookie, uint64_t cookie, uint32_t inum)
{
	rete_event_set(ev, RETE_SEC_NETNS);
	ev->netns.has_cookie = has_cookie;
	ev->netns.cookie = cookie;
	ev->netns.inum = inum;
}

static void set_dev(struct rete_event *ev, const char *name, uint32_t ifindex, int rx_ifindex)
{
	rete_event_set(ev, RETE_SEC_DEV);
	snprintf(ev->dev.name, sizeof(ev->dev.name), "%s", name);
	ev->dev.ifindex = ifindex;
	ev->dev.has_rx_ifindex = rx_ifindex >= 0;
	ev->dev.rx_ifindex = rx_ifindex >= 0 ? (uint32_t)rx_ifindex : 0;
}

static void set_skb_meta(struct rete_event *ev, uint32_t len, uint32_t hash, uint8_t ip_summed,
			 uint32_t csum, bool cloned, uint8_t dataref)
{
	rete_event_set(ev, RETE_SEC_SKB);
	ev->skb.has_meta = true;
	ev->skb.meta.len = len;
	ev->skb.meta.hash = hash;
	ev->skb.meta.ip_summed = ip_summed;
	ev->skb.meta.csum = csum;
	ev->skb.has_data_ref = true;
	ev->skb.data_ref.cloned = cloned;
	ev->skb.data_ref.users = 1;
	ev->skb.data_ref.dataref = dataref;
}

/* Test JSON is written with single quotes for readability. */
static char *dq(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

/*
 * A section as the JSON reader gives it: into its model when its collector
 * describes it (ct) and it fits the description, else kept as an extra.
 */
static void add_extra(struct rete_event *ev, const char *name, const char *json)
{
	struct rete_event tmp = { 0 };
	char *j = dq(json), *line, err[256];
	int xi = rete_xsection_find(name);

	assert_true(asprintf(&line, "{\"%s\":%s}", name, j) > 0);
	if (xi >= 0 && !rete_json_read_event(&tmp, line, strlen(line), err, sizeof(err)) &&
	    rete_event_xsec_get(&tmp, (size_t)xi)) {
		void *sec = rete_event_xsec(ev, (size_t)xi, true);

		assert_non_null(sec);
		memcpy(sec, tmp.xsec[xi], rete_xsection((size_t)xi)->size);
	} else {
		assert_int_equal(rete_event_add_extra(ev, name, j, strlen(j)), 0);
	}
	rete_event_free(&tmp);
	free(line);
	free(j);
}

static const uint8_t icmp_packet[] = {
	0xfa, 0x5c, 0xbd, 0x8e, 0xcc, 0x01, 0xa6, 0xc2, 0x11, 0x71, 0x59, 0x45, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x54, 0xa3, 0xf9, 0x40, 0x00, 0x40, 0x01, 0x1b, 0x49, 0xc0, 0xa8,
	0x7d, 0x0a, 0xc0, 0xa8, 0x7d, 0x0b, 0x08, 0x00, 0x40, 0x5a, 0x71, 0x4c, 0x00, 0x01,
	0xed, 0xfd, 0xd9, 0x67, 0x00, 0x00, 0x00, 0x00, 0xb3, 0x1f, 0x0d, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
	0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

static void set_packet(struct rete_event *ev, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	uint8_t *p = rete_event_alloc(ev, caplen);

	assert_non_null(p);
	memcpy(p, data, caplen);
	rete_event_set(ev, RETE_SEC_PACKET);
	ev->packet.data = p;
	ev->packet.capture_len = caplen;
	ev->packet.len = len;
}

/*
 * The packet line belongs to packet_text.c: expected strings embed whatever
 * rete_text_packet() prints for the event's packet.
 */
static char *packet_line(const struct rete_event *ev, const struct rete_text_opts *opts)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	char *s;

	assert_int_equal(rete_text_packet(ev->packet.data, ev->packet.capture_len, ev->packet.len,
					  opts, &sb), 0);
	s = strdup(rete_strbuf_str(&sb));
	rete_strbuf_free(&sb);
	assert_non_null(s);
	return s;
}

static void check(const struct rete_event *ev, const struct rete_text_opts *opts, const char *want)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;

	assert_int_equal(rete_text_event(ev, opts, &sb), 0);
	assert_string_equal(rete_strbuf_str(&sb), want);
	rete_strbuf_free(&sb);
}

static const struct rete_text_opts ml = { 0 };
static const struct rete_text_opts sl = { .single_line = true };

/* ---- header ---- */

/* From the Retis README: pid == tgid prints only the tgid. */
static void test_header_readme(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	set_common(&ev, 10041392747167ULL, 9, "ping", 23932, 23932);
	set_kernel(&ev, "net:net_dev_start_xmit", "raw_tracepoint");
	set_skb_tracking(&ev, 0xffff8ca2dd79f440ULL, 10041392747167ULL, 0xffff8ca30bbc3100ULL);
	check(&ev, &ml,
	      "10041392747167 (9) [ping] 23932 [tp] net:net_dev_start_xmit "
	      "#921f1a5d29fffff8ca2dd79f440 (skb ffff8ca30bbc3100)");
	check(&ev, &sl,
	      "10041392747167 (9) [ping] 23932 [tp] net:net_dev_start_xmit "
	      "#921f1a5d29fffff8ca2dd79f440 (skb ffff8ca30bbc3100)");
	rete_event_free(&ev);
}

static void test_header_pid_tgid(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	set_common(&ev, 12313349514683ULL, 1, "isc-net-0000", 26822, 26823);
	set_kernel(&ev, "ip6_output", "kprobe");
	set_skb_tracking(&ev, 0xffff8ca00f0c6100ULL, 0xb32ecd2e5bbULL, 0xffff8ca396cf4600ULL);
	check(&ev, &ml,
	      "12313349514683 (1) [isc-net-0000] 26822/26823 [k] ip6_output "
	      "#b32ecd2e5bbffff8ca00f0c6100 (skb ffff8ca396cf4600)");
	rete_event_free(&ev);
}

static void test_header_probe_types(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	set_common(&ev, 1, -1, NULL, 0, 0);
	set_kernel(&ev, "ovs_dp_upcall", "kretprobe");
	check(&ev, &ml, "1 [kr] ovs_dp_upcall");
	set_kernel(&ev, "foo", "uprobe");
	check(&ev, &ml, "1 [invalid] foo");
	set_kernel(&ev, "foo", "");
	check(&ev, &ml, "1 [invalid] foo");
	set_kernel(&ev, "ip_rcv", "fentry");
	check(&ev, &ml, "1 [fentry] ip_rcv");
	/* Return values: decimal (errno and small numbers), pointers in hex. */
	set_kernel(&ev, "ip_rcv", "fexit");
	ev.kernel.has_retval = true;
	ev.kernel.retval = 0;
	check(&ev, &ml, "1 [fexit] ip_rcv ret 0");
	ev.kernel.retval = -22;
	check(&ev, &ml, "1 [fexit] ip_rcv ret -22");
	ev.kernel.retval = (int64_t)0xffff888100c7d8c0ULL;
	check(&ev, &ml, "1 [fexit] ip_rcv ret 0xffff888100c7d8c0");
	ev.kernel.retval = 4294967295LL;
	check(&ev, &ml, "1 [fexit] ip_rcv ret 4294967295");
	rete_event_free(&ev);
}

/* Optional fields: no cpu, no task, no tracking; a zero timestamp id. */
static void test_header_missing_optional(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	set_common(&ev, 42, -1, NULL, 0, 0);
	check(&ev, &ml, "42");
	check(&ev, &sl, "42");

	set_common(&ev, 42, 0, NULL, 0, 0);
	check(&ev, &ml, "42 (0)");

	set_skb_tracking(&ev, 0xffff8c03b1dc0500ULL, 0, 0x1234);
	check(&ev, &ml, "42 (0) #ffff8c03b1dc0500 (skb 1234)");

	/* No common section at all: no leading space. */
	ev.present &= ~(1u << RETE_SEC_COMMON);
	set_kernel(&ev, "ip_rcv", "kprobe");
	check(&ev, &ml, "[k] ip_rcv #ffff8c03b1dc0500 (skb 1234)");
	rete_event_free(&ev);
}

static void test_header_drop(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	/* test_events.json, last event. */
	set_common(&ev, 23868955449721ULL, 0, "napi/phy0-8197", 1360, 1360);
	set_kernel(&ev, "skb:kfree_skb", "raw_tracepoint");
	set_skb_tracking(&ev, 18446616575285769216ULL, 23868955437572ULL, 18446616552502694400ULL);
	set_drop(&ev, "", "NO_SOCKET");
	check(&ev, &ml,
	      "23868955449721 (0) [napi/phy0-8197] 1360 [tp] skb:kfree_skb "
	      "#15b56c9c2a04ffff8c0a75bdb400 (skb ffff8c0527c39200) drop (reason NO_SOCKET)");

	set_drop(&ev, "openvswitch", "OVS_DROP_LAST_ACTION");
	check(&ev, &sl,
	      "23868955449721 (0) [napi/phy0-8197] 1360 [tp] skb:kfree_skb "
	      "#15b56c9c2a04ffff8c0a75bdb400 (skb ffff8c0527c39200) "
	      "drop (reason openvswitch/OVS_DROP_LAST_ACTION)");

	/* Sorted: the tracking section replaces skb-tracking and adds the index. */
	set_tracking(&ev, 2);
	check(&ev, &ml,
	      "23868955449721 (0) [napi/phy0-8197] 1360 [tp] skb:kfree_skb "
	      "#15b56c9c2a04ffff8c0a75bdb400 (skb ffff8c0527c39200) n 2 "
	      "drop (reason openvswitch/OVS_DROP_LAST_ACTION)");
	rete_event_free(&ev);
}

static void test_header_userspace(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	set_common(&ev, 202388857658575ULL, -1, "handler9", 3215302, 3215259);
	add_extra(&ev, "userspace",
		  "{'probe_type':'usdt','symbol':'dpif_recv:recv_upcall','ip':4242,"
		  "'path':'/usr/sbin/ovs-vswitchd','pid':3215259,'tid':3215302}");
	add_extra(&ev, "ovs",
		  "{'event_type':'recv_upcall','type':0,'pkt_size':98,'key_size':120,"
		  "'queue_id':2809249329,'batch_ts':202388857658575,'batch_idx':0}");
	check(&ev, &ml,
	      "202388857658575 [handler9] 3215302/3215259 [u] dpif_recv:recv_upcall "
	      "(ovs-vswitchd)\n"
	      "  upcall_recv q 2809249329 pkt_size 98");

	/* No '/' in the path: no binary name. Kernel wins over userspace. */
	rete_event_reset(&ev);
	set_common(&ev, 1, -1, NULL, 0, 0);
	add_extra(&ev, "userspace", "{'symbol':'probe','path':'vswitchd'}");
	check(&ev, &ml, "1 [u] probe");
	set_kernel(&ev, "ip_rcv", "kprobe");
	check(&ev, &ml, "1 [k] ip_rcv");
	rete_event_free(&ev);
}

/* ---- body sections ---- */

static void test_stack(void **state)
{
	struct rete_event ev = { 0 };
	struct rete_text_opts child = { .indent = 1 };

	(void)state;
	set_common(&ev, 12401848917005ULL, 6, "ping", 20496, 20496);
	set_kernel(&ev, "skb:kfree_skb", "raw_tracepoint");
	ev.kernel.has_stack = true;
	ev.kernel.nstack = 3;
	ev.kernel.stack[0] = "kfree_skb_reason+0x99";
	ev.kernel.stack[1] = "udp_queue_rcv_one_skb+0x1a2";
	ev.kernel.stack[2] = "__udp4_lib_rcv+0x5b1";
	set_netns(&ev, false, 0, 4026531840u);
	check(&ev, &ml,
	      "12401848917005 (6) [ping] 20496 [tp] skb:kfree_skb\n"
	      "    kfree_skb_reason+0x99\n"
	      "    udp_queue_rcv_one_skb+0x1a2\n"
	      "    __udp4_lib_rcv+0x5b1\n"
	      "  ns 4026531840");
	check(&ev, &sl,
	      "12401848917005 (6) [ping] 20496 [tp] skb:kfree_skb "
	      "[kfree_skb_reason+0x99, udp_queue_rcv_one_skb+0x1a2, __udp4_lib_rcv+0x5b1] "
	      "ns 4026531840");
	check(&ev, &child,
	      "  \xe2\x86\xb3 12401848917005 (6) [ping] 20496 [tp] skb:kfree_skb\n"
	      "        kfree_skb_reason+0x99\n"
	      "        udp_queue_rcv_one_skb+0x1a2\n"
	      "        __udp4_lib_rcv+0x5b1\n"
	      "      ns 4026531840");

	/* An empty stack prints nothing. */
	ev.kernel.nstack = 0;
	check(&ev, &ml, "12401848917005 (6) [ping] 20496 [tp] skb:kfree_skb\n  ns 4026531840");
	rete_event_free(&ev);
}

static void test_netns_dev(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	set_common(&ev, 1, -1, NULL, 0, 0);
	set_netns(&ev, true, 1, 4026531840u);
	set_dev(&ev, "wlp82s0", 4, 4);
	check(&ev, &ml, "1\n  ns 0x1/4026531840 if 4 (wlp82s0) rxif 4");
	check(&ev, &sl, "1 ns 0x1/4026531840 if 4 (wlp82s0) rxif 4");

	set_dev(&ev, "", 4, -1);
	check(&ev, &ml, "1\n  ns 0x1/4026531840 if 4");

	/* dev alone gets its own line. */
	ev.present &= ~(1u << RETE_SEC_NETNS);
	set_dev(&ev, "veth-ns01-ovs", 10, 12);
	check(&ev, &ml, "1\n  if 10 (veth-ns01-ovs) rxif 12");

	rete_event_reset(&ev);
	set_common(&ev, 1, -1, NULL, 0, 0);
	set_netns(&ev, false, 0, 4026532741u);
	check(&ev, &ml, "1\n  ns 4026532741");
	rete_event_free(&ev);
}

static void test_skb(void **state)
{
	struct rete_event ev = { 0 };
	struct rete_text_opts ll = { .link_layer = true };

	(void)state;
	set_common(&ev, 1, -1, NULL, 0, 0);

	/* test_events_packets.json line 2. */
	set_skb_meta(&ev, 98, 0, 0, 2770033380u, false, 1);
	check(&ev, &ml, "1\n  skb [csum none len 98 priority 0 users 1 dataref 1]");

	/* test_events_packets.json line 16 (cloned, CHECKSUM_COMPLETE, hash). */
	set_skb_meta(&ev, 64, 2116835702u, 2, 3225894840u, true, 2);
	check(&ev, &ml,
	      "1\n  skb [csum complete (0xc0473fb8) hash 0x7e2c5976 len 64 priority 0 cloned "
	      "users 1 dataref 2]");

	ev.skb.meta.ip_summed = 1;
	ev.skb.meta.csum_level = 1;
	ev.skb.meta.data_len = 10;
	ev.skb.meta.priority = 7;
	ev.skb.data_ref.nohdr = true;
	ev.skb.data_ref.fclone = 2;
	check(&ev, &ml,
	      "1\n  skb [csum unnecessary (level 1) hash 0x7e2c5976 len 64 data_len 10 priority 7 "
	      "nohdr cloned fclone 2 users 1 dataref 2]");

	ev.skb.meta.ip_summed = 3;
	ev.skb.meta.csum = (16u << 16) | 34u;
	ev.skb.meta.hash = 0;
	ev.skb.has_data_ref = false;
	check(&ev, &ml, "1\n  skb [csum partial (start 34 off 16) len 64 data_len 10 priority 7]");

	ev.skb.meta.ip_summed = 9;
	ev.skb.has_meta = false;
	ev.skb.has_data_ref = true;
	check(&ev, &ml, "1\n  skb [nohdr cloned fclone 2 users 1 dataref 2]");

	ev.skb.has_data_ref = false;
	ev.skb.has_meta = true;
	check(&ev, &ml, "1\n  skb [csum unknown (9) len 64 data_len 10 priority 7]");

	/* GSO: zero fields are hidden, type and size always shown. */
	ev.skb.has_meta = false;
	ev.skb.has_gso = true;
	ev.skb.gso.type = 0;
	ev.skb.gso.size = 0;
	check(&ev, &ml, "1\n  gso [type 0x0 size 0]");
	ev.skb.gso.type = 0x11;
	ev.skb.gso.flags = 0x2;
	ev.skb.gso.frags = 3;
	ev.skb.gso.segs = 4;
	ev.skb.gso.size = 1448;
	ev.skb.has_meta = true;
	ev.skb.meta.ip_summed = 0;
	check(&ev, &sl,
	      "1 skb [csum none len 64 data_len 10 priority 7] "
	      "gso [type 0x11 flags 0x2 frags 3 segs 4 size 1448]");

	/* vlan_accel only with -e; alone without -e the section is skipped. */
	ev.skb.has_vlan_accel = true;
	ev.skb.vlan_accel.vid = 100;
	ev.skb.vlan_accel.pcp = 3;
	ev.skb.vlan_accel.dei = true;
	ev.skb.has_meta = false;
	ev.skb.has_gso = false;
	check(&ev, &ml, "1");
	check(&ev, &ll, "1\n  vlan_accel (vlan 100 p 3 DEI)");	/* Retis < 1.6.4: no proto */
	ev.skb.vlan_accel.has_proto = true;
	ev.skb.vlan_accel.proto = 0x88a8;
	check(&ev, &ll, "1\n  vlan_accel (ethertype 802.1Q-QinQ (0x88a8) vlan 100 p 3 DEI)");
	ev.skb.vlan_accel.proto = 0x1234;
	check(&ev, &ll, "1\n  vlan_accel (ethertype (0x1234) vlan 100 p 3 DEI)");
	ev.skb.vlan_accel.has_proto = false;
	ev.skb.vlan_accel.dei = false;
	ev.skb.has_gso = true;
	check(&ev, &ll,
	      "1\n  vlan_accel (vlan 100 p 3) gso [type 0x11 flags 0x2 frags 3 segs 4 size 1448]");

	/* An empty "skb": {} (sorted file) prints nothing. */
	memset(&ev.skb, 0, sizeof(ev.skb));
	check(&ev, &ml, "1");
	rete_event_free(&ev);
}

static void test_startup(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	/* First line of the reference files. */
	set_common(&ev, 23868643385852ULL, -1, NULL, 0, 0);
	rete_event_set(&ev, RETE_SEC_STARTUP);
	snprintf(ev.startup.version, sizeof(ev.startup.version), "v1.6.0");
	ev.startup.mono_offset_sec = 1742309146;
	ev.startup.mono_offset_nsec = 691042000;
	check(&ev, &ml, "23868643385852\n  Retis version v1.6.0");
	check(&ev, &sl, "23868643385852 Retis version v1.6.0");

	/* Newer files carry the machine and command line. */
	ev.startup.has_machine = true;
	snprintf(ev.startup.kernel_release, sizeof(ev.startup.kernel_release), "6.13.7-200.fc41");
	snprintf(ev.startup.kernel_version, sizeof(ev.startup.kernel_version),
		 "#1 SMP PREEMPT_DYNAMIC");
	snprintf(ev.startup.hardware_name, sizeof(ev.startup.hardware_name), "x86_64");
	ev.startup.cmdline = "rete collect -o";
	check(&ev, &ml,
	      "23868643385852\n"
	      "  collected with Retis v1.6.0\n"
	      "  on machine 6.13.7-200.fc41 #1 SMP PREEMPT_DYNAMIC x86_64\n"
	      "  cmdline rete collect -o");
	ev.startup.has_split = true;
	ev.startup.split_id = 2;
	check(&ev, &sl,
	      "23868643385852 collected with Retis v1.6.0 "
	      "on machine 6.13.7-200.fc41 #1 SMP PREEMPT_DYNAMIC x86_64 file id 2 "
	      "cmdline rete collect -o");
	rete_event_free(&ev);
}

static void test_utc(void **state)
{
	struct rete_event ev = { 0 };
	struct rete_text_opts utc = { .utc = true };
	struct rete_text_opts utc_off = {
		.utc = true,
		.has_mono_offset = true,
		.mono_offset_sec = 1742309146,
		.mono_offset_nsec = 691042000,
	};

	(void)state;
	set_common(&ev, 23868643385999ULL, 0, "napi/phy0-8197", 1360, 1360);
	set_kernel(&ev, "tcp_v4_rcv", "kprobe");

	/* No offset known yet: the raw timestamp. */
	check(&ev, &utc, "23868643385999 (0) [napi/phy0-8197] 1360 [k] tcp_v4_rcv");
	/* 23868.643385999 s + 1742309146.691042 s, nanoseconds carried, microseconds shown. */
	check(&ev, &utc_off, "2025-03-18 21:23:35.334427 (0) [napi/phy0-8197] 1360 [k] tcp_v4_rcv");
	utc_off.utc = false;
	check(&ev, &utc_off, "23868643385999 (0) [napi/phy0-8197] 1360 [k] tcp_v4_rcv");

	/* The startup event uses its own offset. */
	rete_event_reset(&ev);
	set_common(&ev, 3000000000ULL, -1, NULL, 0, 0);
	rete_event_set(&ev, RETE_SEC_STARTUP);
	snprintf(ev.startup.version, sizeof(ev.startup.version), "v1.6.0");
	ev.startup.mono_offset_sec = 0;
	ev.startup.mono_offset_nsec = 999999999;
	check(&ev, &utc, "1970-01-01 00:00:03.999999\n  Retis version v1.6.0");
	rete_event_free(&ev);
}

/* ---- sort layout ---- */

/* test_events_sorted.json, the series of two OVS events. */
static void test_sort_series(void **state)
{
	struct rete_event first = { 0 }, next = { 0 };
	struct rete_text_opts child_ml = { .indent = 1, .print_idx = true };
	struct rete_text_opts child_sl = { .indent = 1, .print_idx = true, .single_line = true };

	(void)state;
	set_common(&first, 23868955262984ULL, 2, "napi/phy0-8197", 1360, 1360);
	set_kernel(&first, "openvswitch:ovs_dp_upcall", "raw_tracepoint");
	set_skb_tracking(&first, 18446616576100907520ULL, 23868955262984ULL,
			 18446616546107689472ULL);
	set_tracking(&first, 0);
	add_extra(&first, "ovs",
		  "{'cmd':1,'cpu':1,'event_type':'upcall','port':3366920467}");

	set_common(&next, 23868955276361ULL, 3, "napi/phy0-8197", 1360, 1360);
	set_kernel(&next, "ovs_dp_upcall", "kretprobe");
	set_skb_tracking(&next, 18446616576100907520ULL, 23868955262984ULL,
			 18446616546107689472ULL);
	set_tracking(&next, 1);
	add_extra(&next, "ovs",
		  "{'event_type':'upcall_return','ret':0,'upcall_cpu':1,"
		  "'upcall_ts':23868955262984}");

	check(&first, &ml,
	      "23868955262984 (2) [napi/phy0-8197] 1360 [tp] openvswitch:ovs_dp_upcall "
	      "#15b56c998008ffff8c0aa653ba00 (skb ffff8c03aa978a00) n 0\n"
	      "  upcall (miss) port 3366920467 cpu 1");
	check(&next, &child_ml,
	      "  \xe2\x86\xb3 23868955276361 (3) [napi/phy0-8197] 1360 [kr] ovs_dp_upcall "
	      "#15b56c998008ffff8c0aa653ba00 (skb ffff8c03aa978a00) n 1\n"
	      "      upcall_ret (1/23868955262984) ret 0");
	check(&next, &child_sl,
	      "  \xe2\x86\xb3 23868955276361 (3) [napi/phy0-8197] 1360 [kr] ovs_dp_upcall "
	      "#15b56c998008ffff8c0aa653ba00 (skb ffff8c03aa978a00) n 1 "
	      "upcall_ret (1/23868955262984) ret 0");
	rete_event_free(&first);
	rete_event_free(&next);
}

/* The README's sort example: multi-line ct and netns lines under "↳". */
static void test_sort_readme(void **state)
{
	struct rete_event ev = { 0 };
	struct rete_text_opts child = { .indent = 1 };
	char *pkt, want[1024];

	(void)state;
	set_common(&ev, 12510323863992ULL, 1, "isc-net-0000", 27137, 27138);
	set_kernel(&ev, "net:net_dev_queue", "raw_tracepoint");
	set_skb_tracking(&ev, 0xffff8ca27999de40ULL, 0xb60c968c1ecULL, 0xffff8ca325f86100ULL);
	set_tracking(&ev, 1);
	set_packet(&ev, icmp_packet, sizeof(icmp_packet), sizeof(icmp_packet));
	set_netns(&ev, true, 1, 4026531840u);
	set_dev(&ev, "wlp82s0", 4, -1);
	add_extra(&ev, "ct",
		  "{'state':'new','zone_id':0,'zone_dir':'Default','orig':{'ip':"
		  "{'src':'[redacted]','dst':'2606:4700:4700::1111','version':'v6'},"
		  "'proto':{'udp':{'sport':46050,'dport':53}}},'reply':{'ip':{'src':"
		  "'2606:4700:4700::1111','dst':'[redacted]','version':'v6'},'proto':"
		  "{'udp':{'sport':53,'dport':46050}}},'mark':0,'ct_status':392}");
	pkt = packet_line(&ev, &child);
	snprintf(want, sizeof(want),
		 "  \xe2\x86\xb3 12510323863992 (1) [isc-net-0000] 27137/27138 [tp] "
		 "net:net_dev_queue #b60c968c1ecffff8ca27999de40 (skb ffff8ca325f86100) n 1\n"
		 "      %s\n"
		 "      ns 0x1/4026531840 if 4 (wlp82s0)\n"
		 "      ct_state NEW status 0x188 udp orig [[redacted].46050 > "
		 "2606:4700:4700::1111.53] reply [2606:4700:4700::1111.53 > [redacted].46050] "
		 "zone 0 mark 0",
		 pkt);
	check(&ev, &child, want);
	free(pkt);
	rete_event_free(&ev);
}

/* ---- full events from test_events_packets.json ---- */

static const char ct_icmp_new[] =
	"{'state':'new','zone_id':0,'zone_dir':'Default','orig':{'ip':{'src':"
	"'192.168.125.10','dst':'192.168.125.11','version':'v4'},'proto':{'icmp':"
	"{'code':0,'type':8,'id':29004}}},'reply':{'ip':{'src':'192.168.125.11',"
	"'dst':'192.168.125.10','version':'v4'},'proto':{'icmp':{'code':0,"
	"'type':0,'id':29004}}},'mark':0,'ct_status':8}";

#define CT_ICMP_TUPLES                                                                        \
	"icmp orig [192.168.125.10 > 192.168.125.11 type 8 code 0 id 29004] "                 \
	"reply [192.168.125.11 > 192.168.125.10 type 0 code 0 id 29004] "

/* Line 2: ping's request leaving veth-ns01, conntrack NEW. */
static void test_event_packets_ct(void **state)
{
	struct rete_event ev = { 0 };
	char *pkt, want[1024];

	(void)state;
	set_common(&ev, 30419169061793ULL, 6, "ping", 11330, 11330);
	set_kernel(&ev, "net:net_dev_start_xmit", "raw_tracepoint");
	set_skb_tracking(&ev, 18446619372617628672ULL, 30419169061793ULL, 18446619372874141952ULL);
	set_skb_meta(&ev, 98, 0, 0, 2770033380u, false, 1);
	set_netns(&ev, true, 3, 4026532741u);
	set_dev(&ev, "veth-ns01", 11, -1);
	set_packet(&ev, icmp_packet, sizeof(icmp_packet), 98);
	add_extra(&ev, "ct", ct_icmp_new);

	pkt = packet_line(&ev, &ml);
	snprintf(want, sizeof(want),
		 "30419169061793 (6) [ping] 11330 [tp] net:net_dev_start_xmit "
		 "#1baa83c42ba1ffff8e95c3b67c00 (skb ffff8e95d3009100)\n"
		 "  %s\n"
		 "  ns 0x3/4026532741 if 11 (veth-ns01)\n"
		 "  skb [csum none len 98 priority 0 users 1 dataref 1]\n"
		 "  ct_state NEW status 0x8 " CT_ICMP_TUPLES "zone 0 mark 0",
		 pkt);
	check(&ev, &ml, want);

	snprintf(want, sizeof(want),
		 "30419169061793 (6) [ping] 11330 [tp] net:net_dev_start_xmit "
		 "#1baa83c42ba1ffff8e95c3b67c00 (skb ffff8e95d3009100) "
		 "%s "
		 "ns 0x3/4026532741 if 11 (veth-ns01) "
		 "skb [csum none len 98 priority 0 users 1 dataref 1] "
		 "ct_state NEW status 0x8 " CT_ICMP_TUPLES "zone 0 mark 0",
		 pkt);
	check(&ev, &sl, want);
	free(pkt);
	rete_event_free(&ev);
}

/* Line 16: the reply dropped by the sender's stack (NO_SOCKET), pid != tgid. */
static void test_event_packets_drop(void **state)
{
	struct rete_event ev = { 0 };
	char *pkt, want[1024];

	(void)state;
	set_common(&ev, 30419169457160ULL, 6, "handler8", 985, 995);
	set_kernel(&ev, "skb:kfree_skb", "raw_tracepoint");
	set_skb_tracking(&ev, 18446619377637402112ULL, 30419169440321ULL, 18446619372874143232ULL);
	set_drop(&ev, "", "NO_SOCKET");
	set_skb_meta(&ev, 64, 2116835702u, 2, 3225894840u, true, 2);
	set_netns(&ev, true, 3, 4026532741u);
	set_dev(&ev, "veth-ns01", 11, 11);
	set_packet(&ev, icmp_packet, sizeof(icmp_packet), 98);
	add_extra(&ev, "ct",
		  "{'state':'reply','zone_id':0,'zone_dir':'Default','orig':{'ip':"
		  "{'src':'192.168.125.10','dst':'192.168.125.11','version':'v4'},"
		  "'proto':{'icmp':{'code':0,'type':8,'id':29004}}},'reply':{'ip':"
		  "{'src':'192.168.125.11','dst':'192.168.125.10','version':'v4'},"
		  "'proto':{'icmp':{'code':0,'type':0,'id':29004}}},'mark':0,"
		  "'ct_status':10}");

	pkt = packet_line(&ev, &ml);
	snprintf(want, sizeof(want),
		 "30419169457160 (6) [handler8] 985/995 [tp] skb:kfree_skb "
		 "#1baa83c9f241ffff8e96eeea2600 (skb ffff8e95d3009600) drop (reason NO_SOCKET)\n"
		 "  %s\n"
		 "  ns 0x3/4026532741 if 11 (veth-ns01) rxif 11\n"
		 "  skb [csum complete (0xc0473fb8) hash 0x7e2c5976 len 64 priority 0 cloned "
		 "users 1 dataref 2]\n"
		 "  ct_state REPLY status 0xa " CT_ICMP_TUPLES "zone 0 mark 0",
		 pkt);
	check(&ev, &ml, want);
	free(pkt);
	rete_event_free(&ev);
}

/* test_events_packets_invalid_ct.json: an outdated ct (no ct_status, no mark). */
static void test_event_invalid_ct(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	set_common(&ev, 1, -1, NULL, 0, 0);
	add_extra(&ev, "ct",
		  "{'state':'reply','zone_id':0,'zone_dir':'Default','orig':{'ip':"
		  "{'src':'192.168.125.10','dst':'192.168.125.11','version':'v4'},"
		  "'proto':{'icmp':{'code':0,'type':8,'id':57784}}},'reply':{'ip':"
		  "{'src':'192.168.125.11','dst':'192.168.125.10','version':'v4'},"
		  "'proto':{'icmp':{'code':0,'type':0,'id':57784}}}}");
	check(&ev, &ml,
	      "1\n  ct_state REPLY status 0x0 icmp orig [192.168.125.10 > 192.168.125.11 type 8 "
	      "code 0 id 57784] reply [192.168.125.11 > 192.168.125.10 type 0 code 0 id 57784] "
	      "zone 0");
	rete_event_free(&ev);
}

/* Line 1 of test_events_packets_invalid_ct.json: OVS upcall with packet. */
static void test_event_ovs_upcall(void **state)
{
	struct rete_event ev = { 0 };
	char *pkt, want[1024];

	(void)state;
	set_common(&ev, 29153714832897ULL, 5, "ping", 7942, 7942);
	set_kernel(&ev, "openvswitch:ovs_dp_upcall", "raw_tracepoint");
	set_skb_tracking(&ev, 18446619378575841280ULL, 29153714832897ULL, 18446619372824525056ULL);
	set_dev(&ev, "veth-ns01-ovs", 10, 10);
	set_netns(&ev, true, 1, 4026531840u);
	set_skb_meta(&ev, 98, 2116835702u, 0, 2769640170u, false, 1);
	set_packet(&ev, icmp_packet, sizeof(icmp_packet), 98);
	add_extra(&ev, "ovs", "{'event_type':'upcall','cmd':1,'port':3053716315,'cpu':5}");

	pkt = packet_line(&ev, &ml);
	snprintf(want, sizeof(want),
		 "29153714832897 (5) [ping] 7942 [tp] openvswitch:ovs_dp_upcall "
		 "#1a83e0d10601ffff8e9726d99800 (skb ffff8e95d00b7900)\n"
		 "  %s\n"
		 "  ns 0x1/4026531840 if 10 (veth-ns01-ovs) rxif 10\n"
		 "  skb [csum none hash 0x7e2c5976 len 98 priority 0 users 1 dataref 1]\n"
		 "  upcall (miss) port 3053716315 cpu 5",
		 pkt);
	check(&ev, &ml, want);
	free(pkt);
	rete_event_free(&ev);
}

/* ---- ct ---- */

static void check_extra(const char *name, const char *json, const struct rete_text_opts *opts,
			const char *want)
{
	struct rete_event ev = { 0 };
	char full[2048], *w = dq(want);

	set_common(&ev, 7, -1, NULL, 0, 0);
	add_extra(&ev, name, json);
	snprintf(full, sizeof(full), "7%s%s", opts->single_line ? " " : "\n  ", w);
	check(&ev, opts, full);
	free(w);
	rete_event_free(&ev);
}

static void test_ct_variants(void **state)
{
	(void)state;
	/* The README's example: udp, IPv6. */
	check_extra("ct",
		    "{'state':'new','zone_id':0,'zone_dir':'Default','orig':{'ip':"
		    "{'src':'[redacted]','dst':'2606:4700:4700::1111','version':'v6'},"
		    "'proto':{'udp':{'sport':43366,'dport':53}}},'reply':{'ip':{'src':"
		    "'2606:4700:4700::1111','dst':'[redacted]','version':'v6'},'proto':"
		    "{'udp':{'sport':53,'dport':43366}}},'mark':0,'ct_status':256}",
		    &ml,
		    "ct_state NEW status 0x100 udp orig [[redacted].43366 > "
		    "2606:4700:4700::1111.53] reply [2606:4700:4700::1111.53 > [redacted].43366] "
		    "zone 0 mark 0");

	/* tcp with state, reply zone, labels, parent (multi-line and single-line). */
	static const char tcp[] =
		"{'state':'established','zone_id':5,'zone_dir':'Reply','orig':{'ip':"
		"{'src':'10.0.0.1','dst':'10.0.0.2','version':'v4'},'proto':{'tcp':"
		"{'sport':40000,'dport':21}}},'reply':{'ip':{'src':'10.0.0.2','dst':"
		"'10.0.0.1','version':'v4'},'proto':{'tcp':{'sport':21,'dport':40000}}},"
		"'tcp_state':'ESTABLISHED','mark':3,'labels':{'hi':1,'lo':2},"
		"'ct_status':398,'parent':{'zone_id':0,'zone_dir':'Original','orig':"
		"{'ip':{'src':'10.0.0.1','dst':'10.0.0.2','version':'v4'},'proto':"
		"{'tcp':{'sport':40001,'dport':21}}},'reply':{'ip':{'src':'10.0.0.2',"
		"'dst':'10.0.0.1','version':'v4'},'proto':{'tcp':{'sport':21,"
		"'dport':40001}}},'labels':{'hi':0,'lo':0},'ct_status':8}}";

	check_extra("ct", tcp, &ml,
		    "ct_state ESTABLISHED status 0x18e tcp (ESTABLISHED) orig [10.0.0.1.40000 > "
		    "10.0.0.2.21] reply [10.0.0.2.21 > 10.0.0.1.40000] reply-zone 5 mark 3 "
		    "labels 0x10000000000000002\n"
		    "  \\ parent [status 0x8 tcp (UNKNOWN) orig [10.0.0.1.40001 > 10.0.0.2.21] "
		    "reply [10.0.0.2.21 > 10.0.0.1.40001] orig-zone 0 labels 0x0]");
	check_extra("ct", tcp, &sl,
		    "ct_state ESTABLISHED status 0x18e tcp (ESTABLISHED) orig [10.0.0.1.40000 > "
		    "10.0.0.2.21] reply [10.0.0.2.21 > 10.0.0.1.40000] reply-zone 5 mark 3 "
		    "labels 0x10000000000000002 parent [status 0x8 tcp (UNKNOWN) orig "
		    "[10.0.0.1.40001 > 10.0.0.2.21] reply [10.0.0.2.21 > 10.0.0.1.40001] "
		    "orig-zone 0 labels 0x0]");

	/* Mismatched protocols print no tuples; zone dir None prints no zone. */
	check_extra("ct",
		    "{'state':'related_reply','zone_id':0,'zone_dir':'None','orig':{'ip':{'src':"
		    "'a','dst':'b','version':'v4'},'proto':{'tcp':{'sport':1,'dport':2}}},"
		    "'reply':{'ip':{'src':'b','dst':'a','version':'v4'},'proto':{'udp':"
		    "{'sport':2,'dport':1}}},'ct_status':1}",
		    &ml, "ct_state RELATED_REPLY status 0x1 ");
	/* sctp with its state (Retis's proto_state). */
	check_extra("ct",
		    "{'state':'new','zone_id':0,'zone_dir':'Default','orig':{'ip':{'src':"
		    "'192.0.2.1','dst':'192.0.2.2','version':'v4'},'proto':{'sctp':{'sport':"
		    "5000,'dport':6000}}},'reply':{'ip':{'src':'192.0.2.2','dst':'192.0.2.1',"
		    "'version':'v4'},'proto':{'sctp':{'sport':6000,'dport':5000}}},"
		    "'proto_state':'COOKIE_WAIT','ct_status':8}",
		    &ml, "ct_state NEW status 0x8 sctp (COOKIE_WAIT) orig [192.0.2.1.5000 > "
			 "192.0.2.2.6000] reply [192.0.2.2.6000 > 192.0.2.1.5000] zone 0");
	/* A layout rete does not know (fields missing, of another type): shown as it is. */
	check_extra("ct", "{}", &ml, "ct {}");
	check_extra("ct", "{'state':'related','zone_id':'x','zone_dir':'Default'}", &ml,
		    "ct {'state':'related','zone_id':'x','zone_dir':'Default'}");

	/* Not an object: kept as raw JSON. */
	check_extra("ct", "[1,2]", &ml, "ct [1,2]");
	check_extra("ct", "{broken", &ml, "ct {broken");
}

/* ---- nft ---- */

static void test_nft(void **state)
{
	(void)state;
	check_extra("nft",
		    "{'table_name':'firewalld','chain_name':'filter_INPUT_POLICIES',"
		    "'verdict':'drop','table_handle':4,'chain_handle':124,"
		    "'rule_handle':284,'policy':false}",
		    &ml, "table firewalld (4) chain filter_INPUT_POLICIES (124) handle 284 drop");
	check_extra("nft",
		    "{'table_name':'firewalld','chain_name':'filter_INPUT','verdict':"
		    "'accept','table_handle':4,'chain_handle':120,'policy':true}",
		    &sl, "table firewalld (4) chain filter_INPUT (120) accept (policy)");
	check_extra("nft",
		    "{'table_name':'t','chain_name':'c','verdict':'jump',"
		    "'verdict_chain_name':'other','table_handle':-1,'chain_handle':2,"
		    "'rule_handle':null,'policy':false}",
		    &ml, "table t (-1) chain c (2) jump chain other");
	/* A layout rete does not know (fields missing): shown as it is. */
	check_extra("nft", "{}", &ml, "nft {}");
	check_extra("nft", "{'verdict':'drop'}", &sl, "nft {'verdict':'drop'}");
}

/* ---- ovs ---- */

static void test_ovs_events(void **state)
{
	(void)state;
	/* test_events.json */
	check_extra("ovs", "{'cmd':1,'cpu':1,'event_type':'upcall','port':3366920467}",
		    &ml, "upcall (miss) port 3366920467 cpu 1");
	check_extra("ovs",
		    "{'event_type':'upcall_return','ret':0,'upcall_cpu':1,"
		    "'upcall_ts':23868955262984}",
		    &ml, "upcall_ret (1/23868955262984) ret 0");
	/* test_events_packets.json */
	check_extra("ovs",
		    "{'event_type':'action_execute','action':'output','port':3,"
		    "'recirc_id':0}",
		    &ml, "exec oport 3");
	/* Retis's ovs.rs unit test events and its documentation. */
	check_extra("ovs", "{'cmd':0,'cpu':0,'event_type':'upcall','port':1}", &ml,
		    "upcall (unspec) port 1 cpu 0");
	check_extra("ovs", "{'cmd':7,'cpu':0,'event_type':'upcall','port':1}", &ml,
		    "upcall port 1 cpu 0");
	check_extra("ovs",
		    "{'cmd':1,'event_type':'upcall_enqueue','queue_id':2809249329,'ret':0,"
		    "'upcall_cpu':7,'port':3644007146,'upcall_ts':202388857516033}",
		    &ml, "upcall_enqueue (miss) (7/202388857516033) q 2809249329 ret 0");
	check_extra("ovs",
		    "{'event_type':'upcall_return','ret':-11,'upcall_cpu':0,"
		    "'upcall_ts':61096236973661}",
		    &ml, "upcall_ret (0/61096236973661) ret -11");
	check_extra("ovs",
		    "{'batch_idx':0,'batch_ts':202388857658575,'event_type':'flow_operation',"
		    "'op_type':'put','queue_id':2809249329}",
		    &ml, "flow_put q 2809249329 ts 202388857658575 (0)");
	check_extra("ovs",
		    "{'batch_idx':3,'batch_ts':61096237019698,'event_type':'flow_operation',"
		    "'op_type':'exec','queue_id':3316322986}",
		    &ml, "flow_exec q 3316322986 ts 61096237019698 (3)");
	check_extra("ovs",
		    "{'event_type':'flow_operation','op_type':'bogus','queue_id':1}", &ml,
		    "flow_? q 1 ts 0 (0)");
	check_extra("ovs",
		    "{'action':'output','event_type':'action_execute','port':2,"
		    "'queue_id':2809249329,'recirc_id':0}",
		    &ml, "exec oport 2 q 2809249329");
	check_extra("ovs",
		    "{'event_type':'flow_lookup','flow':18446616576100907520,"
		    "'sf_acts':18446616546107689472,'ufid':[305419896,2596069104,305419896,"
		    "2596069104],'n_mask_hit':2,'n_cache_hit':1}",
		    &ml,
		    "ufid 12345678-9abc-def0-1234-56789abcdef0 hit (mask/cache) 2/1 "
		    "flow ffff8c0aa653ba00 sf_acts ffff8c03aa978a00");
}

static void test_ovs_actions(void **state)
{
	(void)state;
	check_extra("ovs",
		    "{'action':'ct','event_type':'action_execute','flags':485,'nat':"
		    "{'dir':'dst','max_addr':'10.244.1.30','max_port':36900,'min_addr':"
		    "'10.244.1.3','min_port':36895},'recirc_id':34,'zone_id':20}",
		    &ml,
		    "[recirc_id 0x22] exec ct zone 20 nat(dst=10.244.1.3-10.244.1.30:36895-36900) "
		    "commit");
	check_extra("ovs",
		    "{'action':'ct','event_type':'action_execute','flags':3971,'nat':"
		    "{'dir':'src','max_addr':'10.0.0.1','max_port':80,'min_addr':"
		    "'10.0.0.1','min_port':80},'recirc_id':0,'zone_id':1}",
		    &ml, "exec ct zone 1 nat(src=10.0.0.1:80) commit,force,persistent,hash,random");
	check_extra("ovs",
		    "{'action':'ct','event_type':'action_execute','flags':16,'nat':{},"
		    "'recirc_id':2,'zone_id':1}",
		    &ml, "[recirc_id 0x2] exec ct zone 1 nat");
	check_extra("ovs",
		    "{'action':'ct','event_type':'action_execute','flags':0,"
		    "'recirc_id':0,'zone_id':0}",
		    &ml, "exec ct zone 0");
	check_extra("ovs",
		    "{'action':'drop','event_type':'action_execute','reason':0,"
		    "'recirc_id':32}",
		    &ml, "[recirc_id 0x20] exec drop 0");
	check_extra("ovs",
		    "{'action':'recirc','event_type':'action_execute','id':7,"
		    "'recirc_id':0}",
		    &ml, "exec recirc 0x7");
	check_extra("ovs", "{'action':'set','event_type':'action_execute','recirc_id':0}",
		    &ml, "exec tunnel_set");
	check_extra("ovs",
		    "{'action':'check_pkt_len','event_type':'action_execute',"
		    "'recirc_id':0}",
		    &ml, "exec check_pkt_len");
	check_extra("ovs", "{'event_type':'action_execute','recirc_id':0}", &ml,
		    "exec unspec");
	check_extra("ovs",
		    "{'action':'psample','event_type':'action_execute','recirc_id':0}", &ml,
		    "exec psample");
	/* Unknown event type or no event type: raw JSON. */
	check_extra("ovs", "{'event_type':'new_kind','x':1}", &ml,
		    "ovs {'event_type':'new_kind','x':1}");
	check_extra("ovs", "{'cmd':1}", &sl, "ovs {'cmd':1}");
}

/* ---- rete's lost-events record ---- */

static void test_lost_record(void **state)
{
	(void)state;
	check_extra("lost",
		    "{'probes':{'raw_tracepoint/net:netif_rx':0},'total':0,'kernel_skipped':0}",
		    &ml, "lost 0 event(s)");
	check_extra("lost",
		    "{'probes':{'raw_tracepoint/net:netif_rx':0,'kprobe/ip_rcv':12,"
		    "'raw_tracepoint/skb:kfree_skb':3},'total':15,'kernel_skipped':2}",
		    &sl,
		    "lost 15 event(s) (kprobe/ip_rcv 12, raw_tracepoint/skb:kfree_skb 3) 2 probe "
		    "run(s) skipped by the kernel");
	check_extra("lost", "{'total':4,'kernel_skipped':0}", &ml, "lost 4 event(s)");
	/* Not the record rete writes: shown raw. */
	check_extra("lost", "{'probes':{}}", &ml, "lost {'probes':{}}");
}

/* ---- unknown sections and ordering ---- */

static void test_extra_unknown_and_order(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	set_common(&ev, 9, -1, NULL, 0, 0);
	/* Added in a different order than Retis prints them. */
	add_extra(&ev, "future", " {'a':1} ");
	add_extra(&ev, "ct", ct_icmp_new);
	add_extra(&ev, "nft",
		  "{'table_name':'t','chain_name':'c','verdict':'drop',"
		  "'table_handle':1,'chain_handle':2,'policy':false}");
	add_extra(&ev, "ovs-detrace", "{'ufid':[1,2,3,4]}");
	add_extra(&ev, "ovs", "{'cmd':1,'cpu':1,'event_type':'upcall','port':9}");
	add_extra(&ev, "empty", "");
	set_netns(&ev, false, 0, 1);
	check(&ev, &ml,
	      "9\n"
	      "  ns 1\n"
	      "  upcall (miss) port 9 cpu 1\n"
	      "  ovs-detrace {\"ufid\":[1,2,3,4]}\n"
	      "  table t (1) chain c (2) drop\n"
	      "  ct_state NEW status 0x8 " CT_ICMP_TUPLES "zone 0 mark 0\n"
	      "  future {\"a\":1}\n"
	      "  empty");
	rete_event_free(&ev);
}

/* Fields of the wrong type read as absent or 0; nothing crashes. */
static void test_extra_bad_fields(void **state)
{
	struct rete_event ev = { 0 };

	(void)state;
	/* A ct section that does not fit its description is kept whole and shown raw. */
	check_extra("ct", "{'state':5,'orig':5,'reply':'x','labels':7,'mark':'m','parent':[1]}",
		    &ml, "ct {'state':5,'orig':5,'reply':'x','labels':7,'mark':'m','parent':[1]}");
	check_extra("ct", "{'parent':{}}", &sl, "ct {'parent':{}}");
	/* So is an nft section that does not fit its description. */
	check_extra("nft", "{'table_name':5,'policy':'yes','rule_handle':'1'}", &ml,
		    "nft {'table_name':5,'policy':'yes','rule_handle':'1'}");
	check_extra("ovs", "{'event_type':5}", &ml, "ovs {'event_type':5}");
	check_extra("ovs", "{'event_type':'flow_lookup','ufid':'abc'}", &ml,
		    "ufid 00000000-0000-0000-0000-000000000000 hit (mask/cache) 0/0 flow 0 "
		    "sf_acts 0");
	check_extra("ovs", "{'event_type':'flow_lookup','ufid':[1,'x',3]}", &ml,
		    "ufid 00000001-0000-0000-0000-000300000000 hit (mask/cache) 0/0 flow 0 "
		    "sf_acts 0");
	check_extra("ovs", "{'event_type':'action_execute','action':5,'recirc_id':-1}", &ml,
		    "exec unspec");
	check_extra("ovs", "{'event_type':'action_execute','action':'ct','nat':'x','flags':384}",
		    &ml, "exec ct zone 0 nat");
	check_extra("ovs",
		    "{'event_type':'action_execute','action':'ct','nat':{'dir':'up'},'flags':384}",
		    &ml, "exec ct zone 0 nat");
	check_extra("ovs",
		    "{'event_type':'action_execute','action':'ct','nat':{'dir':'src'},'flags':384}",
		    &ml, "exec ct zone 0 nat(src)");

	set_common(&ev, 1, -1, NULL, 0, 0);
	add_extra(&ev, "userspace", "not json");
	check(&ev, &ml, "1 [u] ");
	rete_event_reset(&ev);
	set_common(&ev, 1, -1, NULL, 0, 0);
	add_extra(&ev, "userspace", "{'symbol':'s','path':5}");
	check(&ev, &ml, "1 [u] s");
	rete_event_free(&ev);
}

static void test_errors(void **state)
{
	struct rete_event ev = { 0 };
	struct rete_strbuf sb = RETE_STRBUF_INIT;

	(void)state;
	assert_int_equal(rete_text_event(NULL, &ml, &sb), -EINVAL);
	assert_int_equal(rete_text_event(&ev, &ml, NULL), -EINVAL);

	/* NULL opts: multi-line defaults. An event with nothing renders as "". */
	assert_int_equal(rete_text_event(&ev, NULL, &sb), 0);
	assert_string_equal(rete_strbuf_str(&sb), "");

	/* Appends to what is already there. */
	set_common(&ev, 5, -1, NULL, 0, 0);
	rete_strbuf_adds(&sb, ">");
	assert_int_equal(rete_text_event(&ev, NULL, &sb), 0);
	assert_string_equal(rete_strbuf_str(&sb), ">5");

	/* A sticky buffer error is returned. */
	sb.err = -ENOMEM;
	assert_int_equal(rete_text_event(&ev, NULL, &sb), -ENOMEM);
	rete_strbuf_free(&sb);
	rete_event_free(&ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_readme),
		cmocka_unit_test(test_header_pid_tgid),
		cmocka_unit_test(test_header_probe_types),
		cmocka_unit_test(test_header_missing_optional),
		cmocka_unit_test(test_header_drop),
		cmocka_unit_test(test_header_userspace),
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_netns_dev),
		cmocka_unit_test(test_skb),
		cmocka_unit_test(test_startup),
		cmocka_unit_test(test_utc),
		cmocka_unit_test(test_sort_series),
		cmocka_unit_test(test_sort_readme),
		cmocka_unit_test(test_event_packets_ct),
		cmocka_unit_test(test_event_packets_drop),
		cmocka_unit_test(test_event_invalid_ct),
		cmocka_unit_test(test_event_ovs_upcall),
		cmocka_unit_test(test_ct_variants),
		cmocka_unit_test(test_nft),
		cmocka_unit_test(test_ovs_events),
		cmocka_unit_test(test_ovs_actions),
		cmocka_unit_test(test_lost_record),
		cmocka_unit_test(test_extra_unknown_and_order),
		cmocka_unit_test(test_extra_bad_fields),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
