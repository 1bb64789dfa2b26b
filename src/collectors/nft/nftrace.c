/* nftables tracing in one network namespace (nftrace.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/trace.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_bpf.h>

#include "collectors/nft/nftrace.h"

#define RCVBUF_BYTES (16 << 20)
#define NL_BUF (1 << 16)

static const uint8_t families[2] = { NFPROTO_IPV4, NFPROTO_IPV6 };

/* The hooks every packet meets first: received (prerouting) or sent by the host (output). */
static const struct {
	const char *name;
	uint32_t hook;
} hooks[] = {
	{ "prerouting", NF_INET_PRE_ROUTING },
	{ "output", NF_INET_LOCAL_OUT },
};

static int enter_ns(int nsfd, int *self)
{
	*self = -1;
	if (nsfd < 0)
		return 0;
	*self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*self < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET)) {
		int rc = -errno;

		close(*self);
		*self = -1;
		return rc;
	}
	return 0;
}

static void leave_ns(int self)
{
	if (self < 0)
		return;
	/* Back where we were: cannot fail for a namespace we came from. */
	if (setns(self, CLONE_NEWNET))
		abort();
	close(self);
}

int rete_nftrace_open(int nsfd, struct rete_nftrace_ns *ns, char *err, size_t errlen)
{
	struct stat st;
	int self, rc, buf = RCVBUF_BYTES;

	memset(ns, 0, sizeof(*ns));
	rc = enter_ns(nsfd, &self);
	if (rc) {
		snprintf(err, errlen, "cannot enter the network namespace: %s", strerror(-rc));
		return rc;
	}
	rc = 0;
	if (stat("/proc/thread-self/ns/net", &st) == 0)
		ns->inum = st.st_ino;
	ns->ctl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	ns->mon = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!ns->ctl || !ns->mon || mnl_socket_bind(ns->ctl, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_bind(ns->mon, 0, MNL_SOCKET_AUTOPID))
		rc = -errno;
	leave_ns(self);
	if (rc) {
		snprintf(err, errlen, "cannot open a netfilter netlink socket: %s", strerror(-rc));
		rete_nftrace_close(ns);
		return rc;
	}
	/* Bursts of trace messages: as large a buffer as root may have. */
	if (setsockopt(mnl_socket_get_fd(ns->mon), SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(mnl_socket_get_fd(ns->mon), SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	struct timeval tv = { .tv_sec = 5 };

	setsockopt(mnl_socket_get_fd(ns->ctl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ns->portid = mnl_socket_get_portid(ns->ctl);
	ns->seq = (uint32_t)time(NULL);
	return 0;
}

/* ---- listing the ruleset ---- */

struct list_ctx {
	uint16_t msg;		/* NFT_MSG_GETTABLE or NFT_MSG_GETCHAIN */
	int (*fn)(const struct rete_nftrace_obj *o, void *arg);
	void *arg;
	int rc;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *lc = data;
	struct rete_nftrace_obj o = { 0 };

	if (lc->rc)
		return MNL_CB_OK;
	if (lc->msg == NFT_MSG_GETTABLE) {
		struct nftnl_table *t = nftnl_table_alloc();

		if (!t)
			return MNL_CB_ERROR;
		if (nftnl_table_nlmsg_parse(nlh, t) == 0) {
			o.family = (uint8_t)nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY);
			o.table = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
			o.handle = nftnl_table_get_u64(t, NFTNL_TABLE_HANDLE);
			lc->rc = lc->fn(&o, lc->arg);
		}
		nftnl_table_free(t);
	} else {
		struct nftnl_chain *c = nftnl_chain_alloc();

		if (!c)
			return MNL_CB_ERROR;
		if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
			o.family = (uint8_t)nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
			o.table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
			o.chain = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
			o.handle = nftnl_chain_get_u64(c, NFTNL_CHAIN_HANDLE);
			lc->rc = lc->fn(&o, lc->arg);
		}
		nftnl_chain_free(c);
	}
	return MNL_CB_OK;
}

static int list_dump(struct rete_nftrace_ns *ns, struct list_ctx *lc)
{
	char *buf = malloc(NL_BUF);
	struct nlmsghdr *nlh;
	uint32_t seq = ++ns->seq;
	ssize_t n;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, lc->msg, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(ns->ctl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(ns->ctl, buf, NL_BUF);
		if (n < 0) {
			rc = -errno;
			break;
		}
		rc = mnl_cb_run(buf, (size_t)n, seq, ns->portid, list_cb, lc);
		if (rc <= 0) {
			rc = rc < 0 ? -errno : 0;
			break;
		}
	}
out:
	free(buf);
	return rc ? rc : lc->rc;
}

int rete_nftrace_list(struct rete_nftrace_ns *ns, bool chains,
		      int (*fn)(const struct rete_nftrace_obj *o, void *arg), void *arg)
{
	struct list_ctx lc = { NFT_MSG_GETTABLE, fn, arg, 0 };
	int rc = list_dump(ns, &lc);

	if (rc || !chains)
		return rc;
	lc.msg = NFT_MSG_GETCHAIN;
	return list_dump(ns, &lc);
}

/* ---- ruleset changes ---- */

/* Send a batch and wait for the kernel's answer to each of its nmsg messages. */
static int batch_send(struct rete_nftrace_ns *ns, struct mnl_nlmsg_batch *b, size_t nmsg)
{
	char *buf;
	size_t acks = 0;
	int first_err = 0;

	if (mnl_socket_sendto(ns->ctl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0)
		return -errno;
	buf = malloc(NL_BUF);
	if (!buf)
		return -ENOMEM;
	while (acks < nmsg) {
		ssize_t n = recv(mnl_socket_get_fd(ns->ctl), buf, NL_BUF,
				 first_err ? MSG_DONTWAIT : 0);
		const struct nlmsghdr *nlh = (const void *)buf;
		int len = (int)n;

		if (n < 0) {
			if (!first_err)
				first_err = -errno;
			break;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			acks++;
			if (e->error && !first_err)
				first_err = e->error;
		}
	}
	free(buf);
	return first_err;
}

static struct nftnl_expr *expr_match_bpf(const struct rete_nftrace_sel *sel)
{
	struct nftnl_expr *e = nftnl_expr_alloc("match");
	/* libnftnl keeps (and frees) the info buffer it is given. */
	struct xt_bpf_info *info = calloc(1, sizeof(*info));

	if (!e || !info) {
		nftnl_expr_free(e);
		free(info);
		return NULL;
	}
	info->bpf_program_num_elem = (uint16_t)sel->n;
	memcpy(info->bpf_program, sel->insns, sel->n * sizeof(sel->insns[0]));
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "bpf");
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 0);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, info, sizeof(*info));
	return e;
}

static struct nftnl_expr *expr_limit(uint32_t rate)
{
	struct nftnl_expr *e = nftnl_expr_alloc("limit");

	if (!e)
		return NULL;
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, rate);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	return e;
}

/* meta nftrace set 1 */
static int add_set_nftrace(struct nftnl_rule *r)
{
	struct nftnl_expr *imm = nftnl_expr_alloc("immediate");
	struct nftnl_expr *meta = nftnl_expr_alloc("meta");
	uint8_t one = 1;

	if (!imm || !meta) {
		nftnl_expr_free(imm);
		nftnl_expr_free(meta);
		return -ENOMEM;
	}
	nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(imm, NFTNL_EXPR_IMM_DATA, &one, sizeof(one));
	nftnl_rule_add_expr(r, imm);
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_KEY, NFT_META_NFTRACE);
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_SREG, NFT_REG_1);
	nftnl_rule_add_expr(r, meta);
	return 0;
}

static int put_table(struct mnl_nlmsg_batch *b, struct rete_nftrace_ns *ns, uint16_t type,
		     uint8_t family, const char *name)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), type, family,
				    (type == NFT_MSG_NEWTABLE ? NLM_F_CREATE | NLM_F_EXCL : 0) |
					    NLM_F_ACK,
				    ++ns->seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	mnl_nlmsg_batch_next(b);
	return 0;
}

/* Chain hooks[h], or with h = RETE_NFTRACE_NO_HOOK the chain named switch, on no hook. */
#define RETE_NFTRACE_NO_HOOK ((size_t)-1)
#define RETE_NFTRACE_SWITCH "switch"

static const char *chain_name(size_t h)
{
	return h == RETE_NFTRACE_NO_HOOK ? RETE_NFTRACE_SWITCH : hooks[h].name;
}

static int put_chain(struct mnl_nlmsg_batch *b, struct rete_nftrace_ns *ns, uint8_t family,
		     const char *table, size_t h)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain_name(h));
	if (h != RETE_NFTRACE_NO_HOOK) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hooks[h].hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, INT_MIN);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	}
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWCHAIN, family,
				    NLM_F_CREATE | NLM_F_ACK, ++ns->seq);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	mnl_nlmsg_batch_next(b);
	return 0;
}

static int put_rule(struct mnl_nlmsg_batch *b, struct rete_nftrace_ns *ns, uint8_t family,
		    const char *table, size_t h, const struct rete_nftrace_sel *sel)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e = NULL;
	struct nlmsghdr *nlh;
	int rc;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain_name(h));
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	if (sel->insns)
		e = expr_match_bpf(sel);
	else if (sel->rate)
		e = expr_limit(sel->rate);
	if ((sel->insns || sel->rate) && !e) {
		nftnl_rule_free(r);
		return -ENOMEM;
	}
	if (e)
		nftnl_rule_add_expr(r, e);
	rc = add_set_nftrace(r);
	if (rc) {
		nftnl_rule_free(r);
		return rc;
	}
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWRULE, family,
				    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, ++ns->seq);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	mnl_nlmsg_batch_next(b);
	return 0;
}

int rete_nftrace_delete(struct rete_nftrace_ns *ns, uint8_t family, const char *name)
{
	char *buf = malloc(NL_BUF);
	struct mnl_nlmsg_batch *b;
	int rc;

	if (!buf)
		return -ENOMEM;
	b = mnl_nlmsg_batch_start(buf, NL_BUF);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), ++ns->seq);
	mnl_nlmsg_batch_next(b);
	rc = put_table(b, ns, NFT_MSG_DELTABLE, family, name);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), ++ns->seq);
	mnl_nlmsg_batch_next(b);
	if (!rc)
		rc = batch_send(ns, b, 1);
	mnl_nlmsg_batch_stop(b);
	free(buf);
	return rc;
}

/*
 * One batch: table in the first nfam families, each with the chains
 * chains[0..nchains) (hooks[] indexes or RETE_NFTRACE_NO_HOOK) and their rule.
 */
static int add_tables(struct rete_nftrace_ns *ns, const char *table, size_t nfam,
		      const size_t *chains, size_t nchains, const struct rete_nftrace_sel *sel,
		      char *err, size_t errlen)
{
	struct mnl_nlmsg_batch *b;
	size_t nmsg = 0;
	char *buf;
	int rc = 0;

	snprintf(ns->table, sizeof(ns->table), "%s", table);
	buf = malloc(NL_BUF);
	if (!buf)
		return -ENOMEM;
	b = mnl_nlmsg_batch_start(buf, NL_BUF);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), ++ns->seq);
	mnl_nlmsg_batch_next(b);
	for (size_t f = 0; f < nfam && !rc; f++) {
		rc = put_table(b, ns, NFT_MSG_NEWTABLE, families[f], table);
		nmsg++;
		for (size_t c = 0; c < nchains && !rc; c++) {
			rc = put_chain(b, ns, families[f], table, chains[c]);
			if (!rc)
				rc = put_rule(b, ns, families[f], table, chains[c], sel);
			nmsg += 2;
		}
	}
	nftnl_batch_end(mnl_nlmsg_batch_current(b), ++ns->seq);
	mnl_nlmsg_batch_next(b);
	if (!rc)
		rc = batch_send(ns, b, nmsg);
	mnl_nlmsg_batch_stop(b);
	free(buf);
	if (rc) {
		snprintf(err, errlen, "cannot add the nftables table %s: %s", table,
			 strerror(-rc));
		return rc;
	}
	for (size_t f = 0; f < nfam; f++)
		ns->installed[f] = true;
	return 0;
}

int rete_nftrace_install(struct rete_nftrace_ns *ns, const char *table,
			 const struct rete_nftrace_sel *sel, char *err, size_t errlen)
{
	static const size_t chains[] = { 0, 1 };	/* hooks[] */

	_Static_assert(sizeof(hooks) / sizeof(hooks[0]) == 2, "one chain per hook");

	if (sel->insns && (sel->n == 0 || sel->n > RETE_NFTRACE_MAX_INSNS)) {
		snprintf(err, errlen, "the packet filter is %zu classic BPF instructions, and an "
			 "nftables rule holds at most %d", sel->n, RETE_NFTRACE_MAX_INSNS);
		return -E2BIG;
	}
	return add_tables(ns, table, 2, chains, sizeof(chains) / sizeof(chains[0]), sel, err,
			  errlen);
}

int rete_nftrace_install_switch(struct rete_nftrace_ns *ns, const char *table, char *err,
				size_t errlen)
{
	static const size_t chains[] = { RETE_NFTRACE_NO_HOOK };
	const struct rete_nftrace_sel all = { 0 };

	return add_tables(ns, table, 1, chains, 1, &all, err, errlen);
}

int rete_nftrace_uninstall(struct rete_nftrace_ns *ns)
{
	int rc = 0;

	for (size_t f = 0; f < 2; f++) {
		int r;

		if (!ns->installed[f])
			continue;
		r = rete_nftrace_delete(ns, families[f], ns->table);
		if (r && r != -ENOENT && !rc)
			rc = r;
		ns->installed[f] = false;
	}
	return rc;
}

/* ---- trace messages ---- */

int rete_nftrace_listen(struct rete_nftrace_ns *ns)
{
	int grp = NFNLGRP_NFTRACE;

	if (mnl_socket_setsockopt(ns->mon, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return -errno;
	return 0;
}

int rete_nftrace_fd(const struct rete_nftrace_ns *ns)
{
	return ns->mon ? mnl_socket_get_fd(ns->mon) : -1;
}

int rete_nftrace_read(struct rete_nftrace_ns *ns,
		      void (*fn)(const struct nftnl_trace *t, void *arg), void *arg)
{
	static __thread char buf[NL_BUF];
	int count = 0;

	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(ns->mon), buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const void *)buf;
		int len = (int)n;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return count;
			return -errno;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			struct nftnl_trace *t;

			if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
			    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_TRACE)
				continue;
			t = nftnl_trace_alloc();
			if (!t)
				return -ENOMEM;
			if (nftnl_trace_nlmsg_parse(nlh, t) == 0) {
				fn(t, arg);
				count++;
			}
			nftnl_trace_free(t);
		}
	}
}

void rete_nftrace_close(struct rete_nftrace_ns *ns)
{
	if (ns->ctl)
		mnl_socket_close(ns->ctl);
	if (ns->mon)
		mnl_socket_close(ns->mon);
	ns->ctl = ns->mon = NULL;
}
