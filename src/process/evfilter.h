/*
 * Filters on stored events (print, sort, stats, pcap):
 *
 * Packet filter (-f): a pcap-filter expression compiled by libpcap for
 * Ethernet and run on the event's stored packet bytes (the packet section,
 * which starts at the Ethernet header). Events without packet bytes do not
 * match.
 *
 * Meta filter (-m): a predicate over the event's fields, evaluated on the
 * event as JSON (the Retis 1.6 layout rete writes), so every section works,
 * including the ones rete keeps verbatim (ovs, userspace, ...):
 *
 *   expr    := or
 *   or      := and { ("or" | "||") and }
 *   and     := unary { ("and" | "&&") unary }
 *   unary   := ("not" | "!") unary | "(" expr ")" | test
 *   test    := path [ op value ]          a bare path tests presence
 *   path    := SECTION { "." FIELD }      FIELD may be an array index (kernel.stack_trace.0)
 *   op      := "==" | "!=" | "<" | "<=" | ">" | ">="
 *   value   := "string" | 'string' | number (decimal, 0x hex, negative, fractional)
 *            | true | false
 *
 * Examples: kernel.symbol == "skb:kfree_skb", skb-drop.drop_reason == "NO_SOCKET",
 * dev.name == "veth01" and not netns.inum == 4026531840, ct.state == "new", skb-drop.
 *
 * Semantics: strings compare byte-wise, numbers by value (64-bit integers
 * exactly), booleans with == and != only. A comparison whose field is
 * missing, null, or of another type than the value is false (so
 * `not dev.name == "x"` holds for events without a dev section). When the
 * field is an array of values, the comparison holds if it holds for one
 * element.
 *
 * Section names are checked (unknown ones fail with a suggestion), and so
 * are the fields and value types of the sections rete models (common,
 * kernel, tracking, skb-tracking, skb-drop, packet, netns, dev, startup);
 * fields of skb (whose older layouts differ) and of the sections rete keeps
 * verbatim are not.
 */
#ifndef RETE_PROCESS_EVFILTER_H
#define RETE_PROCESS_EVFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "events/event.h"

struct json_object;

struct rete_pktfilter;
struct rete_metafilter;

/* Compile a pcap-filter expression. 0 or -EINVAL/-ENOMEM with one sentence in err. */
int rete_pktfilter_new(const char *expr, struct rete_pktfilter **ret, char *err, size_t errlen);
/* True when ev has packet bytes that the expression accepts. */
bool rete_pktfilter_match(const struct rete_pktfilter *f, const struct rete_event *ev);
void rete_pktfilter_free(struct rete_pktfilter *f);

/*
 * Parse a meta filter expression. 0, or -EINVAL with one sentence in err
 * naming the column (1-based) ("unknown section 'devv' at column 1 (did you
 * mean 'dev'?)"), or -ENOMEM.
 */
int rete_metafilter_new(const char *expr, struct rete_metafilter **ret, char *err,
			size_t errlen);
/* The expression reads section `name` (a test names it). */
bool rete_metafilter_uses(const struct rete_metafilter *f, const char *name);
/* Evaluate on one event object (a parsed JSON line). */
bool rete_metafilter_match_json(const struct rete_metafilter *f, struct json_object *ev);
void rete_metafilter_free(struct rete_metafilter *f);

/* Both filters together, as the post-processing commands use them. */
struct rete_evfilter;

/*
 * packet_expr and meta_expr may each be NULL (no such filter); with both
 * NULL every event matches. 0 or -errno with one sentence in err (naming
 * the option: "-f: ..." or "-m: ...").
 */
int rete_evfilter_new(const char *packet_expr, const char *meta_expr, struct rete_evfilter **ret,
		      char *err, size_t errlen);
/*
 * 1 when ev passes every filter, 0 when not, -ENOMEM. Startup events (file
 * metadata: version, clock offset) always pass.
 */
int rete_evfilter_match(struct rete_evfilter *f, const struct rete_event *ev);
/* Events tested and events that passed (startup events excluded). */
void rete_evfilter_counts(const struct rete_evfilter *f, size_t *ret_tested, size_t *ret_passed);
void rete_evfilter_free(struct rete_evfilter *f);

#endif
