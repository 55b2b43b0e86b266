#!/usr/bin/env python3
"""File-transfer benchmarks against a local deployment (deploy/local.sh up DIR).

  bench/files_bench.py DIR [--bin build/bin] [--mib 100]

1. Throughput: `motcua attach` and `motcua download` of a MIB-sized PDF on
   loopback (upload figures include hashing the file first).
2. Fairness: another commune's `receive` latency (a raw TLS client, one
   ReceiveRequest at a time, reply timed) with no upload running, then while
   a commune uploads the big file. Median, p95 and max in milliseconds.
3. Storage: PostgreSQL large objects (psql \\lo_import / \\lo_export) vs a
   content file (write + fsync + rename + fsync(dir), read back), same size.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

MiB = 1 << 20


def setup_env(d, bindir):
    os.environ["MOTCUA_ITEST_ENV"] = d
    os.environ["MOTCUA_BIN_DIR"] = bindir


def make_pdf(path, mib):
    from files_util import valid_bytes  # well-formed: the server checks the structure (W6)
    with open(path, "wb") as f:  # exactly mib MiB, the default max_file_bytes
        f.write(valid_bytes(mib * MiB))


def run_cli(itest, unit, *args, env=None):
    p = subprocess.run([itest.CLI, "-c", itest.unit_conf(unit), "--json"] + list(args),
                       capture_output=True, env=env, timeout=900)
    if p.returncode != 0:
        raise SystemExit("motcua %s failed: %s %s" % (args[0], p.stdout, p.stderr))
    return p.stdout.decode()


def new_code(itest, unit):
    r, _ = itest.receive(unit)
    return itest.unwrap(r.doc, "dossier")["code"]


def throughput(itest, path, unit):
    import json
    code = new_code(itest, unit)
    t0 = time.time()
    up = json.loads(run_cli(itest, unit, "attach", code, path))
    t_up = time.time() - t0
    out = tempfile.mkdtemp()
    t0 = time.time()
    run_cli(itest, unit, "download", code, "--out", out)
    t_down = time.time() - t0
    size = os.path.getsize(path) / MiB
    os.unlink(os.path.join(out, code, os.path.basename(path)))  # DIR/CODE/NAME
    return size / t_up, size / t_down, up


def receive_latencies(itest, unit, n, stop=None):
    proc = itest.procedure_of_level("commune")
    raw = itest.Raw(unit)
    raw.hello()
    lat = []
    for i in range(n):
        if stop is not None and stop.is_set():
            break
        body = itest.receive_body("bench%024d%06d" % (int(time.time() * 1000), i), proc,
                                  "Phạm Văn Đo", itest.citizen_id())
        t0 = time.perf_counter()
        rep = raw.call(100 + i, itest.B_RECEIVE, body)
        lat.append((time.perf_counter() - t0) * 1000)
        if rep.error_code:
            raise SystemExit("receive refused: %r" % rep)
        time.sleep(0.005)
    raw.close()
    return lat


def summary(lat):
    s = sorted(lat)
    return "n=%d median=%.2f p95=%.2f max=%.2f ms" % (
        len(s), statistics.median(s), s[int(len(s) * 0.95) - 1], s[-1])


def fairness(itest, path, uploader, other, n):
    base = receive_latencies(itest, other, n)
    code = new_code(itest, uploader)
    p = subprocess.Popen([itest.CLI, "-c", itest.unit_conf(uploader), "--json", "attach", code,
                          path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.3)  # the upload is streaming (hash done)
    stop = threading.Event()
    threading.Thread(target=lambda: (p.wait(), stop.set()), daemon=True).start()
    during = receive_latencies(itest, other, 10 * n, stop)  # only while it runs
    running = len(during) >= 10
    p.communicate()
    return base, during, running


def lo_vs_files(d, path):
    env = {}
    with open(os.path.join(d, "local.env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                env[k] = v
    sock, port = env["MOTCUA_PG_SOCK"], env["MOTCUA_PG_PORT"]
    psql = ["psql", "-X", "-q", "-h", sock, "-p", port, "-U", "motcua", "-d", "motcua",
            "-v", "ON_ERROR_STOP=1"]
    as_pg = ["runuser", "-u", "motcua", "--"] if os.geteuid() == 0 else []
    tmp = tempfile.mkdtemp(dir="/var/tmp")
    os.chmod(tmp, 0o777)
    src = os.path.join(tmp, "in.pdf")
    subprocess.run(["cp", path, src], check=True)
    os.chmod(src, 0o644)
    t0 = time.time()
    script = "\\lo_import %s\nSELECT :LASTOID;\n" % src  # one transaction (autocommit)
    out = subprocess.run(as_pg + psql + ["-t", "-A"], input=script.encode(),
                         capture_output=True, check=True).stdout.decode()
    oid = out.split()[-1]
    t_lo_w = time.time() - t0
    dst = os.path.join(tmp, "out.pdf")
    t0 = time.time()
    subprocess.run(as_pg + psql + ["-c", "\\lo_export %s %s" % (oid, dst)], check=True)
    t_lo_r = time.time() - t0
    subprocess.run(as_pg + psql + ["-c", "SELECT lo_unlink(%s)" % oid], check=True,
                   stdout=subprocess.DEVNULL)
    t0 = time.time()
    part, final = os.path.join(tmp, "part"), os.path.join(tmp, "final")
    with open(src, "rb") as fi, open(part, "wb") as fo:
        while True:
            b = fi.read(256 * 1024)
            if not b:
                break
            fo.write(b)
        fo.flush()
        os.fsync(fo.fileno())
    os.rename(part, final)
    dfd = os.open(tmp, os.O_RDONLY)
    os.fsync(dfd)
    os.close(dfd)
    t_f_w = time.time() - t0
    t0 = time.time()
    with open(final, "rb") as f:
        while f.read(MiB):
            pass
    t_f_r = time.time() - t0
    subprocess.run(["rm", "-rf", tmp])
    size = os.path.getsize(path) / MiB
    return {"lo_write": size / t_lo_w, "lo_read": size / t_lo_r,
            "file_write": size / t_f_w, "file_read": size / t_f_r}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--mib", type=int, default=100)
    ap.add_argument("-n", type=int, default=60)
    a = ap.parse_args()
    setup_env(os.path.abspath(a.dir), os.path.abspath(a.bin))
    import itest
    path = os.path.join(tempfile.mkdtemp(), "bench.pdf")
    make_pdf(path, a.mib)
    up, down, doc = throughput(itest, path, "18541")
    print("throughput %d MiB on loopback: upload %.1f MiB/s (incl. hashing), download %.1f MiB/s"
          % (a.mib, up, down))
    st = lo_vs_files(os.path.abspath(a.dir), path)
    print("storage %d MiB: large object write %.1f MiB/s read %.1f MiB/s | file write+fsync+rename "
          "%.1f MiB/s read %.1f MiB/s" % (a.mib, st["lo_write"], st["lo_read"], st["file_write"],
                                          st["file_read"]))
    make_pdf(path, a.mib)  # a new file: no deduplication
    base, during, running = fairness(itest, path, "18544", "18547", a.n)
    print("receive latency, idle:          " + summary(base))
    print("receive latency, during upload: " + summary(during) +
          ("" if running else "  (too few samples: upload too short)"))
    os.unlink(path)


if __name__ == "__main__":
    main()
