"""The pure-Python twin of march's C core.

It mirrors ``src/march/_core/`` file for file and name for name: the twin of
``_core/X.c`` is ``_pure/X.py``, and the twin of a C function is its name
without the ``march_`` prefix (C-only matters, such as slabs, free lists,
reference counts and GC tracking, have no twin).  ``common.py`` is the twin
of ``common.h``.

* the map and the set (HAMT): ``hamt_node``, ``hamt``, ``hamt_walk``,
  ``hamt_check``, ``hamt_object``, ``map_object``, ``set_object`` and
  ``hamt_module`` (what ``march`` imports);
* the vector (RRB tree): ``rrb_node`` (nodes and constructors), ``rrb``
  (the algorithms), ``rrb_check`` (checker, height, shape, stats) and
  ``vector_object`` (``Vector``, ``VectorEvolver``, ``vector``, ``v``: what
  ``march`` imports).  ``rrb4`` is the same vector with a branching factor
  of 4 (C: ``march._rrb4``), used by the test suite to make deep trees from
  small vectors: it loads the four RRB files again as its own submodules.
"""
