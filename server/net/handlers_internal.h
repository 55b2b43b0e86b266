/* Helpers shared by the handler files (handlers*.c); not for other modules. */
#ifndef MC_HANDLERS_INTERNAL_H
#define MC_HANDLERS_INTERNAL_H

#include <stddef.h>

#include "session.h"
#include "validate.h"

#define ENV_INIT(env, rid, field, val, kase) \
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT; \
  env.request_id = (rid); \
  env.body_case = (kase); \
  env.field = (val)

/* Field checks live in the pure module validate.h. */
#define handlers__take_str mc_val_str
/* A well-formed dossier code (mc_dom_dossier_code). */
int handlers__code_ok(const char *code);
/* Refuse naming the offending field / the rule in *f; return err. */
int handlers__refuse(mc_fault *fault, int err, const char *field);
int handlers__refuse_rule(mc_fault *fault, int err, const char *rule);
/* Reply DossierReply{d} and release the request. */
void handlers__reply_dossier(mc_req *r, const mc_dossier *d);
/* Storage callback answering a ListReply (list, search) of a page; arg
 * is the mc_req. The page is cut where it would pass the frame cap. */
void handlers__page_cb(void *arg, int err, const mc_page *page);
/* Bytes a reply may hold in its repeated rows: the frame cap less room for
 * the envelope, the counts and a cursor. */
size_t handlers__row_budget(const mc_session *s);
/* Bytes one embedded message of n bytes takes in its parent (tag, length). */
size_t handlers__embedded_size(size_t n);
/* Start a request that waits on storage (keeps the session alive). */
int handlers__start(mc_session *s, uint64_t id, mc_req **out);
/* After a storage submit: on a synchronous refusal release r, return rc. */
int handlers__submitted(mc_req *r, int rc);

#endif
