/*
 * What the post-processing commands (print, sort, stats) share: input files
 * and filter options, reading with bad lines reported once each, the text
 * layout of series, and stdout handling (a closed pipe ends the command
 * quietly).
 */
#ifndef RETE_CMD_POSTPROC_H
#define RETE_CMD_POSTPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "events/event.h"
#include "events/reader.h"
#include "events/text.h"
#include "lib/opts.h"
#include "lib/strbuf.h"
#include "lib/term.h"
#include "process/evfilter.h"

/* Default input: rete.data, else the rotated rete.data.0.. when rete.data is missing. */
#define RETE_POST_DEFAULT_FILE "rete.data"

/* Option ids shared by the commands' tables; command-specific ids start at RETE_POST_OPT_MAX. */
enum rete_post_opt {
	RETE_POST_OPT_UTC,
	RETE_POST_OPT_FORMAT,
	RETE_POST_OPT_LINK_LAYER,
	RETE_POST_OPT_FILTER_PACKET,
	RETE_POST_OPT_FILTER_META,
	RETE_POST_OPT_HELP,
	RETE_POST_OPT_COLOR,
	RETE_POST_OPT_NO_PAGER,
	RETE_POST_OPT_MAX,
};

/* Help texts of the shared options, for the commands' tables. */
#define RETE_POST_HELP_FILTER_PACKET \
	"Keep events whose packet matches this pcap-filter expression\n" \
	"(e.g. 'tcp port 80'); events without packet data never match"
#define RETE_POST_HELP_FILTER_META \
	"Keep events matching SECTION.FIELD OP VALUE tests joined by and/or/not\n" \
	"(e.g. 'skb-drop.drop_reason == \"NO_SOCKET\" and dev.name == \"eth0\"')"

#define RETE_POST_HELP_COLOR \
	"Color drops, tracking ids and probes: auto (default: when standard\n" \
	"output is a terminal and NO_COLOR is unset), always or never"
#define RETE_POST_HELP_NO_PAGER \
	"Do not page the output (by default it goes through $PAGER, or\n" \
	RETE_PAGER_DEFAULT ", when standard output is a terminal)"

/* "FILE.N.." and "-" in --help texts and man pages, shared wording. */
#define RETE_POST_HELP_INPUTS \
	"FILE: an event file ('-' for standard input), or FILE.N.. to read the rotated\n" \
	"files FILE.N, FILE.N+1, ... until one is missing. Several may be given, read in\n" \
	"order. Default: " RETE_POST_DEFAULT_FILE ", or " RETE_POST_DEFAULT_FILE \
	".0.. when only rotated files exist.\n" \
	"Sorted files (rete sort -o) are read too.\n"

struct rete_post_args {
	struct rete_text_opts text;	/* text.color: --color resolved for stdout */
	enum rete_color_mode color;	/* --color */
	bool no_pager;			/* --no-pager */
	struct rete_pager pager;
	const char *filter_packet;	/* -f */
	const char *filter_meta;	/* -m */
	bool help;
	const char **files;		/* positional arguments */
	size_t nfiles;
};

/*
 * Handle a shared option. 0, -EINVAL with a sentence in err, or -ENOENT
 * when the option is not a shared one (the command handles it).
 */
int rete_post_opt(struct rete_post_args *a, const struct rete_opt *o, const char *value,
		  char *err, size_t errlen);

/*
 * Parse argv (argv[0] is the command name) with a command's table; files
 * go to a->files (freed by rete_post_args_free). Logs the error; returns
 * an exit code (RETE_EXIT_OK to go on).
 */
int rete_post_parse(const struct rete_opt *opts, size_t nopts, int argc, char **argv,
		    rete_opt_handler handler, void *ctx, struct rete_post_args *a);
void rete_post_args_free(struct rete_post_args *a);


struct rete_post_in {
	struct rete_reader *reader;
	struct rete_evfilter *filter;
	bool filtered;			/* -f or -m given */
	size_t bad_lines;
};

/*
 * Open the inputs (the default file when none is given) and compile the
 * filters. Logs the error; returns an exit code.
 */
int rete_post_in_open(struct rete_post_in *in, const struct rete_post_args *a);
/*
 * Next event that passes the filters: 1, 0 at the end, -errno on a fatal
 * error (logged). Malformed lines and notes are logged and skipped.
 */
int rete_post_in_next(struct rete_post_in *in, struct rete_event *ev);
/* Log how many events the filters kept (when there are filters). */
void rete_post_in_report(const struct rete_post_in *in);
void rete_post_in_close(struct rete_post_in *in);

/*
 * stdout for data: a large buffer, and SIGPIPE ignored so that a reader
 * going away (| head) shows up as -EPIPE, which the commands take as "stop
 * quietly".
 */
void rete_post_stdout_init(void);
/*
 * Page stdout when it is a terminal and --no-pager was not given (a pager
 * that cannot start is a warning); rete_post_pager_end() waits for it.
 */
void rete_post_pager_start(struct rete_post_args *a);
void rete_post_pager_end(struct rete_post_args *a);
/* Write bytes; 0 or -errno (-EPIPE when the reader went away). */
int rete_post_write(FILE *f, const char *buf, size_t len);

/*
 * Render one event as text for a series: indent 0 for the first event of a
 * series, 1 for the following ones ("↳"); the mono offset of startup events
 * is remembered in opts for --utc. Appends the text and its newline.
 */
int rete_post_text_event(struct rete_text_opts *opts, const struct rete_event *ev,
			 unsigned indent, struct rete_strbuf *out);

/* Create FILE for JSON output (mode 0600, truncated, large buffer); NULL with errno. */
FILE *rete_post_create(const char *path);

#endif
