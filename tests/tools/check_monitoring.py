#!/usr/bin/env python3
"""deploy/monitoring/ loads as shipped (issue 17):
- prometheus-alerts.yml passes `promtool check rules` (Debian package
  prometheus, deploy/packages.txt; missing promtool FAILS the test);
- grafana-dashboard.json is a dashboard Grafana imports: title, uid,
  schemaVersion, unique panel ids, each panel a type, title, gridPos and at
  least one target with a PromQL expr;
- every motcua_* metric either file names is one the server exports
  (a family named in server/monitor/monitor_prom.c), so a renamed gauge
  cannot leave a silent panel or a never-firing alert.
Usage: check_monitoring.py SOURCE_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys


def fail(msg):
    print("check_monitoring: " + msg, file=sys.stderr)
    sys.exit(1)


def exported(src):
    with open(os.path.join(src, "server", "monitor", "monitor_prom.c")) as f:
        text = f.read()
    return set(re.findall(r'"(motcua_[a-z_]+)', text))


def names_in(text):
    return {re.sub(r"_(bucket|sum|count)$", "", n) for n in re.findall(r"\bmotcua_[a-z_]+", text)}


def check_dashboard(path, known):
    with open(path) as f:
        d = json.load(f)
    for k in ("title", "uid", "schemaVersion", "panels"):
        if k not in d:
            fail("%s: no %s" % (path, k))
    ids = [p.get("id") for p in d["panels"]]
    if len(set(ids)) != len(ids) or None in ids:
        fail("%s: panel ids missing or repeated: %r" % (path, ids))
    exprs = []
    for p in d["panels"]:
        for k in ("type", "title", "gridPos", "targets"):
            if not p.get(k):
                fail("%s: panel %s has no %s" % (path, p.get("id"), k))
        for t in p["targets"]:
            if not t.get("expr") or not t.get("refId"):
                fail("%s: panel %s has a target without expr/refId" % (path, p["id"]))
            exprs.append(t["expr"])
    unknown = names_in(" ".join(exprs)) - known
    if unknown:
        fail("%s names metrics the server does not export: %s" % (path, sorted(unknown)))


def check_rules(path, known):
    promtool = shutil.which("promtool")
    if promtool is None:
        fail("promtool not found: install the Debian package prometheus (deploy/packages.txt)")
    p = subprocess.run([promtool, "check", "rules", path], capture_output=True, timeout=60)
    if p.returncode != 0:
        fail("promtool check rules %s:\n%s%s" % (path, p.stdout.decode(), p.stderr.decode()))
    with open(path) as f:
        unknown = names_in(f.read()) - known
    if unknown:
        fail("%s names metrics the server does not export: %s" % (path, sorted(unknown)))


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "."
    known = exported(src)
    if "motcua_unit_dossiers_overdue" not in known:
        fail("monitor_prom.c exports no dossier gauges")
    mon = os.path.join(src, "deploy", "monitoring")
    check_dashboard(os.path.join(mon, "grafana-dashboard.json"), known)
    check_rules(os.path.join(mon, "prometheus-alerts.yml"), known)
    print("check_monitoring: ok")


if __name__ == "__main__":
    main()
