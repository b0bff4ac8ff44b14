"""Pure-Python twin of ``src/march/_core/rrb_node.c``: the RRB tree's nodes.

The twin of a C function is the C name without its ``march_`` prefix
(``march_rrb_leaf_make`` -> ``rrb_leaf_make``); the C file's slab allocator,
raw leaves, node types, free lists, reference counts and GC tracking have no
twin (Python allocates and counts references).  The algorithms are in
``rrb.py``, the checker in ``rrb_check.py``, the Python types in
``vector_object.py``; docs/design-rrb.md explains the design at length.

Branching factor
----------------
``RRB_M = 2**RRB_BITS`` slots per node.  ``RRB_BITS`` is 5 (32 slots) unless
the namespace this file runs in already defines ``MARCH_RRB_BITS``: the
module ``march._pure.rrb4`` loads the twin's files again with
``MARCH_RRB_BITS = 2`` (4 slots), so that small vectors make deep trees in
the tests, as the C core is compiled a second time with
``-DMARCH_RRB_BITS=2`` for ``march._rrb4``.  The other files take every
constant from here.

Node layout (class ``RRBNode``; C: ``MarchRRBNode``)
----------------------------------------------------
``height``  0 for a leaf (slots hold elements); ``h > 0``: slots hold child
            nodes of height ``h - 1``.
``count``   number of elements in the subtree.
``sizes``   ``None`` for a *balanced* node; otherwise the cumulative size
            table of a *relaxed* node: ``sizes[j]`` = elements in children
            ``0..j`` (so ``sizes[-1] == count``).  Leaves never have one.
``owner``   edit token: ``None`` for a persistent node, else the token of the
            evolver (transient) that created it and may mutate it in place.
``slots``   1..M elements or children (a Python list; C: ``len`` + ``slots[M]``).

A node of height ``h`` holds at most ``M**(h+1)`` elements ("capacity").

Owners (transients)
-------------------
An evolver owns a fresh token (``rrb_new_owner``).  A node whose ``owner``
is that token was created by this evolver and is reachable only from it, so
it is edited in place; any other node is copied first
(``rrb_node_editable``), and the copy, with its own copy of the size table,
gets the token.  A size table is part of its node and is never shared
between two nodes.
"""

# The build setting (C: the macro MARCH_RRB_BITS); see the module docstring.
RRB_BITS = globals().get("MARCH_RRB_BITS", 5)
RRB_M = 1 << RRB_BITS
RRB_MASK = RRB_M - 1
RRB_EMAX = 2
# The rebalancing plan leaves nodes with at least this many slots alone.
RRB_SKIP = RRB_M - RRB_EMAX // 2
# Search-step bound: the shortfall of a checked list of nodes stays below this.
RRB_MAX_SHORTFALL = (RRB_EMAX + 1) * RRB_M
# Heights stay below this (so that the radix shifts BITS * height and the
# capacities M**height fit in 63 bits, as in C).
RRB_MAX_HEIGHT = 63 // RRB_BITS + 1

__all__ = [
    "RRB_BITS", "RRB_M", "RRB_MASK", "RRB_EMAX", "RRB_SKIP", "RRB_MAX_SHORTFALL",
    "RRB_MAX_HEIGHT", "RRBNode", "RRB_EMPTY_LEAF", "rrb_new_owner",
    "rrb_leaf_make", "rrb_inner_make", "rrb_inner_sizes", "rrb_node_copy",
    "rrb_node_editable", "rrb_node_shortfall",
]


class RRBNode:
    """One RRB-tree node (see the module docstring for the fields)."""

    __slots__ = ("height", "count", "sizes", "owner", "slots")

    def __init__(self, height, count, sizes, owner, slots):
        self.height = height
        self.count = count
        self.sizes = sizes
        self.owner = owner
        self.slots = slots

    def __repr__(self):  # debugging aid only
        return "RRBNode(h=%d, count=%d, sizes=%r, len=%d)" % (
            self.height, self.count, self.sizes, len(self.slots))


def rrb_new_owner():
    """A fresh evolver token (C: a fresh owner id, never 0)."""
    return object()


def rrb_leaf_make(elements, owner=None):
    """A leaf over the list ``elements`` (taken, not copied)."""
    return RRBNode(0, len(elements), None, owner, elements)


# The tail of the empty vector [twin only: C's empty vector has no tail].
RRB_EMPTY_LEAF = rrb_leaf_make([])


def rrb_inner_make(height, slots, owner=None):
    """A node over ``slots``, canonical: size table only if not dense-left
    (C: ``march_rrb_inner_make``, with ``rrb_inner_dense`` written inline);
    ``height == 0`` makes a leaf."""
    if height == 0:
        return RRBNode(0, len(slots), None, owner, slots)
    if height >= RRB_MAX_HEIGHT:
        raise OverflowError("vector tree too high")
    child_cap = 1 << (RRB_BITS * height)  # elements in a full child
    total = 0
    dense = True
    sizes = []
    last = len(slots) - 1
    for j, c in enumerate(slots):
        total += c.count
        sizes.append(total)
        if dense and (c.sizes is not None or (j < last and c.count != child_cap)):
            dense = False
    return RRBNode(height, total, None if dense else sizes, owner, slots)


def rrb_inner_sizes(slots):
    """The cumulative size table of the children ``slots`` [twin only: C
    fills the table where it makes a relaxed node,
    ``march_rrb_inner_editable_relaxed``]."""
    sizes = []
    total = 0
    for c in slots:
        total += c.count
        sizes.append(total)
    return sizes


def rrb_node_copy(node, owner):
    """A copy of ``node`` tagged with ``owner``: its own slot list AND its own
    size table."""
    sizes = node.sizes
    return RRBNode(node.height, node.count, None if sizes is None else list(sizes),
                   owner, list(node.slots))


def rrb_node_editable(node, owner):
    """``node`` itself if the evolver ``owner`` may mutate it, else a copy it owns."""
    if owner is not None and node.owner is owner:
        return node
    sizes = node.sizes  # rrb_node_copy, written inline (the hot path of edits)
    return RRBNode(node.height, node.count, None if sizes is None else list(sizes),
                   owner, list(node.slots))


def rrb_node_shortfall(nodes):
    """Total shortfall ``sum(M - len(n.slots))`` of a list of nodes."""
    return RRB_M * len(nodes) - sum([len(n.slots) for n in nodes])
