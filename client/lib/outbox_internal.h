/* Internal to client/outbox*.c: the store's handle and the row updates
 * used by the delivery pass. */
#ifndef MC_OUTBOX_INTERNAL_H
#define MC_OUTBOX_INTERNAL_H

#include <sqlite3.h>

#include "outbox.h"

struct mc_outbox {
  sqlite3 *db;
  char path[MC_CLIENT_PATH_MAX];
  char unit[32];
  char officer[MC_OUTBOX_OFFICER_MAX]; /* mc_outbox_add's, for insert_item */
  char err[MC_OUTBOX_ERR_MAX];
};

/* The next pending item after after_id (due ones only unless all):
 * 1 found, 0 none, MC_EIO. */
int outbox__next_pending(mc_outbox *ob, int64_t after_id, int all, int64_t now_ms,
                         mc_outbox_item *it);
/* The stored request of an item; *env freed with mc_envelope_free. */
int outbox__load_body(mc_outbox *ob, int64_t id, Motcua__Envelope **env);
/* Delivered: real code and status from the reply; the body is erased. */
int outbox__mark_delivered(mc_outbox *ob, int64_t id, const char *real_code,
                           unsigned status, int64_t now_ms);
/* Rejected with msg, and every pending item depending on it (transitively)
 * with "depends on rejected item N", in one transaction; *deps (malloc'ed,
 * caller frees) lists those dependents. */
int outbox__mark_rejected(mc_outbox *ob, int64_t id, const char *msg, int64_t **deps,
                          size_t *ndeps);

#endif
