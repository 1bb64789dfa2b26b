#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"

int rete_parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int rete_parse_size(const char *s, uint64_t *ret)
{
	static const struct {
		const char *unit;
		unsigned shift;
	} units[] = {
		{ "", 0 },   { "k", 10 },  { "K", 10 },  { "kB", 10 }, { "KB", 10 },
		{ "M", 20 }, { "MB", 20 }, { "G", 30 },  { "GB", 30 }, { "B", 0 },
	};
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (units[i].shift && v > (UINT64_MAX >> units[i].shift))
			return -ERANGE;
		*ret = (uint64_t)v << units[i].shift;
		return 0;
	}
	return -EINVAL;
}
