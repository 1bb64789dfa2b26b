#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/opts.h"
#include "lib/suggest.h"

static const struct rete_opt *find_long(const struct rete_opt *opts, size_t n, const char *name,
					 size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (opts[i].long_name && strlen(opts[i].long_name) == len &&
		    !strncmp(opts[i].long_name, name, len))
			return &opts[i];
	return NULL;
}

static const struct rete_opt *find_short(const struct rete_opt *opts, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (opts[i].short_name == c)
			return &opts[i];
	return NULL;
}

static int unknown_long(const struct rete_opt *opts, size_t n, const char *arg, size_t len,
			char *err, size_t errlen)
{
	char name[64];
	struct rete_suggest s;

	snprintf(name, sizeof(name), "%.*s", (int)(len < 60 ? len : 60), arg);
	rete_suggest_init(&s, name);
	for (size_t i = 0; i < n; i++)
		if (opts[i].long_name)
			rete_suggest_offer(&s, opts[i].long_name);
	if (s.best)
		snprintf(err, errlen, "unknown option '--%s' (did you mean '--%s'?)", name, s.best);
	else
		snprintf(err, errlen, "unknown option '--%s' (see --help)", name);
	return -EINVAL;
}

int rete_opts_parse(const struct rete_opt *opts, size_t nopts, int argc, char **argv,
		    bool stop_at_positional, rete_opt_handler handler, void *ctx,
		    const char **ret_pos, size_t maxpos, size_t *ret_npos, char *err,
		    size_t errlen)
{
	size_t npos = 0;
	int i, rc;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		const struct rete_opt *o;
		char oname[80];

		if (!strcmp(a, "--")) {
			i++;
			for (; i < argc; i++) {
				if (stop_at_positional)
					break;
				if (npos >= maxpos) {
					snprintf(err, errlen, "unexpected argument '%s'", argv[i]);
					return -EINVAL;
				}
				ret_pos[npos++] = argv[i];
			}
			break;
		}
		if (a[0] != '-' || !a[1]) {
			if (stop_at_positional)
				break;
			if (npos >= maxpos) {
				snprintf(err, errlen, "unexpected argument '%s'", a);
				return -EINVAL;
			}
			ret_pos[npos++] = a;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = find_long(opts, nopts, name, len);
			if (!o)
				return unknown_long(opts, nopts, name, len, err, errlen);
			snprintf(oname, sizeof(oname), "--%s", o->long_name);
			if (eq) {
				if (o->arg == RETE_OPT_FLAG) {
					snprintf(err, errlen, "option '%s' takes no value", oname);
					return -EINVAL;
				}
				value = eq + 1;
			}
		} else {
			o = find_short(opts, nopts, a[1]);
			if (!o) {
				snprintf(err, errlen, "unknown option '-%c' (see --help)", a[1]);
				return -EINVAL;
			}
			snprintf(oname, sizeof(oname), "-%c", o->short_name);
			if (a[2]) {
				if (o->arg == RETE_OPT_FLAG) {
					snprintf(err, errlen, "option '%s' takes no value (got '%s')",
						 oname, a);
					return -EINVAL;
				}
				value = a + 2;
			}
		}
		if (!value && o->arg == RETE_OPT_VALUE) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "option '%s' needs a value (%s)", oname,
					 o->metavar ? o->metavar : "VALUE");
				return -EINVAL;
			}
			value = argv[++i];
		} else if (!value && o->arg == RETE_OPT_OPTIONAL && i + 1 < argc &&
			   argv[i + 1][0] != '-') {
			value = argv[++i];
		}
		rc = handler(ctx, o, value, err, errlen);
		if (rc)
			return rc;
	}
	if (ret_npos)
		*ret_npos = npos;
	return i;
}

void rete_opts_help(FILE *f, const struct rete_opt *opts, size_t nopts)
{
	fputs("Options:\n", f);
	for (size_t i = 0; i < nopts; i++) {
		const struct rete_opt *o = &opts[i];
		char left[80];
		const char *h, *nl;
		int n = 0;

		if (o->short_name)
			n += snprintf(left + n, sizeof(left) - (size_t)n, "-%c%s", o->short_name,
				      o->long_name ? ", " : "");
		else
			n += snprintf(left + n, sizeof(left) - (size_t)n, "    ");
		if (o->long_name)
			n += snprintf(left + n, sizeof(left) - (size_t)n, "--%s", o->long_name);
		if (o->arg == RETE_OPT_VALUE && n < (int)sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " <%s>", o->metavar);
		else if (o->arg == RETE_OPT_OPTIONAL && n < (int)sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " [<%s>]", o->metavar);
		fprintf(f, "  %-30s ", left);
		if (strlen(left) > 30)
			fprintf(f, "\n  %-30s ", "");
		for (h = o->help; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(f, "%.*s\n  %-30s ", (int)(nl - h), h, "");
		fprintf(f, "%s\n", h);
	}
}
