/*
 * pcapng writer producing the blocks Retis's `pcap` command writes
 * (retis/src/process/cli/pcap.rs, written with the pcap-file crate):
 *
 *   section header block   version 1.0, section length -1, no option
 *   custom block           copiable (0xBAD), PEN 70000, the events' JSON schema
 *   per probe, once:       interface description block, linktype Ethernet,
 *                          snaplen 65535, if_name "probe_type/symbol",
 *                          if_description "Fake interface for probe <name>",
 *                          if_tsresol 9 (ns), opt_endofopt
 *   per packet event:      enhanced packet block, timestamp in ns, captured
 *                          and original lengths, the bytes, opt_comment (the
 *                          event's text rendering), a copiable UTF-8 custom
 *                          option (2988) with PEN 70000 holding the event as
 *                          JSON without its packet section, opt_endofopt
 *
 * Everything is written little-endian, padded to 32 bits with zeros.
 * Library code: returns -errno, never prints.
 */
#ifndef RETE_PROCESS_PCAPNG_H
#define RETE_PROCESS_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "events/event.h"

/* Retis's private enterprise number for its custom block and options (not IANA-assigned). */
#define RETE_PCAPNG_PEN 70000u

#define RETE_PCAPNG_SHB 0x0A0D0D0Au
#define RETE_PCAPNG_IDB 0x00000001u
#define RETE_PCAPNG_EPB 0x00000006u
#define RETE_PCAPNG_CB_COPY 0x00000BADu

#define RETE_PCAPNG_OPT_ENDOFOPT 0
#define RETE_PCAPNG_OPT_COMMENT 1
#define RETE_PCAPNG_OPT_CUSTOM_STR_COPY 2988
#define RETE_PCAPNG_IF_NAME 2
#define RETE_PCAPNG_IF_DESCRIPTION 3
#define RETE_PCAPNG_IF_TSRESOL 9

#define RETE_PCAPNG_LINKTYPE_ETHERNET 1
#define RETE_PCAPNG_SNAPLEN 0xffff
/* Interfaces (probes) one writer accepts; -E2BIG past it. */
#define RETE_PCAPNG_MAX_IFACES 65536

struct rete_pcapng;

struct rete_pcapng_stats {
	uint64_t packets;		/* enhanced packet blocks written */
	uint64_t comments_cut;		/* comments cut to fit a 16-bit option length */
	uint64_t json_dropped;		/* JSON options left out: too long for an option */
};

/*
 * Start a section on `out` (kept open by the writer; flushed by
 * rete_pcapng_flush, never closed): the section header block, then a custom
 * block holding `schema` when it is not NULL.
 */
int rete_pcapng_new(FILE *out, const char *schema, size_t schema_len, struct rete_pcapng **ret);
void rete_pcapng_free(struct rete_pcapng *w);
/* Flush the stream; returns the first error of the writer. */
int rete_pcapng_flush(struct rete_pcapng *w);
/* First output error (-errno, sticky: nothing is written after it), or 0. */
int rete_pcapng_error(const struct rete_pcapng *w);
const struct rete_pcapng_stats *rete_pcapng_stats(const struct rete_pcapng *w);

/* Id of the interface called name, writing its description block the first time. */
int rete_pcapng_interface(struct rete_pcapng *w, const char *name, uint32_t *ret_id);

struct rete_pcapng_packet {
	uint32_t ifid;
	uint64_t ts_ns;			/* since the epoch */
	const uint8_t *data;
	uint32_t caplen;
	uint32_t origlen;		/* raised to caplen when smaller */
	const char *comment;		/* NULL: no comment */
	size_t comment_len;
	const char *json;		/* NULL: no custom option */
	size_t json_len;
};

int rete_pcapng_packet(struct rete_pcapng *w, const struct rete_pcapng_packet *p);

/*
 * Offset added to event timestamps (CLOCK_MONOTONIC) to get wall time: the
 * startup section's clock_monotonic_offset. Without it timestamps are
 * written as they are (Retis does the same).
 */
void rete_pcapng_set_clock_offset(struct rete_pcapng *w, int64_t sec, int64_t nsec);

/*
 * Write one event as Retis does: on the interface "probe_type/symbol",
 * commented with its multi-line text rendering, and carrying its JSON
 * (without the packet section). Returns 0, -ENODATA when the event has no
 * packet section, -ENOENT when it has no common or kernel section (nothing is
 * written then), or a write error.
 */
int rete_pcapng_event(struct rete_pcapng *w, const struct rete_event *ev);

#endif
