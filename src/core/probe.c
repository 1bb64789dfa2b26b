#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "core/kernel.h"
#include "core/kfuncs.h"
#include "core/probe.h"
#include "core/tracefs.h"
#include "lib/suggest.h"
#include "uapi/rete_config.h"

static const struct {
	const char *name;
	enum rete_probe_type type;
} probe_types[] = {
	{ "raw_tracepoint", RETE_PROBE_RAW_TP },
	{ "tp", RETE_PROBE_RAW_TP },
	{ "kprobe", RETE_PROBE_KPROBE },
	{ "k", RETE_PROBE_KPROBE },
	{ "kretprobe", RETE_PROBE_KRETPROBE },
	{ "kr", RETE_PROBE_KRETPROBE },
	{ "fentry", RETE_PROBE_FENTRY },
	{ "fexit", RETE_PROBE_FEXIT },
};

static const char *const probe_type_names[RETE_PROBE_TYPE_MAX] = {
	[RETE_PROBE_RAW_TP] = "raw_tracepoint",
	[RETE_PROBE_KPROBE] = "kprobe",
	[RETE_PROBE_KRETPROBE] = "kretprobe",
	[RETE_PROBE_FENTRY] = "fentry",
	[RETE_PROBE_FEXIT] = "fexit",
};

const char *rete_probe_type_name(enum rete_probe_type type)
{
	return (unsigned)type < RETE_PROBE_TYPE_MAX ? probe_type_names[type] : "?";
}

int rete_probe_type_lookup(const char *s, size_t len, enum rete_probe_type *ret)
{
	for (size_t i = 0; i < sizeof(probe_types) / sizeof(probe_types[0]); i++) {
		if (strlen(probe_types[i].name) == len && !strncmp(s, probe_types[i].name, len)) {
			*ret = probe_types[i].type;
			return 0;
		}
	}
	return -ENOENT;
}

static int parse_options(const char *spec, char *opts, struct rete_probe_spec *ret, char *err,
			 size_t errlen)
{
	char *save = NULL, *o;

	for (o = strtok_r(opts, "/", &save); o; o = strtok_r(NULL, "/", &save)) {
		struct rete_suggest s;

		if (!strcmp(o, "stack")) {
			ret->stack = true;
			continue;
		}
		rete_suggest_init(&s, o);
		rete_suggest_offer(&s, "stack");
		snprintf(err, errlen, "unknown option '%s' in probe '%s'%s%s%s", o, spec,
			 s.best ? " (did you mean '" : " (the only option is 'stack')",
			 s.best ? s.best : "", s.best ? "'?)" : "");
		return -EINVAL;
	}
	return 0;
}

static bool valid_target_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '*' || c == '.' || c == '-';
}

/* `copy` is the writable copy of spec that target points into: positions are in spec. */
static int check_target(const char *spec, const char *copy, const char *target, char *err,
			size_t errlen)
{
	if (!*target) {
		snprintf(err, errlen, "probe '%s' has no target", spec);
		return -EINVAL;
	}
	for (const char *p = target; *p; p++) {
		if (!valid_target_char(*p)) {
			snprintf(err, errlen, "invalid character '%c' at position %zu of probe '%s'",
				 *p, (size_t)(p - copy) + 1, spec);
			return -EINVAL;
		}
	}
	return 0;
}

int rete_probe_parse(const char *s, struct rete_probe_spec *ret, char *err, size_t errlen)
{
	char buf[256], *slash, *colon, *target;
	struct rete_probe_spec spec;
	size_t ncolon = 0;
	int rc;

	memset(&spec, 0, sizeof(spec));
	if ((size_t)snprintf(buf, sizeof(buf), "%s", s) >= sizeof(buf)) {
		snprintf(err, errlen, "probe '%.40s...' is too long", s);
		return -EINVAL;
	}
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		rc = parse_options(s, slash + 1, &spec, err, errlen);
		if (rc)
			return rc;
	}
	for (char *p = buf; *p; p++)
		ncolon += *p == ':';

	colon = strchr(buf, ':');
	if (!colon) {
		/* No type: a kernel function, as in Retis. */
		spec.type = RETE_PROBE_KPROBE;
		target = buf;
	} else {
		size_t i;

		*colon = '\0';
		if (!rete_probe_type_lookup(buf, strlen(buf), &spec.type)) {
			target = colon + 1;
		} else if (ncolon == 1) {
			/* GROUP:EVENT with no type is a tracepoint. */
			*colon = ':';
			spec.type = RETE_PROBE_RAW_TP;
			target = buf;
		} else {
			struct rete_suggest sg;

			rete_suggest_init(&sg, buf);
			for (i = 0; i < sizeof(probe_types) / sizeof(probe_types[0]); i++)
				rete_suggest_offer(&sg, probe_types[i].name);
			snprintf(err, errlen, "unknown probe type '%s' in '%s'%s%s%s", buf, s,
				 sg.best ? " (did you mean '" : " (types: tp, kprobe, kretprobe, fentry, fexit)",
				 sg.best ? sg.best : "", sg.best ? "'?)" : "");
			return -EINVAL;
		}
	}

	if (spec.type == RETE_PROBE_RAW_TP) {
		char *sep = strchr(target, ':');

		if (!sep || strchr(sep + 1, ':') || sep == target || !sep[1]) {
			snprintf(err, errlen,
				 "tracepoint probe '%s' must be GROUP:EVENT (e.g. tp:skb:kfree_skb)", s);
			return -EINVAL;
		}
		*sep = '\0';
		rc = check_target(s, buf, target, err, errlen);
		if (!rc)
			rc = check_target(s, buf, sep + 1, err, errlen);
		*sep = ':';
		if (rc)
			return rc;
	} else {
		if (strchr(target, ':')) {
			snprintf(err, errlen, "kernel function probe '%s' has an extra ':'", s);
			return -EINVAL;
		}
		rc = check_target(s, buf, target, err, errlen);
		if (rc)
			return rc;
	}
	if (strlen(target) >= sizeof(spec.target)) {
		snprintf(err, errlen, "probe target of '%.40s...' is too long", s);
		return -EINVAL;
	}
	memcpy(spec.target, target, strlen(target) + 1);
	spec.wildcard = strchr(spec.target, '*') != NULL;
	*ret = spec;
	return 0;
}

void rete_probe_set_free(struct rete_probe_set *set)
{
	free(set->probes);
	set->probes = NULL;
	set->n = set->cap = 0;
}

struct rete_probe *rete_probe_set_find(struct rete_probe_set *set, enum rete_probe_type type,
				       const char *symbol)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->probes[i].type == type && !strcmp(set->probes[i].symbol, symbol))
			return &set->probes[i];
	return NULL;
}

static int set_add(struct rete_probe_set *set, enum rete_probe_type type, const char *symbol,
		   const struct rete_probe_args *args, uint8_t flags, bool optional)
{
	struct rete_probe *p = rete_probe_set_find(set, type, symbol);

	if (p) {
		p->flags |= flags;
		p->optional = p->optional && optional;
		return 0;
	}
	if (set->n >= RETE_PROBES_MAX)
		return -E2BIG;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct rete_probe *np = realloc(set->probes, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		set->probes = np;
		set->cap = cap;
	}
	p = &set->probes[set->n++];
	memset(p, 0, sizeof(*p));
	p->type = type;
	snprintf(p->symbol, sizeof(p->symbol), "%s", symbol);
	p->args = *args;
	p->flags = flags;
	p->optional = optional;
	return 0;
}

/* Closest btf_trace_* tracepoint name, for "did you mean". */
static void suggest_tracepoint(const struct btf *btf, const char *event, char *out, size_t len)
{
	struct rete_suggest s;
	uint32_t n = btf__type_cnt(btf);

	out[0] = '\0';
	rete_suggest_init(&s, event);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;

		if (!btf_is_typedef(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (strncmp(name, "btf_trace_", 10))
			continue;
		rete_suggest_offer(&s, name + 10);
	}
	if (s.best)
		snprintf(out, len, "%s", s.best);
}

static int resolve_tp(const char *symbol, const struct btf *btf, uint8_t flags,
		      struct rete_probe_set *set, bool quiet_unknown, size_t *added, char *err,
		      size_t errlen)
{
	const char *event = strchr(symbol, ':') + 1;
	struct rete_probe_args args;
	int rc;

	rc = rete_btf_tp_args(btf, event, &args);
	if (rc == -ENOENT) {
		char sug[128];

		if (quiet_unknown)
			return 0;
		suggest_tracepoint(btf, event, sug, sizeof(sug));
		snprintf(err, errlen, "tracepoint '%s' does not exist on this kernel%s%.*s%s%s",
			 symbol, sug[0] ? " (did you mean 'tp:" : "",
			 sug[0] ? (int)(event - symbol) : 0, symbol, sug, sug[0] ? "'?)" : "");
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "cannot read the arguments of tracepoint '%s' from BTF: %s",
			 symbol, strerror(-rc));
		return rc;
	}
	if (!rete_probe_args_known(&args)) {
		if (quiet_unknown)
			return 0;
		snprintf(err, errlen,
			 "tracepoint '%s' has no argument rete understands (struct sk_buff *, "
			 "enum skb_drop_reason, struct net_device *, struct net *)",
			 symbol);
		return -EINVAL;
	}
	if (args.pos[RETE_ARG_SKB] < 0) {
		if (quiet_unknown)
			return 0;
		snprintf(err, errlen,
			 "tracepoint '%s' has no struct sk_buff * argument; only skb tracepoints "
			 "can be probed for now",
			 symbol);
		return -EINVAL;
	}
	rc = set_add(set, RETE_PROBE_RAW_TP, symbol, &args, flags, false);
	if (rc == -E2BIG) {
		snprintf(err, errlen, "too many probes (at most %d)", RETE_PROBES_MAX);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	(*added)++;
	return 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool tracefs_has(const struct rete_tracefs *tfs, const char *name)
{
	return bsearch(&name, tfs->events, tfs->nevents, sizeof(char *), cmp_strp) != NULL;
}

/* An event of the same name in another group. */
static const char *tracefs_same_event(const struct rete_tracefs *tfs, const char *event)
{
	for (size_t i = 0; i < tfs->nevents; i++) {
		const char *e = strchr(tfs->events[i], ':');

		if (e && !strcmp(e + 1, event))
			return tfs->events[i];
	}
	return NULL;
}

/* Kernel functions (kprobes and kretprobes). */

enum kfunc_verdict {
	KFUNC_OK,
	KFUNC_NO_ARG,		/* no argument any collector understands */
	KFUNC_NO_SKB,		/* no struct sk_buff * */
	KFUNC_UNTRACEABLE,	/* not in the traceable list */
	KFUNC_BLACKLISTED,
	KFUNC_UNREACHABLE,	/* the sk_buff * is not in an argument register */
};

/*
 * Can function `name` (BTF FUNC func_id) be probed? Fills *ret_args (with
 * arguments out of register reach dropped) and *ret_reach (how many leading
 * arguments are in registers) when it can, or when only its skb is out of
 * reach.
 */
static enum kfunc_verdict check_kfunc(const struct btf *btf, const struct rete_kfuncs *kf,
				      enum rete_probe_type type, const char *name,
				      uint32_t func_id, struct rete_probe_args *ret_args,
				      int *ret_reach)
{
	const struct btf_type *t = btf__type_by_id(btf, func_id);
	struct rete_probe_args args;
	int reach;

	if (!t || rete_btf_proto_args(btf, t->type, 0, &args))
		return KFUNC_NO_ARG;
	if (!rete_probe_args_known(&args))
		return KFUNC_NO_ARG;
	if (args.pos[RETE_ARG_SKB] < 0)
		return KFUNC_NO_SKB;
	if (!rete_kfuncs_traceable(kf, name))
		return KFUNC_UNTRACEABLE;
	/* The kprobe blacklist does not bind trampolines (fentry/fexit). */
	if ((type == RETE_PROBE_KPROBE || type == RETE_PROBE_KRETPROBE) &&
	    rete_kfuncs_blacklisted(kf, name))
		return KFUNC_BLACKLISTED;
	reach = rete_btf_proto_reg_params(btf, t->type);
	if (reach > RETE_KPROBE_ARGS)
		reach = RETE_KPROBE_ARGS;
	*ret_reach = reach;
	if (args.pos[RETE_ARG_SKB] >= reach) {
		*ret_args = args;
		return KFUNC_UNREACHABLE;
	}
	/* Other arguments out of reach are left out; the skb is what matters. */
	for (int k = 0; k < RETE_ARG_KIND_MAX; k++)
		if (args.pos[k] >= reach)
			args.pos[k] = -1;
	*ret_args = args;
	return KFUNC_OK;
}

static int add_kfunc(const struct rete_probe_spec *spec, const char *name,
		     const struct rete_probe_args *args, uint8_t flags, bool optional,
		     struct rete_probe_set *set, size_t *added, char *err, size_t errlen)
{
	int rc;

	if (rete_probe_type_is_return(spec->type))
		flags |= RETE_PROBE_F_RETURN;
	rc = set_add(set, spec->type, name, args, flags, optional);
	if (rc == -E2BIG)
		snprintf(err, errlen, "too many probes (at most %d)", RETE_PROBES_MAX);
	else if (rc)
		snprintf(err, errlen, "out of memory");
	else
		(*added)++;
	return rc;
}

/* Closest BTF function name, for "did you mean". */
static void suggest_kfunc(const struct btf *btf, const char *name, char *out, size_t len)
{
	struct rete_suggest s;
	uint32_t n = btf__type_cnt(btf);

	out[0] = '\0';
	rete_suggest_init(&s, name);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_func(t))
			rete_suggest_offer(&s, btf__name_by_offset(btf, t->name_off));
	}
	if (s.best)
		snprintf(out, len, "%s", s.best);
}

static int resolve_one_kfunc(const struct rete_probe_spec *spec, const struct btf *btf,
			     const struct rete_kfuncs *kf, uint8_t flags,
			     struct rete_probe_set *set, size_t *added, char *err, size_t errlen)
{
	const char *name = spec->target, *type = rete_probe_type_name(spec->type);
	struct rete_probe_args args;
	int id, reach = 0;
	char sug[128];

	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id < 0) {
		if (rete_kfuncs_traceable(kf, name)) {
			snprintf(err, errlen,
				 "cannot use %s probe '%s': the function has no prototype in the "
				 "kernel's BTF, so rete cannot find its struct sk_buff * argument",
				 type, name);
			return -ENOENT;
		}
		suggest_kfunc(btf, name, sug, sizeof(sug));
		snprintf(err, errlen, "kernel function '%s' does not exist on this kernel%s%s%s",
			 name, sug[0] ? " (did you mean '" : "", sug, sug[0] ? "'?)" : "");
		return -ENOENT;
	}
	switch (check_kfunc(btf, kf, spec->type, name, (uint32_t)id, &args, &reach)) {
	case KFUNC_OK:
		return add_kfunc(spec, name, &args, flags, false, set, added, err, errlen);
	case KFUNC_NO_ARG:
		snprintf(err, errlen,
			 "kernel function '%s' has no argument rete understands (struct sk_buff *, "
			 "enum skb_drop_reason, struct net_device *, struct net *)",
			 name);
		return -EINVAL;
	case KFUNC_NO_SKB:
		snprintf(err, errlen,
			 "kernel function '%s' has no struct sk_buff * argument; only skb "
			 "functions can be probed for now",
			 name);
		return -EINVAL;
	case KFUNC_UNTRACEABLE:
		snprintf(err, errlen,
			 "cannot use %s probe '%s': the function is not in %s (it is notrace, "
			 "inlined everywhere, or renamed by the compiler)",
			 type, name, rete_kfuncs_source_name(kf));
		return -ENOENT;
	case KFUNC_BLACKLISTED:
		snprintf(err, errlen,
			 "cannot use %s probe '%s': the function is on the kernel's kprobe "
			 "blacklist",
			 type, name);
		return -EPERM;
	case KFUNC_UNREACHABLE:
		break;
	}
	snprintf(err, errlen,
		 "cannot use %s probe '%s': its struct sk_buff * is argument %d, and rete "
		 "reads only %s",
		 type, name, args.pos[RETE_ARG_SKB] + 1,
		 reach < RETE_KPROBE_ARGS ? "the arguments before the first one passed by value "
					    "as a struct" :
					    "the first 6 (those passed in registers)");
	return -EOPNOTSUPP;
}

static int resolve_kfunc_wildcard(const struct rete_probe_spec *spec, const struct btf *btf,
				  const struct rete_kfuncs *kf, uint8_t flags,
				  struct rete_probe_set *set, size_t *added, char *err,
				  size_t errlen)
{
	struct rete_probe_skips skipped = { 0 };
	uint32_t n = btf__type_cnt(btf);
	int rc;

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		struct rete_probe_args args;
		const char *name;
		int reach;

		if (!btf_is_func(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (fnmatch(spec->target, name, 0))
			continue;
		switch (check_kfunc(btf, kf, spec->type, name, id, &args, &reach)) {
		case KFUNC_OK:
			rc = add_kfunc(spec, name, &args, flags, true, set, added, err, errlen);
			if (rc)
				return rc;
			break;
		case KFUNC_NO_ARG:
		case KFUNC_NO_SKB:
			skipped.no_skb++;
			break;
		case KFUNC_UNTRACEABLE:
			skipped.untraceable++;
			break;
		case KFUNC_BLACKLISTED:
			skipped.blacklisted++;
			break;
		case KFUNC_UNREACHABLE:
			skipped.unreachable++;
			break;
		}
	}
	set->skipped.no_skb += skipped.no_skb;
	set->skipped.untraceable += skipped.untraceable;
	set->skipped.blacklisted += skipped.blacklisted;
	set->skipped.unreachable += skipped.unreachable;
	if (!*added) {
		snprintf(err, errlen,
			 "no traceable kernel function with a struct sk_buff * argument matches "
			 "'%s'",
			 spec->target);
		return -ENOENT;
	}
	return 0;
}

int rete_probe_resolve_kfunc(const struct rete_probe_spec *spec, const struct btf *btf,
			     const struct rete_kfuncs *kf, uint8_t flags,
			     struct rete_probe_set *set, size_t *ret_added, char *err,
			     size_t errlen)
{
	size_t added = 0;
	int rc;

	if (spec->stack)
		flags |= RETE_PROBE_F_STACK;
	if (spec->wildcard)
		rc = resolve_kfunc_wildcard(spec, btf, kf, flags, set, &added, err, errlen);
	else
		rc = resolve_one_kfunc(spec, btf, kf, flags, set, &added, err, errlen);
	if (!rc)
		*ret_added = added;
	return rc;
}

static int resolve_kprobe(const struct rete_probe_spec *spec, const struct btf *btf,
			  struct rete_tracefs *tfs, uint8_t flags, struct rete_probe_set *set,
			  size_t *ret_added, char *err, size_t errlen)
{
	struct rete_kfuncs *own = NULL;
	const struct rete_kfuncs *kf;
	int rc;

	if (spec->type == RETE_PROBE_FENTRY || spec->type == RETE_PROBE_FEXIT) {
		char why[200];

		rc = rete_kernel_feature(RETE_FEAT_FENTRY, btf, why, sizeof(why));
		if (rc) {
			snprintf(err, errlen,
				 "cannot use %s probe '%s': %s; use kprobes or tracepoints "
				 "(tp:GROUP:EVENT) instead",
				 rete_probe_type_name(spec->type), spec->target, why);
			return rc;
		}
	} else if (access("/sys/bus/event_source/devices/kprobe", F_OK)) {
		/* The perf kprobe PMU exists exactly when the kernel can create kprobes. */
		snprintf(err, errlen,
			 "cannot use %s probe '%s': this kernel has no kprobes (built without "
			 "CONFIG_KPROBES); use tracepoints (tp:GROUP:EVENT) instead",
			 rete_probe_type_name(spec->type), spec->target);
		return -EOPNOTSUPP;
	}
	rc = tfs ? rete_tracefs_load_kfuncs(tfs) : rete_kfuncs_load(NULL, &own);
	if (rc) {
		snprintf(err, errlen,
			 "cannot use %s probe '%s': cannot read the list of traceable kernel "
			 "functions (tracefs available_filter_functions, or /proc/kallsyms): %s",
			 rete_probe_type_name(spec->type), spec->target, strerror(-rc));
		return rc;
	}
	kf = tfs ? tfs->kfuncs : own;
	rc = rete_probe_resolve_kfunc(spec, btf, kf, flags, set, ret_added, err, errlen);
	rete_kfuncs_free(own);
	return rc;
}

int rete_probe_resolve(const struct rete_probe_spec *spec, const struct btf *btf,
		       struct rete_tracefs *tfs, uint8_t flags, struct rete_probe_set *set,
		       size_t *ret_added, char *err, size_t errlen)
{
	size_t added = 0;
	int rc;

	if (spec->stack)
		flags |= RETE_PROBE_F_STACK;
	if (spec->type != RETE_PROBE_RAW_TP)
		return resolve_kprobe(spec, btf, tfs, flags, set, ret_added, err, errlen);
	if (!spec->wildcard) {
		/* The group is checked when tracefs is there; the event name always in BTF. */
		if (tfs && tfs->events && !tracefs_has(tfs, spec->target)) {
			const char *other = tracefs_same_event(tfs, strchr(spec->target, ':') + 1);

			if (other) {
				snprintf(err, errlen,
					 "tracepoint '%s' does not exist on this kernel (did you mean "
					 "'tp:%s'?)",
					 spec->target, other);
				return -ENOENT;
			}
		}
		rc = resolve_tp(spec->target, btf, flags, set, false, &added, err, errlen);
		if (!rc)
			*ret_added = added;
		return rc;
	}
	if (!tfs || !tfs->events) {
		snprintf(err, errlen,
			 "wildcard probe '%s' needs the tracepoint list from tracefs, which is not "
			 "mounted; mount it (mount -t tracefs nodev /sys/kernel/tracing) or pass "
			 "--allow-system-changes",
			 spec->target);
		return -ENOENT;
	}
	for (size_t i = 0; i < tfs->nevents; i++) {
		if (fnmatch(spec->target, tfs->events[i], 0))
			continue;
		rc = resolve_tp(tfs->events[i], btf, flags, set, true, &added, err, errlen);
		if (rc)
			return rc;
	}
	if (!added) {
		snprintf(err, errlen, "no tracepoint with an sk_buff argument matches '%s'",
			 spec->target);
		return -ENOENT;
	}
	*ret_added = added;
	return 0;
}

int rete_probe_add_internal(struct rete_probe_set *set, const struct btf *btf,
			    const char *symbol, uint8_t flags)
{
	struct rete_probe_args args;
	int rc = rete_btf_tp_args(btf, strchr(symbol, ':') + 1, &args);

	if (rc)
		return rc;
	if (args.pos[RETE_ARG_SKB] < 0)
		return -EINVAL;
	return set_add(set, RETE_PROBE_RAW_TP, symbol, &args, flags, false);
}

static int add_collector_kfunc(struct rete_probe_set *set, enum rete_probe_type type,
			       const char *symbol, uint8_t flags)
{
	struct rete_probe_args args = { .nargs = 0 };

	memset(args.pos, -1, sizeof(args.pos));
	return set_add(set, type, symbol, &args, flags, false);
}

int rete_probe_add_collector_kprobe(struct rete_probe_set *set, const char *symbol,
				    uint8_t flags)
{
	return add_collector_kfunc(set, RETE_PROBE_KPROBE, symbol, flags);
}

int rete_probe_add_collector_kretprobe(struct rete_probe_set *set, const char *symbol,
				       uint8_t flags)
{
	return add_collector_kfunc(set, RETE_PROBE_KRETPROBE, symbol, flags);
}
