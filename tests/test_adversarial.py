"""Adversarial inputs: hash collisions at every level, pathological int keys,
keys whose __eq__ raises or re-enters the structure, containers as keys.

Every result is compared with dict / list; nothing may crash (run this under
tools/sanitize.sh to catch memory errors).  Complexity is checked through the
trie depth (``_depth() <= 14``: 13 bitmap levels + one collision node), never
by timing.
"""
import gc
import random

import pytest

P61 = 2 ** 61 - 1          # CPython: hash(i + k * P61) == hash(i) for small i >= 0
MAX_DEPTH = 14


class HKey:
    """A key with a chosen hash, equal by ``ident``."""
    __slots__ = ("ident", "h")

    def __init__(self, ident, h):
        self.ident = ident
        self.h = h

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        if type(other) is not HKey:
            return NotImplemented
        return self.ident == other.ident

    def __repr__(self):
        return "HKey(%r, %#x)" % (self.ident, self.h)


def signed64(u):
    u &= (1 << 64) - 1
    return u - (1 << 64) if u >= 1 << 63 else u


def same_as_dict(m, d):
    m._check()
    assert len(m) == len(d)
    assert len(list(m)) == len(d)
    for k, v in d.items():
        assert m[k] is v
    got = dict(m.items())
    assert got == d


def build(M, pairs, via_mutation=False):
    if via_mutation:
        mm = M.Map().mutate()
        for k, v in pairs:
            mm[k] = v
        return mm.finish()
    m = M.Map()
    for k, v in pairs:
        m = m.set(k, v)
    return m


# ---------------------------------------------------------------------------
# one hash for everything

def test_ten_thousand_keys_one_hash(M):
    # ints i + k * P61 all hash to i.  A dict of such keys is itself
    # quadratic to build, so the model is a list of pairs in insertion order
    # (a collision node keeps that order) and a dict by identity (every key
    # is a distinct value and a distinct object); lookups are sampled.  The
    # pure twin scans in Python: 3,000 keys there keep the suite fast.
    n = 3000 if M.__name__.startswith("march._pure") else 10000
    keys = [7 + k * P61 for k in range(n)]
    assert {hash(k) for k in keys} == {7}
    pairs = [(k, i) for i, k in enumerate(keys)]
    m = build(M, pairs[:-100], True)
    for k, v in pairs[-100:]:
        m = m.set(k, v)
    by_id = {id(k): v for k, v in pairs}

    def same(mp, expect_pairs):
        assert len(mp) == len(expect_pairs)
        assert [(id(k), id(v)) for k, v in mp.items()] == \
            [(id(k), id(v)) for k, v in expect_pairs]

    same(m, pairs)
    assert m._depth() <= 2             # root + the collision node
    assert list(m) == keys             # collision node: insertion order
    rnd = random.Random(5)
    for k in rnd.sample(keys, 100):
        assert m[k] is by_id[id(k)]
        assert m[k + 0] is by_id[id(k)]          # equal, not identical
        assert k + n * P61 not in m
    with pytest.raises(KeyError):
        m.delete(7 + (n + 1) * P61)
    # delete some, persistently and through a mutation
    gone = rnd.sample(keys, 500)
    gone_ids = {id(k) for k in gone}
    mm = m.mutate()
    for k in gone:
        del mm[k]
    less = mm.finish()
    rest = [(k, v) for k, v in pairs if id(k) not in gone_ids]
    same(less, rest)
    m2 = less
    for k in gone[:20]:
        m2 = m2.set(k, 0)
        assert m[k] is by_id[id(k)]    # the source map is untouched
    same(m, pairs)
    same(m2, rest + [(k, 0) for k in gone[:20]])
    # (_check() of one collision node is quadratic: it runs once, at the end)
    m2._check()


# ---------------------------------------------------------------------------
# collisions at every trie level

@pytest.mark.parametrize("level", range(1, 13))
def test_keys_sharing_low_bits_at_every_level(M, level):
    """Hashes sharing their low 5*level bits: a chain down to ``level``."""
    rnd = random.Random(level)
    base = rnd.getrandbits(64) & ((1 << (5 * level)) - 1)
    keys = []
    for j in range(300):
        high = rnd.getrandbits(64 - 5 * level) if level < 13 else 0
        keys.append(HKey(j, signed64(base | (high << (5 * level)))))
    # plus full-hash duplicates of a few of them
    keys += [HKey(1000 + j, keys[j].h) for j in range(10)]
    d = {}
    m = M.Map()
    for i, k in enumerate(keys):
        m = m.set(k, i)
        d[k] = i
    same_as_dict(m, d)
    assert level < m._depth() <= MAX_DEPTH
    for k in keys[::3]:
        m = m.delete(k)
        del d[k]
        if len(d) % 37 == 0:
            same_as_dict(m, d)
    same_as_dict(m, d)
    assert m._depth() <= MAX_DEPTH


def test_chain_to_the_last_level_and_back(M):
    """Two keys differing only in the top 4 bits of the hash: 13 levels deep."""
    a = HKey("a", signed64(1 << 60))
    b = HKey("b", signed64(2 << 60))
    c = HKey("c", signed64(2 << 60))          # full collision with b
    m = M.Map().set(a, 1).set(b, 2)
    m._check()
    assert m._depth() == 13
    m2 = m.set(c, 3)
    m2._check()
    assert m2._depth() == MAX_DEPTH
    assert dict(m2.items()) == {a: 1, b: 2, c: 3}
    for k in (a, b, c):
        m3 = m2.delete(k)
        m3._check()
        assert len(m3) == 2 and k not in m3
    one = m2.delete(b).delete(c)
    one._check()
    assert one._depth() == 1 and dict(one.items()) == {a: 1}


def test_ints_in_strides_of_32(M):
    for stride in (32, 1024, 32 ** 3, 32 ** 6, 2 ** 60):
        keys = [i * stride for i in range(2000)]
        d = {k: k for k in keys}
        m = build(M, d.items(), via_mutation=True)
        same_as_dict(m, d)
        assert m._depth() <= MAX_DEPTH
        for k in keys[::2]:
            m = m.delete(k)
            del d[k]
        same_as_dict(m, d)


def test_powers_of_two_and_signs(M):
    keys = []
    for i in range(200):
        keys += [2 ** i, -(2 ** i), 2 ** i - 1, -(2 ** i) + 1]
    keys += [-1, -2, 2 ** 64, 2 ** 64 - 1, -(2 ** 63), 2 ** 63, P61, 2 * P61]
    d = {}
    m = M.Map()
    for k in keys:
        m = m.set(k, k)
        d[k] = k
    same_as_dict(m, d)
    assert m._depth() <= MAX_DEPTH
    # hash(-1) == hash(-2): distinct keys in one collision node
    pair = M.Map().set(-1, "a").set(-2, "b")
    pair._check()
    assert pair[-1] == "a" and pair[-2] == "b" and pair.delete(-1)[-2] == "b"


def test_random_keys_stay_shallow(M):
    rnd = random.Random(3)
    keys = [rnd.getrandbits(64) for _ in range(50000)]
    m = build(M, ((k, None) for k in keys), via_mutation=True)
    m._check()
    assert len(m) == len(set(keys))
    # 50,000 random hashes: ~3.1 levels on average; the deepest pair shares
    # ~log32(n**2 / 2) ~ 6 levels of bits (birthday bound)
    assert m._depth() <= 8
    strs = build(M, (("key%d" % i, i) for i in range(50000)), via_mutation=True)
    assert strs._depth() <= 8


# ---------------------------------------------------------------------------
# __eq__ that raises or re-enters

class NthEq:
    """Equal by ident; __eq__ raises on the n-th call counted over all keys."""
    calls = 0
    fail_at = -1

    def __init__(self, ident, h=5):
        self.ident = ident
        self.h = h

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        NthEq.calls += 1
        if NthEq.calls == NthEq.fail_at:
            raise ZeroDivisionError("eq #%d" % NthEq.calls)
        return isinstance(other, NthEq) and self.ident == other.ident


def test_eq_raising_on_nth_call(M):
    keys = [NthEq(i, h=5 if i % 2 else 5 + 32 * i) for i in range(40)]
    base_d = {k: k.ident for k in keys[:30]}
    NthEq.fail_at = -1
    base = build(M, base_d.items())
    ops = [
        lambda m, k: m.set(k, -1),
        lambda m, k: m.delete(k),
        lambda m, k: m.discard(k),
        lambda m, k: m.get(k),
        lambda m, k: m[k],
        lambda m, k: k in m,
        lambda m, k: m.update([(k, 1), (NthEq(k.ident), 2)]),
        lambda m, k: m == build(M, base_d.items()),
    ]
    for n in range(1, 12):
        for op in ops:
            for k in keys[25:35]:
                NthEq.calls = 0
                NthEq.fail_at = n
                try:
                    op(base, k)
                except ZeroDivisionError:
                    pass
                except KeyError:
                    pass
                NthEq.fail_at = -1
                same_as_dict(base, base_d)
    # the same through a mutation: a failing call leaves it unchanged
    mm = base.mutate()
    d = dict(base_d)
    rnd = random.Random(1)
    for step in range(400):
        k = rnd.choice(keys)
        NthEq.calls = 0
        NthEq.fail_at = rnd.randrange(1, 4)
        try:
            if rnd.random() < 0.6:
                mm[k] = step
                NthEq.fail_at = -1
                d[k] = step
            else:
                del mm[k]
                NthEq.fail_at = -1
                d.pop(k)   # KeyError here means the mutation failed to raise it
        except ZeroDivisionError:
            pass
        except KeyError:
            NthEq.fail_at = -1
            assert k not in d
        NthEq.fail_at = -1
        assert len(mm) == len(d)
    same_as_dict(mm.finish(), d)


class Reentrant:
    """A colliding key whose __eq__ edits a map or mutation while being compared."""
    action = None

    def __init__(self, ident, h=9):
        self.ident = ident
        self.h = h

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        act = Reentrant.action
        if act is not None:
            Reentrant.action = None      # once per trigger
            act()
        return isinstance(other, Reentrant) and self.ident == other.ident


@pytest.mark.parametrize("target", ["same-mutation", "sibling-mutation", "persistent"])
def test_eq_that_mutates_during_lookup(M, target):
    keys = [Reentrant(i) for i in range(12)] + [Reentrant(100 + i, h=9 + 32 * i) for i in range(12)]
    base = build(M, ((k, k.ident) for k in keys[:8]))
    extra = [Reentrant(200 + i) for i in range(40)]
    for trial in range(len(keys)):
        mm = base.mutate()
        sib = base.mutate()
        holder = [base]

        def act():
            if target == "same-mutation":
                # grow and shrink the very collision node being searched
                for e in extra:
                    mm[e] = e.ident
                for e in extra[::2]:
                    del mm[e]
            elif target == "sibling-mutation":
                for e in extra:
                    sib[e] = 0
                del sib[keys[0]]
            else:
                m = holder[0]
                for e in extra:
                    m = m.set(e, 1)
                holder[0] = m.delete(keys[1])

        k = keys[trial]
        for op in ("set", "get", "delete", "pop"):
            Reentrant.action = act
            try:
                # what a re-entered operation returns is unspecified; it
                # must not crash and must leave a consistent structure
                if op == "set":
                    mm[k] = "new"
                elif op == "get":
                    mm.get(k)
                elif op == "delete":
                    del mm[k]
                else:
                    mm.pop(k, None)
            except (KeyError, RuntimeError):
                pass
            Reentrant.action = None
        res = mm.finish()
        res._check()
        assert len(res) == len(list(res))
        s = sib.finish()
        s._check()
        holder[0]._check()
        # the source map never changes
        same_as_dict(base, {kk: kk.ident for kk in keys[:8]})
    gc.collect()


def test_eq_that_mutates_during_equality(M):
    a_keys = [Reentrant(i) for i in range(10)]
    a = build(M, ((k, 0) for k in a_keys))
    b = build(M, ((Reentrant(i), 0) for i in range(10)))
    mm = a.mutate()

    def act():
        for i in range(50):
            mm[Reentrant(1000 + i)] = i

    Reentrant.action = act
    assert (a == b) in (True, False)
    Reentrant.action = None
    assert a == b
    mm.finish()._check()


def test_hash_that_mutates_the_mutation(M):
    mm = M.Map().mutate()

    class Sneaky:
        armed = True

        def __hash__(self):
            if Sneaky.armed:
                Sneaky.armed = False
                for i in range(100):
                    mm[i] = i
            return 1

    mm[0] = "zero"
    s = Sneaky()
    try:
        mm[s] = "s"
    except RuntimeError:
        pass
    m = mm.finish()
    m._check()
    assert len(m) == len(list(m)) == len(dict(m.items()))


# ---------------------------------------------------------------------------
# containers as keys

def test_maps_and_vectors_as_keys(M, V):
    inner_maps = [M.Map({i: i}) for i in range(50)] + [M.Map()]
    inner_vecs = [V.v(i, i + 1) for i in range(50)] + [V.vector()]
    nested = [M.Map({M.Map({i: V.v(i)}): V.v(M.Map())}) for i in range(20)]
    d = {}
    m = M.Map()
    for i, k in enumerate(inner_maps + inner_vecs + nested):
        m = m.set(k, i)
        d[k] = i
    same_as_dict(m, d)
    # equal but not identical keys find the entries
    assert m[M.Map({3: 3})] == 3
    assert m[V.v(3, 4)] == d[V.v(3, 4)] == len(inner_maps) + 3
    assert m[V.vector([])] == d[V.vector()]
    assert m[M.Map({M.Map({4: V.v(4)}): V.v(M.Map())})] == d[nested[4]]
    # a map keyed by maps, used as a key itself
    outer = M.Map({m: "m"})
    assert outer[build(M, d.items(), via_mutation=True)] == "m"
    # vectors holding maps compare like lists
    vs = V.vector(inner_maps)
    assert vs == V.vector(list(inner_maps))
    assert vs.index(M.Map({7: 7})) == 7
    assert list(vs) == inner_maps


def test_unhashable_container_keys(M, V):
    m = M.Map()
    with pytest.raises(TypeError):
        m.set(V.v([1]), 1)            # a vector holding a list is unhashable
    with pytest.raises(TypeError):
        m.set(M.Map({1: [2]}), 1)     # a map with an unhashable value too
    assert len(m) == 0
    m._check()


# ---------------------------------------------------------------------------
# vectors

class EqRaiser:
    def __init__(self, n):
        self.n = n

    def __eq__(self, other):
        if isinstance(other, EqRaiser):
            raise ArithmeticError("eq")
        return NotImplemented

    __hash__ = object.__hash__


def test_vector_elements_whose_eq_raises(V):
    items = [EqRaiser(i) for i in range(100)]
    vec = V.vector(items)
    lst = list(items)
    probe = EqRaiser(-1)
    for fn in (lambda s: s.index(probe), lambda s: s.count(probe), lambda s: probe in s,
               lambda s: s.remove(probe)):
        with pytest.raises(ArithmeticError):
            fn(lst)
        with pytest.raises(ArithmeticError):
            fn(vec)
    vec._check()
    assert vec.index(items[0]) == 0            # identity short-circuits
    assert vec.remove(items[0]).tolist() == items[1:]
    with pytest.raises(ArithmeticError):
        vec == V.vector([EqRaiser(0)] + items[1:])


def test_vector_of_many_tiny_concats(V):
    rnd = random.Random(7)
    parts = [V.v(i) for i in range(3000)]
    lst = list(range(3000))
    vec = V.vector()
    for p in parts:
        vec = vec + p if rnd.random() < 0.5 else vec + p + V.vector()
    vec._check()
    assert vec.tolist() == lst
    # concatenations in a random tree shape
    pieces = [V.vector(range(i * 7, i * 7 + 7)) for i in range(500)]
    while len(pieces) > 1:
        i = rnd.randrange(len(pieces) - 1)
        pieces[i:i + 2] = [pieces[i] + pieces[i + 1]]
        pieces[i]._check()
    assert pieces[0].tolist() == list(range(3500))
    b = V.BRANCHING
    # the search-step invariant keeps the tree logarithmic
    h = pieces[0]._height()
    limit = 1
    while b ** limit < 3500:
        limit += 1
    assert h <= limit + 2


def test_vector_random_splits_and_joins_match_list(V):
    rnd = random.Random(11)
    vec = V.vector(range(2000))
    lst = list(range(2000))
    for step in range(300):
        i = rnd.randrange(len(lst) + 1)
        a, b = vec.split(i)
        la, lb = lst[:i], lst[i:]
        if rnd.random() < 0.5:
            vec, lst = b + a, lb + la
        else:
            x = rnd.randrange(10 ** 6)
            vec, lst = a.append(x) + b, la + [x] + lb
            if len(lst) > 3000:
                vec, lst = vec[500:], lst[500:]
        if step % 25 == 0:
            vec._check()
            assert vec.tolist() == lst
    vec._check()
    assert vec.tolist() == lst


def test_vector_nested_in_vector_values(V):
    vs = [V.vector()]
    for i in range(200):
        vs.append(V.v(vs[-1], i))
    assert vs[-1][0][0][1] == 197
    assert vs[-1] == V.v(vs[-2], 199)
    assert hash(vs[-1]) == hash(V.v(vs[-2], 199))
