/* Structured logging: one line per event, "ts level conn=N msg key=value...".
 * Arguments are not evaluated below the current level. Never log secrets
 * (keys, passwords, citizens' id numbers). */
#ifndef MC_LOG_H
#define MC_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum mc_log_level { MC_LOG_ERROR = 0, MC_LOG_WARN, MC_LOG_INFO, MC_LOG_DEBUG };

extern int mc_log_level_current;

/* "error", "warn", "info", "debug" -> level; -1 if unknown. */
int mc_log_level_parse(const char *name);

/* Replace line breaks and tabs in s[0..n) by spaces, and every other C0
 * control byte and DEL by '?' (mc_log_write applies it to each line). */
void mc_log_scrub(char *s, size_t n);

/* A peer's string made safe inside a quoted log value (key="..."): copied
 * into dst (at most cap - 1 bytes, cut on a UTF-8 boundary), '"' and '\\'
 * replaced by '\'', so it cannot close the quotes and forge a field.
 * Returns dst. */
const char *mc_log_quote(char *dst, size_t cap, const char *src);

/* conn = 0 means "not about a connection". */
void mc_log_write(int level, uint64_t conn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A libmicrohttpd external logger (MHD_OPTION_EXTERNAL_LOGGER, its cls a
 * const char * prefix such as "http"): one warning line per message,
 * trailing newlines cut. */
void mc_log_mhd(void *prefix, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define mc_log(level, conn, ...)                                  \
  do {                                                            \
    if ((level) <= mc_log_level_current)                          \
      mc_log_write((level), (conn), __VA_ARGS__);                 \
  } while (0)
#define mc_log_error(conn, ...) mc_log(MC_LOG_ERROR, conn, __VA_ARGS__)
#define mc_log_warn(conn, ...) mc_log(MC_LOG_WARN, conn, __VA_ARGS__)
#define mc_log_info(conn, ...) mc_log(MC_LOG_INFO, conn, __VA_ARGS__)
#define mc_log_debug(conn, ...) mc_log(MC_LOG_DEBUG, conn, __VA_ARGS__)

#endif
