"""The fast paths of Vector: shared tail buffers (append), the direct path
insert, and their interplay with every other operation.

The C core lets a vector append in place into its tail buffer when its tail
length equals the buffer's fill (vectors sharing the buffer see only their
own tail length); these tests branch many vectors off one buffer and check
that none of them ever sees another's elements.  The insert tests drive the
leaf-split / neighbour-sharing / refit paths at every position, at M = 4
(deep trees) and M = 32, with the invariant checker after every step.
"""
import gc
import importlib
import random
import weakref

import pytest

from conftest import PURE_ONLY


class Obj(object):
    """a non-atomic element (GC-tracked, weakly referenceable)"""

    def __init__(self, v):
        self.v = v

    def __eq__(self, other):
        return isinstance(other, Obj) and other.v == self.v

    def __hash__(self):
        return hash(self.v)


def check(vec, lst):
    vec._check()
    assert len(vec) == len(lst)
    assert vec.tolist() == lst
    assert [vec[i] for i in range(len(lst))] == lst
    assert list(reversed(vec)) == lst[::-1]


# ---------------------------------------------------------------- append branches


def test_append_branches_do_not_see_each_other(V):
    m = V.BRANCHING
    for n in list(range(0, 2 * m + 3)) + [m * m + m - 1, m * m + m, m * m + m + 1]:
        base = V.vector(range(n))
        a = base.append("a")
        b = base.append("b")            # base's buffer is ahead: copies
        a2 = a.append("a2")
        b2 = b.append("b2")
        a3 = a.append("a3")             # a's buffer is ahead now
        check(base, list(range(n)))
        check(a, list(range(n)) + ["a"])
        check(b, list(range(n)) + ["b"])
        check(a2, list(range(n)) + ["a", "a2"])
        check(b2, list(range(n)) + ["b", "b2"])
        check(a3, list(range(n)) + ["a", "a3"])


def test_append_chains_from_every_prefix(V):
    m = V.BRANCHING
    versions = [V.vector()]
    for k in range(3 * m + 5):
        versions.append(versions[-1].append(k))
    # a second chain from every version
    for k, vec in enumerate(versions):
        w = vec
        for j in range(m + 2):
            w = w.append(-j)
        check(w, list(range(k)) + [-j for j in range(m + 2)])
    for k, vec in enumerate(versions):
        check(vec, list(range(k)))


def test_buffer_tail_with_every_operation(V):
    m = V.BRANCHING
    for n in (1, 3, m - 1, m + 2, 3 * m + 1, m * m + 5):
        base = V.vector(range(n)).append("x")      # a fresh tail buffer
        lst = list(range(n)) + ["x"]
        ahead = base.append("hidden")             # base's buffer is ahead
        ops = [
            (lambda v: v + V.vector(range(3)), lambda l: l + [0, 1, 2]),
            (lambda v: v + V.vector(range(2 * m + 1)), lambda l: l + list(range(2 * m + 1))),
            (lambda v: V.vector(range(2 * m + 1)) + v, lambda l: list(range(2 * m + 1)) + l),
            (lambda v: v + v, lambda l: l + l),
            (lambda v: v[1:], lambda l: l[1:]),
            (lambda v: v[:-1], lambda l: l[:-1]),
            (lambda v: v.set(-1, "s"), lambda l: l[:-1] + ["s"]),
            (lambda v: v.set(0, "s"), lambda l: ["s"] + l[1:]),
            (lambda v: v.insert(len(v) - 1, "i"), lambda l: l[:-1] + ["i"] + l[-1:]),
            (lambda v: v.insert(len(v) // 2, "i"), lambda l: l[:len(l) // 2] + ["i"] + l[len(l) // 2:]),
            (lambda v: v.delete(len(v) - 1), lambda l: l[:-1]),
            (lambda v: v.pop()[0], lambda l: l[:-1]),
            (lambda v: v.appendleft("f"), lambda l: ["f"] + l),
            (lambda v: v.extend(["e1", "e2"]), lambda l: l + ["e1", "e2"]),
            (lambda v: v.append(Obj(1)), lambda l: l + [Obj(1)]),
        ]
        for op, model in ops:
            r = op(base)
            check(r, model(lst))
            # appending to the result and to base again never leaks "hidden"
            check(r.append("y"), model(lst) + ["y"])
            check(base.append("z"), lst + ["z"])
            check(base, lst)
        check(ahead, lst + ["hidden"])
        assert base == V.vector(lst)
        assert hash(base) == hash(tuple(lst))
        assert base.index("x") == n
        assert base.count("hidden") == 0
        assert "hidden" not in base


def test_buffer_tail_and_evolvers(V):
    m = V.BRANCHING
    for n in (0, 2, m - 1, m, m + 1, 5 * m + 3):
        base = V.vector(range(n)).append("x")
        lst = list(range(n)) + ["x"]
        e = base.evolver()
        e.append("e1")                  # may extend the shared buffer in place
        e.append("e2")
        other = base.append("o")       # base's buffer is ahead now: copies
        e[-1] = "E2"
        e.set(0, "E0")
        del e[-1]
        p = e.persistent()
        e.append("after")
        q = e.persistent()
        check(base, lst)
        check(other, lst + ["o"])
        model = ["E0"] + (lst + ["e1"])[1:]
        check(p, model)
        check(q, model + ["after"])
        e._check()
        # a vector made by persistent() appends without touching the evolver
        r = p.append("r")
        e.append("e3")
        check(r, model + ["r"])
        check(e.persistent(), model + ["after", "e3"])
        check(p, model)


def test_buffer_tail_gc(V):
    # an element appended to a tail buffer dies with the last vector that
    # holds the buffer
    base = V.vector([Obj(0)]).append(Obj(1))
    x = Obj(2)
    r = weakref.ref(x)
    w = base.append(x)
    w2 = w.append(Obj(3))
    del x
    assert r() is not None
    del w, w2
    del base
    gc.collect()
    assert r() is None


def test_buffer_tail_cycle_collected(V):
    # cycles through elements in (shared) tail buffers are collected; v0's
    # tail is a buffer that the first append extends in place
    v0 = V.vector([Obj(0)]).append(Obj(-1))
    refs = []
    for k in range(3):
        box = Obj(k)
        w = v0.append(box)
        box.v = w
        refs.append(weakref.ref(box))
        del box, w
    gc.collect()
    del v0
    gc.collect()
    assert all(r() is None for r in refs)


# ---------------------------------------------------------------- insert


@pytest.mark.parametrize("mode", ["mid", "front", "back", "random", "mixed"])
def test_insert_sequences(V, mode):
    m = V.BRANCHING
    rnd = random.Random(mode)
    steps = 400 if m == 4 else 1500
    for n0 in (0, 1, m + 3, m * m + 7, 2 * m * m + 1):
        vec, lst = V.vector(range(n0)), list(range(n0))
        for step in range(steps):
            n = len(lst)
            if mode == "mid":
                i = n // 2
            elif mode == "front":
                i = rnd.randrange(min(n, 3) + 1)
            elif mode == "back":
                i = max(0, n - rnd.randrange(min(n, 3) + 1))
            else:
                i = rnd.randrange(n + 1)
            if mode == "mixed" and n and rnd.random() < 0.3:
                j = rnd.randrange(n)
                if rnd.random() < 0.5:
                    vec, lst = vec.delete(j), lst[:j] + lst[j + 1:]
                else:
                    vec, lst = vec[j:] + vec[:j], lst[j:] + lst[:j]
            else:
                x = Obj(step) if step % 5 == 0 else step
                vec = vec.insert(i, x)
                lst.insert(i, x)
            if m == 4 or step % 25 == 0:
                vec._check()
        check(vec, lst)


def test_insert_keeps_the_source(V):
    m = V.BRANCHING
    vec = V.vector(range(m * m * 2))
    lst = vec.tolist()
    for i in range(0, len(lst), 7):
        w = vec.insert(i, "x")
        assert w[i] == "x"
        assert len(w) == len(lst) + 1
        w._check()
    check(vec, lst)


def test_insert_height_stays_logarithmic(V):
    m = V.BRANCHING
    vec = V.vector()
    rnd = random.Random(5)
    n = 3000 if m == 4 else 20000
    for k in range(n):
        vec = vec.insert(rnd.randrange(len(vec) + 1) if k % 2 else len(vec) // 2, k)
    vec._check()
    limit = 1
    while m ** limit < n:
        limit += 1
    assert vec._height() <= limit + 2


@pytest.mark.skipif(PURE_ONLY, reason="compares the C core with the twin")
@pytest.mark.parametrize("pair", [("march._rrb", "march._pure.vector_object"),
                                  ("march._rrb4", "march._pure.rrb4")])
def test_insert_same_shape_as_twin(pair):
    try:
        c = importlib.import_module(pair[0])
    except ImportError:
        pytest.skip("C core not built")
    p = importlib.import_module(pair[1])
    m = c.BRANCHING
    rnd = random.Random(9)
    a, b = c.vector(range(m * m)), p.vector(range(m * m))
    for step in range(600):
        i = rnd.choice([len(a) // 2, rnd.randrange(len(a) + 1), 1, len(a) - 1])
        a, b = a.insert(i, step), b.insert(i, step)
        assert a._height() == b._height()
    assert a.tolist() == b.tolist()
