#!/usr/bin/env python3
"""bench/report.py RESULTS.jsonl OUTDIR [--quick 0|1] ...: turns the
measurements of bench/run.sh into OUTDIR/latest.json (every figure),
OUTDIR/latest.md (the table) and prints one ratio line per comparison."""
import argparse
import datetime
import json
import os
import platform
import sys
import time

T_START = time.monotonic()


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except ValueError:  # one broken record must not lose the others
                sys.stderr.write("report.py: skipped a malformed record: %s\n" % line[:120])
    return rows


def pick(rows, test, impl=None, n=None):
    for r in rows:
        if r.get("test") == test and (impl is None or r.get("impl") == impl) and \
                (n is None or r.get("n") == n):
            return r
    return None


def fmt(x, nd=1):
    return "-" if x is None else ("%.*f" % (nd, x))


BATCH_NOTE = {}  # the ceiling's batch size, for its latency column


def median(v):
    v = sorted(x for x in v if x is not None)
    if not v:
        return None
    h = len(v) // 2
    return v[h] if len(v) % 2 else (v[h - 1] + v[h]) / 2.0


def rounds_of(table, impl, n):
    """{round: row} of the alternating rounds (round >= 1) of impl at n."""
    return {k: r for k, r in table.get(impl, {}).get(n, {}).items() if k > 0}


def paired(mr, rr, fm, fr):
    """Ratio of each round's pair (motcua round k / reference round k): the
    median, its spread (min, max) and each side's median; None if no pair."""
    ks = sorted(k for k in mr if k in rr)
    per, ms, rs = [], [], []
    for k in ks:
        m, r = fm(mr[k]), fr(rr[k])
        if m is None or r is None or not r:
            continue
        per.append(m / r)
        ms.append(m)
        rs.append(r)
    if not per:
        return None
    return {"ratio": round(median(per), 3), "median": median(per), "min": min(per), "max": max(per),
            "spread": [round(min(per), 3), round(max(per), 3)], "rounds": len(per),
            "per_round": [round(x, 3) for x in per], "motcua_median": median(ms),
            "reference_median": median(rs)}


def cost_per_dossier(rs):
    """Median over rounds of WAL bytes, PostgreSQL and server CPU per dossier."""
    wal, pg, srv = [], [], []
    for r in rs.values():
        c = r.get("cost") or {}
        d, hz = c.get("dossiers") or 0, c.get("hz") or 100
        if d <= 0 or c.get("wal_bytes") is None:
            continue
        wal.append(c["wal_bytes"] / d)
        pg.append(c["pg_ticks"] * 1e6 / hz / d)
        if c.get("server_ticks"):
            srv.append(c["server_ticks"] * 1e6 / hz / d)
    if not wal:
        return None
    return {"wal_bytes": round(median(wal)), "pg_cpu_us": round(median(pg)),
            "server_cpu_us": round(median(srv)) if srv else None, "rounds": len(wal)}


def target_met(ratio, target):
    """"<= 0.6", ">= 0.8", "< 1.0", "> 1" -> whether ratio meets it; None if unreadable."""
    for op, f in (("<=", lambda a, b: a <= b), (">=", lambda a, b: a >= b),
                  ("<", lambda a, b: a < b), (">", lambda a, b: a > b)):
        if target.strip().startswith(op):
            try:
                return f(ratio, float(target.strip()[len(op):]))
            except ValueError:
                return None
    return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def phases_of(rows):
    """The wall time of each phase of run.sh (its "phase" records, in order),
    a hook's own rounds beside it, and this report's own time last."""
    hook_rounds = {"hook " + h["hook"]: h["elapsed_s"] for h in rows
                   if h.get("test") == "hook" and h.get("elapsed_s") is not None}
    out = []
    for r in rows:
        if r.get("test") == "phase":
            p = {"name": r["name"], "s": r["s"]}
            if r["name"] in hook_rounds:
                p["rounds_s"] = hook_rounds[r["name"]]
            out.append(p)
    out.append({"name": "report", "s": round(time.monotonic() - T_START, 1)})
    total = sum(p["s"] for p in out)
    for p in out:
        p["share"] = round(p["s"] / total, 3) if total else 0
    return out


def phase_md(phases, elapsed):
    md = ["", "Wall time by phase (%d s in all):" % elapsed, "", "| phase | s | share |", "|---|---|---|"]
    for p in phases:
        extra = " (its rounds %s s)" % p["rounds_s"] if "rounds_s" in p else ""
        md.append("| %s%s | %.1f | %.0f %% |" % (p["name"], extra, p["s"], 100 * p["share"]))
    return md


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("outdir")
    ap.add_argument("--quick", default="0")
    ap.add_argument("--elapsed", default="0")
    ap.add_argument("--pool", default="?")
    ap.add_argument("--sync", default="?")
    ap.add_argument("--mosquitto", default="?")
    ap.add_argument("--commit", default="?")
    ap.add_argument("--name", default="latest", help="output base name (NAME.json, NAME.md)")
    ap.add_argument("--only", default="", help="comparisons run, when not all")
    a = ap.parse_args()
    rows = load(a.results)
    lines, ratios, table = [], {}, []

    # ---- intake: sweep (round 0) and alternating rounds (1..)
    intake = {}
    for r in rows:
        if r.get("test") == "intake" and r.get("r"):
            intake.setdefault(r["impl"], {}).setdefault(r["n"], {})[r.get("round", 1)] = r
    sweep = {impl: {n: rs[0]["r"] for n, rs in ns.items() if 0 in rs} for impl, ns in intake.items()}
    m64 = rounds_of(intake, "motcua", 64)
    costs = {}
    for ref, name, target in (("ceiling", "intake@64/ceiling", 0.8), ("pgbench", "intake@64/pgbench", 1.0)):
        best_n = max((n for n, rs in intake.get(ref, {}).items() if any(k > 0 for k in rs)),
                     key=lambda n: len(rounds_of(intake, ref, n)), default=None)
        refr = rounds_of(intake, ref, best_n) if best_n is not None else {}
        pr = paired(m64, refr, lambda r: r["r"]["rate"], lambda r: r["r"]["rate"])
        if pr is None:
            lines.append("%s: missing measurement" % name)
            continue
        met = pr["median"] >= target
        ratios[name] = dict(pr, target=">= %.1f" % target, met=met, reference_clients=best_n,
                            motcua=pr["motcua_median"], reference=pr["reference_median"])
        extra = ", batch %s" % refr[min(refr)]["r"].get("batch") if ref == "ceiling" else ""
        lines.append("%s: motcua %.0f/s vs %s %.0f/s (%d clients%s) = %.2fx, spread %.2f-%.2f over "
                     "%d rounds (target >= %.1f)%s" %
                     (name, pr["motcua_median"], ref, pr["reference_median"], best_n, extra,
                      pr["median"], pr["min"], pr["max"], pr["rounds"], target,
                      "" if met else "  NOT MET"))
        costs[ref] = refr
        if ref == "ceiling":
            BATCH_NOTE["ceiling"] = refr[min(refr)]["r"].get("batch")
    costs["motcua"] = m64
    cost = {}
    for impl, rs in costs.items():
        c = cost_per_dossier(rs)
        if c:
            cost[impl] = c
    if cost:
        ratios["intake_cost_per_dossier"] = cost
        lines.append("intake cost per dossier (median of rounds): " + "; ".join(
            "%s WAL %s B, PostgreSQL CPU %s us, server CPU %s us" %
            (impl, fmt(c.get("wal_bytes"), 0), fmt(c.get("pg_cpu_us"), 0), fmt(c.get("server_cpu_us"), 0))
            for impl, c in cost.items()))
    b = pick(rows, "intake_batches")
    if b and b.get("batches"):
        ratios["intake_batch_mean"] = round(b["receives"] / b["batches"], 1)
        lines.append("intake: the server's batches carried %.1f receives on average (%d batches)" %
                     (b["receives"] / b["batches"], b["batches"]))
    for impl in ("motcua", "ceiling", "pgbench"):
        per = " per batch of %s" % BATCH_NOTE.get(impl, "") if impl == "ceiling" else ""
        for n in sorted(intake.get(impl, {})):
            rs = intake[impl][n]
            if 0 in rs:
                r = rs[0]["r"]
                table.append(("intake", "%s, %d %s (sweep)" % (impl, n, "units" if impl == "motcua" else "clients"),
                              "%s dossiers/s" % fmt(r["rate"]),
                              "p50 %s ms, p99 %s ms%s" % (fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2), per)))
            rr = [rs[k]["r"] for k in sorted(rs) if k > 0]
            if rr:
                table.append(("intake", "%s, %d %s, %d rounds" % (impl, n, "units" if impl == "motcua" else "clients", len(rr)),
                              "%s dossiers/s (median; %s-%s)" % (fmt(median([x["rate"] for x in rr])),
                                                                 fmt(min(x["rate"] for x in rr)), fmt(max(x["rate"] for x in rr))),
                              "p50 %s ms, p99 %s ms%s (medians)" % (fmt(median([x["p50_ms"] for x in rr]), 2),
                                                                     fmt(median([x["p99_ms"] for x in rr]), 2), per)))

    # ---- upload
    up = pick(rows, "upload")
    if up and up.get("status") == "ok":
        mib = up["mib"]
        m, ref = mib / up["motcua_s"], mib / up["raw_s"]
        ratio = m / ref if ref else 0
        ratios["upload"] = {"mib": mib, "motcua_mib_s": round(m, 1), "reference_mib_s": round(ref, 1),
                            "motcua_s": up["motcua_s"], "reference_s": up["raw_s"],
                            "ratio": round(ratio, 3), "target": ">= 0.7", "met": ratio >= 0.7}
        ms, rs = up.get("motcua_rounds_s") or [], up.get("raw_rounds_s") or []
        pr = paired(dict(enumerate(ms, 1)), dict(enumerate(rs, 1)), lambda x: 1.0 / x, lambda x: 1.0 / x)
        ratios["upload"]["rounds"] = {"motcua_s": ms, "reference_s": rs}
        spread = ""
        if pr:  # the median of the per-round ratios, as every other comparison
            ratio = pr["median"]
            ratios["upload"].update(ratio=round(ratio, 3), met=ratio >= 0.7, spread=pr["spread"],
                                    per_round=pr["per_round"])
            spread = ", spread %.2f-%.2f" % (pr["min"], pr["max"])
        lines.append("upload: motcua %.1f MiB/s vs raw TLS+fdatasync %.1f MiB/s = %.2fx%s over %d rounds "
                     "(target >= 0.7); %d MiB%s" %
                     (m, ref, ratio, spread, len(ms) or 1, mib, " (--quick: smaller file)" if mib < 100 else ""))
        table.append(("upload", "motcua attach, %d MiB" % mib, "%.1f MiB/s" % m,
                      "%.2f s end to end" % up["motcua_s"]))
        table.append(("upload", "raw TLS (socat) + fdatasync, %d MiB" % mib, "%.1f MiB/s" % ref,
                      "%.2f s incl. fdatasync" % up["raw_s"]))
    else:
        status = up["status"] if up else "not measured"
        ratios["upload"] = {"status": status, "target": ">= 0.7"}
        lines.append("upload: %s" % status)
        table.append(("upload", "motcua vs raw TLS + fdatasync", status, ""))

    # ---- idle
    idle = {}
    for impl in ("motcua", "mosquitto"):
        r = pick(rows, "idle", impl)
        if r and r.get("status"):
            lines.append("idle: %s: %s" % (impl, r["status"]))
        if not r or not r.get("r"):
            continue
        est = r["r"].get("established", 0) or 1
        per = (r["rss_kb"] - r["rss_base_kb"]) * 1024.0 / est
        cpu = r["cpu_ticks"] / float(r["hz"]) / r["window_s"]
        idle[impl] = {"bytes_per_conn": round(per), "cpu_s_per_s": round(cpu, 4),
                      "established": r["r"].get("established"), "dropped": r["r"].get("dropped"),
                      "ramp_s": r["r"].get("ramp_s"), "rss_base_kb": r["rss_base_kb"],
                      "rss_kb": r["rss_kb"]}
        table.append(("idle", "%s, %d links" % (impl, r["r"].get("established", 0)),
                      "%.0f bytes/link" % per,
                      "CPU %.1f%% of a core; ramp %.1f s" % (cpu * 100, r["r"].get("ramp_s", -1))))
    if "motcua" in idle and "mosquitto" in idle:
        m, q = idle["motcua"]["bytes_per_conn"], idle["mosquitto"]["bytes_per_conn"]
        ratio = m / q if q else 0
        ratios["idle"] = {"motcua": m, "reference": q, "ratio": round(ratio, 3),
                          "target": "< 1.0", "met": ratio < 1.0,
                          "cpu_motcua": idle["motcua"]["cpu_s_per_s"],
                          "cpu_mosquitto": idle["mosquitto"]["cpu_s_per_s"]}
        lines.append("idle@%d: motcua %d B/link vs mosquitto %d B/link = %.2fx (target < 1.0); "
                     "cpu %.3f vs %.3f core" % (idle["motcua"]["established"], m, q, ratio,
                                               idle["motcua"]["cpu_s_per_s"],
                                               idle["mosquitto"]["cpu_s_per_s"]))
    elif a.quick == "1" and a.only in ("", "all"):
        lines.append("idle: measured by the links hook in --quick (idle links, below)")
    else:
        lines.append("idle: missing measurement")

    # ---- latency: alternating rounds of motcua and the echo at 1 and 64
    lat = {}
    for r in rows:
        if r.get("test") == "latency" and r.get("r"):
            lat.setdefault(r["impl"], {}).setdefault(r["n"], {})[r.get("round", 1)] = r
    for n in (1, 64):
        mr, er = rounds_of(lat, "motcua", n), rounds_of(lat, "echo", n)
        for impl, rs in (("motcua", mr), ("echo", er)):
            rr = [x["r"] for x in rs.values()]
            if rr:
                table.append(("latency", "%s ping, %d client%s, %d rounds" % (impl, n, "s" if n > 1 else "", len(rr)),
                              "%s round trips/s (median)" % fmt(median([x["rate"] for x in rr]), 0),
                              "p50 %s ms, p99 %s ms (medians)" % (fmt(median([x["p50_ms"] for x in rr]), 3),
                                                                   fmt(median([x["p99_ms"] for x in rr]), 3))))
        pr = paired(mr, er, lambda x: x["r"]["p99_ms"], lambda x: x["r"]["p99_ms"])
        if pr is None:
            lines.append("latency@%d: missing measurement" % n)
            continue
        p50 = paired(mr, er, lambda x: x["r"]["p50_ms"], lambda x: x["r"]["p50_ms"])
        limit = 1.0 if n == 64 else 2.0  # issue 19: at 64 clients no slower than the echo
        met = pr["median"] <= limit
        ratios["latency@%d" % n] = dict(pr, motcua_p99_ms=pr["motcua_median"],
                                        reference_p99_ms=pr["reference_median"],
                                        motcua_p50_ms=p50["motcua_median"],
                                        reference_p50_ms=p50["reference_median"],
                                        target="<= %.1f" % limit, met=met)
        lines.append("latency@%d: motcua p99 %.3f ms vs TLS echo p99 %.3f ms = %.2fx, spread %.2f-%.2f "
                     "over %d rounds (target <= %.1f); p50 %.3f vs %.3f ms%s" %
                     (n, pr["motcua_median"], pr["reference_median"], pr["median"], pr["min"], pr["max"],
                      pr["rounds"], limit, p50["motcua_median"], p50["reference_median"], "" if met else "  NOT MET"))

    # ---- login (issue 15): Argon2id login vs a list request; other units' p99
    cr = [x for x in rows if x.get("test") == "login" and x.get("impl") == "cost" and x.get("r")]
    if cr:
        c, rr = cr[0], [x["r"] for x in cr]
        per = [x["login_over_list"] for x in rr]
        r = {"login_p50_ms": median([x["login_p50_ms"] for x in rr]),
             "list_p50_ms": median([x["list_p50_ms"] for x in rr]),
             "ping_p50_ms": median([x["ping_p50_ms"] for x in rr]),
             "rounds": sum(x["rounds"] for x in rr), "ratio": median(per)}
        ratios["login_cost"] = {"login_p50_ms": r["login_p50_ms"], "list_p50_ms": r["list_p50_ms"],
                                "ratio": r["ratio"], "spread": [min(per), max(per)],
                                "per_round": per, "argon2_m_kib": c.get("argon2_m_kib"),
                                "argon2_t": c.get("argon2_t")}
        lines.append("login: one login p50 %.1f ms vs a list request p50 %.3f ms = %.0fx, spread %.0f-%.0f "
                     "over %d rounds (Argon2id m=%s KiB t=%s)" %
                     (r["login_p50_ms"], r["list_p50_ms"], r["ratio"], min(per), max(per), len(per),
                      c.get("argon2_m_kib"), c.get("argon2_t")))
        table.append(("login", "one login, %d rounds of %d" % (len(rr), rr[0]["rounds"]),
                      "p50 %.1f ms (median)" % r["login_p50_ms"],
                      "list p50 %.3f ms, ping p50 %.3f ms" % (r["list_p50_ms"], r["ping_p50_ms"])))
    else:
        lines.append("login: missing measurement")
    for b in [x for x in rows if x.get("test") == "login" and x.get("impl") == "burst"]:
        if not b.get("r"):
            continue
        r, mh = b["r"], b.get("max_hashes", 0)
        ratios["login_burst@max_hashes=%s" % mh] = {"base_p99_ms": r["base_p99_ms"], "burst_p99_ms": r["burst_p99_ms"],
                                 "ratio": r["p99_burst_over_base"], "burst_ms_mean": r["burst_ms_mean"],
                                 "logins_ok": r["logins_ok"], "logins_refused": r["logins_refused"]}
        pace = ("%g lists/s each" % r["rate"]) if r.get("rate") else "closed loops"
        ratios["login_burst@max_hashes=%s" % mh]["rate"] = r.get("rate", 0)
        lines.append("login burst (max_hashes=%s): %d units' list p99 %.3f ms (%s) during bursts "
                     "of %d logins vs %.3f ms without = %.2fx; a burst lasts %.0f ms" %
                     (mh, r["other_units"], r["burst_p99_ms"], pace, r["burst"], r["base_p99_ms"],
                      r["p99_burst_over_base"], r["burst_ms_mean"]))
        table.append(("login", "%d bursts of %d logins, %d other units (%s), max_hashes=%s" %
                      (r["bursts"], r["burst"], r["other_units"], pace, mh),
                      "p99 %.3f vs %.3f ms" % (r["burst_p99_ms"], r["base_p99_ms"]),
                      "p50 %.3f vs %.3f ms; logins ok %d, refused %d" %
                      (r["burst_p50_ms"], r["base_p50_ms"], r["logins_ok"], r["logins_refused"])))

    # ---- comparisons of their own scripts (run.sh HOOKS; docs/PERFORMANCE.md
    # "Adding a comparison"): their rows, as they are, beside the others
    for h in [x for x in rows if x.get("test") == "hook"]:
        if not h.get("rows"):
            ratios[h["hook"]] = {"status": h.get("status", "failed")}
            lines.append("%s: %s" % (h["hook"], h.get("status", "failed")))
            continue
        for r in h["rows"]:
            met = target_met(r["ratio"], r["target"])
            ratios[r["name"]] = dict(r, hook=h["hook"], met=met if r.get("met") is None else r["met"])
            sp, parts = r.get("spread"), [r["name"] + ":"]
            if r.get("motcua") is not None and r.get("reference") is not None:
                parts.append("motcua %s vs reference %s%s =" % (r["motcua"], r["reference"],
                                                                 " " + r["unit"] if r.get("unit") else ""))
            parts.append("%.2fx" % r["ratio"] + (", spread %.2f-%.2f" % (sp[0], sp[1]) if sp else "") +
                         (" over %d rounds" % r["rounds"] if r.get("rounds") else ""))
            parts.append("(target %s)" % r["target"] + ("; " + r["detail"] if r.get("detail") else "") +
                         ("  NOT MET" if ratios[r["name"]]["met"] is False else ""))
            lines.append(" ".join(parts))

    meta = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "quick": a.quick == "1", "elapsed_s": int(a.elapsed), "commit": a.commit,
            "cpu": cpu_model(), "cores": os.cpu_count(), "kernel": platform.release(),
            "db_pool_size": a.pool, "synchronous_commit": a.sync, "mosquitto": a.mosquitto,
            "only": a.only or "all"}
    meta["phases"] = phases_of(rows)
    doc = {"meta": meta, "ratios": ratios, "idle": idle,
           "measurements": [r for r in rows if r.get("test") != "phase"]}
    os.makedirs(a.outdir, exist_ok=True)
    with open(os.path.join(a.outdir, a.name + ".json"), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    md = ["<!-- written by bench/run.sh -->",
          "%s run%s, %s, %d cores (%s), commit %s, %d s; synchronous_commit=%s, db_pool_size=%s, "
          "mosquitto %s" % ("quick" if meta["quick"] else "full",
                            " of " + a.only + " only" if a.only else "", meta["date"],
                            meta["cores"], meta["cpu"], a.commit, meta["elapsed_s"], a.sync,
                            a.pool, a.mosquitto),
          "", "| comparison | run | figure | latency / detail |", "|---|---|---|---|"]
    md += ["| %s | %s | %s | %s |" % t for t in table]
    md += ["", "Ratios:", ""] + ["- `%s`" % l for l in lines]
    md += phase_md(meta["phases"], meta["elapsed_s"])
    with open(os.path.join(a.outdir, a.name + ".md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md[2:]))


if __name__ == "__main__":
    main()
