/* core: "common" (time, cpu, task) and "kernel" (probe, stack) sections. */
#ifndef RETE_BPF_COMMON_H
#define RETE_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_maps.bpf.h"
#include "uapi/rete_sections.h"

static __always_inline void rete_collect_common(struct rete_builder *b, struct rete_ctx *rc)
{
	struct rete_sec_common *c;
	struct rete_sec_kernel *k;
	__u64 pid_tgid;

	c = rete_sec_add(b, RETE_OWNER_COMMON, RETE_SEC_T_MAIN, sizeof(*c));
	if (c) {
		pid_tgid = bpf_get_current_pid_tgid();
		c->timestamp = rc->ts;
		c->smp_id = bpf_get_smp_processor_id();
		c->pid = (__u32)pid_tgid;
		c->tgid = pid_tgid >> 32;
		bpf_get_current_comm(c->comm, sizeof(c->comm));
		c->pad = 0;
	}
	k = rete_sec_add(b, RETE_OWNER_KERNEL, RETE_SEC_T_MAIN, sizeof(*k));
	if (k) {
		k->ksym = rc->ksym;
		k->probe_id = rc->probe_id;
		k->pad = 0;
	}
	if (rc->has_retval) {
		struct rete_sec_retval *r =
			rete_sec_add(b, RETE_OWNER_KERNEL, RETE_SEC_T_KERNEL_RETVAL, sizeof(*r));

		if (r)
			r->retval = rc->retval;
	}
}

#define RETE_STACK_BYTES (RETE_STACK_DEPTH * sizeof(__u64))

static __always_inline void rete_collect_stack(struct rete_builder *b, struct rete_ctx *rc)
{
	struct rete_sec_stack *s;
	long n;

	s = rete_sec_add(b, RETE_OWNER_KERNEL, RETE_SEC_T_KERNEL_STACK,
			 sizeof(*s) + RETE_STACK_BYTES);
	if (!s)
		return;
	/* Skip the BPF trampoline frames so the stack starts at the traced code. */
	n = bpf_get_stack(rc->ctx, s + 1, RETE_STACK_BYTES, 0);
	if (n < 0) {
		rete_gcount(RETE_GC_STACK_FAIL);
		n = 0;
	}
	s->nr = n / sizeof(__u64);
	s->pad = 0;
	rete_sec_trim(b, s, sizeof(*s) + RETE_STACK_BYTES, sizeof(*s) + s->nr * sizeof(__u64));
}

#endif
