"""Threads: readers of one map / vector while other threads derive new versions.

The guarantees (docs/threads.md):

* a Map, Set or Vector never changes after it is made, so any number of
  threads may read it, iterate it, compare, hash and pickle it, and derive
  new versions from it (set algebra and diff included) at the same time and
  always get the single-threaded results;
* a transient (MapMutation, SetEvolver, VectorEvolver) shared by threads
  serialises its operations: with plain keys every operation succeeds and
  the result is that of some serial order; when a key's ``__hash__`` or
  ``__eq__`` (Python code) runs inside an operation, another thread's
  operation may be refused with RuntimeError (the busy guard), changing
  nothing;
* one iterator shared by threads never crashes; the C core yields each
  element exactly once in total, the twin (generators) at most once, a
  racing ``next()`` raising ``ValueError: generator already executing``.

On a free-threaded build these tests run truly in parallel; on a GIL build
they still interleave inside long operations (see below).

The switch interval is lowered so that threads interleave inside long
operations as often as the interpreter allows.  Every thread records
failures; the test asserts after joining (an exception in a thread would
otherwise be lost).
"""
import random
import sys
import sysconfig
import threading

import pytest

N_READERS = 3
ROUNDS = 60


@pytest.fixture(autouse=True)
def fast_switching():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def run_threads(targets):
    errors = []
    start = threading.Barrier(len(targets))

    def wrap(fn):
        def body():
            try:
                start.wait()
                fn()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
        return body

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
        assert not t.is_alive(), "thread hung"
    if errors:
        raise errors[0]


def test_map_readers_and_writers(M):
    n = 3000
    expect = {"k%d" % i: i for i in range(n)}
    expect.update({i * 32: -i for i in range(500)})            # deep chains too
    base = M.Map(expect)
    items_order = list(base.items())
    done = threading.Event()

    def reader(seed):
        def run():
            rnd = random.Random(seed)
            for r in range(ROUNDS):
                k = rnd.choice(items_order)[0]
                assert base[k] == expect[k]
                assert base.get(("absent", r)) is None
                assert len(base) == len(expect)
                if r % 10 == 0:
                    assert list(base.items()) == items_order
                    assert base == M.Map(expect)
                    assert hash(base) == hash(M.Map(items_order))
                    base._check()
                for kk in rnd.sample(items_order, 50):
                    assert kk[0] in base
        return run

    def writer(seed):
        def run():
            rnd = random.Random(seed)
            for r in range(ROUNDS):
                m = base
                local = dict(expect)
                for _ in range(30):
                    k = rnd.choice(items_order)[0] if rnd.random() < 0.5 else ("new", seed, r)
                    if rnd.random() < 0.7:
                        m = m.set(k, r)
                        local[k] = r
                    else:
                        m = m.discard(k)
                        local.pop(k, None)
                mm = base.mutate()
                for _ in range(30):
                    k = rnd.choice(items_order)[0]
                    mm[k] = (seed, r)
                res = mm.finish()
                assert len(res) == len(expect)
                assert dict(m.items()) == local
                if r % 20 == 0:
                    m._check()
                    res._check()
            done.set()
        return run

    run_threads([reader(i) for i in range(N_READERS)] + [writer(100), writer(101)])
    assert done.is_set()
    assert list(base.items()) == items_order
    base._check()


def test_vector_readers_and_writers(V):
    n = 5000
    expect = list(range(n))
    base = V.vector(expect)
    rel = V.vector(range(700)) + V.vector(range(700, 2000)) + V.vector(range(2000, n))
    assert rel == base

    def reader(seed):
        def run():
            rnd = random.Random(seed)
            for r in range(ROUNDS):
                for vec in (base, rel):
                    i = rnd.randrange(n)
                    assert vec[i] == i and vec[i - n] == i
                    assert len(vec) == n
                    j = rnd.randrange(i, n + 1)
                    assert vec[i:j].tolist() == expect[i:j]
                    if r % 10 == 0:
                        assert vec.tolist() == expect
                        assert list(reversed(vec)) == expect[::-1]
                        assert vec == base
                        vec._check()
        return run

    def writer(seed):
        def run():
            rnd = random.Random(seed)
            for r in range(ROUNDS):
                src = base if r % 2 else rel
                v2 = src.append(-1).set(rnd.randrange(n), -2)
                a, b = src.split(rnd.randrange(n + 1))
                v3 = b + a
                v4 = src.insert(rnd.randrange(n + 1), "x").delete(rnd.randrange(n))
                e = src.evolver()
                for _ in range(50):
                    e[rnd.randrange(n)] = "e"
                e.append("tail")
                v5 = e.persistent()
                e[0] = "after"               # must not affect v5
                assert v5[0] != "after" and src[0] != "after"
                assert len(v2) == n + 1 and len(v3) == n and len(v4) == n and len(v5) == n + 1
                if r % 20 == 0:
                    for x in (v2, v3, v4, v5):
                        x._check()
        return run

    run_threads([reader(i) for i in range(N_READERS)] + [writer(200), writer(201)])
    assert base.tolist() == expect and rel.tolist() == expect
    base._check()
    rel._check()


def test_shared_values_refcounts_under_threads(M, V):
    """Many threads building and dropping versions that share one value."""
    shared = object()
    before = sys.getrefcount(shared)
    m0 = M.Map({i: shared for i in range(200)})
    v0 = V.vector([shared] * 200)

    def churn():
        for r in range(ROUNDS):
            m = m0
            v = v0
            for i in range(100):
                m = m.set(i, shared).set(1000 + i, shared).discard(i + 1)
                v = v.append(shared).set(i, shared)
            mm = m0.mutate()
            for i in range(100):
                mm[i + 5000] = shared
            mm.finish()

    run_threads([churn for _ in range(4)])
    del m0, v0
    import gc
    gc.collect()
    assert sys.getrefcount(shared) == before


# ---------------------------------------------------------------------------
# Eight threads (or more) on ONE shared Map, Set and Vector: every thread
# runs every kind of operation (derivations, iteration, comparison and
# hashing, pickling, set algebra, diff), rotating so that at any moment
# different kinds run at the same time, and checks each result against a
# dict/set/list model it computes itself.

import collections  # noqa: E402
import pickle  # noqa: E402

N_THREADS = 8
SHARED_ROUNDS = 24
P61 = sys.hash_info.modulus        # k and k + P61 hash equal (positive ints)
MISSING = object()


def is_twin(mod):
    return "_pure" in mod.__name__


def hamt_keys(n):
    """n strs, ints whose hashes share their low bits (deep paths), and
    pairs of ints with equal hashes (collision nodes)."""
    keys = ["k%d" % i for i in range(n)]
    keys += [i << 10 for i in range(n // 4)]
    keys += [-1, -2]                                # hash(-1) == hash(-2)
    for i in range(1, 30):
        keys += [10 ** 7 + i, 10 ** 7 + i + P61]
    assert len(set(keys)) == len(keys)
    return keys


def run_rotating(ops, rounds, n_threads=N_THREADS):
    """``n_threads`` threads started together; in round r thread t runs
    ``ops[(t + r) % len(ops)](rnd, t, r)``."""
    def worker(tid):
        def run():
            rnd = random.Random(1000 + tid)
            for r in range(rounds):
                ops[(tid + r) % len(ops)](rnd, tid, r)
        return run
    run_threads([worker(t) for t in range(n_threads)])


def check_map(m, model, deep=False):
    assert len(m) == len(model)
    assert dict(m.items()) == model
    if deep:
        m._check()


def check_set(s, model, deep=False):
    assert len(s) == len(model)
    got = list(s)
    assert len(got) == len(model) and set(got) == model
    if deep:
        s._check()


def check_vec(v, model, deep=False):
    assert len(v) == len(model)
    assert v.tolist() == model
    if deep:
        v._check()


def diff_as_dict(pairs, absent):
    out = {}
    for k, x, y in pairs:
        assert k not in out, "diff reported %r twice" % (k,)
        out[k] = ("ABSENT" if x is absent else x, "ABSENT" if y is absent else y)
    return out


def model_map_diff(a, b):
    out = {}
    for k, v in a.items():
        if k not in b:
            out[k] = (v, "ABSENT")
        elif not (v is b[k] or v == b[k]):
            out[k] = (v, b[k])
    for k, v in b.items():
        if k not in a:
            out[k] = ("ABSENT", v)
    return out


def model_set_diff(a, b):
    out = {e: (e, "ABSENT") for e in a - b}
    out.update({e: ("ABSENT", e) for e in b - a})
    return out


def combine(k, x, y):
    return ("combined", x, y)


def model_union_combine(a, b):
    out = dict(a)
    for k, y in b.items():
        if k in a and not (a[k] is y or a[k] == y):
            out[k] = combine(k, a[k], y)
        else:
            out[k] = y
    return out


def test_shared_map_many_threads(M):
    keys = hamt_keys(1500)
    expect = {k: i for i, k in enumerate(keys)}
    base = M.Map(expect)
    items_order = list(base.items())
    keys_order = [k for k, _ in items_order]
    values_order = [v for _, v in items_order]
    same = M.Map(items_order)                 # equal, built separately
    want_hash = hash(M.Map(expect))           # base's hash: first computed by the threads
    kview, vview, iview = base.keys(), base.values(), base.items()

    def derived(rnd, tid, r):
        m, local = base, dict(expect)
        for j in range(20):
            k = rnd.choice(keys) if rnd.random() < 0.7 else ("new", tid, rnd.randrange(40))
            if rnd.random() < 0.6:
                m = m.set(k, (tid, r, j))
                local[k] = (tid, r, j)
            else:
                m = m.discard(k)
                local.pop(k, None)
        return m, local

    def op_derive(rnd, tid, r):
        deep = r % 6 == 0
        m, local = derived(rnd, tid, r)
        check_map(m, local, deep)
        k = rnd.choice(keys)
        check_map(base.delete(k), {kk: v for kk, v in expect.items() if kk != k})
        upd = {rnd.choice(keys): ("u", tid, r) for _ in range(10)}
        upd[("u", tid, r)] = 0
        check_map(m.update(upd), {**local, **upd}, deep)
        check_map(base.update(upd), {**expect, **upd})
        mm = base.mutate()
        local2 = dict(expect)
        for j in range(40):
            k = rnd.choice(keys) if j % 4 else ("mm", tid, j)
            if j % 3:
                mm[k] = (tid, j)
                local2[k] = (tid, j)
            else:
                got = mm.pop(k, MISSING)
                assert got == local2.pop(k, MISSING)
            assert mm.get(k, MISSING) == local2.get(k, MISSING)
        assert len(mm) == len(local2)
        check_map(mm.finish(), local2, deep)

    def op_iterate(rnd, tid, r):
        assert list(base) == keys_order
        assert list(kview) == keys_order
        assert list(vview) == values_order
        assert list(iview) == items_order
        assert list(base.items()) == items_order
        assert list(base.values()) == values_order
        assert len(kview) == len(vview) == len(iview) == len(expect)
        for k in rnd.sample(keys, 40):
            assert k in base and k in kview and (k, expect[k]) in iview
            assert base[k] == expect[k] and base.get(k) == expect[k]
        assert ("absent", tid) not in base and base.get(("absent", tid)) is None

    def op_compare(rnd, tid, r):
        assert base == same and same == base and not (base != same)
        assert hash(base) == want_hash and hash(same) == want_hash
        k = rnd.choice(keys)
        changed = base.set(k, "changed")
        assert base != changed and changed != base
        assert base != base.discard(k)
        assert base.set(k, expect[k]) == base
        assert hash(changed.set(k, expect[k])) == want_hash
        if r % 6 == 0:
            base._check()

    def op_pickle(rnd, tid, r):
        proto = rnd.choice([2, pickle.HIGHEST_PROTOCOL])
        got = pickle.loads(pickle.dumps(base, protocol=proto))
        assert type(got) is type(base)
        assert got == base and hash(got) == want_hash
        check_map(got, expect, r % 6 == 0)
        m, local = derived(rnd, tid, r)
        check_map(pickle.loads(pickle.dumps(m, protocol=proto)), local)

    def op_algebra(rnd, tid, r):
        deep = r % 6 == 0
        m, local = derived(rnd, tid, r)
        for a, b, da, db in ((base, m, expect, local), (m, base, local, expect)):
            check_map(a | b, {**da, **db}, deep)
            check_map(a.union(b), {**da, **db})
            check_map(a.union(b, combine), model_union_combine(da, db), deep)
            check_map(a.intersection(b), {k: v for k, v in da.items() if k in db}, deep)
            check_map(a.difference(b), {k: v for k, v in da.items() if k not in db}, deep)
            sym = {k: v for k, v in da.items() if k not in db}
            sym.update({k: v for k, v in db.items() if k not in da})
            check_map(a.symmetric_difference(b), sym, deep)
        some = rnd.sample(keys, 300)
        check_map(base.intersection(M.Set(some)), {k: expect[k] for k in some})
        check_map(base.difference(some), {k: v for k, v in expect.items() if k not in set(some)})

    def op_diff(rnd, tid, r):
        m, local = derived(rnd, tid, r)
        assert diff_as_dict(base.diff(m), M.ABSENT) == model_map_diff(expect, local)
        assert diff_as_dict(m.diff(base), M.ABSENT) == model_map_diff(local, expect)
        assert list(base.diff(same)) == []

    run_rotating([op_derive, op_iterate, op_compare, op_pickle, op_algebra, op_diff],
                 SHARED_ROUNDS)
    assert list(base.items()) == items_order
    assert hash(base) == want_hash and base == same
    base._check()


def test_shared_set_many_threads(M):
    elems = hamt_keys(1500)
    expect = set(elems)
    base = M.Set(elems)
    order = list(base)
    same = M.Set(order)
    want_hash = hash(M.Set(elems))

    def derived(rnd, tid, r):
        s, local = base, set(expect)
        for j in range(20):
            e = rnd.choice(elems) if rnd.random() < 0.6 else ("new", tid, rnd.randrange(40))
            if rnd.random() < 0.5:
                s = s.add(e)
                local.add(e)
            else:
                s = s.discard(e)
                local.discard(e)
        return s, local

    def op_derive(rnd, tid, r):
        deep = r % 6 == 0
        s, local = derived(rnd, tid, r)
        check_set(s, local, deep)
        e = rnd.choice(elems)
        check_set(base.remove(e), expect - {e})
        extra = [("x", tid, i) for i in range(20)]
        check_set(s.update(extra, elems[:50]), local | set(extra) | set(elems[:50]), deep)
        ev = base.evolver()
        local2 = set(expect)
        for j in range(40):
            e = rnd.choice(elems) if j % 4 else ("ev", tid, j)
            if j % 3:
                ev.add(e)
                local2.add(e)
            else:
                ev.discard(e)
                local2.discard(e)
            assert (e in ev) == (e in local2)
        assert len(ev) == len(local2)
        check_set(ev.persistent(), local2, deep)

    def op_iterate(rnd, tid, r):
        assert list(base) == order
        assert list(iter(base)) == order
        assert len(base) == len(expect)
        for e in rnd.sample(elems, 40):
            assert e in base
        assert ("absent", tid) not in base

    def op_compare(rnd, tid, r):
        assert base == same and same == base and not (base != same)
        assert base == expect and base <= same and base >= same and not base < same
        assert hash(base) == want_hash and hash(same) == want_hash
        e = rnd.choice(elems)
        smaller = base.discard(e)
        assert smaller != base and smaller < base and base > smaller
        assert hash(smaller.add(e)) == want_hash
        if r % 6 == 0:
            base._check()

    def op_pickle(rnd, tid, r):
        proto = rnd.choice([2, pickle.HIGHEST_PROTOCOL])
        got = pickle.loads(pickle.dumps(base, protocol=proto))
        assert type(got) is type(base)
        assert got == base and hash(got) == want_hash
        check_set(got, expect, r % 6 == 0)
        s, local = derived(rnd, tid, r)
        check_set(pickle.loads(pickle.dumps(s, protocol=proto)), local)

    def op_algebra(rnd, tid, r):
        deep = r % 6 == 0
        s, local = derived(rnd, tid, r)
        for a, b, da, db in ((base, s, expect, local), (s, base, local, expect)):
            check_set(a | b, da | db, deep)
            check_set(a & b, da & db, deep)
            check_set(a - b, da - db, deep)
            check_set(a ^ b, da ^ db, deep)
            assert a.issubset(b) == (da <= db) and a.issuperset(b) == (da >= db)
            assert (a <= b) == (da <= db) and (a < b) == (da < db)
            assert a.isdisjoint(b) == da.isdisjoint(db)
        some = rnd.sample(elems, 300)
        check_set(base.intersection(some), set(some))
        check_set(base.difference(some, elems[:100]), expect - set(some) - set(elems[:100]))
        check_set(base.union(["a", "b"], some), expect | {"a", "b"})
        check_set(base.symmetric_difference(some), expect - set(some))
        check_set(frozenset(some) | base, expect)
        assert base.intersection(some).issubset(base) and base.issuperset(some)
        assert not base.isdisjoint(some) and base.isdisjoint([("absent", tid)])

    def op_diff(rnd, tid, r):
        s, local = derived(rnd, tid, r)
        assert diff_as_dict(base.diff(s), M.ABSENT) == model_set_diff(expect, local)
        assert diff_as_dict(s.diff(base), M.ABSENT) == model_set_diff(local, expect)
        assert list(base.diff(same)) == []

    run_rotating([op_derive, op_iterate, op_compare, op_pickle, op_algebra, op_diff],
                 SHARED_ROUNDS)
    assert list(base) == order
    assert hash(base) == want_hash and base == same
    base._check()


def test_shared_vector_many_threads(V):
    n = 3000
    expect = list(range(n))
    # relaxed nodes: concatenations of pieces not multiples of the branching
    base = V.vector(range(0, 701)) + V.vector(range(701, 1907)) + V.vector(range(1907, n))
    same = V.vector(expect)
    want_hash = hash(V.vector(expect))
    assert base.tolist() == expect

    def op_derive(rnd, tid, r):
        deep = r % 6 == 0
        i, j = sorted(rnd.randrange(n + 1) for _ in range(2))
        k = min(i, n - 1)
        check_vec(base.set(k, "s"), expect[:k] + ["s"] + expect[k + 1:], deep)
        check_vec(base.append("a"), expect + ["a"])
        check_vec(base.insert(i, "x"), expect[:i] + ["x"] + expect[i:], deep)
        check_vec(base.delete(k), expect[:k] + expect[k + 1:], deep)
        check_vec(base.delete(i, j), expect[:i] + expect[j:], deep)
        check_vec(base.extend(range(40)), expect + list(range(40)))
        check_vec(base.appendleft("l"), ["l"] + expect)
        rest, last = base.pop()
        assert last == n - 1
        check_vec(rest, expect[:-1])
        e = base.evolver()
        local = list(expect)
        for _ in range(40):
            p = rnd.randrange(len(local))
            e[p] = (tid, r)
            local[p] = (tid, r)
        e.append("tail")
        local.append("tail")
        del e[p]
        del local[p]
        assert len(e) == len(local)
        check_vec(e.persistent(), local, deep)

    def op_concat_split(rnd, tid, r):
        deep = r % 6 == 0
        i, j = sorted(rnd.randrange(n + 1) for _ in range(2))
        a, b = base.split(i)
        check_vec(a, expect[:i], deep)
        check_vec(b, expect[i:], deep)
        check_vec(b + a, expect[i:] + expect[:i], deep)
        check_vec(base + base[i:j], expect + expect[i:j], deep)
        check_vec(base[i:j] + base, expect[i:j] + expect, deep)
        check_vec(base + [1, 2, 3], expect + [1, 2, 3])
        check_vec(V.Vector.from_concat([base[:i], base[i:j], base[j:]]), expect, deep)

    def op_slices(rnd, tid, r):
        i, j = sorted(rnd.randrange(-n, n + 1) for _ in range(2))
        step = rnd.choice([1, 2, 3, 7, -1, -3])
        check_vec(base[i:j], expect[i:j], r % 6 == 0)
        check_vec(base[i:j:step], expect[i:j:step])
        check_vec(base[::-1], expect[::-1])
        check_vec(base[-50:], expect[-50:])

    def op_iterate(rnd, tid, r):
        assert list(base) == expect
        assert list(reversed(base)) == expect[::-1]
        assert base.tolist() == expect
        for _ in range(40):
            i = rnd.randrange(n)
            assert base[i] == i and base[i - n] == i
        i = rnd.randrange(n)
        assert i in base and base.index(i) == i and base.count(i) == 1
        assert "absent" not in base

    def op_compare(rnd, tid, r):
        assert base == same and same == base and not (base != same)
        assert base == expect
        assert hash(base) == want_hash and hash(same) == want_hash
        i = rnd.randrange(n)
        changed = base.set(i, -1)
        assert changed != base and changed < base and base > changed
        assert base < base.append(0) and base <= same and base >= same
        assert hash(changed.set(i, i)) == want_hash
        if r % 6 == 0:
            base._check()

    def op_pickle(rnd, tid, r):
        proto = rnd.choice([2, pickle.HIGHEST_PROTOCOL])
        got = pickle.loads(pickle.dumps(base, protocol=proto))
        assert type(got) is type(base)
        assert got == base and hash(got) == want_hash
        check_vec(got, expect, r % 6 == 0)
        i = rnd.randrange(n)
        check_vec(pickle.loads(pickle.dumps(base[i:], protocol=proto)), expect[i:])

    run_rotating([op_derive, op_concat_split, op_slices, op_iterate, op_compare, op_pickle],
                 SHARED_ROUNDS)
    assert base.tolist() == expect and list(reversed(base)) == expect[::-1]
    assert hash(base) == want_hash and base == same
    base._check()


# ---------------------------------------------------------------------------
# One transient shared by eight threads.  Each thread edits only its own keys
# (or its own index range), so its own model predicts exactly what it reads
# back of them and what the final result holds; it also reads other threads'
# keys, whose values must be ones their owner could have written.

class PyKey:
    """A key whose hashing and comparing run Python code (hash = the int's)."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __hash__(self):
        return hash(self.v)

    def __eq__(self, other):
        if not isinstance(other, PyKey):
            return NotImplemented
        return self.v == other.v

    def __repr__(self):
        return "PyKey(%r)" % (self.v,)


# Where a collection starts at an allocation (GC_IN_ALLOCATION: up to 3.11),
# the Python code it runs (a finalizer, a gc.callbacks entry such as the one
# Hypothesis installs) can hand the GIL to another thread in the middle of an
# operation of a transient, even one on plain keys; that thread's call then
# meets the busy guard.  From 3.12 (and on the free-threaded build) a
# collection never runs inside an operation on plain keys.
from conftest import GC_IN_ALLOCATION  # noqa: E402


def refused(exc, pyhash):
    """A RuntimeError from the busy guard: allowed with PyKey keys (their
    Python ``__hash__``/``__eq__`` can switch threads mid-operation), and with
    plain keys where a collection starts at an allocation."""
    if "in progress" not in str(exc) or not (pyhash or GC_IN_ALLOCATION):
        raise exc


TRANSIENT_OPS = 1500


@pytest.mark.parametrize("keys", ["plain", "pyhash"])
def test_shared_map_mutation(M, keys):
    pyhash = keys == "pyhash"
    per = 200
    wrap = PyKey if pyhash else (lambda k: k)
    # thread t owns the ints t, t + 8, t + 16, ... (interleaved in the trie
    # with the others' keys) and the strs "s<t>_<j>"; half of them exist at
    # the start, bound to ("base", k)
    owned = [[t + N_THREADS * j for j in range(per)] + ["s%d_%d" % (t, j) for j in range(per)]
             for t in range(N_THREADS)]
    owner = {k: t for t in range(N_THREADS) for k in owned[t]}
    start = {k: ("base", k) for t in range(N_THREADS) for k in owned[t][::2]}
    base = M.Map({wrap(k): v for k, v in start.items()})
    mm = base.mutate()
    models = [{k: v for k, v in start.items() if owner[k] == t} for t in range(N_THREADS)]

    def worker(t):
        def run():
            rnd = random.Random(t)
            model = models[t]
            for j in range(TRANSIENT_OPS):
                k = rnd.choice(owned[t])
                val = (t, j)
                x = rnd.random()
                try:
                    if x < 0.3:
                        mm[wrap(k)] = val
                        model[k] = val
                    elif x < 0.4:
                        mm.set(wrap(k), val)
                        model[k] = val
                    elif x < 0.55:
                        got = mm.pop(wrap(k), MISSING)
                        assert got == model.pop(k, MISSING)
                    elif x < 0.65:
                        if k in model:
                            del mm[wrap(k)]
                            del model[k]
                        else:
                            with pytest.raises(KeyError):
                                del mm[wrap(k)]
                    elif x < 0.7 and not pyhash:
                        # several keys at once: only with plain keys, where
                        # nothing can refuse it half-way
                        ks = rnd.sample(owned[t], 3)
                        mm.update({wrap(kk): val for kk in ks})
                        model.update({kk: val for kk in ks})
                    else:
                        assert mm.get(wrap(k), MISSING) == model.get(k, MISSING)
                        assert (wrap(k) in mm) == (k in model)
                        if k in model:
                            assert mm[wrap(k)] == model[k]
                except RuntimeError as exc:
                    refused(exc, pyhash)
                # another thread's key: absent or a value its owner wrote
                o = rnd.choice(owned[(t + 1 + rnd.randrange(N_THREADS - 1)) % N_THREADS])
                try:
                    got = mm.get(wrap(o), MISSING)
                    assert got is MISSING or got == ("base", o) or got[0] == owner[o]
                    assert (wrap(o) in mm) in (True, False)
                    assert 0 <= len(mm) <= len(owner)
                except RuntimeError as exc:
                    refused(exc, pyhash)
        return run

    run_threads([worker(t) for t in range(N_THREADS)])
    want = {}
    for model in models:
        want.update(model)
    mm._check()
    assert len(mm) == len(want)
    res = mm.finish()
    assert len(res) == len(want)
    assert dict(res.items()) == {wrap(k): v for k, v in want.items()}
    for k, v in want.items():
        assert res[wrap(k)] == v
    res._check()
    assert dict(base.items()) == {wrap(k): v for k, v in start.items()}
    base._check()
    with pytest.raises(ValueError):
        mm[wrap(0)] = 1
    with pytest.raises(ValueError):
        mm.pop(wrap(0), None)


@pytest.mark.parametrize("keys", ["plain", "pyhash"])
def test_shared_set_evolver(M, keys):
    pyhash = keys == "pyhash"
    per = 200
    wrap = PyKey if pyhash else (lambda k: k)
    owned = [[t + N_THREADS * j for j in range(per)] + ["s%d_%d" % (t, j) for j in range(per)]
             for t in range(N_THREADS)]
    start = {k for t in range(N_THREADS) for k in owned[t][::2]}
    base = M.Set(wrap(k) for k in start)
    ev = base.evolver()
    models = [start & set(owned[t]) for t in range(N_THREADS)]

    def worker(t):
        def run():
            rnd = random.Random(t)
            model = models[t]
            for j in range(TRANSIENT_OPS):
                e = rnd.choice(owned[t])
                x = rnd.random()
                try:
                    if x < 0.35:
                        assert ev.add(wrap(e)) is ev
                        model.add(e)
                    elif x < 0.55:
                        ev.discard(wrap(e))
                        model.discard(e)
                    elif x < 0.65:
                        if e in model:
                            ev.remove(wrap(e))
                            model.remove(e)
                        else:
                            with pytest.raises(KeyError):
                                ev.remove(wrap(e))
                    else:
                        assert (wrap(e) in ev) == (e in model)
                except RuntimeError as exc:
                    refused(exc, pyhash)
                o = rnd.choice(owned[(t + 1 + rnd.randrange(N_THREADS - 1)) % N_THREADS])
                try:
                    assert (wrap(o) in ev) in (True, False)
                    assert 0 <= len(ev) <= N_THREADS * 2 * per
                except RuntimeError as exc:
                    refused(exc, pyhash)
        return run

    run_threads([worker(t) for t in range(N_THREADS)])
    want = set().union(*models)
    ev._check()
    assert len(ev) == len(want)
    res = ev.persistent()
    assert len(res) == len(want)
    assert set(res) == {wrap(e) for e in want}
    for e in want:
        assert wrap(e) in res
    res._check()
    assert set(base) == {wrap(e) for e in start}
    base._check()
    # after persistent(), as single-threaded: later edits leave res alone
    ev.add(wrap("after"))
    assert wrap("after") not in res and len(res) == len(want)
    res._check()


def test_shared_vector_evolver(V):
    per = 300
    n = N_THREADS * per
    base = V.vector(range(0, 1001)) + V.vector(range(1001, n))
    e = base.evolver()
    models = [list(range(t * per, (t + 1) * per)) for t in range(N_THREADS)]
    appended = [[] for _ in range(N_THREADS)]

    def owner_of(i):
        return i // per

    def worker(t):
        def run():
            rnd = random.Random(t)
            model = models[t]
            for j in range(TRANSIENT_OPS):
                i = rnd.randrange(per)
                idx = t * per + i
                x = rnd.random()
                if x < 0.35:
                    e[idx] = (t, j)
                    model[i] = (t, j)
                elif x < 0.45:
                    assert e.set(idx, (t, j)) is e
                    model[i] = (t, j)
                elif x < 0.6:
                    item = (t, "app", j)
                    assert e.append(item) is e
                    appended[t].append(item)
                else:
                    assert e[idx] == model[i]
                o = rnd.randrange(n)
                got = e[o]
                assert got == o or (type(got) is tuple and got[0] == owner_of(o))
                size = len(e)
                assert size >= n + len(appended[t])
                last = e[size - 1]
                if size == n:        # no append yet: the owner of n - 1 may have set it
                    assert last == n - 1 or (type(last) is tuple
                                             and last[0] == owner_of(n - 1)
                                             and last[1] != "app")
                else:
                    assert type(last) is tuple and last[1] == "app"
        return run

    run_threads([worker(t) for t in range(N_THREADS)])
    e._check()
    total = sum(len(a) for a in appended)
    assert len(e) == n + total
    res = e.persistent()
    assert len(res) == n + total
    assert res[:n].tolist() == [x for m in models for x in m]
    tail = res[n:].tolist()
    assert len(tail) == total
    for t in range(N_THREADS):
        assert [x for x in tail if x[0] == t] == appended[t]
    res._check()
    assert base.tolist() == list(range(n))
    base._check()
    e[0] = "after"                           # as single-threaded: res stays
    assert res[0] != "after" and len(res) == n + total
    res._check()


# ---------------------------------------------------------------------------
# One iterator, next() from eight threads at once

ITER_ROUNDS = 6


# CPython's own generators crash (SIGSEGV) when one is resumed by several
# threads at once on the free-threaded builds before 3.15 (gh-120321, fixed
# on 3.15 only, see gh-156351), instead of raising "generator already
# executing".  The twin's iterators are generators, so its shared-iterator
# tests would kill the test run there.
GENERATORS_CRASH_WHEN_SHARED = (
    bool(sysconfig.get_config_var("Py_GIL_DISABLED")) and sys.version_info < (3, 15))


def skip_if_shared_generators_crash(twin):
    if twin and GENERATORS_CRASH_WHEN_SHARED:
        pytest.skip("a generator shared by threads crashes this free-threaded "
                    "CPython (gh-120321, fixed in 3.15)")


def drain_shared(it, twin):
    """All that N_THREADS threads got calling next(it) until it is exhausted."""
    got = [[] for _ in range(N_THREADS)]

    def worker(t):
        def run():
            while True:
                try:
                    x = next(it)
                except StopIteration:
                    return
                except ValueError as exc:
                    # the twin's iterators are generators (Python's own rule)
                    if not twin or "already executing" not in str(exc):
                        raise
                    continue
                got[t].append(x)
        return run

    run_threads([worker(t) for t in range(N_THREADS)])
    return [x for g in got for x in g]


def check_drained(got, expect, twin):
    counts = collections.Counter(got)
    if twin:
        assert all(c == 1 for c in counts.values()), "an element yielded twice"
        assert set(counts) <= set(expect)
    else:
        assert counts == collections.Counter(expect)


@pytest.mark.parametrize("kind", ["keys", "keys_view", "values", "items", "set"])
def test_shared_iterator_map_set(M, kind):
    twin = is_twin(M)
    skip_if_shared_generators_crash(twin)
    keys = hamt_keys(2000)
    base = M.Map({k: i for i, k in enumerate(keys)})
    sbase = M.Set(keys)
    order, sorder = list(base.items()), list(sbase)
    make, expect = {
        "keys": (lambda: iter(base), list(base)),
        "keys_view": (lambda: iter(base.keys()), list(base)),
        "values": (lambda: iter(base.values()), list(base.values())),
        "items": (lambda: iter(base.items()), list(base.items())),
        "set": (lambda: iter(sbase), list(sbase)),
    }[kind]
    for _ in range(ITER_ROUNDS):
        it = make()
        check_drained(drain_shared(it, twin), expect, twin)
        with pytest.raises(StopIteration):
            next(it)
    base._check()
    sbase._check()
    assert list(base.items()) == order and list(sbase) == sorder


@pytest.mark.parametrize("kind", ["forward", "reversed"])
def test_shared_iterator_vector(V, kind):
    twin = is_twin(V)
    skip_if_shared_generators_crash(twin)
    n = 3000
    base = V.vector(range(0, 1001)) + V.vector(range(1001, n))
    make = iter if kind == "forward" else reversed
    for _ in range(ITER_ROUNDS):
        it = make(base)
        check_drained(drain_shared(it, twin), list(range(n)), twin)
        with pytest.raises(StopIteration):
            next(it)
    assert base.tolist() == list(range(n))
    base._check()


def test_twin_owner_ids_taken_again_by_the_same_thread():
    """The twin hands out transient ids under a lock.  From 3.12 a
    collection can run at the eval loop's check just after that lock is
    taken, and a finalizer or gc callback it runs may start a transient in
    the same thread: the lock must be re-entrant (a plain Lock deadlocked
    the whole suite) and the ids distinct."""
    from march._pure import hamt_node

    got = []

    def body():
        with hamt_node._owner_lock:     # as if interrupted inside the lock
            got.append(hamt_node.hamt_node_new_owner())
            got.append(hamt_node.hamt_node_new_owner())

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(60)
    assert not t.is_alive(), "hamt_node_new_owner deadlocked"
    assert len(got) == 2 and got[0] != got[1] and 0 not in got
