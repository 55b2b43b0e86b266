/* Work-around for libharu 2.3.0's TrueType subsetting.
 *
 * libharu embeds only the glyphs it saw used (glyph_tbl.flgs) and, for a
 * composite glyph, flags its components one level deep only
 * (CheckCompositGryph). DejaVu builds most Vietnamese letters from nested
 * composites (ộ = o + [circumflex + dot below], ấ = a + [circumflex +
 * acute]), so without this the PDF shows "Độc lập" as "Đôc lâp". Before
 * saving, slip__font_closure() flags every component, recursively, by
 * reading the glyph headers from the font stream libharu keeps open. It
 * uses libharu's installed internal headers (hpdf_fontdef.h,
 * hpdf_streams.h); CMake checks the version is 2.3.x.
 *
 * libharu 2.3.0 also gives each UTF-8 Type0 font, as its /ToUnicode, the
 * encoder's code-to-CID CMap ("begincidrange"), which a ToUnicode CMap
 * may not contain: poppler warns "Invalid 'begincidrange' operator in
 * ToUnicode CMap" and copy/paste and search depend on its fallback.
 * slip__font_tounicode() replaces that stream with a valid one: the
 * content stream's codes are the BMP code points themselves (libharu's
 * UTF-8 encoder), so it maps every code, outside the surrogates, to
 * itself, as bfranges differing only in their last byte. */
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_fontdef.h>
#include <hpdf_streams.h>

#include "error.h"
#include "slip_internal.h"

#define GLYPH_HEAD_MAX 1024   /* bytes of a composite glyph we parse */

static HPDF_UINT16 be16(const HPDF_BYTE *p) { return (HPDF_UINT16)(p[0] << 8 | p[1]); }

/* Reads the start of glyph gid into buf; returns its length (0 = empty). */
static HPDF_UINT read_glyph(HPDF_TTFontDefAttr a, HPDF_UINT16 gid, HPDF_BYTE *buf) {
  HPDF_UINT32 off = a->glyph_tbl.offsets[gid], end = a->glyph_tbl.offsets[gid + 1];
  HPDF_UINT len;
  if (a->header.index_to_loc_format == 0) off *= 2, end *= 2;
  if (end <= off) return 0;
  len = end - off > GLYPH_HEAD_MAX ? GLYPH_HEAD_MAX : end - off;
  if (HPDF_Stream_Seek(a->stream, (HPDF_INT)(a->glyph_tbl.base_offset + off),
                       HPDF_SEEK_SET) != HPDF_OK ||
      HPDF_Stream_Read(a->stream, buf, &len) != HPDF_OK)
    return 0;
  return len;
}

/* Flags the direct components of composite glyph gid; returns how many
 * were newly flagged. */
static int flag_components(HPDF_TTFontDefAttr a, HPDF_UINT16 gid) {
  HPDF_BYTE buf[GLYPH_HEAD_MAX];
  HPDF_UINT len = read_glyph(a, gid, buf), p = 10;
  HPDF_UINT16 flags, comp;
  int added = 0;
  if (len < 10 || (HPDF_INT16)be16(buf) >= 0) return 0;   /* simple glyph */
  do {
    if (p + 4 > len) break;
    flags = be16(buf + p);
    comp = be16(buf + p + 2);
    p += 4 + ((flags & 0x0001) ? 4 : 2);                /* ARG_1_AND_2_ARE_WORDS */
    if (flags & 0x0008) p += 2;                         /* WE_HAVE_A_SCALE */
    else if (flags & 0x0040) p += 4;                    /* X_AND_Y_SCALE */
    else if (flags & 0x0080) p += 8;                    /* TWO_BY_TWO */
    if (comp < a->num_glyphs && !a->glyph_tbl.flgs[comp]) {
      a->glyph_tbl.flgs[comp] = 1;
      added++;
    }
  } while (flags & 0x0020);                             /* MORE_COMPONENTS */
  return added;
}

int slip__font_closure(HPDF_Doc pdf, const char *font_name) {
  HPDF_FontDef def = HPDF_GetFontDef(pdf, font_name);
  HPDF_TTFontDefAttr a;
  HPDF_BYTE *done;
  HPDF_UINT16 g;
  int added = 1, rounds = 0;
  if (def == NULL || def->type != HPDF_FONTDEF_TYPE_TRUETYPE) return MC_EINTERNAL;
  a = (HPDF_TTFontDefAttr)def->attr;
  if (!a->embedding || a->stream == NULL || a->glyph_tbl.flgs == NULL) return 0;
  if ((done = calloc(a->num_glyphs, 1)) == NULL) return MC_ENOMEM;
  while (added > 0 && rounds++ < 16) {   /* each round goes one level deeper */
    added = 0;
    for (g = 0; g < a->num_glyphs; g++) {
      if (!a->glyph_tbl.flgs[g] || done[g]) continue;
      done[g] = 1;
      added += flag_components(a, g);
    }
  }
  free(done);
  return 0;
}

/* Writes the identity ToUnicode CMap over the BMP (surrogates excluded). */
static HPDF_STATUS write_identity_cmap(HPDF_Stream st) {
  char line[64];
  HPDF_STATUS rc = HPDF_Stream_WriteStr(
      st, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
          "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
          "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
          "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
  int hi, n = 0, total = 256 - 8;
  for (hi = 0; hi < 256 && rc == HPDF_OK; hi++) {
    if (hi >= 0xD8 && hi <= 0xDF) continue;             /* surrogates */
    if (n % 100 == 0) {                                  /* at most 100 a block */
      snprintf(line, sizeof line, "%d beginbfrange\n", total - n < 100 ? total - n : 100);
      rc = HPDF_Stream_WriteStr(st, line);
    }
    snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi);
    if (rc == HPDF_OK) rc = HPDF_Stream_WriteStr(st, line);
    if ((++n % 100 == 0 || n == total) && rc == HPDF_OK)
      rc = HPDF_Stream_WriteStr(st, "endbfrange\n");
  }
  if (rc == HPDF_OK)
    rc = HPDF_Stream_WriteStr(st, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
                                  "end\nend\n");
  return rc;
}

int slip__font_tounicode(HPDF_Font font) {
  HPDF_Dict cmap = HPDF_Dict_GetItem((HPDF_Dict)font, "ToUnicode", HPDF_OCLASS_DICT);
  static const char *const drop[] = {"Type", "CMapName", "CIDSystemInfo", "WMode"};
  size_t i;
  if (cmap == NULL || cmap->stream == NULL) return 0;   /* nothing to fix */
  if (HPDF_Stream_Validate(cmap->stream) != HPDF_TRUE ||
      cmap->stream->type != HPDF_STREAM_MEMORY)
    return MC_EINTERNAL;
  for (i = 0; i < sizeof drop / sizeof drop[0]; i++)
    HPDF_Dict_RemoveElement(cmap, drop[i]);   /* HPDF_DICT_ITEM_NOT_FOUND is fine */
  HPDF_MemStream_FreeData(cmap->stream);
  return write_identity_cmap(cmap->stream) == HPDF_OK ? 0 : MC_ENOMEM;
}
