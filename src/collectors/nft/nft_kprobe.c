/*
 * nft on kernels with kprobes: the prototype of __nft_trace_packet, read in
 * the kernel's or the nf_tables module's BTF, tells the BPF half which
 * argument holds what (the function's arguments changed in 6.4); the probe
 * is attached with the nft program by the kprobe backend (RETE_PROBE_F_NFT).
 * Without --allow-system-changes tracing stays off: a kretprobe on
 * nft_do_chain(pkt, priv) reports each base chain's final verdict.
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

/* nft_do_chain(const struct nft_pktinfo *pkt, void *priv): what rete_nft_chain_read reads. */
static int chain_layout(const struct btf *btf, int func, char *why, size_t whylen)
{
	const struct btf_type *proto = btf__type_by_id(btf, btf__type_by_id(btf, func)->type);

	if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) < 2 ||
	    strcmp(param_type(btf, btf_params(proto)[0].type), "nft_pktinfo")) {
		snprintf(why, whylen, "the prototype of %s is not (struct nft_pktinfo *, void *)",
			 RETE_NFT_CHAIN_FUNC);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* SKB_DROP_REASON_NETFILTER_DROP's value here, 0 when the kernel has none. */
static uint32_t netfilter_drop_reason(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, btf_enum(t)[i].name_off),
			    "SKB_DROP_REASON_NETFILTER_DROP"))
			return (uint32_t)btf_enum(t)[i].val;
	return 0;
}

/*
 * The chain way reports drops at skb:kfree_skb, where the packet is still
 * alive: a probe that emits only the packets a base chain dropped (unless
 * another collector or -p made it emit every drop).
 */
static int chain_drops(const struct rete_collector_env *env, struct rete_chain_cfg *c,
		       char *why, size_t whylen)
{
	int rc;

	if (btf__find_by_name_kind(env->btf, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF) < 0) {
		log_debug("nft: no skb:kfree_skb tracepoint: base chains' drops are not reported");
		return 0;
	}
	rc = rete_probe_add_internal(env->probes, env->btf, "skb:kfree_skb", 0);
	if (rc) {
		snprintf(why, whylen, "cannot add the probe tp:skb:kfree_skb: %s", strerror(-rc));
		return rc;
	}
	c->nft_drops = 1;
	c->nft_drop_reason = netfilter_drop_reason(env->btf);
	return 0;
}

int rete_nft_kprobe_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg,
			  char *why, size_t whylen)
{
	bool trace = env->opts->allow_system_changes;
	const char *name = trace ? RETE_NFT_KPROBE_FUNC : RETE_NFT_CHAIN_FUNC;
	struct rete_chain_cfg c = *cfg;
	const struct btf *btf = env->btf;
	struct btf *mod = NULL;
	int func, rc;

	rc = rete_kernel_probe_type_usable(RETE_PROBE_KPROBE, why, whylen);
	if (rc)
		return rc;
	func = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (func < 0) {
		mod = btf__parse_split(NFT_MODULE_BTF, (struct btf *)btf);
		if (!mod) {
			snprintf(why, whylen, "nf_tables is not loaded (no %s)", NFT_MODULE_BTF);
			return -ENOENT;
		}
		btf = mod;
		func = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	}
	if (func < 0) {
		snprintf(why, whylen, "nf_tables has no function %s in BTF", name);
		rc = -ENOENT;
		goto out;
	}
	rc = trace ? layout(btf, func, (uint8_t *)&c, why, whylen) :
		     chain_layout(btf, func, why, whylen);
	if (rc)
		goto out;
	if (!trace) {
		rc = chain_drops(env, &c, why, whylen);
		if (rc)
			goto out;
	}
	if (trace)
		rc = rete_probe_add_collector_kprobe(env->probes, name,
						     RETE_PROBE_F_EMIT | RETE_PROBE_F_NFT);
	else
		rc = rete_probe_add_collector_kretprobe(env->probes, name,
							RETE_PROBE_F_EMIT | RETE_PROBE_F_NFT);
	if (rc) {
		snprintf(why, whylen, "cannot add the probe %s:%s: %s",
			 trace ? "kprobe" : "kretprobe", name, strerror(-rc));
		goto out;
	}
	c.nft = 1;
	c.nft_verdicts = env->opts->nft_verdicts;
	*cfg = c;
	if (trace)
		log_debug("nft: kprobe:%s, arguments info %u pkt %u verdict %u rule %u chain %u "
			  "type %u (255: not an argument)", name, c.nft_arg_info, c.nft_arg_pkt,
			  c.nft_arg_verdict, c.nft_arg_rule, c.nft_arg_chain, c.nft_arg_type);
	else
		log_debug("nft: kretprobe:%s", name);
out:
	btf__free(mod);
	return rc;
}

enum rete_nft_way rete_nft_kprobe_chosen(const struct rete_collector_env *env)
{
	const struct rete_probe *p = rete_probe_set_find(env->probes, RETE_PROBE_KPROBE,
							 RETE_NFT_KPROBE_FUNC);

	if (p && (p->flags & RETE_PROBE_F_NFT))
		return RETE_NFT_WAY_TRACE;
	p = rete_probe_set_find(env->probes, RETE_PROBE_KRETPROBE, RETE_NFT_CHAIN_FUNC);
	if (p && (p->flags & RETE_PROBE_F_NFT))
		return RETE_NFT_WAY_CHAIN;
	return RETE_NFT_WAY_MESSAGES;
}
