/* Finding things a clerk does not know by heart: procedures by words of
 * their name or sector, typed without accents or case, ranked; dossier
 * codes typed in any case or as the short form "yymmdd-nnnn" of the
 * caller's own unit. Pure: no I/O. */
#ifndef MC_FIND_H
#define MC_FIND_H

#include <stddef.h>

/* in folded for comparison: Vietnamese letters lose their marks (đ -> d),
 * ASCII is lower-cased, combining marks (U+0300..U+036F) are dropped,
 * other code points are kept as they are. out is always terminated;
 * returns strlen(out) (cut at a character boundary when size is short). */
size_t mc_find_fold(const char *in, char *out, size_t size);

/* One candidate of a search. */
typedef struct mc_find_item {
  const char *code, *name, *sector;
} mc_find_item;

/* How well query matches it: 0 = not at all (some word of the query is in
 * none of code, name, sector), higher = better: the code itself, then the
 * name equal to the query, starting with it, containing it as a phrase,
 * then words at a word start of the name before words inside it and words
 * found only in the sector. */
int mc_find_score(const char *query, const mc_find_item *it);

#define MC_FIND_ITEMS_MAX 4096 /* items ranked at most (the rest are ignored) */

/* Indexes of the items that match, best first (ties keep the catalogue's
 * order) in order[0..return); order holds n entries. */
size_t mc_find_rank(const char *query, const mc_find_item *items, size_t n, size_t *order);

/* The index of the item whose code is query (any case), else -1. */
long mc_find_code(const char *query, const mc_find_item *items, size_t n);

/* A dossier code as typed -> as the server spells it: blanks trimmed,
 * upper-cased; "yymmdd-nnnn" (6 digits, '-', 4..9 digits) is prefixed with
 * agency_id + '-' when agency_id is not empty. Returns 0, or -1 when out
 * (size bytes) is too short. */
int mc_find_code_normalise(const char *in, const char *agency_id, char *out, size_t size);
/* 1 if s is the short form "yymmdd-nnnn". */
int mc_find_code_is_short(const char *s);
/* A component of a procedure by words typed at receive --component: the
 * one whose name (accents and case ignored) equals query, else the only
 * one starting with it, else the only one containing it. Returns its
 * index in names[0..n), -1 if none matches, -2 if several do (their
 * indexes in cands[0..*ncand), cands holding n entries). */
long mc_find_component(const char *query, const char *const *names, size_t n, size_t *cands,
                       size_t *ncand);

/* 1 if s is a number of today alone: 1..9 digits ("4", "0004"). */
int mc_find_code_is_seq(const char *s);
/* The code of number seq (mc_find_code_is_seq) received on day yymmdd by
 * agency_id: "{agency_id}-{yymmdd}-{seq, at least 4 digits}". 0, or -1
 * (bad input, or out of size bytes). */
int mc_find_code_of_day(const char *seq, const char *agency_id, const char *yymmdd, char *out,
                        size_t size);

#endif
