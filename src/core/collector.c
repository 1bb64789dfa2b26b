#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/collector.h"
#include "lib/suggest.h"

/* The sentence for an unknown -c name: the closest one, else every name. */
static void unknown_collector(const char *name, char *err, size_t errlen)
{
	size_t n = rete_collectors_count(), used;
	struct rete_suggest s;
	char all[256];

	rete_suggest_init(&s, name);
	rete_suggest_offer(&s, "auto");
	used = (size_t)snprintf(all, sizeof(all), "auto");
	for (size_t i = 0; i < n; i++) {
		const char *c = rete_collector_get(i)->name;

		rete_suggest_offer(&s, c);
		if (used < sizeof(all))
			used += (size_t)snprintf(all + used, sizeof(all) - used, ", %s", c);
	}
	if (s.best)
		snprintf(err, errlen, "unknown collector '%s' (did you mean '%s'?)", name, s.best);
	else
		snprintf(err, errlen, "unknown collector '%s' (collectors: %s)", name, all);
}

int rete_collectors_parse(const char *list, bool ret_named[RETE_COLLECTORS_MAX], bool *ret_auto,
			  char *err, size_t errlen)
{
	size_t n = rete_collectors_count();
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ","), i;
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63), p);
		if (!strcmp(name, "auto")) {
			*ret_auto = true;
		} else {
			for (i = 0; i < n; i++)
				if (!strcmp(name, rete_collector_get(i)->name))
					break;
			if (i == n) {
				unknown_collector(name, err, errlen);
				return -EINVAL;
			}
			ret_named[i] = true;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int rete_collector_check(size_t i, const struct btf *btf, char *why, size_t whylen)
{
	const struct rete_collector_ops *ops;

	if (i >= rete_collectors_count())
		return -EINVAL;
	ops = rete_collector_get(i);
	return ops->check ? ops->check(btf, why, whylen) : 0;
}
