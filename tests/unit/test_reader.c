/*
 * Event file reader: single files, several files, FILE.N.. rotated
 * sequences, stdin, sorted files read event by event, malformed lines
 * (reported with file and line, reading goes on), bounds and notes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/event.h"
#include "events/reader.h"
#include "events/version.h"

/* ---- helpers ------------------------------------------------------------- */

static char dir[64];
static char err[1024];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/rete-reader-XXXXXX");
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	(void)state;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
	return 0;
}

/* Write dir/name and return its path (static buffer per call site: copy it). */
static char *put(const char *name, const char *content)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_true(fputs(content, f) >= 0);
	assert_int_equal(fclose(f), 0);
	return path;
}

static char *path_of(const char *name)
{
	char *path;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	return path;
}

#define EV(ts) \
	"{\"common\":{\"timestamp\":" #ts "},\"kernel\":{\"symbol\":\"net:netif_receive_skb\"," \
	"\"probe_type\":\"raw_tracepoint\"}}\n"

static struct rete_reader *open_specs(const char *const *specs, size_t n)
{
	struct rete_reader *r = NULL;
	int rc = rete_reader_open(specs, n, &r, err, sizeof(err));

	if (rc)
		fail_msg("open: %s", err);
	return r;
}

/* Read everything: timestamps into ts[], returns the count; errors counted. */
static size_t read_all(struct rete_reader *r, uint64_t *ts, size_t max, size_t *nerr)
{
	struct rete_event ev = { 0 };
	size_t n = 0;
	int rc;

	*nerr = 0;
	while ((rc = rete_reader_next(r, &ev, err, sizeof(err))) != 0) {
		if (rc == -EINVAL) {
			(*nerr)++;
			continue;
		}
		if (rc < 0)
			fail_msg("fatal %d: %s", rc, err);
		if (n < max)
			ts[n] = ev.common.timestamp;
		n++;
	}
	rete_event_free(&ev);
	return n;
}

static const char *ref_dir(void)
{
	static char buf[512];
	const char *shared = getenv("RETE_SHARED");

	snprintf(buf, sizeof(buf), "%s/reference/retis-events",
		 shared && *shared ? shared : "../shared");
	return buf;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_single_file(void **state)
{
	char *p = put("a.json", EV(1) "\n" EV(2) "   \n" EV(3));
	const char *specs[] = { p };
	struct rete_reader *r = open_specs(specs, 1);
	uint64_t ts[8];
	size_t nerr, n = read_all(r, ts, 8, &nerr);

	assert_int_equal(n, 3);
	assert_int_equal(nerr, 0);
	assert_int_equal(ts[0], 1);
	assert_int_equal(ts[2], 3);
	assert_int_equal(rete_reader_events(r), 3);
	assert_false(rete_reader_series_pos(r, NULL, NULL));
	rete_reader_free(r);
	free(p);
	(void)state;
}

static void test_file_and_line(void **state)
{
	char *p = put("pos.json", EV(1) "\n\n" EV(2));
	const char *specs[] = { p };
	struct rete_reader *r = open_specs(specs, 1);
	struct rete_event ev = { 0 };

	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_string_equal(rete_reader_file(r), p);
	assert_int_equal(rete_reader_line(r), 1);
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_int_equal(rete_reader_line(r), 4);
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 0);
	rete_event_free(&ev);
	rete_reader_free(r);
	free(p);
	(void)state;
}

static void test_several_files(void **state)
{
	char *a = put("one.json", EV(1) EV(2));
	char *b = put("two.json", EV(3));
	char *c = put("empty.json", "");
	const char *specs[] = { a, c, b };
	struct rete_reader *r = open_specs(specs, 3);
	uint64_t ts[8];
	size_t nerr, n = read_all(r, ts, 8, &nerr);

	assert_int_equal(n, 3);
	assert_int_equal(ts[0], 1);
	assert_int_equal(ts[2], 3);
	rete_reader_free(r);
	free(a);
	free(b);
	free(c);
	(void)state;
}

static void test_rotated(void **state)
{
	char *f0 = put("cap.json.0", EV(10));
	char *f1 = put("cap.json.1", EV(11) EV(12));
	char *f2 = put("cap.json.2", EV(13));
	char *f4 = put("cap.json.4", EV(99));	/* after a gap: not read */
	char *spec = path_of("cap.json.0..");
	char *spec1 = path_of("cap.json.1..");
	const char *specs[] = { spec };
	struct rete_reader *r = open_specs(specs, 1);
	struct rete_event ev = { 0 };
	uint64_t ts[8];
	size_t nerr, n;

	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_string_equal(rete_reader_file(r), f0);
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_string_equal(rete_reader_file(r), f1);
	assert_int_equal(rete_reader_line(r), 1);
	n = read_all(r, ts, 8, &nerr);
	assert_int_equal(n, 2);
	assert_int_equal(ts[0], 12);
	assert_int_equal(ts[1], 13);
	rete_reader_free(r);

	specs[0] = spec1;
	r = open_specs(specs, 1);
	assert_int_equal(read_all(r, ts, 8, &nerr), 3);
	assert_int_equal(ts[0], 11);
	rete_reader_free(r);
	rete_event_free(&ev);
	free(f0);
	free(f1);
	free(f2);
	free(f4);
	free(spec);
	free(spec1);
	(void)state;
}

static void test_rotated_missing_first(void **state)
{
	char *f3 = put("rot.json.3", EV(1));
	char *spec = path_of("rot.json.0..");
	const char *specs[] = { spec };
	struct rete_reader *r = NULL;

	assert_int_equal(rete_reader_open(specs, 1, &r, err, sizeof(err)), -ENOENT);
	assert_null(r);
	assert_non_null(strstr(err, "rot.json.0: No such file or directory"));
	assert_non_null(strstr(err, "use "));
	assert_non_null(strstr(err, "rot.json.3.."));
	free(f3);
	free(spec);
	(void)state;
}

/* A file literally named "x.0.." is a file, not a rotation. */
static void test_rotation_literal_name(void **state)
{
	char *p = put("lit.0..", EV(5));
	const char *specs[] = { p };
	struct rete_reader *r = open_specs(specs, 1);
	uint64_t ts[2];
	size_t nerr;

	assert_int_equal(read_all(r, ts, 2, &nerr), 1);
	assert_int_equal(ts[0], 5);
	rete_reader_free(r);
	free(p);
	(void)state;
}

static void test_open_errors(void **state)
{
	char *missing = path_of("nope.json");
	const char *specs[] = { missing };
	const char *two_stdin[] = { "-", "-" };
	const char *a_dir[] = { dir };
	struct rete_reader *r = NULL;

	assert_int_equal(rete_reader_open(specs, 1, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot open "));
	assert_non_null(strstr(err, "nope.json: No such file or directory"));
	assert_int_equal(rete_reader_open(two_stdin, 2, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than once"));
	assert_int_equal(rete_reader_open(a_dir, 1, &r, err, sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "Is a directory"));
	assert_int_equal(rete_reader_open(specs, 0, &r, err, sizeof(err)), -EINVAL);
	assert_null(r);
	free(missing);
	(void)state;
}

static void test_stdin(void **state)
{
	char *p = put("in.json", EV(7) EV(8));
	const char *specs[] = { "-" };
	int saved = dup(STDIN_FILENO), fd = open(p, O_RDONLY);
	struct rete_reader *r;
	uint64_t ts[4];
	size_t nerr;

	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	r = open_specs(specs, 1);
	assert_int_equal(read_all(r, ts, 4, &nerr), 2);
	assert_int_equal(ts[1], 8);
	assert_string_equal(rete_reader_file(r), "stdin");
	rete_reader_free(r);
	dup2(saved, STDIN_FILENO);
	close(saved);
	free(p);
	(void)state;
}

static void test_malformed_lines(void **state)
{
	char *p = put("bad.json", EV(1) "this is not json\n" EV(2)
				  "{\"common\":{\"timestamp\":\"x\"}}\n"
				  "[1,2\n" EV(3) "{\"common\": {\"timestamp\": 4");
	const char *specs[] = { p };
	struct rete_reader *r = open_specs(specs, 1);
	struct rete_event ev = { 0 };
	char want[600];
	int rc;

	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: ", p);
	assert_memory_equal(err, want, strlen(want));
	assert_null(strchr(err, '\n'));
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.common.timestamp, 2);
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:4: ", p);
	assert_memory_equal(err, want, strlen(want));
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:5: ", p);
	assert_memory_equal(err, want, strlen(want));
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.common.timestamp, 3);
	/* The last line lacks its end: said so. */
	rc = rete_reader_next(r, &ev, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	snprintf(want, sizeof(want), "%s:7: truncated last line", p);
	assert_memory_equal(err, want, strlen(want));
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 0);
	assert_int_equal(rete_reader_errors(r), 4);
	assert_int_equal(rete_reader_events(r), 3);
	rete_event_free(&ev);
	rete_reader_free(r);
	free(p);
	(void)state;
}

/* A last line without '\n' that parses is an event like any other. */
static void test_unterminated_ok(void **state)
{
	char *p = put("noeol.json", "{\"common\":{\"timestamp\":9}}");
	const char *specs[] = { p };
	struct rete_reader *r = open_specs(specs, 1);
	uint64_t ts[2];
	size_t nerr;

	assert_int_equal(read_all(r, ts, 2, &nerr), 1);
	assert_int_equal(nerr, 0);
	assert_int_equal(ts[0], 9);
	rete_reader_free(r);
	free(p);
	(void)state;
}

static void test_series_lines(void **state)
{
	char *p = put("sorted.json",
		      "[{\"common\":{\"timestamp\":1}}]\n"
		      "[{\"common\":{\"timestamp\":2}},{\"common\":{\"timestamp\":3}},"
		      "{\"common\":{\"timestamp\":4}}]\n" EV(5)
		      "[{\"common\":{\"timestamp\":6}},{\"common\":{\"timestamp\":\"bad\"}},"
		      "{\"common\":{\"timestamp\":8}}]\n"
		      "[]\n" EV(9));
	const char *specs[] = { p };
	struct rete_reader *r = open_specs(specs, 1);
	struct rete_event ev = { 0 };
	size_t idx, n;

	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_true(rete_reader_series_pos(r, &idx, &n));
	assert_int_equal(idx, 0);
	assert_int_equal(n, 1);
	for (uint64_t ts = 2; ts <= 4; ts++) {
		assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
		assert_int_equal(ev.common.timestamp, ts);
		assert_true(rete_reader_series_pos(r, &idx, &n));
		assert_int_equal(idx, ts - 2);
		assert_int_equal(n, 3);
		assert_int_equal(rete_reader_line(r), 2);
	}
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.common.timestamp, 5);
	assert_false(rete_reader_series_pos(r, NULL, NULL));
	/* A bad element: the events before it, then the error naming it. */
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.common.timestamp, 6);
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "sorted.json:4: event 1: "));
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.common.timestamp, 9);
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 0);
	rete_event_free(&ev);
	rete_reader_free(r);
	free(p);
	(void)state;
}

static void test_retis_sorted_file(void **state)
{
	char *p;
	const char *specs[1];
	struct rete_reader *r;
	struct rete_event ev = { 0 };
	size_t idx, n, count = 0, series = 0;

	if (asprintf(&p, "%s/test_events_sorted.json", ref_dir()) < 0 || access(p, R_OK)) {
		print_message("skipping: %s not found (set RETE_SHARED)\n", ref_dir());
		free(p);
		skip();
	}
	specs[0] = p;
	r = open_specs(specs, 1);
	while (rete_reader_next(r, &ev, err, sizeof(err)) == 1) {
		assert_true(rete_reader_series_pos(r, &idx, &n));
		series += idx == 0;
		if (count)
			assert_true(rete_event_has(&ev, RETE_SEC_TRACKING));
		if (count)
			assert_int_equal(ev.tracking.idx, idx);
		count++;
	}
	assert_int_equal(count, 5);
	assert_int_equal(series, 4);
	assert_int_equal(rete_reader_errors(r), 0);
	rete_event_free(&ev);
	rete_reader_free(r);
	free(p);
	(void)state;
}

static void test_newer_version_note(void **state)
{
	char *p = put("new.json",
		      "{\"common\":{\"timestamp\":1},\"startup\":{\"retis_version\":\"v1.8.0\","
		      "\"clock_monotonic_offset\":{\"sec\":1,\"nsec\":2}}}\n" EV(2)
		      "{\"common\":{\"timestamp\":3},\"startup\":{\"retis_version\":"
		      "\"v1.6.4\",\"clock_monotonic_offset\":{\"sec\":1,\"nsec\":2}}}\n"
		      "{\"common\":{\"timestamp\":4},\"startup\":{\"retis_version\":"
		      "\"v1.7.0+rete-0.2.0\",\"clock_monotonic_offset\":{\"sec\":1,\"nsec\":2}}}\n"
		      "{\"common\":{\"timestamp\":5},\"startup\":{\"retis_version\":"
		      "\"rete-0.1.0\",\"clock_monotonic_offset\":{\"sec\":1,\"nsec\":2}}}\n"
		      "{\"common\":{\"timestamp\":6},\"startup\":{\"retis_version\":"
		      "\"v1.4.2\",\"clock_monotonic_offset\":{\"sec\":1,\"nsec\":2}}}\n");
	const char *specs[] = { p };
	struct rete_reader *r = open_specs(specs, 1);
	struct rete_event ev = { 0 };
	const char *note;

	assert_null(rete_reader_take_note(r));
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	note = rete_reader_take_note(r);
	assert_non_null(note);
	assert_non_null(strstr(note, "new.json:1: written by Retis v1.8.0, newer than the event "
				     "layout rete reads"));
	assert_non_null(strstr(note, "(rete reads 1.7)"));
	assert_null(rete_reader_take_note(r));
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_null(rete_reader_take_note(r));	/* 1.6.4 is fine */
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_null(rete_reader_take_note(r));	/* rete's own */
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	assert_null(rete_reader_take_note(r));	/* rete before it wrote a Retis version */
	assert_int_equal(rete_reader_next(r, &ev, err, sizeof(err)), 1);
	note = rete_reader_take_note(r);
	assert_non_null(note);
	assert_non_null(strstr(note, "new.json:6: written by Retis v1.4.2, older than 1.5.0"));
	rete_event_free(&ev);
	rete_reader_free(r);
	free(p);
	(void)state;
}

/* What rete writes is what Retis's version parser accepts, naming the 1.7 layout. */
static void test_format_version(void **state)
{
	unsigned major, minor, patch;
	char v[64];

	(void)state;
	assert_string_equal(rete_format_version(v, sizeof(v), "0.2.0"), "v1.7.0+rete-0.2.0");
	assert_int_equal(rete_format_version_parse(v, &major, &minor, &patch), 0);
	assert_int_equal(major, 1);
	assert_int_equal(minor, 7);
	assert_int_equal(patch, 0);
	/* Retis's own cases (retis-events/src/compat/compat.rs tests). */
	assert_int_equal(rete_format_version_parse("1.5.0", &major, &minor, &patch), 0);
	assert_int_equal(rete_format_version_parse("1.5.0-", &major, &minor, &patch), 0);
	assert_int_equal(rete_format_version_parse("v1.5.0+1.4.0-31584d349ace-dirty", &major,
						   &minor, &patch), 0);
	assert_int_equal(minor, 5);
	assert_int_equal(rete_format_version_parse("v1.5.0-31584d349ace", &major, &minor, &patch),
			 0);
	assert_int_equal(rete_format_version_parse("", &major, &minor, &patch), -EINVAL);
	assert_int_equal(rete_format_version_parse("1.5.", &major, &minor, &patch), -EINVAL);
	assert_int_equal(rete_format_version_parse("1.5.x", &major, &minor, &patch), -EINVAL);
	assert_int_equal(rete_format_version_parse("1.5.0?foo", &major, &minor, &patch), -EINVAL);
	assert_int_equal(rete_format_version_parse("rete-0.1.0", &major, &minor, &patch), -EINVAL);
	assert_int_equal(rete_format_version_parse("01.5.0", &major, &minor, &patch), -EINVAL);
	assert_int_equal(rete_format_version_parse("v", &major, &minor, &patch), -EINVAL);
}

/* A line over the limit is skipped with one error, without holding it all. */
static void test_line_too_long(void **state)
{
	char *p = path_of("long.json");
	const char *specs[] = { p };
	struct rete_reader *r;
	size_t chunk = 1 << 20;
	char *junk = malloc(chunk);
	FILE *f = fopen(p, "we");
	uint64_t ts[4];
	size_t nerr;

	assert_non_null(junk);
	assert_non_null(f);
	memset(junk, 'x', chunk);
	fputs(EV(1), f);
	for (size_t i = 0; i <= RETE_READER_LINE_MAX / chunk; i++)
		assert_int_equal(fwrite(junk, 1, chunk, f), chunk);
	fputs("\n" EV(2), f);
	assert_int_equal(fclose(f), 0);
	free(junk);

	r = open_specs(specs, 1);
	assert_int_equal(read_all(r, ts, 4, &nerr), 2);
	assert_int_equal(nerr, 1);
	assert_int_equal(ts[1], 2);
	rete_reader_free(r);
	unlink(p);
	free(p);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_single_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotated_missing_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_literal_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unterminated_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_series_lines, setup, teardown),
		cmocka_unit_test(test_retis_sorted_file),
		cmocka_unit_test_setup_teardown(test_newer_version_note, setup, teardown),
		cmocka_unit_test(test_format_version),
		cmocka_unit_test_setup_teardown(test_line_too_long, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
