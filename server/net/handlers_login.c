/* Login, logout and password change (issue 15). The password goes to the
 * threadpool (auth.c) and is wiped from every buffer here once handed
 * over; neither it nor the token reaches a log line. A wrong login, a
 * wrong password, a disabled officer and an officer of another unit all
 * answer ERR_BAD_LOGIN after the same Argon2id work. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "convert.h"
#include "handlers.h"
#include "handlers_internal.h"
#include "log.h"
#include "passwd.h"

typedef struct login_ctx {
  mc_req *r;
  char login[MC_LIM_LOGIN + 1];
  char pw[MC_LIM_PASSWORD + 1];     /* login: the password; passwd: the old one */
  char new_pw[MC_LIM_PASSWORD + 1]; /* passwd */
  char unit[MC_UNIT_CODE_MAX];      /* the certificate's unit ("" = IT) */
  mc_officer off;
  char token[MC_TOKEN_TEXT];
  uint8_t hash[32];
  int64_t expires_ms;
  char new_hash[MC_PASSWD_ENCODED_MAX];
  char secs[24];                    /* ERR_LOCKED detail */
} login_ctx;

static void ctx_free(login_ctx *c) {
  OPENSSL_cleanse(c, sizeof *c);
  free(c);
}

static void ctx_fail(login_ctx *c, int err, const char *detail) {
  mc_req_fail(c->r, err, detail);
  ctx_free(c);
}

static mc_officer_counts *counts(login_ctx *c) { return &c->r->s->srv->officers; }

/* The session ends at the close of the officer's unit's working day, but
 * never sooner than session_overtime_s (docs/SECURITY.md). */
static int64_t session_end(mc_server *srv, const mc_officer *o) {
  mc_calendar cal;
  if (o->unit[0] != '\0') mc_server_calendar(srv, o->unit, &cal);
  else cal = srv->cal;
  return mc_wf_session_expiry(&cal, mc_server_now_ms(), srv->cfg.session_overtime_s * 1000);
}

/* LoginReply{token, officer, expires}: token "" for logout. */
static void reply_login(login_ctx *c, int with_session) {
  Motcua__Officer o;
  Motcua__OfficerRole roles[4];
  Motcua__LoginReply lr = MOTCUA__LOGIN_REPLY__INIT;
  if (with_session) {
    mc_pb_from_officer(&o, roles, &c->off);
    lr.token = c->token;
    lr.officer = &o;
    lr.expires_at_ms = c->expires_ms;
    lr.must_change_password = c->off.must_change != 0;
  }
  ENV_INIT(out, c->r->id, login_reply, &lr, MOTCUA__ENVELOPE__BODY_LOGIN_REPLY);
  mc_req_finish(c->r, &out);
  ctx_free(c);
}

/* ---- login -------------------------------------------------------------- */

static void dummy_done_cb(void *arg, int rc, const char *encoded) {
  (void)encoded;
  login_ctx *c = arg;
  if (rc != MC_EBADLOGIN) return ctx_fail(c, rc, "login");
  counts(c)->logins_failed++;
  ctx_fail(c, MC_EBADLOGIN, "login");
}

/* The work of a verify, then ERR_BAD_LOGIN. */
static void refuse_after_work(login_ctx *c) {
  int rc = mc_auth_pw(c->r->s->srv, MC_PW_DUMMY, c->pw, NULL, dummy_done_cb, c);
  OPENSSL_cleanse(c->pw, sizeof c->pw);
  if (rc != 0) ctx_fail(c, rc, "password hashes");
}

static void login_ok_cb(void *arg, int err) {
  login_ctx *c = arg;
  mc_session *s = c->r->s;
  if (err != 0) return ctx_fail(c, err, "storage");
  mc_auth_cache_put(s->srv, c->hash, &c->off, c->expires_ms);
  counts(c)->logins_ok++;
  mc_log_info(s->id, "login ok login=%s unit=%s must_change=%d", c->off.login, s->peer.unit,
              c->off.must_change);
  reply_login(c, 1);
}

static void open_session(login_ctx *c, mc_store_done_cb done) {
  mc_server *srv = c->r->s->srv;
  if (mc_token_new(c->token, c->hash) != 0) return ctx_fail(c, MC_EINTERNAL, "token");
  c->expires_ms = session_end(srv, &c->off);
  int rc = done == login_ok_cb
               ? mc_store_login_ok(srv->store, c->off.id, c->hash, c->expires_ms, done, c)
               : mc_store_password_set(srv->store, c->off.id, c->new_hash, c->hash,
                                       c->expires_ms, done, c);
  if (rc != 0) ctx_fail(c, rc, "storage");
}

static void failure_counted_cb(void *arg, int err, int64_t locked_until_ms) {
  login_ctx *c = arg;
  mc_session *s = c->r->s;
  if (err == 0 && locked_until_ms > 0) {
    counts(c)->lockouts++;
    mc_log_warn(s->id, "login locked login=%s unit=%s failures=%ld lock_s=%ld", c->off.login,
                s->peer.unit, s->srv->cfg.login_max_failures, s->srv->cfg.login_lock_s);
  } else {
    mc_log_info(s->id, "login failed login=%s unit=%s", c->off.login, s->peer.unit);
  }
  counts(c)->logins_failed++;
  ctx_fail(c, MC_EBADLOGIN, "login");
}

static void count_failure(login_ctx *c) {
  mc_server *srv = c->r->s->srv;
  int rc = mc_store_login_failed(srv->store, c->off.id, (int)srv->cfg.login_max_failures,
                                 (int)srv->cfg.login_lock_s, mc_server_now_ms(),
                                 failure_counted_cb, c);
  if (rc != 0) ctx_fail(c, rc, "storage");
}

static void login_verified_cb(void *arg, int rc, const char *encoded) {
  (void)encoded;
  login_ctx *c = arg;
  if (rc == MC_EBADLOGIN) return count_failure(c);
  if (rc != 0) return ctx_fail(c, rc, "password hashes");
  open_session(c, login_ok_cb);
}

/* ERR_LOCKED, the detail the seconds left (rounded up). */
static int still_locked(login_ctx *c) {
  int64_t left = c->off.locked_until_ms - mc_server_now_ms();
  if (left <= 0) return 0;
  counts(c)->logins_locked++;
  mc_log_info(c->r->s->id, "login refused: locked login=%s unit=%s", c->off.login,
              c->r->s->peer.unit);
  snprintf(c->secs, sizeof c->secs, "%lld", (long long)((left + 999) / 1000));
  ctx_fail(c, MC_ELOCKED, c->secs);
  return 1;
}

static void login_found_cb(void *arg, int err, const mc_officer *o, const char *pw_hash) {
  login_ctx *c = arg;
  mc_session *s = c->r->s;
  if (err == MC_ENOTFOUND) return refuse_after_work(c);
  if (err != 0) return ctx_fail(c, err, "storage");
  c->off = *o;
  if (strcmp(o->unit, c->unit) != 0) {
    /* never counted against the officer: a desk of another unit must not
     * be able to lock it (docs/SECURITY.md) */
    counts(c)->other_unit++;
    mc_log_warn(s->id, "login refused: officer of another unit login=%s officer_unit=%s unit=%s",
                o->login, o->unit[0] ? o->unit : "admin", s->peer.unit);
    return refuse_after_work(c);
  }
  if (o->disabled) {
    mc_log_info(s->id, "login refused: disabled login=%s unit=%s", o->login, s->peer.unit);
    return refuse_after_work(c);
  }
  if (still_locked(c)) return;
  int rc = mc_auth_pw(s->srv, MC_PW_VERIFY, c->pw, pw_hash, login_verified_cb, c);
  OPENSSL_cleanse(c->pw, sizeof c->pw);
  if (rc != 0) ctx_fail(c, rc, "password hashes");
}

static int take_password(char out[MC_LIM_PASSWORD + 1], const char *in) {
  size_t n = in != NULL ? strnlen(in, MC_LIM_PASSWORD + 1) : 0;
  if (n == 0 || n > MC_LIM_PASSWORD) return MC_EBADLOGIN;
  memcpy(out, in, n + 1);
  return 0;
}

static login_ctx *ctx_new(mc_session *s) {
  login_ctx *c = calloc(1, sizeof *c);
  if (c != NULL && s->peer.role != MC_ROLE_ADMIN)
    snprintf(c->unit, sizeof c->unit, "%.*s", MC_LIM_UNIT_CODE, s->peer.unit);
  return c;
}

int mc_handle_login(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const Motcua__LoginRequest *q = env->login;
  login_ctx *c = ctx_new(s);
  if (c == NULL) return MC_ENOMEM;
  const char *field = NULL;
  int rc = mc_val_login(q, c->login, &field); /* validate.c (fuzzed) */
  if (rc == 0) rc = take_password(c->pw, q->password);
  if (rc == 0) rc = handlers__start(s, env->request_id, &c->r);
  if (rc == 0) rc = mc_store_officer_by_login(s->srv->store, c->login, login_found_cb, c);
  if (rc == 0) return 0;
  if (c->r != NULL) mc_req_finish(c->r, NULL);
  if (rc == MC_EBADLOGIN) s->srv->officers.logins_failed++;
  ctx_free(c);
  return handlers__refuse_rule(fault, rc, "login");
}

/* ---- logout ------------------------------------------------------------- */

typedef struct logout_ctx {
  mc_req *r;
  uint8_t hash[32];
  int64_t officer_all; /* 0: this session only */
  char login[MC_LIM_LOGIN + 1];
} logout_ctx;

static void logout_done_cb(void *arg, int err) {
  logout_ctx *l = arg;
  mc_session *s = l->r->s;
  if (err != 0) {
    mc_req_fail(l->r, err, "storage");
  } else {
    if (l->officer_all) mc_auth_forget_officer(s->srv, l->officer_all);
    else mc_auth_forget(s->srv, l->hash);
    mc_log_info(s->id, "logout login=%s unit=%s all=%d", l->login, s->peer.unit,
                l->officer_all != 0);
    Motcua__LoginReply lr = MOTCUA__LOGIN_REPLY__INIT;
    ENV_INIT(out, l->r->id, login_reply, &lr, MOTCUA__ENVELOPE__BODY_LOGIN_REPLY);
    mc_req_finish(l->r, &out);
  }
  OPENSSL_cleanse(l, sizeof *l);
  free(l);
}

int mc_handle_logout(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  (void)fault;
  logout_ctx *l = calloc(1, sizeof *l);
  if (l == NULL) return MC_ENOMEM;
  memcpy(l->hash, s->who->token_hash, 32);
  l->officer_all = env->logout->all_sessions ? s->who->officer.id : 0;
  snprintf(l->login, sizeof l->login, "%s", s->who->officer.login);
  /* forget at once locally; the database answer only confirms it */
  if (l->officer_all) mc_auth_forget_officer(s->srv, l->officer_all);
  else mc_auth_forget(s->srv, l->hash);
  int rc = handlers__start(s, env->request_id, &l->r);
  if (rc == 0) rc = mc_store_session_revoke(s->srv->store, l->hash, l->officer_all,
                                            logout_done_cb, l);
  if (rc != 0) {
    if (l->r != NULL) mc_req_finish(l->r, NULL);
    free(l);
  }
  return rc;
}

/* ---- password change ---------------------------------------------------- */

static void password_set_cb(void *arg, int err) {
  login_ctx *c = arg;
  mc_session *s = c->r->s;
  if (err != 0) return ctx_fail(c, err, "storage");
  mc_auth_forget_officer(s->srv, c->off.id);
  c->off.must_change = 0;
  mc_auth_cache_put(s->srv, c->hash, &c->off, c->expires_ms);
  mc_log_info(s->id, "password changed login=%s unit=%s", c->off.login, s->peer.unit);
  reply_login(c, 1);
}

static void new_hashed_cb(void *arg, int rc, const char *encoded) {
  login_ctx *c = arg;
  if (rc != 0) return ctx_fail(c, rc, "password hashes");
  snprintf(c->new_hash, sizeof c->new_hash, "%s", encoded);
  open_session(c, password_set_cb);
}

static void old_verified_cb(void *arg, int rc, const char *encoded) {
  (void)encoded;
  login_ctx *c = arg;
  if (rc == MC_EBADLOGIN) {
    OPENSSL_cleanse(c->new_pw, sizeof c->new_pw);
    return count_failure(c);
  }
  if (rc == 0) rc = mc_auth_pw(c->r->s->srv, MC_PW_HASH, c->new_pw, NULL, new_hashed_cb, c);
  OPENSSL_cleanse(c->new_pw, sizeof c->new_pw);
  if (rc != 0) ctx_fail(c, rc, "password hashes");
}

static void passwd_found_cb(void *arg, int err, const mc_officer *o, const char *pw_hash) {
  login_ctx *c = arg;
  if (err != 0) return ctx_fail(c, err == MC_ENOTFOUND ? MC_ELOGIN : err, "session");
  c->off = *o;
  if (still_locked(c)) return; /* wrong old passwords count like wrong logins */
  int rc = mc_auth_pw(c->r->s->srv, MC_PW_VERIFY, c->pw, pw_hash, old_verified_cb, c);
  OPENSSL_cleanse(c->pw, sizeof c->pw);
  if (rc != 0) ctx_fail(c, rc, "password hashes");
}

/* The policy against the officer's login, name and unit, and the old one. */
static int passwd_policy(mc_session *s, const login_ctx *c, const char **rule) {
  const mc_officer *o = &s->who->officer;
  const mc_unit *u = o->unit[0] ? mc_server_unit(s->srv, o->unit) : NULL;
  mc_off_pw_ctx pc = {.login = o->login, .full_name = o->full_name,
                      .unit_name = u != NULL ? u->name : NULL,
                      .unit_code = o->unit[0] ? o->unit : "admin", .old_password = c->pw};
  return mc_off_password_check(c->new_pw, &pc, rule);
}

int mc_handle_password(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const Motcua__PasswordRequest *q = env->password;
  const char *rule = NULL;
  login_ctx *c = ctx_new(s);
  if (c == NULL) return MC_ENOMEM;
  int rc = mc_val_password(q, &rule); /* validate.c (fuzzed) */
  if (rc == 0) rc = take_password(c->pw, q->old_password);
  if (rc == 0) {
    snprintf(c->new_pw, sizeof c->new_pw, "%s", q->new_password);
    rc = passwd_policy(s, c, &rule);
  }
  if (rc == 0) rc = handlers__start(s, env->request_id, &c->r);
  if (rc == 0)
    rc = mc_store_officer_by_id(s->srv->store, s->who->officer.id, passwd_found_cb, c);
  if (rc == 0) return 0;
  if (c->r != NULL) mc_req_finish(c->r, NULL);
  ctx_free(c);
  return handlers__refuse_rule(fault, rc, rule != NULL ? rule : "password");
}
