/* Rendering helpers every front-end needs: dates in the server's time zone,
 * enum names, the workflow action table, sizes and amounts, and the JSON
 * form of protocol messages (the CLI's --json output and the desk's API).
 * Pure: no I/O; returns strings and JSON values, never prints. */
#ifndef MC_RENDER_H
#define MC_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "frame.h"
#include "messages.h"

/* ---- rendering ---------------------------------------------------------- */

/* RFC 3339 at a fixed UTC offset: "2026-10-08T14:05:00+07:00". Returns 0,
 * or MC_EINVAL if ms <= 0 (absent) or the buffer is too small (>= 26 bytes). */
int mc_render_rfc3339(int64_t ms, int offset_min, char *buf, size_t size);
/* Human form: "08/10/2026 14:05" (vi) or "2026-10-08 14:05" (en). */
int mc_render_human_time(int64_t ms, int offset_min, int lang, char *buf, size_t size);

/* The zone dates are shown and typed in: the server's (HelloReply
 * utc_offset_min), set by the session layer after each Hello and, offline,
 * from the value kept from the last Hello (mc_client_zone_load). Until
 * either is known: MC_RENDER_FALLBACK_UTC_OFFSET_MIN (Vietnam, +07:00). */
#define MC_RENDER_FALLBACK_UTC_OFFSET_MIN 420
int mc_render_utc_offset(void);
void mc_render_set_utc_offset(int offset_min);
/* mc_render_rfc3339 in the current zone as a JSON string; null when absent. */
json_t *mc_render_time_json(int64_t ms);

const char *mc_render_level_name(int level);     /* "commune"|"district"|NULL */
const char *mc_render_channel_name(int channel); /* "direct"|"online"|"postal"|NULL */
const char *mc_render_limit_unit_name(int unit); /* "hours"|...|NULL */
int mc_render_channel_parse(const char *s);      /* Motcua__Channel or MC_EINVAL */
const char *mc_render_role_name(int role);       /* "commune"|"district"|"admin"|NULL */
enum mc_msg mc_render_level_msg(int level);      /* MSG_LEVEL_* or MSG_UNKNOWN */
enum mc_msg mc_render_channel_msg(int channel);  /* MSG_CHANNEL_* or MSG_UNKNOWN */
enum mc_msg mc_render_limit_unit_msg(int unit);  /* MSG_UNIT_* or MSG_UNKNOWN */
const char *mc_render_form_name(int form);       /* "original"|...|NULL (ComponentForm) */
enum mc_msg mc_render_form_msg(int form);        /* MSG_FORM_* or MSG_UNKNOWN */
enum mc_msg mc_render_role_msg(int role);        /* MSG_ROLE_* or MSG_UNKNOWN */
/* The unit a dossier was forwarded to, NULL if none. */
const char *mc_render_forwarded_to(const Motcua__Dossier *d);
/* Whole VND with '.' thousands separators: "1.500.000". */
void mc_render_format_vnd(int64_t v, char *buf, size_t size);
/* A size for people, in KB (below 1 MB), MB or GB (1 KB = 1024 bytes), one
 * decimal, with the language's decimal mark: "0,5 KB", "180,5 KB", "1,5 MB"
 * in Vietnamese, "180.5 KB" in English. The one size formatter. */
void mc_render_size(uint64_t n, int lang, char *buf, size_t size);
/* mc_render_size in English (progress lines, logs). */
void mc_render_format_size(uint64_t n, char *buf, size_t size);
/* A stored file's kind ("scan", "result") and type (MIME) for people:
 * MSG_KIND_* / MSG_MIME_*, MSG_KIND_OTHER / MSG_MIME_OTHER otherwise. */
enum mc_msg mc_render_kind_msg(const char *kind);
enum mc_msg mc_render_mime_msg(const char *mime);

/* The workflow actions, in the order of a dossier's life. name is the wire
 * name (ProgressStep.action, DossierEvent.kind), command the CLI command
 * (NULL for receive/forward, which have their own requests), action the
 * Motcua__Action (0 for receive/forward). */
typedef struct mc_render_action_def {
  const char *name;
  const char *command;
  int action;
  enum mc_msg label; /* MSG_ACT_*: progress-log name */
  enum mc_msg done;  /* MSG_DONE_*: confirmation; MSG_NONE for receive/forward */
} mc_render_action_def;

const mc_render_action_def *mc_render_actions(size_t *n);
const mc_render_action_def *mc_render_action_by_name(const char *name); /* NULL if unknown */
const mc_render_action_def *mc_render_action_by_command(const char *command);
/* Label of a wire action name; an unknown name is returned as is. */
const char *mc_render_action_label(int lang, const char *name);
/* "early"|"on_time"|"late" -> label; "" or unknown -> "" / the input. */
const char *mc_render_result_label(int lang, const char *result);

/* New JSON values (caller decrefs); NULL only on allocation failure. */
json_t *mc_render_dossier_json(const Motcua__Dossier *d, int lang);
json_t *mc_render_procedure_json(const Motcua__Procedure *p);
/* {"error": {code, message[, detail]}}; detail omitted when NULL or "". */
json_t *mc_render_error_json(int err, const char *message, const char *detail);
/* {at, unit, officer, role, action, status_before, status_after, from_unit,
 * to_unit, step_due, result, detail}; absent values are null. */
json_t *mc_render_step_json(const Motcua__ProgressStep *s);
/* {dossier: {...}, steps: [...]} */
json_t *mc_render_history_json(const Motcua__HistoryReply *h, int lang);
/* {id, kind, at, from_unit, detail, dossier} */
json_t *mc_render_event_json(const Motcua__DossierEvent *e, int lang);
/* {date, kind, name} */
json_t *mc_render_holiday_json(const Motcua__Holiday *h);

#endif
