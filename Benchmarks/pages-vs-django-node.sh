#!/usr/bin/env bash
# The example's search results page (title, meta, 20 results), rendered per request, from:
#   tandem        bench-server: the real SearchPage's layout and components, PageHandler (ETag included)
#   node          a plain Node.js `http` server with template strings, one process (Next.js's floor)
#   node-cluster  the same with 2 worker processes (one per core)
#   django        Django templates under gunicorn, 2 workers
# Same catalogue and search in process, byte-identical HTML (checked first), same run, wrk over loopback.
#
#   Benchmarks/pages-vs-django-node.sh          # DURATION=10 CONNECTIONS=32 by default
#
# Needs wrk, node, and django + djangorestframework + gunicorn (pip).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
target="/search/?query=swift"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
command -v node >/dev/null || { echo "node is missing: apt-get install nodejs" >&2; exit 1; }
python3 -c "import django, rest_framework, gunicorn" 2>/dev/null || { echo "pip install django djangorestframework gunicorn" >&2; exit 1; }

echo "building release binaries..." >&2
swift build -c release --product bench-server >/dev/null
server_bin=$(swift build -c release --show-bin-path)/bench-server

source Benchmarks/lib.sh

declare -A pids ports
ports=([tandem]=18090 [django]=18091 [node]=18092 [node-cluster]=18093)
"$server_bin" 18090 >/dev/null 2>&1 &
pids[tandem]=$!
(cd Benchmarks/django && exec gunicorn -w 2 -b 127.0.0.1:18091 --log-level warning benchapp.wsgi:application) &
pids[django]=$!
node Benchmarks/node/search-page.js 18092 1 &
pids[node]=$!
node Benchmarks/node/search-page.js 18093 2 &
pids[node-cluster]=$!
trap 'kill ${pids[*]} 2>/dev/null || true' EXIT
for name in "${!ports[@]}"; do wait_for "http://127.0.0.1:${ports[$name]}$target"; done

reference=$(curl -s "http://127.0.0.1:18090$target" | md5sum)
for name in django node node-cluster; do
  if [ "$(curl -s "http://127.0.0.1:${ports[$name]}$target" | md5sum)" != "$reference" ]; then
    echo "$name does not return the same page as tandem; refusing to compare" >&2
    exit 1
  fi
done
echo "all four return the same $(curl -s "http://127.0.0.1:18090$target" | wc -c) bytes of HTML for $target"
echo
echo "| server | req/s | p50 | p99 | CPU µs/req | peak RSS |"
echo "|---|--:|--:|--:|--:|--:|"
declare -A rps
for name in tandem node node-cluster django; do
  measure "$name" "${pids[$name]}" "http://127.0.0.1:${ports[$name]}$target"
  rps[$name]=$LAST_RPS
done
echo
awk -v t="${rps[tandem]}" -v d="${rps[django]}" 'BEGIN {printf "Tandem: %.1fx Django templates (goal >= 10x)\n", t / d}'
awk -v t="${rps[tandem]}" -v n="${rps[node]}" 'BEGIN {printf "Tandem: %.2fx plain Node.js (goal >= 1.0x)\n", t / n}'
awk -v t="${rps[tandem]}" -v n="${rps[node-cluster]}" 'BEGIN {printf "Tandem: %.2fx Node.js with 2 workers\n", t / n}'
