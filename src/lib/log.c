#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "lib/prog.h"

static enum rete_log_level current_level = RETE_LOG_INFO;

static const char *const level_names[RETE_LOG_MAX] = {
	[RETE_LOG_ERROR] = "error", [RETE_LOG_WARN] = "warn", [RETE_LOG_INFO] = "info",
	[RETE_LOG_DEBUG] = "debug", [RETE_LOG_TRACE] = "trace",
};

void rete_log_set_level(enum rete_log_level level)
{
	current_level = level;
}

enum rete_log_level rete_log_get_level(void)
{
	return current_level;
}

int rete_log_level_parse(const char *s, enum rete_log_level *ret_level)
{
	for (int i = 0; i < RETE_LOG_MAX; i++) {
		if (!strcmp(s, level_names[i])) {
			*ret_level = (enum rete_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void rete_log(enum rete_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > current_level)
		return;
	/* Errors and warnings are prefixed so they stand out; info is plain like Retis. */
	if (level == RETE_LOG_ERROR)
		fprintf(stderr, "%s: error: ", rete_prog_name());
	else if (level == RETE_LOG_WARN)
		fprintf(stderr, "%s: warning: ", rete_prog_name());
	else if (level >= RETE_LOG_DEBUG)
		fprintf(stderr, "%s: %s: ", rete_prog_name(), level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
