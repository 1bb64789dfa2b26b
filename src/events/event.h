/*
 * A decoded event: the one in-memory form shared by every producer (the BPF
 * ring buffer decoder, the JSON reader) and every consumer (the JSON writer,
 * the text formatter, post-processing). Sections follow the Retis 1.6 event
 * schema; names below are the JSON section names.
 *
 * Strings of unbounded size and packet bytes live in the event's arena and
 * stay valid until rete_event_reset() or rete_event_free().
 */
#ifndef RETE_EVENTS_EVENT_H
#define RETE_EVENTS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RETE_STACK_MAX 127
#define RETE_EXTRA_MAX 8
#define RETE_XSEC_SLOTS 8	/* == RETE_XSEC_MAX (events/section.h) */

/* Section presence bits (rete_event.present). */
enum rete_section_id {
	RETE_SEC_COMMON,	/* "common" */
	RETE_SEC_KERNEL,	/* "kernel" */
	RETE_SEC_STARTUP,	/* "startup" */
	RETE_SEC_SKB_TRACKING,	/* "skb-tracking" */
	RETE_SEC_SKB_DROP,	/* "skb-drop" */
	RETE_SEC_PACKET,	/* "packet" */
	RETE_SEC_SKB,		/* "skb" */
	RETE_SEC_DEV,		/* "dev" */
	RETE_SEC_NETNS,		/* "netns" */
	RETE_SEC_TRACKING,	/* "tracking" (added by sort) */
	RETE_SEC_MAX,
};

struct rete_ev_common {
	uint64_t timestamp;	/* CLOCK_MONOTONIC ns */
	bool has_smp_id;
	uint32_t smp_id;
	bool has_task;
	int32_t pid;
	int32_t tgid;
	char comm[64];
};

struct rete_ev_kernel {
	char symbol[128];	/* "net:netif_receive_skb", "ip_rcv" */
	char probe_type[24];	/* "raw_tracepoint", "kprobe", "kretprobe", "fentry", "fexit" */
	bool has_retval;	/* kretprobe, fexit: "retval" (a rete extension) */
	int64_t retval;
	bool has_stack;
	uint32_t nstack;
	const char *stack[RETE_STACK_MAX];	/* "func+0x1f" (arena) */
};

struct rete_ev_startup {
	char version[64];	/* JSON "retis_version" (schema name kept for compatibility) */
	const char *cmdline;	/* arena, NULL when absent */
	int64_t mono_offset_sec;	/* clock_monotonic_offset: wall = mono + offset */
	int64_t mono_offset_nsec;
	bool has_machine;
	char kernel_release[128];
	char kernel_version[256];
	char hardware_name[64];
	bool has_split;
	uint32_t split_id;
	uint64_t split_limit;	/* bytes, policy {kind: size} */
};

struct rete_ev_skb_tracking {
	uint64_t orig_head;
	uint64_t timestamp;
	uint64_t skb;
};

struct rete_ev_skb_drop {
	char drop_reason[64];	/* "NO_SOCKET" */
	char subsys[32];	/* "" when the reason is in the core subsystem */
};

struct rete_ev_packet {
	uint32_t len;		/* length of the packet from its first captured byte */
	uint32_t capture_len;	/* bytes in data */
	const uint8_t *data;	/* arena; starts at the Ethernet header */
};

struct rete_ev_skb {
	bool has_meta;
	struct {
		uint32_t len, data_len, hash, csum, priority;
		uint8_t ip_summed, csum_level;
	} meta;
	bool has_data_ref;
	struct {
		bool nohdr, cloned;
		uint8_t fclone, users, dataref;
	} data_ref;
	bool has_gso;
	struct {
		uint8_t flags, frags;
		uint32_t size, segs, type;
	} gso;
	bool has_vlan_accel;
	struct {
		uint16_t proto;		/* tag protocol id (0x8100, 0x88a8) */
		bool has_proto;		/* Retis before 1.6.4 did not write it */
		uint8_t pcp;
		bool dei;
		uint16_t vid;
	} vlan_accel;
};

struct rete_ev_dev {
	char name[32];
	uint32_t ifindex;
	bool has_rx_ifindex;
	uint32_t rx_ifindex;
};

struct rete_ev_netns {
	bool has_cookie;
	uint64_t cookie;
	uint32_t inum;
};

/* "tracking" section written by sort: the skb tracking id and the index in its series. */
struct rete_ev_tracking {
	uint64_t orig_head;
	uint64_t timestamp;
	uint64_t skb;
	uint32_t idx;
};

/*
 * A section rete does not model (yet): ovs, ovs-detrace, userspace, or a
 * described one (ct, nft, ...) in a layout rete does not know. Kept as
 * compact JSON so files round-trip and the text formatter can still render
 * the ones it knows.
 */
struct rete_ev_extra {
	char name[32];
	const char *json;	/* arena */
};

struct rete_event {
	uint32_t present;	/* bit (1 << enum rete_section_id) per section */
	struct rete_ev_common common;
	struct rete_ev_kernel kernel;
	struct rete_ev_startup startup;
	struct rete_ev_skb_tracking skb_tracking;
	struct rete_ev_skb_drop skb_drop;
	struct rete_ev_packet packet;
	struct rete_ev_skb skb;
	struct rete_ev_dev dev;
	struct rete_ev_netns netns;
	struct rete_ev_tracking tracking;
	uint32_t nextra;
	struct rete_ev_extra extra[RETE_EXTRA_MAX];
	/*
	 * Sections described by their collector (events/section.h), by index
	 * in the registry: xsec[i] (arena) when bit i of xpresent is set (the
	 * ones kept in the members above use the present bits).
	 */
	uint32_t xpresent;
	void *xsec[RETE_XSEC_SLOTS];

	/* Arena: chunks holding strings and bytes referenced above. */
	struct rete_arena_chunk *arena;
};

static inline bool rete_event_has(const struct rete_event *ev, enum rete_section_id id)
{
	return ev->present & (1u << id);
}

static inline void rete_event_set(struct rete_event *ev, enum rete_section_id id)
{
	ev->present |= 1u << id;
}

/* Zero an event for reuse; keeps the first arena chunk allocated. */
void rete_event_reset(struct rete_event *ev);
void rete_event_free(struct rete_event *ev);
/* Copy bytes/strings into the event arena; NULL with errno=ENOMEM on failure. */
void *rete_event_alloc(struct rete_event *ev, size_t n);
const char *rete_event_strndup(struct rete_event *ev, const char *s, size_t n);
/* Add an extra section (name + JSON text); -E2BIG when RETE_EXTRA_MAX are used. */
int rete_event_add_extra(struct rete_event *ev, const char *name, const char *json, size_t len);
const struct rete_ev_extra *rete_event_find_extra(const struct rete_event *ev, const char *name);
/*
 * Section i of the registry's described sections (events/section.h): NULL
 * when absent; with create, zeroed storage added when absent (NULL and
 * errno ENOMEM when out of memory, EINVAL for a bad index).
 */
void *rete_event_xsec(struct rete_event *ev, size_t i, bool create);
/* Section i when present, else NULL. */
const void *rete_event_xsec_get(const struct rete_event *ev, size_t i);
/* Mark section i absent. */
void rete_event_xsec_clear(struct rete_event *ev, size_t i);
/* JSON section name of a modelled section. */
const char *rete_section_name(enum rete_section_id id);
/* Deep copy (arena included); 0 or -ENOMEM. dst must be zeroed or reset. */
int rete_event_copy(struct rete_event *dst, const struct rete_event *src);

#endif
