// SPDX-License-Identifier: GPL-2.0
/*
 * anchor: the benchmark's reference tracers on net:netif_receive_skb + net:net_dev_start_xmit.
 *
 *   anchor empty [--raw-tp]             attach programs that return 0 (the floor)
 *   anchor emit [--raw-tp] [-o FILE]    256-byte ring-buffer record per hit, no wakeups;
 *                                       drained every 1 ms, counted (or written as JSON lines)
 *
 * Runs until SIGINT/SIGTERM. stderr: "anchor: attached N program(s)" once attached, then at exit
 * "anchor: events=N lost=N" (lost = ring-buffer reserve failures, summed over CPUs).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "anchor.h"
#include "anchor.skel.h"

#define DRAIN_PERIOD_NS 1000000L
#define JSON_BUF_BYTES (1u << 20)

struct anchor_run {
	bool emit;
	bool raw_tp;
	const char *out_path;
	FILE *out;
	uint64_t events;
	uint64_t write_errors;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: anchor empty|emit [--raw-tp] [-o FILE]\n"
		   "  empty       attach empty programs (the floor)\n"
		   "  emit        256-byte ring-buffer record per hit, drained every 1 ms\n"
		   "  --raw-tp    raw_tp programs instead of tp_btf\n"
		   "  -o FILE     (emit) write one JSON line per event to FILE instead of counting\n");
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of len bytes into out (at least 4 * ((len + 2) / 3) + 1 bytes). */
static void base64(const uint8_t *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int on_record_count(void *ctx, void *data, size_t size)
{
	struct anchor_run *run = ctx;

	run->events++;
	return 0;
}

static int on_record_json(void *ctx, void *data, size_t size)
{
	struct anchor_run *run = ctx;
	const struct anchor_rec *r = data;
	char b64[4 * ((ANCHOR_DATA_BYTES + 2) / 3) + 1];

	run->events++;
	if (size < sizeof(*r))
		return 0;
	base64(r->data, sizeof(r->data), b64);
	if (fprintf(run->out,
		    "{\"ts\":%llu,\"probe\":\"%s\",\"skb\":\"0x%llx\",\"ifindex\":%u,"
		    "\"netns\":%u,\"len\":%u,\"data\":\"%s\"}\n",
		    (unsigned long long)r->ts, r->probe == ANCHOR_PROBE_RX ? "rx" : "tx",
		    (unsigned long long)r->skb, r->ifindex, r->netns, r->len, b64) < 0)
		run->write_errors++;
	return 0;
}

static uint64_t lost_total(const struct anchor_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals, sum = 0;
	uint32_t zero = 0;

	if (ncpu <= 0)
		return 0;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.anchor_lost), &zero, vals))
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

static int parse_args(int argc, char **argv, struct anchor_run *run)
{
	static const struct option opts[] = {
		{ "raw-tp", no_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "ro:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			run->raw_tp = true;
			break;
		case 'o':
			run->out_path = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -EINVAL;
	}
	if (!strcmp(argv[optind], "emit")) {
		run->emit = true;
	} else if (strcmp(argv[optind], "empty")) {
		usage(stderr);
		return -EINVAL;
	}
	if (run->out_path && !run->emit) {
		fprintf(stderr, "anchor: -o only applies to emit\n");
		return -EINVAL;
	}
	return 0;
}

/* Turn autoload on for the two programs of the chosen variant only. */
static void select_programs(struct anchor_bpf *skel, const struct anchor_run *run)
{
	struct bpf_program *progs[] = {
		skel->progs.empty_rx,	  skel->progs.empty_tx,	    skel->progs.emit_rx,
		skel->progs.emit_tx,	  skel->progs.raw_empty_rx, skel->progs.raw_empty_tx,
		skel->progs.raw_emit_rx, skel->progs.raw_emit_tx,
	};
	size_t want = (run->raw_tp ? 4 : 0) + (run->emit ? 2 : 0);

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		bpf_program__set_autoload(progs[i], i == want || i == want + 1);
}

/* Drain every 1 ms (the floor has nothing to drain: wake up every 100 ms to check for a stop). */
static void drain_loop(struct ring_buffer *rb)
{
	struct timespec period = { .tv_sec = 0, .tv_nsec = rb ? DRAIN_PERIOD_NS : 100000000L };

	while (!stop_requested) {
		if (rb)
			ring_buffer__consume(rb);
		nanosleep(&period, NULL);
	}
}

int main(int argc, char **argv)
{
	struct anchor_run run = { 0 };
	struct ring_buffer *rb = NULL;
	struct anchor_bpf *skel;
	struct sigaction sa = { .sa_handler = on_signal };
	int err, attached = 0;

	if (parse_args(argc, argv, &run))
		return 2;
	libbpf_set_print(libbpf_quiet);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (run.out_path) {
		run.out = fopen(run.out_path, "w");
		if (!run.out) {
			fprintf(stderr, "anchor: cannot create %s: %s\n", run.out_path,
				strerror(errno));
			return 1;
		}
		setvbuf(run.out, NULL, _IOFBF, JSON_BUF_BYTES);
	}

	skel = anchor_bpf__open();
	if (!skel) {
		fprintf(stderr, "anchor: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	select_programs(skel, &run);
	err = anchor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "anchor: cannot load: %s\n", strerror(-err));
		goto out;
	}
	err = anchor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "anchor: cannot attach: %s\n", strerror(-err));
		goto out;
	}
	for (struct bpf_program *p = bpf_object__next_program(skel->obj, NULL); p;
	     p = bpf_object__next_program(skel->obj, p))
		attached += bpf_program__autoload(p);
	if (run.emit) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.anchor_ring),
				      run.out ? on_record_json : on_record_count, &run, NULL);
		if (!rb) {
			err = -errno;
			fprintf(stderr, "anchor: cannot set up the ring buffer: %s\n",
				strerror(errno));
			goto out;
		}
	}
	fprintf(stderr, "anchor: attached %d program(s) (%s, %s)\n", attached,
		run.raw_tp ? "raw_tp" : "tp_btf", run.emit ? "emit" : "empty");

	drain_loop(rb);

	/* Detach first, then drain what is already queued. */
	anchor_bpf__detach(skel);
	if (rb)
		ring_buffer__consume(rb);
	fprintf(stderr, "anchor: events=%" PRIu64 " lost=%" PRIu64 "\n", run.events,
		run.emit ? lost_total(skel) : 0);
out:
	ring_buffer__free(rb);
	anchor_bpf__destroy(skel);
	if (run.out && (fclose(run.out) || run.write_errors)) {
		fprintf(stderr, "anchor: writing %s failed\n", run.out_path);
		err = err ? err : -EIO;
	}
	return err ? 1 : 0;
}
