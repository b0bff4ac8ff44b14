"""march.pyrsistent._helpers: freeze, thaw and mutant (pyrsistent 0.20's
converters).

Unit tests of each conversion rule (which types are converted, what
``strict`` changes, what is left alone, identity and copying), the depth
of Python recursion, mutant, the docstring examples and the stub, then
Hypothesis properties against a plain recursive model of the rules.

The structures underneath are the ones ``import march`` picked: CI's
``MARCH_PURE_PYTHON=1`` run covers the pure-Python twin.
"""
import ast
import doctest
import json
import os
import sys
from collections import OrderedDict, defaultdict, namedtuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import march
from march.pyrsistent import s, v
from march.pyrsistent import _helpers
from march.pyrsistent._helpers import freeze, mutant, thaw
from march.pyrsistent._pmap import PMap, m, pmap

from march.pyrsistent import PSet as Set  # noqa: E402  (what freeze makes)
from march.pyrsistent import PVector as Vector  # noqa: E402
Point = namedtuple("Point", "x y")


class MyList(list):
    pass


class MyDict(dict):
    pass


# -- freeze -----------------------------------------------------------------

def test_freeze_leaves_scalars_and_unknown_objects_alone():
    thing = object()
    for x in (1, "s", b"b", 2.5, None, True, 3j, thing, frozenset({1}), range(3)):
        assert freeze(x) is x
        assert freeze(x, strict=False) is x


def test_freeze_dict_and_defaultdict_give_pmaps():
    for source in ({"a": 1}, defaultdict(list, a=1)):
        out = freeze(source)
        assert type(out) is PMap and out == {"a": 1}
    assert freeze({}) is m()


def test_freeze_list_gives_a_vector():
    out = freeze([1, 2, 3])
    assert type(out) is Vector and out == v(1, 2, 3)
    assert freeze([]) == v()


def test_freeze_set_gives_a_set_without_touching_elements():
    elements = {1, (2, 3), frozenset({4})}
    out = freeze(set(elements))
    assert type(out) is Set and out == elements
    assert {id(e) for e in out} == {id(e) for e in elements}


def test_freeze_tuple_gives_a_tuple_of_frozen_elements():
    out = freeze((1, [2], {"a": [3]}))
    assert type(out) is tuple
    assert type(out[1]) is Vector and type(out[2]) is PMap
    assert type(out[2]["a"]) is Vector
    t = (1, "x", None)
    assert freeze(t) is t


def test_freeze_recurses_into_values_but_not_keys():
    key = (1, 2)
    out = freeze({key: [{"b": [1, {2}]}]})
    (frozen_key,) = list(out.keys())
    assert frozen_key is key
    inner = out[key]
    assert type(inner) is Vector and type(inner[0]) is PMap
    assert type(inner[0]["b"]) is Vector and type(inner[0]["b"][1]) is Set


def test_freeze_leaves_subclasses_of_the_plain_types_alone():
    for x in (OrderedDict(a=[1]), MyDict(a=[1]), MyList([[1]]), Point([1], 2)):
        assert freeze(x) is x


def test_freeze_strict_recurses_into_persistent_containers():
    out = freeze({"a": m(b={"c": [1]}), "v": v(1, [2], {"k": 3})})
    assert type(out["a"]["b"]) is PMap and type(out["a"]["b"]["c"]) is Vector
    assert type(out["v"][1]) is Vector and type(out["v"][2]) is PMap


def test_freeze_not_strict_leaves_persistent_containers_as_they_are():
    inner = m(b={"c": 1})
    vec = v(2, [3])
    out = freeze({"a": inner, "v": vec, "l": [{"x": [1]}], "t": ({"y": 1},)}, strict=False)
    assert out["a"] is inner and out["v"] is vec
    assert type(out["a"]["b"]) is dict and type(out["v"][1]) is list
    # plain containers are still converted, at any depth
    assert type(out["l"][0]) is PMap and type(out["l"][0]["x"]) is Vector
    assert type(out["t"][0]) is PMap


def test_freeze_returns_frozen_persistent_containers_as_they_are():
    pm = m(a=1, b=v(1, m(c=2)), d=(1, s(2)))
    assert freeze(pm) is pm
    vec = v(1, pm, "x")
    assert freeze(vec) is vec
    changed = m(a=[1])
    assert freeze(changed) is not changed and type(freeze(changed)["a"]) is Vector
    assert changed["a"] == [1] and type(changed["a"]) is list


def test_freeze_of_a_march_map_gives_a_pmap():
    plain = march.Map(a=1)
    out = freeze(plain)
    assert type(out) is PMap and out == {"a": 1}
    nested = freeze(march.Map(a=[1]))
    assert type(nested) is PMap and type(nested["a"]) is Vector
    assert freeze(plain, strict=False) is plain


def test_freeze_does_not_change_its_input():
    doc = {"a": [1, {"b": [2]}], "c": {3}}
    before = json.dumps(doc, default=sorted)
    freeze(doc)
    assert json.dumps(doc, default=sorted) == before


def test_freeze_of_a_map_with_nested_values_keeps_the_scalar_entries():
    doc = {i: (i if i % 7 else [i]) for i in range(200)}
    out = freeze(doc)
    assert len(out) == 200
    for i in range(200):
        assert out[i] == doc[i]
        assert type(out[i]) is (int if i % 7 else Vector)
    out._check()


def test_freeze_of_nested_values_inside_a_set_or_a_key_is_not_attempted():
    key = ("k", ("nested",))
    out = freeze({key: {("x", (1,))}})
    assert list(out.keys())[0] is key and type(out[key]) is Set
    assert ("x", (1,)) in out[key]


# -- thaw -------------------------------------------------------------------

def test_thaw_leaves_scalars_and_unknown_objects_alone():
    thing = object()
    for x in (1, "s", None, thing, frozenset({1})):
        assert thaw(x) is x and thaw(x, strict=False) is x


def test_thaw_persistent_containers():
    assert thaw(v(1, 2)) == [1, 2] and type(thaw(v(1, 2))) is list
    assert thaw(m(a=1)) == {"a": 1} and type(thaw(m(a=1))) is dict
    assert thaw(march.Map(a=1)) == {"a": 1} and type(thaw(march.Map(a=1))) is dict
    assert thaw(s(1, 2)) == {1, 2} and type(thaw(s(1, 2))) is set
    assert thaw((1, v(2))) == (1, [2]) and type(thaw((1, v(2)))[1]) is list


def test_thaw_recurses():
    out = thaw(m(a=v(1, m(b=s(2)), (v(3),))))
    assert out == {"a": [1, {"b": {2}}, ([3],)]}
    assert type(out["a"]) is list and type(out["a"][1]) is dict
    assert type(out["a"][1]["b"]) is set and type(out["a"][2][0]) is list


def test_thaw_strict_recurses_into_plain_containers():
    out = thaw({"a": v(1, m(b=2))})
    assert type(out["a"]) is list and type(out["a"][1]) is dict
    out = thaw([["x", m(b=1), v(2)]])
    assert type(out[0][1]) is dict and type(out[0][2]) is list


def test_thaw_not_strict_leaves_plain_containers_as_they_are():
    source = {"a": v(1, m(b=2))}
    assert thaw(source, strict=False) is source
    lst = [m(a=1)]
    assert thaw(lst, strict=False) is lst
    out = thaw(v(["a", m(b=1), v(2)]), strict=False)
    assert type(out) is list and type(out[0][1]) is PMap
    out = thaw(m(a=[m(b=1)]), strict=False)
    assert type(out) is dict and type(out["a"][0]) is PMap


def test_thaw_always_gives_new_containers():
    inner = [1, 2]
    outer = {"k": inner}
    out = thaw(outer)
    assert out == outer and out is not outer and out["k"] is not inner
    out["k"].append(3)
    assert inner == [1, 2]
    flat = [1, 2]
    assert thaw(flat) is not flat and thaw(flat) == flat
    d = {"a": 1}
    assert thaw(d) is not d


class RecordLike(PMap):
    """A PMap subclass, as pyrsistent's PRecord is."""

    __slots__ = ()


def test_subclasses_of_pmap_are_persistent_maps():
    rec = march.Map.__new__(RecordLike, march.Map(x=1, y=[2]))
    out = thaw(rec)
    assert out == {"x": 1, "y": [2]} and type(out) is dict
    frozen = freeze(rec)
    assert type(frozen) is PMap and type(frozen["y"]) is Vector
    assert freeze(rec, strict=False) is rec
    flat = march.Map.__new__(RecordLike, march.Map(x=1))
    assert type(freeze(flat)) is PMap and freeze(flat) == {"x": 1}


def test_thaw_keys_are_left_alone():
    key = (1, 2)
    out = thaw(pmap({key: v()}))
    (k,) = out
    assert k is key


def test_thaw_dict_subclasses_are_not_plain_dicts():
    od = OrderedDict(a=v(1))
    assert thaw(od) is od
    dd = defaultdict(list, a=v(1))
    assert thaw(dd) is dd


# -- round trips ------------------------------------------------------------

def test_round_trip():
    doc = {"a": [1, {"b": (2, [3])}], "c": {4, 5}, "d": None}
    frozen = freeze(doc)
    assert frozen == doc and thaw(frozen) == doc
    assert thaw(freeze(doc)) is not doc


# -- recursion depth ----------------------------------------------------------

def _frames():
    n, f = 0, sys._getframe()
    while f is not None:
        n, f = n + 1, f.f_back
    return n


def nested(depth, leaf_width=50):
    doc = {"leaf": list(range(leaf_width)), "s": "x" * 3}
    for i in range(depth):
        doc = {"level": i, "child": [doc, "pad", i], "more": {"k": i}}
    return doc


def stack_needed(fn, doc):
    """The least recursion limit, above the current depth, under which
    fn(doc) runs (Python frames and C calls both count)."""
    limit = sys.getrecursionlimit()
    low, high = 0, 1000     # fails at low, runs at high
    try:
        while high - low > 1:
            mid = (low + high) // 2
            sys.setrecursionlimit(_frames() + mid)
            try:
                fn(doc)
            except RecursionError:
                low = mid
            else:
                high = mid
    finally:
        sys.setrecursionlimit(limit)
    return high


CONVERSIONS = [freeze, lambda d: freeze(d, strict=False),
               lambda d: thaw(freeze(d)), lambda d: thaw(freeze(d), strict=False)]


@pytest.mark.parametrize("fn", CONVERSIONS[:2])
def test_one_python_frame_per_nested_container(fn):
    # each level of nested() is a dict holding a list holding the next
    # level: 50 more levels are 100 more containers, 100 more frames
    assert stack_needed(fn, nested(60)) - stack_needed(fn, nested(10)) == 100


@pytest.mark.parametrize("strict", [True, False])
def test_thaw_one_python_frame_per_nested_container(strict):
    deep, shallow = freeze(nested(60)), freeze(nested(10))
    assert (stack_needed(lambda d: thaw(d, strict), deep)
            - stack_needed(lambda d: thaw(d, strict), shallow)) == 100


def test_wide_documents_need_no_more_stack_than_narrow_ones():
    wide = {"items": [{"id": i, "tags": ["a", "b"], "n": None} for i in range(2000)]}
    narrow = {"items": [{"id": 0, "tags": ["a", "b"], "n": None}]}
    assert stack_needed(freeze, wide) == stack_needed(freeze, narrow)
    wide_frozen, narrow_frozen = freeze(wide), freeze(narrow)
    assert stack_needed(thaw, wide_frozen) == stack_needed(thaw, narrow_frozen)
    assert wide_frozen == wide and thaw(wide_frozen) == wide


def test_deep_documents_convert():
    doc = nested(300)
    frozen = freeze(doc)
    assert thaw(frozen) == doc
    level = frozen
    for _ in range(300):
        assert type(level) is PMap and type(level["child"]) is Vector
        level = level["child"][0]
    assert level == {"leaf": list(range(50)), "s": "xxx"}


# -- mutant -----------------------------------------------------------------

def test_mutant_freezes_arguments_and_result():
    seen = {}

    @mutant
    def fn(a_list, a_dict, *, flag):
        seen.update(a_list=a_list, a_dict=a_dict, flag=flag)
        return [1, {"r": [2]}], {"a": 3}

    out = fn([1, [2]], a_dict={"a": {5}}, flag=[0])
    assert type(seen["a_list"]) is Vector and type(seen["a_list"][1]) is Vector
    assert type(seen["a_dict"]) is PMap and type(seen["a_dict"]["a"]) is Set
    assert type(seen["flag"]) is Vector
    assert type(out) is tuple
    assert type(out[0]) is Vector and type(out[0][1]["r"]) is Vector
    assert type(out[1]) is PMap and out[1] == {"a": 3}


def test_mutant_keeps_the_name_and_docstring():
    def documented(x):
        """Doc."""
        return x

    wrapped = mutant(documented)
    assert wrapped.__name__ == "documented" and wrapped.__doc__ == "Doc."
    assert wrapped.__wrapped__ is documented


# -- docstrings, stub -------------------------------------------------------

def test_docstring_examples_run():
    result = doctest.testmod(_helpers)
    assert result.attempted >= 6 and result.failed == 0


def test_public_names_are_documented():
    for fn in (freeze, thaw):
        assert ">>>" in fn.__doc__ and "O(" in fn.__doc__
    assert ">>>" in mutant.__doc__ and "Costs one" in mutant.__doc__


def test_stub_agrees_with_the_module():
    path = os.path.splitext(_helpers.__file__)[0] + ".pyi"
    with open(path) as f:
        tree = ast.parse(f.read())
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert functions == set(_helpers.__all__) == {"freeze", "thaw", "mutant"}


# -- Hypothesis: against a plain model of the rules ---------------------------

def model_freeze(o, strict):
    """The documented rules, written plainly (one case per type)."""
    t = type(o)
    if t is dict or t is defaultdict:
        return ("map", {k: model_freeze(x, strict) for k, x in o.items()})
    if t is list:
        return ("vector", [model_freeze(x, strict) for x in o])
    if t is tuple:
        return ("tuple", [model_freeze(x, strict) for x in o])
    if t is set:
        return ("set", o)
    if strict and isinstance(o, march.Map):
        return ("map", {k: model_freeze(x, strict) for k, x in o.items()})
    if strict and isinstance(o, march.Vector):
        return ("vector", [model_freeze(x, strict) for x in o])
    return ("same", o)


def described(o, expected):
    """Whether o has the types and contents that expected describes."""
    kind, content = expected
    if kind == "same":
        return o is content
    if kind == "map":
        return (type(o) is PMap and len(o) == len(content)
                and all(described(o[k], x) for k, x in content.items()))
    if kind == "vector":
        return (type(o) is Vector and len(o) == len(content)
                and all(described(a, x) for a, x in zip(o, content)))
    if kind == "tuple":
        return (type(o) is tuple and len(o) == len(content)
                and all(described(a, x) for a, x in zip(o, content)))
    return type(o) is Set and o == content


def model_thaw(o, strict):
    t = type(o)
    if isinstance(o, march.Vector) or (strict and t is list):
        return ("list", [model_thaw(x, strict) for x in o])
    if isinstance(o, march.Map) or (strict and t is dict):
        return ("dict", {k: model_thaw(x, strict) for k, x in o.items()})
    if t is tuple:
        return ("tuple", [model_thaw(x, strict) for x in o])
    if isinstance(o, march.Set):
        return ("pyset", set(o))
    return ("same", o)


def thawed_as(o, expected):
    kind, content = expected
    if kind == "same":
        return o is content
    if kind == "list":
        return (type(o) is list and len(o) == len(content)
                and all(thawed_as(a, x) for a, x in zip(o, content)))
    if kind == "dict":
        return (type(o) is dict and len(o) == len(content)
                and all(thawed_as(o[k], x) for k, x in content.items()))
    if kind == "tuple":
        return (type(o) is tuple and len(o) == len(content)
                and all(thawed_as(a, x) for a, x in zip(o, content)))
    return type(o) is set and o == content


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3),
                    st.floats(allow_nan=False), st.just(frozenset({1})))
KEYS = st.one_of(st.integers(-5, 20), st.text(max_size=3), st.tuples(st.integers(0, 3)))


def _containers(children):
    return st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(KEYS, children, max_size=5),
        st.tuples(children, children),
        st.sets(st.one_of(st.integers(0, 9), st.text(max_size=2)), max_size=4),
        st.lists(children, max_size=4).map(march.vector),
        st.dictionaries(KEYS, children, max_size=4).map(pmap),
        st.dictionaries(KEYS, children, max_size=4).map(march.Map),
        st.dictionaries(KEYS, children, max_size=3).map(lambda d: defaultdict(int, d)),
        st.lists(st.integers(0, 9), max_size=4).map(march.Set),
    )


DOCS = st.recursive(SCALARS, _containers, max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(DOCS, st.booleans())
def test_freeze_follows_the_model(doc, strict):
    assert described(freeze(doc, strict), model_freeze(doc, strict))


@settings(max_examples=300, deadline=None)
@given(DOCS, st.booleans())
def test_thaw_follows_the_model(doc, strict):
    assert thawed_as(thaw(doc, strict), model_thaw(doc, strict))


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda children: st.one_of(st.lists(children), st.dictionaries(st.text(), children)),
    max_leaves=40)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_json_documents_round_trip(doc):
    frozen = freeze(doc)
    assert frozen == doc
    assert thaw(frozen) == doc
    assert freeze(frozen) is frozen
    assert freeze(thaw(frozen)) == frozen
