/*
 * nft on kernels with kprobes: Retis's method, a probe on
 * __nft_trace_packet run by the nft program (nft.bpf.h).
 */
#ifndef RETE_COLLECTORS_NFT_KPROBE_H
#define RETE_COLLECTORS_NFT_KPROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/collector.h"

/* The function probed. */
#define RETE_NFT_KPROBE_FUNC "__nft_trace_packet"

/*
 * Where the kernel allows it, add the probe and set cfg's nft fields (the
 * prototype's layout, --nft-verdicts): 0. Otherwise -errno and why (one
 * sentence), and nothing changed: the caller falls back to nftables' trace
 * messages.
 */
int rete_nft_kprobe_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg,
			  char *why, size_t whylen);

/* Did setup choose the probe (the collection holds it)? */
bool rete_nft_kprobe_chosen(const struct rete_collector_env *env);

#endif
