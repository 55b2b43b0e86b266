"""The desk's screen in a real browser (issue 16, "What it must show").

Headless Debian Chromium through python3-selenium and chromedriver (run by
ctest with /usr/bin/python3; missing packages FAIL, they do not skip),
window 1366x768, against `motcua desk` processes of the fixture's commune
18553 and district 444 (copies of their configs with session and outbox
files of their own) and the fixture's server and PostgreSQL:

  1. a commune officer logs in, receives a district-level dossier with a
     scan and its checklist, prints slip 01 (the PDF is fetched and read
     with pdftotext), forwards it; the district officer's screen shows it
     arrive live (no reload), assigns it from the incoming queue, records a
     result with a file and sends it back; the commune returns it and the
     citizen rates it on the touch screen; lists, export, language switch;
  2. the link is cut: a second commune desk runs against a throw-away
     motcua-server of this test (the fixture's database) which is then
     stopped; the commune still receives a dossier and prints the
     provisional receipt; after the server is back the dossier is delivered
     exactly once and the screen shows its real code;
  3. plain HTTP: a missing CSRF token, a foreign Origin (and Host) and a
     logged-out session are refused.

Screenshots of every screen go to docs/desk/*.png (committed).
Commune 18553's dossiers here are told apart by the applicant's name and
citizen id (test_search_slips uses 18553 with other names).
"""
import base64
import json
import os
import re
import shutil
import tempfile
import time
import unittest

from itest import CODE_RE, DISTRICT, REQUIRED_COMPONENTS, SRC, TIMEOUT, citizen_id, cli, \
    procedure_of_level, procedures, unwrap
from desk_util import Browser, Desk, SecondServer, need_selenium, password, pdf_text, \
    small_pdf, unit_conf_copy, wait_for
from wfhelp import fold

UNIT = "18553"
SHOTS = os.path.join(SRC, "docs", "desk")
NAME = "Trần Thị Bàn Phím"
LIVE = 30          # s: a pushed event must be on screen well within this
RECONNECT = 120    # s: the resident link retries with backoff


def setUpModule():
    need_selenium()


class DeskCase(unittest.TestCase):
    """Selenium helpers over one Browser."""

    def find(self, b, css, timeout=TIMEOUT, visible=True):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait
        cond = EC.visibility_of_element_located if visible else EC.presence_of_element_located
        try:
            return WebDriverWait(b.d, timeout).until(cond((By.CSS_SELECTOR, css)))
        except Exception as e:
            raise AssertionError("no %s on %s within %ss: %s\nconsole: %r" % (
                css, b.d.current_url, timeout, type(e).__name__, b.logs()[-10:]))

    def until(self, b, what, fn, timeout=TIMEOUT):
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait
        try:
            return WebDriverWait(b.d, timeout, poll_frequency=0.2, ignored_exceptions=(
                NoSuchElementException, StaleElementReferenceException)).until(lambda d: fn())
        except Exception as e:
            raise AssertionError("timed out waiting for %s (%s) on %s; error box: %r; console: %r" % (
                what, type(e).__name__, b.d.current_url, self.errors(b), b.logs()[-10:]))

    def errors(self, b):
        return b.d.execute_script(
            "return Array.from(document.querySelectorAll('.error:not([hidden])'))"
            ".map(e => e.textContent).filter(Boolean)")

    def text(self, b, css):
        return self.find(b, css).text

    def shot(self, b, name):
        os.makedirs(SHOTS, exist_ok=True)
        b.d.execute_script("document.activeElement && document.activeElement.blur && "
                           "document.activeElement.tagName === 'BUTTON' && document.activeElement.blur()")
        self.assertTrue(b.d.save_screenshot(os.path.join(SHOTS, name + ".png")))

    def key(self, b, k):
        from selenium.webdriver.common.action_chains import ActionChains
        ActionChains(b.d).send_keys(k).perform()

    def open_page(self, b, desk):
        b.d.get(desk.url + "/")
        self.find(b, "#login-user")
        # the texts came from /api/texts: the login title is Vietnamese
        self.until(b, "the Vietnamese texts", lambda: self.text(b, "#login-form h1") == "Đăng nhập cán bộ")

    def log_in(self, b, officer):
        from selenium.webdriver.common.keys import Keys
        # a login goes to the server: the header says when the link is up
        self.until(b, "the link up", lambda: self.find(b, "#link").get_attribute("data-online") == "1")
        self.find(b, "#login-user").clear()
        self.find(b, "#login-user").send_keys(officer)
        self.find(b, "#login-pass").send_keys(password(officer) + Keys.ENTER)  # Enter submits
        self.find(b, "#scr-today")
        self.until(b, "the officer in the header", lambda: self.text(b, "#officer") != "")

    def scan(self, b, code):
        """A QR/barcode scanner: the code and Enter typed into the search box
        (reached with its shortcut F3)."""
        from selenium.webdriver.common.keys import Keys
        self.key(b, Keys.F3)
        self.until(b, "the search box focused",
                   lambda: b.d.execute_script("return document.activeElement.id") == "search")
        self.key(b, code + Keys.ENTER)
        self.until(b, "dossier %s on screen" % code, lambda: self.text(b, "#d-code") == code and
                   b.d.find_element("css selector", "#d-fields").text != "")

    def action(self, b, name, fill=None, expect_confirm=None, shot=None):
        btn = self.find(b, "#d-actions button[data-action='%s']" % name)
        btn.click()
        dlg = self.find(b, "#act-dialog")
        self.until(b, "the %s dialog" % name,
                   lambda: b.d.execute_script("return document.getElementById('act-dialog').open"))
        if expect_confirm is not None:
            conf = b.d.find_element("css selector", "#act-confirm")
            self.assertEqual(conf.is_displayed(), expect_confirm, "confirmation of %s" % name)
            if expect_confirm:
                self.assertGreater(len(conf.text.strip()), 10, "the confirmation says what happens")
        if fill:
            fill(dlg)
        if shot:
            self.shot(b, shot)
        self.find(b, "#act-ok").click()
        self.until(b, "the %s dialog to close" % name,
                   lambda: not b.d.execute_script("return document.getElementById('act-dialog').open"))

    def check_counts(self, b, desk):
        """Today's counts are /api/summary's; while the server does not
        answer SummaryRequest yet (the `lists` branch), a dash each."""
        st, _, out = desk.http("GET", "/api/summary", cookie=b.cookie())
        keys = ("to_receive", "to_return", "due_soon", "overdue", "in_progress", "received_today")
        if st == 200:
            want = [str(json.loads(out)[k]) for k in keys]
        else:
            print("note: /api/summary answers %d %r: the counts show a dash" % (st, out[:200]))
            want = ["–"] * len(keys)
        self.until(b, "today's counts %r" % want,
                   lambda: [self.text(b, "#c-%s b" % k) for k in keys] == want)

    def actions(self, b):
        return b.d.execute_script("return Array.from(document.querySelectorAll("
                                  "'#d-actions button[data-action]')).map(e => e.dataset.action)")

    def fill_receive(self, b, proc, cid, scan=None):
        """The receive screen (F2): the procedure by a part of its name typed
        without accents, the checklist, the applicant, a scan."""
        from selenium.webdriver.common.keys import Keys
        self.key(b, Keys.F2)
        q = self.find(b, "#proc-q")
        self.until(b, "the procedure box focused",
                   lambda: b.d.execute_script("return document.activeElement.id") == "proc-q")
        words = [w for w in fold(proc["name"]).split() if len(w) > 3]
        q.send_keys(" ".join(words[1:3]) if len(words) > 2 else words[0])
        pick = self.find(b, "#proc-results button[data-code='%s']" % proc["code"])
        pick.click()
        self.find(b, "#proc-chosen")
        rows = b.d.find_elements("css selector", "#components tbody tr")
        self.assertEqual(len(rows), len(proc["components"]), "one checklist row per component")
        required = set(REQUIRED_COMPONENTS.get(proc["code"], ())) or \
            {c["ordinal"] for c in proc["components"] if c.get("required")}
        for tr in rows:
            if int(tr.get_attribute("data-ordinal")) in required:
                tr.find_element("css selector", "input.c-in").click()
        name = self.find(b, "#a-name")
        name.send_keys(NAME)
        idf = self.find(b, "#a-id")
        idf.send_keys("0123" + Keys.TAB)  # validated as typed: too short
        self.until(b, "the citizen id message", lambda: self.find(b, "#a-id-msg").text != "")
        idf.clear()
        idf.send_keys(cid)
        self.until(b, "the citizen id message gone",
                   lambda: not b.d.find_element("css selector", "#a-id-msg").is_displayed())
        phone = self.find(b, "#a-phone")
        phone.send_keys("09x")
        self.until(b, "the phone message", lambda: self.find(b, "#a-phone-msg").text != "")
        phone.clear()
        phone.send_keys("0912345678")
        self.until(b, "the phone message gone",
                   lambda: not b.d.find_element("css selector", "#a-phone-msg").is_displayed())
        self.find(b, "#a-address").send_keys("Thôn 3, xã Hương Trạch")
        if scan:
            # the drop zone's file input: the same path as a dropped file
            b.d.find_element("css selector", "#scan-input").send_keys(scan)
            self.until(b, "the scan listed", lambda: os.path.basename(scan) in self.text(b, "#scan-list"))
        return name


class TestDesk(DeskCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="motcua-itest-desk-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        district = [p for p in procedures() if p.get("level") == "district" and p.get("components")]
        assert district, "no district-level procedure with components"
        cls.proc = district[0]
        cls.commune_proc = next(p for p in procedures() if p["code"] == procedure_of_level("commune"))

    def setUp(self):
        self.scan_pdf = small_pdf(os.path.join(self.tmp, "scan-cccd.pdf"), "scan")
        self.result_pdf = small_pdf(os.path.join(self.tmp, "ket-qua.pdf"), "result")

    def tearDown(self):
        # SIGTERM: the desk ends by itself (exit 0); under ASan that is also
        # when LeakSanitizer reports
        for d in getattr(self, "desks", []):
            rc = d.proc.stop()
            rep = d.proc.sanitizer_report()
            if rep:
                self.fail("sanitizer report of the desk:\n" + rep)
            self.assertEqual(rc, 0, "desk exit status: " + d.proc.text()[-2000:])

    def desk(self, conf, name):
        d = Desk(self, self.tmp, conf, name)
        self.desks = getattr(self, "desks", []) + [d]
        return d

    # ---------------------------------------------------------------------
    def test_1_day_at_the_desk(self):
        from selenium.webdriver.common.keys import Keys
        commune = self.desk(unit_conf_copy(self.tmp, UNIT, name="c1"), "commune")
        district = self.desk(unit_conf_copy(self.tmp, DISTRICT, name="d1"), "district")
        cb = Browser(self, self.tmp, "commune")
        db = Browser(self, self.tmp, "district")

        # the page: CSP header, no inline script or style
        st, hd, body = commune.http("GET", "/")
        self.assertEqual(st, 200)
        csp = hd.get("content-security-policy", "")
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertIsNone(re.search(rb"<script(?![^>]*\bsrc=)", body), "inline script")
        self.assertNotIn(b"style=", body)

        # login: unit and link state visible before anyone logs in
        self.open_page(cb, commune)
        self.until(cb, "the unit in the header", lambda: UNIT in self.text(cb, "#unit"))
        self.until(cb, "the link state", lambda: self.find(cb, "#link").get_attribute("data-online") == "1")
        self.shot(cb, "01-login")
        self.find(cb, "#login-user").send_keys("tester.%s" % UNIT)
        self.find(cb, "#login-pass").send_keys("wrong-password" + Keys.ENTER)
        self.until(cb, "the login refusal", lambda: self.text(cb, "#login-error") != "")
        self.find(cb, "#login-pass").clear()
        self.log_in(cb, "tester.%s" % UNIT)
        self.check_counts(cb, commune)
        keys = self.text(cb, "#keys")
        for k in ("F2", "F3", "F4"):
            self.assertIn(k, keys, "shortcuts listed on screen")

        # the district officer opens today's screen and waits
        self.open_page(db, district)
        self.log_in(db, "tester.%s" % DISTRICT)
        db.d.execute_script("window.motcuaMarker = 'no reload';")

        # receive a district-level dossier with its checklist and a scan
        cid = citizen_id()
        name = self.fill_receive(cb, self.proc, cid, scan=self.scan_pdf)
        self.shot(cb, "03-receive")
        name.send_keys(Keys.ENTER)  # Enter submits
        self.find(cb, "#recv-done")
        code = self.until(cb, "the dossier code", lambda: CODE_RE.match(self.text(cb, "#recv-code")) and
                          self.text(cb, "#recv-code"))
        self.until(cb, "the scan uploaded", lambda: cb.d.find_elements("css selector", "#recv-uploads li.upload.ok"))
        self.assertEqual(cb.d.find_element("css selector", "#recv-uploads progress").get_attribute("value"), "100")
        self.shot(cb, "04-received")

        # slip 01: the button's PDF holds the code
        href = self.find(cb, "#recv-slip").get_attribute("href")
        self.assertTrue(href.endswith("/api/dossiers/%s/slips/01.pdf" % code), href)
        st, hd, pdf = commune.http("GET", "/api/dossiers/%s/slips/01.pdf" % code, cookie=cb.cookie())
        self.assertEqual(st, 200, pdf[:300])
        self.assertIn(code, pdf_text(self, pdf, self.tmp, "slip01.pdf"))

        # the dossier screen: data, checklist, the scan, forward behind a confirmation
        shown = json.loads(commune.http("GET", "/api/dossiers/" + code, cookie=cb.cookie())[2])
        self.assertIn("forward", [a["name"] for a in shown["actions"]],
                      "the server lists no actions for the officer (DossierReply.actions, "
                      "from the rules table: server side of the lists branch)")
        self.find(cb, "#recv-open").click()
        self.until(cb, "the dossier screen", lambda: self.text(cb, "#d-code") == code and
                   "forward" in self.actions(cb))
        self.assertIn(NAME, self.text(cb, "#d-fields"))
        self.assertIn("scan-cccd.pdf", self.text(cb, "#d-files"))
        self.assertGreaterEqual(len(cb.d.find_elements("css selector", "#d-components li")), 1)
        # a second scan dropped on the dossier's drop zone (a real drop event)
        with open(small_pdf(os.path.join(self.tmp, "drop.pdf"), "so ho khau"), "rb") as f:
            data = base64.b64encode(f.read()).decode()
        cb.d.execute_script("""
            const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], 'scan-so-ho-khau.pdf', {type: 'application/pdf'}));
            const zone = document.getElementById('d-drop');
            zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
        """, data)
        self.until(cb, "the dropped scan uploaded (%s)" % self.text(cb, "#d-uploads"),
                   lambda: cb.d.find_elements("css selector", "#d-uploads li.upload.ok"))
        self.until(cb, "the dropped scan uploaded and listed",
                   lambda: cb.d.find_elements("css selector", "#d-uploads li.upload.ok") and
                   "scan-so-ho-khau.pdf" in self.text(cb, "#d-files"))
        slips = [e.get_attribute("data-slip") for e in cb.d.find_elements("css selector", "#d-slips a")]
        self.assertIn("1", slips)
        self.shot(cb, "05-dossier")
        self.action(cb, "forward", shot="06-confirm-forward")
        self.until(cb, "the dossier at the district", lambda: "forward" not in self.actions(cb) and
                   DISTRICT in self.text(cb, "#d-fields"))

        # the district sees it arrive, live
        self.until(db, "the forwarded dossier in the live inbox",
                   lambda: db.d.find_elements("css selector", "#inbox a[href='#/dossier/%s']" % code), LIVE)
        self.assertEqual(db.d.execute_script("return window.motcuaMarker"), "no reload")
        self.shot(db, "07-district-inbox")

        # the incoming queue (F7): assign to a processing officer
        self.key(db, Keys.F7)
        row = self.find(db, "#dossiers tr[data-code='%s']" % code)
        sel = row.find_element("css selector", "select.assign-to")
        opts = [o.get_attribute("value") for o in sel.find_elements("css selector", "option")]
        self.assertIn("processing.%s" % DISTRICT, opts)
        from selenium.webdriver.support.ui import Select
        Select(sel).select_by_value("processing.%s" % DISTRICT)
        self.shot(db, "08-district-queue")
        row.find_element("css selector", "button.assign").click()
        self.until(db, "the dossier leaves the queue",
                   lambda: not db.d.find_elements("css selector", "#dossiers tr[data-code='%s']" % code))

        # result with its file, then send back
        self.scan(db, code)
        self.assertIn("result", self.actions(db))

        def result_fields(dlg):
            dlg.find_element("css selector", "#act-result_file").send_keys(self.result_pdf)
        self.action(db, "result", fill=result_fields, shot="09-result")
        self.until(db, "status 9 and send back offered", lambda: "send_back" in self.actions(db))
        self.assertIn("ket-qua.pdf", self.text(db, "#d-files"))
        self.action(db, "send_back")
        self.until(db, "nothing left for the district", lambda: "send_back" not in self.actions(db))
        self.shot(db, "10-district-dossier")

        # the commune returns it (irreversible: a confirmation) and the citizen rates it
        self.scan(cb, code)
        self.until(cb, "return offered", lambda: "return" in self.actions(cb))
        self.action(cb, "return", expect_confirm=True, shot="11-confirm-return")
        self.until(cb, "rate offered", lambda: "rate" in self.actions(cb))
        self.find(cb, "#d-actions button[data-action='rate']").click()
        self.find(cb, ".rate-buttons .rate-3")
        self.assertEqual([e.text for e in cb.d.find_elements("css selector", ".rate-buttons button")],
                         ["Không hài lòng", "Hài lòng", "Rất hài lòng"])
        self.shot(cb, "12-rating")
        self.find(cb, ".rate-buttons .rate-3").click()
        self.find(cb, "#rate-thanks")
        r = cli(UNIT, "show", code)
        self.assertEqual(r.rc, 0, r)
        d = unwrap(r.doc, "dossier")
        self.assertEqual((d["status"], d["rating"], d["holder_unit"]), (10, 3, UNIT), d)

        # the timeline of the whole way
        self.scan(cb, code)
        steps = self.text(cb, "#d-history")
        for action in ("Tiếp nhận", "Chuyển liên thông", "Phân công", "Có kết quả", "Trả kết quả"):
            self.assertIn(action, steps)
        self.shot(cb, "13-dossier-history")

        # lists: filters, search, sort, pagination, export
        self.key(cb, Keys.F4)
        form = self.find(cb, "#filters")
        form.find_element("css selector", "input[name='q']").send_keys(cid + Keys.ENTER)
        self.until(cb, "the search: one dossier", lambda: "q=" in cb.d.current_url and cb.d.execute_script(
            "return Array.from(document.querySelectorAll('#dossiers tbody tr[data-code]'))"
            ".map(e => e.dataset.code)") == [code])
        self.find(cb, "#filters-clear").click()
        form = self.find(cb, "#filters")
        from selenium.webdriver.support.ui import Select as Sel
        Sel(form.find_element("css selector", "select[name='status']")).select_by_value("10")
        self.find(cb, "button.sort[data-sort='code']").click()
        self.until(cb, "sorted by code", lambda: "sort=code" in cb.d.current_url and
                   "status=10" in cb.d.current_url)
        rows = "return Array.from(document.querySelectorAll('#dossiers tbody tr[data-code]'))" \
            ".map(e => [e.dataset.code, e.children[3].textContent])"
        self.until(cb, "returned dossiers sorted by code", lambda: (lambda r: r and r == sorted(r) and
                   all(st == "Đã trả kết quả" for _, st in r))(
                       cb.d.execute_script(rows)))
        self.assertRegex(self.text(cb, "#page-info"), r"\d")
        exp = self.find(cb, "#export").get_attribute("href")
        self.assertIn("/api/dossiers.xlsx?", exp)
        st, hd, xlsx = commune.http("GET", exp[len(commune.url):], cookie=cb.cookie())
        self.assertEqual(st, 200)
        self.assertTrue(xlsx.startswith(b"PK"), xlsx[:40])
        self.shot(cb, "14-list")

        # English on request
        self.find(cb, "#lang-switch").click()
        self.until(cb, "English texts", lambda: self.text(cb, "#nav a[href='#/today']") == "Today")
        self.key(cb, Keys.F6)
        self.find(cb, "#scr-today")
        self.shot(cb, "15-today-en")
        self.find(cb, "#lang-switch").click()
        self.until(cb, "Vietnamese texts", lambda: self.text(cb, "#nav a[href='#/today']") == "Hôm nay")
        self.shot(cb, "02-today")

        # no CSP violation and no script error in either browser
        for b in (cb, db):
            bad = [e for e in b.logs() if e.get("level") == "SEVERE" or "Content Security Policy" in e.get("message", "")]
            bad = [e for e in bad if "favicon" not in e.get("message", "") and " 40" not in e.get("message", "")]
            self.assertEqual(bad, [], "browser console")

        # logout clears the screen: the login form again, no citizen data left on the page
        self.find(cb, "#logout").click()
        self.find(cb, "#login-form")
        page = cb.d.execute_script("return document.body.innerText + document.body.innerHTML")
        for secret in (NAME, cid, code):
            self.assertNotIn(secret, page)

    # ---------------------------------------------------------------------
    def test_2_offline_receive(self):
        from selenium.webdriver.common.keys import Keys
        server = SecondServer(self, self.tmp)
        server.start()
        desk = self.desk(unit_conf_copy(self.tmp, UNIT, port=server.port, name="c2"), "offline")
        b = Browser(self, self.tmp, "offline")
        self.open_page(b, desk)
        self.log_in(b, "tester.%s" % UNIT)
        self.until(b, "online", lambda: self.find(b, "#link").get_attribute("data-online") == "1")

        server.stop()  # the link is cut
        self.until(b, "the header saying offline",
                   lambda: self.find(b, "#link").get_attribute("data-online") == "0", 60)
        cid = citizen_id()
        name = self.fill_receive(b, self.commune_proc, cid)
        name.send_keys(Keys.ENTER)
        self.find(b, "#recv-done")
        prov = self.until(b, "a provisional number", lambda: self.text(b, "#recv-code").startswith("TAM-") and
                          self.text(b, "#recv-code"))
        self.find(b, "#recv-provisional-note")
        self.shot(b, "16-offline-receipt")
        st, hd, pdf = desk.http("GET", "/api/dossiers/%s/slips/01.pdf" % prov, cookie=b.cookie())
        self.assertEqual(st, 200, pdf[:300])
        self.assertIn(prov, pdf_text(self, pdf, self.tmp, "provisional.pdf"))
        # today shows the outbox while offline
        self.key(b, Keys.F6)
        self.until(b, "the outbox", lambda: prov in self.text(b, "#outbox"))
        self.shot(b, "17-offline-today")
        b.d.back()  # the receipt screen, still waiting for the real code
        self.find(b, "#recv-done")

        server.start()  # the link is back
        code = self.until(b, "the real code on screen",
                          lambda: CODE_RE.match(self.text(b, "#recv-code")) and self.text(b, "#recv-code"),
                          RECONNECT)
        self.assertFalse(code.startswith("TAM-"))
        self.shot(b, "18-delivered")
        # delivered exactly once
        r = cli(UNIT, "search", cid, "--limit", "100")
        self.assertEqual(r.rc, 0, r)
        found = unwrap(r.doc, "dossiers")
        self.assertEqual([d["code"] for d in found], [code], found)
        # and stays once after the desk has had time to retry anything
        time.sleep(2)
        r = cli(UNIT, "search", cid, "--limit", "100")
        self.assertEqual(len(unwrap(r.doc, "dossiers")), 1, r)

    # ---------------------------------------------------------------------
    def test_3_refusals(self):
        desk = self.desk(unit_conf_copy(self.tmp, UNIT, name="c3"), "refusals")
        officer = "tester.%s" % UNIT
        wait_for("the link up", lambda: json.loads(desk.http("GET", "/api/state")[2])["link"]["online"])
        cookie, csrf = desk.login(officer, password(officer))
        body = {"lang": "vi"}
        # the control: all three right -> accepted
        st, _, out = desk.http("POST", "/api/lang", body, cookie=cookie, csrf=csrf)
        self.assertEqual(st, 200, out)
        # no CSRF token
        st, _, out = desk.http("POST", "/api/lang", body, cookie=cookie)
        self.assertEqual(st, 403, out)
        # a wrong one
        st, _, out = desk.http("POST", "/api/lang", body, cookie=cookie, csrf=csrf[::-1])
        self.assertEqual(st, 403, out)
        # a foreign Origin, and none
        st, _, out = desk.http("POST", "/api/lang", body, cookie=cookie, csrf=csrf,
                               origin="http://evil.example")
        self.assertEqual(st, 403, out)
        st, _, out = desk.http("POST", "/api/lang", body, cookie=cookie, csrf=csrf, origin=False)
        self.assertEqual(st, 403, out)
        # a foreign Host (DNS rebinding)
        st, _, out = desk.http("GET", "/api/state", cookie=cookie, host="evil.example:%d" % desk.port)
        self.assertIn(st, (403, 421), out)
        # a refused change changed nothing: the session still works
        st, _, out = desk.http("GET", "/api/dossiers?limit=1", cookie=cookie)
        self.assertEqual(st, 200, out)
        # logged out: the old cookie and token are refused
        st, hd, out = desk.http("POST", "/api/logout", {}, cookie=cookie, csrf=csrf)
        self.assertEqual(st, 200, out)
        self.assertIn("cache", hd.get("clear-site-data", ""))
        st, _, out = desk.http("GET", "/api/dossiers?limit=1", cookie=cookie)
        self.assertEqual(st, 401, out)
        st, _, out = desk.http("POST", "/api/receive", {"procedure": self.commune_proc["code"]},
                               cookie=cookie, csrf=csrf)
        self.assertIn(st, (401, 403), out)
        # no session at all
        st, _, out = desk.http("GET", "/api/summary")
        self.assertEqual(st, 401, out)

    # ---------------------------------------------------------------------
    def test_4_every_text_in_the_catalogue(self):
        """Every key the page uses is served by /api/texts in both languages."""
        desk = self.desk(unit_conf_copy(self.tmp, UNIT, name="c4"), "texts")
        www = os.path.join(SRC, "client", "desk", "www")
        with open(os.path.join(www, "index.html"), encoding="utf-8") as f:
            html = f.read()
        with open(os.path.join(www, "app.js"), encoding="utf-8") as f:
            js = f.read()
        keys = set(re.findall(r'data-t[pt]?="([a-z0-9_.]+)"', html))
        spaces = {k.split(".")[0] for k in keys} | {"keys", "event", "queue", "error", "upload", "outbox"}
        for lit in re.findall(r"'([a-z_]+\.[a-z0-9_.]*[a-z0-9_])'", js):
            if lit.split(".")[0] in spaces:
                keys.add(lit)
        keys |= {"status.%d" % i for i in range(1, 11)} | {"rate.%d" % i for i in (1, 2, 3)}
        keys |= {"slip.%d" % i for i in range(1, 7)}
        keys |= {"outbox.state." + s for s in ("pending", "delivered", "rejected")}
        keys |= {"channel." + c for c in ("direct", "online", "postal")}
        keys |= {"level." + c for c in ("commune", "district")}
        keys |= {"file." + c for c in ("scan", "result")}
        self.assertGreater(len(keys), 150)
        for lang in ("vi", "en"):
            st, hd, out = desk.http("GET", "/api/texts?lang=" + lang)
            self.assertEqual(st, 200)
            texts = json.loads(out)
            missing = sorted(k for k in keys if not texts.get(k))
            self.assertEqual(missing, [], lang)
        self.assertEqual(json.loads(desk.http("GET", "/api/texts?lang=vi")[2])["rate.1"], "Không hài lòng")


if __name__ == "__main__":
    unittest.main()
