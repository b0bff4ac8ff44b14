"""Internal: the Map, Set and Vector classes of every implementation loaded.

The primitives in ``march.map`` and ``march.array.imm`` accept a value of
either implementation (the test suite runs both in one process).  Nothing is
imported here: a class is looked up only in the implementation modules that
are already in ``sys.modules`` (a value of a module that was never imported
cannot exist), so ``import march`` loads only the implementation in use.
"""
import sys
from typing import List, Sequence, Tuple


def _collect(names: Sequence[str], attr: str) -> Tuple[type, ...]:
    found: List[type] = []
    for name in names:
        mod = sys.modules.get(name)
        cls = getattr(mod, attr, None) if mod is not None else None
        if isinstance(cls, type) and cls not in found:
            found.append(cls)
    return tuple(found)


class _Types:
    """The classes named ``attr`` in the modules ``names`` that are loaded.

    ``instance(x)`` is ``isinstance(x, <those classes>)``; the tuple is
    rebuilt from ``sys.modules`` only when the test fails, so the usual case
    costs one ``isinstance``.
    """
    __slots__ = ("names", "attr", "types")

    def __init__(self, names: Sequence[str], attr: str) -> None:
        self.names = tuple(names)
        self.attr = attr
        self.types: Tuple[type, ...] = ()

    def instance(self, x: object) -> bool:
        if isinstance(x, self.types):
            return True
        self.types = _collect(self.names, self.attr)
        return isinstance(x, self.types)


MAP_TYPES = _Types(["march._hamt", "march._pure.map_object"], "Map")
SET_TYPES = _Types(["march._hamt", "march._pure.set_object"], "Set")
VECTOR_TYPES = _Types(["march._rrb", "march._rrb4", "march._pure.vector_object", "march._pure.rrb4"], "Vector")
