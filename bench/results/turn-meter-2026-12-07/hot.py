#!/usr/bin/env python3
"""Find the server loop thread's densest 100 ms windows in perf script output
and what ran in them (the frame under uv_run)."""
import re, subprocess, sys, collections
out = subprocess.run(["perf", "script", "-i", sys.argv[1], "-F", "tid,time,ip,sym"],
                     capture_output=True, text=True).stdout
samples = []  # (time, stack list top-first)
cur = None
for line in out.splitlines():
    if not line.strip():
        if cur: samples.append(cur); cur = None
        continue
    m = re.match(r"\s*(\d+)\s+([\d.]+):\s*$", line)
    if m:
        cur = (float(m.group(2)), [])
        continue
    if cur is not None:
        parts = line.strip().split(None, 1)
        cur[1].append(parts[1] if len(parts) > 1 else parts[0])
if cur: samples.append(cur)
idle = lambda st: any("epoll_wait" in f for f in st[:6])
busy = [(t, st) for t, st in samples if not idle(st)]
print(len(samples), "samples,", len(busy), "busy")
# densest windows
W = 0.1
best = []
j = 0
for i, (t, st) in enumerate(busy):
    while busy[j][0] < t - W: j += 1
    best.append((i - j + 1, t))
best.sort(reverse=True)
seen = []
for n, t in best:
    if any(abs(t - s) < 0.3 for s in seen): continue
    seen.append(t)
    if len(seen) > 4: break
    win = [st for tt, st in busy if t - W <= tt <= t]
    c = collections.Counter()
    for st in win:
        # frame just below uv_run, and two above it
        if "uv_run" in st:
            k = st.index("uv_run")
            c[" < ".join(st[max(0, k - 4):k])] += 1
        else:
            c[" < ".join(st[-4:])] += 1
    print(f"\nwindow ending {t:.3f}: {n} busy samples in {W*1000:.0f} ms")
    for k, v in c.most_common(8): print(f"  {v:4d}  {k}")
