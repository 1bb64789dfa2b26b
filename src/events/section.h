/*
 * Sections described by their collector: one struct rete_section_desc per
 * section, beside the collector that emits it (src/collectors/NAME/), and
 * found through the collector registry. From it the event model stores the
 * section (a flat struct of desc->size bytes in the event's arena), the
 * decoder turns the BPF records of its owner into it, and the JSON writer
 * and reader, the schema, the text printer and the stored-event filter
 * handle it without naming it.
 */
#ifndef RETE_EVENTS_SECTION_H
#define RETE_EVENTS_SECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/fields.h"
#include "lib/strbuf.h"

struct rete_decoder;

/* What a section's decode() may return besides 0 and -errno. */
#define RETE_SEC_DROP 1
#define RETE_SEC_IGNORED 2

struct rete_section_desc {
	const char *name;		/* JSON key ("ct") */
	const char *doc;		/* one sentence, for the schema */
	size_t size;			/* of its model struct: flat, no pointers */
	const struct rete_fields *fields;	/* its JSON shape */
	uint8_t owner;			/* its BPF records' owner (enum rete_owner) */
	/*
	 * Where its model lives: in the event's arena (ev_bit 0, for new
	 * sections), or inside struct rete_event at ev_off with presence bit
	 * ev_bit - 1 (enum rete_section_id), for the sections that predate the
	 * tables and that post-processing reads directly (ev->dev, ...).
	 */
	uint8_t ev_bit;
	size_t ev_off;
	/*
	 * A section from a file that does not fit the table is kept verbatim
	 * as an extra section (true: a layout that changed across Retis
	 * versions), or refused with the reader's sentence (false).
	 */
	bool keep_unfit;
	/*
	 * One BPF record of the owner (type, payload of len bytes, len checked
	 * against nothing: check it) into sec, zeroed before the event's first
	 * record; d is the decoder (its BTF, caches). 0,
	 * RETE_SEC_DROP when the event has nothing to show in this section (it
	 * is dropped), RETE_SEC_IGNORED for a record type it does not know (a
	 * newer BPF object: skipped), or -EINVAL for a malformed record.
	 */
	int (*decode)(void *sec, uint8_t type, const void *raw, size_t len, struct rete_decoder *d);
	/* Text of the section, as `print` shows it (multi-line or one line). */
	int (*text)(const void *sec, bool multiline, struct rete_strbuf *out);
};

/* Sections the registry's collectors describe (src/collectors/registry.c). */
#define RETE_XSEC_MAX 8
/* Embedded model at member m of struct rete_event, presence bit id. */
#define RETE_SECTION_IN_EVENT(id, m) .ev_bit = (id) + 1, .ev_off = offsetof(struct rete_event, m)
size_t rete_xsections_count(void);
const struct rete_section_desc *rete_xsection(size_t i);
/* Index of the section named name, or -1. */
int rete_xsection_find(const char *name);

#endif
