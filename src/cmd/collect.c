/* rete collect: install probes, collect events, print and/or store them. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cmd/cmd.h"
#include "cmd/collect_args.h"
#include "core/collector.h"
#include "core/decode.h"
#include "core/kallsyms.h"
#include "core/kernel.h"
#include "core/probe.h"
#include "core/probe_stack.h"
#include "core/session.h"
#include "core/tracefs.h"
#include "events/json.h"
#include "events/output.h"
#include "events/version.h"
#include "filter/cbpf.h"
#include "filter/meta_compile.h"
#include "filter/pcap_filter.h"
#include "lib/log.h"
#include "lib/term.h"

#define GC_PERIOD_NS (5ULL * 1000000000ULL)
#define GC_MAX_AGE_NS (60ULL * 1000000000ULL)
#define STATUS_PERIOD_NS (250ULL * 1000000ULL)
#define RETE_SRC_FDS_MAX 256

/* Everything a running collection owns; released in one place. */
struct collection {
	struct collect_args args;
	bool usage_error;	/* a probe or filter argument did not parse: exit 2 */
	struct btf *btf;
	struct rete_tracefs tfs;
	struct rete_probe_set probes;
	struct rete_session *session;
	struct rete_kallsyms *ksyms;
	struct rete_decoder dec;
	struct rete_output out;
	struct rete_event ev;
	bool collectors[RETE_COLLECTORS_MAX];	/* by registry index */
	/* -p named a function a collector probes itself: with /stack? (by registry index) */
	bool owned_given[RETE_COLLECTORS_MAX], owned_stack[RETE_COLLECTORS_MAX];
	int sfd;			/* signalfd */
	int epfd;
	struct ring_buffer *rb;
	pid_t child;
	int child_status;
	bool stop;
	const char *stop_reason;
	uint64_t start_ns;
	bool status_line;
	uint64_t decode_errors;
	struct rete_pcap_filter pcap;
	struct rete_filter_prog filter_l2, filter_l3, filter_meta;
	/* --probe-stack: functions seen in stacks; probes [attached_n, n) wait to be attached. */
	struct rete_probe_stack *pstack;
	size_t attached_n;
	size_t pstack_added;
	struct rete_chain_cfg chain;	/* the collectors' switches, set by their setup */
	/* Collectors with a userspace event source (by registry index), and their descriptors. */
	void *src_state[RETE_COLLECTORS_MAX];
	bool src_started[RETE_COLLECTORS_MAX];
	struct {
		int fd;
		size_t coll;
	} src_fds[RETE_SRC_FDS_MAX];
	size_t nsrc_fds;
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int select_collectors(struct collection *c)
{
	struct collect_args *a = &c->args;
	bool use_auto = a->auto_coll || !a->any_collector_arg;
	char why[256], list[256] = "";
	size_t n = 0;

	for (size_t i = 0; i < rete_collectors_count(); i++) {
		const char *name = rete_collector_get(i)->name;
		int rc;

		if (!a->named[i] && !use_auto)
			continue;
		rc = rete_collector_check(i, c->btf, why, sizeof(why));
		if (rc) {
			if (a->named[i]) {
				log_error("collector '%s' cannot run: %s", name, why);
				return rc;
			}
			log_debug("collector '%s' skipped: %s", name, why);
			continue;
		}
		c->collectors[i] = true;
		n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s",
				      n ? ", " : "", name);
	}
	log_info("Collector(s) started: %s", list);
	return 0;
}

/* Tracepoint wildcards need tracefs; kernel function ones fall back to /proc/kallsyms. */
static bool probes_need_tracefs(const struct collect_args *a)
{
	for (size_t i = 0; i < a->nprobes; i++) {
		struct rete_probe_spec spec;
		char err[256];

		if (!rete_probe_parse(a->probes[i], &spec, err, sizeof(err)) && spec.wildcard &&
		    spec.type == RETE_PROBE_RAW_TP)
			return true;
	}
	return false;
}

static int setup_tracefs(struct collection *c)
{
	int rc = rete_tracefs_find(&c->tfs);

	if (rc && c->args.allow_system_changes) {
		rc = rete_tracefs_mount(&c->tfs);
		if (rc) {
			log_error("cannot mount tracefs on /sys/kernel/tracing: %s", strerror(-rc));
			return rc;
		}
		log_info("Mounted tracefs on %s (unmounted at exit)", c->tfs.path);
	}
	if (rc) {
		if (probes_need_tracefs(&c->args)) {
			log_error("tracefs is not mounted, and wildcard probes need its tracepoint "
				  "list: mount it (mount -t tracefs nodev /sys/kernel/tracing) or "
				  "pass --allow-system-changes");
			return rc;
		}
		log_debug("tracefs is not mounted: tracepoint groups are not checked");
		return 0;
	}
	rc = rete_tracefs_load_events(&c->tfs);
	if (rc)
		log_debug("cannot read %s/available_events: %s", c->tfs.path, strerror(-rc));
	return 0;
}

/* Does any probe report events (not only keep tracking up to date)? */
static bool has_user_probe(const struct rete_probe_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->probes[i].flags & RETE_PROBE_F_EMIT)
			return true;
	return false;
}

static bool source_selected(const struct collection *c)
{
	for (size_t i = 0; i < rete_collectors_count(); i++)
		if (c->collectors[i] && rete_collector_get(i)->source)
			return true;
	return false;
}

/*
 * The collector (selected) that owns spec's kernel function, or NULL: the
 * nft collector reports __nft_trace_packet itself (from nftables traces
 * where the kernel has no kprobes).
 */
static int probe_owner(const struct collection *c, const struct rete_probe_spec *spec)
{
	if (!rete_probe_type_is_kfunc(spec->type))
		return -1;
	for (size_t i = 0; i < rete_collectors_count(); i++) {
		const struct rete_collector_ops *ops = rete_collector_get(i);

		if (c->collectors[i] && ops->owns_probe && !strcmp(ops->owns_probe, spec->target))
			return (int)i;
	}
	return -1;
}

/*
 * After the collectors' setup: a collector probing a function -p named gets
 * the probe's /stack; one that reports without it here says so.
 */
static bool owned_probes_settle(struct collection *c, uint8_t flags)
{
	bool found = false;

	for (size_t i = 0; i < rete_collectors_count(); i++) {
		const struct rete_collector_ops *ops = rete_collector_get(i);
		struct rete_probe *p;

		if (!c->owned_given[i])
			continue;
		p = rete_probe_set_find(&c->probes, RETE_PROBE_KPROBE, ops->owns_probe);
		if (p) {
			found = true;
			p->flags |= (uint8_t)((c->owned_stack[i] ? RETE_PROBE_F_STACK : 0) |
					      (flags & RETE_PROBE_F_STACK));
			log_debug("kprobe:%s is the %s collector's own probe", ops->owns_probe,
				  ops->name);
		} else {
			log_info("kprobe:%s: the %s collector reports without this probe on this "
				 "kernel (no stack traces)", ops->owns_probe, ops->name);
		}
	}
	return found;
}

static int add_probes(struct collection *c, const char *const *list, size_t n, uint8_t flags)
{
	char err[512];
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct rete_probe_spec spec;
		size_t added = 0;

		rc = rete_probe_parse(list[i], &spec, err, sizeof(err));
		c->usage_error = rc != 0;
		if (!rc)
			rc = rete_probe_resolve(&spec, c->btf, &c->tfs, flags, &c->probes, &added,
						err, sizeof(err));
		if (rc) {
			log_error("%s", err);
			return rc;
		}
	}
	return 0;
}

static int setup_probes(struct collection *c)
{
	struct collect_args *a = &c->args;
	static const char *const defaults[] = { "tp:net:netif_receive_skb",
						"tp:net:net_dev_start_xmit" };
	/* Where Retis's --probe-stack starts: the stacks at the frees name the whole path. */
	static const char *const stack_defaults[] = { "tp:skb:consume_skb", "tp:skb:kfree_skb" };
	const char *list[RETE_COLLECT_MAX_PROBES];
	size_t n = 0;
	uint8_t flags = RETE_PROBE_F_EMIT | (a->probe_stack ? RETE_PROBE_F_STACK : 0);
	bool defaults_wanted = false, defaults_deferred = false;
	char err[512];
	int rc;

	for (size_t i = 0; i < a->nprobes; i++) {
		struct rete_probe_spec spec;
		int owner;

		if (!rete_probe_parse(a->probes[i], &spec, err, sizeof(err)) &&
		    (owner = probe_owner(c, &spec)) >= 0) {
			c->owned_given[owner] = true;
			c->owned_stack[owner] |= spec.stack;
			continue;
		}
		list[n++] = a->probes[i];
	}
	if (!n && a->probe_stack) {
		memcpy(list, stack_defaults, sizeof(stack_defaults));
		n = 2;
		log_info("No probe(s) given: --probe-stack starts at %s, %s", list[0], list[1]);
	} else if (!n && (!a->any_collector_arg || source_selected(c))) {
		/*
		 * A collector with events of its own (nft) joins them to these; when
		 * -p named only its own probe, they are added only if it reports
		 * without that probe here.
		 */
		defaults_wanted = true;
		for (size_t i = 0; i < RETE_COLLECTORS_MAX; i++)
			defaults_wanted &= !c->owned_given[i];
		defaults_deferred = !defaults_wanted;
	}
	if (defaults_wanted)
		log_info("No probe(s) given: using %s, %s", defaults[0], defaults[1]);
	rc = add_probes(c, defaults_wanted ? defaults : list, defaults_wanted ? 2 : n, flags);
	if (rc)
		return rc;
	/* Collectors add their own probes (skb-drop's reports events) and set their switches. */
	for (size_t i = 0; i < rete_collectors_count(); i++) {
		const struct rete_collector_ops *ops = rete_collector_get(i);
		const struct rete_collector_env env = { .btf = c->btf, .tfs = &c->tfs,
							.probes = &c->probes,
							.opts = &c->args.coll_opts };

		if (!c->collectors[i])
			continue;
		if (ops->cfg_switch && ops->cfg_switch < sizeof(c->chain))
			((uint8_t *)&c->chain)[ops->cfg_switch] = 1;
		if (!ops->setup)
			continue;
		rc = ops->setup(&env, &c->chain, err, sizeof(err));
		if (rc) {
			log_error("%s", err);
			return rc;
		}
	}
	if (!owned_probes_settle(c, flags) && defaults_deferred) {
		log_info("No probe(s) given: using %s, %s", defaults[0], defaults[1]);
		rc = add_probes(c, defaults, 2, flags);
		if (rc)
			return rc;
	}
	if (!has_user_probe(&c->probes)) {
		log_error("no probe to install: give one with -p (e.g. -p tp:skb:kfree_skb)");
		return -EINVAL;
	}
	if (c->probes.skipped.no_skb || c->probes.skipped.untraceable ||
	    c->probes.skipped.blacklisted || c->probes.skipped.unreachable)
		log_info("Kernel function wildcards skipped %zu function(s) without a struct "
			 "sk_buff * argument, %zu that cannot be traced (notrace or inlined), %zu "
			 "on the kprobe blacklist, %zu with the sk_buff * out of argument "
			 "registers",
			 c->probes.skipped.no_skb, c->probes.skipped.untraceable,
			 c->probes.skipped.blacklisted, c->probes.skipped.unreachable);
	return 0;
}

/* Compile -f and -m into eBPF for the session. */
static int setup_filters(struct collection *c, struct rete_session_opts *so)
{
	char err[512];
	int rc;

	if (c->args.filter_packet) {
		rc = rete_pcap_filter_compile(c->args.filter_packet, &c->pcap, err, sizeof(err));
		c->usage_error = rc != 0;
		if (!rc)
			rc = rete_cbpf_translate_pcap(&c->pcap, RETE_PCAP_L2, &c->filter_l2, err,
						      sizeof(err));
		if (!rc && c->pcap.has[RETE_PCAP_L3])
			rc = rete_cbpf_translate_pcap(&c->pcap, RETE_PCAP_L3, &c->filter_l3, err,
						      sizeof(err));
		if (rc) {
			log_error("%s", err);
			return rc;
		}
		so->filter_l2 = &c->filter_l2;
		if (c->pcap.has[RETE_PCAP_L3])
			so->filter_l3 = &c->filter_l3;
		else
			log_debug("no L3 packet filter: %s", c->pcap.l3_skip_reason);
		log_info("%s packet filter(s) loaded", so->filter_l3 ? "L2+L3" : "L2");
	}
	if (c->args.filter_meta) {
		rc = rete_meta_filter_build(c->args.filter_meta, c->btf, &c->filter_meta, err,
					    sizeof(err));
		c->usage_error = rc != 0;
		if (rc) {
			log_error("%s", err);
			return rc;
		}
		so->filter_meta = &c->filter_meta;
	}
	so->chain.filter_strict = c->args.filter_strict;
	return 0;
}

static int write_startup(struct collection *c, int argc, char **argv)
{
	struct rete_event *ev = &c->ev;
	struct rete_strbuf cmdline = RETE_STRBUF_INIT;
	struct timespec rt, mono;
	struct utsname u;
	int64_t off_ns;
	int rc;

	rete_event_reset(ev);
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	off_ns = ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000LL + (rt.tv_nsec - mono.tv_nsec);
	rete_event_set(ev, RETE_SEC_COMMON);
	ev->common.timestamp = (uint64_t)mono.tv_sec * 1000000000ULL + (uint64_t)mono.tv_nsec;
	rete_event_set(ev, RETE_SEC_STARTUP);
	rete_format_version(ev->startup.version, sizeof(ev->startup.version), RETE_VERSION);
	ev->startup.mono_offset_sec = off_ns / 1000000000LL;
	ev->startup.mono_offset_nsec = off_ns % 1000000000LL;
	for (int i = 0; i < argc; i++) {
		if (i)
			rete_strbuf_addc(&cmdline, ' ');
		rete_strbuf_adds(&cmdline, argv[i]);
	}
	ev->startup.cmdline = rete_event_strndup(ev, rete_strbuf_str(&cmdline), cmdline.len);
	rete_strbuf_free(&cmdline);
	if (!uname(&u)) {
		ev->startup.has_machine = true;
		snprintf(ev->startup.kernel_release, sizeof(ev->startup.kernel_release), "%.127s",
			 u.release);
		snprintf(ev->startup.kernel_version, sizeof(ev->startup.kernel_version), "%.255s",
			 u.version);
		snprintf(ev->startup.hardware_name, sizeof(ev->startup.hardware_name), "%.63s",
			 u.machine);
	}
	rc = rete_output_event(&c->out, ev, false);
	return rc;
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct collection *c = ctx;
	int rc;

	if (c->stop && c->args.stop_after && c->out.events >= c->args.stop_after)
		return 0;
	rc = rete_decode(&c->dec, data, size, &c->ev);
	if (rc) {
		c->decode_errors++;
		return 0;
	}
	rc = rete_output_event(&c->out, &c->ev, false);
	if (rc)
		return rc;
	for (size_t i = 0; i < rete_collectors_count(); i++)
		if (c->src_started[i] && rete_collector_get(i)->source->observe)
			rete_collector_get(i)->source->observe(c->src_state[i], &c->ev);
	if (c->pstack && rete_event_has(&c->ev, RETE_SEC_KERNEL)) {
		rc = rete_probe_stack_scan(c->pstack, &c->ev.kernel, &c->probes);
		if (rc == -E2BIG) {
			log_warn("--probe-stack: no more probes can be added (at most %d)",
				 RETE_PROBES_MAX);
			rete_probe_stack_free(c->pstack);
			c->pstack = NULL;
		} else if (rc < 0) {
			return rc;
		}
	}
	if (c->args.stop_after && c->out.events >= c->args.stop_after && !c->stop) {
		c->stop = true;
		c->stop_reason = "event count reached";
	}
	return 0;
}

static pid_t spawn_cmd(const char *cmd)
{
	sigset_t none;
	pid_t pid = fork();

	if (pid)
		return pid;
	/* Child: default signal mask, output discarded (as Retis does). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int fd = open("/dev/null", O_RDWR);

	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

static void handle_signals(struct collection *c)
{
	struct signalfd_siginfo si;

	while (read(c->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			int status;

			if (c->child > 0 && waitpid(c->child, &status, WNOHANG) == c->child) {
				c->child = 0;
				c->child_status = status;
				c->stop = true;
				c->stop_reason = "command exited";
			}
		} else {
			c->stop = true;
			c->stop_reason = si.ssi_signo == SIGINT ? "interrupted" : "terminated";
		}
	}
}

static void counters_total(struct collection *c, uint64_t *hits, uint64_t *lost)
{
	*hits = *lost = 0;
	for (size_t i = 0; i < c->probes.n; i++) {
		struct rete_probe_counters pc;

		if (rete_session_probe_counters(c->session, (uint32_t)i, &pc))
			continue;
		if (c->probes.probes[i].flags & RETE_PROBE_F_EMIT)
			*hits += pc.emitted + pc.lost;
		*lost += pc.lost;
	}
}

static void status_update(struct collection *c, bool final)
{
	uint64_t hits, lost;
	double secs = (double)(now_ns(CLOCK_MONOTONIC) - c->start_ns) / 1e9;

	counters_total(c, &hits, &lost);
	fprintf(stderr, "\r\033[K%" PRIu64 " events, %" PRIu64 " lost, %.1fs%s", c->out.events,
		lost, secs, final ? "\n" : "");
}

/* Attach what --probe-stack found since the last time. */
static void probe_stack_attach(struct collection *c)
{
	size_t first = c->attached_n;
	char err[512];
	int rc;

	if (c->probes.n == first)
		return;
	rc = rete_session_add_probes(c->session, first, err, sizeof(err));
	c->attached_n = c->probes.n;
	if (rc) {
		log_warn("--probe-stack: %s; no more probes will be added", err);
		rete_probe_stack_free(c->pstack);
		c->pstack = NULL;
		return;
	}
	for (size_t i = first; i < c->probes.n; i++)
		log_info("--probe-stack: added kprobe:%s", c->probes.probes[i].symbol);
	c->pstack_added += c->probes.n - first;
}

/* ---- collectors with a userspace event source ---- */

static int src_emit(void *ctx, struct rete_event *ev)
{
	struct collection *c = ctx;

	if (c->args.stop_after && c->out.events >= c->args.stop_after)
		return 0;
	return rete_output_event(&c->out, ev, false);
}

static void src_note(void *ctx, enum rete_note_level level, const char *sentence)
{
	if (level == RETE_NOTE_WARN)
		log_warn("%s", sentence);
	else
		log_info("%s", sentence);
}

static struct rete_collector_sink src_sink(struct collection *c)
{
	return (struct rete_collector_sink){ .emit = src_emit, .note = src_note, .ctx = c,
					     .now_ns = now_ns(CLOCK_MONOTONIC) };
}

static int sources_start(struct collection *c)
{
	struct rete_collector_sink sink = src_sink(c);
	char err[512];

	for (size_t i = 0; i < rete_collectors_count(); i++) {
		const struct rete_collector_ops *ops = rete_collector_get(i);
		struct rete_collector_opts opts = c->args.coll_opts;
		const struct rete_collector_env env = {
			.btf = c->btf, .tfs = &c->tfs, .probes = &c->probes, .opts = &opts,
			.pcap = c->args.filter_packet ? &c->pcap : NULL,
		};
		int fds[64];
		size_t n;
		int rc;

		if (!c->collectors[i] || !ops->source)
			continue;
		opts.named = c->args.named[i];
		rc = ops->source->start(&env, &sink, &c->src_state[i], err, sizeof(err));
		if (rc) {
			log_error("%s", err);
			return rc;
		}
		c->src_started[i] = true;
		n = ops->source->fds(c->src_state[i], fds, 64);
		for (size_t k = 0; k < n && c->nsrc_fds < RETE_SRC_FDS_MAX; k++) {
			c->src_fds[c->nsrc_fds].fd = fds[k];
			c->src_fds[c->nsrc_fds].coll = i;
			c->nsrc_fds++;
		}
	}
	return 0;
}

/* fd readable (or -1: every source's turn); after the ring buffer was drained. */
static int sources_read(struct collection *c, int fd)
{
	struct rete_collector_sink sink = src_sink(c);

	for (size_t i = 0; i < rete_collectors_count(); i++) {
		int rc;

		if (!c->src_started[i])
			continue;
		if (fd >= 0) {
			bool mine = false;

			for (size_t k = 0; k < c->nsrc_fds; k++)
				mine |= c->src_fds[k].fd == fd && c->src_fds[k].coll == i;
			if (!mine)
				continue;
		}
		rc = rete_collector_get(i)->source->read(c->src_state[i], fd, &sink);
		if (rc)
			return rc;
	}
	return 0;
}

static void sources_stop(struct collection *c)
{
	struct rete_collector_sink sink = src_sink(c);

	for (size_t i = 0; i < rete_collectors_count(); i++) {
		if (!c->src_started[i])
			continue;
		rete_collector_get(i)->source->stop(c->src_state[i], &sink);
		c->src_started[i] = false;
		c->src_state[i] = NULL;
	}
	c->nsrc_fds = 0;
}

static int run_loop(struct collection *c)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t last_gc, last_status = 0;
	int timeout = 1, rc;

	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0)
		return -errno;
	ev.data.fd = c->sfd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->sfd, &ev))
		return -errno;
	ev.data.fd = rete_session_events_fd(c->session);
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		return -errno;
	for (size_t k = 0; k < c->nsrc_fds; k++) {
		ev.data.fd = c->src_fds[k].fd;
		if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
			return -errno;
	}
	last_gc = now_ns(CLOCK_MONOTONIC);

	while (!c->stop) {
		struct epoll_event evs[16];
		uint64_t now;
		int n;

		n = epoll_wait(c->epfd, evs, 16, timeout);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++)
			if (evs[i].data.fd == c->sfd)
				handle_signals(c);
		/*
		 * The probes do not wake us per event: drain on a short timer that
		 * backs off while idle (1 ms under load, up to 50 ms idle).
		 */
		rc = ring_buffer__consume(c->rb);
		if (rc < 0)
			return rc;
		timeout = rc > 0 ? 1 : (timeout * 2 > 50 ? 50 : timeout * 2);
		/* Userspace sources after the ring: what they join to is written by now. */
		for (int i = 0; i < n && c->nsrc_fds; i++) {
			if (evs[i].data.fd == c->sfd ||
			    evs[i].data.fd == rete_session_events_fd(c->session))
				continue;
			rc = sources_read(c, evs[i].data.fd);
			if (rc)
				return rc;
		}
		if (c->nsrc_fds && (rc = sources_read(c, -1)))
			return rc;
		if (c->pstack)
			probe_stack_attach(c);

		now = now_ns(CLOCK_MONOTONIC);
		if (now - last_gc > GC_PERIOD_NS) {
			rete_session_tracking_gc(c->session, now, GC_MAX_AGE_NS);
			last_gc = now;
		}
		if (c->status_line && now - last_status > STATUS_PERIOD_NS) {
			status_update(c, false);
			last_status = now;
		}
	}
	return 0;
}

static void report(struct collection *c)
{
	uint64_t total_lost = 0, misses = rete_session_recursion_misses(c->session);

	if (c->status_line)
		status_update(c, true);
	for (size_t i = 0; i < c->probes.n; i++) {
		const struct rete_probe *p = &c->probes.probes[i];
		struct rete_probe_counters pc;

		if (rete_session_probe_counters(c->session, (uint32_t)i, &pc))
			continue;
		log_debug("probe %s: %llu hits, %llu events, %llu lost", p->symbol,
			  (unsigned long long)pc.hits, (unsigned long long)pc.emitted,
			  (unsigned long long)pc.lost);
		if (pc.lost) {
			log_warn("%llu event(s) lost at %s (ring buffer full; try "
				 "--buffer-size or a filter)",
				 (unsigned long long)pc.lost, p->symbol);
			total_lost += pc.lost;
		}
	}
	if (misses)
		log_warn("%" PRIu64 " probe run(s) skipped by the kernel (a probe was already "
			 "running on that CPU)",
			 misses);
	if (rete_session_gcounter(c->session, RETE_GC_KRET_FULL))
		log_warn("%" PRIu64 " kretprobe call(s) not reported: in-flight table full",
			 rete_session_gcounter(c->session, RETE_GC_KRET_FULL));
	if (rete_session_gcounter(c->session, RETE_GC_TRACK_FULL))
		log_warn("%" PRIu64 " packet(s) not tracked: tracking table full",
			 rete_session_gcounter(c->session, RETE_GC_TRACK_FULL));
	if (rete_session_gcounter(c->session, RETE_GC_TRACK_REUSED))
		log_info("%" PRIu64 " tracking id(s) ended where the packet's data head was freed "
			 "unseen and reused by another packet (no kprobe on skb_free_head here)",
			 rete_session_gcounter(c->session, RETE_GC_TRACK_REUSED));
	if (rete_session_gcounter(c->session, RETE_GC_SKB_UNREADABLE))
		log_warn("%" PRIu64 " probe run(s) without event: their sk_buff could not be read",
			 rete_session_gcounter(c->session, RETE_GC_SKB_UNREADABLE));
	if (rete_session_gcounter(c->session, RETE_GC_NESTED))
		log_warn("%" PRIu64 " probe run(s) skipped: nested more than %d deep on a CPU",
			 rete_session_gcounter(c->session, RETE_GC_NESTED), RETE_NEST_MAX);
	if (c->decode_errors)
		log_warn("%" PRIu64 " malformed event record(s) skipped", c->decode_errors);
	if (c->args.probe_stack)
		log_info("--probe-stack added %zu probe(s) from %zu function(s) seen in stacks",
			 c->pstack_added, rete_probe_stack_seen(c->pstack));
	log_info("%" PRIu64 " event(s) collected, %" PRIu64 " lost (%s)", c->out.events,
		 total_lost, c->stop_reason ? c->stop_reason : "stopped");
}

/*
 * Last line of the file: what the kernel could not deliver, per probe
 * (read back by `rete stats`), so a file says by itself whether it is complete.
 */
static void write_lost_record(struct collection *c)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	uint64_t total = 0;
	bool first = true;

	if (!c->args.out)
		return;
	rete_strbuf_adds(&sb, "{\"probes\":{");
	for (size_t i = 0; i < c->probes.n; i++) {
		const struct rete_probe *p = &c->probes.probes[i];
		struct rete_probe_counters pc;

		if (!(p->flags & RETE_PROBE_F_EMIT) ||
		    rete_session_probe_counters(c->session, (uint32_t)i, &pc))
			continue;
		char key[sizeof(p->symbol) + 32];

		snprintf(key, sizeof(key), "%s/%s", rete_probe_type_name(p->type), p->symbol);
		if (!first)
			rete_strbuf_addc(&sb, ',');
		rete_json_add_str(&sb, key);
		rete_strbuf_addf(&sb, ":%llu", (unsigned long long)pc.lost);
		total += pc.lost;
		first = false;
	}
	rete_strbuf_addf(&sb, "},\"total\":%llu,\"kernel_skipped\":%llu}", (unsigned long long)total,
			 (unsigned long long)rete_session_recursion_misses(c->session));
	rete_event_reset(&c->ev);
	rete_event_set(&c->ev, RETE_SEC_COMMON);
	c->ev.common.timestamp = now_ns(CLOCK_MONOTONIC);
	if (!sb.err && !rete_event_add_extra(&c->ev, "lost", sb.buf, sb.len))
		rete_output_json_record(&c->out, &c->ev);
	rete_strbuf_free(&sb);
}

static void collection_release(struct collection *c)
{
	/* Undo what the sources changed on every path out (nothing left when stopped already). */
	sources_stop(c);
	if (c->child > 0) {
		kill(c->child, SIGTERM);
		waitpid(c->child, NULL, 0);
	}
	ring_buffer__free(c->rb);
	rete_session_free(c->session);
	if (c->epfd > 0)
		close(c->epfd);
	if (c->sfd > 0)
		close(c->sfd);
	rete_output_close(&c->out);
	rete_event_free(&c->ev);
	rete_decoder_release(&c->dec);
	rete_kallsyms_free(c->ksyms);
	rete_probe_set_free(&c->probes);
	rete_tracefs_release(&c->tfs);
	rete_filter_prog_free(&c->filter_l2);
	rete_filter_prog_free(&c->filter_l3);
	rete_filter_prog_free(&c->filter_meta);
	rete_pcap_filter_free(&c->pcap);
	rete_probe_stack_free(c->pstack);
	btf__free(c->btf);
}

static int setup_signals(struct collection *c)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	c->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return c->sfd < 0 ? -errno : 0;
}

/*
 * Say up front which capability is missing, rather than a load refusal:
 * CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN alone also does). 0, or -EPERM with
 * the sentence logged.
 */
static int check_privileges(void)
{
	uint64_t caps;
	char missing[64] = "";

	if (rete_kernel_caps(&caps) || rete_cap_has(caps, RETE_CAP_SYS_ADMIN))
		return 0;
	if (!rete_cap_has(caps, RETE_CAP_BPF))
		strcat(missing, "CAP_BPF");
	if (!rete_cap_has(caps, RETE_CAP_PERFMON))
		strcat(missing, missing[0] ? " and CAP_PERFMON" : "CAP_PERFMON");
	if (!missing[0])
		return 0;
	log_error("rete collect needs %s to load and attach BPF programs, and this process does "
		  "not have %s: run it as root (e.g. sudo rete collect ...)",
		  missing, strchr(missing, ' ') ? "them" : "it");
	return -EPERM;
}

static bool needs_stack(const struct collection *c)
{
	if (c->args.stack)
		return true;
	for (size_t i = 0; i < c->probes.n; i++)
		if (c->probes.probes[i].flags & RETE_PROBE_F_STACK)
			return true;
	return false;
}

int rete_cmd_collect(const struct rete_global *g, int argc, char **argv)
{
	struct collection c;
	struct rete_session_opts so;
	char err[512];
	int rc, exit_code = RETE_EXIT_FAIL;

	memset(&c, 0, sizeof(c));
	c.sfd = c.epfd = -1;
	if (rete_collect_args_parse(argc, argv, &c.args, err, sizeof(err))) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	if (c.args.help) {
		rete_cmd_usage(stdout, &rete_cmd_collect_desc);
		return RETE_EXIT_OK;
	}
	if (check_privileges())
		return RETE_EXIT_FAIL;
	c.args.text.color = rete_color_use(c.args.color, STDOUT_FILENO);
	c.out.text_opts = c.args.text;

	c.btf = btf__load_vmlinux_btf();
	if (!c.btf) {
		log_error("cannot read kernel BTF (expected at /sys/kernel/btf/vmlinux): %s; rete "
			  "needs a kernel built with CONFIG_DEBUG_INFO_BTF",
			  strerror(errno));
		goto out;
	}
	if (c.args.probe_stack &&
	    rete_kernel_probe_type_usable(RETE_PROBE_KPROBE, err, sizeof(err))) {
		log_error("--probe-stack adds kprobes, and %s", err);
		goto out;
	}
	if (select_collectors(&c))
		goto out;
	if (setup_tracefs(&c) || setup_probes(&c))
		goto out;

	memset(&so, 0, sizeof(so));
	so.chain = c.chain;
	so.chain.stack_all = c.args.stack;
	so.ringbuf_bytes = c.args.buffer_size ? (uint32_t)c.args.buffer_size : 8u << 20;
	so.no_cookie = getenv("RETE_NO_ATTACH_COOKIE") != NULL;
	so.no_kprobe_multi = getenv("RETE_NO_KPROBE_MULTI") != NULL;
	so.probe_stack = c.args.probe_stack;
	if (setup_filters(&c, &so))
		goto out;
	rc = rete_session_new(&so, &c.probes, c.btf, &c.session, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		goto out;
	}
	log_debug("raw tracepoint attach cookies: %s",
		  rete_session_uses_cookies(c.session) ? "yes (one program for all probes)" :
							 "no (one program per probe)");
	c.rb = ring_buffer__new(rete_session_events_fd(c.session), handle_record, &c, NULL);
	if (!c.rb) {
		log_error("cannot set up the event ring buffer: %s", strerror(errno));
		goto out;
	}

	if (c.args.out) {
		struct rete_output_rotate rot = { c.args.out_rotate, c.args.out_rotate_count };

		rc = rot.size ? rete_output_open_rotate(&c.out, c.args.out, &rot) :
				rete_output_open_json(&c.out, c.args.out);
		if (rc) {
			log_error("cannot create %s: %s", c.out.path, strerror(-rc));
			goto out;
		}
	}
	if (!c.args.out || c.args.print)
		c.out.text = stdout;
	if (write_startup(&c, g->argc, g->argv))
		goto out_write;
	if (setup_signals(&c)) {
		log_error("cannot set up signal handling: %s", strerror(errno));
		goto out;
	}
	rc = rete_session_attach(c.session, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		goto out;
	}
	/*
	 * After attaching (events wait in the ring until the first poll): kallsyms
	 * then names our own programs and trampolines, which stacks start in.
	 */
	if (needs_stack(&c)) {
		rc = rete_kallsyms_load("/proc/kallsyms", &c.ksyms);
		if (rc)
			log_warn("cannot read /proc/kallsyms (%s): stack traces will show addresses",
				 strerror(-rc));
	}
	rete_decoder_init(&c.dec, &c.probes, c.ksyms, c.btf);
	if (rete_session_attach_skipped(c.session))
		log_warn("%zu probe(s) of wildcards could not be attached and were left out",
			 rete_session_attach_skipped(c.session));
	log_info("%zu probe(s) loaded", c.probes.n - rete_session_attach_skipped(c.session));
	c.attached_n = c.probes.n;
	if (c.args.probe_stack) {
		rc = rete_tracefs_load_kfuncs(&c.tfs);
		if (!rc)
			rc = rete_probe_stack_new(c.btf, c.tfs.kfuncs, &c.pstack);
		if (rc) {
			log_error("--probe-stack: cannot read the list of traceable kernel functions: %s",
				  strerror(-rc));
			goto out;
		}
	}
	if (sources_start(&c))
		goto out;
	c.start_ns = now_ns(CLOCK_MONOTONIC);
	c.status_line = isatty(STDERR_FILENO) && (c.args.out || !isatty(STDOUT_FILENO));
	if (c.args.cmd) {
		c.child = spawn_cmd(c.args.cmd);
		if (c.child < 0) {
			log_error("cannot run --cmd: %s", strerror(errno));
			goto out;
		}
	}

	rc = run_loop(&c);
	/* Detach first, then drain what the probes already queued, then the other sources. */
	rete_session_detach(c.session);
	if (!rc) {
		rc = ring_buffer__consume(c.rb);
		rc = rc < 0 ? rc : 0;
	}
	sources_stop(&c);
	if (rc && !c.out.err) {
		log_error("event loop failed: %s", strerror(-rc));
		goto out;
	}
	/* Events first, then the summary, whatever stdout is. */
	fflush(stdout);
	report(&c);
	write_lost_record(&c);
	if (c.out.err)
		goto out_write;
	exit_code = RETE_EXIT_OK;
	goto out;
out_write:
	log_error("cannot write %s: %s (collection stopped)",
		  c.out.err_json ? c.out.path : "events", strerror(-c.out.err));
out:
	collection_release(&c);
	if (c.usage_error)
		exit_code = RETE_EXIT_USAGE;
	if (exit_code == RETE_EXIT_OK && c.out.err) {
		log_error("cannot write %s: %s", c.out.err_json ? c.out.path : "events",
			  strerror(-c.out.err));
		exit_code = RETE_EXIT_FAIL;
	}
	return exit_code;
}
