/*
 * Unit tests: meta filter parser (every construct and error) and compiler
 * (generated eBPF run by the test interpreter against a synthetic sk_buff
 * laid out at fake kernel addresses, described by BTF built below).
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

#include <bpf/btf.h>

#include "filter/insn.h"
#include "filter/meta_compile.h"
#include "filter/meta_parse.h"
#include "helpers/ebpf_interp.h"
#include "lib/strbuf.h"

/* ---- synthetic BTF ------------------------------------------------------ */

/*
 * struct sk_buff {					size 104
 *	union {						@0
 *		struct {
 *			struct sk_buff *next;		@0 (pointer to a forward declaration)
 *			struct sk_buff *prev;		@8
 *			union {				@16
 *				struct net_device *dev;
 *				unsigned long dev_scratch;
 *			};
 *		};
 *	};
 *	u32 mark;					@24
 *	u32 priority;					@28
 *	__u8 pkt_type:3;				bit 256
 *	__u8 cloned:1;					bit 259
 *	unsigned int frag:5;				bit 262 (spans bytes 32 and 33)
 *	int sbf:4;					bit 268 (signed)
 *	short vlan_delta;				@36
 *	signed char tiny;				@38
 *	int skb_iif;					@40
 *	enum pkt_hash_types hash_type;			@44
 *	unsigned long _nfct;				@48
 *	ktime_t tstamp;					@56 (typedef s64)
 *	const char *name_ptr;				@64
 *	struct { __u16 inner_proto; __u16 pad; } headers;	@72
 *	int ints[4];					@76
 *	struct opaque *op;				@96 (never defined)
 * };
 * struct net_device { char name[16]; possible_net_t nd_net; unsigned int mtu;	size 64
 *		       int ifindex; void *priv; int *refcnt; struct net_device **pp; };
 * typedef struct { struct net *net; } possible_net_t;
 * struct net { u32 passive; struct ns_common ns; };			ns @8, size 24
 * struct ns_common { const void *ops; unsigned int inum; u32 count; };	inum @8, size 16
 * struct nf_conn { unsigned long status; u32 mark; u32 zone; };	mark @8, size 16
 */
enum {
	SKB_SIZE = 104,
	DEV_SIZE = 64,
	NET_SIZE = 24,
	CT_SIZE = 16,
};

static int ok(int id)
{
	assert_true(id >= 0);
	return id;
}

static void field(struct btf *btf, const char *name, int type, unsigned bit_off, unsigned bits)
{
	ok(btf__add_field(btf, name, type, bit_off, bits));
}

static struct btf *meta_btf_new(void)
{
	struct btf *btf = btf__new_empty();
	int t_uint, t_int, t_u8, t_u16, t_u32, t_short, t_schar, t_char, t_ulong, t_s64, t_ktime;
	int fwd_skb, fwd_dev, fwd_opaque, s_ns, s_net, s_pnet, t_pnet, s_dev, u_dev, s_list,
	    u_list, s_hdr, e_hash;
	int p_fwd_skb, p_net, p_dev, p_cvoid, p_void, p_int, p_pp_dev, p_cchar, p_opaque;
	int a_name, a_ints;

	assert_non_null(btf);
	t_uint = ok(btf__add_int(btf, "unsigned int", 4, 0));
	t_int = ok(btf__add_int(btf, "int", 4, BTF_INT_SIGNED));
	t_u8 = ok(btf__add_typedef(btf, "__u8", ok(btf__add_int(btf, "unsigned char", 1, 0))));
	t_u16 = ok(btf__add_typedef(btf, "__u16",
				    ok(btf__add_int(btf, "short unsigned int", 2, 0))));
	t_u32 = ok(btf__add_typedef(btf, "u32", t_uint));
	t_short = ok(btf__add_int(btf, "short", 2, BTF_INT_SIGNED));
	t_schar = ok(btf__add_int(btf, "signed char", 1, BTF_INT_SIGNED));
	t_char = ok(btf__add_int(btf, "char", 1, BTF_INT_SIGNED));
	t_ulong = ok(btf__add_int(btf, "long unsigned int", 8, 0));
	t_s64 = ok(btf__add_typedef(btf, "s64",
				    ok(btf__add_int(btf, "long long int", 8, BTF_INT_SIGNED))));
	t_ktime = ok(btf__add_typedef(btf, "ktime_t", t_s64));

	fwd_skb = ok(btf__add_fwd(btf, "sk_buff", BTF_FWD_STRUCT));
	fwd_dev = ok(btf__add_fwd(btf, "net_device", BTF_FWD_STRUCT));
	fwd_opaque = ok(btf__add_fwd(btf, "opaque", BTF_FWD_STRUCT));
	p_fwd_skb = ok(btf__add_ptr(btf, fwd_skb));
	p_void = ok(btf__add_ptr(btf, 0));
	p_cvoid = ok(btf__add_ptr(btf, ok(btf__add_const(btf, 0))));
	p_int = ok(btf__add_ptr(btf, t_int));
	p_pp_dev = ok(btf__add_ptr(btf, ok(btf__add_ptr(btf, fwd_dev))));
	p_cchar = ok(btf__add_ptr(btf, ok(btf__add_const(btf, t_char))));
	p_opaque = ok(btf__add_ptr(btf, fwd_opaque));
	/* Every type a struct refers to exists before it: fields go to the last type added. */
	a_name = ok(btf__add_array(btf, t_int, t_char, 16));
	a_ints = ok(btf__add_array(btf, t_int, t_int, 4));

	s_ns = ok(btf__add_struct(btf, "ns_common", 16));
	field(btf, "ops", p_cvoid, 0, 0);
	field(btf, "inum", t_uint, 64, 0);
	field(btf, "count", t_u32, 96, 0);

	s_net = ok(btf__add_struct(btf, "net", NET_SIZE));
	field(btf, "passive", t_u32, 0, 0);
	field(btf, "ns", s_ns, 64, 0);
	p_net = ok(btf__add_ptr(btf, s_net));

	s_pnet = ok(btf__add_struct(btf, NULL, 8));
	field(btf, "net", p_net, 0, 0);
	t_pnet = ok(btf__add_typedef(btf, "possible_net_t", s_pnet));

	s_dev = ok(btf__add_struct(btf, "net_device", DEV_SIZE));
	field(btf, "name", a_name, 0, 0);
	field(btf, "nd_net", t_pnet, 128, 0);
	field(btf, "mtu", t_uint, 192, 0);
	field(btf, "ifindex", t_int, 224, 0);
	field(btf, "priv", p_void, 256, 0);
	field(btf, "refcnt", p_int, 320, 0);
	field(btf, "pp", p_pp_dev, 384, 0);
	p_dev = ok(btf__add_ptr(btf, s_dev));

	ok(btf__add_struct(btf, "nf_conn", CT_SIZE));
	field(btf, "status", t_ulong, 0, 0);
	field(btf, "mark", t_u32, 64, 0);
	field(btf, "zone", t_u32, 96, 0);

	u_dev = ok(btf__add_union(btf, NULL, 8));
	field(btf, "dev", p_dev, 0, 0);
	field(btf, "dev_scratch", t_ulong, 0, 0);
	s_list = ok(btf__add_struct(btf, NULL, 24));
	field(btf, "next", p_fwd_skb, 0, 0);
	field(btf, "prev", p_fwd_skb, 64, 0);
	field(btf, NULL, u_dev, 128, 0);
	u_list = ok(btf__add_union(btf, NULL, 24));
	field(btf, NULL, s_list, 0, 0);

	s_hdr = ok(btf__add_struct(btf, NULL, 4));
	field(btf, "inner_proto", t_u16, 0, 0);
	field(btf, "pad", t_u16, 16, 0);

	e_hash = ok(btf__add_enum(btf, "pkt_hash_types", 4));
	ok(btf__add_enum_value(btf, "PKT_HASH_TYPE_NONE", 0));
	ok(btf__add_enum_value(btf, "PKT_HASH_TYPE_L2", 1));
	ok(btf__add_enum_value(btf, "PKT_HASH_TYPE_L3", 2));
	ok(btf__add_enum_value(btf, "PKT_HASH_TYPE_L4", 3));

	ok(btf__add_struct(btf, "sk_buff", SKB_SIZE));
	field(btf, NULL, u_list, 0, 0);
	field(btf, "mark", t_u32, 192, 0);
	field(btf, "priority", t_u32, 224, 0);
	field(btf, "pkt_type", t_u8, 256, 3);
	field(btf, "cloned", t_u8, 259, 1);
	field(btf, "frag", t_uint, 262, 5);
	field(btf, "sbf", t_int, 268, 4);
	field(btf, "vlan_delta", t_short, 288, 0);
	field(btf, "tiny", t_schar, 304, 0);
	field(btf, "skb_iif", t_int, 320, 0);
	field(btf, "hash_type", e_hash, 352, 0);
	field(btf, "_nfct", t_ulong, 384, 0);
	field(btf, "tstamp", t_ktime, 448, 0);
	field(btf, "name_ptr", p_cchar, 512, 0);
	field(btf, "headers", s_hdr, 576, 0);
	field(btf, "ints", a_ints, 608, 0);
	field(btf, "op", p_opaque, 768, 0);
	return btf;
}

/* ---- fake kernel memory ------------------------------------------------- */

#define SKB_ADDR 0xffff888000010000ULL
#define SKB2_ADDR 0xffff888000011000ULL
#define DEV_ADDR 0xffff888000020000ULL
#define NET_ADDR 0xffff888000030000ULL
#define CT_ADDR 0xffff888000040000ULL
#define STR_ADDR 0xffff888000050000ULL
#define DANGLING_ADDR 0xffff888000990000ULL
#define INUM 4026531840U

static struct btf *g_btf;
static uint8_t skb_mem[SKB_SIZE], skb2_mem[SKB_SIZE], dev_mem[DEV_SIZE], net_mem[NET_SIZE],
	ct_mem[CT_SIZE], str_mem[16];
static uint8_t page0_mem[64];
static struct rete_interp_mem g_mem[8];
static size_t g_nmem;

static void put(uint8_t *mem, size_t off, uint64_t v, size_t size)
{
	memcpy(mem + off, &v, size); /* little endian host, like the x86 kernel */
}

/* Little-endian bit-field: bits [bit_off, bit_off + width) of mem. */
static void put_bits(uint8_t *mem, unsigned bit_off, unsigned width, uint64_t v)
{
	for (unsigned i = 0; i < width; i++) {
		unsigned b = bit_off + i;

		if ((v >> i) & 1)
			mem[b / 8] |= (uint8_t)(1u << (b % 8));
		else
			mem[b / 8] &= (uint8_t)~(1u << (b % 8));
	}
}

static void add_mem(uint64_t addr, const void *data, size_t len)
{
	assert_true(g_nmem < sizeof(g_mem) / sizeof(g_mem[0]));
	g_mem[g_nmem].addr = addr;
	g_mem[g_nmem].data = data;
	g_mem[g_nmem++].len = len;
}

static int reset_mem(void **state)
{
	memset(skb_mem, 0, sizeof(skb_mem));
	memset(skb2_mem, 0, sizeof(skb2_mem));
	memset(dev_mem, 0, sizeof(dev_mem));
	memset(net_mem, 0, sizeof(net_mem));
	memset(ct_mem, 0, sizeof(ct_mem));
	memset(str_mem, 0, sizeof(str_mem));

	put(skb_mem, 0, SKB2_ADDR, 8);			/* next */
	put(skb_mem, 16, DEV_ADDR, 8);			/* dev */
	put(skb_mem, 24, 0xc0de2a, 4);			/* mark */
	put(skb_mem, 28, 0, 4);				/* priority */
	put_bits(skb_mem, 256, 3, 5);			/* pkt_type */
	put_bits(skb_mem, 259, 1, 1);			/* cloned */
	put_bits(skb_mem, 262, 5, 19);			/* frag */
	put_bits(skb_mem, 268, 4, (uint64_t)-3);	/* sbf */
	put(skb_mem, 36, (uint64_t)-2, 2);		/* vlan_delta */
	put(skb_mem, 38, (uint64_t)-128, 1);		/* tiny */
	put(skb_mem, 40, (uint64_t)-5, 4);		/* skb_iif */
	put(skb_mem, 44, 2, 4);				/* hash_type = PKT_HASH_TYPE_L3 */
	put(skb_mem, 48, CT_ADDR | 2, 8);		/* _nfct: IP_CT_NEW tag */
	put(skb_mem, 56, (uint64_t)-1, 8);		/* tstamp */
	put(skb_mem, 64, STR_ADDR, 8);			/* name_ptr */
	put(skb_mem, 72, 0x86dd, 2);			/* headers.inner_proto */
	put(skb_mem, 96, DANGLING_ADDR, 8);		/* op */
	put(skb2_mem, 24, 7, 4);			/* next->mark */

	memcpy(dev_mem, "veth01", 7);
	put(dev_mem, 16, NET_ADDR, 8);			/* nd_net.net */
	put(dev_mem, 24, 1500, 4);			/* mtu */
	put(net_mem, 8 + 8, INUM, 4);			/* ns.inum */
	put(ct_mem, 8, 42, 4);				/* mark */
	memcpy(str_mem, "hello\0xyzxyzxyzx", 16);

	g_nmem = 0;
	add_mem(SKB_ADDR, skb_mem, sizeof(skb_mem));
	add_mem(SKB2_ADDR, skb2_mem, sizeof(skb2_mem));
	add_mem(DEV_ADDR, dev_mem, sizeof(dev_mem));
	add_mem(NET_ADDR, net_mem, sizeof(net_mem));
	add_mem(CT_ADDR, ct_mem, sizeof(ct_mem));
	add_mem(STR_ADDR, str_mem, sizeof(str_mem));
	(void)state;
	return 0;
}

static int group_setup(void **state)
{
	g_btf = meta_btf_new();
	(void)state;
	return 0;
}

static int group_teardown(void **state)
{
	btf__free(g_btf);
	(void)state;
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static char errbuf[512];

/* Every jump goes forward and every instruction is reachable, as the verifier demands. */
static void assert_verifiable(const struct rete_filter_prog *p)
{
	bool *reached = calloc(p->n + 1, sizeof(*reached));
	char msg[256] = "";

	assert_non_null(reached);
	if (rete_interp_check(p->insns, p->n, msg, sizeof(msg)))
		fail_msg("rete_interp_check: %s", msg);
	reached[0] = true;
	for (size_t pc = 0; pc < p->n; pc++) {
		const struct bpf_insn *i = &p->insns[pc];
		uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);

		if (!reached[pc])
			fail_msg("instruction %zu is unreachable", pc);
		if (i->code == (BPF_LD | BPF_DW | BPF_IMM)) {
			reached[++pc + 1] = true;
			continue;
		}
		if (cls == BPF_JMP && op == BPF_EXIT)
			continue;
		if (cls == BPF_JMP && op != BPF_CALL) {
			assert_true(i->off >= 0);
			reached[pc + 1 + (size_t)i->off] = true;
			if (op == BPF_JA)
				continue;
		}
		reached[pc + 1] = true;
	}
	free(reached);
}

static int compile(const char *expr, struct rete_filter_prog *p)
{
	memset(p, 0, sizeof(*p));
	errbuf[0] = '\0';
	return rete_meta_filter_build(expr, g_btf, p, errbuf, sizeof(errbuf));
}

static uint64_t run_prog(const struct rete_filter_prog *p)
{
	uint64_t args[5] = { SKB_ADDR }, r0 = 99;

	assert_int_equal(rete_interp_run(p->insns, p->n, args, g_mem, g_nmem, &r0), 0);
	return r0;
}

static uint64_t eval_one(const char *expr)
{
	struct rete_filter_prog p;
	uint64_t r0;

	if (compile(expr, &p))
		fail_msg("'%s' does not compile: %s", expr, errbuf);
	assert_verifiable(&p);
	r0 = run_prog(&p);
	rete_filter_prog_free(&p);
	if (r0 != 0 && r0 != 1)
		fail_msg("'%s' returned %llu", expr, (unsigned long long)r0);
	return r0;
}

/*
 * A comparison compiles differently depending on which exit follows it:
 * last (one jump to "false"), or left of `||` (one jump to "true"). Try
 * both; sk_buff.priority is always 0.
 */
static bool eval(const char *expr)
{
	char both[1024];
	uint64_t r0 = eval_one(expr);

	snprintf(both, sizeof(both), "(%s) || sk_buff.priority == 1", expr);
	if (eval_one(both) != r0)
		fail_msg("'%s' and '%s' disagree", expr, both);
	return r0;
}

#define assert_match(expr)                                                       \
	do {                                                                     \
		if (!eval(expr))                                                 \
			fail_msg("expected '%s' to match", expr);                \
	} while (0)

#define assert_no_match(expr)                                                    \
	do {                                                                     \
		if (eval(expr))                                                  \
			fail_msg("expected '%s' not to match", expr);            \
	} while (0)

static void assert_parses_as(const char *expr, const char *canonical)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	struct rete_meta_node *n;

	if (rete_meta_parse(expr, &n, errbuf, sizeof(errbuf)))
		fail_msg("'%s' does not parse: %s", expr, errbuf);
	assert_int_equal(rete_meta_format(n, &sb), 0);
	assert_string_equal(rete_strbuf_str(&sb), canonical);
	rete_strbuf_free(&sb);
	rete_meta_free(n);
}

static void assert_parse_error(const char *expr, const char *msg)
{
	struct rete_meta_node *n = (void *)1;

	assert_int_equal(rete_meta_parse(expr, &n, errbuf, sizeof(errbuf)), -EINVAL);
	assert_null(n);
	assert_string_equal(errbuf, msg);
}

static void assert_compile_error(const char *expr, const char *msg)
{
	struct rete_filter_prog p;

	assert_int_equal(compile(expr, &p), -EINVAL);
	assert_string_equal(errbuf, msg);
	assert_int_equal(p.n, 0);
	assert_null(p.insns);
}

/* ---- parser ------------------------------------------------------------- */

static void test_parse_terms(void **state)
{
	assert_parses_as("sk_buff.mark == 1", "sk_buff.mark == 1");
	assert_parses_as("sk_buff.mark", "sk_buff.mark");
	assert_parses_as("sk_buff.dev.nd_net.net.ns.inum==4026531840",
			 "sk_buff.dev.nd_net.net.ns.inum == 4026531840");
	assert_parses_as("  sk_buff . dev\t. name  ==  'eth0'  ", "sk_buff.dev.name == 'eth0'");
	assert_parses_as("sk_buff.dev.name != \"veth01\"", "sk_buff.dev.name != \"veth01\"");
	assert_parses_as("sk_buff.dev.name == \"it's\"", "sk_buff.dev.name == \"it's\"");
	assert_parses_as("sk_buff.dev.name == ''", "sk_buff.dev.name == ''");
	assert_parses_as("sk_buff.l4_hash", "sk_buff.l4_hash");
	assert_parses_as("sk_buff.mark < 1", "sk_buff.mark < 1");
	assert_parses_as("sk_buff.mark <= 1", "sk_buff.mark <= 1");
	assert_parses_as("sk_buff.mark > 1", "sk_buff.mark > 1");
	assert_parses_as("sk_buff.mark >= 1", "sk_buff.mark >= 1");
	assert_parses_as("sk_buff.mark==0xC0dE", "sk_buff.mark == 0xC0dE");
	assert_parses_as("sk_buff.mark == 0b101", "sk_buff.mark == 0b101");
	assert_parses_as("sk_buff.x == -5", "sk_buff.x == -5");
	(void)state;
}

static void test_parse_modifiers(void **state)
{
	assert_parses_as("sk_buff._nfct:~0x7:nf_conn.mark == 42",
			 "sk_buff._nfct:0xfffffffffffffff8:nf_conn.mark == 42");
	assert_parses_as("sk_buff._nfct : 0x7 == 2", "sk_buff._nfct:0x7 == 2");
	assert_parses_as("sk_buff.mark:0b101", "sk_buff.mark:0x5");
	assert_parses_as("sk_buff.mark:255 != 0", "sk_buff.mark:0xff != 0");
	assert_parses_as("sk_buff.mark:~ 255", "sk_buff.mark:0xffffffffffffff00");
	assert_parses_as("sk_buff.dev:~0x0.mtu", "sk_buff.dev:0xffffffffffffffff.mtu");
	(void)state;
}

static void test_parse_values(void **state)
{
	static const struct {
		const char *expr;
		uint64_t num;
		bool negative;
	} cases[] = {
		{ "sk_buff.x == 0", 0, false },
		{ "sk_buff.x == -0", 0, false },
		{ "sk_buff.x == 007", 7, false },
		{ "sk_buff.x == 0xffffffffffffffff", UINT64_MAX, false },
		{ "sk_buff.x == 18446744073709551615", UINT64_MAX, false },
		{ "sk_buff.x == -9223372036854775808", (uint64_t)INT64_MIN, true },
		{ "sk_buff.x == -1", (uint64_t)-1, true },
		{ "sk_buff.x == 0b11111111", 255, false },
		{ "sk_buff.x", 0, false },
	};
	struct rete_meta_node *n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(rete_meta_parse(cases[i].expr, &n, errbuf, sizeof(errbuf)), 0);
		assert_int_equal(n->type, RETE_META_NODE_CMP);
		assert_int_equal(n->cmp.value.type, RETE_META_VALUE_NUM);
		assert_true(n->cmp.value.num == cases[i].num);
		assert_int_equal(n->cmp.value.negative, cases[i].negative);
		rete_meta_free(n);
	}
	assert_int_equal(rete_meta_parse("sk_buff.x", &n, errbuf, sizeof(errbuf)), 0);
	assert_true(n->cmp.bare);
	assert_int_equal(n->cmp.op, RETE_META_OP_NE);
	rete_meta_free(n);
	assert_int_equal(rete_meta_parse("sk_buff.a.b:~0x7:nf_conn.c == 'ab'", &n, errbuf,
					 sizeof(errbuf)),
			 0);
	assert_int_equal(n->cmp.npath, 3);
	assert_string_equal(n->cmp.path[0].name, "a");
	assert_false(n->cmp.path[0].has_mask);
	assert_null(n->cmp.path[0].cast);
	assert_true(n->cmp.path[1].has_mask);
	assert_true(n->cmp.path[1].mask == ~UINT64_C(7));
	assert_string_equal(n->cmp.path[1].cast, "nf_conn");
	assert_int_equal(n->cmp.value.type, RETE_META_VALUE_STR);
	assert_string_equal(n->cmp.value.str, "ab");
	assert_int_equal(n->cmp.value.len, 2);
	rete_meta_free(n);
	(void)state;
}

/* Retis: `expr = primary ~ (infix ~ primary)*` folded left; no precedence between && and ||. */
static void test_parse_precedence(void **state)
{
	assert_parses_as("sk_buff.a || sk_buff.b && sk_buff.c",
			 "((sk_buff.a || sk_buff.b) && sk_buff.c)");
	assert_parses_as("sk_buff.a and sk_buff.b or sk_buff.c",
			 "((sk_buff.a && sk_buff.b) || sk_buff.c)");
	assert_parses_as("sk_buff.a || (sk_buff.b && sk_buff.c)",
			 "(sk_buff.a || (sk_buff.b && sk_buff.c))");
	assert_parses_as("((sk_buff.a))", "sk_buff.a");
	assert_parses_as("sk_buff.a==1 or(sk_buff.b==2)and sk_buff.c",
			 "((sk_buff.a == 1 || sk_buff.b == 2) && sk_buff.c)");
	assert_parses_as("sk_buff.a && sk_buff.b && sk_buff.c || sk_buff.d",
			 "(((sk_buff.a && sk_buff.b) && sk_buff.c) || sk_buff.d)");
	assert_parses_as("(sk_buff.a || sk_buff.b) && (sk_buff.c || sk_buff.d)",
			 "((sk_buff.a || sk_buff.b) && (sk_buff.c || sk_buff.d))");
	/* Keywords are whole words: "order" is a member, not "or" + "der". */
	assert_parses_as("sk_buff.order or sk_buff.andy", "(sk_buff.order || sk_buff.andy)");
	(void)state;
}

static void test_parse_errors(void **state)
{
	char long_expr[256], deep[128];

	assert_parse_error("", "meta filter: at column 1: the filter is empty");
	assert_parse_error("sk_buff.mark 5",
			   "meta filter: at column 14: expected an operator (==, !=, <, <=, >, >=) after 'sk_buff.mark'");
	assert_parse_error("sk_buff.mark = 5",
			   "meta filter: at column 14: expected an operator (==, !=, <, <=, >, >=) after 'sk_buff.mark'");
	assert_parse_error("(sk_buff._nfct:0x7 =< 2)",
			   "meta filter: at column 20: expected an operator (==, !=, <, <=, >, >=) after 'sk_buff._nfct:0x7'");
	assert_parse_error("dev.mark == 1",
			   "meta filter: at column 1: expected 'sk_buff', not 'dev' (the meta filter reads struct sk_buff only)");
	assert_parse_error("sk_buff == 1",
			   "meta filter: at column 9: expected '.' and a member name after 'sk_buff'");
	assert_parse_error("sk_buff. == 1",
			   "meta filter: at column 10: expected a member name after 'sk_buff.'");
	assert_parse_error("sk_buff.dev..name",
			   "meta filter: at column 13: expected a member name after 'sk_buff.dev.'");
	assert_parse_error("sk_buff.mark ==",
			   "meta filter: at column 16: expected a number or a quoted string after '=='");
	assert_parse_error("sk_buff.dev.name == dummy0",
			   "meta filter: at column 21: expected a number or a quoted string after '==', not 'dummy0'");
	assert_parse_error("sk_buff.dev.name < 'x'",
			   "meta filter: at column 18: strings can only be compared with == or !=, not with '<'");
	assert_parse_error("sk_buff.dev.name >= \"x\"",
			   "meta filter: at column 18: strings can only be compared with == or !=, not with '>='");
	assert_parse_error("sk_buff.dev.name == 'eth0",
			   "meta filter: at column 21: the string starting here has no closing '");
	assert_parse_error("sk_buff.dev.name == \"eth0'",
			   "meta filter: at column 21: the string starting here has no closing \"");
	assert_parse_error("sk_buff.mark == 0x",
			   "meta filter: at column 17: expected hexadecimal digits after '0x'");
	assert_parse_error("sk_buff.mark == 0b",
			   "meta filter: at column 17: expected binary digits after '0b'");
	assert_parse_error("sk_buff.mark == - 1",
			   "meta filter: at column 17: expected decimal digits after '-'");
	assert_parse_error("sk_buff.mark == 0b102", "meta filter: at column 17: invalid number '0b102'");
	assert_parse_error("sk_buff.mark == 12ab", "meta filter: at column 17: invalid number '12ab'");
	assert_parse_error("sk_buff.mark == 0x1g", "meta filter: at column 17: invalid number '0x1g'");
	assert_parse_error("sk_buff.mark == 18446744073709551616",
			   "meta filter: at column 17: '18446744073709551616' does not fit in 64 bits");
	assert_parse_error("sk_buff.mark == 0x10000000000000000",
			   "meta filter: at column 17: '0x10000000000000000' does not fit in 64 bits");
	assert_parse_error("sk_buff.mark == -9223372036854775809",
			   "meta filter: at column 17: '-9223372036854775809' does not fit in 64 bits");
	assert_parse_error("sk_buff.mark == -0x1",
			   "meta filter: at column 17: negative numbers must be written in decimal");
	assert_parse_error("sk_buff.mark:0 == 1",
			   "meta filter: at column 14: the mask '0' is 0, which would clear every bit");
	assert_parse_error("sk_buff.mark:0b00",
			   "meta filter: at column 14: the mask '0b00' is 0, which would clear every bit");
	assert_parse_error("sk_buff.mark:~0xffffffffffffffff == 1",
			   "meta filter: at column 14: the mask '~0xffffffffffffffff' is 0, which would clear every bit");
	assert_parse_error("sk_buff.mark: == 1",
			   "meta filter: at column 15: expected a mask (a number such as 0xff, 0b101 or 255, optionally after '~') after 'sk_buff.mark:'");
	assert_parse_error("sk_buff.mark:-1 == 1",
			   "meta filter: at column 14: expected a mask (a number such as 0xff, 0b101 or 255, optionally after '~') after 'sk_buff.mark:'");
	assert_parse_error("sk_buff._nfct::nf_conn.mark",
			   "meta filter: at column 15: expected a mask (a number such as 0xff, 0b101 or 255, optionally after '~') after 'sk_buff._nfct:'");
	assert_parse_error("sk_buff._nfct:0x7: .mark",
			   "meta filter: at column 20: expected a type name after 'sk_buff._nfct:0x7:'");
	assert_parse_error("(sk_buff.mark == 1",
			   "meta filter: at column 19: expected ')' to close the '(' at column 1");
	assert_parse_error("sk_buff.a && (sk_buff.b || (sk_buff.c)",
			   "meta filter: at column 39: expected ')' to close the '(' at column 14");
	assert_parse_error("sk_buff.mark == 1)", "meta filter: at column 18: unmatched ')'");
	assert_parse_error("sk_buff.mark == 1 sk_buff.mark",
			   "meta filter: at column 19: expected '&&', '||', 'and', 'or' or the end of the filter after '1'");
	assert_parse_error("sk_buff.mark == 1 & sk_buff.mark",
			   "meta filter: at column 19: expected '&&', '||', 'and', 'or' or the end of the filter after '1'");
	assert_parse_error("sk_buff.dev.name == 'a' orx",
			   "meta filter: at column 25: expected '&&', '||', 'and', 'or' or the end of the filter after ''a''");
	assert_parse_error("(sk_buff.mark == 1 sk_buff.mark)",
			   "meta filter: at column 20: expected '&&', '||', 'and', 'or' or ')' after '1'");
	assert_parse_error("sk_buff.mark == 1 &&",
			   "meta filter: at column 21: expected 'sk_buff' or '(' after '&&'");
	assert_parse_error("sk_buff.mark or )",
			   "meta filter: at column 17: expected 'sk_buff' or '(' after 'or'");
	assert_parse_error("&& sk_buff.mark", "meta filter: at column 1: expected 'sk_buff' or '('");
	assert_parse_error("()", "meta filter: at column 2: expected 'sk_buff' or '(' after '('");

	memset(deep, '(', RETE_META_DEPTH_MAX + 1);
	snprintf(deep + RETE_META_DEPTH_MAX + 1, sizeof(deep) - RETE_META_DEPTH_MAX - 1,
		 "sk_buff.mark");
	assert_parse_error(deep, "meta filter: at column 33: parentheses nested deeper than 32");

	memset(long_expr, 0, sizeof(long_expr));
	strcpy(long_expr, "sk_buff.dev.name == '");
	memset(long_expr + strlen(long_expr), 'a', RETE_META_STR_MAX + 1);
	strcat(long_expr, "'");
	assert_parse_error(long_expr,
			   "meta filter: at column 21: the string is 129 bytes long, more than the 128 the meta filter allows");
	(void)state;
}

static void test_parse_too_many(void **state)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	struct rete_meta_node *n;
	char expect[128];
	size_t col = 0;

	for (int i = 0; i <= RETE_META_CMP_MAX; i++) {
		if (i)
			rete_strbuf_adds(&sb, " || ");
		if (i == RETE_META_CMP_MAX)
			col = sb.len + 1;
		rete_strbuf_adds(&sb, "sk_buff.mark");
	}
	snprintf(expect, sizeof(expect), "meta filter: at column %zu: more than 512 comparisons",
		 col);
	assert_parse_error(rete_strbuf_str(&sb), expect);

	/* One fewer is fine. */
	sb.len -= strlen(" || sk_buff.mark");
	sb.buf[sb.len] = '\0';
	assert_int_equal(rete_meta_parse(rete_strbuf_str(&sb), &n, errbuf, sizeof(errbuf)), 0);
	rete_meta_free(n);
	rete_strbuf_free(&sb);
	(void)state;
}

/* ---- compile and run: numbers ------------------------------------------- */

static void test_run_mark(void **state)
{
	assert_match("sk_buff.mark == 0xc0de2a");
	assert_match("sk_buff.mark == 12639786");
	assert_no_match("sk_buff.mark == 0xc0de2b");
	assert_match("sk_buff.mark != 1");
	assert_no_match("sk_buff.mark != 0xc0de2a");
	assert_match("sk_buff.mark < 0xc0de2b");
	assert_no_match("sk_buff.mark < 0xc0de2a");
	assert_match("sk_buff.mark <= 0xc0de2a");
	assert_no_match("sk_buff.mark <= 0xc0de29");
	assert_match("sk_buff.mark > 0xc0de29");
	assert_no_match("sk_buff.mark > 0xc0de2a");
	assert_match("sk_buff.mark >= 0xc0de2a");
	assert_no_match("sk_buff.mark >= 0xc0de2b");
	assert_match("sk_buff.mark == 0b110000001101111000101010");

	/* Above INT32_MAX: no sign extension of the u32, 64-bit constants. */
	put(skb_mem, 24, 0xffffffff, 4);
	assert_match("sk_buff.mark == 4294967295");
	assert_match("sk_buff.mark > 0x7fffffff");
	assert_no_match("sk_buff.mark < 0x80000000");
	assert_match("sk_buff.mark >= 0x80000000");
	(void)state;
}

static void test_run_bare(void **state)
{
	assert_match("sk_buff.mark");
	assert_no_match("sk_buff.priority");
	assert_match("sk_buff.cloned");
	assert_match("sk_buff._nfct:0x7");
	assert_no_match("sk_buff._nfct:0x8");
	assert_match("(sk_buff.mark)");
	put(skb_mem, 24, 0, 4);
	assert_no_match("sk_buff.mark");
	(void)state;
}

static void test_run_other_widths(void **state)
{
	assert_match("sk_buff.headers.inner_proto == 0x86dd");
	assert_match("sk_buff.hash_type == 2");
	assert_match("sk_buff.hash_type > 1");
	assert_match("sk_buff.dev_scratch == 0xffff888000020000");
	assert_match("sk_buff.dev.mtu == 1500");
	assert_match("sk_buff.dev:~0x0.mtu == 1500");
	assert_match("sk_buff.next.mark == 7");
	(void)state;
}

static void test_run_signed(void **state)
{
	assert_match("sk_buff.skb_iif == -5");
	assert_match("sk_buff.skb_iif < 0");
	assert_match("sk_buff.skb_iif > -10");
	assert_no_match("sk_buff.skb_iif < -10");
	assert_match("sk_buff.skb_iif >= -5");
	assert_no_match("sk_buff.skb_iif <= -6");
	/* Where signed and unsigned comparisons disagree. */
	assert_match("sk_buff.skb_iif <= 0");
	assert_no_match("sk_buff.skb_iif > 0");
	assert_no_match("sk_buff.skb_iif >= 0");
	assert_match("sk_buff.skb_iif < 1");
	assert_match("sk_buff.vlan_delta == -2");
	assert_match("sk_buff.vlan_delta < 0 && sk_buff.vlan_delta > -3");
	assert_match("sk_buff.tiny == -128");
	assert_match("sk_buff.tiny <= -128");
	assert_match("sk_buff.tstamp == -1");
	assert_match("sk_buff.tstamp < 0");
	assert_match("sk_buff.tstamp > -9223372036854775808");
	put(skb_mem, 40, 100, 4);
	assert_match("sk_buff.skb_iif > 99");
	assert_no_match("sk_buff.skb_iif < 0");
	(void)state;
}

static void test_run_bitfields(void **state)
{
	assert_match("sk_buff.pkt_type == 5");
	assert_no_match("sk_buff.pkt_type == 4");
	assert_match("sk_buff.pkt_type > 4 && sk_buff.pkt_type < 6");
	assert_match("sk_buff.cloned == 1");
	assert_match("sk_buff.frag == 19");
	assert_match("sk_buff.frag == 0b10011");
	assert_match("sk_buff.sbf == -3");
	assert_match("sk_buff.sbf < 0");
	assert_match("sk_buff.pkt_type:0b100 == 4");
	assert_match("sk_buff.pkt_type:~0b100 == 1");
	/* Neighbouring bits must not leak in. */
	put_bits(skb_mem, 256, 3, 0);
	put_bits(skb_mem, 262, 5, 0);
	assert_match("sk_buff.pkt_type == 0");
	assert_match("sk_buff.cloned == 1");
	assert_match("sk_buff.frag == 0");
	assert_match("sk_buff.sbf == -3");
	put_bits(skb_mem, 268, 4, 7);
	assert_match("sk_buff.sbf == 7");
	(void)state;
}

static void test_run_masks(void **state)
{
	assert_match("sk_buff.mark:0xff == 0x2a");
	assert_match("sk_buff.mark:~0xff == 0xc0de00");
	assert_match("sk_buff.mark:0b1 == 0");
	assert_match("sk_buff.mark:0xffffffff00000000 == 0");
	assert_match("sk_buff._nfct:0x7 == 2");
	assert_match("sk_buff._nfct:~0x7 == 0xffff888000040000");
	(void)state;
}

/* ---- compile and run: pointers and strings ------------------------------ */

static void test_run_dev_name(void **state)
{
	assert_match("sk_buff.dev.name == \"veth01\"");
	assert_match("sk_buff.dev.name == 'veth01'");
	assert_no_match("sk_buff.dev.name != 'veth01'");
	assert_no_match("sk_buff.dev.name == 'veth0'");	/* prefix of the name */
	assert_no_match("sk_buff.dev.name == 'veth012'");	/* name is a prefix */
	assert_no_match("sk_buff.dev.name == 'eth01'");
	assert_no_match("sk_buff.dev.name == ''");
	assert_match("sk_buff.dev.name != 'veth0'");
	assert_match("sk_buff.dev.name != 'eth0'");

	/* Names longer than one 8-byte word, and one filling the array without a NUL. */
	memcpy(dev_mem, "a-long-name-123", 16);
	assert_match("sk_buff.dev.name == 'a-long-name-123'");
	assert_no_match("sk_buff.dev.name == 'a-long-name-12'");
	assert_no_match("sk_buff.dev.name == 'a-long-name-124'");
	memcpy(dev_mem, "0123456789abcdef", 16);
	assert_match("sk_buff.dev.name == '0123456789abcdef'");
	assert_no_match("sk_buff.dev.name == '0123456789abcde'");
	memset(dev_mem, 0, 16);
	assert_match("sk_buff.dev.name == ''");
	(void)state;
}

static void test_run_char_ptr(void **state)
{
	assert_match("sk_buff.name_ptr == 'hello'");
	assert_no_match("sk_buff.name_ptr == 'hell'");
	assert_no_match("sk_buff.name_ptr == 'hello!'");
	assert_match("sk_buff.name_ptr != 'world'");
	assert_match("sk_buff.name_ptr:~0x0 == 'hello'");
	put(skb_mem, 64, 0, 8);
	assert_no_match("sk_buff.name_ptr == 'hello'");
	assert_no_match("sk_buff.name_ptr != 'hello'");
	(void)state;
}

static void test_run_netns(void **state)
{
	assert_match("sk_buff.dev.nd_net.net.ns.inum == 4026531840");
	assert_no_match("sk_buff.dev.nd_net.net.ns.inum == 4026531841");
	assert_match("sk_buff.dev.nd_net.net.ns.inum > 4026531839");
	/* NULL in the middle of the path. */
	put(dev_mem, 16, 0, 8);
	assert_no_match("sk_buff.dev.nd_net.net.ns.inum == 4026531840");
	assert_no_match("sk_buff.dev.nd_net.net.ns.inum != 4026531840");
	(void)state;
}

static void test_run_null_dev(void **state)
{
	put(skb_mem, 16, 0, 8);
	assert_no_match("sk_buff.dev.name == 'veth01'");
	assert_no_match("sk_buff.dev.name != 'veth01'");
	assert_no_match("sk_buff.dev.mtu == 1500");
	assert_no_match("sk_buff.dev.mtu != 1500");
	assert_no_match("sk_buff.dev.mtu");
	assert_match("sk_buff.dev.name == 'veth01' || sk_buff.mark == 0xc0de2a");
	assert_no_match("sk_buff.mark == 0xc0de2a && sk_buff.dev.name == 'veth01'");
	/* NULL is never dereferenced, even where address 0 would be readable. */
	memcpy(page0_mem, "veth01", 7);
	put(page0_mem, 24, 1500, 4);
	add_mem(0, page0_mem, sizeof(page0_mem));
	assert_no_match("sk_buff.dev.name == 'veth01'");
	assert_no_match("sk_buff.dev.mtu == 1500");
	put(skb_mem, 48, 2, 8);
	assert_no_match("sk_buff._nfct:~0x7:nf_conn.status == 0");
	/* A pointer to memory that cannot be read is no better. */
	put(skb_mem, 16, DANGLING_ADDR, 8);
	assert_no_match("sk_buff.dev.mtu == 0");
	assert_no_match("sk_buff.dev.name != 'veth01'");
	(void)state;
}

static void test_run_nfct_cast(void **state)
{
	assert_match("sk_buff._nfct:~0x7:nf_conn.mark == 42");
	assert_no_match("sk_buff._nfct:~0x7:nf_conn.mark != 42");
	assert_match("sk_buff._nfct:0x7 == 0x2 and sk_buff._nfct:~0x7:nf_conn.mark > 41");
	/* Without the mask the tagged pointer is off by 2. */
	assert_no_match("sk_buff._nfct:~0x0:nf_conn.mark == 42");
	put(skb_mem, 48, 2, 8);	/* a tag and no conntrack entry */
	assert_no_match("sk_buff._nfct:~0x7:nf_conn.mark == 42");
	assert_no_match("sk_buff._nfct:~0x7:nf_conn.mark != 42");
	assert_match("sk_buff._nfct:0x7 == 2");
	(void)state;
}

/* ---- compile and run: boolean logic ------------------------------------- */

#define T1 "sk_buff.mark == 0xc0de2a"	/* true */
#define F1 "sk_buff.priority == 1"	/* false */
#define F2 "sk_buff.priority == 2"	/* false */

static void test_run_logic(void **state)
{
	assert_match(T1 " && " T1);
	assert_no_match(T1 " && " F1);
	assert_no_match(F1 " && " T1);
	assert_match(T1 " || " F1);
	assert_match(F1 " || " T1);
	assert_no_match(F1 " || " F2);
	assert_match(T1 " and " T1);
	assert_match(F1 " or " T1);
	/* Left to right, no precedence: C would say true to both. */
	assert_no_match(T1 " || " F1 " && " F2);
	assert_match("(" T1 " || " F1 ") && " T1);
	assert_match(T1 " || (" F1 " && " F2 ")");
	assert_match(F1 " && " F2 " || " T1);
	assert_no_match(F1 " && (" F2 " || " T1 ")");
	assert_match("((" F1 " || " T1 ") && (" F2 " || " T1 "))");
	assert_no_match("((" F1 " || " T1 ") && (" F2 " || " F1 "))");
	assert_match("sk_buff.mark != 0xc0de2a || sk_buff.dev.name == 'veth01' && sk_buff.dev.mtu "
		     "== 1500");
	assert_no_match("sk_buff.dev.name == 'eth0' || sk_buff.dev.name == 'veth0' || "
			"sk_buff.dev.name != 'veth01'");
	assert_match("sk_buff.dev.name == 'eth0' || sk_buff.dev.name == 'veth0' || "
		     "sk_buff.dev.name == 'veth01'");
	assert_no_match("sk_buff.dev.name != 'veth01' && sk_buff.mark == 0xc0de2a");
	(void)state;
}

/*
 * The right-hand side is skipped when the left one decides: replace its
 * first instructions with `r0 = 7; exit` and check that they never run.
 */
static void check_short_circuit(const char *lhs, const char *op, const char *rhs, uint64_t want)
{
	struct rete_filter_prog b, p;
	char expr[256];
	size_t start;

	/* As the last operand, rhs compiles as it does alone (minus "r6 = r1" and the exits). */
	assert_int_equal(compile(rhs, &b), 0);
	snprintf(expr, sizeof(expr), "%s %s %s", lhs, op, rhs);
	assert_int_equal(compile(expr, &p), 0);
	start = p.n - 4 - (b.n - 5);
	p.insns[start] = rete_mov64_imm(BPF_REG_0, 7);
	p.insns[start + 1] = rete_exit();
	assert_true(run_prog(&p) == want);
	rete_filter_prog_free(&b);
	rete_filter_prog_free(&p);
}

static void test_run_short_circuit(void **state)
{
	check_short_circuit(T1, "||", F1, 1);
	check_short_circuit(F1, "&&", T1, 0);
	check_short_circuit("sk_buff.dev.name == 'veth01'", "or", "sk_buff.mark == 1", 1);
	check_short_circuit("sk_buff.dev.name != 'veth01'", "and", "sk_buff.mark == 1", 0);
	/* And is evaluated when it must be. */
	check_short_circuit(T1, "&&", F1, 7);
	check_short_circuit(F1, "||", T1, 7);
	(void)state;
}

/* ---- compile errors ----------------------------------------------------- */

static void test_compile_errors(void **state)
{
	assert_compile_error("sk_buff.mrak == 1",
			     "meta filter: struct sk_buff has no member 'mrak' (did you mean 'mark'?)");
	assert_compile_error("sk_buff.dve.mtu == 1",
			     "meta filter: struct sk_buff has no member 'dve' (did you mean 'dev'?)");
	assert_compile_error("sk_buff.zzzzzz == 1",
			     "meta filter: struct sk_buff has no member 'zzzzzz'");
	assert_compile_error("sk_buff.dev.nmae == 'x'",
			     "meta filter: struct net_device has no member 'nmae' (did you mean 'name'?)");
	assert_compile_error("sk_buff.dev.nd_net.nett.ns.inum == 1",
			     "meta filter: possible_net_t has no member 'nett' (did you mean 'net'?)");
	assert_compile_error("sk_buff.headers.inner_prot == 1",
			     "meta filter: sk_buff.headers (an anonymous struct) has no member 'inner_prot' (did you mean 'inner_proto'?)");
	assert_compile_error("sk_buff._nfct:~0x7:nf_conn.mrk == 1",
			     "meta filter: struct nf_conn has no member 'mrk' (did you mean 'mark'?)");

	assert_compile_error("sk_buff.dev == 1",
			     "meta filter: sk_buff.dev is a pointer (struct net_device *), not a number or a string: compare one of the members it points to");
	assert_compile_error("sk_buff.dev",
			     "meta filter: sk_buff.dev is a pointer (struct net_device *), not a number or a string: compare one of the members it points to");
	assert_compile_error("sk_buff.headers == 1",
			     "meta filter: sk_buff.headers is a struct (struct {...}), not a number or a string: compare one of its members");
	assert_compile_error("sk_buff.dev.nd_net == 1",
			     "meta filter: sk_buff.dev.nd_net is a struct (possible_net_t), not a number or a string: compare one of its members");
	assert_compile_error("sk_buff.ints == 1",
			     "meta filter: sk_buff.ints is an array (int[4]); only arrays of chars can be compared, as strings");

	assert_compile_error("sk_buff.mark == 'x'",
			     "meta filter: sk_buff.mark is a number (u32) and cannot be compared with the string 'x'");
	assert_compile_error("sk_buff.dev.name == 1",
			     "meta filter: sk_buff.dev.name is a string (char[16]) and cannot be compared with the number 1");
	assert_compile_error("sk_buff.dev.name",
			     "meta filter: sk_buff.dev.name is a string (char[16]): compare it with == or != and a quoted string");
	assert_compile_error("sk_buff.name_ptr > 1",
			     "meta filter: sk_buff.name_ptr is a string (const char *) and cannot be compared with the number 1");
	assert_compile_error("sk_buff.dev.name == 'abcdefghijklmnopq'",
			     "meta filter: the string 'abcdefghijklmnopq' is 17 bytes long but sk_buff.dev.name (char[16]) holds at most 16");

	assert_compile_error("sk_buff.mark == 4294967296",
			     "meta filter: 4294967296 is out of the range of sk_buff.mark (u32: 0 to 4294967295)");
	assert_compile_error("sk_buff.mark == -1",
			     "meta filter: sk_buff.mark is unsigned (u32) and cannot be compared with -1");
	assert_compile_error("sk_buff.vlan_delta == 32768",
			     "meta filter: 32768 is out of the range of sk_buff.vlan_delta (short: -32768 to 32767)");
	assert_compile_error("sk_buff.vlan_delta > -32769",
			     "meta filter: -32769 is out of the range of sk_buff.vlan_delta (short: -32768 to 32767)");
	assert_compile_error("sk_buff.tiny == 0x80",
			     "meta filter: 0x80 is out of the range of sk_buff.tiny (signed char: -128 to 127)");
	assert_compile_error("sk_buff.pkt_type == 8",
			     "meta filter: 8 is out of the range of sk_buff.pkt_type (__u8 bit-field: 0 to 7)");
	assert_compile_error("sk_buff.sbf == -9",
			     "meta filter: -9 is out of the range of sk_buff.sbf (int bit-field: -8 to 7)");
	assert_compile_error("sk_buff.hash_type == -1",
			     "meta filter: sk_buff.hash_type is unsigned (enum pkt_hash_types) and cannot be compared with -1");

	assert_compile_error("sk_buff.skb_iif:0xff == 1",
			     "meta filter: sk_buff.skb_iif is signed (int): masks apply only to unsigned numbers and pointers");
	assert_compile_error("sk_buff.headers:0xff.inner_proto == 1",
			     "meta filter: sk_buff.headers is a struct (struct {...}): masks apply only to unsigned numbers and pointers");
	assert_compile_error("sk_buff.dev.name:0xff == 'x'",
			     "meta filter: sk_buff.dev.name is an array (char[16]): masks apply only to unsigned numbers and pointers");

	assert_compile_error("sk_buff._nfct:~0x7:nf_con.mark == 1",
			     "meta filter: sk_buff._nfct is cast to the unknown type 'nf_con' (did you mean 'nf_conn'?)");
	assert_compile_error("sk_buff._nfct:~0x7:qwertyuiop.mark == 1",
			     "meta filter: sk_buff._nfct is cast to the unknown type 'qwertyuiop'");
	assert_compile_error("sk_buff._nfct:~0x7:u32.mark == 1",
			     "meta filter: sk_buff._nfct cannot be cast to u32, which is unsigned int, not a struct or a union");
	assert_compile_error("sk_buff._nfct:~0x7:int.mark == 1",
			     "meta filter: sk_buff._nfct cannot be cast to int, which is not a struct or a union");
	assert_compile_error("sk_buff.mark:0xff:nf_conn.mark == 1",
			     "meta filter: sk_buff.mark (u32) cannot be cast to nf_conn: only pointers and 64-bit integers can");
	assert_compile_error("sk_buff.headers:0xff:nf_conn.mark == 1",
			     "meta filter: sk_buff.headers (struct {...}) cannot be cast to nf_conn: only pointers and 64-bit integers can");
	assert_compile_error("sk_buff._nfct:~0x7:nf_conn == 1",
			     "meta filter: sk_buff._nfct is cast to nf_conn but no member of nf_conn follows");

	assert_compile_error("sk_buff.mark.foo == 1",
			     "meta filter: sk_buff.mark is u32, not a struct or a pointer to one, so it has no member 'foo'");
	assert_compile_error("sk_buff.pkt_type.foo == 1",
			     "meta filter: sk_buff.pkt_type is __u8, not a struct or a pointer to one, so it has no member 'foo'");
	assert_compile_error("sk_buff.dev.name.foo == 1",
			     "meta filter: sk_buff.dev.name is char[16], not a struct or a pointer to one, so it has no member 'foo'");
	assert_compile_error("sk_buff.dev.refcnt.foo == 1",
			     "meta filter: sk_buff.dev.refcnt is int *, not a pointer to a struct, so it has no member 'foo'");
	assert_compile_error("sk_buff.dev.pp.foo == 1",
			     "meta filter: sk_buff.dev.pp is struct net_device **, not a pointer to a struct, so it has no member 'foo'");
	assert_compile_error("sk_buff.dev.priv.foo == 1",
			     "meta filter: sk_buff.dev.priv is a void pointer: give it a type with a cast to follow it (sk_buff.dev.priv:~0x0:TYPE.foo)");
	assert_compile_error("sk_buff.op.foo == 1",
			     "meta filter: sk_buff.op points to struct opaque, whose members this kernel's BTF does not describe");
	(void)state;
}

static void test_compile_no_skb(void **state)
{
	struct btf *btf = btf__new_empty();
	struct rete_filter_prog p = { 0 };

	assert_non_null(btf);
	ok(btf__add_struct(btf, "sk_buff_head", 8));
	assert_int_equal(rete_meta_filter_build("sk_buff.mark == 1", btf, &p, errbuf, sizeof(errbuf)),
			 -EINVAL);
	assert_string_equal(errbuf, "meta filter: this kernel's BTF has no struct sk_buff");
	assert_int_equal(p.n, 0);
	btf__free(btf);
	(void)state;
}

/* Parse errors come out of rete_meta_filter_build() unchanged. */
static void test_build_parse_error(void **state)
{
	struct rete_filter_prog p;

	assert_int_equal(compile("sk_buff.mark == ", &p), -EINVAL);
	assert_string_equal(errbuf,
			    "meta filter: at column 17: expected a number or a quoted string after '=='");
	assert_int_equal(p.n, 0);
	(void)state;
}

static size_t insns_for(int ncmp)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	struct rete_filter_prog p;
	size_t n;

	for (int i = 0; i < ncmp; i++)
		rete_strbuf_adds(&sb, i ? " || sk_buff.dev.nd_net.net.ns.inum == 1"
					: "sk_buff.dev.nd_net.net.ns.inum == 1");
	assert_int_equal(compile(rete_strbuf_str(&sb), &p), 0);
	n = p.n;
	rete_filter_prog_free(&p);
	rete_strbuf_free(&sb);
	return n;
}

static void test_compile_too_big(void **state)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	struct rete_filter_prog p;
	size_t one = insns_for(1), per = insns_for(2) - one, n = 1;
	char expect[128];

	/* The smallest chain that does not fit. */
	while (one + n * per <= RETE_FILTER_MAX_INSNS)
		n++;
	assert_true(insns_for((int)n) <= RETE_FILTER_MAX_INSNS);
	for (size_t i = 0; i <= n; i++)
		rete_strbuf_adds(&sb, i ? " || sk_buff.dev.nd_net.net.ns.inum == 1"
					: "sk_buff.dev.nd_net.net.ns.inum == 1");
	assert_int_equal(compile(rete_strbuf_str(&sb), &p), -E2BIG);
	snprintf(expect, sizeof(expect),
		 "the meta filter needs %zu instructions, more than the 4096 rete allows",
		 one + n * per);
	assert_string_equal(errbuf, expect);
	assert_int_equal(p.n, 0);
	assert_null(p.insns);
	rete_strbuf_free(&sb);
	(void)state;
}

/* Small programs: a plain u32 compare is 11 instructions. */
static void test_compile_shape(void **state)
{
	struct rete_filter_prog p;

	assert_int_equal(compile("sk_buff.mark == 1", &p), 0);
	/*
	 * r6 = r1; r1 = r10; r1 += -8; r2 = 4; r3 = r6; r3 += 24; call 113;
	 * if r0 != 0 goto F; r8 = *(u32 *)(r10 - 8); if r8 != 1 goto F;
	 * T: r0 = 1; exit; F: r0 = 0; exit
	 */
	assert_int_equal(p.n, 14);
	assert_int_equal(p.insns[6].code, BPF_JMP | BPF_CALL);
	assert_int_equal(p.insns[6].imm, BPF_FUNC_probe_read_kernel);
	assert_int_equal(p.insns[5].imm, 24);
	assert_int_equal(p.insns[9].code, BPF_JMP | BPF_JNE | BPF_K);
	assert_int_equal(p.insns[9].off, 2);
	assert_int_equal(p.insns[10].imm, 1);
	rete_filter_prog_free(&p);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_terms),
		cmocka_unit_test(test_parse_modifiers),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_parse_precedence),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_too_many),
		cmocka_unit_test_setup(test_run_mark, reset_mem),
		cmocka_unit_test_setup(test_run_bare, reset_mem),
		cmocka_unit_test_setup(test_run_other_widths, reset_mem),
		cmocka_unit_test_setup(test_run_signed, reset_mem),
		cmocka_unit_test_setup(test_run_bitfields, reset_mem),
		cmocka_unit_test_setup(test_run_masks, reset_mem),
		cmocka_unit_test_setup(test_run_dev_name, reset_mem),
		cmocka_unit_test_setup(test_run_char_ptr, reset_mem),
		cmocka_unit_test_setup(test_run_netns, reset_mem),
		cmocka_unit_test_setup(test_run_null_dev, reset_mem),
		cmocka_unit_test_setup(test_run_nfct_cast, reset_mem),
		cmocka_unit_test_setup(test_run_logic, reset_mem),
		cmocka_unit_test_setup(test_run_short_circuit, reset_mem),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_compile_no_skb),
		cmocka_unit_test(test_build_parse_error),
		cmocka_unit_test(test_compile_too_big),
		cmocka_unit_test(test_compile_shape),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
