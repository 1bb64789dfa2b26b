/*
 * fentry and fexit probes: bpf/probes/fentry.bpf.c. A trampoline program's
 * target is fixed when it is loaded, so libbpf loads each program once (on
 * the first function, never attached: a template), the section handler
 * keeps the instructions it handed to the kernel, and every probe gets its
 * own copy loaded with bpf_prog_load() on its function, the probe id
 * written into the copy's RETE_FENTRY_ID_MAGIC immediate. Each copy is
 * verified by the kernel, which is what makes fentry slow to start on many
 * functions; it costs less than a kprobe per call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/backend.h"
#include "uapi/rete_config.h" /* the skeleton's .rodata types */
#include "fentry.skel.h"
#include "lib/log.h"

struct fentry_backend {
	struct rete_backend base;
	struct rete_fentry *skel;
	size_t n;
	int *prog_fds;			/* per probe id: its copy, or -1 */
	int *link_fds;
	size_t skipped;
	uint64_t load_us;
	char describe[160];
	struct rete_inject_ctx inject;
	int handler_id;
};

static bool fentry_owns(enum rete_probe_type type)
{
	return type == RETE_PROBE_FENTRY || type == RETE_PROBE_FEXIT;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

static void fentry_free(struct rete_backend *base)
{
	struct fentry_backend *b = (struct fentry_backend *)base;

	close_fds(b->link_fds, b->n);
	close_fds(b->prog_fds, b->n);
	free(b->link_fds);
	free(b->prog_fds);
	rete_fentry__destroy(b->skel);
	rete_inject_unregister(b->handler_id);
	rete_inject_release(&b->inject);
	free(b);
}

/* The copy of image for probe id: the magic immediate replaced. */
static struct bpf_insn *image_for(const struct rete_prog_image *im, uint32_t id)
{
	struct bpf_insn *insns = malloc(im->ninsns * sizeof(*insns));
	size_t found = 0;

	if (!insns)
		return NULL;
	memcpy(insns, im->insns, im->ninsns * sizeof(*insns));
	for (size_t i = 0; i + 1 < im->ninsns; i++) {
		struct bpf_insn *in = &insns[i];

		if (in->code != (BPF_LD | BPF_DW | BPF_IMM))
			continue;
		if (!in->src_reg && (__u32)in->imm == RETE_FENTRY_ID_MAGIC && !in[1].imm) {
			in->imm = (__s32)id;
			found++;
		}
		i++;	/* the second half of the wide instruction */
	}
	if (found != 1) {
		free(insns);
		errno = EINVAL;
		return NULL;
	}
	return insns;
}

/* Load probe id's copy on its function; the verifier log goes to debug. */
static int load_copy(struct fentry_backend *b, uint32_t id, char *err, size_t errlen)
{
	const struct rete_probe *p = &rete_session_get_probes(b->base.s)->probes[id];
	bool exit = p->type == RETE_PROBE_FEXIT;
	const struct bpf_program *prog =
		exit ? b->skel->progs.rete_fentry_exit : b->skel->progs.rete_fentry_entry;
	const struct rete_prog_image *im = rete_inject_image(&b->inject, prog);
	const struct btf *btf = rete_session_get_btf(b->base.s);
	bool debug = rete_log_get_level() >= RETE_LOG_DEBUG;
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	struct bpf_insn *insns;
	char *log = NULL;
	int btf_id, fd, rc;

	if (!im) {
		snprintf(err, errlen, "internal error: no image of the %s program",
			 rete_probe_type_name(p->type));
		return -ENOENT;
	}
	btf_id = btf__find_by_name_kind(btf, p->symbol, BTF_KIND_FUNC);
	if (btf_id < 0) {
		snprintf(err, errlen, "cannot use %s probe '%s': not a function of the kernel's BTF",
			 rete_probe_type_name(p->type), p->symbol);
		return -ENOENT;
	}
	insns = image_for(im, id);
	if (!insns) {
		rc = -errno;
		snprintf(err, errlen, "cannot prepare the %s program for '%s': %s",
			 rete_probe_type_name(p->type), p->symbol, strerror(-rc));
		return rc;
	}
	o.expected_attach_type = exit ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY;
	o.attach_btf_id = (__u32)btf_id;
	o.prog_btf_fd = (__u32)im->btf_fd;
	o.func_info = im->func_info_cnt ? im->func_info : NULL;
	o.func_info_cnt = im->func_info_cnt;
	o.func_info_rec_size = im->func_info_rec;
	o.line_info = im->line_info_cnt ? im->line_info : NULL;
	o.line_info_cnt = im->line_info_cnt;
	o.line_info_rec_size = im->line_info_rec;
	if (debug && (log = malloc(1u << 20))) {
		log[0] = '\0';
		o.log_buf = log;
		o.log_size = 1u << 20;
		o.log_level = 1;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, exit ? "rete_fexit" : "rete_fentry", "GPL",
			   insns, im->ninsns, &o);
	rc = fd < 0 ? -errno : 0;
	free(insns);
	if (rc) {
		if (log && log[0])
			log_debug("verifier log for %s:%s:\n%s", rete_probe_type_name(p->type),
				  p->symbol, log);
		free(log);
		snprintf(err, errlen, "the kernel refused the %s program on '%s' (%s)%s",
			 rete_probe_type_name(p->type), p->symbol, strerror(-rc),
			 debug ? "" : "; run with --log-level debug for the verifier log");
		return rc;
	}
	free(log);
	b->prog_fds[id] = fd;
	return 0;
}

static int fentry_load(struct rete_session *s, struct rete_backend **ret, char *err,
		       size_t errlen)
{
	const struct rete_probe_set *set = rete_session_get_probes(s);
	const char *first[2] = { NULL, NULL };	/* first fentry, first fexit function */
	struct fentry_backend *b;
	size_t ncopies = 0;
	uint64_t start = now_us();
	int rc;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->base.ops = &rete_backend_fentry;
	b->base.s = s;
	b->n = set->n;
	b->prog_fds = malloc(b->n * sizeof(int));
	b->link_fds = malloc(b->n * sizeof(int));
	if (!b->prog_fds || !b->link_fds) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < b->n; i++) {
		b->prog_fds[i] = b->link_fds[i] = -1;
		if (set->probes[i].type == RETE_PROBE_FENTRY && !first[0])
			first[0] = set->probes[i].symbol;
		if (set->probes[i].type == RETE_PROBE_FEXIT && !first[1])
			first[1] = set->probes[i].symbol;
	}
	b->inject.keep_images = true;
	b->handler_id =
		rete_session_register_inject(s, "rete_fentry+", BPF_PROG_TYPE_TRACING, &b->inject);
	if (b->handler_id < 0) {
		rc = b->handler_id;
		snprintf(err, errlen, "cannot register the BPF section handler: %s", strerror(-rc));
		goto out_free;
	}
	b->skel = rete_fentry__open();
	if (!b->skel) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the fentry BPF object: %s", strerror(-rc));
		goto out_free;
	}
	rc = rete_session_prepare_obj(s, b->skel->obj, err, errlen);
	b->skel->rodata->rete_cfg = rete_session_get_opts(s)->chain;
	if (rc)
		goto out_free;
	{
		struct bpf_program *progs[2] = { b->skel->progs.rete_fentry_entry,
						 b->skel->progs.rete_fentry_exit };
		const enum bpf_attach_type types[2] = { BPF_TRACE_FENTRY, BPF_TRACE_FEXIT };

		for (int k = 0; k < 2; k++) {
			bpf_program__set_autoload(progs[k], first[k] != NULL);
			if (!first[k])
				continue;
			bpf_program__set_expected_attach_type(progs[k], types[k]);
			rc = bpf_program__set_attach_target(progs[k], 0, first[k]);
			if (rc) {
				snprintf(err, errlen, "cannot use %s probe '%s': %s",
					 k ? "fexit" : "fentry", first[k], strerror(-rc));
				goto out_free;
			}
		}
	}
	b->inject.btf = bpf_object__btf(b->skel->obj);
	rc = rete_fentry__load(b->skel);
	if (rc) {
		rete_session_load_error(rc, &b->inject, "the fentry program", err, errlen);
		goto out_free;
	}
	rc = rete_session_adopt_obj(s, b->skel->obj, err, errlen);
	if (rc)
		goto out_free;
	for (size_t i = 0; i < b->n; i++) {
		if (!fentry_owns(set->probes[i].type))
			continue;
		rc = load_copy(b, (uint32_t)i, err, errlen);
		if (rc && set->probes[i].optional && rc != -ENOMEM) {
			log_debug("%s (left out)", err);
			b->skipped++;
			rc = 0;
			continue;
		}
		if (rc)
			goto out_free;
		ncopies++;
	}
	b->load_us = now_us() - start;
	snprintf(b->describe, sizeof(b->describe),
		 "one verified copy per function (%zu loaded in %.1f ms, %zu left out)", ncopies,
		 (double)b->load_us / 1000.0, b->skipped);
	*ret = &b->base;
	return 0;
out_free:
	fentry_free(&b->base);
	return rc;
}

static void fentry_detach(struct rete_backend *base)
{
	struct fentry_backend *b = (struct fentry_backend *)base;

	close_fds(b->link_fds, b->n);
}

static int fentry_attach(struct rete_backend *base, char *err, size_t errlen)
{
	struct fentry_backend *b = (struct fentry_backend *)base;
	const struct rete_probe_set *set = rete_session_get_probes(b->base.s);
	uint64_t start = now_us();
	size_t n = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct rete_probe *p = &set->probes[i];
		int fd;

		if (b->prog_fds[i] < 0)
			continue;
		fd = bpf_link_create(b->prog_fds[i], 0,
				     p->type == RETE_PROBE_FEXIT ? BPF_TRACE_FEXIT :
								   BPF_TRACE_FENTRY,
				     NULL);
		if (fd < 0) {
			int rc = -errno;

			snprintf(err, errlen, "cannot attach %s probe '%s': %s",
				 rete_probe_type_name(p->type), p->symbol, strerror(-rc));
			fentry_detach(base);
			return rc;
		}
		b->link_fds[i] = fd;
		n++;
	}
	log_debug("fentry/fexit: %zu trampoline link(s) in %.1f ms (programs loaded in %.1f ms)",
		  n, (double)(now_us() - start) / 1000.0, (double)b->load_us / 1000.0);
	return 0;
}

static const char *fentry_describe(const struct rete_backend *base)
{
	return ((const struct fentry_backend *)base)->describe;
}

static uint64_t fentry_recursion_misses(const struct rete_backend *base)
{
	const struct fentry_backend *b = (const struct fentry_backend *)base;
	uint64_t total = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);

		if (b->prog_fds[i] < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(b->prog_fds[i], &info, &len))
			total += info.recursion_misses;
	}
	return total;
}

static size_t fentry_skipped(const struct rete_backend *base)
{
	return ((const struct fentry_backend *)base)->skipped;
}

const struct rete_backend_ops rete_backend_fentry = {
	.name = "fentry",
	.owns = fentry_owns,
	.load = fentry_load,
	.attach = fentry_attach,
	.detach = fentry_detach,
	.free = fentry_free,
	.describe = fentry_describe,
	.recursion_misses = fentry_recursion_misses,
	.skipped = fentry_skipped,
	.gc = NULL,
};
