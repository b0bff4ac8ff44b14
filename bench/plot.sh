#!/usr/bin/env bash
# Redraw the charts docs/bench.png (each peer's time relative to march's) and
# docs/bench-absolute.png (absolute times), and bench/results.md, from
# bench/results.json without running the benchmark again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PYTHONPATH="src${PYTHONPATH:+:$PYTHONPATH}"
"$PY" -m march bench --from-json "${1:-bench/results.json}" --plot "${2:-docs/bench.png}" --markdown > bench/results.md
out=${2:-docs/bench.png}
echo "wrote $out, ${out%.*}-absolute.${out##*.} and bench/results.md"
