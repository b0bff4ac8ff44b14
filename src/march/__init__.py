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
Only that implementation is imported.

``march.ny``, ``march.inc``, ``march.discard`` and ``march.rex`` are the
matchers and commands of ``Vector.transform`` (as in pyrsistent);
``march.map`` and ``march.array.imm`` hold the plan's primitives as plain
functions (use them qualified: ``march.map.set(m, k, v)``).
"""
import os as _os

__version__ = "0.1.0"

_PURE = _os.environ.get("MARCH_PURE_PYTHON", "") not in ("", "0")
IMPLEMENTATION = "python"


def _load_c():
    """The C extension's (map module, vector module), or a message saying
    plainly why it cannot be used."""
    import importlib
    mods = []
    for name in ("march._hamt", "march._rrb"):
        try:
            mods.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                return None, "the C extension %s cannot be loaded (%s)" % (name, exc)
            return None, ("the C extension is not built (%s not found: was it "
                          "installed without a C compiler?)" % name)
        except ImportError as exc:
            return None, "the C extension %s cannot be loaded (%s)" % (name, exc)
    return mods, None


if not _PURE:
    _c_mods, _why = _load_c()
    if _c_mods is not None:
        _hamt_impl, _rrb_impl = _c_mods
        IMPLEMENTATION = "c"
    else:  # pragma: no cover - depends on the build
        import warnings as _warnings
        _warnings.warn(
            "march: %s; using the pure-Python implementation, which is slower" % _why,
            RuntimeWarning, stacklevel=2)
        _PURE = True
    del _c_mods, _why

if _PURE:
    from ._pure import hamt_module as _hamt_impl
    from ._pure import vector_object as _rrb_impl

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

from ._transform import discard, inc, ny, rex  # noqa: E402  (transform's helpers)
from . import map  # noqa: E402,F401  (the plan's primitives march.map.*; not in __all__)
from . import array  # noqa: E402  (march.array.imm.*)

# ``map`` is not in __all__: ``from march import *`` must not shadow the
# builtin map (``march.map`` stays available as an attribute).
__all__ = [
    "IMPLEMENTATION", "Map", "MapMutation", "Set", "SetEvolver", "s",
    "ABSENT", "Vector", "VectorEvolver",
    "vector", "v", "array",
    "ny", "inc", "discard", "rex",
]
