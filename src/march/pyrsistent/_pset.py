"""``PSet``: pyrsistent's persistent set, ``pset`` and ``s``, on
``march.Set``.

``PSet`` is a subclass of ``march.Set`` with no instance state of its own
(``__slots__ = ()``).  march's Set already has pyrsistent's set semantics
(the ``Set`` ABC's comparisons and operators, ``add``/``remove``/
``discard``/``update``, the evolver), and every derivation of a
``march.Set`` subclass keeps the subclass, in C and in the twin.  What
pyrsistent adds on top is the ``pset([...])`` repr and the shared empty set
(``s() is pset()``).
"""
import march as _march

__all__ = ["PSet", "pset", "s"]

_Set = _march.Set


class PSet(_Set):
    """A persistent set: pyrsistent's ``PSet``, a ``march.Set``.

    Build one with ``pset(iterable)`` or ``s(*elements)``.  Updates
    (``add``, ``remove``, ``discard``, ``update``, ``|``, ``&``, ``-``,
    ``^`` and their named forms, the evolver) return a new ``PSet`` and
    leave this one as it was; ``add``, ``discard``, ``update`` and
    ``union`` return this very set when they change nothing.  A
    ``PSet`` compares with any set (``==``, ``<=``, ...), is hashable, and
    pickles.

    Complexity: membership and single-element updates O(log32 n); the set
    algebra walks both tries and shares the untouched parts.

    >>> ps = s(1, 2)
    >>> ps.add(3), ps.remove(1)
    (pset([1, 2, 3]), pset([2]))
    >>> ps.add(1) is ps, ps == {1, 2}
    (True, True)
    """

    __slots__ = ()

    def __repr__(self):
        if not self:
            return "pset()"
        return "pset([%s])" % ", ".join(map(repr, self))

    __str__ = __repr__


_EMPTY = PSet()


def pset(iterable=(), pre_size=8):
    """A ``PSet`` of the elements of ``iterable``; an empty one gives the
    shared empty set.  ``pre_size`` is accepted for pyrsistent's sake and
    ignored: a trie has no buckets to size.  O(n log32 n) (O(1) for a
    ``march.Set``, whose trie is shared).

    >>> pset([1, 1, 2])
    pset([1, 2])
    >>> pset() is s()
    True
    """
    new = PSet(iterable)
    return new if new else _EMPTY


def s(*elements):
    """A ``PSet`` of the arguments.  O(n log32 n).

    >>> s(1, 2) == {1, 2}
    True
    """
    return pset(elements)
