/* Slips as PDF: renders forms 01-05 (and an English copy) with realistic
 * Vietnamese data, then reads them back with poppler's pdftotext (-layout
 * for the text, -bbox for where every word landed) and pdfinfo, and, when
 * zbarimg is installed, decodes the QR code. Also hostile inputs (huge,
 * invalid UTF-8, no spaces, NULL fields, 500 steps) and the error paths.
 * argv[1]: an output directory (created). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "error.h"
#include "slip.h"

#define CODE "H15.50.05.02-261129-0012"
#define A4_W 595.3
#define A4_H 841.9
#define NSTEPS 30

static const char *outdir;
static char errbuf[512];

/* ---- helpers -------------------------------------------------------------- */

static int64_t vn_ms(int y, int mo, int d, int h, int mi) {
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                  .tm_hour = h, .tm_min = mi};
  return ((int64_t)timegm(&tm) - 7 * 3600) * 1000;
}

static void out_path(char *buf, size_t n, const char *name) {
  snprintf(buf, n, "%s/%s", outdir, name);
}

/* stdout of cmd (bounded to 8 MiB), malloc'd; NULL if it cannot run. */
static char *capture(const char *cmd) {
  size_t cap = 1 << 16, len = 0, r;
  char *buf = malloc(cap), *nb;
  FILE *p = popen(cmd, "r");
  if (p == NULL || buf == NULL) {
    if (p != NULL) pclose(p);
    free(buf);
    return NULL;
  }
  while ((r = fread(buf + len, 1, cap - 1 - len, p)) > 0) {
    len += r;
    if (len + 1 == cap && cap < (8u << 20) && (nb = realloc(buf, cap * 2)) != NULL) {
      buf = nb;
      cap *= 2;
    }
  }
  buf[len] = '\0';
  if (pclose(p) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

static char *pdf_text(const char *pdf) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "pdftotext -layout -enc UTF-8 '%s' - 2>/dev/null", pdf);
  return capture(cmd);
}

static int pdf_pages(const char *pdf) {
  char cmd[1024], *out, *p;
  int pages = -1;
  snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", pdf);
  if ((out = capture(cmd)) == NULL) return -1;
  if ((p = strstr(out, "Pages:")) != NULL) pages = atoi(p + 6);
  free(out);
  return pages;
}

/* name's value inside the one tag that starts at s (searched only up to its
 * '>': searching the rest of the output for each word was quadratic, 80 s
 * of strstr under ASan). */
static double attr(const char *s, const char *name) {
  char tag[512];
  size_t n = strnlen(s, sizeof tag - 1);
  const char *gt = memchr(s, '>', n);
  if (gt != NULL) n = (size_t)(gt - s);
  memcpy(tag, s, n);
  tag[n] = '\0';
  const char *p = strstr(tag, name);
  return p != NULL ? atof(p + strlen(name)) : -1.0;
}

/* Every word's box lies inside the page minus a 36 pt margin. */
static int words_inside(const char *pdf) {
  char cmd[1024], *out, *p;
  int ok = 1, words = 0;
  snprintf(cmd, sizeof cmd, "pdftotext -bbox '%s' - 2>/dev/null", pdf);
  if ((out = capture(cmd)) == NULL) return 0;
  double pw = A4_W, ph = A4_H;   /* form 06 is landscape: the page says */
  char *pg = strstr(out, "<page ");
  if (pg != NULL && attr(pg, "width=\"") > 0) pw = attr(pg, "width=\""), ph = attr(pg, "height=\"");
  /* memmem with the length known: strstr measured the rest of the output
   * at every word (quadratic, and ASan's strict_string_checks made it 80 s) */
  const char *end = out + strlen(out);
  for (p = strstr(out, "<word "); p != NULL;
       p = memmem(p + 1, (size_t)(end - p - 1), "<word ", 6)) {
    double x0 = attr(p, "xMin=\""), x1 = attr(p, "xMax=\"");
    double y0 = attr(p, "yMin=\""), y1 = attr(p, "yMax=\"");
    words++;
    if (x0 < 36.0 || x1 > pw - 36.0 || y0 < 20.0 || y1 > ph - 20.0) {
      char w[120];
      snprintf(w, sizeof w, "%.100s", p);
      fprintf(stderr, "%s: word outside the page: %s\n", pdf, w);
      ok = 0;
    }
  }
  free(out);
  return ok && words > 20;
}

static int has(const char *text, const char *needle) {
  int found = text != NULL && strstr(text, needle) != NULL;
  if (!found) fprintf(stderr, "  missing in the PDF text: \"%s\"\n", needle);
  return found;
}

static int have_zbarimg(void) {
  return system("command -v zbarimg >/dev/null 2>&1") == 0;
}

/* Decodes the QR code on page `page` of pdf; 1 if it reads CODE. */
static int qr_decodes(const char *pdf, int page) {
  char cmd[4096], png[1100], *out;
  int ok;
  snprintf(png, sizeof png, "%s.qr", pdf);
  snprintf(cmd, sizeof cmd,
           "pdftoppm -png -r 150 -f %d -l %d -singlefile '%s' '%s' 2>/dev/null && "
           "zbarimg -q --raw '%s.png' 2>/dev/null", page, page, pdf, png, png);
  if ((out = capture(cmd)) == NULL) return 0;
  ok = strncmp(out, CODE, strlen(CODE)) == 0;
  if (!ok) fprintf(stderr, "  QR decoded as \"%s\"\n", out);
  free(out);
  return ok;
}

/* Dark pixels of page 1 rendered in grey at 100 dpi (binary PGM). */
static long dark_pixels(const char *pdf) {
  char cmd[1200], *out, *p;
  long dark = 0, w, h, i, maxv;
  int used = 0;
  snprintf(cmd, sizeof cmd, "pdftoppm -gray -r 100 -f 1 -l 1 -singlefile '%s' 2>/dev/null", pdf);
  if ((out = capture(cmd)) == NULL) return -1;
  if (sscanf(out, "P5 %ld %ld %ld%n", &w, &h, &maxv, &used) != 3 || used == 0) {
    free(out);
    return -1;
  }
  p = out + used + 1;
  for (i = 0; i < w * h; i++)
    if ((unsigned char)p[i] < 128) dark++;
  free(out);
  return dark;
}

/* ---- data ----------------------------------------------------------------- */

static const char *const long_reason =
    "Hồ sơ còn thiếu bản sao có chứng thực Giấy chứng nhận quyền sử dụng đất "
    "của địa điểm kinh doanh tại thôn Phương Giai; hợp đồng thuê nhà chưa có "
    "chữ ký của đồng sở hữu là ông Trần Văn Hùng; đề nghị bổ sung văn bản ủy "
    "quyền có công chứng nếu người nộp không phải chủ hộ kinh doanh, kèm theo "
    "bản sao Căn cước công dân của các thành viên hộ gia đình tham gia kinh "
    "doanh, và kê khai lại ngành nghề kinh doanh theo mã ngành cấp bốn trong "
    "Hệ thống ngành kinh tế Việt Nam. KẾTTHÚCLÝDO";

static mc_slip_data base_data(void) {
  mc_slip_data d = {
      .province = "TỈNH HÀ TĨNH",
      .unit_name = "Xã Điền Mỹ",
      .code = CODE,
      .procedure_code = "1.001612",
      .procedure_name = "Đăng ký thành lập hộ kinh doanh",
      .applicant_name = "Nguyễn Thị Thu Trang",
      .applicant_id = "042190001234",
      .applicant_phone = "0912 345 678",
      .officer = "Phan Văn Đức",
      .status = 2,
      .received_at_ms = vn_ms(2026, 11, 29, 9, 15),
      .due_at_ms = vn_ms(2026, 12, 2, 17, 0),
      .utc_offset_min = 420,
  };
  return d;
}

static const char *const units[] = {
    "Bộ phận TN&TKQ Xã Điền Mỹ", "Trung tâm Hành chính công huyện Hương Khê",
    "Phòng Tài chính - Kế hoạch huyện Hương Khê", "Chi cục Thuế khu vực Hương Sơn - Hương Khê"};
static const char *const results[] = {"early", "on_time", "late", ""};
static const char *const step_actions[] = {"forward", "accept", "assign", "send_back",
                                           "supplement_request", "return"};

static void make_steps(mc_slip_step *st, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    st[i] = (mc_slip_step){
        .at_ms = vn_ms(2026, 11, 29, 9, 15) + (int64_t)i * 3 * 3600 * 1000,
        .from_unit_name = i == 0 ? "" : units[i % 4],
        .to_unit_name = units[(i + 1) % 4],
        .officer = i % 2 ? "Lê Thị Hồng Nhung" : "Phan Văn Đức",
        .action = i == 0 ? "receive" : step_actions[i % 6],
        .status_after = 4,
        .step_due_ms = vn_ms(2026, 11, 30, 17, 0) + (int64_t)i * 3600 * 1000,
        .result = results[i % 4],
        .detail = i % 5 == 3 ? "Chuyển kèm bản gốc hồ sơ, 03 bộ, đã kiểm tra đủ thành phần" : "",
    };
  }
}

/* ---- rendering and reading back ------------------------------------------- */

/* poppler reads pdf without a word on stderr (pdftotext, pdffonts, pdfinfo):
 * libharu 2.3's ToUnicode CMap made each of them warn "Invalid
 * 'begincidrange' operator in ToUnicode CMap". */
static int poppler_quiet(const char *pdf) {
  char cmd[4096], *out;
  int ok;
  snprintf(cmd, sizeof cmd,
           "{ pdftotext -enc UTF-8 '%s' /dev/null && pdffonts '%s' >/dev/null && "
           "pdfinfo '%s' >/dev/null; } 2>&1", pdf, pdf, pdf);
  if ((out = capture(cmd)) == NULL) return 0;
  ok = out[0] == '\0';
  if (!ok) fprintf(stderr, "  poppler on %s: %.300s\n", pdf, out);
  free(out);
  return ok;
}

static char *render(const mc_slip_data *d, const char *form, const char *lang,
                    const char *name, char *path, size_t n) {
  int rc;
  out_path(path, n, name);
  rc = mc_slip_write(d, form, lang, NULL, path, errbuf, sizeof errbuf);
  if (rc != 0) fprintf(stderr, "  mc_slip_write(%s): %d %s\n", form, rc, errbuf);
  CHECK_EQ(rc, 0);
  CHECK(words_inside(path));
  CHECK(poppler_quiet(path));
  return rc == 0 ? pdf_text(path) : NULL;
}

static void check_common(const char *t, const char *title) {
  CHECK(has(t, title));
  CHECK(has(t, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
  CHECK(has(t, "Độc lập - Tự do - Hạnh phúc"));
  CHECK(has(t, "UBND TỈNH HÀ TĨNH"));
  CHECK(has(t, "XÃ ĐIỀN MỸ"));
  CHECK(has(t, "Nguyễn Thị Thu Trang"));
  CHECK(has(t, CODE));
  CHECK(has(t, "Đăng ký thành lập hộ kinh doanh"));
}

static const mc_slip_doc docs[] = {
    {"Giấy đề nghị đăng ký hộ kinh doanh", 1, 1},
    {"Căn cước công dân của chủ hộ", 3, 2},
    {"Hợp đồng thuê địa điểm kinh doanh", 2, 1}};

/* Form 01 with every field of Circular 01/2018 form 01. */
static void test_form01(void) {
  mc_slip_data d = base_data();
  char path[1024], *t;
  d.parent_name = "Huyện Hương Khê";
  d.applicant_address = "Thôn Phương Giai, xã Điền Mỹ, huyện Hương Khê, tỉnh Hà Tĩnh";
  d.applicant_email = "thutrang.nguyen@example.vn";
  d.time_limit = "03 ngày làm việc";
  d.sets = 1;
  d.docs = docs;
  d.ndocs = 3;
  d.copy_no = 1;
  d.year_seq = 1873;
  t = render(&d, "01", "vi", "slip01.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  check_common(t, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ");
  CHECK(has(t, "HUYỆN HƯƠNG KHÊ"));
  CHECK(has(t, "Điền Mỹ, ngày 29 tháng 11 năm 2026"));
  CHECK(has(t, "Quyển số: 2026/H15.50.05.02, Số thứ tự: 1873"));
  CHECK(has(t, "Thôn Phương Giai, xã Điền Mỹ"));
  CHECK(has(t, "thutrang.nguyen@example.vn"));
  CHECK(has(t, "Thời hạn giải quyết theo quy định: 03 ngày làm việc"));
  CHECK(has(t, "1. Giấy đề nghị đăng ký hộ kinh doanh (bản chính): 01"));
  CHECK(has(t, "2. Căn cước công dân của chủ hộ (bản sao có chứng thực): 02"));
  CHECK(has(t, "3. Hợp đồng thuê địa điểm kinh doanh (bản sao): 01"));
  CHECK(has(t, "Số lượng hồ sơ: 01"));
  CHECK(has(t, "Liên 1: giao người nộp hồ sơ"));
  CHECK(has(t, "09 giờ 15 phút, ngày 29 tháng 11 năm 2026"));
  CHECK(has(t, "17 giờ 00 phút, ngày 02 tháng 12 năm 2026"));
  CHECK(has(t, "NGƯỜI NỘP HỒ SƠ"));
  CHECK(has(t, "NGƯỜI TIẾP NHẬN HỒ SƠ"));
  CHECK(has(t, "Phan Văn Đức"));
  CHECK_EQ(pdf_pages(path), 1);
  if (have_zbarimg()) CHECK(qr_decodes(path, 1));
  else fprintf(stderr, "  zbarimg not installed: QR decoding not checked\n");
  free(t);
}

/* Without the yearly register number the space is left blank: the code's
 * per-day sequence is not the register's number (issue 14 finding 5). A
 * refused dossier gets no receipt (finding 4). */
static void test_form01_blank_and_refused(void) {
  mc_slip_data d = base_data();
  char path[1024], *t = render(&d, "01", "vi", "slip01-blank.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  CHECK(has(t, "Số thứ tự: ........"));
  CHECK(strstr(t, "Số thứ tự: 0012") == NULL);
  CHECK(has(t, "Địa chỉ: .........."));
  free(t);
  d.status = 3;
  out_path(path, sizeof path, "refused01.pdf");
  CHECK_EQ(mc_slip_write(&d, "01", "vi", NULL, path, errbuf, sizeof errbuf), MC_EINVAL);
  CHECK(strstr(errbuf, "form 03") != NULL);
  CHECK(access(path, F_OK) != 0);
}

/* A dossier taken while offline: a provisional receipt with the outbox's
 * provisional number, clearly marked, no register number. */
static void test_form01_provisional(void) {
  mc_slip_data d = base_data();
  char path[1024], *t;
  d.code = "TAM-18499-000123";
  d.provisional = 1;
  d.due_at_ms = 0;
  t = render(&d, "01", "vi", "provisional01.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  CHECK(has(t, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"));
  CHECK(has(t, "(TẠM THỜI - TIẾP NHẬN KHI MẤT KẾT NỐI)"));
  CHECK(has(t, "Mã hồ sơ: TAM-18499-000123"));
  CHECK(has(t, "số hồ sơ trên đây là số tạm"));
  CHECK(strstr(t, "Quyển số") == NULL);
  free(t);
}

static void test_form02(void) {
  mc_slip_data d = base_data();
  char path[1024], *t;
  d.reason = long_reason;
  d.status = 5;
  d.issued_at_ms = vn_ms(2026, 11, 30, 10, 0);
  t = render(&d, "02", "vi", "slip02.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  check_common(t, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ");
  CHECK(has(t, "Điền Mỹ, ngày 30 tháng 11 năm 2026"));
  CHECK(has(t, "17 giờ 00 phút, ngày 02 tháng 12 năm 2026"));
  CHECK(has(t, "Giấy chứng nhận quyền"));
  CHECK(has(t, "KẾTTHÚCLÝDO"));   /* the last words of the wrapped reason */
  CHECK(has(t, "NGƯỜI HƯỚNG DẪN"));
  free(t);
}

static void test_form03(void) {
  mc_slip_data d = base_data();
  char path[1024], *t;
  d.reason = long_reason;
  d.status = 3;
  t = render(&d, "03", NULL, "slip03.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  check_common(t, "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ");
  CHECK(has(t, "KẾTTHÚCLÝDO"));
  CHECK(has(t, "thông báo không"));
  free(t);
}

static void test_form04(void) {
  mc_slip_data d = base_data();
  char path[1024], *t;
  d.reason = long_reason;
  d.old_due_at_ms = d.due_at_ms;
  d.due_at_ms = vn_ms(2026, 12, 9, 16, 30);
  d.issued_at_ms = vn_ms(2026, 12, 2, 15, 0);
  t = render(&d, "04", "vi", "slip04.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  check_common(t, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ");
  CHECK(has(t, "17 giờ 00 phút, ngày 02 tháng 12 năm 2026"));   /* missed */
  CHECK(has(t, "16 giờ 30 phút, ngày 09 tháng 12 năm 2026"));   /* new */
  CHECK(has(t, "xin lỗi"));
  if (have_zbarimg()) CHECK(qr_decodes(path, 1));
  free(t);
}

static void test_form05(void) {
  mc_slip_data d = base_data();
  mc_slip_step st[NSTEPS];
  char path[1024], *t;
  int pages;
  make_steps(st, NSTEPS);
  d.steps = st;
  d.nsteps = NSTEPS;
  d.status = 4;
  t = render(&d, "05", "vi", "slip05.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  check_common(t, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ");
  CHECK(has(t, "17 giờ 00 phút, ngày 02 tháng 12 năm 2026"));
  CHECK(has(t, "Tên cơ quan/bộ"));
  CHECK(has(t, "Ghi chú"));
  CHECK(has(t, "Trung tâm Hành"));
  CHECK(has(t, "Phòng Tài chính - Kế"));
  CHECK(has(t, "Bộ phận TN&TKQ Xã"));
  CHECK(has(t, "Quá hạn"));
  CHECK(has(t, "Đúng hạn"));
  CHECK(has(t, "Trước hạn"));
  CHECK(has(t, "Chuyển liên thông"));
  CHECK(has(t, "Lê Thị Hồng Nhung"));
  CHECK(has(t, "(Hạn: 30/11/2026"));   /* the first step's own deadline */
  CHECK(has(t, "(Hạn: 01/12/2026"));   /* a later step's own, not the final due */
  CHECK(has(t, "Người giao ký:"));      /* hand-over signature spaces */
  CHECK(has(t, "Người nhận ký:"));
  pages = pdf_pages(path);
  CHECK(pages >= 2);
  CHECK(has(t, "Trang 1/"));
  CHECK(has(t, "(tiếp theo)"));
  if (have_zbarimg() && pages > 0) CHECK(qr_decodes(path, pages));
  free(t);
}

/* Form 06: the register for a period, landscape, one row per dossier with
 * its yearly number, repeating the header on every page. */
static void test_form06(void) {
  mc_slip_data d = base_data();
  mc_slip_reg_row rows[60];
  char path[1024], *t;
  size_t i;
  for (i = 0; i < 60; i++)
    rows[i] = (mc_slip_reg_row){
        .code = i == 0 ? CODE : "H15.50.05.02-261130-0003", .year_seq = 1873 + (int64_t)i,
        .procedure_name = "Đăng ký thành lập hộ kinh doanh", .sets = 1,
        .applicant_name = "Nguyễn Thị Thu Trang", .applicant_address = "Thôn Phương Giai",
        .applicant_phone = "0912 345 678", .handler = "Xã Điền Mỹ",
        .received_at_ms = vn_ms(2026, 11, 29, 9, 15), .due_at_ms = vn_ms(2026, 12, 2, 17, 0),
        .returned_at_ms = i % 2 ? vn_ms(2026, 12, 1, 10, 0) : 0, .note = ""};
  d.code = "";
  d.rows = rows;
  d.nrows = 60;
  d.period_from_ms = vn_ms(2026, 11, 1, 0, 0);
  d.period_to_ms = vn_ms(2026, 11, 30, 0, 0);
  d.issued_at_ms = vn_ms(2026, 12, 1, 8, 0);
  t = render(&d, "06", "vi", "slip06.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  CHECK(has(t, "SỔ THEO DÕI HỒ SƠ"));
  CHECK(has(t, "UBND TỈNH HÀ TĨNH"));
  CHECK(has(t, "XÃ ĐIỀN MỸ"));
  CHECK(has(t, "Từ ngày 01/11/2026 đến ngày 30/11/2026"));
  CHECK(has(t, "Mã hồ sơ"));
  CHECK(has(t, "Hẹn trả"));
  CHECK(has(t, "Ký nhận"));
  CHECK(has(t, "1873"));
  CHECK(has(t, "1932"));   /* the last row */
  CHECK(has(t, CODE));
  CHECK(has(t, "29/11/2026"));
  CHECK(has(t, "09:15"));
  CHECK(has(t, "01/12/2026"));
  CHECK(has(t, "SỔ THEO DÕI HỒ SƠ (tiếp theo)"));
  CHECK(pdf_pages(path) >= 2);
  free(t);
  d.nrows = 0;
  t = render(&d, "06", "vi", "empty06.pdf", path, sizeof path);
  CHECK(has(t, "(Không có hồ sơ trong kỳ)"));
  free(t);
}

/* The stacked and dot-below accents are drawn, not only mapped for
 * copy-and-paste: the same slip with and without them must differ in ink
 * (libharu 2.3 drops nested composite glyphs from its font subset). */
static void test_accents_drawn(void) {
  mc_slip_data d = base_data();
  char with[1024], without[1024];
  long a, b;
  out_path(with, sizeof with, "accents.pdf");
  out_path(without, sizeof without, "noaccents.pdf");
  d.applicant_name = "Đặng Thị Hồng Nhung ộ ấ ế ậ ự ợ ệ ỵ";
  d.procedure_name = "ộ ấ ế ậ ự ợ ệ ỵ ặ ị ọ ụ ạ ẹ ồ ầ ề ổ ẩ ể ờ ớ ừ ứ";
  CHECK_EQ(mc_slip_write(&d, "01", "vi", NULL, with, errbuf, sizeof errbuf), 0);
  d.applicant_name = "Đăng Thi Hông Nhung ô â ê â ư ơ ê y";
  d.procedure_name = "ô â ê â ư ơ ê y ă i o u a e ô â ê ô â ê ơ ơ ư ư";
  CHECK_EQ(mc_slip_write(&d, "01", "vi", NULL, without, errbuf, sizeof errbuf), 0);
  a = dark_pixels(with);
  b = dark_pixels(without);
  fprintf(stderr, "  dark pixels with accents %ld, without %ld\n", a, b);
  CHECK(a > 0 && b > 0);
  CHECK(a > b + 100);
}

static void test_form01_en(void) {
  mc_slip_data d = base_data();
  char path[1024], *t = render(&d, "01", "en", "slip01_en.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  CHECK(has(t, "RECEIPT AND APPOINTMENT SLIP"));
  CHECK(has(t, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
  CHECK(has(t, "Socialist Republic of Vietnam"));
  CHECK(has(t, "Nguyễn Thị Thu Trang"));
  CHECK(has(t, "17:00, 2 December 2026"));
  CHECK(has(t, "Dossier code: " CODE));
  free(t);
}

/* ---- hostile input -------------------------------------------------------- */

static char *repeat(const char *unit, size_t times) {
  size_t n = strlen(unit), i;
  char *s = malloc(n * times + 1);
  if (s == NULL) return NULL;
  for (i = 0; i < times; i++) memcpy(s + i * n, unit, n);
  s[n * times] = '\0';
  return s;
}

static void test_hostile(void) {
  mc_slip_data d = base_data();
  char path[1024], *t;
  char *name = repeat("Nguyễn ", 2000), *word = repeat("Đ", 5000);
  static const char bad[] = "Tr\xC3\x28\xFF\x80 \x01\x1b[31m \xF0\x9F\x98\x80 \xED\xA0\x80 end";
  CHECK_FATAL(name != NULL && word != NULL);
  d.applicant_name = name;
  d.procedure_name = bad;
  d.reason = word;
  d.unit_name = name;
  t = render(&d, "02", "vi", "hostile02.pdf", path, sizeof path);
  CHECK(t != NULL);
  CHECK(has(t, "\xE2\x80\xA6"));   /* truncated with an ellipsis */
  CHECK(has(t, " end"));
  free(t);
  free(name);
  free(word);
}

static void test_null_fields(void) {
  mc_slip_data d = {.code = CODE};
  char path[1024], *t;
  int f;
  const char *forms[] = {"01", "02", "03", "04", "05"};
  for (f = 0; f < 5; f++) {
    char name[32];
    snprintf(name, sizeof name, "null%s.pdf", forms[f]);
    out_path(path, sizeof path, name);
    CHECK_EQ(mc_slip_write(&d, forms[f], "vi", NULL, path, errbuf, sizeof errbuf), 0);
  }
  t = pdf_text(path);
  CHECK(has(t, CODE));
  free(t);
}

static void test_many_steps(void) {
  mc_slip_data d = base_data();
  mc_slip_step *st = calloc(500, sizeof *st);
  char path[1024], *t;
  CHECK_FATAL(st != NULL);
  make_steps(st, 500);
  d.steps = st;
  d.nsteps = 500;
  t = render(&d, "05", "en", "many05.pdf", path, sizeof path);
  CHECK(has(t, "(100 more hand-overs not printed on this slip)"));
  CHECK(has(t, "PROCESS CONTROL SLIP"));
  CHECK(pdf_pages(path) > 10);
  free(t);
  free(st);
}

/* ---- errors --------------------------------------------------------------- */

static void test_errors(void) {
  mc_slip_data d = base_data();
  char path[1024], tmp[1100];
  struct stat sb;
  out_path(path, sizeof path, "err.pdf");
  unlink(path);
  CHECK_EQ(mc_slip_write(&d, "07", "vi", NULL, path, errbuf, sizeof errbuf), MC_EINVAL);
  CHECK(strstr(errbuf, "form") != NULL);
  CHECK_EQ(mc_slip_write(&d, "1", "vi", NULL, path, errbuf, sizeof errbuf), MC_EINVAL);
  CHECK_EQ(mc_slip_write(&d, NULL, "vi", NULL, path, errbuf, sizeof errbuf), MC_EINVAL);
  CHECK_EQ(mc_slip_write(&d, "01", "fr", NULL, path, errbuf, sizeof errbuf), MC_EINVAL);
  CHECK_EQ(mc_slip_write(NULL, "01", "vi", NULL, path, errbuf, sizeof errbuf), MC_EINVAL);
  CHECK_EQ(mc_slip_write(&d, "01", "vi", NULL, NULL, NULL, 0), MC_EINVAL);
  d.code = "";
  CHECK_EQ(mc_slip_write(&d, "01", "vi", NULL, path, errbuf, sizeof errbuf), MC_EINVAL);
  d.code = CODE;
  d.nsteps = 3;
  CHECK_EQ(mc_slip_write(&d, "05", "vi", NULL, path, errbuf, sizeof errbuf), MC_EINVAL);
  d.nsteps = 0;
  CHECK_EQ(mc_slip_write(&d, "01", "vi", NULL, "/nonexistent-dir/x/slip.pdf", errbuf,
                         sizeof errbuf), MC_EIO);
  CHECK(strstr(errbuf, "/nonexistent-dir/x/slip.pdf") != NULL);
  CHECK_EQ(mc_slip_write(&d, "01", "vi", NULL, outdir, errbuf, sizeof errbuf), MC_EIO);
  CHECK_EQ(mc_slip_write(&d, "01", "vi", "/nonexistent/DejaVuSans.ttf", path, errbuf,
                         sizeof errbuf), MC_ECONFIG);
  CHECK(strstr(errbuf, "/nonexistent/DejaVuSans.ttf") != NULL);
  CHECK_EQ(mc_slip_write(&d, "01", "vi", "/etc/hostname", path, errbuf, sizeof errbuf),
           MC_ECONFIG);
  fprintf(stderr, "  last error: %s\n", errbuf);
  CHECK(stat(path, &sb) != 0);   /* nothing written on any error */
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", outdir, (long)getpid());
  CHECK(stat(tmp, &sb) != 0);   /* the temporary file was removed */
}

/* The letterhead comes from the hello's units (the caller, its centre, the
 * province); an older server sends none: the hello's unit name, no
 * province line. */
static void test_from_history(void) {
  Motcua__Dossier dos = MOTCUA__DOSSIER__INIT;
  Motcua__HistoryReply h = MOTCUA__HISTORY_REPLY__INIT;
  mc_client_info info = {0};
  mc_slip_data sd;
  mc_slip_step *steps = NULL;
  char path[1024], *t;
  dos.code = CODE;
  dos.unit_code = "18499";
  dos.unit_name = "Xã Điền Mỹ";
  h.dossier = &dos;
  snprintf(info.unit_code, sizeof info.unit_code, "18499");
  snprintf(info.unit_name, sizeof info.unit_name, "Xã Điền Mỹ");
  CHECK_EQ(mc_slip_from_history(&h, &info, "01", "Phan Văn Đức", NULL, 0, &sd, &steps), MC_OK);
  CHECK_STREQ(sd.province, "");
  CHECK_STREQ(sd.unit_name, "Xã Điền Mỹ");
  info.n_units = 2;
  info.units[0] = (mc_client_unit){.code = "18499", .name = "Xã Điền Mỹ", .parent = "444",
                                   .role = 1, .province = "Hà Tĩnh"};
  info.units[1] = (mc_client_unit){.code = "444", .name = "Trung tâm Hành chính công huyện",
                                   .role = 2, .province = "Hà Tĩnh"};
  CHECK_EQ(mc_slip_from_history(&h, &info, "01", "Phan Văn Đức", NULL, 0, &sd, &steps), MC_OK);
  CHECK_STREQ(sd.province, "Hà Tĩnh");
  CHECK_STREQ(sd.parent_name, "Trung tâm Hành chính công huyện");
  t = render(&sd, "01", "vi", "slip01-hello.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  CHECK(has(t, "UBND TỈNH HÀ TĨNH"));
  CHECK(has(t, "TRUNG TÂM HÀNH CHÍNH CÔNG HUYỆN"));
  CHECK(has(t, "XÃ ĐIỀN MỸ"));
  free(t);
  free(steps);
}

/* Form 01 from a dossier as show/history send it (Dossier fields 40-46)
 * and the catalogue (ProceduresReply): the components received by their
 * catalogue names, in the form received (else the published one), the
 * legal limit as published, the yearly register number, the missing
 * reason (issue 14, finding 5). */
static void test_intake_from_dossier(void) {
  Motcua__Dossier dos = MOTCUA__DOSSIER__INIT;
  Motcua__HistoryReply h = MOTCUA__HISTORY_REPLY__INIT;
  Motcua__ReceivedComponent rc[3] = {MOTCUA__RECEIVED_COMPONENT__INIT,
                                     MOTCUA__RECEIVED_COMPONENT__INIT,
                                     MOTCUA__RECEIVED_COMPONENT__INIT};
  Motcua__ReceivedComponent *rcp[3] = {&rc[0], &rc[1], &rc[2]};
  Motcua__ProcedureComponent pc[2] = {MOTCUA__PROCEDURE_COMPONENT__INIT,
                                      MOTCUA__PROCEDURE_COMPONENT__INIT};
  Motcua__ProcedureComponent *pcp[2] = {&pc[0], &pc[1]};
  Motcua__Procedure other = MOTCUA__PROCEDURE__INIT, proc = MOTCUA__PROCEDURE__INIT;
  Motcua__Procedure *pp[2] = {&other, &proc};
  Motcua__ProceduresReply cat = MOTCUA__PROCEDURES_REPLY__INIT;
  mc_client_info info = {0};
  mc_slip_data sd;
  mc_slip_step *steps = NULL;
  mc_slip_doc dd[8];
  char path[1024], *t;
  other.code = "1.000894";
  other.limit_text = "Trong ngày";
  proc.code = "1.001612";
  proc.limit_text = "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ";
  pc[0].ordinal = 1;
  pc[0].name = "Giấy đề nghị đăng ký hộ kinh doanh";
  pc[0].form = MOTCUA__COMPONENT_FORM__FORM_ORIGINAL;
  pc[1].ordinal = 4;
  pc[1].name = "Bản sao thẻ căn cước của người ủy quyền";
  pc[1].form = MOTCUA__COMPONENT_FORM__FORM_COPY;
  proc.n_components = 2;
  proc.components = pcp;
  cat.n_procedures = 2;
  cat.procedures = pp;
  rc[0].ordinal = 1;
  rc[0].count = 1;
  rc[1].ordinal = 4;
  rc[1].count = 2;
  rc[1].form = MOTCUA__COMPONENT_FORM__FORM_CERTIFIED;
  rc[2].ordinal = 9; /* not (or no longer) in the catalogue */
  rc[2].count = 1;
  dos.code = CODE;
  dos.unit_code = "18499";
  dos.unit_name = "Xã Điền Mỹ";
  dos.procedure_code = "1.001612";
  dos.procedure_name = "Đăng ký thành lập hộ kinh doanh";
  dos.status = 2;
  dos.applicant_address = "Thôn 3, xã Điền Mỹ";
  dos.applicant_email = "hkd@example.vn";
  dos.sets = 2;
  dos.n_components_received = 3;
  dos.components_received = rcp;
  dos.missing_reason = "Hợp đồng thuê nhà nộp sau";
  dos.register_no = 417;
  dos.register_year = 2026;
  Motcua__Applicant app = MOTCUA__APPLICANT__INIT;
  app.name = "Nguyễn Thị Thu Trang";
  app.id_number = "042190012345";
  app.phone = "0912345678";
  dos.applicant = &app;
  dos.received_at_ms = vn_ms(2026, 11, 29, 9, 15);
  dos.due_at_ms = vn_ms(2026, 12, 2, 17, 0);
  h.dossier = &dos;
  snprintf(info.unit_code, sizeof info.unit_code, "18499");
  snprintf(info.unit_name, sizeof info.unit_name, "Xã Điền Mỹ");
  info.n_units = 2;
  info.units[0] = (mc_client_unit){.code = "18499", .name = "Xã Điền Mỹ", .parent = "444",
                                   .role = 1, .province = "Hà Tĩnh"};
  info.units[1] = (mc_client_unit){.code = "444", .name = "Trung tâm Hành chính công huyện",
                                   .role = 2, .province = "Hà Tĩnh"};
  CHECK_EQ(mc_slip_from_history(&h, &info, "01", "Phan Văn Đức", NULL, 0, &sd, &steps), MC_OK);
  mc_slip_intake(&dos, &cat, &sd, dd, 2); /* room for two: the third is left out */
  CHECK_EQ(sd.ndocs, 2);
  CHECK_EQ(sd.year_seq, 417);
  t = render(&sd, "01", "vi", "slip01-intake.pdf", path, sizeof path);
  CHECK_FATAL(t != NULL);
  CHECK(has(t, "Số thứ tự: 0417"));
  CHECK(has(t, "Thôn 3, xã Điền Mỹ"));
  CHECK(has(t, "hkd@example.vn"));
  CHECK(has(t, "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"));
  CHECK(has(t, "1. Giấy đề nghị đăng ký hộ kinh doanh (bản chính): 01"));
  CHECK(has(t, "2. Bản sao thẻ căn cước của người ủy quyền (bản sao có chứng thực): 02"));
  CHECK(has(t, "Số lượng hồ sơ: 02"));
  CHECK(has(t, "Hợp đồng thuê nhà nộp sau"));
  free(t);
  mc_slip_intake(&dos, NULL, &sd, dd, 8); /* no catalogue: numbers only */
  CHECK_EQ(sd.ndocs, 3);
  CHECK_STREQ(sd.time_limit, "");
  CHECK_STREQ(sd.docs[2].name, "");
  free(steps);
}

static void test_explicit_font(void) {
  mc_slip_data d = base_data();
  char path[1024], *t;
  out_path(path, sizeof path, "sans01.pdf");
  CHECK_EQ(mc_slip_write(&d, "01", "vi", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                         path, errbuf, sizeof errbuf), 0);
  t = pdf_text(path);
  CHECK(has(t, "Nguyễn Thị Thu Trang"));
  CHECK(words_inside(path));
  free(t);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  outdir = argv[1];
  mkdir(outdir, 0755);
  if (system("command -v pdftotext >/dev/null 2>&1") != 0) {
    fprintf(stderr, "pdftotext not found (apt-get install poppler-utils)\n");
    return 1;
  }
  RUN_TEST(test_form01);
  RUN_TEST(test_form01_blank_and_refused);
  RUN_TEST(test_form01_provisional);
  RUN_TEST(test_form02);
  RUN_TEST(test_form03);
  RUN_TEST(test_form04);
  RUN_TEST(test_form05);
  RUN_TEST(test_form06);
  RUN_TEST(test_form01_en);
  RUN_TEST(test_accents_drawn);
  RUN_TEST(test_hostile);
  RUN_TEST(test_null_fields);
  RUN_TEST(test_many_steps);
  RUN_TEST(test_errors);
  RUN_TEST(test_explicit_font);
  RUN_TEST(test_from_history);
  RUN_TEST(test_intake_from_dossier);
  return check_result();
}
