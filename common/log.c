#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int mc_log_level_current = MC_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int mc_log_level_parse(const char *name) {
  for (int i = 0; i < 4; i++)
    if (strcmp(name, level_names[i]) == 0) return i;
  return -1;
}

/* Keep one event on one line whatever a message contained, and no
 * terminal control sequence in the file: a peer's string (a client
 * version, an officer name) is written as text, never as escape bytes. */
void mc_log_scrub(char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\n' || c == '\r' || c == '\t') s[i] = ' ';
    else if (c < 0x20 || c == 0x7f) s[i] = '?';
  }
}

const char *mc_log_quote(char *dst, size_t cap, const char *src) {
  size_t n = 0;
  if (cap == 0) return dst;
  for (; src != NULL && src[n] != '\0' && n + 1 < cap; n++)
    dst[n] = src[n] == '"' || src[n] == '\\' ? '\'' : src[n];
  while (n > 0 && src[n] != '\0' && ((unsigned char)src[n] & 0xC0) == 0x80) n--; /* whole chars */
  dst[n] = '\0';
  return dst;
}

void mc_log_write(int level, uint64_t conn, const char *fmt, ...) {
  char line[2048];
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
  n += snprintf(line + n, sizeof line - (size_t)n, ".%03ldZ level=%s",
                ts.tv_nsec / 1000000, level_names[level & 3]);
  if (conn != 0)
    n += snprintf(line + n, sizeof line - (size_t)n, " conn=%llu",
                  (unsigned long long)conn);
  line[n++] = ' ';
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (m < 0) m = 0;
  n += m;
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  mc_log_scrub(line, (size_t)n);
  line[n++] = '\n';
  fwrite(line, 1, (size_t)n, stderr);
}

void mc_log_mhd(void *prefix, const char *fmt, va_list ap) {
  char buf[512];
  vsnprintf(buf, sizeof buf, fmt, ap);
  size_t n = strlen(buf);
  while (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
  mc_log_warn(0, "%s: %s", prefix != NULL ? (const char *)prefix : "http", buf);
}
