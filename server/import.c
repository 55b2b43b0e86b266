#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "error.h"
#include "officer.h"
#include "passwd.h"
#include "store.h"

#define IMPORT_MAX_ROWS 100000
#define IMPORT_THREADS 2

/* The file, opened without following a link: regular, owned by us or
 * root, mode 0600 (or stricter). */
static FILE *open_private(const char *path) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0) {
    fprintf(stderr, "motcua-server: officers-import: %s: %s\n", path, strerror(errno));
    return NULL;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
    fprintf(stderr,
            "motcua-server: officers-import: %s: must be a regular file of mode 0600 "
            "(it holds passwords)\n",
            path);
    close(fd);
    return NULL;
  }
  return fdopen(fd, "r");
}

/* Next tab-separated field of *p (NUL-terminated in place); NULL if none. */
static char *field(char **p) {
  if (*p == NULL) return NULL;
  char *f = *p, *tab = strchr(f, '\t');
  if (tab != NULL) *tab = '\0', *p = tab + 1;
  else *p = NULL;
  return f;
}

static int copy_text(char *dst, size_t n, const char *src, size_t max, unsigned flags) {
  if (src == NULL || mc_dom_text(src, max, flags) != MC_DOM_OK) return -1;
  snprintf(dst, n, "%s", src);
  return 0;
}

/* One line into r; 0, or -1 with *why. */
static int parse_line(char *line, mc_officer_import *r, const char **why) {
  char *p = line, *unit = field(&p), *login = field(&p), *pw = field(&p), *roles = field(&p),
       *name = field(&p), *title = field(&p);
  const char *bad = NULL;
  if (title == NULL || p != NULL) return *why = "want 6 tab-separated fields", -1;
  if (strcmp(unit, "admin") != 0 && mc_dom_proc_code(unit) != MC_DOM_OK)
    return *why = "unit code", -1;
  snprintf(r->unit, sizeof r->unit, "%.*s", MC_LIM_UNIT_CODE, unit);
  if (!mc_off_login_ok(login)) return *why = "login: 3-32 of a-z 0-9 . _ -", -1;
  snprintf(r->login, sizeof r->login, "%s", login);
  if (strlen(pw) > MC_LIM_PASSWORD || mc_off_password_check(pw, &(mc_off_pw_ctx){
          .login = login, .full_name = name, .unit_code = unit}, &bad) != 0)
    return *why = bad != NULL ? bad : "password", -1;
  snprintf(r->password, sizeof r->password, "%s", pw);
  OPENSSL_cleanse(pw, strlen(pw));
  if ((r->roles = mc_off_roles_parse(roles, &bad)) == 0)
    return *why = "roles: receiving,processing,leader,unit_admin", -1;
  if (copy_text(r->full_name, sizeof r->full_name, name, MC_LIM_OFFICER, MC_TEXT_REQUIRED) != 0)
    return *why = "full name", -1;
  if (copy_text(r->title, sizeof r->title, title, MC_LIM_TITLE, 0) != 0) return *why = "title", -1;
  return 0;
}

static int read_rows(FILE *f, mc_officer_import **rows, size_t *n) {
  char line[2048];
  size_t cap = 0, no = 0;
  *rows = NULL;
  *n = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    no++;
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#') continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      mc_officer_import *g = cap <= IMPORT_MAX_ROWS ? realloc(*rows, cap * sizeof *g) : NULL;
      if (g == NULL) return fprintf(stderr, "motcua-server: officers-import: too many lines\n"), 1;
      *rows = g;
    }
    mc_officer_import *r = &(*rows)[*n];
    const char *why = NULL;
    memset(r, 0, sizeof *r);
    r->line_no = no;
    if (parse_line(line, r, &why) != 0) {
      OPENSSL_cleanse(line, sizeof line);
      fprintf(stderr, "motcua-server: officers-import: line %zu: %s\n", no, why);
      return 1;
    }
    (*n)++;
  }
  OPENSSL_cleanse(line, sizeof line);
  return 0;
}

/* ---- hashing on threads ---------------------------------------------------- */

typedef struct hash_pool {
  mc_officer_import *rows;
  size_t n, next;
  mc_argon2 params;
  uv_mutex_t lock;
  int failed;
} hash_pool;

/* The stored hash when the password still verifies against it, else a new one. */
static int hash_row(const mc_argon2 *p, mc_officer_import *r) {
  int rc = 0;
  if (r->old_hash[0] != '\0' && mc_passwd_verify(r->old_hash, r->password) == 0)
    snprintf(r->new_hash, sizeof r->new_hash, "%s", r->old_hash);
  else rc = mc_passwd_hash(p, r->password, r->new_hash);
  OPENSSL_cleanse(r->password, sizeof r->password);
  return rc;
}

static void hash_thread(void *arg) {
  hash_pool *h = arg;
  for (;;) {
    uv_mutex_lock(&h->lock);
    size_t i = h->next < h->n ? h->next++ : h->n;
    uv_mutex_unlock(&h->lock);
    if (i >= h->n) return;
    if (hash_row(&h->params, &h->rows[i]) != 0) {
      uv_mutex_lock(&h->lock);
      h->failed = 1;
      uv_mutex_unlock(&h->lock);
    }
  }
}

static int hash_all(const mc_settings *cfg, mc_officer_import *rows, size_t n) {
  hash_pool h = {.rows = rows, .n = n,
                 .params = {(uint32_t)cfg->argon2_memory_kib, (uint32_t)cfg->argon2_iterations}};
  uv_thread_t t[IMPORT_THREADS];
  int started = 0;
  if (uv_mutex_init(&h.lock) != 0) return MC_EINTERNAL;
  for (int i = 0; i < IMPORT_THREADS; i++)
    if (uv_thread_create(&t[started], hash_thread, &h) == 0) started++;
  if (started == 0) hash_thread(&h);
  for (int i = 0; i < started; i++) uv_thread_join(&t[i]);
  uv_mutex_destroy(&h.lock);
  return h.failed ? MC_EINTERNAL : 0;
}

int mc_officers_import(const mc_settings *cfg, const char *path) {
  mc_officer_import *rows = NULL;
  size_t n = 0, created = 0, updated = 0;
  char err[512] = "";
  FILE *f = open_private(path);
  if (f == NULL) return 1;
  int rc = read_rows(f, &rows, &n);
  fclose(f);
  if (rc == 0 && mc_store_officers_fetch(cfg->db_conninfo, rows, n, err, sizeof err) != 0)
    rc = 2;
  if (rc == 0 && hash_all(cfg, rows, n) != 0) {
    snprintf(err, sizeof err, "password hashing failed (argon2_memory_kib=%ld)",
             cfg->argon2_memory_kib);
    rc = 2;
  }
  if (rc == 0 &&
      mc_store_officers_apply(cfg->db_conninfo, rows, n, &created, &updated, err, sizeof err) != 0)
    rc = 2;
  if (rows != NULL) OPENSSL_cleanse(rows, n * sizeof *rows);
  free(rows);
  if (rc == 2) fprintf(stderr, "motcua-server: officers-import: %s\n", err);
  if (rc == 0) printf("officers-import: %zu created, %zu updated\n", created, updated);
  return rc;
}
