/* tracefs: where it is mounted, its event list, mounting it on request. */
#ifndef RETE_CORE_TRACEFS_H
#define RETE_CORE_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>

struct rete_kfuncs;

struct rete_tracefs {
	char path[256];		/* "" when not mounted */
	bool mounted_by_us;
	char **events;		/* "group:event", sorted; loaded lazily */
	size_t nevents;
	struct rete_kfuncs *kfuncs;	/* traceable kernel functions; loaded lazily */
};

/* Find a tracefs mount (tracefs itself or debugfs/tracing). 0, or -ENOENT. */
int rete_tracefs_find(struct rete_tracefs *tfs);
/* Mount tracefs on /sys/kernel/tracing (remembered for rete_tracefs_release). */
int rete_tracefs_mount(struct rete_tracefs *tfs);
/* Load available_events. 0 or -errno. */
int rete_tracefs_load_events(struct rete_tracefs *tfs);
/*
 * The kernel functions kprobes can use (available_filter_functions under
 * this tracefs, else /proc/kallsyms), loaded on first use. 0 or -errno.
 */
int rete_tracefs_load_kfuncs(struct rete_tracefs *tfs);
/* Free the event and function lists and unmount if we mounted it. */
void rete_tracefs_release(struct rete_tracefs *tfs);

#endif
