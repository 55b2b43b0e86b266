"""Events: `motcua --json watch` (live, one JSON object a line) and
`motcua inbox` (kept until read) for the "other party" of each action
(docs/WORKFLOW.md).

Commune used only by this file: 18550 (Hương Trà). The district's watch
and inbox also see other files' dossiers, so those are matched by code.
"""
import time
import unittest

from itest import DISTRICT, cli
from wfhelp import Watch, act, forwarded, new_dossier

UNIT = "18550"


def inbox(tc, unit, *args):
    r = cli(unit, "inbox", "--limit", "1000", *args)
    tc.assertEqual(r.rc, 0, r)
    ev = r.doc["events"] if isinstance(r.doc, dict) else r.doc
    tc.assertIsInstance(ev, list, r)
    return ev


def drain(tc, unit):
    for _ in range(50):
        if not inbox(tc, unit):
            return
    tc.fail("inbox of %s never empties" % unit)


class TestEvents(unittest.TestCase):
    def test_district_watch_gets_forward(self):
        w = Watch(self, DISTRICT)
        d, _ = forwarded(self, UNIT)
        ev = w.event_for(d["code"], "forward", timeout=15)
        self.assertIsNotNone(ev, "no forward event for %s; got %r" % (d["code"], w.lines))
        self.assertEqual(ev["from_unit"], UNIT, ev)
        self.assertEqual(ev["dossier"]["holder_unit"], DISTRICT, ev)
        self.assertEqual(ev["dossier"]["unit"], UNIT, ev)
        self.assertTrue(ev["at"], ev)

    def test_commune_watch_gets_supplement_request_and_send_back(self):
        d, _ = forwarded(self, UNIT)
        code = d["code"]
        act(self, DISTRICT, "accept", code)
        w = Watch(self, UNIT)
        act(self, DISTRICT, "supplement-request", code, "--reason", "Thiếu sơ đồ thửa đất")
        ev = w.event_for(code, "supplement_request", timeout=15)
        self.assertIsNotNone(ev, "no supplement_request event; got %r" % w.lines)
        self.assertEqual(ev["from_unit"], DISTRICT, ev)
        self.assertEqual(ev["detail"], "Thiếu sơ đồ thửa đất", ev)
        self.assertEqual(ev["dossier"]["status"], 5, ev)
        act(self, UNIT, "supplement", code)  # the commune's own action: no event to itself
        act(self, DISTRICT, "refuse", code, "--reason", "Không đủ điều kiện cấp phép",
            ok=False)  # refuse is for 1, 2 only: refused, and no event
        act(self, DISTRICT, "result", code)
        act(self, DISTRICT, "send-back", code)
        ev = w.event_for(code, "send_back", timeout=15)
        self.assertIsNotNone(ev, "no send_back event; got %r" % w.lines)
        self.assertEqual(ev["dossier"]["holder_unit"], UNIT, ev)
        self.assertEqual(ev["dossier"]["status"], 9, ev)
        seen = [(e.get("kind")) for e in map(_json, w.lines)
                if e and (e.get("dossier") or {}).get("code") == code]
        self.assertNotIn("supplement", seen, "an actor is not told of its own action")

    def test_inbox_keeps_until_read(self):
        drain(self, UNIT)
        self.assertEqual(inbox(self, UNIT, "--peek"), [])
        d, _ = forwarded(self, UNIT)
        code = d["code"]
        # no watch running: the events wait in the inbox
        act(self, DISTRICT, "accept", code)
        act(self, DISTRICT, "supplement-request", code, "--reason", "Thiếu bản sao CCCD")
        want = ["accept", "supplement_request"]
        deadline = time.time() + 10
        while True:
            peek = [e for e in inbox(self, UNIT, "--peek") if e["dossier"]["code"] == code]
            if [e["kind"] for e in peek] == want or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual([e["kind"] for e in peek], want, peek)
        for e in peek:
            self.assertEqual(e["from_unit"], DISTRICT, e)
        self.assertEqual(peek[1]["detail"], "Thiếu bản sao CCCD")
        # --peek does not mark: the same again
        again = [e for e in inbox(self, UNIT, "--peek") if e["dossier"]["code"] == code]
        self.assertEqual([e["id"] for e in again], [e["id"] for e in peek])
        # reading marks them read
        got = inbox(self, UNIT)
        self.assertEqual([e["id"] for e in got if e["dossier"]["code"] == code],
                         [e["id"] for e in peek])
        self.assertEqual(inbox(self, UNIT), [])
        self.assertEqual(inbox(self, UNIT, "--peek"), [])

    def test_actor_gets_no_inbox_entry_for_own_action(self):
        drain(self, UNIT)
        # a commune-level dossier: a district-level one is the district's to
        # accept and resolve (issue 14, docs/WORKFLOW.md "Level boundaries")
        d, _ = new_dossier(self, UNIT, level="commune")
        act(self, UNIT, "accept", d["code"])
        act(self, UNIT, "result", d["code"])
        self.assertEqual([e for e in inbox(self, UNIT, "--peek")
                          if e["dossier"]["code"] == d["code"]], [])


def _json(line):
    import json
    try:
        return json.loads(line)
    except ValueError:
        return None


if __name__ == "__main__":
    unittest.main()
