/* mc_outbox: the desk's offline outbox. When the server cannot be reached,
 * a state-changing request (receive, forward, a workflow action) is stored
 * here, fully built and with its idempotency key fixed, so that every later
 * delivery attempt sends the very same request: the server records
 * (unit, key) with the first answer, hence delivery is exactly once even
 * when a reply is lost and the item is sent again.
 *
 * Storage: one SQLite database per unit (WAL, synchronous=FULL, mode 0600),
 * one row per item; an item is written in one transaction, so a crash or a
 * power cut leaves either the whole item or nothing. Limited only by disk
 * (mc_outbox_disk_low warns when it runs low).
 *
 * Items: pending -> delivered | rejected. A received dossier gets a
 * provisional number TAM-<unit>-<item id, 6 digits> that the desk may use in
 * later commands (forward TAM-18499-000123); such items wait for the
 * receive (depends_on) and the real code is substituted into the stored
 * request at delivery. Any item acting on a dossier that still has pending
 * items queues behind the last of them (ordering per dossier).
 *
 * Delivery (mc_outbox_deliver): pending items in id order, each on its own:
 * a transient failure schedules that item's retry (exponential backoff with
 * jitter, capped) and moves on; a server refusal marks it rejected with the
 * server's message, and its dependents rejected too ("depends on rejected
 * item N"); nothing else is blocked. Not thread-safe; several processes may
 * share one file (SQLite locking; delivery passes are serialised by a lock
 * file next to the database).
 *
 * The file holds citizens' data until delivery (the request body is erased
 * once delivered); nothing here logs it. */
#ifndef MC_OUTBOX_H
#define MC_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "motcua_client.h"

#define MC_OUTBOX_PROVISIONAL_PREFIX "TAM-"
#define MC_OUTBOX_CODE_MAX 64
#define MC_OUTBOX_KIND_MAX 32
#define MC_OUTBOX_ERR_MAX 512
#define MC_OUTBOX_SUMMARY_MAX 256
#define MC_OUTBOX_OFFICER_MAX 40

/* Backoff of automatic retries: 5 s doubling to 10 min, minus up to a
 * quarter of jitter. */
#define MC_OUTBOX_BACKOFF_MIN_MS 5000u
#define MC_OUTBOX_BACKOFF_MAX_MS 600000u
/* Disk is low below this much free space or this share of the disk. */
#define MC_OUTBOX_LOW_DISK_BYTES (200ull << 20)
#define MC_OUTBOX_LOW_DISK_PERCENT 5

typedef enum mc_outbox_state {
  MC_OUTBOX_PENDING = 0,
  MC_OUTBOX_DELIVERED = 1,
  MC_OUTBOX_REJECTED = 2
} mc_outbox_state;

typedef struct mc_outbox mc_outbox;

/* One item as stored (the request body is not copied out). */
typedef struct mc_outbox_item {
  int64_t id;
  int64_t created_at_ms;
  char kind[MC_OUTBOX_KIND_MAX];          /* "receive", "forward", "accept", ... */
  char dossier[MC_OUTBOX_CODE_MAX];       /* the code or provisional number acted on */
  char provisional[MC_OUTBOX_CODE_MAX];   /* receive: TAM-<unit>-NNNNNN; else "" */
  char summary[MC_OUTBOX_SUMMARY_MAX];    /* short text for the desk (no id number) */
  int64_t depends_on;                     /* item that must be delivered first; 0 none */
  int state;                              /* mc_outbox_state */
  unsigned attempts;
  char last_error[MC_OUTBOX_ERR_MAX];
  int64_t next_attempt_ms;
  char real_code[MC_OUTBOX_CODE_MAX];     /* after delivery: the dossier's real code */
  unsigned result_status;                 /* after delivery: the dossier's status */
  int64_t delivered_at_ms;
  char officer[MC_OUTBOX_OFFICER_MAX];    /* login of the officer who queued it; "" = not
                                             known (queued before it was recorded) */
} mc_outbox_item;

/* Open (creating if needed) the outbox at path for unit (used in
 * provisional numbers). MC_EIO / MC_ECONFIG with err on failure. */
int mc_outbox_open(const char *path, const char *unit, mc_outbox **out, char *err,
                   size_t errlen);
void mc_outbox_close(mc_outbox *ob); /* NULL allowed */
const char *mc_outbox_errmsg(const mc_outbox *ob);

/* The outbox file of a client configuration: cfg->outbox if set, else
 * "<dir of the config file>/outbox-<unit>.db". unit is read from the
 * certificate's CN (mc_outbox_cert_unit) and written to unit_out. */
int mc_outbox_config_path(const mc_client_config *cfg, char *path, size_t size,
                          char *unit_out, size_t unit_size, char *err, size_t errlen);
/* The CN of a PEM certificate file (the unit code). */
int mc_outbox_cert_unit(const char *cert_path, char *unit, size_t size, char *err,
                        size_t errlen);

/* Queue req (a ReceiveRequest, ForwardRequest or ActionRequest envelope with
 * its idempotency key already set). kind names the command; summary is a
 * short text shown by `motcua outbox`. A forward/action on a provisional
 * number waits for its receive; on a provisional number already delivered,
 * the real code is written into the stored request. MC_ENOTFOUND: unknown
 * provisional number; MC_EBADSTATE: its receive was rejected; MC_EIO: the
 * store failed (disk full...). *out (may be NULL) receives the new item.
 * officer: the login of the officer whose request it is (NULL/"" = not
 * known): delivery uses that officer's session only (mc_outbox_send_fn). */
int mc_outbox_add(mc_outbox *ob, const Motcua__Envelope *req, const char *kind,
                  const char *summary, const char *officer, int64_t now_ms,
                  mc_outbox_item *out);

/* Record a failed attempt of item id: attempts + 1, last_error = msg, next
 * automatic attempt after mc_outbox_backoff_ms. */
int mc_outbox_note_failure(mc_outbox *ob, int64_t id, const char *msg, int64_t now_ms);

/* 1 if pending items act on dossier (a code or provisional number, also
 * through the provisional number of a delivered receive), 0 if not. */
int mc_outbox_has_pending(mc_outbox *ob, const char *dossier);
/* The item with this provisional number; MC_ENOTFOUND if none. */
int mc_outbox_find_provisional(mc_outbox *ob, const char *provisional, mc_outbox_item *out);
int mc_outbox_get(mc_outbox *ob, int64_t id, mc_outbox_item *out);
/* The stored request of a pending item (a provisional receipt prints it);
 * *env freed with mc_envelope_free. MC_ENOTFOUND once delivered. */
int mc_outbox_load_request(mc_outbox *ob, int64_t id, Motcua__Envelope **env);

/* Items in id order: pending and rejected, plus delivered when all.
 * *items is malloc'ed (caller frees); *n its length. */
int mc_outbox_list(mc_outbox *ob, int all, mc_outbox_item **items, size_t *n);
/* Number of pending items (the depth reported to IT staff). */
int mc_outbox_pending_count(mc_outbox *ob, size_t *n);

/* ---- delivery --------------------------------------------------------- */

typedef struct mc_outbox_send_result {
  int refused;                  /* the server answered with an Error */
  int link_down;                /* could not reach the server at all: stop the pass */
  char msg[MC_OUTBOX_ERR_MAX];  /* the server's message or a local description */
} mc_outbox_send_result;

/* Send req (the request of item it), wait for its reply: MC_OK and *reply
 * (the caller frees it), or an mc_err with res filled. An item that names
 * its officer goes with that officer's session only; when the sender has
 * none, it answers MC_ELOGIN, neither refused nor link_down: the item waits. */
typedef int (*mc_outbox_send_fn)(void *ud, const mc_outbox_item *it, Motcua__Envelope *req,
                                 Motcua__Envelope **reply, mc_outbox_send_result *res);

typedef enum mc_outbox_outcome {
  MC_OUTBOX_OUT_DELIVERED,
  MC_OUTBOX_OUT_REJECTED,
  MC_OUTBOX_OUT_RETRY,   /* transient failure: retried later */
  MC_OUTBOX_OUT_WAITING  /* waits for an item it depends on */
} mc_outbox_outcome;

/* Called once per item handled in a pass, after the store was updated. On
 * DELIVERED *reply is the server's reply: the callback may take it (set
 * *reply = NULL); otherwise reply is NULL. */
typedef void (*mc_outbox_report_fn)(void *ud, const mc_outbox_item *it,
                                    mc_outbox_outcome outcome, Motcua__Envelope **reply);

typedef struct mc_outbox_pass {
  int all;              /* 1: every pending item; 0: only those due (next_attempt) */
  int wait_lock;        /* 1: wait for another process's pass; 0: skip if busy */
  int64_t now_ms;       /* wall clock for due times and timestamps */
  uint64_t budget_ms;   /* start no new item after this long (0: no bound) */
  mc_outbox_report_fn report;
  void *report_ud;
} mc_outbox_pass;

typedef struct mc_outbox_stats {
  unsigned delivered, rejected, retry, waiting;
  int stopped;          /* the link went down: the pass stopped early */
  int stop_err;         /* stopped: why (mc_err; MC_EREVOKED: our certificate) */
  int busy;             /* another process was delivering (wait_lock = 0) */
  char stop_msg[MC_OUTBOX_ERR_MAX];
} mc_outbox_stats;

/* One delivery pass. Returns MC_OK (see st for the outcome) or MC_EIO if
 * the store failed. */
int mc_outbox_deliver(mc_outbox *ob, mc_outbox_send_fn send, void *send_ud,
                      const mc_outbox_pass *pass, mc_outbox_stats *st);

/* The sender mc_outbox_sync uses, ud being an mc_client: an item naming
 * an officer other than the client's (mc_client_officer_login) waits
 * (MC_ELOGIN); otherwise connects first if needed (a transport failure to
 * connect sets link_down), then mc_client_call. For callers that wrap it. */
int mc_outbox_client_send(void *client, const mc_outbox_item *it, Motcua__Envelope *req,
                          Motcua__Envelope **reply, mc_outbox_send_result *res);
/* The same, also returning the failure as an mc_client_error (may be NULL). */
int mc_outbox_client_send_e(mc_client *c, const mc_outbox_item *it, Motcua__Envelope *req,
                            Motcua__Envelope **reply, mc_outbox_send_result *res,
                            mc_client_error *err);
/* 1 if item it may go with the session of officer login: it names no
 * officer (queued before they were recorded), or that one. */
int mc_outbox_officer_may_send(const mc_outbox_item *it, const char *login);
/* res for an item whose officer has no session here: MC_ELOGIN. */
int mc_outbox_wait_officer(const mc_outbox_item *it, mc_outbox_send_result *res);

/* mc_outbox_deliver over an mc_client, connecting it first if needed. A
 * failure to connect for a transport reason stops the pass (link_down).
 * Reports the pending count with mc_client_report_status before and after
 * (the depth IT staff see). */
int mc_outbox_sync(mc_outbox *ob, mc_client *c, const mc_outbox_pass *pass,
                   mc_outbox_stats *st);

/* For the event callback of mc_client_watch: on CONNECTED delivers every
 * pending item, on PONG (every heartbeat) those due, over a second
 * connection made from cfg, bounded to a short budget so the watch link's
 * heartbeats are not starved. Returns MC_OK or the error of the pass. */
int mc_outbox_watch_event(mc_outbox *ob, const mc_client_config *cfg,
                          const mc_client_event *ev, mc_outbox_report_fn report_fn,
                          void *ud, mc_outbox_stats *st);

/* ---- pure helpers (unit-tested) --------------------------------------- */

/* Delay before automatic retry number attempts (>= 1); rnd supplies the
 * jitter (any value). */
uint64_t mc_outbox_backoff_ms(unsigned attempts, uint32_t rnd);
/* 1 if a refusal by the server (an Error frame) is worth retrying at
 * delivery (unavailable, busy, timeout; no officer session: login_required,
 * password_change_required, so the item waits for the next login); other
 * refusals reject the item.
 * Whether a request is queued at all is submit.h's rule. */
int mc_outbox_is_transient_refusal(int err);
/* 1 if s looks like a provisional number (TAM-...). */
int mc_outbox_is_provisional(const char *s);
/* 1 if free space (bytes available, of total bytes) is low. */
int mc_outbox_space_is_low(uint64_t avail, uint64_t total, uint64_t min_bytes);
/* statvfs on the directory of path: 1 low, 0 fine, MC_EIO unknown; *avail gets
 * the free bytes. min_bytes 0 = MC_OUTBOX_LOW_DISK_BYTES. */
int mc_outbox_disk_low(const char *path, uint64_t min_bytes, uint64_t *avail);
/* The dossier code a request acts on (forward/action), NULL otherwise; a
 * pointer into req that may be replaced. */
char **mc_outbox_req_code(Motcua__Envelope *req);
/* ---- JSON (outbox_json.c) --------------------------------------------- */

/* {item, kind, state, dossier, summary, created_at, attempts, last_error,
 * provisional, depends_on, next_attempt_at, code, status, delivered_at} */
json_t *mc_outbox_item_json(const mc_outbox_item *it);
/* "delivered" | "rejected" | "retry" | "waiting" */
const char *mc_outbox_outcome_name(mc_outbox_outcome out);
/* {item, kind, outcome, dossier, attempts, provisional, code, status, error} */
json_t *mc_outbox_outcome_json(const mc_outbox_item *it, mc_outbox_outcome out);

/* Name of a state: "pending" | "delivered" | "rejected". */
const char *mc_outbox_state_name(int state);

#endif
