#!/usr/bin/env python3
"""Write what the reference checkers (../shared/oracle) say about the official corpus, as
reviewable TSV files under Tests/Fixtures/oracle/ that Facteur's own tests compare against.

  python3 scripts/oracle-expectations.py            # (re)write the expectation files
  python3 scripts/oracle-expectations.py --check    # regenerate in memory, exit 1 if they differ

Columns: path relative to ../shared/oracle (or to the repository for Tests/…), TAB, `valid` or the sorted failing (fatal) rule
ids, TAB, the sorted warning rule ids (`-` when none).
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE = os.path.normpath(os.path.join(ROOT, "..", "shared", "oracle"))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "oracle")

SETS = {
    "en16931.tsv": (["en16931/cii/examples", "en16931/ubl/examples", "en16931/ubl/testfiles"], []),
    "facturx-xml.tsv": (["facturx-samples/akretion/xml"], []),
    "french.tsv": (["facturx-samples/akretion/xml"], ["--fr-ctc"]),
    # Non-French invoices break the French rules in many ways: a discriminating corpus for them.
    # Broken invoices made by scripts/make-mutants.py: where verdicts must agree on failures.
    "mutants.tsv": (["@Tests/Fixtures/mutants"], []),
    "french-en16931.tsv": (["en16931/cii/examples", "en16931/ubl/examples", "en16931/ubl/testfiles"], ["--fr-ctc"]),
}


def run_oracle(dirs, extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = [sys.executable, os.path.join(ORACLE, "validate_cii.py"), "-q", "--json", out, *extra,
               *[os.path.join(ROOT, d[1:]) if d.startswith("@") else os.path.join(ORACLE, d) for d in dirs]]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"oracle failed: {' '.join(cmd)}")
        with open(out, encoding="utf-8") as fh:
            return json.load(fh)["results"]


def render(results, name):
    lines = [f"# {name}: verdicts of ../shared/oracle/validate_cii.py, written by scripts/oracle-expectations.py"]
    for r in sorted(results, key=lambda r: r["path"]):
        full = os.path.abspath(r["path"])
        # Files of this repository are named from its root, the oracle's from ../shared/oracle.
        rel = os.path.relpath(full, ROOT) if full.startswith(ROOT + os.sep) else os.path.relpath(full, ORACLE)
        errors = sorted(set(e.split(" ")[0] for e in r["errors"]))
        warnings = sorted(set(r["warnings"]))
        lines.append(f"{rel}\t{','.join(errors) if errors else 'valid'}\t{','.join(warnings) if warnings else '-'}")
    return "\n".join(lines) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    if not os.path.isdir(ORACLE):
        raise SystemExit(f"missing {ORACLE}: the shared/ folder must sit beside the repository")
    different = []
    for name, (dirs, extra) in SETS.items():
        text = render(run_oracle(dirs, extra), name)
        path = os.path.join(OUT, name)
        if check:
            old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
            if old != text:
                different.append(name)
                sys.stdout.write(f"DIFFERS {name}\n")
            else:
                sys.stdout.write(f"same    {name} ({text.count(chr(10)) - 1} files)\n")
        else:
            os.makedirs(OUT, exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            sys.stdout.write(f"wrote {path} ({text.count(chr(10)) - 1} files)\n")
    if different:
        raise SystemExit("the oracle no longer agrees with the committed expectations: run "
                         "python3 scripts/oracle-expectations.py and review the diff")


if __name__ == "__main__":
    main()
