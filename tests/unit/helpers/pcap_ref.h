/*
 * libpcap's own cBPF interpreter, the reference the cBPF -> eBPF translator
 * is tested against. Kept in its own file: libpcap's struct bpf_insn clashes
 * with linux/bpf.h's, so a test including filter headers cannot include
 * pcap.h.
 */
#ifndef RETE_TESTS_HELPERS_PCAP_REF_H
#define RETE_TESTS_HELPERS_PCAP_REF_H

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

/* pcap_offline_filter() on pkt: its return value (0 = no match). */
unsigned int rete_test_pcap_run(const struct sock_filter *insns, size_t n, const uint8_t *pkt,
				uint32_t wirelen, uint32_t buflen);

#endif
