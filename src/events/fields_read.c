/*
 * Field tables (fields.h), reading: a json-c object into the struct a table
 * describes. Same rules as the other sections' reader (json_sections.c):
 * required fields present, types and ranges right, unknown keys ignored (as
 * serde does), null is absent; the first problem is one sentence naming
 * the field by its path ("orig.ip.src").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "events/fields.h"
#include "events/json_priv.h"

#define AT(base, off, type) ((type *)((char *)(base) + (off)))

static const uint64_t int_max[] = {
	[RETE_FT_U8] = UINT8_MAX,
	[RETE_FT_U16] = UINT16_MAX,
	[RETE_FT_U32] = UINT32_MAX,
	[RETE_FT_U64] = UINT64_MAX,
};

static int read_members(struct rete_json_rd *r, struct json_object *o,
			const struct rete_fields *t, void *base, const char *path);

static int bad_type(struct rete_json_rd *r, const char *path, const char *key, const char *want,
		    struct json_object *v)
{
	return rete_json_fail(r, "field \"%s%s\" is not %s (got %s)", path, key, want,
			      rete_json_type_name(v));
}

static int read_uint(struct rete_json_rd *r, const char *path, const struct rete_field *f,
		     struct json_object *v, uint64_t *ret)
{
	uint64_t max = int_max[f->type];
	int64_t s;

	if (!json_object_is_type(v, json_type_int))
		return bad_type(r, path, f->name, "an integer", v);
	s = json_object_get_int64(v);
	if (s < 0)
		return rete_json_fail(r, "field \"%s%s\" is out of range (%lld, expected 0..%llu)",
				      path, f->name, (long long)s, (unsigned long long)max);
	*ret = json_object_get_uint64(v);
	if (*ret > max)
		return rete_json_fail(r, "field \"%s%s\" is out of range (%llu, expected 0..%llu)",
				      path, f->name, (unsigned long long)*ret,
				      (unsigned long long)max);
	return 0;
}

static int read_sint(struct rete_json_rd *r, const char *path, const struct rete_field *f,
		     struct json_object *v, int64_t *ret)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int))
		return bad_type(r, path, f->name, "an integer", v);
	*ret = json_object_get_int64(v);
	/* json-c keeps a value above INT64_MAX as a uint64 (read back clamped as int64). */
	u = json_object_get_uint64(v);
	if (*ret >= 0 && u > INT64_MAX)
		return rete_json_fail(r,
				      "field \"%s%s\" is out of range (%llu, expected %lld..%lld)",
				      path, f->name, (unsigned long long)u, (long long)INT64_MIN,
				      (long long)INT64_MAX);
	return 0;
}

static int read_name(struct rete_json_rd *r, const char *path, const struct rete_field *f,
		     const char *s, uint8_t *ret)
{
	for (size_t i = 0; i < f->nnames; i++) {
		if (!strcmp(s, f->names[i])) {
			*ret = (uint8_t)i;
			return 0;
		}
	}
	return rete_json_fail(r, "field \"%s%s\" has an unknown value \"%.40s\"", path, f->name,
			      s);
}

static int sub_path(struct rete_json_rd *r, char *buf, size_t len, const char *path,
		    const char *key)
{
	if ((size_t)snprintf(buf, len, "%s%s.", path, key) >= len)
		return rete_json_fail(r, "field \"%s%s\" is nested too deep", path, key);
	return 0;
}

static int read_value(struct rete_json_rd *r, struct json_object *v, const struct rete_field *f,
		      void *base, const char *path)
{
	char sub[128];
	uint64_t u = 0;
	int64_t i = 0;
	size_t n;
	const char *s;
	int rc;

	switch (f->type) {
	case RETE_FT_U8:
	case RETE_FT_U16:
	case RETE_FT_U32:
	case RETE_FT_U64:
		rc = read_uint(r, path, f, v, &u);
		if (rc)
			return rc;
		if (f->type == RETE_FT_U8)
			*AT(base, f->off, uint8_t) = (uint8_t)u;
		else if (f->type == RETE_FT_U16)
			*AT(base, f->off, uint16_t) = (uint16_t)u;
		else if (f->type == RETE_FT_U32)
			*AT(base, f->off, uint32_t) = (uint32_t)u;
		else
			*AT(base, f->off, uint64_t) = u;
		return 0;
	case RETE_FT_S64:
		rc = read_sint(r, path, f, v, &i);
		if (!rc)
			*AT(base, f->off, int64_t) = i;
		return rc;
	case RETE_FT_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return bad_type(r, path, f->name, "a boolean", v);
		*AT(base, f->off, bool) = json_object_get_boolean(v);
		return 0;
	case RETE_FT_STR:
	case RETE_FT_ENUM:
		if (!json_object_is_type(v, json_type_string))
			return bad_type(r, path, f->name, "a string", v);
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (memchr(s, '\0', n))
			return rete_json_fail(r, "field \"%s%s\" contains a NUL character", path,
					      f->name);
		if (f->type == RETE_FT_ENUM)
			return read_name(r, path, f, s, AT(base, f->off, uint8_t));
		if (n >= f->size)
			return rete_json_fail(r, "field \"%s%s\" is too long (%zu bytes, at most %u)",
					      path, f->name, n, f->size - 1u);
		memcpy(AT(base, f->off, char), s, n);
		AT(base, f->off, char)[n] = '\0';
		return 0;
	case RETE_FT_OBJ:
		if (!json_object_is_type(v, json_type_object))
			return bad_type(r, path, f->name, "an object", v);
		rc = sub_path(r, sub, sizeof(sub), path, f->name);
		return rc ? rc : read_members(r, v, f->sub, AT(base, f->off, char), sub);
	case RETE_FT_ONEOF: {
		struct json_object_iterator it, end;
		const char *key;
		uint8_t tag = 0;

		if (!json_object_is_type(v, json_type_object))
			return bad_type(r, path, f->name, "an object", v);
		if (json_object_object_length(v) != 1)
			return rete_json_fail(r, "field \"%s%s\" must have exactly one key", path,
					      f->name);
		it = json_object_iter_begin(v);
		end = json_object_iter_end(v);
		if (json_object_iter_equal(&it, &end))
			return rete_json_fail(r, "field \"%s%s\" is empty", path, f->name);
		key = json_object_iter_peek_name(&it);
		rc = read_name(r, path, f, key, &tag);
		if (rc)
			return rc;
		*AT(base, f->off, uint8_t) = tag;
		v = json_object_iter_peek_value(&it);
		if (!json_object_is_type(v, json_type_object))
			return bad_type(r, path, key, "an object", v);
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s.%s.", path, f->name, key) >=
		    sizeof(sub))
			return rete_json_fail(r, "field \"%s%s\" is nested too deep", path,
					      f->name);
		rc = 0;
		return rc ? rc : read_members(r, v, f->variants[tag], base, sub);
	}
	case RETE_FT_U128: {
		static const struct rete_field hl[] = {
			{ .name = "hi", .type = RETE_FT_U64, .off = 0 },
			{ .name = "lo", .type = RETE_FT_U64, .off = sizeof(uint64_t) },
		};
		static const struct rete_fields hilo = RETE_FIELDS("U128", NULL, hl);

		if (!json_object_is_type(v, json_type_object))
			return bad_type(r, path, f->name, "an object", v);
		rc = sub_path(r, sub, sizeof(sub), path, f->name);
		return rc ? rc : read_members(r, v, &hilo, AT(base, f->off, char), sub);
	}
	case RETE_FT_FLAT:
		break;
	}
	return rete_json_fail(r, "internal error: bad field type");
}

static int read_members(struct rete_json_rd *r, struct json_object *o,
			const struct rete_fields *t, void *base, const char *path)
{
	int rc;

	for (size_t i = 0; i < t->n; i++) {
		const struct rete_field *f = &t->f[i];
		struct json_object *v = NULL;

		if (f->type == RETE_FT_FLAT) {
			rc = read_members(r, o, f->sub, AT(base, f->off, char), path);
			if (rc)
				return rc;
			continue;
		}
		if ((!json_object_object_get_ex(o, f->name, &v) || !v) && f->alias)
			json_object_object_get_ex(o, f->alias, &v);
		if (!v) {
			if (f->flags & (RETE_FF_OPT | RETE_FF_SKIP_EMPTY))
				continue;
			return rete_json_fail(r, "field \"%s%s\" is missing", path, f->name);
		}
		rc = read_value(r, v, f, base, path);
		if (rc)
			return rc;
		if (f->flags & RETE_FF_OPT)
			*AT(base, f->has_off, bool) = true;
	}
	return 0;
}

int rete_fields_read(struct rete_json_rd *r, struct json_object *o, const struct rete_fields *t,
		     void *base, const char *path)
{
	if (!json_object_is_type(o, json_type_object))
		return rete_json_fail(r, "not an object (got %s)", rete_json_type_name(o));
	return read_members(r, o, t, base, path);
}
