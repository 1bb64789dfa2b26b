// SPDX-License-Identifier: GPL-2.0
/*
 * Raw tracepoints: one program, loaded once, attached to every tracepoint
 * probe. The attach cookie (kernel >= 6.10) is the probe id; on older
 * kernels one instance per probe is loaded with the id in .rodata.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "rete_chain.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool rete_cfg_use_cookie = true;
const volatile __u32 rete_cfg_probe_id = 0;

static __always_inline int rete_raw_tp_run(struct bpf_raw_tracepoint_args *ctx,
					   struct rete_ctx *rc)
{
	__u64 *args = rc->scratch->args;
	__u32 n;

	rc->probe_id = rete_cfg_use_cookie ? (__u32)bpf_get_attach_cookie(ctx) : rete_cfg_probe_id;
	rc->cfg = bpf_map_lookup_elem(&rete_probe_cfg, &rc->probe_id);
	if (!rc->cfg)
		return 0;

	/*
	 * Direct ctx->args[i] reads would tie the program to tracepoints with at
	 * least i+1 arguments (the kernel checks the highest offset read at
	 * attach time), so copy exactly this tracepoint's arguments instead.
	 */
	n = rc->cfg->nargs;
	if (n > RETE_ARGS_MAX)
		n = RETE_ARGS_MAX;
	if (bpf_probe_read_kernel(args, n * sizeof(__u64), ctx->args))
		return 0;

	if (!rete_ctx_set_args(rc, args))
		return 0;
	rc->ctx = ctx;
	rc->ts = bpf_ktime_get_ns();
	return rete_chain(rc);
}

SEC("rete_tp")
int rete_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	struct rete_ctx rc = {};
	int ret;

	rc.scratch = rete_scratch_enter();
	if (!rc.scratch)
		return 0;
	ret = rete_raw_tp_run(ctx, &rc);
	rete_scratch_exit();
	return ret;
}
