#!/usr/bin/env bash
# Reproduce the benchmark figures of the README / bench/results.md:
# the full default run (sizes 1,000, 100,000 and 1,000,000; maps with str and
# int keys; vectors), written to bench/results.json (raw results), bench/results.txt
# (the tables), bench/results.md (the same tables in Markdown), docs/bench.png
# (each peer's time relative to march's) and docs/bench-absolute.png (absolute
# times and memory).
#
#   bench/run_full.sh                 # everything (about 10 minutes on 2 cores)
#   bench/run_full.sh --quick         # smoke run (under 30 seconds)
#   bench/run_full.sh --ops get,set   # any `python -m march bench` option
#
# It runs from a source checkout (PYTHONPATH=src; build the C core first:
# python setup.py build_ext --inplace) or from an installed march.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PYTHONPATH="src${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p docs

"$PY" -c 'import march; print("march", march.__version__, "implementation:", march.IMPLEMENTATION)'
set +e
"$PY" -m march bench --json bench/results.json --plot docs/bench.png "$@" | tee bench/results.txt
status=${PIPESTATUS[0]}
set -e
if [ -f bench/results.json ]; then
    "$PY" -m march bench --from-json bench/results.json --markdown > bench/results.md
fi
echo "wrote bench/results.json bench/results.txt bench/results.md docs/bench.png docs/bench-absolute.png (exit status $status)"
exit "$status"
