/* Officer accounts (issue 15): the shared vocabulary of the server and
 * every client front-end. Login syntax, role bits and names, the password
 * policy. Pure: no I/O, no allocation. */
#ifndef MC_OFFICER_H
#define MC_OFFICER_H

#include <stddef.h>

#define MC_LIM_LOGIN 32       /* [a-z0-9._-]{3,32}, lower case, unique system-wide */
#define MC_LIM_LOGIN_MIN 3
#define MC_LIM_PASSWORD 256   /* bytes; longer is refused, not cut */
#define MC_LIM_PASSWORD_MIN 10 /* characters (UTF-8 code points) */
#define MC_LIM_TITLE 127      /* chức vụ */
#define MC_LIM_TOKEN 64       /* a session token as sent: base64url of 32 bytes = 43 */

/* Role bits: 1 << motcua.OfficerRole. */
#define MC_OFF_RECEIVING (1u << 1)  /* tiếp nhận và trả kết quả */
#define MC_OFF_PROCESSING (1u << 2) /* chuyên viên xử lý */
#define MC_OFF_LEADER (1u << 3)     /* lãnh đạo */
#define MC_OFF_UNIT_ADMIN (1u << 4) /* quản trị đơn vị */
#define MC_OFF_ALL_ROLES (MC_OFF_RECEIVING | MC_OFF_PROCESSING | MC_OFF_LEADER | MC_OFF_UNIT_ADMIN)

/* 1 if s is a well-formed login: 3..32 of [a-z0-9._-]. */
int mc_off_login_ok(const char *s);

/* "receiving", "processing", "leader", "unit_admin" <-> role number
 * (motcua.OfficerRole 1..4); 0 / NULL when unknown. */
int mc_off_role_parse(const char *name);
const char *mc_off_role_name(int role);
/* Comma-separated names ("receiving,leader") -> bit mask; 0 and *bad the
 * first unknown name (a pointer into a static table or "") when one is
 * not a role. */
unsigned mc_off_roles_parse(const char *csv, const char **bad);
/* Mask -> "receiving,leader" into out (size bytes); returns out. */
char *mc_off_roles_text(unsigned mask, char *out, size_t size);

/* Lower-case, accent-free copy (Vietnamese letters lose their marks,
 * đ -> d); bytes that are not letters are kept. out always terminated. */
size_t mc_off_fold(const char *in, char *out, size_t size);

/* The password policy. The words the password must not contain (login,
 * the officer's name, the unit's name and code; NULL = none) are compared
 * after mc_off_fold, and each word of a name counts on its own when it
 * has 4 characters or more. 0 when accepted, else MC_EWEAKPW with *rule:
 * "password.length", "password.long", "password.utf8", "password.login",
 * "password.name", "password.unit", "password.same". */
typedef struct mc_off_pw_ctx {
  const char *login;
  const char *full_name;
  const char *unit_name;
  const char *unit_code;
  const char *old_password; /* NULL = not a change */
} mc_off_pw_ctx;
int mc_off_password_check(const char *pw, const mc_off_pw_ctx *ctx, const char **rule);

#endif
