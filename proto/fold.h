/* Accent-insensitive comparison of Vietnamese text. */
#ifndef MC_FOLD_H
#define MC_FOLD_H

#include <stddef.h>

/* in folded for comparison: Vietnamese letters lose their marks (đ -> d),
 * ASCII is lower-cased, combining marks (U+0300..U+036F) are dropped,
 * other code points are kept as they are. out is always terminated;
 * returns strlen(out) (cut at a character boundary when size is short). */
size_t mc_fold(const char *in, char *out, size_t size);

#endif
