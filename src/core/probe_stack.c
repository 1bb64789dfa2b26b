#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/probe_stack.h"
#include "uapi/rete_config.h"

/* Function names looked at: an open-addressing hash set of owned strings. */
struct rete_probe_stack {
	const struct btf *btf;
	const struct rete_kfuncs *kf;
	char **slots;
	size_t cap, n;
};

static uint64_t hash_name(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int grow(struct rete_probe_stack *ps)
{
	size_t cap = ps->cap ? ps->cap * 2 : 256;
	char **slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < ps->cap; i++) {
		size_t j;

		if (!ps->slots[i])
			continue;
		j = hash_name(ps->slots[i], strlen(ps->slots[i])) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = ps->slots[i];
	}
	free(ps->slots);
	ps->slots = slots;
	ps->cap = cap;
	return 0;
}

/* 1 when name[0..len) was new (now remembered), 0 when seen before, -ENOMEM. */
static int remember(struct rete_probe_stack *ps, const char *name, size_t len)
{
	size_t j;
	int rc;

	if (2 * (ps->n + 1) > ps->cap && (rc = grow(ps)))
		return rc;
	j = hash_name(name, len) & (ps->cap - 1);
	while (ps->slots[j]) {
		if (!strncmp(ps->slots[j], name, len) && !ps->slots[j][len])
			return 0;
		j = (j + 1) & (ps->cap - 1);
	}
	ps->slots[j] = strndup(name, len);
	if (!ps->slots[j])
		return -ENOMEM;
	ps->n++;
	return 1;
}

int rete_probe_stack_new(const struct btf *btf, const struct rete_kfuncs *kf,
			 struct rete_probe_stack **ret)
{
	struct rete_probe_stack *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return -ENOMEM;
	ps->btf = btf;
	ps->kf = kf;
	*ret = ps;
	return 0;
}

void rete_probe_stack_free(struct rete_probe_stack *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->cap; i++)
		free(ps->slots[i]);
	free(ps->slots);
	free(ps);
}

size_t rete_probe_stack_seen(const struct rete_probe_stack *ps)
{
	return ps ? ps->n : 0;
}

int rete_probe_stack_scan(struct rete_probe_stack *ps, const struct rete_ev_kernel *k,
			  struct rete_probe_set *set)
{
	int added = 0;

	if (!k->has_stack)
		return 0;
	for (uint32_t i = 0; i < k->nstack; i++) {
		const char *frame = k->stack[i];
		struct rete_probe_spec spec;
		size_t len, n_before = set->n, dummy;
		char err[256];
		int rc;

		if (!frame)
			continue;
		len = strcspn(frame, "+");
		/* Unsymbolized frames ("0x...") and names too long for a probe. */
		if (!len || !strncmp(frame, "0x", 2) || len >= sizeof(spec.target))
			continue;
		rc = remember(ps, frame, len);
		if (rc < 0)
			return rc;
		if (!rc)
			continue;
		memset(&spec, 0, sizeof(spec));
		spec.type = RETE_PROBE_KPROBE;
		memcpy(spec.target, frame, len);
		spec.target[len] = '\0';
		if (set->n >= RETE_PROBES_MAX)
			return added ? added : -E2BIG;
		/* Functions rete cannot probe (no skb argument, notrace, ...) are just skipped. */
		rc = rete_probe_resolve_kfunc(&spec, ps->btf, ps->kf, RETE_PROBE_F_EMIT, set,
					      &dummy, err, sizeof(err));
		if (rc == -ENOMEM)
			return rc;
		if (rc || set->n == n_before)
			continue;
		set->probes[set->n - 1].optional = true;
		added++;
	}
	return added;
}
