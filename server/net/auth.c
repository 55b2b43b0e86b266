/* Officer sessions: the gate, the session cache and the password work on
 * the threadpool (auth.h). */
#include "auth.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "passwd.h"
#include "session_mon.h"

#define CACHE_SLOTS 1024 /* direct-mapped by the token hash; a collision replaces */

typedef struct cache_entry {
  int used;
  mc_auth_who who;
  uint64_t checked; /* uv_now of the last database check */
} cache_entry;

typedef struct pw_job pw_job;
struct pw_job {
  uv_work_t work;
  mc_server *srv;
  enum mc_pw_op op;
  mc_argon2 params;
  char pw[MC_LIM_PASSWORD + 1];
  char encoded[MC_PASSWD_ENCODED_MAX];
  int rc;
  mc_pw_cb cb;
  void *arg;
  pw_job *next;
};

struct mc_auth_state {
  cache_entry cache[CACHE_SLOTS];
  pw_job *wait_head, *wait_tail; /* jobs waiting for a slot */
};

int mc_auth_init(mc_server *srv) {
  srv->auth = calloc(1, sizeof *srv->auth);
  return srv->auth != NULL ? 0 : MC_ENOMEM;
}

void mc_auth_fini(mc_server *srv) {
  if (srv->auth == NULL) return;
  OPENSSL_cleanse(srv->auth->cache, sizeof srv->auth->cache);
  free(srv->auth);
  srv->auth = NULL;
}


/* ---- password work ------------------------------------------------------ */

static void pw_work_cb(uv_work_t *w) {
  pw_job *j = w->data;
  if (j->op == MC_PW_HASH) j->rc = mc_passwd_hash(&j->params, j->pw, j->encoded);
  else if (j->op == MC_PW_VERIFY) j->rc = mc_passwd_verify(j->encoded, j->pw);
  else j->rc = mc_passwd_dummy(&j->params, j->pw);
  OPENSSL_cleanse(j->pw, sizeof j->pw);
}

static void pw_start(mc_server *srv, pw_job *j);

static void pw_after_cb(uv_work_t *w, int status) {
  pw_job *j = w->data;
  mc_server *srv = j->srv;
  struct mc_auth_state *a = srv->auth;
  srv->officers.hashes_running--;
  if (a->wait_head != NULL) {
    pw_job *n = a->wait_head;
    a->wait_head = n->next;
    if (a->wait_head == NULL) a->wait_tail = NULL;
    srv->officers.hashes_waiting--;
    pw_start(srv, n);
  }
  int rc = status == UV_ECANCELED ? MC_ECLOSED : j->rc;
  j->cb(j->arg, rc, rc == 0 && j->op == MC_PW_HASH ? j->encoded : NULL);
  OPENSSL_cleanse(j, sizeof *j);
  free(j);
}

static void pw_start(mc_server *srv, pw_job *j) {
  srv->officers.hashes_running++;
  j->work.data = j;
  if (uv_queue_work(srv->loop, &j->work, pw_work_cb, pw_after_cb) != 0) {
    j->rc = MC_EINTERNAL;
    pw_after_cb(&j->work, 0);
  }
}

int mc_auth_pw(mc_server *srv, enum mc_pw_op op, const char *pw, const char *encoded,
               mc_pw_cb cb, void *arg) {
  struct mc_auth_state *a = srv->auth;
  const mc_settings *c = &srv->cfg;
  int full = srv->officers.hashes_running >= (unsigned)c->max_hashes;
  if (full && srv->officers.hashes_waiting >= (unsigned)c->hash_queue) {
    srv->officers.hash_busy++;
    return MC_EBUSY;
  }
  pw_job *j = calloc(1, sizeof *j);
  if (j == NULL) return MC_ENOMEM;
  *j = (pw_job){.srv = srv, .op = op, .cb = cb, .arg = arg,
                .params = {(uint32_t)c->argon2_memory_kib, (uint32_t)c->argon2_iterations}};
  snprintf(j->pw, sizeof j->pw, "%s", pw != NULL ? pw : "");
  snprintf(j->encoded, sizeof j->encoded, "%s", encoded != NULL ? encoded : "");
  if (!full) return pw_start(srv, j), 0;
  if (a->wait_tail != NULL) a->wait_tail->next = j;
  else a->wait_head = j;
  a->wait_tail = j;
  srv->officers.hashes_waiting++;
  return 0;
}

/* ---- the cache ---------------------------------------------------------- */

static cache_entry *slot(mc_server *srv, const uint8_t h[32]) {
  return &srv->auth->cache[((unsigned)h[0] << 8 | h[1]) % CACHE_SLOTS];
}

static cache_entry *cache_find(mc_server *srv, const uint8_t h[32]) {
  cache_entry *e = slot(srv, h);
  return e->used && memcmp(e->who.token_hash, h, 32) == 0 ? e : NULL;
}

void mc_auth_cache_put(mc_server *srv, const uint8_t hash[32], const mc_officer *o,
                       int64_t expires_ms) {
  cache_entry *e = slot(srv, hash);
  e->used = 1;
  e->who.officer = *o;
  memcpy(e->who.token_hash, hash, 32);
  e->who.expires_ms = expires_ms;
  e->checked = uv_now(srv->loop);
}

void mc_auth_forget(mc_server *srv, const uint8_t hash[32]) {
  cache_entry *e = cache_find(srv, hash);
  if (e != NULL) OPENSSL_cleanse(e, sizeof *e);
}

void mc_auth_forget_officer(mc_server *srv, int64_t officer_id) {
  for (size_t i = 0; i < CACHE_SLOTS; i++) {
    cache_entry *e = &srv->auth->cache[i];
    if (e->used && e->who.officer.id == officer_id) OPENSSL_cleanse(e, sizeof *e);
  }
}

/* ---- the gate ----------------------------------------------------------- */

int mc_auth_needed(const Motcua__Envelope *env) {
  switch (env->body_case) {
  case MOTCUA__ENVELOPE__BODY_RECEIVE:
  case MOTCUA__ENVELOPE__BODY_FORWARD:
  case MOTCUA__ENVELOPE__BODY_ACTION:
  case MOTCUA__ENVELOPE__BODY_UPLOAD_BEGIN:
  case MOTCUA__ENVELOPE__BODY_LOGOUT:
  case MOTCUA__ENVELOPE__BODY_PASSWORD:
  case MOTCUA__ENVELOPE__BODY_OFFICERS: return 1;
  case MOTCUA__ENVELOPE__BODY_HOLIDAYS:
    return env->holidays->op != MOTCUA__HOLIDAYS_REQUEST__OP__LIST;
  case MOTCUA__ENVELOPE__BODY_LIST: return env->list->mine;
  case MOTCUA__ENVELOPE__BODY_HOURS: return env->hours->op != MOTCUA__HOURS_REQUEST__OP__LIST;
  default: return 0;
  }
}

/* The session may act on this link: the officer's unit is the
 * certificate's, and a forced password change comes first. */
static int session_fits(mc_session *s, const Motcua__Envelope *env, const mc_auth_who *who,
                        mc_fault *fault) {
  const char *want = s->peer.role == MC_ROLE_ADMIN ? "" : s->peer.unit;
  if (strcmp(who->officer.unit, want) != 0) {
    s->srv->officers.other_unit++;
    mc_log_warn(s->id, "session of another unit refused login=%s officer_unit=%s unit=%s",
                who->officer.login, who->officer.unit[0] ? who->officer.unit : "admin",
                s->peer.unit);
    return fault->rule = "session.other_unit", MC_ELOGIN;
  }
  if (who->officer.must_change && env->body_case != MOTCUA__ENVELOPE__BODY_PASSWORD &&
      env->body_case != MOTCUA__ENVELOPE__BODY_LOGOUT)
    return fault->rule = "session.password_change", MC_EPWCHANGE;
  return 0;
}

int mc_auth_optional(const Motcua__Envelope *env) {
  return env->body_case == MOTCUA__ENVELOPE__BODY_SHOW && env->session_token != NULL &&
         env->session_token[0] != '\0';
}

static int run(mc_session *s, const Motcua__Envelope *env, mc_auth_fn fn,
               const mc_auth_who *who, int soft, mc_fault *fault) {
  int rc = session_fits(s, env, who, fault);
  if (rc != 0 && soft) {
    fault->rule = NULL;
    return fn(s, env, fault);
  }
  if (rc != 0) return rc;
  s->who = who;
  s->actor.officer_roles = who->officer.roles;
  rc = fn(s, env, fault);
  s->who = NULL;
  s->actor.officer_roles = 0;
  return rc;
}

typedef struct gate_wait {
  mc_req *r;
  Motcua__Envelope *env;
  mc_auth_fn fn;
  int soft; /* mc_auth_gate_soft: no live session = run without one */
  uint8_t hash[32];
} gate_wait;

static const char *detail_of(const mc_fault *f) {
  return f->rule != NULL ? f->rule : f->field != NULL ? f->field : "";
}

static void gate_checked_cb(void *arg, int err, const mc_officer *o, int64_t expires_ms) {
  gate_wait *g = arg;
  mc_session *s = g->r->s;
  mc_server *srv = s->srv;
  mc_fault f = {0};
  mc_auth_who who = {.expires_ms = expires_ms};
  if (err == MC_ENOTFOUND) {
    mc_auth_forget(srv, g->hash);
    srv->officers.sessions_refused++;
    err = MC_ELOGIN;
    f.rule = "session.ended";
  } else if (err == 0) {
    mc_auth_cache_put(srv, g->hash, o, expires_ms);
    who.officer = *o;
    memcpy(who.token_hash, g->hash, 32);
  }
  int live = s->link != NULL && s->state == MC_SS_READY;
  int soft_run = err == MC_ELOGIN && g->soft && live, ran = soft_run || (err == 0 && live);
  if (ran) mc_session_mon_resume(s, g->r); /* metered as its own type, from its arrival */
  if (soft_run) {
    f.rule = NULL;
    err = g->fn(s, g->env, &f);
  } else if (ran) {
    err = run(s, g->env, g->fn, &who, g->soft, &f);
  }
  if (ran) mc_session_mon_dispatched(s, err); /* before g->r's end may release s */
  if (err != 0) mc_req_fail(g->r, err, detail_of(&f));
  else mc_req_finish(g->r, NULL);
  mc_envelope_free(g->env);
  free(g);
}

static int gate_wait_db(mc_session *s, Motcua__Envelope **envp, mc_auth_fn fn, int soft,
                        const uint8_t h[32]) {
  gate_wait *g = calloc(1, sizeof *g);
  if (g == NULL) return MC_ENOMEM;
  g->r = mc_req_start(s, (*envp)->request_id);
  if (g->r == NULL) return free(g), MC_ENOMEM;
  g->env = *envp;
  g->fn = fn;
  g->soft = soft;
  memcpy(g->hash, h, 32);
  int rc = mc_store_session_check(s->srv->store, h, mc_server_now_ms(), gate_checked_cb, g);
  if (rc != 0) {
    mc_req_finish(g->r, NULL);
    free(g);
    return rc;
  }
  *envp = NULL;
  return 0;
}

static int gate(mc_session *s, Motcua__Envelope **envp, mc_auth_fn fn, int soft,
                mc_fault *fault) {
  uint8_t h[32];
  const Motcua__Envelope *env = *envp;
  if (mc_token_hash(env->session_token, h) != 0) {
    if (soft) return fn(s, env, fault);
    s->srv->officers.sessions_refused++;
    return fault->rule = "session.none", MC_ELOGIN;
  }
  cache_entry *e = cache_find(s->srv, h);
  uint64_t age = e != NULL ? uv_now(s->srv->loop) - e->checked : 0;
  if (e != NULL && e->who.expires_ms > mc_server_now_ms() &&
      age < (uint64_t)s->srv->cfg.session_recheck_ms) {
    mc_auth_who who = e->who; /* the handler may forget the entry */
    return run(s, env, fn, &who, soft, fault);
  }
  return gate_wait_db(s, envp, fn, soft, h);
}

int mc_auth_gate(mc_session *s, Motcua__Envelope **envp, mc_auth_fn fn, mc_fault *fault) {
  return gate(s, envp, fn, 0, fault);
}

int mc_auth_gate_soft(mc_session *s, Motcua__Envelope **envp, mc_auth_fn fn, mc_fault *fault) {
  return gate(s, envp, fn, 1, fault);
}
