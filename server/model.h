/* Plain structs shared by the server's workflow, session and storage
 * modules. No I/O, no pointers to library objects. Fixed-size strings are
 * bounded copies; the session validates lengths before they get here. */
#ifndef MC_MODEL_H
#define MC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "tls.h"

#define MC_UNIT_CODE_MAX 16
#define MC_UNIT_NAME_MAX 128
#define MC_AGENCY_ID_MAX 32
#define MC_PROC_CODE_MAX 48
#define MC_PROC_NAME_MAX 512
#define MC_SECTOR_MAX 128
#define MC_DOSSIER_CODE_MAX 48
#define MC_PERSON_NAME_MAX 160
#define MC_CITIZEN_ID_MAX 16
#define MC_PHONE_MAX 16
#define MC_OFFICER_MAX 96
#define MC_IDEM_KEY_MAX 64

/* National status codes (portal catalogue). */
enum mc_status {
  MC_ST_REGISTERED = 1,  /* Mới đăng ký */
  MC_ST_RECEIVED = 2,    /* Được tiếp nhận */
  MC_ST_REFUSED = 3,     /* Không được tiếp nhận */
  MC_ST_PROCESSING = 4,  /* Đang xử lý */
  MC_ST_SUPPLEMENT = 5,  /* Yêu cầu bổ sung giấy tờ */
  MC_ST_FEE = 6,         /* Yêu cầu thực hiện nghĩa vụ tài chính */
  MC_ST_WITHDRAWN = 7,   /* Công dân yêu cầu rút hồ sơ */
  MC_ST_STOPPED = 8,     /* Dừng xử lý */
  MC_ST_RESOLVED = 9,    /* Đã xử lý xong */
  MC_ST_RETURNED = 10    /* Đã trả kết quả */
};

enum mc_level { MC_LEVEL_COMMUNE = 1, MC_LEVEL_DISTRICT = 2 };
enum mc_limit_unit {
  MC_LIMIT_HOURS = 1,
  MC_LIMIT_WORKING_DAYS = 2,
  MC_LIMIT_CALENDAR_DAYS = 3,
  MC_LIMIT_MONTHS = 4
};
enum mc_channel { MC_CH_DIRECT = 1, MC_CH_ONLINE = 2, MC_CH_POSTAL = 3 };

typedef struct mc_unit {
  char code[MC_UNIT_CODE_MAX];       /* statistics-office code, "444" for the district */
  char name[MC_UNIT_NAME_MAX];
  char agency_id[MC_AGENCY_ID_MAX];  /* electronic identifier used in dossier codes */
  char parent[MC_UNIT_CODE_MAX];     /* "" for the centre */
  mc_role role;                      /* MC_ROLE_COMMUNE or MC_ROLE_DISTRICT */
} mc_unit;

typedef struct mc_procedure {
  char code[MC_PROC_CODE_MAX];
  char name[MC_PROC_NAME_MAX];
  char sector[MC_SECTOR_MAX];
  int level;       /* enum mc_level */
  int limit_value;
  int limit_unit;  /* enum mc_limit_unit */
} mc_procedure;

typedef struct mc_applicant {
  char name[MC_PERSON_NAME_MAX];
  char id_number[MC_CITIZEN_ID_MAX];
  char phone[MC_PHONE_MAX];
} mc_applicant;

typedef struct mc_dossier {
  char code[MC_DOSSIER_CODE_MAX];
  int status;
  char unit_code[MC_UNIT_CODE_MAX];   /* receiving unit, never changes */
  char unit_name[MC_UNIT_NAME_MAX];
  char procedure_code[MC_PROC_CODE_MAX];
  char procedure_name[MC_PROC_NAME_MAX];
  int level;
  mc_applicant applicant;
  int channel;
  int64_t received_at_ms;
  int64_t due_at_ms;
  char holder_unit[MC_UNIT_CODE_MAX]; /* unit currently holding it */
  char forwarded_to[MC_UNIT_CODE_MAX]; /* "" = never forwarded */
  int64_t forwarded_at_ms;            /* 0 = never forwarded */
} mc_dossier;

#endif
