/* Growable string buffer used by formatters and writers. */
#ifndef RETE_LIB_STRBUF_H
#define RETE_LIB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct rete_strbuf {
	char *buf;	/* always NUL-terminated once allocated */
	size_t len;
	size_t cap;
	int err;	/* sticky -ENOMEM: appends become no-ops after a failure */
};

#define RETE_STRBUF_INIT { 0 }

void rete_strbuf_free(struct rete_strbuf *sb);
void rete_strbuf_reset(struct rete_strbuf *sb);
int rete_strbuf_reserve(struct rete_strbuf *sb, size_t extra);
int rete_strbuf_add(struct rete_strbuf *sb, const char *s, size_t n);
int rete_strbuf_adds(struct rete_strbuf *sb, const char *s);
int rete_strbuf_addc(struct rete_strbuf *sb, char c);
int rete_strbuf_addf(struct rete_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int rete_strbuf_vaddf(struct rete_strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Fast unsigned decimal append (hot path of the JSON writer). */
int rete_strbuf_addu(struct rete_strbuf *sb, uint64_t v);
int rete_strbuf_addi(struct rete_strbuf *sb, int64_t v);
/* Current contents, "" when nothing was added. */
const char *rete_strbuf_str(const struct rete_strbuf *sb);

#endif
