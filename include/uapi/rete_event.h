/*
 * The BPF <-> userspace event ABI. One ring-buffer record is a
 * struct rete_raw_hdr followed by typed sections, each a
 * struct rete_sec_hdr followed by its payload (include/uapi/rete_sections.h).
 * Fixed-width types only; every struct has a size assert.
 */
#ifndef RETE_UAPI_EVENT_H
#define RETE_UAPI_EVENT_H

#ifdef __bpf__
/* vmlinux.h provides __u8..__u64 */
#else
#include <linux/types.h>
#endif

#define RETE_ABI_VERSION 2

/* Largest record the BPF side builds (stack trace + packet + metadata). */
#define RETE_EVENT_MAX 2048

/* Section owners; the numbering follows Retis's owner ids. */
enum rete_owner {
	RETE_OWNER_COMMON = 1,
	RETE_OWNER_KERNEL = 2,
	RETE_OWNER_USERSPACE = 3,
	RETE_OWNER_SKB_TRACKING = 4,
	RETE_OWNER_SKB_DROP = 5,
	RETE_OWNER_SKB = 6,
	RETE_OWNER_OVS = 7,
	RETE_OWNER_NFT = 8,
	RETE_OWNER_CT = 9,
	RETE_OWNER_DEV = 10,
	RETE_OWNER_NS = 11,
	RETE_OWNER_MAX,
};

/* Section types within an owner. */
enum rete_sec_type {
	RETE_SEC_T_MAIN = 0,		/* the owner's main payload */
	RETE_SEC_T_KERNEL_STACK = 1,	/* owner KERNEL: stack trace */
	RETE_SEC_T_KERNEL_RETVAL = 2,	/* owner KERNEL: return value (kretprobe, fexit) */
	RETE_SEC_T_SKB_PACKET = 1,	/* owner SKB: packet bytes */
	RETE_SEC_T_SKB_META = 2,
	RETE_SEC_T_SKB_DATAREF = 3,
	RETE_SEC_T_SKB_GSO = 4,
	RETE_SEC_T_SKB_VLAN = 5,
	RETE_SEC_T_CT_PARENT = 1,	/* owner CT: the master connection */
};

struct rete_raw_hdr {
	__u32 size;	/* whole record, header included */
	__u16 abi;	/* RETE_ABI_VERSION */
	__u16 nsec;	/* number of sections */
};

struct rete_sec_hdr {
	__u8 owner;
	__u8 type;
	__u16 size;	/* payload bytes following this header */
};

#ifdef __cplusplus
#define RETE_STATIC_ASSERT static_assert
#else
#define RETE_STATIC_ASSERT _Static_assert
#endif

RETE_STATIC_ASSERT(sizeof(struct rete_raw_hdr) == 8, "rete_raw_hdr ABI");
RETE_STATIC_ASSERT(sizeof(struct rete_sec_hdr) == 4, "rete_sec_hdr ABI");

#endif
