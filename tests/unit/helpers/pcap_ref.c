/* libpcap's cBPF interpreter for tests (see pcap_ref.h). */
#include <stdint.h>
#include <string.h>

#include <pcap/pcap.h>

#include "helpers/pcap_ref.h"

_Static_assert(sizeof(struct sock_filter) == sizeof(struct bpf_insn),
	       "libpcap's bpf_insn and sock_filter differ");

unsigned int rete_test_pcap_run(const struct sock_filter *insns, size_t n, const uint8_t *pkt,
				uint32_t wirelen, uint32_t buflen)
{
	/* Same layout (asserted above); libpcap only reads the program. */
	struct bpf_program prog = {
		.bf_len = (unsigned int)n,
		.bf_insns = (struct bpf_insn *)(uintptr_t)insns,
	};
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.caplen = buflen;
	h.len = wirelen;
	return (unsigned int)pcap_offline_filter(&prog, &h, pkt);
}
