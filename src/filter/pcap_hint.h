/*
 * libpcap says only "syntax error" for a bad pcap-filter expression. This
 * finds where and why, for the common mistakes: a misspelt keyword (with
 * the closest one), a keyword that needs a value at the end, two operators
 * in a row, an operator at an end, unbalanced parentheses.
 */
#ifndef RETE_FILTER_PCAP_HINT_H
#define RETE_FILTER_PCAP_HINT_H

#include <stddef.h>

/*
 * Write a sentence fragment after "syntax error" ("at column 5: 'portt' is not a pcap-filter
 * word (did you mean 'port'?)") into out; empty when nothing specific was found.
 */
void rete_pcap_syntax_hint(const char *expr, char *out, size_t outlen);

/*
 * libpcap's message for expr (pcap_geterr) as rete shows it: without
 * libpcap's "can't parse filter expression: " prefix and trailing dot, with
 * the hint above after a syntax error.
 */
void rete_pcap_error_message(const char *expr, const char *pcap_msg, char *out, size_t outlen);

#endif
