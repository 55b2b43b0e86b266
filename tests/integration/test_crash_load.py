"""Crash safety under load (issue: reliability, item 3).

Runs in its own throwaway deployment (deploy/local.sh up on free ports under
/var/tmp, torn down at the end; the shared fixture is never touched).

Load: one worker per commune (COMMUNES of them, each its own CLI processes,
so its own outbox), looping `motcua receive` with a unique applicant name per
attempt, and every third iteration `motcua attach` of a small random PDF
(20-80 KB) to its last acknowledged dossier. Every outcome is recorded:
  acked    receive exit 0 with a dossier code / attach exit 0 with FileInfo;
  queued   receive exit 0 with {"queued": true} (the server was unreachable
           when the CLI connected: the outbox kept it with its fixed
           idempotency key);
  refused  exit 1 (the server answered with an error: nothing may exist);
  lost     exit 3 without being queued (the server died during the TLS
           handshake, after Hello, or with the request in flight): the desk
           does not know whether it happened.
Faults: the test SIGKILLs the server 3-5 times at random moments (seeded,
MOTCUA_CRASH_SEED to replay) while the load runs, and restarts it each time
with `deploy/local.sh start-server` after a random 0.3-1.5 s outage.

After the load: `motcua sync` per commune (twice: the second delivers
nothing), attaches that did not finish are re-run (the CLI resumes them),
then the database and the content store are checked:
  - every acknowledged dossier exists exactly once, with the acknowledged
    code; every queued one exactly once after sync, with the code sync
    reported; no refused attempt exists; no dossier exists that no attempt
    asked for; an attempt whose reply was lost exists at most once;
  - every dossier has at least one progress_log row (nothing half written);
  - every acknowledged file is listed exactly once by `files` and downloads
    with the right SHA-256; every dossier_files row names a content file
    whose bytes hash to its name and size; no file of the content store
    outside tmp/ is partial;
  - a receive that exited 3 with the request in flight must have been put in
    the outbox (the desk must never be left not knowing): any such attempt
    is reported as a failure, with the attempts listed.
"""
import os
import random
import shutil
import signal
import tempfile
import threading
import time
import unittest

from files_util import make_file
from reliability_util import Deployment, sha256_path

COMMUNES = 4
SEED = int(os.environ.get("MOTCUA_CRASH_SEED", "0") or 0) or random.randrange(1, 1 << 30)


class Worker(threading.Thread):
    def __init__(self, dep, unit, proc, stop, tmpdir):
        super().__init__(daemon=True)
        self.dep, self.unit, self.proc, self.stop, self.tmpdir = dep, unit, proc, stop, tmpdir
        self.receives = []  # dicts: name, outcome, code, provisional, rc, out
        self.attaches = []  # dicts: code, path, sha, outcome, rc, out
        self.error = None

    def run(self):
        try:
            self.loop()
        except Exception as e:  # reported by the test
            self.error = repr(e)

    def loop(self):
        i = 0
        last_code = None
        while not self.stop.is_set():
            i += 1
            name = "Phạm Văn Sập %s số %d" % (self.unit, i)
            cid = "0%011d" % random.randrange(10 ** 11)
            r = self.dep.cli(self.unit, "receive", "--procedure", self.proc, "--name", name,
                             "--id", cid)
            doc = r.doc if isinstance(r.doc, dict) else {}
            err = doc.get("error") if isinstance(doc.get("error"), dict) else {}
            rec = {"name": name, "rc": r.rc, "out": (r.out + r.err)[-600:], "code": None,
                   "provisional": None, "error": err.get("code")}
            if r.rc == 0 and doc.get("queued") is True:
                rec["outcome"], rec["provisional"] = "queued", doc.get("provisional")
            elif r.rc == 0 and doc.get("code"):
                rec["outcome"], rec["code"] = "acked", doc["code"]
                last_code = doc["code"]
            elif r.rc == 1:
                rec["outcome"] = "refused"
            elif r.rc == 3:
                rec["outcome"] = "lost"
            else:
                rec["outcome"] = "other"
            self.receives.append(rec)
            if i % 3 == 0 and last_code is not None:
                path = make_file(random.randrange(20000, 80000), dirname=self.tmpdir)
                sha = sha256_path(path)
                a = self.dep.cli(self.unit, "attach", last_code, path)
                adoc = a.doc if isinstance(a.doc, dict) else {}
                ok = a.rc == 0 and adoc.get("sha256") == sha
                self.attaches.append({"code": last_code, "path": path, "sha": sha,
                                      "outcome": "acked" if ok else "unfinished", "rc": a.rc,
                                      "out": (a.out + a.err)[-600:]})


class TestCrashUnderLoad(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dep = Deployment("motcua-crash-")
        cls.addClassCleanup(cls.dep.down)  # even if "up" fails half-way
        cls.dep.up()
        cls.tmp = tempfile.mkdtemp(prefix="motcua-crash-files-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def test_sigkill_under_load(self):
        dep = self.dep
        rng = random.Random(SEED)
        print("crash test seed %d (MOTCUA_CRASH_SEED to replay)" % SEED, flush=True)
        units = dep.communes()[:COMMUNES]
        self.assertEqual(len(units), COMMUNES, units)
        r = dep.cli(units[0], "procedures")
        self.assertEqual(r.rc, 0, r)
        proc = next(p["code"] for p in r.doc if p.get("level") == "commune")

        stop = threading.Event()
        workers = [Worker(dep, u, proc, stop, self.tmp) for u in units]
        for w in workers:
            w.start()
        kills = rng.randint(3, 5)
        killed = 0
        try:
            time.sleep(2.0)
            for _ in range(kills):
                time.sleep(rng.uniform(1.0, 3.0))
                os.kill(dep.server_pid(), signal.SIGKILL)
                killed += 1
                time.sleep(rng.uniform(0.3, 1.5))
                dep.start_server()
            time.sleep(2.0)
        finally:
            stop.set()
            for w in workers:
                w.join(timeout=120)
        self.assertEqual(killed, kills)
        for w in workers:
            self.assertIsNone(w.error, "worker %s: %s" % (w.unit, w.error))
            self.assertFalse(w.is_alive(), "worker %s did not stop" % w.unit)

        receives = [dict(r, unit=w.unit) for w in workers for r in w.receives]
        attaches = [dict(a, unit=w.unit) for w in workers for a in w.attaches]
        counts = {}
        for r in receives:
            counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
        print("kills %d; receives %s; attaches %d (%d unfinished)" % (
            kills, counts, len(attaches),
            sum(1 for a in attaches if a["outcome"] != "acked")), flush=True)
        self.assertGreater(counts.get("acked", 0), 20, counts)
        others = [r for r in receives if r["outcome"] == "other"]
        self.assertEqual(others, [], "unexpected exit codes")

        # ---- deliver the outboxes -------------------------------------------
        delivered = {}  # provisional -> code
        for u in units:
            s = dep.cli(u, "sync", timeout=120)
            self.assertEqual(s.rc, 0, s)
            self.assertEqual(s.doc.get("pending"), 0, s)
            self.assertEqual(s.doc.get("rejected"), 0, s)
            for it in s.doc.get("items", []):
                if it.get("outcome") == "delivered" and it.get("provisional"):
                    delivered[it["provisional"]] = it["code"]
            again = dep.cli(u, "sync", timeout=120)
            self.assertEqual(again.rc, 0, again)
            self.assertEqual(again.doc.get("delivered"), 0, again)
        queued = [r for r in receives if r["outcome"] == "queued"]
        for r in queued:
            self.assertIn(r["provisional"], delivered, "queued item not delivered: %r" % r)
            r["code"] = delivered[r["provisional"]]

        # ---- unfinished attaches: rerun the same command ----------------------
        for a in attaches:
            if a["outcome"] == "acked":
                continue
            x = dep.cli(a["unit"], "attach", a["code"], a["path"], timeout=120)
            self.assertEqual(x.rc, 0, "re-run of an interrupted attach failed: %r" % x)
            self.assertEqual(x.doc.get("sha256"), a["sha"], x)

        # ---- the database -----------------------------------------------------
        unit_list = ",".join("'%s'" % u for u in units)
        rows = dep.sql(
            "SELECT d.unit_code, d.applicant_name, d.code,"
            " (SELECT count(*) FROM progress_log p WHERE p.dossier_id = d.id)"
            " FROM dossiers d WHERE d.unit_code IN (%s) ORDER BY d.id" % unit_list)
        by_name = {}
        for unit, name, code, nlog in rows:
            by_name.setdefault(name, []).append((unit, code, int(nlog)))
        asked = {r["name"]: r for r in receives}
        problems = []
        for name, found in by_name.items():
            if name not in asked:
                problems.append("dossier nobody asked for: %s %r" % (name, found))
            if len(found) != 1:
                problems.append("%d dossiers for one attempt %s: %r" % (len(found), name, found))
            for unit, code, nlog in found:
                if nlog < 1:
                    problems.append("dossier %s has no progress_log row (half written)" % code)
        for r in receives:
            found = by_name.get(r["name"], [])
            if r["outcome"] in ("acked", "queued"):
                if [c for _, c, _ in found] != [r["code"]]:
                    problems.append("%s dossier %s (%s): on the server %r" % (
                        r["outcome"], r["code"], r["name"], found))
            elif r["outcome"] == "refused" and found:
                problems.append("refused attempt exists: %r %r" % (r, found))
        dup = dep.sql("SELECT code, count(*) FROM dossiers GROUP BY code HAVING count(*) > 1")
        self.assertEqual(dup, [], "duplicate dossier codes")
        orphans = dep.sql("SELECT count(*) FROM dossiers d WHERE NOT EXISTS"
                          " (SELECT 1 FROM progress_log p WHERE p.dossier_id = d.id)")
        self.assertEqual(orphans, [["0"]], "dossiers without a progress_log row")

        # ---- files --------------------------------------------------------------
        store = dep.content_files()
        for name, path in store.items():
            if sha256_path(path) != name:
                problems.append("partial/corrupt content file %s" % path)
        for sha, size in dep.sql("SELECT f.sha256, f.size FROM dossier_files x"
                                 " JOIN files f USING (sha256)"):
            path = store.get(sha)
            if path is None or os.path.getsize(path) != int(size):
                problems.append("dossier_files names %s but the store has %r" % (sha, path))
        dl = tempfile.mkdtemp(dir=self.tmp)
        by_code = {}
        for a in attaches:
            by_code.setdefault((a["unit"], a["code"]), []).append(a)
        for (unit, code), items in by_code.items():
            f = dep.cli(unit, "files", code)
            self.assertEqual(f.rc, 0, f)
            listed = [x["sha256"] for x in f.doc]
            for a in items:
                if listed.count(a["sha"]) != 1:
                    problems.append("file %s of %s listed %d times" % (
                        a["sha"], code, listed.count(a["sha"])))
            out = os.path.join(dl, code)
            os.makedirs(out)
            d = dep.cli(unit, "download", code, "--out", out, timeout=120)
            self.assertEqual(d.rc, 0, d)
            got = sorted(sha256_path(os.path.join(out, code, n))  # DIR/CODE/NAME (B1)
                         for n in os.listdir(os.path.join(out, code)))
            self.assertEqual(got, sorted(set(listed)), "downloaded files of %s" % code)
            for a in items:
                self.assertIn(a["sha"], got)

        # ---- requests lost in flight ----------------------------------------------
        lost = [r for r in receives if r["outcome"] == "lost"]
        lost_exists = [r["name"] for r in lost if by_name.get(r["name"])]
        print("receives lost in flight: %d (%d of them exist on the server)" % (
            len(lost), len(lost_exists)), flush=True)
        self.assertEqual(problems, [], "\n".join(problems))
        self.assertIsNone(dep.sanitizer_report())
        self.assertEqual(
            [(r["unit"], r["name"], r["error"]) for r in lost], [],
            "receive exited 3 after the server died and was NOT put in the outbox: the desk "
            "cannot know whether the dossier exists (%d of %d exist on the server); "
            "re-receiving by hand makes a duplicate" % (len(lost_exists), len(lost)))


if __name__ == "__main__":
    unittest.main()
