/* rete collect's options: table, parsing, checks (see collect_args.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter.h>

#include "cmd/cmd.h"
#include "cmd/collect_args.h"
#include "collectors/nft/nft_section.h"
#include "lib/log.h"
#include "lib/opts.h"
#include "lib/parse.h"
#include "lib/prog.h"
#include "lib/suggest.h"
#include "uapi/rete_config.h"

#define DEFAULT_OUT RETE_COLLECT_DEFAULT_OUT
#define MAX_USER_PROBES RETE_COLLECT_MAX_PROBES

enum {
	OPT_COLLECTORS,
	OPT_PROBE,
	OPT_FILTER_PACKET,
	OPT_FILTER_META,
	OPT_FILTER_MODE,
	OPT_OUT,
	OPT_OUT_ROTATE,
	OPT_OUT_ROTATE_COUNT,
	OPT_PRINT,
	OPT_STACK,
	OPT_PROBE_STACK,
	OPT_CMD,
	OPT_STOP_AFTER,
	OPT_ALLOW_SYSTEM_CHANGES,
	OPT_UTC,
	OPT_FORMAT,
	OPT_LINK_LAYER,
	OPT_SKB_SECTIONS,
	OPT_NFT_VERDICTS,
	OPT_BUFFER_SIZE,
	OPT_COLOR,
	OPT_HELP,
};

static const struct rete_opt collect_opts[] = {
	{ OPT_COLLECTORS, 'c', "collectors", RETE_OPT_VALUE, "LIST",
	  "Comma-separated collectors: auto, skb-tracking, skb, skb-drop, nft, ct,\n"
	  "dev, ns (ovs is recognised, not implemented yet). 'auto' (default)\n"
	  "enables every collector whose prerequisites are met; named ones are\n"
	  "mandatory." },
	{ OPT_PROBE, 'p', "probe", RETE_OPT_VALUE, "PROBE",
	  "Add a probe, [TYPE:]TARGET[/stack]; repeatable. TYPE: raw_tracepoint|tp,\n"
	  "kprobe|k, kretprobe|kr. No TYPE: kprobe, or a tracepoint when TARGET has\n"
	  "one ':'. Wildcards: tp:skb:*, 'tp:*:*skb*'. Default (no probe, no\n"
	  "collector named): tp:net:netif_receive_skb, tp:net:net_dev_start_xmit." },
	{ OPT_FILTER_PACKET, 'f', "filter-packet", RETE_OPT_VALUE, "EXPR",
	  "Only packets matching this pcap-filter expression (e.g. 'icmp and host\n"
	  "192.0.2.2'), evaluated in the kernel on the L2 or L3 headers." },
	{ OPT_FILTER_META, 'm', "filter-meta", RETE_OPT_VALUE, "EXPR",
	  "Only packets whose struct sk_buff fields match, e.g.\n"
	  "\"sk_buff.dev.name == 'eth0'\", 'sk_buff.mark == 0x10 && sk_buff.len > 100',\n"
	  "'sk_buff._nfct:~0x7:nf_conn.mark == 42'. ANDed with --filter-packet." },
	{ OPT_FILTER_MODE, 0, "filter-mode", RETE_OPT_VALUE, "MODE",
	  "follow (default): a packet that matched once is followed at every probe\n"
	  "(through NAT, encapsulation); strict: filters are checked at every probe" },
	{ OPT_OUT, 'o', "out", RETE_OPT_OPTIONAL, "FILE",
	  "Write events as JSON lines to FILE (default " DEFAULT_OUT ") instead of\n"
	  "printing them. Created with mode 0600." },
	{ OPT_OUT_ROTATE, 'r', "out-rotate", RETE_OPT_VALUE, "SIZE",
	  "Split --out into FILE.0, FILE.1, ... of at most SIZE bytes each (an event\n"
	  "larger than SIZE gets a file of its own); each starts with its own startup\n"
	  "line. kB/MB/GB count in 1000s as in Retis (64MB = 64000000), k/M/G and\n"
	  "KiB/MiB/GiB in 1024s. At least 4k." },
	{ OPT_OUT_ROTATE_COUNT, 'R', "out-rotate-count", RETE_OPT_VALUE, "N",
	  "With --out-rotate, keep only the newest N files (older ones are deleted)" },
	{ OPT_PRINT, 0, "print", RETE_OPT_FLAG, NULL, "Also print events when --out is used" },
	{ OPT_STACK, 0, "stack", RETE_OPT_FLAG, NULL, "Add kernel stack traces to every probe" },
	{ OPT_PROBE_STACK, 0, "probe-stack", RETE_OPT_FLAG, NULL,
	  "Add kprobes, while collecting, on the skb functions found in the stack\n"
	  "traces of matching packets (needs -f or -m, and kprobes). Without -p the\n"
	  "probes start at tp:skb:consume_skb and tp:skb:kfree_skb" },
	{ OPT_CMD, 0, "cmd", RETE_OPT_VALUE, "CMD",
	  "Run CMD with sh -c once probes are attached; stop when it exits" },
	{ OPT_STOP_AFTER, 0, "stop-after", RETE_OPT_VALUE, "COUNT",
	  "Stop after COUNT events" },
	{ OPT_ALLOW_SYSTEM_CHANGES, 0, "allow-system-changes", RETE_OPT_FLAG, NULL,
	  "Allow mounting tracefs on /sys/kernel/tracing, and the nft collector's\n"
	  "trace tables (rete_trace_PID, in each namespace with a ruleset); both\n"
	  "undone at exit" },
	{ OPT_UTC, 0, "utc", RETE_OPT_FLAG, NULL, "Print timestamps as UTC dates" },
	{ OPT_FORMAT, 0, "format", RETE_OPT_VALUE, "FORMAT",
	  "multi-line (default) or single-line" },
	{ OPT_LINK_LAYER, 'e', NULL, RETE_OPT_FLAG, NULL, "Print link-layer information" },
	{ OPT_SKB_SECTIONS, 0, "skb-sections", RETE_OPT_VALUE, "LIST",
	  "Extra skb metadata: meta, dataref, gso, all (packet is always on)" },
	{ OPT_NFT_VERDICTS, 0, "nft-verdicts", RETE_OPT_VALUE, "LIST",
	  "nft events of these verdicts only: all, continue, break, jump, goto,\n"
	  "return, drop, accept, stolen, queue, repeat (default drop,accept)" },
	{ OPT_BUFFER_SIZE, 0, "buffer-size", RETE_OPT_VALUE, "SIZE",
	  "Kernel event ring buffer size (default 8M; k/M/G units, a power of 2)" },
	{ OPT_COLOR, 0, "color", RETE_OPT_VALUE, "WHEN",
	  "Color drops, tracking ids and probes in the printed events: auto\n"
	  "(default: when standard output is a terminal and NO_COLOR is unset),\n"
	  "always or never" },
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

#define NOPTS (sizeof(collect_opts) / sizeof(collect_opts[0]))

static int skb_sections_parse(const char *list, uint32_t *ret, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		uint32_t mask;
		bool deprecated;	/* Retis still accepts it, with a warning */
	} secs[] = {
		{ "meta", RETE_SKB_SEC_META, false },
		{ "dataref", RETE_SKB_SEC_DATAREF, false },
		{ "gso", RETE_SKB_SEC_GSO, false },
		{ "all", RETE_SKB_SEC_META | RETE_SKB_SEC_DATAREF | RETE_SKB_SEC_GSO, false },
		/* Retis accepts these as always-on sections. */
		{ "packet", 0, false },
		{ "dev", 0, false },
		{ "ns", 0, false },
		/* Retis's pre-1.5 header sections: headers now come from the packet section. */
		{ "eth", 0, true },
		{ "arp", 0, true },
		{ "ip", 0, true },
		{ "tcp", 0, true },
		{ "udp", 0, true },
		{ "icmp", 0, true },
		{ "vlan", 0, true },
	};
	const char *p = list;
	uint32_t mask = 0;

	while (*p) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
			if (strlen(secs[i].name) == len && !strncmp(p, secs[i].name, len))
				break;
		if (i == sizeof(secs) / sizeof(secs[0])) {
			char name[64];
			struct rete_suggest sg;

			snprintf(name, sizeof(name), "%.*s", (int)(len < 60 ? len : 60), p);
			rete_suggest_init(&sg, name);
			for (i = 0; i < 4; i++)	/* the sections with a mask, not Retis's aliases */
				rete_suggest_offer(&sg, secs[i].name);
			if (sg.best)
				snprintf(err, errlen, "unknown skb section '%s' (did you mean '%s'?)",
					 name, sg.best);
			else
				snprintf(err, errlen,
					 "unknown skb section '%s' (expected meta, dataref, gso or all)",
					 name);
			return -EINVAL;
		}
		if (secs[i].deprecated)
			log_warn("skb section '%s' is deprecated and ignored: packet headers are "
				 "always shown from the packet section",
				 secs[i].name);
		mask |= secs[i].mask;
		p += len;
		if (*p == ',')
			p++;
	}
	*ret = mask;
	return 0;
}

static int collect_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
			   size_t errlen)
{
	struct collect_args *a = ctx;
	int rc;

	switch (o->id) {
	case OPT_COLLECTORS:
		a->any_collector_arg = true;
		return rete_collectors_parse(v, a->named, &a->auto_coll, err, errlen);
	case OPT_PROBE:
		if (a->nprobes == MAX_USER_PROBES) {
			snprintf(err, errlen, "too many -p options (at most %d)", MAX_USER_PROBES);
			return -EINVAL;
		}
		a->probes[a->nprobes++] = v;
		return 0;
	case OPT_FILTER_PACKET:
		a->filter_packet = v;
		return 0;
	case OPT_FILTER_META:
		a->filter_meta = v;
		return 0;
	case OPT_FILTER_MODE:
		if (strcmp(v, "follow") && strcmp(v, "strict")) {
			snprintf(err, errlen, "invalid filter mode '%s' (expected follow or strict)",
				 v);
			return -EINVAL;
		}
		a->filter_strict = !strcmp(v, "strict");
		return 0;
	case OPT_OUT:
		a->out = v ? v : rete_prog_data_file();
		return 0;
	case OPT_OUT_ROTATE:
		rc = rete_parse_file_size(v, &a->out_rotate);
		if (rc || a->out_rotate < 4096) {
			snprintf(err, errlen,
				 "--out-rotate expects a size of at least 4k (e.g. 64MB), got '%s'", v);
			return -EINVAL;
		}
		return 0;
	case OPT_OUT_ROTATE_COUNT: {
		uint64_t n;

		rc = rete_parse_u64(v, &n);
		if (rc || !n || n > UINT32_MAX) {
			snprintf(err, errlen, "--out-rotate-count expects a positive number, got '%s'",
				 v);
			return -EINVAL;
		}
		a->out_rotate_count = (uint32_t)n;
		return 0;
	}
	case OPT_PRINT:
		a->print = true;
		return 0;
	case OPT_STACK:
		a->stack = true;
		return 0;
	case OPT_PROBE_STACK:
		a->probe_stack = true;
		return 0;
	case OPT_CMD:
		a->cmd = v;
		return 0;
	case OPT_STOP_AFTER:
		rc = rete_parse_u64(v, &a->stop_after);
		if (rc || !a->stop_after) {
			snprintf(err, errlen, "--stop-after expects a positive number, got '%s'", v);
			return -EINVAL;
		}
		return 0;
	case OPT_ALLOW_SYSTEM_CHANGES:
		a->allow_system_changes = true;
		return 0;
	case OPT_UTC:
		a->text.utc = true;
		return 0;
	case OPT_FORMAT:
		if (!strcmp(v, "multi-line")) {
			a->text.single_line = false;
		} else if (!strcmp(v, "single-line")) {
			a->text.single_line = true;
		} else {
			snprintf(err, errlen,
				 "invalid format '%s' (expected multi-line or single-line)", v);
			return -EINVAL;
		}
		return 0;
	case OPT_LINK_LAYER:
		a->text.link_layer = true;
		return 0;
	case OPT_SKB_SECTIONS:
		return skb_sections_parse(v, &a->coll_opts.skb_sections, err, errlen);
	case OPT_NFT_VERDICTS:
		return rete_nft_verdicts_parse(v, &a->coll_opts.nft_verdicts, err, errlen);
	case OPT_BUFFER_SIZE:
		rc = rete_parse_size(v, &a->buffer_size);
		if (rc || a->buffer_size < 4096 || (a->buffer_size & (a->buffer_size - 1)) ||
		    a->buffer_size > (1ULL << 30)) {
			snprintf(err, errlen,
				 "--buffer-size expects a power of two between 4k and 1G, got '%s'",
				 v);
			return -EINVAL;
		}
		return 0;
	case OPT_COLOR:
		if (rete_color_mode_parse(v, &a->color)) {
			snprintf(err, errlen, "invalid color mode '%s' (expected auto, always or never)",
				 v);
			return -EINVAL;
		}
		return 0;
	case OPT_HELP:
		a->help = true;
		return 0;
	}
	return -EINVAL;
}

const struct rete_cmd rete_cmd_collect_desc = {
	.name = "collect",
	.summary = "Collect events from probes in the networking stack",
	.synopsis = "[OPTIONS]",
	.description = "Collect events from probes in the networking stack.\n",
	.examples = "  rete collect\n"
		    "  rete collect -p tp:skb:kfree_skb/stack -c skb-drop,skb,dev,ns\n"
		    "  rete collect -p 'tp:net:*' -o events.json --cmd 'ip netns exec a ping -c1 "
		    "192.0.2.2'\n"
		    "  rete collect -o --print --stop-after 100 --format single-line\n",
	.opts = collect_opts,
	.nopts = NOPTS,
	.run = rete_cmd_collect,
};

int rete_collect_args_parse(int argc, char **argv, struct collect_args *a, char *err,
			    size_t errlen)
{
	int rc;

	a->coll_opts.nft_verdicts = RETE_NFT_VERDICT_BIT(NF_DROP) | RETE_NFT_VERDICT_BIT(NF_ACCEPT);
	rc = rete_opts_parse(collect_opts, NOPTS, argc - 1, argv + 1, false, collect_handler, a,
			     NULL, 0, NULL, err, errlen);
	if (rc < 0 || a->help)
		return rc < 0 ? rc : 0;
	a->coll_opts.allow_system_changes = a->allow_system_changes;
	/* --print without --out: events are printed anyway (Retis accepts it too). */
	if ((a->out_rotate && !a->out) || (a->out_rotate_count && !a->out_rotate)) {
		snprintf(err, errlen, "%s", a->out_rotate ? "--out-rotate needs --out" :
							   "--out-rotate-count needs --out-rotate");
		return -EINVAL;
	}
	if (a->probe_stack && !a->filter_packet && !a->filter_meta) {
		snprintf(err, errlen, "--probe-stack needs a filter (-f or -m): it adds probes from "
			 "the stacks of the packets it matches");
		return -EINVAL;
	}
	return 0;
}
