/*
 * The pcap-filter expressions the filter differential tests run (test_cbpf
 * against libpcap in userspace, test_filter_kernel in the kernel): protocols,
 * hosts and nets, ports, ICMP, TCP flags, byte offsets, arithmetic, length,
 * Ethernet, VLAN/MPLS, protochain and boolean structure, then every port and
 * host form over small pools of values the packet generator (pkt_gen.h) uses.
 */
#ifndef RETE_TESTS_HELPERS_PCAP_EXPRS_H
#define RETE_TESTS_HELPERS_PCAP_EXPRS_H

#include <stddef.h>

/* Room for one expression, NUL included. */
#define RETE_TEST_EXPR_LEN 96

/*
 * Write the expressions to out[0..max) and return how many there are (which
 * may exceed max: only the first max are written).
 */
size_t rete_test_pcap_exprs(char (*out)[RETE_TEST_EXPR_LEN], size_t max);

#endif
