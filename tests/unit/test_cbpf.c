/*
 * pcap-filter -> cBPF (libpcap) -> eBPF (filter/cbpf.c), checked against
 * libpcap's own interpreter: hundreds of expressions over thousands of
 * generated packets, in the L2 and L3 forms, must give the same match / no
 * match. Every generated program also passes the all-paths check of the
 * test interpreter (no uninitialised register or stack read, no back-jump).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/cbpf.h"
#include "filter/filter.h"
#include "filter/insn.h"
#include "filter/pcap_filter.h"
#include "helpers/ebpf_interp.h"
#include "helpers/pcap_exprs.h"
#include "helpers/pcap_ref.h"
#include "helpers/pkt_gen.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- running both interpreters ---- */

/* One packet as seen by one filter form. */
struct view {
	const uint8_t *data;
	uint32_t linear; /* readable bytes (the cBPF buflen) */
	uint32_t wire;	 /* the cBPF len */
	size_t avail;	 /* bytes of data that really exist (>= linear) */
};

#define PKT_ADDR 0xffff888812340000ULL

static uint64_t run_ebpf(const struct rete_filter_prog *prog, const struct view *v, bool fault)
{
	const uint64_t args[5] = { PKT_ADDR, v->linear, v->wire, 0xdead0004, 0xdead0005 };
	/* All of the buffer is readable, so a missing bounds check would show. */
	const struct rete_interp_mem mem = { PKT_ADDR, v->data, v->avail };
	uint64_t r0 = 0;
	int err = rete_interp_run(prog->insns, prog->n, args, &mem, fault ? 0 : 1, &r0);

	assert_int_equal(err, 0);
	return r0;
}

static void make_views(struct rete_test_rng *r, const struct rete_test_pkt *p, struct view *l2,
		       struct view *l3)
{
	uint32_t linear = (uint32_t)p->len, wire = (uint32_t)p->len;

	if (rete_test_rng_pct(r, 20))
		linear = rete_test_rng_below(r, (uint32_t)p->len + 1); /* truncated */
	if (rete_test_rng_pct(r, 10))
		wire += rete_test_rng_below(r, 3000); /* paged data beyond the linear part */
	*l2 = (struct view){ p->buf, linear, wire, RETE_TEST_PKT_BUF };
	*l3 = (struct view){ p->buf + p->l3off, linear > p->l3off ? linear - (uint32_t)p->l3off : 0,
			     wire - (uint32_t)p->l3off, RETE_TEST_PKT_BUF - p->l3off };
}

static void assert_verifiable(const struct rete_filter_prog *prog, const char *what)
{
	char msg[128] = "";

	if (rete_interp_check(prog->insns, prog->n, msg, sizeof(msg))) {
		print_error("%s: not verifiable: %s\n", what, msg);
		fail();
	}
}

/* ---- interpreter self-checks ---- */

static void test_interp_basics(void **state)
{
	static const uint8_t data[] = { 0x12, 0x34, 0x56, 0x78 };
	const struct rete_interp_mem mem = { 0x1000, data, sizeof(data) };
	const uint64_t args[5] = { 0x1001, 2, 0, 0, 0 };
	uint64_t r0 = 0;
	/* r0 = be16(*(u16 *)0x1001) via probe_read, + r2 */
	const struct bpf_insn read[] = {
		rete_mov64_reg(BPF_REG_6, BPF_REG_2),
		rete_mov64_reg(BPF_REG_3, BPF_REG_1),
		rete_mov64_reg(BPF_REG_1, BPF_REG_10),
		rete_alu_imm(BPF_ALU64, BPF_ADD, BPF_REG_1, -8),
		rete_mov64_imm(BPF_REG_2, 2),
		rete_call_helper(BPF_FUNC_probe_read_kernel),
		rete_ldx(BPF_H, BPF_REG_0, BPF_REG_10, -8),
		rete_be(BPF_REG_0, 16),
		rete_alu_reg(BPF_ALU64, BPF_ADD, BPF_REG_0, BPF_REG_6),
		rete_exit(),
	};
	const struct bpf_insn uninit[] = { rete_mov64_reg(BPF_REG_0, BPF_REG_7), rete_exit() };
	const struct bpf_insn stack_out[] = {
		rete_st_imm(BPF_DW, BPF_REG_10, -520, 0),
		rete_mov64_imm(BPF_REG_0, 0),
		rete_exit(),
	};
	const struct bpf_insn stack_uninit[] = {
		rete_ldx(BPF_W, BPF_REG_0, BPF_REG_10, -4),
		rete_exit(),
	};
	const struct bpf_insn clobber[] = {
		rete_mov64_reg(BPF_REG_1, BPF_REG_10),
		rete_alu_imm(BPF_ALU64, BPF_ADD, BPF_REG_1, -8),
		rete_mov64_imm(BPF_REG_2, 4),
		rete_call_helper(BPF_FUNC_probe_read_kernel),
		rete_mov64_reg(BPF_REG_0, BPF_REG_2), /* R2 clobbered by the call */
		rete_exit(),
	};
	const struct bpf_insn loop[] = { rete_mov64_imm(BPF_REG_0, 0), rete_ja(-1) };
	const struct bpf_insn out_of_range[] = { rete_ja(5), rete_exit() };
	const struct bpf_insn alu32[] = {
		rete_mov64_imm(BPF_REG_0, -1),		   /* 0xffff...ff */
		rete_alu_imm(BPF_ALU, BPF_ADD, BPF_REG_0, 2), /* 32-bit: 1, zero-extended */
		rete_mov64_imm(BPF_REG_1, 0),
		rete_alu_reg(BPF_ALU, BPF_DIV, BPF_REG_0, BPF_REG_1), /* div by 0 -> 0 */
		rete_jmp_imm(BPF_JMP32, BPF_JEQ, BPF_REG_0, 0, 1),
		rete_exit(),
		rete_mov64_imm(BPF_REG_0, 77),
		rete_exit(),
	};

	(void)state;
	assert_int_equal(rete_interp_run(read, ARRAY_LEN(read), args, &mem, 1, &r0), 0);
	assert_int_equal(r0, 0x3456 + 2);
	/* [0x1003, 0x1005) is not all readable: zero-filled, -EFAULT */
	const uint64_t args_bad[5] = { 0x1003, 0, 0, 0, 0 };
	assert_int_equal(rete_interp_run(read, ARRAY_LEN(read), args_bad, &mem, 1, &r0), 0);
	assert_int_equal(r0, 0);
	assert_int_equal(rete_interp_run(uninit, 2, args, &mem, 1, &r0), -EINVAL);
	assert_int_equal(rete_interp_run(stack_out, 3, args, &mem, 1, &r0), -EINVAL);
	assert_int_equal(rete_interp_run(stack_uninit, 2, args, &mem, 1, &r0), -EINVAL);
	assert_int_equal(rete_interp_run(clobber, ARRAY_LEN(clobber), args, &mem, 1, &r0),
			 -EINVAL);
	assert_int_equal(rete_interp_run(loop, 2, args, &mem, 1, &r0), -EINVAL);
	assert_int_equal(rete_interp_run(out_of_range, 2, args, &mem, 1, &r0), -EINVAL);
	assert_int_equal(rete_interp_run(alu32, ARRAY_LEN(alu32), args, &mem, 1, &r0), 0);
	assert_int_equal(r0, 77);
	assert_int_equal(rete_interp_check(read, ARRAY_LEN(read), NULL, 0), 0);
	assert_int_equal(rete_interp_check(uninit, 2, NULL, 0), -EINVAL);
	assert_int_equal(rete_interp_check(loop, 2, NULL, 0), -EINVAL);
}

/* An uninitialised register on one path only: run may pass, the check must not. */
static void test_interp_check_paths(void **state)
{
	const struct bpf_insn prog[] = {
		rete_jmp_imm(BPF_JMP, BPF_JEQ, BPF_REG_1, 0, 1),
		rete_mov64_imm(BPF_REG_6, 1),
		rete_mov64_reg(BPF_REG_0, BPF_REG_6),
		rete_exit(),
	};
	const uint64_t args[5] = { 1, 0, 0, 0, 0 };
	uint64_t r0;
	char msg[128];

	(void)state;
	assert_int_equal(rete_interp_run(prog, ARRAY_LEN(prog), args, NULL, 0, &r0), 0);
	assert_int_equal(r0, 1);
	assert_int_equal(rete_interp_check(prog, ARRAY_LEN(prog), msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "uninitialised"));
}

/* ---- compilation, variants and error sentences ---- */

static void expect_compile_error(const char *expr, const char *sentence)
{
	struct rete_pcap_filter f;
	char err[512] = "";

	assert_int_equal(rete_pcap_filter_compile(expr, &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, sentence);
}

static void test_compile_errors(void **state)
{
	(void)state;
	expect_compile_error("tcp prot 80", "invalid packet filter 'tcp prot 80': syntax error at "
			     "column 5: 'prot' is not a pcap-filter word (did you mean 'port'?)");
	expect_compile_error("ip and (", "invalid packet filter 'ip and (': syntax error: 1 '(' "
			     "not closed");
	/* Where and why, for the common mistakes libpcap only calls "syntax error". */
	expect_compile_error("tcp port", "invalid packet filter 'tcp port': syntax error at column "
			     "5: 'port' needs a value after it");
	expect_compile_error("udp and and icmp", "invalid packet filter 'udp and and icmp': syntax "
			     "error at column 9: 'and' has nothing on its left");
	expect_compile_error("or tcp", "invalid packet filter 'or tcp': syntax error at column 1: "
			     "'or' has nothing on its left");
	expect_compile_error("tcp )", "invalid packet filter 'tcp )': syntax error at column 5: "
			     "')' without a matching '('");
	expect_compile_error("icmp and not", "invalid packet filter 'icmp and not': syntax error at "
			     "column 10: 'not' has nothing on its right");
	expect_compile_error("ether hots 1:2:3:4:5:6", "invalid packet filter 'ether hots "
			     "1:2:3:4:5:6': syntax error at column 7: 'hots' is not a pcap-filter "
			     "word (did you mean 'host'?)");
	expect_compile_error("tcp[tcpflags] & tcp-ackk != 0", "invalid packet filter "
			     "'tcp[tcpflags] & tcp-ackk != 0': syntax error at column 17: 'tcp-ackk' "
			     "is not a pcap-filter word (did you mean 'tcp-ack'?)");
	expect_compile_error("port 99999",
			     "invalid packet filter 'port 99999': illegal port number 99999 > "
			     "65535");
	expect_compile_error("ip broadcast", "invalid packet filter 'ip broadcast': netmask not "
					     "known, so 'ip broadcast' not supported");
	expect_compile_error("ip[0] << 40 = 1",
			     "invalid packet filter 'ip[0] << 40 = 1': shift by more than 31 bits");
}

static void expect_variants(const char *expr, bool l3, const char *reason)
{
	struct rete_pcap_filter f;
	struct rete_filter_prog prog = { 0 };
	char err[512] = "";

	assert_int_equal(rete_pcap_filter_compile(expr, &f, err, sizeof(err)), 0);
	assert_true(f.has[RETE_PCAP_L2]);
	assert_int_equal(f.has[RETE_PCAP_L3], l3);
	assert_int_equal(rete_cbpf_translate_pcap(&f, RETE_PCAP_L2, &prog, err, sizeof(err)), 0);
	rete_filter_prog_free(&prog);
	if (!l3) {
		char want[512];

		assert_string_equal(f.l3_skip_reason, reason);
		snprintf(want, sizeof(want), "the packet filter '%s' has no L3 form: %s", expr,
			 reason);
		assert_int_equal(rete_cbpf_translate_pcap(&f, RETE_PCAP_L3, &prog, err,
							  sizeof(err)),
				 -ENOENT);
		assert_string_equal(err, want);
	}
	rete_pcap_filter_free(&f);
}

static void test_variants(void **state)
{
	static const char link_bytes[] = "the expression reads link-layer bytes, which packets "
					 "without an Ethernet header do not have";

	(void)state;
	expect_variants("tcp port 80", true, NULL);
	expect_variants("arp or tcp port 443", true, NULL);
	expect_variants("ether host 00:11:22:33:44:55",
			false, "ethernet addresses supported only on ethernet/FDDI/token "
			       "ring/802.11/ATM LANE/Fibre Channel");
	expect_variants("arp", false, "expression rejects all packets");
	expect_variants("vlan 10", false, "no VLAN support for Raw IP");
	expect_variants("ether broadcast or tcp port 443", false, "not a broadcast link");
	expect_variants("ether[0] & 1 != 0", false, link_bytes);
	expect_variants("tcp and link [12:2] = 0x800", false, link_bytes);
	expect_variants("ip[0]-ether[1] = 3", false, link_bytes);
	expect_variants("ip[0] = 0x45 and udp[8] = 1", true, NULL);
	rete_pcap_filter_free(NULL);
}

static void test_e2big(void **state)
{
	struct rete_pcap_filter f;
	struct rete_filter_prog prog = { 0 };
	struct sock_filter *big;
	char expr[8192], err[8192 + 256], want[512];
	size_t len = 0, count;

	(void)state;
	/* 400 distinct byte loads, about 11 eBPF instructions each */
	for (int i = 0; i < 400; i++)
		len += (size_t)snprintf(expr + len, sizeof(expr) - len, "%sip[%d] = %d",
					i ? " or " : "", i, i % 200);
	assert_int_equal(rete_pcap_filter_compile(expr, &f, err, sizeof(err)), 0);
	assert_int_equal(rete_cbpf_count(f.prog[RETE_PCAP_L2].insns, f.prog[RETE_PCAP_L2].n,
					 &count),
			 0);
	assert_true(count > RETE_FILTER_MAX_INSNS);
	assert_int_equal(rete_cbpf_translate_pcap(&f, RETE_PCAP_L2, &prog, err, sizeof(err)),
			 -E2BIG);
	snprintf(want, sizeof(want),
		 "the packet filter '%.40s' needs %zu instructions for L2, more than the 4096 rete "
		 "allows",
		 expr, count);
	/* compare around the (long) expression */
	assert_memory_equal(err, want, strlen("the packet filter '") + 40);
	assert_non_null(strstr(err, strstr(want, "' needs ")));
	assert_null(prog.insns);
	rete_pcap_filter_free(&f);

	/* the limit itself: prologue (4) + k loads + ret (2) */
	big = calloc(RETE_FILTER_MAX_INSNS + 2, sizeof(*big));
	assert_non_null(big);
	for (size_t k = 0; k < RETE_FILTER_MAX_INSNS - 6; k++)
		big[k] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, (uint32_t)k);
	big[RETE_FILTER_MAX_INSNS - 6] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	assert_int_equal(rete_cbpf_translate(big, RETE_FILTER_MAX_INSNS - 5, &prog), 0);
	assert_int_equal(prog.n, RETE_FILTER_MAX_INSNS);
	rete_filter_prog_free(&prog);
	big[RETE_FILTER_MAX_INSNS - 6] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, 0);
	big[RETE_FILTER_MAX_INSNS - 5] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	assert_int_equal(rete_cbpf_translate(big, RETE_FILTER_MAX_INSNS - 4, &prog), -E2BIG);
	assert_int_equal(rete_cbpf_count(big, RETE_FILTER_MAX_INSNS - 4, &count), 0);
	assert_int_equal(count, RETE_FILTER_MAX_INSNS + 1);
	free(big);
}

static void test_invalid_cbpf(void **state)
{
	const struct sock_filter bad_op[] = { BPF_STMT(0x07 | 0x40, 0), BPF_STMT(BPF_RET, 0) };
	const struct sock_filter no_ret[] = { BPF_STMT(BPF_LD | BPF_IMM, 1) };
	const struct sock_filter far[] = { BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0),
					   BPF_STMT(BPF_RET | BPF_K, 0) };
	const struct sock_filter self[] = { BPF_STMT(BPF_JMP | BPF_JA, (uint32_t)-1),
					    BPF_STMT(BPF_RET | BPF_K, 0) };
	const struct sock_filter mem[] = { BPF_STMT(BPF_ST, 16), BPF_STMT(BPF_RET | BPF_K, 0) };
	const struct sock_filter div0[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
					    BPF_STMT(BPF_RET | BPF_K, 0) };
	const struct sock_filter ret_x[] = { BPF_STMT(BPF_RET | BPF_X, 0) };
	const struct sock_filter shift32[] = { BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32),
					       BPF_STMT(BPF_RET | BPF_K, 0) };
	struct rete_filter_prog prog = { 0 };

	(void)state;
	assert_int_equal(rete_cbpf_translate(bad_op, 2, &prog), -EINVAL);
	assert_int_equal(rete_cbpf_translate(no_ret, 1, &prog), -EINVAL);
	assert_int_equal(rete_cbpf_translate(far, 2, &prog), -EINVAL);
	assert_int_equal(rete_cbpf_translate(self, 2, &prog), -EINVAL);
	assert_int_equal(rete_cbpf_translate(mem, 2, &prog), -EINVAL);
	assert_int_equal(rete_cbpf_translate(div0, 2, &prog), -EINVAL);
	assert_int_equal(rete_cbpf_translate(ret_x, 1, &prog), -EINVAL);
	assert_int_equal(rete_cbpf_translate(shift32, 2, &prog), -EINVAL);
	assert_int_equal(rete_cbpf_translate(NULL, 0, &prog), -EINVAL);
	assert_null(prog.insns);
}

/* ---- the differential run over pcap-filter expressions ---- */

#define MAX_EXPRS 512

static size_t build_exprs(char (*out)[RETE_TEST_EXPR_LEN])
{
	size_t n = rete_test_pcap_exprs(out, MAX_EXPRS);

	assert_true(n <= MAX_EXPRS);
	return n;
}

#define N_PACKETS 2400

struct totals {
	unsigned long cases, matched, unmatched, mismatches;
};

static void dump_mismatch(const char *expr, const char *form, const struct view *v,
			  unsigned int want, uint64_t got)
{
	print_error("MISMATCH '%s' %s: libpcap %u, eBPF %llu, linear %u wire %u:", expr, form,
		    want, (unsigned long long)got, v->linear, v->wire);
	for (uint32_t i = 0; i < v->linear && i < 96; i++)
		print_error(" %02x", v->data[i]);
	print_error("\n");
}

/* Run one form of one expression over all packets; returns how many matched. */
static unsigned long diff_form(const char *expr, const struct rete_pcap_filter *f,
			       enum rete_pcap_variant v, const struct view *views, size_t n,
			       struct totals *t)
{
	struct rete_filter_prog prog = { 0 };
	const struct rete_cbpf_prog *c = &f->prog[v];
	unsigned long matched = 0;
	char err[512];

	if (rete_cbpf_translate_pcap(f, v, &prog, err, sizeof(err))) {
		print_error("'%s' %s: %s\n", expr, rete_pcap_variant_name(v), err);
		fail();
	}
	assert_verifiable(&prog, expr);
	for (size_t i = 0; i < n; i++) {
		const struct view *w = &views[i];
		unsigned int want = rete_test_pcap_run(c->insns, c->n, w->data, w->wire, w->linear);
		uint64_t got = run_ebpf(&prog, w, false);

		t->cases++;
		if (!want != !got) {
			if (t->mismatches++ < 10)
				dump_mismatch(expr, rete_pcap_variant_name(v), w, want, got);
			continue;
		}
		matched += !!got;
	}
	rete_filter_prog_free(&prog);
	return matched;
}

static void test_differential(void **state)
{
	static char exprs[MAX_EXPRS][RETE_TEST_EXPR_LEN];
	static struct rete_test_pkt pkts[N_PACKETS];
	static struct view views[RETE_PCAP_VARIANT_MAX][N_PACKETS];
	struct totals t = { 0 };
	struct rete_test_rng r = { 0x5eed0001 };
	size_t n_exprs = build_exprs(exprs), both = 0, l3_forms = 0;

	(void)state;
	for (size_t i = 0; i < N_PACKETS; i++) {
		rete_test_pkt_gen(&r, &pkts[i]);
		make_views(&r, &pkts[i], &views[RETE_PCAP_L2][i], &views[RETE_PCAP_L3][i]);
	}
	for (size_t e = 0; e < n_exprs; e++) {
		struct rete_pcap_filter f;
		unsigned long seen = 0, hits = 0;
		char err[512];

		if (rete_pcap_filter_compile(exprs[e], &f, err, sizeof(err))) {
			print_error("%s\n", err);
			fail();
		}
		for (int v = 0; v < RETE_PCAP_VARIANT_MAX; v++) {
			if (!f.has[v])
				continue;
			hits += diff_form(exprs[e], &f, v, views[v], N_PACKETS, &t);
			seen += N_PACKETS;
			l3_forms += v == RETE_PCAP_L3;
		}
		t.matched += hits;
		both += hits && hits < seen;
		if (!hits || hits == seen)
			print_message("  '%s' %s every packet\n", exprs[e],
				      hits ? "matches" : "matches no");
		rete_pcap_filter_free(&f);
	}
	t.unmatched = t.cases - t.matched - t.mismatches;
	print_message("differential: %zu expressions (%zu with an L3 form) x %d packets: "
		      "%lu cases, %lu matched, %lu not matched, %lu mismatches; %zu expressions "
		      "saw both outcomes\n",
		      n_exprs, l3_forms, N_PACKETS, t.cases, t.matched, t.unmatched, t.mismatches,
		      both);
	assert_int_equal(t.mismatches, 0);
	assert_true(n_exprs >= 300);
	assert_true(both * 100 >= n_exprs * 95);
	assert_true(t.matched * 20 > t.cases); /* > 5% matches overall */
}

/* ---- random cBPF programs: every opcode, against libpcap's interpreter ---- */

static struct sock_filter stmt(uint16_t code, uint32_t k)
{
	return (struct sock_filter){ .code = code, .k = k };
}

static bool coin(struct rete_test_rng *r)
{
	return rete_test_rng_pct(r, 50);
}

/* Below small_max small_pct % of the time, else any 32-bit value. */
static uint32_t rand_k(struct rete_test_rng *r, uint32_t small_pct, uint32_t small_max)
{
	if (rete_test_rng_pct(r, small_pct))
		return rete_test_rng_below(r, small_max);
	return (uint32_t)rete_test_rng_next(r);
}

static struct sock_filter rand_alu(struct rete_test_rng *r)
{
	static const uint16_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_AND,
					BPF_OR,	 BPF_XOR, BPF_LSH, BPF_RSH, BPF_NEG };
	uint16_t op = ops[rete_test_rng_below(r, ARRAY_LEN(ops))];
	uint32_t k = rand_k(r, 50, 40);

	if (op == BPF_NEG)
		return stmt(BPF_ALU | BPF_NEG, 0);
	if (coin(r))
		return stmt(BPF_ALU | op | BPF_X, 0);
	if ((op == BPF_DIV || op == BPF_MOD) && !k)
		k = 3; /* invalid cBPF otherwise */
	if (op == BPF_LSH || op == BPF_RSH)
		k &= 31; /* idem */
	return stmt(BPF_ALU | op | BPF_K, k);
}

static struct sock_filter rand_load(struct rete_test_rng *r)
{
	static const uint16_t sizes[] = { BPF_B, BPF_H, BPF_W };
	uint16_t size = sizes[rete_test_rng_below(r, 3)];
	uint32_t k = rand_k(r, 95, 80), m = rete_test_rng_below(r, BPF_MEMWORDS);
	uint32_t v = (uint32_t)rete_test_rng_next(r);

	v >>= rete_test_rng_below(r, 32);
	switch (rete_test_rng_below(r, 12)) {
	case 0:
	case 1:
		return stmt(BPF_LD | size | BPF_ABS, k);
	case 2:
	case 3:
		return stmt(BPF_LD | size | BPF_IND, k);
	case 4:
		return stmt(BPF_LDX | BPF_MSH | BPF_B, k);
	case 5:
		return stmt(coin(r) ? BPF_LD | BPF_W | BPF_LEN : BPF_LDX | BPF_W | BPF_LEN, 0);
	case 6:
		return stmt(coin(r) ? BPF_LD | BPF_IMM : BPF_LDX | BPF_IMM, v);
	case 7:
		return stmt(coin(r) ? BPF_LD | BPF_MEM : BPF_LDX | BPF_MEM, m);
	case 8:
		return stmt(coin(r) ? BPF_ST : BPF_STX, m);
	case 9:
		return stmt(BPF_MISC | (coin(r) ? BPF_TAX : BPF_TXA), 0);
	default:
		return rand_alu(r);
	}
}

/* insns[pc] of a program of n instructions (the last one is a RET). */
static struct sock_filter rand_insn(struct rete_test_rng *r, size_t pc, size_t n)
{
	static const uint16_t jops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
	uint32_t room = (uint32_t)(n - 1 - pc - 1); /* farthest forward offset */
	uint32_t k = rand_k(r, 60, 300), jmax = room < 255 ? room : 255;
	struct sock_filter j;

	if (rete_test_rng_pct(r, 3)) {
		uint16_t code = BPF_RET | (coin(r) ? BPF_A : BPF_K);

		return stmt(code, rete_test_rng_below(r, 2));
	}
	if (!rete_test_rng_pct(r, 25))
		return rand_load(r);
	if (rete_test_rng_pct(r, 10))
		return stmt(BPF_JMP | BPF_JA, rete_test_rng_below(r, room + 1));
	j = stmt(BPF_JMP | jops[rete_test_rng_below(r, 4)], k);
	j.code |= coin(r) ? BPF_X : BPF_K;
	j.jt = (uint8_t)rete_test_rng_below(r, jmax + 1);
	j.jf = (uint8_t)rete_test_rng_below(r, jmax + 1);
	if (rete_test_rng_pct(r, 20))
		j.jf = 0;
	else if (rete_test_rng_pct(r, 20))
		j.jt = 0;
	return j;
}

static void dump_cbpf(const struct sock_filter *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		print_error("  %3zu: code 0x%02x jt %u jf %u k 0x%x\n", i, f[i].code, f[i].jt,
			    f[i].jf, f[i].k);
}

#define N_RANDOM_PROGS 1500
#define RANDOM_PKTS 24

static void test_random_cbpf(void **state)
{
	static struct rete_test_pkt pkts[RANDOM_PKTS];
	static struct view views[RANDOM_PKTS], l3[RANDOM_PKTS];
	struct sock_filter f[BPF_MEMWORDS * 2 + 128];
	struct rete_test_rng r = { 0xc0ffee };
	unsigned long cases = 0, matched = 0, mismatches = 0;

	(void)state;
	for (size_t i = 0; i < RANDOM_PKTS; i++) {
		rete_test_pkt_gen(&r, &pkts[i]);
		make_views(&r, &pkts[i], &views[i], &l3[i]);
	}
	for (int p = 0; p < N_RANDOM_PROGS; p++) {
		struct rete_filter_prog prog = { 0 };
		size_t n = 40 + rete_test_rng_below(&r, 88), pc = 0;

		/* libpcap 1.10 leaves M[] uninitialised: write all slots first */
		for (uint32_t m = 0; m < BPF_MEMWORDS; m++) {
			f[pc++] = stmt(BPF_LD | BPF_IMM, rete_test_rng_below(&r, 256));
			f[pc++] = stmt(BPF_ST, m);
		}
		n += pc;
		for (; pc < n - 1; pc++)
			f[pc] = rand_insn(&r, pc, n);
		f[n - 1] = stmt(BPF_RET | BPF_A, 0);
		assert_int_equal(rete_cbpf_translate(f, n, &prog), 0);
		assert_verifiable(&prog, "random cBPF");
		for (size_t i = 0; i < RANDOM_PKTS; i++) {
			unsigned int want = rete_test_pcap_run(f, n, views[i].data, views[i].wire,
								views[i].linear);
			uint64_t got = run_ebpf(&prog, &views[i], false);

			cases++;
			matched += !!want;
			/* RET A: compare the value, not just match / no match */
			if ((uint32_t)got == want)
				continue;
			if (!mismatches++)
				dump_cbpf(f, n);
			if (mismatches < 5)
				print_error("random program %d packet %zu: libpcap %u eBPF %llu\n",
					    p, i, want, (unsigned long long)got);
		}
		rete_filter_prog_free(&prog);
	}
	print_message("random cBPF: %d programs, %lu cases, %lu non-zero, %lu mismatches\n",
		      N_RANDOM_PROGS, cases, matched, mismatches);
	assert_int_equal(mismatches, 0);
	assert_true(matched * 10 > cases && matched * 10 < cases * 9);
}

/* ---- details ---- */

static void compile_l2(const char *expr, struct rete_pcap_filter *f,
		       struct rete_filter_prog *prog)
{
	char err[512];

	assert_int_equal(rete_pcap_filter_compile(expr, f, err, sizeof(err)), 0);
	assert_int_equal(rete_cbpf_translate_pcap(f, RETE_PCAP_L2, prog, err, sizeof(err)), 0);
	assert_verifiable(prog, expr);
}

/* bpf_probe_read_kernel failing makes the filter return 0, as a bounds miss does. */
static void test_probe_read_fault(void **state)
{
	struct rete_pcap_filter f;
	struct rete_filter_prog prog = { 0 };
	struct rete_test_pkt p = { 0 };
	struct view v;
	struct rete_test_rng r = { 7 };

	(void)state;
	compile_l2("ether[0] = 0xaa", &f, &prog);
	rete_test_pkt_gen(&r, &p);
	p.buf[0] = 0xaa;
	v = (struct view){ p.buf, (uint32_t)p.len, (uint32_t)p.len, RETE_TEST_PKT_BUF };
	assert_int_not_equal(run_ebpf(&prog, &v, false), 0);
	assert_int_equal(run_ebpf(&prog, &v, true), 0);
	rete_filter_prog_free(&prog);
	rete_pcap_filter_free(&f);
}

/* IPv6 with k extension headers before TCP. */
static size_t ext_chain(struct rete_test_pkt *p, unsigned int k)
{
	size_t off = 54;

	memset(p->buf, 0, sizeof(p->buf));
	rete_test_put16(p, 12, 0x86dd);
	rete_test_put8(p, 14, 0x60);
	rete_test_put8(p, 20, k ? 60 : 6);
	for (unsigned int i = 0; i < k; i++, off += 8)
		rete_test_put8(p, off, i + 1 < k ? 60 : 6);
	rete_test_put8(p, off + 12, 0x50);
	p->len = off + 20;
	return p->len;
}

static void test_protochain_unroll(void **state)
{
	struct rete_pcap_filter f;
	struct rete_filter_prog prog = { 0 };
	struct rete_test_pkt p;

	(void)state;
	compile_l2("ip6 protochain 6", &f, &prog);
	print_message("'ip6 protochain 6': %zu cBPF -> %zu eBPF instructions\n",
		      f.prog[RETE_PCAP_L2].n, prog.n);
	for (unsigned int k = 0; k <= RETE_CBPF_MAX_BACK_JUMPS + 2; k++) {
		uint32_t len = (uint32_t)ext_chain(&p, k);
		struct view v = { p.buf, len, len, RETE_TEST_PKT_BUF };
		unsigned int want = rete_test_pcap_run(f.prog[RETE_PCAP_L2].insns,
						       f.prog[RETE_PCAP_L2].n, p.buf, len, len);

		assert_int_not_equal(want, 0);
		/* libpcap jumps back once per extension header */
		if (k <= RETE_CBPF_MAX_BACK_JUMPS)
			assert_int_not_equal(run_ebpf(&prog, &v, false), 0);
		else
			assert_int_equal(run_ebpf(&prog, &v, false), 0);
	}
	rete_filter_prog_free(&prog);
	rete_pcap_filter_free(&f);
}

/* The calling convention: R4/R5 are not used, R1-R3 may be 32-bit dirty above. */
static void test_convention(void **state)
{
	struct rete_pcap_filter f;
	struct rete_filter_prog prog = { 0 };
	struct rete_test_pkt p = { 0 };
	uint64_t r0 = 0;

	(void)state;
	compile_l2("len = 60 and ether[0] = 0xaa", &f, &prog);
	p.buf[0] = 0xaa;
	const struct rete_interp_mem mem = { PKT_ADDR, p.buf, 60 };
	const uint64_t args[5] = { PKT_ADDR, 0xffffffff00000000ULL | 60, 0x1200000000ULL | 60,
				   0, 0 };
	assert_int_equal(rete_interp_run(prog.insns, prog.n, args, &mem, 1, &r0), 0);
	assert_int_equal(r0, RETE_PCAP_SNAPLEN);
	assert_int_equal(prog.insns[prog.n - 1].code, BPF_JMP | BPF_EXIT);
	rete_filter_prog_free(&prog);
	rete_pcap_filter_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interp_basics),
		cmocka_unit_test(test_interp_check_paths),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_e2big),
		cmocka_unit_test(test_invalid_cbpf),
		cmocka_unit_test(test_probe_read_fault),
		cmocka_unit_test(test_protochain_unroll),
		cmocka_unit_test(test_convention),
		cmocka_unit_test(test_random_cbpf),
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
