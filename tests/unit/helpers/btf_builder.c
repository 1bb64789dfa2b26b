/*
 * Synthetic kernel BTF, built with libbpf's btf__add_*() API. Shapes follow
 * the kernel's: a raw tracepoint `E` is described by
 *
 *	typedef void (*btf_trace_E)(void *__data, <tracepoint arguments>);
 *
 * and kernel functions are BTF_KIND_FUNC pointing at a FUNC_PROTO.
 *
 * Tracepoints (arguments after the context, whose positions rete_btf_tp_args()
 * must report):
 *	kfree_skb		(struct sk_buff *, void *, enum skb_drop_reason, struct sock *)
 *	consume_skb		(struct sk_buff *, void *)
 *	netif_receive_skb	(struct sk_buff *)
 *	netif_rx		(struct sk_buff *)
 *	net_dev_start_xmit	(const struct sk_buff *, const struct net_device *)
 *	qdisc_dequeue		(struct Qdisc *, const struct netdev_queue *, int,
 *				 struct sk_buff *)
 *	sched_switch		(bool, struct task_struct *, struct task_struct *,
 *				 unsigned int)
 *	xdp_exception		(const struct net_device *, const struct bpf_prog *,
 *				 unsigned int)
 *	rete_first_wins		(struct net *, struct sk_buff *, struct sk_buff *,
 *				 struct net_device *, struct net_device *,
 *				 enum skb_drop_reason, enum skb_drop_reason)
 *	rete_modifiers		(const volatile skb_ptr_t, net_device_t *, drop_reason_t,
 *				 const struct net *restrict)
 *	rete_type_tag		(struct sk_buff __tag("rcu") *)
 *	rete_not_matched	(struct sk_buff **, struct sk_buff, struct sk_buff_head *, int *,
 *				 enum rete_test_signed, union sk_buff_u *)
 *	rete_not_ptr		typedef to int, not a pointer
 *	rete_not_proto		pointer to int, not to a prototype
 *	rete_no_ctx		prototype without the context parameter
 *
 * Kernel functions:
 *	ip_rcv			(struct sk_buff *, struct net_device *,
 *				 struct packet_type *, struct net_device *)
 *	__ip_local_out		(struct net *, struct sock *, struct sk_buff *)
 *	kfree_skb_reason	(struct sk_buff *, enum skb_drop_reason)
 *	rete_void_fn		(void)
 *
 * Enums: skb_drop_reason (unsigned, has SKB_DROP_REASON_SUBSYS_MASK = 0xffff0000),
 * skb_drop_reason_subsys, ovs_drop_reason, mac80211_drop_reason, and for
 * rete_btf_enum_name(): rete_test_signed, rete_test_unsigned, rete_test_enum64
 * (unsigned 64-bit) and rete_test_enum64s (signed 64-bit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>

#include <bpf/btf.h>

#include "helpers/btf_builder.h"

#define MAX_PARAMS 8

/* Every btf__add_*() returns a type id (> 0), 0 for values/params, or -errno. */
static int ok(int id)
{
	assert_true(id >= 0);
	return id;
}

static int add_proto(struct btf *btf, int ret_type, const int *params, int n)
{
	int id = ok(btf__add_func_proto(btf, ret_type));
	char name[16];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		ok(btf__add_func_param(btf, name, params[i]));
	}
	return id;
}

/* typedef void (*btf_trace_<event>)(void *__data, params...) */
static void add_tp(struct btf *btf, int void_ptr, const char *event, const int *params, int n)
{
	int all[MAX_PARAMS + 1], proto;
	char name[128];

	assert_true(n <= MAX_PARAMS);
	all[0] = void_ptr;
	for (int i = 0; i < n; i++)
		all[i + 1] = params[i];
	proto = add_proto(btf, 0, all, n + 1);
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	ok(btf__add_typedef(btf, name, ok(btf__add_ptr(btf, proto))));
}

static void add_func(struct btf *btf, int ret_type, const char *name, const int *params, int n)
{
	ok(btf__add_func(btf, name, BTF_FUNC_GLOBAL, add_proto(btf, ret_type, params, n)));
}

static void add_enum_values(struct btf *btf, const char *const *names, const int64_t *values,
			    int n)
{
	for (int i = 0; i < n; i++)
		ok(btf__add_enum_value(btf, names[i], values[i]));
}

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct btf *rete_test_btf_new(void)
{
	struct btf *btf = btf__new_empty();
	int t_int, t_uint, t_bool, void_ptr, int_ptr;
	int s_skb, s_dev, s_net, s_sock, s_qdisc, s_txq, s_task, s_prog, s_pt, s_head, u_skb;
	int p_skb, p_cskb, p_dev, p_cdev, p_net, p_sock, p_task, p_skb_pp, p_uskb;
	int e_reason, e_signed;

	assert_non_null(btf);

	t_int = ok(btf__add_int(btf, "int", 4, BTF_INT_SIGNED));
	t_uint = ok(btf__add_int(btf, "unsigned int", 4, 0));
	t_bool = ok(btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL));
	void_ptr = ok(btf__add_ptr(btf, 0));
	int_ptr = ok(btf__add_ptr(btf, t_int));

	s_skb = ok(btf__add_struct(btf, "sk_buff", 232));
	s_dev = ok(btf__add_struct(btf, "net_device", 2048));
	s_net = ok(btf__add_struct(btf, "net", 4096));
	s_sock = ok(btf__add_struct(btf, "sock", 760));
	s_qdisc = ok(btf__add_struct(btf, "Qdisc", 384));
	s_txq = ok(btf__add_struct(btf, "netdev_queue", 384));
	s_task = ok(btf__add_struct(btf, "task_struct", 8192));
	s_prog = ok(btf__add_struct(btf, "bpf_prog", 72));
	s_pt = ok(btf__add_struct(btf, "packet_type", 64));
	s_head = ok(btf__add_struct(btf, "sk_buff_head", 24));
	/* A union that merely shares the name must not count as struct sk_buff. */
	u_skb = ok(btf__add_union(btf, "sk_buff_u", 8));

	p_skb = ok(btf__add_ptr(btf, s_skb));
	p_cskb = ok(btf__add_ptr(btf, ok(btf__add_const(btf, s_skb))));
	p_dev = ok(btf__add_ptr(btf, s_dev));
	p_cdev = ok(btf__add_ptr(btf, ok(btf__add_const(btf, s_dev))));
	p_net = ok(btf__add_ptr(btf, s_net));
	p_sock = ok(btf__add_ptr(btf, s_sock));
	p_task = ok(btf__add_ptr(btf, s_task));
	p_skb_pp = ok(btf__add_ptr(btf, p_skb));
	p_uskb = ok(btf__add_ptr(btf, u_skb));

	/* Drop reasons, shaped like include/net/dropreason-core.h and friends. */
	{
		static const char *const names[] = {
			"SKB_NOT_DROPPED_YET",
			"SKB_CONSUMED",
			"SKB_DROP_REASON_NOT_SPECIFIED",
			"SKB_DROP_REASON_NO_SOCKET",
			"SKB_DROP_REASON_PKT_TOO_SMALL",
			"SKB_DROP_REASON_TCP_CSUM",
			"SKB_DROP_REASON_NETFILTER_DROP",
			"SKB_DROP_REASON_MAX",
			"SKB_DROP_REASON_SUBSYS_MASK",
		};
		static const int64_t values[] = { 0, 1, 2, 3, 4, 5, 6, 7, 0xffff0000 };

		e_reason = ok(btf__add_enum(btf, "skb_drop_reason", 4));
		add_enum_values(btf, names, values, ARRAY_LEN(names));
	}
	{
		static const char *const names[] = {
			"SKB_DROP_REASON_SUBSYS_CORE",
			"SKB_DROP_REASON_SUBSYS_MAC80211_UNUSABLE",
			"SKB_DROP_REASON_SUBSYS_MAC80211_MONITOR",
			"SKB_DROP_REASON_SUBSYS_OPENVSWITCH",
			"SKB_DROP_REASON_SUBSYS_FUTURE",
			"SKB_DROP_REASON_SUBSYS_NUM",
		};
		static const int64_t values[] = {
			0,
			RETE_TEST_SUBSYS_MAC80211_UNUSABLE,
			RETE_TEST_SUBSYS_MAC80211_MONITOR,
			RETE_TEST_SUBSYS_OPENVSWITCH,
			RETE_TEST_SUBSYS_FUTURE,
			RETE_TEST_SUBSYS_FUTURE + 1,
		};

		ok(btf__add_enum(btf, "skb_drop_reason_subsys", 4));
		add_enum_values(btf, names, values, ARRAY_LEN(names));
	}
	{
		static const char *const names[] = {
			"OVS_DROP_REASON_START",
			"OVS_DROP_LAST_ACTION",
			"OVS_DROP_ACTION_ERROR",
			"OVS_DROP_EXPLICIT",
		};
		static const int64_t values[] = {
			RETE_TEST_SUBSYS_OPENVSWITCH << 16,
			(RETE_TEST_SUBSYS_OPENVSWITCH << 16) + 1,
			(RETE_TEST_SUBSYS_OPENVSWITCH << 16) + 2,
			(RETE_TEST_SUBSYS_OPENVSWITCH << 16) + 3,
		};

		ok(btf__add_enum(btf, "ovs_drop_reason", 4));
		add_enum_values(btf, names, values, ARRAY_LEN(names));
	}
	{
		static const char *const names[] = {
			"RX_DROP_U_MIC_FAIL",
			"RX_DROP_U_REPLAY",
			"RX_DROP_M_UNEXPECTED_4ADDR_FRAME",
		};
		static const int64_t values[] = {
			(RETE_TEST_SUBSYS_MAC80211_UNUSABLE << 16) + 1,
			(RETE_TEST_SUBSYS_MAC80211_UNUSABLE << 16) + 2,
			(RETE_TEST_SUBSYS_MAC80211_MONITOR << 16) + 1,
		};

		ok(btf__add_enum(btf, "mac80211_drop_reason", 4));
		add_enum_values(btf, names, values, ARRAY_LEN(names));
	}
	{
		/* libbpf marks the enum signed (kflag) when a value is negative. */
		static const char *const names[] = {
			"TS_NEG_ONE", "TS_ZERO", "TS_INT_MIN", "TS_INT_MAX",
		};
		static const int64_t values[] = { -1, 0, INT32_MIN, INT32_MAX };

		e_signed = ok(btf__add_enum(btf, "rete_test_signed", 4));
		add_enum_values(btf, names, values, ARRAY_LEN(names));
	}
	{
		static const char *const names[] = { "TU_ONE", "TU_HIGH" };
		static const int64_t values[] = { 1, 0xfffffffe };

		ok(btf__add_enum(btf, "rete_test_unsigned", 4));
		add_enum_values(btf, names, values, ARRAY_LEN(names));
	}
	ok(btf__add_enum64(btf, "rete_test_enum64", 8, false));
	ok(btf__add_enum64_value(btf, "TE_ONE", 1));
	ok(btf__add_enum64_value(btf, "TE_BIG", 1ULL << 40));
	ok(btf__add_enum64(btf, "rete_test_enum64s", 8, true));
	ok(btf__add_enum64_value(btf, "TES_NEG_FIVE", (uint64_t)-5));
	ok(btf__add_enum64_value(btf, "TES_MIN", (uint64_t)INT64_MIN));

	/* Tracepoints. */
	{
		const int a[] = { p_skb, void_ptr, e_reason, p_sock };

		add_tp(btf, void_ptr, "kfree_skb", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_skb, void_ptr };

		add_tp(btf, void_ptr, "consume_skb", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_skb };

		add_tp(btf, void_ptr, "netif_receive_skb", a, ARRAY_LEN(a));
		add_tp(btf, void_ptr, "netif_rx", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_cskb, p_cdev };

		add_tp(btf, void_ptr, "net_dev_start_xmit", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { ok(btf__add_ptr(btf, s_qdisc)),
				  ok(btf__add_ptr(btf, ok(btf__add_const(btf, s_txq)))), t_int,
				  p_skb };

		add_tp(btf, void_ptr, "qdisc_dequeue", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { t_bool, p_task, p_task, t_uint };

		add_tp(btf, void_ptr, "sched_switch", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_cdev, ok(btf__add_ptr(btf, ok(btf__add_const(btf, s_prog)))),
				  t_uint };

		add_tp(btf, void_ptr, "xdp_exception", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_net, p_skb, p_skb, p_dev, p_dev, e_reason, e_reason };

		add_tp(btf, void_ptr, "rete_first_wins", a, ARRAY_LEN(a));
	}
	{
		int skb_ptr_t = ok(btf__add_typedef(btf, "skb_ptr_t", p_skb));
		int cv_skb = ok(btf__add_const(btf, ok(btf__add_volatile(btf, skb_ptr_t))));
		int c_dev = ok(btf__add_const(btf, s_dev));
		int dev_td = ok(btf__add_typedef(btf, "net_device_t", c_dev));
		int reason_t = ok(btf__add_typedef(btf, "drop_reason_t", e_reason));
		int net_r = ok(btf__add_restrict(
			btf, ok(btf__add_ptr(btf, ok(btf__add_const(btf, s_net))))));
		const int a[] = { cv_skb, ok(btf__add_ptr(btf, dev_td)), reason_t, net_r };

		add_tp(btf, void_ptr, "rete_modifiers", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { ok(btf__add_ptr(btf, ok(btf__add_type_tag(btf, "rcu", s_skb)))) };

		add_tp(btf, void_ptr, "rete_type_tag", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_skb_pp, s_skb, ok(btf__add_ptr(btf, s_head)), int_ptr, e_signed,
				  p_uskb };

		add_tp(btf, void_ptr, "rete_not_matched", a, ARRAY_LEN(a));
	}
	ok(btf__add_typedef(btf, "btf_trace_rete_not_ptr", t_int));
	ok(btf__add_typedef(btf, "btf_trace_rete_not_proto", int_ptr));
	ok(btf__add_typedef(btf, "btf_trace_rete_no_ctx",
			    ok(btf__add_ptr(btf, add_proto(btf, 0, NULL, 0)))));

	/* Kernel functions. */
	{
		const int a[] = { p_skb, p_dev, ok(btf__add_ptr(btf, s_pt)), p_dev };

		add_func(btf, t_int, "ip_rcv", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_net, p_sock, p_skb };

		add_func(btf, t_int, "__ip_local_out", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_skb, e_reason };

		add_func(btf, 0, "kfree_skb_reason", a, ARRAY_LEN(a));
	}
	add_func(btf, 0, "rete_void_fn", NULL, 0);
	return btf;
}
