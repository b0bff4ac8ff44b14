# Type stubs of march.pyrsistent.typing: names for annotating
# march.pyrsistent's structures, subscriptable with their item types.  For a
# type checker each name is the real class (the evolver names included: at
# run time those are abstract classes with the real evolvers registered).
from typing import TypeVar

from march import SetEvolver, VectorEvolver

from ._checked_types import CheckedPMap as CheckedPMap
from ._checked_types import CheckedPSet as CheckedPSet
from ._checked_types import CheckedPVector as CheckedPVector
from ._pbag import PBag as PBag
from ._pdeque import PDeque as PDeque
from ._plist import PList as PList
from ._pmap import PMap as PMap
from ._pset import PSet as PSet
from ._pvector import PVector as PVector

__all__ = [
    "CheckedPMap",
    "CheckedPSet",
    "CheckedPVector",
    "PBag",
    "PDeque",
    "PList",
    "PMap",
    "PSet",
    "PVector",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
KT = TypeVar("KT")
VT = TypeVar("VT")
VT_co = TypeVar("VT_co", covariant=True)

PVectorEvolver = VectorEvolver
PSetEvolver = SetEvolver
PMapEvolver = PMap._Evolver
