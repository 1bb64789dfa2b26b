/*
 * The nft section: its JSON shape (Retis's NftEvent), its text, and the
 * verdict names with the --nft-verdicts selection. It is decoded from the
 * kprobe's record (struct rete_sec_nft), filled by the collector from
 * nftables' trace messages, or read from files.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "collectors/nft/nft_section.h"
#include "lib/suggest.h"
#include "uapi/rete_event.h"
#include "uapi/rete_sections.h"

#define OFF(member) ((uint32_t)offsetof(struct rete_nft, member))

/* ---- description ---- */

static const struct rete_field nft_f[] = {
	{ .name = "table_name", .type = RETE_FT_STR, .size = RETE_NFT_NAME_LEN,
	  .off = OFF(table_name), .doc = "Name of the table." },
	{ .name = "chain_name", .type = RETE_FT_STR, .size = RETE_NFT_NAME_LEN,
	  .off = OFF(chain_name), .doc = "Name of the chain." },
	{ .name = "verdict", .type = RETE_FT_STR, .size = 16, .off = OFF(verdict),
	  .doc = "Verdict: drop, accept, continue, jump, goto, return, ..." },
	{ .name = "verdict_chain_name", .type = RETE_FT_STR, .flags = RETE_FF_OPT,
	  .size = RETE_NFT_NAME_LEN, .off = OFF(verdict_chain_name),
	  .has_off = OFF(has_verdict_chain),
	  .doc = "Chain a jump or goto verdict continues in." },
	{ .name = "table_handle", .type = RETE_FT_S64, .off = OFF(table_handle),
	  .doc = "Handle of the table." },
	{ .name = "chain_handle", .type = RETE_FT_S64, .off = OFF(chain_handle),
	  .doc = "Handle of the chain." },
	{ .name = "rule_handle", .type = RETE_FT_S64, .flags = RETE_FF_OPT, .off = OFF(rule_handle),
	  .has_off = OFF(has_rule_handle),
	  .doc = "Handle of the rule; absent for a chain policy." },
	{ .name = "policy", .type = RETE_FT_BOOL, .off = OFF(policy),
	  .doc = "Whether the verdict is the chain's policy." },
	{ .name = "chain_verdict", .type = RETE_FT_BOOL, .flags = RETE_FF_OPT,
	  .off = OFF(chain_verdict), .has_off = OFF(has_chain_verdict),
	  .doc = "rete: the base chain's final verdict, which rule (or the policy) decided being "
		 "unknown; absent otherwise." },
};
static const struct rete_fields nft_t = RETE_FIELDS("NftEvent", "Nft event section.", nft_f);

/* ---- the kprobe's record ---- */

/* A kernel name: at most n bytes, not NUL-terminated when cut. */
static void copy_name(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static int nft_decode(void *sec, uint8_t type, const void *raw, size_t len,
		      struct rete_decoder *d)
{
	struct rete_nft *n = sec;
	struct rete_sec_nft r;

	(void)d;
	if (type != RETE_SEC_T_MAIN)
		return RETE_SEC_IGNORED;
	if (len < sizeof(r))
		return -EINVAL;
	memcpy(&r, raw, sizeof(r));
	memset(n, 0, sizeof(*n));
	copy_name(n->table_name, r.table_name, sizeof(r.table_name));
	copy_name(n->chain_name, r.chain_name, sizeof(r.chain_name));
	snprintf(n->verdict, sizeof(n->verdict), "%s", rete_nft_verdict_name(r.verdict));
	n->table_handle = r.table_handle;
	n->chain_handle = r.chain_handle;
	n->has_rule_handle = r.flags & RETE_NFT_F_RULE;
	n->rule_handle = n->has_rule_handle ? r.rule_handle : 0;
	n->policy = r.flags & RETE_NFT_F_POLICY;
	n->has_verdict_chain = r.flags & RETE_NFT_F_VCHAIN;
	n->chain_verdict = r.flags & RETE_NFT_F_CHAIN;
	n->has_chain_verdict = n->chain_verdict;
	if (n->has_verdict_chain)
		copy_name(n->verdict_chain_name, r.verdict_chain, sizeof(r.verdict_chain));
	return 0;
}

/* ---- text ---- */

static int nft_text(const void *sec, bool multiline, struct rete_strbuf *out)
{
	const struct rete_nft *n = sec;

	(void)multiline;	/* one line either way */
	rete_strbuf_addf(out, "table %s (%" PRId64 ") chain %s (%" PRId64 ")", n->table_name,
			 n->table_handle, n->chain_name, n->chain_handle);
	if (n->has_rule_handle)
		rete_strbuf_addf(out, " handle %" PRId64, n->rule_handle);
	rete_strbuf_addc(out, ' ');
	rete_strbuf_adds(out, n->verdict);
	if (n->policy)
		rete_strbuf_adds(out, " (policy)");
	if (n->has_chain_verdict && n->chain_verdict)
		rete_strbuf_adds(out, " (chain verdict)");
	if (n->has_verdict_chain) {
		rete_strbuf_adds(out, " chain ");
		rete_strbuf_adds(out, n->verdict_chain_name);
	}
	return out->err;
}

const struct rete_section_desc rete_section_nft = {
	.name = "nft",
	.doc = "Nft event section.",
	.size = sizeof(struct rete_nft),
	.fields = &nft_t,
	.owner = RETE_OWNER_NFT,
	/* One rete cannot read is kept as it is, as the other Retis sections. */
	.keep_unfit = true,
	.decode = nft_decode,
	.text = nft_text,
};

/* ---- verdicts ---- */

/* Kernel verdict codes: NF_* (include/uapi/linux/netfilter.h), NFT_* (nf_tables.h). */
static const struct {
	const char *name;
	int32_t code;
} verdicts[] = {
	{ "continue", -1 }, { "break", -2 }, { "jump", -3 },  { "goto", -4 },
	{ "return", -5 },   { "drop", 0 },   { "accept", 1 }, { "stolen", 2 },
	{ "queue", 3 },	    { "repeat", 4 }, { "stop", 5 },
};

#define NVERDICTS (sizeof(verdicts) / sizeof(verdicts[0]))
/* --nft-verdicts takes every name but "stop" (deprecated in the kernel), and "all". */
#define ACCEPTED "all, continue, break, jump, goto, return, drop, accept, stolen, queue or repeat"
#define CODE_MIN (-5)
#define CODE_MAX 4
#define ALL_MASK (RETE_NFT_VERDICT_BIT(CODE_MAX + 1) - 1)

const char *rete_nft_verdict_name(int32_t code)
{
	for (size_t i = 0; i < NVERDICTS; i++)
		if (verdicts[i].code == code)
			return verdicts[i].name;
	return "unknown";
}

bool rete_nft_verdict_wanted(uint64_t mask, int32_t code)
{
	return code >= CODE_MIN && code <= CODE_MAX && (mask & RETE_NFT_VERDICT_BIT(code));
}

/* Bits of the one name at s (len bytes), or 0 when --nft-verdicts does not take it. */
static uint64_t name_bits(const char *s, size_t len)
{
	if (len == 3 && !strncmp(s, "all", 3))
		return ALL_MASK;
	for (size_t i = 0; i < NVERDICTS; i++)
		if (verdicts[i].code <= CODE_MAX && strlen(verdicts[i].name) == len &&
		    !strncmp(s, verdicts[i].name, len))
			return RETE_NFT_VERDICT_BIT(verdicts[i].code);
	return 0;
}

int rete_nft_verdicts_parse(const char *list, uint64_t *mask, char *err, size_t errlen)
{
	const char *p = list;
	uint64_t m = 0, bits;

	if (!*p) {
		snprintf(err, errlen, "no nft verdict given: expected %s", ACCEPTED);
		return -EINVAL;
	}
	for (;;) {
		size_t len = strcspn(p, ",");

		if (!len) {
			snprintf(err, errlen, "empty nft verdict in '%.60s': expected %s", list,
				 ACCEPTED);
			return -EINVAL;
		}
		bits = name_bits(p, len);
		if (!bits) {
			struct rete_suggest sg;
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)(len < 60 ? len : 60), p);
			rete_suggest_init(&sg, name);
			rete_suggest_offer(&sg, "all");
			for (size_t i = 0; i < NVERDICTS; i++)
				if (verdicts[i].code <= CODE_MAX)
					rete_suggest_offer(&sg, verdicts[i].name);
			snprintf(err, errlen, "unknown nft verdict '%s'%s%s%s: expected %s", name,
				 sg.best ? " (did you mean '" : "", sg.best ? sg.best : "",
				 sg.best ? "'?)" : "", ACCEPTED);
			return -EINVAL;
		}
		m |= bits;
		p += len;
		if (!*p)
			break;
		p++;	/* the comma: an item must follow */
	}
	*mask = m;
	return 0;
}
