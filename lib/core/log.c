/* log.c — one structured line per event on stderr, written with a single write(2). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dj/date.h"
#include "dj/log.h"
#include "dj/banned.h"

static atomic_int min_level = DJ_LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error", "off" };

void dj_log_set_level(enum dj_log_level lv)
{
	atomic_store(&min_level, (int)lv);
}

int dj_log_level_parse(const char *s)
{
	for (int i = 0; i <= DJ_LOG_OFF; i++)
		if (s && strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

void dj_log(enum dj_log_level lv, const char *event, const char *fmt, ...)
{
	if ((int)lv < atomic_load(&min_level) || lv >= DJ_LOG_OFF)
		return;
	char line[2048], ts[26];
	int n = snprintf(line, sizeof(line), "ts=%s level=%s event=%s ", dj_time_rfc3339(dj_time_now(), ts),
			 level_names[lv], event);
	if (n < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	/* One record per line: newlines inside values would let input forge records. */
	for (size_t i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}
