/* Section payloads of the BPF <-> userspace event ABI (see rete_event.h). */
#ifndef RETE_UAPI_SECTIONS_H
#define RETE_UAPI_SECTIONS_H

#include "rete_event.h"

#define RETE_COMM_LEN 16
#define RETE_IFNAMSIZ 16
#define RETE_STACK_DEPTH 127
#define RETE_PACKET_CAPTURE 255

/* COMMON/MAIN */
struct rete_sec_common {
	__u64 timestamp;	/* bpf_ktime_get_ns */
	__u32 smp_id;
	__u32 pid;
	__u32 tgid;
	char comm[RETE_COMM_LEN];
	__u32 pad;
};

/* KERNEL/MAIN: which probe fired. */
struct rete_sec_kernel {
	__u64 ksym;		/* function address for kprobes, 0 for tracepoints */
	__u32 probe_id;		/* index into the probe table */
	__u32 pad;
};

/* KERNEL/RETVAL: what the function returned (kretprobes, fexit). */
struct rete_sec_retval {
	__s64 retval;
};

/* KERNEL/STACK: followed by nr * __u64 return addresses. */
struct rete_sec_stack {
	__u32 nr;
	__u32 pad;
};

/* SKB_TRACKING/MAIN */
struct rete_sec_tracking {
	__u64 orig_head;
	__u64 timestamp;
	__u64 skb;
};

/* SKB_DROP/MAIN: raw enum skb_drop_reason value (subsystem in the high 16 bits). */
struct rete_sec_drop {
	__s32 reason;
	__u32 pad;
};

/* SKB/PACKET: followed by capture_len bytes. */
#define RETE_PACKET_F_L3 0x1	/* bytes start at the network header (no MAC header set) */
struct rete_sec_packet {
	__u32 len;		/* bytes from the first captured byte to the end of the packet */
	__u16 capture_len;
	__u16 protocol;		/* skb->protocol, network order (for the L3 case) */
	__u32 flags;
	__u32 pad;
};

/* SKB/META */
struct rete_sec_skb_meta {
	__u32 len;
	__u32 data_len;
	__u32 hash;
	__u32 csum;
	__u32 priority;
	__u8 ip_summed;
	__u8 csum_level;
	__u16 pad;
};

/* SKB/DATAREF */
struct rete_sec_skb_dataref {
	__u8 nohdr;
	__u8 cloned;
	__u8 fclone;
	__u8 users;
	__u32 dataref;
};

/* SKB/GSO */
struct rete_sec_skb_gso {
	__u8 flags;
	__u8 nr_frags;
	__u16 gso_size;
	__u16 gso_segs;
	__u16 pad;
	__u32 gso_type;
	__u32 pad2;
};

/* SKB/VLAN: hardware-accelerated (offloaded) VLAN tag. */
struct rete_sec_skb_vlan {
	__u16 proto;	/* network order */
	__u16 tci;
	__u32 pad;
};

/* DEV/MAIN */
struct rete_sec_dev {
	char name[RETE_IFNAMSIZ];
	__u32 ifindex;
	__u32 rx_ifindex;
};

/* NS/MAIN */
struct rete_sec_ns {
	__u64 cookie;
	__u32 inum;
	__u32 pad;
};

/*
 * NFT/MAIN: one nftables rule or chain policy the packet met, and its
 * verdict (the nft collector's kprobe on __nft_trace_packet).
 */
#define RETE_NFT_F_RULE 0x1	/* rule_handle set (not a chain policy) */
#define RETE_NFT_F_POLICY 0x2	/* the verdict is the base chain's policy */
#define RETE_NFT_F_VCHAIN 0x4	/* verdict_chain: the target of a jump or goto */
#define RETE_NFT_F_CHAIN 0x8	/* a base chain's final verdict (nft_do_chain): rule unknown */
#define RETE_NFT_NAME 64	/* names longer than 63 bytes are cut */
struct rete_sec_nft {
	__s64 table_handle;
	__s64 chain_handle;
	__s64 rule_handle;
	__s32 verdict;		/* NF_DROP.. (masked), NFT_CONTINUE.. (negative) */
	__u8 flags;		/* RETE_NFT_F_* */
	__u8 pad[3];
	char table_name[RETE_NFT_NAME];
	char chain_name[RETE_NFT_NAME];
	char verdict_chain[RETE_NFT_NAME];
};

/*
 * CT/MAIN (the packet's connection) and CT/PARENT (its master, for an
 * expected connection): from skb->_nfct.
 */
#define RETE_CT_F_CONN 0x1	/* a connection (else untracked: state only) */
#define RETE_CT_F_ZONE 0x2	/* the kernel has zones: zone_id, zone_dir set */
#define RETE_CT_F_MARK 0x4	/* the kernel has connection marks: mark set */
#define RETE_CT_F_LABELS 0x8	/* labels set (the connection has the labels extension) */
#define RETE_CT_TUPLE_LEN 40	/* struct nf_conntrack_tuple */
struct rete_sec_ct {
	__u8 state;		/* enum ip_conntrack_info: skb->_nfct & 7 */
	__u8 flags;		/* RETE_CT_F_* */
	__u16 zone_id;
	__u8 zone_dir;		/* NF_CT_ZONE_DIR_* bits */
	__u8 proto_state;	/* TCP or SCTP state (enum tcp_conntrack, sctp_conntrack) */
	__u16 pad;
	__u32 mark;
	__u32 pad2;
	__u64 status;		/* enum ip_conntrack_status bits */
	__u8 tuple[2][RETE_CT_TUPLE_LEN];	/* original, reply: the kernel's tuples as they are */
	__u8 labels[16];	/* struct nf_conn_labels bits, native order */
};

RETE_STATIC_ASSERT(sizeof(struct rete_sec_common) == 40, "rete_sec_common ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_kernel) == 16, "rete_sec_kernel ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_stack) == 8, "rete_sec_stack ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_retval) == 8, "rete_sec_retval ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_tracking) == 24, "rete_sec_tracking ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_drop) == 8, "rete_sec_drop ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_packet) == 16, "rete_sec_packet ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_skb_meta) == 24, "rete_sec_skb_meta ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_skb_dataref) == 8, "rete_sec_skb_dataref ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_skb_gso) == 16, "rete_sec_skb_gso ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_skb_vlan) == 8, "rete_sec_skb_vlan ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_dev) == 24, "rete_sec_dev ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_ns) == 16, "rete_sec_ns ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_ct) == 120, "rete_sec_ct ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_nft) == 224, "rete_sec_nft ABI");

#endif
