/* Every user-facing string of the motcua CLI, Vietnamese and English.
 * Strings carry no printf directives: callers print arguments after them. */
#include <string.h>

#include "cli.h"
#include "error.h"

static const char *const msgs[MSG__COUNT][2] = {
    [MSG_NONE] = {"", ""},
    [MSG_USAGE] = {
        "Cách dùng: motcua [-c TỆP] [--json] [--lang vi|en] [--officer TÊN]\n"
        "                  [--khóa=giá_trị ...] LỆNH [tham số]\n"
        "Tệp cấu hình lấy từ -c hoặc biến môi trường MOTCUA_CONFIG.\n"
        "Các lệnh:\n"
        "  ping         kiểm tra kết nối: phiên bản, giờ máy chủ, thời gian khứ hồi\n"
        "  whoami       đơn vị và vai trò theo chứng thư của máy này\n"
        "  procedures   danh mục thủ tục hành chính\n"
        "  receive      tiếp nhận hồ sơ mới\n"
        "  show MÃ      xem một hồ sơ\n"
        "  list         danh sách hồ sơ\n"
        "  forward MÃ   chuyển hồ sơ lên cấp huyện (liên thông)\n"
        "  watch        theo dõi sự kiện trực tiếp (Ctrl+C để dừng)\n"
        "Xem hướng dẫn từng lệnh: motcua LỆNH --help\n"
        "Mã thoát: 0 thành công; 1 máy chủ từ chối; 2 sai cú pháp/cấu hình;\n"
        "3 không kết nối được máy chủ.",
        "Usage: motcua [-c FILE] [--json] [--lang vi|en] [--officer NAME]\n"
        "              [--key=value ...] COMMAND [arguments]\n"
        "The configuration file comes from -c or the MOTCUA_CONFIG environment variable.\n"
        "Commands:\n"
        "  ping         check the link: server version, server time, round trip\n"
        "  whoami       this desk's unit and role, from its certificate\n"
        "  procedures   the catalogue of administrative procedures\n"
        "  receive      receive a new dossier\n"
        "  show CODE    show one dossier\n"
        "  list         list dossiers\n"
        "  forward CODE forward a dossier to the district (inter-level)\n"
        "  watch        follow events live (Ctrl+C to stop)\n"
        "Help for one command: motcua COMMAND --help\n"
        "Exit codes: 0 ok; 1 refused by the server; 2 usage/configuration error;\n"
        "3 cannot reach the server."},
    [MSG_USAGE_PING] = {
        "Cách dùng: motcua ping\nKiểm tra kết nối tới máy chủ: phiên bản máy chủ, giờ máy chủ,\nthời gian khứ hồi (ms).",
        "Usage: motcua ping\nCheck the link to the server: server version, server time,\nround trip time (ms)."},
    [MSG_USAGE_PROCEDURES] = {
        "Cách dùng: motcua procedures\nLiệt kê các thủ tục hành chính: mã, tên, cấp giải quyết, lĩnh vực, thời hạn.",
        "Usage: motcua procedures\nList the administrative procedures: code, name, level, sector, time limit."},
    [MSG_USAGE_RECEIVE] = {
        "Cách dùng: motcua receive --procedure MÃ_THỦ_TỤC --name HỌ_TÊN --id SỐ_ĐỊNH_DANH\n"
        "                          [--phone SỐ_ĐIỆN_THOẠI] [--channel direct|online|postal]\n"
        "Tiếp nhận hồ sơ mới; in mã hồ sơ, trạng thái và ngày hẹn trả kết quả.\n"
        "  --procedure  mã thủ tục (tối đa 40 ký tự)\n"
        "  --name       họ tên người nộp (tối đa 150 byte)\n"
        "  --id         số CMND (9 chữ số) hoặc CCCD (12 chữ số)\n"
        "  --phone      số điện thoại, chỉ chữ số, tối đa 15\n"
        "  --channel    kênh nộp: direct (trực tiếp, mặc định), online (trực tuyến),\n"
        "               postal (bưu chính công ích)",
        "Usage: motcua receive --procedure PROCEDURE_CODE --name FULL_NAME --id CITIZEN_ID\n"
        "                      [--phone PHONE] [--channel direct|online|postal]\n"
        "Receive a new dossier; prints its code, status and appointment date.\n"
        "  --procedure  procedure code (at most 40 characters)\n"
        "  --name       applicant's full name (at most 150 bytes)\n"
        "  --id         citizen identity number (9 or 12 digits)\n"
        "  --phone      phone number, digits only, at most 15\n"
        "  --channel    channel: direct (at the desk, default), online, postal"},
    [MSG_USAGE_SHOW] = {
        "Cách dùng: motcua show MÃ_HỒ_SƠ\nXem chi tiết một hồ sơ, ví dụ: motcua show H15.50.05.13-261008-0975",
        "Usage: motcua show DOSSIER_CODE\nShow one dossier, e.g.: motcua show H15.50.05.13-261008-0975"},
    [MSG_USAGE_LIST] = {
        "Cách dùng: motcua list [--status 1-10] [--limit N]\n"
        "Danh sách hồ sơ của đơn vị, lọc theo mã trạng thái; --limit từ 1 đến 1000.",
        "Usage: motcua list [--status 1-10] [--limit N]\n"
        "List the unit's dossiers, optionally by status code; --limit 1 to 1000."},
    [MSG_USAGE_FORWARD] = {
        "Cách dùng: motcua forward MÃ_HỒ_SƠ\nChuyển hồ sơ thuộc thẩm quyền cấp huyện lên Trung tâm Hành chính công huyện.",
        "Usage: motcua forward DOSSIER_CODE\nForward a district-level dossier to the district Public Administration Centre."},
    [MSG_USAGE_WATCH] = {
        "Cách dùng: motcua watch\nGiữ kết nối, in từng sự kiện trên một dòng (với --json: mỗi dòng một đối tượng JSON);\n"
        "tự kết nối lại khi mất mạng. Dừng bằng Ctrl+C.",
        "Usage: motcua watch\nKeep the link up and print each event on one line (with --json: one JSON object per line);\n"
        "reconnects by itself after a drop. Stop with Ctrl+C."},
    [MSG_USAGE_WHOAMI] = {
        "Cách dùng: motcua whoami\nIn mã đơn vị, tên đơn vị và vai trò mà máy chủ xác nhận từ chứng thư.",
        "Usage: motcua whoami\nPrint the unit code, unit name and role the server read from the certificate."},
    [MSG_ERR_NO_CONFIG] = {
        "Chưa chỉ định tệp cấu hình: dùng -c TỆP hoặc đặt biến MOTCUA_CONFIG",
        "No configuration file: use -c FILE or set MOTCUA_CONFIG"},
    [MSG_ERR_CONFIG] = {"Lỗi cấu hình", "Configuration error"},
    [MSG_ERR_NO_COMMAND] = {"Thiếu lệnh (xem motcua --help)", "No command given (see motcua --help)"},
    [MSG_ERR_UNKNOWN_COMMAND] = {"Lệnh không hợp lệ", "Unknown command"},
    [MSG_ERR_UNKNOWN_OPTION] = {"Tùy chọn không hợp lệ", "Unknown option"},
    [MSG_ERR_MISSING_VALUE] = {"Thiếu giá trị cho tùy chọn", "Missing value for option"},
    [MSG_ERR_EXTRA_ARG] = {"Tham số thừa", "Unexpected argument"},
    [MSG_ERR_BAD_LANG] = {"Ngôn ngữ phải là vi hoặc en", "Language must be vi or en"},
    [MSG_ERR_NEED_PROCEDURE] = {"Thiếu mã thủ tục (--procedure)", "Missing procedure code (--procedure)"},
    [MSG_ERR_NEED_NAME] = {"Thiếu họ tên người nộp (--name)", "Missing applicant name (--name)"},
    [MSG_ERR_NEED_ID] = {"Thiếu số định danh cá nhân (--id)", "Missing citizen identity number (--id)"},
    [MSG_ERR_NEED_CODE] = {"Thiếu mã hồ sơ", "Missing dossier code"},
    [MSG_ERR_NAME_TOO_LONG] = {"Họ tên quá dài (tối đa 150 byte)", "Name too long (at most 150 bytes)"},
    [MSG_ERR_NAME_INVALID] = {
        "Họ tên không hợp lệ (rỗng, sai mã UTF-8 hoặc chứa ký tự điều khiển)",
        "Invalid name (empty, not UTF-8, or containing control characters)"},
    [MSG_ERR_ID_FORMAT] = {
        "Số định danh phải gồm đúng 9 chữ số (CMND) hoặc 12 chữ số (CCCD)",
        "Citizen identity number must be exactly 9 or 12 digits"},
    [MSG_ERR_PHONE_FORMAT] = {
        "Số điện thoại chỉ gồm chữ số, tối đa 15 chữ số",
        "Phone number must be digits only, at most 15"},
    [MSG_ERR_PROCEDURE_FORMAT] = {
        "Mã thủ tục không hợp lệ (1–40 ký tự: chữ, số, dấu chấm, gạch ngang, gạch dưới)",
        "Invalid procedure code (1-40 characters: letters, digits, '.', '-', '_')"},
    [MSG_ERR_CODE_FORMAT] = {
        "Mã hồ sơ không hợp lệ (1–47 ký tự: chữ, số, dấu chấm, gạch ngang)",
        "Invalid dossier code (1-47 characters: letters, digits, '.', '-')"},
    [MSG_ERR_CHANNEL] = {"Kênh nộp phải là direct, online hoặc postal", "Channel must be direct, online or postal"},
    [MSG_ERR_STATUS_RANGE] = {"Mã trạng thái phải từ 1 đến 10", "Status code must be 1 to 10"},
    [MSG_ERR_LIMIT_RANGE] = {"Số lượng (--limit) phải từ 1 đến 1000", "--limit must be 1 to 1000"},
    [MSG_ERR_NO_OFFICER] = {
        "Chưa có tên cán bộ tiếp nhận: dùng --officer TÊN hoặc officer= trong tệp cấu hình",
        "No officer name: use --officer NAME or officer= in the configuration file"},
    [MSG_ERR_OFFICER_TOO_LONG] = {
        "Tên cán bộ không hợp lệ (tối đa 95 byte, UTF-8, không ký tự điều khiển)",
        "Invalid officer name (at most 95 bytes, UTF-8, no control characters)"},
    [MSG_ERR_TLS_SETUP] = {
        "Không nạp được chứng thư/khóa TLS",
        "Cannot load the TLS certificate/key"},
    [MSG_ERR_CONNECT] = {"Không kết nối được máy chủ", "Cannot connect to the server"},
    [MSG_ERR_CONNECT_TIMEOUT] = {"quá thời gian chờ, máy chủ không trả lời", "timed out, no answer"},
    [MSG_ERR_CONNECT_TLS] = {
        "lỗi xác thực TLS (kiểm tra chứng thư và khóa)",
        "TLS failure (check the certificates and key)"},
    [MSG_ERR_CONNECT_DOWN] = {
        "máy chủ không nhận kết nối (chưa chạy, sai địa chỉ/cổng, hoặc đường truyền bị ngắt)",
        "connection refused or unreachable (server down, wrong address/port, or link cut)"},
    [MSG_ERR_CONNECT_IDENTITY] = {
        "chứng thư của máy chủ không đúng (không phải máy chủ motcua)",
        "the server's certificate is not a motcua server certificate"},
    [MSG_ERR_UNEXPECTED_REPLY] = {"Máy chủ trả lời không đúng giao thức", "Unexpected reply from the server"},
    [MSG_SERVER_SAID] = {"Chi tiết từ máy chủ", "Server detail"},
    [MSG_REFUSED_INTERNAL] = {"Máy chủ gặp lỗi nội bộ", "Internal server error"},
    [MSG_REFUSED_NOMEM] = {"Máy chủ hết bộ nhớ", "The server is out of memory"},
    [MSG_REFUSED_PROTO] = {"Lỗi giao thức giữa máy trạm và máy chủ", "Protocol error between client and server"},
    [MSG_REFUSED_VERSION] = {
        "Phiên bản phần mềm không tương thích với máy chủ, cần cập nhật",
        "Client version incompatible with the server; please update"},
    [MSG_REFUSED_TOO_BIG] = {"Dữ liệu gửi lên quá lớn", "Request too large"},
    [MSG_REFUSED_INVALID] = {"Thông tin gửi lên không hợp lệ", "Invalid request data"},
    [MSG_REFUSED_UNAUTH] = {
        "Máy chủ không xác thực được chứng thư của đơn vị",
        "The server could not authenticate this unit's certificate"},
    [MSG_REFUSED_FORBIDDEN] = {
        "Đơn vị của bạn không có quyền thực hiện thao tác này",
        "Your unit is not allowed to do this"},
    [MSG_REFUSED_NOT_FOUND] = {"Không tìm thấy hồ sơ", "Dossier not found"},
    [MSG_REFUSED_CONFLICT] = {
        "Xung đột: yêu cầu trùng mã chống lặp với một yêu cầu khác",
        "Conflict: idempotency key already used for a different request"},
    [MSG_REFUSED_UNAVAILABLE] = {
        "Máy chủ tạm thời không phục vụ được, vui lòng thử lại sau",
        "Service temporarily unavailable, try again later"},
    [MSG_REFUSED_TIMEOUT] = {"Máy chủ xử lý quá thời gian", "The server timed out"},
    [MSG_REFUSED_BUSY] = {"Máy chủ đang bận, vui lòng thử lại", "The server is busy, try again"},
    [MSG_REFUSED_WRONG_LEVEL] = {
        "Thủ tục này thuộc thẩm quyền cấp xã, không chuyển lên huyện",
        "This procedure is resolved at commune level; it is not forwarded to the district"},
    [MSG_REFUSED_BAD_STATE] = {
        "Không thực hiện được ở trạng thái hiện tại của hồ sơ",
        "Not allowed in the dossier's current status"},
    [MSG_REFUSED_IO] = {"Lỗi vào/ra trên máy chủ", "Input/output error on the server"},
    [MSG_REFUSED_TLS] = {"Lỗi TLS", "TLS error"},
    [MSG_REFUSED_CLOSED] = {"Máy chủ đã đóng kết nối", "The server closed the connection"},
    [MSG_REFUSED_CONFIG] = {"Lỗi cấu hình máy chủ", "Server configuration error"},
    [MSG_REFUSED_UNKNOWN] = {"Máy chủ từ chối yêu cầu", "The server refused the request"},
    [MSG_STATUS_1] = {"Mới đăng ký", "Registered online"},
    [MSG_STATUS_2] = {"Được tiếp nhận", "Received"},
    [MSG_STATUS_3] = {"Không được tiếp nhận", "Refused at intake"},
    [MSG_STATUS_4] = {"Đang xử lý", "In processing"},
    [MSG_STATUS_5] = {"Yêu cầu bổ sung giấy tờ", "Supplement requested"},
    [MSG_STATUS_6] = {"Yêu cầu thực hiện nghĩa vụ tài chính", "Awaiting fees or taxes"},
    [MSG_STATUS_7] = {"Công dân yêu cầu rút hồ sơ", "Withdrawn by the citizen"},
    [MSG_STATUS_8] = {"Dừng xử lý", "Processing stopped"},
    [MSG_STATUS_9] = {"Đã xử lý xong", "Result ready"},
    [MSG_STATUS_10] = {"Đã trả kết quả", "Result returned"},
    [MSG_STATUS_UNKNOWN] = {"Trạng thái không xác định", "Unknown status"},
    [MSG_LEVEL_COMMUNE] = {"cấp xã", "commune level"},
    [MSG_LEVEL_DISTRICT] = {"cấp huyện", "district level"},
    [MSG_CHANNEL_DIRECT] = {"trực tiếp", "at the desk"},
    [MSG_CHANNEL_ONLINE] = {"trực tuyến", "online"},
    [MSG_CHANNEL_POSTAL] = {"bưu chính công ích", "public postal service"},
    [MSG_UNIT_HOURS] = {"giờ", "hours"},
    [MSG_UNIT_WORKING_DAYS] = {"ngày làm việc", "working days"},
    [MSG_UNIT_CALENDAR_DAYS] = {"ngày", "calendar days"},
    [MSG_UNIT_MONTHS] = {"tháng", "months"},
    [MSG_ROLE_COMMUNE] = {"bộ phận một cửa cấp xã", "commune one-stop desk"},
    [MSG_ROLE_DISTRICT] = {"Trung tâm Hành chính công huyện", "district Public Administration Centre"},
    [MSG_ROLE_ADMIN] = {"quản trị hệ thống", "system administrator"},
    [MSG_UNKNOWN] = {"không rõ", "unknown"},
    [MSG_NONE_YET] = {"chưa có", "none"},
    [MSG_F_SERVER] = {"Máy chủ", "Server"},
    [MSG_F_SERVER_TIME] = {"Giờ máy chủ", "Server time"},
    [MSG_F_RTT] = {"Thời gian khứ hồi", "Round trip"},
    [MSG_F_UNIT] = {"Đơn vị", "Unit"},
    [MSG_F_ROLE] = {"Vai trò", "Role"},
    [MSG_F_CODE] = {"Mã hồ sơ", "Dossier code"},
    [MSG_F_STATUS] = {"Trạng thái", "Status"},
    [MSG_F_PROCEDURE] = {"Thủ tục", "Procedure"},
    [MSG_F_LEVEL] = {"Thẩm quyền", "Level"},
    [MSG_F_APPLICANT] = {"Người nộp", "Applicant"},
    [MSG_F_ID] = {"Số định danh", "Citizen ID"},
    [MSG_F_PHONE] = {"Điện thoại", "Phone"},
    [MSG_F_CHANNEL] = {"Kênh nộp", "Channel"},
    [MSG_F_RECEIVED] = {"Ngày tiếp nhận", "Received"},
    [MSG_F_DUE] = {"Hẹn trả kết quả", "Due"},
    [MSG_F_HOLDER] = {"Đơn vị đang giữ", "Held by"},
    [MSG_F_FORWARDED] = {"Chuyển liên thông", "Forwarded"},
    [MSG_F_LIMIT] = {"Thời hạn", "Time limit"},
    [MSG_F_SECTOR] = {"Lĩnh vực", "Sector"},
    [MSG_RECEIVED_OK] = {"Đã tiếp nhận hồ sơ", "Dossier received"},
    [MSG_FORWARDED_OK] = {"Đã chuyển hồ sơ lên cấp huyện", "Dossier forwarded to the district"},
    [MSG_LIST_EMPTY] = {"Không có hồ sơ nào", "No dossiers"},
    [MSG_LIST_COUNT] = {"hồ sơ", "dossier(s)"},
    [MSG_PROC_COUNT] = {"thủ tục", "procedure(s)"},
    [MSG_EV_CONNECTED] = {"Đã kết nối máy chủ", "Connected to the server"},
    [MSG_EV_DISCONNECTED] = {"Mất kết nối, thử lại sau", "Link lost, retrying in"},
    [MSG_EV_PONG] = {"Kết nối tốt, khứ hồi", "Link alive, round trip"},
    [MSG_EV_DOSSIER] = {"Hồ sơ", "Dossier"},
    [MSG_EV_ERROR] = {"Máy chủ báo lỗi", "Server reported an error"},
    [MSG_EV_OTHER] = {"Thông báo từ máy chủ", "Message from the server"},
    [MSG_EV_GOODBYE] = {"Máy chủ đóng kết nối", "The server is closing the link"},
    [MSG_EV_STOPPED] = {"Đã dừng theo dõi", "Stopped watching"},
    [MSG_EV_KIND_FORWARDED] = {"được chuyển liên thông", "forwarded"},
};

static const enum mc_msg refusal_by_wire[MC_ERR_WIRE_MAX + 1] = {
    [0] = MSG_REFUSED_UNKNOWN,       [1] = MSG_REFUSED_INTERNAL,
    [2] = MSG_REFUSED_NOMEM,         [3] = MSG_REFUSED_PROTO,
    [4] = MSG_REFUSED_VERSION,       [5] = MSG_REFUSED_TOO_BIG,
    [6] = MSG_REFUSED_INVALID,       [7] = MSG_REFUSED_UNAUTH,
    [8] = MSG_REFUSED_FORBIDDEN,     [9] = MSG_REFUSED_NOT_FOUND,
    [10] = MSG_REFUSED_CONFLICT,     [11] = MSG_REFUSED_UNAVAILABLE,
    [12] = MSG_REFUSED_TIMEOUT,      [13] = MSG_REFUSED_BUSY,
    [14] = MSG_REFUSED_WRONG_LEVEL,  [15] = MSG_REFUSED_BAD_STATE,
    [16] = MSG_REFUSED_IO,           [17] = MSG_REFUSED_TLS,
    [18] = MSG_REFUSED_CLOSED,       [19] = MSG_REFUSED_CONFIG,
};

const char *mc_msg_raw(enum mc_msg id, int lang) {
  if ((int)id < 0 || id >= MSG__COUNT || lang < 0 || lang > 1) return NULL;
  return msgs[id][lang];
}

const char *mc_msg(int lang, enum mc_msg id) {
  const char *s = mc_msg_raw(id, lang == MC_LANG_EN ? 1 : 0);
  return s != NULL ? s : "";
}

enum mc_msg mc_msg_for_err(int err) {
  if (err >= 0 || -err > MC_ERR_WIRE_MAX) return MSG_REFUSED_UNKNOWN;
  return refusal_by_wire[-err];
}

const char *mc_status_name(int lang, unsigned status) {
  if (status < 1 || status > 10) return mc_msg(lang, MSG_STATUS_UNKNOWN);
  return mc_msg(lang, (enum mc_msg)(MSG_STATUS_1 + (int)status - 1));
}

int mc_lang_parse(const char *s) {
  if (strcmp(s, "vi") == 0) return MC_LANG_VI;
  if (strcmp(s, "en") == 0) return MC_LANG_EN;
  return -1;
}
