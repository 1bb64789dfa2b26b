/*
 * The nft section (Retis's `nft`): the event model of one nftables rule or
 * chain policy a packet met and its verdict, its description
 * (nft_section.c), and the verdict names and --nft-verdicts selection.
 */
#ifndef RETE_COLLECTORS_NFT_SECTION_H
#define RETE_COLLECTORS_NFT_SECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/section.h"

/* Table and chain names hold up to 255 bytes (the kernel's NFT_NAME_MAXLEN is 256). */
#define RETE_NFT_NAME_LEN 256

struct rete_nft {
	char table_name[RETE_NFT_NAME_LEN];
	char chain_name[RETE_NFT_NAME_LEN];
	char verdict[16];		/* rete_nft_verdict_name() */
	bool has_verdict_chain;
	char verdict_chain_name[RETE_NFT_NAME_LEN];	/* jump and goto */
	int64_t table_handle;
	int64_t chain_handle;
	bool has_rule_handle;		/* none for a chain policy */
	int64_t rule_handle;
	bool policy;
	/* rete's own: a base chain's final verdict, the rule unknown (kretprobe on nft_do_chain) */
	bool has_chain_verdict;
	bool chain_verdict;
};

extern const struct rete_section_desc rete_section_nft;

/*
 * Name of a kernel verdict code (NF_DROP..NF_STOP, NFT_CONTINUE..NFT_RETURN):
 * "drop", "jump", ...; "unknown" for any other code.
 */
const char *rete_nft_verdict_name(int32_t code);

/* Bit of verdict code c in a --nft-verdicts mask: 1 << (c + 5), return (-5) is bit 0. */
#define RETE_NFT_VERDICT_BIT(c) (1ULL << ((c) + 5))

/*
 * Parse a --nft-verdicts list ("drop,accept", "all", ...) into *mask. 0, or
 * -EINVAL with one sentence in err (an empty list or item, an unknown name).
 */
int rete_nft_verdicts_parse(const char *list, uint64_t *mask, char *err, size_t errlen);

/* Does mask select verdict code? */
bool rete_nft_verdict_wanted(uint64_t mask, int32_t code);

#endif
