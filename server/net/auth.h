/* Officer sessions on the server (issue 15; docs/SECURITY.md "Officer
 * accounts"): the gate every changing request passes, the cache of
 * checked sessions, and the password work on the libuv threadpool.
 *
 * The gate: a request that needs a session (needs_session in auth.c)
 * carries Envelope.session_token; its SHA-256 is looked up in a small
 * direct-mapped cache, re-checked against PostgreSQL when the entry is
 * older than session_recheck_ms (so a revocation by any server instance
 * takes effect within it) and always when absent. The officer's unit
 * must be the certificate's (the IT unit for an admin certificate); an
 * officer who must change the password may only change it or log out.
 * The handler then runs with s->who set. */
#ifndef MC_AUTH_H
#define MC_AUTH_H

#include "session.h"

/* A gated handler: the signature of handlers.h's mc_handler_fn. */
typedef int (*mc_auth_fn)(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);

int mc_auth_init(mc_server *srv);
void mc_auth_fini(mc_server *srv);

/* 1 if the request needs a live officer session. */
int mc_auth_needed(const Motcua__Envelope *env);
/* Run fn for *envp behind the gate: at once (cache) or after the database
 * answered; then *envp is set to NULL (the gate owns and frees it). 0 or
 * a negative mc_err for the dispatcher. */
int mc_auth_gate(mc_session *s, Motcua__Envelope **envp, mc_auth_fn fn, mc_fault *fault);
/* 1 if the request reads more with a session but works without one (a
 * ShowRequest with a token: DossierReply.actions). */
int mc_auth_optional(const Motcua__Envelope *env);
/* As mc_auth_gate, but a token that names no live session of this unit
 * (ended, another unit's, password change due) runs fn without one
 * (s->who NULL) instead of refusing. */
int mc_auth_gate_soft(mc_session *s, Motcua__Envelope **envp, mc_auth_fn fn, mc_fault *fault);

/* The cache: remember a session just opened; forget one, or every
 * session of an officer (logout, password change, disable, reset). */
void mc_auth_cache_put(mc_server *srv, const uint8_t hash[32], const mc_officer *o,
                       int64_t expires_ms);
void mc_auth_forget(mc_server *srv, const uint8_t hash[32]);
void mc_auth_forget_officer(mc_server *srv, int64_t officer_id);

/* Password work on the threadpool, at most max_hashes at once and
 * hash_queue waiting (else MC_EBUSY, cb never called). cb runs on the
 * loop: VERIFY rc 0 / MC_EBADLOGIN; HASH rc 0 with the encoded hash;
 * DUMMY (the cost of a verify, for unknown logins) rc MC_EBADLOGIN. The
 * password is copied and wiped after use. */
enum mc_pw_op { MC_PW_VERIFY, MC_PW_HASH, MC_PW_DUMMY };
typedef void (*mc_pw_cb)(void *arg, int rc, const char *encoded);
int mc_auth_pw(mc_server *srv, enum mc_pw_op op, const char *pw, const char *encoded,
               mc_pw_cb cb, void *arg);

#endif
