# Type stubs of march.pyrsistent._pset: PSet (pyrsistent's persistent set, a
# subclass of march.Set whose derivations stay PSets), pset and s.
from collections.abc import Iterable
from typing import TypeVar

from march import Set

__all__ = ["PSet", "pset", "s"]

_T = TypeVar("_T")

class PSet(Set[_T]):
    def __repr__(self) -> str: ...

def pset(iterable: Iterable[_T] = ..., pre_size: int = 8) -> PSet[_T]: ...
def s(*elements: _T) -> PSet[_T]: ...
