#!/usr/bin/env python3
"""Where the server's loop thread is on the CPU inside epoll_wait and in the
kernel's switch back to it (perf record -t LOOP_THREAD --call-graph dwarf).
Usage: waits.py PERF.DATA"""
import collections, subprocess, sys
out = subprocess.run(["perf", "script", "-i", sys.argv[1], "-F", "tid,time,ip,sym"],
                     capture_output=True, text=True).stdout
stacks, st = [], []
for line in out.splitlines():
    if not line.strip():
        if st:
            stacks.append(st)
        st = []
        continue
    p = line.split()
    if len(p) >= 2 and not p[0].endswith(":") and ":" not in p[1]:
        st.append(p[1])
if st:
    stacks.append(st)
n = len(stacks)
in_wait = [s for s in stacks if any("epoll_wait" in f for f in s)]
switch_in_wait = [s for s in in_wait if any("finish_task_switch" in f for f in s)]
switch_else = [s for s in stacks if s not in in_wait and any("finish_task_switch" in f for f in s)]
print(f"{n} samples of the loop thread")
print(f"inside epoll_wait: {len(in_wait)} ({100 * len(in_wait) / n:.1f} %), of them in "
      f"finish_task_switch (the switch back after the wait): {len(switch_in_wait)} "
      f"({100 * len(switch_in_wait) / n:.1f} %)")
print(f"finish_task_switch elsewhere (back from preemption, mostly at write()'s return): "
      f"{len(switch_else)} ({100 * len(switch_else) / n:.1f} %)")
c = collections.Counter(" < ".join(s[:5]) for s in in_wait)
print("\ntop stacks inside epoll_wait:")
for k, v in c.most_common(6):
    print(f"  {v:5d}  {k}")
