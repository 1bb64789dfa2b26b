/*
 * ct: the packet's conntrack entry (skb->_nfct), and its master connection
 * for an expected one. No probe of its own: it reads from the sk_buff of
 * whatever probe fired.
 *
 * struct nf_conn is found by CO-RE in the kernel's BTF, or in the
 * nf_conntrack module's BTF where conntrack is a module (libbpf searches
 * both). The fields (zone .. ext) are copied in one read into the scratch
 * area, then picked at their relocated offsets; the tuples are copied as
 * the kernel stores them (struct nf_conntrack_tuple, whose layout has not
 * changed since 2.6) and decoded in userspace. Measured (bench/run.sh, ct
 * pair): about 85 ns per event that carries a connection; with a separate
 * read for the protocol union it was 125 ns, with two reads 109 ns.
 */
#ifndef RETE_BPF_COLLECTOR_CT_H
#define RETE_BPF_COLLECTOR_CT_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "rete_builder.bpf.h"
#include "rete_ctx.bpf.h"
#include "rete_maps.bpf.h"
#include "uapi/rete_sections.h"

#define RETE_NFCT_INFOMASK 7UL

/* Offset of a field of struct nf_conn, relocated at load time. */
#define CT_OFF(field) ((__u32)bpf_core_field_offset(struct nf_conn, field))

/*
 * The start of what is read: zone (before the tuples) when the kernel has
 * zones, else the tuples; rounded down to 8 bytes so 8-byte fields stay aligned.
 */
static __always_inline __u32 rete_ct_base(void)
{
	if (bpf_core_field_exists(struct nf_conn, zone))
		return CT_OFF(zone) & ~7u;
	return CT_OFF(tuplehash) & ~7u;
}

/* Zero what rete_ct_conn may leave unset (the tuples are always copied whole). */
static __always_inline void rete_ct_clear(struct rete_sec_ct *e)
{
	__u64 *w = (__u64 *)e;

	w[0] = 0;	/* state, flags, zone_id, zone_dir, proto_state, pad */
	w[1] = 0;	/* mark, pad2 */
	w[2] = 0;	/* status */
	__builtin_memset(e->labels, 0, sizeof(e->labels));
}

static __always_inline void rete_ct_labels(struct rete_sec_ct *e, struct nf_ct_ext *ext)
{
	__u8 off = 0;
	int id;

	if (!ext || !bpf_core_enum_value_exists(enum nf_ct_ext_id, NF_CT_EXT_LABELS))
		return;
	id = bpf_core_enum_value(enum nf_ct_ext_id, NF_CT_EXT_LABELS);
	if (id < 0 || id > 31)
		return;
	if (bpf_probe_read_kernel(&off, 1, (__u8 *)ext + bpf_core_field_offset(ext->offset) + id) ||
	    !off)
		return;
	if (!bpf_probe_read_kernel(e->labels, sizeof(e->labels), (__u8 *)ext + off))
		e->flags |= RETE_CT_F_LABELS;
}

/*
 * One connection into e (state and flags aside); its master in *ret_master.
 * False if unreadable. One read from zone to ext (172 bytes on 6.x: zone,
 * tuples, status, master, mark, ext), then the TCP or SCTP state, one more
 * byte, for those protocols only.
 */
static __always_inline bool rete_ct_conn(struct rete_sec_ct *e, struct nf_conn *ct, __u8 *win,
					 struct nf_conn **ret_master)
{
	__u32 base = rete_ct_base();
	__u32 end = CT_OFF(ext) + 8 - base;
	__u32 o_tuple0 = CT_OFF(tuplehash[0].tuple) - base;
	__u32 o_tuple1 = CT_OFF(tuplehash[1].tuple) - base;
	__u32 o_status = CT_OFF(status) - base;
	__u32 o_master = CT_OFF(master) - base;
	__u32 o_ext = CT_OFF(ext) - base;
	__u8 protonum;

	if (end > RETE_CT_READ || o_tuple1 + RETE_CT_TUPLE_LEN > end || o_status + 8 > end ||
	    o_master + 8 > end)
		return false;
	if (bpf_probe_read_kernel(win, end, (__u8 *)ct + base))
		return false;

	__builtin_memcpy(e->tuple[0], win + o_tuple0, RETE_CT_TUPLE_LEN);
	__builtin_memcpy(e->tuple[1], win + o_tuple1, RETE_CT_TUPLE_LEN);
	e->status = *(__u64 *)(win + o_status);
	*ret_master = *(struct nf_conn **)(win + o_master);
	e->flags |= RETE_CT_F_CONN;

	if (bpf_core_field_exists(struct nf_conn, zone)) {
		__u32 o_zid = CT_OFF(zone.id) - base;
		__u32 o_zdir = CT_OFF(zone.dir) - base;

		if (o_zid + 2 <= end && o_zdir + 1 <= end) {
			e->zone_id = *(__u16 *)(win + o_zid);
			e->zone_dir = *(win + o_zdir);
			e->flags |= RETE_CT_F_ZONE;
		}
	}
	if (bpf_core_field_exists(struct nf_conn, mark)) {
		__u32 o_mark = CT_OFF(mark) - base;

		if (o_mark + 4 <= end) {
			e->mark = *(__u32 *)(win + o_mark);
			e->flags |= RETE_CT_F_MARK;
		}
	}
	/* dst.protonum: byte 38 of the original tuple. */
	protonum = e->tuple[0][38];
	if (protonum == 6 /* IPPROTO_TCP */)
		bpf_probe_read_kernel(&e->proto_state, 1, (__u8 *)ct + CT_OFF(proto.tcp.state));
	else if (protonum == 132 /* IPPROTO_SCTP */)
		bpf_probe_read_kernel(&e->proto_state, 1, (__u8 *)ct + CT_OFF(proto.sctp.state));
	rete_ct_labels(e, *(struct nf_ct_ext **)(win + o_ext));
	return true;
}

static __always_inline void rete_collect_ct(struct rete_builder *b, struct rete_ctx *rc)
{
	struct nf_conn *ct, *master = NULL, *unused;
	struct rete_sec_ct *e;
	unsigned long nfct;
	__u8 *win = rc->scratch->ct;

	if (!bpf_core_field_exists(struct sk_buff, _nfct))
		return;
	nfct = rc->s->_nfct;
	if (!nfct)
		return;
	ct = (struct nf_conn *)(nfct & ~RETE_NFCT_INFOMASK);

	e = rete_sec_add(b, RETE_OWNER_CT, RETE_SEC_T_MAIN, sizeof(*e));
	if (!e)
		return;
	rete_ct_clear(e);
	e->state = nfct & RETE_NFCT_INFOMASK;
	/* Untracked packets (notrack) carry the state only, no connection. */
	if (!ct || !rete_ct_conn(e, ct, win, &master) || !master)
		return;

	e = rete_sec_add(b, RETE_OWNER_CT, RETE_SEC_T_CT_PARENT, sizeof(*e));
	if (!e)
		return;
	rete_ct_clear(e);
	if (!rete_ct_conn(e, master, win, &unused)) {
		/* Unreadable master: take the section back. */
		b->off -= sizeof(struct rete_sec_hdr) + sizeof(*e);
		b->nsec--;
	}
}

#endif
