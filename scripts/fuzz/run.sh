#!/usr/bin/env bash
# Fuzzes the PDF reader with mutated Factur-X samples for SECONDS (default 600):
#   bash scripts/fuzz/run.sh [SECONDS] [SEED]
# A crashing or hanging input is kept in scripts/fuzz/crashes/ (add it to Tests/PDFTests/HostileTests.swift).
set -u
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN="${1:-600}"
SEED="${2:-$RANDOM}"
SAMPLES="${FACTEUR_SAMPLES:-../shared/oracle/facturx-samples}"
swift build --product facteur-bench-pdf -c "${FUZZ_CONFIG:-release}" >/dev/null 2>&1 || exit 2
BIN=".build/${FUZZ_CONFIG:-release}/facteur-bench-pdf"
CURRENT="$(mktemp -t facteur-fuzz.XXXXXX)"
FACTEUR_FUZZ_CURRENT="$CURRENT" "$BIN" extract --fuzz "$SECONDS_TO_RUN" --seed "$SEED" "$SAMPLES" scripts/fuzz/seeds
status=$?
if [ $status -ne 0 ]; then
    mkdir -p scripts/fuzz/crashes
    keep="scripts/fuzz/crashes/crash-seed$SEED-$(date +%s).pdf"
    cp "$CURRENT" "$keep"
    echo "fuzz: exit status $status; input kept in $keep"
fi
rm -f "$CURRENT"
exit $status
