/* Writes the seed corpora (fuzz/corpus/{frame,request}/) from realistic
 * requests of every kind. Run by hand after a protocol change:
 *   build-fuzz/bin/mc_fuzz_mkseeds fuzz/corpus */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "frame.h"

static void write_file(const char *dir, const char *sub, const char *name, const uint8_t *b,
                       size_t n) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(b, 1, n, f) != n) perror(path);
  if (f != NULL) fclose(f);
}

static void emit(const char *dir, const char *name, Motcua__Envelope *env) {
  uint8_t *frame;
  size_t len;
  if (mc_frame_encode(env, MC_FRAME_MAX_DEFAULT, &frame, &len) != 0) return;
  write_file(dir, "frame", name, frame, len);
  write_file(dir, "request", name, frame + MC_FRAME_HEADER, len - MC_FRAME_HEADER);
  free(frame);
}

/* A frame whose body does not unpack but whose request id (77) can be
 * read: mc_frame_peek_request_id's path (the Error carries 77). */
static void emit_malformed_body(const char *dir) {
  static const uint8_t f[] = {0, 0, 0, 9, 0x08, 77, 0x62, 0x05, 0x0a, 0x7f, 'a', 'b', 'c'};
  write_file(dir, "frame", "malformed_body_id", f, sizeof f);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "fuzz/corpus";
  emit_malformed_body(dir);
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  env.request_id = 7;

  Motcua__Hello h = MOTCUA__HELLO__INIT;
  h.protocol_version = MC_PROTOCOL_VERSION;
  h.client_version = "0.1.0";
  env.body_case = MOTCUA__ENVELOPE__BODY_HELLO;
  env.hello = &h;
  emit(dir, "hello", &env);

  Motcua__Applicant ap = MOTCUA__APPLICANT__INIT;
  ap.name = "Nguyễn Thị Thu Trang";
  ap.id_number = "042190001234";
  ap.phone = "0912345678";
  Motcua__ReceiveRequest rq = MOTCUA__RECEIVE_REQUEST__INIT;
  rq.idempotency_key = "0123456789abcdef0123456789abcdef";
  rq.procedure_code = "2.000720";
  rq.applicant = &ap;
  rq.channel = MOTCUA__CHANNEL__CHANNEL_DIRECT;
  rq.officer = "Cán bộ một cửa";
  env.body_case = MOTCUA__ENVELOPE__BODY_RECEIVE;
  env.receive = &rq;
  emit(dir, "receive", &env);
  /* issue 14: the intake fields, at their bounds */
  Motcua__ReceivedComponent rc[MC_LIM_COMPONENTS], *rcp[MC_LIM_COMPONENTS];
  for (int i = 0; i < MC_LIM_COMPONENTS; i++) {
    motcua__received_component__init(&rc[i]);
    rc[i].ordinal = (uint32_t)i + 1;
    rc[i].count = (uint32_t)(i % MC_LIM_COMPONENT_COUNT) + 1;
    rc[i].form = (Motcua__ComponentForm)(i % 6);
    rcp[i] = &rc[i];
  }
  rq.address = "Thôn 3, xã Hương Bình, huyện Hương Khê, tỉnh Hà Tĩnh";
  rq.email = "trang@example.vn";
  rq.sets = MC_LIM_SETS;
  rq.n_components = MC_LIM_COMPONENTS;
  rq.components = rcp;
  rq.missing_reason = "Giấy chứng sinh bị mất";
  emit(dir, "receive_intake", &env);
  rq.n_components = 0;
  rq.components = NULL;

  Motcua__ActionRequest ar = MOTCUA__ACTION_REQUEST__INIT;
  ar.idempotency_key = "fedcba9876543210";
  ar.code = "H30.44.02-261129-0001";
  ar.action = MOTCUA__ACTION__ACTION_SUPPLEMENT_REQUEST;
  ar.reason = "Thiếu bản sao giấy chứng nhận quyền sử dụng đất";
  env.body_case = MOTCUA__ENVELOPE__BODY_ACTION;
  env.action = &ar;
  emit(dir, "action_supplement", &env);
  ar.action = MOTCUA__ACTION__ACTION_ASSIGN;
  ar.to_officer = "Lê Văn Nam";
  ar.department = "Phòng Tài chính - Kế hoạch";
  emit(dir, "action_assign", &env);
  ar.action = MOTCUA__ACTION__ACTION_FEE_REQUEST;
  ar.amount = 50000;
  emit(dir, "action_fee", &env);

  Motcua__ForwardRequest fr = MOTCUA__FORWARD_REQUEST__INIT;
  fr.idempotency_key = "aaaaaaaabbbbbbbb";
  fr.code = "H30.44.02-261129-0001";
  env.body_case = MOTCUA__ENVELOPE__BODY_FORWARD;
  env.forward = &fr;
  emit(dir, "forward", &env);

  Motcua__SearchRequest sr = MOTCUA__SEARCH_REQUEST__INIT;
  sr.text = "nguyen thi";
  env.body_case = MOTCUA__ENVELOPE__BODY_SEARCH;
  env.search = &sr;
  emit(dir, "search", &env);
  sr.after = "S.1042.1796058000123456"; /* issue 19: the next page */
  emit(dir, "search_after", &env);

  Motcua__InboxRequest ir = MOTCUA__INBOX_REQUEST__INIT;
  ir.limit = 50;
  ir.after = "I.77";
  env.body_case = MOTCUA__ENVELOPE__BODY_INBOX;
  env.inbox = &ir;
  emit(dir, "inbox_after", &env);

  Motcua__ListRequest lr = MOTCUA__LIST_REQUEST__INIT;
  lr.status = 4;
  lr.overdue = 1;
  lr.due_within_ms = 172800000;
  env.body_case = MOTCUA__ENVELOPE__BODY_LIST;
  env.list = &lr;
  emit(dir, "list", &env);
  lr.sort = "-due";
  lr.after = "L1d.311.n"; /* issue 19: after a row without a due date */
  emit(dir, "list_after_due", &env);
  lr.sort = "code";
  lr.after = "L2a.9.4833302e34342e30322d3236313132392d30303031"; /* hex of a code */
  emit(dir, "list_after_code", &env);

  Motcua__Holiday hd = MOTCUA__HOLIDAY__INIT;
  hd.date = "2027-02-08";
  hd.kind = "holiday";
  hd.name = "Tết Nguyên đán";
  Motcua__HolidaysRequest hr = MOTCUA__HOLIDAYS_REQUEST__INIT;
  hr.op = MOTCUA__HOLIDAYS_REQUEST__OP__ADD;
  hr.holiday = &hd;
  env.body_case = MOTCUA__ENVELOPE__BODY_HOLIDAYS;
  env.holidays = &hr;
  emit(dir, "holidays_add", &env);

  Motcua__ShowRequest sh = MOTCUA__SHOW_REQUEST__INIT;
  sh.code = "H15.50.05.13-261008-0975";
  env.body_case = MOTCUA__ENVELOPE__BODY_SHOW;
  env.show = &sh;
  emit(dir, "show", &env);

  /* officer accounts (issue 15): login, password change, officers admin;
   * a session token rides on the last ones */
  Motcua__LoginRequest li = MOTCUA__LOGIN_REQUEST__INIT;
  li.login = "Receiving.18499";
  li.password = "mật khẩu đủ dài 2026";
  env.body_case = MOTCUA__ENVELOPE__BODY_LOGIN;
  env.login = &li;
  emit(dir, "login", &env);

  Motcua__PasswordRequest pw = MOTCUA__PASSWORD_REQUEST__INIT;
  pw.old_password = "mật khẩu đủ dài 2026";
  pw.new_password = "Trăng rằm tháng tám 15/8";
  env.body_case = MOTCUA__ENVELOPE__BODY_PASSWORD;
  env.password = &pw;
  env.session_token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  emit(dir, "password", &env);

  Motcua__OfficerRole roles[2] = {MOTCUA__OFFICER_ROLE__OFFICER_RECEIVING,
                                  MOTCUA__OFFICER_ROLE__OFFICER_LEADER};
  Motcua__Officer of = MOTCUA__OFFICER__INIT;
  of.login = "leader.18499";
  of.full_name = "Nguyễn Thị Lãnh Đạo";
  of.title = "Phó Chủ tịch UBND xã";
  of.n_roles = 2;
  of.roles = roles;
  Motcua__OfficersRequest orq = MOTCUA__OFFICERS_REQUEST__INIT;
  orq.op = MOTCUA__OFFICERS_REQUEST__OP__ADD;
  orq.unit_code = "18499";
  orq.officer = &of;
  orq.idempotency_key = "officers-add-0001";
  env.body_case = MOTCUA__ENVELOPE__BODY_OFFICERS;
  env.officers = &orq;
  emit(dir, "officers_add", &env);
  orq.op = MOTCUA__OFFICERS_REQUEST__OP__LIST;
  orq.officer = NULL;
  orq.role_filter = MOTCUA__OFFICER_ROLE__OFFICER_PROCESSING;
  emit(dir, "officers_list", &env);
  return 0;
}
