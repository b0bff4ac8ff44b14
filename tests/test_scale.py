"""Scale and depth.

* ``test_ten_million_*``: a 10,000,000-entry map and vector (C core only) are
  built, queried, updated, iterated and dropped; peak RSS and times are
  printed (and appended as JSON lines to ``$MARCH_SCALE_REPORT`` when set;
  bench/notes-reliability.md records a run).  Only with
  ``MARCH_SCALE_TESTS=1``: they need ~2 GB of memory and minutes of CPU.
* ``test_deep_*`` (always): structures nested 100,000 levels deep through
  their values are freed without overflowing the C stack (deallocation must
  not recurse without bound: Py_TRASHCAN in C), and hash / == / repr /
  pickle / deepcopy / < of such structures succeed or raise RecursionError,
  never crash.

Each workload runs in a child process (``python tests/test_scale.py ...``) so
that a crash (stack overflow) fails the test instead of killing pytest, and so
that peak RSS belongs to that workload alone.
"""
import json
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.abspath(__file__)
SCALE = os.environ.get("MARCH_SCALE_TESTS", "") not in ("", "0")
PURE_ONLY = os.environ.get("MARCH_PURE_PYTHON", "") not in ("", "0")
N = int(os.environ.get("MARCH_SCALE_N", "10000000"))
DEPTH = 100000


def _child(*args, timeout=3600):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, HERE] + [str(a) for a in args], env=env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        pytest.fail("child %r exited with %d\nstdout:\n%s\nstderr:\n%s"
                    % (args, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    return proc.stdout


def _report(out):
    line = [ln for ln in out.splitlines() if ln.startswith("{")][-1]
    rec = json.loads(line)
    print(json.dumps(rec, indent=1))
    path = os.environ.get("MARCH_SCALE_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(rec) + "\n")
    return rec


scale_only = pytest.mark.skipif(
    not SCALE or PURE_ONLY,
    reason="10-million-entry tests run only with MARCH_SCALE_TESTS=1 (C core; "
           "~2 GB of memory, minutes of CPU)")


def _c_available(name):
    try:
        __import__(name)
    except ImportError as exc:
        if os.environ.get("MARCH_REQUIRE_C", "") not in ("", "0"):
            raise
        pytest.skip("%s is not built: %s" % (name, exc))


@scale_only
def test_ten_million_map():
    _c_available("march._hamt")
    rec = _report(_child("map", N))
    assert rec["n"] == N


@scale_only
def test_ten_million_map_str_keys():
    _c_available("march._hamt")
    rec = _report(_child("map", N, "str"))
    assert rec["n"] == N and rec["keys"] == "str"


@scale_only
def test_ten_million_vector():
    _c_available("march._rrb")
    rec = _report(_child("vector", N))
    assert rec["n"] == N


# ---------------------------------------------------------------------------
# deep nesting: always

DEEP_KINDS = ["vector", "vector-evolver", "map", "map-mutation", "mixed"]


@pytest.mark.parametrize("kind", DEEP_KINDS)
@pytest.mark.parametrize("impl", ["c", "python"])
def test_deep_nesting_is_freed(kind, impl):
    if impl == "c":
        if PURE_ONLY:
            pytest.skip("MARCH_PURE_PYTHON=1")
        if kind != "map" and kind != "map-mutation":
            _c_available("march._rrb")
        if kind != "vector" and kind != "vector-evolver":
            _c_available("march._hamt")
    out = _child("deep", kind, impl, DEPTH, timeout=600)
    assert "freed %d" % DEPTH in out


# Operations that walk a deep structure recursively must raise RecursionError
# (as the twin and builtins do), never overflow the C stack.
DEEP_OPS = "eq,repr,pickle,deepcopy,lt,hash"


@pytest.mark.parametrize("impl", ["c", "python"])
def test_deep_nesting_recursive_operations(impl):
    if impl == "c":
        if PURE_ONLY:
            pytest.skip("MARCH_PURE_PYTHON=1")
        _c_available("march._hamt")
        _c_available("march._rrb")
    ops = DEEP_OPS
    out = _child("deep-ops", "map,vector", impl, DEPTH, ops, timeout=600)
    for kind in ("map", "vector"):
        for op in ops.split(","):
            assert ("%s %s: " % (kind, op)) in out, out


# ---------------------------------------------------------------------------
# child workloads

def _rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cur_rss_mb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except OSError:
        return float("nan")


def _timer():
    t0 = [time.perf_counter()]

    def lap():
        t = time.perf_counter()
        dt = t - t0[0]
        t0[0] = t
        return round(dt, 5)
    return lap


def child_map(n, keytype="int"):
    import random
    import gc
    from march import _hamt
    rec = {"workload": "map", "impl": "march._hamt", "n": n, "keys": keytype}
    if keytype == "str":
        keys = ["k%d" % i for i in range(n)]
        values = list(range(n))
    else:
        keys = values = list(range(n))          # int keys double as values
    rec["rss_keys_mb"] = round(_cur_rss_mb(), 1)
    lap = _timer()
    mm = _hamt.Map().mutate()
    for k, v in zip(keys, values):
        mm[k] = v
    m = mm.finish()
    del mm
    rec["build_mutation_s"] = lap()
    assert len(m) == n
    rec["rss_after_build_mb"] = round(_cur_rss_mb(), 1)
    rec["structure_mb"] = round(rec["rss_after_build_mb"] - rec["rss_keys_mb"], 1)
    rnd = random.Random(1)
    sample = [rnd.randrange(n) for _ in range(200000)]
    probe = [keys[i] for i in sample]
    lap()
    for i, k in zip(sample, probe):
        if m[k] != values[i]:
            raise AssertionError(k)
    rec["get_hit_200k_s"] = lap()
    miss = [("absent", i) for i in range(200000)] if keytype == "str" else \
        [n + i for i in range(200000)]
    lap()
    for k in miss:
        if k in m:
            raise AssertionError(k)
    rec["get_miss_200k_s"] = lap()
    m2 = m
    for k in probe[:100000]:
        m2 = m2.set(k, -1)
    rec["persistent_set_100k_s"] = lap()
    for i, k in zip(sample[:1000], probe[:1000]):
        assert m2[k] == -1 and m[k] == values[i]
    m3 = m2
    for k in probe[100000:150000]:
        m3 = m3.discard(k)
    rec["persistent_discard_50k_s"] = lap()
    mm = m.mutate()
    for k in keys[: n // 10]:
        mm[k] = None
    m4 = mm.finish()
    del mm
    rec["mutation_update_%d_s" % (n // 10)] = lap()
    assert len(m4) == n and m4[keys[0]] is None and m[keys[0]] == values[0]
    cnt = tot = 0
    for k, v in m.items():
        cnt += 1
        tot += v
    assert cnt == n and tot == n * (n - 1) // 2
    rec["iterate_items_s"] = lap()
    assert len(m3) == len(m) - len(set(sample[100000:150000]))
    assert m2 != m
    h = hash(m)
    rec["hash_s"] = lap()
    assert h == hash(m)
    rec["rss_peak_mb"] = round(_rss_mb(), 1)
    del m, m2, m3, m4
    gc.collect()
    rec["drop_s"] = lap()
    rec["rss_after_drop_mb"] = round(_cur_rss_mb(), 1)
    m = _hamt.Map()
    p = m
    lap()
    for k in keys[: n // 10]:
        p = p.set(k, k)
    rec["build_persistent_%d_s" % (n // 10)] = lap()
    del p
    rec["rss_peak_mb"] = round(_rss_mb(), 1)
    print(json.dumps(rec))


def child_vector(n):
    import random
    import gc
    from march import _rrb
    rec = {"workload": "vector", "impl": "march._rrb", "n": n}
    items = list(range(n))
    rec["rss_items_mb"] = round(_cur_rss_mb(), 1)
    lap = _timer()
    v = _rrb.vector(items)
    rec["build_vector(list)_s"] = lap()
    assert len(v) == n
    rec["rss_after_build_mb"] = round(_cur_rss_mb(), 1)
    rec["structure_mb"] = round(rec["rss_after_build_mb"] - rec["rss_items_mb"], 1)
    e = _rrb.vector().evolver()
    for x in items[: n // 10]:
        e.append(x)
    w = e.persistent()
    del e
    rec["build_evolver_append_%d_s" % (n // 10)] = lap()
    assert len(w) == n // 10
    p = _rrb.vector()
    for x in items[: n // 10]:
        p = p.append(x)
    rec["build_persistent_append_%d_s" % (n // 10)] = lap()
    assert p == w
    del p, w
    rnd = random.Random(2)
    idx = [rnd.randrange(n) for _ in range(200000)]
    lap()
    for i in idx:
        if v[i] != i:
            raise AssertionError(i)
    rec["get_200k_s"] = lap()
    v2 = v
    for i in idx[:100000]:
        v2 = v2.set(i, -1)
    rec["persistent_set_100k_s"] = lap()
    for i in idx[:1000]:
        assert v2[i] == -1 and v[i] == i
    tot = 0
    for x in v:
        tot += x
    assert tot == n * (n - 1) // 2
    rec["iterate_s"] = lap()
    a, b = v.split(n // 3)
    c = b + a
    rec["split_and_concat_s"] = lap()
    c._check() if n <= 10 ** 6 else None
    assert len(c) == n and c[0] == n // 3 and c[-1] == n // 3 - 1
    s = v[n // 4: 3 * n // 4]
    assert len(s) == n // 2 and s[0] == n // 4
    ins = v.insert(n // 2, "x")
    assert ins[n // 2] == "x" and ins[n // 2 + 1] == n // 2 and len(ins) == n + 1
    rec["slice_insert_s"] = lap()
    rec["rss_peak_mb"] = round(_rss_mb(), 1)
    del v, v2, a, b, c, s, ins
    gc.collect()
    rec["drop_s"] = lap()
    rec["rss_after_drop_mb"] = round(_cur_rss_mb(), 1)
    print(json.dumps(rec))


def child_deep(kind, impl, depth):
    import importlib
    import gc
    sys.path.insert(0, os.path.dirname(HERE))
    from conftest import MAP_IMPLS, VECTOR_IMPLS
    M = importlib.import_module(MAP_IMPLS[impl]) if "map" in kind or kind == "mixed" else None
    V = importlib.import_module(VECTOR_IMPLS[impl]) if "vector" in kind or kind == "mixed" else None
    bottom = []
    bottom.append(bottom)                 # a reference cycle at the very bottom
    if kind == "vector":
        x = V.v(bottom)
        for i in range(depth):
            x = V.v(x, i) if i % 2 else V.vector([x])
    elif kind == "vector-evolver":
        base = V.vector(range(40))
        x = V.v(bottom)
        for i in range(depth):
            e = base.evolver()
            e[i % 40] = x
            x = e.persistent()
    elif kind == "map":
        x = M.Map({"bottom": bottom})
        for i in range(depth):
            x = M.Map({"k": x}) if i % 2 else x.set(i, x).delete(i).set("k", x)
    elif kind == "map-mutation":
        base = M.Map({j: j for j in range(40)})
        x = M.Map({"bottom": bottom})
        for i in range(depth):
            mm = base.mutate()
            mm[i % 40] = x
            x = mm.finish()
    else:
        x = V.v(bottom)
        for i in range(depth):
            x = M.Map({"v": x}) if i % 2 else V.v(x)
    gc.collect()
    del x
    gc.collect()
    print("freed %d" % depth)


def child_deep_ops(kinds, impl, depth, ops):
    """For each kind, build two equal structures ``depth`` levels deep; each
    op in ``ops`` must succeed or raise RecursionError."""
    import copy
    import importlib
    import pickle
    sys.path.insert(0, os.path.dirname(HERE))
    from conftest import MAP_IMPLS, VECTOR_IMPLS
    for kind in kinds.split(","):
        mod = importlib.import_module((MAP_IMPLS if kind == "map" else VECTOR_IMPLS)[impl])

        def build():
            x = mod.Map({"leaf": 1}) if kind == "map" else mod.v(1)
            for _ in range(depth):
                x = mod.Map({"k": x}) if kind == "map" else mod.v(x)
            return x

        a, b = build(), build()
        fns = {"hash": lambda: hash(a), "eq": lambda: a == b, "repr": lambda: repr(a),
               "pickle": lambda: pickle.dumps(a), "deepcopy": lambda: copy.deepcopy(a),
               "lt": lambda: a < b if kind == "vector" else a != b}
        for op in ops.split(","):
            sys.stdout.write("%s %s: " % (kind, op))
            sys.stdout.flush()
            try:
                fns[op]()
                print("ok", flush=True)
            except RecursionError:
                print("RecursionError", flush=True)
        del a, b


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "map":
        child_map(int(sys.argv[2]), *sys.argv[3:4])
    elif what == "vector":
        child_vector(int(sys.argv[2]))
    elif what == "deep":
        child_deep(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif what == "deep-ops":
        child_deep_ops(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        raise SystemExit("unknown workload %r" % what)
