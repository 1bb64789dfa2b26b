/* rete stats: what stored events hold (process/stats.c counts), as text or JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/postproc.h"
#include "lib/log.h"
#include "lib/opts.h"
#include "lib/strbuf.h"
#include "events/json.h"
#include "process/stats.h"

#define NSEC_PER_SEC INT64_C(1000000000)

enum { OPT_JSON = RETE_POST_OPT_MAX, OPT_TOP };

static const struct rete_opt stats_opts[] = {
	{ OPT_JSON, 0, "json", RETE_OPT_FLAG, NULL, "Print one JSON object instead of tables" },
	{ OPT_TOP, 0, "top", RETE_OPT_VALUE, "N",
	  "Rows per table in the text output (default 20; 0 = all)" },
	{ RETE_POST_OPT_FILTER_PACKET, 'f', "filter-packet", RETE_OPT_VALUE, "EXPR",
	  RETE_POST_HELP_FILTER_PACKET },
	{ RETE_POST_OPT_FILTER_META, 'm', "filter-meta", RETE_OPT_VALUE, "EXPR",
	  RETE_POST_HELP_FILTER_META },
	{ RETE_POST_OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

#define NOPTS (sizeof(stats_opts) / sizeof(stats_opts[0]))

struct stats_args {
	struct rete_post_args post;
	bool json;
	size_t top;
};

static int stats_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
			 size_t errlen)
{
	struct stats_args *a = ctx;
	char *end;
	unsigned long n;
	int rc;

	switch (o->id) {
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_TOP:
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || !*v || *end || v[0] == '-') {
			snprintf(err, errlen, "--top expects a number of rows, got '%s'", v);
			return -EINVAL;
		}
		a->top = n;
		return 0;
	}
	rc = rete_post_opt(&a->post, o, v, err, errlen);
	return rc == -ENOENT ? -EINVAL : rc;
}

const struct rete_cmd rete_cmd_stats_desc = {
	.name = "stats",
	.summary = "Count what stored events hold: probes, drops, devices, time span",
	.synopsis = "[OPTIONS] [FILE...]",
	.description =
		"Summarize stored events: time span, events per probe, drop reason, device and\n"
		"network namespace, tracked packets, lost events.\n",
	.notes = RETE_POST_HELP_INPUTS,
	.examples = "  rete stats events.json\n"
		    "  rete stats --json cap.json.0.. | jq .probes\n"
		    "  rete stats -m 'dev.name == \"eth0\"' -f 'udp port 53' events.json\n",
	.opts = stats_opts,
	.nopts = NOPTS,
	.pos = RETE_CMD_POS_FILES,
	.run = rete_cmd_stats,
};

/* "2025-03-18 14:45:46.123456789 UTC" from a CLOCK_MONOTONIC timestamp and the offset. */
static bool utc_date(const struct rete_stats_summary *s, uint64_t ts, char *buf, size_t len)
{
	int64_t sec = (int64_t)(ts / (uint64_t)NSEC_PER_SEC) + s->offset_sec;
	int64_t nsec = (int64_t)(ts % (uint64_t)NSEC_PER_SEC) + s->offset_nsec;
	char date[32];
	struct tm tm;
	time_t t;

	if (!s->has_offset)
		return false;
	while (nsec >= NSEC_PER_SEC) {
		sec++;
		nsec -= NSEC_PER_SEC;
	}
	while (nsec < 0) {
		sec--;
		nsec += NSEC_PER_SEC;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm) || !strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm))
		return false;
	snprintf(buf, len, "%s.%09" PRId64 " UTC", date, nsec);
	return true;
}

static const char *const table_titles[RETE_STATS_TABLE_MAX] = {
	[RETE_STATS_PROBES] = "probe",
	[RETE_STATS_DROPS] = "drop reason",
	[RETE_STATS_DEVICES] = "device",
	[RETE_STATS_NETNS] = "netns",
	[RETE_STATS_LOST] = "probe (lost events)",
};

static const char *const table_keys[RETE_STATS_TABLE_MAX] = {
	[RETE_STATS_PROBES] = "probes",
	[RETE_STATS_DROPS] = "drop_reasons",
	[RETE_STATS_DEVICES] = "devices",
	[RETE_STATS_NETNS] = "netns",
	[RETE_STATS_LOST] = "lost_per_probe",
};

/* ---- text ------------------------------------------------------------------ */

static void row_label(enum rete_stats_table t, const struct rete_stats_row *r,
		      struct rete_strbuf *sb)
{
	rete_strbuf_reset(sb);
	switch (t) {
	case RETE_STATS_DEVICES:
		rete_strbuf_addf(sb, "%s (ifindex %" PRIu32, r->key, r->ifindex);
		if (r->has_inum)
			rete_strbuf_addf(sb, ", netns %" PRIu32, r->inum);
		rete_strbuf_addc(sb, ')');
		break;
	case RETE_STATS_NETNS:
		rete_strbuf_addf(sb, "%" PRIu32, r->inum);
		if (r->has_cookie)
			rete_strbuf_addf(sb, " (cookie 0x%" PRIx64 ")", r->cookie);
		break;
	default:
		rete_strbuf_adds(sb, r->key);
		break;
	}
}

static int text_table(const struct rete_stats *st, enum rete_stats_table t, uint64_t total,
		      size_t top, struct rete_strbuf *sb, FILE *f)
{
	struct rete_stats_row *rows;
	uint64_t other, rest = 0;
	size_t n;
	int rc;

	rc = rete_stats_rows(st, t, &rows, &n, &other);
	if (rc)
		return rc;
	if (n) {
		fprintf(f, "\nEvents per %s:\n", table_titles[t]);
		for (size_t i = 0; i < n; i++) {
			if (top && i >= top) {
				rest += rows[i].count;
				continue;
			}
			row_label(t, &rows[i], sb);
			if (total)
				fprintf(f, "  %10" PRIu64 " %5.1f%%  %s\n", rows[i].count,
					100.0 * (double)rows[i].count / (double)total,
					rete_strbuf_str(sb));
			else
				fprintf(f, "  %10" PRIu64 "  %s\n", rows[i].count,
					rete_strbuf_str(sb));
		}
		if (rest)
			fprintf(f, "  %10" PRIu64 "         (%zu more, see --top)\n", rest,
				n - top);
		if (other)
			fprintf(f, "  %10" PRIu64 "         (others, past %d distinct values)\n",
				other, RETE_STATS_KEYS_MAX);
	}
	free(rows);
	return 0;
}

static void text_ts(const char *label, const struct rete_stats_summary *s, uint64_t ts, FILE *f)
{
	char date[64];

	if (utc_date(s, ts, date, sizeof(date)))
		fprintf(f, "%-18s %" PRIu64 " (%s)\n", label, ts, date);
	else
		fprintf(f, "%-18s %" PRIu64 "\n", label, ts);
}

static int print_text(const struct rete_stats *st, size_t top, FILE *f)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	struct rete_stats_summary s;
	int rc = 0;

	rete_stats_summary(st, &s);
	fprintf(f, "%-18s %" PRIu64 "\n", "Events:", s.events);
	fprintf(f, "%-18s %" PRIu64 "%s%s%s\n", "Startup sections:", s.startups,
		s.version[0] ? " (version " : "", s.version,
		s.version[0] ? ")" : "");
	if (s.has_ts) {
		uint64_t d = s.last_ts - s.first_ts;

		text_ts("First event:", &s, s.first_ts, f);
		text_ts("Last event:", &s, s.last_ts, f);
		fprintf(f, "%-18s %" PRIu64 ".%09" PRIu64 " s\n", "Duration:",
			d / (uint64_t)NSEC_PER_SEC, d % (uint64_t)NSEC_PER_SEC);
	}
	fprintf(f, "%-18s %" PRIu64 "%s (in %" PRIu64 " tracked events, %" PRIu64
		   " untracked)\n",
		"Tracked packets:", s.packets, s.packets_estimated ? " (estimated)" : "",
		s.tracked, s.events - s.tracked);
	fprintf(f, "%-18s %" PRIu64 "\n", "With packet data:", s.with_packet);
	fprintf(f, "%-18s %" PRIu64 "\n", "Drops:", s.drops);
	if (s.lost_recorded)
		fprintf(f, "%-18s %" PRIu64 "\n", "Lost events:", s.lost);
	else
		fprintf(f, "%-18s not recorded in the file\n", "Lost events:");
	for (int t = 0; t < RETE_STATS_TABLE_MAX && !rc; t++) {
		uint64_t total = t == RETE_STATS_DROPS ? s.drops :
				 t == RETE_STATS_LOST  ? s.lost :
							 s.events;

		rc = text_table(st, t, total, top, &sb, f);
	}
	rete_strbuf_free(&sb);
	return rc;
}

/* ---- JSON ------------------------------------------------------------------- */


static int json_table(const struct rete_stats *st, enum rete_stats_table t,
		      struct rete_strbuf *sb)
{
	bool as_array = t == RETE_STATS_DEVICES || t == RETE_STATS_NETNS;
	struct rete_stats_row *rows;
	uint64_t other;
	size_t n;
	int rc;

	rc = rete_stats_rows(st, t, &rows, &n, &other);
	if (rc)
		return rc;
	rete_strbuf_addf(sb, ",\"%s\":%c", table_keys[t], as_array ? '[' : '{');
	for (size_t i = 0; i < n; i++) {
		const struct rete_stats_row *r = &rows[i];

		if (i)
			rete_strbuf_addc(sb, ',');
		if (t == RETE_STATS_DEVICES) {
			rete_strbuf_adds(sb, "{\"name\":");
			rete_json_add_str(sb, r->key);
			rete_strbuf_addf(sb, ",\"ifindex\":%" PRIu32, r->ifindex);
			if (r->has_inum)
				rete_strbuf_addf(sb, ",\"netns\":%" PRIu32, r->inum);
			rete_strbuf_addf(sb, ",\"events\":%" PRIu64 "}", r->count);
		} else if (t == RETE_STATS_NETNS) {
			rete_strbuf_addf(sb, "{\"inum\":%" PRIu32, r->inum);
			if (r->has_cookie)
				rete_strbuf_addf(sb, ",\"cookie\":%" PRIu64, r->cookie);
			rete_strbuf_addf(sb, ",\"events\":%" PRIu64 "}", r->count);
		} else {
			rete_json_add_str(sb, r->key);
			rete_strbuf_addf(sb, ":%" PRIu64, r->count);
		}
	}
	rete_strbuf_addc(sb, as_array ? ']' : '}');
	if (other)
		rete_strbuf_addf(sb, ",\"%s_other\":%" PRIu64, table_keys[t], other);
	free(rows);
	return sb->err;
}

static void json_ts(struct rete_strbuf *sb, const char *key, const struct rete_stats_summary *s,
		    uint64_t ts)
{
	char date[64];

	rete_strbuf_addf(sb, ",\"%s\":%" PRIu64, key, ts);
	if (utc_date(s, ts, date, sizeof(date))) {
		rete_strbuf_addf(sb, ",\"%s_utc\":", key);
		rete_json_add_str(sb, date);
	}
}

static int print_json(const struct rete_stats *st, FILE *f)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	struct rete_stats_summary s;
	int rc = 0;

	rete_stats_summary(st, &s);
	rete_strbuf_addf(&sb, "{\"events\":%" PRIu64 ",\"startup_sections\":%" PRIu64, s.events,
			 s.startups);
	if (s.version[0]) {
		rete_strbuf_adds(&sb, ",\"version\":");
		rete_json_add_str(&sb, s.version);
	}
	if (s.has_ts) {
		json_ts(&sb, "first_timestamp", &s, s.first_ts);
		json_ts(&sb, "last_timestamp", &s, s.last_ts);
		rete_strbuf_addf(&sb, ",\"duration_ns\":%" PRIu64, s.last_ts - s.first_ts);
	}
	rete_strbuf_addf(&sb,
			 ",\"tracked_packets\":%" PRIu64 ",\"tracked_packets_estimated\":%s"
			 ",\"tracked_events\":%" PRIu64 ",\"untracked_events\":%" PRIu64
			 ",\"events_with_packet\":%" PRIu64 ",\"drops\":%" PRIu64,
			 s.packets, s.packets_estimated ? "true" : "false", s.tracked,
			 s.events - s.tracked, s.with_packet, s.drops);
	if (s.lost_recorded)
		rete_strbuf_addf(&sb, ",\"lost\":%" PRIu64, s.lost);
	else
		rete_strbuf_adds(&sb, ",\"lost\":null");
	for (int t = 0; t < RETE_STATS_TABLE_MAX && !rc; t++)
		rc = json_table(st, t, &sb);
	if (!rc)
		rc = rete_strbuf_adds(&sb, "}\n");
	if (!rc)
		rc = rete_post_write(f, sb.buf, sb.len);
	rete_strbuf_free(&sb);
	return rc;
}

/* ---- command ------------------------------------------------------------------ */

int rete_cmd_stats(const struct rete_global *g, int argc, char **argv)
{
	struct stats_args a = { .top = 20 };
	struct rete_event ev = { 0 };
	struct rete_stats *st = NULL;
	struct rete_post_in in;
	bool read_failed = false;
	int code, rc;

	code = rete_post_parse(stats_opts, NOPTS, argc, argv, stats_handler, &a, &a.post);
	if (code != RETE_EXIT_OK || a.post.help) {
		if (code == RETE_EXIT_OK)
			rete_cmd_usage(stdout, &rete_cmd_stats_desc);
		rete_post_args_free(&a.post);
		return code;
	}
	code = rete_post_in_open(&in, &a.post);
	if (code != RETE_EXIT_OK)
		goto out_args;
	rc = rete_stats_new(&st);
	while (!rc) {
		rc = rete_post_in_next(&in, &ev);
		if (rc <= 0) {
			read_failed = rc < 0;
			rc = 0;
			break;
		}
		rc = rete_stats_add(st, &ev);
	}
	if (rc) {
		log_error("cannot count events: %s", strerror(-rc));
		code = RETE_EXIT_FAIL;
		goto out_in;
	}
	rete_post_stdout_init();
	rc = a.json ? print_json(st, stdout) : print_text(st, a.top, stdout);
	if (!rc && fflush(stdout))
		rc = -errno;
	if (rc && rc != -EPIPE)
		log_error("cannot write the output: %s", strerror(-rc));
	rete_post_in_report(&in);
	code = (rc && rc != -EPIPE) || read_failed || in.bad_lines ? RETE_EXIT_FAIL : RETE_EXIT_OK;
out_in:
	rete_stats_free(st);
	rete_event_free(&ev);
	rete_post_in_close(&in);
out_args:
	rete_post_args_free(&a.post);
	return code;
}
