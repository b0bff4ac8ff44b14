"""Internal: the Map, Set and Vector classes of every implementation available.

The primitives in ``march.map`` and ``march.array.imm`` accept a value of
either implementation (the test suite runs both in one process).
"""
import importlib
from typing import List, Sequence, Tuple


def _collect(names: Sequence[str], attr: str) -> Tuple[type, ...]:
    found: List[type] = []
    for name in names:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        cls = getattr(mod, attr, None)
        if cls is not None and cls not in found:
            found.append(cls)
    return tuple(found)


MAP_TYPES = _collect(["march._hamt", "march._pure.hamt"], "Map")
SET_TYPES = _collect(["march._hamt", "march._pure.hamt"], "Set")
VECTOR_TYPES = _collect(["march._rrb", "march._rrb4", "march._pure.rrb", "march._pure.rrb4"], "Vector")
