/*
 * Collectors: what a collector adds to events and what it needs to do so.
 * Each lives in one folder, src/collectors/NAME/: its BPF half (NAME.bpf.h,
 * called from bpf/include/rete_chain.bpf.h behind its switch in struct
 * rete_chain_cfg) and its userspace half (NAME.c, a struct rete_collector_ops:
 * the kernel prerequisites, the probes it adds, the switches it sets). The
 * registry (src/collectors/registry.c) lists them, one line each; nothing
 * else in core or cmd names a collector.
 */
#ifndef RETE_CORE_COLLECTOR_H
#define RETE_CORE_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/rete_config.h"

struct btf;
struct rete_event;
struct rete_pcap_filter;
struct rete_probe_set;
struct rete_section_desc;
struct rete_tracefs;

/* Collectors the registry can hold (the size of the -c selection arrays). */
#define RETE_COLLECTORS_MAX 16

/* Command-line settings that belong to collectors. */
struct rete_collector_opts {
	uint32_t skb_sections;		/* skb: --skb-sections, RETE_SKB_SEC_* */
	uint64_t nft_verdicts;		/* nft: --nft-verdicts, bit (code + 5) per verdict */
	bool allow_system_changes;	/* --allow-system-changes */
	bool named;			/* set per collector: -c named it (not only auto) */
};

/* What a collector's setup works with. */
struct rete_collector_env {
	const struct btf *btf;
	struct rete_tracefs *tfs;
	struct rete_probe_set *probes;	/* the collection's probes: it adds its own */
	const struct rete_collector_opts *opts;
	const struct rete_pcap_filter *pcap;	/* -f, compiled; NULL when none (start only) */
};

/* How loud a collector's note is. */
enum rete_note_level { RETE_NOTE_INFO, RETE_NOTE_WARN };

/*
 * Where a collector that produces events in userspace (rather than from
 * probes) sends them: emit() writes ev to the collection's output (file,
 * text) as every other event (0 or -errno); note() tells the user one
 * sentence (what it changed, what it lost).
 */
struct rete_collector_sink {
	int (*emit)(void *ctx, struct rete_event *ev);
	void (*note)(void *ctx, enum rete_note_level level, const char *sentence);
	void *ctx;
	uint64_t now_ns;	/* CLOCK_MONOTONIC at this call */
};

/* The userspace half of such a collector, driven by the collection's event loop. */
struct rete_collector_source {
	/*
	 * Start (after the probes are attached): system changes, sockets. 0,
	 * or -errno and one sentence in err. *state is passed to the others.
	 */
	int (*start)(const struct rete_collector_env *env, const struct rete_collector_sink *sink,
		     void **state, char *err, size_t errlen);
	/* The descriptors to wait on (at most max); the count. */
	size_t (*fds)(void *state, int *fds, size_t max);
	/*
	 * Called when fd is readable, and with fd -1 on every loop turn (to
	 * emit what waited), after the probes' events queued so far were
	 * written. 0 or -errno (the collection stops).
	 */
	int (*read)(void *state, int fd, const struct rete_collector_sink *sink);
	/* Every event the collection writes (NULL: not needed). */
	void (*observe)(void *state, const struct rete_event *ev);
	/* Emit what is left, undo every system change, free; reports in its own words. */
	void (*stop)(void *state, const struct rete_collector_sink *sink);
};

struct rete_collector_ops {
	const char *name;		/* as -c names it */
	/* 0 when it can run on this kernel, else -errno and why (one sentence); NULL: always. */
	int (*check)(const struct btf *btf, char *why, size_t whylen);
	/*
	 * Add the probes it needs and switch itself on in cfg; -errno and one
	 * sentence in err when it cannot. Runs after the user's probes are added.
	 */
	int (*setup)(const struct rete_collector_env *env, struct rete_chain_cfg *cfg, char *err,
		     size_t errlen);
	/*
	 * Offset of its switch (a __u8 set to 1) in struct rete_chain_cfg, set
	 * before setup runs; 0 when setup sets it. A collector that needs
	 * nothing else has no setup.
	 */
	size_t cfg_switch;
	/* The section it emits, when described by a table (events/section.h). */
	const struct rete_section_desc *section;
	/* Its userspace event source, when it has one. */
	const struct rete_collector_source *source;
	/*
	 * A kernel function it reports from itself (Retis's nft collector
	 * probes __nft_trace_packet): a user's probe on it is the collector's,
	 * not one more probe of its own.
	 */
	const char *owns_probe;
};

#define RETE_CFG_SWITCH(field) offsetof(struct rete_chain_cfg, field)

/* The registry, in the order collectors are listed and set up. */
size_t rete_collectors_count(void);
/* Collector i (< rete_collectors_count()). */
const struct rete_collector_ops *rete_collector_get(size_t i);

/*
 * Parse a -c/--collectors list ("auto,skb,..."); sets ret_named[i] for named
 * collectors and *ret_auto for "auto". -EINVAL with a sentence in err for an
 * unknown name.
 */
int rete_collectors_parse(const char *list, bool ret_named[RETE_COLLECTORS_MAX], bool *ret_auto,
			  char *err, size_t errlen);

/* 0 when collector i can run here, else -errno and why (one sentence). */
int rete_collector_check(size_t i, const struct btf *btf, char *why, size_t whylen);

#endif
