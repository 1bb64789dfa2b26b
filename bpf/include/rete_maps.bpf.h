/* Maps shared by every probe program (created once, reused by fd across objects). */
#ifndef RETE_BPF_MAPS_H
#define RETE_BPF_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "uapi/rete_config.h"
#include "uapi/rete_event.h"

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

/* Where an event is built before it is copied to the ring buffer. */
struct rete_scratch {
	__u8 buf[RETE_EVENT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rete_scratch);
} rete_scratch_map SEC(".maps");

static __always_inline void rete_gcount(enum rete_gcounter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&rete_gcounters, &key);

	if (v)
		(*v)++;
}

#endif
