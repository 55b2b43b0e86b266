/* Unit tests for the shared vocabulary's rules (proto/domain.h): the one
 * definition of field limits, text checks, code syntax, status sets and the
 * overdue rule that server and client both use. */
#include <string.h>

#include "check.h"
#include "domain.h"

static void test_utf8(void) {
  CHECK(mc_dom_utf8("Nguyễn Văn An", strlen("Nguyễn Văn An")));
  CHECK(!mc_dom_utf8("\xC0\xAF", 2));         /* overlong '/' */
  CHECK(!mc_dom_utf8("\xED\xA0\x80", 3));     /* surrogate */
  CHECK(!mc_dom_utf8("\xF4\x90\x80\x80", 4)); /* above U+10FFFF */
  CHECK(!mc_dom_utf8("\xE1\xBB", 2));         /* truncated */
  CHECK(mc_dom_utf8("\xF0\x9F\x98\x80", 4));
}

static void test_text(void) {
  CHECK_EQ(mc_dom_text("Lê Thị Hồng", 159, MC_TEXT_REQUIRED), MC_DOM_OK);
  CHECK_EQ(mc_dom_text("", 159, MC_TEXT_REQUIRED), MC_DOM_EMPTY);
  CHECK_EQ(mc_dom_text("   ", 159, MC_TEXT_REQUIRED), MC_DOM_EMPTY);
  CHECK_EQ(mc_dom_text("", 159, 0), MC_DOM_OK);
  CHECK_EQ(mc_dom_text("abcd", 3, 0), MC_DOM_TOO_LONG);
  CHECK_EQ(mc_dom_text("abc", 3, 0), MC_DOM_OK);
  CHECK_EQ(mc_dom_text("a\nb", 10, 0), MC_DOM_CONTROL);
  CHECK_EQ(mc_dom_text("a\nb", 10, MC_TEXT_NEWLINES), MC_DOM_OK);
  CHECK_EQ(mc_dom_text("a\x1b[31m", 10, 0), MC_DOM_CONTROL);
  CHECK_EQ(mc_dom_text("a\x7f", 10, 0), MC_DOM_CONTROL);
  CHECK_EQ(mc_dom_text("a\xC2\x85", 10, 0), MC_DOM_CONTROL); /* NEL, C1 */
  CHECK_EQ(mc_dom_text("a\xC2\xA0z", 10, 0), MC_DOM_OK);      /* NBSP is text */
  CHECK_EQ(mc_dom_text("\xff", 10, 0), MC_DOM_BAD_UTF8);
  CHECK_EQ(mc_dom_text("abc\xE2\x80\xAE" "fdp.exe", 40, 0), MC_DOM_CONTROL); /* U+202E RLO */
  CHECK_EQ(mc_dom_text("a\xE2\x81\xA6" "b", 40, 0), MC_DOM_CONTROL);          /* U+2066 LRI */
  CHECK_EQ(mc_dom_text("a\xE2\x80\x8B" "b", 40, 0), MC_DOM_CONTROL);          /* U+200B ZWSP */
  CHECK_EQ(mc_dom_text("\xEF\xBB\xBF" "a", 40, 0), MC_DOM_CONTROL);           /* BOM */
  CHECK_EQ(mc_dom_text("Nguy\xE1\xBB\x85n \xE2\x80\x94 An", 40, 0), MC_DOM_OK); /* ễ, em dash */
}

static void test_codes(void) {
  CHECK_EQ(mc_dom_citizen_id("042190012345"), MC_DOM_OK);
  CHECK_EQ(mc_dom_citizen_id("183456789"), MC_DOM_OK);
  CHECK_EQ(mc_dom_citizen_id("04219001234"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_citizen_id("04219001234x"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_citizen_id(""), MC_DOM_EMPTY);
  CHECK_EQ(mc_dom_citizen_id("0421900123450421"), MC_DOM_TOO_LONG);
  CHECK_EQ(mc_dom_phone(""), MC_DOM_OK);
  CHECK_EQ(mc_dom_phone("0912345678"), MC_DOM_OK);
  CHECK_EQ(mc_dom_phone("+84912345678"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_phone("0123456789012345"), MC_DOM_TOO_LONG);
  CHECK_EQ(mc_dom_proc_code("1.001776"), MC_DOM_OK);
  CHECK_EQ(mc_dom_proc_code("1.001 776"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_dossier_code("H30.44.02-261129-0001"), MC_DOM_OK);
  CHECK_EQ(mc_dom_dossier_code("H30.44.02-261129-000123456"), MC_DOM_OK);
  CHECK_EQ(mc_dom_dossier_code("H30.44.02-261129-001"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_dossier_code("H30.44.02-26112-0001"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_dossier_code("H30-44.02-261129-0001"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_dossier_code("261129-0001"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_dossier_code(""), MC_DOM_EMPTY);
  CHECK_EQ(mc_dom_idem_key("abcdefgh"), MC_DOM_OK);
  CHECK_EQ(mc_dom_idem_key("abcdefg"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_idem_key("abcdefgh!"), MC_DOM_FORMAT);
}

static void test_statuses(void) {
  int open[] = {0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0};
  for (int s = 1; s <= 10; s++) CHECK_EQ(mc_dom_status_open(s), open[s]);
  CHECK(!mc_dom_status_open(0));
  CHECK(!mc_dom_status_open(11));
  CHECK(!mc_dom_status_open(-1));
  CHECK(mc_dom_status_paused(5) && mc_dom_status_paused(6) && !mc_dom_status_paused(4));
  CHECK_STREQ(mc_dom_status_set_sql(MC_STATUS_OPEN_SET), "1,2,4,5,6");
  CHECK_STREQ(mc_dom_status_set_sql(MC_STATUS_BIT(9) | MC_STATUS_BIT(10)), "9,10");
  CHECK_STREQ(mc_role_name(MC_ROLE_DISTRICT), "district");
  CHECK_EQ(mc_role_parse("admin"), MC_ROLE_ADMIN);
  CHECK_EQ(mc_role_parse("root"), MC_ROLE_NONE);
}

static void test_overdue(void) {
  mc_dom_clock c = {.due_ms = 1000};
  CHECK(!mc_dom_overdue(&c, 999));
  CHECK(!mc_dom_overdue(&c, 1000));
  CHECK(mc_dom_overdue(&c, 1001));
  c.finished_ms = 900; /* finished in time stays on time */
  CHECK(!mc_dom_overdue(&c, 5000));
  c.finished_ms = 0;
  c.paused_ms = 800;   /* paused before the deadline: the clock is stopped */
  CHECK(!mc_dom_overdue(&c, 5000));
  c.paused_ms = 0;
  c.supplement_count = 2; /* a second supplement request is late */
  CHECK(mc_dom_overdue(&c, 10));
  mc_dom_clock none = {0};
  CHECK(!mc_dom_overdue(&none, 1 << 30));
}

/* ListRequest.sort, shared by the server's check and the clients'. */
static void test_list_sort(void) {
  int key = -1, desc = -1;
  CHECK_EQ(mc_dom_list_sort("", &key, &desc), MC_DOM_OK);
  CHECK(key == MC_SORT_RECEIVED && desc == 1); /* default: newest first */
  CHECK_EQ(mc_dom_list_sort(NULL, &key, &desc), MC_DOM_OK);
  CHECK_EQ(mc_dom_list_sort("due", &key, &desc), MC_DOM_OK);
  CHECK(key == MC_SORT_DUE && desc == 0);
  CHECK_EQ(mc_dom_list_sort("-code", &key, &desc), MC_DOM_OK);
  CHECK(key == MC_SORT_CODE && desc == 1);
  CHECK_EQ(mc_dom_list_sort("status", &key, &desc), MC_DOM_OK);
  CHECK(key == MC_SORT_STATUS);
  static const char *const bad[] = {"-", "--due", "Due", "due ", "name", "received,due", "+due"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK_EQ(mc_dom_list_sort(bad[i], &key, &desc), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_unit_code("444"), MC_DOM_OK);
  CHECK_EQ(mc_dom_unit_code("18499"), MC_DOM_OK);
  CHECK_EQ(mc_dom_unit_code(""), MC_DOM_EMPTY);
  CHECK_EQ(mc_dom_unit_code(NULL), MC_DOM_EMPTY);
  CHECK_EQ(mc_dom_unit_code("4-4"), MC_DOM_FORMAT);
  CHECK_EQ(mc_dom_unit_code("1234567890123456"), MC_DOM_TOO_LONG);
}

int main(void) {
  RUN_TEST(test_list_sort);
  RUN_TEST(test_utf8);
  RUN_TEST(test_text);
  RUN_TEST(test_codes);
  RUN_TEST(test_statuses);
  RUN_TEST(test_overdue);
  return check_result();
}
