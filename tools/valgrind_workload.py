"""A small workload for tools/valgrind.sh: every C operation of march once or
more, with collisions, raising keys, mutations, evolvers and a few
differential fuzz programs.  Exits non-zero on a wrong result."""
import gc
import os
import pickle
import random
import sys

from march import _hamt

try:
    from march import _rrb, _rrb4
    VECTORS = [_rrb, _rrb4]
except ImportError:          # vector extensions not built: maps only
    VECTORS = []


class K:
    def __init__(self, i, h, boom=False):
        self.i, self.h, self.boom = i, h, boom

    def __hash__(self):
        return self.h

    def __eq__(self, o):
        if self.boom or getattr(o, "boom", False):
            raise ArithmeticError("eq")
        return isinstance(o, K) and o.i == self.i


def maps():
    rnd = random.Random(1)
    d = {}
    m = _hamt.Map()
    keys = [K(i, rnd.choice([1, 33, 1 << 40, i])) for i in range(400)] + list(range(300))
    for step in range(3000):
        k = rnd.choice(keys)
        if rnd.random() < 0.6:
            m = m.set(k, step)
            d[k] = step
        else:
            m = m.discard(k)
            d.pop(k, None)
    assert dict(m.items()) == d
    m._check()
    mm = m.mutate()
    for k in keys[:200]:
        mm[k] = "x"
    for k in keys[100:150]:
        del mm[k]
    mm.pop(keys[0], None)
    mm.update([(1, 2)], z=3)
    m2 = mm.finish()
    m2._check()
    for bad in (K(-1, 1, boom=True), [1]):
        for op in (lambda: m.set(bad, 1), lambda: m.get(bad), lambda: m.delete(bad),
                   lambda: m2.mutate().set(bad, 1)):
            try:
                op()
            except (ArithmeticError, TypeError, KeyError):
                pass
    assert m == _hamt.Map(m.items())
    hash(_hamt.Map({1: 2, "a": (1,)}))
    assert pickle.loads(pickle.dumps(m2)) == m2
    repr(m2)
    cyc = _hamt.Map({"self": []})
    cyc["self"].append(cyc)
    repr(cyc)
    with m.mutate() as mm:
        mm["w"] = 1
    list(m.keys()), list(m.values()), len(m.items())
    m | {"q": 1}


def vectors(V):
    rnd = random.Random(2)
    lst = list(range(3000))
    v = V.vector(lst)
    for step in range(500):
        op = rnd.randrange(8)
        i = rnd.randrange(len(lst) + 1)
        if op == 0:
            v, lst = v.append(step), lst + [step]
        elif op == 1 and i < len(lst):
            v = v.set(i, -step)
            lst[i] = -step
        elif op == 2:
            a, b = v.split(i)
            v, lst = b + a, lst[i:] + lst[:i]
        elif op == 3:
            v, lst = v.insert(i, "x"), lst[:i] + ["x"] + lst[i:]
        elif op == 4 and i < len(lst):
            v, lst = v.delete(i), lst[:i] + lst[i + 1:]
        elif op == 5 and lst:
            v, x = v.pop()
            assert x == lst.pop()
        elif op == 6:
            j = rnd.randrange(i, len(lst) + 1)
            v, lst = v[i:j] + v, lst[i:j] + lst
            if len(lst) > 6000:
                v, lst = v[:3000], lst[:3000]
        else:
            e = v.evolver()
            for _ in range(20):
                k = rnd.randrange(len(lst) + 1)
                e[k] = step
                if k == len(lst):
                    lst.append(step)
                else:
                    lst[k] = step
            e.append(1)
            lst.append(1)
            e.delete(0)
            del lst[0]
            v = e.persistent()
    assert v.tolist() == lst
    v._check()
    V.Vector.from_concat([V.v(1), v, V.vector()])
    v.appendleft(0).popleft()
    hash(V.v(1, 2)), repr(v[:10]), pickle.loads(pickle.dumps(v)) == v
    (v * 2)[::3], v.index(lst[5]), v.count(1), v == lst, v < v.append(1)
    cyc = V.v([])
    cyc[0].append(cyc)


def fuzz(seconds_worth=40):
    # the differential driver is test code: tests/fuzz_diff.py of the checkout
    tests = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
    sys.path.insert(0, tests)
    try:
        import fuzz_diff as _fuzz
    except ImportError as exc:
        print("valgrind workload: no differential fuzz programs (%s: %s)" % (tests, exc))
        return
    rnd = random.Random(3)
    for i in range(seconds_worth):
        head = [0, 1, 3][i % 3]
        data = bytes([head]) + bytes(rnd.getrandbits(8) for _ in range(300))
        mods = _fuzz.backends(_fuzz.kind_of(data))
        _fuzz.run(data, mods)


def main():
    maps()
    for V in VECTORS:
        vectors(V)
    fuzz(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
    gc.collect()
    print("valgrind workload: ok")


if __name__ == "__main__":
    main()
