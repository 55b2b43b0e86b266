/* Migration 015 against a real PostgreSQL (pgtest.h): the catalogue's
 * corrected codes and limits, the "unconfirmed" marks, and the components
 * (thành phần hồ sơ) seeded for every procedure. */
#include <stdio.h>
#include <stdlib.h>

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
  /* Corrections follow the code. */
  pgt_exec("UPDATE procedures SET code = 'X.1' WHERE code = '1.001612'");
  CHECK(pgt_long("SELECT count(*) FROM procedure_components WHERE procedure_code = 'X.1'") == 4);
  pgt_exec("UPDATE procedures SET code = '1.001612' WHERE code = 'X.1'");
}

int main(void) {
  pgt_start(WATCHDOG_S);
  mc_store *s = pgt_open_store(pgt_conninfo, NULL, 1, 10);
  test_codes();
  test_limits();
  test_components();
  pgt_close_store(s);
  uv_run(&pgt_loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&pgt_loop) == 0);
  pgt_teardown();
  fprintf(stderr, "PASS test_storage_catalogue\n");
  return 0;
}
