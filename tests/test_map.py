"""Unit tests of march.Map / march.MapMutation (both implementations, fixture ``M``).

The behaviour tested is the one of docs/design.md, section 1: immutables.Map
semantics plus ``|`` and ``discard``, the exact hash formula, the canonical
trie shape (checked through ``_check()``, ``_depth()`` and the iteration
order, which is a function of the keys' hashes and, inside a collision node,
of their insertion order).
"""
import collections.abc
import copy
import gc
import pickle
import random
import re
import sys
import types
import weakref

import pytest

from _keys import HKey

U64 = 0xFFFFFFFFFFFFFFFF
# ints that differ by this hash to the same value in CPython
P61 = (1 << 61) - 1


# ---------------------------------------------------------------------------
# helper keys


class HashError(Exception):
    pass


class EqError(Exception):
    pass


class HashRaiser:
    """hash() raises (when armed)."""

    def __init__(self, h=7, armed=True):
        self.h = h
        self.armed = armed

    def __hash__(self):
        if self.armed:
            raise HashError("hash")
        return self.h

    def __eq__(self, other):
        return self is other

    __ne__ = object.__ne__


class EqRaiser:
    """A key whose == raises; its hash is chosen."""

    def __init__(self, h, armed=True):
        self.h = h
        self.armed = armed

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        if self.armed:
            raise EqError("eq")
        return self is other

    def __ne__(self, other):
        if self.armed:
            raise EqError("ne")
        return self is not other

    def __repr__(self):
        return "EqRaiser(%r)" % (self.h,)


class CountingHash:
    """A value that counts how often it is hashed."""

    def __init__(self, h):
        self.h = h
        self.calls = 0

    def __hash__(self):
        self.calls += 1
        return self.h


# ---------------------------------------------------------------------------
# reference model of the design: iteration order, depth and hash

def u64(k):
    return hash(k) & U64


def ref_order(keys):
    """Keys in the order the trie iterates them.

    ``keys``: the keys in insertion order (as a dict keeps them: a deleted and
    re-added key goes to the end), which is the order inside collision nodes.
    """
    return _ref_walk([(u64(k), k) for k in keys], 0)[0]


def ref_depth(keys):
    if not keys:
        return 0
    return _ref_walk([(u64(k), k) for k in keys], 0)[1]


def _ref_walk(entries, level):
    groups = {}
    for h, k in entries:
        groups.setdefault((h >> (5 * level)) & 31, []).append((h, k))
    data, children, depth = [], [], 1
    for idx in sorted(groups):
        g = groups[idx]
        if len(g) == 1:
            data.append(g[0][1])
        elif len({h for h, _ in g}) == 1:  # a collision node
            children.extend(k for _, k in g)
            depth = max(depth, 2)
        else:
            sub, d = _ref_walk(g, level + 1)
            children.extend(sub)
            depth = max(depth, 1 + d)
    return data + children, depth


def ref_hash(items):
    h = 0
    n = 0
    for k, v in items:
        hk = hash(k) & U64
        hv = hash(v) & U64
        e = (hk + 0x9E3779B97F4A7C15 * hv) & U64
        h ^= (((e ^ 89869747) ^ (e << 16)) * 3644798167) & U64
        n += 1
    h ^= ((n + 1) * 1927868237) & U64
    h ^= (h >> 11) ^ (h >> 25)
    h = (h * 69069 + 907133923) & U64
    if h >= 1 << 63:
        h -= 1 << 64
    if h == -1:
        h = 590923713
    return h


def check(m, expected=None):
    """_check() and, if given, compare with a dict (contents and order)."""
    assert m._check() is None
    if expected is not None:
        assert len(m) == len(expected)
        assert dict(m.items()) == expected
        assert list(m) == ref_order(list(expected))
        assert m._depth() == ref_depth(list(expected))


# ---------------------------------------------------------------------------
# construction

def test_empty(M):
    m = M.Map()
    assert len(m) == 0
    assert list(m) == []
    assert m._depth() == 0
    check(m, {})
    assert m.get("a") is None
    assert "a" not in m
    with pytest.raises(KeyError):
        m["a"]


def test_construct_from_dict_pairs_kwargs(M):
    d = {"a": 1, "b": 2, 3: "c"}
    m = M.Map(d)
    check(m, d)
    assert M.Map(list(d.items())) == m
    assert M.Map(iter(d.items())) == m
    assert M.Map((k, v) for k, v in d.items()) == m
    assert dict(M.Map(a=1, b=2).items()) == {"a": 1, "b": 2}
    # kwargs win over the positional argument
    assert dict(M.Map({"a": 1, "z": 0}, a=2).items()) == {"a": 2, "z": 0}
    assert dict(M.Map([("a", 1), ("a", 2)]).items()) == {"a": 2}
    # pairs may be any 2-sequences
    assert dict(M.Map([["x", 1], "yz"]).items()) == {"x": 1, "y": "z"}


def test_construct_from_map(M):
    m = M.Map(a=1, b=2)
    m2 = M.Map(m)
    assert m2 == m
    check(m2, {"a": 1, "b": 2})
    m3 = M.Map(m, c=3, a=0)
    check(m3, {"a": 0, "b": 2, "c": 3})
    check(m, {"a": 1, "b": 2})


def test_construct_from_mapping_subclass_and_abc(M):
    class MyMapping(collections.abc.Mapping):
        def __init__(self, d):
            self.d = d

        def __getitem__(self, k):
            return self.d[k]

        def __iter__(self):
            return iter(self.d)

        def __len__(self):
            return len(self.d)

    d = {i: str(i) for i in range(50)}
    check(M.Map(MyMapping(d)), d)
    check(M.Map(collections.OrderedDict(d)), d)


def test_construct_errors(M):
    with pytest.raises(TypeError):
        M.Map(1)
    with pytest.raises(TypeError):
        M.Map([1])
    with pytest.raises(ValueError):
        M.Map([(1, 2, 3)])
    with pytest.raises(TypeError):
        M.Map({}, {})
    with pytest.raises(TypeError):
        M.Map({[]: 1})
    with pytest.raises(TypeError):
        M.Map([([], 1)])


def test_construct_large(M):
    d = {i: i * i for i in range(5000)}
    d.update({"s%d" % i: i for i in range(1000)})
    check(M.Map(d), d)


# ---------------------------------------------------------------------------
# reading

def test_getitem_get_contains(M):
    m = M.Map({"a": 1, 2: None, (1, 2): [3]})
    assert m["a"] == 1
    assert m[2] is None
    assert m[(1, 2)] == [3]
    assert m.get("a") == 1
    assert m.get("zz") is None
    assert m.get("zz", 5) == 5
    assert m.get(2, 5) is None
    assert "a" in m and 2 in m and (1, 2) in m
    assert "b" not in m
    with pytest.raises(KeyError) as ei:
        m["nope"]
    assert ei.value.args == ("nope",)
    # equal keys of other types find the entry (1 == 1.0 == True)
    m = M.Map({1: "one"})
    assert m[1.0] == "one" and m[True] == "one"


def test_get_keyword_and_arity(M):
    m = M.Map(a=1)
    with pytest.raises(TypeError):
        m.get()
    with pytest.raises(TypeError):
        m.get(1, 2, 3)


def test_bool(M):
    assert not M.Map()
    assert M.Map(a=None)
    assert not M.Map(a=1).delete("a")
    mm = M.Map().mutate()
    assert len(mm) == 0
    mm["x"] = 1
    assert len(mm) == 1


def test_len_iter(M):
    d = {i: -i for i in range(300)}
    m = M.Map(d)
    assert len(m) == 300
    assert sorted(m) == sorted(d)
    assert list(iter(m)) == list(m.keys())
    it = iter(m)
    assert iter(it) is it
    assert len(list(it)) == 300
    assert list(it) == []


def test_iteration_order_follows_design(M):
    # ints hash to themselves: order is by index bits, data before children
    keys = [0, 1, 31, 32, 33, 64, 1024, 1 << 40, 5, (1 << 60) + 5, 2 ** 61 + 7]
    m = M.Map.fromkeys(keys) if hasattr(M.Map, "fromkeys") else M.Map((k, None) for k in keys)
    assert list(m) == ref_order(keys)
    # 0 and 32 share index 0 at level 0: they go to a child after the data
    assert list(M.Map({0: 0, 32: 0, 1: 0})) == [1, 0, 32]
    assert list(M.Map({32: 0, 0: 0, 2: 0, 1: 0})) == [1, 2, 0, 32]


def test_iteration_order_independent_of_insertion(M):
    keys = list(range(0, 3000, 7)) + ["k%d" % i for i in range(200)]
    rnd = random.Random(5)
    orders = set()
    for _ in range(5):
        rnd.shuffle(keys)
        m = M.Map((k, 1) for k in keys)
        orders.add(tuple(m))
    assert len(orders) == 1
    assert list(orders.pop()) == ref_order(keys)


def test_collision_order_is_insertion_order(M):
    a, b, c = HKey("a", 5), HKey("b", 5), HKey("c", 5)
    m = M.Map().set(a, 1).set(b, 2).set(c, 3)
    assert list(m) == [a, b, c]
    assert list(m.set(b, 20)) == [a, b, c]  # replacing keeps the position
    m2 = m.delete(a)
    assert list(m2) == [b, c]
    assert list(m2.set(a, 1)) == [b, c, a]
    check(m2.set(a, 1), {b: 2, c: 3, a: 1})


# ---------------------------------------------------------------------------
# set / delete / discard / update

def test_set_returns_new_map(M):
    m = M.Map(a=1)
    m2 = m.set("b", 2)
    assert m2 is not m
    check(m, {"a": 1})
    check(m2, {"a": 1, "b": 2})
    m3 = m2.set("a", 10)
    check(m3, {"a": 10, "b": 2})
    check(m2, {"a": 1, "b": 2})


def test_set_identical_value_returns_same_map(M):
    v = object()
    m = M.Map({"a": v, "b": 2})
    assert m.set("a", v) is m
    # equal but not identical: a new map with the new value
    big = int("1" * 30)
    m = M.Map(x=big)
    big2 = int("1" * 30)
    assert big2 is not big
    m2 = m.set("x", big2)
    assert m2 is not m and m2["x"] is big2
    m = M.Map(x=1)
    m2 = m.set("x", 1.0)
    assert m2 is not m and type(m2["x"]) is float
    # deep in the trie and in a collision node too
    keys = [HKey(i, 3) for i in range(3)] + list(range(100))
    m = M.Map((k, k) for k in keys)
    for k in keys:
        assert m.set(k, k) is m


def test_set_arity(M):
    m = M.Map()
    with pytest.raises(TypeError):
        m.set("a")
    with pytest.raises(TypeError):
        m.set("a", 1, 2)


def test_delete(M):
    m = M.Map(a=1, b=2)
    m2 = m.delete("a")
    check(m2, {"b": 2})
    check(m, {"a": 1, "b": 2})
    with pytest.raises(KeyError) as ei:
        m.delete("zz")
    assert ei.value.args == ("zz",)
    assert m2.delete("b") == M.Map()
    check(m2.delete("b"), {})
    with pytest.raises(KeyError):
        M.Map().delete(1)


def test_delete_everything_in_random_order(M):
    d = {i * 37: i for i in range(2000)}
    d.update({HKey(i, i % 7): i for i in range(60)})
    m = M.Map(d)
    keys = list(d)
    random.Random(1).shuffle(keys)
    for i, k in enumerate(keys):
        m = m.delete(k)
        del d[k]
        if i % 97 == 0:
            check(m, d)
    check(m, {})
    assert m == M.Map()
    assert m._depth() == 0


def test_discard(M):
    m = M.Map(a=1, b=2)
    assert m.discard("zz") is m
    m2 = m.discard("a")
    check(m2, {"b": 2})
    check(m, {"a": 1, "b": 2})
    assert M.Map().discard("x") == M.Map()
    with pytest.raises(TypeError):
        m.discard([])


def test_update(M):
    m = M.Map(a=1)
    assert m.update() is m
    check(m.update({"b": 2}), {"a": 1, "b": 2})
    check(m.update([("b", 2), ("a", 3)]), {"a": 3, "b": 2})
    check(m.update(b=2), {"a": 1, "b": 2})
    check(m.update({"b": 2}, b=3, c=4), {"a": 1, "b": 3, "c": 4})
    check(m.update(M.Map(z=26)), {"a": 1, "z": 26})
    check(m.update(iter([("q", 1)])), {"a": 1, "q": 1})
    assert m.update({}) == m
    check(m, {"a": 1})
    with pytest.raises(TypeError):
        m.update(1)
    with pytest.raises(TypeError):
        m.update({}, {})
    with pytest.raises(TypeError):
        m.update([1])
    with pytest.raises(ValueError):
        m.update([(1, 2, 3)])
    with pytest.raises(TypeError):
        m.update({[]: 1})
    check(m, {"a": 1})


def test_update_large_map_into_map(M):
    a = M.Map((i, i) for i in range(1000))
    b = M.Map((i, -i) for i in range(500, 1500))
    d = dict(a.items())
    d.update(b.items())
    check(a.update(b), d)


# ---------------------------------------------------------------------------
# views

def test_views(M):
    d = {"a": 1, "b": 2, "c": 3, 4: [5]}
    m = M.Map(d)
    ks, vs, its = m.keys(), m.values(), m.items()
    assert type(ks).__name__ == "MapKeys"
    assert type(vs).__name__ == "MapValues"
    assert type(its).__name__ == "MapItems"
    assert len(ks) == len(vs) == len(its) == 4
    assert list(ks) == list(m)
    assert list(ks) == list(ks)  # re-iterable
    assert list(vs) == [m[k] for k in m]
    assert list(its) == [(k, m[k]) for k in m]
    assert list(its) == list(its)
    assert "a" in ks and "zz" not in ks
    assert 2 in vs and [5] in vs and 99 not in vs
    assert ("a", 1) in its
    assert ("a", 2) not in its
    assert ("zz", 1) not in its
    assert (4, [5]) in its
    for view in (ks, vs, its):
        it = iter(view)
        assert iter(it) is it
        assert len(list(it)) == 4
        assert list(it) == []
    e = M.Map()
    assert list(e.keys()) == list(e.values()) == list(e.items()) == []
    assert len(e.items()) == 0


def test_view_reprs(M):
    m = M.Map({"a": 1, "b": [2]})
    for view, name, content in ((m.keys(), "MapKeys", list(m.keys())),
                                (m.values(), "MapValues", list(m.values())),
                                (m.items(), "MapItems", list(m.items()))):
        r = repr(view)
        assert re.fullmatch(r"(march\.)?%s\((.*)\)" % name, r), r
        assert r.endswith("%s(%r)" % (name, content)), r
    assert repr(M.Map().keys()).endswith("MapKeys([])")


def test_views_keep_map_alive(M):
    ks = M.Map(a=1, b=2).keys()
    its = M.Map(a=1, b=2).items()
    gc.collect()
    assert sorted(ks) == ["a", "b"]
    assert sorted(its) == [("a", 1), ("b", 2)]


def test_iterator_keeps_map_alive(M):
    it = iter(M.Map((i, i) for i in range(100)).items())
    gc.collect()
    assert sorted(it) == [(i, i) for i in range(100)]


# ---------------------------------------------------------------------------
# equality and hashing

def test_equality(M):
    assert M.Map() == M.Map()
    assert M.Map(a=1) == M.Map(a=1)
    assert M.Map(a=1) != M.Map(a=2)
    assert M.Map(a=1) != M.Map(b=1)
    assert M.Map(a=1) != M.Map(a=1, b=2)
    assert not (M.Map(a=1) != M.Map(a=1))
    assert M.Map({1: 1}) == M.Map({1.0: 1.0})
    assert M.Map() != {}
    assert not (M.Map() == {})
    assert M.Map(a=1) != {"a": 1}
    assert M.Map().__eq__({}) is NotImplemented
    assert M.Map().__eq__(None) is NotImplemented
    assert M.Map(a=1) != [("a", 1)]
    m = M.Map(a=1)
    assert m == m


def test_equality_of_maps_built_in_different_orders(M):
    rnd = random.Random(7)
    keys = list(range(0, 5000, 3)) + ["s%d" % i for i in range(300)]
    keys += [HKey(i, i % 5) for i in range(40)]  # collision nodes
    keys += [HKey("big%d" % i, (1 << 60) * (i % 3) + 17) for i in range(9)]
    items = [(k, repr(k)) for k in keys]
    maps = []
    for _ in range(4):
        rnd.shuffle(items)
        maps.append(M.Map(items))
        # also via set() one by one and via a mutation
        m = M.Map()
        for k, v in items:
            m = m.set(k, v)
        maps.append(m)
        mm = M.Map().mutate()
        for k, v in reversed(items):
            mm[k] = v
        maps.append(mm.finish())
    expected = dict(items)
    for m in maps:
        m._check()
        assert dict(m.items()) == expected
        assert m == maps[0]
        assert hash(m) == hash(maps[0])
    # the order differs only inside collision nodes
    plain = [k for k in maps[0] if not isinstance(k, HKey)]
    for m in maps:
        assert [k for k in m if not isinstance(k, HKey)] == plain
    # different value in one entry: not equal
    k0 = keys[len(keys) // 2]
    assert maps[1].set(k0, "other") != maps[0]
    assert maps[1].set(k0, "other") != maps[2]
    ck = keys[-20]
    assert maps[1].set(ck, "other") != maps[0]
    assert maps[0].delete(ck) != maps[0]
    assert maps[0].delete(ck).set(HKey("new", hash(ck)), "x") != maps[0]


def test_equality_collision_nodes_as_sets(M):
    a, b, c = HKey("a", 9), HKey("b", 9), HKey("c", 9)
    m1 = M.Map([(a, 1), (b, 2), (c, 3)])
    m2 = M.Map([(c, 3), (a, 1), (b, 2)])
    assert list(m1) != list(m2)
    assert m1 == m2
    assert hash(m1) == hash(m2)
    d = HKey("d", 9)
    assert m1.set(d, 4) != m2.set(c, 4)
    assert m1.delete(a).set(d, 1) != m2


def test_equality_compares_values_with_eq(M):
    class AlwaysEq:
        def __eq__(self, other):
            return True
        __hash__ = None

    assert M.Map(a=AlwaysEq()) == M.Map(a=5)
    nan = float("nan")
    assert M.Map(a=nan) == M.Map(a=nan)  # identity implies equality


def test_equality_value_eq_raises(M):
    class Bad:
        def __eq__(self, other):
            raise EqError

    m1 = M.Map(a=Bad(), b=1)
    m2 = M.Map(a=Bad(), b=1)
    with pytest.raises(EqError):
        m1 == m2
    check(m1)
    assert m1 == m1  # the same object: no comparison of values needed


def test_equality_key_eq_raises(M):
    # keys with equal hashes are compared with ==: its error propagates
    e1, e2 = EqRaiser(4242), EqRaiser(4242)
    m1 = M.Map({e1: 1, "a": 1})
    m2 = M.Map({e2: 1, "a": 1})
    with pytest.raises(EqError):
        m1 == m2
    with pytest.raises(EqError):
        m1 != m2
    with pytest.raises(EqError):
        m1.mutate() == m2
    # in collision nodes too
    e1.armed = e2.armed = False
    c1 = M.Map({e1: 1, HKey("x", 4242): 2})
    c2 = M.Map({e2: 1, HKey("x", 4242): 2})
    e1.armed = e2.armed = True
    with pytest.raises(EqError):
        c1 == c2
    check(m1)
    e1.armed = False  # (_check compares the keys of a collision node)
    check(c1)
    e1.armed = True
    assert m1 == m1 and m1 == M.Map({e1: 1, "a": 1})  # identical keys: no ==
    assert m1 != M.Map({e1: 1, "b": 1})


def test_hash_formula(M):
    cases = [
        {},
        {"a": 1},
        {1: 2, 3: 4},
        {i: -i for i in range(100)},
        {-1: -1, -2: -2},
        {HKey(i, 4): i for i in range(5)},
        {(1, 2): "x", None: True, 2.5: frozenset([1])},
    ]
    for d in cases:
        m = M.Map(d)
        assert hash(m) == ref_hash(d.items()), d
    # an empty map's hash is a fixed number
    assert hash(M.Map()) == ref_hash([])


def test_hash_order_independent(M):
    items = [(i, str(i)) for i in range(500)] + [(HKey(i, 1), i) for i in range(10)]
    rnd = random.Random(3)
    hs = set()
    for _ in range(5):
        rnd.shuffle(items)
        hs.add(hash(M.Map(items)))
    assert len(hs) == 1
    assert hs.pop() == ref_hash(items)


def test_hash_cached(M):
    v = CountingHash(12345)
    m = M.Map(a=v)
    h1 = hash(m)
    assert v.calls == 1
    h2 = hash(m)
    assert h1 == h2
    assert v.calls == 1
    # a new map computes its own
    m2 = m.set("b", 1)
    hash(m2)
    assert v.calls == 2


def test_hash_unhashable_value(M):
    m = M.Map(a=[1])
    with pytest.raises(TypeError):
        hash(m)
    with pytest.raises(TypeError):
        hash(m)  # not cached
    check(m, {"a": [1]})
    assert m.set("a", 1) == M.Map(a=1)
    hash(m.set("a", 1))


def test_hash_key_hash_raises_later(M):
    k = HashRaiser(armed=False)
    m = M.Map({k: 1})
    k.armed = True
    with pytest.raises(HashError):
        hash(m)
    k.armed = False
    assert hash(m) == ref_hash([(k, 1)])


def test_hash_usable_as_dict_key(M):
    d = {M.Map(a=1): "x"}
    assert d[M.Map(a=1)] == "x"
    assert M.Map(a=1, b=2) in {M.Map(b=2, a=1)}


# ---------------------------------------------------------------------------
# repr

def test_repr(M):
    assert repr(M.Map()) == "march.Map({})"
    assert repr(M.Map(a=1)) == "march.Map({'a': 1})"
    m = M.Map((i, str(i)) for i in range(40))
    body = ", ".join("%r: %r" % kv for kv in m.items())
    assert repr(m) == "march.Map({%s})" % body
    assert str(m) == repr(m)


def test_repr_self_reference(M):
    lst = []
    m = M.Map(a=lst)
    lst.append(m)
    r = repr(m)
    assert r.startswith("march.Map({'a': [")
    assert "..." in r
    # a map in another map is printed in full
    outer = M.Map(x=M.Map(y=1))
    assert repr(outer) == "march.Map({'x': march.Map({'y': 1})})"
    # the same map twice (not recursive) is printed twice
    inner = M.Map(y=1)
    assert repr(M.Map(p=inner, q=inner)).count("march.Map({'y': 1})") == 2


def test_repr_raising(M):
    class BadRepr:
        def __repr__(self):
            raise EqError("repr")

    m = M.Map(a=BadRepr())
    with pytest.raises(EqError):
        repr(m)
    # the recursion guard was released
    assert repr(M.Map(a=1)) == "march.Map({'a': 1})"
    lst = []
    m2 = M.Map(a=lst)
    lst.append(m2)
    assert "..." in repr(m2)


# ---------------------------------------------------------------------------
# protocols: pickle, copy, generic alias, ABC, match, weakref

def test_pickle(M):
    d = {"a": 1, 2: [3], (4,): None}
    d.update({HKey(i, 2): i for i in range(3)})
    m = M.Map(d)
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        m2 = pickle.loads(pickle.dumps(m, proto))
        assert type(m2) is M.Map
        assert m2 == m
        m2._check()
    assert pickle.loads(pickle.dumps(M.Map())) == M.Map()


def test_reduce(M):
    m = M.Map(a=1, b=2)
    red = m.__reduce__()
    assert red[0] is type(m)
    assert red[1] == ({"a": 1, "b": 2},)
    assert type(red[1][0]) is dict
    assert list(red[1][0]) == list(m)


def test_copy_deepcopy(M):
    lst = [1, 2]
    m = M.Map(a=lst, b=3)
    c = copy.copy(m)
    assert c == m and type(c) is M.Map
    assert c["a"] is lst
    dc = copy.deepcopy(m)
    assert dc == m and type(dc) is M.Map
    assert dc["a"] == lst and dc["a"] is not lst
    dc._check()
    # deepcopy of a cyclic structure through a map
    cyc = []
    m = M.Map(a=cyc)
    cyc.append(m)
    dc = copy.deepcopy(m)
    # __reduce__ rebuilds from a dict: the copied list holds a copied map
    assert dc["a"] is not cyc
    assert dc["a"][0]["a"] is dc["a"]


def test_class_getitem(M):
    ga = M.Map[str, int]
    assert isinstance(ga, types.GenericAlias)
    assert ga.__origin__ is M.Map
    assert ga.__args__ == (str, int)
    assert ga(a=1) == M.Map(a=1)


def test_mapping_abc(M):
    m = M.Map(a=1)
    assert isinstance(m, collections.abc.Mapping)
    assert issubclass(M.Map, collections.abc.Mapping)
    assert not isinstance(m, collections.abc.MutableMapping)
    assert isinstance(m, collections.abc.Hashable)
    assert dict(m) == {"a": 1}  # dict() uses keys() / __getitem__


def test_match_mapping_pattern(M):
    m = M.Map(a=1, b=2, c=3)
    match m:
        case [*_]:
            matched = "sequence"
        case {"a": x, "b": 2, **rest}:
            matched = ("mapping", x, rest)
        case _:
            matched = None
    assert matched == ("mapping", 1, {"c": 3})
    match M.Map(a=1):
        case {"zz": _}:
            matched = "zz"
        case {}:
            matched = "empty-pattern"
    assert matched == "empty-pattern"


def test_weakref(M):
    m = M.Map(a=1)
    r = weakref.ref(m)
    assert r() is m
    del m
    gc.collect()
    assert r() is None
    mm = M.Map(a=1).mutate()
    r = weakref.ref(mm)
    assert r() is mm
    del mm
    gc.collect()
    assert r() is None


def test_weakkeydictionary(M):
    wd = weakref.WeakValueDictionary()
    m = M.Map(a=1)
    wd["x"] = m
    assert wd["x"] is m


def test_not_mutable(M):
    m = M.Map(a=1)
    with pytest.raises(TypeError):
        m["b"] = 2
    with pytest.raises(TypeError):
        del m["a"]
    with pytest.raises((AttributeError, TypeError)):
        m.foo = 1
    check(m, {"a": 1})


# ---------------------------------------------------------------------------
# | operator

def test_or(M):
    a = M.Map(x=1, y=2)
    b = M.Map(y=20, z=30)
    r = a | b
    assert type(r) is M.Map
    check(r, {"x": 1, "y": 20, "z": 30})
    check(a, {"x": 1, "y": 2})
    check(b, {"y": 20, "z": 30})
    check(a | {"y": 5, "w": 0}, {"x": 1, "y": 5, "w": 0})
    check(a | collections.OrderedDict(q=1), {"x": 1, "y": 2, "q": 1})
    check(a | M.Map(), {"x": 1, "y": 2})
    check(M.Map() | a, {"x": 1, "y": 2})
    assert a.__or__([("q", 1)]) is NotImplemented
    assert a.__or__(5) is NotImplemented
    with pytest.raises(TypeError):
        a | 5
    with pytest.raises(TypeError):
        a | [("q", 1)]
    big1 = M.Map((i, i) for i in range(1000))
    big2 = M.Map((i, -i) for i in range(500, 1500))
    exp = {i: i for i in range(1000)}
    exp.update({i: -i for i in range(500, 1500)})
    check(big1 | big2, exp)


# ---------------------------------------------------------------------------
# unhashable keys, raising __hash__ / __eq__

def test_unhashable_keys(M):
    m = M.Map(a=1)
    for op in (lambda: m[[]], lambda: m.get([]), lambda: [] in m,
               lambda: m.set([], 1), lambda: m.delete([]), lambda: m.discard({}),
               lambda: m.update([([], 1)]), lambda: m.set({}, 1),
               lambda: M.Map([("b", 1), ((1, []), 2)])):
        with pytest.raises(TypeError):
            op()
    mm = m.mutate()
    for op in (lambda: mm[[]], lambda: mm.get([]), lambda: [] in mm,
               lambda: mm.set([], 1), lambda: mm.__setitem__([], 1),
               lambda: mm.__delitem__([]), lambda: mm.pop([]), lambda: mm.pop([], 1),
               lambda: mm.update([([], 1)])):
        with pytest.raises(TypeError):
            op()
    assert dict(mm.finish().items()) == {"a": 1}
    check(m, {"a": 1})


def _raising_ops(m, key):
    return [
        lambda: m[key],
        lambda: m.get(key),
        lambda: m.get(key, 1),
        lambda: key in m,
        lambda: m.set(key, 1),
        lambda: m.delete(key),
        lambda: m.discard(key),
        lambda: m.update({key: 1}),
        lambda: m.update([(key, 1)]),
        lambda: m | {key: 1},
        lambda: (key, 1) in m.items(),
        lambda: key in m.keys(),
    ]


def _mutation_raising_ops(mm, key):
    return [
        lambda: mm[key],
        lambda: mm.get(key),
        lambda: key in mm,
        lambda: mm.set(key, 1),
        lambda: mm.__setitem__(key, 1),
        lambda: mm.__delitem__(key),
        lambda: mm.pop(key),
        lambda: mm.pop(key, None),
        lambda: mm.update({key: 1}),
        lambda: mm.update([(key, 1)]),
    ]


def _contents_with_collisions():
    d = {i: i for i in range(200)}
    d.update({HKey(i, 77): i for i in range(4)})  # a collision node at hash 77
    d[HKey("solo", 1 << 33)] = "solo"               # a data entry with that hash
    d["s"] = "s"
    return d


@pytest.mark.parametrize("keyfactory", [
    lambda: HashRaiser(),
    lambda: EqRaiser(77),          # compared with the collision node at 77
    lambda: EqRaiser(1 << 33),     # compared with a single stored entry
    lambda: EqRaiser(5),           # compared with the int 5 (int.__eq__ -> NotImplemented -> reflected)
], ids=["hash", "eq-collision", "eq-entry", "eq-int"])
def test_raising_key_leaves_map_unchanged(M, keyfactory):
    d = _contents_with_collisions()
    m = M.Map(d)
    key = keyfactory()
    exc = HashError if isinstance(key, HashRaiser) else EqError
    for op in _raising_ops(m, key):
        with pytest.raises(exc):
            op()
        check(m, d)
    # still fully usable
    m2 = m.set("new", 1).delete(0)
    d2 = dict(d)
    d2["new"] = 1
    del d2[0]
    check(m2, d2)
    assert hash(m) == ref_hash(d.items())


@pytest.mark.parametrize("keyfactory", [
    lambda: HashRaiser(),
    lambda: EqRaiser(77),
    lambda: EqRaiser(1 << 33),
], ids=["hash", "eq-collision", "eq-entry"])
def test_raising_key_leaves_mutation_unchanged(M, keyfactory):
    d = _contents_with_collisions()
    base = M.Map(d)
    mm = base.mutate()
    mm["added"] = 1
    mm.pop(3)
    exp = dict(d)
    exp["added"] = 1
    del exp[3]
    key = keyfactory()
    exc = HashError if isinstance(key, HashRaiser) else EqError
    for op in _mutation_raising_ops(mm, key):
        with pytest.raises(exc):
            op()
        assert len(mm) == len(exp)
    # still usable
    mm["after"] = 2
    exp["after"] = 2
    del mm[HKey(1, 77)]
    del exp[HKey(1, 77)]
    res = mm.finish()
    check(res, exp)
    check(base, d)


def test_mutation_update_failing_midway_is_atomic(M):
    # as immutables: a failing update() leaves the mutation unchanged
    m = M.Map(a=1)
    for bad in (HashRaiser(), [], EqRaiser(hash("a"))):
        mm = m.mutate()
        mm["b"] = 2
        with pytest.raises((HashError, EqError, TypeError)):
            mm.update([("fine", 1), ("b", 3), (bad, 1)])
        assert len(mm) == 2
        assert "fine" not in mm and mm["b"] == 2
        with pytest.raises((HashError, EqError, TypeError)):
            mm.update({"fine": 1, bad: 1})
        assert len(mm) == 2 and "fine" not in mm
        with pytest.raises(ValueError):
            mm.update([("fine", 1), (1, 2, 3)])
        assert len(mm) == 2 and "fine" not in mm
        check(mm.finish(), {"a": 1, "b": 2})


def test_stored_key_whose_hash_starts_raising(M):
    # splitting a data entry needs the stored key's hash again
    k = HashRaiser(h=3, armed=False)
    m = M.Map({k: "k", 100: 100})
    k.armed = True
    other = 3 + 32  # same index as k at level 0, different hash
    try:
        m2 = m.set(other, 1)
    except HashError:
        pass
    else:  # an implementation may have kept the hash: then it must be right
        k.armed = False
        check(m2, {k: "k", 100: 100, other: 1})
        k.armed = True
    k.armed = False
    check(m, {k: "k", 100: 100})
    check(m.set(other, 1), {k: "k", 100: 100, other: 1})


def test_eq_raising_stored_key(M):
    # an EqRaiser stored alone in its slot: harmless until a key with the same
    # hash comes
    e = EqRaiser(1234)
    m = M.Map({e: 1, "a": 2})
    assert m[e] == 1  # identity: no __eq__ call
    assert m.set(e, 5)[e] == 5
    assert m.get(HKey("x", 99)) is None
    for op in _raising_ops(m, HKey("x", 1234)):
        with pytest.raises(EqError):
            op()
    check(m)
    assert len(m) == 2 and m["a"] == 2
    check(m.delete(e), {"a": 2})


# ---------------------------------------------------------------------------
# collisions and deep tries

def test_depth(M):
    assert M.Map()._depth() == 0
    assert M.Map(a=1)._depth() == 1
    assert M.Map({0: 0, 1: 1, 31: 31})._depth() == 1
    assert M.Map({0: 0, 32: 0})._depth() == 2
    # hashes that agree on the first 60 bits: a chain down to level 12
    m = M.Map({0: 0, 1 << 60: 1})
    assert m._depth() == 13
    check(m, {0: 0, 1 << 60: 1})
    # two keys with the same hash: a collision node under the root
    m = M.Map({HKey(1, 5): 1, HKey(2, 5): 2})
    assert m._depth() == 2
    # collision node pushed down by a key sharing the first 11 levels
    h = 5 + (1 << 55)
    m = m.set(HKey(3, h), 3)
    check(m, {HKey(1, 5): 1, HKey(2, 5): 2, HKey(3, h): 3})
    assert m._depth() == 13


def test_deepest_trie_with_collision_at_the_bottom(M):
    # a collision node under a chain of 13 bitmap nodes: the deepest trie
    a, b = HKey("a", 0), HKey("b", 0)
    c = 1 << 60  # differs from 0 only in the top 4 bits (level 12)
    d = {a: 1, b: 2, c: 3}
    m = M.Map(d)
    check(m, d)
    assert m._depth() == 14
    assert list(m) == [c, a, b]
    assert list(m.values()) == [3, 1, 2]
    m2 = m.set(HKey("z", 0), 4).set(HKey("y", -(2 ** 63)), 5)
    check(m2, {**d, HKey("z", 0): 4, HKey("y", -(2 ** 63)): 5})
    check(m2.delete(c), {a: 1, b: 2, HKey("z", 0): 4, HKey("y", -(2 ** 63)): 5})
    check(m.delete(c), {a: 1, b: 2})
    assert m.delete(c)._depth() == 2
    check(m.delete(a).delete(b), {c: 3})
    mm = m.mutate()
    del mm[a]
    mm[HKey("q", 0)] = 9
    check(mm.finish(), {b: 2, c: 3, HKey("q", 0): 9})
    check(m, d)


def test_long_chains_and_collapse(M):
    # keys whose hashes share long prefixes, then deletes collapsing chains
    keys = [0, 1 << 60, 1 << 55, (1 << 55) + (1 << 60), 1 << 40, 32, 1024]
    d = {}
    m = M.Map()
    for k in keys:
        m = m.set(k, k)
        d[k] = k
        check(m, d)
    for k in keys:
        m = m.delete(k)
        del d[k]
        check(m, d)
    # hash -1 is special in CPython (-2): max unsigned hashes
    k1, k2 = HKey("a", -2), HKey("b", -3)
    check(M.Map({k1: 1, k2: 2, 2 ** 63: 3}), {k1: 1, k2: 2, 2 ** 63: 3})


def test_collision_node_push_down_and_collapse(M):
    a, b = HKey("a", 7), HKey("b", 7)
    c = HKey("c", 7 + (1 << 20))  # agrees with 7 on 4 levels
    d = {a: 1, b: 2}
    m = M.Map(d)
    check(m, d)
    m2 = m.set(c, 3)
    d2 = {a: 1, b: 2, c: 3}
    check(m2, d2)
    assert list(m2) == [c, a, b] or list(m2) == ref_order(list(d2))
    # deleting c pulls the collision node back up
    m3 = m2.delete(c)
    check(m3, d)
    assert m3 == m
    assert m3._depth() == m._depth() == 2
    # deleting one of the colliding keys inlines the other
    m4 = m2.delete(a)
    check(m4, {b: 2, c: 3})
    assert m4.delete(b)._depth() == 1
    check(m4.delete(b), {c: 3})


def test_many_keys_one_hash(M):
    # ints i + k * (2**61 - 1) all hash to i in CPython: C-speed hash and ==
    n = 10000
    keys = [1 + k * P61 for k in range(n)]
    assert len({hash(k) for k in keys}) == 1
    m = M.Map()
    for k in keys[:200]:
        m = m.set(k, k)
    mm = m.mutate()
    for k in keys[200:]:
        mm[k] = k
    m = mm.finish()
    assert len(m) == n
    assert list(m) == keys  # a collision node keeps insertion order
    rnd = random.Random(11)
    sample = rnd.sample(keys, 300)
    for k in sample:
        assert m[k] == k
        assert m.get(k + 2 * P61 * n) is None
    assert m.get(1) == 1
    assert (n + 5) * P61 + 1 not in m
    # replace and delete
    m2 = m.set(sample[0], "x")
    assert m2[sample[0]] == "x" and m[sample[0]] == sample[0]
    assert list(m2) == keys
    m3 = m
    dels = set(sample[:100])
    for k in sample[:100]:
        m3 = m3.delete(k)
    assert len(m3) == n - 100
    assert list(m3) == [k for k in keys if k not in dels]
    with pytest.raises(KeyError):
        m3.delete(sample[0])
    # mixing with other keys
    m4 = m3.set(2, 2).set(1 + 32, 0)
    m4._check()  # (one _check: it is quadratic in a collision node's size)
    assert m4[2] == 2 and len(m4) == n - 98
    # deleting down to a single entry inlines it
    mm = m3.mutate()
    rest = [k for k in keys if k not in dels]
    for k in rest[:-1]:
        del mm[k]
    last = mm.finish()
    check(last, {rest[-1]: rest[-1]})


# ---------------------------------------------------------------------------
# mutations

def test_mutation_basic(M):
    m = M.Map(a=1, b=2)
    mm = m.mutate()
    assert type(mm) is M.MapMutation
    assert len(mm) == 2
    mm["c"] = 3
    assert mm.set("d", 4) is None
    del mm["a"]
    assert mm.pop("b") == 2
    assert mm.pop("zz", "dflt") == "dflt"
    assert mm.pop("zz", None) is None
    assert mm.get("c") == 3 and mm.get("zz") is None and mm.get("zz", 1) == 1
    assert mm["c"] == 3
    assert "c" in mm and "a" not in mm
    assert len(mm) == 2
    assert mm.update({"e": 5}, f=6) is None
    assert mm.update() is None
    assert mm.update([("g", 7)]) is None
    with pytest.raises(KeyError):
        mm["zz"]
    with pytest.raises(KeyError):
        del mm["zz"]
    with pytest.raises(KeyError):
        mm.delete("zz")
    with pytest.raises(KeyError):
        mm.pop("zz")
    mm.delete("g")
    res = mm.finish()
    assert type(res) is M.Map
    check(res, {"c": 3, "d": 4, "e": 5, "f": 6})
    check(m, {"a": 1, "b": 2})


def test_mutation_of_empty(M):
    mm = M.Map().mutate()
    for i in range(1000):
        mm[i] = i
    for i in range(0, 1000, 2):
        del mm[i]
    check(mm.finish(), {i: i for i in range(1, 1000, 2)})


def test_mutation_arity(M):
    mm = M.Map().mutate()
    with pytest.raises(TypeError):
        mm.pop()
    with pytest.raises(TypeError):
        mm.pop(1, 2, 3)
    with pytest.raises(TypeError):
        mm.update({}, {})
    with pytest.raises(TypeError):
        mm.set(1)


def test_mutation_does_not_affect_source_or_results(M):
    d = {i: i for i in range(3000)}
    d.update({HKey(i, i % 4): i for i in range(20)})
    m = M.Map(d)
    mm = m.mutate()
    for i in range(0, 3000, 3):
        mm[i] = -i
    for i in range(1, 3000, 3):
        del mm[i]
    for i in range(0, 20, 2):
        del mm[HKey(i, i % 4)]
    mm[HKey("n", 2)] = "n"
    res = mm.finish()
    check(m, d)
    exp = dict(d)
    for i in range(0, 3000, 3):
        exp[i] = -i
    for i in range(1, 3000, 3):
        del exp[i]
    for i in range(0, 20, 2):
        del exp[HKey(i, i % 4)]
    exp[HKey("n", 2)] = "n"
    check(res, exp)
    # a second mutation of the result does not touch the result
    mm2 = res.mutate()
    for k in list(exp)[:500]:
        mm2[k] = "changed"
    for k in list(exp)[500:900]:
        del mm2[k]
    res2 = mm2.finish()
    check(res, exp)
    exp2 = dict(exp)
    for k in list(exp)[:500]:
        exp2[k] = "changed"
    for k in list(exp)[500:900]:
        del exp2[k]
    check(res2, exp2)
    check(m, d)


def test_two_mutations_of_one_map_are_independent(M):
    m = M.Map((i, i) for i in range(500))
    a, b = m.mutate(), m.mutate()
    for i in range(500):
        a[i] = "a"
        if i % 2:
            del b[i]
    ra, rb = a.finish(), b.finish()
    check(ra, {i: "a" for i in range(500)})
    check(rb, {i: i for i in range(0, 500, 2)})
    check(m, {i: i for i in range(500)})


def test_mutation_maps_made_during_mutation_unaffected(M):
    # maps made from the mutation's source before/after keep their contents
    base = {i: i for i in range(100)}
    m = M.Map(base)
    mm = m.mutate()
    mm[1000] = 1
    side = m.set(2000, 2)
    mm[0] = "zero"
    del mm[5]
    check(side, {**base, 2000: 2})
    check(m, base)
    res = mm.finish()
    after = res.set(3000, 3)
    exp = {**base, 1000: 1, 0: "zero"}
    del exp[5]
    check(res, exp)
    check(after, {**exp, 3000: 3})
    check(m, base)


def test_mutation_set_identical_value(M):
    v = object()
    m = M.Map(a=v)
    mm = m.mutate()
    mm["a"] = v
    assert mm.finish() == m


def test_finish(M):
    m = M.Map(a=1)
    mm = m.mutate()
    mm["b"] = 2
    res = mm.finish()
    check(res, {"a": 1, "b": 2})
    res2 = mm.finish()
    assert res2 == res
    err = "finished"
    ops = [
        lambda: mm.set("c", 1),
        lambda: mm.__setitem__("c", 1),
        lambda: mm.__delitem__("a"),
        lambda: mm.__delitem__("zz"),
        lambda: mm.delete("a"),
        lambda: mm.pop("a"),
        lambda: mm.pop("zz", 1),
        lambda: mm.update({"c": 1}),
        lambda: mm.update(c=1),
    ]
    for op in ops:
        with pytest.raises(ValueError, match=err):
            op()
    check(res, {"a": 1, "b": 2})
    # a finished mutation's map can be mutated again without affecting res
    mm2 = res.mutate()
    mm2["a"] = 100
    assert mm2.finish()["a"] == 100
    assert res["a"] == 1


def test_finish_of_unchanged_mutation(M):
    m = M.Map(a=1)
    assert m.mutate().finish() == m
    assert M.Map().mutate().finish() == M.Map()


def test_mutation_context_manager(M):
    m = M.Map(a=1)
    with m.mutate() as mm:
        assert type(mm) is M.MapMutation
        mm["b"] = 2
        del mm["a"]
    with pytest.raises(ValueError):
        mm["c"] = 3
    check(mm.finish(), {"b": 2})
    check(m, {"a": 1})
    # __exit__ returns False: exceptions propagate
    mm = m.mutate()
    assert mm.__enter__() is mm
    assert mm.__exit__(None, None, None) is False
    with pytest.raises(ValueError):
        mm.set(1, 1)
    with pytest.raises(ZeroDivisionError):
        with m.mutate() as mm:
            mm["x"] = 1
            1 / 0
    with pytest.raises(ValueError):
        mm["y"] = 1


def test_mutation_eq_hash_repr(M):
    m = M.Map(a=1, b=2)
    mm = m.mutate()
    with pytest.raises(TypeError):
        hash(mm)
    assert mm == m.mutate()
    assert mm == mm
    assert mm == m
    assert mm != M.Map(a=1)
    assert not (mm == {"a": 1, "b": 2})
    mm["c"] = 3
    assert mm != m
    assert mm == m.set("c", 3)
    assert repr(mm) == "march.MapMutation({%s})" % ", ".join(
        "%r: %r" % (k, mm[k]) for k in mm.finish())
    lst = []
    mm2 = M.Map().mutate()
    mm2["s"] = lst
    lst.append(mm2)
    r = repr(mm2)
    assert r.startswith("march.MapMutation({'s': [") and "..." in r


def test_mutation_len_tracks_changes(M):
    mm = M.Map().mutate()
    mm[1] = 1
    mm[1] = 2
    assert len(mm) == 1
    mm[HKey(1, 0)] = 1
    mm[HKey(2, 0)] = 1
    assert len(mm) == 3
    del mm[HKey(1, 0)]
    assert len(mm) == 2
    mm.pop(1)
    assert len(mm) == 1
    mm.pop(1, None)
    assert len(mm) == 1


def test_mutation_iteration(M):
    # MapMutation is not required to be iterable; if it is, it must be right
    mm = M.Map(a=1).mutate()
    try:
        it = iter(mm)
    except TypeError:
        return
    assert list(it) == ["a"]


def test_mutation_large_random_against_dict(M):
    rnd = random.Random(42)
    d = {}
    m = M.Map()
    for round_ in range(5):
        mm = m.mutate()
        for _ in range(2000):
            k = rnd.randrange(3000)
            if rnd.random() < 0.3 and k in d:
                del mm[k]
                del d[k]
            else:
                mm[k] = round_
                d[k] = round_
        m = mm.finish()
        check(m, d)


# ---------------------------------------------------------------------------
# persistence under random operations (several live versions)

def test_persistence_random_versions(M):
    rnd = random.Random(99)
    pool = list(range(200)) + [HKey(i, i % 3) for i in range(12)] + [1 << 60, (1 << 60) + 1]
    versions = [(M.Map(), {})]
    for _ in range(1500):
        m, d = rnd.choice(versions)
        k = rnd.choice(pool)
        if rnd.random() < 0.4 and d:
            k = rnd.choice(list(d))
            m2 = m.delete(k)
            d2 = dict(d)
            del d2[k]
        else:
            v = rnd.randrange(5)
            m2 = m.set(k, v)
            d2 = dict(d)
            d2[k] = v
        versions.append((m2, d2))
        if len(versions) > 40:
            versions.pop(rnd.randrange(len(versions)))
    for m, d in versions:
        check(m, d)


def test_check_returns_none(M):
    assert M.Map()._check() is None
    assert M.Map((i, i) for i in range(100))._check() is None


def test_refcounts_of_keys_and_values(M):
    if not hasattr(sys, "getrefcount"):
        pytest.skip("no refcounts")
    k = object()
    v = object()
    rk, rv = sys.getrefcount(k), sys.getrefcount(v)
    m = M.Map()
    for i in range(50):
        m = m.set(i, i)
    m2 = m.set(k, v).set(k, v).delete(k).set(k, v)
    mm = m2.mutate()
    mm[k] = v
    del mm[k]
    mm[k] = v
    mm.pop(k)
    m3 = mm.finish()
    del m2, mm, m3, m
    gc.collect()
    assert sys.getrefcount(k) == rk
    assert sys.getrefcount(v) == rv


# ---------------------------------------------------------------------------
# the two implementations agree bit for bit

def _both_impls():
    import importlib
    from conftest import MAP_IMPLS, _selected
    mods = []
    for name in _selected(MAP_IMPLS):
        try:
            mods.append(importlib.import_module(MAP_IMPLS[name]))
        except ImportError:
            pass
    if len(mods) < 2:
        pytest.skip("needs both implementations")
    return mods


def test_implementations_agree():
    c, py = _both_impls()
    rnd = random.Random(2024)
    pool = (list(range(-50, 3000)) + ["k%d" % i for i in range(300)]
            + [HKey(i, rnd.choice([0, 1, 1 << 60, -2, 12345])) for i in range(30)]
            + [(i, "t") for i in range(100)] + [1.5, None, True, frozenset([1])])
    for trial in range(30):
        items = [(rnd.choice(pool), rnd.randrange(10)) for _ in range(rnd.randrange(1, 400))]
        a, b = c.Map(items), py.Map(items)
        assert list(a.items()) == list(b.items())
        assert hash(a) == hash(b)
        assert repr(a).replace("march.Map", "") == repr(b).replace("march.Map", "")
        assert repr(a) == repr(b)
        assert a._depth() == b._depth()
        dels = rnd.sample([k for k, _ in items], len(items) // 3)
        ma, mb = a.mutate(), b.mutate()
        for k in dels:
            ma.pop(k, None)
            mb.pop(k, None)
        fa, fb = ma.finish(), mb.finish()
        assert list(fa.items()) == list(fb.items())
        assert hash(fa) == hash(fb)
        assert fa._depth() == fb._depth()
        assert repr(fa.keys()) == repr(fb.keys())
        assert repr(fa.items()) == repr(fb.items())
        assert repr(a.mutate()) == repr(b.mutate())
