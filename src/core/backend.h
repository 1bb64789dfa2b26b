/*
 * Probe backends: one per probe family, each owning its BPF object(s) and
 * links, behind a small ops table the session walks (src/core/session.c).
 * Adding one: bpf/probes/x.bpf.c, src/core/backend_x.c, one line in the
 * session's table.
 */
#ifndef RETE_CORE_BACKEND_H
#define RETE_CORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/probe.h"
#include "core/session.h"
#include "filter/inject.h"

struct bpf_object;
struct btf;
struct rete_backend;

struct rete_backend_ops {
	const char *name;
	/* Whether this backend attaches probes of `type`. */
	bool (*owns)(enum rete_probe_type type);
	/* Open, configure and load; called only when the set has probes it owns. */
	int (*load)(struct rete_session *s, struct rete_backend **ret, char *err, size_t errlen);
	/* Attach its probes; on failure nothing of it stays attached. */
	int (*attach)(struct rete_backend *b, char *err, size_t errlen);
	void (*detach)(struct rete_backend *b);
	void (*free)(struct rete_backend *b);
	/* How it loads and attaches, for the debug log. */
	const char *(*describe)(const struct rete_backend *b);
	uint64_t (*recursion_misses)(const struct rete_backend *b);
	/* Probes of a wildcard that could not be attached and were left out. */
	size_t (*skipped)(const struct rete_backend *b);
	/* Drop state older than max_age_ns from its own maps (may be NULL). */
	void (*gc)(struct rete_backend *b, uint64_t now_ns, uint64_t max_age_ns);
	/* Attach probes added to the set after attaching, ids [first, n) (may be NULL). */
	int (*add)(struct rete_backend *b, size_t first, char *err, size_t errlen);
};

/* Every backend's state starts with this. */
struct rete_backend {
	const struct rete_backend_ops *ops;
	struct rete_session *s;
};

extern const struct rete_backend_ops rete_backend_raw_tp;
extern const struct rete_backend_ops rete_backend_kprobe;
extern const struct rete_backend_ops rete_backend_fentry;

/* What a backend reads from its session. */
const struct rete_session_opts *rete_session_get_opts(const struct rete_session *s);
const struct rete_probe_set *rete_session_get_probes(const struct rete_session *s);
const struct btf *rete_session_get_btf(const struct rete_session *s);

/*
 * Section handler for the backend's programs, splicing the session's
 * filters in at load. ctx->btf must be set to the object's BTF before load.
 * Returns a handler id > 0 or -errno.
 */
int rete_session_register_inject(const struct rete_session *s, const char *sec, int prog_type,
				 struct rete_inject_ctx *ctx);

/*
 * Before load: the maps an earlier object created reused (the first object
 * sizes the ring buffer). The backend also assigns the chain's settings,
 * rete_session_get_opts(s)->chain, to its skeleton's rodata->rete_cfg.
 */
int rete_session_prepare_obj(struct rete_session *s, struct bpf_object *obj, char *err,
			     size_t errlen);
/* After load: remember the maps this object created for the next ones. */
int rete_session_adopt_obj(struct rete_session *s, struct bpf_object *obj, char *err,
			   size_t errlen);
/* One sentence for a failed load of `what` ("the kprobe program"). */
void rete_session_load_error(int rc, const struct rete_inject_ctx *inject, const char *what,
			     char *err, size_t errlen);
/* fd of a map shared by the session's objects, or -ENOENT. */
int rete_session_map_fd(const struct rete_session *s, const char *name);

#endif
