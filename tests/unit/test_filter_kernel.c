/*
 * The generated filters in the real kernel: pcap-filter translations and
 * meta filters are spliced into tests/bpf/filter_test.bpf.c by the
 * product's section handler (filter/inject.c), loaded (so the verifier
 * checks them) and run with BPF_PROG_TEST_RUN on packets and a fake
 * sk_buff held in map memory. Every result is compared with libpcap's
 * interpreter (or, for meta filters, with the expected value computed here)
 * and with the userspace eBPF interpreter the other filter tests use.
 *
 * Needs root and a kernel with BPF; skipped otherwise.
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
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "filter/cbpf.h"
#include "filter/filter.h"
#include "filter/inject.h"
#include "filter/insn.h"
#include "filter/meta_btf.h"
#include "filter/meta_compile.h"
#include "filter/pcap_filter.h"
#include "filter_test.skel.h"
#include "helpers/ebpf_interp.h"
#include "helpers/pcap_exprs.h"
#include "helpers/pcap_ref.h"
#include "helpers/pkt_gen.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- what tests/bpf/filter_test.bpf.c expects (value sizes are checked) ---- */

#define FT_PKT_BUF 1024
#define FT_PKTS_MAX 4096
#define FT_META_MEM 16384
#define FT_META_FIXUPS 4

enum {
	FT_MODE_L2,
	FT_MODE_L3,
	FT_MODE_META,
	FT_MODE_FAULT,
};

struct ft_pkt {
	uint32_t off[2];
	uint32_t linear[2];
	uint32_t wire[2];
	uint32_t pad[2];
	uint8_t data[FT_PKT_BUF];
};

struct ft_fixup {
	uint32_t at;
	uint32_t target;
};

struct ft_meta {
	uint32_t nfixups;
	uint32_t pad;
	struct ft_fixup fixups[FT_META_FIXUPS];
	uint8_t mem[FT_META_MEM];
};

_Static_assert(RETE_TEST_PKT_BUF == FT_PKT_BUF, "packet buffers differ");

/* Expressions and packets per expression of the pcap differential run. */
#define MAX_EXPRS 512
#define N_PACKETS 2400

/* Where the userspace interpreter pretends the memory is. */
#define FAKE_ADDR 0xffff888812340000ULL

/* ---- shared state ---- */

static const char *g_skip;		/* why the tests are skipped, or NULL */
static int g_setup_err;			/* load error that is no reason to skip */
static struct rete_inject_ctx g_inject;
static int g_handler = -1;
static struct rete_filter_test *g_holder;	/* no filter; owns the maps */
static struct btf *g_vmlinux;

/* libbpf's messages, kept to show them when a load fails unexpectedly. */
static char g_log[1 << 16];
static size_t g_log_len;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || g_log_len >= sizeof(g_log) - 1)
		return 0;
	n = vsnprintf(g_log + g_log_len, sizeof(g_log) - g_log_len, fmt, ap);
	if (n > 0)
		g_log_len += (size_t)n < sizeof(g_log) - g_log_len ? (size_t)n :
								     sizeof(g_log) - g_log_len - 1;
	return 0;
}

static void log_reset(void)
{
	g_log_len = 0;
	g_log[0] = '\0';
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Open the harness, splice the filters in, share the holder's maps and load. */
static int load_filters(const struct rete_splice *sp, size_t n, struct rete_filter_test **ret)
{
	struct rete_filter_test *skel;
	int rc;

	log_reset();
	skel = rete_filter_test__open();
	if (!skel)
		return -errno;
	g_inject.btf = bpf_object__btf(skel->obj);
	g_inject.splices = sp;
	g_inject.nsplices = n;
	g_inject.err = 0;
	if (g_holder) {
		rc = bpf_map__reuse_fd(skel->maps.rete_ft_pkts,
				       bpf_map__fd(g_holder->maps.rete_ft_pkts));
		if (!rc)
			rc = bpf_map__reuse_fd(skel->maps.rete_ft_meta,
					       bpf_map__fd(g_holder->maps.rete_ft_meta));
		if (rc)
			goto out_destroy;
	}
	rc = rete_filter_test__load(skel);
	rete_inject_release(&g_inject);
	if (rc)
		goto out_destroy;
	*ret = skel;
	return 0;
out_destroy:
	rete_filter_test__destroy(skel);
	return rc;
}

/* One BPF_PROG_TEST_RUN: the program's return value (the filter's R0). */
static uint32_t kernel_run(const struct rete_filter_test *skel, uint64_t mode, uint64_t idx)
{
	uint64_t args[2] = { mode, idx };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	int rc = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.rete_filter_test), &opts);

	if (rc)
		fail_msg("BPF_PROG_TEST_RUN: %s", strerror(errno));
	return opts.retval;
}

static int group_setup(void **state)
{
	int rc;

	(void)state;
	libbpf_set_print(libbpf_print);
	if (geteuid() != 0) {
		g_skip = "not root: loading BPF programs needs root";
		return 0;
	}
	g_handler = rete_inject_register("rete_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, &g_inject);
	if (g_handler < 0) {
		g_setup_err = g_handler;
		return 0;
	}
	rc = load_filters(NULL, 0, &g_holder);
	if (rc == -EPERM || rc == -ENOSYS || rc == -EOPNOTSUPP) {
		g_skip = rc == -EPERM ? "loading BPF programs was refused (EPERM)" :
					"this kernel cannot load BPF programs";
		return 0;
	}
	if (rc) {
		g_setup_err = rc;
		return 0;
	}
	g_vmlinux = btf__load_vmlinux_btf();
	if (!g_vmlinux)
		g_setup_err = -errno;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	btf__free(g_vmlinux);
	rete_filter_test__destroy(g_holder);
	rete_inject_unregister(g_handler);
	rete_inject_release(&g_inject);
	libbpf_set_print(NULL);
	return 0;
}

static void require_kernel(void)
{
	if (g_skip) {
		print_message("skipping: %s\n", g_skip);
		skip();
	}
	if (g_setup_err) {
		print_error("%s", g_log);
		fail_msg("cannot load the filter test program: %s", strerror(-g_setup_err));
	}
}

/* ---- the harness itself ---- */

static void test_harness(void **state)
{
	int pfd, mfd;
	uint32_t key = 0;
	static struct ft_pkt pkt;
	static struct ft_meta meta;

	(void)state;
	require_kernel();
	pfd = bpf_map__fd(g_holder->maps.rete_ft_pkts);
	mfd = bpf_map__fd(g_holder->maps.rete_ft_meta);
	assert_int_equal(bpf_map__value_size(g_holder->maps.rete_ft_pkts), sizeof(struct ft_pkt));
	assert_int_equal(bpf_map__max_entries(g_holder->maps.rete_ft_pkts), FT_PKTS_MAX);
	assert_int_equal(bpf_map__value_size(g_holder->maps.rete_ft_meta), sizeof(struct ft_meta));

	/* Without a filter the placeholders stay: everything matches. */
	memset(&pkt, 0, sizeof(pkt));
	memset(&meta, 0, sizeof(meta));
	assert_int_equal(bpf_map_update_elem(pfd, &key, &pkt, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(mfd, &key, &meta, BPF_ANY), 0);
	assert_int_equal(kernel_run(g_holder, FT_MODE_L2, 0), 1);
	assert_int_equal(kernel_run(g_holder, FT_MODE_L3, 0), 1);
	assert_int_equal(kernel_run(g_holder, FT_MODE_META, 0), 1);
	assert_int_equal(kernel_run(g_holder, FT_MODE_FAULT, 0), 1);
	assert_int_equal(g_holder->bss->rete_ft_errors, 0);
	/* A bad input is counted, not run. */
	assert_int_equal(kernel_run(g_holder, FT_MODE_L2, FT_PKTS_MAX), 0);
	assert_int_equal(g_holder->bss->rete_ft_errors, 1);
	g_holder->bss->rete_ft_errors = 0;
}

/* The verifier really checks what is spliced in: an unverifiable body is refused. */
static void test_verifier_refuses(void **state)
{
	struct bpf_insn bad[] = { rete_mov64_reg(BPF_REG_0, BPF_REG_7), rete_exit() };
	struct bpf_insn good[] = { rete_mov64_imm(BPF_REG_0, 42), rete_exit() };
	struct rete_filter_prog body = { bad, ARRAY_LEN(bad), ARRAY_LEN(bad) };
	struct rete_splice sp = { "rete_filter_packet_l3", &body };
	struct rete_filter_test *skel = NULL;
	int rc;

	(void)state;
	require_kernel();
	rc = load_filters(&sp, 1, &skel);
	assert_int_not_equal(rc, 0);
	assert_null(skel);
	assert_int_equal(g_inject.err, 0); /* spliced fine: the kernel said no */
	assert_non_null(strstr(g_log, "!read_ok"));

	body = (struct rete_filter_prog){ good, ARRAY_LEN(good), ARRAY_LEN(good) };
	if (load_filters(&sp, 1, &skel)) {
		print_error("%s", g_log);
		fail();
	}
	assert_int_equal(kernel_run(skel, FT_MODE_L3, 0), 42);
	assert_int_equal(kernel_run(skel, FT_MODE_L2, 0), 1); /* placeholder kept */
	rete_filter_test__destroy(skel);
}

/* ---- pcap filters: kernel vs libpcap vs the userspace interpreter ---- */

/* The views test_cbpf uses, from the same generator and seed. */
static void make_pkt(struct rete_test_rng *r, struct ft_pkt *e)
{
	struct rete_test_pkt p;
	uint32_t linear, wire, l3;

	rete_test_pkt_gen(r, &p);
	linear = wire = (uint32_t)p.len;
	l3 = (uint32_t)p.l3off;
	if (rete_test_rng_pct(r, 20))
		linear = rete_test_rng_below(r, (uint32_t)p.len + 1); /* truncated */
	if (rete_test_rng_pct(r, 10))
		wire += rete_test_rng_below(r, 3000); /* paged data beyond the linear part */
	memset(e, 0, sizeof(*e));
	e->off[0] = 0;
	e->off[1] = l3;
	e->linear[0] = linear;
	e->linear[1] = linear > l3 ? linear - l3 : 0;
	e->wire[0] = wire;
	e->wire[1] = wire - l3;
	memcpy(e->data, p.buf, FT_PKT_BUF);
}

static uint32_t interp_run(const struct rete_filter_prog *prog, const struct ft_pkt *e, int v,
			   bool fault)
{
	const uint64_t args[5] = { FAKE_ADDR + e->off[v], e->linear[v], e->wire[v], 0xdead0004,
				   0xdead0005 };
	const struct rete_interp_mem mem = { FAKE_ADDR, e->data, FT_PKT_BUF };
	uint64_t r0 = 0;

	assert_int_equal(rete_interp_run(prog->insns, prog->n, args, &mem, fault ? 0 : 1, &r0), 0);
	return (uint32_t)r0;
}

struct totals {
	unsigned long cases, matched, mismatches, values, interp_diffs, fault_cases;
	unsigned long fault_pcap_diffs, loads, insns;
	double load_s, run_s, max_load_s;
	uint32_t max_verified;	/* instructions the verifier processed, for one program */
	char max_verified_expr[RETE_TEST_EXPR_LEN], slowest_expr[RETE_TEST_EXPR_LEN];
};

/* Instructions the verifier processed to accept the program (0 when the kernel does not say). */
static uint32_t verified_insns(const struct rete_filter_test *skel)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.rete_filter_test), &info, &len))
		return 0;
	return info.verified_insns;
}

static void dump_case(const char *expr, const char *what, const struct ft_pkt *e, int v,
		      uint32_t want, uint32_t kern, uint32_t interp)
{
	print_error("MISMATCH '%s' %s: libpcap %u, kernel %u, interpreter %u, linear %u wire %u:",
		    expr, what, want, kern, interp, e->linear[v], e->wire[v]);
	for (uint32_t i = 0; i < e->linear[v] && i < 96; i++)
		print_error(" %02x", e->data[e->off[v] + i]);
	print_error("\n");
}

static void diff_expr(const char *expr, const struct ft_pkt *pkts, size_t n, struct totals *t)
{
	struct rete_filter_prog prog[RETE_PCAP_VARIANT_MAX] = { 0 };
	struct rete_splice sp[RETE_PCAP_VARIANT_MAX];
	static const char *const fn[] = { "rete_filter_packet_l2", "rete_filter_packet_l3" };
	struct rete_filter_test *skel = NULL;
	struct rete_pcap_filter f;
	size_t nsp = 0;
	char err[512];
	double t0, dt;
	uint32_t vi;
	int rc;

	if (rete_pcap_filter_compile(expr, &f, err, sizeof(err)))
		fail_msg("%s", err);
	for (int v = 0; v < RETE_PCAP_VARIANT_MAX; v++) {
		if (!f.has[v])
			continue;
		if (rete_cbpf_translate_pcap(&f, v, &prog[v], err, sizeof(err)))
			fail_msg("'%s' %s: %s", expr, rete_pcap_variant_name(v), err);
		sp[nsp++] = (struct rete_splice){ fn[v], &prog[v] };
		t->insns += prog[v].n;
	}
	t0 = now();
	rc = load_filters(sp, nsp, &skel);
	dt = now() - t0;
	if (rc) {
		print_error("%s", g_log);
		fail_msg("the kernel refused the filters of '%s': %s (splice: %s)", expr,
			 strerror(-rc), strerror(-g_inject.err));
	}
	t->loads++;
	t->load_s += dt;
	if (dt > t->max_load_s) {
		t->max_load_s = dt;
		snprintf(t->slowest_expr, sizeof(t->slowest_expr), "%s", expr);
	}
	vi = verified_insns(skel);
	if (vi > t->max_verified) {
		t->max_verified = vi;
		snprintf(t->max_verified_expr, sizeof(t->max_verified_expr), "%s", expr);
	}

	t0 = now();
	for (int v = 0; v < RETE_PCAP_VARIANT_MAX; v++) {
		const struct rete_cbpf_prog *c = &f.prog[v];

		if (!f.has[v])
			continue;
		for (size_t i = 0; i < n; i++) {
			const struct ft_pkt *e = &pkts[i];
			const uint8_t *data = e->data + e->off[v];
			uint32_t want = rete_test_pcap_run(c->insns, c->n, data, e->wire[v],
							   e->linear[v]);
			uint32_t kern = kernel_run(skel, v == RETE_PCAP_L3 ? FT_MODE_L3 : FT_MODE_L2,
						   i);
			uint32_t interp = interp_run(&prog[v], e, v, false);

			t->cases++;
			t->matched += !!kern;
			t->interp_diffs += kern != interp;
			t->values += kern != want;
			if (!want != !kern || kern != interp) {
				if (t->mismatches++ < 10)
					dump_case(expr, rete_pcap_variant_name(v), e, v, want,
						  kern, interp);
			}
			if (v != RETE_PCAP_L2)
				continue;
			/*
			 * The same filter at an address nothing can be read at:
			 * like libpcap with no captured byte at all.
			 */
			want = rete_test_pcap_run(c->insns, c->n, data, e->wire[v], 0);
			kern = kernel_run(skel, FT_MODE_FAULT, i);
			interp = interp_run(&prog[v], e, v, true);
			t->fault_cases++;
			t->interp_diffs += kern != interp;
			t->fault_pcap_diffs += !want != !kern;
			if (!want != !kern || kern != interp) {
				if (t->mismatches++ < 10)
					dump_case(expr, "L2 unreadable", e, v, want, kern, interp);
			}
		}
	}
	t->run_s += now() - t0;
	assert_int_equal(skel->bss->rete_ft_errors, 0);
	rete_filter_test__destroy(skel);
	for (int v = 0; v < RETE_PCAP_VARIANT_MAX; v++)
		rete_filter_prog_free(&prog[v]);
	rete_pcap_filter_free(&f);
}

static void test_pcap_kernel(void **state)
{
	static char exprs[MAX_EXPRS][RETE_TEST_EXPR_LEN];
	static struct ft_pkt pkts[N_PACKETS];
	struct rete_test_rng r = { 0x5eed0001 };
	struct totals t = { 0 };
	size_t n_exprs = rete_test_pcap_exprs(exprs, MAX_EXPRS);
	int fd;
	double t0 = now();

	(void)state;
	require_kernel();
	assert_true(n_exprs <= MAX_EXPRS);
	_Static_assert(N_PACKETS <= FT_PKTS_MAX, "too many packets for the map");
	fd = bpf_map__fd(g_holder->maps.rete_ft_pkts);
	for (uint32_t i = 0; i < N_PACKETS; i++) {
		make_pkt(&r, &pkts[i]);
		assert_int_equal(bpf_map_update_elem(fd, &i, &pkts[i], BPF_ANY), 0);
	}
	for (size_t e = 0; e < n_exprs; e++)
		diff_expr(exprs[e], pkts, N_PACKETS, &t);
	print_message("kernel pcap filters: %zu expressions, %lu programs loaded (%lu eBPF "
		      "filter instructions), %d packets: %lu cases (%lu matched), %lu unreadable-"
		      "memory cases; %lu mismatches (%lu kernel/interpreter differences, %lu "
		      "return values other than libpcap's); load %.1f s, runs %.1f s, total "
		      "%.1f s\n",
		      n_exprs, t.loads, t.insns, N_PACKETS, t.cases, t.matched, t.fault_cases,
		      t.mismatches, t.interp_diffs, t.values, t.load_s, t.run_s, now() - t0);
	print_message("  slowest load %.0f ms ('%s'); most instructions processed by the verifier "
		      "%u ('%s')\n",
		      t.max_load_s * 1000, t.slowest_expr, t.max_verified, t.max_verified_expr);
	assert_int_equal(t.mismatches, 0);
	assert_int_equal(t.interp_diffs, 0);
	assert_true(n_exprs >= 100);
	assert_true(t.matched * 20 > t.cases);
}

/* ---- meta filters on a fake sk_buff at the running kernel's BTF offsets ---- */

/* Offsets of the fake structures in struct ft_meta.mem. */
struct meta_layout {
	uint32_t skb, dev, net, ct;
	/* members (bits from the start of the structure; bf: bit-field width) */
	struct rete_meta_member_info mark, len, pkt_type, dev_ptr, nfct, name, ifindex, netp,
		inum, ctmark;
};

/* One state of the fake sk_buff. */
struct meta_state {
	uint32_t mark, len, ifindex, inum, ctmark;
	uint8_t pkt_type;
	char name[16];
	bool dev, ct;
};

static uint32_t type_id(const char *name)
{
	int id = btf__find_by_name_kind(g_vmlinux, name, BTF_KIND_STRUCT);

	if (id < 0)
		fail_msg("no struct %s in the kernel's BTF", name);
	return (uint32_t)id;
}

/* Member path "a.b.c" of struct `id` (through embedded structs, not pointers). */
static struct rete_meta_member_info member(uint32_t id, const char *path)
{
	struct rete_meta_member_info m = { .type = id };
	char buf[128], *save = NULL;
	uint32_t base = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		uint32_t sid = rete_meta_btf_skip_mods(g_vmlinux, m.type, NULL);

		if (!rete_meta_btf_find_member(g_vmlinux, sid, tok, base, &m))
			fail_msg("no member %s in the kernel's BTF", path);
		base = m.bit_off;
	}
	return m;
}

static uint32_t align64(uint32_t v)
{
	return (v + 63) & ~63u;
}

static void layout_init(struct meta_layout *l)
{
	uint32_t skb = type_id("sk_buff"), dev = type_id("net_device"), net = type_id("net");
	uint32_t ct = type_id("nf_conn");

	l->skb = 0;
	l->dev = align64((uint32_t)btf__resolve_size(g_vmlinux, skb));
	l->net = l->dev + align64((uint32_t)btf__resolve_size(g_vmlinux, dev));
	l->ct = l->net + align64((uint32_t)btf__resolve_size(g_vmlinux, net));
	assert_true(l->ct + btf__resolve_size(g_vmlinux, ct) <= FT_META_MEM);
	l->mark = member(skb, "mark");
	l->len = member(skb, "len");
	l->pkt_type = member(skb, "pkt_type");
	l->dev_ptr = member(skb, "dev");
	l->nfct = member(skb, "_nfct");
	l->name = member(dev, "name");
	l->ifindex = member(dev, "ifindex");
	l->netp = member(dev, "nd_net.net");
	l->inum = member(net, "ns.inum");
	l->ctmark = member(ct, "mark");
	print_message("kernel layout: sk_buff %lld bytes (mark @%u, len @%u, pkt_type bit %u:%u, "
		      "dev @%u, _nfct @%u), net_device %lld (name @%u, ifindex @%u, nd_net.net "
		      "@%u), net %lld (ns.inum @%u), nf_conn %lld (mark @%u)\n",
		      (long long)btf__resolve_size(g_vmlinux, skb), l->mark.bit_off / 8,
		      l->len.bit_off / 8, l->pkt_type.bit_off, l->pkt_type.bf_size,
		      l->dev_ptr.bit_off / 8, l->nfct.bit_off / 8,
		      (long long)btf__resolve_size(g_vmlinux, dev), l->name.bit_off / 8,
		      l->ifindex.bit_off / 8, l->netp.bit_off / 8,
		      (long long)btf__resolve_size(g_vmlinux, net), l->inum.bit_off / 8,
		      (long long)btf__resolve_size(g_vmlinux, ct), l->ctmark.bit_off / 8);
}

/* Store v in a member (plain, little endian, or a bit-field) of the structure at base. */
static void put_member(uint8_t *mem, uint32_t base, const struct rete_meta_member_info *m,
		       uint64_t v, size_t size)
{
	if (m->bf_size) {
		for (unsigned i = 0; i < m->bf_size; i++) {
			unsigned b = base * 8 + m->bit_off + i;

			if ((v >> i) & 1)
				mem[b / 8] |= (uint8_t)(1u << (b % 8));
			else
				mem[b / 8] &= (uint8_t)~(1u << (b % 8));
		}
		return;
	}
	assert_int_equal(m->bit_off % 8, 0);
	memcpy(mem + base + m->bit_off / 8, &v, size);
}

/* The image of a state, its pointers described as fixups. */
static void build_meta(const struct meta_layout *l, const struct meta_state *s,
		       struct ft_meta *out)
{
	memset(out, 0, sizeof(*out));
	put_member(out->mem, l->skb, &l->mark, s->mark, 4);
	put_member(out->mem, l->skb, &l->len, s->len, 4);
	/* The other bits of the bit-field's bytes set: they must not leak in. */
	for (uint32_t b = l->pkt_type.bit_off / 8;
	     b < (l->pkt_type.bit_off + l->pkt_type.bf_size + 7) / 8; b++)
		out->mem[l->skb + b] = 0xff;
	put_member(out->mem, l->skb, &l->pkt_type, s->pkt_type, 1);
	if (s->dev) {
		out->fixups[out->nfixups++] = (struct ft_fixup){ l->skb + l->dev_ptr.bit_off / 8,
								 l->dev };
		out->fixups[out->nfixups++] = (struct ft_fixup){ l->dev + l->netp.bit_off / 8,
								 l->net };
		memcpy(out->mem + l->dev + l->name.bit_off / 8, s->name, sizeof(s->name));
		put_member(out->mem, l->dev, &l->ifindex, s->ifindex, 4);
		put_member(out->mem, l->net, &l->inum, s->inum, 4);
	}
	if (s->ct) {
		/* _nfct: the conntrack pointer with ctinfo IP_CT_NEW (2) in its low bits */
		out->fixups[out->nfixups++] = (struct ft_fixup){ l->skb + l->nfct.bit_off / 8,
								 l->ct + 2 };
		put_member(out->mem, l->ct, &l->ctmark, s->ctmark, 4);
	}
}

static uint32_t meta_interp(const struct rete_filter_prog *p, const struct ft_meta *img)
{
	static uint8_t mem[FT_META_MEM];
	const struct rete_interp_mem region = { FAKE_ADDR, mem, sizeof(mem) };
	const uint64_t args[5] = { FAKE_ADDR };
	uint64_t r0 = 0;

	memcpy(mem, img->mem, sizeof(mem));
	for (uint32_t i = 0; i < img->nfixups; i++) {
		uint64_t a = FAKE_ADDR + img->fixups[i].target;

		memcpy(mem + img->fixups[i].at, &a, sizeof(a));
	}
	assert_int_equal(rete_interp_run(p->insns, p->n, args, &region, 1, &r0), 0);
	return (uint32_t)r0;
}

static bool name_is(const struct meta_state *s, const char *n)
{
	return s->dev && !strncmp(s->name, n, sizeof(s->name));
}

struct meta_case {
	const char *expr;
	bool (*want)(const struct meta_state *s);
};

static bool w_mark1(const struct meta_state *s)
{
	return s->mark == 1;
}

static bool w_mark_big(const struct meta_state *s)
{
	return s->mark == 0x12345678;
}

static bool w_mark_low(const struct meta_state *s)
{
	return (s->mark & 0xff) == 0x78;
}

static bool w_mark_high(const struct meta_state *s)
{
	return (s->mark & ~0xffu) == 0x12345600;
}

static bool w_mark_bare(const struct meta_state *s)
{
	return s->mark != 0;
}

static bool w_mark_range(const struct meta_state *s)
{
	return s->mark && s->mark < 0x100;
}

static bool w_mark_or(const struct meta_state *s)
{
	return s->mark == 1 || s->mark == 0xff;
}

static bool w_mark_gt(const struct meta_state *s)
{
	return s->mark > 0x80000000u;
}

static bool w_len_and(const struct meta_state *s)
{
	return s->len >= 100 && (s->mark & 0xff);
}

static bool w_pkt_type(const struct meta_state *s)
{
	return s->pkt_type == 3;
}

static bool w_name(const struct meta_state *s)
{
	return name_is(s, "eth0");
}

static bool w_not_name(const struct meta_state *s)
{
	return s->dev && !name_is(s, "eth0");
}

static bool w_ifindex_or(const struct meta_state *s)
{
	return (s->dev && s->ifindex == 2) || s->mark == 1;
}

static bool w_inum(const struct meta_state *s)
{
	return s->dev && s->inum == 4026531840u;
}

static bool w_ctmark(const struct meta_state *s)
{
	return s->ct && s->ctmark == 42;
}

static bool w_ct_tag(const struct meta_state *s)
{
	return s->ct;
}

static bool w_mixed(const struct meta_state *s)
{
	return (s->mark == 1 || name_is(s, "lo")) && s->len < 100;
}

static bool w_left_to_right(const struct meta_state *s)
{
	return (s->pkt_type == 0 || s->mark == 0xff) && !name_is(s, "veth01") && s->dev;
}

static const struct meta_case meta_cases[] = {
	{ "sk_buff.mark == 1", w_mark1 },
	{ "sk_buff.mark == 0x12345678", w_mark_big },
	{ "sk_buff.mark:0xff == 0x78", w_mark_low },
	{ "sk_buff.mark:~0xff == 0x12345600", w_mark_high },
	{ "sk_buff.mark", w_mark_bare },
	{ "sk_buff.mark != 0 && sk_buff.mark < 0x100", w_mark_range },
	{ "sk_buff.mark == 1 || sk_buff.mark == 0xff", w_mark_or },
	{ "sk_buff.mark > 0x80000000", w_mark_gt },
	{ "sk_buff.len >= 100 and sk_buff.mark:0xff", w_len_and },
	{ "sk_buff.pkt_type == 3", w_pkt_type },
	{ "sk_buff.dev.name == 'eth0'", w_name },
	{ "sk_buff.dev.name != 'eth0'", w_not_name },
	{ "sk_buff.dev.ifindex == 2 || sk_buff.mark == 1", w_ifindex_or },
	{ "sk_buff.dev.nd_net.net.ns.inum == 4026531840", w_inum },
	{ "sk_buff._nfct:~0x7:nf_conn.mark == 42", w_ctmark },
	{ "sk_buff._nfct:0x7 == 2", w_ct_tag },
	{ "(sk_buff.mark == 1 || sk_buff.dev.name == 'lo') && sk_buff.len < 100", w_mixed },
	{ "sk_buff.pkt_type == 0 or sk_buff.mark == 0xff and sk_buff.dev.name != 'veth01'",
	  w_left_to_right },
};

#define N_META_STATES 240

static void gen_state(struct rete_test_rng *r, struct meta_state *s)
{
	static const uint32_t marks[] = { 0, 1, 0x78, 0xff, 0x100, 0x12345678, 0x12345600,
					  0x80000000, 0xffffffff };
	static const uint32_t lens[] = { 0, 60, 99, 100, 1500 };
	static const char *const names[] = { "eth0", "eth01", "eth", "lo", "veth01",
					     "0123456789abcde" };

	memset(s, 0, sizeof(*s));
	s->mark = rete_test_rng_pct(r, 85) ? marks[rete_test_rng_below(r, ARRAY_LEN(marks))] :
					     (uint32_t)rete_test_rng_next(r);
	s->len = lens[rete_test_rng_below(r, ARRAY_LEN(lens))];
	s->pkt_type = (uint8_t)rete_test_rng_below(r, 8);
	s->dev = rete_test_rng_pct(r, 80);
	snprintf(s->name, sizeof(s->name), "%s", names[rete_test_rng_below(r, ARRAY_LEN(names))]);
	s->ifindex = 1 + rete_test_rng_below(r, 3);
	s->inum = rete_test_rng_pct(r, 50) ? 4026531840u : 4026532000u;
	s->ct = rete_test_rng_pct(r, 50);
	s->ctmark = rete_test_rng_pct(r, 50) ? 42 : 41;
}

static void test_meta_kernel(void **state)
{
	static struct ft_meta imgs[N_META_STATES];
	static struct meta_state states[N_META_STATES];
	struct rete_test_rng r = { 0x3e7a };
	struct meta_layout l;
	unsigned long cases = 0, matched = 0, mismatches = 0, interp_diffs = 0;
	uint32_t key = 0;
	int fd;
	double t0 = now();

	(void)state;
	require_kernel();
	layout_init(&l);
	fd = bpf_map__fd(g_holder->maps.rete_ft_meta);
	for (size_t i = 0; i < N_META_STATES; i++) {
		gen_state(&r, &states[i]);
		build_meta(&l, &states[i], &imgs[i]);
	}
	for (size_t c = 0; c < ARRAY_LEN(meta_cases); c++) {
		const struct meta_case *mc = &meta_cases[c];
		struct rete_filter_prog prog = { 0 };
		struct rete_splice sp = { "rete_filter_meta", &prog };
		struct rete_filter_test *skel = NULL;
		unsigned long hits = 0;
		char err[512];

		if (rete_meta_filter_build(mc->expr, g_vmlinux, &prog, err, sizeof(err)))
			fail_msg("'%s': %s", mc->expr, err);
		if (load_filters(&sp, 1, &skel)) {
			print_error("%s", g_log);
			fail_msg("the kernel refused the meta filter '%s'", mc->expr);
		}
		for (size_t i = 0; i < N_META_STATES; i++) {
			uint32_t want, kern, interp;

			assert_int_equal(bpf_map_update_elem(fd, &key, &imgs[i], BPF_ANY), 0);
			want = mc->want(&states[i]);
			kern = kernel_run(skel, FT_MODE_META, 0);
			interp = meta_interp(&prog, &imgs[i]);
			cases++;
			hits += !!kern;
			interp_diffs += kern != interp;
			if (want != kern || kern != interp) {
				if (mismatches++ < 10)
					print_error("MISMATCH '%s' state %zu (mark 0x%x len %u "
						    "pkt_type %u dev %d '%s' ifindex %u inum %u ct "
						    "%d mark %u): expected %u, kernel %u, "
						    "interpreter %u\n",
						    mc->expr, i, states[i].mark, states[i].len,
						    states[i].pkt_type, states[i].dev,
						    states[i].name, states[i].ifindex,
						    states[i].inum, states[i].ct, states[i].ctmark,
						    want, kern, interp);
			}
		}
		/* every expression must see both outcomes */
		if (!hits || hits == N_META_STATES)
			fail_msg("'%s' %s every state", mc->expr, hits ? "matches" : "matches no");
		matched += hits;
		assert_int_equal(skel->bss->rete_ft_errors, 0);
		rete_filter_test__destroy(skel);
		rete_filter_prog_free(&prog);
	}
	print_message("kernel meta filters: %zu expressions x %d sk_buff states: %lu cases (%lu "
		      "matched), %lu mismatches (%lu kernel/interpreter differences), %.1f s\n",
		      ARRAY_LEN(meta_cases), N_META_STATES, cases, matched, mismatches,
		      interp_diffs, now() - t0);
	assert_int_equal(mismatches, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_harness),
		cmocka_unit_test(test_verifier_refuses),
		cmocka_unit_test(test_meta_kernel),
		cmocka_unit_test(test_pcap_kernel),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
