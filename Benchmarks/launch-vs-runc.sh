#!/usr/bin/env bash
# Launch latency of /bin/true from a busybox rootfs: runc and Corral, same rootfs,
# same machine, one run. Per-launch time includes rootfs setup and teardown.
# Prints both and, as the LAST line, the ratio corral/runc of the medians.
#
# Both keep their per-container state on tmpfs (runc --root, corral --root under
# /dev/shm); both read the same busybox rootfs from /tmp. Optional FAVOR_DYNMODS=1
# remounts the cgroup2 hierarchy with `favordynmods` for the run (both benefit: it
# spares every cgroup.procs write an RCU grace period) and restores it afterwards.
#
# Usage: Benchmarks/launch-vs-runc.sh [COUNT]   (root required; default COUNT=100)
set -euo pipefail
COUNT=${1:-${COUNT:-100}}
cd "$(dirname "$0")/.."

if ! command -v runc >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc
fi
if [ ! -x /bin/busybox ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static
fi

WORK=$(mktemp -d /tmp/corral-bench.XXXXXX)
STATE=$(mktemp -d /dev/shm/corral-bench.XXXXXX)
RUNC="runc --root $STATE/runc"
# Sets (1) or clears (0) favordynmods on the cgroup2 mount with a plain mount(2) remount.
favor_dynmods() {
  python3 -c 'import ctypes, sys
libc = ctypes.CDLL("libc.so.6", use_errno=True)
opts = b"favordynmods" if sys.argv[1] == "1" else b""
sys.exit(0 if libc.mount(b"cgroup2", b"/sys/fs/cgroup/unified", b"cgroup2", 32, opts) == 0 else 1)' "$1"
}
FAVOR_WAS=0
grep -q ' /sys/fs/cgroup/unified .*favordynmods' /proc/mounts && FAVOR_WAS=1
cleanup() {
  for id in $($RUNC list -q 2>/dev/null | grep '^corral-bench-' || true); do $RUNC delete -f "$id" >/dev/null 2>&1 || true; done
  rm -rf "$WORK" "$STATE"
  if [ "${FAVOR_DYNMODS:-0}" = 1 ] && [ "$FAVOR_WAS" = 0 ]; then favor_dynmods 0 || true; fi
}
trap cleanup EXIT
if [ "${FAVOR_DYNMODS:-0}" = 1 ]; then favor_dynmods 1; fi
echo "cgroup2 favordynmods: $(grep -q ' /sys/fs/cgroup/unified .*favordynmods' /proc/mounts && echo on || echo off)"

# A busybox rootfs: the static binary and one link per applet.
ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS"/{bin,proc,dev,sys,tmp,etc,root}
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$ROOTFS/bin/$applet"
done

# An OCI bundle of the same rootfs for runc.
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE"
(cd "$BUNDLE" && runc spec)
python3 - "$BUNDLE/config.json" "$ROOTFS" <<'PY'
import json, sys
path, rootfs = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
spec["process"]["args"] = ["/bin/true"]
spec["process"]["terminal"] = False
spec["root"] = {"path": rootfs, "readonly": False}
json.dump(spec, open(path, "w"), indent=2)
PY

# Prints "median p95 mean" (ms) of the numbers (ms) on stdin.
stats() {
  sort -n | awk '{ v[NR] = $1; s += $1 } END {
    m = v[int((NR + 1) / 2)]; i = int(NR * 0.95); if (i < 1) i = 1; if (i > NR) i = NR
    printf "%.2f %.2f %.2f\n", m, v[i], s / NR }'
}

# CORRAL names a built binary to measure; by default the release build is made here.
CORRAL=${CORRAL:-.build/release/corral}
if [ "$CORRAL" = .build/release/corral ]; then
  echo "building corral (release)…" >&2
  swift build -c release --product corral >/dev/null
fi

# runc: `runc run` creates, starts, waits for and destroys the container (cgroups
# included); the `runc delete -f` after it is outside the timed part, a safety net.
for i in 1 2 3; do $RUNC run --bundle "$BUNDLE" "corral-bench-warm-$i" >/dev/null 2>&1; done
: >"$WORK/runc.ms"
for i in $(seq 1 "$COUNT"); do
  start=$EPOCHREALTIME
  $RUNC run --bundle "$BUNDLE" "corral-bench-$i" </dev/null >/dev/null
  end=$EPOCHREALTIME
  $RUNC delete -f "corral-bench-$i" >/dev/null 2>&1 || true
  echo "$start $end" | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' >>"$WORK/runc.ms"
done
read -r runc_median runc_p95 runc_mean < <(stats <"$WORK/runc.ms")
echo "runc run /bin/true: count=$COUNT median=$runc_median ms p95=$runc_p95 ms mean=$runc_mean ms"

# Corral launches from the busybox image (the same rootfs imported as a one-layer OCI
# image, unpacked on the same disk as runc's bundle); its container state on tmpfs.
"$CORRAL" image --root "$WORK/corral" import-rootfs busybox "$ROOTFS" >/dev/null
corral_line=$("$CORRAL" bench launch --count "$COUNT" --image busybox --image-root "$WORK/corral" --root "$STATE/corral")
echo "$corral_line"
corral_median=$(echo "$corral_line" | sed -n 's/.*median=\([0-9.]*\) ms.*/\1/p')

awk -v c="$corral_median" -v r="$runc_median" 'BEGIN { printf "ratio corral/runc (median): %.3f\n", c / r }'
