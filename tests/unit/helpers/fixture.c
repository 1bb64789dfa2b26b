#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers/fixture.h"

void rete_test_file_write(const char *name, const char *content, char *path, size_t len)
{
	char dir[] = "/tmp/rete-unit-XXXXXX";
	FILE *f;

	assert_non_null(mkdtemp(dir));
	assert_true((size_t)snprintf(path, len, "%s/%s", dir, name) < len);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fputs(content, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

void rete_test_file_remove(const char *path)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s", path);
	unlink(path);
	rmdir(dirname(dir));
}
