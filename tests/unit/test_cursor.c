/* Keyset cursors (issue 19, server/rules/cursor.h): what the server
 * writes reads back the same; anything else a peer sends is refused. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cursor.h"
#include "error.h"
#include "validate.h"

static void roundtrip(const mc_cursor *c, const char *want) {
  char text[MC_CURSOR_MAX];
  CHECK_EQ(mc_cursor_encode(c, text), 0);
  if (want != NULL) CHECK_STREQ(text, want);
  mc_cursor back;
  CHECK_EQ(mc_cursor_decode(text, &back), 0);
  CHECK_EQ(back.kind, c->kind);
  CHECK_EQ(back.id, c->id);
  CHECK_EQ(back.key_null, c->key_null);
  if (c->kind == MC_CURSOR_LIST) CHECK(back.sort == c->sort && back.desc == c->desc);
  if (c->kind == MC_CURSOR_LIST && c->sort == MC_SORT_CODE) CHECK_STREQ(back.key_s, c->key_s);
  else if (c->kind != MC_CURSOR_INBOX && !c->key_null) CHECK_EQ(back.key_i, c->key_i);
}

static void test_roundtrips(void) {
  mc_cursor c = {.kind = MC_CURSOR_LIST, .sort = MC_SORT_RECEIVED, .desc = 1, .id = 42,
                 .key_i = 1796058000123456LL};
  roundtrip(&c, "L0d.42.1796058000123456");
  c.sort = MC_SORT_DUE;
  c.desc = 0;
  c.key_null = 1;
  roundtrip(&c, "L1a.42.n");
  c.key_null = 0;
  c.key_i = -5; /* before 1970: still a time */
  roundtrip(&c, "L1a.42.-5");
  c.sort = MC_SORT_STATUS;
  c.key_i = 10;
  c.id = INT64_MAX;
  roundtrip(&c, "L3a.9223372036854775807.10");
  c = (mc_cursor){.kind = MC_CURSOR_LIST, .sort = MC_SORT_CODE, .desc = 1, .id = 7};
  snprintf(c.key_s, sizeof c.key_s, "000.00.18.H22-261206-0001");
  roundtrip(&c, NULL);
  memset(c.key_s, 'Z', MC_LIM_DOSSIER_CODE); /* the longest code fits */
  c.key_s[MC_LIM_DOSSIER_CODE] = '\0';
  roundtrip(&c, NULL);
  c = (mc_cursor){.kind = MC_CURSOR_SEARCH, .id = 3, .key_i = 1};
  roundtrip(&c, "S.3.1");
  c = (mc_cursor){.kind = MC_CURSOR_INBOX, .id = 99};
  roundtrip(&c, "I.99");
  mc_cursor none;
  CHECK_EQ(mc_cursor_decode("", &none), 0);
  CHECK_EQ(none.kind, 0);
  CHECK_EQ(mc_cursor_decode(NULL, &none), 0);
}

static void test_refused(void) {
  static const char *const bad[] = {
      "x", "L", "L0d", "L0d.", "L0d.42", "L0d.42.", "L4d.42.1", "L0x.42.1", "L0d.0.1",
      "L0d.-1.1", "L0d.042.1", "L0d.9223372036854775808.1", "L0d.42.1.2", "L0d.42.n",
      "L0d.42.-0", "L0d.42.01", "L0d.42.999999999999999999999", "L3a.1.0", "L3a.1.11",
      "L3a.1.n", "L2a.1.", "L2a.1.4", "L2a.1.zz", "L2a.1.4G", "L2a.1.20", "L2a.1.0a",
      "S.1", "S.1.n", "S..1", "I.", "I.1.2", "I.abc", "I.1 ", " I.1", "L0d.42.1\n",
      "L0d.42.+1", "L2a.9.48002d31", /* a NUL inside a code (found by fuzz_request) */
      "L2a.9.482031"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    mc_cursor c;
    int rc = mc_cursor_decode(bad[i], &c);
    if (rc == 0) fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
    CHECK_EQ(rc, MC_EINVAL);
    CHECK_EQ(c.kind, 0);
  }
  char big[MC_CURSOR_MAX + 8];
  snprintf(big, sizeof big, "L2a.1.");
  memset(big + 6, '4', sizeof big - 7);
  big[sizeof big - 1] = '\0';
  mc_cursor c;
  CHECK_EQ(mc_cursor_decode(big, &c), MC_EINVAL);
  /* a code longer than the domain's: refused both ways */
  c = (mc_cursor){.kind = MC_CURSOR_LIST, .sort = MC_SORT_CODE, .id = 1};
  char text[MC_CURSOR_MAX];
  CHECK_EQ(mc_cursor_encode(&c, text), MC_EINVAL); /* empty code */
  c.id = 0;
  c.sort = MC_SORT_RECEIVED;
  CHECK_EQ(mc_cursor_encode(&c, text), MC_EINVAL); /* id 0 */
}

static void test_set_key(void) {
  mc_cursor c = {.kind = MC_CURSOR_LIST, .sort = MC_SORT_DUE};
  CHECK_EQ(mc_cursor_set_key(&c, "", 1), 0);
  CHECK(c.key_null);
  c.sort = MC_SORT_RECEIVED;
  CHECK_EQ(mc_cursor_set_key(&c, "", 1), MC_EINVAL);
  CHECK_EQ(mc_cursor_set_key(&c, "1796058000123456", 0), 0);
  char key[MC_LIM_DOSSIER_CODE + 1];
  mc_cursor_key_text(&c, key);
  CHECK_STREQ(key, "1796058000123456");
  c.sort = MC_SORT_CODE;
  CHECK_EQ(mc_cursor_set_key(&c, "ABC-1", 0), 0);
  mc_cursor_key_text(&c, key);
  CHECK_STREQ(key, "ABC-1");
  CHECK_EQ(mc_cursor_set_key(&c, "A B", 0), MC_EINVAL);
  c.sort = MC_SORT_STATUS;
  CHECK_EQ(mc_cursor_set_key(&c, "x", 0), MC_EINVAL);
}

/* The validators take only a cursor of their kind, and a list's only for
 * the same order. */
static void test_validators(void) {
  Motcua__ListRequest l = MOTCUA__LIST_REQUEST__INIT;
  mc_list_fields f;
  const char *field = NULL;
  l.sort = "-received";
  l.after = "L0d.42.1796058000123456";
  CHECK_EQ(mc_val_list(&l, 1000, &f, &field), 0);
  CHECK(f.after.kind == MC_CURSOR_LIST && f.after.id == 42);
  l.sort = "received";
  CHECK_EQ(mc_val_list(&l, 1000, &f, &field), MC_EINVAL);
  CHECK_STREQ(field, "after");
  l.after = "S.1.1";
  CHECK_EQ(mc_val_list(&l, 1000, &f, &field), MC_EINVAL);
  l.after = "";
  CHECK_EQ(mc_val_list(&l, 1000, &f, &field), 0);
  CHECK_EQ(f.after.kind, 0);
  Motcua__SearchRequest s = MOTCUA__SEARCH_REQUEST__INIT;
  char text[MC_SEARCH_MAX];
  int limit;
  mc_cursor after;
  s.text = "nguyen";
  s.after = "S.5.1796058000123456";
  CHECK_EQ(mc_val_search(&s, text, &limit, &after, &field), 0);
  CHECK(after.kind == MC_CURSOR_SEARCH && after.id == 5);
  s.after = "I.5";
  CHECK_EQ(mc_val_search(&s, text, &limit, &after, &field), MC_EINVAL);
  Motcua__InboxRequest in = MOTCUA__INBOX_REQUEST__INIT;
  in.after = "I.5";
  CHECK_EQ(mc_val_inbox(&in, &limit, &after, &field), 0);
  CHECK_EQ(limit, 200);
  in.mark_read = 1; /* reading takes the oldest unread: no cursor */
  CHECK_EQ(mc_val_inbox(&in, &limit, &after, &field), MC_EINVAL);
  in.mark_read = 0;
  in.after = "L0d.1.1";
  CHECK_EQ(mc_val_inbox(&in, &limit, &after, &field), MC_EINVAL);
}

int main(void) {
  RUN_TEST(test_roundtrips);
  RUN_TEST(test_refused);
  RUN_TEST(test_set_key);
  RUN_TEST(test_validators);
  return check_result();
}
