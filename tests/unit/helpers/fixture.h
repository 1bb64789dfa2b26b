/* Fixture files for unit tests, written into a fresh temporary directory. */
#ifndef RETE_TESTS_HELPERS_FIXTURE_H
#define RETE_TESTS_HELPERS_FIXTURE_H

#include <stddef.h>

/*
 * Write `content` to `name` in a new temporary directory and put the file's
 * path in path; fails the running cmocka test on error. Remove both with
 * rete_test_file_remove().
 */
void rete_test_file_write(const char *name, const char *content, char *path, size_t len);
void rete_test_file_remove(const char *path);

#endif
