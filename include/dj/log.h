/* log.h — structured logging to stderr: one line per event, key=value pairs. */
#ifndef DJ_LOG_H
#define DJ_LOG_H

enum dj_log_level { DJ_LOG_DEBUG, DJ_LOG_INFO, DJ_LOG_WARN, DJ_LOG_ERROR, DJ_LOG_OFF };

/** Set the minimum level that is written (process-wide; default INFO). */
void dj_log_set_level(enum dj_log_level lv);
/** Parse "debug|info|warn|error|off"; returns -1 if unknown. */
int dj_log_level_parse(const char *s);
/** Write "ts=… level=… event=<event> <fmt…>" as one line. fmt should be key=value pairs;
 *  values from users must go through dj_log_quote-style %s of already-safe text. Thread-safe. */
void dj_log(enum dj_log_level lv, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define dj_log_info(ev, ...) dj_log(DJ_LOG_INFO, ev, __VA_ARGS__)
#define dj_log_warn(ev, ...) dj_log(DJ_LOG_WARN, ev, __VA_ARGS__)
#define dj_log_error(ev, ...) dj_log(DJ_LOG_ERROR, ev, __VA_ARGS__)
#define dj_log_debug(ev, ...) dj_log(DJ_LOG_DEBUG, ev, __VA_ARGS__)

#endif
