"""Issue 12, findings W7 and W8 (docs/SECURITY.md): the progress log is
tamper-evident and the serving process does not migrate; citizen ids and
phones are looked up by a keyed hash.

W7  Each progress_log row stores hash = sha256(previous row's hash ||
    canonical fields) per dossier (migration 012, computed by a trigger in
    the inserting transaction). `motcua-server --verify-log -c FILE [--code
    CODE]` (read-only, as db_conninfo) recomputes every link and prints the
    first broken row of each dossier, exit 1 if any. A superuser's rewrite
    (ALTER TABLE ... DISABLE TRIGGER; UPDATE; ENABLE) is detected, also when
    the rewriter recomputes the row's own hash, and so is a deleted row.
    The server refuses to start while a migration is pending, naming the
    --migrate step; it never opens db_migrate_conninfo.

W8  With [database] pii_key_file (written by deploy/local.sh, 0600), each
    receipt stores HMAC-SHA256(key, id) and (key, phone) as hex (migration
    013); a search by exact id or phone finds the dossier through them;
    rows written without them get theirs when the server starts; a key file
    readable by others stops the server.

Its own throwaway deployment (sec_util.Deployment), torn down at the end.
"""
import hashlib
import hmac
import os
import subprocess
import unittest

from itest import SERVER
from itest_env import free_ports
from sec_util import Deployment

DEP = None
UNIT = "18547"


def setUpModule():
    global DEP
    DEP = Deployment("motcua-audit-").up()


def tearDownModule():
    if DEP is not None:
        report = DEP.down()
        if report:
            raise AssertionError("sanitizer report in server.log:\n" + report)


def verify(*args):
    p = subprocess.run([SERVER, "-c", os.path.join(DEP.dir, "server.conf"), "--verify-log"] +
                       list(args), capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def superuser(sql):
    """Runs sql as the cluster owner with the append-only trigger off."""
    DEP.sql("BEGIN; ALTER TABLE progress_log DISABLE TRIGGER progress_log_append_only; " + sql +
            "; ALTER TABLE progress_log ENABLE TRIGGER progress_log_append_only; COMMIT")


def append(code, n):
    """n more rows for dossier code, through the chain trigger (an INSERT)."""
    for _ in range(n):
        DEP.sql("INSERT INTO progress_log (dossier_id, at, unit_code, action, status_after)"
                " SELECT id, now(), unit_code, 'note', status FROM dossiers"
                " WHERE code = '%s'" % code)


def row_ids(code):
    return [int(r[0]) for r in DEP.sql(
        "SELECT p.id FROM progress_log p JOIN dossiers d ON d.id = p.dossier_id"
        " WHERE d.code = '%s' ORDER BY p.id" % code)]


class TestW7AuditChain(unittest.TestCase):
    def test_1_intact_chains_verify(self):
        code = DEP.new_dossier(UNIT)
        append(code, 2)
        rc, out, err = verify()
        self.assertEqual(rc, 0, (out, err))
        self.assertIn("OK rows_checked=", out)
        rc, out, err = verify("--code", code)
        self.assertEqual(rc, 0, (out, err))
        self.assertIn("OK rows_checked=3 ", out)
        # every stored hash is 32 bytes
        self.assertEqual(DEP.sql("SELECT count(*) FROM progress_log WHERE length(hash) <> 32"),
                         [["0"]])

    def test_2_superuser_rewrite_is_detected(self):
        code, other = DEP.new_dossier(UNIT), DEP.new_dossier(UNIT)
        append(code, 2)
        ids = row_ids(code)
        superuser("UPDATE progress_log SET officer = 'someone else' WHERE id = %d" % ids[1])
        rc, out, err = verify()
        self.assertEqual(rc, 1, (out, err))
        self.assertIn("BROKEN dossier=%s first_row=%d " % (code, ids[1]), out)
        self.assertNotIn("dossier=%s " % other, out)
        rc, out, err = verify("--code", other)
        self.assertEqual(rc, 0, (out, err))

    def test_3_rewrite_with_its_own_hash_recomputed_breaks_the_next_row(self):
        code = DEP.new_dossier(UNIT)
        append(code, 2)
        ids = row_ids(code)
        superuser("UPDATE progress_log SET action = 'refuse' WHERE id = %d; "
                  "UPDATE progress_log p SET hash = sha256((SELECT hash FROM progress_log"
                  " WHERE id = %d) || mc_progress_canon(p)) WHERE id = %d"
                  % (ids[1], ids[0], ids[1]))
        rc, out, err = verify("--code", code)
        self.assertEqual(rc, 1, (out, err))
        self.assertIn("BROKEN dossier=%s first_row=%d " % (code, ids[2]), out)

    def test_4_deleted_row_is_detected(self):
        code = DEP.new_dossier(UNIT)
        append(code, 2)
        ids = row_ids(code)
        superuser("DELETE FROM progress_log WHERE id = %d" % ids[1])
        rc, out, err = verify("--code", code)
        self.assertEqual(rc, 1, (out, err))
        self.assertIn("BROKEN dossier=%s first_row=%d " % (code, ids[2]), out)

    def test_5_server_role_cannot_rewrite(self):
        r = DEP.local("psql", "-v", "ON_ERROR_STOP=1", "-c",
                      "SET ROLE motcua_app; UPDATE progress_log SET officer = 'x'", check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_6_server_refuses_a_pending_migration(self):
        DEP.sql("DELETE FROM schema_version WHERE version = 12")
        try:
            port, http = free_ports(2)
            p = subprocess.run([SERVER, "-c", os.path.join(DEP.dir, "server.conf"),
                                "--listen_port=%d" % port, "--http_port=0"],
                               capture_output=True, timeout=60)
            text = (p.stdout + p.stderr).decode("utf-8", "replace")
            self.assertNotEqual(p.returncode, 0, text)
            self.assertIn("--migrate", text)
            self.assertIn("version 12", text)
        finally:
            DEP.sql("INSERT INTO schema_version (version, name)"
                    " VALUES (12, '012_progress_chain')")


def mac(value):
    with open(os.path.join(DEP.dir, "pii.key"), "rb") as f:
        return hmac.new(f.read(), value.encode(), hashlib.sha256).hexdigest()


def search_codes(text):
    r = DEP.cli(UNIT, "search", text, "--limit", "100")
    if r.rc != 0:
        raise AssertionError("search: %r" % r)
    docs = r.doc.get("dossiers", []) if isinstance(r.doc, dict) else r.doc
    return [d["code"] for d in docs]


class TestW8PiiMacs(unittest.TestCase):
    def test_1_receipt_stores_macs_and_search_uses_them(self):
        self.assertEqual(os.stat(os.path.join(DEP.dir, "pii.key")).st_mode & 0o777, 0o600)
        cid = "0%011d" % (int.from_bytes(os.urandom(5), "big") % 10 ** 11)
        phone = "09%08d" % (int.from_bytes(os.urandom(4), "big") % 10 ** 8)
        r = DEP.cli(UNIT, "receive", "--procedure", DEP.procedure(), "--name", "Lê Thị Khoá",
                    "--id", cid, "--phone", phone)
        self.assertEqual(r.rc, 0, r)
        code = (r.doc.get("dossier", r.doc))["code"]
        row = DEP.sql("SELECT applicant_id_mac, applicant_phone_mac FROM dossiers"
                      " WHERE code = '%s'" % code)
        self.assertEqual(row, [[mac(cid), mac(phone)]])
        self.assertEqual(search_codes(cid), [code])
        self.assertEqual(search_codes(phone), [code])
        self.assertEqual(search_codes(cid[:-1]), [])   # exact values only

    def test_2_rows_without_macs_get_them_at_start(self):
        code = DEP.new_dossier(UNIT)
        DEP.sql("UPDATE dossiers SET applicant_id_mac = NULL WHERE code = '%s'" % code)
        cid = DEP.sql("SELECT applicant_id FROM dossiers WHERE code = '%s'" % code)[0][0]
        DEP.restart_server()
        self.assertEqual(DEP.sql("SELECT applicant_id_mac FROM dossiers WHERE code = '%s'"
                                 % code), [[mac(cid)]])
        self.assertEqual(search_codes(cid), [code])

    def test_3_key_readable_by_others_stops_the_server(self):
        key = os.path.join(DEP.dir, "pii.key")
        os.chmod(key, 0o644)
        try:
            port, = free_ports(1)
            p = subprocess.run([SERVER, "-c", os.path.join(DEP.dir, "server.conf"),
                                "--listen_port=%d" % port, "--http_port=0"],
                               capture_output=True, timeout=60)
            text = (p.stdout + p.stderr).decode("utf-8", "replace")
            self.assertNotEqual(p.returncode, 0, text)
            self.assertIn("pii_key_file", text)
        finally:
            os.chmod(key, 0o600)


if __name__ == "__main__":
    unittest.main()
