/* Request validation: pure functions from decoded protobuf messages to
 * bounded model structs. Every peer-supplied string, length and number is
 * checked here before any handler, rule or query sees it. On failure they
 * return MC_EINVAL (or MC_ETOOBIG) and name the field in *field. No I/O, no
 * clock: fuzzed by fuzz/fuzz_request.c. */
#ifndef MC_VALIDATE_H
#define MC_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "model.h"


/* Copy a bounded string (NULL = ""); MC_EINVAL if too long, not UTF-8, or
 * empty when required. */
int mc_val_str(char *dst, size_t cap, const char *src, int required);
/* As mc_val_str, and mc_dom_text's rule (no control characters but
 * newline; required: not blank). */
int mc_val_text(char *dst, size_t cap, const char *src, int required);
/* As mc_val_text on one line (no newline): names, officers. */
int mc_val_line(char *dst, size_t cap, const char *src, int required);
/* Hello.client_version: at most MC_LIM_CLIENT_VERSION printable ASCII
 * bytes (0x20..0x7e; it is logged and shown on the monitor); "" allowed. */
int mc_val_client_version(char *dst, size_t cap, const char *src);
/* "YYYY-MM-DD", a real date in 2000..2100; returns the year or 0. */
int mc_val_date(const char *date);

typedef struct mc_receive_fields {
  mc_applicant applicant;
  char procedure_code[MC_PROC_CODE_MAX];
  char officer[MC_OFFICER_MAX];
  int channel;
  /* intake as the receipt records it (issue 14) */
  char address[MC_LIM_ADDRESS + 1];
  char email[MC_LIM_EMAIL + 1];
  int sets;                              /* 1..MC_LIM_SETS */
  size_t ncomponents;
  mc_received components[MC_LIM_COMPONENTS]; /* distinct ordinals, as sent */
  char missing_reason[MC_TEXT_MAX];
} mc_receive_fields;
int mc_val_receive(const Motcua__ReceiveRequest *q, mc_receive_fields *out, const char **field);

typedef struct mc_action_fields {
  int action;              /* enum mc_action (forward included) */
  char code[MC_DOSSIER_CODE_MAX];
  char key[MC_IDEM_KEY_MAX];
  char officer[MC_OFFICER_MAX];
  char detail[MC_TEXT_MAX]; /* reason / note / description for the log */
  char to_officer[MC_OFFICER_MAX];
  char department[MC_SECTOR_MAX];
  char collected_by[MC_PERSON_NAME_MAX];
  int64_t amount;
  int64_t new_due_ms;
  int rating;
} mc_action_fields;
int mc_val_action(const Motcua__ActionRequest *q, mc_action_fields *out, const char **field);
int mc_val_forward(const Motcua__ForwardRequest *q, mc_action_fields *out, const char **field);

/* ---- idempotency fingerprints (docs/SECURITY.md P1) ----
 * The canonical text of a validated request: its kind and every field the
 * peer chose (not the key, not what the server computes), each written as
 * "<byte length>:<bytes>;" so that no two different requests share a
 * text. Storage keeps its SHA-256 with the idempotency key and answers
 * MC_ECONFLICT when the key comes back with another text. Returns the
 * length, or MC_ETOOBIG if cap is too small (MC_VAL_CANON_MAX always is
 * enough). Pure. */
#define MC_VAL_CANON_MAX 4096
int mc_val_receive_canon(const mc_receive_fields *f, char *out, size_t cap);
int mc_val_action_canon(const mc_action_fields *f, char *out, size_t cap);

int mc_val_search(const Motcua__SearchRequest *q, char text[MC_SEARCH_MAX], int *limit,
                  const char **field);
int mc_val_list(const Motcua__ListRequest *q, long limit_max, int *status, int *limit,
                const char **field);
/* ADD / REMOVE: the day; LIST: year range. *year = the date's year or q->year. */
int mc_val_holidays(const Motcua__HolidaysRequest *q, mc_calday *day, int *year,
                    const char **field);

/* ---- officer accounts (issue 15) ---- */

/* A login as typed: ASCII upper case lowered into out, then the syntax of
 * mc_off_login_ok; 0 or MC_EINVAL. */
int mc_val_login_name(char out[MC_LIM_LOGIN + 1], const char *in);
/* LoginRequest: the login (lowered) and a password of 1..MC_LIM_PASSWORD
 * bytes; MC_EBADLOGIN ("login") otherwise: a malformed login cannot exist,
 * and the answer is the same as for a wrong one. */
int mc_val_login(const Motcua__LoginRequest *q, char login[MC_LIM_LOGIN + 1], const char **field);
/* PasswordRequest: the old one 1..MC_LIM_PASSWORD bytes ("old_password",
 * MC_EBADLOGIN), the new one through the policy without the officer's
 * context (MC_EWEAKPW, *field the rule); the handler checks it again
 * against the login, name and unit. */
int mc_val_password(const Motcua__PasswordRequest *q, const char **field);

typedef struct mc_officers_fields {
  int op;                           /* Motcua__OfficersRequest__Op */
  char unit[MC_UNIT_CODE_MAX];      /* "" = the caller's unit, "admin" = IT */
  char login[MC_LIM_LOGIN + 1];     /* all but LIST */
  char full_name[MC_OFFICER_MAX];   /* ADD */
  char title[MC_LIM_TITLE + 1];     /* ADD */
  unsigned roles;                   /* ADD, SET_ROLES: MC_OFF_x, at least one */
  char key[MC_IDEM_KEY_MAX];        /* changes */
  int role_filter;                  /* LIST: 0..4 */
} mc_officers_fields;
/* OfficersRequest: every field bounded and checked for its op. */
int mc_val_officers(const Motcua__OfficersRequest *q, mc_officers_fields *out,
                    const char **field);

#endif
