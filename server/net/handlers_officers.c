/* OfficersRequest (issue 15; docs/PROTOCOL.md "Officers"): the unit's
 * officer accounts. LIST: any logged-in officer of the unit. ADD, DISABLE,
 * ENABLE, RESET_PASSWORD, SET_ROLES: the unit administrator (officer role
 * unit_admin, by the rules table: mc_wf_officer_may MC_OP_OFFICERS) for
 * the own unit, or IT (admin certificate with a session of an IT officer
 * holding unit_admin) for the unit named in unit_code.
 *
 * ADD and RESET_PASSWORD generate a temporary password (RAND_bytes), hash
 * it with Argon2id off the loop (the login's own hashing, same parameters),
 * store the hash with must_change_password set, and answer the password
 * once; it is wiped after the reply is written and never logged. DISABLE
 * and RESET_PASSWORD end the officer's live sessions: in the database in
 * the same transaction, and in this server's session cache at once (after
 * SET_ROLES the cache entries are dropped too: the next request reads the
 * new roles). Another server instance sees the revocation when its cache entry is
 * checked again (session_recheck_ms, docs/SECURITY.md). Every change is one
 * log line (who, what, which officer; never a password) and one
 * officer_audit row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "actions.h"
#include "auth.h"
#include "handlers.h"
#include "handlers_internal.h"
#include "log.h"
#include "officer.h"
#include "passwd.h"

#define OP(x) MOTCUA__OFFICERS_REQUEST__OP__##x
#define TEMP_PW_LEN 16 /* characters of a temporary password: 16 * 5 bits = 80 bits */
#define CANON_MAX 512

/* Fields of a request, validated. */
typedef struct off_fields {
  int op;
  char unit[MC_LIM_UNIT_CODE + 1];   /* the target unit ("" = IT's own officers, LIST only) */
  char login[MC_LIM_LOGIN + 1];
  char full_name[MC_LIM_OFFICER + 1];
  char title[MC_LIM_TITLE + 1];
  unsigned roles;                    /* MC_OFF_x */
  unsigned role_filter;              /* MC_OFF_x, 0 = all */
  char key[MC_LIM_IDEM_KEY + 1];
} off_fields;

/* One change in flight: hashing (maybe), then storage. */
typedef struct off_ctx {
  mc_req *r;
  off_fields f;
  char temp_pw[TEMP_PW_LEN + 1];
  char hash[MC_PASSWD_ENCODED_MAX];
  char canon[CANON_MAX];
  int64_t actor_id;
  char actor_login[MC_LIM_LOGIN + 1];
  char actor_unit[32 + 1];           /* the certificate's CN (mc_peer_id.unit) */
} off_ctx;

static const char *op_name(int op) {
  switch (op) {
  case OP(ADD): return "add";
  case OP(DISABLE): return "disable";
  case OP(ENABLE): return "enable";
  case OP(RESET_PASSWORD): return "reset";
  case OP(SET_ROLES): return "roles";
  default: return "list";
  }
}

static int needs_password(int op) { return op == OP(ADD) || op == OP(RESET_PASSWORD); }

static void ctx_free(off_ctx *x) {
  if (x == NULL) return;
  OPENSSL_cleanse(x->temp_pw, sizeof x->temp_pw);
  OPENSSL_cleanse(x->hash, sizeof x->hash);
  free(x);
}

/* ---- validation (every field bounded before use) ------------------------ */

static int take_roles(const Motcua__Officer *o, unsigned *mask) {
  *mask = 0;
  if (o->n_roles > 8) return MC_EINVAL;
  for (size_t i = 0; i < o->n_roles; i++) {
    if ((int)o->roles[i] < 1 || (int)o->roles[i] > 4) return MC_EINVAL;
    *mask |= 1u << o->roles[i];
  }
  return MC_OK;
}

static int val_officer(const Motcua__OfficersRequest *q, off_fields *f, const char **field) {
  const Motcua__Officer *o = q->officer;
  if (o == NULL) return *field = "officer", MC_EINVAL;
  if (!mc_off_login_ok(o->login)) return *field = "officer.login", MC_EINVAL;
  snprintf(f->login, sizeof f->login, "%s", o->login);
  if (q->op == OP(ADD) && mc_val_line(f->full_name, sizeof f->full_name, o->full_name, 1) != 0)
    return *field = "officer.full_name", MC_EINVAL;
  if (q->op == OP(ADD) && mc_val_line(f->title, sizeof f->title, o->title, 0) != 0)
    return *field = "officer.title", MC_EINVAL;
  if ((q->op == OP(ADD) || q->op == OP(SET_ROLES)) &&
      (take_roles(o, &f->roles) != 0 || f->roles == 0))
    return *field = "officer.roles", MC_EINVAL;
  if (mc_dom_idem_key(q->idempotency_key) != MC_DOM_OK)
    return *field = "idempotency_key", MC_EINVAL;
  snprintf(f->key, sizeof f->key, "%s", q->idempotency_key);
  return MC_OK;
}

static int val_officers(const Motcua__OfficersRequest *q, off_fields *f, const char **field) {
  memset(f, 0, sizeof *f);
  if (q->op < OP(LIST) || q->op > OP(SET_ROLES)) return *field = "op", MC_EINVAL;
  f->op = q->op;
  if (mc_val_str(f->unit, sizeof f->unit, q->unit_code, 0) != 0) return *field = "unit_code", MC_EINVAL;
  if ((int)q->role_filter < 0 || (int)q->role_filter > 4) return *field = "role_filter", MC_EINVAL;
  f->role_filter = q->role_filter ? 1u << q->role_filter : 0;
  return q->op == OP(LIST) ? MC_OK : val_officer(q, f, field);
}

/* ---- who may --------------------------------------------------------------- */

/* The target unit for this caller, or a refusal. An officer of a unit acts
 * on that unit only; IT (admin certificate, IT officer) on the unit named. */
static int target_unit(mc_session *s, const mc_officer *me, off_fields *f, mc_fault *fault) {
  int it = s->peer.role == MC_ROLE_ADMIN && me->unit[0] == '\0';
  if (!it) {
    if (f->unit[0] != '\0' && strcmp(f->unit, me->unit) != 0)
      return handlers__refuse_rule(fault, MC_EFORBIDDEN,
                                   "rule.officers_unit: a unit administrator manages only the own unit");
    snprintf(f->unit, sizeof f->unit, "%s", me->unit);
    return MC_OK;
  }
  if (f->unit[0] == '\0' && f->op != OP(LIST))
    return handlers__refuse(fault, MC_EINVAL, "unit_code");
  if (f->unit[0] != '\0' && mc_server_unit(s->srv, f->unit) == NULL)
    return handlers__refuse(fault, MC_ENOTFOUND, "unit_code");
  return MC_OK;
}

/* Changes: the rules table's officer role; an administrator never
 * disables or demotes the account it is using (that would lock the unit
 * out of its own administration). */
static int may_change(const mc_officer *me, const off_fields *f, mc_fault *fault) {
  const char *rule = NULL;
  if (mc_wf_officer_may(MC_OP_OFFICERS, me->roles, &rule) != 0)
    return handlers__refuse_rule(fault, MC_EFORBIDDEN, rule);
  int self = strcmp(me->login, f->login) == 0;
  if (self && (f->op == OP(DISABLE) ||
               (f->op == OP(SET_ROLES) && !(f->roles & MC_OFF_UNIT_ADMIN))))
    return handlers__refuse_rule(fault, MC_EFORBIDDEN,
                                 "rule.officers_self: an administrator cannot disable or demote itself");
  return MC_OK;
}

/* ---- replies ---------------------------------------------------------------- */

static void pb_from_officer(Motcua__Officer *p, Motcua__OfficerRole *roles, const mc_officer *o) {
  motcua__officer__init(p);
  p->login = (char *)o->login;
  p->full_name = (char *)o->full_name;
  p->title = (char *)o->title;
  p->unit_code = (char *)o->unit;
  p->n_roles = 0;
  for (int r = 1; r <= 4; r++)
    if (o->roles & (1u << r)) roles[p->n_roles++] = (Motcua__OfficerRole)r;
  p->roles = roles;
  p->disabled = o->disabled;
  p->must_change_password = o->must_change;
  p->created_at_ms = o->created_ms;
  p->last_login_ms = o->last_login_ms;
  p->locked_until_ms = o->locked_until_ms;
}

static void reply_officers(mc_req *r, const mc_officer *rows, size_t n, const char *temp_pw) {
  Motcua__Officer *pv = n ? calloc(n, sizeof *pv) : NULL;
  Motcua__Officer **pp = n ? calloc(n, sizeof *pp) : NULL;
  Motcua__OfficerRole (*roles)[4] = n ? calloc(n, sizeof *roles) : NULL;
  if (n > 0 && (pv == NULL || pp == NULL || roles == NULL)) {
    free(pv), free(pp), free(roles);
    mc_req_fail(r, MC_ENOMEM, NULL);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    pb_from_officer(&pv[i], roles[i], &rows[i]);
    pp[i] = &pv[i];
  }
  Motcua__OfficersReply rep = MOTCUA__OFFICERS_REPLY__INIT;
  rep.n_officers = n;
  rep.officers = pp;
  rep.temporary_password = (char *)(temp_pw != NULL ? temp_pw : "");
  ENV_INIT(out, r->id, officers_reply, &rep, MOTCUA__ENVELOPE__BODY_OFFICERS_REPLY);
  mc_req_finish(r, &out);
  free(pv), free(pp), free(roles);
}

/* ---- LIST ------------------------------------------------------------------- */

static void list_cb(void *arg, int err, const mc_officer *rows, size_t n) {
  mc_req *r = arg;
  if (err != 0) mc_req_fail(r, err, NULL);
  else reply_officers(r, rows, n, NULL);
}

static int start_list(mc_session *s, uint64_t id, const off_fields *f) {
  mc_req *r;
  int rc = handlers__start(s, id, &r);
  if (rc != 0) return rc;
  return handlers__submitted(r, mc_store_officers_list(s->srv->store, f->unit, f->role_filter,
                                                       list_cb, r));
}

/* ---- changes ------------------------------------------------------------------ */

static void log_change(const off_ctx *x, const mc_officers_outcome *o) {
  char roles[64];
  mc_log_info(x->r->s->id,
              "officers op=%s unit=%s login=%s roles=%s by=%s cert_unit=%s sessions_ended=%d%s",
              op_name(x->f.op), x->f.unit, x->f.login,
              mc_off_roles_text(o->officer.roles, roles, sizeof roles), x->actor_login,
              x->actor_unit, o->sessions_ended, o->replayed ? " replayed=1" : "");
}

static void change_cb(void *arg, int err, const mc_officers_outcome *o) {
  off_ctx *x = arg;
  if (err != 0) {
    mc_log_info(x->r->s->id, "officers op=%s unit=%s login=%s by=%s refused err=%s",
                op_name(x->f.op), x->f.unit, x->f.login, x->actor_login, mc_errname(err));
    mc_req_fail(x->r, err, err == MC_ENOTFOUND ? "officer.login" : NULL);
    ctx_free(x);
    return;
  }
  log_change(x, o);
  /* this instance at once: disable and reset ended the sessions; after a
   * roles change the next request re-reads the officer with its roles */
  if (!o->replayed && (x->f.op == OP(DISABLE) || x->f.op == OP(RESET_PASSWORD) ||
                       x->f.op == OP(SET_ROLES)))
    mc_auth_forget_officer(x->r->s->srv, o->officer.id);
  /* A replay never shows the password again: it was shown once. */
  reply_officers(x->r, &o->officer, 1, o->replayed ? "" : x->temp_pw);
  ctx_free(x);
}

static int submit_change(off_ctx *x) {
  mc_officers_change c = {.op = op_name(x->f.op), .unit = x->f.unit, .idem_key = x->f.key,
                          .canon = x->canon, .login = x->f.login, .full_name = x->f.full_name,
                          .title = x->f.title, .roles = x->f.roles,
                          .pw_hash = x->hash[0] ? x->hash : NULL, .actor_id = x->actor_id,
                          .actor_unit = x->actor_unit};
  return mc_store_officers_change(x->r->s->srv->store, &c, change_cb, x);
}

static void hashed_cb(void *arg, int err, const char *encoded) {
  off_ctx *x = arg;
  if (err == 0 && (encoded == NULL || strlen(encoded) >= sizeof x->hash)) err = MC_EINTERNAL;
  if (err == 0) {
    snprintf(x->hash, sizeof x->hash, "%s", encoded);
    err = submit_change(x);
  }
  if (err != 0) {
    mc_req_fail(x->r, err, "password hash");
    ctx_free(x);
  }
}

/* 16 characters of an alphabet without look-alikes (no 0/O, 1/l/I). */
static int make_temp_pw(char *out, size_t n) {
  static const char abc[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";
  unsigned char raw[TEMP_PW_LEN];
  if (n < TEMP_PW_LEN + 1 || RAND_bytes(raw, sizeof raw) != 1) return MC_EINTERNAL;
  for (size_t i = 0; i < TEMP_PW_LEN; i++) out[i] = abc[raw[i] % (sizeof abc - 1)];
  out[TEMP_PW_LEN] = '\0';
  OPENSSL_cleanse(raw, sizeof raw);
  return MC_OK;
}

/* The key's fingerprint: what the change is, never the password. */
static void make_canon(off_ctx *x) {
  snprintf(x->canon, sizeof x->canon, "officers|%s|%s|%s|%s|%s|%u", op_name(x->f.op),
           x->f.unit, x->f.login, x->f.full_name, x->f.title, x->f.roles);
}

static int start_change(mc_session *s, uint64_t id, const off_fields *f, const mc_officer *me) {
  off_ctx *x = calloc(1, sizeof *x);
  if (x == NULL) return MC_ENOMEM;
  x->f = *f;
  x->actor_id = me->id;
  snprintf(x->actor_login, sizeof x->actor_login, "%s", me->login);
  snprintf(x->actor_unit, sizeof x->actor_unit, "%s", s->peer.unit);
  make_canon(x);
  int rc = needs_password(f->op) ? make_temp_pw(x->temp_pw, sizeof x->temp_pw) : MC_OK;
  if (rc == MC_OK) rc = handlers__start(s, id, &x->r);
  if (rc != MC_OK) return ctx_free(x), rc;
  if (needs_password(f->op))
    rc = mc_auth_pw(s->srv, MC_PW_HASH, x->temp_pw, NULL, hashed_cb, x);
  else
    rc = submit_change(x);
  if (rc != MC_OK) {
    mc_req_finish(x->r, NULL);
    ctx_free(x);
  }
  return rc;
}

int mc_handle_officers(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  off_fields f;
  const char *field = NULL;
  int rc = val_officers(env->officers, &f, &field);
  if (rc != 0) return handlers__refuse(fault, rc, field);
  const mc_officer *me = s->who != NULL ? &s->who->officer : NULL;
  if (me == NULL) return handlers__refuse_rule(fault, MC_ELOGIN, "login required");
  if ((rc = target_unit(s, me, &f, fault)) != 0) return rc;
  if (f.op == OP(LIST)) return start_list(s, env->request_id, &f);
  if ((rc = may_change(me, &f, fault)) != 0) return rc;
  return start_change(s, env->request_id, &f, me);
}

