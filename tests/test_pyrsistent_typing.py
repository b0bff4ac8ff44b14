"""march.pyrsistent.typing: the names pyrsistent.typing offers for
annotations, subscriptable: the classes themselves, and abstract markers
for the evolvers."""
import ast
import doctest
import os
import typing
from collections.abc import Hashable, Sequence

import pytest

import march
from march.pyrsistent import typing as ptyping
from march.pyrsistent._checked_types import CheckedPMap, CheckedPSet, CheckedPVector
from march.pyrsistent._pbag import PBag, pbag
from march.pyrsistent._pdeque import PDeque, pdeque
from march.pyrsistent._plist import PList, plist
from march.pyrsistent._pmap import PMap, m
from march.pyrsistent._precord import PRecord
from march.pyrsistent._pset import PSet, s
from march.pyrsistent._pvector import PVector, v

PYRSISTENT_NAMES = ["CheckedPMap", "CheckedPSet", "CheckedPVector", "PBag", "PDeque",
                    "PList", "PMap", "PSet", "PVector"]


def test_all_names_pyrsistent_typing_has():
    assert sorted(ptyping.__all__) == sorted(PYRSISTENT_NAMES)
    for name in ["PVectorEvolver", "PMapEvolver", "PSetEvolver", "T", "T_co", "KT", "VT", "VT_co"]:
        assert hasattr(ptyping, name)
    assert ptyping.T_co.__covariant__ and ptyping.VT_co.__covariant__


@pytest.mark.parametrize("name, real", [
    ("PMap", PMap), ("CheckedPMap", CheckedPMap), ("PBag", PBag), ("PDeque", PDeque),
    ("PList", PList), ("PVector", PVector), ("PSet", PSet),
    ("CheckedPVector", CheckedPVector), ("CheckedPSet", CheckedPSet),
])
def test_existing_classes_are_the_classes_themselves(name, real):
    assert getattr(ptyping, name) is real


def test_everything_can_be_subscripted():
    one = ["CheckedPSet", "CheckedPVector", "PBag", "PDeque", "PList", "PSet", "PVector",
           "PVectorEvolver", "PSetEvolver"]
    for name in one:
        alias = getattr(ptyping, name)[int]
        assert typing.get_origin(alias) is getattr(ptyping, name)
        assert typing.get_args(alias) == (int,)
    for name in ["PMap", "CheckedPMap", "PMapEvolver"]:
        assert typing.get_args(getattr(ptyping, name)[str, int]) == (str, int)


def test_annotations_resolve():
    def index(words: ptyping.PVector[str]) -> ptyping.PMap[str, int]:
        return m()

    hints = typing.get_type_hints(index)
    assert typing.get_origin(hints["return"]) is PMap


def test_isinstance_with_the_real_classes():
    assert isinstance(m(a=1), ptyping.PMap)
    assert isinstance(pbag([1]), ptyping.PBag)
    assert isinstance(pdeque([1]), ptyping.PDeque)
    assert isinstance(plist([1]), ptyping.PList)
    assert isinstance(v(1), ptyping.PVector) and isinstance(s(1), ptyping.PSet)
    assert not isinstance(march.v(1), ptyping.PVector)

    class Rec(PRecord):
        pass

    assert isinstance(Rec(), ptyping.PMap)


def test_evolver_markers_know_the_real_evolvers():
    assert isinstance(march.v(1).evolver(), ptyping.PVectorEvolver)
    assert isinstance(march.s(1).evolver(), ptyping.PSetEvolver)
    assert isinstance(m(a=1).evolver(), ptyping.PMapEvolver)

    class Rec(PRecord):
        pass

    class Checked(CheckedPMap):
        pass

    assert isinstance(Rec().evolver(), ptyping.PMapEvolver)
    assert isinstance(Checked().evolver(), ptyping.PMapEvolver)
    assert not isinstance(m(), ptyping.PMapEvolver)


def test_checked_collections_and_their_evolvers():
    class Ints(CheckedPVector):
        __type__ = int

    class Names(CheckedPSet):
        __type__ = str

    assert isinstance(Ints([1]), ptyping.CheckedPVector)
    assert isinstance(Ints([1]), Sequence) and isinstance(Names(["a"]), Hashable)
    assert isinstance(Ints([1]).evolver(), ptyping.PVectorEvolver)
    assert isinstance(Names(["a"]).evolver(), ptyping.PSetEvolver)
    assert not isinstance(Ints([1]).evolver(), ptyping.PSetEvolver)


@pytest.mark.parametrize("name", ["PVectorEvolver", "PMapEvolver", "PSetEvolver"])
def test_evolver_markers_cannot_be_instantiated(name):
    with pytest.raises(TypeError, match="for annotations only"):
        getattr(ptyping, name)()


def test_doctests():
    result = doctest.testmod(ptyping)
    assert result.attempted > 0 and result.failed == 0


def test_stub_declares_every_name():
    stub = os.path.splitext(ptyping.__file__)[0] + ".pyi"
    with open(stub) as f:
        tree = ast.parse(f.read())
    declared = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            declared.add(node.name)
        elif isinstance(node, ast.Assign):
            declared.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            declared.update(a.asname for a in node.names if a.asname == a.name)
    for name in PYRSISTENT_NAMES + ["PVectorEvolver", "PMapEvolver", "PSetEvolver"]:
        assert name in declared, name
