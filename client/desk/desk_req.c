/* The desk's API requests (desk_req.h): routing and validation, pure. */
#include "desk_req.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "find.h"
#include "frame.h"
#include "list.h"
#include "render.h"
#include "report.h"
#include "requests.h"

int desk_method_parse(const char *m) {
  static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "DELETE"};
  for (int i = 0; m != NULL && i < 5; i++)
    if (strcmp(m, names[i]) == 0) return i;
  return DESK_OTHER;
}

static int fail(desk_req_error *e, int status, const char *code, enum mc_msg msg,
                const char *field) {
  e->status = status;
  e->code = code;
  e->msg = msg;
  snprintf(e->field, sizeof e->field, "%s", field != NULL ? field : "");
  return -1;
}

static int bad(desk_req_error *e, enum mc_msg msg, const char *field) {
  return fail(e, 400, "invalid_argument", msg == MSG_NONE ? MSG_DESK_ERR_FIELD : msg, field);
}

static int copy(char *dst, size_t size, const char *src) {
  size_t n = strlen(src);
  if (n >= size) return -1;
  memcpy(dst, src, n + 1);
  return 0;
}

/* ---- query --------------------------------------------------------------- */

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void decode(char *s) {
  char *o = s;
  for (; *s; s++) {
    int h, l;
    if (*s == '+') {
      *o++ = ' ';
    } else if (*s == '%' && (h = hexval((unsigned char)s[1])) >= 0 &&
               (l = hexval((unsigned char)s[2])) >= 0) {
      *o++ = (char)(h * 16 + l);
      s += 2;
    } else {
      *o++ = *s;
    }
  }
  *o = '\0';
}

size_t desk_query_split(char *raw, desk_kv *out, size_t max) {
  size_t n = 0;
  char *save = NULL;
  for (char *t = strtok_r(raw, "&", &save); t != NULL && n < max; t = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(t, '=');
    if (eq != NULL) *eq++ = '\0';
    decode(t);
    if (eq != NULL) decode(eq);
    out[n++] = (desk_kv){t, eq != NULL ? eq : ""};
  }
  return n;
}

static const char *arg(const desk_kv *q, size_t nq, const char *key) {
  for (size_t i = 0; i < nq; i++)
    if (q[i].key != NULL && strcmp(q[i].key, key) == 0) return q[i].value;
  return NULL;
}

static int text_ok(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n > max) return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return 0;
  return 1;
}

/* An optional bounded one-line text argument into dst. */
static int q_text(const desk_kv *q, size_t nq, const char *key, char *dst, size_t size,
                  desk_req_error *e) {
  const char *v = arg(q, nq, key);
  if (v == NULL) return 0;
  if (!text_ok(v, size - 1) || copy(dst, size, v) != 0) return bad(e, MSG_NONE, key);
  return 0;
}

static int q_uint(const desk_kv *q, size_t nq, const char *key, unsigned lo, unsigned hi,
                  unsigned *out, desk_req_error *e) {
  const char *v = arg(q, nq, key);
  if (v == NULL || v[0] == '\0') return 0;
  if (mc_fields_parse_uint(v, lo, hi, out) != 0) return bad(e, MSG_NONE, key);
  return 0;
}

static int q_flag(const desk_kv *q, size_t nq, const char *key, int *out, desk_req_error *e) {
  const char *v = arg(q, nq, key);
  if (v == NULL || v[0] == '\0' || strcmp(v, "0") == 0) return 0;
  if (strcmp(v, "1") != 0 && strcmp(v, "true") != 0) return bad(e, MSG_NONE, key);
  *out = 1;
  return 0;
}

static int q_date(const desk_kv *q, size_t nq, const char *key, char out[11], desk_req_error *e) {
  const char *v = arg(q, nq, key);
  if (v == NULL || v[0] == '\0') return 0;
  if (strlen(v) > 10 || mc_fields_iso_date(v, out) != 0) return bad(e, MSG_NONE, key);
  return 0;
}

static int sort_ok(const char *s) {
  static const char *const keys[] = {"received", "due", "code", "status"};
  if (s[0] == '\0') return 1;
  if (s[0] == '-') s++;
  for (size_t i = 0; i < 4; i++)
    if (strcmp(s, keys[i]) == 0) return 1;
  return 0;
}

static int parse_filter(const desk_kv *q, size_t nq, desk_filter *f, unsigned max_limit,
                        desk_req_error *e) {
  f->limit = 50;
  if (q_uint(q, nq, "status", 1, 10, &f->status, e) || q_uint(q, nq, "offset", 0, 1000000, &f->offset, e) ||
      q_uint(q, nq, "limit", 1, max_limit, &f->limit, e) ||
      q_uint(q, nq, "due_within_days", 1, 366, &f->due_within_days, e) ||
      q_text(q, nq, "procedure", f->procedure, sizeof f->procedure, e) ||
      q_text(q, nq, "sector", f->sector, sizeof f->sector, e) ||
      q_text(q, nq, "holder", f->holder, sizeof f->holder, e) ||
      q_text(q, nq, "sort", f->sort, sizeof f->sort, e) ||
      q_text(q, nq, "q", f->q, sizeof f->q, e) || q_flag(q, nq, "overdue", &f->overdue, e) ||
      q_flag(q, nq, "mine", &f->mine, e) ||
      q_flag(q, nq, "awaiting_signature", &f->awaiting_signature, e) ||
      q_date(q, nq, "received_from", f->received_from, e) ||
      q_date(q, nq, "received_to", f->received_to, e) || q_date(q, nq, "due_from", f->due_from, e) ||
      q_date(q, nq, "due_to", f->due_to, e) || q_text(q, nq, "after", f->after, sizeof f->after, e))
    return -1;
  if (!sort_ok(f->sort)) return bad(e, MSG_NONE, "sort");
  if (f->after[0] && mc_list_check_cursor(f->after) != MSG_NONE)
    return bad(e, MSG_ERR_AFTER, "after");
  if (f->procedure[0] && mc_fields_check_procedure(f->procedure) != MSG_NONE)
    return bad(e, mc_fields_check_procedure(f->procedure), "procedure");
  if (f->q[0] && mc_fields_check_search(f->q) != MSG_NONE)
    return bad(e, mc_fields_check_search(f->q), "q");
  if (f->mine && f->awaiting_signature) return bad(e, MSG_ERR_MINE_AWAITING, "mine");
  return 0;
}

/* ---- JSON body ----------------------------------------------------------- */

/* An optional string member: NULL when absent or null; not a string or too
 * long (bytes) -> error. */
static int j_str(desk_req *r, const char *key, size_t max, const char **out, desk_req_error *e) {
  json_t *v = json_object_get(r->body, key);
  *out = NULL;
  if (v == NULL || json_is_null(v)) return 0;
  if (!json_is_string(v) || json_string_length(v) > max ||
      strlen(json_string_value(v)) != json_string_length(v)) /* no NUL inside */
    return bad(e, MSG_NONE, key);
  *out = json_string_value(v);
  return 0;
}

static int j_uint(desk_req *r, const char *key, unsigned lo, unsigned hi, unsigned *out,
                  desk_req_error *e) {
  json_t *v = json_object_get(r->body, key);
  if (v == NULL || json_is_null(v)) return 0;
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
    return bad(e, MSG_NONE, key);
  *out = (unsigned)json_integer_value(v);
  return 0;
}

static int j_check(enum mc_msg m, const char *field, desk_req_error *e) {
  return m == MSG_NONE ? 0 : bad(e, m, field);
}

static int parse_body(desk_req *r, const char *body, size_t len, desk_req_error *e) {
  json_error_t je;
  if (len > DESK_JSON_MAX) return fail(e, 413, "too_large", MSG_DESK_ERR_TOO_LARGE, NULL);
  r->body = len == 0 ? json_object() : json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
  if (r->body == NULL || !json_is_object(r->body))
    return fail(e, 400, "bad_json", MSG_DESK_ERR_JSON, NULL);
  return j_str(r, "idempotency_key", MC_LIM_IDEM_KEY, &r->idem, e);
}

static int idem_ok(desk_req *r, desk_req_error *e) {
  if (r->idem == NULL || r->idem[0] == '\0') return 0; /* the sender makes one */
  size_t n = strlen(r->idem);
  if (n < MC_LIM_IDEM_KEY_MIN) return bad(e, MSG_NONE, "idempotency_key");
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)r->idem[i]) && r->idem[i] != '-' && r->idem[i] != '_')
      return bad(e, MSG_NONE, "idempotency_key");
  return 0;
}

static int parse_login(desk_req *r, desk_req_error *e) {
  if (j_str(r, "login", 64, &r->login, e) || j_str(r, "password", DESK_PASSWORD_MAX, &r->password, e))
    return -1;
  if (r->login == NULL || r->login[0] == '\0') return bad(e, MSG_ERR_NEED_LOGIN_NAME, "login");
  if (r->password == NULL || r->password[0] == '\0') return bad(e, MSG_NONE, "password");
  return 0;
}

static int parse_passwd(desk_req *r, desk_req_error *e) {
  if (j_str(r, "old", DESK_PASSWORD_MAX, &r->old_password, e) ||
      j_str(r, "new", DESK_PASSWORD_MAX, &r->new_password, e))
    return -1;
  if (r->old_password == NULL || r->old_password[0] == '\0') return bad(e, MSG_NONE, "old");
  if (r->new_password == NULL || r->new_password[0] == '\0') return bad(e, MSG_NONE, "new");
  return 0;
}

static int parse_lang_body(desk_req *r, desk_req_error *e) {
  const char *l = NULL;
  if (j_str(r, "lang", 2, &l, e)) return -1;
  if (l == NULL || mc_lang_parse(l) < 0) return bad(e, MSG_NONE, "lang");
  return copy(r->lang, sizeof r->lang, l);
}

static int form_parse(const char *s) {
  static const struct {
    const char *name;
    int form;
  } forms[] = {{"original", MOTCUA__COMPONENT_FORM__FORM_ORIGINAL},
               {"copy", MOTCUA__COMPONENT_FORM__FORM_COPY},
               {"certified_copy", MOTCUA__COMPONENT_FORM__FORM_CERTIFIED},
               {"certified", MOTCUA__COMPONENT_FORM__FORM_CERTIFIED},
               {"original_or_copy", MOTCUA__COMPONENT_FORM__FORM_ORIGINAL_OR_COPY},
               {"present_only", MOTCUA__COMPONENT_FORM__FORM_PRESENT_ONLY}};
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
    if (strcmp(s, forms[i].name) == 0) return forms[i].form;
  return -1;
}

static int parse_comp(json_t *c, desk_comp *out, desk_req_error *e) {
  json_t *o = json_object_get(c, "ordinal"), *n = json_object_get(c, "count"),
         *f = json_object_get(c, "form");
  if (!json_is_object(c) || !json_is_integer(o) || json_integer_value(o) < 1 ||
      json_integer_value(o) > MC_LIM_COMPONENTS)
    return bad(e, MSG_ERR_COMPONENT, "components");
  out->ordinal = (unsigned)json_integer_value(o);
  out->count = 1;
  if (n != NULL && !json_is_null(n)) {
    if (!json_is_integer(n) || json_integer_value(n) < 1 ||
        json_integer_value(n) > MC_LIM_COMPONENT_COUNT)
      return bad(e, MSG_ERR_COMPONENT, "components");
    out->count = (unsigned)json_integer_value(n);
  }
  out->form = 0;
  if (f != NULL && !json_is_null(f)) {
    if (!json_is_string(f) || (out->form = form_parse(json_string_value(f))) < 0)
      return bad(e, MSG_ERR_COMPONENT, "components");
  }
  return 0;
}

static int parse_comps(desk_req *r, desk_req_error *e) {
  json_t *a = json_object_get(r->body, "components"), *c;
  size_t i;
  if (a == NULL || json_is_null(a)) return 0;
  if (!json_is_array(a) || json_array_size(a) > MC_LIM_COMPONENTS)
    return bad(e, MSG_ERR_COMPONENT, "components");
  json_array_foreach(a, i, c) {
    if (parse_comp(c, &r->comps[r->ncomps], e) != 0) return -1;
    for (size_t k = 0; k < r->ncomps; k++)
      if (r->comps[k].ordinal == r->comps[r->ncomps].ordinal)
        return bad(e, MSG_ERR_COMPONENT, "components");
    r->ncomps++;
  }
  return 0;
}

static int parse_applicant(desk_req *r, desk_req_error *e) {
  json_t *a = json_object_get(r->body, "applicant");
  json_t *saved = r->body;
  int rc;
  if (!json_is_object(a)) return bad(e, MSG_NONE, "applicant");
  r->body = a; /* j_str reads r->body */
  rc = j_str(r, "name", MC_LIM_PERSON_NAME, &r->name, e) ||
       j_str(r, "id_number", MC_LIM_CITIZEN_ID, &r->id_number, e) ||
       j_str(r, "phone", MC_LIM_PHONE, &r->phone, e) ||
       j_str(r, "address", MC_LIM_ADDRESS, &r->address, e) ||
       j_str(r, "email", MC_LIM_EMAIL, &r->email, e);
  r->body = saved;
  if (rc) return -1;
  if (j_check(mc_fields_check_name(r->name), "applicant.name", e) ||
      j_check(mc_fields_check_citizen_id(r->id_number), "applicant.id_number", e) ||
      j_check(mc_fields_check_phone(r->phone != NULL ? r->phone : ""), "applicant.phone", e))
    return -1;
  if (r->address != NULL && !text_ok(r->address, MC_LIM_ADDRESS)) return bad(e, MSG_NONE, "applicant.address");
  if (r->email != NULL && !text_ok(r->email, MC_LIM_EMAIL)) return bad(e, MSG_NONE, "applicant.email");
  return 0;
}

static int parse_receive(desk_req *r, desk_req_error *e) {
  const char *channel = NULL;
  if (j_str(r, "procedure", MC_LIM_PROC_CODE, &r->procedure, e) ||
      j_str(r, "channel", 16, &channel, e) || j_str(r, "note", MC_LIM_TEXT, &r->note, e) ||
      j_uint(r, "sets", 1, MC_LIM_SETS, &r->sets, e) || idem_ok(r, e) || parse_applicant(r, e) ||
      parse_comps(r, e))
    return -1;
  if (j_check(mc_fields_check_procedure(r->procedure), "procedure", e)) return -1;
  r->channel = MOTCUA__CHANNEL__CHANNEL_DIRECT;
  if (channel != NULL && (r->channel = mc_render_channel_parse(channel)) < 0)
    return bad(e, MSG_ERR_CHANNEL, "channel");
  if (r->note != NULL && r->note[0] && j_check(mc_fields_check_note(r->note), "note", e)) return -1;
  return 0;
}

/* An action's options: the rules client/lib/requests.c gives both
 * front-ends (what each action takes and requires, each value's check). */
static const char *opt_text(desk_req *r, unsigned opt, char *buf, size_t size) {
  switch (opt) {
  case MC_REQ_REASON: return r->reason;
  case MC_REQ_NOTE: return r->note;
  case MC_REQ_ASSIGNEE: return r->to_officer;
  case MC_REQ_DEPT: return r->department;
  case MC_REQ_COLLECTOR: return r->collected_by;
  case MC_REQ_DUE: return r->new_due;
  case MC_REQ_AMOUNT:
  case MC_REQ_RATING: {
    json_t *v = json_object_get(r->body, mc_req_opt_name(opt));
    if (v == NULL || json_is_null(v)) return NULL;
    if (json_is_integer(v)) snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v) && json_string_length(v) < size) snprintf(buf, size, "%s", json_string_value(v));
    else snprintf(buf, size, "x"); /* refused by the check */
    return buf;
  }
  }
  return NULL;
}

static int action_strings(desk_req *r, desk_req_error *e) {
  return j_str(r, "reason", MC_LIM_TEXT, &r->reason, e) || j_str(r, "note", MC_LIM_TEXT, &r->note, e) ||
         j_str(r, "to_officer", MC_LIM_OFFICER, &r->to_officer, e) ||
         j_str(r, "department", MC_LIM_OFFICER, &r->department, e) ||
         j_str(r, "collected_by", MC_LIM_PERSON_NAME, &r->collected_by, e) ||
         j_str(r, "new_due", 32, &r->new_due, e);
}

static int parse_action(desk_req *r, desk_req_error *e) {
  const char *name = NULL;
  char buf[32];
  if (j_str(r, "action", 32, &name, e) || idem_ok(r, e) || action_strings(r, e)) return -1;
  const mc_render_action_def *def = name != NULL ? mc_render_action_by_name(name) : NULL;
  const mc_req_action_spec *sp = def != NULL ? mc_req_action_spec_of(def->action) : NULL;
  if (sp == NULL) return bad(e, MSG_NONE, "action");
  r->action = def->action;
  for (unsigned b = 0; b < MC_REQ_OPTS; b++) {
    unsigned opt = 1u << b;
    const char *v = opt_text(r, opt, buf, sizeof buf);
    int given = v != NULL && v[0] != '\0';
    if (given && !(sp->allowed & opt)) return bad(e, MSG_NONE, mc_req_opt_name(opt));
    if (!given && (sp->required & opt)) return bad(e, MSG_ERR_NEED_OPTION, mc_req_opt_name(opt));
    if (!given) continue;
    mc_req_action_vals vals = {0};
    enum mc_msg m = mc_req_action_opt(opt, v, 0, &vals); /* the zone is applied when sent */
    if (m != MSG_NONE) return bad(e, m, mc_req_opt_name(opt));
    if (opt == MC_REQ_AMOUNT) r->amount = vals.amount;
    if (opt == MC_REQ_RATING) r->rating = vals.rating;
  }
  return 0;
}

/* ---- paths --------------------------------------------------------------- */

static int set_code(desk_req *r, const char *s, size_t n, desk_req_error *e) {
  char typed[MC_LIM_DOSSIER_CODE + 1];
  if (n == 0 || n > MC_LIM_DOSSIER_CODE) return bad(e, MSG_NONE, "code");
  memcpy(typed, s, n);
  typed[n] = '\0';
  if (mc_find_code_normalise(typed, "", r->code, sizeof r->code) != 0 ||
      (!mc_find_code_is_short(r->code) && mc_fields_check_dossier_code(r->code) != MSG_NONE))
    return bad(e, MSG_ERR_CODE_FORMAT, "code");
  return 0;
}

static int set_static(desk_req *r, const char *path) {
  static const char *const files[] = {"app.js", "app.css", "favicon.svg"};
  if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
    r->route = DESK_R_STATIC;
    return copy(r->path_file, sizeof r->path_file, "index.html"), 1;
  }
  for (size_t i = 0; i < 3; i++)
    if (path[0] == '/' && strcmp(path + 1, files[i]) == 0) {
      r->route = DESK_R_STATIC;
      return copy(r->path_file, sizeof r->path_file, files[i]), 1;
    }
  return 0;
}

static const struct {
  const char *path;
  int method;
  enum desk_route route;
  int login;
} fixed[] = {
    {"/api/state", DESK_GET, DESK_R_STATE, 0},
    {"/api/texts", DESK_GET, DESK_R_TEXTS, 0},
    {"/api/login", DESK_POST, DESK_R_LOGIN, 0},
    {"/api/logout", DESK_POST, DESK_R_LOGOUT, 0},
    {"/api/passwd", DESK_POST, DESK_R_PASSWD, 1},
    {"/api/lang", DESK_POST, DESK_R_LANG, 0},
    {"/api/summary", DESK_GET, DESK_R_SUMMARY, 1},
    {"/api/events", DESK_GET, DESK_R_EVENTS, 1},
    {"/api/procedures", DESK_GET, DESK_R_PROCEDURES, 1},
    {"/api/receive", DESK_POST, DESK_R_RECEIVE, 1},
    {"/api/dossiers", DESK_GET, DESK_R_LIST, 1},
    {"/api/dossiers.xlsx", DESK_GET, DESK_R_LIST_XLSX, 1},
    {"/api/officers/candidates", DESK_GET, DESK_R_CANDIDATES, 1},
    {"/api/outbox", DESK_GET, DESK_R_OUTBOX, 1},
    {"/api/report", DESK_GET, DESK_R_REPORT, 1},
};

/* /api/dossiers/{code}[/forward|/action|/files|/files/{name}|/slips/{NN}.pdf] */
static int route_dossier(desk_req *r, const char *rest, desk_req_error *e) {
  const char *slash = strchr(rest, '/');
  size_t n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
  if (set_code(r, rest, n, e) != 0) return -1;
  const char *tail = slash != NULL ? slash : "";
  r->needs_login = 1;
  if (tail[0] == '\0') r->route = DESK_R_SHOW, r->method = r->method == DESK_HEAD ? DESK_GET : r->method;
  else if (strcmp(tail, "/forward") == 0) r->route = DESK_R_FORWARD;
  else if (strcmp(tail, "/action") == 0) r->route = DESK_R_ACTION;
  else if (strcmp(tail, "/files") == 0) r->route = DESK_R_UPLOAD;
  else if (strncmp(tail, "/files/", 7) == 0) {
    r->route = DESK_R_FILE;
    if (tail[7] == '\0' || !text_ok(tail + 7, MC_LIM_FILE_NAME_BUF - 1) || strchr(tail + 7, '/') ||
        copy(r->file, sizeof r->file, tail + 7) != 0)
      return bad(e, MSG_NONE, "file");
  } else if (strncmp(tail, "/slips/", 7) == 0) {
    const char *f = tail + 7; /* "1.pdf" or "01.pdf" */
    r->route = DESK_R_SLIP;
    if (strlen(f) == 6 && f[0] == '0') f++;
    if (strlen(f) != 5 || f[0] < '1' || f[0] > '5' || strcmp(f + 1, ".pdf") != 0)
      return bad(e, MSG_ERR_FORM, "form");
    r->form[0] = '0', r->form[1] = f[0], r->form[2] = '\0';
  } else {
    return fail(e, 404, "not_found", MSG_DESK_ERR_NOT_FOUND, NULL);
  }
  return 0;
}

static int want_method(const desk_req *r) {
  switch (r->route) {
  case DESK_R_FORWARD:
  case DESK_R_ACTION: return DESK_POST;
  case DESK_R_UPLOAD: return DESK_PUT;
  default: break;
  }
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    if (fixed[i].route == r->route) return fixed[i].method;
  return DESK_GET;
}

static int route(desk_req *r, const char *path, desk_req_error *e) {
  if (set_static(r, path)) return 0;
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    if (strcmp(path, fixed[i].path) == 0) {
      r->route = fixed[i].route;
      r->needs_login = fixed[i].login;
      return 0;
    }
  if (strncmp(path, "/api/dossiers/", 14) == 0) return route_dossier(r, path + 14, e);
  return fail(e, 404, "not_found", MSG_DESK_ERR_NOT_FOUND, NULL);
}

/* ---- per route ----------------------------------------------------------- */

static int parse_query(desk_req *r, const desk_kv *q, size_t nq, desk_req_error *e) {
  const char *v;
  unsigned u = 0;
  switch (r->route) {
  case DESK_R_TEXTS:
    if ((v = arg(q, nq, "lang")) != NULL && (mc_lang_parse(v) < 0 || copy(r->lang, 3, v) != 0))
      return bad(e, MSG_NONE, "lang");
    return 0;
  case DESK_R_EVENTS:
    if ((v = arg(q, nq, "after")) != NULL && v[0] != '\0') {
      char *end;
      unsigned long long a = strtoull(v, &end, 10);
      if (*end != '\0' || v[0] == '-' || a > (1ull << 53)) return bad(e, MSG_NONE, "after");
      r->after = a;
    }
    return 0;
  case DESK_R_PROCEDURES:
    if (q_text(q, nq, "q", r->q, sizeof r->q, e)) return -1;
    return r->q[0] ? j_check(mc_fields_check_search(r->q), "q", e) : 0;
  case DESK_R_LIST: return parse_filter(q, nq, &r->filter, DESK_LIST_MAX, e);
  case DESK_R_LIST_XLSX: return parse_filter(q, nq, &r->filter, DESK_XLSX_MAX, e);
  case DESK_R_UPLOAD:
    if ((v = arg(q, nq, "name")) == NULL || v[0] == '\0' || !text_ok(v, MC_LIM_FILE_NAME_BUF - 1) ||
        strchr(v, '/') || strchr(v, '\\') || copy(r->file, sizeof r->file, v) != 0)
      return bad(e, MSG_NONE, "name");
    v = arg(q, nq, "kind");
    if (v == NULL || v[0] == '\0') v = "scan";
    if (strcmp(v, "scan") != 0 && strcmp(v, "result") != 0) return bad(e, MSG_NONE, "kind");
    return copy(r->kind, sizeof r->kind, v);
  case DESK_R_REPORT:
    if (q_date(q, nq, "from", r->from, e) || q_date(q, nq, "to", r->to, e)) return -1;
    v = arg(q, nq, "by");
    r->by = 0;
    if (v != NULL && v[0] && mc_report_by_parse(v, &r->by) != 0) return bad(e, MSG_NONE, "by");
    (void)u;
    return 0;
  default: return 0;
  }
}

static int parse_post(desk_req *r, const char *body, size_t len, desk_req_error *e) {
  if (parse_body(r, body, len, e) != 0) return -1;
  switch (r->route) {
  case DESK_R_LOGIN: return parse_login(r, e);
  case DESK_R_PASSWD: return parse_passwd(r, e);
  case DESK_R_LANG: return parse_lang_body(r, e);
  case DESK_R_RECEIVE: return parse_receive(r, e);
  case DESK_R_FORWARD: return idem_ok(r, e);
  case DESK_R_ACTION: return parse_action(r, e);
  default: return 0;
  }
}

int desk_req_parse(int method, const char *path, const desk_kv *q, size_t nq, const char *body,
                   size_t len, desk_req *r, desk_req_error *e) {
  memset(r, 0, sizeof *r);
  memset(e, 0, sizeof *e);
  r->method = method;
  r->mutating = method == DESK_POST || method == DESK_PUT || method == DESK_DELETE;
  if (path == NULL || path[0] != '/' || strlen(path) > 512)
    return fail(e, 404, "not_found", MSG_DESK_ERR_NOT_FOUND, NULL);
  if (route(r, path, e) != 0) return -1;
  int want = want_method(r);
  if (method != want && !(method == DESK_HEAD && want == DESK_GET))
    return fail(e, 405, "method_not_allowed", MSG_DESK_ERR_METHOD, NULL);
  if (parse_query(r, q, nq, e) != 0) return -1;
  return method == DESK_POST && body != NULL ? parse_post(r, body, len, e) : 0;
}

void desk_req_free(desk_req *r) {
  json_decref(r->body);
  r->body = NULL;
}

const char *desk_upload_type(const unsigned char *p, size_t n) {
  static const struct {
    const char *mime;
    size_t n;
    unsigned char b[5];
  } magics[] = {{"application/pdf", 5, {'%', 'P', 'D', 'F', '-'}},
                {"image/jpeg", 3, {0xff, 0xd8, 0xff}},
                {"image/png", 4, {0x89, 'P', 'N', 'G'}},
                {"image/tiff", 4, {'I', 'I', 42, 0}},
                {"image/tiff", 4, {'M', 'M', 0, 42}}};
  for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
    if (n >= magics[i].n && memcmp(p, magics[i].b, magics[i].n) == 0) return magics[i].mime;
  return NULL;
}

static int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

int64_t desk_day_start_ms(const char iso[11], int offset_min) {
  int y, m, d;
  if (mc_fields_parse_date(iso, &y, &m, &d) != 0) return 0;
  return days_from_civil(y, (unsigned)m, (unsigned)d) * 86400000LL -
         (int64_t)offset_min * 60000LL;
}
