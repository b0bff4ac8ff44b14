"""The twin of ``src/march/_core/hamt_node.c`` (and ``hamt_node.h``): the
HAMT node kinds, their constructors, the empty root and the owner ids.

The C file also holds what has no twin here: the node types' slots
(alloc/dealloc/traverse), the free lists, GC tracking, the lookup tags
(``march_hamt_tag``, ``march_hamt_tags_with``) and the POPCNT setup
(``march_have_popcnt``, ``march_hamt_node_ready``).

Hashing
-------
A key's hash ``h`` is ``hash(key)`` taken as an unsigned 64-bit integer
(``hash(key) & M64``; C: ``(uint64_t)PyObject_Hash(key)``), without extra
mixing.  The trie consumes it 5 bits at a time from the low end: the slot
index at level L (``shift = 5 * L``) is ``(h >> shift) & 31``, for
L = 0..12 (level 12 sees the top 4 bits).  Keys whose full 64-bit hashes
are equal end up together in a collision node.

Nodes (CHAMP layout)
--------------------
``BitmapNode`` (C: ``MarchBitmapNode``)
    ``datamap``  32-bit map of the slots holding an inline key/value entry;
    ``nodemap``  32-bit map of the slots holding a child node
                 (``datamap & nodemap == 0``);
    ``count``    number of entries in the whole subtree (``len()`` is O(1));
    ``owner``    edit token: 0 for a persistent node, else the id of the
                 transient that created it (only that transient edits it in
                 place);
    ``array``    the compressed slots, a list: first the inline entries in
                 ascending bit order as ``key, value`` pairs, then the child
                 nodes in ascending bit order.  For bit ``b`` the entry sits
                 at ``2 * popcount(datamap & (b - 1))``
                 (``hamt_node_bitmap_entry_slot``) and the child at
                 ``2 * popcount(datamap) + popcount(nodemap & (b - 1))``
                 (``hamt_node_bitmap_child_slot``).
    The C node also has ``tags``, a lookup filter with no counterpart here:
    2 hash bits per inline entry (those after the node's 5), so that most
    misses ending on an entry are decided without reading the stored key
    object, a cache miss in a big C map.  They follow from the entries and
    add nothing to the shape (docs/design.md, 1.2).
``CollisionNode`` (C: ``MarchCollisionNode``)
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
"""
import itertools as _itertools
import threading as _threading

from .common import popcount32

__all__ = [
    "HAMT_BITS", "HAMT_MASK", "HAMT_MAX_LEVELS", "HAMT_MAX_SHIFT", "M64",
    "BitmapNode", "CollisionNode",
    "hamt_node_bitmap_new", "hamt_node_collision_new",
    "hamt_node_empty_root", "hamt_node_new_owner",
    "hamt_bit", "hamt_node_bitmap_size", "hamt_node_bitmap_entry_slot",
    "hamt_node_bitmap_child_slot", "hamt_node_count",
]

HAMT_BITS = 5            # C: MARCH_HAMT_BITS
HAMT_MASK = 31           # C: MARCH_HAMT_MASK
HAMT_MAX_LEVELS = 13     # C: MARCH_HAMT_MAX_LEVELS
HAMT_MAX_SHIFT = 60      # the shift of level 12, the last bitmap level
M64 = 0xFFFFFFFFFFFFFFFF  # a hash as C's uint64_t: hash(key) & M64


# ---------------------------------------------------------------------------
# the node kinds
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
    # descent in hamt_find() needs no type test at each level (class
    # attributes, not slots: they are never set).
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


# The constructors.  C allocates a node of n slots that the caller fills
# (march_hamt_node_bitmap_new(nslots, owner),
# march_hamt_node_collision_new(nslots, hash, owner)); here the caller
# hands over the fields and the slot list, and the class is the constructor.
hamt_node_bitmap_new = BitmapNode      # (datamap, nodemap, count, owner, array)
hamt_node_collision_new = CollisionNode  # (hash, count, owner, array)


# The empty root.  Its owner is 0, so it is never edited in place.
_empty_root = BitmapNode(0, 0, 0, 0, [])


def hamt_node_empty_root():
    """The shared empty root (C: a new reference to it)."""
    return _empty_root


_owner_ids = _itertools.count(1)
# an RLock, not a Lock: a collection may run at the eval loop's check right
# after the lock is taken (3.12+), and a finalizer or gc callback that then
# starts a transient in the same thread takes it again (a Lock deadlocks)
_owner_lock = _threading.RLock()


def hamt_node_new_owner():
    """A fresh transient id, never 0 (C: an atomic add to
    hamt_node_owner_counter).  Under a lock: an itertools.count shared by
    threads may hand out one id twice on free-threaded CPython, and two
    transients with one id would edit each other's nodes.  A nested call
    from the same thread (a finalizer run between the lock and ``next``)
    takes its own id first: ids stay distinct."""
    with _owner_lock:
        return next(_owner_ids)


# ---------------------------------------------------------------------------
# slot arithmetic (C: static inline functions of hamt_node.h; the hot paths
# of hamt.py and hamt_walk.py write them out)
# ---------------------------------------------------------------------------

def hamt_bit(h, shift):
    """The one-bit mask of the slot that hash ``h`` selects at ``shift``."""
    return 1 << ((h >> shift) & HAMT_MASK)


def hamt_node_bitmap_size(b):
    """The number of slots of a bitmap node (``len(b.array)``)."""
    return 2 * popcount32(b.datamap) + popcount32(b.nodemap)


def hamt_node_bitmap_entry_slot(node, below):
    """The slot of the entry at the bit whose lower bits are ``below``."""
    return 2 * popcount32(node.datamap & below)


def hamt_node_bitmap_child_slot(node, below):
    """The slot of the child at the bit whose lower bits are ``below``."""
    return 2 * popcount32(node.datamap) + popcount32(node.nodemap & below)


def hamt_node_count(node):
    """The number of entries of a subtree (either kind of node)."""
    return node.count
