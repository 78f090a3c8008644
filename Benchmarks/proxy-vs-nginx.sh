#!/usr/bin/env bash
# The split-services gateway against nginx, proxying the same upstream, same run, wrk over loopback.
#
#   Benchmarks/proxy-vs-nginx.sh              # DURATION=10 CONNECTIONS=32 PATH_=/json ROUNDS=3 by default
#
# The machine is noisy (and wrk, the upstream and the proxy share its cores), so each proxy is measured
# ROUNDS times, the proxies taking turns in a rotating order, and the table shows each one's median.
# Upstream: Tandem's `hello` (release). Proxies on the same machine:
#   tandem        split-services gateway --route /=upstream
#   nginx-article the seed article's config: proxy_pass + Host + X-Real-IP (HTTP/1.0, a new upstream
#                 connection per request)
#   nginx-tuned   upstream keepalive 64, proxy_http_version 1.1, Connection ""
#   nio-spike     Benchmarks/ProxySpike: a bare SwiftNIO channel-to-channel proxy (no tasks, no HTTPFields),
#                 the ceiling of the design the gateway's event-loop fast path follows
#   nio-spike-raw the same with no HTTP codec on the upstream side (raw bytes, Content-Length only): the
#                 ceiling of the next step
#   tandem-before BASELINE_GATEWAY=/path/to/split-services (optional): the gateway of another build, for an
#                 A/B in the same run (e.g. the commit before a change: `git worktree add`, build it release)
# Reports req/s, p50, p99, the proxy's own CPU µs per request and its peak RSS (all its processes).
# Needs wrk and nginx (apt-get install wrk nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
path=${PATH_:-/json}
rounds=${ROUNDS:-3}
source Benchmarks/lib.sh
require wrk curl
find_nginx
build_release hello split-services proxy-spike
start_scratch

"$bin/hello" --port 18180 >/dev/null 2>&1 & pids+=($!)
"$bin/split-services" gateway --port 18181 --route /=http://127.0.0.1:18180 >/dev/null 2>&1 & pids+=($!); tandem_pid=$!
"$bin/proxy-spike" 18184 18180 >/dev/null 2>&1 & pids+=($!); spike_pid=$!
"$bin/proxy-spike" 18185 18180 raw >/dev/null 2>&1 & pids+=($!); raw_pid=$!
if [ -n "${BASELINE_GATEWAY:-}" ]; then
  "$BASELINE_GATEWAY" gateway --port 18186 --route /=http://127.0.0.1:18180 >/dev/null 2>&1 & pids+=($!); before_pid=$!
fi

nginx_conf() {  # name port extra-http extra-location upstream
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<CONF
$(nginx_main "$work/$1" auto 4096)
http {
  access_log off;
  $(nginx_temp_paths "$work/$1")
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

ports=(18181 18184 18185)
[ -z "${BASELINE_GATEWAY:-}" ] || ports+=(18186)
for port in 18180 18182 18183 "${ports[@]}"; do wait_for "http://127.0.0.1:$port$path"; done
for port in "${ports[@]}"; do
  if ! cmp -s <(curl -s "http://127.0.0.1:$port$path") <(curl -s "http://127.0.0.1:18183$path"); then
    echo "the proxy on $port does not return nginx's body; refusing to compare" >&2; exit 1
  fi
done

echo
echo "wrk -t1 -c$connections -d${duration}s $path ($(curl -s "http://127.0.0.1:18180$path" | wc -c) bytes), $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| proxy | req/s | p50 | p99 | proxy CPU µs/req | proxy peak RSS |"
echo "|---|--:|--:|--:|--:|--:|"
entries=("tandem:18181:$tandem_pid" "nginx-tuned:18183:$tuned_pid" "nginx-article:18182:$article_pid" "nio-spike:18184:$spike_pid"
  "nio-spike-raw:18185:$raw_pid")
[ -z "${BASELINE_GATEWAY:-}" ] || entries+=("tandem-before:18186:$before_pid")
declare -A rps p50s p99s cpus
for ((round = 0; round < rounds; round++)); do
  for ((i = 0; i < ${#entries[@]}; i++)); do
    IFS=: read -r name port pid <<<"${entries[(i + round) % ${#entries[@]}]}"
    measure_quietly "$pid" "http://127.0.0.1:$port$path"
    [ -z "$LAST_ERRORS" ] || echo "$name: $LAST_ERRORS" >&2
    rps[$name]+="$LAST_RPS "
    p50s[$name]+="$(ms "$LAST_P50") "
    p99s[$name]+="$(ms "$LAST_P99") "
    cpus[$name]+="$LAST_CPU "
  done
done
declare -A median_rps median_p99
for entry in "${entries[@]}"; do
  IFS=: read -r name port pid <<<"$entry"
  median_rps[$name]=$(median ${rps[$name]})
  median_p99[$name]=$(median ${p99s[$name]})
  echo "| $name | ${median_rps[$name]} | $(median ${p50s[$name]})ms | ${median_p99[$name]}ms | $(median ${cpus[$name]}) | $(peak_rss "$pid") |"
done
echo
echo "req/s of each round: $(for entry in "${entries[@]}"; do IFS=: read -r name _ _ <<<"$entry"; printf '%s: %s; ' "$name" "${rps[$name]}"; done)"
awk -v t="${median_rps[tandem]}" -v n="${median_rps[nginx-tuned]}" -v tp="${median_p99[tandem]}" -v np="${median_p99[nginx-tuned]}" \
  'BEGIN {printf "tandem vs tuned nginx: throughput %.2fx (goal >= 1.0), p99 %.2fx (goal <= 1.0)\n", t / n, tp / np}'
if [ -n "${BASELINE_GATEWAY:-}" ]; then
  awk -v t="${median_rps[tandem]}" -v b="${median_rps[tandem-before]}" 'BEGIN {printf "tandem vs tandem-before: throughput %.2fx\n", t / b}'
fi
