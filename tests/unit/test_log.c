/* common/log.c: what a peer's string can and cannot do to a log line (W4). */
#include <string.h>

#include "check.h"
#include "log.h"

static void test_scrub(void) {
  char s[] = "evil\x1b[2J\x1b]0;pwned\x07-1.0\nnext\tcol\x7f";
  mc_log_scrub(s, strlen(s));
  CHECK_STREQ(s, "evil?[2J?]0;pwned?-1.0 next col?");
  char u[] = "Nguy\xe1\xbb\x85n"; /* UTF-8 is left alone */
  mc_log_scrub(u, strlen(u));
  CHECK_STREQ(u, "Nguy\xe1\xbb\x85n");
}

static void test_quote(void) {
  char q[16];
  CHECK_STREQ(mc_log_quote(q, sizeof q, "a\" role=admin"), "a' role=admin");
  CHECK_STREQ(mc_log_quote(q, sizeof q, "back\\slash"), "back'slash");
  CHECK_STREQ(mc_log_quote(q, sizeof q, NULL), "");
  CHECK_STREQ(mc_log_quote(q, 4, "abcdef"), "abc");
  /* cut on a character boundary: "ễ" is 3 bytes */
  CHECK_STREQ(mc_log_quote(q, 6, "Nguy\xe1\xbb\x85n"), "Nguy");
  CHECK_STREQ(mc_log_quote(q, 8, "Nguy\xe1\xbb\x85n"), "Nguy\xe1\xbb\x85");
}

int main(void) {
  RUN_TEST(test_scrub);
  RUN_TEST(test_quote);
  return check_result();
}
