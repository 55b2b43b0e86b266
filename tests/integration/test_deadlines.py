"""Issue 14: time counted as the law counts it, end to end under libfaketime
(see test_faketime.py for the fake-time server). Each expected due time is
computed here independently, minute by minute, from the rule text of
docs/WORKFLOW.md "Deadlines" and the seeded office hours (migration 014:
summer from 15/04 07:00-11:30 13:30-17:00, winter from 15/10 07:30-11:30
13:30-17:00) and days off (migration 004):

- a supplement wait moves the due time by the working time it lasted
  (across a weekend, across Tết 2027);
- an hour limit counts office hours only (not the lunch break);
- from a second supplement request on, the step is "late";
- a new appointment on a Saturday is refused; dd/mm/yyyy is accepted.

Commune: 18559 (Hương Liên), shared with test_faketime.py (own dossiers).
"""
import datetime
import os
import shutil
import subprocess
import tempfile
import unittest

HOURS_PROC = "0.000008"  # the hour test's own procedure (hours_procedure)

from itest import ENV_DIR, LOCAL_SH, PKI_SH, TIMEOUT, cli, parse_time, procedures
from test_faketime import LIBFAKETIME, UNIT, VN, FakeServer, faketime_env, long_pki
from wfhelp import SEEDED_DAYS_OFF, dossier, work_seconds

OFFICER = ["--officer", "Cán bộ Hương Liên"]
MIN = datetime.timedelta(minutes=1)


# ---- the independent calculation ---------------------------------------

def sessions(day):
    """Office hours of a date as [(start, end)] in minutes: the seed of 014."""
    summer = (4, 15) <= (day.month, day.day) < (10, 15)
    return [(7 * 60, 11 * 60 + 30), (13 * 60 + 30, 17 * 60)] if summer else \
        [(7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60)]


def working_day(day):
    return day.weekday() < 5 and day.strftime("%Y-%m-%d") not in SEEDED_DAYS_OFF


def working_minute(t):
    """Is the minute starting at t (local) office time?"""
    m = t.hour * 60 + t.minute
    return working_day(t.date()) and any(a <= m < b for a, b in sessions(t.date()))


def work_minutes(a, b):
    n, t = 0, a
    while t < b:
        n += working_minute(t)
        t += MIN
    return n


def add_work(t, minutes):
    while minutes > 0:
        if working_minute(t):
            minutes -= 1
        t += MIN
    return t


def due_working_days(received, n):
    """Day 1 is the receipt day if a working day before 15:00; due 17:00."""
    day = received.date()
    if not (working_day(day) and received.hour < 15):
        day += datetime.timedelta(days=1)
        while not working_day(day):
            day += datetime.timedelta(days=1)
    for _ in range(n - 1):
        day += datetime.timedelta(days=1)
        while not working_day(day):
            day += datetime.timedelta(days=1)
    return datetime.datetime(day.year, day.month, day.day, 17, 0, tzinfo=VN)


def at(s):
    return datetime.datetime.strptime(s, "%Y-%m-%d %H:%M").replace(tzinfo=VN)


def rfc(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S+07:00")


# The fake clocks run: each command reaches its server a fraction of a
# second after the time it was started at, so the pause's working time is
# off by that much. A due time is right when no more than this much working
# time lies between it and the expected one.
SLACK_S = 5


class TestDeadlines(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        long_pki(cls, "motcua-deadlines-", [(UNIT, "commune")])

    def setUp(self):
        self.assertTrue(os.path.exists(LIBFAKETIME),
                        "%s missing: install the Debian package faketime" % LIBFAKETIME)

    @staticmethod
    def hours_procedure():
        """Since migration 015 corrected the catalogue no published procedure
        has an hour limit, so the hour test adds one of its own to the
        fixture's database (complete like a published one, so that any test
        listing the catalogue after a reload accepts it); the faked servers
        load the catalogue when they start."""
        sql = ("INSERT INTO procedures (code, name, sector, level, limit_value, limit_unit,"
               " verified, note, source, limit_text, fee, sets) VALUES ('%s',"
               " 'Thủ tục kiểm thử thời hạn 8 giờ làm việc', 'Kiểm thử', 1, 8, 1, true, '',"
               " 'tests/integration/test_deadlines.py', '08 giờ làm việc', 'Không', 1)"
               " ON CONFLICT (code) DO NOTHING;"
               " INSERT INTO procedure_components (procedure_code, ordinal, name, form, count,"
               " requirement) VALUES ('%s', 1, 'Tờ khai', 'original', 1, 'required')"
               " ON CONFLICT DO NOTHING;") % (HOURS_PROC, HOURS_PROC)
        p = subprocess.run(["bash", LOCAL_SH, "psql", ENV_DIR, "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, timeout=TIMEOUT)
        if p.returncode != 0:
            raise AssertionError("psql: %s" % p.stderr.decode())
        return HOURS_PROC

    def proc(self, unit, value, level=None):
        ps = [p for p in procedures() if p["limit_unit"] == unit and p["limit_value"] == value
              and (level is None or p["level"] == level)]
        self.assertTrue(ps, "no %d-%s procedure in the catalogue" % (value, unit))
        return ps[0]["code"]

    def run_at(self, when, *args, ok=True):
        """One CLI command against a server whose clock reads `when`."""
        srv = FakeServer(self, self.pki, when + ":00")
        try:
            r = cli(UNIT, *args, conf=srv.conf(self.pki))
        finally:
            self.assertEqual(srv.stop(), 0, srv.text()[-3000:])
            self.assertNotIn("AddressSanitizer", srv.text())
        self.assertEqual(r.rc, 0 if ok else 1, r)
        return r

    def receive(self, when, proc, *extra):
        r = self.run_at(when, "receive", "--procedure", proc, "--name", "Trần Thị Lịch",
                        "--id", "042190004444", *extra)
        d = dossier(r)
        # the fake clock starts at when:00 and runs: under ASan on a loaded
        # machine the CLI's handshake can take a second or more to reach it
        got = parse_time(d["received_at"]).astimezone(VN)
        self.assertTrue(at(when) <= got < at(when) + MIN, (got, d))
        return d

    def pause_and_resume(self, received, paused, resumed):
        """Receive a 3-working-day dossier, request a supplement, supply it:
        the new due time against the independent calculation."""
        d = self.receive(received, self.proc("working_days", 3))
        due = due_working_days(at(received), 3)
        self.assertEqual(d["due_at"], rfc(due), d)
        code = d["code"]
        p = dossier(self.run_at(paused, *OFFICER, "supplement-request", code,
                                "--reason", "Thiếu bản sao giấy tờ"))
        self.assertEqual(p["status"], 5, p)
        s = dossier(self.run_at(resumed, *OFFICER, "supplement", code))
        self.assertEqual(s["status"], 4, s)
        expect = add_work(due, work_minutes(at(paused), at(resumed)))
        got = parse_time(s["due_at"])
        lo, hi = sorted((got, expect))
        self.assertLessEqual(work_seconds(lo, hi), SLACK_S,
                             "due %s, expected %s" % (s["due_at"], rfc(expect)))
        return code, s, due, expect

    def test_pause_across_weekend(self):
        # Thu 26/11 09:00 -> due Mon 30/11 17:00; paused Fri 10:00 to Mon
        # 10:00 = 7.5 working hours -> Tue 1/12 17:00 (wall clock: Thu 3/12)
        code, s, due, expect = self.pause_and_resume("2026-11-26 09:00", "2026-11-27 10:00",
                                                     "2026-11-30 10:00")
        self.assertEqual(expect, at("2026-12-01 17:00"))
        self.assertNotEqual(expect, due + (at("2026-11-30 10:00") - at("2026-11-27 10:00")))
        # a second supplement request: overdue from then on, the step "late"
        r = self.run_at("2026-11-30 10:30", *OFFICER, "supplement-request", code,
                        "--reason", "Thiếu bản sao lần hai")
        self.assertTrue(dossier(r)["overdue"], r)
        h = cli(UNIT, "history", code)
        self.assertEqual(h.rc, 0, h)
        steps = h.doc["steps"]
        self.assertEqual([x["action"] for x in steps],
                         ["receive", "supplement_request", "supplement", "supplement_request"])
        self.assertEqual(steps[1]["result"], "early", steps)
        self.assertEqual(steps[3]["result"], "late", steps)

    def test_pause_across_tet(self):
        # Wed 3/2/2027 09:00 -> due Fri 12/2 17:00 (Tết 4-10/2 off); paused
        # Wed 10:00 to Thu 11/2 10:00 = 7.5 h -> Mon 15/2 17:00 (wall: 22/2)
        _, _, _, expect = self.pause_and_resume("2027-02-03 09:00", "2027-02-03 10:00",
                                                "2027-02-11 10:00")
        self.assertEqual(expect, at("2027-02-15 17:00"))

    def test_hour_limit_across_lunch(self):
        # 8 office hours from Wed 25/11 10:00: 1.5 + 3.5 h, then 3 h from
        # Thu 07:30 -> Thu 10:30 (07:30-17:00 straight through: 08:30)
        d = self.receive("2026-11-25 10:00", self.hours_procedure(), "--component", "1")
        expect = add_work(at("2026-11-25 10:00"), 8 * 60)
        self.assertEqual(expect, at("2026-11-26 10:30"))
        # as late as the receipt was (the fake clock ran a little: receive())
        late = parse_time(d["received_at"]).astimezone(VN) - at("2026-11-25 10:00")
        self.assertEqual(d["due_at"], rfc(expect + late), d)

    def test_reschedule_on_the_calendar(self):
        d = self.receive("2026-12-07 09:00", self.proc("working_days", 3))
        code = d["code"]
        r = self.run_at("2026-12-07 09:30", *OFFICER, "reschedule", code, "--to", "2027-01-09",
                        "--reason", "Cần xác minh", ok=False)
        self.assertIn("working day", r.doc["error"].get("detail", ""), r)
        r = self.run_at("2026-12-07 09:35", *OFFICER, "reschedule", code, "--to", "08/01/2027",
                        "--reason", "Cần xác minh")
        got = dossier(r)
        self.assertTrue(got["rescheduled"], got)
        self.assertEqual(got["due_at"], "2027-01-08T17:00:00+07:00", got)


if __name__ == "__main__":
    unittest.main()
