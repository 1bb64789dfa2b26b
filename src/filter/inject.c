#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "filter/inject.h"

static bool is_ld_imm64(const struct bpf_insn *i)
{
	return i->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* Relative target of a jump or pseudo call, or false when the insn has none. */
static bool insn_target(const struct bpf_insn *i, int64_t pc, int64_t *ret)
{
	uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);

	if (cls == BPF_JMP || cls == BPF_JMP32) {
		if (op == BPF_EXIT)
			return false;
		if (op == BPF_CALL) {
			if (i->src_reg != BPF_PSEUDO_CALL)
				return false;
			*ret = pc + i->imm + 1;
			return true;
		}
		*ret = pc + i->off + 1;
		return true;
	}
	if (is_ld_imm64(i) && i->src_reg == BPF_PSEUDO_FUNC) {
		*ret = pc + i->imm + 1;
		return true;
	}
	return false;
}

static void set_target(struct bpf_insn *i, int64_t pc, int64_t target)
{
	int64_t rel = target - pc - 1;

	if ((BPF_CLASS(i->code) == BPF_JMP || BPF_CLASS(i->code) == BPF_JMP32) &&
	    BPF_OP(i->code) != BPF_CALL)
		i->off = (int16_t)rel;
	else
		i->imm = (int32_t)rel;
}

struct func_span {
	size_t start, end;	/* [start, end) in instructions */
};

/* Find the span of a function by name through func_info. */
static int find_func(const void *fi, size_t cnt, size_t rec, size_t n, const struct btf *btf,
		     const char *name, struct func_span *ret)
{
	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_func_info *f = (const void *)((const char *)fi + i * rec);
		const struct btf_type *t = btf__type_by_id(btf, f->type_id);
		size_t end = n;

		if (!t || strcmp(btf__name_by_offset(btf, t->name_off), name))
			continue;
		/* The function ends where the next one (by offset) starts. */
		for (size_t j = 0; j < cnt; j++) {
			const struct bpf_func_info *g = (const void *)((const char *)fi + j * rec);

			if (g->insn_off > f->insn_off && g->insn_off < end)
				end = g->insn_off;
		}
		ret->start = f->insn_off;
		ret->end = end;
		return 0;
	}
	return -ENOENT;
}

/* One splice on owned arrays; updates them in place (reallocating). */
static int splice_one(struct bpf_insn **insns, size_t *n, void *fi, size_t fi_cnt, size_t fi_rec,
		      void *li, size_t *li_cnt, size_t li_rec, struct func_span span,
		      const struct rete_filter_prog *body)
{
	size_t old_len = span.end - span.start, new_n = *n - old_len + body->n;
	int64_t delta = (int64_t)body->n - (int64_t)old_len;
	struct bpf_insn *out;
	size_t o = 0, kept = 0;

	out = malloc((new_n ? new_n : 1) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < *n; i++) {
		int64_t target, npc, ntarget;
		struct bpf_insn insn;

		if (i == span.start) {
			memcpy(out + o, body->insns, body->n * sizeof(*out));
			o += body->n;
		}
		if (i >= span.start && i < span.end)
			continue;
		insn = (*insns)[i];
		npc = (int64_t)i < (int64_t)span.start ? (int64_t)i : (int64_t)i + delta;
		if (insn_target(&insn, (int64_t)i, &target)) {
			/* Code outside the placeholder only ever targets its first insn. */
			ntarget = target < (int64_t)span.start ? target :
				  target < (int64_t)span.end   ? (int64_t)span.start :
								  target + delta;
			set_target(&insn, npc, ntarget);
		}
		out[o++] = insn;
		if (is_ld_imm64(&insn) && i + 1 < *n) {
			out[o++] = (*insns)[++i];
		}
	}
	free(*insns);
	*insns = out;
	*n = o;

	for (size_t i = 0; i < fi_cnt; i++) {
		struct bpf_func_info *f = (void *)((char *)fi + i * fi_rec);

		if (f->insn_off >= span.end)
			f->insn_off = (uint32_t)((int64_t)f->insn_off + delta);
	}
	/* Line info inside the replaced body goes, except the function's first one. */
	for (size_t i = 0; i < *li_cnt; i++) {
		struct bpf_line_info *l = (void *)((char *)li + i * li_rec);

		if (l->insn_off > span.start && l->insn_off < span.end)
			continue;
		if (l->insn_off >= span.end)
			l->insn_off = (uint32_t)((int64_t)l->insn_off + delta);
		memmove((char *)li + kept * li_rec, l, li_rec);
		kept++;
	}
	*li_cnt = kept;
	return 0;
}

int rete_splice_funcs(const struct bpf_insn *insns, size_t n, const void *func_info,
		      size_t func_info_cnt, size_t func_info_rec, const void *line_info,
		      size_t line_info_cnt, size_t line_info_rec, const struct btf *btf,
		      const struct rete_splice *splices, size_t nsplices,
		      struct bpf_insn **ret_insns, size_t *ret_n, void **ret_func_info,
		      void **ret_line_info, size_t *ret_line_info_cnt)
{
	struct bpf_insn *ins;
	void *fi = NULL, *li = NULL;
	size_t cur = n, li_cnt = line_info_cnt;
	int rc = -ENOMEM;

	ins = malloc((n ? n : 1) * sizeof(*ins));
	fi = malloc(func_info_cnt * func_info_rec + 1);
	li = malloc(line_info_cnt * line_info_rec + 1);
	if (!ins || !fi || !li)
		goto out_free;
	memcpy(ins, insns, n * sizeof(*ins));
	if (func_info_cnt)
		memcpy(fi, func_info, func_info_cnt * func_info_rec);
	if (line_info_cnt)
		memcpy(li, line_info, line_info_cnt * line_info_rec);

	for (size_t s = 0; s < nsplices; s++) {
		struct func_span span;

		rc = find_func(fi, func_info_cnt, func_info_rec, cur, btf, splices[s].func, &span);
		if (rc)
			goto out_free;
		rc = splice_one(&ins, &cur, fi, func_info_cnt, func_info_rec, li, &li_cnt,
				line_info_rec, span, splices[s].body);
		if (rc)
			goto out_free;
	}
	*ret_insns = ins;
	*ret_n = cur;
	*ret_func_info = fi;
	*ret_line_info = li;
	*ret_line_info_cnt = li_cnt;
	return 0;
out_free:
	free(ins);
	free(fi);
	free(li);
	return rc;
}

static void *dup_mem(const void *p, size_t n)
{
	void *d = malloc(n ? n : 1);

	if (d && n)
		memcpy(d, p, n);
	return d;
}

static void image_free(struct rete_prog_image *im)
{
	free(im->insns);
	free(im->func_info);
	free(im->line_info);
	memset(im, 0, sizeof(*im));
}

/* Copy what is about to be loaded into the first free (or this program's) slot. */
static int keep_image(struct rete_inject_ctx *ctx, const struct bpf_program *prog,
		      const struct bpf_prog_load_opts *opts)
{
	struct rete_prog_image *im = NULL;

	for (size_t i = 0; i < RETE_INJECT_IMAGES_MAX && !im; i++)
		if (ctx->images[i].prog == prog || !ctx->images[i].prog)
			im = &ctx->images[i];
	if (!im)
		return -E2BIG;
	image_free(im);
	im->ninsns = bpf_program__insn_cnt(prog);
	im->insns = dup_mem(bpf_program__insns(prog), im->ninsns * sizeof(struct bpf_insn));
	im->func_info_cnt = opts->func_info ? opts->func_info_cnt : 0;
	im->func_info_rec = opts->func_info_rec_size;
	im->func_info = dup_mem(opts->func_info, (size_t)im->func_info_cnt * im->func_info_rec);
	im->line_info_cnt = opts->line_info ? opts->line_info_cnt : 0;
	im->line_info_rec = opts->line_info_rec_size;
	im->line_info = dup_mem(opts->line_info, (size_t)im->line_info_cnt * im->line_info_rec);
	im->btf_fd = (int)opts->prog_btf_fd;
	if (!im->insns || !im->func_info || !im->line_info) {
		image_free(im);
		return -ENOMEM;
	}
	im->prog = prog;
	return 0;
}

const struct rete_prog_image *rete_inject_image(const struct rete_inject_ctx *ctx,
						const struct bpf_program *prog)
{
	for (size_t i = 0; i < RETE_INJECT_IMAGES_MAX; i++)
		if (ctx->images[i].prog && ctx->images[i].prog == prog)
			return &ctx->images[i];
	return NULL;
}

/* Does the program hold at least one of the functions to splice? */
static bool holds_filters(const struct bpf_program *prog, const struct bpf_prog_load_opts *opts,
			  const struct rete_inject_ctx *ctx)
{
	struct func_span span;

	for (size_t s = 0; s < ctx->nsplices; s++)
		if (!find_func(opts->func_info, opts->func_info_cnt, opts->func_info_rec_size,
			       bpf_program__insn_cnt(prog), ctx->btf, ctx->splices[s].func, &span))
			return true;
	return false;
}

static int splice_filters(struct bpf_program *prog, struct bpf_prog_load_opts *opts,
			  struct rete_inject_ctx *ctx)
{
	struct bpf_insn *insns;
	void *fi, *li;
	size_t n, li_cnt;
	int rc;

	if (!ctx->nsplices)
		return 0;
	if (!opts->func_info || !opts->func_info_cnt) {
		ctx->err = -ENOENT;
		return ctx->err;
	}
	/*
	 * A program that filters nothing (nft's kretprobe entry only keeps the
	 * arguments) is loaded as it is; one holding some of them must hold all.
	 */
	if (!holds_filters(prog, opts, ctx))
		return 0;
	rc = rete_splice_funcs(bpf_program__insns(prog), bpf_program__insn_cnt(prog),
			       opts->func_info, opts->func_info_cnt, opts->func_info_rec_size,
			       opts->line_info, opts->line_info_cnt, opts->line_info_rec_size,
			       ctx->btf, ctx->splices, ctx->nsplices, &insns, &n, &fi, &li, &li_cnt);
	if (rc) {
		ctx->err = rc;
		return rc;
	}
	rc = bpf_program__set_insns(prog, insns, n);
	free(insns);
	if (rc) {
		free(fi);
		free(li);
		ctx->err = rc;
		return rc;
	}
	/* Several instances may load with the same context: keep only the latest arrays. */
	free(ctx->func_info);
	free(ctx->line_info);
	ctx->func_info = fi;
	ctx->line_info = li;
	opts->func_info = fi;
	opts->line_info = li;
	opts->line_info_cnt = (__u32)li_cnt;
	return 0;
}

static int prepare_load(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	struct rete_inject_ctx *ctx = (struct rete_inject_ctx *)cookie;
	int rc;

	if (!ctx)
		return 0;
	rc = splice_filters(prog, opts, ctx);
	if (!rc && ctx->keep_images) {
		rc = keep_image(ctx, prog, opts);
		if (rc)
			ctx->err = rc;
	}
	return rc;
}

/*
 * libbpf 1.1's libbpf_unregister_prog_handler() shrinks its handler array
 * with realloc(p, 0) when the last handler goes, which frees the array but
 * keeps the pointer: the next registration then reuses freed memory (seen as
 * a crash in the second session of one process). A handler registered once
 * for a section no program uses, and never unregistered, keeps the array
 * from ever becoming empty.
 */
static int keep_handler_array(void)
{
	static int sentinel;
	LIBBPF_OPTS(libbpf_prog_handler_opts, hopts);

	if (sentinel > 0)
		return 0;
	sentinel = libbpf_register_prog_handler("rete_unused_sentinel",
						BPF_PROG_TYPE_SOCKET_FILTER, 0, &hopts);
	return sentinel > 0 ? 0 : sentinel;
}

int rete_inject_register(const char *sec, enum bpf_prog_type prog_type,
			 struct rete_inject_ctx *ctx)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, hopts, .cookie = (long)ctx,
		    .prog_prepare_load_fn = prepare_load);
	int rc = keep_handler_array();

	return rc ? rc : libbpf_register_prog_handler(sec, prog_type, 0, &hopts);
}

void rete_inject_unregister(int handler_id)
{
	if (handler_id > 0)
		libbpf_unregister_prog_handler(handler_id);
}

void rete_inject_release(struct rete_inject_ctx *ctx)
{
	for (size_t i = 0; i < RETE_INJECT_IMAGES_MAX; i++)
		image_free(&ctx->images[i]);
	free(ctx->func_info);
	free(ctx->line_info);
	ctx->func_info = ctx->line_info = NULL;
}
