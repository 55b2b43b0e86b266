# Officer accounts of a deployment made on this machine (sourced by
# deploy/local.sh and deploy/cluster.sh; not a command). One officer per role
# per unit and one "tester" holding every role (for the test suite, scripts
# and the demo), with generated passwords (docs/TESTING.md "Officer accounts
# of a local deployment"):
#   $OFF_DIR/officers.tsv    the --officers-import file (0600)
#   $OFF_DIR/<login>.pw      each password alone, for --password-file (0600)
# Logins: <role>.<unit> and tester.<unit>; unit "admin" is the IT unit.
# The caller defines die and note.

officers_line() { # DIR UNIT LOGIN ROLES NAME TITLE
  local pwf=$1/$3.pw pw
  if [[ ! -s $pwf ]]; then
    # consonants only (39 letters, 16 of them: 84 bits): no vowel, so never
    # a word of an officer's or unit's name, nor a unit's digit code, which
    # the password policy refuses (seen once in CI: "password.name")
    pw=$(head -c 1024 /dev/urandom | tr -dc 'BCDFGHJKLMNPQRSTVWXZbcdfghjkmnpqrstvwxz' | head -c 16)
    [[ ${#pw} -eq 16 ]] || die "could not generate a password for $3"
    (umask 077 && printf '%s\n' "$pw" >"$pwf") || die "could not write $pwf"
  fi
  pw=$(head -n 1 "$pwf")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$pw" "$4" "$5" "$6"
}

officers_lines() { # DIR UNIT
  local d=$1 u=$2
  officers_line "$d" "$u" "receiving.$u" receiving "Cán bộ tiếp nhận $u" "Công chức một cửa"
  officers_line "$d" "$u" "processing.$u" processing "Chuyên viên xử lý $u" "Chuyên viên"
  officers_line "$d" "$u" "leader.$u" leader "Lãnh đạo $u" "Phó Chủ tịch"
  officers_line "$d" "$u" "unit_admin.$u" unit_admin "Quản trị đơn vị $u" "Quản trị hệ thống"
  officers_line "$d" "$u" "tester.$u" receiving,processing,leader,unit_admin \
    "Cán bộ kiểm thử $u" "Kiểm thử viên"
}

# officers_provision SERVER_BIN SERVER_CONF UNITS_DIR OFF_DIR LOG: the officers
# of every unit with a configuration in UNITS_DIR, imported once per change
# of the file (motcua-server --officers-import, idempotent).
officers_provision() {
  local bin=$1 conf=$2 units_dir=$3 d=$4 log=$5 u tsv sum tmp
  tsv=$d/officers.tsv
  mkdir -p "$d" && chmod 700 "$d" || die "could not create $d"
  tmp=$(mktemp "$tsv.XXXXXX")
  {
    printf '# unit\tlogin\tpassword\troles\tfull name\ttitle   (written by deploy/officers.sh)\n'
    for u in $(find "$units_dir" -maxdepth 1 -name '*.conf' -printf '%f\n' | sed 's/\.conf$//' | sort); do
      officers_lines "$d" "$u"
    done
  } >"$tmp"
  chmod 600 "$tmp" && mv -f "$tmp" "$tsv"
  sum=$(sha256sum "$tsv" | cut -d' ' -f1)
  [[ -f $d/.imported && $(cat "$d/.imported") == "$sum" ]] && return 0
  note "creating officer accounts ($d)"
  if ! timeout 600 "$bin" -c "$conf" --officers-import "$tsv" >>"$log" 2>&1; then
    tail -n 5 "$log" >&2
    die "motcua-server --officers-import failed (log: $log)"
  fi
  printf '%s\n' "$sum" >"$d/.imported"
}

# officers_login_testers CLI UNITS_DIR OFF_DIR ERRLOG [SKIP...]: every unit's
# configuration gets a session of its tester (motcua login).
officers_login_testers() {
  local cli=$1 units_dir=$2 d=$3 errlog=$4
  shift 4
  local skip=" $* "
  [[ -x $cli ]] || { note "no $cli: no officer logged in"; return 0; }
  find "$units_dir" -maxdepth 1 -name '*.conf' -printf '%f\n' | sed 's/\.conf$//' |
    while read -r u; do [[ $skip == *" $u "* ]] || printf '%s\n' "$u"; done |
    xargs -P 4 -I{} sh -c '"$1" -c "$2/$5.conf" login "tester.$5" --password-file "$3/tester.$5.pw" >/dev/null 2>>"$4"' \
      _ "$cli" "$units_dir" "$d" "$errlog" {} ||
    die "logging the testers in failed ($errlog)"
}
