#include "settings.h"

#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

#define S mc_settings
const mc_option mc_settings_options[] = {
    MC_OPT_S("server", "listen_host", "127.0.0.1", S, listen_host, "address to listen on"),
    MC_OPT_I("server", "listen_port", "7443", 1, 65535, S, listen_port, "TLS port"),
    MC_OPT_S("server", "log_level", "info", S, log_level, "error|warn|info|debug"),
    MC_OPT_I("server", "utc_offset_minutes", "420", -720, 840, S, utc_offset_minutes,
             "local time offset (Vietnam: 420)"),
    MC_OPT_S("server", "centre_unit", "444", S, centre_unit, "unit code of the centre"),
    MC_OPT_S("server", "province", "Hà Tĩnh", S, province,
             "province of the units, sent to clients at Hello"),
    MC_OPT_I("server", "max_connections", "2000", 1, 1000000, S, max_connections,
             "authenticated links (Hello done) at once"),
    MC_OPT_S("server", "server_name", "motcua-server", S, server_name,
             "name in the server certificate"),
    MC_OPT_S("server", "instance_name", "", S, instance_name,
             "this instance's name in the cluster-wide monitor (default: host name:listen_port)"),
    MC_OPT_I("server", "cutoff_minutes", "900", 0, 1440, S, cutoff_minutes,
             "receipts after this local minute of day count from the next working day"),
    MC_OPT_I("server", "day_end_minutes", "1020", 1, 1440, S, day_end_minutes,
             "latest local minute of day a day-based deadline falls due (else the office's close)"),
    MC_OPT_S("tls", "tls_ca", "", S, tls_ca, "CA certificate (PEM)"),
    MC_OPT_S("tls", "tls_cert", "", S, tls_cert, "server certificate chain (PEM)"),
    MC_OPT_S("tls", "tls_key", "", S, tls_key, "server private key (PEM, mode 0600)"),
    MC_OPT_S("tls", "tls_crl", "", S, tls_crl, "certificate revocation list (PEM)"),
    MC_OPT_S("monitor", "http_host", "127.0.0.1", S, http_host,
             "admin HTTP listener address (metrics, health, dashboard)"),
    MC_OPT_I("monitor", "http_port", "0", 0, 65535, S, http_port,
             "admin HTTP port; 0 = no HTTP listener"),
    MC_OPT_S("monitor", "http_allowed_hosts", "", S, http_allowed_hosts,
             "extra Host names the admin HTTP listener answers (comma separated)"),
    MC_OPT_I("monitor", "offline_alert_minutes", "15", 1, 10080, S, offline_alert_minutes,
             "alert when a unit is offline this long during working hours"),
    MC_OPT_I("monitor", "forward_accept_hours", "4", 1, 1000, S, forward_accept_hours,
             "alert when a forwarded dossier is not accepted within these working hours"),
    MC_OPT_I("monitor", "crl_warn_hours", "72", 1, 8760, S, crl_warn_hours,
             "alert when the CRL's next update is this close"),
    MC_OPT_S("database", "db_conninfo", "dbname=motcua", S, db_conninfo,
             "libpq connection string"),
    MC_OPT_S("database", "db_report_conninfo", "", S, db_report_conninfo,
             "libpq connection string of the reports' own pool (e.g. both hosts with "
             "target_session_attrs=prefer-standby); empty = reports use the main pool"),
    MC_OPT_I("database", "db_report_pool_size", "2", 1, 16, S, db_report_pool_size,
             "connections of the reports' pool (with db_report_conninfo)"),
    MC_OPT_S("database", "db_migrate_conninfo", "", S, db_migrate_conninfo,
             "connection string of the schema owner, used only by --migrate"),
    MC_OPT_I("database", "db_pool_size", "16", 1, 64, S, db_pool_size, "connections"),
    MC_OPT_I("database", "db_max_queue", "10000", 1, 1000000, S, db_max_queue,
             "queued queries before requests get 'busy'"),
    MC_OPT_S("database", "pii_key_file", "", S, pii_key_file,
             "HMAC key of citizen ids and phones, outside the database (mode 0600)"),
    MC_OPT_I("database", "db_unit_share", "0", 0, 64, S, db_unit_share,
             "queries of one unit in flight at once (0 = db_pool_size / 4, at least 1)"),
    MC_OPT_I("database", "db_receive_lanes", "0", 0, 16, S, db_receive_lanes,
             "receive batches in flight at once (units hashed to lanes; 0 = this machine's "
             "CPUs, 2 to 16; at most db_pool_size)"),
    MC_OPT_I("database", "db_statement_timeout_ms", "5000", 0, 600000, S,
             db_statement_timeout_ms, "longest a search or list statement may run (0 = none)"),
    MC_OPT_I("limits", "max_frame", "1048576", 1024, 16777216, S, max_frame,
             "largest frame accepted, bytes"),
    MC_OPT_I("limits", "handshake_timeout_ms", "10000", 100, 120000, S,
             handshake_timeout_ms, "TLS handshake deadline"),
    MC_OPT_I("limits", "hello_timeout_ms", "10000", 100, 120000, S, hello_timeout_ms,
             "close a link that sends no Hello this long after its TLS handshake"),
    MC_OPT_I("limits", "max_preauth", "256", 1, 100000, S, max_preauth,
             "connections at once that have not finished Hello (TLS handshake or Hello)"),
    MC_OPT_I("limits", "max_preauth_per_addr", "16", 1, 100000, S, max_preauth_per_addr,
             "of these, from one source address (IPv6: one /64)"),
    MC_OPT_I("limits", "idle_timeout_s", "90", 1, 86400, S, idle_timeout_s,
             "close a link silent this long"),
    MC_OPT_I("limits", "heartbeat_s", "30", 1, 3600, S, heartbeat_s,
             "ping interval (server and clients)"),
    MC_OPT_I("limits", "max_inflight", "64", 1, 10000, S, max_inflight,
             "requests in progress per connection"),
    MC_OPT_I("limits", "list_limit_max", "1000", 1, 100000, S, list_limit_max,
             "most dossiers one list returns"),
    MC_OPT_I("limits", "report_timeout_ms", "120000", 0, 3600000, S, report_timeout_ms,
             "longest a report statement may run (0 = none)"),
    MC_OPT_I("limits", "max_reports", "1", 1, 64, S, max_reports,
             "reports computed at once; more are answered busy"),
    MC_OPT_I("limits", "max_connections_per_unit", "32", 1, 100000, S,
             max_connections_per_unit, "links one unit may hold at once"),
    MC_OPT_I("limits", "rate_limit_rps", "50", 1, 1000000, S, rate_limit_rps,
             "requests per second one link may sustain (pings have their own rate)"),
    MC_OPT_I("limits", "rate_burst", "100", 1, 1000000, S, rate_burst,
             "requests one link may send at once above the sustained rate"),
    MC_OPT_I("limits", "ping_rate_rps", "200", 1, 1000000, S, ping_rate_rps,
             "pings, pongs and client statuses per second one link may sustain"),
    MC_OPT_I("limits", "ping_burst", "1000", 1, 1000000, S, ping_burst,
             "pings, pongs and client statuses one link may send at once"),
    MC_OPT_S("files", "data_dir", "data", S, data_dir,
             "content store of scans and results (relative: next to the config file)"),
    MC_OPT_I("files", "max_file_bytes", "104857600", 1, 4294967296L, S, max_file_bytes,
             "largest file accepted, bytes"),
    MC_OPT_I("files", "max_files_per_dossier", "20", 1, 10000, S, max_files_per_dossier,
             "files attached to one dossier"),
    MC_OPT_I("files", "max_dossier_bytes", "314572800", 1, 1099511627776L, S,
             max_dossier_bytes, "total bytes of the files of one dossier"),
    MC_OPT_I("files", "upload_expiry_s", "86400", 1, 31536000, S, upload_expiry_s,
             "unfinished uploads untouched this long are deleted"),
    MC_OPT_I("files", "chunk_bytes", "262144", 16384, 524288, S, chunk_bytes,
             "upload chunk size offered to clients (frame cap 1 MiB)"),
    MC_OPT_I("files", "max_uploads", "1024", 16, 65536, S, max_uploads,
             "unfinished uploads in memory for all units together"),
    MC_OPT_I("files", "max_uploads_per_unit", "16", 1, 1024, S, max_uploads_per_unit,
             "unfinished uploads in memory for one unit"),
    MC_OPT_I("files", "max_upload_bytes_per_unit", "1073741824", 1048576, 1099511627776L, S,
             max_upload_bytes_per_unit, "declared bytes of one unit's unfinished uploads"),
    MC_OPT_I("files", "upload_start_expiry_s", "30", 5, 3600, S, upload_start_expiry_s,
             "an upload with no byte received this long after its begin is deleted"),
    MC_OPT_I("officers", "argon2_memory_kib", "65536", 1024, 4194304, S, argon2_memory_kib,
             "Argon2id memory per password hash, KiB (production: 65536; never below 19456)"),
    MC_OPT_I("officers", "argon2_iterations", "3", 1, 16, S, argon2_iterations,
             "Argon2id passes over that memory"),
    MC_OPT_I("officers", "max_hashes", "2", 1, 64, S, max_hashes,
             "password hashes computed at once on the threadpool (each takes its memory)"),
    MC_OPT_I("officers", "hash_queue", "32", 0, 100000, S, hash_queue,
             "password hashes waiting for a slot; beyond them a login gets 'busy'"),
    MC_OPT_I("officers", "login_max_failures", "5", 1, 1000, S, login_max_failures,
             "wrong passwords in a row that lock an officer's login"),
    MC_OPT_I("officers", "login_lock_s", "900", 1, 604800, S, login_lock_s,
             "how long a locked login stays locked, seconds"),
    MC_OPT_I("officers", "session_overtime_s", "14400", 60, 604800, S, session_overtime_s,
             "a session ends at the close of the unit's working day, but never sooner than "
             "this many seconds after the login (after hours, overtime)"),
    MC_OPT_I("officers", "session_recheck_ms", "2000", 100, 5000, S, session_recheck_ms,
             "a session in the server's cache is checked against the database again after "
             "this long (a revocation elsewhere takes effect within it)"),
    MC_OPT_I("retention", "idempotency_reply_days", "30", 1, 36500, S, idempotency_reply_days,
             "drop the stored answer of an idempotency key after these days (the key stays; a "
             "later replay is answered from the dossier as it is then)"),
    MC_OPT_I("retention", "link_events_days", "35", 1, 36500, S, link_events_days,
             "keep raw link events these days (after their day is rolled up into "
             "link_uptime_daily)"),
    MC_OPT_I("retention", "retention_interval_s", "3600", 0, 604800, S, retention_interval_s,
             "run the retention sweep (rollup, deletions) this often; 0 = never"),
    MC_OPT_I("retention", "retention_batch", "5000", 100, 1000000, S, retention_batch,
             "rows one retention statement deletes or updates at most"),
    {0},
};
#undef S

/* Make a relative path in the config file relative to the file's folder. */
static int resolve_path(char *field, size_t size, const char *dir) {
  if (field[0] == '\0' || field[0] == '/') return 0;
  char tmp[1024];
  int n = snprintf(tmp, sizeof tmp, "%s/%s", dir, field);
  if (n < 0 || (size_t)n >= size) return MC_ECONFIG;
  memcpy(field, tmp, (size_t)n + 1);
  return 0;
}

static int resolve_paths(mc_settings *c, const char *file) {
  char copy[1024];
  snprintf(copy, sizeof copy, "%s", file);
  const char *dir = dirname(copy);
  char *fields[] = {c->tls_ca, c->tls_cert, c->tls_key, c->tls_crl, c->pii_key_file};
  for (size_t i = 0; i < 5; i++)
    if (resolve_path(fields[i], sizeof c->tls_ca, dir) != 0) return MC_ECONFIG;
  if (resolve_path(c->data_dir, sizeof c->data_dir, dir) != 0) return MC_ECONFIG;
  return 0;
}

/* host name:listen_port, bounded (a long host name is cut). */
static void default_instance(mc_settings *c) {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    snprintf(host, sizeof host, "localhost");
  host[sizeof host - 1] = '\0';
  char port[8];
  snprintf(port, sizeof port, ":%ld", c->listen_port);
  size_t hl = strlen(host), room = sizeof c->instance_name - strlen(port) - 1;
  if (hl > room) hl = room;
  memcpy(c->instance_name, host, hl);
  snprintf(c->instance_name + hl, sizeof c->instance_name - hl, "%s", port);
}

int mc_settings_load(mc_settings *cfg, const char *file, int *argc,
                          char **argv, char *err, size_t errlen) {
  memset(cfg, 0, sizeof *cfg);
  int rc = mc_config_defaults(mc_settings_options, cfg, err, errlen);
  if (rc == 0 && file != NULL) rc = mc_config_load(mc_settings_options, cfg, file, err, errlen);
  if (rc == 0 && file != NULL && resolve_paths(cfg, file) != 0) {
    snprintf(err, errlen, "%s: a certificate path is too long", file);
    rc = MC_ECONFIG;
  }
  if (rc == 0) rc = mc_config_args(mc_settings_options, cfg, argc, argv, err, errlen);
  if (rc == 0 && cfg->instance_name[0] == '\0') default_instance(cfg);
  return rc;
}
