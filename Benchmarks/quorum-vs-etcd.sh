#!/usr/bin/env bash
# Replicated writes and leader fail-over: a 3-member etcd 3.4 (Debian's etcd-server and
# etcd-client) and a 3-master Corral quorum, on loopback, on this machine, in one run.
#
#   etcd:   etcdctl check perf --load=l (500 clients, 256-byte keys, 1 KiB values, 60 s,
#           its own limiter at 8000 writes/s) and leader SIGKILL trials timed with etcdctl;
#   Corral: corral bench replicate with the same shape (500 clients, 256-byte keys,
#           1 KiB values, 60 s) and corral bench failover.
#
# etcdctl check perf prints throughput and the slowest request but no percentiles; etcd's
# p99 here comes from its own server-side Put histogram (--metrics extensive), which leaves
# out the client and the network, so it flatters etcd. Corral's p99 is measured by the client.
#
# Usage: Benchmarks/quorum-vs-etcd.sh [SECONDS] [TRIALS]   (default 60 s, 10 trials)
# The last line is the throughput ratio corral/etcd.
set -euo pipefail
SECONDS_RUN=${1:-60}
TRIALS=${2:-10}
cd "$(dirname "$0")/.."

if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client
fi
export ETCDCTL_API=3
WORK=$(mktemp -d /tmp/quorum-vs-etcd.XXXXXX)
BASE=$((24000 + RANDOM % 4000))
declare -a PIDS
CLIENT_URLS=()
for i in 1 2 3; do CLIENT_URLS+=("127.0.0.1:$((BASE + i))"); done
ENDPOINTS=$(IFS=,; echo "${CLIENT_URLS[*]}")
CLUSTER="m1=http://127.0.0.1:$((BASE + 11)),m2=http://127.0.0.1:$((BASE + 12)),m3=http://127.0.0.1:$((BASE + 13))"

start_etcd() {
  local i=$1 state=$2
  etcd --name "m$i" --data-dir "$WORK/etcd-$i" \
    --listen-client-urls "http://127.0.0.1:$((BASE + i))" --advertise-client-urls "http://127.0.0.1:$((BASE + i))" \
    --listen-peer-urls "http://127.0.0.1:$((BASE + 10 + i))" --initial-advertise-peer-urls "http://127.0.0.1:$((BASE + 10 + i))" \
    --initial-cluster "$CLUSTER" --initial-cluster-state "$state" --initial-cluster-token "bench-$BASE" \
    --metrics extensive --logger zap --log-level error >>"$WORK/etcd-$i.log" 2>&1 &
  PIDS[$i]=$!
}
cleanup() {
  for pid in "${PIDS[@]:-}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_healthy() {
  for _ in $(seq 1 200); do
    if etcdctl --endpoints="$ENDPOINTS" endpoint health >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  echo "etcd did not become healthy; see $WORK/etcd-*.log" >&2
  exit 1
}
etcd_leader() {
  etcdctl --endpoints="$ENDPOINTS" endpoint status -w json | python3 -c '
import json, sys
for n, entry in enumerate(json.load(sys.stdin), 1):
    status = entry["Status"]
    if status["header"]["member_id"] == status["leader"]:
        print(n)'
}
ms_since() { python3 -c "import time,sys; print(round((time.time() - float(sys.argv[1])) * 1000, 1))" "$1"; }
median_max() { sort -n | awk '{ v[NR] = $1 } END { printf "%s %s\n", v[int((NR + 1) / 2)], v[NR] }'; }

echo "building corral (release)…" >&2
swift build -c release --product corral >/dev/null 2>&1 || swift build -c release --product corral

# --- etcd -------------------------------------------------------------------------
for i in 1 2 3; do start_etcd "$i" new; done
wait_healthy
ETCD_VERSION=$(etcd --version | head -1 | awk '{ print $3 }')
echo "etcd $ETCD_VERSION: check perf --load=l (60 s)…" >&2
etcdctl --endpoints="$ENDPOINTS" check perf --load=l >"$WORK/perf.out" 2>&1 || true
ETCD_TPUT=$(tr '\r' '\n' <"$WORK/perf.out" | sed -n 's/.*[Tt]hroughput[^0-9]*\([0-9]*\) writes\/s.*/\1/p' | tail -1)
ETCD_SLOWEST=$(tr '\r' '\n' <"$WORK/perf.out" | sed -n 's/.*[Ss]lowest request took[^0-9]*\([0-9.]*\)s.*/\1/p' | tail -1)
for i in 1 2 3; do curl -s "http://127.0.0.1:$((BASE + i))/metrics"; done >"$WORK/metrics.txt"
ETCD_P99=$(python3 - "$WORK/metrics.txt" <<'PY'
import re, sys
buckets = {}
for line in open(sys.argv[1]):
    m = re.match(r'grpc_server_handling_seconds_bucket\{grpc_method="Put".*le="([^"]+)"\} (\S+)', line)
    if m:
        le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
        buckets[le] = buckets.get(le, 0) + float(m.group(2))
edges = sorted(buckets)
total = buckets[float("inf")]
target, previous_edge, previous_count = 0.99 * total, 0.0, 0.0
for edge in edges:
    if buckets[edge] >= target:
        if edge == float("inf"):
            print(round(previous_edge * 1000, 1)); break
        share = (target - previous_count) / max(1.0, buckets[edge] - previous_count)
        print(round((previous_edge + share * (edge - previous_edge)) * 1000, 1)); break
    previous_edge, previous_count = edge, buckets[edge]
PY
)
echo "etcd $ETCD_VERSION check perf --load=l: throughput=${ETCD_TPUT} writes/s p99(server-side Put)=${ETCD_P99} ms slowest=$(python3 -c "print(round(float('${ETCD_SLOWEST:-0}') * 1000, 1))") ms"

: >"$WORK/etcd-failover.ms"
for trial in $(seq 1 "$TRIALS"); do
  wait_healthy
  sleep 1
  leader=$(etcd_leader)
  others=$(for i in 1 2 3; do [ "$i" = "$leader" ] || echo "127.0.0.1:$((BASE + i))"; done | paste -sd, -)
  t0=$(python3 -c 'import time; print(repr(time.time()))')
  kill -9 "${PIDS[$leader]}"
  until etcdctl --endpoints="$others" --command-timeout=250ms put /failover/key value >/dev/null 2>&1; do :; done
  elapsed=$(ms_since "$t0")
  echo "$elapsed" >>"$WORK/etcd-failover.ms"
  echo "etcd trial $trial: killed m$leader, next write committed after $elapsed ms" >&2
  wait "${PIDS[$leader]}" 2>/dev/null || true
  start_etcd "$leader" existing
done
read -r ETCD_FO_MEDIAN ETCD_FO_MAX < <(median_max <"$WORK/etcd-failover.ms")
echo "etcd $ETCD_VERSION leader kill: trials=$TRIALS median=$ETCD_FO_MEDIAN ms max=$ETCD_FO_MAX ms (election timeout 1000 ms, heartbeat 100 ms)"
for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
PIDS=()

# --- Corral -----------------------------------------------------------------------
REPLICATE=$(.build/release/corral bench replicate --masters 3 --clients 500 --key-bytes 256 --value-bytes 1024 --seconds "$SECONDS_RUN" | tail -1)
echo "$REPLICATE"
FAILOVER=$(.build/release/corral bench failover --masters 3 --trials "$TRIALS" | tail -1)
echo "$FAILOVER"
CORRAL_TPUT=$(echo "$REPLICATE" | sed -n 's/.*throughput=\([0-9]*\) writes.*/\1/p')
CORRAL_P99=$(echo "$REPLICATE" | sed -n 's/.*p99=\([0-9.]*\) ms.*/\1/p')
CORRAL_FO=$(echo "$FAILOVER" | sed -n 's/.*median=\([0-9.]*\) ms.*/\1/p')

awk -v c="$CORRAL_P99" -v e="$ETCD_P99" 'BEGIN { printf "p99 ratio corral/etcd: %.2f (target <= 1)\n", c / e }'
awk -v c="$CORRAL_FO" -v e="$ETCD_FO_MEDIAN" 'BEGIN { printf "fail-over median ratio corral/etcd: %.2f (target <= 0.33)\n", c / e }'
awk -v c="$CORRAL_TPUT" -v e="$ETCD_TPUT" 'BEGIN { printf "throughput ratio corral/etcd: %.2f (target >= 3)\n", c / e }'
