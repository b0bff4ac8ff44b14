"""march.pyrsistent._pclass: PClass (pyrsistent 0.20's checked immutable
object), its metaclass and its evolver.

Unit tests of the documented behaviour (construction and its errors,
updates, evolver, equality, hashing, pickling, inheritance, transform),
then a Hypothesis state machine against a plain dict model that keeps every
version it made and checks that none of them changed.
"""
import doctest
import enum
import math
import pickle
import weakref
from collections.abc import Hashable

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from march import discard, inc, ny
from march.pyrsistent import _pclass
from march.pyrsistent._checked_types import CheckedType, InvariantException, optional
from march.pyrsistent._field_common import PTypeError, field
from march.pyrsistent._pclass import PClass, PClassMeta

THIS = __name__


class Point(PClass):
    x = field(type=int, mandatory=True, invariant=lambda x: (x >= 0, "x negative"))
    y = field(type=int, serializer=lambda fmt, y: fmt(y) if fmt else y)
    z = field(type=int, initial=0)


class Segment(PClass):
    start = field(type=Point)
    end = field(type=Point)


class Node(PClass):
    """Names itself by string: resolved when first used."""
    label = field(type=str)
    next = field(type=optional(THIS + ".Node"))


class Shade(enum.Enum):
    LIGHT = 1
    DARK = 2


class Once(PClass):
    """A one-way factory: ints are accepted only as strings."""
    n = field(type=int, factory=lambda s: int(s.strip("#")))
    other = field()


# -- construction ------------------------------------------------------------

def test_fields_initial_and_missing_optional():
    p = Point(x=1, y=2)
    assert (p.x, p.y, p.z) == (1, 2, 0)
    q = Point(x=1)
    with pytest.raises(AttributeError):
        q.y
    assert not hasattr(q, "y")


def test_type_errors():
    with pytest.raises(PTypeError) as info:
        Point(x="1")
    e = info.value
    assert (e.source_class, e.field, e.expected_types, e.actual_type) == (
        Point, "x", {int}, str)
    assert str(e) == "Invalid type for field Point.x, was str"


def test_missing_mandatory_field():
    with pytest.raises(InvariantException) as info:
        Point(y=1)
    assert info.value.missing_fields == ("Point.x",)
    assert info.value.invariant_errors == ()
    assert "[Point.x]" in str(info.value)
    assert str(info.value).startswith("Field invariant failed")


def test_field_invariant_errors_are_collected():
    class Two(PClass):
        a = field(invariant=lambda v: (v > 0, "a positive"))
        b = field(invariant=lambda v: (v > 0, "b positive"))
        c = field(mandatory=True)

    with pytest.raises(InvariantException) as info:
        Two(a=0, b=0)
    assert set(info.value.invariant_errors) == {"a positive", "b positive"}
    assert info.value.missing_fields == ("Two.c",)


def test_multiple_and_lazy_invariants():
    class Many(PClass):
        one = field(invariant=lambda v: ((False, "1a"), (True, "1b"), (False, "1c")))
        two = field(invariant=lambda v: (v < 5, lambda: "%d is too large" % v))

    with pytest.raises(InvariantException) as info:
        Many(one=0, two=7)
    assert set(info.value.invariant_errors) == {("1a", "1c"), "7 is too large"}


def test_undeclared_fields():
    with pytest.raises(AttributeError) as info:
        Point(x=1, w=2, v=3)
    assert str(info.value) == "'w, v' are not among the specified fields for Point"
    # a missing mandatory field is reported first
    with pytest.raises(InvariantException):
        Point(w=2)


def test_initial_values_are_checked_but_not_built_by_the_factory():
    class Lazy(PClass):
        a = field(type=int, initial=lambda: 2)
        b = field(factory=lambda v: v * 10, initial=1)

    assert Lazy() == Lazy(a=2, b=0.1)
    assert Lazy().b == 1 and Lazy(b=1).b == 10

    class WrongType(PClass):
        a = field(type=int, initial=lambda: "a")

    with pytest.raises(PTypeError):
        WrongType()

    class Broken(PClass):
        a = field(type=int, invariant=lambda v: (v < 5, "too large"), initial=10)

    with pytest.raises(InvariantException) as info:
        Broken()
    assert info.value.invariant_errors == ("too large",)


def test_callable_initial_makes_a_new_value_each_time():
    class Bag(PClass):
        items = field(initial=list)

    assert Bag().items is not Bag().items


def test_global_invariant_runs_after_field_invariants():
    calls = []

    class Circle(PClass):
        __invariant__ = lambda c: (calls.append(c) or 0.99 < math.hypot(c.x, c.y) < 1.01,
                                   "off the unit circle")
        x = field(type=float, invariant=lambda v: (abs(v) <= 1, "x out of range"))
        y = field(type=float)

    Circle(x=1.0, y=0.0)
    with pytest.raises(InvariantException) as info:
        Circle(x=1.0, y=1.0)
    assert info.value.invariant_errors == ("off the unit circle",)
    assert str(info.value).startswith("Global invariant failed")
    n = len(calls)
    with pytest.raises(InvariantException) as info:
        Circle(x=2.0, y=0.0)
    assert info.value.invariant_errors == ("x out of range",)
    assert len(calls) == n  # not run when a field invariant failed


def test_global_invariant_with_several_checks():
    class Both(PClass):
        __invariant__ = lambda s: ((False, "x"), (False, "y"))
        one = field()

    with pytest.raises(InvariantException) as info:
        Both(one=1)
    assert info.value.invariant_errors == (("x", "y"),)


def test_global_invariants_must_be_callable():
    with pytest.raises(TypeError, match="Invariants must be callable"):
        class Bad(PClass):
            __invariant__ = "no"


def test_factory_applies_to_given_values():
    class Squared(PClass):
        x = field(factory=lambda v: v ** 2)
        y = field()

    s = Squared(x=3, y=10)
    assert (s.x, s.y) == (9, 10)
    assert s.set(x=4).x == 16
    assert s.set(y=1).x == 9  # an unchanged field is not built again


def test_nested_classes_from_plain_data():
    seg = Segment.create({"start": {"x": 1, "y": 2}, "end": {"x": 3}})
    assert seg.start == Point(x=1, y=2) and seg.end == Point(x=3)
    assert Segment(start=Point(x=1)).start == Point(x=1)
    with pytest.raises(InvariantException):
        Segment.create({"start": {"y": 2}})


def test_self_reference_by_name_and_optional():
    chain = Node(label="a", next=Node(label="b", next=None))
    assert chain.next.label == "b" and chain.next.next is None
    with pytest.raises(PTypeError):
        Node(next="not a node")


def test_enum_field():
    class Lamp(PClass):
        shade = field(type=Shade)

    assert Lamp(shade=Shade.DARK).shade is Shade.DARK
    with pytest.raises(PTypeError):
        Lamp(shade=2)


# -- immutability -------------------------------------------------------------

def test_cannot_set_or_delete_attributes():
    p = Point(x=1, y=2)
    with pytest.raises(AttributeError, match="Can't set attribute, key=x, value=5"):
        p.x = 5
    with pytest.raises(AttributeError):
        setattr(p, "new", 1)
    with pytest.raises(AttributeError, match=r"Can't delete attribute, key=x, use remove\(\)"):
        del p.x
    with pytest.raises(AttributeError):
        delattr(p, "y")
    assert (p.x, p.y) == (1, 2)


def test_instances_have_slots_only():
    p = Point(x=1)
    assert not hasattr(p, "__dict__")
    assert set(Point.__slots__) == {"x", "y", "z"}
    assert PClass.__slots__ == ("__weakref__",)


def test_weak_references():
    p = Point(x=1)
    assert weakref.ref(p)() is p

    class Deeper(Point):
        extra = field()

    d = Deeper(x=1, extra=2)
    assert weakref.ref(d)() is d
    assert Deeper.__slots__ == ("extra",)


# -- set / create / remove -------------------------------------------------

def test_set_by_keyword_and_by_name():
    p = Point(x=1, y=2)
    p2 = p.set(x=p.x + 2)
    assert (p.x, p.y) == (1, 2)
    assert (p2.x, p2.y) == (3, 2)
    assert p2.set("x", 4) == Point(x=4, y=2)
    assert p.set(x=5, y=6, z=7) == Point(x=5, y=6, z=7)
    assert p.set() == p


def test_set_errors_leave_the_original_alone():
    p = Point(x=1, y=2)
    with pytest.raises(AttributeError):
        p.set(w=1)
    with pytest.raises(PTypeError):
        p.set(y="2")
    with pytest.raises(InvariantException):
        p.set(x=-1)
    with pytest.raises(TypeError):
        p.set("x")
    assert p == Point(x=1, y=2)


def test_set_goes_through_an_overridden_new():
    class Defaulted(PClass):
        y = field()

        def __new__(cls, **kwargs):
            if kwargs.get("y") is None:
                kwargs["y"] = ()
            return super().__new__(cls, **kwargs)

    a = Defaulted(y=[])
    assert a.set(y=None) == Defaulted(y=())


def test_create():
    p = Point.create({"x": 1, "y": 2})
    assert p == Point(x=1, y=2) and type(p) is Point
    assert Point.create(p) is p
    with pytest.raises(AttributeError):
        Point.create({"x": 1, "a": 0})
    assert Point.create({"x": 1, "a": 0}, ignore_extra=True) == Point(x=1)
    seg = Segment.create({"start": {"x": 1, "junk": 0}, "junk": 1}, ignore_extra=True)
    assert seg.start == Point(x=1)


def test_create_with_factory_fields():
    assert Once.create({"n": "#3"}).n == 3
    assert Once.create({"n": 3}, _factory_fields=set()).n == 3


def test_remove():
    p = Point(x=1, y=2)
    assert p.remove("y") == Point(x=1)
    # a field with an initial value gets it back (as in pyrsistent)
    assert p.set(z=5).remove("z") == Point(x=1, y=2, z=0)
    with pytest.raises(InvariantException):
        p.remove("x")
    with pytest.raises(AttributeError):
        Point(x=1).remove("y")
    assert p == Point(x=1, y=2)


# -- serialize / repr / equality / hash / pickle ------------------------------

def test_serialize():
    p = Point(x=1, y=2)
    assert p.serialize() == {"x": 1, "y": 2, "z": 0}
    assert p.serialize(lambda v: v + 17) == {"x": 1, "y": 19, "z": 0}
    source = {"start": {"x": 1, "y": 2, "z": 3}, "end": {"x": 4, "y": 5, "z": 6}}
    assert Segment.create(source).serialize() == source
    assert Point(x=1, y=2).remove("y").serialize() == {"x": 1, "z": 0}


def test_repr_in_field_order():
    assert repr(Point(x=1, y=2)) == "Point(x=1, y=2, z=0)"
    assert repr(Point(x=1)) == "Point(x=1, z=0)"
    assert repr(Node(label="a")) == "Node(label='a')"


def test_to_dict():
    assert Point(x=1)._to_dict() == {"x": 1, "z": 0}


def test_equality():
    assert Point(x=1, y=2) == Point(x=1, y=2)
    assert not Point(x=1, y=2) != Point(x=1, y=2)
    assert Point(x=1, y=2) != Point(x=1)
    assert Point(x=1) != Point(x=2)
    assert Point(x=1) != {"x": 1, "z": 0}
    assert (Point(x=1) == 1) is False

    class Other(PClass):
        x = field()
        z = field()

    assert Point(x=1) != Other(x=1, z=0)


def test_equality_with_a_subclass_compares_the_base_fields():
    class Point3(Point):
        w = field()

    # as pyrsistent: the base's comparison decides, on the base's fields
    assert Point3(x=1, w=9) == Point(x=1)
    assert Point(x=1) == Point3(x=1, w=9)


def test_hash():
    p1, p2 = Point(x=1, y=2), Point(x=3, y=2)
    d = {p1: "a", p2: "b"}
    assert isinstance(p1, Hashable)
    assert d[Point(x=1, y=2)] == "a" and d[Point(x=3, y=2)] == "b"
    assert Point(x=10) not in d
    assert hash(Point(x=1)) == hash(Point(x=1))
    with pytest.raises(TypeError):
        hash(Once(n="1", other=[]))  # an unhashable value


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle(protocol):
    for obj in (Point(x=2, y=1), Point(x=2), Segment(start=Point(x=1)),
                Node(label="a", next=Node(label="b"))):
        back = pickle.loads(pickle.dumps(obj, protocol))
        assert back == obj and type(back) is type(obj)


def test_copy_and_deepcopy():
    import copy
    seg = Segment(start=Point(x=1, y=2))
    assert copy.copy(seg) == seg and copy.deepcopy(seg) == seg
    assert type(copy.deepcopy(seg).start) is Point


def test_pickle_does_not_run_factories_again():
    thing = Once(n="#25")
    assert thing.n == 25
    assert pickle.loads(pickle.dumps(thing)) == thing


# -- evolver --------------------------------------------------------------

def test_evolver_unchanged_returns_the_original():
    p = Point(x=1)
    e = p.evolver()
    assert e.persistent() is p
    e.set("x", p.x)  # the same object: still unchanged
    assert not e.is_dirty()
    assert e.persistent() is p


def test_evolver_chained_set_and_remove():
    p = Point(x=1, y=2)
    assert p.evolver().set("x", 3).remove("y").persistent() == Point(x=3)
    assert p == Point(x=1, y=2)


def test_evolver_item_and_attribute_access():
    e = Point(x=1, y=2).evolver()
    e.x = 3
    e["z"] = 4
    assert e.x == 3 and e["z"] == 4 and "y" in e
    del e.y
    assert "y" not in e
    with pytest.raises(KeyError):
        e["y"]
    with pytest.raises(AttributeError):
        e.y
    assert not hasattr(e, "y")
    with pytest.raises(AttributeError):
        e.remove("y")
    with pytest.raises(AttributeError):
        del e["y"]
    assert e.is_dirty()
    assert e.persistent() == Point(x=3, z=4)


def test_evolver_checks_on_persistent_only():
    e = Point(x=1).evolver()
    e.set("x", "bad").set("nope", 1)
    with pytest.raises(PTypeError):
        e.persistent()
    e.set("x", 2).remove("nope")
    assert e.persistent() == Point(x=2)


def test_evolver_runs_only_the_changed_fields_factories():
    thing = Once(n="#7", other=1)
    e = thing.evolver()
    e.other = 5
    assert e.persistent() == Once(n="#7", other=5)
    e.n = "#8"
    assert e.persistent().n == 8


def test_evolver_can_go_on_after_persistent():
    e = Point(x=1).evolver()
    first = e.set("x", 2).persistent()
    second = e.set("x", 3).persistent()
    assert (first.x, second.x) == (2, 3)


# -- transform ---------------------------------------------------------------

def test_transform_nested():
    seg = Segment(start=Point(x=2, y=1), end=Point(x=20, y=10))
    moved = seg.transform(["start", "x"], 3)
    assert seg.start.x == 2
    assert moved == Segment(start=Point(x=3, y=1), end=Point(x=20, y=10))
    assert seg.transform(["end", "y"], inc).end.y == 11
    assert seg.transform(["start", "x"], 2) is seg
    assert seg.transform(["start", "y"], discard).start == Point(x=2)


def test_transform_checks_the_result():
    seg = Segment(start=Point(x=2))
    with pytest.raises(PTypeError):
        seg.transform(["start", "x"], "text")
    with pytest.raises(InvariantException):
        seg.transform(["start", "x"], -1)


def test_transform_of_a_collection_field():
    from march import Map, v

    class Holder(PClass):
        vec = field()

    h = Holder(vec=v(1, 2, 3))
    assert h.transform(["vec", ny], inc).vec == v(2, 3, 4)
    h = Holder(vec=Map(a=1))
    assert h.transform(["vec", "a"], inc).vec == Map(a=2)


# -- inheritance and the metaclass ------------------------------------------

def test_fields_are_inherited_and_can_be_replaced():
    class Base(PClass):
        a = field(type=int)
        b = field(type=int)

    class Child(Base):
        b = field(type=str)
        c = field()

    assert list(Child._pclass_fields) == ["a", "b", "c"]
    assert Child.__slots__ == ("c",)
    assert Child(a=1, b="s", c=None).b == "s"
    with pytest.raises(PTypeError):
        Child(b=1)
    assert type(PClass) is PClassMeta and type(Child) is PClassMeta
    assert issubclass(Child, CheckedType)


def test_field_name_clash_with_a_plain_attribute():
    class Base(PClass):
        a = field()

    with pytest.raises(ValueError, match="'a' is a field of a base class"):
        class Child(Base):
            a = 5


def test_fields_may_shadow_method_names():
    class Box(PClass):
        set = field()
        items = field()

    box = Box(set=1, items=2)
    assert (box.set, box.items) == (1, 2)
    assert box.evolver().set("set", 3).persistent().set == 3


def test_own_slots_are_kept():
    class Cached(PClass):
        __slots__ = ("_cache",)
        a = field()

    assert set(Cached.__slots__) == {"_cache", "a"}
    c = Cached(a=1)
    object.__setattr__(c, "_cache", 5)
    assert c._cache == 5 and c == Cached(a=1)


def test_invariants_are_inherited_from_plain_mixins_in_mro_order():
    class Distant:
        def __invariant__(self):
            return [(self.distant, "distant")]

    class Nearby(Distant):
        def __invariant__(self):
            return [(self.nearby, "nearby")]

    class Both(Nearby, PClass):
        distant = field()
        nearby = field()

    with pytest.raises(InvariantException) as info:
        Both(distant=False, nearby=False)
    assert info.value.invariant_errors == (("nearby",), ("distant",))
    Both(distant=True, nearby=True)
    assert weakref.ref(Both(distant=1, nearby=1))() is not None


def test_diamond_invariant_runs_once():
    counter = []

    class Base:
        def __invariant__(self):
            counter.append(None)
            return [(False, "base")]

    class Left(Base):
        pass

    class Right(Base):
        pass

    class Diamond(Left, Right, PClass):
        pass

    with pytest.raises(InvariantException) as info:
        Diamond()
    assert info.value.invariant_errors == (("base",),)
    assert counter == [None]


def test_subclass_invariants_add_to_the_base_ones():
    class Base(PClass):
        __invariant__ = lambda r: (r.x % r.y == 0, "modulo")
        x = field()
        y = field()

    class Child(Base):
        __invariant__ = lambda r: (r.x > r.y, "size")

    with pytest.raises(InvariantException) as info:
        Child(x=5, y=3)
    assert info.value.invariant_errors == ("modulo",)
    with pytest.raises(InvariantException) as info:
        Child(x=6, y=6)
    assert info.value.invariant_errors == ("size",)


# -- documentation ---------------------------------------------------------

def test_doctests():
    result = doctest.testmod(_pclass, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("obj", [
    PClass, PClassMeta, PClass.set, PClass.create, PClass.serialize,
    PClass.transform, PClass.evolver, PClass.remove,
])
def test_docstrings(obj):
    assert obj.__doc__ and ">>>" in obj.__doc__ and "O(" in obj.__doc__


# -- Hypothesis: against a dict model --------------------------------------

class Sample(PClass):
    __invariant__ = lambda s: (getattr(s, "a", 0) != 13, "unlucky")
    a = field(type=int, invariant=lambda v: (v >= 0, "a negative"))
    b = field(type=(str, type(None)), initial="b0")
    c = field(mandatory=True)


values = st.one_of(st.integers(-3, 15), st.sampled_from(["", "s", None]))


def model_error(model):
    """The exception class building ``model`` raises, or None."""
    if "a" in model and not isinstance(model["a"], int):
        return PTypeError
    if "b" in model and not isinstance(model["b"], (str, type(None))):
        return PTypeError
    if "c" not in model or ("a" in model and model["a"] < 0):
        return InvariantException
    if model.get("a") == 13:
        return InvariantException
    return None


def built(model):
    """The fields the object built from ``model`` has: initial values fill in."""
    return dict({"b": "b0"}, **model)


def present(obj):
    return {name: getattr(obj, name) for name in ("a", "b", "c") if hasattr(obj, name)}


class PClassMachine(RuleBasedStateMachine):
    objs = Bundle("objs")

    def __init__(self):
        super().__init__()
        self.versions = []  # (object, its model)

    def keep(self, obj, model):
        assert present(obj) == model
        self.versions.append((obj, dict(model)))
        return obj

    @initialize(target=objs, c=values)
    def first(self, c):
        return self.start(c)

    @rule(target=objs, c=values)
    def start(self, c):
        return self.keep(Sample(c=c), {"b": "b0", "c": c})

    @rule(obj=objs, name=st.sampled_from("abc"), value=values)
    def set_one(self, obj, name, value):
        model = dict(present(obj), **{name: value})
        error = model_error(model)
        if error is None:
            self.keep(obj.set(**{name: value}), built(model))
        else:
            with pytest.raises(error):
                obj.set(name, value)

    @rule(obj=objs, name=st.sampled_from("abc"))
    def remove(self, obj, name):
        model = present(obj)
        if name not in model:
            with pytest.raises(AttributeError):
                obj.remove(name)
            return
        del model[name]
        error = model_error(model)
        if error is None:
            self.keep(obj.remove(name), built(model))
        else:
            with pytest.raises(error):
                obj.remove(name)

    @rule(obj=objs, changes=st.lists(st.tuples(st.sampled_from("abc"),
                                               st.one_of(st.none(), values)), max_size=4))
    def evolve(self, obj, changes):
        e = obj.evolver()
        model = present(obj)
        changed = False
        for name, value in changes:
            if value is None and name in model:
                e.remove(name)
                del model[name]
                changed = True
            elif value is not None:
                e[name] = value
                changed = changed or model.get(name, object()) is not value
                model[name] = value
        assert e.is_dirty() == changed
        error = model_error(model)
        if not changed:
            assert e.persistent() is obj
        elif error is None:
            new = e.persistent()
            self.keep(new, built(model))
            assert (new == obj) == (built(model) == present(obj))
        else:
            with pytest.raises(error):
                e.persistent()

    @rule(obj=objs)
    def round_trips(self, obj):
        assert pickle.loads(pickle.dumps(obj)) == obj
        assert Sample.create(obj.serialize()) == obj
        assert hash(Sample.create(obj._to_dict())) == hash(obj)

    @invariant()
    def nothing_changed(self):
        for obj, model in self.versions:
            assert present(obj) == model


PClassMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=25,
                                           deadline=None)
TestPClassStateful = PClassMachine.TestCase
