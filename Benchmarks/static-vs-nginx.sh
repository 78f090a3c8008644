#!/usr/bin/env bash
# A static file served by Tandem's FileServer against nginx's `sendfile`, same files, same run, wrk over loopback.
#
#   Benchmarks/static-vs-nginx.sh              # DURATION=10 CONNECTIONS=32 ROUNDS=3 by default
#
# Files: a 2 KiB stylesheet, a 64 KiB script and a 1 MiB image-sized blob. Servers:
#   tandem   bench-server PORT static DIR (FileServer defaults: ETag, ranges, 64 KiB chunks, NIO file I/O)
#   nginx    root DIR; sendfile on; tcp_nopush on; open_file_cache max=1000; worker_processes auto
# Each server is measured ROUNDS times per file, taking turns; the table shows medians of req/s (and the MB/s they
# mean), p99, the server's own CPU µs per request and its peak RSS (all its processes).
# Needs wrk and nginx (apt-get install wrk nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
rounds=${ROUNDS:-3}
source Benchmarks/lib.sh
require wrk curl
find_nginx
build_release bench-server
start_scratch

mkdir -p "$work/public" "$work/nginx"
head -c 2048 /dev/urandom | base64 -w 100 | head -c 2048 > "$work/public/site.css"
head -c 65536 /dev/urandom > "$work/public/app.3f2b8c1e.js"
head -c 1048576 /dev/urandom > "$work/public/photo.bin"

"$bin/bench-server" 18280 static "$work/public" >/dev/null 2>&1 & pids+=($!); tandem_pid=$!
cat > "$work/nginx/nginx.conf" <<CONF
$(nginx_main "$work/nginx" auto 4096)
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=1000 inactive=60s;
  $(nginx_temp_paths "$work/nginx")
  server {
    listen 127.0.0.1:18281;
    location / { root $work/public; etag on; }
  }
}
CONF
"$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!); nginx_pid=$!
wait_for http://127.0.0.1:18280/site.css
wait_for http://127.0.0.1:18281/site.css

echo "| file | server | req/s | MB/s | p99 | CPU µs/req | peak RSS |"
echo "|---|---|---|---|---|---|---|"
for file in site.css app.3f2b8c1e.js photo.bin; do
  size=$(stat -c %s "$work/public/$file")
  declare -A rps=() p99=() cpu=()
  for round in $(seq "$rounds"); do
    order=(tandem nginx); [ $((round % 2)) -eq 0 ] && order=(nginx tandem)
    for server in "${order[@]}"; do
      if [ "$server" = tandem ]; then pid=$tandem_pid port=18280; else pid=$nginx_pid port=18281; fi
      measure_quietly "$pid" "http://127.0.0.1:$port/$file"
      [ -z "$LAST_ERRORS" ] || echo "$server $file: $LAST_ERRORS" >&2
      rps[$server]+="$LAST_RPS "; p99[$server]+="$(ms "$LAST_P99") "; cpu[$server]+="$LAST_CPU "
    done
  done
  for server in tandem nginx; do
    if [ "$server" = tandem ]; then pid=$tandem_pid; else pid=$nginx_pid; fi
    median_rps=$(median ${rps[$server]})
    mbs=$(awk -v r="$median_rps" -v s="$size" 'BEGIN {printf "%.0f", r * s / 1e6}')
    echo "| $file ($size B) | $server | $median_rps | $mbs | $(median ${p99[$server]}) ms | $(median ${cpu[$server]}) | $(peak_rss "$pid") |"
  done
  unset rps p99 cpu
done
