/* Field tables (fields.h): size bound, writer, schema, lookups. */
#include <errno.h>
#include <string.h>

#include "events/fields.h"
#include "events/json.h"
#include "events/json_emit.h"

#define AT(base, off, type) ((const type *)((const char *)(base) + (off)))

static bool present(const struct rete_field *f, const void *base)
{
	if (f->flags & RETE_FF_SKIP_EMPTY)
		return *AT(base, f->off, char) != '\0';
	return !(f->flags & RETE_FF_OPT) || *AT(base, f->has_off, bool);
}

/* ---- size bound ---- */

static size_t members_bound(const struct rete_fields *t);

static size_t names_max(const struct rete_field *f)
{
	size_t m = 0;

	for (size_t i = 0; i < f->nnames; i++)
		if (strlen(f->names[i]) > m)
			m = strlen(f->names[i]);
	return m;
}

static size_t value_bound(const struct rete_field *f)
{
	size_t m = 0;

	switch (f->type) {
	case RETE_FT_U8:
	case RETE_FT_U16:
	case RETE_FT_U32:
	case RETE_FT_U64:
	case RETE_FT_S64:
		return 20;
	case RETE_FT_BOOL:
		return 5;
	case RETE_FT_STR:
		return str_max(f->size ? f->size - 1u : 0);
	case RETE_FT_ENUM:
		return str_max(names_max(f));
	case RETE_FT_OBJ:
		return 2 + members_bound(f->sub);
	case RETE_FT_FLAT:
		return members_bound(f->sub);
	case RETE_FT_ONEOF:
		for (size_t i = 0; i < f->nnames; i++)
			if (members_bound(f->variants[i]) > m)
				m = members_bound(f->variants[i]);
		/* {"name":{...}} */
		return 5 + str_max(names_max(f)) + m;
	case RETE_FT_U128:
		return sizeof("{\"hi\":,\"lo\":}") + 40;
	}
	return 0;
}

static size_t members_bound(const struct rete_fields *t)
{
	size_t b = 0;

	for (size_t i = 0; i < t->n; i++)
		b += strlen(t->f[i].name) + 4 + value_bound(&t->f[i]);	/* ,"name": */
	return b;
}

size_t rete_fields_bound(const struct rete_fields *t)
{
	return 2 + members_bound(t);
}

/* ---- writer ---- */

static char *write_members(char *p, const struct rete_fields *t, const void *base, bool *first);

/* "key": (keys are plain ASCII names of the tables, nothing to escape). */
static inline char *write_key(char *p, const char *key)
{
	size_t n = strlen(key);

	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	return p;
}

static char *write_obj(char *p, const struct rete_fields *t, const void *base)
{
	bool first = true;

	p = w_c(p, '{');
	p = write_members(p, t, base, &first);
	return w_c(p, '}');
}

static char *write_value(char *p, const struct rete_field *f, const void *base)
{
	uint8_t tag;

	switch (f->type) {
	case RETE_FT_U8:
		return w_u64(p, *AT(base, f->off, uint8_t));
	case RETE_FT_U16:
		return w_u64(p, *AT(base, f->off, uint16_t));
	case RETE_FT_U32:
		return w_u64(p, *AT(base, f->off, uint32_t));
	case RETE_FT_U64:
		return w_u64(p, *AT(base, f->off, uint64_t));
	case RETE_FT_S64:
		return w_i64(p, *AT(base, f->off, int64_t));
	case RETE_FT_BOOL:
		return w_bool(p, *AT(base, f->off, bool));
	case RETE_FT_STR:
		return w_arr(p, AT(base, f->off, char), f->size);
	case RETE_FT_ENUM:
		tag = *AT(base, f->off, uint8_t);
		return tag < f->nnames ? w_str(p, f->names[tag], strlen(f->names[tag]))
				       : w_lit(p, "null");
	case RETE_FT_OBJ:
		return write_obj(p, f->sub, AT(base, f->off, char));
	case RETE_FT_ONEOF:
		tag = *AT(base, f->off, uint8_t);
		if (tag >= f->nnames)
			return w_lit(p, "{}");
		p = w_c(p, '{');
		p = write_key(p, f->names[tag]);
		p = write_obj(p, f->variants[tag], base);
		return w_c(p, '}');
	case RETE_FT_U128:
		p = w_lit(p, "{\"hi\":");
		p = w_u64(p, AT(base, f->off, uint64_t)[0]);
		p = w_lit(p, ",\"lo\":");
		p = w_u64(p, AT(base, f->off, uint64_t)[1]);
		return w_c(p, '}');
	case RETE_FT_FLAT:
		break;
	}
	return w_lit(p, "null");
}

static char *write_members(char *p, const struct rete_fields *t, const void *base, bool *first)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct rete_field *f = &t->f[i];

		if (!present(f, base))
			continue;
		if (f->type == RETE_FT_FLAT) {
			p = write_members(p, f->sub, AT(base, f->off, char), first);
			continue;
		}
		if (!*first)
			p = w_c(p, ',');
		*first = false;
		p = write_key(p, f->name);
		p = write_value(p, f, base);
	}
	return p;
}

char *rete_fields_write(char *p, const struct rete_fields *t, const void *base)
{
	return write_obj(p, t, base);
}

/* ---- schema ---- */


static void add_ref(struct rete_strbuf *out, const char *def, bool opt)
{
	if (opt)
		rete_strbuf_adds(out, "\"anyOf\":[{");
	rete_strbuf_adds(out, "\"$ref\":\"#/$defs/");
	rete_strbuf_adds(out, def);
	rete_strbuf_addc(out, '"');
	if (opt)
		rete_strbuf_adds(out, "},{\"type\":\"null\"}]");
}

static const struct {
	const char *format;
	const char *max;
} int_types[] = {
	[RETE_FT_U8] = { "uint8", "255" },
	[RETE_FT_U16] = { "uint16", "65535" },
	[RETE_FT_U32] = { "uint32", NULL },
	[RETE_FT_U64] = { "uint64", NULL },
};

static void schema_value(const struct rete_field *f, struct rete_strbuf *out)
{
	bool opt = (f->flags & (RETE_FF_OPT | RETE_FF_SKIP_EMPTY)) &&
		   !(f->flags & RETE_FF_SCHEMA_REQ);

	switch (f->type) {
	case RETE_FT_U8:
	case RETE_FT_U16:
	case RETE_FT_U32:
	case RETE_FT_U64:
		rete_strbuf_adds(out, opt ? "\"type\":[\"integer\",\"null\"]" : "\"type\":\"integer\"");
		rete_strbuf_addf(out, ",\"format\":\"%s\",\"minimum\":0", int_types[f->type].format);
		if (int_types[f->type].max)
			rete_strbuf_addf(out, ",\"maximum\":%s", int_types[f->type].max);
		return;
	case RETE_FT_S64:
		rete_strbuf_adds(out, opt ? "\"type\":[\"integer\",\"null\"]" : "\"type\":\"integer\"");
		rete_strbuf_adds(out, ",\"format\":\"int64\"");
		return;
	case RETE_FT_BOOL:
		rete_strbuf_adds(out, opt ? "\"type\":[\"boolean\",\"null\"]" : "\"type\":\"boolean\"");
		return;
	case RETE_FT_STR:
		rete_strbuf_adds(out, opt ? "\"type\":[\"string\",\"null\"]" : "\"type\":\"string\"");
		return;
	case RETE_FT_ENUM:
		rete_strbuf_adds(out, opt ? "\"type\":[\"string\",\"null\"]" : "\"type\":\"string\"");
		rete_strbuf_adds(out, ",\"enum\":[");
		for (size_t i = 0; i < f->nnames; i++) {
			if (i)
				rete_strbuf_addc(out, ',');
			rete_json_add_str(out, f->names[i]);
		}
		rete_strbuf_adds(out, opt ? ",null]" : "]");
		return;
	case RETE_FT_OBJ:
		add_ref(out, f->sub->def, opt);
		return;
	case RETE_FT_U128:
		add_ref(out, "U128", opt);
		return;
	case RETE_FT_ONEOF:
		rete_strbuf_adds(out, "\"oneOf\":[");
		for (size_t i = 0; i < f->nnames; i++) {
			if (i)
				rete_strbuf_addc(out, ',');
			rete_strbuf_adds(out, "{\"type\":\"object\",\"properties\":{");
			rete_json_add_str(out, f->names[i]);
			rete_strbuf_addc(out, ':');
			rete_strbuf_addc(out, '{');
			add_ref(out, f->variants[i]->def, false);
			rete_strbuf_adds(out, "}},\"required\":[");
			rete_json_add_str(out, f->names[i]);
			rete_strbuf_adds(out, "],\"additionalProperties\":false}");
		}
		rete_strbuf_addc(out, ']');
		return;
	case RETE_FT_FLAT:
		return;
	}
}

static void schema_props(const struct rete_fields *t, struct rete_strbuf *out, bool *first)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct rete_field *f = &t->f[i];

		if (f->type == RETE_FT_FLAT) {
			schema_props(f->sub, out, first);
			continue;
		}
		if (!*first)
			rete_strbuf_addc(out, ',');
		*first = false;
		rete_json_add_str(out, f->name);
		rete_strbuf_addc(out, ':');
		rete_strbuf_addc(out, '{');
		if (f->doc) {
			rete_strbuf_adds(out, "\"description\":");
			rete_json_add_str(out, f->doc);
			rete_strbuf_addc(out, ',');
		}
		schema_value(f, out);
		rete_strbuf_addc(out, '}');
	}
}

static void schema_required(const struct rete_fields *t, struct rete_strbuf *out, bool *first)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct rete_field *f = &t->f[i];

		if (f->type == RETE_FT_FLAT) {
			schema_required(f->sub, out, first);
			continue;
		}
		if ((f->flags & (RETE_FF_OPT | RETE_FF_SKIP_EMPTY)) &&
		    !(f->flags & RETE_FF_SCHEMA_REQ))
			continue;
		if (!*first)
			rete_strbuf_addc(out, ',');
		*first = false;
		rete_json_add_str(out, f->name);
	}
}

static bool seen_add(const char *def, const char **seen, size_t *nseen, size_t maxseen)
{
	for (size_t i = 0; i < *nseen; i++)
		if (!strcmp(seen[i], def))
			return false;
	if (*nseen < maxseen)
		seen[(*nseen)++] = def;
	return true;
}

static void open_def(struct rete_strbuf *out, bool *first, const char *def)
{
	if (!*first)
		rete_strbuf_addc(out, ',');
	*first = false;
	rete_json_add_str(out, def);
	rete_strbuf_addc(out, ':');
}

static const char u128_def[] =
	"{\"description\":\"A 128-bit value.\",\"type\":\"object\",\"properties\":{"
	"\"hi\":{\"type\":\"integer\",\"format\":\"uint64\",\"minimum\":0},"
	"\"lo\":{\"type\":\"integer\",\"format\":\"uint64\",\"minimum\":0}},"
	"\"required\":[\"hi\",\"lo\"]}";

/* Definitions of the tables t's fields refer to (a flattened table has none of its own). */
static void defs_below(const struct rete_fields *t, struct rete_strbuf *out, bool *first,
		       const char **seen, size_t *nseen, size_t maxseen)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct rete_field *f = &t->f[i];

		switch (f->type) {
		case RETE_FT_OBJ:
			rete_fields_schema_defs(f->sub, out, first, seen, nseen, maxseen);
			break;
		case RETE_FT_FLAT:
			defs_below(f->sub, out, first, seen, nseen, maxseen);
			break;
		case RETE_FT_ONEOF:
			for (size_t k = 0; k < f->nnames; k++)
				rete_fields_schema_defs(f->variants[k], out, first, seen, nseen,
							maxseen);
			break;
		case RETE_FT_U128:
			if (seen_add("U128", seen, nseen, maxseen)) {
				open_def(out, first, "U128");
				rete_strbuf_adds(out, u128_def);
			}
			break;
		default:
			break;
		}
	}
}

int rete_fields_schema_defs(const struct rete_fields *t, struct rete_strbuf *out, bool *first,
			    const char **seen, size_t *nseen, size_t maxseen)
{
	bool f1 = true;

	if (!seen_add(t->def, seen, nseen, maxseen))
		return out->err;
	open_def(out, first, t->def);
	rete_strbuf_adds(out, "{");
	if (t->doc) {
		rete_strbuf_adds(out, "\"description\":");
		rete_json_add_str(out, t->doc);
		rete_strbuf_addc(out, ',');
	}
	rete_strbuf_adds(out, "\"type\":\"object\",\"properties\":{");
	schema_props(t, out, &f1);
	rete_strbuf_adds(out, "},\"required\":[");
	f1 = true;
	schema_required(t, out, &f1);
	rete_strbuf_adds(out, "]}");
	defs_below(t, out, first, seen, nseen, maxseen);
	return out->err;
}

/* ---- lookups ---- */

const struct rete_field *rete_fields_find(const struct rete_fields *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct rete_field *f = &t->f[i], *g;

		if (f->type == RETE_FT_FLAT) {
			g = rete_fields_find(f->sub, key);
			if (g)
				return g;
			continue;
		}
		if (!strcmp(f->name, key))
			return f;
	}
	return NULL;
}

const struct rete_fields *rete_field_variant(const struct rete_field *f, const char *key)
{
	if (f->type != RETE_FT_ONEOF)
		return NULL;
	for (size_t i = 0; i < f->nnames; i++)
		if (!strcmp(f->names[i], key))
			return f->variants[i];
	return NULL;
}

void rete_fields_keys(const struct rete_fields *t, void (*fn)(const char *key, void *arg),
		      void *arg)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->f[i].type == RETE_FT_FLAT)
			rete_fields_keys(t->f[i].sub, fn, arg);
		else
			fn(t->f[i].name, arg);
	}
}
