/* Send now, or queue in the outbox: the one place the desk's offline
 * policy is written, for every front-end (the motcua CLI, the web desk).
 *
 * A state-changing request (ReceiveRequest, ForwardRequest, ActionRequest)
 * is submitted with mc_client_submit:
 *   - its idempotency key is fixed first (a fresh one if the caller left it
 *     empty), so every later attempt is the very same request;
 *   - online, it is sent; if the dossier still has undelivered items in the
 *     outbox, it is queued behind them and the outbox is delivered at once
 *     over this connection (per-dossier order);
 *   - a provisional number (TAM-...) whose receive was delivered is replaced
 *     by the real code; one still pending makes the request wait behind it;
 *   - when the server cannot be reached, or the link died after the request
 *     may have left (reset, EOF, timeout), it is stored in the outbox and the
 *     result says "queued" (a receive gets its provisional number).
 * Never queued: a refusal by the server (it answered), TLS or certificate
 * errors and a refused identity (a desk must fix those), and anything that
 * is not one of the three state-changing requests (reads fail as before).
 *
 * Not thread-safe; one mc_sender per mc_client. */
#ifndef MC_SUBMIT_H
#define MC_SUBMIT_H

#include <stdint.h>

#include "motcua_client.h"
#include "outbox.h"

/* Local reasons in mc_client_error.code (err->local = 1). */
#define MC_SUBMIT_E_PROVISIONAL "provisional_unknown"  /* MC_ENOTFOUND */
#define MC_SUBMIT_E_REJECTED "provisional_rejected"    /* MC_EBADSTATE */
#define MC_SUBMIT_E_OUTBOX "outbox"                    /* MC_EIO...: the store failed */
#define MC_SUBMIT_E_OUTBOX_OPEN "outbox_open"          /* the store cannot be opened */

typedef struct mc_sender mc_sender;

/* What mc_client_submit did when it returned MC_OK. */
typedef struct mc_submit_result {
  int queued;               /* 1: stored in the outbox (see offline) */
  int offline;              /* queued because the server could not be reached;
                               0: queued behind undelivered items of the dossier */
  mc_outbox_item item;      /* queued: the item (item.provisional for a receive) */
  Motcua__Envelope *reply;  /* sent: the server's reply; the caller frees it */
  int disk_low;             /* queued: free space next to the outbox is low */
  uint64_t disk_avail;      /* bytes free there */
  char outbox_error[MC_OUTBOX_ERR_MAX]; /* failed: why it could not be queued */
} mc_submit_result;

/* A sender over client c (borrowed, must outlive the sender) and the outbox
 * of configuration cfg (copied). No I/O. */
int mc_sender_new(mc_client *c, const mc_client_config *cfg, mc_sender **out);
void mc_sender_free(mc_sender *s); /* NULL allowed; closes the outbox */

/* mc_client_connect; with may_queue (the front-end is about to submit), a
 * server that cannot be reached is no error: MC_OK and the sender is
 * offline, and submits are queued. Other failures: the error, err filled. */
int mc_sender_connect(mc_sender *s, int may_queue, mc_client_error *err);
int mc_sender_offline(const mc_sender *s);

/* The unit's outbox, opened on first use; with create = 0, MC_ENOTFOUND if
 * nothing was ever queued (no file). err->code MC_SUBMIT_E_OUTBOX_OPEN. */
int mc_sender_outbox(mc_sender *s, int create, mc_outbox **ob, mc_client_error *err);
/* The path of the outbox (after mc_sender_outbox). */
const char *mc_sender_outbox_path(const mc_sender *s);

/* Send req now or queue it (see above). kind names the request for the
 * outbox listing ("receive", "forward", the action's command name). MC_OK:
 * see res (res->reply or res->queued). Otherwise the error: a refusal
 * (err->refused, with the server's message and field), a transport failure
 * that does not queue, or a local one (err->local, code MC_SUBMIT_E_*, the
 * code acted on in err->field; res->outbox_error when the store failed). */
int mc_client_submit(mc_sender *s, Motcua__Envelope *req, const char *kind,
                     mc_submit_result *res, mc_client_error *err);

/* {queued: true, item, kind, dossier, reason: "offline"|"behind",
 * provisional}: a queued submit as the front-ends show it ({queued: false}
 * when it was sent). */
json_t *mc_submit_result_json(const mc_submit_result *r);

/* The rule itself: 1 if a failure with err (refused: the server answered)
 * means "the server could not be reached" and the request is queued. */
int mc_submit_is_unreachable(int err, int refused);
/* 1 if req is one of the requests that may be queued. */
int mc_submit_queueable(const Motcua__Envelope *req);

#endif
