"""The desk's lists, "today" counts and allowed actions (issue 16) against a
real server and PostgreSQL: every ListRequest filter, pagination with a
stable order (no row twice, none missing), the capped total, the sort
orders, SummaryRequest counts after a scripted set of receives, forwards,
results and send-backs (expected numbers computed from what the test did),
and DossierReply.actions per officer role.

Runs in its own throwaway deployment (deploy/local.sh up), so the district's
counts are exactly what this file did. Communes: C (Phú Gia) and OTHER
(Gia Phố)."""
import datetime
import os
import shutil
import subprocess
import tempfile
import unittest

import itest
from itest import (B_LIST, B_LIST_REPLY, BIN_DIR, LOCAL_SH, VN, Raw, citizen_id, f_bytes,
                   f_varint, parse_time, with_components)
from itest_env import free_ports
from officer_util import Desk

C, OTHER, D = "18529", "18532", "444"
B_SUMMARY, B_SUMMARY_REPLY = 90, 91
# Catalogue facts the expectations use (migration 002): procedure -> (level,
# sector, time limit in working days).
ONE_DAY_CIVIL = "1.001193"     # Hộ tịch, commune, 1 working day: always "due soon"
THREE_DAY_CIVIL = "1.001022"   # Hộ tịch, commune, 3 working days: never "due soon"
BUSINESS = "2.000720"          # district, 3 working days
BUILDING = "1.009994"          # district, 15 working days
SECTOR_CIVIL = "Hộ tịch"
SECTOR_BUSINESS = "Thành lập và hoạt động của hộ kinh doanh"
OPEN = (1, 2, 4, 5, 6)


def local_day(rfc3339):
    return parse_time(rfc3339).astimezone(VN).date()


class TestLists(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mc-lists-")
        os.chmod(cls.dir, 0o755)
        cls.env = dict(os.environ, MOTCUA_BIN_DIR=BIN_DIR)
        cls.addClassCleanup(cls.down)  # registered first: runs even if "up" fails
        port, http_port, pg_port = free_ports(3)
        subprocess.run(["bash", LOCAL_SH, "up", cls.dir, "--port", str(port), "--http-port",
                        str(http_port), "--pg-port", str(pg_port)], env=cls.env, check=True,
                       timeout=300, stdout=subprocess.DEVNULL)
        itest.ENV_DIR = cls.dir  # cli(), Raw() and the officers' files: this deployment
        cls.tmp = tempfile.mkdtemp(prefix="desks-", dir=cls.dir)
        cls.script()

    @classmethod
    def down(cls):
        subprocess.run(["bash", LOCAL_SH, "down", cls.dir], env=cls.env, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(cls.dir, ignore_errors=True)

    # ---- the scripted day -------------------------------------------------

    @classmethod
    def ok(cls, unit, *args):
        r = itest.cli(unit, *with_components(args))
        if r.rc != 0:
            raise AssertionError("%s %s: %r" % (unit, args, r))
        return r.doc

    @classmethod
    def receive(cls, unit, proc, name):
        return cls.ok(unit, "receive", "--procedure", proc, "--name", name, "--id", citizen_id(),
                      "--phone", "0912345678")["code"]

    @classmethod
    def script(cls):
        """At C: 4 one-day and 3 three-day civil dossiers, 3 business and 2
        building (district-level) ones; OTHER: 2 of its own. C accepts two
        civil ones and resolves one; forwards 2 business and 2 building ones
        (one business stays at C). The district accepts one building and
        resolves it and sends it back, accepts one business, leaves two at
        status 2; it receives one business dossier itself and resolves it."""
        names = iter("Lê Văn %s" % n for n in ("An", "Bình", "Chi", "Dũng", "Em", "Phúc",
                                                "Giang", "Hà", "Khoa", "Lan", "Minh", "Nga",
                                                "Oanh", "Phương", "Quân", "Sơn", "Tâm"))
        c = cls.codes = {}
        c["one"] = [cls.receive(C, ONE_DAY_CIVIL, next(names)) for _ in range(4)]
        c["three"] = [cls.receive(C, THREE_DAY_CIVIL, next(names)) for _ in range(3)]
        c["business"] = [cls.receive(C, BUSINESS, next(names)) for _ in range(3)]
        c["building"] = [cls.receive(C, BUILDING, next(names)) for _ in range(2)]
        c["other"] = [cls.receive(OTHER, ONE_DAY_CIVIL, next(names)) for _ in range(2)]
        cls.ok(C, "accept", c["one"][0])
        cls.ok(C, "accept", c["three"][0])
        cls.ok(C, "result", c["three"][0])
        for code in c["business"][:2] + c["building"]:
            cls.ok(C, "forward", code)
        cls.ok(D, "accept", c["building"][0])
        cls.ok(D, "result", c["building"][0])
        cls.ok(D, "send-back", c["building"][0])
        cls.ok(D, "accept", c["business"][0])
        c["district_own"] = cls.receive(D, BUSINESS, next(names))
        cls.ok(D, "accept", c["district_own"])
        cls.ok(D, "result", c["district_own"])

    # ---- helpers ----------------------------------------------------------

    def list(self, unit, *args):
        r = itest.cli(unit, "list", *args)
        self.assertEqual(r.rc, 0, r)
        self.assertIsInstance(r.doc, dict, r)
        return r.doc

    def codes_of(self, unit, *args):
        return [d["code"] for d in self.list(unit, "--limit", "1000", *args)["dossiers"]]

    def all_of(self, unit):
        return self.list(unit, "--limit", "1000")["dossiers"]

    # ---- visibility and total ---------------------------------------------

    def test_visibility_and_total(self):
        c = self.codes
        own = c["one"] + c["three"] + c["business"] + c["building"]
        doc = self.list(C, "--limit", "1000")
        self.assertCountEqual([d["code"] for d in doc["dossiers"]], own)
        self.assertEqual(doc["total"], len(own))
        self.assertFalse(doc["total_capped"])
        self.assertEqual(doc["offset"], 0)
        district = self.codes_of(D)
        self.assertCountEqual(district, c["business"][:2] + c["building"] + [c["district_own"]])
        self.assertCountEqual(self.codes_of(OTHER), c["other"])
        # a short page still counts every match
        doc = self.list(C, "--limit", "2")
        self.assertEqual(len(doc["dossiers"]), 2)
        self.assertEqual(doc["total"], len(own))

    def test_human_output_says_showing_of_total(self):
        n = len(self.all_of(C))
        r = itest.cli(C, "--lang", "en", "list", "--limit", "3", "--offset", "3", json_out=False)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("Showing 4–6 of %d dossier(s)" % n, r.out)
        r = itest.cli(C, "list", "--limit", "3", json_out=False)
        self.assertIn("Đang xem 1–3 trên tổng số %d hồ sơ" % n, r.out)

    # ---- filters ------------------------------------------------------------

    def test_each_filter_matches_the_full_list(self):
        full = self.all_of(C)
        procs = {p["code"]: p for p in itest.procedures()}

        def expect(pred):
            return sorted(d["code"] for d in full if pred(d))

        cases = [
            (("--status", "4"), lambda d: d["status"] == 4),
            (("--status", "2"), lambda d: d["status"] == 2),
            (("--procedure", BUSINESS), lambda d: d["procedure"] == BUSINESS),
            (("--sector", SECTOR_CIVIL), lambda d: procs[d["procedure"]]["sector"] == SECTOR_CIVIL),
            (("--sector", SECTOR_BUSINESS),
             lambda d: procs[d["procedure"]]["sector"] == SECTOR_BUSINESS),
            (("--holder", D), lambda d: d["holder_unit"] == D),
            (("--holder", C), lambda d: d["holder_unit"] == C),
            (("--holder", C, "--status", "9"), lambda d: d["holder_unit"] == C and d["status"] == 9),
            (("--sector", SECTOR_CIVIL, "--status", "2"),
             lambda d: procs[d["procedure"]]["sector"] == SECTOR_CIVIL and d["status"] == 2),
        ]
        for args, pred in cases:
            want = expect(pred)
            self.assertTrue(want, "the script leaves no match for %s" % (args,))
            doc = self.list(C, "--limit", "1000", *args)
            self.assertEqual(sorted(d["code"] for d in doc["dossiers"]), want, args)
            self.assertEqual(doc["total"], len(want), args)

    def test_date_ranges(self):
        full = self.all_of(C)
        today = local_day(full[0]["received_at"])
        fmt = lambda day: day.strftime("%d/%m/%Y")
        yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
        recv = lambda *a: sorted(self.codes_of(C, *a))
        want_today = sorted(d["code"] for d in full if local_day(d["received_at"]) == today)
        self.assertEqual(recv("--received-from", fmt(today), "--received-to", fmt(today)),
                         want_today)
        self.assertEqual(recv("--received-from", today.isoformat()), want_today)
        self.assertEqual(recv("--received-to", fmt(yesterday)), [])
        self.assertEqual(recv("--received-from", fmt(tomorrow)), [])
        # due days: each distinct local due day selects exactly its dossiers
        days = sorted({local_day(d["due_at"]) for d in full})
        self.assertGreater(len(days), 1, "the script's time limits give one due day only")
        for day in days:
            want = sorted(d["code"] for d in full if local_day(d["due_at"]) == day)
            self.assertEqual(recv("--due-from", fmt(day), "--due-to", day.isoformat()), want, day)
        last = days[-1]
        want = sorted(d["code"] for d in full if local_day(d["due_at"]) < last)
        self.assertEqual(recv("--due-to", fmt(last - datetime.timedelta(days=1))), want)

    def test_bad_values_refused_before_sending(self):
        for args, says in ((("--sort", "name"), "Unknown order"),
                           (("--offset", "100001"), "--offset must be 0 to 100000"),
                           (("--holder", "44-4"), "letters and digits only"),
                           (("--received-from", "31/02/2026"), "Invalid date"),
                           (("--due-from", "10/12/2026", "--due-to", "09/12/2026"),
                            "must not be after the end date"),
                           (("--sector", "a\tb"), "Invalid sector")):
            r = itest.cli(C, "--lang", "en", "list", *args, json_out=False)
            self.assertEqual(r.rc, 2, (args, r))
            self.assertIn(says, r.err, args)

    def test_server_names_the_bad_field(self):
        cert = os.path.join(self.dir, "pki", "units", C + ".crt")
        raw = Raw(cert=cert, key=cert[:-4] + ".key", ca=os.path.join(self.dir, "pki", "ca.crt"),
                  port=itest.server_port(), token="")
        try:
            self.assertIsNone(raw.hello().error_code)
            cases = [(f_bytes(15, "name"), "sort"), (f_bytes(15, "--due"), "sort"),
                     (f_varint(14, 100001), "offset"),
                     (f_varint(9, 2000000000000) + f_varint(10, 1000000000000), "received_to"),
                     (f_varint(11, 5000000000000), "due_from"),
                     (f_bytes(7, "x y"), "procedure"), (f_bytes(13, "4-4"), "holder_unit"),
                     (f_bytes(8, "a\nb"), "sector")]
            for i, (body, field) in enumerate(cases):
                r = raw.call(10 + i, B_LIST, body)
                self.assertEqual(r.error_code, "invalid", (field, r))
                self.assertEqual(r.error_detail, field)
            ok = raw.call(50, B_LIST, f_varint(14, 100000) + f_bytes(15, "-due"))
            self.assertEqual(ok.body_field, B_LIST_REPLY, ok)
            self.assertNotIn(1, ok.body)  # past the end: no rows ...
            self.assertEqual(ok.body.get(2, [0])[0], len(self.all_of(C)))  # ... still the total
        finally:
            raw.close()

    # ---- order and pages ----------------------------------------------------

    def test_pages_cover_the_set_once_in_every_order(self):
        full = {d["code"]: d for d in self.all_of(C)}
        keys = {"received": lambda d: parse_time(d["received_at"]),
                "due": lambda d: parse_time(d["due_at"]),
                "code": lambda d: d["code"], "status": lambda d: d["status"]}
        for name, key in keys.items():
            for sort in (name, "-" + name):
                whole = self.codes_of(C, "--sort", sort)
                pages = []
                for offset in range(0, len(full) + 3, 3):
                    doc = self.list(C, "--sort", sort, "--limit", "3", "--offset", str(offset))
                    self.assertEqual(doc["total"], len(full))
                    pages += [d["code"] for d in doc["dossiers"]]
                self.assertEqual(pages, whole, sort)          # same stable order, page by page
                self.assertEqual(len(set(pages)), len(full))  # no row twice ...
                self.assertCountEqual(pages, list(full))      # ... none missing
                values = [key(full[c]) for c in whole]
                self.assertEqual(values, sorted(values, reverse=sort.startswith("-")), sort)
        newest = self.codes_of(C)
        self.assertEqual(newest, self.codes_of(C, "--sort", "-received"))

    # ---- today --------------------------------------------------------------

    def summary(self, unit):
        r = itest.cli(unit, "today")
        self.assertEqual(r.rc, 0, r)
        return r.doc

    def expected_summary(self, unit, at):
        """The counts, from the rows the server lists and what the script did."""
        rows = [d for d in self.all_of(unit)]
        held = [d for d in rows if d["holder_unit"] == unit]
        open_held = [d for d in held if d["status"] in OPEN]
        overdue = [d for d in open_held if parse_time(d["due_at"]) < at]
        # one working day is always within the next two; three or more never
        soon = [d for d in open_held if d not in overdue and
                d["procedure"] == ONE_DAY_CIVIL and d["paused_at"] is None]
        today = at.astimezone(VN).date()
        return {
            "to_receive": sum(1 for d in held if (d["status"] == 2 and d.get("forwarded_to") == unit)
                              or (d["status"] == 9 and d["unit"] == unit and d.get("forwarded_to"))),
            "to_return": sum(1 for d in held if d["status"] == 9 and d["unit"] == unit),
            "due_soon": len(soon), "overdue": len(overdue), "in_progress": len(open_held),
            "received_today": sum(1 for d in rows if d["unit"] == unit and
                                  local_day(d["received_at"]) == today)}

    def test_summary_counts(self):
        c = self.codes
        for unit in (C, D, OTHER):
            s = self.summary(unit)
            at = parse_time(s["at"])
            want = self.expected_summary(unit, at)
            self.assertEqual({k: s[k] for k in want}, want, unit)
        s = self.summary(C)
        # what the script did, counted by hand (the derivation above must agree)
        self.assertEqual(s["to_receive"], 1)                  # the building one sent back
        self.assertEqual(s["to_return"], 2)                   # that one and its own result
        self.assertEqual(s["in_progress"], 4 + 2 + 1)         # civil 4 + 2, business 1 at C
        d = self.summary(D)
        self.assertEqual(d["to_receive"], 2)                  # forwarded, still status 2
        self.assertEqual(d["to_return"], 1)                   # its own receipt, resolved
        self.assertEqual(d["in_progress"], 3)
        self.assertEqual(len(c["other"]), self.summary(OTHER)["in_progress"])

    def test_summary_refused_to_admin(self):
        r = itest.cli("admin", "today")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.error_code, "forbidden", r)

    # ---- actions ------------------------------------------------------------

    def desk(self, unit, role):
        desk = Desk(unit, self.tmp, "%s-%s" % (role, unit),
                    base_conf=os.path.join(self.dir, "units", unit + ".conf"))
        login = "%s.%s" % (role, unit)
        with open(os.path.join(self.dir, "officers", login + ".pw")) as f:
            pw = f.readline().strip()
        r = desk.login(login, pw)
        self.assertEqual(r.rc, 0, r)
        return desk

    def actions(self, desk, code):
        r = desk.run("show", code)
        self.assertEqual(r.rc, 0, r)
        return r.doc["actions"]

    def test_actions_by_role(self):
        c = self.codes
        fresh = c["business"][2]        # district-level, still at C, status 2
        receiving, leader = self.desk(C, "receiving"), self.desk(C, "leader")
        # docs/WORKFLOW.md "Level boundaries", intake phase, in Action order
        self.assertEqual(self.actions(receiving, fresh),
                         ["supplement-request", "refuse", "withdraw", "forward"])
        self.assertEqual(self.actions(leader, fresh), ["refuse"])
        # at the centre, status 4 (accepted): the leader signs, the processing
        # officer proposes; the commune may only take in what the citizen brings
        at_centre = c["business"][0]
        d_leader, d_proc = self.desk(D, "leader"), self.desk(D, "processing")
        self.assertEqual(self.actions(d_leader, at_centre),
                         ["assign", "result", "stop", "reschedule"])
        self.assertEqual(self.actions(d_proc, at_centre),
                         ["supplement-request", "fee-request", "propose"])
        self.assertEqual(self.actions(receiving, at_centre), ["withdraw"])
        self.assertEqual(self.actions(self.desk(D, "receiving"), c["business"][1]),
                         ["accept", "supplement-request", "withdraw"])
        # sent back with a result: the commune returns it
        back = c["building"][0]
        self.assertEqual(self.actions(receiving, back), ["return"])
        self.assertEqual(self.actions(d_leader, back), [])
        # no session: the dossier, and no actions
        anon = Desk(C, self.tmp, "anon-" + C,
                    base_conf=os.path.join(self.dir, "units", C + ".conf"))
        r = anon.run("show", fresh)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.doc["code"], fresh)
        self.assertEqual(r.doc["actions"], [])

    def test_human_show_lists_actions(self):
        desk = self.desk(C, "tester")
        r = desk.run("--lang", "en", "show", self.codes["one"][1], json_out=False)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("Actions you may take: accept, supplement-request, refuse", r.out)


if __name__ == "__main__":
    unittest.main()
