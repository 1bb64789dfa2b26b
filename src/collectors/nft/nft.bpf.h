/*
 * nft, on kernels with kprobes (Retis's method): a kprobe on
 * __nft_trace_packet, which nft_do_chain calls for every rule and chain
 * policy a packet meets while the nft_trace_enabled static key is on (the
 * collector switches it on by adding a chain holding `meta nftrace set 1`,
 * attached to no hook). The program reads the table, chain, rule handle
 * and verdict, drops verdicts --nft-verdicts did not ask for, and hands
 * the packet (pktinfo->skb) to the chain as any probe does.
 *
 * The function changed in 6.4: before, (info, chain, type) with the packet,
 * rule and verdict in the traceinfo; since, (pkt, verdict, rule, info,
 * type), the chain found from the rule (the blob's last rule points to it)
 * or the base chain. Userspace finds which argument is which in BTF
 * (rete_chain_cfg.nft_arg_*); the traceinfo's layout is relocated by CO-RE
 * against the kernel's or the nf_tables module's BTF.
 *
 * Without --allow-system-changes (tracing stays off), a kretprobe on
 * nft_do_chain gives each base chain's final verdict instead
 * (rete_nft_chain_read).
 */
#ifndef RETE_BPF_COLLECTOR_NFT_H
#define RETE_BPF_COLLECTOR_NFT_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_cfg.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_maps.bpf.h"
#include "uapi/rete_sections.h"

/* The traceinfo before 6.4. */
struct nft_traceinfo___pre64 {
	const struct nft_pktinfo *pkt;
	const struct nft_chain *chain;
	const struct nft_rule_dp *rule;
	const struct nft_verdict *verdict;
} __attribute__((preserve_access_index));

#define RETE_NFT_TRACETYPE_POLICY 1	/* enum nft_trace_types */
#define RETE_NF_DROP 0
#define RETE_NF_STOLEN 2
#define RETE_NF_VERDICT_MASK 0xff
/* Rules walked to find a rule's chain (6.4+): the rest of a longer chain is not walked. */
#define RETE_NFT_WALK_MAX 512

static __always_inline const void *rete_nft_arg(const __u64 *args, __u8 idx)
{
	return (const void *)rete_arg(args, idx);
}

/* The chain rule belongs to: the blob's last, pseudo rule names it (6.4+). */
static __always_inline const struct nft_chain *rete_nft_rule_chain(const struct nft_rule_dp *rule)
{
	__u32 hdr = bpf_core_type_size(struct nft_rule_dp);
	const struct nft_rule_dp_last *last;
	const __u8 *p = (const __u8 *)rule;

#pragma clang loop unroll(disable)
	for (int i = 0; i < RETE_NFT_WALK_MAX; i++) {
		const struct nft_rule_dp *r = (const void *)p;

		if (BPF_CORE_READ_BITFIELD_PROBED(r, is_last))
			break;
		p += hdr + (__u32)BPF_CORE_READ_BITFIELD_PROBED(r, dlen);
	}
	last = (const void *)p;
	return BPF_CORE_READ(last, chain);
}

/* The chain's and its table's names and handles into e; no jump target yet. */
static __always_inline void rete_nft_chain_names(struct rete_sec_nft *e,
						 const struct nft_chain *chain)
{
	e->chain_handle = (__s64)BPF_CORE_READ(chain, handle);
	e->table_handle = (__s64)BPF_CORE_READ(chain, table, handle);
	if (bpf_probe_read_kernel_str(e->chain_name, sizeof(e->chain_name),
				      BPF_CORE_READ(chain, name)) < 0)
		e->chain_name[0] = '\0';
	if (bpf_probe_read_kernel_str(e->table_name, sizeof(e->table_name),
				      BPF_CORE_READ(chain, table, name)) < 0)
		e->table_name[0] = '\0';
	e->verdict_chain[0] = '\0';
}

/*
 * Fill e from __nft_trace_packet's arguments and find the packet; false when
 * there is nothing to report (tracing was off when the chain started, or a
 * verdict --nft-verdicts leaves out).
 */
static __always_inline bool rete_nft_read(const __u64 *args, struct rete_sec_nft *e,
					  struct sk_buff **ret_skb)
{
	const struct nft_traceinfo *info = rete_nft_arg(args, rete_cfg.nft_arg_info);
	const struct nft_base_chain *basechain;
	const struct nft_verdict *verdict;
	const struct nft_pktinfo *pkt;
	const struct nft_rule_dp *rule;
	const struct nft_chain *chain, *target;
	__u32 type = (__u32)rete_arg(args, rete_cfg.nft_arg_type);
	__s32 code;

	if (!info || !BPF_CORE_READ(info, trace))
		return false;
	basechain = BPF_CORE_READ(info, basechain);
	if (rete_cfg.nft_arg_verdict != RETE_ARG_NONE)
		verdict = rete_nft_arg(args, rete_cfg.nft_arg_verdict);
	else if (bpf_core_field_exists(struct nft_traceinfo___pre64, verdict))
		verdict = BPF_CORE_READ((const struct nft_traceinfo___pre64 *)info, verdict);
	else
		return false;

	e->flags = 0;
	if (type == RETE_NFT_TRACETYPE_POLICY) {
		code = BPF_CORE_READ(basechain, policy);
		e->flags |= RETE_NFT_F_POLICY;
	} else {
		code = (__s32)BPF_CORE_READ(verdict, code);
	}
	if (code >= 0)
		code &= RETE_NF_VERDICT_MASK;	/* NF_DROP_ERR, NF_QUEUE_NR carry more */
	if (code < -5 || code > 5 || !(rete_cfg.nft_verdicts & (1ULL << (code + 5))))
		return false;
	e->verdict = code;

	if (rete_cfg.nft_arg_pkt != RETE_ARG_NONE)
		pkt = rete_nft_arg(args, rete_cfg.nft_arg_pkt);
	else if (bpf_core_field_exists(struct nft_traceinfo___pre64, pkt))
		pkt = BPF_CORE_READ((const struct nft_traceinfo___pre64 *)info, pkt);
	else
		return false;
	*ret_skb = BPF_CORE_READ(pkt, skb);

	if (rete_cfg.nft_arg_rule != RETE_ARG_NONE)
		rule = rete_nft_arg(args, rete_cfg.nft_arg_rule);
	else if (bpf_core_field_exists(struct nft_traceinfo___pre64, rule))
		rule = BPF_CORE_READ((const struct nft_traceinfo___pre64 *)info, rule);
	else
		rule = NULL;
	if (rete_cfg.nft_arg_chain != RETE_ARG_NONE)
		chain = rete_nft_arg(args, rete_cfg.nft_arg_chain);
	else if (bpf_core_field_exists(struct nft_traceinfo___pre64, chain))
		chain = BPF_CORE_READ((const struct nft_traceinfo___pre64 *)info, chain);
	else if (rule)
		chain = rete_nft_rule_chain(rule);
	else
		chain = (const struct nft_chain *)((const __u8 *)basechain +
						   bpf_core_field_offset(basechain->chain));
	if (!chain)
		return false;

	e->rule_handle = 0;
	if (rule && type != RETE_NFT_TRACETYPE_POLICY) {
		e->rule_handle = (__s64)BPF_CORE_READ_BITFIELD_PROBED(rule, handle);
		e->flags |= RETE_NFT_F_RULE;
	}
	rete_nft_chain_names(e, chain);
	if (code == -3 || code == -4) {		/* NFT_JUMP, NFT_GOTO */
		target = BPF_CORE_READ(verdict, chain);
		if (target && bpf_probe_read_kernel_str(e->verdict_chain, sizeof(e->verdict_chain),
							BPF_CORE_READ(target, name)) > 0)
			e->flags |= RETE_NFT_F_VCHAIN;
	}
	return true;
}

/*
 * The packet and base chain nft_do_chain is running on this CPU (the chain
 * way), kept from its entry until the packet's drop is seen at kfree_skb.
 */
struct rete_nft_cur {
	__u64 skb;
	__u64 chain;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rete_nft_cur);
} rete_nft_cur SEC(".maps");

static __always_inline struct rete_nft_cur *rete_nft_cur_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&rete_nft_cur, &zero);
}

/* A base chain's final verdict into e (the chain way: no rule, no target). */
static __always_inline void rete_nft_chain_fill(struct rete_sec_nft *e,
						const struct nft_chain *chain, __s32 code)
{
	e->verdict = code;
	e->flags = RETE_NFT_F_CHAIN;
	e->rule_handle = 0;
	rete_nft_chain_names(e, chain);
}

static __always_inline bool rete_nft_wanted(__s32 code)
{
	return code >= -5 && code <= 5 && (rete_cfg.nft_verdicts & (1ULL << (code + 5)));
}

/* At nft_do_chain's entry: remember its packet and base chain. */
static __always_inline void rete_nft_chain_enter(const __u64 *args)
{
	const struct nft_pktinfo *pkt = rete_nft_arg(args, 0);
	struct rete_nft_cur *cur = rete_nft_cur_get();

	if (!cur || !pkt)
		return;
	cur->skb = (__u64)BPF_CORE_READ(pkt, skb);
	cur->chain = rete_arg(args, 1);
}

/*
 * At its return (args: the entry's): a base chain's final verdict. Which
 * rule decided is unknown, and whether the policy did. A drop is left to
 * kfree_skb (rete_nft_drop_match): 6.8+ has freed the packet already
 * (NF_STOLEN with the error in the high bits), older kernels free it next.
 */
static __always_inline bool rete_nft_chain_read(const __u64 *args, __u32 ret,
						struct rete_sec_nft *e, struct sk_buff **ret_skb)
{
	const struct nft_pktinfo *pkt = rete_nft_arg(args, 0);
	const struct nft_chain *chain = rete_nft_arg(args, 1);
	__s32 code = (__s32)(ret & RETE_NF_VERDICT_MASK);
	struct rete_nft_cur *cur;

	if (code == RETE_NF_DROP || (code == RETE_NF_STOLEN && (ret >> 16)))
		return false;
	cur = rete_nft_cur_get();
	if (cur)
		cur->skb = 0;
	if (!pkt || !chain || !rete_nft_wanted(code))
		return false;
	*ret_skb = BPF_CORE_READ(pkt, skb);
	rete_nft_chain_fill(e, chain, code);
	return true;
}

/*
 * At kfree_skb: the packet nft_do_chain's base chain dropped on this CPU
 * gets the nft section (verdict drop, that chain).
 */
static __always_inline void rete_nft_drop_match(struct rete_ctx *rc)
{
	struct rete_nft_cur *cur = rete_nft_cur_get();

	if (!cur || !cur->skb || cur->skb != (__u64)rc->skb || !cur->chain)
		return;
	if (rete_cfg.nft_drop_reason && rc->reason != rete_cfg.nft_drop_reason)
		return;
	cur->skb = 0;
	if (!rete_nft_wanted(RETE_NF_DROP))
		return;
	rete_nft_chain_fill(&rc->scratch->nft, (const struct nft_chain *)cur->chain, RETE_NF_DROP);
	rc->has_nft = true;
}

static __always_inline void rete_collect_nft(struct rete_builder *b, const struct rete_ctx *rc)
{
	struct rete_sec_nft *e;

	if (!rc->has_nft)
		return;
	e = rete_sec_add(b, RETE_OWNER_NFT, RETE_SEC_T_MAIN, sizeof(*e));
	if (e)
		__builtin_memcpy(e, &rc->scratch->nft, sizeof(*e));
}

#endif
