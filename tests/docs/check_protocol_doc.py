#!/usr/bin/env python3
"""docs/PROTOCOL.md must name every message and enum of proto/motcua.proto,
so that a client written from the document alone needs nothing else.

    check_protocol_doc.py PROTO DOC

Exits 1 listing what the document lacks."""
import re
import sys


def names(proto_text):
    text = re.sub(r"//[^\n]*", "", proto_text)
    return sorted(set(re.findall(r"\b(?:message|enum)\s+([A-Za-z_][A-Za-z0-9_]*)", text)))


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        proto = f.read()
    with open(argv[2], encoding="utf-8") as f:
        doc = f.read()
    found = names(proto)
    if len(found) < 10:
        print("check_protocol_doc: read only %d names from %s" % (len(found), argv[1]))
        return 1
    missing = [n for n in found if not re.search(r"\b%s\b" % re.escape(n), doc)]
    for n in missing:
        print("docs/PROTOCOL.md does not mention %s" % n)
    print("check_protocol_doc: %d names, %d missing" % (len(found), len(missing)))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
