#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/session.h"
#include "filter/inject.h"
#include "lib/log.h"
#include "raw_tp.skel.h"

struct rete_session {
	const struct rete_probe_set *set;
	struct rete_session_opts opts;
	bool cookies;
	struct rete_raw_tp *main;	/* owns the shared maps */
	struct rete_raw_tp **inst;	/* fallback: one instance per probe (NULL with cookies) */
	int *link_fds;			/* one per probe, -1 when not attached */
	int ncpus;
	struct rete_splice splices[3];
	struct rete_inject_ctx inject;
	int handler_id;
};

/* BPF_RAW_TRACEPOINT_OPEN attr with the cookie field (kernel >= 6.10). */
struct raw_tp_open_attr {
	uint64_t name;
	uint32_t prog_fd;
	uint32_t pad;
	uint64_t cookie;
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

static int raw_tp_open(const char *name, int prog_fd, bool with_cookie, uint64_t cookie)
{
	struct raw_tp_open_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.name = (uint64_t)(uintptr_t)name;
	attr.prog_fd = (uint32_t)prog_fd;
	attr.cookie = cookie;
	fd = (int)syscall(__NR_bpf, 17 /* BPF_RAW_TRACEPOINT_OPEN */, &attr,
			  with_cookie ? sizeof(attr) : offsetof(struct raw_tp_open_attr, cookie));
	return fd < 0 ? -errno : fd;
}

static void configure_rodata(struct rete_raw_tp *skel, const struct rete_session_opts *o,
			     bool cookies, uint32_t probe_id)
{
	skel->rodata->rete_cfg_skb = o->skb;
	skel->rodata->rete_cfg_skb_sections = o->skb_sections;
	skel->rodata->rete_cfg_drop = o->drop;
	skel->rodata->rete_cfg_tracking = o->tracking;
	skel->rodata->rete_cfg_dev = o->dev;
	skel->rodata->rete_cfg_ns = o->ns;
	skel->rodata->rete_cfg_stack_all = o->stack_all;
	skel->rodata->rete_cfg_wakeup_bytes = o->ringbuf_bytes / 4;
	skel->rodata->rete_cfg_use_cookie = cookies;
	skel->rodata->rete_cfg_probe_id = probe_id;
	skel->rodata->rete_cfg_filter_l2 = o->filter_l2 != NULL;
	skel->rodata->rete_cfg_filter_l3 = o->filter_l3 != NULL;
	skel->rodata->rete_cfg_filter_meta = o->filter_meta != NULL;
	skel->rodata->rete_cfg_filter_strict = o->filter_strict;
}

static int reuse_maps(struct rete_raw_tp *dst, const struct rete_raw_tp *src)
{
	struct {
		struct bpf_map *d;
		const struct bpf_map *s;
	} m[] = {
		{ dst->maps.rete_events, src->maps.rete_events },
		{ dst->maps.rete_probe_cfg, src->maps.rete_probe_cfg },
		{ dst->maps.rete_counters, src->maps.rete_counters },
		{ dst->maps.rete_gcounters, src->maps.rete_gcounters },
		{ dst->maps.rete_tracking, src->maps.rete_tracking },
		{ dst->maps.rete_scratch_map, src->maps.rete_scratch_map },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		int rc = bpf_map__reuse_fd(m[i].d, bpf_map__fd(m[i].s));

		if (rc)
			return rc;
	}
	return 0;
}

static int load_instance(struct rete_session *s, uint32_t probe_id, struct rete_raw_tp **ret,
			 char *err, size_t errlen)
{
	struct rete_raw_tp *skel;
	int rc;

	skel = rete_raw_tp__open();
	if (!skel) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(-rc));
		return rc;
	}
	configure_rodata(skel, &s->opts, s->cookies, probe_id);
	s->inject.btf = bpf_object__btf(skel->obj);
	if (s->main) {
		rc = reuse_maps(skel, s->main);
		if (rc) {
			snprintf(err, errlen, "cannot share BPF maps: %s", strerror(-rc));
			goto out_destroy;
		}
	} else {
		bpf_map__set_max_entries(skel->maps.rete_events, s->opts.ringbuf_bytes);
	}
	rc = rete_raw_tp__load(skel);
	if (rc) {
		if (s->inject.err)
			snprintf(err, errlen, "cannot insert the filters into the probe program: %s",
				 strerror(-s->inject.err));
		else if (rc == -EPERM)
			snprintf(err, errlen,
				 "loading BPF programs was refused (EPERM): run as root or with "
				 "CAP_BPF and CAP_PERFMON");
		else if (s->inject.nsplices)
			snprintf(err, errlen,
				 "the kernel refused the probe program with its filters (%s); run "
				 "with --log-level debug for the verifier log",
				 strerror(-rc));
		else
			snprintf(err, errlen,
				 "the kernel refused the probe program (%s); run with --log-level "
				 "debug for the verifier log",
				 strerror(-rc));
		goto out_destroy;
	}
	*ret = skel;
	return 0;
out_destroy:
	rete_raw_tp__destroy(skel);
	return rc;
}

static int write_probe_cfg(struct rete_session *s)
{
	int fd = bpf_map__fd(s->main->maps.rete_probe_cfg);

	for (size_t i = 0; i < s->set->n; i++) {
		const struct rete_probe *p = &s->set->probes[i];
		struct rete_probe_cfg cfg;
		uint32_t key = (uint32_t)i;

		memset(&cfg, 0, sizeof(cfg));
		cfg.nargs = p->args.nargs;
		cfg.skb_arg = p->args.pos[RETE_ARG_SKB] < 0 ? RETE_ARG_NONE :
							       (uint8_t)p->args.pos[RETE_ARG_SKB];
		cfg.reason_arg = p->args.pos[RETE_ARG_DROP_REASON] < 0 ?
					 RETE_ARG_NONE :
					 (uint8_t)p->args.pos[RETE_ARG_DROP_REASON];
		cfg.dev_arg = p->args.pos[RETE_ARG_NET_DEVICE] < 0 ?
				      RETE_ARG_NONE :
				      (uint8_t)p->args.pos[RETE_ARG_NET_DEVICE];
		cfg.net_arg = p->args.pos[RETE_ARG_NET] < 0 ? RETE_ARG_NONE :
							       (uint8_t)p->args.pos[RETE_ARG_NET];
		cfg.flags = p->flags;
		if (bpf_map_update_elem(fd, &key, &cfg, BPF_ANY))
			return -errno;
	}
	return 0;
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
	s->opts = *opts;
	s->cookies = !opts->no_cookie && rete_kernel_has_raw_tp_cookie(btf);
	s->ncpus = libbpf_num_possible_cpus();
	s->link_fds = malloc(set->n * sizeof(*s->link_fds));
	if (s->ncpus <= 0 || !s->link_fds) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < set->n; i++)
		s->link_fds[i] = -1;

	/* Filters are spliced in by a section handler, registered before any open. */
	if (opts->filter_l2)
		s->splices[s->inject.nsplices++] =
			(struct rete_splice){ "rete_filter_packet_l2", opts->filter_l2 };
	if (opts->filter_l3)
		s->splices[s->inject.nsplices++] =
			(struct rete_splice){ "rete_filter_packet_l3", opts->filter_l3 };
	if (opts->filter_meta)
		s->splices[s->inject.nsplices++] =
			(struct rete_splice){ "rete_filter_meta", opts->filter_meta };
	s->inject.splices = s->splices;
	s->handler_id = rete_inject_register("rete_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, &s->inject);
	if (s->handler_id < 0) {
		rc = s->handler_id;
		snprintf(err, errlen, "cannot register the BPF section handler: %s", strerror(-rc));
		goto out_free;
	}

	rc = load_instance(s, 0, &s->main, err, errlen);
	if (rc)
		goto out_free;
	if (!s->cookies) {
		s->inst = calloc(set->n, sizeof(*s->inst));
		if (!s->inst) {
			rc = -ENOMEM;
			goto out_free;
		}
		s->inst[0] = s->main;
		for (size_t i = 1; i < set->n; i++) {
			rc = load_instance(s, (uint32_t)i, &s->inst[i], err, errlen);
			if (rc)
				goto out_free;
		}
	}
	rc = write_probe_cfg(s);
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
	for (size_t i = 0; i < s->set->n; i++) {
		const struct rete_probe *p = &s->set->probes[i];
		const char *event = strchr(p->symbol, ':');
		struct rete_raw_tp *skel = s->cookies ? s->main : s->inst[i];
		int fd;

		event = event ? event + 1 : p->symbol;
		fd = raw_tp_open(event, bpf_program__fd(skel->progs.rete_raw_tp), s->cookies, i);
		if (fd < 0) {
			snprintf(err, errlen, "cannot attach probe %s:%s: %s",
				 p->type == RETE_PROBE_RAW_TP ? "tp" : "k", p->symbol,
				 strerror(-fd));
			rete_session_detach(s);
			return fd;
		}
		s->link_fds[i] = fd;
	}
	return 0;
}

void rete_session_detach(struct rete_session *s)
{
	for (size_t i = 0; s->link_fds && i < s->set->n; i++) {
		if (s->link_fds[i] >= 0)
			close(s->link_fds[i]);
		s->link_fds[i] = -1;
	}
}

void rete_session_free(struct rete_session *s)
{
	if (!s)
		return;
	rete_session_detach(s);
	if (s->inst) {
		/* inst[0] is main */
		for (size_t i = 1; i < s->set->n; i++)
			rete_raw_tp__destroy(s->inst[i]);
		free(s->inst);
	}
	rete_raw_tp__destroy(s->main);
	rete_inject_unregister(s->handler_id);
	rete_inject_release(&s->inject);
	free(s->link_fds);
	free(s);
}

bool rete_session_uses_cookies(const struct rete_session *s)
{
	return s->cookies;
}

int rete_session_events_fd(const struct rete_session *s)
{
	return bpf_map__fd(s->main->maps.rete_events);
}

int rete_session_probe_counters(const struct rete_session *s, uint32_t probe_id,
				struct rete_probe_counters *ret)
{
	struct rete_probe_counters *v, sum;
	int rc = 0;

	v = calloc((size_t)s->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(s->main->maps.rete_counters), &probe_id, v)) {
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
	if (!bpf_map_lookup_elem(bpf_map__fd(s->main->maps.rete_gcounters), &key, v))
		for (int i = 0; i < s->ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

static uint64_t prog_misses(const struct rete_raw_tp *skel)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.rete_raw_tp), &info, &len))
		return 0;
	return info.recursion_misses;
}

uint64_t rete_session_recursion_misses(const struct rete_session *s)
{
	uint64_t sum = 0;

	if (!s->inst)
		return prog_misses(s->main);
	for (size_t i = 0; i < s->set->n; i++)
		sum += prog_misses(s->inst[i]);
	return sum;
}

int rete_session_tracking_gc(struct rete_session *s, uint64_t now_ns, uint64_t max_age_ns)
{
	int fd = bpf_map__fd(s->main->maps.rete_tracking);
	uint64_t key, next, stale[256];
	struct rete_tracking_info info;
	size_t nstale = 0;
	int removed = 0;
	void *prev = NULL;

	/* Collect a batch first: deleting while iterating restarts the walk. */
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
	return removed;
}
