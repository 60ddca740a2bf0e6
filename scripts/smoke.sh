#!/usr/bin/env bash
# Follows the README quick start literally: `npm start` on a fresh database, the README's
# first-monitor calls with curl (sign up, cron monitor, ping, status, history), then a clean
# shutdown on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${SMOKE_PORT:-3917}
data=$(mktemp -d)
log="$data/server.log"
base="http://localhost:$port"
PORT=$port CRONPEEK_DB="$data/cronpeek.db" setsid npm start >"$log" 2>&1 &
pid=$!
cleanup() { kill -TERM -- -"$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -fsS "$base/api/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$base/api/health" >/dev/null || { cat "$log"; echo "smoke: server did not come up"; exit 1; }

json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }
key=$(curl -fsS -X POST "$base/api/v1/accounts" -H "Content-Type: application/json" -d '{"email": "you@example.com"}' | json apiKey)
monitor=$(curl -fsS -X POST "$base/api/v1/monitors" -H "x-api-key: $key" -H "Content-Type: application/json" \
  -d '{"name": "Nightly DB Backup", "schedule": "30 2 * * *", "tz": "Europe/Berlin"}')
ping_url=$(printf '%s' "$monitor" | json pingUrl)
id=$(printf '%s' "$monitor" | json monitorId)
status=$(curl -fsS "$ping_url" | json status)
[ "$status" = "up" ] || { echo "smoke: ping answered status '$status'"; exit 1; }
status=$(curl -fsS -H "x-api-key: $key" "$base/api/v1/monitors/$id/status" | json status)
[ "$status" = "up" ] || { echo "smoke: status answered '$status'"; exit 1; }
kind=$(curl -fsS -H "x-api-key: $key" "$base/api/v1/monitors/$id/pings" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).pings[0].kind))')
[ "$kind" = "success" ] || { echo "smoke: history shows '$kind'"; exit 1; }
count=$(curl -fsS -H "x-api-key: $key" "$base/api/v1/monitors" | json count)
[ "$count" = "1" ] || { echo "smoke: expected 1 monitor, got $count"; exit 1; }
# Saved first: `grep -q` stops reading at the first match, which fails curl under pipefail.
curl -fsS "$base/" -o "$data/index.html" && grep -qi cronpeek "$data/index.html" || { echo "smoke: / does not serve the docs"; exit 1; }

# SIGTERM to the `npm start` process alone (as a process manager sends it) must stop the server.
kill -TERM "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$pid" 2>/dev/null; then echo "smoke: npm start did not stop on SIGTERM"; exit 1; fi
if curl -fsS "$base/api/health" >/dev/null 2>&1; then echo "smoke: the server still answers after SIGTERM to npm start"; exit 1; fi
grep -q "shutting down" "$log" || { cat "$log"; echo "smoke: no clean shutdown message"; exit 1; }
[ -f "$data/cronpeek.db" ] || { echo "smoke: no database file at CRONPEEK_DB"; exit 1; }
echo "smoke: quick start OK (account, monitor, ping -> up, status, history, list, docs page, clean SIGTERM)"
