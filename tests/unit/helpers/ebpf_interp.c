/*
 * Userspace eBPF interpreter for unit tests (see ebpf_interp.h). The
 * semantics follow the kernel's interpreter (kernel/bpf/core.c): 32-bit ALU
 * results are zero-extended, division by zero yields 0, modulo by zero leaves
 * the dividend, register shift counts are masked.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/ebpf_interp.h"

#define INTERP_STACK 512
#define INTERP_MAX_STEPS 1000000
#define INTERP_NREGS 11
#define INTERP_HELPER_PROBE_READ_KERNEL 113
/* Address R10 points to; a stack pointer is this plus a negative offset. */
#define INTERP_FP 0xffffc90000100000ULL

enum interp_kind {
	INTERP_UNINIT,
	INTERP_SCALAR,
	INTERP_STACK_PTR,
};

struct interp_reg {
	enum interp_kind kind;
	uint64_t val;
};

struct interp {
	struct interp_reg r[INTERP_NREGS];
	uint8_t stack[INTERP_STACK];
	bool stack_init[INTERP_STACK];
	const struct rete_interp_mem *mem;
	size_t nmem;
};

static bool reg_ok(uint8_t r)
{
	return r < INTERP_NREGS;
}

/* Read a register as a scalar; false when uninitialised or a pointer. */
static bool get_scalar(const struct interp *in, uint8_t r, uint64_t *v)
{
	if (!reg_ok(r) || in->r[r].kind != INTERP_SCALAR)
		return false;
	*v = in->r[r].val;
	return true;
}

static bool set_scalar(struct interp *in, uint8_t r, uint64_t v)
{
	if (!reg_ok(r) || r == BPF_REG_10)
		return false;
	in->r[r].kind = INTERP_SCALAR;
	in->r[r].val = v;
	return true;
}

/* Stack index of [ptr + off, ptr + off + size) or -1 when outside the stack. */
static int stack_index(const struct interp *in, uint8_t r, int16_t off, uint64_t size)
{
	uint64_t addr, lo = INTERP_FP - INTERP_STACK;

	if (!reg_ok(r) || in->r[r].kind != INTERP_STACK_PTR)
		return -1;
	addr = in->r[r].val + (uint64_t)(int64_t)off;
	if (addr < lo || addr > INTERP_FP || size > INTERP_FP - addr)
		return -1;
	return (int)(addr - lo);
}

static uint64_t size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return 1;
	case BPF_H:
		return 2;
	case BPF_W:
		return 4;
	default:
		return 8;
	}
}

static int do_load(struct interp *in, const struct bpf_insn *i)
{
	uint64_t sz = size_bytes(i->code), v = 0;
	int idx;

	if (BPF_MODE(i->code) != BPF_MEM)
		return -EINVAL;
	idx = stack_index(in, i->src_reg, i->off, sz);
	if (idx < 0)
		return -EINVAL;
	for (uint64_t b = 0; b < sz; b++)
		if (!in->stack_init[idx + b])
			return -EINVAL;
	memcpy(&v, &in->stack[idx], sz); /* little-endian host, as the kernel */
	return set_scalar(in, i->dst_reg, v) ? 0 : -EINVAL;
}

static int do_store(struct interp *in, const struct bpf_insn *i)
{
	uint64_t sz = size_bytes(i->code), v;
	int idx;

	if (BPF_MODE(i->code) != BPF_MEM)
		return -EINVAL;
	if (BPF_CLASS(i->code) == BPF_STX) {
		if (!get_scalar(in, i->src_reg, &v))
			return -EINVAL; /* uninitialised, or a pointer spill (unsupported) */
	} else {
		v = (uint64_t)(int64_t)i->imm;
	}
	idx = stack_index(in, i->dst_reg, i->off, sz);
	if (idx < 0)
		return -EINVAL;
	memcpy(&in->stack[idx], &v, sz);
	memset(&in->stack_init[idx], 1, sz);
	return 0;
}

static uint64_t bswap(uint64_t v, int32_t bits)
{
	switch (bits) {
	case 16:
		return __builtin_bswap16((uint16_t)v);
	case 32:
		return __builtin_bswap32((uint32_t)v);
	default:
		return __builtin_bswap64(v);
	}
}

static int do_end(struct interp *in, const struct bpf_insn *i)
{
	uint64_t v;

	if (i->imm != 16 && i->imm != 32 && i->imm != 64)
		return -EINVAL;
	if (!get_scalar(in, i->dst_reg, &v))
		return -EINVAL;
	/* BPF_ALU64 | BPF_END is the unconditional bswap; this host is little endian. */
	if (BPF_CLASS(i->code) == BPF_ALU64 || BPF_SRC(i->code) == BPF_TO_BE)
		v = bswap(v, i->imm);
	if (i->imm < 64)
		v &= (1ULL << i->imm) - 1;
	return set_scalar(in, i->dst_reg, v) ? 0 : -EINVAL;
}

/* Stack pointer +/- constant, and register copies of pointers. */
static int do_ptr_alu(struct interp *in, const struct bpf_insn *i, bool is64)
{
	uint8_t op = BPF_OP(i->code);
	struct interp_reg *d = &in->r[i->dst_reg];

	if (op == BPF_MOV && BPF_SRC(i->code) == BPF_X && is64 && !i->off &&
	    in->r[i->src_reg].kind == INTERP_STACK_PTR) {
		*d = in->r[i->src_reg];
		return 0;
	}
	if (d->kind == INTERP_STACK_PTR && is64 && BPF_SRC(i->code) == BPF_K &&
	    (op == BPF_ADD || op == BPF_SUB)) {
		d->val += op == BPF_ADD ? (uint64_t)(int64_t)i->imm : -(uint64_t)(int64_t)i->imm;
		return 0;
	}
	return -EINVAL;
}

static int64_t sext(uint64_t v, int bits)
{
	if (bits == 64)
		return (int64_t)v;
	v &= (1ULL << bits) - 1;
	return (int64_t)(v ^ (1ULL << (bits - 1))) - (int64_t)(1ULL << (bits - 1));
}

static uint64_t div_op(uint64_t a, uint64_t b, bool is64, bool sdiv, bool mod)
{
	int bits = is64 ? 64 : 32;

	if (!b)
		return mod ? a : 0;
	if (!sdiv)
		return mod ? a % b : a / b;
	int64_t sa = sext(a, bits), sb = sext(b, bits);

	if (sb == -1) /* avoids INT64_MIN / -1 overflow; the kernel defines it the same way */
		return mod ? 0 : (uint64_t)0 - (uint64_t)sa;
	return mod ? (uint64_t)(sa % sb) : (uint64_t)(sa / sb);
}

static int do_alu(struct interp *in, const struct bpf_insn *i)
{
	bool is64 = BPF_CLASS(i->code) == BPF_ALU64;
	uint8_t op = BPF_OP(i->code);
	uint64_t a = 0, b, r;
	unsigned int width = is64 ? 64 : 32;

	if (!reg_ok(i->dst_reg) || i->dst_reg == BPF_REG_10)
		return -EINVAL;
	if (op == BPF_END)
		return do_end(in, i);
	if ((BPF_SRC(i->code) == BPF_X && in->r[i->src_reg].kind == INTERP_STACK_PTR) ||
	    (op != BPF_MOV && in->r[i->dst_reg].kind == INTERP_STACK_PTR))
		return do_ptr_alu(in, i, is64);
	if (BPF_SRC(i->code) == BPF_X) {
		if (!get_scalar(in, i->src_reg, &b))
			return -EINVAL;
	} else {
		b = (uint64_t)(int64_t)i->imm;
	}
	if (op != BPF_MOV && !get_scalar(in, i->dst_reg, &a))
		return -EINVAL;
	if (!is64) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && BPF_SRC(i->code) == BPF_K &&
	    (uint64_t)(int64_t)i->imm >= width)
		return -EINVAL;
	/* off selects signed DIV/MOD (1) or MOVSX (checked below); 0 elsewhere */
	if ((op == BPF_DIV || op == BPF_MOD) && i->off != 0 && i->off != 1)
		return -EINVAL;
	if (op != BPF_DIV && op != BPF_MOD && op != BPF_MOV && i->off)
		return -EINVAL;
	switch (op) {
	case BPF_ADD:
		r = a + b;
		break;
	case BPF_SUB:
		r = a - b;
		break;
	case BPF_MUL:
		r = a * b;
		break;
	case BPF_DIV:
	case BPF_MOD:
		r = div_op(a, b, is64, i->off == 1, op == BPF_MOD);
		break;
	case BPF_OR:
		r = a | b;
		break;
	case BPF_AND:
		r = a & b;
		break;
	case BPF_XOR:
		r = a ^ b;
		break;
	case BPF_LSH:
		r = a << (b & (width - 1));
		break;
	case BPF_RSH:
		r = a >> (b & (width - 1));
		break;
	case BPF_ARSH:
		r = (uint64_t)(sext(a, width) >> (b & (width - 1)));
		break;
	case BPF_NEG:
		if (BPF_SRC(i->code) != BPF_K)
			return -EINVAL;
		r = -a;
		break;
	case BPF_MOV:
		/* off 8/16/32 is MOVSX (sign-extending move). */
		if (i->off && i->off != 8 && i->off != 16 && !(i->off == 32 && is64))
			return -EINVAL;
		if (i->off && BPF_SRC(i->code) != BPF_X)
			return -EINVAL;
		r = i->off ? (uint64_t)sext(b, i->off) : b;
		break;
	default:
		return -EINVAL;
	}
	if (!is64)
		r = (uint32_t)r;
	return set_scalar(in, i->dst_reg, r) ? 0 : -EINVAL;
}

/* 1 taken, 0 not taken, -EINVAL invalid. */
static int do_cond(const struct interp *in, const struct bpf_insn *i)
{
	bool is64 = BPF_CLASS(i->code) == BPF_JMP;
	int width = is64 ? 64 : 32;
	uint64_t a, b;
	int64_t sa, sb;

	if (!get_scalar(in, i->dst_reg, &a))
		return -EINVAL;
	if (BPF_SRC(i->code) == BPF_X) {
		if (!get_scalar(in, i->src_reg, &b))
			return -EINVAL;
	} else {
		b = (uint64_t)(int64_t)i->imm;
	}
	if (!is64) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	sa = sext(a, width);
	sb = sext(b, width);
	switch (BPF_OP(i->code)) {
	case BPF_JEQ:
		return a == b;
	case BPF_JNE:
		return a != b;
	case BPF_JGT:
		return a > b;
	case BPF_JGE:
		return a >= b;
	case BPF_JLT:
		return a < b;
	case BPF_JLE:
		return a <= b;
	case BPF_JSET:
		return (a & b) != 0;
	case BPF_JSGT:
		return sa > sb;
	case BPF_JSGE:
		return sa >= sb;
	case BPF_JSLT:
		return sa < sb;
	case BPF_JSLE:
		return sa <= sb;
	default:
		return -EINVAL;
	}
}

static int do_probe_read(struct interp *in)
{
	uint64_t size, src;
	int idx;

	if (!get_scalar(in, BPF_REG_2, &size) || !get_scalar(in, BPF_REG_3, &src))
		return -EINVAL;
	if (size > INTERP_STACK)
		return -EINVAL;
	idx = stack_index(in, BPF_REG_1, 0, size);
	if (idx < 0)
		return -EINVAL;
	in->r[BPF_REG_0].kind = INTERP_SCALAR;
	in->r[BPF_REG_0].val = (uint64_t)-EFAULT;
	for (size_t m = 0; m < in->nmem; m++) {
		const struct rete_interp_mem *r = &in->mem[m];

		if (src >= r->addr && src - r->addr <= r->len && size <= r->len - (src - r->addr)) {
			if (size)
				memcpy(&in->stack[idx], (const uint8_t *)r->data + (src - r->addr),
				       size);
			in->r[BPF_REG_0].val = 0;
			break;
		}
	}
	if (in->r[BPF_REG_0].val)
		memset(&in->stack[idx], 0, size);
	memset(&in->stack_init[idx], 1, size);
	return 0;
}

static int do_call(struct interp *in, const struct bpf_insn *i)
{
	int err;

	if (i->src_reg || i->imm != INTERP_HELPER_PROBE_READ_KERNEL)
		return -EINVAL;
	err = do_probe_read(in);
	if (err)
		return err;
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		in->r[r].kind = INTERP_UNINIT;
	return 0;
}

/* Next pc for a jump-class insn, *done on exit, or -EINVAL. */
static int do_jmp(struct interp *in, const struct bpf_insn *i, size_t pc, size_t *next,
		  bool *done)
{
	uint8_t op = BPF_OP(i->code);
	int taken;

	if (BPF_CLASS(i->code) == BPF_JMP) {
		if (op == BPF_EXIT) {
			if (in->r[BPF_REG_0].kind != INTERP_SCALAR)
				return -EINVAL;
			*done = true;
			return 0;
		}
		if (op == BPF_CALL) {
			*next = pc + 1;
			return do_call(in, i);
		}
		if (op == BPF_JA) {
			taken = 1;
			goto jump;
		}
	} else if (op == BPF_JA || op == BPF_EXIT || op == BPF_CALL) {
		return -EINVAL;
	}
	taken = do_cond(in, i);
	if (taken < 0)
		return taken;
jump:
	*next = pc + 1 + (taken ? (int64_t)i->off : 0);
	return 0;
}

static int validate(const struct bpf_insn *insns, size_t n)
{
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &insns[pc];
		uint8_t cls = BPF_CLASS(i->code);

		if (!reg_ok(i->dst_reg) || !reg_ok(i->src_reg))
			return -EINVAL;
		if (i->code == (BPF_LD | BPF_DW | BPF_IMM)) {
			if (pc + 1 >= n || insns[pc + 1].code || i->src_reg)
				return -EINVAL;
			pc++;
			continue;
		}
		if (cls == BPF_LD)
			return -EINVAL; /* legacy packet access needs an skb context */
		if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(i->code) != BPF_EXIT &&
		    BPF_OP(i->code) != BPF_CALL) {
			int64_t t = (int64_t)pc + 1 + i->off;

			if (t < 0 || t >= (int64_t)n)
				return -EINVAL;
			/* never into the second half of a ld_imm64 */
			if (t > 0 && insns[t - 1].code == (BPF_LD | BPF_DW | BPF_IMM))
				return -EINVAL;
		}
	}
	return 0;
}

/* i[0] and i[1] of an ld_imm64 */
static int do_ld_imm64(struct interp *in, const struct bpf_insn *i)
{
	uint64_t v = (uint32_t)i[0].imm | (uint64_t)(uint32_t)i[1].imm << 32;

	return set_scalar(in, i->dst_reg, v) ? 0 : -EINVAL;
}

static void init_state(struct interp *in, const uint64_t args[5])
{
	for (int r = 0; r < INTERP_NREGS; r++)
		in->r[r].kind = INTERP_UNINIT;
	for (int r = 0; r < 5; r++) {
		in->r[BPF_REG_1 + r].kind = INTERP_SCALAR;
		in->r[BPF_REG_1 + r].val = args[r];
	}
	in->r[BPF_REG_10].kind = INTERP_STACK_PTR;
	in->r[BPF_REG_10].val = INTERP_FP;
}

int rete_interp_run(const struct bpf_insn *insns, size_t n, const uint64_t args[5],
		    const struct rete_interp_mem *mem, size_t nmem, uint64_t *ret_r0)
{
	struct interp in = { .mem = mem, .nmem = nmem };
	size_t pc = 0;
	int err = validate(insns, n);

	if (err)
		return err;
	init_state(&in, args);
	for (long steps = 0; steps < INTERP_MAX_STEPS; steps++) {
		const struct bpf_insn *i;
		size_t next = pc + 1;
		bool done = false;

		if (pc >= n)
			return -EINVAL; /* fell off the end */
		i = &insns[pc];
		switch (BPF_CLASS(i->code)) {
		case BPF_ALU:
		case BPF_ALU64:
			err = do_alu(&in, i);
			break;
		case BPF_LD: /* only ld_imm64 passes validate() */
			next = pc + 2;
			err = do_ld_imm64(&in, i);
			break;
		case BPF_LDX:
			err = do_load(&in, i);
			break;
		case BPF_ST:
		case BPF_STX:
			err = do_store(&in, i);
			break;
		default:
			err = do_jmp(&in, i, pc, &next, &done);
			break;
		}
		if (err)
			return err;
		if (done) {
			*ret_r0 = in.r[BPF_REG_0].val;
			return 0;
		}
		pc = next;
	}
	return -EINVAL;
}

/* ---- static all-paths check ---- */

/* Abstract state: which registers/stack bytes are initialised, stack pointer offsets. */
struct check_state {
	bool reached;
	enum interp_kind kind[INTERP_NREGS];
	int64_t off[INTERP_NREGS]; /* stack pointers: offset from R10; INT64_MIN unknown */
	bool known[INTERP_NREGS];  /* scalars holding a known constant (helper sizes) */
	uint64_t cval[INTERP_NREGS];
	bool stack_init[INTERP_STACK];
};

static void check_merge(struct check_state *dst, const struct check_state *src)
{
	if (!dst->reached) {
		*dst = *src;
		return;
	}
	for (int r = 0; r < INTERP_NREGS; r++) {
		if (dst->known[r] && (!src->known[r] || dst->cval[r] != src->cval[r]))
			dst->known[r] = false;
		if (dst->kind[r] != src->kind[r])
			dst->kind[r] = INTERP_UNINIT;
		else if (dst->kind[r] == INTERP_STACK_PTR && dst->off[r] != src->off[r])
			dst->off[r] = INT64_MIN;
	}
	for (int b = 0; b < INTERP_STACK; b++)
		dst->stack_init[b] = dst->stack_init[b] && src->stack_init[b];
}

static int check_fail(char *msg, size_t msglen, size_t pc, const char *what)
{
	if (msg && msglen)
		snprintf(msg, msglen, "insn %zu: %s", pc, what);
	return -EINVAL;
}

static bool check_stack(const struct check_state *s, uint8_t r, int16_t off, int64_t size,
			int *idx)
{
	int64_t o;

	if (s->kind[r] != INTERP_STACK_PTR || s->off[r] == INT64_MIN)
		return false;
	o = s->off[r] + off;
	if (o < -INTERP_STACK || o + size > 0)
		return false;
	*idx = (int)(o + INTERP_STACK);
	return true;
}

/* Apply one non-jump insn to the abstract state; NULL on success, else a reason. */
static const char *check_step(struct check_state *s, const struct bpf_insn *i)
{
	uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);
	int64_t sz = (int64_t)size_bytes(i->code);
	int idx;

	if (cls != BPF_ST && cls != BPF_STX)
		s->known[i->dst_reg] = false;
	if (i->dst_reg == BPF_REG_10 && (cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX ||
					 cls == BPF_LD))
		return "write to R10";
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_SRC(i->code) == BPF_X && op != BPF_END &&
		    s->kind[i->src_reg] == INTERP_UNINIT)
			return "read of an uninitialised source register";
		if (op != BPF_MOV && s->kind[i->dst_reg] == INTERP_UNINIT)
			return "read of an uninitialised destination register";
		if (op == BPF_MOV && BPF_SRC(i->code) == BPF_X && cls == BPF_ALU64 &&
		    s->kind[i->src_reg] == INTERP_STACK_PTR) {
			s->kind[i->dst_reg] = INTERP_STACK_PTR;
			s->off[i->dst_reg] = s->off[i->src_reg];
		} else if (s->kind[i->dst_reg] == INTERP_STACK_PTR && op != BPF_MOV) {
			if (cls != BPF_ALU64 || BPF_SRC(i->code) != BPF_K ||
			    (op != BPF_ADD && op != BPF_SUB))
				return "unsupported pointer arithmetic";
			if (s->off[i->dst_reg] != INT64_MIN)
				s->off[i->dst_reg] += op == BPF_ADD ? i->imm : -(int64_t)i->imm;
		} else {
			s->kind[i->dst_reg] = INTERP_SCALAR;
			if (op == BPF_MOV && BPF_SRC(i->code) == BPF_K && !i->off) {
				s->known[i->dst_reg] = true;
				s->cval[i->dst_reg] = cls == BPF_ALU64 ? (uint64_t)(int64_t)i->imm :
									 (uint32_t)i->imm;
			}
		}
		return NULL;
	case BPF_LD:
		s->kind[i->dst_reg] = INTERP_SCALAR;
		return NULL;
	case BPF_LDX:
		if (!check_stack(s, i->src_reg, i->off, sz, &idx))
			return "load outside the stack";
		for (int b = 0; b < sz; b++)
			if (!s->stack_init[idx + b])
				return "read of uninitialised stack";
		s->kind[i->dst_reg] = INTERP_SCALAR;
		return NULL;
	case BPF_ST:
	case BPF_STX:
		if (cls == BPF_STX && s->kind[i->src_reg] != INTERP_SCALAR)
			return "store of an uninitialised register or pointer";
		if (!check_stack(s, i->dst_reg, i->off, sz, &idx))
			return "store outside the stack";
		memset(&s->stack_init[idx], 1, (size_t)sz);
		return NULL;
	}
	return "unexpected instruction class";
}

/* Jumps and calls: NULL on success, else a reason. */
static const char *check_jmp(struct check_state *s, const struct bpf_insn *i)
{
	uint8_t op = BPF_OP(i->code);
	int idx;

	if (op == BPF_EXIT)
		return s->kind[BPF_REG_0] == INTERP_SCALAR ? NULL : "exit with R0 uninitialised";
	if (op == BPF_CALL) {
		if (i->imm != INTERP_HELPER_PROBE_READ_KERNEL)
			return "call of an unsupported helper";
		if (s->kind[BPF_REG_3] != INTERP_SCALAR)
			return "helper source address uninitialised";
		if (s->kind[BPF_REG_2] != INTERP_SCALAR || !s->known[BPF_REG_2] ||
		    s->cval[BPF_REG_2] > INTERP_STACK)
			return "helper size not a known constant";
		if (!check_stack(s, BPF_REG_1, 0, (int64_t)s->cval[BPF_REG_2], &idx))
			return "helper destination range not on the stack";
		memset(&s->stack_init[idx], 1, s->cval[BPF_REG_2]);
		for (int r = BPF_REG_1; r <= BPF_REG_5; r++) {
			s->kind[r] = INTERP_UNINIT;
			s->known[r] = false;
		}
		s->kind[BPF_REG_0] = INTERP_SCALAR;
		s->known[BPF_REG_0] = false;
		return NULL;
	}
	if (op == BPF_JA)
		return NULL;
	if (s->kind[i->dst_reg] != INTERP_SCALAR)
		return "comparison of an uninitialised register or pointer";
	if (BPF_SRC(i->code) == BPF_X && s->kind[i->src_reg] != INTERP_SCALAR)
		return "comparison with an uninitialised register or pointer";
	return NULL;
}

int rete_interp_check(const struct bpf_insn *insns, size_t n, char *msg, size_t msglen)
{
	struct check_state *st;
	const char *why;
	int err = validate(insns, n);

	if (err)
		return check_fail(msg, msglen, 0, "malformed program (opcode, register or jump)");
	st = calloc(n + 1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st[0].reached = true;
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		st[0].kind[r] = INTERP_SCALAR;
	st[0].kind[BPF_REG_10] = INTERP_STACK_PTR;
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &insns[pc];
		struct check_state s = st[pc];
		uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);
		size_t next = pc + 1;

		if (!s.reached)
			continue;
		if (cls == BPF_JMP || cls == BPF_JMP32) {
			why = check_jmp(&s, i);
			if (why) {
				err = check_fail(msg, msglen, pc, why);
				goto out;
			}
			if (op == BPF_EXIT)
				continue;
			if (op != BPF_CALL) {
				if (i->off < 0) {
					err = check_fail(msg, msglen, pc, "backward jump");
					goto out;
				}
				check_merge(&st[pc + 1 + i->off], &s);
				if (op == BPF_JA && cls == BPF_JMP)
					continue;
			}
		} else {
			why = check_step(&s, i);
			if (why) {
				err = check_fail(msg, msglen, pc, why);
				goto out;
			}
			if (i->code == (BPF_LD | BPF_DW | BPF_IMM))
				next = pc + 2;
		}
		check_merge(&st[next], &s);
	}
	if (st[n].reached)
		err = check_fail(msg, msglen, n, "execution falls off the end");
out:
	free(st);
	return err;
}
