/*
 * Profiles (profiles/profile.h): YAML parsing of every field, kernel version
 * requirements, symbol conditions, first-match, combination order, lookup on
 * the search path, errors with file and line, probes this kernel cannot run,
 * and the built-in profiles of profiles/ expanding to their documented
 * arguments. YAML files are written to a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/profile.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[64];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rete-test-profile.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write tmpdir/rel (creating one level of directory) and return its path. */
static const char *write_file(const char *rel, const char *text)
{
	static char path[PATH_MAX];
	char dir[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	/* mkdir -p of the directories under tmpdir. */
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + strlen(tmpdir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *sub(const char *rel)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	return path;
}

/* A fake kernel: release, symbols, and which probes can run. */
struct fake {
	const char *const *symbols;
	bool kprobes;
	char notices[8][1024];
	bool warn[8];
	size_t nnotices;
};

static int fake_symbol(void *ctx, const char *symbol)
{
	const struct fake *f = ctx;

	for (const char *const *s = f->symbols; s && *s; s++)
		if (!strcmp(*s, symbol))
			return 1;
	return 0;
}

static int fake_probe(void *ctx, const char *probe, char *why, size_t len)
{
	const struct fake *f = ctx;

	if (f->kprobes || strncmp(probe, "kprobe:", 7))
		return 0;
	snprintf(why, len, "no kprobes here");
	return -EOPNOTSUPP;
}

static void fake_notice(void *ctx, bool warn, const char *msg)
{
	struct fake *f = ctx;

	if (f->nnotices < ARRAY_LEN(f->notices)) {
		snprintf(f->notices[f->nnotices], sizeof(f->notices[0]), "%s", msg);
		f->warn[f->nnotices++] = warn;
	}
}

static struct rete_profile_env fake_env(struct fake *f, const char *release)
{
	struct rete_profile_env env = {
		.release = release,
		.symbol_exists = fake_symbol,
		.probe_usable = fake_probe,
		.notice = fake_notice,
		.ctx = f,
	};

	return env;
}

/* The arguments as one space-separated string. */
static const char *joined(const struct rete_profile_argv *a)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < a->argc; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", a->argv[i]);
	return buf;
}

/* Parse text as a file and expand it for command; returns expand's result. */
static int expand_text(const char *text, const char *command, struct fake *f,
		       const char *release, char *out, size_t outlen, char *err, size_t errlen)
{
	struct rete_profile_set set = { 0 };
	struct rete_profile_argv argv = { 0 };
	struct rete_profile_env env = fake_env(f, release);
	const char *path = write_file("expand.yaml", text);
	int rc;

	rc = rete_profile_parse_file(path, &set, err, errlen);
	assert_int_equal(rc, 0);
	rc = rete_profile_expand(&set, command, &env, &argv, err, errlen);
	snprintf(out, outlen, "%s", joined(&argv));
	rete_profile_argv_free(&argv);
	rete_profile_set_free(&set);
	return rc;
}

/* Parsing. */

static const char full_profile[] =
	"# every field\n"			/* 1 */
	"version: 1.0\n"			/* 2 */
	"name: full\n"				/* 3 */
	"about: Every field there is\n"		/* 4 */
	"collect:\n"				/* 5 */
	"  - name: Recent\n"			/* 6 */
	"    when:\n"				/* 7 */
	"      - type: version\n"		/* 8 */
	"        version: \">=5.10, <7\"\n"	/* 9 */
	"      - type: symbol\n"		/* 10 */
	"        name: skb:kfree_skb\n"		/* 11 */
	"      - type: symbol\n"		/* 12 */
	"        name: old_function\n"		/* 13 */
	"        exists: false\n"		/* 14 */
	"    args:\n"				/* 15 */
	"      collectors: skb-drop,skb\n"	/* 16 */
	"      probe:\n"			/* 17 */
	"        - tp:skb:kfree_skb/stack\n"	/* 18 */
	"        - tp:net:netif_rx\n"		/* 19 */
	"      skb_sections: all\n"		/* 20 */
	"      stack: ~\n"			/* 21 */
	"      print:\n"			/* 22 */
	"      out: 'events.json'\n"		/* 23 */
	"      stop-after: 100\n"		/* 24 */
	"  - args:\n"				/* 25 */
	"      collectors: skb\n"		/* 26 */
	"pcap:\n"				/* 27 */
	"  - args:\n"				/* 28 */
	"      probe: tp:skb:kfree_skb\n";	/* 29 */

static void test_parse_every_field(void **state)
{
	struct rete_profile_set set = { 0 };
	const struct rete_profile_section *c, *pc;
	const struct rete_profile_entry *e;
	const struct rete_profile *p;
	char err[512];

	assert_int_equal(rete_profile_parse_file(write_file("full.yaml", full_profile), &set,
						 err, sizeof(err)),
			 0);
	assert_int_equal(set.n, 1);
	p = &set.profiles[0];
	assert_string_equal(p->name, "full");
	assert_string_equal(p->about, "Every field there is");
	assert_string_equal(p->path, sub("full.yaml"));
	assert_int_equal(p->api_major, 1);
	assert_int_equal(p->api_minor, 0);
	assert_int_equal(p->nsections, 2);

	c = rete_profile_section(p, "collect");
	assert_non_null(c);
	assert_int_equal(c->nentries, 2);
	e = &c->entries[0];
	assert_string_equal(e->name, "Recent");
	assert_true(e->named);
	assert_int_equal(e->line, 6);
	assert_int_equal(e->nconds, 3);
	assert_int_equal(e->conds[0].type, RETE_PROFILE_COND_VERSION);
	assert_string_equal(e->conds[0].version, ">=5.10, <7");
	assert_int_equal(e->conds[0].req.n, 2);
	assert_int_equal(e->conds[0].req.cmps[0].op, RETE_KVER_GE);
	assert_int_equal(e->conds[0].req.cmps[0].v.major, 5);
	assert_int_equal(e->conds[0].req.cmps[0].v.minor, 10);
	assert_int_equal(e->conds[0].req.cmps[0].nparts, 2);
	assert_int_equal(e->conds[0].req.cmps[1].op, RETE_KVER_LT);
	assert_int_equal(e->conds[0].req.cmps[1].nparts, 1);
	assert_int_equal(e->conds[0].line, 8);
	assert_int_equal(e->conds[1].type, RETE_PROFILE_COND_SYMBOL);
	assert_string_equal(e->conds[1].symbol, "skb:kfree_skb");
	assert_true(e->conds[1].exists);
	assert_string_equal(e->conds[2].symbol, "old_function");
	assert_false(e->conds[2].exists);

	assert_int_equal(e->nargs, 7);
	assert_string_equal(e->args[0].option, "--collectors");
	assert_int_equal(e->args[0].nvalues, 1);
	assert_string_equal(e->args[0].values[0], "skb-drop,skb");
	assert_int_equal(e->args[0].line, 16);
	assert_string_equal(e->args[1].option, "--probe");
	assert_int_equal(e->args[1].nvalues, 2);
	assert_string_equal(e->args[1].values[1], "tp:net:netif_rx");
	/* Underscores become dashes. */
	assert_string_equal(e->args[2].option, "--skb-sections");
	assert_true(e->args[3].flag);
	assert_int_equal(e->args[3].nvalues, 0);
	/* An empty value is a flag too; a quoted one is a string. */
	assert_true(e->args[4].flag);
	assert_string_equal(e->args[4].option, "--print");
	assert_string_equal(e->args[5].values[0], "events.json");
	assert_string_equal(e->args[6].option, "--stop-after");
	assert_string_equal(e->args[6].values[0], "100");

	e = &c->entries[1];
	assert_string_equal(e->name, "Default");
	assert_false(e->named);
	assert_int_equal(e->nconds, 0);

	pc = rete_profile_section(p, "pcap");
	assert_non_null(pc);
	assert_int_equal(pc->nentries, 1);
	assert_string_equal(pc->entries[0].args[0].values[0], "tp:skb:kfree_skb");
	assert_null(rete_profile_section(p, "print"));
	rete_profile_set_free(&set);
}

static void test_parse_documents(void **state)
{
	static const char text[] = "version: 1.0\nname: one\ncollect:\n  - args:\n      stack: ~\n"
				   "---\n"
				   "---\n"
				   "version: 1.0\nname: two\n"
				   "...\n";
	struct rete_profile_set set = { 0 };
	char err[256];

	assert_int_equal(rete_profile_parse_buf(text, strlen(text), "multi.yaml", &set, err,
						sizeof(err)),
			 0);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.profiles[0].name, "one");
	assert_string_equal(set.profiles[1].name, "two");
	assert_null(set.profiles[1].about);
	assert_int_equal(set.profiles[1].line, 8);
	/* An empty file holds no profile and is no error. */
	assert_int_equal(rete_profile_parse_buf("# nothing\n", 10, "empty.yaml", &set, err,
						sizeof(err)),
			 0);
	assert_int_equal(set.n, 2);
	rete_profile_set_free(&set);
}

struct error_case {
	const char *text;
	const char *want;	/* substring of the error */
};

static const struct error_case error_cases[] = {
	/* YAML syntax, with the line. */
	{ "version: 1.0\nname: x\ncollect:\n  - args:\n      probe: [a, b\n",
	  "bad.yaml:6: did not find expected ',' or ']'" },
	{ "version: 1.0\nname: x\nabout: a: b\n", "bad.yaml:3: mapping values are not allowed" },
	{ "version: 1.0\nname: x\n\tcollect:\n", "bad.yaml:3:" },
	/* Unknown keys, with a suggestion when one is close. */
	{ "version: 1.0\nname: x\ncolect:\n  - args: {}\n",
	  "bad.yaml:3: unknown key 'colect' in a profile (did you mean 'collect'?)" },
	{ "version: 1.0\nname: x\nflavour: 3\n",
	  "bad.yaml:3: unknown key 'flavour' in a profile (expected version, name, about, collect, "
	  "pcap)" },
	{ "version: 1.0\nname: x\ncollect:\n  - arg:\n      probe: x\n",
	  "bad.yaml:4: unknown key 'arg' in a 'collect' entry (did you mean 'args'?)" },
	{ "version: 1.0\nname: x\ncollect:\n  - when:\n      - type: version\n        verison: "
	  "'>5'\n    args: {}\n",
	  "bad.yaml:6: unknown key 'verison' in a 'when' condition (did you mean 'version'?)" },
	{ "version: 1.0\nname: x\ncollect:\n  - when:\n      - type: symbols\n        name: a\n",
	  "bad.yaml:5: unknown condition type 'symbols' (did you mean 'symbol'?)" },
	{ "version: 1.0\nname: x\ncollect:\n  - when:\n      - type: symbol\n        name: a\n"
	  "        exists: maybe\n",
	  "bad.yaml:7: 'exists' must be true or false, not 'maybe'" },
	{ "version: 1.0\nname: x\ncollect:\n  - when:\n      - type: version\n        version: "
	  "'5.10'\n",
	  "bad.yaml:6: invalid kernel version requirement '5.10': expected an operator" },
	{ "version: 1.0\nname: x\ncollect:\n  - when:\n      - type: version\n        name: a\n",
	  "bad.yaml:6: 'name' does not belong to a version condition" },
	{ "version: 1.0\nname: x\ncollect:\n  - when:\n      - name: a\n",
	  "bad.yaml:5: condition without 'type'" },
	{ "version: 1.0\nname: x\ncollect:\n  - when:\n      - type: symbol\n",
	  "bad.yaml:5: symbol condition without 'name'" },
	/* Missing and malformed top-level fields. */
	{ "name: x\n", "bad.yaml:1: missing key 'version'" },
	{ "version: 1.0\nabout: y\n", "bad.yaml:1: missing key 'name'" },
	{ "version: 1\nname: x\n",
	  "bad.yaml:1: 'version' must be MAJOR.MINOR (e.g. 1.0), not '1'" },
	{ "version: 2.0\nname: x\n", "bad.yaml:1: profile version 2.0 is not supported" },
	{ "version: 1.0\nname: [x]\n", "bad.yaml:2: 'name' must be a string, not a list" },
	{ "version: 1.0\nname: x\nname: y\n",
	  "bad.yaml:3: key 'name' appears twice in a profile (first on line 2)" },
	{ "- a\n- b\n", "bad.yaml:1: a profile must be a mapping" },
	/* Values. */
	{ "version: 1.0\nname: x\ncollect:\n  - args:\n      probe: {a: b}\n",
	  "bad.yaml:5: value of 'probe' must be a string, a list of strings or ~ (a flag), not a "
	  "mapping" },
	{ "version: 1.0\nname: x\ncollect:\n  - args:\n      probe: [a, [b]]\n",
	  "bad.yaml:5: values of 'probe' must be strings, not a list" },
	{ "version: 1.0\nname: x\ncollect:\n  - args:\n      --probe: a\n",
	  "bad.yaml:5: invalid option name '--probe' in args" },
	{ "version: 1.0\nname: x\ncollect: yes\n",
	  "bad.yaml:3: 'collect' must be a list of entries" },
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(error_cases); i++) {
		struct rete_profile_set set = { 0 };
		char err[512] = "";
		int rc;

		rc = rete_profile_parse_buf(error_cases[i].text, strlen(error_cases[i].text),
					    "bad.yaml", &set, err, sizeof(err));
		if (rc != -EINVAL || !strstr(err, error_cases[i].want) ||
		    strncmp(err, "profile bad.yaml:", 17))
			fail_msg("case %zu: rc %d, error '%s', want '%s'", i, rc, err,
				 error_cases[i].want);
		assert_int_equal(set.n, 0);
	}
}

static void test_error_keeps_earlier_profiles(void **state)
{
	static const char bad[] = "version: 1.0\nname: ok\n---\nversion: 1.0\nnam: x\n";
	struct rete_profile_set set = { 0 };
	char err[256];

	/* A failing file adds nothing, not even its valid first document. */
	assert_int_equal(rete_profile_parse_buf("version: 1.0\nname: first\n", 25, "a.yaml", &set,
						err, sizeof(err)),
			 0);
	assert_int_equal(rete_profile_parse_buf(bad, strlen(bad), "b.yaml", &set, err,
						sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "profile b.yaml:5: unknown key 'nam' in a profile (did you mean "
				 "'name'?)");
	assert_int_equal(set.n, 1);
	assert_string_equal(set.profiles[0].name, "first");
	rete_profile_set_free(&set);
	assert_int_equal(rete_profile_parse_file(sub("nope.yaml"), &set, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "cannot open profile"));
}

/* Kernel versions. */

static void test_kver_release(void **state)
{
	static const struct {
		const char *s;
		unsigned major, minor, patch, build;
		bool has_build;
	} cases[] = {
		{ "6.2.14-300.fc38.x86_64", 6, 2, 14, 300, true },
		{ "6.2.0-20-generic", 6, 2, 0, 20, true },
		{ "6.2.14.fc38.x86_64", 6, 2, 14, 0, false },
		{ "6.4.12-arch1-1", 6, 4, 12, 1, true },
		{ "6.18.44-fc-v669", 6, 18, 44, 0, false },
		{ "6.8.0+", 6, 8, 0, 0, false },
		{ "5.10", 5, 10, 0, 0, false },
	};
	struct rete_kver v;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(rete_kver_parse_release(cases[i].s, &v), 0);
		assert_int_equal(v.major, cases[i].major);
		assert_int_equal(v.minor, cases[i].minor);
		assert_int_equal(v.patch, cases[i].patch);
		assert_int_equal(v.has_build, cases[i].has_build);
		if (cases[i].has_build)
			assert_int_equal(v.build, cases[i].build);
	}
	assert_int_equal(rete_kver_parse_release("six", &v), -EINVAL);
	assert_int_equal(rete_kver_parse_release("6", &v), -EINVAL);
}

static void test_kver_match(void **state)
{
	static const struct {
		const char *req;
		bool match;
	} cases[] = {
		{ "= 6.2.14-300", true }, { "= 6.2.14", true },	   { "= 6.2.15", false },
		{ "= 6.2", true },	  { "= 6", true },	   { "= 7", false },
		{ "== 6.2", true },	  { "!= 6.2.14-301", true }, { "!= 6.3", true },
		{ "!= 5", true },	  { "!= 6.2.14", false },  { "> 6.2.14-200", true },
		{ "> 6.1", true },	  { "> 5", true },	   { "> 6.2", false },
		{ ">= 6.2.14-200", true }, { ">= 6.2.14-300", true }, { ">= 6.2.10", true },
		{ ">= 5.14", true },	  { ">=6", true },	   { "< 6.2.15", true },
		{ "<6.2.14-301", true },  { "<= 6.2", true },	   { "<6", false },
		{ ">=5.10, <6", false },  { ">=5.10, <7", true },  { ">=5.10,<=6.2", true },
		/* Comparators separated by spaces only, as in Retis's own tests. */
		{ "> 6.0.0 <= 7", true }, { "> 6.0.0 <= 6.1", false },
		{ ">6.2.*", false },	  { "=6.2.*", true },	   { ">=6.*", true },
	};
	struct rete_kver_req req;
	struct rete_kver v;
	char err[256];

	assert_int_equal(rete_kver_parse_release("6.2.14-300.fc38.x86_64", &v), 0);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		if (rete_kver_req_parse(cases[i].req, &req, err, sizeof(err)))
			fail_msg("'%s' does not parse: %s", cases[i].req, err);
		if (rete_kver_req_match(&req, &v) != cases[i].match)
			fail_msg("'%s' on 6.2.14-300: want %d", cases[i].req, cases[i].match);
	}
	/* A release without a build number sorts after any build of the same version. */
	assert_int_equal(rete_kver_parse_release("6.2.14", &v), 0);
	assert_int_equal(rete_kver_req_parse("> 6.2.14-300", &req, err, sizeof(err)), 0);
	assert_true(rete_kver_req_match(&req, &v));
}

static void test_kver_errors(void **state)
{
	static const struct {
		const char *req, *want;
	} cases[] = {
		{ "", "empty kernel version requirement" },
		{ "   ", "empty kernel version requirement" },
		{ "6.2", "expected an operator (=, !=, >, >=, <, <=) at '6.2'" },
		{ ">", "expected a version (MAJOR[.MINOR[.PATCH]][-BUILD]) at ''" },
		{ ">=5.x", "expected a version" },
		{ ">=5.10; <6", "unexpected '; <6'" },
		{ ">1,>2,>3,>4,>5", "at most 4 comparisons" },
		{ "~>5", "expected an operator" },
	};
	struct rete_kver_req req;
	char err[256];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(rete_kver_req_parse(cases[i].req, &req, err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, cases[i].want))
			fail_msg("'%s': error '%s', want '%s'", cases[i].req, err, cases[i].want);
	}
}

/* Conditions and entry selection. */

static const char conditional[] =
	"version: 1.0\n"
	"name: cond\n"
	"collect:\n"
	"  - name: Old kernels\n"
	"    when:\n"
	"      - type: version\n"
	"        version: \"<5.17\"\n"
	"    args:\n"
	"      probe: old\n"
	"  - name: New tracepoint\n"
	"    when:\n"
	"      - type: version\n"
	"        version: \">=6.10, <7\"\n"
	"      - type: symbol\n"
	"        name: skb:new_tp\n"
	"    args:\n"
	"      probe: tp:skb:new_tp\n"
	"  - name: Without legacy function\n"
	"    when:\n"
	"      - type: symbol\n"
	"        name: legacy_fn\n"
	"        exists: false\n"
	"    args:\n"
	"      probe: nolegacy\n"
	"  - args:\n"
	"      probe: default\n";

static void test_conditions(void **state)
{
	static const char *const with_new[] = { "skb:new_tp", "legacy_fn", NULL };
	static const char *const with_legacy[] = { "legacy_fn", NULL };
	static const char *const none[] = { NULL };
	static const struct {
		const char *release;
		const char *const *symbols;
		const char *want;
		const char *entry;
	} cases[] = {
		{ "5.10.0-1", with_new, "--probe old", "Old kernels" },
		{ "6.18.44-fc", with_new, "--probe tp:skb:new_tp", "New tracepoint" },
		/* Version holds, symbol missing: next entry, whose symbol must be absent. */
		{ "6.18.44-fc", none, "--probe nolegacy", "Without legacy function" },
		/* Version out of range. */
		{ "7.1.0", with_new, "--probe default", NULL },
		{ "6.12.0", with_legacy, "--probe default", NULL },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct fake f = { .symbols = cases[i].symbols };
		char out[512], err[512], want_notice[128];

		assert_int_equal(expand_text(conditional, "collect", &f, cases[i].release, out,
					     sizeof(out), err, sizeof(err)),
				 0);
		if (strcmp(out, cases[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, out, cases[i].want);
		assert_int_equal(f.nnotices, 1);
		assert_false(f.warn[0]);
		if (cases[i].entry)
			snprintf(want_notice, sizeof(want_notice), "Applying profile cond (%s): %s",
				 cases[i].entry, cases[i].want);
		else
			snprintf(want_notice, sizeof(want_notice), "Applying profile cond: %s",
				 cases[i].want);
		assert_string_equal(f.notices[0], want_notice);
	}
}

static void test_no_entry_matches(void **state)
{
	static const char text[] = "version: 1.0\nname: picky\ncollect:\n"
				   "  - when:\n      - type: symbol\n        name: nothere\n"
				   "    args:\n      stack: ~\n";
	struct fake f = { 0 };
	char out[256], err[256];

	assert_int_equal(expand_text(text, "collect", &f, "6.1.0", out, sizeof(out), err,
				     sizeof(err)),
			 0);
	assert_string_equal(out, "");
	assert_int_equal(f.nnotices, 1);
	assert_true(f.warn[0]);
	assert_string_equal(f.notices[0],
			    "profile picky: no 'collect' entry applies to this kernel (6.1.0)");

	/* No section for the command: a warning and nothing added. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(expand_text(text, "pcap", &f, "6.1.0", out, sizeof(out), err,
				     sizeof(err)),
			 0);
	assert_string_equal(out, "");
	assert_string_equal(f.notices[0], "profile picky has nothing for 'pcap'");

	/* Commands without profile sections are refused. */
	assert_int_equal(expand_text(text, "print", &f, "6.1.0", out, sizeof(out), err,
				     sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "profiles apply to collect and pcap, not to 'print'");

	/* A release that cannot be compared is an error only when a version condition needs it. */
	assert_int_equal(expand_text(conditional, "collect", &f, "weird", out, sizeof(out), err,
				     sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "expand.yaml:6: cannot compare kernel release 'weird' with "
				    "'<5.17'"));
}

static void test_first_match(void **state)
{
	static const char text[] = "version: 1.0\nname: first\ncollect:\n"
				   "  - name: A\n    args:\n      probe: a\n"
				   "  - name: B\n    args:\n      probe: b\n";
	struct fake f = { 0 };
	char out[256], err[256];

	assert_int_equal(expand_text(text, "collect", &f, "6.1.0", out, sizeof(out), err,
				     sizeof(err)),
			 0);
	assert_string_equal(out, "--probe a");
}

static void test_newer_minor_version(void **state)
{
	static const char text[] =
		"version: 1.3\nname: newer\ncollect:\n  - args:\n      stack: ~\n";
	struct fake f = { 0 };
	char out[256], err[256];

	assert_int_equal(expand_text(text, "collect", &f, "6.1.0", out, sizeof(out), err,
				     sizeof(err)),
			 0);
	assert_string_equal(out, "--stack");
	assert_int_equal(f.nnotices, 2);
	assert_true(f.warn[0]);
	assert_string_equal(f.notices[0], "profile newer is format version 1.3 and rete reads "
					  "1.0: newer settings may be ignored");
}

/* Probes this kernel cannot run. */

static void test_probe_skipping(void **state)
{
	static const char partial[] = "version: 1.0\nname: mixed\ncollect:\n  - args:\n"
				      "      collectors: skb\n"
				      "      probe:\n        - tp:net:netif_rx\n"
				      "        - kprobe:ip_rcv\n        - kprobe:udp_rcv\n"
				      "        - tp:net:net_dev_queue\n";
	static const char fallback[] =
		"version: 1.0\nname: fb\ncollect:\n"
		"  - name: With kprobes\n    args:\n      probe: kprobe:ip_rcv\n"
		"  - name: Tracepoints\n    args:\n      probe: tp:net:netif_rx\n";
	static const char hopeless[] =
		"version: 1.0\nname: none\ncollect:\n  - args:\n"
		"      collectors: nft\n      probe: kprobe:__nft_trace_packet/stack\n";
	struct fake f = { 0 };
	char out[512], err[512];

	/* The rest of the entry runs; one notice names what was skipped and why. */
	assert_int_equal(expand_text(partial, "collect", &f, "6.1.0", out, sizeof(out), err,
				     sizeof(err)),
			 0);
	assert_string_equal(out, "--collectors skb --probe tp:net:netif_rx --probe "
				 "tp:net:net_dev_queue");
	assert_int_equal(f.nnotices, 2);
	assert_true(f.warn[0]);
	assert_string_equal(f.notices[0], "profile mixed: skipping 2 probe(s) that cannot run "
					  "here: kprobe:ip_rcv, kprobe:udp_rcv: no kprobes here");
	assert_false(f.warn[1]);

	/* With kprobes, everything is kept and nothing is said but the arguments. */
	memset(&f, 0, sizeof(f));
	f.kprobes = true;
	assert_int_equal(expand_text(partial, "collect", &f, "6.1.0", out, sizeof(out), err,
				     sizeof(err)),
			 0);
	assert_int_equal(f.nnotices, 1);
	assert_non_null(strstr(out, "--probe kprobe:ip_rcv --probe kprobe:udp_rcv"));

	/* Another entry can run: the first is skipped with one notice. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(expand_text(fallback, "collect", &f, "6.1.0", out, sizeof(out), err,
				     sizeof(err)),
			 0);
	assert_string_equal(out, "--probe tp:net:netif_rx");
	assert_int_equal(f.nnotices, 2);
	assert_string_equal(f.notices[0], "profile fb: entry 'With kprobes' skipped "
					  "(kprobe:ip_rcv: no kprobes here); using entry "
					  "'Tracepoints'");

	/* Nothing can run: a sentence, no notice. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(expand_text(hopeless, "collect", &f, "6.1.0", out, sizeof(out), err,
				     sizeof(err)),
			 -EOPNOTSUPP);
	assert_string_equal(err, "profile none cannot run on this kernel: "
				 "kprobe:__nft_trace_packet/stack: no kprobes here");
	assert_int_equal(f.nnotices, 0);

	/* pcap's --probe is a filter on stored events: never checked. */
	assert_int_equal(expand_text("version: 1.0\nname: p\npcap:\n  - args:\n      probe: "
				     "kprobe:x\n",
				     "pcap", &f, "6.1.0", out, sizeof(out), err, sizeof(err)),
			 0);
	assert_string_equal(out, "--probe kprobe:x");
}

/* Lookup and combination. */

static void test_lookup_and_order(void **state)
{
	struct rete_profile_dirs dirs = { .n = 0 };
	struct rete_profile_set set = { 0 };
	struct rete_profile_argv argv = { 0 };
	struct fake f = { 0 };
	struct rete_profile_env env = fake_env(&f, "6.1.0");
	char err[512];

	/* Names are the `name:` inside files; file names do not matter. */
	write_file("a/one.yaml", "version: 1.0\nname: alpha\ncollect:\n  - args:\n      probe: "
				 "a1\n      stack: ~\n");
	write_file("a/two.yml", "version: 1.0\nname: beta\ncollect:\n  - args:\n      probe: "
				"b1\n---\nversion: 1.0\nname: gamma\ncollect:\n  - args:\n      "
				"print: ~\n");
	write_file("a/notes.txt", "not a profile\n");
	/* Shadowed by a/ which comes first. */
	write_file("b/alpha.yaml", "version: 1.0\nname: alpha\ncollect:\n  - args:\n      probe: "
				   "shadowed\n");
	write_file("b/delta.yaml", "version: 1.0\nname: delta\ncollect:\n  - args:\n      probe: "
				   "d1\n");
	assert_int_equal(rete_profile_dirs_add(&dirs, sub("a")), 0);
	assert_int_equal(rete_profile_dirs_add(&dirs, sub("b")), 0);
	/* The same directory twice is kept once. */
	assert_int_equal(rete_profile_dirs_add(&dirs, sub("a/../a")), 0);
	assert_int_equal(dirs.n, 2);
	assert_int_equal(rete_profile_dirs_add(&dirs, sub("missing")), -ENOENT);
	assert_int_equal(rete_profile_dirs_add(&dirs, sub("a/one.yaml")), -ENOTDIR);

	assert_int_equal(rete_profile_load_list(&dirs, "delta, alpha,gamma", &set, err,
						sizeof(err)),
			 0);
	assert_int_equal(rete_profile_load_list(&dirs, sub("a/two.yml"), &set, err, sizeof(err)),
			 0);
	assert_int_equal(set.n, 5);
	assert_string_equal(set.profiles[1].path, sub("a/one.yaml"));
	assert_int_equal(rete_profile_expand(&set, "collect", &env, &argv, err, sizeof(err)), 0);
	/* In the order given; a file brings every profile it holds. */
	assert_string_equal(joined(&argv), "--probe d1 --probe a1 --stack --print --probe b1 "
					   "--print");
	assert_int_equal(f.nnotices, 5);
	assert_string_equal(f.notices[0], "Applying profile delta: --probe d1");
	rete_profile_argv_free(&argv);
	rete_profile_set_free(&set);

	/* Unknown names: the closest one, or the known ones. */
	assert_int_equal(rete_profile_load_list(&dirs, "alpah", &set, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "unknown profile 'alpah' (did you mean 'alpha'?)");
	assert_int_equal(rete_profile_load_list(&dirs, "alpha,zzzzzzzz", &set, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "unknown profile 'zzzzzzzz' (profiles: alpha, beta, gamma, "
				 "delta; see rete profile list)");
	rete_profile_set_free(&set);
	assert_int_equal(rete_profile_load_list(&dirs, "alpha,,beta", &set, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "empty profile name in 'alpha,,beta'");
	rete_profile_set_free(&set);
	assert_int_equal(rete_profile_load_list(&dirs, "./no/such.yaml", &set, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "cannot open profile ./no/such.yaml"));
	rete_profile_dirs_free(&dirs);

	/* Nothing anywhere. */
	assert_int_equal(rete_profile_dirs_add(&dirs, sub("a/..")), 0);
	mkdir(sub("empty"), 0700);
	rete_profile_dirs_free(&dirs);
	assert_int_equal(rete_profile_dirs_add(&dirs, sub("empty")), 0);
	assert_int_equal(rete_profile_load_list(&dirs, "x", &set, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "unknown profile 'x': no profile found in "));
	rete_profile_dirs_free(&dirs);
}

static void test_lookup_errors(void **state)
{
	struct rete_profile_dirs dirs = { .n = 0 };
	struct rete_profile_set set = { 0 };
	char err[512];

	write_file("c/mine.yaml", "version: 1.0\nname: mine\ncollect:\n  - args:\n    probe: x\n"
				  "  bad indentation: [\n");
	write_file("c/other.yaml", "version: 1.0\nname: other\n");
	write_file("c/twin1.yaml", "version: 1.0\nname: twin\n");
	write_file("c/twin2.yaml", "version: 1.0\nname: twin\n");
	assert_int_equal(rete_profile_dirs_add(&dirs, sub("c")), 0);
	/* A broken mine.yaml explains why "mine" is not found, with its line. */
	assert_int_equal(rete_profile_load_list(&dirs, "mine", &set, err, sizeof(err)), -EINVAL);
	if (!strstr(err, "c/mine.yaml:6:"))
		fail_msg("error '%s' does not name mine.yaml:6", err);
	/* Other profiles of the directory still load. */
	assert_int_equal(rete_profile_load_list(&dirs, "other", &set, err, sizeof(err)), 0);
	assert_int_equal(rete_profile_load_list(&dirs, "twin", &set, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "two profiles are named 'twin' in the same directory"));
	assert_int_equal(set.n, 1);
	rete_profile_set_free(&set);
	rete_profile_dirs_free(&dirs);
}

struct scanned {
	char names[8][64];
	bool failed[8];
	size_t n;
};

static void scan_cb(void *ctx, const char *path, struct rete_profile_set *profiles,
		    const char *err)
{
	struct scanned *s = ctx;

	if (s->n == 8)
		return;
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", strrchr(path, '/') + 1);
	s->failed[s->n] = err != NULL;
	assert_true(err ? profiles->n == 0 : profiles->n >= 1);
	s->n++;
}

static void test_scan_dir(void **state)
{
	struct scanned s = { .n = 0 };

	write_file("d/b.yaml", "version: 1.0\nname: b\n");
	write_file("d/a.yml", "version: 1.0\nname: a\n");
	write_file("d/c.yaml", "version: [\n");
	write_file("d/.hidden.yaml", "version: 1.0\nname: h\n");
	write_file("d/readme", "x\n");
	assert_int_equal(rete_profile_scan_dir(sub("d"), scan_cb, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.names[0], "a.yml");
	assert_string_equal(s.names[1], "b.yaml");
	assert_string_equal(s.names[2], "c.yaml");
	assert_true(s.failed[2]);
	assert_int_equal(rete_profile_scan_dir(sub("nope"), scan_cb, &s), -ENOENT);
}

static void test_default_dirs(void **state)
{
	struct rete_profile_dirs dirs = { .n = 0 };
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char want[PATH_MAX];
	size_t i;

	write_file("home/.config/rete/profiles/x.yaml", "version: 1.0\nname: x\n");
	write_file("home/.config/retis/profiles/y.yaml", "version: 1.0\nname: y\n");
	mkdir(sub("extra"), 0700);
	setenv("HOME", sub("home"), 1);
	assert_int_equal(rete_profile_dirs_default(sub("extra"), &dirs), 0);
	assert_true(dirs.n >= 3);
	assert_non_null(realpath(sub("extra"), want));
	assert_string_equal(dirs.dirs[0], want);
	assert_non_null(realpath(sub("home/.config/rete/profiles"), want));
	assert_string_equal(dirs.dirs[1], want);
	/* Retis's own directory comes after every rete one. */
	assert_non_null(realpath(sub("home/.config/retis/profiles"), want));
	for (i = 2; i < dirs.n && strcmp(dirs.dirs[i], want); i++)
		;
	assert_true(i < dirs.n);
	for (size_t j = 0; j < i; j++)
		assert_null(strstr(dirs.dirs[j], "/retis/"));
	rete_profile_dirs_free(&dirs);
	assert_int_equal(rete_profile_dirs_default(sub("no-such-dir"), &dirs), -ENOENT);
	if (home)
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	free(home);
}

static void test_default_checks(void **state)
{
	char why[256];

	/* Tracepoints always can; kprobes only where the kernel has them and rete does. */
	assert_int_equal(rete_profile_probe_usable("tp:skb:kfree_skb/stack", why, sizeof(why)),
			 0);
	assert_int_equal(rete_profile_probe_usable("kprobe:ip_rcv", why, sizeof(why)),
			 -EOPNOTSUPP);
	assert_true(strstr(why, "no kprobes") || strstr(why, "not implemented"));
	/* Malformed probes are the command's to report. */
	assert_int_equal(rete_profile_probe_usable("zz:a:b", why, sizeof(why)), 0);

	if (access("/proc/kallsyms", R_OK)) {
		skip();
		return;
	}
	assert_int_equal(rete_profile_symbol_exists("consume_skb"), 1);
	assert_int_equal(rete_profile_symbol_exists("skb:kfree_skb"), 1);
	assert_int_equal(rete_profile_symbol_exists("rete_no_such_symbol_at_all"), 0);
	assert_int_equal(rete_profile_symbol_exists("skb:rete_no_such_tracepoint"), 0);
}

/* The profiles shipped in profiles/. */

static const char *builtin_dir(void)
{
	static char dir[PATH_MAX + 32];
	char exe[PATH_MAX];
	ssize_t n;

	if (getenv("RETE_PROFILES_SRC"))
		return getenv("RETE_PROFILES_SRC");
	if (!access("profiles/dropmon.yaml", R_OK))
		return "profiles";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(dir, sizeof(dir), "%s/../../profiles", exe);
	return access(dir, R_OK) ? NULL : dir;
}

static int expand_builtin(const char *name, const char *command, struct fake *f, char *out,
			  size_t outlen, char *err, size_t errlen)
{
	struct rete_profile_dirs dirs = { .n = 0 };
	struct rete_profile_set set = { 0 };
	struct rete_profile_argv argv = { 0 };
	struct rete_profile_env env = fake_env(f, "6.18.0");
	int rc;

	assert_int_equal(rete_profile_dirs_add(&dirs, builtin_dir()), 0);
	rc = rete_profile_load_list(&dirs, name, &set, err, errlen);
	if (rc)
		fail_msg("cannot load built-in %s: %s", name, err);
	rc = rete_profile_expand(&set, command, &env, &argv, err, errlen);
	snprintf(out, outlen, "%s", joined(&argv));
	rete_profile_argv_free(&argv);
	rete_profile_set_free(&set);
	rete_profile_dirs_free(&dirs);
	return rc;
}

static void test_builtin_profiles(void **state)
{
	static const char generic_tp[] =
		"--probe tp:net:netif_receive_skb --probe tp:net:netif_rx --probe "
		"tp:net:napi_gro_receive_entry --probe tp:net:napi_gro_frags_entry --probe "
		"tp:net:net_dev_queue --probe tp:net:net_dev_start_xmit";
	static const char *const kprobes[] = {
		"arp_process",	   "ip_rcv",		 "ipv6_rcv",
		"tcp_v4_rcv",	   "tcp_v6_rcv",	 "tcp_gro_receive",
		"tcp6_gro_receive", "tcp_rcv_established", "tcp_rcv_state_process",
		"__tcp_retransmit_skb", "udp_rcv",	 "udpv6_rcv",
		"udp_gro_receive", "udp6_gro_receive",	 "icmp_rcv",
		"icmpv6_rcv",	   "ip_output",		 "ip6_output",
		"skb_scrub_packet",
	};
	struct fake f = { 0 };
	char out[2048], err[512], want[128];

	if (!builtin_dir()) {
		skip();
		return;
	}
	assert_int_equal(expand_builtin("dropmon", "collect", &f, out, sizeof(out), err,
					sizeof(err)),
			 0);
	assert_string_equal(out, "--collectors skb-drop,skb,dev,ns --probe tp:skb:kfree_skb/stack");
	assert_int_equal(expand_builtin("dropmon", "pcap", &f, out, sizeof(out), err, sizeof(err)),
			 0);
	assert_string_equal(out, "--probe tp:skb:kfree_skb");
	assert_int_equal(expand_builtin("ifdump", "collect", &f, out, sizeof(out), err,
					sizeof(err)),
			 0);
	assert_string_equal(out, "--probe tp:net:netif_receive_skb --probe "
				 "tp:net:net_dev_start_xmit");

	/* generic without kprobes: the tracepoints, and one notice naming the 19 others. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(expand_builtin("generic", "collect", &f, out, sizeof(out), err,
					sizeof(err)),
			 0);
	assert_string_equal(out, generic_tp);
	assert_int_equal(f.nnotices, 2);
	assert_non_null(strstr(f.notices[0], "profile generic: skipping 19 probe(s) that cannot "
					     "run here: kprobe:arp_process, kprobe:ip_rcv"));
	for (size_t i = 0; i < ARRAY_LEN(kprobes); i++) {
		snprintf(want, sizeof(want), "kprobe:%s", kprobes[i]);
		assert_non_null(strstr(f.notices[0], want));
	}
	/* With kprobes: all 25 probes in the file's order. */
	memset(&f, 0, sizeof(f));
	f.kprobes = true;
	assert_int_equal(expand_builtin("generic", "collect", &f, out, sizeof(out), err,
					sizeof(err)),
			 0);
	assert_non_null(strstr(out, "--probe tp:net:napi_gro_frags_entry --probe "
				    "kprobe:arp_process --probe kprobe:ip_rcv"));
	assert_non_null(strstr(out, "--probe tp:net:net_dev_start_xmit --probe "
				    "kprobe:ip_output --probe kprobe:ip6_output --probe "
				    "kprobe:skb_scrub_packet"));

	/* nft-dropmon: Retis's kprobe where there are kprobes, else nftables traces alone. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(expand_builtin("nft-dropmon", "collect", &f, out, sizeof(out), err,
					sizeof(err)),
			 0);
	assert_string_equal(out, "--collectors nft,skb,dev,ns --nft-verdicts drop");
	f.kprobes = true;
	assert_int_equal(expand_builtin("nft-dropmon", "collect", &f, out, sizeof(out), err,
					sizeof(err)),
			 0);
	assert_string_equal(out, "--collectors nft,skb,dev,ns --nft-verdicts drop --probe "
				 "kprobe:__nft_trace_packet/stack");
	assert_int_equal(expand_builtin("nft-dropmon", "pcap", &f, out, sizeof(out), err,
					sizeof(err)),
			 0);
	assert_string_equal(out, "--probe kprobe:__nft_trace_packet");

	/* Combined, in order. */
	assert_int_equal(expand_builtin("ifdump,dropmon", "collect", &f, out, sizeof(out), err,
					sizeof(err)),
			 0);
	assert_string_equal(out, "--probe tp:net:netif_receive_skb --probe "
				 "tp:net:net_dev_start_xmit --collectors skb-drop,skb,dev,ns "
				 "--probe tp:skb:kfree_skb/stack");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parse_every_field),
		T(test_parse_documents),
		T(test_errors),
		T(test_error_keeps_earlier_profiles),
		T(test_kver_release),
		T(test_kver_match),
		T(test_kver_errors),
		T(test_conditions),
		T(test_no_entry_matches),
		T(test_first_match),
		T(test_newer_minor_version),
		T(test_probe_skipping),
		T(test_lookup_and_order),
		T(test_lookup_errors),
		T(test_scan_dir),
		T(test_default_dirs),
		T(test_default_checks),
		T(test_builtin_profiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
