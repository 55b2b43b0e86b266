/* Unit tests of the CLI's pure parts: message table, time formatting,
 * JSON rendering of protocol messages, argument validation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "cli_text.h"
#include "error.h"
#include "officers.h"

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
              "Thao tác không đúng cấp có thẩm quyền của thủ tục");
  CHECK(strncmp(mc_msg(MC_LANG_VI, mc_msg_for_err(MC_EFORBIDDEN)),
                "Đơn vị của bạn không có quyền", strlen("Đơn vị của bạn không có quyền")) == 0);
  for (int e = 1; e <= MC_ERR_WIRE_MAX; e++) CHECK(mc_msg_for_err(-e) != MSG_REFUSED_UNKNOWN);
  CHECK_EQ(mc_msg_for_err(MC_ENEEDMORE), MSG_REFUSED_UNKNOWN);
  CHECK_EQ(mc_msg_for_err(0), MSG_REFUSED_UNKNOWN);
  /* a workflow refusal's rule id (docs/WORKFLOW.md "Refusals") in the catalogue */
  CHECK_STREQ(mc_msg_rule(MC_LANG_EN, "rule.forward_once: the dossier was already forwarded"),
              "The dossier was already forwarded");
  CHECK(strncmp(mc_msg_rule(MC_LANG_VI, "rule.before_forward: x"), "Hồ sơ thuộc thẩm quyền",
                strlen("Hồ sơ thuộc thẩm quyền")) == 0);
  CHECK(mc_msg_rule(MC_LANG_VI, "rule.status: result is not allowed in status 2") != NULL);
  CHECK(mc_msg_rule(MC_LANG_VI, "rule.nosuch: x") == NULL);
  CHECK(mc_msg_rule(MC_LANG_VI, "rule.role") == NULL);
  CHECK(mc_msg_rule(MC_LANG_VI, "code") == NULL && mc_msg_rule(MC_LANG_VI, NULL) == NULL);
  CHECK_EQ(mc_lang_parse("vi"), MC_LANG_VI);
  CHECK_EQ(mc_lang_parse("en"), MC_LANG_EN);
  CHECK_EQ(mc_lang_parse("fr"), MC_EINVAL);
}

static void test_rfc3339(void) {
  char b[40];
  CHECK_EQ(mc_render_rfc3339(T_MIDNIGHT, 420, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08T00:30:05+07:00");
  CHECK_EQ(mc_render_rfc3339(T_AFTERNOON + 999, 420, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08T14:05:00+07:00");
  CHECK_EQ(mc_render_rfc3339(T_AFTERNOON, 0, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08T07:05:00+00:00");
  CHECK_EQ(mc_render_rfc3339(T_AFTERNOON, -330, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08T01:35:00-05:30");
  /* 2024-02-28T17:00Z is leap day 29 Feb at 00:00 in Vietnam. */
  CHECK_EQ(mc_render_rfc3339(1709139600000LL, 420, b, sizeof b), 0);
  CHECK_STREQ(b, "2024-02-29T00:00:00+07:00");
  CHECK_EQ(mc_render_rfc3339(0, 420, b, sizeof b), MC_EINVAL);
  CHECK_EQ(mc_render_rfc3339(-5, 420, b, sizeof b), MC_EINVAL);
  CHECK_EQ(mc_render_rfc3339(T_MIDNIGHT, 420, b, 25), MC_EINVAL); /* needs 26 */
  CHECK_EQ(mc_render_rfc3339(T_MIDNIGHT, 420, b, 26), 0);
}

static void test_human_time(void) {
  char b[40];
  CHECK_EQ(mc_render_human_time(T_MIDNIGHT, 420, MC_LANG_VI, b, sizeof b), 0);
  CHECK_STREQ(b, "08/10/2026 00:30");
  CHECK_EQ(mc_render_human_time(T_AFTERNOON, 420, MC_LANG_EN, b, sizeof b), 0);
  CHECK_STREQ(b, "2026-10-08 14:05");
  CHECK_EQ(mc_render_human_time(0, 420, MC_LANG_EN, b, sizeof b), MC_EINVAL);
}

static void test_enum_names(void) {
  CHECK_STREQ(mc_render_level_name(1), "commune");
  CHECK_STREQ(mc_render_level_name(2), "district");
  CHECK(mc_render_level_name(0) == NULL);
  CHECK_STREQ(mc_render_channel_name(1), "direct");
  CHECK_STREQ(mc_render_channel_name(3), "postal");
  CHECK(mc_render_channel_name(4) == NULL);
  CHECK_EQ(mc_render_channel_parse("online"), 2);
  CHECK_EQ(mc_render_channel_parse("fax"), MC_EINVAL);
  CHECK_STREQ(mc_render_limit_unit_name(2), "working_days");
  CHECK_STREQ(mc_render_limit_unit_name(4), "months");
  CHECK(mc_render_limit_unit_name(9) == NULL);
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
  json_t *o = mc_render_dossier_json(&d, MC_LANG_VI);
  CHECK_FATAL(o != NULL);
  CHECK_EQ(json_object_size(o), 28); /* + assigned_login, awaiting_signature (issue 15) */
  CHECK(json_is_null(json_object_get(o, "assigned_login")));
  CHECK(json_is_false(json_object_get(o, "awaiting_signature")));
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
  /* workflow fields: null / 0 / false where unset */
  CHECK(json_is_false(json_object_get(o, "overdue")));
  CHECK(json_is_false(json_object_get(o, "rescheduled")));
  CHECK(json_is_null(json_object_get(o, "assigned_officer")));
  CHECK(json_is_null(json_object_get(o, "department")));
  CHECK(json_is_null(json_object_get(o, "finished_at")));
  CHECK(json_is_null(json_object_get(o, "paused_at")));
  CHECK(json_is_null(json_object_get(o, "returned_at")));
  CHECK(json_is_null(json_object_get(o, "collected_by")));
  CHECK_EQ(json_integer_value(json_object_get(o, "rating")), 0);
  CHECK_EQ(json_integer_value(json_object_get(o, "supplement_count")), 0);
  CHECK_EQ(json_integer_value(json_object_get(o, "fee_amount")), 0);
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
  json_t *o = mc_render_dossier_json(&d, MC_LANG_EN);
  CHECK_FATAL(o != NULL);
  CHECK_STREQ(jstr(o, "status_name"), "Received");
  CHECK_STREQ(jstr(o, "level"), "commune");
  CHECK_STREQ(jstr(o, "channel"), "direct");
  CHECK(json_is_null(json_object_get(o, "forwarded_to")));
  CHECK(json_is_null(json_object_get(o, "forwarded_at")));
  CHECK(json_is_null(json_object_get(o, "due_at")));
  json_decref(o);
  d.applicant = NULL;
  o = mc_render_dossier_json(&d, MC_LANG_EN);
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
  json_t *o = mc_render_procedure_json(&p);
  CHECK_FATAL(o != NULL);
  CHECK_EQ(json_object_size(o), 13); /* + the published file (issue 14) */
  CHECK(json_array_size(json_object_get(o, "components")) == 0);
  CHECK(json_is_false(json_object_get(o, "verified")));
  CHECK_STREQ(jstr(o, "code"), "2.000889.000.00.00.H15");
  CHECK_STREQ(jstr(o, "level"), "district");
  CHECK_STREQ(jstr(o, "sector"), "Đất đai");
  CHECK_EQ(json_integer_value(json_object_get(o, "limit_value")), 30);
  CHECK_STREQ(jstr(o, "limit_unit"), "working_days");
  json_decref(o);
  o = mc_render_error_json(MC_ENOTFOUND, "Không tìm thấy hồ sơ", NULL);
  CHECK_FATAL(o != NULL);
  char *text = json_dumps(o, JSON_COMPACT);
  CHECK_STREQ(text, "{\"error\":{\"code\":\"not_found\",\"message\":\"Không tìm thấy hồ sơ\"}}");
  free(text);
  json_decref(o);
  o = mc_render_error_json(MC_EBADSTATE, "x", "result is not allowed in status 2");
  CHECK_FATAL(o != NULL);
  text = json_dumps(o, JSON_COMPACT);
  CHECK_STREQ(text, "{\"error\":{\"code\":\"bad_state\",\"message\":\"x\","
                    "\"detail\":\"result is not allowed in status 2\"}}");
  free(text);
  json_decref(o);
}


static void test_dossier_json_workflow(void) {
  Motcua__Dossier d = MOTCUA__DOSSIER__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  fill_dossier(&d, &a);
  d.status = 10;
  d.overdue = 1;
  d.assigned_officer = "Trần Văn Bình";
  d.department = "Phòng Tài nguyên và Môi trường";
  d.rating = 3;
  d.supplement_count = 2;
  d.rescheduled = 1;
  d.finished_at_ms = T_AFTERNOON;
  d.returned_at_ms = T_AFTERNOON;
  d.collected_by = "Nguyễn Văn Nam";
  d.fee_amount = 150000;
  json_t *o = mc_render_dossier_json(&d, MC_LANG_VI);
  CHECK_FATAL(o != NULL);
  CHECK(json_is_true(json_object_get(o, "overdue")));
  CHECK(json_is_true(json_object_get(o, "rescheduled")));
  CHECK_STREQ(jstr(o, "assigned_officer"), "Trần Văn Bình");
  CHECK_STREQ(jstr(o, "department"), "Phòng Tài nguyên và Môi trường");
  CHECK_EQ(json_integer_value(json_object_get(o, "rating")), 3);
  CHECK_EQ(json_integer_value(json_object_get(o, "supplement_count")), 2);
  CHECK_EQ(json_integer_value(json_object_get(o, "fee_amount")), 150000);
  CHECK_STREQ(jstr(o, "finished_at"), "2026-10-08T14:05:00+07:00");
  CHECK_STREQ(jstr(o, "returned_at"), "2026-10-08T14:05:00+07:00");
  CHECK(json_is_null(json_object_get(o, "paused_at")));
  CHECK_STREQ(jstr(o, "collected_by"), "Nguyễn Văn Nam");
  json_decref(o);
}

/* Every action has a label in both languages; every command action has a
 * confirmation; the tables agree with the wire enum. */
static void test_action_tables(void) {
  static const char *const wire[] = {
      "receive", "forward", "accept", "assign", "supplement_request", "supplement",
      "fee_request", "fee_paid", "refuse", "stop", "withdraw", "reschedule", "result",
      "send_back", "return", "rate", "propose"};
  static const char *const vi[] = {
      "Tiếp nhận", "Chuyển liên thông", "Nhận hồ sơ", "Phân công", "Yêu cầu bổ sung",
      "Bổ sung hồ sơ", "Yêu cầu nộp phí", "Đã nộp phí", "Từ chối", "Dừng xử lý", "Rút hồ sơ",
      "Hẹn lại", "Có kết quả", "Chuyển trả kết quả", "Trả kết quả", "Đánh giá", "Trình ký"};
  size_t n;
  const mc_render_action_def *defs = mc_render_actions(&n);
  CHECK_EQ(n, 17);
  int seen_action[16] = {0};
  for (size_t i = 0; i < sizeof wire / sizeof wire[0]; i++) {
    const mc_render_action_def *d = mc_render_action_by_name(wire[i]);
    CHECK_FATAL(d != NULL);
    CHECK_STREQ(mc_render_action_label(MC_LANG_VI, wire[i]), vi[i]);
    const char *en = mc_render_action_label(MC_LANG_EN, wire[i]);
    CHECK(en[0] != '\0' && strcmp(en, vi[i]) != 0);
    if (d->command == NULL) {
      CHECK_EQ(d->action, 0);
      continue;
    }
    CHECK(d->action >= 1 && d->action <= 15);
    CHECK(d->done != MSG_NONE && mc_msg(MC_LANG_EN, d->done)[0] != '\0');
    CHECK(mc_render_action_by_command(d->command) == d);
    seen_action[d->action]++;
  }
  for (int a = 1; a <= 15; a++) CHECK_EQ(seen_action[a], 1);
  /* labels are distinct within a language */
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      for (int lang = 0; lang < 2; lang++)
        CHECK(strcmp(mc_msg(lang, defs[i].label), mc_msg(lang, defs[j].label)) != 0);
  CHECK_STREQ(mc_render_action_label(MC_LANG_VI, "forwarded"), "Chuyển liên thông");
  CHECK_STREQ(mc_render_action_label(MC_LANG_VI, "teleport"), "teleport");
  CHECK(mc_render_action_by_command("supplement_request") == NULL);
  CHECK_EQ(mc_render_action_by_command("supplement-request")->action,
           MOTCUA__ACTION__ACTION_SUPPLEMENT_REQUEST);
  CHECK_STREQ(mc_render_result_label(MC_LANG_VI, "early"), "Trước hạn");
  CHECK_STREQ(mc_render_result_label(MC_LANG_VI, "on_time"), "Đúng hạn");
  CHECK_STREQ(mc_render_result_label(MC_LANG_VI, "late"), "Quá hạn");
  CHECK_STREQ(mc_render_result_label(MC_LANG_EN, "on_time"), "On time");
  CHECK_STREQ(mc_render_result_label(MC_LANG_EN, ""), "");
}

static void fill_steps(Motcua__ProgressStep *s) {
  s[0].at_ms = T_MIDNIGHT;
  s[0].unit_code = "18499";
  s[0].officer = "Lê Thị Thu";
  s[0].role = MOTCUA__ROLE__ROLE_COMMUNE;
  s[0].action = "receive";
  s[0].status_before = 0;
  s[0].status_after = 2;
  s[0].step_due_ms = T_AFTERNOON;
  s[0].result = "";
  s[1].at_ms = T_AFTERNOON;
  s[1].unit_code = "18499";
  s[1].officer = "Lê Thị Thu";
  s[1].role = MOTCUA__ROLE__ROLE_COMMUNE;
  s[1].action = "forward";
  s[1].status_before = 2;
  s[1].status_after = 2;
  s[1].from_unit = "18499";
  s[1].to_unit = "444";
  s[1].unit_name = "Xã Điền Mỹ";
  s[1].from_unit_name = "Xã Điền Mỹ";
  s[1].to_unit_name = "Trung tâm Hành chính công huyện Hương Khê";
  s[1].step_due_ms = T_AFTERNOON;
  s[1].result = "on_time";
  s[2].at_ms = T_AFTERNOON + 60000;
  s[2].unit_code = "444";
  s[2].unit_name = "Trung tâm Hành chính công huyện Hương Khê";
  s[2].officer = "Trần Văn Bình";
  s[2].role = MOTCUA__ROLE__ROLE_DISTRICT;
  s[2].action = "supplement_request";
  s[2].status_before = 4;
  s[2].status_after = 5;
  s[2].step_due_ms = T_AFTERNOON;
  s[2].result = "late";
  s[2].detail = "Thiếu bản sao giấy chứng minh nhân dân\nvà sổ hộ khẩu";
}

static void test_history_json(void) {
  Motcua__Dossier d = MOTCUA__DOSSIER__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  Motcua__ProgressStep s[3] = {MOTCUA__PROGRESS_STEP__INIT, MOTCUA__PROGRESS_STEP__INIT,
                               MOTCUA__PROGRESS_STEP__INIT};
  Motcua__ProgressStep *sp[3] = {&s[0], &s[1], &s[2]};
  Motcua__HistoryReply h = MOTCUA__HISTORY_REPLY__INIT;
  fill_dossier(&d, &a);
  fill_steps(s);
  h.dossier = &d;
  h.n_steps = 3;
  h.steps = sp;
  json_t *o = mc_render_history_json(&h, MC_LANG_VI);
  CHECK_FATAL(o != NULL);
  CHECK_EQ(json_object_size(o), 2);
  CHECK_STREQ(jstr(json_object_get(o, "dossier"), "code"), "H15.50.05.13-261008-0975");
  json_t *steps = json_object_get(o, "steps");
  CHECK_FATAL(json_is_array(steps) && json_array_size(steps) == 3);
  json_t *s0 = json_array_get(steps, 0), *s1 = json_array_get(steps, 1),
         *s2 = json_array_get(steps, 2);
  CHECK_EQ(json_object_size(s0), 18); /* + officer_login, _verified, _title (issue 15) */
  CHECK(json_is_null(json_object_get(s0, "officer_login")));
  CHECK(json_is_false(json_object_get(s0, "officer_verified")));
  CHECK_STREQ(jstr(s0, "at"), "2026-10-08T00:30:05+07:00");
  CHECK_STREQ(jstr(s0, "unit"), "18499");
  CHECK_STREQ(jstr(s0, "officer"), "Lê Thị Thu");
  CHECK_STREQ(jstr(s0, "role"), "commune");
  CHECK_STREQ(jstr(s0, "action"), "receive");
  CHECK(json_is_null(json_object_get(s0, "status_before")));
  CHECK_EQ(json_integer_value(json_object_get(s0, "status_after")), 2);
  CHECK(json_is_null(json_object_get(s0, "from_unit")));
  CHECK(json_is_null(json_object_get(s0, "to_unit")));
  /* step 0 carries no names (an older server): null, not "" */
  CHECK(json_is_null(json_object_get(s0, "unit_name")));
  CHECK(json_is_null(json_object_get(s0, "from_unit_name")));
  CHECK(json_is_null(json_object_get(s0, "to_unit_name")));
  CHECK_STREQ(jstr(s0, "step_due"), "2026-10-08T14:05:00+07:00");
  CHECK(json_is_null(json_object_get(s0, "result")));
  CHECK(json_is_null(json_object_get(s0, "detail")));
  CHECK_STREQ(jstr(s1, "from_unit"), "18499");
  CHECK_STREQ(jstr(s1, "to_unit"), "444");
  CHECK_STREQ(jstr(s1, "unit_name"), "Xã Điền Mỹ");
  CHECK_STREQ(jstr(s1, "from_unit_name"), "Xã Điền Mỹ");
  CHECK_STREQ(jstr(s1, "to_unit_name"), "Trung tâm Hành chính công huyện Hương Khê");
  CHECK_STREQ(jstr(s2, "unit_name"), "Trung tâm Hành chính công huyện Hương Khê");
  CHECK(json_is_null(json_object_get(s2, "from_unit_name")));
  CHECK_STREQ(jstr(s1, "result"), "on_time");
  CHECK_STREQ(jstr(s2, "role"), "district");
  CHECK_EQ(json_integer_value(json_object_get(s2, "status_before")), 4);
  CHECK_STREQ(jstr(s2, "detail"), "Thiếu bản sao giấy chứng minh nhân dân\nvà sổ hộ khẩu");
  json_decref(o);
  /* the human table: Vietnamese action names, results, local times */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  CHECK_FATAL(f != NULL);
  cli_print_history(f, &h, MC_LANG_VI);
  fclose(f);
  CHECK(strstr(buf, "Tiếp nhận") != NULL);
  CHECK(strstr(buf, "Chuyển liên thông") != NULL);
  CHECK(strstr(buf, "Yêu cầu bổ sung") != NULL);
  CHECK(strstr(buf, "Đúng hạn") != NULL);
  CHECK(strstr(buf, "Quá hạn") != NULL);
  /* unit names when the server sent them, the code otherwise */
  CHECK(strstr(buf, "Xã Điền Mỹ → Trung tâm Hành chính công huyện Hương Khê\n") != NULL);
  CHECK(strstr(buf, "Quá hạn    Trung tâm Hành chính công huyện Hương Khê\n") != NULL);
  CHECK(strstr(buf, "  18499\n") != NULL);
  CHECK(strstr(buf, "18499→444") == NULL);
  CHECK(strstr(buf, "08/10/2026 00:30") != NULL);
  CHECK(strstr(buf, "3 bước") != NULL);
  free(buf);
}

static void test_event_json(void) {
  Motcua__Dossier d = MOTCUA__DOSSIER__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  Motcua__DossierEvent e = MOTCUA__DOSSIER_EVENT__INIT;
  fill_dossier(&d, &a);
  d.status = 5;
  e.kind = "supplement_request";
  e.dossier = &d;
  e.at_ms = T_AFTERNOON;
  e.from_unit = "444";
  e.detail = "Thiếu bản sao sổ đỏ";
  e.event_id = 42;
  json_t *o = mc_render_event_json(&e, MC_LANG_EN);
  CHECK_FATAL(o != NULL);
  CHECK_EQ(json_object_size(o), 6);
  CHECK_EQ(json_integer_value(json_object_get(o, "id")), 42);
  CHECK_STREQ(jstr(o, "kind"), "supplement_request");
  CHECK_STREQ(jstr(o, "at"), "2026-10-08T14:05:00+07:00");
  CHECK_STREQ(jstr(o, "from_unit"), "444");
  CHECK_STREQ(jstr(o, "detail"), "Thiếu bản sao sổ đỏ");
  CHECK_STREQ(jstr(json_object_get(o, "dossier"), "status_name"), "Supplement requested");
  json_decref(o);
  e.detail = "";
  e.dossier = NULL;
  o = mc_render_event_json(&e, MC_LANG_VI);
  CHECK(o != NULL && json_is_null(json_object_get(o, "detail")) &&
        json_is_null(json_object_get(o, "dossier")));
  json_decref(o);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  e.dossier = &d;
  cli_print_event(f, &e, MC_LANG_VI);
  fclose(f);
  CHECK(strstr(buf, "Yêu cầu bổ sung") != NULL && strstr(buf, "từ 444") != NULL);
  free(buf);
  Motcua__Holiday hd = MOTCUA__HOLIDAY__INIT;
  hd.date = "2026-09-02";
  hd.kind = "holiday";
  hd.name = "Quốc khánh";
  o = mc_render_holiday_json(&hd);
  char *text = json_dumps(o, JSON_COMPACT);
  CHECK_STREQ(text, "{\"date\":\"2026-09-02\",\"kind\":\"holiday\",\"name\":\"Quốc khánh\"}");
  free(text);
  json_decref(o);
}

static void test_parse_due(void) {
  int64_t ms = 0;
  /* 2026-10-08 17:00 +07:00 = 10:00Z */
  CHECK_EQ(mc_fields_parse_due("2026-10-08", 420, &ms), 0);
  CHECK_EQ(ms, 1791453600000LL);
  CHECK_EQ(mc_fields_parse_due("2026-10-08T14:05", 420, &ms), 0);
  CHECK_EQ(ms, T_AFTERNOON);
  CHECK_EQ(mc_fields_parse_due("2026-10-08 14:05", 420, &ms), 0);
  CHECK_EQ(ms, T_AFTERNOON);
  CHECK_EQ(mc_fields_parse_due("2026-10-08T00:30", 420, &ms), 0);
  CHECK_EQ(ms, T_MIDNIGHT - 5000);
  CHECK_EQ(mc_fields_parse_due("2024-02-29", 420, &ms), 0);
  CHECK_EQ(mc_fields_parse_due("2026-02-29", 420, &ms), MC_EINVAL); /* not a leap year */
  CHECK_EQ(mc_fields_parse_due("2100-02-29", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("2026-04-31", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("2026-13-01", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("2026-10-08T24:00", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("2026-10-08T12:60", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("2026-10-08T1:05", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("2026-10-8", 420, &ms), MC_EINVAL);
  /* issue 14: dd/mm/yyyy, the form clerks use and every output prints */
  CHECK_EQ(mc_fields_parse_due("08/10/2026", 420, &ms), 0);
  CHECK_EQ(ms, 1791453600000LL);
  CHECK_EQ(mc_fields_parse_due("08/10/2026 14:05", 420, &ms), 0);
  CHECK_EQ(ms, T_AFTERNOON);
  CHECK_EQ(mc_fields_parse_due("08/10/2026T14:05", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("8/10/2026", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("31/04/2026", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("10/13/2026", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("08-10-2026", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("2026-10-08Z", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due("", 420, &ms), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_due(NULL, 420, &ms), MC_EINVAL);
  int y, m, d;
  CHECK_EQ(mc_fields_parse_date("2026-09-02", &y, &m, &d), 0);
  CHECK(y == 2026 && m == 9 && d == 2);
  CHECK_EQ(mc_fields_parse_date("2026-09-02T10:00", &y, &m, &d), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_date("1999-12-31", &y, &m, &d), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_date("2026-09-00", &y, &m, &d), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_date("02/09/2026", &y, &m, &d), 0);
  CHECK(y == 2026 && m == 9 && d == 2);
  char iso[11];
  CHECK_EQ(mc_fields_iso_date("29/02/2028", iso), 0);
  CHECK_STREQ(iso, "2028-02-29");
  CHECK_EQ(mc_fields_iso_date("29/02/2027", iso), MC_EINVAL);
  CHECK_EQ(mc_fields_iso_date("2027-01-08", iso), 0);
  CHECK_STREQ(iso, "2027-01-08");
}

static void test_parse_span_amount(void) {
  int64_t v = 0;
  CHECK_EQ(mc_fields_parse_span("2d", &v), 0);
  CHECK_EQ(v, 2LL * 86400000);
  CHECK_EQ(mc_fields_parse_span("36h", &v), 0);
  CHECK_EQ(v, 36LL * 3600000);
  CHECK_EQ(mc_fields_parse_span("90m", &v), 0);
  CHECK_EQ(v, 90LL * 60000);
  CHECK_EQ(mc_fields_parse_span("366d", &v), 0);
  CHECK_EQ(mc_fields_parse_span("367d", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_span("0d", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_span("2", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_span("2w", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_span("2dd", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_span("-2d", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_span("d", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_span("99999999999999999999h", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_amount("150000", &v), 0);
  CHECK_EQ(v, 150000);
  CHECK_EQ(mc_fields_parse_amount("1000000000000", &v), 0);
  CHECK_EQ(mc_fields_parse_amount("1000000000001", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_amount("0", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_amount("-5", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_amount("150.000", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_amount("1e6", &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_amount("", &v), MC_EINVAL);
}

static void test_validate_reason(void) {
  char buf[600];
  CHECK_EQ(mc_fields_check_reason("Thiếu bản sao sổ hộ khẩu"), MSG_NONE);
  CHECK_EQ(mc_fields_check_reason("Dòng 1\nDòng 2"), MSG_NONE);
  CHECK_EQ(mc_fields_check_reason("Tab\tkhông được"), MSG_ERR_REASON_INVALID);
  CHECK_EQ(mc_fields_check_reason("CR\r"), MSG_ERR_REASON_INVALID);
  CHECK_EQ(mc_fields_check_reason(" \n "), MSG_ERR_REASON_INVALID);
  CHECK_EQ(mc_fields_check_reason(""), MSG_ERR_REASON_INVALID);
  CHECK_EQ(mc_fields_check_reason("bad \xC3"), MSG_ERR_REASON_INVALID);
  memset(buf, 'x', MC_LIM_TEXT);
  buf[MC_LIM_TEXT] = '\0';
  CHECK_EQ(mc_fields_check_reason(buf), MSG_NONE);
  buf[MC_LIM_TEXT] = 'x';
  buf[MC_LIM_TEXT + 1] = '\0';
  CHECK_EQ(mc_fields_check_reason(buf), MSG_ERR_REASON_INVALID);
  CHECK_EQ(mc_fields_check_note(buf), MSG_ERR_NOTE_INVALID);
  CHECK_EQ(mc_fields_check_note("Đã nộp bản sao"), MSG_NONE);
  CHECK_EQ(mc_fields_check_assignee("Trần Văn Bình"), MSG_NONE);
  CHECK_EQ(mc_fields_check_assignee("Hai\ndòng"), MSG_ERR_ASSIGNEE_INVALID);
  memset(buf, 'a', MC_LIM_PERSON_NAME);
  buf[MC_LIM_PERSON_NAME] = '\0';
  CHECK_EQ(mc_fields_check_collector(buf), MSG_NONE);
  CHECK_EQ(mc_fields_check_assignee(buf), MSG_ERR_ASSIGNEE_INVALID);
  CHECK_EQ(mc_fields_check_department(buf), MSG_ERR_DEPT_INVALID);
  buf[MC_LIM_PERSON_NAME] = 'a';
  buf[MC_LIM_PERSON_NAME + 1] = '\0';
  CHECK_EQ(mc_fields_check_collector(buf), MSG_ERR_COLLECTOR_INVALID);
  CHECK_EQ(mc_fields_check_holiday_name("Tết Nguyên đán"), MSG_NONE);
  CHECK_EQ(mc_fields_check_search("Nguyen Van"), MSG_NONE);
  CHECK_EQ(mc_fields_check_search(""), MSG_ERR_SEARCH_TEXT);
}

static void test_validate_name(void) {
  char buf[200];
  CHECK_EQ(mc_fields_check_name("Nguyễn Văn Thử"), MSG_NONE);
  CHECK_EQ(mc_fields_check_name(""), MSG_ERR_NEED_NAME);
  CHECK_EQ(mc_fields_check_name(NULL), MSG_ERR_NEED_NAME);
  CHECK_EQ(mc_fields_check_name("   "), MSG_ERR_NAME_INVALID);
  CHECK_EQ(mc_fields_check_name("Tab\there"), MSG_ERR_NAME_INVALID);
  CHECK_EQ(mc_fields_check_name("Bad \xC3"), MSG_ERR_NAME_INVALID);     /* truncated */
  CHECK_EQ(mc_fields_check_name("Bad \xC0\xAF"), MSG_ERR_NAME_INVALID); /* overlong */
  CHECK_EQ(mc_fields_check_name("Bad \xED\xA0\x80"), MSG_ERR_NAME_INVALID); /* surrogate */
  CHECK_EQ(mc_fields_check_name("C1 \xC2\x85"), MSG_ERR_NAME_INVALID);
  memset(buf, 'a', MC_LIM_PERSON_NAME);
  buf[MC_LIM_PERSON_NAME] = '\0';
  CHECK_EQ(mc_fields_check_name(buf), MSG_NONE);
  buf[MC_LIM_PERSON_NAME] = 'a';
  buf[MC_LIM_PERSON_NAME + 1] = '\0';
  CHECK_EQ(mc_fields_check_name(buf), MSG_ERR_NAME_TOO_LONG);
  /* 79 two-byte letters = 158 bytes: allowed; one more (160) is not. */
  for (int i = 0; i < 80; i++) memcpy(buf + 2 * i, "\xC3\xA2", 2); /* â */
  buf[158] = '\0';
  CHECK_EQ(mc_fields_check_name(buf), MSG_NONE);
  memcpy(buf + 158, "\xC3\xA2", 2);
  buf[160] = '\0';
  CHECK_EQ(mc_fields_check_name(buf), MSG_ERR_NAME_TOO_LONG);
}

static void test_validate_ids(void) {
  CHECK_EQ(mc_fields_check_citizen_id("183456789"), MSG_NONE);
  CHECK_EQ(mc_fields_check_citizen_id("042190000123"), MSG_NONE);
  CHECK_EQ(mc_fields_check_citizen_id("0421900001234"), MSG_ERR_ID_FORMAT);
  CHECK_EQ(mc_fields_check_citizen_id("1834567890"), MSG_ERR_ID_FORMAT);
  CHECK_EQ(mc_fields_check_citizen_id("18345678a"), MSG_ERR_ID_FORMAT);
  CHECK_EQ(mc_fields_check_citizen_id(""), MSG_ERR_NEED_ID);
  CHECK_EQ(mc_fields_check_phone(""), MSG_NONE);
  CHECK_EQ(mc_fields_check_phone(NULL), MSG_NONE);
  CHECK_EQ(mc_fields_check_phone("0912345678"), MSG_NONE);
  CHECK_EQ(mc_fields_check_phone("123456789012345"), MSG_NONE);
  CHECK_EQ(mc_fields_check_phone("1234567890123456"), MSG_ERR_PHONE_FORMAT);
  CHECK_EQ(mc_fields_check_phone("+84912345678"), MSG_ERR_PHONE_FORMAT);
  CHECK_EQ(mc_fields_check_phone("0912 345 678"), MSG_ERR_PHONE_FORMAT);
}

static void test_validate_codes(void) {
  char buf[64];
  CHECK_EQ(mc_fields_check_procedure("1.001234.000.00.00.H15"), MSG_NONE);
  CHECK_EQ(mc_fields_check_procedure(""), MSG_ERR_NEED_PROCEDURE);
  CHECK_EQ(mc_fields_check_procedure("a b"), MSG_ERR_PROCEDURE_FORMAT);
  CHECK_EQ(mc_fields_check_procedure("x;drop"), MSG_ERR_PROCEDURE_FORMAT);
  memset(buf, 'P', MC_LIM_PROC_CODE);
  buf[MC_LIM_PROC_CODE] = '\0';
  CHECK_EQ(mc_fields_check_procedure(buf), MSG_NONE);
  buf[MC_LIM_PROC_CODE] = 'P';
  buf[MC_LIM_PROC_CODE + 1] = '\0';
  CHECK_EQ(mc_fields_check_procedure(buf), MSG_ERR_PROCEDURE_FORMAT);
  CHECK_EQ(mc_fields_check_dossier_code("H15.50.05.13-261008-0975"), MSG_NONE);
  CHECK_EQ(mc_fields_check_dossier_code(""), MSG_ERR_NEED_CODE);
  CHECK_EQ(mc_fields_check_dossier_code("H15/x"), MSG_ERR_CODE_FORMAT);
  CHECK_EQ(mc_fields_check_officer(""), MSG_ERR_NO_OFFICER);
  CHECK_EQ(mc_fields_check_officer(NULL), MSG_ERR_NO_OFFICER);
  CHECK_EQ(mc_fields_check_officer("Cán bộ một cửa 18499"), MSG_NONE);
}

static void test_parse_uint(void) {
  unsigned v = 0;
  CHECK_EQ(mc_fields_parse_uint("10", 1, 10, &v), 0);
  CHECK_EQ(v, 10);
  CHECK_EQ(mc_fields_parse_uint("11", 1, 10, &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_uint("0", 1, 10, &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_uint("-1", 0, 10, &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_uint("5x", 0, 10, &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_uint("", 0, 10, &v), MC_EINVAL);
  CHECK_EQ(mc_fields_parse_uint("99999999999999999999", 0, 1000, &v), MC_EINVAL);
}

/* ---- cli_text: display width, cells, suggestions ------------------------- */

static void test_text_width(void) {
  CHECK_EQ(cli_text_width(""), 0);
  CHECK_EQ(cli_text_width("abc"), 3);
  /* precomposed Vietnamese (NFC): one column per letter */
  CHECK_EQ(cli_text_width("Trung tâm Hành chính công huyện Hương Khê"), 41);
  CHECK_EQ(cli_text_width("đã thu hồi"), 10);
  /* decomposed (NFD): base letter + U+0302 + U+0301 = one column */
  CHECK_EQ(cli_text_width("e\xcc\x82\xcc\x81"), 1);
  CHECK_EQ(cli_text_width("a\xe1\xb7\x80"), 1);       /* U+1DC0 */
  CHECK_EQ(cli_text_width("a\xe2\x83\x90"), 1);       /* U+20D0 */
  CHECK_EQ(cli_text_width("a\xef\xb8\xa0"), 1);       /* U+FE20 */
  CHECK_EQ(cli_text_width("a\xe1\xaa\xb0"), 1);       /* U+1AB0 */
  CHECK_EQ(cli_text_width("\xe4\xb8\xad\xe6\x96\x87"), 4); /* 中文 */
  CHECK_EQ(cli_text_width("\xea\xb0\x80"), 2);        /* 가 U+AC00 */
  CHECK_EQ(cli_text_width("\xef\xbc\xa1"), 2);        /* fullwidth A */
  CHECK_EQ(cli_text_width("\xf0\x9f\x98\x80"), 2);    /* U+1F600 */
  CHECK_EQ(cli_text_width("–…"), 2);
  CHECK_EQ(cli_text_width("\xff\xc3"), 2);             /* bad bytes: one column each */
  CHECK_EQ(cli_text_cp_width(0x0300), 0);
  CHECK_EQ(cli_text_cp_width(0x036F), 0);
  CHECK_EQ(cli_text_cp_width(0x0370), 1);
}

static void test_text_fit(void) {
  char b[128];
  CHECK_STREQ(cli_text_fit("ab", 4, b, sizeof b), "ab  ");
  CHECK_STREQ(cli_text_fit("abcd", 4, b, sizeof b), "abcd");
  CHECK_STREQ(cli_text_fit("abcde", 4, b, sizeof b), "abc…");
  CHECK_STREQ(cli_text_fit("Hương Khê", 12, b, sizeof b), "Hương Khê   ");
  CHECK_EQ(cli_text_width(b), 12);
  cli_text_fit("Trung tâm Hành chính công huyện Hương Khê", 30, b, sizeof b);
  CHECK_EQ(cli_text_width(b), 30);
  CHECK_STREQ(b, "Trung tâm Hành chính công huy…");
  /* a wide character that does not fit in the last column: padded */
  CHECK_STREQ(cli_text_fit("\xe4\xb8\xad\xe6\x96\x87x", 4, b, sizeof b), "\xe4\xb8\xad… ");
  CHECK_EQ(cli_text_width(b), 4);
  /* a combining mark stays with its letter */
  CHECK_STREQ(cli_text_fit("e\xcc\x82x", 1, b, sizeof b), "…");
  CHECK_STREQ(cli_text_fit("e\xcc\x82", 2, b, sizeof b), "e\xcc\x82 ");
  /* a tiny buffer is always terminated, never split inside a character */
  CHECK_STREQ(cli_text_fit("ễễễ", 3, b, 4), "ễ");
  CHECK_STREQ(cli_text_fit("abc", 3, b, 1), "");
}

static void test_text_suggest(void) {
  static const char *const cmds[] = {"ping", "list", "show", "history", "holidays",
                                     "supplement", "supplement-request", "watch", NULL};
  size_t n = sizeof cmds / sizeof cmds[0];
  CHECK_EQ(cli_text_distance("lsit", "list"), 1);   /* swap */
  CHECK_EQ(cli_text_distance("lst", "list"), 1);    /* insert */
  CHECK_EQ(cli_text_distance("liist", "list"), 1);  /* delete */
  CHECK_EQ(cli_text_distance("lust", "list"), 1);   /* substitute */
  CHECK_EQ(cli_text_distance("LIST", "list"), 0);
  CHECK_EQ(cli_text_distance("", "abc"), 3);
  CHECK_EQ(cli_text_distance("ca", "abc"), 3);      /* OSA, not full Damerau */
  CHECK_STREQ(cli_text_suggest("lsit", cmds, n), "list");
  CHECK_STREQ(cli_text_suggest("histroy", cmds, n), "history");
  CHECK_STREQ(cli_text_suggest("wacth", cmds, n), "watch");
  CHECK_STREQ(cli_text_suggest("suplement", cmds, n), "supplement");
  CHECK_STREQ(cli_text_suggest("supplement-reqest", cmds, n), "supplement-request");
  CHECK(cli_text_suggest("list", cmds, n) == NULL);     /* not a typo */
  CHECK(cli_text_suggest("xyzzy", cmds, n) == NULL);    /* nothing close */
  CHECK(cli_text_suggest("pg", cmds, n) == NULL);       /* 2 edits > threshold 1 */
  CHECK(cli_text_suggest("a", cmds, 0) == NULL);
}

/* Officer roles by name, masks, the JSON of an officer (officers.h). */
static void test_officer_roles_and_json(void) {
  unsigned m = 0;
  const char *bad = NULL;
  size_t badlen = 0;
  CHECK_EQ(mc_officer_roles_parse("processing,leader", &m, &bad, &badlen), MC_OK);
  CHECK_EQ(m, MC_OFFICER_ROLE_BIT(2) | MC_OFFICER_ROLE_BIT(3));
  CHECK_EQ(mc_officer_roles_parse("xu-ly", &m, NULL, NULL), MC_OK); /* Vietnamese alias */
  CHECK_EQ(m, MC_OFFICER_ROLE_BIT(2));
  CHECK_EQ(mc_officer_roles_parse("leader,boss", &m, &bad, &badlen), MC_EINVAL);
  CHECK(badlen == 4 && strncmp(bad, "boss", 4) == 0);
  CHECK_EQ(mc_officer_roles_parse("", &m, NULL, NULL), MC_EINVAL);
  CHECK_EQ(mc_officer_role_parse("unit_admin"), 4);
  CHECK_EQ(mc_officer_role_parse("admin"), -1);
  CHECK(mc_officer_login_ok("receiving.18499") && !mc_officer_login_ok("ab") &&
        !mc_officer_login_ok("Nguyen") && !mc_officer_login_ok("a b c"));
  char text[128];
  mc_officer_roles_text(MC_OFFICER_ROLE_BIT(1) | MC_OFFICER_ROLE_BIT(3), MC_LANG_VI, text,
                        sizeof text);
  CHECK_STREQ(text, "tiếp nhận và trả kết quả, lãnh đạo");
  mc_officer_entry o = {.login = "leader.444", .full_name = "Lý Thị Lãnh Đạo", .unit_code = "444",
                  .roles = MC_OFFICER_ROLE_BIT(3), .must_change_password = 1};
  json_t *j = mc_officer_json(&o);
  CHECK_FATAL(j != NULL);
  CHECK_STREQ(json_string_value(json_object_get(j, "login")), "leader.444");
  CHECK_STREQ(json_string_value(json_array_get(json_object_get(j, "roles"), 0)), "leader");
  CHECK(json_is_true(json_object_get(j, "must_change_password")));
  CHECK(json_is_null(json_object_get(j, "last_login")));
  CHECK(json_object_get(j, "temporary_password") == NULL);
  json_decref(j);
  char pw[8] = "secret!";
  mc_officers_wipe(pw, sizeof pw);
  for (size_t i = 0; i < sizeof pw; i++) CHECK_EQ(pw[i], 0);
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
  RUN_TEST(test_dossier_json_workflow);
  RUN_TEST(test_action_tables);
  RUN_TEST(test_history_json);
  RUN_TEST(test_event_json);
  RUN_TEST(test_parse_due);
  RUN_TEST(test_parse_span_amount);
  RUN_TEST(test_validate_reason);
  RUN_TEST(test_validate_name);
  RUN_TEST(test_validate_ids);
  RUN_TEST(test_validate_codes);
  RUN_TEST(test_parse_uint);
  RUN_TEST(test_text_width);
  RUN_TEST(test_text_fit);
  RUN_TEST(test_text_suggest);
  RUN_TEST(test_officer_roles_and_json);
  return check_result();
}
