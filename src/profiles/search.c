/* Finding profiles: the search path, lookup by name or path, directory scans. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/prog.h"
#include "lib/strbuf.h"
#include "lib/suggest.h"
#include "profiles/profile.h"

#ifndef RETE_DATADIR
#define RETE_DATADIR "/usr/local/share/rete"
#endif

/* Directory entries looked at per directory: profiles are few, a directory may not be. */
#define SCAN_FILES_MAX 1024

int rete_profile_dirs_add(struct rete_profile_dirs *dirs, const char *dir)
{
	char *real = realpath(dir, NULL);
	struct stat st;

	if (!real)
		return -errno;
	if (stat(real, &st) || !S_ISDIR(st.st_mode)) {
		free(real);
		return -ENOTDIR;
	}
	for (size_t i = 0; i < dirs->n; i++) {
		if (!strcmp(dirs->dirs[i], real)) {
			free(real);
			return 0;
		}
	}
	if (dirs->n == RETE_PROFILE_DIRS_MAX) {
		free(real);
		return -E2BIG;
	}
	dirs->dirs[dirs->n++] = real;
	return 0;
}

void rete_profile_dirs_free(struct rete_profile_dirs *dirs)
{
	for (size_t i = 0; i < dirs->n; i++)
		free(dirs->dirs[i]);
	dirs->n = 0;
}

/* Retis's profile directories (after rete's own, or first when running as retis). */
static void add_retis_dirs(struct rete_profile_dirs *d, const char *home)
{
	char path[PATH_MAX + 32];

	if (home && *home) {
		snprintf(path, sizeof(path), "%s/.config/retis/profiles", home);
		rete_profile_dirs_add(d, path);
	}
	rete_profile_dirs_add(d, "/etc/retis/profiles");
	rete_profile_dirs_add(d, "/usr/share/retis/profiles");
}

int rete_profile_dirs_default(const char *extra_dir, struct rete_profile_dirs *ret)
{
	struct rete_profile_dirs d = { .n = 0 };
	char path[PATH_MAX + 32], exe[PATH_MAX];
	const char *home = getenv("HOME");
	ssize_t n;
	int rc;

	if (extra_dir) {
		rc = rete_profile_dirs_add(&d, extra_dir);
		if (rc)
			return rc;
	}
	if (rete_prog_is_retis())
		add_retis_dirs(&d, home);
	if (home && *home) {
		snprintf(path, sizeof(path), "%s/.config/rete/profiles", home);
		rete_profile_dirs_add(&d, path);
	}
	rete_profile_dirs_add(&d, RETE_DATADIR "/profiles");
	/* build/rete -> build/../profiles: the repository's own, when not installed. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/../profiles", exe);
			rete_profile_dirs_add(&d, path);
		}
	}
	/* Then Retis's, so that a Retis user's profiles work unchanged. */
	add_retis_dirs(&d, home);
	*ret = d;
	return 0;
}

static bool yaml_name(const char *name)
{
	size_t len = strlen(name);

	if (name[0] == '.')
		return false;
	return (len > 5 && !strcmp(name + len - 5, ".yaml")) ||
	       (len > 4 && !strcmp(name + len - 4, ".yml"));
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rete_profile_scan_dir(const char *dir, rete_profile_scan_fn fn, void *ctx)
{
	char *names[SCAN_FILES_MAX];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < SCAN_FILES_MAX) {
		if (!yaml_name(de->d_name))
			continue;
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc)
		qsort(names, n, sizeof(names[0]), cmp_strp);
	for (size_t i = 0; i < n && !rc; i++) {
		struct rete_profile_set set = { 0 };
		char path[PATH_MAX], err[512];
		struct stat st;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path))
			continue;
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (rete_profile_parse_file(path, &set, err, sizeof(err)))
			fn(ctx, path, &set, err);
		else
			fn(ctx, path, &set, NULL);
		rete_profile_set_free(&set);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

/* Whether a -p item names a file rather than a profile. */
static bool is_path(const char *item)
{
	size_t len = strlen(item);

	return strchr(item, '/') || (len > 5 && !strcmp(item + len - 5, ".yaml")) ||
	       (len > 4 && !strcmp(item + len - 4, ".yml"));
}

struct lookup {
	const char *name;
	struct rete_profile found;	/* moved out of the scanned file */
	char found_path[PATH_MAX];
	bool have;
	int rc;			/* first hard error */
	char *err;
	size_t errlen;
	/* For "did you mean" and the list of known names. */
	struct rete_suggest sg;
	char best[128];
	struct rete_strbuf names;
	size_t nnames;
};

static void add_name(struct lookup *l, const char *name)
{
	const char *all = rete_strbuf_str(&l->names);
	size_t len = strlen(name);

	for (const char *p = all; (p = strstr(p, name)); p += len)
		if ((p == all || p[-1] == ' ') && (p[len] == ',' || !p[len]))
			return;
	if (l->nnames++)
		rete_strbuf_adds(&l->names, ", ");
	rete_strbuf_adds(&l->names, name);
	rete_suggest_offer(&l->sg, name);
	if (l->sg.best == name) {
		snprintf(l->best, sizeof(l->best), "%s", name);
		l->sg.best = l->best;
	}
}

/* File name without directory and .yaml/.yml. */
static bool stem_is(const char *path, const char *name)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(name);

	return !strncmp(base, name, len) &&
	       (!strcmp(base + len, ".yaml") || !strcmp(base + len, ".yml"));
}

static void lookup_file(void *ctx, const char *path, struct rete_profile_set *set,
			const char *err)
{
	struct lookup *l = ctx;

	if (l->rc)
		return;
	if (err) {
		/* A broken mine.yaml is the likely home of profile "mine": say why. */
		if (stem_is(path, l->name)) {
			snprintf(l->err, l->errlen, "%s", err);
			l->rc = -EINVAL;
		}
		return;
	}
	for (size_t i = 0; i < set->n; i++) {
		struct rete_profile *p = &set->profiles[i];

		add_name(l, p->name);
		if (strcmp(p->name, l->name))
			continue;
		if (l->have) {
			snprintf(l->err, l->errlen,
				 "two profiles are named '%s' in the same directory: %s and %s",
				 l->name, l->found_path, path);
			l->rc = -EEXIST;
			return;
		}
		l->found = *p;
		memset(p, 0, sizeof(*p));
		snprintf(l->found_path, sizeof(l->found_path), "%s", path);
		l->have = true;
	}
}

static int append(struct rete_profile_set *set, struct rete_profile *p)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		struct rete_profile *np = realloc(set->profiles, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		set->profiles = np;
		set->cap = cap;
	}
	set->profiles[set->n++] = *p;
	return 0;
}

static int load_name(const struct rete_profile_dirs *dirs, const char *name,
		     struct rete_profile_set *set, char *err, size_t errlen)
{
	struct lookup l = { .name = name, .err = err, .errlen = errlen,
			    .names = RETE_STRBUF_INIT };
	struct rete_strbuf where = RETE_STRBUF_INIT;
	int rc;

	rete_suggest_init(&l.sg, name);
	for (size_t i = 0; i < dirs->n && !l.have && !l.rc; i++)
		rete_profile_scan_dir(dirs->dirs[i], lookup_file, &l);
	rc = l.rc;
	if (!rc && !l.have) {
		rc = -ENOENT;
		for (size_t i = 0; i < dirs->n; i++)
			rete_strbuf_addf(&where, "%s%s", i ? ", " : "", dirs->dirs[i]);
		if (l.sg.best)
			snprintf(err, errlen, "unknown profile '%s' (did you mean '%s'?)", name,
				 l.sg.best);
		else if (l.nnames)
			snprintf(err, errlen,
				 "unknown profile '%s' (profiles: %s; see rete profile list)", name,
				 rete_strbuf_str(&l.names));
		else
			snprintf(err, errlen, "unknown profile '%s': no profile found in %s", name,
				 dirs->n ? rete_strbuf_str(&where) : "any profile directory");
	} else if (!rc) {
		rc = append(set, &l.found);
		if (rc)
			snprintf(err, errlen, "out of memory");
		else
			l.have = false;
	}
	if (l.have)
		rete_profile_free(&l.found);
	rete_strbuf_free(&l.names);
	rete_strbuf_free(&where);
	return rc;
}

int rete_profile_load_list(const struct rete_profile_dirs *dirs, const char *list,
			   struct rete_profile_set *set, char *err, size_t errlen)
{
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ","), before = set->n;
		char item[PATH_MAX];
		int rc;

		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!len) {
			snprintf(err, errlen, "empty profile name in '%s'", list);
			return -EINVAL;
		}
		if (len >= sizeof(item)) {
			snprintf(err, errlen, "profile name '%.40s...' is too long", p);
			return -ENAMETOOLONG;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (is_path(item)) {
			rc = rete_profile_parse_file(item, set, err, errlen);
			if (!rc && set->n == before) {
				snprintf(err, errlen, "no profile in %s (an empty YAML file)",
					 item);
				rc = -ENOENT;
			}
		} else {
			rc = load_name(dirs, item, set, err, errlen);
		}
		if (rc)
			return rc;
		p += strcspn(p, ",");
		if (!*p)
			return 0;
		p++;
	}
}
