"""The plan's immutable-array primitives, ``march.array.imm.*``, over ``march.Vector``.

==================  ==========================================  ==============
primitive           meaning                                     cost
==================  ==========================================  ==============
``new()``           an empty vector                             O(1)
``get(a, i)``       ``a[i]``                                    O(log n)
``set(a, i, x)``    ``a.set(i, x)``                             O(log n)
``push(a, x)``      ``a.append(x)``                             O(1) amortised
``pop(a)``          ``a.pop()``: ``(new vector, last element)`` O(1) amortised
``concat(a, b)``    ``a + b``                                   O(log n)
``slice(a, i, j)``  ``a[i:j]``                                  O(log n)
``insert(a, i, x)`` ``a.insert(i, x)``                          O(log n)
``remove(a, i)``    ``a.delete(i)``                             O(log n)
``size(a)``         ``len(a)``                                  O(1)
==================  ==========================================  ==============

Every function raises ``TypeError`` when ``a`` (or ``b``) is not a
``march.Vector`` or an index is not an integer, and ``IndexError`` when an
index is out of range.  Negative indexes count from the end, as in Python.
``slice`` clamps nothing: ``0 <= i <= j <= len(a)`` after negative indexes
are resolved, else ``IndexError``.  ``push``, ``concat`` and ``insert`` raise
``OverflowError`` when the result would hold more than ``sys.maxsize``
elements.  An index is converted (its ``__index__`` run) before the length
of ``a`` is read.

Names and meanings that differ from the ``Vector`` methods:

* ``remove(a, i)`` deletes by **index**, like ``a.delete(i)``; the method
  ``Vector.remove(x)`` deletes the first element **equal to** ``x``.
* ``pop(a)`` returns ``(new vector, last element)``, like ``Vector.pop()``,
  and takes no index (``Vector.pop(i)`` does).
* ``set(a, i, x)`` raises ``IndexError`` at ``i == len(a)``, where
  ``Vector.set`` appends.
* ``push(a, x)`` is ``a.append(x)``; ``concat(a, b)`` is ``a + b``;
  ``size(a)`` is ``len(a)``.
* ``slice(a, i, j)`` raises ``IndexError`` where ``a[i:j]`` clamps, and
  takes no step.

``set`` and ``slice`` are also builtins' names: call the functions
qualified (``march.array.imm.set(a, i, x)``) rather than star-importing this
module.
"""
from __future__ import annotations

import operator as _operator
from typing import TYPE_CHECKING, Any, SupportsIndex, TypeVar

from .._types import VECTOR_TYPES as _VECTOR_TYPES

if TYPE_CHECKING:
    from .._rrb import Vector

    _T = TypeVar("_T")

__all__ = ["new", "get", "set", "push", "pop", "concat", "slice", "insert", "remove", "size"]


def _check(a: object) -> None:
    if not _VECTOR_TYPES.instance(a):
        raise TypeError("expected a march.Vector, got %s" % type(a).__name__)


def _index(a: Vector[Any], i: SupportsIndex, allow_end: bool = False) -> int:
    i = _operator.index(i)
    n = len(a)
    j = i + n if i < 0 else i
    if j < 0 or j > n or (j == n and not allow_end):
        raise IndexError("index %d out of range for a vector of length %d" % (i, n))
    return j


def new() -> Vector[Any]:
    """Return an empty ``march.Vector`` (of the implementation in use).  O(1).

    >>> import march
    >>> march.array.imm.size(march.array.imm.new())
    0
    """
    import march
    return march.vector()


def get(a: Vector[_T], i: SupportsIndex) -> _T:
    """Return ``a[i]``; a negative ``i`` counts from the end.  O(log n).

    >>> import march
    >>> a = march.v(10, 20, 30)
    >>> march.array.imm.get(a, 0), march.array.imm.get(a, -1)
    (10, 30)
    """
    _check(a)
    return a[_index(a, i)]


def set(a: Vector[_T], i: SupportsIndex, x: _T) -> Vector[_T]:  # noqa: A001 - the plan's name
    """Return a new vector with ``x`` at index ``i``; ``a`` is unchanged:
    ``a.set(i, x)``, but an index out of range raises ``IndexError`` (the
    method appends at ``i == len(a)``).  O(log n).

    >>> import march
    >>> a = march.v(10, 20, 30)
    >>> march.array.imm.set(a, 1, 99), a
    (vector([10, 99, 30]), vector([10, 20, 30]))
    """
    _check(a)
    return a.set(_index(a, i), x)


def push(a: Vector[_T], x: _T) -> Vector[_T]:
    """Return a new vector with ``x`` appended: ``a.append(x)``.  O(1)
    amortised.

    >>> import march
    >>> march.array.imm.push(march.v(1, 2), 3)
    vector([1, 2, 3])
    """
    _check(a)
    return a.append(x)


def pop(a: Vector[_T]) -> tuple[Vector[_T], _T]:
    """Return ``(vector without its last element, that element)``, like
    ``a.pop()``; ``IndexError`` on an empty vector.  O(1) amortised.

    >>> import march
    >>> march.array.imm.pop(march.v(1, 2, 3))
    (vector([1, 2]), 3)
    """
    _check(a)
    if len(a) == 0:
        raise IndexError("pop from an empty vector")
    return a.pop()


def concat(a: Vector[_T], b: Vector[_T]) -> Vector[_T]:
    """Return the concatenation ``a + b`` of two vectors.  O(log n): the
    trees are joined, not copied.

    >>> import march
    >>> march.array.imm.concat(march.v(1, 2), march.v(3))
    vector([1, 2, 3])
    """
    _check(a)
    _check(b)
    return a + b


def slice(a: Vector[_T], i: SupportsIndex, j: SupportsIndex) -> Vector[_T]:  # noqa: A001 - the plan's name
    """Return ``a[i:j]``, the elements from index ``i`` up to, not
    including, ``j``.  O(log n): the tree is cut, not copied.

    Stricter than ``a[i:j]``: after negative indexes are resolved,
    ``0 <= i <= j <= len(a)`` must hold, else ``IndexError`` (no clamping).

    >>> import march
    >>> march.array.imm.slice(march.v(0, 1, 2, 3, 4), 1, -1)
    vector([1, 2, 3])
    """
    _check(a)
    i = _index(a, i, allow_end=True)
    j = _index(a, j, allow_end=True)
    if j < i:
        raise IndexError("slice end %d before start %d" % (j, i))
    return a[i:j]


def insert(a: Vector[_T], i: SupportsIndex, x: _T) -> Vector[_T]:
    """Return a new vector with ``x`` inserted before index ``i``
    (``i == len(a)`` appends): ``a.insert(i, x)``; ``IndexError`` when ``i``
    is out of range.  O(log n).

    >>> import march
    >>> march.array.imm.insert(march.v(1, 3), 1, 2)
    vector([1, 2, 3])
    """
    _check(a)
    return a.insert(_index(a, i, allow_end=True), x)


def remove(a: Vector[_T], i: SupportsIndex) -> Vector[_T]:
    """Return a new vector without the element at **index** ``i``:
    ``a.delete(i)``.  O(log n).

    Not ``Vector.remove(x)``, which deletes the first element equal to
    ``x``.

    >>> import march
    >>> a = march.v("a", "b", "c")
    >>> march.array.imm.remove(a, 0)
    vector(['b', 'c'])
    >>> a.remove("c")
    vector(['a', 'b'])
    """
    _check(a)
    return a.delete(_index(a, i))


def size(a: Vector[Any]) -> int:
    """Return ``len(a)``.  O(1).

    >>> import march
    >>> march.array.imm.size(march.v(1, 2, 3))
    3
    """
    _check(a)
    return len(a)
