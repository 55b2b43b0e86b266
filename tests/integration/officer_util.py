"""Officer accounts in the integration tests (issue 15): desks with their
own login state, logging in with a password file (never an argument), the
rules table's answers (tests/tools/officer_rules.c), bounded polls.

A Desk is one unit's configuration with its own state directory, so that
several officers of one unit can be logged in at once (each desk machine
keeps one token). Password files live in the test's own temporary
directory, 0600."""
import json
import os
import re
import subprocess
import tempfile
import time

from itest import BIN_DIR, CLI, ENV_DIR, TIMEOUT, Result, unit_conf, with_components

RULES_TOOL = os.path.join(BIN_DIR, "test-officer-rules")
ROLES = ("receiving", "processing", "leader", "unit_admin")
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # a session token: base64url of 32 bytes


def rules_for_action(action, d, actor_unit, actor_role):
    """{"receiving": "allow"|"role"|"other", ...} for action on dossier d
    (as `show --json` gives it), from the server's own rules table."""
    out = subprocess.run(
        [RULES_TOOL, "action", action, str(d["status"]), d["level"], d["unit"],
         d["holder_unit"], d.get("forwarded_to") or "-", actor_unit, actor_role],
        capture_output=True, timeout=30, check=True)
    return json.loads(out.stdout)


def rules_for_op(op):
    out = subprocess.run([RULES_TOOL, "op", op], capture_output=True, timeout=30, check=True)
    return json.loads(out.stdout)


def poll(pred, timeout, step=0.1):
    """pred() until it is truthy or timeout seconds pass; its last value."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)


class Desk:
    """One unit's desk with its own state directory (its own officer token)."""

    def __init__(self, unit, tmp, name, base_conf=None):
        self.unit = unit
        self.state = os.path.join(tmp, "state-" + name)
        os.makedirs(self.state, mode=0o700, exist_ok=True)
        self.session = os.path.join(self.state, "session.token")
        self.conf = os.path.join(tmp, "desk-%s.conf" % name)
        with open(base_conf or unit_conf(unit)) as f:
            base = f.read()
        with open(self.conf, "w") as f:
            f.write(base)
        self.overrides = ["--session=" + self.session]
        self.logs = []    # stderr of every call (grepped for secrets)
        self.tokens = []  # every token this desk held

    def run(self, *args, json_out=True, env=None, timeout=TIMEOUT):
        cmd = [CLI, "-c", self.conf] + self.overrides
        if json_out:
            cmd.append("--json")
        cmd += with_components(args)
        e = dict(os.environ, MOTCUA_LOG="debug")
        if env:
            e.update(env)
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=e)
        r = Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                   p.stderr.decode("utf-8", "replace"))
        self.logs.append(r.err)
        return r

    def login(self, login, password):
        pw = write_secret(os.path.dirname(self.state), password)
        try:
            return self.run("login", login, "--password-file", pw)
        finally:
            os.unlink(pw)
            self.tokens += TOKEN_RE.findall(self.token_text())

    def passwd(self, old, new):
        d = os.path.dirname(self.state)
        a, b = write_secret(d, old), write_secret(d, new)
        try:
            return self.run("passwd", "--password-file", a, "--new-password-file", b)
        finally:
            os.unlink(a)
            os.unlink(b)
            self.tokens += TOKEN_RE.findall(self.token_text())

    def token_text(self):
        """Whatever the client keeps in its state directory (the token)."""
        out = []
        for root, _, files in os.walk(self.state):
            for n in files:
                with open(os.path.join(root, n), "rb") as f:
                    out.append(f.read().decode("utf-8", "replace"))
        return "\n".join(out)


def write_secret(d, text):
    fd, path = tempfile.mkstemp(dir=d, prefix="pw-")
    os.write(fd, text.encode() + b"\n")
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def provisioned(unit, role):
    """(login, password) of the officer deploy/local.sh made for role
    ("receiving", "processing", "leader", "unit_admin", or "tester": every
    role) at unit ("admin": the IT unit)."""
    login = "%s.%s" % (role, unit)
    with open(os.path.join(ENV_DIR, "officers", login + ".pw")) as f:
        return login, f.readline().strip()
