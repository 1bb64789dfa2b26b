/*
 * A small userspace interpreter for the eBPF subset rete's filter compilers
 * emit (src/filter/), so unit tests can run generated programs without root.
 *
 * Supported: ALU and ALU64 (all arithmetic ops, NEG, MOV, END incl. bswap),
 * LD_IMM64, LDX/ST/STX MEM through stack pointers, JMP and JMP32 conditional
 * jumps, JA, CALL of bpf_probe_read_kernel (113) and EXIT.
 *
 * Like the kernel verifier (but only on the path actually taken) it rejects
 * reads of uninitialised registers, writes to R10, pointer arithmetic other
 * than stack pointer +/- constant, memory access through anything but a stack
 * pointer, stack access outside the 512 bytes below R10, reads of stack bytes
 * never written, and constant shifts wider than the operand.
 */
#ifndef RETE_TESTS_HELPERS_EBPF_INTERP_H
#define RETE_TESTS_HELPERS_EBPF_INTERP_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* Readable kernel memory: [addr, addr + len) holds data. */
struct rete_interp_mem {
	uint64_t addr;
	const void *data;
	size_t len;
};

/*
 * Run insns with R1..R5 = args. bpf_probe_read_kernel(dst, size, src)
 * succeeds when [src, src + size) lies inside one mem region, else zero-fills
 * dst and returns -EFAULT (-14). Returns 0 and *ret_r0, or -EINVAL on an
 * invalid program (bad opcode, jump out of range, uninitialised register
 * read, stack access outside 512 bytes, more than 1,000,000 steps).
 */
int rete_interp_run(const struct bpf_insn *insns, size_t n, const uint64_t args[5],
		    const struct rete_interp_mem *mem, size_t nmem, uint64_t *ret_r0);

/*
 * Static check of a loop-free program (every jump goes forward), the way the
 * verifier explores all paths: every register read and every stack read must
 * be initialised on every path reaching it, whatever the jumps decide.
 * R1..R5 count as initialised scalars on entry. 0 or -EINVAL; when msg is not
 * NULL a description of the first problem is written there.
 */
int rete_interp_check(const struct bpf_insn *insns, size_t n, char *msg, size_t msglen);

#endif
