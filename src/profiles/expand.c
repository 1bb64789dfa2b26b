/*
 * Applying profiles: evaluate `when` conditions against the running kernel,
 * pick the entry, leave out probes this kernel cannot run, and turn `args`
 * into command-line arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/btf.h>

#include "core/kernel.h"
#include "core/probe.h"
#include "lib/strbuf.h"
#include "profiles/profile.h"

/* Options whose values are probes, checked against what this kernel can attach. */
static const struct {
	const char *command;
	const char *option;
} probe_options[] = {
	{ "collect", "--probe" },
};

void rete_profile_argv_free(struct rete_profile_argv *a)
{
	for (size_t i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}

int rete_profile_argv_add(struct rete_profile_argv *a, const char *s)
{
	char *copy;

	if (a->argc + 1 >= a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **nv = realloc(a->argv, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		a->argv = nv;
		a->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	a->argv[a->argc++] = copy;
	a->argv[a->argc] = NULL;
	return 0;
}

/* 1 when `a` or `b` (may be NULL) is in the third column of /proc/kallsyms, 0 when not, -errno. */
static int kallsyms_has(const char *a, const char *b)
{
	char line[512];
	int found = 0;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sym = strchr(line, ' ');

		sym = sym ? strchr(sym + 1, ' ') : NULL;
		if (!sym)
			continue;
		sym++;
		sym[strcspn(sym, " \t\n")] = '\0';
		found = !strcmp(sym, a) || (b && !strcmp(sym, b));
	}
	fclose(f);
	return found;
}

int rete_profile_symbol_exists(const char *symbol)
{
	const char *colon = strchr(symbol, ':');
	char iter[256], tp[256];
	struct btf *btf;
	int rc;

	if (!colon) {
		rc = kallsyms_has(symbol, NULL);
		if (rc >= 0)
			return rc;
	} else {
		/*
		 * A tracepoint GROUP:EVENT has the text symbol __traceiter_EVENT
		 * (5.10+); __tracepoint_EVENT is data, listed with KALLSYMS_ALL.
		 */
		snprintf(iter, sizeof(iter), "__traceiter_%s", colon + 1);
		snprintf(tp, sizeof(tp), "__tracepoint_%s", colon + 1);
		rc = kallsyms_has(iter, tp);
		if (rc > 0)
			return rc;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return rc;
	if (colon)
		snprintf(tp, sizeof(tp), "btf_trace_%s", colon + 1);
	rc = btf__find_by_name_kind(btf, colon ? tp : symbol,
				   colon ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return rc;
}

int rete_profile_probe_usable(const char *probe, char *why, size_t whylen)
{
	struct rete_probe_spec spec;
	char err[256];

	/* A malformed probe is the command's to report, with its own sentence. */
	if (rete_probe_parse(probe, &spec, err, sizeof(err)))
		return 0;
	return rete_kernel_probe_type_usable(spec.type, why, whylen);
}

struct expand_ctx {
	const struct rete_profile_env *env;
	const char *command;
	const char *release;
	struct rete_kver kver;
	bool kver_ok;
	char *err;
	size_t errlen;
};

static void notice(const struct expand_ctx *x, bool warn, const char *msg)
{
	if (x->env && x->env->notice)
		x->env->notice(x->env->ctx, warn, msg);
}

static int symbol_exists(const struct expand_ctx *x, const char *symbol)
{
	if (x->env && x->env->symbol_exists)
		return x->env->symbol_exists(x->env->ctx, symbol);
	return rete_profile_symbol_exists(symbol);
}

static int probe_usable(const struct expand_ctx *x, const char *probe, char *why, size_t len)
{
	if (x->env && x->env->probe_usable)
		return x->env->probe_usable(x->env->ctx, probe, why, len);
	return rete_profile_probe_usable(probe, why, len);
}

/* 1 when every condition holds, 0 when one does not, -errno with err set. */
static int entry_matches(const struct expand_ctx *x, const struct rete_profile *p,
			 const struct rete_profile_entry *e)
{
	for (size_t i = 0; i < e->nconds; i++) {
		const struct rete_profile_cond *c = &e->conds[i];
		int rc;

		if (c->type == RETE_PROFILE_COND_VERSION) {
			if (!x->kver_ok) {
				snprintf(x->err, x->errlen,
					 "profile %s:%u: cannot compare kernel release '%s' with "
					 "'%s'",
					 p->path, c->line, x->release, c->version);
				return -EINVAL;
			}
			if (!rete_kver_req_match(&c->req, &x->kver))
				return 0;
			continue;
		}
		rc = symbol_exists(x, c->symbol);
		if (rc < 0) {
			snprintf(x->err, x->errlen,
				 "profile %s:%u: cannot tell whether symbol '%s' exists: %s",
				 p->path, c->line, c->symbol, strerror(-rc));
			return rc;
		}
		if ((rc > 0) != c->exists)
			return 0;
	}
	return 1;
}

static bool is_probe_option(const struct expand_ctx *x, const char *option)
{
	for (size_t i = 0; i < sizeof(probe_options) / sizeof(probe_options[0]); i++)
		if (!strcmp(x->command, probe_options[i].command) &&
		    !strcmp(option, probe_options[i].option))
			return true;
	return false;
}

/*
 * Probes of an entry that cannot run here: counts them, the usable ones, and
 * describes the others in desc ("kprobe:a, kprobe:b: why; kprobe:c: why2").
 */
struct probe_check {
	size_t bad, good;
	struct rete_strbuf desc;
};

static bool probe_bad(const struct expand_ctx *x, const char *probe, char *why, size_t len)
{
	why[0] = '\0';
	return probe_usable(x, probe, why, len) != 0;
}

#define REASONS_MAX 8

/* Index of why in reasons, added when new; past REASONS_MAX the last one stands in. */
static size_t reason_index(char (*reasons)[200], size_t *n, const char *why)
{
	for (size_t r = 0; r < *n; r++)
		if (!strcmp(reasons[r], why))
			return r;
	if (*n == REASONS_MAX)
		return REASONS_MAX - 1;
	snprintf(reasons[*n], 200, "%s", why);
	return (*n)++;
}

static void check_probes(const struct expand_ctx *x, const struct rete_profile_entry *e,
			 struct probe_check *pc)
{
	char reasons[REASONS_MAX][200];
	size_t nreasons = 0;

	memset(pc, 0, sizeof(*pc));
	for (size_t pass = 0; pass <= nreasons; pass++) {
		bool first = true;

		for (size_t i = 0; i < e->nargs; i++) {
			const struct rete_profile_arg *a = &e->args[i];

			if (!is_probe_option(x, a->option))
				continue;
			for (size_t j = 0; j < a->nvalues; j++) {
				char why[200];
				size_t r;

				if (!probe_bad(x, a->values[j], why, sizeof(why))) {
					pc->good += !pass;
					continue;
				}
				r = reason_index(reasons, &nreasons, why);
				pc->bad += !pass;
				/* Pass 0 finds reasons; pass k lists the probes of reason k-1. */
				if (!pass || r != pass - 1)
					continue;
				rete_strbuf_addf(&pc->desc, "%s%s",
						 first ? (pass > 1 ? "; " : "") : ", ",
						 a->values[j]);
				first = false;
			}
		}
		if (pass)
			rete_strbuf_addf(&pc->desc, ": %s", reasons[pass - 1]);
	}
}

static int add_args(const struct expand_ctx *x, const struct rete_profile_entry *e,
		    struct rete_profile_argv *out, struct rete_strbuf *shown)
{
	int rc = 0;

	for (size_t i = 0; i < e->nargs && !rc; i++) {
		const struct rete_profile_arg *a = &e->args[i];
		bool probes = is_probe_option(x, a->option);

		if (a->flag) {
			rc = rete_profile_argv_add(out, a->option);
			rete_strbuf_addf(shown, " %s", a->option);
			continue;
		}
		for (size_t j = 0; j < a->nvalues && !rc; j++) {
			char why[200];

			if (probes && probe_bad(x, a->values[j], why, sizeof(why)))
				continue;
			rc = rete_profile_argv_add(out, a->option);
			if (!rc)
				rc = rete_profile_argv_add(out, a->values[j]);
			rete_strbuf_addf(shown, " %s %s", a->option, a->values[j]);
		}
	}
	return rc;
}

static int expand_one(const struct expand_ctx *x, const struct rete_profile *p,
		      const struct rete_profile_section *sec, struct rete_profile_argv *out)
{
	const struct rete_profile_entry *chosen = NULL, *partial = NULL;
	struct probe_check pc = { 0 }, partial_pc = { 0 };
	struct rete_strbuf msg = RETE_STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < sec->nentries && !chosen; i++) {
		const struct rete_profile_entry *e = &sec->entries[i];

		rc = entry_matches(x, p, e);
		if (rc < 0)
			goto out;
		if (!rc)
			continue;
		rc = 0;
		check_probes(x, e, &pc);
		if (!pc.bad) {
			chosen = e;
		} else if (!partial) {
			partial = e;
			partial_pc = pc;
			memset(&pc, 0, sizeof(pc));
		}
		rete_strbuf_free(&pc.desc);
	}
	if (chosen && partial) {
		rete_strbuf_addf(&msg, "profile %s: entry '%s' skipped (%s); using entry '%s'",
				 p->name, partial->name, rete_strbuf_str(&partial_pc.desc),
				 chosen->name);
		notice(x, true, rete_strbuf_str(&msg));
	} else if (partial) {
		if (!partial_pc.good) {
			snprintf(x->err, x->errlen, "profile %s cannot run on this kernel: %s",
				 p->name, rete_strbuf_str(&partial_pc.desc));
			rc = -EOPNOTSUPP;
			goto out;
		}
		rete_strbuf_addf(&msg, "profile %s: skipping %zu probe(s) that cannot run here: %s",
				 p->name, partial_pc.bad, rete_strbuf_str(&partial_pc.desc));
		notice(x, true, rete_strbuf_str(&msg));
		chosen = partial;
	}
	if (!chosen) {
		rete_strbuf_addf(&msg, "profile %s: no '%s' entry applies to this kernel (%s)",
				 p->name, x->command, x->release);
		notice(x, true, rete_strbuf_str(&msg));
		goto out;
	}
	rete_strbuf_reset(&msg);
	if (chosen->named)
		rete_strbuf_addf(&msg, "Applying profile %s (%s):", p->name, chosen->name);
	else
		rete_strbuf_addf(&msg, "Applying profile %s:", p->name);
	rc = add_args(x, chosen, out, &msg);
	if (rc) {
		snprintf(x->err, x->errlen, "out of memory");
		goto out;
	}
	if (msg.err)
		rc = msg.err;
	else
		notice(x, false, rete_strbuf_str(&msg));
out:
	rete_strbuf_free(&partial_pc.desc);
	rete_strbuf_free(&msg);
	return rc;
}

int rete_profile_expand(const struct rete_profile_set *set, const char *command,
			const struct rete_profile_env *env, struct rete_profile_argv *out,
			char *err, size_t errlen)
{
	struct expand_ctx x = { .env = env, .command = command, .err = err, .errlen = errlen };
	struct utsname u;
	char msg[300];

	if (!rete_profile_command_known(command)) {
		snprintf(err, errlen, "profiles apply to collect and pcap, not to '%s'", command);
		return -EINVAL;
	}
	x.release = env && env->release ? env->release : NULL;
	if (!x.release)
		x.release = uname(&u) ? "unknown" : u.release;
	x.kver_ok = !rete_kver_parse_release(x.release, &x.kver);

	for (size_t i = 0; i < set->n; i++) {
		const struct rete_profile *p = &set->profiles[i];
		const struct rete_profile_section *sec = rete_profile_section(p, command);
		int rc;

		if (p->api_minor > RETE_PROFILE_API_MINOR) {
			snprintf(msg, sizeof(msg),
				 "profile %s is format version %u.%u and rete reads %d.%d: newer "
				 "settings may be ignored",
				 p->name, p->api_major, p->api_minor, RETE_PROFILE_API_MAJOR,
				 RETE_PROFILE_API_MINOR);
			notice(&x, true, msg);
		}
		if (!sec || !sec->nentries) {
			snprintf(msg, sizeof(msg), "profile %s has nothing for '%s'", p->name,
				 command);
			notice(&x, true, msg);
			continue;
		}
		rc = expand_one(&x, p, sec, out);
		if (rc)
			return rc;
	}
	return 0;
}
