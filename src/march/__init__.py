"""march: persistent collections for Python.

``march.Map`` is a hash array mapped trie (HAMT), a drop-in for
``immutables.Map``; ``march.Set`` (``march.s(...)``) is a HAMT set, a
drop-in for pyrsistent's ``PSet``; both have structural set algebra
(``union``, ``intersection``, ``difference``, ``symmetric_difference``) and
``diff`` that skip the subtrees two versions share; ``march.Vector`` is a
relaxed radix balanced tree (RRB tree), a drop-in for pyrsistent's
``PVector`` with O(log n) concatenation, slicing, insertion and deletion.

Each structure exists twice: a C core (the default) and a pure-Python twin
with the same behaviour.  The twin is used when the environment variable
``MARCH_PURE_PYTHON`` is set to a non-empty value other than ``0``, or when
the C extension could not be built or imported (a warning then says so).
``march.IMPLEMENTATION`` tells which one is in use: ``"c"`` or ``"python"``.
"""
import os as _os
import warnings as _warnings

__version__ = "0.1.0"

_PURE = _os.environ.get("MARCH_PURE_PYTHON", "") not in ("", "0")
IMPLEMENTATION = "python"

if not _PURE:
    try:
        from . import _hamt as _hamt_impl
        from . import _rrb as _rrb_impl
        IMPLEMENTATION = "c"
    except ImportError as _exc:  # pragma: no cover - depends on the build
        _warnings.warn(
            "march: the C extension is not available (%s); "
            "using the pure-Python implementation" % (_exc,),
            RuntimeWarning, stacklevel=2)
        _PURE = True

if _PURE:
    from ._pure import hamt as _hamt_impl
    from ._pure import rrb as _rrb_impl

Map = _hamt_impl.Map
MapMutation = _hamt_impl.MapMutation
Set = _hamt_impl.Set
SetEvolver = _hamt_impl.SetEvolver
s = _hamt_impl.s
ABSENT = _hamt_impl.ABSENT
Vector = _rrb_impl.Vector
VectorEvolver = _rrb_impl.VectorEvolver
vector = _rrb_impl.vector
v = _rrb_impl.v

from . import map  # noqa: E402  (the plan's primitives march.map.*)
from . import array  # noqa: E402  (march.array.imm.*)

__all__ = [
    "IMPLEMENTATION", "Map", "MapMutation", "Set", "SetEvolver", "s",
    "ABSENT", "Vector", "VectorEvolver",
    "vector", "v", "map", "array",
]
