#!/usr/bin/env bash
# Factur-X rendering benchmark: 1,000 one-page, ten-line invoices rendered by Facteur (release build) and
# by the Python peer (reportlab + factur-x), each printing ms and KiB per invoice.
# Usage: bash scripts/bench-render.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
swift build -c release --product facteur-bench-pdf >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
.build/release/facteur-bench-pdf render --count "$count" --out "$tmp"
.build/release/facteur-bench-pdf render --count "$count" --level 6
python3 scripts/bench-render-peer.py --count "$count" --xml "$tmp/bench-first.xml" --font-dir Sources/FacturX/Resources
