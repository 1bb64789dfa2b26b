/* Maps shared by every probe program (created once, reused by fd across objects). */
#ifndef RETE_BPF_MAPS_H
#define RETE_BPF_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "uapi/rete_config.h"
#include "uapi/rete_event.h"
#include "uapi/rete_sections.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);	/* resized by userspace before load */
} rete_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RETE_PROBES_MAX);
	__type(key, __u32);
	__type(value, struct rete_probe_cfg);
} rete_probe_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RETE_PROBES_MAX);
	__type(key, __u32);
	__type(value, struct rete_probe_counters);
} rete_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RETE_GC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} rete_gcounters SEC(".maps");

/* Packet tracking: data head address -> first sight. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RETE_TRACKING_MAX);
	__type(key, __u64);
	__type(value, struct rete_tracking_info);
} rete_tracking SEC(".maps");

/*
 * Bytes kept of the sk_buff (224 on 6.18) and of the window of net_device
 * fields the dev and ns collectors read (72 on 6.18): each is copied with one
 * bpf_probe_read_kernel per event, fields are then plain loads.
 */
#define RETE_SKB_COPY_MAX 512
#define RETE_DEV_COPY_MAX 256
/*
 * Bytes read at once for a packet's identity (skb_tracking.bpf.h): from the
 * network header (or the IPv4 id) through the 32-byte transport window, the
 * IP header being 60 bytes at most.
 */
#define RETE_SIG_READ 96
/* ct: the stretch of struct nf_conn it reads, zone .. ext (172 bytes on 6.x). */
#define RETE_CT_READ 256

/*
 * Per-CPU working memory of one probe run: the probe's arguments, the event
 * being built before it is copied to the ring buffer, and the snapshots.
 * Kept off the BPF stack (512 bytes, shared with the filter subprograms).
 */
struct rete_scratch {
	__u64 args[16];
	__u8 buf[RETE_EVENT_MAX];
	__u8 skb[RETE_SKB_COPY_MAX];
	__u8 dev[RETE_DEV_COPY_MAX];
	/* Tracking: a map value being built, and the packet bytes its identity is read from. */
	struct rete_tracking_info track;
	__u8 sig[RETE_SIG_READ];
	__u8 ct[RETE_CT_READ];	/* ct: the connection's fields */
	struct rete_sec_nft nft;	/* nft: read before the chain runs */
};

/*
 * A probe run can be interrupted on its CPU by another one (a tracepoint hit
 * in an interrupt, a different program type): each nesting level has its own
 * scratch area (RETE_NEST_MAX levels), the depth is counted per CPU.
 * Interrupts return before the run they interrupted goes on, so depth
 * updates cannot interleave badly.
 */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RETE_NEST_MAX);
	__type(key, __u32);
	__type(value, struct rete_scratch);
} rete_scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rete_nest_map SEC(".maps");

static __always_inline void rete_gcount(enum rete_gcounter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&rete_gcounters, &key);

	if (v)
		(*v)++;
}

/* Enter a probe run: its scratch area, or NULL (counted) when nested too deep. */
static __always_inline struct rete_scratch *rete_scratch_enter(void)
{
	struct rete_scratch *s;
	__u32 zero = 0, lvl;
	__u32 *depth;

	depth = bpf_map_lookup_elem(&rete_nest_map, &zero);
	if (!depth)
		return NULL;
	lvl = *depth;
	if (lvl >= RETE_NEST_MAX) {
		rete_gcount(RETE_GC_NESTED);
		return NULL;
	}
	s = bpf_map_lookup_elem(&rete_scratch_map, &lvl);
	if (!s)
		return NULL;
	*depth = lvl + 1;
	/* Slots past the probe's own arguments read as 0, never a previous run's. */
	for (int i = 0; i < 16; i++)
		s->args[i] = 0;
	return s;
}

/* Leave a probe run entered with rete_scratch_enter. */
static __always_inline void rete_scratch_exit(void)
{
	__u32 zero = 0;
	__u32 *depth = bpf_map_lookup_elem(&rete_nest_map, &zero);

	if (depth && *depth)
		(*depth)--;
}

#endif
