"""march.pyrsistent._immutable: immutable(), pyrsistent 0.20's named-tuple
class factory: fields, ``set``, frozen fields, subclasses, errors; and a
Hypothesis test of ``set`` against a dict model."""
import doctest
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from march.pyrsistent import _immutable
from march.pyrsistent._immutable import immutable


class Pair(immutable("left right")):
    pass


class Labelled(immutable(["value", "label_"])):
    pass


class Positive(immutable("n")):
    __slots__ = ()

    def __new__(cls, n):
        if n <= 0:
            raise ValueError("not positive: %r" % (n,))
        return super().__new__(cls, n)


# -- the class --------------------------------------------------------------

def test_members_from_a_string_with_commas_or_spaces():
    for spec in ("a, b, c", "a b c", "a,b,c", " a ,b   c "):
        cls = immutable(spec)
        assert cls._fields == ("a", "b", "c")


def test_members_from_an_iterable():
    assert immutable(["p", "q"])._fields == ("p", "q")
    assert immutable(iter(("p",)))._fields == ("p",)
    assert immutable()._fields == ()


def test_name_and_repr():
    Point = immutable("x, y", name="Point")
    assert Point.__name__ == "Point"
    point = Point(1, y=2)
    assert repr(point) == "Point(x=1, y=2)"
    assert str(Pair(3, 4)) == "Pair(left=3, right=4)"
    assert repr(immutable()()) == "Immutable()"


def test_instances_are_tuples():
    pair = Pair(1, 2)
    assert isinstance(pair, tuple)
    assert pair == (1, 2)
    assert pair[0] == 1
    assert pair.right == 2
    assert hash(pair) == hash((1, 2))
    left, right = pair
    assert (left, right) == (1, 2)


def test_fields_cannot_be_assigned():
    pair = Pair(1, 2)
    with pytest.raises(AttributeError):
        pair.left = 5
    with pytest.raises(AttributeError):
        del pair.right
    assert pair == (1, 2)


def test_the_class_itself_has_no_instance_dict():
    # (a subclass without __slots__ gets one, as any Python subclass does)
    pair = immutable("left right")(1, 2)
    with pytest.raises(AttributeError):
        pair.other = 5
    assert not hasattr(pair, "__dict__")


def test_verbose_prints_an_outline(capsys):
    cls = immutable("a, b_", name="Thing", verbose=True)
    out = capsys.readouterr().out
    assert "class Thing" in out
    assert "b_" in out
    assert cls(1, 2).set(a=3) == (3, 2)


def test_bad_names():
    with pytest.raises(SyntaxError):
        immutable("a", name="not valid")
    with pytest.raises(SyntaxError):
        immutable("a", name="class")
    with pytest.raises(ValueError):
        immutable("a, a")
    with pytest.raises(ValueError):
        immutable("_hidden")
    with pytest.raises(ValueError):
        immutable("def")


# -- set --------------------------------------------------------------------

def test_set_replaces_fields_and_leaves_the_original():
    pair = Pair(1, 2)
    moved = pair.set(right=20)
    assert moved == (1, 20)
    assert type(moved) is Pair
    assert pair == (1, 2)
    assert pair.set(left=0, right=0) == (0, 0)


def test_set_without_arguments_is_the_same_object():
    pair = Pair(1, 2)
    assert pair.set() is pair
    empty = immutable()()
    assert empty.set() is empty


def test_set_unknown_member():
    with pytest.raises(AttributeError) as info:
        Pair(1, 2).set(middle=3)
    assert str(info.value) == "'middle' is not a member"
    with pytest.raises(AttributeError):
        immutable()().set(a=1)


def test_frozen_members():
    item = Labelled(5, "id-1")
    assert item.set(value=6) == (6, "id-1")
    with pytest.raises(AttributeError) as info:
        item.set(label_="id-2")
    assert str(info.value) == "Cannot set frozen members label_"
    with pytest.raises(AttributeError):
        item.set(value=7, label_="id-2")
    assert item == (5, "id-1")
    # the frozen field can still be given when the object is made
    assert Labelled(value=1, label_="x").label_ == "x"


def test_unknown_member_is_reported_before_frozen_ones():
    with pytest.raises(AttributeError) as info:
        Labelled(1, "a").set(label_="b", nope=1)
    assert "is not a member" in str(info.value)


def test_set_goes_through_the_subclass_new():
    value = Positive(3)
    assert value.set(n=4) == (4,)
    assert type(value.set(n=4)) is Positive
    with pytest.raises(ValueError):
        value.set(n=-1)
    with pytest.raises(ValueError):
        Positive(0)


def test_subclass_with_a_new_of_its_own_signature():
    class Derived(immutable(["x", "y"])):
        def __new__(cls, x, y):
            return super(Derived, cls).__new__(cls, x, y)

    derived = Derived(1, 2)
    assert derived.set(x=3) == (3, 2)
    assert repr(derived.set(y=9)) == "Derived(x=1, y=9)"


def test_pickle_of_a_module_level_class():
    for obj in (Pair(1, [2]), Labelled("v", "l")):
        back = pickle.loads(pickle.dumps(obj))
        assert back == obj
        assert type(back) is type(obj)


def test_docstring_examples_run():
    result = doctest.testmod(_immutable)
    assert result.attempted > 0
    assert result.failed == 0


# -- Hypothesis: set against a dict model -----------------------------------

FIELD_NAMES = st.lists(
    st.sampled_from(["a", "b", "c", "d_", "e_", "value", "x1"]),
    unique=True, max_size=5)


@given(FIELD_NAMES, st.data())
@settings(max_examples=150)
def test_set_matches_a_dict_model(names, data):
    cls = immutable(names, name="Rec")
    values = data.draw(st.lists(st.integers(), min_size=len(names), max_size=len(names)))
    obj = cls(*values)
    model = dict(zip(names, values))
    for _ in range(data.draw(st.integers(0, 5))):
        changes = data.draw(st.dictionaries(
            st.sampled_from(names + ["zz", "q_"]), st.integers(), max_size=3))
        unknown = [k for k in changes if k not in model]
        frozen = [k for k in changes if k in model and k.endswith("_")]
        if unknown or frozen:
            with pytest.raises(AttributeError):
                obj.set(**changes)
            continue
        new = obj.set(**changes)
        if not changes:
            assert new is obj
        model = {**model, **changes}
        obj = new
        assert type(obj) is cls
        assert obj._asdict() == model
        assert [getattr(obj, k) for k in names] == list(model.values())
