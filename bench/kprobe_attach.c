/*
 * Load, attach and detach time of N kernel function probes through rete's
 * session: kprobes with kprobe.multi (when the kernel has it), kprobes with
 * one perf-event link per function (--single), or fentry trampolines, one
 * verified program copy per function (--fentry).
 *
 *   kprobe_attach [--single|--fentry] N...
 *
 * The probes are the first N traceable kernel functions with a struct
 * sk_buff * argument, in BTF order. One line per N:
 *   kprobes=N mode=default|single|fentry load_ms=... attach_ms=... detach_ms=... left_out=...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/probe.h"
#include "core/session.h"
#include "core/tracefs.h"
#include "lib/parse.h"
#include "uapi/rete_config.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * The first n functions rete accepts as kprobes: the wildcard '*' fills the
 * set up to RETE_PROBES_MAX in BTF order (and then says E2BIG), cut to n.
 */
static int pick(const struct btf *btf, struct rete_tracefs *tfs, size_t n, const char *type,
		struct rete_probe_set *set)
{
	struct rete_probe_spec spec;
	char err[512];
	size_t added;
	int rc;

	rc = rete_tracefs_load_kfuncs(tfs);
	if (rc)
		return rc;
	snprintf(err, sizeof(err), "%s:*", type);
	rc = rete_probe_parse(err, &spec, err, sizeof(err));
	if (!rc)
		rc = rete_probe_resolve_kfunc(&spec, btf, tfs->kfuncs, RETE_PROBE_F_EMIT, set,
					      &added, err, sizeof(err));
	if (rc && rc != -E2BIG)
		return rc;
	if (set->n < n)
		return -ENOENT;
	set->n = n;
	return 0;
}

static int run(const struct btf *btf, struct rete_tracefs *tfs, size_t n, const char *mode)
{
	struct rete_probe_set set = { 0 };
	struct rete_session_opts o = { 0 };
	struct rete_session *s = NULL;
	double t0, t1, t2, t3;
	char err[512];
	int rc;

	bool single = !strcmp(mode, "single");

	rc = pick(btf, tfs, n, strcmp(mode, "fentry") ? "kprobe" : "fentry", &set);
	if (rc) {
		fprintf(stderr, "only %zu usable functions, %zu wanted\n", set.n, n);
		goto out;
	}
	o.skb = o.drop = o.tracking = o.dev = o.ns = true;
	o.ringbuf_bytes = 8u << 20;
	o.no_kprobe_multi = single;
	t0 = now_ms();
	rc = rete_session_new(&o, &set, btf, &s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	t1 = now_ms();
	rc = rete_session_attach(s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	t2 = now_ms();
	rete_session_detach(s);
	t3 = now_ms();
	printf("kprobes=%zu mode=%s load_ms=%.0f attach_ms=%.0f detach_ms=%.0f left_out=%zu\n", n,
	       mode, t1 - t0, t2 - t1, t3 - t2,
	       rete_session_attach_skipped(s));
	fflush(stdout);
out:
	rete_session_free(s);
	rete_probe_set_free(&set);
	return rc;
}

int main(int argc, char **argv)
{
	struct rete_tracefs tfs = { 0 };
	const char *mode = "default";
	struct btf *btf;
	int rc = 0, i = 1;

	if (argc > 1 && (!strcmp(argv[1], "--single") || !strcmp(argv[1], "--fentry"))) {
		mode = argv[1] + 2;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [--single|--fentry] N...\n", argv[0]);
		return 2;
	}
	libbpf_set_print(NULL);
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		fprintf(stderr, "no kernel BTF\n");
		return 1;
	}
	rete_tracefs_find(&tfs);
	for (; i < argc && !rc; i++) {
		uint64_t n;

		rc = rete_parse_u64(argv[i], &n);
		if (rc || !n || n > RETE_PROBES_MAX) {
			fprintf(stderr, "bad count '%s' (1..%d)\n", argv[i], RETE_PROBES_MAX);
			rc = 2;
			break;
		}
		rc = run(btf, &tfs, (size_t)n, mode) ? 1 : 0;
	}
	rete_tracefs_release(&tfs);
	btf__free(btf);
	return rc;
}
