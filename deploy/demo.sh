#!/usr/bin/env bash
# motcua demo (quick-start command 1) for a fresh Debian 12 machine.
#
#   deploy/demo.sh [DIR] [--per-unit N] [--no-install] [--no-build]
#
# Installs the packages (deploy/packages.txt), builds into build/, brings up
# the whole system with "deploy/local.sh up DIR" (default DIR: ./demo), then
# plays a working day: the 21 commune desks of Hương Khê receive dossiers at
# the same time (N each, default 6) with the motcua CLI, and forward the
# district-level ones to the district centre (unit 444). Each desk is worked
# by a person: its receiving officer logs in first, without a prompt, with the
# password file deploy/local.sh wrote (DIR/officers/<login>.pw, mode 0600),
# so every step is recorded under that officer's name. Prints a summary per
# unit (with the officer), what the district sees, and how to go on by hand.
# The system keeps running afterwards: stop it with deploy/local.sh down DIR.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"

DIR=demo per_unit=6 install=1 build=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --per-unit) [[ $# -ge 2 ]] || { echo "demo.sh: --per-unit needs a value" >&2; exit 2; }; per_unit=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --no-build) build=0; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) DIR=$1; shift ;;
  esac
done
[[ $per_unit =~ ^[1-9][0-9]?$ ]] || { echo "demo.sh: --per-unit must be 1..99" >&2; exit 2; }

export MOTCUA_BIN_DIR=${MOTCUA_BIN_DIR:-$REPO/build/bin}
CLI=$MOTCUA_BIN_DIR/motcua
step() { printf '\n==> %s\n' "$*"; }

if ((install)); then
  step "Packages (deploy/packages.txt)"
  deploy/install-deps.sh
fi
if ((build)); then
  step "Build"
  # build/ is shared with tests/run.sh (the README runs both side by side):
  # deploy/build.sh holds build/'s lock while it configures and builds
  deploy/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi

step "Start the system: deploy/local.sh up $DIR"
deploy/local.sh up "$DIR"
DIR=$(cd "$DIR" && pwd -P)
UNITS=$DIR/units

# JSON helper: python3 -c CODE < json
py() { python3 -c "$1"; }

step "Procedure catalogue"
"$CLI" -c "$UNITS/444.conf" --json procedures >"$DIR/procedures.json"
py 'import json,sys
ps = json.load(sys.stdin)
for p in ps:
    print("  %-10s %-8s %s" % (p["code"], p["level"], p["name"][:90]))
print("  %d procedures: %d commune-level, %d district-level" % (len(ps),
      sum(p["level"] == "commune" for p in ps), sum(p["level"] == "district" for p in ps)))' <"$DIR/procedures.json"
# "code level n,n,...": the required components a desk checks off (issue 14)
mapfile -t PROCS < <(py 'import json,sys
for p in json.load(sys.stdin):
    req = [str(c["ordinal"]) for c in p.get("components", []) if c["required"]]
    print(p["code"] + " " + p["level"] + " " + (",".join(req) or "-"))' <"$DIR/procedures.json")
((${#PROCS[@]} > 0)) || { echo "demo.sh: the catalogue is empty" >&2; exit 1; }

mapfile -t COMMUNES < <(find "$UNITS" -maxdepth 1 -name '*.conf' ! -name 444.conf ! -name admin.conf \
  -printf '%f\n' | sed 's/\.conf$//' | sort)

# Officer log-in, non-interactive: the login and a password file (never an
# argument that `ps` would show). Prints "full name (login)".
login_desk() { # UNIT ROLE
  local login=$2.$1
  timeout 30 "$CLI" -c "$UNITS/$1.conf" --json login "$login" \
    --password-file "$DIR/officers/$login.pw" 2>>"$DIR/demo-run/login.err" |
    py 'import json,sys
d = json.load(sys.stdin)
print("%s (%s, %s)" % (d["full_name"], d["login"], d["title"]))'
}

step "The officers log in (password files in $DIR/officers, mode 0600)"
rm -rf "$DIR/demo-run"
mkdir -p "$DIR/demo-run"
for c in "${COMMUNES[@]}" 444; do
  who=$(login_desk "$c" receiving) || { echo "demo.sh: $c: login failed ($DIR/demo-run/login.err)" >&2; exit 1; }
  printf '%s\n' "$who" >"$DIR/demo-run/$c.officer"
  printf '  %-5s %s\n' "$c" "$who"
done

# The arrays are used through a nameref in pick().
# shellcheck disable=SC2034
{
FAMILY=(Nguyễn Trần Lê Phạm Hoàng Phan Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Thái Trương Cao)
MALE_MID=(Văn Đức Hữu Minh Quốc Công Xuân Đình Thanh)
MALE=(An Bình Cường Dũng Đạt Hải Hiếu Hùng Huy Khánh Lâm Long Nam Phúc Quang Sơn Tâm Thắng Trung Tuấn Vinh)
FEMALE_MID=(Thị Thị Ngọc Thu Thanh Minh Hồng)
FEMALE=(Anh Chi Dung Giang Hà Hạnh Hằng Hiền Hoa Hương Lan Liên Linh Loan Mai Nga Oanh Phương Thảo Thủy Trang Vân Yến)
}

pick() { # ARRAY_NAME -> one element, from $RANDOM
  local -n arr=$1
  printf '%s' "${arr[RANDOM % ${#arr[@]}]}"
}

# One commune desk at work: receives per_unit dossiers, forwards the
# district-level ones. Writes DIR/demo-run/<code>.tsv (one line per dossier).
desk() {
  local code=$1 conf=$UNITS/$1.conf out=$DIR/demo-run/$1.tsv i proc level name id phone
  local res dcode fwd female year comps n
  local -a handed
  RANDOM=$((10#${code//[^0-9]/} + $$))
  : >"$out"
  for ((i = 1; i <= per_unit; i++)); do
    read -r proc level comps <<<"$(pick PROCS)"
    handed=()
    for n in ${comps//,/ }; do [[ $n == - ]] || handed+=(--component "$n"); done
    female=$((RANDOM % 2))
    if ((female)); then
      name="$(pick FAMILY) $(pick FEMALE_MID) $(pick FEMALE)"
    else
      name="$(pick FAMILY) $(pick MALE_MID) $(pick MALE)"
    fi
    year=$((RANDOM % 60 + 1945))
    # CCCD: 042 (Hà Tĩnh) + century/sex digit + 2-digit birth year + 6 digits
    id=$(printf '042%d%02d%06d' $(((year >= 2000 ? 2 : 0) + female)) $((year % 100)) $(((RANDOM * 32768 + RANDOM) % 1000000)))
    phone=$(printf '09%08d' $(((RANDOM * 32768 + RANDOM) % 100000000)))
    if ! res=$(timeout 30 "$CLI" -c "$conf" --json receive --procedure "$proc" \
        --name "$name" --id "$id" --phone "$phone" "${handed[@]}" 2>>"$DIR/demo-run/$code.err"); then
      printf 'ERROR\t%s\t%s\t-\n' "$proc" "$name" >>"$out"
      printf '%s\n' "$res" >>"$DIR/demo-run/$code.err"
      continue
    fi
    dcode=$(py 'import json,sys; print(json.load(sys.stdin)["code"])' <<<"$res")
    fwd=-
    if [[ $level == district ]]; then
      if timeout 30 "$CLI" -c "$conf" --json forward "$dcode" >/dev/null 2>>"$DIR/demo-run/$code.err"; then
        fwd=forwarded
      else
        fwd=forward-failed
      fi
    fi
    printf '%s\t%s\t%s\t%s\n' "$dcode" "$proc" "$name" "$fwd" >>"$out"
  done
}

step "A working day: ${#COMMUNES[@]} commune desks receive $per_unit dossiers each, concurrently"
pids=()
for c in "${COMMUNES[@]}"; do
  desk "$c" &
  pids+=($!)
done
# bounded: each desk makes at most 2*per_unit calls of at most 30 s each;
# give the whole day 5 minutes, then stop the stragglers.
deadline=$((SECONDS + 300))
for p in "${pids[@]}"; do
  while kill -0 "$p" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$p" 2>/dev/null; then
    echo "demo.sh: a desk did not finish in time (pid $p): stopping it" >&2
    kill "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
done

step "Summary"
"$CLI" -c "$UNITS/444.conf" --json list --limit 1000 >"$DIR/demo-run/district.json" ||
  echo '{"dossiers": []}' >"$DIR/demo-run/district.json"
rc=0
python3 - "$DIR" "$CLI" <<'PYEOF' || rc=$?
import glob, json, os, subprocess, sys
d, cli = sys.argv[1], sys.argv[2]
run = os.path.join(d, "demo-run")
rows, forwarded_codes, tot = [], set(), [0, 0, 0]
for tsv in sorted(glob.glob(os.path.join(run, "*.tsv"))):
    code = os.path.basename(tsv)[:-4]
    try:
        who = json.loads(subprocess.run([cli, "-c", os.path.join(d, "units", code + ".conf"),
                                         "--json", "whoami"], capture_output=True, timeout=30).stdout)
        name = who.get("unit_name", "?")
    except Exception:
        name = "?"
    rec = fwd = err = 0
    with open(tsv, encoding="utf-8") as f:
        for line in f:
            dcode, proc, person, state = line.rstrip("\n").split("\t")
            if dcode == "ERROR":
                err += 1
                continue
            rec += 1
            if state == "forwarded":
                fwd += 1
                forwarded_codes.add(dcode)
            elif state != "-":
                err += 1
    try:
        with open(os.path.join(run, code + ".officer"), encoding="utf-8") as f:
            officer = f.read().split(" (")[0].strip()
    except OSError:
        officer = "?"
    rows.append((code, name, officer, rec, fwd, err))
    tot[0] += rec; tot[1] += fwd; tot[2] += err
print("%-7s %-22s %-26s %9s %10s %7s" % ("unit", "name", "officer (logged in)", "received",
                                         "forwarded", "errors"))
print("-" * 86)
for code, name, officer, rec, fwd, err in rows:
    print("%-7s %-22s %-26s %9d %10d %7d" % (code, name, officer, rec, fwd, err))
print("-" * 86)
print("%-7s %-22s %-26s %9d %10d %7d" % ("total", "%d commune desks" % len(rows), "",
                                         tot[0], tot[1], tot[2]))
with open(os.path.join(run, "district.json"), encoding="utf-8") as f:
    seen = json.load(f)
total = seen.get("total", 0) if isinstance(seen, dict) else 0
seen = seen.get("dossiers", []) if isinstance(seen, dict) else []
seen_codes = {x["code"] for x in seen}
mine = len(forwarded_codes & seen_codes)
print()
print("District centre 444 (444.conf) sees %d dossiers in total;" % max(total, len(seen_codes)))
print("  %d of the %d forwarded in this run are there%s." % (
      mine, len(forwarded_codes), "" if mine == len(forwarded_codes) else "  <-- MISSING"))
# who the progress log names, for one forwarded dossier (verified officer)
if forwarded_codes:
    code = sorted(forwarded_codes)[0]
    h = subprocess.run([cli, "-c", os.path.join(d, "units", "444.conf"), "--json", "history",
                        code], capture_output=True, timeout=30)
    try:
        steps = json.loads(h.stdout)["steps"]
        print("\nProgress log of %s (who did each step, as logged in):" % code)
        for s in steps:
            print("  %-10s %-28s %s" % (s.get("action"), s.get("officer") or "",
                                       s.get("officer_login") or "(unverified)"))
    except (ValueError, KeyError, TypeError):
        pass
if tot[2]:
    print("\n%d errors: see %s/*.err" % (tot[2], run))
sys.exit(1 if tot[2] or mine != len(forwarded_codes) else 0)
PYEOF
example=$(awk -F'\t' '$4 == "forwarded" { print $1; exit }' "$DIR"/demo-run/*.tsv)

rel=$DIR
[[ $DIR == "$REPO"/* ]] && rel=./${DIR#"$REPO"/}
if [[ -f $DIR/desks/addresses ]]; then
  echo
  echo "==> The clerks' web desks (open in a browser on this machine; docs/DESK.md):"
  while read -r u url; do
    echo "  $url   unit $u: log in as receiving.$u, password in $rel/officers/receiving.$u.pw"
  done <"$DIR/desks/addresses"
fi
cat <<EOF

==> The system is still running. Try the CLI (as a commune desk, the district, or IT):
  export PATH=$MOTCUA_BIN_DIR:\$PATH
  motcua -c $rel/units/18499.conf whoami
  motcua -c $rel/units/18499.conf login leader.18499 --password-file $rel/officers/leader.18499.pw
                                                          # another officer at the desk (or type the password)
  motcua -c $rel/units/18499.conf officers list          # the unit's officers and their roles
  motcua -c $rel/units/18499.conf procedures
  motcua -c $rel/units/18499.conf receive --procedure 1.001776 --name "Lê Thị Hồng Nhung" --id 042190012345 --phone 0912345678 \\
    --address "Thôn 2, xã Điền Mỹ" --component 1
  motcua -c $rel/units/18499.conf list
  motcua -c $rel/units/444.conf list                      # the district centre's view
  motcua -c $rel/units/444.conf show ${example:-DOSSIER_CODE}
  motcua -c $rel/units/444.conf --lang en --json list --limit 5
  motcua -c $rel/units/444.conf accept ${example:-DOSSIER_CODE}   # the district takes it in
  motcua -c $rel/units/444.conf login leader.444 --password-file $rel/officers/leader.444.pw
  motcua -c $rel/units/444.conf assign ${example:-DOSSIER_CODE}   # the processing officers to choose from
  motcua -c $rel/units/444.conf list --awaiting-signature          # results proposed for signature
  motcua -c $rel/units/444.conf history ${example:-DOSSIER_CODE}
  motcua -c $rel/units/444.conf slip ${example:-DOSSIER_CODE} --form 05 -o control.pdf
  motcua -c $rel/units/444.conf watch                     # live events for the district (Ctrl+C)
  motcua -c $rel/units/admin.conf monitor                 # IT: every unit's link (Ctrl+C)
  IT dashboard in a browser: http://127.0.0.1:$(sed -n 's/^MOTCUA_HTTP_PORT=//p' "$DIR/local.env")/
Status and logs:  deploy/local.sh status $rel   ($rel/server.log)
Stop everything:  deploy/local.sh down $rel
EOF
exit "$rc"
