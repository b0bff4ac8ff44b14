"""march._transform under march.pyrsistent maps: what a path creates.

When a transform path names a key that is not there, the missing level is
filled with an empty map.  Under a march.pyrsistent map (PMap and its
subclasses PRecord and CheckedPMap) that map is a plain empty ``pmap()``,
as in pyrsistent 0.20, never an instance of the record or checked class
being transformed (a record with mandatory fields cannot even be built
empty, and a checked map's types belong to its own level only).  march's
own ``Map`` keeps expanding into ``march.Map``, and ``import march`` still
does not load ``march.pyrsistent``.

Unit tests, then a Hypothesis property against a nested-dict model.
"""
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import march
from march._transform import transform as _march_transform
from march.pyrsistent import CheckedKeyTypeError, CheckedPMap, PMap, PRecord, field, m, pmap


class Account(PRecord):
    owner = field(type=str, mandatory=True)
    tags = field()
    limits = field()


class ByName(CheckedPMap):
    __key_type__ = str


class Tree(PMap):
    __slots__ = ()


# -- records -----------------------------------------------------------------

def test_record_with_mandatory_field_grows_a_pmap_under_a_missing_field():
    acct = Account(owner="ann")
    grown = acct.transform(["limits", "daily"], 100)
    assert type(grown) is Account
    assert grown == {"owner": "ann", "limits": {"daily": 100}}
    assert type(grown["limits"]) is PMap
    assert grown.limits == pmap({"daily": 100})
    assert acct == {"owner": "ann"}  # the original is untouched


def test_record_deeper_paths_create_pmaps_at_every_missing_level():
    grown = Account(owner="bo").transform(["tags", "a", "b", "c"], 1)
    level = grown.tags
    for key in "abc":
        assert type(level) is PMap
        level = level[key]
    assert level == 1


def test_record_several_transformations_in_one_call():
    grown = Account(owner="cy").transform(["tags", "x"], 1, ["limits", "y"], 2)
    assert type(grown.tags) is PMap and type(grown.limits) is PMap
    assert grown.tags == {"x": 1} and grown.limits == {"y": 2}


def test_record_discard_of_a_missing_path_creates_nothing():
    from march import discard
    acct = Account(owner="di")
    assert acct.transform(["limits", "daily"], discard) is acct


# -- checked maps ------------------------------------------------------------

def test_checked_map_grows_a_plain_pmap_not_its_own_class():
    names = ByName({"x": m()})
    grown = names.transform(["y", 7], "seven")  # 7 is no str: fine one level down
    assert type(grown) is ByName
    assert type(grown["y"]) is PMap
    assert grown["y"] == {7: "seven"}


def test_checked_map_still_checks_its_own_level():
    with pytest.raises(CheckedKeyTypeError):
        ByName().transform([3, "z"], 1)


# -- plain PMap and its subclasses -------------------------------------------

def test_pmap_and_pmap_subclass_grow_pmaps():
    assert type(m().transform(["a", "b"], 1)["a"]) is PMap
    grown = Tree().transform(["a", "b"], 1)
    # (the result itself is a PMap, as pyrsistent's PMap evolver gives)
    assert type(grown["a"]) is PMap
    assert grown == {"a": {"b": 1}}


# -- march's own structures keep their behaviour -----------------------------

def test_march_map_still_grows_march_maps():
    grown = _march_transform(march.Map(), [["a", "b"], 1])
    assert type(grown["a"]) is march.Map
    grown = march.v(march.Map()).transform([0, "a", "b"], 1)
    assert type(grown[0]["a"]) is march.Map


def test_import_march_does_not_load_march_pyrsistent():
    code = ("import sys, march\n"
            "from march._transform import transform\n"
            "transform(march.Map(), [['a', 'b'], 1])\n"
            "assert 'march.pyrsistent' not in sys.modules, sorted(sys.modules)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- property: paths into records and maps against a nested dict -------------

_keys = st.sampled_from(["p", "q", "r", "s"])


def _model_set(model, path, value):
    """A copy of the nested dict ``model`` with ``value`` at ``path``."""
    out = dict(model)
    if len(path) == 1:
        out[path[0]] = value
    else:
        out[path[0]] = _model_set(out.get(path[0], {}), path[1:], value)
    return out


def _plain(x):
    """A nested dict of a nested map, checking that every inner map is a PMap."""
    if isinstance(x, march.Map):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _inner_maps_are_pmaps(x, top=True):
    if isinstance(x, march.Map):
        if not top and type(x) is not PMap:
            return False
        return all(_inner_maps_are_pmaps(v, False) for v in x.values())
    return True


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(["tags", "limits"]),
                                st.lists(_keys, min_size=1, max_size=3),
                                st.integers()),
                      max_size=6))
def test_paths_into_a_record_match_a_dict_model(steps):
    acct = Account(owner="eve")
    model = {"owner": "eve"}
    for top, rest, value in steps:
        path = [top] + rest
        if any(isinstance(_dig(model, path[:i]), int) for i in range(1, len(path))):
            continue  # a path through a leaf: not what this property is about
        before = acct
        acct = acct.transform(path, value)
        model = _model_set(model, path, value)
        assert before is not acct or _plain(before) == model
        assert type(acct) is Account
        assert _plain(acct) == model
        assert _inner_maps_are_pmaps(acct)


def _dig(model, path):
    for k in path:
        if not isinstance(model, dict) or k not in model:
            return None
        model = model[k]
    return model
