/*
 * Kernel version requirements of profile conditions (`type: version`), with
 * Retis's semantics: a comparator only compares the parts it names, so
 * "=6.2" holds for 6.2.14 and ">6.2" does not.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/parse.h"
#include "profiles/profile.h"

static const struct {
	const char *tok;
	enum rete_kver_op op;
} ops[] = {
	/* Two-character operators first. */
	{ "!=", RETE_KVER_NE }, { ">=", RETE_KVER_GE }, { "<=", RETE_KVER_LE },
	{ "==", RETE_KVER_EQ }, { "=", RETE_KVER_EQ },	{ ">", RETE_KVER_GT },
	{ "<", RETE_KVER_LT },
};

/* Decimal number at *p (advanced past it); -EINVAL when there is none or it is too big. */
static int number(const char **p, unsigned *ret)
{
	char buf[16];
	size_t n = 0;
	uint64_t v;

	while (isdigit((unsigned char)(*p)[n]) && n < sizeof(buf) - 1) {
		buf[n] = (*p)[n];
		n++;
	}
	if (!n || isdigit((unsigned char)(*p)[n]))
		return -EINVAL;
	buf[n] = '\0';
	if (rete_parse_u64(buf, &v) || v > 0xffffffffULL)
		return -EINVAL;
	*p += n;
	*ret = (unsigned)v;
	return 0;
}

int rete_kver_parse_release(const char *release, struct rete_kver *ret)
{
	struct rete_kver v = { 0 };
	const char *p = release, *end;

	if (number(&p, &v.major) || *p++ != '.' || number(&p, &v.minor))
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (number(&p, &v.patch))
			return -EINVAL;
	}
	while (*p == '+')
		p++;
	/* The build number is the first all-digit '-' field before the next '.'. */
	end = p + strcspn(p, ".");
	while (p < end) {
		size_t len;
		unsigned b;

		if (*p == '-')
			p++;
		len = strcspn(p, "-.");
		if (p + len > end)
			len = (size_t)(end - p);
		if (len && strspn(p, "0123456789") == len && len < 10) {
			const char *f = p;

			if (!number(&f, &b)) {
				v.build = b;
				v.has_build = true;
				break;
			}
		}
		p += len;
	}
	*ret = v;
	return 0;
}

static int cmp_parse(const char **pp, const char *whole, struct rete_kver_cmp *ret, char *err,
		     size_t errlen)
{
	struct rete_kver_cmp c = { 0 };
	const char *p = *pp;
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(p, ops[i].tok, strlen(ops[i].tok)))
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		snprintf(err, errlen,
			 "invalid kernel version requirement '%s': expected an operator (=, !=, "
			 ">, >=, <, <=) at '%s'",
			 whole, p);
		return -EINVAL;
	}
	c.op = ops[i].op;
	p += strlen(ops[i].tok);
	while (*p == ' ' || *p == '\t')
		p++;
	if (number(&p, &c.v.major))
		goto out_bad;
	c.nparts = 1;
	/* "6.2.*" is "6.2": the parts not given are not compared. */
	if (*p == '.' && p[1] != '*') {
		p++;
		if (number(&p, &c.v.minor))
			goto out_bad;
		c.nparts = 2;
		if (*p == '.' && p[1] != '*') {
			p++;
			if (number(&p, &c.v.patch))
				goto out_bad;
			c.nparts = 3;
		}
	}
	if (*p == '.' && p[1] == '*')
		p++;
	if (*p == '-') {
		p++;
		if (number(&p, &c.v.build))
			goto out_bad;
		c.v.has_build = true;
	}
	while (*p == '*')
		p++;
	*pp = p;
	*ret = c;
	return 0;
out_bad:
	snprintf(err, errlen,
		 "invalid kernel version requirement '%s': expected a version "
		 "(MAJOR[.MINOR[.PATCH]][-BUILD]) at '%s'",
		 whole, p);
	return -EINVAL;
}

int rete_kver_req_parse(const char *s, struct rete_kver_req *ret, char *err, size_t errlen)
{
	struct rete_kver_req req = { 0 };
	const char *p = s;
	int rc;

	for (;;) {
		while (*p == ' ' || *p == '\t' || (req.n && *p == ','))
			p++;
		if (!*p)
			break;
		if (req.n == RETE_KVER_REQ_MAX) {
			snprintf(err, errlen,
				 "invalid kernel version requirement '%s': at most %d comparisons",
				 s, RETE_KVER_REQ_MAX);
			return -EINVAL;
		}
		rc = cmp_parse(&p, s, &req.cmps[req.n], err, errlen);
		if (rc)
			return rc;
		req.n++;
		if (*p && *p != ',' && *p != ' ' && *p != '\t') {
			snprintf(err, errlen,
				 "invalid kernel version requirement '%s': unexpected '%s'", s, p);
			return -EINVAL;
		}
	}
	if (!req.n) {
		snprintf(err, errlen,
			 "empty kernel version requirement (e.g. \">=5.10, <6\")");
		return -EINVAL;
	}
	*ret = req;
	return 0;
}

static int cmpu(unsigned a, unsigned b)
{
	return a < b ? -1 : a > b;
}

/* Order of v relative to the comparator's version, on the parts it names. */
static int order(const struct rete_kver_cmp *c, const struct rete_kver *v)
{
	if (v->major != c->v.major)
		return cmpu(v->major, c->v.major);
	if (c->nparts < 2)
		return 0;
	if (v->minor != c->v.minor)
		return cmpu(v->minor, c->v.minor);
	if (c->nparts < 3)
		return 0;
	if (v->patch != c->v.patch)
		return cmpu(v->patch, c->v.patch);
	if (!c->v.has_build)
		return 0;
	/* As Retis: a release without a build number sorts after any build. */
	return v->has_build ? cmpu(v->build, c->v.build) : 1;
}

bool rete_kver_req_match(const struct rete_kver_req *req, const struct rete_kver *v)
{
	for (size_t i = 0; i < req->n; i++) {
		int o = order(&req->cmps[i], v);
		bool ok = false;

		switch (req->cmps[i].op) {
		case RETE_KVER_EQ:
			ok = o == 0;
			break;
		case RETE_KVER_NE:
			ok = o != 0;
			break;
		case RETE_KVER_GT:
			ok = o > 0;
			break;
		case RETE_KVER_GE:
			ok = o >= 0;
			break;
		case RETE_KVER_LT:
			ok = o < 0;
			break;
		case RETE_KVER_LE:
			ok = o <= 0;
			break;
		case RETE_KVER_OP_MAX:
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}
