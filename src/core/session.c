/*
 * A collection's BPF side: the probe backends that own its probes, the maps
 * their objects share, and the counters read back from those maps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/backend.h"
#include "core/bpf_obj.h"
#include "core/session.h"
#include "lib/log.h"

static const struct rete_backend_ops *const backend_ops[] = {
	&rete_backend_raw_tp,
	&rete_backend_kprobe,
	&rete_backend_fentry,
};

#define NBACKENDS (sizeof(backend_ops) / sizeof(backend_ops[0]))

struct rete_session {
	const struct rete_probe_set *set;
	const struct btf *btf;
	struct rete_session_opts opts;
	bool cookies;				/* raw tracepoint attach cookies */
	struct rete_shared_maps maps;
	struct rete_splice splices[3];
	size_t nsplices;
	struct rete_backend *backends[NBACKENDS];	/* NULL: no probe of its types */
	int ncpus;
};

bool rete_kernel_has_raw_tp_cookie(const struct btf *btf)
{
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, "bpf_raw_tp_link", BTF_KIND_STRUCT);

	if (id < 0)
		return false;
	t = btf__type_by_id(btf, (uint32_t)id);
	for (unsigned i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, btf_members(t)[i].name_off), "cookie"))
			return true;
	return false;
}

const struct rete_session_opts *rete_session_get_opts(const struct rete_session *s)
{
	return &s->opts;
}

const struct rete_probe_set *rete_session_get_probes(const struct rete_session *s)
{
	return s->set;
}

const struct btf *rete_session_get_btf(const struct rete_session *s)
{
	return s->btf;
}

int rete_session_map_fd(const struct rete_session *s, const char *name)
{
	return rete_shared_maps_fd(&s->maps, name);
}

int rete_session_register_inject(const struct rete_session *s, const char *sec, int prog_type,
				 struct rete_inject_ctx *ctx)
{
	ctx->splices = s->splices;
	ctx->nsplices = s->nsplices;
	return rete_inject_register(sec, (enum bpf_prog_type)prog_type, ctx);
}

int rete_session_prepare_obj(struct rete_session *s, struct bpf_object *obj, char *err,
			     size_t errlen)
{
	int rc;

	if (rete_session_map_fd(s, "rete_events") < 0) {
		struct bpf_map *rb = bpf_object__find_map_by_name(obj, "rete_events");

		rc = rb ? bpf_map__set_max_entries(rb, s->opts.ringbuf_bytes) : -ENOENT;
	} else {
		rc = rete_shared_maps_reuse(&s->maps, obj);
	}
	if (rc)
		snprintf(err, errlen, "cannot share BPF maps: %s", strerror(-rc));
	return rc;
}

int rete_session_adopt_obj(struct rete_session *s, struct bpf_object *obj, char *err,
			   size_t errlen)
{
	int rc = rete_shared_maps_adopt(&s->maps, obj);

	if (rc)
		snprintf(err, errlen, "cannot share BPF maps: %s", strerror(-rc));
	return rc;
}

void rete_session_load_error(int rc, const struct rete_inject_ctx *inject, const char *what,
			     char *err, size_t errlen)
{
	if (inject->err)
		snprintf(err, errlen, "cannot insert the filters into %s: %s", what,
			 strerror(-inject->err));
	else if (rc == -EPERM)
		snprintf(err, errlen,
			 "loading BPF programs was refused (EPERM): run as root or with CAP_BPF "
			 "and CAP_PERFMON");
	else
		snprintf(err, errlen,
			 "the kernel refused %s%s (%s); run with --log-level debug for the "
			 "verifier log",
			 what, inject->nsplices ? " with its filters" : "", strerror(-rc));
}

static uint8_t arg_index(int8_t pos)
{
	return pos < 0 ? RETE_ARG_NONE : (uint8_t)pos;
}

/* Probe ids [first, n) into the probe configuration map. */
static int write_probe_cfg(struct rete_session *s, size_t first)
{
	int fd = rete_session_map_fd(s, "rete_probe_cfg");

	if (fd < 0)
		return fd;
	for (size_t i = first; i < s->set->n; i++) {
		const struct rete_probe *p = &s->set->probes[i];
		struct rete_probe_cfg cfg;
		uint32_t key = (uint32_t)i;

		memset(&cfg, 0, sizeof(cfg));
		cfg.nargs = p->args.nargs;
		cfg.skb_arg = arg_index(p->args.pos[RETE_ARG_SKB]);
		cfg.reason_arg = arg_index(p->args.pos[RETE_ARG_DROP_REASON]);
		cfg.dev_arg = arg_index(p->args.pos[RETE_ARG_NET_DEVICE]);
		cfg.net_arg = arg_index(p->args.pos[RETE_ARG_NET]);
		cfg.flags = p->flags;
		if (bpf_map_update_elem(fd, &key, &cfg, BPF_ANY))
			return -errno;
	}
	return 0;
}

static bool backend_needed(const struct rete_backend_ops *ops, const struct rete_probe_set *set,
			   const struct rete_session_opts *o)
{
	/* --probe-stack adds kprobes later: their program must be there. */
	if (o->probe_stack && ops->add && ops->owns(RETE_PROBE_KPROBE))
		return true;
	for (size_t i = 0; i < set->n; i++)
		if (ops->owns(set->probes[i].type))
			return true;
	return false;
}

int rete_session_new(const struct rete_session_opts *opts, const struct rete_probe_set *set,
		     const struct btf *btf, struct rete_session **ret, char *err, size_t errlen)
{
	struct rete_session *s;
	int rc;

	if (!set->n) {
		snprintf(err, errlen, "no probe to load");
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->set = set;
	s->btf = btf;
	s->opts = *opts;
	/* What only the session knows: which filters exist, how full the ring may get. */
	s->opts.chain.filter_l2 = opts->filter_l2 != NULL;
	s->opts.chain.filter_l3 = opts->filter_l3 != NULL;
	s->opts.chain.filter_meta = opts->filter_meta != NULL;
	s->opts.chain.wakeup_bytes = opts->ringbuf_bytes / 4;
	s->cookies = !opts->no_cookie && rete_kernel_has_raw_tp_cookie(btf);
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		rc = -ENOMEM;
		goto out_free;
	}
	if (opts->filter_l2)
		s->splices[s->nsplices++] = (struct rete_splice){ "rete_filter_packet_l2",
								  opts->filter_l2 };
	if (opts->filter_l3)
		s->splices[s->nsplices++] = (struct rete_splice){ "rete_filter_packet_l3",
								  opts->filter_l3 };
	if (opts->filter_meta)
		s->splices[s->nsplices++] = (struct rete_splice){ "rete_filter_meta",
								  opts->filter_meta };

	for (size_t i = 0; i < NBACKENDS; i++) {
		if (!backend_needed(backend_ops[i], set, opts))
			continue;
		rc = backend_ops[i]->load(s, &s->backends[i], err, errlen);
		if (rc)
			goto out_free;
		log_debug("%s probes: %s", backend_ops[i]->name,
			  backend_ops[i]->describe(s->backends[i]));
	}
	rc = write_probe_cfg(s, 0);
	if (rc) {
		snprintf(err, errlen, "cannot write the probe configuration: %s", strerror(-rc));
		goto out_free;
	}
	*ret = s;
	return 0;
out_free:
	rete_session_free(s);
	return rc;
}

int rete_session_attach(struct rete_session *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < NBACKENDS; i++) {
		struct rete_backend *b = s->backends[i];
		int rc;

		if (!b)
			continue;
		rc = b->ops->attach(b, err, errlen);
		if (rc) {
			rete_session_detach(s);
			return rc;
		}
	}
	return 0;
}

int rete_session_add_probes(struct rete_session *s, size_t first, char *err, size_t errlen)
{
	bool taken = false;
	int rc;

	if (first >= s->set->n)
		return 0;
	for (size_t i = first; i < s->set->n; i++) {
		bool owned = false;

		for (size_t k = 0; k < NBACKENDS; k++)
			owned |= s->backends[k] && s->backends[k]->ops->add &&
				 s->backends[k]->ops->owns(s->set->probes[i].type);
		if (!owned) {
			snprintf(err, errlen, "no loaded probe program can take %s probe '%s'",
				 rete_probe_type_name(s->set->probes[i].type),
				 s->set->probes[i].symbol);
			return -EOPNOTSUPP;
		}
	}
	rc = write_probe_cfg(s, first);
	if (rc) {
		snprintf(err, errlen, "cannot write the probe configuration: %s", strerror(-rc));
		return rc;
	}
	for (size_t k = 0; k < NBACKENDS; k++) {
		struct rete_backend *b = s->backends[k];

		if (!b || !b->ops->add)
			continue;
		rc = b->ops->add(b, first, err, errlen);
		if (rc)
			return rc;
		taken = true;
	}
	return taken ? 0 : -EOPNOTSUPP;
}

void rete_session_detach(struct rete_session *s)
{
	for (size_t i = 0; i < NBACKENDS; i++)
		if (s->backends[i])
			s->backends[i]->ops->detach(s->backends[i]);
}

void rete_session_free(struct rete_session *s)
{
	if (!s)
		return;
	rete_session_detach(s);
	for (size_t i = 0; i < NBACKENDS; i++)
		if (s->backends[i])
			s->backends[i]->ops->free(s->backends[i]);
	rete_shared_maps_release(&s->maps);
	free(s);
}

bool rete_session_uses_cookies(const struct rete_session *s)
{
	return s->cookies;
}

int rete_session_events_fd(const struct rete_session *s)
{
	return rete_session_map_fd(s, "rete_events");
}

int rete_session_probe_counters(const struct rete_session *s, uint32_t probe_id,
				struct rete_probe_counters *ret)
{
	struct rete_probe_counters *v, sum;
	int rc = 0;

	v = calloc((size_t)s->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(rete_session_map_fd(s, "rete_counters"), &probe_id, v)) {
		rc = -errno;
		goto out;
	}
	memset(&sum, 0, sizeof(sum));
	for (int c = 0; c < s->ncpus; c++) {
		sum.hits += v[c].hits;
		sum.emitted += v[c].emitted;
		sum.lost += v[c].lost;
		sum.filtered += v[c].filtered;
	}
	*ret = sum;
out:
	free(v);
	return rc;
}

uint64_t rete_session_gcounter(const struct rete_session *s, enum rete_gcounter c)
{
	uint64_t *v, sum = 0;
	uint32_t key = c;

	v = calloc((size_t)s->ncpus, sizeof(*v));
	if (!v)
		return 0;
	if (!bpf_map_lookup_elem(rete_session_map_fd(s, "rete_gcounters"), &key, v))
		for (int i = 0; i < s->ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

uint64_t rete_session_recursion_misses(const struct rete_session *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < NBACKENDS; i++)
		if (s->backends[i])
			sum += s->backends[i]->ops->recursion_misses(s->backends[i]);
	return sum;
}

size_t rete_session_attach_skipped(const struct rete_session *s)
{
	size_t sum = 0;

	for (size_t i = 0; i < NBACKENDS; i++)
		if (s->backends[i])
			sum += s->backends[i]->ops->skipped(s->backends[i]);
	return sum;
}

int rete_session_tracking_gc(struct rete_session *s, uint64_t now_ns, uint64_t max_age_ns)
{
	int fd = rete_session_map_fd(s, "rete_tracking");
	uint64_t key, next, stale[256];
	struct rete_tracking_info info;
	size_t nstale = 0;
	int removed = 0;
	void *prev = NULL;

	for (size_t i = 0; i < NBACKENDS; i++)
		if (s->backends[i] && s->backends[i]->ops->gc)
			s->backends[i]->ops->gc(s->backends[i], now_ns, max_age_ns);

	/*
	 * Collect a batch first: deleting while iterating restarts the walk. A
	 * full batch means there may be more: walk again, up to the whole table.
	 */
	for (int round = 0; round < RETE_TRACKING_MAX / 256 + 1; round++) {
		nstale = 0;
		prev = NULL;
		while (!bpf_map_get_next_key(fd, prev, &next)) {
			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(fd, &key, &info))
				continue;
			if (now_ns > info.last_seen && now_ns - info.last_seen > max_age_ns) {
				stale[nstale++] = key;
				if (nstale == sizeof(stale) / sizeof(stale[0]))
					break;
			}
		}
		for (size_t i = 0; i < nstale; i++)
			if (!bpf_map_delete_elem(fd, &stale[i]))
				removed++;
		if (nstale < sizeof(stale) / sizeof(stale[0]))
			break;
	}
	return removed;
}
