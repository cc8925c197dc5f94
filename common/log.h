/* The one logging module: every console message of the program goes here.
 * Thread-safe; messages are single lines on stderr. */
#ifndef SC_LOG_H
#define SC_LOG_H

enum sc_log_level { SC_LOG_ERROR, SC_LOG_WARN, SC_LOG_INFO, SC_LOG_DEBUG };

/* Sets the most verbose level printed (default SC_LOG_INFO). */
void sc_log_set_level(enum sc_log_level level);

void sc_log(enum sc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like sc_log, but prints a message with the same key at most once a
 * second (for faults that repeat every frame, e.g. an unplugged camera).
 * key identifies the message source; returns 1 if printed. */
int sc_log_ratelimited(const char *key, enum sc_log_level level,
                       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define sc_err(...) sc_log(SC_LOG_ERROR, __VA_ARGS__)
#define sc_warn(...) sc_log(SC_LOG_WARN, __VA_ARGS__)
#define sc_info(...) sc_log(SC_LOG_INFO, __VA_ARGS__)
#define sc_debug(...) sc_log(SC_LOG_DEBUG, __VA_ARGS__)

#endif
