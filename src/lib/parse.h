/* Number parsing with errno, end-pointer and range checks. */
#ifndef RETE_LIB_PARSE_H
#define RETE_LIB_PARSE_H

#include <stdint.h>

/* Decimal (or 0x hex) unsigned integer; 0, -EINVAL or -ERANGE. */
int rete_parse_u64(const char *s, uint64_t *ret);
/* Size with optional unit: k/K/kB/KB (1024), M/MB, G/GB; 0, -EINVAL or -ERANGE. */
int rete_parse_size(const char *s, uint64_t *ret);
/*
 * File size as Retis's --out-rotate spells it: kB/MB/GB are powers of 1000
 * (64MB = 64000000 bytes, the limit Retis records), k/K/M/G and KiB/MiB/GiB
 * powers of 1024, no unit or B bytes; 0, -EINVAL or -ERANGE.
 */
int rete_parse_file_size(const char *s, uint64_t *ret);

#endif
