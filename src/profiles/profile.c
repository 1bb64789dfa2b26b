/*
 * Profile files: YAML (libyaml's document API) into struct rete_profile, with
 * every error naming the file and line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "lib/parse.h"
#include "lib/suggest.h"
#include "profiles/profile.h"

/* Profiles are a few hundred bytes; refuse anything absurd. */
#define PROFILE_FILE_MAX (1u << 20)

static const char *const profile_commands[] = { "collect", "pcap" };

bool rete_profile_command_known(const char *command)
{
	for (size_t i = 0; i < sizeof(profile_commands) / sizeof(profile_commands[0]); i++)
		if (!strcmp(command, profile_commands[i]))
			return true;
	return false;
}

struct pctx {
	yaml_document_t *doc;
	const char *origin;
	char *err;
	size_t errlen;
};

static unsigned line_of(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

static int fail(const struct pctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(const struct pctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	int len = snprintf(c->err, c->errlen, "profile %s:%u: ", c->origin, line_of(n));
	va_list ap;

	if (len < 0 || (size_t)len >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + len, c->errlen - (size_t)len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* YAML null: ~, null, or nothing at all (plain style only: "~" quoted is a string). */
static bool is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (!strcmp(scalar(n), nulls[i]))
			return true;
	return false;
}

static const char *node_kind(const yaml_node_t *n)
{
	if (is_null(n))
		return "nothing (null)";
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a string";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/* A non-null scalar, or an error naming the key. */
static int want_string(const struct pctx *c, const yaml_node_t *n, const char *key,
		       const char **ret)
{
	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail(c, n, "'%s' must be a string, not %s", key, node_kind(n));
	*ret = scalar(n);
	return 0;
}

static int dup_string(const struct pctx *c, const yaml_node_t *n, const char *key, char **ret)
{
	const char *s = NULL;
	int rc = want_string(c, n, key, &s);

	if (rc)
		return rc;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

/*
 * Walk a mapping: checks that keys are unique strings from `valid` (or
 * names "unknown key ... did you mean"), and hands each pair to fn.
 */
typedef int (*pair_fn)(const struct pctx *c, void *obj, const char *key,
		       const yaml_node_t *knode, const yaml_node_t *val);

static int unknown_key(const struct pctx *c, const yaml_node_t *k, const char *where,
		       const char *const *valid, size_t nvalid)
{
	struct rete_suggest s;
	char list[160];
	size_t n = 0;

	rete_suggest_init(&s, scalar(k));
	list[0] = '\0';
	for (size_t i = 0; i < nvalid; i++) {
		rete_suggest_offer(&s, valid[i]);
		n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s",
				      i ? ", " : "", valid[i]);
	}
	if (s.best)
		return fail(c, k, "unknown key '%s' in %s (did you mean '%s'?)", scalar(k), where,
			    s.best);
	return fail(c, k, "unknown key '%s' in %s (expected %s)", scalar(k), where, list);
}

static int walk_mapping(const struct pctx *c, const yaml_node_t *map, const char *where,
			const char *const *valid, size_t nvalid, pair_fn fn, void *obj)
{
	const yaml_node_pair_t *pr, *q;

	if (map->type != YAML_MAPPING_NODE)
		return fail(c, map, "%s must be a mapping (key: value lines), not %s", where,
			    node_kind(map));
	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
		const yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
		size_t i;
		int rc;

		if (!k || !v)
			return fail(c, map, "malformed mapping in %s", where);
		if (k->type != YAML_SCALAR_NODE || is_null(k))
			return fail(c, k, "keys in %s must be strings, not %s", where,
				    node_kind(k));
		for (q = map->data.mapping.pairs.start; q < pr; q++) {
			const yaml_node_t *qk = yaml_document_get_node(c->doc, q->key);

			if (qk && qk->type == YAML_SCALAR_NODE && !strcmp(scalar(qk), scalar(k)))
				return fail(c, k, "key '%s' appears twice in %s (first on line %u)",
					    scalar(k), where, line_of(qk));
		}
		if (valid) {
			for (i = 0; i < nvalid; i++)
				if (!strcmp(scalar(k), valid[i]))
					break;
			if (i == nvalid)
				return unknown_key(c, k, where, valid, nvalid);
		}
		rc = fn(c, obj, scalar(k), k, v);
		if (rc)
			return rc;
	}
	return 0;
}

/* Conditions. */

struct cond_build {
	struct rete_profile_cond *cond;
	const yaml_node_t *type_node, *version_node, *name_node, *exists_node;
};

static int cond_pair(const struct pctx *c, void *obj, const char *key, const yaml_node_t *k,
		     const yaml_node_t *v)
{
	struct cond_build *b = obj;

	if (!strcmp(key, "type"))
		b->type_node = v;
	else if (!strcmp(key, "version"))
		b->version_node = v;
	else if (!strcmp(key, "name"))
		b->name_node = v;
	else
		b->exists_node = v;
	return 0;
}

static int parse_bool(const struct pctx *c, const yaml_node_t *n, const char *key, bool *ret)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	const char *s;
	int rc = want_string(c, n, key, &s);

	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return fail(c, n, "'%s' must be true or false, not '%s'", key, s);
}

static int parse_cond(const struct pctx *c, const yaml_node_t *n, struct rete_profile_cond *cond)
{
	static const char *const keys[] = { "type", "version", "name", "exists" };
	struct cond_build b = { .cond = cond };
	const char *type;
	char msg[200];
	int rc;

	cond->line = line_of(n);
	rc = walk_mapping(c, n, "a 'when' condition", keys, sizeof(keys) / sizeof(keys[0]),
			  cond_pair, &b);
	if (rc)
		return rc;
	if (!b.type_node)
		return fail(c, n, "condition without 'type' (version or symbol)");
	rc = want_string(c, b.type_node, "type", &type);
	if (rc)
		return rc;
	if (!strcmp(type, "version")) {
		cond->type = RETE_PROFILE_COND_VERSION;
		if (b.name_node || b.exists_node)
			return fail(c, b.name_node ? b.name_node : b.exists_node,
				    "'%s' does not belong to a version condition (it takes "
				    "'version')",
				    b.name_node ? "name" : "exists");
		if (!b.version_node)
			return fail(c, n, "version condition without 'version' (e.g. \">=5.10\")");
		rc = dup_string(c, b.version_node, "version", &cond->version);
		if (rc)
			return rc;
		if (rete_kver_req_parse(cond->version, &cond->req, msg, sizeof(msg)))
			return fail(c, b.version_node, "%s", msg);
		return 0;
	}
	if (!strcmp(type, "symbol")) {
		cond->type = RETE_PROFILE_COND_SYMBOL;
		cond->exists = true;
		if (b.version_node)
			return fail(c, b.version_node,
				    "'version' does not belong to a symbol condition (it takes "
				    "'name' and 'exists')");
		if (!b.name_node)
			return fail(c, n, "symbol condition without 'name'");
		rc = dup_string(c, b.name_node, "name", &cond->symbol);
		if (!rc && b.exists_node)
			rc = parse_bool(c, b.exists_node, "exists", &cond->exists);
		return rc;
	}
	{
		struct rete_suggest s;

		rete_suggest_init(&s, type);
		rete_suggest_offer(&s, "version");
		rete_suggest_offer(&s, "symbol");
		return fail(c, b.type_node, "unknown condition type '%s' (%s%s%s)", type,
			    s.best ? "did you mean '" : "expected version or symbol",
			    s.best ? s.best : "", s.best ? "'?" : "");
	}
}

/* Arguments. */

static bool valid_option_name(const char *s)
{
	if (!*s || *s == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

static int arg_pair(const struct pctx *c, void *obj, const char *key, const yaml_node_t *k,
		    const yaml_node_t *v)
{
	struct rete_profile_entry *e = obj;
	struct rete_profile_arg *a = &e->args[e->nargs];
	size_t len = strlen(key);

	if (!valid_option_name(key))
		return fail(c, k,
			    "invalid option name '%s' in args (write it without dashes, e.g. "
			    "'probe' or 'skb_sections')",
			    key);
	memset(a, 0, sizeof(*a));
	a->line = line_of(k);
	a->option = malloc(len + 3);
	if (!a->option)
		return -ENOMEM;
	e->nargs++;
	a->option[0] = a->option[1] = '-';
	for (size_t i = 0; i <= len; i++)
		a->option[i + 2] = key[i] == '_' ? '-' : key[i];

	if (is_null(v)) {
		a->flag = true;
		return 0;
	}
	if (v->type == YAML_SCALAR_NODE) {
		a->values = calloc(1, sizeof(*a->values));
		if (!a->values)
			return -ENOMEM;
		a->values[0] = strdup(scalar(v));
		if (!a->values[0])
			return -ENOMEM;
		a->nvalues = 1;
		return 0;
	}
	if (v->type == YAML_SEQUENCE_NODE) {
		const yaml_node_item_t *it;
		size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);

		a->values = calloc(n ? n : 1, sizeof(*a->values));
		if (!a->values)
			return -ENOMEM;
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			const yaml_node_t *item = yaml_document_get_node(c->doc, *it);

			if (!item)
				return fail(c, v, "malformed list for '%s'", key);
			if (item->type != YAML_SCALAR_NODE || is_null(item))
				return fail(c, item, "values of '%s' must be strings, not %s", key,
					    node_kind(item));
			a->values[a->nvalues] = strdup(scalar(item));
			if (!a->values[a->nvalues])
				return -ENOMEM;
			a->nvalues++;
		}
		return 0;
	}
	return fail(c, v, "value of '%s' must be a string, a list of strings or ~ (a flag), not %s",
		    key, node_kind(v));
}

static size_t map_size(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE ?
		       (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start) :
		       0;
}

static size_t seq_size(const yaml_node_t *n)
{
	return n->type == YAML_SEQUENCE_NODE ?
		       (size_t)(n->data.sequence.items.top - n->data.sequence.items.start) :
		       0;
}

/* Entries. */

static int entry_pair(const struct pctx *c, void *obj, const char *key, const yaml_node_t *k,
		      const yaml_node_t *v)
{
	struct rete_profile_entry *e = obj;
	const yaml_node_item_t *it;

	if (!strcmp(key, "name")) {
		free(e->name);
		e->name = NULL;
		e->named = true;
		return dup_string(c, v, "name", &e->name);
	}
	if (!strcmp(key, "when")) {
		if (is_null(v))
			return 0;
		if (v->type != YAML_SEQUENCE_NODE)
			return fail(c, v, "'when' must be a list of conditions, not %s",
				    node_kind(v));
		e->conds = calloc(seq_size(v) ? seq_size(v) : 1, sizeof(*e->conds));
		if (!e->conds)
			return -ENOMEM;
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			const yaml_node_t *item = yaml_document_get_node(c->doc, *it);
			int rc;

			if (!item)
				return fail(c, v, "malformed 'when' list");
			rc = parse_cond(c, item, &e->conds[e->nconds++]);
			if (rc)
				return rc;
		}
		return 0;
	}
	/* args */
	if (is_null(v))
		return 0;
	e->args = calloc(map_size(v) ? map_size(v) : 1, sizeof(*e->args));
	if (!e->args)
		return -ENOMEM;
	return walk_mapping(c, v, "'args'", NULL, 0, arg_pair, e);
}

static void entry_free(struct rete_profile_entry *e)
{
	for (size_t i = 0; i < e->nconds; i++) {
		free(e->conds[i].version);
		free(e->conds[i].symbol);
	}
	free(e->conds);
	for (size_t i = 0; i < e->nargs; i++) {
		for (size_t j = 0; j < e->args[i].nvalues; j++)
			free(e->args[i].values[j]);
		free(e->args[i].values);
		free(e->args[i].option);
	}
	free(e->args);
	free(e->name);
}

static int parse_section(const struct pctx *c, const char *command, const yaml_node_t *v,
			 struct rete_profile_section *sec)
{
	static const char *const keys[] = { "name", "when", "args" };
	const yaml_node_item_t *it;

	sec->command = strdup(command);
	if (!sec->command)
		return -ENOMEM;
	sec->line = line_of(v);
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(c, v,
			    "'%s' must be a list of entries (lines starting with '- '), not %s",
			    command, node_kind(v));
	sec->entries = calloc(seq_size(v) ? seq_size(v) : 1, sizeof(*sec->entries));
	if (!sec->entries)
		return -ENOMEM;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		struct rete_profile_entry *e = &sec->entries[sec->nentries++];
		char where[64];
		int rc;

		if (!item)
			return fail(c, v, "malformed '%s' list", command);
		e->line = line_of(item);
		e->name = strdup("Default");
		if (!e->name)
			return -ENOMEM;
		snprintf(where, sizeof(where), "a '%s' entry", command);
		rc = walk_mapping(c, item, where, keys, sizeof(keys) / sizeof(keys[0]), entry_pair,
				  e);
		if (rc)
			return rc;
	}
	return 0;
}

/* Top level. */

struct top_build {
	struct rete_profile *p;
	const yaml_node_t *version, *name;
};

static int parse_api_version(const struct pctx *c, const yaml_node_t *n, struct rete_profile *p)
{
	uint64_t major = 0, minor = 0;
	char num[8];
	size_t d1, d2;
	const char *s;
	int rc = want_string(c, n, "version", &s);

	if (rc)
		return rc;
	d1 = strspn(s, "0123456789");
	d2 = s[d1] == '.' ? strspn(s + d1 + 1, "0123456789") : 0;
	if (!d1 || d1 > 4 || !d2 || d2 > 4 || s[d1 + 1 + d2])
		return fail(c, n, "'version' must be MAJOR.MINOR (e.g. 1.0), not '%s'", s);
	snprintf(num, sizeof(num), "%.*s", (int)d1, s);
	rete_parse_u64(num, &major);
	snprintf(num, sizeof(num), "%s", s + d1 + 1);
	rete_parse_u64(num, &minor);
	if (major != RETE_PROFILE_API_MAJOR)
		return fail(c, n,
			    "profile version %s is not supported (rete reads version %d.x "
			    "profiles)",
			    s, RETE_PROFILE_API_MAJOR);
	p->api_major = (unsigned)major;
	p->api_minor = (unsigned)minor;
	return 0;
}

static int top_pair(const struct pctx *c, void *obj, const char *key, const yaml_node_t *k,
		    const yaml_node_t *v)
{
	struct top_build *b = obj;
	struct rete_profile *p = b->p;

	if (!strcmp(key, "version")) {
		b->version = v;
		return parse_api_version(c, v, p);
	}
	if (!strcmp(key, "name")) {
		b->name = v;
		return dup_string(c, v, "name", &p->name);
	}
	if (!strcmp(key, "about")) {
		if (is_null(v))
			return 0;
		return dup_string(c, v, "about", &p->about);
	}
	/* A command section: walk_mapping only lets known keys through. */
	return parse_section(c, key, v, &p->sections[p->nsections++]);
}

void rete_profile_free(struct rete_profile *p)
{
	for (size_t i = 0; i < p->nsections; i++) {
		for (size_t j = 0; j < p->sections[i].nentries; j++)
			entry_free(&p->sections[i].entries[j]);
		free(p->sections[i].entries);
		free(p->sections[i].command);
	}
	free(p->sections);
	free(p->name);
	free(p->about);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

static int parse_document(const struct pctx *c, const yaml_node_t *root, struct rete_profile *p)
{
	enum { NCMD = sizeof(profile_commands) / sizeof(profile_commands[0]) };
	const char *keys[3 + NCMD] = { "version", "name", "about" };
	struct top_build b = { .p = p };
	int rc;

	for (size_t i = 0; i < NCMD; i++)
		keys[3 + i] = profile_commands[i];
	p->line = line_of(root);
	p->path = strdup(c->origin);
	p->sections = calloc(map_size(root) ? map_size(root) : 1, sizeof(*p->sections));
	if (!p->path || !p->sections)
		return -ENOMEM;
	rc = walk_mapping(c, root, "a profile", keys, 3 + NCMD, top_pair, &b);
	if (rc)
		return rc;
	if (!b.version)
		return fail(c, root, "missing key 'version' (the profile format version, 1.0)");
	if (!b.name)
		return fail(c, root, "missing key 'name'");
	if (!p->name[0])
		return fail(c, b.name, "'name' is empty");
	return 0;
}

static int set_grow(struct rete_profile_set *set)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		struct rete_profile *np = realloc(set->profiles, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		set->profiles = np;
		set->cap = cap;
	}
	return 0;
}

static int yaml_error(const yaml_parser_t *parser, const char *origin, char *err, size_t errlen)
{
	const char *problem = parser->problem ? parser->problem : "invalid YAML";

	if (parser->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (parser->context)
		snprintf(err, errlen, "profile %s:%zu: %s (%s on line %zu)", origin,
			 parser->problem_mark.line + 1, problem, parser->context,
			 parser->context_mark.line + 1);
	else
		snprintf(err, errlen, "profile %s:%zu: %s", origin, parser->problem_mark.line + 1,
			 problem);
	return -EINVAL;
}

int rete_profile_parse_buf(const char *buf, size_t len, const char *origin,
			   struct rete_profile_set *set, char *err, size_t errlen)
{
	size_t first = set->n;
	yaml_parser_t parser;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		struct pctx c = { .origin = origin, .err = err, .errlen = errlen };
		yaml_document_t doc;
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			rc = yaml_error(&parser, origin, err, errlen);
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			/* End of the stream. */
			yaml_document_delete(&doc);
			break;
		}
		c.doc = &doc;
		if (is_null(root)) {
			/* An empty document between two '---'. */
			yaml_document_delete(&doc);
			continue;
		}
		rc = set_grow(set);
		if (!rc) {
			memset(&set->profiles[set->n], 0, sizeof(set->profiles[0]));
			set->n++;
			rc = parse_document(&c, root, &set->profiles[set->n - 1]);
		}
		yaml_document_delete(&doc);
		if (rc)
			break;
	}
	yaml_parser_delete(&parser);
	if (rc) {
		while (set->n > first)
			rete_profile_free(&set->profiles[--set->n]);
		if (!set->n)
			rete_profile_set_free(set);
		if (rc == -ENOMEM)
			snprintf(err, errlen, "profile %s: out of memory", origin);
	}
	return rc;
}

int rete_profile_parse_file(const char *path, struct rete_profile_set *set, char *err,
			    size_t errlen)
{
	char *buf;
	size_t len = 0;
	FILE *f = fopen(path, "re");
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "cannot open profile %s: %s", path, strerror(errno));
		return rc;
	}
	buf = malloc(PROFILE_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "profile %s: out of memory", path);
		return -ENOMEM;
	}
	len = fread(buf, 1, PROFILE_FILE_MAX + 1, f);
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "cannot read profile %s", path);
	} else if (len > PROFILE_FILE_MAX) {
		rc = -EFBIG;
		snprintf(err, errlen, "profile %s is larger than %u bytes", path, PROFILE_FILE_MAX);
	} else {
		rc = rete_profile_parse_buf(buf, len, path, set, err, errlen);
	}
	fclose(f);
	free(buf);
	return rc;
}

void rete_profile_set_free(struct rete_profile_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		rete_profile_free(&set->profiles[i]);
	free(set->profiles);
	memset(set, 0, sizeof(*set));
}

const struct rete_profile_section *rete_profile_section(const struct rete_profile *p,
							 const char *command)
{
	for (size_t i = 0; i < p->nsections; i++)
		if (!strcmp(p->sections[i].command, command))
			return &p->sections[i];
	return NULL;
}
