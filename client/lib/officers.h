/* Officer accounts, the administrator's side (issue 15): typed calls for
 * OfficersRequest (list, add, disable, enable, reset a password, set the
 * roles) and the officer-role vocabulary every front-end shows. The session
 * itself (login, logout, passwd, the token) is the client's (motcua_client.h).
 * Never prints. A temporary password is handed to the caller once, in a
 * buffer the caller wipes (mc_officers_wipe) after showing it. */
#ifndef MC_OFFICERS_H
#define MC_OFFICERS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "messages.h"
#include "motcua_client.h"

#define MC_OFFICER_LOGIN_MAX 32   /* bytes of a login, without the NUL (MC_LIM_LOGIN) */
#define MC_OFFICER_NAME_MAX 160   /* full name */
#define MC_OFFICER_TITLE_MAX 128  /* chức vụ */
#define MC_OFFICER_TEMP_PW_MAX 64 /* a generated temporary password */
#define MC_OFFICER_ROLE_MAX 4     /* OFFICER_UNIT_ADMIN */

/* Roles as a mask: bit (1u << Motcua__OfficerRole). */
#define MC_OFFICER_ROLE_BIT(r) (1u << (r))

typedef struct mc_officer_entry {
  char login[MC_OFFICER_LOGIN_MAX + 1];
  char full_name[MC_OFFICER_NAME_MAX + 1];
  char title[MC_OFFICER_TITLE_MAX + 1];
  char unit_code[16];
  unsigned roles; /* MC_OFFICER_ROLE_BIT mask */
  int disabled;
  int must_change_password;
  int64_t created_at_ms, last_login_ms, locked_until_ms;
} mc_officer_entry;

typedef struct mc_officer_list {
  mc_officer_entry *items;
  size_t n;
} mc_officer_list;
void mc_officer_list_free(mc_officer_list *l);

/* "receiving"|"processing"|"leader"|"unit_admin" <-> Motcua__OfficerRole
 * (the Vietnamese words "tiep-nhan", "xu-ly", "lanh-dao", "quan-tri" are
 * accepted too); -1 when unknown. */
int mc_officer_role_parse(const char *name);
const char *mc_officer_role_name(int role); /* NULL outside 1..MC_OFFICER_ROLE_MAX */
enum mc_msg mc_officer_role_msg(int role);  /* MSG_ROLE_* or MSG_UNKNOWN */
/* "processing,leader" -> mask; MC_EINVAL naming the bad word in *bad. */
int mc_officer_roles_parse(const char *list, unsigned *mask, const char **bad, size_t *badlen);
/* The roles for people, ", "-separated, in lang. */
void mc_officer_roles_text(unsigned mask, int lang, char *buf, size_t size);

/* A login as the server takes it: 3..32 of [a-z0-9._-] (mc_off_login_ok). */
int mc_officer_login_ok(const char *login);
/* A full name or title: at most max bytes (max = MC_OFFICER_NAME_MAX or
 * MC_OFFICER_TITLE_MAX), no control characters; empty only if may_be_empty. */
int mc_officer_text_ok(const char *text, size_t max, int may_be_empty);

/* What an administrator asks for (Motcua__OfficersRequest__Op). unit_code
 * NULL or "" = the caller's own unit (IT must name one). */
typedef struct mc_officers_query {
  int op;
  const char *unit_code;
  const char *login;     /* every op but LIST */
  const char *full_name; /* ADD */
  const char *title;     /* ADD (may be "") */
  unsigned roles;        /* ADD, SET_ROLES: mask */
  int role_filter;       /* LIST: only holders of this role, 0 = all */
} mc_officers_query;

/* One OfficersRequest (a fresh idempotency key for a change) and its
 * answer: out (may be NULL) the officers the server returned; temp_pw
 * (ADD, RESET_PASSWORD; may be NULL) the temporary password, at most
 * MC_OFFICER_TEMP_PW_MAX bytes + NUL, "" when none. Every copy of the
 * password in the reply is wiped before it is freed. */
int mc_officers_call(mc_client *c, const mc_officers_query *q, mc_officer_list *out,
                     char *temp_pw, size_t temp_len, mc_client_error *err);

/* The unit's processing officers (assign candidates): LIST with the
 * processing role, the disabled ones left out. */
int mc_officers_candidates(mc_client *c, mc_officer_list *out, mc_client_error *err);

/* {login, full_name, title, unit, roles: [...], disabled, must_change_password,
 * created_at, last_login, locked_until}; NULL only on allocation failure. */
json_t *mc_officer_json(const mc_officer_entry *o);

/* Overwrite a secret in memory (not optimised away). */
void mc_officers_wipe(void *p, size_t n);

#endif
