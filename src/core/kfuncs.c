#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kfuncs.h"

/* A sorted set of names, stored back to back in one buffer. */
struct name_set {
	char *buf;
	size_t len, cap;
	size_t *offs;
	size_t n, offs_cap;
};

struct rete_kfuncs {
	enum rete_kfuncs_source source;
	struct name_set funcs, blacklist;
};

static int set_push(struct name_set *s, const char *name, size_t nlen)
{
	if (s->n == s->offs_cap) {
		size_t cap = s->offs_cap ? s->offs_cap * 2 : 4096;
		size_t *o = reallocarray(s->offs, cap, sizeof(*o));

		if (!o)
			return -ENOMEM;
		s->offs = o;
		s->offs_cap = cap;
	}
	if (s->len + nlen + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 1 << 16;
		char *b;

		while (cap < s->len + nlen + 1)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, name, nlen);
	s->buf[s->len + nlen] = '\0';
	s->offs[s->n++] = s->len;
	s->len += nlen + 1;
	return 0;
}

/* qsort has no context argument: sort pointers, then turn them back into offsets. */
static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int set_finish(struct name_set *s)
{
	const char **p;
	size_t k = 0;

	if (!s->n)
		return 0;
	p = calloc(s->n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		p[i] = s->buf + s->offs[i];
	qsort(p, s->n, sizeof(*p), cmp_strp);
	/* Static functions of the same name appear once per copy: keep one. */
	for (size_t i = 0; i < s->n; i++)
		if (!k || strcmp(p[i], s->buf + s->offs[k - 1]))
			s->offs[k++] = (size_t)(p[i] - s->buf);
	s->n = k;
	free(p);
	return 0;
}

static bool set_has(const struct name_set *s, const char *name)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, s->buf + s->offs[mid]);

		if (!c)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

static void set_free(struct name_set *s)
{
	free(s->buf);
	free(s->offs);
	memset(s, 0, sizeof(*s));
}

/* The function name of one line, or NULL to skip the line; *ret_len its length. */
static const char *line_name(char *line, enum rete_kfuncs_source source, size_t *ret_len)
{
	char *name = line;

	if (source == RETE_KFUNCS_KALLSYMS) {
		char *type;

		/* "ffffffff81000000 T name\t[module]": text symbols only. */
		type = strchr(line, ' ');
		if (!type || !type[1] || type[2] != ' ')
			return NULL;
		type++;
		if (*type != 't' && *type != 'T')
			return NULL;
		name = type + 2;
	}
	*ret_len = strcspn(name, " \t\n");
	return *ret_len ? name : NULL;
}

static int load_list(struct name_set *s, const char *path, enum rete_kfuncs_source source)
{
	char line[512];
	FILE *f = fopen(path, "re");
	int rc = 0;

	if (!f)
		return -errno;
	while (!rc && fgets(line, sizeof(line), f)) {
		const char *name;
		size_t len;

		name = line_name(line, source, &len);
		if (name)
			rc = set_push(s, name, len);
	}
	if (!rc && ferror(f))
		rc = -EIO;
	fclose(f);
	return rc ? rc : set_finish(s);
}

/* "0xffffffff81000000-0xffffffff81000040\tname" lines. */
static int load_blacklist(struct name_set *s, const char *path)
{
	char line[512];
	FILE *f = fopen(path, "re");
	int rc = 0;

	if (!f)
		return -errno;
	while (!rc && fgets(line, sizeof(line), f)) {
		char *name = line + strcspn(line, " \t");
		size_t len;

		name += strspn(name, " \t");
		len = strcspn(name, " \t\n");
		if (len)
			rc = set_push(s, name, len);
	}
	fclose(f);
	return rc ? rc : set_finish(s);
}

int rete_kfuncs_load_files(const char *path, enum rete_kfuncs_source source,
			   const char *blacklist, struct rete_kfuncs **ret)
{
	struct rete_kfuncs *kf;
	int rc;

	if ((unsigned)source >= RETE_KFUNCS_SOURCE_MAX)
		return -EINVAL;
	kf = calloc(1, sizeof(*kf));
	if (!kf)
		return -ENOMEM;
	kf->source = source;
	rc = load_list(&kf->funcs, path, source);
	if (rc)
		goto out_free;
	/* The blacklist only refines the list: without it, the kernel says no at attach. */
	if (blacklist) {
		rc = load_blacklist(&kf->blacklist, blacklist);
		if (rc == -ENOMEM)
			goto out_free;
	}
	*ret = kf;
	return 0;
out_free:
	rete_kfuncs_free(kf);
	return rc;
}

int rete_kfuncs_load(const char *tracefs_dir, struct rete_kfuncs **ret)
{
	char path[320];
	int rc = -ENOENT;

	if (tracefs_dir && tracefs_dir[0]) {
		snprintf(path, sizeof(path), "%s/available_filter_functions", tracefs_dir);
		rc = rete_kfuncs_load_files(path, RETE_KFUNCS_TRACEFS, RETE_KPROBE_BLACKLIST_PATH,
					    ret);
		if (rc == -ENOMEM)
			return rc;
	}
	if (rc)
		rc = rete_kfuncs_load_files(RETE_KALLSYMS_PATH, RETE_KFUNCS_KALLSYMS,
					    RETE_KPROBE_BLACKLIST_PATH, ret);
	return rc;
}

void rete_kfuncs_free(struct rete_kfuncs *kf)
{
	if (!kf)
		return;
	set_free(&kf->funcs);
	set_free(&kf->blacklist);
	free(kf);
}

bool rete_kfuncs_traceable(const struct rete_kfuncs *kf, const char *name)
{
	return set_has(&kf->funcs, name);
}

bool rete_kfuncs_blacklisted(const struct rete_kfuncs *kf, const char *name)
{
	return set_has(&kf->blacklist, name);
}

const char *rete_kfuncs_source_name(const struct rete_kfuncs *kf)
{
	return kf->source == RETE_KFUNCS_TRACEFS ? "available_filter_functions" :
						   RETE_KALLSYMS_PATH;
}

size_t rete_kfuncs_count(const struct rete_kfuncs *kf)
{
	return kf->funcs.n;
}

size_t rete_kfuncs_blacklist_count(const struct rete_kfuncs *kf)
{
	return kf->blacklist.n;
}
