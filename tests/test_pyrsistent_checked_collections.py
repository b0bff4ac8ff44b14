"""march.pyrsistent._checked_types: CheckedPVector and CheckedPSet
(pyrsistent 0.20's checked vector and set) and their evolvers.

Every way of bringing an element in is tried with an element of a wrong type
(``CheckedValueTypeError``) and with elements failing the invariant
(``InvariantException`` with the data of every failure), the original each
time left as it was; operations that only keep or drop elements keep the
subclass; then repr, pickling, ``create`` of nested checked values,
``serialize``, type specifications given by name, inherited types and
invariants, ``optional``, the evolvers (``is_dirty``, identity, the
``with`` statement, ``finish``), weak references, and a Hypothesis test of
random operations against a list model.

The Vector and Set underneath are the ones ``import march`` picked: the
``MARCH_PURE_PYTHON=1`` run covers the pure-Python twin.
"""
import copy
import functools
import pickle
import weakref
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import march
from march import discard, inc, ny
from march.pyrsistent import _checked_types
from march.pyrsistent._checked_types import (
    CheckedPSet,
    CheckedPVector,
    CheckedType,
    CheckedValueTypeError,
    InvariantException,
    optional,
)
from march.pyrsistent._field_common import field, pset_field, pvector_field
from march.pyrsistent._precord import PRecord
from march.pyrsistent._pset import PSet, pset
from march.pyrsistent._pvector import PVector, pvector

THIS = __name__


class Naturals(CheckedPVector):
    __type__ = int
    __invariant__ = lambda n: (n >= 0, "negative")


class Tags(CheckedPSet):
    __type__ = str
    __invariant__ = lambda t: (len(t) <= 3, "too long")


class Loose(CheckedPVector):
    pass


class LooseSet(CheckedPSet):
    pass


class Point(PRecord):
    x = field(type=int, mandatory=True)
    y = field(type=int, initial=0)


class Points(CheckedPVector):
    __type__ = Point


class PointSet(CheckedPSet):
    __type__ = Point


class Matrix(CheckedPVector):
    """Rows that are themselves checked vectors."""
    __type__ = Naturals


class NamedPoints(CheckedPVector):
    """The element type given by name, resolved when first needed."""
    __type__ = THIS + ".Point"


class NamedTagSets(CheckedPSet):
    __type__ = (THIS + ".Tags", type(None))


class MaybeInts(CheckedPVector):
    __type__ = optional(int)


class Labelled(Naturals):
    """A custom serializer: ``format`` applied to each element."""

    @staticmethod
    def __serializer__(format, item):
        return format % item


class LabelledTags(Tags):
    def __serializer__(self, format, item):
        return format.format(item)


class Small(Naturals):
    """Inherits int and 'negative'; adds float and 'too big'."""
    __type__ = float
    __invariant__ = lambda n: (n < 100, "too big")


class StillNaturals(Naturals):
    pass


class SmallOdd(CheckedPVector):
    """One invariant checking two things."""
    __type__ = int
    __invariant__ = lambda n: ((n < 10, "big"), (n % 2 == 1, "even"))


def _type_error(operation):
    with pytest.raises(CheckedValueTypeError) as info:
        operation()
    assert isinstance(info.value, TypeError)
    return info.value


def _invariant_error(operation):
    with pytest.raises(InvariantException) as info:
        operation()
    return info.value


# -- construction ----------------------------------------------------------------------------

def test_checked_vector_construction():
    ns = Naturals([1, 2, 3])
    assert ns == [1, 2, 3] and type(ns) is Naturals
    assert isinstance(ns, PVector) and isinstance(ns, march.Vector)
    assert isinstance(ns, CheckedType) and isinstance(ns, CheckedPVector)
    assert Naturals() == [] and type(Naturals()) is Naturals
    assert Naturals(range(3)) == [0, 1, 2] and Naturals(x for x in (4,)) == [4]
    assert Naturals(pvector([1])) == [1] and Naturals(march.vector([1])) == [1]
    assert Naturals(ns) is ns
    assert StillNaturals(ns) == ns and type(StillNaturals(ns)) is StillNaturals


def test_checked_set_construction():
    ts = Tags(["a", "b", "a"])
    assert ts == {"a", "b"} and type(ts) is Tags
    assert isinstance(ts, PSet) and isinstance(ts, march.Set) and isinstance(ts, CheckedType)
    assert Tags() == set() and type(Tags()) is Tags
    assert Tags(ts) is ts and Tags(pset(["x"])) == {"x"} and Tags(iter(["y"])) == {"y"}


def test_construction_errors():
    e = _type_error(lambda: Naturals([1, "two", 3.0]))
    assert (e.source_class, e.expected_types, e.actual_type, e.actual_value) == (
        Naturals, (int,), str, "two")
    assert str(e) == "Type Naturals can only be used with ('int',), not str"
    # every failing element is reported, in order
    e = _invariant_error(lambda: Naturals([-1, 2, -3]))
    assert e.invariant_errors == ("negative", "negative") and e.missing_fields == ()
    # the type check comes first
    _type_error(lambda: Naturals([-1, "x"]))
    e = _type_error(lambda: Tags(["a", 1]))
    assert e.actual_value == 1 and e.source_class is Tags
    assert _invariant_error(lambda: Tags(["abcd", "a", "wxyz"])).invariant_errors == (
        "too long", "too long")


def test_no_types_and_no_invariants_accept_anything():
    assert Loose([1, "a", None, [2]]) == [1, "a", None, [2]]
    assert LooseSet([1, "a", None]) == {1, "a", None}
    assert Loose._checked_types == () and Loose._checked_invariants == ()


# -- every way of adding elements checks, and the original is kept -------------------------------

def _vector_additions(ns, bad):
    """Each operation adding ``bad`` to the Naturals ``ns`` = [1, 2, 3]."""
    return [
        ("constructor", lambda: Naturals([1, bad])),
        ("append", lambda: ns.append(bad)),
        ("appendleft", lambda: ns.appendleft(bad)),
        ("insert", lambda: ns.insert(1, bad)),
        ("extend", lambda: ns.extend([4, bad])),
        ("extend generator", lambda: ns.extend(x for x in [bad])),
        ("set", lambda: ns.set(0, bad)),
        ("set at the end", lambda: ns.set(3, bad)),
        ("set negative index", lambda: ns.set(-1, bad)),
        ("mset", lambda: ns.mset(0, 5, 2, bad)),
        ("+ list", lambda: ns + [bad]),
        ("+ tuple", lambda: ns + (4, bad)),
        ("+ vector", lambda: ns + march.vector([bad])),
        ("+ pvector", lambda: ns + pvector([bad])),
        ("from_concat", lambda: Naturals.from_concat([ns, [bad]])),
        ("from_concat of plain vectors", lambda: Naturals.from_concat([pvector([bad])])),
        ("transform", lambda: ns.transform([0], bad)),
        ("transform with a function", lambda: ns.transform([1], lambda n: bad)),
        ("evolver set", lambda: ns.evolver().set(0, bad).persistent()),
        ("evolver setitem", lambda: _setitem_then_persist(ns, 1, bad)),
        ("evolver setitem at the end", lambda: _setitem_then_persist(ns, 3, bad)),
        ("evolver append", lambda: ns.evolver().append(bad).persistent()),
        ("evolver extend", lambda: ns.evolver().extend([4, bad]).persistent()),
        ("mutate append", lambda: ns.mutate().append(bad).finish()),
    ]


@pytest.mark.parametrize("case", [name for name, _ in _vector_additions(None, None)])
def test_vector_additions_check_the_type(case):
    ns = Naturals([1, 2, 3])
    name, operation = case, dict(_vector_additions(ns, "bad"))[case]
    e = _type_error(operation)
    assert e.actual_value == "bad" and e.actual_type is str and e.source_class is Naturals, name
    assert ns == [1, 2, 3] and type(ns) is Naturals


@pytest.mark.parametrize("case", [name for name, _ in _vector_additions(None, None)])
def test_vector_additions_check_the_invariant(case):
    ns = Naturals([1, 2, 3])
    name, operation = case, dict(_vector_additions(ns, -5))[case]
    assert _invariant_error(operation).invariant_errors == ("negative",), name
    assert ns == [1, 2, 3] and type(ns) is Naturals


def _setitem_then_persist(ns, index, value):
    e = ns.evolver()
    e[index] = value
    return e.persistent()


def test_every_failing_invariant_is_reported():
    ns = Naturals([1])
    for operation in (lambda: ns.extend([-1, 2, -3]), lambda: ns + [-1, -3],
                      lambda: ns.mset(0, -1, 0, -3), lambda: Naturals.from_concat([[-1, -3]]),
                      lambda: ns.evolver().extend([-1]).append(-3).persistent()):
        assert _invariant_error(operation).invariant_errors == ("negative", "negative")
    assert _invariant_error(lambda: Naturals([1, 2, 3]).transform([ny], lambda n: -n)
                            ).invariant_errors == ("negative",) * 3
    assert ns == [1]
    ts = Tags()
    for operation in (lambda: ts.update(["long", "a", "xxxx"]), lambda: ts | {"long", "xxxx"},
                      lambda: ts.evolver().add("long").add("xxxx").persistent()):
        assert _invariant_error(operation).invariant_errors == ("too long", "too long")
    e = _invariant_error(lambda: SmallOdd([1, 12, 4]))
    assert e.invariant_errors == (("big", "even"), ("even",))


def test_every_failing_invariant_is_reported_across_several_arguments():
    # the arguments are checked together, not one by one
    assert _invariant_error(lambda: Naturals.from_concat([[-1], [2], [-3]])
                            ).invariant_errors == ("negative", "negative")
    for operation in (lambda: Tags().update(["long"], ["xxxx"]),
                      lambda: Tags().union(["long"], ["xxxx"])):
        assert _invariant_error(operation).invariant_errors == ("too long", "too long")


def _set_additions(ts, bad):
    """Each operation bringing ``bad`` into the Tags ``ts`` = {'a', 'b'}."""
    return [
        ("constructor", lambda: Tags(["a", bad])),
        ("add", lambda: ts.add(bad)),
        ("update", lambda: ts.update(["c"], [bad])),
        ("union", lambda: ts.union(["c"], [bad])),
        ("|", lambda: ts | {bad}),
        ("| pset", lambda: ts | pset([bad])),
        ("reflected |", lambda: {bad} | ts),
        ("| list", lambda: ts | ["c", bad]),
        ("reflected | list", lambda: [bad] | ts),
        ("^ list", lambda: ts ^ [bad]),
        ("^", lambda: ts ^ {bad}),
        ("reflected ^", lambda: frozenset([bad]) ^ ts),
        ("symmetric_difference", lambda: ts.symmetric_difference([bad])),
        ("reflected -", lambda: {bad, "a"} - ts),
        ("evolver add", lambda: ts.evolver().add(bad).persistent()),
        ("mutate add", lambda: ts.mutate().add(bad).finish()),
    ]


@pytest.mark.parametrize("case", [name for name, _ in _set_additions(None, None)])
def test_set_additions_check_the_type(case):
    ts = Tags(["a", "b"])
    name, operation = case, dict(_set_additions(ts, 7))[case]
    e = _type_error(operation)
    assert e.actual_value == 7 and e.source_class is Tags, name
    assert ts == {"a", "b"} and type(ts) is Tags


@pytest.mark.parametrize("case", [name for name, _ in _set_additions(None, None)])
def test_set_additions_check_the_invariant(case):
    ts = Tags(["a", "b"])
    name, operation = case, dict(_set_additions(ts, "long"))[case]
    assert _invariant_error(operation).invariant_errors == ("too long",), name
    assert ts == {"a", "b"} and type(ts) is Tags


def test_set_intersections_never_let_a_wrong_type_in():
    # equal elements may come from either side of an intersection: a float
    # equal to an int either makes the operation fail or is not in the result
    ints = IntSet([1, 2])
    for operation in (lambda: ints & {1.0}, lambda: {1.0} & ints,
                      lambda: ints.intersection([1.0]), lambda: ints.intersection({1.0, 2})):
        try:
            result = operation()
        except CheckedValueTypeError as e:
            assert e.actual_value == 1.0
        else:
            assert type(result) is IntSet and all(type(x) is int for x in result)
    assert ints == {1, 2} and all(type(x) is int for x in ints)


class IntSet(CheckedPSet):
    __type__ = int


def test_set_results_that_add_nothing_new_are_fine():
    ts = Tags(["a", "b"])
    for result, expected in [(ts & {"a", "zzzz"}, {"a"}), ({"a", 3} & ts, {"a"}),
                             (ts.intersection(["b", 5]), {"b"}), (ts | {"a"}, {"a", "b"}),
                             (ts.union(["c"]), {"a", "b", "c"}), ({"c", "a"} - ts, {"c"}),
                             (ts ^ {"a", "c"}, {"b", "c"}), ({"a"} | ts, {"a", "b"})]:
        assert result == expected and type(result) is Tags


# -- operations that only keep or drop elements keep the class ------------------------------------

def test_vector_reductions_keep_the_class():
    ns = Naturals([1, 2, 3, 2])
    for result, expected in [(ns[1:], [2, 3, 2]), (ns[::-1], [2, 3, 2, 1]), (ns[2:2], []),
                             (ns.delete(0), [2, 3, 2]), (ns.delete(1, 3), [1, 2]),
                             (ns.remove(2), [1, 3, 2]), (ns * 2, [1, 2, 3, 2] * 2),
                             (2 * ns, [1, 2, 3, 2] * 2), (ns * 0, []), (ns.pop()[0], [1, 2, 3]),
                             (ns.split(2)[1], [3, 2]), (ns + ns, [1, 2, 3, 2] * 2),
                             (ns.transform([lambda i: i > 1], discard), [1, 2]),
                             (ns.transform([0], inc), [2, 2, 3, 2]),
                             (ns.evolver().delete(0).persistent(), [2, 3, 2]),
                             (ns.evolver().remove(3).persistent(), [1, 2, 2]),
                             (ns.evolver().delete(0, 2).persistent(), [3, 2]),
                             (copy.copy(ns), [1, 2, 3, 2]), (copy.deepcopy(ns), [1, 2, 3, 2])]:
        assert result == expected and type(result) is Naturals, (result, expected)
    e = ns.evolver()
    del e[0]
    assert e.persistent() == [2, 3, 2] and type(e.persistent()) is Naturals
    assert ns == [1, 2, 3, 2]


def test_set_reductions_keep_the_class():
    ts = Tags(["a", "b", "c"])
    for result, expected in [(ts.remove("a"), {"b", "c"}), (ts.discard("a"), {"b", "c"}),
                             (ts - {"a"}, {"b", "c"}), (ts.difference(["a"], ["b"]), {"c"}),
                             (ts & {"a"}, {"a"}), (ts.intersection(["a", "b"]), {"a", "b"}),
                             (ts - ts, set()), (ts.evolver().remove("a").persistent(), {"b", "c"}),
                             (ts.evolver().discard("a").persistent(), {"b", "c"}),
                             (ts.copy(), {"a", "b", "c"}), (copy.deepcopy(ts), {"a", "b", "c"})]:
        assert result == expected and type(result) is Tags, (result, expected)
    assert ts.add("a") is ts and ts.discard("zz") is ts
    with pytest.raises(KeyError):
        ts.remove("zz")
    assert ts == {"a", "b", "c"}


def test_successful_additions_keep_the_class():
    ns = Naturals([1])
    for result, expected in [(ns.append(2), [1, 2]), (ns.appendleft(0), [0, 1]),
                             (ns.insert(0, 5), [5, 1]), (ns.extend([2, 3]), [1, 2, 3]),
                             (ns.set(0, 7), [7]), (ns.set(1, 7), [1, 7]), (ns.mset(0, 9), [9]),
                             (ns + [2], [1, 2]), (ns + (2,), [1, 2]),
                             (ns + march.vector([2]), [1, 2]),
                             (Naturals.from_concat([ns, [2], pvector([3])]), [1, 2, 3]),
                             (ns.transform([0], 4), [4]),
                             (ns.evolver().append(2).persistent(), [1, 2])]:
        assert result == expected and type(result) is Naturals, (result, expected)
    ts = Tags(["a"])
    for result, expected in [(ts.add("b"), {"a", "b"}), (ts.update(["b"], ["c"]), {"a", "b", "c"}),
                             (ts.union(["b"]), {"a", "b"}), (ts | {"b"}, {"a", "b"}),
                             ({"b"} | ts, {"a", "b"}), (ts ^ {"a", "b"}, {"b"}),
                             ({"b"} ^ ts, {"a", "b"}), (ts.symmetric_difference(["b"]), {"a", "b"}),
                             ({"a", "b"} - ts, {"b"}), (ts.evolver().add("b").persistent(), {"a", "b"})]:
        assert result == expected and type(result) is Tags, (result, expected)


def test_from_concat_takes_parts_of_its_own_class_as_they_are():
    ns = Naturals([1, 2])
    assert Naturals.from_concat([]) == [] and type(Naturals.from_concat([])) is Naturals
    both = Naturals.from_concat([ns, ns])
    assert both == [1, 2, 1, 2] and type(both) is Naturals
    # a part of another checked class is checked like any other
    _type_error(lambda: Naturals.from_concat([ns, Loose(["x"])]))


def test_plain_vector_plus_checked_vector_with_valid_elements():
    # the left operand's + makes a plain vector (the twin too)
    ns = Naturals([1])
    result = pvector([5]) + ns
    assert result == [5, 1] and isinstance(result, PVector)
    assert march.vector([5]) + ns == [5, 1]
    with pytest.raises(TypeError):
        [0] + ns  # a list does not take a vector, as in pyrsistent
    with pytest.raises(TypeError):
        (0,) + ns
    assert ns == [1]


def test_plain_vector_plus_checked_vector_is_the_plain_vectors_concatenation():
    # as in pyrsistent: nothing is checked, the result is not a Naturals
    result = pvector(["x"]) + Naturals([1])
    assert result == ["x", 1] and type(result) is PVector
    result = march.vector([-1]) + Naturals([1])
    assert result == [-1, 1] and type(result) is march.Vector


def test_checked_set_operators_take_any_iterable_as_pset_does():
    assert pset(["a"]) | ["b"] == {"a", "b"}  # PSet: fine
    ts = Tags(["a"])
    assert ts | ["b"] == {"a", "b"} and type(ts | ["b"]) is Tags
    assert ts & ["a"] == {"a"} and type(ts & ["a"]) is Tags
    assert ts ^ ["b"] == {"a", "b"} and type(ts ^ ["b"]) is Tags
    assert ["b"] | ts == {"a", "b"} and type(["b"] | ts) is Tags
    assert ("b",) ^ ts == {"a", "b"} and type(("b",) ^ ts) is Tags
    # what is not iterable is refused as Set's operators refuse it
    for operation in (lambda: ts | 5, lambda: 5 | ts, lambda: ts ^ 5, lambda: ts & 5):
        with pytest.raises(TypeError) as info:
            operation()
        assert not isinstance(info.value, CheckedValueTypeError)
    assert ts == {"a"}


# -- repr, equality, hashing ------------------------------------------------------------------

def test_repr():
    assert repr(Naturals([1, 2])) == "Naturals([1, 2])" == str(Naturals([1, 2]))
    assert repr(Naturals()) == "Naturals([])"
    assert repr(Tags()) == "Tags()" == str(Tags())
    assert repr(Tags(["a"])) == "Tags(['a'])" == str(Tags(["a"]))
    two = repr(Tags(["a", "b"]))
    assert two in ("Tags(['a', 'b'])", "Tags(['b', 'a'])")
    assert repr(Matrix.create([[1], []])) == "Matrix([Naturals([1]), Naturals([])])"
    assert repr(Points([Point(x=1)])) == "Points([Point(x=1, y=0)])"


def test_repr_matches_pyrsistent():
    pyrsistent = pytest.importorskip("pyrsistent")

    class Naturals(pyrsistent.CheckedPVector):
        __type__ = int

    class Tags(pyrsistent.CheckedPSet):
        __type__ = str

    for items in ([], [1], [1, 2, 3]):
        assert repr(globals()["Naturals"](items)) == repr(Naturals(items))
    for items in ([], ["a"]):
        assert repr(globals()["Tags"](items)) == repr(Tags(items))


def test_equality_and_hash():
    ns = Naturals([1, 2])
    assert ns == [1, 2] and ns == pvector([1, 2]) and ns == Loose([1, 2])
    assert hash(ns) == hash(pvector([1, 2])) == hash(Naturals([1, 2]))
    ts = Tags(["a"])
    assert ts == {"a"} and ts == frozenset(["a"]) and ts == pset(["a"])
    assert hash(ts) == hash(frozenset(["a"])) == hash(pset(["a"]))


# -- pickling, weak references, slots -------------------------------------------------------------

@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_keeps_the_class(protocol):
    for value in (Naturals([1, 2]), Naturals(), Tags(["a", "b"]), Tags(),
                  Matrix.create([[1], [2, 3]]), Points.create([{"x": 1}]),
                  PointSet.create([{"x": 2, "y": 3}]), NamedPoints([Point(x=1)]),
                  Labelled([4]), Small([1.5])):
        back = pickle.loads(pickle.dumps(value, protocol=protocol))
        assert back == value and type(back) is type(value)
        assert [type(x) for x in back] == [type(x) for x in value]


def test_weak_references_and_slots():
    for value in (Naturals([1]), Tags(["a"]), Matrix()):
        assert weakref.ref(value)() is value
        with pytest.raises(AttributeError):
            value.extra = 1
    assert Naturals.__slots__ == () and Tags.__slots__ == () and Small.__slots__ == ()
    e = Naturals([1]).evolver()
    with pytest.raises(AttributeError):
        e.extra = 1


# -- create and serialize ---------------------------------------------------------------------------

def test_create_builds_nested_checked_vectors():
    m = Matrix.create([[1, 2], [], Naturals([3])])
    assert m == [[1, 2], [], [3]] and type(m) is Matrix
    assert [type(row) for row in m] == [Naturals, Naturals, Naturals]
    assert Matrix.create(m) is m
    assert _invariant_error(lambda: Matrix.create([[1], [-1]])).invariant_errors == ("negative",)
    _type_error(lambda: Matrix.create([[1, "a"]]))
    _type_error(lambda: Matrix([[1]]))  # the constructor does not build
    assert Naturals.create([1, 2]) == [1, 2] and type(Naturals.create([1])) is Naturals


def test_create_builds_records():
    ps = Points.create([{"x": 1}, Point(x=2, y=5)])
    assert ps == [Point(x=1), Point(x=2, y=5)] and type(ps[0]) is Point
    with pytest.raises(AttributeError):
        Points.create([{"x": 1, "z": 2}])
    assert Points.create([{"x": 1, "z": 2}], ignore_extra=True) == [Point(x=1)]
    with pytest.raises(InvariantException) as info:
        Points.create([{"y": 1}])  # x is mandatory
    assert info.value.missing_fields == ("Point.x",)
    s = PointSet.create([{"x": 1}, {"x": 1}, {"x": 2}])
    assert type(s) is PointSet and s == {Point(x=1), Point(x=2)}
    assert all(type(p) is Point for p in s)
    assert PointSet.create([{"x": 1, "q": 0}], ignore_extra=True) == {Point(x=1)}


def test_serialize():
    assert Naturals([1, 2]).serialize() == [1, 2] and type(Naturals().serialize()) is list
    m = Matrix.create([[1, 2], [3]])
    out = m.serialize()
    assert out == [[1, 2], [3]] and type(out) is list and type(out[0]) is list
    assert Matrix.create(out) == m
    assert Points([Point(x=1)]).serialize() == [{"x": 1, "y": 0}]
    assert type(Points([Point(x=1)]).serialize()[0]) is dict
    assert Tags(["a", "b"]).serialize() == {"a", "b"} and type(Tags().serialize()) is set


def test_custom_serializer():
    assert Labelled([1, 2]).serialize("<%d>") == ["<1>", "<2>"]
    assert LabelledTags(["a"]).serialize("[{0}]") == {"[a]"}
    # serialize without a format passes None
    seen = []

    class Spy(CheckedPVector):
        __type__ = int

        @staticmethod
        def __serializer__(format, item):
            seen.append(format)
            return item

    assert Spy([1]).serialize() == [1] and seen == [None]


# -- type specifications -------------------------------------------------------------------------

def test_types_given_by_name():
    ps = NamedPoints([Point(x=1)])
    assert type(ps) is NamedPoints and NamedPoints._checked_types == (THIS + ".Point",)
    _type_error(lambda: NamedPoints([{"x": 1}]))
    assert NamedPoints.create([{"x": 1}]) == [Point(x=1)]
    assert ps.append(Point(x=2)) == [Point(x=1), Point(x=2)]
    sets = NamedTagSets([Tags(["a"]), None])
    assert len(sets) == 2 and type(sets) is NamedTagSets
    _type_error(lambda: sets.add(frozenset(["a"])))
    assert NamedTagSets.create([["b"]]) == {Tags(["b"])}


def test_a_name_that_does_not_resolve_fails_when_used():
    class Missing(CheckedPVector):
        __type__ = "no_such_module_for_march_tests.Thing"

    with pytest.raises(ImportError):
        Missing([1])


def test_optional():
    assert MaybeInts([1, None, 2]) == [1, None, 2]
    assert MaybeInts._checked_types == (int, type(None))
    e = _type_error(lambda: MaybeInts([1.5]))
    assert e.expected_types == (int, type(None))
    assert str(e) == "Type MaybeInts can only be used with ('int', 'NoneType'), not float"


def test_inherited_types_and_invariants():
    assert StillNaturals._checked_types == (int,)
    assert len(StillNaturals._checked_invariants) == 1
    assert _invariant_error(lambda: StillNaturals([-1])).invariant_errors == ("negative",)
    _type_error(lambda: StillNaturals(["a"]))
    assert Small._checked_types == (float, int) and len(Small._checked_invariants) == 2
    assert Small([1, 2.5]) == [1, 2.5]
    _type_error(lambda: Small(["1"]))
    # the subclass's invariant runs first, then the inherited one
    assert _invariant_error(lambda: Small([-1, 200.0])).invariant_errors == ("negative", "too big")
    assert _invariant_error(lambda: Small([200.0, -1])).invariant_errors == ("too big", "negative")
    assert _invariant_error(lambda: Small([-200.0])).invariant_errors == ("negative",)
    assert _invariant_error(lambda: Small([1]).append(500)).invariant_errors == ("too big",)
    assert type(Small([1]).append(2.5)) is Small
    assert type(Small) is _checked_types._CheckedTypeMeta


def test_invariant_data_may_be_lazy_and_invariants_must_be_callable():
    class Lazy(CheckedPVector):
        __invariant__ = lambda n: (n > 0, lambda: "%r is not positive" % (n,))

    assert _invariant_error(lambda: Lazy([0, -2])).invariant_errors == (
        "0 is not positive", "-2 is not positive")
    with pytest.raises(TypeError, match="Invariants must be callable"):
        class Broken(CheckedPSet):
            __invariant__ = "yes"


# -- the evolvers ------------------------------------------------------------------------------------

def test_vector_evolver():
    ns = Naturals([1, 2])
    e = ns.evolver()
    assert isinstance(e, CheckedPVector.Evolver) and Naturals.Evolver is CheckedPVector.Evolver
    assert not e.is_dirty() and e.persistent() is ns and e.finish() is ns
    assert e.append(3) is e and e.set(0, 10) is e and e.extend([4]) is e
    e[1] = 20
    assert e.is_dirty() and len(e) == 4 and list(e) == [10, 20, 3, 4] and e[-1] == 4
    out = e.persistent()
    assert out == [10, 20, 3, 4] and type(out) is Naturals and not e.is_dirty()
    assert e.persistent() is out and e.finish() is out
    e.append(5)
    again = e.persistent()
    assert again == [10, 20, 3, 4, 5] and out == [10, 20, 3, 4] and ns == [1, 2]
    assert ns.mutate().persistent() is ns


def test_evolver_type_errors_change_nothing_invariant_errors_wait_for_persistent():
    ns = Naturals([1])
    e = ns.evolver()
    for bad in (lambda: e.append("x"), lambda: e.extend([2, "x"]), lambda: e.set(0, "x"),
                lambda: e.__setitem__(0, 1.5)):
        _type_error(bad)
        assert list(e) == [1] and not e.is_dirty()
    assert e.persistent() is ns
    e.append(-1).append(2).extend([-3])  # recorded, applied
    assert list(e) == [1, -1, 2, -3] and e.is_dirty()
    for _ in range(2):
        assert _invariant_error(e.persistent).invariant_errors == ("negative", "negative")
    _invariant_error(e.finish)
    assert ns == [1]


def test_set_evolver():
    ts = Tags(["a", "b"])
    e = ts.evolver()
    assert isinstance(e, CheckedPSet.Evolver) and Tags.Evolver is CheckedPSet.Evolver
    assert not e.is_dirty() and e.persistent() is ts
    assert e.add("c") is e and e.remove("a") is e and e.discard("zz") is e and e.discard("b") is e
    assert "c" in e and "a" not in e and len(e) == 1 and e.is_dirty()
    with pytest.raises(KeyError):
        e.remove("a")
    out = e.persistent()
    assert out == {"c"} and type(out) is Tags and e.persistent() is out and not e.is_dirty()
    assert ts == {"a", "b"}
    e2 = ts.evolver()
    _type_error(lambda: e2.add(1))
    assert not e2.is_dirty() and len(e2) == 2
    e2.add("long")
    assert "long" in e2
    assert _invariant_error(e2.persistent).invariant_errors == ("too long",)
    # adding what is there changes nothing
    e3 = ts.evolver()
    e3.add("a")
    assert e3.persistent() is ts


def test_set_evolver_iteration_is_consistent():
    e = Tags(["a"]).evolver()
    e.add("b")
    if isinstance(e, Iterable):
        assert sorted(e) == ["a", "b"]
    else:
        with pytest.raises(TypeError):
            iter(e)


def test_vector_evolver_iterates():
    # by indexing, as pyrsistent's evolver does
    e = Naturals([1]).evolver()
    e.append(2)
    assert list(e) == [1, 2] and 2 in e


def test_finish_is_persistent():
    ns, ts = Naturals([1]), Tags(["a"])
    for value, change, bad in ((ns, lambda e: e.append(2), lambda e: e.append(-1)),
                               (ts, lambda e: e.add("b"), lambda e: e.add("long"))):
        e = value.evolver()
        assert e.finish() is value
        change(e)
        out = e.finish()
        assert type(out) is type(value) and e.persistent() is out and e.finish() is out
        assert not e.is_dirty()
        bad(e)
        for end in (e.finish, e.persistent):
            with pytest.raises(InvariantException):
                end()


def test_evolver_of_another_destination_class():
    e = Naturals.Evolver(Naturals, pvector([1, 2]))
    out = e.persistent()
    assert out == [1, 2] and type(out) is Naturals and e.persistent() is out
    s = Tags.Evolver(Tags, pset(["a"])).add("b").persistent()
    assert s == {"a", "b"} and type(s) is Tags


def test_evolver_as_a_context_manager():
    ns = Naturals([1])
    with ns.evolver() as e:
        assert e.append(2) is e
    assert e.persistent() == [1, 2] and not e.is_dirty()

    # no exception in the block: __exit__ calls persistent(), which raises
    with pytest.raises(InvariantException):
        with ns.evolver() as e:
            e.append(-1)

    # an exception in the block: it propagates, persistent() is not called
    class Stop(Exception):
        pass

    with pytest.raises(Stop):
        with ns.evolver() as e:
            e.append(-1)
            raise Stop
    e = ns.evolver()
    assert e.__enter__() is e
    assert e.__exit__(None, None, None) is False
    e.append(-1)
    assert e.__exit__(Stop, Stop(), None) is False  # no InvariantException raised
    with Tags().evolver() as te:
        te.add("x")
    assert te.persistent() == {"x"} and type(te.persistent()) is Tags
    assert ns == [1]


def test_evolver_errors_for_indices_and_slices():
    e = Naturals([1, 2]).evolver()
    with pytest.raises(IndexError):
        e[5] = 1
    with pytest.raises(IndexError):
        e[5]
    with pytest.raises(IndexError):
        del e[5]
    with pytest.raises(TypeError):
        e[0:1] = [5]  # no slice assignment (the list is not an int either)
    assert list(e) == [1, 2] and not e.is_dirty()


# -- record fields use these classes -----------------------------------------------------------------

class Holder(PRecord):
    xs = pvector_field(int)
    ts = pset_field(str)


def test_pvector_and_pset_fields():
    h = Holder(xs=[1, 2], ts=["a"])
    assert isinstance(h.xs, CheckedPVector) and isinstance(h.ts, CheckedPSet)
    assert h.xs == [1, 2] and h.ts == {"a"}
    _type_error(lambda: h.xs.append("3"))
    _type_error(lambda: Holder(ts=[1]))
    back = pickle.loads(pickle.dumps(h))
    assert back == h and type(back.xs) is type(h.xs)


# -- random operations against a list model ---------------------------------------------------------

# mostly valid: about one value in twelve is negative, one in twenty of a
# wrong type
VALUES = st.integers(0, 19).flatmap(
    lambda k: st.sampled_from(["s", 1.5, None]) if k == 0
    else st.integers(-3, 3) if k < 5 else st.integers(0, 30))


def _ops():
    index = st.integers(-5, 5)
    values = st.lists(VALUES, max_size=4)
    return st.one_of(
        st.tuples(st.just("append"), VALUES),
        st.tuples(st.just("appendleft"), VALUES),
        st.tuples(st.just("insert"), index, VALUES),
        st.tuples(st.just("extend"), values),
        st.tuples(st.just("set"), index, VALUES),
        st.tuples(st.just("mset"), index, VALUES, index, VALUES),
        st.tuples(st.just("add"), values),
        st.tuples(st.just("from_concat"), values),
        st.tuples(st.just("transform"), index, VALUES),
        st.tuples(st.just("evolver"), st.lists(st.tuples(index, VALUES), max_size=3), values),
        st.tuples(st.just("delete"), index),
        st.tuples(st.just("remove"), VALUES),
        st.tuples(st.just("slice"), index, index),
        st.tuples(st.just("multiply"), st.integers(-1, 2)),
    )


def _apply(ns, op):
    """Run ``op`` on the Naturals ``ns``."""
    name, args = op[0], op[1:]
    if name == "add":
        return ns + args[0]
    if name == "from_concat":
        return Naturals.from_concat([ns, args[0]])
    if name == "transform":
        return ns.transform([args[0]], args[1])
    if name == "evolver":
        e = ns.evolver()
        for i, x in args[0]:
            e[i] = x
        e.extend(args[1])
        return e.persistent()
    if name == "slice":
        return ns[args[0]:args[1]]
    if name == "multiply":
        return ns * args[0]
    return getattr(ns, name)(*args)


class _Expect(Exception):
    """What the model says the operation must raise."""

    def __init__(self, kind, detail=None):
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


def _check_now(values):
    """The checks of an operation that adds ``values`` at once: the first
    element of a wrong type, else every negative one."""
    for x in values:
        if not isinstance(x, int):
            raise _Expect(CheckedValueTypeError, x)
    negatives = [x for x in values if x < 0]
    if negatives:
        raise _Expect(InvariantException, len(negatives))


def _place(out, i, x):
    """``out[i] = x`` as ``set`` does it (``i == len(out)`` appends)."""
    if i == len(out):
        out.append(x)
    elif -len(out) <= i < len(out):
        out[i] = x
    else:
        raise _Expect(IndexError)


def _model(model, op):
    """The list ``op`` makes of ``model``, or _Expect with what it raises.

    The vector's own methods check every new element (type, then
    invariant) before anything else; ``transform`` and the evolver check a
    type at once, in step with the index checks, and report failed
    invariants when made persistent."""
    name, args = op[0], op[1:]
    out = list(model)
    if name in ("append", "appendleft"):
        _check_now([args[0]])
        return out + [args[0]] if name == "append" else [args[0]] + out
    if name in ("extend", "add", "from_concat"):
        _check_now(args[0])
        return out + list(args[0])
    if name == "insert":
        _check_now([args[1]])
        if not -len(out) <= args[0] <= len(out):
            raise _Expect(IndexError)
        out.insert(args[0], args[1])
        return out
    if name == "set":
        _check_now([args[1]])
        _place(out, args[0], args[1])
        return out
    if name == "mset":
        _check_now([args[1], args[3]])
        _place(out, args[0], args[1])
        _place(out, args[2], args[3])
        return out
    if name in ("transform", "evolver"):
        steps = [(args[0], args[1])] if name == "transform" else list(args[0])
        negatives = 0
        for i, x in steps:
            if not isinstance(x, int):
                raise _Expect(CheckedValueTypeError, x)
            _place(out, i, x)
            negatives += x < 0
        if name == "evolver":
            for x in args[1]:
                if not isinstance(x, int):
                    raise _Expect(CheckedValueTypeError, x)
            negatives += sum(x < 0 for x in args[1])
            out += list(args[1])
        if negatives:
            raise _Expect(InvariantException, negatives)
        return out
    if name == "delete":
        if not -len(out) <= args[0] < len(out):
            raise _Expect(IndexError)
        del out[args[0]]
        return out
    if name == "remove":
        if args[0] not in out:
            raise _Expect(ValueError)
        out.remove(args[0])
        return out
    if name == "slice":
        return out[args[0]:args[1]]
    if name == "multiply":
        return out * args[0]
    raise AssertionError(name)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=6), st.lists(_ops(), min_size=1, max_size=8))
def test_random_operations_against_a_list_model(initial, ops):
    ns = Naturals(initial)
    model = list(initial)
    for op in ops:
        before = ns
        try:
            expected = _model(model, op)
        except _Expect as expect:
            with pytest.raises(expect.kind) as info:
                _apply(ns, op)
            if expect.kind is CheckedValueTypeError:
                assert info.value.actual_value is expect.detail
            elif expect.kind is InvariantException:
                assert info.value.invariant_errors == ("negative",) * expect.detail
            # the failed operation left the vector as it was
            assert ns is before and list(ns) == model and type(ns) is Naturals
            continue
        result = _apply(ns, op)
        assert type(result) is Naturals and list(result) == expected
        assert all(type(x) is int and x >= 0 for x in result)
        assert list(ns) == model  # the previous version is intact
        ns, model = result, expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=4), max_size=5),
       st.lists(st.tuples(st.sampled_from(["add", "update", "union", "or", "xor", "rsub",
                                           "remove", "discard", "sub", "and"]),
                          st.lists(st.one_of(st.text(max_size=4), st.integers(0, 2)), max_size=3)),
                max_size=8))
def test_random_set_operations_against_a_set_model(initial, ops):
    short = [t for t in initial if len(t) <= 3]
    ts = Tags(short)
    model = set(short)
    for name, items in ops:
        before = set(ts)
        if name in ("remove", "discard", "sub", "and"):
            # nothing new comes in
            if name == "remove":
                present = [x for x in items if x in model]
                if not present:
                    continue
                result, expected = ts.remove(present[0]), model - {present[0]}
            elif name == "discard":
                result, expected = ts.discard(items[0] if items else "q"), model - set(items[:1] or ["q"])
            elif name == "sub":
                result, expected = ts - set(items), model - set(items)
            else:
                result, expected = ts & set(items), model & set(items)
            assert type(result) is Tags and set(result) == expected
            ts, model = result, expected
            continue
        operation = {"add": lambda: functools.reduce(lambda acc, x: acc.add(x), items, ts),
                     "update": lambda: ts.update(items),
                     "union": lambda: ts.union(items),
                     "or": lambda: ts | set(items),
                     "xor": lambda: ts ^ set(items),
                     "rsub": lambda: set(items) - ts}[name]
        incoming = [x for x in items if not (name == "rsub" and x in model)]
        expected = {"add": model | set(items), "update": model | set(items),
                    "union": model | set(items), "or": model | set(items),
                    "xor": model ^ set(items), "rsub": set(items) - model}[name]
        if name == "add":
            # one add at a time: the first refused element decides the error
            incoming = incoming[:next((i + 1 for i, x in enumerate(incoming)
                                       if not isinstance(x, str) or len(x) > 3), None)]
        if any(not isinstance(x, str) for x in incoming):
            with pytest.raises(CheckedValueTypeError):
                operation()
        elif any(len(x) > 3 for x in incoming):
            with pytest.raises(InvariantException):
                operation()
        else:
            result = operation()
            assert type(result) is Tags and set(result) == expected
            ts, model = result, expected
            continue
        assert set(ts) == before
