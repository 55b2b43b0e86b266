/* motcua monitor [--json] [--interval S] [--once]: the link state of every
 * unit (admin certificate). --json prints one snapshot with the field
 * names of the server's /api/units; otherwise a table redrawn in place
 * every S seconds until Ctrl+C (or once with --once). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_text.h"
#include "error.h"
#include "monitor_cmd.h"

/* ANSI colours only on a terminal. */
#define RED (color ? "\033[31m" : "")
#define YELLOW (color ? "\033[33m" : "")
#define BOLD (color ? "\033[1m" : "")
#define RESET (color ? "\033[0m" : "")

static int color;
static unsigned interval_s = 5;
static int once;
static volatile sig_atomic_t stop_flag;

static const char *tx(const cli *c, enum mc_msg id) { return mc_msg(c->lang, id); }

static const char *const reason_names[] = {"unspecified", "idle_timeout", "heartbeat_lost",
                                           "tls_failure", "cert_revoked", "protocol_error",
                                           "client_quit", "server_shutdown", "connection_lost",
                                           "other"};

static const char *reason_name(int r) {
  return r >= 0 && r < (int)(sizeof reason_names / sizeof reason_names[0]) ? reason_names[r]
                                                                             : "other";
}

/* ---- arguments ---------------------------------------------------------- */

int cli_parse_monitor(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, &i, "--interval", &v);
    if (r != 0) {
      if (r < 0 || mc_fields_parse_uint(v, 1, 3600, &interval_s) != 0)
        return cli_usage_error(c, MSG_ERR_LIMIT_RANGE, v);
    } else if (cli_flag(argv[i], "--once")) {
      once = 1;
    } else {
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    }
  }
  return EXIT_OK_;
}

/* ---- the request ---------------------------------------------------------- */

static int fetch(cli *c, Motcua__Envelope **rep, mc_client_error *err) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__MonitorRequest body = MOTCUA__MONITOR_REQUEST__INIT;
  req.body_case = MOTCUA__ENVELOPE__BODY_MONITOR;
  req.monitor = &body;
  int rc = mc_client_call(c->client, &req, rep, err);
  if (rc != MC_OK) return rc;
  if ((*rep)->body_case == MOTCUA__ENVELOPE__BODY_MONITOR_REPLY) return MC_OK;
  mc_envelope_free(*rep);
  *rep = NULL;
  return MC_EPROTO;
}

/* ---- JSON: the field names of the server's /api/units ---------------------- */


static json_t *jms(int64_t v) { return v >= 0 ? json_integer(v) : json_null(); }

static json_t *jstr_or_null(const char *s, int present) {
  return present ? json_string(s != NULL ? s : "") : json_null();
}

static void unit_json_link(json_t *o, const Motcua__UnitLink *u) {
  int on = u->online;
  json_object_set_new(o, "remote", jstr_or_null(u->remote, on));
  json_object_set_new(o, "client_version", jstr_or_null(u->client_version, on));
  json_object_set_new(o, "tls_version", jstr_or_null(u->tls_version, on));
  json_object_set_new(o, "cipher", jstr_or_null(u->cipher, on));
  json_object_set_new(o, "cert_serial", jstr_or_null(u->cert_serial, on));
  json_object_set_new(o, "cert_not_after", on ? mc_render_time_json(u->cert_not_after_ms) : json_null());
}

static json_t *unit_json(const Motcua__UnitLink *u, int64_t now) {
  json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:s}", "unit", u->unit, "name", u->name, "role",
                        u->role, "online", u->online, "state", u->state);
  if (o == NULL) return NULL;
  json_object_set_new(o, "since", mc_render_time_json(u->since_ms));
  json_object_set_new(o, "since_ms", json_integer(u->since_ms));
  json_object_set_new(o, "offline_for_s", u->online || u->since_ms <= 0
                                               ? json_null()
                                               : json_integer((now - u->since_ms) / 1000));
  json_object_set_new(o, "rtt_ms", u->online ? jms(u->rtt_ms) : json_null());
  json_object_set_new(o, "srtt_ms", u->online ? jms(u->srtt_ms) : json_null());
  json_object_set_new(o, "bytes_in", json_integer((json_int_t)u->bytes_in));
  json_object_set_new(o, "bytes_out", json_integer((json_int_t)u->bytes_out));
  json_object_set_new(o, "frames_in", json_integer((json_int_t)u->frames_in));
  json_object_set_new(o, "frames_out", json_integer((json_int_t)u->frames_out));
  json_object_set_new(o, "last_seen", mc_render_time_json(u->last_seen_ms));
  json_object_set_new(o, "last_request", mc_render_time_json(u->last_request_ms));
  json_object_set_new(o, "outbox_depth", json_integer(u->outbox_depth));
  json_object_set_new(o, "uploads", json_integer(u->uploads));
  json_object_set_new(o, "connections", json_integer(u->connections));
  json_object_set_new(o, "instance", jstr_or_null(u->instance, u->instance && u->instance[0]));
  unit_json_link(o, u);
  json_object_set_new(o, "last_close_reason",
                      u->last_close_reason ? json_string(reason_name(u->last_close_reason))
                                           : json_null());
  json_object_set_new(o, "disconnects_1h", json_integer(u->disconnects_1h));
  json_object_set_new(o, "flapping", json_boolean(u->flapping));
  json_object_set_new(o, "uptime_today_pct",
                      u->uptime_today_pct >= 0 ? json_integer(u->uptime_today_pct) : json_null());
  return o;
}

static json_t *closed_json(const Motcua__ClosedLink *e) {
  return json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:I, s:I}", "unit", e->unit, "remote",
                   e->remote, "opened", mc_render_time_json(e->opened_ms), "closed", mc_render_time_json(e->closed_ms),
                   "reason", reason_name(e->reason), "detail", e->detail, "bytes_in",
                   (json_int_t)e->bytes_in, "bytes_out", (json_int_t)e->bytes_out);
}

static json_t *alert_json(const Motcua__Alert *a) {
  return json_pack("{s:s, s:s, s:s, s:s, s:o}", "kind", a->kind, "unit", a->unit, "subject",
                   a->subject, "message", a->message, "since", mc_render_time_json(a->since_ms));
}

static json_t *snapshot_json(const Motcua__MonitorReply *r) {
  json_t *units = json_array(), *closed = json_array(), *alerts = json_array();
  for (size_t i = 0; i < r->n_units; i++)
    json_array_append_new(units, unit_json(r->units[i], r->server_time_ms));
  for (size_t i = 0; i < r->n_recent_closed; i++)
    json_array_append_new(closed, closed_json(r->recent_closed[i]));
  for (size_t i = 0; i < r->n_alerts; i++) json_array_append_new(alerts, alert_json(r->alerts[i]));
  return json_pack("{s:o, s:I, s:s, s:o, s:o, s:o}", "server_time",
                   mc_render_time_json(r->server_time_ms), "server_time_ms",
                   (json_int_t)r->server_time_ms, "instance", r->instance ? r->instance : "",
                   "units", units,
                   "recent_closed", closed, "alerts", alerts);
}

/* ---- table ------------------------------------------------------------------ */

/* Column widths in display columns (cli_text.h); a longer name or state is
 * cut with "…". One space follows every column. */
enum { W_CODE = 6, W_NAME = 30, W_STATE = 26, W_INST = 12, W_RTT = 7, W_SEEN = 14 };

static void put_cell(const char *s, int width) { cli_text_cell(stdout, s, width, " "); }

static void print_head(const cli *c) {
  put_cell(tx(c, MSG_MON_H_CODE), W_CODE);
  put_cell(tx(c, MSG_MON_H_UNIT), W_NAME);
  put_cell(tx(c, MSG_MON_H_STATE), W_STATE);
  put_cell(tx(c, MSG_MON_H_INSTANCE), W_INST);
  put_cell(tx(c, MSG_MON_H_RTT), W_RTT);
  put_cell(tx(c, MSG_MON_H_SEEN), W_SEEN);
  printf("%s\n", tx(c, MSG_MON_H_QUEUED));
}

static void span_text(const cli *c, int64_t secs, char *buf, size_t size) {
  long long m = secs / 60, h = m / 60, d = h / 24;
  const char *dd = tx(c, MSG_MON_DAYS), *hh = tx(c, MSG_MON_HOURS), *mm = tx(c, MSG_MON_MINUTES);
  if (d > 0) snprintf(buf, size, "%lld %s %lld %s", d, dd, h % 24, hh);
  else if (h > 0) snprintf(buf, size, "%lld %s %lld %s", h, hh, m % 60, mm);
  else if (m > 0) snprintf(buf, size, "%lld %s", m, mm);
  else snprintf(buf, size, "%lld %s", secs < 0 ? 0 : (long long)secs, tx(c, MSG_MON_SECONDS));
}

/* The server's states: online, degraded, offline, and (newer servers)
 * "never" and "revoked"; since_ms 0 also means never connected. */
static void state_text(const cli *c, const Motcua__UnitLink *u, int64_t now, char *buf,
                       size_t size) {
  char span[48];
  const char *st = u->state != NULL ? u->state : "";
  if (u->online) {
    snprintf(buf, size, "%s", tx(c, strcmp(st, "degraded") == 0 ? MSG_MON_DEGRADED : MSG_MON_ONLINE));
    return;
  }
  if (strcmp(st, "revoked") == 0) {
    snprintf(buf, size, "%s", mc_msg(c->lang, MSG_MON_REVOKED));
    return;
  }
  if (strcmp(st, "never") == 0 || u->since_ms <= 0) {
    snprintf(buf, size, "%s", mc_msg(c->lang, MSG_MON_NEVER_CONNECTED));
    return;
  }
  span_text(c, (now - u->since_ms) / 1000, span, sizeof span);
  snprintf(buf, size, "%s %s", tx(c, MSG_MON_OFFLINE), span);
}

static void print_unit(const cli *c, const Motcua__UnitLink *u, int64_t now) {
  char st[80], rtt[32], seen[48];
  state_text(c, u, now, st, sizeof st);
  if (u->online && u->rtt_ms >= 0) snprintf(rtt, sizeof rtt, "%lld ms", (long long)u->rtt_ms);
  else snprintf(rtt, sizeof rtt, "–"); /* no RTT for a link that is not up */
  if (u->last_seen_ms > 0) span_text(c, (now - u->last_seen_ms) / 1000, seen, sizeof seen);
  else snprintf(seen, sizeof seen, "%s", tx(c, MSG_MON_NEVER));
  fputs(!u->online ? RED : strcmp(u->state, "degraded") == 0 ? YELLOW : "", stdout);
  /* every row ends with RESET below when it was coloured */
  put_cell(u->unit, W_CODE);
  put_cell(u->name, W_NAME);
  put_cell(st, W_STATE);
  put_cell(u->instance != NULL && u->instance[0] ? u->instance : "–", W_INST);
  put_cell(rtt, W_RTT);
  put_cell(seen, W_SEEN);
  printf("%u%s\n", u->outbox_depth, strcmp(u->state, "online") == 0 ? "" : RESET);
}

static void print_tail(const cli *c, const Motcua__MonitorReply *r) {
  if (r->n_alerts > 0) printf("\n%s%s%s\n", BOLD, tx(c, MSG_MON_ALERTS), RESET);
  for (size_t i = 0; i < r->n_alerts; i++) printf("  %s\n", r->alerts[i]->message);
  size_t n = r->n_recent_closed < 5 ? r->n_recent_closed : 5;
  if (n > 0) printf("\n%s\n", tx(c, MSG_MON_CLOSED));
  for (size_t i = 0; i < n; i++) {
    const Motcua__ClosedLink *e = r->recent_closed[i];
    char t[40];
    if (mc_render_human_time(e->closed_ms, mc_render_utc_offset(), c->lang, t, sizeof t) != 0)
      t[0] = '\0';
    printf("  %s  %-6s %s (%s)\n", t, e->unit[0] ? e->unit : "-", reason_name(e->reason),
           e->remote);
  }
}

static void print_table(const cli *c, const Motcua__MonitorReply *r, int redraw) {
  unsigned on = 0;
  for (size_t i = 0; i < r->n_units; i++) on += r->units[i]->online ? 1u : 0u;
  if (redraw && color) fputs("\033[H\033[2J", stdout); /* home + clear: redraw in place */
  printf("%s%s%s  ", BOLD, tx(c, MSG_MON_TITLE), RESET);
  printf("%s %u/%zu, %s %zu", tx(c, MSG_MON_SUMMARY), on, r->n_units, tx(c, MSG_MON_OFFLINE),
         r->n_units - on);
  printf("\n\n");
  print_head(c);
  for (size_t i = 0; i < r->n_units; i++) print_unit(c, r->units[i], r->server_time_ms);
  print_tail(c, r);
  if (redraw) {
    printf("\n%u %s\n", interval_s, tx(c, MSG_MON_FOOT));
  }
  fflush(stdout);
}

/* ---- run ---------------------------------------------------------------------- */

static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static void catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: the sleep ends at once */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

static void sleep_interval(void) {
  struct timespec ts = {.tv_sec = (time_t)interval_s, .tv_nsec = 0};
  while (!stop_flag && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int run_once(cli *c) {
  Motcua__Envelope *rep = NULL;
  mc_client_error err = {0};
  int rc = fetch(c, &rep, &err);
  if (rc == MC_EPROTO)
    return cli_fail(c, EXIT_CONNECT, rc, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL);
  if (rc != MC_OK) return cli_report(c, &err);
  if (c->json) rc = cli_emit_json(snapshot_json(rep->monitor_reply), 0) ? EXIT_CONNECT : EXIT_OK_;
  else print_table(c, rep->monitor_reply, 0);
  mc_envelope_free(rep);
  return rc == MC_OK ? EXIT_OK_ : rc;
}

static int run_live(cli *c) {
  catch_signals();
  while (!stop_flag) {
    Motcua__Envelope *rep = NULL;
    mc_client_error err = {0};
    int rc = mc_client_is_ready(c->client) ? MC_OK : mc_client_connect(c->client, &err);
    if (rc == MC_OK) rc = fetch(c, &rep, &err);
    if (rc == MC_OK) {
      print_table(c, rep->monitor_reply, 1);
      mc_envelope_free(rep);
    } else if (err.refused || err.err == MC_EREVOKED) {
      return cli_report(c, &err); /* not an admin certificate, or a revoked one */
    } else {
      printf("%s%s: %s%s\n", RED, tx(c, MSG_MON_UNREACHABLE), err.message, RESET);
      fflush(stdout);
    }
    sleep_interval();
  }
  return EXIT_OK_;
}

int cli_run_monitor(cli *c) {
  color = isatty(STDOUT_FILENO);
  if (c->json || once) return run_once(c);
  return run_live(c);
}
