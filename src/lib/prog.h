/*
 * Who rete is running as: "rete", or "retis" when installed under Retis's name (a symlink
 * or copy named retis), in which case it is a drop-in for Retis: messages name it retis,
 * the default event file is retis.data and Retis's profile directories come first.
 */
#ifndef RETE_LIB_PROG_H
#define RETE_LIB_PROG_H

#include <stdbool.h>

/* Set once at startup from argv[0]. */
void rete_prog_set(const char *argv0);
/* "rete" or "retis". */
const char *rete_prog_name(void);
bool rete_prog_is_retis(void);
/* The default event file: "rete.data" or "retis.data". */
const char *rete_prog_data_file(void);
/* Its first rotated file as a reader spec: "rete.data.0..". */
const char *rete_prog_data_rotated(void);

#endif
