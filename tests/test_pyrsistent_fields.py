"""march.pyrsistent._field_common and _checked_types: field(), type
specifications, invariants, the exceptions, and the helpers PClass, PRecord
and the checked collections share.

The checked collections (CheckedPVector / CheckedPSet / CheckedPMap) do not
exist yet: ``pvector_field`` & co. must say so clearly, and the hook they
will plug into is exercised with small stand-in classes defined here.
Hypothesis checks invariant merging and type-specification flattening
against plain-Python models.
"""
import doctest
import enum
import pickle
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from march.pyrsistent import _checked_types, _field_common
from march.pyrsistent._checked_types import (
    CheckedKeyTypeError,
    CheckedType,
    CheckedTypeError,
    CheckedValueTypeError,
    InvariantException,
    optional,
)
from march.pyrsistent._field_common import (
    PTypeError,
    _NO_INITIAL,
    _field_values,
    field,
    pmap_field,
    pset_field,
    pvector_field,
)
from march.pyrsistent._pclass import PClass

THIS = __name__


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


class Later:
    """A class named by a string in a field (resolved when first needed)."""


class Holder:
    class Inner:
        """Named as 'module.Holder.Inner'."""


class Owner:
    """Stands for the record or class in error messages."""


# -- field(): declarations ---------------------------------------------------

def test_field_defaults():
    f = field()
    assert f.type == set()
    assert f.initial is _NO_INITIAL
    assert f.mandatory is False
    assert f.invariant(object()) == (True, None)
    assert f.factory(5) == 5
    assert f.serializer("fmt", 7) == 7


def test_field_type_is_a_set_of_the_given_types():
    assert field(type=int).type == {int}
    assert field(type=(int, str)).type == {int, str}
    assert field(type=[int, [str, (float,)]]).type == {int, str, float}
    assert field(type={bytes}).type == {bytes}


def test_enum_is_a_type_not_its_members():
    f = field(type=Colour)
    assert f.type == {Colour}
    assert Colour in f.type and len(f.type) == 1


def test_optional_adds_none_type():
    assert optional(int) == (int, type(None))
    assert optional(int, "a.B") == (int, "a.B", type(None))
    assert optional() == (type(None),)
    assert field(type=optional(int)).type == {int, type(None)}


@pytest.mark.parametrize("bad", [1, 2.5, None, [int, 3]])
def test_type_specification_must_be_types_or_strings(bad):
    with pytest.raises(TypeError, match="Type specifications must be types or strings"):
        field(type=bad)


def test_initial_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match="Initial has invalid type <class 'str'>"):
        field(type=int, initial="zero")
    # fine: matching type, a callable (checked when called), no type at all
    field(type=int, initial=0)
    field(type=int, initial=lambda: "checked later")
    field(initial="anything")


def test_initial_is_not_checked_against_a_type_given_by_name():
    # the named class may not exist yet (a class naming itself)
    f = field(type=THIS + ".NotDefinedYet", initial=5)
    assert f.initial == 5


@pytest.mark.parametrize("kw, message", [
    ({"invariant": "no"}, "Invariant must be callable"),
    ({"factory": 1}, "Factory must be callable"),
    ({"serializer": None}, "Serializer must be callable"),
])
def test_non_callables_are_refused(kw, message):
    with pytest.raises(TypeError, match=message):
        field(**kw)


def test_factory_defaults_to_create_of_a_checked_type():
    class Inner(PClass):
        a = field()

    assert field(type=Inner).factory == Inner.create
    # with a factory of its own, or several types, or a plain type: no
    assert field(type=Inner, factory=str).factory is str
    assert field(type=(Inner, int)).factory(5) == 5
    assert field(type=int).factory("x") == "x"


# -- type names -----------------------------------------------------------

def test_type_given_by_name_is_resolved_when_checked():
    f = field(type=THIS + ".Later")
    assert f.type == {THIS + ".Later"}
    f._check(Owner, "v", Later())
    with pytest.raises(PTypeError) as info:
        f._check(Owner, "v", 3)
    assert info.value.expected_types == {THIS + ".Later"}


def test_nested_class_given_by_name():
    f = field(type=THIS + ".Holder.Inner")
    f._check(Owner, "v", Holder.Inner())


def test_type_name_errors():
    with pytest.raises(ModuleNotFoundError):
        field(type="no_such_module_18e.Thing")._check(Owner, "v", 1)
    with pytest.raises(AttributeError):
        field(type=THIS + ".NoSuchClass")._check(Owner, "v", 1)
    with pytest.raises(ValueError, match="dotted path"):
        field(type="int")._check(Owner, "v", 1)
    with pytest.raises(TypeError, match="does not name a type"):
        field(type=THIS + ".THIS")._check(Owner, "v", 1)


def test_type_name_follows_a_replaced_class(monkeypatch):
    f = field(type=THIS + ".Later")
    old = Later()
    f._check(Owner, "v", old)

    class Replacement:
        pass

    monkeypatch.setattr(sys.modules[THIS], "Later", Replacement)
    f._check(Owner, "v", Replacement())
    with pytest.raises(PTypeError):
        f._check(Owner, "v", old)


def test_missing_import_inside_a_module_is_not_hidden(tmp_path, monkeypatch):
    (tmp_path / "broken_mod_18e.py").write_text("import no_such_dependency_18e\nclass T: pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_18e"):
        field(type="broken_mod_18e.T")._check(Owner, "v", 1)


# -- type checks and PTypeError ----------------------------------------------

def test_check_raises_ptypeerror_with_its_fields():
    f = field(type=(int, float))
    f._check(Owner, "x", 1)
    f._check(Owner, "x", 1.5)
    f._check(Owner, "x", True)  # a bool is an int
    with pytest.raises(PTypeError) as info:
        f._check(Owner, "x", "1")
    e = info.value
    assert isinstance(e, TypeError)
    assert (e.source_class, e.field, e.expected_types, e.actual_type) == (
        Owner, "x", {int, float}, str)
    assert str(e) == "Invalid type for field Owner.x, was str"


def test_field_without_type_accepts_anything():
    for value in (None, 1, "s", object()):
        field()._check(Owner, "x", value)


def test_exceptions_pickle():
    e = pickle.loads(pickle.dumps(PTypeError(Owner, "x", {int}, str, "msg")))
    assert (e.source_class, e.field, e.expected_types, e.actual_type, str(e)) == (
        Owner, "x", {int}, str, "msg")
    e = pickle.loads(pickle.dumps(InvariantException(("a", ("b", "c")), ("O.y",), "m")))
    assert e.invariant_errors == ("a", ("b", "c")) and e.missing_fields == ("O.y",)
    assert str(e) == "m, invariant_errors=[a, ('b', 'c')], missing_fields=[O.y]"
    e = pickle.loads(pickle.dumps(CheckedKeyTypeError(Owner, (int,), str, "k", "msg")))
    assert type(e) is CheckedKeyTypeError
    assert (e.source_class, e.expected_types, e.actual_type, e.actual_value) == (
        Owner, (int,), str, "k")


# -- InvariantException -----------------------------------------------------

def test_invariant_exception_defaults_and_str():
    e = InvariantException()
    assert e.invariant_errors == () and e.missing_fields == ()
    assert str(e) == ", invariant_errors=[], missing_fields=[]"
    e = InvariantException(["x"], ("A.b", "A.c"), "Field invariant failed")
    assert e.invariant_errors == ("x",)
    assert str(e) == "Field invariant failed, invariant_errors=[x], missing_fields=[A.b, A.c]"


def test_invariant_exception_calls_lazy_error_data_once():
    calls = []

    def message():
        calls.append(1)
        return "made lazily"

    e = InvariantException((message, "plain"))
    assert e.invariant_errors == ("made lazily", "plain")
    str(e), str(e)
    assert calls == [1]


def test_checked_type_errors_are_type_errors():
    for cls in (CheckedKeyTypeError, CheckedValueTypeError):
        assert issubclass(cls, CheckedTypeError) and issubclass(cls, TypeError)


# -- invariants --------------------------------------------------------------

def test_field_invariant_single_and_multiple():
    single = field(invariant=lambda v: (v > 0, "positive"))
    assert single.invariant(1) == (True, "positive")
    assert single.invariant(-1) == (False, "positive")
    multi = field(invariant=lambda v: ((v > 0, "positive"), (v % 2 == 0, "even")))
    assert multi.invariant(2) == (True, ())
    assert multi.invariant(3) == (False, ("even",))
    assert multi.invariant(-3) == (False, ("positive", "even"))
    listed = field(invariant=lambda v: [(v, "truthy")])
    assert listed.invariant(0) == (False, ("truthy",))
    assert field(invariant=lambda v: []).invariant(0) == (True, ())


pairs = st.lists(st.tuples(st.booleans(), st.text(max_size=3)), min_size=1, max_size=6)


@settings(max_examples=200)
@given(pairs)
def test_multiple_invariant_results_against_a_model(checks):
    merged = field(invariant=lambda _: tuple(checks)).invariant(None)
    failed = tuple(data for ok, data in checks if not ok)
    assert merged == (not failed, failed)


@settings(max_examples=200)
@given(st.booleans(), st.text(max_size=3))
def test_single_invariant_result_is_passed_through(ok, data):
    assert field(invariant=lambda _: (ok, data)).invariant(None) == (ok, data)


# -- type specification flattening: Hypothesis against a model ---------------

leaf = st.sampled_from([int, str, float, Colour, "m.A", "m.B"])
spec = st.recursive(leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple)), max_leaves=8)


def flatten_model(s):
    if isinstance(s, (str, type)):
        return [s]
    return [t for item in s for t in flatten_model(item)]


@settings(max_examples=200)
@given(spec)
def test_type_specifications_flatten_like_the_model(s):
    assert field(type=s).type == set(flatten_model(s))
    assert _checked_types._parse_types(s) == tuple(flatten_model(s))


# -- _field_values: the shared PClass / PRecord logic -----------------------

class Sub(PClass):
    n = field(type=int)


def shared_fields():
    return {
        "a": field(type=int, factory=int, invariant=lambda v: (v < 10, "a small")),
        "b": field(initial=lambda: "2", factory=lambda v: v + "!"),
        "c": field(mandatory=True),
        "d": field(type=Sub),
    }


def test_field_values_collects_values_errors_and_missing():
    kwargs = {"a": "3", "extra": 1}
    values, errors, missing = _field_values(Owner, shared_fields(), kwargs)
    assert values == {"a": 3, "b": "2"}  # initial values skip the factory
    assert errors == [] and missing == ["Owner.c"]
    assert kwargs == {"extra": 1}  # what is left is not a field


def test_field_values_factory_fields_and_initial_via_factory():
    values, _, _ = _field_values(Owner, shared_fields(), {"a": 4, "c": 1},
                                 factory_fields={"c"})
    assert values["a"] == 4
    values, _, _ = _field_values(Owner, shared_fields(), {"c": 1},
                                 initial_via_factory=True)
    assert values["b"] == "2!"
    values, _, _ = _field_values(Owner, shared_fields(), {"c": 1},
                                 factory_fields=set(), initial_via_factory=True)
    assert values["b"] == "2"


def test_field_values_failed_invariant_is_not_a_value():
    values, errors, missing = _field_values(Owner, shared_fields(), {"a": 12, "c": 0})
    assert "a" not in values and errors == ["a small"] and missing == []


def test_field_values_type_error_is_raised_at_once():
    with pytest.raises(PTypeError, match="Owner.d, was int"):
        _field_values(Owner, shared_fields(), {"d": 5, "c": 0},
                      factory_fields=set())


def test_field_values_nested_invariant_errors():
    class Strict(PClass):
        n = field(mandatory=True)

    fields = {"s": field(type=Strict), "t": field(invariant=lambda v: (False, "t bad"))}
    with pytest.raises(InvariantException):
        _field_values(Owner, fields, {"s": {}, "t": 1})
    values, errors, missing = _field_values(Owner, fields, {"s": {}, "t": 1},
                                            collect_factory_errors=True)
    assert values == {} and errors == ["t bad"] and missing == ["Strict.n"]


def test_field_values_passes_ignore_extra_to_factories_that_take_it():
    seen = []

    def takes(value, ignore_extra=False):
        seen.append(ignore_extra)
        return value

    fields = {"x": field(factory=takes), "y": field(factory=lambda v: v),
              "d": field(type=Sub)}
    values, _, _ = _field_values(Owner, fields, {"x": 1, "y": 2, "d": {"n": 1, "z": 0}},
                                 ignore_extra=True)
    assert seen == [True] and values["d"] == Sub(n=1)
    _field_values(Owner, {"x": fields["x"]}, {"x": 1})
    assert seen == [True, False]


def test_serialize_of_a_field():
    plain = field()
    assert plain._serialize("f", 3) == 3
    assert plain._serialize("f", Sub(n=1)) == {"n": 1}
    custom = field(serializer=lambda fmt, v: (fmt, v))
    assert custom._serialize("f", Sub(n=1)) == ("f", Sub(n=1))


# -- checked collection fields ---------------------------------------------------

def test_collection_fields_make_checked_collections():
    from march.pyrsistent import CheckedPSet, CheckedPVector, PSet, PVector

    class Rec(PClass):
        ids = pvector_field(int, item_invariant=lambda i: (i >= 0, "negative id"))
        tags = pset_field(str)

    (ids_type,) = pvector_field(int).type
    assert issubclass(ids_type, CheckedPVector) and issubclass(ids_type, PVector)
    (tags_type,) = pset_field(str).type
    assert issubclass(tags_type, CheckedPSet) and issubclass(tags_type, PSet)
    r = Rec(ids=[1, 2], tags={"a"})
    assert type(r.ids).__name__ == "IntPVector" and r.ids == [1, 2]
    assert type(r.tags).__name__ == "StrPSet" and r.tags == {"a"}
    assert type(r.ids.append(3)) is type(r.ids)
    with pytest.raises(CheckedValueTypeError):
        r.ids.append("x")
    with pytest.raises(InvariantException):
        Rec(ids=[-1])
    with pytest.raises((CheckedValueTypeError, PTypeError)):
        Rec(tags={1})
    assert Rec.create({"ids": [3], "tags": ["b"]}).serialize() == {"ids": [3], "tags": {"b"}}


class _StandInBase(tuple, CheckedType):
    """Just enough of a checked collection for the field machinery."""

    __slots__ = ()

    def __new__(cls, initial=()):
        items = list(initial)
        _checked_types._check_item_types(items, cls._checked_types, cls)
        errors = _checked_types._item_invariant_errors(items, cls._checked_invariants)
        if errors:
            raise InvariantException(tuple(errors))
        return tuple.__new__(cls, items)

    create = classmethod(_checked_types._create_checked_collection)

    def serialize(self, format=None):
        return [self.__serializer__(format, v) for v in self]


class StandInVector(_StandInBase, metaclass=_checked_types._CheckedTypeMeta):
    pass


class StandInSet(_StandInBase, metaclass=_checked_types._CheckedTypeMeta):
    pass


class StandInMap(dict, CheckedType, metaclass=_checked_types._CheckedMapTypeMeta):
    def __new__(cls, initial={}):
        items = dict(initial)
        _checked_types._check_item_types(items, cls._checked_key_types, cls,
                                         CheckedKeyTypeError)
        _checked_types._check_item_types(items.values(), cls._checked_value_types, cls)
        self = dict.__new__(cls)
        dict.update(self, items)
        return self

    def __init__(self, *args):
        pass

    @classmethod
    def create(cls, source_data, _factory_fields=None):
        return source_data if isinstance(source_data, cls) else cls(source_data)

    def serialize(self, format=None):
        return dict(self)


@pytest.fixture
def stand_ins(monkeypatch):
    monkeypatch.setattr(_checked_types, "CheckedPVector", StandInVector, raising=False)
    monkeypatch.setattr(_checked_types, "CheckedPSet", StandInSet, raising=False)
    monkeypatch.setattr(_checked_types, "CheckedPMap", StandInMap, raising=False)
    monkeypatch.setattr(_field_common, "_generated", {})


def test_generated_collection_types_are_named_and_shared(stand_ins):
    f = pvector_field(int)
    (cls,) = f.type
    assert issubclass(cls, StandInVector) and cls.__name__ == "IntPVector"
    assert cls.__type__ is int and cls._checked_types == (int,)
    assert f.mandatory and f.initial == cls()
    assert pvector_field(int).type == {cls}  # one class per item type
    assert pvector_field((int,)).type == {cls}
    assert next(iter(pset_field((Later, int)).type)).__name__ == "LaterIntPSet"
    assert next(iter(pset_field(THIS + ".Later").type)).__name__ == "LaterPSet"
    assert next(iter(pmap_field((str, int), Colour).type)).__name__ == "StrIntToColourPMap"


def test_enum_item_type(stand_ins):
    (cls,) = pvector_field(Colour).type
    assert cls.__type__ is Colour


def test_collection_field_values(stand_ins):
    class Rec(PClass):
        v = pvector_field(int, item_invariant=lambda i: (i >= 0, "non-negative"))
        o = pset_field(str, optional=True)
        m = pmap_field(str, int)

    r = Rec(v=[1, 2], o=None)
    assert list(r.v) == [1, 2] and r.o is None and r.m == {}
    assert type(Rec(o=["a"]).o).__name__ == "StrPSet"
    with pytest.raises(CheckedValueTypeError):
        Rec(v=["x"])
    with pytest.raises(InvariantException) as info:
        Rec(v=[-1])
    assert info.value.invariant_errors == ("non-negative",)
    with pytest.raises(CheckedKeyTypeError):
        Rec(m={1: 1})
    # a different item invariant is a different class
    (other,) = pvector_field(int, item_invariant=lambda i: (i < 0, "negative")).type
    assert other is not type(r.v)
    # an optional field accepts None, and ignore_extra reaches the items
    assert Rec.create({"o": None, "zz": 1}, ignore_extra=True).o is None


def test_collection_field_values_pickle(stand_ins):
    f = pvector_field(int)
    (cls,) = f.type
    v = cls([1, 2])
    back = pickle.loads(pickle.dumps(v))
    assert type(back) is cls and list(back) == [1, 2]
    (mcls,) = pmap_field(str, int).type
    back = pickle.loads(pickle.dumps(mcls({"a": 1})))
    assert type(back) is mcls and back == {"a": 1}
    # unknown in this process (no item invariant): made again on the fly
    _field_common._generated.clear()
    again = pickle.loads(pickle.dumps(v))
    assert list(again) == [1, 2] and type(again).__name__ == "IntPVector"


def test_checked_collection_create_builds_nested_checked_items(stand_ins):
    class Item(PClass):
        a = field(type=int)

    (cls,) = pvector_field(Item).type
    made = cls.create([{"a": 1}, Item(a=2)])
    assert list(made) == [Item(a=1), Item(a=2)]
    assert made.serialize() == [{"a": 1}, {"a": 2}]
    assert cls.create(made) is made
    made = cls.create([{"a": 1, "extra": 0}], ignore_extra=True)
    assert list(made) == [Item(a=1)]


def test_checked_type_metaclass_collects_types_and_invariants():
    class Base(_StandInBase, metaclass=_checked_types._CheckedTypeMeta):
        __type__ = int
        __invariant__ = lambda i: (i > 0, "positive")

    class Child(Base):
        __type__ = (str, "m.X")

    class Grandchild(Child):
        pass

    assert Base._checked_types == (int,)
    assert Child._checked_types == (str, "m.X", int)
    assert Grandchild._checked_types == Child._checked_types
    assert len(Grandchild._checked_invariants) == 1
    assert Base.__slots__ == ()
    with pytest.raises(CheckedValueTypeError) as info:
        Base(["1"])
    e = info.value
    assert (e.source_class, e.expected_types, e.actual_type, e.actual_value) == (
        Base, (int,), str, "1")
    assert str(e) == "Type Base can only be used with ('int',), not str"
    with pytest.raises(TypeError, match="Invariants must be callable"):
        class Bad(Base):
            __invariant__ = 3


def test_checked_type_is_an_abstract_marker():
    assert CheckedType.__slots__ == ()
    with pytest.raises(NotImplementedError):
        CheckedType.create({})
    with pytest.raises(NotImplementedError):
        CheckedType.serialize(object())


# -- documentation ---------------------------------------------------------

@pytest.mark.parametrize("module", [_field_common, _checked_types])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("obj", [
    field, PTypeError, pset_field, pvector_field, pmap_field, optional, CheckedType,
    InvariantException, CheckedTypeError, CheckedKeyTypeError, CheckedValueTypeError,
])
def test_public_names_have_docstrings_with_examples(obj):
    assert obj.__doc__ and ">>>" in obj.__doc__
    assert "O(" in obj.__doc__


def test_stubs_name_the_public_api():
    import ast
    import os
    for module in (_field_common, _checked_types):
        stub = os.path.splitext(module.__file__)[0] + ".pyi"
        tree = ast.parse(open(stub).read())
        declared = {node.name for node in ast.walk(tree)
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        for name in module.__all__:
            assert name in declared, (module.__name__, name)

