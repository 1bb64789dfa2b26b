#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "events/version.h"

char *rete_format_version(char *ret, size_t len, const char *rete_version)
{
	snprintf(ret, len, "v%d.%d.%d+rete-%s", RETE_FORMAT_MAJOR, RETE_FORMAT_MINOR,
		 RETE_FORMAT_PATCH, rete_version);
	return ret;
}

/* One decimal number of a semantic version: digits, no leading zero but "0". */
static const char *number(const char *p, const char *end, unsigned *ret)
{
	unsigned long v = 0;
	const char *start = p;

	while (p < end && *p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 0xffffffffUL)
			return NULL;
		p++;
	}
	if (p == start || (*start == '0' && p - start > 1))
		return NULL;
	*ret = (unsigned)v;
	return p;
}

int rete_format_version_parse(const char *v, unsigned *ret_major, unsigned *ret_minor,
			      unsigned *ret_patch)
{
	const char *end = v + strcspn(v, "-+");
	unsigned n[3];

	if (*v == 'v')
		v++;
	for (int i = 0; i < 3; i++) {
		v = v < end ? number(v, end, &n[i]) : NULL;
		if (!v || (i < 2 && (v >= end || *v++ != '.')))
			return -EINVAL;
	}
	if (v != end)
		return -EINVAL;
	*ret_major = n[0];
	*ret_minor = n[1];
	*ret_patch = n[2];
	return 0;
}
