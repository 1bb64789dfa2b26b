/*
 * The Retis event format version in a file's startup event ("retis_version").
 * Retis reads it as: an optional leading 'v', cut at the first '-' or '+', the
 * rest a semantic version naming the event layout (retis-events/src/compat:
 * 1.5.x, 1.6.x and 1.7.x layouts, files older than 1.5.0 unsupported).
 */
#ifndef RETE_EVENTS_VERSION_H
#define RETE_EVENTS_VERSION_H

#include <stddef.h>

/* The Retis event layout rete writes (startup.machine, top-level packet/dev/netns). */
#define RETE_FORMAT_MAJOR 1
#define RETE_FORMAT_MINOR 7
#define RETE_FORMAT_PATCH 0

/* Oldest layout Retis keeps readable (its compat fixups start there). */
#define RETE_FORMAT_OLDEST_MINOR 5

/*
 * The value rete writes: "v1.7.0+rete-VERSION" (the layout for Retis's parser,
 * rete's own version after '+'). Returns ret.
 */
char *rete_format_version(char *ret, size_t len, const char *rete_version);

/*
 * Parse a retis_version as Retis does. 0, or -EINVAL when it is no version
 * Retis's parser accepts (rete's own files before 0.2 wrote "rete-0.1.0").
 */
int rete_format_version_parse(const char *v, unsigned *ret_major, unsigned *ret_minor,
			      unsigned *ret_patch);

#endif
