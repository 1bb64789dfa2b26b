/*
 * nftables' own trace facility, in one network namespace: rete's trace
 * table (base chains at the first priority of the prerouting and output
 * hooks whose one rule sets `nftrace` on the packets the filter selects) and
 * a listener of the NFNLGRP_NFTRACE netlink group, which the kernel sends a
 * message to for every rule and policy a traced packet meets.
 *
 * The sockets are opened inside the namespace (setns of the calling thread,
 * and back); afterwards they work from anywhere.
 */
#ifndef RETE_COLLECTORS_NFT_NFTRACE_H
#define RETE_COLLECTORS_NFT_NFTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

struct mnl_socket;
struct nftnl_trace;

/* Prefix of rete's trace tables; the owner's pid follows ("rete_trace_4242"). */
#define RETE_NFTRACE_TABLE_PREFIX "rete_trace_"
/* xt_bpf's limit on the classic BPF a rule can hold. */
#define RETE_NFTRACE_MAX_INSNS 64

struct rete_nftrace_ns {
	uint64_t inum;		/* the namespace's inode number */
	struct mnl_socket *ctl;	/* ruleset changes */
	struct mnl_socket *mon;	/* NFNLGRP_NFTRACE */
	uint32_t seq;
	uint32_t portid;
	bool installed[2];	/* ip, ip6 */
	char table[32];
};

/* What selects the packets to trace. */
struct rete_nftrace_sel {
	const struct sock_filter *insns;	/* classic BPF on the IP header, or NULL: all */
	size_t n;
	uint32_t rate;		/* packets per second when insns is NULL (nft limit), 0: none */
};

/*
 * Open the sockets in the namespace of nsfd (-1: the current one). 0, or
 * -errno with one sentence in err.
 */
int rete_nftrace_open(int nsfd, struct rete_nftrace_ns *ns, char *err, size_t errlen);

/* A table (chain NULL) or a chain of the ruleset. */
struct rete_nftrace_obj {
	uint8_t family;		/* NFPROTO_* */
	const char *table;
	const char *chain;
	uint64_t handle;
};

/*
 * Call fn for every table of the namespace's ruleset, then, with chains,
 * for every chain. Stops at fn's first non-zero return, which it returns;
 * 0, or -errno.
 */
int rete_nftrace_list(struct rete_nftrace_ns *ns, bool chains,
		      int (*fn)(const struct rete_nftrace_obj *o, void *arg), void *arg);

/* Delete one table; 0, -ENOENT when it does not exist, or -errno. */
int rete_nftrace_delete(struct rete_nftrace_ns *ns, uint8_t family, const char *name);

/*
 * Add rete's trace table, named table, in the ip and ip6 families. 0, or
 * -errno with one sentence in err (nothing left behind).
 */
int rete_nftrace_install(struct rete_nftrace_ns *ns, const char *table,
			 const struct rete_nftrace_sel *sel, char *err, size_t errlen);

/*
 * Add the table named table, family ip, whose chain "switch" is attached to
 * no hook and holds `meta nftrace set 1`: its existence switches the
 * kernel's nftables tracing on (the nft_trace_enabled static key) without
 * marking any packet. 0, or -errno with one sentence in err.
 */
int rete_nftrace_install_switch(struct rete_nftrace_ns *ns, const char *table, char *err,
				size_t errlen);

/* Remove what rete_nftrace_install() or rete_nftrace_install_switch() added (idempotent); 0 or the first -errno. */
int rete_nftrace_uninstall(struct rete_nftrace_ns *ns);

/* Join the trace group: messages are queued on rete_nftrace_fd() from now on. */
int rete_nftrace_listen(struct rete_nftrace_ns *ns);
int rete_nftrace_fd(const struct rete_nftrace_ns *ns);

/*
 * Read what is queued (non-blocking) and call fn for each trace message.
 * Returns the number of messages, or -errno (-ENOBUFS: the kernel dropped
 * messages because the socket buffer was full; reading goes on at the next
 * call).
 */
int rete_nftrace_read(struct rete_nftrace_ns *ns,
		      void (*fn)(const struct nftnl_trace *t, void *arg), void *arg);

void rete_nftrace_close(struct rete_nftrace_ns *ns);

#endif
