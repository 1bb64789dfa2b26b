// SPDX-License-Identifier: GPL-2.0
/*
 * Test harness for packet tracking (tests/unit/test_tracking_kernel.c): the
 * product's rete_track_start / rete_track_lookup (src/collectors/
 * skb_tracking/skb_tracking.bpf.h) run with BPF_PROG_TEST_RUN on a fake sk_buff whose data
 * head is tt_head below: the test writes one packet there, then another one
 * at the same head, as the kernel does when it reuses a freed head.
 *
 * ctx[0] is the mode (0: start tracking, 1: look up), ctx[1] the timestamp.
 * Returns whether the packet is tracked; its id is left in tt_orig_head and
 * tt_timestamp.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "collectors/skb_tracking/skb_tracking.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TT_HEAD 1024

/* The fake packet, written by the test through the mmapped .bss. */
__u8 tt_head[TT_HEAD];
__u32 tt_nh;		/* sk_buff.network_header */
__u32 tt_tail;		/* sk_buff.tail */
__u32 tt_end;		/* sk_buff.end */
__u16 tt_proto;		/* sk_buff.protocol, network order */
/* The id the run gave or found. */
__u64 tt_orig_head;
__u64 tt_timestamp;
__u64 tt_errors;

/* A map value's address as a scalar (the verifier cannot follow this copy). */
static __always_inline __u64 kaddr(const void *p)
{
	const void *tmp = p;
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &tmp);
	return v;
}

SEC("raw_tp")
int rete_tracking_test(__u64 *ctx)
{
	struct rete_sec_tracking t = {};
	struct rete_ctx rc = {};
	struct sk_buff *s;
	bool tracked;

	rc.scratch = rete_scratch_enter();
	if (!rc.scratch) {
		tt_errors++;
		return 0;
	}
	/* The snapshot the chain would have copied from the kernel's sk_buff. */
	for (int i = 0; i < RETE_SKB_COPY_MAX / 8; i++)
		((__u64 *)rc.scratch->skb)[i] = 0;
	s = (struct sk_buff *)rc.scratch->skb;
	s->head = (unsigned char *)kaddr(tt_head);
	s->network_header = tt_nh;
	s->tail = tt_tail;
	s->end = tt_end;
	s->protocol = tt_proto;
	rc.s = s;
	rc.skb = (struct sk_buff *)0xffff888800001000ULL;
	rc.ts = ctx[1];
	if (ctx[0] == 0)
		tracked = rete_track_start(&rc, &t);
	else
		tracked = rete_track_lookup(&rc, &t);
	tt_orig_head = t.orig_head;
	tt_timestamp = t.timestamp;
	rete_scratch_exit();
	return tracked;
}
