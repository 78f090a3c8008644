#!/usr/bin/env bash
# What metrics and tracing cost, off and on, in one run (Documentation/Observability.md, "Cost").
#
#   Benchmarks/observability-cost.sh        # DURATION=8 CONNECTIONS=32 ROUNDS=3 by default
#
# Three workloads, each served by a release build in three modes, the modes taking turns in a rotating order
# ROUNDS times; the table shows medians:
#   hello    `hello` GET /hello
#   gateway  `split-services all`, gateway → API GET /api/search/?query=swift (the gateway's fast path when off)
#   page     `split-services all`, gateway → web → API GET /search/?query=swift (the seed's page)
# Modes:
#   off      no metrics backend, no tracer: what a program that asks for neither pays
#   metrics  --metrics-port (swift-prometheus), scraped once a second as Prometheus would
#   traced   --metrics-port and OTEL_EXPORTER_OTLP_ENDPOINT (swift-otel, OTLP/HTTP), every request sampled,
#            exported to nginx answering 200 (a sink that costs the exporter what a collector would on the wire)
#   sampled  the same with head sampling at 1 % (OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG=0.01): every
#            request still gets its spans and context, 1 in 100 traces is recorded and exported
# CPU is the server process's own (µs per request). Needs wrk, curl and nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-8}
connections=${CONNECTIONS:-32}
rounds=${ROUNDS:-3}
source Benchmarks/lib.sh
require wrk curl
find_nginx
build_release hello split-services
start_scratch

# The OTLP sink: nginx answers every export with an empty (valid) ExportTraceServiceResponse.
cat > "$work/nginx.conf" <<CONF
$(nginx_main "$work" 1 1024)
http {
  access_log off;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:18290;
    location / { default_type application/x-protobuf; return 200 ""; }
  }
}
CONF
"$nginx_bin" -c "$work/nginx.conf" -e "$work/error.log" & pids+=($!)

# start MODE WORKLOAD: starts the server for WORKLOAD in MODE; sets server_pid, url and metrics_url.
start() {
  local mode=$1 workload=$2 port_base=18200
  local -a flags=() env=()
  metrics_url=""
  case $mode in
    off) ;;
    metrics) flags=(--metrics-port 18299); metrics_url=http://127.0.0.1:18299/metrics ;;
    traced | sampled)
      flags=(--metrics-port 18299); metrics_url=http://127.0.0.1:18299/metrics
      env=(OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:18290 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)
      [ "$mode" = traced ] || env+=(OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.01) ;;
  esac
  case $workload in
    hello)
      env ${env[@]+"${env[@]}"} "$bin/hello" --port $port_base "${flags[@]}" >/dev/null 2>&1 & server_pid=$!
      url=http://127.0.0.1:$port_base/hello ;;
    gateway | page)
      env ${env[@]+"${env[@]}"} "$bin/split-services" all --gateway-port $port_base --web-port $((port_base + 1)) \
        --api-port $((port_base + 2)) "${flags[@]}" >/dev/null 2>&1 & server_pid=$!
      if [ "$workload" = gateway ]; then url="http://127.0.0.1:$port_base/api/search/?query=swift"
      else url="http://127.0.0.1:$port_base/search/?query=swift"; fi ;;
  esac
  pids+=("$server_pid")
  wait_for "$url"
}

stop() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }

# A scraper, as Prometheus would, once a second while wrk runs.
scrape() { while true; do curl -s -o /dev/null "$1" || true; sleep 1; done; }

modes=(off metrics traced sampled)
declare -A rps cpu
for workload in hello gateway page; do
  for round in $(seq 1 "$rounds"); do
    for index in 0 1 2 3; do
      mode=${modes[$(((index + round) % 4))]}
      start "$mode" "$workload"
      scraper=""
      if [ -n "$metrics_url" ]; then scrape "$metrics_url" & scraper=$!; fi
      measure_quietly "$server_pid" "$url"
      [ -n "$scraper" ] && { kill "$scraper"; wait "$scraper" 2>/dev/null || true; }
      stop
      rps[$workload,$mode]+="$LAST_RPS "
      cpu[$workload,$mode]+="$LAST_CPU "
      echo "round $round $workload $mode: $LAST_RPS req/s, $LAST_CPU µs/req $LAST_ERRORS" >&2
    done
  done
done

echo "| workload | off req/s | metrics req/s | traced req/s | 1 % sampled req/s | off CPU µs/req | metrics CPU | traced CPU | sampled CPU |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
for workload in hello gateway page; do
  row="| $workload"
  for mode in "${modes[@]}"; do row+=" | $(median ${rps[$workload,$mode]})"; done
  for mode in "${modes[@]}"; do row+=" | $(median ${cpu[$workload,$mode]})"; done
  echo "$row |"
done
