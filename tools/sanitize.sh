#!/usr/bin/env bash
# Run march's test suite against C extensions built with AddressSanitizer +
# UndefinedBehaviorSanitizer (default) or with assertions on (--debug).
#
#   tools/sanitize.sh [--debug] [--keep] [pytest args...]
#
# The extensions are built from a private copy of the tree (src/, setup.py,
# pyproject.toml) in a temporary directory; nothing in the checkout (in
# particular no .so in src/march/) and no installed package is touched.  The
# test suite in tests/ is then run with that copy first on PYTHONPATH, C
# implementations only (MARCH_REQUIRE_C=1, the twin's parametrizations are
# deselected with -k "not python"; every C parametrization of every test runs).
#
# Sanitizer run (default):
#   build:   MARCH_SANITIZE=1  -> -fsanitize=address,undefined -O1 -g, asserts on
#   run:     PYTHONMALLOC=malloc  (so ASan sees every object allocation)
#            LD_PRELOAD=libasan.so (the interpreter is not instrumented; the ASan
#                       runtime must be loaded first)
#            ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
#                       (LeakSanitizer is off: the interpreter's own allocations
#                       that live until exit would be reported as noise; leaks of
#                       the extension are checked by the refcount/gc tests and by
#                       tools/valgrind.sh)
#            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
#   Any ASan/UBSan report aborts the process: the run fails (non-zero exit).
#   The script also scans the output for sanitizer reports, in case a report
#   came from a subprocess whose failure a test tolerated.
#
# Debug run (--debug):
#   build:   MARCH_DEBUG=1 -> -O0 -g, assert() kept, MARCH_DEBUG defined
#   run:     PYTHONMALLOC=debug (CPython's debug allocator hooks: catches
#            buffer overruns and use-after-free of PyMem/PyObject blocks)
#            MARCH_CHECK=1 (the suite runs the structures' invariant checkers,
#            _check(), after every operation: tests/_march_check.py; set
#            MARCH_CHECK=0 to turn that off)
#
# Environment:
#   PYTHON                 interpreter (default: python, i.e. the active venv)
#   MARCH_FUZZ_EXAMPLES    Hypothesis examples per structure in
#                          tests/test_fuzz_diff.py (driver: tests/fuzz_diff.py;
#                          default here: 15)
#   MARCH_SANITIZE_ALLOW_MISSING=1   go on when an extension fails to build
#                          (development only: then its tests fail anyway under
#                          MARCH_REQUIRE_C=1 unless you pass your own -k)
#   MARCH_SANITIZE_DIR     build here instead of a fresh temporary directory
# Runtime: the whole suite takes a few minutes on two cores (see tools/README.md).
set -euo pipefail

MODE=sanitize
KEEP=0
PYTEST_ARGS=()
for arg in "$@"; do
    case "$arg" in
        --debug) MODE=debug ;;
        --keep) KEEP=1 ;;
        *) PYTEST_ARGS+=("$arg") ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# test paths given relative to the checkout (tests/test_map.py, tests/x.py::t)
HAVE_K=0
HAVE_PATH=0
for i in "${!PYTEST_ARGS[@]}"; do
    a=${PYTEST_ARGS[$i]}
    case "$a" in
        -k) HAVE_K=1 ;;
        -*) ;;
        *)
            if [ -e "$ROOT/${a%%::*}" ]; then
                PYTEST_ARGS[$i]="$ROOT/$a"
                HAVE_PATH=1
            fi ;;
    esac
done
PY=${PYTHON:-python}
if [ -n "${MARCH_SANITIZE_DIR:-}" ]; then
    WORK=$MARCH_SANITIZE_DIR
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/march-$MODE.XXXXXX")
fi
cleanup() {
    if [ "$KEEP" = 1 ] || [ -n "${MARCH_SANITIZE_DIR:-}" ]; then
        echo "sanitize.sh: build kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

echo "=== sanitize.sh ($MODE): building the C extensions in $WORK ==="
rm -rf "$WORK/tree" "$WORK/build" "$WORK"/sanitizer.*
mkdir -p "$WORK/tree"
cp -R "$ROOT/src" "$ROOT/setup.py" "$ROOT/pyproject.toml" "$WORK/tree/"
for f in README.md LICENSE; do
    if [ -e "$ROOT/$f" ]; then cp "$ROOT/$f" "$WORK/tree/"; fi
done
# never pick up an extension built elsewhere
find "$WORK/tree/src" \( -name '*.so' -o -name '*.pyd' -o -name '__pycache__' \) -prune \
    -exec rm -rf {} +

if ! "$PY" -c "import setuptools" 2>/dev/null; then
    "$PY" -m pip install --quiet setuptools wheel
fi

if [ "$MODE" = sanitize ]; then
    BUILD_ENV=(MARCH_SANITIZE=1)
else
    BUILD_ENV=(MARCH_DEBUG=1)
fi
(cd "$WORK/tree" && env "${BUILD_ENV[@]}" "$PY" setup.py -q build_ext --inplace \
    -t "$WORK/build" 2>&1) | tee "$WORK/build.log"

missing=()
for ext in _hamt _rrb _rrb4; do
    if ! ls "$WORK/tree/src/march/$ext".*.so >/dev/null 2>&1; then
        missing+=("$ext")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "sanitize.sh: extension(s) not built: ${missing[*]} (see $WORK/build.log)" >&2
    if [ "${MARCH_SANITIZE_ALLOW_MISSING:-0}" = 0 ]; then
        exit 2
    fi
fi

RUN_ENV=(
    "PYTHONPATH=$WORK/tree/src${PYTHONPATH:+:$PYTHONPATH}"
    MARCH_REQUIRE_C=1
    MARCH_PURE_PYTHON=
    "MARCH_FUZZ_EXAMPLES=${MARCH_FUZZ_EXAMPLES:-15}"
    PYTHONDONTWRITEBYTECODE=1
)
if [ "$MODE" = sanitize ]; then
    ASAN_LIB=$(gcc -print-file-name=libasan.so)
    UBSAN_LIB=$(gcc -print-file-name=libubsan.so)
    if [ ! -e "$ASAN_LIB" ]; then
        echo "sanitize.sh: libasan.so not found (gcc -print-file-name=libasan.so)" >&2
        exit 2
    fi
    PRELOAD=$ASAN_LIB
    if [ -e "$UBSAN_LIB" ]; then PRELOAD="$PRELOAD:$UBSAN_LIB"; fi
    RUN_ENV+=(
        PYTHONMALLOC=malloc
        "LD_PRELOAD=$PRELOAD"
        "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:symbolize=1:detect_stack_use_after_return=0:log_path=$WORK/sanitizer"
        "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$WORK/sanitizer"
    )
else
    # the debug switch of the suite: _check() after every operation
    # (tests/_march_check.py)
    RUN_ENV+=(PYTHONMALLOC=debug "MARCH_CHECK=${MARCH_CHECK:-1}")
fi

# the extensions really come from the private build
env "${RUN_ENV[@]}" "$PY" - "$WORK/tree/src" <<'EOF'
import importlib, os, sys
root = os.path.realpath(sys.argv[1])
for name in ("march._hamt", "march._rrb", "march._rrb4"):
    try:
        mod = importlib.import_module(name)
    except ImportError as exc:
        print("  %-12s not importable: %s" % (name, exc))
        continue
    path = os.path.realpath(mod.__file__)
    assert path.startswith(root), "%s comes from %s, not the private build" % (name, path)
    print("  %-12s %s" % (name, path))
EOF

if [ "$HAVE_K" = 0 ]; then
    PYTEST_ARGS+=(-k "not python")
fi
if [ "$HAVE_PATH" = 0 ]; then
    PYTEST_ARGS=("$ROOT/tests" "${PYTEST_ARGS[@]}")
fi

echo "=== sanitize.sh ($MODE): running the test suite ==="
set +e
# --capture=sys: pytest captures sys.stdout/stderr only, not file descriptors 1
# and 2, so that a report a sanitizer writes to fd 2 (UBSan ignores log_path
# when it shares the process with the ASan runtime) reaches pytest.log even
# when the process halts in the middle of a test.
(cd "$WORK" && env "${RUN_ENV[@]}" "$PY" -m pytest -q -p no:cacheprovider --capture=sys \
    --rootdir "$ROOT" -c "$ROOT/pyproject.toml" "${PYTEST_ARGS[@]}" 2>&1) \
    | tee "$WORK/pytest.log"
status=${PIPESTATUS[0]}
set -e

# The reports go to $WORK/sanitizer.<pid> (pytest captures the test's stderr,
# so a report written there could be lost when the process halts).
for f in "$WORK"/sanitizer.*; do
    [ -e "$f" ] || continue
    echo "--- sanitizer report $f ---"
    head -60 "$f"
    cat "$f" >> "$WORK/pytest.log"
done
if grep -Eq "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|SUMMARY: (Address|Undefined)" \
        "$WORK/pytest.log"; then
    echo "sanitize.sh: sanitizer report found in the output (see above)" >&2
    [ "$status" = 0 ] && status=1
fi
if [ "$status" -ne 0 ]; then
    echo "sanitize.sh ($MODE): FAILED (exit $status)" >&2
    exit "$status"
fi
echo "sanitize.sh ($MODE): OK"
