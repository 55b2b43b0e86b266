/* `motcua-server -c FILE --officers-import TSV` (issue 15): create or
 * update officer accounts from a file the IT staff keep (mode 0600 or it
 * is refused). One line per officer, tab-separated:
 *   unit_code  login  password  roles  full name  title
 * unit_code "admin" = the IT unit; roles comma-separated of receiving,
 * processing, leader, unit_admin. '#' lines and empty lines are skipped.
 * Idempotent: an unchanged line changes nothing (the stored hash is kept
 * when the password verifies against it); no forced change at first login.
 * Blocking (the one-shot mode, like --migrate); the Argon2id work runs on
 * two threads. Returns the process exit code: 0 done, 1 refused file or
 * line, 2 storage error. */
#ifndef MC_IMPORT_H
#define MC_IMPORT_H

#include "settings.h"

int mc_officers_import(const mc_settings *cfg, const char *path);

#endif
