/*
 * kprobes and kretprobes: bpf/probes/kprobe.bpf.c loaded once. With
 * kprobe.multi (found by trying it, never by kernel version) each program
 * gets one link for all its functions, the probe ids as per-function
 * cookies; otherwise one perf-event link per function with the probe id as
 * bpf_cookie. A kretprobe needs both programs on its function: the entry
 * one stores the arguments, the return one reports. A probe flagged
 * RETE_PROBE_F_NFT gets the nft collector's programs instead (a kprobe: its
 * trace program; a kretprobe: its chain entry and return programs), loaded
 * only then: they are relocated against nf_tables' types.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/backend.h"
#include "core/kernel.h"
#include "uapi/rete_config.h" /* the skeleton's .rodata types */
#include "kprobe.skel.h"
#include "lib/log.h"

struct kprobe_backend {
	struct rete_backend base;
	struct rete_kprobe *skel;
	bool multi;			/* kprobe.multi links */
	bool has_return;		/* some kretprobe: the return program is loaded */
	bool has_nft;			/* an nft kprobe: the nft program is loaded */
	bool has_nft_chain;		/* an nft kretprobe: its two programs are loaded */
	struct bpf_link **links;
	size_t nlinks, links_cap;
	size_t skipped;			/* wildcard probes that would not attach */
	bool *left_out;			/* per probe id: skipped (entry and return alike) */
	size_t nleft_out;
	char describe[320];
	struct rete_inject_ctx inject;
	int handler_id;
};

/* One attach pass: a program on a group of functions. */
struct kgroup {
	struct bpf_program *prog;
	bool retprobe;
	/* Which probes: kprobes (entry) or kretprobes (entry or return). */
	enum rete_probe_type type;
	/* Those flagged RETE_PROBE_F_NFT (and one link each), or the others. */
	bool nft;
};

static bool kprobe_owns(enum rete_probe_type type)
{
	return type == RETE_PROBE_KPROBE || type == RETE_PROBE_KRETPROBE;
}

static void kprobe_free(struct rete_backend *base)
{
	struct kprobe_backend *b = (struct kprobe_backend *)base;

	for (size_t i = 0; i < b->nlinks; i++)
		bpf_link__destroy(b->links[i]);
	free(b->links);
	free(b->left_out);
	rete_kprobe__destroy(b->skel);
	rete_inject_unregister(b->handler_id);
	rete_inject_release(&b->inject);
	free(b);
}

static int kprobe_load(struct rete_session *s, struct rete_backend **ret, char *err,
		       size_t errlen)
{
	const struct rete_probe_set *set = rete_session_get_probes(s);
	struct kprobe_backend *b;
	char why[256] = "";
	int rc;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->base.ops = &rete_backend_kprobe;
	b->base.s = s;
	b->nleft_out = set->n;
	b->left_out = calloc(set->n ? set->n : 1, sizeof(*b->left_out));
	if (!b->left_out) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < set->n; i++) {
		bool kret = set->probes[i].type == RETE_PROBE_KRETPROBE;
		bool nft = set->probes[i].flags & RETE_PROBE_F_NFT;

		b->has_return |= kret && !nft;
		b->has_nft |= !kret && nft;
		b->has_nft_chain |= kret && nft;
	}
	if (rete_session_get_opts(s)->no_kprobe_multi)
		snprintf(why, sizeof(why), "disabled by the caller");
	else
		b->multi = !rete_kernel_feature(RETE_FEAT_KPROBE_MULTI, rete_session_get_btf(s),
						why, sizeof(why));
	snprintf(b->describe, sizeof(b->describe), "%s%s%s",
		 b->multi ? "kprobe.multi links with per-function cookies" :
			    "one perf-event link per function (kprobe.multi: ",
		 b->multi ? "" : why, b->multi ? "" : ")");

	/* Both programs are in SEC("rete_kprobe") and SEC("rete_kprobe/return"). */
	b->handler_id =
		rete_session_register_inject(s, "rete_kprobe+", BPF_PROG_TYPE_KPROBE, &b->inject);
	if (b->handler_id < 0) {
		rc = b->handler_id;
		snprintf(err, errlen, "cannot register the BPF section handler: %s", strerror(-rc));
		goto out_free;
	}
	b->skel = rete_kprobe__open();
	if (!b->skel) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the kprobe BPF object: %s", strerror(-rc));
		goto out_free;
	}
	rc = rete_session_prepare_obj(s, b->skel->obj, err, errlen);
	b->skel->rodata->rete_cfg = rete_session_get_opts(s)->chain;
	if (rc)
		goto out_free;
	/* The attach type decides which cookie bpf_get_attach_cookie() returns. */
	if (b->multi) {
		bpf_program__set_expected_attach_type(b->skel->progs.rete_kprobe_entry,
						      BPF_TRACE_KPROBE_MULTI);
		bpf_program__set_expected_attach_type(b->skel->progs.rete_kprobe_return,
						      BPF_TRACE_KPROBE_MULTI);
	}
	bpf_program__set_autoload(b->skel->progs.rete_kprobe_return, b->has_return);
	bpf_program__set_autoload(b->skel->progs.rete_kprobe_nft, b->has_nft);
	bpf_program__set_autoload(b->skel->progs.rete_kprobe_nft_chain_entry, b->has_nft_chain);
	bpf_program__set_autoload(b->skel->progs.rete_kprobe_nft_chain_return, b->has_nft_chain);
	b->inject.btf = bpf_object__btf(b->skel->obj);
	rc = rete_kprobe__load(b->skel);
	if (rc) {
		rete_session_load_error(rc, &b->inject, "the kprobe program", err, errlen);
		goto out_free;
	}
	rc = rete_session_adopt_obj(s, b->skel->obj, err, errlen);
	if (rc)
		goto out_free;
	*ret = &b->base;
	return 0;
out_free:
	kprobe_free(&b->base);
	return rc;
}

static int keep_link(struct kprobe_backend *b, struct bpf_link *link)
{
	if (b->nlinks == b->links_cap) {
		size_t cap = b->links_cap ? b->links_cap * 2 : 16;
		struct bpf_link **l = reallocarray(b->links, cap, sizeof(*l));

		if (!l) {
			bpf_link__destroy(link);
			return -ENOMEM;
		}
		b->links = l;
		b->links_cap = cap;
	}
	b->links[b->nlinks++] = link;
	return 0;
}

static void kprobe_detach(struct rete_backend *base)
{
	struct kprobe_backend *b = (struct kprobe_backend *)base;

	/* Entries go first (attached last), so calls in flight can still return. */
	while (b->nlinks)
		bpf_link__destroy(b->links[--b->nlinks]);
}

static const char *group_name(const struct kgroup *g)
{
	return g->type == RETE_PROBE_KPROBE ? "kprobe" : g->retprobe ? "kretprobe" :
									"kretprobe entry";
}

static int attach_one(struct kprobe_backend *b, const struct kgroup *g, uint32_t id,
		      char *err, size_t errlen)
{
	const struct rete_probe *p = &rete_session_get_probes(b->base.s)->probes[id];
	LIBBPF_OPTS(bpf_kprobe_opts, o, .bpf_cookie = id, .retprobe = g->retprobe);
	struct bpf_link *link;
	int rc;

	link = bpf_program__attach_kprobe_opts(g->prog, p->symbol, &o);
	if (!link) {
		rc = -errno;
		snprintf(err, errlen, "cannot attach %s probe '%s': %s",
			 rete_probe_type_name(p->type), p->symbol, strerror(-rc));
		return rc;
	}
	return keep_link(b, link);
}

/*
 * One kprobe.multi link for ids[lo, hi). The kernel refuses the whole link
 * when one function cannot be probed: halve the range until the culprits are
 * alone, then leave them out if a wildcard brought them, else fail.
 */
static int attach_multi(struct kprobe_backend *b, const struct kgroup *g, const char **syms,
			const __u64 *cookies, size_t lo, size_t hi, char *err, size_t errlen)
{
	const struct rete_probe_set *set = rete_session_get_probes(b->base.s);
	LIBBPF_OPTS(bpf_kprobe_multi_opts, o, .syms = syms + lo, .cookies = cookies + lo,
		    .cnt = hi - lo, .retprobe = g->retprobe);
	const struct rete_probe *p;
	struct bpf_link *link;
	size_t mid;
	int rc;

	link = bpf_program__attach_kprobe_multi_opts(g->prog, NULL, &o);
	if (link)
		return keep_link(b, link);
	rc = -errno;
	if (hi - lo > 1) {
		log_debug("kprobe.multi link for %zu %s probes failed (%s): splitting it", hi - lo,
			  group_name(g), strerror(-rc));
		mid = lo + (hi - lo) / 2;
		rc = attach_multi(b, g, syms, cookies, lo, mid, err, errlen);
		return rc ? rc : attach_multi(b, g, syms, cookies, mid, hi, err, errlen);
	}
	p = &set->probes[cookies[lo]];
	if (p->optional) {
		log_debug("%s probe '%s' left out: %s", rete_probe_type_name(p->type), p->symbol,
			  strerror(-rc));
		b->left_out[cookies[lo]] = true;
		b->skipped++;
		return 0;
	}
	snprintf(err, errlen, "cannot attach %s probe '%s' with kprobe.multi: %s",
		 rete_probe_type_name(p->type), p->symbol, strerror(-rc));
	return rc;
}

/*
 * A perf-event link holds two descriptors (the perf event and the link):
 * a thousand single links exceed the usual soft limit of 1024 open files.
 */
static void raise_nofile(size_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_debug("cannot raise the open file limit to %zu: %s", need, strerror(errno));
}

/* Attach g's probes among ids [lo, set->n). */
static int attach_group(struct kprobe_backend *b, const struct kgroup *g, size_t lo, char *err,
			size_t errlen)
{
	const struct rete_probe_set *set = rete_session_get_probes(b->base.s);
	const char **syms = NULL;
	__u64 *cookies = NULL;
	size_t n = 0;
	int rc = 0;

	if (b->multi) {
		syms = calloc(set->n, sizeof(*syms));
		cookies = calloc(set->n, sizeof(*cookies));
		if (!syms || !cookies) {
			rc = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out_free;
		}
	}
	for (size_t i = lo; i < set->n && !rc; i++) {
		const struct rete_probe *p = &set->probes[i];

		if (p->type != g->type || b->left_out[i] || !(p->flags & RETE_PROBE_F_NFT) != !g->nft)
			continue;
		if (b->multi && !g->nft) {
			syms[n] = p->symbol;
			cookies[n++] = i;
			continue;
		}
		rc = attach_one(b, g, (uint32_t)i, err, errlen);
		if (rc && p->optional && rc != -ENOMEM) {
			log_debug("%s (left out)", err);
			b->left_out[i] = true;
			b->skipped++;
			rc = 0;
		}
	}
	if (!rc && n)
		rc = attach_multi(b, g, syms, cookies, 0, n, err, errlen);
out_free:
	free(syms);
	free(cookies);
	return rc;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int kprobe_attach(struct rete_backend *base, char *err, size_t errlen)
{
	struct kprobe_backend *b = (struct kprobe_backend *)base;
	/*
	 * Returns before entries: a return without its entry is ignored, an
	 * entry without its return would stay in the in-flight table.
	 */
	const struct kgroup groups[] = {
		{ b->skel->progs.rete_kprobe_return, true, RETE_PROBE_KRETPROBE, false },
		{ b->skel->progs.rete_kprobe_entry, false, RETE_PROBE_KRETPROBE, false },
		{ b->skel->progs.rete_kprobe_entry, false, RETE_PROBE_KPROBE, false },
		{ b->skel->progs.rete_kprobe_nft, false, RETE_PROBE_KPROBE, true },
		{ b->skel->progs.rete_kprobe_nft_chain_return, true, RETE_PROBE_KRETPROBE, true },
		{ b->skel->progs.rete_kprobe_nft_chain_entry, false, RETE_PROBE_KRETPROBE, true },
	};
	const struct rete_probe_set *set = rete_session_get_probes(b->base.s);
	uint64_t start = now_us();
	size_t nret = 0;

	for (size_t i = 0; i < set->n; i++)
		nret += set->probes[i].type == RETE_PROBE_KRETPROBE;
	b->skipped = 0;
	memset(b->left_out, 0, set->n * sizeof(*b->left_out));
	if (!b->multi)
		raise_nofile(1024 + 2 * (set->n + nret));
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		const struct kgroup *g = &groups[i];
		int rc;

		if (g->nft ? !(g->type == RETE_PROBE_KPROBE ? b->has_nft : b->has_nft_chain) :
			     g->type == RETE_PROBE_KRETPROBE && !b->has_return)
			continue;
		rc = attach_group(b, g, 0, err, errlen);
		if (rc) {
			kprobe_detach(base);
			return rc;
		}
	}
	log_debug("kprobes attached in %.1f ms: %zu link(s)%s, %zu probe(s) left out",
		  (double)(now_us() - start) / 1000.0, b->nlinks,
		  b->multi ? " (kprobe.multi)" : "", b->skipped);
	return 0;
}

/*
 * Probes added to the set after attaching (--probe-stack): ids [first, n).
 * kprobes only (a kretprobe needs the return program, loaded only when the
 * initial set had one). Those that cannot attach are left out.
 */
static int kprobe_add(struct rete_backend *base, size_t first, char *err, size_t errlen)
{
	struct kprobe_backend *b = (struct kprobe_backend *)base;
	const struct rete_probe_set *set = rete_session_get_probes(b->base.s);
	const struct kgroup g = { b->skel->progs.rete_kprobe_entry, false, RETE_PROBE_KPROBE, false };
	size_t old = b->nleft_out;
	bool *l;

	if (set->n > old) {
		l = realloc(b->left_out, set->n * sizeof(*l));
		if (!l)
			return -ENOMEM;
		memset(l + old, 0, (set->n - old) * sizeof(*l));
		b->left_out = l;
		b->nleft_out = set->n;
	}
	if (!b->multi)
		raise_nofile(1024 + 2 * (b->nlinks + set->n));
	return attach_group(b, &g, first, err, errlen);
}

static const char *kprobe_describe(const struct rete_backend *base)
{
	return ((const struct kprobe_backend *)base)->describe;
}

static uint64_t prog_misses(const struct bpf_program *prog)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd = bpf_program__fd(prog);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

static uint64_t kprobe_recursion_misses(const struct rete_backend *base)
{
	const struct kprobe_backend *b = (const struct kprobe_backend *)base;

	return prog_misses(b->skel->progs.rete_kprobe_entry) +
	       prog_misses(b->skel->progs.rete_kprobe_return) +
	       prog_misses(b->skel->progs.rete_kprobe_nft) +
	       prog_misses(b->skel->progs.rete_kprobe_nft_chain_entry) +
	       prog_misses(b->skel->progs.rete_kprobe_nft_chain_return);
}

static size_t kprobe_skipped(const struct rete_backend *base)
{
	return ((const struct kprobe_backend *)base)->skipped;
}

/*
 * A call whose return the kernel missed (its return-probe pool ran out)
 * leaves its entry behind until a call at the same stack address replaces
 * it; drop entries older than max_age_ns.
 */
static void kprobe_gc(struct rete_backend *base, uint64_t now_ns, uint64_t max_age_ns)
{
	const struct kprobe_backend *b = (const struct kprobe_backend *)base;
	struct rete_kret_key key, next, stale[64];
	struct rete_kret_entry e;
	size_t nstale = 0;
	void *prev = NULL;
	int fd;

	if (!b->has_return && !b->has_nft_chain)
		return;
	fd = bpf_map__fd(b->skel->maps.rete_kret_inflight);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &e))
			continue;
		if (now_ns > e.ts && now_ns - e.ts > max_age_ns) {
			stale[nstale++] = key;
			if (nstale == sizeof(stale) / sizeof(stale[0]))
				break;
		}
	}
	for (size_t i = 0; i < nstale; i++)
		bpf_map_delete_elem(fd, &stale[i]);
}

const struct rete_backend_ops rete_backend_kprobe = {
	.name = "kprobe",
	.owns = kprobe_owns,
	.load = kprobe_load,
	.attach = kprobe_attach,
	.detach = kprobe_detach,
	.free = kprobe_free,
	.describe = kprobe_describe,
	.recursion_misses = kprobe_recursion_misses,
	.skipped = kprobe_skipped,
	.gc = kprobe_gc,
	.add = kprobe_add,
};
