/* Leveled logging to stderr. stdout carries data only. */
#ifndef RETE_LIB_LOG_H
#define RETE_LIB_LOG_H

enum rete_log_level {
	RETE_LOG_ERROR,
	RETE_LOG_WARN,
	RETE_LOG_INFO,
	RETE_LOG_DEBUG,
	RETE_LOG_TRACE,
	RETE_LOG_MAX,
};

void rete_log_set_level(enum rete_log_level level);
enum rete_log_level rete_log_get_level(void);
/* Parse "error", "warn", ...; returns 0 or -EINVAL. */
int rete_log_level_parse(const char *s, enum rete_log_level *ret_level);
void rete_log(enum rete_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) rete_log(RETE_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) rete_log(RETE_LOG_WARN, __VA_ARGS__)
#define log_info(...) rete_log(RETE_LOG_INFO, __VA_ARGS__)
#define log_debug(...) rete_log(RETE_LOG_DEBUG, __VA_ARGS__)

#endif
