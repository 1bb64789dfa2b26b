// SPDX-License-Identifier: GPL-2.0
/*
 * Test harness for the generated filters (tests/unit/test_filter_kernel.c):
 * never attached, only run with BPF_PROG_TEST_RUN. Same section as the probe
 * program, so the test splices filters in with the product's section handler
 * (src/filter/inject.c) into the same placeholders (rete_filter.bpf.h).
 *
 * ctx[0] is the mode, ctx[1] a packet index. The program returns
 * the filter's value. Packets and the fake sk_buff live in map values: that
 * is kernel memory, which the filters' bpf_probe_read_kernel() can read.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "rete_filter.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Keep in sync with tests/unit/test_filter_kernel.c (it checks the value sizes). */
#define FT_PKT_BUF 1024
#define FT_PKTS_MAX 4096
#define FT_META_MEM 16384
#define FT_META_FIXUPS 4

enum {
	FT_MODE_L2,	/* rete_filter_packet_l2 on view 0 */
	FT_MODE_L3,	/* rete_filter_packet_l3 on view 1 */
	FT_MODE_META,	/* rete_filter_meta on the fake sk_buff */
	FT_MODE_FAULT,	/* rete_filter_packet_l2 on view 0 at an unreadable address */
};

/* One packet as the two filter forms see it: data + off[v], linear[v], wire[v]. */
struct rete_ft_pkt {
	__u32 off[2];
	__u32 linear[2];
	__u32 wire[2];
	__u32 pad[2];
	__u8 data[FT_PKT_BUF];
};

/* Store the kernel address of mem + target at mem + at, before each run. */
struct rete_ft_fixup {
	__u32 at;
	__u32 target;
};

/* The sk_buff starts at mem[0]; the structures it points to follow it. */
struct rete_ft_meta {
	__u32 nfixups;
	__u32 pad;
	struct rete_ft_fixup fixups[FT_META_FIXUPS];
	__u8 mem[FT_META_MEM];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FT_PKTS_MAX);
	__type(key, __u32);
	__type(value, struct rete_ft_pkt);
} rete_ft_pkts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rete_ft_meta);
} rete_ft_meta SEC(".maps");

/* Runs that could not find their input (the test expects none). */
__u64 rete_ft_errors = 0;

/*
 * A map value pointer as a scalar: global functions take scalars only and
 * the verifier does not let a pointer become one, but it cannot follow a
 * copy made through bpf_probe_read_kernel().
 */
static __always_inline __u64 kaddr(const void *p)
{
	const void *tmp = p;
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &tmp);
	return v;
}

static __always_inline int run_meta(void)
{
	struct rete_ft_meta *m;
	__u32 zero = 0;
	__u64 base;

	m = bpf_map_lookup_elem(&rete_ft_meta, &zero);
	if (!m)
		goto err;
	base = kaddr(m->mem);
	if (!base)
		goto err;
#pragma unroll
	for (int i = 0; i < FT_META_FIXUPS; i++) {
		__u32 at = m->fixups[i].at, target = m->fixups[i].target;

		if ((__u32)i >= m->nfixups)
			break;
		if (at > FT_META_MEM - sizeof(__u64) || target >= FT_META_MEM)
			goto err;
		*(__u64 *)(m->mem + at) = base + target;
	}
	return rete_filter_meta(base);
err:
	__sync_fetch_and_add(&rete_ft_errors, 1);
	return 0;
}

/*
 * ctx is the raw_tp argument array, taken as plain u64s: struct
 * bpf_raw_tracepoint_args from vmlinux.h would bring a CO-RE relocation, and
 * with it a parse of the kernel's BTF at every one of the test's loads.
 */
SEC("rete_tp")
int rete_filter_test(__u64 *ctx)
{
	__u32 mode = (__u32)ctx[0], idx = (__u32)ctx[1], v, off;
	struct rete_ft_pkt *p;
	__u64 data;

	if (mode == FT_MODE_META)
		return run_meta();
	p = bpf_map_lookup_elem(&rete_ft_pkts, &idx);
	if (!p || mode > FT_MODE_FAULT)
		goto err;
	v = mode == FT_MODE_L3;
	off = v ? p->off[1] : p->off[0];
	if (off >= FT_PKT_BUF)
		goto err;
	data = kaddr(p->data);
	if (!data)
		goto err;
	data += off;
	if (mode == FT_MODE_FAULT)
		data = 64; /* in the unmapped first page: every read fails */
	if (v)
		return rete_filter_packet_l3(data, p->linear[1], p->wire[1]);
	return rete_filter_packet_l2(data, p->linear[0], p->wire[0]);
err:
	__sync_fetch_and_add(&rete_ft_errors, 1);
	return 0;
}
