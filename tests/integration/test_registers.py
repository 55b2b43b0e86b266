"""Issue 14, the rest of findings 4, 5 and 6 through the real server, CLI
and PostgreSQL:

- slip 01 from the real intake (address, e-mail, documents by their
  catalogue names, sets, the legal time limit, the missing reason, the
  yearly register number), read back with pdftotext (no poppler warning);
- register numbers per unit and year (migration 017): contiguous and never
  repeated under concurrent receives; continuing across days and back to 1
  on 1 January (a second server under libfaketime, as test_faketime.py);
- form 06, `motcua register`: on screen, PDF (pdftotext) and spreadsheet
  (openpyxl);
- receive --component by name; `show nnnn` (today's number); partial codes
  in search;
- office hours from the CLI (hours list/set/reset) and who may change them.

Commune used by this file: 18550 (Hương Trà; test_events uses it only for
events, never lists it). The fake-time tests put their dossiers in a year
no run used before (checked with `register`), so the numbers they assert
do not depend on earlier runs of the shared fixture.
"""
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

from itest import (DISTRICT, PKI_SH, TIMEOUT, cli, citizen_id, local_env, procedures, unit_conf,
                   unwrap)
from test_faketime import LIBFAKETIME, FakeServer, faketime_env, long_pki

UNIT = "18550"
UNIT_NAME = "Hương Trà"
OTHER = "18499"
PROC = "1.001193"  # khai sinh: required 1, 2, 5 (migration 015)
VN = datetime.timezone(datetime.timedelta(hours=7))
HERE = os.path.dirname(os.path.abspath(__file__))


def run(*cmd):
    p = subprocess.run(list(cmd), capture_output=True, timeout=TIMEOUT)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def pdf_text(tc, path):
    """pdftotext of path, spaces collapsed; poppler must print nothing."""
    for tool in (["pdfinfo", path], ["pdffonts", path]):
        rc, _, err = run(*tool)
        tc.assertEqual((rc, err.strip()), (0, ""), "%s warns on %s" % (tool[0], path))
    rc, text, err = run("pdftotext", "-enc", "UTF-8", path, "-")
    tc.assertEqual((rc, err.strip()), (0, ""), "pdftotext warns on %s" % path)
    return " ".join(text.split())


def xlsx_rows(tc, path):
    """The first sheet's rows, read by openpyxl (python3-openpyxl): with this
    interpreter if it has it, else Debian's /usr/bin/python3, where the
    package installs it."""
    script = ("import json, sys, openpyxl\n"
              "ws = openpyxl.load_workbook(sys.argv[1]).active\n"
              "print(json.dumps([list(r) for r in ws.iter_rows(values_only=True)]))\n")
    for py in (sys.executable, "/usr/bin/python3"):
        if not os.path.exists(py):
            continue
        p = subprocess.run([py, "-c", script, path], capture_output=True, timeout=TIMEOUT)
        if p.returncode == 0:
            return json.loads(p.stdout.decode("utf-8"))
        if b"No module named 'openpyxl'" not in p.stderr:
            tc.fail("openpyxl cannot read %s: %s" % (path, p.stderr.decode()[-2000:]))
    tc.fail("openpyxl missing: install python3-openpyxl (deploy/packages.txt)")


def receive(tc, *extra, unit=UNIT, name="Phạm Thị Sổ", conf=None):
    r = cli(unit, "receive", "--procedure", PROC, "--name", name, "--id", citizen_id(), *extra,
            conf=conf)
    tc.assertEqual(r.rc, 0, r)
    return unwrap(r.doc, "dossier")


def show(tc, code, unit=UNIT, conf=None):
    r = cli(unit, "show", code, conf=conf)
    tc.assertEqual(r.rc, 0, r)
    return unwrap(r.doc, "dossier")


def register(tc, frm, to, *extra, unit=UNIT):
    r = cli(unit, "register", "--from", frm, "--to", to, *extra, timeout=120)
    tc.assertEqual(r.rc, 0, r)
    return r.doc


def components(code):
    p = [p for p in procedures() if p["code"] == code][0]
    return {c["ordinal"]: c["name"] for c in p["components"]}, p


class TestSlip01FromIntake(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="motcua-registers-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def test_slip01_prints_the_intake(self):
        names, proc = components(PROC)
        reason = "Giấy tờ cư trú tra cứu được trên cơ sở dữ liệu"
        d = receive(self, "--address", "Xóm 4, xã Hương Trà, huyện Hương Khê",
                    "--email", "so.pham@example.vn", "--sets", "2",
                    "--component", "to khai dang ky khai sinh",      # 1, by its name
                    "--component", "2:1:certified", "--component", "5",
                    "--missing-reason", reason)
        shown = show(self, d["code"])
        self.assertEqual([c["ordinal"] for c in shown["components_received"]], [1, 2, 5])
        reg = shown["register"]
        self.assertEqual(reg["year"], 2000 + int(d["code"].split("-")[-2][:2]), shown)
        self.assertGreaterEqual(reg["no"], 1)
        # history carries the same (slip 01 is made from it)
        h = cli(UNIT, "history", d["code"])
        self.assertEqual(h.rc, 0, h)
        for k in ("address", "email", "sets", "components_received", "missing_reason",
                  "register"):
            self.assertEqual(h.doc["dossier"][k], shown[k], k)

        out = os.path.join(self.tmp, "01.pdf")
        r = cli(UNIT, "slip", d["code"], "--form", "01", "-o", out)
        self.assertEqual(r.rc, 0, r)
        t = pdf_text(self, out)
        self.assertIn("Xóm 4, xã Hương Trà, huyện Hương Khê", t)
        self.assertIn("so.pham@example.vn", t)
        self.assertIn("Số thứ tự: %04d" % reg["no"], t)
        self.assertIn("Quyển số: %d/" % reg["year"], t)
        self.assertIn("Số lượng hồ sơ: 02", t)
        self.assertIn(" ".join(proc["limit_text"].split()), t)
        self.assertIn(reason, t)
        self.assertIn("1. %s (bản chính): 01" % " ".join(names[1].split()), t)
        self.assertIn("2. %s (bản sao có chứng thực): 01" % " ".join(names[2].split()), t)
        self.assertIn("3. %s (xuất trình): 01" % " ".join(names[5].split()), t)

    def test_component_by_name_ambiguous_or_unknown(self):
        r = cli(UNIT, "receive", "--procedure", PROC, "--name", "Phạm Văn Mơ",
                "--id", citizen_id(), "--component", "giay", "--component", "1")
        self.assertEqual(r.rc, 2, r)
        cands = r.doc["candidates"]
        self.assertGreaterEqual(len(cands), 2, r)
        for c in cands:
            self.assertTrue(c["name"].lower().startswith("giấy"), c)
        r = cli(UNIT, "receive", "--procedure", PROC, "--name", "Phạm Văn Mơ",
                "--id", citizen_id(), "--component", "ho chieu xyz")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("ho chieu xyz", r.out + r.err)


class TestCodes(unittest.TestCase):
    def test_today_number_and_partial_search(self):
        d = receive(self)
        code = d["code"]
        seq = code.rsplit("-", 1)[1]
        self.assertEqual(show(self, seq)["code"], code)                 # "0012"
        self.assertEqual(show(self, str(int(seq)))["code"], code)       # "12"
        self.assertEqual(show(self, code.lower())["code"], code)        # any case
        self.assertEqual(show(self, code.split("-", 1)[1])["code"], code)  # yymmdd-nnnn
        # another unit: its own today's number, never this one
        r = cli(OTHER, "show", seq)
        if r.rc == 0:
            self.assertNotEqual(unwrap(r.doc, "dossier")["code"], code, r)
        # search by any part of 4 characters or more, any case, only visible dossiers
        day = code.split("-")[-2]
        for part in (day[2:] + "-" + seq, code[-7:], code.split("-")[0].lower() + "-" + day):
            r = cli(UNIT, "search", part, "--limit", "500")
            self.assertEqual(r.rc, 0, r)
            self.assertIn(code, [x["code"] for x in unwrap(r.doc, "dossiers")], part)
        r = cli(OTHER, "search", code[-7:], "--limit", "500")
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn(code, [x["code"] for x in unwrap(r.doc, "dossiers")])
        r = cli(UNIT, "search", code[-3:], "--limit", "500")  # 3 characters: no part search
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn(code, [x["code"] for x in unwrap(r.doc, "dossiers")])


class TestRegister(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="motcua-register-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def test_concurrent_receives_never_share_a_number(self):
        with ThreadPoolExecutor(max_workers=12) as ex:
            ds = list(ex.map(lambda i: receive(self, name="Đồng Thời %d" % i), range(24)))
        nums = [show(self, d["code"])["register"]["no"] for d in ds]
        self.assertEqual(len(set(nums)), len(nums), nums)
        # the whole year of the unit: 1..n, each once
        year = show(self, ds[0]["code"])["register"]["year"]
        doc = register(self, "%d-01-01" % year, "%d-12-31" % year)
        got = [x["register"]["no"] for x in doc["dossiers"] if x["register"]["year"] == year]
        self.assertEqual(got, list(range(1, len(got) + 1)))
        self.assertTrue(set(nums) <= set(got))

    def test_concurrent_transactions_in_the_database(self):
        """The server never has two batches of one unit in flight; the
        database alone must still never repeat a number: transactions of
        the same unit overlapping in PostgreSQL (psql as the schema owner,
        each holding its transaction open after the receive), one of them
        rolled back (its number comes back: no gap)."""
        conninfo = local_env()["MOTCUA_DB_CONNINFO"]

        def psql(sql):
            p = subprocess.run(["psql", conninfo, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                               capture_output=True, timeout=TIMEOUT)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            return p.stdout.decode().strip()

        agency = psql("SELECT agency_id FROM units WHERE code = '%s'" % UNIT)
        now = datetime.datetime.now(VN)
        ms = int(now.timestamp() * 1000)
        marker = "Giao Dịch Song Song %d" % random.randrange(10 ** 9)

        # every other one dated yesterday (same year): different day-sequence
        # rows, so only the register's own lock orders them
        other = now - datetime.timedelta(days=1)
        if other.year != now.year:
            other = now + datetime.timedelta(days=1)

        def one(i):
            end = "ROLLBACK" if i == 3 else "COMMIT"
            day = (other if i % 2 else now).strftime("%y%m%d")
            return psql("BEGIN; SELECT (mc_receive('%s', 'par-%s-%d', '%s', '%s', '%s', '%s %d',"
                        " '%s', '', 1::smallint, '', %d, %d)).code; SELECT pg_sleep(0.3); %s;"
                        % (UNIT, marker[-9:], i, agency, day, PROC, marker,
                           i, citizen_id(), ms, ms + 86400000, end))

        with ThreadPoolExecutor(max_workers=8) as ex:
            list(ex.map(one, range(8)))
        nums = psql("SELECT string_agg(register_no::text, ',' ORDER BY register_no) FROM dossiers"
                    " WHERE applicant_name LIKE '%s %%'" % marker)
        nums = [int(x) for x in nums.split(",")]
        self.assertEqual(len(nums), 7, nums)  # one rolled back
        self.assertEqual(len(set(nums)), 7, nums)
        doc = register(self, "%d-01-01" % now.year, "%d-12-31" % now.year)
        got = [x["register"]["no"] for x in doc["dossiers"] if x["register"]["year"] == now.year]
        self.assertEqual(got, list(range(1, len(got) + 1)))

    def test_register_screen_pdf_xlsx(self):
        a = receive(self, "--address", "Thôn Trung Hà", "--phone", "0912000111",
                    name="Hoàng Văn Sổ")
        b = receive(self, "--sets", "3", name="Lê Thị Bộ")
        day = show(self, a["code"])["received_at"][:10]
        pdf, xlsx = os.path.join(self.tmp, "06.pdf"), os.path.join(self.tmp, "06.xlsx")
        doc = register(self, day[8:10] + "/" + day[5:7] + "/" + day[:4], day, "--pdf", pdf,
                       "--xlsx", xlsx)
        rows = {x["code"]: x for x in doc["dossiers"]}
        self.assertIn(a["code"], rows)
        self.assertIn(b["code"], rows)
        self.assertEqual(doc["count"], len(doc["dossiers"]))
        nos = [x["register"]["no"] for x in doc["dossiers"]]
        self.assertEqual(nos, sorted(nos))  # register order
        for x in doc["dossiers"]:
            self.assertEqual(x["unit"], UNIT, x)  # the unit's own only
        t = pdf_text(self, pdf)
        self.assertIn("SỔ THEO DÕI HỒ SƠ", t)
        self.assertIn("XÃ %s" % UNIT_NAME.upper(), t)
        d8 = day[8:10] + "/" + day[5:7] + "/" + day[:4]
        self.assertIn("Từ ngày %s đến ngày %s" % (d8, d8), t)
        for col in ("STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Hẹn trả kết quả", "Ký nhận"):
            self.assertIn(col, t)
        self.assertIn("%04d" % rows[a["code"]]["register"]["no"], t)
        self.assertIn("Hoàng Văn Sổ", t)
        self.assertIn("Thôn Trung Hà", t)
        self.assertIn("0912000111", t)
        cells = xlsx_rows(self, xlsx)
        head = [i for i, r in enumerate(cells) if r[0] == "STT"]
        self.assertEqual(len(head), 1, cells[:8])
        self.assertEqual(cells[head[0]][1:3], ["Mã hồ sơ", "Tên thủ tục hành chính"])
        self.assertIn("SỔ THEO DÕI HỒ SƠ", [r[0] for r in cells[:head[0]]])
        body = {r[1]: r for r in cells[head[0] + 1:]}
        self.assertEqual(len(body), doc["count"])
        ra, rb = body[a["code"]], body[b["code"]]
        self.assertEqual(ra[0], rows[a["code"]]["register"]["no"])
        self.assertEqual(ra[4], "Hoàng Văn Sổ")
        self.assertEqual(ra[5], "Thôn Trung Hà; 0912000111")
        self.assertEqual(rb[3], 3)
        self.assertRegex(ra[7], r"^%s \d\d:\d\d$" % d8)

    def test_register_period_checked(self):
        r = cli(UNIT, "register", "--from", "02/12/2026", "--to", "01/12/2026")
        self.assertEqual(r.rc, 2, r)
        r = cli(UNIT, "register", "--from", "2025-01-01", "--to", "2026-12-31")
        self.assertEqual(r.rc, 1, r)  # more than 366 days: the server's bound
        self.assertEqual(r.error_code, "invalid", r)
        r = cli(DISTRICT, "register", "--from", "2026-01-01", "--to", "2026-12-31")
        self.assertEqual(r.rc, 0, r)
        for x in r.doc["dossiers"]:
            self.assertEqual(x["unit"], DISTRICT, x)  # never what communes forwarded


class TestHours(unittest.TestCase):
    def tearDown(self):
        cli(UNIT, "hours", "reset")

    def test_list_set_reset_and_who(self):
        r = cli(UNIT, "hours", "reset")
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.doc["default"], r)
        common = r.doc["hours"]
        r = cli(UNIT, "hours", "set", "--schedule", "15/04,07:00-11:30,13:30-17:00,Mùa hè",
                "--schedule", "10-15,07:30-11:30,13:00-16:30,Mùa đông")
        self.assertEqual(r.rc, 0, r)
        self.assertFalse(r.doc["default"], r)
        self.assertEqual([(h["from"], h["pm_start"], h["pm_end"], h["name"]) for h in r.doc["hours"]],
                         [("04-15", "13:30", "17:00", "Mùa hè"),
                          ("10-15", "13:00", "16:30", "Mùa đông")])
        r = cli(UNIT, "hours", "list")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.doc["unit"], UNIT)
        self.assertEqual(len(r.doc["hours"]), 2, r)
        # the centre reads and changes it; another commune neither; admin both
        r = cli(DISTRICT, "hours", "list", "--unit", UNIT)
        self.assertEqual((r.rc, len(r.doc["hours"])), (0, 2), r)
        r = cli(DISTRICT, "hours", "set", "--unit", UNIT,
                "--schedule", "01/01,07:30-11:30,13:30-17:00")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(r.doc["hours"]), 1, r)
        r = cli(OTHER, "hours", "set", "--unit", UNIT, "--schedule", "01/01,07:30-11:30,13:30-17:00")
        self.assertEqual((r.rc, r.error_code), (1, "not_found"), r)
        r = cli(OTHER, "hours", "list", "--unit", DISTRICT)  # its centre: may read
        self.assertEqual(r.rc, 0, r)
        r = cli(OTHER, "hours", "set", "--unit", DISTRICT, "--schedule", "01/01,07:30-11:30,13:30-17:00")
        self.assertEqual((r.rc, r.error_code), (1, "forbidden"), r)
        r = cli("admin", "hours", "list", "--unit", UNIT)
        self.assertEqual(r.rc, 0, r)
        # the order of the sessions is the server's rule
        r = cli(UNIT, "hours", "set", "--schedule", "01/01,11:30-07:30,13:30-17:00")
        self.assertEqual((r.rc, r.error_code), (1, "invalid"), r)
        self.assertIn("hours order", r.out)
        r = cli(UNIT, "hours", "set", "--schedule", "01/01,07:30-11:30,13:30-17:00",
                "--schedule", "01-01,07:00-11:30,13:30-17:00")
        self.assertEqual((r.rc, r.error_code), (1, "invalid"), r)  # the same day twice
        r = cli(UNIT, "hours", "reset")
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.doc["default"], r)
        self.assertEqual(r.doc["hours"], common)
        r = cli(UNIT, "hours", "set", "--schedule", "1/1,7-11,13-17")
        self.assertEqual(r.rc, 2, r)  # a usage error, never sent


class TestRegisterAcrossDays(unittest.TestCase):
    """Numbers continue across days and restart at 1 on 1 January, per unit:
    a second server under libfaketime, at three dates of a fresh year."""

    @classmethod
    def setUpClass(cls):
        long_pki(cls, "motcua-register-ft-", [(UNIT, "commune")])

    def fresh_year(self):
        """A year Y with no dossier of UNIT in Y or Y+1 (earlier runs used others)."""
        for _ in range(20):
            y = random.randrange(2040, 2098)
            doc = register(self, "%d-01-01" % y, "%d-12-31" % y)
            doc2 = register(self, "%d-01-01" % (y + 1), "%d-12-31" % (y + 1))
            if doc["count"] == 0 and doc2["count"] == 0:
                return y
        self.fail("no fresh year left for %s" % UNIT)

    def received_at(self, at):
        srv = FakeServer(self, self.pki, at)
        conf = self.conf(srv)
        d = receive(self, conf=conf, name="Nguyễn Văn Năm Mới")
        got = show(self, d["code"], conf=conf)["register"]
        self.assertEqual(srv.stop(), 0, srv.text()[-3000:])
        return d, got

    def conf(self, srv):
        """The unit's client config pointing at srv, with an officer session
        opened at srv's clock (a session ends with the working day of the
        clock that opened it)."""
        return srv.conf(self.pki, unit=UNIT)

    def test_numbers_continue_then_restart_on_new_year(self):
        self.assertTrue(os.path.exists(LIBFAKETIME),
                        "%s missing: install the Debian package faketime" % LIBFAKETIME)
        y = self.fresh_year()
        d1, r1 = self.received_at("%d-12-30 09:00:00" % y)
        d2, r2 = self.received_at("%d-12-31 10:00:00" % y)
        d3, r3 = self.received_at("%d-01-02 08:30:00" % (y + 1))
        self.assertIn("-%02d1230-" % (y % 100), d1["code"])
        self.assertEqual(r1, {"year": y, "no": 1})
        self.assertEqual(r2, {"year": y, "no": 2})  # the next day continues the book
        self.assertEqual(r3, {"year": y + 1, "no": 1})  # a new book on 1 January
        # the codes' own sequences restart every day: the register does not
        self.assertTrue(d2["code"].endswith("-0001"), d2)
        # the register of that December, through the fixture's server
        doc = register(self, "%d-12-01" % y, "%d-12-31" % y)
        self.assertEqual([x["register"]["no"] for x in doc["dossiers"]], [1, 2])


if __name__ == "__main__":
    unittest.main()
