#!/usr/bin/env bash
# End-to-end walk of the motcua CLI's workflow commands against a running
# local deployment (deploy/local.sh up DIR): commune receive -> forward ->
# district accept -> assign -> supplement-request -> commune supplement ->
# district result -> send-back -> commune return -> rate, then history; the
# refusal, withdrawal, fee and reschedule paths; refusals by the rules.
#   tests/client/cli_workflow.sh DIR [MOTCUA_BINARY]
# Exits non-zero at the first unexpected exit code or output.
set -uo pipefail

DIR=${1:?usage: $0 DIR [motcua]}
M=${2:-${MOTCUA_BIN_DIR:-build/bin}/motcua}
U=$DIR/units
fails=0

# expect RC ARGS...: run motcua, check its exit code; output in $OUT.
expect() {
  local want=$1
  shift
  OUT=$("$M" "$@" 2>&1)
  local rc=$?
  if [[ $rc != "$want" ]]; then
    printf 'FAIL (rc %s, want %s): motcua %s\n%s\n' "$rc" "$want" "$*" "$OUT" >&2
    fails=$((fails + 1))
  fi
}

# has TEXT: the last output contains TEXT.
has() {
  if [[ $OUT != *"$1"* ]]; then
    printf 'FAIL: output lacks "%s":\n%s\n' "$1" "$OUT" >&2
    fails=$((fails + 1))
  fi
}

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

X=(-c "$U/18499.conf")
D=(-c "$U/444.conf" --officer "Lãnh đạo Trung tâm")
A=(-c "$U/admin.conf")

new_dossier() { # PROCEDURE NAME -> code; hands in the required components (015)
  local -a comps=(--component 1)
  case $1 in
    1.009994) comps=(--component 1 --component 2 --component 3) ;;
    1.001193) comps=(--component 1 --component 2 --component 5) ;;
  esac
  "$M" "${X[@]}" --json receive --procedure "$1" --name "$2" --id 042190000123 "${comps[@]}" |
    json_field '["code"]'
}

# ---- the full round trip
C=$(new_dossier 1.009994 "Nguyễn Thị Hoa")
expect 0 "${X[@]}" forward "$C"
expect 0 "${D[@]}" accept "$C"; has "Đã nhận hồ sơ để xử lý $C"
expect 0 "${D[@]}" assign "$C" --to tester.444 --dept "Phòng Kinh tế và Hạ tầng"
expect 0 "${D[@]}" --json supplement-request "$C" --reason "Thiếu bản vẽ thiết kế"
[[ $(json_field '["status"]' <<<"$OUT") == 5 ]] || { echo "FAIL: status after supplement-request" >&2; fails=$((fails + 1)); }
expect 0 "${X[@]}" inbox; has "Yêu cầu bổ sung"
expect 0 "${X[@]}" supplement "$C" --note "Đã nộp bản vẽ"
expect 0 "${D[@]}" result "$C"; has "Đã xử lý xong"
expect 0 "${D[@]}" send-back "$C"
expect 0 "${X[@]}" return "$C" --to "Nguyễn Văn Nam"; has "Nguyễn Văn Nam"
expect 0 "${X[@]}" rate "$C" --level 3; has "Rất hài lòng"
expect 0 "${X[@]}" history "$C"
for step in "Tiếp nhận" "Chuyển liên thông" "Nhận hồ sơ" "Phân công" "Yêu cầu bổ sung" \
  "Bổ sung hồ sơ" "Có kết quả" "Chuyển trả kết quả" "Trả kết quả" "Đánh giá" "10 bước"; do
  has "$step"
done
expect 0 "${X[@]}" --json history "$C"
[[ $(json_field '["steps"].__len__()' <<<"$OUT") == 10 ]] || { echo "FAIL: 10 steps" >&2; fails=$((fails + 1)); }

# ---- refusals name the rule
expect 1 "${D[@]}" return "$C" --to "Ai đó"; has "receiving unit"
expect 1 "${X[@]}" --json rate "$C" --level 2; has '"detail": "rule.rate_once: the citizen'"'"'s rating is recorded once"'
expect 1 "${X[@]}" result "$C"; has "rule.after_send_back" # sent back: return and rate only
expect 1 "${X[@]}" --lang en result "$C"; has "may only return the result"
expect 1 -c "$U/18502.conf" show "$C"; has "Không tìm thấy hồ sơ"
expect 2 "${X[@]}" rate "$C" --level 4
expect 2 "${D[@]}" reschedule "$C" --to 2026-02-30 --reason x

# ---- refusal at intake, withdrawal, fees, reschedule, stop
R=$(new_dossier 1.001193 "Phạm Văn Từ")
expect 0 "${X[@]}" refuse "$R" --reason "Không đủ thành phần hồ sơ"; has "Không được tiếp nhận"
W=$(new_dossier 1.009994 "Lê Văn Rút")
expect 0 "${X[@]}" forward "$W"
expect 0 "${D[@]}" accept "$W"
expect 0 "${X[@]}" withdraw "$W" --reason "Công dân xin rút"; has "Công dân yêu cầu rút hồ sơ"
expect 0 "${D[@]}" send-back "$W"
F=$(new_dossier 1.009994 "Hoàng Thị Phí")
expect 0 "${X[@]}" forward "$F"
expect 0 "${D[@]}" accept "$F"
expect 0 "${D[@]}" fee-request "$F" --amount 150000; has "150.000 VND"
expect 0 "${X[@]}" fee-paid "$F"; has "Đang xử lý"
expect 0 "${D[@]}" --json reschedule "$F" --to 2030-01-15 --reason "Cần xác minh thực địa"
has '"due_at": "2030-01-15T17:00:00+07:00"'
expect 1 "${D[@]}" reschedule "$F" --to 2030-01-20 --reason "lần hai"; has "only once"
expect 0 "${D[@]}" stop "$F" --reason "Công dân không bổ sung"; has "Dừng xử lý"

# ---- search, list, holidays
expect 0 "${X[@]}" search "nguyen thi hoa"; has "$C"
expect 0 "${X[@]}" list --status 10; has "$C"
expect 0 "${A[@]}" holidays add 2099-12-31 --name "Ngày thử"
expect 0 "${A[@]}" --json holidays list --year 2099; has "Ngày thử"
expect 0 "${A[@]}" holidays remove 2099-12-31
expect 1 "${X[@]}" holidays add 2099-12-30 --name "x"; has "admin"

if ((fails)); then
  echo "cli_workflow: $fails failure(s)" >&2
  exit 1
fi
echo "cli_workflow: ok"
