/*
 * Text rendering of the sections rete keeps as JSON text (struct
 * rete_ev_extra): ovs, userspace, lost and unknown ones, and the described
 * sections (ct, nft, ...) that do not fit their description. Private to the
 * text formatter (text.c).
 */
#ifndef RETE_EVENTS_TEXT_EXTRA_H
#define RETE_EVENTS_TEXT_EXTRA_H

#include <stdbool.h>

#include "events/event.h"
#include "lib/strbuf.h"

/*
 * Append the body of one extra section, without leading separator. Known
 * sections (ovs, lost) are rendered like Retis; anything else, or a known
 * section whose JSON is not an object, as "<name> <json>". With multiline, a
 * section may contain '\n' (the caller indents the following lines).
 */
int rete_text_extra_section(const struct rete_ev_extra *x, bool multiline,
			    struct rete_strbuf *out);

/* Append the header part of a "userspace" section: "[u] <symbol> (<binary>)". */
int rete_text_userspace(const char *json, struct rete_strbuf *out);

#endif
