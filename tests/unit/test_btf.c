/*
 * BTF queries (core/btf.h) against the synthetic kernel BTF of
 * helpers/btf_builder.c: tracepoint and function argument discovery, and
 * enumerator names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/btf.h"
#include "helpers/btf_builder.h"

static int setup(void **state)
{
	*state = rete_test_btf_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	btf__free(*state);
	return 0;
}

/* Expected positions; -1 for absent kinds. */
static void assert_args(const struct rete_probe_args *a, int nargs, int skb, int reason, int dev,
			int net)
{
	assert_int_equal(a->nargs, nargs);
	assert_int_equal(a->pos[RETE_ARG_SKB], skb);
	assert_int_equal(a->pos[RETE_ARG_DROP_REASON], reason);
	assert_int_equal(a->pos[RETE_ARG_NET_DEVICE], dev);
	assert_int_equal(a->pos[RETE_ARG_NET], net);
}

static void tp_args(const struct btf *btf, const char *event, int nargs, int skb, int reason,
		    int dev, int net)
{
	struct rete_probe_args a;

	memset(&a, 0x5a, sizeof(a));
	assert_int_equal(rete_btf_tp_args(btf, event, &a), 0);
	assert_args(&a, nargs, skb, reason, dev, net);
}

static void test_tp_kfree_skb(void **state)
{
	/* (skb, location, reason, rx_sk): the context parameter is not counted. */
	tp_args(*state, "kfree_skb", 4, 0, 2, -1, -1);
	tp_args(*state, "consume_skb", 2, 0, -1, -1, -1);
	tp_args(*state, "netif_receive_skb", 1, 0, -1, -1, -1);
}

static void test_tp_const_pointers(void **state)
{
	/* const struct sk_buff *, const struct net_device * */
	tp_args(*state, "net_dev_start_xmit", 2, 0, -1, 1, -1);
	tp_args(*state, "xdp_exception", 3, -1, -1, 0, -1);
}

static void test_tp_skb_late(void **state)
{
	tp_args(*state, "qdisc_dequeue", 4, 3, -1, -1, -1);
}

static void test_tp_no_known_args(void **state)
{
	struct rete_probe_args a;

	assert_int_equal(rete_btf_tp_args(*state, "sched_switch", &a), 0);
	assert_args(&a, 4, -1, -1, -1, -1);
	assert_false(rete_probe_args_known(&a));
	/* Look-alikes: skb**, skb by value, sk_buff_head *, int *, another enum, a union. */
	assert_int_equal(rete_btf_tp_args(*state, "rete_not_matched", &a), 0);
	assert_args(&a, 6, -1, -1, -1, -1);
	assert_false(rete_probe_args_known(&a));
}

static void test_tp_first_of_kind_wins(void **state)
{
	tp_args(*state, "rete_first_wins", 7, 1, 5, 3, 0);
}

static void test_tp_modifiers(void **state)
{
	/*
	 * const volatile typedef to a pointer, pointer to a typedef to const,
	 * typedef to the enum, restrict pointer to const.
	 */
	tp_args(*state, "rete_modifiers", 4, 0, 2, 1, 3);
	/* Pointer to a type tag (__rcu) to the struct. */
	tp_args(*state, "rete_type_tag", 1, 0, -1, -1, -1);
}

static void test_tp_errors(void **state)
{
	char longname[300];
	struct rete_probe_args a, before;

	memset(&a, 0x5a, sizeof(a));
	before = a;
	assert_int_equal(rete_btf_tp_args(*state, "no_such_event", &a), -ENOENT);
	/* Only the typedef counts: a kernel function of that name is no tracepoint. */
	assert_int_equal(rete_btf_tp_args(*state, "ip_rcv", &a), -ENOENT);
	assert_int_equal(rete_btf_tp_args(*state, "rete_not_ptr", &a), -EINVAL);
	assert_int_equal(rete_btf_tp_args(*state, "rete_not_proto", &a), -EINVAL);
	assert_int_equal(rete_btf_tp_args(*state, "rete_no_ctx", &a), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(rete_btf_tp_args(*state, longname, &a), -ENAMETOOLONG);
	/* ret is written only on success. */
	assert_memory_equal(&a, &before, sizeof(a));
}

static void test_func_args(void **state)
{
	struct rete_probe_args a;

	assert_int_equal(rete_btf_func_args(*state, "ip_rcv", &a), 0);
	assert_args(&a, 4, 0, -1, 1, -1);
	assert_int_equal(rete_btf_func_args(*state, "__ip_local_out", &a), 0);
	assert_args(&a, 3, 2, -1, -1, 0);
	assert_true(rete_probe_args_known(&a));
	assert_int_equal(rete_btf_func_args(*state, "kfree_skb_reason", &a), 0);
	assert_args(&a, 2, 0, 1, -1, -1);
	assert_int_equal(rete_btf_func_args(*state, "rete_void_fn", &a), 0);
	assert_args(&a, 0, -1, -1, -1, -1);
	assert_false(rete_probe_args_known(&a));
}

static void test_func_errors(void **state)
{
	struct rete_probe_args a;

	assert_int_equal(rete_btf_func_args(*state, "no_such_function", &a), -ENOENT);
	/* A typedef is not a function. */
	assert_int_equal(rete_btf_func_args(*state, "btf_trace_kfree_skb", &a), -ENOENT);
	assert_int_equal(rete_btf_func_args(*state, "sk_buff", &a), -ENOENT);
}

static void test_args_known(void **state)
{
	struct rete_probe_args a;

	memset(&a, 0, sizeof(a));
	for (int k = 0; k < RETE_ARG_KIND_MAX; k++)
		a.pos[k] = -1;
	assert_false(rete_probe_args_known(&a));
	for (int k = 0; k < RETE_ARG_KIND_MAX; k++) {
		a.pos[k] = 0;
		assert_true(rete_probe_args_known(&a));
		a.pos[k] = -1;
	}
	(void)state;
}

static void test_arg_kind_names(void **state)
{
	assert_string_equal(rete_arg_kind_name(RETE_ARG_SKB), "struct sk_buff *");
	assert_string_equal(rete_arg_kind_name(RETE_ARG_DROP_REASON), "enum skb_drop_reason");
	assert_string_equal(rete_arg_kind_name(RETE_ARG_NET_DEVICE), "struct net_device *");
	assert_string_equal(rete_arg_kind_name(RETE_ARG_NET), "struct net *");
	assert_string_equal(rete_arg_kind_name(RETE_ARG_KIND_MAX), "?");
	assert_string_equal(rete_arg_kind_name((enum rete_arg_kind)-1), "?");
	(void)state;
}

static void test_enum_name_prefix(void **state)
{
	const struct btf *btf = *state;

	assert_string_equal(rete_btf_enum_name(btf, "skb_drop_reason", "SKB_DROP_REASON_", 3),
			    "NO_SOCKET");
	/* Without the prefix the name is returned whole. */
	assert_string_equal(rete_btf_enum_name(btf, "skb_drop_reason", "SKB_DROP_REASON_", 1),
			    "SKB_CONSUMED");
	assert_string_equal(rete_btf_enum_name(btf, "skb_drop_reason", NULL, 3),
			    "SKB_DROP_REASON_NO_SOCKET");
	assert_string_equal(rete_btf_enum_name(btf, "skb_drop_reason", "", 3),
			    "SKB_DROP_REASON_NO_SOCKET");
	assert_string_equal(rete_btf_enum_name(btf, "skb_drop_reason", "SKB_", 0),
			    "NOT_DROPPED_YET");
	assert_string_equal(rete_btf_enum_name(btf, "ovs_drop_reason", "OVS_DROP_", 0x30001),
			    "LAST_ACTION");
}

static void test_enum_name_signedness(void **state)
{
	const struct btf *btf = *state;

	/* Unsigned 32-bit enum: 0xffff0000 is a large positive value, never -65536. */
	assert_string_equal(rete_btf_enum_name(btf, "skb_drop_reason", "SKB_DROP_REASON_",
					       0xffff0000LL),
			    "SUBSYS_MASK");
	assert_null(rete_btf_enum_name(btf, "skb_drop_reason", "SKB_DROP_REASON_", -65536));
	assert_string_equal(rete_btf_enum_name(btf, "rete_test_unsigned", NULL, 0xfffffffeLL),
			    "TU_HIGH");
	assert_null(rete_btf_enum_name(btf, "rete_test_unsigned", NULL, -2));
	/* Signed 32-bit enum. */
	assert_string_equal(rete_btf_enum_name(btf, "rete_test_signed", "TS_", -1), "NEG_ONE");
	assert_null(rete_btf_enum_name(btf, "rete_test_signed", "TS_", 0xffffffffLL));
	assert_string_equal(rete_btf_enum_name(btf, "rete_test_signed", "TS_", INT32_MIN),
			    "INT_MIN");
	assert_string_equal(rete_btf_enum_name(btf, "rete_test_signed", "TS_", INT32_MAX),
			    "INT_MAX");
	assert_string_equal(rete_btf_enum_name(btf, "rete_test_signed", "TS_", 0), "ZERO");
	/* 64-bit enums. */
	assert_string_equal(rete_btf_enum_name(btf, "rete_test_enum64", "TE_", 1LL << 40), "BIG");
	assert_string_equal(rete_btf_enum_name(btf, "rete_test_enum64", "TE_", 1), "ONE");
	assert_null(rete_btf_enum_name(btf, "rete_test_enum64", "TE_", 1LL << 32));
	assert_string_equal(rete_btf_enum_name(btf, "rete_test_enum64s", "TES_", -5), "NEG_FIVE");
	assert_string_equal(rete_btf_enum_name(btf, "rete_test_enum64s", "TES_", INT64_MIN),
			    "MIN");
}

static void test_enum_name_unknown(void **state)
{
	const struct btf *btf = *state;

	assert_null(rete_btf_enum_name(btf, "skb_drop_reason", "SKB_DROP_REASON_", 12345));
	assert_null(rete_btf_enum_name(btf, "no_such_enum", NULL, 0));
	/* A struct or typedef of that name is not an enum. */
	assert_null(rete_btf_enum_name(btf, "sk_buff", NULL, 0));
	assert_null(rete_btf_enum_name(btf, "drop_reason_t", NULL, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tp_kfree_skb),
		cmocka_unit_test(test_tp_const_pointers),
		cmocka_unit_test(test_tp_skb_late),
		cmocka_unit_test(test_tp_no_known_args),
		cmocka_unit_test(test_tp_first_of_kind_wins),
		cmocka_unit_test(test_tp_modifiers),
		cmocka_unit_test(test_tp_errors),
		cmocka_unit_test(test_func_args),
		cmocka_unit_test(test_func_errors),
		cmocka_unit_test(test_args_known),
		cmocka_unit_test(test_arg_kind_names),
		cmocka_unit_test(test_enum_name_prefix),
		cmocka_unit_test(test_enum_name_signedness),
		cmocka_unit_test(test_enum_name_unknown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
