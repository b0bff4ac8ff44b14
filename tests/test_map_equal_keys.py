"""Lookups with keys that are equal to a stored key but not the same object.

``m[k]`` first compares the stored key object with ``k`` by identity, so a
test that always looks up the very objects it inserted never reaches the
rest of the lookup.  In the C core the rest starts with the node's lookup
tags (2 hash bits per inline entry, see ``hamt.h``): a wrong tag makes an
equal key miss, while the identical one is still found.  So every test
here looks keys up through fresh copies, on tries with long shared hash
prefixes (chains of single-child nodes), full collisions, and entries that
move up a level when a neighbour is deleted; ``_check()`` (which verifies
the tags in C) runs after every change.  The twin has no tags and must
give the same answers.
"""
import random

import pytest

from _keys import HKey

U64 = (1 << 64) - 1


def _signed(h):
    h &= U64
    return h - (1 << 64) if h >= 1 << 63 else h


def _copy(k):
    """An equal key that is a different object."""
    if isinstance(k, HKey):
        return HKey(k.name, k.h)
    if isinstance(k, str):
        c = "".join(list(k))
        return c if c is not k else None
    if isinstance(k, int):
        c = int(str(k))
        return c if c is not k else None
    raise TypeError(k)


def _assert_lookups(m, model, absent=()):
    assert m._check() is None
    assert len(m) == len(model)
    for k, v in model.items():
        c = _copy(k)
        if c is None:
            continue
        assert c is not k
        assert m[c] is v
        assert c in m
        assert m.get(c, "absent") is v
    for k in absent:
        if k not in model:
            assert k not in m
            assert m.get(k, "absent") == "absent"
            with pytest.raises(KeyError):
                m[k]


def _prefix_family(rng, levels, size):
    """HKeys whose hashes share the low 5 * levels bits and then differ."""
    base = rng.getrandbits(64)
    low = (1 << (5 * levels)) - 1 if levels < 13 else U64
    out = []
    for i in range(size):
        h = (base & low) | (rng.getrandbits(64) & ~low & U64)
        out.append(HKey("f%d.%d" % (levels, i), _signed(h)))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_random_hashes_insert_delete_lookup_copies(M, seed):
    rng = random.Random(seed)
    keys = []
    for levels in range(0, 13):
        keys += _prefix_family(rng, levels, rng.randint(2, 6))
    # full collisions: equal 64-bit hashes, different names
    h = _signed(rng.getrandbits(64))
    keys += [HKey("c%d" % i, h) for i in range(4)]
    keys += ["s%x" % rng.getrandbits(40) for _ in range(40)]
    keys += [rng.getrandbits(62) for _ in range(40)]
    rng.shuffle(keys)
    absent = [HKey("absent", k.h) for k in keys if isinstance(k, HKey)]
    absent += [_signed(rng.getrandbits(62)) for _ in range(20)]

    m, model = M.Map(), {}
    for i, k in enumerate(keys):
        m = m.set(k, i)
        model[k] = i
    _assert_lookups(m, model, absent)
    order = list(keys)
    rng.shuffle(order)
    versions = []
    for k in order:
        m = m.delete(_copy(k) or k)
        del model[k]
        _assert_lookups(m, model, absent)
        versions.append((m, dict(model)))
    for m_old, d_old in versions[::7]:
        _assert_lookups(m_old, d_old)


@pytest.mark.parametrize("levels", range(1, 13))
def test_entry_moves_up_a_chain(M, levels):
    """Two keys that agree on the first `levels` indexes sit at the end of a
    chain of single-child nodes; deleting one moves the other up to the top
    of the chain (possibly several levels), where it must still be found by
    an equal key."""
    rng = random.Random(levels)
    for _ in range(20):
        a, b = _prefix_family(rng, levels, 2)
        others = _prefix_family(rng, 0, 3)
        m = M.Map([(a, 1), (b, 2)] + [(o, 0) for o in others])
        model = {a: 1, b: 2}
        model.update((o, 0) for o in others)
        _assert_lookups(m, model)
        for gone, kept in ((a, b), (b, a)):
            m2 = m.delete(HKey(gone.name, gone.h))
            d2 = dict(model)
            del d2[gone]
            _assert_lookups(m2, d2, [gone])
            with m.mutate() as mm:
                del mm[HKey(gone.name, gone.h)]
                assert mm[HKey(kept.name, kept.h)] is model[kept]
                m3 = mm.finish()
            _assert_lookups(m3, d2, [gone])
            assert m3 == m2


def test_collision_node_entry_moves_up(M):
    rng = random.Random(7)
    for _ in range(30):
        h = _signed(rng.getrandbits(64))
        a, b = HKey("a", h), HKey("b", h)
        sib = _prefix_family(rng, rng.randint(0, 12), 2)
        m = M.Map([(a, 1), (b, 2)] + [(s, 0) for s in sib])
        d = {a: 1, b: 2}
        d.update((s, 0) for s in sib)
        _assert_lookups(m, d)
        m2 = m.delete(HKey("a", h))
        del d[a]
        _assert_lookups(m2, d, [a])


def test_mutation_and_algebra_results(M):
    rng = random.Random(3)
    keys = [k for lv in range(13) for k in _prefix_family(rng, lv, 4)]
    rng.shuffle(keys)
    half = len(keys) // 2
    with M.Map().mutate() as mm:
        for i, k in enumerate(keys):
            mm[k] = i
        for k in keys[::3]:
            del mm[HKey(k.name, k.h)]
        m = mm.finish()
    model = {k: i for i, k in enumerate(keys)}
    for k in keys[::3]:
        del model[k]
    _assert_lookups(m, model)
    a = M.Map((k, 1) for k in keys[:half])
    b = M.Map((k, 2) for k in keys[half // 2:])
    u = a | b
    du = {k: 1 for k in keys[:half]}
    du.update((k, 2) for k in keys[half // 2:])
    _assert_lookups(u, du)


def test_set_membership_and_algebra(M):
    rng = random.Random(11)
    keys = [k for lv in range(13) for k in _prefix_family(rng, lv, 3)]
    keys += ["t%x" % rng.getrandbits(40) for _ in range(30)]
    rng.shuffle(keys)
    a = M.Set(keys[: 2 * len(keys) // 3])
    b = M.Set(keys[len(keys) // 3:])
    expected = {
        "a": set(keys[: 2 * len(keys) // 3]),
        "b": set(keys[len(keys) // 3:]),
    }
    expected["|"] = expected["a"] | expected["b"]
    expected["&"] = expected["a"] & expected["b"]
    expected["-"] = expected["a"] - expected["b"]
    expected["^"] = expected["a"] ^ expected["b"]
    got = {"a": a, "b": b, "|": a | b, "&": a & b, "-": a - b, "^": a ^ b}
    for name, s in got.items():
        assert s._check() is None
        for k in keys:
            c = _copy(k)
            assert (c in s) == (k in expected[name]), (name, k)
    s = got["|"]
    for k in keys[::2]:
        s = s.discard(_copy(k))
        assert s._check() is None
    left = set(keys[1::2])
    for k in keys:
        assert (_copy(k) in s) == (k in left)


@pytest.mark.parametrize("seed", range(4))
def test_mutation_random_edits_lookup_copies(M, seed):
    """Random sets, replacements and deletes inside one mutation (nodes it
    owns are edited in place, grown and shrunk, their slots moved over),
    looked up through equal copies after every step, checked at finish."""
    rng = random.Random(100 + seed)
    pool = [k for lv in range(13) for k in _prefix_family(rng, lv, 3)]
    h = _signed(rng.getrandbits(64))
    pool += [HKey("c%d" % i, h) for i in range(3)]
    pool += ["u%x" % rng.getrandbits(40) for _ in range(30)]
    base = M.Map((k, -1) for k in pool[::4])
    model = {k: -1 for k in pool[::4]}
    mm = base.mutate()
    for step in range(400):
        k = rng.choice(pool)
        c = _copy(k) or k
        if k in model and rng.random() < 0.4:
            del mm[c]
            del model[k]
        else:
            v = step
            mm[c] = v
            model[k] = v
        probe = rng.choice(pool)
        pc = _copy(probe) or probe
        assert (pc in mm) == (probe in model)
        if probe in model:
            assert mm[pc] == model[probe]
    m = mm.finish()
    _assert_lookups(m, model, [HKey("absent", k.h) for k in pool if isinstance(k, HKey)])
    _assert_lookups(base, {k: -1 for k in pool[::4]})
