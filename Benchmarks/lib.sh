# Helpers shared by the benchmark scripts (sourced, not run).

clock_ticks=$(getconf CLK_TCK)
# A process and its direct children (gunicorn/nginx workers, node cluster workers).
tree_pids() { echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"; }
# User + system CPU ticks of process trees ("PID" or "PID PID ...").
cpu_ticks() {
  local total=0 root pid
  for root in $1; do
    for pid in $(tree_pids "$root"); do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  done
  echo $total
}
# Peak resident memory of a process tree.
peak_rss() { local total=0; for pid in $(tree_pids "$1"); do total=$((total + $(awk '/VmHWM/ {print $2}' "/proc/$pid/status"))); done; awk -v k=$total 'BEGIN {printf "%.1f MiB", k / 1024}'; }
# Polls a URL until it answers, with a 30 s deadline.
wait_for() { local deadline=$((SECONDS + 30)); until curl -sf -o /dev/null "$1"; do [ $SECONDS -lt $deadline ] || { echo "$1 did not come up" >&2; exit 1; }; sleep 0.1; done; }

# Runs wrk against URL (after a 2 s warm-up) while measuring the process tree PID (or the trees "PID PID ...",
# summed); sets LAST_RPS, LAST_P50, LAST_P99, LAST_CPU (µs per request) and LAST_ERRORS (wrk's errors, if any).
# Arguments after URL go to wrk (`-H "Connection: close"`, say).
measure_quietly() {
  local pid=$1 url=$2
  shift 2
  wrk -t1 -c"$connections" -d2s "$@" "$url" >/dev/null
  local before after output requests
  before=$(cpu_ticks "$pid")
  output=$(wrk -t1 -c"$connections" -d"${duration}s" --latency "$@" "$url")
  after=$(cpu_ticks "$pid")
  requests=$(echo "$output" | awk '/requests in/ {print $1}')
  LAST_RPS=$(echo "$output" | awk '/Requests\/sec/ {print $2}')
  LAST_P50=$(echo "$output" | awk '$1 == "50%" {print $2}')
  LAST_P99=$(echo "$output" | awk '$1 == "99%" {print $2}')
  LAST_ERRORS=$(echo "$output" | awk '/Non-2xx|Socket errors/' | tr '\n' ' ')
  LAST_CPU=$(awk -v t=$((after - before)) -v hz="$clock_ticks" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
}

# As measure_quietly, and prints one table row "| NAME | req/s | p50 | p99 | CPU µs/req | peak RSS |".
measure() {
  local name=$1 pid=$2 url=$3
  measure_quietly "$pid" "$url"
  echo "| $name | $LAST_RPS | $LAST_P50 | $LAST_P99 | $LAST_CPU | $(peak_rss "$pid") | $LAST_ERRORS"
}

# Latency in milliseconds from wrk's "812.00us" / "1.73ms" / "1.02s".
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }'; }
# The median of its arguments (numbers).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Exits unless every named tool is on PATH.
require() { local tool; for tool in "$@"; do command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }; done; }
# Sets nginx_bin (Debian puts nginx in /usr/sbin, off a user's PATH), or exits.
find_nginx() {
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$nginx_bin" ] || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }
}
# Builds the named products in release mode and sets bin to where they are.
build_release() {
  echo "building release binaries..." >&2
  local product
  for product in "$@"; do swift build -c release --product "$product" >/dev/null; done
  bin=$(swift build -c release --show-bin-path)
}
# Sets work (a scratch folder) and pids (the processes a script starts: `pids+=($!)`); both are cleaned up on exit.
start_scratch() {
  work=$(mktemp -d)
  pids=()
  trap 'for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT
}

# The lines before `http { }` of an nginx.conf whose pid and logs live in DIR: root-safe, in the foreground,
# WORKERS worker processes (default auto) of CONNECTIONS connections each (default 4096).
nginx_main() {
  local dir=$1 workers=${2:-auto} connections=${3:-4096}
  [ "$(id -u)" != 0 ] || echo "user root;"
  printf 'daemon off;\nworker_processes %s;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\nevents { worker_connections %s; }\n' \
    "$workers" "$dir" "$dir" "$connections"
}
# The temporary-file paths of an `http { }` block, in DIR (nginx's defaults are outside a scratch folder).
nginx_temp_paths() {
  echo "client_body_temp_path $1/body; proxy_temp_path $1/proxy; fastcgi_temp_path $1/fastcgi; uwsgi_temp_path $1/uwsgi; scgi_temp_path $1/scgi;"
}
