/*
 * Profiles: named sets of command-line arguments in Retis's YAML format.
 *
 *   version: 1.0
 *   name: dropmon
 *   about: One line for `rete profile list`
 *   collect:                       # one list per command (collect, pcap)
 *     - name: Recent kernels        # optional, "Default" when absent
 *       when:                       # optional; every condition must hold
 *         - type: version
 *           version: ">=5.17, <7"
 *         - type: symbol
 *           name: skb:kfree_skb     # a tracepoint (GROUP:EVENT) or a function
 *           exists: true            # default true
 *       args:                       # option -> value | [values] | ~ (a flag)
 *         collectors: skb-drop,skb
 *         probe: [tp:skb:kfree_skb/stack]
 *         stack: ~
 *
 * For a command, the first entry whose conditions all hold applies; its args
 * become `--option value` arguments (underscores in option names become
 * dashes), placed before the user's own so that the user's single-value
 * options win and repeatable ones add up. Several profiles apply in order.
 */
#ifndef RETE_PROFILES_PROFILE_H
#define RETE_PROFILES_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

/* The profile format version rete reads (major must match; see rete_profile_expand). */
#define RETE_PROFILE_API_MAJOR 1
#define RETE_PROFILE_API_MINOR 0

/* Kernel version requirements: comparators like ">=5.10" joined by ',' (all must hold). */
enum rete_kver_op {
	RETE_KVER_EQ,
	RETE_KVER_NE,
	RETE_KVER_GT,
	RETE_KVER_GE,
	RETE_KVER_LT,
	RETE_KVER_LE,
	RETE_KVER_OP_MAX,
};

/* A kernel release reduced to numbers: 6.2.14-300.fc38 is {6, 2, 14, 300}. */
struct rete_kver {
	unsigned major, minor, patch, build;
	bool has_build;
};

struct rete_kver_cmp {
	enum rete_kver_op op;
	struct rete_kver v;
	unsigned nparts;	/* 1..3 numbers given (major[.minor[.patch]]) */
};

#define RETE_KVER_REQ_MAX 4

struct rete_kver_req {
	struct rete_kver_cmp cmps[RETE_KVER_REQ_MAX];
	size_t n;
};

/* Parse `uname -r` ("6.2.0-20-generic"); -EINVAL when it does not start with X.Y.Z. */
int rete_kver_parse_release(const char *release, struct rete_kver *ret);
/* Parse a requirement (">=5.10, <6"); -EINVAL with a sentence in err. */
int rete_kver_req_parse(const char *s, struct rete_kver_req *ret, char *err, size_t errlen);
/* Whether v satisfies every comparator. Only the parts a comparator names are compared. */
bool rete_kver_req_match(const struct rete_kver_req *req, const struct rete_kver *v);

enum rete_profile_cond_type {
	RETE_PROFILE_COND_VERSION,
	RETE_PROFILE_COND_SYMBOL,
	RETE_PROFILE_COND_MAX,
};

struct rete_profile_cond {
	enum rete_profile_cond_type type;
	unsigned line;			/* 1-based line in the file */
	char *version;			/* VERSION: the requirement as written */
	struct rete_kver_req req;	/* VERSION: parsed */
	char *symbol;			/* SYMBOL: "skb:kfree_skb" or "consume_skb" */
	bool exists;			/* SYMBOL: required presence (default true) */
};

struct rete_profile_arg {
	char *option;		/* "--collectors" (dashes, never underscores) */
	char **values;		/* nvalues strings; none for a flag */
	size_t nvalues;
	bool flag;		/* ~ : the option alone */
	unsigned line;
};

struct rete_profile_entry {
	char *name;		/* "Default" when not given */
	bool named;		/* name given in the file */
	unsigned line;
	struct rete_profile_cond *conds;
	size_t nconds;
	struct rete_profile_arg *args;
	size_t nargs;
};

/* The entries of one command (the `collect:` list). */
struct rete_profile_section {
	char *command;
	unsigned line;
	struct rete_profile_entry *entries;
	size_t nentries;
};

/* One profile: one YAML document (a file may hold several, separated by ---). */
struct rete_profile {
	char *name;
	char *about;			/* NULL when absent */
	char *path;			/* file it was read from */
	unsigned line;			/* line of the document start */
	unsigned api_major, api_minor;	/* `version:` */
	struct rete_profile_section *sections;
	size_t nsections;
};

/* An ordered list of profiles (owned). */
struct rete_profile_set {
	struct rete_profile *profiles;
	size_t n, cap;
};

/* Commands that take profile sections ("collect", "pcap"). */
bool rete_profile_command_known(const char *command);

/*
 * Parse every document of a YAML buffer (origin names it in errors) and
 * append the profiles to set. On error nothing is appended and err holds
 * one sentence: "profile ORIGIN:LINE: what is wrong".
 */
int rete_profile_parse_buf(const char *buf, size_t len, const char *origin,
			   struct rete_profile_set *set, char *err, size_t errlen);
/* Same for a file. */
int rete_profile_parse_file(const char *path, struct rete_profile_set *set, char *err,
			    size_t errlen);
void rete_profile_set_free(struct rete_profile_set *set);
/* Free the members of one profile (zeroed after). */
void rete_profile_free(struct rete_profile *p);
/* The section of a command, or NULL. */
const struct rete_profile_section *rete_profile_section(const struct rete_profile *p,
							 const char *command);

/* Where profiles are looked up, in order of precedence. */
#define RETE_PROFILE_DIRS_MAX 12

struct rete_profile_dirs {
	char *dirs[RETE_PROFILE_DIRS_MAX];
	size_t n;
};

/*
 * The search path: extra_dir (-P, may be NULL), $HOME/.config/rete/profiles,
 * RETE_DATADIR/profiles, then the profiles/ directory next to the build
 * directory of the running binary (uninstalled use). Directories are stored
 * as real paths, each once; missing ones are left out, except extra_dir:
 * -ENOENT/-ENOTDIR when it is not a directory.
 */
int rete_profile_dirs_default(const char *extra_dir, struct rete_profile_dirs *ret);
/* Append one directory (real path; skipped when already there). 0 or -errno. */
int rete_profile_dirs_add(struct rete_profile_dirs *dirs, const char *dir);
void rete_profile_dirs_free(struct rete_profile_dirs *dirs);

/*
 * Load the profiles named in `list` ("dropmon,mine" or a path such as
 * ./mine.yaml: anything with a '/' or ending in .yaml/.yml is a file, and
 * every profile it holds is used) and append them to set in that order. A
 * name is the `name:` inside a file, looked up directory by directory: the
 * first directory holding it wins; two profiles of that name in one directory
 * are an error. -ENOENT with "did you mean" in err for an unknown name.
 */
int rete_profile_load_list(const struct rete_profile_dirs *dirs, const char *list,
			   struct rete_profile_set *set, char *err, size_t errlen);

/*
 * Called for every YAML file of a directory by rete_profile_scan_dir, with
 * its profiles (the callback may move some out, zeroing what it takes), or
 * with err set and no profiles when the file does not parse.
 */
typedef void (*rete_profile_scan_fn)(void *ctx, const char *path,
				     struct rete_profile_set *profiles, const char *err);
/* Parse every .yaml and .yml file of dir in name order and call fn for each. 0 or -errno. */
int rete_profile_scan_dir(const char *dir, rete_profile_scan_fn fn, void *ctx);

/* What the running kernel offers, for conditions and probe checks. NULL members: defaults. */
struct rete_profile_env {
	const char *release;	/* kernel release; NULL: uname -r */
	/* 1 when the symbol exists, 0 when not, -errno; NULL: /proc/kallsyms, then BTF */
	int (*symbol_exists)(void *ctx, const char *symbol);
	/* 0 when the probe can run here, else -errno and why; NULL: by probe type */
	int (*probe_usable)(void *ctx, const char *probe, char *why, size_t whylen);
	/* Informational (warn false) and warning (warn true) messages, one sentence each. */
	void (*notice)(void *ctx, bool warn, const char *msg);
	void *ctx;
};

/* Arguments produced by the profiles (owned strings; argv[argc] is NULL once non-empty). */
struct rete_profile_argv {
	char **argv;
	size_t argc, cap;
};

int rete_profile_argv_add(struct rete_profile_argv *a, const char *s);
void rete_profile_argv_free(struct rete_profile_argv *a);

/*
 * Append to out the arguments every profile of set gives `command`, in
 * order. Per profile: the first entry whose conditions hold and whose probes
 * can all run here applies. An earlier matching entry with probes that cannot
 * run is skipped with one notice. When no such entry exists, the first
 * matching entry applies without the probes that cannot run (one notice names
 * them and why); when none of its probes can run, -EOPNOTSUPP and a sentence
 * in err. No matching entry, or no section for the command: a warning, no
 * arguments. -EINVAL when command does not take profiles.
 */
int rete_profile_expand(const struct rete_profile_set *set, const char *command,
			const struct rete_profile_env *env, struct rete_profile_argv *out,
			char *err, size_t errlen);

/* Default checks, exported for rete inspect and tests. */
int rete_profile_symbol_exists(const char *symbol);
int rete_profile_probe_usable(const char *probe, char *why, size_t whylen);

#endif
