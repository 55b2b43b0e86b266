"""Issue 13, item "columns break on Vietnamese names ('…huyện Hương
Khêđang kết nối'): pad by display width".

Contract asked of the fix: in `motcua monitor --once` (vi and --lang en),
with a mix of states (one unit online through `watch`, one offline after a
one-shot command, the others never connected), measured in display columns
(unicodedata: combining marks 0, East Asian wide 2, others 1):
  - on every unit row the state text starts at the same column, and that is
    the column where the header's "Trạng thái" / "State" starts;
  - the name (however long: the centre 444 is "Trung tâm Hành chính công
    huyện Hương Khê", 41 columns; the fix may widen the column or cut the name
    with "…") is followed by at least one space before the state;
  - the last column (queued items, "Chờ gửi" / "Queued") starts at the same
    column on every row and under its header.

Fails today: put_padded() pads to 20 code points and never cuts, so the
centre's row reads "Trung tâm Hành chính công huyện Hương Khêmất kết nối 2
giây" ("state column of 444 at display column 48, the others at 27").

Own throwaway deployment (torn down at the end).
"""
import unittest

from mon_util import MonDeployment, display_width

ONLINE = "18523"
ONE_SHOT = "18526"
STATES = {
    None: ("chưa từng kết nối", "đang kết nối", "kết nối kém", "mất kết nối", "đã thu hồi"),
    "en": ("never connected", "online", "degraded", "offline", "revoked", "never"),
}
HEAD = {None: ("Trạng thái", "Chờ gửi"), "en": ("State", "Queued")}


def state_start(row, lang):
    """Index in row of the first state phrase after the unit code."""
    code_end = row.index(" ")
    hits = [row.find(p, code_end) for p in STATES[lang]]
    hits = [h for h in hits if h >= 0]
    return min(hits) if hits else None


def last_token_start(row):
    return len(row.rstrip()) - len(row.rstrip().split(" ")[-1])


class TestColumns(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = MonDeployment("motcua-mon-cols-", heartbeat=2)
        try:
            cls.d.up()
            p = cls.d.run(ONE_SHOT, "ping")
            if p.returncode != 0:
                raise AssertionError("ping: " + p.stderr)
            cls.w = cls.d.start_watch(ONLINE)
            if cls.d.wait_online(ONLINE, timeout=30) is None:
                raise AssertionError("watch never online: " + cls.d.watch_stderr(cls.w))
            cls.units = [u["unit"] for u in cls.d.api_units()["units"]]
        except BaseException:
            cls.d.down()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.down()

    def check(self, lang):
        text = self.d.monitor_text(lang=lang)
        lines = text.splitlines()
        rows = {}
        for line in lines:
            code = line.split(" ", 1)[0]
            if code in self.units and code not in rows:
                rows[code] = line
        self.assertEqual(set(rows), set(self.units), "a unit without its row:\n" + text)
        head = [line for line in lines if HEAD[lang][0] in line and HEAD[lang][1] in line]
        self.assertEqual(len(head), 1, "header line with %r and %r:\n%s" % (HEAD[lang] + (text,)))
        head = head[0]
        want_state = display_width(head[:head.index(HEAD[lang][0])])
        want_last = display_width(head[:head.index(HEAD[lang][1])])
        bad = []
        for code, row in rows.items():
            i = state_start(row, lang)
            if i is None:
                bad.append("%s: no state text in %r" % (code, row))
                continue
            col = display_width(row[:i])
            if col != want_state or row[i - 1] != " ":
                bad.append("%s: state at display column %d (header %d): %r"
                           % (code, col, want_state, row))
            col = display_width(row[:last_token_start(row)])
            if col != want_last:
                bad.append("%s: last column at display column %d (header %d): %r"
                           % (code, col, want_last, row))
        if bad:
            self.fail("columns do not line up by display width (lang %s):\n%s"
                      % (lang or "vi", "\n".join(bad)))

    def test_vi(self):
        self.check(None)

    def test_en(self):
        self.check("en")


if __name__ == "__main__":
    unittest.main()
