"""march's benchmark: ``python -m march bench``.

Runs, in one process and on the same pre-generated data, every operation of
the Map and Vector plans for ``march`` and for every peer library that can be
imported, and prints one table per structure, key type and size, with each
time and its ratio to march.

Libraries
    maps:    march.Map, immutables.Map, pyrsistent.pmap, rpds.HashTrieMap, dict
    vectors: march.Vector, list, pyrsistent.pvector,
             pyrsistent_extras.psequence, rpds.List
    pyrsistent group (``--structures pyrsistent``, not run by default):
             march.pyrsistent against pyrsistent: pmap get/set/remove/
             build/iterate/==, freeze/thaw of a ~1 MB JSON document,
             PRecord create/set; skipped when pyrsistent is missing
  A peer that cannot be imported is listed as skipped, with the pip command
  that adds it.  An operation a peer does not have is shown as ``n/a``.  For
  ``dict`` and ``list`` the persistent operations are copy-then-modify (the
  O(n) baseline of "persistence by copying").

Timing
  Every cell is a loop written out for that library (like ``timeit``: the
  statement is compiled into a function; the loop itself costs the same for
  every library and is included).  The cyclic GC stays ENABLED, as users run
  their programs.  The number of operations per run is calibrated so that a
  run lasts at least ``--min-time`` seconds; then ``--repeat`` runs are made
  (round robin over the libraries, so that a change of machine load hits all
  of them alike) and the best run is reported (all runs are in the JSON).
  Keys and indices are random and generated in advance.  Persistent updates
  are chained (``m = m.set(k, v)``), as programs use them; the chain restarts
  from the original structure every n/10 operations so that the size stays
  within 10% of n.  ``set new`` uses keys that are not in the map.

Memory
  Measured in a fresh child process per cell: the keys and values (or
  elements) are built first, then the process's resident set size (RSS, from
  /proc/self/statm or psutil, after ``gc.collect()`` and glibc
  ``malloc_trim(0)``) is read before and after building enough copies of the
  structure to hold about ``--memory-entries`` entries.  Bytes per entry =
  RSS growth / (copies * n): it counts every allocator (rpds-py allocates
  outside Python's allocator) and excludes the keys and values themselves.
  ``tracemalloc`` (exact, but blind to memory not allocated through Python's
  allocators) is reported next to it.

Modules
  operations  the operations, the libraries (how each runs them) and the data
  timing      timed loops: compiling a statement, calibrating, the inputs
  memory      memory per entry, measured in child processes
  runner      the run over structures, sizes, libraries and operations
  report      the JSON report and the tables
  plot        the charts (time relative to march; absolute times)
  cli         the command line; ``main`` is its entry point
"""
from .cli import main

__all__ = ["main"]
