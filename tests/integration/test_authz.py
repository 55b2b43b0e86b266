"""Authorisation rules of the workflow (docs/WORKFLOW.md, docs/PROTOCOL.md):
one test per rule. Every refusal must name its rule in the JSON error's
`detail`, and a refused workflow action is logged by the server
(`action refused ... rule="..."` in DIR/server.log).

Communes used only by this file: 18547 (Phúc Trạch) and 18532 (Gia Phố).
"""
import unittest

from itest import DISTRICT, cli
from wfhelp import (act, assert_refusal_logged, forwarded, log_offset, new_dossier, show,
                    wait_log)

UNIT = "18547"
OTHER = "18532"
ADMIN = "admin"

# every workflow action with arguments that pass the CLI's own checks
ACTIONS = [
    ("accept",), ("assign", "--to", "tester.444", "--dept", "Phòng Nội vụ"), ("result",),
    ("send-back",), ("supplement-request", "--reason", "Thiếu giấy tờ"),
    ("supplement", "--note", "Đã bổ sung"), ("fee-request", "--amount", "50000"),
    ("fee-paid",), ("refuse", "--reason", "Không đủ điều kiện"),
    ("stop", "--reason", "Dừng"), ("withdraw", "--reason", "Rút"),
    ("reschedule", "--to", "2099-06-15", "--reason", "Hẹn lại"),
    ("return", "--to", "Nguyễn Văn A"), ("rate", "--level", "3"),
]
WIRE = {"send-back": "send_back", "supplement-request": "supplement_request",
        "fee-request": "fee_request", "fee-paid": "fee_paid"}


class TestAuthz(unittest.TestCase):
    def refused(self, unit, action, code, *args, want=None):
        """unit's action on code is refused, names its rule, and is logged."""
        off = log_offset()
        r = act(self, unit, action, code, *args, ok=False)
        if want is not None:
            self.assertIn(r.error_code, want if isinstance(want, tuple) else (want,), r)
        if r.error_code != "not_found":
            assert_refusal_logged(self, off, r, WIRE.get(action, action), code)
        return r

    def test_commune_cannot_touch_another_communes_dossier(self):
        d, cid = new_dossier(self, UNIT, name="Vũ Thị Riêng Tư")
        code = d["code"]
        for a in ACTIONS + [("forward",)]:
            r = act(self, OTHER, a[0], code, *a[1:], ok=False)
            self.assertEqual(r.error_code, "not_found", r)  # cannot probe other units' codes
            self.assertNotIn(cid, r.out + r.err)
            self.assertNotIn("Riêng Tư", r.out + r.err)
        for cmd in ("show", "history"):
            r = cli(OTHER, cmd, code)
            self.assertEqual((r.rc, r.error_code), (1, "not_found"), r)
        self.assertEqual(show(self, UNIT, code)["status"], 2, "nothing changed")

    def test_district_cannot_act_before_forward(self):
        d, cid = new_dossier(self, UNIT)
        code = d["code"]
        for a in ACTIONS:
            r = act(self, DISTRICT, a[0], code, *a[1:], ok=False)
            self.assertEqual(r.error_code, "not_found", r)
            self.assertNotIn(cid, r.out + r.err)
        r = cli(DISTRICT, "show", code)
        self.assertEqual((r.rc, r.error_code), (1, "not_found"), r)
        after = show(self, UNIT, code)
        self.assertEqual((after["status"], after["holder_unit"]), (2, UNIT))

    def test_commune_cannot_do_district_steps(self):
        d, _ = forwarded(self, UNIT)
        code = d["code"]
        self.refused(UNIT, "accept", code, want="forbidden")
        self.refused(UNIT, "assign", code, "--to", "tester.444", "--dept", "Phòng Nội vụ",
                     want="forbidden")
        act(self, DISTRICT, "accept", code)
        act(self, DISTRICT, "result", code)
        self.refused(UNIT, "send-back", code, want="forbidden")
        self.refused(UNIT, "result", code, want=("forbidden", "bad_state"))
        self.assertEqual(show(self, UNIT, code)["holder_unit"], DISTRICT)

    def test_return_before_send_back(self):
        d, _ = forwarded(self, UNIT)
        code = d["code"]
        act(self, DISTRICT, "accept", code)
        act(self, DISTRICT, "result", code)
        self.refused(UNIT, "return", code, "--to", "Nguyễn Văn A", want="forbidden")
        # nor may the district hand the result to the citizen
        self.refused(DISTRICT, "return", code, "--to", "Nguyễn Văn A", want="forbidden")
        s = show(self, UNIT, code)
        self.assertEqual((s["status"], s["collected_by"]), (9, None))
        act(self, DISTRICT, "send-back", code)
        self.assertEqual(act(self, UNIT, "return", code, "--to", "Nguyễn Văn A")["status"], 10)

    def test_wrong_status_names_the_rule(self):
        d, _ = new_dossier(self, UNIT, level="commune")  # its own to resolve
        code = d["code"]
        r = self.refused(UNIT, "result", code, want="bad_state")  # 2 -> result needs 4
        self.assertIn("status 2", r.doc["error"]["detail"])
        self.refused(UNIT, "fee-paid", code, want="bad_state")
        self.refused(UNIT, "rate", code, "--level", "2", want="bad_state")
        c, _ = new_dossier(self, UNIT, level="commune")
        off = log_offset()
        r = act(self, UNIT, "forward", c["code"], ok=False)
        self.assertEqual(r.error_code, "wrong_level", r)
        assert_refusal_logged(self, off, r, "forward", c["code"])

    def test_admin_sees_no_dossier(self):
        d, cid = forwarded(self, UNIT, name="Hà Thị Bí Mật")
        code = d["code"]
        cmds = [("receive", "--procedure", d["procedure"], "--name", "Hà Thị Bí Mật",
                 "--id", cid), ("show", code), ("list",), ("history", code),
                ("search", "bi mat"), ("search", cid), ("inbox",), ("inbox", "--peek"),
                ("forward", code), ("slip", code, "--form", "01", "-o", "/dev/null")]
        cmds += [(a[0], code) + a[1:] for a in ACTIONS]
        for c in cmds:
            off = log_offset()
            r = cli(ADMIN, *c)
            self.assertEqual(r.rc, 1, "admin %r: %r" % (c, r))
            self.assertEqual(r.error_code, "forbidden", "admin %r: %r" % (c, r))
            self.assertTrue(r.doc["error"].get("detail"), r)
            secrets = [cid, "Bí Mật", "Hà Thị"]
            if c[0] in ("list", "search", "inbox"):
                secrets.append(code)
            for secret in secrets:
                self.assertNotIn(secret, r.out + r.err, "admin %r leaks data: %r" % (c, r))
            wait_log(self, off, "refused", "err=forbidden",
                     'detail="%s"' % r.doc["error"]["detail"])
        s = show(self, DISTRICT, code)
        self.assertEqual((s["status"], s["holder_unit"]), (2, DISTRICT), "nothing changed")

    def test_admin_refused_actions_are_audited(self):
        """docs/WORKFLOW.md: admin certificates can do none of the actions; a
        refused action names its rule in detail and is logged as
        `action refused ... rule="..."` (and written to refusal_log)."""
        d, _ = forwarded(self, UNIT)
        code = d["code"]
        problems = []
        for a in ACTIONS + [("forward",)]:
            off = log_offset()
            r = cli(ADMIN, a[0], code, *a[1:])
            self.assertEqual((r.rc, r.error_code), (1, "forbidden"), r)
            detail = r.doc["error"].get("detail")
            if detail in (None, "", "action", "forward"):
                problems.append("%s: detail %r names no rule" % (a[0], detail))
            try:
                wait_log(self, off, "action refused", "action=%s" % WIRE.get(a[0], a[0]),
                         "code=%s" % code, "unit=admin", timeout=1.0)
            except AssertionError:
                problems.append("%s: no 'action refused' log line" % a[0])
        self.assertEqual(problems, [], "admin refusals are not audited like other refusals")

    def test_holidays_admin_only(self):
        day = "2098-03-17"
        cli(ADMIN, "holidays", "remove", day)  # left over from an interrupted run
        add = cli(ADMIN, "holidays", "add", day, "--name", "Ngày thử quyền")
        self.assertEqual(add.rc, 0, add)
        lst = cli(UNIT, "holidays", "list", "--year", "2098")
        self.assertEqual(lst.rc, 0, lst)
        self.assertIn(day, lst.out)
        for unit in (UNIT, DISTRICT):
            r = cli(unit, "holidays", "add", "2098-03-18", "--name", "Không được")
            self.assertEqual((r.rc, r.error_code), (1, "forbidden"), r)
            self.assertTrue(r.doc["error"].get("detail"), r)
            r = cli(unit, "holidays", "remove", day)
            self.assertEqual((r.rc, r.error_code), (1, "forbidden"), r)
        self.assertIn(day, cli(UNIT, "holidays", "list", "--year", "2098").out)
        self.assertNotIn("2098-03-18", cli(UNIT, "holidays", "list", "--year", "2098").out)
        rm = cli(ADMIN, "holidays", "remove", day)
        self.assertEqual(rm.rc, 0, rm)
        self.assertNotIn(day, cli(UNIT, "holidays", "list", "--year", "2098").out)


if __name__ == "__main__":
    unittest.main()
