"""``PList``: pyrsistent's persistent singly linked (cons) list, ``plist``
and ``l``.

A list is a chain of nodes.  Each node holds its element (``_first``), the
list after it (``_rest``) and its own length (``_len``), so ``len`` is O(1)
(pyrsistent's is O(n)).  The empty list is one shared node, ``_EMPTY``: its
``_len`` is 0, its ``_rest`` is itself and it has no ``_first``.

Every walk along a chain is a loop, never a recursion, so lists of any
length compare, hash, print and pickle.  Nodes are made by the loop in
``_cons_onto`` (or ``cons``), which fills the slots of a bare instance; the
public constructor ``PList(first, rest)`` is pyrsistent's and conses.

Elements are compared the way ``list`` and ``tuple`` compare them (an
element is equal to itself: ``x is y or x == y``), in ``==``, ``in``,
``count``, ``index`` and ``remove``.

``march.pyrsistent._pdeque`` builds on the private helpers here
(``_EMPTY``, ``_cons_onto``, ``_items``, ``_drop``, ``_nth``, ``_as_int``,
``_search_bounds``).
"""
from collections.abc import Hashable as _Hashable
from collections.abc import Sequence as _Sequence
from itertools import repeat as _repeat
from operator import index as _operator_index
from types import GenericAlias as _GenericAlias

__all__ = ["PList", "plist", "l"]

_new = object.__new__


def _as_int(value, noun="an index"):
    """value as an int (``operator.index``); when it is not one, pyrsistent's
    TypeError "'T' object cannot be interpreted as <noun>" ("an index" for
    ``[]``, "an integer" for a count)."""
    try:
        return _operator_index(value)
    except TypeError:
        raise TypeError("'%s' object cannot be interpreted as %s"
                        % (type(value).__name__, noun)) from None


def _search_bounds(start, stop, n):
    """The positions that ``index(value, start, stop)`` looks at in a
    sequence of length n, as (first, end): 0 <= first, end <= n, none when
    end <= first.  start and stop are None or integers, negative ones
    counting from the end, as ``list.index`` takes them."""
    start = 0 if start is None else _operator_index(start)
    stop = n if stop is None else _operator_index(stop)
    if start < 0:
        start = max(start + n, 0)
    if stop < 0:
        stop += n
    return start, min(stop, n)


def _items(node, count=None):
    """The first count elements of the list at node (all of them by
    default), as a new Python list."""
    if count is None:
        count = node._len
    out = []
    append = out.append
    for _ in _repeat(None, count):
        append(node._first)
        node = node._rest
    return out


def _drop(node, count):
    """The list after the first count elements of node (0 <= count <= len)."""
    for _ in _repeat(None, count):
        node = node._rest
    return node


def _nth(node, i):
    """The element at 0 <= i < len of the list at node."""
    for _ in _repeat(None, i):
        node = node._rest
    return node._first


def _cons_onto(elements, node):
    """Cons each of elements, in order, onto the list at node: the last
    element becomes the head."""
    cls = PList
    new = _new
    length = node._len
    for x in elements:
        length += 1
        head = new(cls)
        head._first = x
        head._rest = node
        head._len = length
        node = head
    return node


def _plist_from_sequence(seq):
    """A new list of the elements of the list or tuple seq, in order."""
    return _cons_onto(reversed(seq), _EMPTY)


class PList:
    """A persistent singly linked list (cons list), pyrsistent's ``PList``.

    Make one with ``plist(iterable)`` or ``l(*elements)``; ``PList(first,
    rest)`` is ``rest.cons(first)``.  ``cons`` puts an element in front and
    shares the whole list behind it; ``first`` is the head (AttributeError on
    the empty list) and ``rest`` the list after it (the empty list's rest is
    itself).  A PList is a ``Sequence``: indexing, slicing (``pl[k:]`` is the
    shared tail), ``in``, ``count``, ``index``, ``reversed``.  Equal to
    another PList with equal elements (never to a list or tuple), ordered
    like tuples, hashable when its elements are, picklable.  ``first`` and
    ``rest`` cannot be assigned.

    Complexity: ``cons``, ``first``, ``rest`` and ``len`` O(1); ``pl[i]``
    and ``split(i)`` O(i); ``pl[k:]`` O(k); searching, comparing, hashing
    and ``reverse`` O(n).

    >>> x = plist([1, 2])
    >>> y = x.cons(3)
    >>> y, y.first, y.rest is x, len(y)
    (plist([3, 1, 2]), 3, True, 3)
    >>> y[1:] is x, y[-1], 2 in y
    (True, 2, True)
    """

    __slots__ = ("_first", "_rest", "_len", "__weakref__")

    def __new__(cls, first, rest):
        if not isinstance(rest, PList):
            raise TypeError("PList(first, rest): rest must be a PList, not %s"
                            % type(rest).__name__)
        return rest.cons(first)

    __class_getitem__ = classmethod(_GenericAlias)

    # ------------------------------------------------------------ access

    @property
    def first(self):
        """The first element; AttributeError on the empty list.

        Complexity: O(1).

        >>> plist([1, 2]).first
        1
        """
        try:
            return self._first
        except AttributeError:
            raise AttributeError("Empty PList has no first") from None

    @property
    def rest(self):
        """The list after the first element (the empty list's is itself).

        Complexity: O(1).

        >>> plist([1, 2]).rest
        plist([2])
        >>> plist().rest is plist()
        True
        """
        return self._rest

    def __len__(self):
        return self._len

    def __bool__(self):
        return self._len != 0

    def __iter__(self):
        node = self
        for _ in _repeat(None, self._len):
            yield node._first
            node = node._rest

    def __getitem__(self, index):
        n = self._len
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step != 1:
                return _plist_from_sequence(_items(self)[index])
            if start >= stop:
                return _EMPTY
            tail = _drop(self, start)
            if stop == n:
                return tail
            return _plist_from_sequence(_items(tail, stop - start))
        i = _as_int(index)
        if i < 0:
            i += n
        if i < 0 or i >= n:
            raise IndexError("PList index out of range")
        return _nth(self, i)

    def __contains__(self, value):
        node = self
        for _ in _repeat(None, self._len):
            x = node._first
            if x is value or x == value:
                return True
            node = node._rest
        return False

    def count(self, value):
        """The number of elements equal to value.

        Complexity: O(n).

        >>> plist([1, 2, 1]).count(1)
        2
        """
        found = 0
        node = self
        for _ in _repeat(None, self._len):
            x = node._first
            if x is value or x == value:
                found += 1
            node = node._rest
        return found

    def index(self, value, start=0, stop=None):
        """The position of the first element equal to value, looked for in
        ``pl[start:stop]`` (negative bounds count from the end, as
        ``list.index``); ValueError when there is none.

        Complexity: O(stop) (O(n) by default).

        >>> plist([1, 2, 3, 2]).index(2), plist([1, 2, 3, 2]).index(2, 2)
        (1, 3)
        """
        n = self._len
        start, stop = _search_bounds(start, stop, n)
        node = _drop(self, min(start, n))
        for i in range(start, stop):
            x = node._first
            if x is value or x == value:
                return i
            node = node._rest
        raise ValueError("%r is not in PList" % (value,))

    # ------------------------------------------------------------ new lists

    def cons(self, elem):
        """A new list: elem followed by this list (shared, not copied).

        Complexity: O(1).

        >>> plist([1, 2]).cons(3)
        plist([3, 1, 2])
        """
        head = _new(PList)
        head._first = elem
        head._rest = self
        head._len = self._len + 1
        return head

    def mcons(self, iterable):
        """A new list: the elements of iterable consed one after the other
        onto this list, so they come first in reverse order.

        Complexity: O(k) for k elements.

        >>> plist([1, 2]).mcons([3, 4])
        plist([4, 3, 1, 2])
        """
        return _cons_onto(iterable, self)

    def reverse(self):
        """A new list of the elements in reverse order; ``reversed(pl)``
        also returns it (a PList, not an iterator).

        Complexity: O(n).

        >>> plist([1, 2, 3]).reverse(), reversed(plist([1, 2]))
        (plist([3, 2, 1]), plist([2, 1]))
        """
        if self._len < 2:
            return self
        return _cons_onto(iter(self), _EMPTY)

    __reversed__ = reverse

    def split(self, index):
        """The pair ``(pl[:index], pl[index:])``; the second is shared with
        this list.  When index >= len the pair is ``(pl, plist())``.

        Complexity: O(index).

        >>> plist([1, 2, 3, 4]).split(2)
        (plist([1, 2]), plist([3, 4]))
        """
        i = _operator_index(index)
        if i >= self._len:
            return self, _EMPTY
        if i <= 0:
            return _EMPTY, self
        return _plist_from_sequence(_items(self, i)), _drop(self, i)

    def remove(self, elem):
        """A new list without the first element equal to elem, sharing the
        part after it; ValueError when there is none.

        Complexity: O(k), k the position of the removed element.

        >>> plist([1, 2, 1]).remove(1)
        plist([2, 1])
        """
        node = self
        for i in range(self._len):
            x = node._first
            if x is elem or x == elem:
                return _cons_onto(reversed(_items(self, i)), node._rest)
            node = node._rest
        raise ValueError("{0} not found in PList".format(elem))

    # ------------------------------------------------------------ comparison

    def __eq__(self, other):
        if not isinstance(other, PList):
            return NotImplemented
        if self._len != other._len:
            return False
        a = self
        b = other
        # equal lengths: a and b reach the empty list together; a shared
        # tail (a is b) is equal to itself
        while a is not b:
            x = a._first
            y = b._first
            if not (x is y or x == y):
                return False
            a = a._rest
            b = b._rest
        return True

    def __lt__(self, other):
        if not isinstance(other, PList):
            return NotImplemented
        return tuple(_items(self)) < tuple(_items(other))

    def __le__(self, other):
        if not isinstance(other, PList):
            return NotImplemented
        return tuple(_items(self)) <= tuple(_items(other))

    def __gt__(self, other):
        if not isinstance(other, PList):
            return NotImplemented
        return tuple(_items(self)) > tuple(_items(other))

    def __ge__(self, other):
        if not isinstance(other, PList):
            return NotImplemented
        return tuple(_items(self)) >= tuple(_items(other))

    def __hash__(self):
        return hash(tuple(_items(self)))

    # ------------------------------------------------------------ the rest

    def __repr__(self):
        return "plist({0!r})".format(_items(self))

    __str__ = __repr__

    def __reduce__(self):
        return plist, (_items(self),)

    def __copy__(self):
        return self


_Sequence.register(PList)
_Hashable.register(PList)

_EMPTY = _new(PList)
_EMPTY._len = 0
_EMPTY._rest = _EMPTY


def plist(iterable=(), reverse=False):
    """A PList of the elements of iterable, in order (in reverse order when
    reverse is true).  ``plist()`` is the one empty list; a PList given
    as iterable (and reverse false) is returned as it is.

    Complexity: O(n).

    >>> plist([1, 2, 3]), plist([1, 2, 3], reverse=True)
    (plist([1, 2, 3]), plist([3, 2, 1]))
    >>> plist() is plist([]) is l()
    True
    """
    if reverse:
        return _cons_onto(iterable, _EMPTY)
    if type(iterable) is PList:
        return iterable
    if type(iterable) is not list and type(iterable) is not tuple:
        iterable = list(iterable)
    return _plist_from_sequence(iterable)


def l(*elements):  # noqa: E741 (pyrsistent's name)
    """A PList of the arguments, in order.

    Complexity: O(n).

    >>> l(1, 2, 3)
    plist([1, 2, 3])
    """
    return _plist_from_sequence(elements)
