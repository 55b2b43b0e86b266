#!/usr/bin/env python3
"""ctest fixture for the integration tests.

    itest_env.py up DIR     pick free ports (first time only) and run
                            deploy/local.sh up DIR --port P --http-port H --pg-port G
    itest_env.py down DIR   deploy/local.sh down DIR

Uses MOTCUA_BIN_DIR (set by ctest to <build>/bin) so that a sanitizer build
tests its own binaries. local.sh records the ports in DIR/local.env at
creation and reuses them afterwards. A server still running from an earlier
run is restarted so that the current build is the one tested. If the ports
recorded by an earlier run have since been taken by something else, the
directory is torn down and made again on fresh free ports.
"""
import os
import shutil
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MOTCUA_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..", "..")))
LOCAL_SH = os.path.join(SRC, "deploy", "local.sh")


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def port_taken(port):
    """Something holds 127.0.0.1:port (the server could not bind it)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def read_env(d):
    env = {}
    try:
        with open(os.path.join(d, "local.env")) as f:
            for line in f:
                if "=" in line and not line.startswith("#"):
                    k, v = line.rstrip("\n").split("=", 1)
                    env[k] = v
    except FileNotFoundError:
        pass
    return env


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "WARNING: ThreadSanitizer")


def check_server_log(d, log):
    """After the server has stopped: a sanitizer report written by the
    fixture's server during this run (bad-input tests included) fails the
    cleanup step."""
    try:
        with open(os.path.join(d, "itest-log-offset")) as f:
            off = int(f.read().strip() or 0)
    except (OSError, ValueError):
        off = 0
    if not os.path.exists(log):
        return 0
    with open(log, "rb") as f:
        f.seek(off)
        text = f.read().decode("utf-8", "replace")
    hits = [m for m in SANITIZER_MARKS if m in text]
    if hits:
        i = min(text.find(m) for m in hits)
        print("sanitizer report in %s:\n%s" % (log, text[max(0, i - 500):i + 4000]),
              file=sys.stderr)
        return 1
    return 0


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("up", "down"):
        print("usage: itest_env.py up|down DIR", file=sys.stderr)
        return 2
    cmd, d = sys.argv[1], sys.argv[2]
    if not os.path.exists(LOCAL_SH):
        print("deploy/local.sh not found at %s" % LOCAL_SH, file=sys.stderr)
        return 1
    args = ["bash", LOCAL_SH, cmd, d]
    if cmd == "up":
        os.makedirs(d, exist_ok=True)
        env = read_env(d)
        if env.get("MOTCUA_PORT"):
            # a server left running by an earlier run may be an older build:
            # stop it so that "up" starts the binaries under test
            subprocess.call(["bash", LOCAL_SH, "stop-server", d], timeout=120)
            taken = [k for k in ("MOTCUA_PORT", "MOTCUA_HTTP_PORT")
                     if env.get(k, "").isdigit() and port_taken(int(env[k]))]
            if taken:
                print("itest_env: %s of %s now taken by something else: making %s again on "
                      "free ports" % (", ".join("%s=%s" % (k, env[k]) for k in taken), d, d),
                      file=sys.stderr)
                subprocess.call(["bash", LOCAL_SH, "down", d], timeout=120)
                shutil.rmtree(d, ignore_errors=True)
                os.makedirs(d, exist_ok=True)
                env = {}
        if not env.get("MOTCUA_PORT"):
            p, h, g = free_ports(3)
            args += ["--port", str(p), "--http-port", str(h), "--pg-port", str(g)]
    log = os.path.join(d, "server.log")
    if cmd == "up":
        # remember where this run's server output starts (see down)
        with open(os.path.join(d, "itest-log-offset"), "w") as f:
            f.write(str(os.path.getsize(log) if os.path.exists(log) else 0))
    print("+ " + " ".join(args), file=sys.stderr)
    rc = subprocess.call(args, timeout=280)
    if cmd == "down" and rc == 0:
        rc = check_server_log(d, log)
    if cmd == "up" and rc != 0:
        log = os.path.join(d, "server.log")
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                sys.stderr.write("--- tail of server.log ---\n" + "".join(f.readlines()[-30:]))
    return rc


if __name__ == "__main__":
    sys.exit(main())
