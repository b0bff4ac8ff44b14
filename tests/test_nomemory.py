"""Allocation-failure injection into the C core (``_testcapi.set_nomemory``).

For each operation of ``Map`` / ``MapMutation`` / ``Set`` / ``SetEvolver``
(``march._hamt``) and ``Vector`` / ``VectorEvolver`` (``march._rrb`` and
``march._rrb4``) this sweeps the failure point: for ``start = 0, 1, 2, ...``

* the inputs are built outside the failure window and pre-bound (method and
  arguments), and the free lists that would hide allocations are drained
  (see ``Drainer``);
* ``_testcapi.set_nomemory(start, 0)``: every allocation from the
  ``start``-th on fails; the operation runs; ``_testcapi.remove_mem_hooks()``;
* then: the exception, if any, is a ``MemoryError`` (or derives from / is
  chained from one; a ``SystemError`` is always a bug: "error return without
  exception set" or "returned a result with an exception set"); the inputs
  still hold what they held (compared with a snapshot) and pass ``_check()``;
  a result equals the same operation on a dict / list / set model and passes
  ``_check()``; after a failure the same operation run normally on the same
  inputs gives the right result; an evolver or mutation whose edit failed
  holds either its old or its new contents, passes ``_check()`` where it has one,
  and takes a further edit and ``persistent()`` / ``finish()`` with the
  right contents; no unraisable exception other than a MemoryError;
* the sweep stops at the first ``start`` at which the operation succeeds.

The cyclic GC is off inside the window (determinism) and the MARCH_CHECK
profile hook (tests/_march_check.py) is suspended during a sweep.

Bugs this test found, now fixed and kept as cases: ``MapMutation.finish()``
failing with MemoryError used to close the mutation all the same
(``finish_then_edit``); ``VectorEvolver.extend()`` used to keep the elements
appended before a MemoryError (the ``extend`` cases).  The ``*_XFAIL`` tables
are for bugs found later: op -> reason, run as strict xfails.

Up to ``DENSE`` every failure point is tried; an operation with more
allocations than that (building a 40,000-element vector, ``repr`` of a map
of 2,000 keys ...) is sampled: its last allocation is found by bisection and
``SAMPLES`` more failure points are spread between ``DENSE`` and it, the
last ``TAIL`` of them all included.  Environment knobs:
``MARCH_NOMEM_DENSE`` / ``MARCH_NOMEM_SAMPLES`` / ``MARCH_NOMEM_TAIL``.

The ``*_leaks`` tests check that the failing paths release what they took:
at a few failure points of a representative set of operations the same
failing call is repeated and the live blocks / GC-tracked objects must not
grow with the number of calls (see "leaks on the failing paths" below;
knobs ``MARCH_NOMEM_LEAK_ROUNDS`` / ``MARCH_NOMEM_LEAK_POINTS``,
``MARCH_NOMEM_LEAK_VERBOSE=1`` prints the counts).

C core only: skipped with the pure-Python twin (``MARCH_PURE_PYTHON=1``,
``march.IMPLEMENTATION != "c"``) and when ``_testcapi.set_nomemory`` is not
available.
"""
import gc
import importlib
import os
import pickle
import random
import sys
import sysconfig
import traceback

import pytest

import march
from conftest import PURE_ONLY
from _keys import HKey

if PURE_ONLY or march.IMPLEMENTATION != "c":
    pytest.skip("allocation-failure injection tests the C core only",
                allow_module_level=True)
if sysconfig.get_config_var("Py_GIL_DISABLED"):
    # CPython 3.13t's PyList_New frees a list with stale items when its
    # array cannot be allocated (gh-152125, gh-118331): a sweep of failing
    # allocations then corrupts mimalloc's heap, with or without march
    # loaded.  The C error paths run here on every GIL build, and under
    # AddressSanitizer.
    pytest.skip("allocation-failure injection crashes CPython 3.13t itself "
                "(PyList_New's failure path, gh-152125)", allow_module_level=True)
_testcapi = pytest.importorskip("_testcapi")
if not (hasattr(_testcapi, "set_nomemory") and hasattr(_testcapi, "remove_mem_hooks")):
    pytest.skip("_testcapi.set_nomemory is not available", allow_module_level=True)

_set_nomemory = _testcapi.set_nomemory
_remove_mem_hooks = _testcapi.remove_mem_hooks

DENSE = int(os.environ.get("MARCH_NOMEM_DENSE", "120"))
SAMPLES = int(os.environ.get("MARCH_NOMEM_SAMPLES", "80"))
TAIL = int(os.environ.get("MARCH_NOMEM_TAIL", "20"))

H = importlib.import_module("march._hamt")
VECTOR_MODULES = ["march._rrb", "march._rrb4"]


# ---------------------------------------------------------------------------
# the failure window

class Bug(AssertionError):
    pass


def _window(func, args, start):
    """func(*args) with every allocation from the start-th on failing."""
    res = exc = None
    gc.disable()
    _set_nomemory(start, 0)
    try:
        res = func(*args)
    except BaseException as e:  # noqa: BLE001
        exc = e
    finally:
        _remove_mem_hooks()
        gc.enable()
    return res, exc


def _from_memoryerror(exc):
    """MemoryError, or an exception caused by / raised while handling one."""
    if isinstance(exc, SystemError):
        return False
    seen = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, MemoryError):
            return True
        todo += [e.__cause__, e.__context__]
    return False


def _fmt(exc):
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _struct_check(x):
    """_check() every march structure in x (tuples walked)."""
    if isinstance(x, tuple):
        for y in x:
            _struct_check(y)
    elif hasattr(x, "_check") and type(x).__module__.startswith("march."):
        x._check()


def model_of(x):
    """A plain model of a result: Vector -> list, Map -> dict, Set -> set."""
    if isinstance(x, tuple):
        return tuple(model_of(y) for y in x)
    name = type(x).__name__
    if name == "Vector":
        return list(x)
    if name == "Map":
        return dict(x.items())
    if name == "Set":
        return set(x)
    return x


def _first_success(fails, lo, hi, name):
    """The first failure point at which an operation succeeds, given that it
    fails at ``lo`` (``fails(k)``: it raised with every allocation from the
    k-th on failing): doubling from ``hi``, then bisection."""
    while fails(hi):
        lo, hi = hi, 2 * hi
        if hi > 1 << 26:
            raise Bug("%s: still failing at allocation %d" % (name, lo))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fails(mid):
            lo = mid
        else:
            hi = mid
    return hi


class Sweep:
    """One operation, swept over the failure points.

    prepare() -> (func, args, ctx): built outside the window, fresh per try
    check(ctx, res, exc, start): the verification after the window
    """

    def __init__(self, name, prepare, check, drain):
        self.name = name
        self.prepare = prepare
        self.check = check
        self.drain = drain
        self.tries = 0
        self.failures = 0
        self.unraisable = []

    def attempt(self, start):
        func, args, ctx = self.prepare()
        held = self.drain()
        res, exc = _window(func, args, start)
        del held
        self.tries += 1
        if exc is not None:
            self.failures += 1
            if not _from_memoryerror(exc):
                raise Bug("%s, allocation %d failing: %s, not a MemoryError:\n%s"
                          % (self.name, start, type(exc).__name__, _fmt(exc)))
        try:
            self.check(ctx, res, exc, start)
        except AssertionError as e:
            raise Bug("%s, allocation %d failing (%s): %s"
                      % (self.name, start,
                         "raised %r" % (exc,) if exc is not None else "succeeded",
                         e)) from e
        return exc is None

    def run(self):
        old_hook = sys.unraisablehook
        old_prof = sys.getprofile()
        sys.unraisablehook = self.unraisable.append
        sys.setprofile(None)   # MARCH_CHECK=1: no checker inside the window
        try:
            last = self._run()
        finally:
            sys.unraisablehook = old_hook
            sys.setprofile(old_prof)
        bad = [u for u in self.unraisable if not _from_memoryerror(u.exc_value)]
        if bad:
            raise Bug("%s: unraisable exception(s): %s"
                      % (self.name, [(u.exc_value, u.object) for u in bad]))
        return last

    def _run(self):
        for start in range(DENSE):
            if self.attempt(start):
                return start
        # more allocations than DENSE: find the last one, then sample
        hi = _first_success(lambda k: not self.attempt(k), DENSE - 1, 2 * DENSE,
                            self.name)
        rng = random.Random(hi)
        span = range(DENSE, max(DENSE, hi - TAIL))
        points = set(range(max(DENSE, hi - TAIL), hi))
        if len(span) > SAMPLES:
            points.update(rng.sample(span, SAMPLES))
        else:
            points.update(span)
        for start in sorted(points):
            self.attempt(start)
        return hi


# ---------------------------------------------------------------------------
# free lists: drained before each try, so that each allocation can fail

class Drainer:
    """Objects that, held during the window, empty the C core's free lists.

    march._hamt: bitmap nodes by slot count (1..64, up to 16 each) and Map
    objects (64); march._rrb / _rrb4: nodes of each of the four kinds (256
    each) and Vector objects (64); CPython's tuple (sizes 1-3), list and dict
    free lists.  Each held object is a persistent set() on a small base that
    allocates fresh nodes of the wanted sizes.
    """

    def __init__(self, hamt=False, vmod=None):
        self.hbases = []
        if hamt:
            for k in range(1, 33):      # root of 2k slots (k entries)
                self.hbases.append(H.Map({i: i for i in range(k)}))
            for k in range(0, 32):      # root of 2k+1 slots (k entries, 1 child)
                d = {i: i for i in range(1, k + 1)}
                d[0] = 0
                d[32] = 32
                self.hbases.append(H.Map(d))
        self.vbases = []
        if vmod is not None:
            self.vbases = [
                vmod.vector(range(2000)),                    # Leaf, Inner
                vmod.vector([[i] for i in range(2000)]),      # LeafGC, Inner
                vmod.vector(range(33)) + vmod.vector(range(77)),  # RelaxedInner
            ]

    def __call__(self):
        held = [(i,) for i in range(2001)]
        held += [(i, i) for i in range(2001)]
        held += [(i, i, i) for i in range(2001)]
        held += [[] for _ in range(81)]
        held += [{} for _ in range(81)]
        for b in self.hbases:
            for _ in range(16):
                held.append(b.set(0, -1))
        for b in self.vbases:
            for _ in range(260):
                held.append(b.set(0, None))
        return held


@pytest.mark.parametrize("which", ["hamt", "march._rrb", "march._rrb4"])
def test_drainer_empties_free_lists(which):
    """With the free lists drained, a persistent set() allocates each node of
    its path and its result object: as many failure points (without the
    drainer the free lists serve them and the first allocation is the last)."""
    if which == "hamt":
        x = H.Map({i: i for i in range(2048)})
        func, args, want = x.set, (5, -1), x._depth() + 1
        drain = Drainer(hamt=True)
    else:
        mod = importlib.import_module(which)
        x = mod.vector(range(1100))
        # the inner nodes of the path, the leaf and the Vector; a raw leaf
        # taken from march's own slabs (mod._RAW_SLABS) cannot be made to fail
        func, args, want = x.set, (5, -1), x._height() + 2 - mod._RAW_SLABS
        drain = Drainer(vmod=mod)
    sw = Sweep("set", lambda: (func, args, None), lambda *a: None, drain)
    assert sw.run() == want


# ---------------------------------------------------------------------------
# checks shared by the persistent and the transient operations

def _snap(x):
    name = type(x).__name__
    if name == "Vector":
        return ("V", list(x))
    if name == "Map":
        return ("M", dict(x.items()), len(x))
    if name == "Set":
        return ("S", set(x), len(x))
    if isinstance(x, list):
        return ("L", list(x))
    if isinstance(x, dict):
        return ("D", dict(x))
    return ("X", x)


def persistent_sweep(name, inputs, func, args, expect, drain):
    """A persistent operation on unchanging inputs.

    expect: the model of the result, or a callable verify(res) that raises
    AssertionError.
    """
    snaps = [_snap(x) for x in inputs]

    def verify(res):
        _struct_check(res)
        if callable(expect):
            expect(res)
        else:
            got = model_of(res)
            assert got == expect, "wrong result: %s" % (_short(got, expect),)

    def check(ctx, res, exc, start):
        for x, s in zip(inputs, snaps):
            assert _snap(x) == s, "input %s changed" % (type(x).__name__,)
            _struct_check(x)
        if exc is None:
            verify(res)
        else:
            # the inputs still work: the same operation, normally
            verify(func(*args))

    sw = Sweep(name, lambda: (func, args, None), check, drain)
    return sw, sw.run()


def _short(got, want):
    if isinstance(got, list) and isinstance(want, list):
        if len(got) != len(want):
            return "length %d, expected %d" % (len(got), len(want))
        for i, (a, b) in enumerate(zip(got, want)):
            if a != b:
                return "at %d: %r, expected %r" % (i, a, b)
    s = "%r, expected %r" % (got, want)
    return s if len(s) < 400 else s[:400] + "..."


# ---------------------------------------------------------------------------
# data

def map_data():
    d = {}
    for i in range(1000):
        d[i * 7] = i
    for i in range(1000):
        d["k%d" % i] = "v%d" % i
    # colliding hashes: the same full hash as the int 7 (a collision node
    # mixing an int and HKeys), and keys sharing the hash 1 << 40
    for name in "xyz":
        d[HKey(name, 7)] = name
    for name in "abc":
        d[HKey(name, 1 << 40)] = name
    return d


def gc_map_data():
    d = {i: [i] for i in range(300)}
    d[HKey("g", 5)] = ["g"]
    d[HKey("h", 5)] = ["h"]
    return d


NEW_INT = 10 ** 6 + 3
NEW_STR = "brand-new-key"
NEW_HKEY = HKey("d", 1 << 40)       # joins the collision node of a, b, c
for _k in (NEW_INT, NEW_STR, NEW_HKEY):
    hash(_k)


@pytest.fixture(scope="module")
def menv():
    d = map_data()
    gd = gc_map_data()
    env = {
        "d": d,
        "m": H.Map(d),
        "m2": H.Map(d),          # equal, built separately
        "gd": gd,
        "gm": H.Map(gd),
        "drain": Drainer(hamt=True),
    }
    other = {}
    for i in range(500, 1500):
        other[i * 7] = -i
    for i in range(900, 1100):
        other["k%d" % i] = "w%d" % i
    other[HKey("a", 1 << 40)] = "A"
    other[HKey("y", 7)] = "Y"
    env["od"] = other
    env["om"] = H.Map(other)
    env["m"]._check()
    return env


def _setitems(d, *kv):
    d = dict(d)
    for i in range(0, len(kv), 2):
        d[kv[i]] = kv[i + 1]
    return d


def _without(d, *keys):
    d = dict(d)
    for k in keys:
        del d[k]
    return d


def _value_op(name, x, grown, as_model, model):
    """The hash / repr / pickle cases, alike for every structure, or None.
    grown() makes a fresh equal-shaped object at each try: its hash is not
    cached yet, and repr never runs twice on one object (see _fresh_repr)."""
    if name == "hash":
        return [x], lambda: hash(grown()), (), hash(grown())
    if name == "repr":
        return [x], lambda: repr(grown()), (), repr(grown())
    if name == "pickle_dumps":
        return ([x], pickle.dumps, (x,),
                lambda res: _eq(as_model(pickle.loads(res)), model))
    if name == "pickle_loads":
        return [x], pickle.loads, (pickle.dumps(x),), model
    return None


def _map_op(env, name):
    """(inputs, func, args, expect) of a persistent map operation."""
    m, d, om, od = env["m"], env["d"], env["om"], env["od"]
    gm, gd = env["gm"], env["gd"]
    pairs = list(d.items())
    upd = {NEW_INT: 1, "k5": "changed", 21: "changed", NEW_HKEY: 2, "k-new": 3}
    if name == "construct_dict":
        return [], H.Map, (d,), d
    if name == "construct_pairs":
        return [], H.Map, (pairs,), d
    if name == "construct_kwargs":
        kw = {"k%d" % i: i for i in range(200)}
        return [], lambda: H.Map(**kw), (), kw
    if name == "construct_gc":
        return [], H.Map, (gd,), gd
    if name == "set_new_int":
        return [m], m.set, (NEW_INT, 1), _setitems(d, NEW_INT, 1)
    if name == "set_new_str":
        return [m], m.set, (NEW_STR, 1), _setitems(d, NEW_STR, 1)
    if name == "set_new_colliding":
        return [m], m.set, (NEW_HKEY, 1), _setitems(d, NEW_HKEY, 1)
    if name == "set_new_collision_with_int":
        k = HKey("w", 7)
        return [m], m.set, (k, 1), _setitems(d, k, 1)
    if name == "set_existing":
        return [m], m.set, ("k17", "x"), _setitems(d, "k17", "x")
    if name == "set_existing_colliding":
        k = HKey("b", 1 << 40)
        return [m], m.set, (k, "x"), _setitems(d, k, "x")
    if name == "set_gc":
        return [gm], gm.set, (NEW_INT, [1]), _setitems(gd, NEW_INT, [1])
    if name == "set_gc_existing":
        return [gm], gm.set, (3, [2]), _setitems(gd, 3, [2])
    if name == "delete_int":
        return [m], m.delete, (49,), _without(d, 49)
    if name == "delete_str":
        return [m], m.delete, ("k999",), _without(d, "k999")
    if name == "delete_colliding":
        k = HKey("c", 1 << 40)
        return [m], m.delete, (k,), _without(d, k)
    if name == "delete_from_int_collision":
        return [m], m.delete, (7,), _without(d, 7)
    if name == "delete_gc":
        k = HKey("g", 5)
        return [gm], gm.delete, (k,), _without(gd, k)
    if name == "discard_missing":
        return [m], m.discard, (NEW_STR,), d
    if name == "update_dict":
        return [m], m.update, (upd,), {**d, **upd}
    if name == "update_pairs":
        return [m], m.update, (list(upd.items()),), {**d, **upd}
    if name == "update_map":
        return [m, om], m.update, (om,), {**d, **od}
    if name == "update_kwargs":
        return [m], lambda: m.update(k1="a", zz="b"), (), {**d, "k1": "a", "zz": "b"}
    if name == "or_dict":
        return [m], m.__or__, (upd,), {**d, **upd}
    if name == "or_map":
        return [m, om], m.__or__, (om,), {**d, **od}
    if name == "union":
        return [m, om], m.union, (om,), {**d, **od}
    if name == "union_combine":
        f = lambda k, a, b: (a, b)  # noqa: E731
        want = dict(d)
        for k, v in od.items():
            want[k] = (d[k], v) if k in d else v
        return [m, om], m.union, (om, f), want
    if name == "intersection":
        return [m, om], m.intersection, (om,), {k: v for k, v in d.items() if k in od}
    if name == "difference":
        return [m, om], m.difference, (om,), {k: v for k, v in d.items() if k not in od}
    if name == "symmetric_difference":
        want = {k: v for k, v in d.items() if k not in od}
        want.update((k, v) for k, v in od.items() if k not in d)
        return [m, om], m.symmetric_difference, (om,), want
    if name == "diff":
        m3 = m.set("k1", "changed").delete(14).set(NEW_STR, 0)
        want = sorted(map(repr, m3.diff(m)))
        assert len(want) == 3
        return ([m, m3], lambda: list(m3.diff(m)), (),
                lambda res: _eq(sorted(map(repr, res)), want))
    if name == "filter":
        f = lambda k, v: isinstance(k, int) and k % 2 == 0  # noqa: E731
        return [m], m.filter, (f,), {k: v for k, v in d.items() if f(k, v)}
    if name == "map_values":
        f = repr
        return [m], m.map_values, (f,), {k: repr(v) for k, v in d.items()}
    if name == "from_keys":
        keys = list(d)
        return [], H.Map.from_keys, (keys, 0), dict.fromkeys(keys, 0)
    if name == "eq_equal":
        return [m, env["m2"]], m.__eq__, (env["m2"],), True
    if name == "eq_different":
        m3 = m.set("k500", "other")
        return [m, m3], m.__eq__, (m3,), False
    if name == "iter":
        want = list(m)
        assert set(want) == set(d)
        return [m], lambda: list(m), (), want
    if name == "keys":
        want = list(m.keys())
        return [m], lambda: list(m.keys()), (), want
    if name == "values":
        want = list(m.values())
        assert sorted(map(repr, want)) == sorted(map(repr, d.values()))
        return [m], lambda: list(m.values()), (), want
    if name == "items":
        want = list(m.items())
        assert dict(want) == d
        return [m], lambda: list(m.items()), (), want
    case = _value_op(name, m, lambda: m.set(NEW_STR, 0),
                     lambda r: dict(r.items()), d)
    if case is None:
        raise KeyError(name)
    return case


# _fresh_repr: repr() runs on a fresh object at each try, never twice on the
# same one.  CPython's Py_ReprLeave (3.11) cannot take the object off the
# thread's repr-recursion list when that list's shrinking realloc fails (it
# swallows the error); the object then stays marked "being repr'd" for good
# and every later repr() of it is "...({...})".  Builtin lists have the same
# problem (/tmp/cpython_reprleave.py): an interpreter limitation, not march's.


def _eq(got, want):
    assert got == want, "wrong result: %s" % (_short(got, want),)


MAP_OPS = [
    "construct_dict", "construct_pairs", "construct_kwargs", "construct_gc",
    "set_new_int", "set_new_str", "set_new_colliding",
    "set_new_collision_with_int", "set_existing", "set_existing_colliding",
    "set_gc", "set_gc_existing",
    "delete_int", "delete_str", "delete_colliding", "delete_from_int_collision",
    "delete_gc", "discard_missing",
    "update_dict", "update_pairs", "update_map", "update_kwargs",
    "or_dict", "or_map", "union", "union_combine", "intersection",
    "difference", "symmetric_difference", "diff", "filter", "map_values",
    "from_keys", "eq_equal", "eq_different", "hash", "repr",
    "iter", "keys", "values", "items", "pickle_dumps", "pickle_loads",
]


def _xfail(request, table, *keys):
    """A strict xfail when the first of keys that table (known bugs:
    key -> reason) holds is there; more specific keys come first."""
    for k in keys:
        if k in table:
            request.applymarker(pytest.mark.xfail(strict=True, reason=table[k]))
            return


# known bugs: op name -> reason (strict xfail)
MAP_XFAIL = {}


@pytest.mark.parametrize("op", MAP_OPS)
def test_map_nomemory(menv, op, request):
    _xfail(request, MAP_XFAIL, op)
    inputs, func, args, expect = _map_op(menv, op)
    sw, last = persistent_sweep("Map." + op, inputs, func, args, expect, menv["drain"])
    assert sw.failures > 0 or last == 0


# ---------------------------------------------------------------------------
# MapMutation

class _Missing:
    pass


MISSING = _Missing()


def _mutation_state(mm, keys):
    return len(mm), {k: mm.get(k, MISSING) for k in keys}


def _mm_op(env, name, gc_map=False):
    """(base, pre-edits, func-maker, model-after, result-expect)."""
    d = env["gd"] if gc_map else env["d"]
    upd = {NEW_INT: 1, "k5": "changed", 21: "changed", NEW_HKEY: 2, "k-new": 3}
    if name == "set_new":
        return (lambda mm: (mm.set, (NEW_INT, 5))), _setitems(d, NEW_INT, 5), None
    if name == "set_new_colliding":
        return (lambda mm: (mm.set, (NEW_HKEY, 5))), _setitems(d, NEW_HKEY, 5), None
    if name == "setitem_existing":
        k = 3 if gc_map else "k3"
        return (lambda mm: (mm.__setitem__, (k, "x"))), _setitems(d, k, "x"), None
    if name == "delete":
        k = 7 if gc_map else 49
        return (lambda mm: (mm.delete, (k,))), _without(d, k), None
    if name == "delete_colliding":
        k = HKey("g", 5) if gc_map else HKey("b", 1 << 40)
        return (lambda mm: (mm.delete, (k,))), _without(d, k), None
    if name == "pop":
        k = 8 if gc_map else "k8"
        return (lambda mm: (mm.pop, (k,))), _without(d, k), d[k]
    if name == "pop_default":
        return (lambda mm: (mm.pop, (NEW_STR, "dflt"))), d, "dflt"
    if name == "update":
        return (lambda mm: (mm.update, (upd,))), {**d, **upd}, None
    if name == "update_pairs":
        return (lambda mm: (mm.update, (list(upd.items()),))), {**d, **upd}, None
    if name in ("finish", "finish_then_edit"):
        return (lambda mm: (mm.finish, ())), d, "finish"
    raise KeyError(name)


MM_OPS = ["set_new", "set_new_colliding", "setitem_existing", "delete",
          "delete_colliding", "pop", "pop_default", "update", "update_pairs",
          "finish", "finish_then_edit"]
MM_XFAIL = {}


@pytest.mark.parametrize("pre", ["fresh", "edited"])
@pytest.mark.parametrize("gc_map", [False, True], ids=["atomic", "gc"])
@pytest.mark.parametrize("op", MM_OPS)
def test_map_mutation_nomemory(menv, op, gc_map, pre, request):
    _xfail(request, MM_XFAIL, op)
    base = menv["gm"] if gc_map else menv["m"]
    base_model = dict(base.items())
    pre_kv = (("pre-a", 1), (11 * 7, "pre"), (HKey("pre", 1 << 40), 2))
    if pre == "edited":
        before = dict(base_model)
        before.update(pre_kv)
    else:
        before = base_model
    env = dict(menv)
    if gc_map:
        env["gd"] = before
    else:
        env["d"] = before
    maker, after, result = _mm_op(env, op, gc_map)
    keys = set(before) | set(after) | {"after-edit"}
    base_snap = _snap(base)

    def prepare():
        mm = base.mutate()
        if pre == "edited":
            for k, v in pre_kv:
                mm[k] = v
        func, args = maker(mm)
        return func, args, mm

    def check(mm, res, exc, start):
        assert _snap(base) == base_snap, "the map mutated from changed"
        base._check()
        if op.startswith("finish"):
            if exc is None:
                _struct_check(res)
                assert dict(res.items()) == before
                return
            # a failed finish: the contents are intact, finish() again works
            n, state = _mutation_state(mm, keys)
            assert (n, state) == _mutation_state_model(before, keys), "finish changed it"
            if op == "finish_then_edit":
                # and the mutation is still open: it takes a further edit
                mm["after-edit"] = 1
                m = mm.finish()
                m._check()
                _eq(dict(m.items()), {**before, "after-edit": 1})
            else:
                m = mm.finish()
                m._check()
                _eq(dict(m.items()), before)
            return
        if exc is None:
            if result is not None:
                assert res == result, "returned %r, expected %r" % (res, result)
            state = _mutation_state(mm, keys)
            assert state == _mutation_state_model(after, keys), "wrong contents"
            now = after
        else:
            state = _mutation_state(mm, keys)
            if state == _mutation_state_model(before, keys):
                # unchanged: redo the edit normally
                func, args = maker(mm)
                r = func(*args)
                if result is not None:
                    assert r == result
                assert _mutation_state(mm, keys) == _mutation_state_model(after, keys)
            else:
                assert state == _mutation_state_model(after, keys), \
                    "a failed edit left neither the old nor the new contents"
            now = after
        mm["after-edit"] = 1
        m = mm.finish()
        m._check()
        _eq(dict(m.items()), {**now, "after-edit": 1})

    sw = Sweep("MapMutation.%s (%s, %s)" % (op, pre, "gc" if gc_map else "atomic"),
               prepare, check, menv["drain"])
    sw.run()


def _mutation_state_model(d, keys):
    return len(d), {k: d.get(k, MISSING) for k in keys}


# ---------------------------------------------------------------------------
# Set

@pytest.fixture(scope="module")
def senv():
    elems = list(range(0, 7000, 7)) + ["e%d" % i for i in range(1000)]
    elems += [HKey(n, 7) for n in "xyz"] + [HKey(n, 1 << 40) for n in "abc"]
    other = list(range(3500, 10500, 7)) + ["e%d" % i for i in range(900, 1200)]
    other += [HKey("y", 7), HKey("q", 1 << 40)]
    return {
        "e": elems, "se": set(elems), "s": H.Set(elems), "s2": H.Set(elems),
        "o": other, "so": set(other), "os": H.Set(other),
        "drain": Drainer(hamt=True),
    }


def _set_op(env, name):
    s, se, os_, so, o = env["s"], env["se"], env["os"], env["so"], env["o"]
    e = env["e"]
    if name == "construct_list":
        return [], H.Set, (e,), se
    if name == "construct_iter":
        return [], lambda: H.Set(iter(e)), (), se
    if name == "s_function":
        small = e[:300]
        return [], H.s, tuple(small), set(small)
    if name == "add_new":
        return [s], s.add, (NEW_INT,), se | {NEW_INT}
    if name == "add_colliding":
        return [s], s.add, (NEW_HKEY,), se | {NEW_HKEY}
    if name == "add_existing":
        return [s], s.add, ("e5",), se
    if name == "discard":
        return [s], s.discard, (14,), se - {14}
    if name == "discard_colliding":
        k = HKey("b", 1 << 40)
        return [s], s.discard, (k,), se - {k}
    if name == "discard_missing":
        return [s], s.discard, (NEW_STR,), se
    if name == "remove":
        return [s], s.remove, ("e7",), se - {"e7"}
    if name == "update_list":
        return [s], s.update, (o,), se | so
    if name in ("union", "intersection", "difference", "symmetric_difference"):
        want = getattr(se, name)(so)
        return [s, os_], getattr(s, name), (os_,), want
    if name in ("union_list", "intersection_list", "difference_list",
                "symmetric_difference_list"):
        meth = name[:-5]
        want = getattr(se, meth)(so)
        return [s], getattr(s, meth), (o,), want
    if name == "union_many":
        return [s, os_], s.union, (os_, o[:50], ["new"]), se | so | {"new"}
    if name in ("or", "and", "sub", "xor"):
        want = {"or": se | so, "and": se & so, "sub": se - so, "xor": se ^ so}[name]
        return [s, os_], getattr(s, "__%s__" % name), (os_,), want
    if name == "issubset_list":
        return [s], s.issubset, (e + o,), True
    if name == "eq_equal":
        return [s, env["s2"]], s.__eq__, (env["s2"],), True
    if name == "eq_frozenset":
        fs = frozenset(se)
        return [s], s.__eq__, (fs,), True
    if name == "iter":
        want = list(s)
        return [s], lambda: list(s), (), want
    case = _value_op(name, s, lambda: s.add(NEW_STR), set, se)
    if case is None:
        raise KeyError(name)
    return case


SET_OPS = [
    "construct_list", "construct_iter", "s_function", "add_new",
    "add_colliding", "add_existing", "discard", "discard_colliding",
    "discard_missing", "remove", "update_list", "union", "intersection",
    "difference", "symmetric_difference", "union_list", "intersection_list",
    "difference_list", "symmetric_difference_list", "union_many", "or", "and",
    "sub", "xor", "issubset_list", "eq_equal", "eq_frozenset", "hash", "repr",
    "iter", "pickle_dumps", "pickle_loads",
]
SET_XFAIL = {}


@pytest.mark.parametrize("op", SET_OPS)
def test_set_nomemory(senv, op, request):
    _xfail(request, SET_XFAIL, op)
    inputs, func, args, expect = _set_op(senv, op)
    persistent_sweep("Set." + op, inputs, func, args, expect, senv["drain"])


SET_EVOLVER_OPS = ["add_new", "add_colliding", "add_existing", "discard",
                   "discard_colliding", "remove", "persistent"]
SET_EVOLVER_XFAIL = {}


@pytest.mark.parametrize("pre", ["fresh", "edited"])
@pytest.mark.parametrize("op", SET_EVOLVER_OPS)
def test_set_evolver_nomemory(senv, op, pre, request):
    _xfail(request, SET_EVOLVER_XFAIL, op)
    s = senv["s"]
    base_snap = _snap(s)
    pre_add = ["pre-a", 5 * 7 + 1, HKey("pre", 1 << 40)]
    before = set(senv["se"])
    if pre == "edited":
        before.update(pre_add)
        before.discard(21)
    edits = {
        "add_new": ("add", NEW_INT), "add_colliding": ("add", NEW_HKEY),
        "add_existing": ("add", "e3"), "discard": ("discard", 28),
        "discard_colliding": ("discard", HKey("a", 1 << 40)),
        "remove": ("remove", "e9"), "persistent": ("persistent", None),
    }
    meth, arg = edits[op]
    if meth == "add":
        after = before | {arg}
    elif meth in ("discard", "remove"):
        after = before - {arg}
    else:
        after = before

    def prepare():
        ev = s.evolver()
        if pre == "edited":
            for x in pre_add:
                ev.add(x)
            ev.discard(21)
        f = getattr(ev, meth)
        return f, (() if arg is None else (arg,)), ev

    def check(ev, res, exc, start):
        assert _snap(s) == base_snap, "the set evolved from changed"
        s._check()
        if exc is None:
            if meth == "persistent":
                res._check()
                _eq(set(res), before)
            else:
                assert res is ev
        p = ev.persistent()
        p._check()
        got = set(p)
        assert len(ev) == len(got)
        if exc is not None and got == before and meth != "persistent":
            getattr(ev, meth)(arg)
            p = ev.persistent()
            got = set(p)
        assert got == after, "a failed edit left neither the old nor the new contents"
        ev.add("after-edit")
        q = ev.persistent()
        q._check()
        _eq(set(q), after | {"after-edit"})
        _eq(set(p), after)       # the earlier snapshot is not changed by later edits

    Sweep("SetEvolver.%s (%s)" % (op, pre), prepare, check, senv["drain"]).run()


# ---------------------------------------------------------------------------
# Vector

def _relaxed(mod, n, seed):
    """A vector of about n elements built by concatenating random pieces."""
    rng = random.Random(seed)
    pool = []
    total = 0
    while total < n:
        k = rng.choice([1, 2, 5, 17, 31, 33, 40, 63, 65, 100, 200])
        pool.append(mod.vector(range(total, total + k)))
        total += k
    while len(pool) > 1:
        i = rng.randrange(len(pool) - 1)
        pool[i:i + 2] = [pool[i] + pool[i + 1]]
    return pool[0]


@pytest.fixture(scope="module", params=VECTOR_MODULES, ids=["rrb", "rrb4"])
def venv(request):
    mod = importlib.import_module(request.param)
    r = _relaxed(mod, 3000, 1)
    assert [type(x).__name__ for x in gc.get_referents(r)][0] == "RelaxedInner"
    r._check()
    vecs = {
        "n1100": mod.vector(range(1100)),
        "n40000": mod.vector(range(40000)),
        "relaxed": r,
        "gc1100": mod.vector([[i] for i in range(1100)]),
    }
    return {"mod": mod, "vecs": vecs, "models": {k: list(v) for k, v in vecs.items()},
            "other": _relaxed(mod, 700, 2), "drain": Drainer(vmod=mod)}


EXT = list(range(-1, -101, -1))


def _del(L, *a):
    L = list(L)
    if len(a) == 1:
        del L[a[0]]
    else:
        del L[a[0]:a[1]]
    return L


def _vec_op(env, name, key):
    mod = env["mod"]
    v = env["vecs"][key]
    L = env["models"][key]
    n = len(L)
    other = env["other"]
    OL = list(other)
    if name == "construct_list":
        return [], mod.Vector, (L,), L
    if name == "construct_tuple":
        t = tuple(L)
        return [], mod.Vector, (t,), L
    if name == "construct_iter":
        return [], lambda: mod.Vector(iter(L)), (), L
    if name == "vector_function":
        return [], mod.vector, (L,), L
    if name == "append":
        return [v], v.append, ("x",), L + ["x"]
    if name == "append_gc":
        return [v], v.append, (["x"],), L + [["x"]]
    if name == "extend_list":
        return [v], v.extend, (EXT,), L + EXT
    if name == "extend_vector":
        return [v, other], v.extend, (other,), L + OL
    if name == "set_front":
        return [v], v.set, (3, "x"), L[:3] + ["x"] + L[4:]
    if name == "set_mid":
        return [v], v.set, (n // 2, "x"), L[:n // 2] + ["x"] + L[n // 2 + 1:]
    if name == "set_gc":
        return [v], v.set, (n // 2, ["x"]), L[:n // 2] + [["x"]] + L[n // 2 + 1:]
    if name == "set_tail":
        return [v], v.set, (-1, "x"), L[:-1] + ["x"]
    if name == "set_append":
        return [v], v.set, (n, "x"), L + ["x"]
    if name == "mset":
        want = list(L)
        for i, x in ((1, "a"), (n // 2, "b"), (-1, "c"), (n // 3, "d")):
            want[i] = x
        return [v], v.mset, (1, "a", n // 2, "b", -1, "c", n // 3, "d"), want
    if name == "delete_i":
        return [v], v.delete, (n // 3,), _del(L, n // 3)
    if name == "delete_last":
        return [v], v.delete, (-1,), L[:-1]
    if name == "delete_ij":
        i, j = n // 5, 3 * n // 5
        return [v], v.delete, (i, j), _del(L, i, j)
    if name == "delete_slice":
        sl = slice(10, n - 10, 7)
        want = list(L)
        del want[sl]
        return [v], v.delete, (sl,), want
    if name == "insert":
        i = n // 3
        return [v], v.insert, (i, "x"), L[:i] + ["x"] + L[i:]
    if name == "pop_mid":
        i = n // 2
        return [v], v.pop, (i,), (L[:i] + L[i + 1:], L[i])
    if name == "pop_last":
        return [v], v.pop, (), (L[:-1], L[-1])
    if name == "split":
        i = n // 3
        return [v], v.split, (i,), (L[:i], L[i:])
    if name == "slice":
        sl = slice(17, n - 40)
        return [v], v.__getitem__, (sl,), L[sl]
    if name == "slice_step":
        sl = slice(5, n - 5, 3)
        return [v], v.__getitem__, (sl,), L[sl]
    if name == "slice_neg_step":
        sl = slice(None, None, -7)
        return [v], v.__getitem__, (sl,), L[sl]
    if name == "add_vector":
        return [v, other], v.__add__, (other,), L + OL
    if name == "add_self":
        return [v], v.__add__, (v,), L + L
    if name == "add_list":
        return [v], v.__add__, (EXT,), L + EXT
    if name == "mul":
        return [v], v.__mul__, (3,), L * 3
    if name == "from_concat":
        return ([v, other], mod.Vector.from_concat, ([v, EXT, other, v],),
                L + EXT + OL + L)
    if name == "appendleft":
        return [v], v.appendleft, ("x",), ["x"] + L
    if name == "popleft":
        return [v], v.popleft, (), (L[1:], L[0])
    if name == "tolist":
        return [v], v.tolist, (), L
    if name == "eq":
        w = mod.vector(L)
        return [v, w], v.__eq__, (w,), True
    if name == "hash" and key.startswith("gc"):
        pytest.skip("unhashable elements")
    case = _value_op(name, v, lambda: v.append(0), list, L)
    if case is None:
        raise KeyError(name)
    return case


VEC_OPS = [
    "construct_list", "construct_tuple", "construct_iter", "vector_function",
    "append", "append_gc", "extend_list", "extend_vector", "set_front",
    "set_mid", "set_gc", "set_tail", "set_append", "mset", "delete_i",
    "delete_last", "delete_ij", "delete_slice", "insert", "pop_mid",
    "pop_last", "split", "slice", "slice_step", "slice_neg_step",
    "add_vector", "add_self", "add_list", "mul", "from_concat",
    "appendleft", "popleft", "tolist", "eq", "hash", "repr",
    "pickle_dumps", "pickle_loads",
]
# the inputs each operation runs on (default: DEFAULT_KEYS)
DEFAULT_KEYS = ("n1100", "relaxed")
VEC_KEYS = {
    "construct_list": ("n1100", "n40000", "gc1100"),
    "construct_iter": ("n1100", "gc1100"),
    "append": ("n1100", "n40000", "relaxed", "gc1100"),
    "append_gc": ("n1100",),
    "set_mid": ("n1100", "n40000", "relaxed", "gc1100"),
    "set_gc": ("n1100", "gc1100"),
    "insert": ("n1100", "n40000", "relaxed"),
    "split": ("n1100", "n40000", "relaxed"),
    "delete_ij": ("n1100", "n40000", "relaxed"),
    "add_vector": ("n1100", "n40000", "relaxed", "gc1100"),
    "slice": ("n1100", "n40000", "relaxed"),
    "from_concat": ("n1100", "relaxed", "gc1100"),
    "appendleft": ("n1100", "n40000", "relaxed"),
}
VEC_CASES = [(op, key) for op in VEC_OPS for key in VEC_KEYS.get(op, DEFAULT_KEYS)]
# known bugs: (op, input) or op -> reason (strict xfail); module in the reason
VEC_XFAIL = {}


@pytest.mark.parametrize("op,key", VEC_CASES, ids=["%s-%s" % c for c in VEC_CASES])
def test_vector_nomemory(venv, op, key, request):
    modname = venv["mod"].__name__
    _xfail(request, VEC_XFAIL, (modname, op, key), (modname, op), op)
    inputs, func, args, expect = _vec_op(venv, op, key)
    persistent_sweep("%s.Vector.%s(%s)" % (modname, op, key), inputs, func, args,
                     expect, venv["drain"])


# VectorEvolver: (method, args, model of the edit)
def _evolver_edit(name, n):
    if name == "set":
        i = n // 2
        return "set", (i, "x"), lambda L: L[:i] + ["x"] + L[i + 1:]
    if name == "set_gc":
        i = n // 3
        return "set", (i, ["x"]), lambda L: L[:i] + [["x"]] + L[i + 1:]
    if name == "setitem_front":
        return "__setitem__", (0, "x"), lambda L: ["x"] + L[1:]
    if name == "append":
        return "append", ("x",), lambda L: L + ["x"]
    if name == "append_gc":
        return "append", (["x"],), lambda L: L + [["x"]]
    if name == "extend":
        return "extend", (EXT,), lambda L: L + EXT
    if name == "delete":
        i = n // 3
        return "delete", (i,), lambda L: _del(L, i)
    if name == "delete_range":
        i, j = n // 4, n // 2
        return "delete", (i, j), lambda L: _del(L, i, j)
    if name == "delitem_slice":
        sl = slice(3, n - 3, 5)

        def f(L):
            L = list(L)
            del L[sl]
            return L
        return "__delitem__", (sl,), f
    if name == "persistent":
        return "persistent", (), lambda L: L
    raise KeyError(name)


VEVOLVER_OPS = ["set", "set_gc", "setitem_front", "append", "extend",
                "delete", "delete_range", "delitem_slice",
                "persistent"]
VEVOLVER_XFAIL = {}


@pytest.mark.parametrize("pre", ["fresh", "edited"])
@pytest.mark.parametrize("key", ["n1100", "relaxed"])
@pytest.mark.parametrize("op", VEVOLVER_OPS)
def test_vector_evolver_nomemory(venv, op, key, pre, request):
    modname = venv["mod"].__name__
    _xfail(request, VEVOLVER_XFAIL, (modname, op, key, pre), (modname, op, key),
           (modname, op), op)
    v = venv["vecs"][key]
    base = venv["models"][key]
    before = list(base)
    if pre == "edited":
        before[5] = "pre"
        before.append("pre-a")
        before.append("pre-b")
    meth, args, edit = _evolver_edit(op, len(before))
    after = edit(before)

    def prepare():
        ev = v.evolver()
        if pre == "edited":
            ev[5] = "pre"
            ev.append("pre-a")
            ev.append("pre-b")
        return getattr(ev, meth), args, ev

    def check(ev, res, exc, start):
        assert v.tolist() == base, "the vector evolved from changed"
        v._check()
        ev._check()
        if exc is None:
            if meth == "persistent":
                res._check()
                _eq(list(res), before)
            elif meth not in ("__setitem__", "__delitem__"):
                assert res is ev
        p = ev.persistent()
        p._check()
        got = list(p)
        assert len(ev) == len(got)
        if exc is not None and got == before and meth != "persistent":
            getattr(ev, meth)(*args)
            ev._check()
            p = ev.persistent()
            got = list(p)
        if got != after:
            raise AssertionError("a failed edit left neither the old nor the new "
                                 "contents: " + _short(got, after))
        ev.append("after-edit")
        ev[0] = "after-set"
        ev._check()
        q = ev.persistent()
        q._check()
        _eq(list(q), ["after-set"] + after[1:] + ["after-edit"])
        _eq(list(p), after)

    Sweep("%s.VectorEvolver.%s (%s, %s)" % (modname, op, key, pre), prepare, check,
          venv["drain"]).run()


# ---------------------------------------------------------------------------
# leaks on the failing paths
#
# The sweeps above check what a failed operation leaves behind, not that it
# released what it took: a missing Py_DECREF / free on an error path goes
# unnoticed there (and ASan runs with leak detection off).  Here, for a
# representative set of operations, LEAK_POINTS failure points are picked
# (spread from the first to the last allocation of the operation, free lists
# drained: _LeakCase.alloc_points) and at each the same failing call is repeated
# LEAK_ROUNDS times.  The live block count is measured around those rounds
# (gc.collect(), failure hook removed, after LEAK_WARMUP warm-up rounds):
# a leak of one block per failing call grows it by LEAK_ROUNDS, while the
# free lists (march's: up to 256 nodes per kind, 64-80 Maps / Vectors;
# CPython's) are refilled to the same level by each round's drain and its
# release, so a correct operation leaves a constant (about zero) growth.  The
# limit is LEAK_ROUNDS // 4 blocks.  The same is done for the successful call
# (result dropped) as a control.
#
# What is counted (_census), each over its limit LEAK_ROUNDS // 4:
#
# * "blocks": sys.getallocatedblocks(), every live PyObject / PyMem block
#   under pymalloc (the larger ones it hands to malloc included: an RRB
#   RelaxedInner node of march._rrb, a HAMT node of 64 slots ...);
# * "gc objects": len(gc.get_objects()), the live GC-tracked objects (Maps,
#   Vectors, evolvers, mutations, the nodes holding GC-able contents ...),
#   whatever the allocator: the only count under tools/sanitize.sh
#   (PYTHONMALLOC=malloc: the block count is always 0), where the rounds are
#   few (LEAK_ROUNDS_ASAN) and mainly let ASan watch the repeated error paths.
#
# test_leak_check_sees_a_leak proves the measurement fails on a workload that
# keeps one object per failing call.

_UNDER_ASAN = "asan" in os.environ.get("LD_PRELOAD", "")
_PYMALLOC = (sys.getallocatedblocks() > 0
             and os.environ.get("PYTHONMALLOC", "") not in ("malloc", "malloc_debug"))
LEAK_ROUNDS_ASAN = 40
LEAK_ROUNDS = int(os.environ.get("MARCH_NOMEM_LEAK_ROUNDS",
                                 LEAK_ROUNDS_ASAN if _UNDER_ASAN else 120))
LEAK_POINTS = int(os.environ.get("MARCH_NOMEM_LEAK_POINTS", "5"))
LEAK_WARMUP = 3


def _census():
    """The live counts (see above), after a full collection."""
    gc.collect()
    c = {"gc objects": len(gc.get_objects())}
    if _PYMALLOC:
        c["blocks"] = sys.getallocatedblocks()
    return c


class _LeakCase:
    """One operation: prepare() -> (func, args), called once per round
    (outside the failure window; it should reuse the same inputs)."""

    def __init__(self, name, prepare, drain):
        self.name = name
        self.prepare = prepare
        self.drain = drain
        self.bad_unraisable = []

    def _hook(self, u):
        # keep nothing (a list of every unraisable would itself grow with
        # the rounds) but what is a bug anyway
        if not _from_memoryerror(u.exc_value):
            self.bad_unraisable.append((repr(u.exc_value), repr(u.object)))

    def round(self, start):
        """One call, failing from allocation `start` on (None: no failure).
        True when it raised."""
        held = self.drain()
        func, args = self.prepare()
        if start is None:
            res = func(*args)
            exc = None
        else:
            res, exc = _window(func, args, start)
        del held, func, args, res
        if exc is None:
            return False
        if not _from_memoryerror(exc):
            raise Bug("%s, allocation %s failing: %s, not a MemoryError:\n%s"
                      % (self.name, start, type(exc).__name__, _fmt(exc)))
        exc.__traceback__ = None
        return True

    def alloc_points(self):
        """LEAK_POINTS failure points (drained) spread from the first to the
        last allocation of the operation (all of them when it has fewer)."""
        if not self.round(0):
            return []
        lo = _first_success(self.round, 0, 1, self.name) - 1   # the last failure
        if lo < LEAK_POINTS:
            return list(range(lo + 1))
        return sorted({lo * i // (LEAK_POINTS - 1) for i in range(LEAK_POINTS)})

    def measure(self, start, rounds):
        """({count: growth over `rounds` calls}, how many raised)."""
        for _ in range(LEAK_WARMUP):
            self.round(start)
        failures = 0
        before = _census()
        for _ in range(rounds):
            failures += self.round(start)
        after = _census()
        return {k: after[k] - before[k] for k in before}, failures

    def run(self, rounds=None):
        rounds = LEAK_ROUNDS if rounds is None else rounds
        limit = rounds // 4
        old_hook = sys.unraisablehook
        old_prof = sys.getprofile()
        sys.unraisablehook = self._hook
        sys.setprofile(None)   # MARCH_CHECK=1: no checker inside the window
        results = []
        try:
            points = self.alloc_points()
            assert points, "%s: no allocation to fail" % (self.name,)
            for start in [None] + points:
                growth, failures = self.measure(start, rounds)
                results.append((start, growth, failures))
        finally:
            sys.unraisablehook = old_hook
            sys.setprofile(old_prof)
        if self.bad_unraisable:
            raise Bug("%s: unraisable exception(s): %s"
                      % (self.name, self.bad_unraisable[:5]))

        def desc():
            return "; ".join(
                "%s: %s%s" % ("success" if s is None else "allocation %d failing" % s,
                              ", ".join("%+d %s" % (g[k], k) for k in sorted(g)),
                              "" if s is None else " (%d/%d raised)" % (f, rounds))
                for s, g, f in results)
        if os.environ.get("MARCH_NOMEM_LEAK_VERBOSE"):
            print("%s: %s" % (self.name, desc()))
        for start, growth, failures in results:
            over = [k for k in sorted(growth) if growth[k] > limit]
            if over:
                raise Bug("%s leaks (%s over the limit %d): %d calls each; %s"
                          % (self.name, ", ".join(over), limit, rounds, desc()))
        assert any(f for s, g, f in results if s is not None), desc()
        return results


LEAK_KINDS = {
    # kind: (make one leaked object, the count that must see it)
    "small": (object, "blocks"),                  # not GC-tracked
    "large": (lambda: bytes(1000), "blocks"),     # > 512: malloc'd by pymalloc
    "gc": (list, "gc objects"),
}


class _LeakyCase(_LeakCase):
    """Keeps one object after each call that raised (no Python code runs in
    the failure window: the leak is the only difference)."""

    def __init__(self, name, prepare, drain, make):
        super().__init__(name, prepare, drain)
        self.make = make
        self.kept = []

    def round(self, start):
        raised = super().round(start)
        if raised:
            self.kept.append(self.make())
        return raised


@pytest.mark.parametrize("kind", sorted(LEAK_KINDS))
def test_leak_check_sees_a_leak(kind):
    """The measurement fails on a leaking failing path: one object (small,
    large or GC-tracked) kept after each call that raised MemoryError; the
    count meant for that kind of object is the one over its limit."""
    make, count = LEAK_KINDS[kind]
    if count not in _census():
        pytest.skip("no %r count here" % (count,))
    mod = importlib.import_module("march._rrb")
    v = _relaxed(mod, 3000, 1)
    case = _LeakyCase("leaky set", lambda: (v.set, (len(v) // 2, "x")),
                      Drainer(vmod=mod), make)
    with pytest.raises(Bug, match=r"leaky set leaks \([^)]*\b%s\b[^)]* over" % count):
        case.run(rounds=60)
    assert len(case.kept) > 60


LEAK_MAP_OPS = ["set_new_int", "set_new_colliding", "delete_int", "update_dict",
                "or_map"]
LEAK_XFAIL = {}


@pytest.mark.parametrize("op", LEAK_MAP_OPS)
def test_map_nomemory_leaks(menv, op, request):
    _xfail(request, LEAK_XFAIL, ("map", op))
    inputs, func, args, expect = _map_op(menv, op)
    _LeakCase("Map." + op, lambda: (func, args), menv["drain"]).run()


@pytest.mark.parametrize("op", ["set_new", "finish"])
def test_map_mutation_nomemory_leaks(menv, op, request):
    _xfail(request, LEAK_XFAIL, ("mutation", op))
    base = menv["m"]
    pre_kv = (("pre-a", 1), (11 * 7, "pre"), (HKey("pre", 1 << 40), 2))

    def prepare():
        mm = base.mutate()
        for k, v in pre_kv:      # edited: finish() has nodes to hand over
            mm[k] = v
        if op == "set_new":
            return mm.set, (NEW_INT, 5)
        return mm.finish, ()

    _LeakCase("MapMutation." + op, prepare, menv["drain"]).run()


@pytest.mark.parametrize("op", ["add_new", "union"])
def test_set_nomemory_leaks(senv, op, request):
    _xfail(request, LEAK_XFAIL, ("set", op))
    inputs, func, args, expect = _set_op(senv, op)
    _LeakCase("Set." + op, lambda: (func, args), senv["drain"]).run()


LEAK_VEC_CASES = [
    ("construct_list", "n1100"), ("append", "relaxed"), ("append", "gc1100"),
    ("set_mid", "relaxed"), ("insert", "relaxed"), ("add_vector", "n1100"),
    ("slice", "relaxed"), ("delete_ij", "relaxed"), ("from_concat", "relaxed"),
]


@pytest.mark.parametrize("op,key", LEAK_VEC_CASES,
                         ids=["%s-%s" % c for c in LEAK_VEC_CASES])
def test_vector_nomemory_leaks(venv, op, key, request):
    modname = venv["mod"].__name__
    _xfail(request, LEAK_XFAIL, (modname, op, key), (modname, op), ("vector", op))
    inputs, func, args, expect = _vec_op(venv, op, key)
    _LeakCase("%s.Vector.%s(%s)" % (modname, op, key), lambda: (func, args),
              venv["drain"]).run()


@pytest.mark.parametrize("op", ["set", "append", "extend"])
def test_vector_evolver_nomemory_leaks(venv, op, request):
    modname = venv["mod"].__name__
    _xfail(request, LEAK_XFAIL, (modname, "evolver", op), ("evolver", op))
    v = venv["vecs"]["relaxed"]
    if op == "append" and venv["mod"]._RAW_SLABS:
        # the append's only allocation is a raw leaf, taken from march's own
        # slabs, which set_nomemory cannot fail (tools/sanitize.sh builds
        # without slabs and runs the plain case): append a list instead,
        # which makes a GC leaf
        op = "append_gc"
    meth, args, edit = _evolver_edit(op, len(v))

    def prepare():
        ev = v.evolver()
        ev[5] = "pre"            # edited: the evolver owns some nodes
        return getattr(ev, meth), args

    _LeakCase("%s.VectorEvolver.%s" % (modname, op), prepare, venv["drain"]).run()


# ---------------------------------------------------------------------------
# an evolver append that tops up the tree's last leaf in place

@pytest.mark.parametrize("elems", ["atomic", "gc"])
@pytest.mark.parametrize("modname", VECTOR_MODULES)
def test_vector_evolver_append_tops_up_all_or_nothing(modname, elems):
    """When the evolver's full tail goes into a tree whose last leaf is
    partial, that leaf is topped up first; if an allocation of the same push
    fails after the top-up, the evolver must still hold its old contents (a
    top-up done in place could not be undone: found by review; the evolver
    then showed some tail elements twice).  With atomic elements in a build
    with slabs the push may have nothing that can be made to fail; lists make
    GC leaves, which can."""
    mod = importlib.import_module(modname)
    m = mod.BRANCHING
    mk = (lambda i: i) if elems == "atomic" else (lambda i: [i])
    v = (mod.vector([mk(i) for i in range(1000, 1000 + 3 * m + 3)])
         + mod.vector([mk(i) for i in range(m + 1)]))
    v = v[:(len(v) // m) * m - 1]
    tc = len(v) - v._shape()[1]
    e = v.evolver()
    e[tc - 1] = mk(7)             # the path to the tree's last leaf is e's own
    del v
    gc.collect()
    model = [e[i] for i in range(len(e))]
    drain = Drainer(vmod=mod)
    failed = 0
    for step in range(2 * m + 2):
        x = mk(5000 + step)
        for start in range(10000):
            held = drain()            # so that the free lists hide nothing
            res, exc = _window(e.append, (x,), start)
            del held
            if exc is None:
                break
            assert _from_memoryerror(exc), repr(exc)
            failed += 1
            e._check()
            # not persistent(): that would freeze the evolver's nodes
            assert [e[i] for i in range(len(e))] == model, (step, start)
        else:
            raise AssertionError("append never succeeded")
        model.append(x)
        e._check()
        assert [e[i] for i in range(len(e))] == model
    assert list(e.persistent()) == model
    if elems == "gc":
        assert failed > 0
