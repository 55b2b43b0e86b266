/* Request rules both front-ends (the motcua CLI, the desk) share beyond
 * fields.c's value checks: which options each workflow action takes and
 * which it requires (the server's rules), and each option's check and
 * parse. Pure: no I/O. */
#ifndef MC_REQUESTS_H
#define MC_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "messages.h"

/* The options of a workflow action (ActionRequest fields). */
enum {
  MC_REQ_REASON = 1u << 0,    /* reason */
  MC_REQ_NOTE = 1u << 1,      /* note */
  MC_REQ_ASSIGNEE = 1u << 2,  /* to_officer (assign) */
  MC_REQ_DEPT = 1u << 3,      /* department (assign) */
  MC_REQ_AMOUNT = 1u << 4,    /* amount, whole VND (fee request) */
  MC_REQ_DUE = 1u << 5,       /* new_due_ms (reschedule) */
  MC_REQ_COLLECTOR = 1u << 6, /* collected_by (return) */
  MC_REQ_RATING = 1u << 7,    /* rating 1..3 (rate) */
};
#define MC_REQ_OPTS 8

typedef struct mc_req_action_spec {
  int action;        /* Motcua__Action */
  unsigned allowed;  /* MC_REQ_* it takes */
  unsigned required; /* MC_REQ_* it needs */
} mc_req_action_spec;

/* The spec of action, NULL for an unknown one. */
const mc_req_action_spec *mc_req_action_spec_of(int action);

/* The wire name of option bit opt ("reason", "to_officer", ...). */
const char *mc_req_opt_name(unsigned opt);

/* Parsed values of the options that are not plain text. */
typedef struct mc_req_action_vals {
  int64_t amount;
  int64_t new_due_ms; /* in the zone at offset_min */
  unsigned rating;
} mc_req_action_vals;

/* Check (and parse into v) one option's value as typed; MSG_NONE or the
 * message saying what is wrong. Dates of MC_REQ_DUE in the zone at
 * offset_min (mc_render_utc_offset()). */
enum mc_msg mc_req_action_opt(unsigned opt, const char *value, int offset_min,
                              mc_req_action_vals *v);

/* The procedures of a catalogue reply that match q (any part of code,
 * name or sector, accents optional; mc_find_rank), best first; NULL q: all,
 * in the catalogue's order. Their indexes in *order (malloc'ed, the caller
 * frees it); the count, or -1 when out of memory. */
long mc_req_procedures_rank(const Motcua__ProceduresReply *r, const char *q, size_t **order);

#endif
