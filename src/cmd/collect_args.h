/*
 * rete collect's command line: the option table, the parsed arguments and
 * their checks (src/cmd/collect_args.c); the collection itself is
 * src/cmd/collect.c.
 */
#ifndef RETE_CMD_COLLECT_ARGS_H
#define RETE_CMD_COLLECT_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/collector.h"
#include "events/text.h"
#include "lib/term.h"

#define RETE_COLLECT_DEFAULT_OUT "rete.data"
#define RETE_COLLECT_MAX_PROBES 256

struct collect_args {
	bool named[RETE_COLLECTORS_MAX];	/* -c, by registry index */
	bool auto_coll;
	bool any_collector_arg;
	const char *probes[RETE_COLLECT_MAX_PROBES];
	size_t nprobes;
	const char *filter_packet;
	const char *filter_meta;
	bool filter_strict;
	const char *out;
	uint64_t out_rotate;
	uint32_t out_rotate_count;
	bool print;
	bool stack;
	bool probe_stack;
	const char *cmd;
	uint64_t stop_after;
	bool allow_system_changes;
	struct rete_text_opts text;
	struct rete_collector_opts coll_opts;	/* settings that belong to collectors */
	uint64_t buffer_size;
	enum rete_color_mode color;
	bool help;
};

/*
 * Parse collect's arguments (argv[0] is "collect") and check how they go
 * together. 0, or -EINVAL with one sentence in err (a usage error).
 */
int rete_collect_args_parse(int argc, char **argv, struct collect_args *a, char *err,
			    size_t errlen);

#endif
