/* pcap-filter expressions for the filter differential tests (see pcap_exprs.h). */
#include <stdint.h>
#include <stdio.h>

#include "helpers/pcap_exprs.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const exprs_fixed[] = {
	/* protocols */
	"ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "igmp", "sctp", "vlan", "mpls",
	"not ip", "not ip6", "not arp", "ip and tcp", "ip6 and tcp", "ip6 and udp", "ip and udp",
	"ip proto 47", "ip proto \\tcp", "ip proto \\udp", "ip proto \\icmp", "ip proto 132",
	"ip6 proto 58", "ip6 proto \\tcp", "ip6 proto 17", "proto 17", "proto \\tcp",
	"ether proto \\ip", "ether proto \\ip6", "ether proto \\arp", "ether proto \\rarp",
	"ether proto 0x0806", "ether proto 0x88cc", "ether proto 0x8847", "ether[12:2] <= 1500",
	"not tcp and not udp", "tcp or udp", "ip6 and not udp",
	/* hosts and nets */
	"host 10.0.0.1 and host 10.0.0.254", "src 10.0.0.1 and dst 10.0.0.254",
	"host 10.0.0.1 or host 192.168.1.1", "ip src 10.0.0.1", "ip dst 10.0.0.254",
	"ip host 8.8.8.8", "src or dst host 10.1.2.3", "src and dst net 10.0.0.0/8",
	"net 10.0.0.0/8", "net 10.0.0.0/24", "net 10.0.0.0/30", "net 192.168.0.0/16",
	"net 192.168.1.0/24", "src net 172.16.0.0/12", "dst net 224.0.0.0/4",
	"net 10.0.0.0 mask 255.255.255.0", "net 192.168", "net 10", "src net 10.0.0.0/31",
	"dst net 127.0.0.0/8", "net 0.0.0.0/1", "not net 10.0.0.0/8",
	"host 2001:db8::1", "src host fe80::1", "dst host ff02::1", "ip6 host ::1",
	"host 2001:db8::2 and tcp", "host 2001:db8:1::5", "dst host ff02::1:ff00:1", "host ::",
	"net 2001:db8::/32", "net 2001:db8::/64", "src net fe80::/10", "dst net ff00::/8",
	"ip6 net 2001:db8:1::/48", "net 2001:db8::/127", "ip6 src net 2001:db8:1234::/48",
	"ip6 dst net ::/1", "not net 2001:db8::/32", "src net 2001:db8::/32 and dst port 80",
	/* ports */
	"portrange 1000-2000", "src portrange 1-1023", "dst portrange 1024-65535",
	"tcp portrange 2000-2001", "udp portrange 53-68", "sctp portrange 0-100",
	"port 53 or port 80", "not port 22", "sctp port 80", "tcp src port 22 or tcp dst port 22",
	"udp dst port 4789 and udp[8] & 0x08 != 0", "ip and udp port 123", "ip6 and tcp port 443",
	"port 0", "tcp portrange 65535-65535", "portrange 80-80",
	/* icmp */
	"icmp[icmptype] = icmp-echo", "icmp[icmptype] == icmp-echoreply", "icmp[0] = 8",
	"icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply",
	"icmp[icmpcode] = 1", "icmp[icmptype] = icmp-unreach", "icmp[icmptype] = icmp-timxceed",
	"icmp[icmptype] = icmp-redirect", "icmp[4:2] = 0", "icmp[icmptype] > 10",
	"icmp6[icmp6type] = icmp6-echo", "icmp6[icmp6type] = icmp6-echoreply", "icmp6[0] = 135",
	"icmp6[icmp6type] = icmp6-neighborsolicit", "icmp6[icmp6code] = 0",
	"icmp6[icmp6type] = icmp6-routeradvert", "icmp6 and ip6[40] = 128",
	"icmp6[icmp6type] < 128", "icmp or icmp6",
	/* tcp flags */
	"tcp[tcpflags] & (tcp-syn|tcp-ack) != 0",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack",
	"tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] & tcp-rst != 0",
	"tcp[tcpflags] & (tcp-fin|tcp-rst) != 0", "tcp[tcpflags] == tcp-syn", "tcp[13] & 2 = 2",
	"tcp[tcpflags] & tcp-push != 0", "tcp[tcpflags] & tcp-urg != 0",
	"tcp[tcpflags] & tcp-ece != 0", "tcp[tcpflags] & tcp-cwr != 0", "tcp[12] >> 4 > 5",
	"tcp[12:1] & 0xf0 > 0x50", "tcp[tcpflags] & tcp-ack = 0",
	"tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src and dst net 10.0.0.0/8",
	/* byte offsets */
	"ip[0] = 0x45", "ip[0] & 0xf > 5", "ip[0] & 0xf != 5", "ip[1] = 0", "ip[2:2] > 100",
	"ip[6:2] & 0x1fff != 0", "ip[6] & 0x20 != 0", "ip[6] & 0x40 != 0", "ip[8] = 64",
	"ip[8] < 2", "ip[9] = 6", "ip[12:4] = 0x0a000001", "ip[16:4] & 0xffffff00 = 0xc0a80100",
	"ip[2:2] - ((ip[0] & 0xf) << 2) > 40", "ip[20:2] = 80", "ip[22:2] = 53",
	"ip[12:4] > ip[16:4]", "ip[40] > 100", "ip[100] > 0x80", "ip[1000] = 0",
	"ip6[0] & 0xf0 = 0x60", "ip6[6] = 58", "ip6[6] = 6", "ip6[7] > 64", "ip6[4:2] > 40",
	"ip6[8:4] = 0x20010db8", "ip6[24] = 0xff", "ip6[40] = 6", "ip6[39] = 1",
	"udp[0:2] = 53", "udp[2:2] = 53", "udp[4:2] > 20", "udp[8:2] = 0", "udp[8] = 8",
	"udp[4:2] != len - 34", "tcp[0:2] = 80", "tcp[2:2] > 1023", "tcp[4:4] = 0",
	"tcp[14:2] > 1000", "tcp[20] > 0x47", "tcp[8:4] > 0x80000000", "sctp[0:2] = 80",
	"igmp[0] & 1 = 1", "arp[6:2] = 1", "arp[7] = 2", "rarp[7] = 3", "arp[14:4] = 0x0a000001",
	"arp[24:4] = 0x0a0000fe",
	/* arithmetic */
	"ip[0] + ip[1] > 100", "ip[2:2] - 20 > 40", "ip[8] * 2 > 200", "ip[8] / 2 = 32",
	"ip[8] / ip[9] > 5", "ip[8] % ip[9] = 0", "ip[8] % 7 = 1", "ip[1] | ip[8] = 64",
	"ip[8] ^ 0xff = 0xbf", "ip[8] & ip[9] != 0", "ip[0] << 2 > 200", "ip[8] >> 2 = 16",
	"ip[8] << ip[1] > 1000", "ip[8] >> ip[1] = 0", "-ip[8] > 0x80000000", "ip[8] - ip[9] > 0",
	"ip[8] * ip[9] > 1000", "ip[12:4] + ip[16:4] < 0x10000000", "ip[2:2] / 0x10 > 3",
	"ip[1] & 0xfc = 0x10", "(ip[8] + 1) * 3 = 195", "ip[8] != ip[9]", "ip[9] >= ip[8]",
	"tcp[tcpflags] & (tcp[tcpflags] - 1) = 0",
	/* length */
	"len > 100", "len >= 64", "len < 60", "len <= 1500", "len = 54", "len > 1000",
	"greater 100", "less 64", "greater 1000", "less 1500 and tcp", "len - 14 = ip[2:2]",
	"len > ip[2:2]", "len / 2 > 50", "len & 1 = 1",
	/* ethernet */
	"ether host 00:11:22:33:44:55", "ether src 00:11:22:33:44:55",
	"ether dst ff:ff:ff:ff:ff:ff", "ether broadcast", "ether multicast", "broadcast",
	"multicast", "ether dst 01:00:5e:00:00:01", "ether src 02:00:00:00:00:01",
	"not ether broadcast", "ether[0] & 1 != 0", "ether[12:2] = 0x0800",
	"ether[6:4] = 0x00112233",
	"ether[0:4] = 0xffffffff", "link[12:2] = 0x86dd", "ether src 00:22:22:22:22:22 and tcp",
	"ether host 33:33:00:00:00:01 or ether host 01:00:5e:00:00:01",
	/* multicast, vlan, mpls */
	"ip multicast", "ip6 multicast", "ip multicast or ip6 multicast",
	"vlan 10", "vlan 100", "vlan and ip", "vlan 10 and tcp", "vlan and vlan",
	"vlan 20 and host 10.0.0.1", "not vlan", "vlan and arp", "vlan and ip6 and udp",
	"vlan 10 and vlan 20", "vlan and tcp portrange 1-1024", "mpls and ip",
	/* protochain (backward jumps) */
	"ip6 protochain 6", "ip6 protochain 17", "ip6 protochain 58", "ip protochain 6",
	"ip6 protochain 59", "ip6 protochain 44", "ip6 protochain 6 or ip6 protochain 17",
	/* boolean structure */
	"tcp or udp and port 53", "tcp and port 80 or udp and port 53", "(tcp or udp) and port 53",
	"not tcp or port 80", "not (tcp and port 80)", "host 10.0.0.1 and (port 22 or port 443)",
	"!tcp", "tcp && port 80", "udp || icmp", "ip and not icmp and not udp",
	"(ip or ip6) and tcp and dst port 443",
	"src host 10.0.0.1 and not dst net 192.168.0.0/16", "ip6 and (icmp6 or udp)",
	"arp or tcp port 443", "not (ip or ip6 or arp)", "((tcp))", "not not tcp",
	"tcp and (tcp[tcpflags] & tcp-syn != 0) and not (tcp[tcpflags] & tcp-ack != 0)",
	"(host 10.0.0.1 or host 10.0.0.2) and (port 80 or port 8080) and tcp",
	"udp and (port 67 or port 68) or arp", "icmp and (ip[8] < 2 or icmp[0] = 11)",
	"ether broadcast or tcp port 443", "ip and len > 100 and ip[8] > 1",
};

static const char *const port_forms[] = { "port", "src port", "dst port", "tcp port", "udp port" };
static const uint32_t expr_ports[] = { 22, 53, 80, 443, 1023, 2000, 8080, 65535 };
static const char *const host_forms[] = { "host", "src host", "dst host" };
static const char *const expr_hosts[] = {
	"10.0.0.1", "10.0.0.254", "10.1.2.3", "192.168.1.1", "172.16.5.4", "224.0.0.1",
	"255.255.255.255", "2001:db8::1", "fe80::1",
};

/* out[*n] = "a" or "a b" (b not NULL) */
static void add(char (*out)[RETE_TEST_EXPR_LEN], size_t max, size_t *n, const char *a,
		const char *b)
{
	if (*n < max)
		snprintf(out[*n], RETE_TEST_EXPR_LEN, "%s%s%s", a, b ? " " : "", b ? b : "");
	(*n)++;
}

size_t rete_test_pcap_exprs(char (*out)[RETE_TEST_EXPR_LEN], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_LEN(exprs_fixed); i++)
		add(out, max, &n, exprs_fixed[i], NULL);
	for (size_t f = 0; f < ARRAY_LEN(port_forms); f++)
		for (size_t i = 0; i < ARRAY_LEN(expr_ports); i++) {
			char port[16];

			snprintf(port, sizeof(port), "%u", expr_ports[i]);
			add(out, max, &n, port_forms[f], port);
		}
	for (size_t f = 0; f < ARRAY_LEN(host_forms); f++)
		for (size_t i = 0; i < ARRAY_LEN(expr_hosts); i++)
			add(out, max, &n, host_forms[f], expr_hosts[i]);
	return n;
}
