#include "officer.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "domain.h"
#include "fold.h"
#include "error.h"

int mc_off_login_ok(const char *s) {
  if (s == NULL) return 0;
  size_t n = strnlen(s, MC_LIM_LOGIN + 1);
  if (n < MC_LIM_LOGIN_MIN || n > MC_LIM_LOGIN) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

static const char *const role_names[] = {NULL, "receiving", "processing", "leader",
                                         "unit_admin"};

int mc_off_role_parse(const char *name) {
  for (int i = 1; i <= 4; i++)
    if (name != NULL && strcmp(name, role_names[i]) == 0) return i;
  return 0;
}

const char *mc_off_role_name(int role) { return role >= 1 && role <= 4 ? role_names[role] : NULL; }

unsigned mc_off_roles_parse(const char *csv, const char **bad) {
  unsigned mask = 0;
  char word[16];
  *bad = NULL;
  for (const char *p = csv != NULL ? csv : ""; *p != '\0';) {
    size_t n = strcspn(p, ",");
    int role = 0;
    if (n > 0 && n < sizeof word) {
      memcpy(word, p, n);
      word[n] = '\0';
      role = mc_off_role_parse(word);
    }
    if (role == 0) return *bad = "", 0;
    mask |= 1u << role;
    p += n;
    if (*p == ',') p++;
  }
  return mask;
}

char *mc_off_roles_text(unsigned mask, char *out, size_t size) {
  size_t o = 0;
  if (size == 0) return out;
  out[0] = '\0';
  for (int i = 1; i <= 4; i++) {
    if (!(mask & (1u << i))) continue;
    int w = snprintf(out + o, size - o, "%s%s", o ? "," : "", role_names[i]);
    if (w < 0 || (size_t)w >= size - o) break;
    o += (size_t)w;
  }
  return out;
}

/* ---- folding ------------------------------------------------------------ */

size_t mc_off_fold(const char *in, char *out, size_t size) { return mc_fold(in, out, size); }

/* ---- the policy --------------------------------------------------------- */

#define FOLD_MAX (MC_LIM_PASSWORD + 1)

static size_t code_points(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xC0) != 0x80) n++;
  return n;
}

/* 1 if the folded password contains the folded word (words under 4 bytes
 * only when whole, i.e. a login or code of 3). */
static int contains(const char *fpw, const char *word, size_t min) {
  char f[FOLD_MAX];
  size_t n = mc_off_fold(word, f, sizeof f);
  return n >= min && strstr(fpw, f) != NULL;
}

/* Each space-separated word of name (4 folded bytes or more), and the
 * whole name without spaces. */
static int contains_name(const char *fpw, const char *name) {
  char f[FOLD_MAX], joined[FOLD_MAX];
  size_t j = 0;
  mc_off_fold(name, f, sizeof f);
  char *save = NULL;
  for (char *w = strtok_r(f, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
    if (strlen(w) >= 4 && strstr(fpw, w) != NULL) return 1;
    size_t n = strlen(w);
    if (j + n < sizeof joined) memcpy(joined + j, w, n), j += n;
  }
  joined[j] = '\0';
  return j >= 4 && strstr(fpw, joined) != NULL;
}

int mc_off_password_check(const char *pw, const mc_off_pw_ctx *ctx, const char **rule) {
  char fpw[FOLD_MAX];
  size_t n = pw != NULL ? strnlen(pw, MC_LIM_PASSWORD + 1) : 0;
  if (n > MC_LIM_PASSWORD) return *rule = "password.long", MC_EWEAKPW;
  if (!mc_dom_utf8(pw != NULL ? pw : "", n)) return *rule = "password.utf8", MC_EWEAKPW;
  if (n == 0 || code_points(pw) < MC_LIM_PASSWORD_MIN)
    return *rule = "password.length", MC_EWEAKPW;
  mc_off_fold(pw, fpw, sizeof fpw);
  if (ctx->login != NULL && contains(fpw, ctx->login, 1))
    return *rule = "password.login", MC_EWEAKPW;
  if (ctx->full_name != NULL && contains_name(fpw, ctx->full_name))
    return *rule = "password.name", MC_EWEAKPW;
  if ((ctx->unit_name != NULL && contains_name(fpw, ctx->unit_name)) ||
      (ctx->unit_code != NULL && contains(fpw, ctx->unit_code, 3)))
    return *rule = "password.unit", MC_EWEAKPW;
  if (ctx->old_password != NULL && strcmp(pw, ctx->old_password) == 0)
    return *rule = "password.same", MC_EWEAKPW;
  return 0;
}
