"""The twin of ``src/march/_core/hamt_object.c``: the glue shared by the two
type families, Map and MapMutation (``map_object.py``), Set and SetEvolver
(``set_object.py``) -- the registry of their classes (so that neither
object file needs the other), the methods they share, building a root from
an iterable or a mapping, iteration, ``ABSENT`` and the KeyError.

The objects (C: ``MarchHamtObject``, ``MarchHamtTransient``)
--------------------------------------------------------------
``Map`` and ``Set`` have the slots ``_root`` and ``_hash`` (None: not
computed yet).  ``MapMutation`` and ``SetEvolver`` have ``_root``,
``_owner`` (the id of the nodes it may edit in place; 0: finished),
``_busy``, ``_orig`` (a SetEvolver's last persistent Set; None for a
MapMutation) and ``_lock`` (see below).  The functions here take the
object and read those slots; the classes use them as methods, as the C
types put them in their method tables.

``_lock`` (a ``_thread.RLock``; C: a per-object critical section on the
free-threaded build, the GIL elsewhere) serialises the operations of a
transient shared between threads: every operation that reads or changes
``_root``, ``_owner``, ``_orig`` or ``_busy`` holds it from start to end,
so another thread's operation waits and never sees nodes half-edited in
place.  It is reentrant: code that an operation runs (a key's
``__hash__`` or ``__eq__``, a finalizer) may call back into the transient
from the same thread, and meets ``_busy`` as it would without threads.
Persistent Maps and Sets have no lock (they never change).

``_busy`` counts the operations in progress on a transient that walk its
trie (they may call a key's ``__eq__`` or a value's ``__repr__``, or run a
finalizer): a change made from such code would edit nodes in place under
the walker's feet, so it raises RuntimeError (``transient_idle``).  An edit
hashes its key before raising ``_busy`` and checks after hashing that the
transient may still change: the key's ``__hash__`` may have finished it.

C-only, no twin: the object slots (traverse, clear, dealloc, free lists),
``_is_gc_tracked()``, ``march_hamt_object_ready`` (readying the C types)
and the iterator type ``MapIterator`` (the twin iterates with generators).
"""
import itertools as _itertools
from _thread import RLock as _RLock

from .common import transient_idle
from .hamt import (
    M64, NOTFOUND, W_NOTFOUND, hamt_assoc, hamt_find, hamt_from_entries,
    hamt_iter_init, hamt_iter_keys, hamt_iter_values, hamt_node_bitmap_without,
    hamt_without,
)
from .hamt_check import (
    hamt_check, hamt_check_set, hamt_depth, hamt_layout, hamt_stats,
)
from .hamt_node import hamt_node_empty_root, hamt_node_new_owner
from .hamt_walk import (
    hamt_diff, hamt_difference, hamt_intersection, hamt_symmetric_difference,
    hamt_union,
)

__all__ = [
    "hamt_types", "hamt_object_is_map", "hamt_object_is_map_mutation",
    "hamt_object_is_set", "hamt_object_init", "hamt_object_length",
    "hamt_object_check", "hamt_object_layout", "hamt_object_depth",
    "hamt_object_stats", "hamt_object_key_error",
    "hamt_object_root_without", "hamt_object_without", "hamt_object_diff",
    "hamt_object_update", "hamt_object_build",
    "hamt_object_add_all", "hamt_object_set_root",
    "HAMT_OP_UNION", "HAMT_OP_INTERSECTION", "HAMT_OP_DIFFERENCE",
    "HAMT_OP_SYMMETRIC_DIFFERENCE", "hamt_object_algebra",
    "hamt_transient_new", "hamt_transient_writable", "hamt_transient_assoc",
    "hamt_transient_without", "hamt_transient_find",
    "hamt_transient_contains", "hamt_transient_length",
    "hamt_transient_enter", "hamt_transient_exit", "hamt_transient_reduce",
    "HAMT_ITER_KEYS", "HAMT_ITER_VALUES", "HAMT_ITER_ITEMS",
    "hamt_iterator_new", "hamt_absent", "ABSENT",
]


# ---------------------------------------------------------------------------
# the registry of the classes
# ---------------------------------------------------------------------------

class HamtTypes:
    """The classes of the two families (C: ``MarchHamtTypes``), filled by
    ``map_register()`` (map_object.py) and ``set_register()``
    (set_object.py), which ``hamt_module`` calls at import.  An empty tuple
    until then (no object is an instance of it)."""

    __slots__ = ("map", "map_mutation", "set", "set_evolver")

    def __init__(self):
        self.map = ()
        self.map_mutation = ()
        self.set = ()
        self.set_evolver = ()


hamt_types = HamtTypes()


def hamt_object_is_map(o):
    return isinstance(o, hamt_types.map)


def hamt_object_is_map_mutation(o):
    return isinstance(o, hamt_types.map_mutation)


def hamt_object_is_set(o):
    # a Set or an instance of a subclass (C: the layout of a Set)
    return isinstance(o, hamt_types.set)


def hamt_object_is_transient(o):
    t = type(o)
    return t is hamt_types.map_mutation or t is hamt_types.set_evolver


def hamt_object_is_setlike(o):
    return hamt_object_is_set(o) or type(o) is hamt_types.set_evolver


# ---------------------------------------------------------------------------
# Map and Set
# ---------------------------------------------------------------------------

def hamt_object_init(o, root):
    """Fill in a new Map's or Set's fields."""
    o._root = root
    o._hash = None


def hamt_object_length(self):
    """len() of all four types."""
    return self._root.count


def hamt_object_on_root(self, fn):
    """``fn(self, root)`` on the object's root, a transient being locked
    and busy meanwhile: the check hashes the keys again (user code), which
    must not edit the nodes being walked."""
    if not hamt_object_is_transient(self):
        return fn(self, self._root)
    self._lock.acquire()
    try:
        root = self._root
        self._busy += 1
        try:
            return fn(self, root)
        finally:
            self._busy -= 1
    finally:
        self._lock.release()


def hamt_object_check_root(self, root):
    if hamt_object_is_setlike(self):
        hamt_check_set(root)
    else:
        hamt_check(root)


def hamt_object_check(self):
    """Verify the trie's invariants (AssertionError on a violation); a Set's
    (and a SetEvolver's) also has every value None."""
    hamt_object_on_root(self, hamt_object_check_root)


def hamt_object_layout_root(self, root):
    return hamt_layout(root)


def hamt_object_layout(self):
    """The shape of the trie (``hamt_layout``)."""
    return hamt_object_on_root(self, hamt_object_layout_root)


def hamt_object_depth(self):
    """The height of the trie (0 when empty)."""
    return hamt_depth(self._root)


def hamt_object_stats(self):
    """Node statistics (``hamt_stats``) and the depth, a dict."""
    st = hamt_stats(self._root)
    st["depth"] = hamt_depth(self._root)
    return st


def hamt_object_key_error(key):
    """Raise KeyError(key)."""
    raise KeyError(key)


def hamt_object_root_without(root, key):
    """``root`` without ``key``, persistently: ``(new_root, found)`` (C: 1
    with ``*out`` / 0); Map.delete and discard, Set.remove and discard."""
    return hamt_without(root, key, hash(key) & M64, 0)


def hamt_object_without(self, key, from_root, strict):
    """Map.delete/discard, Set.remove/discard: a new object of self's class
    (made by ``from_root(type, root)``) without ``key``; when the key is
    absent, KeyError (``strict``) or self."""
    # hamt_object_root_without, written out
    new, found = hamt_without(self._root, key, hash(key) & M64, 0)
    if found:
        return from_root(type(self), new)
    if strict:
        hamt_object_key_error(key)
    return self


def hamt_object_diff(a, b, keys_only):
    """Map.diff, Set.diff: an iterator over the differences from a to b (see
    ``hamt_diff``; ABSENT for a missing side)."""
    return iter(hamt_diff(a, b, hamt_absent, keys_only))


# ---------------------------------------------------------------------------
# building roots
# ---------------------------------------------------------------------------

def _hamt_object_pair(item, i):
    """Element ``#i`` of an update sequence as a ``(key, value)`` pair."""
    try:
        item = tuple(item)
    except TypeError:
        raise TypeError(
            "cannot convert map update sequence element #%d "
            "to a sequence" % i) from None
    if len(item) != 2:
        raise ValueError(
            "map update sequence element #%d has length %d; "
            "2 is required" % (i, len(item)))
    return item


def hamt_object_update_dict(root, d, owner):
    """``root`` with the items of a dict bound."""
    for key, value in d.items():
        root = hamt_assoc(root, key, hash(key) & M64, value, owner)[0]
    return root


def hamt_object_update_map(root, m, owner):
    """``root`` updated with the Map ``m`` (its values win), structurally:
    subtrees shared with m cost nothing."""
    if root.owner == owner:
        owner = hamt_node_new_owner()   # the walk must not read nodes it edits
    return hamt_union(root, m._root, None, owner, True)


def hamt_object_update_pairs(root, iterable, owner):
    """``root`` with the ``(key, value)`` pairs of ``iterable`` bound."""
    i = 0
    for item in iterable:
        if type(item) is tuple and len(item) == 2:
            key, value = item
        else:
            key, value = _hamt_object_pair(item, i)
        root = hamt_assoc(root, key, hash(key) & M64, value, owner)[0]
        i += 1
    return root


def hamt_object_items_attr(col):
    """``col.items``, or None when col has no such attribute."""
    try:
        return col.items
    except AttributeError:
        return None


def hamt_object_update(root, col, kw, owner):
    """``root`` updated with ``col`` (a Map -- structurally, a dict, an
    object with items(), or an iterable of pairs; or None) and then the
    keyword arguments ``kw`` (a dict or None), editing only nodes created
    with ``owner`` (a fresh id).  Map(), Map.update(), |,
    MapMutation.update()."""
    if col is not None:
        if hamt_object_is_map(col):
            root = hamt_object_update_map(root, col, owner)
        elif type(col) is dict:
            root = hamt_object_update_dict(root, col, owner)
        elif hamt_object_is_map_mutation(col):
            raise TypeError("cannot create Maps from MapMutations")
        else:
            items = hamt_object_items_attr(col)
            root = hamt_object_update_pairs(
                root, items() if items is not None else col, owner)
    if kw:
        root = hamt_object_update_dict(root, kw, owner)
    return root


def hamt_object_build(col, kw):
    """The root of a new Map of ``col`` and ``kw`` (twin-only: C runs
    ``march_hamt_object_update`` on the empty root).  The same trie, built
    in bulk (``hamt_from_entries``) unless col is a Map."""
    if col is not None:
        if hamt_object_is_map(col) or hamt_object_is_map_mutation(col):
            return hamt_object_update(hamt_node_empty_root(), col, kw,
                                      hamt_node_new_owner())
        items = hamt_object_items_attr(col)
        it = iter(items()) if items is not None else iter(col)
        if kw:
            it = _itertools.chain(it, kw.items())
    else:
        it = iter(kw.items())
    entries = []
    append = entries.append
    i = 0
    for item in it:
        if type(item) is tuple and len(item) == 2:
            key, value = item
        else:
            key, value = _hamt_object_pair(item, i)
        append((hash(key) & M64, key, value))
        i += 1
    return hamt_from_entries(entries)


def hamt_object_add_all(root, iterable, owner):
    """``root`` with the elements of ``iterable`` added (value None).  A Set
    is merged by a structural union (under its own fresh owner)."""
    if hamt_object_is_set(iterable):
        return hamt_union(root, iterable._root, None, hamt_node_new_owner(),
                          False)
    for k in iterable:
        root = hamt_assoc(root, k, hash(k) & M64, None, owner)[0]
    return root


def hamt_object_set_root(o):
    """The root of a Set of the elements of ``o`` (a Set: its own root)."""
    if hamt_object_is_set(o):
        return o._root
    return hamt_object_add_all(hamt_node_empty_root(), o, hamt_node_new_owner())


# the set algebra on two roots (C: enum)
HAMT_OP_UNION = 0
HAMT_OP_INTERSECTION = 1
HAMT_OP_DIFFERENCE = 2
HAMT_OP_SYMMETRIC_DIFFERENCE = 3


def hamt_object_algebra(op, a, b, combine, from_a):
    """The set algebra on two roots, under a fresh owner id: the result's
    root (possibly a or b itself).  ``combine``: None or a callable (union,
    intersection); ``from_a``: the union starts from a (Maps), else from the
    larger (Sets)."""
    owner = hamt_node_new_owner()
    if op == HAMT_OP_UNION:
        return hamt_union(a, b, combine, owner, from_a)
    if op == HAMT_OP_INTERSECTION:
        return hamt_intersection(a, b, combine, owner)
    if op == HAMT_OP_DIFFERENCE:
        return hamt_difference(a, b, owner)
    return hamt_symmetric_difference(a, b, owner)


# ---------------------------------------------------------------------------
# MapMutation and SetEvolver
# ---------------------------------------------------------------------------

_object_new = object.__new__


def hamt_transient_new(type_, root, orig):
    """A new transient of class ``type_`` over ``root`` with a fresh owner
    id; ``orig``: a SetEvolver's source Set, a MapMutation's source map
    when a subclass instance, else None."""
    t = _object_new(type_)
    t._root = root
    t._orig = orig
    t._owner = hamt_node_new_owner()
    t._busy = 0
    t._lock = _RLock()
    return t


def hamt_transient_writable(t):
    """The owner id, once sure that the transient may change now:
    ValueError when it is finished, RuntimeError when busy.  The caller
    holds ``t._lock``."""
    owner = t._owner
    if not owner:
        raise ValueError("mutation has been finished")
    if t._busy:
        transient_idle(t._busy, type(t).__name__)
    return owner


def hamt_transient_assoc(t, key, value):
    """Bind ``key`` to ``value`` in the transient (in place where it owns
    the nodes)."""
    t._lock.acquire()
    try:
        hamt_transient_writable(t)
        h = hash(key) & M64
        owner = hamt_transient_writable(t)  # __hash__ may have finished it
        t._busy += 1
        try:
            t._root = hamt_assoc(t._root, key, h, value, owner)[0]
        finally:
            t._busy -= 1
    finally:
        t._lock.release()


def hamt_transient_without(t, key, want_value):
    """Remove ``key``: ``(found, value)``, the value only when
    ``want_value`` (C: a NULL or non-NULL ``value`` pointer)."""
    t._lock.acquire()
    try:
        hamt_transient_writable(t)
        h = hash(key) & M64
        owner = hamt_transient_writable(t)
        value = None
        t._busy += 1
        try:
            root = t._root
            if want_value:
                # pop: the value first, then the removal, both under the guard
                value = hamt_find(root, key, h)
                if value is NOTFOUND:
                    return False, None
            # hamt_without, written out
            res = hamt_node_bitmap_without(root, 0, key, h, owner, True)
            found = res[0] != W_NOTFOUND
            if found:
                root = res[1]
                t._root = root if root.count else hamt_node_empty_root()
        finally:
            t._busy -= 1
        # (found by find, then not by without: a key whose __eq__ answered
        # differently the second time; reported absent)
        return found, value
    finally:
        t._lock.release()


def hamt_transient_find(t, key):
    """The value bound to ``key``, or ``NOTFOUND`` (busy meanwhile)."""
    t._lock.acquire()
    try:
        h = hash(key) & M64
        t._busy += 1
        try:
            return hamt_find(t._root, key, h)
        finally:
            t._busy -= 1
    finally:
        t._lock.release()


def hamt_transient_contains(t, key):
    return hamt_transient_find(t, key) is not NOTFOUND


def hamt_transient_length(t):
    """len() of a transient (another thread may be replacing its root)."""
    t._lock.acquire()
    try:
        return t._root.count
    finally:
        t._lock.release()


def hamt_transient_enter(t):
    return t


def hamt_transient_exit(t, finish):
    """``__exit__``: finish the transient (``finish``, the type's finish()),
    and let the exception, if any, propagate."""
    finish(t)
    return False


def hamt_transient_reduce(t):
    raise TypeError("cannot pickle %r object" % type(t).__name__)


# ---------------------------------------------------------------------------
# iteration, ABSENT
# ---------------------------------------------------------------------------

# what an iterator yields
HAMT_ITER_KEYS = 0
HAMT_ITER_VALUES = 1
HAMT_ITER_ITEMS = 2


def hamt_iterator_new(root, kind):
    """A new iterator over ``root`` yielding keys, values or items."""
    if kind == HAMT_ITER_KEYS:
        return hamt_iter_keys(root)
    if kind == HAMT_ITER_VALUES:
        return hamt_iter_values(root)
    return hamt_iter_init(root)


class _AbsentType:
    """The type of ``ABSENT``, diff()'s marker of a missing side."""

    __slots__ = ()

    def __repr__(self):
        return "march.ABSENT"

    def __reduce__(self):
        return "ABSENT"


# diff()'s marker of a missing side (pickled by name: this module's ABSENT)
hamt_absent = ABSENT = _AbsentType()
_AbsentType.__new__ = None      # no other instance
