"""Issue 17: the period report and the Decision 766 figures, end to end.

A data set is built through the real server running at fixed dates under
libfaketime (one server, its clock frozen and moved through a timestamp
file, FAKETIME_TIMESTAMP_FILE + FAKETIME_NO_CACHE), in a database of this
test's own (created in the fixture's PostgreSQL cluster and migrated with
`motcua-server --migrate`), so the centre's totals hold only this data set.
Every step goes through `itest.cli` (the one place an officer login will be
added when officer sessions are required for changes).

Each figure is then computed HERE from the raw events (what was done when,
and the dossier's due time after each step as the server answered it),
following docs/REPORTS.md, and compared with `motcua report --json` as each
unit sees it and with the spreadsheet read back with openpyxl (totals
recomputed from the cells the formulas name).

Units: communes 18508 (Hòa Hải) and 18514 (Phúc Đồng), the centre 444,
admin. Period: 1-10 March 2028 (no holiday seeded in 2028; winter hours).
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from itest import (ENV_DIR, PKI_SH, SERVER, TIMEOUT, cli, local_env, login, parse_time,
                   procedures)
from test_faketime import LIBFAKETIME, faketime_env, free_port, long_pki
from wfhelp import dossier

A, B, C = "18508", "18514", "444"
VN = datetime.timezone(datetime.timedelta(hours=7))
P0 = datetime.datetime(2028, 3, 1, tzinfo=VN)
P1 = datetime.datetime(2028, 3, 11, tzinfo=VN)  # exclusive: --to 2028-03-10
NAME = "Lê Thị Báo Cáo"
CID = "042190077777"
OFFICER = ["--officer", "Cán bộ báo cáo"]


def at(s):
    return datetime.datetime.strptime(s, "%Y-%m-%d %H:%M").replace(tzinfo=VN)


def psql(sql, db="postgres"):
    env = local_env()
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", env["MOTCUA_PG_SOCK"],
                        "-p", env["MOTCUA_PG_PORT"], "-U", "motcua", "-d", db, "-c", sql],
                       capture_output=True, timeout=TIMEOUT)
    if p.returncode != 0:
        raise AssertionError("psql %s: %s" % (sql, p.stderr.decode()))


class ReportServer:
    """motcua-server on its own database, its clock frozen at a time this
    test sets (libfaketime reads the timestamp file at every clock call)."""

    def __init__(self, tc, pki):
        self.tc, self.pki = tc, pki
        self.db = "motcua_report_%d" % os.getpid()
        psql("DROP DATABASE IF EXISTS %s" % self.db)
        psql("CREATE DATABASE %s" % self.db)
        tc.addCleanup(psql, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db)
        self.conf = os.path.join(pki, "server.conf")
        with open(os.path.join(ENV_DIR, "server.conf")) as f:
            text = f.read().replace("dbname=motcua ", "dbname=%s " % self.db)
        with open(self.conf, "w") as f:
            f.write(text)
        os.chmod(self.conf, 0o600)
        m = subprocess.run([SERVER, "-c", self.conf, "--migrate"], capture_output=True,
                           timeout=120)
        tc.assertEqual(m.returncode, 0, m.stderr.decode()[-2000:])
        # the fixture's officers (deploy/local.sh), in this database too
        m = subprocess.run([SERVER, "-c", self.conf, "--officers-import",
                            os.path.join(ENV_DIR, "officers", "officers.tsv")],
                           capture_output=True, timeout=300)
        tc.assertEqual(m.returncode, 0, m.stderr.decode()[-2000:])
        self.clock = os.path.join(pki, "clock")
        self.text_conf = text
        self.p = None
        self.port = free_port()
        tc.addCleanup(self.kill)
        self.start("2028-02-21 08:00")

    def start(self, when):
        """(Re)start the server with its clock at `when`."""
        tc, pki, text = self.tc, self.pki, self.text_conf
        self.kill()
        self.set(when)
        args = [SERVER, "-c", self.conf, "--listen_port=%d" % self.port,
                "--tls_ca=" + os.path.join(pki, "ca.crt"),
                "--tls_cert=" + os.path.join(pki, "server.crt"),
                "--tls_key=" + os.path.join(pki, "server.key"), "--tls_crl="]
        self.ports = {}
        for line in text.splitlines():
            k = line.split("=", 1)[0].strip()
            if "=" in line and k.endswith("_port") and k != "listen_port":
                self.ports[k] = free_port()
                args.append("--%s=%d" % (k, self.ports[k]))
        env = faketime_env("")
        env.pop("FAKETIME")
        env.update(FAKETIME_TIMESTAMP_FILE=self.clock, FAKETIME_NO_CACHE="1")
        self.log = os.path.join(pki, "server.log")
        self.logf = open(self.log, "ab")
        self.p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.logf, env=env,
                                  start_new_session=True)
        self.ready = self.text().count("motcua-server ready") + 1
        deadline = time.time() + TIMEOUT
        while self.text().count("motcua-server ready") < self.ready:
            if self.p.poll() is not None or time.time() > deadline:
                tc.fail("report server did not start:\n%s" % self.text()[-3000:])
            time.sleep(0.1)

    def set(self, when):
        with open(self.clock + ".tmp", "w") as f:
            f.write(when + ":00\n")
        os.replace(self.clock + ".tmp", self.clock)

    def text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def unit_conf(self, unit):
        out = os.path.join(self.pki, "%s.conf" % unit)
        if os.path.exists(out):
            return out
        repl = {"port": str(self.port), "ca": os.path.join(self.pki, "ca.crt"),
                "cert": os.path.join(self.pki, "units", "%s.crt" % unit),
                "key": os.path.join(self.pki, "units", "%s.key" % unit), "crl": "",
                # its own officer session, opened at this server's clock
                "session": os.path.join(self.pki, "session-%s.token" % unit)}
        lines = []
        with open(os.path.join(ENV_DIR, "units", "%s.conf" % unit)) as f:
            for line in f:
                k = line.split("=", 1)[0].strip()
                if "=" in line and k in repl:
                    line = "%s = %s\n" % (k, repl.pop(k))
                lines.append(line)
        if "session" in repl:
            lines.append("session = %s\n" % repl.pop("session"))
        with open(out, "w") as f:
            f.writelines(lines)
        return out

    def kill(self):
        if self.p is None:
            return
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(timeout=TIMEOUT)
        if not self.logf.closed:
            self.logf.close()


# ---- the independent calculation (docs/REPORTS.md) --------------------------

class Dossier:
    def __init__(self, code, unit, resolver, proc, sector, channel, received, due):
        self.code, self.unit, self.resolver, self.proc = code, unit, resolver, proc
        self.sector, self.channel, self.received = sector, channel, received
        self.steps = [(received, "receive", 2, due)]  # (time, action, status after, due after)
        self.holder = unit
        self.scans = False
        self.rating = None

    def at_end(self, t):
        """Status, due time, time of the last step before t, supplements before t."""
        before = [s for s in self.steps if s[0] < t]
        last = before[-1]
        sup = sum(1 for s in before if s[1] == "supplement_request")
        return last, sup

    def finished(self):
        for t, action, status, due in self.steps:
            if status in (3, 7, 8, 9):
                return t, status, due
        return None, None, None

    def returned(self):
        return next((t for t, a, _, _ in self.steps if a == "return"), None)

    def supplements(self):
        return [t for t, a, _, _ in self.steps if a == "supplement_request"]


def classify(d, t0, t1, now):
    """The row counts one dossier adds (docs/REPORTS.md)."""
    c = dict.fromkeys(COUNTS, 0)
    fin_t, fin_st, fin_due = d.finished()
    ret = d.returned()
    if ret is not None and t0 <= ret < t1:
        c["returned"] = 1
        c["unsatisfied"] = int(d.rating == 1)
    if d.received >= t1 or (fin_t is not None and fin_t < t0):
        return c
    if d.received < t0:
        c["carried_over"] = 1
    else:
        c[{1: "received_direct", 2: "received_online", 3: "received_postal"}[d.channel]] = 1
        c["with_scans"] = int(d.scans)
    c["supplement_requested"] = int(any(t0 <= t < t1 for t in d.supplements()))
    if fin_t is not None and fin_t < t1:
        late = len([t for t in d.supplements() if t <= fin_t]) >= 2 or fin_t > fin_due
        if fin_st == 9:
            if late:
                c["resolved_late"] = 1
            elif fin_t.astimezone(VN).date() < fin_due.astimezone(VN).date():
                c["resolved_early"] = 1
            else:
                c["resolved_on_time"] = 1
            c["resolve_seconds"] = int((fin_t - d.received).total_seconds())
        elif fin_st in (3, 8):
            c[{3: "refused", 8: "stopped"}[fin_st]] = 1
            c["ended_in_time"] = int(not late)
        else:
            c["withdrawn"] = 1
        return c
    (t_last, _, status, due), sup = d.at_end(t1)
    end = t_last if status in (5, 6) else min(t1, now)
    c["pending_overdue" if sup >= 2 or end > due else "pending_within"] = 1
    return c


COUNTS = ["carried_over", "received_direct", "received_online", "received_postal",
          "resolved_early", "resolved_on_time", "resolved_late", "pending_within",
          "pending_overdue", "returned", "withdrawn", "refused", "stopped",
          "supplement_requested", "ended_in_time", "with_scans", "unsatisfied",
          "resolve_seconds"]


def expected(dossiers, units, key, t0, t1, now):
    rows = {}
    for d in dossiers:
        if d.resolver not in units:
            continue
        c = classify(d, t0, t1, now)
        if not any(c.values()):
            continue
        k = key(d)
        row = rows.setdefault(k, dict.fromkeys(COUNTS, 0))
        for n, v in c.items():
            row[n] += v
    total = dict.fromkeys(COUNTS, 0)
    for row in rows.values():
        for n in COUNTS:
            total[n] += row[n]
    for row in list(rows.values()) + [total]:
        figures(row)
    return rows, total


def figures(r):
    r["received"] = r["received_direct"] + r["received_online"] + r["received_postal"]
    resolved = r["resolved_early"] + r["resolved_on_time"] + r["resolved_late"]
    r["handled"] = resolved + r["refused"] + r["stopped"] + r["pending_within"] + \
        r["pending_overdue"]
    in_time = r["resolved_early"] + r["resolved_on_time"] + r["ended_in_time"] + \
        r["pending_within"]

    def pct(n, d):
        return (n, d, 100.0 * n / d if d else None)
    f = {"on_time_ratio": pct(in_time, r["handled"]),
         "overdue_pct": pct(r["handled"] - in_time, r["handled"]),
         "unsatisfied_pct": pct(r["unsatisfied"], r["returned"]),
         "avg_resolution_days": (r["resolve_seconds"], resolved,
                                 r["resolve_seconds"] / resolved / 86400 if resolved else None),
         "online_ratio": pct(r["received_online"], r["received"]),
         "direct_ratio": pct(r["received_direct"], r["received"]),
         "postal_ratio": pct(r["received_postal"], r["received"]),
         "digitised_ratio": pct(r["with_scans"], r["received"])}
    sat = None
    if r["handled"] or r["returned"]:
        sat = max(0.0, 100.0 - (f["overdue_pct"][2] or 0) - (f["unsatisfied_pct"][2] or 0))
    f["satisfaction"] = (0, 1 if sat is not None else 0, sat)
    r["figures"] = f


# ---- the test ------------------------------------------------------------------

class TestReports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        long_pki(cls, "motcua-reports-", [(A, "commune"), (B, "commune"), (C, "district"),
                               ("admin", "admin")])

    def setUp(self):
        self.assertTrue(os.path.exists(LIBFAKETIME), "%s missing: install faketime" % LIBFAKETIME)
        self.srv = ReportServer(self, self.pki)
        procs = procedures()
        self.sector = {p["code"]: p["sector"] for p in procs}
        self.p1 = next(p["code"] for p in procs if p["level"] == "commune"
                       and p["limit_unit"] == "working_days" and p["limit_value"] == 3)
        self.p2 = next(p["code"] for p in procs if p["level"] == "district"
                       and p["limit_unit"] == "working_days" and p["limit_value"] == 3)
        self.dossiers = []
        self.satisfaction_seen = set()

    # -- steps, each through itest.cli at the server's time `when` --

    def run_cli(self, unit, when, *args, ok=True):
        self.srv.set(when)
        conf = self.srv.unit_conf(unit)
        r = cli(unit, *args, conf=conf)
        if r.error_code == "login_required":
            # a session ends with the working day of the clock that opened
            # it: the desk's officer logs in again on the new day
            lg = login(unit, conf=conf)
            self.assertEqual(lg.rc, 0, lg)
            r = cli(unit, *args, conf=conf)
        if ok:
            self.assertEqual(r.rc, 0, "%s %s: %r" % (unit, args, r))
        return r

    def receive(self, unit, when, level="commune", channel="direct"):
        proc = self.p1 if level == "commune" else self.p2
        r = self.run_cli(unit, when, *OFFICER, "receive", "--procedure", proc, "--name", NAME,
                         "--id", CID, "--channel", channel)
        d = dossier(r)
        resolver = unit if level == "commune" or unit == C else C
        x = Dossier(d["code"], unit, resolver, proc, self.sector[proc],
                    {"direct": 1, "online": 2, "postal": 3}[channel], at(when),
                    parse_time(d["due_at"]))
        self.dossiers.append(x)
        return x

    def step(self, x, unit, when, action, *args):
        r = self.run_cli(unit, when, *OFFICER, action, x.code, *args)
        d = dossier(r)
        x.steps.append((at(when), action.replace("-", "_"), d["status"],
                        parse_time(d["due_at"])))
        self.assertEqual(d["holder_unit"], {"forward": C, "send-back": x.unit}.get(action,
                                                                                   x.holder))
        x.holder = d["holder_unit"]
        return d

    def resolve(self, x, unit, t_accept, t_result):
        self.step(x, unit, t_accept, "accept")
        self.step(x, unit, t_result, "result")

    def build(self):
        png = os.path.join(self.pki, "scan.png")
        from files_util import _png
        with open(png, "wb") as f:
            f.write(_png(300))
        # before the period
        c1 = self.receive(A, "2028-02-28 09:00")                   # still open: carried over
        c2 = self.receive(A, "2028-02-28 09:30", channel="online")  # carried, resolved in it
        c3 = self.receive(A, "2028-02-21 09:00")                   # resolved before, returned in it
        self.resolve(c3, A, "2028-02-21 10:00", "2028-02-22 10:00")
        self.step(c1, A, "2028-02-28 10:00", "accept")
        self.step(c2, A, "2028-02-28 10:00", "accept")
        self.step(c3, A, "2028-03-01 08:00", "return", "--to", "Người nhận")
        self.step(c3, A, "2028-03-01 08:05", "rate", "--level", "1")
        c3.rating = 1
        self.step(c2, A, "2028-03-02 14:00", "result")
        # in the period, commune A
        p1 = self.receive(A, "2028-03-01 09:00")
        self.resolve(p1, A, "2028-03-01 09:30", "2028-03-01 15:00")   # early
        self.step(p1, A, "2028-03-02 08:00", "return", "--to", "Người nhận")
        self.step(p1, A, "2028-03-02 08:01", "rate", "--level", "3")
        p1.rating = 3
        p2 = self.receive(A, "2028-03-01 10:00", channel="online")
        self.step(p2, A, "2028-03-01 10:30", "accept")
        self.step(p2, A, "2028-03-03 10:00", "supplement-request", "--reason", "Thiếu giấy tờ")
        self.step(p2, A, "2028-03-06 10:00", "supplement")           # over the weekend
        due = p2.steps[-1][3].astimezone(VN)
        self.step(p2, A, due.strftime("%Y-%m-%d %H:%M"), "result")   # on time, the due minute
        p3 = self.receive(A, "2028-03-01 11:00", channel="postal")
        self.step(p3, A, "2028-03-01 13:30", "accept")
        self.step(p3, A, "2028-03-09 09:00", "result")               # late
        p4 = self.receive(A, "2028-03-02 09:00")
        self.step(p4, A, "2028-03-02 09:10", "accept")
        for t0, t1 in (("2028-03-02 09:20", "2028-03-02 09:40"),
                       ("2028-03-02 10:00", "2028-03-02 10:20")):
            self.step(p4, A, t0, "supplement-request", "--reason", "Thiếu giấy tờ")
            self.step(p4, A, t1, "supplement")
        self.step(p4, A, "2028-03-02 14:00", "result")              # late: second supplement
        p5 = self.receive(A, "2028-03-02 09:30")
        self.step(p5, A, "2028-03-02 10:00", "accept")
        self.step(p5, A, "2028-03-03 15:00", "fee-request", "--amount", "50000")
        self.step(p5, A, "2028-03-06 09:00", "fee-paid")
        self.step(p5, A, "2028-03-07 09:00", "result")
        p6 = self.receive(A, "2028-03-03 09:00")
        self.step(p6, A, "2028-03-03 09:05", "refuse", "--reason", "Không thuộc thẩm quyền")
        p7 = self.receive(A, "2028-03-03 09:10", channel="online")
        self.step(p7, A, "2028-03-03 09:20", "withdraw")
        p8 = self.receive(A, "2028-03-06 09:00")
        self.step(p8, A, "2028-03-06 09:10", "accept")
        self.step(p8, A, "2028-03-10 16:00", "stop", "--reason", "Dừng theo yêu cầu")
        p9 = self.receive(A, "2028-03-09 09:00")                    # open, within
        self.run_cli(A, "2028-03-09 09:05", "attach", p9.code, png)
        p9.scans = True
        p10 = self.receive(A, "2028-03-02 16:00")                   # open, paused, 2 supplements
        self.step(p10, A, "2028-03-06 09:00", "accept")
        self.step(p10, A, "2028-03-06 09:10", "supplement-request", "--reason", "Thiếu giấy tờ")
        self.step(p10, A, "2028-03-06 09:20", "supplement")
        self.step(p10, A, "2028-03-06 09:30", "supplement-request", "--reason", "Thiếu giấy tờ")
        # district-level: received at B, resolved by the centre
        q1 = self.receive(B, "2028-03-01 09:00", level="district", channel="postal")
        self.step(q1, B, "2028-03-01 09:30", "forward")
        self.resolve(q1, C, "2028-03-01 10:00", "2028-03-03 10:00")
        self.step(q1, C, "2028-03-03 10:30", "send-back")
        self.step(q1, B, "2028-03-06 09:00", "return", "--to", "Người nhận")
        self.step(q1, B, "2028-03-06 09:05", "rate", "--level", "1")
        q1.rating = 1
        q2 = self.receive(B, "2028-03-08 09:00")                    # B's own, open
        q3 = self.receive(C, "2028-03-06 09:00", level="district", channel="online")
        self.step(q3, C, "2028-03-06 09:10", "accept")               # open at the end: overdue
        # after the period: not in it; c1 resolved after it: pending at the end
        self.receive(A, "2028-03-13 09:00")
        self.step(c1, A, "2028-03-13 10:00", "result")
        self.now = at("2028-03-20 09:00")
        self.srv.set("2028-03-20 09:00")

    def report(self, unit, *args, ok=True):
        r = cli(unit, "report", "--from", "2028-03-01", "--to", "10/03/2028", *args,
                conf=self.srv.unit_conf(unit))
        if ok:
            self.assertEqual(r.rc, 0, r)
        return r

    def compare(self, got, rows, total, key_name):
        self.satisfaction_seen.update(
            r["figures"]["satisfaction"][2] for r in list(rows.values()) + [total])
        self.assertEqual(sorted(r["key"] for r in got["rows"]), sorted(rows), got)
        for r in got["rows"] + [got["total"]]:
            want = total if r["total"] else rows[r["key"]]
            for n in COUNTS + ["received", "handled"]:
                self.assertEqual(r[n], want[n], "%s %s %s" % (key_name, r["key"], n))
            figs = {f["name"]: f for f in r["figures"]}
            self.assertEqual(set(figs), set(want["figures"]))
            for name, (num, den, val) in want["figures"].items():
                f = figs[name]
                if name != "satisfaction":
                    self.assertEqual((f["numerator"], f["denominator"]), (num, den), name)
                    self.assertIn("/", f["formula"], f)
                if val is None:
                    self.assertIsNone(f["value"], (name, f))
                else:
                    self.assertAlmostEqual(f["value"], val, places=6, msg=name)

    def test_reports(self):
        self.build()
        t0, t1 = P0, P1
        keys = {"unit": lambda d: d.resolver, "sector": lambda d: d.sector,
                "procedure": lambda d: d.proc, "channel": lambda d: str(d.channel)}
        # the centre: itself and its communes, every grouping
        for by, key in keys.items():
            got = self.report(C, "--by", by).doc
            rows, total = expected(self.dossiers, {A, B, C}, key, t0, t1, self.now)
            self.compare(got, rows, total, by)
        # the data set exercises every count
        _, total = expected(self.dossiers, {A, B, C}, keys["unit"], t0, t1, self.now)
        for n in COUNTS:
            self.assertGreater(total[n], 0, "the data set has no %s" % n)
        self.assertTrue([v for v in self.satisfaction_seen if v is not None and 0 < v < 100],
                        self.satisfaction_seen)
        # a commune: its own figures only
        got = self.report(A).doc
        self.assertEqual(got["units"], [A])
        self.compare(got, *expected(self.dossiers, {A}, keys["unit"], t0, t1, self.now), "A")
        r = self.report(A, "--unit", B, ok=False)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.error_code, "forbidden", r)
        got = self.report(B).doc
        self.assertEqual(got["units"], [B])
        self.compare(got, *expected(self.dossiers, {B}, keys["unit"], t0, t1, self.now), "B")
        # the centre on one commune
        got = self.report(C, "--unit", A).doc
        self.compare(got, *expected(self.dossiers, {A}, keys["unit"], t0, t1, self.now), "C/A")
        # IT: every unit, the same figures, no citizen data
        r = self.report("admin", "--by", "procedure")
        self.assertEqual(len(r.doc["units"]), 22, r.doc["units"])
        rows, total = expected(self.dossiers, {A, B, C}, keys["procedure"], t0, t1, self.now)
        self.compare(r.doc, rows, total, "admin")
        for u in (A, C, "admin"):
            out = self.report(u).out
            self.assertNotIn(NAME, out)
            self.assertNotIn(CID, out)
        text = cli(C, "report", "--from", "2028-03-01", "--to", "2028-03-10",
                   conf=self.srv.unit_conf(C), json_out=False)
        self.assertEqual(text.rc, 0, text)
        self.assertIn("Tổng cộng", text.out)
        self.assertNotIn(NAME, text.out)
        # the spreadsheet
        path = os.path.join(self.pki, "report.xlsx")
        x = cli(C, "report", "--from", "2028-03-01", "--to", "2028-03-10", "--xlsx", path,
                conf=self.srv.unit_conf(C), json_out=False)
        self.assertEqual(x.rc, 0, x)
        rows, total = expected(self.dossiers, {A, B, C}, keys["unit"], t0, t1, self.now)
        self.check_xlsx(path, rows, total)
        self.check_gauges()
        self.assertNotIn("AddressSanitizer", self.srv.text())

    def check_gauges(self):
        """/metrics carries the dossier gauges of every unit, computed in the
        background (the first minute's query runs a second after the start):
        restarted at 13/03/2028 12:00, they are the dossiers received that
        day, the open ones each unit holds, and of them the overdue ones,
        counted here from the events."""
        when = at("2028-03-13 12:00")
        self.srv.start("2028-03-13 12:00")
        want = {}
        for d in self.dossiers:
            w = want.setdefault(d.holder, [0, 0, 0])
            _, _, status, due = d.steps[-1]
            if status in (1, 2, 4, 5, 6):
                w[1] += 1
                sup = len(d.supplements())
                end = d.steps[-1][0] if status in (5, 6) else when
                w[2] += int(sup >= 2 or end > due)
        for d in self.dossiers:
            if d.received.date() == when.date():
                want.setdefault(d.unit, [0, 0, 0])[0] += 1
        from mon_util import metric_families, wait_until
        from sec_util import http_get
        names = ("motcua_unit_dossiers_received_today", "motcua_unit_dossiers_in_progress",
                 "motcua_unit_dossiers_overdue")

        def scrape():
            status, body = http_get(self.srv.ports["http_port"], "/metrics")
            return metric_families(body if isinstance(body, str) else body.decode())
        fams = {}

        def ready():
            fams.update(scrape())
            return all(n in fams and fams[n]["samples"] for n in names)
        wait_until(ready, 30)
        for i, n in enumerate(names):
            self.assertEqual(fams[n]["type"], "gauge", n)
            got = {l["unit"]: v for _, l, v in fams[n]["samples"]}
            self.assertTrue({A, B, C} <= set(got), (n, got))
            for u in (A, B, C):
                self.assertEqual(got[u], want.get(u, [0, 0, 0])[i], (n, u))
        self.assertGreater(sum(w[2] for w in want.values()), 0)
        self.assertGreater(want[A][0], 0)

    def check_xlsx(self, path, rows, total):
        sheet = read_xlsx(path)
        cells, merged = sheet["cells"], sheet["merged"]
        for m in ("A4:A5", "B4:B5", "C4:G4", "H4:K4", "L4:N4", "O4:S4"):
            self.assertIn(m, merged)
        self.assertEqual(cells["C4"], "Số hồ sơ nhận giải quyết")
        self.assertEqual(cells["D5"], "Từ kỳ trước")
        self.assertEqual(cells["I5"], "Trước hạn")
        cols = ["received_total", "carried_over", "received_direct", "received_online",
                "received_postal", "resolved_total", "resolved_early", "resolved_on_time",
                "resolved_late", "pending_total", "pending_within", "pending_overdue",
                "returned", "withdrawn", "refused", "stopped", "supplement_requested"]
        names = {C: "Trung tâm", A: "Hòa Hải", B: "Phúc Đồng"}

        def want(row, col):
            if col == "received_total":
                return row["carried_over"] + row["received"]
            if col == "resolved_total":
                return row["resolved_early"] + row["resolved_on_time"] + row["resolved_late"]
            if col == "pending_total":
                return row["pending_within"] + row["pending_overdue"]
            return row[col]

        n = len(rows)
        seen = set()
        for i in range(n):
            r = 6 + i
            label = cells["B%d" % r]
            key = next(k for k, v in names.items() if v in label)
            seen.add(key)
            for j, col in enumerate(cols):
                ref = "%s%d" % (chr(ord("C") + j), r)
                self.assertEqual(evaluate(cells, ref), want(rows[key], col), ref)
        self.assertEqual(seen, set(rows))
        tr = 6 + n
        self.assertEqual(cells["B%d" % tr], "Tổng cộng")
        for j, col in enumerate(cols):
            ref = "%s%d" % (chr(ord("C") + j), tr)
            self.assertTrue(str(cells[ref]).startswith("=SUM("), ref)
            self.assertEqual(evaluate(cells, ref), want(total, col), ref)
            self.assertEqual(sheet["cached"][ref], want(total, col), ref)


def evaluate(cells, ref):
    """The value of a cell, computing =SUM(X1:Y2) over the cells it names."""
    v = cells[ref]
    if not isinstance(v, str) or not v.startswith("="):
        return v
    m = re.fullmatch(r"=SUM\(([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\)", v)
    assert m, v
    c0, r0 = m.group(1), int(m.group(2))
    c1, r1 = (m.group(3) or c0), int(m.group(4) or r0)
    return sum(evaluate(cells, "%s%d" % (chr(c), r))
               for c in range(ord(c0), ord(c1) + 1) for r in range(r0, r1 + 1))


READ_XLSX = r"""
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
cells = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
cached = {}
import zipfile, re
with zipfile.ZipFile(sys.argv[1]) as z:
    xml = z.read("xl/worksheets/sheet1.xml").decode()
for ref, val in re.findall(r'<c r="([A-Z]+\d+)"[^>]*><f>[^<]*</f><v>([^<]*)</v>', xml):
    cached[ref] = int(float(val))
print(json.dumps({"cells": cells, "merged": [str(m) for m in ws.merged_cells.ranges],
                  "cached": cached}))
"""


def read_xlsx(path):
    """openpyxl (python3-openpyxl) in this interpreter, else the system's."""
    for py in (sys.executable, "/usr/bin/python3"):
        p = subprocess.run([py, "-c", READ_XLSX, path], capture_output=True, timeout=TIMEOUT)
        if p.returncode == 0:
            return json.loads(p.stdout)
    raise AssertionError("openpyxl could not read %s (install python3-openpyxl): %s"
                         % (path, p.stderr.decode()[-1000:]))


if __name__ == "__main__":
    unittest.main()
