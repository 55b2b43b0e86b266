/* The desk screen's texts (messages.h, mc_ui_texts): one row per text the
 * page shows, Vietnamese with diacritics first, English second. The page
 * never carries prose of its own. */
#include <stddef.h>

#include "messages.h"

static const mc_ui_text texts[] = {
    {"app.title", "Một cửa – bàn tiếp nhận", "One-stop desk"},
    {"login.title", "Đăng nhập cán bộ", "Officer login"},
    {"login.user", "Tên đăng nhập", "Login"},
    {"login.password", "Mật khẩu", "Password"},
    {"login.submit", "Đăng nhập", "Log in"},
    {"link.online", "Đã kết nối trung tâm", "Connected to the centre"},
    {"link.offline", "Mất kết nối – hồ sơ được lưu chờ gửi", "Offline – dossiers are queued"},
};

const mc_ui_text *mc_ui_texts(size_t *n) {
  *n = sizeof texts / sizeof texts[0];
  return texts;
}
