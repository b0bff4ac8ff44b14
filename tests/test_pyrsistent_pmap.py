"""march.pyrsistent._pmap: PMap, pmap and m (pyrsistent 0.20's map) on
march.Map.

Unit tests of the documented behaviour (construction, reading, attribute
access, updates, equality and hashing, printing, pickling, the views, the
evolver, transform, how subclasses route their updates), hostile keys, the
docstring examples and the stub, then a Hypothesis state machine that runs
PMaps and their evolvers against a dict and checks that no version it made
ever changes.

The Map underneath is the one ``import march`` picked: CI's
``MARCH_PURE_PYTHON=1`` run covers the pure-Python twin.
"""
import ast
import copy
import doctest
import os
import pickle
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from operator import add

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, precondition, rule

from _versions_machine import VersionsMachine

import march
from march import discard, inc, ny, rex
from march.pyrsistent import _pmap
from march.pyrsistent._pmap import PMap, PMapItems, PMapValues, PMapView, m, pmap
from march.pyrsistent._pset import PSet


class SameHash:
    """Keys that all hash alike and are equal only to themselves."""

    def __init__(self, label):
        self.label = label

    def __hash__(self):
        return 1234567

    def __eq__(self, other):
        return self is other

    def __repr__(self):
        return "SameHash(%r)" % self.label


class EqualityError(Exception):
    pass


class EqRaises:
    """A key whose == raises when compared with anything but itself; its
    hash is the one SameHash uses, so it meets them in a collision node."""

    def __hash__(self):
        return 1234567

    def __eq__(self, other):
        if other is self:
            return True
        raise EqualityError("no comparing me")


class PlainMapping(Mapping):
    """A Mapping that is neither a dict nor a march.Map."""

    def __init__(self, data):
        self._data = dict(data)

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)


# -- construction -----------------------------------------------------------

def test_pmap_from_a_dict_pairs_or_a_mapping():
    assert dict(pmap({"a": 1, "b": 2}).items()) == {"a": 1, "b": 2}
    assert pmap([("a", 1), ("a", 2)])["a"] == 2
    assert pmap(iter([("x", 0)])) == {"x": 0}
    assert pmap((k, k * k) for k in range(5)) == {k: k * k for k in range(5)}
    assert pmap(PlainMapping({"q": 9})) == {"q": 9}
    assert pmap(OrderedDict(z=1)) == {"z": 1}
    assert type(pmap({"a": 1})) is PMap


def test_pmap_of_a_march_map_shares_it_and_of_a_pmap_is_it():
    base = march.Map({i: i for i in range(100)})
    pm = pmap(base)
    assert type(pm) is PMap and pm == base
    assert pmap(pm) is pm


def test_m_takes_keywords():
    assert m(a=1, b=2) == {"a": 1, "b": 2}
    assert type(m(a=1)) is PMap


def test_one_shared_empty_map():
    assert m() is pmap()
    for empty in (None, {}, [], (), march.Map(), iter([]), (x for x in ())):
        assert pmap(empty) is m()
    assert pmap({}, 50) is m()
    assert len(m()) == 0 and not m()


def test_pre_size_is_accepted_and_ignored():
    assert pmap({"a": 1}, 64) == {"a": 1}
    assert pmap({"a": 1}, pre_size=1) == {"a": 1}
    assert "pre_size" not in pmap({"a": 1}, pre_size=1)


def test_pmap_refuses_what_dict_refuses():
    with pytest.raises(TypeError):
        pmap([1, 2])
    with pytest.raises(TypeError):
        pmap([([1], 2)])
    with pytest.raises(ValueError):
        pmap([(1, 2, 3)])


def test_it_is_a_hashable_mapping_and_a_march_map():
    pm = m(a=1)
    assert isinstance(pm, Mapping) and isinstance(pm, Hashable)
    assert isinstance(pm, march.Map)
    assert PMap[str, int].__origin__ is PMap


def test_direct_construction_builds_a_pmap():
    pm = PMap({"a": 1})
    assert type(pm) is PMap and pm == {"a": 1}


# -- reading ----------------------------------------------------------------

def test_reading():
    pm = pmap({"a": 1, "b": 2})
    assert pm["a"] == 1 and pm.get("b") == 2 and pm.get("c") is None
    assert pm.get("c", 7) == 7
    assert "a" in pm and "c" not in pm
    assert len(pm) == 2 and bool(pm)
    assert sorted(pm) == ["a", "b"]


def test_a_missing_key_raises_key_error():
    with pytest.raises(KeyError) as info:
        m(a=1)["nope"]
    assert str(info.value) == "'nope'"


def test_attribute_access_to_entries():
    pm = m(alpha=1, beta=m(gamma=2))
    assert pm.alpha == 1
    assert pm.beta.gamma == 2


def test_a_missing_attribute_says_which_and_on_what():
    with pytest.raises(AttributeError) as info:
        m(a=1).b
    assert "'b'" in str(info.value) and "PMap" in str(info.value)
    assert not hasattr(m(), "anything")
    assert getattr(m(), "__deepcopy_hook__", None) is None


def test_methods_win_over_keys_in_attribute_access():
    pm = m(set=1, keys=2)
    assert callable(pm.set) and pm["set"] == 1
    assert callable(pm.keys)


def test_iter_methods():
    pm = pmap({"a": 1, "b": 2})
    assert sorted(pm.iterkeys()) == ["a", "b"]
    assert sorted(pm.itervalues()) == [1, 2]
    assert sorted(pm.iteritems()) == [("a", 1), ("b", 2)]
    keys = list(pm.iterkeys())
    assert list(pm.itervalues()) == [pm[k] for k in keys]
    assert list(pm.iteritems()) == [(k, pm[k]) for k in keys]


def test_no_reversing():
    with pytest.raises(TypeError):
        reversed(m(a=1))


# -- updates ----------------------------------------------------------------

def test_set_adds_and_replaces():
    pm = m(a=1)
    assert pm.set("b", 2) == {"a": 1, "b": 2}
    assert pm.set("a", 5) == {"a": 5}
    assert pm == {"a": 1}
    assert type(pm.set("b", 2)) is PMap


def test_set_to_the_same_object_returns_the_map_itself():
    value = object()
    pm = m(a=value)
    assert pm.set("a", value) is pm
    # an equal value that is another object is a change, as in pyrsistent
    changed = m(a=1).set("a", 1.0)
    assert type(changed["a"]) is float


def test_remove():
    pm = m(a=1, b=2)
    assert pm.remove("a") == {"b": 2}
    assert type(pm.remove("a")) is PMap
    assert pm == {"a": 1, "b": 2}
    with pytest.raises(KeyError) as info:
        pm.remove("zz")
    assert str(info.value) == "'zz'"
    with pytest.raises(KeyError):
        m().remove(1)


def test_discard():
    pm = m(a=1, b=2)
    assert pm.discard("a") == {"b": 2} and type(pm.discard("a")) is PMap
    assert pm.discard("zz") is pm
    assert m().discard(1) is m()


def test_update_takes_several_maps_the_last_wins():
    pm = m(a=1, b=2)
    new = pm.update(m(b=3, c=4), {"c": 5}, PlainMapping({"d": 6}))
    assert new == {"a": 1, "b": 3, "c": 5, "d": 6}
    assert type(new) is PMap
    assert pm.update() is pm
    assert pm.update({"a": pm["a"]}) is pm
    assert pm.update({}, m()) is pm


def test_update_with():
    pm = m(a=1, b=2)
    assert pm.update_with(add, {"a": 10}, m(a=100, c=0)) == {"a": 111, "b": 2, "c": 0}
    assert pm.update_with(lambda old, new: old, {"a": 9, "z": 0}) == {"a": 1, "b": 2, "z": 0}
    assert pm.update_with(add) is pm
    calls = []

    def merge(old, new):
        calls.append((old, new))
        return old

    assert pm.update_with(merge, {"a": 5, "new": 1}) == {"a": 1, "b": 2, "new": 1}
    assert calls == [(1, 5)]
    assert pm.update_with(merge, {"a": 5}) is pm


def test_update_with_values_that_are_dicts():
    def merged(left, right):
        out = dict(left)
        out.update(right)
        return out

    pm = m(a={"c": 3})
    assert pm.update_with(merged, m(a={"d": 4})) == m(a={"c": 3, "d": 4})


def test_a_failing_update_changes_nothing():
    pm = m(a=1)

    def boom(old, new):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        pm.update_with(boom, {"b": 2}, {"a": 2})
    assert pm == {"a": 1}
    with pytest.raises(TypeError):
        pm.update({"b": 2}, [[[], 1]])
    assert pm == {"a": 1}


def test_plus_and_or_update():
    x, y = m(a=1, b=2), m(b=3, c=4)
    assert x + y == {"a": 1, "b": 3, "c": 4}
    assert x | y == {"a": 1, "b": 3, "c": 4}
    assert x + {"z": 0} == {"a": 1, "b": 2, "z": 0}
    assert type(x + y) is PMap and type(x | y) is PMap
    assert x + m() is x
    with pytest.raises(TypeError):
        x + 5


def test_copy_is_self():
    pm = m(a=[1])
    assert pm.copy() is pm
    assert copy.copy(pm) == pm and type(copy.copy(pm)) is PMap
    deep = copy.deepcopy(pm)
    assert deep == pm and deep["a"] is not pm["a"]


# -- comparing, hashing -----------------------------------------------------

def test_equal_to_any_mapping_with_the_same_entries():
    pm = m(a=1, b=2)
    for other in ({"a": 1, "b": 2}, march.Map(a=1, b=2), pmap([("b", 2), ("a", 1)]),
                  PlainMapping({"a": 1, "b": 2}), OrderedDict(b=2, a=1)):
        assert pm == other and other == pm
        assert not (pm != other) and not (other != pm)


def test_not_equal():
    pm = m(a=1, b=2)
    for other in ({"a": 1}, {"a": 1, "b": 3}, {"a": 1, "c": 2}, march.Map(a=1),
                  PlainMapping({"a": 2, "b": 2}), m()):
        assert pm != other and other != pm
        assert not (pm == other) and not (other == pm)
    for other in (None, 1, [("a", 1), ("b", 2)], {"a", "b"}, (("a", 1),)):
        assert pm != other and not (pm == other)


def test_equality_compares_values_as_dict_does():
    nan = float("nan")
    assert m(x=nan) == {"x": nan}
    assert m(x=1) == {"x": 1.0} == m(x=True)


def test_hash():
    assert hash(m(a=1, b=2)) == hash(pmap([("b", 2), ("a", 1)]))
    assert hash(m(a=1)) == hash(march.Map(a=1))
    assert {m(a=1): "x"}[pmap({"a": 1})] == "x"
    with pytest.raises(TypeError):
        hash(m(a=[]))


def test_hash_is_cached():
    class Flaky:
        ok = True

        def __hash__(self):
            if not self.ok:
                raise ValueError("hashed twice")
            return 7

    value = Flaky()
    pm = m(v=value)
    first = hash(pm)
    value.ok = False
    assert hash(pm) == first


def test_equal_maps_built_in_different_orders_hash_alike():
    keys = list(range(500))
    x = pmap((k, k) for k in keys)
    y = pmap((k, k) for k in reversed(keys))
    for k in range(0, 500, 3):
        x = x.remove(k)
    y = pmap((k, k) for k in keys if k % 3)
    assert x == y and hash(x) == hash(y)


def test_no_ordering():
    for op in ("__lt__", "__le__", "__gt__", "__ge__"):
        with pytest.raises(TypeError):
            getattr(m(a=1), op)(m(b=2))
    with pytest.raises(TypeError):
        m(a=1) < m(b=2)
    with pytest.raises(TypeError):
        m() >= {}


# -- printing, pickling, weak references, immutability -------------------------

def test_repr_and_str():
    assert repr(pmap({1: 2})) == "pmap({1: 2})"
    assert str(pmap({1: 2})) == "pmap({1: 2})"
    assert repr(m()) == "pmap({})"
    pm = pmap({1: 2, 3: 4})
    assert repr(pm) == "pmap(%r)" % (dict(pm.iteritems()),)
    assert repr(m(a=m(b=[1]))) == "pmap({'a': pmap({'b': [1]})})"


def test_repr_of_a_value_that_contains_itself():
    box = []
    pm = m(box=box)
    box.append(pm)
    assert repr(pm) == "pmap({'box': [pmap({'box': [...]})]})"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle(protocol):
    for pm in (m(), m(a=1, b=[2]), pmap({i: str(i) for i in range(300)})):
        back = pickle.loads(pickle.dumps(pm, protocol))
        assert back == pm and type(back) is PMap
    assert pickle.loads(pickle.dumps(m(), protocol)) is m()


def test_reduce_names_pmap_and_a_dict():
    fn, args = m(a=1).__reduce__()
    assert fn is pmap and args == ({"a": 1},) and type(args[0]) is dict


def test_weak_references():
    pm = m(a=1)
    assert weakref.ref(pm)() is pm


def test_no_attribute_can_be_set():
    pm = m(a=1)
    with pytest.raises(AttributeError):
        pm.a = 2
    with pytest.raises(AttributeError):
        pm.new = 2
    assert pm == {"a": 1}
    assert not hasattr(pm, "__dict__")


# -- keys, values, items ----------------------------------------------------

def test_keys_are_a_persistent_set():
    pm = m(a=1, b=2)
    keys = pm.keys()
    assert type(keys) is PSet
    assert keys == {"a", "b"} and {"a", "b"} == keys
    assert "a" in keys and len(keys) == 2
    assert keys - {"a"} == {"b"}
    assert m().keys() == set()


def test_values_view():
    pm = pmap({i: i % 3 for i in range(10)})
    vals = pm.values()
    assert type(vals) is PMapValues and isinstance(vals, PMapView)
    assert len(vals) == 10
    assert sorted(vals) == sorted(i % 3 for i in range(10))
    assert 2 in vals and 3 not in vals
    assert repr(m(a=1).values()) == "pmap_values([1])"
    assert str(m(a=1).values()) == "pmap_values([1])"
    # equal only to itself, as dict.values()
    assert vals == vals and vals != pm.values() and vals != [0, 1]


def test_items_view():
    pm = m(a=1, b=2)
    its = pm.items()
    assert type(its) is PMapItems and isinstance(its, PMapView)
    assert len(its) == 2
    assert sorted(its) == [("a", 1), ("b", 2)]
    assert ("a", 1) in its and ("a", 2) not in its and ("z", 1) not in its
    assert "a" not in its and 5 not in its and ("a", 1, 2) not in its
    assert its == pmap({"b": 2, "a": 1}).items()
    assert its != m(a=1).items() and its != {("a", 1), ("b", 2)}
    assert repr(m(a=1).items()) == "pmap_items([('a', 1)])"
    with pytest.raises(TypeError):
        hash(its)


def test_views_are_fixed():
    vals = m(a=1).values()
    with pytest.raises(TypeError):
        vals.x = 1
    with pytest.raises(TypeError):
        reversed(vals)
    with pytest.raises(TypeError):
        reversed(m(a=1).items())


def test_views_from_other_mappings():
    assert sorted(PMapValues({"a": 1, "b": 2})) == [1, 2]
    assert list(PMapItems(march.Map(a=1))) == [("a", 1)]
    with pytest.raises(TypeError):
        PMapValues([1, 2])


# -- transform --------------------------------------------------------------

def test_transform():
    pm = m(a=1, b=m(c=3, d=m(e=6)))
    assert pm.transform(["a"], 3) == m(a=3, b=m(c=3, d=m(e=6)))
    assert pm.transform(["b", "d", "e"], inc) == {"a": 1, "b": {"c": 3, "d": {"e": 7}}}
    assert pm.transform(["b", "x", "y"], 0)["b"]["x"] == {"y": 0}
    assert pm.transform(["b", ny], discard) == {"a": 1, "b": {}}
    assert type(pm.transform(["a"], 3)) is PMap
    assert type(pm.transform(["b", "c"], 0)["b"]) is PMap


def test_transform_that_changes_nothing_returns_the_map():
    pm = m(a=m(b=1), c=2)
    assert pm.transform(["a", "b"], lambda x: x) is pm
    assert pm.transform([rex("^z")], 0) is pm
    assert pm.transform(["zz"], discard) is pm


def test_transform_several_pairs():
    assert m(a=1).transform(["a"], inc, ["b"], 5, ["a"], inc) == {"a": 3, "b": 5}


# -- the evolver ------------------------------------------------------------

def test_evolver_reads_and_writes():
    pm = m(a=1, b=2)
    e = pm.evolver()
    assert isinstance(e, PMap._Evolver)
    assert e["a"] == 1 and e.get("z") is None and e.get("z", 0) == 0
    assert "a" in e and "z" not in e and len(e) == 2
    e["c"] = 3
    assert e.set("d", 4) is e
    assert e.remove("a") is e
    del e["b"]
    assert len(e) == 2 and "a" not in e and e["c"] == 3
    out = e.persistent()
    assert out == {"c": 3, "d": 4} and type(out) is PMap
    assert pm == {"a": 1, "b": 2}


def test_evolver_missing_keys():
    e = m(a=1).evolver()
    with pytest.raises(KeyError) as info:
        del e["c"]
    assert str(info.value) == "'c'"
    with pytest.raises(KeyError):
        e.remove("c")
    with pytest.raises(KeyError):
        e["c"]
    assert not e.is_dirty()
    e["b"] = 2
    with pytest.raises(KeyError):
        del e["c"]
    assert e.persistent() == {"a": 1, "b": 2}


def test_evolver_persistent_identity():
    pm = m(a=1)
    e = pm.evolver()
    assert not e.is_dirty() and e.persistent() is pm
    e.set("a", pm["a"])
    assert not e.is_dirty() and e.persistent() is pm
    e["b"] = 2
    assert e.is_dirty()
    first = e.persistent()
    assert not e.is_dirty()
    assert e.persistent() is first


def test_evolver_goes_on_after_persistent():
    e = m(a=1).evolver()
    e["b"] = 2
    first = e.persistent()
    e["c"] = 3
    del e["a"]
    second = e.persistent()
    assert first == {"a": 1, "b": 2}
    assert second == {"b": 2, "c": 3}
    e["c"] = 4
    assert first == {"a": 1, "b": 2} and second == {"b": 2, "c": 3}
    assert e.persistent() == {"b": 2, "c": 4}


def test_evolver_same_object_after_a_change_elsewhere():
    value = object()
    e = pmap({"a": value}).evolver()
    e["b"] = 3000
    e["a"] = value
    out = e.persistent()
    assert "b" in out and out["a"] is value
    assert out is e.persistent()


def test_evolver_unhashable_key_leaves_it_clean():
    e = m(a=1).evolver()
    with pytest.raises(TypeError):
        e[[1]] = 2
    with pytest.raises(TypeError):
        del e[[1]]
    assert not e.is_dirty()


def test_evolver_has_no_instance_dict():
    e = m().evolver()
    with pytest.raises(AttributeError):
        e.other = 1


# -- subclasses: every update goes through the evolver -------------------------

class LoggedPMap(PMap):
    """A subclass whose evolver records each change and keeps the class."""

    __slots__ = ()
    log = []

    class _Evolver(PMap._Evolver):
        __slots__ = ()

        def set(self, key, val):
            LoggedPMap.log.append(("set", key, val))
            return super().set(key, val)

        def remove(self, key):
            LoggedPMap.log.append(("remove", key))
            return super().remove(key)

        def persistent(self):
            result = super().persistent()
            if type(result) is not LoggedPMap:
                result = march.Map.__new__(LoggedPMap, result)
            return result


@pytest.fixture
def logged():
    LoggedPMap.log = []
    return march.Map.__new__(LoggedPMap, march.Map(a=1))


def test_subclass_set_remove_discard_use_the_evolver(logged):
    assert LoggedPMap.set is not march.Map.set
    assert type(logged.set("b", 2)) is LoggedPMap
    assert type(logged.remove("a")) is LoggedPMap
    assert logged.discard("zz") is logged
    assert LoggedPMap.log == [("set", "b", 2), ("remove", "a"), ("remove", "zz")]


def test_subclass_update_plus_or_update_with_use_the_evolver(logged):
    assert logged.update({"b": 2}) == {"a": 1, "b": 2}
    assert type(logged + {"c": 3}) is LoggedPMap
    assert type(logged | {"c": 3}) is LoggedPMap
    assert logged.update_with(add, {"a": 1}) == {"a": 2}
    assert LoggedPMap.log == [("set", "b", 2), ("set", "c", 3), ("set", "c", 3),
                              ("set", "a", 2)]


def test_subclass_transform_uses_the_evolver(logged):
    out = logged.transform(["a"], inc)
    assert type(out) is LoggedPMap and out == {"a": 2}
    assert LoggedPMap.log == [("set", "a", 2)]


def test_a_plain_subclass_keeps_its_class_through_updates():
    class Sub(PMap):
        __slots__ = ()

    sub = march.Map.__new__(Sub, march.Map(a=1))
    assert type(sub.set("b", 2)) is Sub and type(sub.remove("a")) is Sub
    assert type(sub.update({"c": 3})) is Sub and type(sub + {"c": 3}) is Sub
    assert type(sub.evolver().set("z", 0).persistent()) is Sub
    # no evolver of its own: the C methods themselves
    assert Sub.set is march.Map.set and Sub.remove is march.Map.delete
    assert sub.set("a", 1) is sub
    with pytest.raises(AttributeError) as info:
        sub.zz
    assert "Sub" in str(info.value)


# -- hostile keys -----------------------------------------------------------

def test_colliding_hashes():
    keys = [SameHash(i) for i in range(5)]
    pm = pmap({k: i for i, k in enumerate(keys)})
    assert len(pm) == 5 and all(pm[k] == i for i, k in enumerate(keys))
    assert SameHash("other") not in pm
    assert pm.set(keys[0], 0) is pm
    smaller = pm.remove(keys[2]).discard(keys[3])
    assert keys[2] not in smaller and keys[3] not in smaller and len(smaller) == 3
    assert smaller.discard(SameHash("x")) is smaller
    assert sorted(v for _, v in pm.iteritems()) == [0, 1, 2, 3, 4]
    empty = pm
    for k in keys:
        empty = empty.remove(k)
    assert empty == {} and len(empty) == 0
    e = pm.evolver()
    del e[keys[0]]
    e[keys[1]] = "one"
    assert e.persistent() == {keys[1]: "one", keys[2]: 2, keys[3]: 3, keys[4]: 4}


def test_a_key_whose_eq_raises():
    # two such keys share a hash: comparing them raises, whichever side the
    # map compares from; the error reaches the caller and nothing changes
    bad, probe = EqRaises(), EqRaises()
    pm = pmap({bad: 1, "a": 2})
    assert pm[bad] == 1 and pm.set(bad, 1) is pm and pm.remove(bad) == {"a": 2}
    for action in (lambda: pm.set(probe, 2), lambda: pm[probe], lambda: probe in pm,
                   lambda: pm.get(probe), lambda: pm.remove(probe),
                   lambda: pm.discard(probe), lambda: pm.update({probe: 0}),
                   lambda: pm.update_with(add, {probe: 0})):
        with pytest.raises(EqualityError):
            action()
    assert pm == {bad: 1, "a": 2} and len(pm) == 2
    e = pm.evolver()
    with pytest.raises(EqualityError):
        e[probe] = 2
    assert not e.is_dirty() and e.persistent() is pm
    e["x"] = 3
    with pytest.raises(EqualityError):
        e[probe] = 2
    with pytest.raises(EqualityError):
        del e[probe]
    assert e.persistent() == {bad: 1, "a": 2, "x": 3}
    assert pm == {bad: 1, "a": 2}


def test_a_key_whose_hash_raises():
    class Unhashy:
        def __hash__(self):
            raise EqualityError("no hash")

    pm = m(a=1)
    with pytest.raises(EqualityError):
        pm.set(Unhashy(), 1)
    with pytest.raises(EqualityError):
        pm.evolver().set(Unhashy(), 1)
    assert pm == {"a": 1}


def test_keys_equal_across_types():
    pm = pmap({1: "int"})
    assert pm[1.0] == "int" and pm[True] == "int"
    assert pm.set(1.0, "float") == {1: "float"}
    assert len(pm.set(1.0, "float")) == 1


# -- docstrings, stub -------------------------------------------------------

def test_docstring_examples_run():
    result = doctest.testmod(_pmap)
    assert result.attempted > 30 and result.failed == 0


def test_public_names_are_documented():
    for obj in (PMap, PMap._Evolver, PMapView, PMapValues, PMapItems, pmap, m):
        assert obj.__doc__ and ">>>" in obj.__doc__ and "O(" in obj.__doc__
    for name in ("set", "remove", "discard", "update", "update_with", "transform",
                 "copy", "evolver", "keys", "values", "items", "iterkeys",
                 "itervalues", "iteritems"):
        doc = getattr(PMap, name).__doc__
        assert ">>>" in doc and "O(" in doc, name
    for name in ("set", "remove", "get", "is_dirty", "persistent"):
        doc = getattr(PMap._Evolver, name).__doc__
        assert ">>>" in doc and "O(" in doc, name


def test_stub_agrees_with_the_module():
    path = os.path.splitext(_pmap.__file__)[0] + ".pyi"
    with open(path) as f:
        tree = ast.parse(f.read())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert set(classes) == {"PMap", "PMapView", "PMapValues", "PMapItems"}
    assert functions == {"pmap", "m"}
    for name, node in classes.items():
        cls = getattr(_pmap, name)
        stub = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        own = {n for n in vars(cls) if callable(getattr(cls, n, None))
               and n not in ("__init_subclass__", "__class_getitem__")}
        own.discard("_Evolver")
        assert own - {"__str__"} <= stub | {"__hash__"}, (name, own - stub)
        assert stub <= set(dir(cls)), (name, stub - set(dir(cls)))
    evolver = next(n for n in classes["PMap"].body
                   if isinstance(n, ast.ClassDef) and n.name == "_Evolver")
    stub = {n.name for n in evolver.body if isinstance(n, ast.FunctionDef)}
    own = {n for n in vars(PMap._Evolver) if callable(getattr(PMap._Evolver, n))}
    assert own == stub


# -- Hypothesis: PMaps and evolvers against a dict ---------------------------

# small ints, -1 and -2 (the same hash in CPython), strings and colliding
# objects: bitmap nodes and collision nodes both get exercised
COLLIDERS = [SameHash(i) for i in range(3)]
KEYS = st.one_of(st.integers(-3, 40), st.sampled_from(["a", "b", "", "long key"]),
                 st.sampled_from(COLLIDERS))
VALUES = st.one_of(st.integers(0, 5), st.none(), st.sampled_from(["x", (1, 2)]))
DICTS = st.dictionaries(KEYS, VALUES, max_size=8)


def check(pm, model):
    """pm has exactly model's entries, by every way of reading it."""
    assert type(pm) is PMap
    assert len(pm) == len(model) and bool(pm) == bool(model)
    assert pm == model and model == pm and not (pm != model)
    assert dict(pm.iteritems()) == model
    assert set(pm.keys()) == set(model)
    assert sorted(map(repr, pm.values())) == sorted(map(repr, model.values()))
    for k, v in model.items():
        assert pm[k] == v and pm.get(k, "absent") == v and k in pm
    pm._check()


class PMapMachine(VersionsMachine):
    """PMap versions against dict models (the frame: _versions_machine)."""

    maps = Bundle("maps")

    def copy_model(self, model):
        return dict(model)

    def check_new(self, pm, model):
        check(pm, model)

    def matches(self, pm, model):
        return len(pm) == len(model) and dict(pm.iteritems()) == model

    def check_final(self, pm, model):
        assert self.matches(pm, model)

    @rule(target=maps, initial=DICTS)
    def build(self, initial):
        return self.remember(pmap(initial), initial)

    @rule(target=maps, source=maps, key=KEYS, value=VALUES)
    def set(self, source, key, value):
        pm, model = source
        new = pm.set(key, value)
        if key in model and model[key] is value:
            assert new is pm
        return self.remember(new, {**model, key: value})

    @rule(target=maps, source=maps, key=KEYS)
    def remove(self, source, key):
        pm, model = source
        if key in model:
            new = pm.remove(key)
            model = dict(model)
            del model[key]
            return self.remember(new, model)
        with pytest.raises(KeyError):
            pm.remove(key)
        assert pm.discard(key) is pm
        return self.remember(pm, model)

    @rule(target=maps, source=maps, key=KEYS)
    def discard(self, source, key):
        pm, model = source
        model = dict(model)
        model.pop(key, None)
        return self.remember(pm.discard(key), model)

    @rule(target=maps, source=maps, others=st.lists(DICTS, max_size=3))
    def update(self, source, others):
        pm, model = source
        expected = dict(model)
        for other in others:
            expected.update(other)
        return self.remember(pm.update(*others), expected)

    @rule(target=maps, source=maps, other=DICTS)
    def update_with(self, source, other):
        pm, model = source
        expected = dict(model)
        for k, v in other.items():
            expected[k] = (expected[k], v) if k in expected else v
        return self.remember(pm.update_with(lambda a, b: (a, b), other), expected)

    @rule(target=maps, left=maps, right=maps)
    def plus(self, left, right):
        return self.remember(left[0] + right[0], {**left[1], **right[1]})

    @rule(left=maps, right=maps)
    def compare(self, left, right):
        (x, mx), (y, my) = left, right
        assert (x == y) == (mx == my) == (y == x) == (x == my)
        assert (x != y) == (mx != my)
        if x == y:
            assert hash(x) == hash(y)

    @rule(source=maps)
    def pickle_round_trip(self, source):
        pm, model = source
        if not any(isinstance(k, SameHash) for k in model):
            back = pickle.loads(pickle.dumps(pm))
            assert back == pm and type(back) is PMap

    # the evolver: started from one version, changed, made persistent
    # (possibly several times), all against its own model

    @rule(source=maps)
    def start_evolver(self, source):
        pm, model = source
        self.evolver = pm.evolver()
        self.evolver_base = pm
        self.evolver_model = dict(model)

    @precondition(lambda self: self.evolver is not None)
    @rule(key=KEYS, value=VALUES)
    def evolver_set(self, key, value):
        self.evolver[key] = value
        self.evolver_model[key] = value

    @precondition(lambda self: self.evolver is not None)
    @rule(key=KEYS)
    def evolver_remove(self, key):
        if key in self.evolver_model:
            assert self.evolver.remove(key) is self.evolver
            del self.evolver_model[key]
        else:
            with pytest.raises(KeyError):
                del self.evolver[key]

    @precondition(lambda self: self.evolver is not None)
    @rule(target=maps)
    def evolver_persistent(self):
        return self.persist_evolver()

    @invariant()
    def evolver_reads(self):
        if self.evolver is not None:
            e, model = self.evolver, self.evolver_model
            assert len(e) == len(model)
            for k, v in model.items():
                assert k in e and e[k] == v and e.get(k) == v


PMapMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30,
                                         deadline=None)
test_pmap_machine = PMapMachine.TestCase


def test_every_version_kept_by_the_machine_is_intact():
    """A longer deterministic walk: 2000 versions, all checked at the end."""
    import random
    rnd = random.Random(18)
    pm, model = m(), {}
    history = []
    for _ in range(2000):
        key = rnd.randrange(300)
        if key in model and rnd.random() < 0.4:
            pm = pm.remove(key)
            del model[key]
        else:
            pm = pm.set(key, rnd.randrange(5))
            model[key] = pm[key]
        history.append((pm, dict(model)))
    for version, snapshot in history:
        assert version == snapshot and len(version) == len(snapshot)


def test_a_subclass_with_its_own_evolver_keeps_the_update_methods_it_defines():
    class OwnSet(PMap):
        __slots__ = ()

        class _Evolver(PMap._Evolver):
            __slots__ = ()

        def set(self, key, val):
            return "own set"

    pm = march.Map.__new__(OwnSet, march.Map(a=1))
    assert pm.set("b", 2) == "own set"
    # the others go through the evolver, and keep the class
    assert type(pm.remove("a")) is OwnSet and OwnSet.remove is not march.Map.delete

    class Grandchild(OwnSet):
        __slots__ = ()

    assert Grandchild.set is OwnSet.set
