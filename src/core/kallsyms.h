/* Kernel symbols from /proc/kallsyms: address -> "func+0xoff". */
#ifndef RETE_CORE_KALLSYMS_H
#define RETE_CORE_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

struct rete_kallsyms;

/* Load text symbols from `path` (/proc/kallsyms). 0 or -errno. */
int rete_kallsyms_load(const char *path, struct rete_kallsyms **ret);
void rete_kallsyms_free(struct rete_kallsyms *ks);
/* Writes "func+0xoff" (or "0x<addr>" when unknown) into buf; returns buf. */
const char *rete_kallsyms_fmt(const struct rete_kallsyms *ks, uint64_t addr, char *buf, size_t len);
/* Address of a symbol, 0 when absent. */
uint64_t rete_kallsyms_addr(const struct rete_kallsyms *ks, const char *name);
size_t rete_kallsyms_count(const struct rete_kallsyms *ks);

#endif
