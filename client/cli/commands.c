/* The command table: every command of motcua, its usage text, whether it
 * connects first or may queue, its parser and its runner. main.c looks
 * commands up here; the help test (tests/client) walks it. */
#include "commands.h"

#include "action_cmd.h"
#include "desk_cmd.h"
#include "dossier_cmd.h"
#include "holiday_cmd.h"
#include "monitor_cmd.h"
#include "officers_cmd.h"
#include "outbox_cmd.h"
#include "register_cmd.h"
#include "report_cmd.h"
#include "session_cmd.h"
#include "slip_cmd.h"
#include "transfer_cmd.h"
#include "watch_cmd.h"

/* name, usage, connect first, may queue, action, parse, run */
#define ACTION_CMD(name, usage, act) {name, usage, 1, 1, MOTCUA__ACTION__ACTION_##act, cli_parse_action, cli_run_action}
static const cli_command commands[] = {
    {"ping", MSG_USAGE_PING, 1, 0, 0, cli_parse_none, cli_run_ping},
    {"whoami", MSG_USAGE_WHOAMI, 1, 0, 0, cli_parse_none, cli_run_whoami},
    {"procedures", MSG_USAGE_PROCEDURES, 1, 0, 0, cli_parse_procedures, cli_run_procedures},
    {"receive", MSG_USAGE_RECEIVE, 1, 1, 0, cli_parse_receive, cli_run_receive},
    {"show", MSG_USAGE_SHOW, 1, 0, 0, cli_parse_code, cli_run_show},
    {"list", MSG_USAGE_LIST, 1, 0, 0, cli_parse_list, cli_run_list},
    {"today", MSG_USAGE_TODAY, 1, 0, 0, cli_parse_none, cli_run_today},
    {"search", MSG_USAGE_SEARCH, 1, 0, 0, cli_parse_search, cli_run_search},
    {"forward", MSG_USAGE_FORWARD, 1, 1, 0, cli_parse_forward, cli_run_forward},
    {"history", MSG_USAGE_HISTORY, 1, 0, 0, cli_parse_code, cli_run_history},
    {"inbox", MSG_USAGE_INBOX, 1, 0, 0, cli_parse_inbox, cli_run_inbox},
    {"watch", MSG_USAGE_WATCH, 0, 0, 0, cli_parse_none, cli_run_watch},
    {"desk", MSG_USAGE_DESK, 0, 0, 0, cli_parse_desk, cli_run_desk},
    {"holidays", MSG_USAGE_HOLIDAYS, 1, 0, 0, cli_parse_holidays, cli_run_holidays},
    {"hours", MSG_USAGE_HOURS, 1, 0, 0, cli_parse_hours, cli_run_hours},
    {"register", MSG_USAGE_REGISTER, 1, 0, 0, cli_parse_register, cli_run_register},
    {"slip", MSG_USAGE_SLIP, 1, 1, 0, cli_parse_slip, cli_run_slip}, /* offline: TAM- */
    {"outbox", MSG_USAGE_OUTBOX, 0, 0, 0, cli_outbox_parse, cli_outbox_run},
    {"sync", MSG_USAGE_SYNC, 0, 0, 0, cli_sync_parse, cli_sync_run},
    {"attach", MSG_USAGE_ATTACH, 1, 0, 0, cli_parse_attach, cli_run_attach},
    {"files", MSG_USAGE_FILES, 1, 0, 0, cli_parse_files, cli_run_files},
    {"download", MSG_USAGE_DOWNLOAD, 1, 0, 0, cli_parse_download, cli_run_download},
    {"monitor", MSG_USAGE_MONITOR, 1, 0, 0, cli_parse_monitor, cli_run_monitor},
    {"report", MSG_USAGE_REPORT, 1, 0, 0, cli_parse_report, cli_run_report},
    {"login", MSG_USAGE_LOGIN, 1, 0, 0, cli_parse_login, cli_run_login},
    {"logout", MSG_USAGE_LOGOUT, 1, 0, 0, cli_parse_logout, cli_run_logout},
    {"passwd", MSG_USAGE_PASSWD, 1, 0, 0, cli_parse_passwd, cli_run_passwd},
    {"officers", MSG_USAGE_OFFICERS, 1, 0, 0, cli_parse_officers, cli_run_officers},
    ACTION_CMD("accept", MSG_USAGE_ACCEPT, ACCEPT),
    ACTION_CMD("assign", MSG_USAGE_ASSIGN, ASSIGN),
    {"result", MSG_USAGE_RESULT, 1, 1, MOTCUA__ACTION__ACTION_RESULT, cli_parse_result, cli_run_result},
    ACTION_CMD("send-back", MSG_USAGE_SEND_BACK, SEND_BACK),
    ACTION_CMD("supplement-request", MSG_USAGE_SUPPLEMENT_REQUEST, SUPPLEMENT_REQUEST),
    ACTION_CMD("supplement", MSG_USAGE_SUPPLEMENT, SUPPLEMENT),
    ACTION_CMD("fee-request", MSG_USAGE_FEE_REQUEST, FEE_REQUEST),
    ACTION_CMD("fee-paid", MSG_USAGE_FEE_PAID, FEE_PAID),
    ACTION_CMD("refuse", MSG_USAGE_REFUSE, REFUSE),
    ACTION_CMD("stop", MSG_USAGE_STOP, STOP),
    ACTION_CMD("withdraw", MSG_USAGE_WITHDRAW, WITHDRAW),
    ACTION_CMD("reschedule", MSG_USAGE_RESCHEDULE, RESCHEDULE),
    ACTION_CMD("return", MSG_USAGE_RETURN, RETURN),
    ACTION_CMD("rate", MSG_USAGE_RATE, RATE),
    ACTION_CMD("propose", MSG_USAGE_PROPOSE, PROPOSE),
};
#undef ACTION_CMD

#define N_COMMANDS (sizeof commands / sizeof commands[0])

const cli_command *cli_commands(size_t *n) {
  *n = N_COMMANDS;
  return commands;
}
