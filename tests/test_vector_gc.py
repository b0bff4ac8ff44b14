"""Memory: cyclic GC through elements, no reference leaks, deep nesting.

* Reference cycles that go through a vector's (or an evolver's) elements are
  collected by ``gc.collect()``.
* Many operations, failing ones included, leave ``sys.getallocatedblocks()``
  flat and the elements' reference counts unchanged.
* A vector nested 100,000 levels deep through its elements is freed without
  crashing (run in a subprocess, so a crash fails one test, not the run).
"""
import gc
import os
import subprocess
import sys
import weakref

import pytest

from conftest import load_impl, vector_impls


class Node:
    pass


class EqError(Exception):
    pass


class Bomb:
    def __eq__(self, other):
        raise EqError("eq")

    __hash__ = object.__hash__


def collected(make_cycle):
    """Build a cycle with make_cycle() -> object; True if gc frees it."""
    r = weakref.ref(make_cycle())
    gc.collect()
    return r() is None


def test_cycle_through_tail(V):
    def make():
        n = Node()
        n.vec = V.v(n)
        return n
    assert collected(make)


def test_cycle_through_tree_nodes(V):
    M = V.BRANCHING

    def make():
        n = Node()
        # n sits deep in the tree (not in the tail), in a relaxed tree too
        n.vec = V.vector([n] + list(range(M ** 3)))
        n.rel = V.vector(range(M + 3)) + V.vector([0, n] + list(range(M * M)))
        n.sl = n.vec[1:M * M + 5].insert(M, n)
        return n
    assert collected(make)


def test_cycle_through_list_element(V):
    def make():
        lst = []
        vec = V.v(1, lst)
        lst.append(vec)
        n = Node()
        n.lst = lst
        lst.append(n)
        return n
    assert collected(make)


def test_cycle_through_evolver(V):
    M = V.BRANCHING

    def make():
        n = Node()
        e = V.vector(range(M * M)).evolver()
        e[3] = n
        e.append(n)
        n.e = e
        return n
    assert collected(make)

    def make2():
        n = Node()
        e = V.vector(range(M * M)).evolver()
        e[3] = n
        n.p = e.persistent()
        n.e = e
        e[4] = n
        return n
    assert collected(make2)


def test_cycle_vector_in_vector(V):
    def make():
        n = Node()
        inner = V.v(n, 1)
        outer = V.v(inner, V.v(inner))
        n.outer = outer
        return n
    assert collected(make)


def test_containers_with_objects_are_tracked(V):
    assert gc.is_tracked(V.v([]))
    assert gc.is_tracked(V.vector([[]] + list(range(3 * V.BRANCHING))))
    vec = V.vector(range(V.BRANCHING * 3))
    assert gc.is_tracked(vec.set(1, []))
    assert gc.is_tracked(vec.append([]))
    assert gc.is_tracked(vec + V.v([]))


def test_weakref_dies_with_vector(V):
    vec = V.vector(range(100))
    r = weakref.ref(vec)
    del vec
    gc.collect()
    assert r() is None


# ---------------------------------------------------------------- leaks


def workload(V, obj, bomb):
    """Many operations with ``obj`` as an element, including failing ones."""
    M = V.BRANCHING
    base = V.vector([obj] * (M * M + M + 3))
    rel = V.vector([obj] * (M + 1)) + base
    for vec in (V.vector(), V.v(obj), base, rel):
        n = len(vec)
        vec.append(obj)
        vec.extend([obj, obj])
        vec.set(n, obj)
        if n:
            vec.mset(0, obj)
        vec.insert(n // 2, obj)
        vec.appendleft(obj)
        vec + vec
        vec + [obj]
        vec * 2
        vec[1:n - 1]
        vec[::3]
        vec.split(n // 2)
        vec.tolist()
        list(vec)
        list(reversed(vec))
        obj in vec
        vec.count(obj)
        vec == vec.append(obj)
        vec < [obj]
        repr(vec)
        V.Vector.from_concat([vec, vec, V.v(obj)])
        if n:
            vec.pop()
            vec.pop(0)
            vec.popleft()
            vec.delete(0)
            vec.delete(0, n // 2)
            vec.remove(obj)
            vec.index(obj)
            vec[n - 1]
        e = vec.evolver()
        e.append(obj)
        e[0] = obj
        if len(e) > 1:
            del e[1]
        e.persistent()
        e.extend([obj] * (M + 1))
        e.finish()
        with vec.evolver() as e2:
            e2.append(obj)
        # failing operations
        for fn, args in ((vec.__getitem__, (n,)), (vec.__getitem__, ("x",)),
                         (vec.set, (n + 1, obj)), (vec.set, ("x", obj)),
                         (vec.delete, (n,)), (vec.remove, (bomb,)), (vec.index, (bomb,)),
                         (vec.insert, (n + 1, obj)), (vec.pop, (n,)), (vec.extend, (5,)),
                         (vec.mset, (0,)), (vec.mset, (n + 1, obj)), (vec.__mul__, (1.5,)),
                         (vec.__add__, (5,)), (e.__getitem__, (10 ** 6,)),
                         (e.__setitem__, (10 ** 6, obj)), (e.remove, (bomb,)),
                         (e.__delitem__, (10 ** 6,)), (hash, (V.v(obj, []),))):
            try:
                fn(*args)
            except (IndexError, TypeError, ValueError, EqError):
                pass
        for fn in (lambda: V.v(obj, bomb).index(5), lambda: V.v(bomb) == [1],
                   lambda: V.v(obj, bomb).remove(5), lambda: 5 in V.v(bomb)):
            try:
                fn()
            except EqError:
                pass


def test_element_refcounts_restored(V):
    obj = object()
    bomb = Bomb()
    workload(V, obj, bomb)
    gc.collect()
    rc_obj, rc_bomb = sys.getrefcount(obj), sys.getrefcount(bomb)
    workload(V, obj, bomb)
    gc.collect()
    assert sys.getrefcount(obj) == rc_obj
    assert sys.getrefcount(bomb) == rc_bomb


def test_allocated_blocks_flat(V):
    obj = object()
    bomb = Bomb()
    for _ in range(3):
        workload(V, obj, bomb)
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(10):
        workload(V, obj, bomb)
    gc.collect()
    after = sys.getallocatedblocks()
    # a leak of even one block per failing operation would add hundreds
    assert after - before < 100, (before, after)


# ---------------------------------------------------------------- deep nesting


DEEP_SCRIPT = r"""
import importlib, sys
V = importlib.import_module(sys.argv[1])
M = V.BRANCHING
depth = int(sys.argv[2])
# nested through the tail
x = V.vector()
for _ in range(depth):
    x = V.v(x)
del x
# nested through leaves inside the tree (element 0 of M + 1)
x = V.vector()
pad = list(range(M))
for _ in range(depth):
    x = V.vector([x] + pad)
del x
# nested through an evolver's result
x = V.vector()
for _ in range(depth):
    e = V.vector(pad).evolver()
    e[0] = x
    x = e.persistent()
del x, e
# comparing / printing deep structures may raise RecursionError, never crash
a, b = V.v(), V.v()
for _ in range(depth):
    a, b = V.v(a), V.v(b)
for f in (lambda: a == b, lambda: repr(a)):
    try:
        f()
    except RecursionError:
        pass
del a, b
print("ok")
"""


@pytest.mark.parametrize("modname", vector_impls())
def test_deeply_nested_freed_without_crash(modname):
    load_impl(modname)  # skip if not built
    import march
    src = os.path.dirname(os.path.dirname(march.__file__))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([src] + [p for p in sys.path if p])
    proc = subprocess.run([sys.executable, "-c", DEEP_SCRIPT, modname, "100000"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert proc.stdout.strip() == "ok"
