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
    if not isinstance(m, _MAP_TYPES):
        raise TypeError("expected a march.Map, got %s" % type(m).__name__)


def new() -> Map[Any, Any]:
    """Return an empty ``march.Map``."""
    import march
    return march.Map()


def get(m: Map[_K, _V], key: _K, default: _D | None = None) -> _V | _D | None:
    """Return the value stored under ``key`` in ``m``, or ``default``."""
    _check(m)
    return m.get(key, default)


def set(m: Map[_K, _V], key: _K, value: _V) -> Map[_K, _V]:  # noqa: A001 - the plan's name
    """Return a new map with ``key`` bound to ``value`` (``m`` is unchanged)."""
    _check(m)
    return m.set(key, value)


def remove(m: Map[_K, _V], key: _K) -> Map[_K, _V]:
    """Return a map without ``key``; ``m`` itself when ``key`` is absent."""
    _check(m)
    return m.discard(key)


def size(m: Map[Any, Any]) -> int:
    """Return the number of entries of ``m`` in O(1)."""
    _check(m)
    return len(m)


def free(m: Map[Any, Any]) -> None:
    """Release ``m``: a no-op.

    The plan's runtime frees maps by hand.  In CPython a map's nodes are
    reference counted and shared between versions; they are freed when the
    last map that uses them goes away, so there is nothing to do here.  The
    argument is still checked, so a call on a non-map is caught.
    """
    _check(m)
    return None


