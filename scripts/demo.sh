#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts both Junheng services
# on loopback with their data under ./var/ (a fresh var/ each run), walks a
# real scenario with the CLI (evidence uploads and versions, an example
# county's import, judgements, evaluation with evidence status, and its
# rectification plan adopted as tracked items), starts the web console and
# REST API (junheng-web) and prints its address, and keeps everything up
# until Ctrl-C.
#   scripts/demo.sh [--no-wait]    (--no-wait: stop after the scenario)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

wait_for_ctrl_c=1
[ "${1:-}" = "--no-wait" ] && wait_for_ctrl_c=0

scripts/setup.sh
scripts/build.sh junheng-archive junheng-checklist junheng junheng-web
scripts/console.sh  # the web console: npm ci from the lock file, vite build

bin="$root/build/bin"
var="$root/var"
# Each run starts from empty data, so what it prints is what it did.
rm -rf "$var"
mkdir -p "$var/archive" "$var/checklist" "$var/files"
umask 077  # tokens and the principals file are for this user only

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# Start the archive on 127.0.0.1:50051 if that port is free, else any port.
pids=()
stop_services() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_services EXIT

# Sets $addr to the address the service bound. Not run in a subshell, so
# that $pids reaches stop_services.
start() {  # name port data_dir log [flags…]
  local name=$1 port=$2 data=$3 log=$4
  shift 4
  addr=""
  "$bin/$name" --listen "127.0.0.1:$port" --data_dir "$data" "$@" >"$log.out" 2>"$log.err" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/.* listening on //p' "$log.out" 2>/dev/null | head -1)
    [ -n "$addr" ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      if [ "$port" != 0 ]; then
        echo "(port $port is taken; $name takes a free one)"
        start "$name" 0 "$data" "$log" "$@"
        return
      fi
      cat "$log.err" >&2; return 1
    fi
    sleep 0.1
  done
  echo "$name did not start" >&2; return 1
}

say "Tokens: an administrator creates one per principal (stored only as hashes)"
principals="$var/principals.textproto"
token() {  # role scope name file
  local scope=()
  [ -n "$2" ] && scope=(--scope "$2")
  "$bin/junheng" admin token create --principals "$principals" --role "$1" \
    "${scope[@]}" --name "$3" >"$var/$4.token"
}
token admin "" operator admin
token service "" junheng-checklist checklist-service
token school counties/330106/schools/2133010601 "实验小学" school
token county counties/330106 "钱塘示范县教育局" county
token inspector provinces/33 "省督导组" inspector
token province provinces/33 "省教育厅" province
run "$bin/junheng" admin token list --principals "$principals"

say "Starting junheng-archive (data in var/archive)"
start junheng-archive 50051 "$var/archive" "$var/archive" \
  --principals "$principals"
archive_addr=$addr
echo "junheng-archive listening on $archive_addr"
export JUNHENG_ARCHIVE_ADDR=$archive_addr
export USER=${USER:-$(id -un)}

# Evidence a school would upload: a floor-area ledger (CSV), a scanned
# charter, and a photo of a music room.
ledger="$var/files/r4-floor-area-ledger.csv"
cat >"$ledger" <<'CSV'
building,use,floor_area_m2
教学楼A,普通教室,2860
教学楼A,实验室,640
综合楼,图书室,420
综合楼,音乐教室,192
CSV
head -c 2500000 /dev/urandom >"$var/files/charter-scan.pdf"
head -c 800000 /dev/urandom >"$var/files/music-room.jpg"

school="--county 330106 --school 2133010601"
say "A school uploads its evidence (with its own token)"
export JUNHENG_TOKEN=$(cat "$var/school.token")
run "$bin/junheng" archive put "$ledger" $school --evidence r4-floor-area \
  --indicator R4 --year 2025 --title "生均教学及辅助用房面积台账"
run "$bin/junheng" archive put "$var/files/charter-scan.pdf" $school \
  --evidence q3-charter --indicator Q3 --year 2025 --title "学校章程（扫描件）"
run "$bin/junheng" archive put "$var/files/music-room.jpg" $school \
  --evidence g3-music-room --indicator G3 --year 2025 --title "音乐专用教室照片"

say "The ledger is corrected: a second version"
printf '综合楼,美术教室,96\n' >>"$ledger"
run "$bin/junheng" archive put "$ledger" $school --evidence r4-floor-area

say "The school may not write into another school's folder"
run "$bin/junheng" archive put "$ledger" --county 330106 --school 2133010602 \
  --evidence r4-floor-area --indicator R4 --year 2025 --title x || true

say "An inspector lists the school's evidence, and the R4 evidence county-wide"
export JUNHENG_TOKEN=$(cat "$var/inspector.token")
run "$bin/junheng" archive ls $school
run "$bin/junheng" archive ls --county 330106 --indicator R4

name=counties/330106/schools/2133010601/evidence/r4-floor-area
say "Every version stays; download the first one and check it"
run "$bin/junheng" archive versions "$name"
rm -f "$var/files/ledger-v1.csv"
run "$bin/junheng" archive get "$name" --version 1 -o "$var/files/ledger-v1.csv"
echo "sha256sum of the downloaded file:"
sha256sum "$var/files/ledger-v1.csv"

say "Deleting is soft: versions stay readable, and it can be undone (the county bureau)"
export JUNHENG_TOKEN=$(cat "$var/county.token")
run "$bin/junheng" archive rm counties/330106/schools/2133010601/evidence/g3-music-room
run "$bin/junheng" archive undelete counties/330106/schools/2133010601/evidence/g3-music-room

say "Starting junheng-checklist (data in var/checklist), which asks the archive for evidence"
start junheng-checklist 50052 "$var/checklist" "$var/checklist" \
  --principals "$principals" --archive_addr "$archive_addr" \
  --archive_token_file "$var/checklist-service.token"
checklist_addr=$addr
echo "junheng-checklist listening on $checklist_addr"
export JUNHENG_CHECKLIST_ADDR=$checklist_addr

example="$root/examples/county-330106"
say "The county imports its statistics (examples/county-330106: 40 schools)"
run "$bin/junheng" checklist import schools "$example/schools.csv"
run "$bin/junheng" checklist import counties "$example/counties.csv"

say "Inspectors record their judgements of the qualitative indicators and veto items"
county_token=$(cat "$var/county.token")
export JUNHENG_TOKEN=$(cat "$var/inspector.token")
while IFS=$'\t' read -r code verdict comment evidence; do
  [ -z "$code" ] && continue
  args=(checklist judge --county 330106 --year 2025 --code "$code" --comment "$comment")
  [ "$verdict" = pass ] && args+=(--pass) || args+=(--fail)
  for e in $evidence; do
    args+=(--evidence "$e")
    # The document the judgement rests on goes into the archive.
    id=${e##*/}
    printf '%s\n' "$comment" >"$var/files/$id.txt"
    "$bin/junheng" archive put "$var/files/$id.txt" --county 330106 --evidence "$id" \
      --indicator "$code" --year 2025 --title "$code 佐证材料" \
      --token "$county_token" >/dev/null
  done
  "$bin/junheng" "${args[@]}"
done <"$example/judgements.txt"

say "Schools upload their resource ledgers (two schools have not yet)"
n=0
for school in $(cut -d, -f2 "$example/schools.csv" | tail -n +2); do
  n=$((n + 1))
  case $school in 2133010607|2133010622) continue ;; esac
  printf 'school,%s\n' "$school" >"$var/files/ledger-$school.csv"
  "$bin/junheng" archive put "$var/files/ledger-$school.csv" --county 330106 \
    --school "$school" --evidence resource-ledger --indicator R1 --indicator R2 \
    --indicator R3 --indicator R4 --indicator R5 --indicator R6 --indicator R7 \
    --year 2025 --title "资源配置指标台账" --token "$county_token" >/dev/null
done
echo "uploaded resource ledgers for $((n - 2)) of $n schools"

say "Does the county pass? (what an inspection team reads)"
run "$bin/junheng" checklist evaluate --county 330106 --year 2025

say "The same report as Excel tables and as a printable A4 page (var/)"
run "$bin/junheng" checklist evaluate --county 330106 --year 2025 --format xlsx \
  -o "$var/county-330106-report.xlsx"
run "$bin/junheng" checklist evaluate --county 330106 --year 2025 --format html \
  -o "$var/county-330106-report.html"
run "$bin/junheng" checklist template --format xlsx -o "$var/import-template.xlsx"
echo "open var/county-330106-report.html in a browser and print it (A4), or"
echo "open var/county-330106-report.xlsx and var/import-template.xlsx in a spreadsheet"

say "One failing school in detail"
run "$bin/junheng" checklist school --county 330106 --year 2025 --school 2133010626

say "Rectification (整改): the cheapest plan that makes the resource part pass"
export JUNHENG_TOKEN="$county_token"
run "$bin/junheng" checklist plan --county 330106 --year 2025
run "$bin/junheng" checklist plan --county 330106 --year 2025 --format json \
  -o "$var/plan-330106.json"
say "What-if: the county with the plan applied, nothing stored"
run "$bin/junheng" checklist whatif --county 330106 --year 2025 \
  --plan "$var/plan-330106.json"
say "The plan as tracked items, each verified by the checklist itself"
run "$bin/junheng" checklist items adopt --county 330106 --year 2025 \
  --plan "$var/plan-330106.json" --owner 县教育局装备科 \
  --deadline "$(date -d '+90 days' +%Y-%m-%d)" --request_id demo-plan
run "$bin/junheng" checklist items list --county 330106 --year 2025

say "The audit logs: every change and every download, as hash chains"
export JUNHENG_TOKEN=$(cat "$var/admin.token")
run "$bin/junheng" audit log archive --resource counties/330106/schools/2133010601
run "$bin/junheng" audit verify archive --no_content
run "$bin/junheng" audit verify checklist
run "$bin/junheng" audit verify --principals "$principals"
echo "Publish the heads; later anyone can check no earlier entry changed:"
run "$bin/junheng" audit head archive
run "$bin/junheng" audit head checklist

say "Starting junheng-web: the web console and the REST API, as each user's own token"
web_port=8080
web_log="$var/web"
start_web() {
  "$bin/junheng-web" --listen "127.0.0.1:$web_port" --checklist_addr "$checklist_addr" \
    --archive_addr "$archive_addr" --console_dir "$root/clients/web/console/dist" \
    >"$web_log.out" 2>"$web_log.err" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do
    web_addr=$(sed -n 's/.* listening on //p' "$web_log.out" 2>/dev/null | head -1)
    [ -n "$web_addr" ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      if [ "$web_port" != 0 ]; then
        echo "(port $web_port is taken; junheng-web takes a free one)"
        web_port=0
        start_web
        return
      fi
      cat "$web_log.err" >&2; return 1
    fi
    sleep 0.1
  done
  echo "junheng-web did not start" >&2; return 1
}
start_web
echo "junheng-web listening on $web_addr"

say "The REST API: the same calls over HTTP/JSON (curl here; Python requests works the same)"
inspector_token=$(cat "$var/inspector.token")
printf '$ curl -H "Authorization: Bearer $(cat var/inspector.token)" "http://%s/v1/counties/330106/years/2025:evaluate?view=SUMMARY"\n' "$web_addr"
curl -s -H "Authorization: Bearer $inspector_token" \
  "http://$web_addr/v1/counties/330106/years/2025:evaluate?view=SUMMARY" |
  python3 -c 'import json,sys; e=json.load(sys.stdin); print(json.dumps({k: e[k] for k in ("name","countyName","outcome","standard","revision")}, ensure_ascii=False, indent=2)); print("failing items:", len(e["failingItems"]))'
printf '$ curl -H "Authorization: Bearer …" http://%s/v1/me\n' "$web_addr"
curl -s -H "Authorization: Bearer $inspector_token" "http://$web_addr/v1/me"; echo
echo "The API's OpenAPI document: http://$web_addr/v1/openapi.json"

say "Done"
cat <<TXT
Web console: http://$web_addr/
  Log in by pasting a token: var/school.token (实验小学), var/county.token (县教育局),
  var/inspector.token (省督导组), var/province.token (省教育厅).

The services keep running (data in var/; tokens in var/*.token). Try:
  export JUNHENG_ARCHIVE_ADDR=$archive_addr JUNHENG_CHECKLIST_ADDR=$checklist_addr
  export JUNHENG_TOKEN=\$(cat var/inspector.token)
  build/bin/junheng checklist evaluate --county 330106 --year 2025 --format markdown
  build/bin/junheng checklist evaluate --county 330106 --year 2025 --format json
  build/bin/junheng checklist evaluate --county 330106 --year 2025 --standard moe-2012-basic
  build/bin/junheng checklist evaluate --county 330106 --year 2025 --as_of 2
  build/bin/junheng checklist standards moe-2017-quality
  build/bin/junheng checklist province --province 33 --year 2025
  JUNHENG_TOKEN=\$(cat var/county.token) build/bin/junheng checklist plan --county 330106 --year 2025 --every_indicator
  JUNHENG_TOKEN=\$(cat var/county.token) build/bin/junheng checklist items update 1 --county 330106 --year 2025 --status in_progress
  build/bin/junheng archive ls --county 330106 --indicator R4
  build/bin/junheng archive get $name -o /tmp/ledger.csv
  JUNHENG_TOKEN=\$(cat var/admin.token) build/bin/junheng audit verify archive
  build/bin/junheng admin token list --principals var/principals.textproto
  build/bin/junheng help
TXT

if [ "$wait_for_ctrl_c" = 1 ]; then
  echo "Press Ctrl-C to stop the services."
  trap 'echo; echo "stopping…"; stop_services; exit 0' INT TERM
  wait
fi
