"""Issue 13, items "a unit that never connected shows 'mất kết nối 2 phút'
(counted from server start): show 'never connected'" and "an offline unit
keeps its last RTT: clear it".

Contract asked of the fix:
  (a) a unit with no connection since the server started:
      /api/units (and `motcua monitor --json`): "state": "never",
      "online": false, "since_ms": 0, "since": null, "offline_for_s": null;
      `motcua monitor --once` row: contains "chưa từng kết nối" (vi) /
      "never connected" (--lang en) in its state column, and neither
      "mất kết nối" nor "offline" nor a duration.
  (b) once a unit's resident link (watch) has closed: /api/units "rtt_ms":
      null and "srtt_ms": null (the proto's -1 = not measured); /metrics has no
      `motcua_unit_rtt_seconds{unit=...}` nor `motcua_unit_rtt_smoothed_seconds`
      series for it; its `monitor --once` row shows no RTT ("–", no "N ms").

Fails today:
  test_01: /api/units state "offline" with since_ms = the server's start
      ("never-connected unit: state 'offline' != 'never'"); the table says
      "mất kết nối 3 giây" / "offline 3 s".
  test_02: after the watch stops, rtt_ms/srtt_ms keep the last measurement
      ("offline unit keeps its RTT: rtt_ms=0 srtt_ms=0"), the RTT series stay
      in /metrics and the row shows "0 ms".

Own throwaway deployment (heartbeat_s = 2, torn down at the end).
"""
import signal
import unittest

from mon_util import MonDeployment, metric_families, sample_value, wait_until

NEVER = "18505"     # nothing ever connects as this unit
WATCHED = "18508"   # a watch connects, gets an RTT, then stops
NEVER_EN = "never connected"
NEVER_VI = "chưa từng kết nối"


class TestUnitState(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = MonDeployment("motcua-mon-state-", heartbeat=2)
        # up logs every unit's tester in (a connection): not this one
        cls.d.env["MOTCUA_LOGIN_SKIP"] = NEVER
        try:
            cls.d.up()
        except BaseException:
            cls.d.down()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.down()

    def test_01_never_connected(self):
        # let a few seconds pass since the server started: today's text then
        # shows a duration counted from the start
        wait_until(lambda: False, 2.5)
        u = self.d.unit(NEVER)
        self.assertFalse(u["online"], u)
        self.assertEqual(u["state"], "never",
                         "never-connected unit: state %r != 'never' (since_ms=%r offline_for_s=%r)"
                         % (u["state"], u["since_ms"], u["offline_for_s"]))
        self.assertEqual(u["since_ms"], 0, u)
        self.assertIsNone(u["since"], u)
        self.assertIsNone(u["offline_for_s"], u)
        row = self.d.row(self.d.monitor_text(), NEVER)
        self.assertIn(NEVER_VI, row, "vi monitor row of a never-connected unit")
        self.assertNotIn("mất kết nối", row, "vi monitor row of a never-connected unit")
        row = self.d.row(self.d.monitor_text(lang="en"), NEVER)
        self.assertIn(NEVER_EN, row, "en monitor row of a never-connected unit")
        self.assertNotIn("offline", row, "en monitor row of a never-connected unit")
        self.assertNotRegex(row, r"\b\d+ (s|min|h|d)\b", "a duration for a never-connected unit")

    def test_02_offline_unit_rtt_cleared(self):
        w = self.d.start_watch(WATCHED)
        u = self.d.wait_online(WATCHED, timeout=30, pred=lambda x: x["rtt_ms"] is not None)
        self.assertIsNotNone(u, "watch of %s not online with an RTT within 30 s: %s"
                             % (WATCHED, self.d.watch_stderr(w)[-1000:]))
        w.send_signal(signal.SIGINT)
        w.wait(timeout=15)
        u = self.d.wait_offline(WATCHED, timeout=20)
        self.assertIsNotNone(u, "%s still online 20 s after its watch stopped" % WATCHED)
        self.assertEqual((u["rtt_ms"], u["srtt_ms"]), (None, None),
                         "offline unit keeps its RTT: rtt_ms=%r srtt_ms=%r"
                         % (u["rtt_ms"], u["srtt_ms"]))
        fams = metric_families(self.d.metrics())
        for name in ("motcua_unit_rtt_seconds", "motcua_unit_rtt_smoothed_seconds"):
            self.assertIsNone(sample_value(fams, name, unit=WATCHED),
                              "%s{unit=%r} still exported for an offline unit" % (name, WATCHED))
        for lang in (None, "en"):
            row = self.d.row(self.d.monitor_text(lang=lang), WATCHED)
            self.assertNotRegex(row, r"\d+ ms\b", "RTT shown for an offline unit")
            # the unit did connect: it is offline, not "never"
            self.assertNotIn(NEVER_VI if lang is None else NEVER_EN, row)
        self.assertEqual(self.d.unit(WATCHED)["state"], "offline")


if __name__ == "__main__":
    unittest.main()
