"""march.pyrsistent._toolz: get_in, the nested lookup of pyrsistent 0.20
(from toolz), over march and pyrsistent structures and plain dicts and lists;
and a Hypothesis test against a model written with explicit type checks."""
import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import march
from march.pyrsistent import _toolz
from march.pyrsistent._toolz import get_in

NESTED = {"name": "Ada", "tags": ["a", "b"], "inner": {"deep": [10, {"k": "v"}]}}


def test_plain_dicts_and_lists():
    assert get_in(["name"], NESTED) == "Ada"
    assert get_in(["tags", 1], NESTED) == "b"
    assert get_in(["tags", -1], NESTED) == "b"
    assert get_in(["inner", "deep", 1, "k"], NESTED) == "v"
    assert get_in(("inner", "deep", 0), NESTED) == 10


def test_no_keys_gives_the_collection():
    assert get_in([], NESTED) is NESTED
    assert get_in((), 5) == 5


def test_missing_gives_the_default():
    assert get_in(["nope"], NESTED) is None
    assert get_in(["tags", 7], NESTED) is None
    assert get_in(["tags", "x"], NESTED) is None        # list["x"]: TypeError
    assert get_in(["name", "x", "y"], NESTED) is None   # str["x"]: TypeError
    assert get_in(["inner", "deep", 0, 0], NESTED) is None  # int[0]: TypeError
    assert get_in(["nope"], NESTED, "dflt") == "dflt"
    assert get_in(["nope"], NESTED, default=0) == 0


def test_keys_that_are_not_iterable_give_the_default():
    assert get_in(5, NESTED, "d") == "d"
    with pytest.raises(TypeError):
        get_in(5, NESTED, no_default=True)


def test_keys_may_be_any_iterable():
    assert get_in(iter(["inner", "deep", 0]), NESTED) == 10
    assert get_in((k for k in ["tags", 0]), NESTED) == "a"
    # a mapping as keys is iterated: its keys are the path
    assert get_in({"tags": None}, NESTED) == ["a", "b"]


def test_no_default_raises_the_lookup_error():
    with pytest.raises(KeyError) as info:
        get_in(["y"], {}, no_default=True)
    assert info.value.args == ("y",)
    with pytest.raises(IndexError):
        get_in(["tags", 9], NESTED, no_default=True)
    with pytest.raises(TypeError):
        get_in(["tags", "x"], NESTED, no_default=True)


def test_other_errors_are_not_swallowed():
    class Broken:
        def __getitem__(self, key):
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        get_in(["a"], Broken())


def test_march_structures():
    data = march.Map(a=march.v(1, march.Map(b="deep")), c=march.Map())
    assert get_in(["a", 1, "b"], data) == "deep"
    assert get_in(["a", 0], data) == 1
    assert get_in(["a", 5], data, "d") == "d"
    assert get_in(["c", "x"], data, "d") == "d"
    assert get_in(["a", "x"], data, "d") == "d"
    with pytest.raises(KeyError):
        get_in(["c", "x"], data, no_default=True)
    with pytest.raises(IndexError):
        get_in(["a", 5], data, no_default=True)


def test_pyrsistent_structures():
    pyrsistent = pytest.importorskip("pyrsistent")
    data = pyrsistent.freeze({"purchase": {"items": ["Apple", "Orange"]}, "n": 1})
    assert get_in(["purchase", "items", 0], data) == "Apple"
    assert get_in(["purchase", "total"], data) is None
    assert get_in(["purchase", "items", "apple"], data) is None
    assert get_in(["purchase", "items", 10], data) is None
    assert get_in(["purchase", "total"], data, 0) == 0
    # pyrsistent's own test passes the arguments the other way round: the
    # pmap is iterated as the keys, and the list cannot be indexed by them
    assert get_in(pyrsistent.m(a=pyrsistent.v(1, 2, 3)), ["m", 1]) is None


def test_docstring_examples_run():
    result = doctest.testmod(_toolz)
    assert result.attempted > 0
    assert result.failed == 0


# -- Hypothesis: against a model --------------------------------------------

_MISSING = object()


def model_get_in(keys, coll):
    """The lookup written out: dicts by key, lists by in-range int index."""
    for key in keys:
        if isinstance(coll, dict):
            if key not in coll:
                return _MISSING
            coll = coll[key]
        elif isinstance(coll, list):
            if not isinstance(key, int) or not -len(coll) <= key < len(coll):
                return _MISSING
            coll = coll[key]
        else:
            return _MISSING
    return coll


KEYS = st.one_of(st.integers(-3, 3), st.sampled_from(["a", "b", "c"]))
TREES = st.recursive(
    st.integers(),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=15)


def to_march(tree):
    if isinstance(tree, dict):
        return march.Map({k: to_march(v) for k, v in tree.items()})
    if isinstance(tree, list):
        return march.vector(to_march(v) for v in tree)
    return tree


@given(TREES, st.lists(KEYS, max_size=4))
@settings(max_examples=300)
def test_get_in_matches_the_model(tree, keys):
    expected = model_get_in(keys, tree)
    for coll in (tree, to_march(tree)):
        got = get_in(keys, coll, default=_MISSING)
        if expected is _MISSING:
            assert got is _MISSING
            with pytest.raises((KeyError, IndexError, TypeError)):
                get_in(keys, coll, no_default=True)
        else:
            assert got == to_march(expected) if coll is not tree else got == expected
            assert get_in(keys, coll, no_default=True) == got
