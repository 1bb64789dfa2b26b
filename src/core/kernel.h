/* What the running kernel and our privileges allow: probe types, BTF, capabilities. */
#ifndef RETE_CORE_KERNEL_H
#define RETE_CORE_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/probe.h"

struct btf;

#define RETE_KERNEL_BTF_PATH "/sys/kernel/btf/vmlinux"
#define RETE_KPROBE_PMU "/sys/bus/event_source/devices/kprobe"
#define RETE_UPROBE_PMU "/sys/bus/event_source/devices/uprobe"

enum rete_feature {
	RETE_FEAT_BTF,			/* kernel BTF at /sys/kernel/btf/vmlinux */
	RETE_FEAT_RAW_TP,		/* BPF raw tracepoint programs load */
	RETE_FEAT_RAW_TP_COOKIE,	/* raw tracepoint links carry a cookie */
	RETE_FEAT_KPROBE,		/* perf kprobe PMU */
	RETE_FEAT_KPROBE_MULTI,		/* BPF_TRACE_KPROBE_MULTI links */
	RETE_FEAT_FENTRY,		/* BPF_PROG_TYPE_TRACING fentry/fexit */
	RETE_FEAT_UPROBE,		/* perf uprobe PMU (uprobes, USDT) */
	RETE_FEAT_MAX,
};

/* Short human name ("raw tracepoints", "kprobe.multi", ...). */
const char *rete_feature_name(enum rete_feature f);

/*
 * 0 when the feature works here, else -errno and why (one sentence). btf may
 * be NULL (features that need it then say so). Loads and unloads tiny BPF
 * programs for the program-type features; nothing stays attached.
 */
int rete_kernel_feature(enum rete_feature f, const struct btf *btf, char *why, size_t whylen);

/* Whether rete can attach probes of this type here; -errno and why when not. */
int rete_kernel_probe_type_usable(enum rete_probe_type type, char *why, size_t whylen);

/* Capabilities rete cares about (bit numbers from linux/capability.h). */
enum rete_cap {
	RETE_CAP_SYS_ADMIN = 21,
	RETE_CAP_SYSLOG = 34,
	RETE_CAP_PERFMON = 38,
	RETE_CAP_BPF = 39,
};

/* Effective capabilities (CapEff of /proc/self/status). 0 or -errno. */
int rete_kernel_caps(uint64_t *ret_caps);

static inline bool rete_cap_has(uint64_t caps, enum rete_cap cap)
{
	return (caps >> cap) & 1;
}

#endif
