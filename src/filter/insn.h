/*
 * eBPF instruction constructors (plain functions returning struct bpf_insn;
 * no control flow hidden in macros).
 */
#ifndef RETE_FILTER_INSN_H
#define RETE_FILTER_INSN_H

#include <stdint.h>
#include <linux/bpf.h>

static inline struct bpf_insn rete_insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
					int32_t imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };

	return i;
}

/* dst = imm (64-bit ALU) */
static inline struct bpf_insn rete_mov64_imm(uint8_t dst, int32_t imm)
{
	return rete_insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

static inline struct bpf_insn rete_mov64_reg(uint8_t dst, uint8_t src)
{
	return rete_insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static inline struct bpf_insn rete_mov32_imm(uint8_t dst, int32_t imm)
{
	return rete_insn(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

static inline struct bpf_insn rete_mov32_reg(uint8_t dst, uint8_t src)
{
	return rete_insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}

/* op is BPF_ADD, BPF_SUB, ... ; class BPF_ALU (32-bit) or BPF_ALU64 */
static inline struct bpf_insn rete_alu_imm(uint8_t cls, uint8_t op, uint8_t dst, int32_t imm)
{
	return rete_insn(cls | op | BPF_K, dst, 0, 0, imm);
}

static inline struct bpf_insn rete_alu_reg(uint8_t cls, uint8_t op, uint8_t dst, uint8_t src)
{
	return rete_insn(cls | op | BPF_X, dst, src, 0, 0);
}

/* Byte swap to big endian (network order) of the low `bits` (16, 32, 64). */
static inline struct bpf_insn rete_be(uint8_t dst, int32_t bits)
{
	return rete_insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, bits);
}

/* *(size *)(src + off) -> dst ; size BPF_B/H/W/DW */
static inline struct bpf_insn rete_ldx(uint8_t size, uint8_t dst, uint8_t src, int16_t off)
{
	return rete_insn(BPF_LDX | BPF_MEM | size, dst, src, off, 0);
}

static inline struct bpf_insn rete_stx(uint8_t size, uint8_t dst, uint8_t src, int16_t off)
{
	return rete_insn(BPF_STX | BPF_MEM | size, dst, src, off, 0);
}

static inline struct bpf_insn rete_st_imm(uint8_t size, uint8_t dst, int16_t off, int32_t imm)
{
	return rete_insn(BPF_ST | BPF_MEM | size, dst, 0, off, imm);
}

/* Conditional jump, op BPF_JEQ/JGT/JGE/JSET/JNE/...; class BPF_JMP or BPF_JMP32. */
static inline struct bpf_insn rete_jmp_imm(uint8_t cls, uint8_t op, uint8_t dst, int32_t imm,
					   int16_t off)
{
	return rete_insn(cls | op | BPF_K, dst, 0, off, imm);
}

static inline struct bpf_insn rete_jmp_reg(uint8_t cls, uint8_t op, uint8_t dst, uint8_t src,
					   int16_t off)
{
	return rete_insn(cls | op | BPF_X, dst, src, off, 0);
}

static inline struct bpf_insn rete_ja(int16_t off)
{
	return rete_insn(BPF_JMP | BPF_JA, 0, 0, off, 0);
}

static inline struct bpf_insn rete_call_helper(int32_t id)
{
	return rete_insn(BPF_JMP | BPF_CALL, 0, 0, 0, id);
}

static inline struct bpf_insn rete_exit(void)
{
	return rete_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* 64-bit immediate load: two instructions. */
static inline struct bpf_insn rete_ld_imm64_lo(uint8_t dst, uint64_t imm)
{
	return rete_insn(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)imm);
}

static inline struct bpf_insn rete_ld_imm64_hi(uint64_t imm)
{
	return rete_insn(0, 0, 0, 0, (int32_t)(uint32_t)(imm >> 32));
}

#endif
