#!/usr/bin/env bash
# Redraw docs/bench.png (and bench/results.md) from bench/results.json without
# running the benchmark again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PYTHONPATH="src${PYTHONPATH:+:$PYTHONPATH}"
"$PY" -m march bench --from-json "${1:-bench/results.json}" --plot "${2:-docs/bench.png}" --markdown > bench/results.md
echo "wrote ${2:-docs/bench.png} and bench/results.md"
