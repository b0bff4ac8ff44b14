"""march.pyrsistent._pset: PSet, pset and s (pyrsistent 0.20's persistent
set) as a subclass of march.Set.

Unit tests of what PSet adds to march.Set (the ``pset([...])`` repr, the
shared empty set, ``pre_size``), that the set algebra and every update keep
the class (reflected operators too), comparisons with set and frozenset,
updates that change nothing returning the set, the evolver, hashing,
pickling, weak references, O(1) sharing with a march.Set, hostile elements
(colliding hashes, an ``__eq__`` that raises), the docstring examples and
the stub; then a Hypothesis state machine that runs PSets and their
evolvers against a set and checks that no version it made ever changes.

The Set underneath is the one ``import march`` picked: the
``MARCH_PURE_PYTHON=1`` run covers the pure-Python twin.
"""
import ast
import copy
import doctest
import operator
import os
import pickle
import weakref
from collections.abc import Hashable, Set

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, precondition, rule

from _subclassing import Counted
from _versions_machine import VersionsMachine

import march
import march.pyrsistent as mp
from march.pyrsistent import _pset
from march.pyrsistent._pset import PSet, pset, s


class Collide:
    """Elements that all hash alike and are equal when their labels are."""

    def __init__(self, label):
        self.label = label

    def __hash__(self):
        return 77

    def __eq__(self, other):
        return isinstance(other, Collide) and other.label == self.label

    def __repr__(self):
        return "Collide(%r)" % (self.label,)


class Boom(Exception):
    pass


class EqRaises:
    """An element whose == raises against anything but itself; it hashes as
    Collide does, so it meets Collide elements in a collision node."""

    def __hash__(self):
        return 77

    def __eq__(self, other):
        if other is self:
            return True
        raise Boom("no comparing")


class NoPeeking(march.Set):
    """A march.Set whose element access fails: pset() must take its trie."""

    def __iter__(self):
        raise AssertionError("iterated")

    def __len__(self):
        raise AssertionError("len() taken")

    def __contains__(self, element):
        raise AssertionError("searched")


# -- construction, repr, the shared empty set -------------------------------------------

def test_construction():
    ps = pset([1, 2, 2, 3])
    assert type(ps) is PSet and ps == {1, 2, 3} and len(ps) == 3
    assert s(1, 2, 1) == {1, 2} and type(s(1)) is PSet
    assert pset(range(5)) == set(range(5)) and pset("abca") == {"a", "b", "c"}
    assert pset(x for x in (1, 2)) == {1, 2}
    assert isinstance(ps, march.Set) and isinstance(ps, Set) and isinstance(ps, Hashable)
    with pytest.raises(TypeError):
        pset(3)
    with pytest.raises(TypeError):
        pset([[1]])  # unhashable


def test_pre_size_is_accepted_and_ignored():
    assert pset([1, 2], 1) == {1, 2} and pset([1, 2], pre_size=1000) == {1, 2}
    assert pset(range(100), pre_size=2) == set(range(100))
    assert type(pset([1], pre_size=0)) is PSet
    assert pset((), 64) is pset() and pset(pre_size=3) is pset()


def test_repr_and_str():
    assert repr(pset()) == "pset()" and str(pset()) == "pset()"
    assert repr(s(1)) == "pset([1])" and str(s("a")) == "pset(['a'])"
    two = s(1, 2)
    assert repr(two) in ("pset([1, 2])", "pset([2, 1])") and str(two) == repr(two)
    # the repr lists the elements in iteration order and evaluates back
    ps = s(1, "b", (2, 3), None)
    assert repr(ps) == "pset([%s])" % ", ".join(map(repr, ps))
    assert eval(repr(ps), {"pset": pset}) == ps
    assert repr(s(s(1))) == "pset([pset([1])])"


def test_repr_matches_pyrsistent_where_the_order_is_fixed():
    pyrsistent = pytest.importorskip("pyrsistent")
    for items in ([], [1], ["a"], [(1, 2)]):
        assert repr(pset(items)) == repr(pyrsistent.pset(items))
    ours = repr(pset([1, 2, 3]))
    assert ours.startswith("pset([") and eval(ours, {"pset": pset}) == {1, 2, 3}


def test_one_shared_empty_set():
    empty = pset()
    assert s() is empty and pset([]) is empty and pset(()) is empty
    assert pset(iter([])) is empty and pset("") is empty and pset(set()) is empty
    assert mp.pset() is empty and mp.s() is empty
    assert not empty and len(empty) == 0 and empty == set()


def test_module_names():
    assert mp.PSet is PSet and mp.pset is pset and mp.s is s
    assert set(_pset.__all__) == {"PSet", "pset", "s"}
    assert PSet.__mro__[1] is march.Set


# -- the algebra keeps the class --------------------------------------------------------

def _results(ps):
    """Derivations of ``ps`` (= s(1, 2)) with the set each must equal."""
    return [
        (ps | {3}, {1, 2, 3}),
        ({3} | ps, {1, 2, 3}),
        (frozenset([3]) | ps, {1, 2, 3}),
        (ps | s(3), {1, 2, 3}),
        (ps | march.Set([3]), {1, 2, 3}),
        (ps | [3], {1, 2, 3}),
        (ps & {1, 5}, {1}),
        ({1, 5} & ps, {1}),
        (ps - {1}, {2}),
        ({1, 2, 3} - ps, {3}),
        (ps ^ {2, 3}, {1, 3}),
        ({2, 3} ^ ps, {1, 3}),
        (ps.union([3], (4,)), {1, 2, 3, 4}),
        (ps.intersection([1, 2, 9], {2}), {2}),
        (ps.difference([1]), {2}),
        (ps.symmetric_difference([2, 3]), {1, 3}),
        (ps.update([3], [4]), {1, 2, 3, 4}),
        (ps.add(3), {1, 2, 3}),
        (ps.remove(1), {2}),
        (ps.discard(1), {2}),
        (ps.evolver().add(3).persistent(), {1, 2, 3}),
        (ps.mutate().finish(), {1, 2}),
        (ps.copy(), {1, 2}),
        (copy.copy(ps), {1, 2}),
        (copy.deepcopy(ps), {1, 2}),
        (ps - ps, set()),
        (ps & set(), set()),
    ]


def test_every_derivation_is_a_pset():
    ps = s(1, 2)
    for result, expected in _results(ps):
        assert type(result) is PSet, (result, expected)
        assert result == expected and set(result) == expected
    assert ps == {1, 2}


def test_updates_that_change_nothing_return_the_set():
    ps = s(1, 2)
    assert ps.add(1) is ps and ps.add(2) is ps
    assert ps.discard(9) is ps
    assert ps.update() is ps and ps.update([]) is ps and ps.update([1], (2,)) is ps
    assert ps.union() is ps and ps | set() is ps
    assert ps - set() is ps and ps.difference() is ps
    assert ps & {1, 2, 3} is ps and ps.intersection([1, 2, 3]) is ps
    assert ps ^ set() is ps and ps.symmetric_difference([]) is ps
    assert ps | {1} is ps and {2} | ps is ps and ps.union([1]) is ps
    assert ps.evolver().persistent() is ps
    e = ps.evolver()
    e.add(1)
    assert e.persistent() is ps
    for again in (PSet(ps), pset(ps)):  # equal, of the class (identity not promised)
        assert again == ps and type(again) is PSet
    assert pset().add(1) == {1}


def test_a_difference_that_removes_nothing_is_an_equal_pset():
    ps = s(1, 2)
    for result in (ps - {7}, ps.difference([7])):
        assert result == ps and type(result) is PSet


def test_a_set_on_the_left_keeps_its_own_class():
    # march.Set's documented rule: the left operand's class, a PSet on the
    # right of a plain march.Set does not make the result a PSet
    result = march.Set([3]) | s(1)
    assert result == {1, 3} and type(result) is march.Set


def test_set_methods():
    ps = s(1, 2)
    assert ps.isdisjoint([3]) and not ps.isdisjoint({2})
    assert ps.issubset([1, 2, 3]) and not ps.issubset([1])
    assert ps.issuperset([1]) and not ps.issuperset({5})
    assert 1 in ps and 3 not in ps and sorted(ps) == [1, 2]
    with pytest.raises(KeyError) as info:
        ps.remove(5)
    assert info.value.args == (5,)
    assert ps == {1, 2}


# -- comparisons and hashing ----------------------------------------------------------------

def test_comparisons_with_sets_and_frozensets():
    ps = s(1, 2)
    for other in ({1, 2}, frozenset({1, 2}), s(2, 1), march.Set([1, 2])):
        assert ps == other and other == ps and not ps != other
        assert ps <= other and ps >= other and not ps < other and not ps > other
    for bigger in ({1, 2, 3}, frozenset({1, 2, 3}), s(1, 2, 3)):
        assert ps < bigger and ps <= bigger and bigger > ps and not ps >= bigger
        assert bigger >= ps and not bigger <= ps
    assert ps != {1} and ps != {1, 2, 3} and ps != [1, 2] and ps != (1, 2)
    assert ps != 5 and ps is not None
    assert not (ps < {3}) and not (ps > {3})
    with pytest.raises(TypeError):
        ps < [1, 2, 3]


def test_hash_agrees_with_equality():
    ps = s(1, "a", (2,))
    assert hash(ps) == hash(s((2,), "a", 1)) == hash(pset([1, "a", (2,)]))
    # equal to a frozenset, so hashed alike
    assert hash(ps) == hash(frozenset([1, "a", (2,)]))
    assert hash(pset()) == hash(frozenset())
    assert {ps: "x"}[frozenset([1, "a", (2,)])] == "x"


# -- pickling, weak references, slots --------------------------------------------------------

@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip_keeps_pset(protocol):
    for ps in (pset(), s(1, "a", None), pset(range(500)), s(s(1), frozenset())):
        back = pickle.loads(pickle.dumps(ps, protocol=protocol))
        assert back == ps and type(back) is PSet


def test_weak_references_and_no_instance_dict():
    ps = s(1)
    assert weakref.ref(ps)() is ps
    assert PSet.__slots__ == ()
    with pytest.raises(AttributeError):
        ps.extra = 1


# -- sharing with march.Set ---------------------------------------------------------------------

def test_pset_of_a_march_set_shares_its_trie():
    elements = [Counted(i) for i in range(50)]
    ms = march.Set(elements)
    Counted.calls = 0
    ps = pset(ms)
    assert Counted.calls == 0  # nothing hashed or compared again
    assert type(ps) is PSet and len(ps) == 50
    assert {id(x) for x in ps} == {id(x) for x in elements}


def test_pset_of_a_march_set_does_not_read_its_elements():
    ps = pset(NoPeeking([1, 2]))
    assert type(ps) is PSet and sorted(march.Set.__iter__(ps)) == [1, 2]
    assert pset(NoPeeking()) is pset()


# -- the evolver ------------------------------------------------------------------------------------

def test_evolver():
    ps = s(1, 2)
    e = ps.evolver()
    assert not e.is_dirty()
    assert e.add(3) is e and e.remove(1) is e and e.discard(9) is e
    assert 3 in e and 1 not in e and len(e) == 2 and e.is_dirty()
    with pytest.raises(KeyError):
        e.remove(1)
    out = e.persistent()
    assert out == {2, 3} and type(out) is PSet and not e.is_dirty()
    assert e.persistent() is out
    assert e.finish() is out
    assert ps == {1, 2}
    # the empty result is an empty PSet
    e = s(1).evolver()
    e.remove(1)
    assert e.persistent() == set() and type(e.persistent()) is PSet


# -- hostile elements ------------------------------------------------------------------------------

def test_colliding_hashes():
    items = [Collide(i) for i in range(40)]
    ps = pset(items)
    assert len(ps) == 40 and all(Collide(i) in ps for i in range(40))
    assert Collide(40) not in ps
    assert ps.add(Collide(3)) is ps
    smaller = ps.remove(Collide(3))
    assert len(smaller) == 39 and Collide(3) not in smaller and len(ps) == 40
    assert ps == set(items) and smaller | {Collide(3)} == ps
    assert type(smaller) is PSet
    assert (ps - {Collide(i) for i in range(39)}) == {Collide(39)}
    back = pickle.loads(pickle.dumps(ps))
    assert back == ps


def test_an_eq_that_raises_propagates_and_changes_nothing():
    colliding = pset([Collide("a"), Collide("b")])
    hostile = EqRaises()
    # Collide.__eq__ answers False for it, so adding it works
    with_hostile = colliding.add(hostile)
    assert len(with_hostile) == 3 and hostile in with_hostile

    stranger = EqRaises()
    attempts = [
        lambda: with_hostile.add(stranger),
        lambda: with_hostile.remove(stranger),
        lambda: with_hostile.discard(stranger),
        lambda: stranger in with_hostile,
        lambda: with_hostile | {stranger},
        lambda: with_hostile.update([stranger]),
        lambda: with_hostile.evolver().add(stranger),
    ]
    for attempt in attempts:
        with pytest.raises(Boom):
            attempt()
        assert len(with_hostile) == 3
        assert {id(x) for x in with_hostile} == {id(x) for x in [hostile] + list(colliding)}
    assert colliding == {Collide("a"), Collide("b")} and len(colliding) == 2

    # an evolver survives the failed add with its earlier changes intact
    e = with_hostile.evolver()
    e.add("c")
    with pytest.raises(Boom):
        e.add(stranger)
    out = e.persistent()
    assert len(out) == 4 and "c" in out and type(out) is PSet
    assert len(with_hostile) == 3


def test_an_unhashable_element_changes_nothing():
    ps = s(1)
    for attempt in (lambda: ps.add([2]), lambda: ps.update([[2]]), lambda: ps | [[2]],
                    lambda: ps.evolver().add([2])):
        with pytest.raises(TypeError):
            attempt()
    assert ps == {1}


# -- documentation -----------------------------------------------------------------------------

def test_doctests():
    result = doctest.testmod(_pset)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("obj", [PSet, pset, s])
def test_public_names_have_docstrings_with_examples(obj):
    assert obj.__doc__ and ">>>" in obj.__doc__


def test_stub_names_the_public_api():
    stub = os.path.splitext(_pset.__file__)[0] + ".pyi"
    with open(stub) as f:
        tree = ast.parse(f.read())
    declared = {node.name for node in ast.walk(tree)
                if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    for name in _pset.__all__:
        assert name in declared, name


# -- property tests -------------------------------------------------------------------------------

ELEMENTS = st.one_of(st.integers(-20, 20), st.sampled_from(["a", "b", None, (1,)]),
                     st.integers(0, 5).map(Collide))
OPERATORS = [operator.or_, operator.and_, operator.sub, operator.xor]


@settings(max_examples=200, deadline=None)
@given(st.lists(ELEMENTS, max_size=30), st.lists(ELEMENTS, max_size=30))
def test_operators_agree_with_frozenset(left, right):
    a, b = pset(left), frozenset(right)
    fa = frozenset(left)
    for op in OPERATORS:
        for result, expected in ((op(a, b), op(fa, b)), (op(b, a), op(b, fa)),
                                 (op(a, pset(right)), op(fa, b))):
            assert result == expected and type(result) is PSet
    assert (a <= b) == (fa <= b) and (a < b) == (fa < b) and (a == b) == (fa == b)
    assert (a >= b) == (fa >= b) and (b > a) == (b > fa)


def test_agrees_with_pyrsistent():
    pyrsistent = pytest.importorskip("pyrsistent")
    _agrees_with(pyrsistent)


@settings(max_examples=100, deadline=None)
@given(left=st.lists(st.integers(-50, 50), max_size=30),
       right=st.lists(st.integers(-50, 50), max_size=30))
def _agrees_with(pyrsistent, left, right):
    ours, theirs = pset(left), pyrsistent.pset(left)
    assert set(ours) == set(theirs) and ours == theirs
    for op in OPERATORS:
        assert set(op(ours, pset(right))) == set(op(theirs, pyrsistent.pset(right)))
    assert set(ours.update(right)) == set(theirs.update(right))
    if left:
        assert set(ours.remove(left[0])) == set(theirs.remove(left[0]))


# -- stateful test against a set model -------------------------------------------------------------

class PSetMachine(VersionsMachine):
    """PSet versions against set models (the frame: _versions_machine)."""

    sets = Bundle("sets")

    def copy_model(self, model):
        return set(model)

    def check_new(self, ps, model):
        assert type(ps) is PSet
        assert len(ps) == len(model) and set(ps) == model and ps == model
        for x in model:
            assert x in ps
        if not model:
            assert ps == pset() and repr(ps) == "pset()"

    def matches(self, ps, model):
        return set(ps) == model

    def check_final(self, ps, model):
        assert set(ps) == model and len(ps) == len(model) and type(ps) is PSet
        ps._check()

    @rule(target=sets, items=st.lists(ELEMENTS, max_size=30))
    def build(self, items):
        ps = pset(items)
        if not items:
            assert ps is pset()
        return self.remember(ps, set(items))

    @rule(target=sets, items=st.lists(ELEMENTS, max_size=5))
    def build_s(self, items):
        return self.remember(s(*items), set(items))

    @rule(target=sets, source=sets, x=ELEMENTS)
    def add(self, source, x):
        ps, model = source
        new = ps.add(x)
        if x in model:
            assert new is ps
        return self.remember(new, model | {x})

    @rule(target=sets, source=sets, x=ELEMENTS)
    def remove(self, source, x):
        ps, model = source
        if x in model:
            return self.remember(ps.remove(x), model - {x})
        with pytest.raises(KeyError):
            ps.remove(x)
        assert ps.discard(x) is ps
        return source

    @rule(target=sets, source=sets, x=ELEMENTS)
    def discard(self, source, x):
        ps, model = source
        return self.remember(ps.discard(x), model - {x})

    @rule(target=sets, source=sets, others=st.lists(st.lists(ELEMENTS, max_size=6), max_size=3))
    def update(self, source, others):
        ps, model = source
        expected = set(model)
        for other in others:
            expected.update(other)
        new = ps.update(*others)
        if expected == model:
            assert new is ps
        return self.remember(new, expected)

    @rule(target=sets, left=sets, right=sets, op=st.sampled_from(OPERATORS))
    def operator(self, left, right, op):
        return self.remember(op(left[0], right[0]), op(left[1], right[1]))

    @rule(target=sets, left=sets, right=st.sets(ELEMENTS, max_size=6),
          op=st.sampled_from(OPERATORS))
    def reflected(self, left, right, op):
        frozen = frozenset(right)
        return self.remember(op(frozen, left[0]), set(op(frozen, left[1])))

    @rule(target=sets, left=sets, others=st.lists(st.lists(ELEMENTS, max_size=6), max_size=3),
          method=st.sampled_from(["union", "intersection", "difference"]))
    def named(self, left, others, method):
        ps, model = left
        return self.remember(getattr(ps, method)(*others), getattr(model, method)(*others))

    @rule(target=sets, left=sets, other=st.lists(ELEMENTS, max_size=6))
    def symmetric_difference(self, left, other):
        ps, model = left
        return self.remember(ps.symmetric_difference(other), model.symmetric_difference(other))

    @rule(left=sets, right=sets)
    def compare(self, left, right):
        (x, mx), (y, my) = left, right
        assert (x == y) == (mx == my) == (x == my) == (my == x)
        assert (x != y) == (mx != my)
        assert (x < y) == (mx < my) and (x <= y) == (mx <= my)
        assert (x > y) == (mx > my) and (x >= y) == (mx >= my)
        assert x.isdisjoint(y) == mx.isdisjoint(my)
        if x == y:
            assert hash(x) == hash(y)

    @rule(source=sets)
    def pickle_round_trip(self, source):
        back = pickle.loads(pickle.dumps(source[0]))
        assert back == source[1] and type(back) is PSet

    # the evolver

    @rule(source=sets)
    def start_evolver(self, source):
        ps, model = source
        self.evolver = ps.evolver()
        self.evolver_base = ps
        self.evolver_model = set(model)

    @precondition(lambda self: self.evolver is not None)
    @rule(x=ELEMENTS)
    def evolver_add(self, x):
        assert self.evolver.add(x) is self.evolver
        self.evolver_model.add(x)

    @precondition(lambda self: self.evolver is not None)
    @rule(x=ELEMENTS)
    def evolver_remove(self, x):
        if x in self.evolver_model:
            self.evolver.remove(x)
            self.evolver_model.remove(x)
        else:
            with pytest.raises(KeyError):
                self.evolver.remove(x)

    @precondition(lambda self: self.evolver is not None)
    @rule(x=ELEMENTS)
    def evolver_discard(self, x):
        self.evolver.discard(x)
        self.evolver_model.discard(x)

    @precondition(lambda self: self.evolver is not None)
    @rule(target=sets)
    def evolver_persistent(self):
        return self.persist_evolver()

    @invariant()
    def evolver_reads(self):
        if self.evolver is not None:
            e, model = self.evolver, self.evolver_model
            assert len(e) == len(model)
            for x in model:
                assert x in e


PSetMachine.TestCase.settings = settings(max_examples=120, stateful_step_count=30,
                                         deadline=None)
test_pset_machine = PSetMachine.TestCase
