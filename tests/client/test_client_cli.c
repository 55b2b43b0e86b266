/* Unit tests of the CLI's pure parts: message table, time formatting,
 * JSON rendering of protocol messages, argument validation. */
#include <string.h>

#include "check.h"
#include "cli.h"
#include "error.h"

/* 2026-10-07T17:30:05Z = 2026-10-08T00:30:05+07:00 (crosses midnight). */
#define T_MIDNIGHT 1791394205000LL
/* 2026-10-08T07:05:00Z = 14:05 in Vietnam. */
#define T_AFTERNOON 1791443100000LL

static void test_messages_complete(void) {
  for (int id = MSG_NONE + 1; id < MSG__COUNT; id++) {
    for (int lang = 0; lang < 2; lang++) {
      const char *s = mc_msg_raw((enum mc_msg)id, lang);
      if (s == NULL || s[0] == '\0')
        fprintf(stderr, "message %d has no %s text\n", id, lang ? "en" : "vi");
      CHECK(s != NULL && s[0] != '\0');
      CHECK(s == NULL || strchr(s, '%') == NULL); /* never a format string */
    }
  }
  CHECK(mc_msg_raw(MSG__COUNT, 0) == NULL);
  CHECK_STREQ(mc_msg(MC_LANG_EN, MSG_NONE), "");
}

static void test_status_names(void) {
  static const char *const vi[] = {
      "Mới đăng ký", "Được tiếp nhận", "Không được tiếp nhận", "Đang xử lý",
      "Yêu cầu bổ sung giấy tờ", "Yêu cầu thực hiện nghĩa vụ tài chính",
      "Công dân yêu cầu rút hồ sơ", "Dừng xử lý", "Đã xử lý xong", "Đã trả kết quả"};
  for (unsigned s = 1; s <= 10; s++) CHECK_STREQ(mc_status_name(MC_LANG_VI, s), vi[s - 1]);
  CHECK_STREQ(mc_status_name(MC_LANG_EN, 2), "Received");
  CHECK_STREQ(mc_status_name(MC_LANG_VI, 0), mc_msg(MC_LANG_VI, MSG_STATUS_UNKNOWN));
  CHECK_STREQ(mc_status_name(MC_LANG_VI, 11), mc_msg(MC_LANG_VI, MSG_STATUS_UNKNOWN));
}

static void test_error_messages(void) {
  CHECK_STREQ(mc_msg(MC_LANG_VI, mc_msg_for_err(MC_ENOTFOUND)), "Không tìm thấy hồ sơ");
  CHECK_STREQ(mc_msg(MC_LANG_VI, mc_msg_for_err(MC_EWRONGLEVEL)),
              "Thủ tục này thuộc thẩm quyền cấp xã, không chuyển lên huyện");
  CHECK(strncmp(mc_msg(MC_LANG_VI, mc_msg_for_err(MC_EFORBIDDEN)),
                "Đơn vị của bạn không có quyền", strlen("Đơn vị của bạn không có quyền")) == 0);
  for (int e = 1; e <= MC_ERR_WIRE_MAX; e++) CHECK(mc_msg_for_err(-e) != MSG_REFUSED_UNKNOWN);
  CHECK_EQ(mc_msg_for_err(MC_ENEEDMORE), MSG_REFUSED_UNKNOWN);
  CHECK_EQ(mc_msg_for_err(0), MSG_REFUSED_UNKNOWN);
  CHECK_EQ(mc_lang_parse("vi"), MC_LANG_VI);
  CHECK_EQ(mc_lang_parse("en"), MC_LANG_EN);
  CHECK_EQ(mc_lang_parse("fr"), -1);
}

static void test_rfc3339(void) {
  char b[40];
  CHECK_EQ(mc_cli_rfc3339(T_MIDNIGHT, 420, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08T00:30:05+07:00");
  CHECK_EQ(mc_cli_rfc3339(T_AFTERNOON + 999, 420, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08T14:05:00+07:00");
  CHECK_EQ(mc_cli_rfc3339(T_AFTERNOON, 0, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08T07:05:00+00:00");
  CHECK_EQ(mc_cli_rfc3339(T_AFTERNOON, -330, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08T01:35:00-05:30");
  /* 2024-02-28T17:00Z is leap day 29 Feb at 00:00 in Vietnam. */
  CHECK_EQ(mc_cli_rfc3339(1709139600000LL, 420, b, sizeof b), 0);
  CHECK_STREQ(b, "2024-02-29T00:00:00+07:00");
  CHECK_EQ(mc_cli_rfc3339(0, 420, b, sizeof b), -1);
  CHECK_EQ(mc_cli_rfc3339(-5, 420, b, sizeof b), -1);
  CHECK_EQ(mc_cli_rfc3339(T_MIDNIGHT, 420, b, 25), -1); /* needs 26 */
  CHECK_EQ(mc_cli_rfc3339(T_MIDNIGHT, 420, b, 26), 0);
}

static void test_human_time(void) {
  char b[40];
  CHECK_EQ(mc_cli_human_time(T_MIDNIGHT, 420, MC_LANG_VI, b, sizeof b), 0);
  CHECK_STREQ(b, "08/10/2026 00:30");
  CHECK_EQ(mc_cli_human_time(T_AFTERNOON, 420, MC_LANG_EN, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08 14:05");
  CHECK_EQ(mc_cli_human_time(0, 420, MC_LANG_EN, b, sizeof b), -1);
}

static void test_enum_names(void) {
  CHECK_STREQ(mc_cli_level_name(1), "commune");
  CHECK_STREQ(mc_cli_level_name(2), "district");
  CHECK(mc_cli_level_name(0) == NULL);
  CHECK_STREQ(mc_cli_channel_name(1), "direct");
  CHECK_STREQ(mc_cli_channel_name(3), "postal");
  CHECK(mc_cli_channel_name(4) == NULL);
  CHECK_EQ(mc_cli_channel_parse("online"), 2);
  CHECK_EQ(mc_cli_channel_parse("fax"), -1);
  CHECK_STREQ(mc_cli_limit_unit_name(2), "working_days");
  CHECK_STREQ(mc_cli_limit_unit_name(4), "months");
  CHECK(mc_cli_limit_unit_name(9) == NULL);
}

static const char *jstr(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static void fill_dossier(Motcua__Dossier *d, Motcua__Applicant *a) {
  a->name = "Nguyễn Thị Hoa";
  a->id_number = "042190000123";
  a->phone = "";
  d->code = "H15.50.05.13-261008-0975";
  d->status = 4;
  d->unit_code = "18499";
  d->unit_name = "Điền Mỹ";
  d->procedure_code = "1.001234.000.00.00.H15";
  d->procedure_name = "Đăng ký khai sinh";
  d->level = MOTCUA__LEVEL__LEVEL_DISTRICT;
  d->applicant = a;
  d->channel = MOTCUA__CHANNEL__CHANNEL_POSTAL;
  d->received_at_ms = T_MIDNIGHT;
  d->due_at_ms = T_AFTERNOON;
  d->holder_unit = "444";
  d->forwarded_to = "444";
  d->forwarded_at_ms = T_AFTERNOON;
}

static void test_dossier_json(void) {
  Motcua__Dossier d = MOTCUA__DOSSIER__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  fill_dossier(&d, &a);
  json_t *o = mc_cli_dossier_json(&d, MC_LANG_VI);
  CHECK_FATAL(o != NULL);
  CHECK_EQ(json_object_size(o), 15);
  CHECK_STREQ(jstr(o, "code"), "H15.50.05.13-261008-0975");
  CHECK_EQ(json_integer_value(json_object_get(o, "status")), 4);
  CHECK_STREQ(jstr(o, "status_name"), "Đang xử lý");
  CHECK_STREQ(jstr(o, "unit"), "18499");
  CHECK_STREQ(jstr(o, "unit_name"), "Điền Mỹ");
  CHECK_STREQ(jstr(o, "procedure"), "1.001234.000.00.00.H15");
  CHECK_STREQ(jstr(o, "procedure_name"), "Đăng ký khai sinh");
  CHECK_STREQ(jstr(o, "level"), "district");
  CHECK_STREQ(jstr(o, "channel"), "postal");
  CHECK_STREQ(jstr(o, "received_at"), "2026-10-08T00:30:05+07:00");
  CHECK_STREQ(jstr(o, "due_at"), "2026-10-08T14:05:00+07:00");
  CHECK_STREQ(jstr(o, "holder_unit"), "444");
  CHECK_STREQ(jstr(o, "forwarded_to"), "444");
  CHECK_STREQ(jstr(o, "forwarded_at"), "2026-10-08T14:05:00+07:00");
  json_t *ap = json_object_get(o, "applicant");
  CHECK(json_is_object(ap));
  CHECK_STREQ(jstr(ap, "name"), "Nguyễn Thị Hoa");
  CHECK_STREQ(jstr(ap, "id"), "042190000123");
  CHECK(json_is_null(json_object_get(ap, "phone")));
  char *text = json_dumps(o, JSON_COMPACT);
  CHECK(text != NULL && strstr(text, "\"status_name\":\"Đang xử lý\"") != NULL);
  free(text);
  json_decref(o);
}

static void test_dossier_json_absent(void) {
  Motcua__Dossier d = MOTCUA__DOSSIER__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  fill_dossier(&d, &a);
  d.status = 2;
  d.forwarded_to = "";
  d.forwarded_at_ms = 0;
  d.due_at_ms = 0;
  d.holder_unit = "18499";
  d.channel = MOTCUA__CHANNEL__CHANNEL_DIRECT;
  d.level = MOTCUA__LEVEL__LEVEL_COMMUNE;
  json_t *o = mc_cli_dossier_json(&d, MC_LANG_EN);
  CHECK_FATAL(o != NULL);
  CHECK_STREQ(jstr(o, "status_name"), "Received");
  CHECK_STREQ(jstr(o, "level"), "commune");
  CHECK_STREQ(jstr(o, "channel"), "direct");
  CHECK(json_is_null(json_object_get(o, "forwarded_to")));
  CHECK(json_is_null(json_object_get(o, "forwarded_at")));
  CHECK(json_is_null(json_object_get(o, "due_at")));
  json_decref(o);
  d.applicant = NULL;
  o = mc_cli_dossier_json(&d, MC_LANG_EN);
  CHECK(o != NULL && json_is_null(json_object_get(o, "applicant")));
  json_decref(o);
}

static void test_procedure_and_error_json(void) {
  Motcua__Procedure p = MOTCUA__PROCEDURE__INIT;
  p.code = "2.000889.000.00.00.H15";
  p.name = "Cấp giấy chứng nhận quyền sử dụng đất";
  p.level = MOTCUA__LEVEL__LEVEL_DISTRICT;
  p.sector = "Đất đai";
  p.limit_value = 30;
  p.limit_unit = MOTCUA__LIMIT_UNIT__LIMIT_WORKING_DAYS;
  json_t *o = mc_cli_procedure_json(&p);
  CHECK_FATAL(o != NULL);
  CHECK_EQ(json_object_size(o), 6);
  CHECK_STREQ(jstr(o, "code"), "2.000889.000.00.00.H15");
  CHECK_STREQ(jstr(o, "level"), "district");
  CHECK_STREQ(jstr(o, "sector"), "Đất đai");
  CHECK_EQ(json_integer_value(json_object_get(o, "limit_value")), 30);
  CHECK_STREQ(jstr(o, "limit_unit"), "working_days");
  json_decref(o);
  o = mc_cli_error_json(MC_ENOTFOUND, "Không tìm thấy hồ sơ");
  CHECK_FATAL(o != NULL);
  char *text = json_dumps(o, JSON_COMPACT);
  CHECK_STREQ(text, "{\"error\":{\"code\":\"not_found\",\"message\":\"Không tìm thấy hồ sơ\"}}");
  free(text);
  json_decref(o);
}

static void test_validate_name(void) {
  char buf[200];
  CHECK_EQ(mc_cli_check_name("Nguyễn Văn Thử"), MSG_NONE);
  CHECK_EQ(mc_cli_check_name(""), MSG_ERR_NEED_NAME);
  CHECK_EQ(mc_cli_check_name(NULL), MSG_ERR_NEED_NAME);
  CHECK_EQ(mc_cli_check_name("   "), MSG_ERR_NAME_INVALID);
  CHECK_EQ(mc_cli_check_name("Tab\there"), MSG_ERR_NAME_INVALID);
  CHECK_EQ(mc_cli_check_name("Bad \xC3"), MSG_ERR_NAME_INVALID);     /* truncated */
  CHECK_EQ(mc_cli_check_name("Bad \xC0\xAF"), MSG_ERR_NAME_INVALID); /* overlong */
  CHECK_EQ(mc_cli_check_name("Bad \xED\xA0\x80"), MSG_ERR_NAME_INVALID); /* surrogate */
  CHECK_EQ(mc_cli_check_name("C1 \xC2\x85"), MSG_ERR_NAME_INVALID);
  memset(buf, 'a', 150);
  buf[150] = '\0';
  CHECK_EQ(mc_cli_check_name(buf), MSG_NONE);
  buf[150] = 'a';
  buf[151] = '\0';
  CHECK_EQ(mc_cli_check_name(buf), MSG_ERR_NAME_TOO_LONG);
  /* 75 two-byte letters = 150 bytes: allowed; one more is not. */
  for (int i = 0; i < 76; i++) memcpy(buf + 2 * i, "\xC3\xA2", 2); /* â */
  buf[150] = '\0';
  CHECK_EQ(mc_cli_check_name(buf), MSG_NONE);
  memcpy(buf + 150, "\xC3\xA2", 2);
  buf[152] = '\0';
  CHECK_EQ(mc_cli_check_name(buf), MSG_ERR_NAME_TOO_LONG);
}

static void test_validate_ids(void) {
  CHECK_EQ(mc_cli_check_citizen_id("183456789"), MSG_NONE);
  CHECK_EQ(mc_cli_check_citizen_id("042190000123"), MSG_NONE);
  CHECK_EQ(mc_cli_check_citizen_id("0421900001234"), MSG_ERR_ID_FORMAT);
  CHECK_EQ(mc_cli_check_citizen_id("1834567890"), MSG_ERR_ID_FORMAT);
  CHECK_EQ(mc_cli_check_citizen_id("18345678a"), MSG_ERR_ID_FORMAT);
  CHECK_EQ(mc_cli_check_citizen_id(""), MSG_ERR_NEED_ID);
  CHECK_EQ(mc_cli_check_phone(""), MSG_NONE);
  CHECK_EQ(mc_cli_check_phone(NULL), MSG_NONE);
  CHECK_EQ(mc_cli_check_phone("0912345678"), MSG_NONE);
  CHECK_EQ(mc_cli_check_phone("123456789012345"), MSG_NONE);
  CHECK_EQ(mc_cli_check_phone("1234567890123456"), MSG_ERR_PHONE_FORMAT);
  CHECK_EQ(mc_cli_check_phone("+84912345678"), MSG_ERR_PHONE_FORMAT);
  CHECK_EQ(mc_cli_check_phone("0912 345 678"), MSG_ERR_PHONE_FORMAT);
}

static void test_validate_codes(void) {
  char buf[64];
  CHECK_EQ(mc_cli_check_procedure("1.001234.000.00.00.H15"), MSG_NONE);
  CHECK_EQ(mc_cli_check_procedure(""), MSG_ERR_NEED_PROCEDURE);
  CHECK_EQ(mc_cli_check_procedure("a b"), MSG_ERR_PROCEDURE_FORMAT);
  CHECK_EQ(mc_cli_check_procedure("x;drop"), MSG_ERR_PROCEDURE_FORMAT);
  memset(buf, 'P', 40);
  buf[40] = '\0';
  CHECK_EQ(mc_cli_check_procedure(buf), MSG_NONE);
  buf[40] = 'P';
  buf[41] = '\0';
  CHECK_EQ(mc_cli_check_procedure(buf), MSG_ERR_PROCEDURE_FORMAT);
  CHECK_EQ(mc_cli_check_dossier_code("H15.50.05.13-261008-0975"), MSG_NONE);
  CHECK_EQ(mc_cli_check_dossier_code(""), MSG_ERR_NEED_CODE);
  CHECK_EQ(mc_cli_check_dossier_code("H15/x"), MSG_ERR_CODE_FORMAT);
  CHECK_EQ(mc_cli_check_officer(""), MSG_ERR_NO_OFFICER);
  CHECK_EQ(mc_cli_check_officer(NULL), MSG_ERR_NO_OFFICER);
  CHECK_EQ(mc_cli_check_officer("Cán bộ một cửa 18499"), MSG_NONE);
}

static void test_parse_uint(void) {
  unsigned v = 0;
  CHECK_EQ(mc_cli_parse_uint("10", 1, 10, &v), 0);
  CHECK_EQ(v, 10);
  CHECK_EQ(mc_cli_parse_uint("11", 1, 10, &v), -1);
  CHECK_EQ(mc_cli_parse_uint("0", 1, 10, &v), -1);
  CHECK_EQ(mc_cli_parse_uint("-1", 0, 10, &v), -1);
  CHECK_EQ(mc_cli_parse_uint("5x", 0, 10, &v), -1);
  CHECK_EQ(mc_cli_parse_uint("", 0, 10, &v), -1);
  CHECK_EQ(mc_cli_parse_uint("99999999999999999999", 0, 1000, &v), -1);
}

int main(void) {
  RUN_TEST(test_messages_complete);
  RUN_TEST(test_status_names);
  RUN_TEST(test_error_messages);
  RUN_TEST(test_rfc3339);
  RUN_TEST(test_human_time);
  RUN_TEST(test_enum_names);
  RUN_TEST(test_dossier_json);
  RUN_TEST(test_dossier_json_absent);
  RUN_TEST(test_procedure_and_error_json);
  RUN_TEST(test_validate_name);
  RUN_TEST(test_validate_ids);
  RUN_TEST(test_validate_codes);
  RUN_TEST(test_parse_uint);
  return check_result();
}
