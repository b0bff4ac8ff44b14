"""The twin of ``src/march/_core/hamt_check.c``: debugging views of one HAMT
-- the invariant checker (``hamt_check``: the canonical form of
``hamt_node.py``, counts, bitmaps and each key's hash path; exposed as
``_check()`` of Map, MapMutation, Set and SetEvolver), the depth, node
statistics and the node layout (``_layout()``).

C also checks its lookup tags and the GC-tracking rule, which have no twin;
the twin checks instead what Python lets go wrong and C cannot (slot lists
that disagree with the bitmaps, owners that are not ints).  ``hamt_stats``
counts bytes as the C core lays its nodes out (64-bit build), so that both
give the same figures.
"""
from .common import popcount32 as _popcount
from .hamt import hamt_iter_init
from .hamt_node import (
    HAMT_BITS, HAMT_MAX_LEVELS, HAMT_MAX_SHIFT, M64, BitmapNode, CollisionNode,
)

__all__ = ["hamt_check", "hamt_check_set", "hamt_depth", "hamt_stats",
           "hamt_layout"]


# ---------------------------------------------------------------------------
# invariant checker
# ---------------------------------------------------------------------------

def hamt_check_fail(msg, node):
    raise AssertionError("march.Map invariant violated: %s (node %#x)"
                         % (msg, id(node)))


def hamt_check_key_path(key, prefix, shift):
    """The hash of ``key``, once sure that its bits below ``shift`` are
    those of ``prefix`` (the path that leads to it)."""
    h = hash(key) & M64
    mask = (1 << shift) - 1
    if (h & mask) != (prefix & mask):
        hamt_check_fail("a key is not on its hash path", key)
    return h


def hamt_check_node(node, shift, prefix, is_root, levels):
    """Check the subtree ``node`` at ``shift``; ``prefix`` holds the hash
    bits below ``shift`` that lead to it.  Returns its number of entries."""
    if type(node) is CollisionNode:
        arr = node.array
        n = len(arr) if type(arr) is list else -1
        if is_root:
            hamt_check_fail("the root is a collision node", node)
        if n < 4 or n % 2:
            hamt_check_fail("a collision node with fewer than 2 entries", node)
        if node.count != n // 2:
            hamt_check_fail("count does not match the entries", node)
        if not isinstance(node.owner, int) or node.owner < 0:
            hamt_check_fail("bad owner %r" % (node.owner,), node)
        for i in range(0, n, 2):
            h = hamt_check_key_path(arr[i], prefix, shift)
            if h != node.hash:
                hamt_check_fail("collision node key with another hash", node)
            for j in range(0, i, 2):
                k = arr[i]
                k2 = arr[j]
                if k is k2 or k == k2:
                    hamt_check_fail("duplicate key in a collision node", node)
        return n // 2
    if type(node) is not BitmapNode:
        hamt_check_fail("a child is not a node", node)
    if levels > HAMT_MAX_LEVELS or shift > HAMT_MAX_SHIFT:
        hamt_check_fail("trie deeper than 13 levels", node)
    datamap = node.datamap
    nodemap = node.nodemap
    arr = node.array
    if not (type(datamap) is int and type(nodemap) is int
            and 0 <= datamap < 1 << 32 and 0 <= nodemap < 1 << 32):
        hamt_check_fail("bitmaps out of range", node)
    if not isinstance(node.owner, int) or node.owner < 0:
        hamt_check_fail("bad owner %r" % (node.owner,), node)
    if datamap & nodemap:
        hamt_check_fail("datamap and nodemap overlap", node)
    if shift == HAMT_MAX_SHIFT and (datamap | nodemap) >> 16:
        hamt_check_fail("level 12 uses more than 4 bits", node)
    ndslots = _popcount(datamap) << 1
    if type(arr) is not list or len(arr) != ndslots + _popcount(nodemap):
        hamt_check_fail("the slots do not match the bitmaps", node)
    total = 0
    di = 0
    ci = ndslots
    for index in range(32):
        bit = 1 << index
        sub_prefix = prefix | (index << shift)
        if datamap & bit:
            hamt_check_key_path(arr[di], sub_prefix, shift + HAMT_BITS)
            total += 1
            di += 2
        elif nodemap & bit:
            total += hamt_check_node(arr[ci], shift + HAMT_BITS, sub_prefix,
                                     False, levels + 1)
            ci += 1
    if total != node.count:
        hamt_check_fail("count does not match the entries", node)
    if not is_root:
        if total < 2:
            hamt_check_fail("non-root node with fewer than 2 entries", node)
        if (not datamap and _popcount(nodemap) == 1
                and type(arr[0]) is CollisionNode):
            hamt_check_fail("non-root node holding only a collision node",
                            node)
    return total


def hamt_check(root):
    """Verify every invariant of the trie; raise AssertionError if one fails."""
    hamt_check_node(root, 0, 0, True, 1)


def hamt_check_set(root):
    """The invariants of a set's trie: the Map's, and every value None."""
    hamt_check(root)
    for _, v in hamt_iter_init(root):
        if v is not None:
            raise AssertionError("march.Set invariant: a value is not None")


# ---------------------------------------------------------------------------
# depth, statistics
# ---------------------------------------------------------------------------

def hamt_node_depth(node):
    best = 0
    if type(node) is BitmapNode:
        arr = node.array
        for i in range(_popcount(node.datamap) << 1, len(arr)):
            d = hamt_node_depth(arr[i])
            if d > best:
                best = d
    return best + 1


def hamt_depth(root):
    """The height of the trie: 0 when empty, 1 for a root of inline entries."""
    if not root.count:
        return 0
    return hamt_node_depth(root)


# node sizes of the C core (64-bit): GC header, then offsetof(..., slots)
_GC_HEAD = 16
_BITMAP_HEAD = 48       # object header 16, count, datamap + nodemap, tags, owner
_COLLISION_HEAD = 40    # var object header 24, hash, owner


def hamt_node_stats(node, depth, st):
    if type(node) is BitmapNode:
        nd = _popcount(node.datamap)
        size = len(node.array)
        st["bitmap_nodes"] += 1
        st["bitmap_slots"] += size
        st["bitmap_branches"] += nd + _popcount(node.nodemap)
        st["entry_depth_sum"] += nd * depth
        st["bytes"] += _GC_HEAD + _BITMAP_HEAD + 8 * size
        for i in range(2 * nd, size):
            hamt_node_stats(node.array[i], depth + 1, st)
    else:
        st["collision_nodes"] += 1
        st["entry_depth_sum"] += node.count * depth
        st["bytes"] += _GC_HEAD + _COLLISION_HEAD + 8 * len(node.array)


def hamt_stats(root):
    """Statistics for the design doc, a dict: bitmap nodes, collision nodes,
    slots used by bitmap nodes, branches (popcount(datamap | nodemap)
    summed), the sum of entry depths (root = 1), and the bytes of node
    memory the C core would use (GC headers included)."""
    st = {"bitmap_nodes": 0, "collision_nodes": 0, "bitmap_slots": 0,
          "bitmap_branches": 0, "entry_depth_sum": 0, "bytes": 0}
    hamt_node_stats(root, 1, st)
    return st


# ---------------------------------------------------------------------------
# layout
# ---------------------------------------------------------------------------

def hamt_node_layout_keys(slots, start, stop):
    """A tuple of the keys in slots [start, stop) (step 2)."""
    return tuple(slots[start:stop:2])


def hamt_node_layout(node):
    arr = node.array
    if type(node) is CollisionNode:
        return ("collision", node.hash, hamt_node_layout_keys(arr, 0, len(arr)))
    nd = _popcount(node.datamap) << 1
    return ("bitmap", node.datamap, node.nodemap,
            hamt_node_layout_keys(arr, 0, nd),
            tuple([hamt_node_layout(arr[i]) for i in range(nd, len(arr))]))


def hamt_layout(root):
    """The shape of the trie: a bitmap node is ``("bitmap", datamap,
    nodemap, (key0, key1, ...), (child_layout, ...))``, a collision node
    ``("collision", hash, (key0, ...))``; keys in slot order."""
    return hamt_node_layout(root)
