/* Officer accounts, the administrator's side (issue 15, sql/016): the
 * unit's officers listed, and one change (add, disable, enable, reset a
 * password, set the roles) as one transaction of mc_officers_admin:
 * idempotency row, the change, the officer's sessions ended (disable,
 * reset, roles), one officer_audit row. Rows come back as the JSON the
 * database builds (mc_officer_json), never a hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error.h"
#include "store_internal.h"

#define OFFICERS_LIST_MAX 1000 /* the SQL function's own LIMIT */

static const char *jstr(const json_t *o, const char *k) {
  const char *v = json_string_value(json_object_get(o, k));
  return v != NULL ? v : "";
}

static int64_t jint(const json_t *o, const char *k) {
  return (int64_t)json_integer_value(json_object_get(o, k));
}

/* One officer from mc_officer_json's text; MC_EINTERNAL if it is not one. */
static int officer_from_json(const char *text, mc_officer *o, json_t **keep) {
  json_t *j = json_loads(text, 0, NULL);
  memset(o, 0, sizeof *o);
  if (!json_is_object(j) || !json_is_string(json_object_get(j, "login"))) {
    json_decref(j);
    return MC_EINTERNAL;
  }
  o->id = jint(j, "id");
  store__copy_str(o->unit, sizeof o->unit, jstr(j, "unit_code"));
  store__copy_str(o->login, sizeof o->login, jstr(j, "login"));
  store__copy_str(o->full_name, sizeof o->full_name, jstr(j, "full_name"));
  store__copy_str(o->title, sizeof o->title, jstr(j, "title"));
  o->roles = (unsigned)jint(j, "roles") & MC_OFF_ALL_ROLES;
  o->disabled = json_is_true(json_object_get(j, "disabled"));
  o->must_change = json_is_true(json_object_get(j, "must_change"));
  o->created_ms = jint(j, "created_ms");
  o->last_login_ms = jint(j, "last_login_ms");
  o->locked_until_ms = jint(j, "locked_until_ms");
  if (keep != NULL) *keep = j;
  else json_decref(j);
  return MC_OK;
}

/* ---- list ----------------------------------------------------------------- */

typedef struct list_ctx {
  mc_store_officers_cb cb;
  void *arg;
} list_ctx;

static void list_done(void *arg, int err, const PGresult *r) {
  list_ctx *x = arg;
  mc_officer *rows = NULL;
  int n = err == 0 ? PQntuples(r) : 0;
  if (err == 0 && !store__shape_ok(r, 1)) err = MC_EINTERNAL;
  if (err == 0 && n > 0 && (rows = calloc((size_t)n, sizeof *rows)) == NULL) err = MC_ENOMEM;
  for (int i = 0; err == 0 && i < n; i++) err = officer_from_json(PQgetvalue(r, i, 0), &rows[i], NULL);
  x->cb(x->arg, err, err == 0 ? rows : NULL, err == 0 ? (size_t)n : 0);
  free(rows);
  free(x);
}

int mc_store_officers_list(mc_store *s, const char *unit, unsigned role_bits,
                           mc_store_officers_cb cb, void *arg) {
  if (s == NULL || cb == NULL || (role_bits & ~MC_OFF_ALL_ROLES) != 0) return MC_EINVAL;
  list_ctx *x = calloc(1, sizeof *x);
  if (x == NULL) return MC_ENOMEM;
  x->cb = cb;
  x->arg = arg;
  char bits[16];
  snprintf(bits, sizeof bits, "%u", role_bits);
  const char *params[] = {unit != NULL && unit[0] ? unit : NULL, bits};
  int rc = store__exec(s, "officers_list", "SELECT mc_officers_list($1, $2::int)", params, 2,
                       list_done, x);
  if (rc != 0) free(x);
  return rc;
}

/* ---- one change ----------------------------------------------------------- */

typedef struct change_ctx {
  mc_store_officers_change_cb cb;
  void *arg;
} change_ctx;

static void change_done(void *arg, int err, const PGresult *r) {
  change_ctx *x = arg;
  mc_officers_outcome out;
  json_t *j = NULL;
  memset(&out, 0, sizeof out);
  if (err == 0 && (PQntuples(r) != 1 || !store__shape_ok(r, 1))) err = MC_EINTERNAL;
  if (err == 0) err = officer_from_json(PQgetvalue(r, 0, 0), &out.officer, &j);
  if (err == 0) {
    out.replayed = json_is_true(json_object_get(j, "replayed"));
    out.sessions_ended = (int)jint(j, "sessions_ended");
  }
  json_decref(j);
  x->cb(x->arg, err, err == 0 ? &out : NULL);
  free(x);
}

static const char SQL_CHANGE[] =
    "SELECT mc_officers_admin($1, $2, $3, $4, $5, $6, $7, $8::int, $9, $10::bigint, $11)";

static int change_valid(const mc_officers_change *c) {
  static const char *const ops[] = {"add", "disable", "enable", "reset", "roles"};
  int known = 0;
  for (size_t i = 0; c->op != NULL && i < sizeof ops / sizeof ops[0]; i++)
    known |= strcmp(c->op, ops[i]) == 0;
  if (!known || c->unit == NULL || c->unit[0] == '\0' || c->idem_key == NULL ||
      c->login == NULL || c->actor_unit == NULL || (c->roles & ~MC_OFF_ALL_ROLES) != 0)
    return 0;
  int needs_hash = strcmp(c->op, "add") == 0 || strcmp(c->op, "reset") == 0;
  return !needs_hash || (c->pw_hash != NULL && c->pw_hash[0] != '\0');
}

int mc_store_officers_change(mc_store *s, const mc_officers_change *c,
                             mc_store_officers_change_cb cb, void *arg) {
  if (s == NULL || c == NULL || cb == NULL || !change_valid(c)) return MC_EINVAL;
  change_ctx *x = calloc(1, sizeof *x);
  if (x == NULL) return MC_ENOMEM;
  x->cb = cb;
  x->arg = arg;
  char roles[16], actor[24];
  snprintf(roles, sizeof roles, "%u", c->roles);
  snprintf(actor, sizeof actor, "%lld", (long long)c->actor_id);
  const char *params[] = {c->op, c->unit, c->idem_key, c->canon, c->login,
                          c->full_name != NULL ? c->full_name : "",
                          c->title != NULL ? c->title : "", roles, c->pw_hash,
                          c->actor_id > 0 ? actor : NULL, c->actor_unit};
  int rc = store__exec(s, "officers_change", SQL_CHANGE, params, 11, change_done, x);
  if (rc != 0) free(x);
  return rc;
}
