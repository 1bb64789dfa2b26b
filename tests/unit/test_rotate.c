/*
 * JSON output files (events/output.h): rotation by size (boundaries, the
 * startup line of each file, --out-rotate-count deleting old files), file
 * modes, whole lines after a write error; and rete_parse_file_size().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/event.h"
#include "events/json.h"
#include "events/output.h"
#include "lib/parse.h"

/* ---- helpers ---- */

struct dir {
	char path[64];
	char base[96];		/* path/cap.json */
};

static void dir_make(struct dir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/rete-rotate-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->base, sizeof(d->base), "%s/cap.json", d->path);
}

static void dir_remove(struct dir *d)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	assert_int_equal(system(cmd), 0);
}

static char *file_name(const struct dir *d, unsigned n, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%u", d->base, n);
	return buf;
}

static bool file_exists(const char *path)
{
	return !access(path, F_OK);
}

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	assert_non_null(f);
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

static void make_startup(struct rete_event *ev)
{
	rete_event_reset(ev);
	rete_event_set(ev, RETE_SEC_COMMON);
	ev->common.timestamp = 1000;
	rete_event_set(ev, RETE_SEC_STARTUP);
	snprintf(ev->startup.version, sizeof(ev->startup.version), "rete-test");
	ev->startup.cmdline = "rete collect -o cap.json --out-rotate 4k";
	ev->startup.mono_offset_sec = 1700000000;
	ev->startup.mono_offset_nsec = 5;
}

/* Event number i; its JSON line has the same length for every i < 1000000. */
static void make_event(struct rete_event *ev, uint32_t i)
{
	rete_event_reset(ev);
	rete_event_set(ev, RETE_SEC_COMMON);
	ev->common.timestamp = 2000000 + i;
	rete_event_set(ev, RETE_SEC_KERNEL);
	snprintf(ev->kernel.symbol, sizeof(ev->kernel.symbol), "net:netif_receive_skb");
	snprintf(ev->kernel.probe_type, sizeof(ev->kernel.probe_type), "raw_tracepoint");
}

static size_t line_len(const struct rete_event *ev)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	size_t n;

	assert_int_equal(rete_json_write_event(ev, &sb), 0);
	n = sb.len + 1;
	rete_strbuf_free(&sb);
	return n;
}

/*
 * Read a rotated file back: its first line is a startup event with
 * split_file {id, limit}; then events, whose timestamps continue *next
 * (any start when *next is 0).
 */
static size_t check_file(const char *path, uint32_t id, uint64_t limit, uint64_t *next)
{
	struct rete_event ev = { 0 };
	size_t len, events = 0;
	char *buf = slurp(path, &len), *line, *eol, err[256];
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(len > 0);
	assert_int_equal(buf[len - 1], '\n');
	assert_true(len <= limit);
	for (line = buf; line < buf + len; line = eol + 1) {
		eol = strchr(line, '\n');
		assert_non_null(eol);
		if (rete_json_read_event(&ev, line, (size_t)(eol - line), err, sizeof(err)))
			fail_msg("%s: %s", path, err);
		if (line == buf) {
			assert_true(rete_event_has(&ev, RETE_SEC_STARTUP));
			assert_true(ev.startup.has_split);
			assert_int_equal(ev.startup.split_id, id);
			assert_int_equal(ev.startup.split_limit, limit);
			assert_string_equal(ev.startup.version, "rete-test");
			assert_int_equal(ev.startup.mono_offset_sec, 1700000000);
			continue;
		}
		assert_false(rete_event_has(&ev, RETE_SEC_STARTUP));
		if (!*next)
			*next = ev.common.timestamp;
		assert_int_equal(ev.common.timestamp, *next);
		(*next)++;
		events++;
	}
	rete_event_free(&ev);
	free(buf);
	return events;
}

/* ---- tests ---- */

static void test_plain_file(void **state)
{
	struct rete_output o = { 0 };
	struct rete_event ev = { 0 };
	struct dir d;
	size_t len;
	char *buf;
	struct stat st;
	FILE *f;

	dir_make(&d);
	/* An existing world-readable file becomes private. */
	f = fopen(d.base, "w");
	assert_non_null(f);
	fputs("old content that is longer than what we write\n", f);
	fclose(f);
	assert_int_equal(chmod(d.base, 0644), 0);
	assert_int_equal(rete_output_open_json(&o, d.base), 0);
	assert_string_equal(o.path, d.base);
	assert_int_equal(rete_output_files(&o), 1);
	make_event(&ev, 0);
	assert_int_equal(rete_output_event(&o, &ev, false), 0);
	assert_int_equal(rete_output_close(&o), 0);
	assert_int_equal(stat(d.base, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	buf = slurp(d.base, &len);
	assert_int_equal(len, line_len(&ev));
	assert_int_equal(strncmp(buf, "{\"common\":{\"timestamp\":2000000}", 31), 0);
	free(buf);
	rete_event_free(&ev);
	dir_remove(&d);
	(void)state;
}

static size_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

/*
 * Files hold as many whole events as fit: exactly at the limit is fine, one
 * byte over starts a new file.
 */
static void test_boundaries(void **state)
{
	struct rete_output o = { 0 };
	struct rete_event ev = { 0 }, st = { 0 };
	size_t head, ll, per_file = 8, total;
	uint64_t next, limit;
	uint32_t files;
	struct dir d;
	char name[128];

	make_startup(&st);
	make_event(&ev, 0);
	ll = line_len(&ev);
	/* File 0's head line: split_file {id: 0, limit: 4 digits}. */
	st.startup.has_split = true;
	st.startup.split_limit = 1000;
	head = line_len(&st);
	st.startup.has_split = false;

	for (int extra = 0; extra <= 1; extra++) {
		struct rete_output_rotate rot;

		dir_make(&d);
		/* File 0 fits 8 events exactly, or 8 and ll - 1 spare bytes. */
		limit = head + per_file * ll + (uint64_t)extra * (ll - 1);
		assert_true(limit >= 1000 && limit < 10000);
		rot.size = limit;
		rot.count = 0;
		memset(&o, 0, sizeof(o));
		assert_int_equal(rete_output_open_rotate(&o, d.base, &rot), 0);
		assert_string_equal(o.path, file_name(&d, 0, name, sizeof(name)));
		assert_int_equal(rete_output_event(&o, &st, false), 0);
		for (uint32_t i = 0; i < 37; i++) {
			make_event(&ev, i);
			assert_int_equal(rete_output_event(&o, &ev, false), 0);
		}
		files = rete_output_files(&o);
		assert_true(files >= 5);
		assert_int_equal(rete_output_close(&o), 0);
		assert_int_equal(o.events, 37);
		next = 2000000;
		total = 0;
		for (unsigned n = 0; n < files; n++) {
			size_t got, size;

			file_name(&d, n, name, sizeof(name));
			got = check_file(name, n, limit, &next);
			size = file_size(name);
			assert_true(got >= 1);
			if (n == 0) {
				assert_int_equal(got, per_file);
				assert_int_equal(size, extra ? limit - (ll - 1) : limit);
			}
			/* Full: one more event would have passed the limit. */
			if (n + 1 < files)
				assert_true(size + ll > limit);
			total += got;
		}
		assert_int_equal(total, 37);
		assert_int_equal(next, 2000000 + 37);
		assert_false(file_exists(file_name(&d, files, name, sizeof(name))));
		/* The base name itself is never written. */
		assert_false(file_exists(d.base));
		dir_remove(&d);
	}
	rete_event_free(&ev);
	rete_event_free(&st);
	(void)state;
}

/* An event larger than the limit gets a file of its own; no file is left without events. */
static void test_large_event(void **state)
{
	struct rete_output_rotate rot = { 600, 0 };
	struct rete_output o = { 0 };
	struct rete_event ev = { 0 }, st = { 0 }, big = { 0 };
	uint64_t next = 2000000;
	struct dir d;
	char name[128], *buf;
	size_t len;

	dir_make(&d);
	make_startup(&st);
	assert_int_equal(rete_output_open_rotate(&o, d.base, &rot), 0);
	assert_int_equal(rete_output_event(&o, &st, false), 0);
	make_event(&ev, 0);
	assert_int_equal(rete_output_event(&o, &ev, false), 0);
	make_event(&big, 1);
	big.kernel.has_stack = true;
	big.kernel.nstack = 40;
	for (int i = 0; i < 40; i++)
		big.kernel.stack[i] = "a_rather_long_kernel_function_name+0x1234";
	assert_true(line_len(&big) > 600);
	assert_int_equal(rete_output_event(&o, &big, false), 0);
	make_event(&ev, 2);
	assert_int_equal(rete_output_event(&o, &ev, false), 0);
	assert_int_equal(rete_output_close(&o), 0);

	assert_int_equal(check_file(file_name(&d, 0, name, sizeof(name)), 0, 600, &next), 1);
	/* File 1 is over the limit by necessity: check it by hand. */
	buf = slurp(file_name(&d, 1, name, sizeof(name)), &len);
	assert_true(len > 600);
	assert_non_null(strstr(buf, "\"split_file\":{\"id\":1,"
				    "\"policy\":{\"kind\":\"size\",\"limit\":600}}"));
	assert_non_null(strstr(buf, "\"timestamp\":2000001"));
	free(buf);
	next = 2000002;
	assert_int_equal(check_file(file_name(&d, 2, name, sizeof(name)), 2, 600, &next), 1);
	rete_event_free(&ev);
	rete_event_free(&big);
	rete_event_free(&st);
	dir_remove(&d);
	(void)state;
}

/* --out-rotate-count N: only the newest N files exist; numbering goes on. */
static void test_count(void **state)
{
	struct rete_output o = { 0 };
	struct rete_event ev = { 0 }, st = { 0 };
	struct rete_output_rotate rot;
	uint64_t next;
	uint32_t files;
	struct dir d;
	char name[128];
	size_t ll;

	make_startup(&st);
	make_event(&ev, 0);
	ll = line_len(&ev);
	for (uint32_t count = 1; count <= 3; count++) {
		dir_make(&d);
		/* A few events per file. */
		rot.size = 300 + 3 * ll;
		rot.count = count;
		memset(&o, 0, sizeof(o));
		assert_int_equal(rete_output_open_rotate(&o, d.base, &rot), 0);
		assert_int_equal(rete_output_event(&o, &st, false), 0);
		for (uint32_t i = 0; i < 40; i++) {
			make_event(&ev, i);
			assert_int_equal(rete_output_event(&o, &ev, false), 0);
			/* Never more than count files at once. */
			for (unsigned n = 0; n + count < rete_output_files(&o); n++)
				assert_false(file_exists(file_name(&d, n, name, sizeof(name))));
		}
		files = rete_output_files(&o);
		assert_true(files > count + 5);
		assert_int_equal(rete_output_close(&o), 0);
		/* The kept files hold the last events, in order, up to the last one. */
		next = 0;
		for (unsigned n = 0; n < files; n++) {
			file_name(&d, n, name, sizeof(name));
			if (n < files - count)
				assert_false(file_exists(name));
			else
				check_file(name, n, rot.size, &next);
		}
		assert_int_equal(next, 2000040);
		assert_false(file_exists(file_name(&d, files, name, sizeof(name))));
		dir_remove(&d);
	}
	rete_event_free(&ev);
	rete_event_free(&st);
	(void)state;
}

/* Each rotated file's startup line says when the file was started. */
static void test_startup_per_file(void **state)
{
	struct rete_output_rotate rot = { 1200, 0 };
	struct rete_output o = { 0 };
	struct rete_event ev = { 0 }, st = { 0 }, back = { 0 };
	struct dir d;
	char name[128], *buf, err[256];
	size_t len;

	dir_make(&d);
	make_startup(&st);
	/* A startup event that already has split_file gets ours. */
	st.startup.has_split = true;
	st.startup.split_id = 77;
	st.startup.split_limit = 1;
	assert_int_equal(rete_output_open_rotate(&o, d.base, &rot), 0);
	assert_int_equal(rete_output_event(&o, &st, false), 0);
	for (uint32_t i = 0; i < 30; i++) {
		make_event(&ev, i);
		assert_int_equal(rete_output_event(&o, &ev, false), 0);
	}
	assert_true(rete_output_files(&o) >= 3);
	assert_int_equal(rete_output_close(&o), 0);
	for (unsigned n = 0; n < 3; n++) {
		buf = slurp(file_name(&d, n, name, sizeof(name)), &len);
		*strchr(buf, '\n') = '\0';
		if (rete_json_read_event(&back, buf, strlen(buf), err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(back.startup.split_id, n);
		assert_int_equal(back.startup.split_limit, 1200);
		assert_string_equal(back.startup.cmdline, st.startup.cmdline);
		/* File 0 keeps the collection's startup time, later ones the clock's. */
		if (n == 0)
			assert_int_equal(back.common.timestamp, 1000);
		else
			assert_true(back.common.timestamp > 1000);
		free(buf);
	}
	rete_event_free(&ev);
	rete_event_free(&st);
	rete_event_free(&back);
	dir_remove(&d);
	(void)state;
}

/* A write error leaves whole lines only, sticks, and names the file. */
static void test_write_error(void **state)
{
	struct rete_output_rotate rot = { 4096, 0 };
	struct rete_output o = { 0 };
	struct rete_event ev = { 0 }, st = { 0 };
	struct rlimit old, lim;
	struct dir d;
	char name[128], *buf;
	size_t len;
	int rc = 0;

	dir_make(&d);
	make_startup(&st);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	/* Past 3000 bytes, writes fail with EFBIG (SIGXFSZ ignored). */
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 3000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(rete_output_open_rotate(&o, d.base, &rot), 0);
	assert_int_equal(rete_output_event(&o, &st, false), 0);
	for (uint32_t i = 0; i < 200 && !rc; i++) {
		make_event(&ev, i);
		rc = rete_output_event(&o, &ev, false);
	}
	/* Buffered: the error shows when the file is rotated (4096 > 3000). */
	assert_int_equal(rc, -EFBIG);
	assert_true(o.err_json);
	assert_string_equal(o.path, file_name(&d, 0, name, sizeof(name)));
	/* Sticky: nothing more. */
	assert_int_equal(rete_output_event(&o, &ev, false), -EFBIG);
	assert_int_equal(rete_output_close(&o), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);

	buf = slurp(name, &len);
	assert_true(len > 0 && len <= 3000);
	assert_int_equal(buf[len - 1], '\n');
	free(buf);
	assert_false(file_exists(file_name(&d, 1, name, sizeof(name))));
	rete_event_free(&ev);
	rete_event_free(&st);
	dir_remove(&d);
	(void)state;
}

/* The same at close time, without rotation, and a text error does not stop the JSON. */
static void test_close_error(void **state)
{
	struct rete_output o = { 0 };
	struct rete_event ev = { 0 };
	struct rlimit old, lim;
	struct dir d;
	char *buf;
	size_t len;
	FILE *full;

	dir_make(&d);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(rete_output_open_json(&o, d.base), 0);
	for (uint32_t i = 0; i < 50; i++) {
		make_event(&ev, i);
		assert_int_equal(rete_output_event(&o, &ev, false), 0);
	}
	assert_int_equal(rete_output_close(&o), -EFBIG);
	assert_true(o.err_json);
	assert_string_equal(o.path, d.base);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	buf = slurp(d.base, &len);
	assert_true(len > 0 && len <= 1000);
	assert_int_equal(buf[len - 1], '\n');
	free(buf);

	full = fopen("/dev/full", "w");
	if (full) {
		setvbuf(full, NULL, _IONBF, 0);
		memset(&o, 0, sizeof(o));
		assert_int_equal(rete_output_open_json(&o, d.base), 0);
		o.text = full;
		make_event(&ev, 0);
		assert_int_equal(rete_output_event(&o, &ev, false), -EIO);
		assert_false(o.err_json);
		/* The JSON side goes on. */
		make_event(&ev, 1);
		rete_output_event(&o, &ev, false);
		o.text = NULL;
		assert_int_equal(rete_output_close(&o), -EIO);
		buf = slurp(d.base, &len);
		assert_int_equal(len, 2 * line_len(&ev));
		free(buf);
		fclose(full);
	}
	rete_event_free(&ev);
	dir_remove(&d);
	(void)state;
}

static void test_open_errors(void **state)
{
	struct rete_output_rotate rot = { 4096, 2 }, zero = { 0, 0 };
	struct rete_output o = { 0 };

	assert_int_equal(rete_output_open_json(&o, "/nonexistent/dir/cap.json"), -ENOENT);
	assert_null(o.json);
	assert_string_equal(o.path, "/nonexistent/dir/cap.json");
	assert_int_equal(rete_output_open_rotate(&o, "/nonexistent/dir/cap.json", &rot), -ENOENT);
	assert_null(o.json);
	assert_string_equal(o.path, "/nonexistent/dir/cap.json.0");
	assert_int_equal(rete_output_open_rotate(&o, "/tmp/x", &zero), -EINVAL);
	assert_int_equal(rete_output_close(&o), 0);
	(void)state;
}

static void test_parse_file_size(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t v;
	} cases[] = {
		{ "64MB", 0, 64000000ULL },
		{ "2GB", 0, 2000000000ULL },
		{ "10kB", 0, 10000 },
		{ "10KB", 0, 10000 },
		{ "64k", 0, 65536 },
		{ "64K", 0, 65536 },
		{ "1M", 0, 1048576 },
		{ "1MiB", 0, 1048576 },
		{ "3G", 0, 3ULL << 30 },
		{ "1GiB", 0, 1ULL << 30 },
		{ "4096", 0, 4096 },
		{ "4096B", 0, 4096 },
		{ "", -EINVAL, 0 },
		{ "MB", -EINVAL, 0 },
		{ "-1MB", -EINVAL, 0 },
		{ " 1MB", -EINVAL, 0 },
		{ "1 MB", -EINVAL, 0 },
		{ "1mb", -EINVAL, 0 },
		{ "1TB", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "18446744073709552GB", -ERANGE, 0 },
		{ "17179869184G", -ERANGE, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		int rc = rete_parse_file_size(cases[i].s, &v);

		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, want %d", cases[i].s, rc, cases[i].rc);
		if (!rc && v != cases[i].v)
			fail_msg("'%s': %llu, want %llu", cases[i].s, (unsigned long long)v,
				 (unsigned long long)cases[i].v);
	}
	assert_int_equal(rete_parse_file_size(NULL, &(uint64_t){ 0 }), -EINVAL);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_file),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_large_event),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_startup_per_file),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_close_error),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_parse_file_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
