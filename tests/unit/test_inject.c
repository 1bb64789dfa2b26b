/* Splicing filter bodies into a program: offsets, func_info and line_info fixups. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include <bpf/libbpf.h>

#include "filter/inject.h"
#include "uapi/rete_config.h" /* the skeleton's .rodata types */
#include "raw_tp.skel.h"
#include "filter/insn.h"

struct fixture {
	struct btf *btf;
	int main_id, ph_id, f2_id;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int int_id, proto;

	f->btf = btf__new_empty();
	int_id = btf__add_int(f->btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(f->btf, int_id);
	f->main_id = btf__add_func(f->btf, "prog_main", BTF_FUNC_GLOBAL, proto);
	f->ph_id = btf__add_func(f->btf, "rete_filter_meta", BTF_FUNC_GLOBAL, proto);
	f->f2_id = btf__add_func(f->btf, "other", BTF_FUNC_STATIC, proto);
	assert_true(f->main_id > 0 && f->ph_id > 0 && f->f2_id > 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	btf__free(f->btf);
	free(f);
	return 0;
}

static struct bpf_insn pseudo_call(int32_t imm)
{
	return rete_insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, imm);
}

/*
 *  0 main:  r1 = 5
 *  1        call placeholder (+3 -> 5)
 *  2        if r0 == 0 goto +1 (-> 4)
 *  3        r0 = 7
 *  4        exit
 *  5 ph:    r0 = 1
 *  6        r0 = 1
 *  7        exit
 *  8 other: call placeholder (-4 -> 5)
 *  9        ja -1 ... (replaced below by exit)
 */
static void build(struct bpf_insn *p)
{
	p[0] = rete_mov64_imm(1, 5);
	p[1] = pseudo_call(3);
	p[2] = rete_jmp_imm(BPF_JMP, BPF_JEQ, 0, 0, 1);
	p[3] = rete_mov64_imm(0, 7);
	p[4] = rete_exit();
	p[5] = rete_mov64_imm(0, 1);
	p[6] = rete_mov64_imm(0, 1);
	p[7] = rete_exit();
	p[8] = pseudo_call(-4);
	p[9] = rete_exit();
}

static void test_splice_grow(void **state)
{
	struct fixture *f = *state;
	struct bpf_insn prog[10], *out = NULL;
	struct bpf_func_info fi[3] = { { 0, 0 }, { 5, 0 }, { 8, 0 } };
	struct bpf_line_info li[4] = { { .insn_off = 0 }, { .insn_off = 5 }, { .insn_off = 6 },
				       { .insn_off = 8 } };
	struct rete_filter_prog body = { 0 };
	struct rete_splice sp = { "rete_filter_meta", &body };
	void *ofi = NULL, *oli = NULL;
	size_t n = 0, li_cnt = 0;

	fi[0].type_id = (uint32_t)f->main_id;
	fi[1].type_id = (uint32_t)f->ph_id;
	fi[2].type_id = (uint32_t)f->f2_id;
	build(prog);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rete_filter_emit(&body, rete_mov64_imm(0, 0)), 0);
	assert_int_equal(rete_filter_emit(&body, rete_exit()), 0);

	assert_int_equal(rete_splice_funcs(prog, 10, fi, 3, sizeof(fi[0]), li, 4, sizeof(li[0]),
					   f->btf, &sp, 1, &out, &n, &ofi, &oli, &li_cnt),
			 0);
	assert_int_equal(n, 12);
	/* main is untouched: the call still lands on the (new) body start. */
	assert_int_equal(out[1].imm, 3);
	assert_int_equal(out[2].off, 1);
	/* the body is in place */
	assert_int_equal(out[5].imm, 0);
	assert_int_equal(out[9].code, BPF_JMP | BPF_EXIT);
	/* 'other' moved by +2 and its backward call still reaches the body start (5). */
	assert_int_equal(out[10].code, BPF_JMP | BPF_CALL);
	assert_int_equal(10 + out[10].imm + 1, 5);
	assert_int_equal(((struct bpf_func_info *)ofi)[1].insn_off, 5);
	assert_int_equal(((struct bpf_func_info *)ofi)[2].insn_off, 10);
	/* the line info inside the old body is gone, the later one shifted */
	assert_int_equal(li_cnt, 3);
	assert_int_equal(((struct bpf_line_info *)oli)[0].insn_off, 0);
	assert_int_equal(((struct bpf_line_info *)oli)[1].insn_off, 5);
	assert_int_equal(((struct bpf_line_info *)oli)[2].insn_off, 10);
	free(out);
	free(ofi);
	free(oli);
	rete_filter_prog_free(&body);
}

static void test_splice_shrink_and_ld_imm64(void **state)
{
	struct fixture *f = *state;
	struct bpf_insn prog[12], *out = NULL;
	struct bpf_func_info fi[3] = { { 0, 0 }, { 5, 0 }, { 8, 0 } };
	struct rete_filter_prog body = { 0 };
	struct rete_splice sp = { "rete_filter_meta", &body };
	void *ofi = NULL, *oli = NULL;
	size_t n = 0, li_cnt = 0;

	fi[0].type_id = (uint32_t)f->main_id;
	fi[1].type_id = (uint32_t)f->ph_id;
	fi[2].type_id = (uint32_t)f->f2_id;
	build(prog);
	/* 'other' gets a 64-bit immediate whose second half must not be read as a jump */
	prog[9] = rete_ld_imm64_lo(2, 0x0500000000000005ULL);
	prog[10] = rete_ld_imm64_hi(0x0500000000000005ULL);
	prog[11] = rete_exit();
	assert_int_equal(rete_filter_emit(&body, rete_exit()), 0); /* shrink: 3 -> 1 */

	assert_int_equal(rete_splice_funcs(prog, 12, fi, 3, sizeof(fi[0]), NULL, 0,
					   sizeof(struct bpf_line_info), f->btf, &sp, 1, &out, &n,
					   &ofi, &oli, &li_cnt),
			 0);
	assert_int_equal(n, 10);
	assert_int_equal(out[5].code, BPF_JMP | BPF_EXIT);
	assert_int_equal(6 + out[6].imm + 1, 5);
	assert_int_equal(out[7].code, BPF_LD | BPF_IMM | BPF_DW);
	assert_int_equal(out[8].imm, 0x05000000);
	assert_int_equal(((struct bpf_func_info *)ofi)[2].insn_off, 6);
	free(out);
	free(ofi);
	free(oli);
	rete_filter_prog_free(&body);
}

static void test_splice_missing_function(void **state)
{
	struct fixture *f = *state;
	struct bpf_insn prog[10], *out = NULL;
	struct bpf_func_info fi[1] = { { 0, 0 } };
	struct rete_filter_prog body = { 0 };
	struct rete_splice sp = { "rete_filter_packet_l2", &body };
	void *ofi = NULL, *oli = NULL;
	size_t n = 0, li_cnt = 0;

	fi[0].type_id = (uint32_t)f->main_id;
	build(prog);
	assert_int_equal(rete_splice_funcs(prog, 10, fi, 1, sizeof(fi[0]), NULL, 0,
					   sizeof(struct bpf_line_info), f->btf, &sp, 1, &out, &n,
					   &ofi, &oli, &li_cnt),
			 -ENOENT);
	assert_null(out);
}

/*
 * Sessions register and unregister their section handler; a second session
 * in one process must find the handler table intact (libbpf 1.1 frees it
 * when its last handler goes), and objects opened meanwhile must get our
 * program type from the handler.
 */
static void test_register_cycles(void **state)
{
	struct rete_inject_ctx ctx = { 0 };

	(void)state;
	libbpf_set_print(NULL);
	for (int round = 0; round < 4; round++) {
		struct rete_raw_tp *skel;
		int id = rete_inject_register("rete_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, &ctx);

		assert_true(id > 0);
		skel = rete_raw_tp__open();
		assert_non_null(skel);
		assert_int_equal(bpf_program__type(skel->progs.rete_raw_tp),
				 BPF_PROG_TYPE_RAW_TRACEPOINT);
		rete_raw_tp__destroy(skel);
		rete_inject_unregister(id);
	}
	rete_inject_release(&ctx);
}

static void test_emit_limit(void **state)
{
	struct rete_filter_prog p = { 0 };
	int rc = 0;

	for (int i = 0; i <= RETE_FILTER_MAX_INSNS && !rc; i++)
		rc = rete_filter_emit(&p, rete_exit());
	assert_int_equal(rc, -E2BIG);
	assert_int_equal(p.n, RETE_FILTER_MAX_INSNS);
	rete_filter_prog_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_splice_grow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_shrink_and_ld_imm64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_missing_function, setup, teardown),
		cmocka_unit_test(test_emit_limit),
		cmocka_unit_test(test_register_cycles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
