/* The desk's pure parts: request parsing (desk_req.h) and the browser
 * checks and sessions (desk_guard.h). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "desk_guard.h"
#include "desk_req.h"
#include "frame.h"

static int parse(int method, const char *path, const char *query, const char *body, desk_req *r,
                 desk_req_error *e) {
  char qbuf[1024];
  desk_kv kv[DESK_QUERY_MAX];
  snprintf(qbuf, sizeof qbuf, "%s", query ? query : "");
  size_t nq = desk_query_split(qbuf, kv, DESK_QUERY_MAX);
  int rc = desk_req_parse(method, path, kv, nq, body, body ? strlen(body) : 0, r, e);
  return rc;
}

static void test_routes(void) {
  desk_req r;
  desk_req_error e;
  CHECK_EQ(parse(DESK_GET, "/", NULL, NULL, &r, &e), 0);
  CHECK_EQ(r.route, DESK_R_STATIC);
  CHECK_STREQ(r.path_file, "index.html");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/state", NULL, NULL, &r, &e), 0);
  CHECK_EQ(r.route, DESK_R_STATE);
  CHECK_EQ(r.needs_login, 0);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/nothing", NULL, NULL, &r, &e), -1);
  CHECK_EQ(e.status, 404);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/receive", NULL, NULL, &r, &e), -1); /* a POST route */
  CHECK_EQ(e.status, 405);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/state", NULL, "{}", &r, &e), -1);
  CHECK_EQ(e.status, 405);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers/h30.18499-261006-0001", NULL, NULL, &r, &e), 0);
  CHECK_EQ(r.route, DESK_R_SHOW);
  CHECK_STREQ(r.code, "H30.18499-261006-0001");
  CHECK_EQ(r.needs_login, 1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers/H30.18499-261006-0001/slips/01.pdf", NULL, NULL, &r, &e), 0);
  CHECK_EQ(r.route, DESK_R_SLIP);
  CHECK_STREQ(r.form, "01");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers/H30.18499-261006-0001/slips/3.pdf", NULL, NULL, &r, &e), 0);
  CHECK_STREQ(r.form, "03");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers/H30.18499-261006-0001/slips/6.pdf", NULL, NULL, &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers/H30.18499-261006-0001/slips/001.pdf", NULL, NULL, &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers/H30.18499-261006-0001/slips/06.pdf", NULL, NULL, &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers/261006-0001", NULL, NULL, &r, &e), 0); /* short form */
  CHECK_STREQ(r.code, "261006-0001");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers/a%20b/x", NULL, NULL, &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/dossiers/H30.18499-261006-0001/forward", NULL, "{}", &r, &e), 0);
  CHECK_EQ(r.route, DESK_R_FORWARD);
  CHECK_EQ(r.mutating, 1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_PUT, "/api/dossiers/H30.18499-261006-0001/files", "name=scan.pdf&kind=scan", NULL,
                 &r, &e), 0);
  CHECK_EQ(r.route, DESK_R_UPLOAD);
  CHECK_STREQ(r.file, "scan.pdf");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_PUT, "/api/dossiers/H30.18499-261006-0001/files", "name=a/b.pdf", NULL, &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_PUT, "/api/dossiers/H30.18499-261006-0001/files", "name=a.pdf&kind=exe", NULL, &r, &e),
           -1);
  desk_req_free(&r);
}

static void test_bodies(void) {
  desk_req r;
  desk_req_error e;
  CHECK_EQ(parse(DESK_POST, "/api/login", NULL, "{\"login\":\"a.b\",\"password\":\"x\"}", &r, &e), 0);
  CHECK_STREQ(r.login, "a.b");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/login", NULL, "{\"login\":\"a.b\"}", &r, &e), -1);
  CHECK_STREQ(e.field, "password");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/login", NULL, "{\"login\":", &r, &e), -1);
  CHECK_STREQ(e.code, "bad_json");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/login", NULL, "[1]", &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/login", NULL, "{\"login\":\"a\",\"login\":\"b\",\"password\":\"x\"}", &r,
                 &e), -1); /* duplicate keys */
  desk_req_free(&r);
  const char *rcv = "{\"procedure\":\"1.000894\",\"applicant\":{\"name\":\"Nguyễn Văn A\","
                    "\"id_number\":\"001234567890\",\"phone\":\"0912345678\"},\"channel\":\"direct\","
                    "\"sets\":1,\"components\":[{\"ordinal\":1,\"form\":\"original\",\"count\":1},"
                    "{\"ordinal\":2,\"form\":\"certified_copy\"}],\"idempotency_key\":\"abcdefgh1234\"}";
  CHECK_EQ(parse(DESK_POST, "/api/receive", NULL, rcv, &r, &e), 0);
  CHECK_EQ(r.ncomps, 2);
  CHECK_EQ(r.comps[1].form, MOTCUA__COMPONENT_FORM__FORM_CERTIFIED);
  CHECK_EQ(r.channel, MOTCUA__CHANNEL__CHANNEL_DIRECT);
  CHECK_STREQ(r.id_number, "001234567890");
  desk_req_free(&r);
  const char *badid = "{\"procedure\":\"1.000894\",\"applicant\":{\"name\":\"A\",\"id_number\":\"12\"}}";
  CHECK_EQ(parse(DESK_POST, "/api/receive", NULL, badid, &r, &e), -1);
  CHECK_STREQ(e.field, "applicant.id_number");
  CHECK_EQ(e.status, 400);
  desk_req_free(&r);
  const char *dup = "{\"procedure\":\"1.000894\",\"applicant\":{\"name\":\"A\",\"id_number\":\"001234567890\"},"
                    "\"components\":[{\"ordinal\":1},{\"ordinal\":1}]}";
  CHECK_EQ(parse(DESK_POST, "/api/receive", NULL, dup, &r, &e), -1);
  desk_req_free(&r);
  const char *act = "{\"action\":\"rate\",\"rating\":3}";
  CHECK_EQ(parse(DESK_POST, "/api/dossiers/H30.18499-261006-0001/action", NULL, act, &r, &e), 0);
  CHECK_EQ(r.action, MOTCUA__ACTION__ACTION_RATE);
  CHECK_EQ(r.rating, 3);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/dossiers/H30.18499-261006-0001/action", NULL, "{\"action\":\"rate\"}", &r,
                 &e), -1); /* rating required */
  CHECK_STREQ(e.field, "rating");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/dossiers/H30.18499-261006-0001/action", NULL,
                 "{\"action\":\"accept\",\"rating\":2}", &r, &e), -1); /* not for accept */
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/dossiers/H30.18499-261006-0001/action", NULL,
                 "{\"action\":\"reschedule\",\"reason\":\"x\",\"new_due\":\"31/12/2026\"}", &r, &e), 0);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_POST, "/api/dossiers/H30.18499-261006-0001/action", NULL,
                 "{\"action\":\"fee_request\",\"amount\":\"-5\"}", &r, &e), -1);
  desk_req_free(&r);
  char big[DESK_JSON_MAX + 16];
  memset(big, ' ', sizeof big - 1);
  big[0] = '{';
  big[sizeof big - 2] = '}';
  big[sizeof big - 1] = '\0';
  CHECK_EQ(parse(DESK_POST, "/api/login", NULL, big, &r, &e), -1);
  CHECK_EQ(e.status, 413);
  desk_req_free(&r);
}

static void test_queries(void) {
  desk_req r;
  desk_req_error e;
  CHECK_EQ(parse(DESK_GET, "/api/dossiers", "status=4&received_from=01/10/2026&due_to=2026-12-31&overdue=1"
                                            "&offset=100&limit=100&sort=-due&q=Nguy%E1%BB%85n+V%C4%83n",
                 NULL, &r, &e), 0);
  CHECK_EQ(r.filter.status, 4);
  CHECK_STREQ(r.filter.received_from, "2026-10-01");
  CHECK_STREQ(r.filter.due_to, "2026-12-31");
  CHECK_EQ(r.filter.overdue, 1);
  CHECK_EQ(r.filter.offset, 100);
  CHECK_STREQ(r.filter.q, "Nguyễn Văn");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers", "limit=101", NULL, &r, &e), -1);
  CHECK_STREQ(e.field, "limit");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers.xlsx", "limit=10000", NULL, &r, &e), 0);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers", "sort=name", NULL, &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers", "received_from=31/02/2026", NULL, &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/dossiers", "mine=1&awaiting_signature=1", NULL, &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/events", "after=42", NULL, &r, &e), 0);
  CHECK_EQ(r.after, 42);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/events", "after=-1", NULL, &r, &e), -1);
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/texts", "lang=en", NULL, &r, &e), 0);
  CHECK_STREQ(r.lang, "en");
  desk_req_free(&r);
  CHECK_EQ(parse(DESK_GET, "/api/texts", "lang=fr", NULL, &r, &e), -1);
  desk_req_free(&r);
  /* 2026-10-01 00:00 at +07:00 */
  CHECK_EQ(desk_day_start_ms("2026-10-01", 420), 1790787600000LL);
}

static void test_guard(void) {
  mc_http_hosts hosts;
  CHECK_EQ(mc_http_hosts_init(&hosts, "127.0.0.1", 8480, "desk.local"), 0);
  CHECK(desk_origin_ok(&hosts, 0, "http://127.0.0.1:8480"));
  CHECK(desk_origin_ok(&hosts, 0, "http://desk.local:8480"));
  CHECK(!desk_origin_ok(&hosts, 0, "http://evil.example:8480"));
  CHECK(!desk_origin_ok(&hosts, 0, "https://127.0.0.1:8480"));
  CHECK(!desk_origin_ok(&hosts, 0, "http://127.0.0.1:8481"));
  CHECK(!desk_origin_ok(&hosts, 0, "http://127.0.0.1")); /* port 80 */
  CHECK(!desk_origin_ok(&hosts, 0, "null"));
  CHECK(!desk_origin_ok(&hosts, 0, NULL));
  CHECK(!desk_origin_ok(&hosts, 0, "http://127.0.0.1:8480/x"));
  CHECK(mc_http_host_allowed(&hosts, "127.0.0.1:8480"));
  CHECK(!mc_http_host_allowed(&hosts, "attacker.example:8480")); /* DNS rebinding */
  CHECK(desk_fetch_site_ok(NULL));
  CHECK(desk_fetch_site_ok("same-origin"));
  CHECK(desk_fetch_site_ok("none"));
  CHECK(!desk_fetch_site_ok("cross-site"));
  CHECK(!desk_fetch_site_ok("same-site"));
  char v[80];
  CHECK(desk_cookie_get("a=1; motcua_desk=abc; b=2", DESK_COOKIE, v, sizeof v));
  CHECK_STREQ(v, "abc");
  CHECK(!desk_cookie_get("xmotcua_desk=abc", DESK_COOKIE, v, sizeof v));
  CHECK(!desk_cookie_get("", DESK_COOKIE, v, sizeof v));
}

static void test_sessions(void) {
  static desk_sessions t;
  unsigned char id[32], csrf[32];
  char cookie[DESK_SECRET_HEX + 1], ev[MC_CLIENT_TOKEN_MAX + 1], tok[MC_CLIENT_TOKEN_MAX + 1];
  desk_sessions_init(&t, 15 * 60000);
  memset(id, 7, sizeof id);
  memset(csrf, 9, sizeof csrf);
  desk_session *s = desk_sessions_add(&t, id, csrf, 1000, cookie, ev);
  CHECK(s != NULL);
  snprintf(s->token, sizeof s->token, "server-token-1");
  CHECK(desk_sessions_find(&t, cookie, 2000) == s);
  CHECK(desk_csrf_ok(s, s->csrf));
  char wrong[DESK_SECRET_HEX + 1];
  snprintf(wrong, sizeof wrong, "%s", s->csrf);
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  CHECK(!desk_csrf_ok(s, wrong));
  CHECK(!desk_csrf_ok(s, NULL));
  CHECK(!desk_csrf_ok(s, ""));
  CHECK(desk_sessions_find(&t, "00", 2000) == NULL);
  /* idle: 15 minutes after the last use it is gone, and expire hands over its token */
  CHECK(desk_sessions_find(&t, cookie, 2000 + 15 * 60000) == NULL);
  CHECK_EQ(desk_sessions_expire(&t, 2000 + 15 * 60000, tok), 1);
  CHECK_STREQ(tok, "server-token-1");
  CHECK_EQ(desk_sessions_expire(&t, 2000 + 15 * 60000, tok), 0);
  CHECK(desk_sessions_find(&t, cookie, 3000) == NULL);
  /* bounded: a full table of live sessions refuses, an idle one is reused */
  for (int i = 0; i < DESK_SESSIONS_MAX; i++) {
    id[0] = (unsigned char)i;
    desk_session *x = desk_sessions_add(&t, id, csrf, 5000 + i, cookie, ev);
    CHECK(x != NULL);
    if (x != NULL) snprintf(x->token, sizeof x->token, "tok-%d", i);
  }
  id[0] = 200;
  CHECK(desk_sessions_add(&t, id, csrf, 6000, cookie, ev) == NULL);
  CHECK_EQ(desk_sessions_live(&t, 6000), DESK_SESSIONS_MAX);
  CHECK(desk_sessions_add(&t, id, csrf, 5000 + 15 * 60000, cookie, ev) != NULL);
  CHECK_STREQ(ev, "tok-0");
}

static void test_upload_type(void) {
  CHECK_STREQ(desk_upload_type((const unsigned char *)"%PDF-1.7", 8), "application/pdf");
  CHECK_STREQ(desk_upload_type((const unsigned char *)"\x89PNG\r\n", 6), "image/png");
  CHECK(desk_upload_type((const unsigned char *)"MZ\x90", 3) == NULL);
  CHECK(desk_upload_type((const unsigned char *)"%PD", 3) == NULL);
}

int main(void) {
  test_routes();
  test_bodies();
  test_queries();
  test_guard();
  test_sessions();
  test_upload_type();
  return check_result();
}
