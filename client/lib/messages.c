/* Every user-facing string of the motcua CLI, Vietnamese and English.
 * Strings carry no printf directives: callers print arguments after them. */
#include <string.h>

#include "messages.h"
#include "error.h"

static const char *const msgs[MSG__COUNT][2] = {
    [MSG_NONE] = {"", ""},
    [MSG_USAGE] = {
        "Cách dùng: motcua [-c TỆP] [--json] [--lang vi|en] [--officer TÊN]\n"
        "                  [--khóa=giá_trị ...] LỆNH [tham số]\n"
        "Tệp cấu hình lấy từ -c hoặc biến môi trường MOTCUA_CONFIG.\n"
        "Tùy chọn chung đặt được ở bất kỳ đâu (cả sau LỆNH); -- kết thúc các tùy chọn.\n"
        "Các lệnh:\n"
        "  ping         kiểm tra kết nối: phiên bản, giờ máy chủ, thời gian khứ hồi\n"
        "  whoami       đơn vị và vai trò theo chứng thư của máy này\n"
        "  procedures   danh mục thủ tục hành chính; --search CHỮ: tìm theo tên, lĩnh vực\n"
        "  receive      tiếp nhận hồ sơ mới\n"
        "  show MÃ      xem một hồ sơ\n"
        "  list         danh sách hồ sơ (lọc, sắp xếp, phân trang)\n"
        "  today        số hồ sơ hôm nay: chờ tiếp nhận, chờ trả, sắp đến hạn, quá hạn\n"
        "  forward MÃ   chuyển hồ sơ lên cấp huyện (liên thông)\n"
        "  search CHUỖI tìm theo mã hồ sơ, số định danh, điện thoại hoặc họ tên\n"
        "  history MÃ   quá trình xử lý hồ sơ (từng bước, đúng hạn/quá hạn)\n"
        "  accept, assign, supplement-request, supplement, fee-request, fee-paid,\n"
        "  propose, result, send-back, refuse, stop, withdraw, reschedule, return, rate MÃ\n"
        "               các bước xử lý hồ sơ (xem motcua LỆNH --help)\n"
        "  inbox        thông báo của đơn vị (hồ sơ được chuyển đến, trả về, ...)\n"
        "  watch        theo dõi sự kiện trực tiếp (Ctrl+C để dừng)\n"
        "  desk         màn hình một cửa trong trình duyệt (http://127.0.0.1:8480/)\n"
        "  holidays     lịch ngày nghỉ lễ, ngày làm việc bù\n"
        "  hours        giờ làm việc của đơn vị (xem, sửa)\n"
        "  register     sổ theo dõi hồ sơ (mẫu 06) của một kỳ: màn hình, PDF, bảng tính\n"
        "  report       báo cáo kỳ (Thông tư 01/2018) và chỉ số Quyết định 766; --xlsx TỆP\n"
        "  slip MÃ      in phiếu (mẫu 01–05) ra tệp PDF\n"
        "  outbox       hàng đợi gửi (yêu cầu lưu lại khi mất mạng), số lần thử, lỗi\n"
        "  sync         gửi hàng đợi lên máy chủ: số tạm → mã hồ sơ chính thức\n"
        "  attach MÃ TỆP...  đính kèm bản scan hồ sơ (PDF, ảnh)\n"
        "  files MÃ     danh sách tệp của hồ sơ\n"
        "  download MÃ  tải các tệp của hồ sơ về máy\n"
        "  monitor      (quản trị) trạng thái kết nối của mọi đơn vị\n"
        "  login, logout, passwd   đăng nhập, đăng xuất, đổi mật khẩu cán bộ (cần\n"
        "               đăng nhập để tiếp nhận, chuyển, xử lý hồ sơ)\n"
        "  officers     tài khoản cán bộ: danh sách, thêm, khóa, cấp lại mật khẩu, vai trò\n"
        "MÃ hồ sơ gõ chữ hoa hay thường đều được; trong đơn vị mình gõ gọn yymmdd-nnnn,\n"
        "hoặc chỉ nnnn cho hồ sơ nhận hôm nay.\n"
        "Xem hướng dẫn từng lệnh: motcua LỆNH --help\n"
        "Mã thoát: 0 thành công; 1 máy chủ từ chối; 2 sai cú pháp/cấu hình;\n"
        "3 không kết nối được máy chủ; 4 chứng thư đã bị thu hồi (liên hệ bộ phận CNTT).",
        "Usage: motcua [-c FILE] [--json] [--lang vi|en] [--officer NAME]\n"
        "              [--key=value ...] COMMAND [arguments]\n"
        "The configuration file comes from -c or the MOTCUA_CONFIG environment variable.\n"
        "Global options may come anywhere (also after COMMAND); -- ends the options.\n"
        "Commands:\n"
        "  ping         check the link: server version, server time, round trip\n"
        "  whoami       this desk's unit and role, from its certificate\n"
        "  procedures   the catalogue of procedures; --search WORDS: find by name, sector\n"
        "  receive      receive a new dossier\n"
        "  show CODE    show one dossier\n"
        "  list         list dossiers (filter, sort, page)\n"
        "  today        today's counts: to receive, to return, due soon, overdue\n"
        "  forward CODE forward a dossier to the district (inter-level)\n"
        "  search TEXT  find by dossier code, citizen id, phone or name\n"
        "  history CODE a dossier's progress log (each step, early/on time/late)\n"
        "  accept, assign, supplement-request, supplement, fee-request, fee-paid,\n"
        "  propose, result, send-back, refuse, stop, withdraw, reschedule, return, rate CODE\n"
        "               the processing steps (see motcua COMMAND --help)\n"
        "  inbox        this unit's notifications (dossiers forwarded, sent back, ...)\n"
        "  watch        follow events live (Ctrl+C to stop)\n"
        "  desk         the one-stop screen in a browser (http://127.0.0.1:8480/)\n"
        "  holidays     the calendar of public holidays and compensatory workdays\n"
        "  hours        the unit's office hours (list, change)\n"
        "  register     the dossier register (form 06) of a period: screen, PDF, spreadsheet\n"
        "  report       period report (Circular 01/2018) and Decision 766 indicators; --xlsx FILE\n"
        "  slip CODE    print a slip (forms 01-05) to a PDF file\n"
        "  outbox       requests saved while the server was unreachable, attempts, errors\n"
        "  sync         deliver the outbox: provisional number → real dossier code\n"
        "  attach CODE FILE...  attach scans of the dossier (PDF, images)\n"
        "  files CODE   the files of a dossier\n"
        "  download CODE  download a dossier's files\n"
        "  monitor      (admin) the link state of every unit\n"
        "  login, logout, passwd   officer log in, log out, change password (a login\n"
        "               is needed to receive, forward and process dossiers)\n"
        "  officers     officer accounts: list, add, disable, reset a password, roles\n"
        "CODE in any case; within your own unit the short form yymmdd-nnnn will do,\n"
        "or nnnn alone for a dossier received today.\n"
        "Help for one command: motcua COMMAND --help\n"
        "Exit codes: 0 ok; 1 refused by the server; 2 usage/configuration error;\n"
        "3 cannot reach the server; 4 this unit's certificate is revoked (contact IT)."},
    [MSG_USAGE_PING] = {
        "Cách dùng: motcua ping\nKiểm tra kết nối tới máy chủ: phiên bản máy chủ, giờ máy chủ,\nthời gian khứ hồi (ms).",
        "Usage: motcua ping\nCheck the link to the server: server version, server time,\nround trip time (ms)."},
    [MSG_USAGE_PROCEDURES] = {
        "Cách dùng: motcua procedures [--search CHỮ]\n"
        "Liệt kê các thủ tục hành chính: mã, tên, cấp giải quyết, lĩnh vực, thời hạn.\n"
        "  --search CHỮ  chỉ các thủ tục có mọi từ này trong tên hoặc lĩnh vực, gõ có dấu\n"
        "                hay không dấu đều được (\"dat dai\" tìm ra \"đất đai\"); khớp nhất trước",
        "Usage: motcua procedures [--search WORDS]\n"
        "List the administrative procedures: code, name, level, sector, time limit.\n"
        "  --search WORDS  only those with every word in their name or sector, accents\n"
        "                  optional (\"dat dai\" finds \"đất đai\"); best match first"},
    [MSG_USAGE_RECEIVE] = {
        "Cách dùng: motcua receive --procedure MÃ_THỦ_TỤC --name HỌ_TÊN --id SỐ_ĐỊNH_DANH\n"
        "                          [--phone SỐ_ĐIỆN_THOẠI] [--channel direct|online|postal]\n"
        "                          [--file TỆP ...]\n"
        "Tiếp nhận hồ sơ mới; in mã hồ sơ, trạng thái và ngày hẹn trả kết quả.\n"
        "  --procedure  mã thủ tục, hoặc vài chữ trong tên thủ tục (có dấu hay không):\n"
        "               khớp đúng một thủ tục thì dùng thủ tục đó, khớp nhiều thì liệt kê\n"
        "               để chọn theo mã\n"
        "  --name       họ tên người nộp (tối đa 159 ký tự không dấu, chữ có dấu chiếm 2–3)\n"
        "  --id         số CMND (9 chữ số) hoặc CCCD (12 chữ số)\n"
        "  --phone      số điện thoại, chỉ chữ số, tối đa 15\n"
        "  --channel    kênh nộp: direct (trực tiếp, mặc định), online (trực tuyến),\n"
        "               postal (bưu chính công ích)\n"
        "  --file       đính kèm bản scan hồ sơ (PDF, ảnh; lặp lại được, tối đa 32 tệp)\n"
        "  --address    địa chỉ người nộp   --email  thư điện tử (không bắt buộc)\n"
        "  --sets N     số bộ hồ sơ (mặc định 1)\n"
        "  --component SỐ|TÊN[:SỐ_BẢN[:original|copy|certified|original_or_copy|present_only]]\n"
        "               thành phần hồ sơ đã nhận, theo số thứ tự ở lệnh procedures hoặc đầu tên\n"
        "               (có dấu hay không; khớp nhiều thì liệt kê để chọn) (lặp lại được)\n"
        "  --missing-reason LÝ_DO  lý do tiếp nhận khi thiếu thành phần bắt buộc",
        "Usage: motcua receive --procedure PROCEDURE_CODE --name FULL_NAME --id CITIZEN_ID\n"
        "                      [--phone PHONE] [--channel direct|online|postal]\n"
        "                      [--file FILE ...]\n"
        "Receive a new dossier; prints its code, status and appointment date.\n"
        "  --procedure  procedure code, or words of its name (accents optional): one\n"
        "               match is used, several are listed to choose by code\n"
        "  --name       applicant's full name (at most 159 bytes)\n"
        "  --id         citizen identity number (9 or 12 digits)\n"
        "  --phone      phone number, digits only, at most 15\n"
        "  --channel    channel: direct (at the desk, default), online, postal\n"
        "  --file       attach a scan of the dossier (PDF, image; repeatable, at most 32)\n"
        "  --address    applicant's address   --email  e-mail (optional)\n"
        "  --sets N     number of sets (default 1)\n"
        "  --component N|NAME[:COUNT[:original|copy|certified|original_or_copy|present_only]]\n"
        "               a component handed in, by its number in `procedures` or the start of\n"
        "               its name (accents optional; several matches are listed) (repeatable)\n"
        "  --missing-reason TEXT  why it is received without a required component"},
    [MSG_USAGE_SHOW] = {
        "Cách dùng: motcua show MÃ_HỒ_SƠ\nXem chi tiết một hồ sơ, ví dụ: motcua show H15.50.05.13-261008-0975\n"
        "(trong đơn vị mình: show 261008-0975, hoặc show 0975 với hồ sơ nhận hôm nay)",
        "Usage: motcua show DOSSIER_CODE\nShow one dossier, e.g.: motcua show H15.50.05.13-261008-0975\n"
        "(within your own unit: show 261008-0975, or show 0975 for one received today)"},
    [MSG_USAGE_LIST] = {
        "Cách dùng: motcua list [--status 1-10] [--limit N] [--offset N] [--sort THỨ_TỰ]\n"
        "                       [--overdue] [--due-within 2d|36h] [--mine | --awaiting-signature]\n"
        "                       [--procedure MÃ] [--sector LĨNH_VỰC] [--holder MÃ_ĐƠN_VỊ]\n"
        "                       [--received-from NGÀY] [--received-to NGÀY]\n"
        "                       [--due-from NGÀY] [--due-to NGÀY]\n"
        "Danh sách hồ sơ của đơn vị; các bộ lọc kết hợp với nhau (và); --limit từ 1 đến 1000.\n"
        "  --overdue          chỉ hồ sơ quá hạn\n"
        "  --due-within KỲ    chỉ hồ sơ chưa xong, đến hạn trong khoảng này tính từ bây giờ\n"
        "                     (d = ngày, h = giờ, m = phút; ví dụ 2d, 36h)\n"
        "  --mine             chỉ hồ sơ được giao cho cán bộ đang đăng nhập\n"
        "  --awaiting-signature  hồ sơ đã trình ký, chờ lãnh đạo ký (đơn vị đang giữ)\n"
        "  --procedure MÃ     một thủ tục;  --sector LĨNH_VỰC  các thủ tục của một lĩnh vực\n"
        "  --holder MÃ        đơn vị đang giữ hồ sơ\n"
        "  --received-from/--received-to, --due-from/--due-to NGÀY   khoảng ngày tiếp nhận,\n"
        "                     ngày hẹn trả (DD/MM/YYYY hoặc YYYY-MM-DD, tính cả hai đầu)\n"
        "  --sort THỨ_TỰ      received, due, code, status; dấu - ở đầu: giảm dần\n"
        "                     (mặc định -received: mới nhất trước)\n"
        "  --after CON_TRỎ    trang sau: giá trị \"Còn nữa\" in ở cuối trang trước\n"
        "  --all              đi tiếp mọi trang (tối đa 100 trang)\n"
        "  --offset N         bỏ qua N hồ sơ đầu (cách cũ), tối đa 100000",
        "Usage: motcua list [--status 1-10] [--limit N] [--offset N] [--sort ORDER]\n"
        "                   [--overdue] [--due-within 2d|36h] [--mine | --awaiting-signature]\n"
        "                   [--procedure CODE] [--sector SECTOR] [--holder UNIT]\n"
        "                   [--received-from DATE] [--received-to DATE]\n"
        "                   [--due-from DATE] [--due-to DATE]\n"
        "List the unit's dossiers; filters combine (and); --limit 1 to 1000.\n"
        "  --overdue          overdue dossiers only\n"
        "  --due-within SPAN  unfinished dossiers due within SPAN from now\n"
        "                     (d = days, h = hours, m = minutes; e.g. 2d, 36h)\n"
        "  --mine             only the dossiers assigned to the logged-in officer\n"
        "  --awaiting-signature  results proposed for signature, awaiting a leader (held here)\n"
        "  --procedure CODE   one procedure;  --sector SECTOR  the procedures of one sector\n"
        "  --holder UNIT      the unit holding the dossier now\n"
        "  --received-from/--received-to, --due-from/--due-to DATE   a range of receipt or\n"
        "                     due days (DD/MM/YYYY or YYYY-MM-DD, both days included)\n"
        "  --sort ORDER       received, due, code, status; a leading - sorts descending\n"
        "                     (default -received: newest first)\n"
        "  --after CURSOR     the next page: the \"More\" value printed after the previous one\n"
        "  --all              follow every page (at most 100 pages)\n"
        "  --offset N         skip the first N dossiers (the old way), at most 100000"},
    [MSG_USAGE_FORWARD] = {
        "Cách dùng: motcua forward MÃ_HỒ_SƠ\nChuyển hồ sơ thuộc thẩm quyền cấp huyện lên Trung tâm Hành chính công huyện.",
        "Usage: motcua forward DOSSIER_CODE\nForward a district-level dossier to the district Public Administration Centre."},
    [MSG_USAGE_WATCH] = {
        "Cách dùng: motcua watch\nGiữ kết nối, in từng sự kiện trên một dòng (với --json: mỗi dòng một đối tượng JSON);\n"
        "tự kết nối lại khi mất mạng. Dừng bằng Ctrl+C.\n"
        "Chứng thư và khóa được gia hạn (pki.sh renew) thì tự nạp lại, không cần khởi động lại;\n"
        "chứng thư bị thu hồi thì dừng với mã thoát 4 (liên hệ bộ phận CNTT).",
        "Usage: motcua watch\nKeep the link up and print each event on one line (with --json: one JSON object per line);\n"
        "reconnects by itself after a drop. Stop with Ctrl+C.\n"
        "A renewed certificate and key (pki.sh renew) are loaded again without a restart;\n"
        "a revoked certificate stops it with exit code 4 (contact IT)."},
    [MSG_USAGE_WHOAMI] = {
        "Cách dùng: motcua whoami\nIn mã đơn vị, tên đơn vị và vai trò mà máy chủ xác nhận từ chứng thư.",
        "Usage: motcua whoami\nPrint the unit code, unit name and role the server read from the certificate."},
    [MSG_USAGE_ACCEPT] = {
        "Cách dùng: motcua accept MÃ_HỒ_SƠ\nNhận hồ sơ để xử lý (trạng thái 2 → 4): đơn vị đang giữ hồ sơ, ví dụ\nTrung tâm nhận hồ sơ xã chuyển lên.",
        "Usage: motcua accept DOSSIER_CODE\nStart processing a dossier (status 2 -> 4): the unit holding it, e.g. the\ncentre taking a dossier forwarded by a commune."},
    [MSG_USAGE_ASSIGN] = {
        "Cách dùng: motcua assign MÃ_HỒ_SƠ [--to TÊN_ĐĂNG_NHẬP] [--dept PHÒNG_BAN]\n"
        "Phân công chuyên viên xử lý (và phòng chuyên môn) xử lý hồ sơ; chỉ cấp huyện.\n"
        "  --to TÊN_ĐĂNG_NHẬP  một chuyên viên xử lý của đơn vị; không có --to: liệt kê các\n"
        "                      chuyên viên có thể giao (như motcua officers list --role processing)",
        "Usage: motcua assign DOSSIER_CODE [--to LOGIN] [--dept DEPARTMENT]\n"
        "Assign a processing officer (and a department) to the dossier; district only.\n"
        "  --to LOGIN  one of the unit's processing officers; without --to: list the\n"
        "              officers it may go to (as motcua officers list --role processing)"},
    [MSG_USAGE_RESULT] = {
        "Cách dùng: motcua result MÃ_HỒ_SƠ [--file TỆP ...]\nGhi nhận hồ sơ đã có kết quả (4 → 9).\n"
        "  --file  đính kèm văn bản kết quả (PDF, ảnh; lặp lại được)",
        "Usage: motcua result DOSSIER_CODE [--file FILE ...]\nRecord that the result is ready (4 -> 9).\n"
        "  --file  attach the result document (PDF, image; repeatable)"},
    [MSG_USAGE_SEND_BACK] = {
        "Cách dùng: motcua send-back MÃ_HỒ_SƠ\nChuyển trả kết quả (hoặc văn bản từ chối) về đơn vị đã tiếp nhận hồ sơ; chỉ cấp huyện.",
        "Usage: motcua send-back DOSSIER_CODE\nSend the result (or the refusal) back to the unit that received the dossier; district only."},
    [MSG_USAGE_SUPPLEMENT_REQUEST] = {
        "Cách dùng: motcua supplement-request MÃ_HỒ_SƠ --reason LÝ_DO\nYêu cầu bổ sung giấy tờ (→ 5); thời hạn xử lý tạm dừng. Lý do tối đa 500 ký tự không dấu, chữ có dấu chiếm 2–3.",
        "Usage: motcua supplement-request DOSSIER_CODE --reason REASON\nAsk for missing documents (-> 5); the clock stops. Reason at most 500 bytes."},
    [MSG_USAGE_SUPPLEMENT] = {
        "Cách dùng: motcua supplement MÃ_HỒ_SƠ [--note GHI_CHÚ]\nCông dân đã bổ sung giấy tờ (5 → 4); thời hạn xử lý chạy tiếp.",
        "Usage: motcua supplement DOSSIER_CODE [--note NOTE]\nThe citizen supplied the documents (5 -> 4); the clock resumes."},
    [MSG_USAGE_FEE_REQUEST] = {
        "Cách dùng: motcua fee-request MÃ_HỒ_SƠ --amount SỐ_TIỀN\nYêu cầu thực hiện nghĩa vụ tài chính (4 → 6), số tiền bằng đồng (số nguyên > 0);\nthời hạn xử lý tạm dừng.",
        "Usage: motcua fee-request DOSSIER_CODE --amount VND\nAsk for fees or taxes (4 -> 6), a whole amount of VND > 0; the clock stops."},
    [MSG_USAGE_FEE_PAID] = {
        "Cách dùng: motcua fee-paid MÃ_HỒ_SƠ\nCông dân đã nộp phí, lệ phí (6 → 4); thời hạn xử lý chạy tiếp.",
        "Usage: motcua fee-paid DOSSIER_CODE\nThe fees were paid (6 -> 4); the clock resumes."},
    [MSG_USAGE_REFUSE] = {
        "Cách dùng: motcua refuse MÃ_HỒ_SƠ --reason LÝ_DO\nTừ chối tiếp nhận hồ sơ (→ 3), ghi rõ lý do (mẫu 03).",
        "Usage: motcua refuse DOSSIER_CODE --reason REASON\nRefuse the dossier (-> 3), stating the reason (form 03)."},
    [MSG_USAGE_STOP] = {
        "Cách dùng: motcua stop MÃ_HỒ_SƠ --reason LÝ_DO\nDừng xử lý hồ sơ (→ 8), ghi rõ lý do.",
        "Usage: motcua stop DOSSIER_CODE --reason REASON\nStop processing the dossier (-> 8), stating the reason."},
    [MSG_USAGE_WITHDRAW] = {
        "Cách dùng: motcua withdraw MÃ_HỒ_SƠ [--reason LÝ_DO]\nCông dân rút hồ sơ (→ 7).",
        "Usage: motcua withdraw DOSSIER_CODE [--reason REASON]\nThe citizen withdraws the dossier (-> 7)."},
    [MSG_USAGE_RESCHEDULE] = {
        "Cách dùng: motcua reschedule MÃ_HỒ_SƠ --to NGÀY --reason LÝ_DO\n"
        "Hẹn lại ngày trả kết quả (một lần cho mỗi hồ sơ; phiếu xin lỗi, mẫu 04).\n"
        "  --to  DD/MM/YYYY hoặc YYYY-MM-DD (17:00 ngày đó, giờ Việt Nam), có thể thêm \" HH:MM\";\n"
        "        phải là ngày làm việc, trong giờ làm việc của đơn vị, sau ngày hẹn hiện tại",
        "Usage: motcua reschedule DOSSIER_CODE --to DATE --reason REASON\n"
        "Set a new appointment (once per dossier; apology slip, form 04).\n"
        "  --to  DD/MM/YYYY or YYYY-MM-DD (17:00 that day, Vietnam time), optionally \" HH:MM\";\n"
        "        a working day, within the unit's office hours, later than the current appointment"},
    [MSG_USAGE_RETURN] = {
        "Cách dùng: motcua return MÃ_HỒ_SƠ --to \"HỌ TÊN NGƯỜI NHẬN\"\nTrả kết quả cho công dân (9 → 10), ghi họ tên người nhận kết quả.",
        "Usage: motcua return DOSSIER_CODE --to \"NAME OF WHO COLLECTED IT\"\nHand the result to the citizen (9 -> 10), recording who collected it."},
    [MSG_USAGE_RATE] = {
        "Cách dùng: motcua rate MÃ_HỒ_SƠ --level 1|2|3\nGhi nhận đánh giá của công dân: 1 Không hài lòng, 2 Hài lòng, 3 Rất hài lòng.",
        "Usage: motcua rate DOSSIER_CODE --level 1|2|3\nRecord the citizen's rating: 1 not satisfied, 2 satisfied, 3 very satisfied."},
    [MSG_USAGE_HISTORY] = {
        "Cách dùng: motcua history MÃ_HỒ_SƠ\nQuá trình xử lý hồ sơ: từng bước, đơn vị, cán bộ, hạn của bước và kết quả\n(trước hạn, đúng hạn, quá hạn), theo giờ Việt Nam.",
        "Usage: motcua history DOSSIER_CODE\nThe dossier's progress log: each step, unit, officer, the step's deadline and\nwhether it was early, on time or late (Vietnam time)."},
    [MSG_USAGE_INBOX] = {
        "Cách dùng: motcua inbox [--peek [--after CON_TRỎ]] [--limit N] [--all]\nThông báo gửi đến đơn vị; các thông báo in ra được đánh dấu đã đọc\n(trừ khi có --peek). --limit từ 1 đến 1000. --after (với --peek): trang sau, giá trị \"Còn nữa\";\n--all: mọi trang (tối đa 100).",
        "Usage: motcua inbox [--peek [--after CURSOR]] [--limit N] [--all]\nNotifications for this unit; those printed are marked as read (unless --peek).\n--limit 1 to 1000. --after (with --peek): the next page, the \"More\" value;\n--all: every page (at most 100)."},
    [MSG_USAGE_SEARCH] = {
        "Cách dùng: motcua search CHUỖI [--limit N] [--after CON_TRỎ] [--all]\nTìm hồ sơ theo mã, số định danh, số điện thoại hoặc họ tên (không phân biệt dấu), mới nhất trước.\n"
        "Một phần mã hồ sơ (từ 4 ký tự, ví dụ 0004 hoặc 261206-00) tìm mọi hồ sơ có mã chứa nó;\n"
        "họ tên: từ 3 ký tự. --after: trang sau (giá trị \"Còn nữa\"); --all: mọi trang (tối đa 100).",
        "Usage: motcua search TEXT [--limit N] [--after CURSOR] [--all]\nFind dossiers by code, citizen id, phone or name (accents ignored), newest first.\n"
        "Part of a dossier code (4 characters or more, e.g. 0004 or 261206-00) finds every code containing it;\n"
        "a name: 3 characters or more. --after: the next page (the \"More\" value); --all: every page (at most 100)."},
    [MSG_USAGE_HOLIDAYS] = {
        "Cách dùng: motcua holidays list [--year NĂM]\n"
        "           motcua holidays add NGÀY --name TÊN [--workday]\n"
        "           motcua holidays remove NGÀY\n"
        "Lịch ngày nghỉ lễ, nghỉ bù (--workday: ngày cuối tuần làm việc bù). NGÀY dạng\n"
        "DD/MM/YYYY hoặc YYYY-MM-DD. Thêm, xóa: chỉ quản trị hệ thống.",
        "Usage: motcua holidays list [--year YEAR]\n"
        "       motcua holidays add DATE --name NAME [--workday]\n"
        "       motcua holidays remove DATE\n"
        "The calendar of public holidays and days off (--workday: a weekend day made a\n"
        "working day). DATE is DD/MM/YYYY or YYYY-MM-DD. Add and remove: administrators only."},
    [MSG_USAGE_ATTACH] = {
        "Cách dùng: motcua attach MÃ_HỒ_SƠ TỆP...\n"
        "Đính kèm bản quét (PDF, JPEG, PNG, TIFF; tối đa 100 MiB mỗi tệp) vào hồ sơ.\n"
        "Đường truyền bị ngắt: chạy lại đúng lệnh đó, phần đã gửi không phải gửi lại.",
        "Usage: motcua attach DOSSIER_CODE FILE...\n"
        "Attach scans (PDF, JPEG, PNG, TIFF; at most 100 MiB each) to a dossier.\n"
        "If the link drops, rerun the same command: what was sent is not sent again."},
    [MSG_USAGE_FILES] = {
        "Cách dùng: motcua files MÃ_HỒ_SƠ\nDanh sách tệp của hồ sơ (tên, cỡ, SHA-256, loại).",
        "Usage: motcua files DOSSIER_CODE\nThe files of a dossier (name, size, SHA-256, kind)."},
    [MSG_USAGE_DOWNLOAD] = {
        "Cách dùng: motcua download MÃ_HỒ_SƠ [--out THƯ_MỤC]\n"
        "Tải mọi tệp của hồ sơ (mặc định vào thư mục hiện tại); tiếp tục phần đã tải,\n"
        "kiểm tra SHA-256 trước khi ghi tên tệp.",
        "Usage: motcua download DOSSIER_CODE [--out DIR]\n"
        "Download every file of a dossier (default: the current directory); continues a\n"
        "partial download and checks the SHA-256 before the file gets its name."},
    [MSG_USAGE_SLIP] = {
        "Cách dùng: motcua slip MÃ_HỒ_SƠ --form 01|02|03|04|05 -o TỆP.pdf [--province \"UBND TỈNH HÀ TĨNH\"]\n"
        "In phiếu: 01 tiếp nhận và hẹn trả kết quả, 02 yêu cầu bổ sung, 03 từ chối,\n"
        "04 xin lỗi và hẹn lại, 05 kiểm soát quá trình giải quyết. -o và --output như nhau.",
        "Usage: motcua slip DOSSIER_CODE --form 01|02|03|04|05 -o FILE.pdf [--province \"UBND TỈNH HÀ TĨNH\"]\n"
        "Print a slip: 01 receipt and appointment, 02 supplement request, 03 refusal,\n"
        "04 apology and new appointment, 05 process control slip. -o is --output."},
    [MSG_USAGE_MONITOR] = {
        "Cách dùng: motcua monitor [--json] [--interval GIÂY] [--once]\n"
        "(chứng thư quản trị) Bảng trạng thái kết nối của mọi đơn vị, tự làm mới; đơn vị mất kết nối\n"
        "tô đỏ kèm thời gian mất kết nối. --json: in một ảnh chụp JSON rồi thoát. Dừng bằng Ctrl+C.",
        "Usage: motcua monitor [--json] [--interval SECONDS] [--once]\n"
        "(admin certificate) Live table of every unit's link, refreshing; offline units in red\n"
        "with how long they have been offline. --json: print one JSON snapshot and exit. Stop with Ctrl+C."},
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
    [MSG_ERR_NAME_TOO_LONG] = {"Họ tên quá dài (tối đa 159 ký tự không dấu, chữ có dấu chiếm 2–3)", "Name too long (at most 159 bytes)"},
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
        "Tên cán bộ không hợp lệ (tối đa 95 ký tự không dấu, chữ có dấu chiếm 2–3, không ký tự điều khiển)",
        "Invalid officer name (at most 95 bytes, UTF-8, no control characters)"},
    [MSG_ERR_TLS_SETUP] = {
        "Không nạp được chứng thư/khóa TLS",
        "Cannot load the TLS certificate/key"},
    [MSG_ERR_SERVER_NAME] = {
        "Cấu hình thiếu tên máy chủ (server_name trong mục [server]): không thể kiểm tra chứng thư "
        "của máy chủ",
        "The configuration has no server name ([server] server_name): the server certificate "
        "cannot be checked"},
    [MSG_ERR_NEED_OPTION] = {"Thiếu tùy chọn bắt buộc", "Missing required option"},
    [MSG_ERR_REASON_INVALID] = {
        "Lý do không hợp lệ (1–500 ký tự không dấu, chữ có dấu chiếm 2–3, không ký tự điều khiển trừ xuống dòng)",
        "Invalid reason (1-500 bytes of UTF-8, no control characters except newline)"},
    [MSG_ERR_NOTE_INVALID] = {
        "Ghi chú không hợp lệ (1–500 ký tự không dấu, chữ có dấu chiếm 2–3, không ký tự điều khiển trừ xuống dòng)",
        "Invalid note (1-500 bytes of UTF-8, no control characters except newline)"},
    [MSG_ERR_ASSIGNEE_INVALID] = {
        "Tên cán bộ được phân công không hợp lệ (tối đa 95 ký tự không dấu, chữ có dấu chiếm 2–3, không ký tự điều khiển)",
        "Invalid assignee (at most 95 bytes, no control characters)"},
    [MSG_ERR_DEPT_INVALID] = {
        "Tên phòng ban không hợp lệ (tối đa 127 ký tự không dấu, chữ có dấu chiếm 2–3, không ký tự điều khiển)",
        "Invalid department (at most 127 bytes, no control characters)"},
    [MSG_ERR_COLLECTOR_INVALID] = {
        "Họ tên người nhận kết quả không hợp lệ (tối đa 159 ký tự không dấu, chữ có dấu chiếm 2–3, không ký tự điều khiển)",
        "Invalid name of who collected the result (at most 159 bytes, no control characters)"},
    [MSG_ERR_AMOUNT] = {
        "Số tiền phải là số nguyên dương (đồng), tối đa 1.000.000.000.000",
        "Amount must be a positive whole number of VND, at most 1000000000000"},
    [MSG_ERR_DUE_DATE] = {
        "Ngày hẹn không hợp lệ: dùng DD/MM/YYYY hoặc YYYY-MM-DD, có thể thêm \" HH:MM\" (ngày có thật)",
        "Invalid appointment: use DD/MM/YYYY or YYYY-MM-DD, optionally \" HH:MM\" (a real date)"},
    [MSG_ERR_DATE] = {
        "Ngày không hợp lệ: dùng DD/MM/YYYY hoặc YYYY-MM-DD (ngày có thật, năm 2000–2100)",
        "Invalid date: use DD/MM/YYYY or YYYY-MM-DD (a real date, years 2000-2100)"},
    [MSG_ERR_RATING] = {
        "Mức đánh giá phải là 1 (không hài lòng), 2 (hài lòng) hoặc 3 (rất hài lòng)",
        "Rating must be 1 (not satisfied), 2 (satisfied) or 3 (very satisfied)"},
    [MSG_ERR_SPAN] = {
        "Khoảng thời gian không hợp lệ: số kèm d (ngày), h (giờ) hoặc m (phút), tối đa 366 ngày",
        "Invalid span: a number followed by d (days), h (hours) or m (minutes), at most 366 days"},
    [MSG_ERR_SEARCH_TEXT] = {
        "Chuỗi tìm kiếm không hợp lệ (1–99 ký tự không dấu, chữ có dấu chiếm 2–3, không ký tự điều khiển)",
        "Invalid search text (1-99 bytes, no control characters)"},
    [MSG_ERR_YEAR] = {"Năm phải từ 2000 đến 2100", "Year must be 2000 to 2100"},
    [MSG_ERR_HOLIDAY_NAME] = {
        "Tên ngày nghỉ không hợp lệ (tối đa 127 ký tự không dấu, chữ có dấu chiếm 2–3, không ký tự điều khiển)",
        "Invalid holiday name (at most 127 bytes, no control characters)"},
    [MSG_ERR_NEED_SUBCOMMAND] = {
        "Thiếu hoặc sai lệnh con (list, add, remove)", "Missing or unknown subcommand (list, add, remove)"},
    [MSG_ERR_FORM] = {"Mẫu phiếu phải là 01, 02, 03, 04 hoặc 05", "Form must be 01, 02, 03, 04 or 05"},
    [MSG_ERR_PROVINCE_INVALID] = {
        "Dòng tên tỉnh không hợp lệ (tối đa 159 ký tự không dấu, chữ có dấu chiếm 2–3, không ký tự điều khiển)",
        "Invalid province line (at most 159 bytes, no control characters)"},
    [MSG_ERR_SLIP] = {"Không tạo được phiếu", "Cannot write the slip"},
    [MSG_ERR_SLIP_REFUSED] = {
        "Hồ sơ đã bị từ chối tiếp nhận (trạng thái 3): không in Giấy tiếp nhận (mẫu 01), "
        "hãy in Phiếu từ chối (mẫu 03)",
        "The dossier was refused (status 3): no receipt (form 01); print the refusal "
        "(form 03)"},
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
        "Thao tác không đúng cấp có thẩm quyền của thủ tục",
        "Not at this level: the procedure's level does not allow this here"},
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
    [MSG_EV_FROM] = {"từ", "from"},
    [MSG_ACT_RECEIVE] = {"Tiếp nhận", "Received"},
    [MSG_ACT_FORWARD] = {"Chuyển liên thông", "Forwarded"},
    [MSG_ACT_ACCEPT] = {"Nhận hồ sơ", "Accepted"},
    [MSG_ACT_ASSIGN] = {"Phân công", "Assigned"},
    [MSG_ACT_SUPPLEMENT_REQUEST] = {"Yêu cầu bổ sung", "Supplement requested"},
    [MSG_ACT_SUPPLEMENT] = {"Bổ sung hồ sơ", "Supplement received"},
    [MSG_ACT_FEE_REQUEST] = {"Yêu cầu nộp phí", "Fees requested"},
    [MSG_ACT_FEE_PAID] = {"Đã nộp phí", "Fees paid"},
    [MSG_ACT_REFUSE] = {"Từ chối", "Refused"},
    [MSG_ACT_STOP] = {"Dừng xử lý", "Processing stopped"},
    [MSG_ACT_WITHDRAW] = {"Rút hồ sơ", "Withdrawn"},
    [MSG_ACT_RESCHEDULE] = {"Hẹn lại", "Rescheduled"},
    [MSG_ACT_RESULT] = {"Có kết quả", "Result ready"},
    [MSG_ACT_SEND_BACK] = {"Chuyển trả kết quả", "Result sent back"},
    [MSG_ACT_RETURN] = {"Trả kết quả", "Result returned"},
    [MSG_ACT_RATE] = {"Đánh giá", "Rated"},
    [MSG_DONE_ACCEPT] = {"Đã nhận hồ sơ để xử lý", "Dossier accepted for processing"},
    [MSG_DONE_ASSIGN] = {"Đã phân công xử lý hồ sơ", "Dossier assigned"},
    [MSG_DONE_SUPPLEMENT_REQUEST] = {"Đã yêu cầu bổ sung hồ sơ", "Supplement requested for dossier"},
    [MSG_DONE_SUPPLEMENT] = {"Đã ghi nhận bổ sung hồ sơ", "Supplement recorded for dossier"},
    [MSG_DONE_FEE_REQUEST] = {"Đã yêu cầu nộp phí, lệ phí cho hồ sơ", "Fees requested for dossier"},
    [MSG_DONE_FEE_PAID] = {"Đã ghi nhận nộp phí cho hồ sơ", "Fee payment recorded for dossier"},
    [MSG_DONE_REFUSE] = {"Đã từ chối hồ sơ", "Refused dossier"},
    [MSG_DONE_STOP] = {"Đã dừng xử lý hồ sơ", "Stopped processing dossier"},
    [MSG_DONE_WITHDRAW] = {"Đã ghi nhận công dân rút hồ sơ", "Withdrawal recorded for dossier"},
    [MSG_DONE_RESCHEDULE] = {"Đã hẹn lại ngày trả kết quả hồ sơ", "New appointment set for dossier"},
    [MSG_DONE_RESULT] = {"Đã ghi nhận có kết quả hồ sơ", "Result recorded for dossier"},
    [MSG_DONE_SEND_BACK] = {"Đã chuyển trả kết quả hồ sơ", "Result sent back for dossier"},
    [MSG_DONE_RETURN] = {"Đã trả kết quả hồ sơ", "Result handed over for dossier"},
    [MSG_DONE_RATE] = {"Đã ghi nhận đánh giá hồ sơ", "Rating recorded for dossier"},
    [MSG_RESULT_EARLY] = {"Trước hạn", "Early"},
    [MSG_RESULT_ON_TIME] = {"Đúng hạn", "On time"},
    [MSG_RESULT_LATE] = {"Quá hạn", "Late"},
    [MSG_F_OVERDUE] = {"Quá hạn", "Overdue"},
    [MSG_F_ASSIGNED] = {"Cán bộ xử lý", "Assigned officer"},
    [MSG_F_DEPARTMENT] = {"Phòng chuyên môn", "Department"},
    [MSG_F_RATING] = {"Đánh giá", "Rating"},
    [MSG_F_SUPPLEMENTS] = {"Số lần yêu cầu bổ sung", "Supplement requests"},
    [MSG_F_RESCHEDULED] = {"Đã hẹn lại", "Rescheduled"},
    [MSG_F_FINISHED] = {"Kết thúc xử lý", "Finished"},
    [MSG_F_PAUSED] = {"Tạm dừng tính thời hạn từ", "Clock stopped since"},
    [MSG_F_RETURNED] = {"Ngày trả kết quả", "Returned"},
    [MSG_F_COLLECTED_BY] = {"Người nhận kết quả", "Collected by"},
    [MSG_F_FEE] = {"Phí, lệ phí", "Fees"},
    [MSG_YES] = {"có", "yes"},
    [MSG_NO] = {"không", "no"},
    [MSG_USAGE_REPORT] = {
        "Cách dùng: motcua report --from NGÀY --to NGÀY [--by unit|sector|procedure|channel]\n"
        "                         [--unit MÃ] [--xlsx TỆP.xlsx | --json]\n"
        "Báo cáo tình hình tiếp nhận, giải quyết hồ sơ trong kỳ (mẫu Thông tư 01/2018) và các chỉ số\n"
        "theo Quyết định 766/QĐ-TTg (tỷ lệ đúng hạn, thời gian giải quyết trung bình, tỷ lệ trực tuyến,\n"
        "tỷ lệ số hóa, mức độ hài lòng), mỗi chỉ số kèm công thức, tử số và mẫu số.\n"
        "NGÀY: DD/MM/YYYY hoặc YYYY-MM-DD (giờ của máy chủ), cả hai ngày đều được tính.\n"
        "--by: nhóm theo đơn vị giải quyết (mặc định), lĩnh vực, thủ tục hoặc kênh tiếp nhận.\n"
        "--unit: chỉ một đơn vị. Xã xem số liệu của mình; trung tâm huyện của mình và các xã;\n"
        "chứng thư quản trị xem mọi đơn vị. Báo cáo không chứa họ tên hay số định danh công dân.\n"
        "--xlsx: ghi bảng tính (tiêu đề chính thức, dòng tổng là công thức); --json: in JSON.",
        "Usage: motcua report --from DATE --to DATE [--by unit|sector|procedure|channel]\n"
        "                     [--unit CODE] [--xlsx FILE.xlsx | --json]\n"
        "Period report on dossiers received and resolved (Circular 01/2018 layout) and the\n"
        "Decision 766/QĐ-TTg indicators (on-time ratio, average resolution time, online ratio,\n"
        "digitised ratio, satisfaction), each with its formula, numerator and denominator.\n"
        "DATE: DD/MM/YYYY or YYYY-MM-DD (the server's time zone); both days are included.\n"
        "--by: group by resolving unit (default), sector, procedure or receiving channel.\n"
        "--unit: one unit only. A commune sees its own figures; the district centre its own\n"
        "and its communes'; an admin certificate every unit. No citizen name or id appears.\n"
        "--xlsx: write a spreadsheet (official headers, totals as formulas); --json: print JSON."},
    [MSG_ERR_REPORT_BY] = {"--by phải là unit, sector, procedure hoặc channel",
                           "--by must be unit, sector, procedure or channel"},
    [MSG_ERR_REPORT_PERIOD] = {"cần --from và --to (NGÀY), --to không trước --from",
                               "--from and --to (DATE) are required, --to not before --from"},
    [MSG_REPORT_TITLE] = {"BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
                          "REPORT ON THE HANDLING OF ADMINISTRATIVE PROCEDURES"},
    [MSG_REPORT_TITLE_766] = {"CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QUYẾT ĐỊNH 766/QĐ-TTg)",
                              "SERVICE INDICATORS (DECISION 766/QĐ-TTg)"},
    [MSG_REPORT_PERIOD] = {"Kỳ báo cáo: từ ngày", "Period: from"},
    [MSG_REPORT_NO] = {"STT", "No."},
    [MSG_REPORT_BY_UNIT] = {"Đơn vị giải quyết", "Resolving unit"},
    [MSG_REPORT_BY_SECTOR] = {"Lĩnh vực", "Sector"},
    [MSG_REPORT_BY_PROCEDURE] = {"Thủ tục hành chính", "Procedure"},
    [MSG_REPORT_BY_CHANNEL] = {"Kênh tiếp nhận", "Channel"},
    [MSG_REPORT_TOTAL] = {"Tổng cộng", "Total"},
    [MSG_REPORT_G_RECEIVED] = {"Số hồ sơ nhận giải quyết", "Dossiers to resolve"},
    [MSG_REPORT_G_IN_PERIOD] = {"Trong kỳ", "Received in the period"},
    [MSG_REPORT_G_RESOLVED] = {"Số hồ sơ đã giải quyết", "Dossiers resolved"},
    [MSG_REPORT_G_PENDING] = {"Số hồ sơ đang giải quyết", "Dossiers in progress"},
    [MSG_REPORT_G_OTHER] = {"Hồ sơ khác", "Other dossiers"},
    [MSG_REPORT_C_TOTAL] = {"Tổng số", "Total"},
    [MSG_REPORT_C_CARRIED] = {"Từ kỳ trước", "Carried over"},
    [MSG_REPORT_C_DIRECT] = {"Trực tiếp", "Direct"},
    [MSG_REPORT_C_ONLINE] = {"Trực tuyến", "Online"},
    [MSG_REPORT_C_POSTAL] = {"Bưu chính công ích", "Postal"},
    [MSG_REPORT_C_EARLY] = {"Trước hạn", "Early"},
    [MSG_REPORT_C_ON_TIME] = {"Đúng hạn", "On time"},
    [MSG_REPORT_C_LATE] = {"Quá hạn", "Late"},
    [MSG_REPORT_C_WITHIN] = {"Trong hạn", "Within deadline"},
    [MSG_REPORT_C_OVERDUE] = {"Quá hạn", "Overdue"},
    [MSG_REPORT_C_RETURNED] = {"Đã trả kết quả", "Returned"},
    [MSG_REPORT_C_WITHDRAWN] = {"Rút hồ sơ", "Withdrawn"},
    [MSG_REPORT_C_REFUSED] = {"Từ chối", "Refused"},
    [MSG_REPORT_C_STOPPED] = {"Dừng xử lý", "Stopped"},
    [MSG_REPORT_C_SUPPLEMENT] = {"Yêu cầu bổ sung", "Supplement requested"},
    [MSG_REPORT_F_ON_TIME] = {"Tỷ lệ đúng hạn", "On-time ratio"},
    [MSG_REPORT_F_OVERDUE] = {"Tỷ lệ quá hạn", "Overdue ratio"},
    [MSG_REPORT_F_UNSATISFIED] = {"Tỷ lệ không hài lòng", "Not-satisfied ratio"},
    [MSG_REPORT_F_SATISFACTION] = {"Mức độ hài lòng", "Satisfaction"},
    [MSG_REPORT_F_AVG_DAYS] = {"Thời gian giải quyết trung bình (ngày)",
                               "Average resolution time (days)"},
    [MSG_REPORT_F_ONLINE] = {"Tỷ lệ trực tuyến", "Online ratio"},
    [MSG_REPORT_F_DIRECT] = {"Tỷ lệ trực tiếp", "Direct ratio"},
    [MSG_REPORT_F_POSTAL] = {"Tỷ lệ qua bưu chính", "Postal ratio"},
    [MSG_REPORT_F_DIGITISED] = {"Tỷ lệ số hóa hồ sơ", "Digitised ratio"},
    [MSG_REPORT_H_FIGURE] = {"Chỉ số", "Indicator"},
    [MSG_REPORT_H_NUMERATOR] = {"Tử số", "Numerator"},
    [MSG_REPORT_H_DENOMINATOR] = {"Mẫu số", "Denominator"},
    [MSG_REPORT_H_VALUE] = {"Giá trị", "Value"},
    [MSG_REPORT_H_FORMULA] = {"Công thức", "Formula"},
    [MSG_REPORT_UNITS] = {"Đơn vị trong báo cáo:", "Units in the report:"},
    [MSG_REPORT_WRITTEN] = {"Đã ghi bảng tính", "Spreadsheet written"},
    [MSG_REPORT_XLSX_FAILED] = {"không ghi được bảng tính", "could not write the spreadsheet"},
    [MSG_REPORT_UNBALANCED] = {"số liệu báo cáo không khớp tổng", "the report's totals do not add up"},
    [MSG_RATING_1] = {"Không hài lòng", "Not satisfied"},
    [MSG_RATING_2] = {"Hài lòng", "Satisfied"},
    [MSG_RATING_3] = {"Rất hài lòng", "Very satisfied"},
    [MSG_H_TIME] = {"Thời gian", "Time"},
    [MSG_H_UNIT] = {"Đơn vị", "Unit"},
    [MSG_H_ACTION] = {"Thao tác", "Action"},
    [MSG_H_STATUS] = {"T.thái", "Status"},
    [MSG_H_STEP_DUE] = {"Hạn của bước", "Step due"},
    [MSG_H_RESULT] = {"Kết quả", "Result"},
    [MSG_H_OFFICER] = {"Cán bộ", "Officer"},
    [MSG_HISTORY_EMPTY] = {"Chưa có bước xử lý nào", "No steps yet"},
    [MSG_HISTORY_COUNT] = {"bước", "step(s)"},
    [MSG_INBOX_EMPTY] = {"Không có thông báo mới", "No new notifications"},
    [MSG_INBOX_COUNT] = {"thông báo", "notification(s)"},
    [MSG_INBOX_MORE_UNREAD] = {"Vẫn còn thông báo chưa đọc: chạy lại motcua inbox --all",
                               "More notifications are unread: run motcua inbox --all again"},
    [MSG_HOLIDAY_KIND_HOLIDAY] = {"nghỉ", "day off"},
    [MSG_HOLIDAY_KIND_WORKDAY] = {"làm việc bù", "working day"},
    [MSG_HOLIDAYS_EMPTY] = {"Chưa có ngày nghỉ nào trong lịch", "No calendar entries"},
    [MSG_HOLIDAYS_COUNT] = {"ngày trong lịch", "calendar entr(ies)"},
    [MSG_HOLIDAY_ADDED] = {"Đã cập nhật lịch ngày", "Calendar updated for"},
    [MSG_HOLIDAY_REMOVED] = {"Đã xóa khỏi lịch ngày", "Removed from the calendar:"},
    [MSG_SLIP_WRITTEN] = {"Đã ghi phiếu", "Slip written"},
    [MSG_USAGE_OUTBOX] = {
        "Cách dùng: motcua outbox [--all]\n"
        "Hàng đợi gửi của bàn tiếp nhận này (các yêu cầu lưu lại khi không liên lạc được máy chủ):\n"
        "mỗi mục với số lần thử và lỗi gần nhất. Mặc định: mục chờ gửi và mục bị từ chối;\n"
        "--all: cả mục đã gửi (kèm mã hồ sơ chính thức). Không cần kết nối mạng.",
        "Usage: motcua outbox [--all]\n"
        "This desk's outbox (requests saved while the server could not be reached): each\n"
        "item with its attempts and last error. Default: pending and rejected items;\n"
        "--all: delivered ones too (with the real dossier code). Works offline."},
    [MSG_USAGE_SYNC] = {
        "Cách dùng: motcua sync\n"
        "Gửi hàng đợi lên máy chủ, từng mục một theo thứ tự; mục lỗi không chặn mục khác,\n"
        "mỗi mục chỉ được ghi nhận một lần. In kết quả từng mục: số tạm → mã hồ sơ chính thức.\n"
        "Mã thoát: 0 đã gửi hết; 1 có mục bị máy chủ từ chối; 3 còn mục chưa gửi được;\n"
        "4 chứng thư đã bị thu hồi.\n"
        "(motcua watch tự gửi hàng đợi khi có kết nối.)",
        "Usage: motcua sync\n"
        "Deliver the outbox to the server, item by item in order; a failing item does not\n"
        "block the others, and each is recorded exactly once. Prints each item's result:\n"
        "provisional number → real dossier code.\n"
        "Exit codes: 0 all delivered; 1 some refused by the server; 3 some not delivered yet;\n"
        "4 the certificate is revoked.\n"
        "(motcua watch delivers the outbox by itself while connected.)"},
    [MSG_OUTBOX_QUEUED_RECEIVE] = {
        "Máy chủ không liên lạc được: đã lưu hồ sơ vào hàng đợi, số tạm",
        "The server cannot be reached: the dossier is saved in the outbox, provisional number"},
    [MSG_OUTBOX_QUEUED_ITEM] = {
        "Máy chủ không liên lạc được: đã lưu yêu cầu vào hàng đợi, mục",
        "The server cannot be reached: the request is saved in the outbox, item"},
    [MSG_OUTBOX_QUEUED_BEHIND] = {
        "Hồ sơ còn yêu cầu chưa gửi: đã xếp yêu cầu này sau chúng trong hàng đợi, mục",
        "The dossier has requests not yet delivered: this one is queued behind them, item"},
    [MSG_OUTBOX_RUN_SYNC] = {"chạy `motcua sync` khi có mạng",
                             "run `motcua sync` when the link is back"},
    [MSG_OUTBOX_DISK_LOW] = {"Cảnh báo: ổ đĩa chứa hàng đợi sắp đầy, còn trống",
                             "Warning: the disk holding the outbox is almost full, free:"},
    [MSG_OUTBOX_EMPTY] = {"Hàng đợi trống.", "The outbox is empty."},
    [MSG_OUTBOX_COUNT] = {"mục; chờ gửi:", "items; pending:"},
    [MSG_OUTBOX_PENDING] = {"chờ gửi", "pending"},
    [MSG_OUTBOX_DELIVERED] = {"đã gửi", "delivered"},
    [MSG_OUTBOX_REJECTED] = {"bị từ chối", "rejected"},
    [MSG_OUTBOX_ATTEMPTS] = {"Số lần thử", "Attempts"},
    [MSG_OUTBOX_LAST_ERROR] = {"Lỗi gần nhất", "Last error"},
    [MSG_OUTBOX_OFFICER] = {"Cán bộ gửi (gửi đi bằng phiên của cán bộ này)",
                            "Officer (sent with this officer's session)"},
    [MSG_OUTBOX_NEXT_ATTEMPT] = {"Thử lại lúc", "Next attempt"},
    [MSG_OUTBOX_WAITS_FOR] = {"Chờ mục", "Waits for item"},
    [MSG_OUTBOX_TITLE] = {"Hàng đợi", "Outbox"},
    [MSG_SYNC_RETRY] = {"chưa gửi được, sẽ thử lại", "not delivered, will retry"},
    [MSG_SYNC_WAITING] = {"chờ mục phía trước", "waiting for an earlier item"},
    [MSG_SYNC_NOTHING] = {"Không có gì cần gửi.", "Nothing to deliver."},
    [MSG_SYNC_SUMMARY] = {"Đồng bộ: đã gửi / bị từ chối / còn chờ:",
                          "Sync: delivered / rejected / still pending:"},
    [MSG_SYNC_STOPPED] = {"Mất kết nối, dừng đồng bộ", "Link down, sync stopped"},
    [MSG_ERR_OUTBOX] = {"Không dùng được hàng đợi gửi", "Cannot use the outbox"},
    [MSG_ERR_PROVISIONAL] = {"Số tạm không có trong hàng đợi", "Unknown provisional number"},
    [MSG_ERR_PROVISIONAL_REJECTED] = {"Hồ sơ mang số tạm này đã bị máy chủ từ chối",
                                      "The dossier with this provisional number was refused by the server"},
    [MSG_ERR_FILE] = {"Không đọc/ghi được tệp", "Cannot read or write the file"},
    [MSG_ERR_FILE_EXISTS] = {"Tệp đã có sẵn với nội dung khác, không ghi đè; hãy chuyển nó đi rồi tải lại",
                             "A file with other content already exists and was not overwritten; move it away and download again"},
    [MSG_ERR_TOO_MANY_FILES] = {"Quá nhiều tệp trong một lệnh", "Too many files in one command"},
    [MSG_FILES_EMPTY] = {"Hồ sơ chưa có tệp nào.", "The dossier has no files."},
    [MSG_FILE_DEDUP] = {"máy chủ đã có tệp này", "the server already had this file"},
    [MSG_FILE_RESUMED] = {"tiếp tục từ", "resumed from"},
    /* issue 13 (client) */
    [MSG_ERR_REVOKED] = {"chứng thư đã bị thu hồi — liên hệ bộ phận CNTT",
                         "certificate revoked — contact IT"},
    [MSG_ERR_NO_SUCH_COMMAND] = {"Không có lệnh", "There is no command"},
    [MSG_ERR_NO_SUCH_OPTION] = {"Không có tùy chọn", "There is no option"},
    [MSG_DID_YOU_MEAN] = {"Có phải ý bạn là", "Did you mean"},
    [MSG_MON_NEVER_CONNECTED] = {"chưa từng kết nối", "never connected"},
    [MSG_MON_REVOKED] = {"đã thu hồi", "revoked"},
    /* the monitor's table */
    [MSG_MON_TITLE] = {"Kết nối các đơn vị", "Unit links"},
    [MSG_MON_H_CODE] = {"Mã", "Code"},
    [MSG_MON_H_UNIT] = {"Đơn vị", "Unit"},
    [MSG_MON_H_STATE] = {"Trạng thái", "State"},
    [MSG_MON_H_RTT] = {"RTT", "RTT"},
    [MSG_MON_H_SEEN] = {"Lần cuối", "Last seen"},
    [MSG_MON_H_QUEUED] = {"Chờ gửi", "Queued"},
    [MSG_MON_ONLINE] = {"đang kết nối", "online"},
    [MSG_MON_DEGRADED] = {"kết nối kém", "degraded"},
    [MSG_MON_OFFLINE] = {"mất kết nối", "offline"},
    [MSG_MON_NEVER] = {"chưa từng", "never"},
    [MSG_MON_SUMMARY] = {"Đang kết nối", "Online"},
    [MSG_MON_ALERTS] = {"Cảnh báo:", "Alerts:"},
    [MSG_MON_CLOSED] = {"Lần ngắt gần nhất:", "Latest disconnects:"},
    [MSG_MON_UNREACHABLE] = {"Không lấy được trạng thái từ máy chủ", "Cannot get the state from the server"},
    [MSG_MON_FOOT] = {"giây một lần – Ctrl+C để thoát", "s between refreshes – Ctrl+C to quit"},
    [MSG_MON_DAYS] = {"ngày", "d"},
    [MSG_MON_HOURS] = {"giờ", "h"},
    [MSG_MON_MINUTES] = {"phút", "min"},
    [MSG_MON_SECONDS] = {"giây", "s"},
    [MSG_RULE_ROLE] = {"Vai trò của đơn vị không được làm thao tác này",
                       "This unit's role may not take this action"},
    [MSG_RULE_ADMIN] = {"Cán bộ CNTT (quản trị) không được truy cập hồ sơ",
                        "IT staff (admin) have no access to dossiers"},
    [MSG_RULE_BEFORE_FORWARD] = {
        "Hồ sơ thuộc thẩm quyền cấp huyện: trước khi chuyển liên thông, cấp xã chỉ được chuyển, "
        "từ chối tiếp nhận, cho rút hoặc yêu cầu bổ sung khi tiếp nhận",
        "A district-level dossier: before the forward, the commune may only forward it, refuse "
        "it at intake, record a withdrawal or request the intake supplement"},
    [MSG_RULE_FORWARD_LEVEL] = {"Chỉ hồ sơ thuộc thẩm quyền cấp huyện mới được chuyển liên thông",
                                "Only district-level procedures are forwarded"},
    [MSG_RULE_FORWARD_ONCE] = {"Hồ sơ đã được chuyển liên thông", "The dossier was already forwarded"},
    [MSG_RULE_AT_CENTRE] = {
        "Hồ sơ đang ở cấp huyện: cấp xã chỉ được nhận bổ sung, nhận nộp phí hoặc cho rút hồ sơ",
        "The district holds the dossier: the commune may only take in a supplement or a fee "
        "payment, or record a withdrawal"},
    [MSG_RULE_AFTER_SEND_BACK] = {
        "Hồ sơ đã được cấp huyện trả về: cấp xã chỉ được trả kết quả và ghi nhận đánh giá",
        "After the send-back the commune may only return the result and record the rating"},
    [MSG_RULE_SENT_BACK] = {"Hồ sơ đã được trả về đơn vị tiếp nhận",
                            "The dossier was sent back to the receiving unit"},
    [MSG_RULE_SEND_BACK] = {"Chỉ đơn vị được chuyển đến, đang giữ hồ sơ, mới được trả về",
                            "Only the unit the dossier was forwarded to, holding it, may send it back"},
    [MSG_RULE_RECEIVER_ONLY] = {"Chỉ đơn vị tiếp nhận, đang giữ hồ sơ, mới được làm thao tác này",
                                "Only the receiving unit, with the dossier in hand, may do this"},
    [MSG_RULE_HOLDER] = {"Chỉ đơn vị đang giữ hồ sơ mới được làm thao tác này",
                         "Only the unit holding the dossier may do this"},
    [MSG_RULE_NOT_PARTY] = {"Đơn vị không tiếp nhận và không được chuyển hồ sơ này",
                            "This unit neither received the dossier nor was it forwarded to it"},
    [MSG_RULE_STATUS] = {"Thao tác không được phép ở trạng thái hiện tại của hồ sơ",
                         "The action is not allowed in the dossier's current status"},
    [MSG_RULE_RESCHEDULE_ONCE] = {"Hồ sơ chỉ được hẹn lại một lần",
                                  "A dossier may be rescheduled only once"},
    [MSG_RULE_RATE_ONCE] = {"Đánh giá của công dân chỉ được ghi nhận một lần",
                            "The citizen's rating is recorded once"},
    /* finding procedures and dossiers (find.h) */
    [MSG_PROC_NONE] = {"Không có thủ tục nào khớp với", "No procedure matches"},
    [MSG_ERR_PROC_NONE_MATCH] = {
        "Không có thủ tục nào khớp (xem motcua procedures --search CHUỖI)",
        "No procedure matches (see motcua procedures --search TEXT)"},
    [MSG_ERR_PROC_MANY] = {
        "Nhiều thủ tục khớp; chạy lại với --procedure và một mã thủ tục dưới đây",
        "Several procedures match; run again with --procedure and one code below"},
    [MSG_ERR_PROC_OFFLINE] = {
        "Không kết nối được máy chủ để tìm thủ tục theo tên; hãy gõ mã thủ tục",
        "The server cannot be reached to find the procedure by name; type its code"},
    [MSG_ERR_SHORT_CODE] = {
        "Mã rút gọn (yymmdd-nnnn) cần kết nối tới máy chủ; hãy gõ đủ mã hồ sơ",
        "A short code (yymmdd-nnnn) needs the server; type the whole dossier code"},
    /* Vietnamese throughout: what the server's codes and values mean */
    [MSG_KIND_SCAN] = {"bản scan hồ sơ", "dossier scan"},
    [MSG_KIND_RESULT] = {"kết quả", "result"},
    [MSG_KIND_OTHER] = {"tệp khác", "other"},
    [MSG_MIME_PDF] = {"PDF", "PDF"},
    [MSG_MIME_JPEG] = {"ảnh JPEG", "JPEG image"},
    [MSG_MIME_PNG] = {"ảnh PNG", "PNG image"},
    [MSG_MIME_TIFF] = {"ảnh TIFF", "TIFF image"},
    [MSG_MIME_OTHER] = {"loại khác", "other type"},
    [MSG_DETAIL] = {"Chi tiết", "Detail"},
    [MSG_ERROR_CODE] = {"Mã lỗi", "Error code"},
    [MSG_SLIP_SIZE] = {"cỡ", "size"},
    [MSG_F_LEGAL_LIMIT] = {"Thời hạn theo quy định", "Legal time limit"},
    [MSG_F_SETS] = {"Số lượng hồ sơ", "Number of sets"},
    [MSG_F_SOURCE] = {"Nguồn", "Source"},
    [MSG_F_COMPONENTS] = {"Thành phần hồ sơ", "Documents of the dossier"},
    [MSG_UNVERIFIED] = {"chưa xác minh", "unconfirmed"},
    [MSG_SETS_UNIT] = {"bộ", "set(s)"},
    [MSG_FORM_ORIGINAL] = {"bản chính", "original"},
    [MSG_FORM_COPY] = {"bản sao", "copy"},
    [MSG_FORM_CERTIFIED] = {"bản sao có chứng thực", "certified copy"},
    [MSG_FORM_ORIGINAL_OR_COPY] = {"bản chính hoặc bản sao", "original or copy"},
    [MSG_FORM_PRESENT_ONLY] = {"xuất trình", "shown only"},
    [MSG_REQ_REQUIRED] = {"bắt buộc", "required"},
    [MSG_REQ_CASE_BY_CASE] = {"tùy trường hợp", "case by case"},
    [MSG_ERR_COMPONENT] = {"Thành phần hồ sơ phải có dạng SỐ[:SỐ_BẢN[:original|copy|certified|original_or_copy|present_only]], tối đa 32 thành phần",
                           "A component is N[:COUNT[:original|copy|certified|original_or_copy|present_only]], at most 32 of them"},
    [MSG_ERR_SETS] = {"Số bộ hồ sơ phải từ 1 đến 20", "The number of sets must be 1 to 20"},
    /* issue 14: registers (form 06), office hours, intake on show */
    [MSG_USAGE_REGISTER] = {
        "Cách dùng: motcua register --from NGÀY --to NGÀY [--pdf TỆP.pdf] [--xlsx TỆP.xlsx]\n"
        "Sổ theo dõi hồ sơ (mẫu 06) của đơn vị: các hồ sơ đơn vị tiếp nhận từ ngày đến ngày\n"
        "(tính cả hai ngày, tối đa 366 ngày), theo số thứ tự trong sổ của năm. NGÀY dạng\n"
        "DD/MM/YYYY hoặc YYYY-MM-DD.\n"
        "  --from NGÀY   ngày đầu kỳ          --to NGÀY   ngày cuối kỳ\n"
        "  --pdf TỆP     ghi sổ ra tệp PDF (khổ ngang, in được)\n"
        "  --xlsx TỆP    ghi sổ ra bảng tính Excel (.xlsx)\n"
        "Không có --pdf, --xlsx: in danh sách ra màn hình (--json: một tài liệu JSON).",
        "Usage: motcua register --from DATE --to DATE [--pdf FILE.pdf] [--xlsx FILE.xlsx]\n"
        "The unit's dossier register (form 06): the dossiers the unit received from one day\n"
        "to another (both included, at most 366 days), by their number in the year's\n"
        "register. DATE is DD/MM/YYYY or YYYY-MM-DD.\n"
        "  --from DATE   first day            --to DATE   last day\n"
        "  --pdf FILE    write the register as PDF (landscape, printable)\n"
        "  --xlsx FILE   write the register as an Excel spreadsheet (.xlsx)\n"
        "Without --pdf and --xlsx: print the list (--json: one JSON document)."},
    [MSG_USAGE_HOURS] = {
        "Cách dùng: motcua hours list [--unit MÃ_ĐƠN_VỊ]\n"
        "           motcua hours set [--unit MÃ_ĐƠN_VỊ] --schedule TỪ_NGÀY,SÁNG,CHIỀU[,TÊN] ...\n"
        "           motcua hours reset [--unit MÃ_ĐƠN_VỊ]\n"
        "Giờ làm việc của đơn vị (hai buổi, lịch mùa hè/mùa đông): tính thời hạn theo giờ và\n"
        "thời gian tạm dừng. TỪ_NGÀY: ngày bắt đầu áp dụng hằng năm, DD/MM hoặc MM-DD; SÁNG,\n"
        "CHIỀU: GIỜ:PHÚT-GIỜ:PHÚT. Ví dụ: --schedule 15/04,07:00-11:30,13:30-17:00,Mùa hè\n"
        "  --unit MÃ        đơn vị (mặc định: đơn vị của máy này)\n"
        "  --schedule ...   một lịch (lặp lại được, tối đa 4); set thay mọi lịch riêng của đơn vị\n"
        "reset: bỏ lịch riêng, đơn vị theo giờ làm việc chung. Sửa: chính đơn vị, Trung tâm cấp\n"
        "trên hoặc quản trị hệ thống.",
        "Usage: motcua hours list [--unit UNIT_CODE]\n"
        "       motcua hours set [--unit UNIT_CODE] --schedule FROM,MORNING,AFTERNOON[,NAME] ...\n"
        "       motcua hours reset [--unit UNIT_CODE]\n"
        "The unit's office hours (two sessions, summer/winter schedules): hour limits and\n"
        "pauses count them. FROM: the day it applies from every year, DD/MM or MM-DD;\n"
        "MORNING, AFTERNOON: HH:MM-HH:MM. E.g. --schedule 15/04,07:00-11:30,13:30-17:00,Summer\n"
        "  --unit CODE      the unit (default: this desk's unit)\n"
        "  --schedule ...   one schedule (repeatable, at most 4); set replaces the unit's own\n"
        "reset: drop the unit's own schedules, back to the common hours. Changes: the unit\n"
        "itself, its centre or IT staff (admin)."},
    [MSG_ERR_PERIOD] = {"Kỳ phải có --from và --to, ngày đầu không sau ngày cuối, tối đa 366 ngày",
                        "The period needs --from and --to, the first day not after the last, at most 366 days"},
    [MSG_ERR_XLSX] = {"Không ghi được bảng tính", "Cannot write the spreadsheet"},
    [MSG_ERR_SCHEDULE] = {"Lịch làm việc phải có dạng TỪ_NGÀY,GIỜ:PHÚT-GIỜ:PHÚT,GIỜ:PHÚT-GIỜ:PHÚT[,TÊN], tối đa 4 lịch",
                          "A schedule is FROM,HH:MM-HH:MM,HH:MM-HH:MM[,NAME], at most 4 of them"},
    [MSG_ERR_UNIT_CODE] = {"Mã đơn vị chỉ gồm chữ và số", "A unit code has letters and digits only"},
    [MSG_ERR_COMPONENT_NONE] = {"Không có thành phần hồ sơ nào của thủ tục có tên bắt đầu bằng",
                                "No component of the procedure has a name starting with"},
    [MSG_ERR_COMPONENT_MANY] = {"Nhiều thành phần hồ sơ khớp, hãy gõ thêm chữ hoặc dùng số thứ tự",
                                "Several components match; type more of the name or use its number"},
    [MSG_ERR_COMPONENT_OFFLINE] = {"Không kết nối được máy chủ để tìm thành phần theo tên; hãy dùng số thứ tự",
                                   "The server cannot be reached to find a component by name; use its number"},
    [MSG_ERR_TODAY_CODE] = {"Số hồ sơ trong ngày (nnnn) cần kết nối tới máy chủ; hãy gõ đủ mã hồ sơ",
                            "A number of today (nnnn) needs the server; type the whole dossier code"},
    [MSG_F_REGISTER] = {"Sổ theo dõi hồ sơ", "Dossier register"},
    [MSG_REGISTER_BOOK] = {"quyển", "book"},
    [MSG_REGISTER_NO] = {"số thứ tự", "number"},
    [MSG_REGISTER_COUNT] = {"hồ sơ trong kỳ", "dossier(s) in the period"},
    [MSG_REGISTER_PDF] = {"Đã ghi sổ theo dõi hồ sơ (PDF)", "Register written (PDF)"},
    [MSG_REGISTER_XLSX] = {"Đã ghi sổ theo dõi hồ sơ (bảng tính)", "Register written (spreadsheet)"},
    [MSG_REGISTER_TRUNCATED] = {"Kỳ có quá nhiều hồ sơ; chỉ lấy", "Too many dossiers in the period; only"},
    [MSG_HOURS_OWN] = {"Giờ làm việc riêng của đơn vị", "The unit's own office hours"},
    [MSG_HOURS_DEFAULT] = {"Giờ làm việc chung (đơn vị chưa có giờ riêng)",
                           "Common office hours (the unit has none of its own)"},
    [MSG_HOURS_FROM] = {"từ ngày", "from"},
    [MSG_HOURS_AM] = {"sáng", "morning"},
    [MSG_HOURS_PM] = {"chiều", "afternoon"},
    [MSG_HOURS_SET] = {"Đã cập nhật giờ làm việc của đơn vị", "Office hours updated for unit"},
    [MSG_F_ADDRESS] = {"Địa chỉ", "Address"},
    [MSG_F_EMAIL] = {"Thư điện tử", "E-mail"},
    [MSG_F_RECEIVED_DOCS] = {"Thành phần đã nhận", "Components received"},
    [MSG_F_MISSING_REASON] = {"Lý do tiếp nhận khi còn thiếu", "Received although incomplete, because"},
    /* issue 15: officer accounts */
    [MSG_REFUSED_LOGIN] = {"Chưa đăng nhập hoặc phiên làm việc đã hết: dùng motcua login",
                           "No officer is logged in, or the session ended: use motcua login"},
    [MSG_REFUSED_BAD_LOGIN] = {"Sai tên đăng nhập hoặc mật khẩu",
                               "Wrong login or password"},
    [MSG_REFUSED_LOCKED] = {"Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; thử lại sau (số giây)",
                            "The login is locked after repeated failures; try again later (seconds)"},
    [MSG_REFUSED_PWCHANGE] = {"Phải đổi mật khẩu trước: dùng motcua passwd",
                              "The password must be changed first: use motcua passwd"},
    [MSG_ERR_REPLY_TOO_LARGE] = {"Câu trả lời quá lớn để gửi qua kết nối: hãy thu hẹp bộ lọc hoặc giảm --limit",
                                 "The answer is too large for the link: narrow the filters or lower --limit"},
    [MSG_ERR_AFTER] = {"--after: con trỏ trang không hợp lệ (dùng đúng giá trị \"Còn nữa\" của trang trước)",
                       "--after: not a valid page cursor (use the \"More\" value of the previous page)"},
    [MSG_MORE_AFTER] = {"Còn nữa, trang sau: --after", "More, next page: --after"},
    [MSG_REFUSED_WEAKPW] = {"Mật khẩu mới không đạt yêu cầu (ít nhất 10 ký tự, không chứa tên đăng nhập, họ tên, tên hoặc mã đơn vị, khác mật khẩu cũ)",
                            "The new password is refused (at least 10 characters, not containing the login, the name, the unit's name or code, not the old one)"},
    [MSG_RULE_OFFICER_ROLE] = {"Vai trò của cán bộ đang đăng nhập không được làm việc này",
                               "The logged-in officer's role may not do this"},
    [MSG_USAGE_LOGIN] = {
        "Cách dùng: motcua login [TÊN_ĐĂNG_NHẬP] [--password-file TỆP]\n"
        "Đăng nhập cán bộ trên máy của đơn vị; phiên làm việc kéo dài đến hết giờ làm việc.\n"
        "Mật khẩu: từ --password-file (tệp chế độ 0600), biến môi trường MOTCUA_PASSWORD,\n"
        "hoặc gõ khi được hỏi (không hiện ra màn hình); không bao giờ trên dòng lệnh.\n"
        "  --password-file TỆP  đọc mật khẩu từ dòng đầu của TỆP\n"
        "Tên đăng nhập: đối số, biến MOTCUA_LOGIN, hoặc gõ khi được hỏi.",
        "Usage: motcua login [LOGIN] [--password-file FILE]\n"
        "Log an officer in at this unit's desk; the session lasts until the end of the working day.\n"
        "Password: from --password-file (a file of mode 0600), the MOTCUA_PASSWORD environment\n"
        "variable, or typed when asked (not echoed); never on the command line.\n"
        "  --password-file FILE  read the password from the first line of FILE\n"
        "Login: the argument, MOTCUA_LOGIN, or typed when asked."},
    [MSG_USAGE_LOGOUT] = {
        "Cách dùng: motcua logout [--all]\n"
        "Kết thúc phiên làm việc của cán bộ trên máy này.\n"
        "  --all  kết thúc mọi phiên làm việc của cán bộ (trên mọi máy)",
        "Usage: motcua logout [--all]\n"
        "End the officer's session on this desk.\n"
        "  --all  end every session of the officer (on every desk)"},
    [MSG_USAGE_PASSWD] = {
        "Cách dùng: motcua passwd [--password-file TỆP --new-password-file TỆP]\n"
        "Đổi mật khẩu của cán bộ đang đăng nhập; mọi phiên khác kết thúc.\n"
        "  --password-file TỆP      mật khẩu hiện tại (hoặc gõ khi được hỏi)\n"
        "  --new-password-file TỆP  mật khẩu mới (hoặc gõ hai lần khi được hỏi)",
        "Usage: motcua passwd [--password-file FILE --new-password-file FILE]\n"
        "Change the logged-in officer's password; every other session ends.\n"
        "  --password-file FILE      the current password (or typed when asked)\n"
        "  --new-password-file FILE  the new password (or typed twice when asked)"},
    [MSG_PROMPT_LOGIN] = {"Tên đăng nhập: ", "Login: "},
    [MSG_PROMPT_PASSWORD] = {"Mật khẩu: ", "Password: "},
    [MSG_PROMPT_OLD_PASSWORD] = {"Mật khẩu hiện tại: ", "Current password: "},
    [MSG_PROMPT_NEW_PASSWORD] = {"Mật khẩu mới: ", "New password: "},
    [MSG_PROMPT_NEW_AGAIN] = {"Nhập lại mật khẩu mới: ", "New password again: "},
    [MSG_ERR_NEED_LOGIN_NAME] = {"Cần tên đăng nhập", "A login is needed"},
    [MSG_ERR_PASSWORD_READ] = {"Không đọc được mật khẩu (tệp phải chỉ chủ sở hữu đọc được, chế độ 0600)",
                               "Cannot read the password (the file must be readable by its owner only, mode 0600)"},
    [MSG_ERR_PASSWORDS_DIFFER] = {"Hai lần nhập mật khẩu mới không khớp", "The two new passwords differ"},
    [MSG_ERR_SESSION_FILE] = {"Không ghi được tệp phiên làm việc", "Cannot write the session file"},
    [MSG_LOGGED_IN] = {"Đã đăng nhập", "Logged in"},
    [MSG_LOGGED_OUT] = {"Đã đăng xuất", "Logged out"},
    [MSG_PASSWORD_CHANGED] = {"Đã đổi mật khẩu", "Password changed"},
    [MSG_MUST_CHANGE] = {"Phải đổi mật khẩu trước khi làm việc: dùng motcua passwd",
                         "Change the password before anything else: use motcua passwd"},
    [MSG_SESSION_UNTIL] = {"Phiên làm việc đến", "Session until"},
    [MSG_F_OFFICER_LOGIN] = {"Tên đăng nhập", "Login"},
    [MSG_F_OFFICER_TITLE] = {"Chức vụ", "Title"},
    [MSG_F_OFFICER_ROLES] = {"Vai trò", "Roles"},
    [MSG_OFFICER_UNVERIFIED] = {"chưa xác thực", "unverified"},
    [MSG_ROLE_RECEIVING] = {"tiếp nhận và trả kết quả", "receiving and returning"},
    [MSG_ROLE_PROCESSING] = {"chuyên viên xử lý", "processing officer"},
    [MSG_ROLE_LEADER] = {"lãnh đạo", "leader"},
    [MSG_ROLE_UNIT_ADMIN] = {"quản trị đơn vị", "unit administrator"},
    /* officer accounts, the administrator's side (issue 15) */
    [MSG_USAGE_OFFICERS] = {
        "Cách dùng: motcua officers list [--role VAI_TRÒ] [--unit MÃ_ĐƠN_VỊ]\n"
        "           motcua officers add TÊN_ĐĂNG_NHẬP --name HỌ_TÊN [--title CHỨC_VỤ]\n"
        "                                 --roles VAI_TRÒ[,VAI_TRÒ...] [--unit MÃ_ĐƠN_VỊ]\n"
        "           motcua officers disable|enable|reset-password TÊN_ĐĂNG_NHẬP [--unit MÃ_ĐƠN_VỊ]\n"
        "           motcua officers roles TÊN_ĐĂNG_NHẬP --roles VAI_TRÒ[,...] [--unit MÃ_ĐƠN_VỊ]\n"
        "Tài khoản cán bộ của đơn vị. Xem danh sách: mọi cán bộ đã đăng nhập; thêm, khóa,\n"
        "mở khóa, cấp lại mật khẩu, đổi vai trò: quản trị đơn vị (cho đơn vị mình) hoặc bộ\n"
        "phận CNTT (máy quản trị, đăng nhập; chọn đơn vị bằng --unit).\n"
        "VAI_TRÒ: receiving (tiếp nhận và trả kết quả), processing (chuyên viên xử lý),\n"
        "leader (lãnh đạo), unit_admin (quản trị đơn vị).\n"
        "  --role VAI_TRÒ   chỉ liệt kê cán bộ có vai trò này\n"
        "  --name, --title  họ tên, chức vụ của cán bộ mới\n"
        "  --roles          các vai trò, cách nhau bằng dấu phẩy\n"
        "  --unit MÃ        đơn vị (chỉ bộ phận CNTT)\n"
        "add và reset-password in mật khẩu tạm thời MỘT lần; cán bộ phải đổi khi đăng nhập lần\n"
        "đầu. disable và reset-password kết thúc mọi phiên đăng nhập của cán bộ đó.",
        "Usage: motcua officers list [--role ROLE] [--unit UNIT_CODE]\n"
        "       motcua officers add LOGIN --name FULL_NAME [--title TITLE]\n"
        "                             --roles ROLE[,ROLE...] [--unit UNIT_CODE]\n"
        "       motcua officers disable|enable|reset-password LOGIN [--unit UNIT_CODE]\n"
        "       motcua officers roles LOGIN --roles ROLE[,...] [--unit UNIT_CODE]\n"
        "The unit's officer accounts. List: any logged-in officer; add, disable, enable,\n"
        "reset a password, change roles: the unit administrator (own unit) or IT (the\n"
        "admin machine, logged in; the unit chosen with --unit).\n"
        "ROLE: receiving (receiving and returning officer), processing (processing\n"
        "officer), leader, unit_admin (unit administrator).\n"
        "  --role ROLE      list only the officers holding this role\n"
        "  --name, --title  the new officer's full name and title\n"
        "  --roles          the roles, separated by commas\n"
        "  --unit CODE      the unit (IT only)\n"
        "add and reset-password print a temporary password ONCE; the officer must change\n"
        "it at the first login. disable and reset-password end every session of the officer."},
    [MSG_OFFICERS_EMPTY] = {"Không có cán bộ nào.", "No officers."},
    [MSG_OFFICERS_COUNT] = {"cán bộ", "officer(s)"},
    [MSG_OFFICER_ADDED] = {"Đã thêm cán bộ", "Officer added:"},
    [MSG_OFFICER_DISABLED] = {"Đã khóa tài khoản (mọi phiên đăng nhập đã kết thúc):",
                              "Account disabled (every session ended):"},
    [MSG_OFFICER_ENABLED] = {"Đã mở khóa tài khoản:", "Account enabled:"},
    [MSG_OFFICER_RESET] = {"Đã cấp lại mật khẩu (mọi phiên đăng nhập đã kết thúc):",
                           "Password reset (every session ended):"},
    [MSG_OFFICER_ROLES_SET] = {"Đã đổi vai trò:", "Roles changed:"},
    [MSG_OFFICER_TEMP_PW] = {"Mật khẩu tạm thời:", "Temporary password:"},
    [MSG_OFFICER_TEMP_PW_NOTE] = {
        "Chỉ hiện một lần: trao trực tiếp cho cán bộ; cán bộ phải đổi mật khẩu khi đăng nhập lần đầu.",
        "Shown once: hand it to the officer in person; it must be changed at the first login."},
    [MSG_OFFICER_MARK_DISABLED] = {"đã khóa", "disabled"},
    [MSG_OFFICER_MARK_LOCKED] = {"tạm khóa đến", "locked until"},
    [MSG_OFFICER_MARK_MUST_CHANGE] = {"phải đổi mật khẩu", "must change password"},
    [MSG_OFFICER_LAST_LOGIN] = {"đăng nhập lần cuối", "last login"},
    [MSG_ASSIGN_CANDIDATES] = {
        "Chuyên viên xử lý của đơn vị (giao bằng: motcua assign MÃ_HỒ_SƠ --to TÊN_ĐĂNG_NHẬP):",
        "The unit's processing officers (assign with: motcua assign DOSSIER_CODE --to LOGIN):"},
    [MSG_ASSIGN_NO_CANDIDATES] = {"Đơn vị chưa có chuyên viên xử lý nào đang hoạt động.",
                                  "The unit has no active processing officer."},
    [MSG_ERR_OFFICER_ROLE] = {
        "Vai trò không hợp lệ (receiving, processing, leader, unit_admin):",
        "Unknown role (receiving, processing, leader, unit_admin):"},
    [MSG_ERR_NEED_OFFICER_LOGIN] = {"Thiếu tên đăng nhập của cán bộ", "The officer's login is missing"},
    [MSG_ERR_OFFICER_LOGIN] = {
        "Tên đăng nhập: 3–32 ký tự a-z, 0-9, dấu chấm, gạch dưới, gạch ngang:",
        "A login is 3-32 characters a-z, 0-9, dot, underscore, hyphen:"},
    [MSG_ERR_OFFICER_NAME] = {"Họ tên (hoặc chức vụ) trống hoặc quá dài",
                              "The full name (or title) is empty or too long"},
    [MSG_ERR_MINE_AWAITING] = {"Không dùng --mine cùng --awaiting-signature",
                               "--mine and --awaiting-signature do not go together"},
    [MSG_USAGE_PROPOSE] = {
        "Cách dùng: motcua propose MÃ_HỒ_SƠ [--note GHI_CHÚ]\n"
        "Trình ký: chuyên viên xử lý trình dự thảo kết quả để lãnh đạo ký (trạng thái 4 giữ nguyên);\n"
        "lãnh đạo ký bằng motcua result. Xem motcua list --awaiting-signature.\n"
        "  --note GHI_CHÚ  ghi chú kèm theo",
        "Usage: motcua propose DOSSIER_CODE [--note NOTE]\n"
        "Submit the draft result for a leader's signature (status 4 stays 4); the leader\n"
        "signs with motcua result. See motcua list --awaiting-signature.\n"
        "  --note NOTE  a note with it"},
    [MSG_ACT_PROPOSE] = {"Trình ký", "Proposed for signature"},
    [MSG_DONE_PROPOSE] = {"Đã trình ký hồ sơ", "Submitted for signature: dossier"},
    [MSG_ERR_SORT] = {
        "Thứ tự không hợp lệ: received, due, code hoặc status (thêm dấu - ở đầu để xếp giảm dần)",
        "Unknown order: received, due, code or status (a leading - sorts descending)"},
    [MSG_ERR_OFFSET] = {"--offset phải từ 0 đến 100000", "--offset must be 0 to 100000"},
    [MSG_ERR_SECTOR] = {"Lĩnh vực không hợp lệ (một dòng chữ, tối đa 127 byte)",
                        "Invalid sector (one line of text, at most 127 bytes)"},
    [MSG_ERR_DATE_ORDER] = {"Ngày bắt đầu không được sau ngày kết thúc",
                            "The start date must not be after the end date"},
    [MSG_LIST_SHOWING] = {"Đang xem", "Showing"},
    [MSG_LIST_OF] = {"trên tổng số", "of"},
    [MSG_LIST_OR_MORE] = {"(hoặc hơn)", "(or more)"},
    [MSG_USAGE_TODAY] = {
        "Cách dùng: motcua today\n"
        "Số hồ sơ hôm nay của đơn vị: chờ tiếp nhận (được chuyển đến, chưa nhận; hoặc kết quả\n"
        "cấp trên trả về), chờ trả kết quả cho công dân, sắp đến hạn (trong 2 ngày làm việc),\n"
        "quá hạn, đang giải quyết, tiếp nhận hôm nay.",
        "Usage: motcua today\n"
        "The unit's counts for today: to receive (forwarded here and not yet taken in, or\n"
        "results sent back from above), to return to the citizen, due soon (within 2 working\n"
        "days), overdue, in progress, received today."},
    [MSG_SUM_TITLE] = {"Hôm nay tại đơn vị", "Today at the unit"},
    [MSG_SUM_TO_RECEIVE] = {"Chờ tiếp nhận", "To receive"},
    [MSG_SUM_TO_RETURN] = {"Chờ trả kết quả", "To return"},
    [MSG_SUM_DUE_SOON] = {"Sắp đến hạn", "Due soon"},
    [MSG_SUM_OVERDUE] = {"Quá hạn", "Overdue"},
    [MSG_SUM_IN_PROGRESS] = {"Đang giải quyết", "In progress"},
    [MSG_SUM_RECEIVED_TODAY] = {"Tiếp nhận hôm nay", "Received today"},
    [MSG_SHOW_ACTIONS] = {"Việc cán bộ có thể làm", "Actions you may take"},
    [MSG_SHOW_NO_ACTIONS] = {"Không có việc nào (hoặc chưa đăng nhập)",
                             "None (or not logged in)"},
    [MSG_USAGE_DESK] = {
        "Cách dùng: motcua desk [--listen ĐỊA_CHỈ:CỔNG] [--port CỔNG]\n"
        "Màn hình một cửa cho cán bộ trong trình duyệt (mặc định http://127.0.0.1:8480/),\n"
        "giữ kết nối thường trực với trung tâm và gửi hộp thư đi khi có mạng.\n"
        "  --listen ĐỊA_CHỈ:CỔNG  địa chỉ nghe; ngoài 127.0.0.1 phải có desk_tls_cert/desk_tls_key\n"
        "  --port CỔNG            chỉ đổi cổng (0 = cổng trống bất kỳ)",
        "Usage: motcua desk [--listen ADDR:PORT] [--port PORT]\n"
        "The officers' one-stop screen in a browser (default http://127.0.0.1:8480/); keeps\n"
        "the resident link to the centre and delivers the outbox while it is up.\n"
        "  --listen ADDR:PORT  where to listen; other than loopback needs desk_tls_cert/desk_tls_key\n"
        "  --port PORT         the port only (0 = any free port)"},
    [MSG_DESK_ERR_JSON] = {"Yêu cầu không hợp lệ (không đọc được dữ liệu gửi lên)",
                           "Bad request (the data sent cannot be read)"},
    [MSG_DESK_ERR_FIELD] = {"Giá trị không hợp lệ", "Invalid value"},
    [MSG_DESK_ERR_CSRF] = {"Phiên làm việc trên trang đã cũ, hãy tải lại trang",
                           "The page's session is stale: reload the page"},
    [MSG_DESK_ERR_ORIGIN] = {"Yêu cầu không đến từ màn hình một cửa này, bị từ chối",
                             "The request does not come from this desk's screen: refused"},
    [MSG_DESK_ERR_HOST] = {"Địa chỉ truy cập không đúng với máy một cửa này",
                           "This address does not name this desk"},
    [MSG_DESK_ERR_LOGIN_REQUIRED] = {"Hãy đăng nhập (phiên đã hết hoặc đã đăng xuất)",
                                     "Please log in (the session ended or was logged out)"},
    [MSG_DESK_ERR_NOT_FOUND] = {"Không có trang hoặc mục này", "No such page or item"},
    [MSG_DESK_ERR_METHOD] = {"Thao tác không được phép ở địa chỉ này",
                             "This method is not allowed here"},
    [MSG_DESK_ERR_TOO_LARGE] = {"Dữ liệu gửi lên quá lớn", "What was sent is too large"},
    [MSG_DESK_ERR_FILE_TYPE] = {"Chỉ nhận tệp PDF, JPEG, PNG hoặc TIFF",
                                "Only PDF, JPEG, PNG or TIFF files are accepted"},
    [MSG_DESK_ERR_SESSIONS_FULL] = {"Quá nhiều phiên đăng nhập trên máy này, hãy thử lại sau",
                                    "Too many sessions on this desk: try again later"},
    [MSG_DESK_ERR_INTERNAL] = {"Lỗi nội bộ của máy một cửa", "Internal error of the desk"},
    [MSG_DESK_ERR_LISTEN] = {"Không mở được cổng cho màn hình (cổng đang bận hoặc địa chỉ sai)",
                             "Cannot listen for the screen (port taken or bad address)"},
    [MSG_DESK_ERR_TLS_REQUIRED] = {
        "Địa chỉ ngoài 127.0.0.1 cần HTTPS: đặt desk_tls_cert và desk_tls_key (deploy/pki.sh desk)",
        "An address other than loopback needs HTTPS: set desk_tls_cert and desk_tls_key "
        "(deploy/pki.sh desk)"},
    [MSG_DESK_ERR_UNSUPPORTED] = {"Máy chủ chưa hỗ trợ chức năng này",
                                  "The server does not support this yet"},
    [MSG_DESK_CONFIRM] = {"Không thể hoàn tác. Thực hiện với hồ sơ",
                          "This cannot be undone. Go ahead with dossier"},
    [MSG_DESK_LISTENING] = {"màn hình một cửa", "desk screen"},
    [MSG_MON_H_INSTANCE] = {"Máy chủ", "Instance"},
};

static const struct {
  const char *id;
  enum mc_msg msg;
} rule_ids[] = {
    {"role", MSG_RULE_ROLE}, {"admin", MSG_RULE_ADMIN},
    {"before_forward", MSG_RULE_BEFORE_FORWARD}, {"forward_level", MSG_RULE_FORWARD_LEVEL},
    {"forward_once", MSG_RULE_FORWARD_ONCE}, {"at_centre", MSG_RULE_AT_CENTRE},
    {"after_send_back", MSG_RULE_AFTER_SEND_BACK}, {"sent_back", MSG_RULE_SENT_BACK},
    {"send_back", MSG_RULE_SEND_BACK}, {"receiver_only", MSG_RULE_RECEIVER_ONLY},
    {"holder", MSG_RULE_HOLDER}, {"not_party", MSG_RULE_NOT_PARTY},
    {"status", MSG_RULE_STATUS}, {"reschedule_once", MSG_RULE_RESCHEDULE_ONCE},
    {"rate_once", MSG_RULE_RATE_ONCE}, {"officer_role", MSG_RULE_OFFICER_ROLE},
};

const char *mc_msg_rule(int lang, const char *detail) {
  if (detail == NULL || strncmp(detail, "rule.", 5) != 0) return NULL;
  const char *id = detail + 5, *colon = strchr(id, ':');
  if (colon == NULL) return NULL;
  size_t n = (size_t)(colon - id);
  for (size_t i = 0; i < sizeof rule_ids / sizeof rule_ids[0]; i++)
    if (strlen(rule_ids[i].id) == n && strncmp(rule_ids[i].id, id, n) == 0)
      return mc_msg(lang, rule_ids[i].msg);
  return NULL;
}

/* The server's Error.detail values (server/net, server/rules): field names
 * and rules, in Vietnamese and English. */
static const struct {
  const char *detail;
  const char *text[2];
} details[] = {
    {"id_number", {"số định danh (CMND/CCCD)", "citizen id"}},
    {"name", {"họ tên", "name"}},
    {"applicant.name", {"họ tên người nộp", "applicant's name"}},
    {"phone", {"số điện thoại", "phone number"}},
    {"code", {"mã hồ sơ", "dossier code"}},
    {"procedure_code", {"mã thủ tục", "procedure code"}},
    {"reason", {"lý do", "reason"}},
    {"officer", {"tên cán bộ", "officer"}},
    {"kind", {"loại tệp", "file kind"}},
    {"size", {"cỡ tệp", "file size"}},
    {"sha256", {"mã kiểm tra SHA-256 của tệp", "the file's SHA-256"}},
    {"upload", {"lượt tải lên", "upload"}},
    {"upload_id", {"lượt tải lên", "upload"}},
    {"uploads", {"số lượt tải lên cùng lúc", "concurrent uploads"}},
    {"downloads", {"số lượt tải về cùng lúc", "concurrent downloads"}},
    {"storage", {"kho lưu trữ tệp của máy chủ", "the server's file store"}},
    {"window", {"lượng dữ liệu gửi cùng lúc", "transfer window"}},
    {"client_version", {"phiên bản phần mềm máy trạm", "client version"}},
    {"request", {"yêu cầu", "request"}},
    {"checksum", {"mã kiểm tra của tệp không khớp", "the file's checksum does not match"}},
    {"dossier bytes", {"tổng dung lượng tệp của hồ sơ đã đến giới hạn", "the dossier's file quota"}},
    {"unit bytes", {"tổng dung lượng tệp của đơn vị đã đến giới hạn", "the unit's file quota"}},
    {"unit uploads", {"số lượt tải lên của đơn vị", "the unit's uploads"}},
    {"files per dossier", {"số tệp của một hồ sơ đã đến giới hạn", "files per dossier"}},
    {"file structure", {"nội dung tệp không đúng định dạng", "the file's structure"}},
    {"file type", {"loại tệp (chỉ nhận PDF, JPEG, PNG, TIFF)", "file type (PDF, JPEG, PNG, TIFF only)"}},
    {"length", {"độ dài dữ liệu", "length"}},
    {"offset", {"vị trí tiếp tục tải", "resume offset"}},
    {"a dossier may be rescheduled only once",
     {"mỗi hồ sơ chỉ được hẹn lại một lần", "a dossier may be rescheduled only once"}},
    {"only commune desks may do this",
     {"chỉ bộ phận một cửa cấp xã được làm việc này", "only commune desks may do this"}},
    {"only district staff may do this",
     {"chỉ cán bộ cấp huyện được làm việc này", "only district staff may do this"}},
    {"only the receiving unit, with the dossier back in hand, may do this",
     {"chỉ đơn vị đã tiếp nhận, khi hồ sơ đã về lại đơn vị, được làm việc này",
      "only the receiving unit, with the dossier back in hand, may do this"}},
    {"only the unit holding the dossier may do this",
     {"chỉ đơn vị đang giữ hồ sơ được làm việc này",
      "only the unit holding the dossier may do this"}},
    {"only the unit holding the dossier or the unit that received it may do this",
     {"chỉ đơn vị đang giữ hoặc đơn vị đã tiếp nhận hồ sơ được làm việc này",
      "only the unit holding the dossier or the unit that received it may do this"}},
    {"only the unit that received the dossier may do this",
     {"chỉ đơn vị đã tiếp nhận hồ sơ được làm việc này",
      "only the unit that received the dossier may do this"}},
    {"only the unit the dossier was forwarded to, while holding it, may do this",
     {"chỉ đơn vị được chuyển hồ sơ đến, khi đang giữ hồ sơ, được làm việc này",
      "only the unit the dossier was forwarded to, while holding it, may do this"}},
    {"only district-level procedures are forwarded",
     {"chỉ hồ sơ thủ tục cấp huyện mới được chuyển lên",
      "only district-level procedures are forwarded"}},
    {"rating must be 1, 2 or 3", {"mức đánh giá phải là 1, 2 hoặc 3", "rating must be 1, 2 or 3"}},
    {"the citizen's rating is recorded once",
     {"đánh giá của công dân chỉ được ghi một lần", "the citizen's rating is recorded once"}},
    {"the dossier was already forwarded",
     {"hồ sơ đã được chuyển đi trước đó", "the dossier was already forwarded"}},
    {"the new appointment must be later than the current one and than now",
     {"ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này",
      "the new appointment must be later than the current one and than now"}},
    {"the new appointment must be within 5 years from now",
     {"ngày hẹn mới phải trong vòng 5 năm tới",
      "the new appointment must be within 5 years from now"}},
    {"the unit has no parent to forward to",
     {"đơn vị không có cấp trên để chuyển hồ sơ", "the unit has no parent to forward to"}},
    {"unknown action", {"bước xử lý không xác định", "unknown action"}},
    {"from", {"ngày đầu kỳ", "first day of the period"}},
    {"to", {"ngày cuối kỳ (không trước ngày đầu, tối đa 366 ngày)",
            "last day of the period (not before the first, at most 366 days)"}},
    {"cursor", {"vị trí trang tiếp theo", "next page position"}},
    {"limit", {"số dòng mỗi trang", "rows per page"}},
    {"unit_code", {"mã đơn vị", "unit code"}},
    {"valid_from", {"ngày bắt đầu áp dụng lịch (DD/MM, không trùng nhau)",
                    "the day a schedule applies from (DD/MM, no two alike)"}},
    {"am_start", {"giờ bắt đầu buổi sáng", "morning start"}},
    {"am_end", {"giờ kết thúc buổi sáng", "morning end"}},
    {"pm_start", {"giờ bắt đầu buổi chiều", "afternoon start"}},
    {"pm_end", {"giờ kết thúc buổi chiều", "afternoon end"}},
    {"hours order",
     {"giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu < chiều kết thúc",
      "office hours must run morning start < morning end <= afternoon start < afternoon end"}},
    {"hours", {"lịch làm việc (tối đa 4)", "schedules (at most 4)"}},
    {"report.scope",
     {"đơn vị này không được xem báo cáo của đơn vị đã chọn",
      "this unit may not see the chosen unit's report"}},
    {"reports", {"máy chủ đang lập báo cáo khác, hãy thử lại sau",
                 "the server is computing another report, try again later"}},
    {"report_timeout_ms", {"báo cáo chạy quá thời gian cho phép, hãy chọn kỳ ngắn hơn",
                           "the report took too long, choose a shorter period"}},
    {"from_date", {"ngày bắt đầu kỳ báo cáo không hợp lệ", "invalid period start date"}},
    {"to_date", {"ngày kết thúc kỳ báo cáo không hợp lệ (không trước ngày bắt đầu, tối đa 10 năm)",
                 "invalid period end date (not before the start, at most 10 years)"}},
    {"session.none", {"chưa đăng nhập (dùng motcua login)", "no officer logged in (use motcua login)"}},
    {"session.ended", {"phiên làm việc đã hết hoặc bị thu hồi (dùng motcua login)",
                       "the session ended or was revoked (use motcua login)"}},
    {"session.other_unit", {"phiên làm việc của cán bộ đơn vị khác", "a session of another unit's officer"}},
    {"session.password_change", {"phải đổi mật khẩu trước (motcua passwd)",
                                 "the password must be changed first (motcua passwd)"}},
    {"password.length", {"mật khẩu phải có ít nhất 10 ký tự", "the password needs at least 10 characters"}},
    {"password.long", {"mật khẩu quá dài (tối đa 256 byte)", "the password is too long (256 bytes at most)"}},
    {"password.utf8", {"mật khẩu chứa ký tự không hợp lệ", "the password holds invalid characters"}},
    {"password.login", {"mật khẩu không được chứa tên đăng nhập", "the password must not contain the login"}},
    {"password.name", {"mật khẩu không được chứa họ tên cán bộ", "the password must not contain the officer's name"}},
    {"password.unit", {"mật khẩu không được chứa tên hoặc mã đơn vị", "the password must not contain the unit's name or code"}},
    {"password.same", {"mật khẩu mới phải khác mật khẩu cũ", "the new password must differ from the old one"}},
    {"login", {"tên đăng nhập hoặc mật khẩu", "login or password"}},
    {"old_password", {"mật khẩu hiện tại", "current password"}},
    {"password hashes", {"máy chủ đang bận kiểm tra mật khẩu, thử lại sau ít giây",
                         "the server is busy checking passwords, try again in a few seconds"}},
    {"to_officer", {"người được giao (tên đăng nhập của chuyên viên xử lý của đơn vị)",
                    "assignee (the login of a processing officer of the unit)"}},
    {"session_token", {"phiên làm việc của cán bộ", "officer session"}},
    {"rate limit: too many requests, slow down",
     {"quá nhiều yêu cầu, hãy chờ một lát rồi thử lại",
      "too many requests, wait a moment and try again"}},
};

const char *mc_msg_detail(int lang, const char *detail) {
  if (detail == NULL || (lang != MC_LANG_VI && lang != MC_LANG_EN)) return NULL;
  for (size_t i = 0; i < sizeof details / sizeof details[0]; i++)
    if (strcmp(details[i].detail, detail) == 0) return details[i].text[lang];
  return NULL;
}

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
    [20] = MSG_ERR_REVOKED,          [21] = MSG_REFUSED_LOGIN,
    [22] = MSG_REFUSED_BAD_LOGIN,    [23] = MSG_REFUSED_LOCKED,
    [24] = MSG_REFUSED_PWCHANGE,     [25] = MSG_REFUSED_WEAKPW,
    [26] = MSG_ERR_REPLY_TOO_LARGE,
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
  return MC_EINVAL;
}
