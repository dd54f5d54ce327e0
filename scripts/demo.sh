#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the Junheng services
# on loopback with their data under ./var/, walks a short real scenario with
# the CLI, and keeps the services up until Ctrl-C.
#   scripts/demo.sh [--no-wait]    (--no-wait: stop after the scenario)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

wait_for_ctrl_c=1
[ "${1:-}" = "--no-wait" ] && wait_for_ctrl_c=0

scripts/setup.sh
scripts/build.sh junheng-archive junheng

bin="$root/build/bin"
var="$root/var"
mkdir -p "$var/archive" "$var/files"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# Start the archive on 127.0.0.1:50051 if that port is free, else any port.
pids=()
stop_services() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_services EXIT

start() {  # name port data_dir log
  local name=$1 port=$2 data=$3 log=$4 addr
  "$bin/$name" --listen "127.0.0.1:$port" --data_dir "$data" >"$log.out" 2>"$log.err" &
  pids+=($!)
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/.* listening on //p' "$log.out" 2>/dev/null | head -1)
    [ -n "$addr" ] && { echo "$addr"; return 0; }
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      [ "$port" != 0 ] && { start "$name" 0 "$data" "$log"; return; }
      cat "$log.err" >&2; return 1
    fi
    sleep 0.1
  done
  echo "$name did not start" >&2; return 1
}

say "Starting junheng-archive (data in var/archive)"
archive_addr=$(start junheng-archive 50051 "$var/archive" "$var/archive")
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
say "A school uploads its evidence"
run "$bin/junheng" archive put "$ledger" $school --evidence r4-floor-area \
  --indicator R4 --year 2025 --title "生均教学及辅助用房面积台账"
run "$bin/junheng" archive put "$var/files/charter-scan.pdf" $school \
  --evidence q3-charter --indicator Q3 --year 2025 --title "学校章程（扫描件）"
run "$bin/junheng" archive put "$var/files/music-room.jpg" $school \
  --evidence g3-music-room --indicator G3 --year 2025 --title "音乐专用教室照片"

say "The ledger is corrected: a second version"
printf '综合楼,美术教室,96\n' >>"$ledger"
run "$bin/junheng" archive put "$ledger" $school --evidence r4-floor-area

say "An inspector lists the school's evidence, and the R4 evidence county-wide"
run "$bin/junheng" archive ls $school
run "$bin/junheng" archive ls --county 330106 --indicator R4

name=counties/330106/schools/2133010601/evidence/r4-floor-area
say "Every version stays; download the first one and check it"
run "$bin/junheng" archive versions "$name"
rm -f "$var/files/ledger-v1.csv"
run "$bin/junheng" archive get "$name" --version 1 -o "$var/files/ledger-v1.csv"
echo "sha256sum of the downloaded file:"
sha256sum "$var/files/ledger-v1.csv"

say "Deleting is soft: versions stay readable, and it can be undone"
run "$bin/junheng" archive rm counties/330106/schools/2133010601/evidence/g3-music-room
run "$bin/junheng" archive undelete counties/330106/schools/2133010601/evidence/g3-music-room

say "Done"
cat <<TXT
The archive keeps running at $archive_addr (data in var/archive). Try:
  export JUNHENG_ARCHIVE_ADDR=$archive_addr
  build/bin/junheng archive ls --county 330106
  build/bin/junheng archive info $name
  build/bin/junheng archive get $name -o /tmp/ledger.csv
  build/bin/junheng archive ls --format json
  build/bin/junheng help
TXT

if [ "$wait_for_ctrl_c" = 1 ]; then
  echo "Press Ctrl-C to stop the services."
  trap 'echo; echo "stopping…"; stop_services; exit 0' INT TERM
  wait
fi
