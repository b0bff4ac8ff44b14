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

from _keys import HKey, equal_copy

U64 = (1 << 64) - 1


def _signed(h):
    h &= U64
    return h - (1 << 64) if h >= 1 << 63 else h


def _assert_lookups(m, model, absent=()):
    assert m._check() is None
    assert len(m) == len(model)
    for k, v in model.items():
        c = equal_copy(k)
        if c is k:
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
        m = m.delete(equal_copy(k))
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
            c = equal_copy(k)
            assert (c in s) == (k in expected[name]), (name, k)
    s = got["|"]
    for k in keys[::2]:
        s = s.discard(equal_copy(k))
        assert s._check() is None
    left = set(keys[1::2])
    for k in keys:
        assert (equal_copy(k) in s) == (k in left)


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
        c = equal_copy(k)
        if k in model and rng.random() < 0.4:
            del mm[c]
            del model[k]
        else:
            v = step
            mm[c] = v
            model[k] = v
        probe = rng.choice(pool)
        pc = equal_copy(probe)
        assert (pc in mm) == (probe in model)
        if probe in model:
            assert mm[pc] == model[probe]
    m = mm.finish()
    _assert_lookups(m, model, [HKey("absent", k.h) for k in pool if isinstance(k, HKey)])
    _assert_lookups(base, {k: -1 for k in pool[::4]})


# Maps of 256 to 262,143 entries take a different first part of the lookup
# in the C core (hamt.h, MARCH_HAMT_SPLIT_MIN/MAX): the top levels as usual
# (down to level 1 below 8,192 entries, to level 2 from there), then one
# level by masks instead of branches (which may step into a collision node),
# then a branch-free decision where it lands.  The tests below build maps at
# and around those sizes with every kind of slot on that path.
SPLIT_SIZES = (255, 256, 257, 700, 8191, 8192, 20000)


class RaisingEq(HKey):
    """An HKey whose == raises once `armed` is set on the class."""

    armed = False

    def __eq__(self, other):
        if RaisingEq.armed:
            raise ZeroDivisionError("eq")
        return HKey.__eq__(self, other)

    __hash__ = HKey.__hash__


def _band_keys(rng, n):
    """n keys for a map in (or next to) the band: random ints and strs, hash
    families sharing 1 to 4 levels of index bits (chains below level 1),
    full collisions whose collision nodes sit at levels 1 and 2, and one
    collision group alone in root slot 31 (no other key has index 31 at the
    root, so its collision node is the root's child)."""
    keys = []
    for levels in (1, 2, 3, 4):
        keys += _prefix_family(rng, levels, 3)
    for _ in range(12):
        h = _signed(rng.getrandbits(64))
        keys += [HKey("c%x.%d" % (h & 0xFFFF, i), h) for i in range(rng.randint(2, 3))]
    lone = _signed((rng.getrandbits(64) & ~31) | 31)
    keys += [HKey("lone%d" % i, lone) for i in range(2)]
    while len(keys) < n:
        r = rng.random()
        if r < 0.4:
            keys.append(rng.getrandbits(62))
        elif r < 0.8:
            keys.append("b%x" % rng.getrandbits(48))
        else:
            keys.append(HKey("r%d" % len(keys), _signed(rng.getrandbits(64))))
    keys = keys[:n]

    def root_index(k):
        return hash(k) & 31

    # keep root slot 31 for the lone group (ints and strs there are replaced)
    out = []
    for k in keys:
        if root_index(k) == 31 and not (isinstance(k, HKey) and k.name.startswith("lone")):
            k = HKey("moved%d" % len(out), _signed((rng.getrandbits(64) & ~31) | 7))
        out.append(k)
    return out


def _band_absent(rng, keys):
    """Keys that are not in the map: same hash as a stored key (a collision
    node's or an entry's: the tag passes, == decides), same low 7 bits as a
    stored key (tag passes at level 0 or 1), and random ones."""
    absent = [HKey("absent", k.h) for k in keys if isinstance(k, HKey)][:60]
    for k in rng.sample(keys, 40):
        h = (hash(k) & 127) | (rng.getrandbits(64) & ~127)
        absent.append(HKey("near", _signed(h)))
    absent += [rng.getrandbits(62) | (1 << 63) for _ in range(40)]
    absent += ["z%x" % rng.getrandbits(48) for _ in range(40)]
    return absent


@pytest.mark.parametrize("n", SPLIT_SIZES)
def test_split_band_lookups(M, n):
    rng = random.Random(n)
    keys = _band_keys(rng, n)
    model = {k: i for i, k in enumerate(keys)}
    m = M.Map(model.items())
    assert len(m) == len(model)
    absent = _band_absent(rng, keys)
    _assert_lookups(m, model, absent)
    for k in keys:                      # the stored objects themselves
        assert m[k] is model[k]


@pytest.mark.parametrize("n", (262143, 262144))
def test_split_band_upper_edge(M, n):
    """The last size with a masked level and the first without: a sample of
    hits through copies, misses, and the stored objects."""
    rng = random.Random(n)
    keys = _band_keys(rng, n)
    m = M.Map((k, i) for i, k in enumerate(keys))
    assert len(m) == n
    assert m._check() is None
    special = [i for i, k in enumerate(keys)
               if isinstance(k, HKey) and not k.name.startswith("r")]
    for i in rng.sample(range(n), 3000) + special:
        k = keys[i]
        assert m[equal_copy(k)] == i
        assert m[k] == i
    for k in _band_absent(rng, keys):
        assert k not in m


def test_split_band_edges_by_deletes(M):
    """Grow to 8,300 entries, then delete down to 200 in random order;
    look everything up (through copies) at each size next to a band edge
    (256 and 8,192) and at a few inside, persistently and inside a
    mutation."""
    rng = random.Random(5)
    keys = _band_keys(rng, 8300)
    model = {k: i for i, k in enumerate(keys)}
    m = M.Map(model.items())
    absent = _band_absent(rng, keys)
    order = list(keys)
    rng.shuffle(order)
    probes = {8193, 8192, 8191, 3000, 1000, 400, 257, 256, 255}
    mm = m.mutate()
    for k in order[: 8300 - 200]:
        m = m.delete(equal_copy(k))
        del mm[equal_copy(k)]
        del model[k]
        if len(model) in probes:
            _assert_lookups(m, model, absent)
            for p in rng.sample(keys, 50):
                pc = equal_copy(p)
                assert (pc in mm) == (p in model)
    assert mm.finish() == m


def test_split_band_eq_error_propagates(M):
    """An __eq__ that raises, reached through the masked levels (a stored
    key and a lookup key with equal hashes but different objects), raises
    from m[k], get, `in`; the map is unchanged."""
    rng = random.Random(9)
    keys = _band_keys(rng, 700)
    targets = [RaisingEq("x%d" % i, _signed(rng.getrandbits(64))) for i in range(20)]
    model = {k: i for i, k in enumerate(keys)}
    model.update((t, -1) for t in targets)
    m = M.Map(model.items())
    try:
        RaisingEq.armed = True
        for t in targets:
            probe = RaisingEq(t.name, t.h)
            with pytest.raises(ZeroDivisionError):
                m[probe]
            with pytest.raises(ZeroDivisionError):
                m.get(probe)
            with pytest.raises(ZeroDivisionError):
                probe in m
            assert m[t] == -1           # identity: == not called
    finally:
        RaisingEq.armed = False
    _assert_lookups(m, model)
