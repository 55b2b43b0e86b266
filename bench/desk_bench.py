#!/usr/bin/env python3
"""The desk's latency and memory with a large database (issue 16's bench
point), against a local deployment:

  bench/desk_bench.py [DIR] [--bin build/bin] [--dossiers 1000000 | --quick]
                      [--unit 18496] [--calls 200] [--cli-calls 30] [--day 1] [--keep]

DIR: an existing deployment (deploy/local.sh up DIR); without it one is made
under a temporary directory on free ports (--no-desks; quick officer
passwords: MOTCUA_ARGON2_MEMORY_KIB=4096, MOTCUA_ARGON2_ITERATIONS=1) and torn
down at the end.

1. Data: a database of its own in DIR's PostgreSQL cluster, migrated by
   `motcua-server --migrate`, the deployment's officers imported into it;
   --dossiers dossiers over the three years before today, over the 21
   communes and the district centre, in ONE set-based INSERT ... SELECT
   generate_series (status mix by age, ~40% of the communes' dossiers
   district-level and forwarded to the centre, Vietnamese names, 12-digit
   ids, phones, the PII MACs of migration 013 by pgcrypto's HMAC with the
   deployment's key, register numbers by row_number() with the register
   trigger of migration 017 disabled for that one statement -- its
   per-row advisory lock and index probe give the same numbers, slower),
   then ANALYZE. No progress-log rows and no components: the dossier
   screen reads an empty history.
2. Latency: `motcua desk --port 0` of the commune --unit and of the district
   (copies of their configs, own session and outbox files), logged in over
   the API as tester.<unit>; p50/p99 of --calls calls (after 10 warm-up
   calls, one keep-alive HTTP connection) of the list screen
   (`/api/dossiers?limit=50`), with status=4, a search by a common family
   name, and one dossier (`/api/dossiers/<code>`, random codes of the
   unit); the same through the CLI (`motcua --json list --limit 50`,
   `list --status 4`, `search NAME`, `show CODE`; --cli-calls processes
   each, a TLS handshake each); the ratios desk/CLI.
3. Memory: the commune desk's VmRSS at start (logged in), after the
   latency runs, and after a simulated working day (--day scales it: 300
   receives through /api/receive, 2,000 list calls, 2,000 dossier views, 200
   slip-01 PDFs, 100 /api/events polls), and the growth per 1,000 requests.

Prints a Markdown summary; nothing is written to the repository. The
database is dropped at the end (--keep keeps it)."""
import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, "..")
DISTRICT = "444"

from benchdata import FAMILY, GIVEN, MIDDLE, family_pool, pii_key_hex, pii_mac_sql, sql_array
from report_bench import env_of  # local.env as a dict (one reader for both benches)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pct(lat, q):
    s = sorted(lat)
    return s[min(len(s) - 1, int(len(s) * q))]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class DeskError(Exception):
    pass


class Desk:
    """One `motcua desk` process and one keep-alive HTTP connection to it."""

    def __init__(self, bench, unit):
        self.bench, self.unit = bench, unit
        self.conf = bench.unit_conf(unit, "desk")
        self.log = open(os.path.join(bench.tmp, "desk-%s.log" % unit), "wb")
        self.proc = subprocess.Popen(
            [os.path.join(bench.args.bin, "motcua"), "-c", self.conf, "desk", "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("desk: http://"):
            raise SystemExit("desk of %s did not start: %r (see %s)" % (unit, line, self.log.name))
        self.origin = line.split()[1].rstrip("/")
        hostport = self.origin[len("http://"):]
        self.host, self.port = hostport.rsplit(":", 1)
        self.conn = None
        self.cookie = self.csrf = None
        self.requests = 0

    def call(self, method, path, body=None, raw=False):
        hdr = {"Host": "%s:%s" % (self.host, self.port), "Origin": self.origin}
        if self.cookie:
            hdr["Cookie"] = self.cookie
        if self.csrf:
            hdr["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdr["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=hdr)
                r = self.conn.getresponse()
                out = r.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        self.requests += 1
        if r.status >= 400:
            raise DeskError("%s %s -> %d %s" % (method, path, r.status, out[:300]))
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("motcua_desk="):
                self.cookie = v.split(";", 1)[0]
        return out if raw else json.loads(out)

    def login(self):
        deadline = time.time() + 60
        while not self.call("GET", "/api/state")["link"]["online"]:
            if time.time() > deadline:
                raise SystemExit("desk of %s: no link to the server" % self.unit)
            time.sleep(0.1)
        pw = open(os.path.join(self.bench.dir, "officers", "tester.%s.pw" % self.unit)).read().strip()
        r = self.call("POST", "/api/login", {"login": "tester.%s" % self.unit, "password": pw})
        self.csrf = r["csrf"]

    def rss(self):
        return rss_kib(self.proc.pid)

    def close(self):
        if self.conn is not None:
            self.conn.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="motcua-desk-bench-")
        self.own_dir = args.dir is None
        self.dir = os.path.abspath(args.dir or os.path.join(self.tmp, "dep"))
        self.db = "motcua_desk_bench"
        self.server = None
        self.desks = []
        self.created = False

    # ---- deployment --------------------------------------------------------

    def deploy(self):
        if not self.own_dir:
            self.env = env_of(self.dir)
            return
        env = dict(os.environ, MOTCUA_ARGON2_MEMORY_KIB="4096", MOTCUA_ARGON2_ITERATIONS="1")
        cmd = [os.path.join(REPO, "deploy", "local.sh"), "up", self.dir, "--port", str(free_port()),
               "--http-port", str(free_port()), "--pg-port", str(free_port()), "--no-desks"]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if p.returncode != 0:
            raise SystemExit("local.sh up failed:\n%s%s" % (p.stdout[-2000:], p.stderr[-2000:]))
        self.env = env_of(self.dir)

    def psql(self, sql, db=None):
        cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h",
               self.env["MOTCUA_PG_SOCK"], "-p", self.env["MOTCUA_PG_PORT"], "-U", "motcua",
               "-d", db or self.db, "-c", sql]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit("psql failed: %s\n%s" % (sql[:300], p.stderr))
        return p.stdout

    def psql_script(self, script):
        cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h",
               self.env["MOTCUA_PG_SOCK"], "-p", self.env["MOTCUA_PG_PORT"], "-U", "motcua",
               "-d", self.db]
        p = subprocess.run(cmd, input=script, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit("psql failed:\n%s" % p.stderr)
        return p.stdout

    def create(self):
        self.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db, db="postgres")
        self.psql("CREATE DATABASE %s" % self.db, db="postgres")
        self.created = True
        self.conf = os.path.join(self.tmp, "server.conf")
        with open(os.path.join(self.dir, "server.conf")) as f:
            text = f.read().replace("dbname=motcua ", "dbname=%s " % self.db)
        with open(self.conf, "w") as f:
            f.write(text)
        os.chmod(self.conf, 0o600)
        srv = os.path.join(self.args.bin, "motcua-server")
        subprocess.run([srv, "-c", self.conf, "--migrate"], check=True, capture_output=True,
                       timeout=300)
        env = dict(os.environ, MOTCUA_ARGON2_MEMORY_KIB="4096", MOTCUA_ARGON2_ITERATIONS="1")
        p = subprocess.run([srv, "-c", self.conf, "--officers-import",
                            os.path.join(self.dir, "officers", "officers.tsv")],
                           capture_output=True, text=True, timeout=900, env=env)
        if p.returncode != 0:
            raise SystemExit("--officers-import failed: %s" % p.stderr[-1000:])

    def fill(self):
        n = self.args.dossiers
        key = pii_key_hex(self.conf)
        if key:
            self.psql("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        mac = pii_mac_sql(key)
        fam = family_pool()
        # r: one row's random draws; a: its derived attributes; then codes
        # and register numbers by window functions over (unit, day/year).
        script = """
\\timing on
BEGIN;
ALTER TABLE dossiers DISABLE TRIGGER dossiers_register;
WITH u AS (
  SELECT array_agg(code ORDER BY code) AS codes, array_agg(agency_id ORDER BY code) AS ags
    FROM units WHERE valid_to IS NULL),
p AS (
  SELECT (SELECT array_agg(code ORDER BY code) FROM procedures WHERE level = 1) AS p1,
         (SELECT array_agg(code ORDER BY code) FROM procedures WHERE level = 2) AS p2),
r AS (
  SELECT g, 1 + (g %% cardinality(u.codes)) AS ui, random() AS r_lvl, random() AS r_st,
         random() AS r_fin, 1 + floor(random() * 1095)::int AS age,
         random() AS r_tod, u.codes, u.ags, p.p1, p.p2
    FROM generate_series(1, %(n)d) g, u, p),
a AS (
  SELECT g, codes[ui] AS unit, ags[ui] AS agency, age,
         (current_date - age) + time '00:30' + make_interval(secs => r_tod * 34200) AS at,
         (codes[ui] = '%(d)s' OR r_lvl < 0.4) AS lvl2,
         (codes[ui] <> '%(d)s' AND r_lvl < 0.4) AS fwd,
         CASE WHEN age > 30 THEN
           CASE WHEN r_st < 0.80 THEN 10 WHEN r_st < 0.84 THEN 9 WHEN r_st < 0.90 THEN 3
                WHEN r_st < 0.95 THEN 7 WHEN r_st < 0.98 THEN 8 ELSE 4 END
         ELSE
           CASE WHEN r_st < 0.20 THEN 2 WHEN r_st < 0.55 THEN 4 WHEN r_st < 0.60 THEN 5
                WHEN r_st < 0.65 THEN 6 WHEN r_st < 0.80 THEN 9 ELSE 10 END
         END AS st,
         r_fin, p1, p2,
         %(fam)s[1 + floor(random() * %(nfam)d)::int] || ' ' ||
         %(mid)s[1 + floor(random() * %(nmid)d)::int] || ' ' ||
         %(giv)s[1 + floor(random() * %(ngiv)d)::int] AS name,
         '042' || lpad(floor(random() * 1e9)::bigint::text, 9, '0') AS cid,
         '09' || lpad(floor(random() * 1e8)::bigint::text, 8, '0') AS phone,
         CASE WHEN random() < 0.85 THEN 1 WHEN random() < 0.7 THEN 2 ELSE 3 END AS channel
    FROM r),
b AS (
  SELECT a.*, CASE WHEN lvl2 THEN p2[1 + floor(r_fin * cardinality(p2))::int]
                   ELSE p1[1 + floor(r_fin * cardinality(p1))::int] END AS proc,
         agency || '-' || to_char(at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-' ||
           lpad(row_number() OVER (PARTITION BY unit, (at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                                   ORDER BY at, g)::text, 4, '0') AS code,
         row_number() OVER (PARTITION BY unit,
                            extract(year FROM at AT TIME ZONE 'Asia/Ho_Chi_Minh')
                            ORDER BY at, g) AS regno,
         at + make_interval(days => 1 + floor(r_fin * 9)::int) AS fin
    FROM a)
INSERT INTO dossiers (code, status, unit_code, procedure_code, applicant_name, applicant_id,
  applicant_phone, channel, received_at, due_at, holder_unit, forwarded_to, forwarded_at,
  officer, paused_at, finished_at, returned_at, rating, register_year, register_no,
  applicant_id_mac, applicant_phone_mac)
SELECT code, st, unit, proc, name, cid, phone, channel, at,
       at + CASE WHEN lvl2 THEN interval '15 days' ELSE interval '5 days' END,
       CASE WHEN fwd AND st NOT IN (9, 10) THEN '%(d)s' ELSE unit END,
       CASE WHEN fwd THEN '%(d)s' END, CASE WHEN fwd THEN at + interval '2 hours' END,
       'receiving.' || unit,
       CASE WHEN st IN (5, 6) THEN at + interval '1 day' END,
       CASE WHEN st IN (3, 7, 8, 9, 10) THEN fin END,
       CASE WHEN st = 10 THEN fin + interval '1 day' END,
       CASE WHEN st = 10 AND g %% 10 < 7 THEN 3 - (g %% 7 = 0)::int - (g %% 13 = 0)::int END,
       mc_register_year(code, at), regno, %(mac_id)s, %(mac_ph)s
  FROM b;
ALTER TABLE dossiers ENABLE TRIGGER dossiers_register;
COMMIT;
ANALYZE;
""" % {"n": n, "d": DISTRICT, "fam": sql_array(fam), "nfam": len(fam),
            "mid": sql_array(MIDDLE), "nmid": len(MIDDLE), "giv": sql_array(GIVEN),
            "ngiv": len(GIVEN), "mac_id": mac % "cid", "mac_ph": mac % "phone"}
        # the secondary indexes (trigram GINs among them) are dropped for the
        # one INSERT and built again after it: far faster than maintained
        # row by row; the unique ones (id, code) stay and check every row
        defs = self.psql("SELECT indexname || '|' || indexdef FROM pg_indexes WHERE "
                         "tablename = 'dossiers' AND indexname NOT IN (SELECT conname FROM "
                         "pg_constraint WHERE conrelid = 'dossiers'::regclass)").splitlines()
        drops = "".join("DROP INDEX %s;\n" % d.split("|", 1)[0] for d in defs)
        builds = "".join("%s;\n" % d.split("|", 1)[1] for d in defs)
        script = script.replace("BEGIN;\n", "BEGIN;\nSET maintenance_work_mem = '256MB';\n" + drops, 1)
        script = script.replace("COMMIT;\n", builds + "COMMIT;\n", 1)
        self.n_indexes = len(defs)
        t0 = time.time()
        out = self.psql_script(script)
        self.t_fill = time.time() - t0
        times = [float(x.split()[1]) for x in out.splitlines() if x.startswith("Time: ")]
        k = 3 + len(defs)  # SET, ALTER, the drops, then the INSERT
        self.t_insert = times[k] / 1000 if len(times) > k else float("nan")
        self.t_index = sum(times[k + 1:k + 1 + len(defs)]) / 1000
        self.t_analyze = times[-1] / 1000 if times else float("nan")
        self.n_all = int(self.psql("SELECT count(*) FROM dossiers"))
        self.db_size = self.psql("SELECT pg_size_pretty(pg_database_size(current_database()))").strip()

    # ---- the server --------------------------------------------------------

    def start_server(self):
        self.port = free_port()
        args = [os.path.join(self.args.bin, "motcua-server"), "-c", self.conf,
                "--listen_port=%d" % self.port,
                # one desk is one link: a day run back to back is far above
                # a clerk's pace and the per-link default of 50/s
                "--rate_limit_rps=1000000", "--rate_burst=1000000"]
        with open(self.conf) as f:
            for line in f:
                k = line.split("=", 1)[0].strip()
                if "=" in line and k.endswith("_port") and k != "listen_port":
                    args.append("--%s=%d" % (k, free_port()))
        self.log = open(os.path.join(self.tmp, "server.log"), "wb")
        t0 = time.time()
        self.server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 600
        while b"motcua-server ready" not in open(self.log.name, "rb").read():
            if self.server.poll() is not None or time.time() > deadline:
                raise SystemExit("server did not start: see %s" % self.log.name)
            time.sleep(0.1)
        self.t_server = time.time() - t0

    def unit_conf(self, unit, kind):
        """A copy of DIR's unit config: this server's port, own session and
        outbox files (kind: cli or desk)."""
        out = os.path.join(self.tmp, "%s-%s.conf" % (kind, unit))
        lines = []
        with open(os.path.join(self.dir, "units", "%s.conf" % unit)) as f:
            for l in f:
                k = l.split("=", 1)[0].strip()
                if "=" in l and k == "port":
                    l = "port = %d\n" % self.port
                elif "=" in l and k == "session":
                    l = "session = %s\n" % os.path.join(self.tmp, "session-%s-%s.token" % (kind, unit))
                elif "=" in l and k == "outbox":
                    continue
                lines.append(l)
                if l.strip() == "[client]":
                    lines.append("outbox = %s\n" % os.path.join(self.tmp, "outbox-%s-%s.db" % (kind, unit)))
        with open(out, "w") as f:
            f.writelines(lines)
        os.chmod(out, 0o600)
        return out

    def cli_login(self, unit):
        conf = self.unit_conf(unit, "cli")
        pwf = os.path.join(self.dir, "officers", "tester.%s.pw" % unit)
        subprocess.run([os.path.join(self.args.bin, "motcua"), "-c", conf, "login",
                        "tester.%s" % unit, "--password-file", pwf],
                       check=True, capture_output=True, timeout=120)
        return conf

    # ---- measurements ------------------------------------------------------

    def sample_codes(self, unit, k=500):
        return self.psql("SELECT code FROM dossiers WHERE unit_code = '%s' OR forwarded_to = '%s' "
                         "ORDER BY random() LIMIT %d" % (unit, unit, k)).split()

    def desk_lat(self, desk, paths):
        """paths: a function i -> path. 10 warm-up calls, then --calls."""
        for i in range(10):
            desk.call("GET", paths(i))
        lat = []
        for i in range(self.args.calls):
            t0 = time.perf_counter()
            desk.call("GET", paths(i))
            lat.append((time.perf_counter() - t0) * 1000)
        return lat

    def cli_lat(self, conf, argv_of):
        exe = os.path.join(self.args.bin, "motcua")
        lat = []
        for i in range(self.args.cli_calls + 2):
            t0 = time.perf_counter()
            p = subprocess.run([exe, "-c", conf, "--json"] + argv_of(i), capture_output=True,
                               timeout=120)
            ms = (time.perf_counter() - t0) * 1000
            if p.returncode != 0:
                raise SystemExit("CLI %s failed: %s" % (argv_of(i), p.stderr[-500:]))
            if i >= 2:
                lat.append(ms)
        return lat

    def latency(self, unit):
        desk = Desk(self, unit)
        self.desks.append(desk)
        desk.login()
        rss0 = desk.rss()
        conf = self.cli_login(unit)
        codes = self.sample_codes(unit)
        name = "Nguyễn"
        q = "/api/dossiers?limit=50&q=" + "Nguy%E1%BB%85n"
        rows = []
        cases = [
            ("list, 50 newest", lambda i: "/api/dossiers?limit=50", lambda i: ["list", "--limit", "50"]),
            ("list, status 4", lambda i: "/api/dossiers?limit=50&status=4",
             lambda i: ["list", "--limit", "50", "--status", "4"]),
            ("search \"%s\"" % name, lambda i: q, lambda i: ["search", name]),
            ("one dossier", lambda i: "/api/dossiers/" + codes[i % len(codes)],
             lambda i: ["show", codes[(i * 7) % len(codes)]]),
        ]
        for label, dpath, cargv in cases:
            d = self.desk_lat(desk, dpath)
            c = self.cli_lat(conf, cargv)
            rows.append((label, d, c))
        r = desk.call("GET", "/api/dossiers?limit=1")
        total = ("≥%d" if r.get("total_capped") else "%d") % r["total"]
        return desk, rows, rss0, total, codes

    def day(self, desk, codes):
        """A simulated working day of the commune desk."""
        f = self.args.day
        procs = desk.call("GET", "/api/procedures?q=")["procedures"]
        proc = next((p for p in procs if p.get("level") == 1), procs[0])
        comps = [{"ordinal": c["ordinal"], "form": "original", "count": 1}
                 for c in proc.get("components", [])]
        received = []
        rss = [desk.rss()]
        n0 = desk.requests
        t0 = time.time()
        ops = (["receive"] * int(300 * f) + ["list"] * int(2000 * f) + ["show"] * int(2000 * f)
               + ["slip"] * int(200 * f) + ["events"] * int(100 * f))
        random.Random(16).shuffle(ops)
        # the ops in a fixed shuffled order; a slip before any receive
        # receives first (a slip is always of a dossier of the day)
        rnd = random.Random(7)
        events_last = 0
        for i, op in enumerate(ops):
            if op == "receive" or (op == "slip" and not received):
                body = {"procedure": proc["code"],
                        "applicant": {"name": "%s Văn %s" % (rnd.choice(FAMILY), rnd.choice(GIVEN)),
                                      "id_number": "042%09d" % rnd.randrange(10 ** 9),
                                      "phone": "09%08d" % rnd.randrange(10 ** 8),
                                      "address": "Thị trấn Hương Khê", "email": ""},
                        "sets": 1, "components": comps, "note": "",
                        "idempotency_key": str(uuid.uuid4())}
                r = desk.call("POST", "/api/receive", body)
                received.append(r["dossier"]["code"])
                if op == "receive":
                    continue
            if op == "list":
                page = rnd.randrange(5)
                st = rnd.choice(["", "&status=2", "&status=4", "&status=9"])
                desk.call("GET", "/api/dossiers?limit=20&offset=%d%s" % (page * 20, st))
            elif op == "show":
                pool = received if received and rnd.random() < 0.3 else codes
                desk.call("GET", "/api/dossiers/" + rnd.choice(pool))
            elif op == "slip":
                pdf = desk.call("GET", "/api/dossiers/%s/slips/1.pdf" % rnd.choice(received),
                                raw=True)
                if not pdf.startswith(b"%PDF"):
                    raise SystemExit("slip 01 is not a PDF")
            elif op == "events":
                events_last = desk.call("GET", "/api/events?after=0").get("last", events_last)
            if i % 500 == 0:
                rss.append(desk.rss())
        rss.append(desk.rss())
        return {"ops": len(ops), "requests": desk.requests - n0, "seconds": time.time() - t0,
                "rss": rss, "received": len(received)}

    def close(self):
        for d in self.desks:
            d.close()
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=60)
        if self.created and not self.args.keep:
            self.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db, db="postgres")
        if self.own_dir:
            subprocess.run([os.path.join(REPO, "deploy", "local.sh"), "down", self.dir],
                           capture_output=True, timeout=300)
        shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"))
    ap.add_argument("--dossiers", type=int, default=1000000)
    ap.add_argument("--quick", action="store_true", help="100,000 dossiers")
    ap.add_argument("--unit", default="18496")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--cli-calls", type=int, default=30)
    ap.add_argument("--day", type=float, default=1.0)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.dossiers = 100000
    args.bin = os.path.abspath(args.bin)
    b = Bench(args)
    out = []
    try:
        b.deploy()
        b.create()
        b.fill()
        b.start_server()
        res = {}
        for unit in (args.unit, DISTRICT):
            res[unit] = b.latency(unit)
        desk, _, rss0, _, codes = res[args.unit]
        rss1 = desk.rss()
        day = b.day(desk, codes)
    finally:
        b.close()
    out.append("## Desk benchmark (bench/desk_bench.py)\n")
    out.append("- `%s`" % " ".join(["bench/desk_bench.py"] + sys.argv[1:]))
    out.append("- data: %d dossiers over 3 years, 22 units, one INSERT ... SELECT generate_series: "
               "%.1f s (INSERT %.1f s with %d secondary indexes dropped, rebuilding them %.1f s, "
               "ANALYZE %.1f s); database %s; server start %.1f s"
               % (b.n_all, b.t_fill, b.t_insert, b.n_indexes, b.t_index, b.t_analyze, b.db_size,
                  b.t_server))
    out.append("- desk: %d GET calls each (after 10 warm-up, one keep-alive connection); "
               "CLI: %d processes each (`motcua --json ...`, a TLS handshake each); ms\n"
               % (args.calls, args.cli_calls))
    out.append("| unit (its list's total) | call | desk p50 | desk p99 | CLI p50 | CLI p99 | p50 desk/CLI | p99 desk/CLI |")
    out.append("|---|---|---|---|---|---|---|---|")
    for unit in (args.unit, DISTRICT):
        _, rows, _, total, _ = res[unit]
        for label, d, c in rows:
            out.append("| %s (%s) | %s | %.2f | %.2f | %.1f | %.1f | %.3f | %.3f |"
                       % (unit, total, label, pct(d, .5), pct(d, .99), pct(c, .5), pct(c, .99),
                          pct(d, .5) / pct(c, .5), pct(d, .99) / pct(c, .99)))
    r = day["rss"]
    out.append("")
    out.append("- memory, desk of %s (VmRSS): %d KiB logged in; %d KiB after the latency runs; "
               "%d KiB after a simulated day (%d receives, %d requests in %.0f s: lists, dossier "
               "views, slip-01 PDFs, event polls); max during the day %d KiB"
               % (args.unit, rss0, rss1, r[-1], day["received"], day["requests"], day["seconds"],
                  max(r)))
    out.append("- growth over the day: %+.1f KiB per 1,000 requests (%+d KiB / %d requests)"
               % ((r[-1] - r[0]) * 1000.0 / day["requests"], r[-1] - r[0], day["requests"]))
    # a leak grows in both halves; caches filling grow in the first only
    half = len(r) // 2
    out.append("- growth by half of the day: first %+d KiB, second %+d KiB; VmRSS every 500 "
               "operations: %s" % (r[half] - r[0], r[-1] - r[half], " ".join(str(x) for x in r)))
    print("\n".join(out))


if __name__ == "__main__":
    main()
