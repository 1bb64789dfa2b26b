/*
 * Events as JSON lines in the Retis 1.6 schema (write and read).
 *
 * Writer: sections in Retis's order (common, kernel, userspace, tracking,
 * skb-tracking, skb-drop, packet, skb, netns, dev, ovs, ovs-detrace, nft, ct,
 * other extra sections, startup); fields in Retis's order; optional fields
 * omitted when absent. Strings are escaped like serde_json and invalid UTF-8
 * bytes become U+FFFD, so the output is always valid JSON.
 *
 * Reader (json-c): modelled sections are checked (types, ranges, required
 * fields); unknown fields inside them are ignored like Retis does (e.g. the
 * newer vlan_accel "proto", which rete does not model yet); unknown
 * sections are kept verbatim as extra sections, stored in written order (so
 * write -> read gives back the same struct). Older layouts:
 *  - Retis 1.5 nested "skb" {packet, dev, ns} is converted to the "packet",
 *    "dev" and "netns" sections (Retis's compat fixups for 1.5 files);
 *  - the pre-1.5 flat "skb" (saddr, etype, dev_name, netns, ...) is kept
 *    whole as an extra "skb" section, nothing is lost (Retis 1.6 drops it).
 * Sorted files (`sort -o`) hold one JSON array (a series) per line: read
 * them with rete_json_read_series(); the event reader rejects arrays.
 */
#ifndef RETE_EVENTS_JSON_H
#define RETE_EVENTS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "events/event.h"
#include "lib/base64.h"
#include "lib/strbuf.h"

/*
 * Append one event as a single JSON object (no newline). 0 or -errno:
 * -ENOMEM (out's contents unchanged), -EEXIST when an extra section has the
 * name of a modelled section that is also present.
 */
int rete_json_write_event(const struct rete_event *ev, struct rete_strbuf *out);

/*
 * Position of a section in the written order above (lower first). Names of
 * no known section share the rank of the "other extra sections" slot.
 */
unsigned int rete_json_section_rank(const char *name);

/*
 * Append s as a JSON string, escaped as the event writer does (serde_json's
 * escapes, invalid UTF-8 as U+FFFD). For the cold paths that build JSON by
 * hand (stats --json, the lost record, the schema); 0 or -ENOMEM.
 */
int rete_json_add_str(struct rete_strbuf *out, const char *s);

/* Append one series as a JSON array of event objects (no newline), as `sort -o` does. */
int rete_json_write_series(const struct rete_event *const *evs, size_t n, struct rete_strbuf *out);

/*
 * Parse one JSON object (one line of an event file) into ev (reset first).
 * Accepts files written by rete and by Retis >= 1.5 (plus the older flat
 * "skb" layout, kept as an extra section). On error returns -EINVAL (or
 * -ENOMEM), leaves ev reset, and writes one sentence to err (without the
 * line number, the caller adds it).
 */
int rete_json_read_event(struct rete_event *ev, const char *line, size_t len, char *err,
			 size_t errlen);

/*
 * Called for each event of a series, in order (idx from 0). ev is reused for
 * the next event once this returns: copy what must outlive the call. A
 * non-zero return stops the walk and is returned by the reader.
 */
typedef int (*rete_json_series_cb)(struct rete_event *ev, size_t idx, void *arg);

/*
 * Parse one line of a sorted file: a JSON array of event objects. Each
 * element is parsed into ev as rete_json_read_event() does, then handed to
 * cb. Errors name the element ("event 2: ..."). A plain event object is
 * rejected with a message saying so.
 */
int rete_json_read_series(struct rete_event *ev, const char *line, size_t len,
			  rete_json_series_cb cb, void *arg, char *err, size_t errlen);

/*
 * Reader context: keeps one json_tokener across lines (the functions above
 * allocate one per call). Not thread-safe; use one context per thread.
 */
struct rete_json_reader;

int rete_json_reader_new(struct rete_json_reader **ret);
void rete_json_reader_free(struct rete_json_reader *r);
int rete_json_reader_event(struct rete_json_reader *r, struct rete_event *ev, const char *line,
			   size_t len, char *err, size_t errlen);
int rete_json_reader_series(struct rete_json_reader *r, struct rete_event *ev, const char *line,
			    size_t len, rete_json_series_cb cb, void *arg, char *err,
			    size_t errlen);

#endif
