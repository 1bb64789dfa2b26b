/*
 * src/lib: the option parser (opts.h), "did you mean" (suggest.h), number
 * parsing (parse.h) and the string buffer (strbuf.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/opts.h"
#include "lib/parse.h"
#include "lib/prog.h"
#include "lib/strbuf.h"
#include "lib/suggest.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* opts.h */

enum { O_PRINT, O_PROBE, O_OUT, O_VERBOSE, O_FORMAT, O_ETH };

static const struct rete_opt opts[] = {
	{ O_PRINT, 0, "print", RETE_OPT_FLAG, NULL, "Print events" },
	{ O_PROBE, 'p', "probe", RETE_OPT_VALUE, "PROBE", "Add a probe\n(repeatable)" },
	{ O_OUT, 'o', "out", RETE_OPT_OPTIONAL, "FILE", "Write events to FILE" },
	{ O_VERBOSE, 'v', NULL, RETE_OPT_FLAG, NULL, "More logs" },
	{ O_FORMAT, 0, "format", RETE_OPT_VALUE, NULL, "Output format" },
	{ O_ETH, 'e', "print-link-layer-and-more", RETE_OPT_FLAG, NULL, "Print the link layer" },
};

struct call {
	int id;
	const char *value;
};

struct calls {
	struct call c[16];
	size_t n;
};

static int handler(void *ctx, const struct rete_opt *opt, const char *value, char *err,
		   size_t errlen)
{
	struct calls *calls = ctx;

	if (opt->id == O_FORMAT && strcmp(value, "multi-line") && strcmp(value, "single-line")) {
		snprintf(err, errlen, "invalid format '%s'", value);
		return -EINVAL;
	}
	assert_true(calls->n < ARRAY_LEN(calls->c));
	calls->c[calls->n].id = opt->id;
	calls->c[calls->n].value = value;
	calls->n++;
	return 0;
}

struct parse_result {
	int rc;
	struct calls calls;
	const char *pos[4];
	size_t npos;
	char err[256];
};

/* argv as a NULL-terminated list; the parser may keep pointers into it. */
static void run(struct parse_result *r, const char *const *args, bool stop, size_t maxpos)
{
	int argc = 0;

	while (args[argc])
		argc++;
	memset(r, 0, sizeof(*r));
	r->npos = 999;
	r->rc = rete_opts_parse(opts, ARRAY_LEN(opts), argc, (char **)args, stop, handler,
				&r->calls, r->pos, maxpos, &r->npos, r->err, sizeof(r->err));
}

static void assert_call(const struct parse_result *r, size_t i, int id, const char *value)
{
	assert_true(i < r->calls.n);
	assert_int_equal(r->calls.c[i].id, id);
	if (value)
		assert_string_equal(r->calls.c[i].value, value);
	else
		assert_null(r->calls.c[i].value);
}

static void test_opts_flags(void **state)
{
	static const char *const args[] = { "--print", "-v", "--print-link-layer-and-more", "-e",
					    NULL };
	struct parse_result r;

	run(&r, args, false, 4);
	assert_int_equal(r.rc, 4);
	assert_int_equal(r.calls.n, 4);
	assert_call(&r, 0, O_PRINT, NULL);
	assert_call(&r, 1, O_VERBOSE, NULL);
	assert_call(&r, 2, O_ETH, NULL);
	assert_call(&r, 3, O_ETH, NULL);
	assert_int_equal(r.npos, 0);
	(void)state;
}

static void test_opts_required_values(void **state)
{
	static const char *const args[] = { "--probe", "tp:a:b", "-p", "x", "--probe=y", "-pz",
					    "--probe=", "-p", "-dash", "--format", "single-line",
					    NULL };
	struct parse_result r;

	run(&r, args, false, 4);
	assert_int_equal(r.rc, 11);
	assert_int_equal(r.calls.n, 7);
	assert_call(&r, 0, O_PROBE, "tp:a:b");
	assert_call(&r, 1, O_PROBE, "x");
	assert_call(&r, 2, O_PROBE, "y");
	assert_call(&r, 3, O_PROBE, "z");
	assert_call(&r, 4, O_PROBE, "");
	/* A required value is taken even when it starts with '-'. */
	assert_call(&r, 5, O_PROBE, "-dash");
	assert_call(&r, 6, O_FORMAT, "single-line");
	/* "--x=v" values may contain '='. */
	{
		static const char *const a2[] = { "--probe=a=b", NULL };

		run(&r, a2, false, 4);
		assert_int_equal(r.rc, 1);
		assert_call(&r, 0, O_PROBE, "a=b");
	}
	(void)state;
}

static void test_opts_optional_values(void **state)
{
	static const char *const args[] = { "--out", "file", "-o", "--print", "--out=f2", "-of3",
					    "-o", "-", "--out", NULL };
	struct parse_result r;

	run(&r, args, false, 4);
	assert_int_equal(r.rc, 9);
	assert_int_equal(r.calls.n, 7);
	assert_call(&r, 0, O_OUT, "file");
	/* Not followed by a value: the next option is left alone. */
	assert_call(&r, 1, O_OUT, NULL);
	assert_call(&r, 2, O_PRINT, NULL);
	assert_call(&r, 3, O_OUT, "f2");
	assert_call(&r, 4, O_OUT, "f3");
	/* "-" starts with '-': not taken as the value, it is a positional. */
	assert_call(&r, 5, O_OUT, NULL);
	assert_call(&r, 6, O_OUT, NULL);
	assert_int_equal(r.npos, 1);
	assert_string_equal(r.pos[0], "-");
	(void)state;
}

static void test_opts_double_dash(void **state)
{
	static const char *const args[] = { "--print", "--", "--probe", "-x", NULL };
	struct parse_result r;

	run(&r, args, false, 4);
	assert_int_equal(r.rc, 4);
	assert_int_equal(r.calls.n, 1);
	assert_int_equal(r.npos, 2);
	assert_string_equal(r.pos[0], "--probe");
	assert_string_equal(r.pos[1], "-x");

	/* Stopping at positionals: "--" is consumed, what follows is left. */
	run(&r, args, true, 0);
	assert_int_equal(r.rc, 2);
	assert_int_equal(r.calls.n, 1);
	assert_int_equal(r.npos, 0);

	/* Too many after "--". */
	run(&r, args, false, 1);
	assert_int_equal(r.rc, -EINVAL);
	assert_string_equal(r.err, "unexpected argument '-x'");
	(void)state;
}

static void test_opts_positionals(void **state)
{
	static const char *const args[] = { "a", "--print", "-", "b", NULL };
	static const char *const sub[] = { "--print", "collect", "--out", NULL };
	struct parse_result r;

	run(&r, args, false, 4);
	assert_int_equal(r.rc, 4);
	assert_int_equal(r.npos, 3);
	assert_string_equal(r.pos[0], "a");
	assert_string_equal(r.pos[1], "-");
	assert_string_equal(r.pos[2], "b");
	assert_int_equal(r.calls.n, 1);

	run(&r, args, false, 2);
	assert_int_equal(r.rc, -EINVAL);
	assert_string_equal(r.err, "unexpected argument 'b'");

	run(&r, args, false, 0);
	assert_int_equal(r.rc, -EINVAL);
	assert_string_equal(r.err, "unexpected argument 'a'");

	/* Global options, then a subcommand: parsing stops at it. */
	run(&r, sub, true, 0);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.calls.n, 1);
	assert_int_equal(r.npos, 0);

	/* No arguments at all; ret_npos may be NULL. */
	{
		char *none[] = { NULL };
		struct calls calls = { .n = 0 };
		char err[64];

		assert_int_equal(rete_opts_parse(opts, ARRAY_LEN(opts), 0, none, false, handler,
						 &calls, NULL, 0, NULL, err, sizeof(err)),
				 0);
	}
	(void)state;
}

struct opt_err {
	const char *args[4];
	const char *err;
};

static const struct opt_err opt_errors[] = {
	{ { "--prob", "x" }, "unknown option '--prob' (did you mean '--probe'?)" },
	{ { "--prob=x" }, "unknown option '--prob' (did you mean '--probe'?)" },
	{ { "--pirnt" }, "unknown option '--pirnt' (did you mean '--print'?)" },
	{ { "--PRINT" }, "unknown option '--PRINT' (see --help)" },
	{ { "--zzzzzz" }, "unknown option '--zzzzzz' (see --help)" },
	{ { "--pro" }, "unknown option '--pro' (see --help)" },
	/* Options match exactly, never by prefix. */
	{ { "--print-link-layer" }, "unknown option '--print-link-layer' (see --help)" },
	{ { "-z" }, "unknown option '-z' (see --help)" },
	{ { "-zz" }, "unknown option '-z' (see --help)" },
	{ { "--probe" }, "option '--probe' needs a value (PROBE)" },
	{ { "--print", "-p" }, "option '-p' needs a value (PROBE)" },
	{ { "--format" }, "option '--format' needs a value (VALUE)" },
	{ { "--print=yes" }, "option '--print' takes no value" },
	{ { "--print=" }, "option '--print' takes no value" },
	{ { "-vx" }, "option '-v' takes no value (got '-vx')" },
	{ { "-vv" }, "option '-v' takes no value (got '-vv')" },
	/* Handler errors come back as they are. */
	{ { "--format=json", "--print" }, "invalid format 'json'" },
};

static void test_opts_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(opt_errors); i++) {
		const struct opt_err *e = &opt_errors[i];
		struct parse_result r;

		run(&r, e->args, false, 4);
		if (r.rc != -EINVAL || strcmp(r.err, e->err)) {
			print_error("'%s': rc %d\n  got  %s\n  want %s\n", e->args[0], r.rc, r.err,
				    e->err);
			fail();
		}
		/* Nothing after the error is handled. */
		assert_int_equal(r.calls.n, !strcmp(e->args[0], "--print") ? 1 : 0);
		assert_int_equal(r.npos, 999);
	}
	(void)state;
}

static void test_opts_long_unknown(void **state)
{
	char arg[200], want[256];
	const char *args[] = { arg, NULL };
	struct parse_result r;

	/* The name is cut at 60 characters in the sentence. */
	memcpy(arg, "--", 2);
	memset(arg + 2, 'q', 150);
	arg[152] = '\0';
	run(&r, args, false, 4);
	assert_int_equal(r.rc, -EINVAL);
	snprintf(want, sizeof(want), "unknown option '--%.60s' (see --help)", arg + 2);
	assert_string_equal(r.err, want);
	(void)state;
}

static void test_opts_help(void **state)
{
	static const struct rete_opt help_opts[] = {
		{ 0, 0, "print", RETE_OPT_FLAG, NULL, "Print events" },
		{ 1, 'p', "probe", RETE_OPT_VALUE, "PROBE", "Add a probe\n(repeatable)" },
		{ 2, 'o', "out", RETE_OPT_OPTIONAL, "FILE", "Write events to FILE" },
		{ 3, 'v', NULL, RETE_OPT_FLAG, NULL, "More logs" },
		{ 4, 'e', "print-link-layer-and-more", RETE_OPT_FLAG, NULL, "Long name" },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	rete_opts_help(f, help_opts, ARRAY_LEN(help_opts));
	assert_int_equal(fclose(f), 0);
	/* Help text in a 30-column gutter; names longer than it push the text to the next line. */
	assert_string_equal(buf, "Options:\n"
				 "      --print                    Print events\n"
				 "  -p, --probe <PROBE>            Add a probe\n"
				 "                                 (repeatable)\n"
				 "  -o, --out [<FILE>]             Write events to FILE\n"
				 "  -v                             More logs\n"
				 "  -e, --print-link-layer-and-more \n"
				 "                                 Long name\n");
	free(buf);
	(void)state;
}

/* suggest.h */

static void test_edit_distance(void **state)
{
	assert_int_equal(rete_edit_distance("", ""), 0);
	assert_int_equal(rete_edit_distance("probe", "probe"), 0);
	assert_int_equal(rete_edit_distance("", "abc"), 3);
	assert_int_equal(rete_edit_distance("abc", ""), 3);
	assert_int_equal(rete_edit_distance("prob", "probe"), 1);	/* insertion */
	assert_int_equal(rete_edit_distance("probes", "probe"), 1);	/* deletion */
	assert_int_equal(rete_edit_distance("prabe", "probe"), 1);	/* substitution */
	assert_int_equal(rete_edit_distance("pirnt", "print"), 1);	/* transposition */
	assert_int_equal(rete_edit_distance("ab", "ba"), 1);
	assert_int_equal(rete_edit_distance("recieve", "receive"), 1);
	assert_int_equal(rete_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(rete_edit_distance("Stack", "stack"), 1);	/* case matters */
	assert_int_equal(rete_edit_distance("abcdef", "badcfe"), 3);
	(void)state;
}

static void test_edit_distance_long(void **state)
{
	char a[80], b[80];

	/* 64 characters is the longest compared. */
	memset(a, 'a', 64);
	a[64] = '\0';
	memcpy(b, a, sizeof(a));
	b[0] = 'b';
	assert_int_equal(rete_edit_distance(a, b), 1);
	assert_int_equal(rete_edit_distance(a, ""), 64);
	memset(a, 'a', 65);
	a[65] = '\0';
	assert_int_equal(rete_edit_distance(a, a), 255);
	assert_int_equal(rete_edit_distance("a", a), 255);
	(void)state;
}

static const char *suggest(const char *word, const char *const *cands, size_t n)
{
	struct rete_suggest s;

	rete_suggest_init(&s, word);
	for (size_t i = 0; i < n; i++)
		rete_suggest_offer(&s, cands[i]);
	return s.best;
}

static void test_suggest_thresholds(void **state)
{
	static const char *const c3[] = { "tp" };
	static const char *const c3b[] = { "kr" };
	static const char *const c4[] = { "abxy" };
	static const char *const c4b[] = { "axyz" };
	static const char *const c7[] = { "abcdxyz" };
	static const char *const c7b[] = { "abcwxyz" };
	static const char *const c10[] = { "abcdefgxyz" };

	/* Up to 3 characters: distance 1. */
	assert_string_equal(suggest("tpp", c3, 1), "tp");
	assert_null(suggest("tpp", c3b, 1));
	assert_null(suggest("ab", (const char *const[]){ "xyz" }, 1));
	/* 4 to 6: distance 2. */
	assert_string_equal(suggest("abcd", c4, 1), "abxy");
	assert_null(suggest("abcd", c4b, 1));
	/* 7 and more: distance 3. */
	assert_string_equal(suggest("abcdefg", c7, 1), "abcdxyz");
	assert_null(suggest("abcdefg", c7b, 1));
	assert_string_equal(suggest("abcdefghij", c10, 1), "abcdefgxyz");
	/* Nothing offered. */
	assert_null(suggest("abc", NULL, 0));
	(void)state;
}

static void test_suggest_best(void **state)
{
	static const char *const cands[] = { "collect", "print", "pcap", "profile", "sort" };
	static const char *const ties[] = { "bat", "hat", "cut" };
	static const char *const closer[] = { "stacks", "stack" };

	assert_string_equal(suggest("colect", cands, ARRAY_LEN(cands)), "collect");
	assert_string_equal(suggest("prnit", cands, ARRAY_LEN(cands)), "print");
	assert_string_equal(suggest("pcapp", cands, ARRAY_LEN(cands)), "pcap");
	assert_null(suggest("inspect", cands, ARRAY_LEN(cands)));
	/* Ties keep the first offered. */
	assert_string_equal(suggest("cat", ties, ARRAY_LEN(ties)), "bat");
	/* A closer later candidate wins; an exact match is distance 0. */
	assert_string_equal(suggest("stack", closer, ARRAY_LEN(closer)), "stack");
	(void)state;
}

/* parse.h */

static void test_parse_u64(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 },
		{ "42", 42 },
		{ "18446744073709551615", UINT64_MAX },
		{ "0x10", 16 },
		{ "0X1f", 31 },
		{ "0xffffffffffffffff", UINT64_MAX },
		/* Decimal, not octal. */
		{ "010", 10 },
		{ "09", 9 },
		{ "000", 0 },
	};
	static const struct {
		const char *s;
		int rc;
	} bad[] = {
		{ "", -EINVAL },	{ "-1", -EINVAL },	{ "-0", -EINVAL },
		{ " 1", -EINVAL },	{ "1 ", -EINVAL },	{ "12abc", -EINVAL },
		{ "abc", -EINVAL },	{ "0x", -EINVAL },	{ "0xg", -EINVAL },
		{ "0x-5", -EINVAL },	{ "1.5", -EINVAL },	{ "1k", -EINVAL },
		{ "18446744073709551616", -ERANGE },
		{ "99999999999999999999999", -ERANGE },
		{ "0x10000000000000000", -ERANGE },
	};
	uint64_t v;

	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		v = 12345;
		if (rete_parse_u64(good[i].s, &v) || v != good[i].v) {
			print_error("'%s' -> %" PRIu64 "\n", good[i].s, v);
			fail();
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		v = 12345;
		if (rete_parse_u64(bad[i].s, &v) != bad[i].rc || v != 12345) {
			print_error("'%s' accepted or wrong error\n", bad[i].s);
			fail();
		}
	}
	assert_int_equal(rete_parse_u64(NULL, &v), -EINVAL);
	(void)state;
}

static void test_parse_size(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 },
		{ "1024", 1024 },
		{ "5B", 5 },
		{ "1k", 1024 },
		{ "1K", 1024 },
		{ "2kB", 2048 },
		{ "2KB", 2048 },
		{ "3M", 3ULL << 20 },
		{ "64MB", 64ULL << 20 },
		{ "4G", 4ULL << 30 },
		{ "4GB", 4ULL << 30 },
		{ "18446744073709551615", UINT64_MAX },
		{ "18014398509481983K", 18014398509481983ULL << 10 },
		{ "17592186044415M", 17592186044415ULL << 20 },
		{ "17179869183G", 17179869183ULL << 30 },
	};
	static const struct {
		const char *s;
		int rc;
	} bad[] = {
		{ "", -EINVAL },      { "k", -EINVAL },	    { "MB", -EINVAL },
		{ "-1", -EINVAL },    { "+1", -EINVAL },    { " 1", -EINVAL },
		{ "1 k", -EINVAL },   { "1m", -EINVAL },    { "1mb", -EINVAL },
		{ "1kb", -EINVAL },   { "1Kb", -EINVAL },   { "1T", -EINVAL },
		{ "1.5G", -EINVAL },  { "0x10", -EINVAL },  { "1GBB", -EINVAL },
		{ "18446744073709551616", -ERANGE },
		{ "18014398509481984K", -ERANGE },
		{ "17179869184G", -ERANGE },
		{ "17179869184GB", -ERANGE },
		{ "17592186044416M", -ERANGE },
	};
	uint64_t v;

	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		v = 12345;
		if (rete_parse_size(good[i].s, &v) || v != good[i].v) {
			print_error("'%s' -> %" PRIu64 "\n", good[i].s, v);
			fail();
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int rc;

		v = 12345;
		rc = rete_parse_size(bad[i].s, &v);
		if (rc != bad[i].rc || v != 12345) {
			print_error("'%s': rc %d, want %d\n", bad[i].s, rc, bad[i].rc);
			fail();
		}
	}
	assert_int_equal(rete_parse_size(NULL, &v), -EINVAL);
	(void)state;
}

/* strbuf.h */

static void test_strbuf_empty(void **state)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;

	assert_string_equal(rete_strbuf_str(&sb), "");
	assert_int_equal(sb.len, 0);
	rete_strbuf_reset(&sb);
	assert_string_equal(rete_strbuf_str(&sb), "");
	rete_strbuf_free(&sb);
	rete_strbuf_free(&sb);
	assert_string_equal(rete_strbuf_str(&sb), "");
	(void)state;
}

static void test_strbuf_growth(void **state)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	char want[3001];

	for (size_t i = 0; i < 3000; i++) {
		want[i] = (char)('a' + i % 26);
		assert_int_equal(rete_strbuf_addc(&sb, want[i]), 0);
		assert_int_equal(sb.len, i + 1);
		assert_true(sb.cap > sb.len);
		assert_int_equal(sb.buf[sb.len], '\0');
	}
	want[3000] = '\0';
	assert_string_equal(rete_strbuf_str(&sb), want);

	/* Reset keeps the allocation. */
	{
		size_t cap = sb.cap;

		rete_strbuf_reset(&sb);
		assert_int_equal(sb.len, 0);
		assert_int_equal(sb.cap, cap);
		assert_string_equal(rete_strbuf_str(&sb), "");
	}
	assert_int_equal(rete_strbuf_adds(&sb, "abc"), 0);
	assert_int_equal(rete_strbuf_add(&sb, "defgh", 2), 0);
	assert_int_equal(rete_strbuf_add(&sb, "", 0), 0);
	assert_int_equal(rete_strbuf_adds(&sb, ""), 0);
	assert_string_equal(rete_strbuf_str(&sb), "abcde");
	assert_int_equal(sb.len, 5);
	rete_strbuf_free(&sb);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	(void)state;
}

static void test_strbuf_addf(void **state)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	char *big = malloc(5001), *want = malloc(5100);

	assert_non_null(big);
	assert_non_null(want);
	assert_int_equal(rete_strbuf_addf(&sb, "%s=%d", "x", -7), 0);
	assert_string_equal(rete_strbuf_str(&sb), "x=-7");
	assert_int_equal(rete_strbuf_addf(&sb, "%s", ""), 0);
	assert_int_equal(sb.len, 4);

	/* Longer than what is left (and than the first 64-byte reservation). */
	memset(big, 'z', 5000);
	big[5000] = '\0';
	assert_int_equal(rete_strbuf_addf(&sb, "[%s]%zu", big, (size_t)5000), 0);
	snprintf(want, 5100, "x=-7[%s]5000", big);
	assert_string_equal(rete_strbuf_str(&sb), want);
	assert_int_equal(sb.len, strlen(want));

	/* Exactly filling the buffer. */
	rete_strbuf_free(&sb);
	assert_int_equal(rete_strbuf_addf(&sb, "%.255s", big), 0);
	assert_int_equal(sb.len, 255);
	assert_int_equal(rete_strbuf_addf(&sb, "%.300s", big), 0);
	assert_int_equal(sb.len, 555);
	assert_int_equal(strlen(rete_strbuf_str(&sb)), 555);
	rete_strbuf_free(&sb);
	free(big);
	free(want);
	(void)state;
}

static void test_strbuf_numbers(void **state)
{
	static const struct {
		uint64_t v;
		const char *s;
	} u[] = {
		{ 0, "0" },
		{ 1, "1" },
		{ 10, "10" },
		{ 4294967295ULL, "4294967295" },
		{ UINT64_MAX, "18446744073709551615" },
	};
	static const struct {
		int64_t v;
		const char *s;
	} s[] = {
		{ 0, "0" },
		{ -1, "-1" },
		{ 42, "42" },
		{ -4294967296LL, "-4294967296" },
		{ INT64_MAX, "9223372036854775807" },
		{ INT64_MIN, "-9223372036854775808" },
	};
	struct rete_strbuf sb = RETE_STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_LEN(u); i++) {
		rete_strbuf_reset(&sb);
		assert_int_equal(rete_strbuf_addu(&sb, u[i].v), 0);
		assert_string_equal(rete_strbuf_str(&sb), u[i].s);
	}
	for (size_t i = 0; i < ARRAY_LEN(s); i++) {
		rete_strbuf_reset(&sb);
		assert_int_equal(rete_strbuf_addi(&sb, s[i].v), 0);
		assert_string_equal(rete_strbuf_str(&sb), s[i].s);
	}
	/* Appends, not overwrites. */
	rete_strbuf_reset(&sb);
	rete_strbuf_addu(&sb, 1);
	rete_strbuf_addc(&sb, ',');
	rete_strbuf_addi(&sb, INT64_MIN);
	assert_string_equal(rete_strbuf_str(&sb), "1,-9223372036854775808");
	rete_strbuf_free(&sb);
	(void)state;
}

static void test_strbuf_sticky_error(void **state)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;

	assert_int_equal(rete_strbuf_adds(&sb, "keep"), 0);
	/* Sizes that cannot be represented fail without allocating. */
	assert_int_equal(rete_strbuf_reserve(&sb, SIZE_MAX), -ENOMEM);
	assert_int_equal(sb.err, -ENOMEM);
	/* Every later append is a no-op returning the error. */
	assert_int_equal(rete_strbuf_adds(&sb, "x"), -ENOMEM);
	assert_int_equal(rete_strbuf_addc(&sb, 'x'), -ENOMEM);
	assert_int_equal(rete_strbuf_addf(&sb, "%d", 1), -ENOMEM);
	assert_int_equal(rete_strbuf_addu(&sb, 1), -ENOMEM);
	assert_int_equal(rete_strbuf_addi(&sb, -1), -ENOMEM);
	assert_int_equal(rete_strbuf_reserve(&sb, 1), -ENOMEM);
	assert_string_equal(rete_strbuf_str(&sb), "keep");
	/* Reset clears it. */
	rete_strbuf_reset(&sb);
	assert_int_equal(sb.err, 0);
	assert_int_equal(rete_strbuf_adds(&sb, "ok"), 0);
	assert_string_equal(rete_strbuf_str(&sb), "ok");
	/* Doubling past SIZE_MAX / 2 is refused too. */
	assert_int_equal(rete_strbuf_reserve(&sb, SIZE_MAX - sb.len - 1), -ENOMEM);
	rete_strbuf_free(&sb);
	assert_int_equal(sb.err, 0);
	(void)state;
}

/* Installed as retis, rete is Retis's drop-in; any other name is rete. */
static void test_prog_name(void **state)
{
	(void)state;
	rete_prog_set("/usr/local/bin/retis");
	assert_string_equal(rete_prog_name(), "retis");
	assert_true(rete_prog_is_retis());
	assert_string_equal(rete_prog_data_file(), "retis.data");
	assert_string_equal(rete_prog_data_rotated(), "retis.data.0..");
	rete_prog_set("retis");
	assert_true(rete_prog_is_retis());
	rete_prog_set("build/rete");
	assert_string_equal(rete_prog_name(), "rete");
	assert_string_equal(rete_prog_data_file(), "rete.data");
	rete_prog_set("/opt/retis/bin/retis2");
	assert_false(rete_prog_is_retis());
	rete_prog_set(NULL);
	assert_false(rete_prog_is_retis());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_flags),
		cmocka_unit_test(test_opts_required_values),
		cmocka_unit_test(test_opts_optional_values),
		cmocka_unit_test(test_opts_double_dash),
		cmocka_unit_test(test_opts_positionals),
		cmocka_unit_test(test_opts_errors),
		cmocka_unit_test(test_opts_long_unknown),
		cmocka_unit_test(test_opts_help),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_edit_distance_long),
		cmocka_unit_test(test_suggest_thresholds),
		cmocka_unit_test(test_suggest_best),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_strbuf_empty),
		cmocka_unit_test(test_strbuf_growth),
		cmocka_unit_test(test_strbuf_addf),
		cmocka_unit_test(test_strbuf_numbers),
		cmocka_unit_test(test_strbuf_sticky_error),
		cmocka_unit_test(test_prog_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
