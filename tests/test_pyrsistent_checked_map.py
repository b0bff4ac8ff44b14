"""march.pyrsistent._checked_types.CheckedPMap: pyrsistent 0.20's PMap with
checked key and value types and entry invariants, and its evolver.

Unit tests of the documented behaviour (construction and its errors, every
update path keeping the class and checking, the evolver, repr, create,
serialize, pickling, map-typed record fields), then a Hypothesis state
machine against a plain dict model.
"""
import doctest
import operator
import pickle
import weakref

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import march
from march import discard, inc, ny
from march.pyrsistent import _checked_types
from march.pyrsistent._checked_types import (
    CheckedKeyTypeError,
    CheckedPMap,
    CheckedType,
    CheckedValueTypeError,
    InvariantException,
)
from march.pyrsistent._field_common import field, pmap_field
from march.pyrsistent._pmap import PMap, pmap
from march.pyrsistent._precord import PRecord

THIS = __name__


class HalfToWhole(CheckedPMap):
    """Float keys mapped to their integer part."""
    __key_type__ = float
    __value_type__ = int
    __invariant__ = lambda k, v: (int(k) == v, "not the integer part")


class Loose(CheckedPMap):
    pass


class Item(PRecord):
    name = field(type=str, mandatory=True)
    qty = field(type=int, initial=1)


class Stock(CheckedPMap):
    __key_type__ = str
    __value_type__ = Item


class Named(CheckedPMap):
    """Types given by name, resolved when first used."""
    __key_type__ = THIS + ".Item"
    __value_type__ = (THIS + ".Stock", type(None))


class Shouting(HalfToWhole):
    @staticmethod
    def __serializer__(format, key, value):
        return format.format(key), format.format(value)


# -- construction ------------------------------------------------------------

def test_construction_from_mappings():
    x = HalfToWhole({1.5: 1, 2.25: 2})
    assert dict(x.items()) == {1.5: 1, 2.25: 2} and x == {1.5: 1, 2.25: 2}
    assert isinstance(x, HalfToWhole) and isinstance(x, PMap) and isinstance(x, march.Map)
    assert isinstance(x, CheckedType)
    assert HalfToWhole() == {} and type(HalfToWhole()) is HalfToWhole
    assert HalfToWhole(pmap({0.5: 0})) == {0.5: 0}
    assert HalfToWhole(march.Map({0.5: 0})) == {0.5: 0}
    assert HalfToWhole(x) is x  # already checked
    assert type(HalfToWhole(x)) is HalfToWhole


def test_construction_needs_a_mapping():
    # as in pyrsistent: anything without items() is an AttributeError
    for bad in (None, [(1.5, 1)], 3):
        with pytest.raises(AttributeError):
            HalfToWhole(bad)


def test_wrong_key_and_value_types():
    with pytest.raises(CheckedKeyTypeError) as info:
        HalfToWhole({1: 1})
    e = info.value
    assert isinstance(e, TypeError)
    assert (e.source_class, e.expected_types, e.actual_type, e.actual_value) == (
        HalfToWhole, (float,), int, 1)
    assert str(e) == "Type HalfToWhole can only be used with ('float',), not int"
    with pytest.raises(CheckedValueTypeError) as info:
        HalfToWhole({1.0: 1.0})
    assert info.value.actual_value == 1.0
    # the key of an entry is checked before its value, entries in order
    with pytest.raises(CheckedKeyTypeError):
        HalfToWhole({1: 1.0})


def test_invariants_report_every_failing_entry():
    with pytest.raises(InvariantException) as info:
        HalfToWhole({1.5: 2, 2.5: 2, 3.5: 4})
    assert info.value.invariant_errors == ("not the integer part", "not the integer part")
    assert info.value.missing_fields == ()


def test_invariants_are_inherited_and_may_check_several_things():
    class Base(CheckedPMap):
        __invariant__ = lambda k, v: (k != v, "key equals value")

    class Sub(Base):
        __value_type__ = int
        __invariant__ = lambda k, v: ((v >= 0, "negative"), (v < 10, "big"))

    assert len(Sub._checked_invariants) == 2
    assert Sub._checked_value_types == (int,)
    with pytest.raises(InvariantException) as info:
        Sub({5: 5})
    assert info.value.invariant_errors == ("key equals value",)
    with pytest.raises(InvariantException) as info:
        Sub({1: -20})
    assert info.value.invariant_errors == (("negative",),)
    with pytest.raises(TypeError, match="Invariants must be callable"):
        class Bad(CheckedPMap):
            __invariant__ = 3


def test_no_types_no_invariants_accepts_anything():
    x = Loose({1: "a", "b": None, (1, 2): [3]})
    assert x[1] == "a" and x[(1, 2)] == [3]
    assert Loose._checked_key_types == () and Loose._checked_value_types == ()


def test_types_given_by_name():
    stock = Stock({"a": Item(name="a")})
    n = Named({Item(name="k"): stock, Item(name="j"): None})
    assert n[Item(name="k")] is stock
    with pytest.raises(CheckedValueTypeError):
        Named({Item(name="k"): 1})
    with pytest.raises(CheckedKeyTypeError):
        Named({"k": None})


# -- updates -----------------------------------------------------------------

def test_every_update_keeps_the_class_and_checks():
    x = HalfToWhole({1.5: 1})
    updated = [x.set(2.5, 2), x.update({2.5: 2}), x + {2.5: 2}, x | {2.5: 2},
               x.update_with(operator.add, {2.5: 2}), x.transform([2.5], 2),
               x.evolver().set(2.5, 2).persistent()]
    for result in updated:
        assert result == {1.5: 1, 2.5: 2} and type(result) is HalfToWhole
    for removed in (x.remove(1.5), x.discard(1.5), x.transform([1.5], discard)):
        assert removed == {} and type(removed) is HalfToWhole
    with pytest.raises(CheckedKeyTypeError):
        x.set(2, 2)
    with pytest.raises(CheckedValueTypeError):
        x.update({2.5: "2"})
    with pytest.raises(CheckedValueTypeError):
        x + {2.5: 2.0}
    with pytest.raises(InvariantException):
        x.transform([ny], inc)
    with pytest.raises(InvariantException):
        x.update_with(operator.add, {1.5: 1})
    with pytest.raises(KeyError):
        x.remove(9.5)
    assert x == {1.5: 1}


def test_updates_that_change_nothing_return_the_map():
    x = HalfToWhole({1.5: 1})
    assert x.set(1.5, 1) is x
    assert x.discard(7.5) is x
    assert x.update() is x and x.update({}) is x
    assert x.copy() is x
    assert x.transform([ny], lambda v: v) is x


def test_evolver():
    x = HalfToWhole({1.25: 1, 2.25: 2})
    assert x.evolver().persistent() is x
    e = x.evolver()
    assert isinstance(e, CheckedPMap.Evolver) and isinstance(e, PMap._Evolver)
    e[3.5] = 3
    assert e.set(4.5, 4) is e and e.is_dirty()
    del e[1.25]
    assert e[3.5] == 3 and 4.5 in e and len(e) == 3
    result = e.persistent()
    assert result == {2.25: 2, 3.5: 3, 4.5: 4} and type(result) is HalfToWhole
    assert e.persistent() is result and not e.is_dirty()
    assert x == {1.25: 1, 2.25: 2}
    # a plain PMap made into the class by an evolver with that destination
    plain = pmap({0.5: 0})
    assert type(HalfToWhole.Evolver(HalfToWhole, plain).persistent()) is HalfToWhole


def test_evolver_errors():
    e = HalfToWhole().evolver()
    with pytest.raises(CheckedKeyTypeError):
        e.set("a", 1)
    with pytest.raises(CheckedValueTypeError):
        e[1.5] = "1"
    assert not e.is_dirty() and len(e) == 0
    e2 = Loose().evolver()
    with pytest.raises(TypeError):
        e2.set([1], 1)  # unhashable: nothing set, nothing recorded
    assert e2.persistent() == {}
    e[1.5] = 3  # set, reported by persistent(), every time
    assert e[1.5] == 3
    for _ in range(2):
        with pytest.raises(InvariantException) as info:
            e.persistent()
        assert info.value.invariant_errors == ("not the integer part",)


# -- reading, equality, repr ---------------------------------------------------

def test_reading_equality_hash():
    x = HalfToWhole({1.5: 1})
    assert x[1.5] == 1 and x.get(2.5) is None and 1.5 in x and list(x) == [1.5]
    assert x == pmap({1.5: 1}) == {1.5: 1} and x != {1.5: 2}
    assert x == Loose({1.5: 1})
    assert hash(x) == hash(pmap({1.5: 1})) == hash(HalfToWhole({1.5: 1}))


def test_repr_and_str():
    assert repr(HalfToWhole({1.25: 1})) == "HalfToWhole({1.25: 1})"
    assert str(HalfToWhole({1.25: 1})) == "HalfToWhole({1.25: 1})"
    assert repr(HalfToWhole()) == "HalfToWhole({})"
    assert repr(Stock({"a": Item(name="a")})) == "Stock({'a': Item(name='a', qty=1)})"


def test_immutable_slotted_weakrefable():
    x = HalfToWhole()
    with pytest.raises(AttributeError):
        x.anything = 1
    assert not hasattr(x, "__dict__") and HalfToWhole.__slots__ == ()
    assert weakref.ref(x)() is x


# -- create, serialize, pickle ---------------------------------------------------

def test_create():
    x = HalfToWhole({1.5: 1})
    assert HalfToWhole.create(x) is x
    assert HalfToWhole.create({1.5: 1}) == x and type(HalfToWhole.create({1.5: 1})) is HalfToWhole
    stock = Stock.create({"a": {"name": "a"}, "b": Item(name="b", qty=3)})
    assert type(stock["a"]) is Item and stock["a"].qty == 1 and stock["b"].qty == 3
    with pytest.raises(AttributeError):
        Stock.create({"a": {"name": "a", "colour": "red"}})
    assert Stock.create({"a": {"name": "a", "colour": "red"}}, ignore_extra=True) == {
        "a": {"name": "a", "qty": 1}}
    with pytest.raises(InvariantException):
        Stock.create({"a": {"qty": 2}})
    with pytest.raises(AttributeError):
        Stock.create(None)


def test_create_builds_checked_keys_too():
    class ByItem(CheckedPMap):
        __key_type__ = Item
        __value_type__ = int

    m = ByItem.create({pmap({"name": "a"}): 1})
    assert list(m) == [Item(name="a")] and type(next(iter(m))) is Item


def test_serialize():
    assert HalfToWhole({1.25: 1, 2.5: 2}).serialize() == {1.25: 1, 2.5: 2}
    assert Shouting({1.25: 1}).serialize("<{0}>") == {"<1.25>": "<1>"}
    out = Stock({"a": Item(name="a")}).serialize()
    assert out == {"a": {"name": "a", "qty": 1}} and type(out["a"]) is dict
    assert Stock.create(out) == Stock({"a": Item(name="a")})


def test_pickling():
    for x in (HalfToWhole({1.25: 1, 2.5: 2}), Stock({"a": Item(name="a")}), Loose()):
        again = pickle.loads(pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == x and type(again) is type(x)


def test_metaclass_stores_types_and_defaults_the_serializer():
    assert HalfToWhole._checked_key_types == (float,)
    assert HalfToWhole._checked_value_types == (int,)
    assert Named._checked_value_types == (THIS + ".Stock", type(None))
    assert type(HalfToWhole) is _checked_types._CheckedMapTypeMeta
    assert Shouting._checked_key_types == (float,)  # inherited
    assert len(Shouting._checked_invariants) == 1


# -- as record fields ---------------------------------------------------------------

class Rec(PRecord):
    a = pmap_field(str, int)
    b = pmap_field((str, int), (float, type(None)), optional=True)


def test_pmap_field_classes():
    (a_type,) = Rec._precord_fields["a"].type
    assert issubclass(a_type, CheckedPMap) and a_type.__name__ == "StrToIntPMap"
    assert pmap_field(str, int).type == {a_type}  # one class per pair of types
    r = Rec(a={"x": 1}, b={1: None})
    assert type(r.b).__name__ == "StrIntToFloatNonetypePMap"  # as pyrsistent names it
    with pytest.raises(CheckedValueTypeError):
        r.a.set("y", "2")
    with pytest.raises(CheckedKeyTypeError):
        Rec(a={1: 1})
    again = pickle.loads(pickle.dumps(r))
    assert again == r and type(again.a) is a_type


# -- documentation -------------------------------------------------------------

def test_doctests():
    result = doctest.testmod(_checked_types, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("obj", [CheckedPMap, CheckedPMap.create, CheckedPMap.serialize,
                                 CheckedPMap.evolver, CheckedPMap.Evolver])
def test_public_names_have_docstrings_with_examples(obj):
    assert obj.__doc__ and ">>>" in obj.__doc__


def test_stub_declares_checked_pmap():
    import ast
    import os
    stub = os.path.splitext(_checked_types.__file__)[0] + ".pyi"
    with open(stub) as f:
        tree = ast.parse(f.read())
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    assert "CheckedPMap" in _checked_types.__all__ and "CheckedPMap" in classes
    body = {n.name for n in classes["CheckedPMap"].body
            if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert {"create", "serialize", "evolver", "set", "Evolver"} <= body


# -- stateful test against a dict model ------------------------------------------

class Short(CheckedPMap):
    """int keys, str values of at most 3 characters."""
    __key_type__ = int
    __value_type__ = str
    __invariant__ = lambda k, v: (len(v) <= 3, "too long")


# mostly valid: about one key in 25 and one value in 5 is of a wrong type
keys = st.integers(-5, 20).map(lambda i: "k" if i == 20 else i)
values = st.integers(0, 4).flatmap(
    lambda i: st.just(0) if i == 0 else st.text(max_size=3 if i > 1 else 4))


class _Refused(Exception):
    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def _model_put(current, pairs):
    """The model of setting ``pairs`` in order: the new dict, or
    _Refused with the exception to expect."""
    candidate = dict(current)
    broken = False
    for k, v in pairs:
        if not isinstance(k, int):
            raise _Refused(CheckedKeyTypeError)
        if not isinstance(v, str):
            raise _Refused(CheckedValueTypeError)
        broken = broken or len(v) > 3
        candidate[k] = v
    if broken:
        raise _Refused(InvariantException)
    return candidate


class CheckedMapMachine(RuleBasedStateMachine):

    @initialize(entries=st.dictionaries(st.integers(0, 9), st.text(max_size=3), max_size=5))
    def start(self, entries):
        self.current = Short(entries)
        self.model = dict(entries)
        self.versions = [(self.current, dict(entries))]

    def _apply(self, operation, model_operation, unchanged=False):
        """Run ``operation`` and its model; ``unchanged``: the operation
        changes nothing (only identical values set), so the very same map
        must come back."""
        try:
            expected = model_operation()
        except _Refused as refused:
            with pytest.raises(refused.kind):
                operation()
            return
        result = operation()
        assert type(result) is Short and dict(result) == expected
        if unchanged:
            assert result is self.current
        self.current, self.model = result, expected
        self.versions.append((result, dict(expected)))

    def _identical(self, pairs):
        return all(k in self.current and self.current[k] is v for k, v in pairs)

    @rule(k=keys, v=values)
    def set(self, k, v):
        self._apply(lambda: self.current.set(k, v), lambda: _model_put(self.model, [(k, v)]),
                    self._identical([(k, v)]))

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def set_the_same_object(self, data):
        k = data.draw(st.sampled_from(sorted(self.model)))
        self._apply(lambda: self.current.set(k, self.current[k]),
                    lambda: self.model, unchanged=True)

    @rule(pairs=st.lists(st.tuples(keys, values), max_size=4), how=st.integers(0, 2))
    def update(self, pairs, how):
        # a dict keeps the last value of a key, in first-seen order
        other = dict(pairs)
        op = [self.current.update, self.current.__add__, self.current.__or__][how]
        self._apply(lambda: op(other), lambda: _model_put(self.model, other.items()),
                    self._identical(other.items()))

    @rule(k=keys, quiet=st.booleans())
    def remove(self, k, quiet):
        def model_remove():
            if k not in self.model:
                if quiet:
                    return self.model
                raise _Refused(KeyError)
            return {kk: vv for kk, vv in self.model.items() if kk != k}
        op = self.current.discard if quiet else self.current.remove
        self._apply(lambda: op(k), model_remove, unchanged=quiet and k not in self.model)

    @precondition(lambda self: self.model)
    @rule(suffix=st.text(max_size=2))
    def transform_all(self, suffix):
        grown = [(k, v + suffix) for k, v in self.model.items()]
        self._apply(lambda: self.current.transform([ny], lambda v: v + suffix),
                    lambda: _model_put(self.model, grown),
                    unchanged=not suffix)  # str + '' is the str itself

    @rule(ops=st.lists(st.tuples(st.booleans(), keys, values), max_size=5))
    def evolve(self, ops):
        e = self.current.evolver()
        candidate = dict(self.model)
        broken = False
        for is_set, k, v in ops:
            if not is_set:
                if k in candidate:
                    del e[k]
                    del candidate[k]
                else:
                    with pytest.raises(KeyError):
                        del e[k]
                continue
            try:
                _model_put({}, [(k, v[:3] if isinstance(v, str) else v)])
            except _Refused as refused:
                with pytest.raises(refused.kind):
                    e.set(k, v)
                continue
            e[k] = v
            candidate[k] = v
            broken = broken or len(v) > 3
        assert len(e) == len(candidate) and all(e[k] == v for k, v in candidate.items())

        def model_finish():
            if broken:
                raise _Refused(InvariantException)
            return candidate
        self._apply(e.persistent, model_finish, unchanged=not e.is_dirty())

    @rule()
    def round_trips(self):
        again = pickle.loads(pickle.dumps(self.current))
        assert again == self.current and type(again) is Short
        assert Short.create(self.current.serialize()) == self.current

    @invariant()
    def matches_the_model(self):
        x = self.current
        assert x == self.model and len(x) == len(self.model) and set(x.keys()) == set(self.model)
        assert repr(x) == "Short(%r)" % (dict(x.items()),)
        assert hash(x) == hash(pmap(self.model))

    @invariant()
    def old_versions_unchanged(self):
        for version, snapshot in self.versions[-20:]:
            assert dict(version) == snapshot


TestCheckedMapMachine = CheckedMapMachine.TestCase
TestCheckedMapMachine.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
