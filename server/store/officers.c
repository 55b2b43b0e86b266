/* Officer accounts and their sessions (sql/016_officers.sql): lookups for
 * the login, the failure count and lock, sessions (only the token's
 * SHA-256 is stored), password changes; and the blocking import of
 * `motcua-server --officers-import`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store_internal.h"

#define OFFICER_COLS                                                                     \
  "o.id, coalesce(o.unit_code, ''), o.login, o.full_name, o.title, o.roles,"             \
  " o.must_change::int, o.disabled::int, o.failed_count, mc_ts_to_ms(o.created_at),"     \
  " mc_ts_to_ms(o.last_login), mc_ts_to_ms(o.locked_until)"
#define OFFICER_NCOLS 12

void store__row_to_officer(const PGresult *r, int row, mc_officer *o) {
  memset(o, 0, sizeof *o);
  o->id = store__parse_i64(PQgetvalue(r, row, 0));
  store__copy_str(o->unit, sizeof o->unit, PQgetvalue(r, row, 1));
  store__copy_str(o->login, sizeof o->login, PQgetvalue(r, row, 2));
  store__copy_str(o->full_name, sizeof o->full_name, PQgetvalue(r, row, 3));
  store__copy_str(o->title, sizeof o->title, PQgetvalue(r, row, 4));
  o->roles = (unsigned)store__parse_i64(PQgetvalue(r, row, 5)) & MC_OFF_ALL_ROLES;
  o->must_change = (int)store__parse_i64(PQgetvalue(r, row, 6));
  o->disabled = (int)store__parse_i64(PQgetvalue(r, row, 7));
  o->failed_count = (int)store__parse_i64(PQgetvalue(r, row, 8));
  o->created_ms = store__parse_i64(PQgetvalue(r, row, 9));
  o->last_login_ms = store__parse_i64(PQgetvalue(r, row, 10));
  o->locked_until_ms = store__parse_i64(PQgetvalue(r, row, 11));
}

/* "\x" + 64 hex digits: a bytea parameter in text form. */
static int param_hash(store_op *o, const uint8_t h[32]) {
  char hex[2 + 64 + 1] = "\\x";
  for (int i = 0; i < 32; i++) snprintf(hex + 2 + 2 * i, 3, "%02x", h[i]);
  return store__param(o, hex);
}

/* ------------------------------------------------------------ lookups */

static const char SQL_BY_LOGIN[] =
    "SELECT " OFFICER_COLS ", o.pw_hash FROM officers o WHERE o.login = $1";
static const char SQL_BY_ID[] =
    "SELECT " OFFICER_COLS ", o.pw_hash FROM officers o WHERE o.id = $1";

static void officer_done(store_op *o, int err) {
  mc_officer off;
  const PGresult *r = err == 0 ? o->res[0] : NULL;
  if (err == 0 && !store__shape_ok(r, OFFICER_NCOLS + 1)) err = MC_EINTERNAL;
  if (err == 0 && PQntuples(r) < 1) err = MC_ENOTFOUND;
  if (err != 0) return ((mc_store_officer_cb)o->cb)(o->arg, err, NULL, NULL);
  store__row_to_officer(r, 0, &off);
  ((mc_store_officer_cb)o->cb)(o->arg, 0, &off, PQgetvalue(r, 0, OFFICER_NCOLS));
}

int mc_store_officer_by_login(mc_store *s, const char *login, mc_store_officer_cb cb,
                              void *arg) {
  if (s == NULL || login == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("officer_by_login", SQL_BY_LOGIN, officer_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  return store__submit(s, o, store__param(o, login));
}

int mc_store_officer_by_id(mc_store *s, int64_t id, mc_store_officer_cb cb, void *arg) {
  if (s == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("officer_by_id", SQL_BY_ID, officer_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  return store__submit(s, o, store__param_i64(o, id, 0));
}

/* ------------------------------------------------------ login outcome */

static const char SQL_LOGIN_OK[] = "SELECT mc_login_ok($1, $2::bytea, $3)";
static const char SQL_LOGIN_FAILED[] = "SELECT mc_login_failed($1, $2, $3, $4)";

int mc_store_login_ok(mc_store *s, int64_t officer_id, const uint8_t token_hash[32],
                      int64_t expires_ms, mc_store_done_cb cb, void *arg) {
  if (s == NULL) return MC_EINVAL;
  store_op *o = store__done_op("login_ok", SQL_LOGIN_OK, cb, arg);
  if (o == NULL) return MC_ENOMEM;
  int rc = store__param_i64(o, officer_id, 0);
  if (rc == 0) rc = param_hash(o, token_hash);
  if (rc == 0) rc = store__param_i64(o, expires_ms, 0);
  return store__submit(s, o, rc);
}

static void lock_done(store_op *o, int err) {
  const PGresult *r = err == 0 ? o->res[0] : NULL;
  if (err == 0 && (!store__shape_ok(r, 1) || PQntuples(r) < 1)) err = MC_EINTERNAL;
  ((mc_store_lock_cb)o->cb)(o->arg, err, err == 0 ? store__parse_i64(PQgetvalue(r, 0, 0)) : 0);
}

int mc_store_login_failed(mc_store *s, int64_t officer_id, int max_failures, int lock_s,
                          int64_t now_ms, mc_store_lock_cb cb, void *arg) {
  if (s == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("login_failed", SQL_LOGIN_FAILED, lock_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  int rc = store__param_i64(o, officer_id, 0);
  if (rc == 0) rc = store__param_i64(o, max_failures, 0);
  if (rc == 0) rc = store__param_i64(o, lock_s, 0);
  if (rc == 0) rc = store__param_i64(o, now_ms, 0);
  return store__submit(s, o, rc);
}

/* ------------------------------------------------------------ sessions */

static const char SQL_SESSION[] =
    "SELECT " OFFICER_COLS ", mc_ts_to_ms(s.expires_at) FROM officer_sessions s"
    " JOIN officers o ON o.id = s.officer_id"
    " WHERE s.token_hash = $1::bytea AND s.revoked_at IS NULL"
    " AND s.expires_at > mc_ms_to_ts($2) AND NOT o.disabled";

static void session_done(store_op *o, int err) {
  mc_officer off;
  const PGresult *r = err == 0 ? o->res[0] : NULL;
  if (err == 0 && !store__shape_ok(r, OFFICER_NCOLS + 1)) err = MC_EINTERNAL;
  if (err == 0 && PQntuples(r) < 1) err = MC_ENOTFOUND;
  if (err != 0) return ((mc_store_session_cb)o->cb)(o->arg, err, NULL, 0);
  store__row_to_officer(r, 0, &off);
  ((mc_store_session_cb)o->cb)(o->arg, 0, &off,
                               store__parse_i64(PQgetvalue(r, 0, OFFICER_NCOLS)));
}

int mc_store_session_check(mc_store *s, const uint8_t token_hash[32], int64_t now_ms,
                           mc_store_session_cb cb, void *arg) {
  if (s == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("session_check", SQL_SESSION, session_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  int rc = param_hash(o, token_hash);
  if (rc == 0) rc = store__param_i64(o, now_ms, 0);
  return store__submit(s, o, rc);
}

static const char SQL_REVOKE_ONE[] =
    "UPDATE officer_sessions SET revoked_at = now()"
    " WHERE token_hash = $1::bytea AND revoked_at IS NULL";
static const char SQL_REVOKE_ALL[] =
    "UPDATE officer_sessions SET revoked_at = now()"
    " WHERE officer_id = $1 AND revoked_at IS NULL";

int mc_store_session_revoke(mc_store *s, const uint8_t token_hash[32], int64_t officer_id,
                            mc_store_done_cb cb, void *arg) {
  if (s == NULL) return MC_EINVAL;
  store_op *o = store__done_op("session_revoke", officer_id ? SQL_REVOKE_ALL : SQL_REVOKE_ONE,
                               cb, arg);
  if (o == NULL) return MC_ENOMEM;
  return store__submit(s, o, officer_id ? store__param_i64(o, officer_id, 0)
                                        : param_hash(o, token_hash));
}

static const char SQL_PASSWORD_SET[] = "SELECT mc_password_set($1, $2, $3::bytea, $4)";

int mc_store_password_set(mc_store *s, int64_t officer_id, const char *pw_hash,
                          const uint8_t token_hash[32], int64_t expires_ms, mc_store_done_cb cb,
                          void *arg) {
  if (s == NULL || pw_hash == NULL) return MC_EINVAL;
  store_op *o = store__done_op("password_set", SQL_PASSWORD_SET, cb, arg);
  if (o == NULL) return MC_ENOMEM;
  int rc = store__param_i64(o, officer_id, 0);
  if (rc == 0) rc = store__param(o, pw_hash);
  if (rc == 0) rc = param_hash(o, token_hash);
  if (rc == 0) rc = store__param_i64(o, expires_ms, 0);
  return store__submit(s, o, rc);
}
