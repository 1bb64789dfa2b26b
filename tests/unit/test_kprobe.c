/*
 * Kernel function probes without a kernel: the traceable function list
 * (core/kfuncs.h) from fixture files, kprobe and kretprobe resolution
 * against the synthetic BTF of helpers/btf_builder.c plus functions added
 * here, the register reach of arguments (core/btf.h), and .rodata settings
 * by name on the kprobe BPF object (core/bpf_obj.h; opening an object needs
 * neither root nor BPF).
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

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/bpf_obj.h"
#include "core/btf.h"
#include "core/kfuncs.h"
#include "core/probe.h"
#include "core/probe_stack.h"
#include "helpers/btf_builder.h"
#include "helpers/fixture.h"
#include "uapi/rete_config.h" /* the skeleton's .rodata types */
#include "kprobe.skel.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* available_filter_functions: unsorted, a duplicate, a module function. */
static const char tracefs_list[] = "tcp_v4_rcv\n"
				   "ip_rcv\n"
				   "__ip_local_out\n"
				   "kfree_skb_reason\n"
				   "tcp_v4_do_rcv\n"
				   "tcp_v4_blacklisted\n"
				   "tcp_v4_seven\n"
				   "rete_byval\n"
				   "rete_net_only\n"
				   "rete_dev_late\n"
				   "rete_void_fn\n"
				   "ovs_dp_process_packet [openvswitch]\n"
				   "ip_rcv\n"
				   "rete_no_btf\n";

static const char blacklist[] = "0xffffffff81000000-0xffffffff81000040\ttcp_v4_blacklisted\n"
				"0xffffffff81000040-0xffffffff81000080\tasm_exc_overflow\n";

static const char kallsyms[] = "ffffffff81a00000 T ip_rcv\n"
			       "ffffffff81b00000 t tcp_v4_rcv\n"
			       "ffffffff82000000 D init_net\n"
			       "ffffffff82100000 r some_rodata\n"
			       "ffffffffc0001000 t ovs_dp_process_packet\t[openvswitch]\n"
			       "0000000000000000 T restricted_addr\n"
			       "garbage\n";

struct fixture {
	char list[256], black[256], ksyms[256];
	struct rete_kfuncs *kf;
	struct btf *btf;
	struct rete_probe_set set;
	char err[512];
};

static int ok(int id)
{
	assert_true(id >= 0);
	return id;
}

static int type_id(const struct btf *btf, const char *name, int kind)
{
	return ok(btf__find_by_name_kind(btf, name, kind));
}

static void add_func(struct btf *btf, const char *name, const int *params, size_t n)
{
	int proto = ok(btf__add_func_proto(btf, 0));
	char pname[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(pname, sizeof(pname), "a%zu", i);
		ok(btf__add_func_param(btf, pname, params[i]));
	}
	ok(btf__add_func(btf, name, BTF_FUNC_GLOBAL, proto));
}

/* The builder's BTF plus functions that exercise every kprobe rule. */
static struct btf *kprobe_btf(void)
{
	struct btf *btf = rete_test_btf_new();
	int t_int = type_id(btf, "int", BTF_KIND_INT);
	int p_skb = ok(btf__add_ptr(btf, type_id(btf, "sk_buff", BTF_KIND_STRUCT)));
	int p_dev = ok(btf__add_ptr(btf, type_id(btf, "net_device", BTF_KIND_STRUCT)));
	int p_net = ok(btf__add_ptr(btf, type_id(btf, "net", BTF_KIND_STRUCT)));
	int p_sock = ok(btf__add_ptr(btf, type_id(btf, "sock", BTF_KIND_STRUCT)));
	int t_long = ok(btf__add_int(btf, "long", 8, BTF_INT_SIGNED));
	int t_i128 = ok(btf__add_int(btf, "__int128", 16, BTF_INT_SIGNED));
	int s_pair = ok(btf__add_struct(btf, "rete_pair", 16));

	ok(btf__add_field(btf, "a", t_long, 0, 0));
	ok(btf__add_field(btf, "b", t_long, 64, 0));
	{
		const int a[] = { p_skb };

		add_func(btf, "tcp_v4_rcv", a, ARRAY_LEN(a));
		add_func(btf, "tcp_v4_blacklisted", a, ARRAY_LEN(a));
		add_func(btf, "tcp_v4_notrace", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_sock, p_skb };

		add_func(btf, "tcp_v4_do_rcv", a, ARRAY_LEN(a));
	}
	{
		/* The skb is the seventh argument: on the stack, not in a register. */
		const int a[] = { t_int, t_int, t_int, t_int, t_int, t_long, p_skb };

		add_func(btf, "tcp_v4_seven", a, ARRAY_LEN(a));
	}
	{
		/* A 16-byte struct by value takes two registers: indexes no longer match. */
		const int a[] = { s_pair, p_skb };

		add_func(btf, "rete_byval", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { t_i128, p_skb };

		add_func(btf, "rete_wide", a, ARRAY_LEN(a));
	}
	{
		const int a[] = { p_net };

		add_func(btf, "rete_net_only", a, ARRAY_LEN(a));
	}
	{
		/* The device is out of reach, the skb is not: the probe keeps the skb only. */
		const int a[] = { p_skb, t_int, t_int, t_int, t_int, t_int, p_dev };

		add_func(btf, "rete_dev_late", a, ARRAY_LEN(a));
	}
	return btf;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	rete_test_file_write("available_filter_functions", tracefs_list, f->list,
			     sizeof(f->list));
	rete_test_file_write("blacklist", blacklist, f->black, sizeof(f->black));
	rete_test_file_write("kallsyms", kallsyms, f->ksyms, sizeof(f->ksyms));
	assert_int_equal(rete_kfuncs_load_files(f->list, RETE_KFUNCS_TRACEFS, f->black, &f->kf),
			 0);
	f->btf = kprobe_btf();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rete_probe_set_free(&f->set);
	rete_kfuncs_free(f->kf);
	btf__free(f->btf);
	rete_test_file_remove(f->list);
	rete_test_file_remove(f->black);
	rete_test_file_remove(f->ksyms);
	free(f);
	return 0;
}

/* The traceable list. */

static void test_kfuncs_tracefs(void **state)
{
	struct fixture *f = *state;

	/* 14 lines, ip_rcv twice. */
	assert_int_equal(rete_kfuncs_count(f->kf), 13);
	assert_int_equal(rete_kfuncs_blacklist_count(f->kf), 2);
	assert_true(rete_kfuncs_traceable(f->kf, "ip_rcv"));
	assert_true(rete_kfuncs_traceable(f->kf, "tcp_v4_rcv"));
	assert_true(rete_kfuncs_traceable(f->kf, "rete_no_btf"));
	/* The module is not part of the name. */
	assert_true(rete_kfuncs_traceable(f->kf, "ovs_dp_process_packet"));
	assert_false(rete_kfuncs_traceable(f->kf, "ovs_dp_process_packet [openvswitch]"));
	assert_false(rete_kfuncs_traceable(f->kf, "tcp_v4_notrace"));
	assert_false(rete_kfuncs_traceable(f->kf, "ip_rc"));
	assert_false(rete_kfuncs_traceable(f->kf, ""));
	assert_true(rete_kfuncs_blacklisted(f->kf, "tcp_v4_blacklisted"));
	assert_true(rete_kfuncs_blacklisted(f->kf, "asm_exc_overflow"));
	assert_false(rete_kfuncs_blacklisted(f->kf, "ip_rcv"));
	assert_string_equal(rete_kfuncs_source_name(f->kf), "available_filter_functions");
}

static void test_kfuncs_kallsyms(void **state)
{
	struct fixture *f = *state;
	struct rete_kfuncs *kf;

	/* Text symbols, whatever the address (0 under kptr_restrict); no blacklist. */
	assert_int_equal(rete_kfuncs_load_files(f->ksyms, RETE_KFUNCS_KALLSYMS, NULL, &kf), 0);
	assert_int_equal(rete_kfuncs_count(kf), 4);
	assert_int_equal(rete_kfuncs_blacklist_count(kf), 0);
	assert_true(rete_kfuncs_traceable(kf, "ip_rcv"));
	assert_true(rete_kfuncs_traceable(kf, "tcp_v4_rcv"));
	assert_true(rete_kfuncs_traceable(kf, "ovs_dp_process_packet"));
	assert_true(rete_kfuncs_traceable(kf, "restricted_addr"));
	assert_false(rete_kfuncs_traceable(kf, "init_net"));
	assert_false(rete_kfuncs_traceable(kf, "some_rodata"));
	assert_false(rete_kfuncs_traceable(kf, "garbage"));
	assert_string_equal(rete_kfuncs_source_name(kf), "/proc/kallsyms");
	rete_kfuncs_free(kf);
}

static void test_kfuncs_errors(void **state)
{
	struct fixture *f = *state;
	struct rete_kfuncs *kf = (void *)0x1;

	assert_int_equal(rete_kfuncs_load_files("/nonexistent/list", RETE_KFUNCS_TRACEFS, NULL,
						&kf),
			 -ENOENT);
	assert_int_equal(rete_kfuncs_load_files(f->list, RETE_KFUNCS_SOURCE_MAX, NULL, &kf),
			 -EINVAL);
	/* Untouched on error. */
	assert_ptr_equal(kf, (void *)0x1);
	/* A missing blacklist is not an error: it only refines the list. */
	assert_int_equal(rete_kfuncs_load_files(f->list, RETE_KFUNCS_TRACEFS, "/nonexistent/bl",
						&kf),
			 0);
	assert_int_equal(rete_kfuncs_blacklist_count(kf), 0);
	rete_kfuncs_free(kf);
	rete_kfuncs_free(NULL);
}

/* Register reach. */

static int reach_of(const struct btf *btf, const char *func)
{
	int id = type_id(btf, func, BTF_KIND_FUNC);

	return rete_btf_proto_reg_params(btf, btf__type_by_id(btf, (uint32_t)id)->type);
}

static void test_reg_params(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(reach_of(f->btf, "ip_rcv"), 4);
	assert_int_equal(reach_of(f->btf, "tcp_v4_seven"), 7);
	assert_int_equal(reach_of(f->btf, "rete_byval"), 0);
	assert_int_equal(reach_of(f->btf, "rete_wide"), 0);
	assert_int_equal(reach_of(f->btf, "rete_void_fn"), 0);
	assert_int_equal(rete_btf_proto_reg_params(f->btf, 1), -EINVAL);
}

/* Resolution. */

static size_t resolve(struct fixture *f, const char *s, uint8_t flags, int want_rc,
		      const char *want_err)
{
	struct rete_probe_spec spec;
	size_t added = 12345;
	int rc;

	assert_int_equal(rete_probe_parse(s, &spec, f->err, sizeof(f->err)), 0);
	f->err[0] = '\0';
	rc = rete_probe_resolve_kfunc(&spec, f->btf, f->kf, flags, &f->set, &added, f->err,
				      sizeof(f->err));
	if (rc != want_rc) {
		print_error("'%s': rc %d (%s), want %d\n", s, rc, f->err, want_rc);
		fail();
	}
	if (want_rc) {
		assert_string_equal(f->err, want_err);
		assert_int_equal(added, 12345);
		return 0;
	}
	return added;
}

static const struct rete_probe *find(struct fixture *f, enum rete_probe_type type,
				     const char *symbol)
{
	const struct rete_probe *p = rete_probe_set_find(&f->set, type, symbol);

	if (!p) {
		print_error("no %s probe '%s'\n", rete_probe_type_name(type), symbol);
		fail();
	}
	return p;
}

static void test_resolve_kprobe(void **state)
{
	struct fixture *f = *state;
	const struct rete_probe *p;

	assert_int_equal(resolve(f, "kprobe:ip_rcv", RETE_PROBE_F_EMIT, 0, NULL), 1);
	p = find(f, RETE_PROBE_KPROBE, "ip_rcv");
	assert_int_equal(p->args.nargs, 4);
	assert_int_equal(p->args.pos[RETE_ARG_SKB], 0);
	assert_int_equal(p->args.pos[RETE_ARG_NET_DEVICE], 1);
	assert_int_equal(p->args.pos[RETE_ARG_NET], -1);
	assert_int_equal(p->flags, RETE_PROBE_F_EMIT);
	assert_false(p->optional);

	/* No type is a kprobe; the skb found where it is. */
	assert_int_equal(resolve(f, "tcp_v4_do_rcv/stack", RETE_PROBE_F_EMIT, 0, NULL), 1);
	p = find(f, RETE_PROBE_KPROBE, "tcp_v4_do_rcv");
	assert_int_equal(p->args.pos[RETE_ARG_SKB], 1);
	assert_int_equal(p->flags, RETE_PROBE_F_EMIT | RETE_PROBE_F_STACK);

	assert_int_equal(resolve(f, "k:kfree_skb_reason", RETE_PROBE_F_EMIT, 0, NULL), 1);
	p = find(f, RETE_PROBE_KPROBE, "kfree_skb_reason");
	assert_int_equal(p->args.pos[RETE_ARG_DROP_REASON], 1);

	/* Arguments out of register reach are dropped, the skb kept. */
	assert_int_equal(resolve(f, "k:rete_dev_late", RETE_PROBE_F_EMIT, 0, NULL), 1);
	p = find(f, RETE_PROBE_KPROBE, "rete_dev_late");
	assert_int_equal(p->args.pos[RETE_ARG_SKB], 0);
	assert_int_equal(p->args.pos[RETE_ARG_NET_DEVICE], -1);
	assert_int_equal(f->set.n, 4);
}

static void test_resolve_kretprobe(void **state)
{
	struct fixture *f = *state;
	const struct rete_probe *p;

	assert_int_equal(resolve(f, "kretprobe:tcp_v4_rcv", RETE_PROBE_F_EMIT, 0, NULL), 1);
	p = find(f, RETE_PROBE_KRETPROBE, "tcp_v4_rcv");
	assert_int_equal(p->flags, RETE_PROBE_F_EMIT | RETE_PROBE_F_RETURN);
	assert_int_equal(p->args.pos[RETE_ARG_SKB], 0);
	/* A kprobe on the same function is a probe of its own. */
	assert_int_equal(resolve(f, "kprobe:tcp_v4_rcv", RETE_PROBE_F_EMIT, 0, NULL), 1);
	assert_int_equal(f->set.n, 2);
	assert_int_equal(find(f, RETE_PROBE_KPROBE, "tcp_v4_rcv")->flags, RETE_PROBE_F_EMIT);
	/* Merging keeps the return flag. */
	assert_int_equal(resolve(f, "kr:tcp_v4_rcv/stack", 0, 0, NULL), 1);
	assert_int_equal(f->set.n, 2);
	assert_int_equal(find(f, RETE_PROBE_KRETPROBE, "tcp_v4_rcv")->flags,
			 RETE_PROBE_F_EMIT | RETE_PROBE_F_RETURN | RETE_PROBE_F_STACK);
}

/* fentry/fexit resolve like kprobes, fexit reports at return; the kprobe blacklist does not bind. */
static void test_resolve_fentry(void **state)
{
	struct fixture *f = *state;
	const struct rete_probe *p;

	assert_int_equal(resolve(f, "fentry:ip_rcv", RETE_PROBE_F_EMIT, 0, NULL), 1);
	p = find(f, RETE_PROBE_FENTRY, "ip_rcv");
	assert_int_equal(p->flags, RETE_PROBE_F_EMIT);
	assert_int_equal(p->args.pos[RETE_ARG_NET_DEVICE], 1);
	assert_int_equal(resolve(f, "fexit:tcp_v4_rcv", RETE_PROBE_F_EMIT, 0, NULL), 1);
	p = find(f, RETE_PROBE_FEXIT, "tcp_v4_rcv");
	assert_int_equal(p->flags, RETE_PROBE_F_EMIT | RETE_PROBE_F_RETURN);
	assert_int_equal(resolve(f, "fentry:tcp_v4_blacklisted", RETE_PROBE_F_EMIT, 0, NULL), 1);
	find(f, RETE_PROBE_FENTRY, "tcp_v4_blacklisted");
	/* A wildcard skips only what trampolines cannot reach. */
	assert_int_equal(resolve(f, "fexit:tcp_v4_*", RETE_PROBE_F_EMIT, 0, NULL), 3);
	assert_true(find(f, RETE_PROBE_FEXIT, "tcp_v4_blacklisted")->optional);
	assert_int_equal(f->set.skipped.blacklisted, 0);
	assert_int_equal(f->set.skipped.untraceable, 1);
	assert_int_equal(f->set.skipped.unreachable, 1);
}

/* --probe-stack: each stack frame's function is looked at once; probe-able ones are added. */
static void test_probe_stack(void **state)
{
	static const char *const frames[] = {
		"ip_rcv+0x1f",		/* added */
		"rete_void_fn+0x3",	/* no skb argument */
		"0xffffffffc0001234",	/* unsymbolized */
		"ip_rcv+0x20",		/* seen: once only */
		"tcp_v4_rcv+0x10",	/* already a probe */
		"tcp_v4_notrace+0x1",	/* not traceable */
		"tcp_v4_blacklisted+0x8", /* kprobe blacklist */
		"rete_no_such_function+0x2",
	};
	struct fixture *f = *state;
	struct rete_probe_stack *ps;
	struct rete_ev_kernel k;

	memset(&k, 0, sizeof(k));
	k.has_stack = true;
	k.nstack = ARRAY_LEN(frames);
	for (size_t i = 0; i < ARRAY_LEN(frames); i++)
		k.stack[i] = frames[i];
	/* A probe the user gave is not added twice. */
	assert_int_equal(resolve(f, "kprobe:tcp_v4_rcv/stack", RETE_PROBE_F_EMIT, 0, NULL), 1);
	assert_int_equal(rete_probe_stack_new(f->btf, f->kf, &ps), 0);
	assert_int_equal(rete_probe_stack_scan(ps, &k, &f->set), 1);
	assert_int_equal(f->set.n, 2);
	assert_true(find(f, RETE_PROBE_KPROBE, "ip_rcv")->optional);
	assert_int_equal(find(f, RETE_PROBE_KPROBE, "ip_rcv")->flags, RETE_PROBE_F_EMIT);
	assert_false(find(f, RETE_PROBE_KPROBE, "tcp_v4_rcv")->optional);
	assert_int_equal(rete_probe_stack_seen(ps), 6);
	/* The same stack again adds nothing. */
	assert_int_equal(rete_probe_stack_scan(ps, &k, &f->set), 0);
	assert_int_equal(f->set.n, 2);
	/* No stack, nothing to do. */
	k.has_stack = false;
	assert_int_equal(rete_probe_stack_scan(ps, &k, &f->set), 0);
	rete_probe_stack_free(ps);
	rete_probe_stack_free(NULL);
}

struct err_case {
	const char *probe;
	int rc;
	const char *err;
};

static const struct err_case resolve_errors[] = {
	{ "k:ip_rvc", -ENOENT,
	  "kernel function 'ip_rvc' does not exist on this kernel (did you mean 'ip_rcv'?)" },
	{ "k:zzzzzzzzzzzz", -ENOENT,
	  "kernel function 'zzzzzzzzzzzz' does not exist on this kernel" },
	{ "kr:rete_no_btf", -ENOENT,
	  "cannot use kretprobe probe 'rete_no_btf': the function has no prototype in the "
	  "kernel's BTF, so rete cannot find its struct sk_buff * argument" },
	{ "k:rete_void_fn", -EINVAL,
	  "kernel function 'rete_void_fn' has no argument rete understands (struct sk_buff *, "
	  "enum skb_drop_reason, struct net_device *, struct net *)" },
	{ "k:rete_net_only", -EINVAL,
	  "kernel function 'rete_net_only' has no struct sk_buff * argument; only skb functions "
	  "can be probed for now" },
	{ "k:tcp_v4_notrace", -ENOENT,
	  "cannot use kprobe probe 'tcp_v4_notrace': the function is not in "
	  "available_filter_functions (it is notrace, inlined everywhere, or renamed by the "
	  "compiler)" },
	{ "kr:tcp_v4_blacklisted", -EPERM,
	  "cannot use kretprobe probe 'tcp_v4_blacklisted': the function is on the kernel's "
	  "kprobe blacklist" },
	{ "k:tcp_v4_seven", -EOPNOTSUPP,
	  "cannot use kprobe probe 'tcp_v4_seven': its struct sk_buff * is argument 7, and "
	  "rete reads only the first 6 (those passed in registers)" },
	{ "fexit:tcp_v4_seven", -EOPNOTSUPP,
	  "cannot use fexit probe 'tcp_v4_seven': its struct sk_buff * is argument 7, and "
	  "rete reads only the first 6 (those passed in registers)" },
	{ "k:rete_byval", -EOPNOTSUPP,
	  "cannot use kprobe probe 'rete_byval': its struct sk_buff * is argument 2, and rete "
	  "reads only the arguments before the first one passed by value as a struct" },
	{ "fentry:tcp_v4_notrace", -ENOENT,
	  "cannot use fentry probe 'tcp_v4_notrace': the function is not in "
	  "available_filter_functions (it is notrace, inlined everywhere, or renamed by the "
	  "compiler)" },
	{ "k:tcp_v9_*", -ENOENT,
	  "no traceable kernel function with a struct sk_buff * argument matches 'tcp_v9_*'" },
	{ "k:rete_void*", -ENOENT,
	  "no traceable kernel function with a struct sk_buff * argument matches 'rete_void*'" },
};

static void test_resolve_errors(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < ARRAY_LEN(resolve_errors); i++)
		resolve(f, resolve_errors[i].probe, RETE_PROBE_F_EMIT, resolve_errors[i].rc,
			resolve_errors[i].err);
	assert_int_equal(f->set.n, 0);
}

static void test_resolve_wildcard(void **state)
{
	struct fixture *f = *state;

	/*
	 * tcp_v4_rcv and tcp_v4_do_rcv are added; tcp_v4_notrace (not traceable),
	 * tcp_v4_blacklisted and tcp_v4_seven (skb in no register) are counted.
	 */
	assert_int_equal(resolve(f, "kr:tcp_v4_*", RETE_PROBE_F_EMIT, 0, NULL), 2);
	assert_int_equal(f->set.n, 2);
	assert_true(find(f, RETE_PROBE_KRETPROBE, "tcp_v4_rcv")->optional);
	assert_true(find(f, RETE_PROBE_KRETPROBE, "tcp_v4_do_rcv")->optional);
	assert_int_equal(find(f, RETE_PROBE_KRETPROBE, "tcp_v4_rcv")->flags,
			 RETE_PROBE_F_EMIT | RETE_PROBE_F_RETURN);
	assert_int_equal(f->set.skipped.no_skb, 0);
	assert_int_equal(f->set.skipped.untraceable, 1);
	assert_int_equal(f->set.skipped.blacklisted, 1);
	assert_int_equal(f->set.skipped.unreachable, 1);
	/* Named explicitly, a probe stops being optional; counts accumulate. */
	assert_int_equal(resolve(f, "kr:tcp_v4_rcv", RETE_PROBE_F_EMIT, 0, NULL), 1);
	assert_false(find(f, RETE_PROBE_KRETPROBE, "tcp_v4_rcv")->optional);
	assert_int_equal(resolve(f, "kr:tcp_v4_*", RETE_PROBE_F_EMIT, 0, NULL), 2);
	assert_false(find(f, RETE_PROBE_KRETPROBE, "tcp_v4_rcv")->optional);
	assert_int_equal(f->set.skipped.untraceable, 2);
	/* Everything with an skb argument; the others are counted. */
	assert_int_equal(resolve(f, "k:*", RETE_PROBE_F_EMIT, 0, NULL), 6);
	assert_int_equal(f->set.n, 8);
	/* rete_void_fn and rete_net_only (no skb), rete_wide (not traceable). */
	assert_int_equal(f->set.skipped.no_skb, 2);
	assert_int_equal(f->set.skipped.untraceable, 2 + 2);
}

/* The chain's settings are one typed .rodata struct, the same as userspace's. */

static void test_rodata(void **state)
{
	struct rete_kprobe *skel = rete_kprobe__open();
	struct rete_chain_cfg cfg = { .skb = 1, .stack_all = 1, .wakeup_bytes = 12345 };

	(void)state;
	assert_non_null(skel);
	assert_int_equal(sizeof(skel->rodata->rete_cfg), sizeof(cfg));
	assert_int_equal(skel->rodata->rete_cfg.skb, 0);
	skel->rodata->rete_cfg = cfg;
	assert_int_equal(skel->rodata->rete_cfg.wakeup_bytes, 12345);
	assert_int_equal(skel->rodata->rete_cfg.stack_all, 1);
	rete_kprobe__destroy(skel);
}

static void test_shared_maps_lookup(void **state)
{
	struct rete_shared_maps sm = { 0 };

	(void)state;
	assert_int_equal(rete_shared_maps_fd(&sm, "rete_events"), -ENOENT);
	snprintf(sm.m[0].name, sizeof(sm.m[0].name), "rete_events");
	sm.m[0].fd = 42;
	sm.n = 1;
	assert_int_equal(rete_shared_maps_fd(&sm, "rete_events"), 42);
	assert_int_equal(rete_shared_maps_fd(&sm, "rete_event"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve_fentry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kfuncs_tracefs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kfuncs_kallsyms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kfuncs_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reg_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_kprobe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_kretprobe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_wildcard, setup, teardown),
		cmocka_unit_test(test_rodata),
		cmocka_unit_test(test_shared_maps_lookup),
	};

	/* Opening BPF objects logs nothing worth seeing here. */
	libbpf_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
