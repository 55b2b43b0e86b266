/* Client-side checks of command arguments, mirroring the server's limits so
 * that a clerk gets a clear message before anything is sent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

/* Length of the UTF-8 sequence starting at p (strict: no overlongs, no
 * surrogates, <= U+10FFFF), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p) {
  if (p[0] < 0x80) return 1;
  if (p[0] >= 0xC2 && p[0] <= 0xDF) return (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (p[0] >= 0xE0 && p[0] <= 0xEF) {
    if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (p[0] == 0xE0 && p[1] < 0xA0) return 0;
    if (p[0] == 0xED && p[1] >= 0xA0) return 0;
    return 3;
  }
  if (p[0] >= 0xF0 && p[0] <= 0xF4) {
    if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
      return 0;
    if (p[0] == 0xF0 && p[1] < 0x90) return 0;
    if (p[0] == 0xF4 && p[1] >= 0x90) return 0;
    return 4;
  }
  return 0;
}

/* Valid UTF-8 without C0/C1 controls or DEL, and not only blanks. */
static int clean_text(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  int visible = 0;
  while (*p) {
    size_t n = utf8_seq(p);
    if (n == 0 || *p < 0x20 || *p == 0x7F) return 0;
    if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) return 0; /* C1 controls */
    if (*p != ' ') visible = 1;
    p += n;
  }
  return visible;
}

enum mc_msg mc_cli_check_name(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NEED_NAME;
  if (strlen(s) > MC_CLI_NAME_MAX) return MSG_ERR_NAME_TOO_LONG;
  return clean_text(s) ? MSG_NONE : MSG_ERR_NAME_INVALID;
}

enum mc_msg mc_cli_check_citizen_id(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NEED_ID;
  size_t n = strlen(s);
  return (n == 9 || n == 12) && all_digits(s, n) ? MSG_NONE : MSG_ERR_ID_FORMAT;
}

enum mc_msg mc_cli_check_phone(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_NONE;
  size_t n = strlen(s);
  return n <= MC_CLI_PHONE_MAX && all_digits(s, n) ? MSG_NONE : MSG_ERR_PHONE_FORMAT;
}

static int code_chars(const char *s, const char *extra) {
  for (; *s; s++) {
    char ch = *s;
    int ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
             (ch >= 'a' && ch <= 'z') || strchr(extra, ch) != NULL;
    if (!ok) return 0;
  }
  return 1;
}

enum mc_msg mc_cli_check_procedure(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NEED_PROCEDURE;
  if (strlen(s) > MC_CLI_PROC_CODE_MAX || !code_chars(s, ".-_"))
    return MSG_ERR_PROCEDURE_FORMAT;
  return MSG_NONE;
}

enum mc_msg mc_cli_check_dossier_code(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NEED_CODE;
  if (strlen(s) > MC_CLI_DOSSIER_CODE_MAX || !code_chars(s, ".-"))
    return MSG_ERR_CODE_FORMAT;
  return MSG_NONE;
}

enum mc_msg mc_cli_check_officer(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NO_OFFICER;
  if (strlen(s) > MC_CLI_OFFICER_MAX || !clean_text(s)) return MSG_ERR_OFFICER_TOO_LONG;
  return MSG_NONE;
}

int mc_cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out) {
  char *end;
  if (s == NULL || s[0] < '0' || s[0] > '9') return -1;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) return -1;
  *out = (unsigned)v;
  return 0;
}
