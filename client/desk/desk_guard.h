/* The desk's browser-facing checks and its officer sessions (docs/DESK.md
 * "Security"). Pure: no I/O, no clock (the caller passes now), no random
 * source (the caller passes fresh random bytes).
 *
 * A browser session is a random 256-bit cookie value; the table keeps only
 * its SHA-256, the officer's server session token, a CSRF token and the
 * time of last use. Bounded (DESK_SESSIONS_MAX); idle sessions expire. */
#ifndef MC_DESK_GUARD_H
#define MC_DESK_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "http_host.h"
#include "motcua_client.h"

#define DESK_SESSIONS_MAX 64
#define DESK_COOKIE "motcua_desk"
#define DESK_SECRET_HEX 64 /* a 256-bit value in hex */

typedef struct desk_session {
  int used;
  unsigned char id_hash[32];
  char csrf[DESK_SECRET_HEX + 1];
  char token[MC_CLIENT_TOKEN_MAX + 1]; /* the officer's server session */
  mc_client_officer officer;
  int lang;
  int64_t last_ms;
} desk_session;

typedef struct desk_sessions {
  desk_session s[DESK_SESSIONS_MAX];
  int64_t idle_ms;
} desk_sessions;

void desk_sessions_init(desk_sessions *t, int64_t idle_ms);
/* The live session whose cookie value is cookie (64 hex digits), touched
 * (last use = now); NULL if none or idle too long (then it stays until
 * desk_sessions_expire hands it over). */
desk_session *desk_sessions_find(desk_sessions *t, const char *cookie, int64_t now);
/* A new session from 32 random bytes for the cookie and 32 for the CSRF
 * token; cookie_out gets the cookie value. NULL when the table is full of
 * live sessions (an idle one is reused first: its token goes to *evicted,
 * to be logged out at the server; "" if none). */
desk_session *desk_sessions_add(desk_sessions *t, const unsigned char id_raw[32],
                                const unsigned char csrf_raw[32], int64_t now,
                                char cookie_out[DESK_SECRET_HEX + 1],
                                char evicted[MC_CLIENT_TOKEN_MAX + 1]);
/* Forget s (its token wiped). */
void desk_sessions_remove(desk_session *s);
/* The next idle session past its time: its token copied to token, the
 * session removed; 1, or 0 when none is left. */
int desk_sessions_expire(desk_sessions *t, int64_t now, char token[MC_CLIENT_TOKEN_MAX + 1]);
size_t desk_sessions_live(const desk_sessions *t, int64_t now);

/* The value of cookie name in a Cookie header into out; 1 found, else 0. */
int desk_cookie_get(const char *header, const char *name, char *out, size_t size);
/* Constant-time: 1 if the header's token equals the session's. */
int desk_csrf_ok(const desk_session *s, const char *header);
/* 1 if Origin is the desk's own: "<scheme>://<host>[:port]" with scheme
 * "https" when tls else "http" and host[:port] allowed by hosts. */
int desk_origin_ok(const mc_http_hosts *hosts, int tls, const char *origin);
/* 1 unless Sec-Fetch-Site says "cross-site" (or "same-site": another
 * origin of the same site is not this desk either). */
int desk_fetch_site_ok(const char *sec_fetch_site);

/* n random bytes as lower-case hex into out (2n+1 bytes). */
void desk_hex(const unsigned char *raw, size_t n, char *out);

#endif
