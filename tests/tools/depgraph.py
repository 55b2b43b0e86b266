#!/usr/bin/env python3
"""Dependency graph of server/: modules, their includes, and two rules.

A module is a header and the .c files it owns, in one folder: X.h owns X.c
and X_*.c (the longest such header stem wins); X_internal.h belongs to
module X; a .c no header owns belongs to the folder's own header
(store/store.h owns pool.c, receive.c, ...), else it is a module by itself
(main.c). Edges: a file of module A includes a header of module B.

Fails (exit 1) on
  1. a cycle between modules (include/call circle: handlers -> main -> ...);
  2. a header declaring a function defined in a .c of another module.
Usage: depgraph.py SERVER_DIR [--dot]   (prints the graph with --dot)
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
IDENT = re.compile(r'\b([A-Za-z_]\w*)\s*\(')


def strip(text):
    """Source without comments, string literals and preprocessor lines."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(\\.|[^'\\\n])*'", "''", text)
    return re.sub(r'^\s*#(?:[^\n]*\\\n)*[^\n]*', ' ', text, flags=re.M)


def top_level(text):
    """Statements at brace depth 0, with the text of each body dropped.
    Yields (statement text, ends_with_body)."""
    depth, cur = 0, []
    for ch in text:
        if ch == '{':
            if depth == 0:
                yield ''.join(cur), True
                cur = []
            depth += 1
        elif ch == '}':
            depth -= 1
        elif depth == 0:
            if ch == ';':
                yield ''.join(cur), False
                cur = []
            else:
                cur.append(ch)


def fn_name(stmt):
    """The function a prototype/definition names, or None."""
    s = ' '.join(stmt.split())
    if not s or s.startswith(('typedef', 'struct', 'enum', 'union', 'extern')) or '=' in s:
        return None
    m = IDENT.search(s)
    if m is None or m.group(1) in ('if', 'while', 'for', 'switch', 'return', 'sizeof'):
        return None
    if s[:m.start()].strip() == '' or '(*' in s[:m.end() + 2]:
        return None
    return m.group(1)


def declared(path):
    names = set()
    for stmt, body in top_level(strip(open(path, encoding='utf-8').read())):
        if not body:
            n = fn_name(stmt)
            if n:
                names.add(n)
    return names


def defined(path):
    names = set()
    for stmt, body in top_level(strip(open(path, encoding='utf-8').read())):
        if body and not re.search(r'\bstatic\b', stmt):
            n = fn_name(stmt)
            if n:
                names.add(n)
    return names


def modules(root):
    """file path -> module name ("folder/stem")."""
    owner = {}
    for folder, _, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        pre = '' if rel == '.' else rel + '/'
        stems = sorted({f[:-2] for f in files if f.endswith('.h')}, key=len, reverse=True)
        base = os.path.basename(folder)
        for f in files:
            if not f.endswith(('.c', '.h')):
                continue
            stem = f[:-2]
            if f.endswith('.h'):
                mod = stem[:-len('_internal')] if stem.endswith('_internal') else stem
            else:
                own = [h for h in stems if not h.endswith('_internal') and
                       (stem == h or stem.startswith(h + '_'))]
                mod = own[0] if own else (base if base in stems and rel != '.' else stem)
            owner[os.path.join(folder, f)] = pre + mod
    return owner


def find_cycle(graph):
    color, stack = {}, []

    def visit(n):
        color[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if color.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in color:
                c = visit(m)
                if c:
                    return c
        color[n] = 2
        stack.pop()
        return None

    for n in sorted(graph):
        if n not in color:
            c = visit(n)
            if c:
                return c
    return None


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'server')
    owner = modules(root)
    headers = {}
    for path in owner:
        if path.endswith('.h'):
            headers.setdefault(os.path.basename(path), []).append(path)
    graph, errors = {}, []
    for path, mod in owner.items():
        graph.setdefault(mod, set())
        for inc in INCLUDE.findall(open(path, encoding='utf-8').read()):
            targets = headers.get(os.path.basename(inc), [])
            if len(targets) > 1:
                errors.append('%s: ambiguous include "%s"' % (path, inc))
            for t in targets:
                if owner[t] != mod:
                    graph[mod].add(owner[t])
    definer = {}
    for path in owner:
        if path.endswith('.c'):
            for n in defined(path):
                definer.setdefault(n, []).append(path)
    for path in owner:
        if path.endswith('.h'):
            for n in sorted(declared(path)):
                for d in definer.get(n, []):
                    if owner[d] != owner[path]:
                        errors.append('%s declares %s, defined in %s (module %s)' % (
                            os.path.relpath(path, root), n, os.path.relpath(d, root), owner[d]))
    cycle = find_cycle(graph)
    if cycle:
        errors.append('cycle: ' + ' -> '.join(cycle))
    if '--dot' in sys.argv:
        print('digraph server {')
        for a in sorted(graph):
            for b in sorted(graph[a]):
                print('  "%s" -> "%s";' % (a, b))
        print('}')
    for e in errors:
        print('depgraph: ' + e, file=sys.stderr)
    print('depgraph: %d modules, %d edges, %s' % (
        len(graph), sum(len(v) for v in graph.values()), 'FAIL' if errors else 'ok'))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
