/* A loaded and attached set of probes: the BPF side of a collection. */
#ifndef RETE_CORE_SESSION_H
#define RETE_CORE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/probe.h"
#include "filter/filter.h"
#include "uapi/rete_config.h"

struct btf;
struct rete_session;

struct rete_session_opts {
	/*
	 * The chain's load-time settings: collectors and core switches; the session
	 * fills filter_* and wakeup_bytes from the fields below.
	 */
	struct rete_chain_cfg chain;
	uint32_t ringbuf_bytes;		/* power of two */
	bool no_cookie;			/* raw_tp: force the one-instance-per-probe fallback */
	bool no_kprobe_multi;		/* kprobes: force one link per function */
	/* Generated filters (NULL when absent), spliced into the program at load. */
	const struct rete_filter_prog *filter_l2, *filter_l3, *filter_meta;
	bool probe_stack;		/* --probe-stack: load the kprobe program even without kprobes */
};

/*
 * Open, configure and load the probe programs for `set` (which must stay
 * alive as long as the session, like btf): each probe backend
 * (core/backend.h) that owns probes of the set loads its object. On error
 * returns -errno and writes one sentence to err (the verifier log goes to
 * the debug log).
 */
int rete_session_new(const struct rete_session_opts *opts, const struct rete_probe_set *set,
		     const struct btf *btf, struct rete_session **ret, char *err, size_t errlen);
/* Attach every probe; on failure nothing stays attached. */
int rete_session_attach(struct rete_session *s, char *err, size_t errlen);
/* Detach everything (idempotent). */
void rete_session_detach(struct rete_session *s);
void rete_session_free(struct rete_session *s);

bool rete_session_uses_cookies(const struct rete_session *s);
int rete_session_events_fd(const struct rete_session *s);
/* Sum of the per-CPU counters of a probe. */
int rete_session_probe_counters(const struct rete_session *s, uint32_t probe_id,
				struct rete_probe_counters *ret);
uint64_t rete_session_gcounter(const struct rete_session *s, enum rete_gcounter c);
/* Runs the kernel skipped because a probe program was already running on that CPU. */
uint64_t rete_session_recursion_misses(const struct rete_session *s);
/* Remove tracking entries not seen for max_age_ns; returns how many or -errno. */
int rete_session_tracking_gc(struct rete_session *s, uint64_t now_ns, uint64_t max_age_ns);

/*
 * Attach the probes added to the set since the session was made, ids
 * [first, set->n) (--probe-stack). -EOPNOTSUPP when no loaded backend can
 * take them; those that cannot attach are left out (counted as skipped).
 */
int rete_session_add_probes(struct rete_session *s, size_t first, char *err, size_t errlen);

/* Probes of wildcards left out because they could not be attached. */
size_t rete_session_attach_skipped(const struct rete_session *s);

/* Whether the running kernel supports raw tracepoint attach cookies (from BTF). */
bool rete_kernel_has_raw_tp_cookie(const struct btf *btf);

#endif
