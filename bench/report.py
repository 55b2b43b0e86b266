#!/usr/bin/env python3
"""bench/report.py RESULTS.jsonl OUTDIR [--quick 0|1] ...: turns the
measurements of bench/run.sh into OUTDIR/latest.json (every figure),
OUTDIR/latest.md (the table) and prints one ratio line per comparison."""
import argparse
import datetime
import json
import os
import platform


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def pick(rows, test, impl=None, n=None):
    for r in rows:
        if r.get("test") == test and (impl is None or r.get("impl") == impl) and \
                (n is None or r.get("n") == n):
            return r
    return None


def fmt(x, nd=1):
    return "-" if x is None else ("%.*f" % (nd, x))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


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

    # ---- intake
    intake = {"motcua": {}, "pgbench": {}}
    for r in rows:
        if r.get("test") == "intake" and r.get("r"):
            intake[r["impl"]][r["n"]] = r["r"]
    pg_best_n, pg_best = None, None
    for n, r in intake["pgbench"].items():
        if pg_best is None or r["rate"] > pg_best["rate"]:
            pg_best_n, pg_best = n, r
    m64 = intake["motcua"].get(64)
    if m64 and pg_best:
        ratio = m64["rate"] / pg_best["rate"] if pg_best["rate"] else 0
        ratios["intake@64"] = {"motcua": m64["rate"], "reference": pg_best["rate"],
                               "reference_clients": pg_best_n, "ratio": round(ratio, 3),
                               "target": ">= 1.0", "met": ratio >= 1.0}
        lines.append("intake@64: motcua %.0f/s vs pgbench best %.0f/s (%d clients) = %.2fx "
                     "(target >= 1.0)" % (m64["rate"], pg_best["rate"], pg_best_n, ratio))
    else:
        lines.append("intake@64: missing measurement")
    for impl, ns in (("motcua", (1, 16, 64)), ("pgbench", (1, 4, 16, 64))):
        for n in ns:
            r = intake[impl].get(n)
            if r:
                table.append(("intake", "%s, %d %s" % (impl, n, "units" if impl == "motcua" else "clients"),
                              "%s dossiers/s" % fmt(r["rate"]),
                              "p50 %s ms, p99 %s ms" % (fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2))))

    # ---- upload
    up = pick(rows, "upload")
    if up and up.get("status") == "ok":
        mib = up["mib"]
        m, ref = mib / up["motcua_s"], mib / up["raw_s"]
        ratio = m / ref if ref else 0
        ratios["upload"] = {"mib": mib, "motcua_mib_s": round(m, 1), "reference_mib_s": round(ref, 1),
                            "motcua_s": up["motcua_s"], "reference_s": up["raw_s"],
                            "ratio": round(ratio, 3), "target": ">= 0.7", "met": ratio >= 0.7}
        rounds = len(up.get("motcua_rounds_s", [])) or 1
        ratios["upload"]["rounds"] = {"motcua_s": up.get("motcua_rounds_s"),
                                      "reference_s": up.get("raw_rounds_s")}
        lines.append("upload: motcua %.1f MiB/s vs raw TLS+fdatasync %.1f MiB/s = %.2fx "
                     "(target >= 0.7); %d MiB, median of %d rounds%s" %
                     (m, ref, ratio, mib, rounds, " (--quick: smaller file)" if mib < 100 else ""))
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
    else:
        lines.append("idle: missing measurement")

    # ---- latency
    for n in (1, 64):
        m, e = pick(rows, "latency", "motcua", n), pick(rows, "latency", "echo", n)
        for impl, r in (("motcua", m), ("echo", e)):
            if r and r.get("r"):
                rr = r["r"]
                table.append(("latency", "%s ping, %d client%s" % (impl, n, "s" if n > 1 else ""),
                              "%s round trips/s" % fmt(rr["rate"], 0),
                              "p50 %s ms, p99 %s ms" % (fmt(rr["p50_ms"], 3), fmt(rr["p99_ms"], 3))))
        if m and e and m.get("r") and e.get("r"):
            mp, ep = m["r"]["p99_ms"], e["r"]["p99_ms"]
            ratio = mp / ep if ep else 0
            ratios["latency@%d" % n] = {"motcua_p99_ms": mp, "reference_p99_ms": ep,
                                        "motcua_p50_ms": m["r"]["p50_ms"],
                                        "reference_p50_ms": e["r"]["p50_ms"],
                                        "ratio": round(ratio, 3), "target": "<= 2.0",
                                        "met": ratio <= 2.0}
            lines.append("latency@%d: motcua p99 %.3f ms vs TLS echo p99 %.3f ms = %.2fx "
                         "(target <= 2.0); p50 %.3f vs %.3f ms" %
                         (n, mp, ep, ratio, m["r"]["p50_ms"], e["r"]["p50_ms"]))
        else:
            lines.append("latency@%d: missing measurement" % n)

    # ---- login (issue 15): Argon2id login vs a list request; other units' p99
    c = pick(rows, "login", "cost")
    if c and c.get("r"):
        r = c["r"]
        ratios["login_cost"] = {"login_p50_ms": r["login_p50_ms"], "list_p50_ms": r["list_p50_ms"],
                                "ratio": r["login_over_list"], "argon2_m_kib": c.get("argon2_m_kib"),
                                "argon2_t": c.get("argon2_t")}
        lines.append("login: one login p50 %.1f ms vs a list request p50 %.3f ms = %.0fx "
                     "(Argon2id m=%s KiB t=%s)" % (r["login_p50_ms"], r["list_p50_ms"],
                                                   r["login_over_list"], c.get("argon2_m_kib"),
                                                   c.get("argon2_t")))
        table.append(("login", "one login, %d rounds" % r["rounds"], "p50 %.1f ms" % r["login_p50_ms"],
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
        lines.append("login burst (max_hashes=%s): %d units' list p99 %.3f ms during bursts of %d "
                     "logins vs %.3f ms without = %.2fx; a burst lasts %.0f ms" %
                     (mh, r["other_units"], r["burst_p99_ms"], r["burst"], r["base_p99_ms"],
                      r["p99_burst_over_base"], r["burst_ms_mean"]))
        table.append(("login", "%d bursts of %d logins, %d other units, max_hashes=%s" %
                      (r["bursts"], r["burst"], r["other_units"], mh),
                      "p99 %.3f vs %.3f ms" % (r["burst_p99_ms"], r["base_p99_ms"]),
                      "p50 %.3f vs %.3f ms; logins ok %d, refused %d" %
                      (r["burst_p50_ms"], r["base_p50_ms"], r["logins_ok"], r["logins_refused"])))

    meta = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "quick": a.quick == "1", "elapsed_s": int(a.elapsed), "commit": a.commit,
            "cpu": cpu_model(), "cores": os.cpu_count(), "kernel": platform.release(),
            "db_pool_size": a.pool, "synchronous_commit": a.sync, "mosquitto": a.mosquitto,
            "only": a.only or "all"}
    doc = {"meta": meta, "ratios": ratios, "idle": idle, "measurements": rows}
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
    with open(os.path.join(a.outdir, a.name + ".md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md[2:]))


if __name__ == "__main__":
    main()
