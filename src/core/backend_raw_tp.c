/*
 * Raw tracepoints: bpf/probes/raw_tp.bpf.c loaded once and attached to every
 * tracepoint with the probe id as attach cookie (kernel >= 6.10), else one
 * instance per probe with the id in .rodata.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/backend.h"
#include "uapi/rete_config.h" /* the skeleton's .rodata types */
#include "raw_tp.skel.h"

struct raw_tp_backend {
	struct rete_backend base;
	bool cookies;
	struct rete_raw_tp *main;	/* with cookies: the only instance */
	struct rete_raw_tp **inst;	/* without: one per probe id (NULL if not ours) */
	int *link_fds;			/* one per probe id, -1 when not attached */
	size_t n;			/* probe ids */
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

static bool raw_tp_owns(enum rete_probe_type type)
{
	return type == RETE_PROBE_RAW_TP;
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

static int load_instance(struct raw_tp_backend *b, uint32_t probe_id, struct rete_raw_tp **ret,
			 char *err, size_t errlen)
{
	struct rete_session *s = b->base.s;
	struct rete_raw_tp *skel;
	int rc;

	skel = rete_raw_tp__open();
	if (!skel) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(-rc));
		return rc;
	}
	rc = rete_session_prepare_obj(s, skel->obj, err, errlen);
	skel->rodata->rete_cfg = rete_session_get_opts(s)->chain;
	if (rc)
		goto out_destroy;
	skel->rodata->rete_cfg_use_cookie = b->cookies;
	skel->rodata->rete_cfg_probe_id = probe_id;
	b->inject.btf = bpf_object__btf(skel->obj);
	rc = rete_raw_tp__load(skel);
	if (rc) {
		rete_session_load_error(rc, &b->inject, "the probe program", err, errlen);
		goto out_destroy;
	}
	rc = rete_session_adopt_obj(s, skel->obj, err, errlen);
	if (rc)
		goto out_destroy;
	*ret = skel;
	return 0;
out_destroy:
	rete_raw_tp__destroy(skel);
	return rc;
}

static void raw_tp_free(struct rete_backend *base)
{
	struct raw_tp_backend *b = (struct raw_tp_backend *)base;

	if (b->inst) {
		for (size_t i = 0; i < b->n; i++)
			if (b->inst[i] != b->main)
				rete_raw_tp__destroy(b->inst[i]);
		free(b->inst);
	}
	rete_raw_tp__destroy(b->main);
	rete_inject_unregister(b->handler_id);
	rete_inject_release(&b->inject);
	free(b->link_fds);
	free(b);
}

static int raw_tp_load(struct rete_session *s, struct rete_backend **ret, char *err,
		       size_t errlen)
{
	const struct rete_probe_set *set = rete_session_get_probes(s);
	struct raw_tp_backend *b;
	int rc;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->base.ops = &rete_backend_raw_tp;
	b->base.s = s;
	b->cookies = rete_session_uses_cookies(s);
	b->n = set->n;
	b->link_fds = malloc(b->n * sizeof(*b->link_fds));
	if (!b->link_fds) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < b->n; i++)
		b->link_fds[i] = -1;
	/* Filters are spliced in by a section handler, registered before any open. */
	b->handler_id = rete_session_register_inject(s, "rete_tp", BPF_PROG_TYPE_RAW_TRACEPOINT,
						     &b->inject);
	if (b->handler_id < 0) {
		rc = b->handler_id;
		snprintf(err, errlen, "cannot register the BPF section handler: %s", strerror(-rc));
		goto out_free;
	}
	if (b->cookies) {
		rc = load_instance(b, 0, &b->main, err, errlen);
		if (rc)
			goto out_free;
		*ret = &b->base;
		return 0;
	}
	b->inst = calloc(b->n, sizeof(*b->inst));
	if (!b->inst) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (!raw_tp_owns(set->probes[i].type))
			continue;
		rc = load_instance(b, (uint32_t)i, &b->inst[i], err, errlen);
		if (rc)
			goto out_free;
		if (!b->main)
			b->main = b->inst[i];
	}
	*ret = &b->base;
	return 0;
out_free:
	raw_tp_free(&b->base);
	return rc;
}

static void raw_tp_detach(struct rete_backend *base)
{
	struct raw_tp_backend *b = (struct raw_tp_backend *)base;

	for (size_t i = 0; b->link_fds && i < b->n; i++) {
		if (b->link_fds[i] >= 0)
			close(b->link_fds[i]);
		b->link_fds[i] = -1;
	}
}

static int raw_tp_attach(struct rete_backend *base, char *err, size_t errlen)
{
	struct raw_tp_backend *b = (struct raw_tp_backend *)base;
	const struct rete_probe_set *set = rete_session_get_probes(b->base.s);

	for (size_t i = 0; i < b->n; i++) {
		const struct rete_probe *p = &set->probes[i];
		const char *event = strchr(p->symbol, ':');
		struct rete_raw_tp *skel = b->cookies ? b->main : b->inst[i];
		int fd;

		if (!raw_tp_owns(p->type))
			continue;
		event = event ? event + 1 : p->symbol;
		fd = raw_tp_open(event, bpf_program__fd(skel->progs.rete_raw_tp), b->cookies, i);
		if (fd < 0) {
			snprintf(err, errlen, "cannot attach probe tp:%s: %s", p->symbol,
				 strerror(-fd));
			raw_tp_detach(base);
			return fd;
		}
		b->link_fds[i] = fd;
	}
	return 0;
}

static const char *raw_tp_describe(const struct rete_backend *base)
{
	const struct raw_tp_backend *b = (const struct raw_tp_backend *)base;

	return b->cookies ? "attach cookies, one program for all tracepoints" :
			    "no attach cookies, one program per tracepoint";
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

static uint64_t raw_tp_recursion_misses(const struct rete_backend *base)
{
	const struct raw_tp_backend *b = (const struct raw_tp_backend *)base;
	uint64_t sum = 0;

	if (!b->inst)
		return prog_misses(b->main);
	for (size_t i = 0; i < b->n; i++)
		if (b->inst[i])
			sum += prog_misses(b->inst[i]);
	return sum;
}

static size_t raw_tp_skipped(const struct rete_backend *base)
{
	return 0;
}

const struct rete_backend_ops rete_backend_raw_tp = {
	.name = "raw tracepoint",
	.owns = raw_tp_owns,
	.load = raw_tp_load,
	.attach = raw_tp_attach,
	.detach = raw_tp_detach,
	.free = raw_tp_free,
	.describe = raw_tp_describe,
	.recursion_misses = raw_tp_recursion_misses,
	.skipped = raw_tp_skipped,
};
