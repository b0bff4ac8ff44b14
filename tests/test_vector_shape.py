"""``Vector._shape()``: the C core and the pure-Python twin build the same trees.

``_shape()`` is ``(tree shape, tail length)``: the tree as nested lists of
leaf lengths (``None`` when everything is in the tail), as C's
``march_rrb_shape`` (src/march/_core/rrb_check.c) and the twin's
``rrb_shape`` (src/march/_pure/rrb_check.py) give it.

* Pinned shapes (every implementation): cases where a different but valid
  algorithm would build another tree: the tie of ``rrb_node_rebalance`` (two
  parents, as many old children on each side: the LEFT parent is the full
  one), and ``rrb_tree_lower`` (a slice lowers a root left with a thin cut
  edge).
* C against the twin, branching 32 (``march._rrb`` / ``march._pure.
  vector_object``) and 4 (``march._rrb4`` / ``march._pure.rrb4``): vectors
  built by appends, from lists, by concatenation, slicing, insert, delete,
  pop, and evolver edits have the same shape after every step.
"""
import importlib
import random

import pytest

from conftest import PURE_ONLY, REQUIRE_C

PAIRS = [("march._rrb", "march._pure.vector_object"),
         ("march._rrb4", "march._pure.rrb4")]


def _height(shape):
    h, x = 0, shape[0]
    while isinstance(x, list):
        h, x = h + 1, x[0]
    return h


def _elements(shape):
    def count(x):
        return x if isinstance(x, int) else sum(count(y) for y in x)
    return (count(shape[0]) if shape[0] is not None else 0) + shape[1]


# ---------------------------------------------------------------------------
# pinned shapes, on every implementation

def test_shape_of_small_vectors(V):
    m = V.BRANCHING
    assert V.vector()._shape() == (None, 0)
    assert V.v(1)._shape() == (None, 1)
    assert V.vector(range(m))._shape() == (None, m)
    assert V.vector(range(m + 1))._shape() == (m, 1)       # a leaf root
    assert V.vector(range(2 * m))._shape() == (m, m)
    assert V.vector(range(2 * m + 1))._shape() == ([m, m], 1)
    s = V.vector(range(1000))._shape()
    assert _elements(s) == 1000 and s[1] == 1000 - (999 // m) * m
    assert _height(s) == V.vector(range(1000))._height()


def test_concat_tie_makes_the_left_parent_full(V):
    """rrb_node_rebalance with as many old children left as right (a tie):
    the left parent takes M children, the right one the rest.  Taking the
    other side on a tie gives ([[4, 4], [1, 4, 4, 4]], 1) at branching 4
    and root children of [2, 32] slots at 32."""
    if V.BRANCHING == 4:
        assert (V.vector(range(9)) + V.vector(range(13)))._shape() == \
            ([[4, 4, 1, 4], [4, 4]], 1)
        assert (V.vector(range(10)) + V.vector(range(14)))._shape() == \
            ([[4, 4, 2, 4], [4, 4]], 2)
        assert (V.vector(range(25)) + V.vector(range(13)))._shape() == \
            ([[4, 4, 4, 4], [4, 4, 1, 4], [4, 4]], 1)
    else:
        assert V.BRANCHING == 32
        s = (V.vector(range(526)) + V.vector(range(560)))._shape()
        assert [len(c) for c in s[0]] == [32, 2] and s[1] == 16
        s = (V.vector(range(555)) + V.vector(range(591)))._shape()
        assert [len(c) for c in s[0]] == [32, 4] and s[1] == 15


def test_slice_lowers_a_thin_root(V):
    """rrb_tree_lower: a slice whose root is left with a thin cut edge is
    concatenated again, one level lower (without it: height 2, shape
    ([[4, 4, 4], [4]], 1), at branching 4; height 3 at 32)."""
    if V.BRANCHING == 4:
        s = V.vector(range(21))[4:]
        assert s._height() == 1
        assert s._shape() == ([4, 4, 4, 4], 1)
        for i in range(4, 13):
            assert V.vector(range(21))[i:]._height() == 1, i
    else:
        s = V.vector(range(33000))[1067:]
        assert s._height() == 2
        assert [len(c) for c in s._shape()[0]] == [31] + [32] * 30 + [7]
        assert s._shape()[1] == 8


def test_evolver_and_mutate_finish(V):
    """The coherent API of issue 16: Vector.mutate() is evolver(),
    VectorEvolver.finish() is persistent(), and leaving a ``with`` block
    finishes the evolver."""
    vec = V.vector(range(10))
    with vec.mutate() as e:
        assert type(e) is V.VectorEvolver
        e.append(10)
        e[0] = -1
    assert not e.is_dirty()
    assert e.finish().tolist() == [-1] + list(range(1, 11))
    assert e.persistent() is e.finish()
    assert vec.tolist() == list(range(10))


# ---------------------------------------------------------------------------
# C against the twin


def _load(pair):
    try:
        c = importlib.import_module(pair[0])
    except ImportError:
        if REQUIRE_C:
            raise
        pytest.skip("C core not built")
    return c, importlib.import_module(pair[1])


class Twins:
    """The same vector built in C and in the twin; every step compares."""

    def __init__(self, c, p, items=()):
        self.c, self.p = c, p
        self.a, self.b = c.vector(items), p.vector(items)
        self.same("vector(%d items)" % len(self.a))

    def same(self, what, a=None, b=None):
        a = self.a if a is None else a
        b = self.b if b is None else b
        sa, sb = a._shape(), b._shape()
        assert sa == sb, "%s: C %r, twin %r" % (what, sa, sb)
        assert _elements(sa) == len(a)
        assert a.tolist() == b.tolist(), what
        b._check()

    def step(self, what, f):
        self.a, self.b = f(self.a), f(self.b)
        self.same(what)


def _sizes(m):
    return sorted(set(list(range(0, 3 * m + 3)) + [m * m - 1, m * m, m * m + 1,
                                                   m * m + m, m * m * m + 1, 2 * m * m + 5]))


@pytest.mark.skipif(PURE_ONLY, reason="compares the C core with the twin")
@pytest.mark.parametrize("pair", PAIRS, ids=["32", "4"])
def test_same_shape_from_lists_and_appends(pair):
    c, p = _load(pair)
    m = c.BRANCHING
    for n in _sizes(m):
        Twins(c, p, range(n))
    t = Twins(c, p)
    for i in range(m * m * 3 + 7 if m == 4 else 3000):
        t.a, t.b = t.a.append(i), t.b.append(i)
        if i % 7 == 0 or i < 3 * m:
            t.same("append #%d" % i)
    t.same("after appends")
    t.step("extend(list)", lambda x: x.extend(list(range(2 * m + 1))))
    t.step("extend(range)", lambda x: x.extend(range(m * m)))


@pytest.mark.skipif(PURE_ONLY, reason="compares the C core with the twin")
@pytest.mark.parametrize("pair", PAIRS, ids=["32", "4"])
def test_same_shape_after_concatenation(pair):
    c, p = _load(pair)
    m = c.BRANCHING
    if m == 4:
        sizes = list(range(0, 40)) + [63, 64, 65, 80, 100, 129, 257]
    else:
        sizes = [0, 1, 5, 31, 32, 33, 64, 526, 555, 560, 591, 1000, 1025, 1100, 2047,
                 5000, 33000]
    for x in sizes:
        for y in sizes:
            t = Twins(c, p, range(x))
            t.step("%d + %d" % (x, y), lambda v: v + type(v)(range(y)))
    # runs of concatenations, and of prepends (the tie's side)
    rnd = random.Random(16)
    for _ in range(60 if m == 4 else 25):
        parts = [rnd.randrange(1, 6 * m * m) for _ in range(rnd.randrange(2, 7))]
        t = Twins(c, p)
        for k, n in enumerate(parts):
            if k % 2:
                t.step("%r: + %d" % (parts, n), lambda v: v + type(v)(range(n)))
            else:
                t.step("%r: %d +" % (parts, n), lambda v: type(v)(range(n)) + v)
        a = c.Vector.from_concat([c.vector(range(n)) for n in parts])
        b = p.Vector.from_concat([p.vector(range(n)) for n in parts])
        t.same("from_concat(%r)" % parts, a, b)
    t = Twins(c, p)
    for i in range(40 if m == 4 else 10):
        t.step("run of appends %d" % i, lambda v: v + type(v)(range(m * 3 + 1)))
    for i in range(40 if m == 4 else 10):
        t.step("run of prepends %d" % i, lambda v: type(v)(range(m + 2)) + v)


@pytest.mark.skipif(PURE_ONLY, reason="compares the C core with the twin")
@pytest.mark.parametrize("pair", PAIRS, ids=["32", "4"])
def test_same_shape_after_slicing(pair):
    c, p = _load(pair)
    m = c.BRANCHING
    sizes = [21, 37, 64, 65, 100, 300] if m == 4 else [40, 1100, 33000]
    for n in sizes:
        t = Twins(c, p, range(n))
        step = 1 if n <= 100 else max(1, n // 97)
        for i in range(0, n, step):
            for j in (n, n - 1, i + 1, i + m, i + m * m + 3, (i + n) // 2):
                if i < j <= n:
                    t.same("range(%d)[%d:%d]" % (n, i, j), t.a[i:j], t.b[i:j])
        # slices of concatenated (relaxed) trees
        a = t.a + c.vector(range(n // 3)) + t.a
        b = t.b + p.vector(range(n // 3)) + t.b
        t.same("relaxed", a, b)
        for i in range(0, len(a), max(1, len(a) // 41)):
            t.same("relaxed[%d:]" % i, a[i:], b[i:])
            t.same("relaxed[:%d]" % i, a[:i], b[:i])
            t.same("relaxed.split(%d)" % i, a.split(i)[1], b.split(i)[1])
        t.same("popleft", a.popleft()[0], b.popleft()[0])


@pytest.mark.skipif(PURE_ONLY, reason="compares the C core with the twin")
@pytest.mark.parametrize("pair", PAIRS, ids=["32", "4"])
def test_same_shape_after_insert_delete_pop(pair):
    c, p = _load(pair)
    m = c.BRANCHING
    rnd = random.Random(7)
    t = Twins(c, p, range(m * m))
    for k in range(400 if m == 4 else 300):
        i = rnd.choice([0, 1, len(t.a) // 2, rnd.randrange(len(t.a) + 1), len(t.a)])
        t.step("insert(%d)" % i, lambda v: v.insert(i, k))
    t.step("appendleft", lambda v: v.appendleft(-1))
    for k in range(300 if m == 4 else 200):
        n = len(t.a)
        if n <= 2 * m:
            break
        i = rnd.randrange(n)
        if k % 3 == 0:
            t.step("delete(%d)" % i, lambda v: v.delete(i))
        elif k % 3 == 1:
            j = min(n, i + rnd.randrange(1, 3 * m))
            t.step("delete(%d, %d)" % (i, j), lambda v: v.delete(i, j))
        else:
            t.step("pop(%d)" % i, lambda v: v.pop(i)[0])
    t.step("remove", lambda v: v.remove(v[len(v) // 3]))
    while len(t.a):
        t.step("pop() at %d" % len(t.a), lambda v: v.pop()[0])
    t = Twins(c, p, range(m * m + m + 3))
    for k in range(2 * m + 1):
        t.step("popleft", lambda v: v.popleft()[0])


@pytest.mark.skipif(PURE_ONLY, reason="compares the C core with the twin")
@pytest.mark.parametrize("pair", PAIRS, ids=["32", "4"])
def test_same_shape_after_evolver_edits(pair):
    c, p = _load(pair)
    m = c.BRANCHING
    rnd = random.Random(3)
    t = Twins(c, p, range(m * m + 1))
    ea, eb = t.a.evolver(), t.b.evolver()
    for k in range(600 if m == 4 else 300):
        n = len(ea)
        r = rnd.random()
        if r < 0.4:
            ea.append(k)
            eb.append(k)
        elif r < 0.6 and n:
            i = rnd.randrange(n)
            ea[i] = k
            eb[i] = k
        elif r < 0.75 and n:
            i = rnd.randrange(n)
            del ea[i]
            del eb[i]
        elif r < 0.8 and n:
            i = rnd.randrange(n)
            j = min(n, i + rnd.randrange(1, 2 * m))
            ea.delete(i, j)
            eb.delete(i, j)
        elif r < 0.85:
            items = list(range(rnd.randrange(3 * m)))
            ea.extend(items)
            eb.extend(items)
        elif r < 0.9 and n:
            x = ea[rnd.randrange(n)]
            ea.remove(x)
            eb.remove(x)
        else:
            t.same("evolver.persistent() at %d" % k, ea.persistent(), eb.persistent())
        assert len(ea) == len(eb)
    t.same("evolver.finish()", ea.finish(), eb.finish())
    t.step("mset", lambda v: v.mset(0, "a", len(v) - 1, "b", len(v) // 2, "c"))
