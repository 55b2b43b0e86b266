/* Server configuration: one table (config.c) declares every option with its
 * section, default and bounds; deploy/motcua-server.conf.example documents
 * them for operators. */
#ifndef MC_SETTINGS_H
#define MC_SETTINGS_H

#include <stddef.h>

#include "config.h"

typedef struct mc_settings {
  char listen_host[64];
  long listen_port;
  char log_level[16];
  long utc_offset_minutes;
  char centre_unit[16];
  char province[64];            /* UnitInfo.province at Hello */
  long max_connections;          /* authenticated links (Hello done) */
  char server_name[64];
  char instance_name[64];       /* this instance in the cluster view; "" = host:port */
  char tls_ca[512], tls_cert[512], tls_key[512], tls_crl[512];
  char http_host[64];           /* monitor: admin HTTP listener */
  long http_port;               /* 0 = disabled */
  char http_allowed_hosts[512]; /* extra Host names the listener answers */
  long offline_alert_minutes;
  long forward_accept_hours;
  long crl_warn_hours;
  char db_conninfo[1024];
  char db_migrate_conninfo[1024];
  char db_report_conninfo[1024]; /* reports' own small pool; "" = the main pool */
  long db_report_pool_size;
  char pii_key_file[512];       /* HMAC key of citizen ids and phones; "" = none */
  long db_pool_size;
  long db_max_queue;
  long db_unit_share;           /* 0 = db_pool_size / 4 */
  long db_receive_lanes;        /* receive batches in flight at once */
  long db_statement_timeout_ms; /* 0 = none */
  long max_frame;
  long handshake_timeout_ms;
  long hello_timeout_ms;      /* TLS done -> Hello */
  long max_preauth;           /* connections before Hello, in all */
  long max_preauth_per_addr;  /* ... from one source address */
  long idle_timeout_s;
  long heartbeat_s;
  long max_inflight;
  long list_limit_max;
  long report_timeout_ms;       /* per report statement; 0 = none */
  long max_reports;             /* reports in flight at once */
  long max_connections_per_unit;
  long rate_limit_rps;   /* token bucket per link */
  long rate_burst;
  long ping_rate_rps;    /* a second bucket: Ping, Pong, ClientStatus */
  long ping_burst;
  long cutoff_minutes;   /* receipts at or after this local time count from the next working day */
  long day_end_minutes;  /* local time a day-based deadline falls due */
  /* files (server/files/files.h) */
  char data_dir[512];        /* content store; relative = next to the config */
  long max_file_bytes;
  long max_files_per_dossier;
  long max_dossier_bytes;
  long upload_expiry_s;
  long chunk_bytes;          /* default chunk size offered to clients */
  long max_uploads;          /* unfinished uploads in memory, all units (B5) */
  long max_uploads_per_unit; /* ... of one unit */
  long max_upload_bytes_per_unit; /* declared sizes of one unit's unfinished uploads */
  long upload_start_expiry_s;     /* never-started uploads are deleted after this */
  /* [officers] (issue 15; docs/SECURITY.md "Officer accounts") */
  long argon2_memory_kib;    /* Argon2id memory per hash */
  long argon2_iterations;    /* Argon2id passes */
  long max_hashes;           /* password hashes running at once (threadpool) */
  long hash_queue;           /* hashes waiting beyond those; more: busy */
  long login_max_failures;   /* wrong passwords in a row before the lock */
  long login_lock_s;         /* how long the lock lasts */
  long session_overtime_s;   /* a session lasts at least this long after login */
  long session_recheck_ms;   /* a cached session is checked again after this */
  /* [retention] (monitor/retention.c, docs/DATABASE.md "Retention") */
  long idempotency_reply_days; /* drop an idempotency key's stored answer after */
  long link_events_days;       /* keep raw link events (rolled up first) */
  long retention_interval_s;   /* sweep period; 0 = off */
  long retention_batch;        /* rows per retention statement */
} mc_settings;

extern const mc_option mc_settings_options[];

/* Defaults, then FILE (if not NULL), then --name=value arguments (consumed
 * from argv). Relative paths in FILE are resolved against its directory. */
int mc_settings_load(mc_settings *cfg, const char *file, int *argc,
                          char **argv, char *err, size_t errlen);

#endif
