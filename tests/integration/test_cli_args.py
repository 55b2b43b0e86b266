"""Issue 13, client: the CLI's global options are accepted anywhere on the
line (before or after the command and among its arguments; "--" ends the
options), and a mistyped command or option gets the closest one as a
suggestion ("Không có lệnh 'lsit'. Có phải ý bạn là 'list'?").

Read-only commands of one commune on the shared fixture.
"""
import json
import subprocess
import unittest

from itest import CLI, unit_conf

UNIT = "18559"


def run(*args):
    p = subprocess.run([CLI] + list(args), capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class TestGlobalsAnywhere(unittest.TestCase):
    def conf(self):
        return unit_conf(UNIT)

    def assert_json_list(self, *args):
        rc, out, err = run(*args)
        self.assertEqual(rc, 0, "motcua %s: rc %d\n%s%s" % (" ".join(args), rc, out, err))
        doc = json.loads(out)  # one JSON document, nothing else on stdout
        self.assertNotIn("error", doc if isinstance(doc, dict) else {}, out)

    def test_json_after_the_command(self):
        self.assert_json_list("-c", self.conf(), "list", "--json")

    def test_json_before_the_command(self):
        self.assert_json_list("--json", "-c", self.conf(), "list")

    def test_json_among_the_arguments(self):
        self.assert_json_list("-c", self.conf(), "list", "--status", "4", "--json")
        self.assert_json_list("list", "--status", "4", "--json", "-c", self.conf())
        self.assert_json_list("list", "--json", "--limit=3", "-c", self.conf(), "--lang", "en")

    def test_config_override_after_the_command(self):
        self.assert_json_list("list", "--timeout_s=20", "-c", self.conf(), "--json")

    def test_lang_after_the_command(self):
        rc, out, err = run("-c", self.conf(), "list", "--status", "99", "--lang", "en")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("status", err.lower(), err)
        self.assertNotIn("Tham số", err, err)

    def test_double_dash_ends_the_options(self):
        rc, out, err = run("-c", self.conf(), "list", "--", "--json")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("--json", err, "after -- the word is the command's, not a global option")

    def test_help_after_the_command(self):
        rc, out, err = run("list", "--help", "--lang", "en")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("motcua list", out)


class TestSuggestions(unittest.TestCase):
    def test_command_typo_vi(self):
        rc, out, err = run("-c", unit_conf(UNIT), "lsit")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("Không có lệnh 'lsit'. Có phải ý bạn là 'list'?", err)

    def test_command_typo_en(self):
        rc, out, err = run("histroy", "--lang", "en")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("There is no command 'histroy'. Did you mean 'history'?", err)

    def test_command_typo_json(self):
        rc, out, err = run("--json", "wacth")
        self.assertEqual(rc, 2, out + err)
        e = json.loads(out)["error"]
        self.assertEqual(e["code"], "invalid", e)
        self.assertIn("'watch'", e["message"], e)

    def test_nothing_close(self):
        rc, out, err = run("xyzzy")
        self.assertEqual(rc, 2, out + err)
        self.assertNotIn("ý bạn là", err)

    def test_global_option_typo(self):
        rc, out, err = run("--jsno", "list")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("Không có tùy chọn '--jsno'. Có phải ý bạn là '--json'?", err)

    def test_command_option_typo(self):
        rc, out, err = run("-c", unit_conf(UNIT), "list", "--stauts", "4", "--lang", "en")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("There is no option '--stauts'. Did you mean '--status'?", err)
        rc, out, err = run("-c", unit_conf(UNIT), "list", "--stauts=4")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("'--status'", err)


if __name__ == "__main__":
    unittest.main()
