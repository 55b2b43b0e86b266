"""bench/cluster_failover.py DIR: one failover time of a running deploy/cluster.sh.

The method of tests/integration/test_cluster.py (test_5): one desk receives
through HAProxy (the motcua CLI with the unit's config in DIR/units), the
PostgreSQL primary is SIGKILLed (`cluster.sh kill-primary`), the desk keeps
receiving (one try every 0.2 s after a failure) and the time from the kill
to the first receive acknowledged with a real dossier number is taken. Every
acknowledged dossier is looked up afterwards. Prints one JSON line. Used by
bench/cluster_bench.sh; MOTCUA_BIN_DIR as for the tests.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import itest as D  # noqa: E402  (its CLI wrapper and test data, shared with the tests)

CLUSTER = os.path.join(D.SRC, "deploy", "cluster.sh")
UNIT = "18508"            # test_cluster's unit for this measurement
PROC = "2.000815"         # commune level, as test_cluster's PROC_COMMUNE
LIMIT_S = 120


def sh(d, *args, timeout=120):
    env = dict(os.environ, MOTCUA_BIN_DIR=D.BIN_DIR)
    p = subprocess.run([CLUSTER, args[0], d] + list(args[1:]), capture_output=True,
                       timeout=timeout, env=env, check=True)
    return p.stdout.decode("utf-8", "replace").strip()


def receive(d):
    r = D.cli(UNIT, "receive", "--procedure", PROC, "--name", "Nguyễn Thị Cụm",
              "--id", D.citizen_id(), "--phone", "0912345678",
              conf=os.path.join(d, "units", "%s.conf" % UNIT))
    doc = r.doc if r.rc == 0 and isinstance(r.doc, dict) else {}
    code = doc.get("code")
    if not code or doc.get("provisional") or code.startswith("TAM"):
        return None  # failed, or only queued in the desk's outbox
    return code


def main():
    d = sys.argv[1]
    acked = []
    for _ in range(5):
        code = receive(d)
        if code is None:
            raise SystemExit("a receive failed before the kill")
        acked.append(code)
    before = sh(d, "leader")
    killed_at = time.monotonic()
    victim = sh(d, "kill-primary")
    first_ok, failed = None, 0
    while time.monotonic() - killed_at < LIMIT_S:
        code = receive(d)
        if code is None:
            failed += 1
            time.sleep(0.2)
            continue
        acked.append(code)
        if first_ok is None:
            first_ok = time.monotonic() - killed_at
        if len(acked) >= 15:
            break
    lost = 0
    for code in acked:
        n = sh(d, "psql", "-Atc", "SELECT count(*) FROM dossiers WHERE code = '%s'" % code)
        lost += n != "1"
    print(json.dumps({"killed": victim, "leader_before": before,
                      "new_primary": sh(d, "leader") if first_ok is not None else None,
                      "first_ok_s": round(first_ok, 1) if first_ok is not None else None,
                      "attempts_failed": failed, "acked": len(acked), "lost": lost}))
    return 0 if first_ok is not None and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
