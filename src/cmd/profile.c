/* rete profile list, and applying -p/--profile to a command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/log.h"
#include "lib/opts.h"
#include "lib/suggest.h"
#include "profiles/profile.h"

/* Rows of `rete profile list`: bounded like everything a user controls. */
#define LIST_MAX 1024

static void profile_notice(void *ctx, bool warn, const char *msg)
{
	if (warn)
		log_warn("%s", msg);
	else
		log_info("%s", msg);
}

int rete_profiles_apply(const struct rete_global *g, const char *const *lists, size_t nlists,
			int argc, char **argv, struct rete_profile_argv *ret)
{
	struct rete_profile_env env = { .notice = profile_notice };
	struct rete_profile_set set = { 0 };
	struct rete_profile_dirs dirs;
	struct rete_profile_argv out = { 0 };
	char err[1024];
	int rc, code = RETE_EXIT_USAGE;

	rc = rete_profile_dirs_default(g->profiles_dir, &dirs);
	if (rc) {
		log_error("cannot use profile directory %s: %s", g->profiles_dir, strerror(-rc));
		return RETE_EXIT_USAGE;
	}
	if (!rete_profile_command_known(argv[0])) {
		log_error("profiles (-p) apply to collect and pcap, not to '%s'", argv[0]);
		goto out;
	}
	for (size_t i = 0; i < nlists; i++) {
		rc = rete_profile_load_list(&dirs, lists[i], &set, err, sizeof(err));
		if (rc) {
			log_error("%s", err);
			code = rc == -ENOENT ? RETE_EXIT_USAGE : RETE_EXIT_FAIL;
			goto out;
		}
	}
	rc = rete_profile_argv_add(&out, argv[0]);
	if (!rc)
		rc = rete_profile_expand(&set, argv[0], &env, &out, err, sizeof(err));
	if (rc) {
		log_error("%s", rc == -ENOMEM ? "out of memory" : err);
		code = rc == -EOPNOTSUPP ? RETE_EXIT_FAIL : RETE_EXIT_USAGE;
		goto out;
	}
	for (int i = 1; i < argc && !rc; i++)
		rc = rete_profile_argv_add(&out, argv[i]);
	if (rc) {
		log_error("out of memory");
		code = RETE_EXIT_FAIL;
		goto out;
	}
	*ret = out;
	memset(&out, 0, sizeof(out));
	code = RETE_EXIT_OK;
out:
	rete_profile_argv_free(&out);
	rete_profile_set_free(&set);
	rete_profile_dirs_free(&dirs);
	return code;
}

/* rete profile list */

struct row {
	char *name, *about, *path;
	bool shadowed;
};

struct list_ctx {
	struct row rows[LIST_MAX];
	size_t n;
	size_t dir_first;	/* first row of the directory being scanned */
	bool truncated;
};

static bool seen_before(const struct list_ctx *l, const char *name)
{
	for (size_t i = 0; i < l->dir_first; i++)
		if (!strcmp(l->rows[i].name, name))
			return true;
	return false;
}

static void list_file(void *ctx, const char *path, struct rete_profile_set *set, const char *err)
{
	struct list_ctx *l = ctx;

	if (err) {
		log_warn("%s (file skipped)", err);
		return;
	}
	for (size_t i = 0; i < set->n; i++) {
		const struct rete_profile *p = &set->profiles[i];
		struct row *r;

		if (l->n == LIST_MAX) {
			l->truncated = true;
			return;
		}
		r = &l->rows[l->n];
		r->name = strdup(p->name);
		r->about = strdup(p->about ? p->about : "");
		r->path = strdup(path);
		if (!r->name || !r->about || !r->path) {
			free(r->name);
			free(r->about);
			free(r->path);
			l->truncated = true;
			return;
		}
		r->shadowed = seen_before(l, p->name);
		l->n++;
	}
}

static int profile_list(const struct rete_global *g)
{
	struct list_ctx *l = calloc(1, sizeof(*l));
	struct rete_profile_dirs dirs;
	int wname = 4, wpath = 4, rc, code = RETE_EXIT_OK;
	bool any_shadowed = false;

	if (!l) {
		log_error("out of memory");
		return RETE_EXIT_FAIL;
	}
	rc = rete_profile_dirs_default(g->profiles_dir, &dirs);
	if (rc) {
		log_error("cannot use profile directory %s: %s", g->profiles_dir, strerror(-rc));
		free(l);
		return RETE_EXIT_USAGE;
	}
	for (size_t i = 0; i < dirs.n; i++) {
		l->dir_first = l->n;
		rc = rete_profile_scan_dir(dirs.dirs[i], list_file, l);
		if (rc)
			log_warn("cannot read profile directory %s: %s", dirs.dirs[i],
				 strerror(-rc));
	}
	if (l->truncated)
		log_warn("only the first %d profiles are listed", LIST_MAX);
	if (!l->n) {
		log_info("No profile found (looked in: %s%s%s%s)",
			 dirs.n ? dirs.dirs[0] : "no existing directory", dirs.n > 1 ? ", " : "",
			 dirs.n > 1 ? dirs.dirs[1] : "", dirs.n > 2 ? ", ..." : "");
		goto out;
	}
	for (size_t i = 0; i < l->n; i++) {
		int n = (int)strlen(l->rows[i].name), p = (int)strlen(l->rows[i].path);

		wname = n > wname ? n : wname;
		wpath = p > wpath ? p : wpath;
		any_shadowed |= l->rows[i].shadowed;
	}
	printf("%-*s  %-*s  %s\n", wname, "NAME", wpath, "FILE", "ABOUT");
	for (size_t i = 0; i < l->n; i++)
		printf("%-*s  %-*s  %s%s\n", wname, l->rows[i].name, wpath, l->rows[i].path,
		       l->rows[i].shadowed ? "(hidden by the one above) " : "", l->rows[i].about);
	if (fflush(stdout)) {
		log_error("cannot write the list: %s", strerror(errno));
		code = RETE_EXIT_FAIL;
	}
	if (any_shadowed)
		log_info("A profile found earlier in the search path hides later ones of the "
			 "same name (-P DIR, ~/.config/rete/profiles, " RETE_DATADIR
			 "/profiles, then the source tree)");
out:
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i].name);
		free(l->rows[i].about);
		free(l->rows[i].path);
	}
	free(l);
	rete_profile_dirs_free(&dirs);
	return code;
}

enum { OPT_HELP };

static const struct rete_opt profile_opts[] = {
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

static int profile_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
			   size_t errlen)
{
	*(bool *)ctx = true;
	return 0;
}

const struct rete_cmd rete_cmd_profile_desc = {
	.name = "profile",
	.summary = "List profiles (named sets of arguments, applied with -p)",
	.synopsis = "list",
	.description = "Manage profiles: named sets of command-line arguments (YAML files).\n\n"
		       "Sub-commands:\n"
		       "  list       List every profile on the search path: name, file, about\n",
	.notes = "Search path, first match wins: -P/--extra-profiles-dir DIR,\n"
		 "~/.config/rete/profiles, " RETE_DATADIR "/profiles, then profiles/ of the\n"
		 "source tree when rete runs from its build directory. Apply profiles with\n"
		 "rete -p NAME[,NAME...] COMMAND (a path to a YAML file works too).\n\n"
		 "Format (Retis's): a YAML document with version (1.0), name, about, and per\n"
		 "command (collect, pcap) a list of entries; each entry has optional name,\n"
		 "optional when (a list of conditions that must all hold: type: version with\n"
		 "version: \">=5.17, <7\" (=, !=, >, >=, <, <= joined by ','), or type: symbol\n"
		 "with name: GROUP:EVENT or a kernel function and exists: true|false) and args\n"
		 "(option: value, option: [values] repeating it, or option: ~ for a flag;\n"
		 "underscores read as dashes). For the command run, the first entry whose\n"
		 "conditions hold applies; its arguments go before the ones typed, so a\n"
		 "single-value option typed wins and repeatable ones add up. Probes this kernel\n"
		 "cannot attach are left out with one notice; a profile with nothing left that\n"
		 "can run is an error.\n\n"
		 "  version: 1.0\n"
		 "  name: mydrops\n"
		 "  about: Drops with stacks\n"
		 "  collect:\n"
		 "    - when:\n"
		 "        - type: symbol\n"
		 "          name: skb:kfree_skb\n"
		 "      args:\n"
		 "        collectors: skb-drop,skb,dev,ns\n"
		 "        probe: tp:skb:kfree_skb/stack\n",
	.examples = "  rete profile list\n"
		    "  rete -P ./my-profiles profile list\n"
		    "  rete -p dropmon collect\n"
		    "  rete -p dropmon,./mine.yaml collect -o drops.json\n",
	.opts = profile_opts,
	.nopts = sizeof(profile_opts) / sizeof(profile_opts[0]),
	.pos = RETE_CMD_POS_WORDS,
	.pos_words = "list",
	.run = rete_cmd_profile,
};

int rete_cmd_profile(const struct rete_global *g, int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	size_t npos = 0;
	bool help = false;
	char err[256];
	int rc;

	rc = rete_opts_parse(profile_opts, sizeof(profile_opts) / sizeof(profile_opts[0]),
			     argc - 1, argv + 1, false, profile_handler, &help, pos, 2, &npos, err,
			     sizeof(err));
	if (rc < 0) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	if (help) {
		rete_cmd_usage(stdout, &rete_cmd_profile_desc);
		return RETE_EXIT_OK;
	}
	/* As in Retis, list is the default sub-command. */
	if (!npos || !strcmp(pos[0], "list")) {
		if (npos > 1) {
			log_error("unexpected argument '%s' after 'list'", pos[1]);
			return RETE_EXIT_USAGE;
		}
		return profile_list(g);
	}
	{
		struct rete_suggest s;

		rete_suggest_init(&s, pos[0]);
		rete_suggest_offer(&s, "list");
		log_error("unknown profile sub-command '%s' (%s)", pos[0],
			  s.best ? "did you mean 'list'?" : "the only one is 'list'");
	}
	return RETE_EXIT_USAGE;
}
