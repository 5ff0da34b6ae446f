#!/usr/bin/env bash
# Extraction speed of the embedded invoice XML from Factur-X PDFs: Facteur's reader in process
# (files preloaded in memory, release build, after warm-up) next to the Python factur-x package's
# get_xml_from_pdf (pypdf underneath) on the same files, in one run. Prints PDFs per second.
# Not a test: numbers. SECONDS_PER_RUN (default 5) sets how long each side runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
SAMPLES=${SAMPLES:-../shared/oracle/facturx-samples}
RUN=${SECONDS_PER_RUN:-5}

swift build -c release --product facteur-bench-pdf >/dev/null 2>&1 || { swift build -c release --product facteur-bench-pdf; exit 2; }
BENCH=$(swift build -c release --show-bin-path 2>/dev/null)/facteur-bench-pdf

all=()
while IFS= read -r -d '' f; do all+=("$f"); done < <(find "$SAMPLES" -iname '*.pdf' -print0 | sort -z)
# The same files on both sides: those the factur-x package extracts (it refuses the sample whose XML
# declares an impossible encoding), one path per line.
mapfile -t files < <(python3 - "${all[@]}" <<'PY'
import io, logging, sys
logging.disable(logging.CRITICAL)
from facturx import get_xml_from_pdf
for p in sys.argv[1:]:
    try:
        if get_xml_from_pdf(io.BytesIO(open(p, "rb").read()), check_xsd=False)[1]:
            print(p)
    except Exception:
        pass
PY
)
echo "${#files[@]} of ${#all[@]} sample PDFs are extracted by both"

echo "== Facteur (release build, in process: cross-reference, name tree, inflate, XMP level and AFRelationship)"
ours=$("$BENCH" extract --seconds "$RUN" "${files[@]}")
echo "$ours"

echo "== reference: factur-x $(python3 -c 'import facturx, importlib.metadata as m; print(m.version("factur-x"))') get_xml_from_pdf(check_xsd=False), same files preloaded"
ref=$(python3 - "$RUN" "${files[@]}" <<'PY'
import io, logging, sys, time
logging.disable(logging.CRITICAL)
from facturx import get_xml_from_pdf
run = float(sys.argv[1])
blobs = [open(p, "rb").read() for p in sys.argv[2:]]
good = []
for b in blobs:
    try:
        name, xml = get_xml_from_pdf(io.BytesIO(b), check_xsd=False)
        if xml:
            good.append(b)
    except Exception:
        pass
n, start = 0, time.perf_counter()
while time.perf_counter() - start < run:
    for b in good:
        get_xml_from_pdf(io.BytesIO(b), check_xsd=False)
        n += 1
el = time.perf_counter() - start
print(f"factur-x: {n} PDFs ({len(good)} files) in {el:.2f} s: {n / el:.0f} PDFs/s, {el / n * 1e6:.1f} µs/PDF")
PY
)
echo "$ref"

python3 - "$ours" "$ref" <<'PY'
import re, sys
ours, ref = sys.argv[1:]
f = float(re.search(r"([0-9.]+) PDFs/s", ours).group(1))
r = float(re.search(r"([0-9.]+) PDFs/s", ref).group(1))
print()
print(f"{'':10} {'PDFs/s':>10}")
print(f"{'Facteur':10} {f:10.0f}")
print(f"{'factur-x':10} {r:10.0f}")
print(f"speed-up: {f / r:.1f}x (target: 2,000 PDFs/s: {'met' if f >= 2000 else 'NOT met'})")
PY
