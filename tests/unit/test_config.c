/* Unit tests for the table-driven configuration (common/config.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "error.h"

typedef struct tconf {
  char host[16];
  long port;
  int verbose;
  char path[64];
  long delta;
  int enabled;
} tconf;

static const mc_option tab[] = {
    MC_OPT_S("server", "host", "127.0.0.1", tconf, host, "listen host"),
    MC_OPT_I("server", "port", "7443", 1, 65535, tconf, port, "listen port"),
    MC_OPT_B("server", "verbose", "no", tconf, verbose, "chatty logs"),
    MC_OPT_S("files", "path", NULL, tconf, path, "a path"),
    MC_OPT_I("files", "delta", "-3", -10, 10, tconf, delta, "signed"),
    MC_OPT_B("files", "enabled", "true", tconf, enabled, "switch"),
    {NULL, NULL, MC_OPT_STR, NULL, 0, 0, 0, NULL},
};

static char err[256];

static void fresh(tconf *c) {
  memset(c, 0x5a, sizeof *c); /* garbage first: defaults must set everything */
  err[0] = 0;
  int rc = mc_config_defaults(tab, c, err, sizeof err);
  CHECK_EQ(rc, 0);
}

static void test_defaults(void) {
  tconf c;
  fresh(&c);
  CHECK_STREQ(c.host, "127.0.0.1");
  CHECK_EQ(c.port, 7443);
  CHECK_EQ(c.verbose, 0);
  CHECK_STREQ(c.path, "");
  CHECK_EQ(c.delta, -3);
  CHECK_EQ(c.enabled, 1);
}

static int set(tconf *c, const char *name, const char *value) {
  err[0] = 0;
  int rc = mc_config_set(tab, c, name, value, err, sizeof err);
  if (rc != 0) {
    CHECK_EQ(rc, MC_ECONFIG);
    CHECK(err[0] != '\0'); /* a failure always explains itself */
  }
  return rc;
}

static void test_set_int(void) {
  tconf c;
  fresh(&c);
  CHECK_EQ(set(&c, "port", "8443"), 0);
  CHECK_EQ(c.port, 8443);
  CHECK_EQ(set(&c, "port", "1"), 0); /* bounds are inclusive */
  CHECK_EQ(c.port, 1);
  CHECK_EQ(set(&c, "port", "65535"), 0);
  CHECK_EQ(c.port, 65535);
  CHECK(set(&c, "port", "0") != 0);
  CHECK(set(&c, "port", "65536") != 0);
  CHECK(set(&c, "port", "-1") != 0);
  CHECK(set(&c, "port", "99999999999999999999999") != 0);
  CHECK(set(&c, "port", "abc") != 0);
  CHECK(set(&c, "port", "12abc") != 0);
  CHECK(set(&c, "port", "") != 0);
  CHECK_EQ(c.port, 65535); /* a refused value leaves the old one */
  CHECK_EQ(set(&c, "delta", "-10"), 0);
  CHECK_EQ(c.delta, -10);
  CHECK(set(&c, "delta", "-11") != 0);
  CHECK(set(&c, "delta", "11") != 0);
}

static void test_set_str(void) {
  tconf c;
  fresh(&c);
  /* host is char[16]: 15 chars + NUL fit, 16 do not */
  CHECK_EQ(set(&c, "host", "123456789012345"), 0);
  CHECK_STREQ(c.host, "123456789012345");
  CHECK(set(&c, "host", "1234567890123456") != 0);
  CHECK(set(&c, "host", "a-very-long-host-name.example.org") != 0);
  CHECK_STREQ(c.host, "123456789012345");
  CHECK_EQ(set(&c, "host", ""), 0);
  CHECK_STREQ(c.host, "");
}

static void test_set_bool(void) {
  static const char *yes[] = {"true", "yes", "1"};
  static const char *no[] = {"false", "no", "0"};
  tconf c;
  fresh(&c);
  for (size_t i = 0; i < 3; i++) {
    c.verbose = 0;
    CHECK_EQ(set(&c, "verbose", yes[i]), 0);
    CHECK_EQ(c.verbose, 1);
    CHECK_EQ(set(&c, "verbose", no[i]), 0);
    CHECK_EQ(c.verbose, 0);
  }
  CHECK(set(&c, "verbose", "maybe") != 0);
  CHECK(set(&c, "verbose", "2") != 0);
  CHECK(set(&c, "verbose", "") != 0);
  CHECK_EQ(c.verbose, 0);
}

static void test_unknown(void) {
  tconf c;
  fresh(&c);
  CHECK(set(&c, "no_such_option", "1") != 0);
  CHECK(strstr(err, "no_such_option") != NULL);
}

static int write_file(char *path, const char *text) {
  strcpy(path, "/tmp/mc_test_config_XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  size_t n = strlen(text);
  int ok = write(fd, text, n) == (ssize_t)n;
  close(fd);
  return ok ? 0 : -1;
}

static void test_load(void) {
  char path[64];
  tconf c;
  fresh(&c);
  CHECK_FATAL(write_file(path,
                         "; comment\n"
                         "# another comment\n"
                         "[server]\n"
                         "host = 10.0.0.1\n"
                         "port=9000\n"
                         "\n"
                         "[files]\n"
                         "path = /etc/motcua/x.pem\n"
                         "enabled = false\n") == 0);
  err[0] = 0;
  CHECK_EQ(mc_config_load(tab, &c, path, err, sizeof err), 0);
  CHECK_STREQ(c.host, "10.0.0.1");
  CHECK_EQ(c.port, 9000);
  CHECK_EQ(c.verbose, 0); /* untouched: default kept */
  CHECK_EQ(c.delta, -3);
  CHECK_EQ(c.enabled, 0);
  CHECK(strstr(c.path, "x.pem") != NULL);
  unlink(path);
}

static void load_must_fail(const char *text, const char *must_mention) {
  char path[64];
  tconf c;
  fresh(&c);
  CHECK_FATAL(write_file(path, text) == 0);
  err[0] = 0;
  int rc = mc_config_load(tab, &c, path, err, sizeof err);
  CHECK_EQ(rc, MC_ECONFIG);
  CHECK(err[0] != '\0');
  if (must_mention != NULL && strstr(err, must_mention) == NULL) {
    fprintf(stderr, "  error \"%s\" does not mention \"%s\"\n", err, must_mention);
    CHECK(strstr(err, must_mention) != NULL);
  }
  unlink(path);
}

static void test_load_errors(void) {
  load_must_fail("[server]\nhots = 1.2.3.4\n", "hots");          /* typo'd key */
  load_must_fail("[servre]\nhost = 1.2.3.4\n", NULL);            /* unknown section */
  load_must_fail("[server]\nport = 70000\n", NULL);              /* out of bounds */
  load_must_fail("[server]\nport = seven\n", NULL);              /* not a number */
  load_must_fail("[server]\nhost = 1234567890abcdefghij\n", NULL); /* too long */
  load_must_fail("[server]\nverbose = perhaps\n", NULL);         /* bad bool */
  /* a line inih would cut in two (its tail read as another key) */
  {
    char text[400];
    snprintf(text, sizeof text, "[server]\n# %0197d\nhost = a\n", 0); /* 199 bytes */
    load_must_fail(text, ":2: line longer than");
  }
  /* a missing file is an error too */
  tconf c;
  fresh(&c);
  err[0] = 0;
  CHECK_EQ(mc_config_load(tab, &c, "/nonexistent/dir/motcua.conf", err, sizeof err),
           MC_ECONFIG);
  CHECK(err[0] != '\0');
}

/* The longest line inih reads whole (198 bytes) still loads. */
static void test_load_longest_line(void) {
  char path[64], text[400];
  tconf c;
  fresh(&c);
  snprintf(text, sizeof text, "[server]\n# %0196d\nhost = b\n", 0); /* 198 bytes */
  CHECK_FATAL(write_file(path, text) == 0);
  CHECK_EQ(mc_config_load(tab, &c, path, err, sizeof err), 0);
  unlink(path);
}

static void test_args(void) {
  tconf c;
  fresh(&c);
  char a0[] = "prog", a1[] = "--port=8001", a2[] = "-c", a3[] = "file.conf",
       a4[] = "--host=h.example", a5[] = "ping", a6[] = "--json",
       a7[] = "--verbose=yes", a8[] = "extra";
  char *argv[] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, NULL};
  int argc = 9;
  err[0] = 0;
  CHECK_EQ(mc_config_args(tab, &c, &argc, argv, err, sizeof err), 0);
  CHECK_EQ(c.port, 8001);
  CHECK_STREQ(c.host, "h.example");
  CHECK_EQ(c.verbose, 1);
  CHECK_EQ(argc, 6);
  if (argc == 6) {
    CHECK_STREQ(argv[0], "prog");
    CHECK_STREQ(argv[1], "-c");
    CHECK_STREQ(argv[2], "file.conf");
    CHECK_STREQ(argv[3], "ping");
    CHECK_STREQ(argv[4], "--json");
    CHECK_STREQ(argv[5], "extra");
  }
  CHECK(argv[argc] == NULL); /* still NULL-terminated */

  /* a bad value in an override is an error */
  fresh(&c);
  char b0[] = "prog", b1[] = "--port=0";
  char *bv[] = {b0, b1, NULL};
  int bc = 2;
  err[0] = 0;
  CHECK_EQ(mc_config_args(tab, &c, &bc, bv, err, sizeof err), MC_ECONFIG);
  CHECK(err[0] != '\0');
  CHECK_EQ(c.port, 7443);

  /* no options at all: nothing changes */
  fresh(&c);
  char d0[] = "prog", d1[] = "list";
  char *dv[] = {d0, d1, NULL};
  int dc = 2;
  CHECK_EQ(mc_config_args(tab, &c, &dc, dv, err, sizeof err), 0);
  CHECK_EQ(dc, 2);
  CHECK_STREQ(dv[1], "list");
}

int main(void) {
  RUN_TEST(test_defaults);
  RUN_TEST(test_set_int);
  RUN_TEST(test_set_str);
  RUN_TEST(test_set_bool);
  RUN_TEST(test_unknown);
  RUN_TEST(test_load);
  RUN_TEST(test_load_errors);
  RUN_TEST(test_load_longest_line);
  RUN_TEST(test_args);
  return check_result();
}
