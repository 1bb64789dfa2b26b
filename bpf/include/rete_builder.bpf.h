/* Building one event as a sequence of sections in the per-CPU scratch buffer. */
#ifndef RETE_BPF_BUILDER_H
#define RETE_BPF_BUILDER_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "uapi/rete_event.h"

struct rete_builder {
	__u8 *buf;	/* RETE_EVENT_MAX bytes */
	__u32 off;	/* next free byte */
	__u16 nsec;
};

/*
 * Reserve a section of `size` payload bytes (size is a compile-time constant
 * at every call site, so the verifier can bound the write). NULL when the
 * event is full.
 */
static __always_inline void *rete_sec_add(struct rete_builder *b, __u8 owner, __u8 type, __u32 size)
{
	struct rete_sec_hdr *h;
	__u32 off = b->off;

	if (off > RETE_EVENT_MAX - sizeof(*h) - size)
		return NULL;
	h = (void *)(b->buf + off);
	h->owner = owner;
	h->type = type;
	h->size = size;
	b->off = off + sizeof(*h) + size;
	b->nsec++;
	return h + 1;
}

/* Shrink the last section added to `size` payload bytes (size <= reserved size). */
static __always_inline void rete_sec_trim(struct rete_builder *b, void *payload, __u32 reserved,
					  __u32 size)
{
	struct rete_sec_hdr *h = (struct rete_sec_hdr *)payload - 1;

	if (size > reserved)
		return;
	h->size = size;
	b->off -= reserved - size;
}

#endif
