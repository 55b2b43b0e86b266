/* The screen's files, embedded at build time from client/desk/www
 * (CMakeLists.txt turns each into a C array). */
#include <string.h>

#include "desk_internal.h"

extern const unsigned char desk_www_index_html[], desk_www_app_js[], desk_www_app_css[],
    desk_www_favicon_svg[];
extern const size_t desk_www_index_html_len, desk_www_app_js_len, desk_www_app_css_len,
    desk_www_favicon_svg_len;

int desk_www_get(const char *name, const unsigned char **data, size_t *len, const char **type) {
  const struct {
    const char *name, *type;
    const unsigned char *data;
    size_t len;
  } files[] = {
      {"index.html", "text/html; charset=utf-8", desk_www_index_html, desk_www_index_html_len},
      {"app.js", "text/javascript; charset=utf-8", desk_www_app_js, desk_www_app_js_len},
      {"app.css", "text/css; charset=utf-8", desk_www_app_css, desk_www_app_css_len},
      {"favicon.svg", "image/svg+xml", desk_www_favicon_svg, desk_www_favicon_svg_len},
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    if (strcmp(name, files[i].name) == 0 && files[i].len > 0) {
      *data = files[i].data;
      *len = files[i].len;
      *type = files[i].type;
      return 0;
    }
  return -1;
}
