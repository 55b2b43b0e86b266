/* Pure helpers of the content store (server/files/files.h): magic bytes, the
 * content-addressed path fan-out, field checks and chunk validation. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "error.h"
#include "file_name.h"
#include "files.h"

#define SHA "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12"

static void test_magic(void) {
  static const uint8_t pdf[] = "%PDF-1.7\n", jpg[] = {0xFF, 0xD8, 0xFF, 0xE0},
                       png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0},
                       tii[] = {'I', 'I', 0x2A, 0x00}, tmm[] = {'M', 'M', 0x00, 0x2A},
                       exe[] = {'M', 'Z', 0x90, 0x00}, zip[] = {'P', 'K', 3, 4};
  CHECK_STREQ(mc_files_magic(pdf, sizeof pdf - 1), "application/pdf");
  CHECK_STREQ(mc_files_magic(jpg, sizeof jpg), "image/jpeg");
  CHECK_STREQ(mc_files_magic(png, sizeof png), "image/png");
  CHECK_STREQ(mc_files_magic(tii, sizeof tii), "image/tiff");
  CHECK_STREQ(mc_files_magic(tmm, sizeof tmm), "image/tiff");
  CHECK(mc_files_magic(exe, sizeof exe) == NULL);
  CHECK(mc_files_magic(zip, sizeof zip) == NULL);
  CHECK(mc_files_magic(pdf, 4) == NULL);  /* "%PDF" without the dash: too short */
  CHECK(mc_files_magic(png, 7) == NULL);  /* truncated PNG signature */
  CHECK(mc_files_magic(pdf, 0) == NULL);
  /* the name does not matter, only the bytes: a PNG signature with one bit off */
  uint8_t bad[8];
  memcpy(bad, png, 8);
  bad[7] ^= 1;
  CHECK(mc_files_magic(bad, 8) == NULL);
}

static void test_paths(void) {
  char p[MC_PATH_MAX];
  CHECK_EQ(mc_files_path(p, sizeof p, "/srv/data", SHA), 0);
  CHECK_STREQ(p, "/srv/data/ab/12/" SHA);
  CHECK_EQ(mc_files_dir(p, sizeof p, "/srv/data", SHA, 1), 0);
  CHECK_STREQ(p, "/srv/data/ab");
  CHECK_EQ(mc_files_dir(p, sizeof p, "/srv/data", SHA, 2), 0);
  CHECK_STREQ(p, "/srv/data/ab/12");
  CHECK_EQ(mc_files_tmp_path(p, sizeof p, "d", "0123456789abcdef0123456789abcdef"), 0);
  CHECK_STREQ(p, "d/tmp/0123456789abcdef0123456789abcdef");
  /* no path escapes: only lowercase hex of the exact length is a name */
  CHECK_EQ(mc_files_path(p, sizeof p, "d", "../../etc/passwd"), MC_EINVAL);
  CHECK_EQ(mc_files_path(p, sizeof p, "d", "AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12"), MC_EINVAL);
  CHECK_EQ(mc_files_path(p, sizeof p, "d", SHA "0"), MC_EINVAL);
  CHECK_EQ(mc_files_tmp_path(p, sizeof p, "d", "../x"), MC_EINVAL);
  CHECK_EQ(mc_files_path(p, 20, "/srv/data", SHA), MC_ETOOBIG);
}

static void test_fields(void) {
  CHECK(mc_files_sha_hex_ok(SHA));
  CHECK(!mc_files_sha_hex_ok(NULL));
  CHECK(!mc_files_sha_hex_ok("ab"));
  CHECK(mc_files_upload_id_ok("0123456789abcdef0123456789abcdef"));
  CHECK(!mc_files_upload_id_ok("0123456789abcdef0123456789abcdeg"));
  CHECK(mc_files_kind_ok("scan") && mc_files_kind_ok("result"));
  CHECK(!mc_files_kind_ok("Scan") && !mc_files_kind_ok("") && !mc_files_kind_ok(NULL));
  CHECK_EQ(mc_files_chunk_size(0, 262144), 262144);
  CHECK_EQ(mc_files_chunk_size(1, 262144), MC_CHUNK_MIN);
  CHECK_EQ(mc_files_chunk_size(1u << 30, 262144), MC_CHUNK_MAX);
  CHECK_EQ(mc_files_chunk_size(65536, 262144), 65536);
}

/* name -> stored name with the type known (mime) or not (NULL); "" = refused */
static void name_is(const char *name, const char *mime, const char *want) {
  char out[MC_LIM_FILE_NAME + 1];
  enum mc_dom_fault f = mc_dom_file_name(name, mime, out, sizeof out);
  CHECK_STREQ(f == MC_DOM_OK ? out : "", want);
}

static void test_names(void) {
  const char *pdf = "application/pdf";
  name_is("Giấy khai sinh.pdf", pdf, "Giấy khai sinh.pdf");
  name_is("Giay to 1.pdf", NULL, "Giay to 1.pdf");
  name_is("SCAN.PDF", pdf, "SCAN.PDF");
  /* B1: hidden, option-like, home-relative */
  name_is(".bashrc", NULL, "bashrc");
  name_is(".bashrc", pdf, "bashrc.pdf");
  name_is(".profile", pdf, "profile.pdf");
  name_is("-rf", pdf, "rf.pdf");
  name_is("~root.pdf", pdf, "root.pdf");
  name_is("..pdf", pdf, "pdf.pdf");
  name_is("...", pdf, "file.pdf");
  name_is(" . - ~", NULL, "file");
  /* a path is refused; shell metacharacters become '_' */
  name_is("a/b.pdf", pdf, "");
  name_is("../etc.pdf", NULL, "");
  name_is("a\\b.pdf", pdf, "");
  name_is("$(id).pdf", pdf, "_(id).pdf");
  name_is("`id`.pdf", pdf, "_id_.pdf");
  name_is("a;b|c&d<e>f*g?h!i\"j'k.pdf", pdf, "a_b_c_d_e_f_g_h_i_j_k.pdf");
  name_is("x.pdf. ", pdf, "x.pdf");
  /* the extension follows the detected type: launchers never survive */
  name_is("x.desktop", pdf, "x.desktop.pdf");
  name_is("run.sh", "image/png", "run.sh.png");
  name_is("a.lnk", "image/jpeg", "a.lnk.jpg");
  name_is("anh.JPEG", "image/jpeg", "anh.JPEG");
  name_is("anh.jpg", "image/png", "anh.jpg.png");
  name_is("quet.tiff", "image/tiff", "quet.tiff");
  name_is("quet", "image/tiff", "quet.tif");
  name_is("x.desktop", "text/html", "x.desktop"); /* unknown type: no rule (never stored) */
  CHECK_STREQ(mc_dom_file_ext("image/jpeg"), "jpg");
  CHECK(mc_dom_file_ext("application/x-sh") == NULL && mc_dom_file_ext(NULL) == NULL);
  /* refused: control and invisible format characters, bad UTF-8, empty, too long */
  name_is("a\nb", pdf, "");
  name_is("a\x7f.pdf", pdf, "");
  name_is("cccd\xe2\x80\xae" "fdp.exe", pdf, ""); /* U+202E right-to-left override */
  name_is("a\xe2\x80\x8b" "b.pdf", pdf, "");      /* U+200B zero width space */
  name_is("\xff.pdf", pdf, "");
  name_is("", pdf, "");
  name_is("   ", pdf, "");
  char longname[300], out[MC_LIM_FILE_NAME + 1];
  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  name_is(longname, pdf, "");
  CHECK(mc_dom_file_name("a.pdf", pdf, out, 10) != MC_DOM_OK); /* short buffer */
  /* 255 bytes of "ắ" (3 bytes each) + no extension: cut on a character boundary */
  char viet[MC_LIM_FILE_NAME + 1] = "";
  for (int i = 0; i < 85; i++) strcat(viet, "\xe1\xba\xaf");
  CHECK(mc_dom_file_name(viet, pdf, out, sizeof out) == MC_DOM_OK);
  CHECK(strlen(out) <= MC_LIM_FILE_NAME);
  CHECK(mc_dom_utf8(out, strlen(out)));
  CHECK(strcmp(out + strlen(out) - 4, ".pdf") == 0);
}

/* tests/files/samples/NAME through mc_files_validate: want is the MIME type
 * it must pass as, or NULL (refused, with detail want_detail). */
static void sample_is(const char *name, const char *want, const char *want_detail) {
  char path[512];
  static uint8_t buf[1 << 16];
  snprintf(path, sizeof path, "%s/%s", MC_SAMPLES_DIR, name);
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  if (f == NULL) return;
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  const char *detail = "unset", *mime = mc_files_validate(buf, n, &detail);
  if ((mime == NULL) != (want == NULL) || (want != NULL && strcmp(mime, want) != 0))
    fprintf(stderr, "sample %s: got %s (%s)\n", name, mime ? mime : "refused", detail);
  CHECK_STREQ(mime != NULL ? mime : "refused", want != NULL ? want : "refused");
  if (want == NULL) CHECK_STREQ(detail, want_detail);
}

/* W6: structure, not magic bytes (samples made by tests/integration/files_util.py). */
static void test_structure(void) {
  sample_is("ok.pdf", "application/pdf", NULL);
  sample_is("ok.jpg", "image/jpeg", NULL);
  sample_is("ok.png", "image/png", NULL);
  sample_is("ok.tif", "image/tiff", NULL);
  sample_is("html_after_header.pdf", NULL, "file structure"); /* PDF/HTML polyglot */
  sample_is("html_comment.pdf", NULL, "file structure");      /* HTML in the first KiB */
  sample_is("pdf_no_xref.pdf", NULL, "file structure");       /* no xref: never rebuilt */
  sample_is("elf_behind_soi.jpg", NULL, "file structure");    /* ELF behind a JPEG SOI */
  sample_is("jpeg_then_elf.jpg", NULL, "file structure");     /* a payload after the EOI */
  sample_is("truncated.jpg", NULL, "file structure");
  sample_is("script_behind_tiff.tif", NULL, "file structure"); /* script behind "II*\0" */
  sample_is("bomb.png", NULL, "file structure");   /* 100000 x 100000: over the bound */
  sample_is("bad_crc.png", NULL, "file structure");
  const char *d = NULL;
  CHECK(mc_files_validate((const uint8_t *)"MZ\x90", 3, &d) == NULL);
  CHECK_STREQ(d, "file type");
  CHECK(mc_files_validate((const uint8_t *)"%PDF-", 5, &d) == NULL);
  CHECK_STREQ(d, "file structure");
}

static void test_chunks(void) {
  uint8_t data[100], sum[32];
  memcpy(data, "%PDF-1.4 ", 9);
  for (size_t i = 9; i < sizeof data; i++) data[i] = (uint8_t)i;
  mc_files_sha256(data, 50, sum);
  const char *d = NULL;
  mc_chunk_in c = {0, data, 50, sum, 32};
  CHECK_EQ(mc_files_check_chunk(&c, 0, 100, 64, &d), 0);
  c.offset = 50; /* wrong offset */
  CHECK_EQ(mc_files_check_chunk(&c, 0, 100, 64, &d), MC_EINVAL);
  CHECK_STREQ(d, "offset");
  c.offset = 0;
  c.len = 70; /* over the chunk size */
  CHECK_EQ(mc_files_check_chunk(&c, 0, 100, 64, &d), MC_EINVAL);
  CHECK_STREQ(d, "length");
  c.len = 50;
  CHECK_EQ(mc_files_check_chunk(&c, 0, 40, 64, &d), MC_EINVAL); /* past the end */
  CHECK_STREQ(d, "length");
  c.len = 0;
  CHECK_EQ(mc_files_check_chunk(&c, 0, 100, 64, &d), MC_EINVAL);
  c.len = 50;
  uint8_t flipped[100];
  memcpy(flipped, data, sizeof data);
  flipped[20] ^= 0x40; /* corrupted in transit */
  c.data = flipped;
  CHECK_EQ(mc_files_check_chunk(&c, 0, 100, 64, &d), MC_EINVAL);
  CHECK_STREQ(d, "checksum");
  c.data = data;
  c.sha_len = 31;
  CHECK_EQ(mc_files_check_chunk(&c, 0, 100, 64, &d), MC_EINVAL);
  CHECK_STREQ(d, "checksum");
  c.sha_len = 32;
  uint8_t exe[50] = {'M', 'Z'}; /* first chunk of a forbidden type */
  mc_files_sha256(exe, sizeof exe, sum);
  mc_chunk_in e = {0, exe, sizeof exe, sum, 32};
  CHECK_EQ(mc_files_check_chunk(&e, 0, 100, 64, &d), MC_EINVAL);
  CHECK_STREQ(d, "file type");
  e.offset = 50; /* later chunks carry no magic */
  CHECK_EQ(mc_files_check_chunk(&e, 50, 100, 64, &d), 0);
}

static void test_hex(void) {
  uint8_t raw[3] = {0x00, 0xAB, 0xFF};
  char out[7];
  mc_files_hex(raw, 3, out);
  CHECK_STREQ(out, "00abff");
  uint8_t sum[32];
  char hex[65];
  mc_files_sha256((const uint8_t *)"abc", 3, sum);
  mc_files_hex(sum, 32, hex);
  CHECK_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  char a[MC_UPLOAD_ID_HEX], b[MC_UPLOAD_ID_HEX];
  CHECK_EQ(mc_files_new_id(a), 0);
  CHECK_EQ(mc_files_new_id(b), 0);
  CHECK(mc_files_upload_id_ok(a) && strcmp(a, b) != 0);
}

int main(void) {
  test_magic();
  test_paths();
  test_fields();
  test_names();
  test_structure();
  test_chunks();
  test_hex();
  return check_result();
}
