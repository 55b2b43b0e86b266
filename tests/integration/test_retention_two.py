"""Retention with two instances on one database (issue 19; docs/DATABASE.md
"Retention and rollups", server/monitor/retention.c): one sweeps per period.

A throwaway deployment (reliability_util.Deployment, free ports), a sweep
every RET_S seconds on both instances, ~20,000 link events over the last 40
days so the first sweep has days to roll up and rows to delete. The first
server is local.sh's (instance name host:port by default), the second runs
from the same server.conf on ports of its own as instance "ret-b". A test-
only trigger records every successful retention_claim (an insert or update
of retention_claims; a refused claim changes no row). No assertion on time
measured by the test; the waits are bounded only so a failure ends:
- claims: two consecutive claims by different instances are at least 0.9
  periods apart by the database's clock (the rule of retention_claim), and
  each instance swept (motcua_retention_sweeps_total{result="ok"}) at most
  as often as it claimed; the other was refused at least once;
- the work was done once: the rollup days and deleted rows both instances
  count add up to the days in link_uptime_daily and the rows gone;
- the advisory lock: while the test holds it in a session of its own, both
  instances go on ticking (their skipped counts rise) but nothing is
  claimed and link_rollup answers -1; once released, claims resume."""
import os
import re
import signal
import subprocess
import time
import unittest
import urllib.request

from itest import BIN_DIR, LOCAL_SH, SRC
from itest_env import SANITIZER_MARKS, free_ports
from reliability_util import Deployment

RET_S = 2          # retention_interval_s of both instances
LOCK = 1835204643  # the sweep's advisory lock (migration 023)
WAIT_S = 180       # upper bound of every wait (a failure, not a measure)


def metric(text, name, label=None):
    pat = r"(?m)^%s%s (\d+)$" % (re.escape(name), re.escape("{%s}" % label) if label else "")
    m = re.search(pat, text)
    if m is None:
        raise AssertionError("%s{%s} not in /metrics" % (name, label))
    return int(m.group(1))


class TestRetentionTwo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dep = Deployment("motcua-ret2-")
        cls.dir = cls.dep.dir
        cls.b = None
        cls.addClassCleanup(cls.down)
        p, h, g = free_ports(3)
        cls.http_a = h
        cls.dep.local("up", cls.dir, "--port", str(p), "--http-port", str(h), "--pg-port", str(g),
                      "--no-server", "--no-desks")
        cls.conf = os.path.join(cls.dir, "server.conf")
        with open(cls.conf, "a") as f:
            f.write("\n[retention]\nlink_events_days = 35\nretention_interval_s = %d\n"
                    "retention_batch = 5000\n" % RET_S)
        subprocess.run([os.path.join(BIN_DIR, "motcua-server"), "-c", cls.conf, "--migrate"],
                       check=True, timeout=120, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        cls.dep.psql("-q", "-v", "n=10000", "-v", "days=40", "-f",
                 os.path.join(SRC, "bench", "retention_fill.sql"))
        cls.dep.psql("-q", "-c", """
CREATE TABLE claim_log (n bigserial PRIMARY KEY, instance text NOT NULL,
                        claimed_at timestamptz NOT NULL);
CREATE FUNCTION claim_log_add() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  INSERT INTO claim_log (instance, claimed_at) VALUES (NEW.instance, NEW.claimed_at);
  RETURN NULL;
END $$;
CREATE TRIGGER retention_claims_log AFTER INSERT OR UPDATE ON retention_claims
  FOR EACH ROW EXECUTE FUNCTION claim_log_add();""")
        cls.events0 = cls.dep.one("SELECT count(*) FROM link_events")
        cls.dep.local("up", cls.dir, "--no-desks")
        cls.start_b()

    @classmethod
    def start_b(cls):
        cls.http_b, port = free_ports(2)
        args = [os.path.join(BIN_DIR, "motcua-server"), "-c", cls.conf,
                "--listen_port=%d" % port, "--http_port=%d" % cls.http_b,
                "--instance_name=ret-b"]
        with open(cls.conf) as f:
            for line in f:
                k = line.split("=", 1)[0].strip()
                if "=" in line and k.endswith("_port") and k not in ("listen_port", "http_port"):
                    args.append("--%s=%d" % (k, free_ports(1)[0]))
        cls.log_b = os.path.join(cls.dir, "server-b.log")
        cls.b = subprocess.Popen(args, stdout=open(cls.log_b, "ab"), stderr=subprocess.STDOUT)
        deadline = time.time() + WAIT_S
        while "motcua-server ready" not in cls.read(cls.log_b):
            if cls.b.poll() is not None or time.time() > deadline:
                raise AssertionError("second server: %s" % cls.read(cls.log_b)[-3000:])
            time.sleep(0.2)

    @classmethod
    def down(cls):
        texts = []
        if cls.b is not None and cls.b.poll() is None:
            cls.b.send_signal(signal.SIGTERM)
            try:
                cls.b.wait(60)
            except subprocess.TimeoutExpired:
                cls.b.kill()
                cls.b.wait()
        for name in ("server.log", "server-b.log"):
            texts.append(cls.read(os.path.join(cls.dir, name)))
        cls.dep.down()
        for text in texts:
            hits = [m for m in SANITIZER_MARKS if m in text]
            if hits:
                i = min(text.find(m) for m in hits)
                raise AssertionError("sanitizer report:\n" + text[max(0, i - 500):i + 4000])

    # ---- helpers -----------------------------------------------------------

    @staticmethod
    def read(path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def metrics(self, http):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % http, timeout=10) as r:
            return r.read().decode()

    def both(self, name, label=None):
        return [metric(self.metrics(h), name, label) for h in (self.http_a, self.http_b)]

    def wait(self, what, cond):
        deadline = time.time() + WAIT_S
        while not cond():
            if time.time() > deadline:
                self.fail("not within %d s: %s" % (WAIT_S, what))
            time.sleep(0.5)

    def swept_once(self):
        """Every closed day rolled up, nothing older than retention left
        but open connects."""
        return self.dep.one(
            "SELECT (SELECT count(*) FROM link_events e WHERE at < now() - interval '35 days' "
            " - interval '1 minute' AND NOT EXISTS (SELECT 1 FROM link_open o "
            " WHERE o.boot_ms = e.boot_ms AND o.conn_id = e.conn_id))"
            " + (SELECT CASE WHEN max(day) >= mc_local_day(now() - interval '10 minutes', 420) - 1"
            "   THEN 0 ELSE 1 END FROM link_uptime_daily)") == 0

    # ---- the test ------------------------------------------------------------

    def test_one_sweeper(self):
        self.wait("the first sweep", self.swept_once)
        self.wait("six claims and a refusal",
                  lambda: self.dep.one("SELECT count(*) FROM claim_log") >= 6 and
                  sum(self.both("motcua_retention_sweeps_total", 'result="skipped"')) >= 1)

        # claims: another instance only once the last claim is 0.9 periods old
        rows = [l.split("|") for l in self.dep.psql(
            "-c", "SELECT instance, extract(epoch FROM claimed_at - lag(claimed_at) OVER "
                  "(ORDER BY n)), lag(instance) OVER (ORDER BY n) FROM claim_log "
                  "ORDER BY n").splitlines()]
        for inst, gap, prev in rows[1:]:
            if inst != prev:
                self.assertGreaterEqual(float(gap), 0.9 * RET_S, rows)
        # each instance swept at most as often as it claimed
        ok = self.both("motcua_retention_sweeps_total", 'result="ok"')
        claims_b = self.dep.one("SELECT count(*) FROM claim_log WHERE instance = 'ret-b'")
        claims_a = self.dep.one("SELECT count(*) FROM claim_log WHERE instance <> 'ret-b'")
        self.assertLessEqual(ok[0], claims_a, rows)
        self.assertLessEqual(ok[1], claims_b, rows)
        self.assertGreaterEqual(sum(ok), 1)

        # the work was done once: the counts of both add up to what was done
        days = self.dep.one("SELECT count(DISTINCT day) FROM link_uptime_daily")
        self.assertGreaterEqual(days, 39)
        self.assertEqual(sum(self.both("motcua_retention_rollup_days_total")), days)
        gone = self.events0 - self.dep.one("SELECT count(*) FROM link_events WHERE "
                                       "client_version = 'fill'")
        self.assertGreater(gone, 0)
        self.assertEqual(sum(self.both("motcua_retention_rows_total", 'table="link_events"')),
                         gone)

        # the advisory lock: held by the test, nobody claims nor rolls up
        holder = subprocess.Popen(["bash", LOCAL_SH, "psql", self.dir, "-X", "-At", "-q"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  env=self.dep.env)
        self.addCleanup(lambda: holder.poll() is None and holder.kill())
        holder.stdin.write("SELECT pg_advisory_lock(%d); SELECT 'locked';\n" % LOCK)
        holder.stdin.flush()
        self.assertEqual(holder.stdout.readline().strip(), "")  # pg_advisory_lock's void
        self.assertEqual(holder.stdout.readline().strip(), "locked")
        claims0 = self.dep.one("SELECT count(*) FROM claim_log")
        skipped0 = self.both("motcua_retention_sweeps_total", 'result="skipped"')
        self.wait("both instances refused twice while the lock is held",
                  lambda: all(s >= s0 + 2 for s, s0 in zip(
                      self.both("motcua_retention_sweeps_total", 'result="skipped"'), skipped0)))
        self.assertEqual(self.dep.one("SELECT count(*) FROM claim_log"), claims0)
        self.assertEqual(self.dep.one("SELECT link_rollup(420, 31)"), -1)
        self.assertEqual(self.dep.one("SELECT link_events_prune(35, 420, 10)"), -1)
        holder.stdin.write("SELECT pg_advisory_unlock(%d);\n" % LOCK)
        holder.stdin.close()
        self.assertEqual(holder.wait(30), 0)
        self.wait("a claim after the lock was released",
                  lambda: self.dep.one("SELECT count(*) FROM claim_log") > claims0)
        self.assertEqual(self.both("motcua_retention_sweeps_total", 'result="error"'), [0, 0])


if __name__ == "__main__":
    unittest.main()
