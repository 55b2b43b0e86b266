/* The desk's parts (client/desk): shared state of desk.c (loop, client,
 * events), desk_http.c (libmicrohttpd in the loop) and desk_api.c (the
 * routes). Not for other modules. */
#ifndef MC_DESK_INTERNAL_H
#define MC_DESK_INTERNAL_H

#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "desk.h"
#include "desk_guard.h"
#include "desk_req.h"
#include "http_host.h"
#include "motcua_client.h"

#define DESK_EVENTS_MAX 256   /* kept for /api/events */
#define DESK_POLL_MS 25000    /* a long poll answers within this */
#define DESK_WAITERS_MAX 64

typedef struct desk desk;
typedef struct desk_http desk_http;

/* One answer. */
typedef struct desk_reply {
  int status;
  json_t *json;                     /* JSON body, or: */
  char *body;                       /* malloc'ed body */
  size_t len;
  const unsigned char *static_body; /* embedded file */
  int fd;                           /* a file to send (>= 0), len bytes */
  const char *content_type;
  char disposition[400];            /* Content-Disposition, "" = none */
  char set_cookie[200];
  int clear_site;                   /* logout: Clear-Site-Data */
  int suspend;                      /* long poll: wait for events */
} desk_reply;

struct desk {
  mc_desk_opts opts;
  mc_client_config cfg;
  uv_loop_t loop;
  uv_poll_t client_poll;
  uv_timer_t client_timer;
  uv_timer_t wake;      /* deferred work after a client event */
  uv_timer_t housekeep; /* idle logout, outbox retries */
  uv_signal_t sigint, sigterm;
  mc_client *client;
  desk_http *http;
  desk_sessions sessions;
  mc_http_hosts hosts;
  int tls;
  int lang;             /* before a session picks one */
  char unit[32];        /* from the certificate */
  char tmpdir[256];     /* private 0700 directory for uploads/downloads */
  int tmp_lock;         /* flock'ed tmpdir/.lock: this desk is alive (desk_tmp.c) */
  /* the link */
  int64_t since_ms;
  uint64_t rtt_ms;
  char link_error[256];
  int link_err;
  int deliver;          /* 1 due items, 2 all: an outbox pass is wanted */
  /* events for /api/events */
  json_t *events[DESK_EVENTS_MAX];
  uint64_t event_last;  /* id of the newest event */
  Motcua__Envelope *procs; /* the catalogue last fetched (offline receive) */
  int stopping;
  int result;
};

/* desk.c */
void desk_event_push(desk *d, json_t *ev); /* takes ev; adds id and wakes long polls */
/* Events after id as a JSON array (new reference). */
json_t *desk_events_after(desk *d, uint64_t after);
void desk_client_arm(desk *d);  /* re-arm the private loop's timer after a call */
void desk_want_delivery(desk *d, int all);

/* desk_http.c */
int desk_http_start(desk *d, const char *host, int port, char *err, size_t errlen);
int desk_http_port(const desk_http *h);
void desk_http_wake(desk_http *h);  /* resume every suspended long poll */
void desk_http_stop(desk_http *h);  /* closes its handles; freed once closed */
void desk_http_free(desk_http *h);

/* desk_api.c: answer r for session s (NULL: none) into out. */
void desk_api_handle(desk *d, const desk_req *r, desk_session **s, const char *cookie,
                     const char *upload_path, uint64_t upload_len, desk_reply *out);
/* A refusal as the contract's error JSON. */
void desk_api_error(desk *d, int lang, desk_reply *out, int status, const char *code,
                    enum mc_msg msg, const char *field);
/* Static files embedded from client/desk/www (desk_www.c, generated). */
int desk_www_get(const char *name, const unsigned char **data, size_t *len, const char **type);

#endif
