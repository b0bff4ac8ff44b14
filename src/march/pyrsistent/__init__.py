"""march.pyrsistent: pyrsistent's API on march's structures (in progress).

``import march.pyrsistent as pyrsistent`` is meant to work for code written
for pyrsistent 0.20.  This branch holds the parts finished so far; see
``bench/notes-pyrsistent-gap.md`` for the plan.  Not yet here:
``CheckedPVector`` and ``CheckedPSet`` (they need subclassable march Vector
and Set, C work), and pyrsistent's reprs for ``pvector``/``pset`` (for now
they are march's own ``Vector`` and ``Set``).
"""
import march as _march

from ._pmap import PMap, pmap, m
from ._pbag import PBag, pbag, b
from ._plist import PList, plist, l
from ._pdeque import PDeque, pdeque, dq
from ._checked_types import (
    CheckedPMap, CheckedType, InvariantException, CheckedKeyTypeError,
    CheckedValueTypeError, optional)
from ._field_common import field, PTypeError, pset_field, pvector_field, pmap_field
from ._pclass import PClass, PClassMeta
from ._precord import PRecord
from ._immutable import immutable
from ._helpers import freeze, thaw, mutant
from ._toolz import get_in

PVector = _march.Vector
pvector = _march.vector
v = _march.v
PSet = _march.Set
s = _march.s
inc = _march.inc
discard = _march.discard
rex = _march.rex
ny = _march.ny


def pset(iterable=(), pre_size=8):
    """A PSet of the elements of ``iterable`` (``pre_size`` is accepted for
    pyrsistent's signature and ignored: a HAMT needs no pre-sizing)."""
    return _march.Set(iterable)
