"""The twin of ``src/march/_core/set_object.c``: ``Set``, ``SetEvolver`` and
``s()``.

A Set is a HAMT whose values are all None, so it shares every node
algorithm of the Map (``hamt.py``), the algebra (``hamt_walk.py``) and the
glue of ``hamt_object.py``; a Map and a Set can be intersected and
differenced node against node.  ``hash(s) == hash(frozenset(s))``.

Operands: the Set operators (``| & - ^`` and the comparisons) take a Set
structurally; any other iterable (operators: any iterable, as pyrsistent's
PSet; the comparisons: any ``collections.abc.Set``) is first made into a
Set.  Every multi-step operation takes a fresh owner id per structural
step: the walk reads its inputs while it edits the result in place, so an
input must hold no node of the result's owner.

The C slot and method functions are ``set_<method>`` and
``setevolver_<method>``; here they are the classes' methods of the same
names.  ``set_register()`` registers the classes in
``hamt_object.hamt_types`` and Set as a ``collections.abc.Set``;
``hamt_module`` calls it at import.
"""
import collections.abc as _abc
import types as _types
from _thread import get_ident as _get_ident

from .._docstrings import document as _document
from .common import reduce_subclass, repr_name
from .hamt import (
    M64, NOTFOUND, hamt_assoc, hamt_equal, hamt_find, hamt_iter_keys,
)
from .hamt_node import hamt_node_empty_root, hamt_node_new_owner
from .hamt_object import (
    HAMT_ITER_KEYS, HAMT_OP_DIFFERENCE, HAMT_OP_INTERSECTION,
    HAMT_OP_SYMMETRIC_DIFFERENCE, HAMT_OP_UNION, hamt_iterator_new,
    hamt_object_add_all, hamt_object_algebra, hamt_object_check,
    hamt_object_depth, hamt_object_diff, hamt_object_key_error,
    hamt_object_layout, hamt_object_length, hamt_object_without,
    hamt_object_set_root, hamt_transient_assoc,
    hamt_transient_contains, hamt_transient_enter, hamt_transient_exit,
    hamt_transient_length, hamt_transient_new, hamt_transient_reduce,
    hamt_transient_without, hamt_transient_writable, hamt_types,
)
from .hamt_walk import hamt_hash_keys, hamt_isdisjoint, hamt_issubset

__all__ = ["Set", "SetEvolver", "s", "set_register"]

_object_new = object.__new__


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

# The empty exact Set is a singleton (as pyrsistent's `s() is pset()`): every
# empty result of the exact type is this object (a subclass gets a new
# instance of its own).
_empty_set = None


def set_from_root(root):
    """A new Set over ``root`` (the shared empty Set when empty)."""
    global _empty_set
    if not root.count and _empty_set is not None:
        return _empty_set
    st = _object_new(Set)
    st._root = root             # hamt_object_init, written out
    st._hash = None
    if not root.count:
        _empty_set = st
    return st


def set_from_root_as(type_, root):
    """A new Set of class ``type_`` (Set or a subclass) over ``root``: the
    exact Set by set_from_root, a subclass instance of its own."""
    if type_ is Set:
        return set_from_root(root)
    st = _object_new(type_)
    st._root = root
    st._hash = None
    return st


def set_operand_root(o):
    """For the operators: the root of a Set of ``o``, or None when ``o`` is
    not iterable (NotImplemented)."""
    if isinstance(o, Set):
        return o._root
    try:
        it = iter(o)
    except TypeError:
        return None
    return hamt_object_add_all(hamt_node_empty_root(), it,
                               hamt_node_new_owner())


def set_result(type_, self, other, r):
    """The Set of class ``type_`` for a result root: self or other when
    unchanged and of that very class."""
    if type(self) is type_ and r is self._root:
        return self
    if type(other) is type_ and r is other._root:
        return other
    return set_from_root_as(type_, r)


def set_binop(a, b, op):
    """The operators ``| & - ^`` (``op``: HAMT_OP_*)."""
    ra = set_operand_root(a)
    if ra is None:
        return NotImplemented
    rb = set_operand_root(b)
    if rb is None:
        return NotImplemented
    # the class of the left operand, or of the right one when reflected
    return set_result(type(a) if isinstance(a, Set) else type(b), a, b,
                      hamt_object_algebra(op, ra, rb, None, False))


def set_fold(self, others, op):
    """intersection(*others), difference(*others)."""
    root = self._root
    for o in others:
        root = hamt_object_algebra(op, root, hamt_object_set_root(o), None,
                                   False)
    return set_result(type(self), self, others[0] if len(others) == 1
                      else None, root)


# what set_predicate answers (C: enum)
SET_SUBSET = 0
SET_SUPERSET = 1
SET_DISJOINT = 2


def set_predicate(self, other, kind):
    """issubset(other), issuperset(other), isdisjoint(other)."""
    o = hamt_object_set_root(other)
    if kind == SET_SUBSET:
        return hamt_issubset(self._root, o)
    if kind == SET_SUPERSET:
        return hamt_issubset(o, self._root)
    return hamt_isdisjoint(self._root, o)


def set_elements_list(root):
    return list(hamt_iter_keys(root))


def set_compare_root(other):
    """The root to compare a Set with: a Set's, another
    ``collections.abc.Set`` made into a Set, else None (NotImplemented)."""
    if isinstance(other, Set):
        return other._root
    if isinstance(other, _abc.Set):
        return hamt_object_set_root(other)
    return None


_repr_running = set()


# ---------------------------------------------------------------------------
# Set
# ---------------------------------------------------------------------------

class Set:
    # An immutable set: a HAMT whose values are all None (the Map's nodes).
    #
    # ``Set(iterable=())``, or ``s(*elements)``.  A drop-in for pyrsistent's
    # ``PSet`` and a ``collections.abc.Set``: ``add``, ``discard``, ``remove``
    # (KeyError), ``update``, ``evolver()``, the operators ``| & - ^`` (with a
    # Set: structurally, node against node; with another iterable: after
    # making it a Set), the comparisons, ``issubset``, ``issuperset``,
    # ``isdisjoint``, ``diff``.  ``hash(s) == hash(frozenset(s))``.
    # ``Set`` may be subclassed: every derivation of a subclass instance is
    # an instance of its class (``set_from_root_as``).

    __slots__ = ("_root", "_hash", "__weakref__")

    def __new__(cls, *args, **kw):
        if kw:
            raise TypeError("Set() takes no keyword arguments")
        if len(args) > 1:
            raise TypeError("Set expected at most 1 argument, got %d"
                            % len(args))
        if not args:
            return set_from_root_as(cls, hamt_node_empty_root())
        col = args[0]
        if cls is Set and type(col) is Set:
            return col
        if isinstance(col, Set):
            # O(1): a new object of cls sharing the root
            st = set_from_root_as(cls, col._root)
            if col._hash is not None:
                st._hash = col._hash
            return st
        return set_from_root_as(cls, hamt_object_set_root(col))

    __class_getitem__ = classmethod(_types.GenericAlias)

    __len__ = hamt_object_length

    def __contains__(self, key):
        return hamt_find(self._root, key, hash(key) & M64) is not NOTFOUND

    def __iter__(self):
        return hamt_iterator_new(self._root, HAMT_ITER_KEYS)

    # -- new sets -------------------------------------------------------

    def add(self, element, /):
        root = self._root
        new = hamt_assoc(root, element, hash(element) & M64, None, 0)[0]
        if new is root:
            return self
        return set_from_root_as(type(self), new)

    def discard(self, element, /):
        return hamt_object_without(self, element, set_from_root_as, False)

    def remove(self, element, /):
        return hamt_object_without(self, element, set_from_root_as, True)

    def update(self, *iterables):
        root = self._root
        for it in iterables:
            root = hamt_object_add_all(root, it, hamt_node_new_owner())
        return set_result(type(self), self, iterables[0]
                          if len(iterables) == 1 else None, root)

    union = update

    def intersection(self, *others):
        return set_fold(self, others, HAMT_OP_INTERSECTION)

    def difference(self, *others):
        return set_fold(self, others, HAMT_OP_DIFFERENCE)

    def symmetric_difference(self, other):
        return set_result(type(self), self, other, hamt_object_algebra(
            HAMT_OP_SYMMETRIC_DIFFERENCE, self._root,
            hamt_object_set_root(other), None, False))

    def issubset(self, other):
        return set_predicate(self, other, SET_SUBSET)

    def issuperset(self, other):
        return set_predicate(self, other, SET_SUPERSET)

    def isdisjoint(self, other):
        return set_predicate(self, other, SET_DISJOINT)

    def diff(self, other):
        # diff(other) -> an iterator of (element, element, ABSENT) for the
        # elements only in self and (element, ABSENT, element) for those only
        # in other; subtrees the two share are skipped without a look.
        if not isinstance(other, Set):
            raise TypeError("Set.diff() needs a Set, not %s"
                            % type(other).__name__)
        return hamt_object_diff(self._root, other._root, True)

    def evolver(self):
        return setevolver_new(self)

    mutate = evolver

    def copy(self):
        return self

    __copy__ = copy

    # -- operators --------------------------------------------------------

    def __or__(self, other):
        return set_binop(self, other, HAMT_OP_UNION)

    def __ror__(self, other):
        return set_binop(other, self, HAMT_OP_UNION)

    def __and__(self, other):
        return set_binop(self, other, HAMT_OP_INTERSECTION)

    def __rand__(self, other):
        return set_binop(other, self, HAMT_OP_INTERSECTION)

    def __sub__(self, other):
        return set_binop(self, other, HAMT_OP_DIFFERENCE)

    def __rsub__(self, other):
        return set_binop(other, self, HAMT_OP_DIFFERENCE)

    def __xor__(self, other):
        return set_binop(self, other, HAMT_OP_SYMMETRIC_DIFFERENCE)

    def __rxor__(self, other):
        return set_binop(other, self, HAMT_OP_SYMMETRIC_DIFFERENCE)

    # -- comparing, hashing, printing, pickling ---------------------------

    def __eq__(self, other):
        rb = set_compare_root(other)
        if rb is None:
            return NotImplemented
        ra = self._root
        if ra.count != rb.count:
            return False
        if (type(other) is Set and self._hash is not None
                and other._hash is not None and self._hash != other._hash):
            return False
        return hamt_equal(ra, rb)

    def __ne__(self, other):
        r = self.__eq__(other)
        if r is NotImplemented:
            return r
        return not r

    def __le__(self, other):
        rb = set_compare_root(other)
        if rb is None:
            return NotImplemented
        return hamt_issubset(self._root, rb)

    def __lt__(self, other):
        rb = set_compare_root(other)
        if rb is None:
            return NotImplemented
        return self._root.count < rb.count and hamt_issubset(self._root, rb)

    def __ge__(self, other):
        rb = set_compare_root(other)
        if rb is None:
            return NotImplemented
        return hamt_issubset(rb, self._root)

    def __gt__(self, other):
        rb = set_compare_root(other)
        if rb is None:
            return NotImplemented
        return self._root.count > rb.count and hamt_issubset(rb, self._root)

    def __hash__(self):
        h = self._hash
        if h is None:
            h = self._hash = hamt_hash_keys(self._root)
        return h

    def __repr__(self):
        name = repr_name(self, Set, "march.Set")
        if not self._root.count:
            return "%s()" % name
        key = (id(self), _get_ident())
        if key in _repr_running:
            return "%s({...})" % name
        _repr_running.add(key)
        try:
            body = repr(set_elements_list(self._root))[1:-1]
        finally:
            _repr_running.discard(key)
        return "%s({%s})" % (name, body)

    def __reduce__(self):
        elements = set_elements_list(self._root)
        if type(self) is not Set:
            return reduce_subclass(self, (elements,))
        return (Set, (elements,))

    # -- debugging -------------------------------------------------------

    _check = hamt_object_check
    _depth = hamt_object_depth
    _layout = hamt_object_layout


def s(*elements):
    root = hamt_node_empty_root()
    owner = hamt_node_new_owner()
    for k in elements:
        root = hamt_assoc(root, k, hash(k) & M64, None, owner)[0]
    return set_from_root(root)


set_s = s       # the C name of the module function s()


# ---------------------------------------------------------------------------
# SetEvolver
# ---------------------------------------------------------------------------

def setevolver_new(orig):
    return hamt_transient_new(SetEvolver, orig._root, orig)


class SetEvolver:
    # A transient over a Set (``Set.evolver()``, ``Set.mutate()``): ``add``,
    # ``discard``, ``remove`` edit it (in place where it owns the nodes) and
    # return it; ``persistent()`` (or ``finish()``) gives a Set of its
    # elements (and never edits the nodes of that Set afterwards), and may be
    # called again; ``is_dirty()`` tells whether it changed since.  Used as a
    # context manager, it is finished on exit.
    #
    # While one of its operations walks the trie (an element's ``__eq__``, a
    # finalizer run by a collection), any change or ``persistent()`` raises
    # ``RuntimeError``; an element's ``__hash__`` runs before the walk, and
    # each edit checks again after it.  ``SetEvolver`` cannot be subclassed,
    # pickled or copied (``TypeError``), as in C.
    #
    # Threads: ``_lock`` (an RLock; C: a critical section on the object)
    # guards ``_root``, ``_orig``, ``_owner`` and ``_busy``.  Every method
    # that reads or changes them holds it throughout, so that operations from
    # several threads run one at a time: none sees nodes another is editing
    # in place, or fields another is changing.  It is reentrant, so a call
    # back from code run by an operation in the same thread (an element's
    # ``__hash__``/``__eq__``, a finalizer) still meets ``_busy`` and its
    # RuntimeError rather than a deadlock.

    __slots__ = ("_root", "_orig", "_owner", "_busy", "_lock", "__weakref__")

    def __new__(cls, *args, **kw):
        raise TypeError("cannot create 'SetEvolver' instances")

    def __init_subclass__(cls, **kw):
        raise TypeError("type 'SetEvolver' is not an acceptable base type")

    __hash__ = None

    def add(self, element, /):
        hamt_transient_assoc(self, element, None)
        return self

    def discard(self, element, /):
        hamt_transient_without(self, element, False)
        return self

    def remove(self, element, /):
        if not hamt_transient_without(self, element, False)[0]:
            hamt_object_key_error(element)
        return self

    def is_dirty(self):
        self._lock.acquire()
        try:
            return self._root is not self._orig._root
        finally:
            self._lock.release()

    def persistent(self):
        self._lock.acquire()
        try:
            hamt_transient_writable(self)
            if self._root is self._orig._root:
                return self._orig
            # the allocation may run a collection, hence finalizers and
            # gc.callbacks: _busy keeps them from editing the root handed
            # over
            self._busy += 1
            try:
                # the class of the source Set
                st = set_from_root_as(type(self._orig), self._root)
            finally:
                self._busy -= 1
            # an emptied evolver gets the shared empty Set: adopt its root,
            # so that is_dirty() is false again
            self._root = st._root
            # the new Set shares our nodes: never edit them again
            self._owner = hamt_node_new_owner()
            self._orig = st
            return st
        finally:
            self._lock.release()

    finish = persistent

    __enter__ = hamt_transient_enter

    def __exit__(self, *exc):
        return hamt_transient_exit(self, SetEvolver.persistent)

    __len__ = hamt_transient_length
    __contains__ = hamt_transient_contains
    __reduce__ = hamt_transient_reduce

    _check = hamt_object_check
    _layout = hamt_object_layout


# ---------------------------------------------------------------------------
# registration
# ---------------------------------------------------------------------------

def set_register():
    """Register Set and SetEvolver in ``hamt_types`` and Set as a
    ``collections.abc.Set`` (C: ``march_set_register``, which also adds
    them and s() to the module)."""
    hamt_types.set = Set
    hamt_types.set_evolver = SetEvolver
    # the shared empty Set is made here, before any thread can ask for one
    # (set_from_root keeps the first empty Set it makes)
    set_from_root(hamt_node_empty_root())
    _abc.Set.register(Set)


# the docstrings, written once for both implementations (march._docstrings)
_document(Set, "Set")
_document(SetEvolver, "SetEvolver")
_document(s, "s")
