"""Raw leaves: in the C core a leaf of atomic elements is not a Python object
(rrb_node.c, "raw leaves"; docs/design-rrb.md).  It has a 32-bit reference count
in its header word instead of an owner id, so an evolver edits it in place
only when its count is 1 and every node above it is the evolver's own; the
GC never sees it.

The behavioural tests run on every implementation (the twin has no raw
leaves, and must give the same answers); the layout tests are C only.
"""
import gc
import random
import sys
import sysconfig

import pytest

from test_vector_paths import Obj, check


def _c_only(V):
    if "_pure" in V.__name__:
        pytest.skip("raw leaves are a C layout")
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        pytest.skip("the free-threaded build has no raw leaves (docs/threads.md)")


def _sizes(V):
    m = V.BRANCHING
    return sorted({1, 2, m - 1, m, m + 1, 2 * m + 3, m * m, m * m + 1,
                   m * m + m, m * m + m + 1, m * m * m + 5})


# ------------------------------------------------------------ evolver ownership


@pytest.mark.parametrize("op", ["pop", "set_tail", "append", "set_tree"])
def test_evolver_on_a_buffer_ahead_of_its_vector(V, op):
    """v1's tail buffer was extended in place by v2, which then died: the
    buffer's fill is ahead of v1's tail length and, once v1 is gone too, the
    evolver holds the only reference.  It must still see v1's length."""
    for n in _sizes(V):
        v1 = V.vector(range(n - 1)).append(n - 1)      # a tail buffer
        v2 = v1.append("ahead")
        assert v2[-1] == "ahead"
        del v2
        e = v1.evolver()
        del v1
        gc.collect()
        model = list(range(n))
        if op == "pop":
            e.delete(len(e) - 1)
            model.pop()
        elif op == "set_tail":
            e[len(e) - 1] = "x"
            model[-1] = "x"
        elif op == "append":
            e.append("b")
            e.append("c")
            model += ["b", "c"]
        else:
            e[0] = "x"
            model[0] = "x"
        check(e.persistent(), model)


def test_evolver_snapshots_are_frozen(V):
    """Snapshots taken between in-place edits never change, whether the
    evolver's leaves are shared with them (count > 1) or not any more (the
    snapshot died, count back to 1, but the path is no longer owned)."""
    rng = random.Random(5)
    m = V.BRANCHING
    for n in (0, 3, m, m * m + 7, 3 * m * m):
        model = list(range(n))
        e = V.vector(model).evolver()
        snaps = []
        for step in range(300):
            r = rng.random()
            if r < 0.45 and model:
                i = rng.randrange(len(model))
                x = rng.choice([step, "s%d" % step, (step, "t"), Obj(step)])
                e[i] = x
                model[i] = x
            elif r < 0.75:
                x = rng.choice([step, Obj(step)])
                e.append(x)
                model.append(x)
            elif r < 0.85 and model:
                e.delete(len(e) - 1)
                model.pop()
            elif r < 0.95:
                snaps.append((e.persistent(), list(model)))
            elif snaps:
                del snaps[rng.randrange(len(snaps))]
                gc.collect()
        check(e.persistent(), model)
        for vec, lst in snaps:
            check(vec, lst)


def test_persistent_edits_leave_the_source_alone(V):
    m = V.BRANCHING
    for n in _sizes(V):
        src = V.vector(range(n))
        for i in sorted({0, n // 2, n - 1}):
            w = src.set(i, "x")
            assert w[i] == "x"
            w2 = src.mset(i, "y")
            assert w2[i] == "y"
            check(src, list(range(n)))
        w = src.extend(range(m + 1))
        check(w, list(range(n)) + list(range(m + 1)))
        check(src, list(range(n)))


def test_raw_leaf_edits_release_elements(V):
    """Every reference an edit takes on an element is given back (refcounts
    of an atomic element whose count we can read)."""
    x = 10 ** 30
    y = 10 ** 31
    before = (sys.getrefcount(x), sys.getrefcount(y))
    m = V.BRANCHING
    for n in _sizes(V):
        v = V.vector([x] * n)
        w = v.set(n - 1, y).append(x).insert(0, y)
        e = w.evolver()
        e[0] = x
        e.append(y)
        e.delete(len(e) - 1)
        p = e.persistent()
        e[len(e) // 2] = y
        q = p + v + w[1:]
        del v, w, e, p, q
    gc.collect()
    assert (sys.getrefcount(x), sys.getrefcount(y)) == before
    assert m > 1


def test_a_non_atomic_element_into_a_raw_leaf(V):
    """set/append of a non-atomic element into a leaf of atomic ones makes a
    GC leaf (so that the cycle through it can be collected)."""
    m = V.BRANCHING
    for n in _sizes(V):
        v = V.vector(range(n))
        for i in sorted({0, n // 2, n - 1}):
            box = []
            w = v.set(i, box)
            box.append(w)            # a cycle through the vector
            assert w[i] is box
            del w, box
        e = v.evolver()
        box = [e]
        e[len(e) - 1] = box
        e.append(box)
        del e, box
        assert gc.collect() >= 0
        check(v, list(range(n)))
    assert m > 1


# ------------------------------------------------------------ layout (C only)


def test_raw_leaves_are_invisible_to_the_gc(V):
    _c_only(V)
    m = V.BRANCHING
    v = V.vector(range(m * m))          # root of height 1 over raw leaves
    assert v._height() == 1
    # the root only: the tail is raw and not reported
    [root] = gc.get_referents(v)
    assert type(root).__name__ == "Inner"
    assert gc.get_referents(root) == []
    # one leaf holding a list is a GC leaf: the only child the root reports
    w = v.set(m + 1, [0])
    [root] = gc.get_referents(w)
    [leaf] = gc.get_referents(root)
    assert type(leaf).__name__ == "LeafGC"
    assert [0] in gc.get_referents(leaf)
    assert gc.get_referents(V.vector(range(3))) == []


def test_raw_leaf_bytes(V):
    """A raw leaf is the header word and the slots (8 + 8M bytes); a vector
    of atomic elements costs that per M elements plus the inner nodes."""
    _c_only(V)
    m = V.BRANCHING
    n = m ** 4
    st = V.vector(range(n))._stats()
    assert st["leaves"] == n // m
    leaf_bytes = st["leaves"] * (8 + 8 * m)
    inner_bytes = st["bytes"] - leaf_bytes
    # an inner node: GC header, object header, header word, slots, count
    assert inner_bytes == st["inners"] * (16 + 16 + 8 + 8 * m + 8)
    if m == 32:
        assert st["bytes"] / n < 8.6
    assert V._RAW_SLABS in (0, 1)
