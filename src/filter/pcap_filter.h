/*
 * pcap-filter expressions compiled to classic BPF by libpcap, in the two
 * forms rete loads: L2 (the packet starts at the Ethernet header,
 * DLT_EN10MB) and L3 (it starts at the IP header, DLT_RAW).
 *
 * The L3 form is optional: it does not exist when libpcap cannot compile
 * the expression for raw IP (`ether host ...`, `vlan`, `arp` alone, ...) or
 * when the expression reads link-layer bytes (`ether[0]`, `link[0]`, ...),
 * which libpcap would silently take from the IP header.
 *
 * Neither libpcap's header nor linux/bpf.h is included here: their struct
 * bpf_insn clash. The cBPF is kept as struct sock_filter (same layout as
 * libpcap's); filter/cbpf.h translates it.
 */
#ifndef RETE_FILTER_PCAP_FILTER_H
#define RETE_FILTER_PCAP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/filter.h>

/* snaplen given to libpcap: also the value a matching cBPF program returns */
#define RETE_PCAP_SNAPLEN 262144

enum rete_pcap_variant {
	RETE_PCAP_L2,
	RETE_PCAP_L3,
	RETE_PCAP_VARIANT_MAX,
};

struct rete_cbpf_prog {
	struct sock_filter *insns;
	size_t n;
};

struct rete_pcap_filter {
	char *expr;
	struct rete_cbpf_prog prog[RETE_PCAP_VARIANT_MAX];
	bool has[RETE_PCAP_VARIANT_MAX];
	/* why there is no L3 form (libpcap's message or ours), for debug logs */
	char l3_skip_reason[256];
};

/*
 * Compile expr. On success *ret holds the L2 form and, when possible, the
 * L3 one (free with rete_pcap_filter_free()). On error returns -EINVAL
 * (the expression does not compile; err holds a sentence for the user that
 * keeps libpcap's text, e.g. "invalid packet filter 'tcp prot 80': syntax
 * error") or -ENOMEM.
 */
int rete_pcap_filter_compile(const char *expr, struct rete_pcap_filter *ret, char *err,
			     size_t errlen);

/* Accepts NULL and a zeroed struct. */
void rete_pcap_filter_free(struct rete_pcap_filter *f);

/* "L2" or "L3" */
const char *rete_pcap_variant_name(enum rete_pcap_variant v);

#endif
