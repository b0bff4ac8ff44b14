"""Pure-Python twin of ``src/march/_core/vector_object.c``: the Python types
of march's persistent vector, ``Vector`` and ``VectorEvolver``, and the
functions ``vector`` and ``v`` (what ``march`` imports).

The types hold a vector value (``_count``, ``_root``, ``_tail``; C: the
``MarchRRB`` they embed) and call the algorithms of ``rrb.py`` on it; the
nodes are in ``rrb_node.py``, the checker in ``rrb_check.py``.  Glue that C
names ``vector_<verb>`` keeps its name here (``vector_wrap``,
``vector_concat``, ``vector_range``, ``vector_cut``, ...); methods are named
by the Python API.  ``march._pure.rrb4`` loads this file again for the
branching-4 build (see rrb4.py), so it imports what lies outside the RRB
files by absolute name.

Transients (``VectorEvolver``)
------------------------------
An evolver owns a fresh token (``rrb_new_owner``): the nodes it made carry
it and are edited in place (see rrb_node.py).  ``persistent()`` (also
``finish()``) hands the current tree to a new Vector and gives the evolver a
*new* token, so the nodes now shared with that Vector are never mutated
again.  An evolver shared between threads is safe: each of its operations
holds its ``_lock`` throughout (see ``VectorEvolver``).
"""
import operator as _operator
import sys as _sys
from _thread import RLock as _RLock
from collections.abc import Sequence as _Sequence
from types import GenericAlias as _GenericAlias

from march._docstrings import document as _document
from march._pure.common import reduce_subclass, repr_name, transient_idle

from .rrb import (
    rrb_concat, rrb_count_room, rrb_delete, rrb_from_array, rrb_get, rrb_insert, rrb_node_assoc,
    rrb_node_get, rrb_node_leaves, rrb_node_leaves_reversed, rrb_pop, rrb_push, rrb_set,
    rrb_slice, rrb_tolist, rrb_tree_push_tail,
)
from .rrb_check import rrb_check, rrb_height, rrb_shape, rrb_stats
from .rrb_node import RRB_EMPTY_LEAF, RRB_M, rrb_leaf_make, rrb_new_owner, rrb_node_editable

BRANCHING = RRB_M

__all__ = ["Vector", "VectorEvolver", "vector", "v", "BRANCHING"]

_MAXSIZE = _sys.maxsize


# ---------------------------------------------------------------- glue


def vector_as_index(i):
    try:
        return _operator.index(i)
    except TypeError:
        raise TypeError("'%s' object cannot be interpreted as an index"
                        % type(i).__name__) from None


def vector_slice_index(x):
    try:
        return _operator.index(x)
    except TypeError:
        raise TypeError("slice indices must be integers or None or have an "
                        "__index__ method") from None


def vector_key_unpack(key):
    """An index (``__index__``) or a slice with its step, start and stop
    converted by ``__index__`` (C: ``PySlice_Unpack``, same order and
    errors).  All the user code of a key runs here, before any length is
    read: ``sl.indices(len)`` would take the length first, and the
    ``__index__`` of an evolver's key may change it."""
    if not isinstance(key, slice):
        return vector_as_index(key)
    step = key.step
    if step is not None:
        step = vector_slice_index(step)
        if step == 0:
            raise ValueError("slice step cannot be zero")
    start = key.start if key.start is None else vector_slice_index(key.start)
    stop = key.stop if key.stop is None else vector_slice_index(key.stop)
    return slice(start, stop, step)


def vector_wrap(cls, count, root, tail):
    """A ``cls`` (Vector or a subclass of it) over the value ``(count, root,
    tail)``; the empty Vector is the one empty Vector (a subclass gets a new
    instance)."""
    if cls is not Vector:
        vec = object.__new__(cls)
    elif not count:
        return _EMPTY
    else:
        vec = object.__new__(Vector)
    vec._count = count
    vec._root = root
    vec._tail = tail
    return vec


def vector_result_type(vec):
    """The type of the values that operations on ``vec`` build: ``type(vec)``
    (Vector, or the subclass ``vec`` is an instance of)."""
    return type(vec)


def vector_empty(cls):
    """An empty ``cls``: the empty singleton for Vector."""
    return vector_wrap(cls, 0, None, RRB_EMPTY_LEAF)


def vector_rewrap(cls, src):
    """A ``cls`` over the elements of the Vector (or subclass instance)
    ``src``, sharing its tree, O(1): ``src`` itself when it is a ``cls``."""
    if type(src) is cls:
        return src
    return vector_wrap(cls, src._count, src._root, src._tail)


def vector_from_iterable_as(cls, iterable):
    """A ``cls`` over the elements of ``iterable``: a Vector or subclass
    instance shares its tree (O(1); itself when it is a ``cls``)."""
    if isinstance(iterable, Vector):
        return vector_rewrap(cls, iterable)
    return vector_wrap(cls, *rrb_from_array(list(iterable)))


def vector_range(vec, start, stop):
    """Elements ``[start, stop)`` in O(log n) (clamped ``0 <= start, stop <= len``)."""
    if start == 0 and stop == vec._count:
        return vec  # all of it (an empty vec too: a subclass's empty instance)
    if start >= stop:
        return vector_empty(vector_result_type(vec))
    return vector_wrap(vector_result_type(vec),
                       *rrb_slice(vec._count, vec._root, vec._tail, start, stop))


def vector_cut(vec, lo, hi):
    """Without elements ``[lo, hi)`` (0 <= lo <= hi <= len), via slices and a concat."""
    if lo >= hi:
        return vec
    return vector_wrap(vector_result_type(vec),
                       *rrb_delete(vec._count, vec._root, vec._tail, lo, hi))


def vector_concat(a, b):
    """``a + b`` for two Vectors (or subclass instances), O(log n), a
    ``type(a)``."""
    if b._count == 0:
        return a
    if a._count == 0:
        return vector_rewrap(vector_result_type(a), b)  # b only when a type(a)
    return vector_wrap(vector_result_type(a),
                       *rrb_concat(a._count, a._root, a._tail, b._count, b._root, b._tail))


# ---------------------------------------------------------------- Vector


class Vector:
    # A persistent vector (RRB tree): PVector's API plus O(log n) concat,
    # slice, insert, delete and split.  Build with ``vector(iterable)`` or ``v(*items)``.
    #
    # Vector can be subclassed: operations on a subclass instance build
    # instances of its type (vector_result_type), the module's constructors
    # build Vectors.  ``v * n`` and ``n * v`` repeat the elements
    # as list does: OverflowError when n does not fit in a Py_ssize_t, the
    # empty vector when n <= 0.  An operation that would make more than
    # sys.maxsize elements raises OverflowError (MemoryError for ``*``, as
    # list).

    __slots__ = ("_count", "_root", "_tail", "__weakref__")

    def __new__(cls, iterable=()):
        # C: vector_tp_new; Sub(iterable) builds a Sub
        return vector_from_iterable_as(cls, iterable)

    __class_getitem__ = classmethod(_GenericAlias)

    # -- size and access

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            index = vector_key_unpack(index)  # the __index__ calls first, once
            start, stop, step = index.indices(self._count)
            if step == 1:
                return vector_range(self, start, stop)
            return vector_wrap(vector_result_type(self), *rrb_from_array(self.tolist()[index]))
        i = index
        if type(i) is not int:
            try:
                i = _operator.index(i)
            except TypeError:
                raise TypeError("vector indices must be integers or slices, not %s"
                                % type(index).__name__) from None
        n = self._count
        if i < 0:
            i += n
        if i < 0 or i >= n:
            raise IndexError("Index out of range: %s" % (i,))
        tail = self._tail  # rrb_get, inline (speed)
        tc = n - tail.count
        if i >= tc:
            return tail.slots[i - tc]
        return rrb_node_get(self._root, i)

    def __iter__(self):
        if self._root is not None:
            for leaf in rrb_node_leaves(self._root):
                yield from leaf.slots
        yield from self._tail.slots

    def __reversed__(self):
        yield from reversed(self._tail.slots)
        if self._root is not None:
            for leaf in rrb_node_leaves_reversed(self._root):
                yield from reversed(leaf.slots)

    def tolist(self):
        return rrb_tolist(self._count, self._root, self._tail)

    def __contains__(self, x):
        for y in self:
            if y is x or y == x:
                return True
        return False

    def index(self, value, *args):
        return self.tolist().index(value, *args)

    def count(self, value):
        return self.tolist().count(value)

    # -- comparisons, hashing, repr, pickling

    def __eq__(self, other):
        if self is other:
            return True
        if not hasattr(other, "__len__") or self._count != len(other):
            return False
        return self.tolist() == (other.tolist() if isinstance(other, Vector) else other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def _compare(self, other, op):
        return op(self.tolist(), other.tolist() if isinstance(other, Vector) else other)

    def __lt__(self, other):
        return self._compare(other, _operator.lt)

    def __le__(self, other):
        return self._compare(other, _operator.le)

    def __gt__(self, other):
        return self._compare(other, _operator.gt)

    def __ge__(self, other):
        return self._compare(other, _operator.ge)

    def __hash__(self):
        return hash(tuple(self.tolist()))

    def __repr__(self):
        # a subclass instance: TypeName([...]), with the subclass's __name__
        return "%s(%r)" % (repr_name(self, Vector, "vector"), self.tolist())

    __str__ = __repr__

    def __reduce__(self):
        # a subclass instance: its type, with its __dict__ as the state when
        # it has a non-empty one
        if type(self) is Vector:
            return vector, (self.tolist(),)
        return reduce_subclass(self, (self.tolist(),))

    # -- PVector updates

    def append(self, x):
        rrb_count_room(self._count, 1)
        tail = self._tail
        if tail.count < RRB_M:
            # rrb_push's first case, inline (speed): a copy of the tail with x
            slots = tail.slots[:]
            slots.append(x)
            return vector_wrap(vector_result_type(self), self._count + 1, self._root,
                               rrb_leaf_make(slots))
        return vector_wrap(vector_result_type(self),
                           *rrb_push(self._count, self._root, tail, x, None))

    def extend(self, iterable):
        if isinstance(iterable, Vector):
            return vector_concat(self, iterable)
        items = list(iterable)
        if not items:
            return self
        if self._count == 0:
            return vector_wrap(vector_result_type(self), *rrb_from_array(items))
        rrb_count_room(self._count, len(items))
        e = vectorevolver_new(self, None)  # private: nothing else can edit it
        e._push_items(items)
        return e._persistent()

    def __add__(self, other):
        if isinstance(other, Vector):
            return vector_concat(self, other)
        return self.extend(other)

    def __mul__(self, times):
        try:
            times = _operator.index(times)
        except TypeError:
            return NotImplemented
        if not -_MAXSIZE - 1 <= times <= _MAXSIZE:
            # as list (C: PyNumber_AsSsize_t(times, OverflowError))
            raise OverflowError("cannot fit '%s' into an index-sized integer"
                                % type(times).__name__)
        if times == 1 or self._count == 0:
            return self  # unchanged (an empty self too: a subclass's empty instance)
        if times <= 0:
            return vector_empty(vector_result_type(self))
        if self._count * times > _MAXSIZE // 8:
            raise MemoryError
        return vector_wrap(vector_result_type(self), *rrb_from_array(self.tolist() * times))

    __rmul__ = __mul__

    def set(self, i, x):
        i = vector_as_index(i)
        n = self._count
        if i < 0:
            i += n
        if 0 <= i < n:
            return vector_wrap(vector_result_type(self),
                               *rrb_set(n, self._root, self._tail, i, x, None))
        if i == n:
            return self.append(x)
        raise IndexError("Index out of range: %s" % (i,))

    def mset(self, *args):
        if len(args) % 2:
            raise TypeError("mset expected an even number of arguments")
        e = vectorevolver_new(self, None)  # private: nothing else can edit it
        for k in range(0, len(args), 2):
            e._setitem(args[k], args[k + 1])
        return e._persistent()

    def delete(self, index, stop=None):
        k = vector_key_unpack(index if stop is None else slice(index, stop))
        if not isinstance(k, slice):
            i = k
            n = self._count
            if i < 0:
                i += n
            if not 0 <= i < n:
                raise IndexError("Index out of range: %s" % (index,))
            return vector_cut(self, i, i + 1)
        start, end, step = k.indices(self._count)
        if step == 1:
            return vector_cut(self, start, end)
        if not range(start, end, step):
            return self  # nothing to delete
        items = self.tolist()
        del items[k]
        return vector_wrap(vector_result_type(self), *rrb_from_array(items))

    def remove(self, value):
        i = 0
        for y in self:
            if y is value or y == value:
                return vector_cut(self, i, i + 1)
            i += 1
        raise ValueError("vector.remove(x): x not in vector")

    def transform(self, *transformations):
        from march._transform import transform
        return transform(self, transformations)

    def evolver(self):
        return vectorevolver_new(self, _RLock())

    mutate = evolver

    # -- RRB extras, O(log n) each

    def insert(self, i, x):
        i = vector_as_index(i)
        n = self._count
        if i < 0:
            i += n
        if not 0 <= i <= n:
            raise IndexError("Index out of range: %s" % (i,))
        return vector_wrap(vector_result_type(self), *rrb_insert(n, self._root, self._tail, i, x))

    def split(self, i):
        i = vector_as_index(i)
        k = slice(i, None).indices(self._count)[0]
        return vector_range(self, 0, k), vector_range(self, k, self._count)

    def pop(self, i=-1):
        i = vector_as_index(i)
        n = self._count
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("pop index out of range" if n else "pop from empty vector")
        x = rrb_get(n, self._root, self._tail, i)
        if i < n - 1:
            return vector_cut(self, i, i + 1), x
        return vector_wrap(vector_result_type(self), *rrb_pop(n, self._root, self._tail)), x

    def appendleft(self, x):
        return vector_wrap(vector_result_type(self),
                           *rrb_insert(self._count, self._root, self._tail, 0, x))

    def popleft(self):
        if self._count == 0:
            raise IndexError("popleft from empty vector")
        x = rrb_get(self._count, self._root, self._tail, 0)
        return vector_range(self, 1, self._count), x

    @classmethod
    def from_concat(cls, vectors):
        parts = []
        for p in vectors:
            if not isinstance(p, Vector):
                p = vector(p)
            if p._count:
                parts.append(p)
        if not parts:
            return vector_empty(cls)
        while len(parts) > 1:
            # both non-empty; the partial results are Vectors (the parts may
            # be subclass instances: the result is rewrapped as a cls)
            nxt = []
            for k in range(0, len(parts) - 1, 2):
                a, b = parts[k], parts[k + 1]
                nxt.append(vector_wrap(Vector, *rrb_concat(a._count, a._root, a._tail,
                                                           b._count, b._root, b._tail)))
            if len(parts) % 2:
                nxt.append(parts[-1])
            parts = nxt
        return vector_rewrap(cls, parts[0])

    # -- debugging

    def _check(self):
        """Raise AssertionError if an invariant does not hold."""
        rrb_check(self._count, self._root, self._tail)

    def _height(self):
        """Levels above the leaves (0 when everything is in the tail or one leaf)."""
        return rrb_height(self._count, self._root, self._tail)

    def _shape(self):
        """``(tree shape, tail length)``: nested lists of leaf lengths (as C)."""
        return rrb_shape(self._count, self._root, self._tail)

    def _stats(self):
        """Node counts (as C) and the twin's own bytes."""
        return rrb_stats(self._count, self._root, self._tail)


_Sequence.register(Vector)
_EMPTY = object.__new__(Vector)
_EMPTY._count = 0
_EMPTY._root = None
_EMPTY._tail = RRB_EMPTY_LEAF


def vector(iterable=()):
    # always a Vector (a subclass instance is rewrapped, O(1))
    return vector_from_iterable_as(Vector, iterable)


def v(*items):
    return vector(items)


# ---------------------------------------------------------------- evolver


def vectorevolver_new(vec, lock):
    """A new evolver over the Vector ``vec`` (C: ``vectorevolver_new``);
    ``lock``: a new RLock, or None for an evolver private to its caller
    (``Vector.mset``, ``Vector.extend``), which uses only the unlocked
    helpers."""
    e = object.__new__(VectorEvolver)
    e._busy = 0
    e._lock = lock
    e._reset(vec)
    return e


class VectorEvolver:
    # A mutable view of a Vector, edited in place through an owner token.
    #
    # VectorEvolver cannot be subclassed, pickled or copied (TypeError).  An
    # edit made while one of its operations is in progress (from a __del__ run
    # by the GC, or an element's __eq__) raises RuntimeError.
    #
    # The busy guard (C: ``busy``, ``march_transient_idle``): an edit works on
    # nodes it changes in place and on locals, and the GC may run a finalizer
    # at any allocation in the middle of it; a finalizer that edited the
    # evolver then would leave the outer edit working on stale state.  So each
    # edit (and ``remove``'s search, which calls ``__eq__``) counts itself in
    # ``_busy``, and an edit started while busy raises RuntimeError.  User
    # code that runs before the edit proper (a key's ``__index__``, iterating
    # the argument of ``extend``) runs outside busy and may edit the evolver;
    # the edit reads the length after it.  Elements an edit drops are released
    # after ``_busy`` is back, so that their ``__del__`` may edit the evolver
    # (as in C).
    #
    # Threads: ``_lock`` (an RLock; C: a critical section on the object)
    # guards every other field.  Each public method holds it throughout, so
    # that operations from several threads run one at a time: none sees a
    # tail or nodes another is editing in place, or a count, root and tail
    # that do not belong together.  It is reentrant, so a call back from code
    # run by an operation in the same thread (``__index__``, ``__eq__``, a
    # finalizer) still meets ``_busy`` and its RuntimeError rather than a
    # deadlock.  The helpers ``_setitem``, ``_push_items``, ``_replace``,
    # ``_persistent`` and ``_reset`` take no lock: their caller holds it, or
    # owns a private evolver (``Vector.mset``, ``Vector.extend``), which has
    # none.

    __slots__ = ("_count", "_root", "_tail", "_owner", "_orig", "_dirty",
                 "_busy", "_lock", "__weakref__")

    __hash__ = None     # mutable, as the C evolver

    def __new__(cls, vec):
        # C: vectorevolver_tp_new; no __init__, so that calling it again
        # cannot reset an evolver in use (C has none either)
        if not isinstance(vec, Vector):
            vec = vector(vec)
        return vectorevolver_new(vec, _RLock())

    def __init_subclass__(cls, **kwargs):
        # C: VectorEvolver_Type has no Py_TPFLAGS_BASETYPE
        raise TypeError("type '%s.VectorEvolver' is not an acceptable base type"
                        % __name__)

    def __reduce__(self):
        # C: vectorevolver_reduce; copy.copy and copy.deepcopy go through it too
        raise TypeError("cannot pickle '%s.VectorEvolver' object" % __name__)

    def _reset(self, vec):
        self._count = vec._count
        self._root = vec._root
        self._tail = vec._tail
        self._owner = rrb_new_owner()
        self._orig = vec
        self._dirty = False

    def __len__(self):
        self._lock.acquire()
        try:
            return self._count
        finally:
            self._lock.release()

    def __repr__(self):
        # C: vectorevolver_repr (busy: the list is made, then formatted)
        self._lock.acquire()
        try:
            self._busy += 1
            try:
                items = rrb_tolist(self._count, self._root, self._tail)
            finally:
                self._busy -= 1
        finally:
            self._lock.release()
        return "vector(%r).evolver()" % (items,)

    def __getitem__(self, index):
        self._lock.acquire()
        try:
            i = vector_as_index(index)
            n = self._count
            if i < 0:
                i += n
            if not 0 <= i < n:
                raise IndexError("Index out of range: %s" % (index,))
            tail = self._tail  # rrb_get, inline (speed)
            tc = n - tail.count
            if i >= tc:
                return tail.slots[i - tc]
            return rrb_node_get(self._root, i)
        finally:
            self._lock.release()

    def __setitem__(self, index, x):
        self._lock.acquire()
        try:
            self._setitem(index, x)
        finally:
            self._lock.release()

    def _setitem(self, index, x):
        """``self[index] = x`` (C: ``vectorevolver_setitem``)."""
        transient_idle(self._busy, "VectorEvolver")
        i = vector_as_index(index)  # may run __index__, which may edit self
        transient_idle(self._busy, "VectorEvolver")
        n = self._count
        if i < 0:
            i += n
        if i == n:
            self._push_items([x])   # append, without taking the lock
            return
        if not 0 <= i < n:
            raise IndexError("Index out of range: %s" % (index,))
        # rrb_set, inline (speed)
        tail = self._tail
        tc = n - tail.count
        old = tail.slots[i - tc] if i >= tc else rrb_node_get(self._root, i)
        self._busy += 1
        try:
            if i >= tc:
                tail = self._tail = rrb_node_editable(tail, self._owner)
                tail.slots[i - tc] = x
            else:
                self._root = rrb_node_assoc(self._root, i, x, self._owner)
            self._dirty = True
        finally:
            self._busy -= 1
        del old  # after the edit: its __del__ sees a whole tree

    def set(self, index, x):
        self[index] = x
        return self

    def append(self, x):
        self._lock.acquire()
        try:
            transient_idle(self._busy, "VectorEvolver")
            rrb_count_room(self._count, 1)
            self._busy += 1
            try:
                tail = self._tail
                if tail.count < RRB_M:
                    # rrb_push's first case, inline (speed): into the owned
                    # tail
                    tail = self._tail = rrb_node_editable(tail, self._owner)
                    tail.slots.append(x)
                    tail.count += 1
                    self._count += 1
                else:
                    # everything that allocates (and so may run a finalizer
                    # that reads the evolver) first, then the fields together
                    self._count, self._root, self._tail = rrb_push(
                        self._count, self._root, tail, x, self._owner)
                self._dirty = True
            finally:
                self._busy -= 1
            return self
        finally:
            self._lock.release()

    def _push_items(self, items):
        """Push the list ``items`` (private to the caller), a leaf at a time
        (C: ``vectorevolver_push_items``, an element at a time); busy."""
        rrb_count_room(self._count, len(items))
        self._busy += 1
        try:
            owner = self._owner
            pos, n = 0, len(items)
            while pos < n:
                tail = self._tail
                if tail.count == RRB_M:
                    # allocations first, then the fields together (as append)
                    chunk = items[pos:pos + RRB_M]
                    new = rrb_leaf_make(chunk, owner)
                    root = rrb_tree_push_tail(self._root, tail, owner)
                    self._root, self._tail, self._count = (
                        root, new, self._count + len(chunk))
                else:
                    chunk = items[pos:pos + RRB_M - tail.count]
                    tail = self._tail = rrb_node_editable(tail, owner)
                    tail.slots.extend(chunk)
                    tail.count += len(chunk)
                    self._count += len(chunk)
                pos += len(chunk)
                self._dirty = True
        finally:
            self._busy -= 1

    def extend(self, iterable):
        # Append every element of iterable, all or nothing (the iterable is
        # consumed first, outside busy; the C core also undoes a MemoryError
        # part-way).
        self._lock.acquire()
        try:
            transient_idle(self._busy, "VectorEvolver")
            items = list(iterable)
            transient_idle(self._busy, "VectorEvolver")
            self._push_items(items)
            return self
        finally:
            self._lock.release()

    def _replace(self, vec):
        """Install the value of ``vec`` (busy: nothing may edit self while the
        fields change) and return the old ``(root, tail)``: the caller
        releases it after busy, so that the ``__del__`` of the elements it
        held see the new value, whole, and may edit (C: vectorevolver_replace)."""
        old_root, old_tail = self._root, self._tail
        self._count = vec._count
        self._root = vec._root
        self._tail = vec._tail
        self._dirty = True
        return old_root, old_tail

    def __delitem__(self, key):
        self._lock.acquire()
        try:
            transient_idle(self._busy, "VectorEvolver")
            # every __index__ first (it may edit self), then the length
            k = vector_key_unpack(key)
            transient_idle(self._busy, "VectorEvolver")
            self._busy += 1
            try:
                cur = vector_wrap(Vector, self._count, self._root, self._tail)
                if isinstance(k, slice):
                    new = cur.delete(k)
                else:
                    i = k + self._count if k < 0 else k
                    if not 0 <= i < self._count:
                        raise IndexError("Index out of range: %s" % (key,))
                    new = vector_cut(cur, i, i + 1)
                old = self._replace(new)
            finally:
                self._busy -= 1
            del old
        finally:
            self._lock.release()

    def delete(self, index, stop=None):
        if stop is None:
            del self[index]
        else:
            del self[slice(index, stop)]
        return self

    def remove(self, value):
        self._lock.acquire()
        try:
            transient_idle(self._busy, "VectorEvolver")
            # busy while the elements' __eq__ run
            self._busy += 1
            try:
                cur = vector_wrap(Vector, self._count, self._root, self._tail)
                old = self._replace(cur.remove(value))
            finally:
                self._busy -= 1
            del old
            return self
        finally:
            self._lock.release()

    def is_dirty(self):
        self._lock.acquire()
        try:
            return self._dirty
        finally:
            self._lock.release()

    def persistent(self):
        self._lock.acquire()
        try:
            return self._persistent()
        finally:
            self._lock.release()

    def _persistent(self):
        """``persistent()`` (C: ``vectorevolver_persistent``)."""
        transient_idle(self._busy, "VectorEvolver")
        if not self._dirty:
            return self._orig
        old = self._orig
        self._busy += 1
        try:
            # the type of the vector the evolver was made from
            result = vector_wrap(vector_result_type(self._orig), self._count, self._root,
                                 self._tail)
            self._reset(result)  # new token: the nodes now shared are frozen
        finally:
            self._busy -= 1
        del old
        return result

    finish = persistent

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.persistent()  # finishes it, as MapMutation's does
        return False

    def _check(self):
        self._lock.acquire()
        try:
            rrb_check(self._count, self._root, self._tail)
        finally:
            self._lock.release()

    def _height(self):
        self._lock.acquire()
        try:
            return rrb_height(self._count, self._root, self._tail)
        finally:
            self._lock.release()


_document(Vector, "Vector")
_document(VectorEvolver, "VectorEvolver")
_document(vector, "vector")
_document(v, "v")
