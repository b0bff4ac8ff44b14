#!/usr/bin/env bash
# The thread tests under ThreadSanitizer, on a free-threaded CPython built
# with TSan (tools/python-ft.sh --tsan: once per machine, 8-10 minutes).
#
#   tools/tsan.sh                 # tests/test_threads.py, C core only
#   tools/tsan.sh tests/test_x.py # other test files
#
# The extensions are built with MARCH_TSAN=1 (-fsanitize=thread) from a
# private copy of the tree, into a virtual environment of the TSan
# interpreter (/tmp/march-tsan-venv, kept between runs).  Every report is
# collected (halt_on_error=0) and the run fails when a report has a frame
# in march's own code (src/march/_core).  Reports entirely inside CPython
# are suppressed by tools/tsan.supp, each entry with its reason.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=$("$ROOT/tools/python-ft.sh" --tsan)
VENV=${MARCH_TSAN_VENV:-/tmp/march-tsan-venv}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/march-tsan.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
QUIET="report_bugs=0 exitcode=0"

if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
    # hypothesis-native has no wheel for 3.13t: take the newest hypothesis
    # that does not need it
    TSAN_OPTIONS=$QUIET "$VENV/bin/pip" install --quiet pytest setuptools wheel \
        "hypothesis<6.156"
fi

mkdir -p "$WORK/tree"
cp -R "$ROOT/src" "$ROOT/setup.py" "$ROOT/pyproject.toml" "$WORK/tree/"
find "$WORK/tree/src" \( -name '*.so' -o -name '__pycache__' \) -prune -exec rm -rf {} +
echo "=== tsan.sh: building march with -fsanitize=thread ==="
(cd "$WORK/tree" && TSAN_OPTIONS=$QUIET MARCH_TSAN=1 MARCH_WERROR=1 \
    "$VENV/bin/python" setup.py -q build_ext --inplace -t "$WORK/build" >/dev/null)
for ext in _hamt _rrb _rrb4; do
    ls "$WORK/tree/src/march/$ext".*.so >/dev/null
done

TESTS=("$@")
[ ${#TESTS[@]} -gt 0 ] || TESTS=(tests/test_threads.py tests/test_free_threading.py)
echo "=== tsan.sh: ${TESTS[*]} (C core) ==="
LOG="$WORK/tsan"
set +e
(cd "$ROOT" && PYTHONPATH="$WORK/tree/src" MARCH_C_ONLY=1 MARCH_REQUIRE_C=1 \
    PYTHON_GIL=0 PYTHONDONTWRITEBYTECODE=1 \
    TSAN_OPTIONS="halt_on_error=0 exitcode=0 log_path=$LOG suppressions=$ROOT/tools/tsan.supp" \
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${TESTS[@]}")
status=$?
set -e
shopt -s nullglob
logs=("$LOG".*)
reports=0; ours=0
if [ ${#logs[@]} -gt 0 ]; then
    reports=$(cat "${logs[@]}" | grep -c "^WARNING: ThreadSanitizer" || true)
    ours=$(cat "${logs[@]}" | awk '/^WARNING: ThreadSanitizer/{m=0}
        /src\/march\/_core/{if (!m) {n++; m=1}} END{print n+0}')
fi
echo "tsan.sh: $reports unsuppressed report(s), $ours with a frame in march's C code"
if [ "$ours" -gt 0 ]; then
    cat "${logs[@]}" | head -300 || true
    exit 1
fi
if [ "$reports" -gt 0 ]; then
    echo "tsan.sh: reports inside CPython only (add them to tools/tsan.supp with a reason):"
    cat "${logs[@]}" | grep -A14 "^WARNING: ThreadSanitizer" | head -150 || true
    exit 1
fi
exit $status
