#!/usr/bin/env bash
# The example's envelope JSON route (`GET /api/search/`) from Tandem and from Django REST framework under
# gunicorn (2 workers), same catalogue, byte-identical JSON, same run, wrk over loopback.
#
#   Benchmarks/api-vs-django.sh            # DURATION=10 CONNECTIONS=32 by default
#
# Needs wrk (apt-get install wrk) and django, djangorestframework, gunicorn (pip install ...).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
target="/api/search/?query=guide&max_results=20"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
python3 -c "import django, rest_framework, gunicorn" 2>/dev/null || { echo "pip install django djangorestframework gunicorn" >&2; exit 1; }

echo "building release binaries..." >&2
swift build -c release --product bench-server >/dev/null
server_bin=$(swift build -c release --show-bin-path)/bench-server

source Benchmarks/lib.sh

"$server_bin" 18090 >/dev/null 2>&1 &
tandem_pid=$!
(cd Benchmarks/django && exec gunicorn -w 2 -b 127.0.0.1:18091 --log-level warning benchapp.wsgi:application) &
django_pid=$!
trap 'kill $tandem_pid $django_pid 2>/dev/null || true' EXIT
wait_for "http://127.0.0.1:18090$target"
wait_for "http://127.0.0.1:18091$target"

if ! cmp -s <(curl -s "http://127.0.0.1:18090$target") <(curl -s "http://127.0.0.1:18091$target"); then
  echo "the two servers do not return the same JSON; refusing to compare" >&2
  diff <(curl -s "http://127.0.0.1:18090$target") <(curl -s "http://127.0.0.1:18091$target") | head >&2
  exit 1
fi
echo "both servers return the same $(curl -s "http://127.0.0.1:18090$target" | wc -c) bytes for $target"
echo
echo "| server | req/s | p50 | p99 | CPU µs/req | peak RSS |"
echo "|---|--:|--:|--:|--:|--:|"
declare -A rps
for name in tandem django; do
  if [ $name = tandem ]; then pid=$tandem_pid; port=18090; else pid=$django_pid; port=18091; fi
  measure $name $pid "http://127.0.0.1:$port$target"
  rps[$name]=$LAST_RPS
done
echo
awk -v t="${rps[tandem]}" -v d="${rps[django]}" 'BEGIN {printf "Tandem: %.1fx Django REST framework throughput (goal >= 10x)\n", t / d}'
