"""Issue 14, findings 1 and 2: the level-boundary rules as one table, tested
cell by cell through the real server and CLI.

The expected answers come from RULES below, a statement of docs/WORKFLOW.md
("Level boundaries") written independently of the rows of
server/rules/actions.c. For every place a dossier can be in (who received
it, at which level, before the forward / at the centre / after the
send-back), every status the CLI can bring it to, every actor (the
receiving unit, the centre, another commune) and every action, the test asks
the server and compares: an allowed cell succeeds and leads to the stated
status and holder; every other cell is refused with the stated error code,
a detail naming its rule ("rule.<id>: ...") and no change to the dossier.
Plus the two regression scenarios of the issue.

Its own throwaway deployment (sec_util.Deployment), torn down at the end;
requests run on 4 threads; about 1-2 minutes.
"""
import concurrent.futures
import datetime
import unittest

from itest import citizen_id
from sec_util import Deployment

DEP = None
UNIT = "18499"      # the receiving commune
OTHER = "18502"     # a commune with no part in the dossier
CENTRE = "444"
PROC = {}           # level name -> a procedure code
LATER = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()

ARGS = {
    "accept": (), "assign": ("--to", "tester.444", "--dept", "Phòng Nội vụ"), "result": (),
    "send-back": (), "supplement-request": ("--reason", "Thiếu giấy tờ"),
    "supplement": ("--note", "Đã bổ sung"), "fee-request": ("--amount", "50000"),
    "fee-paid": (), "refuse": ("--reason", "Không đủ điều kiện"),
    "stop": ("--reason", "Dừng"), "withdraw": ("--reason", "Rút"),
    "reschedule": ("--to", LATER, "--reason", "Hẹn lại"),
    "return": ("--to", "Nguyễn Văn A"), "rate": ("--level", "3"), "forward": (),
}

# ---- the rules, from docs/WORKFLOW.md ---------------------------------------
# Places: OWN_C commune-level at its commune; OWN_D district-level received by
# the centre itself; INTAKE district-level at its commune, never forwarded;
# UP forwarded, the centre holds it; BACK sent back to the commune.
OPEN = {1, 2, 4, 5, 6}
FULL = {  # the unit that resolves the dossier, holding it
    "accept": {2}, "result": {4}, "supplement-request": {2, 4}, "supplement": {5},
    "fee-request": {4}, "fee-paid": {6}, "refuse": {1, 2}, "stop": {4, 5, 6},
    "withdraw": OPEN, "reschedule": OPEN - {1},
}
TO = {"accept": 4, "assign": 4, "result": 9, "supplement-request": 5, "supplement": 4,
      "fee-request": 6, "fee-paid": 4, "refuse": 3, "stop": 8, "withdraw": 7, "return": 10}


def allowed(place, actor):
    """-> {action: set of statuses} for an actor ("recv", "centre", "other")
    at a place."""
    if actor == "other":
        return {}
    if place == "OWN_C" and actor == "recv":
        return dict(FULL, **{"return": {9}, "rate": {10}})
    if place == "OWN_D" and actor == "recv":
        return dict(FULL, **{"assign": {2, 4}, "return": {9}, "rate": {10}})
    if place == "INTAKE" and actor == "recv":
        return {"forward": {2}, "refuse": {1, 2}, "withdraw": {1, 2, 5},
                "supplement-request": {2}, "supplement": {5}}
    if place == "UP" and actor == "centre":
        return dict(FULL, **{"assign": {2, 4}, "send-back": {3, 7, 8, 9}})
    if place == "UP" and actor == "recv":
        return {"supplement": {5}, "fee-paid": {6}, "withdraw": OPEN}
    if place == "BACK" and actor == "recv":
        return {"return": {9}, "rate": {10}}
    return {}


def visible(place, actor):
    if actor == "other":
        return False
    return actor == "recv" or place in ("UP", "BACK")


def expect(place, actor, action, status):
    """-> ("ok", status after, holder after) or ("refused", error code)."""
    if action == "forward" and (actor == "centre" or (place == "OWN_D" and actor == "recv")):
        return ("refused", "forbidden")  # a commune desk's message, refused by role first
    if not visible(place, actor):
        return ("refused", "not_found")
    rules = allowed(place, actor)
    if status in rules.get(action, ()):
        to = TO.get(action, status)
        if place == "INTAKE" and action == "supplement":
            to = 2  # the intake supplement: back to "received", still to forward
        holder = {"forward": CENTRE, "send-back": UNIT}.get(action)
        return ("ok", to, holder)
    if action in rules:
        return ("refused", "bad_state")
    if action in ("assign", "send-back") and actor == "recv" and place != "OWN_D":
        return ("refused", "forbidden")  # district staff only
    if action == "forward" and place in ("OWN_C", "OWN_D"):
        return ("refused", "wrong_level" if actor == "recv" and place == "OWN_C" else "forbidden")
    if action == "forward" and actor == "recv":
        return ("refused", "bad_state")  # forwarded once
    if place == "INTAKE":
        return ("refused", "wrong_level")  # the district's business, not yet forwarded
    return ("refused", "forbidden")


# ---- bringing a dossier to a place and status ---------------------------------
UP_PATH = {2: [], 3: ["refuse"], 4: ["accept"], 5: ["accept", "supplement-request"],
           6: ["accept", "fee-request"], 7: ["withdraw"], 8: ["accept", "stop"],
           9: ["accept", "result"]}
STATES = ([("OWN_C", s) for s in (2, 3, 4, 5, 6, 7, 8, 9, 10)] +
          [("OWN_D", s) for s in (2, 3, 4, 5, 6, 7, 8, 9, 10)] +
          [("INTAKE", s) for s in (2, 3, 5, 7)] +
          [("UP", s) for s in sorted(UP_PATH)] +
          [("BACK", s) for s in (3, 7, 8, 9, 10)])
ACTOR_UNIT = {"recv": None, "centre": CENTRE, "other": OTHER}


def run(unit, action, code):
    return DEP.cli(unit, action, code, *ARGS[action]) if code else None


def step(unit, action, code):
    r = run(unit, action, code)
    if r.rc != 0:
        raise AssertionError("setup %s %s by %s: %r" % (action, code, unit, r))
    return r


def make(place, status):
    """A fresh dossier at place in status -> (code, receiving unit)."""
    recv = CENTRE if place == "OWN_D" else UNIT
    level = "commune" if place == "OWN_C" else "district"
    r = DEP.cli(recv, "receive", "--procedure", PROC[level], "--name", "Nguyễn Văn Thử",
                "--id", citizen_id(), "--phone", "0912345678")
    if r.rc != 0:
        raise AssertionError("receive at %s: %r" % (recv, r))
    code = r.doc.get("dossier", r.doc)["code"]
    if place in ("OWN_C", "OWN_D"):
        path = {2: [], 10: ["accept", "result", "return"]}.get(status, UP_PATH.get(status))
        for a in path:
            step(recv, a, code)
    elif place == "INTAKE":
        for a in {2: [], 3: ["refuse"], 5: ["supplement-request"], 7: ["withdraw"]}[status]:
            step(UNIT, a, code)
    else:
        step(UNIT, "forward", code)
        for a in UP_PATH[9 if status == 10 else status]:
            step(CENTRE, a, code)
        if place == "BACK":
            step(CENTRE, "send-back", code)
            if status == 10:
                step(UNIT, "return", code)
    return code, recv


def error_detail(r):
    if isinstance(r.doc, dict) and isinstance(r.doc.get("error"), dict):
        return r.doc["error"].get("detail") or ""
    return ""


def show(unit, code):
    r = DEP.cli(unit, "show", code)
    if r.rc != 0:
        raise AssertionError("show %s: %r" % (code, r))
    d = r.doc.get("dossier", r.doc)
    return d["status"], d["holder_unit"]


def check_state(place, status):
    """Every actor x action on one (place, status); -> list of problems."""
    problems = []
    code, recv = make(place, status)
    before = show(recv, code)
    if before[0] != status:
        return ["%s/%d: setup reached status %r" % (place, status, before)]
    oks = []
    for actor in ("recv", "centre", "other"):
        unit = ACTOR_UNIT[actor] or recv
        if actor == "centre" and recv == CENTRE:
            continue  # the centre is the receiving unit here
        for action in ARGS:
            want = expect(place, actor, action, status)
            cell = "%s/%d %s by %s" % (place, status, action, actor)
            if want[0] == "ok":
                oks.append((cell, unit, action, want))
                continue
            r = run(unit, action, code)
            detail = error_detail(r)
            if r.rc != 1 or r.error_code != want[1]:
                problems.append("%s: want %s, got rc=%d %s %s" % (
                    cell, want[1], r.rc, r.error_code, detail))
            elif want[1] != "not_found" and not detail.startswith("rule."):
                problems.append("%s: detail %r names no rule" % (cell, detail))
    if show(recv, code) != before:
        problems.append("%s/%d: refused actions changed the dossier" % (place, status))
    for cell, unit, action, want in oks:
        c, _ = make(place, status)  # a fresh one for each allowed action
        r = run(unit, action, c)
        if r.rc != 0:
            problems.append("%s: want success, got rc=%d %s %s" % (
                cell, r.rc, r.error_code, error_detail(r) or r.err))
            continue
        st, holder = show(recv, c)
        if st != want[1] or holder != (want[2] or before[1]):
            problems.append("%s: want status %d holder %s, got %d %s" % (
                cell, want[1], want[2] or before[1], st, holder))
    return problems


def setUpModule():
    global DEP
    DEP = Deployment("motcua-rules-").up()
    r = DEP.cli("18496", "procedures")
    procs = r.doc.get("procedures", r.doc) if isinstance(r.doc, dict) else r.doc
    for p in procs:
        PROC.setdefault({1: "commune", 2: "district"}.get(p.get("level"), p.get("level")),
                        p["code"])


def tearDownModule():
    if DEP is not None:
        report = DEP.down()
        if report:
            raise AssertionError("sanitizer report in server.log:\n" + report)


class TestRuleTable(unittest.TestCase):
    def test_every_cell(self):
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda s: check_state(*s), STATES))
        problems = [p for r in results for p in r]
        self.assertEqual(problems, [], "\n".join(problems))

    def test_commune_cannot_decide_before_forward(self):
        """Finding 1: accept then result at the commune on a district-level
        dossier it never forwarded: both refused (wrong_level); it stays
        received and can still be forwarded and accepted by the district."""
        code, _ = make("INTAKE", 2)
        for a in ("accept", "result", "return", "stop"):
            r = run(UNIT, a, code)
            self.assertEqual((r.rc, r.error_code), (1, "wrong_level"), r)
            self.assertTrue(r.doc["error"]["detail"].startswith("rule."), r)
        self.assertEqual(show(UNIT, code), (2, UNIT))
        step(UNIT, "forward", code)
        step(CENTRE, "accept", code)
        self.assertEqual(show(UNIT, code), (4, CENTRE))

    def test_intake_supplement_then_forward(self):
        """Finding 2: the commune's intake supplement (slip 02) moves 2 -> 5
        -> 2, and the dossier can then be forwarded."""
        code, _ = make("INTAKE", 2)
        step(UNIT, "supplement-request", code)
        self.assertEqual(show(UNIT, code), (5, UNIT))
        r = run(UNIT, "forward", code)
        self.assertEqual((r.rc, r.error_code), (1, "bad_state"), r)
        step(UNIT, "supplement", code)
        self.assertEqual(show(UNIT, code), (2, UNIT))
        step(UNIT, "forward", code)
        self.assertEqual(show(UNIT, code), (2, CENTRE))
        step(CENTRE, "accept", code)
        self.assertEqual(show(CENTRE, code)[0], 4)


if __name__ == "__main__":
    unittest.main()
