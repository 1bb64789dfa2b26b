/*
 * pcap-filter compilation with libpcap (see pcap_filter.h). This is the only
 * file that includes libpcap's headers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "filter/pcap_filter.h"
#include "filter/pcap_hint.h"

/* libpcap's prefix for grammar errors; the rest of its message is kept. */

static const int variant_dlt[RETE_PCAP_VARIANT_MAX] = {
	[RETE_PCAP_L2] = DLT_EN10MB,
	[RETE_PCAP_L3] = DLT_RAW,
};

static const char *const variant_names[RETE_PCAP_VARIANT_MAX] = {
	[RETE_PCAP_L2] = "L2",
	[RETE_PCAP_L3] = "L3",
};

/* Protocol names whose name[offset] reads link-layer bytes (pcap-filter(7)). */
static const char *const link_protos[] = {
	"link", "ether", "fddi", "tr", "wlan", "ppp", "slip", "radio",
};

_Static_assert(sizeof(struct sock_filter) == sizeof(struct bpf_insn),
	       "libpcap's bpf_insn and sock_filter differ");

const char *rete_pcap_variant_name(enum rete_pcap_variant v)
{
	return (unsigned int)v < RETE_PCAP_VARIANT_MAX ? variant_names[v] : "?";
}

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen,
							   const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Does expr index a link-layer protocol (`ether[12:2]`, `link [0]`)? */
static bool reads_link_bytes(const char *expr)
{
	for (const char *b = strchr(expr, '['); b; b = strchr(b + 1, '[')) {
		const char *end = b, *start;

		while (end > expr && isspace((unsigned char)end[-1]))
			end--;
		start = end;
		while (start > expr && is_word_char(start[-1]))
			start--;
		for (size_t i = 0; i < sizeof(link_protos) / sizeof(link_protos[0]); i++)
			if ((size_t)(end - start) == strlen(link_protos[i]) &&
			    !strncmp(start, link_protos[i], (size_t)(end - start)))
				return true;
	}
	return false;
}

/* 0, -EINVAL (libpcap's message in msg) or -ENOMEM. */
static int compile_one(const char *expr, int dlt, struct rete_cbpf_prog *ret, char *msg,
		       size_t msglen)
{
	struct bpf_program bp;
	struct sock_filter *insns;
	pcap_t *p = pcap_open_dead(dlt, RETE_PCAP_SNAPLEN);
	int err = 0;

	if (!p)
		return -ENOMEM;
	if (pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		rete_pcap_error_message(expr, pcap_geterr(p), msg, msglen);
		err = -EINVAL;
		goto out_close;
	}
	insns = calloc(bp.bf_len ? bp.bf_len : 1, sizeof(*insns));
	if (!insns) {
		err = -ENOMEM;
		goto out_freecode;
	}
	for (unsigned int i = 0; i < bp.bf_len; i++) {
		insns[i].code = bp.bf_insns[i].code;
		insns[i].jt = bp.bf_insns[i].jt;
		insns[i].jf = bp.bf_insns[i].jf;
		insns[i].k = bp.bf_insns[i].k;
	}
	ret->insns = insns;
	ret->n = bp.bf_len;
out_freecode:
	pcap_freecode(&bp);
out_close:
	pcap_close(p);
	return err;
}

void rete_pcap_filter_free(struct rete_pcap_filter *f)
{
	if (!f)
		return;
	free(f->expr);
	for (int v = 0; v < RETE_PCAP_VARIANT_MAX; v++)
		free(f->prog[v].insns);
	memset(f, 0, sizeof(*f));
}

/* The optional L3 form; 0 also when it does not exist (reason recorded). */
static int compile_l3(struct rete_pcap_filter *f)
{
	char msg[PCAP_ERRBUF_SIZE];
	int err;

	if (reads_link_bytes(f->expr)) {
		snprintf(f->l3_skip_reason, sizeof(f->l3_skip_reason),
			 "the expression reads link-layer bytes, which packets without an "
			 "Ethernet header do not have");
		return 0;
	}
	err = compile_one(f->expr, variant_dlt[RETE_PCAP_L3], &f->prog[RETE_PCAP_L3], msg,
			  sizeof(msg));
	if (err == -EINVAL) {
		snprintf(f->l3_skip_reason, sizeof(f->l3_skip_reason), "%s", msg);
		return 0;
	}
	if (!err)
		f->has[RETE_PCAP_L3] = true;
	return err;
}

int rete_pcap_filter_compile(const char *expr, struct rete_pcap_filter *ret, char *err,
			     size_t errlen)
{
	struct rete_pcap_filter f = { 0 };
	char msg[PCAP_ERRBUF_SIZE];
	int e;

	if (!expr) {
		set_err(err, errlen, "no packet filter given");
		return -EINVAL;
	}
	f.expr = strdup(expr);
	if (!f.expr) {
		e = -ENOMEM;
		goto out_nomem;
	}
	e = compile_one(expr, variant_dlt[RETE_PCAP_L2], &f.prog[RETE_PCAP_L2], msg,
			sizeof(msg));
	if (e == -EINVAL) {
		set_err(err, errlen, "invalid packet filter '%s': %s", expr, msg);
		goto out_free;
	}
	if (e)
		goto out_nomem;
	f.has[RETE_PCAP_L2] = true;
	e = compile_l3(&f);
	if (e)
		goto out_nomem;
	*ret = f;
	return 0;
out_nomem:
	set_err(err, errlen, "out of memory compiling packet filter '%s'", expr);
out_free:
	rete_pcap_filter_free(&f);
	return e;
}
