"""Officer accounts against the real server (issue 15): the administrator's
side (OfficersRequest), sessions that end when an account is disabled or
its password reset, the people's lists, who the progress log and the slips
name, and no password or token in any log.

Communes used by this file: 18550 (A) and 18529 (B); the district 444.
Every officer it works with is created here (`officers add`, logins with a
random suffix: logins are unique in the whole system), so the provisioned
officers other tests log in with are never disabled or reset.
"""
import os
import random
import re
import shutil
import subprocess
import tempfile
import unittest

from itest import DISTRICT, ENV_DIR, LOCAL_SH, Raw, decode, f_bytes, f_varint, unwrap
from officer_util import Desk, poll, provisioned, rules_for_op
from wfhelp import SERVER_LOG, log_offset, log_since, wait_log

UNIT_A = "18550"
UNIT_B = "18529"
REVOKE_BOUND_S = 5.0  # the bound on a disabled officer's live session
SUFFIX = "%06d" % random.randrange(10 ** 6)
LOG_OFF = log_offset()  # this file's part of the server log starts here


def login_name(tag):
    return "t15%s%s" % (SUFFIX, tag)


def officers_of(r):
    return unwrap(r.doc, "officers") or []


B_OFFICERS, B_OFFICERS_REPLY = 64, 65  # Envelope fields (proto/motcua.proto)


def officers_body(op, key, login, name="", roles=()):
    officer = f_bytes(1, login) + f_bytes(2, name) + b"".join(f_varint(5, r) for r in roles)
    return f_varint(1, op) + f_bytes(3, officer, always=True) + f_bytes(4, key)


def psql(sql):
    p = subprocess.run(["bash", LOCAL_SH, "psql", ENV_DIR, "-At", "-c", sql],
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(p.stderr.decode("utf-8", "replace"))
    return p.stdout.decode().strip()


class OfficersBase(unittest.TestCase):
    secrets = []  # every password this file used, grepped for in the logs
    desks = []

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="motcua-off-")
        cls.log_off = log_offset()
        # the provisioned unit administrators of A and of the district
        cls.admin_a = cls.desk(UNIT_A, "admin-a")
        cls.must_login(cls.admin_a, UNIT_A, "unit_admin")
        cls.admin_d = cls.desk(DISTRICT, "admin-d")
        cls.must_login(cls.admin_d, DISTRICT, "unit_admin")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def desk(cls, unit, name):
        d = Desk(unit, cls.tmp, name)
        OfficersBase.desks.append(d)
        return d

    @classmethod
    def must_login(cls, desk, unit, role):
        login, pw = provisioned(unit, role)
        OfficersBase.secrets.append(pw)
        r = desk.login(login, pw)
        if r.rc != 0:
            raise AssertionError("login %s at %s: %r" % (login, unit, r))
        return r

    def add(self, admin, tag, roles, name, title="Công chức", unit=None):
        args = ["officers", "add", login_name(tag), "--name", name, "--title", title,
                "--roles", roles]
        if unit:
            args += ["--unit", unit]
        r = admin.run(*args)
        self.assertEqual(r.rc, 0, r)
        pw = r.doc.get("temporary_password", "")
        self.assertGreaterEqual(len(pw), 12, r)
        OfficersBase.secrets.append(pw)
        o = officers_of(r)
        self.assertEqual(len(o), 1, r)
        self.assertEqual(o[0]["login"], login_name(tag))
        self.assertTrue(o[0]["must_change_password"], r)
        return login_name(tag), pw

    def first_login(self, desk, login, temp_pw):
        """Log in with the temporary password, change it, log in with the new one."""
        r = desk.login(login, temp_pw)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.doc.get("must_change_password"), r)
        new = "Mk-%s-%06d!" % (SUFFIX, random.randrange(10 ** 6))
        OfficersBase.secrets.append(new)
        r = desk.passwd(temp_pw, new)
        self.assertEqual(r.rc, 0, r)
        return new


class TestAdministration(OfficersBase):
    def test_add_list_and_forced_change_at_first_login(self):
        login, temp = self.add(self.admin_a, "rcv1", "receiving", "Phan Thị Tiếp Nhận")
        r = self.admin_a.run("officers", "list")
        self.assertEqual(r.rc, 0, r)
        row = [o for o in officers_of(r) if o["login"] == login]
        self.assertEqual(len(row), 1, r)
        self.assertEqual(row[0]["roles"], ["receiving"])
        self.assertNotIn("temporary_password", r.doc)  # shown once, at the add
        self.assertNotIn(temp, r.out)
        desk = self.desk(UNIT_A, "rcv1")
        r = desk.login(login, temp)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.doc.get("must_change_password"), r)
        # before the change nothing that changes a dossier goes through
        r = desk.run("receive", "--procedure", "1.001776", "--name", "Lê Văn Chờ",
                     "--id", "042190012399")
        self.assertEqual((r.rc, r.error_code), (1, "password_change_required"), r)
        new = "Mk-%s-first!" % SUFFIX
        OfficersBase.secrets.append(new)
        r = desk.passwd(temp, new)
        self.assertEqual(r.rc, 0, r)
        r = desk.run("receive", "--procedure", "1.001776", "--name", "Lê Văn Được",
                     "--id", "042190012398")
        self.assertEqual(r.rc, 0, r)

    def test_reset_password_ends_sessions_and_forces_change(self):
        login, temp = self.add(self.admin_a, "rst1", "receiving,processing", "Đỗ Văn Cấp Lại")
        desk = self.desk(UNIT_A, "rst1")
        pw = self.first_login(desk, login, temp)
        self.assertEqual(desk.run("officers", "list").rc, 0)
        r = self.admin_a.run("officers", "reset-password", login)
        self.assertEqual(r.rc, 0, r)
        temp2 = r.doc.get("temporary_password", "")
        OfficersBase.secrets.append(temp2)
        self.assertGreaterEqual(len(temp2), 12, r)
        self.assertNotEqual(temp2, temp)
        # the live session ends within the bound (here: at once, same instance)
        ended = poll(lambda: desk.run("officers", "list").error_code == "login_required",
                     REVOKE_BOUND_S, 0.2)
        self.assertTrue(ended, "session still alive %.0f s after the reset" % REVOKE_BOUND_S)
        r = desk.login(login, pw)
        self.assertEqual((r.rc, r.error_code), (1, "bad_login"), r)
        r = desk.login(login, temp2)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.doc.get("must_change_password"), r)
        r = desk.run("officers", "list")
        self.assertEqual(r.error_code, "password_change_required", r)

    def test_disable_ends_live_session_within_5s_and_enable(self):
        login, temp = self.add(self.admin_a, "dis1", "receiving", "Bùi Văn Tạm Khóa")
        desk = self.desk(UNIT_A, "dis1")
        pw = self.first_login(desk, login, temp)
        self.assertEqual(desk.run("officers", "list").rc, 0)
        r = self.admin_a.run("officers", "disable", login)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(officers_of(r)[0]["disabled"], r)
        ended = poll(lambda: desk.run("officers", "list").error_code == "login_required",
                     REVOKE_BOUND_S, 0.2)
        self.assertTrue(ended, "session still alive %.0f s after disable" % REVOKE_BOUND_S)
        r = desk.login(login, pw)
        self.assertEqual((r.rc, r.error_code), (1, "bad_login"), r)
        r = self.admin_a.run("officers", "enable", login)
        self.assertEqual(r.rc, 0, r)
        self.assertFalse(officers_of(r)[0]["disabled"], r)
        self.assertEqual(desk.login(login, pw).rc, 0)

    def test_idempotent_add_and_audit(self):
        """A repeated key answers the first change without the password; a key
        used for another change is a conflict; one audit row and one log line
        (who, what; no password) per change."""
        off = log_offset()
        with open(self.admin_a.session) as f:
            token = f.readline().strip()  # then the officer's login
        raw = Raw(UNIT_A, token=token)
        self.addCleanup(raw.close)
        self.assertIsNone(raw.hello().error_code)
        login, key = login_name("idem"), "t15-idem-%s" % SUFFIX
        body = officers_body(1, key, login, "Mai Thị Một Lần", roles=(1,))
        first = raw.call(2, B_OFFICERS, body)
        self.assertEqual(first.body_field, B_OFFICERS_REPLY, first)
        temp = first.body.get(2, [b""])[0].decode()
        OfficersBase.secrets.append(temp)
        self.assertGreaterEqual(len(temp), 12)
        again = raw.call(3, B_OFFICERS, body)
        self.assertEqual(again.body_field, B_OFFICERS_REPLY, again)
        self.assertEqual(decode(again.body[1][0])[1][0].decode(), login)
        self.assertEqual(again.body.get(2, [b""])[0], b"")  # shown once, not again
        other = raw.call(4, B_OFFICERS, officers_body(2, key, login))  # DISABLE, same key
        self.assertEqual(other.error_code, "conflict", other)
        n = psql("SELECT count(*) FROM officer_audit a JOIN officers o ON o.id = a.officer_id"
                 " WHERE o.login = '%s'" % login)
        self.assertEqual(n, "1")
        line = wait_log(self, off, "officers op=add", "login=%s" % login,
                        "by=%s" % provisioned(UNIT_A, "unit_admin")[0])
        self.assertNotIn("replayed", line)
        wait_log(self, off, "officers op=add", "login=%s" % login, "replayed=1")
        self.assertNotIn(temp, log_since(off))

    def test_roles_change(self):
        login, temp = self.add(self.admin_a, "rol1", "receiving", "Hồ Thị Vai Trò")
        desk = self.desk(UNIT_A, "rol1")
        self.first_login(desk, login, temp)
        receive = ("receive", "--procedure", "1.001776", "--name", "Hồ Văn Đổi Vai",
                   "--id", "042190012394")
        self.assertEqual(desk.run(*receive).rc, 0)
        r = self.admin_a.run("officers", "roles", login, "--roles", "processing,leader")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(sorted(officers_of(r)[0]["roles"]), ["leader", "processing"])
        r = self.admin_a.run("officers", "list", "--role", "leader")
        self.assertIn(login, [o["login"] for o in officers_of(r)], r)
        r = self.admin_a.run("officers", "list", "--role", "receiving")
        self.assertNotIn(login, [o["login"] for o in officers_of(r)], r)
        # the session goes on, with the new roles from the next request on
        self.assertEqual(desk.run("officers", "list").rc, 0)
        r = desk.run(*receive)
        self.assertEqual((r.rc, r.error_code), (1, "forbidden"), r)

    def test_unit_admin_manages_only_its_unit(self):
        r = self.admin_a.run("officers", "add", login_name("xb1"), "--name", "Người Khác Đơn Vị",
                             "--roles", "receiving", "--unit", UNIT_B)
        self.assertEqual((r.rc, r.error_code), (1, "forbidden"), r)
        r = self.admin_a.run("officers", "list", "--unit", UNIT_B)
        self.assertEqual((r.rc, r.error_code), (1, "forbidden"), r)
        me = provisioned(UNIT_A, "unit_admin")[0]
        r = self.admin_a.run("officers", "disable", me)
        self.assertEqual((r.rc, r.error_code), (1, "forbidden"), r)

    def test_only_the_unit_admin_role_changes_accounts(self):
        verdict = rules_for_op("officers")
        login, temp = self.add(self.admin_a, "prc1", "processing", "Ngô Văn Xử Lý")
        desk = self.desk(UNIT_A, "prc1")
        self.first_login(desk, login, temp)
        r = desk.run("officers", "list")  # any logged-in officer of the unit lists
        self.assertEqual(r.rc, 0, r)
        r = desk.run("officers", "add", login_name("prc2"), "--name", "Không Được Thêm",
                     "--roles", "receiving")
        want = (0, None) if verdict["processing"] == "allow" else (1, "forbidden")
        self.assertEqual((r.rc, r.error_code), want, r)

    def test_it_manages_any_unit(self):
        it = self.desk("admin", "it")
        self.must_login(it, "admin", "unit_admin")
        r = it.run("officers", "list", "--unit", UNIT_B)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(officers_of(r), r)
        login, _ = self.add(it, "itb1", "leader", "Đinh Văn Công Nghệ", unit=UNIT_B)
        r = self.admin_a.run("officers", "list")
        self.assertNotIn(login, [o["login"] for o in officers_of(r)])
        r = it.run("officers", "add", login_name("itx"), "--name", "Không Đơn Vị",
                   "--roles", "receiving")
        self.assertEqual((r.rc, r.error_code), (1, "invalid"), r)


class TestSessions(OfficersBase):
    def test_every_change_refused_without_login(self):
        worker = self.desk(UNIT_A, "nl-worker")
        self.must_login(worker, UNIT_A, "tester")
        r = worker.run("receive", "--procedure", "1.001776", "--name", "Trần Văn Có Mã",
                       "--id", "042190012397")
        self.assertEqual(r.rc, 0, r)
        code = unwrap(r.doc, "dossier")["code"]
        anon = self.desk(UNIT_A, "nobody")
        pdf = os.path.join(self.tmp, "scan.pdf")
        with open(pdf, "wb") as f:
            f.write(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        changes = [
            ("receive", "--procedure", "1.001776", "--name", "Lê Thị Vô Danh",
             "--id", "042190012396"),
            ("forward", code), ("accept", code), ("assign", code, "--to", "ai_do"),
            ("propose", code), ("result", code), ("send-back", code),
            ("supplement-request", code, "--reason", "Thiếu"), ("supplement", code),
            ("fee-request", code, "--amount", "50000"), ("fee-paid", code),
            ("refuse", code, "--reason", "Không"), ("stop", code, "--reason", "Dừng"),
            ("withdraw", code), ("reschedule", code, "--to", "2099-06-15", "--reason", "Hẹn"),
            ("return", code, "--to", "Nguyễn Văn A"), ("rate", code, "--level", "3"),
            ("attach", code, pdf), ("officers", "list"),
            ("officers", "add", login_name("nl"), "--name", "Không Ai", "--roles", "receiving"),
            ("list", "--mine"),
        ]
        for args in changes:
            r = anon.run(*args)
            self.assertEqual((r.rc, r.error_code), (1, "login_required"), (args, r))
        # reads need only the certificate
        self.assertEqual(anon.run("show", code).rc, 0)
        r = worker.run("show", code)
        self.assertEqual(unwrap(r.doc, "dossier")["status"], 2, r)

    def test_officer_of_a_refused_with_bs_certificate(self):
        login, temp = self.add(self.admin_a, "xu1", "receiving", "Vũ Văn Sai Máy")
        desk_a = self.desk(UNIT_A, "xu1-a")
        pw = self.first_login(desk_a, login, temp)
        desk_b = self.desk(UNIT_B, "xu1-b")
        r = desk_b.login(login, pw)
        self.assertEqual(r.rc, 1, r)
        self.assertIn(r.error_code, ("bad_login", "login_required"), r)
        # A's token carried to B's desk machine is no good there either
        for n in os.listdir(desk_a.state):
            shutil.copy(os.path.join(desk_a.state, n), desk_b.state)
        r = desk_b.run("officers", "list")
        self.assertEqual((r.rc, r.error_code), (1, "login_required"), r)


class TestPeopleLists(OfficersBase):
    def test_assign_mine_propose_awaiting(self):
        # a district-level dossier received and forwarded by commune A
        rcv = self.desk(UNIT_A, "pl-rcv")
        self.must_login(rcv, UNIT_A, "receiving")
        r = rcv.run("receive", "--procedure", "1.004227", "--name", "Cao Thị Liên Thông",
                    "--id", "042190012395")
        self.assertEqual(r.rc, 0, r)
        code = unwrap(r.doc, "dossier")["code"]
        self.assertEqual(rcv.run("forward", code).rc, 0)
        # the district: a processing officer and a leader of its own
        p_login, p_temp = self.add(self.admin_d, "plp", "processing", "Trương Văn Chuyên Viên")
        l_login, l_temp = self.add(self.admin_d, "pll", "leader", "Lý Thị Lãnh Đạo",
                                   title="Phó Giám đốc")
        proc, lead = self.desk(DISTRICT, "pl-p"), self.desk(DISTRICT, "pl-l")
        self.first_login(proc, p_login, p_temp)
        self.first_login(lead, l_login, l_temp)
        drcv = self.desk(DISTRICT, "pl-drcv")
        self.must_login(drcv, DISTRICT, "receiving")
        self.assertEqual(drcv.run("accept", code).rc, 0)
        # assign without --to: the candidates, every one a processing officer
        r = lead.run("assign", code)
        self.assertEqual(r.rc, 0, r)
        cands = officers_of(r)
        self.assertIn(p_login, [o["login"] for o in cands], r)
        self.assertTrue(all("processing" in o["roles"] for o in cands), r)
        self.assertNotIn(l_login, [o["login"] for o in cands])
        r = lead.run("assign", code, "--to", l_login)  # a leader is no processing officer
        self.assertEqual(r.rc, 1, r)
        r = lead.run("assign", code, "--to", p_login)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(unwrap(r.doc, "dossier").get("assigned_login"), p_login, r)
        r = proc.run("list", "--mine")
        self.assertEqual(r.rc, 0, r)
        self.assertIn(code, [d["code"] for d in unwrap(r.doc, "dossiers")], r)
        self.assertNotIn(code, [d["code"] for d in unwrap(lead.run("list", "--mine").doc,
                                                          "dossiers")])
        self.assertNotIn(code, [d["code"] for d in unwrap(
            lead.run("list", "--awaiting-signature").doc, "dossiers")])
        self.assertEqual(proc.run("propose", code).rc, 0)
        r = lead.run("list", "--awaiting-signature")
        self.assertEqual(r.rc, 0, r)
        self.assertIn(code, [d["code"] for d in unwrap(r.doc, "dossiers")], r)
        self.assertEqual(lead.run("result", code).rc, 0)
        r = lead.run("list", "--awaiting-signature")
        self.assertNotIn(code, [d["code"] for d in unwrap(r.doc, "dossiers")], r)
        # the progress log and the process-control slip name who did each step
        r = lead.run("history", code)
        steps = {s["action"]: s for s in r.doc["steps"]}
        self.assertEqual(steps["propose"].get("officer_login"), p_login, steps)
        self.assertTrue(steps["propose"].get("officer_verified"), steps)
        self.assertEqual(steps["result"].get("officer_login"), l_login, steps)
        self.assertEqual(steps["result"].get("officer"), "Lý Thị Lãnh Đạo", steps)
        out = os.path.join(self.tmp, "05.pdf")
        r = lead.run("slip", code, "--form", "05", "-o", out)
        self.assertEqual(r.rc, 0, r)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", out, "-"], capture_output=True,
                              timeout=30).stdout.decode("utf-8")
        flat = " ".join(text.split())
        # a name may wrap inside its table cell, the next column's words between
        # its lines: its words in reading order
        for name in ("Trương Văn Chuyên Viên", "Lý Thị Lãnh Đạo"):
            self.assertRegex(flat, ".*".join(re.escape(w) for w in name.split()), text)
        self.assertIn("Trình ký", flat)


class TestZzNoSecretInLogs(OfficersBase):
    """Runs last (unittest orders classes by name): every password and token
    this file used, in the server's log and in every client's log (debug)."""

    def test_no_password_or_token_in_any_log(self):
        secrets = [s.strip() for s in OfficersBase.secrets if s and len(s.strip()) >= 8]
        tokens = [t for d in OfficersBase.desks for t in d.tokens]
        self.assertTrue(tokens, "no token collected")
        self.assertTrue(secrets, "no secret collected: the tests above did not run")
        server = log_since(LOG_OFF)
        clients = "\n".join(x for d in OfficersBase.desks for x in d.logs)
        for s in secrets + tokens:
            self.assertNotIn(s, server, "a secret in %s" % SERVER_LOG)
            self.assertNotIn(s, clients, "a secret in a client's log")


if __name__ == "__main__":
    unittest.main()
