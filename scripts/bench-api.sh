#!/usr/bin/env bash
# API throughput, not a test: wrk against an authenticated GET /api/v1/clients (first page of 50)
# for a company with 1,000 clients, on SQLite and then on PostgreSQL (throwaway server), release build.
# Prints requests/s and latency percentiles (p99). Target on 2 cores: ≥ 5,000 req/s, p99 < 20 ms on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
swift build -c release --product facteur >/dev/null
FACTEUR=$(swift build -c release --show-bin-path)/facteur
DURATION=${DURATION:-10s}
PORT=${PORT:-18090}

run() {
  local label=$1 data
  data=$(mktemp -d)
  trap 'rm -rf "$data"' RETURN
  local siret=84215730700013
  "$FACTEUR" company create --siret "$siret" --name "Bench SARL" --admin-email bench@example.fr --password "bench password 2026" --data "$data" >/dev/null
  local token
  token=$("$FACTEUR" token create --company "$siret" --data "$data" | tail -1)
  # 1,000 clients through the import endpoint once the server is up.
  local csv="$data/clients.csv"
  echo "type;nom;siren;courriel" > "$csv"
  for i in $(seq 1 1000); do echo "entreprise;Client $i;732829320;client$i@example.fr" >> "$csv"; done
  LOG_LEVEL=warning "$FACTEUR" serve --port "$PORT" --data "$data" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  curl -sf -X POST -H "Authorization: Bearer $token" -H "Content-Type: text/csv" --data-binary @"$csv" \
    "http://127.0.0.1:$PORT/api/v1/clients/import" | grep -o '"imported":[0-9]*'
  echo "== $label: wrk -t2 -c32 -d$DURATION GET /api/v1/clients"
  wrk -t2 -c32 -d"$DURATION" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/clients" \
    | grep -E "Requests/sec|Latency|50%|90%|99%"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

unset DATABASE_URL
run "SQLite"
if [ -d /usr/lib/postgresql/15/bin ]; then
  PGPORT_TEST=${PGPORT_TEST:-54350} bash scripts/with-postgres.sh bash -c "$(declare -f run); FACTEUR='$FACTEUR' DURATION='$DURATION' PORT='$PORT' run PostgreSQL"
fi
