#!/usr/bin/env bash
# Validation speed, Facteur next to the reference (CEN schematron on Saxon-HE + lxml XSD), on the
# same official examples, in one run. Prints µs per invoice and the ratio. Not a test: numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
ORACLE=../shared/oracle
REPEAT=${REPEAT:-200}

swift build -c release --product facteur-bench >/dev/null
BENCH=$(swift build -c release --show-bin-path)/facteur-bench

cii=("$ORACLE"/en16931/cii/examples/*.xml)
ubl=()
while IFS= read -r -d '' f; do ubl+=("$f"); done < <(find "$ORACLE/en16931/ubl/examples" -iname '*.xml' -print0 | sort -z)

echo "== Facteur (release build, XSD + all EN 16931 rules, after warm-up)"
ours=$("$BENCH" validate --repeat "$REPEAT" "${cii[@]}" "${ubl[@]}")
echo "$ours"

echo "== reference: ../shared/oracle/bench_schematron.py (schematron steady state + XSD)"
ref_cii=$(python3 "$ORACLE/bench_schematron.py" --repeat 7 "${cii[@]}" | tail -1)
ref_ubl=$(python3 "$ORACLE/bench_schematron.py" --repeat 7 "${ubl[@]}" | tail -1)
echo "cii: $ref_cii"
echo "ubl: $ref_ubl"

python3 - "$ours" "$ref_cii" "$ref_ubl" <<'PY'
import re, sys
ours, ref_cii, ref_ubl = sys.argv[1:]
def facteur(syntax):
    m = re.search(rf"^{syntax}: \d+ files, ([0-9.]+) µs per invoice", ours, re.M)
    return float(m.group(1))
def reference(line):
    sch = float(re.search(r"steady state total \d+ ms \(mean ([0-9.]+) ms/file", line).group(1))
    xsd = float(re.search(r"XSD mean ([0-9.]+) ms/file", line).group(1))
    return (sch + xsd) * 1000
print()
print(f"{'syntax':8} {'Facteur µs/invoice':>20} {'Saxon+lxml µs/invoice':>22} {'speed-up':>9}")
for syntax, line in (("cii", ref_cii), ("ubl", ref_ubl)):
    f, r = facteur(syntax), reference(line)
    print(f"{syntax:8} {f:20.1f} {r:22.1f} {r / f:8.1f}x")
PY
