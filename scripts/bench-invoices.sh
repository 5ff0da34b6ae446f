#!/usr/bin/env bash
# Invoice platform benchmarks (numbers, not tests), on SQLite then on a throwaway PostgreSQL 15:
#  - issuing through the HTTP API (create + issue: validate, number, render the Factur-X PDF, store, deliver
#    to the buyer on the network), invoices per second with 8 concurrent clients; the load comes from a lean
#    HTTP/1.1 client on threads of its own (Benchmarks/facteur-bench-platform/LeanHTTPClient.swift: URLSession
#    took about an eighth of the CPU in the server's process); `--client urlsession` for the old generator;
#  - the dashboard and searches over 100,000 invoices of one company.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
COUNT=${COUNT:-2000}
INVOICES=${INVOICES:-100000}
swift build -c release --product facteur-bench-platform >/dev/null
BENCH=$(swift build -c release --show-bin-path)/facteur-bench-platform
run() {
  "$BENCH" issue --count "$COUNT" --concurrency 8 2>/dev/null | grep -v "^20..-"
  "$BENCH" search --invoices "$INVOICES" --repeat 30 2>/dev/null | grep -v "^20..-"
}
echo "== SQLite (embedded)"
run
echo "== PostgreSQL 15"
bash scripts/with-postgres.sh bash -c "$(declare -f run); BENCH='$BENCH' COUNT=$COUNT INVOICES=$INVOICES run"
