"""The twin of ``src/march/_core/map_object.c``: ``Map``, ``MapMutation``,
their views, and all of Map's methods including its algebra (union,
intersection, difference, symmetric_difference, diff, from_keys, filter,
map_values).

The C slot and method functions are ``map_<method>``,
``mapmutation_<method>``, ``mapview_<method>``...; here they are the
classes' methods of the same names (``map_set`` is ``Map.set``,
``map_subscript`` is ``Map.__getitem__``).  The helpers keep their C names.
What Map and Set share (len(), _check(), _layout(), building roots, the
transients' edits) is in ``hamt_object.py``, the algorithms in ``hamt.py``
and ``hamt_walk.py``.

``Map`` may be subclassed (every derivation of a subclass instance is an
instance of its class); ``MapMutation`` may not (as in C).
``map_register()`` registers the classes in ``hamt_object.hamt_types`` and
Map as a ``collections.abc.Mapping``; ``hamt_module`` calls it at import.
"""
import collections.abc as _abc
import types as _types
from _thread import get_ident as _get_ident

from .._docstrings import document as _document
from .common import reduce_subclass, repr_name, transient_idle
from .hamt import (
    M64, NOTFOUND, hamt_assoc, hamt_equal, hamt_find, hamt_hash_entries,
    hamt_iter_init, hamt_iter_values, hamt_root_assoc, hamt_root_without,
)
from .hamt_node import hamt_node_empty_root, hamt_node_new_owner
from .hamt_object import (
    HAMT_ITER_ITEMS, HAMT_ITER_KEYS, HAMT_ITER_VALUES, HAMT_OP_DIFFERENCE,
    HAMT_OP_INTERSECTION, HAMT_OP_SYMMETRIC_DIFFERENCE, HAMT_OP_UNION,
    hamt_iterator_new, hamt_object_algebra, hamt_object_build,
    hamt_object_check, hamt_object_depth, hamt_object_diff,
    hamt_object_is_set, hamt_object_key_error, hamt_object_layout,
    hamt_object_length, hamt_object_set_root, hamt_object_stats,
    hamt_object_update, hamt_object_without, hamt_transient_assoc,
    hamt_transient_contains, hamt_transient_enter, hamt_transient_exit,
    hamt_transient_find, hamt_transient_length, hamt_transient_new,
    hamt_transient_reduce, hamt_transient_without, hamt_transient_writable,
    hamt_types,
)

__all__ = ["Map", "MapMutation", "MapKeys", "MapValues", "MapItems",
           "map_register"]

_object_new = object.__new__


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def map_from_root(type_, root):
    """A new map of class ``type_`` (Map or a subclass) over ``root``."""
    m = _object_new(type_)
    m._root = root          # hamt_object_init, written out
    m._hash = None
    return m


# a map reachable from its own values prints "{...}" there, as immutables
# and dict do (C: Py_ReprEnter)
_repr_running = set()


def map_entries_repr(obj, prefix, root):
    key = (id(obj), _get_ident())
    if key in _repr_running:
        return "{...}"
    _repr_running.add(key)
    try:
        return "%s({%s})" % (prefix, ", ".join(
            ["%r: %r" % (k, v) for k, v in hamt_iter_init(root)]))
    finally:
        _repr_running.discard(key)


def map_entries_dict(root):
    return dict(hamt_iter_init(root))


def map_result(self, r):
    """The map for a result root, of the class of self (a subclass
    instance's derivations are of its class): self when unchanged."""
    if r is self._root:
        return self
    return map_from_root(type(self), r)


def map_check_combine(combine):
    if combine is not None and not callable(combine):
        raise TypeError("combine must be callable or None, not %s"
                        % type(combine).__name__)


def map_root_of(other, meth):
    """The root of a Map for ``other`` (union, symmetric difference:
    values needed)."""
    if isinstance(other, Map):
        return other._root
    if hamt_object_is_set(other):
        raise TypeError("Map.%s() needs a Map or a mapping, not a Set" % meth)
    return Map(other)._root


def map_keys_root_of(other, meth):
    """A root whose keys are those of ``other`` (intersection, difference):
    a Map or Set as is, a mapping made into a Map, another iterable into a
    Set."""
    if isinstance(other, Map) or hamt_object_is_set(other):
        return other._root
    if isinstance(other, _abc.Mapping):
        return map_root_of(other, meth)
    return hamt_object_set_root(other)


def map_algebra(self, op, b, combine):
    """self's root and ``b`` combined by the algebra ``op`` (from self's
    side for a union)."""
    return map_result(self, hamt_object_algebra(op, self._root, b, combine,
                                                True))


def map_transform(self, fn, filter_):
    """filter (``fn = pred(key, value)``: keep when true) or map_values
    (``fn(value)``)."""
    owner = hamt_node_new_owner()
    root = self._root
    for k, v in hamt_iter_init(self._root):
        if filter_:
            if not fn(k, v):
                root = hamt_root_without(root, k, None, owner)[0]
        else:
            root = hamt_root_assoc(root, k, None, fn(v), owner)
    return map_result(self, root)


# ---------------------------------------------------------------------------
# Map
# ---------------------------------------------------------------------------

class Map:
    # An immutable mapping: a hash array mapped trie (HAMT).
    #
    # ``Map()``, ``Map(mapping)``, ``Map(iterable_of_pairs)``, with optional
    # keyword arguments, like ``dict``.  Operations that change it return a
    # new map and leave the original unchanged.
    #
    # ``Map`` may be subclassed (as ``Set`` and ``Vector``): ``Sub(...)`` and
    # ``Sub.from_keys(...)`` make a ``Sub``, and so does every operation of a
    # ``Sub`` that changes the map (``set``, ``delete``, ``discard``,
    # ``update``, ``|`` with it on the left, the algebra, ``filter``,
    # ``map_values``, ``mutate().finish()``, pickling): the result is of
    # ``type(self)``.  One that changes nothing returns the map itself.
    # ``Sub(m)`` of any Map shares m's trie.  As in C.

    __slots__ = ("_root", "_hash", "__weakref__")

    def __new__(cls, /, *args, **kw):
        if len(args) > 1:
            raise TypeError(
                "Map expected at most 1 argument, got %d" % len(args))
        col = args[0] if args else None
        if col is not None and isinstance(col, Map) and not kw:
            # a new Map sharing the root (immutables: Map(m) is not m)
            m = map_from_root(cls, col._root)
            m._hash = col._hash
            return m
        if col is None and not kw:
            return map_from_root(cls, hamt_node_empty_root())
        return map_from_root(cls, hamt_object_build(col, kw))

    def __init__(self, /, *args, **kw):
        pass

    __class_getitem__ = classmethod(_types.GenericAlias)
    __reversed__ = None     # not a sequence, despite __len__ and __getitem__

    # -- reading --------------------------------------------------------

    __len__ = hamt_object_length

    def __getitem__(self, key):
        value = hamt_find(self._root, key, hash(key) & M64)
        if value is NOTFOUND:
            hamt_object_key_error(key)
        return value

    def get(self, key, default=None, /):
        value = hamt_find(self._root, key, hash(key) & M64)
        if value is NOTFOUND:
            return default
        return value

    def __contains__(self, key):
        return hamt_find(self._root, key, hash(key) & M64) is not NOTFOUND

    def __iter__(self):
        return hamt_iterator_new(self._root, HAMT_ITER_KEYS)

    def keys(self):
        return MapKeys(self)

    def values(self):
        return MapValues(self)

    def items(self):
        return MapItems(self)

    # -- new maps -------------------------------------------------------

    def set(self, key, value, /):
        root = self._root
        new = hamt_assoc(root, key, hash(key) & M64, value, 0)[0]
        if new is root:
            return self
        return map_from_root(type(self), new)

    def delete(self, key, /):
        return hamt_object_without(self, key, map_from_root, True)

    def discard(self, key, /):
        return hamt_object_without(self, key, map_from_root, False)

    def update(self, /, *args, **kw):
        if len(args) > 1:
            raise TypeError(
                "update expected at most 1 argument, got %d" % len(args))
        col = args[0] if args else None
        if col is None and not kw:
            return self
        root = self._root
        new = hamt_object_update(root, col, kw, hamt_node_new_owner())
        if new is root:
            return self
        return map_from_root(type(self), new)

    def __or__(self, other):
        # the result is of the class of the left operand
        if isinstance(other, Map):
            if not other._root.count:
                return self
            # other itself only when it is of that very class
            if not self._root.count and type(other) is type(self):
                return other
        elif not isinstance(other, _abc.Mapping):
            return NotImplemented
        root = self._root
        new = hamt_object_update(root, other, None, hamt_node_new_owner())
        if new is root:
            return self                 # unchanged: self, even a subclass's
        return map_from_root(type(self), new)

    def mutate(self):
        return mapmutation_new(self)

    evolver = mutate

    # -- the algebra ------------------------------------------------------

    def union(self, other, /, combine=None):
        # union(other, /, combine=None) -> a new Map.
        #
        # The keys of both; for a key in both, other's value, or
        # ``combine(key, self_value, other_value)`` when given (called only
        # when the two values are not the same object: shared subtrees are
        # reused as they are).  ``m | other`` and ``m.update(other)`` give the
        # same result.
        map_check_combine(combine)
        return map_algebra(self, HAMT_OP_UNION, map_root_of(other, "union"),
                           combine)

    def intersection(self, other, /, combine=None):
        # intersection(other, /, combine=None) -> a new Map.
        #
        # The entries of self whose key is in other (a Map, a Set, a mapping
        # or an iterable of keys), with self's values, or ``combine(key,
        # self_value, other_value)`` when given (for keys whose values are
        # not the same object; other_value is None for a Set).
        map_check_combine(combine)
        return map_algebra(self, HAMT_OP_INTERSECTION,
                           map_keys_root_of(other, "intersection"), combine)

    def difference(self, other):
        # difference(other) -> the entries of self whose key is not in
        # other (a Map, a Set, a mapping or an iterable of keys).
        return map_algebra(self, HAMT_OP_DIFFERENCE,
                           map_keys_root_of(other, "difference"), None)

    def symmetric_difference(self, other):
        # symmetric_difference(other) -> the entries whose key is in
        # exactly one of self and other (a Map or a mapping), with their
        # values.
        return map_algebra(self, HAMT_OP_SYMMETRIC_DIFFERENCE,
                           map_root_of(other, "symmetric_difference"), None)

    def diff(self, other):
        # diff(other) -> an iterator of (key, old, new): keys only in self
        # give (key, value, ABSENT), keys only in other (key, ABSENT, value),
        # keys whose values differ (not ==) (key, self_value, other_value).
        # Subtrees the two maps share are skipped without a look.
        if not isinstance(other, Map):
            raise TypeError("Map.diff() needs a Map, not %s"
                            % type(other).__name__)
        return hamt_object_diff(self._root, other._root, False)

    @classmethod
    def from_keys(cls, iterable, /, value=None):
        # from_keys(iterable, /, value=None) -> a Map binding each key to
        # value.
        owner = hamt_node_new_owner()
        root = hamt_node_empty_root()
        for k in iterable:
            root = hamt_root_assoc(root, k, None, value, owner)
        return map_from_root(cls, root)

    def filter(self, pred):
        # filter(pred) -> the entries for which ``pred(key, value)`` is true
        # (self itself when that is all of them).
        return map_transform(self, pred, True)

    def map_values(self, fn):
        return map_transform(self, fn, False)

    # -- comparing, hashing, printing, pickling ---------------------------

    def __eq__(self, other):
        if not isinstance(other, Map):
            return NotImplemented
        return hamt_equal(self._root, other._root)

    def __hash__(self):
        h = self._hash
        if h is None:
            h = self._hash = hamt_hash_entries(self._root)
        return h

    def __repr__(self):
        # "march.Map(...)", or "Sub(...)" with a subclass's __name__
        return map_entries_repr(self, repr_name(self, Map, "march.Map"),
                                self._root)

    def __reduce__(self):
        entries = map_entries_dict(self._root)
        if type(self) is not Map:
            return reduce_subclass(self, (entries,))
        return (Map, (entries,))

    # -- debugging -------------------------------------------------------

    _check = hamt_object_check
    _depth = hamt_object_depth
    _stats = hamt_object_stats
    _layout = hamt_object_layout


# ---------------------------------------------------------------------------
# MapMutation
# ---------------------------------------------------------------------------

def mapmutation_new(src):
    """A mutation over src's root; ``_orig`` keeps a subclass instance (the
    class finish() makes), None for an exact Map."""
    return hamt_transient_new(MapMutation, src._root,
                              None if type(src) is Map else src)


class MapMutation:
    # A mutable draft of a ``Map`` (``Map.mutate()``); ``finish()`` ends it.
    #
    # It edits in place the nodes it has copied, so a batch of changes costs
    # less than as many persistent operations.  The map it came from and any
    # map made before ``finish()`` are never affected.
    #
    # Re-entrance: a key's ``__eq__`` (or an update's iterator, a ``__repr__``,
    # a finalizer run by a collection) may try to change the mutation while one
    # of its operations is walking the trie.  Editing nodes in place under the
    # feet of that walk would break the trie, so ``_busy`` counts the
    # operations in progress and any change (or ``finish()``) meanwhile raises
    # ``RuntimeError``.  A key's ``__hash__`` runs before the operation starts,
    # so it may change the mutation -- or finish it: every edit checks that it
    # may go on after hashing the key (``ValueError`` on a finished mutation).
    #
    # ``MapMutation`` cannot be subclassed (as in C), pickled or copied
    # (``TypeError``).
    #
    # Threads: ``_lock`` (an RLock; C: a critical section on the object)
    # guards ``_root``, ``_owner`` and ``_busy``.  Every method that reads or
    # changes them holds it throughout, so that operations from several
    # threads run one at a time: none sees nodes another is editing in place,
    # or a root, owner id or busy count another is changing.  It is
    # reentrant, so a call back from code run by an operation in the same
    # thread (a key's ``__hash__``/``__eq__``, a finalizer) still meets
    # ``_busy`` and its RuntimeError rather than a deadlock.

    # _orig: the source map when a subclass instance (the class finish()
    # makes), else None (C: one struct for MapMutation and SetEvolver)
    __slots__ = ("_root", "_orig", "_owner", "_busy", "_lock", "__weakref__")

    def __new__(cls, /, *args, **kw):
        raise TypeError("cannot create 'MapMutation' instances")

    def __init_subclass__(cls, **kw):
        raise TypeError("type 'MapMutation' is not an acceptable base type")

    __hash__ = None
    __iter__ = None         # not iterable (as immutables), despite __getitem__

    __len__ = hamt_transient_length

    def __getitem__(self, key):
        value = hamt_transient_find(self, key)
        if value is NOTFOUND:
            hamt_object_key_error(key)
        return value

    def get(self, key, default=None, /):
        value = hamt_transient_find(self, key)
        if value is NOTFOUND:
            return default
        return value

    __contains__ = hamt_transient_contains

    __setitem__ = hamt_transient_assoc

    def set(self, key, value):
        hamt_transient_assoc(self, key, value)

    def __delitem__(self, key):
        if not hamt_transient_without(self, key, False)[0]:
            hamt_object_key_error(key)

    delete = __delitem__

    def pop(self, key, *default):
        if len(default) > 1:
            raise TypeError(
                "pop expected at most 2 arguments, got %d" % (len(default) + 1))
        found, value = hamt_transient_without(self, key, True)
        if found:
            return value
        if default:
            return default[0]
        hamt_object_key_error(key)

    def update(self, /, *args, **kw):
        if len(args) > 1:
            raise TypeError(
                "update expected at most 1 argument, got %d" % len(args))
        self._lock.acquire()
        try:
            hamt_transient_writable(self)
            col = args[0] if args else None
            if col is None and not kw:
                return
            # All or nothing (as immutables): the batch runs under a fresh
            # owner id, so it copies rather than edits the nodes this
            # mutation owns, and an error midway leaves the mutation as it
            # was.  On success the mutation adopts the fresh id: the nodes
            # the batch made are its own to edit; those it owned before are
            # copied if touched again.  Every call into Python (the
            # argument's items(), its iteration, the keys' __hash__ and
            # __eq__) runs with _busy raised: nothing can finish or edit the
            # mutation meanwhile.
            fresh = hamt_node_new_owner()
            root = self._root
            self._busy += 1
            try:
                new = hamt_object_update(root, col, kw, fresh)
            finally:
                self._busy -= 1
            if new is not root:
                self._root = new
                self._owner = fresh
        finally:
            self._lock.release()

    def finish(self):
        self._lock.acquire()
        try:
            transient_idle(self._busy, "MapMutation")
            # the allocation of the Map may run a collection, hence
            # finalizers and gc.callbacks: _busy keeps them from editing the
            # root being handed over
            self._busy += 1
            try:
                # the class of the source map
                orig = self._orig
                m = map_from_root(Map if orig is None else type(orig),
                                  self._root)
            finally:
                self._busy -= 1
            self._owner = 0     # only once the Map exists (as in C)
            return m
        finally:
            self._lock.release()

    persistent = finish

    __enter__ = hamt_transient_enter

    def __exit__(self, *exc):
        return hamt_transient_exit(self, MapMutation.finish)

    def __eq__(self, other):
        if isinstance(other, MapMutation):
            # the two locks in one order (by id), so that ``a == b`` and
            # ``b == a`` run at once in two threads cannot deadlock
            busy = (self, other) if id(self) <= id(other) else (other, self)
        elif isinstance(other, Map):
            busy = (self,)
        else:
            return NotImplemented
        with busy[0]._lock, busy[-1]._lock:
            for mm in busy:
                mm._busy += 1
            try:
                return hamt_equal(self._root, other._root)
            finally:
                for mm in busy:
                    mm._busy -= 1

    def __repr__(self):
        self._lock.acquire()
        try:
            # a key's or value's __repr__ may try to change the mutation
            self._busy += 1
            try:
                return map_entries_repr(self, "march.MapMutation", self._root)
            finally:
                self._busy -= 1
        finally:
            self._lock.release()

    __reduce__ = hamt_transient_reduce

    _check = hamt_object_check
    _layout = hamt_object_layout


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------

class _MapView:
    """What the three views of a ``Map`` share (C: one MapViewObject
    struct and the mapview_* functions)."""

    __slots__ = ("_map",)
    _NAME = ""

    def __init__(self, m):
        self._map = m

    @property
    def mapping(self):
        """The Map this view shows."""
        return self._map

    def __len__(self):
        return self._map._root.count

    def __repr__(self):
        return "%s(%r)" % (self._NAME, list(self))


class MapKeys(_MapView):
    """The keys of a ``Map`` (``m.keys()``), in iteration order."""

    __slots__ = ()
    _NAME = "MapKeys"

    def __iter__(self):
        return hamt_iterator_new(self._map._root, HAMT_ITER_KEYS)

    def __contains__(self, key):
        return key in self._map


class MapValues(_MapView):
    """The values of a ``Map`` (``m.values()``), in iteration order."""

    __slots__ = ()
    _NAME = "MapValues"

    def __iter__(self):
        return hamt_iterator_new(self._map._root, HAMT_ITER_VALUES)

    def __contains__(self, value):
        for v in hamt_iter_values(self._map._root):
            if v is value or v == value:
                return True
        return False


class MapItems(_MapView):
    """The ``(key, value)`` pairs of a ``Map`` (``m.items()``)."""

    __slots__ = ()
    _NAME = "MapItems"

    def __iter__(self):
        return hamt_iterator_new(self._map._root, HAMT_ITER_ITEMS)

    def __contains__(self, item):
        if type(item) is not tuple or len(item) != 2:
            return False
        key, value = item
        v = hamt_find(self._map._root, key, hash(key) & M64)
        return v is not NOTFOUND and (v is value or v == value)


# ---------------------------------------------------------------------------
# registration
# ---------------------------------------------------------------------------

def map_register():
    """Register Map and MapMutation in ``hamt_types`` and Map as a
    ``collections.abc.Mapping`` (C: ``march_map_register``, which also adds
    them to the module)."""
    hamt_types.map = Map
    hamt_types.map_mutation = MapMutation
    _abc.Mapping.register(Map)


# the docstrings, written once for both implementations (march._docstrings)
_document(Map, "Map")
_document(MapMutation, "MapMutation")
