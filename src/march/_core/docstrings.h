/* docstrings.h -- GENERATED from src/march/_docstrings.py by
 * tools/gen_docstrings.py: do not edit.  Regenerate with
 *
 *     python tools/gen_docstrings.py
 *
 * (tests/test_docstrings.py fails when this file is out of date).
 *
 * One string literal per public name of the C core: MARCH_DOC_<Type> is
 * the type's tp_doc, MARCH_DOC_<Type>_<name> a method's doc (PyMethodDef
 * ml_doc), MARCH_DOC_<function> a module function's doc.  A string may
 * start with CPython's text-signature block "name(sig)\n--\n\n"
 * (__text_signature__; __doc__ is the rest).  Usable as is, through
 * PyDoc_STR() or in PyDoc_STRVAR(). */
#ifndef MARCH_DOCSTRINGS_H
#define MARCH_DOCSTRINGS_H

#define MARCH_DOC_Map \
    "Map(col=None, /, **kw)\n--\n\n" \
    "A persistent hash map (HAMT), a drop-in for ``immutables.Map``.\n" \
    "\n" \
    "``Map()``, ``Map(mapping)``, ``Map(iterable_of_pairs)``, with optional\n" \
    "keyword arguments, like ``dict``.  An operation that changes the map\n" \
    "returns a new one and leaves the original as it was (``set`` of the same\n" \
    "value object or ``discard`` of an absent key returns the map itself).\n" \
    "Map may be subclassed: every map derived from a subclass instance (its\n" \
    "methods, ``|`` with it on the left, its mutation's ``finish()``) is an\n" \
    "instance of that subclass, and ``Sub(m)`` of any Map shares its trie.\n" \
    "Maps are hashable when their values are.\n" \
    "\n" \
    "Complexity: lookup, set and delete O(log32 n) expected; ``len`` O(1);\n" \
    "building from k pairs O(k log32 k).\n" \
    "\n" \
    ">>> m = Map({1: 'a'}, two=2)\n" \
    ">>> m[1], m['two'], len(m)\n" \
    "('a', 2, 2)\n" \
    ">>> m.set(1, 'b')[1], m[1]\n" \
    "('b', 'a')"

#define MARCH_DOC_Map_delete \
    "delete($self, key, /)\n--\n\n" \
    "Return a new Map without key; KeyError when key is absent.\n" \
    "\n" \
    "As ``immutables.Map.delete``; ``discard`` is the lenient variant.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> Map({1: 'a', 2: 'b'}).delete(1)\n" \
    "march.Map({2: 'b'})\n" \
    ">>> Map().delete(1)\n" \
    "Traceback (most recent call last):\n" \
    "  ...\n" \
    "KeyError: 1"

#define MARCH_DOC_Map_diff \
    "diff($self, other, /)\n--\n\n" \
    "Return an iterator of (key, self_value, other_value) where the maps differ.\n" \
    "\n" \
    "A key only in self gives ``(key, value, ABSENT)``, a key only in other\n" \
    "``(key, ABSENT, value)``, a key whose values are not equal (``==``)\n" \
    "``(key, self_value, other_value)``.  other must be a Map.  Subtrees the two\n" \
    "maps share are skipped without a look.  ``ABSENT`` is ``march.ABSENT``.\n" \
    "\n" \
    "Complexity: O(d log32 n) expected for d differing entries.\n" \
    "\n" \
    ">>> old = Map({1: 'a', 2: 'b'})\n" \
    ">>> list(old.diff(old.set(1, 'z').delete(2).set(3, 'c')))\n" \
    "[(1, 'a', 'z'), (2, 'b', march.ABSENT), (3, march.ABSENT, 'c')]"

#define MARCH_DOC_Map_difference \
    "difference($self, other, /)\n--\n\n" \
    "Return a new Map of the entries whose key is not in other.\n" \
    "\n" \
    "other is a Map or a Set (walked node against node), a mapping or an\n" \
    "iterable of keys.\n" \
    "\n" \
    "Complexity: O(d log32 n) expected with a Map or Set (d: the part where\n" \
    "the tries differ); O(k log32 n) with k other keys.\n" \
    "\n" \
    ">>> Map({1: 'a', 2: 'b'}).difference([2, 3])\n" \
    "march.Map({1: 'a'})"

#define MARCH_DOC_Map_discard \
    "discard($self, key, /)\n--\n\n" \
    "Return a new Map without key; the map itself when key is absent.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> m = Map({1: 'a', 2: 'b'})\n" \
    ">>> m.discard(1)\n" \
    "march.Map({2: 'b'})\n" \
    ">>> m.discard(3) is m\n" \
    "True"

#define MARCH_DOCTEXT_Map_evolver \
    "Return a MapMutation: a transient draft of this map.\n" \
    "\n" \
    "``mutate()`` and ``evolver()`` are the same method.  The draft edits in\n" \
    "place the nodes it has copied; ``finish()`` freezes it into a Map.  The\n" \
    "map itself never changes.  As ``immutables.Map.mutate``.\n" \
    "\n" \
    "Complexity: O(1); each edit of the draft O(log32 n) expected.\n" \
    "\n" \
    ">>> m = Map({1: 'a'})\n" \
    ">>> with m.mutate() as mm:\n" \
    "...     mm[2] = 'b'\n" \
    ">>> mm.finish(), m\n" \
    "(march.Map({1: 'a', 2: 'b'}), march.Map({1: 'a'}))\n" \
    ">>> m.evolver().finish() == m\n" \
    "True"

#define MARCH_DOC_Map_evolver "evolver($self, /)\n--\n\n" MARCH_DOCTEXT_Map_evolver

#define MARCH_DOC_Map_filter \
    "filter($self, pred, /)\n--\n\n" \
    "Return a new Map of the entries for which ``pred(key, value)`` is true.\n" \
    "\n" \
    "When pred keeps every entry, the result is the map itself.\n" \
    "\n" \
    "Complexity: O(n) calls of pred, plus O(log32 n) expected per entry\n" \
    "dropped (edited in place on a private copy).\n" \
    "\n" \
    ">>> m = Map({1: 'a', 2: 'b', 3: 'c'})\n" \
    ">>> m.filter(lambda k, v: k != 2)\n" \
    "march.Map({1: 'a', 3: 'c'})\n" \
    ">>> m.filter(lambda k, v: True) is m\n" \
    "True"

#define MARCH_DOC_Map_from_keys \
    "from_keys($type, iterable, /, value=None)\n--\n\n" \
    "Classmethod: return a Map binding each key of iterable to value (None).\n" \
    "\n" \
    "Called on a subclass, it makes an instance of that subclass.  As\n" \
    "``dict.fromkeys``.\n" \
    "\n" \
    "Complexity: O(k log32 k) expected for k keys.\n" \
    "\n" \
    ">>> Map.from_keys([1, 2])\n" \
    "march.Map({1: None, 2: None})\n" \
    ">>> Map.from_keys(range(3), 0)\n" \
    "march.Map({0: 0, 1: 0, 2: 0})"

#define MARCH_DOC_Map_get \
    "get($self, key, default=None, /)\n--\n\n" \
    "Return the value of key, or default (None) when key is absent.\n" \
    "\n" \
    "As ``dict.get``; key must be hashable (TypeError otherwise).\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> m = Map({1: 'a'})\n" \
    ">>> m.get(1), m.get(2), m.get(2, 'none')\n" \
    "('a', None, 'none')"

#define MARCH_DOC_Map_intersection \
    "intersection($self, other, /, combine=None)\n--\n\n" \
    "Return a new Map of the entries whose key is also in other.\n" \
    "\n" \
    "other is a Map or a Set (walked node against node), a mapping or an\n" \
    "iterable of keys.  The values are self's, or ``combine(key, self_value,\n" \
    "other_value)`` when given and the two values are different objects\n" \
    "(other_value is None for a Set or an iterable of keys).\n" \
    "\n" \
    "Complexity: O(d log32 n) expected with a Map or Set (d: the part where\n" \
    "the tries differ); O(k log32 n) with k other keys.\n" \
    "\n" \
    ">>> m = Map({1: 'a', 2: 'b'})\n" \
    ">>> m.intersection([2, 3])\n" \
    "march.Map({2: 'b'})\n" \
    ">>> m.intersection({2: 'x'}, combine=lambda k, mine, theirs: mine + theirs)\n" \
    "march.Map({2: 'bx'})"

#define MARCH_DOC_Map_items \
    "items($self, /)\n--\n\n" \
    "Return a view of the (key, value) pairs: sized, re-iterable, with ``in``.\n" \
    "\n" \
    "Complexity: O(1) to make; iterating O(n); ``in`` O(log32 n) expected.\n" \
    "\n" \
    ">>> its = Map({1: 'a', 2: 'b'}).items()\n" \
    ">>> its, (2, 'b') in its\n" \
    "(MapItems([(1, 'a'), (2, 'b')]), True)"

#define MARCH_DOC_Map_keys \
    "keys($self, /)\n--\n\n" \
    "Return a view of the keys: sized, re-iterable, with ``in``.\n" \
    "\n" \
    "The views (``keys``, ``values``, ``items``) are Collections, not\n" \
    "KeysView/ItemsView: they have no set operators.  As immutables.\n" \
    "\n" \
    "Complexity: O(1) to make; iterating O(n); ``in`` O(log32 n) expected.\n" \
    "\n" \
    ">>> ks = Map({1: 'a', 2: 'b'}).keys()\n" \
    ">>> ks, len(ks), 2 in ks\n" \
    "(MapKeys([1, 2]), 2, True)"

#define MARCH_DOC_Map_map_values \
    "map_values($self, fn, /)\n--\n\n" \
    "Return a new Map with each value v replaced by ``fn(v)``; the keys stay.\n" \
    "\n" \
    "Complexity: O(n) calls of fn, plus O(log32 n) expected per entry\n" \
    "(edited in place on a private copy).\n" \
    "\n" \
    ">>> Map({1: 'a', 2: 'b'}).map_values(str.upper)\n" \
    "march.Map({1: 'A', 2: 'B'})"

#define MARCH_DOC_Map_mutate "mutate($self, /)\n--\n\n" MARCH_DOCTEXT_Map_evolver

#define MARCH_DOC_Map_set \
    "set($self, key, value, /)\n--\n\n" \
    "Return a new Map with key bound to value.\n" \
    "\n" \
    "The map itself is unchanged; when key is already bound to this very\n" \
    "value object the result is the map itself.  As ``immutables.Map.set``.\n" \
    "\n" \
    "Complexity: O(log32 n) expected: one path of the trie is copied.\n" \
    "\n" \
    ">>> m = Map({1: 'a'})\n" \
    ">>> m.set(2, 'b')\n" \
    "march.Map({1: 'a', 2: 'b'})\n" \
    ">>> m\n" \
    "march.Map({1: 'a'})"

#define MARCH_DOC_Map_symmetric_difference \
    "symmetric_difference($self, other, /)\n--\n\n" \
    "Return a new Map of the entries whose key is in exactly one of self and other.\n" \
    "\n" \
    "other is a Map (walked node against node) or a mapping; each entry keeps\n" \
    "its own value.\n" \
    "\n" \
    "Complexity: O(d log32 n) expected with a Map (d: the part where the\n" \
    "tries differ); O(k log32 n) with a k-entry mapping.\n" \
    "\n" \
    ">>> Map({1: 'a', 2: 'b'}).symmetric_difference({2: 'x', 3: 'c'})\n" \
    "march.Map({1: 'a', 3: 'c'})"

#define MARCH_DOC_Map_union \
    "union($self, other, /, combine=None)\n--\n\n" \
    "Return a new Map with the keys of both; other's value wins for a shared key.\n" \
    "\n" \
    "other is a Map (merged node against node: subtrees the two maps share are\n" \
    "reused as they are) or any mapping.  With ``combine``, a key bound in\n" \
    "both to two different objects gets ``combine(key, self_value,\n" \
    "other_value)``.  ``m | other`` and ``m.update(other)`` give the same map.\n" \
    "\n" \
    "Complexity: O(d log32 n) expected with a Map, d the entries where the\n" \
    "two tries differ; O(k log32 n) with a k-entry mapping.\n" \
    "\n" \
    ">>> m = Map({1: 'a', 2: 'b'})\n" \
    ">>> m.union({2: 'x', 3: 'c'})\n" \
    "march.Map({1: 'a', 2: 'x', 3: 'c'})\n" \
    ">>> m.union({2: 'x'}, combine=lambda k, mine, theirs: mine + theirs)\n" \
    "march.Map({1: 'a', 2: 'bx'})"

#define MARCH_DOC_Map_update \
    "update($self, col=None, /, **kw)\n--\n\n" \
    "Return a new Map with the entries of col (a mapping or pairs) and kw added.\n" \
    "\n" \
    "Later entries win, as ``dict.update``.  With another Map (and no keywords)\n" \
    "it is ``union``: the two tries are merged node against node.  With nothing\n" \
    "to add, the result is the map itself.  As ``immutables.Map.update``.\n" \
    "\n" \
    "Complexity: O(k log32 n) expected for k new entries; with a Map, O(size\n" \
    "of the part where the two tries differ).\n" \
    "\n" \
    ">>> m = Map({1: 'a'}).update({2: 'b'}, three=3)\n" \
    ">>> m == Map({1: 'a', 2: 'b', 'three': 3})\n" \
    "True\n" \
    ">>> Map({1: 'a'}).update([(1, 'z')])\n" \
    "march.Map({1: 'z'})"

#define MARCH_DOC_Map_values \
    "values($self, /)\n--\n\n" \
    "Return a view of the values: sized, re-iterable, with ``in``.\n" \
    "\n" \
    "Complexity: O(1) to make; iterating and ``in`` O(n).\n" \
    "\n" \
    ">>> vs = Map({1: 'a', 2: 'b'}).values()\n" \
    ">>> vs, list(vs), 'b' in vs\n" \
    "(MapValues(['a', 'b']), ['a', 'b'], True)"

#define MARCH_DOC_MapMutation \
    "A transient draft of a Map (``Map.mutate()``); ``finish()`` freezes it.\n" \
    "\n" \
    "It edits in place the nodes it has copied, so a batch of changes costs\n" \
    "less than as many persistent operations; the map it came from is never\n" \
    "affected.  ``mm[k] = v``, ``del mm[k]``, ``mm[k]``, ``in`` and ``len`` work\n" \
    "as on a dict.  As a context manager it is finished on exit.  A change made\n" \
    "while one of its operations walks the trie (from a key's ``__eq__``)\n" \
    "raises RuntimeError; any change after ``finish()`` raises ValueError.  It\n" \
    "cannot be subclassed, pickled or copied.  As ``immutables.MapMutation``.\n" \
    "\n" \
    "Complexity: each edit O(log32 n) expected; ``finish()`` O(1).\n" \
    "\n" \
    ">>> mm = Map({1: 'a'}).mutate()\n" \
    ">>> mm[2] = 'b'\n" \
    ">>> del mm[1]\n" \
    ">>> mm.finish()\n" \
    "march.Map({2: 'b'})"

#define MARCH_DOC_MapMutation_delete \
    "delete($self, key, /)\n--\n\n" \
    "Remove key from the draft, in place; KeyError when key is absent.\n" \
    "\n" \
    "The same as ``del mm[key]``.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> mm = Map({1: 'a', 2: 'b'}).mutate()\n" \
    ">>> mm.delete(1)\n" \
    ">>> mm.finish()\n" \
    "march.Map({2: 'b'})"

#define MARCH_DOCTEXT_MapMutation_finish \
    "Return the Map of the draft's entries; the draft can no longer change.\n" \
    "\n" \
    "``finish()`` and ``persistent()`` are the same method.  Calling it again\n" \
    "returns an equal Map; any later change raises ValueError.  Leaving a\n" \
    "``with`` block finishes the draft.\n" \
    "\n" \
    "Complexity: O(1).\n" \
    "\n" \
    ">>> mm = Map({1: 'a'}).mutate()\n" \
    ">>> mm[2] = 'b'\n" \
    ">>> mm.finish()\n" \
    "march.Map({1: 'a', 2: 'b'})\n" \
    ">>> mm.persistent() == mm.finish()\n" \
    "True"

#define MARCH_DOC_MapMutation_finish "finish($self, /)\n--\n\n" MARCH_DOCTEXT_MapMutation_finish

#define MARCH_DOC_MapMutation_get \
    "get($self, key, default=None, /)\n--\n\n" \
    "Return the value of key in the draft, or default (None) when absent.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> mm = Map({1: 'a'}).mutate()\n" \
    ">>> mm.get(1), mm.get(2), mm.get(2, 'none')\n" \
    "('a', None, 'none')"

#define MARCH_DOC_MapMutation_persistent "persistent($self, /)\n--\n\n" MARCH_DOCTEXT_MapMutation_finish

#define MARCH_DOC_MapMutation_pop \
    "Remove key from the draft and return its value.\n" \
    "\n" \
    "``pop(key)`` raises KeyError when key is absent; ``pop(key, default)``\n" \
    "returns default then.  As ``dict.pop``.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> mm = Map({1: 'a'}).mutate()\n" \
    ">>> mm.pop(1), mm.pop(1, 'gone')\n" \
    "('a', 'gone')\n" \
    ">>> len(mm)\n" \
    "0"

#define MARCH_DOC_MapMutation_set \
    "set($self, key, value, /)\n--\n\n" \
    "Bind key to value in the draft, in place; return None.\n" \
    "\n" \
    "The same as ``mm[key] = value``.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> mm = Map({1: 'a'}).mutate()\n" \
    ">>> mm.set(2, 'b')\n" \
    ">>> mm.finish()\n" \
    "march.Map({1: 'a', 2: 'b'})"

#define MARCH_DOC_MapMutation_update \
    "update($self, col=None, /, **kw)\n--\n\n" \
    "Add the entries of col (a mapping or pairs) and kw to the draft; return None.\n" \
    "\n" \
    "Later entries win, as ``dict.update``.\n" \
    "\n" \
    "Complexity: O(k log32 n) expected for k entries.\n" \
    "\n" \
    ">>> mm = Map({1: 'a'}).mutate()\n" \
    ">>> mm.update({1: 'z', 2: 'b'})\n" \
    ">>> mm.finish()\n" \
    "march.Map({1: 'z', 2: 'b'})"

#define MARCH_DOC_Set \
    "Set(iterable=(), /)\n--\n\n" \
    "A persistent hash set (HAMT), a drop-in for pyrsistent's ``PSet``.\n" \
    "\n" \
    "``Set(iterable=())`` or ``s(*elements)``; the empty set is a singleton.\n" \
    "A ``collections.abc.Set``: the operators ``| & - ^`` (with a Set node\n" \
    "against node, reusing the subtrees two versions share; with another\n" \
    "iterable after making it a Set), the comparisons, ``hash(s) ==\n" \
    "hash(frozenset(s))``.  Adding a present element or discarding an absent\n" \
    "one returns the set itself.  Set may be subclassed: every set derived\n" \
    "from a subclass instance (its methods, operators with it on the left,\n" \
    "its evolver's ``persistent()``) is an instance of that subclass, and\n" \
    "``Sub(s)`` of any Set shares its trie.\n" \
    "\n" \
    "Complexity: ``in``, add and remove O(log32 n) expected; ``len`` O(1);\n" \
    "the algebra of two Sets O(size of the part where they differ).\n" \
    "\n" \
    ">>> a = Set([1, 2, 3])\n" \
    ">>> b = a.add(4).discard(1)\n" \
    ">>> a & b, a | b, 4 in a\n" \
    "(march.Set({2, 3}), march.Set({1, 2, 3, 4}), False)"

#define MARCH_DOC_Set_add \
    "add($self, element, /)\n--\n\n" \
    "Return a new Set with element added; the set itself when already present.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> a = s(1, 2)\n" \
    ">>> a.add(3)\n" \
    "march.Set({1, 2, 3})\n" \
    ">>> a.add(1) is a\n" \
    "True"

#define MARCH_DOC_Set_copy \
    "copy($self, /)\n--\n\n" \
    "Return the set itself (a Set never changes).\n" \
    "\n" \
    "Complexity: O(1).\n" \
    "\n" \
    ">>> a = s(1, 2)\n" \
    ">>> a.copy() is a\n" \
    "True"

#define MARCH_DOC_Set_diff \
    "diff($self, other, /)\n--\n\n" \
    "Return an iterator of the elements in exactly one of self and other.\n" \
    "\n" \
    "An element only in self gives ``(element, element, ABSENT)``, one only in\n" \
    "other ``(element, ABSENT, element)``, in the shape of ``Map.diff``.  other\n" \
    "must be a Set.  Subtrees the two share are skipped without a look.\n" \
    "\n" \
    "Complexity: O(d log32 n) expected for d differing elements.\n" \
    "\n" \
    ">>> list(s(1, 2, 3).diff(s(2, 3, 4)))\n" \
    "[(1, 1, march.ABSENT), (4, march.ABSENT, 4)]"

#define MARCH_DOC_Set_difference \
    "difference($self, *others)\n--\n\n" \
    "Return a new Set of the elements of self that are in none of the others.\n" \
    "\n" \
    "A Set argument is walked node against node; another iterable is made a\n" \
    "Set first.  ``a - b`` for one.\n" \
    "\n" \
    "Complexity: O(d log32 n) expected per Set argument (d: the part where\n" \
    "the tries differ); O(k log32 n) for an iterable of k elements.\n" \
    "\n" \
    ">>> s(1, 2, 3).difference([1], s(2))\n" \
    "march.Set({3})"

#define MARCH_DOC_Set_discard \
    "discard($self, element, /)\n--\n\n" \
    "Return a new Set without element; the set itself when element is absent.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> a = s(1, 2)\n" \
    ">>> a.discard(1)\n" \
    "march.Set({2})\n" \
    ">>> a.discard(3) is a\n" \
    "True"

#define MARCH_DOCTEXT_Set_evolver \
    "Return a SetEvolver: a transient draft of this set.\n" \
    "\n" \
    "``evolver()`` and ``mutate()`` are the same method.  The draft edits in\n" \
    "place the nodes it has copied; ``persistent()`` returns a Set of its\n" \
    "elements.  The set itself never changes.  As pyrsistent's\n" \
    "``PSet.evolver``.\n" \
    "\n" \
    "Complexity: O(1); each edit of the draft O(log32 n) expected.\n" \
    "\n" \
    ">>> a = s(1, 2)\n" \
    ">>> e = a.evolver()\n" \
    ">>> e.add(3).discard(1).persistent(), a\n" \
    "(march.Set({2, 3}), march.Set({1, 2}))\n" \
    ">>> a.mutate().persistent() is a\n" \
    "True"

#define MARCH_DOC_Set_evolver "evolver($self, /)\n--\n\n" MARCH_DOCTEXT_Set_evolver

#define MARCH_DOC_Set_intersection \
    "intersection($self, *others)\n--\n\n" \
    "Return a new Set of the elements of self that are in every other.\n" \
    "\n" \
    "A Set argument is walked node against node; another iterable is made a\n" \
    "Set first.  ``a & b`` for one.\n" \
    "\n" \
    "Complexity: O(d log32 n) expected per Set argument (d: the part where\n" \
    "the tries differ); O(k log32 n) for an iterable of k elements.\n" \
    "\n" \
    ">>> s(1, 2, 3).intersection([2, 3, 4], s(3))\n" \
    "march.Set({3})"

#define MARCH_DOC_Set_isdisjoint \
    "isdisjoint($self, other, /)\n--\n\n" \
    "Return whether self and other have no element in common.\n" \
    "\n" \
    "other is a Set (walked node against node) or an iterable.\n" \
    "\n" \
    "Complexity: O(d) with a Set (d: the part where the tries differ); an\n" \
    "iterable of k elements is made a Set first, O(k log32 k) expected.\n" \
    "\n" \
    ">>> s(1, 2).isdisjoint(s(3)), s(1, 2).isdisjoint([2])\n" \
    "(True, False)"

#define MARCH_DOC_Set_issubset \
    "issubset($self, other, /)\n--\n\n" \
    "Return whether every element of self is in other (``<=``).\n" \
    "\n" \
    "other is a Set (walked node against node) or an iterable.\n" \
    "\n" \
    "Complexity: O(d) with a Set (d: the part where the tries differ); an\n" \
    "iterable of k elements is made a Set first, O(k log32 k) expected.\n" \
    "\n" \
    ">>> s(1, 2).issubset([1, 2, 3]), s(1, 4).issubset(s(1, 2))\n" \
    "(True, False)"

#define MARCH_DOC_Set_issuperset \
    "issuperset($self, other, /)\n--\n\n" \
    "Return whether every element of other is in self (``>=``).\n" \
    "\n" \
    "other is a Set (walked node against node) or an iterable.\n" \
    "\n" \
    "Complexity: O(d) with a Set (d: the part where the tries differ); an\n" \
    "iterable of k elements is made a Set first, O(k log32 k) expected.\n" \
    "\n" \
    ">>> s(1, 2, 3).issuperset([1, 3]), s(1).issuperset(s(1, 2))\n" \
    "(True, False)"

#define MARCH_DOC_Set_mutate "mutate($self, /)\n--\n\n" MARCH_DOCTEXT_Set_evolver

#define MARCH_DOC_Set_remove \
    "remove($self, element, /)\n--\n\n" \
    "Return a new Set without element; KeyError when element is absent.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> s(1, 2).remove(1)\n" \
    "march.Set({2})\n" \
    ">>> s(1, 2).remove(3)\n" \
    "Traceback (most recent call last):\n" \
    "  ...\n" \
    "KeyError: 3"

#define MARCH_DOC_Set_symmetric_difference \
    "symmetric_difference($self, other, /)\n--\n\n" \
    "Return a new Set of the elements in exactly one of self and other.\n" \
    "\n" \
    "other is a Set (walked node against node) or an iterable, made a Set\n" \
    "first.  ``a ^ b``.\n" \
    "\n" \
    "Complexity: O(d log32 n) expected with a Set (d: the part where the\n" \
    "tries differ); O(k log32 n) for an iterable of k elements.\n" \
    "\n" \
    ">>> s(1, 2, 3).symmetric_difference([3, 4])\n" \
    "march.Set({1, 2, 4})"

#define MARCH_DOC_Set_union \
    "union($self, *iterables)\n--\n\n" \
    "Return a new Set of the elements of self and of every iterable.\n" \
    "\n" \
    "A Set argument is merged node against node (shared subtrees reused as\n" \
    "they are); another iterable is made a Set first.  ``a | b`` for one.\n" \
    "\n" \
    "Complexity: O(d log32 n) expected per Set argument, d the part where\n" \
    "the tries differ; O(k log32 n) for an iterable of k elements.\n" \
    "\n" \
    ">>> s(1, 2).union([3], s(4))\n" \
    "march.Set({1, 2, 3, 4})"

#define MARCH_DOC_Set_update \
    "update($self, *iterables)\n--\n\n" \
    "Return a new Set with the elements of every iterable added.\n" \
    "\n" \
    "The same as ``union``, as pyrsistent's ``PSet.update``.\n" \
    "\n" \
    "Complexity: as ``union``.\n" \
    "\n" \
    ">>> s(1).update([2], (3, 4))\n" \
    "march.Set({1, 2, 3, 4})"

#define MARCH_DOC_SetEvolver \
    "A transient draft of a Set (``Set.evolver()``).\n" \
    "\n" \
    "``add``, ``discard`` and ``remove`` edit it in place and return it;\n" \
    "``persistent()`` returns a Set of its elements and may be called again\n" \
    "after more edits (the Sets it returned never change).  ``in`` and\n" \
    "``len`` work.  A change made while one of its operations walks the trie\n" \
    "(from an element's ``__eq__``) raises RuntimeError.  It cannot be\n" \
    "subclassed, pickled or copied.  As pyrsistent's ``PSet`` evolver.\n" \
    "\n" \
    "Complexity: each edit O(log32 n) expected; ``persistent()`` O(1).\n" \
    "\n" \
    ">>> e = s(1, 2).evolver()\n" \
    ">>> _ = e.add(3).remove(1)\n" \
    ">>> 3 in e, len(e)\n" \
    "(True, 2)\n" \
    ">>> e.persistent()\n" \
    "march.Set({2, 3})"

#define MARCH_DOC_SetEvolver_add \
    "add($self, element, /)\n--\n\n" \
    "Add element to the draft, in place; return the evolver.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> e = s(1).evolver()\n" \
    ">>> e.add(2) is e\n" \
    "True\n" \
    ">>> e.persistent()\n" \
    "march.Set({1, 2})"

#define MARCH_DOC_SetEvolver_discard \
    "discard($self, element, /)\n--\n\n" \
    "Remove element from the draft if present, in place; return the evolver.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> e = s(1, 2).evolver()\n" \
    ">>> e.discard(1).discard(3) is e\n" \
    "True\n" \
    ">>> e.persistent()\n" \
    "march.Set({2})"

#define MARCH_DOCTEXT_SetEvolver_finish \
    "Return a Set of the draft's elements; the draft stays editable.\n" \
    "\n" \
    "``persistent()`` and ``finish()`` are the same method.  The returned Set\n" \
    "never changes: later edits copy the nodes it shares.  Without edits\n" \
    "since, the result is the last Set returned (or the original set).\n" \
    "\n" \
    "Complexity: O(1).\n" \
    "\n" \
    ">>> a = s(1)\n" \
    ">>> e = a.evolver()\n" \
    ">>> e.persistent() is a\n" \
    "True\n" \
    ">>> e.add(2).persistent(), e.add(3).finish()\n" \
    "(march.Set({1, 2}), march.Set({1, 2, 3}))"

#define MARCH_DOC_SetEvolver_finish "finish($self, /)\n--\n\n" MARCH_DOCTEXT_SetEvolver_finish

#define MARCH_DOC_SetEvolver_is_dirty \
    "is_dirty($self, /)\n--\n\n" \
    "Return whether the draft changed since it was made or last made persistent.\n" \
    "\n" \
    "Complexity: O(1).\n" \
    "\n" \
    ">>> e = s(1).evolver()\n" \
    ">>> e.is_dirty(), e.add(2).is_dirty()\n" \
    "(False, True)\n" \
    ">>> _ = e.persistent()\n" \
    ">>> e.is_dirty()\n" \
    "False"

#define MARCH_DOC_SetEvolver_persistent "persistent($self, /)\n--\n\n" MARCH_DOCTEXT_SetEvolver_finish

#define MARCH_DOC_SetEvolver_remove \
    "remove($self, element, /)\n--\n\n" \
    "Remove element from the draft, in place; return the evolver.\n" \
    "\n" \
    "KeyError when element is absent.\n" \
    "\n" \
    "Complexity: O(log32 n) expected.\n" \
    "\n" \
    ">>> e = s(1, 2).evolver()\n" \
    ">>> e.remove(1).persistent()\n" \
    "march.Set({2})\n" \
    ">>> e.remove(3)\n" \
    "Traceback (most recent call last):\n" \
    "  ...\n" \
    "KeyError: 3"

#define MARCH_DOC_Vector \
    "Vector(iterable=())\n--\n\n" \
    "A persistent vector (RRB tree), a drop-in for pyrsistent's ``PVector``.\n" \
    "\n" \
    "``Vector(iterable=())``, ``vector(iterable)`` or ``v(*items)``.  A\n" \
    "``collections.abc.Sequence`` (indexing, slicing, ``in``, ``reversed``),\n" \
    "compared with Vectors and lists as PVector, hashable when its elements\n" \
    "are.  Beyond PVector: O(log n) ``+``, slicing, ``insert``, ``delete``,\n" \
    "``split``, ``appendleft``, ``popleft``.  ``v * n`` repeats as list does.\n" \
    "Vector may be subclassed: the operations on a subclass instance return\n" \
    "instances of its type, ``Sub(iterable)`` makes one (O(1) from a Vector).\n" \
    "\n" \
    "Complexity: index O(log32 n); append amortised O(1); concatenation,\n" \
    "slice, insert and delete O(log n); iteration O(n).\n" \
    "\n" \
    ">>> a = v(1, 2, 3)\n" \
    ">>> a[0], a[-1], a[1:], len(a)\n" \
    "(1, 3, vector([2, 3]), 3)\n" \
    ">>> a + a[:1], a == [1, 2, 3]\n" \
    "(vector([1, 2, 3, 1]), True)"

#define MARCH_DOC_Vector_append \
    "append($self, x, /)\n--\n\n" \
    "Return a new vector with x at the end.\n" \
    "\n" \
    "Complexity: amortised O(1) (a full tail of 32 goes into the tree,\n" \
    "O(log32 n), once every 32 appends).\n" \
    "\n" \
    ">>> a = v(1, 2)\n" \
    ">>> a.append(3), a\n" \
    "(vector([1, 2, 3]), vector([1, 2]))"

#define MARCH_DOC_Vector_appendleft \
    "appendleft($self, x, /)\n--\n\n" \
    "Return a new vector with x in front.\n" \
    "\n" \
    "Complexity: O(log n).\n" \
    "\n" \
    ">>> v(1, 2).appendleft(0)\n" \
    "vector([0, 1, 2])"

#define MARCH_DOC_Vector_count \
    "count($self, value, /)\n--\n\n" \
    "Return the number of elements equal to value.\n" \
    "\n" \
    "Complexity: O(n).\n" \
    "\n" \
    ">>> v(1, 2, 1).count(1)\n" \
    "2"

#define MARCH_DOC_Vector_delete \
    "delete($self, index, stop=None, /)\n--\n\n" \
    "Return a new vector without element index, or without ``[index:stop]``.\n" \
    "\n" \
    "``delete(i)`` raises IndexError out of range; ``delete(i, stop)`` and\n" \
    "``delete(a_slice)`` are clamped, as ``del l[i:j]``.  As pyrsistent's\n" \
    "``PVector.delete``.\n" \
    "\n" \
    "Complexity: O(log n) (a slice with a step: O(n)).\n" \
    "\n" \
    ">>> a = v(1, 2, 3, 4)\n" \
    ">>> a.delete(0), a.delete(1, 3), a.delete(slice(None, None, 2))\n" \
    "(vector([2, 3, 4]), vector([1, 4]), vector([2, 4]))"

#define MARCH_DOCTEXT_Vector_evolver \
    "Return a VectorEvolver: a transient draft of this vector.\n" \
    "\n" \
    "``evolver()`` and ``mutate()`` are the same method.  The draft edits in\n" \
    "place the nodes it has copied; ``persistent()`` returns a Vector of its\n" \
    "elements.  The vector itself never changes.  As pyrsistent's\n" \
    "``PVector.evolver``.\n" \
    "\n" \
    "Complexity: O(1); each edit of the draft as the matching Vector\n" \
    "operation, but in place.\n" \
    "\n" \
    ">>> a = v(1, 2)\n" \
    ">>> e = a.evolver()\n" \
    ">>> e[0] = 'x'\n" \
    ">>> e.append(3).persistent(), a\n" \
    "(vector(['x', 2, 3]), vector([1, 2]))\n" \
    ">>> a.mutate().persistent() is a\n" \
    "True"

#define MARCH_DOC_Vector_evolver "evolver($self, /)\n--\n\n" MARCH_DOCTEXT_Vector_evolver

#define MARCH_DOC_Vector_extend \
    "extend($self, iterable, /)\n--\n\n" \
    "Return a new vector with the elements of iterable appended.\n" \
    "\n" \
    "A Vector argument is concatenated (the same as ``+``); another iterable\n" \
    "is consumed first, then appended.\n" \
    "\n" \
    "Complexity: O(log n) for a Vector; O(k) for an iterable of k elements.\n" \
    "\n" \
    ">>> v(1).extend([2, 3])\n" \
    "vector([1, 2, 3])\n" \
    ">>> v(1).extend(v(2))\n" \
    "vector([1, 2])"

#define MARCH_DOC_Vector_from_concat \
    "from_concat($type, vectors, /)\n--\n\n" \
    "Classmethod: return the concatenation of many vectors (or iterables).\n" \
    "\n" \
    "Concatenates pairwise, as a balanced tree of ``+``.\n" \
    "\n" \
    "Complexity: O(k log n) for k vectors.\n" \
    "\n" \
    ">>> Vector.from_concat([v(1), v(2, 3), [4]])\n" \
    "vector([1, 2, 3, 4])"

#define MARCH_DOC_Vector_index \
    "index($self, value, start=0, stop=sys.maxsize, /)\n--\n\n" \
    "Return the first index of value (searched in ``[start, stop)``).\n" \
    "\n" \
    "ValueError when no element is equal.  As ``list.index``.\n" \
    "\n" \
    "Complexity: O(n).\n" \
    "\n" \
    ">>> v(1, 2, 1).index(1), v(1, 2, 1).index(1, 1)\n" \
    "(0, 2)"

#define MARCH_DOC_Vector_insert \
    "insert($self, i, x, /)\n--\n\n" \
    "Return a new vector with x before index i (``-len <= i <= len``).\n" \
    "\n" \
    "Negative indexes count from the end; IndexError out of range.\n" \
    "\n" \
    "Complexity: O(log n).\n" \
    "\n" \
    ">>> v(1, 2, 3).insert(1, 'x')\n" \
    "vector([1, 'x', 2, 3])\n" \
    ">>> v(1, 2, 3).insert(3, 'end')\n" \
    "vector([1, 2, 3, 'end'])"

#define MARCH_DOC_Vector_mset \
    "mset($self, *args)\n--\n\n" \
    "Return a new vector with several elements set: ``mset(i1, x1, i2, x2, ...)``.\n" \
    "\n" \
    "The same as chained ``set`` calls; an odd number of arguments raises\n" \
    "TypeError.  As pyrsistent's ``PVector.mset``.\n" \
    "\n" \
    "Complexity: O(k log32 n) for k pairs.\n" \
    "\n" \
    ">>> v(1, 2, 3).mset(0, 'a', 2, 'c')\n" \
    "vector(['a', 2, 'c'])"

#define MARCH_DOC_Vector_mutate "mutate($self, /)\n--\n\n" MARCH_DOCTEXT_Vector_evolver

#define MARCH_DOC_Vector_pop \
    "pop($self, i=-1, /)\n--\n\n" \
    "Return (the vector without element i, that element); i is -1 by default.\n" \
    "\n" \
    "IndexError when the vector is empty or i is out of range.\n" \
    "\n" \
    "Complexity: amortised O(1) for the last element; O(log n) otherwise.\n" \
    "\n" \
    ">>> v(1, 2, 3).pop()\n" \
    "(vector([1, 2]), 3)\n" \
    ">>> v(1, 2, 3).pop(0)\n" \
    "(vector([2, 3]), 1)"

#define MARCH_DOC_Vector_popleft \
    "popleft($self, /)\n--\n\n" \
    "Return (the vector without its first element, that element).\n" \
    "\n" \
    "IndexError when the vector is empty.\n" \
    "\n" \
    "Complexity: O(log n).\n" \
    "\n" \
    ">>> v(1, 2, 3).popleft()\n" \
    "(vector([2, 3]), 1)"

#define MARCH_DOC_Vector_remove \
    "remove($self, value, /)\n--\n\n" \
    "Return a new vector without the first element equal to value.\n" \
    "\n" \
    "ValueError when no element is equal.\n" \
    "\n" \
    "Complexity: O(n) for the search, then O(log n).\n" \
    "\n" \
    ">>> v(1, 2, 1).remove(1)\n" \
    "vector([2, 1])"

#define MARCH_DOC_Vector_set \
    "set($self, i, x, /)\n--\n\n" \
    "Return a new vector with x at index i; ``i == len`` appends.\n" \
    "\n" \
    "Negative indexes count from the end; IndexError out of range.\n" \
    "\n" \
    "Complexity: O(log32 n) (one path copied).\n" \
    "\n" \
    ">>> a = v(1, 2, 3)\n" \
    ">>> a.set(0, 'a'), a.set(-1, 'z'), a.set(3, 4)\n" \
    "(vector(['a', 2, 3]), vector([1, 2, 'z']), vector([1, 2, 3, 4]))"

#define MARCH_DOC_Vector_split \
    "split($self, i, /)\n--\n\n" \
    "Return ``(self[:i], self[i:])``.\n" \
    "\n" \
    "Negative i counts from the end; i is clamped to the vector.\n" \
    "\n" \
    "Complexity: O(log n).\n" \
    "\n" \
    ">>> v(1, 2, 3).split(1)\n" \
    "(vector([1]), vector([2, 3]))"

#define MARCH_DOC_Vector_tolist \
    "tolist($self, /)\n--\n\n" \
    "Return the elements as a new list.\n" \
    "\n" \
    "Complexity: O(n).\n" \
    "\n" \
    ">>> v(1, 2, 3).tolist()\n" \
    "[1, 2, 3]"

#define MARCH_DOC_Vector_transform \
    "transform($self, *transformations)\n--\n\n" \
    "Return the vector transformed by (path, command) pairs, as pyrsistent's.\n" \
    "\n" \
    "A path is a sequence of indexes (or keys, in nested Maps) and matchers\n" \
    "(callables taking the index); a command is a callable applied to the\n" \
    "value found, or a value that replaces it.  See ``march._transform``.\n" \
    "\n" \
    "Complexity: O(log n) per element changed, plus the matchers' calls.\n" \
    "\n" \
    ">>> v(v(1, 2), v(3)).transform([0, 1], 'x')\n" \
    "vector([vector([1, 'x']), vector([3])])\n" \
    ">>> v(1, 2, 3).transform([lambda i: i > 0], lambda x: x * 10)\n" \
    "vector([1, 20, 30])"

#define MARCH_DOC_VectorEvolver \
    "VectorEvolver(vector=())\n--\n\n" \
    "A transient draft of a Vector (``Vector.evolver()`` or ``VectorEvolver(v)``).\n" \
    "\n" \
    "``e[i] = x``, ``del e[i]``, ``e[i]``, ``len`` and the editing methods\n" \
    "(which return the evolver) work in place; ``persistent()`` returns a\n" \
    "Vector and may be called again after more edits (the Vectors it returned\n" \
    "never change).  As a context manager it is made persistent on exit.  An\n" \
    "edit made while one of its operations is in progress (from a ``__del__``\n" \
    "or an element's ``__eq__``) raises RuntimeError.  It cannot be\n" \
    "subclassed, pickled or copied.  As pyrsistent's PVector evolver.\n" \
    "\n" \
    "Complexity: as the matching Vector operations; ``persistent()`` O(1).\n" \
    "\n" \
    ">>> e = v(1, 2, 3).evolver()\n" \
    ">>> e[0] = 'a'\n" \
    ">>> del e[1]\n" \
    ">>> e[1], len(e), e.persistent()\n" \
    "(3, 2, vector(['a', 3]))"

#define MARCH_DOC_VectorEvolver_append \
    "append($self, x, /)\n--\n\n" \
    "Append x, in place; return the evolver.\n" \
    "\n" \
    "Complexity: amortised O(1).\n" \
    "\n" \
    ">>> e = v(1).evolver()\n" \
    ">>> e.append(2).append(3).persistent()\n" \
    "vector([1, 2, 3])"

#define MARCH_DOC_VectorEvolver_delete \
    "delete($self, index, stop=None, /)\n--\n\n" \
    "Delete element index, or ``[index:stop]``, in place; return the evolver.\n" \
    "\n" \
    "The same as ``del e[index]`` or ``del e[index:stop]``.\n" \
    "\n" \
    "Complexity: O(log n).\n" \
    "\n" \
    ">>> e = v(1, 2, 3, 4).evolver()\n" \
    ">>> e.delete(0).delete(1, 3).persistent()\n" \
    "vector([2])"

#define MARCH_DOC_VectorEvolver_extend \
    "extend($self, iterable, /)\n--\n\n" \
    "Append every element of iterable, in place; return the evolver.\n" \
    "\n" \
    "The iterable is consumed first: all of it is appended, or nothing.\n" \
    "\n" \
    "Complexity: O(k) for k elements.\n" \
    "\n" \
    ">>> e = v(1).evolver()\n" \
    ">>> e.extend([2, 3]).persistent()\n" \
    "vector([1, 2, 3])"

#define MARCH_DOCTEXT_VectorEvolver_finish \
    "Return a Vector of the draft's elements; the draft stays editable.\n" \
    "\n" \
    "``persistent()`` and ``finish()`` are the same method.  The returned\n" \
    "Vector never changes: later edits copy the nodes it shares.  Without\n" \
    "edits since, the result is the last Vector returned (or the original).\n" \
    "\n" \
    "Complexity: O(1).\n" \
    "\n" \
    ">>> a = v(1)\n" \
    ">>> e = a.evolver()\n" \
    ">>> e.persistent() is a\n" \
    "True\n" \
    ">>> e.append(2).persistent(), e.append(3).finish()\n" \
    "(vector([1, 2]), vector([1, 2, 3]))"

#define MARCH_DOC_VectorEvolver_finish "finish($self, /)\n--\n\n" MARCH_DOCTEXT_VectorEvolver_finish

#define MARCH_DOC_VectorEvolver_is_dirty \
    "is_dirty($self, /)\n--\n\n" \
    "Return whether the draft changed since it was made or last made persistent.\n" \
    "\n" \
    "Complexity: O(1).\n" \
    "\n" \
    ">>> e = v(1).evolver()\n" \
    ">>> e.is_dirty(), e.append(2).is_dirty()\n" \
    "(False, True)\n" \
    ">>> _ = e.persistent()\n" \
    ">>> e.is_dirty()\n" \
    "False"

#define MARCH_DOC_VectorEvolver_persistent "persistent($self, /)\n--\n\n" MARCH_DOCTEXT_VectorEvolver_finish

#define MARCH_DOC_VectorEvolver_remove \
    "remove($self, value, /)\n--\n\n" \
    "Remove the first element equal to value, in place; return the evolver.\n" \
    "\n" \
    "ValueError when no element is equal.\n" \
    "\n" \
    "Complexity: O(n) for the search, then O(log n).\n" \
    "\n" \
    ">>> e = v(1, 2, 1).evolver()\n" \
    ">>> e.remove(1).persistent()\n" \
    "vector([2, 1])"

#define MARCH_DOC_VectorEvolver_set \
    "set($self, index, x, /)\n--\n\n" \
    "Set element index to x, in place; return the evolver.\n" \
    "\n" \
    "The same as ``e[index] = x``; ``index == len`` appends; IndexError out\n" \
    "of range.\n" \
    "\n" \
    "Complexity: O(log32 n).\n" \
    "\n" \
    ">>> e = v(1, 2).evolver()\n" \
    ">>> e.set(0, 'a').set(2, 'c') is e\n" \
    "True\n" \
    ">>> e.persistent()\n" \
    "vector(['a', 2, 'c'])"

#define MARCH_DOC_s \
    "s($module, *elements)\n--\n\n" \
    "Return a Set of the arguments.\n" \
    "\n" \
    "As pyrsistent's ``s``; ``s()`` is the empty set (a singleton).\n" \
    "\n" \
    "Complexity: O(k log32 k) expected for k arguments.\n" \
    "\n" \
    ">>> s(1, 2, 2), s() is Set()\n" \
    "(march.Set({1, 2}), True)"

#define MARCH_DOC_v \
    "v($module, *items)\n--\n\n" \
    "Return a Vector of the arguments.\n" \
    "\n" \
    "As pyrsistent's ``v``.\n" \
    "\n" \
    "Complexity: O(k) for k arguments.\n" \
    "\n" \
    ">>> v(1, 2, 3), v()\n" \
    "(vector([1, 2, 3]), vector([]))"

#define MARCH_DOC_vector \
    "vector($module, iterable=())\n--\n\n" \
    "Return a Vector of the elements of iterable (empty by default).\n" \
    "\n" \
    "As pyrsistent's ``pvector``; the same as ``Vector(iterable)``.\n" \
    "\n" \
    "Complexity: O(k) for k elements.\n" \
    "\n" \
    ">>> vector(range(3)), vector()\n" \
    "(vector([0, 1, 2]), vector([]))"

#endif /* MARCH_DOCSTRINGS_H */
