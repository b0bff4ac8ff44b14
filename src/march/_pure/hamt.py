"""The pure-Python twin of march's HAMT map (``src/march/_core/hamt.c``).

This module is both the fallback used when the C extension is missing and
the readable reference of the algorithm: the C code and this file follow the
same design, step by step, so that iteration order, tree shape, ``repr`` and
``hash(m)`` agree bit for bit between the two implementations.

Hashing
-------
A key's hash ``h`` is ``hash(key)`` taken as an unsigned 64-bit integer
(``hash(key) & 0xFFFFFFFFFFFFFFFF``; C: ``(uint64_t)PyObject_Hash(key)``),
without extra mixing.  The trie consumes it 5 bits at a time from the low
end: the slot index at level L (``shift = 5 * L``) is ``(h >> shift) & 31``,
for L = 0..12 (level 12 sees the top 4 bits).  Keys whose full 64-bit hashes
are equal end up together in a collision node.

Nodes (CHAMP layout)
--------------------
``BitmapNode``
    ``datamap``  32-bit map of the slots holding an inline key/value entry;
    ``nodemap``  32-bit map of the slots holding a child node
                 (``datamap & nodemap == 0``);
    ``count``    number of entries in the whole subtree (``len()`` is O(1));
    ``owner``    edit token: 0 for a persistent node, else the id of the
                 mutation that created it (only that mutation edits it in
                 place);
    ``array``    the compressed slots, a list: first the inline entries in
                 ascending bit order as ``key, value`` pairs, then the child
                 nodes in ascending bit order.  For bit ``b`` the entry sits at
                 ``2 * popcount(datamap & (b - 1))`` and the child at
                 ``2 * popcount(datamap) + popcount(nodemap & (b - 1))``.
    The C node also has ``tags``, a lookup filter with no counterpart here:
    2 hash bits per inline entry (those after the node's 5), so that most
    misses ending on an entry are decided without reading the stored key
    object, a cache miss in a big C map.  They follow from the entries and
    add nothing to the shape (docs/design.md, 1.2).
``CollisionNode``
    ``hash`` (the full 64-bit hash shared by all its keys), ``count`` (the
    number of entries, >= 2), ``owner``, and ``array``: ``key, value`` pairs.
    A new key is appended; replacing a value keeps its place; deleting keeps
    the order of the others.

Canonical form (equal maps have identical shapes)
-------------------------------------------------
1. The root is always a ``BitmapNode`` (the empty map: an empty one).
2. A non-root ``BitmapNode`` never holds exactly one entry in total: such a
   subtree is inlined into its parent as a data entry.
3. A non-root ``BitmapNode`` is never just a single ``CollisionNode`` child
   (no data): the collision node takes its place, so collision nodes sit as
   high in the trie as they can.
4. So an insertion that meets another entry (or a collision node) in its
   slot either makes a collision node (same full hash) or a new subtree that
   separates the two at the first level where their index bits differ (a
   chain of single-child nodes while the bits agree); a deletion undoes this
   on the way back up (rules 2 and 3).

The shape of a trie thus depends only on the set of keys; only the order of
the entries inside a collision node depends on the insertion order.

Key comparison: identity first; otherwise the full hashes must be equal (the
stored key's hash is recomputed) and then ``==`` decides.  ``__eq__`` is thus
only called between keys with equal hashes, as in ``dict``.  An exception
from ``__hash__``/``__eq__`` propagates and leaves everything unchanged: the
algorithms below compare keys before they copy or edit anything.

A key whose hash changes after it was stored (a user error that ``dict``
survives) stays where its old hash put it.  When a new key meets it in its
slot, ``assoc`` takes its hash bits below that level from the path and only
the others from its current hash, as C does: the two hashes part at a level
the trie has, or are equal (a collision node, at the last level too).  The
trie never grows past its last level and counts stay right; ``check()``
reports the key as off its path.

Iteration order: for a ``BitmapNode`` its inline entries in ascending bit
order, then its children in ascending bit order (depth first); for a
``CollisionNode`` its array order.

Persistent operations copy only the path they change.  A ``MapMutation``
gets a fresh owner id; nodes it copies carry that id and it edits them in
place afterwards.  ``finish()`` hands its root to a new ``Map`` in O(1) and
retires the id, so nothing edits those nodes any more.

``hash(m)`` is order-independent, computed once and cached in the map
(``hash_entries``: the exact formula of the design, modulo 2**64, so that
both implementations agree bit for bit).

A ``MapMutation`` counts the operations in progress on it (``_busy``): a
key's ``__eq__`` that tries to change the mutation while one of its
operations walks the trie gets ``RuntimeError`` instead of breaking it.

The verbs, one function each (C names in brackets): ``find``
(march_hamt_find), ``assoc`` (march_hamt_assoc), ``without``
(march_hamt_without), ``iterate`` (march_hamt_iter_*), ``equal``
(march_hamt_equal), ``hash_entries`` (march_hamt_hash_entries), ``check``
(march_hamt_check) and ``depth`` (march_hamt_depth); plus ``build``, which
makes the trie of a new map from many entries at once (the trie that
inserting them one by one would give).
"""
import collections.abc as _abc
import itertools as _itertools
import types as _types
from _thread import get_ident as _get_ident

__all__ = ["Map", "MapMutation", "MapKeys", "MapValues", "MapItems",
           "Set", "SetEvolver", "s", "ABSENT"]

_M64 = 0xFFFFFFFFFFFFFFFF
_BITS = 5
_MASK = 31
_MAX_SHIFT = 60          # level 12, the last bitmap level

try:
    _popcount = int.bit_count                       # Python >= 3.10
except AttributeError:                              # pragma: no cover
    def _popcount(x):
        return bin(x).count("1")

_next_owner = _itertools.count(1).__next__          # mutation ids, never 0
_NOTFOUND = object()
_FINISHED = "mutation has been finished"


# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------

class BitmapNode:
    """A trie node: inline entries and child nodes told apart by two bitmaps."""

    __slots__ = ("datamap", "nodemap", "count", "owner", "array")

    def __init__(self, datamap, nodemap, count, owner, array):
        self.datamap = datamap
        self.nodemap = nodemap
        self.count = count
        self.owner = owner
        self.array = array

    def __repr__(self):
        return "BitmapNode(datamap=%#x, nodemap=%#x, count=%d, owner=%d)" % (
            self.datamap, self.nodemap, self.count, self.owner)


class CollisionNode:
    """Entries whose keys have the same full 64-bit hash, in insertion order."""

    __slots__ = ("hash", "count", "owner", "array")

    # A collision node answers "no entry, no child" to any bit, so that the
    # descent in find() needs no type test at each level (class attributes,
    # not slots: they are never set).
    datamap = 0
    nodemap = 0

    def __init__(self, hash, count, owner, array):   # noqa: A002
        self.hash = hash
        self.count = count
        self.owner = owner
        self.array = array

    def __repr__(self):
        return "CollisionNode(hash=%#x, count=%d, owner=%d)" % (
            self.hash, self.count, self.owner)


# The empty root.  Its owner is 0, so it is never edited in place.
_EMPTY = BitmapNode(0, 0, 0, 0, [])


# ---------------------------------------------------------------------------
# find
# ---------------------------------------------------------------------------

def find(root, key, h):
    """Return the value bound to ``key`` (hash ``h``), or ``_NOTFOUND``.

    Descends while the slot for the next 5 bits of the hash holds a child
    (``bits`` is the hash shifted right by 5 at each level); an inline entry
    ends the search, and so does an empty slot -- or a collision node, whose
    bitmaps are both 0: it is scanned last.
    """
    node = root
    bits = h
    while True:
        bit = 1 << (bits & 31)
        datamap = node.datamap
        if datamap & bit:
            arr = node.array
            i = _popcount(datamap & (bit - 1)) << 1
            k = arr[i]
            if k is key or ((hash(k) & _M64) == h and k == key):
                return arr[i + 1]
            return _NOTFOUND
        nodemap = node.nodemap
        if not nodemap & bit:
            break
        node = node.array[(_popcount(datamap) << 1) + _popcount(nodemap & (bit - 1))]
        bits >>= 5
    if type(node) is CollisionNode and node.hash == h:
        arr = node.array
        for i in range(0, len(arr), 2):
            k = arr[i]
            if k is key or k == key:
                return arr[i + 1]
    return _NOTFOUND


# ---------------------------------------------------------------------------
# assoc
# ---------------------------------------------------------------------------

def _pair(shift, k1, h1, v1, k2, h2, v2, owner):
    """A subtree holding two entries with different hashes, at ``shift``.

    The entries go into the first node where their index bits differ; above
    it, a chain of single-child nodes while the bits agree.  The two hashes
    agree below ``shift`` (``assoc`` sees to it, also for a key whose hash
    changed), so they part at the last level (``_MAX_SHIFT``) at the latest.
    """
    if shift > _MAX_SHIFT:      # unreachable: no trie grows past its last level
        raise SystemError("march: split past the last level of the trie")
    i1 = (h1 >> shift) & _MASK
    i2 = (h2 >> shift) & _MASK
    if i1 == i2:
        child = _pair(shift + _BITS, k1, h1, v1, k2, h2, v2, owner)
        return BitmapNode(0, 1 << i1, 2, owner, [child])
    if i1 < i2:
        arr = [k1, v1, k2, v2]
    else:
        arr = [k2, v2, k1, v1]
    return BitmapNode((1 << i1) | (1 << i2), 0, 2, owner, arr)


def _push_down(shift, cnode, key, h, value, owner):
    """A subtree holding collision node ``cnode`` and a new entry, at ``shift``.

    ``h`` differs from ``cnode.hash``: like ``_pair``, with the collision
    node as a child where the two part.
    """
    if shift > _MAX_SHIFT:      # unreachable, as in _pair
        raise SystemError("march: split past the last level of the trie")
    i1 = (cnode.hash >> shift) & _MASK
    i2 = (h >> shift) & _MASK
    if i1 == i2:
        child = _push_down(shift + _BITS, cnode, key, h, value, owner)
        return BitmapNode(0, 1 << i1, child.count, owner, [child])
    return BitmapNode(1 << i2, 1 << i1, cnode.count + 1, owner, [key, value, cnode])


def assoc(node, shift, key, h, value, owner):
    """Bind ``key`` (hash ``h``) to ``value`` in the subtree ``node``.

    Returns the new subtree: ``node`` itself when nothing changed (the stored
    value is ``value`` itself) or when it was edited in place (``owner`` is
    non-zero and owns ``node``); otherwise a copy (path copying) owned by
    ``owner``.  Whether the key was new shows in the ``count`` of the result
    (read ``node.count`` before the call).
    """
    if type(node) is CollisionNode:
        return _assoc_collision(node, shift, key, h, value, owner)
    bit = 1 << ((h >> shift) & _MASK)
    datamap = node.datamap
    arr = node.array
    if datamap & bit:
        # the slot holds an entry: same key -> replace the value, else split
        i = _popcount(datamap & (bit - 1)) << 1
        k = arr[i]
        if k is key:
            kh = h
        else:
            kh = hash(k) & _M64
        if kh == h and (k is key or k == key):
            if arr[i + 1] is value:
                return node
            if owner and node.owner == owner:
                arr[i + 1] = value
                return node
            arr = arr[:]
            arr[i + 1] = value
            return BitmapNode(datamap, node.nodemap, node.count, owner, arr)
        # Another key: its hash as the trie knows it.  It sits on the path
        # of h, so its bits below shift + 5 are h's; the others are its
        # current hash's.  (They differ only for a key whose hash changed
        # since it was stored, a user error that dict survives: with its
        # current hash whole, _pair would have to separate two hashes that
        # agree on every bit from shift + 5 up, past the last level.)  The
        # two hashes are now equal -- a collision node, at the last level
        # too -- or differ at a level _pair reaches.
        low = (1 << (shift + _BITS)) - 1
        kh = (kh & ~low) | (h & low)
        if kh == h:
            sub = CollisionNode(h, 2, owner, [k, arr[i + 1], key, value])
        else:
            sub = _pair(shift + _BITS, k, kh, arr[i + 1], key, h, value, owner)
        nodemap = node.nodemap
        j = (_popcount(datamap) << 1) + _popcount(nodemap & (bit - 1))
        if owner and node.owner == owner:
            arr.insert(j, sub)
            del arr[i:i + 2]
            node.datamap = datamap ^ bit
            node.nodemap = nodemap | bit
            node.count += 1
            return node
        arr = arr[:]
        arr.insert(j, sub)
        del arr[i:i + 2]
        return BitmapNode(datamap ^ bit, nodemap | bit, node.count + 1, owner, arr)
    nodemap = node.nodemap
    if nodemap & bit:
        # the slot holds a child: recurse
        j = (_popcount(datamap) << 1) + _popcount(nodemap & (bit - 1))
        child = arr[j]
        before = child.count
        new = assoc(child, shift + _BITS, key, h, value, owner)
        added = new.count - before
        if new is child:
            if not added:
                return node
            # the child grew in place, so this node is owned too
            if owner and node.owner == owner:
                node.count += added
                return node
            return BitmapNode(datamap, nodemap, node.count + added, owner, arr[:])
        if owner and node.owner == owner:
            arr[j] = new
            node.count += added
            return node
        arr = arr[:]
        arr[j] = new
        return BitmapNode(datamap, nodemap, node.count + added, owner, arr)
    # the slot is empty: a new inline entry
    i = _popcount(datamap & (bit - 1)) << 1
    if owner and node.owner == owner:
        arr[i:i] = (key, value)
        node.datamap = datamap | bit
        node.count += 1
        return node
    arr = arr[:]
    arr[i:i] = (key, value)
    return BitmapNode(datamap | bit, nodemap, node.count + 1, owner, arr)


def _assoc_collision(node, shift, key, h, value, owner):
    if node.hash != h:
        return _push_down(shift, node, key, h, value, owner)
    arr = node.array
    for i in range(0, len(arr), 2):
        k = arr[i]
        if k is key or k == key:
            if arr[i + 1] is value:
                return node
            if owner and node.owner == owner:
                arr[i + 1] = value
                return node
            arr = arr[:]
            arr[i + 1] = value
            return CollisionNode(h, node.count, owner, arr)
    if owner and node.owner == owner:
        arr.append(key)
        arr.append(value)
        node.count += 1
        return node
    return CollisionNode(h, node.count + 1, owner, arr + [key, value])


# ---------------------------------------------------------------------------
# without
# ---------------------------------------------------------------------------

def without(node, shift, key, h, owner):
    """Remove ``key`` (hash ``h``) from the subtree ``node``.

    Returns ``node`` itself with an unchanged ``count`` when the key is
    absent; otherwise the new subtree (``node`` itself when edited in place).
    The result may break rule 2 (a non-root ``BitmapNode`` or a
    ``CollisionNode`` left with one entry): the caller inlines that entry.
    Rule 3 is kept here: a non-root node left with nothing but a collision
    node child returns that collision node.
    """
    if type(node) is CollisionNode:
        return _without_collision(node, key, h, owner)
    bit = 1 << ((h >> shift) & _MASK)
    datamap = node.datamap
    nodemap = node.nodemap
    arr = node.array
    if datamap & bit:
        i = _popcount(datamap & (bit - 1)) << 1
        k = arr[i]
        if not (k is key or ((hash(k) & _M64) == h and k == key)):
            return node
        datamap ^= bit
        if owner and node.owner == owner:
            del arr[i:i + 2]
            node.datamap = datamap
            node.count -= 1
        elif node.count == 1:
            return _EMPTY                   # only the root gets here
        else:
            arr = arr[:]
            del arr[i:i + 2]
            node = BitmapNode(datamap, nodemap, node.count - 1, owner, arr)
    elif nodemap & bit:
        j = (_popcount(datamap) << 1) + _popcount(nodemap & (bit - 1))
        child = arr[j]
        before = child.count
        new = without(child, shift + _BITS, key, h, owner)
        if new.count == before:
            return node                     # absent
        if new.count == 1:
            # rule 2: inline the child's last entry here
            k = new.array[0]
            v = new.array[1]
            i = _popcount(datamap & (bit - 1)) << 1
            datamap |= bit
            nodemap ^= bit
            if owner and node.owner == owner:
                del arr[j]
                arr[i:i] = (k, v)
                node.datamap = datamap
                node.nodemap = nodemap
                node.count -= 1
                return node                 # it has data now: rule 3 holds
            arr = arr[:]
            del arr[j]
            arr[i:i] = (k, v)
            return BitmapNode(datamap, nodemap, node.count - 1, owner, arr)
        if owner and node.owner == owner:
            arr[j] = new
            node.count -= 1
        elif new is child:                  # edited in place below: not expected
            node = BitmapNode(datamap, nodemap, node.count - 1, owner, arr[:])
        else:
            arr = arr[:]
            arr[j] = new
            node = BitmapNode(datamap, nodemap, node.count - 1, owner, arr)
    else:
        return node
    # rule 3: a non-root node that is now a lone collision node gives way to it
    if shift and not datamap and len(arr) == 1 and type(arr[0]) is CollisionNode:
        return arr[0]
    return node


def _without_collision(node, key, h, owner):
    if node.hash != h:
        return node
    arr = node.array
    for i in range(0, len(arr), 2):
        k = arr[i]
        if k is key or k == key:
            break
    else:
        return node
    if owner and node.owner == owner:
        del arr[i:i + 2]
        node.count -= 1
        return node
    arr = arr[:]
    del arr[i:i + 2]
    return CollisionNode(h, node.count - 1, owner, arr)


# ---------------------------------------------------------------------------
# build (bulk construction of a new map)
# ---------------------------------------------------------------------------

def build(entries):
    """The canonical trie of ``entries``, a list of ``(h, key, value)``.

    Gives exactly the trie that inserting the entries one by one into an
    empty map would give (a later duplicate key replaces the value and keeps
    the first key and place), but sorts the entries into slots level by level
    instead of descending from the root for each one.  Duplicate keys have
    equal hashes, so they only ever meet in a group of equal hashes.
    """
    return _build_node(entries, 0)


def _build_node(entries, shift):
    """A BitmapNode for ``entries`` (all agree on the hash bits below ``shift``)."""
    groups = {}
    for e in entries:
        i = (e[0] >> shift) & _MASK
        g = groups.get(i)
        if g is None:
            groups[i] = [e]
        else:
            g.append(e)
    datamap = nodemap = 0
    count = 0
    data = []
    children = []
    for i in sorted(groups):
        g = groups[i]
        if len(g) > 1:
            sub = _build_group(g, shift + _BITS)
            if type(sub) is not list:
                nodemap |= 1 << i
                children.append(sub)
                count += sub.count
                continue
        else:
            sub = g[0][1:]
        datamap |= 1 << i
        data += sub
        count += 1
    data += children
    return BitmapNode(datamap, nodemap, count, 0, data)


def _build_group(g, shift):
    """The contents of one slot holding several entries: a child node, or
    ``[key, value]`` when they all turn out to be the same key."""
    h = g[0][0]
    if g[-1][0] != h or len({e[0] for e in g}) != 1:
        return _build_node(g, shift)        # two hashes at least: a subtree
    arr = []
    for _, key, value in g:
        for i in range(0, len(arr), 2):
            k = arr[i]
            if k is key or k == key:
                arr[i + 1] = value
                break
        else:
            arr.append(key)
            arr.append(value)
    if len(arr) == 2:
        return arr
    return CollisionNode(h, len(arr) >> 1, 0, arr)


# ---------------------------------------------------------------------------
# iterate
# ---------------------------------------------------------------------------

def iterate(root):
    """Yield the ``(key, value)`` pairs of the trie in iteration order."""
    stack = [root]
    pop = stack.pop
    while stack:
        node = pop()
        arr = node.array
        if type(node) is BitmapNode:
            nd = _popcount(node.datamap) << 1
            if nd:
                yield from zip(arr[0:nd:2], arr[1:nd:2])
            if nd < len(arr):
                stack += arr[:nd - 1:-1] if nd else arr[::-1]
        else:
            yield from zip(arr[0::2], arr[1::2])


def iterate_keys(root):
    """Yield the keys of the trie in iteration order."""
    stack = [root]
    pop = stack.pop
    while stack:
        node = pop()
        arr = node.array
        if type(node) is BitmapNode:
            nd = _popcount(node.datamap) << 1
            if nd:
                yield from arr[0:nd:2]
            if nd < len(arr):
                stack += arr[:nd - 1:-1] if nd else arr[::-1]
        else:
            yield from arr[0::2]


def iterate_values(root):
    """Yield the values of the trie in iteration order."""
    stack = [root]
    pop = stack.pop
    while stack:
        node = pop()
        arr = node.array
        if type(node) is BitmapNode:
            nd = _popcount(node.datamap) << 1
            if nd:
                yield from arr[1:nd:2]
            if nd < len(arr):
                stack += arr[:nd - 1:-1] if nd else arr[::-1]
        else:
            yield from arr[1::2]


# ---------------------------------------------------------------------------
# equal
# ---------------------------------------------------------------------------

def equal(a, b):
    """Whether two subtrees hold the same entries (values compared with ==).

    Canonical form makes equal tries equal in shape, so the walk goes node
    by node and skips any subtree the two share.
    """
    if a is b:
        return True
    if type(a) is not type(b) or a.count != b.count:
        return False
    aa = a.array
    ba = b.array
    if type(a) is CollisionNode:
        if a.hash != b.hash:
            return False
        for i in range(0, len(aa), 2):
            k = aa[i]
            for j in range(0, len(ba), 2):
                k2 = ba[j]
                if k is k2 or k == k2:
                    v = aa[i + 1]
                    v2 = ba[j + 1]
                    if not (v is v2 or v == v2):
                        return False
                    break
            else:
                return False
        return True
    if a.datamap != b.datamap or a.nodemap != b.nodemap:
        return False
    nd = _popcount(a.datamap) << 1
    for i in range(0, nd, 2):
        k = aa[i]
        k2 = ba[i]
        if not (k is k2 or ((hash(k) & _M64) == (hash(k2) & _M64) and k == k2)):
            return False
        v = aa[i + 1]
        v2 = ba[i + 1]
        if not (v is v2 or v == v2):
            return False
    for i in range(nd, len(aa)):
        if not equal(aa[i], ba[i]):
            return False
    return True


# ---------------------------------------------------------------------------
# hash_entries
# ---------------------------------------------------------------------------

def hash_entries(root):
    """The order-independent hash of a trie (the formula of the design)."""
    h = 0
    for k, v in iterate(root):
        e = ((hash(k) & _M64) + 0x9E3779B97F4A7C15 * (hash(v) & _M64)) & _M64
        h ^= (((e ^ 89869747) ^ (e << 16)) * 3644798167) & _M64
    h ^= ((root.count + 1) * 1927868237) & _M64
    h ^= (h >> 11) ^ (h >> 25)
    h = (h * 69069 + 907133923) & _M64
    if h >= 0x8000000000000000:
        h -= 0x10000000000000000
    if h == -1:
        h = 590923713
    return h


# ---------------------------------------------------------------------------
# check and depth (debugging)
# ---------------------------------------------------------------------------

def _fail(msg, *args):
    raise AssertionError("march.Map invariant: " + (msg % args))


def _same_key(k, k2):
    return k is k2 or ((hash(k) & _M64) == (hash(k2) & _M64) and k == k2)


def check(root):
    """Verify every invariant of the trie; raise AssertionError if one fails."""
    if type(root) is not BitmapNode:
        _fail("the root is a %s, not a BitmapNode", type(root).__name__)
    _check_node(root, 0, 0)


def _check_node(node, shift, prefix):
    """Check ``node`` at ``shift``; every hash below it ends with ``prefix``.

    Returns the number of entries in the subtree.
    """
    low = (1 << shift) - 1
    if not isinstance(node.owner, int) or node.owner < 0:
        _fail("bad owner %r", node.owner)
    if not isinstance(node.array, list):
        _fail("array is a %s", type(node.array).__name__)
    arr = node.array
    if type(node) is CollisionNode:
        if shift == 0:
            _fail("a collision node at the root")
        if len(arr) != 2 * node.count or node.count < 2:
            _fail("collision node: count %d, %d slots", node.count, len(arr))
        if node.hash & low != prefix:
            _fail("collision node hash %#x off its path %#x/%d",
                  node.hash, prefix, shift)
        for i in range(0, len(arr), 2):
            if hash(arr[i]) & _M64 != node.hash:
                _fail("key %r in a collision node of hash %#x", arr[i], node.hash)
            for j in range(i + 2, len(arr), 2):
                if _same_key(arr[i], arr[j]):
                    _fail("key %r twice in a collision node", arr[i])
        return node.count
    if type(node) is not BitmapNode:
        _fail("a %s in the trie", type(node).__name__)
    if shift > _MAX_SHIFT:
        _fail("a bitmap node below the last level")
    datamap = node.datamap
    nodemap = node.nodemap
    if not (0 <= datamap < 1 << 32 and 0 <= nodemap < 1 << 32):
        _fail("bitmaps out of range")
    if datamap & nodemap:
        _fail("datamap %#x and nodemap %#x overlap", datamap, nodemap)
    nd = _popcount(datamap) << 1
    if len(arr) != nd + _popcount(nodemap):
        _fail("%d slots for datamap %#x, nodemap %#x", len(arr), datamap, nodemap)
    count = nd >> 1
    pos = 0
    for index in range(32):
        bit = 1 << index
        if datamap & bit:
            k = arr[pos]
            kh = hash(k) & _M64
            if kh & low != prefix or (kh >> shift) & _MASK != index:
                _fail("key %r (hash %#x) off its path", k, kh)
            pos += 2
    for index in range(32):
        bit = 1 << index
        if nodemap & bit:
            child = arr[pos]
            count += _check_node(child, shift + _BITS, prefix | (index << shift))
            pos += 1
    if node.count != count:
        _fail("count %d, but %d entries", node.count, count)
    if shift:
        if count < 2:
            _fail("a non-root bitmap node with %d entries", count)
        if not datamap and len(arr) == 1 and type(arr[0]) is CollisionNode:
            _fail("a non-root bitmap node holding only a collision node")
    return count


def depth(node):
    """The height of the trie: 0 when empty, 1 for a root of inline entries."""
    if type(node) is CollisionNode:
        return 1
    if not node.array:
        return 0
    nd = _popcount(node.datamap) << 1
    d = 0
    for i in range(nd, len(node.array)):
        c = depth(node.array[i])
        if c > d:
            d = c
    return d + 1


# ---------------------------------------------------------------------------
# repr guard (a map reachable from its own values prints "{...}" there, as
# immutables and dict do)
# ---------------------------------------------------------------------------

_repr_running = set()


def _repr_entries(obj, prefix, root):
    key = (id(obj), _get_ident())
    if key in _repr_running:
        return "{...}"
    _repr_running.add(key)
    try:
        return "%s({%s})" % (prefix, ", ".join(
            ["%r: %r" % (k, v) for k, v in iterate(root)]))
    finally:
        _repr_running.discard(key)


def _pairs(col, kw):
    """The (key, value) pairs of an update argument, as immutables reads them."""
    if col is not None:
        it = iter(col.items()) if hasattr(col, "items") else iter(col)
        if kw:
            it = _itertools.chain(it, kw.items())
    elif kw:
        it = iter(kw.items())
    else:
        return None
    return it


def _as_pair(item, i):
    """Element ``#i`` of an update sequence as a ``(key, value)`` pair."""
    try:
        item = tuple(item)
    except TypeError:
        raise TypeError(
            "cannot convert map update sequence element #%d "
            "to a sequence" % i) from None
    if len(item) != 2:
        raise ValueError(
            "map update sequence element #%d has length %d; "
            "2 is required" % (i, len(item)))
    return item


def _entries(it):
    """The ``(h, key, value)`` triples of an update sequence, for ``build``."""
    entries = []
    append = entries.append
    i = 0
    for item in it:
        if type(item) is tuple and len(item) == 2:
            key, value = item
        else:
            key, value = _as_pair(item, i)
        append((hash(key) & _M64, key, value))
        i += 1
    return entries


def _update(root, it, owner):
    """Bind every pair of ``it`` into ``root`` (copies owned by ``owner``)."""
    i = 0
    for item in it:
        if type(item) is tuple and len(item) == 2:
            key, value = item
        else:
            key, value = _as_pair(item, i)
        root = assoc(root, 0, key, hash(key) & _M64, value, owner)
        i += 1
    return root


# ---------------------------------------------------------------------------
# Map
# ---------------------------------------------------------------------------

def _new_map(root):
    m = _object_new(Map)
    m._root = root
    m._hash = None
    return m


_object_new = object.__new__


class Map:
    """An immutable mapping: a hash array mapped trie (HAMT).

    ``Map()``, ``Map(mapping)``, ``Map(iterable_of_pairs)``, with optional
    keyword arguments, like ``dict``.  Operations that change it return a
    new map and leave the original unchanged.

    ``Map`` may be subclassed: ``Sub(...)`` and ``Sub.from_keys(...)`` make
    a ``Sub``; an operation that changes the map (``set``, ``delete``,
    ``update``, ``|``, the algebra, ``filter``, ..., ``mutate().finish()``)
    returns a plain ``Map``, one that changes nothing returns the map itself
    (the rule of immutables' pure-Python ``Map``), as in C.
    """

    __slots__ = ("_root", "_hash", "__weakref__")

    def __new__(cls, /, *args, **kw):
        if len(args) > 1:
            raise TypeError(
                "Map expected at most 1 argument, got %d" % len(args))
        col = args[0] if args else None
        self = _object_new(cls)
        self._root = _EMPTY
        self._hash = None
        if isinstance(col, Map):
            self._root = col._root
            self._hash = col._hash
            col = None
        elif isinstance(col, MapMutation):
            raise TypeError("cannot create Maps from MapMutations")
        it = _pairs(col, kw)
        if it is not None:
            if self._root is _EMPTY:
                self._root = build(_entries(it))
            else:
                self._root = _update(self._root, it, _next_owner())
            self._hash = None
        return self

    def __init__(self, /, *args, **kw):
        pass

    __class_getitem__ = classmethod(_types.GenericAlias)
    __reversed__ = None     # not a sequence, despite __len__ and __getitem__

    # -- reading --------------------------------------------------------

    def __len__(self):
        return self._root.count

    def __getitem__(self, key):
        value = find(self._root, key, hash(key) & _M64)
        if value is _NOTFOUND:
            raise KeyError(key)
        return value

    def get(self, key, default=None, /):
        value = find(self._root, key, hash(key) & _M64)
        if value is _NOTFOUND:
            return default
        return value

    def __contains__(self, key):
        return find(self._root, key, hash(key) & _M64) is not _NOTFOUND

    def __iter__(self):
        return iterate_keys(self._root)

    def keys(self):
        return MapKeys(self)

    def values(self):
        return MapValues(self)

    def items(self):
        return MapItems(self)

    # -- new maps -------------------------------------------------------

    def set(self, key, value, /):
        root = self._root
        new = assoc(root, 0, key, hash(key) & _M64, value, 0)
        if new is root:
            return self
        return _new_map(new)

    def delete(self, key, /):
        root = self._root
        new = without(root, 0, key, hash(key) & _M64, 0)
        if new is root:
            raise KeyError(key)
        return _new_map(new)

    def discard(self, key, /):
        root = self._root
        new = without(root, 0, key, hash(key) & _M64, 0)
        if new is root:
            return self
        return _new_map(new)

    def update(self, /, *args, **kw):
        if len(args) > 1:
            raise TypeError(
                "update expected at most 1 argument, got %d" % len(args))
        col = args[0] if args else None
        root = self._root
        if isinstance(col, Map):
            # structural union (hamtset.py): shared subtrees cost nothing
            owner = _next_owner()
            new = _hs.union_roots(root, col._root, None, owner)
            if kw:
                new = _update(new, iter(kw.items()), owner)
        else:
            it = _pairs(col, kw)
            if it is None:
                return self
            new = _update(root, it, _next_owner())
        if new is root:
            return self
        return _new_map(new)

    def __or__(self, other):
        root = self._root
        if isinstance(other, Map):
            new = _hs.union_roots(root, other._root, None, _next_owner())
            if new is not root and new is other._root and type(other) is Map:
                return other            # self is empty (as in C)
        elif isinstance(other, _abc.Mapping):
            new = _update(root, iter(other.items()), _next_owner())
        else:
            return NotImplemented
        if new is root:
            return self                 # unchanged: self, even a subclass's
        return _new_map(new)

    def mutate(self):
        return _new_mutation(self._root)

    # -- comparing, hashing, printing, pickling ---------------------------

    def __eq__(self, other):
        if not isinstance(other, Map):
            return NotImplemented
        return equal(self._root, other._root)

    def __hash__(self):
        h = self._hash
        if h is None:
            h = self._hash = hash_entries(self._root)
        return h

    def __repr__(self):
        return _repr_entries(self, "march.Map", self._root)

    def __reduce__(self):
        return (type(self), (dict(iterate(self._root)),))

    # -- debugging -------------------------------------------------------

    def _check(self):
        """Verify the trie's invariants (AssertionError on a violation)."""
        check(self._root)

    def _depth(self):
        """The height of the trie (0 when empty)."""
        return depth(self._root)


_abc.Mapping.register(Map)


# ---------------------------------------------------------------------------
# MapMutation
# ---------------------------------------------------------------------------

def _new_mutation(root):
    mm = _object_new(MapMutation)
    mm._root = root
    mm._owner = _next_owner()
    mm._busy = 0
    return mm


_BUSY = "MapMutation changed by a key's __hash__/__eq__ while in use"


class MapMutation:
    """A mutable draft of a ``Map`` (``Map.mutate()``); ``finish()`` ends it.

    It edits in place the nodes it has copied, so a batch of changes costs
    less than as many persistent operations.  The map it came from and any
    map made before ``finish()`` are never affected.

    Re-entrance: a key's ``__eq__`` (or an update's iterator, a ``__repr__``,
    a finalizer run by a collection) may try to change the mutation while one
    of its operations is walking the trie.  Editing nodes in place under the
    feet of that walk would break the trie, so ``_busy`` counts the
    operations in progress and any change (or ``finish()``) meanwhile raises
    ``RuntimeError``.  A key's ``__hash__`` runs before the operation starts,
    so it may change the mutation -- or finish it: every edit checks that it
    may go on after hashing the key (``ValueError`` on a finished mutation).

    ``MapMutation`` cannot be subclassed (as in C), pickled or copied
    (``TypeError``).
    """

    __slots__ = ("_root", "_owner", "_busy", "__weakref__")

    def __new__(cls, /, *args, **kw):
        raise TypeError("cannot create 'MapMutation' instances")

    def __init_subclass__(cls, **kw):
        raise TypeError("type 'MapMutation' is not an acceptable base type")

    __hash__ = None
    __iter__ = None         # not iterable (as immutables), despite __getitem__

    def _writable(self):
        """The owner id, once sure that the mutation may change now."""
        owner = self._owner
        if not owner:
            raise ValueError(_FINISHED)
        if self._busy:
            raise RuntimeError(_BUSY)
        return owner

    def _find(self, key):
        h = hash(key) & _M64
        self._busy += 1
        try:
            return find(self._root, key, h)
        finally:
            self._busy -= 1

    def __len__(self):
        return self._root.count

    def __getitem__(self, key):
        value = self._find(key)
        if value is _NOTFOUND:
            raise KeyError(key)
        return value

    def get(self, key, default=None, /):
        value = self._find(key)
        if value is _NOTFOUND:
            return default
        return value

    def __contains__(self, key):
        return self._find(key) is not _NOTFOUND

    def __setitem__(self, key, value):
        self._writable()
        h = hash(key) & _M64
        owner = self._writable()            # __hash__ may have finished it
        self._busy += 1
        try:
            self._root = assoc(self._root, 0, key, h, value, owner)
        finally:
            self._busy -= 1

    set = __setitem__

    def _without(self, key, missing):
        """Remove ``key``; return its value, or ``missing`` when absent."""
        self._writable()
        h = hash(key) & _M64
        owner = self._writable()
        self._busy += 1
        try:
            root = self._root
            before = root.count
            value = find(root, key, h)
            if value is not _NOTFOUND:
                root = self._root = without(root, 0, key, h, owner)
                # (not removed: a key whose __eq__ changed its answer)
                if root.count != before:
                    return value
        finally:
            self._busy -= 1
        if missing is _NOTFOUND:
            raise KeyError(key)
        return missing

    def __delitem__(self, key):
        self._writable()
        h = hash(key) & _M64
        owner = self._writable()
        self._busy += 1
        try:
            root = self._root
            before = root.count
            root = without(root, 0, key, h, owner)
        finally:
            self._busy -= 1
        if root.count == before:
            raise KeyError(key)
        self._root = root

    delete = __delitem__

    def pop(self, key, *default):
        if len(default) > 1:
            raise TypeError(
                "pop expected at most 2 arguments, got %d" % (len(default) + 1))
        return self._without(key, default[0] if default else _NOTFOUND)

    def update(self, /, *args, **kw):
        if len(args) > 1:
            raise TypeError(
                "update expected at most 1 argument, got %d" % len(args))
        self._writable()
        col = args[0] if args else None
        if col is None and not kw:
            return
        # All or nothing (as immutables): the batch runs under a fresh owner
        # id, so it copies rather than edits the nodes this mutation owns,
        # and an error midway leaves the mutation as it was.  On success the
        # mutation adopts the fresh id: the nodes the batch made are its own
        # to edit; those it owned before are copied if touched again.  Every
        # call into Python (the argument's items(), its iteration, the keys'
        # __hash__ and __eq__) runs with _busy raised: nothing can finish or
        # edit the mutation meanwhile.
        fresh = _next_owner()
        self._busy += 1
        try:
            root = self._root
            if type(col) is MapMutation:
                raise TypeError("cannot create Maps from MapMutations")
            if isinstance(col, Map):
                # structural union (hamtset.py): shared subtrees cost nothing
                new = _hs.union_roots(root, col._root, None, fresh)
                if kw:
                    new = _update(new, iter(kw.items()), fresh)
            else:
                new = _update(root, _pairs(col, kw), fresh)
        finally:
            self._busy -= 1
        if new is not root:
            self._root = new
            self._owner = fresh

    def _check(self):
        """Verify the trie's invariants (AssertionError on a violation).

        Busy meanwhile: the check hashes the keys again, and that code must
        not edit the trie being walked.
        """
        self._busy += 1
        try:
            check(self._root)
        finally:
            self._busy -= 1

    def finish(self):
        if self._busy:
            raise RuntimeError(_BUSY)
        # the allocation of the Map may run a collection, hence finalizers
        # and gc.callbacks: _busy keeps them from editing the root being
        # handed over
        self._busy += 1
        try:
            m = _new_map(self._root)
        finally:
            self._busy -= 1
        self._owner = 0     # only once the Map exists (as in C)
        return m

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.finish()
        return False

    def __eq__(self, other):
        if isinstance(other, Map):
            busy = (self,)
        elif isinstance(other, MapMutation):
            busy = (self, other)
        else:
            return NotImplemented
        for mm in busy:
            mm._busy += 1
        try:
            return equal(self._root, other._root)
        finally:
            for mm in busy:
                mm._busy -= 1

    def __repr__(self):
        # a key's or value's __repr__ may try to change the mutation
        self._busy += 1
        try:
            return _repr_entries(self, "march.MapMutation", self._root)
        finally:
            self._busy -= 1

    def __reduce__(self):
        raise TypeError("cannot pickle 'MapMutation' object")


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------

class _MapView:
    """What the three views of a ``Map`` share (C: one ViewObject struct)."""

    __slots__ = ("_map",)
    _NAME = ""

    def __init__(self, m):
        self._map = m

    @property
    def mapping(self):
        """The Map this view shows."""
        return self._map

    def __len__(self):
        return self._map._root.count

    def __repr__(self):
        return "%s(%r)" % (self._NAME, list(self))


class MapKeys(_MapView):
    """The keys of a ``Map`` (``m.keys()``), in iteration order."""

    __slots__ = ()
    _NAME = "MapKeys"

    def __iter__(self):
        return iterate_keys(self._map._root)

    def __contains__(self, key):
        return key in self._map


class MapValues(_MapView):
    """The values of a ``Map`` (``m.values()``), in iteration order."""

    __slots__ = ()
    _NAME = "MapValues"

    def __iter__(self):
        return iterate_values(self._map._root)

    def __contains__(self, value):
        for v in iterate_values(self._map._root):
            if v is value or v == value:
                return True
        return False


class MapItems(_MapView):
    """The ``(key, value)`` pairs of a ``Map`` (``m.items()``)."""

    __slots__ = ()
    _NAME = "MapItems"

    def __iter__(self):
        return iterate(self._map._root)

    def __contains__(self, item):
        if type(item) is not tuple or len(item) != 2:
            return False
        key, value = item
        v = find(self._map._root, key, hash(key) & _M64)
        return v is not _NOTFOUND and (v is value or v == value)


# ---------------------------------------------------------------------------
# Set and the set algebra (hamtset.py, the twin of hamtset.c / setmodule.c)
# ---------------------------------------------------------------------------

from . import hamtset as _hs  # noqa: E402
from .hamtset import ABSENT, Set, SetEvolver, s  # noqa: E402,F401

Map.union = _hs.map_union
Map.intersection = _hs.map_intersection
Map.difference = _hs.map_difference
Map.symmetric_difference = _hs.map_symmetric_difference
Map.diff = _hs.map_diff
Map.from_keys = classmethod(_hs.map_from_keys)
Map.filter = _hs.map_filter
Map.map_values = _hs.map_map_values
_walk_visits = _hs._walk_visits
