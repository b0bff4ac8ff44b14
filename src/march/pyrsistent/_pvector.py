"""``PVector``: pyrsistent's persistent vector, ``pvector`` and ``v``, on
``march.Vector``.

``PVector`` is a subclass of ``march.Vector`` with no instance state of its
own (``__slots__ = ()``).  march's RRB tree already has pyrsistent's
vector semantics (``==`` with lists, the evolver, ``mset``,
``transform``, the ``Index out of range: N`` errors), and every derivation
of a ``march.Vector`` subclass keeps the subclass, in C and in the twin, so
everything except the repr is inherited untouched: ``pv.append(x)`` is the C
core's ``append`` and returns a ``PVector``.  What pyrsistent adds on top of
that is the ``pvector([...])`` repr and the shared empty vector
(``v() is pvector()``).

pyrsistent has two implementations, ``pyrsistent._pvector.PythonPVector``
and the C extension ``pvectorc``; here ``PythonPVector`` and
``python_pvector`` are other names of ``PVector`` and ``pvector`` (the
pure-Python one is march's twin, chosen with ``MARCH_PURE_PYTHON=1``).
"""
import march as _march

__all__ = ["PVector", "pvector", "v", "PythonPVector", "python_pvector"]

_Vector = _march.Vector
_tolist = _Vector.tolist
_vector_mul = _Vector.__mul__


class PVector(_Vector):
    """A persistent vector: pyrsistent's ``PVector``, a ``march.Vector``.

    Build one with ``pvector(iterable)`` or ``v(*elements)``.  Every update
    (``append``, ``extend``, ``set``, ``mset``, ``delete``, ``remove``,
    ``+``, ``*``, slicing, ``transform``, the evolver) returns a new
    ``PVector`` and leaves this one as it was.  A ``PVector`` equals any
    list with the same elements (not a tuple), is hashable (when its elements
    are), and pickles.

    Complexity: indexing and single-element updates O(log32 n) (appends
    amortised O(1)); ``+``, slicing and ``insert`` O(log n) on the RRB tree;
    equality O(n).

    >>> pv = v(1, 2)
    >>> pv2 = pv.append(3).set(0, 0)
    >>> pv2, pv
    (pvector([0, 2, 3]), pvector([1, 2]))
    >>> pv2 == [0, 2, 3], type(pv2[1:]).__name__
    (True, 'PVector')
    """

    __slots__ = ()

    def __repr__(self):
        return "pvector(%r)" % (_tolist(self),)

    __str__ = __repr__

    def __mul__(self, times):
        new = _vector_mul(self, times)
        if new is not NotImplemented and not new and type(self) is PVector:
            return _EMPTY  # as pyrsistent: 0 * pv is pvector()
        return new

    __rmul__ = __mul__


_EMPTY = PVector()


def pvector(iterable=()):
    """A ``PVector`` of the elements of ``iterable``; an empty one gives the
    shared empty vector.  O(n) (O(1) for a ``march.Vector``, whose tree is
    shared).

    >>> pvector(range(3))
    pvector([0, 1, 2])
    >>> pvector() is pvector([]) is v()
    True
    """
    new = PVector(iterable)
    return new if new else _EMPTY


def v(*elements):
    """A ``PVector`` of the arguments.  O(n).

    >>> v(1, 'a')
    pvector([1, 'a'])
    """
    return pvector(elements)


PythonPVector = PVector
python_pvector = pvector
