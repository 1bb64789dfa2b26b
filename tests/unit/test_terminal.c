/*
 * Terminal conventions: colored text output, --color resolution, the pager,
 * and the completion scripts and man pages generated from the option tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "events/event.h"
#include "events/text.h"
#include "lib/term.h"

#define RESET RETE_TEXT_SGR_RESET
#define PROBE RETE_TEXT_SGR_PROBE
#define TRACK RETE_TEXT_SGR_TRACK
#define DROP RETE_TEXT_SGR_DROP

/* ---- colored text --------------------------------------------------------- */

static void drop_event(struct rete_event *ev, bool sorted)
{
	rete_event_set(ev, RETE_SEC_COMMON);
	ev->common.timestamp = 123;
	rete_event_set(ev, RETE_SEC_KERNEL);
	snprintf(ev->kernel.symbol, sizeof(ev->kernel.symbol), "skb:kfree_skb");
	snprintf(ev->kernel.probe_type, sizeof(ev->kernel.probe_type), "raw_tracepoint");
	rete_event_set(ev, RETE_SEC_SKB_TRACKING);
	ev->skb_tracking.orig_head = 0xffff8c08d4fed800ULL;
	ev->skb_tracking.timestamp = 0x15b55a02a28ULL;
	ev->skb_tracking.skb = 0xffff8c03b1dc0500ULL;
	if (sorted) {
		rete_event_set(ev, RETE_SEC_TRACKING);
		ev->tracking.orig_head = ev->skb_tracking.orig_head;
		ev->tracking.timestamp = ev->skb_tracking.timestamp;
		ev->tracking.skb = ev->skb_tracking.skb;
		ev->tracking.idx = 2;
	}
	rete_event_set(ev, RETE_SEC_SKB_DROP);
	snprintf(ev->skb_drop.drop_reason, sizeof(ev->skb_drop.drop_reason), "NO_SOCKET");
}

static char *render(const struct rete_event *ev, const struct rete_text_opts *o)
{
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	char *s;

	assert_int_equal(rete_text_event(ev, o, &sb), 0);
	s = strdup(rete_strbuf_str(&sb));
	rete_strbuf_free(&sb);
	return s;
}

static void test_color_header(void **state)
{
	struct rete_event ev = { 0 };
	struct rete_text_opts o = { .single_line = true, .color = true };
	char *s;

	drop_event(&ev, false);
	s = render(&ev, &o);
	assert_string_equal(s, "123 " PROBE "[tp] skb:kfree_skb" RESET " " TRACK
			       "#15b55a02a28ffff8c08d4fed800" RESET " (skb ffff8c03b1dc0500) " DROP
			       "drop (reason NO_SOCKET)" RESET);
	free(s);
}

static void test_color_sorted_subsys(void **state)
{
	struct rete_event ev = { 0 };
	struct rete_text_opts o = { .color = true, .indent = 1 };
	char *s;

	drop_event(&ev, true);
	snprintf(ev.skb_drop.subsys, sizeof(ev.skb_drop.subsys), "OVS");
	snprintf(ev.skb_drop.drop_reason, sizeof(ev.skb_drop.drop_reason), "DROP_EXPLICIT");
	s = render(&ev, &o);
	assert_string_equal(s, "  \xe2\x86\xb3 123 " PROBE "[tp] skb:kfree_skb" RESET " " TRACK
			       "#15b55a02a28ffff8c08d4fed800" RESET
			       " (skb ffff8c03b1dc0500) n 2 " DROP "drop (reason OVS/DROP_EXPLICIT)"
			       RESET);
	free(s);
}

/* Without color (the default) the text is the golden one, byte for byte. */
static void test_color_off(void **state)
{
	struct rete_event ev = { 0 };
	struct rete_text_opts o = { .single_line = true };
	char *s;

	drop_event(&ev, false);
	s = render(&ev, &o);
	assert_string_equal(s, "123 [tp] skb:kfree_skb #15b55a02a28ffff8c08d4fed800 "
			       "(skb ffff8c03b1dc0500) drop (reason NO_SOCKET)");
	assert_null(strchr(s, '\033'));
	free(s);
}

/* Only the header is colored: packet, stack and other sections stay plain. */
static void test_color_header_only(void **state)
{
	struct rete_event ev = { 0 };
	struct rete_text_opts o = { .color = true };
	char *s, *nl;

	drop_event(&ev, false);
	rete_event_set(&ev, RETE_SEC_NETNS);
	ev.netns.inum = 4026531840u;
	s = render(&ev, &o);
	nl = strchr(s, '\n');
	assert_non_null(nl);
	assert_string_equal(nl, "\n  ns 4026531840");
	free(s);
}

static void test_color_mode(void **state)
{
	enum rete_color_mode m;
	int p[2];

	assert_int_equal(rete_color_mode_parse("auto", &m), 0);
	assert_int_equal(m, RETE_COLOR_AUTO);
	assert_int_equal(rete_color_mode_parse("always", &m), 0);
	assert_int_equal(m, RETE_COLOR_ALWAYS);
	assert_int_equal(rete_color_mode_parse("never", &m), 0);
	assert_int_equal(m, RETE_COLOR_NEVER);
	assert_int_equal(rete_color_mode_parse("yes", &m), -EINVAL);
	assert_int_equal(rete_color_mode_parse("Auto", &m), -EINVAL);

	assert_int_equal(pipe(p), 0);
	unsetenv("NO_COLOR");
	assert_true(rete_color_use(RETE_COLOR_ALWAYS, p[1]));
	assert_false(rete_color_use(RETE_COLOR_NEVER, p[1]));
	assert_false(rete_color_use(RETE_COLOR_AUTO, p[1]));	/* not a terminal */
	setenv("NO_COLOR", "1", 1);
	assert_true(rete_color_use(RETE_COLOR_ALWAYS, p[1]));
	close(p[0]);
	close(p[1]);
	unsetenv("NO_COLOR");
}

/* auto on a terminal: colors unless NO_COLOR is set and not empty. */
static void test_color_auto_tty(void **state)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;

	if (m < 0 || grantpt(m) || unlockpt(m)) {
		if (m >= 0)
			close(m);
		skip();
	}
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	unsetenv("NO_COLOR");
	assert_true(rete_color_use(RETE_COLOR_AUTO, s));
	setenv("NO_COLOR", "", 1);
	assert_true(rete_color_use(RETE_COLOR_AUTO, s));
	setenv("NO_COLOR", "1", 1);
	assert_false(rete_color_use(RETE_COLOR_AUTO, s));
	assert_false(rete_color_use(RETE_COLOR_NEVER, s));
	unsetenv("NO_COLOR");
	close(s);
	close(m);
}

/* ---- pager ------------------------------------------------------------------ */

static void test_pager_split(void **state)
{
	char *argv[4];
	char a[] = "less -FRX", b[] = "  more  ", c[] = "less -R | cat", d[] = "",
	     e[] = "a b c d", f[] = "LESS=R less";

	assert_int_equal(rete_pager_split(a, argv, 4), 2);
	assert_string_equal(argv[0], "less");
	assert_string_equal(argv[1], "-FRX");
	assert_null(argv[2]);
	assert_int_equal(rete_pager_split(b, argv, 4), 1);
	assert_string_equal(argv[0], "more");
	assert_int_equal(rete_pager_split(c, argv, 4), -EINVAL);
	assert_int_equal(rete_pager_split(d, argv, 4), 0);
	assert_int_equal(rete_pager_split(e, argv, 4), -EINVAL);	/* too many words */
	assert_int_equal(rete_pager_split(f, argv, 4), -EINVAL);	/* needs a shell */
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The pager gets what is written to stdout, and stdout comes back after. */
static void test_pager_runs(void **state)
{
	char dir[] = "/tmp/rete-pager.XXXXXX", out[64], cmd[256];
	struct rete_pager pg;
	const char *text;

	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(cmd, sizeof(cmd), "cat > %s; echo \"LESS=$LESS\" >> %s", out, out);
	unsetenv("LESS");
	fflush(stdout);
	assert_int_equal(rete_pager_start(&pg, cmd), 0);
	assert_true(pg.pid > 0);
	printf("paged line\n");
	rete_pager_finish(&pg);
	assert_int_equal(pg.pid, 0);
	text = slurp(out);
	assert_non_null(text);
	assert_string_equal(text, "paged line\nLESS=FRX\n");
	unlink(out);
	rmdir(dir);
}

/* "cat" and "" mean no pager; a missing program is an error, stdout untouched. */
static void test_pager_none_and_missing(void **state)
{
	struct rete_pager pg;

	assert_int_equal(rete_pager_start(&pg, "cat"), 0);
	assert_int_equal(pg.pid, 0);
	assert_int_equal(rete_pager_start(&pg, ""), 0);
	assert_int_equal(pg.pid, 0);
	rete_pager_finish(&pg);
	assert_int_equal(rete_pager_start(&pg, "/nonexistent/pager -x"), -ENOENT);
	assert_int_equal(pg.pid, 0);
	assert_true(isatty(STDOUT_FILENO) || fcntl(STDOUT_FILENO, F_GETFD) >= 0);
}

/* A pager that quits early: writes fail with EPIPE, no signal kills us. */
static void test_pager_quits_early(void **state)
{
	struct rete_pager pg;
	char line[512];
	int err = 0;

	memset(line, 'x', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(rete_pager_start(&pg, "true"), 0);
	for (int i = 0; i < 10000 && !err; i++)
		if (fputs(line, stdout) == EOF || fflush(stdout))
			err = errno;
	assert_int_equal(err, EPIPE);
	rete_pager_finish(&pg);
	clearerr(stdout);
}

/* ---- completion and man pages from the tables ------------------------------------ */

static const struct rete_cmd *const all_cmds[] = {
	&rete_cmd_collect_desc, &rete_cmd_print_desc,	 &rete_cmd_sort_desc,
	&rete_cmd_stats_desc,	&rete_cmd_inspect_desc,	 &rete_cmd_profile_desc,
	&rete_cmd_pcap_desc,	&rete_cmd_complete_desc, &rete_cmd_man_desc,
};

static const struct rete_opt global_opts[] = {
	{ 0, 0, "log-level", RETE_OPT_VALUE, "LEVEL", "error, warn, info, debug or trace" },
	{ 1, 'p', "profile", RETE_OPT_VALUE, "LIST", "Profiles to apply" },
	{ 2, 'P', "extra-profiles-dir", RETE_OPT_VALUE, "DIR", "Look for profiles in DIR" },
	{ 3, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

static const struct rete_cli cli = {
	.cmds = all_cmds,
	.ncmds = sizeof(all_cmds) / sizeof(all_cmds[0]),
	.opts = global_opts,
	.nopts = sizeof(global_opts) / sizeof(global_opts[0]),
	.description = "rete traces packets.\n\nSecond paragraph.\n",
	.examples = "  rete collect\n  rete print x.json  # a comment\n",
};

static char *generate(void (*gen)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	gen(f, arg);
	fclose(f);
	return buf;
}

static void gen_shell(FILE *f, const void *arg)
{
	assert_int_equal(rete_complete_write(f, arg, &cli), 0);
}

static void test_complete_unknown_shell(void **state)
{
	assert_int_equal(rete_complete_write(stderr, "tcsh", &cli), -EINVAL);
}

/* Every option of every table shows up in every script, under its own command. */
static void test_complete_has_every_option(void **state)
{
	static const char *const shells[] = { "bash", "zsh", "fish" };
	char want[128];

	for (size_t sh = 0; sh < 3; sh++) {
		char *s = generate(gen_shell, shells[sh]);

		for (size_t c = 0; c < cli.ncmds; c++) {
			const struct rete_cmd *cmd = cli.cmds[c];

			assert_non_null(strstr(s, cmd->name));
			for (size_t i = 0; i < cmd->nopts; i++) {
				const struct rete_opt *o = &cmd->opts[i];

				if (o->long_name)
					snprintf(want, sizeof(want), sh == 2 ? "-l %s" : "--%s",
						 o->long_name);
				else
					snprintf(want, sizeof(want), sh == 2 ? "-s %c" : "-%c",
						 o->short_name);
				if (!strstr(s, want))
					fail_msg("%s: %s %s missing", shells[sh], cmd->name, want);
			}
		}
		free(s);
	}
}

static void test_complete_bash_values(void **state)
{
	char *s = generate(gen_shell, "bash");

	assert_non_null(strstr(s, "\"collect --format\")\n\t\t_rete_words 0 "
				  "\"multi-line single-line\""));
	assert_non_null(strstr(s, "\"collect --filter-mode\")\n\t\t_rete_words 0 "
				  "\"follow strict\""));
	assert_non_null(strstr(s, "\" --log-level\")\n\t\t_rete_words 0 "
				  "\"error warn info debug trace\""));
	assert_non_null(strstr(s, "\"collect --collectors\")\n\t\t_rete_words 1 \"auto "));
	assert_non_null(strstr(s, "\"collect --skb-sections\")\n\t\t_rete_words 1 "
				  "\"meta dataref gso all\""));
	assert_non_null(strstr(s, "\"sh-complete --shell\")\n\t\t_rete_words 0 "
				  "\"bash zsh fish\""));
	assert_non_null(strstr(s, "\"print --color\")\n\t\t_rete_words 0 "
				  "\"auto always never\""));
	assert_non_null(strstr(s, "\"sort -o\"|\"sort --out\")\n\t\t_rete_files -f"));
	assert_non_null(strstr(s, "\" -p\"|\" --profile\")\n\t\t_rete_words 1 "
				  "\"$(_rete_profiles)\""));
	assert_non_null(strstr(s, "\t\"\") _rete_words 0 \"collect print sort"));
	assert_non_null(strstr(s, "\tprint) _rete_files -f ;;"));
	assert_non_null(strstr(s, "complete -F _rete rete\n"));
	free(s);
}

static void test_value_kinds(void **state)
{
	const char *w = NULL;
	bool list = false;

	for (size_t i = 0; i < rete_cmd_collect_desc.nopts; i++) {
		const struct rete_opt *o = &rete_cmd_collect_desc.opts[i];
		enum rete_value_kind k = rete_opt_value_kind(&rete_cmd_collect_desc, o, &w, &list);

		if (o->arg == RETE_OPT_FLAG)
			assert_int_equal(k, RETE_VALUE_NONE);
		else if (o->long_name && !strcmp(o->long_name, "collectors"))
			assert_true(k == RETE_VALUE_WORDS && list && strstr(w, "skb-drop") &&
				    strstr(w, "auto"));
		else if (o->long_name && !strcmp(o->long_name, "out"))
			assert_int_equal(k, RETE_VALUE_FILE);
	}
	assert_int_equal(rete_opt_value_kind(NULL, &global_opts[1], &w, &list),
			 RETE_VALUE_PROFILE);
	assert_int_equal(rete_opt_value_kind(NULL, &global_opts[2], &w, &list), RETE_VALUE_DIR);
}

static void gen_man(FILE *f, const void *arg)
{
	rete_man_write(f, &cli, arg);
}

/* "--filter-packet" as it appears in roff. */
static void roff_name(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 3 < len; s++) {
		if (*s == '-')
			buf[n++] = '\\';
		buf[n++] = *s;
	}
	buf[n] = '\0';
}

static void test_man_has_every_option(void **state)
{
	char want[160], name[128];

	for (size_t c = 0; c < cli.ncmds; c++) {
		const struct rete_cmd *cmd = cli.cmds[c];
		char *s = generate(gen_man, cmd);

		snprintf(want, sizeof(want), ".TH RETE\\-");
		assert_non_null(strstr(s, want));
		assert_non_null(strstr(s, ".SH NAME\nrete\\-"));
		assert_non_null(strstr(s, ".SH OPTIONS\n"));
		for (size_t i = 0; i < cmd->nopts; i++) {
			const struct rete_opt *o = &cmd->opts[i];

			if (o->long_name) {
				snprintf(name, sizeof(name), "--%s", o->long_name);
				roff_name(want, sizeof(want), name);
			} else {
				snprintf(want, sizeof(want), "\\fB\\-%c\\fR", o->short_name);
			}
			if (!strstr(s, want))
				fail_msg("rete-%s(1): %s missing", cmd->name, want);
		}
		free(s);
	}
}

static void test_man_rete(void **state)
{
	char *s = generate(gen_man, NULL);

	assert_non_null(strstr(s, ".TH RETE 1 "));
	assert_non_null(strstr(s, "rete traces packets.\n.PP\nSecond paragraph.\n"));
	assert_non_null(strstr(s, ".BR rete\\-collect (1)\n"));
	assert_non_null(strstr(s, "\\fB\\-\\-extra\\-profiles\\-dir\\fR \\fIDIR\\fR\n"));
	/* Examples lose the --help indentation; comments keep their spaces. */
	assert_non_null(strstr(s, ".nf\nrete collect\nrete print x.json  # a comment\n.fi\n"));
	free(s);
}

/* Roff control characters at the start of a line are neutralized. */
static void test_man_escapes(void **state)
{
	static const struct rete_opt opts[] = {
		{ 0, 'x', NULL, RETE_OPT_FLAG, NULL, "'quoted' first\n.dot and a \\ backslash" },
	};
	static const struct rete_cmd cmd = {
		.name = "x", .summary = "s", .synopsis = "", .description = "d\n",
		.opts = opts, .nopts = 1,
	};
	char *s = generate(gen_man, &cmd);

	assert_non_null(strstr(s, "\n\\&'quoted' first\n\\&.dot and a \\e backslash\n"));
	free(s);
}

/* --help comes from the same descriptor: description, usage line, options, examples. */
static void test_usage(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	rete_cmd_usage(f, &rete_cmd_print_desc);
	fclose(f);
	assert_non_null(strstr(buf, "Usage: rete print [OPTIONS] [FILE...]\n"));
	assert_non_null(strstr(buf, "      --no-pager "));
	assert_non_null(strstr(buf, "\nExamples:\n  rete print events.json\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_color_header),
		cmocka_unit_test(test_color_sorted_subsys),
		cmocka_unit_test(test_color_off),
		cmocka_unit_test(test_color_header_only),
		cmocka_unit_test(test_color_mode),
		cmocka_unit_test(test_color_auto_tty),
		cmocka_unit_test(test_pager_split),
		cmocka_unit_test(test_pager_runs),
		cmocka_unit_test(test_pager_none_and_missing),
		cmocka_unit_test(test_pager_quits_early),
		cmocka_unit_test(test_complete_unknown_shell),
		cmocka_unit_test(test_complete_has_every_option),
		cmocka_unit_test(test_complete_bash_values),
		cmocka_unit_test(test_value_kinds),
		cmocka_unit_test(test_man_has_every_option),
		cmocka_unit_test(test_man_rete),
		cmocka_unit_test(test_man_escapes),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
