/*
 * Reading stored events: JSON-lines files written by `rete collect -o` or
 * Retis, and sorted files (`sort -o`, one JSON array = one series per line),
 * event by event, across several files and rotated file sequences.
 *
 * Input specs:
 *   FILE      one file
 *   -         standard input (at most once)
 *   FILE.N..  rotated files: FILE.N, FILE.N+1, ... until one is missing
 *             (FILE.N itself must exist; a file literally named so wins)
 *
 * Memory is bounded: a line longer than RETE_READER_LINE_MAX is reported
 * and skipped, and a series line holds at most RETE_READER_SERIES_MAX
 * events (the rest of that line is reported and skipped).
 */
#ifndef RETE_EVENTS_READER_H
#define RETE_EVENTS_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "events/event.h"

#define RETE_READER_LINE_MAX (64u << 20)
#define RETE_READER_SERIES_MAX 8192

struct rete_reader;

/*
 * Check every spec (each file, or the first file of a rotated sequence,
 * must exist and be readable) and open the first. 0, or -errno with one
 * sentence in err ("cannot open FILE: reason").
 */
int rete_reader_open(const char *const *specs, size_t nspecs, struct rete_reader **ret, char *err,
		     size_t errlen);

/*
 * Read the next event into ev (zeroed or previously used; reset first).
 * Returns 1 for an event, 0 at the end of the last file, -EINVAL for a
 * malformed line (err = "FILE:LINE: what"; call again to go on with the
 * next line), any other -errno for a fatal error (err says why).
 */
int rete_reader_next(struct rete_reader *r, struct rete_event *ev, char *err, size_t errlen);

/* File and line (1-based) of the last event or error returned. Borrowed. */
const char *rete_reader_file(const struct rete_reader *r);
size_t rete_reader_line(const struct rete_reader *r);

/*
 * When the last event came from a sorted file: true, with its index in the
 * series of that line and the number of events of the line.
 */
bool rete_reader_series_pos(const struct rete_reader *r, size_t *ret_idx, size_t *ret_n);

/*
 * A remark about the input that is not an error (a file written by a newer
 * Retis than the format rete reads), once per occurrence: returns it and
 * forgets it, NULL when there is none. Borrowed until the next call.
 */
const char *rete_reader_take_note(struct rete_reader *r);

/* Events and malformed lines seen so far. */
size_t rete_reader_events(const struct rete_reader *r);
size_t rete_reader_errors(const struct rete_reader *r);

void rete_reader_free(struct rete_reader *r);

#endif
