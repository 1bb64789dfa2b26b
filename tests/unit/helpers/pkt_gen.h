/*
 * Deterministic generator of varied packets for filter tests: Ethernet with
 * 0-2 VLAN tags, ARP/RARP, IPv4 (options, fragments), IPv6 (extension
 * headers), TCP/UDP/ICMP/ICMPv6/SCTP/other, with field values drawn mostly
 * from small pools (addresses, ports, types, MACs) so filters on those
 * values both match and miss.
 *
 * Pools: IPv4 10.0.0.1 10.0.0.2 10.0.0.254 10.1.2.3 192.168.1.1
 * 192.168.1.100 172.16.5.4 8.8.8.8 224.0.0.1 239.1.2.3 255.255.255.255
 * 127.0.0.1 0.0.0.0; ports 22 53 67 68 80 123 443 1000 1023 1024 1500 2000
 * 2001 4789 8080 65535 0; MACs 00:11:22:33:44:55 00:22:22:22:22:22
 * ff:ff:ff:ff:ff:ff 01:00:5e:00:00:01 33:33:00:00:00:01 02:00:00:00:00:01;
 * IPv6 ::1 fe80::1 2001:db8::1 2001:db8::2 2001:db8:1::5 ff02::1
 * ff02::1:ff00:1 :: 2001:db8:1234::aa00:0:0:42; VLAN ids 10 20 100.
 */
#ifndef RETE_TESTS_HELPERS_PKT_GEN_H
#define RETE_TESTS_HELPERS_PKT_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* splitmix64 */
struct rete_test_rng {
	uint64_t s;
};

uint64_t rete_test_rng_next(struct rete_test_rng *r);
/* uniform-ish in [0, n); 0 when n is 0 */
uint32_t rete_test_rng_below(struct rete_test_rng *r, uint32_t n);
/* true with probability pct % */
bool rete_test_rng_pct(struct rete_test_rng *r, uint32_t pct);

#define RETE_TEST_PKT_BUF 1024

struct rete_test_pkt {
	uint8_t buf[RETE_TEST_PKT_BUF]; /* random bytes past len too */
	size_t len;			/* bytes of the packet in buf */
	size_t l3off;			/* start of the network header */
};

/* Big-endian stores into p->buf. */
void rete_test_put8(struct rete_test_pkt *p, size_t off, uint32_t v);
void rete_test_put16(struct rete_test_pkt *p, size_t off, uint32_t v);
void rete_test_put32(struct rete_test_pkt *p, size_t off, uint32_t v);

void rete_test_pkt_gen(struct rete_test_rng *r, struct rete_test_pkt *p);

#endif
