"""The docstrings of march's public API, written once for both implementations.

``DOCS`` maps a public name to its docstring: ``"Map"`` (the class),
``"Map.set"`` (a method, classmethod or property), ``"vector"`` (a
module-level function).  Each text has a one-line summary, a paragraph on
behaviour where needed, a ``Complexity:`` line and an example that runs as a
doctest with the globals ``Map``, ``MapMutation``, ``Set``, ``SetEvolver``,
``Vector``, ``VectorEvolver``, ``vector``, ``v`` and ``s`` bound to one
implementation; the output is the same in C and in the twin
(tests/test_docstrings.py runs every example against each implementation).

``SIGNATURES`` holds, for the C core, the ``__text_signature__`` of an entry
(``"($self, key, value, /)"``), written the way the C function parses its
arguments; an entry without one (``MapMutation.pop``, whose default is
optional and has no value) gets no signature.

Consumers:

* the C core includes ``src/march/_core/docstrings.h``, generated from this
  module by ``python tools/gen_docstrings.py`` (one ``MARCH_DOC_<Type>_<name>``
  string macro per entry, signature first);
* the pure-Python twin calls ``document(cls, "Map")`` (and
  ``document(function, "vector")``) once, at the end of the module that
  defines the class or function.

Keep the texts ASCII (they become C string literals).
"""

__all__ = ["DOCS", "SIGNATURES", "document"]

# n is the number of entries (elements); "log32" is the base-32 logarithm of
# the HAMT's depth (at most 13 levels); "log n" for the RRB tree is base 32 in
# march._rrb and base 4 in the test build march._rrb4.

_DOCS = {
    # ------------------------------------------------------------------
    # Map
    "Map": """\
A persistent hash map (HAMT), a drop-in for ``immutables.Map``.

``Map()``, ``Map(mapping)``, ``Map(iterable_of_pairs)``, with optional
keyword arguments, like ``dict``.  An operation that changes the map
returns a new one and leaves the original as it was (``set`` of the same
value object or ``discard`` of an absent key returns the map itself).
Map may be subclassed: every map derived from a subclass instance (its
methods, ``|`` with it on the left, its mutation's ``finish()``) is an
instance of that subclass, and ``Sub(m)`` of any Map shares its trie.
Maps are hashable when their values are.

Complexity: lookup, set and delete O(log32 n) expected; ``len`` O(1);
building from k pairs O(k log32 k).

>>> m = Map({1: 'a'}, two=2)
>>> m[1], m['two'], len(m)
('a', 2, 2)
>>> m.set(1, 'b')[1], m[1]
('b', 'a')""",

    "Map.get": """\
Return the value of key, or default (None) when key is absent.

As ``dict.get``; key must be hashable (TypeError otherwise).

Complexity: O(log32 n) expected.

>>> m = Map({1: 'a'})
>>> m.get(1), m.get(2), m.get(2, 'none')
('a', None, 'none')""",

    "Map.set": """\
Return a new Map with key bound to value.

The map itself is unchanged; when key is already bound to this very
value object the result is the map itself.  As ``immutables.Map.set``.

Complexity: O(log32 n) expected: one path of the trie is copied.

>>> m = Map({1: 'a'})
>>> m.set(2, 'b')
march.Map({1: 'a', 2: 'b'})
>>> m
march.Map({1: 'a'})""",

    "Map.delete": """\
Return a new Map without key; KeyError when key is absent.

As ``immutables.Map.delete``; ``discard`` is the lenient variant.

Complexity: O(log32 n) expected.

>>> Map({1: 'a', 2: 'b'}).delete(1)
march.Map({2: 'b'})
>>> Map().delete(1)
Traceback (most recent call last):
  ...
KeyError: 1""",

    "Map.discard": """\
Return a new Map without key; the map itself when key is absent.

Complexity: O(log32 n) expected.

>>> m = Map({1: 'a', 2: 'b'})
>>> m.discard(1)
march.Map({2: 'b'})
>>> m.discard(3) is m
True""",

    "Map.update": """\
Return a new Map with the entries of col (a mapping or pairs) and kw added.

Later entries win, as ``dict.update``.  With another Map (and no keywords)
it is ``union``: the two tries are merged node against node.  With nothing
to add, the result is the map itself.  As ``immutables.Map.update``.

Complexity: O(k log32 n) expected for k new entries; with a Map, O(size
of the part where the two tries differ).

>>> m = Map({1: 'a'}).update({2: 'b'}, three=3)
>>> m == Map({1: 'a', 2: 'b', 'three': 3})
True
>>> Map({1: 'a'}).update([(1, 'z')])
march.Map({1: 'z'})""",

    "Map.keys": """\
Return a view of the keys: sized, re-iterable, with ``in``.

The views (``keys``, ``values``, ``items``) are Collections, not
KeysView/ItemsView: they have no set operators.  As immutables.

Complexity: O(1) to make; iterating O(n); ``in`` O(log32 n) expected.

>>> ks = Map({1: 'a', 2: 'b'}).keys()
>>> ks, len(ks), 2 in ks
(MapKeys([1, 2]), 2, True)""",

    "Map.values": """\
Return a view of the values: sized, re-iterable, with ``in``.

Complexity: O(1) to make; iterating and ``in`` O(n).

>>> vs = Map({1: 'a', 2: 'b'}).values()
>>> vs, list(vs), 'b' in vs
(MapValues(['a', 'b']), ['a', 'b'], True)""",

    "Map.items": """\
Return a view of the (key, value) pairs: sized, re-iterable, with ``in``.

Complexity: O(1) to make; iterating O(n); ``in`` O(log32 n) expected.

>>> its = Map({1: 'a', 2: 'b'}).items()
>>> its, (2, 'b') in its
(MapItems([(1, 'a'), (2, 'b')]), True)""",

    "Map.mutate": """\
Return a MapMutation: a transient draft of this map.

``mutate()`` and ``evolver()`` are the same method.  The draft edits in
place the nodes it has copied; ``finish()`` freezes it into a Map.  The
map itself never changes.  As ``immutables.Map.mutate``.

Complexity: O(1); each edit of the draft O(log32 n) expected.

>>> m = Map({1: 'a'})
>>> with m.mutate() as mm:
...     mm[2] = 'b'
>>> mm.finish(), m
(march.Map({1: 'a', 2: 'b'}), march.Map({1: 'a'}))
>>> m.evolver().finish() == m
True""",

    "Map.union": """\
Return a new Map with the keys of both; other's value wins for a shared key.

other is a Map (merged node against node: subtrees the two maps share are
reused as they are) or any mapping.  With ``combine``, a key bound in
both to two different objects gets ``combine(key, self_value,
other_value)``.  ``m | other`` and ``m.update(other)`` give the same map.

Complexity: O(d log32 n) expected with a Map, d the entries where the
two tries differ; O(k log32 n) with a k-entry mapping.

>>> m = Map({1: 'a', 2: 'b'})
>>> m.union({2: 'x', 3: 'c'})
march.Map({1: 'a', 2: 'x', 3: 'c'})
>>> m.union({2: 'x'}, combine=lambda k, mine, theirs: mine + theirs)
march.Map({1: 'a', 2: 'bx'})""",

    "Map.intersection": """\
Return a new Map of the entries whose key is also in other.

other is a Map or a Set (walked node against node), a mapping or an
iterable of keys.  The values are self's, or ``combine(key, self_value,
other_value)`` when given and the two values are different objects
(other_value is None for a Set or an iterable of keys).

Complexity: O(d log32 n) expected with a Map or Set (d: the part where
the tries differ); O(k log32 n) with k other keys.

>>> m = Map({1: 'a', 2: 'b'})
>>> m.intersection([2, 3])
march.Map({2: 'b'})
>>> m.intersection({2: 'x'}, combine=lambda k, mine, theirs: mine + theirs)
march.Map({2: 'bx'})""",

    "Map.difference": """\
Return a new Map of the entries whose key is not in other.

other is a Map or a Set (walked node against node), a mapping or an
iterable of keys.

Complexity: O(d log32 n) expected with a Map or Set (d: the part where
the tries differ); O(k log32 n) with k other keys.

>>> Map({1: 'a', 2: 'b'}).difference([2, 3])
march.Map({1: 'a'})""",

    "Map.symmetric_difference": """\
Return a new Map of the entries whose key is in exactly one of self and other.

other is a Map (walked node against node) or a mapping; each entry keeps
its own value.

Complexity: O(d log32 n) expected with a Map (d: the part where the
tries differ); O(k log32 n) with a k-entry mapping.

>>> Map({1: 'a', 2: 'b'}).symmetric_difference({2: 'x', 3: 'c'})
march.Map({1: 'a', 3: 'c'})""",

    "Map.diff": """\
Return an iterator of (key, self_value, other_value) where the maps differ.

A key only in self gives ``(key, value, ABSENT)``, a key only in other
``(key, ABSENT, value)``, a key whose values are not equal (``==``)
``(key, self_value, other_value)``.  other must be a Map.  Subtrees the two
maps share are skipped without a look.  ``ABSENT`` is ``march.ABSENT``.

Complexity: O(d log32 n) expected for d differing entries.

>>> old = Map({1: 'a', 2: 'b'})
>>> list(old.diff(old.set(1, 'z').delete(2).set(3, 'c')))
[(1, 'a', 'z'), (2, 'b', march.ABSENT), (3, march.ABSENT, 'c')]""",

    "Map.from_keys": """\
Classmethod: return a Map binding each key of iterable to value (None).

Called on a subclass, it makes an instance of that subclass.  As
``dict.fromkeys``.

Complexity: O(k log32 k) expected for k keys.

>>> Map.from_keys([1, 2])
march.Map({1: None, 2: None})
>>> Map.from_keys(range(3), 0)
march.Map({0: 0, 1: 0, 2: 0})""",

    "Map.filter": """\
Return a new Map of the entries for which ``pred(key, value)`` is true.

When pred keeps every entry, the result is the map itself.

Complexity: O(n) calls of pred, plus O(log32 n) expected per entry
dropped (edited in place on a private copy).

>>> m = Map({1: 'a', 2: 'b', 3: 'c'})
>>> m.filter(lambda k, v: k != 2)
march.Map({1: 'a', 3: 'c'})
>>> m.filter(lambda k, v: True) is m
True""",

    "Map.map_values": """\
Return a new Map with each value v replaced by ``fn(v)``; the keys stay.

Complexity: O(n) calls of fn, plus O(log32 n) expected per entry
(edited in place on a private copy).

>>> Map({1: 'a', 2: 'b'}).map_values(str.upper)
march.Map({1: 'A', 2: 'B'})""",

    # ------------------------------------------------------------------
    # MapMutation
    "MapMutation": """\
A transient draft of a Map (``Map.mutate()``); ``finish()`` freezes it.

It edits in place the nodes it has copied, so a batch of changes costs
less than as many persistent operations; the map it came from is never
affected.  ``mm[k] = v``, ``del mm[k]``, ``mm[k]``, ``in`` and ``len`` work
as on a dict.  As a context manager it is finished on exit.  A change made
while one of its operations walks the trie (from a key's ``__eq__``)
raises RuntimeError; any change after ``finish()`` raises ValueError.  It
cannot be subclassed, pickled or copied.  As ``immutables.MapMutation``.

Complexity: each edit O(log32 n) expected; ``finish()`` O(1).

>>> mm = Map({1: 'a'}).mutate()
>>> mm[2] = 'b'
>>> del mm[1]
>>> mm.finish()
march.Map({2: 'b'})""",

    "MapMutation.get": """\
Return the value of key in the draft, or default (None) when absent.

Complexity: O(log32 n) expected.

>>> mm = Map({1: 'a'}).mutate()
>>> mm.get(1), mm.get(2), mm.get(2, 'none')
('a', None, 'none')""",

    "MapMutation.set": """\
Bind key to value in the draft, in place; return None.

The same as ``mm[key] = value``.

Complexity: O(log32 n) expected.

>>> mm = Map({1: 'a'}).mutate()
>>> mm.set(2, 'b')
>>> mm.finish()
march.Map({1: 'a', 2: 'b'})""",

    "MapMutation.delete": """\
Remove key from the draft, in place; KeyError when key is absent.

The same as ``del mm[key]``.

Complexity: O(log32 n) expected.

>>> mm = Map({1: 'a', 2: 'b'}).mutate()
>>> mm.delete(1)
>>> mm.finish()
march.Map({2: 'b'})""",

    "MapMutation.pop": """\
Remove key from the draft and return its value.

``pop(key)`` raises KeyError when key is absent; ``pop(key, default)``
returns default then.  As ``dict.pop``.

Complexity: O(log32 n) expected.

>>> mm = Map({1: 'a'}).mutate()
>>> mm.pop(1), mm.pop(1, 'gone')
('a', 'gone')
>>> len(mm)
0""",

    "MapMutation.update": """\
Add the entries of col (a mapping or pairs) and kw to the draft; return None.

Later entries win, as ``dict.update``.

Complexity: O(k log32 n) expected for k entries.

>>> mm = Map({1: 'a'}).mutate()
>>> mm.update({1: 'z', 2: 'b'})
>>> mm.finish()
march.Map({1: 'z', 2: 'b'})""",

    "MapMutation.finish": """\
Return the Map of the draft's entries; the draft can no longer change.

``finish()`` and ``persistent()`` are the same method.  Calling it again
returns an equal Map; any later change raises ValueError.  Leaving a
``with`` block finishes the draft.

Complexity: O(1).

>>> mm = Map({1: 'a'}).mutate()
>>> mm[2] = 'b'
>>> mm.finish()
march.Map({1: 'a', 2: 'b'})
>>> mm.persistent() == mm.finish()
True""",

    # ------------------------------------------------------------------
    # Set
    "Set": """\
A persistent hash set (HAMT), a drop-in for pyrsistent's ``PSet``.

``Set(iterable=())`` or ``s(*elements)``; the empty set is a singleton.
A ``collections.abc.Set``: the operators ``| & - ^`` (with a Set node
against node, reusing the subtrees two versions share; with another
iterable after making it a Set), the comparisons, ``hash(s) ==
hash(frozenset(s))``.  Adding a present element or discarding an absent
one returns the set itself.  Set may be subclassed: every set derived
from a subclass instance (its methods, operators with it on the left,
its evolver's ``persistent()``) is an instance of that subclass, and
``Sub(s)`` of any Set shares its trie.

Complexity: ``in``, add and remove O(log32 n) expected; ``len`` O(1);
the algebra of two Sets O(size of the part where they differ).

>>> a = Set([1, 2, 3])
>>> b = a.add(4).discard(1)
>>> a & b, a | b, 4 in a
(march.Set({2, 3}), march.Set({1, 2, 3, 4}), False)""",

    "Set.add": """\
Return a new Set with element added; the set itself when already present.

Complexity: O(log32 n) expected.

>>> a = s(1, 2)
>>> a.add(3)
march.Set({1, 2, 3})
>>> a.add(1) is a
True""",

    "Set.discard": """\
Return a new Set without element; the set itself when element is absent.

Complexity: O(log32 n) expected.

>>> a = s(1, 2)
>>> a.discard(1)
march.Set({2})
>>> a.discard(3) is a
True""",

    "Set.remove": """\
Return a new Set without element; KeyError when element is absent.

Complexity: O(log32 n) expected.

>>> s(1, 2).remove(1)
march.Set({2})
>>> s(1, 2).remove(3)
Traceback (most recent call last):
  ...
KeyError: 3""",

    "Set.update": """\
Return a new Set with the elements of every iterable added.

The same as ``union``, as pyrsistent's ``PSet.update``.

Complexity: as ``union``.

>>> s(1).update([2], (3, 4))
march.Set({1, 2, 3, 4})""",

    "Set.union": """\
Return a new Set of the elements of self and of every iterable.

A Set argument is merged node against node (shared subtrees reused as
they are); another iterable is made a Set first.  ``a | b`` for one.

Complexity: O(d log32 n) expected per Set argument, d the part where
the tries differ; O(k log32 n) for an iterable of k elements.

>>> s(1, 2).union([3], s(4))
march.Set({1, 2, 3, 4})""",

    "Set.intersection": """\
Return a new Set of the elements of self that are in every other.

A Set argument is walked node against node; another iterable is made a
Set first.  ``a & b`` for one.

Complexity: O(d log32 n) expected per Set argument (d: the part where
the tries differ); O(k log32 n) for an iterable of k elements.

>>> s(1, 2, 3).intersection([2, 3, 4], s(3))
march.Set({3})""",

    "Set.difference": """\
Return a new Set of the elements of self that are in none of the others.

A Set argument is walked node against node; another iterable is made a
Set first.  ``a - b`` for one.

Complexity: O(d log32 n) expected per Set argument (d: the part where
the tries differ); O(k log32 n) for an iterable of k elements.

>>> s(1, 2, 3).difference([1], s(2))
march.Set({3})""",

    "Set.symmetric_difference": """\
Return a new Set of the elements in exactly one of self and other.

other is a Set (walked node against node) or an iterable, made a Set
first.  ``a ^ b``.

Complexity: O(d log32 n) expected with a Set (d: the part where the
tries differ); O(k log32 n) for an iterable of k elements.

>>> s(1, 2, 3).symmetric_difference([3, 4])
march.Set({1, 2, 4})""",

    "Set.issubset": """\
Return whether every element of self is in other (``<=``).

other is a Set (walked node against node) or an iterable.

Complexity: O(d) with a Set (d: the part where the tries differ); an
iterable of k elements is made a Set first, O(k log32 k) expected.

>>> s(1, 2).issubset([1, 2, 3]), s(1, 4).issubset(s(1, 2))
(True, False)""",

    "Set.issuperset": """\
Return whether every element of other is in self (``>=``).

other is a Set (walked node against node) or an iterable.

Complexity: O(d) with a Set (d: the part where the tries differ); an
iterable of k elements is made a Set first, O(k log32 k) expected.

>>> s(1, 2, 3).issuperset([1, 3]), s(1).issuperset(s(1, 2))
(True, False)""",

    "Set.isdisjoint": """\
Return whether self and other have no element in common.

other is a Set (walked node against node) or an iterable.

Complexity: O(d) with a Set (d: the part where the tries differ); an
iterable of k elements is made a Set first, O(k log32 k) expected.

>>> s(1, 2).isdisjoint(s(3)), s(1, 2).isdisjoint([2])
(True, False)""",

    "Set.diff": """\
Return an iterator of the elements in exactly one of self and other.

An element only in self gives ``(element, element, ABSENT)``, one only in
other ``(element, ABSENT, element)``, in the shape of ``Map.diff``.  other
must be a Set.  Subtrees the two share are skipped without a look.

Complexity: O(d log32 n) expected for d differing elements.

>>> list(s(1, 2, 3).diff(s(2, 3, 4)))
[(1, 1, march.ABSENT), (4, march.ABSENT, 4)]""",

    "Set.copy": """\
Return the set itself (a Set never changes).

Complexity: O(1).

>>> a = s(1, 2)
>>> a.copy() is a
True""",

    "Set.evolver": """\
Return a SetEvolver: a transient draft of this set.

``evolver()`` and ``mutate()`` are the same method.  The draft edits in
place the nodes it has copied; ``persistent()`` returns a Set of its
elements.  The set itself never changes.  As pyrsistent's
``PSet.evolver``.

Complexity: O(1); each edit of the draft O(log32 n) expected.

>>> a = s(1, 2)
>>> e = a.evolver()
>>> e.add(3).discard(1).persistent(), a
(march.Set({2, 3}), march.Set({1, 2}))
>>> a.mutate().persistent() is a
True""",

    # ------------------------------------------------------------------
    # SetEvolver
    "SetEvolver": """\
A transient draft of a Set (``Set.evolver()``).

``add``, ``discard`` and ``remove`` edit it in place and return it;
``persistent()`` returns a Set of its elements and may be called again
after more edits (the Sets it returned never change).  ``in`` and
``len`` work.  A change made while one of its operations walks the trie
(from an element's ``__eq__``) raises RuntimeError.  It cannot be
subclassed, pickled or copied.  As pyrsistent's ``PSet`` evolver.

Complexity: each edit O(log32 n) expected; ``persistent()`` O(1).

>>> e = s(1, 2).evolver()
>>> _ = e.add(3).remove(1)
>>> 3 in e, len(e)
(True, 2)
>>> e.persistent()
march.Set({2, 3})""",

    "SetEvolver.add": """\
Add element to the draft, in place; return the evolver.

Complexity: O(log32 n) expected.

>>> e = s(1).evolver()
>>> e.add(2) is e
True
>>> e.persistent()
march.Set({1, 2})""",

    "SetEvolver.discard": """\
Remove element from the draft if present, in place; return the evolver.

Complexity: O(log32 n) expected.

>>> e = s(1, 2).evolver()
>>> e.discard(1).discard(3) is e
True
>>> e.persistent()
march.Set({2})""",

    "SetEvolver.remove": """\
Remove element from the draft, in place; return the evolver.

KeyError when element is absent.

Complexity: O(log32 n) expected.

>>> e = s(1, 2).evolver()
>>> e.remove(1).persistent()
march.Set({2})
>>> e.remove(3)
Traceback (most recent call last):
  ...
KeyError: 3""",

    "SetEvolver.is_dirty": """\
Return whether the draft changed since it was made or last made persistent.

Complexity: O(1).

>>> e = s(1).evolver()
>>> e.is_dirty(), e.add(2).is_dirty()
(False, True)
>>> _ = e.persistent()
>>> e.is_dirty()
False""",

    "SetEvolver.persistent": """\
Return a Set of the draft's elements; the draft stays editable.

``persistent()`` and ``finish()`` are the same method.  The returned Set
never changes: later edits copy the nodes it shares.  Without edits
since, the result is the last Set returned (or the original set).

Complexity: O(1).

>>> a = s(1)
>>> e = a.evolver()
>>> e.persistent() is a
True
>>> e.add(2).persistent(), e.add(3).finish()
(march.Set({1, 2}), march.Set({1, 2, 3}))""",

    # ------------------------------------------------------------------
    # Vector
    "Vector": """\
A persistent vector (RRB tree), a drop-in for pyrsistent's ``PVector``.

``Vector(iterable=())``, ``vector(iterable)`` or ``v(*items)``.  A
``collections.abc.Sequence`` (indexing, slicing, ``in``, ``reversed``),
compared with Vectors and lists as PVector, hashable when its elements
are.  Beyond PVector: O(log n) ``+``, slicing, ``insert``, ``delete``,
``split``, ``appendleft``, ``popleft``.  ``v * n`` repeats as list does.
Vector may be subclassed: the operations on a subclass instance return
instances of its type, ``Sub(iterable)`` makes one (O(1) from a Vector).

Complexity: index O(log32 n); append amortised O(1); concatenation,
slice, insert and delete O(log n); iteration O(n).

>>> a = v(1, 2, 3)
>>> a[0], a[-1], a[1:], len(a)
(1, 3, vector([2, 3]), 3)
>>> a + a[:1], a == [1, 2, 3]
(vector([1, 2, 3, 1]), True)""",

    "Vector.append": """\
Return a new vector with x at the end.

Complexity: amortised O(1) (a full tail of 32 goes into the tree,
O(log32 n), once every 32 appends).

>>> a = v(1, 2)
>>> a.append(3), a
(vector([1, 2, 3]), vector([1, 2]))""",

    "Vector.appendleft": """\
Return a new vector with x in front.

Complexity: O(log n).

>>> v(1, 2).appendleft(0)
vector([0, 1, 2])""",

    "Vector.extend": """\
Return a new vector with the elements of iterable appended.

A Vector argument is concatenated (the same as ``+``); another iterable
is consumed first, then appended.

Complexity: O(log n) for a Vector; O(k) for an iterable of k elements.

>>> v(1).extend([2, 3])
vector([1, 2, 3])
>>> v(1).extend(v(2))
vector([1, 2])""",

    "Vector.set": """\
Return a new vector with x at index i; ``i == len`` appends.

Negative indexes count from the end; IndexError out of range.

Complexity: O(log32 n) (one path copied).

>>> a = v(1, 2, 3)
>>> a.set(0, 'a'), a.set(-1, 'z'), a.set(3, 4)
(vector(['a', 2, 3]), vector([1, 2, 'z']), vector([1, 2, 3, 4]))""",

    "Vector.mset": """\
Return a new vector with several elements set: ``mset(i1, x1, i2, x2, ...)``.

The same as chained ``set`` calls; an odd number of arguments raises
TypeError.  As pyrsistent's ``PVector.mset``.

Complexity: O(k log32 n) for k pairs.

>>> v(1, 2, 3).mset(0, 'a', 2, 'c')
vector(['a', 2, 'c'])""",

    "Vector.insert": """\
Return a new vector with x before index i (``-len <= i <= len``).

Negative indexes count from the end; IndexError out of range.

Complexity: O(log n).

>>> v(1, 2, 3).insert(1, 'x')
vector([1, 'x', 2, 3])
>>> v(1, 2, 3).insert(3, 'end')
vector([1, 2, 3, 'end'])""",

    "Vector.delete": """\
Return a new vector without element index, or without ``[index:stop]``.

``delete(i)`` raises IndexError out of range; ``delete(i, stop)`` and
``delete(a_slice)`` are clamped, as ``del l[i:j]``.  As pyrsistent's
``PVector.delete``.

Complexity: O(log n) (a slice with a step: O(n)).

>>> a = v(1, 2, 3, 4)
>>> a.delete(0), a.delete(1, 3), a.delete(slice(None, None, 2))
(vector([2, 3, 4]), vector([1, 4]), vector([2, 4]))""",

    "Vector.remove": """\
Return a new vector without the first element equal to value.

ValueError when no element is equal.

Complexity: O(n) for the search, then O(log n).

>>> v(1, 2, 1).remove(1)
vector([2, 1])""",

    "Vector.pop": """\
Return (the vector without element i, that element); i is -1 by default.

IndexError when the vector is empty or i is out of range.

Complexity: amortised O(1) for the last element; O(log n) otherwise.

>>> v(1, 2, 3).pop()
(vector([1, 2]), 3)
>>> v(1, 2, 3).pop(0)
(vector([2, 3]), 1)""",

    "Vector.popleft": """\
Return (the vector without its first element, that element).

IndexError when the vector is empty.

Complexity: O(log n).

>>> v(1, 2, 3).popleft()
(vector([2, 3]), 1)""",

    "Vector.split": """\
Return ``(self[:i], self[i:])``.

Negative i counts from the end; i is clamped to the vector.

Complexity: O(log n).

>>> v(1, 2, 3).split(1)
(vector([1]), vector([2, 3]))""",

    "Vector.from_concat": """\
Classmethod: return the concatenation of many vectors (or iterables).

Concatenates pairwise, as a balanced tree of ``+``.

Complexity: O(k log n) for k vectors.

>>> Vector.from_concat([v(1), v(2, 3), [4]])
vector([1, 2, 3, 4])""",

    "Vector.index": """\
Return the first index of value (searched in ``[start, stop)``).

ValueError when no element is equal.  As ``list.index``.

Complexity: O(n).

>>> v(1, 2, 1).index(1), v(1, 2, 1).index(1, 1)
(0, 2)""",

    "Vector.count": """\
Return the number of elements equal to value.

Complexity: O(n).

>>> v(1, 2, 1).count(1)
2""",

    "Vector.tolist": """\
Return the elements as a new list.

Complexity: O(n).

>>> v(1, 2, 3).tolist()
[1, 2, 3]""",

    "Vector.transform": """\
Return the vector transformed by (path, command) pairs, as pyrsistent's.

A path is a sequence of indexes (or keys, in nested Maps) and matchers
(callables taking the index); a command is a callable applied to the
value found, or a value that replaces it.  See ``march._transform``.

Complexity: O(log n) per element changed, plus the matchers' calls.

>>> v(v(1, 2), v(3)).transform([0, 1], 'x')
vector([vector([1, 'x']), vector([3])])
>>> v(1, 2, 3).transform([lambda i: i > 0], lambda x: x * 10)
vector([1, 20, 30])""",

    "Vector.evolver": """\
Return a VectorEvolver: a transient draft of this vector.

``evolver()`` and ``mutate()`` are the same method.  The draft edits in
place the nodes it has copied; ``persistent()`` returns a Vector of its
elements.  The vector itself never changes.  As pyrsistent's
``PVector.evolver``.

Complexity: O(1); each edit of the draft as the matching Vector
operation, but in place.

>>> a = v(1, 2)
>>> e = a.evolver()
>>> e[0] = 'x'
>>> e.append(3).persistent(), a
(vector(['x', 2, 3]), vector([1, 2]))
>>> a.mutate().persistent() is a
True""",

    # ------------------------------------------------------------------
    # VectorEvolver
    "VectorEvolver": """\
A transient draft of a Vector (``Vector.evolver()`` or ``VectorEvolver(v)``).

``e[i] = x``, ``del e[i]``, ``e[i]``, ``len`` and the editing methods
(which return the evolver) work in place; ``persistent()`` returns a
Vector and may be called again after more edits (the Vectors it returned
never change).  As a context manager it is made persistent on exit.  An
edit made while one of its operations is in progress (from a ``__del__``
or an element's ``__eq__``) raises RuntimeError.  It cannot be
subclassed, pickled or copied.  As pyrsistent's PVector evolver.

Complexity: as the matching Vector operations; ``persistent()`` O(1).

>>> e = v(1, 2, 3).evolver()
>>> e[0] = 'a'
>>> del e[1]
>>> e[1], len(e), e.persistent()
(3, 2, vector(['a', 3]))""",

    "VectorEvolver.set": """\
Set element index to x, in place; return the evolver.

The same as ``e[index] = x``; ``index == len`` appends; IndexError out
of range.

Complexity: O(log32 n).

>>> e = v(1, 2).evolver()
>>> e.set(0, 'a').set(2, 'c') is e
True
>>> e.persistent()
vector(['a', 2, 'c'])""",

    "VectorEvolver.append": """\
Append x, in place; return the evolver.

Complexity: amortised O(1).

>>> e = v(1).evolver()
>>> e.append(2).append(3).persistent()
vector([1, 2, 3])""",

    "VectorEvolver.extend": """\
Append every element of iterable, in place; return the evolver.

The iterable is consumed first: all of it is appended, or nothing.

Complexity: O(k) for k elements.

>>> e = v(1).evolver()
>>> e.extend([2, 3]).persistent()
vector([1, 2, 3])""",

    "VectorEvolver.delete": """\
Delete element index, or ``[index:stop]``, in place; return the evolver.

The same as ``del e[index]`` or ``del e[index:stop]``.

Complexity: O(log n).

>>> e = v(1, 2, 3, 4).evolver()
>>> e.delete(0).delete(1, 3).persistent()
vector([2])""",

    "VectorEvolver.remove": """\
Remove the first element equal to value, in place; return the evolver.

ValueError when no element is equal.

Complexity: O(n) for the search, then O(log n).

>>> e = v(1, 2, 1).evolver()
>>> e.remove(1).persistent()
vector([2, 1])""",

    "VectorEvolver.is_dirty": """\
Return whether the draft changed since it was made or last made persistent.

Complexity: O(1).

>>> e = v(1).evolver()
>>> e.is_dirty(), e.append(2).is_dirty()
(False, True)
>>> _ = e.persistent()
>>> e.is_dirty()
False""",

    "VectorEvolver.persistent": """\
Return a Vector of the draft's elements; the draft stays editable.

``persistent()`` and ``finish()`` are the same method.  The returned
Vector never changes: later edits copy the nodes it shares.  Without
edits since, the result is the last Vector returned (or the original).

Complexity: O(1).

>>> a = v(1)
>>> e = a.evolver()
>>> e.persistent() is a
True
>>> e.append(2).persistent(), e.append(3).finish()
(vector([1, 2]), vector([1, 2, 3]))""",

    # ------------------------------------------------------------------
    # module-level functions
    "vector": """\
Return a Vector of the elements of iterable (empty by default).

As pyrsistent's ``pvector``; the same as ``Vector(iterable)``.

Complexity: O(k) for k elements.

>>> vector(range(3)), vector()
(vector([0, 1, 2]), vector([]))""",

    "v": """\
Return a Vector of the arguments.

As pyrsistent's ``v``.

Complexity: O(k) for k arguments.

>>> v(1, 2, 3), v()
(vector([1, 2, 3]), vector([]))""",

    "s": """\
Return a Set of the arguments.

As pyrsistent's ``s``; ``s()`` is the empty set (a singleton).

Complexity: O(k log32 k) expected for k arguments.

>>> s(1, 2, 2), s() is Set()
(march.Set({1, 2}), True)""",
}

# The aliases the API has in every type (issue 16): the two names of one
# method share one text, so that a class may bind both names to one function.
_ALIASES = {
    "Map.evolver": "Map.mutate",
    "MapMutation.persistent": "MapMutation.finish",
    "Set.mutate": "Set.evolver",
    "SetEvolver.finish": "SetEvolver.persistent",
    "Vector.mutate": "Vector.evolver",
    "VectorEvolver.finish": "VectorEvolver.persistent",
}

DOCS = dict(_DOCS)
for _alias, _target in _ALIASES.items():
    DOCS[_alias] = _DOCS[_target]
DOCS = dict(sorted(DOCS.items(), key=lambda kv: (kv[0].split(".")[0], "." in kv[0], kv[0])))
del _alias, _target

# __text_signature__ of the C core, as the C functions parse their arguments
# ($self: a method; $type: a classmethod; $module: a module function; no
# prefix: a type's constructor).  An entry absent here gets no signature.
SIGNATURES = {
    "Map": "(col=None, /, **kw)",
    "Map.get": "($self, key, default=None, /)",
    "Map.set": "($self, key, value, /)",
    "Map.delete": "($self, key, /)",
    "Map.discard": "($self, key, /)",
    "Map.update": "($self, col=None, /, **kw)",
    "Map.keys": "($self, /)",
    "Map.values": "($self, /)",
    "Map.items": "($self, /)",
    "Map.mutate": "($self, /)",
    "Map.evolver": "($self, /)",
    "Map.union": "($self, other, /, combine=None)",
    "Map.intersection": "($self, other, /, combine=None)",
    "Map.difference": "($self, other, /)",
    "Map.symmetric_difference": "($self, other, /)",
    "Map.diff": "($self, other, /)",
    "Map.from_keys": "($type, iterable, /, value=None)",
    "Map.filter": "($self, pred, /)",
    "Map.map_values": "($self, fn, /)",
    # MapMutation has no constructor; pop(key[, default]) has no signature
    "MapMutation.get": "($self, key, default=None, /)",
    "MapMutation.set": "($self, key, value, /)",
    "MapMutation.delete": "($self, key, /)",
    "MapMutation.update": "($self, col=None, /, **kw)",
    "MapMutation.finish": "($self, /)",
    "MapMutation.persistent": "($self, /)",
    "Set": "(iterable=(), /)",
    "Set.add": "($self, element, /)",
    "Set.discard": "($self, element, /)",
    "Set.remove": "($self, element, /)",
    "Set.update": "($self, *iterables)",
    "Set.union": "($self, *iterables)",
    "Set.intersection": "($self, *others)",
    "Set.difference": "($self, *others)",
    "Set.symmetric_difference": "($self, other, /)",
    "Set.issubset": "($self, other, /)",
    "Set.issuperset": "($self, other, /)",
    "Set.isdisjoint": "($self, other, /)",
    "Set.diff": "($self, other, /)",
    "Set.copy": "($self, /)",
    "Set.evolver": "($self, /)",
    "Set.mutate": "($self, /)",
    # SetEvolver has no constructor
    "SetEvolver.add": "($self, element, /)",
    "SetEvolver.discard": "($self, element, /)",
    "SetEvolver.remove": "($self, element, /)",
    "SetEvolver.is_dirty": "($self, /)",
    "SetEvolver.persistent": "($self, /)",
    "SetEvolver.finish": "($self, /)",
    "Vector": "(iterable=())",
    "Vector.append": "($self, x, /)",
    "Vector.appendleft": "($self, x, /)",
    "Vector.extend": "($self, iterable, /)",
    "Vector.set": "($self, i, x, /)",
    "Vector.mset": "($self, *args)",
    "Vector.insert": "($self, i, x, /)",
    "Vector.delete": "($self, index, stop=None, /)",
    "Vector.remove": "($self, value, /)",
    "Vector.pop": "($self, i=-1, /)",
    "Vector.popleft": "($self, /)",
    "Vector.split": "($self, i, /)",
    "Vector.from_concat": "($type, vectors, /)",
    "Vector.index": "($self, value, start=0, stop=sys.maxsize, /)",
    "Vector.count": "($self, value, /)",
    "Vector.tolist": "($self, /)",
    "Vector.transform": "($self, *transformations)",
    "Vector.evolver": "($self, /)",
    "Vector.mutate": "($self, /)",
    "VectorEvolver": "(vector=())",
    "VectorEvolver.set": "($self, index, x, /)",
    "VectorEvolver.append": "($self, x, /)",
    "VectorEvolver.extend": "($self, iterable, /)",
    "VectorEvolver.delete": "($self, index, stop=None, /)",
    "VectorEvolver.remove": "($self, value, /)",
    "VectorEvolver.is_dirty": "($self, /)",
    "VectorEvolver.persistent": "($self, /)",
    "VectorEvolver.finish": "($self, /)",
    "vector": "($module, iterable=())",
    "v": "($module, *items)",
    "s": "($module, *elements)",
}


# ---------------------------------------------------------------------------
# The twin's side: give a class (and its members) or a function its DOCS text.

_claimed = {}   # id(function) -> (the function, the text it carries)


def _own_function(cls, name, func, text):
    """The function to carry ``text``: func itself, unless func already
    carries another text (it is inherited by another documented class, or
    bound to two names of different texts); then a copy of func (the same
    code object, so the same behaviour and speed) named for cls."""
    seen = _claimed.get(id(func))
    if seen is None:
        _claimed[id(func)] = (func, text)
        return func
    if seen[1] == text:
        return func
    import types
    copy = types.FunctionType(func.__code__, func.__globals__, name,
                              func.__defaults__, func.__closure__)
    copy.__kwdefaults__ = func.__kwdefaults__
    copy.__annotations__ = func.__annotations__
    if hasattr(func, "__type_params__"):
        copy.__type_params__ = func.__type_params__
    copy.__qualname__ = "%s.%s" % (cls.__qualname__, name)
    copy.__module__ = func.__module__
    copy.__dict__.update(func.__dict__)
    _claimed[id(copy)] = (copy, text)
    return copy


def document(obj, name, docs=None):
    """Give obj the docstring ``docs[name]`` (docs: ``DOCS``); return obj.

    For a class, also each member ``docs["<name>.<member>"]``: a function,
    classmethod, staticmethod or property found on the class (its own or
    inherited).  A member that does not exist is skipped (tests/
    test_docstrings.py reports it).  A function that already carries another
    text (inherited from a base shared with another documented class, or an
    alias ``persistent = finish`` of a different text) is replaced in this
    class by a copy of itself with the same code, so that each name has its
    own text; an inherited property is re-bound in this class likewise.
    Works with ``__slots__`` and with final classes (it sets class
    attributes only).  Call it once, at the end of the module that defines
    obj: ``document(Map, "Map")``, ``document(vector, "vector")``."""
    if docs is None:
        docs = DOCS
    text = docs[name]
    if not isinstance(obj, type):
        func = getattr(obj, "__func__", obj)
        _claimed[id(func)] = (func, text)
        func.__doc__ = text
        return obj
    cls = obj
    cls.__doc__ = text
    prefix = name + "."
    for key, text in docs.items():
        if not key.startswith(prefix):
            continue
        member = key[len(prefix):]
        for klass in cls.__mro__:
            if member in vars(klass):
                attr = vars(klass)[member]
                break
        else:
            continue
        if isinstance(attr, (classmethod, staticmethod)):
            func = _own_function(cls, member, attr.__func__, text)
            if func is not attr.__func__:
                setattr(cls, member, type(attr)(func))
            func.__doc__ = text
        elif isinstance(attr, property):
            seen = _claimed.get(id(attr))
            if klass is not cls or (seen is not None and seen[1] != text):
                attr = property(attr.fget, attr.fset, attr.fdel)
                setattr(cls, member, attr)
            _claimed[id(attr)] = (attr, text)
            attr.__doc__ = text
        elif hasattr(attr, "__code__"):
            func = _own_function(cls, member, attr, text)
            if func is not attr:
                setattr(cls, member, func)
            func.__doc__ = text
        else:
            raise TypeError("cannot document %s: a %s"
                            % (key, type(attr).__name__))
    return cls
