"""march.pyrsistent: pyrsistent 0.20's API on march's structures.

``import march.pyrsistent as pyrsistent`` works for code written for
pyrsistent: the same names, the same behaviour, march's HAMT and RRB tree
underneath (the C core, or the twin under ``MARCH_PURE_PYTHON=1``).  The
design, and every difference from pyrsistent with its reason, are in
``docs/pyrsistent.md``.
"""
import march as _march

from ._pmap import PMap, pmap, m
from ._pvector import PVector, pvector, v
from ._pset import PSet, pset, s
from ._pbag import PBag, pbag, b
from ._plist import PList, plist, l
from ._pdeque import PDeque, pdeque, dq
from ._checked_types import (
    CheckedPMap, CheckedPVector, CheckedPSet, CheckedType, InvariantException, CheckedKeyTypeError,
    CheckedValueTypeError, optional)
from ._field_common import field, PTypeError, pset_field, pvector_field, pmap_field
from ._pclass import PClass, PClassMeta
from ._precord import PRecord
from ._immutable import immutable
from ._helpers import freeze, thaw, mutant
from ._toolz import get_in

__all__ = [
    "pmap", "m", "PMap",
    "pvector", "v", "PVector",
    "pset", "s", "PSet",
    "pbag", "b", "PBag",
    "plist", "l", "PList",
    "pdeque", "dq", "PDeque",
    "CheckedPMap", "CheckedPVector", "CheckedPSet", "InvariantException",
    "CheckedKeyTypeError", "CheckedValueTypeError", "CheckedType", "optional",
    "PRecord", "field", "pset_field", "pmap_field", "pvector_field",
    "PClass", "PClassMeta", "PTypeError",
    "immutable", "freeze", "thaw", "mutant", "get_in",
    "inc", "discard", "rex", "ny",
]

inc = _march.inc
discard = _march.discard
rex = _march.rex
ny = _march.ny
