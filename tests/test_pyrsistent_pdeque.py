"""march.pyrsistent._pdeque: PDeque, pdeque and dq (pyrsistent's deque).

Example tests of each operation, of the bound (maxlen) and of pyrsistent's
edge cases, long deques, the docstrings' examples, property tests and a
Hypothesis state machine against ``collections.deque`` that keeps every
version alive (so that a change to a shared list would show).  Each deque
made is also checked for the module's balance invariant (one side empty:
the other holds at most one element).
"""
import copy
import doctest
import pickle
import weakref
from collections import deque
from collections.abc import Hashable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import march.pyrsistent._pdeque as pdeque_module
from march.pyrsistent._pdeque import PDeque, dq, pdeque
from march.pyrsistent._plist import plist

from _sequence_checks import check_searching_matches_list, check_stub_agrees


def check(d, model):
    """d holds what the collections.deque model holds, has its bound and
    keeps the balance invariant."""
    expected = list(model)
    assert isinstance(d, PDeque)
    assert list(d) == expected
    assert len(d) == len(expected)
    assert bool(d) == bool(expected)
    assert d.maxlen == model.maxlen
    assert [d[i] for i in range(len(expected))] == expected
    assert [d[i - len(expected)] for i in range(len(expected))] == expected
    if expected:
        assert d.left == expected[0] and d.right == expected[-1]
    else:
        with pytest.raises(IndexError):
            d.left
        with pytest.raises(IndexError):
            d.right
    front, back = d._front, d._back
    if not front:
        assert len(back) <= 1
    if not back:
        assert len(front) <= 1


# ---------------------------------------------------------------- making deques


def test_factories():
    assert dq(1, 2, 3) == pdeque([1, 2, 3]) == pdeque(range(1, 4)) == pdeque(iter([1, 2, 3]))
    assert pdeque(iter("a")) == pdeque(iter("a")) == dq("a")
    assert pdeque() == pdeque([]) == pdeque(None) == dq()
    assert pdeque().maxlen is None and dq(1).maxlen is None


def test_maxlen_cuts_from_the_left():
    check(pdeque([1, 2, 3, 4], maxlen=2), deque([1, 2, 3, 4], maxlen=2))
    assert pdeque([1, 2, 3, 4], maxlen=2) == pdeque([3, 4])
    assert pdeque([1, 2, 3, 4], maxlen=4) == pdeque([1, 2, 3, 4])
    assert pdeque([], maxlen=2) == pdeque()
    check(pdeque([1, 2], maxlen=0), deque([], maxlen=0))


def test_invalid_maxlen():
    with pytest.raises(TypeError, match="An integer is required as maxlen"):
        pdeque([], maxlen="foo")
    with pytest.raises(TypeError):
        pdeque([1], maxlen=2.0)
    with pytest.raises(ValueError, match="maxlen must be non-negative"):
        pdeque([], maxlen=-3)


def test_pyrsistent_constructor():
    d = PDeque(plist([1, 2]), plist([4, 3]), 4)
    assert d == dq(1, 2, 3, 4) and d.maxlen is None
    assert PDeque(plist(), plist(), 0, 3) == pdeque(maxlen=3)
    assert PDeque(plist([1, 2]), plist([3]), 3, 2) == dq(2, 3)
    with pytest.raises(ValueError):
        PDeque(plist([1]), plist(), 2)
    with pytest.raises(ValueError):
        PDeque(plist([1]), plist(), 1, -1)


# ---------------------------------------------------------------- ends


def test_left_and_right():
    x = pdeque([1, 2])
    assert (x.left, x.right, len(x)) == (1, 2, 2)
    assert dq(7).left == dq(7).right == 7


def test_ends_of_empty_deque():
    with pytest.raises(IndexError, match="No elements in empty deque"):
        pdeque().left
    with pytest.raises(IndexError):
        pdeque().right


def test_ends_stay_o1_after_one_sided_growth():
    d = pdeque()
    for i in range(50):
        d = d.appendleft(i)
        check(d, deque(range(i, -1, -1)))
    assert d.right == 0 and d.left == 49


def test_attributes_cannot_be_assigned():
    x = pdeque([], maxlen=4)
    assert x.maxlen == 4
    for name in ("maxlen", "left", "right", "other"):
        with pytest.raises(AttributeError):
            setattr(x, name, 5)
    assert x.maxlen == 4


# ---------------------------------------------------------------- pops


def test_pop_one_by_one():
    x = pdeque([1, 2, 3, 4])
    for expected in ([1, 2, 3], [1, 2], [1], []):
        x = x.pop()
        check(x, deque(expected))
    assert pdeque().append(1).pop() == pdeque()
    assert pdeque().appendleft(1).pop() == pdeque()


def test_popleft_one_by_one():
    x = pdeque([1, 2, 3, 4])
    for expected in ([2, 3, 4], [3, 4], [4], []):
        x = x.popleft()
        check(x, deque(expected))
    assert pdeque().append(1).popleft() == pdeque()
    assert pdeque().appendleft(1).popleft() == pdeque()


def test_pop_counts():
    assert pdeque([1, 2, 3, 4]).pop(3) == dq(1)
    assert pdeque([1, 2]).pop(3) == pdeque()
    assert pdeque([1, 2, 3, 4]).popleft(3) == dq(4)
    x = dq(1, 2)
    assert x.pop(0) is x and x.popleft(0) is x


def test_negative_counts_pop_the_other_end():
    assert dq(1, 2, 3).pop(-1) == dq(1, 2, 3).popleft(1) == dq(2, 3)
    assert dq(1, 2, 3).popleft(-1) == dq(1, 2, 3).pop(1) == dq(1, 2)
    assert dq(1, 2, 3).pop(-5) == pdeque()


def test_popping_the_empty_deque():
    assert pdeque().pop() == pdeque()
    assert pdeque().popleft() == pdeque()
    assert pdeque(maxlen=3).pop().maxlen == 3


def test_pop_keeps_the_bound():
    x = pdeque([1, 2, 3], maxlen=3)
    assert x.pop().maxlen == 3 and x.popleft(2).maxlen == 3


def test_pop_count_type():
    with pytest.raises(TypeError):
        dq(1, 2).pop("1")
    assert dq(1, 2, 3).pop(True) == dq(1, 2)


def test_alternating_pops_at_both_ends():
    items = list(range(40))
    x, model = pdeque(items), deque(items)
    for i in range(40):
        if i % 2:
            x, _ = x.pop(), model.pop()
        else:
            x, _ = x.popleft(), model.popleft()
        check(x, model)


# ---------------------------------------------------------------- appends / extends


def test_append_and_appendleft():
    assert dq(1, 2).append(3).append(4) == dq(1, 2, 3, 4)
    assert dq(2, 1).appendleft(3).appendleft(4) == dq(4, 3, 2, 1)


def test_append_with_maxlen():
    assert pdeque([1, 2], maxlen=2).append(3).append(4) == dq(3, 4)
    assert pdeque([1, 2], maxlen=3).append(3).append(4) == dq(2, 3, 4)
    assert pdeque([], maxlen=0).append(1) == pdeque()
    assert pdeque([1, 2], maxlen=2).append(3).maxlen == 2


def test_appendleft_with_maxlen():
    assert pdeque([2, 1], maxlen=2).appendleft(3).appendleft(4) == dq(4, 3)
    assert pdeque([2, 1], maxlen=3).appendleft(3).appendleft(4) == dq(4, 3, 2)
    assert pdeque([], maxlen=0).appendleft(1) == pdeque()


def test_extend():
    assert dq(1, 2).extend([3, 4]) == dq(1, 2, 3, 4)
    assert dq().extend(iter("ab")) == dq("a", "b")
    x = dq(1)
    assert x.extend([]) is x and x.extendleft(()) is x


def test_extend_with_maxlen():
    assert pdeque([1, 2], maxlen=3).extend([3, 4]) == dq(2, 3, 4)
    assert pdeque([1, 2], maxlen=2).extend([3, 4]) == dq(3, 4)
    assert pdeque([], maxlen=2).extend([1, 2]) == dq(1, 2)
    assert pdeque([], maxlen=0).extend([1, 2]) == dq()
    assert pdeque([1], maxlen=2).extend(range(10)) == dq(8, 9)


def test_extendleft():
    assert dq(2, 1).extendleft([3, 4]) == dq(4, 3, 2, 1)


def test_extendleft_with_maxlen():
    assert pdeque([1, 2], maxlen=3).extendleft([3, 4]) == dq(4, 3, 1)
    assert pdeque([1, 2], maxlen=2).extendleft([3, 4]) == dq(4, 3)
    assert pdeque([], maxlen=2).extendleft([1, 2]) == dq(2, 1)
    assert pdeque([], maxlen=0).extendleft([1, 2]) == dq()
    assert pdeque([1], maxlen=2).extendleft(range(10)) == dq(9, 8)


# ---------------------------------------------------------------- other changes


def test_rotate():
    x = dq(1, 2, 3, 4, 5)
    assert x.rotate(2) == dq(4, 5, 1, 2, 3)
    assert x.rotate(-2) == dq(3, 4, 5, 1, 2)
    assert x.rotate(4) == dq(2, 3, 4, 5, 1)
    assert x.rotate(0) is x and x.rotate(5) is x
    assert x.rotate(7) == x.rotate(2)
    assert pdeque().rotate(2) == pdeque() == pdeque().rotate(-2)
    assert pdeque([1, 2, 3], maxlen=3).rotate(1) == dq(3, 1, 2)
    assert pdeque([1, 2, 3], maxlen=3).rotate(1).maxlen == 3


def test_remove():
    assert dq(1, 2, 3, 4).remove(2) == dq(1, 3, 4)
    assert dq(1, 2, 3, 4).remove(4) == dq(1, 2, 3)
    assert dq(1, 2, 3, 3, 4, 5, 4, 6).remove(4) == dq(1, 2, 3, 3, 5, 4, 6)
    assert pdeque([1, 2, 3], maxlen=3).remove(2).maxlen == 3


def test_remove_missing():
    with pytest.raises(ValueError, match="^2 not found in PDeque$"):
        pdeque().remove(2)
    with pytest.raises(ValueError):
        dq(1, 2, 3).remove(4)


def test_reverse():
    assert dq(1, 2, 3, 4).reverse() == dq(4, 3, 2, 1)
    assert reversed(dq(1, 2, 3)) == dq(3, 2, 1)
    assert isinstance(reversed(dq(1)), PDeque)
    assert pdeque().reverse() == pdeque()
    assert pdeque([1, 2], maxlen=5).reverse().maxlen == 5


# ---------------------------------------------------------------- reading


def test_count_and_contains():
    x = dq(1, 2, 3, 2, 1)
    assert x.count(1) == 2 and x.count(2) == 2 and x.count(9) == 0
    assert 3 in x and 9 not in x and 1 not in pdeque()


def test_index_method():
    x = dq(1, 2, 3, 2)
    assert x.index(3) == 2
    assert x.index(2, 2) == 3 and x.index(2, -1) == 3
    assert x.index(3, 0, -1) == 2
    with pytest.raises(ValueError):
        x.index(3, 0, -2)
    with pytest.raises(ValueError):
        x.index(9)


def test_indexing():
    x = dq(1, 2, 3)
    assert [x[0], x[1], x[2], x[-1], x[-2], x[-3]] == [1, 2, 3, 3, 2, 1]
    assert dq(2)[0] == dq(2)[-1] == 2


@pytest.mark.parametrize("d,i", [(dq(), 0), (dq(1, 2, 3), -4), (dq(1, 2, 3), 3), (dq(2), -2)])
def test_indexing_out_of_range(d, i):
    with pytest.raises(IndexError):
        d[i]


def test_indexing_wrong_type():
    with pytest.raises(TypeError) as e:
        dq(1, 2, 3)["foo"]
    assert str(e.value) == "'str' object cannot be interpreted as an index"


def test_slicing():
    x = dq(1, 2, 3)
    assert x[1:2] == dq(2)
    assert x[2:1] == dq()
    assert x[-2:-1] == dq(2)
    assert x[::2] == dq(1, 3)
    assert x[0:3] == x and x[5:] == dq() and x[-1:] == dq(3)
    assert x[::-1] == dq(3, 2, 1)
    assert pdeque()[0:1] == pdeque()
    y = pdeque([1, 2, 3], maxlen=5)
    assert y[1:].maxlen == 5 and y[::2].maxlen == 5 and y[3:].maxlen == 5


# ---------------------------------------------------------------- comparison


def test_comparison():
    small, large = dq(1, 2), dq(1, 2, 3)
    assert small < large and large > small
    assert not small > large and not large < small
    assert small <= large and large >= small and small <= dq(1, 2)
    assert large != small
    assert small != [1, 2] and small != deque([1, 2]) and small != plist([1, 2])


def test_ordering_with_other_types_is_refused():
    with pytest.raises(TypeError):
        dq(1) < [2]
    with pytest.raises(TypeError):
        dq(1) >= (2,)


def test_equality_ignores_the_bound():
    assert pdeque([1, 2], maxlen=2) == dq(1, 2)
    assert hash(pdeque([1, 2], maxlen=2)) == hash(dq(1, 2))


def test_equality_does_not_depend_on_the_layout():
    a = pdeque([1, 2, 3])
    b = pdeque().append(1).append(2).append(3)
    c = pdeque().appendleft(3).appendleft(2).appendleft(1)
    assert a == b == c
    assert hash(a) == hash(b) == hash(c) == hash((1, 2, 3))


def test_nan_compares_like_tuple_elements():
    nan = float("nan")
    assert dq(nan) == dq(nan)
    assert dq(float("nan")) != dq(float("nan"))
    assert nan in dq(1, nan) and dq(1, nan).remove(nan) == dq(1)


# ---------------------------------------------------------------- protocols


def test_repr():
    assert str(dq(1, 2, 3)) == "pdeque([1, 2, 3])"
    assert repr(pdeque([])) == "pdeque([])"
    assert str(pdeque([1, 2], maxlen=4)) == "pdeque([1, 2], maxlen=4)"
    assert repr(pdeque(maxlen=0)) == "pdeque([], maxlen=0)"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling(protocol):
    for x in (pdeque([1, 2, 3], maxlen=5), pdeque(), dq("a", dq(1))):
        y = pickle.loads(pickle.dumps(x, protocol))
        assert y == x and y.maxlen == x.maxlen and type(y) is PDeque


def test_copy():
    x = pdeque([[1], 2], maxlen=3)
    assert copy.copy(x) is x
    y = copy.deepcopy(x)
    assert y == x and y.maxlen == 3 and y.left is not x.left


def test_weakref_abcs_generic():
    x = dq(1, 2)
    assert weakref.ref(x)() is x
    assert isinstance(x, Sequence) and isinstance(x, Hashable)
    assert PDeque[int].__origin__ is PDeque


def test_long_deques():
    n = 100_000
    x = pdeque(range(n))
    y = pdeque().extend(range(n))
    assert x == y and hash(x) == hash(y) == hash(tuple(range(n)))
    assert repr(x) == "pdeque(%r)" % (list(range(n)),)
    assert pickle.loads(pickle.dumps(x, pickle.HIGHEST_PROTOCOL)) == x
    assert x < y.append(0)
    assert x[n // 2] == n // 2 and x.index(n - 1) == n - 1
    z = x
    for _ in range(1000):
        z = z.pop().popleft()
    assert z == pdeque(range(1000, n - 1000))


# ---------------------------------------------------------------- docstrings


def test_docstring_examples():
    result = doctest.testmod(pdeque_module, raise_on_error=False)
    assert result.failed == 0 and result.attempted > 10


def test_public_names_are_documented():
    for obj in (PDeque, pdeque, dq):
        assert "Complexity:" in obj.__doc__ and ">>>" in obj.__doc__
    for name in ("append", "appendleft", "pop", "popleft", "extend", "extendleft",
                 "rotate", "remove", "reverse", "count", "index", "left", "right",
                 "maxlen"):
        assert "Complexity:" in getattr(PDeque, name).__doc__


def test_stub_agrees_with_the_module():
    """_pdeque.pyi names what the module has: the public methods and the
    protocol dunders of PDeque, and the functions."""
    check_stub_agrees(pdeque_module, PDeque, {'dq', 'pdeque'})


# ---------------------------------------------------------------- properties

elements = st.integers(-3, 3)
lists = st.lists(elements, max_size=12)
maxlens = st.one_of(st.none(), st.integers(0, 8))
bounds = st.one_of(st.none(), st.integers(-15, 15))


@given(lists, maxlens, bounds, bounds, st.one_of(st.none(), st.integers(-4, 4).filter(bool)))
def test_slicing_matches_list(items, maxlen, start, stop, step):
    x = pdeque(items, maxlen)
    model = list(deque(items, maxlen))
    check(x[start:stop:step], deque(model[start:stop:step], maxlen))


@given(lists, maxlens, st.integers(-30, 30))
def test_rotate_matches_deque(items, maxlen, steps):
    model = deque(items, maxlen)
    x = pdeque(items, maxlen)
    model.rotate(steps)
    check(x.rotate(steps), model)


@given(lists, lists, maxlens)
def test_comparison_matches_list(a, b, maxlen):
    x, y = pdeque(a, maxlen), pdeque(b)
    ma, mb = list(deque(a, maxlen)), b
    assert (x == y) == (ma == mb)
    assert (x < y) == (ma < mb) and (x <= y) == (ma <= mb)
    assert (x > y) == (ma > mb) and (x >= y) == (ma >= mb)


@given(lists, elements, bounds, bounds)
def test_searching_matches_list(items, value, start, stop):
    check_searching_matches_list(pdeque(items), items, value, start, stop)


# ---------------------------------------------------------------- state machine


def _popped(model, count, right):
    model = deque(model, model.maxlen)
    if count < 0:
        count, right = -count, not right
    for _ in range(min(count, len(model))):
        model.pop() if right else model.popleft()
    return model


class PDequeMachine(RuleBasedStateMachine):
    """Every version made stays in self.versions with its collections.deque
    model; each new version is checked, and every version at the end."""

    def __init__(self):
        super().__init__()
        self.versions = [(pdeque(), deque())]

    picks = st.integers(0, 10 ** 6)

    def pick(self, k):
        d, model = self.versions[k % len(self.versions)]
        return d, deque(model, model.maxlen)

    def add(self, d, model):
        check(d, model)
        self.versions.append((d, model))

    @rule(items=st.lists(elements, max_size=20), maxlen=maxlens)
    def make(self, items, maxlen):
        self.add(pdeque(items, maxlen), deque(items, maxlen))

    @rule(k=picks, x=elements)
    def append(self, k, x):
        d, model = self.pick(k)
        model.append(x)
        self.add(d.append(x), model)

    @rule(k=picks, x=elements)
    def appendleft(self, k, x):
        d, model = self.pick(k)
        model.appendleft(x)
        self.add(d.appendleft(x), model)

    @rule(k=picks, count=st.integers(-4, 6))
    def pop(self, k, count):
        d, model = self.pick(k)
        self.add(d.pop(count), _popped(model, count, True))

    @rule(k=picks, count=st.integers(-4, 6))
    def popleft(self, k, count):
        d, model = self.pick(k)
        self.add(d.popleft(count), _popped(model, count, False))

    @rule(k=picks, items=lists)
    def extend(self, k, items):
        d, model = self.pick(k)
        model.extend(items)
        self.add(d.extend(iter(items)), model)

    @rule(k=picks, items=lists)
    def extendleft(self, k, items):
        d, model = self.pick(k)
        model.extendleft(items)
        self.add(d.extendleft(iter(items)), model)

    @rule(k=picks, steps=st.integers(-25, 25))
    def rotate(self, k, steps):
        d, model = self.pick(k)
        model.rotate(steps)
        self.add(d.rotate(steps), model)

    @rule(k=picks, x=elements)
    def remove(self, k, x):
        d, model = self.pick(k)
        if x in model:
            model.remove(x)
            self.add(d.remove(x), model)
        else:
            with pytest.raises(ValueError):
                d.remove(x)

    @rule(k=picks)
    def reverse(self, k):
        d, model = self.pick(k)
        model.reverse()
        self.add(reversed(d), model)

    @rule(k=picks, start=bounds, stop=bounds)
    def slice(self, k, start, stop):
        d, model = self.pick(k)
        self.add(d[start:stop], deque(list(model)[start:stop], model.maxlen))

    @rule(j=picks, k=picks)
    def compare(self, j, k):
        a, ma = self.pick(j)
        b, mb = self.pick(k)
        la, lb = list(ma), list(mb)
        assert (a == b) == (la == lb)
        assert (a < b) == (la < lb) and (a >= b) == (la >= lb)
        if la == lb:
            assert hash(a) == hash(b)

    @invariant()
    def recent_versions_unchanged(self):
        for d, model in self.versions[-8:]:
            assert list(d) == list(model) and d.maxlen == model.maxlen

    def teardown(self):
        for d, model in self.versions:
            check(d, model)


PDequeMachine.TestCase.settings = settings(max_examples=70, stateful_step_count=35,
                                           deadline=None)
TestPDequeMachine = PDequeMachine.TestCase
