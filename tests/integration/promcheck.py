#!/usr/bin/env python3
"""Strict check of a Prometheus text exposition (format 0.0.4).

    promcheck.py FILE|-     exit 0 and "promcheck: ok ..." or exit 1 with the problems

Parses with prometheus_client's parser (Debian: python3-prometheus-client)
and adds the rules that parser lets pass: every line is a HELP, a TYPE or a
sample; each family has exactly one HELP and one TYPE, before its samples,
and its samples are contiguous (a histogram's _bucket, _sum and _count, a
summary's _sum and _count, belong to it); counters end in _total; every name
starts with motcua_ or is one of the client-library conventions process_*;
no series twice; values are numbers; the text ends in a newline.
"""
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s)(?:,%s)*\})? (\S+)$" % (NAME, LABEL, LABEL))
HELP = re.compile(r"^# HELP (%s) \S.*$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}
PREFIXES = ("motcua_", "process_")


def family_of(name, current, families):
    """The family a sample name belongs to: itself, or the current histogram
    or summary family when name is that family plus one of its suffixes."""
    if name == current or current is None:
        return name
    for suf in SUFFIXES.get(families[current]["type"], ()):
        if name == current + suf:
            return current
    return name


def check_lines(text):
    errors, families, current, seen_series = [], {}, None, set()
    if not text.endswith("\n"):
        errors.append("does not end with a newline")
    for n, line in enumerate(text.splitlines(), 1):
        m = HELP.match(line) or TYPE.match(line)
        if m:
            name = m.group(1)
            fam = families.setdefault(name, {"help": 0, "type": None, "samples": 0, "closed": False})
            if fam["closed"] or fam["samples"]:
                errors.append("line %d: HELP/TYPE of %s after its samples" % (n, name))
            if line.startswith("# HELP"):
                fam["help"] += 1
            else:
                if fam["type"]:
                    errors.append("line %d: second TYPE for %s" % (n, name))
                fam["type"] = m.group(2)
            if current and current != name:
                families[current]["closed"] = True
            current = name
            continue
        m = SAMPLE.match(line)
        if not m:
            errors.append("line %d: not a sample, HELP or TYPE: %r" % (n, line))
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        if family_of(name, current, families) != current:
            errors.append("line %d: sample %s outside its family (current %s)" % (n, name, current))
            continue
        families[current]["samples"] += 1
        if (name, labels) in seen_series:
            errors.append("line %d: duplicate series %s%s" % (n, name, labels))
        seen_series.add((name, labels))
        try:
            v = float(value)
            if math.isnan(v):
                errors.append("line %d: NaN" % n)
        except ValueError:
            errors.append("line %d: bad value %r" % (n, value))
    for name, fam in families.items():
        if fam["help"] != 1 or not fam["type"]:
            errors.append("%s: needs exactly one HELP and one TYPE" % name)
        if fam["type"] == "counter" and not name.endswith("_total"):
            errors.append("%s: counter without _total" % name)
        if not name.startswith(PREFIXES):
            errors.append("%s: name without the motcua_ (or process_) prefix" % name)
    return errors, families, len(seen_series)


def check(text):
    from prometheus_client.parser import text_string_to_metric_families
    errors, families, nseries = check_lines(text)
    parsed = list(text_string_to_metric_families(text))
    for fam in parsed:
        if fam.type == "untyped" or not fam.documentation:
            errors.append("parser: family %s has no TYPE/HELP" % fam.name)
    return errors, len(parsed), nseries


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    errors, nfam, nseries = check(text)
    if errors:
        print("promcheck: %d problem(s)" % len(errors))
        for e in errors[:50]:
            print("  " + e)
        return 1
    print("promcheck: ok, %d families, %d series" % (nfam, nseries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
