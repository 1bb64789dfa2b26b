/*
 * cBPF -> eBPF translation (see cbpf.h).
 *
 * Registers: cBPF's A and X live in R8 and R9 (as zero-extended 32-bit
 * values, all arithmetic is 32-bit), the packet address in R6 and the
 * linear length in R7: R6-R9 survive the bpf_probe_read_kernel calls, which
 * clobber R1-R5. R0-R5 are scratch.
 *
 * Stack below R10:
 *   -4   u32 bytes valid in the packet prefix copy (0 when the copy failed)
 *   -8   u32 wire length (cBPF `len`; R3 on entry, clobbered by calls)
 *   -16  destination of bpf_probe_read_kernel (1, 2 or 4 bytes)
 *   -20 - 4 * k  M[k], k = 0..15; the slots the program reads are zeroed on
 *        entry, as the verifier wants initialised stack.
 *   -144 the first 64 packet bytes, copied with one bpf_probe_read_kernel on
 *        entry when the program has two or more fixed-offset loads there;
 *        such loads then read the copy (the prefix holds min(linear, 64)
 *        bytes), and only the others pay a helper call each.
 *
 * The translation is done twice: a counting pass fixes the eBPF index of
 * every cBPF instruction, then the emitting pass resolves jump offsets with
 * them. Code emitted for an instruction never depends on offsets, so both
 * passes produce the same layout. All out-of-bounds/fault/division-by-zero
 * exits jump to one shared "return 0" block at the end.
 *
 * Backward jumps (cbpf.h) are unrolled by emitting "copies" of the program
 * tail: a backward jump in copy c lands in copy c + 1 (copy c + 1 starts at
 * the smallest backward target reachable from copy c), and in the last copy
 * it goes to "return 0". Only (copy, pc) pairs reachable from the entry are
 * emitted: the verifier rejects unreachable instructions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/cbpf.h"
#include "filter/insn.h"

#define REG_PKT BPF_REG_6
#define REG_LINEAR BPF_REG_7
#define REG_A BPF_REG_8
#define REG_X BPF_REG_9

#define OFF_WIRELEN (-8)
#define OFF_SCRATCH (-16)
#define OFF_MEM0 (-20)
#define OFF_PREFIXLEN (-4)
#define PREFIX_BYTES 64
#define OFF_PREFIX (OFF_MEM0 - 4 * (BPF_MEMWORDS - 1) - PREFIX_BYTES)
#define STACK_USED (-OFF_PREFIX)

_Static_assert(OFF_PREFIX % 8 == 0, "the packet prefix must be 8-byte aligned on the stack");

_Static_assert(STACK_USED <= RETE_FILTER_STACK, "cBPF stack layout exceeds RETE_FILTER_STACK");

struct cbpf_ctx {
	const struct sock_filter *f;
	size_t n;
	unsigned int copies;
	size_t lo[RETE_CBPF_MAX_BACK_JUMPS + 1]; /* first pc of each copy */
	bool *reach;				  /* [copy * n + pc] */
	size_t *start;				  /* eBPF index of [copy * n + pc] */
	size_t fail;				  /* eBPF index of the "return 0" block */
	bool fail_used;
	bool uses_len;
	uint16_t mem_read;	/* bit k: M[k] is read somewhere */
	size_t prefix_loads;	/* reachable fixed-offset loads within the prefix */
	bool uses_prefix;

	/* current pass */
	struct rete_filter_prog *prog; /* NULL while counting */
	size_t pos;
	unsigned int copy;
	int err;
};

/* Every opcode libpcap's interpreter runs (and emits). */
static const uint16_t cbpf_codes[] = {
	BPF_RET | BPF_K,	   BPF_RET | BPF_A,	      BPF_LD | BPF_W | BPF_ABS,
	BPF_LD | BPF_H | BPF_ABS,  BPF_LD | BPF_B | BPF_ABS,  BPF_LD | BPF_W | BPF_LEN,
	BPF_LDX | BPF_W | BPF_LEN, BPF_LD | BPF_W | BPF_IND,  BPF_LD | BPF_H | BPF_IND,
	BPF_LD | BPF_B | BPF_IND,  BPF_LDX | BPF_MSH | BPF_B, BPF_LD | BPF_IMM,
	BPF_LDX | BPF_IMM,	   BPF_LD | BPF_MEM,	      BPF_LDX | BPF_MEM,
	BPF_ST,			   BPF_STX,		      BPF_JMP | BPF_JA,
	BPF_JMP | BPF_JGT | BPF_K, BPF_JMP | BPF_JGE | BPF_K, BPF_JMP | BPF_JEQ | BPF_K,
	BPF_JMP | BPF_JSET | BPF_K, BPF_JMP | BPF_JGT | BPF_X, BPF_JMP | BPF_JGE | BPF_X,
	BPF_JMP | BPF_JEQ | BPF_X, BPF_JMP | BPF_JSET | BPF_X, BPF_ALU | BPF_ADD | BPF_X,
	BPF_ALU | BPF_SUB | BPF_X, BPF_ALU | BPF_MUL | BPF_X, BPF_ALU | BPF_DIV | BPF_X,
	BPF_ALU | BPF_MOD | BPF_X, BPF_ALU | BPF_AND | BPF_X, BPF_ALU | BPF_OR | BPF_X,
	BPF_ALU | BPF_XOR | BPF_X, BPF_ALU | BPF_LSH | BPF_X, BPF_ALU | BPF_RSH | BPF_X,
	BPF_ALU | BPF_ADD | BPF_K, BPF_ALU | BPF_SUB | BPF_K, BPF_ALU | BPF_MUL | BPF_K,
	BPF_ALU | BPF_DIV | BPF_K, BPF_ALU | BPF_MOD | BPF_K, BPF_ALU | BPF_AND | BPF_K,
	BPF_ALU | BPF_OR | BPF_K,  BPF_ALU | BPF_XOR | BPF_K, BPF_ALU | BPF_LSH | BPF_K,
	BPF_ALU | BPF_RSH | BPF_K, BPF_ALU | BPF_NEG,	      BPF_MISC | BPF_TAX,
	BPF_MISC | BPF_TXA,
};

static bool code_known(uint16_t code)
{
	for (size_t i = 0; i < sizeof(cbpf_codes) / sizeof(cbpf_codes[0]); i++)
		if (cbpf_codes[i] == code)
			return true;
	return false;
}

static bool is_mem_op(uint16_t code)
{
	return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM) || code == BPF_ST ||
	       code == BPF_STX;
}

/* Target pc of a JA (may be backward), as a signed number. */
static int64_t ja_target(size_t pc, uint32_t k)
{
	return (int64_t)pc + 1 + (int32_t)k;
}

/* The checks of libpcap's validator: known opcodes, jumps inside, RET last. */
static int validate(const struct sock_filter *f, size_t n)
{
	if (!n || BPF_CLASS(f[n - 1].code) != BPF_RET)
		return -EINVAL;
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];

		if (!code_known(i->code))
			return -EINVAL;
		if (is_mem_op(i->code) && i->k >= BPF_MEMWORDS)
			return -EINVAL;
		if ((i->code == (BPF_ALU | BPF_DIV | BPF_K) ||
		     i->code == (BPF_ALU | BPF_MOD | BPF_K)) && !i->k)
			return -EINVAL;
		/* libpcap never emits these and interpreters disagree on them */
		if ((i->code == (BPF_ALU | BPF_LSH | BPF_K) ||
		     i->code == (BPF_ALU | BPF_RSH | BPF_K)) && i->k >= 32)
			return -EINVAL;
		if (i->code == (BPF_JMP | BPF_JA)) {
			int64_t t = ja_target(pc, i->k);

			if (t < 0 || t >= (int64_t)n || t == (int64_t)pc)
				return -EINVAL;
		} else if (BPF_CLASS(i->code) == BPF_JMP) {
			if (pc + 1 + i->jt >= n || pc + 1 + i->jf >= n)
				return -EINVAL;
		}
	}
	return 0;
}

/* First pc of each copy and the number of copies (cbpf.c header comment). */
static void plan_copies(struct cbpf_ctx *c)
{
	bool back = false;

	c->lo[0] = 0;
	for (unsigned int copy = 1; copy <= RETE_CBPF_MAX_BACK_JUMPS; copy++) {
		size_t lo = c->n;

		for (size_t pc = c->lo[copy - 1]; pc < c->n; pc++) {
			int64_t t = ja_target(pc, c->f[pc].k);

			if (c->f[pc].code == (BPF_JMP | BPF_JA) && t < (int64_t)pc) {
				back = true;
				if ((size_t)t < lo)
					lo = (size_t)t;
			}
		}
		c->lo[copy] = lo;
	}
	c->copies = back ? RETE_CBPF_MAX_BACK_JUMPS + 1 : 1;
}

static void mark(struct cbpf_ctx *c, unsigned int copy, size_t pc)
{
	c->reach[copy * c->n + pc] = true;
}

static int32_t load_bytes(uint16_t size)
{
	return size == BPF_B ? 1 : size == BPF_H ? 2 : 4;
}

/* A fixed-offset packet load that the prefix copy can serve. */
static bool in_prefix(const struct sock_filter *i)
{
	if (i->code == (BPF_LDX | BPF_MSH | BPF_B))
		return i->k < PREFIX_BYTES;
	return BPF_CLASS(i->code) == BPF_LD && BPF_MODE(i->code) == BPF_ABS &&
	       (uint64_t)i->k + (uint64_t)load_bytes(BPF_SIZE(i->code)) <= PREFIX_BYTES;
}

/* Reachable (copy, pc) pairs, in emission order (jumps only go forward in it). */
static void plan_reach(struct cbpf_ctx *c)
{
	for (unsigned int copy = 0; copy < c->copies; copy++) {
		for (size_t pc = c->lo[copy]; pc < c->n; pc++) {
			const struct sock_filter *i = &c->f[pc];

			if (!(copy == 0 && pc == 0) && !c->reach[copy * c->n + pc])
				continue;
			mark(c, copy, pc);
			if (is_mem_op(i->code) && BPF_CLASS(i->code) <= BPF_LDX)
				c->mem_read |= (uint16_t)(1u << i->k);
			if (BPF_MODE(i->code) == BPF_LEN && BPF_CLASS(i->code) <= BPF_LDX)
				c->uses_len = true;
			if (in_prefix(i))
				c->prefix_loads++;
			if (BPF_CLASS(i->code) == BPF_RET)
				continue;
			if (i->code == (BPF_JMP | BPF_JA)) {
				int64_t t = ja_target(pc, i->k);

				if (t > (int64_t)pc)
					mark(c, copy, (size_t)t);
				else if (copy + 1 < c->copies)
					mark(c, copy + 1, (size_t)t);
			} else if (BPF_CLASS(i->code) == BPF_JMP) {
				mark(c, copy, pc + 1 + i->jt);
				mark(c, copy, pc + 1 + i->jf);
			} else {
				mark(c, copy, pc + 1);
			}
		}
	}
}

/* ---- emission ---- */

static void emit(struct cbpf_ctx *c, struct bpf_insn insn)
{
	if (c->err)
		return;
	if (c->prog)
		c->err = rete_filter_emit(c->prog, insn);
	c->pos++;
}

/* Emit a jump to eBPF index target (known only in the emitting pass). */
static void emit_jmp(struct cbpf_ctx *c, struct bpf_insn insn, size_t target)
{
	if (c->prog) {
		int64_t off = (int64_t)target - (int64_t)(c->pos + 1);

		if (off < 0 || off > INT16_MAX) {
			c->err = c->err ? c->err : -EINVAL;
			return;
		}
		insn.off = (int16_t)off;
	}
	emit(c, insn);
}

static size_t target_fail(struct cbpf_ctx *c)
{
	c->fail_used = true;
	return c->fail;
}

static size_t target_pc(const struct cbpf_ctx *c, unsigned int copy, size_t pc)
{
	return c->start[copy * c->n + pc];
}

static int16_t mem_off(uint32_t k)
{
	return (int16_t)(OFF_MEM0 - 4 * (int32_t)k);
}

static void emit_prologue(struct cbpf_ctx *c)
{
	emit(c, rete_mov64_reg(REG_PKT, BPF_REG_1));
	emit(c, rete_mov32_reg(REG_LINEAR, BPF_REG_2)); /* zero-extends the u32 argument */
	if (c->uses_len) {
		emit(c, rete_mov32_reg(BPF_REG_3, BPF_REG_3));
		emit(c, rete_stx(BPF_W, BPF_REG_10, BPF_REG_3, OFF_WIRELEN));
	}
	emit(c, rete_mov32_imm(REG_A, 0));
	emit(c, rete_mov32_imm(REG_X, 0));
	for (uint32_t k = 0; k < BPF_MEMWORDS; k++)
		if (c->mem_read & (1u << k))
			emit(c, rete_st_imm(BPF_W, BPF_REG_10, mem_off(k), 0));
	if (!c->uses_prefix)
		return;
	/* prefix = PREFIX_BYTES at R6; valid = read ok ? min(linear, PREFIX_BYTES) : 0 */
	emit(c, rete_mov64_reg(BPF_REG_1, BPF_REG_10));
	emit(c, rete_alu_imm(BPF_ALU64, BPF_ADD, BPF_REG_1, OFF_PREFIX));
	emit(c, rete_mov64_imm(BPF_REG_2, PREFIX_BYTES));
	emit(c, rete_mov64_reg(BPF_REG_3, REG_PKT));
	emit(c, rete_call_helper(BPF_FUNC_probe_read_kernel));
	emit(c, rete_mov32_reg(BPF_REG_1, REG_LINEAR));
	emit(c, rete_jmp_imm(BPF_JMP, BPF_JLE, BPF_REG_1, PREFIX_BYTES, 1));
	emit(c, rete_mov32_imm(BPF_REG_1, PREFIX_BYTES));
	emit(c, rete_jmp_imm(BPF_JMP, BPF_JEQ, BPF_REG_0, 0, 1));
	emit(c, rete_mov32_imm(BPF_REG_1, 0));
	emit(c, rete_stx(BPF_W, BPF_REG_10, BPF_REG_1, OFF_PREFIXLEN));
}

/*
 * dst = the bytes at prefix offset k in host order: one load (and a byte
 * swap) when aligned, else assembled byte by byte (the verifier wants
 * aligned stack access).
 */
static size_t prefix_load_len(int32_t bytes, uint32_t k)
{
	if (k % (uint32_t)bytes == 0)
		return bytes > 1 ? 2 : 1;
	return 1 + 3 * (size_t)(bytes - 1);
}

static void emit_prefix_load(struct cbpf_ctx *c, int32_t bytes, uint32_t k, uint8_t dst)
{
	int16_t off = (int16_t)(OFF_PREFIX + (int32_t)k);
	uint8_t size = bytes == 1 ? BPF_B : bytes == 2 ? BPF_H : BPF_W;

	if (k % (uint32_t)bytes == 0) {
		emit(c, rete_ldx(size, dst, BPF_REG_10, off));
		if (bytes > 1)
			emit(c, rete_be(dst, bytes * 8));
		return;
	}
	emit(c, rete_ldx(BPF_B, dst, BPF_REG_10, off));
	for (int32_t b = 1; b < bytes; b++) {
		emit(c, rete_alu_imm(BPF_ALU, BPF_LSH, dst, 8));
		emit(c, rete_ldx(BPF_B, BPF_REG_1, BPF_REG_10, (int16_t)(off + b)));
		emit(c, rete_alu_reg(BPF_ALU, BPF_OR, dst, BPF_REG_1));
	}
}

/*
 * dst = the 1, 2 or 4 bytes at packet offset k (ABS) or X + k (IND), in host
 * order; the filter returns 0 when they are not all in the linear data (same
 * checks as libpcap, without wrap-around) or cannot be read.
 */
static void emit_pkt_read(struct cbpf_ctx *c, uint16_t size, bool ind, uint32_t k, uint8_t dst)
{
	int32_t bytes = load_bytes(size);

	if (!ind && (uint64_t)k + (uint64_t)bytes <= INT32_MAX) {
		emit_jmp(c, rete_jmp_imm(BPF_JMP, BPF_JLT, REG_LINEAR, (int32_t)k + bytes, 0),
			 target_fail(c));
		emit(c, rete_mov64_reg(BPF_REG_3, REG_PKT));
		emit(c, rete_alu_imm(BPF_ALU64, BPF_ADD, BPF_REG_3, (int32_t)k));
	} else {
		/* R3 = offset as a 64-bit sum, R1 = its end */
		if (!ind) {
			emit(c, rete_mov32_imm(BPF_REG_3, (int32_t)k));
		} else if (k <= INT32_MAX) {
			emit(c, rete_mov64_reg(BPF_REG_3, REG_X));
			emit(c, rete_alu_imm(BPF_ALU64, BPF_ADD, BPF_REG_3, (int32_t)k));
		} else {
			emit(c, rete_mov64_reg(BPF_REG_3, REG_X));
			emit(c, rete_mov32_imm(BPF_REG_1, (int32_t)k));
			emit(c, rete_alu_reg(BPF_ALU64, BPF_ADD, BPF_REG_3, BPF_REG_1));
		}
		emit(c, rete_mov64_reg(BPF_REG_1, BPF_REG_3));
		emit(c, rete_alu_imm(BPF_ALU64, BPF_ADD, BPF_REG_1, bytes));
		emit_jmp(c, rete_jmp_reg(BPF_JMP, BPF_JGT, BPF_REG_1, REG_LINEAR, 0),
			 target_fail(c));
		emit(c, rete_alu_reg(BPF_ALU64, BPF_ADD, BPF_REG_3, REG_PKT));
	}
	emit(c, rete_mov64_reg(BPF_REG_1, BPF_REG_10));
	emit(c, rete_alu_imm(BPF_ALU64, BPF_ADD, BPF_REG_1, OFF_SCRATCH));
	emit(c, rete_mov64_imm(BPF_REG_2, bytes));
	emit(c, rete_call_helper(BPF_FUNC_probe_read_kernel));
	emit_jmp(c, rete_jmp_imm(BPF_JMP, BPF_JNE, BPF_REG_0, 0, 0), target_fail(c));
	emit(c, rete_ldx((uint8_t)size, dst, BPF_REG_10, OFF_SCRATCH));
	if (bytes > 1)
		emit(c, rete_be(dst, bytes * 8));
}

/* Instructions emit_pkt_read would emit (a dry run in counting mode). */
static size_t pkt_read_len(struct cbpf_ctx *c, uint16_t size, bool ind, uint32_t k, uint8_t dst)
{
	struct rete_filter_prog *prog = c->prog;
	size_t pos = c->pos;
	int err = c->err;
	size_t len;

	c->prog = NULL;
	emit_pkt_read(c, size, ind, k, dst);
	len = c->pos - pos;
	c->prog = prog;
	c->pos = pos;
	c->err = err;
	return len;
}

/*
 * A packet load: from the prefix copy when it holds the bytes, else with a
 * helper call (same result either way, see emit_pkt_read).
 */
static void emit_pkt_load(struct cbpf_ctx *c, uint16_t size, bool ind, uint32_t k, uint8_t dst)
{
	int32_t bytes = load_bytes(size);
	size_t fast_len, slow_len;

	if (!c->uses_prefix || ind || (uint64_t)k + (uint64_t)bytes > PREFIX_BYTES) {
		emit_pkt_read(c, size, ind, k, dst);
		return;
	}
	fast_len = prefix_load_len(bytes, k);
	slow_len = pkt_read_len(c, size, ind, k, dst);
	emit(c, rete_ldx(BPF_W, BPF_REG_1, BPF_REG_10, OFF_PREFIXLEN));
	emit(c, rete_jmp_imm(BPF_JMP, BPF_JLT, BPF_REG_1, (int32_t)k + bytes,
			     (int16_t)(fast_len + 1)));
	emit_prefix_load(c, bytes, k, dst);
	emit(c, rete_ja((int16_t)slow_len));
	emit_pkt_read(c, size, ind, k, dst);
}

static void tr_ld(struct cbpf_ctx *c, const struct sock_filter *i)
{
	switch (BPF_MODE(i->code)) {
	case BPF_ABS:
	case BPF_IND:
		emit_pkt_load(c, BPF_SIZE(i->code), BPF_MODE(i->code) == BPF_IND, i->k, REG_A);
		break;
	case BPF_LEN:
		emit(c, rete_ldx(BPF_W, REG_A, BPF_REG_10, OFF_WIRELEN));
		break;
	case BPF_IMM:
		emit(c, rete_mov32_imm(REG_A, (int32_t)i->k));
		break;
	default: /* BPF_MEM */
		emit(c, rete_ldx(BPF_W, REG_A, BPF_REG_10, mem_off(i->k)));
		break;
	}
}

static void tr_ldx(struct cbpf_ctx *c, const struct sock_filter *i)
{
	switch (BPF_MODE(i->code)) {
	case BPF_MSH: /* X = (P[k] & 0xf) << 2, the IPv4 header length */
		emit_pkt_load(c, BPF_B, false, i->k, REG_X);
		emit(c, rete_alu_imm(BPF_ALU, BPF_AND, REG_X, 0xf));
		emit(c, rete_alu_imm(BPF_ALU, BPF_LSH, REG_X, 2));
		break;
	case BPF_LEN:
		emit(c, rete_ldx(BPF_W, REG_X, BPF_REG_10, OFF_WIRELEN));
		break;
	case BPF_IMM:
		emit(c, rete_mov32_imm(REG_X, (int32_t)i->k));
		break;
	default: /* BPF_MEM */
		emit(c, rete_ldx(BPF_W, REG_X, BPF_REG_10, mem_off(i->k)));
		break;
	}
}

static void tr_st(struct cbpf_ctx *c, const struct sock_filter *i)
{
	emit(c, rete_stx(BPF_W, BPF_REG_10, REG_A, mem_off(i->k)));
}

static void tr_stx(struct cbpf_ctx *c, const struct sock_filter *i)
{
	emit(c, rete_stx(BPF_W, BPF_REG_10, REG_X, mem_off(i->k)));
}

static void tr_alu(struct cbpf_ctx *c, const struct sock_filter *i)
{
	uint8_t op = BPF_OP(i->code);
	bool shift = op == BPF_LSH || op == BPF_RSH;

	if (op == BPF_NEG) {
		emit(c, rete_alu_imm(BPF_ALU, BPF_NEG, REG_A, 0));
	} else if (BPF_SRC(i->code) == BPF_K) {
		emit(c, rete_alu_imm(BPF_ALU, op, REG_A, (int32_t)i->k));
	} else if (op == BPF_DIV || op == BPF_MOD) {
		emit_jmp(c, rete_jmp_imm(BPF_JMP, BPF_JEQ, REG_X, 0, 0), target_fail(c));
		emit(c, rete_alu_reg(BPF_ALU, op, REG_A, REG_X));
	} else if (shift) {
		/* libpcap: a shift by X >= 32 gives 0 (eBPF would mask the count) */
		emit(c, rete_jmp_imm(BPF_JMP, BPF_JGE, REG_X, 32, 2));
		emit(c, rete_alu_reg(BPF_ALU, op, REG_A, REG_X));
		emit(c, rete_ja(1));
		emit(c, rete_mov32_imm(REG_A, 0));
	} else {
		emit(c, rete_alu_reg(BPF_ALU, op, REG_A, REG_X));
	}
}

/* Conditional jump with the opposite outcome, 0 when there is none (JSET). */
static uint8_t jmp_inverse(uint8_t op)
{
	switch (op) {
	case BPF_JEQ:
		return BPF_JNE;
	case BPF_JGT:
		return BPF_JLE;
	case BPF_JGE:
		return BPF_JLT;
	default:
		return 0;
	}
}

static struct bpf_insn cond_insn(const struct sock_filter *i, uint8_t op)
{
	/* JMP32: cBPF compares 32-bit unsigned values, k included */
	if (BPF_SRC(i->code) == BPF_X)
		return rete_jmp_reg(BPF_JMP32, op, REG_A, REG_X, 0);
	return rete_jmp_imm(BPF_JMP32, op, REG_A, (int32_t)i->k, 0);
}

static void tr_jmp(struct cbpf_ctx *c, const struct sock_filter *i)
{
	size_t pc = (size_t)(i - c->f);
	uint8_t op = BPF_OP(i->code);

	if (op == BPF_JA) {
		int64_t t = ja_target(pc, i->k);

		if (t > (int64_t)pc)
			emit_jmp(c, rete_ja(0), target_pc(c, c->copy, (size_t)t));
		else if (c->copy + 1 < c->copies)
			emit_jmp(c, rete_ja(0), target_pc(c, c->copy + 1, (size_t)t));
		else
			emit_jmp(c, rete_ja(0), target_fail(c));
		return;
	}
	if (i->jt == i->jf) {
		if (i->jt)
			emit_jmp(c, rete_ja(0), target_pc(c, c->copy, pc + 1 + i->jt));
	} else if (!i->jf) {
		emit_jmp(c, cond_insn(i, op), target_pc(c, c->copy, pc + 1 + i->jt));
	} else if (!i->jt && jmp_inverse(op)) {
		emit_jmp(c, cond_insn(i, jmp_inverse(op)), target_pc(c, c->copy, pc + 1 + i->jf));
	} else if (!i->jt) {
		struct bpf_insn skip = cond_insn(i, op);

		skip.off = 1; /* over the jump to the false target */
		emit(c, skip);
		emit_jmp(c, rete_ja(0), target_pc(c, c->copy, pc + 1 + i->jf));
	} else {
		emit_jmp(c, cond_insn(i, op), target_pc(c, c->copy, pc + 1 + i->jt));
		emit_jmp(c, rete_ja(0), target_pc(c, c->copy, pc + 1 + i->jf));
	}
}

static void tr_ret(struct cbpf_ctx *c, const struct sock_filter *i)
{
	if (BPF_RVAL(i->code) == BPF_A)
		emit(c, rete_mov32_reg(BPF_REG_0, REG_A));
	else
		emit(c, rete_mov32_imm(BPF_REG_0, (int32_t)i->k));
	emit(c, rete_exit());
}

static void tr_misc(struct cbpf_ctx *c, const struct sock_filter *i)
{
	if (BPF_MISCOP(i->code) == BPF_TAX)
		emit(c, rete_mov32_reg(REG_X, REG_A));
	else
		emit(c, rete_mov32_reg(REG_A, REG_X));
}

/* Indexed by BPF_CLASS(). */
static void (*const tr_class[8])(struct cbpf_ctx *c, const struct sock_filter *i) = {
	[BPF_LD] = tr_ld,   [BPF_LDX] = tr_ldx, [BPF_ST] = tr_st,   [BPF_STX] = tr_stx,
	[BPF_ALU] = tr_alu, [BPF_JMP] = tr_jmp, [BPF_RET] = tr_ret, [BPF_MISC] = tr_misc,
};

/* One pass over the reachable code; counting when c->prog is NULL. */
static int run_pass(struct cbpf_ctx *c)
{
	bool counting = !c->prog;

	c->pos = 0;
	c->err = 0;
	emit_prologue(c);
	for (c->copy = 0; c->copy < c->copies; c->copy++) {
		for (size_t pc = c->lo[c->copy]; pc < c->n; pc++) {
			size_t *start = &c->start[c->copy * c->n + pc];

			if (!c->reach[c->copy * c->n + pc])
				continue;
			if (counting)
				*start = c->pos;
			else if (*start != c->pos && !c->err)
				return -EINVAL; /* the passes disagree: a bug here */
			tr_class[BPF_CLASS(c->f[pc].code)](c, &c->f[pc]);
		}
	}
	if (c->fail_used) {
		if (counting)
			c->fail = c->pos;
		emit(c, rete_mov64_imm(BPF_REG_0, 0));
		emit(c, rete_exit());
	}
	return c->err;
}

static void ctx_free(struct cbpf_ctx *c)
{
	free(c->reach);
	free(c->start);
}

/* Validate, plan and run the counting pass. */
static int ctx_init(struct cbpf_ctx *c, const struct sock_filter *f, size_t n)
{
	size_t cells;
	int err;

	memset(c, 0, sizeof(*c));
	c->f = f;
	c->n = n;
	err = validate(f, n);
	if (err)
		return err;
	plan_copies(c);
	if (n > SIZE_MAX / (RETE_CBPF_MAX_BACK_JUMPS + 1) / sizeof(size_t))
		return -ENOMEM;
	cells = (size_t)c->copies * n;
	c->reach = calloc(cells, sizeof(*c->reach));
	c->start = calloc(cells, sizeof(*c->start));
	if (!c->reach || !c->start) {
		ctx_free(c);
		return -ENOMEM;
	}
	plan_reach(c);
	c->uses_prefix = c->prefix_loads >= 2;
	err = run_pass(c);
	if (err)
		ctx_free(c);
	return err;
}

int rete_cbpf_count(const struct sock_filter *insns, size_t n, size_t *ret_count)
{
	struct cbpf_ctx c;
	int err = ctx_init(&c, insns, n);

	if (err)
		return err;
	*ret_count = c.pos;
	ctx_free(&c);
	return 0;
}

int rete_cbpf_translate(const struct sock_filter *insns, size_t n, struct rete_filter_prog *ret)
{
	struct rete_filter_prog prog = { 0 };
	struct cbpf_ctx c;
	int err = ctx_init(&c, insns, n);

	if (err)
		return err;
	if (c.pos > RETE_FILTER_MAX_INSNS) {
		err = -E2BIG;
		goto out_free_ctx;
	}
	c.prog = &prog;
	err = run_pass(&c);
	if (err) {
		rete_filter_prog_free(&prog);
		goto out_free_ctx;
	}
	*ret = prog;
out_free_ctx:
	ctx_free(&c);
	return err;
}

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen,
							   const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int rete_cbpf_translate_pcap(const struct rete_pcap_filter *f, enum rete_pcap_variant v,
			     struct rete_filter_prog *ret, char *err, size_t errlen)
{
	const char *name = rete_pcap_variant_name(v);
	size_t count;
	int e;

	if ((unsigned int)v >= RETE_PCAP_VARIANT_MAX || !f->has[v]) {
		set_err(err, errlen, "the packet filter '%s' has no %s form%s%s", f->expr, name,
			v == RETE_PCAP_L3 && f->l3_skip_reason[0] ? ": " : "",
			v == RETE_PCAP_L3 ? f->l3_skip_reason : "");
		return -ENOENT;
	}
	e = rete_cbpf_translate(f->prog[v].insns, f->prog[v].n, ret);
	switch (e) {
	case 0:
		break;
	case -E2BIG:
		if (rete_cbpf_count(f->prog[v].insns, f->prog[v].n, &count))
			count = 0;
		set_err(err, errlen,
			"the packet filter '%s' needs %zu instructions for %s, more than the %d "
			"rete allows",
			f->expr, count, name, RETE_FILTER_MAX_INSNS);
		break;
	case -EINVAL:
		set_err(err, errlen,
			"the packet filter '%s' compiles (%s) to a classic BPF instruction rete "
			"cannot translate",
			f->expr, name);
		break;
	default:
		set_err(err, errlen, "out of memory translating the packet filter '%s'", f->expr);
		break;
	}
	return e;
}
