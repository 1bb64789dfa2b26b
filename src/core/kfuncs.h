/*
 * Kernel functions a kprobe can be put on: tracefs available_filter_functions
 * (the functions ftrace can patch), or text symbols of /proc/kallsyms when
 * tracefs cannot be read; minus the kprobe blacklist when debugfs shows it.
 */
#ifndef RETE_CORE_KFUNCS_H
#define RETE_CORE_KFUNCS_H

#include <stdbool.h>
#include <stddef.h>

#define RETE_KALLSYMS_PATH "/proc/kallsyms"
#define RETE_KPROBE_BLACKLIST_PATH "/sys/kernel/debug/kprobes/blacklist"

enum rete_kfuncs_source {
	RETE_KFUNCS_TRACEFS,	/* available_filter_functions: "name [module]" lines */
	RETE_KFUNCS_KALLSYMS,	/* /proc/kallsyms: "addr type name [module]" lines */
	RETE_KFUNCS_SOURCE_MAX,
};

struct rete_kfuncs;

/*
 * Load the list from tracefs_dir/available_filter_functions, or from
 * /proc/kallsyms when tracefs_dir is NULL, empty or unreadable, and the
 * blacklist from RETE_KPROBE_BLACKLIST_PATH when readable. 0 or -errno.
 */
int rete_kfuncs_load(const char *tracefs_dir, struct rete_kfuncs **ret);

/* The same from explicit files (blacklist may be NULL). 0 or -errno. */
int rete_kfuncs_load_files(const char *path, enum rete_kfuncs_source source,
			   const char *blacklist, struct rete_kfuncs **ret);
void rete_kfuncs_free(struct rete_kfuncs *kf);

/* The function can be probed (in the list). */
bool rete_kfuncs_traceable(const struct rete_kfuncs *kf, const char *name);
/* The kernel refuses kprobes on it (kprobe blacklist). */
bool rete_kfuncs_blacklisted(const struct rete_kfuncs *kf, const char *name);
/* Where the list came from, for messages ("available_filter_functions", "/proc/kallsyms"). */
const char *rete_kfuncs_source_name(const struct rete_kfuncs *kf);
size_t rete_kfuncs_count(const struct rete_kfuncs *kf);
size_t rete_kfuncs_blacklist_count(const struct rete_kfuncs *kf);

#endif
