/* Terminal conventions: --color auto|always|never and the pager of print and sort. */
#ifndef RETE_LIB_TERM_H
#define RETE_LIB_TERM_H

#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

enum rete_color_mode {
	RETE_COLOR_AUTO,	/* when the output is a terminal and NO_COLOR is unset */
	RETE_COLOR_ALWAYS,
	RETE_COLOR_NEVER,
	RETE_COLOR_MAX,
};

/* The accepted values, for help texts and completion. */
#define RETE_COLOR_VALUES "auto always never"

/* "auto", "always" or "never": 0 or -EINVAL. */
int rete_color_mode_parse(const char *s, enum rete_color_mode *ret);
/* Whether to color what is written to fd. */
bool rete_color_use(enum rete_color_mode mode, int fd);

/* Default pager command when $PAGER is unset. */
#define RETE_PAGER_DEFAULT "less -FRX"

struct rete_pager {
	pid_t pid;		/* 0: no pager running */
	int saved_stdout;	/* stdout before the pager, restored at the end */
	struct sigaction old_int, old_quit;	/* restored at the end */
};

/*
 * Split a pager command into argv (in place, up to max - 1 words, NULL
 * terminated) when it is plain words; returns the number of words, 0 when
 * the command is empty, or -EINVAL when it needs a shell (quotes, $, |, ...).
 */
int rete_pager_split(char *cmd, char **argv, size_t max);

/*
 * Run `cmd` ($PAGER or RETE_PAGER_DEFAULT when NULL; "" and "cat" mean no
 * pager) with stdout going to it. Sets LESS=FRX and LV=-c when unset. The
 * caller checks that stdout is a terminal. SIGPIPE is ignored so that the
 * pager quitting early shows up as EPIPE on write. Returns 0 (also when no
 * pager is wanted: pager->pid stays 0) or -errno when the pager cannot run
 * (stdout is unchanged then).
 */
int rete_pager_start(struct rete_pager *pager, const char *cmd);
/*
 * Flush and close the pipe to the pager, wait for it, and restore stdout.
 * Safe to call when no pager runs.
 */
void rete_pager_finish(struct rete_pager *pager);

#endif
