/*
 * Splicing generated filters into the probe program at load time: a libbpf
 * custom section handler whose prepare-load callback replaces the bodies of
 * the placeholder functions (bpf/include/rete_filter.bpf.h) and fixes jump
 * and call offsets, func_info and line_info.
 */
#ifndef RETE_FILTER_INJECT_H
#define RETE_FILTER_INJECT_H

#include <stddef.h>
#include <linux/bpf.h>

#include "filter/filter.h"

struct btf;

/* Placeholder function name -> replacement body. */
struct rete_splice {
	const char *func;
	const struct rete_filter_prog *body;
};

/*
 * Replace the body of each named function in insns (n instructions), given
 * the program's func_info (type ids into btf) and line_info. Allocates new
 * arrays returned through ret_*; the caller frees them. Returns 0, -ENOENT
 * when a function is not found, or -ENOMEM.
 */
int rete_splice_funcs(const struct bpf_insn *insns, size_t n, const void *func_info,
		      size_t func_info_cnt, size_t func_info_rec, const void *line_info,
		      size_t line_info_cnt, size_t line_info_rec, const struct btf *btf,
		      const struct rete_splice *splices, size_t nsplices,
		      struct bpf_insn **ret_insns, size_t *ret_n, void **ret_func_info,
		      void **ret_line_info, size_t *ret_line_info_cnt);

/*
 * A program exactly as libbpf hands it to the kernel (relocated, filters
 * spliced in, map fds embedded), to load more copies of it with
 * bpf_prog_load(): fentry/fexit need one load per target function.
 */
struct rete_prog_image {
	const struct bpf_program *prog;		/* NULL: slot unused */
	struct bpf_insn *insns;
	size_t ninsns;
	void *func_info, *line_info;
	__u32 func_info_cnt, func_info_rec, line_info_cnt, line_info_rec;
	int btf_fd;				/* the object's BTF (owned by libbpf) */
};

#define RETE_INJECT_IMAGES_MAX 2

/* Per-load context handed to the libbpf section handler. */
struct rete_inject_ctx {
	const struct btf *btf;			/* the BPF object's own BTF */
	const struct rete_splice *splices;
	size_t nsplices;
	/* Arrays handed to the kernel; freed by rete_inject_release(). */
	void *func_info, *line_info;
	int err;				/* first error seen by the callback */
	/* Set before load to keep an image of each program loaded (at most RETE_INJECT_IMAGES_MAX). */
	bool keep_images;
	struct rete_prog_image images[RETE_INJECT_IMAGES_MAX];
};

/* The image kept for prog, or NULL. */
const struct rete_prog_image *rete_inject_image(const struct rete_inject_ctx *ctx,
						const struct bpf_program *prog);

/* Register the handler for SEC(sec) programs of type prog_type. Returns a handler id > 0 or -errno. */
int rete_inject_register(const char *sec, enum bpf_prog_type prog_type,
			 struct rete_inject_ctx *ctx);
void rete_inject_unregister(int handler_id);
void rete_inject_release(struct rete_inject_ctx *ctx);

#endif
