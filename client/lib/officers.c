/* Officer accounts, the administrator's side: OfficersRequest as typed
 * calls, the officer-role vocabulary, the JSON form. */
#include "officers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "error.h"
#include "officer.h"
#include "render.h"

static const struct role_word {
  int role;
  const char *name; /* the wire-side name (JSON, options) */
  const char *alias; /* the Vietnamese word, without accents */
  enum mc_msg msg;
} role_words[] = {
    {MOTCUA__OFFICER_ROLE__OFFICER_RECEIVING, "receiving", "tiep-nhan", MSG_ROLE_RECEIVING},
    {MOTCUA__OFFICER_ROLE__OFFICER_PROCESSING, "processing", "xu-ly", MSG_ROLE_PROCESSING},
    {MOTCUA__OFFICER_ROLE__OFFICER_LEADER, "leader", "lanh-dao", MSG_ROLE_LEADER},
    {MOTCUA__OFFICER_ROLE__OFFICER_UNIT_ADMIN, "unit_admin", "quan-tri", MSG_ROLE_UNIT_ADMIN},
};
#define N_ROLES (sizeof role_words / sizeof role_words[0])

void mc_officers_wipe(void *p, size_t n) {
  if (p != NULL && n > 0) OPENSSL_cleanse(p, n);
}

static const struct role_word *role_of(int role) {
  for (size_t i = 0; i < N_ROLES; i++)
    if (role_words[i].role == role) return &role_words[i];
  return NULL;
}

static int role_of_word(const char *s, size_t n) {
  for (size_t i = 0; i < N_ROLES; i++) {
    const struct role_word *w = &role_words[i];
    if ((strlen(w->name) == n && strncmp(w->name, s, n) == 0) ||
        (strlen(w->alias) == n && strncmp(w->alias, s, n) == 0))
      return w->role;
  }
  return -1;
}

int mc_officer_role_parse(const char *name) {
  return name != NULL ? role_of_word(name, strlen(name)) : -1;
}

const char *mc_officer_role_name(int role) {
  const struct role_word *w = role_of(role);
  return w != NULL ? w->name : NULL;
}

enum mc_msg mc_officer_role_msg(int role) {
  const struct role_word *w = role_of(role);
  return w != NULL ? w->msg : MSG_UNKNOWN;
}

int mc_officer_roles_parse(const char *list, unsigned *mask, const char **bad, size_t *badlen) {
  *mask = 0;
  const char *p = list != NULL ? list : "";
  do {
    size_t n = strcspn(p, ",");
    int r = role_of_word(p, n);
    if (r < 0) {
      if (bad != NULL) *bad = p;
      if (badlen != NULL) *badlen = n;
      return MC_EINVAL;
    }
    *mask |= MC_OFFICER_ROLE_BIT(r);
    p += n;
  } while (*p++ == ',');
  return MC_OK;
}

void mc_officer_roles_text(unsigned mask, int lang, char *buf, size_t size) {
  size_t used = 0;
  if (size == 0) return;
  buf[0] = '\0';
  for (size_t i = 0; i < N_ROLES && used < size; i++) {
    if (!(mask & MC_OFFICER_ROLE_BIT(role_words[i].role))) continue;
    int k = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                     mc_msg(lang, role_words[i].msg));
    if (k < 0) return;
    used += (size_t)k;
  }
}

int mc_officer_login_ok(const char *login) { return login != NULL && mc_off_login_ok(login); }

int mc_officer_text_ok(const char *text, size_t max, int may_be_empty) {
  size_t n = text != NULL ? strlen(text) : 0;
  if (n > max || (n == 0 && !may_be_empty)) return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) return 0;
  return 1;
}

/* ---- the call ---------------------------------------------------------- */

static void copy(char *dst, size_t n, const char *src) {
  snprintf(dst, n, "%s", src != NULL ? src : "");
}

static void officer_from_pb(mc_officer_entry *o, const Motcua__Officer *p) {
  memset(o, 0, sizeof *o);
  copy(o->login, sizeof o->login, p->login);
  copy(o->full_name, sizeof o->full_name, p->full_name);
  copy(o->title, sizeof o->title, p->title);
  copy(o->unit_code, sizeof o->unit_code, p->unit_code);
  for (size_t i = 0; i < p->n_roles; i++)
    if ((int)p->roles[i] >= 1 && (int)p->roles[i] <= MC_OFFICER_ROLE_MAX)
      o->roles |= MC_OFFICER_ROLE_BIT(p->roles[i]);
  o->disabled = p->disabled;
  o->must_change_password = p->must_change_password;
  o->created_at_ms = p->created_at_ms;
  o->last_login_ms = p->last_login_ms;
  o->locked_until_ms = p->locked_until_ms;
}

void mc_officer_list_free(mc_officer_list *l) {
  if (l == NULL) return;
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

static int take_officers(const Motcua__OfficersReply *r, mc_officer_list *out) {
  out->items = NULL;
  out->n = 0;
  if (r->n_officers == 0) return MC_OK;
  out->items = calloc(r->n_officers, sizeof *out->items);
  if (out->items == NULL) return MC_ENOMEM;
  for (size_t i = 0; i < r->n_officers; i++)
    if (r->officers[i] != NULL) officer_from_pb(&out->items[out->n++], r->officers[i]);
  return MC_OK;
}

/* The roles of a mask as the repeated field wants them. */
static size_t roles_to_pb(unsigned mask, Motcua__OfficerRole *out) {
  size_t n = 0;
  for (int r = 1; r <= MC_OFFICER_ROLE_MAX; r++)
    if (mask & MC_OFFICER_ROLE_BIT(r)) out[n++] = (Motcua__OfficerRole)r;
  return n;
}

/* The temporary password out of the reply, then wiped in the reply. */
static int take_temp_pw(Motcua__OfficersReply *r, char *temp_pw, size_t temp_len) {
  char *t = r->temporary_password;
  size_t n = t != NULL ? strlen(t) : 0;
  int rc = MC_OK;
  if (temp_pw != NULL && temp_len > 0) {
    if (n >= temp_len || n > MC_OFFICER_TEMP_PW_MAX) rc = MC_EPROTO;
    else memcpy(temp_pw, t, n + 1);
  }
  mc_officers_wipe(t, n);
  return rc;
}

static int check_reply(Motcua__Envelope *rep, mc_client_error *err) {
  if (rep->body_case == MOTCUA__ENVELOPE__BODY_OFFICERS_REPLY && rep->officers_reply != NULL)
    return MC_OK;
  return mc_client_error_set(err, MC_EPROTO, NULL, mc_body_name(rep->body_case),
                             "unexpected reply to OfficersRequest");
}

int mc_officers_call(mc_client *c, const mc_officers_query *q, mc_officer_list *out,
                     char *temp_pw, size_t temp_len, mc_client_error *err) {
  char key[MC_CLIENT_IDEM_KEY_LEN + 1] = "";
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep = NULL;
  Motcua__OfficersRequest body = MOTCUA__OFFICERS_REQUEST__INIT;
  Motcua__Officer who = MOTCUA__OFFICER__INIT;
  Motcua__OfficerRole roles[MC_OFFICER_ROLE_MAX];
  if (temp_pw != NULL && temp_len > 0) temp_pw[0] = '\0';
  if (q->op != MOTCUA__OFFICERS_REQUEST__OP__LIST && mc_client_idem_key(key, sizeof key) != MC_OK)
    return mc_client_error_set(err, MC_EINTERNAL, NULL, NULL, "no random idempotency key");
  body.op = (Motcua__OfficersRequest__Op)q->op;
  body.unit_code = (char *)(q->unit_code != NULL ? q->unit_code : "");
  body.idempotency_key = key;
  body.role_filter = (Motcua__OfficerRole)q->role_filter;
  who.login = (char *)(q->login != NULL ? q->login : "");
  who.full_name = (char *)(q->full_name != NULL ? q->full_name : "");
  who.title = (char *)(q->title != NULL ? q->title : "");
  who.n_roles = roles_to_pb(q->roles, roles);
  who.roles = roles;
  if (q->op != MOTCUA__OFFICERS_REQUEST__OP__LIST) body.officer = &who;
  req.body_case = MOTCUA__ENVELOPE__BODY_OFFICERS;
  req.officers = &body;
  int rc = mc_client_call(c, &req, &rep, err);
  if (rc != MC_OK) return rc;
  if ((rc = check_reply(rep, err)) == MC_OK) {
    rc = take_temp_pw(rep->officers_reply, temp_pw, temp_len);
    if (rc != MC_OK) mc_client_error_set(err, rc, NULL, "temporary_password", "too long");
    else if (out != NULL && (rc = take_officers(rep->officers_reply, out)) != MC_OK)
      mc_client_error_set(err, rc, NULL, NULL, NULL);
  }
  mc_envelope_free(rep);
  return rc;
}

int mc_officers_candidates(mc_client *c, mc_officer_list *out, mc_client_error *err) {
  mc_officers_query q = {.op = MOTCUA__OFFICERS_REQUEST__OP__LIST,
                         .role_filter = MOTCUA__OFFICER_ROLE__OFFICER_PROCESSING};
  int rc = mc_officers_call(c, &q, out, NULL, 0, err);
  if (rc != MC_OK) return rc;
  size_t k = 0;
  for (size_t i = 0; i < out->n; i++)
    if (!out->items[i].disabled) out->items[k++] = out->items[i];
  out->n = k;
  return MC_OK;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *roles_json(unsigned mask) {
  json_t *a = json_array();
  for (size_t i = 0; a != NULL && i < N_ROLES; i++)
    if (mask & MC_OFFICER_ROLE_BIT(role_words[i].role))
      json_array_append_new(a, json_string(role_words[i].name));
  return a;
}

json_t *mc_officer_json(const mc_officer_entry *o) {
  return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:o, s:o, s:o}", "login", o->login,
                   "full_name", o->full_name, "title", o->title, "unit", o->unit_code,
                   "roles", roles_json(o->roles), "disabled", o->disabled,
                   "must_change_password", o->must_change_password, "created_at",
                   mc_render_time_json(o->created_at_ms), "last_login",
                   mc_render_time_json(o->last_login_ms), "locked_until",
                   mc_render_time_json(o->locked_until_ms));
}
