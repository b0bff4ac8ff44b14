"""Names for annotating march.pyrsistent's structures, as ``pyrsistent.typing``
offers them: each can be subscripted with its item types.

    >>> from march.pyrsistent.typing import PMap, PVector
    >>> def index(words: PVector[str]) -> PMap[str, int]: ...

pyrsistent's are empty marker classes, for annotations only.  Here a name
is the structure's own class wherever that class exists and can be
subscripted, so ``isinstance`` works too:

* ``PMap``, ``PVector``, ``PSet``, ``CheckedPMap``, ``CheckedPVector``,
  ``CheckedPSet``, ``PBag``, ``PDeque``, ``PList``: the classes;
* ``PVectorEvolver``, ``PMapEvolver``, ``PSetEvolver`` (which pyrsistent
  defines too, outside ``__all__``): the evolver classes cannot be
  subscripted, so these are abstract marker classes with the real evolvers
  registered as virtual subclasses (``isinstance`` works).

The type variables ``T``, ``T_co``, ``KT``, ``VT`` and ``VT_co`` are
defined as in pyrsistent.typing.
"""
from abc import ABC as _ABC
from typing import Generic as _Generic
from typing import TypeVar as _TypeVar

import march as _march

from ._checked_types import CheckedPMap, CheckedPSet, CheckedPVector
from ._pbag import PBag
from ._pdeque import PDeque
from ._plist import PList
from ._pmap import PMap
from ._pset import PSet
from ._pvector import PVector

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

T = _TypeVar("T")
T_co = _TypeVar("T_co", covariant=True)
KT = _TypeVar("KT")
VT = _TypeVar("VT")
VT_co = _TypeVar("VT_co", covariant=True)

class _ForAnnotations:
    """Base of the marker classes: they cannot be instantiated."""

    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        raise TypeError("march.pyrsistent.typing.%s is for annotations only"
                        % cls.__name__)


class PVectorEvolver(_ForAnnotations, _ABC, _Generic[T]):
    """The type of ``pvector(...).evolver()`` in annotations
    (``PVectorEvolver[int]``): an abstract class with ``march``'s vector
    evolver registered as a virtual subclass.  Not instantiable; O(1).

    >>> import march
    >>> isinstance(march.v(1).evolver(), PVectorEvolver)
    True
    """

    __slots__ = ()


class PMapEvolver(_ForAnnotations, _ABC, _Generic[KT, VT]):
    """The type of ``pmap(...).evolver()`` in annotations
    (``PMapEvolver[str, int]``): an abstract class with ``PMap``'s evolver
    (and so those of ``PRecord`` and ``CheckedPMap``) registered as a
    virtual subclass.  Not instantiable; O(1).

    >>> from march.pyrsistent._pmap import m
    >>> isinstance(m(a=1).evolver(), PMapEvolver)
    True
    """

    __slots__ = ()


class PSetEvolver(_ForAnnotations, _ABC, _Generic[T]):
    """The type of ``pset(...).evolver()`` in annotations
    (``PSetEvolver[int]``): an abstract class with ``march``'s set evolver
    registered as a virtual subclass.  Not instantiable; O(1).

    >>> import march
    >>> isinstance(march.s(1).evolver(), PSetEvolver)
    True
    """

    __slots__ = ()


PVectorEvolver.register(_march.VectorEvolver)
PVectorEvolver.register(CheckedPVector.Evolver)
PMapEvolver.register(PMap._Evolver)
PSetEvolver.register(_march.SetEvolver)
PSetEvolver.register(CheckedPSet.Evolver)
