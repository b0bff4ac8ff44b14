"""The coherent API of the HAMT types (issue 16) and their ``_layout()``.

* every transient (MapMutation, SetEvolver) has ``finish()``,
  ``persistent()`` (the same thing) and ``__enter__``/``__exit__`` (exit
  finishes); every persistent type (Map, Set) has ``mutate()`` and
  ``evolver()`` (the same thing);
* ``_layout()`` of Map, Set, MapMutation and SetEvolver: the trie's nodes as
  nested tuples, ``("bitmap", datamap, nodemap, keys, children)`` and
  ``("collision", hash, keys)``, identical in both implementations; the
  transients' are busy while they walk;
* the module's private names ``_HASH_MIX`` and ``_walk_visits``.

Runs against every Map implementation of tests/conftest.py; the twin's
parameter is an expected failure while it lacks these methods.
"""
import gc
import importlib

import pytest

from conftest import GC_IN_ALLOCATION, MAP_IMPLS, load_impl, map_impls

NEW_METHODS = {
    "Map": ("evolver", "mutate", "_layout"),
    "MapMutation": ("finish", "persistent", "__enter__", "__exit__",
                    "_layout"),
    "Set": ("evolver", "mutate", "_layout"),
    "SetEvolver": ("finish", "persistent", "__enter__", "__exit__",
                   "_layout"),
}

MASK64 = (1 << 64) - 1


def _params():
    return [pytest.param(p.values[0], id=p.id, marks=p.marks) for p in map_impls()]


@pytest.fixture(params=_params())
def H(request):
    return load_impl(request.param)


def _all_impls():
    mods = []
    for p in map_impls():
        modname = p.values[0]
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        mods.append(mod)
    return mods


# ---------------------------------------------------------------------------
# the methods exist

@pytest.mark.parametrize("cls", sorted(NEW_METHODS))
def test_methods_exist(H, cls):
    klass = getattr(H, cls)
    for name in NEW_METHODS[cls]:
        assert callable(getattr(klass, name)), (cls, name)


# ---------------------------------------------------------------------------
# Map.evolver() / MapMutation.persistent()

def test_map_evolver_is_mutate(H):
    m = H.Map(a=1, b=2)
    for make in (m.mutate, m.evolver):
        mm = make()
        assert type(mm) is H.MapMutation
        mm["c"] = 3
        del mm["a"]
        assert mm.finish() == H.Map(b=2, c=3)
    assert m == H.Map(a=1, b=2)


def test_mapmutation_persistent_is_finish(H):
    m = H.Map.from_keys(range(100))
    mm = m.evolver()
    mm.set(1000, "x")
    r = mm.persistent()
    assert type(r) is H.Map
    assert r == m.set(1000, "x")
    r._check()
    # persistent() finishes the mutation, as finish() does
    with pytest.raises(ValueError):
        mm.set(1001, "y")
    with pytest.raises(ValueError):
        mm.delete(1000)


def test_mapmutation_context_manager_finishes(H):
    m = H.Map(a=1)
    with m.evolver() as mm:
        assert type(mm) is H.MapMutation
        mm["b"] = 2
    with pytest.raises(ValueError):
        mm["c"] = 3
    assert mm.finish() == H.Map(a=1, b=2)


def test_mapmutation_exit_does_not_swallow(H):
    m = H.Map(a=1)
    with pytest.raises(KeyError):
        with m.mutate() as mm:
            mm["b"] = 2
            raise KeyError("boom")
    with pytest.raises(ValueError):         # finished by __exit__
        mm["c"] = 3


# ---------------------------------------------------------------------------
# Set.mutate() / SetEvolver.finish() and the context manager

def test_set_mutate_is_evolver(H):
    s = H.s(1, 2, 3)
    for make in (s.evolver, s.mutate):
        e = make()
        assert type(e) is H.SetEvolver
        e.add(4).discard(1)
        assert e.persistent() == H.s(2, 3, 4)
    assert s == H.s(1, 2, 3)


def test_setevolver_finish_is_persistent(H):
    s = H.Set(range(50))
    e = s.mutate()
    assert e.finish() is s                  # unchanged: the source itself
    e.add(100)
    r1 = e.finish()
    assert type(r1) is H.Set
    assert r1 == s.add(100)
    assert not e.is_dirty()
    assert e.persistent() is r1             # nothing changed since
    # unlike a MapMutation, the evolver goes on after finish()
    e.remove(0)
    r2 = e.finish()
    assert r2 == r1.remove(0)
    assert r1 == s.add(100)                 # the earlier Set is untouched
    r1._check()
    r2._check()


def test_setevolver_context_manager(H):
    s = H.s("a", "b")
    with s.evolver() as e:
        assert type(e) is H.SetEvolver
        e.add("c")
        assert e.is_dirty()
    assert not e.is_dirty()                 # __exit__ finished it
    assert e.persistent() == H.s("a", "b", "c")
    assert e.__exit__(None, None, None) is False


def test_setevolver_exit_does_not_swallow(H):
    with pytest.raises(ZeroDivisionError):
        with H.s(1).evolver() as e:
            e.add(2)
            1 / 0
    assert e.persistent() == H.s(1, 2)


# ---------------------------------------------------------------------------
# _layout()

def _popcount(x):
    return bin(x).count("1")


def _walk(layout, keys, depth=0):
    """check a layout's own consistency; collect its keys"""
    kind = layout[0]
    if kind == "collision":
        _, h, ks = layout
        assert isinstance(h, int) and 0 <= h <= MASK64
        assert len(ks) >= 2 and depth > 0
        keys.extend(ks)
        return
    assert kind == "bitmap"
    _, datamap, nodemap, ks, children = layout
    assert 0 <= datamap < 1 << 32 and 0 <= nodemap < 1 << 32
    assert datamap & nodemap == 0
    assert len(ks) == _popcount(datamap)
    assert len(children) == _popcount(nodemap)
    keys.extend(ks)
    for c in children:
        _walk(c, keys, depth + 1)


def test_layout_empty(H):
    assert H.Map()._layout() == ("bitmap", 0, 0, (), ())
    assert H.Set()._layout() == ("bitmap", 0, 0, (), ())
    assert H.Map().mutate()._layout() == ("bitmap", 0, 0, (), ())
    assert H.Set().evolver()._layout() == ("bitmap", 0, 0, (), ())


def test_layout_small_ints(H):
    # hash(n) == n: the slot of n at level 0 is n & 31, at level 1 n >> 5
    m = H.Map({2: "b", 1: "a"})
    assert m._layout() == ("bitmap", 0b110, 0, (1, 2), ())
    # 1 and 33 share slot 1 at level 0 and part at level 1
    m = H.Map({33: None, 1: None, 5: None})
    assert m._layout() == (
        "bitmap", 1 << 5, 1 << 1, (5,),
        (("bitmap", 0b11, 0, (1, 33), ()),))


def test_layout_collision(H):
    # hash(-1) == hash(-2) == -2: a collision node, hoisted to the root's
    # slot of the hash, its keys in insertion order
    h = -2 & MASK64
    m = H.Map({-1: "x", -2: "y"})
    assert m._layout() == (
        "bitmap", 0, 1 << (h & 31), (), (("collision", h, (-1, -2)),))
    assert H.s(-1, -2)._layout() == m._layout()


def test_layout_has_no_values(H):
    m = H.Map({i: object() for i in range(200)})
    assert m._layout() == H.Map.from_keys(range(200))._layout()
    assert H.Set(range(200))._layout() == m._layout()


@pytest.mark.parametrize("n", [0, 1, 31, 33, 500, 5000])
def test_layout_covers_the_keys(H, n):
    keys = [("k", i) for i in range(n)] + list(range(n))
    m = H.Map.from_keys(keys)
    found = []
    _walk(m._layout(), found)
    assert len(found) == len(m)
    assert set(found) == set(keys)
    s = H.Set(keys)
    found = []
    _walk(s._layout(), found)
    assert set(found) == set(keys)


def test_layout_of_transients(H):
    m = H.Map.from_keys(range(300))
    mm = m.mutate()
    assert mm._layout() == m._layout()
    for i in range(0, 300, 3):
        del mm[i]
    mm[-1] = None
    lay = mm._layout()
    assert mm.finish()._layout() == lay

    s = H.Set(range(300))
    e = s.evolver()
    e.add("x").discard(7)
    lay = e._layout()
    assert e.persistent()._layout() == lay


def test_layout_after_edits_matches_fresh_build(H):
    # the canonical form: a trie's shape depends on its keys only (no
    # collisions here), however it was built
    keys = list(range(0, 3000, 7))
    m = H.Map.from_keys(range(3000))
    for k in range(3000):
        if k % 7:
            m = m.delete(k)
    assert m._layout() == H.Map.from_keys(keys)._layout()


def test_transient_layout_is_busy(H):
    """While a transient walks its trie for _layout(), an edit from a
    finalizer or gc callback (allocations run collections) raises
    RuntimeError and changes nothing."""
    mm = H.Map.from_keys(range(2000)).mutate()
    e = H.Set(range(2000)).evolver()
    outcomes = []

    def on_gc(phase, info):
        if phase != "start":
            return
        for t, edit in ((mm, lambda: mm.set("gc", 1)),
                        (e, lambda: e.add("gc"))):
            try:
                edit()
            except RuntimeError:
                outcomes.append("busy")
            else:
                outcomes.append("edited")

    old = gc.get_threshold()
    gc.callbacks.append(on_gc)
    try:
        gc.set_threshold(1)
        lay_m = mm._layout()
        lay_e = e._layout()
    finally:
        gc.set_threshold(*old)
        gc.callbacks.remove(on_gc)
    if not outcomes:
        pytest.skip("no collection ran during _layout()")
    # an edit made while neither walked (between the two calls, or in a
    # collection that ran outside a walk) is allowed; the layouts must show
    # a consistent trie either way.  Only where a collection starts inside
    # an allocation does one run inside the walk.
    if GC_IN_ALLOCATION:
        assert "busy" in outcomes
    for lay, t in ((lay_m, mm), (lay_e, e)):
        found = []
        _walk(lay, found)
        assert len(found) in (len(t), len(t) - 1)


def test_layout_same_in_both_implementations():
    mods = _all_impls()
    if len(mods) < 2:
        pytest.skip("needs both implementations")
    keys = ([("k", i) for i in range(400)] + list(range(400))
            + ["s%d" % i for i in range(400)] + [-1, -2])
    layouts = []
    for mod in mods:
        m = mod.Map.from_keys(keys)
        m = m.delete(("k", 3)).delete(-2).set(-2, 0)
        s = mod.Set(keys).remove(5)
        mm = m.mutate()
        mm["new"] = 1
        e = s.evolver().add("new")
        layouts.append((m._layout(), s._layout(), mm._layout(),
                        e._layout()))
    assert all(lay == layouts[0] for lay in layouts[1:])


# ---------------------------------------------------------------------------
# module-level private names

def test_module_private_names(H):
    assert H._HASH_MIX in (0, 1, False, True)
    assert not hasattr(H, "HASH_MIX")
    before = H._walk_visits()
    assert isinstance(before, int)
    a = H.Map.from_keys(range(100))
    list(a.diff(a.set(5, "x")))
    assert H._walk_visits() > before


def test_impls_listed():
    # the fixture covers what conftest.py lists
    assert set(p.values[0] for p in map_impls()) <= set(MAP_IMPLS.values())
