#!/usr/bin/env bash
# Valgrind memcheck of march's C extensions on a small workload.
#
#   tools/valgrind.sh [N_FUZZ_PROGRAMS]      (default 30)
#
# Builds the extensions (-O1 -g, assertions on: MARCH_DEBUG=1 plus -O1 via
# CFLAGS) from a private copy of the tree in a temporary directory (the checkout
# is not touched), then runs tools/valgrind_workload.py under
#   valgrind --tool=memcheck --leak-check=full
# with PYTHONMALLOC=malloc (every object allocation goes through malloc, so
# memcheck sees it).
#
# Verdict:
#   * any memcheck *error* (invalid read/write, use of uninitialised value,
#     invalid free) whose stack has a frame in a march extension fails;
#   * any "definitely lost" block whose allocation stack has a frame in a
#     march extension fails;
#   * leaks and errors of the interpreter itself (allocations that live until
#     exit, the unicode/import caches, ...) are counted and reported but do not
#     fail: they are noise for our purpose.  tools/valgrind-python.supp
#     suppresses the known ones.
# The full valgrind log is kept (its path is printed).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python}
NFUZZ=${1:-30}
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/march-valgrind.XXXXXX")
mkdir -p "$WORK/tree"
cp -R "$ROOT/src" "$ROOT/setup.py" "$ROOT/pyproject.toml" "$WORK/tree/"
[ -e "$ROOT/README.md" ] && cp "$ROOT/README.md" "$WORK/tree/"
find "$WORK/tree/src" \( -name '*.so' -o -name '__pycache__' \) -prune -exec rm -rf {} +
echo "=== valgrind.sh: building in $WORK ==="
(cd "$WORK/tree" && MARCH_DEBUG=1 CFLAGS="-O1 -g" "$PY" setup.py -q build_ext --inplace \
    -t "$WORK/build" > "$WORK/build.log" 2>&1) || { cat "$WORK/build.log"; exit 2; }
ls "$WORK"/tree/src/march/*.so

LOG=$WORK/valgrind.log
# the real interpreter binary (not a pyenv/venv shim script), so memcheck traces it
PYBIN=$("$PY" -c "import sys; print(sys.executable)")
echo "=== valgrind.sh: running the workload (slow: a few minutes) ==="
set +e
PYTHONPATH="$WORK/tree/src" PYTHONMALLOC=malloc \
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --num-callers=30 \
    --suppressions="$ROOT/tools/valgrind-python.supp" \
    --log-file="$LOG" \
    "$PYBIN" "$ROOT/tools/valgrind_workload.py" "$NFUZZ"
status=$?
set -e
if [ $status -ne 0 ] && ! grep -q "ERROR SUMMARY" "$LOG"; then
    echo "valgrind.sh: the workload failed (exit $status)" >&2
    tail -50 "$LOG" >&2
    exit 1
fi

set +e
"$PY" - "$LOG" "$ROOT/src/march/_core" <<'PYEOF'
import os, re, sys
log = open(sys.argv[1]).read()
# every C source of the core (hamt.c, map_object.c, rrb.c, ..., new ones too)
csrc = sorted(f for f in os.listdir(sys.argv[2]) if f.endswith(".c"))
# memcheck records are blocks of lines "==pid== ..." separated by blank ones
lines = [re.sub(r"^==\d+== ?", "", ln) for ln in log.splitlines()]
records, cur = [], []
for ln in lines:
    if ln.strip() == "":
        if cur:
            records.append(cur)
        cur = []
    else:
        cur.append(ln)
if cur:
    records.append(cur)
ext = re.compile(r"\(in [^)]*/march/_\w+\.cpython|\b(?:%s):"
                 % "|".join(re.escape(f) for f in csrc))
ours_err, ours_leak, other_err, other_leak = [], [], 0, 0
for rec in records:
    head = rec[0]
    text = "\n".join(rec)
    is_leak = "definitely lost" in head
    is_err = bool(re.match(r"(Invalid |Conditional jump|Use of uninitialised|Syscall param|"
                           r"Mismatched free|Source and destination overlap)", head))
    if not (is_leak or is_err):
        continue
    mine = bool(ext.search(text))
    if is_leak:
        (ours_leak.append(text) if mine else None)
        other_leak += 0 if mine else 1
    else:
        (ours_err.append(text) if mine else None)
        other_err += 0 if mine else 1
summary = [ln for ln in lines if "definitely lost:" in ln or "ERROR SUMMARY" in ln]
print("\n".join(summary))
print("march extension: %d error record(s), %d definite-leak record(s)" % (len(ours_err), len(ours_leak)))
print("interpreter/other (not failing): %d error record(s), %d definite-leak record(s)"
      % (other_err, other_leak))
for t in ours_err + ours_leak:
    print("-" * 70)
    print(t)
sys.exit(1 if ours_err or ours_leak else 0)
PYEOF
verdict=$?
echo "valgrind.sh: full log in $LOG"
exit $verdict
