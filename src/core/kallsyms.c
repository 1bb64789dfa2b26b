#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kallsyms.h"

struct ksym {
	uint64_t addr;
	uint32_t name_off;
};

struct rete_kallsyms {
	struct ksym *syms;
	size_t nsyms, cap;
	char *names;
	size_t names_len, names_cap;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int push(struct rete_kallsyms *ks, uint64_t addr, const char *name, size_t nlen)
{
	if (ks->nsyms == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 65536;
		struct ksym *s = realloc(ks->syms, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		ks->syms = s;
		ks->cap = cap;
	}
	if (ks->names_len + nlen + 1 > ks->names_cap) {
		size_t cap = ks->names_cap ? ks->names_cap * 2 : 1 << 20;
		char *n;

		while (cap < ks->names_len + nlen + 1)
			cap *= 2;
		n = realloc(ks->names, cap);
		if (!n)
			return -ENOMEM;
		ks->names = n;
		ks->names_cap = cap;
	}
	if (ks->names_len > UINT32_MAX)
		return -E2BIG;
	ks->syms[ks->nsyms].addr = addr;
	ks->syms[ks->nsyms].name_off = (uint32_t)ks->names_len;
	memcpy(ks->names + ks->names_len, name, nlen);
	ks->names[ks->names_len + nlen] = '\0';
	ks->names_len += nlen + 1;
	ks->nsyms++;
	return 0;
}

int rete_kallsyms_load(const char *path, struct rete_kallsyms **ret)
{
	struct rete_kallsyms *ks;
	char line[512];
	FILE *f;
	int err = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	ks = calloc(1, sizeof(*ks));
	if (!ks) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		char *end, *name, *type;
		uint64_t addr = strtoull(line, &end, 16);
		size_t nlen;

		type = end + 1;
		if (*end != ' ' || !*type || type[1] != ' ')
			continue;
		if (*type != 't' && *type != 'T')
			continue;
		name = type + 2;
		nlen = strcspn(name, " \t\n");
		err = push(ks, addr, name, nlen);
		if (err)
			break;
	}
	fclose(f);
	if (err) {
		rete_kallsyms_free(ks);
		return err;
	}
	/* An empty file leaves syms NULL, which qsort() must not be given. */
	if (ks->nsyms)
		qsort(ks->syms, ks->nsyms, sizeof(*ks->syms), cmp_ksym);
	*ret = ks;
	return 0;
}

void rete_kallsyms_free(struct rete_kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->names);
	free(ks);
}

size_t rete_kallsyms_count(const struct rete_kallsyms *ks)
{
	return ks ? ks->nsyms : 0;
}

const char *rete_kallsyms_fmt(const struct rete_kallsyms *ks, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi = ks ? ks->nsyms : 0;

	/* Last symbol whose address is <= addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !ks->syms[lo - 1].addr) {
		snprintf(buf, len, "0x%" PRIx64, addr);
		return buf;
	}
	snprintf(buf, len, "%s+0x%" PRIx64, ks->names + ks->syms[lo - 1].name_off,
		 addr - ks->syms[lo - 1].addr);
	return buf;
}

uint64_t rete_kallsyms_addr(const struct rete_kallsyms *ks, const char *name)
{
	for (size_t i = 0; ks && i < ks->nsyms; i++)
		if (!strcmp(ks->names + ks->syms[i].name_off, name))
			return ks->syms[i].addr;
	return 0;
}
