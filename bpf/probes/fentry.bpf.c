// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel function probes through BPF trampolines: fentry at entry, fexit at
 * return (with the arguments and the return value, no in-flight table). The
 * attach target is fixed at load time, so userspace loads one copy of each
 * program per function, from the instructions libbpf loaded once, with the
 * probe id written into the copy (RETE_FENTRY_ID_MAGIC).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "rete_chain.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The probe id of this copy: the immediate userspace rewrites. */
static __always_inline __u32 rete_fentry_probe_id(void)
{
	__u64 id;

	asm volatile("%[id] = %[magic] ll" : [id] "=r"(id) : [magic] "i"(RETE_FENTRY_ID_MAGIC));
	return (__u32)id;
}

/* The function's arguments (bpf_get_func_arg knows how many it has). */
static __always_inline void rete_fentry_args(void *ctx, __u64 *args, __u32 nargs)
{
	for (__u32 i = 0; i < RETE_KPROBE_ARGS && i < nargs; i++)
		if (bpf_get_func_arg(ctx, i, &args[i]))
			args[i] = 0;
}

static __always_inline int rete_fentry_body(void *ctx, bool exit, struct rete_ctx *rc)
{
	__u64 *args = rc->scratch->args;
	__u64 ret = 0;

	rc->probe_id = rete_fentry_probe_id();
	rc->cfg = bpf_map_lookup_elem(&rete_probe_cfg, &rc->probe_id);
	if (!rc->cfg)
		return 0;
	rete_fentry_args(ctx, args, rc->cfg->nargs);
	if (!rete_ctx_set_args(rc, args))
		return 0;
	rc->ts = bpf_ktime_get_ns();
	rc->ksym = bpf_get_func_ip(ctx);
	if (exit) {
		bpf_get_func_ret(ctx, &ret);
		rc->retval = (__s64)ret;
		rc->has_retval = true;
	}
	rc->ctx = ctx;
	return rete_chain(rc);
}

static __always_inline int rete_fentry_run(void *ctx, bool exit)
{
	struct rete_ctx rc = {};
	int ret;

	rc.scratch = rete_scratch_enter();
	if (!rc.scratch)
		return 0;
	ret = rete_fentry_body(ctx, exit, &rc);
	rete_scratch_exit();
	return ret;
}

SEC("rete_fentry")
int rete_fentry_entry(void *ctx)
{
	return rete_fentry_run(ctx, false);
}

SEC("rete_fentry/exit")
int rete_fentry_exit(void *ctx)
{
	return rete_fentry_run(ctx, true);
}
