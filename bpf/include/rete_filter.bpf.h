/*
 * Filter placeholders. Userspace replaces the body of these global functions
 * with generated eBPF at load time (src/filter/inject.c), so they are
 * verified on their own with scalar arguments. Without a filter the body
 * below stays: always a match. Global (not static) so the compiler keeps
 * their arguments and cannot assume their result.
 */
#ifndef RETE_BPF_FILTER_H
#define RETE_BPF_FILTER_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* Packet filter on bytes starting at the Ethernet header (see src/filter/filter.h). */
__noinline int rete_filter_packet_l2(__u64 data, __u32 linear, __u32 wire_len)
{
	volatile int match = 1;

	/* Keep every argument live so callers always pass it. */
	asm volatile("" : : "r"(data), "r"(linear), "r"(wire_len));
	return match;
}

/* Packet filter on bytes starting at the network header. */
__noinline int rete_filter_packet_l3(__u64 data, __u32 linear, __u32 wire_len)
{
	volatile int match = 1;

	/* Keep every argument live so callers always pass it. */
	asm volatile("" : : "r"(data), "r"(linear), "r"(wire_len));
	return match;
}

/* Meta filter on struct sk_buff fields. */
__noinline int rete_filter_meta(__u64 skb)
{
	volatile int match = 1;

	asm volatile("" : : "r"(skb));
	return match;
}

#endif
