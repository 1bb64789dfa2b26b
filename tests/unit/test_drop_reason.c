/*
 * Drop reason names (core/drop_reason.h) from the synthetic BTF of
 * helpers/btf_builder.c: core reasons, subsystem reasons (value >> 16 picks
 * enum skb_drop_reason_subsys), unknown values and no BTF at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/drop_reason.h"
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

static void expect(const struct btf *btf, int32_t value, const char *reason, const char *subsys)
{
	char r[64], s[32];

	memset(r, 'x', sizeof(r));
	memset(s, 'x', sizeof(s));
	assert_int_equal(rete_drop_reason_name(btf, value, r, sizeof(r), s, sizeof(s)), 0);
	assert_string_equal(r, reason);
	assert_string_equal(s, subsys);
}

static int32_t sub_value(uint32_t subsys, uint32_t reason)
{
	return (int32_t)(subsys << 16 | reason);
}

static void test_core(void **state)
{
	expect(*state, 3, "NO_SOCKET", "");
	expect(*state, 2, "NOT_SPECIFIED", "");
	expect(*state, 6, "NETFILTER_DROP", "");
	/* As Retis: the SKB_ prefix goes too. */
	expect(*state, 0, "NOT_DROPPED_YET", "");
	expect(*state, 1, "CONSUMED", "");
}

static void test_core_unknown(void **state)
{
	expect(*state, 999, "999", "");
	expect(*state, 0xffff, "65535", "");
}

static void test_openvswitch(void **state)
{
	/* Other subsystems keep their full enumerator names, as in Retis. */
	expect(*state, sub_value(RETE_TEST_SUBSYS_OPENVSWITCH, 1), "OVS_DROP_LAST_ACTION",
	       "openvswitch");
	expect(*state, sub_value(RETE_TEST_SUBSYS_OPENVSWITCH, 3), "OVS_DROP_EXPLICIT",
	       "openvswitch");
	/* Known subsystem, unknown reason: the raw value, as Retis writes it. */
	expect(*state, sub_value(RETE_TEST_SUBSYS_OPENVSWITCH, 42), "196650", "openvswitch");
}

static void test_mac80211(void **state)
{
	/* One enum serves two subsystems, each with its own prefix. */
	expect(*state, sub_value(RETE_TEST_SUBSYS_MAC80211_UNUSABLE, 2), "RX_DROP_U_REPLAY",
	       "mac80211_unusable");
	expect(*state, sub_value(RETE_TEST_SUBSYS_MAC80211_MONITOR, 1),
	       "RX_DROP_M_UNEXPECTED_4ADDR_FRAME", "mac80211_monitor");
	/* The MONITOR value 1 is not the UNUSABLE value 1. */
	expect(*state, sub_value(RETE_TEST_SUBSYS_MAC80211_UNUSABLE, 1), "RX_DROP_U_MIC_FAIL",
	       "mac80211_unusable");
}

static void test_subsys_without_enum(void **state)
{
	/* In skb_drop_reason_subsys but rete knows no reason enum for it. */
	expect(*state, sub_value(RETE_TEST_SUBSYS_FUTURE, 5), "458757", "future");
	/* Not even in skb_drop_reason_subsys: both as numbers, the reason raw. */
	expect(*state, sub_value(200, 7), "13107207", "200");
	/* Negative values (no drop reasons in the kernel): a core NOT_SPECIFIED, as Retis. */
	expect(*state, -1, "NOT_SPECIFIED", "");
	expect(*state, INT32_MIN, "NOT_SPECIFIED", "");
}

static void test_no_btf(void **state)
{
	expect(NULL, 3, "3", "");
	expect(NULL, sub_value(RETE_TEST_SUBSYS_OPENVSWITCH, 1), "196609", "3");
	(void)state;
}

static void test_empty_btf(void **state)
{
	struct btf *btf = btf__new_empty();

	assert_non_null(btf);
	expect(btf, 3, "3", "");
	expect(btf, sub_value(RETE_TEST_SUBSYS_OPENVSWITCH, 1), "196609", "3");
	btf__free(btf);
	(void)state;
}

static void test_small_buffers(void **state)
{
	char r[4], s[4];

	assert_int_equal(rete_drop_reason_name(*state, 3, r, sizeof(r), s, sizeof(s)), 0);
	assert_string_equal(r, "NO_");
	assert_string_equal(s, "");
	assert_int_equal(rete_drop_reason_name(*state, sub_value(RETE_TEST_SUBSYS_OPENVSWITCH, 1),
					       r, sizeof(r), s, sizeof(s)),
			 0);
	assert_string_equal(r, "OVS");
	assert_string_equal(s, "ope");
	assert_int_equal(rete_drop_reason_name(*state, sub_value(RETE_TEST_SUBSYS_OPENVSWITCH, 1),
					       r, sizeof(r), s, 1),
			 0);
	assert_string_equal(s, "");
	assert_int_equal(rete_drop_reason_name(*state, 3, r, 0, s, sizeof(s)), -EINVAL);
	assert_int_equal(rete_drop_reason_name(*state, 3, r, sizeof(r), s, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core),
		cmocka_unit_test(test_core_unknown),
		cmocka_unit_test(test_openvswitch),
		cmocka_unit_test(test_mac80211),
		cmocka_unit_test(test_subsys_without_enum),
		cmocka_unit_test(test_no_btf),
		cmocka_unit_test(test_empty_btf),
		cmocka_unit_test(test_small_buffers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
