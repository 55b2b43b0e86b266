/* mc_client: the session and protocol logic shared by the motcua CLI and
 * the desk clerks' local web page. It owns a private uv_loop_t and one
 * mc_link (common/link.h, connect mode) and offers a blocking API on top of
 * it: every call runs the private loop until its answer arrives or the
 * configured timeout passes. Not thread-safe; one client per thread.
 *
 * Session: mc_client_new (config + TLS context, no I/O) -> mc_client_connect
 * (TCP, TLS handshake, Hello/HelloReply) -> mc_client_call ... ->
 * mc_client_free. mc_client_watch keeps the link up by itself (heartbeat
 * pings, reconnect with backoff) until SIGINT/SIGTERM.
 *
 * Errors are negative mc_err (proto/error.h), and the calls that can fail
 * for the server's reasons fill an mc_client_error (may be NULL): whether
 * the server refused (an Error frame) or the transport failed (connect,
 * TLS, timeout, closed link), the server's message or a local description,
 * and the field or rule the refusal names. */
#ifndef MC_CLIENT_H
#define MC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "frame.h"

#define MC_CLIENT_PATH_MAX 1024
#define MC_CLIENT_IDEM_KEY_LEN 32 /* hex digits of a 128-bit key */

/* Client configuration; see docs/CONTRACTS.md for the INI keys. */
typedef struct mc_client_config {
  char host[256];
  long port;
  char server_name[256];
  char ca[MC_CLIENT_PATH_MAX];
  char cert[MC_CLIENT_PATH_MAX];
  char key[MC_CLIENT_PATH_MAX];
  char crl[MC_CLIENT_PATH_MAX];        /* CRL checked against the server certificate; "" = none */
  char officer[96];
  char lang[8];
  long timeout_s;
  char outbox[MC_CLIENT_PATH_MAX];     /* offline outbox (client/outbox.h); "" = default */
  char session[MC_CLIENT_PATH_MAX];    /* officer session token file; "" = default */
  char config_dir[MC_CLIENT_PATH_MAX]; /* set by mc_client_config_load: the file's dir */
  /* [desk]: `motcua desk` (client/desk, docs/DESK.md) */
  char desk_listen[300];                  /* ADDR:PORT */
  char desk_tls_cert[MC_CLIENT_PATH_MAX]; /* HTTPS for a non-loopback address */
  char desk_tls_key[MC_CLIENT_PATH_MAX];
  char desk_hosts[512];                   /* extra Host names */
  long desk_idle_min;
} mc_client_config;

/* The option table (name, type, default, bounds, field) for the INI file
 * and --key=value overrides; ends with a NULL name. */
const mc_option *mc_client_options(void);

/* Fill cfg with defaults. */
int mc_client_config_init(mc_client_config *cfg, char *err, size_t errlen);
/* Load an INI file over cfg. Relative ca/cert/key paths in the file are
 * resolved against the file's directory. MC_ECONFIG with err on failure. */
int mc_client_config_load(mc_client_config *cfg, const char *path, char *err,
                          size_t errlen);
/* The settings that make sense only together, once the file and the
 * overrides are applied: MC_ECONFIG if server_name is empty (the server's
 * certificate name would go unchecked). */
int mc_client_config_check(const mc_client_config *cfg);
/* Set one option by name (a command-line --name=value override). */
int mc_client_config_set(mc_client_config *cfg, const char *name,
                         const char *value, char *err, size_t errlen);

typedef struct mc_client mc_client;

/* A failed call: what failed, as one value the call returns (never a side
 * field read afterwards). */
typedef struct mc_client_error {
  int err;           /* negative mc_err; MC_OK if nothing failed */
  int refused;       /* 1: the server answered with an Error frame */
  int local;         /* 1: a local store failed or refused (outbox, files) */
  char code[32];     /* mc_errname(err), or a local reason (see submit.h) */
  char message[512]; /* the server's message, or a local description */
  char field[128];   /* refused: Error.detail (the field or rule); local: the value */
} mc_client_error;

/* Fill e (may be NULL) with a local failure; returns err. */
int mc_client_error_set(mc_client_error *e, int err, const char *code, const char *field,
                        const char *message);

#define MC_CLIENT_UNITS_MAX 64

/* One unit the server named in HelloReply (UnitInfo). */
typedef struct mc_client_unit {
  char code[16];
  char name[128];
  char agency_id[32];
  char parent[16];  /* the centre's code; "" for the centre itself */
  int role;         /* Motcua__Role */
  char province[128];
} mc_client_unit;

/* Identity and parameters learned from HelloReply. Strings are copies. */
typedef struct mc_client_info {
  char server_version[64];
  char unit_code[32];
  char unit_name[128];
  int role;               /* Motcua__Role */
  int64_t server_time_ms; /* server clock at HelloReply */
  uint32_t heartbeat_s;
  uint32_t max_frame;
  int utc_offset_min;     /* the server's zone; 0 = not sent (older server) */
  mc_client_unit units[MC_CLIENT_UNITS_MAX]; /* itself, its centre, ... */
  size_t n_units;
} mc_client_info;

/* The unit with this code among info's units, NULL if the server sent none. */
const mc_client_unit *mc_client_unit_find(const mc_client_info *info, const char *code);

/* ---- officer session (issue 15) -------------------------------------------
 * `motcua login` keeps the session token in the session file (client key
 * `session`; default <config dir>/session-<unit>.token, the unit read from
 * the certificate's CN, like the outbox), mode 0600, written atomically.
 * mc_client_new loads it; every request then carries it as
 * Envelope.session_token. A file readable by group or others is ignored. */
#define MC_CLIENT_TOKEN_MAX 64
int mc_client_session_path(const mc_client_config *cfg, char *path, size_t size, char *err,
                           size_t errlen);
#define MC_CLIENT_LOGIN_MAX 32  /* an officer's login: [a-z0-9._-]{3,32} */
/* The token of the session file into token ("" when none); MC_OK. */
int mc_client_session_read(const mc_client_config *cfg, char token[MC_CLIENT_TOKEN_MAX + 1]);
/* Also the login of the officer the token belongs to ("" when the file
 * predates it); login may be NULL. MC_OK. */
int mc_client_session_read_officer(const mc_client_config *cfg,
                                   char token[MC_CLIENT_TOKEN_MAX + 1],
                                   char login[MC_CLIENT_LOGIN_MAX + 1]);
/* Write (token != NULL) or remove (NULL) the session file, with the
 * officer's login (NULL or "" if unknown). MC_OK or MC_EIO. */
int mc_client_session_write(const mc_client_config *cfg, const char *token, const char *login);

/* The logged-in officer, as LoginReply names it. */
typedef struct mc_client_officer {
  char login[40];
  char full_name[128];
  char title[128];
  char unit[16];
  unsigned roles;          /* 1 << motcua.OfficerRole */
  int64_t expires_at_ms;
  int must_change;
} mc_client_officer;

/* LoginRequest; on success the token is kept (file and client) and out
 * filled. The password is not kept. */
int mc_client_login(mc_client *c, const char *login, const char *password,
                    mc_client_officer *out, mc_client_error *err);
/* LogoutRequest (all: every session of the officer); the session file is
 * removed also when the server says the session had already ended. */
int mc_client_logout(mc_client *c, int all, mc_client_error *err);
/* PasswordRequest; the fresh token replaces the old one. */
int mc_client_passwd(mc_client *c, const char *old_password, const char *new_password,
                     mc_client_officer *out, mc_client_error *err);
/* Whether login, passwd and logout keep the session file (default 1, the
 * CLI). The desk holds one session per officer in memory only: with keep
 * 0 the token loaded by mc_client_new is dropped and the file is never
 * read, written or removed by this client. */
void mc_client_set_session_file(mc_client *c, int keep);
int mc_client_keeps_session_file(const mc_client *c);
/* The token requests carry ("" = none); set it ("" or NULL clears). */
const char *mc_client_token(const mc_client *c);
void mc_client_set_token(mc_client *c, const char *token); /* forgets the officer */
/* The login of the officer the token belongs to ("" = not known): what a
 * request queued in the outbox is recorded under, and delivered only with
 * that officer's session (the server names the person in the progress log). */
const char *mc_client_officer_login(const mc_client *c);
void mc_client_set_officer(mc_client *c, const char *login);
/* The configuration the client was made with. */
const mc_client_config *mc_client_config_of(const mc_client *c);

/* ---- time zone ----------------------------------------------------------
 * Dates are shown and typed in the server's zone. After each Hello that
 * carries utc_offset_min the client sets the rendering zone (render.h) and
 * keeps the value in <config dir>/.motcua-utc-offset, so that offline
 * commands use it too; mc_client_zone_load (called by mc_client_new; a
 * front-end calls it after loading its configuration) reads it back. Never
 * connected: MC_RENDER_FALLBACK_UTC_OFFSET_MIN (+07:00). */
int mc_client_zone_load(const mc_client_config *cfg);

typedef enum mc_client_event_kind {
  MC_CLIENT_EV_CONNECTED,    /* Hello done; info valid (watch) */
  MC_CLIENT_EV_DISCONNECTED, /* link lost; err, retry_in_ms, attempt (watch) */
  MC_CLIENT_EV_PONG,         /* heartbeat answered; rtt_ms (watch) */
  MC_CLIENT_EV_PUSH          /* server-pushed envelope (request_id 0); env */
} mc_client_event_kind;

typedef struct mc_client_event {
  mc_client_event_kind kind;
  const Motcua__Envelope *env; /* PUSH: borrowed, valid during the callback */
  int err;                     /* DISCONNECTED: reason (mc_err or MC_OK) */
  const char *errmsg;          /* DISCONNECTED: description; may be "" */
  uint64_t rtt_ms;             /* PONG */
  uint64_t retry_in_ms;        /* DISCONNECTED: next attempt in this long */
  unsigned attempt;            /* DISCONNECTED: consecutive failures so far */
} mc_client_event;

typedef void (*mc_client_event_cb)(mc_client *c, const mc_client_event *ev,
                                   void *ud);

/* Allocate a client: copies cfg, builds the TLS context, initialises the
 * private loop. No network I/O. On failure *out is NULL and err explains
 * (MC_ECONFIG for unusable files, MC_ENOMEM...). */
int mc_client_new(const mc_client_config *cfg, mc_client **out, char *err,
                  size_t errlen);

/* Say in Hello whether this session is resident (kept open: watch, the
 * desk) rather than one command's connection, so the monitor does not count
 * a one-shot command's close as a link drop. Default 0; mc_client_watch
 * sets it. Takes effect at the next connect. */
void mc_client_set_resident(mc_client *c, int resident);

/* Connect, complete the TLS handshake, send Hello and wait for HelloReply,
 * all within timeout_s. MC_EREVOKED: the server refused our certificate as
 * revoked (its TLS alert certificate_revoked, or Goodbye "certificate
 * revoked"); no point retrying with the same files. */
int mc_client_connect(mc_client *c, mc_client_error *err);

/* mc_client_new + mc_client_connect; on failure nothing is left to free and
 * err explains. */
int mc_client_open(const mc_client_config *cfg, mc_client **out, char *err,
                   size_t errlen);

/* Send req (its request_id is overwritten with a fresh id) and wait for the
 * reply with the same id. On success *reply is a new envelope the caller
 * frees with mc_envelope_free(). An Error reply returns its code mapped by
 * mc_err_from_wire() with err->refused set. Pushed envelopes that
 * arrive meanwhile go to the callback set by mc_client_set_event_cb. */
int mc_client_call(mc_client *c, Motcua__Envelope *req,
                   Motcua__Envelope **reply, mc_client_error *err);

/* Ping round trip: rtt in milliseconds (local monotonic clock) and the
 * server's clock from the Pong. Either output may be NULL. */
int mc_client_ping(mc_client *c, uint64_t *rtt_ms, int64_t *server_time_ms,
                   mc_client_error *err);

/* ---- streaming (client/transfer.h) ----------------------------------- */

/* Replies that no mc_client_call waits for (file chunks, their acks and
 * refusals) go to cb, which owns env (mc_envelope_free). NULL = drop. */
typedef void (*mc_client_reply_cb)(mc_client *c, Motcua__Envelope *env, void *ud);
void mc_client_set_reply_cb(mc_client *c, mc_client_reply_cb cb, void *ud);
/* Queue req without waiting; a fresh request_id is written into req. */
int mc_client_send(mc_client *c, Motcua__Envelope *req, mc_client_error *err);
/* Run the loop until a callback calls mc_client_wake (MC_OK), the link
 * closes (its error) or timeout_ms passes (0 = the configured timeout;
 * MC_ETIMEOUT). */
int mc_client_wait(mc_client *c, uint64_t timeout_ms, mc_client_error *err);
void mc_client_wake(mc_client *c);
/* Bytes queued on the link and not yet written to the socket. */
size_t mc_client_queued(const mc_client *c);

/* Callback for pushed envelopes during mc_client_call (NULL = drop). */
void mc_client_set_event_cb(mc_client *c, mc_client_event_cb cb, void *ud);

/* An event as JSON (client_json.c): {event: "connected"|"disconnected"|
 * "pong"|"dossier"|"error"|"goodbye"|..., at, ...}; lang for the labels.
 * NULL only on allocation failure. */
json_t *mc_client_event_json(mc_client *c, const mc_client_event *ev, int lang);

/* Keep the link up until SIGINT or SIGTERM: (re)connects as needed, pings
 * every heartbeat_s, reports every event to cb, reconnects after a drop
 * with exponential backoff (1 s doubling to 60 s, with jitter). The session
 * is resident (mc_client_set_resident). The certificate and key files are
 * looked at before each reconnect and every heartbeat: when they changed
 * (renewed) the next connection uses them. Returns 0 after a signal;
 * MC_EREVOKED when the server refused the certificate as revoked and the
 * files have not changed since (no retry). */
int mc_client_watch(mc_client *c, mc_client_event_cb cb, void *ud);

/* The same resident mode without blocking, for a front-end with its own
 * event loop (the desk): mc_client_watch_start connects (or takes the open
 * link), then heartbeats, reconnects with backoff and reloads renewed
 * certificate files as mc_client_watch does, reporting every event to cb,
 * while the caller runs the private loop: poll mc_client_loop_fd for
 * reading and call mc_client_pump when it is readable or after
 * mc_client_loop_timeout ms (-1: no timer due). The blocking calls
 * (mc_client_call, mc_client_submit...) stay usable between pumps, never
 * from inside cb (cb runs inside the private loop). No signal handlers:
 * the caller stops with mc_client_watch_stop (closes the link, no
 * reconnect), then mc_client_free. mc_client_watch_result: MC_EREVOKED
 * once the watch gave up on a revoked certificate, else MC_OK. */
int mc_client_watch_start(mc_client *c, mc_client_event_cb cb, void *ud);
void mc_client_watch_stop(mc_client *c);
int mc_client_watch_result(const mc_client *c);
int mc_client_loop_fd(const mc_client *c);
int mc_client_loop_timeout(mc_client *c);
void mc_client_pump(mc_client *c);

/* Report this desk's outbox depth (items queued for the server). Sent as
 * ClientStatus now if the link is ready and the value changed, and after
 * every Hello (0 until the first report). */
int mc_client_report_status(mc_client *c, uint32_t outbox_depth);

/* Close the link (orderly TLS shutdown), close every handle, close the
 * loop and free. NULL is allowed. */
void mc_client_free(mc_client *c);
#define mc_client_close mc_client_free

/* Connected and Hello done. */
int mc_client_is_ready(const mc_client *c);
const mc_client_info *mc_client_get_info(const mc_client *c);
/* "host:port" of the configured server. */
const char *mc_client_target(const mc_client *c);

/* A fresh idempotency key as 32 lowercase hex digits + NUL: the creation
 * time in milliseconds (12 digits, so keys sort by time), then 80 bits of
 * OpenSSL RAND_bytes. out must hold MC_CLIENT_IDEM_KEY_LEN + 1 bytes. */
int mc_client_idem_key(char *out, size_t outlen);

/* Wall-clock milliseconds since the Unix epoch. */
int64_t mc_client_now_ms(void);

#endif
