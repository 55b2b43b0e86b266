#!/usr/bin/env python3
"""The client's layers, checked on the #include edges (ctest: client_layers).

  client/lib  includes only its own headers and proto/, common/ (never cli/,
              never desk/)
  client/desk (the web desk, issue 16) includes lib/, proto/, common/, never
              cli/; its pure parts (desk_req, desk_guard) include none of
              its I/O parts (desk, desk_http, desk_api, desk_internal)
  client/cli  modules (x.c + x.h) form no circle; the bottom (cli, print)
              includes no command family; only main.c includes a family
              that nothing else needs (main is the top).

Usage: layers.py CLIENT_DIR [--edges]   (--edges prints the module graph)
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
BOTTOM = {"cli", "print", "cli_text"}
MERGE = {"cli_util": "cli",  # cli.h is implemented by cli_util.c
         "desk_internal": "desk"}  # X_internal.h belongs to module X


def includes(path):
    with open(path, encoding="utf-8") as f:
        return INCLUDE.findall(f.read())


def modules(d):
    """module name -> set of included local module names (x.c and x.h merged)."""
    files = [f for f in os.listdir(d) if f.endswith((".c", ".h"))]
    def name(f):
        m = os.path.splitext(f)[0]
        return MERGE.get(m, m)

    local = {name(f) for f in files}
    graph = {m: set() for m in local}
    for f in files:
        m = name(f)
        for inc in includes(os.path.join(d, f)):
            n = name(inc)
            if n in local and n != m:
                graph[m].add(n)
    return graph


def cycle(graph):
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                c = visit(n)
                if c:
                    return c
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            c = visit(m)
            if c:
                return c
    return None


DESK_PURE = {"desk_req", "desk_guard"}
DESK_IO = {"desk", "desk_http", "desk_api", "desk_internal", "desk_www"}


def desk_rules(root, cli_headers):
    lib, desk = os.path.join(root, "lib"), os.path.join(root, "desk")
    bad = []
    if not os.path.isdir(desk):
        return bad
    desk_headers = {f for f in os.listdir(desk) if f.endswith(".h")}
    for f in sorted(os.listdir(lib)):
        if f.endswith((".c", ".h")):
            for inc in includes(os.path.join(lib, f)):
                if inc in desk_headers and not os.path.exists(os.path.join(lib, inc)):
                    bad.append("lib/%s includes the desk's %s" % (f, inc))
    for f in sorted(os.listdir(desk)):
        if not f.endswith((".c", ".h")):
            continue
        m = os.path.splitext(f)[0]
        for inc in includes(os.path.join(desk, f)):
            if inc in cli_headers and not os.path.exists(os.path.join(desk, inc)):
                bad.append("desk/%s includes the CLI's %s" % (f, inc))
            if m in DESK_PURE and os.path.splitext(inc)[0] in DESK_IO:
                bad.append("desk/%s (pure) includes %s" % (f, inc))
    c = cycle(modules(desk))
    if c:
        bad.append("circle in client/desk: " + " -> ".join(c))
    return bad


def main():
    root = sys.argv[1]
    lib, cli = os.path.join(root, "lib"), os.path.join(root, "cli")
    bad = []
    cli_headers = {f for f in os.listdir(cli) if f.endswith(".h")}
    for f in sorted(os.listdir(lib)):
        if f.endswith((".c", ".h")):
            for inc in includes(os.path.join(lib, f)):
                if inc in cli_headers and not os.path.exists(os.path.join(lib, inc)):
                    bad.append("lib/%s includes the CLI's %s" % (f, inc))
    bad += desk_rules(root, cli_headers)
    graph = modules(cli)
    c = cycle(graph)
    if c:
        bad.append("circle in client/cli: " + " -> ".join(c))
    for m in BOTTOM & set(graph):
        up = sorted(n for n in graph[m] if n not in BOTTOM)
        if up:
            bad.append("bottom module %s includes %s" % (m, ", ".join(up)))
    for m in graph:
        if "main" in graph[m]:
            bad.append("%s includes main" % m)
    if "--edges" in sys.argv:
        for m in sorted(graph):
            print("%-12s -> %s" % (m, " ".join(sorted(graph[m])) or "-"))
    for b in bad:
        print("FAIL:", b)
    print("%d modules in client/cli, %s" % (len(graph), "no circle" if not c else "CIRCLE"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
