/* Number parsing with errno, end-pointer and range checks. */
#ifndef RETE_LIB_PARSE_H
#define RETE_LIB_PARSE_H

#include <stdint.h>

/* Decimal (or 0x hex) unsigned integer; 0, -EINVAL or -ERANGE. */
int rete_parse_u64(const char *s, uint64_t *ret);
/* Size with optional unit: k/K/kB/KB (1024), M/MB, G/GB; 0, -EINVAL or -ERANGE. */
int rete_parse_size(const char *s, uint64_t *ret);

#endif
