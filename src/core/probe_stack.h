/*
 * --probe-stack (Retis behaviour): the stack traces of reported packets name
 * the functions the packet went through before the probe; each one that has
 * a struct sk_buff * argument and can be kprobed becomes a probe of its own,
 * at run time, so later packets show more of their journey.
 */
#ifndef RETE_CORE_PROBE_STACK_H
#define RETE_CORE_PROBE_STACK_H

#include <stddef.h>

#include "core/probe.h"
#include "events/event.h"

struct btf;
struct rete_kfuncs;
struct rete_probe_stack;

/* btf and kf must outlive it. 0 or -ENOMEM. */
int rete_probe_stack_new(const struct btf *btf, const struct rete_kfuncs *kf,
			 struct rete_probe_stack **ret);
void rete_probe_stack_free(struct rete_probe_stack *ps);

/*
 * Look at every frame ("func+0xoff") of k's stack trace once: a function
 * not seen before that rete can kprobe is added to set as an optional
 * kprobe (no stack of its own). Returns how many probes were added, -E2BIG
 * when the set is full, -ENOMEM.
 */
int rete_probe_stack_scan(struct rete_probe_stack *ps, const struct rete_ev_kernel *k,
			  struct rete_probe_set *set);

/* Functions looked at so far (for the summary). */
size_t rete_probe_stack_seen(const struct rete_probe_stack *ps);

#endif
