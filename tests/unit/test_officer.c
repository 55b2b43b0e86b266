/* Officer accounts' pure parts (issue 15): login syntax, roles, the
 * password policy with its accent folding (proto/officer.c), the
 * validators (server/rules/validate.c), the session's end (workflow.c),
 * tokens and Argon2id (server/net/passwd.c, at a cheap cost). */
#include <string.h>

#include "check.h"
#include "error.h"
#include "officer.h"
#include "passwd.h"
#include "validate.h"
#include "workflow.h"

static void test_login_syntax(void) {
  CHECK(mc_off_login_ok("tester.18499"));
  CHECK(mc_off_login_ok("a_b-c"));
  CHECK(!mc_off_login_ok("ab"));                     /* 3..32 */
  CHECK(!mc_off_login_ok("Tester"));                 /* lower case only */
  CHECK(!mc_off_login_ok("nguyễn"));                 /* ASCII only */
  CHECK(!mc_off_login_ok("a b c"));
  CHECK(!mc_off_login_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 33 */
  CHECK(!mc_off_login_ok(NULL));
  char out[MC_LIM_LOGIN + 1];
  CHECK_EQ(mc_val_login_name(out, "Leader.444"), 0);
  CHECK_STREQ(out, "leader.444");
  CHECK_EQ(mc_val_login_name(out, "x"), MC_EINVAL);
}

static void test_roles(void) {
  const char *bad = NULL;
  CHECK_EQ(mc_off_roles_parse("receiving,leader", &bad), MC_OFF_RECEIVING | MC_OFF_LEADER);
  CHECK_EQ(mc_off_roles_parse("receiving,processing,leader,unit_admin", &bad), MC_OFF_ALL_ROLES);
  CHECK_EQ(mc_off_roles_parse("receiving,boss", &bad), 0);
  CHECK(bad != NULL);
  CHECK_EQ(mc_off_roles_parse("", &bad), 0);
  char t[64];
  CHECK_STREQ(mc_off_roles_text(MC_OFF_PROCESSING | MC_OFF_UNIT_ADMIN, t, sizeof t),
              "processing,unit_admin");
}

static void test_policy(void) {
  const char *rule = NULL;
  mc_off_pw_ctx c = {.login = "leader.18499", .full_name = "Nguyễn Thị Hương",
                     .unit_name = "Xã Điền Mỹ", .unit_code = "18499"};
  CHECK_EQ(mc_off_password_check("Trăng rằm tháng tám", &c, &rule), 0);
  CHECK_EQ(mc_off_password_check("ngắn quá", &c, &rule), MC_EWEAKPW);
  CHECK_STREQ(rule, "password.length");
  CHECK_EQ(mc_off_password_check("xxLEADER.18499yy", &c, &rule), MC_EWEAKPW);
  CHECK_STREQ(rule, "password.login");
  CHECK_EQ(mc_off_password_check("Huong-2026-mat-khau", &c, &rule), MC_EWEAKPW); /* Hương */
  CHECK_STREQ(rule, "password.name");
  CHECK_EQ(mc_off_password_check("dien my 2026 abc", &c, &rule), MC_EWEAKPW); /* Điền */
  CHECK_STREQ(rule, "password.unit");
  CHECK_EQ(mc_off_password_check("abc18499abcdef", &c, &rule), MC_EWEAKPW);
  CHECK_STREQ(rule, "password.unit");
  c.old_password = "Trăng rằm tháng tám";
  CHECK_EQ(mc_off_password_check("Trăng rằm tháng tám", &c, &rule), MC_EWEAKPW);
  CHECK_STREQ(rule, "password.same");
  CHECK_EQ(mc_off_password_check("\xff\xfe invalid utf8 x", &c, &rule), MC_EWEAKPW);
  CHECK_STREQ(rule, "password.utf8");
  char big[MC_LIM_PASSWORD + 2];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  CHECK_EQ(mc_off_password_check(big, &c, &rule), MC_EWEAKPW);
  CHECK_STREQ(rule, "password.long");
  char f[64];
  mc_off_fold("ĐIỀN Mỹ Hương", f, sizeof f);
  CHECK_STREQ(f, "dien my huong");
}

static void test_validators(void) {
  const char *field = NULL;
  char login[MC_LIM_LOGIN + 1];
  Motcua__LoginRequest q = MOTCUA__LOGIN_REQUEST__INIT;
  q.login = "Tester.444";
  q.password = "x";
  CHECK_EQ(mc_val_login(&q, login, &field), 0);
  q.password = "";
  CHECK_EQ(mc_val_login(&q, login, &field), MC_EBADLOGIN);
  Motcua__OfficersRequest o = MOTCUA__OFFICERS_REQUEST__INIT;
  Motcua__Officer of = MOTCUA__OFFICER__INIT;
  Motcua__OfficerRole roles[1] = {MOTCUA__OFFICER_ROLE__OFFICER_LEADER};
  mc_officers_fields out;
  CHECK_EQ(mc_val_officers(&o, &out, &field), 0); /* LIST */
  o.op = MOTCUA__OFFICERS_REQUEST__OP__ADD;
  CHECK_EQ(mc_val_officers(&o, &out, &field), MC_EINVAL); /* no key */
  o.idempotency_key = "officers-add-0001";
  o.officer = &of;
  of.login = "leader2.444";
  of.full_name = "Lê Văn Lãnh";
  CHECK_EQ(mc_val_officers(&o, &out, &field), MC_EINVAL); /* ADD needs a role */
  CHECK_STREQ(field, "officer.roles");
  of.n_roles = 1;
  of.roles = roles;
  CHECK_EQ(mc_val_officers(&o, &out, &field), 0);
  CHECK_EQ(out.roles, MC_OFF_LEADER);
  roles[0] = (Motcua__OfficerRole)9;
  CHECK_EQ(mc_val_officers(&o, &out, &field), MC_EINVAL);
}

/* A login at 09:00 on a working day ends at the afternoon's close; at
 * 16:50 or on a Sunday it gets the overtime span. */
static void test_session_end(void) {
  mc_calendar cal = {.utc_offset_min = 420, .cutoff_min = 900, .day_start_min = 450,
                     .day_end_min = 1020};
  int64_t mon9 = mc_local_ms(&cal, mc_local_day(&cal, 1796608800000LL /* Mon 2026-12-07 09:00 */), 540);
  int64_t close = mc_local_ms(&cal, mc_local_day(&cal, mon9), 1020);
  const int64_t four_h = 4 * 3600000LL;
  CHECK_EQ(mc_wf_session_expiry(&cal, mon9, four_h), close);
  int64_t late = mc_local_ms(&cal, mc_local_day(&cal, mon9), 1010);
  CHECK_EQ(mc_wf_session_expiry(&cal, late, four_h), late + four_h);
  int64_t sun = mon9 - 86400000LL;
  CHECK_EQ(mc_wf_session_expiry(&cal, sun, four_h), sun + four_h);
}

static void test_tokens_and_hashes(void) {
  char tok[MC_TOKEN_TEXT], tok2[MC_TOKEN_TEXT];
  uint8_t h[32], h2[32];
  CHECK_EQ(mc_token_new(tok, h), 0);
  CHECK_EQ(strlen(tok), 43);
  CHECK_EQ(mc_token_hash(tok, h2), 0);
  CHECK(memcmp(h, h2, 32) == 0);
  CHECK_EQ(mc_token_new(tok2, h2), 0);
  CHECK(strcmp(tok, tok2) != 0);
  CHECK_EQ(mc_token_hash("short", h2), MC_ELOGIN);
  tok2[5] = '+'; /* not base64url */
  CHECK_EQ(mc_token_hash(tok2, h2), MC_ELOGIN);
  CHECK_EQ(mc_token_hash(NULL, h2), MC_ELOGIN);
  mc_argon2 cheap = {.m_kib = 1024, .t = 1};
  char enc[MC_PASSWD_ENCODED_MAX];
  CHECK_EQ(mc_passwd_hash(&cheap, "Trăng rằm tháng tám", enc), 0);
  CHECK(strncmp(enc, "$argon2id$v=19$m=1024,t=1,p=1$", 30) == 0);
  CHECK(strstr(enc, "Trăng") == NULL);
  CHECK_EQ(mc_passwd_verify(enc, "Trăng rằm tháng tám"), 0);
  CHECK_EQ(mc_passwd_verify(enc, "trăng rằm tháng tám"), MC_EBADLOGIN);
  CHECK_EQ(mc_passwd_verify("$2y$not-argon", "x"), MC_EBADLOGIN);
  CHECK_EQ(mc_passwd_dummy(&cheap, "x"), MC_EBADLOGIN);
  char pw[20];
  CHECK_EQ(mc_passwd_generate(pw, 16), 0);
  CHECK_EQ(strlen(pw), 16);
}

int main(void) {
  test_login_syntax();
  test_roles();
  test_policy();
  test_validators();
  test_session_end();
  test_tokens_and_hashes();
  return check_result();
}
