/* Internal to the motcua CLI (and its unit tests): the message table, the
 * JSON/human rendering of protocol messages, and argument validation. Pure
 * functions: no I/O except the explicit FILE* arguments. */
#ifndef MC_CLI_H
#define MC_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "frame.h"

enum mc_lang { MC_LANG_VI = 0, MC_LANG_EN = 1 };

/* Vietnam's offset from UTC; the country has no daylight saving time. */
#define MC_CLI_UTC_OFFSET_MIN 420

/* Every user-facing string. Keep MSG__COUNT last. */
enum mc_msg {
  MSG_NONE = 0,
  /* usage */
  MSG_USAGE,
  MSG_USAGE_PING,
  MSG_USAGE_PROCEDURES,
  MSG_USAGE_RECEIVE,
  MSG_USAGE_SHOW,
  MSG_USAGE_LIST,
  MSG_USAGE_FORWARD,
  MSG_USAGE_WATCH,
  MSG_USAGE_WHOAMI,
  MSG_USAGE_ACCEPT,
  MSG_USAGE_ASSIGN,
  MSG_USAGE_RESULT,
  MSG_USAGE_SEND_BACK,
  MSG_USAGE_SUPPLEMENT_REQUEST,
  MSG_USAGE_SUPPLEMENT,
  MSG_USAGE_FEE_REQUEST,
  MSG_USAGE_FEE_PAID,
  MSG_USAGE_REFUSE,
  MSG_USAGE_STOP,
  MSG_USAGE_WITHDRAW,
  MSG_USAGE_RESCHEDULE,
  MSG_USAGE_RETURN,
  MSG_USAGE_RATE,
  MSG_USAGE_HISTORY,
  MSG_USAGE_INBOX,
  MSG_USAGE_SEARCH,
  MSG_USAGE_HOLIDAYS,
  MSG_USAGE_SLIP,
  MSG_USAGE_ATTACH,
  MSG_USAGE_FILES,
  MSG_USAGE_DOWNLOAD,
  MSG_USAGE_MONITOR,
  /* usage / config errors */
  MSG_ERR_NO_CONFIG,
  MSG_ERR_CONFIG,
  MSG_ERR_NO_COMMAND,
  MSG_ERR_UNKNOWN_COMMAND,
  MSG_ERR_UNKNOWN_OPTION,
  MSG_ERR_MISSING_VALUE,
  MSG_ERR_EXTRA_ARG,
  MSG_ERR_BAD_LANG,
  MSG_ERR_NEED_PROCEDURE,
  MSG_ERR_NEED_NAME,
  MSG_ERR_NEED_ID,
  MSG_ERR_NEED_CODE,
  MSG_ERR_NAME_TOO_LONG,
  MSG_ERR_NAME_INVALID,
  MSG_ERR_ID_FORMAT,
  MSG_ERR_PHONE_FORMAT,
  MSG_ERR_PROCEDURE_FORMAT,
  MSG_ERR_CODE_FORMAT,
  MSG_ERR_CHANNEL,
  MSG_ERR_STATUS_RANGE,
  MSG_ERR_LIMIT_RANGE,
  MSG_ERR_NO_OFFICER,
  MSG_ERR_OFFICER_TOO_LONG,
  MSG_ERR_TLS_SETUP,
  MSG_ERR_NEED_OPTION,
  MSG_ERR_REASON_INVALID,
  MSG_ERR_NOTE_INVALID,
  MSG_ERR_ASSIGNEE_INVALID,
  MSG_ERR_DEPT_INVALID,
  MSG_ERR_COLLECTOR_INVALID,
  MSG_ERR_AMOUNT,
  MSG_ERR_DUE_DATE,
  MSG_ERR_DATE,
  MSG_ERR_RATING,
  MSG_ERR_SPAN,
  MSG_ERR_SEARCH_TEXT,
  MSG_ERR_YEAR,
  MSG_ERR_HOLIDAY_NAME,
  MSG_ERR_NEED_SUBCOMMAND,
  MSG_ERR_FORM,
  MSG_ERR_PROVINCE_INVALID,
  MSG_ERR_SLIP,
  /* transport */
  MSG_ERR_CONNECT,
  MSG_ERR_CONNECT_TIMEOUT,
  MSG_ERR_CONNECT_TLS,
  MSG_ERR_CONNECT_DOWN,
  MSG_ERR_CONNECT_IDENTITY,
  MSG_ERR_UNEXPECTED_REPLY,
  MSG_SERVER_SAID,
  /* server refusals, by error code */
  MSG_REFUSED_INTERNAL,
  MSG_REFUSED_NOMEM,
  MSG_REFUSED_PROTO,
  MSG_REFUSED_VERSION,
  MSG_REFUSED_TOO_BIG,
  MSG_REFUSED_INVALID,
  MSG_REFUSED_UNAUTH,
  MSG_REFUSED_FORBIDDEN,
  MSG_REFUSED_NOT_FOUND,
  MSG_REFUSED_CONFLICT,
  MSG_REFUSED_UNAVAILABLE,
  MSG_REFUSED_TIMEOUT,
  MSG_REFUSED_BUSY,
  MSG_REFUSED_WRONG_LEVEL,
  MSG_REFUSED_BAD_STATE,
  MSG_REFUSED_IO,
  MSG_REFUSED_TLS,
  MSG_REFUSED_CLOSED,
  MSG_REFUSED_CONFIG,
  MSG_REFUSED_UNKNOWN,
  /* national status names 1..10 */
  MSG_STATUS_1,
  MSG_STATUS_2,
  MSG_STATUS_3,
  MSG_STATUS_4,
  MSG_STATUS_5,
  MSG_STATUS_6,
  MSG_STATUS_7,
  MSG_STATUS_8,
  MSG_STATUS_9,
  MSG_STATUS_10,
  MSG_STATUS_UNKNOWN,
  /* enum labels */
  MSG_LEVEL_COMMUNE,
  MSG_LEVEL_DISTRICT,
  MSG_CHANNEL_DIRECT,
  MSG_CHANNEL_ONLINE,
  MSG_CHANNEL_POSTAL,
  MSG_UNIT_HOURS,
  MSG_UNIT_WORKING_DAYS,
  MSG_UNIT_CALENDAR_DAYS,
  MSG_UNIT_MONTHS,
  MSG_ROLE_COMMUNE,
  MSG_ROLE_DISTRICT,
  MSG_ROLE_ADMIN,
  MSG_UNKNOWN,
  MSG_NONE_YET,
  /* field labels and result lines */
  MSG_F_SERVER,
  MSG_F_SERVER_TIME,
  MSG_F_RTT,
  MSG_F_UNIT,
  MSG_F_ROLE,
  MSG_F_CODE,
  MSG_F_STATUS,
  MSG_F_PROCEDURE,
  MSG_F_LEVEL,
  MSG_F_APPLICANT,
  MSG_F_ID,
  MSG_F_PHONE,
  MSG_F_CHANNEL,
  MSG_F_RECEIVED,
  MSG_F_DUE,
  MSG_F_HOLDER,
  MSG_F_FORWARDED,
  MSG_F_LIMIT,
  MSG_F_SECTOR,
  MSG_RECEIVED_OK,
  MSG_FORWARDED_OK,
  MSG_LIST_EMPTY,
  MSG_LIST_COUNT,
  MSG_PROC_COUNT,
  MSG_EV_CONNECTED,
  MSG_EV_DISCONNECTED,
  MSG_EV_PONG,
  MSG_EV_DOSSIER,
  MSG_EV_ERROR,
  MSG_EV_OTHER,
  MSG_EV_GOODBYE,
  MSG_EV_STOPPED,
  MSG_EV_KIND_FORWARDED,
  MSG_EV_FROM,
  /* workflow actions (progress log, events): see mc_cli_actions() */
  MSG_ACT_RECEIVE,
  MSG_ACT_FORWARD,
  MSG_ACT_ACCEPT,
  MSG_ACT_ASSIGN,
  MSG_ACT_SUPPLEMENT_REQUEST,
  MSG_ACT_SUPPLEMENT,
  MSG_ACT_FEE_REQUEST,
  MSG_ACT_FEE_PAID,
  MSG_ACT_REFUSE,
  MSG_ACT_STOP,
  MSG_ACT_WITHDRAW,
  MSG_ACT_RESCHEDULE,
  MSG_ACT_RESULT,
  MSG_ACT_SEND_BACK,
  MSG_ACT_RETURN,
  MSG_ACT_RATE,
  /* one-line confirmations, followed by the dossier code */
  MSG_DONE_ACCEPT,
  MSG_DONE_ASSIGN,
  MSG_DONE_SUPPLEMENT_REQUEST,
  MSG_DONE_SUPPLEMENT,
  MSG_DONE_FEE_REQUEST,
  MSG_DONE_FEE_PAID,
  MSG_DONE_REFUSE,
  MSG_DONE_STOP,
  MSG_DONE_WITHDRAW,
  MSG_DONE_RESCHEDULE,
  MSG_DONE_RESULT,
  MSG_DONE_SEND_BACK,
  MSG_DONE_RETURN,
  MSG_DONE_RATE,
  /* step results */
  MSG_RESULT_EARLY,
  MSG_RESULT_ON_TIME,
  MSG_RESULT_LATE,
  /* workflow fields of a dossier */
  MSG_F_OVERDUE,
  MSG_F_ASSIGNED,
  MSG_F_DEPARTMENT,
  MSG_F_RATING,
  MSG_F_SUPPLEMENTS,
  MSG_F_RESCHEDULED,
  MSG_F_FINISHED,
  MSG_F_PAUSED,
  MSG_F_RETURNED,
  MSG_F_COLLECTED_BY,
  MSG_F_FEE,
  MSG_YES,
  MSG_NO,
  MSG_RATING_1,
  MSG_RATING_2,
  MSG_RATING_3,
  /* history table */
  MSG_H_TIME,
  MSG_H_UNIT,
  MSG_H_ACTION,
  MSG_H_STATUS,
  MSG_H_STEP_DUE,
  MSG_H_RESULT,
  MSG_H_OFFICER,
  MSG_HISTORY_EMPTY,
  MSG_HISTORY_COUNT,
  /* inbox, holidays, slips */
  MSG_INBOX_EMPTY,
  MSG_INBOX_COUNT,
  MSG_HOLIDAY_KIND_HOLIDAY,
  MSG_HOLIDAY_KIND_WORKDAY,
  MSG_HOLIDAYS_EMPTY,
  MSG_HOLIDAYS_COUNT,
  MSG_HOLIDAY_ADDED,
  MSG_HOLIDAY_REMOVED,
  MSG_SLIP_WRITTEN,
  /* offline outbox (outbox_cmd.c) */
  MSG_USAGE_OUTBOX,
  MSG_USAGE_SYNC,
  MSG_OUTBOX_QUEUED_RECEIVE,
  MSG_OUTBOX_QUEUED_ITEM,
  MSG_OUTBOX_QUEUED_BEHIND,
  MSG_OUTBOX_RUN_SYNC,
  MSG_OUTBOX_DISK_LOW,
  MSG_OUTBOX_EMPTY,
  MSG_OUTBOX_COUNT,
  MSG_OUTBOX_PENDING,
  MSG_OUTBOX_DELIVERED,
  MSG_OUTBOX_REJECTED,
  MSG_OUTBOX_ATTEMPTS,
  MSG_OUTBOX_LAST_ERROR,
  MSG_OUTBOX_NEXT_ATTEMPT,
  MSG_OUTBOX_WAITS_FOR,
  MSG_OUTBOX_TITLE,
  MSG_SYNC_RETRY,
  MSG_SYNC_WAITING,
  MSG_SYNC_NOTHING,
  MSG_SYNC_SUMMARY,
  MSG_SYNC_STOPPED,
  MSG_ERR_OUTBOX,
  MSG_ERR_PROVISIONAL,
  MSG_ERR_PROVISIONAL_REJECTED,
  /* files */
  MSG_ERR_FILE,
  MSG_ERR_TOO_MANY_FILES,
  MSG_FILES_EMPTY,
  MSG_FILE_DEDUP,
  MSG_FILE_RESUMED,
  MSG__COUNT
};

/* Text of id in lang; never NULL ("" only for MSG_NONE). */
const char *mc_msg(int lang, enum mc_msg id);
/* Raw table access for the completeness test: column 0 = vi, 1 = en. */
const char *mc_msg_raw(enum mc_msg id, int lang);
/* Refusal text for an mc_err (MSG_REFUSED_*). */
enum mc_msg mc_msg_for_err(int err);
/* National status name; MSG_STATUS_UNKNOWN outside 1..10. */
const char *mc_status_name(int lang, unsigned status);
int mc_lang_parse(const char *s); /* "vi"/"en" -> lang, -1 otherwise */

/* ---- rendering ---------------------------------------------------------- */

/* RFC 3339 at a fixed UTC offset: "2026-10-08T14:05:00+07:00". Returns 0,
 * or -1 if ms <= 0 (absent) or the buffer is too small (>= 26 bytes). */
int mc_cli_rfc3339(int64_t ms, int offset_min, char *buf, size_t size);
/* Human form: "08/10/2026 14:05" (vi) or "2026-10-08 14:05" (en). */
int mc_cli_human_time(int64_t ms, int offset_min, int lang, char *buf, size_t size);

const char *mc_cli_level_name(int level);     /* "commune"|"district"|NULL */
const char *mc_cli_channel_name(int channel); /* "direct"|"online"|"postal"|NULL */
const char *mc_cli_limit_unit_name(int unit); /* "hours"|...|NULL */
int mc_cli_channel_parse(const char *s);      /* Motcua__Channel or -1 */
const char *mc_cli_role_name(int role);       /* "commune"|"district"|"admin"|NULL */

/* The workflow actions, in the order of a dossier's life. name is the wire
 * name (ProgressStep.action, DossierEvent.kind), command the CLI command
 * (NULL for receive/forward, which have their own requests), action the
 * Motcua__Action (0 for receive/forward). */
typedef struct mc_cli_action_def {
  const char *name;
  const char *command;
  int action;
  enum mc_msg label; /* MSG_ACT_*: progress-log name */
  enum mc_msg done;  /* MSG_DONE_*: confirmation; MSG_NONE for receive/forward */
} mc_cli_action_def;

const mc_cli_action_def *mc_cli_actions(size_t *n);
const mc_cli_action_def *mc_cli_action_by_name(const char *name); /* NULL if unknown */
const mc_cli_action_def *mc_cli_action_by_command(const char *command);
/* Label of a wire action name; an unknown name is returned as is. */
const char *mc_cli_action_label(int lang, const char *name);
/* "early"|"on_time"|"late" -> label; "" or unknown -> "" / the input. */
const char *mc_cli_result_label(int lang, const char *result);

/* New JSON values (caller decrefs); NULL only on allocation failure. */
json_t *mc_cli_dossier_json(const Motcua__Dossier *d, int lang);
json_t *mc_cli_procedure_json(const Motcua__Procedure *p);
/* {"error": {code, message[, detail]}}; detail omitted when NULL or "". */
json_t *mc_cli_error_json(int err, const char *message, const char *detail);
/* {at, unit, officer, role, action, status_before, status_after, from_unit,
 * to_unit, step_due, result, detail}; absent values are null. */
json_t *mc_cli_step_json(const Motcua__ProgressStep *s);
/* {dossier: {...}, steps: [...]} */
json_t *mc_cli_history_json(const Motcua__HistoryReply *h, int lang);
/* {id, kind, at, from_unit, detail, dossier} */
json_t *mc_cli_event_json(const Motcua__DossierEvent *e, int lang);
/* {date, kind, name} */
json_t *mc_cli_holiday_json(const Motcua__Holiday *h);

/* Human renderings to f. */
void mc_cli_print_dossier(FILE *f, const Motcua__Dossier *d, int lang);
void mc_cli_print_dossier_line(FILE *f, const Motcua__Dossier *d, int lang);
void mc_cli_print_procedure(FILE *f, const Motcua__Procedure *p, int lang);
/* Progress log as a table in local time, one step per row (officer and
 * detail on an indented second line). */
void mc_cli_print_history(FILE *f, const Motcua__HistoryReply *h, int lang);
void mc_cli_print_event(FILE *f, const Motcua__DossierEvent *e, int lang);
void mc_cli_print_holiday(FILE *f, const Motcua__Holiday *h, int lang);

/* ---- validation --------------------------------------------------------- */

#define MC_CLI_NAME_MAX 150      /* bytes of UTF-8 */
#define MC_CLI_PROC_CODE_MAX 40
#define MC_CLI_DOSSIER_CODE_MAX 47
#define MC_CLI_PHONE_MAX 15
#define MC_CLI_OFFICER_MAX 95
#define MC_CLI_LIST_LIMIT_MAX 1000
#define MC_CLI_REASON_MAX 500    /* reason / note, bytes of UTF-8 */
#define MC_CLI_DEPT_MAX 127
#define MC_CLI_HOLIDAY_NAME_MAX 127
#define MC_CLI_SEARCH_MAX 99
#define MC_CLI_AMOUNT_MAX 1000000000000LL /* VND, the server's bound */
#define MC_CLI_SPAN_MAX_MS (366LL * 24 * 3600 * 1000)
#define MC_CLI_DUE_HOUR 17       /* a bare date means 17:00 local */

/* Each returns MSG_NONE when valid, else the message explaining why. */
enum mc_msg mc_cli_check_name(const char *s);
enum mc_msg mc_cli_check_citizen_id(const char *s);
enum mc_msg mc_cli_check_phone(const char *s); /* "" allowed (optional) */
enum mc_msg mc_cli_check_procedure(const char *s);
enum mc_msg mc_cli_check_dossier_code(const char *s);
enum mc_msg mc_cli_check_officer(const char *s);
/* Reason or note: 1..500 bytes of UTF-8, no control characters except
 * newline, not only blanks. */
enum mc_msg mc_cli_check_reason(const char *s);
enum mc_msg mc_cli_check_note(const char *s);
/* Names of people and departments (one line, no controls). */
enum mc_msg mc_cli_check_assignee(const char *s);  /* <= MC_CLI_OFFICER_MAX */
enum mc_msg mc_cli_check_department(const char *s);
enum mc_msg mc_cli_check_collector(const char *s); /* <= MC_CLI_NAME_MAX */
enum mc_msg mc_cli_check_holiday_name(const char *s);
enum mc_msg mc_cli_check_search(const char *s);
/* Parse a decimal in [lo, hi]; 0 on success. */
int mc_cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out);
/* Whole VND amount in 1..MC_CLI_AMOUNT_MAX; 0 on success. */
int mc_cli_parse_amount(const char *s, int64_t *vnd);
/* A real calendar date "YYYY-MM-DD" (years 2000..2100); 0 on success. */
int mc_cli_parse_date(const char *s, int *year, int *month, int *day);
/* Appointment: "YYYY-MM-DD" (17:00 local) or "YYYY-MM-DDTHH:MM" (also with a
 * space instead of T), local time at offset_min; ms since the epoch. */
int mc_cli_parse_due(const char *s, int offset_min, int64_t *ms);
/* Span "2d" / "36h" / "90m" (1 .. 366 days) in ms; 0 on success. */
int mc_cli_parse_span(const char *s, int64_t *ms);

#endif
