/* login / logout / passwd. A password comes from a file of mode 0600
 * (--password-file), the MOTCUA_PASSWORD environment variable (login
 * only), or the terminal without echo; never from an argument (ps shows
 * those). Buffers holding one are wiped before returning. */
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "officer.h"
#include "session_cmd.h"

#define PW_MAX (MC_LIM_PASSWORD + 2)

/* ---- arguments ------------------------------------------------------------ */

static int password_opts(cli *c, int argc, char **argv, int *i, int with_new) {
  const char *v = NULL;
  int r;
  if ((r = cli_opt_value(argc, argv, i, "--password-file", &v)) != 0)
    return r < 0 ? cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--password-file")
                 : (c->password_file = v, EXIT_OK_);
  if (with_new && (r = cli_opt_value(argc, argv, i, "--new-password-file", &v)) != 0)
    return r < 0 ? cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--new-password-file")
                 : (c->new_password_file = v, EXIT_OK_);
  return -1;
}

int cli_parse_login(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    int rc = password_opts(c, argc, argv, &i, 0);
    if (rc >= 0) {
      if (rc != EXIT_OK_) return rc;
      continue;
    }
    if (argv[i][0] == '-') return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    if (c->login_name != NULL) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[i]);
    c->login_name = argv[i];
  }
  return EXIT_OK_;
}

int cli_parse_logout(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (cli_flag(argv[i], "--all")) c->all = 1;
    else if (argv[i][0] == '-') return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    else return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[i]);
  }
  return EXIT_OK_;
}

int cli_parse_passwd(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    int rc = password_opts(c, argc, argv, &i, 1);
    if (rc >= 0) {
      if (rc != EXIT_OK_) return rc;
      continue;
    }
    if (argv[i][0] == '-') return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[i]);
  }
  return EXIT_OK_;
}

/* ---- reading secrets -------------------------------------------------------- */

static void chomp(char *s) { s[strcspn(s, "\r\n")] = '\0'; }

/* The first line of a regular file readable by its owner only. 0 or -1. */
static int read_file_line(const char *path, char *out, size_t size) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0) return -1;
  int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0;
  ssize_t n = ok ? read(fd, out, size - 1) : -1;
  close(fd);
  if (n <= 0) return -1;
  out[n] = '\0';
  chomp(out);
  return out[0] != '\0' ? 0 : -1;
}

/* A line from the terminal without echo (stdin when it is not a terminal:
 * a script's pipe). 0 or -1. */
static int read_secret(int lang, enum mc_msg prompt, char *out, size_t size) {
  struct termios old, quiet;
  int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    fputs(mc_msg(lang, prompt), stderr);
    fflush(stderr);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  char *got = fgets(out, (int)size, stdin);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
  }
  if (got == NULL) return -1;
  chomp(out);
  return out[0] != '\0' ? 0 : -1;
}

static int get_password(cli *c, const char *file, int env_ok, enum mc_msg prompt, char *out,
                        size_t size) {
  const char *env = env_ok ? getenv("MOTCUA_PASSWORD") : NULL;
  if (file != NULL) return read_file_line(file, out, size);
  if (env != NULL && env[0] != '\0') return snprintf(out, size, "%s", env) < (int)size ? 0 : -1;
  return read_secret(c->lang, prompt, out, size);
}

/* ---- running ------------------------------------------------------------------ */

static json_t *officer_json(const mc_client_officer *o) {
  json_t *roles = json_array();
  for (int r = 1; r <= 4; r++)
    if (o->roles & (1u << r)) json_array_append_new(roles, json_string(mc_off_role_name(r)));
  return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:b}", "login", o->login, "full_name",
                   o->full_name, "title", o->title, "unit", o->unit, "roles", roles,
                   "expires_at", mc_render_time_json(o->expires_at_ms), "must_change_password",
                   o->must_change);
}

static int print_officer(cli *c, const mc_client_officer *o, enum mc_msg headline) {
  char when[64];
  if (c->json) return cli_emit_json(officer_json(o), 0) ? EXIT_CONNECT : EXIT_OK_;
  cli_time_text(o->expires_at_ms, c->lang, when, sizeof when);
  printf("%s: %s (%s)%s%s\n", mc_msg(c->lang, headline), o->full_name, o->login,
         o->title[0] ? ", " : "", o->title);
  printf("%s: %s\n", mc_msg(c->lang, MSG_SESSION_UNTIL), when);
  if (o->must_change) printf("%s\n", mc_msg(c->lang, MSG_MUST_CHANGE));
  return EXIT_OK_;
}

static int login_name(cli *c, char *buf, size_t size) {
  const char *env = getenv("MOTCUA_LOGIN");
  if (c->login_name != NULL) return snprintf(buf, size, "%s", c->login_name) < (int)size ? 0 : -1;
  if (env != NULL && env[0] != '\0') return snprintf(buf, size, "%s", env) < (int)size ? 0 : -1;
  if (isatty(STDIN_FILENO)) {
    fputs(mc_msg(c->lang, MSG_PROMPT_LOGIN), stderr);
    if (fgets(buf, (int)size, stdin) == NULL) return -1;
    chomp(buf);
    return buf[0] ? 0 : -1;
  }
  return -1;
}

int cli_run_login(cli *c) {
  char login[64], pw[PW_MAX];
  mc_client_officer o;
  mc_client_error e = {0};
  if (login_name(c, login, sizeof login) != 0)
    return cli_fail(c, EXIT_USAGE, MC_EINVAL, mc_msg(c->lang, MSG_ERR_NEED_LOGIN_NAME), NULL);
  if (get_password(c, c->password_file, 1, MSG_PROMPT_PASSWORD, pw, sizeof pw) != 0)
    return cli_fail(c, EXIT_USAGE, MC_EINVAL, mc_msg(c->lang, MSG_ERR_PASSWORD_READ), NULL);
  int rc = mc_client_login(c->client, login, pw, &o, &e);
  OPENSSL_cleanse(pw, sizeof pw);
  if (rc != MC_OK) return cli_report(c, &e);
  return print_officer(c, &o, MSG_LOGGED_IN);
}

int cli_run_logout(cli *c) {
  mc_client_error e = {0};
  int rc = mc_client_logout(c->client, c->all, &e);
  if (rc != MC_OK) return cli_report(c, &e);
  if (c->json) return cli_emit_json(json_pack("{s:b}", "logged_out", 1), 0) ? EXIT_CONNECT : 0;
  printf("%s\n", mc_msg(c->lang, MSG_LOGGED_OUT));
  return EXIT_OK_;
}

/* The new password: its file, or typed twice. 0 or an exit code. */
static int new_password(cli *c, char *pw, size_t size) {
  char again[PW_MAX];
  if (c->new_password_file != NULL)
    return read_file_line(c->new_password_file, pw, size) == 0
               ? 0
               : cli_fail(c, EXIT_USAGE, MC_EINVAL, mc_msg(c->lang, MSG_ERR_PASSWORD_READ), NULL);
  if (read_secret(c->lang, MSG_PROMPT_NEW_PASSWORD, pw, size) != 0 ||
      read_secret(c->lang, MSG_PROMPT_NEW_AGAIN, again, sizeof again) != 0)
    return cli_fail(c, EXIT_USAGE, MC_EINVAL, mc_msg(c->lang, MSG_ERR_PASSWORD_READ), NULL);
  int same = strcmp(pw, again) == 0;
  OPENSSL_cleanse(again, sizeof again);
  return same ? 0
              : cli_fail(c, EXIT_USAGE, MC_EINVAL, mc_msg(c->lang, MSG_ERR_PASSWORDS_DIFFER), NULL);
}

int cli_run_passwd(cli *c) {
  char old[PW_MAX], pw[PW_MAX];
  mc_client_officer o;
  mc_client_error e = {0};
  if (get_password(c, c->password_file, 0, MSG_PROMPT_OLD_PASSWORD, old, sizeof old) != 0)
    return cli_fail(c, EXIT_USAGE, MC_EINVAL, mc_msg(c->lang, MSG_ERR_PASSWORD_READ), NULL);
  int rc = new_password(c, pw, sizeof pw);
  if (rc == 0) {
    rc = mc_client_passwd(c->client, old, pw, &o, &e) == MC_OK ? print_officer(c, &o, MSG_PASSWORD_CHANGED)
                                                              : cli_report(c, &e);
  }
  OPENSSL_cleanse(old, sizeof old);
  OPENSSL_cleanse(pw, sizeof pw);
  return rc;
}
