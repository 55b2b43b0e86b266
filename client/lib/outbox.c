/* mc_outbox: the store (SQLite, WAL, synchronous=FULL) and pure helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "error.h"
#include "outbox_internal.h"
#include "tls.h"

#define BUSY_TIMEOUT_MS 10000
#define ITEM_COLS                                                                       \
  "id, created_at, kind, dossier, provisional, summary, depends_on, state, attempts, " \
  "last_error, next_attempt_at, real_code, result_status, delivered_at, officer"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS items ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " created_at INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " dossier TEXT NOT NULL DEFAULT '',"
    " provisional TEXT NOT NULL DEFAULT '',"
    " summary TEXT NOT NULL DEFAULT '',"
    " body BLOB,"
    " depends_on INTEGER NOT NULL DEFAULT 0,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " next_attempt_at INTEGER NOT NULL DEFAULT 0,"
    " real_code TEXT NOT NULL DEFAULT '',"
    " result_status INTEGER NOT NULL DEFAULT 0,"
    " delivered_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS items_state ON items(state, id);"
    "CREATE INDEX IF NOT EXISTS items_dossier ON items(dossier, state);"
    "CREATE INDEX IF NOT EXISTS items_provisional ON items(provisional);";

/* Version 2: the login of the officer who queued the item ("" = before
 * version 2, or not known). Two processes may open an old file at once:
 * the one whose ALTER loses finds the column there. */
static int has_officer_column(mc_outbox *ob) {
  sqlite3_stmt *st = NULL;
  int ok = sqlite3_prepare_v2(ob->db, "SELECT officer FROM items LIMIT 0", -1, &st, NULL) ==
           SQLITE_OK;
  sqlite3_finalize(st);
  return ok;
}

static int upgrade_v2(mc_outbox *ob, char **msg) {
  if (has_officer_column(ob)) return SQLITE_OK;
  int rc = sqlite3_exec(ob->db, "ALTER TABLE items ADD COLUMN officer TEXT NOT NULL DEFAULT ''",
                        NULL, NULL, msg);
  if (rc != SQLITE_OK && has_officer_column(ob)) {
    sqlite3_free(*msg);
    *msg = NULL;
    rc = SQLITE_OK;
  }
  return rc != SQLITE_OK ? rc : sqlite3_exec(ob->db, "PRAGMA user_version = 2", NULL, NULL, msg);
}

__attribute__((format(printf, 2, 3))) static int fail(mc_outbox *ob, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ob->err, sizeof ob->err, fmt, ap);
  va_end(ap);
  return MC_EIO;
}

static int db_fail(mc_outbox *ob, const char *what) {
  return fail(ob, "outbox %s: %s: %s", ob->path, what, sqlite3_errmsg(ob->db));
}

static void copy_text(char *dst, size_t size, const unsigned char *src) {
  snprintf(dst, size, "%s", src != NULL ? (const char *)src : "");
}

const char *mc_outbox_errmsg(const mc_outbox *ob) { return ob->err; }

/* ---- pure helpers --------------------------------------------------------- */

uint64_t mc_outbox_backoff_ms(unsigned attempts, uint32_t rnd) {
  unsigned shift = attempts <= 1 ? 0 : attempts - 1;
  uint64_t d = MC_OUTBOX_BACKOFF_MAX_MS;
  if (shift < 20) d = (uint64_t)MC_OUTBOX_BACKOFF_MIN_MS << shift;
  if (d > MC_OUTBOX_BACKOFF_MAX_MS) d = MC_OUTBOX_BACKOFF_MAX_MS;
  return d - rnd % (d / 4 + 1);
}

int mc_outbox_is_transient_refusal(int err) {
  /* no officer session (it ended, or nobody logged in since): the item
   * waits for the next login instead of being rejected (issue 15) */
  return err == MC_EUNAVAIL || err == MC_EBUSY || err == MC_ETIMEOUT || err == MC_ELOGIN ||
         err == MC_EPWCHANGE;
}

int mc_outbox_is_provisional(const char *s) {
  size_t n = strlen(MC_OUTBOX_PROVISIONAL_PREFIX);
  return s != NULL && strncmp(s, MC_OUTBOX_PROVISIONAL_PREFIX, n) == 0 && s[n] != '\0';
}

int mc_outbox_space_is_low(uint64_t avail, uint64_t total, uint64_t min_bytes) {
  if (avail < min_bytes) return 1;
  return total > 0 && avail < total / 100 * MC_OUTBOX_LOW_DISK_PERCENT;
}

static void dir_of(const char *path, char *dir, size_t size) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL) {
    snprintf(dir, size, ".");
    return;
  }
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  if (n >= size) n = size - 1;
  memcpy(dir, path, n);
  dir[n] = '\0';
}

int mc_outbox_disk_low(const char *path, uint64_t min_bytes, uint64_t *avail) {
  char dir[MC_CLIENT_PATH_MAX];
  struct statvfs vfs;
  dir_of(path, dir, sizeof dir);
  if (statvfs(dir, &vfs) != 0) return MC_EIO;
  uint64_t a = (uint64_t)vfs.f_bavail * vfs.f_frsize;
  uint64_t t = (uint64_t)vfs.f_blocks * vfs.f_frsize;
  if (avail != NULL) *avail = a;
  return mc_outbox_space_is_low(a, t, min_bytes ? min_bytes : MC_OUTBOX_LOW_DISK_BYTES);
}

char **mc_outbox_req_code(Motcua__Envelope *req) {
  if (req->body_case == MOTCUA__ENVELOPE__BODY_FORWARD && req->forward != NULL)
    return &req->forward->code;
  if (req->body_case == MOTCUA__ENVELOPE__BODY_ACTION && req->action != NULL)
    return &req->action->code;
  return NULL;
}

const char *mc_outbox_state_name(int state) {
  return state == MC_OUTBOX_DELIVERED  ? "delivered"
         : state == MC_OUTBOX_REJECTED ? "rejected"
                                       : "pending";
}

/* ---- configuration -------------------------------------------------------- */

int mc_outbox_cert_unit(const char *cert_path, char *unit, size_t size, char *err,
                        size_t errlen) {
  mc_peer_id id;
  FILE *f = fopen(cert_path, "r");
  X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
  int rc = x != NULL ? mc_tls_peer_identity(x, &id) : MC_ECONFIG;
  if (f != NULL) fclose(f);
  X509_free(x);
  if (rc != MC_OK) {
    snprintf(err, errlen, "cannot read the unit code (CN) from %s", cert_path);
    return MC_ECONFIG;
  }
  snprintf(unit, size, "%s", id.unit);
  return MC_OK;
}

int mc_outbox_config_path(const mc_client_config *cfg, char *path, size_t size,
                          char *unit_out, size_t unit_size, char *err, size_t errlen) {
  int rc = mc_outbox_cert_unit(cfg->cert, unit_out, unit_size, err, errlen);
  if (rc != MC_OK) return rc;
  int n = cfg->outbox[0] != '\0'
              ? snprintf(path, size, "%s", cfg->outbox)
              : snprintf(path, size, "%s/outbox-%s.db",
                         cfg->config_dir[0] ? cfg->config_dir : ".", unit_out);
  if (n < 0 || (size_t)n >= size) {
    snprintf(err, errlen, "outbox path too long");
    return MC_ECONFIG;
  }
  return MC_OK;
}

/* ---- open / close ----------------------------------------------------------- */

/* Create the file with mode 0600 before SQLite does (its WAL and shm files
 * take the database file's mode). */
static int create_private(const char *path) {
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return MC_EIO;
  close(fd);
  return MC_OK;
}

static int setup_db(mc_outbox *ob) {
  char *msg = NULL;
  sqlite3_busy_timeout(ob->db, BUSY_TIMEOUT_MS);
  if (sqlite3_exec(ob->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
                   &msg) != SQLITE_OK ||
      sqlite3_exec(ob->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
      upgrade_v2(ob, &msg) != SQLITE_OK) {
    fail(ob, "outbox %s: %s", ob->path, msg ? msg : sqlite3_errmsg(ob->db));
    sqlite3_free(msg);
    return MC_EIO;
  }
  return MC_OK;
}

int mc_outbox_open(const char *path, const char *unit, mc_outbox **out, char *err,
                   size_t errlen) {
  mc_outbox *ob = calloc(1, sizeof *ob);
  int rc = MC_ENOMEM;
  *out = NULL;
  if (ob == NULL) goto fail_alloc;
  snprintf(ob->path, sizeof ob->path, "%s", path);
  snprintf(ob->unit, sizeof ob->unit, "%s", unit);
  rc = MC_EIO;
  if (create_private(path) != 0) {
    snprintf(err, errlen, "outbox %s: cannot create: %s", path, strerror(errno));
    goto fail_file;
  }
  if (sqlite3_open_v2(path, &ob->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
          SQLITE_OK ||
      setup_db(ob) != MC_OK) {
    if (ob->err[0] == '\0') db_fail(ob, "open");
    snprintf(err, errlen, "%s", ob->err);
    goto fail_db;
  }
  *out = ob;
  return MC_OK;
fail_db:
  sqlite3_close(ob->db);
fail_file:
  free(ob);
fail_alloc:
  if (rc == MC_ENOMEM) snprintf(err, errlen, "out of memory");
  return rc;
}

void mc_outbox_close(mc_outbox *ob) {
  if (ob == NULL) return;
  sqlite3_close(ob->db);
  free(ob);
}

/* ---- statements ------------------------------------------------------------- */

static sqlite3_stmt *prepare(mc_outbox *ob, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK) {
    db_fail(ob, "prepare");
    return NULL;
  }
  return st;
}

static void read_item(sqlite3_stmt *st, mc_outbox_item *it) {
  memset(it, 0, sizeof *it);
  it->id = sqlite3_column_int64(st, 0);
  it->created_at_ms = sqlite3_column_int64(st, 1);
  copy_text(it->kind, sizeof it->kind, sqlite3_column_text(st, 2));
  copy_text(it->dossier, sizeof it->dossier, sqlite3_column_text(st, 3));
  copy_text(it->provisional, sizeof it->provisional, sqlite3_column_text(st, 4));
  copy_text(it->summary, sizeof it->summary, sqlite3_column_text(st, 5));
  it->depends_on = sqlite3_column_int64(st, 6);
  it->state = sqlite3_column_int(st, 7);
  it->attempts = (unsigned)sqlite3_column_int(st, 8);
  copy_text(it->last_error, sizeof it->last_error, sqlite3_column_text(st, 9));
  it->next_attempt_ms = sqlite3_column_int64(st, 10);
  copy_text(it->real_code, sizeof it->real_code, sqlite3_column_text(st, 11));
  it->result_status = (unsigned)sqlite3_column_int(st, 12);
  it->delivered_at_ms = sqlite3_column_int64(st, 13);
  copy_text(it->officer, sizeof it->officer, sqlite3_column_text(st, 14));
}

/* Step a one-row query: 1 row read into it, 0 none, MC_EIO. Finalises. */
static int one_item(mc_outbox *ob, sqlite3_stmt *st, mc_outbox_item *it) {
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_item(st, it);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) db_fail(ob, "read");
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : MC_EIO;
}

/* Run a statement without rows; finalises. */
static int exec_stmt(mc_outbox *ob, sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? MC_OK : db_fail(ob, "write");
}

static int exec_sql(mc_outbox *ob, const char *sql) {
  return sqlite3_exec(ob->db, sql, NULL, NULL, NULL) == SQLITE_OK ? MC_OK : db_fail(ob, sql);
}

int mc_outbox_get(mc_outbox *ob, int64_t id, mc_outbox_item *out) {
  sqlite3_stmt *st = prepare(ob, "SELECT " ITEM_COLS " FROM items WHERE id = ?1");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = one_item(ob, st, out);
  return rc == 1 ? MC_OK : rc == 0 ? MC_ENOTFOUND : rc;
}

int mc_outbox_find_provisional(mc_outbox *ob, const char *provisional, mc_outbox_item *out) {
  sqlite3_stmt *st = prepare(ob, "SELECT " ITEM_COLS " FROM items WHERE provisional = ?1 "
                                 "AND kind = 'receive'");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_text(st, 1, provisional, -1, SQLITE_TRANSIENT);
  int rc = one_item(ob, st, out);
  return rc == 1 ? MC_OK : rc == 0 ? MC_ENOTFOUND : rc;
}

/* The last pending item acting on dossier (directly, through the real code
 * of a delivered receive, or through the provisional number of one). */
static int last_pending(mc_outbox *ob, const char *dossier, mc_outbox_item *it) {
  sqlite3_stmt *st = prepare(
      ob, "SELECT " ITEM_COLS " FROM items WHERE state = 0 AND (dossier = ?1"
          " OR dossier IN (SELECT provisional FROM items WHERE real_code = ?1 AND provisional <> '')"
          " OR dossier IN (SELECT real_code FROM items WHERE provisional = ?1 AND real_code <> ''))"
          " ORDER BY id DESC LIMIT 1");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_text(st, 1, dossier, -1, SQLITE_TRANSIENT);
  return one_item(ob, st, it);
}

int mc_outbox_has_pending(mc_outbox *ob, const char *dossier) {
  mc_outbox_item it;
  return last_pending(ob, dossier, &it);
}

int mc_outbox_pending_count(mc_outbox *ob, size_t *n) {
  sqlite3_stmt *st = prepare(ob, "SELECT count(*) FROM items WHERE state = 0");
  if (st == NULL) return MC_EIO;
  int rc = sqlite3_step(st);
  *n = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? MC_OK : db_fail(ob, "count");
}

static int grow(mc_outbox_item **items, size_t *cap, size_t n) {
  if (n < *cap) return MC_OK;
  size_t c = *cap ? *cap * 2 : 16;
  mc_outbox_item *p = realloc(*items, c * sizeof *p);
  if (p == NULL) return MC_ENOMEM;
  *items = p;
  *cap = c;
  return MC_OK;
}

int mc_outbox_list(mc_outbox *ob, int all, mc_outbox_item **items, size_t *n) {
  sqlite3_stmt *st = prepare(ob, all ? "SELECT " ITEM_COLS " FROM items ORDER BY id"
                                     : "SELECT " ITEM_COLS " FROM items WHERE state <> 1 "
                                       "ORDER BY id");
  size_t cap = 0;
  int rc = MC_OK, s;
  *items = NULL;
  *n = 0;
  if (st == NULL) return MC_EIO;
  while ((s = sqlite3_step(st)) == SQLITE_ROW && rc == MC_OK)
    if ((rc = grow(items, &cap, *n)) == MC_OK) read_item(st, &(*items)[(*n)++]);
  if (rc == MC_OK && s != SQLITE_DONE) rc = db_fail(ob, "list");
  sqlite3_finalize(st);
  if (rc != MC_OK) {
    free(*items);
    *items = NULL;
    *n = 0;
  }
  return rc;
}

/* ---- adding ----------------------------------------------------------------- */

/* Where a new forward/action goes: the dossier key, the item to wait for,
 * and (provisional number already delivered) the real code to send. */
typedef struct target {
  char dossier[MC_OUTBOX_CODE_MAX];
  char real[MC_OUTBOX_CODE_MAX];
  int64_t depends_on;
} target;

static int resolve_target(mc_outbox *ob, const char *code, target *t) {
  mc_outbox_item it;
  int rc;
  memset(t, 0, sizeof *t);
  snprintf(t->dossier, sizeof t->dossier, "%s", code);
  if (mc_outbox_is_provisional(code)) {
    if ((rc = mc_outbox_find_provisional(ob, code, &it)) != MC_OK) {
      if (rc == MC_ENOTFOUND) fail(ob, "unknown provisional number %s", code);
      return rc;
    }
    if (it.state == MC_OUTBOX_REJECTED) {
      fail(ob, "the receipt of %s was rejected (item %lld)", code, (long long)it.id);
      return MC_EBADSTATE;
    }
    if (it.state == MC_OUTBOX_DELIVERED) {
      snprintf(t->real, sizeof t->real, "%s", it.real_code);
      snprintf(t->dossier, sizeof t->dossier, "%s", it.real_code);
    }
  }
  if ((rc = last_pending(ob, t->dossier, &it)) < 0) return rc;
  if (rc == 1) t->depends_on = it.id;
  return MC_OK;
}

/* Pack req into a malloc'ed buffer, with code replaced by real if given. */
static uint8_t *pack_req(Motcua__Envelope *req, const char *real, size_t *len) {
  char **code = mc_outbox_req_code(req);
  char *saved = code != NULL ? *code : NULL;
  if (code != NULL && real != NULL && real[0] != '\0') *code = (char *)real;
  *len = motcua__envelope__get_packed_size(req);
  uint8_t *buf = malloc(*len ? *len : 1);
  if (buf != NULL) motcua__envelope__pack(req, buf);
  if (code != NULL) *code = saved;
  return buf;
}

static int insert_item(mc_outbox *ob, const char *kind, const char *summary, const target *t,
                       const uint8_t *body, size_t len, int64_t now_ms) {
  sqlite3_stmt *st = prepare(ob, "INSERT INTO items (created_at, kind, dossier, summary, "
                                 "body, depends_on, next_attempt_at, officer) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?1, ?7)");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_int64(st, 1, now_ms);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, t->dossier, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, summary ? summary : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob(st, 5, body, (int)len, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 6, t->depends_on);
  sqlite3_bind_text(st, 7, ob->officer, -1, SQLITE_TRANSIENT);
  return exec_stmt(ob, st);
}

/* A receive names its own dossier: the provisional number from its id. */
static int set_provisional(mc_outbox *ob, int64_t id) {
  char num[MC_OUTBOX_CODE_MAX];
  snprintf(num, sizeof num, MC_OUTBOX_PROVISIONAL_PREFIX "%s-%06lld", ob->unit, (long long)id);
  sqlite3_stmt *st = prepare(ob, "UPDATE items SET provisional = ?2, dossier = ?2 WHERE id = ?1");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, num, -1, SQLITE_TRANSIENT);
  return exec_stmt(ob, st);
}

static int add_locked(mc_outbox *ob, Motcua__Envelope *req, const char *kind,
                      const char *summary, int64_t now_ms, int64_t *id) {
  target t;
  size_t len = 0;
  char **code = mc_outbox_req_code(req);
  int rc = code != NULL ? resolve_target(ob, *code, &t) : MC_OK;
  if (code == NULL) memset(&t, 0, sizeof t);
  if (rc != MC_OK) return rc;
  uint8_t *body = pack_req(req, t.real, &len);
  if (body == NULL) return MC_ENOMEM;
  rc = insert_item(ob, kind, summary, &t, body, len, now_ms);
  free(body);
  if (rc != MC_OK) return rc;
  *id = sqlite3_last_insert_rowid(ob->db);
  return req->body_case == MOTCUA__ENVELOPE__BODY_RECEIVE ? set_provisional(ob, *id) : MC_OK;
}

int mc_outbox_add(mc_outbox *ob, const Motcua__Envelope *req, const char *kind,
                  const char *summary, const char *officer, int64_t now_ms,
                  mc_outbox_item *out) {
  int64_t id = 0;
  snprintf(ob->officer, sizeof ob->officer, "%s", officer != NULL ? officer : "");
  int rc = exec_sql(ob, "BEGIN IMMEDIATE");
  if (rc != MC_OK) return rc;
  rc = add_locked(ob, (Motcua__Envelope *)req, kind, summary, now_ms, &id);
  if (rc == MC_OK) rc = exec_sql(ob, "COMMIT");
  if (rc != MC_OK) {
    sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
  }
  return out != NULL ? mc_outbox_get(ob, id, out) : MC_OK;
}

/* ---- updates used by delivery ------------------------------------------------ */

int outbox__next_pending(mc_outbox *ob, int64_t after_id, int all, int64_t now_ms,
                         mc_outbox_item *it) {
  sqlite3_stmt *st = prepare(ob, "SELECT " ITEM_COLS " FROM items WHERE state = 0 AND id > ?1 "
                                 "AND (?2 OR next_attempt_at <= ?3) ORDER BY id LIMIT 1");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_int64(st, 1, after_id);
  sqlite3_bind_int(st, 2, all);
  sqlite3_bind_int64(st, 3, now_ms);
  return one_item(ob, st, it);
}

int outbox__load_body(mc_outbox *ob, int64_t id, Motcua__Envelope **env) {
  sqlite3_stmt *st = prepare(ob, "SELECT body FROM items WHERE id = ?1");
  int rc = MC_ENOTFOUND;
  *env = NULL;
  if (st == NULL) return MC_EIO;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    const void *b = sqlite3_column_blob(st, 0);
    int n = sqlite3_column_bytes(st, 0);
    *env = b != NULL ? motcua__envelope__unpack(NULL, (size_t)n, b) : NULL;
    rc = *env != NULL ? MC_OK : fail(ob, "item %lld: stored request unreadable", (long long)id);
  }
  sqlite3_finalize(st);
  return rc;
}

int mc_outbox_load_request(mc_outbox *ob, int64_t id, Motcua__Envelope **env) {
  return outbox__load_body(ob, id, env);
}

int outbox__mark_delivered(mc_outbox *ob, int64_t id, const char *real_code, unsigned status,
                           int64_t now_ms) {
  sqlite3_stmt *st = prepare(ob, "UPDATE items SET state = 1, body = NULL, last_error = '', "
                                 "real_code = ?2, result_status = ?3, delivered_at = ?4, "
                                 "attempts = attempts + 1 WHERE id = ?1");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, real_code ? real_code : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 3, (int)status);
  sqlite3_bind_int64(st, 4, now_ms);
  return exec_stmt(ob, st);
}

static int reject_one(mc_outbox *ob, int64_t id, const char *msg, int count_attempt) {
  sqlite3_stmt *st = prepare(ob, "UPDATE items SET state = 2, last_error = ?2, "
                                 "attempts = attempts + ?3 WHERE id = ?1 AND state = 0");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, msg, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 3, count_attempt);
  return exec_stmt(ob, st);
}

typedef struct id_list {
  int64_t *v;
  size_t n, cap;
} id_list;

static int id_push(id_list *l, int64_t id) {
  if (l->n == l->cap) {
    size_t c = l->cap ? l->cap * 2 : 16;
    int64_t *p = realloc(l->v, c * sizeof *p);
    if (p == NULL) return MC_ENOMEM;
    l->v = p;
    l->cap = c;
  }
  l->v[l->n++] = id;
  return MC_OK;
}

/* Reject the pending dependents of id, transitively, appending them to
 * out (ids only grow along a chain, so this terminates). */
static int reject_dependents(mc_outbox *ob, int64_t id, id_list *out) {
  char msg[64];
  size_t first = out->n;
  int rc = MC_OK, s;
  sqlite3_stmt *st = prepare(ob, "SELECT id FROM items WHERE state = 0 AND depends_on = ?1 "
                                 "ORDER BY id");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_int64(st, 1, id);
  while (rc == MC_OK && (s = sqlite3_step(st)) == SQLITE_ROW)
    rc = id_push(out, sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  snprintf(msg, sizeof msg, "depends on rejected item %lld", (long long)id);
  for (size_t i = first, end = out->n; i < end && rc == MC_OK; i++)
    if ((rc = reject_one(ob, out->v[i], msg, 0)) == MC_OK)
      rc = reject_dependents(ob, out->v[i], out);
  return rc;
}

int outbox__mark_rejected(mc_outbox *ob, int64_t id, const char *msg, int64_t **deps,
                          size_t *ndeps) {
  id_list l = {0};
  int rc = exec_sql(ob, "BEGIN IMMEDIATE");
  *deps = NULL;
  *ndeps = 0;
  if (rc != MC_OK) return rc;
  if ((rc = reject_one(ob, id, msg, 1)) == MC_OK) rc = reject_dependents(ob, id, &l);
  if (rc == MC_OK) rc = exec_sql(ob, "COMMIT");
  if (rc != MC_OK) {
    sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
    free(l.v);
    return rc;
  }
  *deps = l.v;
  *ndeps = l.n;
  return MC_OK;
}

int mc_outbox_note_failure(mc_outbox *ob, int64_t id, const char *msg, int64_t now_ms) {
  uint32_t r = 0;
  mc_outbox_item it;
  int rc = mc_outbox_get(ob, id, &it);
  if (rc != MC_OK) return rc;
  if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) r = (uint32_t)now_ms;
  int64_t next = now_ms + (int64_t)mc_outbox_backoff_ms(it.attempts + 1, r);
  sqlite3_stmt *st = prepare(ob, "UPDATE items SET attempts = attempts + 1, last_error = ?2, "
                                 "next_attempt_at = ?3 WHERE id = ?1 AND state = 0");
  if (st == NULL) return MC_EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, msg, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, next);
  return exec_stmt(ob, st);
}
