/* Probe and global configuration shared by the BPF programs and userspace. */
#ifndef RETE_UAPI_CONFIG_H
#define RETE_UAPI_CONFIG_H

#include "rete_event.h"

#define RETE_PROBES_MAX 1024
#define RETE_ARGS_MAX 12
#define RETE_ARG_NONE 0xff

/* rete_probe_cfg.flags */
#define RETE_PROBE_F_EMIT 0x1		/* a user probe: build and emit events */
#define RETE_PROBE_F_STACK 0x2		/* add a stack trace */
#define RETE_PROBE_F_TRACK_FREE 0x4	/* the skb is being freed: drop its tracking entry */
#define RETE_PROBE_F_RETURN 0x8		/* kretprobe: report at return, entry arguments */
/* Tracking upkeep on kernel functions (kprobes, where the kernel has them): */
#define RETE_PROBE_F_TRACK_HEAD_FREE 0x10	/* skb_free_head: the data head is freed */
#define RETE_PROBE_F_TRACK_PARTIAL 0x20	/* kfree_skb_partial: freed when arg 1 (head_stolen) */
#define RETE_PROBE_F_TRACK_EXPAND 0x40	/* pskb_expand_head: the head is about to change */
/*
 * The nft collector's own programs (src/collectors/nft/nft.bpf.h), the skb
 * found through the pktinfo: a kprobe on __nft_trace_packet, or a kretprobe
 * on nft_do_chain.
 */
#define RETE_PROBE_F_NFT 0x80

/* Per-probe configuration, array map indexed by probe id (the attach cookie). */
struct rete_probe_cfg {
	__u8 nargs;		/* tracepoint or function arguments (from BTF) */
	__u8 skb_arg;		/* index of struct sk_buff *, or RETE_ARG_NONE */
	__u8 reason_arg;	/* enum skb_drop_reason */
	__u8 dev_arg;		/* struct net_device * */
	__u8 net_arg;		/* struct net * */
	__u8 flags;
	__u16 pad;
};

/* skb collector sub-sections (--skb-sections), a mask in .rodata. */
#define RETE_SKB_SEC_META 0x1
#define RETE_SKB_SEC_DATAREF 0x2
#define RETE_SKB_SEC_GSO 0x4

/* Packets tracked at once (the tracking map's size). */
#define RETE_TRACKING_MAX 65536

/*
 * What tells one packet from the next one at the same data head, on kernels where
 * no kprobe sees every head free (src/collectors/skb_tracking/skb_tracking.bpf.h):
 * which bytes of the transport window count, so that header rewrites along one
 * packet's journey (TTL, NAT addresses, ports and ICMP ids, checksums) keep its id.
 */
enum rete_sig_kind {
	RETE_SIG_NONE,		/* nothing to compare: the id is kept as before */
	RETE_SIG_RAW,		/* every byte (non-IP, or a transport rete does not know) */
	RETE_SIG_TCP,		/* sequence, ack, flags, window, urgent, options or data */
	RETE_SIG_UDP,		/* length and payload */
	RETE_SIG_ICMP_ECHO,	/* type, code, sequence and payload (ICMPv4 and v6) */
	RETE_SIG_ICMP_ERR,	/* type, code, and the quoted header's fields NAT keeps */
	RETE_SIG_MAX,
};

/* Bytes of the transport window, from the transport header (or the network header). */
#define RETE_SIG_WIN 32

/* Tracking map value. */
struct rete_tracking_info {
	__u64 orig_head;
	__u64 timestamp;	/* first seen */
	__u64 last_seen;
	__u64 sig;		/* hash of the identity bytes (sig_kind) at first sight */
	__u16 sig_off;		/* offset from the head of the transport window */
	__u16 ipid_off;		/* offset from the head of the IPv4 id + fragment word, or 0 */
	__u8 sig_len;		/* bytes of the window inside the packet at first sight */
	__u8 sig_kind;		/* enum rete_sig_kind */
	__u16 pad;
};

/* Per-probe, per-CPU counters. */
struct rete_probe_counters {
	__u64 hits;		/* times the probe ran with an skb */
	__u64 emitted;		/* events handed to the ring buffer */
	__u64 lost;		/* events the ring buffer refused (full) */
	__u64 filtered;		/* reserved for filters */
};

/*
 * Load-time settings of the chain (bpf/include/rete_chain.bpf.h): one
 * `const volatile struct rete_chain_cfg rete_cfg` in the .rodata of every probe
 * object, assigned through its skeleton before load, so the verifier prunes
 * what is off. Collector switches are filled by the collectors themselves
 * (src/collectors/), the rest by the session. Flags are 0 or 1.
 */
struct rete_chain_cfg {
	__u64 wakeup_bytes;	/* ring-buffer fill level past which the consumer is woken */
	__u32 skb_sections;	/* RETE_SKB_SEC_* */
	/* collectors */
	__u8 skb;
	__u8 drop;
	__u8 tracking;
	__u8 dev;
	__u8 ns;
	__u8 ct;
	__u8 track_rekey;	/* a pskb_expand_head probe may key an entry by skb address */
	__u8 track_verify;	/* no probe sees every head free: check heads for reuse */
	/* core */
	__u8 stack_all;		/* --stack */
	__u8 filter_l2;		/* which filter placeholders hold a real filter */
	__u8 filter_l3;
	__u8 filter_meta;
	__u8 filter_strict;	/* tracked packets are filtered too (--filter-mode strict) */
	__u8 nft;		/* the nft collector's kprobe (src/collectors/nft/nft.bpf.h) */
	/*
	 * nft: where __nft_trace_packet's prototype (it changed in 6.4) has each
	 * value, RETE_ARG_NONE when it is not an argument (then read from the
	 * traceinfo, or found from the rule).
	 */
	__u8 nft_arg_info;	/* struct nft_traceinfo * */
	__u8 nft_arg_pkt;	/* struct nft_pktinfo * */
	__u8 nft_arg_verdict;	/* struct nft_verdict * */
	__u8 nft_arg_rule;	/* struct nft_rule_dp * */
	__u8 nft_arg_chain;	/* struct nft_chain * */
	__u8 nft_arg_type;	/* enum nft_trace_types */
	__u64 nft_verdicts;	/* --nft-verdicts: bit (code + 5) per verdict code */
	/*
	 * nft's kretprobe on nft_do_chain: a packet its base chain drops is
	 * reported at skb:kfree_skb (of this drop reason, 0: any), where it is
	 * still alive (6.8+ frees it inside nft_do_chain).
	 */
	__u32 nft_drop_reason;
	__u8 nft_drops;
	__u8 nft_pad[3];
};

/* Probe runs one CPU can nest (each has its own scratch area). */
#define RETE_NEST_MAX 4

/* Global per-CPU counters (index in the "rete_gcounters" array). */
enum rete_gcounter {
	RETE_GC_TRACK_FULL,	/* tracking map insert failures */
	RETE_GC_STACK_FAIL,	/* stack trace capture failures */
	RETE_GC_KRET_FULL,	/* kretprobe entries not stored: in-flight table full */
	RETE_GC_SKB_UNREADABLE,	/* probe runs whose sk_buff could not be read (no event) */
	RETE_GC_NESTED,		/* probe runs skipped: nested deeper than RETE_NEST_MAX on a CPU */
	RETE_GC_TRACK_REUSED,	/* ids ended: their data head now holds another packet */
	RETE_GC_MAX,
};

/*
 * kretprobes: the entry program stores the arguments under the stack pointer
 * at entry, which the return program finds again (bpf/probes/kprobe.bpf.c).
 */
#define RETE_KPROBE_ARGS 6		/* arguments passed in registers (x86_64) */
#define RETE_KRET_INFLIGHT_MAX 8192	/* kretprobe calls in flight */

struct rete_kret_key {
	__u64 sp;		/* stack pointer at function entry */
	__u32 probe_id;
	__u32 pad;
};

struct rete_kret_entry {
	__u64 args[RETE_KPROBE_ARGS];
	__u64 ksym;		/* function address */
	__u64 ts;		/* bpf_ktime_get_ns() at entry (for userspace GC) */
};

/*
 * fentry/fexit: each loaded copy of the program learns its probe id from one
 * `r = RETE_FENTRY_ID_MAGIC ll` instruction, rewritten by userspace before
 * each load (bpf/probes/fentry.bpf.c, src/core/backend_fentry.c).
 */
#define RETE_FENTRY_ID_MAGIC 0x7e7ef1d0

RETE_STATIC_ASSERT(sizeof(struct rete_probe_cfg) == 8, "rete_probe_cfg ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_chain_cfg) == 48, "rete_chain_cfg ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_tracking_info) == 40, "rete_tracking_info ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_probe_counters) == 32, "rete_probe_counters ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_kret_key) == 16, "rete_kret_key ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_kret_entry) == 64, "rete_kret_entry ABI");

#endif
