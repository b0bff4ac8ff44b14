# Type stubs of march.pyrsistent.typing: names for annotating
# march.pyrsistent's structures, subscriptable with their item types.  For a
# type checker each name is the real class where one exists (the evolver
# names included: at run time those are abstract classes with the real
# evolvers registered); CheckedPVector and CheckedPSet are markers until
# their classes are written.
from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

from march import Set, SetEvolver, Vector, VectorEvolver

from ._checked_types import CheckedPMap as CheckedPMap
from ._pbag import PBag as PBag
from ._pdeque import PDeque as PDeque
from ._plist import PList as PList
from ._pmap import PMap as PMap

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

# march.Vector / march.Set for now: what pvector() / pset() make
PVector = Vector
PSet = Set
PVectorEvolver = VectorEvolver
PSetEvolver = SetEvolver
PMapEvolver = PMap._Evolver

# markers until the classes exist (not instantiable)
class CheckedPVector(Sequence[T_co], Hashable, Generic[T_co]): ...
class CheckedPSet(Hashable, Generic[T_co]): ...
