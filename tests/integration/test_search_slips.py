"""search (diacritic-insensitive, only visible dossiers) and the official
slips 01-05 as PDF (`motcua slip CODE --form NN -o FILE`), checked with
poppler's pdfinfo / pdftotext.

Communes used only by this file: 18553 (Hương Trạch) and 18556 (Hương Lâm).
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from itest import DISTRICT, TIMEOUT, cli
from wfhelp import DISTRICT_NAME, act, codes, day_after, fold, new_dossier

UNIT = "18553"
UNIT_NAME = "Hương Trạch"
OTHER = "18556"
NAME = "Nguyễn Thị Thu Trang"
TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
    "04": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "05": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}


def search(tc, unit, text):
    r = cli(unit, "search", text, "--limit", "1000")
    tc.assertEqual(r.rc, 0, r)
    lst = r.doc["dossiers"] if isinstance(r.doc, dict) else r.doc
    tc.assertIsInstance(lst, list, r)
    return lst


def run(*cmd):
    p = subprocess.run(list(cmd), capture_output=True, timeout=TIMEOUT)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class TestSearchSlips(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="motcua-slips-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def round_trip(self):
        """A dossier for NAME through forward, supplement, reschedule, result,
        send-back, return, rate."""
        d, cid = new_dossier(self, UNIT, name=NAME)
        code = d["code"]
        act(self, UNIT, "forward", code)
        act(self, DISTRICT, "accept", code)
        act(self, DISTRICT, "supplement-request", code, "--reason", "Thiếu bản sao sổ đỏ")
        act(self, UNIT, "supplement", code)
        r = act(self, DISTRICT, "reschedule", code, "--to", day_after(d["due_at"], 7),
                "--reason", "Cần xác minh thực địa")
        self.assertTrue(r["rescheduled"])
        act(self, DISTRICT, "result", code)
        act(self, DISTRICT, "send-back", code)
        act(self, UNIT, "return", code, "--to", NAME)
        act(self, UNIT, "rate", code, "--level", "3")
        return d, cid

    def slip_text(self, unit, code, form):
        out = os.path.join(self.tmp, "%s-%s.pdf" % (code, form))
        r = cli(unit, "slip", code, "--form", form, "-o", out)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.doc["file"], out, r)
        self.assertEqual(r.doc["form"], form, r)
        self.assertEqual(r.doc["code"], code, r)
        self.assertEqual(r.doc["bytes"], os.path.getsize(out), r)
        rc, info, err = run("pdfinfo", out)
        self.assertEqual(rc, 0, "pdfinfo %s: %s" % (out, err))
        self.assertRegex(info, r"Pages:\s+[1-9]")
        self.assertEqual(err.strip(), "", "pdfinfo warns on %s" % out)
        rc, text, err = run("pdftotext", "-enc", "UTF-8", out, "-")
        self.assertEqual(rc, 0, err)
        self.assertEqual(err.strip(), "", "poppler warns on %s" % out)  # ToUnicode CMap
        return " ".join(text.split())  # table cells wrap: compare on collapsed spaces

    def test_search_only_visible(self):
        d, cid = new_dossier(self, UNIT, name=NAME)
        code = d["code"]
        mine = search(self, UNIT, "nguyen thi thu trang")
        self.assertIn(code, codes(mine))
        for x in mine:
            self.assertEqual(x["unit"], UNIT, x)  # a commune sees only its own
            self.assertIn("nguyen thi thu trang", fold(x["applicant"]["name"]), x)
        found = [x for x in mine if x["code"] == code][0]
        self.assertEqual(found["applicant"]["name"], NAME)
        self.assertIn(code, codes(search(self, UNIT, "NGUYỄN THỊ THU TRANG")))
        self.assertIn(code, codes(search(self, UNIT, cid)))
        self.assertIn(code, codes(search(self, UNIT, code)))

        # another commune: nothing, by name, id or code
        new_dossier(self, OTHER, name="Nguyễn Thị Thu Hà")
        self.assertEqual(search(self, OTHER, "nguyen thi thu trang"), [])
        self.assertEqual(search(self, OTHER, cid), [])
        self.assertEqual(search(self, OTHER, code), [])
        self.assertNotEqual(search(self, OTHER, "nguyen thi thu ha"), [])

        # the district: only once forwarded to it
        self.assertNotIn(code, codes(search(self, DISTRICT, cid)))
        act(self, UNIT, "forward", code)
        self.assertIn(code, codes(search(self, DISTRICT, cid)))
        self.assertIn(code, codes(search(self, DISTRICT, "nguyen thi thu trang")))

    def test_slips_of_a_round_trip(self):
        d, cid = self.round_trip()
        code = d["code"]
        texts = {}
        for form in sorted(TITLES):
            t = self.slip_text(UNIT, code, form)
            texts[form] = t
            self.assertIn(TITLES[form], t, "form %s: %s" % (form, t[:600]))
            self.assertIn(NAME, t, "form %s" % form)
            self.assertIn(code, t, "form %s" % form)
            self.assertIn(UNIT_NAME, t, "form %s" % form)
        self.assertIn("Thiếu bản sao sổ đỏ", texts["02"])
        self.assertIn("Cần xác minh thực địa", texts["04"])
        # 05: one row per step, the result wording, and unit names, not codes
        self.assertTrue(re.search("Trước hạn|Đúng hạn|Quá hạn", texts["05"].split(
            TITLES["05"], 1)[1].split("Kết quả (Trước", 1)[-1]), texts["05"])
        self.assertIn(DISTRICT_NAME, texts["05"])
        # the two hand-overs: giver and receiver by name
        # (each with its signature space: "Người giao ký:", "Người nhận ký:")
        self.assertIn("Xã Hương Trạch Người giao ký: %s Người nhận ký:" % DISTRICT_NAME,
                      texts["05"])
        self.assertRegex(texts["05"], re.escape(DISTRICT_NAME) +
                         r" Người giao ký:(?: \S+){0,6} Xã Hương Trạch Người nhận ký:")
        # the district prints the same slip
        t = self.slip_text(DISTRICT, code, "05")
        self.assertIn(TITLES["05"], t)
        self.assertIn(DISTRICT_NAME, t)
        # slip 04 printed by the district carries the district's letterhead
        # (from its own hello), not the commune's (issue 14 finding 5)
        t = self.slip_text(DISTRICT, code, "04")
        self.assertIn(DISTRICT_NAME.upper(), t)
        self.assertNotIn("XÃ HƯƠNG TRẠCH", t)

    def test_refusal_slip(self):
        d, _ = new_dossier(self, UNIT, name=NAME, level="commune")
        act(self, UNIT, "refuse", d["code"], "--reason", "Không đủ thành phần hồ sơ")
        t = self.slip_text(UNIT, d["code"], "03")
        self.assertIn(TITLES["03"], t)
        self.assertIn("Không đủ thành phần hồ sơ", t)
        self.assertIn(NAME, t)
        # a refused dossier never gets a receipt with an appointment (issue 14 finding 4)
        out = os.path.join(self.tmp, "refused-01.pdf")
        r = cli(UNIT, "slip", d["code"], "--form", "01", "-o", out)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("03", r.out + r.err, r)
        self.assertFalse(os.path.exists(out))

    def test_slip_of_invisible_dossier(self):
        d, _ = new_dossier(self, UNIT, name=NAME)
        out = os.path.join(self.tmp, "nope.pdf")
        r = cli(OTHER, "slip", d["code"], "--form", "01", "-o", out)
        self.assertEqual((r.rc, r.error_code), (1, "not_found"), r)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
