/* Pure helpers of the content store (server/files/files.h): magic bytes, the
 * content-addressed path fan-out, field checks and chunk validation. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "error.h"
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
  CHECK(mc_files_name_ok("Giấy khai sinh.pdf"));
  CHECK(!mc_files_name_ok("a/b.pdf") && !mc_files_name_ok("..") && !mc_files_name_ok(""));
  CHECK(!mc_files_name_ok("a\\b") && !mc_files_name_ok("a\nb"));
  char longname[300];
  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  CHECK(!mc_files_name_ok(longname));
  CHECK_EQ(mc_files_chunk_size(0, 262144), 262144);
  CHECK_EQ(mc_files_chunk_size(1, 262144), MC_CHUNK_MIN);
  CHECK_EQ(mc_files_chunk_size(1u << 30, 262144), MC_CHUNK_MAX);
  CHECK_EQ(mc_files_chunk_size(65536, 262144), 65536);
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
  test_chunks();
  test_hex();
  return check_result();
}
