/*
 * Kernel symbols (core/kallsyms.h) from /proc/kallsyms-like fixture files
 * written into a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kallsyms.h"
#include "helpers/fixture.h"

/* Unsorted, with data symbols, a module symbol and lines to skip. */
static const char fixture[] =
	"ffffffff81a00000 T ip_rcv\n"
	"ffffffff82000000 D init_net\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81b00000 T tcp_v4_rcv\n"
	"ffffffff82000100 d some_static_data\n"
	"ffffffff81002000 t do_one_initcall\n"
	"ffffffffc0001000 t ovs_dp_process_packet\t[openvswitch]\n"
	"ffffffff82100000 r some_rodata\n"
	"ffffffff82200000 b some_bss\n"
	"ffffffff81003000 T kfree_skb_reason\n"
	"this is not a symbol line\n"
	"\n"
	"ffffffff81004000 Tx two_letter_type\n"
	"ffffffff81005000  T two_spaces\n"
	"ffffffff81006000 T";

struct fixture_state {
	char path[256];
	struct rete_kallsyms *ks;
};

static int setup(void **state)
{
	struct fixture_state *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	rete_test_file_write("kallsyms", fixture, f->path, sizeof(f->path));
	if (rete_kallsyms_load(f->path, &f->ks)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture_state *f = *state;

	rete_kallsyms_free(f->ks);
	rete_test_file_remove(f->path);
	free(f);
	return 0;
}

static void assert_fmt(const struct rete_kallsyms *ks, uint64_t addr, const char *want)
{
	char buf[128];

	memset(buf, 'x', sizeof(buf));
	assert_ptr_equal(rete_kallsyms_fmt(ks, addr, buf, sizeof(buf)), buf);
	assert_string_equal(buf, want);
}

static void test_count(void **state)
{
	struct fixture_state *f = *state;

	/* Text symbols (t/T) only. */
	assert_int_equal(rete_kallsyms_count(f->ks), 6);
	assert_int_equal(rete_kallsyms_count(NULL), 0);
}

static void test_fmt(void **state)
{
	struct fixture_state *f = *state;

	assert_fmt(f->ks, 0xffffffff81a0001fULL, "ip_rcv+0x1f");
	assert_fmt(f->ks, 0xffffffff81a00000ULL, "ip_rcv+0x0");
	assert_fmt(f->ks, 0xffffffff81000000ULL, "_stext+0x0");
	assert_fmt(f->ks, 0xffffffff81001fffULL, "_stext+0x1fff");
	assert_fmt(f->ks, 0xffffffff81002fffULL, "do_one_initcall+0xfff");
	assert_fmt(f->ks, 0xffffffff81003010ULL, "kfree_skb_reason+0x10");
	assert_fmt(f->ks, 0xffffffff81afffffULL, "ip_rcv+0xfffff");
	/* Data symbols do not end the text symbol before them. */
	assert_fmt(f->ks, 0xffffffff82000050ULL, "tcp_v4_rcv+0x500050");
	/* Module symbols lose their [module] suffix. */
	assert_fmt(f->ks, 0xffffffffc0001010ULL, "ovs_dp_process_packet+0x10");
	assert_fmt(f->ks, UINT64_MAX, "ovs_dp_process_packet+0x3fffefff");
}

static void test_fmt_unknown(void **state)
{
	struct fixture_state *f = *state;
	char buf[64];

	/* Before the first symbol. */
	assert_fmt(f->ks, 0xffffffff80ffffffULL, "0xffffffff80ffffff");
	assert_fmt(f->ks, 0x1234, "0x1234");
	assert_fmt(f->ks, 0, "0x0");
	/* No symbols at all. */
	assert_fmt(NULL, 0xffffffff81a0001fULL, "0xffffffff81a0001f");
	/* A short buffer truncates. */
	assert_string_equal(rete_kallsyms_fmt(f->ks, 0xffffffff81a0001fULL, buf, 8), "ip_rcv+");
}

static void test_addr(void **state)
{
	struct fixture_state *f = *state;

	assert_true(rete_kallsyms_addr(f->ks, "ip_rcv") == 0xffffffff81a00000ULL);
	assert_true(rete_kallsyms_addr(f->ks, "_stext") == 0xffffffff81000000ULL);
	assert_true(rete_kallsyms_addr(f->ks, "ovs_dp_process_packet") == 0xffffffffc0001000ULL);
	assert_true(rete_kallsyms_addr(f->ks, "do_one_initcall") == 0xffffffff81002000ULL);
	assert_int_equal(rete_kallsyms_addr(f->ks, "init_net"), 0);
	assert_int_equal(rete_kallsyms_addr(f->ks, "some_static_data"), 0);
	assert_int_equal(rete_kallsyms_addr(f->ks, "two_letter_type"), 0);
	assert_int_equal(rete_kallsyms_addr(f->ks, "two_spaces"), 0);
	assert_int_equal(rete_kallsyms_addr(f->ks, "ip_rc"), 0);
	assert_int_equal(rete_kallsyms_addr(f->ks, "ovs_dp_process_packet\t[openvswitch]"), 0);
	assert_int_equal(rete_kallsyms_addr(f->ks, ""), 0);
	assert_int_equal(rete_kallsyms_addr(NULL, "ip_rcv"), 0);
}

static void test_load_errors(void **state)
{
	struct rete_kallsyms *ks = (void *)&ks;

	assert_int_equal(rete_kallsyms_load("/nonexistent/rete/kallsyms", &ks), -ENOENT);
	/* ret is written only on success. */
	assert_ptr_equal(ks, (void *)&ks);
	rete_kallsyms_free(NULL);
	(void)state;
}

static void test_load_empty(void **state)
{
	struct rete_kallsyms *ks = NULL;
	char path[256];

	rete_test_file_write("kallsyms", "", path, sizeof(path));
	assert_int_equal(rete_kallsyms_load(path, &ks), 0);
	assert_non_null(ks);
	assert_int_equal(rete_kallsyms_count(ks), 0);
	assert_fmt(ks, 0xffffffff81a0001fULL, "0xffffffff81a0001f");
	assert_int_equal(rete_kallsyms_addr(ks, "ip_rcv"), 0);
	rete_kallsyms_free(ks);
	rete_test_file_remove(path);
	(void)state;
}

static void test_load_restricted(void **state)
{
	/* kptr_restrict hides addresses as zeros: print raw addresses, never "_stext+0x...". */
	static const char zeros[] = "0000000000000000 T _stext\n"
				    "0000000000000000 T ip_rcv\n";
	struct rete_kallsyms *ks = NULL;
	char path[256];

	rete_test_file_write("kallsyms", zeros, path, sizeof(path));
	assert_int_equal(rete_kallsyms_load(path, &ks), 0);
	assert_int_equal(rete_kallsyms_count(ks), 2);
	assert_fmt(ks, 0xffffffff81a0001fULL, "0xffffffff81a0001f");
	assert_fmt(ks, 0, "0x0");
	rete_kallsyms_free(ks);
	rete_test_file_remove(path);
	(void)state;
}

static void test_load_many(void **state)
{
	/* More symbols and name bytes than the first allocations hold. */
	const size_t n = 100000;
	size_t size = n * 64 + 1, off = 0;
	char *content = malloc(size), path[256], want[64];
	struct rete_kallsyms *ks = NULL;

	assert_non_null(content);
	/* In reverse order, so sorting matters. */
	for (size_t i = n; i-- > 0;)
		off += (size_t)snprintf(content + off, size - off,
					"%016llx T a_rather_long_function_name_%06zu\n",
					0xffffffff81000000ULL + i * 0x100, i);
	rete_test_file_write("kallsyms", content, path, sizeof(path));
	free(content);
	assert_int_equal(rete_kallsyms_load(path, &ks), 0);
	assert_int_equal(rete_kallsyms_count(ks), n);
	for (size_t i = 0; i < n; i += 997) {
		snprintf(want, sizeof(want), "a_rather_long_function_name_%06zu+0x42", i);
		assert_fmt(ks, 0xffffffff81000000ULL + i * 0x100 + 0x42, want);
	}
	assert_fmt(ks, 0xffffffff81000000ULL + (n - 1) * 0x100 + 0x1000,
		   "a_rather_long_function_name_099999+0x1000");
	assert_true(rete_kallsyms_addr(ks, "a_rather_long_function_name_054321") ==
		    0xffffffff81000000ULL + 54321 * 0x100);
	rete_kallsyms_free(ks);
	rete_test_file_remove(path);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fmt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fmt_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addr, setup, teardown),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_empty),
		cmocka_unit_test(test_load_restricted),
		cmocka_unit_test(test_load_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
