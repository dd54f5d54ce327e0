#!/usr/bin/env bash
# A single-node Ceph (1 monitor, 1 BlueStore OSD on a sparse file, 1 radosgw)
# on 127.0.0.1, for tests and benchmarks of the archive's S3 chunk store.
# Everything lives in one directory; nothing runs after `stop`.
#
#   scripts/ceph.sh install          install the Debian packages if missing
#   scripts/ceph.sh start DIR [--owner PID]
#                                    start a cluster in DIR (created, must be
#                                    empty); with --owner, it stops itself
#                                    once process PID is gone (a test that
#                                    crashes leaves nothing running); prints,
#                                    one per line:
#                                      endpoint=http://127.0.0.1:PORT
#                                      access_key=…  secret_key=…
#                                    and writes the same to DIR/s3.env
#   scripts/ceph.sh stop DIR         stop exactly the daemons started in DIR
#
# How and why, from ../shared/scale/ceph.md: no cephadm, ceph-volume or
# systemd; one replica; a fast paxos interval (start-up ~5 s instead of
# ~16 s); beast with tcp_nodelay. Daemons run in the foreground (-f) in the
# background, so $! is each daemon's pid; `stop` kills only pids whose
# command line names DIR's ceph.conf. Their output goes to DIR/log, never to
# the caller's pipe (a `$(ceph.sh start …)` would otherwise never return).
set -euo pipefail

packages=(ceph-mon ceph-osd radosgw ceph-common)

install() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "ceph: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
}

# A loopback port nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "ceph: no free port" >&2
  return 1
}

random_key() {  # length alphabet
  local s
  # A fixed amount read whole: a pipe cut short would SIGPIPE under pipefail.
  s=$(head -c 4096 /dev/urandom | LC_ALL=C tr -dc "$2")
  echo "${s:0:$1}"
}

# Waits up to $1 tenths of a second for command "${@:2}" to succeed.
wait_for() {
  local tenths=$1
  shift
  for _ in $(seq 1 "$tenths"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

fail() {
  echo "ceph: $*" >&2
  for f in "$dir"/log/*.log "$dir"/log/*.out; do
    [ -s "$f" ] || continue
    echo "--- $f (last lines)" >&2
    tail -n 15 "$f" >&2
  done
  stop
  exit 1
}

start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ -n "$(ls -A "$dir")" ]; then
    echo "ceph: $dir is not empty" >&2
    exit 2
  fi
  mkdir -p "$dir/log" "$dir/run" "$dir/mon/a" "$dir/osd/0" "$dir/rgw"
  local conf="$dir/ceph.conf"
  local fsid mon2 mon1 rgw
  fsid=$(cat /proc/sys/kernel/random/uuid)
  mon2=$(free_port)
  mon1=$(free_port)
  rgw=$(free_port)
  while [ "$mon1" = "$mon2" ]; do mon1=$(free_port); done
  while [ "$rgw" = "$mon1" ] || [ "$rgw" = "$mon2" ]; do rgw=$(free_port); done
  cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon2,v1:127.0.0.1:$mon1]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
paxos propose interval = 0.05
mon warn on pool no redundancy = false
[mon]
mon data = $dir/mon/\$id
[osd]
osd data = $dir/osd/\$id
keyring = $dir/osd/\$id/keyring
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 10737418240
bluestore fsck on mkfs = false
bluestore fsck on mount = false
osd memory target = 1073741824
[client]
keyring = $dir/admin.keyring
[client.rgw.a]
keyring = $dir/rgw.keyring
rgw data = $dir/rgw
rgw frontends = beast endpoint=127.0.0.1:$rgw tcp_nodelay=1
CONF
  : >"$dir/pids"
  local log="$dir/log"

  # Monitor.
  ceph-authtool --create-keyring "$dir/mon.keyring" --gen-key -n mon. \
    --cap mon 'allow *' >"$log/setup.out" 2>&1
  ceph-authtool --create-keyring "$dir/admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >>"$log/setup.out" 2>&1
  ceph-authtool "$dir/mon.keyring" --import-keyring "$dir/admin.keyring" \
    >>"$log/setup.out" 2>&1
  monmaptool --create --fsid "$fsid" \
    --addv a "[v2:127.0.0.1:$mon2,v1:127.0.0.1:$mon1]" "$dir/monmap" \
    >>"$log/setup.out" 2>&1
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" \
    --keyring "$dir/mon.keyring" >>"$log/setup.out" 2>&1 || fail "ceph-mon --mkfs failed"
  ceph-mon -c "$conf" -i a -f </dev/null >"$log/mon.out" 2>&1 &
  echo $! >>"$dir/pids"

  # OSD on a sparse file.
  local uuid secret id
  uuid=$(cat /proc/sys/kernel/random/uuid)
  secret=$(ceph-authtool --gen-print-key)
  id=$(echo "{\"cephx_secret\": \"$secret\"}" |
    timeout 30 ceph -c "$conf" osd new "$uuid" -i - 2>>"$log/setup.out") ||
    fail "the monitor did not answer"
  [ "$id" = 0 ] || fail "unexpected osd id $id"
  ceph-authtool --create-keyring "$dir/osd/0/keyring" --name osd.0 \
    --add-key "$secret" >>"$log/setup.out" 2>&1
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$uuid" >>"$log/setup.out" 2>&1 ||
    fail "ceph-osd --mkfs failed"
  ceph-osd -c "$conf" -i 0 -f </dev/null >"$log/osd.out" 2>&1 &
  echo $! >>"$dir/pids"

  timeout 30 ceph -c "$conf" auth get-or-create client.rgw.a mon 'allow rw' \
    osd 'allow rwx' -o "$dir/rgw.keyring" >>"$log/setup.out" 2>&1 ||
    fail "cannot create the radosgw key"
  osd_up() {
    timeout 10 ceph -c "$conf" osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1'
  }
  wait_for 600 osd_up || fail "the OSD did not come up"

  radosgw -c "$conf" -n client.rgw.a -f </dev/null >"$log/rgw.out" 2>&1 &
  echo $! >>"$dir/pids"
  rgw_up() {
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$rgw/")" = 200 ]
  }
  wait_for 600 rgw_up || fail "radosgw did not answer on port $rgw"

  local ak sk
  ak=$(random_key 20 'A-Z0-9')
  sk=$(random_key 40 'A-Za-z0-9')
  timeout 30 radosgw-admin -c "$conf" -n client.admin user create --uid=junheng \
    --display-name=junheng --access-key="$ak" --secret-key="$sk" \
    >>"$log/setup.out" 2>&1 || fail "cannot create the S3 user"
  umask 077
  cat >"$dir/s3.env" <<ENV
endpoint=http://127.0.0.1:$rgw
access_key=$ak
secret_key=$sk
ENV
  if [ -n "$owner" ]; then
    # A watchdog, detached from the caller's pipes: stops the cluster once
    # its owner is gone, however the owner ended.
    (
      while kill -0 "$owner" 2>/dev/null && [ -s "$dir/pids" ]; do sleep 1; done
      stop
    ) </dev/null >"$log/watchdog.out" 2>&1 &
    disown
  fi
  cat "$dir/s3.env"
}

stop() {
  [ -f "$dir/pids" ] || return 0
  local pids=()
  while read -r pid; do
    [ -n "$pid" ] || continue
    # Only a daemon of this cluster: its command line names our ceph.conf.
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/ceph.conf"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done <"$dir/pids"
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  : >"$dir/pids"
}

case "${1:-}" in
  install) install ;;
  start)
    dir="${2:?usage: ceph.sh start DIR [--owner PID]}"
    owner=""
    [ "${3:-}" = "--owner" ] && owner="${4:?--owner takes a pid}"
    install
    start ;;
  stop)
    dir="${2:?usage: ceph.sh stop DIR}"
    dir=$(cd "$dir" && pwd)
    stop ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
