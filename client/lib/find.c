/* Accent-insensitive procedure search and dossier code normalisation
 * (find.h). */
#include "find.h"

#include "fold.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FOLD_MAX 512 /* bytes of folded text compared; longer text is cut */

size_t mc_find_fold(const char *in, char *out, size_t size) { return mc_fold(in, out, size); }

/* ---- ranking ---------------------------------------------------------- */

static int word_start(const char *text, const char *at) {
  return at == text || !isalnum((unsigned char)at[-1]);
}

/* 3: at a word start of text, 1: inside a word, 0: absent. */
static int word_in(const char *text, const char *word) {
  int best = 0;
  for (const char *p = strstr(text, word); p != NULL; p = strstr(p + 1, word)) {
    if (word_start(text, p)) return 3;
    best = 1;
  }
  return best;
}

/* Score of one query word (wlen bytes) against the folded fields; 0 if
 * in none of them. */
static int word_score(const char *w, size_t wlen, const char *code, const char *name,
                      const char *sector) {
  char word[FOLD_MAX];
  if (wlen >= sizeof word) wlen = sizeof word - 1;
  memcpy(word, w, wlen);
  word[wlen] = '\0';
  int in_name = word_in(name, word);
  if (in_name > 0) return in_name == 3 ? 20 : 10;
  if (word_in(sector, word) > 0) return 5;
  return word_in(code, word) > 0 ? 5 : 0;
}

static int phrase_score(const char *q, const char *name) {
  if (strcmp(q, name) == 0) return 500;
  if (strncmp(q, name, strlen(q)) == 0) return 300;
  const char *p = strstr(name, q);
  return p == NULL ? 0 : word_start(name, p) ? 200 : 100;
}

int mc_find_score(const char *query, const mc_find_item *it) {
  char q[FOLD_MAX], code[FOLD_MAX], name[FOLD_MAX], sector[FOLD_MAX];
  mc_find_fold(query, q, sizeof q);
  mc_find_fold(it->code, code, sizeof code);
  mc_find_fold(it->name, name, sizeof name);
  mc_find_fold(it->sector, sector, sizeof sector);
  const char *sep = " \t,.;:/()-";
  int score = 0, words = 0;
  for (const char *p = q + strspn(q, sep); *p != '\0'; p += strspn(p, sep)) {
    size_t len = strcspn(p, sep);
    int s = word_score(p, len, code, name, sector);
    if (s == 0) return 0;
    score += s;
    words++;
    p += len;
  }
  if (words == 0) return 0;
  if (strcmp(q, code) == 0) return 1000;
  return score + phrase_score(q, name);
}

size_t mc_find_rank(const char *query, const mc_find_item *items, size_t n, size_t *order) {
  int score[MC_FIND_ITEMS_MAX]; /* 16 KiB */
  size_t m = 0;
  if (n > MC_FIND_ITEMS_MAX) n = MC_FIND_ITEMS_MAX;
  for (size_t i = 0; i < n; i++) {
    int s = mc_find_score(query, &items[i]);
    if (s == 0) continue;
    size_t k = m++; /* insertion: stable, best first */
    while (k > 0 && score[k - 1] < s) {
      score[k] = score[k - 1];
      order[k] = order[k - 1];
      k--;
    }
    score[k] = s;
    order[k] = i;
  }
  return m;
}

long mc_find_code(const char *query, const mc_find_item *items, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (items[i].code != NULL && strcasecmp(items[i].code, query) == 0) return (long)i;
  return -1;
}

/* ---- dossier codes ---------------------------------------------------- */

static int digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i])) return 0;
  return 1;
}

int mc_find_code_is_short(const char *s) {
  size_t n = strlen(s);
  return n >= 11 && n <= 16 && s[6] == '-' && digits(s, 6) && digits(s + 7, n - 7);
}

int mc_find_code_normalise(const char *in, const char *agency_id, char *out, size_t size) {
  while (*in == ' ' || *in == '\t') in++;
  size_t n = strlen(in);
  while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\n')) n--;
  char code[128];
  if (n >= sizeof code) return -1;
  for (size_t i = 0; i < n; i++) code[i] = (char)toupper((unsigned char)in[i]);
  code[n] = '\0';
  int expand = agency_id != NULL && agency_id[0] != '\0' && mc_find_code_is_short(code);
  size_t need = n + 1 + (expand ? strlen(agency_id) + 1 : 0);
  if (need > size) return -1;
  if (expand) snprintf(out, size, "%s-%s", agency_id, code);
  else memcpy(out, code, n + 1);
  return 0;
}

int mc_find_code_is_seq(const char *s) {
  size_t n = strlen(s);
  return n >= 1 && n <= 9 && digits(s, n);
}

int mc_find_code_of_day(const char *seq, const char *agency_id, const char *yymmdd, char *out,
                        size_t size) {
  if (seq == NULL || agency_id == NULL || agency_id[0] == '\0' || yymmdd == NULL ||
      strlen(yymmdd) != 6 || !digits(yymmdd, 6) || !mc_find_code_is_seq(seq))
    return -1;
  while (seq[0] == '0' && strlen(seq) > 4) seq++; /* "00004" is 0004 */
  int n = snprintf(out, size, "%s-%s-%04d", agency_id, yymmdd, atoi(seq));
  return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Indexes of names matching the folded query fq by how (0 equal, 1
 * prefix, 2 inside) into cands; how many. */
static size_t component_matches(const char *fq, const char *const *names, size_t n, int how,
                                size_t *cands) {
  char fn[1024];
  size_t k = 0, lq = strlen(fq);
  for (size_t i = 0; i < n; i++) {
    mc_find_fold(names[i] != NULL ? names[i] : "", fn, sizeof fn);
    int hit = how == 0 ? strcmp(fn, fq) == 0
              : how == 1 ? strncmp(fn, fq, lq) == 0
                         : strstr(fn, fq) != NULL;
    if (hit) cands[k++] = i;
  }
  return k;
}

long mc_find_component(const char *query, const char *const *names, size_t n, size_t *cands,
                       size_t *ncand) {
  char fq[512];
  *ncand = 0;
  if (query == NULL || mc_find_fold(query, fq, sizeof fq) == 0) return -1;
  for (int how = 0; how < 3; how++) {
    size_t k = component_matches(fq, names, n, how, cands);
    if (k == 1) return (long)cands[0];
    if (k > 1 && how > 0) {
      *ncand = k;
      return -2;
    }
  }
  return -1;
}
