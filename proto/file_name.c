#include "file_name.h"

#include <string.h>

static const struct type_ext {
  const char *mime;
  const char *ext[2]; /* [0] canonical */
} TYPES[] = {
    {"application/pdf", {"pdf", NULL}},
    {"image/jpeg", {"jpg", "jpeg"}},
    {"image/png", {"png", NULL}},
    {"image/tiff", {"tif", "tiff"}},
};

static const struct type_ext *type_of(const char *mime) {
  for (size_t i = 0; mime != NULL && i < sizeof TYPES / sizeof TYPES[0]; i++)
    if (strcmp(mime, TYPES[i].mime) == 0) return &TYPES[i];
  return NULL;
}

const char *mc_dom_file_ext(const char *mime) {
  const struct type_ext *t = type_of(mime);
  return t != NULL ? t->ext[0] : NULL;
}

static int special(char c) { return c != '\0' && strchr("$`;|&<>*?!\"'", c) != NULL; }
static int lead_strip(char c) { return c == '.' || c == '-' || c == '~' || c == ' '; }

static int ascii_ieq(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
    if (x != *b) return 0;
  }
  return *a == *b;
}

static int ext_ok(const char *name, const struct type_ext *t) {
  const char *dot = strrchr(name, '.');
  if (dot == NULL || dot == name) return 0;
  for (int i = 0; i < 2; i++)
    if (t->ext[i] != NULL && ascii_ieq(dot + 1, t->ext[i])) return 1;
  return 0;
}

/* Longest prefix of s[0..n) not over max bytes, ending on a character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max) {
  if (n <= max) return n;
  while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
  return max;
}

/* Rewrite characters, strip the ends; returns the length written. */
static size_t rewrite(const char *name, char *out) {
  size_t n = strlen(name), a = 0, len = 0;
  while (a < n && lead_strip(name[a])) a++;
  for (size_t i = a; i < n; i++) out[len++] = special(name[i]) ? '_' : name[i];
  while (len > 0 && (out[len - 1] == '.' || out[len - 1] == ' ')) len--;
  out[len] = '\0';
  return len;
}

enum mc_dom_fault mc_dom_file_name(const char *name, const char *mime, char *out, size_t cap) {
  char buf[MC_LIM_FILE_NAME + 1];
  if (out == NULL || cap < MC_LIM_FILE_NAME + 1) return MC_DOM_TOO_LONG;
  out[0] = '\0';
  enum mc_dom_fault f = mc_dom_text(name, MC_LIM_FILE_NAME, MC_TEXT_REQUIRED);
  if (f != MC_DOM_OK) return f;
  if (strpbrk(name, "/\\") != NULL) return MC_DOM_FORMAT; /* a path, never a name */
  size_t len = rewrite(name, buf);
  if (len == 0) len = (size_t)(stpcpy(buf, "file") - buf);
  const struct type_ext *t = type_of(mime);
  if (t == NULL || ext_ok(buf, t)) {
    memcpy(out, buf, len + 1);
    return MC_DOM_OK;
  }
  size_t ext = strlen(t->ext[0]) + 1;
  len = utf8_cut(buf, len, MC_LIM_FILE_NAME - ext);
  memcpy(out, buf, len);
  out[len] = '.';
  memcpy(out + len + 1, t->ext[0], ext);
  return MC_DOM_OK;
}
