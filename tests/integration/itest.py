"""Shared helpers for motcua's integration tests (Python 3 stdlib only).

Environment (set by ctest, see tests/CMakeLists.txt):
  MOTCUA_ITEST_ENV   the directory brought up by deploy/local.sh up
  MOTCUA_BIN_DIR     directory holding motcua and motcua-server
  MOTCUA_SOURCE_DIR  the source tree (for deploy/pki.sh)
  MOTCUA_SANITIZE    1 when the build uses ASan/UBSan

Each test file uses its own commune(s) so that files can run in parallel
without disturbing each other's sequence numbers or lists.
"""
import datetime
import json
import os
import random
import re
import socket
import ssl
import struct
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MOTCUA_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..", "..")))
ENV_DIR = os.environ.get("MOTCUA_ITEST_ENV", os.path.join(SRC, "build", "itest-env"))
BIN_DIR = os.environ.get("MOTCUA_BIN_DIR", os.path.join(SRC, "build", "bin"))
CLI = os.path.join(BIN_DIR, "motcua")
SERVER = os.path.join(BIN_DIR, "motcua-server")
PKI_SH = os.path.join(SRC, "deploy", "pki.sh")
LOCAL_SH = os.path.join(SRC, "deploy", "local.sh")
TIMEOUT = 30

VN = datetime.timezone(datetime.timedelta(hours=7))
CODE_RE = re.compile(r"^[A-Z0-9.]+-(\d{6})-(\d{4,})$")
DISTRICT = "444"


def unit_conf(unit):
    return os.path.join(ENV_DIR, "units", "%s.conf" % unit)


def local_env():
    env = {}
    with open(os.path.join(ENV_DIR, "local.env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def server_port():
    return int(local_env()["MOTCUA_PORT"])


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err
        self.doc = None
        self.json_error = None
        try:
            self.doc = json.loads(out) if out.strip() else None
        except ValueError as e:
            self.json_error = str(e)

    @property
    def error_code(self):
        if isinstance(self.doc, dict) and isinstance(self.doc.get("error"), dict):
            return self.doc["error"].get("code")
        return None

    def __repr__(self):
        return "Result(rc=%r, out=%r, err=%r)" % (self.rc, self.out[:2000], self.err[-2000:])


# The required components (thành phần hồ sơ bắt buộc) of each procedure of
# the catalogue, as migration 015 seeds them (tests/storage checks the same
# pairs). Issue 14: a receive must list them or give --missing-reason.
REQUIRED_COMPONENTS = {
    "2.000815": (1, 2), "2.000884": (1, 2), "1.000656": (1, 2, 5), "1.000894": (1, 2),
    "1.001022": (1, 4), "1.001193": (1, 2, 5), "1.004873": (1, 3), "2.000635": (1, 2),
    "1.001776": (1,), "1.009994": (1, 2, 3), "1.010821": (1, 2), "2.000720": (1,),
    "1.001612": (1,), "1.013978": (1,), "1.004227": (1, 2, 3),
}


def with_components(args):
    """A `receive` that names no component and no --missing-reason hands in
    the procedure's required ones: tests that are not about intake receive a
    complete dossier, as a desk must (issue 14)."""
    args = list(args)
    if "receive" not in args or "--missing-reason" in args or any(
            a == "--component" or a.startswith("--component=") for a in args):
        return args
    proc = next((args[i + 1] for i in range(len(args) - 1) if args[i] == "--procedure"), None)
    for n in REQUIRED_COMPONENTS.get(proc, ()):
        args += ["--component", str(n)]
    return args


def cli(unit, *args, timeout=TIMEOUT, json_out=True, conf=None):
    cmd = [CLI, "-c", conf or unit_conf(unit)]
    if json_out:
        cmd.append("--json")
    cmd += with_components(args)
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"))


def cli_popen(unit, *args):
    cmd = [CLI, "-c", unit_conf(unit), "--json"] + with_components(args)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def unwrap(doc, key):
    """A list reply may be a bare array or {"<key>": [...]}; a dossier reply a
    bare object or {"dossier": {...}}."""
    if isinstance(doc, dict) and key in doc and not (key == "dossier" and "code" in doc):
        return doc[key]
    return doc


def today_vn():
    return datetime.datetime.now(VN).strftime("%y%m%d")


def parse_time(s):
    """RFC 3339 with offset -> aware datetime."""
    if s is None:
        return None
    s = s.replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s)


def citizen_id():
    """A fresh 12-digit citizen identity number (CCCD) for one test dossier."""
    return "0%011d" % random.randrange(10 ** 11)


_procs = None


def procedures():
    global _procs
    if _procs is None:
        r = cli("18496", "procedures")
        if r.rc != 0:
            raise AssertionError("procedures failed: %r" % r)
        _procs = unwrap(r.doc, "procedures")
    return _procs


def procedure_of_level(level):
    for p in procedures():
        if p.get("level") == level:
            return p["code"]
    raise AssertionError("no %s-level procedure in the catalogue" % level)


def receive(unit, level="commune", name="Nguyễn Văn Thử", cid=None, phone="0912345678",
            proc=None):
    cid = cid or citizen_id()
    proc = proc or procedure_of_level(level)
    r = cli(unit, "receive", "--procedure", proc, "--name", name, "--id", cid,
            "--phone", phone)
    return r, cid


def dossier_list(unit, *extra):
    r = cli(unit, "list", "--limit", "1000", *extra)
    return r, (unwrap(r.doc, "dossiers") if r.rc == 0 else None)


def server_pid():
    try:
        with open(os.path.join(ENV_DIR, "server.pid")) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def pid_alive(pid):
    if pid is None:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


# ---------------------------------------------------------------------------
# Minimal protobuf encoding / decoding (field numbers from proto/motcua.proto)

def varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_varint(num, v):
    return varint(num << 3) + varint(v) if v else b""


def f_bytes(num, b, always=False):
    if isinstance(b, str):
        b = b.encode("utf-8")
    if not b and not always:
        return b""
    return varint(num << 3 | 2) + varint(len(b)) + b


def decode(buf):
    """-> {field: [value, ...]} ; varints as int, length-delimited as bytes."""
    out = {}
    i = 0
    while i < len(buf):
        key, i = _read_varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _read_varint(buf, i)
        elif wt == 2:
            n, i = _read_varint(buf, i)
            v = bytes(buf[i:i + n])
            if len(v) != n:
                raise ValueError("truncated field")
            i += n
        elif wt == 1:
            v = buf[i:i + 8]
            i += 8
        elif wt == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(num, []).append(v)
    return out


def _read_varint(buf, i):
    shift = n = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


# Envelope body field numbers
B_ERROR, B_HELLO, B_HELLO_REPLY, B_PING, B_PONG, B_GOODBYE = 2, 3, 4, 5, 6, 7
B_PROCEDURES, B_PROCEDURES_REPLY, B_RECEIVE, B_SHOW, B_LIST, B_FORWARD = 10, 11, 12, 13, 14, 15
B_DOSSIER_REPLY, B_LIST_REPLY, B_DOSSIER_EVENT = 16, 17, 30

ERROR_NAMES = {1: "internal", 2: "no_memory", 3: "protocol", 4: "version", 5: "too_big",
               6: "invalid", 7: "unauthenticated", 8: "forbidden", 9: "not_found",
               10: "conflict", 11: "unavailable", 12: "timeout", 13: "busy",
               14: "wrong_level", 15: "bad_state", 16: "io", 17: "tls", 18: "closed",
               19: "config", 20: "cert_revoked", 21: "login_required", 22: "bad_login",
               23: "locked", 24: "password_change_required", 25: "weak_password"}


def envelope(request_id, body_field, body=b"", token=None):
    """token: the officer session (Envelope.session_token = 100), or None."""
    return (f_varint(1, request_id) + f_bytes(body_field, body, always=True) +
            (f_bytes(100, token) if token else b""))


def session_token(unit, env_dir=None):
    """The session of the unit's tester that deploy/local.sh up logged in
    (DIR/units/session-<unit>.token: the token, then the officer's login), or
    None."""
    path = os.path.join(env_dir or ENV_DIR, "units", "session-%s.token" % unit)
    try:
        with open(path) as f:
            return f.readline().strip() or None
    except OSError:
        return None


def login(unit, officer=None, conf=None, env_dir=None):
    """motcua login as officer (default tester.<unit>) with its generated
    password file; the Result."""
    d = env_dir or ENV_DIR
    officer = officer or "tester.%s" % unit
    return cli(unit, "login", officer, "--password-file",
               os.path.join(d, "officers", "%s.pw" % officer), conf=conf)


def hello(version=1):
    return f_varint(1, version) + f_bytes(2, "motcua-itest")


def ping_body(ms=None):
    return f_varint(1, ms if ms is not None else int(time.time() * 1000))


def receive_body(key, proc, name, cid, phone="0912345678", channel=1, officer="itest",
                 components=None):
    """components: ordinals handed in (default: the procedure's required ones)."""
    app = f_bytes(1, name) + f_bytes(2, cid) + f_bytes(3, phone)
    if components is None:
        components = REQUIRED_COMPONENTS.get(proc, ())
    comps = b"".join(f_bytes(9, f_varint(1, n), always=True) for n in components)
    return (f_bytes(1, key) + f_bytes(2, proc) + f_bytes(3, app, always=True) +
            f_varint(4, channel) + f_bytes(5, officer) + comps)


def list_body(status=0, limit=0):
    return f_varint(1, status) + f_varint(2, limit)


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


class Reply:
    def __init__(self, payload):
        self.raw = payload
        f = decode(payload)
        self.request_id = f.get(1, [0])[0]
        self.body_field = None
        self.body = {}
        for k in f:
            if k != 1:
                self.body_field = k
                self.body = decode(f[k][0]) if isinstance(f[k][0], bytes) else {}
        if self.body_field == B_ERROR:
            self.error_code = ERROR_NAMES.get(self.body.get(1, [0])[0], "?")
            self.error_message = self.body.get(2, [b""])[0].decode("utf-8", "replace")
            self.error_detail = self.body.get(3, [b""])[0].decode("utf-8", "replace")
        else:
            self.error_code = None

    def dossier(self):
        """DossierReply -> decoded Dossier fields."""
        return decode(self.body[1][0]) if 1 in self.body else {}

    def __repr__(self):
        return "Reply(id=%r, body=%r, error=%r)" % (self.request_id, self.body_field,
                                                   self.error_code)


class Closed(Exception):
    pass


def tls_context(cert, key, ca=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca or os.path.join(ENV_DIR, "pki", "ca.crt"))
    if cert:
        ctx.load_cert_chain(cert, key)
    ctx.check_hostname = True
    return ctx


def unit_cert(unit):
    d = os.path.join(ENV_DIR, "pki", "units")
    return os.path.join(d, "%s.crt" % unit), os.path.join(d, "%s.key" % unit)


class Raw:
    """A raw TLS client speaking frames by hand."""

    def __init__(self, unit=None, cert=None, key=None, ca=None, timeout=10, token=None,
                 port=None):
        if unit is not None and cert is None:
            cert, key = unit_cert(unit)
        # requests carry the unit tester's session (changing requests need one)
        self.token = token if token is not None else (session_token(unit) if unit else None)
        self.ctx = tls_context(cert, key, ca)
        sock = socket.create_connection(("127.0.0.1", port or server_port()), timeout=timeout)
        self.s = self.ctx.wrap_socket(sock, server_hostname="motcua-server")
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def send_env(self, request_id, body_field, body=b""):
        self.send(frame(envelope(request_id, body_field, body, self.token)))

    def recv(self, timeout=10):
        """Next Reply; raises Closed on EOF / reset, socket.timeout on timeout."""
        deadline = time.time() + timeout
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    p = self.buf[4:4 + n]
                    self.buf = self.buf[4 + n:]
                    return Reply(p)
            left = deadline - time.time()
            if left <= 0:
                raise socket.timeout("no reply")
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(65536)
            except (ssl.SSLError, ConnectionError, OSError) as e:
                if isinstance(e, socket.timeout):
                    raise
                raise Closed(repr(e))
            if not chunk:
                raise Closed("eof")
            self.buf += chunk

    def hello(self, version=1):
        self.send_env(1, B_HELLO, hello(version))
        return self.recv()

    def call(self, request_id, body_field, body=b"", timeout=10):
        self.send_env(request_id, body_field, body)
        while True:
            r = self.recv(timeout)
            if r.request_id == request_id:
                return r
            # skip pushed events (request_id 0)

    def closed_by_peer(self, timeout=10):
        """True if the server closes the connection (maybe after an Error)."""
        try:
            while True:
                self.recv(timeout)
        except Closed:
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def wait_server_ok(testcase, unit="18496", tries=3):
    """The server still answers a CLI ping and its process is alive."""
    r = None
    for _ in range(tries):
        r = cli(unit, "ping")
        if r.rc == 0:
            break
        time.sleep(0.5)
    testcase.assertEqual(r.rc, 0, "server no longer answers ping: %r" % r)
    pid = server_pid()
    testcase.assertTrue(pid_alive(pid), "server process %r is gone" % pid)
