/* The help test (issue 14, item 7): walk the command table; for every
 * command, run its parser on a few argument shapes ending in an unknown
 * option, recording every option name the parser compares an argument
 * with (cli_opt_probe) -- that is, the options it accepts -- and check
 * that the command's --help (both languages) lists each of them, and that
 * the top-level help names every command. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "commands.h"
#include "messages.h"

static const char *const globals[] = {"--json", "--help", "-h", "--config", "-c",
                                      "--lang", "--officer"};

static int is_global(const char *name) {
  for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
    if (strcmp(globals[i], name) == 0) return 1;
  return 0;
}

/* name as a whole token of text ("--to" is not found in "--total"). */
static int has_token(const char *text, const char *name) {
  size_t n = strlen(name);
  for (const char *p = strstr(text, name); p != NULL; p = strstr(p + 1, name)) {
    int before = p == text || !(p[-1] == '-' || (p[-1] >= 'a' && p[-1] <= 'z'));
    char a = p[n];
    int after = !(a == '-' || (a >= 'a' && a <= 'z') || (a >= '0' && a <= '9'));
    if (before && after) return 1;
  }
  return 0;
}

/* Every option the parser of cmd accepts, over several argument shapes. */
static void probe_command(const cli_command *cmd, cli_opt_probe *p) {
  static const char *const shapes[][4] = {
      {"--zz-probe"},
      {"H15.50.05.13-261008-0975", "--zz-probe"},
      {"list", "--zz-probe"},
      {"add", "2026-09-02", "--zz-probe"},
      {"remove", "2026-09-02", "--zz-probe"},
      {"set", "--zz-probe"},
  };
  cli_opt_probe_set(p);
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    char *argv[4] = {0};
    int argc = 0;
    while (argc < 4 && shapes[s][argc] != NULL) {
      argv[argc] = (char *)shapes[s][argc];
      argc++;
    }
    cli c;
    memset(&c, 0, sizeof c);
    c.cmd = cmd;
    c.lang = MC_LANG_VI;
    c.officer = "Nguyễn Văn A";
    cmd->parse(&c, argc, argv);
  }
  cli_opt_probe_set(NULL);
}

static void test_every_option_in_help(void) {
  size_t n;
  const cli_command *t = cli_commands(&n);
  FILE *saved = stderr;
  CHECK(n > 20);
  for (size_t i = 0; i < n; i++) {
    cli_opt_probe p = {0};
    stderr = fopen("/dev/null", "w"); /* the parsers' usage errors */
    probe_command(&t[i], &p);
    fclose(stderr);
    stderr = saved;
    for (size_t k = 0; k < p.n; k++) {
      if (is_global(p.names[k])) continue;
      for (int lang = 0; lang < 2; lang++) {
        int ok = has_token(mc_msg(lang, t[i].usage), p.names[k]);
        CHECK(ok);
        if (!ok)
          fprintf(stderr, "  %s --help (%s) does not list %s\n", t[i].name,
                  lang == MC_LANG_VI ? "vi" : "en", p.names[k]);
      }
    }
  }
}

static void test_every_command_in_help(void) {
  size_t n;
  const cli_command *t = cli_commands(&n);
  for (size_t i = 0; i < n; i++)
    for (int lang = 0; lang < 2; lang++) {
      int ok = has_token(mc_msg(lang, MSG_USAGE), t[i].name);
      CHECK(ok);
      if (!ok) fprintf(stderr, "  motcua --help (%d) does not name %s\n", lang, t[i].name);
      CHECK(mc_msg(lang, t[i].usage)[0] != '\0');
    }
}

/* The probe itself sees the options: receive takes --file and --channel. */
static void test_probe_sees_options(void) {
  size_t n;
  const cli_command *t = cli_commands(&n), *receive = NULL;
  for (size_t i = 0; i < n; i++)
    if (strcmp(t[i].name, "receive") == 0) receive = &t[i];
  CHECK_FATAL(receive != NULL);
  cli_opt_probe p = {0};
  FILE *saved = stderr;
  stderr = fopen("/dev/null", "w");
  probe_command(receive, &p);
  fclose(stderr);
  stderr = saved;
  int file = 0, channel = 0;
  for (size_t k = 0; k < p.n; k++) {
    file |= strcmp(p.names[k], "--file") == 0;
    channel |= strcmp(p.names[k], "--channel") == 0;
  }
  CHECK(file);
  CHECK(channel);
}

int main(void) {
  RUN_TEST(test_probe_sees_options);
  RUN_TEST(test_every_option_in_help);
  RUN_TEST(test_every_command_in_help);
  return check_result();
}
