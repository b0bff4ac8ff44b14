"""``PDeque``: pyrsistent's persistent double-ended queue, ``pdeque`` and
``dq``.

A deque is two PLists (``march.pyrsistent._plist``): ``_front`` holds the
left part from the left end inwards, ``_back`` the right part from the right
end inwards, so the deque is ``front + reversed(back)`` and both ends are a
list head.  ``_maxlen`` is None or the bound.

Invariant (kept by ``_make``, through which every new deque goes): when one
list is empty the other holds at most one element.  So ``left`` and
``right`` are O(1), and when an operation empties one side while the other
holds m >= 2 elements, ``_make`` splits that side in two halves (O(m)); a
side emptied again needs about m/2 further pops, which keeps pops at both
ends O(1) amortised even when they alternate.

Pops and extends over the bound follow pyrsistent (and
``collections.deque``): ``append``/``extend`` past ``maxlen`` drop elements
from the left, ``appendleft``/``extendleft`` from the right.  Elements are
compared as in ``tuple`` (``x is y or x == y``).  Every walk is a loop, so
deques of any length compare, hash, print and pickle.
"""
from collections.abc import Hashable as _Hashable
from collections.abc import Sequence as _Sequence
from itertools import chain as _chain
from itertools import islice as _islice
from operator import index as _operator_index
from types import GenericAlias as _GenericAlias

from ._plist import (_EMPTY, _as_int, _cons_onto, _drop, _items, _nth,
                     _search_bounds)

__all__ = ["PDeque", "pdeque", "dq"]

_new = object.__new__


def _check_maxlen(maxlen):
    """maxlen as None or an int >= 0 (pyrsistent's errors otherwise)."""
    if maxlen is None:
        return None
    try:
        bound = _operator_index(maxlen)
    except TypeError:
        raise TypeError("An integer is required as maxlen") from None
    if bound < 0:
        raise ValueError("maxlen must be non-negative")
    return bound


def _halves(items):
    """Two lists from the Python list items, read from one end of a deque
    (the "far" end) to the other (the "near" end): (far, near), far holding
    the first len // 2 of items and near the others, each headed by the
    element at its own end."""
    h = len(items) // 2
    far = _cons_onto(reversed(items[:h]), _EMPTY)
    near = _cons_onto(_islice(items, h, None), _EMPTY)
    return far, near


def _make(front, back, maxlen):
    """A new deque of front + reversed(back), rebalanced to keep the
    invariant (see the module docstring)."""
    if front._len == 0:
        if back._len > 1:
            back, front = _halves(_items(back))
    elif back._len == 0 and front._len > 1:
        front, back = _halves(_items(front))
    deque = _new(PDeque)
    deque._front = front
    deque._back = back
    deque._maxlen = maxlen
    return deque


def _from_items(items, maxlen):
    """A new deque of the Python list items (left to right), already cut to
    maxlen."""
    front, back = _halves(items)
    deque = _new(PDeque)
    deque._front = front
    deque._back = back
    deque._maxlen = maxlen
    return deque


def _pop_side(near, far, count):
    """Remove count >= 0 elements from the end of a deque that the list near
    starts at; far is the other list.  Returns (near, far) (to go through
    ``_make``)."""
    near_len = near._len
    if count < near_len:
        return _drop(near, count), far
    kept = near_len + far._len - count
    if kept <= 0:
        return _EMPTY, _EMPTY
    # what is left is the first `kept` elements of far, from far's end
    new_far, new_near = _halves(_items(far, kept))
    return new_near, new_far


def _end(near, far):
    """The element at the end of a deque that the list near starts at; far
    is the other list (when near is empty, far holds at most one element:
    the invariant).  IndexError when the deque is empty."""
    if near._len:
        return near._first
    if far._len:
        return far._first
    raise IndexError("No elements in empty deque")


def _make_room(deque, k, right):
    """deque without the elements that adding k more at its right end (right
    true) or its left end would push past its bound: they are popped from
    the other end.  deque itself when there is room."""
    maxlen = deque._maxlen
    if maxlen is not None:
        excess = len(deque) + k - maxlen
        if excess > 0:
            return deque.popleft(excess) if right else deque.pop(excess)
    return deque


def _remove_at(node, i):
    """The list at node without its element at 0 <= i < len."""
    return _cons_onto(reversed(_items(node, i)), _drop(node, i + 1))


class PDeque:
    """A persistent double-ended queue, pyrsistent's ``PDeque``.

    Make one with ``pdeque(iterable, maxlen=None)`` or ``dq(*elements)``.
    ``append``/``appendleft``, ``pop``/``popleft`` (with a count; popping
    the empty deque gives the empty deque), ``extend``/``extendleft``,
    ``rotate``, ``remove`` and ``reverse`` return new deques that keep the
    bound ``maxlen``; adding past it drops elements from the other end.
    ``left`` and ``right`` are the end elements (IndexError when empty).  A
    PDeque is a ``Sequence``: indexing, slicing, ``in``, ``count``,
    ``index``.  Equal to another PDeque with equal elements whatever their
    bounds (never to a list or deque), ordered like tuples, hashable when
    its elements are, picklable (with its bound).  Its attributes cannot be
    assigned.

    ``PDeque(left_list, right_list, length, maxlen=None)``, pyrsistent's
    internal constructor, makes the deque of ``left_list`` followed by
    ``right_list`` reversed.

    Complexity: ``left``, ``right``, ``len`` O(1); ``append``,
    ``appendleft``, ``pop``, ``popleft`` O(1) amortised (O(k) for k
    elements); ``d[i]`` O(min(i, n - i)) on a balanced deque; ``rotate(k)``
    O(min(k, n - k)) amortised; searching, comparing, hashing O(n).

    >>> x = pdeque([1, 2, 3])
    >>> x.left, x.right, x[1], len(x)
    (1, 3, 2, 3)
    >>> x.pop(), x.popleft(), x.append(4), x.appendleft(0)
    (pdeque([1, 2]), pdeque([2, 3]), pdeque([1, 2, 3, 4]), pdeque([0, 1, 2, 3]))
    >>> y = pdeque([1, 2, 3], maxlen=3)
    >>> y.append(4), y.appendleft(0)
    (pdeque([2, 3, 4], maxlen=3), pdeque([0, 1, 2], maxlen=3))
    """

    __slots__ = ("_front", "_back", "_maxlen", "__weakref__")

    def __new__(cls, left_list, right_list, length, maxlen=None):
        elements = list(left_list)
        tail = list(right_list)
        tail.reverse()
        elements += tail
        if _operator_index(length) != len(elements):
            raise ValueError("PDeque(left_list, right_list, length): length is "
                             "%d but the lists hold %d elements"
                             % (length, len(elements)))
        return pdeque(elements, maxlen)

    __class_getitem__ = classmethod(_GenericAlias)

    # ------------------------------------------------------------ access

    @property
    def left(self):
        """The leftmost element; IndexError when the deque is empty.

        Complexity: O(1).

        >>> pdeque([1, 2, 3]).left
        1
        """
        return _end(self._front, self._back)

    @property
    def right(self):
        """The rightmost element; IndexError when the deque is empty.

        Complexity: O(1).

        >>> pdeque([1, 2, 3]).right
        3
        """
        return _end(self._back, self._front)

    @property
    def maxlen(self):
        """The bound on the length, or None.

        Complexity: O(1).

        >>> pdeque([1], maxlen=4).maxlen, pdeque([1]).maxlen is None
        (4, True)
        """
        return self._maxlen

    def __len__(self):
        return self._front._len + self._back._len

    def __bool__(self):
        return self._front._len + self._back._len != 0

    def _tolist(self):
        elements = _items(self._front)
        back = self._back
        if back._len:
            tail = _items(back)
            tail.reverse()
            elements += tail
        return elements

    def __iter__(self):
        back = self._back
        if back._len:
            tail = _items(back)
            tail.reverse()
            return _chain(self._front, tail)
        return iter(self._front)

    def __getitem__(self, index):
        n = self._front._len + self._back._len
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step != 1:
                return _from_items(self._tolist()[index], self._maxlen)
            if start >= stop:
                return _make(_EMPTY, _EMPTY, self._maxlen)
            return self.popleft(start).pop(n - stop)
        given = _as_int(index)
        i = given + n if given < 0 else given
        if i < 0 or i >= n:
            raise IndexError("pdeque index %d out of range %d" % (given, n))
        front = self._front
        if i < front._len:
            return _nth(front, i)
        return _nth(self._back, n - 1 - i)

    def __contains__(self, value):
        return value in self._front or value in self._back

    def count(self, elem):
        """The number of elements equal to elem.

        Complexity: O(n).

        >>> pdeque([1, 2, 1]).count(1)
        2
        """
        return self._front.count(elem) + self._back.count(elem)

    def index(self, value, start=0, stop=None):
        """The position of the first element equal to value, looked for in
        ``d[start:stop]`` (negative bounds count from the end, as
        ``list.index``); ValueError when there is none.

        Complexity: O(n).

        >>> pdeque([1, 2, 3, 2]).index(2), pdeque([1, 2, 3, 2]).index(2, 2)
        (1, 3)
        """
        start, stop = _search_bounds(start, stop, len(self))
        for i, x in enumerate(_islice(self, start, max(stop, start)), start):
            if x is value or x == value:
                return i
        raise ValueError("%r is not in PDeque" % (value,))

    # ------------------------------------------------------------ new deques

    def append(self, elem):
        """A new deque with elem added on the right (and, when the deque is
        at its bound, its leftmost element dropped).

        Complexity: O(1) amortised.

        >>> pdeque([1, 2]).append(3), pdeque([1, 2], maxlen=2).append(3)
        (pdeque([1, 2, 3]), pdeque([2, 3], maxlen=2))
        """
        maxlen = self._maxlen
        if maxlen == 0:
            return self
        base = _make_room(self, 1, True)
        return _make(base._front, base._back.cons(elem), maxlen)

    def appendleft(self, elem):
        """A new deque with elem added on the left (and, when the deque is
        at its bound, its rightmost element dropped).

        Complexity: O(1) amortised.

        >>> pdeque([1, 2]).appendleft(0), pdeque([1, 2], maxlen=2).appendleft(0)
        (pdeque([0, 1, 2]), pdeque([0, 1], maxlen=2))
        """
        maxlen = self._maxlen
        if maxlen == 0:
            return self
        base = _make_room(self, 1, False)
        return _make(base._front.cons(elem), base._back, maxlen)

    def pop(self, count=1):
        """A new deque without its count rightmost elements (all of them
        when count >= len); a negative count pops -count from the left.

        Complexity: O(count) amortised.

        >>> pdeque([1, 2, 3]).pop(), pdeque([1, 2, 3]).pop(2), pdeque().pop()
        (pdeque([1, 2]), pdeque([1]), pdeque([]))
        >>> pdeque([1, 2, 3]).pop(-1)
        pdeque([2, 3])
        """
        count = _as_int(count, "an integer")
        if count <= 0:
            return self if count == 0 else self.popleft(-count)
        back, front = _pop_side(self._back, self._front, count)
        return _make(front, back, self._maxlen)

    def popleft(self, count=1):
        """A new deque without its count leftmost elements (all of them
        when count >= len); a negative count pops -count from the right.

        Complexity: O(count) amortised.

        >>> pdeque([1, 2, 3]).popleft(), pdeque([1, 2, 3]).popleft(-2)
        (pdeque([2, 3]), pdeque([1]))
        """
        count = _as_int(count, "an integer")
        if count <= 0:
            return self if count == 0 else self.pop(-count)
        front, back = _pop_side(self._front, self._back, count)
        return _make(front, back, self._maxlen)

    def extend(self, iterable):
        """A new deque with the elements of iterable added on the right, in
        order; past the bound, the leftmost elements are dropped.

        Complexity: O(k) amortised for k elements.

        >>> pdeque([1, 2]).extend([3, 4]), pdeque([1, 2], maxlen=3).extend([3, 4])
        (pdeque([1, 2, 3, 4]), pdeque([2, 3, 4], maxlen=3))
        """
        elements = list(iterable)
        if not elements:
            return self
        maxlen = self._maxlen
        k = len(elements)
        if maxlen is not None and k >= maxlen:
            return _from_items(elements[k - maxlen:], maxlen)
        base = _make_room(self, k, True)
        return _make(base._front, _cons_onto(elements, base._back), maxlen)

    def extendleft(self, iterable):
        """A new deque with the elements of iterable added on the left one
        after the other (so in reverse order); past the bound, the rightmost
        elements are dropped.

        Complexity: O(k) amortised for k elements.

        >>> pdeque([1, 2]).extendleft([3, 4]), pdeque([1, 2], maxlen=3).extendleft([3, 4])
        (pdeque([4, 3, 1, 2]), pdeque([4, 3, 1], maxlen=3))
        """
        elements = list(iterable)
        if not elements:
            return self
        maxlen = self._maxlen
        k = len(elements)
        if maxlen is not None and k >= maxlen:
            kept = elements[k - maxlen:]
            kept.reverse()
            return _from_items(kept, maxlen)
        base = _make_room(self, k, False)
        return _make(_cons_onto(elements, base._front), base._back, maxlen)

    def rotate(self, steps):
        """A new deque rotated steps to the right (to the left when steps
        is negative), as ``collections.deque.rotate``.

        Complexity: O(min(k, n - k)) amortised, k = steps % n.

        >>> pdeque([1, 2, 3, 4, 5]).rotate(2), pdeque([1, 2, 3, 4, 5]).rotate(-2)
        (pdeque([4, 5, 1, 2, 3]), pdeque([3, 4, 5, 1, 2]))
        """
        steps = _as_int(steps, "an integer")
        n = len(self)
        if n == 0:
            return self
        right = steps % n
        if right == 0:
            return self
        if right <= n - right:
            # the `right` rightmost elements, from the right end, go left
            moved = _chain(self._back, reversed(_items(self._front)))
            return self.pop(right).extendleft(_islice(moved, right))
        return self.popleft(n - right).extend(_islice(self, n - right))

    def remove(self, elem):
        """A new deque without the leftmost element equal to elem;
        ValueError when there is none.

        Complexity: O(n).

        >>> pdeque([2, 1, 2]).remove(2)
        pdeque([1, 2])
        """
        front = self._front
        back = self._back
        node = front
        for i in range(front._len):
            x = node._first
            if x is elem or x == elem:
                return _make(_remove_at(front, i), back, self._maxlen)
            node = node._rest
        # in back (read from the right end) the leftmost match is the last one
        found = -1
        node = back
        for i in range(back._len):
            x = node._first
            if x is elem or x == elem:
                found = i
            node = node._rest
        if found < 0:
            raise ValueError("{0} not found in PDeque".format(elem))
        return _make(front, _remove_at(back, found), self._maxlen)

    def reverse(self):
        """A new deque of the elements in reverse order (same bound);
        ``reversed(d)`` also returns it (a PDeque, not an iterator).

        Complexity: O(1).

        >>> pdeque([1, 2, 3]).reverse(), reversed(pdeque([1, 2]))
        (pdeque([3, 2, 1]), pdeque([2, 1]))
        """
        return _make(self._back, self._front, self._maxlen)

    __reversed__ = reverse

    # ------------------------------------------------------------ comparison

    def __eq__(self, other):
        if not isinstance(other, PDeque):
            return NotImplemented
        if self is other:
            return True
        if len(self) != len(other):
            return False
        if self._front is other._front and self._back is other._back:
            return True
        return self._tolist() == other._tolist()

    def __lt__(self, other):
        if not isinstance(other, PDeque):
            return NotImplemented
        return tuple(self._tolist()) < tuple(other._tolist())

    def __le__(self, other):
        if not isinstance(other, PDeque):
            return NotImplemented
        return tuple(self._tolist()) <= tuple(other._tolist())

    def __gt__(self, other):
        if not isinstance(other, PDeque):
            return NotImplemented
        return tuple(self._tolist()) > tuple(other._tolist())

    def __ge__(self, other):
        if not isinstance(other, PDeque):
            return NotImplemented
        return tuple(self._tolist()) >= tuple(other._tolist())

    def __hash__(self):
        return hash(tuple(self._tolist()))

    # ------------------------------------------------------------ the rest

    def __repr__(self):
        if self._maxlen is None:
            return "pdeque({0!r})".format(self._tolist())
        return "pdeque({0!r}, maxlen={1})".format(self._tolist(), self._maxlen)

    __str__ = __repr__

    def __reduce__(self):
        return pdeque, (self._tolist(), self._maxlen)

    def __copy__(self):
        return self


_Sequence.register(PDeque)
_Hashable.register(PDeque)


def pdeque(iterable=(), maxlen=None):
    """A PDeque of the elements of iterable (None: no elements), left to
    right, bounded by maxlen (None: unbounded); with more than maxlen
    elements, only the last maxlen are kept.  TypeError when maxlen is not
    an integer, ValueError when it is negative.

    Complexity: O(n).

    >>> pdeque([1, 2, 3]), pdeque([1, 2, 3, 4], maxlen=2)
    (pdeque([1, 2, 3]), pdeque([3, 4], maxlen=2))
    """
    maxlen = _check_maxlen(maxlen)
    elements = [] if iterable is None else list(iterable)
    if maxlen is not None and len(elements) > maxlen:
        elements = elements[len(elements) - maxlen:]
    return _from_items(elements, maxlen)


def dq(*elements):
    """A PDeque of the arguments, left to right.

    Complexity: O(n).

    >>> dq(1, 2, 3)
    pdeque([1, 2, 3])
    """
    return _from_items(list(elements), None)
