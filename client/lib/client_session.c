/* The officer session on the desk (motcua_client.h "officer session"): the
 * session file and the login / logout / passwd calls. Never prints, never
 * logs a password or a token. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "motcua_client.h"
#include "outbox.h"

int mc_client_session_path(const mc_client_config *cfg, char *path, size_t size, char *err,
                           size_t errlen) {
  char unit[64];
  if (cfg->session[0] != '\0') {
    int n = snprintf(path, size, "%s", cfg->session);
    return n >= 0 && (size_t)n < size ? MC_OK : MC_ECONFIG;
  }
  int rc = mc_outbox_cert_unit(cfg->cert, unit, sizeof unit, err, errlen);
  if (rc != MC_OK) return rc;
  int n = snprintf(path, size, "%s/session-%s.token", cfg->config_dir[0] ? cfg->config_dir : ".",
                   unit);
  if (n < 0 || (size_t)n >= size) {
    snprintf(err, errlen, "session path too long");
    return MC_ECONFIG;
  }
  return MC_OK;
}

/* The file: the token, a newline, the officer's login, a newline (files
 * written before the login was kept have the first line only). */
int mc_client_session_read_officer(const mc_client_config *cfg,
                                   char token[MC_CLIENT_TOKEN_MAX + 1],
                                   char login[MC_CLIENT_LOGIN_MAX + 1]) {
  char path[MC_CLIENT_PATH_MAX], err[256], buf[MC_CLIENT_TOKEN_MAX + MC_CLIENT_LOGIN_MAX + 3];
  struct stat st;
  token[0] = '\0';
  if (login != NULL) login[0] = '\0';
  if (mc_client_session_path(cfg, path, sizeof path, err, sizeof err) != MC_OK) return MC_OK;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return MC_OK;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0) {
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    size_t t = strcspn(buf, "\r\n");
    if (t <= MC_CLIENT_TOKEN_MAX) {
      memcpy(token, buf, t);
      token[t] = '\0';
      const char *l = buf + t + strspn(buf + t, "\r\n");
      size_t ln = strcspn(l, "\r\n");
      if (login != NULL && ln <= MC_CLIENT_LOGIN_MAX) {
        memcpy(login, l, ln);
        login[ln] = '\0';
      }
    }
    OPENSSL_cleanse(buf, sizeof buf);
  }
  close(fd);
  return MC_OK;
}

int mc_client_session_read(const mc_client_config *cfg, char token[MC_CLIENT_TOKEN_MAX + 1]) {
  return mc_client_session_read_officer(cfg, token, NULL);
}

/* path.tmp (0600) -> fsync -> rename: a reader sees the old or the new. */
static int write_atomic(const char *path, const char *token, const char *login) {
  char tmp[MC_CLIENT_PATH_MAX + 8];
  int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (n < 0 || (size_t)n >= sizeof tmp) return MC_EIO;
  unlink(tmp);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return MC_EIO;
  size_t len = strlen(token), llen = strlen(login);
  int ok = fchmod(fd, 0600) == 0 && write(fd, token, len) == (ssize_t)len &&
           write(fd, "\n", 1) == 1 && write(fd, login, llen) == (ssize_t)llen &&
           write(fd, "\n", 1) == 1 && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    unlink(tmp);
    return MC_EIO;
  }
  return MC_OK;
}

int mc_client_session_write(const mc_client_config *cfg, const char *token, const char *login) {
  char path[MC_CLIENT_PATH_MAX], err[256];
  if (mc_client_session_path(cfg, path, sizeof path, err, sizeof err) != MC_OK) return MC_EIO;
  if (token == NULL) return unlink(path) == 0 || errno == ENOENT ? MC_OK : MC_EIO;
  if (login == NULL || strlen(login) > MC_CLIENT_LOGIN_MAX || strpbrk(login, "\r\n") != NULL)
    login = "";
  return write_atomic(path, token, login);
}

/* ---- calls ------------------------------------------------------------------ */

static const mc_client_config *config_of(mc_client *c) { return mc_client_config_of(c); }

static void officer_from(mc_client_officer *out, const Motcua__LoginReply *r) {
  memset(out, 0, sizeof *out);
  const Motcua__Officer *o = r->officer;
  if (o != NULL) {
    snprintf(out->login, sizeof out->login, "%s", o->login ? o->login : "");
    snprintf(out->full_name, sizeof out->full_name, "%s", o->full_name ? o->full_name : "");
    snprintf(out->title, sizeof out->title, "%s", o->title ? o->title : "");
    snprintf(out->unit, sizeof out->unit, "%s", o->unit_code ? o->unit_code : "");
    for (size_t i = 0; i < o->n_roles; i++)
      if (o->roles[i] >= 1 && o->roles[i] <= 4) out->roles |= 1u << o->roles[i];
  }
  out->expires_at_ms = r->expires_at_ms;
  out->must_change = r->must_change_password;
}

/* Call req, want a LoginReply; on a token, keep it. */
static int login_call(mc_client *c, Motcua__Envelope *req, mc_client_officer *out,
                      mc_client_error *err) {
  Motcua__Envelope *rep = NULL;
  int rc = mc_client_call(c, req, &rep, err);
  if (rc != MC_OK) return rc;
  if (rep->body_case != MOTCUA__ENVELOPE__BODY_LOGIN_REPLY || rep->login_reply->token == NULL ||
      strlen(rep->login_reply->token) > MC_CLIENT_TOKEN_MAX) {
    mc_envelope_free(rep);
    return mc_client_error_set(err, MC_EPROTO, "proto", NULL, "unexpected reply to a login");
  }
  const Motcua__LoginReply *lr = rep->login_reply;
  mc_client_officer who;
  officer_from(&who, lr);
  if (out != NULL) *out = who;
  mc_client_set_token(c, lr->token);
  mc_client_set_officer(c, who.login);
  rc = mc_client_keeps_session_file(c)
           ? mc_client_session_write(config_of(c), lr->token, who.login)
           : MC_OK;
  OPENSSL_cleanse(lr->token, strlen(lr->token));
  mc_envelope_free(rep);
  if (rc != MC_OK)
    return mc_client_error_set(err, MC_EIO, "session_file", NULL, "cannot write the session file");
  return MC_OK;
}

int mc_client_login(mc_client *c, const char *login, const char *password,
                    mc_client_officer *out, mc_client_error *err) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__LoginRequest q = MOTCUA__LOGIN_REQUEST__INIT;
  q.login = (char *)login;
  q.password = (char *)password;
  req.body_case = MOTCUA__ENVELOPE__BODY_LOGIN;
  req.login = &q;
  req.session_token = ""; /* a login carries no old session */
  return login_call(c, &req, out, err);
}

int mc_client_passwd(mc_client *c, const char *old_password, const char *new_password,
                     mc_client_officer *out, mc_client_error *err) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__PasswordRequest q = MOTCUA__PASSWORD_REQUEST__INIT;
  q.old_password = (char *)old_password;
  q.new_password = (char *)new_password;
  req.body_case = MOTCUA__ENVELOPE__BODY_PASSWORD;
  req.password = &q;
  return login_call(c, &req, out, err);
}

int mc_client_logout(mc_client *c, int all, mc_client_error *err) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep = NULL;
  Motcua__LogoutRequest q = MOTCUA__LOGOUT_REQUEST__INIT;
  mc_client_error e = {0};
  q.all_sessions = all != 0;
  req.body_case = MOTCUA__ENVELOPE__BODY_LOGOUT;
  req.logout = &q;
  int rc = mc_client_call(c, &req, &rep, &e);
  mc_envelope_free(rep);
  if (rc == MC_OK || (e.refused && rc == MC_ELOGIN)) { /* ended here, or already over */
    mc_client_set_token(c, NULL);
    if (mc_client_keeps_session_file(c) && mc_client_session_write(config_of(c), NULL, NULL) != MC_OK)
      return mc_client_error_set(err, MC_EIO, "session_file", NULL,
                                 "cannot remove the session file");
    return MC_OK;
  }
  if (err != NULL) *err = e;
  return rc;
}
