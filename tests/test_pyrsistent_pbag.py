"""march.pyrsistent._pbag: PBag, pbag and b (pyrsistent 0.20's bag).

Unit tests of the documented behaviour, then Hypothesis tests against
``collections.Counter``: random operator results, and a state machine that
keeps every version it made and checks that none of them changed.

The Map behind the bag is the one ``import march`` picked: CI's
``MARCH_PURE_PYTHON=1`` run covers the pure-Python twin.
"""
import copy
import doctest
import pickle
import weakref
from collections import Counter
from collections.abc import Collection, Container, Hashable, Iterable, Sized

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

import march
from march.pyrsistent import _pbag
from march.pyrsistent._pbag import PBag, b, pbag


def as_counter(bag):
    """The model of a bag, read through its iteration only."""
    return Counter(iter(bag))


# -- construction -----------------------------------------------------------

def test_b_and_pbag_agree():
    assert b(3, 1, 3) == pbag([3, 3, 1])
    assert as_counter(b("x", "y", "x")) == Counter({"x": 2, "y": 1})


def test_the_empty_bag_is_shared():
    assert b() is b()
    assert pbag([]) is b()
    assert pbag(()) is b()
    assert pbag(iter([])) is b()
    # any falsy argument gives the empty bag, as in pyrsistent
    assert pbag(None) is b()
    assert pbag(0) is b()


def test_pbag_takes_any_iterable():
    assert pbag(iter("aba")) == b("a", "b", "a")
    assert pbag(c for c in "zz") == b("z", "z")
    assert pbag(range(3)) == b(0, 1, 2)
    # a mapping is iterated: its keys are the elements, not counts
    assert pbag({"k": 5, "j": 1}) == b("j", "k")


def test_pbag_refuses_unhashable_elements():
    with pytest.raises(TypeError):
        pbag([[1]])
    with pytest.raises(TypeError):
        b(1).add({})


def test_direct_construction_from_counts():
    assert PBag({"a": 2, "b": 1}) == b("a", "a", "b")
    assert PBag(march.Map({5: 3})) == b(5, 5, 5)
    assert len(PBag({})) == 0
    with pytest.raises(TypeError):
        PBag([1, 2])
    with pytest.raises(ValueError):
        PBag({"a": 0})
    with pytest.raises(TypeError):
        PBag({"a": 1.5})


# -- single elements --------------------------------------------------------

def test_add_counts_up():
    bag = b()
    one = bag.add("q")
    two = one.add("q")
    assert (len(bag), len(one), len(two)) == (0, 1, 2)
    assert two.count("q") == 2
    assert one.count("q") == 1


def test_remove_counts_down_and_drops_at_zero():
    bag = b(7, 7, 8)
    assert bag.remove(7) == b(7, 8)
    assert bag.remove(7).remove(7) == b(8)
    assert 7 not in bag.remove(7).remove(7)
    assert bag.remove(8).remove(7).remove(7) is b()
    assert bag == b(7, 7, 8)


def test_remove_absent_raises_keyerror_with_the_element():
    with pytest.raises(KeyError) as info:
        b(2).remove(1)
    assert info.exconly() == "KeyError: 1"
    with pytest.raises(KeyError) as info:
        b().remove("gone")
    assert info.value.args == ("gone",)


def test_count_and_contains():
    bag = b("a", "a", "b")
    assert bag.count("a") == 2
    assert bag.count("zzz") == 0
    assert "b" in bag
    assert "c" not in bag
    assert 1 not in b()


def test_update():
    bag = b(1, 2, 2)
    assert bag.update([3, 3, 2]) == b(1, 2, 2, 2, 3, 3)
    assert bag.update(iter([4])) == b(1, 2, 2, 4)
    assert b().update("ab") == b("a", "b")
    assert bag == b(1, 2, 2)


def test_update_with_nothing_returns_the_same_bag():
    bag = b(1, 2, 2)
    assert bag.update([]) is bag
    assert bag.update(()) is bag
    assert bag.update(None) is bag  # falsy, as in pyrsistent
    assert bag.update(iter([])) is bag


def test_update_error_leaves_the_bag_alone():
    bag = b(1)
    with pytest.raises(TypeError):
        bag.update([2, [3]])
    assert bag == b(1)
    assert len(bag) == 1


# -- container protocol -----------------------------------------------------

def test_len_and_truth():
    assert len(b()) == 0
    assert len(b(4, 4, 4, 5)) == 4
    assert not b()
    assert b(0)


def test_iteration_repeats_each_element():
    assert list(b(9, 9)) == [9, 9]
    items = list(b("p", "q", "q"))
    assert items in (["p", "q", "q"], ["q", "q", "p"])


def test_repr():
    assert repr(b()) == "pbag([])"
    assert repr(b("s")) == "pbag(['s'])"
    assert repr(b(1, 2)) in ("pbag([1, 2])", "pbag([2, 1])")
    assert repr(b(5, 5)) == "pbag([5, 5])"


def test_abstract_base_classes():
    bag = b(1)
    for abc in (Container, Iterable, Sized, Hashable, Collection):
        assert isinstance(bag, abc)


def test_generic_alias():
    alias = PBag[int]
    assert alias.__origin__ is PBag


# -- equality, ordering, hashing --------------------------------------------

def test_equality_ignores_insertion_order():
    assert b(1, 2, 1) == b(2, 1, 1)
    assert b() == b()
    assert b(1) != b()
    assert b(1, 1) != b(1)
    assert not (b(1, 2) != b(2, 1))


def test_equality_with_other_types_raises():
    with pytest.raises(TypeError, match="Can only compare PBag with PBags"):
        b(1) == [1]  # noqa: B015
    with pytest.raises(TypeError):
        b(1) != 1  # noqa: B015
    with pytest.raises(TypeError):
        b() == Counter()  # noqa: B015


@pytest.mark.parametrize("compare", [
    lambda x, y: x < y, lambda x, y: x <= y,
    lambda x, y: x > y, lambda x, y: x >= y,
])
def test_bags_are_not_orderable(compare):
    with pytest.raises(TypeError):
        compare(b(1), b(2))
    with pytest.raises(TypeError):
        compare(b(1), b(1))


def test_hash_follows_equality():
    assert hash(b(1, 2, 2)) == hash(b(2, 1, 2))
    assert hash(b()) == hash(pbag([]))
    table = {b("k", "k", "v"): "found"}
    assert table[b("v", "k", "k")] == "found"
    assert b("k", "v") not in table
    bag = b(3, 4)
    assert hash(bag) == hash(bag)  # the cached value


def test_equal_keys_keep_the_first_key_object():
    # as pyrsistent: an element equal to one already there counts for it
    assert repr(b(1, True, 1.0)) == "pbag([1, 1, 1])"
    assert repr(b(True).add(1)) == "pbag([True, True])"
    assert repr(b(1) + b(True)) == "pbag([1, 1])"
    assert repr(b(True) + b(1, 2, 3)) in ("pbag([True, True, 2, 3])",
                                          "pbag([2, 3, True, True])")
    assert repr(b(True) | b(1, 1, 2)).count("True") == 2
    assert repr(b(True, True, 5) & b(1)) == "pbag([True])"
    assert repr(b(True, True, 5) - b(1)) in ("pbag([True, 5])", "pbag([5, True])")


# -- immutability, pickling, copying, weak references -----------------------

def test_attributes_cannot_be_set():
    bag = b(1)
    with pytest.raises(AttributeError):
        bag.extra = 1
    with pytest.raises(AttributeError):
        bag._counts = march.Map()
    with pytest.raises(AttributeError):
        del bag._size
    assert bag == b(1)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(protocol):
    for bag in (b(), b(1), b("a", "a", (1, 2)), pbag(range(100)) + pbag(range(50))):
        back = pickle.loads(pickle.dumps(bag, protocol))
        assert type(back) is PBag
        assert back == bag
        assert len(back) == len(bag)
        assert hash(back) == hash(bag)


def test_copy_and_deepcopy():
    bag = b(1, (2, 3), (2, 3))
    assert copy.copy(bag) is bag
    deep = copy.deepcopy(bag)
    assert deep == bag
    assert len(deep) == 3


def test_weak_reference():
    bag = b(1)
    ref = weakref.ref(bag)
    assert ref() is bag


# -- multiset algebra -------------------------------------------------------

def test_operators_follow_counter():
    left = b(1, 2, 2, 3, 3, 3)
    right = b(2, 3, 3, 4, 4)
    c_left, c_right = as_counter(left), as_counter(right)
    assert as_counter(left + right) == c_left + c_right
    assert as_counter(left - right) == c_left - c_right
    assert as_counter(right - left) == c_right - c_left
    assert as_counter(left | right) == c_left | c_right
    assert as_counter(left & right) == c_left & c_right


def test_operators_with_an_empty_bag():
    bag = b(1, 1)
    for result in (bag + b(), b() + bag, bag | b(), b() | bag, bag - b()):
        assert result == bag
    assert b() - bag is b()
    assert bag & b() is b()
    assert b() & bag is b()
    assert bag - bag is b()


@pytest.mark.parametrize("op", [
    lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x | y, lambda x, y: x & y,
])
def test_operators_refuse_other_types(op):
    with pytest.raises(TypeError):
        op(b(1), [1])
    with pytest.raises(TypeError):
        op(b(1), Counter([1]))
    with pytest.raises(TypeError):
        op([1], b(1))


def test_operators_leave_operands_alone():
    left = b(1, 2, 2)
    right = b(2, 3)
    for result in (left + right, left - right, left | right, left & right,
                   right + left, right - left, right | left, right & left):
        assert isinstance(result, PBag)
    assert left == b(1, 2, 2)
    assert right == b(2, 3)


def test_operators_with_bags_of_different_sizes():
    small = b(5, 5, 500)
    big = pbag(range(1000)) + pbag(range(0, 1000, 2))
    for x, y in ((small, big), (big, small)):
        assert as_counter(x + y) == as_counter(x) + as_counter(y)
        assert as_counter(x - y) == as_counter(x) - as_counter(y)
        assert as_counter(x | y) == as_counter(x) | as_counter(y)
        assert as_counter(x & y) == as_counter(x) & as_counter(y)
        assert len(x + y) == len(x) + len(y)


# -- docstring examples -----------------------------------------------------

def test_docstring_examples_run():
    result = doctest.testmod(_pbag, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


# -- Hypothesis: against collections.Counter --------------------------------

# small ints collide a lot; -1 and -2 share a hash in CPython, so collision
# nodes of the Map are exercised too
ELEMENTS = st.one_of(
    st.integers(-4, 12),
    st.sampled_from(["a", "b", "", "long string"]),
    st.tuples(st.integers(0, 2)),
)
ELEMENT_LISTS = st.lists(ELEMENTS, max_size=30)


def check_bag(bag, model):
    """bag has exactly model's counts, by every way of reading it."""
    assert as_counter(bag) == model
    assert len(bag) == sum(model.values())
    assert bool(bag) == bool(model)
    for element, n in model.items():
        assert bag.count(element) == n
        assert element in bag
    assert bag == pbag(model.elements())
    assert hash(bag) == hash(pbag(list(model.elements())[::-1]))


@given(ELEMENT_LISTS, ELEMENT_LISTS)
@settings(max_examples=200)
def test_operators_match_counter(xs, ys):
    x, y = pbag(xs), pbag(ys)
    cx, cy = Counter(xs), Counter(ys)
    check_bag(x, cx)
    check_bag(x + y, cx + cy)
    check_bag(x - y, cx - cy)
    check_bag(x | y, cx | cy)
    check_bag(x & y, cx & cy)
    check_bag(x.update(ys), cx + cy)
    assert (x == y) == (cx == cy)
    check_bag(x, Counter(xs))
    check_bag(y, Counter(ys))


@given(ELEMENT_LISTS, st.lists(ELEMENTS, max_size=10))
@settings(max_examples=150)
def test_add_and_remove_match_counter(xs, changes):
    bag = pbag(xs)
    model = Counter(xs)
    for element in changes:
        if model[element]:
            bag = bag.remove(element)
            model[element] -= 1
            model = +model
        else:
            with pytest.raises(KeyError):
                bag.remove(element)
            bag = bag.add(element)
            model[element] += 1
        check_bag(bag, model)


class BagMachine(RuleBasedStateMachine):
    """Random operations on many bag versions, each paired with its Counter
    model; every version is rechecked at every step (persistence)."""

    bags = Bundle("bags")

    def __init__(self):
        super().__init__()
        self.versions = []

    def _keep(self, bag, model):
        self.versions.append((bag, +model))
        return (bag, +model)

    @rule(target=bags, xs=ELEMENT_LISTS)
    def build(self, xs):
        return self._keep(pbag(xs), Counter(xs))

    @rule(target=bags, pair=bags, element=ELEMENTS)
    def add(self, pair, element):
        bag, model = pair
        return self._keep(bag.add(element), model + Counter([element]))

    @rule(target=bags, pair=bags, element=ELEMENTS)
    def remove(self, pair, element):
        bag, model = pair
        if model[element]:
            return self._keep(bag.remove(element), model - Counter([element]))
        with pytest.raises(KeyError):
            bag.remove(element)
        return pair

    @rule(target=bags, pair=bags, xs=ELEMENT_LISTS)
    def update(self, pair, xs):
        bag, model = pair
        return self._keep(bag.update(xs), model + Counter(xs))

    @rule(target=bags, left=bags, right=bags,
          op=st.sampled_from(["__add__", "__sub__", "__or__", "__and__"]))
    def combine(self, left, right, op):
        result = getattr(left[0], op)(right[0])
        return self._keep(result, getattr(left[1], op)(right[1]))

    @rule(pair=bags)
    def pickle_round_trip(self, pair):
        bag, model = pair
        check_bag(pickle.loads(pickle.dumps(bag)), model)

    @invariant()
    def every_version_unchanged(self):
        for bag, model in self.versions[-8:]:
            check_bag(bag, model)
        for bag, model in self.versions:
            assert as_counter(bag) == model


TestBagMachine = BagMachine.TestCase
TestBagMachine.settings = settings(max_examples=60, stateful_step_count=25,
                                   deadline=None)


# -- Hypothesis: which key object is kept, against pyrsistent itself --------

# equal but distinguishable elements (1 == True == 1.0): the element a bag
# shows is the first one it saw, through every operation
TWINS = st.lists(st.sampled_from([0, False, 0.0, 1, True, 1.0, 2]), max_size=8)


@given(TWINS, TWINS, TWINS)
@settings(max_examples=150)
def test_kept_key_objects_match_pyrsistent(xs, ys, extra):
    pyrsistent = pytest.importorskip("pyrsistent")

    def shown(bag):
        return Counter(map(repr, bag))

    ours = (pbag(xs), pbag(ys))
    theirs = (pyrsistent.pbag(xs), pyrsistent.pbag(ys))
    for op in ("__add__", "__sub__", "__or__", "__and__"):
        for a, bb in ((0, 1), (1, 0)):
            mine = getattr(ours[a], op)(ours[bb])
            ref = getattr(theirs[a], op)(theirs[bb])
            assert shown(mine) == shown(ref), op
    assert shown(ours[0].update(extra)) == shown(theirs[0].update(extra))
    bag, ref = ours[0], theirs[0]
    for element in extra:
        bag, ref = bag.add(element), ref.add(element)
        assert shown(bag) == shown(ref)
    for element in extra:
        if element in ref:
            bag, ref = bag.remove(element), ref.remove(element)
            assert shown(bag) == shown(ref)
