/*
 * A small synthetic kernel BTF for unit tests: the sk_buff family of
 * structs, btf_trace_* typedefs for a handful of tracepoints, two kernel
 * functions and the drop reason enums. btf_builder.c lists every type.
 */
#ifndef RETE_TESTS_HELPERS_BTF_BUILDER_H
#define RETE_TESTS_HELPERS_BTF_BUILDER_H

struct btf;

/* Subsystem ids of the synthetic enum skb_drop_reason_subsys. */
#define RETE_TEST_SUBSYS_MAC80211_UNUSABLE 1
#define RETE_TEST_SUBSYS_MAC80211_MONITOR 2
#define RETE_TEST_SUBSYS_OPENVSWITCH 3
#define RETE_TEST_SUBSYS_FUTURE 7	/* a subsystem rete has no reason enum for */

/* Build the synthetic BTF; fails the running cmocka test on error. Free with btf__free(). */
struct btf *rete_test_btf_new(void);

#endif
