"""bench/run.sh HOOKS rows (docs/PERFORMANCE.md "Adding a comparison"),
shared by the scripts that report through a hook (links.sh, fair.sh)."""


def hook_rows(prefix, ratios):
    """One row per ratio: name, ratio, target (a string: "<= X" for a
    numeric limit), and motcua / reference / spread when the ratio has
    them (the reference under the key "mosquitto" in links.sh)."""
    rows = []
    for k, v in ratios.items():
        t = v.get("target")
        r = {"name": "%s %s" % (prefix, k), "ratio": v["ratio"],
             "target": t if isinstance(t, str) else "<= %s" % t}
        for a, b in (("motcua", "motcua"), ("mosquitto", "reference"), ("spread", "spread")):
            if a in v:
                r[b] = v[a]
        rows.append(r)
    return rows
