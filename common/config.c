#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (err != NULL && errlen > 0) vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return MC_ECONFIG;
}

static const mc_option *find_opt(const mc_option *tab, const char *section,
                                 const char *name) {
  for (const mc_option *o = tab; o->name != NULL; o++) {
    if (strcmp(o->name, name) != 0) continue;
    if (section == NULL || strcmp(o->section, section) == 0) return o;
  }
  return NULL;
}

static int parse_bool(const char *v, int *out) {
  static const char *const yes[] = {"1", "yes", "true", "on"};
  static const char *const no[] = {"0", "no", "false", "off"};
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(v, yes[i]) == 0) return *out = 1, 0;
    if (strcasecmp(v, no[i]) == 0) return *out = 0, 0;
  }
  return -1;
}

static int set_value(const mc_option *o, void *target, const char *value,
                     char *err, size_t errlen) {
  char *field = (char *)target + o->offset;
  if (o->type == MC_OPT_STR) {
    size_t n = strlen(value);
    if (n >= (size_t)o->max)
      return fail(err, errlen, "%s: value too long (%zu bytes, max %ld)", o->name,
                  n, o->max - 1);
    memcpy(field, value, n + 1);
    return 0;
  }
  if (o->type == MC_OPT_BOOL) {
    if (parse_bool(value, (int *)(void *)field) != 0)
      return fail(err, errlen, "%s: expected yes/no, got \"%s\"", o->name, value);
    return 0;
  }
  char *end;
  errno = 0;
  long v = strtol(value, &end, 10);
  if (errno != 0 || end == value || *end != '\0')
    return fail(err, errlen, "%s: expected an integer, got \"%s\"", o->name, value);
  if (v < o->min || v > o->max)
    return fail(err, errlen, "%s: %ld out of range [%ld, %ld]", o->name, v,
                o->min, o->max);
  *(long *)(void *)field = v;
  return 0;
}

int mc_config_defaults(const mc_option *tab, void *target, char *err,
                       size_t errlen) {
  for (const mc_option *o = tab; o->name != NULL; o++) {
    const char *d = o->def != NULL ? o->def : (o->type == MC_OPT_STR ? "" : "0");
    int rc = set_value(o, target, d, err, errlen);
    if (rc != 0) return rc;
  }
  return 0;
}

int mc_config_set(const mc_option *tab, void *target, const char *name,
                  const char *value, char *err, size_t errlen) {
  const mc_option *o = find_opt(tab, NULL, name);
  if (o == NULL) return fail(err, errlen, "unknown option \"%s\"", name);
  return set_value(o, target, value, err, errlen);
}

struct load_ctx {
  const mc_option *tab;
  void *target;
  char *err;
  size_t errlen;
  int rc;
};

static int config_ini_cb(void *user, const char *section, const char *name,
                       const char *value) {
  struct load_ctx *c = user;
  if (c->rc != 0) return 0;
  const mc_option *o = find_opt(c->tab, section, name);
  if (o == NULL) {
    c->rc = fail(c->err, c->errlen, "unknown key \"%s\" in section [%s]", name,
                 section);
    return 0;
  }
  c->rc = set_value(o, c->target, value, c->err, c->errlen);
  return c->rc == 0;
}

/* inih reads a line into INI_MAX_LINE bytes and takes the rest of a
 * longer one as the next line: a long value (a multi-host db_conninfo)
 * would be cut and its tail read as another key. Refused here instead,
 * naming the line. 0, or the number of the first line too long. */
static int long_line(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return 0; /* ini_parse reports it */
  int line = 1, len = 0, ch, bad = 0;
  while ((ch = getc(f)) != EOF) {
    if (ch == '\n') {
      line++;
      len = 0;
    } else if (++len >= INI_MAX_LINE - 1) {
      bad = line;
      break;
    }
  }
  fclose(f);
  return bad;
}

int mc_config_load(const mc_option *tab, void *target, const char *path,
                   char *err, size_t errlen) {
  struct load_ctx c = {tab, target, err, errlen, 0};
  int bad = long_line(path);
  if (bad != 0)
    return fail(err, errlen, "%s:%d: line longer than %d bytes", path, bad, INI_MAX_LINE - 2);
  int r = ini_parse(path, config_ini_cb, &c);
  if (c.rc != 0) {
    char inner[256];
    snprintf(inner, sizeof inner, "%s", err != NULL ? err : "");
    return fail(err, errlen, "%s: %s", path, inner);
  }
  if (r == -1) return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
  if (r != 0) return fail(err, errlen, "%s:%d: syntax error", path, r);
  return 0;
}

int mc_config_args(const mc_option *tab, void *target, int *argc, char **argv,
                   char *err, size_t errlen) {
  int out = 0;
  for (int i = 0; i < *argc; i++) {
    const char *a = argv[i];
    const char *eq = a[0] == '-' && a[1] == '-' ? strchr(a, '=') : NULL;
    char name[128];
    size_t n = eq != NULL ? (size_t)(eq - a - 2) : 0;
    if (eq == NULL || n == 0 || n >= sizeof name) {
      argv[out++] = argv[i];
      continue;
    }
    memcpy(name, a + 2, n);
    name[n] = '\0';
    if (find_opt(tab, NULL, name) == NULL) {
      argv[out++] = argv[i];
      continue;
    }
    int rc = mc_config_set(tab, target, name, eq + 1, err, errlen);
    if (rc != 0) return rc;
  }
  *argc = out;
  if (out >= 0) argv[out] = NULL;
  return 0;
}
