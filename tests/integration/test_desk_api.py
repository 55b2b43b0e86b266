"""The desk's JSON API over plain HTTP (issue 16; docs/DESK.md), urllib only.

`motcua desk --listen 127.0.0.1:0` processes of commune 18544 and district
444 (copies of the fixture's configs, session and outbox files of their
own) against the fixture's server and PostgreSQL: login, state, receive,
show, forward as the commune; the district sees the dossier arrive through
/api/events (long poll); refusals: CSRF token missing or wrong (403),
foreign Origin (403), a Host that is not the desk (421), a logged-out
cookie (401). Offline: a commune desk on a throw-away motcua-server of this
test (same database) that is stopped: a receive gets a provisional number
and a provisional slip 01; after the server is back, the outbox delivers it
exactly once and the provisional number shows the real dossier.

Dossiers here are told apart by the applicant's name and citizen id.
"""
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from itest import CLI, DISTRICT, PKI_SH, REQUIRED_COMPONENTS, TIMEOUT, citizen_id, \
    procedure_of_level
from desk_util import Proc, SecondServer, password, small_pdf, unit_conf_copy, wait_for

UNIT = "18544"
NAME = "Lê Thị Giao Diện"
LINE = re.compile(r"desk: (https?://127\.0\.0\.1:(\d+))/ \(unit (\w+)\)")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Desk:
    """One `motcua desk` process and one browser-like session on it."""

    def __init__(self, tc, tmp, conf, name, cafile=None, env=None):
        self.tc = tc
        self.opener = OPENER
        if cafile:
            ctx = ssl.create_default_context(cafile=cafile)
            self.opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=ctx))
        self.log = os.path.join(tmp, "desk-%s.log" % name)
        self.proc = Proc(tc, [CLI, "-c", conf, "desk", "--listen", "127.0.0.1:0"], self.log,
                         env=env)
        m = wait_for("desk %s to say where it listens" % name,
                     lambda: LINE.search(self.proc.text()) or
                     (not self.proc.alive() and tc.fail("desk exited: " + self.proc.text()[-3000:])))
        self.url, self.unit = m.group(1), m.group(3)
        self.cookie = self.csrf = None

    def call(self, method, path, body=None, raw=None, csrf=True, origin=True, host=None,
             cookie=True, timeout=TIMEOUT):
        """(status, headers, body bytes)."""
        headers = {}
        if body is not None:
            raw = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if cookie and self.cookie:
            headers["Cookie"] = "motcua_desk=" + (self.cookie if cookie is True else cookie)
        if csrf and self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf if csrf is True else csrf
        if origin and method != "GET":
            headers["Origin"] = self.url if origin is True else origin
        if host:
            headers["Host"] = host
        req = urllib.request.Request(self.url + path, data=raw, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def json(self, method, path, body=None, want=200, **kw):
        st, hd, data = self.call(method, path, body, **kw)
        self.tc.assertEqual(st, want, "%s %s -> %d %r" % (method, path, st, data[:600]))
        self.tc.assertEqual(hd.get("cache-control"), "no-store")
        return json.loads(data)

    def login(self, officer):
        st, hd, data = self.call("POST", "/api/login", {"login": officer, "password": password(officer)},
                                 csrf=False)
        self.tc.assertEqual(st, 200, data[:500])
        ck = hd.get("set-cookie", "")
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.tc.assertIn(attr, ck)
        self.cookie = re.search(r"motcua_desk=([0-9a-f]{64})", ck).group(1)
        doc = json.loads(data)
        self.csrf = doc["csrf"]
        return doc

    def stop(self):
        rc = self.proc.stop(signal.SIGTERM)
        self.tc.assertEqual(rc, 0, "desk exit status: " + self.proc.text()[-2000:])
        self.tc.assertIsNone(self.proc.sanitizer_report())


def receive_body(proc, cid, name=NAME):
    return {"procedure": proc, "applicant": {"name": name, "id_number": cid, "phone": "0912345678"},
            "channel": "direct", "sets": 1,
            "components": [{"ordinal": n, "form": "original", "count": 1}
                           for n in REQUIRED_COMPONENTS.get(proc, ())]}


class TestDeskApi(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="desk-api-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def desk(self, unit, name, port=None):
        return Desk(self, self.tmp, unit_conf_copy(self.tmp, unit, port=port, name=name), name)

    def test_1_receive_forward_live(self):
        com, dis = self.desk(UNIT, "commune"), self.desk(DISTRICT, "district")
        st = com.json("GET", "/api/state")
        self.assertIsNone(st["officer"])
        self.assertNotIn("csrf", st)
        self.assertEqual(st["unit"]["code"], UNIT)
        wait_for("the link up", lambda: com.json("GET", "/api/state")["link"]["online"])
        who = com.login("receiving." + UNIT)
        self.assertIn("receiving", who["officer"]["roles"])
        st = com.json("GET", "/api/state")
        self.assertEqual(st["officer"]["login"], "receiving." + UNIT)
        self.assertEqual(st["csrf"], com.csrf)
        texts = com.json("GET", "/api/texts?lang=en")
        self.assertEqual(texts["status.2"], "Received")
        dis.login("receiving." + DISTRICT)
        last = dis.json("GET", "/api/events?after=0")["last"]
        # receive a district-level dossier and forward it
        proc = procedure_of_level("district")
        cid = citizen_id()
        doc = com.json("POST", "/api/receive", receive_body(proc, cid))
        self.assertFalse(doc["queued"])
        code = doc["dossier"]["code"]
        self.assertEqual(doc["dossier"]["applicant"]["id"], cid)
        one = com.json("GET", "/api/dossiers/" + code)
        self.assertEqual(one["dossier"]["code"], code)
        self.assertEqual([s["action"] for s in one["history"]], ["receive"])
        self.assertIn("01", one["slips"])
        st, hd, pdf = com.call("GET", "/api/dossiers/%s/slips/01.pdf" % code)
        self.assertEqual(st, 200)
        self.assertEqual(hd["content-type"], "application/pdf")
        self.assertEqual(hd["cache-control"], "no-store")
        self.assertTrue(pdf.startswith(b"%PDF-"))
        lst = com.json("GET", "/api/dossiers?q=" + cid)
        self.assertEqual([d["code"] for d in lst["dossiers"]], [code])
        # issue 19: pages by the reply's cursor, no row twice (two rows at least)
        com.json("POST", "/api/receive", receive_body(proc, citizen_id()))
        p1 = com.json("GET", "/api/dossiers?limit=1&sort=code")
        self.assertTrue(p1["next"], p1)
        self.assertFalse(p1["cut"])
        p2 = com.json("GET", "/api/dossiers?limit=1&sort=code&after=" + p1["next"])
        self.assertEqual(len(p2["dossiers"]), 1)
        self.assertLess(p1["dossiers"][0]["code"], p2["dossiers"][0]["code"])
        st, _, _ = com.call("GET", "/api/dossiers?limit=1&after=bad%20cursor")
        self.assertEqual(st, 400)
        st, _, _ = com.call("GET", "/api/dossiers?limit=1&sort=due&after=" + p1["next"])
        self.assertNotEqual(st, 200)  # another order's cursor: the server refuses it
        fw = com.json("POST", "/api/dossiers/%s/forward" % code, {})
        self.assertEqual(fw["dossier"]["holder_unit"], DISTRICT)
        # the district's long poll answers with the pushed event
        def arrived():
            ev = dis.json("GET", "/api/events?after=%d" % last, timeout=40)
            return [e for e in ev["events"] if (e.get("dossier") or {}).get("code") == code]
        self.assertTrue(wait_for("the forward event at the district", arrived, timeout=60))
        com.json("POST", "/api/logout", {})
        com.stop()
        dis.stop()

    def test_2_refusals(self):
        com = self.desk(UNIT, "refuse")
        com.login("receiving." + UNIT)
        # a page that outlived a desk restart asks after an id never given: all kept, at once
        wait_for("the link up", lambda: com.json("GET", "/api/state")["link"]["online"])
        ev = com.json("GET", "/api/events?after=999999", timeout=10)
        self.assertLess(ev["last"], 999999)
        self.assertIn("connected", [e["event"] for e in ev["events"]])
        proc = procedure_of_level("commune")
        body = receive_body(proc, citizen_id(), name="Lê Văn Từ Chối")
        for csrf in (False, "0" * 64):
            st, _, data = com.call("POST", "/api/receive", body, csrf=csrf)
            self.assertEqual(st, 403, data)
            self.assertEqual(json.loads(data)["error"]["code"], "csrf")
        st, _, data = com.call("POST", "/api/receive", body, origin="http://evil.example")
        self.assertEqual(st, 403, data)
        self.assertEqual(json.loads(data)["error"]["code"], "bad_origin")
        st, _, data = com.call("POST", "/api/receive", body, origin=False)
        self.assertEqual(st, 403, data)
        st, _, data = com.call("GET", "/api/state", host="attacker.example:%s" % com.url.rsplit(":", 1)[1])
        self.assertIn(st, (421, 403), data)
        st, _, data = com.call("POST", "/api/receive", body, csrf=True,
                               host="attacker.example")  # DNS rebinding
        self.assertIn(st, (421, 403))
        # a bad body: one clear error naming the field
        bad = dict(body, applicant=dict(body["applicant"], id_number="12"))
        st, _, data = com.call("POST", "/api/receive", bad)
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(data)["error"]["field"], "applicant.id_number")
        st, _, data = com.call("POST", "/api/receive", raw=b"{" * 70000)
        self.assertEqual(st, 413)
        # none of the refused receives reached the server
        self.assertEqual(com.json("GET", "/api/dossiers?q=" + body["applicant"]["id_number"])["dossiers"], [])
        old = com.cookie
        st, hd, _ = com.call("POST", "/api/logout", {})
        self.assertEqual(st, 200)
        self.assertIn("Max-Age=0", hd.get("set-cookie", ""))
        self.assertIn("cache", hd.get("clear-site-data", ""))
        st, _, data = com.call("GET", "/api/dossiers", cookie=old)
        self.assertEqual(st, 401, data)
        st, _, data = com.call("POST", "/api/receive", body, cookie=old)
        self.assertEqual(st, 401, data)
        com.stop()

    def test_3_offline_receive(self):
        srv = SecondServer(self, self.tmp)
        srv.start()
        com = self.desk(UNIT, "offline", port=srv.port)
        wait_for("the link up", lambda: com.json("GET", "/api/state")["link"]["online"])
        com.login("receiving." + UNIT)
        srv.stop()
        wait_for("the link down", lambda: not com.json("GET", "/api/state")["link"]["online"])
        proc = procedure_of_level("commune")
        cid = citizen_id()
        doc = com.json("POST", "/api/receive", receive_body(proc, cid, name="Lê Thị Mất Mạng"))
        self.assertTrue(doc["queued"])
        prov = doc["provisional"]
        self.assertTrue(prov.startswith("TAM-%s-" % UNIT), prov)
        st, hd, pdf = com.call("GET", "/api/dossiers/%s/slips/01.pdf" % prov)
        self.assertEqual(st, 200, pdf[:300])
        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertEqual(com.json("GET", "/api/state")["outbox"]["pending"], 1)
        items = com.json("GET", "/api/outbox")["items"]
        self.assertEqual([i["provisional"] for i in items], [prov])
        srv.start()
        def delivered():
            ev = com.json("GET", "/api/events?after=0", timeout=40)["events"]
            return [e for e in ev if e.get("event") == "outbox" and e.get("outcome") == "delivered"]
        try:
            out = wait_for("the outbox delivery", delivered, timeout=120)
        except AssertionError as e:
            raise AssertionError("%s\ndesk log: %s" % (e, com.proc.text()[-3000:]))
        self.assertEqual(len(out), 1)
        one = com.json("GET", "/api/dossiers/" + prov)  # the provisional number shows the real one
        code = one["dossier"]["code"]
        self.assertRegex(code, r"-\d{6}-\d{4,}$")
        self.assertEqual(com.json("GET", "/api/state")["outbox"]["pending"], 0)
        found = com.json("GET", "/api/dossiers?q=" + cid)["dossiers"]
        self.assertEqual([d["code"] for d in found], [code])  # exactly once
        com.stop()
        srv.stop()

    def test_5_whole_path(self):
        """Scan, forward, accept, assign, result with its file, send back, return,
        rating, all through the API; files, spreadsheet, candidates, report."""
        com, dis = self.desk(UNIT, "path-c"), self.desk(DISTRICT, "path-d")
        com.login("tester." + UNIT)
        dis.login("tester." + DISTRICT)
        cid = citizen_id()
        code = com.json("POST", "/api/receive", receive_body(procedure_of_level("district"), cid,
                                                            name="Lê Văn Đường Đi"))["dossier"]["code"]
        with open(small_pdf(os.path.join(self.tmp, "scan.pdf")), "rb") as f:
            pdf = f.read()
        up = com.json("PUT", "/api/dossiers/%s/files?name=scan%%201.pdf&kind=scan" % code, raw=pdf)
        self.assertEqual(up["file"]["size"], len(pdf))
        st, _, data = com.call("PUT", "/api/dossiers/%s/files?name=x.exe" % code, raw=b"MZ\x90\x00")
        self.assertEqual(st, 415, data)
        files = com.json("GET", "/api/dossiers/" + code)["files"]
        self.assertEqual([f["size"] for f in files], [len(pdf)])
        st, hd, got = com.call("GET", "/api/dossiers/%s/files/%s" % (code, files[0]["sha256"]))
        self.assertEqual((st, got), (200, pdf))
        self.assertTrue(hd["content-disposition"].startswith("attachment"))
        com.json("POST", "/api/dossiers/%s/forward" % code, {})
        dis.json("POST", "/api/dossiers/%s/action" % code, {"action": "accept"})
        cands = dis.json("GET", "/api/officers/candidates")["officers"]
        self.assertIn("processing." + DISTRICT, [o["login"] for o in cands])
        dis.json("POST", "/api/dossiers/%s/action" % code,
                 {"action": "assign", "to_officer": "processing." + DISTRICT})
        with open(small_pdf(os.path.join(self.tmp, "kq.pdf"), "ket qua"), "rb") as f:
            dis.json("PUT", "/api/dossiers/%s/files?name=ket-qua.pdf&kind=result" % code, raw=f.read())
        dis.json("POST", "/api/dossiers/%s/action" % code, {"action": "result"})
        dis.json("POST", "/api/dossiers/%s/action" % code, {"action": "send_back"})
        com.json("POST", "/api/dossiers/%s/action" % code, {"action": "return", "collected_by": "Lê Văn Đường Đi"})
        d = com.json("POST", "/api/dossiers/%s/action" % code, {"action": "rate", "rating": 3})["dossier"]
        self.assertEqual((d["status"], d["rating"]), (10, 3))
        short = "-".join(code.split("-")[-2:])  # yymmdd-nnnn: the desk's own agency id
        one = com.json("GET", "/api/dossiers/" + short)
        self.assertEqual(one["dossier"]["code"], code)
        self.assertEqual([s["action"] for s in one["history"]],
                         ["receive", "forward", "accept", "assign", "result", "send_back", "return", "rate"])
        st, hd, x = com.call("GET", "/api/dossiers.xlsx?q=" + cid)
        self.assertEqual(st, 200)
        self.assertTrue(x.startswith(b"PK"))
        self.assertIn("spreadsheetml", hd["content-type"])
        self.assertIn("rows", json.dumps(com.json("GET", "/api/report?by=procedure")))
        self.assertEqual(com.json("GET", "/api/outbox")["items"], [])
        com.stop()
        dis.stop()

    def test_4_lan_needs_https(self):
        conf = unit_conf_copy(self.tmp, UNIT, name="lan")
        p = subprocess.run([CLI, "-c", conf, "desk", "--listen", "0.0.0.0:0"], capture_output=True,
                           timeout=TIMEOUT)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(b"desk_tls_cert", p.stderr)
        # a certificate from deploy/pki.sh desk (a CA of this test's own)
        ca = os.path.join(self.tmp, "ca")
        for args in (["init", ca], ["desk", ca, UNIT, "127.0.0.1"]):
            subprocess.run([PKI_SH] + args, check=True, capture_output=True, timeout=60)
        with open(conf, "a") as f:
            f.write("[desk]\ndesk_tls_cert = %s/desks/%s.crt\ndesk_tls_key = %s/desks/%s.key\n" % (
                ca, UNIT, ca, UNIT))
        d = Desk(self, self.tmp, conf, "lan", cafile=os.path.join(ca, "ca.crt"))
        self.assertTrue(d.url.startswith("https://"))
        self.assertEqual(d.json("GET", "/api/state")["unit"]["code"], UNIT)
        st, hd, _ = d.call("POST", "/api/login", {"login": "receiving." + UNIT,
                                                 "password": password("receiving." + UNIT)})
        self.assertEqual(st, 200)
        self.assertIn("Secure", hd["set-cookie"])
        self.assertIn("max-age", hd.get("strict-transport-security", ""))
        st, _, _ = d.call("GET", "/api/state", host="attacker.example:%d" % int(d.url.rsplit(":", 1)[1]))
        self.assertEqual(st, 421)
        d.stop()

    def test_6_dead_desk_leaves_no_directory(self):
        """A desk killed without its cleanup leaves its private directory;
        the next desk removes it (its lock is free), a live desk's is kept,
        and a clean stop removes the desk's own."""
        tdir = os.path.join(self.tmp, "t")
        os.mkdir(tdir, 0o700)
        env = dict(os.environ, TMPDIR=tdir)
        conf = unit_conf_copy(self.tmp, UNIT, name="tmp")
        mine = lambda: sorted(n for n in os.listdir(tdir) if n.startswith("motcua-desk-"))
        a = Desk(self, self.tmp, conf, "tmp-a", env=env)
        left = mine()
        self.assertEqual(len(left), 1, left)
        with open(os.path.join(tdir, left[0], "u-part"), "wb") as f:
            f.write(b"half an upload")  # something inside, as a killed upload leaves
        b = Desk(self, self.tmp, conf, "tmp-b", env=env)
        self.assertEqual(len(mine()), 2, "a live desk's directory was removed")
        a.proc.kill()
        c = Desk(self, self.tmp, conf, "tmp-c", env=env)
        now = mine()
        self.assertNotIn(left[0], now)
        self.assertEqual(len(now), 2, now)  # b's and c's
        self.assertIn("removed 1 temporary directories", c.proc.text())
        b.stop()
        c.stop()
        self.assertEqual(mine(), [])


if __name__ == "__main__":
    unittest.main()
