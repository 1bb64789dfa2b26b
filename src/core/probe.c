#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

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
};

static const char *const probe_type_names[RETE_PROBE_TYPE_MAX] = {
	[RETE_PROBE_RAW_TP] = "raw_tracepoint",
	[RETE_PROBE_KPROBE] = "kprobe",
	[RETE_PROBE_KRETPROBE] = "kretprobe",
};

const char *rete_probe_type_name(enum rete_probe_type type)
{
	return (unsigned)type < RETE_PROBE_TYPE_MAX ? probe_type_names[type] : "?";
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
		for (i = 0; i < sizeof(probe_types) / sizeof(probe_types[0]); i++)
			if (!strcmp(buf, probe_types[i].name))
				break;
		if (i < sizeof(probe_types) / sizeof(probe_types[0])) {
			spec.type = probe_types[i].type;
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
				 sg.best ? " (did you mean '" : " (types: tp, kprobe, kretprobe)",
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
		   const struct rete_probe_args *args, uint8_t flags)
{
	struct rete_probe *p = rete_probe_set_find(set, type, symbol);

	if (p) {
		p->flags |= flags;
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
	rc = set_add(set, RETE_PROBE_RAW_TP, symbol, &args, flags);
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

int rete_probe_resolve(const struct rete_probe_spec *spec, const struct btf *btf,
		       const struct rete_tracefs *tfs, uint8_t flags, struct rete_probe_set *set,
		       size_t *ret_added, char *err, size_t errlen)
{
	size_t added = 0;
	int rc;

	if (spec->stack)
		flags |= RETE_PROBE_F_STACK;
	if (spec->type != RETE_PROBE_RAW_TP) {
		/* The perf kprobe PMU exists exactly when the kernel can create kprobes. */
		if (access("/sys/bus/event_source/devices/kprobe", F_OK))
			snprintf(err, errlen,
				 "cannot use %s probe '%s': this kernel has no kprobes (built "
				 "without CONFIG_KPROBES); use tracepoints (tp:GROUP:EVENT) instead",
				 rete_probe_type_name(spec->type), spec->target);
		else
			snprintf(err, errlen,
				 "cannot use %s probe '%s': kernel function probes are not "
				 "implemented in rete yet; use tracepoints (tp:GROUP:EVENT)",
				 rete_probe_type_name(spec->type), spec->target);
		return -EOPNOTSUPP;
	}
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
	return set_add(set, RETE_PROBE_RAW_TP, symbol, &args, flags);
}
