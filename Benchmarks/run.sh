#!/usr/bin/env bash
# Tandem's server against Hummingbird 2, same routes, same run, wrk over loopback.
#
#   Benchmarks/run.sh                 # 10 s per measurement
#   DURATION=30 CONNECTIONS=64 Benchmarks/run.sh
#
# Prints, per server and route: requests/s, p50 and p99 latency, the server's CPU time per request and
# its peak RSS. Needs `wrk` (apt-get install wrk). Builds both servers in release mode first.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

echo "building release binaries..." >&2
swift build -c release --product hello >/dev/null
(cd Benchmarks/HummingbirdHello && swift build -c release >/dev/null)
tandem_bin=$(swift build -c release --show-bin-path)/hello
hummingbird_bin=$(cd Benchmarks/HummingbirdHello && swift build -c release --show-bin-path)/HummingbirdHello

clock_ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

wait_for_port() {
  local port=$1 deadline=$((SECONDS + 30))
  until curl -s -o /dev/null "http://127.0.0.1:$port/hello"; do
    [ $SECONDS -lt $deadline ] || { echo "server on $port did not start" >&2; exit 1; }
    sleep 0.1
  done
}

# measure NAME PID PORT PATH
measure() {
  local name=$1 pid=$2 port=$3 path=$4
  wrk -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$port$path" >/dev/null   # warm-up
  local before after output requests
  before=$(cpu_ticks "$pid")
  output=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port$path")
  after=$(cpu_ticks "$pid")
  requests=$(echo "$output" | awk '/requests in/ {print $1}')
  local rps p50 p99 cpu rss errors
  rps=$(echo "$output" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$output" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$output" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$output" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  cpu=$(awk -v t=$((after - before)) -v hz="$clock_ticks" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  rss=$(awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$pid/status")
  printf '| %-11s | %-5s | %10s | %8s | %8s | %8s | %9s | %s\n' "$name" "$path" "$rps" "$p50" "$p99" "$cpu" "$rss" "$errors"
  echo "$name $path $rps $p99" >> "$results"
}

results=$(mktemp)
echo
echo "wrk -t$threads -c$connections -d${duration}s, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| server      | route | req/s      | p50      | p99      | CPU µs/req | peak RSS |"
echo "|-------------|-------|-----------:|---------:|---------:|---------:|----------:|"

"$tandem_bin" --port 18080 >/dev/null 2>&1 &
tandem_pid=$!
"$hummingbird_bin" 18081 >/dev/null 2>&1 &
hummingbird_pid=$!
trap 'kill $tandem_pid $hummingbird_pid 2>/dev/null || true' EXIT
wait_for_port 18080
wait_for_port 18081

for path in /hello /json; do
  measure tandem "$tandem_pid" 18080 "$path"
  measure hummingbird "$hummingbird_pid" 18081 "$path"
done

echo
awk '
  function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
  { rps[$1 $2] = $3; p99[$1 $2] = ms($4) }
  END {
    split("/hello /json", paths, " ")
    for (i in paths) {
      p = paths[i]
      printf "%s: throughput %.2fx Hummingbird (goal >= 0.9), p99 %.2fx (goal <= 1.1)\n", p, rps["tandem" p] / rps["hummingbird" p], p99["tandem" p] / p99["hummingbird" p]
    }
  }' "$results"
