/* Plain structs shared by the server's workflow, session and storage
 * modules. No I/O, no pointers to library objects. Fixed-size strings are
 * bounded copies; the session validates lengths before they get here. */
#ifndef MC_MODEL_H
#define MC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "officer.h"

/* Buffer sizes: the shared limits (proto/domain.h) + 1 for the NUL. */
#define MC_UNIT_CODE_MAX (MC_LIM_UNIT_CODE + 1)
#define MC_UNIT_NAME_MAX (MC_LIM_UNIT_NAME + 1)
#define MC_AGENCY_ID_MAX (MC_LIM_AGENCY_ID + 1)
#define MC_PROC_CODE_MAX (MC_LIM_PROC_CODE + 1)
#define MC_PROC_NAME_MAX (MC_LIM_PROC_NAME + 1)
#define MC_SECTOR_MAX (MC_LIM_SECTOR + 1)
#define MC_DOSSIER_CODE_MAX (MC_LIM_DOSSIER_CODE + 1)
#define MC_PERSON_NAME_MAX (MC_LIM_PERSON_NAME + 1)
#define MC_CITIZEN_ID_MAX (MC_LIM_CITIZEN_ID + 1)
#define MC_PHONE_MAX (MC_LIM_PHONE + 1)
#define MC_OFFICER_MAX (MC_LIM_OFFICER + 1)
#define MC_IDEM_KEY_MAX (MC_LIM_IDEM_KEY + 1)
#define MC_TEXT_MAX (MC_LIM_TEXT + 1)     /* reasons, notes, details */
#define MC_SEARCH_MAX (MC_LIM_SEARCH + 1) /* search text */

/* Who acts: the rules' own view of a peer (net/ converts the certificate's
 * mc_peer_id into it). */
typedef struct mc_actor {
  char unit[MC_UNIT_CODE_MAX];
  mc_role role;
  unsigned officer_roles; /* the session officer's roles (MC_OFF_x bits); 0 = none */
} mc_actor;

/* An officer account (issue 15, migration 016). */
typedef struct mc_officer {
  int64_t id;
  char unit[MC_UNIT_CODE_MAX];        /* "" = the IT unit (admin certificate) */
  char login[MC_LIM_LOGIN + 1];
  char full_name[MC_OFFICER_MAX];
  char title[MC_LIM_TITLE + 1];
  unsigned roles;                     /* MC_OFF_x bits */
  int must_change;
  int disabled;
  int failed_count;
  int64_t created_ms, last_login_ms, locked_until_ms; /* 0 = never / not locked */
} mc_officer;

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

/* How a component is handed in (procedure_components.form). */
enum mc_form {
  MC_FORM_ORIGINAL = 1,          /* bản chính */
  MC_FORM_COPY = 2,              /* bản sao */
  MC_FORM_CERTIFIED = 3,         /* bản sao có chứng thực */
  MC_FORM_ORIGINAL_OR_COPY = 4,  /* bản chính hoặc bản sao */
  MC_FORM_PRESENT_ONLY = 5       /* xuất trình: shown, not kept */
};

/* One component of a procedure's published file (thành phần hồ sơ). */
typedef struct mc_component {
  int ordinal;   /* 1.. as published */
  char name[MC_LIM_COMPONENT_NAME + 1];
  int form;      /* enum mc_form */
  int count;     /* papers expected */
  int required;  /* 1 bắt buộc, 0 tùy trường hợp */
  int verified;  /* 0: no source confirmed it */
  char note[MC_LIM_COMPONENT_NOTE + 1];
} mc_component;

/* A component handed in at intake: the procedure's ordinal, papers, form
 * (0: as published). */
typedef struct mc_received {
  int ordinal;
  int count;
  int form; /* enum mc_form, or 0 */
} mc_received;

typedef struct mc_procedure {
  char code[MC_PROC_CODE_MAX];
  char name[MC_PROC_NAME_MAX];
  char sector[MC_SECTOR_MAX];
  int level;       /* enum mc_level */
  int limit_value;
  int limit_unit;  /* enum mc_limit_unit */
  /* The published procedure (migration 015): what stays unconfirmed is
   * verified = 0 with the reason in note. */
  int verified;
  int sets;                                /* số lượng hồ sơ (bộ) */
  char limit_text[MC_TEXT_MAX];            /* legal time limit as published */
  char fee[MC_LIM_PROC_SHORT + 1];
  char source[MC_LIM_PROC_SHORT + 1];
  char note[MC_TEXT_MAX];
  size_t ncomponents;
  mc_component components[MC_LIM_COMPONENTS];
} mc_procedure;

/* What was handed in at intake (issue 14); sets = 0: not loaded. */
typedef struct mc_intake {
  char address[MC_LIM_ADDRESS + 1];
  char email[MC_LIM_EMAIL + 1];
  int sets;
  char missing_reason[MC_TEXT_MAX];
  size_t ncomponents;
  mc_received components[MC_LIM_COMPONENTS];
} mc_intake;

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
  /* workflow state (0 / "" when unset) */
  char assigned_officer[MC_OFFICER_MAX];
  char assigned_login[MC_LIM_LOGIN + 1]; /* "" = none, or assigned by name before 016 */
  int awaiting_signature;     /* a proposed result waits for a leader */
  char department[MC_SECTOR_MAX];
  int supplement_count;
  int rescheduled;
  int rating;                 /* 1..3 */
  int64_t paused_at_ms;       /* clock stopped since (status 5, 6) */
  int64_t finished_at_ms;     /* reached 3, 7, 8 or 9 */
  int64_t returned_at_ms;
  char collected_by[MC_PERSON_NAME_MAX];
  int64_t fee_amount;
  mc_intake intake; /* show only (issue 14) */
} mc_dossier;

/* Workflow actions: values match motcua.Action; FORWARD is the separate
 * ForwardRequest on the wire. */
enum mc_action {
  MC_ACT_ACCEPT = 1,
  MC_ACT_ASSIGN = 2,
  MC_ACT_RESULT = 3,
  MC_ACT_SEND_BACK = 4,
  MC_ACT_SUPPLEMENT_REQUEST = 5,
  MC_ACT_SUPPLEMENT = 6,
  MC_ACT_FEE_REQUEST = 7,
  MC_ACT_FEE_PAID = 8,
  MC_ACT_REFUSE = 9,
  MC_ACT_STOP = 10,
  MC_ACT_WITHDRAW = 11,
  MC_ACT_RESCHEDULE = 12,
  MC_ACT_RETURN = 13,
  MC_ACT_RATE = 14,
  MC_ACT_PROPOSE = 15, /* the draft result goes to a leader for signature */
  MC_ACT_FORWARD = 16,
  MC_ACT_MAX = 16
};

/* What one action changes: computed by the workflow (pure), applied by
 * storage in one transaction guarded by the "before" values. */
typedef struct mc_change {
  int action;
  const char *action_name;            /* "accept", "forward", ... */
  int status_before, status_after;
  char holder_before[MC_UNIT_CODE_MAX];
  char holder_after[MC_UNIT_CODE_MAX];
  char from_unit[MC_UNIT_CODE_MAX];   /* hand-over steps only, else "" */
  char to_unit[MC_UNIT_CODE_MAX];
  char notify_unit[MC_UNIT_CODE_MAX]; /* the other party to tell, "" = none */
  int64_t at_ms;
  int64_t due_after_ms;               /* dossier due time after the action */
  int64_t step_due_ms;                /* this step's own deadline */
  int64_t paused_at_after_ms;         /* 0 = clock running */
  int supplement_inc;                 /* 1 for a supplement request */
  int set_finished;                   /* finished_at = at */
  int set_rescheduled;
  int set_returned;
  const char *result;                 /* "early" | "on_time" | "late" */
} mc_change;

/* One progress-log row (append-only history). */
typedef struct mc_step {
  int64_t at_ms;
  char unit_code[MC_UNIT_CODE_MAX];  /* acting unit */
  char officer[MC_OFFICER_MAX];
  char officer_login[MC_LIM_LOGIN + 1]; /* "" = unverified (free text, before 016) */
  char officer_title[MC_LIM_TITLE + 1];
  int role;                          /* mc_role of the actor */
  char action[24];                   /* "receive", "forward", "accept", ... */
  int status_before;                 /* 0 = none */
  int status_after;
  char from_unit[MC_UNIT_CODE_MAX];  /* hand-over steps */
  char to_unit[MC_UNIT_CODE_MAX];
  int64_t step_due_ms;
  char result[12];                   /* "early" | "on_time" | "late" | "" */
  char detail[MC_TEXT_MAX];          /* reason, note, assignee, amount ... */
} mc_step;

/* One inbox entry: a change another unit made to a dossier that concerns
 * this unit; kept until read. */
typedef struct mc_event {
  uint64_t id;
  int64_t at_ms;
  char kind[24];                     /* the action name */
  char from_unit[MC_UNIT_CODE_MAX];
  char detail[MC_TEXT_MAX];
  mc_dossier dossier;                /* as it is now */
} mc_event;

/* One calendar exception: a public holiday / compensatory day off, or a
 * weekend day made a working day. */
typedef struct mc_calday {
  char date[11];                     /* YYYY-MM-DD */
  int workday;                       /* 0 = holiday, 1 = working weekend day */
  char name[128];
} mc_calday;

/* One office-hours schedule (table working_hours): two sessions with the
 * lunch break between, in local minutes of the day. A unit's schedules
 * change over on fixed dates every year (summer / winter): each applies
 * from its valid_from month-day until the next one's, wrapping at the
 * year's end. 0 <= am_start < am_end <= pm_start < pm_end <= 1440. */
typedef struct mc_work_hours {
  char unit[MC_UNIT_CODE_MAX]; /* "" = the default of every unit without its own */
  int valid_from;              /* month * 100 + day, e.g. 415 = 15 April */
  int am_start, am_end, pm_start, pm_end;
} mc_work_hours;

#endif
