/*
 * nft on kernels with kprobes: the prototype of __nft_trace_packet, read in
 * the kernel's or the nf_tables module's BTF, tells the BPF half which
 * argument holds what (the function's arguments changed in 6.4); the probe
 * is attached with the nft program by the kprobe backend (RETE_PROBE_F_NFT).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "collectors/nft/nft_kprobe.h"
#include "core/kernel.h"
#include "core/probe.h"
#include "lib/log.h"

#define NFT_MODULE_BTF "/sys/kernel/btf/nf_tables"
/* Arguments a kprobe finds in registers (x86_64). */
#define NFT_REG_ARGS 6

/* The argument slots, by the struct (or enum) each parameter points to (or is). */
static const struct {
	const char *type;
	size_t off;
} slots[] = {
	{ "nft_traceinfo", offsetof(struct rete_chain_cfg, nft_arg_info) },
	{ "nft_pktinfo", offsetof(struct rete_chain_cfg, nft_arg_pkt) },
	{ "nft_verdict", offsetof(struct rete_chain_cfg, nft_arg_verdict) },
	{ "nft_rule_dp", offsetof(struct rete_chain_cfg, nft_arg_rule) },
	{ "nft_chain", offsetof(struct rete_chain_cfg, nft_arg_chain) },
	{ "nft_trace_types", offsetof(struct rete_chain_cfg, nft_arg_type) },
};

/* Name of the struct a parameter points to, or of its enum; "" otherwise. */
static const char *param_type(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));

	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, btf__resolve_type(btf, t->type));
	if (!t || !(btf_is_struct(t) || btf_is_enum(t)))
		return "";
	return btf__name_by_offset(btf, t->name_off);
}

static int layout(const struct btf *btf, int func, uint8_t *cfg_bytes, char *why, size_t whylen)
{
	const struct btf_type *proto = btf__type_by_id(btf, btf__type_by_id(btf, func)->type);
	const struct btf_param *p;

	if (!proto || !btf_is_func_proto(proto)) {
		snprintf(why, whylen, "%s has no prototype in BTF", RETE_NFT_KPROBE_FUNC);
		return -ENOENT;
	}
	for (size_t s = 0; s < sizeof(slots) / sizeof(slots[0]); s++)
		cfg_bytes[slots[s].off] = RETE_ARG_NONE;
	p = btf_params(proto);
	for (int i = 0; i < btf_vlen(proto) && i < NFT_REG_ARGS; i++) {
		const char *name = param_type(btf, p[i].type);

		for (size_t s = 0; s < sizeof(slots) / sizeof(slots[0]); s++)
			if (!strcmp(name, slots[s].type))
				cfg_bytes[slots[s].off] = (uint8_t)i;
	}
	if (cfg_bytes[offsetof(struct rete_chain_cfg, nft_arg_info)] == RETE_ARG_NONE ||
	    cfg_bytes[offsetof(struct rete_chain_cfg, nft_arg_type)] == RETE_ARG_NONE) {
		snprintf(why, whylen, "the prototype of %s has no traceinfo or trace type argument "
			 "rete knows", RETE_NFT_KPROBE_FUNC);
		return -EOPNOTSUPP;
	}
	return 0;
}

int rete_nft_kprobe_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg,
			  char *why, size_t whylen)
{
	struct rete_chain_cfg c = *cfg;
	const struct btf *btf = env->btf;
	struct btf *mod = NULL;
	int func, rc;

	rc = rete_kernel_probe_type_usable(RETE_PROBE_KPROBE, why, whylen);
	if (rc)
		return rc;
	func = btf__find_by_name_kind(btf, RETE_NFT_KPROBE_FUNC, BTF_KIND_FUNC);
	if (func < 0) {
		mod = btf__parse_split(NFT_MODULE_BTF, (struct btf *)btf);
		if (!mod) {
			snprintf(why, whylen, "nf_tables is not loaded (no %s)", NFT_MODULE_BTF);
			return -ENOENT;
		}
		btf = mod;
		func = btf__find_by_name_kind(btf, RETE_NFT_KPROBE_FUNC, BTF_KIND_FUNC);
	}
	if (func < 0) {
		snprintf(why, whylen, "nf_tables has no function %s in BTF", RETE_NFT_KPROBE_FUNC);
		rc = -ENOENT;
		goto out;
	}
	rc = layout(btf, func, (uint8_t *)&c, why, whylen);
	if (rc)
		goto out;
	rc = rete_probe_add_collector_kprobe(env->probes, RETE_NFT_KPROBE_FUNC,
					     RETE_PROBE_F_EMIT | RETE_PROBE_F_NFT);
	if (rc) {
		snprintf(why, whylen, "cannot add the probe kprobe:%s: %s", RETE_NFT_KPROBE_FUNC,
			 strerror(-rc));
		goto out;
	}
	c.nft = 1;
	c.nft_verdicts = env->opts->nft_verdicts;
	*cfg = c;
	log_debug("nft: kprobe:%s, arguments info %u pkt %u verdict %u rule %u chain %u type %u "
		  "(255: not an argument)", RETE_NFT_KPROBE_FUNC, c.nft_arg_info, c.nft_arg_pkt,
		  c.nft_arg_verdict, c.nft_arg_rule, c.nft_arg_chain, c.nft_arg_type);
out:
	btf__free(mod);
	return rc;
}

bool rete_nft_kprobe_chosen(const struct rete_collector_env *env)
{
	const struct rete_probe *p = rete_probe_set_find(env->probes, RETE_PROBE_KPROBE,
							 RETE_NFT_KPROBE_FUNC);

	return p && (p->flags & RETE_PROBE_F_NFT);
}
