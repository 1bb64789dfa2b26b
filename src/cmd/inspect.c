/*
 * rete inspect: what this kernel and these privileges allow (probe types,
 * BTF, tracefs, capabilities, collectors), and with -p the probes usable
 * here with the arguments collectors consume.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/btf.h>

#include "cmd/cmd.h"
#include "core/btf.h"
#include "core/collector.h"
#include "core/kernel.h"
#include "core/probe.h"
#include "core/tracefs.h"
#include "lib/log.h"
#include "lib/opts.h"

#define LABEL_WIDTH 24

enum { OPT_PROBE, OPT_ALLOW_SYSTEM_CHANGES, OPT_HELP };

static const struct rete_opt inspect_opts[] = {
	{ OPT_PROBE, 'p', "probe", RETE_OPT_OPTIONAL, "PATTERN",
	  "List the probes usable here matching PATTERN ([TYPE:]TARGET,\n"
	  "* wildcards), with the arguments collectors consume. Without\n"
	  "PATTERN: every tracepoint and kernel function." },
	{ OPT_ALLOW_SYSTEM_CHANGES, 0, "allow-system-changes", RETE_OPT_FLAG, NULL,
	  "Allow mounting tracefs on /sys/kernel/tracing for -p, so\n"
	  "tracepoints are listed with their groups (unmounted at exit)" },
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

#define NOPTS (sizeof(inspect_opts) / sizeof(inspect_opts[0]))

struct inspect_args {
	bool probes;
	const char *pattern;	/* NULL: everything */
	bool allow_system_changes;
	bool help;
};

static int inspect_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
			   size_t errlen)
{
	struct inspect_args *a = ctx;

	if (o->id == OPT_HELP) {
		a->help = true;
		return 0;
	}
	if (o->id == OPT_ALLOW_SYSTEM_CHANGES) {
		a->allow_system_changes = true;
		return 0;
	}
	a->probes = true;
	a->pattern = v;
	return 0;
}

const struct rete_cmd rete_cmd_inspect_desc = {
	.name = "inspect",
	.summary = "Show what this kernel can trace and the probes usable here",
	.synopsis = "[-p [PATTERN]] [--allow-system-changes]",
	.description =
		"Show what this kernel can trace: release, BTF, tracefs, probe types and why\n"
		"some do not work, privileges, and the collectors that can run. With -p, list\n"
		"the probes usable here and the arguments collectors understand.\n",
	.examples = "  rete inspect\n"
		    "  rete inspect -p 'tp:net:*'\n"
		    "  rete inspect -p 'tp:*:*skb*'\n"
		    "  rete inspect -p 'kprobe:tcp_*'\n"
		    "  rete inspect -p 'tp:skb:*' --allow-system-changes   # tracefs not mounted\n",
	.opts = inspect_opts,
	.nopts = NOPTS,
	.run = rete_cmd_inspect,
};

/* The report. */

static void row(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void row(const char *label, const char *fmt, ...)
{
	va_list ap;

	printf("  %-*s ", LABEL_WIDTH, label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void report_kernel(const struct btf *btf, int btf_rc, const char *btf_why)
{
	struct rete_tracefs tfs = { .path = "" };
	struct utsname u;

	puts("Kernel");
	if (!uname(&u)) {
		row("release", "%s", u.release);
		row("machine", "%s", u.machine);
	}
	if (btf_rc)
		row("BTF", "no: %s", btf_why);
	else if (!btf)
		row("BTF", "no: cannot load " RETE_KERNEL_BTF_PATH);
	else
		row("BTF", "yes (" RETE_KERNEL_BTF_PATH ", %u types)", btf__type_cnt(btf) - 1);
	if (rete_tracefs_find(&tfs))
		row("tracefs", "not mounted (wildcard probes need it: mount -t tracefs nodev "
			       "/sys/kernel/tracing, or pass --allow-system-changes)");
	else
		row("tracefs", "mounted on %s", tfs.path);
}

static void report_privileges(void)
{
	static const struct {
		enum rete_cap cap;
		const char *name, *need;
	} caps[] = {
		{ RETE_CAP_BPF, "CAP_BPF", "loading BPF programs and maps" },
		{ RETE_CAP_PERFMON, "CAP_PERFMON",
		  "attaching tracing programs, reading kernel memory" },
		{ RETE_CAP_SYS_ADMIN, "CAP_SYS_ADMIN",
		  "BPF on kernels before 5.8, mounting tracefs" },
		{ RETE_CAP_SYSLOG, "CAP_SYSLOG",
		  "kernel addresses in /proc/kallsyms (stack traces)" },
	};
	uint64_t have = 0;
	bool missing = false;
	int rc = rete_kernel_caps(&have);

	puts("Privileges");
	if (rc) {
		row("capabilities", "unknown: cannot read /proc/self/status: %s", strerror(-rc));
		return;
	}
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (rete_cap_has(have, caps[i].cap)) {
			row(caps[i].name, "yes");
			continue;
		}
		row(caps[i].name, "no: needed for %s", caps[i].need);
		missing = true;
	}
	if (missing)
		row("", "run rete as root (sudo rete ...) to collect");
}

static void report_probe_types(const struct btf *btf)
{
	static const struct {
		enum rete_feature f;
		const char *label, *use;
	} feats[] = {
		{ RETE_FEAT_RAW_TP, "raw tracepoints", "tp:GROUP:EVENT probes" },
		{ RETE_FEAT_RAW_TP_COOKIE, "raw tracepoint cookies",
		  "one program serves every tracepoint" },
		{ RETE_FEAT_KPROBE, "kprobes", "kprobe:/kretprobe: probes" },
		{ RETE_FEAT_KPROBE_MULTI, "kprobe.multi",
		  "one link for all kprobes, with per-function cookies" },
		{ RETE_FEAT_FENTRY, "fentry/fexit", "not used by rete or Retis" },
		{ RETE_FEAT_UPROBE, "uprobes/USDT", "not used by rete yet" },
	};
	char why[256];

	puts("Probe types");
	for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		if (rete_kernel_feature(feats[i].f, btf, why, sizeof(why)))
			row(feats[i].label, "no: %s", why);
		else
			row(feats[i].label, "yes (%s)", feats[i].use);
	}
}

static void report_collectors(const struct btf *btf)
{
	char why[256];

	puts("Collectors");
	for (size_t i = 0; i < rete_collectors_count(); i++) {
		const char *name = rete_collector_get(i)->name;

		if (!btf)
			row(name, "no: needs kernel BTF");
		else if (rete_collector_check(i, btf, why, sizeof(why)))
			row(name, "no: %s", why);
		else
			row(name, "yes");
	}
}

static int report(void)
{
	char why[256];
	int btf_rc = rete_kernel_feature(RETE_FEAT_BTF, NULL, why, sizeof(why));
	struct btf *btf = btf_rc ? NULL : btf__load_vmlinux_btf();

	report_kernel(btf, btf_rc, why);
	report_privileges();
	report_probe_types(btf);
	report_collectors(btf);
	btf__free(btf);
	if (fflush(stdout)) {
		log_error("cannot write the report: %s", strerror(errno));
		return RETE_EXIT_FAIL;
	}
	return RETE_EXIT_OK;
}

/* Probe listing. */

struct listed {
	char *name;		/* "skb:kfree_skb" or "ip_rcv" */
	uint32_t proto;		/* FUNC_PROTO type id */
	unsigned skip;		/* leading parameters that are not probe arguments */
	struct rete_probe_args args;
	uint32_t names_proto;	/* a prototype with parameter names, or 0 */
};

struct listing {
	struct listed *v;
	size_t n, cap;
};

static int listing_add(struct listing *l, const char *name, uint32_t proto, unsigned skip,
		       const struct rete_probe_args *args)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct listed *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].name = strdup(name);
	if (!l->v[l->n].name)
		return -ENOMEM;
	l->v[l->n].proto = proto;
	l->v[l->n].skip = skip;
	l->v[l->n].args = *args;
	l->v[l->n].names_proto = 0;
	l->n++;
	return 0;
}

static void listing_free(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_listed(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->name, ((const struct listed *)b)->name);
}

/* What rete collect accepts: a probe needs a struct sk_buff * argument. */
static bool usable_args(const struct rete_probe_args *a)
{
	return rete_probe_args_known(a) && a->pos[RETE_ARG_SKB] >= 0;
}

/* typedef btf_trace_X -> pointer -> FUNC_PROTO; 0 when the shape differs. */
static uint32_t tp_proto(const struct btf *btf, const struct btf_type *t)
{
	const struct btf_type *ptr = btf__type_by_id(btf, t->type), *proto;

	if (!ptr || !btf_is_ptr(ptr))
		return 0;
	proto = btf__type_by_id(btf, ptr->type);
	return proto && btf_is_func_proto(proto) ? ptr->type : 0;
}

/* Same parameter types, from the second one on (the first is the context). */
static bool same_signature(const struct btf *btf, uint32_t a, uint32_t b)
{
	const struct btf_type *ta = btf__type_by_id(btf, a), *tb = btf__type_by_id(btf, b);
	const struct btf_param *pa = btf_params(ta), *pb = btf_params(tb);

	if (btf_vlen(ta) != btf_vlen(tb))
		return false;
	for (unsigned i = 1; i < btf_vlen(ta); i++)
		if (pa[i].type != pb[i].type)
			return false;
	return true;
}

/*
 * Parameter names of a tracepoint. btf_trace_X prototypes have none, but the
 * kernel's __bpf_trace_X wrapper (or, for events defined from a class,
 * __bpf_trace_CLASS) has them: take the wrapper of the same name, else one
 * with the same signature.
 */
static void tp_names(const struct btf *btf, struct listed *tp, const uint32_t *wrappers,
		     size_t nwrappers)
{
	const char *event = strchr(tp->name, ':') ? strchr(tp->name, ':') + 1 : tp->name;
	uint32_t same = 0;

	for (size_t i = 0; i < nwrappers; i++) {
		const struct btf_type *f = btf__type_by_id(btf, wrappers[i]);
		const char *name = btf__name_by_offset(btf, f->name_off) + strlen("__bpf_trace_");

		if (!same_signature(btf, f->type, tp->proto))
			continue;
		if (!strcmp(name, event)) {
			tp->names_proto = f->type;
			return;
		}
		if (!same)
			same = f->type;
	}
	tp->names_proto = same;
}

static const char *arg_name(const struct btf *btf, const struct listed *p, unsigned idx,
			    char *buf, size_t len)
{
	uint32_t proto = p->names_proto ? p->names_proto : p->proto;
	const struct btf_type *t = btf__type_by_id(btf, proto);
	const char *name = NULL;

	if (t && idx + p->skip < btf_vlen(t))
		name = btf__name_by_offset(btf, btf_params(t)[idx + p->skip].name_off);
	if (name && *name) {
		/* Verifier annotations are not part of the name (skb__nullable). */
		const char *annot = strstr(name, "__nullable");

		if (!annot || annot == name || annot[10])
			return name;
		snprintf(buf, len, "%.*s", (int)(annot - name), name);
		return buf;
	}
	snprintf(buf, len, "arg%u", idx);
	return buf;
}

static void print_listing(const struct btf *btf, const struct listing *l, const char *prefix)
{
	int width = 0;

	for (size_t i = 0; i < l->n; i++) {
		int w = (int)(strlen(prefix) + strlen(l->v[i].name));

		width = w > width ? w : width;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct listed *p = &l->v[i];
		char full[256];

		/* Static functions appear once per compilation unit: list each name once. */
		if (i && !strcmp(p->name, l->v[i - 1].name))
			continue;
		snprintf(full, sizeof(full), "%s%s", prefix, p->name);
		printf("%-*s", width, full);
		for (unsigned a = 0; a < p->args.nargs; a++) {
			for (int k = 0; k < RETE_ARG_KIND_MAX; k++) {
				char buf[64];

				if (p->args.pos[k] != (int8_t)a)
					continue;
				printf("  %s (%s)", arg_name(btf, p, a, buf, sizeof(buf)),
				       rete_arg_kind_name((enum rete_arg_kind)k));
			}
		}
		putchar('\n');
	}
}

struct event_group {
	const char *event;
	const char *full;	/* "group:event" from available_events */
};

static int cmp_event_group(const void *a, const void *b)
{
	return strcmp(((const struct event_group *)a)->event,
		      ((const struct event_group *)b)->event);
}

static int list_tracepoints(const struct btf *btf, const char *pattern, bool may_mount,
			    size_t *ret_n)
{
	struct rete_tracefs tfs = { .path = "" };
	struct event_group *groups = NULL, key, *g;
	struct listing l = { 0 };
	uint32_t *wrappers = NULL;
	size_t nwrappers = 0, ngroups = 0;
	const char *colon = strchr(pattern, ':');
	uint32_t n = btf__type_cnt(btf);
	int rc = 0, trc;

	trc = rete_tracefs_find(&tfs);
	if (trc && may_mount) {
		trc = rete_tracefs_mount(&tfs);
		if (trc)
			log_warn("cannot mount tracefs on /sys/kernel/tracing (%s): tracepoint groups "
				 "are shown as '?'%s",
				 strerror(-trc),
				 colon ? " and the group part of the pattern is ignored" : "");
		else
			log_info("Mounted tracefs on %s (unmounted at exit)", tfs.path);
	}
	if (!trc)
		trc = rete_tracefs_load_events(&tfs);
	if (!trc && tfs.nevents) {
		groups = calloc(tfs.nevents, sizeof(*groups));
		if (!groups) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < tfs.nevents; i++) {
			const char *e = strchr(tfs.events[i], ':');

			if (!e)
				continue;
			groups[ngroups].event = e + 1;
			groups[ngroups++].full = tfs.events[i];
		}
		qsort(groups, ngroups, sizeof(*groups), cmp_event_group);
	} else if (may_mount && trc) {
		/* said above */
	} else if (!tfs.path[0]) {
		log_warn("tracefs is not mounted: tracepoint groups are shown as '?'%s (mount it "
			 "with mount -t tracefs nodev /sys/kernel/tracing, or pass "
			 "--allow-system-changes, to see them)",
			 colon ? " and the group part of the pattern is ignored" : "");
	} else {
		log_warn("cannot read %s/available_events (%s): tracepoint groups are shown as "
			 "'?'%s",
			 tfs.path, strerror(trc ? -trc : ENOENT),
			 colon ? " and the group part of the pattern is ignored" : "");
	}
	wrappers = calloc(n, sizeof(*wrappers));
	if (!wrappers) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t id = 1; id < n && !rc; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = btf__name_by_offset(btf, t->name_off), *event, *full;
		struct rete_probe_args args;
		char buf[256];
		uint32_t proto;

		if (btf_is_func(t) && !strncmp(name, "__bpf_trace_", 12)) {
			wrappers[nwrappers++] = id;
			continue;
		}
		if (!btf_is_typedef(t) || strncmp(name, "btf_trace_", 10))
			continue;
		event = name + 10;
		proto = tp_proto(btf, t);
		if (!proto || rete_btf_proto_args(btf, proto, 1, &args) || !usable_args(&args))
			continue;
		key.event = event;
		g = groups ? bsearch(&key, groups, ngroups, sizeof(*groups), cmp_event_group) :
			     NULL;
		if (groups && !g)
			continue;	/* not a tracepoint of this kernel's tracefs */
		if (g) {
			full = g->full;
		} else {
			snprintf(buf, sizeof(buf), "?:%s", event);
			full = buf;
		}
		/* GROUP:EVENT patterns match the group only when tracefs gives it. */
		if (colon && groups ? fnmatch(pattern, full, 0) :
				      fnmatch(colon ? colon + 1 : pattern, event, 0))
			continue;
		rc = listing_add(&l, full, proto, 1, &args);
	}
	if (rc)
		goto out;
	for (size_t i = 0; i < l.n; i++)
		tp_names(btf, &l.v[i], wrappers, nwrappers);
	qsort(l.v, l.n, sizeof(*l.v), cmp_listed);
	print_listing(btf, &l, "tp:");
	*ret_n = l.n;
out:
	listing_free(&l);
	free(wrappers);
	free(groups);
	rete_tracefs_release(&tfs);
	return rc;
}

static int list_functions(const struct btf *btf, const char *pattern, const char *prefix,
			  size_t *ret_n)
{
	struct listing l = { 0 };
	uint32_t n = btf__type_cnt(btf);
	int rc = 0;

	for (uint32_t id = 1; id < n && !rc; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		struct rete_probe_args args;
		const char *name;

		if (!btf_is_func(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (fnmatch(pattern, name, 0))
			continue;
		if (rete_btf_proto_args(btf, t->type, 0, &args) || !usable_args(&args))
			continue;
		rc = listing_add(&l, name, t->type, 0, &args);
	}
	if (!rc) {
		qsort(l.v, l.n, sizeof(*l.v), cmp_listed);
		print_listing(btf, &l, prefix);
		*ret_n = l.n;
	}
	listing_free(&l);
	return rc;
}

/* Split "[TYPE:]TARGET" as collect -p does, without requiring GROUP:EVENT. */
static int split_pattern(const char *pattern, enum rete_probe_type *ret_type,
			 const char **ret_target)
{
	const char *colon = strchr(pattern, ':');

	if (colon && !rete_probe_type_lookup(pattern, (size_t)(colon - pattern), ret_type)) {
		*ret_target = colon + 1;
		return **ret_target ? 0 : -EINVAL;
	}
	if (colon && strchr(colon + 1, ':'))
		return -EINVAL;
	*ret_type = colon ? RETE_PROBE_RAW_TP : RETE_PROBE_KPROBE;
	*ret_target = pattern;
	return *pattern ? 0 : -EINVAL;
}

static int list_probes(const char *pattern, bool may_mount)
{
	enum rete_probe_type type = RETE_PROBE_KPROBE;
	const char *target = "*";
	struct btf *btf;
	size_t found = 0, n = 0;
	char why[256];
	int rc = 0;

	if (pattern && split_pattern(pattern, &type, &target)) {
		log_error("invalid probe pattern '%s' (expected [TYPE:]TARGET, e.g. 'tp:net:*' or "
			  "'kprobe:tcp_*')",
			  pattern);
		return RETE_EXIT_USAGE;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		log_error("cannot read kernel BTF (expected at " RETE_KERNEL_BTF_PATH "): %s; "
			  "listing probes needs a kernel built with CONFIG_DEBUG_INFO_BTF",
			  strerror(errno));
		return RETE_EXIT_FAIL;
	}
	if (!pattern || type == RETE_PROBE_RAW_TP)
		rc = list_tracepoints(btf, pattern ? target : "*", may_mount, &n);
	found += n;
	if (!rc && (!pattern || type != RETE_PROBE_RAW_TP)) {
		char prefix[32];

		if (!pattern)
			type = RETE_PROBE_KPROBE;
		if (rete_kernel_probe_type_usable(type, why, sizeof(why)))
			log_warn("%s probes cannot be used here (%s); the functions are listed "
				 "from BTF for reference",
				 rete_probe_type_name(type), why);
		n = 0;
		snprintf(prefix, sizeof(prefix), "%s:", rete_probe_type_name(type));
		rc = list_functions(btf, pattern ? target : "*", prefix, &n);
		found += n;
	}
	btf__free(btf);
	if (rc) {
		log_error("cannot list probes: %s", strerror(-rc));
		return RETE_EXIT_FAIL;
	}
	if (fflush(stdout)) {
		log_error("cannot write the list: %s", strerror(errno));
		return RETE_EXIT_FAIL;
	}
	if (!found) {
		log_error("no probe with a struct sk_buff * argument matches '%s'",
			  pattern ? pattern : "*");
		return RETE_EXIT_FAIL;
	}
	return RETE_EXIT_OK;
}

int rete_cmd_inspect(const struct rete_global *g, int argc, char **argv)
{
	struct inspect_args a = { 0 };
	char err[256];
	int rc;

	rc = rete_opts_parse(inspect_opts, NOPTS, argc - 1, argv + 1, false, inspect_handler, &a,
			     NULL, 0, NULL, err, sizeof(err));
	if (rc < 0) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	if (a.help) {
		rete_cmd_usage(stdout, &rete_cmd_inspect_desc);
		return RETE_EXIT_OK;
	}
	return a.probes ? list_probes(a.pattern, a.allow_system_changes) : report();
}
