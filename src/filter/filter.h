/*
 * In-kernel filters: generated eBPF spliced into the probe program at load
 * time, in place of the body of placeholder functions (bpf/include/rete_filter.bpf.h).
 *
 * Calling conventions (eBPF registers on entry; all arguments are scalars):
 *
 *   packet filters (L2 and L3 variants): int f(u64 data, u32 linear, u32 wire_len)
 *     R1 = kernel address of the first packet byte (Ethernet header for L2,
 *          IP header for L3); read it only with bpf_probe_read_kernel
 *     R2 = bytes readable from R1 (linear data only)
 *     R3 = packet length on the wire from R1 (the cBPF `len`)
 *   meta filter: int f(u64 skb)
 *     R1 = kernel address of the struct sk_buff
 *
 *   R0 on exit: 0 = no match, anything else = match.
 *   The generated code may use R0-R9, up to RETE_FILTER_STACK bytes of stack
 *   below R10, and BPF_FUNC_probe_read_kernel; nothing else.
 */
#ifndef RETE_FILTER_FILTER_H
#define RETE_FILTER_FILTER_H

#include <stddef.h>
#include <linux/bpf.h>

#define RETE_FILTER_STACK 256
/* Largest program we generate (the kernel accepts far more; this keeps load time sane). */
#define RETE_FILTER_MAX_INSNS 4096

/* A generated program (owned array of instructions). */
struct rete_filter_prog {
	struct bpf_insn *insns;
	size_t n, cap;
};

void rete_filter_prog_free(struct rete_filter_prog *p);
/* Append one instruction; 0 or -ENOMEM / -E2BIG past RETE_FILTER_MAX_INSNS. */
int rete_filter_emit(struct rete_filter_prog *p, struct bpf_insn insn);

#endif
