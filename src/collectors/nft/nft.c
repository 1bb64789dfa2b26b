/*
 * nft: the nftables rules and chain policies a packet meets, with their
 * verdicts, as Retis's `nft` section.
 *
 * Where the kernel has kprobes and nf_tables' BTF, a probe on
 * __nft_trace_packet reports them (nft_kprobe.c, nft.bpf.h): with
 * --allow-system-changes rete adds a table whose chain, on no hook, holds
 * `meta nftrace set 1`, which switches the kernel's tracing on.
 *
 * Elsewhere the events come from nftables' own trace facility: with
 * --allow-system-changes, rete adds to each network namespace that has a
 * ruleset a trace table (nftrace.c) setting `nftrace` on the packets -f
 * selects, listens to the trace messages, keeps those whose verdict
 * --nft-verdicts asks for (not those of its own table), and joins each to
 * the packet's other events (nft_join.c) for its tracking id. Each message
 * becomes one event: its time is when rete read it, its packet the headers
 * the message carries.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <libnftnl/trace.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "collectors/nft/nft_join.h"
#include "collectors/nft/nft_kprobe.h"
#include "collectors/nft/nft_section.h"
#include "collectors/nft/nftrace.h"
#include "core/collector.h"
#include "events/event.h"
#include "filter/pcap_filter.h"
#include "lib/log.h"

#define NFT_MODULE_BTF "/sys/kernel/btf/nf_tables"
/* Without -f, at most this many packets per second are traced (an nft limit). */
#define NFT_UNFILTERED_RATE 1000
#define NFT_NS_MAX 256
#define NFT_IDS 64		/* trace ids remembered per namespace */
#define NFT_HANDLES_MAX 4096
/* A message waits this long for its packet's first event before it is written alone. */
#define NFT_JOIN_WAIT_NS (50ULL * 1000000ULL)
#define NFT_JOIN_MAX_AGE_NS (2ULL * 1000000000ULL)
#define NFT_PENDING_MAX 4096
#define NFT_PKT_MAX (14 + 40 + RETE_NFT_IDENT_L4)

/* What the first message of a packet's pass through a hook said about the packet. */
struct nft_pkt {
	uint32_t id;		/* NFTA_TRACE_ID */
	bool used;
	uint16_t len;		/* bytes in data */
	uint32_t wire_len;
	uint8_t data[NFT_PKT_MAX];	/* from the Ethernet header (zeroed when none) */
	bool has_key;
	uint64_t key;
	bool joined;
	struct rete_ev_skb_tracking tracking;
	uint32_t pending;	/* its messages waiting for the join */
};

struct nft_handle {
	uint8_t family;
	char table[RETE_NFT_NAME_LEN];
	char chain[RETE_NFT_NAME_LEN];	/* "" for the table itself */
	int64_t handle;
};

struct nft_ns {
	struct rete_nftrace_ns t;
	struct nft_pkt ids[NFT_IDS];
	size_t next_id;
	struct nft_handle *handles;
	size_t nhandles;
	uint64_t handles_loaded;	/* when, CLOCK_MONOTONIC ns */
};

struct nft_pending {
	struct rete_nft sec;
	uint64_t ts;
	struct nft_ns *ns;
	struct nft_pkt *pkt;	/* NULL: no packet headers known */
};

struct nft_state {
	struct nft_ns *ns;
	size_t nns;
	/* The kprobe method: the switch table, in rete's own network namespace. */
	bool kprobe;
	struct nft_ns sw;
	bool sw_open;
	uint64_t verdicts;
	bool installed;
	int sec;		/* the nft section's index */
	struct rete_nft_recent recent;
	struct nft_pending *pending;
	size_t npending;
	uint64_t overflows;	/* ENOBUFS: messages the kernel could not queue */
	uint64_t unjoined;
	struct rete_event ev;
	/* For the message callback. */
	struct nft_ns *cur;
	const struct rete_collector_sink *sink;
	int err;
};

/* ---- kernel check ---- */

static int nft_check(const struct btf *btf, char *why, size_t whylen)
{
	if (btf__find_by_name_kind(btf, "nft_chain", BTF_KIND_STRUCT) > 0 ||
	    !access(NFT_MODULE_BTF, R_OK))
		return 0;
	if (access("/proc/net/netfilter", F_OK) || access("/sys/module/nf_tables", F_OK)) {
		snprintf(why, whylen, "nftables is not loaded (load it with 'modprobe nf_tables')");
		return -ENOENT;
	}
	return 0;
}

/* ---- notes ---- */

static void note(const struct rete_collector_sink *sink, enum rete_note_level lvl,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void note(const struct rete_collector_sink *sink, enum rete_note_level lvl,
		 const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (sink->note)
		sink->note(sink->ctx, lvl, buf);
}

/* ---- handles (trace messages name tables and chains, Retis's section has their handles) ---- */

static int handle_add(const struct rete_nftrace_obj *o, void *arg)
{
	struct nft_ns *ns = arg;
	struct nft_handle *h;

	if (ns->nhandles == NFT_HANDLES_MAX)
		return 0;
	h = &ns->handles[ns->nhandles++];
	h->family = o->family;
	snprintf(h->table, sizeof(h->table), "%s", o->table ? o->table : "");
	snprintf(h->chain, sizeof(h->chain), "%s", o->chain ? o->chain : "");
	h->handle = (int64_t)o->handle;
	return 0;
}

static void handles_load(struct nft_ns *ns, uint64_t now)
{
	if (!ns->handles) {
		ns->handles = calloc(NFT_HANDLES_MAX, sizeof(*ns->handles));
		if (!ns->handles)
			return;
	}
	ns->nhandles = 0;
	ns->handles_loaded = now;
	rete_nftrace_list(&ns->t, true, handle_add, ns);
}

static bool handle_find(const struct nft_ns *ns, uint8_t family, const char *table,
			const char *chain, int64_t *ret)
{
	for (size_t i = 0; i < ns->nhandles; i++) {
		const struct nft_handle *h = &ns->handles[i];

		if (h->family == family && !strcmp(h->table, table) && !strcmp(h->chain, chain)) {
			*ret = h->handle;
			return true;
		}
	}
	return false;
}

/* Handles of table and chain; -1 when the ruleset no longer has them. */
static void handles_of(struct nft_ns *ns, uint8_t family, const char *table, const char *chain,
		       uint64_t now, int64_t *th, int64_t *ch)
{
	bool ok = handle_find(ns, family, table, "", th) &&
		  handle_find(ns, family, table, chain, ch);

	/* The ruleset changed since: read it again, at most every 100 ms. */
	if (!ok && now - ns->handles_loaded > 100000000ULL) {
		handles_load(ns, now);
		ok = handle_find(ns, family, table, "", th) &&
		     handle_find(ns, family, table, chain, ch);
	}
	if (!ok) {
		if (!handle_find(ns, family, table, "", th))
			*th = -1;
		if (!handle_find(ns, family, table, chain, ch))
			*ch = -1;
	}
}

/* ---- packets of trace messages ---- */

static struct nft_pkt *pkt_find(struct nft_ns *ns, uint32_t id)
{
	for (size_t i = 0; i < NFT_IDS; i++)
		if (ns->ids[i].used && ns->ids[i].id == id)
			return &ns->ids[i];
	return NULL;
}

static struct nft_pkt *pkt_new(struct nft_ns *ns, uint32_t id)
{
	/* Oldest first, but not one whose messages still wait. */
	for (size_t tries = 0; tries < NFT_IDS; tries++) {
		struct nft_pkt *p = &ns->ids[ns->next_id];

		ns->next_id = (ns->next_id + 1) % NFT_IDS;
		if (p->pending)
			continue;
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->id = id;
		return p;
	}
	return NULL;
}

/* The packet's headers from the message: link layer (or a zeroed one), network, transport. */
static void pkt_fill(struct nft_pkt *p, const struct nftnl_trace *t)
{
	const uint8_t *ll = NULL, *nh, *th = NULL;
	uint32_t lllen = 0, nhlen = 0, thlen = 0, nfproto;
	size_t off = 0;

	nh = nftnl_trace_get_data(t, NFTNL_TRACE_NETWORK_HEADER, &nhlen);
	if (!nh || nhlen < 1 || nhlen > 40)
		return;
	if (nftnl_trace_is_set(t, NFTNL_TRACE_TRANSPORT_HEADER))
		th = nftnl_trace_get_data(t, NFTNL_TRACE_TRANSPORT_HEADER, &thlen);
	if (nftnl_trace_is_set(t, NFTNL_TRACE_LL_HEADER))
		ll = nftnl_trace_get_data(t, NFTNL_TRACE_LL_HEADER, &lllen);
	nfproto = nftnl_trace_get_u32(t, NFTNL_TRACE_NFPROTO);
	if (ll && lllen == 14) {
		memcpy(p->data, ll, 14);
	} else {
		memset(p->data, 0, 14);
		p->data[12] = (nh[0] >> 4) == 6 || nfproto == NFPROTO_IPV6 ? 0x86 : 0x08;
		p->data[13] = (nh[0] >> 4) == 6 || nfproto == NFPROTO_IPV6 ? 0xdd : 0x00;
	}
	off = 14;
	memcpy(p->data + off, nh, nhlen);
	off += nhlen;
	/* The transport header follows only when the network header was complete. */
	if ((nh[0] >> 4) == 4 && nhlen >= 20) {
		p->wire_len = 14 + (uint32_t)(nh[2] << 8 | nh[3]);
		if ((size_t)(nh[0] & 0xf) * 4 != nhlen)
			th = NULL;
	} else if ((nh[0] >> 4) == 6 && nhlen == 40) {
		p->wire_len = 14 + 40 + (uint32_t)(nh[4] << 8 | nh[5]);
		if (nh[6] != 6 && nh[6] != 17 && nh[6] != 58)
			th = NULL;
	} else {
		th = NULL;
		p->wire_len = (uint32_t)off;
	}
	if (th && thlen > RETE_NFT_IDENT_L4)
		thlen = RETE_NFT_IDENT_L4;
	if (th) {
		memcpy(p->data + off, th, thlen);
		off += thlen;
	}
	p->len = (uint16_t)off;
	if (p->wire_len < p->len)
		p->wire_len = p->len;
	p->has_key = rete_nft_ident(nh, nhlen, th, th ? thlen : 0, &p->key) == 0;
}

static void pkt_join(struct nft_state *st, struct nft_pkt *p, uint64_t now)
{
	const struct rete_nft_recent_entry *e;

	if (!p || p->joined || !p->has_key)
		return;
	e = rete_nft_recent_find(&st->recent, p->key, now, NFT_JOIN_MAX_AGE_NS);
	if (!e)
		return;
	p->joined = true;
	p->tracking = e->tracking;
}

/* ---- events ---- */

static int emit(struct nft_state *st, const struct nft_pending *m,
		const struct rete_collector_sink *sink)
{
	struct rete_event *ev = &st->ev;
	struct rete_nft *sec;

	rete_event_reset(ev);
	rete_event_set(ev, RETE_SEC_COMMON);
	ev->common.timestamp = m->ts;
	sec = rete_event_xsec(ev, (size_t)st->sec, true);
	if (!sec)
		return -ENOMEM;
	*sec = m->sec;
	if (m->ns->t.inum) {
		rete_event_set(ev, RETE_SEC_NETNS);
		ev->netns.inum = (uint32_t)m->ns->t.inum;
	}
	if (m->pkt && m->pkt->len) {
		uint8_t *data = rete_event_alloc(ev, m->pkt->len);

		if (!data)
			return -ENOMEM;
		memcpy(data, m->pkt->data, m->pkt->len);
		ev->packet.data = data;
		ev->packet.capture_len = m->pkt->len;
		ev->packet.len = m->pkt->wire_len;
		rete_event_set(ev, RETE_SEC_PACKET);
	}
	if (m->pkt && m->pkt->joined) {
		rete_event_set(ev, RETE_SEC_SKB_TRACKING);
		ev->skb_tracking = m->pkt->tracking;
	} else {
		st->unjoined++;
	}
	return sink->emit(sink->ctx, ev);
}

/* Write the waiting messages that found their packet or waited long enough, in order. */
static int flush_pending(struct nft_state *st, const struct rete_collector_sink *sink,
			 bool all)
{
	size_t i = 0;
	int rc = 0;

	for (; i < st->npending; i++) {
		struct nft_pending *m = &st->pending[i];

		pkt_join(st, m->pkt, sink->now_ns);
		if (!all && !(m->pkt && m->pkt->joined) && sink->now_ns - m->ts < NFT_JOIN_WAIT_NS)
			break;
		rc = emit(st, m, sink);
		if (m->pkt)
			m->pkt->pending--;
		if (rc) {
			i++;
			break;
		}
	}
	memmove(st->pending, st->pending + i, (st->npending - i) * sizeof(*st->pending));
	st->npending -= i;
	return rc;
}

static int32_t verdict_code(const struct nftnl_trace *t, bool *policy)
{
	*policy = false;
	if (nftnl_trace_is_set(t, NFTNL_TRACE_VERDICT))
		return (int32_t)nftnl_trace_get_u32(t, NFTNL_TRACE_VERDICT);
	if (nftnl_trace_is_set(t, NFTNL_TRACE_POLICY)) {
		*policy = true;
		return (int32_t)nftnl_trace_get_u32(t, NFTNL_TRACE_POLICY);
	}
	if (nftnl_trace_get_u32(t, NFTNL_TRACE_TYPE) == NFT_TRACETYPE_RETURN)
		return NFT_RETURN;
	return NFT_CONTINUE;
}

static void on_trace(const struct nftnl_trace *t, void *arg)
{
	struct nft_state *st = arg;
	const struct rete_collector_sink *sink = st->sink;
	struct nft_ns *ns = st->cur;
	const char *table = nftnl_trace_get_str(t, NFTNL_TRACE_TABLE);
	const char *chain = nftnl_trace_get_str(t, NFTNL_TRACE_CHAIN);
	uint32_t id = nftnl_trace_get_u32(t, NFTNL_TRACE_ID);
	struct nft_pkt *p;
	struct nft_pending m;
	bool policy;
	int32_t code;

	if (st->err || !table || !chain)
		return;
	p = pkt_find(ns, id);
	if (nftnl_trace_is_set(t, NFTNL_TRACE_NETWORK_HEADER)) {
		/* A new pass through a hook: the headers may have changed (NAT). */
		if (!p || p->pending)
			p = pkt_new(ns, id);
		if (p) {
			pkt_fill(p, t);
			pkt_join(st, p, sink->now_ns);
		}
	}
	/* Rete's own table only marks packets. */
	if (!strncmp(table, RETE_NFTRACE_TABLE_PREFIX, strlen(RETE_NFTRACE_TABLE_PREFIX)))
		return;
	code = verdict_code(t, &policy);
	if (!rete_nft_verdict_wanted(st->verdicts, code))
		return;

	memset(&m, 0, sizeof(m));
	m.ts = sink->now_ns;
	m.ns = ns;
	m.pkt = p;
	snprintf(m.sec.table_name, sizeof(m.sec.table_name), "%s", table);
	snprintf(m.sec.chain_name, sizeof(m.sec.chain_name), "%s", chain);
	snprintf(m.sec.verdict, sizeof(m.sec.verdict), "%s", rete_nft_verdict_name(code));
	m.sec.policy = policy;
	if ((code == NFT_JUMP || code == NFT_GOTO) &&
	    nftnl_trace_is_set(t, NFTNL_TRACE_JUMP_TARGET)) {
		m.sec.has_verdict_chain = true;
		snprintf(m.sec.verdict_chain_name, sizeof(m.sec.verdict_chain_name), "%s",
			 nftnl_trace_get_str(t, NFTNL_TRACE_JUMP_TARGET));
	}
	if (nftnl_trace_is_set(t, NFTNL_TRACE_RULE_HANDLE)) {
		m.sec.has_rule_handle = true;
		m.sec.rule_handle = (int64_t)nftnl_trace_get_u64(t, NFTNL_TRACE_RULE_HANDLE);
	}
	handles_of(ns, (uint8_t)nftnl_trace_get_u32(t, NFTNL_TRACE_FAMILY), table, chain,
		   sink->now_ns, &m.sec.table_handle, &m.sec.chain_handle);

	/* Written now when its packet is known and nothing waits before it; else it waits. */
	if (!st->npending && (!p || !p->has_key || p->joined)) {
		st->err = emit(st, &m, sink);
		return;
	}
	if (st->npending == NFT_PENDING_MAX) {
		st->err = flush_pending(st, sink, true);
		if (st->err)
			return;
	}
	if (p)
		p->pending++;
	st->pending[st->npending++] = m;
}

/* ---- namespaces ---- */

struct ns_scan {
	uint64_t *seen;
	size_t nseen;
	char **paths;
	size_t npaths;
};

static void ns_consider(struct ns_scan *sc, const char *path)
{
	struct stat s;

	if (stat(path, &s) || sc->npaths == NFT_NS_MAX)
		return;
	for (size_t i = 0; i < sc->nseen; i++)
		if (sc->seen[i] == (uint64_t)s.st_ino)
			return;
	sc->seen[sc->nseen++] = (uint64_t)s.st_ino;
	sc->paths[sc->npaths] = strdup(path);
	if (sc->paths[sc->npaths])
		sc->npaths++;
}

/* Every network namespace that has a name or a process: ours first. */
static void ns_scan_all(struct ns_scan *sc)
{
	static const char *const dirs[] = { "/run/netns", "/var/run/netns" };
	char path[300];
	struct dirent *d;
	DIR *dir;

	ns_consider(sc, "/proc/thread-self/ns/net");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		dir = opendir(dirs[i]);
		while (dir && (d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], d->d_name);
			ns_consider(sc, path);
		}
		if (dir)
			closedir(dir);
	}
	dir = opendir("/proc");
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		ns_consider(sc, path);
	}
	if (dir)
		closedir(dir);
}

struct ns_tables {
	const struct rete_collector_sink *sink;
	struct nft_ns *ns;
	size_t user;		/* tables that are not rete's */
	/* rete tables of processes that are gone */
	struct {
		uint8_t family;
		char name[64];
	} stale[8];
	size_t nstale;
};

static int ns_table(const struct rete_nftrace_obj *o, void *arg)
{
	struct ns_tables *nt = arg;
	size_t plen = strlen(RETE_NFTRACE_TABLE_PREFIX);
	char *end;
	long pid;

	if (strncmp(o->table, RETE_NFTRACE_TABLE_PREFIX, plen)) {
		nt->user++;
		return 0;
	}
	pid = strtol(o->table + plen, &end, 10);
	if (*end || pid <= 0 || pid == getpid() || !kill((pid_t)pid, 0) || errno != ESRCH)
		return 0;
	if (nt->nstale < sizeof(nt->stale) / sizeof(nt->stale[0])) {
		nt->stale[nt->nstale].family = o->family;
		snprintf(nt->stale[nt->nstale].name, sizeof(nt->stale[0].name), "%s", o->table);
		nt->nstale++;
	}
	return 0;
}

static const char *family_name(uint8_t f)
{
	return f == NFPROTO_IPV4 ? "ip" : f == NFPROTO_IPV6 ? "ip6" : f == NFPROTO_INET ? "inet" :
	       "other";
}

/*
 * Remove the tables an earlier rete left in an open namespace; the number of
 * tables of its own, or -errno.
 */
static int ns_clean(struct nft_ns *ns, const struct rete_collector_sink *sink)
{
	struct ns_tables nt = { .sink = sink, .ns = ns };
	int lrc = rete_nftrace_list(&ns->t, false, ns_table, &nt);

	if (lrc)
		return lrc < 0 ? lrc : -EIO;
	for (size_t i = 0; i < nt.nstale; i++) {
		int rc = rete_nftrace_delete(&ns->t, nt.stale[i].family, nt.stale[i].name);

		note(sink, rc ? RETE_NOTE_WARN : RETE_NOTE_INFO,
		     rc ? "nft: cannot remove the table %s %s that an earlier rete left in network "
			  "namespace %" PRIu64 " (%s)" :
			  "nft: removed the table %s %s that an earlier rete left in network "
			  "namespace %" PRIu64 "%s",
		     family_name(nt.stale[i].family), nt.stale[i].name, ns->t.inum,
		     rc ? strerror(-rc) : "");
	}
	return nt.user > INT32_MAX ? INT32_MAX : (int)nt.user;
}

/* Open the namespace, clean what an earlier rete left; true when it has a ruleset of its own. */
static bool ns_prepare(struct nft_ns *ns, const char *path,
		       const struct rete_collector_sink *sink)
{
	char err[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (rete_nftrace_open(fd, &ns->t, err, sizeof(err))) {
		close(fd);
		return false;
	}
	close(fd);
	if (ns_clean(ns, sink) <= 0) {
		rete_nftrace_close(&ns->t);
		return false;
	}
	return true;
}

/* ---- source ---- */

static void nft_free(struct nft_state *st)
{
	if (st->sw_open)
		rete_nftrace_close(&st->sw.t);
	for (size_t i = 0; i < st->nns; i++) {
		rete_nftrace_close(&st->ns[i].t);
		free(st->ns[i].handles);
	}
	free(st->ns);
	free(st->pending);
	rete_event_free(&st->ev);
	free(st);
}

static int nft_selection(const struct rete_collector_env *env, struct rete_nftrace_sel *sel,
			 const struct rete_collector_sink *sink, char *err, size_t errlen)
{
	const struct rete_pcap_filter *pf = env->pcap;

	memset(sel, 0, sizeof(*sel));
	if (!pf) {
		sel->rate = NFT_UNFILTERED_RATE;
		note(sink, RETE_NOTE_INFO,
		     "nft: no packet filter (-f): nftables tracing is limited to %d packets per "
		     "second",
		     NFT_UNFILTERED_RATE);
		return 0;
	}
	if (!pf->has[RETE_PCAP_L3]) {
		snprintf(err, errlen,
			 "the nft collector selects the packets to trace by their IP header, and "
			 "the filter '%s' has no form on the IP header (%s)",
			 pf->expr, pf->l3_skip_reason[0] ? pf->l3_skip_reason : "link-layer");
		return -EINVAL;
	}
	sel->insns = pf->prog[RETE_PCAP_L3].insns;
	sel->n = pf->prog[RETE_PCAP_L3].n;
	if (sel->n > RETE_NFTRACE_MAX_INSNS) {
		snprintf(err, errlen,
			 "the filter '%s' compiles to %zu classic BPF instructions, and the nft "
			 "collector's trace rule holds at most %d: use a shorter filter",
			 pf->expr, sel->n, RETE_NFTRACE_MAX_INSNS);
		return -E2BIG;
	}
	return 0;
}

/* The kprobe on __nft_trace_packet (--allow-system-changes): only the switch table. */
static int nft_start_kprobe(const struct rete_collector_env *env,
			    const struct rete_collector_sink *sink, struct nft_state *st,
			    char *err, size_t errlen)
{
	char table[32];
	int rc;

	snprintf(table, sizeof(table), "%s%d", RETE_NFTRACE_TABLE_PREFIX, (int)getpid());
	rc = rete_nftrace_open(-1, &st->sw.t, err, errlen);
	if (rc)
		return rc;
	st->sw_open = true;
	rc = ns_clean(&st->sw, sink);
	if (rc < 0) {
		snprintf(err, errlen, "nft: cannot list the nftables ruleset: %s", strerror(-rc));
		return rc;
	}
	rc = rete_nftrace_install_switch(&st->sw.t, table, err, errlen);
	if (rc)
		return rc;
	note(sink, RETE_NOTE_INFO,
	     "nft: added the table ip %s (its chain, on no hook, holds meta nftrace set 1: "
	     "nftables tracing is on while rete runs); it is removed at exit", table);
	return 0;
}

static int nft_start(const struct rete_collector_env *env, const struct rete_collector_sink *sink,
		     void **state, char *err, size_t errlen)
{
	struct nft_state *st = calloc(1, sizeof(*st));
	struct ns_scan sc = { 0 };
	struct rete_nftrace_sel sel;
	char table[32];
	int rc = -ENOMEM;

	if (!st)
		return -ENOMEM;
	st->verdicts = env->opts->nft_verdicts;
	switch (rete_nft_kprobe_chosen(env)) {
	case RETE_NFT_WAY_MESSAGES:
		break;
	case RETE_NFT_WAY_CHAIN:
		note(sink, RETE_NOTE_INFO,
		     "nft: without a ruleset change, each base chain's final verdict "
		     "(kretprobe:%s; the rule is not known); every rule, jump and policy need "
		     "--allow-system-changes (rete then adds the table ip %s%d, a chain on no "
		     "hook holding meta nftrace set 1, removed at exit)",
		     RETE_NFT_CHAIN_FUNC, RETE_NFTRACE_TABLE_PREFIX, (int)getpid());
		*state = st;
		return 0;
	case RETE_NFT_WAY_TRACE:
		st->kprobe = true;
		rc = nft_start_kprobe(env, sink, st, err, errlen);
		if (rc) {
			if (st->sw_open)
				rete_nftrace_uninstall(&st->sw.t);
			nft_free(st);
			return rc;
		}
		*state = st;
		return 0;
	}
	st->sec = rete_xsection_find("nft");
	st->ns = calloc(NFT_NS_MAX, sizeof(*st->ns));
	st->pending = calloc(NFT_PENDING_MAX, sizeof(*st->pending));
	sc.seen = calloc(4096, sizeof(*sc.seen));
	sc.paths = calloc(NFT_NS_MAX, sizeof(*sc.paths));
	if (st->sec < 0 || !st->ns || !st->pending || !sc.seen || !sc.paths) {
		snprintf(err, errlen, "nft: out of memory");
		goto fail;
	}
	if (env->opts->allow_system_changes) {
		rc = nft_selection(env, &sel, sink, err, errlen);
		if (rc)
			goto fail;
	}
	ns_scan_all(&sc);
	for (size_t i = 0; i < sc.npaths; i++)
		if (ns_prepare(&st->ns[st->nns], sc.paths[i], sink))
			st->nns++;
	snprintf(table, sizeof(table), "%s%d", RETE_NFTRACE_TABLE_PREFIX, (int)getpid());
	for (size_t i = 0; i < st->nns; i++) {
		struct nft_ns *ns = &st->ns[i];

		handles_load(ns, sink->now_ns);
		rc = rete_nftrace_listen(&ns->t);
		if (rc) {
			snprintf(err, errlen, "nft: cannot listen to nftables traces: %s",
				 strerror(-rc));
			goto fail;
		}
		if (!env->opts->allow_system_changes)
			continue;
		rc = rete_nftrace_install(&ns->t, table, &sel, err, errlen);
		if (rc)
			goto fail;
		st->installed = true;
	}
	if (!st->nns && env->opts->named)
		note(sink, RETE_NOTE_WARN,
		     "nft: no network namespace has an nftables ruleset, so there is nothing to "
		     "trace (rulesets created after this start are not seen)");
	else if (!st->nns) {
		/* started by auto with nothing to trace: nothing to say */
	} else if (env->opts->allow_system_changes)
		note(sink, RETE_NOTE_INFO,
		     "nft: added the tables ip and ip6 %s (chains prerouting and output, priority "
		     "-2147483648, setting nftrace on the packets to trace) in %zu network "
		     "namespace(s); they are removed at exit",
		     table, st->nns);
	else
		note(sink, env->opts->named ? RETE_NOTE_WARN : RETE_NOTE_INFO,
		     "nft: only packets the ruleset already traces (meta nftrace set 1) are "
		     "reported; with --allow-system-changes, rete adds the tables ip and ip6 %s "
		     "(chains prerouting and output setting nftrace on the packets -f selects) "
		     "in the %zu network namespace(s) that have a ruleset, and removes them at "
		     "exit",
		     table, st->nns);
	for (size_t i = 0; i < sc.npaths; i++)
		free(sc.paths[i]);
	free(sc.paths);
	free(sc.seen);
	*state = st;
	return 0;
fail:
	for (size_t i = 0; i < st->nns; i++)
		rete_nftrace_uninstall(&st->ns[i].t);
	for (size_t i = 0; sc.paths && i < sc.npaths; i++)
		free(sc.paths[i]);
	free(sc.paths);
	free(sc.seen);
	nft_free(st);
	return rc ? rc : -ENOMEM;
}

static size_t nft_fds(void *state, int *fds, size_t max)
{
	struct nft_state *st = state;
	size_t n = 0;

	for (size_t i = 0; i < st->nns && n < max; i++)
		fds[n++] = rete_nftrace_fd(&st->ns[i].t);
	return n;
}

static int nft_read(void *state, int fd, const struct rete_collector_sink *sink)
{
	struct nft_state *st = state;

	st->sink = sink;
	for (size_t i = 0; i < st->nns && fd >= 0; i++) {
		int rc;

		if (rete_nftrace_fd(&st->ns[i].t) != fd)
			continue;
		st->cur = &st->ns[i];
		do {
			rc = rete_nftrace_read(&st->ns[i].t, on_trace, st);
			if (rc == -ENOBUFS)
				st->overflows++;
		} while (rc == -ENOBUFS);
		if (st->err)
			return st->err;
		if (rc < 0)
			return rc;
	}
	return st->npending ? flush_pending(st, sink, false) : 0;
}

static void nft_observe(void *state, const struct rete_event *ev)
{
	struct nft_state *st = state;

	/* Nothing to join to when no namespace is traced. */
	if (st->nns)
		rete_nft_recent_observe(&st->recent, ev);
}

static void nft_stop(void *state, const struct rete_collector_sink *sink)
{
	struct nft_state *st = state;
	char table[32];

	if (!st)
		return;
	if (st->sw_open) {
		int rc = rete_nftrace_uninstall(&st->sw.t);

		if (rc)
			note(sink, RETE_NOTE_WARN,
			     "nft: cannot remove the table ip %s (%s); the next rete collect "
			     "removes it", st->sw.t.table, strerror(-rc));
	}
	/* What is still queued, then what waits. */
	for (size_t i = 0; i < st->nns && !st->err; i++)
		nft_read(st, rete_nftrace_fd(&st->ns[i].t), sink);
	if (!st->err)
		flush_pending(st, sink, true);
	snprintf(table, sizeof(table), "%s%d", RETE_NFTRACE_TABLE_PREFIX, (int)getpid());
	for (size_t i = 0; i < st->nns; i++) {
		int rc = rete_nftrace_uninstall(&st->ns[i].t);

		if (rc)
			note(sink, RETE_NOTE_WARN,
			     "nft: cannot remove the tables ip and ip6 %s from network namespace "
			     "%" PRIu64 " (%s); the next rete collect removes them",
			     table, st->ns[i].t.inum, strerror(-rc));
	}
	if (st->overflows)
		note(sink, RETE_NOTE_WARN,
		     "nft: the kernel dropped nftables trace messages %" PRIu64 " time(s) (the "
		     "socket buffer was full): some nft events are missing",
		     st->overflows);
	if (st->unjoined)
		note(sink, RETE_NOTE_INFO,
		     "nft: %" PRIu64 " nft event(s) could not be joined to their packet's other "
		     "events (no tracking id)",
		     st->unjoined);
	nft_free(st);
}

/* The kprobe where the kernel allows it; else nftables' trace messages (nft_start). */
static int nft_setup(const struct rete_collector_env *env, struct rete_chain_cfg *cfg, char *err,
		     size_t errlen)
{
	char why[256];
	int rc = rete_nft_kprobe_setup(env, cfg, why, sizeof(why));

	if (rc == -ENOMEM || rc == -E2BIG) {
		snprintf(err, errlen, "nft: %s", why);
		return rc;
	}
	if (rc)
		log_debug("nft: no kprobe (%s): nftables trace messages instead", why);
	return 0;
}

static const struct rete_collector_source nft_source = {
	.start = nft_start,
	.fds = nft_fds,
	.read = nft_read,
	.observe = nft_observe,
	.stop = nft_stop,
};

const struct rete_collector_ops rete_collector_nft = {
	.name = "nft",
	.check = nft_check,
	.setup = nft_setup,
	.section = &rete_section_nft,
	.source = &nft_source,
	.owns_probe = "__nft_trace_packet",
};
