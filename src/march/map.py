"""The plan's map primitives, ``march.map.*``, as plain functions over ``march.Map``.

=================  =============================================  ==========
primitive          meaning                                        cost
=================  =============================================  ==========
``new()``          an empty map                                   O(1)
``get(m, k, d)``   ``m.get(k, d)``                                O(log n)
``set(m, k, v)``   ``m.set(k, v)``: a new map                     O(log n)
``remove(m, k)``   ``m.discard(k)``: ``m`` itself if k is absent  O(log n)
``size(m)``        ``len(m)``, read from the root's count         O(1)
``free(m)``        a no-op (see below)                            O(1)
=================  =============================================  ==========

Every function raises ``TypeError`` when ``m`` is not a ``march.Map``.

Names that differ from the methods: ``remove(m, k)`` is lenient, like
``Map.discard(k)`` (an absent key returns ``m`` itself), while
``Map.delete(k)`` raises ``KeyError`` for an absent key; ``size(m)`` is
``len(m)``.  The names are the plan's; ``set`` is also a builtin's name, so
call them qualified (``march.map.set(m, k, v)``) rather than star-importing
this module.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ._types import MAP_TYPES as _MAP_TYPES

if TYPE_CHECKING:
    from ._hamt import Map

    _K = TypeVar("_K")
    _V = TypeVar("_V")
    _D = TypeVar("_D")

__all__ = ["new", "get", "set", "remove", "size", "free"]


def _check(m: object) -> None:
    if not _MAP_TYPES.instance(m):
        raise TypeError("expected a march.Map, got %s" % type(m).__name__)


def new() -> Map[Any, Any]:
    """Return an empty ``march.Map`` (of the implementation in use).  O(1).

    >>> import march
    >>> march.map.size(march.map.new())
    0
    """
    import march
    return march.Map()


def get(m: Map[_K, _V], key: _K, default: _D | None = None) -> _V | _D | None:
    """Return the value stored under ``key`` in ``m``, or ``default``
    (``None`` if not given): ``m.get(key, default)``.  O(log n).

    >>> import march
    >>> m = march.Map({"a": 1})
    >>> march.map.get(m, "a"), march.map.get(m, "b"), march.map.get(m, "b", 0)
    (1, None, 0)
    """
    _check(m)
    return m.get(key, default)


def set(m: Map[_K, _V], key: _K, value: _V) -> Map[_K, _V]:  # noqa: A001 - the plan's name
    """Return a new map with ``key`` bound to ``value``; ``m`` is unchanged:
    ``m.set(key, value)``.  O(log n).

    >>> import march
    >>> m = march.Map({"a": 1})
    >>> m2 = march.map.set(m, "b", 2)
    >>> sorted(m2.items()), len(m)
    ([('a', 1), ('b', 2)], 1)
    """
    _check(m)
    return m.set(key, value)


def remove(m: Map[_K, _V], key: _K) -> Map[_K, _V]:
    """Return a map without ``key``; ``m`` itself when ``key`` is absent.
    O(log n).

    Lenient, like ``m.discard(key)``: unlike ``m.delete(key)`` it does not
    raise ``KeyError`` for an absent key.

    >>> import march
    >>> m = march.Map({"a": 1, "b": 2})
    >>> dict(march.map.remove(m, "a"))
    {'b': 2}
    >>> march.map.remove(m, "zzz") is m
    True
    """
    _check(m)
    return m.discard(key)


def size(m: Map[Any, Any]) -> int:
    """Return the number of entries of ``m``, ``len(m)``: O(1), read from
    the root's count.

    >>> import march
    >>> march.map.size(march.Map({"a": 1, "b": 2}))
    2
    """
    _check(m)
    return len(m)


def free(m: Map[Any, Any]) -> None:
    """Release ``m``: a no-op.  O(1).

    The plan's runtime frees maps by hand.  In CPython a map's nodes are
    reference counted and shared between versions; they are freed when the
    last map that uses them goes away, so there is nothing to do here.  The
    argument is still checked, so a call on a non-map is caught.

    >>> import march
    >>> march.map.free(march.Map({"a": 1})) is None
    True
    >>> march.map.free({"a": 1})
    Traceback (most recent call last):
    ...
    TypeError: expected a march.Map, got dict
    """
    _check(m)
    return None
