"""Threads: readers of one map / vector while other threads derive new versions.

The guarantee (docs/threads.md): a Map or Vector never changes after it is
made, so any number of threads may read it and derive new versions from it
at the same time and always see the same contents.  Mutations and evolvers
are single-owner objects (not tested for concurrent use).

The switch interval is lowered so that threads interleave inside long
operations as often as the interpreter allows.  Every thread records
failures; the test asserts after joining (an exception in a thread would
otherwise be lost).
"""
import random
import sys
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
