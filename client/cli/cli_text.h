/* Text on a terminal (cli_text.c), pure: display columns of UTF-8 text, cells
 * padded or cut to a width, and the closest word to a typo. Independent of
 * the process locale (no wcwidth): a small table of zero-width (combining)
 * and East Asian wide ranges. Part of the CLI's bottom layer. */
#ifndef MC_CLI_TEXT_H
#define MC_CLI_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Columns of one code point: 0 combining marks and zero-width format
 * characters, 2 East Asian wide and fullwidth, else 1. */
int cli_text_cp_width(unsigned cp);
/* Columns of UTF-8 s (a byte that starts no valid sequence counts 1). */
int cli_text_width(const char *s);
/* s padded with spaces to exactly width columns, or cut to width - 1
 * columns followed by "…" when wider; written to out (size >= 1, always
 * terminated; cut further if out is too small). Returns out. */
char *cli_text_fit(const char *s, int width, char *out, size_t size);
/* fputs of cli_text_fit(s, width) followed by sep (may be NULL). */
void cli_text_cell(FILE *f, const char *s, int width, const char *sep);

/* Damerau-Levenshtein distance (optimal string alignment: insert, delete,
 * substitute, swap two neighbours) between a and b, bytes compared without
 * case; strings longer than 63 bytes count as far (64). */
int cli_text_distance(const char *a, const char *b);
/* The word of words[0..n) closest to typo (NULL entries skipped) within
 * the threshold for typo's length (1 up to 4 bytes, 2 up to 8, else 3);
 * the first such word on a tie; NULL if none is close enough or typo is
 * itself one of the words. */
const char *cli_text_suggest(const char *typo, const char *const *words, size_t n);

#endif
