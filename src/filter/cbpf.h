/*
 * Classic BPF (what libpcap compiles pcap-filter expressions to) translated
 * to eBPF following the packet filter convention of filter/filter.h.
 *
 * cBPF is passed as struct sock_filter (linux/filter.h), which has the same
 * layout as libpcap's struct bpf_insn; libpcap's header stays out of here
 * because its struct bpf_insn clashes with the eBPF one of linux/bpf.h.
 *
 * Semantics are those of libpcap's interpreter (bpf_filter()): a packet
 * load outside the linear data, or one bpf_probe_read_kernel fails on,
 * makes the filter return 0; so does a division or modulo by X == 0; a
 * shift by X >= 32 yields 0. As in libpcap's and the kernel's validators, a
 * division by constant 0 and a constant shift by 32 or more are invalid.
 *
 * Backward jumps (libpcap emits them for "ip6 protochain") are unrolled:
 * a path may take at most RETE_CBPF_MAX_BACK_JUMPS of them, one more makes
 * the filter return 0 (e.g. more IPv6 extension headers than that before
 * the protocol looked for). The output has no backward jump and no
 * unreachable instruction, as the verifier requires.
 */
#ifndef RETE_FILTER_CBPF_H
#define RETE_FILTER_CBPF_H

#include <stddef.h>
#include <linux/filter.h>

#include "filter/filter.h"
#include "filter/pcap_filter.h"

#define RETE_CBPF_MAX_BACK_JUMPS 8

/*
 * Number of eBPF instructions the translation of the cBPF program needs,
 * even past RETE_FILTER_MAX_INSNS (for error messages). 0 or -EINVAL
 * (invalid or unsupported cBPF) / -ENOMEM.
 */
int rete_cbpf_count(const struct sock_filter *insns, size_t n, size_t *ret_count);

/*
 * Translate insns[0..n) into a new program in *ret (free it with
 * rete_filter_prog_free()). 0, -EINVAL (invalid or unsupported cBPF),
 * -E2BIG (more than RETE_FILTER_MAX_INSNS eBPF instructions) or -ENOMEM.
 */
int rete_cbpf_translate(const struct sock_filter *insns, size_t n, struct rete_filter_prog *ret);

/*
 * Translate form v of a compiled pcap filter into *ret. Errors come with a
 * sentence for the user in err: -ENOENT (no such form, e.g. no L3 form),
 * -E2BIG ("the packet filter 'X' needs N instructions for L2, more than
 * the 4096 rete allows"), -EINVAL (an instruction rete cannot translate),
 * -ENOMEM.
 */
int rete_cbpf_translate_pcap(const struct rete_pcap_filter *f, enum rete_pcap_variant v,
			     struct rete_filter_prog *ret, char *err, size_t errlen);

#endif
