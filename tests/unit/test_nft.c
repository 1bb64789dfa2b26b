/*
 * The nft section (src/collectors/nft/nft_section.c): its JSON through the
 * field tables (read, write byte for byte, size bound, reader errors,
 * schema), its text, the verdict names and the --nft-verdicts selection.
 * The tests through whole events need a registered collector describing
 * nft: they are skipped without one.
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

#include <json-c/json.h>

#include "collectors/nft/nft_section.h"
#include "events/event.h"
#include "events/json.h"
#include "events/json_priv.h"
#include "events/schema.h"
#include "events/section.h"
#include "events/text.h"
#include "lib/strbuf.h"
#include "uapi/rete_event.h"
#include "uapi/rete_sections.h"

static char err[512];

/* Index of the nft section; skips the test when no registered collector describes it. */
static size_t nft_index(void)
{
	int i = rete_xsection_find("nft");

	if (i < 0) {
		print_message("skipping: no registered collector describes nft\n");
		skip();
	}
	return (size_t)i;
}

/* Read one nft object through the table: 0, or -EINVAL with the sentence in err. */
static int table_read(const char *json, struct rete_nft *n)
{
	struct rete_json_rd r = { .err = err, .errlen = sizeof(err), .sec = "nft", .path = "" };
	struct json_object *o = json_tokener_parse(json);
	int rc;

	assert_non_null(o);
	memset(n, 0, sizeof(*n));
	err[0] = '\0';
	rc = rete_fields_read(&r, o, rete_section_nft.fields, n, "");
	json_object_put(o);
	return rc;
}

/* Write n through the table (within its bound) into out. */
static void table_write(const struct rete_nft *n, struct rete_strbuf *out)
{
	size_t bound = rete_fields_bound(rete_section_nft.fields);
	char *buf = malloc(bound + 1), *end;

	assert_non_null(buf);
	end = rete_fields_write(buf, rete_section_nft.fields, n);
	assert_true((size_t)(end - buf) <= bound);
	rete_strbuf_reset(out);
	rete_strbuf_add(out, buf, (size_t)(end - buf));
	free(buf);
}

/* The start of a small nft object. */
#define TC "{\"table_name\":\"t\",\"chain_name\":\"c\","

/* Retis-shaped nft sections, in Retis's field order. */
static const char rule_drop[] =
	"{\"table_name\":\"filter\",\"chain_name\":\"input\",\"verdict\":\"drop\","
	"\"table_handle\":2,\"chain_handle\":1,\"rule_handle\":4,\"policy\":false}";
static const char policy_accept[] =
	"{\"table_name\":\"firewalld\",\"chain_name\":\"filter_INPUT\",\"verdict\":\"accept\","
	"\"table_handle\":4,\"chain_handle\":124,\"policy\":true}";
static const char jump[] =
	"{\"table_name\":\"t\",\"chain_name\":\"c\",\"verdict\":\"jump\","
	"\"verdict_chain_name\":\"other\",\"table_handle\":1,\"chain_handle\":2,"
	"\"rule_handle\":7,\"policy\":false}";
static const char negative[] =
	"{\"table_name\":\"t\",\"chain_name\":\"c\",\"verdict\":\"continue\","
	"\"table_handle\":-1,\"chain_handle\":-9223372036854775808,"
	"\"rule_handle\":9223372036854775807,\"policy\":false}";
static const char escaped[] =
	"{\"table_name\":\"a\\\"b\\\\c\\n\\u0001\",\"chain_name\":\"\xc3\xa9t\xc3\xa9\","
	"\"verdict\":\"goto\",\"verdict_chain_name\":\"\",\"table_handle\":0,"
	"\"chain_handle\":0,\"rule_handle\":-42,\"policy\":false}";

/* rete's own: a base chain's final verdict (kretprobe on nft_do_chain). */
static const char chain_verdict[] =
	"{\"table_name\":\"filter\",\"chain_name\":\"input\",\"verdict\":\"accept\","
	"\"table_handle\":2,\"chain_handle\":1,\"policy\":false,\"chain_verdict\":true}";

static const char *const shapes[] = { rule_drop, policy_accept, jump, negative, escaped,
				       chain_verdict };

static void test_table_round_trip(void **state)
{
	struct rete_strbuf out = RETE_STRBUF_INIT;
	struct rete_nft n;

	(void)state;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		if (table_read(shapes[i], &n))
			fail_msg("reading %s: %s", shapes[i], err);
		table_write(&n, &out);
		assert_string_equal(out.buf, shapes[i]);
	}

	assert_int_equal(table_read(rule_drop, &n), 0);
	assert_string_equal(n.table_name, "filter");
	assert_string_equal(n.chain_name, "input");
	assert_string_equal(n.verdict, "drop");
	assert_false(n.has_verdict_chain);
	assert_int_equal(n.table_handle, 2);
	assert_int_equal(n.chain_handle, 1);
	assert_true(n.has_rule_handle);
	assert_int_equal(n.rule_handle, 4);
	assert_false(n.policy);

	assert_int_equal(table_read(policy_accept, &n), 0);
	assert_false(n.has_rule_handle);
	assert_true(n.policy);
	assert_false(n.has_chain_verdict);

	assert_int_equal(table_read(chain_verdict, &n), 0);
	assert_true(n.has_chain_verdict && n.chain_verdict);

	assert_int_equal(table_read(negative, &n), 0);
	assert_true(n.table_handle == -1);
	assert_true(n.chain_handle == INT64_MIN);
	assert_true(n.rule_handle == INT64_MAX);

	/* An empty verdict chain is there; null reads as absent, as serde does. */
	assert_int_equal(table_read(escaped, &n), 0);
	assert_true(n.has_verdict_chain);
	assert_string_equal(n.table_name, "a\"b\\c\n\x01");
	assert_int_equal(table_read(TC "\"verdict\":\"drop\",\"verdict_chain_name\":null,"
				       "\"table_handle\":1,\"chain_handle\":2,\"rule_handle\":null,"
				       "\"policy\":false}",
				    &n),
			 0);
	assert_false(n.has_verdict_chain);
	assert_false(n.has_rule_handle);
	table_write(&n, &out);
	assert_string_equal(out.buf, TC "\"verdict\":\"drop\",\"table_handle\":1,"
					"\"chain_handle\":2,\"policy\":false}");
	rete_strbuf_free(&out);
}

static void test_table_read_errors(void **state)
{
	static const struct {
		const char *json, *sentence;
	} bad[] = {
		{ TC "\"verdict\":\"drop\",\"table_handle\":1,\"chain_handle\":2,"
		     "\"rule_handle\":\"4\",\"policy\":false}",
		  "section \"nft\": field \"rule_handle\" is not an integer (got a string)" },
		{ TC "\"verdict\":\"drop\",\"table_handle\":9223372036854775808,"
		     "\"chain_handle\":2,\"policy\":false}",
		  "section \"nft\": field \"table_handle\" is out of range (9223372036854775808, "
		  "expected -9223372036854775808..9223372036854775807)" },
		{ TC "\"verdict\":\"drop\",\"table_handle\":1,"
		     "\"chain_handle\":18446744073709551615,\"policy\":false}",
		  "section \"nft\": field \"chain_handle\" is out of range (18446744073709551615, "
		  "expected -9223372036854775808..9223372036854775807)" },
		{ TC "\"verdict\":\"drop\",\"table_handle\":1,\"chain_handle\":2.5,"
		     "\"policy\":false}",
		  "section \"nft\": field \"chain_handle\" is not an integer (got a number with a "
		  "fraction or exponent)" },
		{ TC "\"verdict\":\"drop\",\"table_handle\":1,\"chain_handle\":2}",
		  "section \"nft\": field \"policy\" is missing" },
		{ TC "\"verdict\":\"drop\",\"table_handle\":1,\"chain_handle\":2,"
		     "\"policy\":\"yes\"}",
		  "section \"nft\": field \"policy\" is not a boolean (got a string)" },
		{ TC "\"verdict\":\"a-verdict-too-long\",\"table_handle\":1,"
		     "\"chain_handle\":2,\"policy\":false}",
		  "section \"nft\": field \"verdict\" is too long (18 bytes, at most 15)" },
	};
	struct rete_nft n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(table_read(bad[i].json, &n), -EINVAL);
		assert_string_equal(err, bad[i].sentence);
	}
}

/* A name of 256 bytes is one too many; 255 fit. */
static void test_table_name_length(void **state)
{
	char name[300], *json;
	struct rete_nft n;

	(void)state;
	memset(name, 'x', 255);
	name[255] = '\0';
	assert_true(asprintf(&json, "{\"table_name\":\"%s\",\"chain_name\":\"c\",\"verdict\":"
				    "\"drop\",\"table_handle\":1,\"chain_handle\":2,"
				    "\"policy\":false}",
			     name) > 0);
	assert_int_equal(table_read(json, &n), 0);
	assert_int_equal(strlen(n.table_name), 255);
	free(json);
	strcat(name, "x");
	assert_true(asprintf(&json, "{\"table_name\":\"t\",\"chain_name\":\"c\",\"verdict\":"
				    "\"jump\",\"verdict_chain_name\":\"%s\",\"table_handle\":1,"
				    "\"chain_handle\":2,\"policy\":false}",
			     name) > 0);
	assert_int_equal(table_read(json, &n), -EINVAL);
	assert_string_equal(err, "section \"nft\": field \"verdict_chain_name\" is too long "
				 "(256 bytes, at most 255)");
	free(json);
}

/* The writer's bound holds for the largest values an nft section can take. */
static void test_bound(void **state)
{
	static const char fills[] = { '"', 0x01, '\\', (char)0xff };
	size_t bound = rete_fields_bound(rete_section_nft.fields);
	struct rete_nft *n = calloc(1, sizeof(*n));
	char *buf = malloc(bound);

	(void)state;
	assert_non_null(n);
	assert_non_null(buf);
	for (size_t k = 0; k < sizeof(fills); k++) {
		memset(n, 0, sizeof(*n));
		memset(n->table_name, fills[k], sizeof(n->table_name) - 1);
		memset(n->chain_name, fills[k], sizeof(n->chain_name) - 1);
		memset(n->verdict_chain_name, fills[k], sizeof(n->verdict_chain_name) - 1);
		memset(n->verdict, fills[k], sizeof(n->verdict) - 1);
		n->has_verdict_chain = n->has_rule_handle = true;
		n->table_handle = n->chain_handle = n->rule_handle = INT64_MIN;
		n->policy = false;	/* "false" is the longer */
		assert_true((size_t)(rete_fields_write(buf, rete_section_nft.fields, n) - buf) <=
			    bound);
	}
	free(buf);
	free(n);
}

static void text_model(const char *json, bool multiline, const char *want)
{
	struct rete_strbuf out = RETE_STRBUF_INIT;
	struct rete_nft n;

	if (table_read(json, &n))
		fail_msg("reading %s: %s", json, err);
	assert_int_equal(rete_section_nft.text(&n, multiline, &out), 0);
	assert_string_equal(out.buf, want);
	rete_strbuf_free(&out);
}

static void test_text(void **state)
{
	(void)state;
	for (int ml = 0; ml < 2; ml++) {
		text_model(rule_drop, ml, "table filter (2) chain input (1) handle 4 drop");
		text_model(policy_accept, ml, "table firewalld (4) chain filter_INPUT (124) accept "
					      "(policy)");
		text_model(jump, ml, "table t (1) chain c (2) handle 7 jump chain other");
		text_model(negative, ml, "table t (-1) chain c (-9223372036854775808) handle "
					 "9223372036854775807 continue");
		text_model(escaped, ml, "table a\"b\\c\n\x01 (0) chain \xc3\xa9t\xc3\xa9 (0) "
					"handle -42 goto chain ");
	}
	text_model("{\"table_name\":\"t\",\"chain_name\":\"c\",\"verdict\":\"goto\","
		   "\"verdict_chain_name\":\"x\",\"table_handle\":1,\"chain_handle\":2,"
		   "\"policy\":true}",
		   true, "table t (1) chain c (2) goto (policy) chain x");
}

/* The kprobe's record (struct rete_sec_nft) into the section, then its text. */
static void decode_text(const struct rete_sec_nft *r, size_t len, const char *want)
{
	struct rete_strbuf out = RETE_STRBUF_INIT;
	struct rete_nft n;

	memset(&n, 0x5a, sizeof(n));
	assert_int_equal(rete_section_nft.decode(&n, RETE_SEC_T_MAIN, r, len, NULL), 0);
	assert_int_equal(rete_section_nft.text(&n, false, &out), 0);
	assert_string_equal(out.buf, want);
	rete_strbuf_free(&out);
}

static void test_decode_record(void **state)
{
	struct rete_sec_nft r;
	struct rete_nft n;

	(void)state;
	memset(&r, 0, sizeof(r));
	strcpy(r.table_name, "filter");
	strcpy(r.chain_name, "input");
	r.table_handle = 2;
	r.chain_handle = 1;
	r.rule_handle = 4;
	r.flags = RETE_NFT_F_RULE;
	r.verdict = 0;	/* NF_DROP */
	decode_text(&r, sizeof(r), "table filter (2) chain input (1) handle 4 drop");

	/* A policy has no rule handle, whatever the record's field holds. */
	r.flags = RETE_NFT_F_POLICY;
	r.verdict = 1;	/* NF_ACCEPT */
	decode_text(&r, sizeof(r), "table filter (2) chain input (1) accept (policy)");

	/* A jump names its target; a name filling its whole field is read to its end. */
	r.flags = RETE_NFT_F_RULE | RETE_NFT_F_VCHAIN;
	r.verdict = -3;	/* NFT_JUMP */
	memset(r.verdict_chain, 'x', sizeof(r.verdict_chain));
	memset(&n, 0, sizeof(n));
	assert_int_equal(rete_section_nft.decode(&n, RETE_SEC_T_MAIN, &r, sizeof(r), NULL), 0);
	assert_string_equal(n.verdict, "jump");
	assert_true(n.has_verdict_chain);
	assert_int_equal(strlen(n.verdict_chain_name), RETE_NFT_NAME);

	/* A base chain's final verdict (nft_do_chain): no rule, no target. */
	r.flags = RETE_NFT_F_CHAIN;
	r.verdict = 0;
	decode_text(&r, sizeof(r), "table filter (2) chain input (1) drop (chain verdict)");

	/* An unknown code, a short record, another record type. */
	r.flags = RETE_NFT_F_RULE;
	r.verdict = 77;
	decode_text(&r, sizeof(r), "table filter (2) chain input (1) handle 4 unknown");
	assert_int_equal(rete_section_nft.decode(&n, RETE_SEC_T_MAIN, &r, sizeof(r) - 1, NULL),
			 -EINVAL);
	assert_int_equal(rete_section_nft.decode(&n, RETE_SEC_T_MAIN + 1, &r, sizeof(r), NULL),
			 RETE_SEC_IGNORED);
}

static void test_verdict_names(void **state)
{
	static const struct {
		int32_t code;
		const char *name;
	} names[] = {
		{ -1, "continue" }, { -2, "break" },  { -3, "jump" },	  { -4, "goto" },
		{ -5, "return" },   { 0, "drop" },    { 1, "accept" },	  { 2, "stolen" },
		{ 3, "queue" },	    { 4, "repeat" },  { 5, "stop" },	  { 6, "unknown" },
		{ -6, "unknown" },  { 0x10003, "unknown" }, { INT32_MIN, "unknown" },
		{ INT32_MAX, "unknown" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(rete_nft_verdict_name(names[i].code), names[i].name);
}

#define ACCEPTED "all, continue, break, jump, goto, return, drop, accept, stolen, queue or repeat"

static void test_verdicts_parse(void **state)
{
	static const struct {
		const char *list;
		uint64_t mask;
	} good[] = {
		{ "drop,accept", 0x60 }, { "all", 0x3ff },	 { "return", 0x1 },
		{ "goto", 0x2 },	 { "jump", 0x4 },	 { "break", 0x8 },
		{ "continue", 0x10 },	 { "drop", 0x20 },	 { "accept", 0x40 },
		{ "stolen", 0x80 },	 { "queue", 0x100 },	 { "repeat", 0x200 },
		{ "drop,drop", 0x20 },	 { "accept,all", 0x3ff }, { "jump,goto,return", 0x7 },
	};
	static const struct {
		const char *list;
		const char *sentence;
	} bad[] = {
		{ "dorp", "unknown nft verdict 'dorp' (did you mean 'drop'?): expected " ACCEPTED },
		{ "drop,acept", "unknown nft verdict 'acept' (did you mean 'accept'?): expected "
				ACCEPTED },
		{ "xyzzy", "unknown nft verdict 'xyzzy': expected " ACCEPTED },
		{ "Drop", "unknown nft verdict 'Drop' (did you mean 'drop'?): expected " ACCEPTED },
		{ "drop accept", "unknown nft verdict 'drop accept': expected " ACCEPTED },
		{ "", "no nft verdict given: expected " ACCEPTED },
		{ "drop,", "empty nft verdict in 'drop,': expected " ACCEPTED },
		{ ",drop", "empty nft verdict in ',drop': expected " ACCEPTED },
		{ "drop,,accept", "empty nft verdict in 'drop,,accept': expected " ACCEPTED },
	};
	uint64_t mask;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		mask = 0;
		if (rete_nft_verdicts_parse(good[i].list, &mask, err, sizeof(err)))
			fail_msg("'%s': %s", good[i].list, err);
		assert_int_equal(mask, good[i].mask);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mask = 0xdead;
		assert_int_equal(rete_nft_verdicts_parse(bad[i].list, &mask, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, bad[i].sentence);
		assert_int_equal(mask, 0xdead);
	}
	/* "stop" is a verdict name, not a --nft-verdicts value (as Retis). */
	assert_int_equal(rete_nft_verdicts_parse("stop", &mask, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown nft verdict 'stop'"));
}

static void test_verdict_wanted(void **state)
{
	uint64_t all = 0;

	(void)state;
	assert_int_equal(rete_nft_verdicts_parse("all", &all, err, sizeof(err)), 0);
	assert_true(rete_nft_verdict_wanted(0x60, 0));
	assert_true(rete_nft_verdict_wanted(0x60, 1));
	assert_false(rete_nft_verdict_wanted(0x60, -1));
	assert_false(rete_nft_verdict_wanted(0x60, 2));
	for (int32_t c = -5; c <= 4; c++)
		assert_true(rete_nft_verdict_wanted(all, c));
	/* Codes --nft-verdicts cannot name are never wanted. */
	assert_false(rete_nft_verdict_wanted(all, 5));
	assert_false(rete_nft_verdict_wanted(UINT64_MAX, 5));
	assert_false(rete_nft_verdict_wanted(UINT64_MAX, -6));
	assert_false(rete_nft_verdict_wanted(UINT64_MAX, 59));
	assert_false(rete_nft_verdict_wanted(UINT64_MAX, INT32_MIN));
	assert_false(rete_nft_verdict_wanted(UINT64_MAX, INT32_MAX));
	assert_int_equal(RETE_NFT_VERDICT_BIT(-5), 1);
	assert_int_equal(RETE_NFT_VERDICT_BIT(4), 0x200);
}

static void test_table_schema(void **state)
{
	struct rete_strbuf out = RETE_STRBUF_INIT;
	const char *seen[16];
	size_t nseen = 0;
	bool first = true;

	(void)state;
	assert_int_equal(rete_fields_schema_defs(rete_section_nft.fields, &out, &first, seen,
						 &nseen, 16),
			 0);
	assert_string_equal(
		out.buf,
		"\"NftEvent\":{\"description\":\"Nft event section.\",\"type\":\"object\","
		"\"properties\":{"
		"\"table_name\":{\"description\":\"Name of the table.\",\"type\":\"string\"},"
		"\"chain_name\":{\"description\":\"Name of the chain.\",\"type\":\"string\"},"
		"\"verdict\":{\"description\":\"Verdict: drop, accept, continue, jump, goto, "
		"return, ...\",\"type\":\"string\"},"
		"\"verdict_chain_name\":{\"description\":\"Chain a jump or goto verdict continues "
		"in.\",\"type\":[\"string\",\"null\"]},"
		"\"table_handle\":{\"description\":\"Handle of the table.\",\"type\":\"integer\","
		"\"format\":\"int64\"},"
		"\"chain_handle\":{\"description\":\"Handle of the chain.\",\"type\":\"integer\","
		"\"format\":\"int64\"},"
		"\"rule_handle\":{\"description\":\"Handle of the rule; absent for a chain "
		"policy.\",\"type\":[\"integer\",\"null\"],\"format\":\"int64\"},"
		"\"policy\":{\"description\":\"Whether the verdict is the chain's policy.\","
		"\"type\":\"boolean\"},"
		"\"chain_verdict\":{\"description\":\"rete: the base chain's final verdict, which "
		"rule (or the policy) decided being unknown; absent otherwise.\","
		"\"type\":[\"boolean\",\"null\"]}},"
		"\"required\":[\"table_name\",\"chain_name\",\"verdict\",\"table_handle\","
		"\"chain_handle\",\"policy\"]}");
	/* Every field has its sentence. */
	for (size_t i = 0; i < rete_section_nft.fields->n; i++)
		assert_non_null(rete_section_nft.fields->f[i].doc);
	rete_strbuf_free(&out);
}

/* ---- through whole events (a registered collector describes nft) ---- */

static void event_round_trip(const char *line)
{
	struct rete_event ev = { 0 }, ev2 = { 0 };
	struct rete_strbuf out = RETE_STRBUF_INIT;
	size_t i = nft_index();

	if (rete_json_read_event(&ev, line, strlen(line), err, sizeof(err)))
		fail_msg("reading %s: %s", line, err);
	assert_non_null(rete_event_xsec_get(&ev, i));
	assert_null(rete_event_find_extra(&ev, "nft"));
	assert_int_equal(rete_json_write_event(&ev, &out), 0);
	assert_string_equal(out.buf, line);
	assert_int_equal(rete_json_read_event(&ev2, out.buf, out.len, err, sizeof(err)), 0);
	assert_memory_equal(rete_event_xsec_get(&ev, i), rete_event_xsec_get(&ev2, i),
			    sizeof(struct rete_nft));
	rete_strbuf_free(&out);
	rete_event_free(&ev);
	rete_event_free(&ev2);
}

/* An event around the nft section: nft sits between the dev and ct sections. */
static const char ev_head[] =
	"{\"common\":{\"timestamp\":1},\"dev\":{\"name\":\"eth0\",\"ifindex\":2},\"nft\":";
static const char ev_tail[] =
	",\"ct\":{\"state\":\"untracked\",\"zone_id\":0,\"zone_dir\":\"None\","
	"\"orig\":{\"ip\":{\"src\":\"\",\"dst\":\"\",\"version\":\"v4\"},"
	"\"proto\":{\"tcp\":{\"sport\":0,\"dport\":0}}},"
	"\"reply\":{\"ip\":{\"src\":\"\",\"dst\":\"\",\"version\":\"v4\"},"
	"\"proto\":{\"tcp\":{\"sport\":0,\"dport\":0}}},\"ct_status\":0}}";

static void test_event_round_trip(void **state)
{
	char *line;

	(void)state;
	nft_index();
	for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		assert_true(asprintf(&line, "%s%s%s", ev_head, shapes[k], ev_tail) > 0);
		event_round_trip(line);
		free(line);
	}
}

/* What does not fit the description is kept verbatim as an extra section. */
static void test_event_unfit(void **state)
{
	static const char *const lines[] = {
		"{\"nft\":{}}",
		"{\"nft\":{\"verdict\":\"drop\"}}",
		"{\"nft\":[1]}",
		"{\"nft\":{\"table_name\":\"t\",\"chain_name\":\"c\",\"verdict\":\"drop\","
		"\"table_handle\":1,\"chain_handle\":2,\"rule_handle\":\"4\",\"policy\":false}}",
		"{\"nft\":{\"table_name\":\"t\",\"chain_name\":\"c\",\"verdict\":\"drop\","
		"\"table_handle\":9223372036854775808,\"chain_handle\":2,\"policy\":false}}",
	};
	struct rete_strbuf out = RETE_STRBUF_INIT;
	size_t i = nft_index();

	(void)state;
	for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
		struct rete_event ev = { 0 };

		if (rete_json_read_event(&ev, lines[k], strlen(lines[k]), err, sizeof(err)))
			fail_msg("reading %s: %s", lines[k], err);
		assert_null(rete_event_xsec_get(&ev, i));
		assert_non_null(rete_event_find_extra(&ev, "nft"));
		rete_strbuf_reset(&out);
		assert_int_equal(rete_json_write_event(&ev, &out), 0);
		assert_string_equal(out.buf, lines[k]);
		rete_event_free(&ev);
	}
	rete_strbuf_free(&out);
}

static void text_of(const char *nft, bool single, const char *want)
{
	struct rete_text_opts opts = { .single_line = single };
	struct rete_strbuf out = RETE_STRBUF_INIT;
	struct rete_event ev = { 0 };
	char *line;

	assert_true(asprintf(&line, "{\"common\":{\"timestamp\":7},\"nft\":%s}", nft) > 0);
	assert_int_equal(rete_json_read_event(&ev, line, strlen(line), err, sizeof(err)), 0);
	assert_int_equal(rete_text_event(&ev, &opts, &out), 0);
	assert_string_equal(out.buf, want);
	rete_strbuf_free(&out);
	rete_event_free(&ev);
	free(line);
}

static void test_event_text(void **state)
{
	(void)state;
	nft_index();
	text_of(rule_drop, false, "7\n  table filter (2) chain input (1) handle 4 drop");
	text_of(rule_drop, true, "7 table filter (2) chain input (1) handle 4 drop");
	text_of(policy_accept, false, "7\n  table firewalld (4) chain filter_INPUT (124) accept "
				      "(policy)");
	text_of(jump, true, "7 table t (1) chain c (2) handle 7 jump chain other");
	/* Unfit: shown as it is. */
	text_of("{\"verdict\":\"drop\"}", false, "7\n  nft {\"verdict\":\"drop\"}");
}

static void test_event_schema(void **state)
{
	const char *s;

	(void)state;
	nft_index();
	s = rete_event_schema(NULL);
	assert_non_null(strstr(s, "\"nft\":{\"description\":\"Nft event section.\",\"anyOf\":"
				  "[{\"$ref\":\"#/$defs/NftEvent\"},{\"type\":\"null\"}]}"));
	assert_non_null(strstr(s, "\"NftEvent\":{\"description\":\"Nft event section.\""));
	assert_non_null(strstr(s, "\"rule_handle\":{\"description\":\"Handle of the rule; absent "
				  "for a chain policy.\",\"type\":[\"integer\",\"null\"],"
				  "\"format\":\"int64\"}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_round_trip),
		cmocka_unit_test(test_table_read_errors),
		cmocka_unit_test(test_table_name_length),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_decode_record),
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_verdicts_parse),
		cmocka_unit_test(test_verdict_wanted),
		cmocka_unit_test(test_table_schema),
		cmocka_unit_test(test_event_round_trip),
		cmocka_unit_test(test_event_unfit),
		cmocka_unit_test(test_event_text),
		cmocka_unit_test(test_event_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
