/* Ring-buffer record (include/uapi) -> struct rete_event. */
#ifndef RETE_CORE_DECODE_H
#define RETE_CORE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "core/probe.h"
#include "events/event.h"

struct btf;
struct rete_kallsyms;

/* Drop reason values whose names the decoder caches (skb-drop). */
#define RETE_REASON_CACHE_MAX 1024

struct rete_decoder {
	const struct rete_probe_set *probes;
	const struct rete_kallsyms *ksyms;	/* NULL: stack addresses printed raw */
	const struct btf *btf;			/* drop reason names */
	/* Cache of core drop reason names, indexed by value. */
	char (*reason_cache)[64];
	size_t reason_cache_n;
	uint64_t bad_records;			/* malformed records skipped */
};

void rete_decoder_init(struct rete_decoder *d, const struct rete_probe_set *probes,
		       const struct rete_kallsyms *ksyms, const struct btf *btf);
void rete_decoder_release(struct rete_decoder *d);

/* Decode one record into ev (reset first). 0, or -EINVAL for a malformed record. */
int rete_decode(struct rete_decoder *d, const void *data, size_t size, struct rete_event *ev);

#endif
