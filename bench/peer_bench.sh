#!/usr/bin/env bash
# The archive against what a user would otherwise run, side by side in one
# run on loopback, one file of fresh random bytes per repetition (so chunk
# deduplication cannot help):
#
#   RocksDB back end  `junheng archive put` (durable, verified) against
#                     nginx WebDAV PUT + fsync + sha256sum of the stored file;
#                     `junheng archive get` (SHA-256 verified end to end)
#                     against nginx's unverified GET
#   S3 back end       the same CLI commands with junheng-archive on a
#                     single-node Ceph (--chunk_store=s3) against the same
#                     bytes PUT/GET straight to the same radosgw with curl
#
# Downloads of both sides go to /dev/shm (when present) so that neither
# pays for a disk write the other does not. Before every timed operation
# the machine is let go quiet (the previous upload's RocksDB flush, RGW's
# bookkeeping, the kernel's writeback), and the two sides of a pair take
# turns going first, so that neither is timed against the other's leftover
# work. Each download is timed right after an untimed one of the same
# bytes by the same side, so both read warm: this machine's kernel reclaims
# idle page cache within seconds (kdamond), and a cold read measures the
# disk, not the server. Server peak RSS (VmHWM) is
# printed for each junheng-archive, and for every row the CPU the whole
# machine spent per MiB on each side (from /proc/stat around the timed
# step), with the CPU budget the S3 targets leave. Everything started is
# stopped at exit.
#
#   bench/peer_bench.sh [--size MiB] [--reps N] [--no-s3]
# Needs build/bin/{junheng-archive,junheng}; installs nginx-core (and the
# Ceph packages, scripts/ceph.sh) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin="$root/build/bin"

size_mib=256
reps=3
s3=1
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size_mib="$2"; shift ;;
    --reps) reps="$2"; shift ;;
    --no-s3) s3=0 ;;
    *) sed -n '2,22p' "$0"; exit 2 ;;
  esac
  shift
done

if ! dpkg-query -W -f='${Status}' nginx-core 2>/dev/null | grep -q "install ok installed"; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nginx-core
fi
[ "$s3" = 1 ] && scripts/ceph.sh install

work=$(mktemp -d "${TMPDIR:-/tmp}/junheng-peer-bench.XXXXXX")
out="$work/out"
[ -d /dev/shm ] && out=$(mktemp -d /dev/shm/junheng-peer-bench.XXXXXX)
mkdir -p "$out"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -f "$work/ceph/pids" ] && scripts/ceph.sh stop "$work/ceph" || true
  rm -rf "$work" "$out"
}
trap cleanup EXIT

free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  return 1
}
now() { date +%s.%N; }
rate() { awk -v b="$1" -v t0="$2" -v t1="$3" 'BEGIN { printf "%.0f", b / 1e6 / (t1 - t0) }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# Busy and total jiffies of all cores so far (idle and iowait are not busy).
jiffies() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

# nginx with WebDAV PUT, one worker, loopback only, in the foreground so
# that $! is its pid.
nginx_port=$(free_port)
mkdir -p "$work/nginx/root" "$work/nginx/tmp" "$work/nginx/logs"
# As root, nginx would run its worker as nobody, who may not write here.
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root;"
cat >"$work/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx/tmp;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/nginx/root;
    dav_methods PUT;
    create_full_put_path on;
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)

start_archive() {  # name data_dir [flags…] → sets $addr and $archive_pid
  local name=$1 data=$2
  shift 2
  "$bin/junheng-archive" --listen 127.0.0.1:0 --data_dir "$data" --insecure_no_auth \
    "$@" >"$work/$name.out" 2>"$work/$name.err" &
  archive_pid=$!
  pids+=("$archive_pid")
  addr=""
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/.* listening on //p' "$work/$name.out" | head -1)
    [ -n "$addr" ] && return 0
    sleep 0.1
  done
  cat "$work/$name.err" >&2
  return 1
}
peak_rss() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

start_archive rocks "$work/rocks" ${JUNHENG_BENCH_FLAGS:-}
rocks_addr=$addr rocks_pid=$archive_pid
if [ "$s3" = 1 ]; then
  scripts/ceph.sh start "$work/ceph" --owner $$ >"$work/s3.env"
  . "$work/s3.env"
  printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$access_key" "$secret_key" >"$work/credentials"
  chmod 600 "$work/credentials"
  start_archive s3 "$work/s3" --chunk_store=s3 --s3_endpoint="$endpoint" \
    --s3_bucket=junheng-bench --s3_credentials_file="$work/credentials" \
    ${JUNHENG_BENCH_S3_FLAGS:-}
  s3_addr=$addr s3_pid=$archive_pid
  # The peer's own bucket on the same radosgw.
  curl -sf --aws-sigv4 aws:amz:us-east-1:s3 -u "$access_key:$secret_key" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X PUT "$endpoint/peer" >/dev/null
fi
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" && break
  sleep 0.1
done

# Waits (at most 10 s) until the CPUs are at least 90% idle over 200 ms.
quiet() {
  local i idle0 total0 idle1 total1
  for i in $(seq 1 50); do
    read -r idle0 total0 < <(awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t }' /proc/stat)
    sleep 0.2
    read -r idle1 total1 < <(awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t }' /proc/stat)
    [ $(( (idle1 - idle0) * 10 )) -ge $(( (total1 - total0) * 9 )) ] && return 0
  done
}

bytes=$((size_mib << 20))
put() {  # addr file id
  JUNHENG_ARCHIVE_ADDR=$1 "$bin/junheng" archive put "$2" --county 330106 \
    --school 2133010601 --evidence "$3" --indicator R4 --year 2025 \
    --title bench >/dev/null
}
get() {  # addr id dest
  rm -f "$3"
  JUNHENG_ARCHIVE_ADDR=$1 "$bin/junheng" archive get \
    "counties/330106/schools/2133010601/evidence/$2" -o "$3" >/dev/null
}
s3curl() { curl -sf --aws-sigv4 aws:amz:us-east-1:s3 -u "$access_key:$secret_key" \
  -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"; }

# One step of each side, for repetition $i of file $f.
dav_put() {
  curl -sf -T "$f" "http://127.0.0.1:$nginx_port/file-$i" >/dev/null
  sync "$work/nginx/root/file-$i"
  sha256sum "$work/nginx/root/file-$i" >/dev/null
}
dav_get() { curl -sf -o "$out/dav-$i" "http://127.0.0.1:$nginx_port/file-$i"; }
a_put() { put "$rocks_addr" "$f" "bench-$i"; }
a_get() { get "$rocks_addr" "bench-$i" "$out/a-$i"; }
s3_put() { s3curl -T "$f" "$endpoint/peer/file-$i" >/dev/null; }
s3_get() { s3curl -o "$out/s3-$i" "$endpoint/peer/file-$i"; }
as3_put() { put "$s3_addr" "$f" "bench-$i"; }
as3_get() { get "$s3_addr" "bench-$i" "$out/as3-$i"; }

# Times `$@` into r[key] once the machine is quiet; with warm=1 it first
# runs once untimed, so that it reads warm.
timed() {  # key warm command…
  local key=$1 warm=$2 t0 t1
  shift 2
  quiet
  [ "$warm" = 1 ] && "$@"
  local busy0 total0 busy1 total1
  read -r busy0 total0 < <(jiffies)
  t0=$(now); "$@"; t1=$(now)
  read -r busy1 total1 < <(jiffies)
  r[$key]+="$(rate "$bytes" "$t0" "$t1") "
  # What the whole machine spent on it: CPU milliseconds per MiB moved, and
  # how busy the cores were (100: every core, all the time).
  cpu[$key]+="$(awk -v b=$((busy1 - busy0)) -v m="$size_mib" 'BEGIN { printf "%.2f", b * 10 / m }') "
  busy[$key]+="$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) 'BEGIN { printf "%.0f", (t > 0 ? 100 * b / t : 0) }') "
}
# The peer's and the archive's step, in this repetition's order.
pair() {  # warm peer_key peer_step ours_key ours_step
  local side
  for side in "${order[@]}"; do
    if [ "$side" = peer ]; then timed "$2" "$1" "$3"; else timed "$4" "$1" "$5"; fi
  done
}

declare -A r cpu busy
for key in dav_put dav_get a_put a_get s3_put s3_get as3_put as3_get; do
  r[$key]=""; cpu[$key]=""; busy[$key]=""
done
echo "$(date -u '+%F %T') UTC, ${size_mib} MiB per file, $reps repetitions, load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$reps"); do
  f="$work/file-$i"
  head -c "$bytes" /dev/urandom >"$f"   # fresh bytes every repetition
  sync "$f"

  # Odd repetitions time the peer first, even ones the archive.
  order=(peer ours); [ $((i % 2)) -eq 0 ] && order=(ours peer)

  pair 0 dav_put dav_put a_put a_put
  pair 1 dav_get dav_get a_get a_get
  cmp -s "$f" "$out/a-$i" || { echo "bench: archive returned other bytes" >&2; exit 1; }
  rm -f "$out/dav-$i" "$out/a-$i" "$work/nginx/root/file-$i"
  if [ "$s3" = 1 ]; then
    pair 0 s3_put s3_put as3_put as3_put
    pair 1 s3_get s3_get as3_get as3_get
    cmp -s "$f" "$out/as3-$i" || { echo "bench: archive (s3) returned other bytes" >&2; exit 1; }
    rm -f "$out/s3-$i" "$out/as3-$i"
  fi
  rm -f "$f"
done

row() {  # label ours peer target
  local a p
  a=$(echo "${r[$2]}" | median)
  p=$(echo "${r[$3]}" | median)
  awk -v l="$1" -v a="$a" -v p="$p" -v t="$4" -v ar="${r[$2]}" -v pr="${r[$3]}" 'BEGIN {
    printf "%-34s %6d MB/s  %6d MB/s  %5.2fx  (target >= %sx)  runs: [%s] vs [%s]\n",
      l, a, p, a / p, t, ar, pr }'
}
echo "medians of $reps; ours, peer, ratio"
row "upload vs WebDAV PUT+fsync+sha256" a_put dav_put 1.5
row "download (verified) vs nginx GET" a_get dav_get 0.8
if [ "$s3" = 1 ]; then
  row "S3 upload vs curl PUT to RGW" as3_put s3_put 0.9
  row "S3 download vs curl GET from RGW" as3_get s3_get 0.9
fi
# The CPU each side cost the whole machine (every process: Ceph, the
# archive, the CLI, curl, nginx) per MiB, and for the S3 rows the budget
# the target leaves: at target × the peer's rate, two cores give
# 2000 / (target × peer MiB/s) CPU ms a MiB; the peer's own path (RGW's work
# and curl) takes p of it, and what is left must pay for everything the
# archive adds, of which hashing alone is an upload's two SHA-256 passes
# (the CLI's file digest, the archive's chunk digests, which are the
# chunks' names) and a verified download's one, at the speed measured here.
sha_mbs=$(openssl speed -evp sha256 -bytes 1048576 -seconds 1 2>/dev/null |
  awk '/^sha256/ { sub(/k$/, "", $NF); print $NF / 1000 }')
cores=$(nproc)
cpu_row() {  # label ours peer hashes target
  awk -v l="$1" -v a="$(echo "${cpu[$2]}" | median)" -v p="$(echo "${cpu[$3]}" | median)" \
      -v ab="$(echo "${busy[$2]}" | median)" -v pb="$(echo "${busy[$3]}" | median)" \
      -v rate="$(echo "${r[$3]}" | median)" -v h="$4" -v target="$5" \
      -v s="${sha_mbs:-0}" -v cores="$cores" 'BEGIN {
    printf "%-34s %6.2f  %6.2f CPU ms/MiB  busy %3d%% / %3d%%", l, a, p, ab, pb
    if (h > 0 && s > 0 && rate > 0) {
      budget = cores * 1000 / (target * rate / 1.048576)
      printf "  at %sx: %.2f ms/MiB, %.2f left after the peer path, hashing alone %.2f",
        target, budget, budget - p, h * 1048.576 / s
    }
    printf "\n" }'
}
echo "CPU of the whole machine per MiB, ours / peer, and how busy the $cores cores were (SHA-256: ${sha_mbs:-?} MB/s a core)"
cpu_row "upload vs WebDAV PUT+fsync+sha256" a_put dav_put 0 1.5
cpu_row "download (verified) vs nginx GET" a_get dav_get 0 0.8
if [ "$s3" = 1 ]; then
  cpu_row "S3 upload vs curl PUT to RGW" as3_put s3_put 2 0.9
  cpu_row "S3 download vs curl GET from RGW" as3_get s3_get 1 0.9
fi
echo "server peak RSS: rocksdb $(peak_rss "$rocks_pid") MiB$([ "$s3" = 1 ] && echo ", s3 $(peak_rss "$s3_pid") MiB")"
