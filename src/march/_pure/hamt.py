"""The twin of ``src/march/_core/hamt.c`` (and ``hamt.h``): the algorithms
on one HAMT -- hash, find, assoc, without, equal, hash_entries, iteration.

The node kinds and the canonical form are described in ``hamt_node.py``.
This file and the C one follow the same design, step by step and under the
same function names (the C name without its ``march_`` prefix), so that
iteration order, tree shape, ``repr`` and ``hash(m)`` agree bit for bit
between the two implementations.

Return contracts (C -> twin)
----------------------------
C returns a status and fills out-parameters; the twin returns them
(``-1`` with an exception set is a raised exception here):

``hamt_find(root, key, h)``
    the value, or ``NOTFOUND`` (C: 1 with ``*value`` / 0);
``hamt_assoc(root, key, h, value, owner)``
    ``(new_root, added)``; ``hamt_node_*_assoc`` the same per subtree;
``hamt_without(root, key, h, owner)``
    ``(new_root, found)``;
``hamt_node_*_without(...)``
    ``(W_NOTFOUND, None, None)``, ``(W_NODE, subtree, None)`` or
    ``(W_ENTRY, key, value)`` -- "the subtree collapsed to this one entry",
    which the parent inlines (rule 2); a parent left with a lone collision
    child hands that child up (rule 3).  C's ``W_ENTRY`` also carries the
    entry's lookup tag, which the twin has not.
``hamt_node_collision_find_index(c, key)``
    the slot of ``key``, or -1 (C: 1 with ``*index`` / 0).

Key comparison (``hamt_key_match``): identity first; otherwise the full
hashes must be equal (the stored key's hash is recomputed) and then
``stored == key`` decides.  ``__eq__`` is thus only called between keys with
equal hashes, as in ``dict``.  An exception from ``__hash__``/``__eq__``
propagates and leaves everything unchanged: the algorithms compare keys
before they copy or edit anything.

A key whose hash changes after it was stored (a user error that ``dict``
survives) stays where its old hash put it.  When a new key meets it in its
slot, assoc takes its hash bits below that level from the path and only the
others from its current hash (``hamt_known_hash``), as C does: the two
hashes part at a level the trie has, or are equal (a collision node, at the
last level too).  The trie never grows past its last level and counts stay
right; ``hamt_check()`` reports the key as off its path.

Iteration order: for a ``BitmapNode`` its inline entries in ascending bit
order, then its children in ascending bit order (depth first); for a
``CollisionNode`` its array order.

Persistent operations copy only the path they change.  A transient gets a
fresh owner id; nodes it copies carry that id and it edits them in place
afterwards (``owner`` non-zero and equal to the node's).  C edits in place
only what keeps a node's size (a value, a child pointer) and allocates
otherwise; the twin also grows and shrinks the slot list of a node it owns
in place (a list edit is cheaper than a copy here).  The results are the
same nodes either way.

C-only, no twin: the inline find (``march_hamt_find_inline``, its split
level, ``march_hamt_find_entry``/``_equal``: a lookup is one loop here), the
quick hashes of str and int (``march_hamt_quick_hash``,
``march_int_hash``), ``march_hamt_mix`` (the identity unless C is built with
MARCH_HASH_MIX), reference counting (``hamt_slots_*``, ``hamt_garbage_*``,
stealing slots: ``hamt_node_bitmap_can_steal``/``_emptied``) and GC
tracking (``hamt_node_track``).

Twin-only: ``hamt_iter_keys``/``hamt_iter_values`` (C selects keys, values
or items in its iterator object) and ``hamt_from_entries``, the bulk build
of a new map from many entries (the trie that inserting them one by one
gives; C inserts them one by one).
"""
from .common import popcount32 as _popcount
from .hamt_node import (
    HAMT_BITS, HAMT_MASK, HAMT_MAX_SHIFT, M64, BitmapNode, CollisionNode,
    hamt_node_empty_root,
)

__all__ = [
    "NOTFOUND", "W_NOTFOUND", "W_NODE", "W_ENTRY",
    "hamt_hash", "hamt_key_match", "hamt_known_hash",
    "hamt_find", "hamt_find_collision", "hamt_node_collision_find_index",
    "hamt_node_bitmap_clone_replace", "hamt_node_bitmap_replace_slot",
    "hamt_node_collision_clone", "hamt_node_split",
    "hamt_node_collision_assoc", "hamt_node_bitmap_assoc", "hamt_node_assoc",
    "hamt_assoc", "hamt_root_assoc",
    "hamt_node_collision_without", "hamt_node_bitmap_without",
    "hamt_node_without", "hamt_without", "hamt_root_without",
    "hamt_iter_init", "hamt_iter_keys", "hamt_iter_nodes", "hamt_iter_values",
    "hamt_node_collision_equal", "hamt_node_equal", "hamt_equal",
    "hamt_hash_step", "hamt_hash_finish", "hamt_hash_entries",
    "hamt_from_entries",
]

NOTFOUND = object()     # hamt_find's "absent" (C: return 0)

# what hamt_node_*_without reports (C: enum; W_ERROR = -1 is an exception)
W_NOTFOUND = 0
W_NODE = 1
W_ENTRY = 2
_W_NOTFOUND = (W_NOTFOUND, None, None)


# ---------------------------------------------------------------------------
# hashing and key comparison
# ---------------------------------------------------------------------------

def hamt_hash(key):
    """The hash march uses for a key: ``hash(key)`` as unsigned 64 bits.

    (C: ``march_hamt_hash(key, &h)``.  The hot paths write it out.)
    """
    return hash(key) & M64


def hamt_key_match(stored, key, h):
    """A stored key against ``key`` (hash ``h``): ``(matched, stored_hash)``.

    Identity, else equal full hashes and then ``stored == key``.  The
    stored key's hash is returned as well (assoc needs it when the keys
    differ).  The hot paths of this file write it out.
    """
    if stored is key:
        return True, h
    h2 = hash(stored) & M64
    if h2 != h:
        return False, h2
    return bool(stored == key), h2


def hamt_known_hash(h, path, bits):
    """The hash of a stored entry as the trie knows it: its bits below
    ``bits`` are those of ``path`` (the hash of the key being inserted along
    that path), the others are those of ``h`` (its current hash).  Equal to
    ``h`` unless the key's hash changed since it was stored."""
    low = (1 << bits) - 1
    return (h & ~low) | (path & low)


# ---------------------------------------------------------------------------
# find
# ---------------------------------------------------------------------------

def hamt_node_collision_find_index(c, key):
    """The slot of the key equal to ``key`` in a collision node, or -1 (the
    caller has compared the hashes)."""
    arr = c.array
    for i in range(0, len(arr), 2):
        k = arr[i]
        if k is key or k == key:
            return i
    return -1


def hamt_find_collision(node, key, h):
    """``key`` in a collision node: its value, or ``NOTFOUND``."""
    if node.hash != h:
        return NOTFOUND
    i = hamt_node_collision_find_index(node, key)
    if i < 0:
        return NOTFOUND
    return node.array[i + 1]


def hamt_find(root, key, h):
    """Return the value bound to ``key`` (hash ``h``), or ``NOTFOUND``.

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
            if k is key or ((hash(k) & M64) == h and k == key):
                return arr[i + 1]
            return NOTFOUND
        nodemap = node.nodemap
        if not nodemap & bit:
            break
        node = node.array[(_popcount(datamap) << 1) + _popcount(nodemap & (bit - 1))]
        bits >>= 5
    if type(node) is CollisionNode:
        return hamt_find_collision(node, key, h)
    return NOTFOUND


# ---------------------------------------------------------------------------
# copies and in-place edits
# ---------------------------------------------------------------------------

def hamt_node_bitmap_clone_replace(node, owner, idx, obj):
    """A copy of ``node`` owned by ``owner`` whose slot ``idx`` holds ``obj``."""
    arr = node.array[:]
    arr[idx] = obj
    return BitmapNode(node.datamap, node.nodemap, node.count, owner, arr)


def hamt_node_bitmap_replace_slot(node, editable, owner, idx, obj, delta):
    """``node`` with slot ``idx`` holding ``obj`` and ``delta`` entries more
    in its subtree: edited in place when the transient owns it
    (``editable``), else a copy.  (The hot paths of assoc and without write
    it out.)"""
    if editable:
        node.array[idx] = obj
        node.count += delta
        return node
    n = hamt_node_bitmap_clone_replace(node, owner, idx, obj)
    n.count += delta
    return n


def hamt_node_collision_clone(node, owner):
    """A copy of a collision node, owned by ``owner``."""
    return CollisionNode(node.hash, node.count, owner, node.array[:])


# ---------------------------------------------------------------------------
# assoc
# ---------------------------------------------------------------------------

def hamt_node_split(shift, anode, k1, v1, h1, k2, v2, h2, owner):
    """A subtree at level ``shift`` holding A and the entry ``(k2, v2)``,
    whose hashes ``h1 != h2`` agree on all the bits below ``shift``.  A is
    the entry ``(k1, v1)`` (``anode`` None) or the collision node ``anode``
    (of hash ``h1``).

    The two go into the first node where their index bits differ; above it,
    a chain of single-child nodes while the bits agree.  The callers see to
    it that the hashes agree below ``shift`` (also for a key whose hash
    changed), so they part at the last level at the latest.
    """
    if shift > HAMT_MAX_SHIFT:  # unreachable: no trie grows past its last level
        raise SystemError("march: split past the last level of the trie")
    i1 = (h1 >> shift) & HAMT_MASK
    i2 = (h2 >> shift) & HAMT_MASK
    if i1 == i2:
        sub = hamt_node_split(shift + HAMT_BITS, anode, k1, v1, h1, k2, v2, h2,
                              owner)
        return BitmapNode(0, 1 << i1, sub.count, owner, [sub])
    if anode is None:
        if i1 < i2:
            arr = [k1, v1, k2, v2]
        else:
            arr = [k2, v2, k1, v1]
        return BitmapNode((1 << i1) | (1 << i2), 0, 2, owner, arr)
    return BitmapNode(1 << i2, 1 << i1, 1 + anode.count, owner, [k2, v2, anode])


def hamt_node_collision_assoc(c, shift, key, h, value, owner):
    """``hamt_node_assoc`` for a collision node: ``(subtree, added)``."""
    if c.hash != h:
        # a collision node lies on the path of its hash: split here
        return hamt_node_split(shift, c, None, None, c.hash, key, value, h,
                               owner), 1
    i = hamt_node_collision_find_index(c, key)
    if i >= 0:
        arr = c.array
        if arr[i + 1] is value:
            return c, 0
        if owner and c.owner == owner:
            arr[i + 1] = value
            return c, 0
        nc = hamt_node_collision_clone(c, owner)
        nc.array[i + 1] = value
        return nc, 0
    # a new key with the same full hash: append
    if owner and c.owner == owner:
        c.array += (key, value)
        c.count += 1
        return c, 1
    return CollisionNode(h, c.count + 1, owner, c.array + [key, value]), 1


def hamt_node_bitmap_assoc(node, shift, key, h, value, owner):
    """Bind ``key`` (hash ``h``) to ``value`` in the subtree ``node``.

    Returns ``(subtree, added)``: ``node`` itself when nothing changed (the
    stored value is ``value`` itself) or when it was edited in place
    (``owner`` is non-zero and owns ``node``); otherwise a copy (path
    copying) owned by ``owner``.  ``added`` is 1 when the key was new.
    """
    bit = 1 << ((h >> shift) & HAMT_MASK)
    datamap = node.datamap
    arr = node.array
    if datamap & bit:
        i = _popcount(datamap & (bit - 1)) << 1
        k = arr[i]
        # hamt_key_match, written out
        if k is key:
            kh = h
        else:
            kh = hash(k) & M64
        if kh == h and (k is key or k == key):
            if arr[i + 1] is value:
                return node, 0
            return hamt_node_bitmap_replace_slot(
                node, owner and node.owner == owner, owner, i + 1, value, 0), 0
        # Another key in this slot: push both one level down.  The entry
        # sits on the path of h (the bits below shift + 5), so those are
        # its bits as far as the trie is concerned; only the higher ones
        # come from its hash (hamt_known_hash, written out).  They differ
        # from its own hash's only for a key whose hash changed since it was
        # stored (a user error that dict survives): with its current hash
        # whole, hamt_node_split would have to separate two hashes that
        # agree on every bit from shift + 5 up, past the last level.  The
        # two hashes are now equal -- a collision node, at the last level
        # too -- or differ at a level hamt_node_split reaches.
        low = (1 << (shift + HAMT_BITS)) - 1
        kh = (kh & ~low) | (h & low)
        if kh == h:
            sub = CollisionNode(h, 2, owner, [k, arr[i + 1], key, value])
        else:
            sub = hamt_node_split(shift + HAMT_BITS, None, k, arr[i + 1], kh,
                                  key, value, h, owner)
        nodemap = node.nodemap
        j = (_popcount(datamap) << 1) + _popcount(nodemap & (bit - 1))
        if owner and node.owner == owner:
            arr.insert(j, sub)
            del arr[i:i + 2]
            node.datamap = datamap ^ bit
            node.nodemap = nodemap | bit
            node.count += 1
            return node, 1
        arr = arr[:]
        arr.insert(j, sub)
        del arr[i:i + 2]
        return BitmapNode(datamap ^ bit, nodemap | bit, node.count + 1, owner,
                          arr), 1
    nodemap = node.nodemap
    if nodemap & bit:
        # the slot holds a child: recurse (hamt_node_assoc, written out)
        j = (_popcount(datamap) << 1) + _popcount(nodemap & (bit - 1))
        child = arr[j]
        if type(child) is BitmapNode:
            sub, added = hamt_node_bitmap_assoc(child, shift + HAMT_BITS, key,
                                                h, value, owner)
        else:
            sub, added = hamt_node_collision_assoc(child, shift + HAMT_BITS,
                                                   key, h, value, owner)
        if sub is child and not added:
            return node, 0          # unchanged, or a value replaced below
        # a new child, or the child grew in place (then node is editable
        # too): hamt_node_bitmap_replace_slot, written out
        if owner and node.owner == owner:
            arr[j] = sub
            node.count += added
            return node, added
        arr = arr[:]
        arr[j] = sub
        return BitmapNode(datamap, nodemap, node.count + added, owner,
                          arr), added
    # the slot is empty: a new inline entry
    i = _popcount(datamap & (bit - 1)) << 1
    if owner and node.owner == owner:
        arr[i:i] = (key, value)
        node.datamap = datamap | bit
        node.count += 1
        return node, 1
    arr = arr[:]
    arr[i:i] = (key, value)
    return BitmapNode(datamap | bit, nodemap, node.count + 1, owner, arr), 1


def hamt_node_assoc(node, shift, key, h, value, owner):
    """Bind ``key`` in the subtree ``node`` of either kind:
    ``(subtree, added)``."""
    if type(node) is BitmapNode:
        return hamt_node_bitmap_assoc(node, shift, key, h, value, owner)
    return hamt_node_collision_assoc(node, shift, key, h, value, owner)


def hamt_assoc(root, key, h, value, owner):
    """Bind ``key`` (hash ``h``) to ``value``: ``(new_root, added)``.

    The new root is ``root`` itself when nothing changed (value identical)
    or when it was edited in place (``owner`` non-zero and owning it).
    """
    return hamt_node_bitmap_assoc(root, 0, key, h, value, owner)


def hamt_root_assoc(root, key, h, value, owner):
    """``root`` with ``key`` bound to ``value``, editing the nodes ``owner``
    owns in place; ``h`` is the key's hash, or None to compute it.  Returns
    the new root (C: replaces ``*root``)."""
    if h is None:
        h = hash(key) & M64
    return hamt_node_bitmap_assoc(root, 0, key, h, value, owner)[0]


# ---------------------------------------------------------------------------
# without
# ---------------------------------------------------------------------------

def hamt_node_collision_without(c, shift, key, h, owner):
    """``hamt_node_without`` for a collision node."""
    if c.hash != h:
        return _W_NOTFOUND
    i = hamt_node_collision_find_index(c, key)
    if i < 0:
        return _W_NOTFOUND
    arr = c.array
    if len(arr) == 4:
        o = 2 if i == 0 else 0
        return W_ENTRY, arr[o], arr[o + 1]      # never the root
    if owner and c.owner == owner:
        del arr[i:i + 2]
        c.count -= 1
        return W_NODE, c, None
    arr = arr[:]
    del arr[i:i + 2]
    return W_NODE, CollisionNode(h, c.count - 1, owner, arr), None


def hamt_node_bitmap_without(node, shift, key, h, owner, is_root):
    """Remove ``key`` (hash ``h``) from the subtree ``node``.

    Returns ``(W_NOTFOUND, None, None)`` when the key is absent,
    ``(W_ENTRY, key, value)`` when a non-root subtree is left with that one
    entry (the parent inlines it: rule 2), else ``(W_NODE, subtree, None)``
    (``node`` itself when edited in place).  A non-root node left with
    nothing but a collision node child gives way to it (rule 3).
    """
    bit = 1 << ((h >> shift) & HAMT_MASK)
    datamap = node.datamap
    nodemap = node.nodemap
    arr = node.array
    if datamap & bit:
        i = _popcount(datamap & (bit - 1)) << 1
        k = arr[i]
        # hamt_key_match, written out
        if not (k is key or ((hash(k) & M64) == h and k == key)):
            return _W_NOTFOUND
        if not is_root:
            if node.count == 2:
                # canonical: the other item is an entry
                o = 2 if i == 0 else 0
                return W_ENTRY, arr[o], arr[o + 1]
            if (datamap == bit and _popcount(nodemap) == 1
                    and type(arr[2]) is CollisionNode):
                # rule 3: the lone collision node replaces this node
                return W_NODE, arr[2], None
        if owner and node.owner == owner:
            del arr[i:i + 2]
            node.datamap = datamap ^ bit
            node.count -= 1
            return W_NODE, node, None
        arr = arr[:]
        del arr[i:i + 2]
        return W_NODE, BitmapNode(datamap ^ bit, nodemap, node.count - 1,
                                  owner, arr), None
    if nodemap & bit:
        j = (_popcount(datamap) << 1) + _popcount(nodemap & (bit - 1))
        child = arr[j]
        # hamt_node_without, written out
        if type(child) is BitmapNode:
            res = hamt_node_bitmap_without(child, shift + HAMT_BITS, key, h,
                                           owner, False)
        else:
            res = hamt_node_collision_without(child, shift + HAMT_BITS, key,
                                              h, owner)
        r = res[0]
        if r == W_NOTFOUND:
            return res
        if r == W_ENTRY:
            if not is_root and node.count == 2:
                # this node held only that child: collapse further
                return res
            # inline the entry: one child slot out, two entry slots in
            i = _popcount(datamap & (bit - 1)) << 1
            if owner and node.owner == owner:
                del arr[j]
                arr[i:i] = res[1:]
                node.datamap = datamap | bit
                node.nodemap = nodemap ^ bit
                node.count -= 1
                return W_NODE, node, None
            arr = arr[:]
            del arr[j]
            arr[i:i] = res[1:]
            return W_NODE, BitmapNode(datamap | bit, nodemap ^ bit,
                                      node.count - 1, owner, arr), None
        # W_NODE
        sub = res[1]
        if (not is_root and not datamap and nodemap == bit
                and type(sub) is CollisionNode):
            return res      # rule 3: hoist the collision node
        # a new child, or the child edited in place (then node is
        # editable): hamt_node_bitmap_replace_slot, written out
        if owner and node.owner == owner:
            arr[j] = sub
            node.count -= 1
            return W_NODE, node, None
        arr = arr[:]
        arr[j] = sub
        return W_NODE, BitmapNode(datamap, nodemap, node.count - 1, owner,
                                  arr), None
    return _W_NOTFOUND


def hamt_node_without(node, shift, key, h, owner, is_root):
    """Remove ``key`` from the subtree ``node`` of either kind (the W_*
    contract of ``hamt_node_bitmap_without``)."""
    if type(node) is BitmapNode:
        return hamt_node_bitmap_without(node, shift, key, h, owner, is_root)
    return hamt_node_collision_without(node, shift, key, h, owner)


def hamt_without(root, key, h, owner):
    """Remove ``key`` (hash ``h``): ``(new_root, found)``.

    The new root is ``root`` itself when the key is absent (``found``
    False) or when it was edited in place; an emptied map gets the shared
    empty root.
    """
    res = hamt_node_bitmap_without(root, 0, key, h, owner, True)
    if res[0] == W_NOTFOUND:
        return root, False
    node = res[1]           # W_NODE: the root never collapses to an entry
    if not node.count:
        return hamt_node_empty_root(), True
    return node, True


def hamt_root_without(root, key, h, owner):
    """``root`` without ``key``, the same way as ``hamt_root_assoc``:
    ``(new_root, found)`` (C: replaces ``*root``, returns 1 / 0)."""
    if h is None:
        h = hash(key) & M64
    return hamt_without(root, key, h, owner)


# ---------------------------------------------------------------------------
# iteration
# ---------------------------------------------------------------------------

def hamt_iter_nodes(root):
    """The nodes of the trie in iteration order, each as ``(nd, array)``:
    its entries are ``array[:nd]`` (twin-only: the one walk behind
    ``hamt_iter_init``, ``hamt_iter_keys`` and ``hamt_iter_values``; C's
    iterator selects keys, values or items per step instead).  A node's
    children are pushed before it is yielded, so the walk goes on in the
    same order whatever the consumer does between steps."""
    stack = [root]
    pop = stack.pop
    while stack:
        node = pop()
        arr = node.array
        if type(node) is BitmapNode:
            nd = _popcount(node.datamap) << 1
            if nd < len(arr):
                stack += arr[:nd - 1:-1] if nd else arr[::-1]
            yield nd, arr
        else:
            yield len(arr), arr


def hamt_iter_init(root):
    """An iterator over the ``(key, value)`` pairs of the trie in iteration
    order (C: ``march_hamt_iter_init``; ``next()`` is
    ``march_hamt_iter_next``).  The caller keeps the trie unchanged."""
    for nd, arr in hamt_iter_nodes(root):
        yield from zip(arr[0:nd:2], arr[1:nd:2])


def hamt_iter_keys(root):
    """The keys of the trie in iteration order (twin-only)."""
    for nd, arr in hamt_iter_nodes(root):
        yield from arr[0:nd:2]


def hamt_iter_values(root):
    """The values of the trie in iteration order (twin-only)."""
    for nd, arr in hamt_iter_nodes(root):
        yield from arr[1:nd:2]


# ---------------------------------------------------------------------------
# equality
# ---------------------------------------------------------------------------

def hamt_node_collision_equal(a, b):
    """Two collision nodes hold the same entries (in any order)."""
    if a.hash != b.hash or a.count != b.count:
        return False
    aa = a.array
    ba = b.array
    for i in range(0, len(aa), 2):
        k = aa[i]
        for j in range(0, len(ba), 2):
            k2 = ba[j]
            if k is k2 or k == k2:
                break
        else:
            return False
        v = aa[i + 1]
        v2 = ba[j + 1]
        if not (v is v2 or v == v2):
            return False
    return True


def hamt_node_equal(a, b):
    """Whether two subtrees hold the same entries (values compared with ==).

    Canonical form makes equal tries equal in shape, so the walk goes node
    by node and skips any subtree the two share.
    """
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if type(a) is CollisionNode:
        return hamt_node_collision_equal(a, b)
    if (a.datamap != b.datamap or a.nodemap != b.nodemap
            or a.count != b.count):
        return False
    aa = a.array
    ba = b.array
    nd = _popcount(a.datamap) << 1
    for i in range(0, nd, 2):
        k1 = aa[i]
        k2 = ba[i]
        if k1 is not k2:
            # hamt_key_match(k2, k1, hash of k1), written out
            if not ((hash(k2) & M64) == (hash(k1) & M64) and k2 == k1):
                return False
        v = aa[i + 1]
        v2 = ba[i + 1]
        if not (v is v2 or v == v2):
            return False
    for i in range(nd, len(aa)):
        if not hamt_node_equal(aa[i], ba[i]):
            return False
    return True


def hamt_equal(a, b):
    """Whether two roots hold the same entries (values compared with ==)."""
    if a.count != b.count:
        return False
    return hamt_node_equal(a, b)


# ---------------------------------------------------------------------------
# hash(m): must agree bit for bit with C
# ---------------------------------------------------------------------------

def hamt_hash_step(h, e):
    """One entry's 64-bit word ``e`` mixed into the running hash ``h``
    (frozenset's formula, modulo 2**64)."""
    return h ^ ((((e ^ 89869747) ^ (e << 16)) * 3644798167) & M64)


def hamt_hash_finish(h, count):
    """The hash of ``count`` entries from the running hash ``h``."""
    h ^= ((count + 1) * 1927868237) & M64
    h ^= (h >> 11) ^ (h >> 25)
    h = (h * 69069 + 907133923) & M64
    if h >= 0x8000000000000000:
        h -= 0x10000000000000000
    if h == -1:
        h = 590923713
    return h


def hamt_hash_entries(root):
    """The order-independent hash of a trie's ``(key, value)`` entries."""
    h = 0
    for k, v in hamt_iter_init(root):
        h = hamt_hash_step(
            h, ((hash(k) & M64) + 0x9E3779B97F4A7C15 * (hash(v) & M64)) & M64)
    return hamt_hash_finish(h, root.count)


# ---------------------------------------------------------------------------
# bulk construction of a new trie (twin-only)
# ---------------------------------------------------------------------------

def hamt_from_entries(entries):
    """The canonical trie of ``entries``, a list of ``(h, key, value)``.

    Gives exactly the trie that inserting the entries one by one into an
    empty map would give (a later duplicate key replaces the value and keeps
    the first key and place), but sorts the entries into slots level by level
    instead of descending from the root for each one.  Duplicate keys have
    equal hashes, so they only ever meet in a group of equal hashes.
    """
    return _from_entries_node(entries, 0)


def _from_entries_node(entries, shift):
    """A BitmapNode for ``entries`` (all agree on the hash bits below ``shift``)."""
    groups = {}
    for e in entries:
        i = (e[0] >> shift) & HAMT_MASK
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
            sub = _from_entries_group(g, shift + HAMT_BITS)
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


def _from_entries_group(g, shift):
    """The contents of one slot holding several entries: a child node, or
    ``[key, value]`` when they all turn out to be the same key."""
    h = g[0][0]
    if g[-1][0] != h or len({e[0] for e in g}) != 1:
        return _from_entries_node(g, shift)     # two hashes at least: a subtree
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
