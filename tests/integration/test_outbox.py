"""The desk's offline outbox (client/outbox.c), end to end.

Runs in its own throwaway deployment (deploy/local.sh up on free ports in a
temporary directory, torn down at the end), because it stops and starts its
server; the shared fixture's server is never touched.

  - the outbox scenario: server stopped, 10 dossiers received at a commune,
    server started, `sync` run twice: exactly 10 new dossiers on the server,
    each with its real code reported back; the second sync delivers nothing;
  - a queued forward of a provisional dossier is delivered after its receive,
    with the real code;
  - a queued chain of actions on a provisional dossier (accept, result,
    return) is delivered in order;
  - a command on a dossier with undelivered items queues behind them even
    when the link is up;
  - a rejected item does not block the others; its dependents are rejected;
  - `watch` delivers the outbox by itself when the server comes back;
  - `outbox --json` shows attempts and last_error; disk-low warning;
  - server refusals and TLS errors are reported, never queued;
  - an item goes with the session of the officer who queued it only: with
    another officer's session it waits, and the server's history names the
    officer who received the dossier.
"""
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from itest import BIN_DIR, CLI, CODE_RE, LOCAL_SH, Result, citizen_id, with_components
from itest_env import free_ports

TIMEOUT = 60
SANITIZE = os.environ.get("MOTCUA_SANITIZE") == "1"


class Deployment:
    """deploy/local.sh up DIR in a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="motcua-outbox-")
        os.chmod(self.dir, 0o755)  # the PostgreSQL user must reach DIR/pg
        self.env = dict(os.environ, MOTCUA_BIN_DIR=BIN_DIR)

    def local(self, *args, timeout=280):
        p = subprocess.run(["bash", LOCAL_SH] + list(args), env=self.env,
                           capture_output=True, timeout=timeout)
        if p.returncode != 0:
            raise AssertionError("local.sh %s failed: %s" % (
                " ".join(args), p.stderr.decode("utf-8", "replace")[-3000:]))

    def up(self):
        p, h, g = free_ports(3)
        self.local("up", self.dir, "--port", str(p), "--http-port", str(h),
                   "--pg-port", str(g))

    def down(self):
        try:
            self.local("down", self.dir, timeout=120)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def stop_server(self):
        self.local("stop-server", self.dir, timeout=120)

    def start_server(self):
        self.local("start-server", self.dir, timeout=120)

    def conf(self, unit):
        return os.path.join(self.dir, "units", "%s.conf" % unit)

    def outbox_path(self, unit):
        return os.path.join(self.dir, "units", "outbox-%s.db" % unit)

    def cli(self, unit, *args, json_out=True, env=None, timeout=TIMEOUT):
        cmd = [CLI, "-c", self.conf(unit)] + (["--json"] if json_out else []) + with_components(args)
        p = subprocess.run(cmd, capture_output=True, timeout=timeout,
                           env=dict(os.environ, **(env or {})))
        return Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))


D = None


def setUpModule():
    global D
    D = Deployment()
    try:
        D.up()
        r = D.cli("18496", "procedures")  # while the server runs
        if r.rc != 0:
            raise AssertionError("procedures failed: %r" % r)
        TestOutbox.procs = r.doc
    except Exception:
        D.down()
        raise


def tearDownModule():
    if D is not None:
        D.down()


class Server:
    """with Server.down(): ... the server is stopped inside the block."""

    def __enter__(self):
        D.stop_server()
        return self

    def __exit__(self, *exc):
        D.start_server()
        return False


class TestOutbox(unittest.TestCase):
    procs = None

    # ---- helpers ---------------------------------------------------------

    def procedure(self, level):
        for p in TestOutbox.procs:
            if p.get("level") == level:
                return p["code"]
        self.fail("no %s-level procedure" % level)

    def receive(self, unit, level="commune", proc=None, name="Nguyễn Văn Hàng Đợi", env=None):
        cid = citizen_id()
        r = D.cli(unit, "receive", "--procedure", proc or self.procedure(level),
                  "--name", name, "--id", cid, env=env)
        return r, cid

    def queued(self, r):
        self.assertEqual(r.rc, 0, r)
        self.assertIsInstance(r.doc, dict, r)
        self.assertIs(r.doc.get("queued"), True, r)
        self.assertIsInstance(r.doc.get("item"), int, r)
        return r.doc

    def server_codes(self, unit):
        r = D.cli(unit, "list", "--limit", "1000")
        self.assertEqual(r.rc, 0, r)
        doc = r.doc["dossiers"] if isinstance(r.doc, dict) else r.doc
        return [d["code"] for d in doc]

    def outbox(self, unit, *extra, env=None):
        r = D.cli(unit, "outbox", *extra, env=env)
        self.assertEqual(r.rc, 0, r)
        return r

    def sync(self, unit, rc=0):
        r = D.cli(unit, "sync")
        self.assertEqual(r.rc, rc, r)
        self.assertIsInstance(r.doc, dict, r)
        return r.doc

    def show(self, unit, code):
        r = D.cli(unit, "show", code)
        self.assertEqual(r.rc, 0, r)
        return r.doc.get("dossier", r.doc) if isinstance(r.doc, dict) else r.doc

    # ---- the outbox scenario ---------------------------------------------

    def test_ten_dossiers_sync_twice(self):
        unit = "18499"
        before = self.server_codes(unit)
        provisional = []
        with Server():
            for i in range(10):
                r, _ = self.receive(unit, name="Trần Thị Mười %d" % i)
                doc = self.queued(r)
                self.assertRegex(doc["provisional"], r"^TAM-%s-\d{6}$" % unit)
                provisional.append(doc["provisional"])
            self.assertEqual(len(set(provisional)), 10)
            ob = self.outbox(unit).doc
            self.assertEqual(ob["pending"], 10)
        first = self.sync(unit)
        self.assertEqual(first["delivered"], 10, first)
        self.assertEqual(first["rejected"], 0, first)
        self.assertEqual(first["pending"], 0, first)
        got = {it["provisional"]: it["code"] for it in first["items"]
               if it["outcome"] == "delivered"}
        self.assertEqual(sorted(got), sorted(provisional))
        for code in got.values():
            self.assertRegex(code, CODE_RE)
        self.assertEqual(len(set(got.values())), 10)
        second = self.sync(unit)
        self.assertEqual(second["delivered"], 0, second)
        self.assertEqual(second["items"], [], second)
        after = self.server_codes(unit)
        new = set(after) - set(before)
        self.assertEqual(len(after), len(before) + 10)
        self.assertEqual(new, set(got.values()))
        # the desk sees each real code in its outbox (delivered items with --all)
        items = self.outbox(unit, "--all").doc["items"]
        by_prov = {it["provisional"]: it for it in items}
        for p in provisional:
            self.assertEqual(by_prov[p]["state"], "delivered")
            self.assertEqual(by_prov[p]["code"], got[p])
        self.assertEqual(self.outbox(unit).doc["items"], [])

    def test_human_queued_message(self):
        unit = "18538"
        with Server():
            r = D.cli(unit, "receive", "--procedure", self.procedure("commune"), "--name",
                      "Phan Văn Chữ", "--id", citizen_id(), json_out=False)
            self.assertEqual(r.rc, 0, r)
            self.assertIn("Máy chủ không liên lạc được: đã lưu hồ sơ vào hàng đợi, số tạm TAM-%s-"
                          % unit, r.out)
            self.assertIn("chạy `motcua sync` khi có mạng", r.out)
        r = D.cli(unit, "sync", json_out=False)
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"TAM-%s-\d{6} → [A-Z0-9.]+-\d{6}-\d{4}" % unit)

    # ---- provisional receipt (issue 14 finding 4) -------------------------

    def slip_text(self, unit, code, name):
        out = os.path.join(tempfile.mkdtemp(prefix="motcua-prov-"), name)
        r = D.cli(unit, "slip", code, "--form", "01", "-o", out)
        self.assertEqual(r.rc, 0, r)
        p = subprocess.run(["pdftotext", "-enc", "UTF-8", out, "-"], capture_output=True,
                           timeout=60)
        self.assertEqual((p.returncode, p.stderr), (0, b""), p)
        shutil.rmtree(os.path.dirname(out), ignore_errors=True)
        return " ".join(p.stdout.decode("utf-8").split())

    def test_provisional_receipt_offline(self):
        unit = "18505"
        with Server():
            r, _ = self.receive(unit, name="Trần Thị Tạm")
            prov = self.queued(r)["provisional"]
            t = self.slip_text(unit, prov, "tam.pdf")
            self.assertIn("TẠM THỜI", t)
            self.assertIn(prov, t)
            self.assertIn("Trần Thị Tạm", t)
        doc = self.sync(unit)
        real = [it for it in doc["items"] if it.get("provisional") == prov][0]["code"]
        t = self.slip_text(unit, prov, "real.pdf")   # replaced by the real one
        self.assertIn(real, t)
        self.assertNotIn("TẠM THỜI", t)
        self.assertNotIn(prov, t)

    # ---- dependencies ------------------------------------------------------

    def test_forward_of_provisional_dossier(self):
        unit = "18502"
        with Server():
            r, _ = self.receive(unit, level="district")
            prov = self.queued(r)["provisional"]
            f = D.cli(unit, "forward", prov)
            fdoc = self.queued(f)
            self.assertEqual(fdoc["provisional"], prov)
            items = {it["item"]: it for it in self.outbox(unit).doc["items"]}
            self.assertEqual(items[fdoc["item"]]["depends_on"], self.queued(r)["item"])
        doc = self.sync(unit)
        self.assertEqual(doc["delivered"], 2, doc)
        rcv = [it for it in doc["items"] if it["kind"] == "receive"][0]
        fwd = [it for it in doc["items"] if it["kind"] == "forward"][0]
        self.assertLess(rcv["item"], fwd["item"])
        self.assertEqual(fwd["outcome"], "delivered")
        self.assertEqual(fwd["code"], rcv["code"])
        d = self.show(unit, rcv["code"])
        self.assertEqual(d.get("holder_unit") or d.get("holder"), "444", d)
        self.assertIn(rcv["code"], self.server_codes("444"))

    def test_action_chain_in_order(self):
        unit = "18523"
        with Server():
            r, _ = self.receive(unit)
            prov = self.queued(r)["provisional"]
            self.queued(D.cli(unit, "accept", prov))
            self.queued(D.cli(unit, "result", prov))
            self.queued(D.cli(unit, "return", prov, "--to", "Nguyễn Văn Nhận"))
        doc = self.sync(unit)
        self.assertEqual(doc["delivered"], 4, doc)
        self.assertEqual([it["kind"] for it in doc["items"]],
                         ["receive", "accept", "result", "return"])
        code = doc["items"][0]["code"]
        self.assertTrue(all(it["code"] == code for it in doc["items"]), doc)
        self.assertEqual(self.show(unit, code)["status"], 10)

    def test_queue_behind_when_online(self):
        unit = "18520"
        r, _ = self.receive(unit)
        self.assertEqual(r.rc, 0, r)
        code = r.doc["code"]
        with Server():
            self.queued(D.cli(unit, "accept", code))
        # the link is back, but accept is still queued: result must go after it
        r = D.cli(unit, "result", code)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.doc.get("code"), code, r)
        self.assertEqual(r.doc.get("status"), 9, r)
        items = self.outbox(unit, "--all").doc["items"]
        self.assertEqual([(i["kind"], i["state"]) for i in items],
                         [("accept", "delivered"), ("result", "delivered")])
        self.assertEqual(self.outbox(unit).doc["pending"], 0)

    # ---- failures ------------------------------------------------------------

    def test_rejected_item_does_not_block_others(self):
        unit = "18505"
        before = self.server_codes(unit)
        with Server():
            ok1 = self.queued(self.receive(unit)[0])
            # a commune-level dossier cannot be forwarded: the server refuses it
            bad = self.queued(D.cli(unit, "forward", ok1["provisional"]))
            after_bad = self.queued(D.cli(unit, "accept", ok1["provisional"]))
            ok2 = self.queued(self.receive(unit)[0])
        doc = self.sync(unit, rc=1)
        out = {it["item"]: it for it in doc["items"]}
        self.assertEqual(out[ok1["item"]]["outcome"], "delivered")
        self.assertEqual(out[ok2["item"]]["outcome"], "delivered")
        self.assertEqual(out[bad["item"]]["outcome"], "rejected")
        self.assertTrue(out[bad["item"]]["error"], out[bad["item"]])
        self.assertEqual(out[after_bad["item"]]["outcome"], "rejected")
        self.assertEqual(out[after_bad["item"]]["error"],
                         "depends on rejected item %d" % bad["item"])
        self.assertEqual(len(self.server_codes(unit)), len(before) + 2)
        # rejected items stay visible, with the server's message
        items = {it["item"]: it for it in self.outbox(unit).doc["items"]}
        self.assertEqual(set(items), {bad["item"], after_bad["item"]})
        self.assertEqual(items[bad["item"]]["state"], "rejected")
        self.assertEqual(items[bad["item"]]["last_error"], out[bad["item"]]["error"])
        # and a second sync has nothing to do
        again = self.sync(unit)
        self.assertEqual(again["delivered"] + again["rejected"], 0)

    def test_outbox_json_attempts_and_last_error(self):
        unit = "18517"
        huge = {"MOTCUA_OUTBOX_MIN_FREE_MB": str(1 << 40)}
        with Server():
            r, cid = self.receive(unit, env=huge)
            doc = self.queued(r)
            self.assertIn("MiB", r.err)  # disk-low warning on stderr
            s = D.cli(unit, "sync")
            self.assertEqual(s.rc, 3, s)
            self.assertTrue(s.doc["stopped"], s)
            ob = self.outbox(unit, env=huge)
            self.assertIn("MiB", ob.err)
            it = [x for x in ob.doc["items"] if x["item"] == doc["item"]][0]
            self.assertEqual(it["state"], "pending")
            self.assertEqual(it["attempts"], 2)  # the command's own try, then sync's
            self.assertIn("connect", it["last_error"])
            self.assertIsNotNone(it["next_attempt_at"])
            self.assertNotIn(cid, ob.out)  # no citizen id number in the listing
            human = D.cli(unit, "outbox", json_out=False)
            self.assertEqual(human.rc, 0, human)
            self.assertIn(doc["provisional"], human.out)
            self.assertNotIn(cid, human.out)
            self.assertEqual(os.stat(D.outbox_path(unit)).st_mode & 0o077, 0)
        self.assertEqual(self.sync(unit)["delivered"], 1)

    def test_refusal_and_tls_error_not_queued(self):
        unit = "18526"
        r = D.cli(unit, "receive", "--procedure", "9.999999", "--name", "Không Có",
                  "--id", citizen_id())
        self.assertEqual(r.rc, 1, r)
        self.assertIn("error", r.doc)
        bad_ca = os.path.join(D.dir, "pki", "units", "18526.crt")
        r = D.cli(unit, "--ca=" + bad_ca, "receive", "--procedure", self.procedure("commune"),
                  "--name", "Sai Chứng Thư", "--id", citizen_id())
        self.assertEqual(r.rc, 3, r)
        self.assertNotIn("queued", r.doc or {})
        self.assertEqual(self.outbox(unit).doc["items"], [])

    # ---- watch -----------------------------------------------------------------

    def test_watch_delivers_when_link_returns(self):
        unit = "18508"
        before = self.server_codes(unit)
        D.stop_server()
        try:
            items = [self.queued(self.receive(unit)[0])["item"] for _ in range(2)]
            p = subprocess.Popen([CLI, "-c", D.conf(unit), "--json", "watch"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        finally:
            D.start_server()
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in p.stdout], daemon=True).start()
        delivered = {}
        deadline = time.time() + 90
        try:
            while len(delivered) < 2 and time.time() < deadline:
                try:
                    ev = json.loads(lines.get(timeout=1))
                except queue.Empty:
                    continue
                if ev.get("event") == "outbox" and ev.get("outcome") == "delivered":
                    delivered[ev["item"]] = ev["code"]
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        err = p.stderr.read().decode("utf-8", "replace")
        p.stdout.close()
        p.stderr.close()
        self.assertEqual(sorted(delivered), sorted(items), "watch did not deliver: " + err[-2000:])
        self.assertEqual(p.returncode, 0, err[-2000:])
        self.assertEqual(len(self.server_codes(unit)), len(before) + 2)
        self.assertEqual(self.outbox(unit).doc["pending"], 0)

    # ---- whose session delivers ------------------------------------------

    def officer_cli(self, unit, session, *args):
        cmd = [CLI, "-c", D.conf(unit), "--session=" + session, "--json"] + list(args)
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT)
        return Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))

    def test_item_goes_with_its_officer(self):
        unit = "18529"
        login = "receiving.%s" % unit
        tmp = tempfile.mkdtemp(prefix="sess-", dir=D.dir)
        session = os.path.join(tmp, "receiving.token")
        pw = os.path.join(D.dir, "officers", login + ".pw")
        r = self.officer_cli(unit, session, "login", login, "--password-file", pw)
        self.assertEqual(r.rc, 0, r)
        full_name = r.doc["full_name"]
        before = self.server_codes(unit)
        with Server():
            cmd = ["receive", "--procedure", self.procedure("commune"), "--name",
                   "Trần Thị Chờ Cán Bộ", "--id", citizen_id()]
            item = self.queued(self.officer_cli(unit, session, *with_components(cmd)))["item"]
        # the unit's tester (the deployment's default session) syncs: not hers to send
        doc = self.sync(unit, rc=3)  # 3: items left pending
        self.assertEqual((doc["delivered"], doc["pending"]), (0, 1), doc)
        it = [i for i in self.outbox(unit).doc["items"] if i["item"] == item][0]
        self.assertEqual(it["state"], "pending", it)
        self.assertEqual(it["officer"], login, it)
        self.assertIn(login, it["last_error"], it)
        self.assertEqual(len(self.server_codes(unit)), len(before))
        # she syncs: delivered, and the server records her
        r = self.officer_cli(unit, session, "sync")
        self.assertEqual(r.rc, 0, r)
        it = [i for i in self.outbox(unit, "--all").doc["items"] if i["item"] == item][0]
        self.assertEqual(it["state"], "delivered", it)
        h = D.cli(unit, "history", it["code"])
        self.assertEqual(h.rc, 0, h)
        step = h.doc["steps"][0]
        self.assertEqual(step["action"], "receive", step)
        self.assertEqual(step["officer_login"], login, step)
        self.assertEqual(step["officer"], full_name, step)
        self.assertTrue(step["officer_verified"], step)


if __name__ == "__main__":
    unittest.main()
