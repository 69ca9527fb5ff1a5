#!/usr/bin/env bash
# Push and pull of one 200 MiB image in 4 layers (incompressible), on loopback, in one run:
#   clients: `corral image push/pull` against skopeo, both talking to Debian's docker-registry
#            (distribution 2.8);
#   servers: `corral registry serve` against docker-registry, both driven by skopeo.
# Each step runs ROUNDS times against an emptied registry (pulls into an empty store or
# directory) and the median is reported. `corral image pull` also unpacks every layer into
# its store (skopeo only writes the blobs into an OCI directory), so its figure includes that.
# The LAST three lines are ratios; the issue sets targets for the last two:
#   push:  corral client / skopeo client (to an empty docker-registry)
#   pull:  corral client / skopeo client (from docker-registry)       target <= 1
#   serve: skopeo from corral registry / skopeo from docker-registry  target <= 1
#
# Usage: Benchmarks/registry-vs-distribution.sh [ROUNDS]   (root not needed; default 3)
set -euo pipefail
ROUNDS=${1:-3}
cd "$(dirname "$0")/.."

for tool in skopeo docker-registry umoci; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run make deps" >&2; exit 2; }
done
CORRAL=${CORRAL:-.build/release/corral}
[ -x "$CORRAL" ] || swift build -c release --product corral >/dev/null
WORK=$(mktemp -d /tmp/corral-registry-bench.XXXXXX)
# The servers start in command substitutions (subshells), so their pids go to a file.
stop_all() {
  [ -f "$WORK/pids" ] || return 0
  while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$WORK/pids"
  while read -r pid; do while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done; done < "$WORK/pids"
  rm -f "$WORK/pids"
}
cleanup() {
  stop_all
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The image: busybox plus four 50 MiB files of random bytes, one layer each.
echo "building the 200 MiB image..." >&2
umoci init --layout "$WORK/layout" >/dev/null
umoci new --image "$WORK/layout:bench" >/dev/null
for i in 1 2 3 4; do
  umoci unpack --rootless --image "$WORK/layout:bench" "$WORK/bundle" >/dev/null
  head -c $((50 << 20)) /dev/urandom > "$WORK/bundle/rootfs/blob-$i"
  umoci repack --image "$WORK/layout:bench" "$WORK/bundle" >/dev/null
  rm -rf "$WORK/bundle"
done
umoci gc --layout "$WORK/layout"
"$CORRAL" image import "$WORK/layout" --name bench --root "$WORK/source" >/dev/null

# docker-registry on a free port, storage under $1.
start_distribution() {
  local port; port=$(free_port)
  mkdir -p "$1"
  cat > "$1/config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $1/data
http:
  addr: 127.0.0.1:$port
EOF
  docker-registry serve "$1/config.yml" >"$1/log" 2>&1 &
  echo $! >> "$WORK/pids"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.05; done
  echo "127.0.0.1:$port"
}
start_corral_registry() {
  local port; port=$(free_port)
  "$CORRAL" registry serve --listen "127.0.0.1:$port" --root "$1" >"$WORK/corral-registry.log" 2>&1 &
  echo $! >> "$WORK/pids"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.05; done
  echo "127.0.0.1:$port"
}

SKOPEO="skopeo --insecure-policy"
declare -A T
record() { T[$1]="${T[$1]:-} $2"; }

for round in $(seq "$ROUNDS"); do
  # Clients against docker-registry: push then pull, each into an empty place.
  DIST=$(start_distribution "$WORK/dist-$round")
  t0=$(now); $SKOPEO copy -q --dest-tls-verify=false "oci:$WORK/layout:bench" "docker://$DIST/bench:skopeo" >/dev/null; t1=$(now)
  record "push skopeo -> docker-registry" "$(echo "$t1 - $t0" | bc)"
  # Corral pushes to a registry of its own, which has none of the blobs yet either.
  EMPTY=$(start_distribution "$WORK/dist-empty-$round")
  t0=$(now); "$CORRAL" image push --insecure --quiet bench "$EMPTY/bench:corral" --root "$WORK/source" >/dev/null; t1=$(now)
  record "push corral -> docker-registry" "$(echo "$t1 - $t0" | bc)"
  t0=$(now); $SKOPEO copy -q --src-tls-verify=false "docker://$DIST/bench:skopeo" "oci:$WORK/pulled-$round:bench" >/dev/null; t1=$(now)
  record "pull skopeo <- docker-registry" "$(echo "$t1 - $t0" | bc)"
  t0=$(now); "$CORRAL" image pull --insecure --quiet "$DIST/bench:skopeo" --name bench --root "$WORK/store-$round" >/dev/null; t1=$(now)
  record "pull corral <- docker-registry" "$(echo "$t1 - $t0" | bc)"
  stop_all
  # The same client (skopeo) against each server.
  OURS=$(start_corral_registry "$WORK/ours-$round")
  t0=$(now); $SKOPEO copy -q --dest-tls-verify=false "oci:$WORK/layout:bench" "docker://$OURS/bench:skopeo" >/dev/null; t1=$(now)
  record "push skopeo -> corral registry" "$(echo "$t1 - $t0" | bc)"
  t0=$(now); $SKOPEO copy -q --src-tls-verify=false "docker://$OURS/bench:skopeo" "oci:$WORK/served-$round:bench" >/dev/null; t1=$(now)
  record "pull skopeo <- corral registry" "$(echo "$t1 - $t0" | bc)"
  stop_all
  rm -rf "$WORK/dist-$round" "$WORK/dist-empty-$round" "$WORK/ours-$round" "$WORK/pulled-$round" "$WORK/served-$round" "$WORK/store-$round"
done

med() { echo "${T[$1]}" | tr ' ' '\n' | grep -v '^$' | median; }
for key in "push skopeo -> docker-registry" "push corral -> docker-registry" "pull skopeo <- docker-registry" \
  "pull corral <- docker-registry" "push skopeo -> corral registry" "pull skopeo <- corral registry"; do
  printf "%-34s median %.2f s of %d (%s)\n" "$key" "$(med "$key")" "$ROUNDS" "$(echo ${T[$key]})"
done
printf "push ratio corral/skopeo (to docker-registry): %.2f\n" \
  "$(echo "$(med "push corral -> docker-registry") / $(med "push skopeo -> docker-registry")" | bc -l)"
printf "pull ratio corral/skopeo (from docker-registry): %.2f\n" \
  "$(echo "$(med "pull corral <- docker-registry") / $(med "pull skopeo <- docker-registry")" | bc -l)"
printf "serve ratio corral registry/docker-registry (skopeo pull): %.2f\n" \
  "$(echo "$(med "pull skopeo <- corral registry") / $(med "pull skopeo <- docker-registry")" | bc -l)"
