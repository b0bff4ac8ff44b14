"""``PMap``: pyrsistent's persistent map, ``pmap`` and ``m``, on ``march.Map``.

``PMap`` is a Python subclass of ``march.Map`` with no instance state of its
own (``__slots__ = ()``), so everything that only reads -- ``m[k]``,
``get``, ``in``, ``len``, iteration -- is the C core's (or the twin's)
method, untouched.  What pyrsistent adds or does differently is written
here: ``remove``, ``update(*maps)``, ``update_with``, ``+``, attribute
access (``m.a``), ``==`` with any mapping (a ``dict`` included), the
``pmap({...})`` repr, pickling through ``pmap``, the ``keys``/``values``/
``items`` types, ``transform`` and a pyrsistent-style evolver.

Updates.  A derivation of a ``march.Map`` subclass instance is of the
subclass (in C and in the twin), so ``PMap.set``, ``remove`` and
``discard`` *are* ``march.Map``'s C methods ``set``, ``delete`` and
``discard``: no Python frame runs on an update either.  When nothing
changed the map itself comes back, as in pyrsistent (``m.set(k, m[k]) is
m``).  A subclass that brings its own evolver (pyrsistent's ``PRecord`` and
``CheckedPMap`` are built this way, and user code may be) gets, from
``__init_subclass__``, versions of ``set``, ``remove``, ``discard`` and
``update`` that go through ``self.evolver()`` and ``persistent()``, as in
pyrsistent, so its evolver sees every update.

Evolver.  ``PMap._Evolver`` wraps a ``march.MapMutation`` (``Map.mutate()``),
created on the first real change: ``set`` returns the evolver,
``persistent()`` returns the original map while nothing changed, the same
map when called twice, and the evolver stays usable afterwards.

Left as ``march.Map`` has them: the extra public methods of ``march.Map``
(``delete``, ``union``, ``filter``, ``mutate``, ...), which give a
``PMap`` too; ``hash`` is ``march.Map``'s (pyrsistent hashes a frozenset of the
items; only consistency with ``==`` matters); ``get`` takes its default
positionally only.
"""
from collections.abc import Mapping as _Mapping
from functools import partial as _partial

import march as _march
from march._transform import transform as _transform

from ._evolver import EvolverBase as _EvolverBase
from ._pset import PSet as _PSet

__all__ = ["PMap", "pmap", "m"]

_Map = _march.Map
_map_get = _Map.get
_map_update = _Map.update
_map_mutate = _Map.mutate
_map_eq = _Map.__eq__
_map_iter = _Map.__iter__
_map_items = _Map.items
_map_values = _Map.values
_MISSING = object()


def _entries(pm):
    """A plain dict of the entries of a march Map (pm), in its order."""
    return dict(_map_items(pm))


class PMap(_Map):
    """A persistent map: pyrsistent's ``PMap``, a ``march.Map`` underneath.

    Build one with ``pmap(mapping_or_pairs)`` or ``m(**entries)``.  Updates
    (``set``, ``remove``, ``discard``, ``update``, ``update_with``, ``+``)
    return a new map and leave this one as it was; an update that changes
    nothing returns this very map.  Entries can also be read as attributes
    (``pm.key``).  A ``PMap`` equals any mapping with the same entries,
    ``dict`` included, is hashable (when its values are), and pickles.

    Complexity: lookups and single-key updates O(log32 n); ``len`` O(1);
    ``update`` with k entries O(k log32 n); equality O(n).

    >>> pm = m(a=1, b=2)
    >>> pm2 = pm.set('c', 3).remove('a')
    >>> pm2 == {'b': 2, 'c': 3}, pm == {'a': 1, 'b': 2}
    (True, True)
    >>> pm2.c
    3
    >>> pm.set('a', 1) is pm
    True
    """

    __slots__ = ()

    # -- reading: inherited from march.Map, plus attribute access ----------

    def __getattr__(self, name):
        # only reached when normal attribute lookup fails
        try:
            return self[name]
        except KeyError:
            raise AttributeError("%s has no attribute '%s'"
                                 % (type(self).__name__, name)) from None

    def __reversed__(self):
        raise TypeError("a %s has no order to reverse" % type(self).__name__)

    def iterkeys(self):
        """An iterator over the keys (the same as ``iter(pm)``).  O(1) to
        create, O(n) to exhaust.

        >>> list(m(a=1).iterkeys())
        ['a']
        """
        return _map_iter(self)

    def itervalues(self):
        """An iterator over the values, in the order of the keys.  O(1) to
        create, O(n) to exhaust.

        >>> list(m(a=1).itervalues())
        [1]
        """
        return iter(_map_values(self))

    def iteritems(self):
        """An iterator over the ``(key, value)`` pairs.  O(1) to create,
        O(n) to exhaust.

        >>> list(m(a=1).iteritems())
        [('a', 1)]
        """
        return iter(_map_items(self))

    def keys(self):
        """The keys as a persistent set (``PSet``), so they compare equal
        to any set of the same keys.  O(n).

        >>> m(a=1, b=2).keys() == {'a', 'b'}
        True
        """
        return _PSet(_map_iter(self))

    def values(self):
        """A view of the values (``PMapValues``).  O(1).

        >>> sorted(m(a=1, b=2).values())
        [1, 2]
        """
        return PMapValues(self)

    def items(self):
        """A view of the ``(key, value)`` pairs (``PMapItems``).  O(1).

        >>> ('a', 1) in m(a=1).items()
        True
        """
        return PMapItems(self)

    # -- comparing, printing, pickling --------------------------------------

    def __eq__(self, other):
        if self is other:
            return True
        if isinstance(other, _Map):
            return _map_eq(self, other)
        if isinstance(other, dict):
            return len(self) == len(other) and _entries(self) == other
        if isinstance(other, _Mapping):
            return (len(self) == len(other)
                    and _entries(self) == dict(other.items()))
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        if equal is NotImplemented:
            return equal
        return not equal

    __hash__ = _Map.__hash__

    def __lt__(self, other):
        raise TypeError("%s does not support ordering comparisons"
                        % type(self).__name__)

    __le__ = __gt__ = __ge__ = __lt__

    def __repr__(self):
        return "pmap(%r)" % (_entries(self),)

    def __reduce__(self):
        return (pmap, (_entries(self),))

    def copy(self):
        """This map itself: it cannot change, so it is its own copy.  O(1).

        >>> pm = m(a=1)
        >>> pm.copy() is pm
        True
        """
        return self

    # -- updates ------------------------------------------------------------

    # march.Map's C methods, whose results are of type(self) (see the
    # module docstring); __init_subclass__ replaces them for a subclass
    # with its own evolver
    set = _Map.set
    remove = _Map.delete
    discard = _Map.discard

    def update(self, *maps):
        """A map with the entries of each mapping in ``maps`` added, left to
        right (the last value of a key wins); this map when that changes
        nothing.  O(k log32 n) for k new entries.

        >>> m(a=1, b=2).update({'b': 3}, m(c=4)) == {'a': 1, 'b': 3, 'c': 4}
        True
        """
        new = self
        for other in maps:
            new = _map_update(new, other)
        return new

    def update_with(self, update_fn, *maps):
        """Like ``update``, but a key already present gets
        ``update_fn(current_value, new_value)`` (maps are taken left to
        right).  O(k log32 n) for k entries in ``maps``.

        >>> from operator import add
        >>> m(a=1, b=2).update_with(add, {'a': 10}, {'a': 100, 'c': 0}) == {'a': 111, 'b': 2, 'c': 0}
        True
        """
        evolver = self.evolver()
        for other in maps:
            for key, value in other.items():
                current = evolver.get(key, _MISSING)
                evolver.set(key, value if current is _MISSING
                            else update_fn(current, value))
        return evolver.persistent()

    def __add__(self, other):
        return self.update(other)

    def __or__(self, other):
        return self.update(other)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.evolver is PMap.evolver and cls._Evolver is PMap._Evolver:
            return
        # a subclass with its own evolver: its updates go through it, as in
        # pyrsistent (a method the subclass defines itself is kept)
        for name, through_evolver in _UPDATES_THROUGH_EVOLVER.items():
            if getattr(cls, name) is getattr(PMap, name):
                setattr(cls, name, through_evolver)

    def transform(self, *transformations):
        """Apply ``path, command`` pairs to nested maps and vectors, as
        pyrsistent's ``transform``: a path element is a key, or a matcher
        such as ``ny`` or ``rex(...)``; the command is a value, a function of
        the current value, or ``discard``.  Returns this map when nothing
        changes.  O(log32 n) per key on the path; a matcher visits every
        entry of its level.

        >>> pm = pmap({'a': pmap({'b': 1})})
        >>> pm.transform(['a', 'b'], 2)
        pmap({'a': pmap({'b': 2})})
        """
        return _transform(self, transformations)

    # -- the evolver --------------------------------------------------------

    class _Evolver(_EvolverBase):
        """A mutable draft of a ``PMap`` (``pm.evolver()``): change it in
        place, then ``persistent()`` gives a ``PMap``.  The original map is
        never changed.

        ``set`` and ``remove`` return the evolver, so calls chain;
        ``e[k] = v`` and ``del e[k]`` do the same.  ``persistent()`` returns
        the original map while nothing has changed, the same map each time
        until the next change, and the evolver can go on being used.

        Complexity: reads and single-key changes O(log32 n); the first
        change starts a ``march.MapMutation`` over the map in O(1);
        ``persistent()`` O(1).

        >>> pm = m(a=1)
        >>> e = pm.evolver()
        >>> e['b'] = 2
        >>> e.set('c', 3).remove('a').is_dirty()
        True
        >>> e.persistent() == {'b': 2, 'c': 3}, pm == {'a': 1}
        (True, True)
        >>> pm.evolver().persistent() is pm
        True
        """

        __slots__ = ("_base", "_draft", "_view")

        # _base: the last persistent map (the original until persistent()
        #   has made a new one); _draft: the MapMutation over _base, started
        #   by the first real change, None while there is none; _view: what
        #   reads go to (the draft when there is one, else _base)

        def __init__(self, original_pmap):
            self._base = original_pmap
            self._draft = None
            self._view = original_pmap

        def __getitem__(self, key):
            return self._view[key]

        def get(self, key, default=None):
            """The value of ``key``, or ``default``.  O(log32 n).

            >>> m(a=1).evolver().get('b', 0)
            0
            """
            return self._view.get(key, default)

        def __contains__(self, key):
            return key in self._view

        def __len__(self):
            return len(self._view)

        def set(self, key, val):
            """Bind ``key`` to ``val``; returns the evolver.  Binding a key
            to the object it is already bound to is not a change.
            O(log32 n).

            >>> m().evolver().set('a', 1).set('b', 2).persistent() == {'a': 1, 'b': 2}
            True
            """
            draft = self._draft
            if draft is None:
                base = self._base
                if _map_get(base, key, _MISSING) is val:
                    return self
                draft = self._draft = self._view = _map_mutate(base)
            draft[key] = val
            return self

        def __setitem__(self, key, val):
            self.set(key, val)

        def remove(self, key):
            """Remove ``key``; ``KeyError`` when it is absent.  Returns the
            evolver.  O(log32 n).

            >>> m(a=1, b=2).evolver().remove('a').persistent()
            pmap({'b': 2})
            """
            draft = self._draft
            if draft is None:
                base = self._base
                if key not in base:
                    raise KeyError(key)
                draft = self._draft = self._view = _map_mutate(base)
            del draft[key]
            return self

        def __delitem__(self, key):
            self.remove(key)

        def is_dirty(self):
            """Whether the evolver holds changes that ``persistent()`` has
            not yet returned.  O(1).

            >>> e = m(a=1).evolver()
            >>> e.set('a', 1).is_dirty(), e.set('a', 2).is_dirty()
            (False, True)
            """
            return self._draft is not None

        def persistent(self):
            """The map as the evolver has it now: the original map while
            nothing has changed, else a new ``PMap`` (the same one until the
            next change).  O(1).

            >>> e = m(a=1).evolver()
            >>> e['a'] = 2
            >>> e.persistent() is e.persistent()
            True
            """
            draft = self._draft
            if draft is not None:
                # a map of the original's class (march keeps it)
                self._base = self._view = draft.finish()
                self._draft = None
            return self._base

    def evolver(self):
        """A ``PMap._Evolver``: a mutable draft of this map.  O(1).

        >>> e = m(a=1).evolver()
        >>> e['a'] += 1
        >>> e.persistent()
        pmap({'a': 2})
        """
        return self._Evolver(self)


def _take_right(current, new):
    return new


def _set_through_evolver(self, key, val):
    """A map with ``key`` bound to ``val``, made by the evolver.
    O(log32 n)."""
    return self.evolver().set(key, val).persistent()


def _remove_through_evolver(self, key):
    """A map without ``key`` (``KeyError`` when it is absent), made by the
    evolver.  O(log32 n)."""
    return self.evolver().remove(key).persistent()


def _discard_through_evolver(self, key):
    """A map without ``key``, made by ``remove`` (so by the evolver); this
    map when the key is absent.  O(log32 n)."""
    try:
        return self.remove(key)
    except KeyError:
        return self


def _update_through_evolver(self, *maps):
    """A map with the entries of ``maps`` added, made by the evolver.
    O(k log32 n) for k entries."""
    return self.update_with(_take_right, *maps)


_UPDATES_THROUGH_EVOLVER = {
    "set": _set_through_evolver,
    "remove": _remove_through_evolver,
    "discard": _discard_through_evolver,
    "update": _update_through_evolver,
}


# A PMap around any march.Map's trie, in O(1) (the trie is shared;
# Map.__new__ copies a cached hash too): for maps that are not PMaps yet
# (a PMap's own derivations are PMaps already).
_as_pmap = _partial(_Map.__new__, PMap)

_EMPTY = _as_pmap()


class PMapView:
    """The common part of ``PMapValues`` and ``PMapItems``, the views that
    ``PMap.values()`` and ``PMap.items()`` return: the size of the map, no
    reversing, no attribute changes.

    Built from a ``PMap`` (any other mapping is first made into one).
    Complexity: O(1) to build, ``len`` O(1).

    >>> len(PMapValues(m(a=1, b=2)))
    2
    """

    __slots__ = ("_map",)

    def __init__(self, m):
        if not isinstance(m, PMap):
            if not isinstance(m, _Mapping):
                raise TypeError("%s needs a mapping, not %s"
                                % (type(self).__name__, type(m).__name__))
            m = pmap(m)
        object.__setattr__(self, "_map", m)

    def __len__(self):
        return len(self._map)

    def __setattr__(self, name, value):
        raise TypeError("%s is immutable" % type(self).__name__)

    def __reversed__(self):
        raise TypeError("a %s has no order to reverse" % type(self).__name__)


class PMapValues(PMapView):
    """The values of a ``PMap`` (``pm.values()``).  Equal only to itself,
    like ``dict.values()``; prints as ``pmap_values([...])``.

    Complexity: iteration O(n), ``in`` O(n).

    >>> vals = m(a=1).values()
    >>> vals, 1 in vals
    (pmap_values([1]), True)
    """

    __slots__ = ()

    def __iter__(self):
        return iter(_map_values(self._map))

    def __contains__(self, value):
        return value in _map_values(self._map)

    def __repr__(self):
        return "pmap_values(%r)" % (list(_map_values(self._map)),)

    def __eq__(self, other):
        return self is other

    __hash__ = None


class PMapItems(PMapView):
    """The ``(key, value)`` pairs of a ``PMap`` (``pm.items()``).  Equal to
    the items of an equal ``PMap``; prints as ``pmap_items([...])``.

    Complexity: iteration O(n), ``in`` O(log32 n).

    >>> its = m(a=1).items()
    >>> its, ('a', 1) in its, its == pmap({'a': 1}).items()
    (pmap_items([('a', 1)]), True, True)
    """

    __slots__ = ()

    def __iter__(self):
        return iter(_map_items(self._map))

    def __contains__(self, item):
        try:
            key, value = item
        except Exception:
            return False
        current = _map_get(self._map, key, _MISSING)
        return current is not _MISSING and current == value

    def __repr__(self):
        return "pmap_items(%r)" % (list(_map_items(self._map)),)

    def __eq__(self, other):
        if self is other:
            return True
        if not isinstance(other, type(self)):
            return False
        return self._map == other._map

    __hash__ = None


def pmap(initial=None, pre_size=0):
    """A ``PMap`` of the entries of ``initial``: a mapping, or an iterable of
    ``(key, value)`` pairs (the last value of a repeated key wins).  Any
    empty ``initial`` gives the shared empty map.  ``pre_size`` is
    accepted for pyrsistent's sake and ignored: a trie has no buckets to
    size.  O(n log32 n) for n entries (O(1) for a ``march.Map``).

    >>> pmap({'a': 1}) == {'a': 1}
    True
    >>> pmap([('a', 1), ('a', 2)])
    pmap({'a': 2})
    >>> pmap() is m()
    True
    """
    if not initial:
        return _EMPTY
    if type(initial) is PMap:
        return initial
    if type(initial) is not dict and not isinstance(initial, _Mapping):
        initial = dict(initial)
    new = _as_pmap(initial)
    return new if new else _EMPTY


def m(**kwargs):
    """A ``PMap`` of the keyword arguments.  O(n log32 n).

    >>> m(a=1, b=2) == {'a': 1, 'b': 2}
    True
    """
    return pmap(kwargs)
