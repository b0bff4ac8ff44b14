"""``PBag``: pyrsistent's persistent multiset, on a ``march.Map`` of counts.

A bag maps each distinct element to how many times it occurs (always at
least once); the total number of elements is kept alongside, so ``len`` is
O(1).  Adding or removing one element is one ``Map`` update, O(log32 n);
building a bag, ``update`` and the Counter-like operators ``+ - | &`` go
through a ``Map`` mutation (a transient) and cost O(k log32 n) for the k
distinct elements of the smaller operand.

Behaviour follows pyrsistent 0.20: ``pbag``/``b`` build bags (any falsy
argument gives the shared empty bag), ``remove`` of an absent element
raises ``KeyError(element)``, ``==`` against anything that is not a bag
raises ``TypeError``, bags cannot be ordered (``<`` and friends raise
``TypeError``), and the repr is ``pbag([...])``.
"""
from collections import Counter as _Counter
from collections.abc import Container as _Container
from collections.abc import Hashable as _Hashable
from collections.abc import Iterable as _Iterable
from collections.abc import Mapping as _Mapping
from collections.abc import Sized as _Sized
from itertools import chain as _chain
from itertools import repeat as _repeat
from itertools import starmap as _starmap
from operator import index as _index
from types import GenericAlias as _GenericAlias

import march as _march

__all__ = ["PBag", "pbag", "b"]

_Map = _march.Map
_EMPTY_MAP = _Map()
_new_object = object.__new__
_from_iterable = _chain.from_iterable


class PBag:
    """A persistent bag (multiset): hashable elements, with repeats, unordered.

    Build one with ``pbag(iterable)`` or ``b(*elements)``.  ``add`` and
    ``remove`` return a new bag and leave the old one as it was; ``+``, ``-``,
    ``|`` and ``&`` combine counts as ``collections.Counter`` does.  Bags are
    hashable, so they can be set members or map keys.

    Complexity: ``add``, ``remove``, ``count`` and ``in`` are O(log32 n) for
    n distinct elements; ``len`` is O(1); iteration is O(total length).

    >>> bag = pbag(['a', 'b', 'a'])
    >>> bag.count('a'), len(bag)
    (2, 3)
    >>> bag.remove('a') == b('a', 'b')
    True
    >>> sorted(bag + b('c'))
    ['a', 'a', 'b', 'c']
    """

    __slots__ = ("_counts", "_size", "_hash", "__weakref__")

    __class_getitem__ = classmethod(_GenericAlias)

    def __new__(cls, counts):
        """A bag from a mapping of element -> count (each count an int >= 1).

        Prefer ``pbag`` or ``b``; this exists because pyrsistent's
        ``PBag(counts)`` does.  O(k log32 k) for k distinct elements.
        """
        if not isinstance(counts, _Mapping):
            raise TypeError("PBag() takes a mapping of element -> count, not %s"
                            % type(counts).__name__)
        checked = {}
        size = 0
        for element, n in counts.items():
            n = _index(n)
            if n < 1:
                raise ValueError("PBag counts must be at least 1, got %r for %r"
                                 % (n, element))
            checked[element] = n
            size += n
        bag = _new_object(cls)
        _set_counts(bag, _Map(checked))
        _set_size(bag, size)
        return bag

    # -- immutability -------------------------------------------------------

    def __setattr__(self, name, value):
        raise AttributeError("PBag is immutable: cannot set attribute %r" % name)

    def __delattr__(self, name):
        raise AttributeError("PBag is immutable: cannot delete attribute %r" % name)

    # -- single elements ----------------------------------------------------

    def add(self, element):
        """Return a new bag with one more ``element``.  O(log32 n).

        >>> b(1).add(1).add(2).count(1)
        2
        """
        counts = self._counts
        return _make(counts.set(element, counts.get(element, 0) + 1), self._size + 1)

    def remove(self, element):
        """Return a new bag with one ``element`` fewer.  O(log32 n).

        Raises ``KeyError(element)`` when the element is not in the bag.

        >>> b(1, 1, 2).remove(1) == b(1, 2)
        True
        """
        counts = self._counts
        n = counts.get(element, 0)
        if not n:
            raise KeyError(element)
        if n == 1:
            return _make(counts.delete(element), self._size - 1)
        return _make(counts.set(element, n - 1), self._size - 1)

    def count(self, element):
        """How many times ``element`` is in the bag (0 when absent).  O(log32 n).

        >>> b('x', 'x').count('x'), b().count('x')
        (2, 0)
        """
        return self._counts.get(element, 0)

    def update(self, iterable):
        """Return a new bag with every element of ``iterable`` added.

        A falsy argument (``[]``, ``None``) returns this very bag, as in
        pyrsistent.  O(k log32 n) for k distinct new elements, through one
        mutation of the counts.

        >>> b(1).update([1, 2]) == b(1, 1, 2)
        True
        """
        if not iterable:
            return self
        new = _Counter(iter(iterable))
        if not new:
            return self
        added = sum(new.values())
        if not self._size:
            return _make(_Map(new), added)
        mutation = self._counts.mutate()
        get = mutation.get
        for element, n in new.items():
            mutation[element] = get(element, 0) + n
        return _make(mutation.finish(), self._size + added)

    # -- container protocol -------------------------------------------------

    def __len__(self):
        return self._size

    def __bool__(self):
        return self._size != 0

    def __iter__(self):
        return _from_iterable(_starmap(_repeat, self._counts.items()))

    def __contains__(self, element):
        return element in self._counts

    def __repr__(self):
        return "pbag(%r)" % (list(self),)

    def __reduce__(self):
        return (PBag, (dict(self._counts),))

    def __copy__(self):
        return self

    # -- comparison and hashing ---------------------------------------------

    def __eq__(self, other):
        if not isinstance(other, PBag):
            raise TypeError("Can only compare PBag with PBags")
        return self._size == other._size and self._counts == other._counts

    def __ne__(self, other):
        return not self.__eq__(other)

    def __lt__(self, other):
        raise TypeError("PBags are not orderable")

    __le__ = __lt__
    __gt__ = __lt__
    __ge__ = __lt__

    def __hash__(self):
        try:
            return self._hash
        except AttributeError:
            pass
        value = hash(self._counts)
        _set_hash(self, value)
        return value

    # -- multiset algebra (collections.Counter's rules) ---------------------
    # The result is built in a mutation of one operand's counts, walking the
    # other operand only when it is the smaller one.  An element present in
    # both keeps self's key object (as pyrsistent's do).

    def __add__(self, other):
        """Sum of counts: ``b(1, 2) + b(2)`` has 2 twice.
        O(k log32 n), k the distinct elements of the smaller bag.

        >>> b(1, 2) + b(2) == b(1, 2, 2)
        True
        """
        return _merge(self, other, True)

    def __sub__(self, other):
        """Counts subtracted, those that drop to zero or below removed.
        O(k log32 n), k the distinct elements of the smaller bag.

        >>> b(1, 2, 2, 3) - b(2, 3, 3) == b(1, 2)
        True
        """
        if not isinstance(other, PBag):
            return NotImplemented
        if not other._size or not self._size:
            return self
        mine = self._counts
        theirs = other._counts
        size = self._size
        mutation = mine.mutate()
        # the elements in both, as (element, self's count n, other's count
        # m), found by walking the smaller bag
        if len(theirs) <= len(mine):
            get = mine.get
            common = [(e, n, m) for e, m in theirs.items()
                      if (n := get(e)) is not None]
        else:
            get = theirs.get
            common = [(e, n, m) for e, n in mine.items()
                      if (m := get(e)) is not None]
        for element, n, m in common:
            if n > m:
                mutation[element] = n - m
                size -= m
            else:
                del mutation[element]
                size -= n
        return _make(mutation.finish(), size)

    def __or__(self, other):
        """Union: the larger count of each element.
        O(k log32 n), k the distinct elements of the smaller bag.

        >>> b(1, 2, 2) | b(2, 3) == b(1, 2, 2, 3)
        True
        """
        return _merge(self, other, False)

    def __and__(self, other):
        """Intersection: the smaller count of each element present in both.
        O(k log32 n), k the distinct elements of the smaller bag.

        >>> b(1, 2, 2, 3) & b(2, 2, 2, 3, 4) == b(2, 2, 3)
        True
        """
        if not isinstance(other, PBag):
            return NotImplemented
        if not self._size or not other._size:
            return _EMPTY_PBAG
        mine = self._counts
        theirs = other._counts
        # self's entries whose element is in other, with self's key objects
        # (Map.intersection may keep other's key for an element equal in both
        # but not identical, like 1 and True): self minus (self minus other).
        # Both differences walk the tries together and skip shared subtrees,
        # so this is O(k log32 n) too.  Then lower the counts other has
        # fewer of.
        common = mine.difference(mine.difference(theirs))
        size = 0
        mutation = common.mutate()
        for element, n in common.items():
            m = theirs[element]
            if m < n:
                mutation[element] = m
                size += m
            else:
                size += n
        return _make(mutation.finish(), size)


_set_counts = PBag._counts.__set__
_set_size = PBag._size.__set__
_set_hash = PBag._hash.__set__

for _abc in (_Container, _Iterable, _Sized, _Hashable):
    _abc.register(PBag)
del _abc


def _merge(bag, other, add):
    """``bag + other`` (add true) or ``bag | other``: each element of either
    bag with the sum (add) or the larger of its counts n in bag and m in
    other (0 where absent).  NotImplemented when other is not a bag; an
    empty operand gives the other one."""
    if not isinstance(other, PBag):
        return NotImplemented
    if not other._size:
        return bag
    if not bag._size:
        return other
    mine = bag._counts
    theirs = other._counts
    if len(theirs) <= len(mine):
        size = bag._size
        mutation = mine.mutate()
        get = mutation.get
        for element, m in theirs.items():
            n = get(element, 0)
            count = n + m if add else (n if n > m else m)
            if count != n:
                mutation[element] = count
                size += count - n
    else:
        size = other._size
        mutation = theirs.mutate()
        get = mutation.get
        for element, n in mine.items():
            m = get(element)
            if m is None:
                mutation[element] = n
                size += n
            else:
                del mutation[element]  # so that bag's key is the one kept
                count = n + m if add else (n if n > m else m)
                mutation[element] = count
                size += count - m
    return _make(mutation.finish(), size)


def _make(counts, size):
    """A bag from a Map of positive counts and their sum (no checks)."""
    if not size:
        return _EMPTY_PBAG
    bag = _new_object(PBag)
    _set_counts(bag, counts)
    _set_size(bag, size)
    return bag


_EMPTY_PBAG = _new_object(PBag)
_set_counts(_EMPTY_PBAG, _EMPTY_MAP)
_set_size(_EMPTY_PBAG, 0)


def pbag(elements):
    """Return a bag of the elements of an iterable (repeats counted).

    A falsy argument (an empty list, ``None``) gives the shared empty bag.
    O(n) to count the n elements, then O(k log32 k) to build the Map of the
    k distinct ones in one go.

    >>> pbag('abracadabra').count('a')
    5
    >>> pbag([]) is b()
    True
    """
    if not elements:
        return _EMPTY_PBAG
    counts = _Counter(iter(elements))
    if not counts:
        return _EMPTY_PBAG
    return _make(_Map(counts), sum(counts.values()))


def b(*elements):
    """Return a bag of the arguments (repeats counted).  O(n log32 n) at worst.

    >>> b(1, 2, 1).count(1)
    2
    """
    return pbag(elements)
