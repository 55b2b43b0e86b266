#include "error.h"

static const struct {
  const char *name;
  const char *text;
} errtab[] = {
    [0] = {"ok", "success"},
    [1] = {"internal", "internal error"},
    [2] = {"no_memory", "out of memory"},
    [3] = {"protocol", "protocol error"},
    [4] = {"version", "incompatible protocol version"},
    [5] = {"too_big", "message or field too large"},
    [6] = {"invalid", "invalid request"},
    [7] = {"unauthenticated", "not authenticated"},
    [8] = {"forbidden", "not permitted for this unit or role"},
    [9] = {"not_found", "not found"},
    [10] = {"conflict", "idempotency key reused for a different request"},
    [11] = {"unavailable", "service unavailable, try again"},
    [12] = {"timeout", "timed out"},
    [13] = {"busy", "a limit was reached, try again later"},
    [14] = {"wrong_level", "action does not fit the procedure's level"},
    [15] = {"bad_state", "action not allowed in the dossier's current status"},
    [16] = {"io", "input/output error"},
    [17] = {"tls", "TLS error"},
    [18] = {"closed", "connection closed"},
    [19] = {"config", "configuration error"},
    [20] = {"cert_revoked", "certificate revoked"},
    [21] = {"login_required", "no officer session"},
    [22] = {"bad_login", "wrong login or password"},
    [23] = {"locked", "login temporarily locked"},
    [24] = {"password_change_required", "password must be changed"},
    [25] = {"weak_password", "password refused by policy"},
    [26] = {"reply_too_large", "the answer does not fit the frame cap"},
};

static int err_index(int err) {
  if (err > 0 || err < -MC_ERR_WIRE_MAX) return -1; /* also keeps -INT_MIN away */
  return -err;
}

const char *mc_strerror(int err) {
  int i = err_index(err);
  if (err == MC_ENEEDMORE) return "need more input";
  return i < 0 ? "unknown error" : errtab[i].text;
}

const char *mc_errname(int err) {
  int i = err_index(err);
  return i < 0 ? "unknown" : errtab[i].name;
}
