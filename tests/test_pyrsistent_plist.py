"""march.pyrsistent._plist: PList, plist and l (pyrsistent's cons list).

Example tests of each operation and of pyrsistent's edge cases, long lists
(every walk is a loop), the docstrings' examples, property tests against a
Python list and a Hypothesis state machine that keeps every version alive
(so that a change to a shared tail would show).
"""
import copy
import doctest
import pickle
import weakref
from collections.abc import Hashable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import march.pyrsistent._plist as plist_module
from march.pyrsistent._plist import PList, l, plist

from _sequence_checks import check_searching_matches_list, check_stub_agrees


def same_elements(pl, expected):
    """pl holds exactly expected, read in every way a PList can be read."""
    assert isinstance(pl, PList)
    assert list(pl) == expected
    assert len(pl) == len(expected)
    assert bool(pl) == bool(expected)
    assert [pl[i] for i in range(len(expected))] == expected
    node, walked = pl, []
    while node:
        walked.append(node.first)
        node = node.rest
    assert walked == expected
    assert node is plist()


class Index:
    """An object usable as an index (has __index__), not an int."""

    def __init__(self, i):
        self.i = i

    def __index__(self):
        return self.i


# ---------------------------------------------------------------- making lists


def test_factories_agree():
    assert l(1, 2, 3) == plist([1, 2, 3]) == plist((1, 2, 3)) == plist(range(1, 4))
    assert plist(iter("abc")) == l("a", "b", "c")
    assert plist(x for x in [4, 5]) == l(4, 5)
    assert plist({7: None}) == l(7)


def test_reverse_flag():
    assert plist([1, 2, 3], reverse=True) == l(3, 2, 1)
    assert plist(iter([1, 2]), reverse=True) == l(2, 1)
    assert plist(reverse=True) is plist()


def test_one_empty_list():
    assert plist() is plist([]) is l() is plist(iter(())) is plist((), reverse=True)
    assert l(1).rest is plist()


def test_plist_of_a_plist_is_that_plist():
    x = l(1, 2)
    assert plist(x) is x
    assert plist(x, reverse=True) == l(2, 1)


def test_constructor_conses():
    x = l(2, 3)
    y = PList(1, x)
    assert y == l(1, 2, 3) and y.rest is x
    assert PList(0, plist()) == l(0)
    with pytest.raises(TypeError, match="rest must be a PList"):
        PList(1, [2, 3])


def test_large_build_and_first():
    assert plist(range(5000)).first == 0
    assert len(plist(range(5000))) == 5000


# ---------------------------------------------------------------- first / rest


def test_first_and_rest():
    x = l(1, 2)
    assert x.first == 1
    assert x.rest.first == 2
    assert x.rest.rest is plist()


def test_empty_list_has_no_first():
    with pytest.raises(AttributeError, match="Empty PList has no first"):
        plist().first
    assert not hasattr(plist(), "first")


def test_empty_rest_is_itself():
    e = plist()
    assert e.rest is e and e.rest.rest is e


def test_attributes_cannot_be_assigned():
    x = l(1, 2)
    for name in ("first", "rest"):
        with pytest.raises(AttributeError):
            setattr(x, name, 5)
        with pytest.raises(AttributeError):
            delattr(x, name)
    with pytest.raises(AttributeError):
        x.other = 1
    assert x == l(1, 2)


def test_len_and_truth():
    assert len(plist()) == 0 and not plist()
    assert len(l(None)) == 1 and l(None)
    assert len(l(1, 2, 3)) == 3


def test_iteration():
    assert list(plist()) == []
    assert list(l(1, 2, 3)) == [1, 2, 3]
    it = iter(l(1, 2))
    assert next(it) == 1 and next(it) == 2
    with pytest.raises(StopIteration):
        next(it)


# ---------------------------------------------------------------- cons family


def test_cons_shares_the_list():
    x = l(1, 2, 3)
    y = x.cons(0)
    assert y == l(0, 1, 2, 3)
    assert y.rest is x
    assert x == l(1, 2, 3)
    assert plist().cons(0) == l(0)


def test_mcons_puts_elements_in_reverse():
    x = l(1, 2)
    y = x.mcons([3, 4])
    assert y == l(4, 3, 1, 2)
    assert y.rest.rest is x
    assert x.mcons([]) is x
    assert plist().mcons(iter("ab")) == l("b", "a")


def test_reverse_and_reversed_return_plists():
    assert l(1, 2, 3).reverse() == l(3, 2, 1)
    assert reversed(l(1, 2, 3)) == l(3, 2, 1)
    assert isinstance(reversed(l(1, 2)), PList)
    assert plist().reverse() is plist()
    assert reversed(plist()) == plist()
    assert l(5).reverse() == l(5)


# ---------------------------------------------------------------- indexing


def test_indexing():
    x = l(1, 2, 3)
    assert (x[0], x[1], x[2]) == (1, 2, 3)
    assert (x[-1], x[-2], x[-3]) == (3, 2, 1)
    assert x[Index(1)] == 2 and x[True] == 2


@pytest.mark.parametrize("i", [2, 3, -3, -4, 10 ** 30, -(10 ** 30)])
def test_index_out_of_range(i):
    with pytest.raises(IndexError, match="PList index out of range"):
        l(1, 2)[i]


def test_index_on_empty():
    with pytest.raises(IndexError):
        plist()[0]
    with pytest.raises(IndexError):
        plist()[-1]


@pytest.mark.parametrize("key", ["foo", 1.0, None, (1,)])
def test_index_of_wrong_type(key):
    with pytest.raises(TypeError) as e:
        l(1, 2, 3)[key]
    assert str(e.value) == "'%s' object cannot be interpreted as an index" % type(key).__name__


def test_slice_from_start_is_the_shared_tail():
    x = l(1, 2, 3)
    assert x[1:] is x.rest
    assert x[0:] is x and x[:] is x
    assert x[3:] is plist() and x[20:] is plist()
    assert x[-1:] is x.rest.rest
    assert x[1:3] is x.rest
    assert x[1::1] is x.rest


def test_slices_like_list():
    x = l(1, 2, 3)
    assert x[:2] == l(1, 2)
    assert x[:20] == x
    assert x[1:2] == l(2)
    assert x[2:1] is plist()
    assert x[::2] == l(1, 3)
    assert x[::-1] == l(3, 2, 1)
    assert x[-2:-1] == l(2)
    assert plist()[1:5] is plist()
    assert x[Index(1):] is x.rest


# ---------------------------------------------------------------- searching


def test_contains():
    x = l(1, 2, 3)
    assert 2 in x and 4 not in x and 1 not in plist()


def test_count():
    assert l(1, 2, 1).count(1) == 2
    assert l(1, 2, 1).count(3) == 0
    assert plist().count(1) == 0


def test_index_method():
    x = l(1, 2, 3, 2)
    assert x.index(3) == 2
    assert x.index(2) == 1
    assert x.index(2, 2) == 3
    assert x.index(2, -1) == 3
    assert x.index(1, -10) == 0
    assert x.index(3, 0, -1) == 2
    with pytest.raises(ValueError):
        x.index(2, 1, 1)
    with pytest.raises(ValueError):
        x.index(3, 0, -2)
    with pytest.raises(ValueError):
        x.index(1, 10)
    with pytest.raises(ValueError):
        plist().index(3)
    with pytest.raises(ValueError):
        l(1, 2).index(3)


def test_elements_compare_like_list_elements():
    nan = float("nan")
    x = l(1, nan)
    assert nan in x and x.count(nan) == 1 and x.index(nan) == 1
    assert x.remove(nan) == l(1)
    assert x == l(1, nan)                       # the same nan object
    assert l(float("nan")) != l(float("nan"))   # two different nans
    assert [1, nan] == list(x)


# ---------------------------------------------------------------- split / remove


def test_split():
    x = l(1, 2, 3, 4, 5)
    left, right = x.split(3)
    assert left == l(1, 2, 3)
    assert right is x.rest.rest.rest


def test_split_past_the_end_gives_the_list_itself():
    x = l(1, 2)
    for i in (2, 3, 100):
        left, right = x.split(i)
        assert left is x and right is plist()


def test_split_at_or_before_start():
    x = l(1, 2)
    for i in (0, -1):
        left, right = x.split(i)
        assert left is plist() and right is x


def test_split_empty():
    assert plist().split(2) == (plist(), plist())
    assert plist().split(0) == (plist(), plist())


def test_remove():
    assert l(1, 2, 3, 2).remove(2) == l(1, 3, 2)
    assert l(1, 2, 3).remove(1) == l(2, 3)
    assert l(1, 2, 3).remove(3) == l(1, 2)
    x = l(1, 2, 3, 4)
    assert x.remove(2).rest.rest is x.rest.rest.rest   # the part after is shared
    assert x.remove(1) is x.rest


def test_remove_missing():
    with pytest.raises(ValueError, match="^3 not found in PList$"):
        l(1, 2).remove(3)
    with pytest.raises(ValueError):
        plist().remove(2)


# ---------------------------------------------------------------- comparison


def test_equality():
    assert l(1, 2) == l(1, 2)
    assert l(1, 2) != l(1, 3)
    assert l(1, 2) != l(1, 2, 3)
    assert plist() != l(1, 2, 3)
    assert plist() == plist()
    assert l(1, 2) == PList(1, l(2))


def test_not_equal_to_other_types():
    assert plist() != []
    assert l(1, 2) != [1, 2]
    assert l(1, 2) != (1, 2)
    assert not (l(1, 2) == [1, 2])
    assert l(1) != 1


def test_ordering():
    assert l(1, 2) < l(1, 2, 3)
    assert l(2, 1) > l(1, 2, 3)
    assert plist() < l(1)
    assert l(1) > plist()
    assert l(1, 2) <= l(1, 2) and l(1, 2) >= l(1, 2)
    assert not l(1, 2) < l(1, 2)
    assert l(1, 3) >= l(1, 2, 9)


@pytest.mark.parametrize("other", [[1, 2], (1, 2), 3])
def test_ordering_with_other_types_is_refused(other):
    for op in ("__lt__", "__le__", "__gt__", "__ge__"):
        assert getattr(l(1, 2), op)(other) is NotImplemented
    with pytest.raises(TypeError):
        l(1, 2) < other


def test_hashing():
    assert hash(l(1, 2)) == hash(l(1, 2))
    assert hash(l(1, 2)) != hash(l(2, 1))
    assert hash(l(1, 2)) == hash((1, 2))
    assert hash(plist()) == hash(())
    assert {l(1, 2): "a"}[plist([1, 2])] == "a"
    with pytest.raises(TypeError):
        hash(l([1]))


# ---------------------------------------------------------------- protocols


def test_repr_and_str():
    assert str(plist()) == "plist([])"
    assert repr(l(1, 2, 3)) == "plist([1, 2, 3])"
    assert repr(l("a", l(1))) == "plist(['a', plist([1])])"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling(protocol):
    for x in (plist(), l(1, 2, 3), l("a", l(1), None)):
        y = pickle.loads(pickle.dumps(x, protocol))
        assert y == x and type(y) is PList
    assert pickle.loads(pickle.dumps(plist(), protocol)) is plist()


def test_copy():
    x = l([1], 2)
    assert copy.copy(x) is x
    y = copy.deepcopy(x)
    assert y == x and y.first is not x.first


def test_weakref():
    for x in (plist(), l(1, 2)):
        assert weakref.ref(x)() is x


def test_abcs_and_generic():
    assert isinstance(l(1), Sequence) and isinstance(plist(), Sequence)
    assert isinstance(l(1), Hashable)
    assert isinstance(plist(), PList)
    assert PList[int].__origin__ is PList


# ---------------------------------------------------------------- long lists


def test_long_lists_are_walked_by_loops():
    n = 100_000
    x = plist(range(n))
    y = plist(range(n))
    assert x == y and not (x != y)
    assert x != y.rest.cons(-1)
    assert hash(x) == hash(y) == hash(tuple(range(n)))
    assert repr(x) == "plist(%r)" % (list(range(n)),)
    assert pickle.loads(pickle.dumps(x, pickle.HIGHEST_PROTOCOL)) == x
    assert x < y.reverse()
    assert x[-1] == n - 1 and x.index(n - 1) == n - 1 and x.count(5) == 1
    assert x.remove(n - 1) == plist(range(n - 1))
    assert reversed(x).first == n - 1
    del x, y


def test_dropping_a_long_chain():
    x = plist()
    for i in range(200_000):
        x = x.cons(i)
    assert len(x) == 200_000
    del x   # no recursion in deallocation


# ---------------------------------------------------------------- docstrings


def test_docstring_examples():
    result = doctest.testmod(plist_module, raise_on_error=False)
    assert result.failed == 0 and result.attempted > 10


def test_public_names_are_documented():
    for obj in (PList, plist, l):
        assert "Complexity:" in obj.__doc__ and ">>>" in obj.__doc__
    for name in ("cons", "mcons", "reverse", "split", "remove", "count", "index",
                 "first", "rest"):
        assert "Complexity:" in getattr(PList, name).__doc__


def test_stub_agrees_with_the_module():
    """_plist.pyi names what the module has: the public methods and the
    protocol dunders of PList, and the functions."""
    check_stub_agrees(plist_module, PList, {'l', 'plist'})


# ---------------------------------------------------------------- properties

elements = st.integers(-3, 3)
lists = st.lists(elements, max_size=12)
bounds = st.one_of(st.none(), st.integers(-15, 15))


@given(lists, bounds, bounds, st.one_of(st.none(), st.integers(-4, 4).filter(bool)))
def test_slicing_matches_list(items, start, stop, step):
    x = plist(items)
    got = x[start:stop:step]
    assert isinstance(got, PList)
    assert list(got) == items[start:stop:step]
    assert list(x) == items


@given(lists, st.integers(-15, 15))
def test_indexing_matches_list(items, i):
    x = plist(items)
    if -len(items) <= i < len(items):
        assert x[i] == items[i]
    else:
        with pytest.raises(IndexError):
            x[i]


@given(lists, elements, bounds, bounds)
def test_searching_matches_list(items, value, start, stop):
    check_searching_matches_list(plist(items), items, value, start, stop)


@given(lists, lists)
def test_comparison_matches_list(a, b):
    x, y = plist(a), plist(b)
    assert (x == y) == (a == b)
    assert (x != y) == (a != b)
    assert (x < y) == (a < b)
    assert (x <= y) == (a <= b)
    assert (x > y) == (a > b)
    assert (x >= y) == (a >= b)
    if a == b:
        assert hash(x) == hash(y)


@given(lists, st.integers(-3, 15))
def test_split_matches_list(items, i):
    x = plist(items)
    left, right = x.split(i)
    cut = max(i, 0)
    same_elements(left, items[:cut])
    same_elements(right, items[cut:])


@given(lists, elements)
def test_remove_matches_list(items, value):
    x = plist(items)
    if value in items:
        model = list(items)
        model.remove(value)
        same_elements(x.remove(value), model)
    else:
        with pytest.raises(ValueError):
            x.remove(value)
    same_elements(x, items)


# ---------------------------------------------------------------- state machine


class PListMachine(RuleBasedStateMachine):
    """Every version made stays in self.versions with its model list; each
    new version is checked, and every version again at each step."""

    def __init__(self):
        super().__init__()
        self.versions = [(plist(), [])]

    versions_pick = st.integers(0, 10 ** 6)

    def pick(self, k):
        return self.versions[k % len(self.versions)]

    def add(self, pl, model):
        same_elements(pl, model)
        self.versions.append((pl, model))

    @rule(k=versions_pick, items=lists)
    def make(self, k, items):
        self.add(plist(items), list(items))

    @rule(k=versions_pick, x=elements)
    def cons(self, k, x):
        pl, model = self.pick(k)
        self.add(pl.cons(x), [x] + model)

    @rule(k=versions_pick, items=lists)
    def mcons(self, k, items):
        pl, model = self.pick(k)
        self.add(pl.mcons(items), items[::-1] + model)

    @rule(k=versions_pick)
    def rest(self, k):
        pl, model = self.pick(k)
        self.add(pl.rest, model[1:])

    @rule(k=versions_pick)
    def reverse(self, k):
        pl, model = self.pick(k)
        self.add(reversed(pl), model[::-1])

    @rule(k=versions_pick, start=bounds, stop=bounds)
    def slice(self, k, start, stop):
        pl, model = self.pick(k)
        self.add(pl[start:stop], model[start:stop])

    @rule(k=versions_pick, i=st.integers(-2, 14))
    def split(self, k, i):
        pl, model = self.pick(k)
        left, right = pl.split(i)
        cut = max(i, 0)
        self.add(left, model[:cut])
        self.add(right, model[cut:])

    @precondition(lambda self: any(model for _, model in self.versions))
    @rule(k=versions_pick, data=st.data())
    def remove(self, k, data):
        pl, model = self.pick(k)
        if not model:
            return
        x = data.draw(st.sampled_from(model))
        expected = list(model)
        expected.remove(x)
        self.add(pl.remove(x), expected)

    @rule(j=versions_pick, k=versions_pick)
    def compare(self, j, k):
        a, ma = self.pick(j)
        b, mb = self.pick(k)
        assert (a == b) == (ma == mb)
        assert (a < b) == (ma < mb)
        assert (a >= b) == (ma >= mb)
        if ma == mb:
            assert hash(a) == hash(b)

    @invariant()
    def versions_unchanged(self):
        for pl, model in self.versions[-8:]:
            assert list(pl) == model and len(pl) == len(model)

    def teardown(self):
        for pl, model in self.versions:
            same_elements(pl, model)


PListMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30,
                                          deadline=None)
TestPListMachine = PListMachine.TestCase
