"""The dossier workflow end to end through the CLI (docs/WORKFLOW.md):
the full round trip commune -> district -> commune with its history, the
refusal, withdrawal, fee, stop and reschedule paths, the second supplement
request and the overdue / due-within list filters.

Commune used only by this file: 18538 (Hương Đô).
"""
import datetime
import time
import unittest

from itest import DISTRICT, REQUIRED_COMPONENTS, cli, dossier_list, parse_time, procedures
from wfhelp import (DISTRICT_NAME, RFC3339_RE, act, codes, day_after, dossier, forwarded,
                    history, new_dossier, show, work_seconds)

UNIT = "18538"
UNIT_NAME = "Xã Hương Đô"
PATHS = UNIT  # the other paths use the same commune
D_OFFICER = "Trần Thị Xử Lý"
C_OFFICER = "Phạm Văn Một Cửa"


def act_officer(tc, unit, officer, action, code, *args, ok=True):
    """act() with an explicit officer (a global option, before the command)."""
    r = cli(unit, "--officer", officer, action, code, *args)
    if ok:
        tc.assertEqual(r.rc, 0, "%s %s by %s: %r" % (action, code, unit, r))
        d = dossier(r)
        tc.assertEqual(d["code"], code, r)
        return d
    tc.assertEqual(r.rc, 1, "%s %s by %s should be refused: %r" % (action, code, unit, r))
    return r


def d_act(tc, action, code, *args, ok=True):
    return act_officer(tc, DISTRICT, D_OFFICER, action, code, *args, ok=ok)


def c_act(tc, action, code, *args, ok=True):
    return act_officer(tc, UNIT, C_OFFICER, action, code, *args, ok=ok)


class TestRoundTrip(unittest.TestCase):
    def test_round_trip_and_history(self):
        d, cid = new_dossier(self, UNIT, name="Đặng Thị Vòng Tròn")
        code = d["code"]
        self.assertEqual(d["unit"], UNIT)
        self.assertIsNone(d["paused_at"])
        f = c_act(self, "forward", code)
        self.assertEqual(f["holder_unit"], DISTRICT)
        self.assertEqual(f["status"], 2)

        a = d_act(self, "accept", code)
        self.assertEqual(a["status"], 4, a)
        # assign --to LOGIN: a processing officer of the district (issue 15)
        a = d_act(self, "assign", code, "--to", "tester.444",
                  "--dept", "Phòng Tài chính - Kế hoạch")
        self.assertEqual(a["status"], 4, a)
        self.assertEqual(a["assigned_officer"], "Cán bộ kiểm thử 444")
        self.assertEqual(a["assigned_login"], "tester.444")
        self.assertEqual(a["department"], "Phòng Tài chính - Kế hoạch")

        due0 = parse_time(a["due_at"])
        s = d_act(self, "supplement-request", code, "--reason", "Thiếu bản vẽ mặt bằng")
        self.assertEqual(s["status"], 5, s)
        self.assertIsNotNone(s["paused_at"], s)
        self.assertEqual(s["supplement_count"], 1)
        self.assertFalse(s["overdue"], s)
        self.assertEqual(parse_time(s["due_at"]), due0, "the due time moves only on resume")
        paused_at = parse_time(s["paused_at"])
        # the commune sees the paused clock too
        self.assertEqual(show(self, UNIT, code)["paused_at"], s["paused_at"])

        u = c_act(self, "supplement", code, "--note", "Đã nộp bản vẽ")
        self.assertEqual(u["status"], 4, u)
        self.assertIsNone(u["paused_at"], "the clock runs again: %r" % u)
        self.assertGreaterEqual(parse_time(u["due_at"]), due0, "never earlier after a pause")
        # (how far it moves: TestPause below)

        r = d_act(self, "result", code)
        self.assertEqual(r["status"], 9, r)
        self.assertIsNotNone(r["finished_at"], r)
        self.assertEqual(r["holder_unit"], DISTRICT)
        # the receiving commune cannot hand the result over before it is sent back
        early = c_act(self, "return", code, "--to", "Nguyễn Văn A", ok=False)
        self.assertTrue(early.doc["error"].get("detail"), early)

        b = d_act(self, "send-back", code)
        self.assertEqual(b["status"], 9, b)
        self.assertEqual(b["holder_unit"], UNIT, b)

        t = c_act(self, "return", code, "--to", "Nguyễn Văn A")
        self.assertEqual(t["status"], 10, t)
        self.assertEqual(t["collected_by"], "Nguyễn Văn A")
        self.assertIsNotNone(t["returned_at"])
        g = c_act(self, "rate", code, "--level", "3")
        self.assertEqual(g["rating"], 3, g)
        self.assertEqual(g["status"], 10)
        self.assertFalse(g["overdue"], g)

        steps = history(self, UNIT, code)
        # the logged-in officer (the tester local.sh logged in), not --officer:
        # a session makes the free-text name of the request irrelevant (issue 15)
        D = ("district", DISTRICT, "Cán bộ kiểm thử %s" % DISTRICT)
        C = ("commune", UNIT, "Cán bộ kiểm thử %s" % UNIT)
        want = [  # action, (role, unit, officer), before, after, from, to
            ("receive", None, None, 2, None, None),
            ("forward", C, 2, 2, UNIT, DISTRICT),
            ("accept", D, 2, 4, None, None),
            ("assign", D, 4, 4, None, None),
            ("supplement_request", D, 4, 5, None, None),
            ("supplement", C, 5, 4, None, None),
            ("result", D, 4, 9, None, None),
            ("send_back", D, 9, 9, DISTRICT, UNIT),
            ("return", C, 9, 10, None, None),
            ("rate", C, 10, 10, None, None),
        ]
        self.assertEqual([s["action"] for s in steps], [w[0] for w in want], steps)
        names = {UNIT: UNIT_NAME, DISTRICT: DISTRICT_NAME}
        prev = None
        for s, (action, who, before, after, frm, to) in zip(steps, want):
            ctx = "%s: %r" % (action, s)
            self.assertRegex(s["at"], RFC3339_RE, ctx)
            at = parse_time(s["at"])
            if prev is not None:
                self.assertGreaterEqual(at, prev, "times must not decrease: " + ctx)
            prev = at
            if who is None:  # receive: the commune's own officer from its config
                self.assertEqual((s["role"], s["unit"]), ("commune", UNIT), ctx)
                self.assertTrue(s["officer"], ctx)
            else:
                self.assertEqual((s["role"], s["unit"], s["officer"]), who, ctx)
            self.assertEqual(s["officer_login"], "tester.%s" % s["unit"], ctx)
            self.assertIs(s["officer_verified"], True, ctx)
            self.assertEqual(s["officer_title"], "Kiểm thử viên", ctx)
            self.assertEqual(s["unit_name"], names[s["unit"]], ctx)
            self.assertEqual(s["status_before"], before, ctx)
            self.assertEqual(s["status_after"], after, ctx)
            self.assertEqual(s["from_unit"], frm, ctx)
            self.assertEqual(s["to_unit"], to, ctx)
            self.assertEqual(s["from_unit_name"], names.get(frm), ctx)
            self.assertEqual(s["to_unit_name"], names.get(to), ctx)
            self.assertIsNotNone(s["step_due"], ctx)
            self.assertRegex(s["step_due"], RFC3339_RE, ctx)
            # weeks before the due day: every judged step is early
            if action != "receive":
                self.assertEqual(s["result"], "early", ctx)
            else:
                self.assertIn(s["result"], (None, "early"), ctx)
        self.assertIn("tester.444", steps[3]["detail"] or "")  # the assignee's login
        self.assertIn("Thiếu bản vẽ mặt bằng", steps[4]["detail"] or "")
        self.assertIn("Nguyễn Văn A", steps[8]["detail"] or "")
        # the first step's deadline is the appointment given at reception
        self.assertEqual(parse_time(steps[0]["step_due"]), parse_time(d["due_at"]))
        # the district sees the same log
        self.assertEqual(history(self, DISTRICT, code), steps)
        # the rating is recorded once
        again = c_act(self, "rate", code, "--level", "2", ok=False)
        self.assertTrue(again.doc["error"].get("detail"), again)


class TestPause(unittest.TestCase):
    def test_supplement_pause_moves_due(self):
        """The clock stops at supplement-request and, on resume, the due time
        moves later by the working time the pause lasted (WORKFLOW.md, issue
        14): none if the test runs outside office hours, else the seconds of
        it (test_deadlines.py checks weekends and Tết at fixed dates)."""
        d, _ = forwarded(self, UNIT)
        code = d["code"]
        d_act(self, "accept", code)
        s = d_act(self, "supplement-request", code, "--reason", "Thiếu sổ hộ khẩu")
        due0 = parse_time(s["due_at"])
        time.sleep(2.2)  # long enough to show at RFC 3339's 1 s resolution
        u = c_act(self, "supplement", code)
        steps = history(self, UNIT, code)
        self.assertEqual(steps[-1]["action"], "supplement")
        pause = (parse_time(steps[-1]["at"]) - parse_time(s["paused_at"])).total_seconds()
        self.assertGreaterEqual(pause, 2.0)
        due1 = parse_time(u["due_at"])
        self.assertGreaterEqual(due1, due0, u)
        worked = work_seconds(parse_time(s["paused_at"]), parse_time(steps[-1]["at"]))
        shift = work_seconds(due0, due1)
        self.assertLessEqual(abs(shift - worked), 2.0,
                             "due %s -> %s: moved %.0f working s for a pause of %.0f working s"
                             % (s["due_at"], u["due_at"], shift, worked))


class TestPaths(unittest.TestCase):
    def test_refusal_before_accept(self):
        d, _ = forwarded(self, PATHS)
        code = d["code"]
        r = act(self, DISTRICT, "refuse", code, "--reason", "Hồ sơ không thuộc thẩm quyền")
        self.assertEqual(r["status"], 3, r)
        self.assertIsNotNone(r["finished_at"], r)
        self.assertEqual(r["holder_unit"], DISTRICT)
        b = act(self, DISTRICT, "send-back", code)
        self.assertEqual(b["status"], 3)
        self.assertEqual(b["holder_unit"], PATHS)
        steps = history(self, PATHS, code)
        self.assertEqual([s["action"] for s in steps], ["receive", "forward", "refuse", "send_back"])
        self.assertEqual((steps[2]["status_before"], steps[2]["status_after"]), (2, 3))
        self.assertEqual((steps[3]["from_unit"], steps[3]["to_unit"]), (DISTRICT, PATHS))
        # nothing more to do with a refused dossier
        act(self, DISTRICT, "accept", code, ok=False)

    def test_withdrawal_while_district_holds_it(self):
        d, _ = forwarded(self, PATHS)
        code = d["code"]
        act(self, DISTRICT, "accept", code)
        w = act(self, PATHS, "withdraw", code, "--reason", "Công dân xin rút hồ sơ")
        self.assertEqual(w["status"], 7, w)
        self.assertEqual(w["holder_unit"], DISTRICT, w)
        self.assertIsNotNone(w["finished_at"], w)
        b = act(self, DISTRICT, "send-back", code)
        self.assertEqual((b["status"], b["holder_unit"]), (7, PATHS), b)
        steps = history(self, PATHS, code)
        self.assertEqual([s["action"] for s in steps],
                         ["receive", "forward", "accept", "withdraw", "send_back"])
        self.assertEqual(steps[3]["unit"], PATHS)
        self.assertEqual((steps[3]["status_before"], steps[3]["status_after"]), (4, 7))

    def test_fee_reschedule_stop(self):
        d, _ = forwarded(self, PATHS)
        code = d["code"]
        act(self, DISTRICT, "accept", code)
        f = act(self, DISTRICT, "fee-request", code, "--amount", "50000")
        self.assertEqual(f["status"], 6, f)
        self.assertEqual(f["fee_amount"], 50000, f)
        self.assertIsNotNone(f["paused_at"], f)
        p = act(self, PATHS, "fee-paid", code)
        self.assertEqual(p["status"], 4, p)
        self.assertIsNone(p["paused_at"], p)
        self.assertGreaterEqual(parse_time(p["due_at"]), parse_time(f["due_at"]))

        new_day = day_after(p["due_at"], 10)
        r = act(self, DISTRICT, "reschedule", code, "--to", new_day,
                "--reason", "Cần xác minh thực địa")
        self.assertTrue(r["rescheduled"], r)
        self.assertEqual(r["due_at"], new_day + "T17:00:00+07:00", r)
        self.assertEqual(r["status"], 4)
        again = act(self, DISTRICT, "reschedule", code, "--to", day_after(r["due_at"], 5),
                    "--reason", "Lần hai", ok=False)
        self.assertEqual(again.rc, 1)
        self.assertIn("once", again.doc["error"].get("detail", ""), again)
        self.assertEqual(show(self, PATHS, code)["due_at"], r["due_at"], "nothing changed")

        s = act(self, DISTRICT, "stop", code, "--reason", "Công dân không thực hiện nghĩa vụ")
        self.assertEqual(s["status"], 8, s)
        self.assertIsNotNone(s["finished_at"], s)
        b = act(self, DISTRICT, "send-back", code)
        self.assertEqual((b["status"], b["holder_unit"]), (8, PATHS))
        self.assertEqual([x["action"] for x in history(self, PATHS, code)],
                         ["receive", "forward", "accept", "fee_request", "fee_paid",
                          "reschedule", "stop", "send_back"])

    def test_reschedule_not_earlier(self):
        d, _ = new_dossier(self, PATHS)
        code = d["code"]
        earlier = day_after(d["due_at"], -1)
        r = act(self, PATHS, "reschedule", code, "--to", earlier, "--reason", "Sớm hơn", ok=False)
        self.assertTrue(r.doc["error"].get("detail"), r)
        self.assertFalse(show(self, PATHS, code)["rescheduled"])


class TestOverdueAndFilters(unittest.TestCase):
    def test_second_supplement_request_is_overdue(self):
        d, _ = new_dossier(self, PATHS)
        code = d["code"]
        s1 = act(self, PATHS, "supplement-request", code, "--reason", "Thiếu ảnh")
        self.assertEqual((s1["status"], s1["supplement_count"], s1["overdue"]), (5, 1, False))
        act(self, PATHS, "supplement", code)
        s2 = act(self, PATHS, "supplement-request", code, "--reason", "Thiếu ảnh lần hai")
        self.assertEqual(s2["supplement_count"], 2, s2)
        self.assertTrue(s2["overdue"], s2)
        # still overdue after the supplement arrives (derived from the count)
        s3 = act(self, PATHS, "supplement", code)
        self.assertTrue(s3["overdue"], s3)
        self.assertTrue(show(self, PATHS, code)["overdue"])

        fresh, _ = new_dossier(self, PATHS)
        r, lst = dossier_list(PATHS, "--overdue")
        self.assertEqual(r.rc, 0, r)
        self.assertIn(code, codes(lst))
        self.assertNotIn(fresh["code"], codes(lst))
        for x in lst:
            self.assertTrue(x["overdue"], x)
            self.assertEqual(x["unit"], PATHS, x)

    def test_due_within(self):
        # a short-limit commune procedure and the longest district one, of the
        # published catalogue (test_deadlines adds an 8-hour test procedure to
        # the shared fixture, which outlives one ctest run)
        procs = [p for p in procedures() if p["code"] in REQUIRED_COMPONENTS]
        short = min((p for p in procs if p["level"] == "commune"),
                    key=lambda p: (p["limit_unit"] != "hours", p["limit_value"]))
        long_ = max((p for p in procs if p["limit_unit"] == "working_days"),
                    key=lambda p: p["limit_value"])
        a, _ = new_dossier(self, PATHS, level="commune", proc=short["code"])
        b, _ = new_dossier(self, PATHS, proc=long_["code"])
        done, _ = new_dossier(self, PATHS, level="commune", proc=short["code"])
        act(self, PATHS, "accept", done["code"])
        act(self, PATHS, "result", done["code"])  # finished: never "due within"
        now = datetime.datetime.now(datetime.timezone.utc)
        until_a = (parse_time(a["due_at"]) - now).total_seconds()
        until_b = (parse_time(b["due_at"]) - now).total_seconds()
        hours = int(until_a // 3600) + 2
        self.assertLess(hours * 3600, until_b, "limits too close to tell apart: %r %r" % (a, b))
        r, lst = dossier_list(PATHS, "--due-within", "%dh" % hours)
        self.assertEqual(r.rc, 0, r)
        self.assertIn(a["code"], codes(lst))
        self.assertNotIn(b["code"], codes(lst))
        self.assertNotIn(done["code"], codes(lst))
        limit = now + datetime.timedelta(hours=hours, minutes=1)
        for x in lst:
            self.assertLessEqual(parse_time(x["due_at"]), limit, x)
            self.assertIsNone(x["finished_at"], x)
        # a bad span is a usage error, before any connection
        bad = cli(PATHS, "list", "--due-within", "soon")
        self.assertEqual(bad.rc, 2, bad)


if __name__ == "__main__":
    unittest.main()
