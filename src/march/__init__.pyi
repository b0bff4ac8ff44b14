# Type stubs for the march package.  At run time march.Map etc. come from the
# C extensions (march._hamt, march._rrb) or, under MARCH_PURE_PYTHON=1 or when
# the extension is missing, from the pure-Python twins (march._pure.*): both
# have the interface described in _hamt.pyi and _rrb.pyi.
from typing import Literal

from . import array as array
from . import map as map
from ._hamt import Map as Map
from ._hamt import MapMutation as MapMutation
from ._rrb import Vector as Vector
from ._rrb import VectorEvolver as VectorEvolver
from ._rrb import v as v
from ._rrb import vector as vector

from ._transform import discard as discard
from ._transform import inc as inc
from ._transform import ny as ny
from ._transform import rex as rex

from ._hamt import ABSENT as ABSENT
from ._hamt import Set as Set
from ._hamt import SetEvolver as SetEvolver
from ._hamt import s as s

__version__: str
IMPLEMENTATION: Literal["c", "python"]
__all__ = [
    "IMPLEMENTATION", "Map", "MapMutation", "Set", "SetEvolver", "s",
    "ABSENT", "Vector", "VectorEvolver",
    "vector", "v", "array",
    "ny", "inc", "discard", "rex",
]
