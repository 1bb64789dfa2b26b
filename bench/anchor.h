/* SPDX-License-Identifier: GPL-2.0 */
/* The record the benchmark's minimal emitter writes: shared by anchor.bpf.c and anchor.c. */
#ifndef RETE_BENCH_ANCHOR_H
#define RETE_BENCH_ANCHOR_H

#define ANCHOR_RING_BYTES (4u << 20)
#define ANCHOR_DATA_BYTES 128

enum {
	ANCHOR_PROBE_RX = 0, /* net:netif_receive_skb */
	ANCHOR_PROBE_TX = 1, /* net:net_dev_start_xmit */
};

struct anchor_rec {
	__u64 ts;
	__u64 skb;
	__u32 ifindex;
	__u32 netns;
	__u32 len;
	__u32 probe;
	__u8 data[ANCHOR_DATA_BYTES]; /* from the MAC header (network header if unset) */
	__u8 pad[96];		      /* 256 bytes in all, like the method's emitter */
};

_Static_assert(sizeof(struct anchor_rec) == 256, "anchor record is 256 bytes");

#endif
