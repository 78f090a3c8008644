#!/usr/bin/env bash
# The TLS gateway against nginx terminating TLS in front of the same upstream: same certificate, same run.
#
#   Benchmarks/tls-vs-nginx.sh              # DURATION=10 CONNECTIONS=32 STREAMS=10 ROUNDS=3 IDLE=1000 by default
#
# Upstream: Tandem's `hello` (release), GET /json. Gateways, both with an ECDSA P-256 certificate from a private CA:
#   tandem   split-services gateway --route /=upstream --tls-cert --tls-key (HTTP/2 and HTTP/1.1 by ALPN)
#   nginx    listen ssl http2; upstream keepalive 256 (the gateway's pool size), proxy_http_version 1.1,
#            Connection "", the forwarded headers
# Workloads, each gateway measured ROUNDS times, taking turns; medians:
#   h2       h2load -c CONNECTIONS -m STREAMS: HTTP/2, STREAMS requests in flight per connection
#   h1-tls   wrk -c CONNECTIONS over TLS: HTTP/1.1 keep-alive
#   handshakes wrk with Connection: close: a full TLS handshake per request
# Memory per connection: IDLE TLS connections that spoke the HTTP/2 preface are held open (Python), and the
# gateway's resident memory growth is divided by IDLE.
# Needs wrk, h2load (apt-get install nghttp2-client), nginx, openssl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
streams=${STREAMS:-10}
rounds=${ROUNDS:-3}
idle=${IDLE:-1000}
source Benchmarks/lib.sh
require wrk h2load curl openssl python3
find_nginx
build_release hello split-services
start_scratch

cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Bench CA" -keyout ca.key -out ca.pem \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost -keyout server.key -out server.csr 2>/dev/null
printf "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem 2>/dev/null
cd - >/dev/null

"$bin/hello" --port 18380 >/dev/null 2>&1 & pids+=($!)
"$bin/split-services" gateway --port 18381 --route /=http://127.0.0.1:18380 --tls-cert "$work/server.pem" --tls-key "$work/server.key" \
  >/dev/null 2>&1 & pids+=($!); tandem_pid=$!
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
$(nginx_main "$work/nginx" auto 8192)
http {
  access_log off;
  $(nginx_temp_paths "$work/nginx")
  upstream backend { server 127.0.0.1:18380; keepalive 256; }
  # nginx closes a connection after 1000 requests by default (h2load does not reconnect); the gateway has no such limit.
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:18382 ssl http2;
    ssl_certificate $work/server.pem;
    ssl_certificate_key $work/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
CONF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" & pids+=($!); nginx_pid=$!
wait_for http://127.0.0.1:18380/json
for port in 18381 18382; do
  deadline=$((SECONDS + 30))
  until curl -sf --cacert "$work/ca.pem" -o /dev/null "https://localhost:$port/json"; do
    [ $SECONDS -lt $deadline ] || { echo "https://localhost:$port did not come up" >&2; exit 1; }; sleep 0.1
  done
  [ "$(curl -s --http2 --cacert "$work/ca.pem" -o /dev/null -w '%{http_version}' "https://localhost:$port/json")" = 2 ] \
    || { echo "port $port does not speak HTTP/2" >&2; exit 1; }
done

# h2load: sets LAST_RPS, LAST_P99 (h2load reports no percentiles: the mean request time), LAST_CPU (µs/request of
# the process tree $1).
measure_h2() {
  local pid=$1 url=$2 before after output requests
  h2load -c "$connections" -m "$streams" -D 2 "$url" >/dev/null 2>&1
  before=$(cpu_ticks "$pid")
  output=$(h2load -c "$connections" -m "$streams" -D "$duration" "$url" 2>&1)
  after=$(cpu_ticks "$pid")
  requests=$(echo "$output" | awk '/^requests:/ {print $8}')
  LAST_RPS=$(echo "$output" | awk '/^finished in/ {gsub(",", "", $4); printf "%.0f", $4}')
  LAST_P99=$(echo "$output" | awk '/^time for request:/ {print $6}')
  LAST_ERRORS=$(echo "$output" | awk '/^requests:/ && ($10 + $12 + $14) > 0' | tr '\n' ' ')
  LAST_CPU=$(awk -v t=$((after - before)) -v hz="$clock_ticks" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
}

# RSS growth of the process tree $1 per connection while $idle TLS + HTTP/2 connections are open.
memory_per_connection() {
  local pid=$1 port=$2
  python3 - "$port" "$idle" "$work/ca.pem" "$pid" <<'PY'
import os, socket, ssl, subprocess, sys, time
port, count, ca, root = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def rss():
    pids = [root] + subprocess.run(["pgrep", "-P", root], capture_output=True, text=True).stdout.split()
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    return total
context = ssl.create_default_context(cafile=ca)
context.set_alpn_protocols(["h2"])
before = rss()
held = []
preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
for _ in range(count):
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    sock.sendall(preface)
    held.append(sock)
time.sleep(1)
after = rss()
print("%.1f" % ((after - before) / count))
for sock in held:
    sock.close()
PY
}

echo
echo "GET /json ($(curl -s http://127.0.0.1:18380/json | wc -c) bytes) through each gateway over TLS; $connections connections," \
  "h2load -m $streams, ${duration}s per round, $rounds rounds, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| workload | gateway | req/s | latency (p99; h2: mean) | gateway CPU µs/req |"
echo "|---|---|--:|--:|--:|"
declare -A rps p99s cpus
for workload in h2 h1-tls handshakes; do
  for ((round = 0; round < rounds; round++)); do
    order=(tandem nginx); [ $((round % 2)) -eq 1 ] && order=(nginx tandem)
    for server in "${order[@]}"; do
      if [ "$server" = tandem ]; then pid=$tandem_pid port=18381; else pid=$nginx_pid port=18382; fi
      case $workload in
        h2) measure_h2 "$pid" "https://127.0.0.1:$port/json" ;;
        h1-tls) measure_quietly "$pid" "https://127.0.0.1:$port/json" ;;
        handshakes) measure_quietly "$pid" "https://127.0.0.1:$port/json" -H "Connection: close" ;;
      esac
      p99=$(ms "$LAST_P99")
      [ -z "${LAST_ERRORS:-}" ] || echo "$server $workload: $LAST_ERRORS" >&2
      rps[$workload.$server]+="$LAST_RPS "; p99s[$workload.$server]+="$p99 "; cpus[$workload.$server]+="$LAST_CPU "
    done
  done
  for server in tandem nginx; do
    echo "| $workload | $server | $(median ${rps[$workload.$server]}) | $(median ${p99s[$workload.$server]}) ms | $(median ${cpus[$workload.$server]}) |"
  done
done
echo
for workload in h2 h1-tls handshakes; do
  awk -v w=$workload -v t="$(median ${rps[$workload.tandem]})" -v n="$(median ${rps[$workload.nginx]})" \
    'BEGIN {printf "%s: tandem %.2fx nginx (goal >= 0.8, aim 1.0)\n", w, t / n}'
done
echo "req/s of each round: $(for key in "${!rps[@]}"; do printf '%s: %s; ' "$key" "${rps[$key]}"; done)"
echo
echo "| gateway | RSS per idle HTTP/2 connection ($idle open) | peak RSS |"
echo "|---|--:|--:|"
for server in tandem nginx; do
  if [ "$server" = tandem ]; then pid=$tandem_pid port=18381; else pid=$nginx_pid port=18382; fi
  echo "| $server | $(memory_per_connection "$pid" "$port") KiB | $(peak_rss "$pid") |"
done
