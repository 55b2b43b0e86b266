/* The desk's JSON API routes (docs/DESK.md): each maps onto the client
 * library's calls on the one mc_client, with the session's officer token
 * set for the call and cleared after it. */
/* memfd_create: _GNU_SOURCE comes from the build */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <xlsxwriter.h>

#include "desk_internal.h"
#include "error.h"
#include "fields.h"
#include "file_name.h"
#include "find.h"
#include "log.h"
#include "officers.h"
#include "outbox.h"
#include "render.h"
#include "report.h"
#include "requests.h"
#include "slip.h"
#include "submit.h"
#include "transfer.h"

/* ---- answers ------------------------------------------------------------- */

static void reply_json(desk_reply *out, int status, json_t *j) {
  out->status = status;
  out->json = j != NULL ? j : json_object();
}

void desk_api_error(desk *d, int lang, desk_reply *out, int status, const char *code,
                    enum mc_msg msg, const char *field) {
  (void)d;
  json_t *e = json_pack("{s:s, s:s}", "code", code, "message", mc_msg(lang, msg));
  if (e != NULL && field != NULL && field[0]) json_object_set_new(e, "field", json_string(field));
  json_decref(out->json);
  out->json = NULL;
  reply_json(out, status, json_pack("{s:o}", "error", e));
}

static int http_status_of(const mc_client_error *e) {
  if (!e->refused) return e->local ? (e->err == MC_EINVAL ? 400 : 500) : 503;
  switch (e->err) {
  case MC_ELOGIN: return 401;
  case MC_EBADLOGIN: case MC_ELOCKED: return 401;
  case MC_EFORBIDDEN: case MC_EPWCHANGE: return 403;
  case MC_ENOTFOUND: return 404;
  case MC_EBADSTATE: case MC_ECONFLICT: case MC_EWRONGLEVEL: return 409;
  case MC_EINVAL: case MC_ETOOBIG: case MC_EWEAKPW: return 400;
  case MC_EUNAVAIL: case MC_EBUSY: return 503;
  default: return 502;
  }
}

/* A failed call: the catalogue's text for it (and the rule it names). */
static void call_error(desk *d, int lang, desk_reply *out, const mc_client_error *e) {
  char msg[1024];
  const char *rule = e->refused ? mc_msg_rule(lang, e->field) : NULL;
  const char *detail = e->refused && rule == NULL ? mc_msg_detail(lang, e->field) : NULL;
  const char *base = mc_msg(lang, e->refused || !e->local ? mc_msg_for_err(e->err)
                                                          : MSG_DESK_ERR_INTERNAL);
  if (!e->refused && !e->local) base = mc_msg(lang, MSG_ERR_CONNECT);
  if (rule != NULL) snprintf(msg, sizeof msg, "%s: %s", base, rule);
  else if (detail != NULL) snprintf(msg, sizeof msg, "%s: %s", base, detail);
  else snprintf(msg, sizeof msg, "%s", base);
  mc_log_info(0, "desk: call failed code=%s refused=%d", e->code, e->refused);
  json_t *j = json_pack("{s:s, s:s}", "code", e->code[0] ? e->code : mc_errname(e->err),
                        "message", msg);
  if (j != NULL && e->field[0]) json_object_set_new(j, "field", json_string(e->field));
  (void)d;
  reply_json(out, http_status_of(e), json_pack("{s:o}", "error", j));
}

static int lang_of(const desk *d, const desk_session *s) { return s != NULL ? s->lang : d->lang; }

static void as_officer(desk *d, const desk_session *s) {
  mc_client_set_token(d->client, s != NULL ? s->token : NULL);
  mc_client_set_officer(d->client, s != NULL ? s->officer.login : NULL);
}

static void done_call(desk *d) {
  mc_client_set_token(d->client, NULL);
  desk_client_arm(d);
}

/* mc_client_call for a read, wanting body `want`; 0 or error answered. */
static int read_call(desk *d, desk_session *s, Motcua__Envelope *req, int want,
                     Motcua__Envelope **rep, desk_reply *out) {
  mc_client_error e = {0};
  as_officer(d, s);
  int rc = mc_client_call(d->client, req, rep, &e);
  done_call(d);
  if (rc == MC_OK && (int)(*rep)->body_case != want) {
    mc_envelope_free(*rep);
    *rep = NULL;
    mc_client_error_set(&e, MC_EPROTO, "proto", NULL, "unexpected reply");
    rc = MC_EPROTO;
  }
  if (rc != MC_OK) call_error(d, lang_of(d, s), out, &e);
  return rc;
}

/* ---- session ------------------------------------------------------------- */

static json_t *officer_json(const mc_client_officer *o) {
  json_t *roles = json_array();
  for (int r = 1; r <= MC_OFFICER_ROLE_MAX; r++)
    if (o->roles & MC_OFFICER_ROLE_BIT(r))
      json_array_append_new(roles, json_string(mc_officer_role_name(r)));
  return json_pack("{s:s, s:s, s:s, s:o, s:b}", "login", o->login, "full_name", o->full_name,
                   "title", o->title, "roles", roles, "must_change", o->must_change);
}

static void cookie_header(desk *d, desk_reply *out, const char *value) {
  snprintf(out->set_cookie, sizeof out->set_cookie, "%s=%s; HttpOnly; SameSite=Strict; Path=/%s%s",
           DESK_COOKIE, value, value[0] ? "" : "; Max-Age=0", d->tls ? "; Secure" : "");
}

static size_t outbox_pending(desk *d) {
  char path[MC_CLIENT_PATH_MAX], unit[32], err[256];
  mc_outbox *ob = NULL;
  size_t n = 0;
  struct stat st;
  if (mc_outbox_config_path(&d->cfg, path, sizeof path, unit, sizeof unit, err, sizeof err) != MC_OK ||
      stat(path, &st) != 0 || mc_outbox_open(path, unit, &ob, err, sizeof err) != MC_OK)
    return 0;
  mc_outbox_pending_count(ob, &n);
  mc_outbox_close(ob);
  return n;
}

static json_t *unit_json(desk *d) {
  const mc_client_info *i = mc_client_get_info(d->client);
  const mc_client_unit *u = mc_client_unit_find(i, i->unit_code);
  const char *role = mc_render_role_name(i->role);
  return json_pack("{s:s, s:s, s:s?, s:s}", "code", i->unit_code[0] ? i->unit_code : d->unit,
                   "name", i->unit_name, "role", i->unit_code[0] ? role : NULL, "parent",
                   u != NULL ? u->parent : "");
}

static json_t *link_json(desk *d, int lang) {
  int on = mc_client_is_ready(d->client);
  json_t *j = json_pack("{s:b, s:o, s:I}", "online", on, "since", mc_render_time_json(d->since_ms),
                        "rtt_ms", (json_int_t)d->rtt_ms);
  if (j != NULL)
    json_object_set_new(j, "error", !on && d->link_err != MC_OK
                                        ? json_string(mc_msg(lang, mc_msg_for_err(d->link_err)))
                                        : json_null());
  return j;
}

static void api_state(desk *d, desk_session *s, desk_reply *out) {
  int lang = lang_of(d, s);
  json_t *j = json_pack("{s:o, s:o, s:{s:I}, s:s, s:I, s:s}", "unit", unit_json(d), "link",
                        link_json(d, lang), "outbox", "pending", (json_int_t)outbox_pending(d),
                        "lang", lang == MC_LANG_EN ? "en" : "vi", "idle_min",
                        (json_int_t)d->cfg.desk_idle_min, "version", MC_VERSION);
  if (j != NULL) {
    json_object_set_new(j, "officer", s != NULL ? officer_json(&s->officer) : json_null());
    if (s != NULL) json_object_set_new(j, "csrf", json_string(s->csrf));
  }
  reply_json(out, 200, j);
}

static void api_texts(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  int lang = r->lang[0] ? mc_lang_parse(r->lang) : lang_of(d, s);
  size_t n = 0;
  const mc_ui_text *t = mc_ui_texts(&n);
  json_t *j = json_object();
  for (size_t i = 0; i < n; i++)
    json_object_set_new(j, t[i].key, json_string(lang == MC_LANG_EN ? t[i].en : t[i].vi));
  for (unsigned st = 1; st <= 10; st++) {
    char key[16];
    snprintf(key, sizeof key, "status.%u", st);
    json_object_set_new(j, key, json_string(mc_status_name(lang, st)));
  }
  reply_json(out, 200, j);
}

static void server_logout(desk *d, const char *token) {
  if (token == NULL || token[0] == '\0' || !mc_client_is_ready(d->client)) return;
  mc_client_set_token(d->client, token);
  mc_client_logout(d->client, 0, NULL);
  done_call(d);
}

static void api_login(desk *d, const desk_req *r, desk_session **s, desk_reply *out) {
  mc_client_officer o;
  mc_client_error e = {0};
  unsigned char id[32], csrf[32];
  char cookie[DESK_SECRET_HEX + 1], evicted[MC_CLIENT_TOKEN_MAX + 1];
  char token[MC_CLIENT_TOKEN_MAX + 1], old[MC_CLIENT_TOKEN_MAX + 1] = "";
  int lang = lang_of(d, *s);
  memset(&o, 0, sizeof o);
  mc_client_set_token(d->client, NULL);
  int rc = mc_client_login(d->client, r->login, r->password, &o, &e);
  snprintf(token, sizeof token, "%s", rc == MC_OK ? mc_client_token(d->client) : "");
  done_call(d);
  if (rc != MC_OK) return call_error(d, lang, out, &e);
  if (*s != NULL) { /* a new login replaces the browser's session */
    snprintf(old, sizeof old, "%s", (*s)->token);
    desk_sessions_remove(*s);
    *s = NULL;
  }
  if (RAND_bytes(id, sizeof id) != 1 || RAND_bytes(csrf, sizeof csrf) != 1 ||
      (*s = desk_sessions_add(&d->sessions, id, csrf, mc_client_now_ms(), cookie, evicted)) ==
          NULL) {
    server_logout(d, token);
    server_logout(d, old);
    OPENSSL_cleanse(token, sizeof token);
    return desk_api_error(d, lang, out, 503, "sessions_full", MSG_DESK_ERR_SESSIONS_FULL, NULL);
  }
  snprintf((*s)->token, sizeof (*s)->token, "%s", token);
  OPENSSL_cleanse(token, sizeof token);
  (*s)->officer = o;
  (*s)->lang = lang;
  server_logout(d, evicted); /* an idle session whose slot this one took */
  server_logout(d, old);
  mc_log_info(0, "desk: officer logged in");
  cookie_header(d, out, cookie);
  reply_json(out, 200, json_pack("{s:o, s:s}", "officer", officer_json(&o), "csrf", (*s)->csrf));
  desk_want_delivery(d, 1); /* items waiting for a login */
}

static void api_logout(desk *d, desk_session **s, desk_reply *out) {
  if (*s != NULL) {
    char token[MC_CLIENT_TOKEN_MAX + 1];
    snprintf(token, sizeof token, "%s", (*s)->token);
    desk_sessions_remove(*s);
    *s = NULL;
    server_logout(d, token);
  }
  cookie_header(d, out, "");
  out->clear_site = 1;
  reply_json(out, 200, json_object());
}

static void api_passwd(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  mc_client_officer o;
  mc_client_error e = {0};
  memset(&o, 0, sizeof o);
  as_officer(d, s);
  int rc = mc_client_passwd(d->client, r->old_password, r->new_password, &o, &e);
  if (rc == MC_OK) snprintf(s->token, sizeof s->token, "%s", mc_client_token(d->client));
  done_call(d);
  if (rc != MC_OK) return call_error(d, s->lang, out, &e);
  s->officer = o;
  reply_json(out, 200, json_pack("{s:o}", "officer", officer_json(&o)));
}

static void api_lang(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  int lang = mc_lang_parse(r->lang);
  if (s != NULL) s->lang = lang;
  else d->lang = lang;
  reply_json(out, 200, json_pack("{s:s}", "lang", r->lang));
}

/* ---- reads --------------------------------------------------------------- */

static void api_summary(desk *d, desk_session *s, desk_reply *out) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep = NULL;
  Motcua__SummaryRequest body = MOTCUA__SUMMARY_REQUEST__INIT;
  req.body_case = MOTCUA__ENVELOPE__BODY_SUMMARY;
  req.summary = &body;
  if (read_call(d, s, &req, MOTCUA__ENVELOPE__BODY_SUMMARY_REPLY, &rep, out) != MC_OK) {
    json_t *e = json_object_get(out->json, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    if (code != NULL && (strcmp(code, "protocol") == 0 || strcmp(code, "proto") == 0)) /* an older server */
      desk_api_error(d, s->lang, out, 501, "unsupported", MSG_DESK_ERR_UNSUPPORTED, "summary");
    return;
  }
  const Motcua__SummaryReply *r = rep->summary_reply;
  reply_json(out, 200, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "to_receive",
                                 (json_int_t)r->to_receive, "to_return", (json_int_t)r->to_return,
                                 "due_soon", (json_int_t)r->due_soon, "overdue",
                                 (json_int_t)r->overdue, "in_progress", (json_int_t)r->in_progress,
                                 "received_today", (json_int_t)r->received_today, "at",
                                 mc_render_time_json(r->at_ms)));
  mc_envelope_free(rep);
}

static void api_events(desk *d, const desk_req *r, desk_reply *out) {
  /* an id this desk never gave (the page outlived a restart): all it keeps */
  json_t *a = desk_events_after(d, r->after > d->event_last ? 0 : r->after);
  out->suspend = json_array_size(a) == 0;
  reply_json(out, 200, json_pack("{s:o, s:I}", "events", a, "last", (json_int_t)d->event_last));
}

static int fetch_procs(desk *d, desk_session *s, desk_reply *out) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep = NULL;
  Motcua__ProceduresRequest body = MOTCUA__PROCEDURES_REQUEST__INIT;
  req.body_case = MOTCUA__ENVELOPE__BODY_PROCEDURES;
  req.procedures = &body;
  if (!mc_client_is_ready(d->client) && d->procs != NULL) return MC_OK; /* offline: the last one */
  if (read_call(d, s, &req, MOTCUA__ENVELOPE__BODY_PROCEDURES_REPLY, &rep, out) != MC_OK)
    return d->procs != NULL && !mc_client_is_ready(d->client) ? MC_OK : MC_EIO;
  mc_envelope_free(d->procs);
  d->procs = rep;
  return MC_OK;
}

static void api_procedures(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  if (fetch_procs(d, s, out) != MC_OK) return;
  json_decref(out->json); /* an offline failure answered from the cache */
  out->json = NULL;
  const Motcua__ProceduresReply *p = d->procs->procedures_reply;
  size_t *order = NULL;
  long m = mc_req_procedures_rank(p, r->q[0] ? r->q : NULL, &order);
  json_t *a = json_array();
  for (long i = 0; i < m; i++) json_array_append_new(a, mc_render_procedure_json(p->procedures[order[i]]));
  free(order);
  reply_json(out, 200, json_pack("{s:o}", "procedures", a));
}

static void fill_list(const desk_filter *f, Motcua__ListRequest *b) {
  int off = mc_render_utc_offset();
  b->status = f->status;
  b->limit = f->limit;
  b->offset = f->offset;
  b->overdue = f->overdue;
  b->mine = f->mine;
  b->awaiting_signature = f->awaiting_signature;
  b->due_within_ms = (int64_t)f->due_within_days * 86400000LL;
  b->procedure = (char *)f->procedure;
  b->sector = (char *)f->sector;
  b->holder_unit = (char *)f->holder;
  b->sort = (char *)f->sort;
  b->after = (char *)f->after;
  if (f->received_from[0]) b->received_from_ms = desk_day_start_ms(f->received_from, off);
  if (f->received_to[0]) b->received_to_ms = desk_day_start_ms(f->received_to, off) + 86400000LL;
  if (f->due_from[0]) b->due_from_ms = desk_day_start_ms(f->due_from, off);
  if (f->due_to[0]) b->due_to_ms = desk_day_start_ms(f->due_to, off) + 86400000LL;
}

/* ListRequest, or SearchRequest when q is given; the reply or NULL (answered). */
static Motcua__Envelope *list_call(desk *d, const desk_filter *f, desk_session *s, desk_reply *out) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep = NULL;
  Motcua__ListRequest lb = MOTCUA__LIST_REQUEST__INIT;
  Motcua__SearchRequest sb = MOTCUA__SEARCH_REQUEST__INIT;
  char code[MC_LIM_DOSSIER_CODE + 1];
  if (f->q[0]) {
    sb.text = (char *)f->q;
    if (mc_find_code_normalise(f->q, "", code, sizeof code) == 0 &&
        mc_fields_check_dossier_code(code) == MSG_NONE)
      sb.text = code;
    sb.limit = f->limit;
    sb.after = (char *)f->after;
    req.body_case = MOTCUA__ENVELOPE__BODY_SEARCH;
    req.search = &sb;
  } else {
    fill_list(f, &lb);
    req.body_case = MOTCUA__ENVELOPE__BODY_LIST;
    req.list = &lb;
  }
  return read_call(d, s, &req, MOTCUA__ENVELOPE__BODY_LIST_REPLY, &rep, out) == MC_OK ? rep : NULL;
}

static void api_list(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  Motcua__Envelope *rep = list_call(d, &r->filter, s, out);
  if (rep == NULL) return;
  const Motcua__ListReply *l = rep->list_reply;
  json_t *a = json_array();
  for (size_t i = 0; i < l->n_dossiers; i++)
    json_array_append_new(a, mc_render_dossier_json(l->dossiers[i], s->lang));
  size_t total = l->total > l->n_dossiers ? l->total : l->n_dossiers + r->filter.offset;
  const char *next = l->next != NULL && l->next[0] != '\0' ? l->next : NULL;
  reply_json(out, 200, json_pack("{s:o, s:I, s:b, s:I, s:I, s:s?, s:b}", "dossiers", a, "total",
                                 (json_int_t)total, "total_capped", l->total_capped, "offset",
                                 (json_int_t)r->filter.offset, "limit", (json_int_t)r->filter.limit,
                                 "next", next, "cut", l->cut));
  mc_envelope_free(rep);
}

/* Read a whole file into out->body (it is unlinked after). 0 or -1. */
static int slurp_fd(int fd, desk_reply *out) {
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < 0) return -1;
  out->body = malloc((size_t)st.st_size + 1);
  if (out->body == NULL) return -1;
  out->len = (size_t)st.st_size;
  if (pread(fd, out->body, out->len, 0) != (ssize_t)out->len) {
    free(out->body);
    out->body = NULL;
    return -1;
  }
  return 0;
}

static void xlsx_row(lxw_worksheet *ws, lxw_row_t row, const Motcua__Dossier *dd, int lang) {
  char rec[40] = "", due[40] = "";
  int off = mc_render_utc_offset();
  mc_render_human_time(dd->received_at_ms, off, lang, rec, sizeof rec);
  mc_render_human_time(dd->due_at_ms, off, lang, due, sizeof due);
  const char *cells[] = {dd->code, dd->procedure_name, dd->applicant ? dd->applicant->name : "",
                         mc_status_name(lang, dd->status), rec, due, dd->holder_unit};
  for (lxw_col_t c = 0; c < 7; c++) worksheet_write_string(ws, row, c, cells[c] ? cells[c] : "", NULL);
}

static void api_xlsx(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  Motcua__Envelope *rep = list_call(d, &r->filter, s, out);
  char path[400];
  if (rep == NULL) return;
  snprintf(path, sizeof path, "%s/list-%d.xlsx", d->tmpdir, (int)getpid());
  lxw_workbook *wb = workbook_new(path);
  lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, NULL) : NULL;
  static const enum mc_msg heads[] = {MSG_F_CODE, MSG_F_PROCEDURE, MSG_F_APPLICANT, MSG_F_STATUS,
                                      MSG_F_RECEIVED, MSG_F_DUE, MSG_F_HOLDER};
  for (lxw_col_t c = 0; ws != NULL && c < 7; c++)
    worksheet_write_string(ws, 0, c, mc_msg(s->lang, heads[c]), NULL);
  for (size_t i = 0; ws != NULL && i < rep->list_reply->n_dossiers; i++)
    xlsx_row(ws, (lxw_row_t)(i + 1), rep->list_reply->dossiers[i], s->lang);
  mc_envelope_free(rep);
  int fd = -1;
  if (wb == NULL || workbook_close(wb) != LXW_NO_ERROR || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
      slurp_fd(fd, out) != 0) {
    if (fd >= 0) close(fd);
    unlink(path);
    return desk_api_error(d, s->lang, out, 500, "internal", MSG_DESK_ERR_INTERNAL, NULL);
  }
  close(fd);
  unlink(path);
  out->status = 200;
  out->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  snprintf(out->disposition, sizeof out->disposition, "attachment; filename=\"dossiers.xlsx\"");
}

/* ---- one dossier --------------------------------------------------------- */

static Motcua__Envelope *history_call(desk *d, desk_session *s, const char *code, desk_reply *out) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep = NULL;
  Motcua__HistoryRequest body = MOTCUA__HISTORY_REQUEST__INIT;
  body.code = (char *)code;
  req.body_case = MOTCUA__ENVELOPE__BODY_HISTORY;
  req.history = &body;
  return read_call(d, s, &req, MOTCUA__ENVELOPE__BODY_HISTORY_REPLY, &rep, out) == MC_OK ? rep : NULL;
}

static const char *const irreversible[] = {"forward", "refuse", "stop", "withdraw", "return",
                                           "send_back", "result"};

static json_t *action_json(const char *cmd, const char *code, int lang) {
  char name[40], confirm[200] = "";
  int irr = 0;
  snprintf(name, sizeof name, "%s", cmd);
  for (char *p = name; *p; p++)
    if (*p == '-') *p = '_';
  const mc_render_action_def *def = mc_render_action_by_command(cmd);
  if (def == NULL) def = mc_render_action_by_name(name);
  for (size_t i = 0; i < sizeof irreversible / sizeof irreversible[0]; i++) irr |= strcmp(name, irreversible[i]) == 0;
  const char *label = def != NULL ? mc_msg(lang, def->label) : name;
  if (irr) snprintf(confirm, sizeof confirm, "%s %s: %s?", mc_msg(lang, MSG_DESK_CONFIRM), code, label);
  return json_pack("{s:s, s:s, s:b, s:s?}", "name", name, "label", label, "irreversible", irr,
                   "confirm", irr ? confirm : NULL);
}

static json_t *slips_json(const Motcua__HistoryReply *h) {
  int has[6] = {0};
  has[1] = h->dossier != NULL && h->dossier->status != 3;
  has[3] = h->dossier != NULL && h->dossier->status == 3;
  for (size_t i = 0; i < h->n_steps; i++) {
    const char *a = h->steps[i]->action ? h->steps[i]->action : "";
    has[2] |= strcmp(a, "supplement_request") == 0;
    has[4] |= strcmp(a, "reschedule") == 0;
    has[5] |= h->steps[i]->result != NULL && strcmp(h->steps[i]->result, "late") == 0;
  }
  json_t *a = json_array();
  for (int f = 1; f <= 5; f++)
    if (has[f]) {
      char n[3] = {'0', (char)('0' + f), 0};
      json_array_append_new(a, json_string(n));
    }
  return a;
}

/* The outbox item of a provisional number (its receive); the outbox is
 * left open in *ob for the caller to close (NULL on failure). */
static int outbox_provisional(desk *d, const char *code, mc_outbox **ob, mc_outbox_item *it) {
  char path[MC_CLIENT_PATH_MAX], unit[32], err[256];
  *ob = NULL;
  int rc = mc_outbox_config_path(&d->cfg, path, sizeof path, unit, sizeof unit, err, sizeof err);
  if (rc == MC_OK) rc = mc_outbox_open(path, unit, ob, err, sizeof err);
  if (rc == MC_OK) rc = mc_outbox_find_provisional(*ob, code, it);
  return rc;
}

/* A provisional number: its receive's state from the outbox; 1 answered. */
static int provisional_show(desk *d, const desk_req *r, desk_session *s, char *real, size_t size,
                            desk_reply *out) {
  mc_outbox *ob = NULL;
  mc_outbox_item it;
  if (!mc_outbox_is_provisional(r->code)) return 0;
  int rc = outbox_provisional(d, r->code, &ob, &it);
  mc_outbox_close(ob);
  if (rc != MC_OK) return desk_api_error(d, s->lang, out, 404, "not_found", MSG_DESK_ERR_NOT_FOUND, "code"), 1;
  if (it.state == MC_OUTBOX_DELIVERED && it.real_code[0]) {
    snprintf(real, size, "%s", it.real_code);
    return 0;
  }
  reply_json(out, 200, json_pack("{s:{s:s, s:b, s:s}, s:[], s:[], s:[], s:[s], s:o}", "dossier", "code",
                                 r->code, "provisional", 1, "summary", it.summary, "history",
                                 "files", "actions", "slips", "01", "outbox", mc_outbox_item_json(&it)));
  return 1;
}

static void api_show(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  char real[MC_OUTBOX_CODE_MAX] = "";
  if (provisional_show(d, r, s, real, sizeof real, out)) return;
  const char *code = real[0] ? real : r->code;
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep = NULL, *hist = NULL, *files = NULL;
  Motcua__ShowRequest body = MOTCUA__SHOW_REQUEST__INIT;
  body.code = (char *)code;
  req.body_case = MOTCUA__ENVELOPE__BODY_SHOW;
  req.show = &body;
  if (read_call(d, s, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep, out) != MC_OK) return;
  if ((hist = history_call(d, s, code, out)) == NULL) goto done;
  mc_client_error e = {0};
  as_officer(d, s);
  if (mc_transfer_list(d->client, code, &files, &e) != MC_OK) files = NULL;
  done_call(d);
  json_t *steps = json_array(), *fl = json_array(), *acts = json_array();
  for (size_t i = 0; i < hist->history_reply->n_steps; i++)
    json_array_append_new(steps, mc_render_step_json(hist->history_reply->steps[i]));
  for (size_t i = 0; files != NULL && files->body_case == MOTCUA__ENVELOPE__BODY_FILES_REPLY &&
                     i < files->files_reply->n_files; i++)
    json_array_append_new(fl, mc_transfer_file_json(files->files_reply->files[i]));
  const Motcua__DossierReply *dr = rep->dossier_reply;
  for (size_t i = 0; i < dr->n_actions; i++)
    if (dr->actions[i] != NULL && strlen(dr->actions[i]) < 32)
      json_array_append_new(acts, action_json(dr->actions[i], code, s->lang));
  reply_json(out, 200, json_pack("{s:o, s:o, s:o, s:o, s:o}", "dossier",
                                 mc_render_dossier_json(dr->dossier, s->lang), "history", steps,
                                 "files", fl, "actions", acts, "slips", slips_json(hist->history_reply)));
done:
  mc_envelope_free(rep);
  mc_envelope_free(hist);
  mc_envelope_free(files);
}

/* ---- changes ------------------------------------------------------------- */

static void submit(desk *d, desk_session *s, Motcua__Envelope *req, const char *kind, desk_reply *out) {
  mc_sender *snd = NULL;
  mc_submit_result res;
  mc_client_error e = {0};
  if (mc_sender_new(d->client, &d->cfg, &snd) != MC_OK)
    return desk_api_error(d, s->lang, out, 500, "internal", MSG_DESK_ERR_INTERNAL, NULL);
  as_officer(d, s);
  int rc = mc_client_submit(snd, req, kind, &res, &e);
  done_call(d);
  if (rc != MC_OK) {
    mc_sender_free(snd);
    return call_error(d, s->lang, out, &e);
  }
  if (res.queued) {
    json_t *j = mc_submit_result_json(&res);
    mc_log_info(0, "desk: %s queued in the outbox (item %lld)", kind, (long long)res.item.id);
    reply_json(out, 200, j);
  } else if (res.reply != NULL && res.reply->body_case == MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY) {
    reply_json(out, 200, json_pack("{s:o, s:b}", "dossier",
                                   mc_render_dossier_json(res.reply->dossier_reply->dossier, s->lang),
                                   "queued", 0));
  } else {
    desk_api_error(d, s->lang, out, 502, "proto", MSG_DESK_ERR_INTERNAL, NULL);
  }
  mc_envelope_free(res.reply);
  mc_sender_free(snd);
  size_t n = outbox_pending(d);
  mc_client_report_status(d->client, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
}

static void api_receive(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__ReceiveRequest body = MOTCUA__RECEIVE_REQUEST__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  Motcua__ReceivedComponent comps[MC_LIM_COMPONENTS], *cp[MC_LIM_COMPONENTS];
  a.name = (char *)r->name;
  a.id_number = (char *)r->id_number;
  a.phone = (char *)(r->phone ? r->phone : "");
  body.idempotency_key = (char *)(r->idem ? r->idem : "");
  body.procedure_code = (char *)r->procedure;
  body.applicant = &a;
  body.channel = (Motcua__Channel)r->channel;
  body.officer = s->officer.full_name;
  body.address = (char *)(r->address ? r->address : "");
  body.email = (char *)(r->email ? r->email : "");
  body.missing_reason = (char *)(r->note ? r->note : "");
  body.sets = r->sets;
  for (size_t i = 0; i < r->ncomps; i++) {
    motcua__received_component__init(&comps[i]);
    comps[i].ordinal = r->comps[i].ordinal;
    comps[i].count = r->comps[i].count;
    comps[i].form = (Motcua__ComponentForm)r->comps[i].form;
    cp[i] = &comps[i];
  }
  body.n_components = r->ncomps;
  body.components = r->ncomps ? cp : NULL;
  req.body_case = MOTCUA__ENVELOPE__BODY_RECEIVE;
  req.receive = &body;
  submit(d, s, &req, "receive", out);
}

static void api_forward(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__ForwardRequest body = MOTCUA__FORWARD_REQUEST__INIT;
  body.idempotency_key = (char *)(r->idem ? r->idem : "");
  body.code = (char *)r->code;
  body.officer = s->officer.full_name;
  req.body_case = MOTCUA__ENVELOPE__BODY_FORWARD;
  req.forward = &body;
  submit(d, s, &req, "forward", out);
}

static void api_action(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__ActionRequest body = MOTCUA__ACTION_REQUEST__INIT;
  body.idempotency_key = (char *)(r->idem ? r->idem : "");
  body.code = (char *)r->code;
  body.action = (Motcua__Action)r->action;
  body.officer = s->officer.full_name;
  body.reason = (char *)(r->reason ? r->reason : "");
  body.note = (char *)(r->note ? r->note : "");
  body.to_officer = (char *)(r->to_officer ? r->to_officer : "");
  body.department = (char *)(r->department ? r->department : "");
  body.collected_by = (char *)(r->collected_by ? r->collected_by : "");
  body.amount = r->amount;
  if (r->new_due != NULL) mc_fields_parse_due(r->new_due, mc_render_utc_offset(), &body.new_due_ms);
  body.rating = r->rating;
  req.body_case = MOTCUA__ENVELOPE__BODY_ACTION;
  req.action = &body;
  const mc_render_action_def *def = NULL;
  size_t n = 0;
  const mc_render_action_def *all = mc_render_actions(&n);
  for (size_t i = 0; i < n; i++)
    if (all[i].action == r->action) def = &all[i];
  submit(d, s, &req, def != NULL && def->command ? def->command : "action", out);
}

/* ---- files --------------------------------------------------------------- */

static void api_upload(desk *d, const desk_req *r, desk_session *s, const char *path, uint64_t len,
                       desk_reply *out) {
  unsigned char head[8] = {0};
  char safe[MC_LIM_FILE_NAME + 1], named[700];
  mc_transfer_result res;
  int fd = path != NULL ? open(path, O_RDONLY | O_CLOEXEC) : -1;
  ssize_t n = fd >= 0 ? read(fd, head, sizeof head) : -1;
  if (fd >= 0) close(fd);
  const char *mime = n > 0 ? desk_upload_type(head, (size_t)n) : NULL;
  if (len == 0 || mime == NULL)
    return desk_api_error(d, s->lang, out, 415, "file_type", MSG_DESK_ERR_FILE_TYPE, "file");
  if (mc_dom_file_name(r->file, mime, safe, sizeof safe) != MC_DOM_OK)
    return desk_api_error(d, s->lang, out, 400, "invalid_argument", MSG_DESK_ERR_FIELD, "name");
  /* the transfer names the file by its path: give it the checked name */
  snprintf(named, sizeof named, "%.*s/%s", (int)(strrchr(path, '/') - path), path, safe);
  if (rename(path, named) != 0)
    return desk_api_error(d, s->lang, out, 500, "internal", MSG_DESK_ERR_INTERNAL, NULL);
  memset(&res, 0, sizeof res);
  as_officer(d, s);
  int rc = mc_transfer_upload(d->client, r->code, named, r->kind, NULL, NULL, &res);
  done_call(d);
  if (rename(named, path) != 0) unlink(named); /* the connection's cleanup removes path */
  if (rc != MC_OK) return call_error(d, s->lang, out, &res.error);
  reply_json(out, 200, json_pack("{s:o}", "file", mc_transfer_result_json(&res)));
}

static void api_file(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  Motcua__Envelope *files = NULL;
  mc_client_error e = {0};
  mc_transfer_result res;
  char dir[300];
  as_officer(d, s);
  int rc = mc_transfer_list(d->client, r->code, &files, &e);
  done_call(d);
  if (rc != MC_OK) return call_error(d, s->lang, out, &e);
  const Motcua__FileInfo *fi = NULL;
  for (size_t i = 0; files->body_case == MOTCUA__ENVELOPE__BODY_FILES_REPLY && i < files->files_reply->n_files; i++)
    if (strcmp(files->files_reply->files[i]->name, r->file) == 0 ||
        strcmp(files->files_reply->files[i]->sha256, r->file) == 0)
      fi = files->files_reply->files[i];
  snprintf(dir, sizeof dir, "%s/dXXXXXX", d->tmpdir);
  if (fi == NULL || mkdtemp(dir) == NULL) {
    mc_envelope_free(files);
    return desk_api_error(d, s->lang, out, 404, "not_found", MSG_DESK_ERR_NOT_FOUND, "file");
  }
  memset(&res, 0, sizeof res);
  as_officer(d, s);
  rc = mc_transfer_download(d->client, r->code, fi, dir, NULL, NULL, &res);
  done_call(d);
  int fd = rc == MC_OK ? open(res.path, O_RDONLY | O_CLOEXEC) : -1;
  struct stat st;
  if (rc == MC_OK) unlink(res.path);
  char sub[400];
  snprintf(sub, sizeof sub, "%s/%s", dir, r->code);
  rmdir(sub);
  rmdir(dir);
  if (fd < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0) close(fd);
    mc_envelope_free(files);
    return rc != MC_OK ? call_error(d, s->lang, out, &res.error)
                       : desk_api_error(d, s->lang, out, 500, "internal", MSG_DESK_ERR_INTERNAL, NULL);
  }
  out->status = 200;
  out->fd = fd;
  out->len = (size_t)st.st_size;
  out->content_type = strcmp(fi->mime, "application/pdf") == 0 || strncmp(fi->mime, "image/", 6) == 0
                          ? (strcmp(fi->mime, "application/pdf") == 0 ? "application/pdf"
                             : strcmp(fi->mime, "image/png") == 0   ? "image/png"
                             : strcmp(fi->mime, "image/tiff") == 0  ? "image/tiff"
                                                                    : "image/jpeg")
                          : "application/octet-stream";
  char safe[MC_LIM_FILE_NAME + 1];
  if (mc_dom_file_name(fi->name, fi->mime, safe, sizeof safe) != MC_DOM_OK) snprintf(safe, sizeof safe, "file");
  for (char *p = safe; *p; p++)
    if (*p == '"' || *p == '\\') *p = '_';
  snprintf(out->disposition, sizeof out->disposition, "attachment; filename=\"%s\"", safe);
  mc_envelope_free(files);
}

/* The PDF of sd into out (memfd, read back). */
static int slip_pdf(desk *d, desk_session *s, const mc_slip_data *sd, const char *form, desk_reply *out) {
  char err[256] = "";
  int fd = memfd_create("motcua-slip", MFD_CLOEXEC);
  int rc = fd < 0 ? MC_EIO : mc_slip_write_fd(sd, form, s->lang == MC_LANG_EN ? "en" : "vi", NULL, fd, err, sizeof err);
  if (rc == MC_OK && slurp_fd(fd, out) != 0) rc = MC_EIO;
  if (fd >= 0) close(fd);
  if (rc != MC_OK) {
    mc_log_warn(0, "desk: slip %s not written: %s", form, err);
    desk_api_error(d, s->lang, out, rc == MC_EINVAL ? 409 : 500, "slip", MSG_ERR_SLIP, NULL);
    return rc;
  }
  out->status = 200;
  out->content_type = "application/pdf";
  snprintf(out->disposition, sizeof out->disposition, "inline; filename=\"slip-%s.pdf\"", form);
  return MC_OK;
}

/* A pending receive's provisional receipt; 1 answered, 0 not such a code. */
static int provisional_slip(desk *d, const desk_req *r, desk_session *s, char *real, size_t size,
                            desk_reply *out) {
  mc_outbox *ob = NULL;
  mc_outbox_item it;
  Motcua__Envelope *req = NULL;
  mc_slip_data sd;
  if (!mc_outbox_is_provisional(r->code)) return 0;
  int rc = outbox_provisional(d, r->code, &ob, &it);
  if (rc != MC_OK) {
    mc_outbox_close(ob);
    return desk_api_error(d, s->lang, out, 404, "not_found", MSG_DESK_ERR_NOT_FOUND, "code"), 1;
  }
  if (it.state == MC_OUTBOX_DELIVERED && it.real_code[0]) {
    snprintf(real, size, "%s", it.real_code);
    mc_outbox_close(ob);
    return 0;
  }
  if (it.state != MC_OUTBOX_PENDING || strcmp(r->form, "01") != 0) {
    mc_outbox_close(ob);
    return desk_api_error(d, s->lang, out, 409, "provisional", MSG_ERR_SLIP, "form"), 1;
  }
  rc = mc_outbox_load_request(ob, it.id, &req);
  if (rc == MC_OK)
    rc = mc_slip_from_outbox(req, r->code, it.created_at_ms, mc_client_get_info(d->client), NULL, &sd);
  if (rc == MC_OK) slip_pdf(d, s, &sd, r->form, out);
  else desk_api_error(d, s->lang, out, 500, "slip", MSG_ERR_SLIP, NULL);
  mc_envelope_free(req);
  mc_outbox_close(ob);
  return 1;
}

static void api_slip(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  char real[MC_OUTBOX_CODE_MAX] = "";
  mc_slip_data sd;
  mc_slip_step *steps = NULL;
  mc_slip_doc docs[MC_LIM_COMPONENTS];
  if (provisional_slip(d, r, s, real, sizeof real, out)) return;
  Motcua__Envelope *h = history_call(d, s, real[0] ? real : r->code, out);
  if (h == NULL) return;
  int form01 = strcmp(r->form, "01") == 0;
  if (form01 && h->history_reply->dossier != NULL && h->history_reply->dossier->status == 3) {
    mc_envelope_free(h);
    return desk_api_error(d, s->lang, out, 409, "slip", MSG_ERR_SLIP_REFUSED, "form");
  }
  if (form01 && fetch_procs(d, s, out) != MC_OK) json_decref(out->json), out->json = NULL;
  int rc = mc_slip_from_history(h->history_reply, mc_client_get_info(d->client), r->form,
                                s->officer.full_name, NULL, mc_client_now_ms(), &sd, &steps);
  if (rc == MC_OK && form01)
    mc_slip_intake(h->history_reply->dossier, d->procs ? d->procs->procedures_reply : NULL, &sd, docs,
                   MC_LIM_COMPONENTS);
  if (rc == MC_OK) slip_pdf(d, s, &sd, r->form, out);
  else desk_api_error(d, s->lang, out, 500, "slip", MSG_ERR_SLIP, NULL);
  free(steps);
  mc_envelope_free(h);
}

static void api_candidates(desk *d, desk_session *s, desk_reply *out) {
  mc_officer_list l = {0};
  mc_client_error e = {0};
  as_officer(d, s);
  int rc = mc_officers_candidates(d->client, &l, &e);
  done_call(d);
  if (rc != MC_OK) return call_error(d, s->lang, out, &e);
  json_t *a = json_array();
  for (size_t i = 0; i < l.n; i++)
    json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "login", l.items[i].login, "full_name",
                                       l.items[i].full_name, "title", l.items[i].title));
  mc_officer_list_free(&l);
  reply_json(out, 200, json_pack("{s:o}", "officers", a));
}

static void api_outbox(desk *d, desk_session *s, desk_reply *out) {
  char path[MC_CLIENT_PATH_MAX], unit[32], err[256];
  mc_outbox *ob = NULL;
  mc_outbox_item *items = NULL;
  size_t n = 0;
  struct stat st;
  json_t *a = json_array();
  if (mc_outbox_config_path(&d->cfg, path, sizeof path, unit, sizeof unit, err, sizeof err) == MC_OK &&
      stat(path, &st) == 0 && mc_outbox_open(path, unit, &ob, err, sizeof err) == MC_OK &&
      mc_outbox_list(ob, 0, &items, &n) == MC_OK)
    for (size_t i = 0; i < n; i++) json_array_append_new(a, mc_outbox_item_json(&items[i]));
  free(items);
  mc_outbox_close(ob);
  (void)s;
  reply_json(out, 200, json_pack("{s:o}", "items", a));
}

/* Today in the server's zone as YYYY-MM-DD; first = 1: the month's first day. */
static void today_iso(char out[11], int first) {
  time_t t = (time_t)(mc_client_now_ms() / 1000 + (int64_t)mc_render_utc_offset() * 60);
  struct tm tm;
  gmtime_r(&t, &tm);
  if (strftime(out, 11, "%Y-%m-%d", &tm) != 10) snprintf(out, 11, "2000-01-01");
  if (first) out[8] = '0', out[9] = '1';
}

static void api_report(desk *d, const desk_req *r, desk_session *s, desk_reply *out) {
  char from[11], to[11]; /* default: this month so far */
  today_iso(from, 1);
  today_iso(to, 0);
  mc_report_params p = {r->from[0] ? r->from : from, r->to[0] ? r->to : to, r->by, NULL};
  Motcua__Envelope *rep = NULL;
  mc_client_error e = {0};
  as_officer(d, s);
  int rc = mc_client_report(d->client, &p, &rep, &e);
  done_call(d);
  if (rc != MC_OK) return call_error(d, s->lang, out, &e);
  reply_json(out, 200, mc_report_json(rep->report_reply));
  mc_envelope_free(rep);
}

static void api_static(desk *d, const desk_req *r, desk_reply *out) {
  const unsigned char *data;
  size_t len;
  const char *type;
  if (desk_www_get(r->path_file, &data, &len, &type) != 0)
    return desk_api_error(d, d->lang, out, 404, "not_found", MSG_DESK_ERR_NOT_FOUND, NULL);
  out->status = 200;
  out->static_body = data;
  out->len = len;
  out->content_type = type;
}

/* A short code "yymmdd-nnnn" gets the agency id of the desk's own unit, as
 * the CLI expands it after the hello. */
static void expand_code(desk *d, desk_req *r) {
  const mc_client_info *i = mc_client_get_info(d->client);
  const mc_client_unit *u = mc_client_unit_find(i, i->unit_code);
  char full[sizeof r->code];
  if (r->code[0] && mc_find_code_is_short(r->code) && u != NULL && u->agency_id[0] &&
      mc_find_code_normalise(r->code, u->agency_id, full, sizeof full) == 0)
    snprintf(r->code, sizeof r->code, "%s", full);
}

void desk_api_handle(desk *d, const desk_req *req, desk_session **sp, const char *cookie,
                     const char *upload_path, uint64_t upload_len, desk_reply *out) {
  desk_session *s = *sp;
  desk_req copy = *req; /* shallow: the body stays the caller's */
  desk_req *r = &copy;
  (void)cookie;
  expand_code(d, r);
  switch (r->route) {
  case DESK_R_STATIC: return api_static(d, r, out);
  case DESK_R_STATE: return api_state(d, s, out);
  case DESK_R_TEXTS: return api_texts(d, r, s, out);
  case DESK_R_LOGIN: return api_login(d, r, sp, out);
  case DESK_R_LOGOUT: return api_logout(d, sp, out);
  case DESK_R_PASSWD: return api_passwd(d, r, s, out);
  case DESK_R_LANG: return api_lang(d, r, s, out);
  case DESK_R_SUMMARY: return api_summary(d, s, out);
  case DESK_R_EVENTS: return api_events(d, r, out);
  case DESK_R_PROCEDURES: return api_procedures(d, r, s, out);
  case DESK_R_RECEIVE: return api_receive(d, r, s, out);
  case DESK_R_LIST: return api_list(d, r, s, out);
  case DESK_R_LIST_XLSX: return api_xlsx(d, r, s, out);
  case DESK_R_SHOW: return api_show(d, r, s, out);
  case DESK_R_FORWARD: return api_forward(d, r, s, out);
  case DESK_R_ACTION: return api_action(d, r, s, out);
  case DESK_R_UPLOAD: return api_upload(d, r, s, upload_path, upload_len, out);
  case DESK_R_FILE: return api_file(d, r, s, out);
  case DESK_R_SLIP: return api_slip(d, r, s, out);
  case DESK_R_CANDIDATES: return api_candidates(d, s, out);
  case DESK_R_OUTBOX: return api_outbox(d, s, out);
  case DESK_R_REPORT: return api_report(d, r, s, out);
  case DESK_R_NONE: break;
  }
  desk_api_error(d, lang_of(d, s), out, 404, "not_found", MSG_DESK_ERR_NOT_FOUND, NULL);
}
