"""A commune sees only its own dossiers; admin sees no citizen data."""
import unittest

from itest import DISTRICT, cli, dossier_list, receive, unwrap

OWNER = "18502"
NOSY = "18499"


class TestIsolation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.name = "Hoàng Thị Riêng Tư"
        r, cls.cid = receive(OWNER, name=cls.name, phone="0977000111")
        if r.rc != 0:
            raise AssertionError("receive failed: %r" % r)
        cls.code = unwrap(r.doc, "dossier")["code"]

    def assertNoLeak(self, r):
        text = r.out + r.err
        self.assertNotIn(self.cid, text, "citizen id leaked: %r" % r)
        self.assertNotIn(self.name, text, "citizen name leaked: %r" % r)
        self.assertNotIn("0977000111", text, "phone leaked: %r" % r)

    def test_owner_sees_it(self):  # control: the data really is there
        r = cli(OWNER, "show", self.code)
        self.assertEqual(r.rc, 0, r)
        self.assertIn(self.cid, r.out)

    def test_other_commune_cannot_show(self):
        r = cli(NOSY, "show", self.code)
        self.assertEqual(r.rc, 1, r)
        # docs/PROTOCOL.md: not visible is reported exactly like nonexistent
        self.assertEqual(r.error_code, "not_found", r)
        ghost = cli(NOSY, "show", self.code.rsplit("-", 1)[0] + "-99999")
        self.assertEqual(ghost.rc, 1, ghost)
        self.assertEqual(ghost.error_code, r.error_code)
        self.assertNoLeak(r)

    def test_other_commune_list(self):
        r, lst = dossier_list(NOSY)
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn(self.code, [x["code"] for x in lst])
        self.assertTrue(all(x["unit"] == NOSY or x.get("holder_unit") == NOSY for x in lst),
                        [x["code"] for x in lst if x["unit"] != NOSY])
        self.assertNoLeak(r)

    def test_district_does_not_see_unforwarded(self):
        r, lst = dossier_list(DISTRICT)
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn(self.code, [x["code"] for x in lst])
        self.assertNoLeak(r)

    def test_admin_list_forbidden(self):
        r = cli("admin", "list")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.error_code, "forbidden", r)
        self.assertNoLeak(r)

    def test_admin_show_forbidden(self):
        r = cli("admin", "show", self.code)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.error_code, "forbidden", r)
        self.assertNoLeak(r)

    def test_admin_cannot_receive(self):
        r, _ = receive("admin")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.error_code, "forbidden", r)

    def test_district_receives_district_level_only(self):
        # docs/PROTOCOL.md: the district may receive district-level procedures only
        r, _ = receive(DISTRICT, level="district")
        self.assertEqual(r.rc, 0, r)
        d = unwrap(r.doc, "dossier")
        self.assertEqual(d["unit"], DISTRICT, r)
        r2, _ = receive(DISTRICT, level="commune")
        self.assertEqual(r2.rc, 1, r2)
        self.assertIn(r2.error_code, ("wrong_level", "forbidden"), r2)


if __name__ == "__main__":
    unittest.main()
