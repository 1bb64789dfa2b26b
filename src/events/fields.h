/*
 * Field tables: one description of a section's JSON shape, from which its
 * writer (with the size bound), its reader, its JSON Schema and the
 * stored-event filter's field names are all derived (fields.c,
 * fields_read.c). A table describes one JSON object over a C struct: each
 * field names its key and where its value lives in the struct.
 *
 * A section described this way lives beside its collector
 * (src/collectors/NAME/) and is registered with a struct rete_section_desc
 * (events/section.h); nothing in events/ names it.
 */
#ifndef RETE_EVENTS_FIELDS_H
#define RETE_EVENTS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"

enum rete_fty {
	RETE_FT_U8,	/* uint8_t */
	RETE_FT_U16,	/* uint16_t */
	RETE_FT_U32,	/* uint32_t */
	RETE_FT_U64,	/* uint64_t */
	RETE_FT_S64,	/* int64_t */
	RETE_FT_BOOL,	/* bool */
	RETE_FT_STR,	/* char[size], NUL-terminated */
	RETE_FT_ENUM,	/* uint8_t index into names[] (written as the name) */
	RETE_FT_OBJ,	/* nested object described by sub, at off */
	RETE_FT_FLAT,	/* sub's fields written into this object (serde's flatten) */
	RETE_FT_ONEOF,	/* {"<names[tag]>": {variants[tag]}}, uint8_t tag at off; variant
			 * fields are relative to the struct holding the tag */
	RETE_FT_U128,	/* {"hi": u64, "lo": u64}: uint64_t[2] (hi, lo) at off */
};

/* The field may be absent: a bool at has_off says whether it is there. */
#define RETE_FF_OPT 0x1
/* RETE_FT_STR: absent when empty (written only when not "", "" when absent from a file). */
#define RETE_FF_SKIP_EMPTY 0x2
/*
 * With RETE_FF_OPT: required in the schema (rete always writes it) though
 * read when absent (older files lack it).
 */
#define RETE_FF_SCHEMA_REQ 0x4

struct rete_fields;

struct rete_field {
	const char *name;
	uint8_t type;		/* enum rete_fty */
	uint8_t flags;		/* RETE_FF_* */
	uint16_t size;		/* RETE_FT_STR: capacity (NUL included) */
	uint32_t off;		/* of the value in the struct */
	uint32_t has_off;	/* RETE_FF_OPT: of its presence bool */
	const char *doc;	/* one sentence, for the schema */
	const struct rete_fields *sub;	/* OBJ, FLAT */
	const char *const *names;	/* ENUM values, ONEOF variant keys */
	uint8_t nnames;
	const struct rete_fields *const *variants;	/* ONEOF: one table per name */
	const char *alias;	/* an older key, accepted when reading */
};

struct rete_fields {
	const char *def;	/* schema definition name ("CtEvent") */
	const char *doc;
	const struct rete_field *f;
	size_t n;
};

#define RETE_FIELDS(def_, doc_, arr_) \
	{ .def = (def_), .doc = (doc_), .f = (arr_), .n = sizeof(arr_) / sizeof((arr_)[0]) }

/* Upper bound of the bytes rete_fields_write() appends for any value of t. */
size_t rete_fields_bound(const struct rete_fields *t);

/* Write base as one JSON object ("{...}"); the caller reserved rete_fields_bound(t). */
char *rete_fields_write(char *p, const struct rete_fields *t, const void *base);

/*
 * Append the JSON Schema definitions of t and of the tables it refers to
 * ("Name":{...}, comma-separated, each once) to out. *first tracks commas
 * across calls; seen/nseen (capacity maxseen) the definitions already written.
 */
int rete_fields_schema_defs(const struct rete_fields *t, struct rete_strbuf *out, bool *first,
			    const char **seen, size_t *nseen, size_t maxseen);

/* Field `key` of t (flattened fields included), or NULL. */
const struct rete_field *rete_fields_find(const struct rete_fields *t, const char *key);

/* Variant table of a ONEOF field for key, or NULL. */
const struct rete_fields *rete_field_variant(const struct rete_field *f, const char *key);

/* Call fn for every key of t (flattened fields included), e.g. to suggest one. */
void rete_fields_keys(const struct rete_fields *t, void (*fn)(const char *key, void *arg),
		      void *arg);

#endif
