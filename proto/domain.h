/* The shared vocabulary's rules: one definition, used by the server (which
 * enforces them) and by every client front-end (which checks before
 * sending, so a clerk gets a clear message). Pure: no I/O, no clock, no
 * allocation; links nothing but libc.
 *
 * Limits are the longest accepted value in bytes of UTF-8, without the
 * terminating NUL; a buffer for a field is MC_LIM_x + 1 bytes. The server's
 * wire checks, the database columns and the client's checks all use these. */
#ifndef MC_DOMAIN_H
#define MC_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

/* Roles, as the OU of a certificate names them. */
typedef enum mc_role {
  MC_ROLE_NONE = 0,
  MC_ROLE_COMMUNE = 1,
  MC_ROLE_DISTRICT = 2,
  MC_ROLE_ADMIN = 3,
  MC_ROLE_SERVER = 4 /* the server's own certificate (OU=server) */
} mc_role;

const char *mc_role_name(mc_role r);   /* "commune", ... ; "none" */
mc_role mc_role_parse(const char *s);  /* MC_ROLE_NONE if unknown */

#define MC_LIM_UNIT_CODE 15
#define MC_LIM_UNIT_NAME 127
#define MC_LIM_AGENCY_ID 31
#define MC_LIM_PROC_CODE 47
#define MC_LIM_PROC_NAME 511
#define MC_LIM_SECTOR 127
#define MC_LIM_DOSSIER_CODE 47
#define MC_LIM_PERSON_NAME 159
#define MC_LIM_CITIZEN_ID 15 /* buffer room; the rule is 9 or 12 digits */
#define MC_LIM_PHONE 15
#define MC_LIM_OFFICER 95
#define MC_LIM_IDEM_KEY 63
#define MC_LIM_IDEM_KEY_MIN 8
#define MC_LIM_TEXT 511   /* reasons, notes, descriptions */
#define MC_LIM_SEARCH 99
#define MC_LIM_LIST 1000  /* rows of one list reply */
#define MC_LIM_LIST_OFFSET 100000 /* ListRequest.offset: rows a list may skip */
#define MC_LIM_CURSOR 127 /* a page cursor (ListReply.next, `after`): printable ASCII */
#define MC_LIM_LIST_TOTAL 10000   /* ListReply.total counted up to this (total_capped) */
#define MC_LIM_AMOUNT 1000000000000LL /* VND, a fee request */
#define MC_LIM_CLIENT_VERSION 32      /* Hello.client_version: printable ASCII */
/* A procedure's published file (catalogue data, migration 015). */
#define MC_LIM_COMPONENTS 32          /* components (thành phần hồ sơ) of one procedure */
#define MC_LIM_COMPONENT_NAME 1023
#define MC_LIM_COMPONENT_NOTE 255
#define MC_LIM_COMPONENT_COUNT 20     /* papers of one component */
#define MC_LIM_SETS 20                /* sets (bộ) of one dossier */
#define MC_LIM_PROC_SHORT 255         /* a procedure's fee and source texts */
#define MC_LIM_ADDRESS 255            /* the applicant's address */
#define MC_LIM_EMAIL 254              /* RFC 5321 path limit */
/* Dates a peer sends (milliseconds since the epoch, UTC): none after
 * 2100-01-01, the end of the working-day calendar (holidays 2000..2100). */
#define MC_LIM_TIME_MAX_MS 4102444800000LL
/* A rescheduled appointment lies at most 5 years (of 366 days) after now. */
#define MC_LIM_RESCHEDULE_AHEAD_MS (5LL * 366 * 86400000)

/* Why a value was refused (0 = accepted). */
enum mc_dom_fault {
  MC_DOM_OK = 0,
  MC_DOM_EMPTY,     /* required and missing, or only blanks */
  MC_DOM_TOO_LONG,  /* longer than its limit */
  MC_DOM_BAD_UTF8,  /* not well-formed UTF-8 */
  MC_DOM_CONTROL,   /* a control (C0, DEL, C1) or invisible format character */
  MC_DOM_FORMAT     /* wrong shape for this kind of value */
};

/* Length of the well-formed UTF-8 sequence at p[0..avail) (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF), or 0 if there is none. */
size_t mc_dom_utf8_seq(const unsigned char *p, size_t avail);
/* 1 if s[0..n) is well-formed UTF-8. */
int mc_dom_utf8(const char *s, size_t n);

#define MC_TEXT_REQUIRED 1u /* empty (or blank) is a fault */
#define MC_TEXT_NEWLINES 2u /* '\n' is allowed (reasons, notes) */
/* A NUL-terminated text of at most max bytes: well-formed UTF-8 without
 * control characters (newline only with MC_TEXT_NEWLINES) and without the
 * invisible format characters that reorder or hide text (bidi overrides and
 * isolates, zero-width characters, BOM). */
enum mc_dom_fault mc_dom_text(const char *s, size_t max, unsigned flags);

/* A citizen identity number: 12 digits (CCCD) or 9 digits (old CMND). */
enum mc_dom_fault mc_dom_citizen_id(const char *s);
/* A phone number: empty, or up to MC_LIM_PHONE digits. */
enum mc_dom_fault mc_dom_phone(const char *s);
/* A national procedure code: [A-Za-z0-9._-], 1..MC_LIM_PROC_CODE. */
enum mc_dom_fault mc_dom_proc_code(const char *s);
/* A dossier code "{agency id}-{yymmdd}-{nnnn...}": the agency id of
 * [A-Za-z0-9.] (dots separate its levels), six digits of date, 4..9 digits
 * of sequence; at most MC_LIM_DOSSIER_CODE bytes. */
enum mc_dom_fault mc_dom_dossier_code(const char *s);
/* A unit code as the catalogue writes them: 1..MC_LIM_UNIT_CODE of
 * [A-Za-z0-9] ("444", "18499"). */
enum mc_dom_fault mc_dom_unit_code(const char *s);
/* An idempotency key: MC_LIM_IDEM_KEY_MIN..MC_LIM_IDEM_KEY of [A-Za-z0-9_-]. */
enum mc_dom_fault mc_dom_idem_key(const char *s);

/* ---- statuses (national codes 1..10) ---- */
#define MC_STATUS_MIN 1
#define MC_STATUS_MAX 10
#define MC_STATUS_BIT(s) (1u << (s))
/* Open: not yet finished (1 registered, 2 received, 4 processing, 5
 * supplement, 6 fee). Closed: 3 refused, 7 withdrawn, 8 stopped, 9
 * resolved, 10 returned. */
#define MC_STATUS_OPEN_SET                                                      \
  (MC_STATUS_BIT(1) | MC_STATUS_BIT(2) | MC_STATUS_BIT(4) | MC_STATUS_BIT(5) |  \
   MC_STATUS_BIT(6))
/* Paused: the clock is stopped (5 supplement, 6 fee). */
#define MC_STATUS_PAUSED_SET (MC_STATUS_BIT(5) | MC_STATUS_BIT(6))
int mc_dom_status_valid(int status);
int mc_dom_status_open(int status);
int mc_dom_status_paused(int status);
/* The set as SQL list text, e.g. "1,2,4,5,6", for queries and indexes
 * (written from the mask above, so SQL cannot drift from C). */
const char *mc_dom_status_set_sql(unsigned set);

/* The overdue rule, the one place it is written: a dossier is overdue when
 * it has had a second supplement request (the law counts that as late), or
 * when its end - the finish time if finished, else the start of the pause
 * if paused, else now - is after its due time. due_ms <= 0: no deadline.
 * The list query's SQL filter states the same rule (server/store). */
typedef struct mc_dom_clock {
  int64_t due_ms;
  int64_t finished_ms; /* 0 = not finished */
  int64_t paused_ms;   /* 0 = not paused */
  int supplement_count;
} mc_dom_clock;
int mc_dom_overdue(const mc_dom_clock *c, int64_t now_ms);

/* ---- list order (ListRequest.sort) ----
 * "received" (default ""), "due", "code", "status"; a leading '-' sorts
 * descending; "" = "-received" (newest first). Ties are broken by the
 * dossier's row id in the same direction, so pages never overlap. */
enum mc_dom_sort_key {
  MC_SORT_RECEIVED = 0,
  MC_SORT_DUE,
  MC_SORT_CODE,
  MC_SORT_STATUS,
  MC_SORT__COUNT
};
/* MC_DOM_OK with *key and *desc, or MC_DOM_FORMAT (unknown name). */
enum mc_dom_fault mc_dom_list_sort(const char *s, int *key, int *desc);

#endif
