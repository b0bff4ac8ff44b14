"""Unit tests for march.Vector and march.VectorEvolver (every implementation).

The fixture ``V`` (tests/conftest.py) is one implementation module: the C core
at branching 32 and 4 and the pure-Python twin at branching 32 and 4.  Every
result is checked with ``_check()`` (the invariant checker) and by reading
``v[i]`` at every index, not only by iteration.
"""
import collections.abc
import copy
import pickle
import random
import weakref

import pytest

# ---------------------------------------------------------------- helpers


def check(vec, expected):
    """Assert that ``vec`` is a valid vector holding exactly ``expected``."""
    expected = list(expected)
    vec._check()
    n = len(expected)
    assert len(vec) == n
    assert [vec[i] for i in range(n)] == expected
    assert vec.tolist() == expected
    assert list(vec) == expected
    if n:
        assert vec[-1] == expected[-1]
        assert vec[-n] == expected[0]


def check_evolver(e, expected):
    expected = list(expected)
    e._check()
    assert len(e) == len(expected)
    assert [e[i] for i in range(len(expected))] == expected


def raises_unchanged(vec, expected, exc, fn, *args, **kwargs):
    """``fn(*args)`` raises ``exc`` and leaves ``vec`` equal to ``expected``."""
    with pytest.raises(exc):
        fn(*args, **kwargs)
    check(vec, expected)


class EqError(Exception):
    pass


class Bomb:
    """An element whose comparisons raise."""

    def __eq__(self, other):
        raise EqError("eq")

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = object.__hash__


class Idx:
    """An object usable as an index through ``__index__``."""

    def __init__(self, i):
        self.i = i

    def __index__(self):
        return self.i


class BadIdx:
    def __index__(self):
        raise EqError("index")


# Sizes around the shape changes of the tree, as formulas of M (branching).
SIZE_EXPRS = [
    "0", "1", "2", "M-1", "M", "M+1", "2*M-1", "2*M", "2*M+1",
    "M*M-1", "M*M", "M*M+1", "M*M+M-1", "M*M+M", "M*M+M+1",
    "M**3-1", "M**3", "M**3+M", "M**3+M+1",
]
# The same, but only those that stay small enough for O(n) work per index.
SMALL_SIZE_EXPRS = SIZE_EXPRS[:15]


def size_of(expr, V):
    return eval(expr, {"M": V.BRANCHING})


def edge_sizes(V, small=False):
    M = V.BRANCHING
    sizes = {0, 1, 2, 3, M - 1, M, M + 1, 2 * M, M * M - 1, M * M, M * M + 1,
             M * M + M - 1, M * M + M, M * M + M + 1}
    if not small:
        sizes |= {M ** 3 + M, M ** 3 + M + 1}
    if M == 4:
        sizes |= {M ** 3 - 1, M ** 3, M ** 3 + M + 1, M ** 4 + M, M ** 4 + M + 1}
    return sorted(sizes)


# ---------------------------------------------------------------- module API


def test_module_exports(V):
    assert V.BRANCHING in (4, 32)
    for name in ("Vector", "VectorEvolver", "vector", "v", "BRANCHING"):
        assert hasattr(V, name)
    assert isinstance(V.vector(), V.Vector)
    assert isinstance(V.v(), V.Vector)
    assert isinstance(V.vector().evolver(), V.VectorEvolver)


def test_empty(V):
    e = V.vector()
    check(e, [])
    assert len(e) == 0
    assert not e
    assert e == V.v()
    assert e._height() == 0
    with pytest.raises(IndexError):
        e[0]
    with pytest.raises(IndexError):
        e[-1]
    assert list(reversed(e)) == []
    assert e[:] == e
    assert e[1:5] == e


def test_construction(V):
    check(V.vector(), [])
    check(V.vector([1, 2, 3]), [1, 2, 3])
    check(V.vector((1, 2, 3)), [1, 2, 3])
    check(V.vector(range(100)), list(range(100)))
    check(V.vector(x for x in "abc"), ["a", "b", "c"])
    check(V.vector(iter([4, 5])), [4, 5])
    check(V.v(), [])
    check(V.v(1), [1])
    check(V.v(1, 2, 3), [1, 2, 3])
    check(V.vector(V.v(1, 2)), [1, 2])
    check(V.vector({1: "a"}), [1])


def test_construction_errors(V):
    with pytest.raises(TypeError):
        V.vector(5)
    with pytest.raises(TypeError):
        V.vector(None)

    def gen():
        yield 1
        raise EqError("gen")

    with pytest.raises(EqError):
        V.vector(gen())


@pytest.mark.parametrize("expr", SIZE_EXPRS)
def test_edge_sizes_build_paths(V, expr):
    n = size_of(expr, V)
    expected = list(range(n))
    a = V.vector(expected)
    check(a, expected)
    # append one by one, checking the shape changes on the way for small n
    b = V.vector()
    for i in range(n):
        b = b.append(i)
    check(b, expected)
    assert a == b
    # extend in chunks
    c = V.vector()
    for i in range(0, n, 7):
        c = c.extend(range(i, min(n, i + 7)))
    check(c, expected)
    # through an evolver
    e = V.vector().evolver()
    for i in range(n):
        e.append(i)
    check_evolver(e, expected)
    check(e.persistent(), expected)
    # v(*items)
    check(V.v(*expected), expected)


@pytest.mark.parametrize("expr", SMALL_SIZE_EXPRS + ["M**3+M", "M**3+M+1"])
def test_edge_sizes_operations(V, expr):
    """Ops on vectors of edge sizes, each result fully checked."""
    n = size_of(expr, V)
    model = list(range(n))
    vec = V.vector(model)
    # append / pop across the boundary
    check(vec.append(-1), model + [-1])
    check(vec.append(-1).append(-2), model + [-1, -2])
    if n:
        nv, x = vec.pop()
        assert x == n - 1
        check(nv, model[:-1])
        if n > 1:
            nv2, x2 = nv.pop()
            assert x2 == n - 2
            check(nv2, model[:-2])
        nv, x = vec.popleft()
        assert x == 0
        check(nv, model[1:])
    check(vec.appendleft(-1), [-1] + model)
    # set at first, middle, last
    for i in {0, n // 2, n - 1} if n else ():
        m2 = list(model)
        m2[i] = "x"
        check(vec.set(i, "x"), m2)
    check(vec.set(n, "end"), model + ["end"])
    # slices / splits at interesting points
    M = V.BRANCHING
    points = sorted({p for p in (0, 1, M - 1, M, M + 1, n // 3, n // 2, n - M - 1,
                                 n - M, n - 1, n) if 0 <= p <= n})
    for p in points:
        left, right = vec.split(p)
        check(left, model[:p])
        check(right, model[p:])
        check(left + right, model)
    # concatenation with itself and with small vectors
    check(vec + vec, model + model)
    check(V.v(1, 2) + vec, [1, 2] + model)
    check(vec + V.v(1, 2), model + [1, 2])
    # insert / delete at a few points
    for p in points:
        check(vec.insert(p, "i"), model[:p] + ["i"] + model[p:])
        if p < n:
            check(vec.delete(p), model[:p] + model[p + 1:])
    # the original never changed
    check(vec, model)


def test_sizes_concat_grid(V):
    """Every pair of edge sizes concatenated, checked at every index."""
    sizes = edge_sizes(V, small=True)
    for na in sizes:
        a = V.vector(range(na))
        for nb in sizes:
            b = V.vector(range(1000000, 1000000 + nb))
            expected = list(range(na)) + list(range(1000000, 1000000 + nb))
            r = a + b
            r._check()
            assert len(r) == na + nb, (na, nb)
            assert [r[i] for i in range(na + nb)] == expected, (na, nb)
    check(a, range(sizes[-1]))


# ---------------------------------------------------------------- indexing


def test_getitem(V):
    data = list(range(0, 300, 3))
    vec = V.vector(data)
    for i in range(-len(data), len(data)):
        assert vec[i] == data[i]
    assert vec[True] == data[1]
    assert vec[False] == data[0]
    assert vec[Idx(5)] == data[5]
    assert vec[Idx(-1)] == data[-1]


def test_getitem_errors(V):
    data = list(range(50))
    vec = V.vector(data)
    for bad in (50, 51, -51, -52, 10 ** 6, 2 ** 100, -(2 ** 100)):
        raises_unchanged(vec, data, IndexError, vec.__getitem__, bad)
    for bad in ("1", 1.0, None, [1], (1,), object()):
        raises_unchanged(vec, data, TypeError, vec.__getitem__, bad)
    raises_unchanged(vec, data, EqError, vec.__getitem__, BadIdx())
    raises_unchanged(V.vector(), [], IndexError, V.vector().__getitem__, 0)


def test_slicing_small(V):
    data = list(range(2 * V.BRANCHING + 3))
    vec = V.vector(data)
    n = len(data)
    bounds = [None, 0, 1, 2, n // 2, n - 1, n, n + 5, -1, -2, -n, -n - 3]
    for start in bounds:
        for stop in bounds:
            for step in (None, 1, 2, 3, -1, -2, -3, n + 1):
                s = vec[start:stop:step]
                assert isinstance(s, V.Vector)
                check(s, data[start:stop:step])
    check(vec, data)


def test_slicing_large(V):
    M = V.BRANCHING
    n = M * M * 2 + 7
    data = list(range(n))
    vec = V.vector(data)
    rng = random.Random(1)
    cuts = [0, 1, M - 1, M, M + 1, M * M - 1, M * M, M * M + 1, n - M, n - 1, n]
    cuts += [rng.randrange(n + 1) for _ in range(10)]
    for start in cuts:
        for stop in cuts:
            check(vec[start:stop], data[start:stop])
    for step in (2, 5, M, -1, -M - 1):
        check(vec[::step], data[::step])
        check(vec[3:n - 3:step], data[3:n - 3:step])
    # slices of slices, of concatenations
    s = vec[M + 3: n - M - 2]
    m = data[M + 3: n - M - 2]
    check(s[5:-5], m[5:-5])
    c = s + vec[1:M * 3]
    cm = m + data[1:M * 3]
    for a, b in [(0, len(cm)), (1, len(cm) - 1), (len(m) - 3, len(m) + 3), (7, 7)]:
        check(c[a:b], cm[a:b])
    check(vec, data)


def test_slice_errors(V):
    data = list(range(10))
    vec = V.vector(data)
    raises_unchanged(vec, data, ValueError, vec.__getitem__, slice(1, 5, 0))
    raises_unchanged(vec, data, TypeError, vec.__getitem__, slice("a", 5))
    check(vec[Idx(1):Idx(3)], [1, 2])


def test_iteration_and_reversed(V):
    for n in edge_sizes(V, small=True):
        data = list(range(n))
        vec = V.vector(data)
        assert list(iter(vec)) == data
        assert list(reversed(vec)) == data[::-1]
        it = iter(vec)
        assert iter(it) is it
        # iterators are independent of later operations on derived vectors
        it = iter(vec)
        vec2 = vec.append(1).set(0, "x") if n else vec
        assert list(it) == data
        assert vec2 is not None


def test_contains_index_count(V):
    data = [1, 2, 3, 2, 1, "a", None, 2.0] * 20
    vec = V.vector(data)
    for x in (1, 2, 3, "a", None, 4, "b", 2.0):
        assert (x in vec) == (x in data)
        assert vec.count(x) == data.count(x)
        if x in data:
            assert vec.index(x) == data.index(x)
    n = len(data)
    for start in (0, 1, 5, -3, -n, -n - 5, n, n + 3):
        for stop in (n, 3, 40, -1, -n - 1, n + 5):
            for x in (1, 3, "a", None):
                try:
                    expected = data.index(x, start, stop)
                except ValueError:
                    raises_unchanged(vec, data, ValueError, vec.index, x, start, stop)
                else:
                    assert vec.index(x, start, stop) == expected
                try:
                    expected = data.index(x, start)
                except ValueError:
                    raises_unchanged(vec, data, ValueError, vec.index, x, start)
                else:
                    assert vec.index(x, start) == expected
    raises_unchanged(vec, data, ValueError, vec.index, "missing")
    assert V.vector().count(1) == 0
    assert 1 not in V.vector()


def test_index_count_identity(V):
    nan = float("nan")
    vec = V.v(nan, 1)
    assert nan in vec
    assert vec.index(nan) == 0
    assert vec.count(nan) == 1


def test_tolist(V):
    for n in edge_sizes(V):
        data = list(range(n))
        vec = V.vector(data)
        out = vec.tolist()
        assert out == data
        assert type(out) is list
        out.append("x")  # a fresh list: mutating it does not touch the vector
        check(vec, data)


# ---------------------------------------------------------------- updates


def test_append_extend(V):
    vec = V.v(1, 2)
    check(vec.append(3), [1, 2, 3])
    check(vec.extend([3, 4]), [1, 2, 3, 4])
    check(vec.extend(V.v(3, 4)), [1, 2, 3, 4])
    check(vec.extend(iter(range(3))), [1, 2, 0, 1, 2])
    check(vec.extend([]), [1, 2])
    check(vec.extend(range(1000)), [1, 2] + list(range(1000)))
    check(vec, [1, 2])
    raises_unchanged(vec, [1, 2], TypeError, vec.extend, 5)

    def gen():
        yield 1
        raise EqError("gen")

    raises_unchanged(vec, [1, 2], EqError, vec.extend, gen())
    assert vec.extend(V.vector()) == vec
    assert V.vector().extend(vec) == vec


def test_set(V):
    data = list(range(100))
    vec = V.vector(data)
    for i in list(range(-100, 100)):
        m = list(data)
        m[i] = "x"
        check(vec.set(i, "x"), m)
    check(vec.set(100, "x"), data + ["x"])
    check(vec.set(Idx(3), "x"), data[:3] + ["x"] + data[4:])
    check(V.vector().set(0, 1), [1])
    for bad in (101, -101, 200, 2 ** 100):
        raises_unchanged(vec, data, IndexError, vec.set, bad, "x")
    for bad in ("1", 1.5, None):
        raises_unchanged(vec, data, TypeError, vec.set, bad, "x")
    raises_unchanged(V.vector(), [], IndexError, V.vector().set, 1, "x")
    raises_unchanged(V.vector(), [], IndexError, V.vector().set, -1, "x")
    check(vec, data)


def test_set_every_index_edge_sizes(V):
    for n in edge_sizes(V, small=True):
        data = list(range(n))
        vec = V.vector(data)
        step = max(1, n // 40)
        for i in range(0, n, step):
            r = vec.set(i, -1)
            r._check()
            assert r[i] == -1
            assert len(r) == n
            if i:
                assert r[i - 1] == data[i - 1]
            if i + 1 < n:
                assert r[i + 1] == data[i + 1]
        check(vec, data)


def test_mset(V):
    data = list(range(70))
    vec = V.vector(data)
    check(vec.mset(), data)
    m = list(data)
    m[0], m[5], m[-1] = "a", "b", "c"
    check(vec.mset(0, "a", 5, "b", -1, "c"), m)
    check(vec.mset(0, "a", 0, "b"), ["b"] + data[1:])
    check(vec.mset(70, "x"), data + ["x"])
    raises_unchanged(vec, data, TypeError, vec.mset, 0)
    raises_unchanged(vec, data, TypeError, vec.mset, 0, 1, 2)
    raises_unchanged(vec, data, IndexError, vec.mset, 0, 1, 100, 2)
    raises_unchanged(vec, data, TypeError, vec.mset, "a", 1)


def test_delete(V):
    data = list(range(80))
    vec = V.vector(data)
    for i in range(-80, 80):
        m = list(data)
        del m[i]
        check(vec.delete(i), m)
    for bad in (80, 81, -81, 10 ** 9):
        raises_unchanged(vec, data, IndexError, vec.delete, bad)
    raises_unchanged(vec, data, TypeError, vec.delete, "a")
    raises_unchanged(vec, data, TypeError, vec.delete, 1.0)
    raises_unchanged(V.vector(), [], IndexError, V.vector().delete, 0)
    check(V.v(1).delete(0), [])


def test_delete_range(V):
    n = 3 * V.BRANCHING + 5
    data = list(range(n))
    vec = V.vector(data)
    bounds = [0, 1, 2, V.BRANCHING, n // 2, n - 1, n, n + 4, -1, -2, -n, -n - 4]
    for start in bounds:
        for stop in bounds:
            m = list(data)
            del m[start:stop]
            check(vec.delete(start, stop), m)
    check(vec, data)


def test_remove(V):
    data = [1, 2, 3, 2, 1] * 30
    vec = V.vector(data)
    m = list(data)
    m.remove(2)
    check(vec.remove(2), m)
    m = list(data)
    m.remove(3)
    check(vec.remove(3), m)
    raises_unchanged(vec, data, ValueError, vec.remove, 4)
    raises_unchanged(V.vector(), [], ValueError, V.vector().remove, 4)
    check(V.v(1).remove(1), [])
    check(V.v(1.0, 1).remove(1), [1])


def test_insert(V):
    n = 2 * V.BRANCHING + 1
    data = list(range(n))
    vec = V.vector(data)
    for i in range(-n, n + 1):
        m = list(data)
        m.insert(i, "x")
        check(vec.insert(i, "x"), m)
    for bad in (n + 1, -n - 1, 10 ** 9, -(10 ** 9)):
        raises_unchanged(vec, data, IndexError, vec.insert, bad, "x")
    for bad in ("1", 1.5, None):
        raises_unchanged(vec, data, TypeError, vec.insert, bad, "x")
    check(V.vector().insert(0, 1), [1])
    raises_unchanged(V.vector(), [], IndexError, V.vector().insert, 1, 1)
    raises_unchanged(V.vector(), [], IndexError, V.vector().insert, -1, 1)


def test_insert_many_random(V):
    rng = random.Random(5)
    vec = V.vector()
    model = []
    for k in range(600):
        i = rng.randint(0, len(model))
        vec = vec.insert(i, k)
        model.insert(i, k)
        if k % 50 == 0:
            check(vec, model)
    check(vec, model)


def test_split(V):
    for n in edge_sizes(V, small=True):
        data = list(range(n))
        vec = V.vector(data)
        for i in sorted({0, 1, n // 2, n - 1, n} & set(range(n + 1))):
            left, right = vec.split(i)
            assert isinstance(left, V.Vector) and isinstance(right, V.Vector)
            check(left, data[:i])
            check(right, data[i:])
        check(vec, data)


def test_pop(V):
    data = list(range(3 * V.BRANCHING))
    vec = V.vector(data)
    nv, x = vec.pop()
    assert x == data[-1]
    check(nv, data[:-1])
    for i in range(-len(data), len(data)):
        nv, x = vec.pop(i)
        m = list(data)
        assert x == m.pop(i)
        check(nv, m)
    for bad in (len(data), -len(data) - 1):
        raises_unchanged(vec, data, IndexError, vec.pop, bad)
    raises_unchanged(vec, data, TypeError, vec.pop, "a")
    raises_unchanged(V.vector(), [], IndexError, V.vector().pop)
    raises_unchanged(V.vector(), [], IndexError, V.vector().pop, 0)
    # pop down to empty
    model = list(data)
    while model:
        vec, x = vec.pop()
        assert x == model.pop()
        check(vec, model)
    assert len(vec) == 0


def test_popleft_appendleft(V):
    data = list(range(2 * V.BRANCHING + 3))
    vec = V.vector(data)
    model = list(data)
    while model:
        vec, x = vec.popleft()
        assert x == model.pop(0)
        check(vec, model)
    raises_unchanged(vec, [], IndexError, vec.popleft)
    for i in range(2 * V.BRANCHING + 3):
        vec = vec.appendleft(i)
        model.insert(0, i)
        check(vec, model)


def test_from_concat(V):
    rng = random.Random(7)
    check(V.Vector.from_concat([]), [])
    check(V.Vector.from_concat([V.vector()]), [])
    check(V.Vector.from_concat([V.v(1)]), [1])
    check(V.Vector.from_concat([V.v(1), V.vector(), V.v(2, 3)]), [1, 2, 3])
    parts = []
    model = []
    for k in range(300):
        n = rng.choice([0, 1, 2, V.BRANCHING - 1, V.BRANCHING, V.BRANCHING + 1,
                        rng.randrange(3 * V.BRANCHING)])
        parts.append(V.vector(range(len(model), len(model) + n)))
        model.extend(range(len(model), len(model) + n))
    r = V.Vector.from_concat(parts)
    assert isinstance(r, V.Vector)
    check(r, model)
    check(V.Vector.from_concat(iter(parts)), model)
    check(V.Vector.from_concat(p for p in parts), model)
    # the inputs are unchanged
    pos = 0
    for p in parts:
        p._check()
        assert p.tolist() == model[pos:pos + len(p)]
        pos += len(p)


# ---------------------------------------------------------------- operators


def test_add(V):
    a = V.v(1, 2)
    check(a + V.v(3), [1, 2, 3])
    check(a + [3, 4], [1, 2, 3, 4])
    check(a + (3,), [1, 2, 3])
    check(a + V.vector(), [1, 2])
    check(V.vector() + a, [1, 2])
    check(a + a, [1, 2, 1, 2])
    with pytest.raises(TypeError):
        a + 5
    with pytest.raises(TypeError):
        a + None
    check(a, [1, 2])


def test_add_random_shapes(V):
    rng = random.Random(11)
    M = V.BRANCHING
    pool = [(V.vector(), [])]
    for n in (1, M - 1, M, M + 1, M * M + 1, M * M + M + 1, 3 * M * M + 5):
        pool.append((V.vector(range(n)), list(range(n))))
    for _ in range(200):
        (a, am), (b, bm) = rng.choice(pool), rng.choice(pool)
        op = rng.randrange(3)
        if op == 0:
            r, rm = a + b, am + bm
        elif op == 1 and len(am) > 0:
            i, j = sorted(rng.randrange(len(am) + 1) for _ in range(2))
            r, rm = a[i:j], am[i:j]
        else:
            r, rm = b + a, bm + am
        r._check()
        assert len(r) == len(rm)
        if len(rm) <= 3000:
            check(r, rm)
            pool.append((r, rm))
    for vec, m in pool:
        check(vec, m)


def test_mul(V):
    a = V.v(1, 2, 3)
    check(a * 3, [1, 2, 3] * 3)
    check(3 * a, [1, 2, 3] * 3)
    check(a * 1, [1, 2, 3])
    check(a * 0, [])
    check(a * -1, [])
    check(a * -5, [])
    check(0 * a, [])
    check(V.vector() * 5, [])
    check(a * True, [1, 2, 3])
    big = V.vector(range(V.BRANCHING + 1))
    check(big * (V.BRANCHING + 2), list(range(V.BRANCHING + 1)) * (V.BRANCHING + 2))
    for bad in (1.5, "a", None, [2]):
        raises_unchanged(a, [1, 2, 3], TypeError, lambda: a * bad)
        raises_unchanged(a, [1, 2, 3], TypeError, lambda: bad * a)


def test_equality(V):
    a = V.vector(range(100))
    b = V.vector(range(50)) + V.vector(range(50, 100))
    assert a == b and not (a != b)
    assert a == list(range(100))
    assert list(range(100)) == a
    assert not (a != list(range(100)))
    assert a != tuple(range(100))
    assert a != V.vector(range(99))
    assert a != list(range(99))
    assert a != a.set(5, "x")
    assert a != 5
    assert a != None  # noqa: E711
    assert not (a == "abc")
    assert V.vector() == V.v()
    assert V.vector() == []
    assert V.v(1.0) == V.v(1)
    nan = float("nan")
    n = V.v(nan)
    assert n == n
    assert n == V.v(nan)


def test_ordering(V):
    a = V.v(1, 2, 3)
    for other in ([1, 2, 3], [1, 2], [1, 2, 4], [0, 9, 9, 9], [1, 2, 3, 0], []):
        for o in (other, V.vector(other)):
            assert (a < o) == ([1, 2, 3] < other)
            assert (a <= o) == ([1, 2, 3] <= other)
            assert (a > o) == ([1, 2, 3] > other)
            assert (a >= o) == ([1, 2, 3] >= other)
            assert (a == o) == ([1, 2, 3] == other)
            assert (a != o) == ([1, 2, 3] != other)
        assert (other < a) == (other < [1, 2, 3])
        assert (other >= a) == (other >= [1, 2, 3])
    with pytest.raises(TypeError):
        a < 5
    with pytest.raises(TypeError):
        a < (1, 2)
    with pytest.raises(TypeError):
        V.v(1) < V.v("a")
    big = V.vector(range(V.BRANCHING * 3))
    assert big < big.set(len(big) - 1, 10 ** 9)
    assert big.append(0) > big


def test_hash(V):
    for n in (0, 1, 5, 100, V.BRANCHING * V.BRANCHING + 3):
        vec = V.vector(range(n))
        assert hash(vec) == hash(tuple(range(n)))
    a = V.vector(range(100))
    b = V.vector(range(40)) + V.vector(range(40, 100))
    assert hash(a) == hash(b)
    assert {a: 1}[b] == 1
    assert isinstance(a, collections.abc.Hashable)
    with pytest.raises(TypeError):
        hash(V.v(1, [2]))
    with pytest.raises(TypeError):
        hash(V.v(1, {}))


def test_evolver_repr(V):
    e = V.v(1, 2).evolver()
    assert repr(e) == "vector([1, 2]).evolver()"
    e.append("a")
    del e[0]
    assert repr(e) == "vector([2, 'a']).evolver()"
    assert repr(V.vector().evolver()) == "vector([]).evolver()"


def test_repr(V):
    assert repr(V.vector()) == "vector([])"
    assert repr(V.v(1, 2, 3)) == "vector([1, 2, 3])"
    assert repr(V.v("a", None)) == "vector(['a', None])"
    assert repr(V.v(V.v(1))) == "vector([vector([1])])"
    assert str(V.v(1)) == "vector([1])"
    assert repr(V.vector(range(100))) == "vector(%r)" % (list(range(100)),)
    cyc = []
    vec = V.v(cyc)
    cyc.append(vec)
    assert repr(vec).startswith("vector([[")  # no RecursionError


def test_sequence_abc(V):
    vec = V.v(1, 2, 3)
    assert isinstance(vec, collections.abc.Sequence)
    assert issubclass(V.Vector, collections.abc.Sequence)
    assert not isinstance(vec, collections.abc.MutableSequence)
    assert isinstance(vec, collections.abc.Sized)
    assert isinstance(vec, collections.abc.Iterable)
    assert isinstance(vec, collections.abc.Container)
    assert isinstance(vec, collections.abc.Reversible)


# ---------------------------------------------------------------- elements' exceptions


def test_element_eq_exceptions_propagate(V):
    bomb = Bomb()
    data = [1, 2, bomb, 3]
    vec = V.vector(data)
    raises_unchanged(vec, data, EqError, vec.index, 3)
    raises_unchanged(vec, data, EqError, vec.remove, 3)
    raises_unchanged(vec, data, EqError, vec.count, 3)
    raises_unchanged(vec, data, EqError, vec.__contains__, 3)
    raises_unchanged(vec, data, EqError, lambda: vec == [1, 2, 0, 3])
    raises_unchanged(vec, data, EqError, lambda: vec == V.v(1, 2, 0, 3))
    raises_unchanged(vec, data, EqError, lambda: vec != [1, 2, 0, 3])
    raises_unchanged(vec, data, EqError, lambda: vec < [1, 2, 0, 3])
    # found before the bomb: no comparison with it
    assert vec.index(2) == 1
    check(vec.remove(1), [2, bomb, 3])
    # identity short-cut, as in list
    first = V.v(bomb, 1)
    assert first.index(bomb) == 0
    assert bomb in first
    assert first == first


def test_hash_exception_propagates(V):
    class BadHash:
        def __hash__(self):
            raise EqError("hash")

    vec = V.v(1, BadHash())
    with pytest.raises(EqError):
        hash(vec)


# ---------------------------------------------------------------- pickle, copy, weakref


@pytest.mark.parametrize("proto", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle(V, proto):
    for n in (0, 1, 5, V.BRANCHING * V.BRANCHING + V.BRANCHING + 1):
        vec = V.vector(range(n))
        r = pickle.loads(pickle.dumps(vec, proto))
        assert type(r) is type(vec)
        check(r, range(n))
    nested = V.v(V.v(1, 2), "x", [3])
    r = pickle.loads(pickle.dumps(nested, proto))
    assert type(r) is V.Vector and type(r[0]) is V.Vector
    assert r == nested
    relaxed = V.vector(range(33)) + V.vector(range(77))
    r = pickle.loads(pickle.dumps(relaxed, proto))
    check(r, list(range(33)) + list(range(77)))


def test_reduce(V):
    vec = V.v(1, 2)
    f, args = vec.__reduce__()[:2]
    assert f(*args) == vec
    assert list(args[0]) == [1, 2]


def test_copy(V):
    inner = [1]
    vec = V.v(inner, 2)
    c = copy.copy(vec)
    assert c == vec and type(c) is V.Vector
    assert c[0] is inner
    d = copy.deepcopy(vec)
    assert type(d) is V.Vector
    assert d == vec
    assert d[0] is not inner
    check(vec, [inner, 2])


def test_weakref(V):
    vec = V.vector(range(10))
    r = weakref.ref(vec)
    assert r() is vec
    del vec
    import gc
    gc.collect()
    assert r() is None


# ---------------------------------------------------------------- transform


def test_transform(V):
    from pyrsistent import ny
    vec = V.v(1, 2, 3)
    check(vec.transform([1], 5), [1, 5, 3])
    check(vec.transform([ny], lambda x: x * 10), [10, 20, 30])
    check(vec.transform([lambda i: i % 2 == 0], lambda x: -x), [-1, 2, -3])
    check(vec.transform([3], 4), [1, 2, 3, 4])
    check(vec.transform([0], 9, [2], 8), [9, 2, 8])
    nested = V.v(V.v(1, 2), V.v(3, 4))
    r = nested.transform([1, 0], 99)
    assert r == [[1, 2], [99, 4]]
    assert type(r[1]) is V.Vector
    check(vec, [1, 2, 3])


def test_transform_discard(V):
    from pyrsistent import discard, ny
    vec = V.v(1, 2, 3, 4)
    check(vec.transform([1], discard), [1, 3, 4])
    check(vec.transform([lambda i: i % 2 == 0], discard), [2, 4])
    check(vec.transform([ny], discard), [])
    check(vec, [1, 2, 3, 4])


# ---------------------------------------------------------------- evolver


def test_evolver_basic(V):
    data = list(range(10))
    vec = V.vector(data)
    e = vec.evolver()
    assert isinstance(e, V.VectorEvolver)
    assert not e.is_dirty()
    assert len(e) == 10
    check_evolver(e, data)
    assert e[-1] == 9
    e[0] = "a"
    assert e.is_dirty()
    assert e.set(1, "b") is e
    assert e.append("c") is e
    assert e.extend(["d", "e"]) is e
    e[len(e)] = "f"
    m = ["a", "b"] + data[2:] + ["c", "d", "e", "f"]
    check_evolver(e, m)
    assert e.delete(2) is e
    del m[2]
    del e[-1]
    del m[-1]
    check_evolver(e, m)
    p = e.persistent()
    assert isinstance(p, V.Vector)
    check(p, m)
    assert not e.is_dirty()
    check(vec, data)


def test_evolver_errors(V):
    data = list(range(10))
    vec = V.vector(data)
    e = vec.evolver()
    for bad in (10, -11, 100):
        with pytest.raises(IndexError):
            e[bad]
    for bad in (11, -11):
        with pytest.raises(IndexError):
            e[bad] = 1
        with pytest.raises(IndexError):
            e.set(bad, 1)
    for bad in (10, -11):
        with pytest.raises(IndexError):
            del e[bad]
        with pytest.raises(IndexError):
            e.delete(bad)
    for bad in ("a", 1.5, None):
        with pytest.raises(TypeError):
            e[bad]
        with pytest.raises(TypeError):
            e[bad] = 1
    with pytest.raises(ValueError):
        e.remove("missing")
    with pytest.raises(TypeError):
        e.extend(5)
    check_evolver(e, data)
    assert not e.is_dirty()
    check(e.persistent(), data)
    check(vec, data)


def test_evolver_delete_range_remove(V):
    n = 3 * V.BRANCHING + 2
    data = list(range(n))
    vec = V.vector(data)
    for start, stop in [(0, 1), (0, n), (1, n - 1), (5, 2), (n - 3, n + 10), (-5, -1),
                        (V.BRANCHING - 1, 2 * V.BRANCHING + 1)]:
        e = vec.evolver()
        assert e.delete(start, stop) is e
        m = list(data)
        del m[start:stop]
        check_evolver(e, m)
        check(e.persistent(), m)
    e = vec.evolver()
    e.remove(5)
    m = list(data)
    m.remove(5)
    check_evolver(e, m)
    e.remove(0)
    m.remove(0)
    check(e.persistent(), m)
    check(vec, data)


def test_evolver_index_protocol(V):
    e = V.vector(range(10)).evolver()
    assert e[Idx(3)] == 3
    e[Idx(3)] = "x"
    assert e[3] == "x"
    assert e[True] == 1


def test_evolver_persistent_snapshots(V):
    """persistent() results and the source never change under later edits."""
    rng = random.Random(3)
    M = V.BRANCHING
    base = list(range(M * M + M + 3))
    src = V.vector(base)
    e = src.evolver()
    model = list(base)
    snapshots = []
    for step in range(400):
        op = rng.randrange(6)
        if op == 0 and model:
            i = rng.randrange(len(model))
            e[i] = ("s", step)
            model[i] = ("s", step)
        elif op == 1:
            e.append(step)
            model.append(step)
        elif op == 2 and model:
            i = rng.randrange(len(model))
            del e[i]
            del model[i]
        elif op == 3:
            e.extend(range(step, step + 3))
            model.extend(range(step, step + 3))
        elif op == 4:
            snapshots.append((e.persistent(), list(model)))
            assert not e.is_dirty()
        else:
            snapshots.append((e.finish(), list(model)))
        if step % 40 == 0:
            check_evolver(e, model)
    check_evolver(e, model)
    check(e.persistent(), model)
    for snap, m in snapshots:
        check(snap, m)
    check(src, base)


def test_evolver_on_relaxed_tree(V):
    """An evolver on a concatenation must not touch the shared nodes."""
    M = V.BRANCHING
    a = V.vector(range(M * M + 7))
    b = V.vector(range(1000, 1000 + M * M + 11))
    c = a + b
    cm = list(range(M * M + 7)) + list(range(1000, 1000 + M * M + 11))
    check(c, cm)
    e = c.evolver()
    m = list(cm)
    for i in range(0, len(m), 3):
        e[i] = -i
        m[i] = -i
    del e[M + 1]
    del m[M + 1]
    e.append("z")
    m.append("z")
    check_evolver(e, m)
    p = e.persistent()
    check(p, m)
    e[0] = "again"
    check(p, m)
    check(c, cm)
    check(a, range(M * M + 7))
    check(b, range(1000, 1000 + M * M + 11))


def test_two_evolvers_independent(V):
    data = list(range(100))
    vec = V.vector(data)
    e1, e2 = vec.evolver(), vec.evolver()
    e1[5] = "one"
    e2[5] = "two"
    e1.append(1)
    assert e1[5] == "one" and e2[5] == "two"
    assert len(e1) == 101 and len(e2) == 100
    p1, p2 = e1.persistent(), e2.persistent()
    assert p1[5] == "one" and p2[5] == "two"
    check(vec, data)


def test_evolver_persistent_not_dirty_equal_source(V):
    vec = V.vector(range(40))
    e = vec.evolver()
    p = e.persistent()
    assert p == vec
    check(p, range(40))
    assert e.finish() == vec


def test_evolver_context_manager(V):
    vec = V.vector(range(5))
    with vec.evolver() as e:
        assert isinstance(e, V.VectorEvolver)
        e.append(5)
    check(e.persistent(), range(6))
    ev = vec.evolver()
    assert ev.__enter__() is ev
    assert ev.__exit__(None, None, None) is False
    with pytest.raises(EqError):
        with vec.evolver() as e2:
            e2.append(1)
            raise EqError("inside")
    check(e2.persistent(), list(range(5)) + [1])
    check(vec, range(5))


def test_evolver_after_persistent_keeps_working(V):
    M = V.BRANCHING
    vec = V.vector(range(M * M))
    e = vec.evolver()
    e[0] = "a"
    p1 = e.persistent()
    e[0] = "b"
    e[M * M - 1] = "c"
    e.append("d")
    p2 = e.persistent()
    e[1] = "e"
    del e[2]
    p3 = e.persistent()
    check(p1, ["a"] + list(range(1, M * M)))
    check(p2, ["b"] + list(range(1, M * M - 1)) + ["c", "d"])
    check(p3, ["b", "e"] + list(range(3, M * M - 1)) + ["c", "d"])
    check(vec, range(M * M))


def test_evolver_large_appends_then_edit(V):
    M = V.BRANCHING
    n = M ** 3 + M + 1 if M == 4 else M * M + M + 1
    e = V.vector().evolver()
    for i in range(n):
        e.append(i)
    p = e.persistent()
    for i in range(0, n, 5):
        e[i] = -i
    check(p, range(n))
    m = list(range(n))
    for i in range(0, n, 5):
        m[i] = -i
    check(e.persistent(), m)


def test_evolver_elements_eq_error(V):
    bomb = Bomb()
    data = [1, bomb, 3]
    e = V.vector(data).evolver()
    with pytest.raises(EqError):
        e.remove(3)
    check_evolver(e, data)


# ---------------------------------------------------------------- debug hooks


def expected_height(n, M):
    """Height of an append-built vector of n elements: its tree holds all but
    the last 1..M elements (the tail) in full leaves, densely packed."""
    if n == 0:
        return 0
    tree = n - ((n - 1) % M + 1)
    h, cap = 0, M
    while cap < tree:
        h += 1
        cap *= M
    return h


def test_height(V):
    M = V.BRANCHING
    assert V.vector()._height() == 0
    assert V.v(1)._height() == 0
    assert V.vector(range(M))._height() == 0
    assert V.vector(range(M + 1))._height() == 0
    assert V.vector(range(2 * M + 1))._height() == 1
    assert V.vector(range(M * M + M))._height() == 1
    assert V.vector(range(M * M + M + 1))._height() == 2
    assert V.vector(range(M ** 3 + M))._height() == 2
    assert V.vector(range(M ** 3 + M + 1))._height() == 3
    vec = V.vector()
    for n in range(1, (M ** 4 + M + 2 if M == 4 else M * M + M + 2)):
        vec = vec.append(n)
        assert vec._height() == expected_height(n, M), n
    # popping shrinks the height again
    while len(vec):
        vec = vec.pop()[0]
        assert vec._height() == expected_height(len(vec), M), len(vec)


def test_every_result_type(V):
    vec = V.vector(range(10))
    for r in (vec.append(1), vec.set(0, 1), vec[1:3], vec[::2], vec + vec, vec * 2,
              vec.insert(0, 1), vec.delete(0), vec.delete(0, 2), vec.remove(1),
              vec.mset(0, 1), vec.extend([1]), vec.appendleft(1), vec.split(3)[0],
              vec.pop()[0], vec.popleft()[0], V.Vector.from_concat([vec, vec])):
        assert type(r) is V.Vector


def test_split_clamps_huge_indexes(V):
    # an int beyond Py_ssize_t clamps to the end its sign points to
    v = V.vector(range(5))
    for big in (10 ** 30, 2 ** 63, 2 ** 64 + 1):
        a, b = v.split(-big)
        assert a.tolist() == [] and b.tolist() == [0, 1, 2, 3, 4]
        a, b = v.split(big)
        assert a.tolist() == [0, 1, 2, 3, 4] and b.tolist() == []
