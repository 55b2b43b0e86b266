"""Each officer role's allowed and refused actions, from the rules table
(issue 15). The expectations are not typed in here: for every step the
test asks tests/tools/officer_rules.c (test-officer-rules, linked with
mc_rules: mc_wf_decide and mc_wf_officer_may, the functions the server
itself calls) which of the four roles the table allows on the dossier as
it stands, then has every refused role's officer try it (refused with
forbidden, rule.officer_role, nothing changed) and one allowed role's
officer do it.

Officers: the provisioned single-role ones (deploy/local.sh:
<role>.<unit>). Communes used by this file: 18535; the district 444.
"""
import shutil
import tempfile
import unittest

from itest import DISTRICT, unwrap
from officer_util import ROLES, Desk, provisioned, rules_for_action, rules_for_op

UNIT = "18535"
COMMUNE_PROC = "2.000815"   # commune level
DISTRICT_PROC = "1.004227"  # district level
ARGS = {"return": ("--to", "Nguyễn Văn Nhận"), "rate": ("--level", "3"),
        "supplement_request": ("--reason", "Thiếu giấy tờ"),
        "fee_request": ("--amount", "50000"), "refuse": ("--reason", "Không đủ điều kiện"),
        "stop": ("--reason", "Dừng xử lý"), "withdraw": ("--reason", "Công dân rút")}


class TestOfficerRoles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="motcua-roles-")
        cls.desks = {}
        for unit in (UNIT, DISTRICT):
            for role in ROLES:
                d = Desk(unit, cls.tmp, "%s-%s" % (role, unit))
                login, pw = provisioned(unit, role)
                r = d.login(login, pw)
                if r.rc != 0:
                    raise AssertionError("login %s: %r" % (login, r))
                cls.desks[unit, role] = d

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def show(self, code):
        r = self.desks[UNIT, "receiving"].run("show", code)
        self.assertEqual(r.rc, 0, r)
        return unwrap(r.doc, "dossier")

    def receive(self, proc, name):
        r = self.desks[UNIT, "receiving"].run("receive", "--procedure", proc, "--name", name,
                                              "--id", "0421900%05d" % (hash(name) % 100000))
        self.assertEqual(r.rc, 0, r)
        return unwrap(r.doc, "dossier")["code"]

    def step(self, unit, action, code, *args):
        """Every role the table refuses is refused; one it allows does it."""
        before = self.show(code)
        actor_role = "district" if unit == DISTRICT else "commune"
        verdict = rules_for_action(action, before, unit, actor_role)
        allowed = [r for r in ROLES if verdict[r] == "allow"]
        refused = [r for r in ROLES if verdict[r] == "role"]
        self.assertTrue(allowed, "%s at status %d: the table allows no role (%r)"
                        % (action, before["status"], verdict))
        cmd = action.replace("_", "-")
        args = args or ARGS.get(action, ())
        for role in refused:
            r = self.desks[unit, role].run(cmd, code, *args)
            self.assertEqual((r.rc, r.error_code), (1, "forbidden"), (action, role, r))
            self.assertTrue(r.doc["error"].get("detail", "").startswith("rule.officer_role"),
                            (action, role, r))
        after = self.show(code)
        self.assertEqual((after["status"], after["holder_unit"]),
                         (before["status"], before["holder_unit"]), "a refusal changed it")
        r = self.desks[unit, allowed[0]].run(cmd, code, *args)
        self.assertEqual(r.rc, 0, (action, allowed[0], r))
        return verdict

    def test_commune_level_dossier_role_by_role(self):
        code = self.receive(COMMUNE_PROC, "Phạm Văn Từng Bước")
        for action in ("accept", "supplement_request", "supplement", "fee_request", "fee_paid",
                       "propose", "result", "return", "rate"):
            self.step(UNIT, action, code)
        self.assertEqual(self.show(code)["status"], 10)

    def test_refuse_stop_withdraw_by_role(self):
        self.step(UNIT, "refuse", self.receive(COMMUNE_PROC, "Lê Thị Bị Từ Chối"))
        code = self.receive(COMMUNE_PROC, "Trần Văn Bị Dừng")
        self.step(UNIT, "accept", code)
        self.step(UNIT, "stop", code)
        self.step(UNIT, "withdraw", self.receive(COMMUNE_PROC, "Hồ Thị Rút Hồ Sơ"))

    def test_district_level_dossier_role_by_role(self):
        code = self.receive(DISTRICT_PROC, "Vũ Văn Liên Thông")
        self.step(UNIT, "forward", code)
        self.step(DISTRICT, "accept", code)
        self.step(DISTRICT, "assign", code, "--to", provisioned(DISTRICT, "processing")[0])
        self.step(DISTRICT, "propose", code)
        self.step(DISTRICT, "result", code)
        self.step(DISTRICT, "send_back", code)
        self.step(UNIT, "return", code)
        self.assertEqual(self.show(code)["status"], 10)

    def test_receive_by_role(self):
        verdict = rules_for_op("receive")
        self.assertIn("allow", verdict.values(), verdict)
        for role in ROLES:
            r = self.desks[UNIT, role].run("receive", "--procedure", COMMUNE_PROC,
                                           "--name", "Đặng Thị Nộp Hồ Sơ", "--id", "042190054321")
            if verdict[role] == "allow":
                self.assertEqual(r.rc, 0, (role, r))
            else:
                self.assertEqual((r.rc, r.error_code), (1, "forbidden"), (role, r))


if __name__ == "__main__":
    unittest.main()
