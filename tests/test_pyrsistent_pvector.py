"""march.pyrsistent._pvector: PVector, pvector and v (pyrsistent 0.20's
persistent vector) as a subclass of march.Vector.

Unit tests of what PVector adds to march.Vector (the ``pvector([...])``
repr, the shared empty vector, ``0 * pv``), that every derivation keeps the
class, O(1) sharing with a march.Vector, equality, hashing, pickling, weak
references, the error messages pyrsistent users see, pyrsistent's other
names (``PythonPVector``, ``python_pvector``), the docstring examples and
the stub; then a Hypothesis state machine that runs PVectors and their
evolvers against a list and checks that no version it made ever changes.

The Vector underneath is the one ``import march`` picked: the
``MARCH_PURE_PYTHON=1`` run covers the pure-Python twin.
"""
import ast
import copy
import doctest
import os
import pickle
import weakref
from collections.abc import Hashable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, precondition, rule

from _subclassing import Counted
from _versions_machine import VersionsMachine

import march
import march.pyrsistent as mp
from march import discard, inc, ny
from march.pyrsistent import _pvector
from march.pyrsistent._pvector import PVector, PythonPVector, pvector, python_pvector, v


class NoPeeking(march.Vector):
    """A march.Vector whose element access all fails: building a PVector
    from it must take its tree, not read it."""

    def __iter__(self):
        raise AssertionError("iterated")

    def __len__(self):
        raise AssertionError("len() taken")

    def __getitem__(self, index):
        raise AssertionError("indexed")

    def tolist(self):
        raise AssertionError("tolist() called")


# -- construction, repr, the shared empty vector ------------------------------------

def test_construction():
    assert pvector([1, 2]) == [1, 2] and type(pvector([1, 2])) is PVector
    assert pvector(range(4)) == [0, 1, 2, 3]
    assert pvector(x for x in "ab") == ["a", "b"]
    assert pvector((1,)) == [1] and v(1, 2) == pvector([1, 2])
    assert type(v(1)) is PVector
    assert isinstance(v(), march.Vector) and isinstance(v(), Sequence)
    assert isinstance(v(), Hashable)
    with pytest.raises(TypeError):
        pvector(3)


def test_repr_and_str():
    assert repr(pvector()) == "pvector([])"
    assert repr(v(1, "a", None)) == "pvector([1, 'a', None])"
    assert str(v(1, 2)) == "pvector([1, 2])"
    assert repr(v(v(1), [2])) == "pvector([pvector([1]), [2]])"
    # the repr evaluates back to an equal vector
    pv = v(1, (2, 3), "x")
    assert eval(repr(pv), {"pvector": pvector}) == pv


def test_repr_matches_pyrsistent():
    pyrsistent = pytest.importorskip("pyrsistent")
    for items in ([], [1], [1, "b", None, (2,)], list(range(40))):
        assert repr(pvector(items)) == repr(pyrsistent.pvector(items))
        assert str(pvector(items)) == str(pyrsistent.pvector(items))


def test_one_shared_empty_vector():
    empty = pvector()
    assert v() is empty and pvector([]) is empty and pvector(()) is empty
    assert pvector(iter([])) is empty and pvector("") is empty
    assert python_pvector() is empty
    assert not empty and len(empty) == 0 and empty == []


def test_multiplying_into_nothing_gives_the_shared_empty_vector():
    pv = v(1, 2)
    empty = pvector()
    for product in (0 * pv, pv * 0, pv * -3, -1 * pv, empty * 5, 3 * empty):
        assert product is empty
    assert pv * 1 == pv and type(pv * 1) is PVector
    assert pv * 3 == [1, 2] * 3 and type(3 * pv) is PVector
    with pytest.raises(TypeError):
        pv * "a"
    with pytest.raises(TypeError):
        pv * 1.5


def test_empty_products_of_subclasses_keep_the_subclass():
    class Mine(PVector):
        __slots__ = ()

    mine = Mine([1])
    for product in (mine * 0, 0 * mine, mine * -1):
        assert product == [] and type(product) is Mine


# -- derivations keep the class -------------------------------------------------------

def _derivations(pv):
    """Each derivation of ``pv`` (= v(1, 2, 3)) with the list it must equal."""
    evolved = pv.evolver()
    evolved[0] = 10
    evolved.append(4)
    return [
        (pv.append(4), [1, 2, 3, 4]),
        (pv.extend([4, 5]), [1, 2, 3, 4, 5]),
        (pv.extend(v(4)), [1, 2, 3, 4]),
        (pv.set(0, 9), [9, 2, 3]),
        (pv.set(-1, 9), [1, 2, 9]),
        (pv.set(3, 4), [1, 2, 3, 4]),
        (pv.mset(0, 7, 2, 8), [7, 2, 8]),
        (pv.delete(0), [2, 3]),
        (pv.delete(0, 2), [3]),
        (pv.remove(2), [1, 3]),
        (pv.insert(1, 0), [1, 0, 2, 3]),
        (pv.appendleft(0), [0, 1, 2, 3]),
        (pv[1:], [2, 3]),
        (pv[::-1], [3, 2, 1]),
        (pv[::2], [1, 3]),
        (pv[1:1], []),
        (pv + [4], [1, 2, 3, 4]),
        (pv + (4,), [1, 2, 3, 4]),
        (pv + march.vector([4]), [1, 2, 3, 4]),
        (pv + pv, [1, 2, 3, 1, 2, 3]),
        (pv * 2, [1, 2, 3, 1, 2, 3]),
        (2 * pv, [1, 2, 3, 1, 2, 3]),
        (pv.transform([0], 5), [5, 2, 3]),
        (pv.transform([1], inc), [1, 3, 3]),
        (pv.transform([ny], lambda x: -x), [-1, -2, -3]),
        (pv.transform([lambda i: i > 0], discard), [1]),
        (evolved.persistent(), [10, 2, 3, 4]),
        (pv.evolver().append(4).persistent(), [1, 2, 3, 4]),
        (pv.mutate().finish(), [1, 2, 3]),
        (PVector.from_concat([pv, [4], (5,)]), [1, 2, 3, 4, 5]),
        (pv.pop()[0], [1, 2]),
        (pv.popleft()[0], [2, 3]),
        (pv.split(1)[0], [1]),
        (pv.split(1)[1], [2, 3]),
        (copy.deepcopy(pv), [1, 2, 3]),
    ]


def test_every_derivation_is_a_pvector():
    pv = v(1, 2, 3)
    for result, expected in _derivations(pv):
        assert type(result) is PVector, (result, expected)
        assert result == expected and result.tolist() == expected
        assert repr(result) == "pvector(%r)" % (expected,)
    assert pv == [1, 2, 3]  # the original never changes


def test_updates_that_change_nothing_return_the_vector():
    pv = v(1, 2, 3)
    assert pv.extend([]) is pv and pv.extend(()) is pv
    assert pv[:] is pv
    assert pv * 1 is pv
    assert pv.evolver().persistent() is pv
    assert pv.mutate().finish() is pv
    assert PVector(pv) is pv and pvector(pv) is pv


def test_march_vector_operations_on_a_pvector():
    pv = v(3, 1, 2)
    assert pv.index(1) == 1 and pv.count(2) == 1 and 1 in pv and 5 not in pv
    assert list(reversed(pv)) == [2, 1, 3] and sorted(pv) == [1, 2, 3]
    assert pv[0] == 3 and pv[-1] == 2 and len(pv) == 3
    assert pv.tolist() == [3, 1, 2] and type(pv.tolist()) is list
    # march.Vector's own from_concat and constructor stay march.Vector
    assert type(march.Vector.from_concat([pv, pv])) is march.Vector
    plain = march.Vector(pv)
    assert type(plain) is march.Vector and plain == pv


# -- sharing with march.Vector ---------------------------------------------------------

def test_pvector_of_a_march_vector_shares_its_tree():
    Counted.calls = 0
    elements = [Counted(i) for i in range(100)]
    mv = march.vector(elements)
    pv = pvector(mv)
    assert type(pv) is PVector and len(pv) == 100
    assert all(a is b for a, b in zip(pv, elements))
    assert Counted.calls == 0  # no element was compared or hashed


def test_pvector_of_a_march_vector_does_not_read_its_elements():
    spy = NoPeeking([1, 2, 3])
    pv = pvector(spy)
    assert type(pv) is PVector and march.Vector.tolist(pv) == [1, 2, 3]
    assert pvector(NoPeeking()) is pvector()


# -- equality, ordering, hashing ----------------------------------------------------------

def test_equality_with_sequences():
    pv = v(1, 2, 3)
    assert pv == [1, 2, 3] and [1, 2, 3] == pv
    # as in pyrsistent (both implementations): a tuple is never equal
    assert pv != (1, 2, 3) and (1, 2, 3) != pv and not pv == (1, 2, 3)
    assert pv == march.vector([1, 2, 3]) and march.vector([1, 2, 3]) == pv
    assert pv == v(1, 2, 3) and pv == pvector(range(1, 4))
    assert pv != [1, 2] and pv != [1, 2, 4] and pv != (3, 2, 1)
    assert not (pv != [1, 2, 3])
    assert pv != {1, 2, 3} and pv != "123" and pv != 5 and pv is not None
    assert v() == [] and v() != () and v() != [None]


def test_equality_with_tuples_and_lists_matches_pyrsistent():
    pyrsistent = pytest.importorskip("pyrsistent")
    for items in ([], [1], [1, 2], ["a", None]):
        for other in (list(items), tuple(items), items + [0]):
            assert (pvector(items) == other) == (pyrsistent.pvector(items) == other)
            assert (other == pvector(items)) == (other == pyrsistent.pvector(items))
            assert (pvector(items) != other) == (pyrsistent.pvector(items) != other)


def test_ordering():
    assert v(1, 2) < v(1, 3) and v(1, 2) < [1, 3] and v(1, 2) <= [1, 2]
    assert v(2) > v(1, 9) and v(1, 2, 3) >= [1, 2] and [0, 5] < v(1)
    assert v(1, 2) < march.vector([1, 2, 0])
    with pytest.raises(TypeError):
        v(1) < (2,)  # as in pyrsistent: a list does not order against a tuple
    assert sorted([v(2), v(1, 5), v(1)]) == [[1], [1, 5], [2]]


def test_hash():
    pv = v(1, "a", (2,))
    assert hash(pv) == hash(v(1, "a", (2,))) == hash(pvector([1, "a", (2,)]))
    assert hash(pv) == hash(march.vector([1, "a", (2,)]))
    assert {pv: 1}[v(1, "a", (2,))] == 1
    with pytest.raises(TypeError):
        hash(v([1]))


# -- pickling, copying, weak references, slots -------------------------------------------

@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip_keeps_pvector(protocol):
    for pv in (v(), v(1, "a", None), pvector(range(1000)), v(v(1), v())):
        back = pickle.loads(pickle.dumps(pv, protocol=protocol))
        assert back == pv and type(back) is PVector
        assert [type(x) for x in back] == [type(x) for x in pv]


def test_copies():
    pv = v([1], 2)
    assert copy.copy(pv) == pv and type(copy.copy(pv)) is PVector
    deep = copy.deepcopy(pv)
    assert deep == pv and type(deep) is PVector and deep[0] is not pv[0]


def test_weak_references_and_no_instance_dict():
    pv = v(1, 2)
    ref = weakref.ref(pv)
    assert ref() is pv
    assert PVector.__slots__ == ()
    with pytest.raises(AttributeError):
        pv.extra = 1
    with pytest.raises(TypeError):
        pv[0] = 5
    with pytest.raises(TypeError):
        del pv[0]


# -- errors ----------------------------------------------------------------------------------

def test_index_errors_name_the_index():
    pv = v(1, 2, 3)
    for operation, text in [(lambda: pv[5], "Index out of range: 5"),
                            (lambda: pv[-4], "Index out of range: -1"),
                            (lambda: pv.set(5, 0), "Index out of range: 5"),
                            (lambda: pv.set(-4, 0), "Index out of range: -1"),
                            (lambda: pv.mset(5, 0), "Index out of range: 5"),
                            (lambda: pv.delete(7), "Index out of range: 7"),
                            (lambda: pv.evolver()[5], "Index out of range: 5"),
                            (lambda: pv.evolver().set(5, 1), "Index out of range: 5"),
                            (lambda: pv.evolver().delete(5), "Index out of range: 5"),
                            (lambda: v()[0], "Index out of range: 0")]:
        with pytest.raises(IndexError) as info:
            operation()
        assert str(info.value) == text
    assert pv == [1, 2, 3]


def test_index_error_texts_match_pyrsistent():
    pyrsistent = pytest.importorskip("pyrsistent")
    theirs = pyrsistent.pvector([1, 2, 3])
    ours = v(1, 2, 3)
    for index in (3, 5, -4, -10):
        operations = [lambda pv: pv[index]]
        if index != 3:  # set(len(pv), x) appends
            operations.append(lambda pv: pv.set(index, 0))
        for read in operations:
            with pytest.raises(IndexError) as mine:
                read(ours)
            with pytest.raises(IndexError) as reference:
                read(theirs)
            assert str(mine.value) == str(reference.value)


def test_other_errors():
    pv = v(1, 2)
    with pytest.raises(ValueError):
        pv.remove(9)
    with pytest.raises(ValueError):
        pv.index(9)
    with pytest.raises(TypeError):
        pv["a"]
    with pytest.raises(TypeError):
        pv.mset(0)
    with pytest.raises(TypeError):
        pv + 5
    with pytest.raises(TypeError):
        [0] + pv  # as in pyrsistent: a list does not take a vector


def test_transform_through_a_string_is_refused_both_ways():
    pv = v("abc", v(1))
    with pytest.raises(TypeError):
        pv.transform([0, 1], "x")
    with pytest.raises(AttributeError):  # what pyrsistent raises here
        pv.transform([0, 1], "x")
    assert pv.transform([1, 0], 5) == ["abc", [5]]
    assert type(pv.transform([1, 0], 5)[1]) is PVector
    assert pv == ["abc", [1]]


# -- pyrsistent's other names ---------------------------------------------------------------------

def test_pyrsistent_aliases():
    assert _pvector.PythonPVector is PVector and PythonPVector is PVector
    assert _pvector.python_pvector is pvector and python_pvector is pvector
    assert mp.PVector is PVector and mp.pvector is pvector and mp.v is v
    assert set(_pvector.__all__) == {"PVector", "pvector", "v", "PythonPVector", "python_pvector"}
    assert type(python_pvector([1])) is PVector


def test_evolver_is_march_evolver_with_pvector_results():
    pv = v(1, 2)
    e = pv.evolver()
    assert not e.is_dirty()
    e[0] = 5
    e.append(6)
    del e[1]
    assert e.is_dirty() and len(e) == 2 and e[0] == 5
    out = e.persistent()
    assert out == [5, 6] and type(out) is PVector and not e.is_dirty()
    assert e.persistent() is out
    assert pv == [1, 2]


# -- documentation ---------------------------------------------------------------------------

def test_doctests():
    result = doctest.testmod(_pvector)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("obj", [_pvector, PVector, pvector, v])
def test_public_names_have_docstrings_with_examples(obj):
    assert obj.__doc__
    if obj is not _pvector:
        assert ">>>" in obj.__doc__


def test_stub_names_the_public_api():
    stub = os.path.splitext(_pvector.__file__)[0] + ".pyi"
    with open(stub) as f:
        tree = ast.parse(f.read())
    declared = {node.name for node in ast.walk(tree)
                if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    declared |= {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 for target in node.targets if isinstance(target, ast.Name)}
    declared |= {node.target.id for node in ast.walk(tree)
                 if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}
    for name in _pvector.__all__:
        assert name in declared, name


# -- property tests ---------------------------------------------------------------------------------

ELEMENTS = st.one_of(st.integers(-3, 3), st.text(max_size=2), st.none())


@settings(max_examples=200, deadline=None)
@given(st.lists(ELEMENTS, max_size=70), st.lists(ELEMENTS, max_size=70))
def test_concatenation_and_slicing_agree_with_lists(left, right):
    a, b = pvector(left), pvector(right)
    assert a + b == left + right and type(a + b) is PVector
    assert PVector.from_concat([a, b, left]) == left + right + left
    for start in (None, 0, 1, -1, len(left) // 2):
        for step in (None, 1, 2, -1, -3):
            sliced = a[start::step]
            assert sliced == left[start::step] and type(sliced) is PVector


def test_agrees_with_pyrsistent():
    pyrsistent = pytest.importorskip("pyrsistent")
    _agrees_with(pyrsistent)


@settings(max_examples=100, deadline=None)
@given(items=st.lists(ELEMENTS, max_size=40))
def _agrees_with(pyrsistent, items):
    ours, theirs = pvector(items), pyrsistent.pvector(items)
    assert repr(ours) == repr(theirs)
    assert ours == theirs.tolist() and ours.tolist() == theirs.tolist()
    if items:
        assert ours.set(0, "z").tolist() == theirs.set(0, "z").tolist()
        assert ours.delete(-1).tolist() == theirs.delete(-1).tolist()
        assert ours.remove(items[0]).tolist() == theirs.remove(items[0]).tolist()
    assert (ours * 2).tolist() == (theirs * 2).tolist()


# -- stateful test against a list model -----------------------------------------------------------

class PVectorMachine(VersionsMachine):
    """PVector versions against list models (the frame: _versions_machine)."""

    vectors = Bundle("vectors")

    def copy_model(self, model):
        return list(model)

    def check_new(self, pv, model):
        assert type(pv) is PVector
        assert len(pv) == len(model) and pv.tolist() == model and pv == model
        assert repr(pv) == "pvector(%r)" % (model,)
        if not model:
            assert pv == pvector()

    def matches(self, pv, model):
        return pv.tolist() == model

    def check_final(self, pv, model):
        assert pv.tolist() == model and type(pv) is PVector
        pv._check()

    @rule(target=vectors, items=st.lists(ELEMENTS, max_size=50))
    def build(self, items):
        pv = pvector(items)
        if not items:
            assert pv is pvector()
        return self.remember(pv, items)

    @rule(target=vectors, items=st.lists(ELEMENTS, max_size=5))
    def build_v(self, items):
        return self.remember(v(*items), items)

    @rule(target=vectors, source=vectors, x=ELEMENTS)
    def append(self, source, x):
        return self.remember(source[0].append(x), source[1] + [x])

    @rule(target=vectors, source=vectors, x=ELEMENTS)
    def appendleft(self, source, x):
        return self.remember(source[0].appendleft(x), [x] + source[1])

    @rule(target=vectors, source=vectors, items=st.lists(ELEMENTS, max_size=40))
    def extend(self, source, items):
        pv, model = source
        new = pv.extend(items)
        if not items:
            assert new is pv
        return self.remember(new, model + items)

    @rule(target=vectors, source=vectors, i=st.integers(-60, 60), x=ELEMENTS)
    def set(self, source, i, x):
        pv, model = source
        if i == len(model):
            return self.remember(pv.set(i, x), model + [x])
        if not -len(model) <= i < len(model):
            with pytest.raises(IndexError, match="Index out of range"):
                pv.set(i, x)
            return source
        expected = list(model)
        expected[i] = x
        return self.remember(pv.set(i, x), expected)

    @rule(target=vectors, source=vectors, data=st.data())
    def mset(self, source, data):
        pv, model = source
        if not model:
            return source
        pairs = data.draw(st.lists(st.tuples(st.integers(-len(model), len(model) - 1),
                                             ELEMENTS), max_size=4))
        expected = list(model)
        args = []
        for i, x in pairs:
            expected[i] = x
            args += [i, x]
        return self.remember(pv.mset(*args), expected)

    @rule(target=vectors, source=vectors, i=st.integers(-60, 60), x=ELEMENTS)
    def insert(self, source, i, x):
        pv, model = source
        expected = list(model)
        expected.insert(i, x)
        try:
            new = pv.insert(i, x)
        except IndexError:
            # only an index outside [-n, n] may be refused
            assert not -len(model) <= i <= len(model)
            return source
        return self.remember(new, expected)

    @rule(target=vectors, source=vectors, i=st.integers(-60, 60))
    def delete(self, source, i):
        pv, model = source
        if not -len(model) <= i < len(model):
            with pytest.raises(IndexError):
                pv.delete(i)
            return source
        expected = list(model)
        del expected[i]
        return self.remember(pv.delete(i), expected)

    @rule(target=vectors, source=vectors, start=st.integers(-60, 60), stop=st.integers(-60, 60))
    def delete_range(self, source, start, stop):
        pv, model = source
        expected = list(model)
        del expected[start:stop]
        try:
            new = pv.delete(start, stop)
        except IndexError:
            return source
        return self.remember(new, expected)

    @rule(target=vectors, source=vectors, x=ELEMENTS)
    def remove(self, source, x):
        pv, model = source
        if x not in model:
            with pytest.raises(ValueError):
                pv.remove(x)
            return source
        expected = list(model)
        expected.remove(x)
        return self.remember(pv.remove(x), expected)

    @rule(target=vectors, source=vectors, start=st.none() | st.integers(-60, 60),
          stop=st.none() | st.integers(-60, 60), step=st.sampled_from([None, 1, 2, 3, -1, -2]))
    def slice(self, source, start, stop, step):
        pv, model = source
        return self.remember(pv[start:stop:step], model[start:stop:step])

    @rule(target=vectors, left=vectors, right=vectors)
    def concat(self, left, right):
        return self.remember(left[0] + right[0], left[1] + right[1])

    @rule(target=vectors, left=vectors, right=st.lists(ELEMENTS, max_size=5))
    def concat_list(self, left, right):
        return self.remember(left[0] + right, left[1] + right)

    @rule(target=vectors, sources=st.lists(vectors, max_size=4))
    def from_concat(self, sources):
        expected = []
        for _, model in sources:
            expected += model
        return self.remember(PVector.from_concat([pv for pv, _ in sources]), expected)

    @rule(target=vectors, source=vectors, times=st.integers(-2, 3))
    def multiply(self, source, times):
        pv, model = source
        new = pv * times if times % 2 else times * pv
        if times <= 0 or not model:
            assert new is pvector()
        return self.remember(new, model * times)

    @rule(target=vectors, source=vectors, i=st.integers(-5, 5), x=ELEMENTS)
    def transform(self, source, i, x):
        pv, model = source
        if not -len(model) <= i < len(model):
            return source
        expected = list(model)
        expected[i] = x
        return self.remember(pv.transform([i], x), expected)

    @rule(source=vectors)
    def reads(self, source):
        pv, model = source
        for i in range(-len(model), len(model)):
            assert pv[i] == model[i]
        assert list(pv) == model and list(reversed(pv)) == model[::-1]

    @rule(left=vectors, right=vectors)
    def compare(self, left, right):
        (x, mx), (y, my) = left, right
        assert (x == y) == (mx == my) == (x == my) == (mx == y)
        assert (x != y) == (mx != my)
        try:
            expected = (mx < my, mx >= my)
        except TypeError:  # elements that do not order (None and an int)
            with pytest.raises(TypeError):
                x < y
        else:
            assert (x < y, x >= y) == expected
        if x == y:
            assert hash(x) == hash(y)

    @rule(source=vectors)
    def pickle_round_trip(self, source):
        back = pickle.loads(pickle.dumps(source[0]))
        assert back == source[1] and type(back) is PVector

    # the evolver

    @rule(source=vectors)
    def start_evolver(self, source):
        pv, model = source
        self.evolver = pv.evolver()
        self.evolver_base = pv
        self.evolver_model = list(model)

    @precondition(lambda self: self.evolver is not None)
    @rule(x=ELEMENTS)
    def evolver_append(self, x):
        self.evolver.append(x)
        self.evolver_model.append(x)

    @precondition(lambda self: self.evolver is not None)
    @rule(items=st.lists(ELEMENTS, max_size=10))
    def evolver_extend(self, items):
        self.evolver.extend(items)
        self.evolver_model.extend(items)

    @precondition(lambda self: self.evolver is not None)
    @rule(i=st.integers(-40, 40), x=ELEMENTS)
    def evolver_setitem(self, i, x):
        model = self.evolver_model
        if i == len(model):
            self.evolver[i] = x
            model.append(x)
        elif -len(model) <= i < len(model):
            self.evolver[i] = x
            model[i] = x
        else:
            with pytest.raises(IndexError):
                self.evolver[i] = x

    @precondition(lambda self: self.evolver is not None)
    @rule(i=st.integers(-40, 40))
    def evolver_delete(self, i):
        model = self.evolver_model
        if -len(model) <= i < len(model):
            del self.evolver[i]
            del model[i]
        else:
            with pytest.raises(IndexError):
                del self.evolver[i]

    @precondition(lambda self: self.evolver is not None)
    @rule(target=vectors)
    def evolver_persistent(self):
        return self.persist_evolver()

    @invariant()
    def evolver_reads(self):
        if self.evolver is not None:
            e, model = self.evolver, self.evolver_model
            assert len(e) == len(model)
            assert [e[i] for i in range(len(model))] == model


PVectorMachine.TestCase.settings = settings(max_examples=120, stateful_step_count=30,
                                            deadline=None)
test_pvector_machine = PVectorMachine.TestCase
