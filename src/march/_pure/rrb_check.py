"""Pure-Python twin of ``src/march/_core/rrb_check.c``: the invariant checker
of march's persistent vector (invariants 1-4 of ``rrb.py``), and its height,
shape and statistics.

Same function names as C without the ``march_`` prefix; ``rrb_shape`` gives
exactly C's result for the same tree.  C also checks what the twin does not
have (invariant 5, the GC state; raw leaves; the tail buffer), and reports
with ``rrb_check_fail``; the twin's checks are ``assert`` statements.
"""
import sys as _sys

from .rrb_node import RRB_BITS, RRB_M, RRB_MAX_SHORTFALL, RRBNode, rrb_inner_sizes, \
    rrb_node_shortfall

__all__ = ["rrb_check", "rrb_height", "rrb_shape", "rrb_stats"]


def rrb_check_node(node, height):
    """Verify invariants 1-3 below ``node``; return its element count."""
    assert isinstance(node, RRBNode), "not a node: %r" % (node,)
    assert node.height == height, "height %d, expected %d" % (node.height, height)
    k = len(node.slots)
    assert 1 <= k <= RRB_M, "node with %d slots" % k
    if height == 0:
        assert node.sizes is None, "leaf with a size table"
        assert node.count == k, "leaf count %d != %d" % (node.count, k)
        return k
    child_cap = 1 << (RRB_BITS * height)
    counts = [rrb_check_node(c, height - 1) for c in node.slots]
    total = sum(counts)
    assert node.count == total, "count %d, children hold %d" % (node.count, total)
    assert total <= child_cap * RRB_M, "node over capacity"
    if node.sizes is None:
        for j, c in enumerate(node.slots):
            assert c.sizes is None, "balanced node with a relaxed child"
            assert j == k - 1 or c.count == child_cap, (
                "balanced node with a non-full child at %d (%d of %d)" % (j, c.count, child_cap))
    else:
        assert len(node.sizes) == k, "size table length %d != %d" % (len(node.sizes), k)
        assert node.sizes == rrb_inner_sizes(node.slots), "size table %r wrong" % (node.sizes,)
    interior = node.slots[1:-1]
    if interior:
        short = rrb_node_shortfall(interior)
        assert short < RRB_MAX_SHORTFALL, (
            "search-step bound: interior shortfall %d >= %d" % (short, RRB_MAX_SHORTFALL))
    return total


def rrb_check(count, root, tail):
    """Raise AssertionError unless the vector value is sound (C's ``tracked``
    argument, the GC state of the holder, has no twin)."""
    assert isinstance(tail, RRBNode) and tail.height == 0 and tail.sizes is None, "bad tail"
    assert tail.count == len(tail.slots) <= RRB_M, "bad tail size"
    assert (count == 0) == (tail.count == 0), "tail empty iff vector empty"
    if root is None:
        assert count == tail.count, "count %d != tail %d" % (count, tail.count)
        return
    if root.height:
        assert len(root.slots) >= 2, "single-child root"
    tc = rrb_check_node(root, root.height)
    assert tc + tail.count == count, "count %d != %d + %d" % (count, tc, tail.count)


def rrb_height(count, root, tail):
    """Levels above the leaves (0 when everything is in the tail or one leaf)."""
    return root.height if root is not None else 0


def rrb_shape_node(node):
    """A leaf's length, or the list of the shapes of an inner node's children."""
    if node.height == 0:
        return len(node.slots)
    return [rrb_shape_node(c) for c in node.slots]


def rrb_shape(count, root, tail):
    """``(tree shape, tail length)``: the tree as nested lists of leaf lengths
    (None for no tree), as C's ``march_rrb_shape``."""
    return (rrb_shape_node(root) if root is not None else None,
            tail.count if count else 0)


def rrb_stats_node(node, st):
    """Add the nodes of the tree ``node`` to the counts ``st``."""
    st["bytes"] += (_sys.getsizeof(node) + _sys.getsizeof(node.slots)
                    + (_sys.getsizeof(node.sizes) if node.sizes is not None else 0))
    if node.height == 0:
        st["leaves"] += 1
        return
    st["inners"] += 1
    if node.sizes is not None:
        st["relaxed"] += 1
    for c in node.slots:
        rrb_stats_node(c, st)


def rrb_stats(count, root, tail):
    """``{"leaves", "inners", "relaxed", "bytes"}`` of the structure: the node
    counts are C's for the same tree; ``bytes`` is the twin's own memory (its
    node objects, slot lists and size tables; not comparable with C's)."""
    st = {"leaves": 0, "inners": 0, "relaxed": 0, "bytes": 0}
    if root is not None:
        rrb_stats_node(root, st)
    if count:
        rrb_stats_node(tail, st)
    return st
