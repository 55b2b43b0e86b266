#!/usr/bin/env python3
"""Reports on years of data (issue 17), against a local deployment
(deploy/local.sh up DIR, or the test fixture build/itest-env):

  bench/report_bench.py DIR [--bin build/bin] [--dossiers 20000] [--years 9] [--seconds 20]

1. Data: a database of its own in DIR's PostgreSQL cluster, migrated by
   `motcua-server --migrate`; --dossiers dossiers of one year (2027) written
   through the server's SQL functions (bench/report_gen.sql: mc_receive and
   mc_action, ~5 calls a dossier, hash-chained progress log), two workers
   on disjoint units; then every finished one copied into each of --years earlier years
   (set-based INSERTs, the chain trigger still runs per row).
2. Speed: the year's report for all 21 communes and the centre, by
   procedure, as SQL (`mc_report`) and end to end (`motcua report` with the
   admin certificate), against `SELECT count(*)` of the same year's
   dossiers on the same database: medians of 5 runs and the ratios.
3. Fairness: a commune's `list` (one raw TLS client, one request at a time)
   without a report running, then while reports run back to back on the
   admin link: p50/p99 and the p99 ratio.

Prints a Markdown summary; nothing is written to the repository. The
database is dropped at the end (--keep keeps it)."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
YEAR = 2027


def env_of(d):
    out = {}
    with open(os.path.join(d, "local.env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v
    return out


class Bench:
    def __init__(self, args):
        self.args = args
        self.env = env_of(args.dir)
        self.db = "motcua_report_bench"
        self.tmp = tempfile.mkdtemp(prefix="motcua-report-bench-")
        self.server = None

    def psql(self, sql, db=None, timing=False):
        cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h",
               self.env["MOTCUA_PG_SOCK"], "-p", self.env["MOTCUA_PG_PORT"], "-U", "motcua",
               "-d", db or self.db]
        if timing:
            cmd += ["-c", "\\timing on"]
        p = subprocess.run(cmd + ["-c", sql], capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit("psql failed: %s\n%s" % (sql[:200], p.stderr))
        return p.stdout

    def timed_sql(self, sql):
        """Server-side milliseconds (psql \\timing) of one statement."""
        out = self.psql(sql, timing=True)
        line = [x for x in out.splitlines() if x.startswith("Time: ")][-1]
        return float(line.split()[1])

    # ---- data ------------------------------------------------------------

    def create(self):
        self.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db, db="postgres")
        self.psql("CREATE DATABASE %s" % self.db, db="postgres")
        self.conf = os.path.join(self.tmp, "server.conf")
        with open(os.path.join(self.args.dir, "server.conf")) as f:
            text = f.read().replace("dbname=motcua ", "dbname=%s " % self.db)
        with open(self.conf, "w") as f:
            f.write(text)
        os.chmod(self.conf, 0o600)
        subprocess.run([os.path.join(self.args.bin, "motcua-server"), "-c", self.conf,
                        "--migrate"], check=True, capture_output=True, timeout=300)
        with open(os.path.join(HERE, "report_gen.sql")) as f:
            self.psql(f.read())

    def generate(self):
        n, t0 = self.args.dossiers, time.time()
        errors = []

        def worker(w):
            try:
                self.psql("SELECT bench_gen(1, %d, %d, %d, 2)" % (n, YEAR, w))
            except BaseException as e:  # SystemExit from psql(): report it
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(w,)) for w in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise SystemExit("generator failed: %s" % errors[0])
        self.t_gen = time.time() - t0
        t0 = time.time()
        for back in range(1, self.args.years + 1):
            self.psql("SELECT bench_copy(%d, %d)" % (YEAR, back))
        self.t_copy = time.time() - t0
        self.psql("ANALYZE")
        self.n_all = int(self.psql("SELECT count(*) FROM dossiers"))
        self.n_log = int(self.psql("SELECT count(*) FROM progress_log"))
        self.n_year = int(self.psql(
            "SELECT count(*) FROM dossiers WHERE received_at >= '%d-01-01' AND "
            "received_at < '%d-01-01'" % (YEAR, YEAR + 1)))

    # ---- the server -------------------------------------------------------

    def start_server(self):
        import itest
        from test_faketime import free_port
        self.port = free_port()
        args = [os.path.join(self.args.bin, "motcua-server"), "-c", self.conf,
                "--listen_port=%d" % self.port]
        with open(self.conf) as f:
            for line in f:
                k = line.split("=", 1)[0].strip()
                if "=" in line and k.endswith("_port") and k != "listen_port":
                    args.append("--%s=%d" % (k, free_port()))
        self.log = open(os.path.join(self.tmp, "server.log"), "wb")
        self.server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 60
        while b"motcua-server ready" not in open(self.log.name, "rb").read():
            if self.server.poll() is not None or time.time() > deadline:
                raise SystemExit("server did not start: see %s" % self.log.name)
            time.sleep(0.1)
        itest.server_port = lambda: self.port  # Raw connects here

    def unit_conf(self, unit):
        out = os.path.join(self.tmp, "%s.conf" % unit)
        with open(os.path.join(self.args.dir, "units", "%s.conf" % unit)) as f:
            lines = ["port = %d\n" % self.port if l.split("=", 1)[0].strip() == "port" else l
                     for l in f]
        with open(out, "w") as f:
            f.writelines(lines)
        return out

    def cli_report(self):
        conf = self.unit_conf("admin")
        t0 = time.perf_counter()
        p = subprocess.run([os.path.join(self.args.bin, "motcua"), "-c", conf, "--json",
                            "report", "--from", "%d-01-01" % YEAR, "--to", "%d-12-31" % YEAR,
                            "--by", "procedure"], capture_output=True, text=True, timeout=600)
        ms = (time.perf_counter() - t0) * 1000
        if p.returncode != 0:
            raise SystemExit("report failed: %s %s" % (p.stdout[-500:], p.stderr[-500:]))
        return ms, p.stdout

    # ---- measurements -----------------------------------------------------

    def speed(self):
        units = "ARRAY(SELECT code FROM units)"
        rep = ("SELECT count(*) FROM mc_report('%d-01-01 00:00+07', '%d-01-01 00:00+07', now(), "
               "420, %s, 'procedure')" % (YEAR, YEAR + 1, units))
        cnt = ("SELECT count(*) FROM dossiers WHERE received_at >= '%d-01-01 00:00+07' AND "
               "received_at < '%d-01-01 00:00+07'" % (YEAR, YEAR + 1))
        self.timed_sql(cnt)  # warm the cache for both
        self.timed_sql(rep)
        self.t_count = statistics.median(self.timed_sql(cnt) for _ in range(5))
        self.t_sql = statistics.median(self.timed_sql(rep) for _ in range(5))
        runs = [self.cli_report() for _ in range(3)]
        self.t_cli = statistics.median(r[0] for r in runs)
        self.rows = runs[0][1].count('"key"') - 1

    def list_latencies(self, unit, seconds, stop=None):
        import itest
        raw = itest.Raw(unit)
        raw.hello()
        lat, i, end = [], 0, time.time() + seconds
        while time.time() < end and not (stop is not None and stop.is_set()):
            i += 1
            t0 = time.perf_counter()
            rep = raw.call(100 + i, itest.B_LIST, itest.list_body(limit=50))
            lat.append((time.perf_counter() - t0) * 1000)
            if rep.error_code:
                raise SystemExit("list refused: %r" % rep)
            time.sleep(0.01)
        raw.close()
        return lat

    def fairness(self):
        s = self.args.seconds
        self.base = self.list_latencies("18496", s)
        stop = threading.Event()
        self.reports_during = 0

        def loop():
            while not stop.is_set():
                self.cli_report()
                self.reports_during += 1
        t = threading.Thread(target=loop, daemon=True)
        t.start()
        time.sleep(0.5)
        self.during = self.list_latencies("18496", s)
        stop.set()
        t.join(timeout=600)

    def close(self):
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=60)
        if not self.args.keep:
            self.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db, db="postgres")


def pct(lat, q):
    s = sorted(lat)
    return s[min(len(s) - 1, int(len(s) * q))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--dossiers", type=int, default=20000)
    ap.add_argument("--years", type=int, default=9)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    os.environ["MOTCUA_ITEST_ENV"] = os.path.abspath(args.dir)
    b = Bench(args)
    try:
        b.create()
        b.generate()
        b.start_server()
        b.speed()
        b.fairness()
    finally:
        b.close()
    print("## Report benchmark (bench/report_bench.py)\n")
    print("- data: %d dossiers of %d through mc_receive/mc_action (%.0f s, %.0f/s), "
          "%d years copied before it (%.0f s); %d dossiers, %d progress-log rows in all"
          % (args.dossiers, YEAR, b.t_gen, args.dossiers / b.t_gen, args.years, b.t_copy,
             b.n_all, b.n_log))
    print("- year %d: %d dossiers; report rows (procedures): %d" % (YEAR, b.n_year, b.rows))
    print("- `SELECT count(*)` of the year's dossiers: %.1f ms (median of 5)" % b.t_count)
    print("- `mc_report` all units by procedure, SQL: %.1f ms -> ratio %.1f x count(*)"
          % (b.t_sql, b.t_sql / b.t_count))
    print("- `motcua report` end to end (admin, --json): %.1f ms -> ratio %.1f x count(*)"
          % (b.t_cli, b.t_cli / b.t_count))
    print("- commune 18496 `list --limit 50`, without a report: n=%d p50=%.2f p99=%.2f ms"
          % (len(b.base), pct(b.base, 0.5), pct(b.base, 0.99)))
    print("- the same while %d reports ran back to back: n=%d p50=%.2f p99=%.2f ms"
          % (b.reports_during, len(b.during), pct(b.during, 0.5), pct(b.during, 0.99)))
    print("- p99 ratio (during / without): %.2f" % (pct(b.during, 0.99) / pct(b.base, 0.99)))


if __name__ == "__main__":
    main()
