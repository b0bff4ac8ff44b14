# Type stubs of march.pyrsistent._pvector: PVector (pyrsistent's persistent
# vector, a subclass of march.Vector whose derivations stay PVectors),
# pvector, v and pyrsistent's other names for them.
from collections.abc import Iterable
from typing import SupportsIndex, TypeVar

from typing_extensions import Self

from march import Vector

__all__ = ["PVector", "pvector", "v", "PythonPVector", "python_pvector"]

_T = TypeVar("_T")

class PVector(Vector[_T]):
    def __repr__(self) -> str: ...
    def __mul__(self, times: SupportsIndex, /) -> Self: ...
    def __rmul__(self, times: SupportsIndex, /) -> Self: ...

def pvector(iterable: Iterable[_T] = ...) -> PVector[_T]: ...
def v(*elements: _T) -> PVector[_T]: ...

PythonPVector = PVector
python_pvector = pvector
