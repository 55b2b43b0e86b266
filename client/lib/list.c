/* The desk's lists: typed options checked, the ListRequest built, replies
 * rendered (list.h). */
#include "list.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "fields.h"
#include "render.h"

#define DAY_MS 86400000LL

typedef enum mc_msg (*opt_fn)(mc_list_query *q, const char *v, void *slot);

static enum mc_msg set_uint(unsigned lo, unsigned hi, const char *v, unsigned *out,
                            enum mc_msg bad) {
  return mc_fields_parse_uint(v, lo, hi, out) == 0 ? MSG_NONE : bad;
}

static enum mc_msg opt_status(mc_list_query *q, const char *v, void *slot) {
  (void)slot;
  return set_uint(1, MC_STATUS_MAX, v, &q->status, MSG_ERR_STATUS_RANGE);
}

static enum mc_msg opt_limit(mc_list_query *q, const char *v, void *slot) {
  (void)slot;
  return set_uint(1, MC_LIM_LIST, v, &q->limit, MSG_ERR_LIMIT_RANGE);
}

static enum mc_msg opt_offset(mc_list_query *q, const char *v, void *slot) {
  (void)slot;
  return set_uint(0, MC_LIM_LIST_OFFSET, v, &q->offset, MSG_ERR_OFFSET);
}

static enum mc_msg opt_sort(mc_list_query *q, const char *v, void *slot) {
  (void)slot;
  int key, desc;
  if (v == NULL || strlen(v) >= sizeof q->sort || mc_dom_list_sort(v, &key, &desc) != MC_DOM_OK)
    return MSG_ERR_SORT;
  snprintf(q->sort, sizeof q->sort, "%s", v);
  return MSG_NONE;
}

enum mc_msg mc_list_check_cursor(const char *v) {
  size_t n = v != NULL ? strlen(v) : 0;
  if (n == 0 || n > MC_LIM_CURSOR) return MSG_ERR_AFTER;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)v[i] < 0x21 || (unsigned char)v[i] > 0x7e) return MSG_ERR_AFTER;
  return MSG_NONE;
}

static enum mc_msg opt_after(mc_list_query *q, const char *v, void *slot) {
  (void)slot;
  enum mc_msg m = mc_list_check_cursor(v);
  if (m == MSG_NONE) snprintf(q->after, sizeof q->after, "%s", v);
  return m;
}

static enum mc_msg opt_procedure(mc_list_query *q, const char *v, void *slot) {
  (void)slot;
  enum mc_msg m = mc_fields_check_procedure(v);
  if (m == MSG_NONE) snprintf(q->procedure, sizeof q->procedure, "%s", v);
  return m;
}

static enum mc_msg opt_sector(mc_list_query *q, const char *v, void *slot) {
  (void)slot;
  if (v == NULL || mc_dom_text(v, MC_LIM_SECTOR, MC_TEXT_REQUIRED) != MC_DOM_OK)
    return MSG_ERR_SECTOR;
  snprintf(q->sector, sizeof q->sector, "%s", v);
  return MSG_NONE;
}

static enum mc_msg opt_holder(mc_list_query *q, const char *v, void *slot) {
  (void)slot;
  if (mc_dom_unit_code(v) != MC_DOM_OK) return MSG_ERR_UNIT_CODE;
  snprintf(q->holder, sizeof q->holder, "%s", v);
  return MSG_NONE;
}

static enum mc_msg opt_date(mc_list_query *q, const char *v, void *slot) {
  (void)q;
  return mc_fields_iso_date(v, slot) == 0 ? MSG_NONE : MSG_ERR_DATE;
}

static enum mc_msg opt_due_within(mc_list_query *q, const char *v, void *slot) {
  (void)slot;
  return mc_fields_parse_span(v, &q->due_within_ms) == 0 ? MSG_NONE : MSG_ERR_SPAN;
}

/* The option table: "--name" (the CLI's spelling; the desk drops the
 * dashes), parser, and the date slot (offsetof) or -1. */
static const struct option {
  const char *name;
  opt_fn fn;
  long slot;
} options[] = {
    {"--status", opt_status, -1},
    {"--limit", opt_limit, -1},
    {"--offset", opt_offset, -1},
    {"--sort", opt_sort, -1},
    {"--after", opt_after, -1},
    {"--procedure", opt_procedure, -1},
    {"--sector", opt_sector, -1},
    {"--holder", opt_holder, -1},
    {"--due-within", opt_due_within, -1},
    {"--received-from", opt_date, (long)offsetof(mc_list_query, received_from)},
    {"--received-to", opt_date, (long)offsetof(mc_list_query, received_to)},
    {"--due-from", opt_date, (long)offsetof(mc_list_query, due_from)},
    {"--due-to", opt_date, (long)offsetof(mc_list_query, due_to)},
};

/* name with or without its leading "--". */
static const struct option *find_option(const char *name) {
  if (name != NULL && strncmp(name, "--", 2) == 0) name += 2;
  for (size_t i = 0; name != NULL && i < sizeof options / sizeof options[0]; i++)
    if (strcmp(options[i].name + 2, name) == 0) return &options[i];
  return NULL;
}

int mc_list_query_knows(const char *name) { return find_option(name) != NULL; }

const char *mc_list_query_option(size_t i) {
  return i < sizeof options / sizeof options[0] ? options[i].name : NULL;
}

enum mc_msg mc_list_query_set(mc_list_query *q, const char *name, const char *value) {
  const struct option *o = find_option(name);
  if (o == NULL) return MSG_ERR_UNKNOWN_OPTION;
  void *slot = o->slot >= 0 ? (char *)q + o->slot : NULL;
  return o->fn(q, value, slot);
}

/* ISO dates compare as text; "" is an open end. */
static int range_bad(const char *from, const char *to) {
  return from[0] != '\0' && to[0] != '\0' && strcmp(from, to) > 0;
}

enum mc_msg mc_list_query_check(const mc_list_query *q) {
  if (q->mine && q->awaiting_signature) return MSG_ERR_MINE_AWAITING;
  if (range_bad(q->received_from, q->received_to) || range_bad(q->due_from, q->due_to))
    return MSG_ERR_DATE_ORDER;
  return MSG_NONE;
}

/* Local midnight of an ISO day (+ one day for an included end); 0 = "". */
static int64_t day_ms(const char *iso, int offset_min, int end) {
  char t[17];
  int64_t ms = 0;
  if (iso[0] == '\0') return 0;
  snprintf(t, sizeof t, "%s 00:00", iso);
  if (mc_fields_parse_due(t, offset_min, &ms) != 0) return 0;
  return ms + (end ? DAY_MS : 0);
}

enum mc_msg mc_list_request_build(const mc_list_query *q, int offset_min,
                                  Motcua__ListRequest *body) {
  enum mc_msg m = mc_list_query_check(q);
  if (m != MSG_NONE) return m;
  motcua__list_request__init(body);
  body->status = q->status;
  body->limit = q->limit;
  body->offset = q->offset;
  body->overdue = q->overdue;
  body->mine = q->mine;
  body->awaiting_signature = q->awaiting_signature;
  body->due_within_ms = q->due_within_ms;
  body->sort = (char *)q->sort;
  body->after = (char *)q->after;
  body->procedure = (char *)q->procedure;
  body->sector = (char *)q->sector;
  body->holder_unit = (char *)q->holder;
  body->received_from_ms = day_ms(q->received_from, offset_min, 0);
  body->received_to_ms = day_ms(q->received_to, offset_min, 1);
  body->due_from_ms = day_ms(q->due_from, offset_min, 0);
  body->due_to_ms = day_ms(q->due_to, offset_min, 1);
  return MSG_NONE;
}

void mc_list_page_span(const mc_list_query *q, const Motcua__ListReply *r, unsigned *first,
                       unsigned *last) {
  *first = r->n_dossiers > 0 ? q->offset + 1 : 0;
  *last = r->n_dossiers > 0 ? q->offset + (unsigned)r->n_dossiers : 0;
}

/* A reply's next-page cursor, NULL when there is none (JSON omits it). */
static const char *cursor_or_null(const char *next) {
  return next != NULL && next[0] != '\0' ? next : NULL;
}

/* A list or search reply's rows as a JSON array. */
static json_t *dossiers_json(const Motcua__ListReply *r, int lang) {
  json_t *a = json_array();
  for (size_t i = 0; i < r->n_dossiers; i++)
    json_array_append_new(a, mc_render_dossier_json(r->dossiers[i], lang));
  return a;
}

json_t *mc_list_reply_json(const mc_list_query *q, const Motcua__ListReply *r, int lang) {
  json_t *a = dossiers_json(r, lang);
  const char *next = cursor_or_null(r->next);
  return json_pack("{s:o, s:I, s:b, s:I, s:s?, s:b}", "dossiers", a, "total",
                   (json_int_t)r->total, "total_capped", r->total_capped, "offset",
                   (json_int_t)q->offset, "next", next, "cut", r->cut);
}

json_t *mc_search_reply_json(const Motcua__ListReply *r, int lang) {
  json_t *a = dossiers_json(r, lang);
  const char *next = cursor_or_null(r->next);
  return json_pack("{s:o, s:I, s:b, s:s?, s:b}", "dossiers", a, "total", (json_int_t)r->total,
                   "total_capped", r->total_capped, "next", next, "cut", r->cut);
}

json_t *mc_inbox_reply_json(const Motcua__InboxReply *r, int lang) {
  json_t *a = json_array();
  for (size_t i = 0; i < r->n_events; i++)
    json_array_append_new(a, mc_render_event_json(r->events[i], lang));
  const char *next = cursor_or_null(r->next);
  return json_pack("{s:o, s:s?, s:b}", "events", a, "next", next, "cut", r->cut);
}

json_t *mc_pages_merge_json(json_t *acc, json_t *page, const char *rows_key) {
  if (acc == NULL) return page;
  if (page == NULL) return acc;
  json_array_extend(json_object_get(acc, rows_key), json_object_get(page, rows_key));
  json_object_set(acc, "next", json_object_get(page, "next"));
  json_object_set(acc, "cut", json_object_get(page, "cut"));
  json_decref(page);
  return acc;
}

int mc_inbox_more(const Motcua__InboxReply *r, int peek) {
  if (peek) return cursor_or_null(r->next) != NULL;
  return r->n_events > 0;
}

json_t *mc_summary_json(const Motcua__SummaryReply *r) {
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "to_receive",
                   (json_int_t)r->to_receive, "to_return", (json_int_t)r->to_return,
                   "due_soon", (json_int_t)r->due_soon, "overdue", (json_int_t)r->overdue,
                   "in_progress", (json_int_t)r->in_progress, "received_today",
                   (json_int_t)r->received_today, "at", mc_render_time_json(r->at_ms));
}

json_t *mc_actions_json(const Motcua__DossierReply *r) {
  json_t *a = json_array();
  for (size_t i = 0; i < r->n_actions; i++)
    if (r->actions[i] != NULL) json_array_append_new(a, json_string(r->actions[i]));
  return a;
}
