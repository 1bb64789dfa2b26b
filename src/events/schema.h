/*
 * JSON Schema (draft 2020-12) of the events rete writes: the sections rete
 * models, field by field, in the layout of Retis's `retis schema` (top-level
 * "properties" of anyOf [{"$ref": "#/$defs/X"}, {"type": "null"}], "$defs"),
 * so tools written for Retis's schema (its Wireshark plugin) read it too.
 * Sections rete only passes through (ovs, ovs-detrace, userspace) are not
 * described: any other top-level property is allowed.
 */
#ifndef RETE_EVENTS_SCHEMA_H
#define RETE_EVENTS_SCHEMA_H

#include <stddef.h>

/* The schema as compact JSON (static storage); its length in *ret_len when not NULL. */
const char *rete_event_schema(size_t *ret_len);

#endif
