/* Unit tests of the client library's configuration and idempotency keys
 * (no network). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "client_cert.h"
#include "error.h"
#include "list.h"
#include "motcua_client.h"
#include "render.h"

static const char *write_conf(const char *name, const char *text) {
  static char path[512];
  mkdir(TEST_TMPDIR, 0700);
  snprintf(path, sizeof path, "%s/%s", TEST_TMPDIR, name);
  FILE *f = fopen(path, "w");
  if (f == NULL) return NULL;
  fputs(text, f);
  fclose(f);
  return path;
}

static void test_defaults(void) {
  mc_client_config cfg;
  char err[256] = "";
  CHECK_EQ(mc_client_config_init(&cfg, err, sizeof err), MC_OK);
  CHECK_STREQ(cfg.host, "127.0.0.1");
  CHECK_EQ(cfg.port, 7443);
  CHECK_STREQ(cfg.server_name, "motcua-server");
  CHECK_STREQ(cfg.lang, "vi");
  CHECK_EQ(cfg.timeout_s, 15);
  CHECK_STREQ(cfg.officer, "");
}

static void test_load_relative_paths(void) {
  mc_client_config cfg;
  char err[256] = "", want[600];
  const char *p = write_conf("unit.conf",
                             "[server]\nhost = localhost\nport = 17443\n"
                             "[tls]\nca = ../pki/ca.crt\ncert = /abs/u.crt\nkey = u.key\n"
                             "[client]\nofficer = Cán bộ một cửa\nlang = en\ntimeout_s = 3\n");
  CHECK_FATAL(p != NULL);
  CHECK_EQ(mc_client_config_init(&cfg, err, sizeof err), MC_OK);
  CHECK_EQ(mc_client_config_load(&cfg, p, err, sizeof err), MC_OK);
  CHECK_STREQ(cfg.host, "localhost");
  CHECK_EQ(cfg.port, 17443);
  snprintf(want, sizeof want, "%s/../pki/ca.crt", TEST_TMPDIR);
  CHECK_STREQ(cfg.ca, want);
  CHECK_STREQ(cfg.cert, "/abs/u.crt");
  snprintf(want, sizeof want, "%s/u.key", TEST_TMPDIR);
  CHECK_STREQ(cfg.key, want);
  CHECK_STREQ(cfg.officer, "Cán bộ một cửa");
  CHECK_STREQ(cfg.lang, "en");
  CHECK_EQ(cfg.timeout_s, 3);
  CHECK_EQ(mc_client_config_set(&cfg, "port", "9000", err, sizeof err), MC_OK);
  CHECK_EQ(cfg.port, 9000);
  CHECK_EQ(mc_client_config_set(&cfg, "port", "70000", err, sizeof err), MC_ECONFIG);
  CHECK_EQ(mc_client_config_set(&cfg, "nosuch", "1", err, sizeof err), MC_ECONFIG);
}

static void test_load_errors(void) {
  mc_client_config cfg;
  char err[256] = "";
  const char *p = write_conf("typo.conf", "[server]\nhots = x\n");
  CHECK_FATAL(p != NULL);
  mc_client_config_init(&cfg, err, sizeof err);
  err[0] = '\0';
  CHECK_EQ(mc_client_config_load(&cfg, p, err, sizeof err), MC_ECONFIG);
  CHECK(err[0] != '\0');
  CHECK_EQ(mc_client_config_load(&cfg, TEST_TMPDIR "/missing.conf", err, sizeof err),
           MC_ECONFIG);
}

static int cmp_key(const void *a, const void *b) { return strcmp(a, b); }

static void test_idem_key(void) {
  char a[MC_CLIENT_IDEM_KEY_LEN + 1], b[MC_CLIENT_IDEM_KEY_LEN + 1];
  CHECK_EQ(mc_client_idem_key(a, sizeof a), MC_OK);
  CHECK_EQ(mc_client_idem_key(b, sizeof b), MC_OK);
  CHECK_EQ(strlen(a), 32);
  CHECK(strspn(a, "0123456789abcdef") == 32);
  CHECK(strcmp(a, b) != 0);
  CHECK_EQ(mc_client_idem_key(a, 32), MC_EINVAL);
  /* in time order: the first 12 digits are the creation time in ms, so a
   * key made later sorts after (the random part keeps two of one ms apart) */
  int64_t t0 = mc_client_now_ms();
  CHECK_EQ(mc_client_idem_key(a, sizeof a), MC_OK);
  int64_t t1 = mc_client_now_ms();
  char ts[13];
  memcpy(ts, a, 12);
  ts[12] = '\0';
  long long ms = strtoll(ts, NULL, 16);
  CHECK(ms >= t0 && ms <= t1);
  struct timespec pause = {0, 2000000};
  nanosleep(&pause, NULL);
  CHECK_EQ(mc_client_idem_key(b, sizeof b), MC_OK);
  CHECK(strcmp(a, b) < 0);
  /* 1,000 keys of the same few ms: all different */
  static char many[1000][MC_CLIENT_IDEM_KEY_LEN + 1];
  for (int i = 0; i < 1000; i++) CHECK_EQ(mc_client_idem_key(many[i], sizeof many[i]), MC_OK);
  qsort(many, 1000, sizeof many[0], cmp_key);
  for (int i = 1; i < 1000; i++) CHECK(strcmp(many[i], many[i - 1]) != 0);
}

/* The zone of the last hello, kept next to the configuration for offline
 * use; never connected: +07:00. */
static void test_zone_kept(void) {
  mc_client_config cfg;
  char err[256];
  CHECK_EQ(mc_client_config_init(&cfg, err, sizeof err), MC_OK);
  snprintf(cfg.config_dir, sizeof cfg.config_dir, "%s/zone", TEST_TMPDIR);
  mkdir(TEST_TMPDIR, 0700);
  mkdir(cfg.config_dir, 0700);
  CHECK_EQ(mc_render_utc_offset(), MC_RENDER_FALLBACK_UTC_OFFSET_MIN);
  write_conf("zone/.motcua-utc-offset", "-300\n");
  CHECK_EQ(mc_client_zone_load(&cfg), MC_OK);
  CHECK_EQ(mc_render_utc_offset(), -300);
  write_conf("zone/.motcua-utc-offset", "0\n"); /* "not sent" is never kept */
  CHECK_EQ(mc_client_zone_load(&cfg), MC_EINVAL);
  CHECK_EQ(mc_render_utc_offset(), -300);
  snprintf(cfg.config_dir, sizeof cfg.config_dir, "%s/nowhere", TEST_TMPDIR);
  CHECK_EQ(mc_client_zone_load(&cfg), MC_ENOTFOUND);
  mc_render_set_utc_offset(MC_RENDER_FALLBACK_UTC_OFFSET_MIN);
}

/* The certificate files' signature (client_cert.h): a renewal changes it. */
static void test_cert_sig(void) {
  mc_client_config cfg;
  client__cert_sig a, b, none;
  char err[256] = "";
  CHECK_EQ(mc_client_config_init(&cfg, err, sizeof err), MC_OK);
  memset(&none, 0, sizeof none);
  snprintf(cfg.cert, sizeof cfg.cert, "%s", write_conf("sig.crt", "one"));
  snprintf(cfg.key, sizeof cfg.key, "%s", write_conf("sig.key", "key"));
  client__cert_sig_read(&cfg, &a);
  client__cert_sig_read(&cfg, &b);
  CHECK(!client__cert_sig_differs(&a, &b));
  CHECK(client__cert_sig_differs(&a, &none));
  write_conf("sig.crt", "one, renewed"); /* new size */
  client__cert_sig_read(&cfg, &b);
  CHECK(client__cert_sig_differs(&a, &b));
  a = b;
  char tmp[MC_CLIENT_PATH_MAX + 8];
  snprintf(tmp, sizeof tmp, "%s.new", cfg.key);
  FILE *f = fopen(tmp, "w");
  CHECK(f != NULL);
  if (f != NULL) {
    fputs("kez", f); /* same size, new inode (written aside, renamed) */
    fclose(f);
    CHECK_EQ(rename(tmp, cfg.key), 0);
  }
  client__cert_sig_read(&cfg, &b);
  CHECK(client__cert_sig_differs(&a, &b));
  cfg.cert[0] = '\0';
  client__cert_sig_read(&cfg, &a);
  CHECK(memcmp(a.v[0], none.v[0], sizeof a.v[0]) == 0); /* no file: zeros */
}

/* The desk's list options (list.h): typed values checked, the request
 * built with local days, the page span. */
static void test_list_query(void) {
  mc_list_query q;
  memset(&q, 0, sizeof q);
  CHECK_EQ(mc_list_query_set(&q, "--status", "4"), MSG_NONE);
  CHECK_EQ(mc_list_query_set(&q, "status", "11"), MSG_ERR_STATUS_RANGE);
  CHECK_EQ(mc_list_query_set(&q, "sort", "-due"), MSG_NONE);
  CHECK_EQ(mc_list_query_set(&q, "sort", "name"), MSG_ERR_SORT);
  CHECK_STREQ(q.sort, "-due");
  CHECK_EQ(mc_list_query_set(&q, "offset", "100001"), MSG_ERR_OFFSET);
  CHECK_EQ(mc_list_query_set(&q, "offset", "40"), MSG_NONE);
  CHECK_EQ(mc_list_query_set(&q, "holder", "4-4"), MSG_ERR_UNIT_CODE);
  CHECK_EQ(mc_list_query_set(&q, "holder", "444"), MSG_NONE);
  CHECK_EQ(mc_list_query_set(&q, "sector", "Hộ\ttịch"), MSG_ERR_SECTOR);
  CHECK_EQ(mc_list_query_set(&q, "sector", "Hộ tịch"), MSG_NONE);
  CHECK_EQ(mc_list_query_set(&q, "procedure", "x y"), MSG_ERR_PROCEDURE_FORMAT);
  CHECK_EQ(mc_list_query_set(&q, "received-from", "31/02/2026"), MSG_ERR_DATE);
  CHECK_EQ(mc_list_query_set(&q, "received-from", "01/12/2026"), MSG_NONE);
  CHECK_EQ(mc_list_query_set(&q, "received-to", "2026-12-03"), MSG_NONE);
  CHECK_EQ(mc_list_query_set(&q, "colour", "red"), MSG_ERR_UNKNOWN_OPTION);
  CHECK(mc_list_query_knows("due-within") && !mc_list_query_knows("mine"));
  Motcua__ListRequest b;
  CHECK_EQ(mc_list_request_build(&q, 420, &b), MSG_NONE);
  /* local midnights at +07:00; the "to" day included */
  CHECK_EQ(b.received_from_ms, 1796058000000LL); /* 2026-12-01T00:00+07:00 */
  CHECK_EQ(b.received_to_ms, 1796317200000LL);   /* 2026-12-04T00:00+07:00 */
  CHECK_EQ(b.due_from_ms, 0);
  CHECK(b.status == 4 && b.offset == 40 && strcmp(b.sort, "-due") == 0);
  CHECK_STREQ(b.holder_unit, "444");
  CHECK_EQ(mc_list_query_set(&q, "due-from", "05/12/2026"), MSG_NONE);
  CHECK_EQ(mc_list_query_set(&q, "due-to", "04/12/2026"), MSG_NONE);
  CHECK_EQ(mc_list_request_build(&q, 420, &b), MSG_ERR_DATE_ORDER);
  q.due_to[0] = '\0';
  q.mine = q.awaiting_signature = 1;
  CHECK_EQ(mc_list_query_check(&q), MSG_ERR_MINE_AWAITING);
  size_t n = 0;
  while (mc_list_query_option(n) != NULL) n++;
  CHECK_EQ(n, 13);
  /* issue 19: the page cursor is opaque, bounded, printable, and sent */
  CHECK_EQ(mc_list_query_set(&q, "after", "L0d.42.1796058000000000"), MSG_NONE);
  CHECK_EQ(mc_list_query_set(&q, "after", ""), MSG_ERR_AFTER);
  CHECK_EQ(mc_list_query_set(&q, "after", "L0d 42"), MSG_ERR_AFTER);
  char longc[MC_LIM_CURSOR + 2];
  memset(longc, 'x', sizeof longc - 1);
  longc[sizeof longc - 1] = '\0';
  CHECK_EQ(mc_list_query_set(&q, "after", longc), MSG_ERR_AFTER);
  longc[MC_LIM_CURSOR] = '\0';
  CHECK_EQ(mc_list_check_cursor(longc), MSG_NONE);
  q.mine = q.awaiting_signature = 0;
  CHECK_EQ(mc_list_request_build(&q, 420, &b), MSG_NONE);
  CHECK_STREQ(b.after, "L0d.42.1796058000000000");
  Motcua__ListReply r = MOTCUA__LIST_REPLY__INIT;
  Motcua__Dossier d = MOTCUA__DOSSIER__INIT, *dp[2] = {&d, &d};
  r.dossiers = dp;
  r.n_dossiers = 2;
  unsigned first, last;
  mc_list_page_span(&q, &r, &first, &last);
  CHECK(first == 41 && last == 42);
  r.n_dossiers = 0;
  mc_list_page_span(&q, &r, &first, &last);
  CHECK(first == 0 && last == 0);
}

/* search --json and --all of list, search and inbox (issue 19): a search
 * page carries next and cut like a list page; pages merge into the first
 * page's object with the last page's next and cut; when inbox --all goes on. */
static void test_pages_json(void) {
  Motcua__Dossier d1 = MOTCUA__DOSSIER__INIT, d2 = MOTCUA__DOSSIER__INIT;
  d1.code = "18529-261206-0001";
  d2.code = "18529-261206-0002";
  Motcua__Dossier *p1[1] = {&d1}, *p2[1] = {&d2};
  Motcua__ListReply r = MOTCUA__LIST_REPLY__INIT;
  r.dossiers = p1;
  r.n_dossiers = 1;
  r.total = 7;
  r.next = "S.1796058000000000.12";
  r.cut = 1;
  json_t *a = mc_search_reply_json(&r, 0);
  CHECK_FATAL(a != NULL);
  CHECK_STREQ(json_string_value(json_object_get(a, "next")), "S.1796058000000000.12");
  CHECK(json_is_true(json_object_get(a, "cut")));
  CHECK_EQ(json_integer_value(json_object_get(a, "total")), 7);
  CHECK(json_object_get(a, "offset") == NULL);
  CHECK_EQ(json_array_size(json_object_get(a, "dossiers")), 1);
  r.dossiers = p2;
  r.next = "";
  r.cut = 0;
  json_t *b = mc_search_reply_json(&r, 0);
  CHECK(json_is_null(json_object_get(b, "next")));
  a = mc_pages_merge_json(a, b, "dossiers");
  json_t *rows = json_object_get(a, "dossiers");
  CHECK_EQ(json_array_size(rows), 2);
  CHECK_STREQ(json_string_value(json_object_get(json_array_get(rows, 1), "code")),
              "18529-261206-0002");
  CHECK(json_is_null(json_object_get(a, "next")));   /* the last page's */
  CHECK(json_is_false(json_object_get(a, "cut")));
  CHECK(mc_pages_merge_json(NULL, a, "dossiers") == a);
  json_decref(a);

  Motcua__DossierEvent ev = MOTCUA__DOSSIER_EVENT__INIT, *evp[1] = {&ev};
  ev.kind = "forward";
  ev.dossier = &d1;
  ev.from_unit = "18529";
  Motcua__InboxReply ir = MOTCUA__INBOX_REPLY__INIT;
  ir.next = "";
  CHECK(!mc_inbox_more(&ir, 1));      /* peek: no cursor, the end */
  CHECK(!mc_inbox_more(&ir, 0));      /* read: nothing read, the end */
  ir.events = evp;
  ir.n_events = 1;
  CHECK(!mc_inbox_more(&ir, 1));
  CHECK(mc_inbox_more(&ir, 0));       /* read: the next call takes the next unread */
  ir.next = "I.5";
  CHECK(mc_inbox_more(&ir, 1));
  json_t *i = mc_inbox_reply_json(&ir, 1);
  CHECK_STREQ(json_string_value(json_object_get(i, "next")), "I.5");
  CHECK_EQ(json_array_size(json_object_get(i, "events")), 1);
  json_decref(i);
}

int main(void) {
  RUN_TEST(test_list_query);
  RUN_TEST(test_pages_json);
  RUN_TEST(test_defaults);
  RUN_TEST(test_load_relative_paths);
  RUN_TEST(test_load_errors);
  RUN_TEST(test_idem_key);
  RUN_TEST(test_zone_kept);
  RUN_TEST(test_cert_sig);
  return check_result();
}
