"""march.pyrsistent._precord: PRecord (pyrsistent 0.20's map with declared,
checked fields), its metaclass and its evolver.

Unit tests of the documented behaviour (construction and its errors,
reading, updates through the evolver, equality, hashing, repr, create,
serialize, pickling, inheritance, transform, map-typed fields), then a
Hypothesis state machine against a plain dict model that keeps every
version it made and checks that none of them changed.
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
from march.pyrsistent import _precord
from march.pyrsistent._checked_types import CheckedPMap, CheckedType, InvariantException, optional
from march.pyrsistent._field_common import PTypeError, field, pmap_field
from march.pyrsistent._helpers import freeze, thaw
from march.pyrsistent._pmap import PMap, pmap
from march.pyrsistent._pvector import PVector
from march.pyrsistent._precord import PRecord

THIS = __name__


class Point(PRecord):
    x = field(type=int, mandatory=True, invariant=lambda x: (x >= 0, "x negative"))
    y = field(type=(int, float), initial=0)
    label = field()


class Line(PRecord):
    start = field(type=Point)
    end = field(type=Point)


class Chain(PRecord):
    """Names itself by string: resolved when first used."""
    name = field(type=str)
    next = field(type=optional(THIS + ".Chain"))


class Once(PRecord):
    """A one-way factory: ints are accepted only as '#n' strings."""
    n = field(type=int, factory=lambda s: int(s.strip("#")))


class Ordered(PRecord):
    __invariant__ = lambda r: (r.get("lo", 0) <= r.get("hi", 0), "lo above hi")
    lo = field(type=int, invariant=lambda v: (v > -10, "lo too small"))
    hi = field(type=int)


class Scores(PRecord):
    by_name = pmap_field(str, int)
    maybe = pmap_field(int, str, optional=True)


# -- construction --------------------------------------------------------------

def test_fields_initial_values_and_missing_optional_fields():
    p = Point(x=1)
    assert p == {"x": 1, "y": 0}
    assert "label" not in p and len(p) == 2
    assert isinstance(p, Point) and isinstance(p, PMap) and isinstance(p, march.Map)
    assert isinstance(p, CheckedType)


def test_callable_initial_is_made_anew_and_goes_through_the_factory():
    made = []

    class Bag(PRecord):
        items = field(initial=lambda: made.append(1) or [], factory=tuple)

    assert Bag()["items"] == () and Bag()["items"] == ()
    assert len(made) == 2
    assert Bag(items=[1, 2])["items"] == (1, 2) and len(made) == 2  # given: initial not made


def test_unknown_field_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'z' is not among the specified fields for Point"):
        Point(x=1, z=2)


def test_unknown_field_is_reported_before_factories_run():
    calls = []

    class F(PRecord):
        a = field(factory=lambda v: calls.append(v) or v)

    with pytest.raises(AttributeError):
        F(a=1, b=2)
    assert calls == []


def test_wrong_type_is_a_ptypeerror_with_its_details():
    with pytest.raises(PTypeError) as info:
        Point(x="1")
    e = info.value
    assert isinstance(e, TypeError)
    assert (e.source_class, e.field, e.expected_types, e.actual_type) == (Point, "x", {int}, str)
    assert str(e) == "Invalid type for field Point.x, was str"


def test_field_invariants_and_missing_mandatory_fields_are_reported_together():
    class Both(PRecord):
        a = field(invariant=lambda v: (v > 0, "a small"))
        b = field(invariant=lambda v: (v > 0, "b small"))
        c = field(mandatory=True)
        d = field(mandatory=True)

    with pytest.raises(InvariantException) as info:
        Both(a=0, b=0)
    assert info.value.invariant_errors == ("a small", "b small")
    assert info.value.missing_fields == ("Both.c", "Both.d")
    assert str(info.value).startswith("Field invariant failed")


def test_invariant_with_several_checks_reports_a_tuple():
    class Even(PRecord):
        x = field(invariant=lambda x: ((x > 0, "not positive"), (x % 2 == 0, "odd")))

    with pytest.raises(InvariantException) as info:
        Even(x=-1)
    assert info.value.invariant_errors == (("not positive", "odd"),)
    assert Even(x=2).x == 2


def test_lazy_invariant_error_data_is_called():
    class Lazy(PRecord):
        x = field(invariant=lambda x: (x > 0, lambda: "made lazily"))

    with pytest.raises(InvariantException) as info:
        Lazy(x=0)
    assert info.value.invariant_errors == ("made lazily",)


def test_class_invariant_runs_only_when_the_fields_are_valid():
    assert Ordered(lo=1, hi=2) == {"lo": 1, "hi": 2}
    with pytest.raises(InvariantException) as info:
        Ordered(lo=3, hi=2)
    assert info.value.invariant_errors == ("lo above hi",)
    assert str(info.value).startswith("Global invariant failed")
    with pytest.raises(InvariantException) as info:
        Ordered(lo=-20, hi=-30)  # both broken: only the field's is reported
    assert info.value.invariant_errors == ("lo too small",)


def test_class_invariants_are_inherited_from_every_base():
    class Mixin:
        __invariant__ = lambda r: (r.get("a", 0) != 13, "unlucky")

    class Base(PRecord):
        __invariant__ = lambda r: (r.get("a", 0) % 2 == 0, "odd")
        a = field()

    class Sub(Base, Mixin):
        __invariant__ = lambda r: (r.get("a", 0) < 100, "big")

    assert len(Sub._precord_invariants) == 3
    for value, errors in [(3, ("odd",)), (13, ("odd", "unlucky")), (102, ("big",))]:
        with pytest.raises(InvariantException) as info:
            Sub(a=value)
        assert set(info.value.invariant_errors) == set(errors)
    assert Sub(a=4).a == 4


def test_bad_declarations_are_type_errors():
    with pytest.raises(TypeError, match="Invariants must be callable"):
        class A(PRecord):
            __invariant__ = 1
    with pytest.raises(TypeError):
        class B(PRecord):
            x = field(type=1)
    with pytest.raises(TypeError):
        class C(PRecord):
            x = field(type=int, initial="no")
    for bad in ("invariant", "factory", "serializer"):
        with pytest.raises(TypeError):
            class D(PRecord):
                x = field(**{bad: 1})


def test_nested_records_are_built_from_dicts_and_their_errors_collected():
    line = Line.create({"start": {"x": 1}, "end": {"x": 2, "y": 2.5}})
    assert isinstance(line.start, Point) and line.end.y == 2.5
    assert line == {"start": {"x": 1, "y": 0}, "end": {"x": 2, "y": 2.5}}

    class Outer(PRecord):
        a = field(invariant=lambda a: (a != 0, "a zero"))
        p = field(type=Point)

    with pytest.raises(InvariantException) as info:
        Outer.create({"a": 0, "p": {"x": -1, "y": 0}})
    assert set(info.value.invariant_errors) == {"a zero", "x negative"}
    with pytest.raises(InvariantException) as info:
        Outer.create({"p": {"y": 0}})
    assert info.value.missing_fields == ("Point.x",)


def test_type_given_by_name_is_resolved_on_use():
    c = Chain(name="a", next=Chain(name="b"))
    assert c.next.name == "b" and c.set(next=None).next is None
    with pytest.raises(PTypeError):
        Chain(next="nope")


def test_enum_field_type():
    import enum

    class Colour(enum.Enum):
        RED = 1

    class Paint(PRecord):
        colour = field(type=Colour)

    assert Paint(colour=Colour.RED).colour is Colour.RED
    with pytest.raises(PTypeError):
        Paint(colour=1)


def test_factory_fields_and_ignore_extra_constructor_keywords():
    # _factory_fields limits the factories run to the named fields
    assert Once(n="#3").n == 3
    assert Once(_factory_fields=set(), n=3).n == 3
    with pytest.raises(AttributeError):
        Once(_factory_fields={"n"}, n=3)  # int has no strip
    # _ignore_extra is passed on to nested create()
    line = Line(_ignore_extra=True, start={"x": 1, "extra": 0})
    assert line.start == {"x": 1, "y": 0}


def test_empty_record_class():
    assert PRecord() == {} and PRecord._precord_fields == {}
    assert repr(PRecord()) == "PRecord()"


# -- reading ---------------------------------------------------------------------

def test_reading_as_a_map_and_as_attributes():
    p = Point(x=1, label="a")
    assert p["x"] == 1 and p.x == 1 and p.get("y") == 0 and p.get("label") == "a"
    assert "x" in p and "nope" not in p
    assert sorted(p) == ["label", "x", "y"]
    assert p.keys() == {"x", "y", "label"}
    assert sorted(p.values(), key=str) == [0, 1, "a"]
    assert dict(p.items()) == {"x": 1, "y": 0, "label": "a"}
    with pytest.raises(AttributeError, match="Point has no attribute 'nope'"):
        p.nope
    with pytest.raises(AttributeError):
        Point(x=1).label  # a field without a value


def test_fields_named_like_march_only_methods_read_as_fields():
    class Query(PRecord):
        filter = field()
        union = field(type=int)
        from_keys = field()
        get = field()  # pyrsistent's PMap has get(): the method wins, as there

    q = Query(filter="f", union=1, from_keys=3, get=2)
    assert (q.filter, q.union, q.from_keys) == ("f", 1, 3)
    assert q.get("get") == 2
    assert Query.filter is march.Map.filter  # the method, on the class
    assert dict(Query.filter(q, lambda k, v: k == "union")) == {"union": 1}
    with pytest.raises(AttributeError, match="Query has no attribute 'filter'"):
        Query(union=1).filter
    # only the record class is affected
    assert callable(pmap({"a": 1}).filter)


def test_fields_named_like_private_map_attributes_do_not_break_the_map():
    class Inner(PRecord):
        _root = field()
        _hash = field()
        _depth = field()

    r = Inner(_root=1, _hash=2, _depth=3)
    assert r == {"_root": 1, "_hash": 2, "_depth": 3}
    assert r.set(_root=5)["_root"] == 5 and hash(r) == hash(pmap(dict(r)))


def test_record_is_immutable_and_slotted():
    p = Point(x=1)
    with pytest.raises(AttributeError):
        p.x = 2
    with pytest.raises(AttributeError):
        p.anything = 2
    assert not hasattr(p, "__dict__")
    assert Point.__slots__ == () and Line.__slots__ == ()
    assert weakref.ref(p)() is p


# -- updates --------------------------------------------------------------------

def test_set_forms():
    p = Point(x=1)
    assert p.set("x", 2) == {"x": 2, "y": 0}
    assert p.set(x=2, y=1.5) == {"x": 2, "y": 1.5}
    assert p.set("x", 3, label="l") == {"x": 3, "y": 0, "label": "l"}
    assert type(p.set(x=2)) is Point
    assert p == {"x": 1, "y": 0}
    with pytest.raises(TypeError, match="positional"):
        p.set("x")


def test_set_checks_like_the_constructor_and_changes_nothing_on_failure():
    p = Point(x=1)
    with pytest.raises(PTypeError):
        p.set(x="2")
    with pytest.raises(InvariantException) as info:
        p.set(x=-1, y=3)
    assert info.value.invariant_errors == ("x negative",)
    with pytest.raises(AttributeError, match="'z' is not among the specified fields for Point"):
        p.set(z=1)
    with pytest.raises(InvariantException):
        Ordered(lo=1, hi=2).set(lo=5)
    assert p == {"x": 1, "y": 0}


def test_set_runs_the_factory_every_time():
    assert Once(n="#1").set(n="#7").n == 7
    assert Once(n="#1").set("n", "#8").n == 8


def test_updates_that_change_nothing_return_the_record():
    p = Point(x=1, label="a")
    assert p.set("x", 1) is p
    assert p.set() is p
    assert p.discard("nope") is p
    assert p.update({}) is p
    assert p.copy() is p
    assert p.transform([ny], lambda v: v) is p


def test_remove_and_discard():
    p = Point(x=1, label="a")
    assert p.remove("label") == {"x": 1, "y": 0}
    assert type(p.remove("label")) is Point
    assert p.discard("y") == {"x": 1, "label": "a"}
    with pytest.raises(KeyError):
        p.remove("nope")
    for way in (p.remove, p.discard):
        with pytest.raises(InvariantException) as info:
            way("x")
        assert info.value.missing_fields == ("Point.x",)
    # removing can break the class invariant too
    with pytest.raises(InvariantException):
        Ordered(lo=1, hi=2).remove("hi")


def test_update_plus_or_and_update_with():
    p = Point(x=1)
    assert p.update({"x": 2}, {"label": "b"}) == {"x": 2, "y": 0, "label": "b"}
    assert p + {"y": 2} == p | {"y": 2} == {"x": 1, "y": 2}
    assert p.update_with(operator.add, {"x": 4, "y": 1}) == {"x": 5, "y": 1}
    for result in (p.update({"x": 2}), p + {"x": 2}, p | {"x": 2},
                   p.update_with(operator.add, {"x": 2})):
        assert type(result) is Point
    with pytest.raises(PTypeError):
        p.update({"y": "s"})
    with pytest.raises(AttributeError):
        p + {"z": 1}
    with pytest.raises(InvariantException):
        p.update_with(operator.sub, {"x": 5})


def test_transform_goes_through_the_checks():
    line = Line(start=Point(x=1), end=Point(x=2))
    moved = line.transform(["start", "x"], inc, ["end", "y"], 0.5)
    assert moved == {"start": {"x": 2, "y": 0}, "end": {"x": 2, "y": 0.5}}
    assert type(moved) is Line and type(moved.start) is Point
    assert line.transform(["start", "label"], discard) is line
    assert line.transform(["start"], discard) == {"end": {"x": 2, "y": 0}}
    with pytest.raises(PTypeError):
        line.transform(["start", "x"], "one")
    with pytest.raises(InvariantException):
        line.transform(["end", "x"], -3)
    with pytest.raises(InvariantException):
        line.transform(["end", "x"], discard)


def test_evolver():
    p = Point(x=1)
    e = p.evolver()
    assert not e.is_dirty() and e.persistent() is p
    e["x"] = 5
    assert e.set("label", "l") is e and e.is_dirty()
    assert e["x"] == 5 and "label" in e and len(e) == 3
    del e["y"]
    result = e.persistent()
    assert result == {"x": 5, "label": "l"} and type(result) is Point
    assert e.persistent() is result and not e.is_dirty()
    assert p == {"x": 1, "y": 0}
    # usable after persistent()
    assert e.set("x", 6).persistent() == {"x": 6, "label": "l"}


def test_evolver_errors():
    e = Point(x=1).evolver()
    with pytest.raises(AttributeError):
        e.set("z", 1)
    with pytest.raises(PTypeError):
        e["x"] = "s"
    assert not e.is_dirty()  # refused values are not set
    with pytest.raises(KeyError):
        e.remove("label")
    e["x"] = -1  # set, but reported by persistent(), every time
    assert e["x"] == -1
    for _ in range(2):
        with pytest.raises(InvariantException) as info:
            e.persistent()
        assert info.value.invariant_errors == ("x negative",)
    e2 = Point(x=1).evolver().remove("x")
    with pytest.raises(InvariantException) as info:
        e2.persistent()
    assert info.value.missing_fields == ("Point.x",)
    assert e2.set("x", 4).persistent() == {"x": 4, "y": 0}


def test_subclass_records():
    class Point3(Point):
        z = field(type=int, initial=0)
        label = field(type=str)  # replaces the inherited field

    p = Point3(x=1, label="a")
    assert p == {"x": 1, "y": 0, "z": 0, "label": "a"}
    assert isinstance(p, Point) and type(p.set(z=2)) is Point3
    assert list(Point3._precord_fields) == ["x", "y", "label", "z"]
    assert Point3._precord_mandatory_fields == {"x"}
    assert Point3._precord_initial_values == {"y": 0, "z": 0}
    with pytest.raises(PTypeError):
        Point3(x=1, label=1)
    with pytest.raises(InvariantException):
        Point3(x=-1)


# -- equality, hashing, repr ------------------------------------------------------

def test_equality_and_hash():
    p = Point(x=1)
    assert p == {"x": 1, "y": 0} and p != {"x": 1}
    assert p == pmap({"x": 1, "y": 0}) and pmap({"x": 1, "y": 0}) == p
    assert p == Point(x=1) and p != Point(x=2)
    assert hash(p) == hash(Point(x=1)) == hash(pmap({"x": 1, "y": 0}))
    assert {p: 1}[Point(x=1)] == 1
    with pytest.raises(TypeError):
        hash(Point(x=1, label=[1]))


def test_repr_lists_fields_in_declaration_order():
    assert repr(Point(label="b", x=1)) == "Point(x=1, y=0, label='b')"
    assert repr(Point(x=1).remove("y")) == "Point(x=1)"
    assert repr(Line(start=Point(x=1))) == "Line(start=Point(x=1, y=0))"
    assert str(Point(x=1)) == repr(Point(x=1))


# -- create, serialize, pickle -----------------------------------------------------

def test_create():
    p = Point(x=1)
    assert Point.create(p) is p
    assert Point.create({"x": 1}) == p and type(Point.create({"x": 1})) is Point
    assert Point.create(pmap({"x": 1})) == p
    with pytest.raises(AttributeError):
        Point.create({"x": 1, "extra": 2})
    assert Point.create({"x": 1, "extra": 2}, ignore_extra=True) == p
    nested = Line.create({"start": {"x": 1, "more": 0}, "other": 1}, ignore_extra=True)
    assert nested == {"start": {"x": 1, "y": 0}}


def test_serialize():
    class Stamp(PRecord):
        when = field(serializer=lambda fmt, v: fmt.format(v) if fmt else v)
        plain = field()

    assert Stamp(when=3, plain=4).serialize("<{}>") == {"when": "<3>", "plain": 4}
    assert Stamp(when=3).serialize() == {"when": 3}
    line = Line(start=Point(x=1))
    out = line.serialize()
    assert out == {"start": {"x": 1, "y": 0}} and type(out["start"]) is dict
    # a field's own serializer gets the value; nested records get the format
    outer = Line(start=Point(x=1)).set(end=Point(x=2))
    assert Line.create(outer.serialize()) == outer


def test_unpickling_gives_back_exactly_the_pickled_fields():
    # pyrsistent would add y=0 (the initial value) back
    p = Point(x=1).remove("y")
    again = pickle.loads(pickle.dumps(p))
    assert again == {"x": 1} and "y" not in again


def test_pickling_keeps_the_class_and_skips_the_factories():
    for r in (Point(x=1, label=[1, 2]), Line(start=Point(x=2)), Once(n="#5"),
              Chain(name="a", next=Chain(name="b")), Scores(by_name={"a": 1})):
        again = pickle.loads(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == r and type(again) is type(r)
    assert type(pickle.loads(pickle.dumps(Scores())).by_name).__name__ == "StrToIntPMap"


def test_freeze_and_thaw_treat_a_record_as_a_map():
    result = thaw(Point(x=1, label=pmap({"a": 1})))
    assert result == {"x": 1, "y": 0, "label": {"a": 1}} and type(result) is dict
    frozen = freeze(Point(x=1, label=[1]))
    assert frozen == {"x": 1, "y": 0, "label": [1]}
    assert type(frozen) is PMap and type(frozen["label"]) is PVector


# -- map-typed fields (CheckedPMap) -------------------------------------------------

def test_pmap_field():
    s = Scores(by_name={"a": 1})
    assert isinstance(s.by_name, CheckedPMap) and isinstance(s.by_name, PMap)
    assert type(s.by_name).__name__ == "StrToIntPMap" and s.by_name == {"a": 1}
    assert Scores().by_name == {} and "maybe" in Scores()
    assert Scores(maybe=None).maybe is None and Scores(maybe={1: "a"}).maybe == {1: "a"}
    with pytest.raises(TypeError):
        Scores(by_name={"a": "b"})
    with pytest.raises(TypeError):
        s.by_name.set(1, 1)
    with pytest.raises(AttributeError):  # as in pyrsistent: None has no items()
        Scores(by_name=None)
    with pytest.raises(InvariantException):
        s.remove("by_name")
    assert s.set(by_name=s.by_name.set("b", 2)).by_name == {"a": 1, "b": 2}
    assert s.serialize() == {"by_name": {"a": 1}, "maybe": {}}


def test_pmap_field_invariant_and_nested_records():
    class One(PRecord):
        m = pmap_field(str, Point, invariant=lambda m: (len(m) == 1, "exactly one"))

    with pytest.raises(InvariantException):
        One(m={})
    one = One.create({"m": {"a": {"x": 1}}})
    assert type(one.m["a"]) is Point
    assert One.create(one.serialize()) == one


# -- documentation -------------------------------------------------------------

def test_doctests():
    result = doctest.testmod(_precord, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("obj", [PRecord, PRecord.set, PRecord.evolver, PRecord.create,
                                 PRecord.serialize, _precord._PRecordMeta])
def test_public_names_have_docstrings_with_examples(obj):
    assert obj.__doc__ and ">>>" in obj.__doc__


def test_stub_declares_the_public_api():
    import ast
    import os
    stub = os.path.splitext(_precord.__file__)[0] + ".pyi"
    with open(stub) as f:
        tree = ast.parse(f.read())
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    assert set(_precord.__all__) <= set(classes)
    methods = {n.name for n in classes["PRecord"].body if isinstance(n, ast.FunctionDef)}
    assert {"set", "evolver", "create", "serialize", "remove", "transform"} <= methods


# -- stateful test against a dict model ------------------------------------------

class Account(PRecord):
    __invariant__ = lambda r: (r.get("balance", 0) <= r.get("limit", 10 ** 9), "over limit")
    owner = field(type=str, mandatory=True)
    balance = field(type=int, initial=0, invariant=lambda b: (b >= -100, "overdrawn"))
    limit = field(type=int, initial=100, factory=int)
    note = field()


NAMES = ("owner", "balance", "limit", "note")
VALUES = {
    "owner": st.one_of(st.text(max_size=3), st.integers(0, 3)),
    "balance": st.one_of(st.integers(-150, 150), st.just("1")),
    "limit": st.one_of(st.integers(-50, 150), st.integers(-50, 150).map(str)),
    "note": st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=2)),
}
any_field = st.sampled_from(NAMES)
some_values = st.fixed_dictionaries({}, optional=VALUES)


class _Refused(Exception):
    """The model's verdict: the operation must raise this exception type."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def _produce(name, value):
    """What a field keeps of a given value: (value, invariant ok), or
    _Refused(PTypeError)."""
    if name == "limit":
        value = int(value)
    if name == "owner" and not isinstance(value, str):
        raise _Refused(PTypeError)
    if name == "balance":
        if not isinstance(value, int):
            raise _Refused(PTypeError)
        return value, value >= -100
    return value, True


def _finish(candidate, broken):
    """The model's persistent(): the dict, or _Refused(InvariantException)."""
    if broken or "owner" not in candidate:
        raise _Refused(InvariantException)
    if not candidate.get("balance", 0) <= candidate.get("limit", 10 ** 9):
        raise _Refused(InvariantException)
    return candidate


def _model_set(current, values):
    candidate = dict(current)
    broken = False
    for name, value in values.items():
        value, ok = _produce(name, value)
        broken = broken or not ok
        candidate[name] = value
    return _finish(candidate, broken)


class RecordMachine(RuleBasedStateMachine):
    """One Account and its dict model; every version made is kept with a
    copy of its model, and checked unchanged after each step."""

    @initialize(values=st.fixed_dictionaries(
        {"owner": st.text(max_size=3)},
        optional={k: v for k, v in VALUES.items() if k != "owner"}))
    def start(self, values):
        self.versions = []
        self.record = None
        self.model = None
        initial = {"balance": 0, "limit": 100}
        initial.update(values)
        self._apply(lambda: Account(**values), lambda: _model_set({}, initial))
        if self.record is None:  # refused: start from a valid one
            self.record = Account(owner="o")
            self.model = {"owner": "o", "balance": 0, "limit": 100}
        self.versions.append((self.record, dict(self.model)))

    def _apply(self, operation, model_operation):
        try:
            expected = model_operation()
        except _Refused as refused:
            with pytest.raises(refused.kind):
                operation()
            return
        result = operation()
        assert type(result) is Account
        assert dict(result) == expected
        self.record, self.model = result, expected
        self.versions.append((result, dict(expected)))

    @rule(name=any_field, data=st.data())
    def set_one(self, name, data):
        value = data.draw(VALUES[name])
        self._apply(lambda: self.record.set(name, value),
                    lambda: _model_set(self.model, {name: value}))

    @rule(values=some_values)
    def set_several(self, values):
        self._apply(lambda: self.record.set(**values),
                    lambda: _model_set(self.model, values))

    @rule(values=some_values)
    def update_or_add(self, values):
        how = len(values) % 3
        op = [self.record.update, self.record.__add__, self.record.__or__][how]
        self._apply(lambda: op(values), lambda: _model_set(self.model, values))

    @rule(value=st.integers())
    def set_unknown_field(self, value):
        with pytest.raises(AttributeError):
            self.record.set(nope=value)

    @rule(name=any_field, quiet=st.booleans())
    def remove(self, name, quiet):
        def model_remove():
            if name not in self.model:
                if quiet:
                    return self.model
                raise _Refused(KeyError)
            candidate = dict(self.model)
            del candidate[name]
            return _finish(candidate, False)
        op = self.record.discard if quiet else self.record.remove
        self._apply(lambda: op(name), model_remove)

    @precondition(lambda self: "balance" in self.model)
    @rule(step=st.integers(-60, 60))
    def transform_balance(self, step):
        self._apply(lambda: self.record.transform(["balance"], lambda b: b + step),
                    lambda: _model_set(self.model, {"balance": self.model["balance"] + step}))

    @rule(ops=st.lists(st.one_of(
        st.tuples(st.just("set"), any_field, st.integers(-150, 150)),
        st.tuples(st.just("set"), st.just("owner"), st.text(max_size=2)),
        st.tuples(st.just("del"), any_field, st.none())), max_size=5))
    def evolve(self, ops):
        e = self.record.evolver()
        candidate = dict(self.model)
        broken = False
        for kind, name, value in ops:
            if kind == "del":
                if name in candidate:
                    del candidate[name]
                    e.remove(name)
                else:
                    with pytest.raises(KeyError):
                        e.remove(name)
                continue
            try:
                kept, ok = _produce(name, value)
            except _Refused:
                with pytest.raises(PTypeError):
                    e.set(name, value)
                continue
            e[name] = value
            candidate[name] = kept
            broken = broken or not ok
        assert dict((k, e[k]) for k in candidate) == candidate and len(e) == len(candidate)
        self._apply(e.persistent, lambda: _finish(candidate, broken))

    @rule(ignore=st.booleans())
    def create_again(self, ignore):
        # create() fills in the initial values of missing fields, which can
        # break the class invariant
        data = dict(self.model)
        if ignore:
            data["extra"] = 1
        try:
            expected = _model_set({}, {"balance": 0, "limit": 100, **self.model})
        except _Refused as refused:
            with pytest.raises(refused.kind):
                Account.create(data, ignore_extra=ignore)
            return
        again = Account.create(data, ignore_extra=ignore)
        assert again == expected and type(again) is Account

    @rule()
    def pickle_round_trip(self):
        again = pickle.loads(pickle.dumps(self.record))
        assert again == self.record and type(again) is Account
        assert set(again) == set(self.record)

    @invariant()
    def matches_the_model(self):
        if self.record is None:
            return
        r, model = self.record, self.model
        assert r == model and dict(r) == model and len(r) == len(model)
        assert set(r.keys()) == set(model)
        assert repr(r) == "Account(%s)" % ", ".join(
            "%s=%r" % (n, model[n]) for n in NAMES if n in model)
        assert r.serialize() == model
        assert r.owner == model["owner"]
        if not isinstance(model.get("note"), list):
            assert hash(r) == hash(pmap(model))

    @invariant()
    def old_versions_unchanged(self):
        for version, snapshot in self.versions[-20:]:
            assert dict(version) == snapshot


TestRecordMachine = RecordMachine.TestCase
TestRecordMachine.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
