/* Probes: the `[TYPE:]TARGET[/OPT]` syntax, and resolution against this kernel. */
#ifndef RETE_CORE_PROBE_H
#define RETE_CORE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/btf.h"

enum rete_probe_type {
	RETE_PROBE_RAW_TP,
	RETE_PROBE_KPROBE,
	RETE_PROBE_KRETPROBE,
	RETE_PROBE_FENTRY,	/* BPF trampolines: one load per function */
	RETE_PROBE_FEXIT,
	RETE_PROBE_TYPE_MAX,
};

struct rete_probe_spec {
	enum rete_probe_type type;
	char target[192];	/* raw tracepoint: "group:event"; kprobe: function */
	bool stack;		/* /stack option */
	bool wildcard;		/* target contains '*' */
};

/* JSON probe_type ("raw_tracepoint", "kprobe", "kretprobe", "fentry", "fexit"). */
const char *rete_probe_type_name(enum rete_probe_type type);

/* The type named by the `len` first characters of s ("tp", "kprobe", "k", ...): 0 or -ENOENT. */
int rete_probe_type_lookup(const char *s, size_t len, enum rete_probe_type *ret);

/* Kernel-function probe types (everything but raw tracepoints). */
static inline bool rete_probe_type_is_kfunc(enum rete_probe_type type)
{
	return type != RETE_PROBE_RAW_TP;
}

/* Probe types that report at the function's return, with its entry arguments. */
static inline bool rete_probe_type_is_return(enum rete_probe_type type)
{
	return type == RETE_PROBE_KRETPROBE || type == RETE_PROBE_FEXIT;
}

/*
 * Parse a probe as given on the command line. On error returns -EINVAL and
 * writes one sentence to err.
 */
int rete_probe_parse(const char *s, struct rete_probe_spec *ret, char *err, size_t errlen);

/* A resolved probe: one attach point. */
struct rete_probe {
	enum rete_probe_type type;
	char symbol[192];	/* "net:netif_receive_skb" or "ip_rcv" */
	struct rete_probe_args args;
	uint8_t flags;		/* RETE_PROBE_F_* */
	bool optional;		/* from a wildcard: skipped, not fatal, if it cannot attach */
};

/* Functions a kprobe wildcard matched but left out, by reason. */
struct rete_probe_skips {
	size_t no_skb;		/* no struct sk_buff * argument */
	size_t untraceable;	/* not in the traceable list (notrace, inlined) */
	size_t blacklisted;	/* on the kernel's kprobe blacklist */
	size_t unreachable;	/* the sk_buff * is not in an argument register */
};

struct rete_probe_set {
	struct rete_probe *probes;
	size_t n, cap;
	struct rete_probe_skips skipped;	/* accumulated over resolutions */
};

void rete_probe_set_free(struct rete_probe_set *set);
/* Find a probe by type and symbol; NULL when absent. */
struct rete_probe *rete_probe_set_find(struct rete_probe_set *set, enum rete_probe_type type,
				       const char *symbol);

struct rete_kfuncs;
struct rete_tracefs;

/*
 * Resolve a parsed probe (expanding wildcards with the tracefs event list
 * when available, and for kernel functions with the traceable function list,
 * loaded into tfs on first use) and add the results to set with `flags`
 * (merged with an existing identical probe). On error returns -errno and
 * writes one sentence to err. *ret_added counts probes added or updated.
 */
int rete_probe_resolve(const struct rete_probe_spec *spec, const struct btf *btf,
		       struct rete_tracefs *tfs, uint8_t flags, struct rete_probe_set *set,
		       size_t *ret_added, char *err, size_t errlen);

/*
 * The kernel-function part of rete_probe_resolve, against an explicit list
 * of traceable functions and without checking that the kernel has kprobes.
 * Functions are found in BTF; those a wildcard matches but that cannot be
 * probed are counted in set->skipped.
 */
int rete_probe_resolve_kfunc(const struct rete_probe_spec *spec, const struct btf *btf,
			     const struct rete_kfuncs *kf, uint8_t flags,
			     struct rete_probe_set *set, size_t *ret_added, char *err,
			     size_t errlen);

/* Add an internal probe (e.g. tracking cleanup on skb:consume_skb). */
int rete_probe_add_internal(struct rete_probe_set *set, const struct btf *btf,
			    const char *symbol, uint8_t flags);

/*
 * Add a kprobe on a function a collector's own program reads (flags holds
 * the collector's RETE_PROBE_F_* bit): no argument is known to the core.
 */
int rete_probe_add_collector_kprobe(struct rete_probe_set *set, const char *symbol,
				    uint8_t flags);
/* The same, a kretprobe (its program keeps the entry arguments itself). */
int rete_probe_add_collector_kretprobe(struct rete_probe_set *set, const char *symbol,
				       uint8_t flags);

#endif
