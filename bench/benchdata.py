"""What the benches that fill a database share (bench/desk_bench.py,
bench/years_gen.py): Vietnamese names with their frequencies, SQL array
literals of them, the deployment's PII key, psql on a deployment's socket."""
import os
import subprocess

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
          "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Đoàn", "Trương", "Cao", "Lương"]
# weights in percent: Nguyễn ~38%, Trần ~11%, Lê ~10%, Phạm ~7%, ... as in the country
FAMILY_W = [38, 11, 10, 7, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
MIDDLE = ["Văn", "Thị", "Đức", "Hữu", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Hồng",
          "Kim", "Công", "Đình", "Phương", "Thu"]
GIVEN = ["An", "Anh", "Bình", "Chi", "Cường", "Dũng", "Duy", "Giang", "Hà", "Hải", "Hạnh",
         "Hằng", "Hiếu", "Hoa", "Hùng", "Hương", "Huy", "Khánh", "Lan", "Linh", "Long", "Mai",
         "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Phong", "Phúc", "Phương", "Quân", "Quỳnh",
         "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang", "Trung", "Tuấn", "Vân", "Việt", "Yến"]


def family_pool():
    """FAMILY repeated by weight: a uniform draw from it has the weights."""
    out = []
    for name, w in zip(FAMILY, FAMILY_W):
        out += [name] * w
    return out


def sql_array(items):
    return "(ARRAY[%s])" % ",".join("'%s'" % s.replace("'", "''") for s in items)


def pii_key_hex(conf):
    """The hex of the server config's [database] pii_key_file, or None."""
    with open(conf) as f:
        for line in f:
            k = line.split("=", 1)[0].strip()
            if k == "pii_key_file" and "=" in line:
                with open(line.split("=", 1)[1].strip(), "rb") as kf:
                    return kf.read().hex()
    return None


def pii_mac_sql(key_hex):
    """A SQL expression format (one %s: the value) computing the server's
    MAC of migration 013 with pgcrypto, or NULL without a key."""
    if not key_hex:
        return "NULL::text /* %s */"
    return ("encode(hmac(convert_to(%%s, 'UTF8'), decode('%s', 'hex'), 'sha256'), 'hex')"
            % key_hex)


def psql_cmd(env, db, extra=()):
    return (["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", env["MOTCUA_PG_SOCK"],
             "-p", env["MOTCUA_PG_PORT"], "-U", "motcua", "-d", db] + list(extra))


def psql(env, db, sql=None, script=None):
    """One statement (-c) or a script on stdin; stdout, or SystemExit."""
    cmd = psql_cmd(env, db, ["-c", sql] if sql is not None else [])
    p = subprocess.run(cmd, input=script, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("psql failed: %s\n%s" % ((sql or script or "")[:300], p.stderr))
    return p.stdout
