/*
 * Terminal conventions. The pager follows git's: $PAGER run with stdout
 * piped to it, LESS=FRX when unset (quit when one screen is enough, keep
 * colors, leave the text on screen), and rete ignoring SIGINT while it runs
 * (^C belongs to the pager, which keeps the terminal until it quits).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/term.h"

#define PAGER_ARGS_MAX 32

static const char *const color_names[RETE_COLOR_MAX] = {
	[RETE_COLOR_AUTO] = "auto",
	[RETE_COLOR_ALWAYS] = "always",
	[RETE_COLOR_NEVER] = "never",
};

int rete_color_mode_parse(const char *s, enum rete_color_mode *ret)
{
	for (int i = 0; i < RETE_COLOR_MAX; i++) {
		if (!strcmp(s, color_names[i])) {
			*ret = (enum rete_color_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool rete_color_use(enum rete_color_mode mode, int fd)
{
	const char *no_color = getenv("NO_COLOR");

	switch (mode) {
	case RETE_COLOR_ALWAYS:
		return true;
	case RETE_COLOR_AUTO:
		/* https://no-color.org: set and not empty disables colors. */
		return !(no_color && no_color[0]) && isatty(fd);
	default:
		return false;
	}
}

int rete_pager_split(char *cmd, char **argv, size_t max)
{
	size_t n = 0;
	char *p = cmd, *save = NULL, *w;

	if (strpbrk(cmd, "'\"\\$`|&;<>(){}*?[]~#=\n"))
		return -EINVAL;
	while (n + 1 < max && (w = strtok_r(p, " \t", &save))) {
		argv[n++] = w;
		p = NULL;
	}
	if (n + 1 == max && strtok_r(NULL, " \t", &save))
		return -EINVAL;
	argv[n] = NULL;
	return (int)n;
}

static void pager_child(const char *cmd, int in, int errfd)
{
	char *argv[PAGER_ARGS_MAX], *copy = strdup(cmd);
	int rc, e;

	if (dup2(in, STDIN_FILENO) < 0)
		goto out_fail;
	signal(SIGPIPE, SIG_DFL);
	setenv("LESS", "FRX", 0);
	setenv("LV", "-c", 0);
	rc = copy ? rete_pager_split(copy, argv, PAGER_ARGS_MAX) : -ENOMEM;
	if (rc > 0)
		execvp(argv[0], argv);
	else
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
out_fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int rete_pager_start(struct rete_pager *pager, const char *cmd)
{
	int data[2], err[2], e = 0;
	ssize_t n;

	pager->pid = 0;
	pager->saved_stdout = -1;
	if (!cmd)
		cmd = getenv("PAGER");
	if (!cmd)
		cmd = RETE_PAGER_DEFAULT;
	cmd += strspn(cmd, " \t");
	if (!cmd[0] || !strcmp(cmd, "cat"))
		return 0;

	if (pipe2(data, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		e = errno;
		goto out_data;
	}
	fflush(stdout);
	pager->pid = fork();
	if (pager->pid < 0) {
		e = errno;
		pager->pid = 0;
		goto out_err;
	}
	if (!pager->pid) {
		close(data[1]);
		pager_child(cmd, data[0], err[1]);
	}
	close(err[1]);
	err[1] = -1;
	/* The error pipe closes on exec: nothing to read means the pager runs. */
	do
		n = read(err[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(e)) {
		waitpid(pager->pid, NULL, 0);
		pager->pid = 0;
		goto out_err;
	}
	e = 0;
	pager->saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (pager->saved_stdout < 0 || dup2(data[1], STDOUT_FILENO) < 0) {
		e = errno;
		close(data[1]);
		data[1] = -1;
		waitpid(pager->pid, NULL, 0);
		pager->pid = 0;
		if (pager->saved_stdout >= 0)
			close(pager->saved_stdout);
		pager->saved_stdout = -1;
		goto out_err;
	}
	signal(SIGPIPE, SIG_IGN);
	{
		struct sigaction ign = { .sa_handler = SIG_IGN };

		sigaction(SIGINT, &ign, &pager->old_int);
		sigaction(SIGQUIT, &ign, &pager->old_quit);
	}
out_err:
	close(err[0]);
	if (err[1] >= 0)
		close(err[1]);
out_data:
	close(data[0]);
	if (data[1] >= 0)
		close(data[1]);
	return -e;
}

void rete_pager_finish(struct rete_pager *pager)
{
	if (!pager->pid)
		return;
	/* The caller reported write errors already; EPIPE here is the pager gone. */
	fflush(stdout);
	clearerr(stdout);
	/* Replacing fd 1 closes the last write end: the pager sees the end. */
	dup2(pager->saved_stdout, STDOUT_FILENO);
	close(pager->saved_stdout);
	pager->saved_stdout = -1;
	while (waitpid(pager->pid, NULL, 0) < 0 && errno == EINTR)
		;
	pager->pid = 0;
	sigaction(SIGINT, &pager->old_int, NULL);
	sigaction(SIGQUIT, &pager->old_quit, NULL);
}
