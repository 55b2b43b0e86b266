/* Unit tests of client/lib/find.c: accent-insensitive procedure search,
 * its ranking, and dossier code normalisation (issue 14, item 6). */
#include <string.h>

#include "check.h"
#include "fields.h"
#include "find.h"
#include "messages.h"
#include "render.h"

static void test_fold(void) {
  char out[64];
  CHECK_EQ(mc_find_fold("Đất đai", out, sizeof out), strlen("dat dai"));
  CHECK_STREQ(out, "dat dai");
  mc_find_fold("CHỨNG THỰC Bản Sao", out, sizeof out);
  CHECK_STREQ(out, "chung thuc ban sao");
  mc_find_fold("Hộ tịch – khai sinh", out, sizeof out);
  CHECK_STREQ(out, "ho tich – khai sinh"); /* the dash is kept as it is */
  mc_find_fold("da\xcc\x81t", out, sizeof out);  /* decomposed: a + U+0301 */
  CHECK_STREQ(out, "dat");
  CHECK_EQ(mc_find_fold("ươ", out, 2), 1);       /* cut at a character */
  CHECK_STREQ(out, "u");
  mc_find_fold("\xe1\xba", out, sizeof out);     /* a cut sequence: no crash */
  CHECK(strlen(out) <= 2);
}

static const mc_find_item catalogue[] = {
    {"1.001", "Đăng ký khai sinh", "Hộ tịch"},
    {"1.002", "Cấp giấy chứng nhận quyền sử dụng đất", "Đất đai"},
    {"1.003", "Chứng thực bản sao từ bản chính", "Chứng thực"},
    {"1.004", "Đăng ký biến động đất đai", "Đất đai"},
    {"1.005", "Đất", "Đất đai"},
    {"2.777", "Cấp phép xây dựng", "Xây dựng"},
};
#define N (sizeof catalogue / sizeof catalogue[0])

static void test_rank_accents(void) {
  size_t order[N];
  size_t m = mc_find_rank("dat", catalogue, N, order);
  CHECK_EQ(m, 3); /* "đất" in three names (and sectors) */
  CHECK_EQ(order[0], 4); /* the name equal to the query first */
  m = mc_find_rank("ĐẤT", catalogue, N, order);
  CHECK_EQ(m, 3);
  m = mc_find_rank("khai sinh", catalogue, N, order);
  CHECK_EQ(m, 1);
  CHECK_EQ(order[0], 0);
  m = mc_find_rank("xyz", catalogue, N, order);
  CHECK_EQ(m, 0);
  m = mc_find_rank("   ", catalogue, N, order);
  CHECK_EQ(m, 0);
}

static void test_rank_order(void) {
  size_t order[N];
  /* every word must match; a name starting with the phrase beats one that
   * only contains its words; a word in the sector alone ranks last */
  size_t m = mc_find_rank("dang ky", catalogue, N, order);
  CHECK_EQ(m, 2);
  CHECK_EQ(order[0], 0); /* ties keep the catalogue's order */
  CHECK_EQ(order[1], 3);
  m = mc_find_rank("chung thuc", catalogue, N, order);
  CHECK_EQ(m, 1);
  CHECK_EQ(order[0], 2);
  m = mc_find_rank("ho tich", catalogue, N, order);
  CHECK_EQ(m, 1); /* found by its sector */
  CHECK_EQ(order[0], 0);
  m = mc_find_rank("dat dai", catalogue, N, order);
  CHECK_EQ(m, 3);
  CHECK_EQ(order[0], 3); /* "đất đai" in the name beats sector-only */
  m = mc_find_rank("2.777", catalogue, N, order);
  CHECK_EQ(m, 1);
  CHECK(mc_find_score("2.777", &catalogue[5]) >= 1000);
}

static void test_find_code(void) {
  CHECK_EQ(mc_find_code("1.003", catalogue, N), 2);
  CHECK_EQ(mc_find_code("9.999", catalogue, N), -1);
}

static void test_code_normalise(void) {
  char out[64];
  CHECK_EQ(mc_find_code_normalise("000.00.22.h42-261206-0004", "", out, sizeof out), 0);
  CHECK_STREQ(out, "000.00.22.H42-261206-0004");
  CHECK_EQ(mc_find_code_normalise(" 261206-0004 ", "000.00.22.H42", out, sizeof out), 0);
  CHECK_STREQ(out, "000.00.22.H42-261206-0004");
  CHECK_EQ(mc_find_code_normalise("261206-0004", "", out, sizeof out), 0);
  CHECK_STREQ(out, "261206-0004"); /* no unit known: left as typed */
  CHECK_EQ(mc_find_code_normalise("tam-444-000001", "X", out, sizeof out), 0);
  CHECK_STREQ(out, "TAM-444-000001");
  CHECK_EQ(mc_find_code_normalise("261206-0004", "000.00.22.H42", out, 20), -1);
  CHECK(mc_find_code_is_short("261206-0004"));
  CHECK(mc_find_code_is_short("261206-000412345"));
  CHECK(!mc_find_code_is_short("261206-004"));
  CHECK(!mc_find_code_is_short("26120-60004"));
  CHECK(!mc_find_code_is_short("H42-261206-0004"));
}

/* Item 7: sizes, kinds, types and the server's details in the catalogue. */
static void test_vietnamese_values(void) {
  char b[32];
  mc_render_size(184881, MC_LANG_VI, b, sizeof b);
  CHECK_STREQ(b, "180,5 KB");
  mc_render_size(184881, MC_LANG_EN, b, sizeof b);
  CHECK_STREQ(b, "180.5 KB");
  mc_render_size(512, MC_LANG_VI, b, sizeof b);
  CHECK_STREQ(b, "0,5 KB");
  mc_render_size(3u << 20, MC_LANG_VI, b, sizeof b);
  CHECK_STREQ(b, "3,0 MB");
  mc_render_size(5ull << 30, MC_LANG_EN, b, sizeof b);
  CHECK_STREQ(b, "5.0 GB");
  CHECK_STREQ(mc_msg(MC_LANG_VI, mc_render_kind_msg("scan")), "bản scan hồ sơ");
  CHECK_STREQ(mc_msg(MC_LANG_VI, mc_render_kind_msg("result")), "kết quả");
  CHECK_STREQ(mc_msg(MC_LANG_VI, mc_render_mime_msg("application/pdf")), "PDF");
  CHECK_STREQ(mc_msg(MC_LANG_VI, mc_render_mime_msg("image/jpeg")), "ảnh JPEG");
  CHECK_EQ(mc_render_mime_msg("application/x-evil"), MSG_MIME_OTHER);
  CHECK_EQ(mc_render_mime_msg(NULL), MSG_MIME_OTHER);
  CHECK_STREQ(mc_msg_detail(MC_LANG_VI, "id_number"), "số định danh (CMND/CCCD)");
  CHECK_STREQ(mc_msg_detail(MC_LANG_VI, "a dossier may be rescheduled only once"),
              "mỗi hồ sơ chỉ được hẹn lại một lần");
  CHECK(mc_msg_detail(MC_LANG_VI, "something new on the server") == NULL);
  CHECK(mc_msg_detail(MC_LANG_VI, NULL) == NULL);
  CHECK(mc_msg_detail(7, "id_number") == NULL);
}

/* receive --component by words: equal, else unique prefix, else unique
 * substring; accents and case ignored; several -> the candidates. */
static void test_component_by_name(void) {
  const char *names[] = {"Tờ khai đăng ký khai sinh theo mẫu",
                         "Giấy chứng sinh; nếu không có: văn bản của người làm chứng",
                         "Giấy tờ chứng minh thông tin về cư trú (xuất trình)",
                         "Văn bản ủy quyền được chứng thực, nếu nộp thay"};
  size_t cands[4], n;
  CHECK_EQ(mc_find_component("to khai", names, 4, cands, &n), 0);
  CHECK_EQ(mc_find_component("GIẤY CHỨNG SINH", names, 4, cands, &n), 1);
  CHECK_EQ(mc_find_component("giay", names, 4, cands, &n), -2);
  CHECK_EQ(n, 2);
  CHECK(cands[0] == 1 && cands[1] == 2);
  CHECK_EQ(mc_find_component("uy quyen", names, 4, cands, &n), 3); /* inside the name */
  CHECK_EQ(mc_find_component("chung", names, 4, cands, &n), -2);   /* inside several */
  CHECK_EQ(mc_find_component("ho chieu", names, 4, cands, &n), -1);
  CHECK_EQ(mc_find_component("", names, 4, cands, &n), -1);
  unsigned ord, count;
  int form;
  char name[128];
  CHECK_EQ(mc_fields_parse_component_ref("to khai:2:copy", name, sizeof name, &ord, &count, &form), 0);
  CHECK_STREQ(name, "to khai");
  CHECK(ord == 0 && count == 2 && form == 2);
  CHECK_EQ(mc_fields_parse_component_ref("3:1", name, sizeof name, &ord, &count, &form), 0);
  CHECK(ord == 3 && count == 1 && name[0] == '\0');
  CHECK(mc_fields_parse_component_ref(":2", name, sizeof name, &ord, &count, &form) != 0);
  CHECK(mc_fields_parse_component_ref("x:99", name, sizeof name, &ord, &count, &form) != 0);
  CHECK(mc_fields_parse_component_ref("x\001y", name, sizeof name, &ord, &count, &form) != 0);
}

/* "nnnn" alone: today's number in the caller's unit. */
static void test_code_of_day(void) {
  char out[64];
  CHECK(mc_find_code_is_seq("4") && mc_find_code_is_seq("0004") && mc_find_code_is_seq("123456789"));
  CHECK(!mc_find_code_is_seq("") && !mc_find_code_is_seq("1234567890") &&
        !mc_find_code_is_seq("12a4") && !mc_find_code_is_seq("261206-0004"));
  CHECK_EQ(mc_find_code_of_day("4", "H30.44.02", "261206", out, sizeof out), 0);
  CHECK_STREQ(out, "H30.44.02-261206-0004");
  CHECK_EQ(mc_find_code_of_day("00012", "H30.44.02", "261206", out, sizeof out), 0);
  CHECK_STREQ(out, "H30.44.02-261206-0012");
  CHECK_EQ(mc_find_code_of_day("12345", "H30.44.02", "261206", out, sizeof out), 0);
  CHECK_STREQ(out, "H30.44.02-261206-12345");
  CHECK(mc_find_code_of_day("4", "", "261206", out, sizeof out) != 0);
  CHECK(mc_find_code_of_day("4", "H30", "2612", out, sizeof out) != 0);
  CHECK(mc_find_code_of_day("4", "H30.44.02", "261206", out, 10) != 0);
}

/* hours set --schedule */
static void test_schedule(void) {
  mc_fields_schedule s;
  CHECK_EQ(mc_fields_parse_schedule("15/04,7:00-11:30,13:30-17:00,Mùa hè", &s), 0);
  CHECK_STREQ(s.from, "04-15");
  CHECK_STREQ(s.am_start, "07:00");
  CHECK_STREQ(s.pm_end, "17:00");
  CHECK_STREQ(s.name, "Mùa hè");
  CHECK_EQ(mc_fields_parse_schedule("10-15,07:30-11:30,13:30-17:00", &s), 0);
  CHECK_STREQ(s.from, "10-15");
  CHECK_STREQ(s.name, "");
  CHECK_EQ(mc_fields_parse_schedule("29/02,07:30-11:30,13:30-17:00", &s), 0);
  CHECK(mc_fields_parse_schedule("31/04,07:30-11:30,13:30-17:00", &s) != 0);
  CHECK(mc_fields_parse_schedule("15/04,07:30-11:30", &s) != 0);
  CHECK(mc_fields_parse_schedule("15/04,24:00-11:30,13:30-17:00", &s) != 0);
  CHECK(mc_fields_parse_schedule("15/04,07:30_11:30,13:30-17:00", &s) != 0);
  CHECK(mc_fields_parse_schedule("2026-04-15,07:30-11:30,13:30-17:00", &s) != 0);
}

int main(void) {
  RUN_TEST(test_vietnamese_values);
  RUN_TEST(test_fold);
  RUN_TEST(test_rank_accents);
  RUN_TEST(test_rank_order);
  RUN_TEST(test_find_code);
  RUN_TEST(test_code_normalise);
  RUN_TEST(test_component_by_name);
  RUN_TEST(test_code_of_day);
  RUN_TEST(test_schedule);
  return check_result();
}
