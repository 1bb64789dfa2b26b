#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "filter/pcap_hint.h"
#include "lib/suggest.h"

/* The words of pcap-filter(7) (primitives, qualifiers, protocols, named offsets and values). */
static const char *const words[] = {
	"dst", "src", "host", "net", "port", "portrange", "gateway", "proto", "protochain",
	"ether", "fddi", "tr", "wlan", "ip", "ip6", "arp", "rarp", "decnet", "lat", "sca",
	"moprc", "mopdl", "iso", "esis", "es-is", "isis", "is-is", "clnp", "tcp", "udp", "icmp",
	"icmp6", "igmp", "igrp", "pim", "ah", "esp", "vrrp", "sctp", "stp", "ipx", "netbeui",
	"atalk", "aarp", "broadcast", "multicast", "less", "greater", "len", "and", "or", "not",
	"mask", "vlan", "mpls", "pppoed", "pppoes", "geneve", "vxlan", "llc", "inbound",
	"outbound", "ifname", "on", "link", "ppp", "slip", "radio", "type", "subtype", "dir",
	"addr1", "addr2", "addr3", "addr4", "ra", "ta", "bssid", "l1", "l2", "iso", "tcpflags",
	"tcp-fin", "tcp-syn", "tcp-rst", "tcp-push", "tcp-ack", "tcp-urg", "tcp-ece", "tcp-cwr",
	"icmptype", "icmpcode", "icmp6type", "icmp6code", "icmp-echoreply", "icmp-unreach",
	"icmp-sourcequench", "icmp-redirect", "icmp-echo", "icmp-routeradvert",
	"icmp-routersolicit", "icmp-timxceed", "icmp-paramprob", "icmp-tstamp",
	"icmp-tstampreply", "icmp-ireq", "icmp-ireqreply", "icmp-maskreq", "icmp-maskreply",
	"mgt", "ctl", "data", "assoc-req", "assoc-resp", "reassoc-req", "reassoc-resp",
	"probe-req", "probe-resp", "beacon", "atim", "disassoc", "auth", "deauth",
};

/* Need a value after them: "tcp port" alone is incomplete. */
static const char *const need_value[] = {
	"host", "net", "port", "portrange", "gateway", "proto", "protochain", "less", "greater",
	"mask", "ifname", "on", "type", "subtype",
};

static bool in(const char *const *list, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], w))
			return true;
	return false;
}

#define IN(list, w) in(list, sizeof(list) / sizeof(list[0]), w)

static bool is_op(const char *w)
{
	return !strcmp(w, "and") || !strcmp(w, "or") || !strcmp(w, "&&") || !strcmp(w, "||");
}

/* Could this token be a name the user meant (a host or service name is also a word)? */
static bool wordlike(const char *w)
{
	if (!isalpha((unsigned char)w[0]))
		return false;
	for (const char *p = w; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

struct tok {
	char text[64];
	size_t col;	/* 1-based */
};

/* Words, operators and parentheses; brackets and their insides count as one token. */
static size_t tokenize(const char *expr, struct tok *toks, size_t max)
{
	size_t n = 0;
	const char *p = expr;

	while (*p && n < max) {
		const char *start;
		size_t len;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		start = p;
		if (*p == '(' || *p == ')' || *p == '!') {
			p++;
		} else if ((p[0] == '&' && p[1] == '&') || (p[0] == '|' && p[1] == '|')) {
			p += 2;
		} else {
			while (*p && !isspace((unsigned char)*p) && *p != '(' && *p != ')' &&
			       !(p[0] == '&' && p[1] == '&') && !(p[0] == '|' && p[1] == '|'))
				p++;
		}
		len = (size_t)(p - start);
		if (len >= sizeof(toks[n].text))
			len = sizeof(toks[n].text) - 1;
		memcpy(toks[n].text, start, len);
		toks[n].text[len] = '\0';
		toks[n].col = (size_t)(start - expr) + 1;
		n++;
	}
	return n;
}

void rete_pcap_error_message(const char *expr, const char *pcap_msg, char *out, size_t outlen)
{
	static const char prefix[] = "can't parse filter expression: ";
	char hint[256];
	size_t len;

	if (!strncmp(pcap_msg, prefix, sizeof(prefix) - 1))
		pcap_msg += sizeof(prefix) - 1;
	snprintf(out, outlen, "%s", pcap_msg);
	len = strlen(out);
	while (len && (isspace((unsigned char)out[len - 1]) || out[len - 1] == '.'))
		out[--len] = '\0';
	if (strcmp(out, "syntax error"))
		return;
	rete_pcap_syntax_hint(expr, hint, sizeof(hint));
	snprintf(out + len, outlen - len, "%s", hint);
}

void rete_pcap_syntax_hint(const char *expr, char *out, size_t outlen)
{
	struct tok toks[128];
	size_t n = tokenize(expr, toks, sizeof(toks) / sizeof(toks[0]));
	int depth = 0;

	out[0] = '\0';
	/* A misspelt keyword: a word close to one, that is not one. */
	for (size_t i = 0; i < n; i++) {
		struct rete_suggest s;
		char lower[64];
		size_t k;

		if (!wordlike(toks[i].text))
			continue;
		for (k = 0; toks[i].text[k]; k++)
			lower[k] = (char)tolower((unsigned char)toks[i].text[k]);
		lower[k] = '\0';
		if (IN(words, lower))
			continue;
		rete_suggest_init(&s, lower);
		for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
			rete_suggest_offer(&s, words[w]);
		if (s.best) {
			snprintf(out, outlen,
				 " at column %zu: '%s' is not a pcap-filter word (did you mean '%s'?)",
				 toks[i].col, toks[i].text, s.best);
			return;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *t = toks[i].text;

		if (!strcmp(t, "("))
			depth++;
		if (!strcmp(t, ")") && --depth < 0) {
			snprintf(out, outlen, " at column %zu: ')' without a matching '('",
				 toks[i].col);
			return;
		}
		if (is_op(t) && (i == 0 || is_op(toks[i - 1].text) || !strcmp(toks[i - 1].text, "(") ||
				 !strcmp(toks[i - 1].text, "!") || !strcmp(toks[i - 1].text, "not"))) {
			snprintf(out, outlen, " at column %zu: '%s' has nothing on its left",
				 toks[i].col, t);
			return;
		}
	}
	if (depth > 0) {
		snprintf(out, outlen, ": %d '(' not closed", depth);
		return;
	}
	if (n) {
		const char *last = toks[n - 1].text;

		if (is_op(last) || !strcmp(last, "not") || !strcmp(last, "!"))
			snprintf(out, outlen, " at column %zu: '%s' has nothing on its right",
				 toks[n - 1].col, last);
		else if (IN(need_value, last))
			snprintf(out, outlen, " at column %zu: '%s' needs a value after it",
				 toks[n - 1].col, last);
	}
}
