"""Helpers for the workflow integration tests (test_workflow, test_authz,
test_events, test_search_slips, test_faketime). Python 3 stdlib only; builds
on itest.py. Every subprocess is bounded (itest.TIMEOUT)."""
import datetime
import os
import queue
import re
import subprocess
import threading
import time
import unicodedata

from itest import DISTRICT, ENV_DIR, TIMEOUT, cli, cli_popen, parse_time, receive, unwrap

DISTRICT_NAME = "Trung tâm Hành chính công huyện Hương Khê"
RFC3339_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
SERVER_LOG = os.path.join(ENV_DIR, "server.log")


def dossier(r):
    return unwrap(r.doc, "dossier")


def new_dossier(tc, unit, level="district", name="Nguyễn Văn Thử", proc=None):
    """Receive a dossier at unit; -> (dossier dict, citizen id)."""
    r, cid = receive(unit, level=level, name=name, proc=proc)
    tc.assertEqual(r.rc, 0, r)
    d = dossier(r)
    tc.assertEqual(d["status"], 2, d)
    return d, cid


def forwarded(tc, unit, **kw):
    """A district-level dossier received at unit and forwarded to 444."""
    d, cid = new_dossier(tc, unit, **kw)
    f = cli(unit, "forward", d["code"])
    tc.assertEqual(f.rc, 0, f)
    tc.assertEqual(dossier(f)["holder_unit"], DISTRICT, f)
    return dossier(f), cid


def act(tc, unit, action, code, *args, ok=True):
    """Run a workflow action; with ok=True it must succeed -> dossier dict;
    with ok=False it must be refused (exit 1) -> Result."""
    r = cli(unit, action, code, *args)
    if ok:
        tc.assertEqual(r.rc, 0, "%s %s by %s: %r" % (action, code, unit, r))
        d = dossier(r)
        tc.assertEqual(d["code"], code, r)
        return d
    tc.assertEqual(r.rc, 1, "%s %s by %s should be refused: %r" % (action, code, unit, r))
    tc.assertIsNotNone(r.error_code, r)
    return r


def show(tc, unit, code):
    r = cli(unit, "show", code)
    tc.assertEqual(r.rc, 0, r)
    return dossier(r)


def history(tc, unit, code):
    r = cli(unit, "history", code)
    tc.assertEqual(r.rc, 0, r)
    tc.assertIsInstance(r.doc, dict, r)
    tc.assertEqual(r.doc["dossier"]["code"], code)
    return r.doc["steps"]


def codes(lst):
    return [x["code"] for x in lst or []]


def fold(s):
    """Lower case without Vietnamese diacritics (đ -> d)."""
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).lower()


# ---- the fixture server's log ----------------------------------------------

def log_offset():
    try:
        return os.path.getsize(SERVER_LOG)
    except OSError:
        return 0


def log_since(offset):
    with open(SERVER_LOG, "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def wait_log(tc, offset, *needles, timeout=5.0):
    """A line written after offset contains every needle; -> that line."""
    deadline = time.time() + timeout
    while True:
        for line in log_since(offset).splitlines():
            if all(n in line for n in needles):
                return line
        if time.time() > deadline:
            tc.fail("server.log has no line with %r since offset %d:\n%s"
                    % (needles, offset, log_since(offset)[-3000:]))
        time.sleep(0.1)


def assert_refusal_logged(tc, offset, r, action, code):
    """A refused action names its rule in the JSON error's detail and the
    server logs it (action refused ... rule="<detail>")."""
    detail = r.doc["error"].get("detail")
    tc.assertTrue(detail, "refusal without a rule in detail: %r" % r)
    wait_log(tc, offset, "action refused", "action=%s" % action, "code=%s" % code,
             'rule="%s"' % detail)
    return detail


# ---- watch --json as a bounded subprocess ------------------------------------

class Watch:
    """`motcua --json watch` for a unit; lines are read by a thread into a
    queue. The process is killed at close (and at most after `lifetime`)."""

    def __init__(self, tc, unit, lifetime=60):
        self.p = cli_popen(unit, "watch")
        self.q = queue.Queue()
        self.lines = []
        self.killer = threading.Timer(lifetime, self._kill)
        self.killer.daemon = True
        self.killer.start()
        t = threading.Thread(target=self._read, daemon=True)
        t.start()
        tc.addCleanup(self.close)
        first = self.next(lambda e: e.get("event") == "connected", timeout=15)
        tc.assertIsNotNone(first, "watch did not connect: %r" % self.lines)

    def _read(self):
        for raw in self.p.stdout:
            self.q.put(raw.decode("utf-8", "replace"))
        self.q.put(None)

    def _kill(self):
        if self.p.poll() is None:
            self.p.kill()

    def next(self, pred, timeout=10):
        """The next JSON line satisfying pred, or None on timeout / EOF."""
        import json
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                return None
            try:
                line = self.q.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            self.lines.append(line)
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if pred(ev):
                return ev

    def event_for(self, code, kind, timeout=10):
        return self.next(lambda e: e.get("kind") == kind and
                         (e.get("dossier") or {}).get("code") == code, timeout)

    def close(self):
        self.killer.cancel()
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout=TIMEOUT)
        for s in (self.p.stdout, self.p.stderr):
            try:
                s.close()
            except OSError:
                pass


# Days off seeded by migration 004 (a new appointment must be a working day).
SEEDED_DAYS_OFF = {
    "2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
    "2026-04-27", "2026-04-30", "2026-05-01", "2026-09-01", "2026-09-02",
    "2027-01-01", "2027-02-04", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10",
    "2027-04-16", "2027-04-30", "2027-05-03", "2027-09-02", "2027-09-03"}


def work_seconds(a, b):
    """Working time in seconds between aware datetimes a and b, computed
    from the seeded office hours (migration 014: summer from 15/04
    07:00-11:30 13:30-17:00, winter from 15/10 07:30-11:30 13:30-17:00) and
    days off, in Vietnam time."""
    vn = datetime.timezone(datetime.timedelta(hours=7))
    a, b = a.astimezone(vn), b.astimezone(vn)
    total, day = 0.0, a.date()
    while day <= b.date():
        summer = (4, 15) <= (day.month, day.day) < (10, 15)
        if day.weekday() < 5 and day.strftime("%Y-%m-%d") not in SEEDED_DAYS_OFF:
            for (h0, m0), (h1, m1) in ((((7, 0) if summer else (7, 30)), (11, 30)),
                                       ((13, 30), (17, 0))):
                lo = max(a, datetime.datetime(day.year, day.month, day.day, h0, m0, tzinfo=vn))
                hi = min(b, datetime.datetime(day.year, day.month, day.day, h1, m1, tzinfo=vn))
                total += max(0.0, (hi - lo).total_seconds())
        day += datetime.timedelta(days=1)
    return total


def day_after(ts, days):
    """YYYY-MM-DD, days after the RFC 3339 time ts (in its own offset); a
    later day moves on past weekends and the seeded days off (issue 14: a new
    appointment must be a working day)."""
    day = parse_time(ts) + datetime.timedelta(days=days)
    while days > 0 and (day.weekday() >= 5 or day.strftime("%Y-%m-%d") in SEEDED_DAYS_OFF):
        day += datetime.timedelta(days=1)
    return day.strftime("%Y-%m-%d")
