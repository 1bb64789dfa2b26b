/* Table-driven command-line options: parsing, help, "did you mean". */
#ifndef RETE_LIB_OPTS_H
#define RETE_LIB_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum rete_opt_arg {
	RETE_OPT_FLAG,		/* no value */
	RETE_OPT_VALUE,		/* a value is required */
	RETE_OPT_OPTIONAL,	/* a value may follow (not starting with '-') */
};

struct rete_opt {
	int id;			/* passed to the handler */
	char short_name;	/* 0 when none */
	const char *long_name;	/* NULL when none */
	enum rete_opt_arg arg;
	const char *metavar;	/* "FILE", "LIST", ... */
	const char *help;	/* one or more lines */
};

/*
 * Called for every option; `value` is NULL for flags and for optional values
 * not given. Returns 0 or -EINVAL with a sentence in err.
 */
typedef int (*rete_opt_handler)(void *ctx, const struct rete_opt *opt, const char *value,
				char *err, size_t errlen);

/*
 * Parse argv[0..argc) (argv[0] is the first option, not the program name)
 * until the first non-option when stop_at_positional, else collect
 * positionals into ret_pos (up to maxpos). Returns the number of arguments
 * consumed, or -EINVAL with a sentence in err.
 */
int rete_opts_parse(const struct rete_opt *opts, size_t nopts, int argc, char **argv,
		    bool stop_at_positional, rete_opt_handler handler, void *ctx,
		    const char **ret_pos, size_t maxpos, size_t *ret_npos, char *err,
		    size_t errlen);

/* Print an "Options:" block for the table. */
void rete_opts_help(FILE *f, const struct rete_opt *opts, size_t nopts);

#endif
