/* rete pcap: turn stored packet events into a pcapng file, as Retis's `pcap` does. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/probe.h"
#include "events/reader.h"
#include "events/schema.h"
#include "lib/log.h"
#include "lib/prog.h"
#include "lib/opts.h"
#include "process/evfilter.h"
#include "process/pcapng.h"

#define DEFAULT_IN "rete.data"
#define MAX_INPUTS 1024
#define OUT_BUF (1 << 20)
#define FAILED_SHOWN 5

enum { OPT_PROBE, OPT_OUT, OPT_LIST_PROBES, OPT_FILTER_PACKET, OPT_FILTER_META, OPT_HELP };

static const struct rete_opt pcap_opts[] = {
	{ OPT_PROBE, 'p', "probe", RETE_OPT_VALUE, "PROBE",
	  "Keep only the events of this probe, [TYPE:]TARGET as for 'rete collect'\n"
	  "(tp:net:netif_receive_skb, skb:kfree_skb, kprobe:ip_rcv); * wildcards\n"
	  "match several. Default: every probe, one pcapng interface each." },
	{ OPT_OUT, 'o', "out", RETE_OPT_VALUE, "FILE",
	  "Write the pcapng to FILE (mode 0600) instead of standard output" },
	{ OPT_LIST_PROBES, 'l', "list-probes", RETE_OPT_FLAG, NULL,
	  "List the probes that have packet events in the input, and exit" },
	{ OPT_FILTER_PACKET, 'f', "filter-packet", RETE_OPT_VALUE, "EXPR",
	  "Keep events whose packet matches this pcap-filter expression\n"
	  "(e.g. 'tcp port 80')" },
	{ OPT_FILTER_META, 'm', "filter-meta", RETE_OPT_VALUE, "EXPR",
	  "Keep events matching SECTION.FIELD OP VALUE tests joined by and/or/not\n"
	  "(e.g. 'skb-drop.drop_reason == \"NO_SOCKET\"'), as for 'rete print'" },
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

#define NOPTS (sizeof(pcap_opts) / sizeof(pcap_opts[0]))

struct pcap_args {
	const char *probe;
	const char *out;
	const char *filter_packet;	/* -f */
	const char *filter_meta;	/* -m */
	bool list;
	bool help;
};

/* What an event must match with -p. */
struct probe_filter {
	bool on;
	const char *type;	/* JSON probe_type */
	char target[192];
	bool wildcard;
};

struct counts {
	uint64_t matched;	/* from the selected probe(s) */
	uint64_t no_kernel;	/* not from a kernel probe (userspace, ...) */
	uint64_t no_common;
	uint64_t no_packet;
	uint64_t failed;	/* could not be converted */
};

static int pcap_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
			size_t errlen)
{
	struct pcap_args *a = ctx;

	switch (o->id) {
	case OPT_PROBE:
		a->probe = v;
		return 0;
	case OPT_OUT:
		a->out = v;
		return 0;
	case OPT_LIST_PROBES:
		a->list = true;
		return 0;
	case OPT_FILTER_PACKET:
		a->filter_packet = v;
		return 0;
	case OPT_FILTER_META:
		a->filter_meta = v;
		return 0;
	case OPT_HELP:
		a->help = true;
		return 0;
	}
	snprintf(err, errlen, "unexpected option");
	return -EINVAL;
}

const struct rete_cmd rete_cmd_pcap_desc = {
	.name = "pcap",
	.summary = "Write the packets of stored events as pcapng",
	.synopsis = "[OPTIONS] [FILE...]",
	.description =
		"Write the packets of stored events as pcapng, for tcpdump, tshark and Wireshark.\n"
		"Each probe becomes an interface named probe_type/symbol; each packet carries\n"
		"the event's text as a comment and the whole event as JSON (custom option,\n"
		"PEN 70000, as Retis writes it).\n",
	.notes = "FILE: an event file (default " DEFAULT_IN "; - is standard input), or FILE.N..\n"
		 "to follow rotated files.\n",
	.examples = "  rete pcap -p tp:net:netif_receive_skb events.json | tcpdump -nnr -\n"
		    "  rete pcap -o out.pcapng events.json && tshark -r out.pcapng\n"
		    "  rete pcap -l cap.json.0..\n"
		    "  rete pcap -f 'tcp port 80' -m 'dev.name == \"veth01\"' -o web.pcapng events.json\n",
	.opts = pcap_opts,
	.nopts = NOPTS,
	.pos = RETE_CMD_POS_FILES,
	.run = rete_cmd_pcap,
};

static int filter_init(struct probe_filter *pf, const char *probe)
{
	struct rete_probe_spec spec;
	char err[256];

	if (!probe)
		return 0;
	if (rete_probe_parse(probe, &spec, err, sizeof(err))) {
		log_error("%s", err);
		return -EINVAL;
	}
	pf->on = true;
	pf->type = rete_probe_type_name(spec.type);
	snprintf(pf->target, sizeof(pf->target), "%s", spec.target);
	pf->wildcard = spec.wildcard;
	return 0;
}

static bool filter_match(const struct probe_filter *pf, const struct rete_event *ev)
{
	const struct rete_ev_kernel *k = &ev->kernel;

	if (!pf->on)
		return true;
	if (strncmp(k->probe_type, pf->type, sizeof(k->probe_type)))
		return false;
	if (pf->wildcard)
		return !fnmatch(pf->target, k->symbol, 0);
	return !strncmp(k->symbol, pf->target, sizeof(k->symbol));
}

/* ---- --list-probes -------------------------------------------------------- */

struct probe_list {
	char **names;		/* sorted, unique */
	size_t n, cap;
};

static int probe_list_add(struct probe_list *l, const struct rete_event *ev)
{
	char name[sizeof(ev->kernel.probe_type) + sizeof(ev->kernel.symbol) + 2];
	size_t lo = 0, hi = l->n;

	snprintf(name, sizeof(name), "%.*s:%.*s", (int)sizeof(ev->kernel.probe_type),
		 ev->kernel.probe_type, (int)sizeof(ev->kernel.symbol), ev->kernel.symbol);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(l->names[mid], name);

		if (!c)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (l->n == RETE_PCAPNG_MAX_IFACES)
		return -E2BIG;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **names = realloc(l->names, cap * sizeof(*names));

		if (!names)
			return -ENOMEM;
		l->names = names;
		l->cap = cap;
	}
	memmove(&l->names[lo + 1], &l->names[lo], (l->n - lo) * sizeof(*l->names));
	l->names[lo] = strdup(name);
	if (!l->names[lo]) {
		memmove(&l->names[lo], &l->names[lo + 1], (l->n - lo) * sizeof(*l->names));
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static void probe_list_free(struct probe_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
}

/* ---- conversion ----------------------------------------------------------- */

struct pcap_run {
	struct pcap_args args;
	struct probe_filter filter;
	struct rete_evfilter *evfilter;	/* -f and -m; NULL without */
	struct rete_reader *reader;
	struct rete_pcapng *writer;	/* NULL with --list-probes */
	struct probe_list list;
	struct counts n;
	FILE *out;
	size_t bad_lines;
};

/* One event; returns a fatal error (the output failed) or 0. */
static int handle_event(struct pcap_run *r, const struct rete_event *ev)
{
	int rc;

	if (rete_event_has(ev, RETE_SEC_STARTUP)) {
		/* Each file of a rotated set has its own; they agree within one collection. */
		if (r->writer)
			rete_pcapng_set_clock_offset(r->writer, ev->startup.mono_offset_sec,
						     ev->startup.mono_offset_nsec);
		return 0;
	}
	if (!rete_event_has(ev, RETE_SEC_KERNEL)) {
		r->n.no_kernel++;
		return 0;
	}
	if (!filter_match(&r->filter, ev))
		return 0;
	if (r->evfilter) {
		rc = rete_evfilter_match(r->evfilter, ev);
		if (rc <= 0)
			return rc;
	}
	r->n.matched++;
	if (!r->writer) {
		if (!rete_event_has(ev, RETE_SEC_COMMON) || !rete_event_has(ev, RETE_SEC_PACKET))
			return 0;
		return probe_list_add(&r->list, ev);
	}
	rc = rete_pcapng_event(r->writer, ev);
	if (rc == -ENODATA) {
		r->n.no_packet++;
		return 0;
	}
	if (rc == -ENOENT) {
		r->n.no_common++;
		return 0;
	}
	if (rc && rete_pcapng_error(r->writer))
		return rc;
	if (rc) {
		/* Only this event is lost (e.g. too many probes for one file): say so a few times. */
		if (r->n.failed < FAILED_SHOWN)
			log_warn("%s:%zu: event left out: %s", rete_reader_file(r->reader),
				 rete_reader_line(r->reader), strerror(-rc));
		r->n.failed++;
	}
	return 0;
}

static int read_all(struct pcap_run *r)
{
	struct rete_event ev = { 0 };
	char err[512];
	const char *note;
	int rc;

	for (;;) {
		rc = rete_reader_next(r->reader, &ev, err, sizeof(err));
		while ((note = rete_reader_take_note(r->reader)))
			log_warn("%s", note);
		if (rc == 0)
			break;
		if (rc == -EINVAL) {
			log_warn("%s (line skipped)", err);
			r->bad_lines++;
			continue;
		}
		if (rc < 0) {
			log_error("%s", err);
			break;
		}
		rc = handle_event(r, &ev);
		if (rc)
			break;
	}
	rete_event_free(&ev);
	return rc;
}

static FILE *open_out(const char *path)
{
	FILE *f;
	int fd;

	if (!path) {
		if (isatty(STDOUT_FILENO)) {
			log_error("refusing to write pcapng to a terminal: use -o FILE or a pipe "
				  "(rete pcap FILE | tcpdump -nnr -)");
			return NULL;
		}
		return stdout;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	/* Packet data: keep the file private even if it existed before. */
	if (fd < 0 || fchmod(fd, 0600)) {
		log_error("cannot create %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		log_error("cannot create %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

static void report(const struct pcap_run *r)
{
	const struct rete_pcapng_stats *st = rete_pcapng_stats(r->writer);

	log_info("%" PRIu64 " packet(s) written from %" PRIu64 " event(s)%s%s", st->packets,
		 r->n.matched, r->filter.on ? " of the selected probe" : "",
		 r->evfilter ? " matching the filters" : "");
	if (r->n.no_packet)
		log_warn("%" PRIu64 " event(s) skipped: no packet data (collect with the skb "
			 "collector to capture packets)",
			 r->n.no_packet);
	if (r->n.no_common)
		log_warn("%" PRIu64 " event(s) skipped: no common section (no timestamp)",
			 r->n.no_common);
	if (r->n.failed > FAILED_SHOWN)
		log_warn("%" PRIu64 " event(s) left out in all", r->n.failed);
	if (r->n.no_kernel)
		log_info("%" PRIu64 " event(s) skipped: not from a kernel probe", r->n.no_kernel);
	if (st->comments_cut)
		log_warn("%" PRIu64 " packet comment(s) cut to 65535 bytes", st->comments_cut);
	if (st->json_dropped)
		log_warn("%" PRIu64 " event(s) too large to attach as JSON (over 65531 bytes): "
			 "packets written without it",
			 st->json_dropped);
}

/* Flush and close the output; 0, or the write error (reported). */
static int finish_out(struct pcap_run *r)
{
	int rc = rete_pcapng_flush(r->writer);

	if (r->out != stdout && fclose(r->out) && !rc)
		rc = errno ? -errno : -EIO;
	/* A reader that went away (| head) is not our failure. */
	if (rc == -EPIPE)
		return 0;
	if (rc)
		log_error("cannot write %s: %s", r->args.out ? r->args.out : "standard output",
			  strerror(-rc));
	return rc;
}

static int run_list(struct pcap_run *r)
{
	int rc = read_all(r);

	if (rc == -E2BIG)
		log_error("more than %d probes in the input", RETE_PCAPNG_MAX_IFACES);
	else if (rc == -ENOMEM)
		log_error("out of memory");
	if (rc)
		return RETE_EXIT_FAIL;
	if (!r->list.n) {
		log_error("no probe with packet events in the input");
		return RETE_EXIT_FAIL;
	}
	for (size_t i = 0; i < r->list.n; i++)
		printf("%s\n", r->list.names[i]);
	if (fflush(stdout) && errno != EPIPE) {
		log_error("cannot write output: %s", strerror(errno));
		return RETE_EXIT_FAIL;
	}
	return r->bad_lines ? RETE_EXIT_FAIL : RETE_EXIT_OK;
}

static int run_pcap(struct pcap_run *r)
{
	size_t schema_len;
	const char *schema = rete_event_schema(&schema_len);
	int rc;

	r->out = open_out(r->args.out);
	if (!r->out)
		return RETE_EXIT_FAIL;
	setvbuf(r->out, NULL, _IOFBF, OUT_BUF);
	rc = rete_pcapng_new(r->out, schema, schema_len, &r->writer);
	if (rc) {
		log_error("cannot write %s: %s", r->args.out ? r->args.out : "standard output",
			  strerror(-rc));
		if (r->out != stdout)
			fclose(r->out);
		return rc == -EPIPE ? RETE_EXIT_OK : RETE_EXIT_FAIL;
	}
	rc = read_all(r);
	if (finish_out(r))
		return RETE_EXIT_FAIL;
	if (rc == -EPIPE)
		return RETE_EXIT_OK;
	if (rc)
		return RETE_EXIT_FAIL;	/* the reader said why */
	report(r);
	if (r->filter.on && !r->n.matched && !r->evfilter) {
		log_error("probe '%s' not found in the events", r->args.probe);
		return RETE_EXIT_FAIL;
	}
	if (r->evfilter && !r->n.matched)
		log_info("no event matched the filters");
	return r->bad_lines || r->n.failed ? RETE_EXIT_FAIL : RETE_EXIT_OK;
}

int rete_cmd_pcap(const struct rete_global *g, int argc, char **argv)
{
	const char *default_in[] = { rete_prog_data_file() };
	struct pcap_run r;
	const char *pos[MAX_INPUTS];
	size_t npos = 0;
	char err[512];
	int rc, exit_code;

	memset(&r, 0, sizeof(r));
	rc = rete_opts_parse(pcap_opts, NOPTS, argc - 1, argv + 1, false, pcap_handler, &r.args,
			     pos, MAX_INPUTS, &npos, err, sizeof(err));
	if (rc < 0) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	if (r.args.help) {
		rete_cmd_usage(stdout, &rete_cmd_pcap_desc);
		return RETE_EXIT_OK;
	}
	if (r.args.list && (r.args.out || r.args.probe)) {
		log_error("--list-probes takes neither --probe nor --out");
		return RETE_EXIT_USAGE;
	}
	if (filter_init(&r.filter, r.args.probe))
		return RETE_EXIT_USAGE;
	if (r.args.filter_packet || r.args.filter_meta) {
		rc = rete_evfilter_new(r.args.filter_packet, r.args.filter_meta, &r.evfilter, err,
				       sizeof(err));
		if (rc) {
			log_error("%s", err);
			return rc == -EINVAL ? RETE_EXIT_USAGE : RETE_EXIT_FAIL;
		}
	}
	rc = rete_reader_open(npos ? pos : (const char *const *)default_in, npos ? npos : 1,
			      &r.reader, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		rete_evfilter_free(r.evfilter);
		return RETE_EXIT_FAIL;
	}
	exit_code = r.args.list ? run_list(&r) : run_pcap(&r);
	probe_list_free(&r.list);
	rete_pcapng_free(r.writer);
	rete_reader_free(r.reader);
	rete_evfilter_free(r.evfilter);
	return exit_code;
}
