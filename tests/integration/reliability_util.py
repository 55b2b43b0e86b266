"""Helpers for the reliability tests (test_crash_load, test_flaky_link,
test_tls_hygiene): a throwaway deployment of deploy/local.sh on free ports,
CLI calls against one of its units, SQL through `local.sh psql`, and checks
of the content store. Python 3 stdlib only."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from itest import BIN_DIR, CLI, LOCAL_SH, Result, with_components
from itest_env import free_ports

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


class Deployment:
    """deploy/local.sh up DIR in a fresh directory under /var/tmp (the
    PostgreSQL user must be able to reach it); down() removes everything."""

    def __init__(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix, dir="/var/tmp")
        os.chmod(self.dir, 0o755)
        self.env = dict(os.environ, MOTCUA_BIN_DIR=BIN_DIR)
        self.port = None

    def local(self, *args, timeout=280, check=True):
        p = subprocess.run(["bash", LOCAL_SH] + list(args), env=self.env,
                           capture_output=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError("local.sh %s failed (%d): %s" % (
                " ".join(args), p.returncode, p.stderr.decode("utf-8", "replace")[-3000:]))
        return p

    def up(self):
        p, h, g = free_ports(3)
        self.port = p
        self.local("up", self.dir, "--port", str(p), "--http-port", str(h), "--pg-port", str(g))

    def down(self):
        try:
            self.local("down", self.dir, timeout=120, check=False)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def start_server(self):
        self.local("start-server", self.dir, timeout=120)

    def server_pid(self):
        with open(os.path.join(self.dir, "server.pid")) as f:
            return int(f.read().split()[0])

    def conf(self, unit):
        return os.path.join(self.dir, "units", "%s.conf" % unit)

    def communes(self):
        units = sorted(n[:-5] for n in os.listdir(os.path.join(self.dir, "units"))
                       if n.endswith(".conf") and n[:-5] not in ("444", "admin"))
        return units

    def cli(self, unit, *args, conf=None, timeout=60, env=None):
        cmd = [CLI, "-c", conf or self.conf(unit), "--json"] + with_components(args)
        p = subprocess.run(cmd, capture_output=True, timeout=timeout,
                           env=dict(os.environ, **(env or {})))
        return Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))

    def psql(self, *args, timeout=280):
        """psql -X -At on the deployment's database with ON_ERROR_STOP; its stdout."""
        p = self.local("psql", self.dir, "-X", "-v", "ON_ERROR_STOP=1", "-At", *args,
                       timeout=timeout, check=False)
        if p.returncode != 0:
            raise AssertionError("psql %r: %s" % (
                args, p.stderr.decode("utf-8", "replace")[-2000:]))
        return p.stdout.decode("utf-8", "replace")

    def one(self, query):
        """The integer a one-value query returns."""
        return int(self.psql("-c", query).strip())

    def sql(self, query):
        """Rows of a query as lists of strings ('|'-separated psql -At)."""
        p = self.local("psql", self.dir, "-v", "ON_ERROR_STOP=1", "-F", "|", "-Atc", query,
                       timeout=60)
        out = p.stdout.decode("utf-8", "replace")
        return [line.split("|") for line in out.splitlines() if line]

    def data_dir(self):
        return os.path.join(self.dir, "data")

    def content_files(self):
        """{sha256 name: path} of every file in the content store (not tmp/)."""
        data = self.data_dir()
        out = {}
        for d, _, names in os.walk(data):
            rel = os.path.relpath(d, data)
            if rel.split(os.sep)[0] == "tmp":
                continue
            for n in names:
                out[n] = os.path.join(d, n)
        return out

    def sanitizer_report(self):
        log = os.path.join(self.dir, "server.log")
        try:
            with open(log, errors="replace") as f:
                text = f.read()
        except OSError:
            return None
        for m in SANITIZER_MARKS:
            i = text.find(m)
            if i >= 0:
                return text[max(0, i - 300):i + 3000]
        return None


def sha256_path(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def jsonl(text):
    """attach/download --json print one JSON document per line per file."""
    docs = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            try:
                docs.append(json.loads(line))
            except ValueError:
                pass
    return docs
