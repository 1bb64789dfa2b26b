/* Human text rendering of events, in Retis's layout (live output, print, sort). */
#ifndef RETE_EVENTS_TEXT_H
#define RETE_EVENTS_TEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "events/event.h"
#include "lib/strbuf.h"

struct rete_text_opts {
	bool single_line;	/* --format single-line */
	bool utc;		/* --utc: timestamps as UTC dates (needs a startup offset) */
	bool link_layer;	/* -e: print the Ethernet/VLAN layer */
	bool has_mono_offset;	/* set once a startup section was seen */
	int64_t mono_offset_sec;
	int64_t mono_offset_nsec;
	/* sort output: indentation level (0 = series head, 1 = "↳" continuation), and n <idx>. */
	unsigned indent;
	bool print_idx;
	/* ANSI colors: drop reasons red, tracking ids yellow, probe names bold. */
	bool color;
};

/* SGR sequences used when opts->color is set (exposed for tests). */
#define RETE_TEXT_SGR_RESET "\033[0m"
#define RETE_TEXT_SGR_PROBE "\033[1m"
#define RETE_TEXT_SGR_TRACK "\033[33m"
#define RETE_TEXT_SGR_DROP "\033[31m"

/*
 * Render one event (no trailing newline). Multi-line: header, then each
 * further line indented by two spaces (more with opts->indent).
 * Returns 0 or -errno.
 */
int rete_text_event(const struct rete_event *ev, const struct rete_text_opts *opts,
		    struct rete_strbuf *out);

/*
 * The packet line: dissect the captured bytes (starting with an Ethernet
 * header) into a tcpdump-like summary, Retis style. `len` is the original
 * length; bytes past capture_len are absent. Never fails on bad input: a
 * short packet ends with "(truncated or incomplete packet)", an unknown
 * protocol with "(X not supported, use 'rete pcap')".
 */
int rete_text_packet(const uint8_t *data, uint32_t capture_len, uint32_t len,
		     const struct rete_text_opts *opts, struct rete_strbuf *out);

#endif
