/* The forms: labels (Vietnamese, English courtesy copy), the agency and
 * national header, the title block, one body per form, the signature row
 * with the QR code. Wording follows the 2018 one-stop guidance forms. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "slip_internal.h"

#define BODY 12.0f
#define SIG_ROW_H 150.0f
#define QR_SIDE 85.0f   /* 30 mm */

static const slip_labels labels_vi = {
    .title = {"", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
              "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
              "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
              "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
              "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "SỔ THEO DÕI HỒ SƠ"},
    .nation_sub = NULL,
    .code = "Mã hồ sơ", .book = "Quyển số", .seq = "Số thứ tự",
    .desk = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
    .desk_of = "Bộ phận tiếp nhận và trả kết quả",
    .applicant = "Tiếp nhận hồ sơ của", .app_id = "Số định danh cá nhân",
    .phone = "Số điện thoại", .procedure = "Nội dung yêu cầu giải quyết",
    .proc_code = "mã thủ tục", .received = "Thời gian nhận hồ sơ",
    .due = "Thời gian trả kết quả",
    .old_due = "Thời hạn trả kết quả theo Giấy tiếp nhận",
    .pickup = "Nhận kết quả tại",
    .lookup = "Tra cứu tình trạng hồ sơ bằng mã hồ sơ hoặc quét mã QR trên phiếu này.",
    .p02_intro = "Sau khi kiểm tra, đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ với các nội dung sau:",
    .p02_pre = "Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ ",
    .p02_post = " để được hướng dẫn.",
    .p02_clock = "Thời gian chờ bổ sung, hoàn thiện hồ sơ không tính vào thời hạn giải quyết.",
    .p03_pre = "Qua xem xét, ",
    .p03_post = " thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
    .p03_after = "Xin thông báo để Ông/Bà được biết và thực hiện./.",
    .p04_pre = "", .p04_mid = " xin gửi lời xin lỗi đến Ông/Bà ",
    .p04_late = "Đến nay, chúng tôi chưa trả kết quả giải quyết hồ sơ cho Ông/Bà đúng hạn ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả. Lý do:",
    .p04_new = "Sự chậm trễ này đã gây phiền hà cho Ông/Bà. Chúng tôi xin lỗi và hẹn lại thời gian trả kết quả như sau:",
    .p04_thanks = "Rất mong nhận được sự thông cảm của Ông/Bà. Xin trân trọng cảm ơn!",
    .sig_applicant = "NGƯỜI NỘP HỒ SƠ", .sig_receiver = "NGƯỜI TIẾP NHẬN HỒ SƠ",
    .sig_guide = "NGƯỜI HƯỚNG DẪN",
    .sig_head = "ĐẠI DIỆN BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
    .sig_hint = "(Ký và ghi rõ họ tên)",
    .col = {"Tên cơ quan/bộ phận giao", "Tên cơ quan/bộ phận nhận",
            "Thời gian giao, nhận", "Kết quả (Trước hạn / Đúng hạn / Quá hạn)", "Ghi chú"},
    .res_early = "Trước hạn", .res_on_time = "Đúng hạn", .res_late = "Quá hạn",
    .step_due = "Hạn", .citizen = "Người nộp hồ sơ",
    .steps_intro = "Quá trình giao, nhận hồ sơ:",
    .more_pre = "(còn ", .more_post = " bước giao, nhận không in trên phiếu này)",
    .continued = "tiếp theo", .page = "Trang",
    .address = "Địa chỉ", .email = "Thư điện tử",
    .time_limit = "Thời hạn giải quyết theo quy định",
    .docs_intro = "Thành phần hồ sơ và số lượng mỗi loại giấy tờ:",
    .kind = {"", "bản chính", "bản sao", "bản sao có chứng thực", "bản chính hoặc bản sao",
             "xuất trình"},
    .missing = "Thành phần hồ sơ còn thiếu, lý do tiếp nhận",
    .sets = "Số lượng hồ sơ", .copy_no = "Liên",
    .copy_names = {"", "giao người nộp hồ sơ", "lưu tại Bộ phận tiếp nhận và trả kết quả"},
    .prov_title = "(TẠM THỜI - TIẾP NHẬN KHI MẤT KẾT NỐI)",
    .prov_note = "Giấy tiếp nhận tạm: số hồ sơ trên đây là số tạm. Khi kết nối được khôi phục, "
                 "hồ sơ được cấp mã chính thức và Ông/Bà được cấp Giấy tiếp nhận thay thế giấy này.",
    .sig_give = "Người giao ký:\n\n..........", .sig_take = "Người nhận ký:\n\n..........",
    .reg_col = {"STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số bộ hồ sơ",
                "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết",
                "Nhận hồ sơ", "Hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết",
                "Nhận kết quả từ cơ quan giải quyết", "Trả kết quả cho cá nhân, tổ chức",
                "Ký nhận / Ghi chú"},
    .reg_period = "Từ ngày", .reg_to = "đến ngày", .reg_none = "(Không có hồ sơ trong kỳ)",
};

static const slip_labels labels_en = {
    .title = {"", "RECEIPT AND APPOINTMENT SLIP", "REQUEST TO SUPPLEMENT THE DOSSIER",
              "REFUSAL TO RECEIVE AND RESOLVE THE DOSSIER",
              "APOLOGY AND NEW APPOINTMENT", "PROCESS CONTROL SLIP", "DOSSIER REGISTER"},
    .nation_sub = "Socialist Republic of Vietnam - Independence - Freedom - Happiness",
    .code = "Dossier code", .book = "Book no.", .seq = "Sequence no.",
    .desk = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", .desk_of = "One-stop desk of",
    .applicant = "Dossier received from", .app_id = "Personal ID number",
    .phone = "Phone", .procedure = "Request", .proc_code = "procedure code",
    .received = "Received at", .due = "Result due at",
    .old_due = "Result due (per the receipt)", .pickup = "Collect the result at",
    .lookup = "Look up the dossier with its code or by scanning the QR code on this slip.",
    .p02_intro = "After checking, please supplement or complete the dossier as follows:",
    .p02_pre = "If anything is unclear, please contact the ", .p02_post = " for guidance.",
    .p02_clock = "The time spent waiting for the supplement does not count toward the time limit.",
    .p03_pre = "After review, the ",
    .p03_post = " cannot receive and resolve this dossier, for the following reason:",
    .p03_after = "This is for your information.",
    .p04_pre = "The ", .p04_mid = " sincerely apologises to ",
    .p04_late = "We have not yet returned the result of your dossier by the date on the receipt. Reason:",
    .p04_new = "We apologise for the inconvenience. The new appointment is:",
    .p04_thanks = "Thank you for your understanding.",
    .sig_applicant = "APPLICANT", .sig_receiver = "RECEIVING OFFICER",
    .sig_guide = "GUIDING OFFICER", .sig_head = "FOR THE ONE-STOP DESK",
    .sig_hint = "(Signature and full name)",
    .col = {"Handed over by", "Received by", "Time of hand-over",
            "Result (early / on time / late)", "Notes"},
    .res_early = "Early", .res_on_time = "On time", .res_late = "Late",
    .step_due = "Due", .citizen = "Applicant",
    .steps_intro = "Hand-overs of the dossier:",
    .more_pre = "(", .more_post = " more hand-overs not printed on this slip)",
    .continued = "continued", .page = "Page",
    .address = "Address", .email = "E-mail",
    .time_limit = "Legal time limit of the procedure",
    .docs_intro = "Documents received and how many of each:",
    .kind = {"", "original", "copy", "certified copy", "original or copy", "shown only"},
    .missing = "Required component missing, reason for receiving",
    .sets = "Number of sets", .copy_no = "Copy",
    .copy_names = {"", "for the applicant", "kept by the one-stop desk"},
    .prov_title = "(PROVISIONAL - TAKEN WHILE OFFLINE)",
    .prov_note = "Provisional receipt: the number above is provisional. Once the link is back, "
                 "the dossier gets its official code and this receipt is replaced.",
    .sig_give = "Handed over by (signature):\n\n..........",
    .sig_take = "Received by (signature):\n\n..........",
    .reg_col = {"No.", "Dossier code", "Procedure", "Sets", "Applicant", "Address, phone",
                "Resolving unit", "Received", "Result due", "Forwarded to the resolving unit",
                "Result received from it", "Result returned to the applicant",
                "Signature / Notes"},
    .reg_period = "From", .reg_to = "to", .reg_none = "(No dossier in the period)",
};

const slip_labels *slip__labels(int en) { return en ? &labels_en : &labels_vi; }

const char *mc_slip_register_column(const char *lang, int i) {
  const slip_labels *L = slip__labels(lang != NULL && strcmp(lang, "en") == 0);
  return i >= 0 && i < MC_SLIP_REG_COLUMNS ? L->reg_col[i] : "";
}

void mc_slip_register_labels(const char *lang, const char **title, const char **from,
                             const char **to) {
  const slip_labels *L = slip__labels(lang != NULL && strcmp(lang, "en") == 0);
  *title = L->title[6];
  *from = L->reg_period;
  *to = L->reg_to;
}

/* ---- header --------------------------------------------------------------- */

static float header_left(slip_ctx *c, float w) {
  float x = c->left, y = c->top - 11.0f, cx = x + w / 2.0f, sz;
  char line[320];
  if (c->s.province[0] != '\0') {
    char up[256];
    slip__upper(up, sizeof up, c->s.province);
    /* "Hà Tĩnh" (the hello's UnitInfo.province) -> "UBND TỈNH HÀ TĨNH" */
    int body = strncmp(up, "TỈNH", strlen("TỈNH")) == 0 ||
               strncmp(up, "THÀNH PHỐ", strlen("THÀNH PHỐ")) == 0;
    snprintf(line, sizeof line, "%s%s", strncmp(up, "UBND", 4) == 0 ? "" : body ? "UBND " : "UBND TỈNH ",
             up);
    sz = slip__fit_size(c->reg, 11.5f, 8.0f, line, w);
    slip__center(c, c->reg, sz, cx, y, line);
    y -= 15.0f;
  }
  if (c->s.parent_upper[0] != '\0') { /* the unit's centre, from the hello */
    sz = slip__fit_size(c->reg, 10.5f, 7.0f, c->s.parent_upper, w);
    slip__center(c, c->reg, sz, cx, y, c->s.parent_upper);
    y -= 14.0f;
  }
  y = slip__block(c, c->bold, 11.5f, x, w, y, 14.5f, c->s.unit_upper, SLIP_CENTER);
  sz = slip__fit_size(c->bold, 11.0f, 8.0f, c->L->desk, w);
  slip__center(c, c->bold, sz, cx, y, c->L->desk);
  slip__hline(c, cx - w / 6.0f, cx + w / 6.0f, y - 5.0f, 0.7f);
  return y - 5.0f;
}

static float header_right(slip_ctx *c, float x, float w) {
  const char *nation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
  const char *motto = "Độc lập - Tự do - Hạnh phúc";
  float y = c->top - 11.0f, cx = x + w / 2.0f, sz, mw;
  sz = slip__fit_size(c->bold, 11.5f, 8.0f, nation, w);
  slip__center(c, c->bold, sz, cx, y, nation);
  y -= 15.0f;
  sz = slip__fit_size(c->bold, 12.0f, 8.0f, motto, w);
  mw = slip__width(c->bold, sz, motto, strlen(motto));
  slip__center(c, c->bold, sz, cx, y, motto);
  slip__hline(c, cx - mw / 2.0f, cx + mw / 2.0f, y - 4.0f, 0.7f);
  if (c->L->nation_sub != NULL) {
    y -= 14.0f;
    sz = slip__fit_size(c->ital, 8.5f, 6.0f, c->L->nation_sub, w);
    slip__center(c, c->ital, sz, cx, y, c->L->nation_sub);
  }
  return y - 4.0f;
}

static void draw_header(slip_ctx *c) {
  float w = c->right - c->left, lw = w * 0.42f, yl, yr;
  char date[96], line[400];
  int64_t issued = c->d->issued_at_ms != 0 ? c->d->issued_at_ms : c->d->received_at_ms;
  yl = header_left(c, lw);
  yr = header_right(c, c->left + lw, w - lw);
  c->y = (yl < yr ? yl : yr) - 20.0f;
  slip__fmt_time(c, date, sizeof date, issued, SLIP_T_DATE);
  snprintf(line, sizeof line, "%s, %s", c->s.place, date);
  c->y = slip__block(c, c->ital, 11.5f, c->left + lw, w - lw, c->y, 14.0f, line, SLIP_CENTER);
  c->y -= 22.0f;
}

/* "H15.50.05.13-261008-0975": unit, yymmdd, sequence. 0 if it parses. */
static int split_code(const char *code, char *unit, size_t ulen, char *yy, char *seq) {
  const char *d2 = strrchr(code, '-'), *d1;
  size_t n;
  if (d2 == NULL || d2 == code) return -1;
  for (d1 = d2 - 1; d1 > code && *d1 != '-'; d1--) {}
  if (*d1 != '-' || d2 - d1 != 7 || strlen(d2 + 1) == 0 || strlen(d2 + 1) > 8) return -1;
  if ((n = (size_t)(d1 - code)) >= ulen) return -1;
  memcpy(unit, code, n);
  unit[n] = '\0';
  memcpy(yy, d1 + 1, 2);
  yy[2] = '\0';
  snprintf(seq, 9, "%s", d2 + 1);
  return 0;
}

static void draw_title(slip_ctx *c) {
  float w = c->right - c->left, cx = (c->left + c->right) / 2.0f;
  char line[400], unit[96], yy[3], seq[9];
  c->y = slip__block(c, c->bold, 14.0f, c->left, w, c->y, 18.0f,
                     c->L->title[c->form], SLIP_CENTER);
  if (c->form == 1 && c->d->provisional) {
    slip__center(c, c->bold, 12.0f, cx, c->y - 2.0f, c->L->prov_title);
    c->y -= 18.0f;
  }
  if (c->form != 6) {
    snprintf(line, sizeof line, "%s: %s", c->L->code, c->s.code);
    slip__center(c, c->bold, 12.0f, cx, c->y - 2.0f, line);
    c->y -= 18.0f;
  }
  if (c->form == 6) {
    char from[64], to[64];
    slip__fmt_time(c, from, sizeof from, c->d->period_from_ms, SLIP_T_DATE_SHORT);
    slip__fmt_time(c, to, sizeof to, c->d->period_to_ms, SLIP_T_DATE_SHORT);
    snprintf(line, sizeof line, "%s %s %s %s", c->L->reg_period, from, c->L->reg_to, to);
    slip__center(c, c->ital, 11.0f, cx, c->y - 2.0f, line);
    c->y -= 16.0f;
  }
  if (c->form == 1 && !c->d->provisional && split_code(c->s.code, unit, sizeof unit, yy, seq) == 0) {
    /* the register runs through the year: the code's per-day sequence is
     * not its number; without the yearly one the space is left to fill */
    if (c->d->year_seq > 0 && c->d->year_seq < 100000000)
      snprintf(seq, sizeof seq, "%04lld", (long long)c->d->year_seq);
    else
      snprintf(seq, sizeof seq, "........");
    snprintf(line, sizeof line, "%s: 20%s/%s, %s: %s", c->L->book, yy, unit, c->L->seq, seq);
    slip__center(c, c->ital, 11.0f, cx, c->y - 2.0f, line);
    c->y -= 16.0f;
  }
  c->y -= 14.0f;
}

/* ---- signature row -------------------------------------------------------- */

static void sig_block(slip_ctx *c, float x, float w, float y, const char *label,
                      const char *name) {
  y = slip__block(c, c->bold, 11.5f, x, w, y, 14.5f, label, SLIP_CENTER);
  slip__center(c, c->ital, 10.0f, x + w / 2.0f, y, c->L->sig_hint);
  slip__block(c, c->bold, 11.5f, x, w, y - 70.0f, 14.5f, name, SLIP_CENTER);
}

static void qr_block(slip_ctx *c, float x, float w, float y) {
  float sz;
  int rc = slip__qr(c, x + (w - QR_SIDE) / 2.0f, y + 8.0f, QR_SIDE, c->s.code);
  if (rc != 0 && c->rc == 0) c->rc = rc;
  sz = slip__fit_size(c->reg, 9.0f, 6.0f, c->s.code, w);
  slip__center(c, c->reg, sz, x + w / 2.0f, y + 8.0f - QR_SIDE - 6.0f, c->s.code);
}

/* left signature, QR in the middle, right signature; a NULL left label puts
 * the QR code on the left instead, a NULL right label leaves it empty. */
static void draw_signatures(slip_ctx *c, const char *left_label, const char *left_name,
                            const char *right_label, const char *right_name) {
  float w = c->right - c->left, bw = w * 0.37f, y;
  slip__need(c, SIG_ROW_H);
  y = c->y - 6.0f;
  if (left_label != NULL) {
    sig_block(c, c->left, bw, y, left_label, left_name);
    qr_block(c, c->left + bw, w - 2.0f * bw, y);
  } else {
    qr_block(c, c->left, bw, y);
  }
  if (right_label != NULL) sig_block(c, c->right - bw, bw, y, right_label, right_name);
  c->y -= SIG_ROW_H;
}

/* ---- bodies --------------------------------------------------------------- */

static void field_time(slip_ctx *c, const char *label, int64_t ms, HPDF_Font f) {
  char t[128];
  slip__fmt_time(c, t, sizeof t, ms, SLIP_T_LONG);
  slip__field(c, label, t, f);
}

static void field_procedure(slip_ctx *c) {
  char v[sizeof c->s.proc_name + sizeof c->s.proc_code + 32];
  if (c->s.proc_code[0] != '\0')
    snprintf(v, sizeof v, "%s (%s: %s)", c->s.proc_name, c->L->proc_code, c->s.proc_code);
  else
    snprintf(v, sizeof v, "%s", c->s.proc_name);
  slip__field(c, c->L->procedure, v, c->reg);
}

static void fields_common(slip_ctx *c) {
  slip__field(c, c->L->desk_of, c->s.unit, c->reg);
  slip__field(c, c->L->applicant, c->s.applicant, c->bold);
  if (c->s.app_id[0] != '\0') slip__field(c, c->L->app_id, c->s.app_id, c->reg);
  if (c->s.phone[0] != '\0') slip__field(c, c->L->phone, c->s.phone, c->reg);
  field_procedure(c);
  field_time(c, c->L->received, c->d->received_at_ms, c->reg);
}

/* pre + "<desk of> <unit>" + post as a paragraph */
static void para_unit(slip_ctx *c, const char *pre, const char *post) {
  char buf[sizeof c->s.unit + 512];
  slip__join(buf, sizeof buf, pre, c->L->desk_of, " ", c->s.unit, post, (char *)NULL);
  slip__para(c, c->reg, BODY, 0.0f, buf);
}

/* "1. Đơn đề nghị (bản chính): 01" per document; dotted rows if none. */
static void docs_01(slip_ctx *c) {
  char name[400], line[512], n[16];
  size_t i, shown = c->d->ndocs < SLIP_MAX_DOCS ? c->d->ndocs : SLIP_MAX_DOCS;
  slip__para(c, c->reg, BODY, 0.0f, c->L->docs_intro);
  for (i = 0; i < shown; i++) {
    const mc_slip_doc *d = &c->d->docs[i];
    int k = d->kind >= 1 && d->kind <= 5 ? d->kind : 0;
    slip__clean(name, 300, d->name, 0);
    if (d->count > 0 && d->count < 1000) snprintf(n, sizeof n, "%02d", d->count);
    else snprintf(n, sizeof n, "....");
    snprintf(line, sizeof line, "%zu. %s%s%s%s: %s", i + 1, name[0] ? name : "..........",
             k ? " (" : "", c->L->kind[k], k ? ")" : "", n);
    slip__para(c, c->reg, BODY, 18.0f, line);
  }
  if (c->d->ndocs > shown) {
    snprintf(line, sizeof line, "%s%zu%s", c->L->more_pre, c->d->ndocs - shown, ")");
    slip__para(c, c->ital, BODY, 18.0f, line);
  }
  for (i = c->d->ndocs; i < 2; i++) slip__para(c, c->reg, BODY, 18.0f, "..........");
}

static void body_01(slip_ctx *c) {
  char v[sizeof c->s.unit + 64];
  slip__field(c, c->L->desk_of, c->s.unit, c->reg);
  slip__field(c, c->L->applicant, c->s.applicant, c->bold);
  if (c->s.app_id[0] != '\0') slip__field(c, c->L->app_id, c->s.app_id, c->reg);
  slip__field(c, c->L->address, c->s.address, c->reg);
  slip__field(c, c->L->phone, c->s.phone, c->reg);
  slip__field(c, c->L->email, c->s.email, c->reg);
  field_procedure(c);
  slip__field(c, c->L->time_limit, c->s.time_limit, c->reg);
  docs_01(c);
  if (c->d->sets > 0 && c->d->sets < 1000) snprintf(v, sizeof v, "%02d", c->d->sets);
  else snprintf(v, sizeof v, "%s", "");
  slip__field(c, c->L->sets, v, c->reg);
  if (c->s.missing[0] != '\0') slip__field(c, c->L->missing, c->s.missing, c->reg);
  field_time(c, c->L->received, c->d->received_at_ms, c->reg);
  field_time(c, c->L->due, c->d->due_at_ms, c->bold);
  snprintf(v, sizeof v, "%s %s", c->L->desk_of, c->s.unit);
  slip__field(c, c->L->pickup, v, c->reg);
  c->y -= 4.0f;
  slip__para(c, c->ital, 10.5f, 0.0f, c->d->provisional ? c->L->prov_note : c->L->lookup);
  if (c->d->copy_no >= 1 && c->d->copy_no <= 9) {
    snprintf(v, sizeof v, "%s %d%s%s", c->L->copy_no, c->d->copy_no,
             c->d->copy_no <= 2 ? ": " : "", c->d->copy_no <= 2 ? c->L->copy_names[c->d->copy_no] : "");
    slip__para(c, c->bold, 10.5f, 0.0f, v);
  }
  c->y -= 8.0f;
  draw_signatures(c, c->L->sig_applicant, c->s.applicant, c->L->sig_receiver, c->s.officer);
}

static void body_02(slip_ctx *c) {
  fields_common(c);
  if (c->d->due_at_ms > 0) field_time(c, c->L->old_due, c->d->due_at_ms, c->reg);
  c->y -= 4.0f;
  slip__para(c, c->reg, BODY, 0.0f, c->L->p02_intro);
  slip__para(c, c->reg, BODY, 18.0f, c->s.reason[0] ? c->s.reason : "..........");
  para_unit(c, c->L->p02_pre, c->L->p02_post);
  slip__para(c, c->ital, 10.5f, 0.0f, c->L->p02_clock);
  c->y -= 8.0f;
  draw_signatures(c, c->L->sig_applicant, c->s.applicant, c->L->sig_guide, c->s.officer);
}

static void body_03(slip_ctx *c) {
  fields_common(c);
  c->y -= 4.0f;
  para_unit(c, c->L->p03_pre, c->L->p03_post);
  slip__para(c, c->reg, BODY, 18.0f, c->s.reason[0] ? c->s.reason : "..........");
  slip__para(c, c->reg, BODY, 0.0f, c->L->p03_after);
  c->y -= 8.0f;
  draw_signatures(c, c->L->sig_applicant, c->s.applicant, c->L->sig_receiver, c->s.officer);
}

static void body_04(slip_ctx *c) {
  char buf[sizeof c->s.unit + sizeof c->s.applicant + 128];
  slip__join(buf, sizeof buf, c->L->p04_pre, c->L->desk_of, " ", c->s.unit, c->L->p04_mid,
             c->s.applicant, ".", (char *)NULL);
  slip__para(c, c->reg, BODY, 0.0f, buf);
  slip__field(c, c->L->applicant, c->s.applicant, c->bold);
  field_procedure(c);
  field_time(c, c->L->received, c->d->received_at_ms, c->reg);
  field_time(c, c->L->old_due, c->d->old_due_at_ms, c->reg);
  c->y -= 4.0f;
  slip__para(c, c->reg, BODY, 0.0f, c->L->p04_late);
  slip__para(c, c->reg, BODY, 18.0f, c->s.reason[0] ? c->s.reason : "..........");
  slip__para(c, c->reg, BODY, 0.0f, c->L->p04_new);
  field_time(c, c->L->due, c->d->due_at_ms, c->bold);
  slip__para(c, c->reg, BODY, 0.0f, c->L->p04_thanks);
  c->y -= 8.0f;
  draw_signatures(c, NULL, NULL, c->L->sig_head, c->s.officer);
}

static void body_05(slip_ctx *c) {
  fields_common(c);
  field_time(c, c->L->due, c->d->due_at_ms, c->bold);
  c->y -= 6.0f;
  slip__para(c, c->bold, BODY, 0.0f, c->L->steps_intro);
  slip__steps_table(c);
  c->y -= 14.0f;
  draw_signatures(c, NULL, NULL, NULL, NULL);
}

void slip__render(slip_ctx *c) {
  static void (*const body[7])(slip_ctx *) = {NULL,    body_01, body_02,        body_03,
                                              body_04, body_05, slip__register};
  slip__new_page(c);
  draw_header(c);
  draw_title(c);
  body[c->form](c);
  slip__footers(c);
}
