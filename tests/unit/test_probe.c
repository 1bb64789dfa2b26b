/*
 * Probes (core/probe.h): the `[TYPE:]TARGET[/OPT]` parser with every
 * accepted form and every error sentence, and resolution against the
 * synthetic BTF of helpers/btf_builder.c and a hand-filled tracefs event
 * list.
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
#include <unistd.h>

#include <bpf/btf.h>

#include "core/probe.h"
#include "core/tracefs.h"
#include "helpers/btf_builder.h"
#include "uapi/rete_config.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Parsing. */

struct parse_case {
	const char *in;
	enum rete_probe_type type;
	const char *target;
	bool stack, wildcard;
};

static const struct parse_case parse_ok[] = {
	{ "tp:skb:kfree_skb", RETE_PROBE_RAW_TP, "skb:kfree_skb", false, false },
	{ "raw_tracepoint:net:netif_rx", RETE_PROBE_RAW_TP, "net:netif_rx", false, false },
	/* No type and one colon: a tracepoint. */
	{ "skb:kfree_skb", RETE_PROBE_RAW_TP, "skb:kfree_skb", false, false },
	/* No type and no colon: a kernel function. */
	{ "ip_rcv", RETE_PROBE_KPROBE, "ip_rcv", false, false },
	{ "k:ip_rcv", RETE_PROBE_KPROBE, "ip_rcv", false, false },
	{ "kprobe:ip_rcv", RETE_PROBE_KPROBE, "ip_rcv", false, false },
	{ "kr:tcp_v4_rcv", RETE_PROBE_KRETPROBE, "tcp_v4_rcv", false, false },
	{ "kretprobe:x", RETE_PROBE_KRETPROBE, "x", false, false },
	{ "fentry:ip_rcv", RETE_PROBE_FENTRY, "ip_rcv", false, false },
	{ "fexit:tcp_*/stack", RETE_PROBE_FEXIT, "tcp_*", true, true },
	{ "tp:skb:kfree_skb/stack", RETE_PROBE_RAW_TP, "skb:kfree_skb", true, false },
	{ "skb:kfree_skb/stack", RETE_PROBE_RAW_TP, "skb:kfree_skb", true, false },
	{ "ip_rcv/stack", RETE_PROBE_KPROBE, "ip_rcv", true, false },
	{ "kr:ip_rcv/stack/stack", RETE_PROBE_KRETPROBE, "ip_rcv", true, false },
	/* Empty options are ignored. */
	{ "k:ip_rcv/", RETE_PROBE_KPROBE, "ip_rcv", false, false },
	{ "tp:skb:*", RETE_PROBE_RAW_TP, "skb:*", false, true },
	{ "tp:*:*skb*", RETE_PROBE_RAW_TP, "*:*skb*", false, true },
	{ "kprobe:tcp_*", RETE_PROBE_KPROBE, "tcp_*", false, true },
	{ "tcp_*/stack", RETE_PROBE_KPROBE, "tcp_*", true, true },
	/* Characters found in real symbols: dots (.isra.0, .cold) and dashes. */
	{ "k:ip_rcv_core.isra.0", RETE_PROBE_KPROBE, "ip_rcv_core.isra.0", false, false },
	{ "tp:my-group:Event_42", RETE_PROBE_RAW_TP, "my-group:Event_42", false, false },
};

static void test_parse_accepted(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(parse_ok); i++) {
		const struct parse_case *c = &parse_ok[i];
		struct rete_probe_spec spec;
		char err[256] = "";

		memset(&spec, 0x5a, sizeof(spec));
		if (rete_probe_parse(c->in, &spec, err, sizeof(err))) {
			print_error("'%s': %s\n", c->in, err);
			fail();
		}
		assert_int_equal(spec.type, c->type);
		assert_string_equal(spec.target, c->target);
		assert_int_equal(spec.stack, c->stack);
		assert_int_equal(spec.wildcard, c->wildcard);
	}
	(void)state;
}

struct parse_err {
	const char *in;
	const char *err;
};

static const struct parse_err parse_bad[] = {
	/* Unknown types, with and without a close one. */
	{ "tpp:net:x", "unknown probe type 'tpp' in 'tpp:net:x' (did you mean 'tp'?)" },
	{ "kprobee:a:b", "unknown probe type 'kprobee' in 'kprobee:a:b' (did you mean 'kprobe'?)" },
	{ "kretprobes:a:b",
	  "unknown probe type 'kretprobes' in 'kretprobes:a:b' (did you mean 'kretprobe'?)" },
	{ "uprobe:a:b",
	  "unknown probe type 'uprobe' in 'uprobe:a:b' (did you mean 'kprobe'?)" },
	{ "foobar:a:b",
	  "unknown probe type 'foobar' in 'foobar:a:b' (types: tp, kprobe, kretprobe, fentry, fexit)" },
	{ "fentri:a:b", "unknown probe type 'fentri' in 'fentri:a:b' (did you mean 'fentry'?)" },
	{ "fexit:skb:kfree_skb", "kernel function probe 'fexit:skb:kfree_skb' has an extra ':'" },
	/* Unknown options. */
	{ "tp:skb:kfree_skb/stak",
	  "unknown option 'stak' in probe 'tp:skb:kfree_skb/stak' (did you mean 'stack'?)" },
	{ "ip_rcv/Stack",
	  "unknown option 'Stack' in probe 'ip_rcv/Stack' (did you mean 'stack'?)" },
	{ "ip_rcv/ftrace",
	  "unknown option 'ftrace' in probe 'ip_rcv/ftrace' (the only option is 'stack')" },
	{ "ip_rcv/stack/x",
	  "unknown option 'x' in probe 'ip_rcv/stack/x' (the only option is 'stack')" },
	/* Missing targets. */
	{ "", "probe '' has no target" },
	{ "k:", "probe 'k:' has no target" },
	{ "kr:/stack", "probe 'kr:/stack' has no target" },
	{ "/stack", "probe '/stack' has no target" },
	/* Bad characters: the position is 1-based, in the probe as given. */
	{ "ip rcv", "invalid character ' ' at position 3 of probe 'ip rcv'" },
	{ "k:ip$rcv", "invalid character '$' at position 5 of probe 'k:ip$rcv'" },
	{ "tp:sk+b:kfree_skb", "invalid character '+' at position 6 of probe 'tp:sk+b:kfree_skb'" },
	{ "tp:skb:kfree$skb", "invalid character '$' at position 13 of probe 'tp:skb:kfree$skb'" },
	{ "skb:kfree?skb", "invalid character '?' at position 10 of probe 'skb:kfree?skb'" },
	{ "tcp_[ab]", "invalid character '[' at position 5 of probe 'tcp_[ab]'" },
	/* Tracepoints need GROUP:EVENT. */
	{ "tp:kfree_skb",
	  "tracepoint probe 'tp:kfree_skb' must be GROUP:EVENT (e.g. tp:skb:kfree_skb)" },
	{ "raw_tracepoint:netif_rx", "tracepoint probe 'raw_tracepoint:netif_rx' must be "
				     "GROUP:EVENT (e.g. tp:skb:kfree_skb)" },
	{ "tp:", "tracepoint probe 'tp:' must be GROUP:EVENT (e.g. tp:skb:kfree_skb)" },
	{ "tp::kfree_skb",
	  "tracepoint probe 'tp::kfree_skb' must be GROUP:EVENT (e.g. tp:skb:kfree_skb)" },
	{ "tp:skb:", "tracepoint probe 'tp:skb:' must be GROUP:EVENT (e.g. tp:skb:kfree_skb)" },
	{ "tp:a:b:c", "tracepoint probe 'tp:a:b:c' must be GROUP:EVENT (e.g. tp:skb:kfree_skb)" },
	{ "skb:", "tracepoint probe 'skb:' must be GROUP:EVENT (e.g. tp:skb:kfree_skb)" },
	{ ":kfree_skb",
	  "tracepoint probe ':kfree_skb' must be GROUP:EVENT (e.g. tp:skb:kfree_skb)" },
	/* Kernel functions take no group. */
	{ "k:a:b", "kernel function probe 'k:a:b' has an extra ':'" },
	{ "kr:skb:kfree_skb", "kernel function probe 'kr:skb:kfree_skb' has an extra ':'" },
};

static void test_parse_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(parse_bad); i++) {
		const struct parse_err *c = &parse_bad[i];
		struct rete_probe_spec spec, before;
		char err[256] = "";

		memset(&spec, 0x5a, sizeof(spec));
		before = spec;
		if (rete_probe_parse(c->in, &spec, err, sizeof(err)) != -EINVAL) {
			print_error("'%s' was accepted\n", c->in);
			fail();
		}
		if (strcmp(err, c->err)) {
			print_error("'%s':\n  got  %s\n  want %s\n", c->in, err, c->err);
			fail();
		}
		/* ret is written only on success. */
		assert_memory_equal(&spec, &before, sizeof(spec));
	}
	(void)state;
}

static void test_parse_too_long(void **state)
{
	struct rete_probe_spec spec;
	char in[400], want[256], err[256];

	/* Longer than the parse buffer. */
	memset(in, 'a', 300);
	in[300] = '\0';
	assert_int_equal(rete_probe_parse(in, &spec, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "probe '%.40s...' is too long", in);
	assert_string_equal(err, want);

	/* Fits the buffer, but not the target field. */
	memcpy(in, "k:", 2);
	memset(in + 2, 'b', 200);
	in[202] = '\0';
	assert_int_equal(rete_probe_parse(in, &spec, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "probe target of '%.40s...' is too long", in);
	assert_string_equal(err, want);

	/* The longest target that fits. */
	memset(in + 2, 'c', sizeof(spec.target) - 1);
	in[2 + sizeof(spec.target) - 1] = '\0';
	assert_int_equal(rete_probe_parse(in, &spec, err, sizeof(err)), 0);
	assert_int_equal(strlen(spec.target), sizeof(spec.target) - 1);

	/* A small error buffer truncates the sentence, never overflows. */
	assert_int_equal(rete_probe_parse("tpp:net:x", &spec, err, 8), -EINVAL);
	assert_string_equal(err, "unknown");
	(void)state;
}

static void test_type_names(void **state)
{
	assert_string_equal(rete_probe_type_name(RETE_PROBE_RAW_TP), "raw_tracepoint");
	assert_string_equal(rete_probe_type_name(RETE_PROBE_KPROBE), "kprobe");
	assert_string_equal(rete_probe_type_name(RETE_PROBE_KRETPROBE), "kretprobe");
	assert_string_equal(rete_probe_type_name(RETE_PROBE_FENTRY), "fentry");
	assert_string_equal(rete_probe_type_name(RETE_PROBE_FEXIT), "fexit");
	assert_string_equal(rete_probe_type_name(RETE_PROBE_TYPE_MAX), "?");
	{
		enum rete_probe_type t = RETE_PROBE_RAW_TP;

		assert_int_equal(rete_probe_type_lookup("fexit:x", 5, &t), 0);
		assert_int_equal(t, RETE_PROBE_FEXIT);
		assert_int_equal(rete_probe_type_lookup("kr", 2, &t), 0);
		assert_int_equal(t, RETE_PROBE_KRETPROBE);
		assert_int_equal(rete_probe_type_lookup("fe", 2, &t), -ENOENT);
		assert_true(rete_probe_type_is_return(RETE_PROBE_FEXIT));
		assert_true(rete_probe_type_is_return(RETE_PROBE_KRETPROBE));
		assert_false(rete_probe_type_is_return(RETE_PROBE_FENTRY));
		assert_false(rete_probe_type_is_kfunc(RETE_PROBE_RAW_TP));
		assert_true(rete_probe_type_is_kfunc(RETE_PROBE_FENTRY));
	}
	(void)state;
}

/* Resolution. */

struct fixture {
	struct btf *btf;
	struct rete_tracefs tfs;
	struct rete_probe_set set;
	char err[512];
};

static const char *const tracefs_events[] = {
	"skb:kfree_skb",
	"skb:consume_skb",
	"skb:skb_copy_datagram_iovec",	/* not in the BTF */
	"net:netif_receive_skb",
	"net:netif_rx",
	"net:net_dev_start_xmit",
	"qdisc:qdisc_dequeue",
	"sched:sched_switch",		/* no known argument */
	"xdp:xdp_exception",		/* a net_device but no skb */
	"rete:rete_first_wins",
	"rete:rete_not_matched",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fill tfs->events the way rete_tracefs_load_events() does: owned strings, sorted. */
static void tfs_fill(struct rete_tracefs *tfs, const char *const *names, size_t n)
{
	tfs->events = calloc(n, sizeof(char *));
	assert_non_null(tfs->events);
	for (size_t i = 0; i < n; i++) {
		tfs->events[i] = strdup(names[i]);
		assert_non_null(tfs->events[i]);
	}
	tfs->nevents = n;
	qsort(tfs->events, n, sizeof(char *), cmp_str);
}

static void tfs_clear(struct rete_tracefs *tfs)
{
	for (size_t i = 0; i < tfs->nevents; i++)
		free(tfs->events[i]);
	free(tfs->events);
	tfs->events = NULL;
	tfs->nevents = 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->btf = rete_test_btf_new();
	tfs_fill(&f->tfs, tracefs_events, ARRAY_LEN(tracefs_events));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tfs_clear(&f->tfs);
	rete_probe_set_free(&f->set);
	btf__free(f->btf);
	free(f);
	return 0;
}

static struct rete_probe_spec parse(const char *s)
{
	struct rete_probe_spec spec;
	char err[256];

	assert_int_equal(rete_probe_parse(s, &spec, err, sizeof(err)), 0);
	return spec;
}

/* Resolve `s`; on failure check the sentence. Returns the number of probes added or updated. */
static size_t resolve(struct fixture *f, const char *s, bool with_tracefs, uint8_t flags,
		      int want_rc, const char *want_err)
{
	struct rete_probe_spec spec = parse(s);
	size_t added = 12345;
	int rc;

	f->err[0] = '\0';
	rc = rete_probe_resolve(&spec, f->btf, with_tracefs ? &f->tfs : NULL, flags, &f->set,
				&added, f->err, sizeof(f->err));
	if (rc != want_rc) {
		print_error("'%s': rc %d (%s), want %d\n", s, rc, f->err, want_rc);
		fail();
	}
	if (want_rc) {
		assert_string_equal(f->err, want_err);
		/* ret_added is written only on success. */
		assert_int_equal(added, 12345);
		return 0;
	}
	return added;
}

static const struct rete_probe *find(struct fixture *f, const char *symbol)
{
	return rete_probe_set_find(&f->set, RETE_PROBE_RAW_TP, symbol);
}

static void assert_probe(struct fixture *f, const char *symbol, int nargs, int skb, int reason,
			 int dev, int net, uint8_t flags)
{
	const struct rete_probe *p = find(f, symbol);

	if (!p) {
		print_error("no probe '%s'\n", symbol);
		fail();
	}
	assert_int_equal(p->type, RETE_PROBE_RAW_TP);
	assert_int_equal(p->args.nargs, nargs);
	assert_int_equal(p->args.pos[RETE_ARG_SKB], skb);
	assert_int_equal(p->args.pos[RETE_ARG_DROP_REASON], reason);
	assert_int_equal(p->args.pos[RETE_ARG_NET_DEVICE], dev);
	assert_int_equal(p->args.pos[RETE_ARG_NET], net);
	assert_int_equal(p->flags, flags);
}

static void test_resolve_skb_tracepoints(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(resolve(f, "tp:skb:kfree_skb", false, RETE_PROBE_F_EMIT, 0, NULL), 1);
	assert_probe(f, "skb:kfree_skb", 4, 0, 2, -1, -1, RETE_PROBE_F_EMIT);
	/* With tracefs, the group is checked too. */
	assert_int_equal(resolve(f, "net:net_dev_start_xmit", true, RETE_PROBE_F_EMIT, 0, NULL), 1);
	assert_probe(f, "net:net_dev_start_xmit", 2, 0, -1, 1, -1, RETE_PROBE_F_EMIT);
	assert_int_equal(resolve(f, "raw_tracepoint:qdisc:qdisc_dequeue/stack", true,
				 RETE_PROBE_F_EMIT, 0, NULL),
			 1);
	assert_probe(f, "qdisc:qdisc_dequeue", 4, 3, -1, -1, -1,
		     RETE_PROBE_F_EMIT | RETE_PROBE_F_STACK);
	assert_int_equal(resolve(f, "tp:rete:rete_first_wins", true, RETE_PROBE_F_EMIT, 0, NULL),
			 1);
	assert_probe(f, "rete:rete_first_wins", 7, 1, 5, 3, 0, RETE_PROBE_F_EMIT);
	assert_int_equal(f->set.n, 4);
	assert_null(rete_probe_set_find(&f->set, RETE_PROBE_KPROBE, "skb:kfree_skb"));
	assert_null(find(f, "skb:consume_skb"));
}

static void test_resolve_refused(void **state)
{
	struct fixture *f = *state;

	resolve(f, "tp:sched:sched_switch", true, RETE_PROBE_F_EMIT, -EINVAL,
		"tracepoint 'sched:sched_switch' has no argument rete understands (struct "
		"sk_buff *, enum skb_drop_reason, struct net_device *, struct net *)");
	resolve(f, "tp:rete:rete_not_matched", false, RETE_PROBE_F_EMIT, -EINVAL,
		"tracepoint 'rete:rete_not_matched' has no argument rete understands (struct "
		"sk_buff *, enum skb_drop_reason, struct net_device *, struct net *)");
	resolve(f, "tp:xdp:xdp_exception", true, RETE_PROBE_F_EMIT, -EINVAL,
		"tracepoint 'xdp:xdp_exception' has no struct sk_buff * argument; only skb "
		"tracepoints can be probed for now");
	resolve(f, "tp:rete:rete_not_ptr", false, RETE_PROBE_F_EMIT, -EINVAL,
		"cannot read the arguments of tracepoint 'rete:rete_not_ptr' from BTF: Invalid "
		"argument");
	assert_int_equal(f->set.n, 0);
}

static void test_resolve_unknown_event(void **state)
{
	struct fixture *f = *state;

	/* Not in BTF: the closest btf_trace_* name, in the group given. */
	resolve(f, "tp:skb:kfree_skbb", true, RETE_PROBE_F_EMIT, -ENOENT,
		"tracepoint 'skb:kfree_skbb' does not exist on this kernel (did you mean "
		"'tp:skb:kfree_skb'?)");
	resolve(f, "net:netif_recieve_skb", false, RETE_PROBE_F_EMIT, -ENOENT,
		"tracepoint 'net:netif_recieve_skb' does not exist on this kernel (did you mean "
		"'tp:net:netif_receive_skb'?)");
	resolve(f, "tp:skb:zzzzzzzzzzzz", true, RETE_PROBE_F_EMIT, -ENOENT,
		"tracepoint 'skb:zzzzzzzzzzzz' does not exist on this kernel");
	/* In tracefs under another group: that group is suggested. */
	resolve(f, "tp:net:kfree_skb", true, RETE_PROBE_F_EMIT, -ENOENT,
		"tracepoint 'net:kfree_skb' does not exist on this kernel (did you mean "
		"'tp:skb:kfree_skb'?)");
	/* In tracefs but not in BTF (e.g. no btf_trace_ typedef). */
	resolve(f, "tp:skb:skb_copy_datagram_iovec", true, RETE_PROBE_F_EMIT, -ENOENT,
		"tracepoint 'skb:skb_copy_datagram_iovec' does not exist on this kernel");
	assert_int_equal(f->set.n, 0);
	/* Without tracefs only the event name can be checked. */
	assert_int_equal(resolve(f, "tp:net:kfree_skb", false, RETE_PROBE_F_EMIT, 0, NULL), 1);
	assert_non_null(find(f, "net:kfree_skb"));
}

static void test_resolve_no_btf_typedefs(void **state)
{
	struct fixture *f = *state;
	struct btf *empty = btf__new_empty(), *full = f->btf;

	assert_non_null(empty);
	f->btf = empty;
	resolve(f, "tp:skb:kfree_skb", false, RETE_PROBE_F_EMIT, -ENOENT,
		"tracepoint 'skb:kfree_skb' does not exist on this kernel");
	f->btf = full;
	btf__free(empty);
}

static void test_resolve_wildcards(void **state)
{
	struct fixture *f = *state;

	/* skb:skb_copy_datagram_iovec is in tracefs only: skipped silently. */
	assert_int_equal(resolve(f, "tp:skb:*", true, RETE_PROBE_F_EMIT, 0, NULL), 2);
	assert_int_equal(f->set.n, 2);
	assert_probe(f, "skb:consume_skb", 2, 0, -1, -1, -1, RETE_PROBE_F_EMIT);
	assert_probe(f, "skb:kfree_skb", 4, 0, 2, -1, -1, RETE_PROBE_F_EMIT);
	rete_probe_set_free(&f->set);

	assert_int_equal(resolve(f, "tp:*:*skb*", true, RETE_PROBE_F_EMIT, 0, NULL), 3);
	assert_int_equal(f->set.n, 3);
	assert_non_null(find(f, "net:netif_receive_skb"));
	assert_non_null(find(f, "skb:consume_skb"));
	assert_non_null(find(f, "skb:kfree_skb"));
	rete_probe_set_free(&f->set);

	/* Every tracepoint with an skb, and nothing else. */
	assert_int_equal(resolve(f, "*:*/stack", true, RETE_PROBE_F_EMIT, 0, NULL), 7);
	assert_int_equal(f->set.n, 7);
	assert_probe(f, "net:net_dev_start_xmit", 2, 0, -1, 1, -1,
		     RETE_PROBE_F_EMIT | RETE_PROBE_F_STACK);
	assert_probe(f, "qdisc:qdisc_dequeue", 4, 3, -1, -1, -1,
		     RETE_PROBE_F_EMIT | RETE_PROBE_F_STACK);
	assert_non_null(find(f, "net:netif_rx"));
	assert_non_null(find(f, "rete:rete_first_wins"));
	assert_null(find(f, "sched:sched_switch"));
	assert_null(find(f, "xdp:xdp_exception"));
	assert_null(find(f, "rete:rete_not_matched"));
	assert_null(find(f, "skb:skb_copy_datagram_iovec"));
}

static void test_resolve_wildcard_no_match(void **state)
{
	struct fixture *f = *state;

	resolve(f, "tp:sched:*", true, RETE_PROBE_F_EMIT, -ENOENT,
		"no tracepoint with an sk_buff argument matches 'sched:*'");
	resolve(f, "tp:nosuchgroup:*", true, RETE_PROBE_F_EMIT, -ENOENT,
		"no tracepoint with an sk_buff argument matches 'nosuchgroup:*'");
	assert_int_equal(f->set.n, 0);
}

static void test_resolve_wildcard_needs_tracefs(void **state)
{
	static const char *const want =
		"wildcard probe 'skb:*' needs the tracepoint list from tracefs, which is not "
		"mounted; mount it (mount -t tracefs nodev /sys/kernel/tracing) or pass "
		"--allow-system-changes";
	struct fixture *f = *state;
	struct rete_tracefs none;

	resolve(f, "tp:skb:*", false, RETE_PROBE_F_EMIT, -ENOENT, want);

	/* A tracefs whose events were not loaded is the same. */
	memset(&none, 0, sizeof(none));
	{
		struct rete_probe_spec spec = parse("tp:skb:*");
		size_t added = 0;

		assert_int_equal(rete_probe_resolve(&spec, f->btf, &none, RETE_PROBE_F_EMIT,
						    &f->set, &added, f->err, sizeof(f->err)),
				 -ENOENT);
		assert_string_equal(f->err, want);
	}
	assert_int_equal(f->set.n, 0);
}

static void test_resolve_duplicates_merge(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(resolve(f, "tp:skb:kfree_skb", true, RETE_PROBE_F_EMIT, 0, NULL), 1);
	assert_int_equal(resolve(f, "skb:kfree_skb", true, RETE_PROBE_F_EMIT, 0, NULL), 1);
	assert_int_equal(f->set.n, 1);
	assert_probe(f, "skb:kfree_skb", 4, 0, 2, -1, -1, RETE_PROBE_F_EMIT);
	/* The wildcard updates kfree_skb (adding the stack) and adds consume_skb. */
	assert_int_equal(resolve(f, "tp:skb:*/stack", true, RETE_PROBE_F_EMIT, 0, NULL), 2);
	assert_int_equal(f->set.n, 2);
	assert_probe(f, "skb:kfree_skb", 4, 0, 2, -1, -1, RETE_PROBE_F_EMIT | RETE_PROBE_F_STACK);
	assert_probe(f, "skb:consume_skb", 2, 0, -1, -1, -1,
		     RETE_PROBE_F_EMIT | RETE_PROBE_F_STACK);
	/* Internal probes merge into user ones too. */
	assert_int_equal(rete_probe_add_internal(&f->set, f->btf, "skb:consume_skb",
						 RETE_PROBE_F_TRACK_FREE),
			 0);
	assert_int_equal(f->set.n, 2);
	assert_probe(f, "skb:consume_skb", 2, 0, -1, -1, -1,
		     RETE_PROBE_F_EMIT | RETE_PROBE_F_STACK | RETE_PROBE_F_TRACK_FREE);
	/* Flags are only ever added. */
	assert_int_equal(resolve(f, "tp:skb:kfree_skb", true, 0, 0, NULL), 1);
	assert_probe(f, "skb:kfree_skb", 4, 0, 2, -1, -1, RETE_PROBE_F_EMIT | RETE_PROBE_F_STACK);
}

static void test_resolve_kprobes_refused(void **state)
{
	static const char *const specs[] = { "ip_rcv", "k:ip_rcv", "kprobe:tcp_*", "kr:tcp_v4_rcv",
					     "kretprobe:x/stack" };
	static const char *const types[] = { "kprobe", "kprobe", "kprobe", "kretprobe",
					     "kretprobe" };
	static const char *const targets[] = { "ip_rcv", "ip_rcv", "tcp_*", "tcp_v4_rcv", "x" };
	bool have_kprobes = !access("/sys/bus/event_source/devices/kprobe", F_OK);
	struct fixture *f = *state;

	/* With kprobes, resolution is tested against fixtures in test_kprobe.c. */
	if (have_kprobes)
		skip();
	for (size_t i = 0; i < ARRAY_LEN(specs); i++) {
		char want[512];

		snprintf(want, sizeof(want),
			 "cannot use %s probe '%s': this kernel has no kprobes (built without "
			 "CONFIG_KPROBES); use tracepoints (tp:GROUP:EVENT) instead",
			 types[i], targets[i]);
		resolve(f, specs[i], true, RETE_PROBE_F_EMIT, -EOPNOTSUPP, want);
	}
	assert_int_equal(f->set.n, 0);
}

static void test_resolve_too_many(void **state)
{
	struct fixture *f = *state;
	struct rete_tracefs many;
	char **names;
	size_t n = RETE_PROBES_MAX + 1;

	/* One kfree_skb per group: every match is a distinct probe. */
	names = calloc(n, sizeof(*names));
	assert_non_null(names);
	for (size_t i = 0; i < n; i++) {
		names[i] = malloc(32);
		assert_non_null(names[i]);
		snprintf(names[i], 32, "g%04zu:kfree_skb", i);
	}
	memset(&many, 0, sizeof(many));
	tfs_fill(&many, (const char *const *)names, n);
	{
		struct rete_probe_spec spec = parse("tp:g*:kfree_skb");
		size_t added = 0;

		assert_int_equal(rete_probe_resolve(&spec, f->btf, &many, RETE_PROBE_F_EMIT,
						    &f->set, &added, f->err, sizeof(f->err)),
				 -E2BIG);
		assert_string_equal(f->err, "too many probes (at most 1024)");
		assert_int_equal(f->set.n, RETE_PROBES_MAX);
		/* Existing probes can still be updated. */
		spec = parse("tp:g0000:kfree_skb/stack");
		assert_int_equal(rete_probe_resolve(&spec, f->btf, &many, 0, &f->set, &added,
						    f->err, sizeof(f->err)),
				 0);
		assert_int_equal(added, 1);
		assert_int_equal(f->set.n, RETE_PROBES_MAX);
	}
	tfs_clear(&many);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void test_add_internal(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rete_probe_add_internal(&f->set, f->btf, "skb:consume_skb",
						 RETE_PROBE_F_TRACK_FREE),
			 0);
	assert_probe(f, "skb:consume_skb", 2, 0, -1, -1, -1, RETE_PROBE_F_TRACK_FREE);
	assert_int_equal(rete_probe_add_internal(&f->set, f->btf, "skb:nope", 0), -ENOENT);
	assert_int_equal(rete_probe_add_internal(&f->set, f->btf, "sched:sched_switch", 0),
			 -EINVAL);
	assert_int_equal(rete_probe_add_internal(&f->set, f->btf, "xdp:xdp_exception", 0),
			 -EINVAL);
	assert_int_equal(f->set.n, 1);
}

static void test_set_free(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(resolve(f, "tp:*:*", true, RETE_PROBE_F_EMIT, 0, NULL), 7);
	rete_probe_set_free(&f->set);
	assert_null(f->set.probes);
	assert_int_equal(f->set.n, 0);
	assert_int_equal(f->set.cap, 0);
	/* Freeing twice is fine, and the set can be reused. */
	rete_probe_set_free(&f->set);
	assert_int_equal(resolve(f, "tp:skb:kfree_skb", true, RETE_PROBE_F_EMIT, 0, NULL), 1);
	assert_int_equal(f->set.n, 1);
}

#define RESOLVE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepted),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_type_names),
		RESOLVE_TEST(test_resolve_skb_tracepoints),
		RESOLVE_TEST(test_resolve_refused),
		RESOLVE_TEST(test_resolve_unknown_event),
		RESOLVE_TEST(test_resolve_no_btf_typedefs),
		RESOLVE_TEST(test_resolve_wildcards),
		RESOLVE_TEST(test_resolve_wildcard_no_match),
		RESOLVE_TEST(test_resolve_wildcard_needs_tracefs),
		RESOLVE_TEST(test_resolve_duplicates_merge),
		RESOLVE_TEST(test_resolve_kprobes_refused),
		RESOLVE_TEST(test_resolve_too_many),
		RESOLVE_TEST(test_add_internal),
		RESOLVE_TEST(test_set_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
