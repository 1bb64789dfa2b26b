/*
 * nft on kernels with kprobes: Retis's method, a probe on
 * __nft_trace_packet run by the nft program (nft.bpf.h).
 */
#ifndef RETE_COLLECTORS_NFT_KPROBE_H
#define RETE_COLLECTORS_NFT_KPROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/collector.h"

/* The functions probed: every rule and policy (tracing on), base chains' verdicts. */
#define RETE_NFT_KPROBE_FUNC "__nft_trace_packet"
#define RETE_NFT_CHAIN_FUNC "nft_do_chain"

/*
 * Where the kernel allows it, add the probe and set cfg's nft fields (the
 * prototype's layout, --nft-verdicts): 0. With --allow-system-changes, the
 * kprobe on __nft_trace_packet; without, the kretprobe on nft_do_chain
 * (nothing to change in the ruleset). Otherwise -errno and why (one
 * sentence), and nothing changed: the caller falls back to nftables' trace
 * messages.
 */
int rete_nft_kprobe_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg,
			  char *why, size_t whylen);

/* Which probe setup chose (the collection holds it). */
enum rete_nft_way { RETE_NFT_WAY_MESSAGES, RETE_NFT_WAY_TRACE, RETE_NFT_WAY_CHAIN };
enum rete_nft_way rete_nft_kprobe_chosen(const struct rete_collector_env *env);

#endif
