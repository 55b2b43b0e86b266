/* Accent-insensitive comparison of Vietnamese text (fold.h): the one
 * folding rule, used by the client's search (client/lib/find.c) and the
 * password policy (proto/officer.c). Pure. */
#include "fold.h"

#include <ctype.h>
#include <string.h>

/* Each Vietnamese letter with marks, grouped by the letter it folds to. */
static const struct {
  char base;
  const char *letters;
} groups[] = {
    {'a', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
    {'e', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ"},
    {'i', "ìíỉĩịÌÍỈĨỊ"},
    {'o', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
    {'u', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ"},
    {'y', "ỳýỷỹỵỲÝỶỸỴ"},
    {'d', "đĐ"},
};

/* Bytes of the UTF-8 sequence starting with c (1 for a stray byte). */
static size_t seq_len(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8) return 4;
  if (c >= 0xE0) return c < 0xF0 ? 3 : 1;
  if (c >= 0xC2) return 2;
  return 1;
}

static size_t avail(const char *p, size_t want) {
  size_t n = 0;
  while (n < want && p[n] != '\0') n++;
  return n == want ? want : 1;
}

/* The letter the sequence p[0..len) folds to, or 0. */
static char fold_letter(const char *p, size_t len) {
  for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
    for (const char *q = groups[g].letters; *q != '\0'; q += seq_len((unsigned char)*q))
      if (seq_len((unsigned char)*q) == len && memcmp(q, p, len) == 0) return groups[g].base;
  return 0;
}

/* U+0300..U+036F: CC 80..CD AF. */
static int combining(const unsigned char *p, size_t len) {
  return len == 2 && (p[0] == 0xCC || (p[0] == 0xCD && p[1] <= 0xAF));
}

size_t mc_fold(const char *in, char *out, size_t size) {
  size_t o = 0;
  if (size == 0) return 0;
  for (const char *p = in != NULL ? in : ""; *p != '\0';) {
    size_t len = avail(p, seq_len((unsigned char)*p));
    char base = len == 1 ? (char)tolower((unsigned char)*p) : fold_letter(p, len);
    size_t add = base != 0 ? 1 : combining((const unsigned char *)p, len) ? 0 : len;
    if (o + add >= size) break;
    if (base != 0) out[o] = base;
    else memcpy(out + o, p, add);
    o += add;
    p += len;
  }
  out[o] = '\0';
  return o;
}

