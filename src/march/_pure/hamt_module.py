"""The twin of ``src/march/_core/hamt_module.c``: the module that ``march``
imports (C: ``march._hamt``), with the same names.

It registers the two type families (``map_register``, ``set_register``:
C's ``march_map_register`` and ``march_set_register``) and exports Map,
MapMutation, the views, Set, SetEvolver, s, ABSENT, ``_walk_visits()`` and
``_HASH_MIX``.  C also exports ``MapIterator``, the type of its iterators;
the twin iterates with generators and has no such class.
"""
from . import hamt_walk as _hamt_walk
from .hamt_object import ABSENT
from .map_object import Map, MapItems, MapKeys, MapMutation, MapValues, map_register
from .set_object import Set, SetEvolver, s, set_register

__all__ = ["Map", "MapMutation", "MapKeys", "MapValues", "MapItems",
           "Set", "SetEvolver", "s", "ABSENT"]

# 1 when C is built with -DMARCH_HASH_MIX=1 (the hashing study's variant);
# the twin never mixes
_HASH_MIX = 0


def hamt_module_walk_visits():
    """Nodes and entries the structural walks have looked at so far
    (debugging)."""
    return _hamt_walk.hamt_walk_visits


_walk_visits = hamt_module_walk_visits

map_register()
set_register()
