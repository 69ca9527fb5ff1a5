#!/usr/bin/env bash
# Image builds: a 10-step Dockerfile (ENV, WORKDIR, COPY of 200 files and 1 MB, three RUNs,
# LABEL, EXPOSE, CMD) on a busybox base, built cold (--no-cache) and warm (every step cached),
# by `corral image build` and by `buildah bud --storage-driver vfs --layers`, same machine,
# one run. Prints the medians of RUNS builds each and, as the LAST line, the ratios.
#
# Both start from the same busybox image: Corral imports the rootfs; buildah reads it from
# the OCI layout `corral image save` writes (so the run also checks that buildah accepts a
# Corral image). buildah runs RUN steps with --isolation chroot: its OCI runtime (crun) refuses
# this machine's hybrid cgroup v1/v2 layout ("cgroups in hybrid mode not supported"); set
# BUILDAH_ISOLATION=oci to try runc/crun where it works. If buildah cannot run at all, the
# script says why and compares with a plain-shell floor instead: cp -a of the rootfs, the RUN
# commands under chroot, and a tar.gz of the changed tree.
#
# Usage: Benchmarks/build-vs-buildah.sh [RUNS]   (root required; default RUNS=5)
#        CORRAL=.build/debug/corral to skip the release build; FLOOR=1 for the floor instead of buildah.
set -euo pipefail
RUNS=${1:-${RUNS:-5}}
cd "$(dirname "$0")/.."
ISOLATION=${BUILDAH_ISOLATION:-chroot}

if [ ! -x /bin/busybox ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static
fi
if ! command -v buildah >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah >/dev/null 2>&1 || true
fi
if [ -z "${CORRAL:-}" ]; then
  echo "building corral (release)…" >&2
  swift build -c release --product corral >/dev/null
  CORRAL=.build/release/corral
fi

# buildah's storage refuses upper-case letters in some paths, so the directory is lower-case.
WORK=/tmp/corral-build-bench-$$
rm -rf "$WORK"
mkdir -p "$WORK"
BUILDAH="buildah --root $WORK/buildah --runroot $WORK/buildah-run --storage-driver vfs"
cleanup() {
  $BUILDAH rm --all >/dev/null 2>&1 || true
  { grep -o " $WORK[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# The busybox rootfs: the static binary and one link per applet.
ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS"/{bin,proc,dev,sys,tmp,etc,root}
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$ROOTFS/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" >"$ROOTFS/etc/passwd"

# The context: 200 small files and one of 1 MB.
CONTEXT=$WORK/context
mkdir -p "$CONTEXT/files"
for i in $(seq 1 200); do echo "file $i" >"$CONTEXT/files/f$i.txt"; done
head -c 1048576 /dev/urandom >"$CONTEXT/files/blob.bin"
steps() {
  cat <<DOCKERFILE
FROM $1
ENV APP=/srv/app
WORKDIR /srv/app
COPY files/ ./
RUN for i in \$(seq 1 200); do echo line \$i >> gen.txt; done
RUN mkdir -p /data && cp -r /srv/app /data/copy
RUN rm /bin/vi
LABEL bench=1
EXPOSE 8080
CMD ["cat", "gen.txt"]
DOCKERFILE
}
steps busybox >"$CONTEXT/Dockerfile.corral"
steps localhost/busybox >"$CONTEXT/Dockerfile.buildah"

stats() { sort -n | awk '{ v[NR] = $1 } END { printf "%.0f\n", v[int((NR + 1) / 2)] }'; }
# Runs "$@" RUNS times; prints the median wall time in ms.
time_runs() {
  : >"$WORK/times"
  for _ in $(seq 1 "$RUNS"); do
    start=$EPOCHREALTIME
    "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log" >&2; return 1; }
    end=$EPOCHREALTIME
    echo "$start $end" | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' >>"$WORK/times"
  done
  stats <"$WORK/times"
}

CROOT=$WORK/corral
$CORRAL image --root "$CROOT" import-rootfs busybox "$ROOTFS" >/dev/null
corral_cold=$(time_runs $CORRAL image build --root "$CROOT" --no-cache -t bench -f "$CONTEXT/Dockerfile.corral" "$CONTEXT")
$CORRAL image build --root "$CROOT" -t bench -f "$CONTEXT/Dockerfile.corral" "$CONTEXT" >/dev/null
corral_warm=$(time_runs $CORRAL image build --root "$CROOT" -t bench -f "$CONTEXT/Dockerfile.corral" "$CONTEXT")
grep -c "Using cache" "$WORK/last.log" | grep -qx 9 || { echo "corral's warm build was not fully cached:" >&2; cat "$WORK/last.log" >&2; exit 1; }
echo "corral image build ($CORRAL): cold median=${corral_cold} ms, warm median=${corral_warm} ms (runs=$RUNS)"

# buildah, from the same image saved as an OCI layout.
mkdir -p "$WORK/layout"
$CORRAL image --root "$CROOT" save -o "$WORK/busybox.tar" busybox >/dev/null
tar -C "$WORK/layout" -xf "$WORK/busybox.tar"
why=""
if [ "${FLOOR:-0}" = 1 ]; then
  why="FLOOR=1 asked for the floor"
elif ! command -v buildah >/dev/null 2>&1; then
  why="buildah is not installed and could not be installed (apt-get install buildah failed)"
elif ! out=$($BUILDAH from --name base "oci:$WORK/layout:busybox" 2>&1 && $BUILDAH commit base localhost/busybox 2>&1); then
  why="buildah could not take the base image: $(echo "$out" | tail -1)"
elif ! out=$($BUILDAH bud --pull-never --layers --isolation "$ISOLATION" -t probe -f "$CONTEXT/Dockerfile.buildah" "$CONTEXT" 2>&1); then
  why="buildah bud failed here: $(echo "$out" | grep -i error | tail -1)"
fi
if [ -z "$why" ]; then
  peer_cold=$(time_runs $BUILDAH bud --pull-never --layers --no-cache --isolation "$ISOLATION" -t bench -f "$CONTEXT/Dockerfile.buildah" "$CONTEXT")
  peer_warm=$(time_runs $BUILDAH bud --pull-never --layers --isolation "$ISOLATION" -t bench -f "$CONTEXT/Dockerfile.buildah" "$CONTEXT")
  peer="buildah"
  echo "buildah bud --storage-driver vfs --layers --isolation $ISOLATION ($(buildah --version | awk '{print $3}')): cold median=${peer_cold} ms, warm median=${peer_warm} ms (runs=$RUNS)"
else
  echo "buildah cannot run here: $why; comparing with a plain-shell floor instead"
  floor() {
    rm -rf "$WORK/floor" && mkdir -p "$WORK/floor"
    cp -a "$ROOTFS" "$WORK/floor/root"
    mkdir -p "$WORK/floor/root/srv/app" && cp -a "$CONTEXT/files/." "$WORK/floor/root/srv/app/"
    chroot "$WORK/floor/root" /bin/sh -c 'cd /srv/app && for i in $(seq 1 200); do echo line $i >> gen.txt; done'
    chroot "$WORK/floor/root" /bin/sh -c 'mkdir -p /data && cp -r /srv/app /data/copy && rm /bin/vi'
    tar -C "$WORK/floor/root" -czf "$WORK/floor/layer.tar.gz" srv data
  }
  peer_cold=$(time_runs floor)
  peer_warm=$peer_cold
  peer="floor"
  echo "plain-shell floor (cp -a, chroot, tar.gz; nothing to cache): median=${peer_cold} ms (runs=$RUNS)"
fi
awk -v cc="$corral_cold" -v cw="$corral_warm" -v pc="$peer_cold" -v pw="$peer_warm" -v p="$peer" \
  'BEGIN { printf "ratio corral/%s: cold %.2f, warm %.2f\n", p, cc / pc, cw / pw }'
