#!/usr/bin/env bash
# The seed article's workload: a page server that fetches its data from the API over HTTP on every request, the
# two in separate processes. Three implementations, same run, wrk over loopback:
#   tandem   split-services web --api … (release)  →  split-services api
#   node     raw Node `http` page process with a keep-alive agent  →  raw Node `http` API process (one each)
#   django   Django templates + requests.Session (gunicorn, 2 workers)  →  DRF API (gunicorn, 2 workers)
# Byte-identical JSON from the three APIs and byte-identical HTML from the three page servers are checked first.
# Reports, per page: req/s, p50/p99, CPU µs per page summed over *both* processes, and their peak RSS together;
# then the API endpoint alone.
#
#   Benchmarks/ssr-fetch.sh            # DURATION=10 CONNECTIONS=32 ROUNDS=3
#
# Needs wrk, node, and django + djangorestframework + gunicorn + requests (pip).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
rounds=${ROUNDS:-3}
page="/search/?query=swift"
endpoint="/api/search/?query=swift&max_results=20"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
command -v node >/dev/null || { echo "node is missing: apt-get install nodejs" >&2; exit 1; }
python3 -c "import django, rest_framework, gunicorn, requests" 2>/dev/null || {
  echo "pip install django djangorestframework gunicorn requests" >&2
  exit 1
}

echo "building release binaries..." >&2
swift build -c release --product split-services >/dev/null
bin=$(swift build -c release --show-bin-path)

source Benchmarks/lib.sh

declare -A api_pid web_pid api_port web_port
api_port=([tandem]=18490 [node]=18492 [django]=18494)
web_port=([tandem]=18491 [node]=18493 [django]=18495)
"$bin/split-services" api --port 18490 >/dev/null 2>&1 &
api_pid[tandem]=$!
"$bin/split-services" web --port 18491 --api http://127.0.0.1:18490 >/dev/null 2>&1 &
web_pid[tandem]=$!
node Benchmarks/node/ssr-fetch.js api 18492 &
api_pid[node]=$!
node Benchmarks/node/ssr-fetch.js web 18493 18492 &
web_pid[node]=$!
(cd Benchmarks/django && exec gunicorn -w 2 -b 127.0.0.1:18494 --log-level warning benchapp.wsgi:application) &
api_pid[django]=$!
(cd Benchmarks/django && BENCH_API_URL=http://127.0.0.1:18494 exec gunicorn -w 2 -b 127.0.0.1:18495 --log-level warning \
  benchapp.wsgi:application) &
web_pid[django]=$!
trap 'kill ${api_pid[*]} ${web_pid[*]} 2>/dev/null || true' EXIT
names=(tandem node django)
for name in "${names[@]}"; do
  wait_for "http://127.0.0.1:${api_port[$name]}$endpoint"
  wait_for "http://127.0.0.1:${web_port[$name]}$page"
done

same() {  # kind (api|web) url-suffix: every implementation answers the same bytes as tandem
  local -n ports=$1_port
  local reference
  reference=$(curl -s "http://127.0.0.1:${ports[tandem]}$2" | md5sum)
  for name in node django; do
    if [ "$(curl -s "http://127.0.0.1:${ports[$name]}$2" | md5sum)" != "$reference" ]; then
      echo "$name's $1 does not answer what tandem's does; refusing to compare:" >&2
      diff <(curl -s "http://127.0.0.1:${ports[tandem]}$2" | fold -w 120) <(curl -s "http://127.0.0.1:${ports[$name]}$2" | fold -w 120) |
        head -n 12 >&2
      exit 1
    fi
  done
}
same api "$endpoint"
same web "$page"
echo "same $(curl -s "http://127.0.0.1:18490$endpoint" | wc -c) bytes of JSON from the three APIs, same" \
  "$(curl -s "http://127.0.0.1:18491$page" | wc -c) bytes of HTML from the three page servers"

report() {  # title, then rows measured by the command in $1 for each name
  local kind=$1
  declare -A rps p50 p99 cpu
  for ((round = 0; round < rounds; round++)); do
    for ((i = 0; i < ${#names[@]}; i++)); do
      local name=${names[(i + round) % ${#names[@]}]}
      if [ "$kind" = page ]; then
        measure_quietly "${web_pid[$name]} ${api_pid[$name]}" "http://127.0.0.1:${web_port[$name]}$page"
      else
        measure_quietly "${api_pid[$name]}" "http://127.0.0.1:${api_port[$name]}$endpoint"
      fi
      [ -z "$LAST_ERRORS" ] || echo "$name: $LAST_ERRORS" >&2
      rps[$name]+="$LAST_RPS "
      p50[$name]+="$(ms "$LAST_P50") "
      p99[$name]+="$(ms "$LAST_P99") "
      cpu[$name]+="$LAST_CPU "
    done
  done
  echo "| $kind | req/s | p50 | p99 | CPU µs/req | peak RSS |"
  echo "|---|--:|--:|--:|--:|--:|"
  declare -A median
  for name in "${names[@]}"; do
    median[$name]=$(median ${rps[$name]})
    local rss
    if [ "$kind" = page ]; then
      rss="$(peak_rss "${web_pid[$name]}") + $(peak_rss "${api_pid[$name]}")"
    else
      rss=$(peak_rss "${api_pid[$name]}")
    fi
    echo "| $name | ${median[$name]} | $(median ${p50[$name]})ms | $(median ${p99[$name]})ms | $(median ${cpu[$name]}) | $rss |"
  done
  echo "req/s of each round: $(for name in "${names[@]}"; do printf '%s: %s; ' "$name" "${rps[$name]}"; done)"
  awk -v t="${median[tandem]}" -v n="${median[node]}" -v d="${median[django]}" \
    'BEGIN {printf "tandem: %.2fx node, %.1fx django\n", t / n, t / d}'
}

echo
echo "wrk -t1 -c$connections -d${duration}s, $rounds rounds (medians), $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "Page via the API over HTTP ($page); CPU and RSS are the page server's and the API's together:"
echo
report page
echo
echo "The API endpoint alone ($endpoint):"
echo
report api
