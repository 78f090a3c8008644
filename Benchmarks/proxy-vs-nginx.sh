#!/usr/bin/env bash
# The split-services gateway against nginx, proxying the same upstream, same run, wrk over loopback.
#
#   Benchmarks/proxy-vs-nginx.sh              # DURATION=10 CONNECTIONS=32 PATH_=/json by default
#
# Upstream: Tandem's `hello` (release). Proxies on the same machine:
#   tandem        split-services gateway --route /=upstream
#   nginx-article the seed article's config: proxy_pass + Host + X-Real-IP (HTTP/1.0, a new upstream
#                 connection per request)
#   nginx-tuned   upstream keepalive 64, proxy_http_version 1.1, Connection ""
# Reports req/s, p50, p99, the proxy's own CPU µs per request and its peak RSS (all its processes).
# Needs wrk and nginx (apt-get install wrk nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
path=${PATH_:-/json}
for tool in wrk curl; do command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 1; }; done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }

echo "building release binaries..." >&2
swift build -c release --product hello >/dev/null
swift build -c release --product split-services >/dev/null
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

clock_ticks=$(getconf CLK_TCK)
tree_pids() { echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"; }
cpu_ticks() { local total=0; for pid in $(tree_pids "$1"); do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo $total; }
peak_rss() { local total=0; for pid in $(tree_pids "$1"); do total=$((total + $(awk '/VmHWM/ {print $2}' "/proc/$pid/status"))); done; awk -v k=$total 'BEGIN {printf "%.1f MiB", k / 1024}'; }
wait_for() { local deadline=$((SECONDS + 30)); until curl -sf -o /dev/null "$1"; do [ $SECONDS -lt $deadline ] || { echo "$1 did not come up" >&2; exit 1; }; sleep 0.1; done; }

"$bin/hello" --port 18180 >/dev/null 2>&1 & pids+=($!)
"$bin/split-services" gateway --port 18181 --route /=http://127.0.0.1:18180 >/dev/null 2>&1 & pids+=($!); tandem_pid=$!

nginx_conf() {  # name port extra-http extra-location upstream
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
daemon off;
worker_processes auto;
pid $work/$1/nginx.pid;
error_log $work/$1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/$1/body; proxy_temp_path $work/$1/proxy;
  fastcgi_temp_path $work/$1/fastcgi; uwsgi_temp_path $work/$1/uwsgi; scgi_temp_path $work/$1/scgi;
  $3
  server {
    listen 127.0.0.1:$2;
    location / {
      proxy_pass $5;
      proxy_set_header Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
      $4
    }
  }
}
CONF
}
nginx_conf article 18182 "" "" "http://127.0.0.1:18180"
nginx_conf tuned 18183 "upstream backend { server 127.0.0.1:18180; keepalive 64; }" 'proxy_http_version 1.1; proxy_set_header Connection "";' "http://backend"
"$nginx_bin" -p "$work/article" -c "$work/article/nginx.conf" & pids+=($!); article_pid=$!
"$nginx_bin" -p "$work/tuned" -c "$work/tuned/nginx.conf" & pids+=($!); tuned_pid=$!

for port in 18180 18181 18182 18183; do wait_for "http://127.0.0.1:$port$path"; done
if ! cmp -s <(curl -s "http://127.0.0.1:18181$path") <(curl -s "http://127.0.0.1:18183$path"); then
  echo "the proxies do not return the same body; refusing to compare" >&2; exit 1
fi

echo
echo "wrk -t1 -c$connections -d${duration}s $path ($(curl -s "http://127.0.0.1:18180$path" | wc -c) bytes), $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| proxy | req/s | p50 | p99 | proxy CPU µs/req | proxy peak RSS |"
echo "|---|--:|--:|--:|--:|--:|"
declare -A rps p99s
for entry in "tandem:18181:$tandem_pid" "nginx-tuned:18183:$tuned_pid" "nginx-article:18182:$article_pid"; do
  IFS=: read -r name port pid <<<"$entry"
  wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$port$path" >/dev/null
  before=$(cpu_ticks "$pid")
  output=$(wrk -t1 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port$path")
  after=$(cpu_ticks "$pid")
  requests=$(echo "$output" | awk '/requests in/ {print $1}')
  rps[$name]=$(echo "$output" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$output" | awk '$1 == "50%" {print $2}')
  p99s[$name]=$(echo "$output" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$output" | awk '/Non-2xx|Socket errors/' | tr '\n' ' ')
  cpu=$(awk -v t=$((after - before)) -v hz="$clock_ticks" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  echo "| $name | ${rps[$name]} | $p50 | ${p99s[$name]} | $cpu | $(peak_rss "$pid") | $errors"
done
echo
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }'; }
awk -v t="${rps[tandem]}" -v n="${rps[nginx-tuned]}" -v tp="$(ms "${p99s[tandem]}")" -v np="$(ms "${p99s[nginx-tuned]}")" \
  'BEGIN {printf "tandem vs tuned nginx: throughput %.2fx (goal >= 1.0), p99 %.2fx (goal <= 1.0)\n", t / n, tp / np}'
