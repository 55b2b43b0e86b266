/* Migration 015 against a real PostgreSQL (pgtest.h): the catalogue's
 * corrected codes and limits, the "unconfirmed" marks, and the components
 * (thành phần hồ sơ) seeded for every procedure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgtest.h"
#include "store.h"

#define WATCHDOG_S 120

static void test_codes(void) {
  /* The three codes that named other procedures are gone; the right ones hold the rows. */
  CHECK(pgt_long("SELECT count(*) FROM procedures WHERE code IN ('2.000575', '1.004222')") == 0);
  CHECK(pgt_long("SELECT count(*) FROM procedures WHERE code = '1.001612'"
                 " AND name = 'Đăng ký thành lập hộ kinh doanh'") == 1);
  CHECK(pgt_long("SELECT count(*) FROM procedures WHERE code = '2.000720'"
                 " AND name = 'Đăng ký thay đổi nội dung đăng ký hộ kinh doanh'") == 1);
  CHECK(pgt_long("SELECT count(*) FROM procedures WHERE code = '1.013978'"
                 " AND name LIKE 'Đăng ký đất đai%lần đầu'") == 1);
  CHECK(pgt_long("SELECT count(*) FROM procedures") == 15);
  /* A dossier keeps its procedure when a code is corrected. */
  CHECK(pgt_long("SELECT count(*) FROM pg_constraint WHERE conname = 'dossiers_procedure_code_fkey'"
                 " AND confupdtype = 'c'") == 1);
}

static void test_limits(void) {
  CHECK(pgt_long("SELECT count(*) FROM procedures WHERE limit_unit = 1") == 0); /* no 8 h left */
  CHECK(pgt_long("SELECT limit_value FROM procedures WHERE code = '2.000815'") == 1);
  CHECK(pgt_long("SELECT limit_value FROM procedures WHERE code = '1.013978'") == 27);
  CHECK(pgt_long("SELECT limit_value FROM procedures WHERE code = '1.004227'") == 18);
  CHECK(pgt_long("SELECT limit_value FROM procedures WHERE code = '1.010821'") == 25);
  CHECK(pgt_long("SELECT count(*) FROM procedures WHERE limit_text = '' OR fee = ''"
                 " OR source = ''") == 0);
  /* Unconfirmed rows say so, and say why. */
  CHECK(pgt_long("SELECT count(*) FROM procedures WHERE NOT verified") == 5);
  CHECK(pgt_long("SELECT count(*) FROM procedures WHERE NOT verified"
                 " AND note NOT LIKE '%(cần xác minh)%'") == 0);
}

static void test_components(void) {
  /* Every procedure has components, ordinals 1..n without gaps, at least one required. */
  CHECK(pgt_long("SELECT count(*) FROM procedures p WHERE NOT EXISTS"
                 " (SELECT 1 FROM procedure_components c WHERE c.procedure_code = p.code"
                 "  AND c.requirement = 'required')") == 0);
  CHECK(pgt_long("SELECT count(*) FROM (SELECT procedure_code FROM procedure_components"
                 " GROUP BY procedure_code HAVING max(ordinal) <> count(*)) g") == 0);
  CHECK(pgt_long("SELECT count(*) FROM procedure_components WHERE procedure_code = '1.001193'") == 7);
  CHECK(pgt_long("SELECT count FROM procedure_components WHERE procedure_code = '1.000894'"
                 " AND name LIKE 'Hộ chiếu%'") == 2);
  CHECK(pgt_long("SELECT count(*) FROM procedure_components WHERE procedure_code = '1.009994'"
                 " AND ordinal = 3 AND count = 2 AND NOT verified") == 1);
  /* The required ones, as tests/integration/itest.py REQUIRED_COMPONENTS hands them in. */
  CHECK(pgt_long("SELECT count(*) FROM procedure_components WHERE requirement = 'required'") == 30);
  CHECK(pgt_long("SELECT count(*) FROM procedure_components WHERE requirement = 'required'"
                 " AND (procedure_code, ordinal) IN (VALUES ('2.000815', 1), ('2.000815', 2),"
                 " ('2.000884', 1), ('2.000884', 2), ('1.000656', 1), ('1.000656', 2),"
                 " ('1.000656', 5), ('1.000894', 1), ('1.000894', 2), ('1.001022', 1),"
                 " ('1.001022', 4), ('1.001193', 1), ('1.001193', 2), ('1.001193', 5),"
                 " ('1.004873', 1), ('1.004873', 3), ('2.000635', 1), ('2.000635', 2),"
                 " ('1.001776', 1), ('1.009994', 1), ('1.009994', 2), ('1.009994', 3),"
                 " ('1.010821', 1), ('1.010821', 2), ('2.000720', 1), ('1.001612', 1),"
                 " ('1.013978', 1), ('1.004227', 1), ('1.004227', 2), ('1.004227', 3))") == 30);
  /* Corrections follow the code. */
  pgt_exec("UPDATE procedures SET code = 'X.1' WHERE code = '1.001612'");
  CHECK(pgt_long("SELECT count(*) FROM procedure_components WHERE procedure_code = 'X.1'") == 4);
  pgt_exec("UPDATE procedures SET code = '1.001612' WHERE code = 'X.1'");
}

typedef struct dres {
  int done, err;
  mc_dossier d;
} dres;

static void dossier_cb(void *arg, int err, const mc_dossier *d) {
  dres *r = arg;
  r->done++;
  r->err = err;
  if (d) r->d = *d;
}

static dres receive(mc_store *s, const char *key, const mc_received *comps, size_t n) {
  mc_applicant a = {"Nguyễn Thị Hương", "042190001234", "0912345678"};
  mc_receive_rec r = {.idem_key = key, .unit_code = "18496", .agency_id = "H30.44.01",
                      .day = "210601", .procedure_code = "1.001193", .applicant = &a,
                      .channel = MC_CH_DIRECT, .officer = "Trần Văn Nam",
                      .received_at_ms = 1622505600000LL, .due_at_ms = 1622592000000LL,
                      .fingerprint = key, .address = "Thôn 3, xã Hương Bình",
                      .email = "huong@example.vn", .sets = 2, .components = comps,
                      .ncomponents = n, .missing_reason = ""};
  dres out = {0};
  CHECK(mc_store_receive(s, &r, dossier_cb, &out) == 0);
  pgt_run_until(&out.done, WAIT_MS);
  return out;
}

/* The intake is written with the receive, names copied from the
 * catalogue, the form as published unless given; a replay adds nothing. */
static void test_intake(mc_store *s) {
  mc_received comps[] = {{1, 1, 0}, {2, 1, MC_FORM_CERTIFIED}, {5, 1, 0}};
  dres a = receive(s, "intake-key-1", comps, 3);
  CHECK(a.err == 0);
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM dossiers WHERE code = '%s' AND sets = 2"
           " AND applicant_address = 'Thôn 3, xã Hương Bình'"
           " AND applicant_email = 'huong@example.vn'", a.d.code);
  CHECK(pgt_long(sql) == 1);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM dossier_components c JOIN dossiers d ON d.id = c.dossier_id"
           " WHERE d.code = '%s'", a.d.code);
  CHECK(pgt_long(sql) == 3);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM dossier_components c JOIN dossiers d ON d.id = c.dossier_id"
           " WHERE d.code = '%s' AND ((c.ordinal = 1 AND c.form = 'original'"
           "  AND c.name = 'Tờ khai đăng ký khai sinh theo mẫu')"
           " OR (c.ordinal = 2 AND c.form = 'certified')"
           " OR (c.ordinal = 5 AND c.form = 'present_only' AND c.name LIKE 'Hộ chiếu%%'))",
           a.d.code);
  CHECK(pgt_long(sql) == 3);
  dres b = receive(s, "intake-key-1", comps, 3); /* replay */
  CHECK(b.err == 0 && strcmp(b.d.code, a.d.code) == 0);
  CHECK(pgt_long("SELECT count(*) FROM dossier_components") == 3);
  dres c = receive(s, "intake-key-2", NULL, 0); /* no components: nothing recorded */
  CHECK(c.err == 0);
  CHECK(pgt_long("SELECT count(*) FROM dossier_components") == 3);
}

int main(void) {
  pgt_start(WATCHDOG_S);
  mc_store *s = pgt_open_store(pgt_conninfo, NULL, 1, 10);
  test_codes();
  test_limits();
  test_components();
  test_intake(s);
  pgt_close_store(s);
  uv_run(&pgt_loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&pgt_loop) == 0);
  pgt_teardown();
  fprintf(stderr, "PASS test_storage_catalogue\n");
  return 0;
}
