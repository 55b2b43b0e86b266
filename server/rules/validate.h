/* Request validation: pure functions from decoded protobuf messages to
 * bounded model structs. Every peer-supplied string, length and number is
 * checked here before any handler, rule or query sees it. On failure they
 * return MC_EINVAL (or MC_ETOOBIG) and name the field in *field. No I/O, no
 * clock: fuzzed by fuzz/fuzz_request.c. */
#ifndef MC_VALIDATE_H
#define MC_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
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

/* SearchRequest: text required; limit 0 = 50, at most 500; after "" or a
 * search cursor (cursor.h). */
int mc_val_search(const Motcua__SearchRequest *q, char text[MC_SEARCH_MAX], int *limit,
                  mc_cursor *after, const char **field);
/* InboxRequest: limit 0 = 200, at most MC_LIM_LIST; after "" or an inbox
 * cursor, only without mark_read (reading takes the oldest unread). */
int mc_val_inbox(const Motcua__InboxRequest *q, int *limit, mc_cursor *after,
                 const char **field);
/* ListRequest (issue 16): every filter bounded; limit 0 = 100, capped at
 * limit_max; offset <= MC_LIM_LIST_OFFSET; sort by mc_dom_list_sort; a
 * time range needs from < to when both are given, each within
 * 0..MC_LIM_TIME_MAX_MS. "" / 0 = not filtered. after: "" or a list
 * cursor (cursor.h) of the same sort and direction. */
typedef struct mc_list_fields {
  int status, limit, offset;
  int sort, desc; /* enum mc_dom_sort_key, 1 = descending */
  int overdue, mine, awaiting_signature;
  int64_t due_within_ms;
  int64_t received_from_ms, received_to_ms, due_from_ms, due_to_ms;
  char procedure[MC_LIM_PROC_CODE + 1];
  char sector[MC_LIM_SECTOR + 1];
  char holder_unit[MC_LIM_UNIT_CODE + 1];
  mc_cursor after; /* "" = first page; else a list cursor of the same sort */
} mc_list_fields;
int mc_val_list(const Motcua__ListRequest *q, long limit_max, mc_list_fields *out,
                const char **field);
/* ADD / REMOVE: the day; LIST: year range. *year = the date's year or q->year. */
int mc_val_holidays(const Motcua__HolidaysRequest *q, mc_calday *day, int *year,
                    const char **field);
/* RegisterRequest (form 06): a period of local days from..to (both
 * included, at most MC_VAL_REGISTER_DAYS), the page after the cursor
 * ("" or "YYYY:N": the last row's register year and number), limit
 * 0 = MC_VAL_REGISTER_PAGE, at most MC_VAL_REGISTER_PAGE_MAX. Days are
 * day numbers since 1970-01-01 (local dates). */
#define MC_VAL_REGISTER_DAYS 366
#define MC_VAL_REGISTER_PAGE 100
#define MC_VAL_REGISTER_PAGE_MAX 200
typedef struct mc_register_query {
  int32_t from_day, to_day;
  int after_year, after_no; /* 0, 0: from the start */
  int limit;
} mc_register_query;
int mc_val_register(const Motcua__RegisterRequest *q, mc_register_query *out,
                    const char **field);
/* HoursRequest: unit ("" = the caller's) and, for SET, 0..MC_HOURS_SCHEDULES
 * schedules ("MM-DD" a real day, "HH:MM" times in session order, distinct
 * dates, names of one line), sorted by valid_from into rows[0..*n). */
int mc_val_hours(const Motcua__HoursRequest *q, char unit[MC_UNIT_CODE_MAX],
                 mc_work_hours rows[MC_HOURS_SCHEDULES], size_t *n, const char **field);

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
