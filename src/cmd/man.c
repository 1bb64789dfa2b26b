/*
 * rete man: manual pages in roff, generated from the same descriptors and
 * option tables as --help and completion (cmd.h): rete(1) and rete-NAME(1).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/log.h"
#include "lib/suggest.h"
#include "lib/term.h"

/*
 * Text for roff: backslashes and minus signs escaped, and a line starting
 * with '.' or '\'' protected. Lines are kept: roff fills them, and a line
 * starting with spaces keeps its break (the tables in descriptions).
 */
static void roff_text(FILE *f, const char *s, size_t n)
{
	bool bol = true;

	for (size_t i = 0; i < n && s[i]; i++) {
		char c = s[i];

		if (bol && (c == '.' || c == '\''))
			fputs("\\&", f);
		bol = c == '\n';
		if (c == '\\')
			fputs("\\e", f);
		else if (c == '-')
			fputs("\\-", f);
		else
			fputc(c, f);
	}
}

static void roff_str(FILE *f, const char *s)
{
	roff_text(f, s, strlen(s));
}

/* Paragraphs separated by blank lines become .PP; the text ends with a newline. */
static void roff_paragraphs(FILE *f, const char *s)
{
	const char *p = s;

	while (*p) {
		const char *end = strstr(p, "\n\n");
		size_t n = end ? (size_t)(end - p) + 1 : strlen(p);

		if (p != s)
			fputs(".PP\n", f);
		roff_text(f, p, n);
		if (!n || p[n - 1] != '\n')
			fputc('\n', f);
		p += n;
		while (*p == '\n')
			p++;
	}
}

/* An example block: literal lines, no filling. */
static void roff_examples(FILE *f, const char *s)
{
	fputs(".SH EXAMPLES\n.RS 4\n.nf\n", f);
	/* Examples are indented for --help; the block indents them here. */
	while (*s) {
		size_t n = strcspn(s, "\n");
		const char *line = s;

		while (n && *line == ' ') {
			line++;
			n--;
		}
		roff_text(f, line, n);
		fputc('\n', f);
		s = line + n;
		if (*s == '\n')
			s++;
	}
	fputs(".fi\n.RE\n", f);
}

static void roff_options(FILE *f, const struct rete_opt *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct rete_opt *o = &opts[i];

		fputs(".TP\n", f);
		if (o->short_name)
			fprintf(f, "\\fB\\-%c\\fR%s", o->short_name, o->long_name ? ", " : "");
		if (o->long_name) {
			fputs("\\fB\\-\\-", f);
			roff_str(f, o->long_name);
			fputs("\\fR", f);
		}
		if (o->arg == RETE_OPT_VALUE)
			fprintf(f, " \\fI%s\\fR", o->metavar);
		else if (o->arg == RETE_OPT_OPTIONAL)
			fprintf(f, " [\\fI%s\\fR]", o->metavar);
		fputc('\n', f);
		roff_str(f, o->help);
		fputc('\n', f);
	}
}

static void upper(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

static void man_th(FILE *f, const char *page)
{
	char up[64];

	upper(up, sizeof(up), page);
	fputs(".TH ", f);
	roff_str(f, up);
	fprintf(f, " 1 \"\" \"rete %s\" \"User Commands\"\n", RETE_VERSION);
}

static void man_rete(FILE *f, const struct rete_cli *cli)
{
	man_th(f, "rete");
	fputs(".SH NAME\nrete \\- trace packets through the Linux networking stack\n"
	      ".SH SYNOPSIS\n.B rete\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fICOMMAND OPTIONS\\fR]\n"
	      ".SH DESCRIPTION\n",
	      f);
	roff_paragraphs(f, cli->description);
	fputs(".SH COMMANDS\n", f);
	for (size_t i = 0; i < cli->ncmds; i++) {
		fputs(".TP\n.BR rete\\-", f);
		roff_str(f, cli->cmds[i]->name);
		fputs(" (1)\n", f);
		roff_str(f, cli->cmds[i]->summary);
		fputs(".\n", f);
	}
	fputs(".SH OPTIONS\nGlobal options come before the command.\n", f);
	roff_options(f, cli->opts, cli->nopts);
	roff_examples(f, cli->examples);
	fputs(".SH ENVIRONMENT\n"
	      ".TP\n.B PAGER\n"
	      "The pager of \\fBrete print\\fR and \\fBrete sort\\fR when standard output is a\n"
	      "terminal (default \\fB", f);
	roff_str(f, RETE_PAGER_DEFAULT);
	fputs("\\fR; empty or \\fBcat\\fR: no pager).\n"
	      ".TP\n.B LESS\n"
	      "Set to \\fBFRX\\fR for the pager when unset.\n"
	      ".TP\n.B NO_COLOR\n"
	      "When set and not empty, \\fB\\-\\-color auto\\fR prints no colors.\n"
	      ".SH FILES\n"
	      ".TP\n.I ~/.config/rete/profiles\n"
	      "User profiles (YAML), searched before the installed ones.\n"
	      ".TP\n.I ",
	      f);
	roff_str(f, RETE_DATADIR "/profiles");
	fputs("\nProfiles shipped with rete.\n.SH SEE ALSO\n", f);
	for (size_t i = 0; i < cli->ncmds; i++) {
		fputs(".BR rete\\-", f);
		roff_str(f, cli->cmds[i]->name);
		fprintf(f, " (1)%s\n", i + 1 < cli->ncmds ? "," : "");
	}
}

static void man_cmd(FILE *f, const struct rete_cli *cli, const struct rete_cmd *cmd)
{
	char page[64];

	snprintf(page, sizeof(page), "rete-%s", cmd->name);
	man_th(f, page);
	fputs(".SH NAME\n", f);
	roff_str(f, page);
	fputs(" \\- ", f);
	roff_str(f, cmd->summary);
	fputs("\n.SH SYNOPSIS\n.B rete\n[\\fIGLOBAL OPTIONS\\fR]\n.B ", f);
	roff_str(f, cmd->name);
	fputc('\n', f);
	roff_str(f, cmd->synopsis);
	fputs("\n.SH DESCRIPTION\n", f);
	roff_paragraphs(f, cmd->description);
	fputs(".SH OPTIONS\n", f);
	roff_options(f, cmd->opts, cmd->nopts);
	if (cmd->notes) {
		fputs(".SH NOTES\n", f);
		roff_paragraphs(f, cmd->notes);
	}
	if (cmd->examples)
		roff_examples(f, cmd->examples);
	fputs(".SH SEE ALSO\n.BR rete (1)\n", f);
}

void rete_man_write(FILE *f, const struct rete_cli *cli, const struct rete_cmd *cmd)
{
	fputs(".\\\" Generated by 'rete man'; edit the option tables in src/cmd, not this file.\n",
	      f);
	if (cmd)
		man_cmd(f, cli, cmd);
	else
		man_rete(f, cli);
}

enum { OPT_LIST, OPT_HELP };

static const struct rete_opt man_opts[] = {
	{ OPT_LIST, 'l', "list", RETE_OPT_FLAG, NULL,
	  "List the page names (rete, rete-collect, ...), one per line" },
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

const struct rete_cmd rete_cmd_man_desc = {
	.name = "man",
	.summary = "Print a manual page (roff) for rete or one of its commands",
	.synopsis = "[--list] [COMMAND]",
	.description =
		"Print the manual page of COMMAND (rete-COMMAND(1)), or of rete itself (rete(1))\n"
		"without COMMAND, in roff. The pages are generated from the same tables as\n"
		"--help; 'make install' installs them.\n",
	.examples = "  rete man collect | man -l -\n"
		    "  rete man > rete.1\n"
		    "  for p in $(rete man --list); do rete man $p > $p.1; done\n",
	.opts = man_opts,
	.nopts = sizeof(man_opts) / sizeof(man_opts[0]),
	.pos = RETE_CMD_POS_COMMAND,
	.run = rete_cmd_man,
};

static int man_handler(void *ctx, const struct rete_opt *o, const char *v, char *err,
		       size_t errlen)
{
	bool *flags = ctx;

	flags[o->id] = true;
	return 0;
}

int rete_cmd_man(const struct rete_global *g, int argc, char **argv)
{
	const struct rete_cli *cli = g->cli;
	const struct rete_cmd *cmd = NULL;
	const char *pos[2] = { NULL, NULL };
	bool flags[2] = { false, false };
	size_t npos = 0;
	char err[256];
	int rc;

	rc = rete_opts_parse(man_opts, rete_cmd_man_desc.nopts, argc - 1, argv + 1, false,
			     man_handler, flags, pos, 2, &npos, err, sizeof(err));
	if (rc < 0) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	if (flags[OPT_HELP]) {
		rete_cmd_usage(stdout, &rete_cmd_man_desc);
		return RETE_EXIT_OK;
	}
	if (npos > 1) {
		log_error("unexpected argument '%s' (one page at a time)", pos[1]);
		return RETE_EXIT_USAGE;
	}
	if (flags[OPT_LIST]) {
		puts("rete");
		for (size_t i = 0; i < cli->ncmds; i++)
			printf("rete-%s\n", cli->cmds[i]->name);
		return RETE_EXIT_OK;
	}
	if (npos && strcmp(pos[0], "rete")) {
		const char *name = pos[0];
		struct rete_suggest s;

		/* "rete-collect" (a page name) or "collect". */
		if (!strncmp(name, "rete-", 5))
			name += 5;
		cmd = rete_cli_find(cli, name);
		if (!cmd) {
			rete_suggest_init(&s, name);
			for (size_t i = 0; i < cli->ncmds; i++)
				rete_suggest_offer(&s, cli->cmds[i]->name);
			if (s.best)
				log_error("no manual page for '%s' (did you mean '%s'?)", pos[0],
					  s.best);
			else
				log_error("no manual page for '%s' (see rete man --list)", pos[0]);
			return RETE_EXIT_USAGE;
		}
	}
	rete_man_write(stdout, cli, cmd);
	if (fflush(stdout) || ferror(stdout)) {
		log_error("cannot write the page: %s", strerror(errno));
		return RETE_EXIT_FAIL;
	}
	return RETE_EXIT_OK;
}
