/* The link monitor registry (server/monitor/monitor.h) on fixed times: connections,
 * counters, RTT, closed ring and reasons, flapping, alerts, JSON snapshot
 * and Prometheus text. argv[1]: where to write a sample /metrics for the
 * Python parser test (test_monitor_promparse). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "error.h"
#include "http_host.h"
#include "monitor.h"

#define T0 1790000000000LL /* 2026-09-21, a Monday (UTC) */
#define MINUTE 60000LL
#define DAY (24 * 60 * MINUTE)

static const mc_mon_unit_def defs[] = {
    {"18496", "Thị trấn Hương Khê", MC_ROLE_COMMUNE},
    {"18499", "Xã Điền Mỹ", MC_ROLE_COMMUNE},
    {"444", "Trung tâm HCC huyện Hương Khê", MC_ROLE_DISTRICT},
};

static void setup(mc_monitor *m) {
  mc_monitor_init(m, NULL, T0);
  mc_monitor_set_units(m, defs, 3, T0);
}

static mc_mon_conn *open_unit(mc_monitor *m, uint64_t id, const char *code,
                              mc_link_stats *st, int64_t now) {
  mc_mon_link_info info = {.remote = "10.0.0.5:4000", .client_version = "0.1.0",
                           .tls_version = "TLSv1.3", .cipher = "TLS_AES_256_GCM_SHA384",
                           .serial = "01AB", .not_after_ms = T0 + 400 * DAY, .resident = 1};
  return mc_monitor_open(m, id, code, &info, st, now);
}

static void close_conn(mc_monitor *m, mc_mon_conn *c, int why, mc_link_stats *st, int64_t now) {
  mc_mon_close_info ci = {.remote = "10.0.0.5:4000", .why = why, .opened_ms = T0,
                          .final = st, .detail = "x"};
  mc_monitor_close(m, c, &ci, now);
}

static void test_reasons(void) {
  CHECK_EQ(mc_close_why_from(MC_OK, 0, 1), MC_CLOSE_QUIT);
  CHECK_EQ(mc_close_why_from(MC_ECLOSED, 0, 1), MC_CLOSE_LOST);
  CHECK_EQ(mc_close_why_from(MC_ETIMEOUT, 0, 1), MC_CLOSE_IDLE);
  CHECK_EQ(mc_close_why_from(MC_ETLS, 0, 0), MC_CLOSE_TLS);
  CHECK_EQ(mc_close_why_from(MC_EPROTO, 0, 1), MC_CLOSE_PROTOCOL);
  CHECK_EQ(mc_close_why_from(MC_ETOOBIG, 0, 1), MC_CLOSE_PROTOCOL);
  CHECK_EQ(mc_close_why_from(MC_ETIMEOUT, MC_CLOSE_HEARTBEAT, 1), MC_CLOSE_HEARTBEAT);
  CHECK_EQ(mc_close_why_from(MC_EUNAUTH, MC_CLOSE_REVOKED, 1), MC_CLOSE_REVOKED);
  CHECK_EQ(mc_close_why_from(MC_OK, MC_CLOSE_SHUTDOWN, 1), MC_CLOSE_SHUTDOWN);
  CHECK_STREQ(mc_close_why_name(MC_CLOSE_HEARTBEAT), "heartbeat_lost");
  CHECK_STREQ(mc_close_why_name(99), "other");
}

static void test_online_counters(void) {
  mc_monitor m;
  setup(&m);
  mc_link_stats a = {.bytes_in = 100, .bytes_out = 200, .frames_in = 3, .frames_out = 4};
  mc_link_stats b = {.bytes_in = 10, .bytes_out = 20, .frames_in = 1, .frames_out = 1};
  mc_mon_conn *c1 = open_unit(&m, 1, "18499", &a, T0 + MINUTE);
  mc_mon_conn *c2 = open_unit(&m, 2, "18499", &b, T0 + 2 * MINUTE);
  mc_mon_conn *adm = open_unit(&m, 3, "admin", NULL, T0 + 2 * MINUTE);
  CHECK(c1 != NULL && c2 != NULL && adm != NULL);
  CHECK(adm->unit == NULL);
  mc_monitor_rtt(&m, c1, 40);
  mc_monitor_rtt(&m, c2, 80);
  mc_monitor_frame(&m, c1, 1, T0 + 3 * MINUTE);
  mc_monitor_outbox(&m, c1, 7);
  mc_monitor_outbox(&m, c2, 0);
  mc_mon_unit *u = mc_monitor_unit(&m, "18499");
  mc_mon_view v;
  mc_monitor_view(&m, u, T0 + 3 * MINUTE, &v);
  CHECK(v.online);
  CHECK_EQ(u->nconns, 2);
  CHECK_EQ(u->since_ms, T0 + MINUTE);
  CHECK_EQ(u->rtt_ms, 80);
  CHECK_EQ(u->srtt_ms, (7 * 40 + 80) / 8);
  CHECK_EQ(v.bytes_in, 110);
  CHECK_EQ(v.bytes_out, 220);
  CHECK_EQ(u->outbox_depth, 7);
  CHECK_STREQ(v.state, "degraded"); /* something queued at the desk */
  CHECK(v.primary == c1);
  close_conn(&m, c1, MC_CLOSE_QUIT, &a, T0 + 4 * MINUTE);
  CHECK_EQ(u->outbox_depth, 7); /* recomputed only on the next report */
  mc_monitor_outbox(&m, c2, 0);
  mc_monitor_view(&m, u, T0 + 4 * MINUTE, &v);
  CHECK(v.online);
  CHECK_EQ(v.bytes_in, 110); /* closed 100 + live 10 */
  CHECK_STREQ(v.state, "online");
  close_conn(&m, c2, MC_CLOSE_LOST, &b, T0 + 5 * MINUTE);
  mc_monitor_view(&m, u, T0 + 6 * MINUTE, &v);
  CHECK(!v.online);
  CHECK_STREQ(v.state, "offline");
  CHECK_EQ(u->since_ms, T0 + 5 * MINUTE);
  CHECK_EQ(u->last_close, MC_CLOSE_LOST);
  CHECK_EQ(m.closed_total[MC_CLOSE_QUIT], 1);
  CHECK_EQ(m.ring_count, 2);
  mc_monitor_free(&m);
}

static void test_ring_and_flapping(void) {
  mc_monitor m;
  setup(&m);
  for (int i = 0; i < 300; i++) {
    mc_link_stats st = {.bytes_in = (uint64_t)i};
    mc_mon_conn *c = open_unit(&m, (uint64_t)i, "18496", &st, T0 + i * 1000);
    close_conn(&m, c, MC_CLOSE_HEARTBEAT, &st, T0 + i * 1000 + 500);
  }
  CHECK_EQ(m.ring_count, MC_MON_RING);
  const mc_mon_closed *newest = &m.ring[(m.ring_next + MC_MON_RING - 1) % MC_MON_RING];
  CHECK_EQ(newest->bytes_in, 299);
  mc_mon_view v;
  mc_monitor_view(&m, mc_monitor_unit(&m, "18496"), T0 + 300 * 1000, &v);
  CHECK(v.flapping);
  CHECK_EQ(v.drops_1h, MC_MON_DROPS);
  mc_monitor_view(&m, mc_monitor_unit(&m, "18496"), T0 + 2 * 3600 * 1000LL, &v);
  CHECK(!v.flapping);
  /* a closed connection that never said Hello: ring only */
  mc_mon_close_info ci = {.unit = "", .remote = "1.2.3.4:5", .why = MC_CLOSE_TLS};
  mc_monitor_close(&m, NULL, &ci, T0);
  CHECK_EQ(m.closed_total[MC_CLOSE_TLS], 1);
  mc_monitor_free(&m);
}

static int always(void *arg, int64_t now) {
  (void)arg;
  (void)now;
  return 1;
}

static int never(void *arg, int64_t now) {
  (void)arg;
  (void)now;
  return 0;
}

static void test_alerts(void) {
  mc_monitor m;
  setup(&m);
  m.srv.crl_next_update_ms = T0 + DAY;          /* within 3 days */
  m.srv.server_cert_not_after_ms = T0 + 10 * DAY; /* within 30 days */
  m.srv.ca_not_after_ms = T0 + 3000 * DAY;
  mc_link_stats st = {0};
  mc_mon_conn *c = open_unit(&m, 1, "18499", &st, T0);
  c->info.not_after_ms = T0 + 5 * DAY;
  size_t fresh = mc_monitor_eval_alerts(&m, T0 + 20 * MINUTE, never, NULL);
  CHECK_EQ(mc_monitor_alert_count(&m, "unit_offline"), 0); /* outside working hours */
  CHECK_EQ(mc_monitor_alert_count(&m, "cert_expiring"), 2); /* unit + server */
  CHECK_EQ(mc_monitor_alert_count(&m, "crl_expiring"), 1);
  CHECK_EQ(fresh, 3);
  fresh = mc_monitor_eval_alerts(&m, T0 + 20 * MINUTE, always, NULL);
  CHECK_EQ(mc_monitor_alert_count(&m, "unit_offline"), 2); /* 18496 and 444 */
  CHECK_EQ(fresh, 2);
  CHECK_EQ(mc_monitor_eval_alerts(&m, T0 + 21 * MINUTE, always, NULL), 0);
  fresh = mc_monitor_eval_alerts(&m, T0 + 10 * MINUTE, always, NULL); /* under 15 min */
  CHECK_EQ(mc_monitor_alert_count(&m, "unit_offline"), 0);
  mc_monitor_free(&m);
}

static void test_json(void) {
  mc_monitor m;
  setup(&m);
  mc_link_stats st = {.bytes_in = 5, .bytes_out = 6};
  mc_mon_conn *c = open_unit(&m, 1, "18499", &st, T0);
  mc_monitor_rtt(&m, c, 12);
  json_t *doc = mc_monitor_json(&m, T0 + 2 * 3600 * 1000LL);
  CHECK(doc != NULL);
  json_t *units = json_object_get(doc, "units");
  CHECK_EQ(json_array_size(units), 3);
  json_t *u = json_array_get(units, 1);
  CHECK_STREQ(json_string_value(json_object_get(u, "unit")), "18499");
  CHECK_STREQ(json_string_value(json_object_get(u, "name")), "Xã Điền Mỹ");
  CHECK(json_is_true(json_object_get(u, "online")));
  CHECK_EQ(json_integer_value(json_object_get(u, "rtt_ms")), 12);
  CHECK_EQ(json_integer_value(json_object_get(u, "bytes_in")), 5);
  CHECK_STREQ(json_string_value(json_object_get(u, "since")), "2026-09-21T21:13:20+07:00");
  const char *keys[] = {"unit", "name", "online", "since", "rtt_ms", "bytes_in",
                        "bytes_out", "last_seen", "outbox_depth"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    CHECK(json_object_get(u, keys[i]) != NULL);
  json_t *off = json_array_get(units, 0);
  CHECK(json_is_false(json_object_get(off, "online")));
  CHECK(json_is_null(json_object_get(off, "rtt_ms")));
  /* never connected since the server started: no duration, no since */
  CHECK_STREQ(json_string_value(json_object_get(off, "state")), "never");
  CHECK_EQ(json_integer_value(json_object_get(off, "since_ms")), 0);
  CHECK(json_is_null(json_object_get(off, "since")));
  CHECK(json_is_null(json_object_get(off, "offline_for_s")));
  json_decref(doc);
  mc_monitor_free(&m);
}

static void test_prometheus(const char *out_path) {
  mc_monitor m;
  setup(&m);
  m.srv.db_up = 4;
  mc_link_stats st = {.bytes_in = 1234, .bytes_out = 4321};
  mc_mon_conn *c = open_unit(&m, 1, "18499", &st, T0);
  mc_monitor_rtt(&m, c, 25);
  mc_mon_conn *c2 = open_unit(&m, 2, "18496", &st, T0);
  close_conn(&m, c2, MC_CLOSE_IDLE, &st, T0 + MINUTE);
  mc_monitor_eval_alerts(&m, T0 + 30 * MINUTE, always, NULL);
  mc_monitor_request(&m, MOTCUA__ENVELOPE__BODY_LIST, 0, 1200); /* a histogram to parse */
  mc_monitor_request(&m, MOTCUA__ENVELOPE__BODY_SHOW, MC_ENOTFOUND, 800);
  for (int i = 0; i < MC_MON_TURN_BUCKETS; i++) m.srv.turn_le_us[i] = 100 * (i + 1);
  m.srv.turn_wall = (mc_mon_turns){.within = {3, 1}, .count = 5, .sum_us = 1500, .max_us = 1200};
  m.srv.turn_cpu = (mc_mon_turns){.within = {4}, .count = 5, .sum_us = 300, .max_us = 90};
  size_t len = 0;
  char *text = mc_monitor_prometheus(&m, T0 + 30 * MINUTE, &len);
  CHECK(strstr(text, "motcua_loop_turn_seconds_bucket{le=\"0.0002\"} 4\n") != NULL);
  CHECK(strstr(text, "motcua_loop_turn_seconds_bucket{le=\"+Inf\"} 5\n") != NULL);
  CHECK(strstr(text, "motcua_loop_turn_cpu_seconds_sum 0.000300\n") != NULL);
  CHECK(strstr(text, "motcua_loop_turn_max_seconds{time=\"wall\"} 0.001200\n") != NULL);
  CHECK(text != NULL && len == strlen(text));
  CHECK(strstr(text, "motcua_unit_online{unit=\"18499\"} 1\n") != NULL);
  CHECK(strstr(text, "motcua_unit_online{unit=\"18496\"} 0\n") != NULL);
  CHECK(strstr(text, "motcua_unit_rtt_seconds{unit=\"18499\"} 0.025\n") != NULL);
  CHECK(strstr(text, "motcua_unit_bytes_total{unit=\"18499\",direction=\"in\"} 1234\n") != NULL);
  CHECK(strstr(text, "motcua_connections{state=\"online\"} 1\n") != NULL);
  CHECK(strstr(text, "motcua_connections{state=\"offline\"} 2\n") != NULL);
  CHECK(strstr(text, "motcua_connections_closed_total{reason=\"idle_timeout\"} 1\n") != NULL);
  CHECK(strstr(text, "motcua_db_connections_up 4\n") != NULL);
  CHECK(strstr(text, "motcua_alerts{kind=\"unit_offline\"} 2\n") != NULL);
  CHECK(strstr(text, "# TYPE motcua_unit_bytes_total counter\n") != NULL);
  /* per-unit series bounded by the catalogue: 3 units -> 3 online lines */
  size_t n = 0;
  for (const char *p = text; (p = strstr(p, "\nmotcua_unit_online{")) != NULL; p++) n++;
  CHECK_EQ(n, 3);
  if (out_path != NULL && text != NULL) {
    FILE *f = fopen(out_path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
      fwrite(text, 1, len, f);
      fclose(f);
    }
  }
  free(text);
  mc_monitor_free(&m);
}

/* A connection record keeps pointers to the link's and session's strings
 * (an idle link's monitor record is ~110 B, not ~360 B of copies): the
 * same pointers come back, a missing one reads as "", and the JSON view
 * shows what they point at. */
static void test_record_points(void) {
  mc_monitor m;
  setup(&m);
  mc_link_stats st = {0};
  char remote[] = "10.0.0.9:4100", serial[] = "0A0B", code[] = "18499";
  mc_mon_link_info info = {.remote = remote, .serial = serial, .tls_version = "TLSv1.3"};
  mc_mon_conn *c = mc_monitor_open(&m, 3, code, &info, &st, T0);
  CHECK(c != NULL);
  if (c == NULL) return;
  CHECK(c->code == code && c->info.remote == remote && c->info.serial == serial);
  CHECK(c->info.cipher != NULL && c->info.cipher[0] == '\0');
  CHECK(c->info.client_version != NULL && c->info.client_version[0] == '\0');
  CHECK(sizeof *c <= 128);
  mc_mon_unit *u = mc_monitor_unit(&m, "18499");
  CHECK_STREQ(u->serial, "0A0B"); /* the unit's own copy outlives the link */
  close_conn(&m, c, MC_CLOSE_QUIT, &st, T0 + 1000);
  serial[0] = 'X'; /* the session is gone: nothing of the monitor points there now */
  CHECK_STREQ(u->serial, "0A0B");
  mc_monitor_free(&m);
}

static void test_units_reload(void) {
  mc_monitor m;
  setup(&m);
  mc_link_stats st = {0};
  mc_mon_conn *c = open_unit(&m, 1, "18499", &st, T0);
  mc_monitor_rtt(&m, c, 9);
  const mc_mon_unit_def two[] = {{"18499", "Xã Điền Mỹ (mới)", MC_ROLE_COMMUNE},
                                 {"18502", "Xã Hà Linh", MC_ROLE_COMMUNE}};
  CHECK_EQ(mc_monitor_set_units(&m, two, 2, T0 + MINUTE), 0);
  mc_mon_unit *u = mc_monitor_unit(&m, "18499");
  CHECK(u != NULL && c->unit == u);
  CHECK_EQ(u->rtt_ms, 9);
  CHECK_STREQ(u->name, "Xã Điền Mỹ (mới)");
  CHECK(mc_monitor_unit(&m, "18496") == NULL);
  close_conn(&m, c, MC_CLOSE_QUIT, &st, T0 + 2 * MINUTE);
  CHECK_EQ(u->nconns, 0);
  mc_monitor_free(&m);
}

/* One-shot links are traffic and requests only; the resident link alone
 * makes the unit online, counts drops and carries the RTT. */
static void test_resident(void) {
  mc_monitor m;
  setup(&m);
  mc_link_stats st = {0};
  mc_mon_unit *u = mc_monitor_unit(&m, "18499");
  mc_mon_view v;
  for (int i = 0; i < 6; i++) {
    mc_mon_link_info info = {.serial = "01AB"};
    mc_mon_conn *c = mc_monitor_open(&m, (uint64_t)i, "18499", &info, &st, T0 + i * 1000);
    mc_monitor_view(&m, u, T0 + i * 1000, &v);
    CHECK(!v.online);
    mc_monitor_rtt(&m, c, 30);
    mc_monitor_frame(&m, c, 1, T0 + i * 1000 + 10);
    close_conn(&m, c, MC_CLOSE_QUIT, &st, T0 + i * 1000 + 20);
  }
  mc_monitor_view(&m, u, T0 + MINUTE, &v);
  CHECK_STREQ(v.state, "never");
  CHECK_EQ(v.drops_1h, 0);
  CHECK(!v.flapping);
  CHECK_EQ(u->ndrops, 0);
  CHECK_EQ(u->rtt_ms, -1);
  CHECK_EQ(u->since_ms, 0);
  CHECK_EQ(u->last_request_ms, T0 + 5 * 1000 + 10);
  /* a resident link: online, then its RTT is cleared when it goes */
  mc_mon_conn *w = open_unit(&m, 10, "18499", &st, T0 + MINUTE);
  mc_mon_link_info one = {.serial = "01AB"};
  mc_mon_conn *o = mc_monitor_open(&m, 11, "18499", &one, &st, T0 + MINUTE);
  mc_monitor_rtt(&m, w, 40);
  mc_monitor_view(&m, u, T0 + MINUTE, &v);
  CHECK(v.online && v.primary == w);
  CHECK_EQ(u->nconns, 2);
  close_conn(&m, o, MC_CLOSE_QUIT, &st, T0 + 2 * MINUTE);
  mc_monitor_view(&m, u, T0 + 2 * MINUTE, &v);
  CHECK(v.online);
  CHECK_EQ(u->rtt_ms, 40);
  close_conn(&m, w, MC_CLOSE_LOST, &st, T0 + 3 * MINUTE);
  mc_monitor_view(&m, u, T0 + 3 * MINUTE, &v);
  CHECK_STREQ(v.state, "offline");
  CHECK_EQ(u->rtt_ms, -1);
  CHECK_EQ(u->srtt_ms, -1);
  CHECK_EQ(u->ndrops, 1);
  CHECK_EQ(u->since_ms, T0 + 3 * MINUTE);
  char *text = mc_monitor_prometheus(&m, T0 + 3 * MINUTE, NULL);
  CHECK(text != NULL && strstr(text, "motcua_unit_rtt_seconds{unit=\"18499\"}") == NULL);
  CHECK(text != NULL && strstr(text, "motcua_unit_state_since_seconds{unit=\"18496\"}") == NULL);
  free(text);
  mc_monitor_free(&m);
}

static int serial_01ab(void *arg, const char *serial) {
  (void)arg;
  return strcmp(serial, "01AB") == 0;
}

static void test_revoked(void) {
  mc_monitor m;
  setup(&m);
  mc_link_stats st = {0};
  mc_mon_unit *u = mc_monitor_unit(&m, "18499");
  mc_mon_view v;
  mc_mon_conn *c = open_unit(&m, 1, "18499", &st, T0);
  close_conn(&m, c, MC_CLOSE_REVOKED, &st, T0 + MINUTE);
  mc_monitor_view(&m, u, T0 + MINUTE, &v);
  CHECK_STREQ(v.state, "revoked");
  mc_monitor_eval_alerts(&m, T0 + 60 * MINUTE, always, NULL);
  CHECK_EQ(mc_monitor_alert_count(&m, "unit_offline"), 2); /* not the revoked one */
  /* a renewed certificate says Hello: no longer revoked */
  mc_mon_link_info info = {.serial = "02CD", .resident = 1};
  c = mc_monitor_open(&m, 2, "18499", &info, &st, T0 + 2 * MINUTE);
  close_conn(&m, c, MC_CLOSE_LOST, &st, T0 + 3 * MINUTE);
  mc_monitor_view(&m, u, T0 + 3 * MINUTE, &v);
  CHECK_STREQ(v.state, "offline");
  CHECK_EQ(mc_monitor_mark_revoked(&m, serial_01ab, NULL), 0);
  /* the CRL lists the serial the unit last presented */
  c = open_unit(&m, 3, "18496", &st, T0);
  close_conn(&m, c, MC_CLOSE_LOST, &st, T0 + MINUTE);
  CHECK_EQ(mc_monitor_mark_revoked(&m, serial_01ab, NULL), 1);
  mc_monitor_view(&m, mc_monitor_unit(&m, "18496"), T0 + 3 * MINUTE, &v);
  CHECK_STREQ(v.state, "revoked");
  /* refused at Hello (handshake began before the reload): no record, unit told */
  mc_mon_close_info ci = {.unit = "444", .why = MC_CLOSE_REVOKED};
  mc_monitor_close(&m, NULL, &ci, T0);
  CHECK(mc_monitor_unit(&m, "444")->revoked);
  mc_monitor_free(&m);
}

/* Requests: answered in the dispatch, refused there, or ended by an mc_req
 * that outlives it (finished or failed), and one finished inside it. */
static void test_requests(void) {
  mc_monitor m;
  setup(&m);
  mc_mon_meter d = {0};
  mc_mon_req_meter r;
  unsigned list = MOTCUA__ENVELOPE__BODY_LIST, show = MOTCUA__ENVELOPE__BODY_SHOW;
  mc_monitor_meter_begin(&d, list, 1000); /* sync answer */
  mc_monitor_meter_end(&m, &d, 0, 1500);
  mc_monitor_meter_begin(&d, list, 2000); /* async, finished after 30 ms */
  mc_monitor_req_begin(&d, &r);
  mc_monitor_meter_end(&m, &d, 0, 2100);
  CHECK_EQ(m.req[list].count, 1);
  mc_monitor_req_end(&m, &d, &r, 0, 32000);
  mc_monitor_req_end(&m, &d, &r, 0, 33000); /* twice: once */
  mc_monitor_meter_begin(&d, show, 40000); /* async, not found */
  mc_monitor_req_begin(&d, &r);
  mc_monitor_meter_end(&m, &d, 0, 40100);
  mc_monitor_req_end(&m, &d, &r, MC_ENOTFOUND, 41000);
  mc_monitor_meter_begin(&d, show, 50000); /* req started then dropped, dispatch refuses */
  mc_monitor_req_begin(&d, &r);
  mc_monitor_req_end(&m, &d, &r, 0, 50010);
  mc_monitor_meter_end(&m, &d, MC_EUNAVAIL, 50020);
  mc_monitor_meter_begin(&d, show, 60000); /* failed inside the dispatch */
  mc_monitor_req_begin(&d, &r);
  mc_monitor_req_end(&m, &d, &r, MC_EFORBIDDEN, 60010);
  mc_monitor_meter_end(&m, &d, 0, 60020);
  /* held by the officer gate (a req outside the dispatch), then dispatched
   * again once PostgreSQL answered: its handler's own req, started in the
   * resumed dispatch, counts once as a show from the arrival */
  mc_mon_req_meter gate, h;
  mc_monitor_meter_begin(&d, show, 70000);
  mc_monitor_req_begin(&d, &gate);
  mc_monitor_meter_end(&m, &d, 0, 70010);
  mc_monitor_meter_resume(&d, &gate);
  mc_monitor_req_begin(&d, &h);
  mc_monitor_meter_end(&m, &d, 0, 75000);
  mc_monitor_req_end(&m, &d, &gate, 0, 75001); /* the gate's req: no longer counts */
  mc_monitor_req_end(&m, &d, &h, MC_ENOTFOUND, 80000);
  CHECK_EQ(m.req[show].results[-MC_ENOTFOUND], 2);
  CHECK_EQ(m.req[show].results[0], 0);
  mc_monitor_meter_begin(&d, MOTCUA__ENVELOPE__BODY_PONG, 0); /* not a request */
  mc_monitor_meter_end(&m, &d, 0, 10);
  CHECK_EQ(m.req[list].count, 2);
  CHECK_EQ(m.req[list].results[0], 2);
  CHECK_EQ(m.req[list].sum_us, 500 + 30000);
  CHECK_EQ(m.req[list].within[0], 1); /* <= 1 ms */
  CHECK_EQ(m.req[list].within[4], 1); /* 30 ms: in (25 ms, 50 ms] */
  CHECK_EQ(m.req[show].results[-MC_ENOTFOUND], 2);
  CHECK_EQ(m.req[show].results[-MC_EUNAVAIL], 1);
  CHECK_EQ(m.req[show].results[-MC_EFORBIDDEN], 1);
  CHECK_EQ(m.req[show].count, 4);
  CHECK_EQ(m.req[MOTCUA__ENVELOPE__BODY_PONG].count, 0);
  char *text = mc_monitor_prometheus(&m, T0, NULL);
  CHECK(text != NULL &&
        strstr(text, "motcua_requests_total{type=\"list\",result=\"ok\"} 2\n") != NULL);
  CHECK(text != NULL &&
        strstr(text, "motcua_requests_total{type=\"show\",result=\"not_found\"} 2\n") != NULL);
  CHECK(text != NULL && strstr(text, "motcua_request_duration_seconds_bucket{type=\"list\","
                                     "le=\"+Inf\"} 2\n") != NULL);
  CHECK(text != NULL && strstr(text, "motcua_request_duration_seconds_bucket{type=\"list\","
                                     "le=\"0.05\"} 2\n") != NULL);
  CHECK(text != NULL && strstr(text, "motcua_unit_info{unit=\"18499\",name=\"Xã Điền Mỹ\","
                                     "role=\"commune\"} 1\n") != NULL);
  free(text);
  mc_monitor_free(&m);
}

static void test_http_hosts(void) {
  mc_http_hosts h;
  CHECK_EQ(mc_http_hosts_init(&h, "10.1.2.3", 7480, "Monitor.Example, prom.local"), 0);
  const char *ok[] = {"127.0.0.1:7480", "localhost:7480", "LOCALHOST", "[::1]:7480", "[::1]",
                      "10.1.2.3:7480", "monitor.example", "prom.local:7480", "localhost.",
                      NULL};
  for (int i = 0; ok[i] != NULL; i++) CHECK(mc_http_host_allowed(&h, ok[i]));
  const char *bad[] = {"evil.example", "evil.example:7480", "127.0.0.1:80", "localhost:",
                       "localhost:7480x", "[::1", "::1", "", "127.0.0.1.evil.example",
                       "localhost:99999999", "[::2]:7480", NULL};
  for (int i = 0; bad[i] != NULL; i++) CHECK(!mc_http_host_allowed(&h, bad[i]));
  CHECK(mc_http_host_allowed(&h, NULL)); /* HTTP/1.0 without Host */
  CHECK_EQ(mc_http_hosts_init(&h, "::", 1, "a b c d e f g h i j k l m"), MC_EINVAL);
  char longname[400];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  CHECK_EQ(mc_http_hosts_init(&h, "127.0.0.1", 1, longname), MC_EINVAL);
}


/* The cluster view (issue 18): links other instances published are shown
 * with their instance; this instance's own published rows are skipped (its
 * registry is fresher); a unit linked only elsewhere is online with the
 * other link's times and raises no offline alert; Prometheus stays this
 * instance's; a failed read (known = 0) leaves this instance alone. */
static void test_cluster_view(void) {
  mc_monitor m;
  setup(&m);
  snprintf(m.instance, sizeof m.instance, "s1");
  mc_link_stats st = {0};
  mc_mon_conn *c = open_unit(&m, 7, "18499", &st, T0);
  mc_monitor_rtt(&m, c, 12);
  mc_mon_live rows[] = {
      {.instance = "s2", .session = 3, .unit = "444", .resident = 1,
       .connected_ms = T0 + MINUTE, .rtt_ms = 40, .outbox = 0},
      {.instance = "s1", .session = 7, .unit = "18499", .resident = 1, .connected_ms = T0,
       .rtt_ms = 12},                                               /* our own: skipped */
      {.instance = "s2", .session = 9, .unit = "18499", .resident = 0,
       .connected_ms = T0 + 2 * MINUTE, .rtt_ms = -1},             /* a CLI call on s2 */
      {.instance = "s3", .session = 1, .unit = "nope", .resident = 1, .connected_ms = T0},
  };
  CHECK_EQ(mc_monitor_set_live(&m, rows, 4, 1), 0);
  CHECK_EQ(m.nlive, 3);
  mc_mon_view v;
  char inst[64];
  mc_monitor_view(&m, mc_monitor_unit(&m, "444"), T0 + 3 * MINUTE, &v);
  CHECK(v.online);
  CHECK(!v.online_here);
  CHECK_EQ(v.since_ms, T0 + MINUTE);
  CHECK_EQ(v.rtt_ms, 40);
  CHECK_STREQ(v.state, "online");
  mc_monitor_instances(&m, &v, inst, sizeof inst);
  CHECK_STREQ(inst, "s2");
  mc_monitor_view(&m, mc_monitor_unit(&m, "18499"), T0 + 3 * MINUTE, &v);
  CHECK_EQ(v.links, 2);
  CHECK_EQ(v.rtt_ms, 12);
  mc_monitor_instances(&m, &v, inst, sizeof inst);
  CHECK_STREQ(inst, "s1,s2");
  mc_monitor_instances(&m, &v, inst, 4); /* bounded: what does not fit is left out */
  CHECK_STREQ(inst, "s1");
  mc_monitor_view(&m, mc_monitor_unit(&m, "18496"), T0 + 3 * MINUTE, &v);
  CHECK(!v.online);
  mc_monitor_instances(&m, &v, inst, sizeof inst);
  CHECK_STREQ(inst, "");
  mc_monitor_eval_alerts(&m, T0 + 20 * MINUTE, always, NULL);
  CHECK_EQ(mc_monitor_alert_count(&m, "unit_offline"), 1); /* 18496 only */

  json_t *doc = mc_monitor_json(&m, T0 + 3 * MINUTE);
  CHECK_STREQ(json_string_value(json_object_get(doc, "instance")), "s1");
  CHECK(json_is_true(json_object_get(doc, "cluster_view")));
  json_t *units = json_object_get(doc, "units");
  json_t *u = json_array_get(units, 1); /* 18499 */
  CHECK_STREQ(json_string_value(json_object_get(u, "instance")), "s1,s2");
  json_t *links = json_object_get(doc, "links"); /* by unit (catalogue order) */
  CHECK_EQ(json_array_size(links), 3);
  CHECK_STREQ(json_string_value(json_object_get(json_array_get(links, 0), "unit")), "18499");
  CHECK_STREQ(json_string_value(json_object_get(json_array_get(links, 0), "instance")), "s1");
  CHECK_EQ(json_integer_value(json_object_get(json_array_get(links, 0), "session")), 7);
  CHECK_STREQ(json_string_value(json_object_get(json_array_get(links, 1), "instance")), "s2");
  CHECK(json_is_false(json_object_get(json_array_get(links, 1), "resident")));
  CHECK(json_is_null(json_object_get(json_array_get(links, 1), "rtt_ms")));
  CHECK_STREQ(json_string_value(json_object_get(json_array_get(links, 2), "unit")), "444");
  u = json_array_get(units, 2); /* 444 */
  CHECK(json_is_true(json_object_get(u, "online")));
  CHECK_STREQ(json_string_value(json_object_get(u, "instance")), "s2");
  CHECK_EQ(json_integer_value(json_object_get(u, "connections")), 1);
  CHECK(json_is_null(json_object_get(json_array_get(units, 0), "instance")));
  json_decref(doc);

  size_t len = 0;
  char *text = mc_monitor_prometheus(&m, T0 + 3 * MINUTE, &len);
  CHECK(text != NULL && strstr(text, "motcua_unit_online{unit=\"444\"} 0\n") != NULL);
  CHECK(text != NULL && strstr(text, "motcua_unit_online{unit=\"18499\"} 1\n") != NULL);
  CHECK(text != NULL && strstr(text, "motcua_instance_info{name=\"s1\"} 1\n") != NULL);
  free(text);

  /* a reload of the catalogue keeps the view; a failed read drops it */
  mc_monitor_set_units(&m, defs, 3, T0 + 4 * MINUTE);
  mc_monitor_view(&m, mc_monitor_unit(&m, "444"), T0 + 4 * MINUTE, &v);
  CHECK(v.online);
  CHECK_EQ(mc_monitor_set_live(&m, NULL, 0, 0), 0);
  mc_monitor_view(&m, mc_monitor_unit(&m, "444"), T0 + 4 * MINUTE, &v);
  CHECK(!v.online);
  CHECK_EQ(v.links, 0);
  mc_monitor_free(&m);
}

int main(int argc, char **argv) {
  test_reasons();
  test_online_counters();
  test_ring_and_flapping();
  test_alerts();
  test_json();
  test_prometheus(argc > 1 ? argv[1] : NULL);
  test_units_reload();
  test_resident();
  test_record_points();
  test_revoked();
  test_requests();
  test_http_hosts();
  test_cluster_view();
  return check_result();
}
