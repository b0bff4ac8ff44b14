"""Pure-Python twin of ``march._rrb``: a persistent vector built on an RRB tree.

This file is the reference for the C core (src/march/_core/rrb.c mirrors it
function by function); docs/design-rrb.md explains the design at length.

Branching factor
----------------
``M = 2**BITS`` slots per node.  ``BITS`` is 5 (M = 32) here.  The module
``march._pure.rrb4`` executes this very source with ``_MARCH_RRB_BITS = 2``
predefined (M = 4), so that small vectors make deep trees in the tests; the C
core does the same with the compile-time macro ``MARCH_RRB_BITS``.

Node layout (class ``Node``; C: ``rrb_node``)
----------------------------------------------
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

Vector layout
-------------
``_count``  number of elements.
``_root``   ``None`` or a tree holding elements ``[0, _count - len(_tail))``.
            A root of height > 0 has at least two children (single-child
            roots are always stripped).
``_tail``   a leaf with the last 1..M elements; it is empty only when
            ``_count == 0``.  Appends and pops touch only the tail, except
            once every M operations (a full tail is pushed into the tree; an
            emptied tail is refilled with the tree's last leaf).

Invariants (``_check()`` verifies all of them)
----------------------------------------------
1. Every tree node has 1..M slots; the children of a node of height h all
   have height h - 1; counts add up; a size table is cumulative and exact.
2. Balanced nodes are dense-left: a node with ``sizes is None`` has only
   balanced children, and every child but the last is full (holds exactly
   ``M**h`` elements for a parent of height h).  Index i is then found by a
   pure radix walk: child ``(i >> (BITS*h)) & (M-1)``.  Nodes are built
   canonically: ``_mknode`` drops the size table whenever the node is dense.
3. Search-step bound (E_MAX = 2): the *interior* children of a node (all but
   its first and its last) are nearly full.  Their total shortfall
   ``sum(M - len(c.slots))`` is below ``(E_MAX + 1) * M``; equivalently, a
   node whose k - 2 interior children hold T slots has
   ``k - 2 <= ceil(T / M) + E_MAX``.  The first and last children are exempt
   because cutting a tree (slice, pop) only ever shrinks edge children, so
   the bound survives every cut without any repair.  Concatenation, the one
   operation that makes edge nodes interior, rebalances every merged level
   with the stronger *whole-list* bound (all children counted), see
   ``_fit``.  Appends keep it because a leaf is only pushed after the tree's
   last leaf was topped up to M elements (``_top_up``).
4. Relaxed lookup starts at the radix guess ``j = i >> (BITS*h)`` (a lower
   bound, since no child holds more than ``M**h`` elements) and steps forward
   while ``sizes[j] <= i``.

Transients (``VectorEvolver``)
-----------------------------
An evolver owns a fresh token.  A node whose ``owner`` is that token was
created by this evolver and is reachable only from it, so it is edited in
place; any other node is copied first (``_editable``), and the copy, with its
own copy of the size table, gets the token.  ``persistent()`` hands the
current tree to a new Vector and gives the evolver a *new* token, so the
nodes now shared with that Vector are never mutated again.

One verb per function: ``_get`` (lookup), ``_assoc`` (set), ``_push_tail`` /
``_push_leaf`` / ``_top_up`` (push), ``_pop_leaf`` (pop), ``_concat_trees``
/ ``_merge`` / ``_rebalance`` / ``_fit`` / ``_redistribute`` (concat),
``_take`` / ``_drop`` / ``_slice`` (split/slice), ``_leaves`` (iterate),
``_check_node`` (check), ``_build`` (bulk construction).
"""
import operator as _operator
import sys as _sys
from collections.abc import Sequence as _Sequence
from types import GenericAlias as _GenericAlias

BITS = globals().get("_MARCH_RRB_BITS", 5)
BRANCHING = 1 << BITS
M = BRANCHING
MASK = M - 1
E_MAX = 2
# The rebalancing plan leaves nodes with at least this many slots alone.
_SKIP = M - E_MAX // 2
# Search-step bound: the shortfall of a checked list of nodes stays below this.
_MAX_SHORTFALL = (E_MAX + 1) * M
# Heights stay below this (C: RRB_MAX_HEIGHT, so that the radix shifts
# BITS * height and the capacities M**height fit in 63 bits).
_MAX_HEIGHT = 63 // BITS + 1

__all__ = ["Vector", "VectorEvolver", "vector", "v", "BRANCHING"]


# ---------------------------------------------------------------- nodes


class Node:
    """One RRB-tree node (see the module docstring for the fields)."""

    __slots__ = ("height", "count", "sizes", "owner", "slots")

    def __init__(self, height, count, sizes, owner, slots):
        self.height = height
        self.count = count
        self.sizes = sizes
        self.owner = owner
        self.slots = slots

    def __repr__(self):  # debugging aid only
        return "Node(h=%d, count=%d, sizes=%r, len=%d)" % (
            self.height, self.count, self.sizes, len(self.slots))


def _leaf(elements, owner=None):
    return Node(0, len(elements), None, owner, elements)


_EMPTY_LEAF = _leaf([])


def _mknode(height, slots, owner=None):
    """A node over ``slots``, canonical: size table only if not dense-left."""
    if height == 0:
        return Node(0, len(slots), None, owner, slots)
    if height >= _MAX_HEIGHT:
        raise OverflowError("vector tree too high")
    child_cap = 1 << (BITS * height)  # elements in a full child
    total = 0
    dense = True
    sizes = []
    last = len(slots) - 1
    for j, c in enumerate(slots):
        total += c.count
        sizes.append(total)
        if dense and (c.sizes is not None or (j < last and c.count != child_cap)):
            dense = False
    return Node(height, total, None if dense else sizes, owner, slots)


def _cumulative(slots):
    sizes = []
    total = 0
    for c in slots:
        total += c.count
        sizes.append(total)
    return sizes


def _editable(node, owner):
    """``node`` itself if the evolver ``owner`` may mutate it, else a copy it owns.

    The copy has its own slot list AND its own size table: a size table is
    part of its node and is never shared between two nodes.
    """
    if owner is not None and node.owner is owner:
        return node
    sizes = node.sizes
    return Node(node.height, node.count, None if sizes is None else list(sizes),
                owner, list(node.slots))


def _strip(node):
    """Drop single-child roots (the tree gets lower)."""
    while node is not None and node.height > 0 and len(node.slots) == 1:
        node = node.slots[0]
    return node


def _shortfall(nodes):
    """Total shortfall ``sum(M - len(n.slots))`` of a list of nodes."""
    return M * len(nodes) - sum([len(n.slots) for n in nodes])


# ---------------------------------------------------------------- lookup


def _locate(node, i):
    """Child index and index within that child of element ``i`` of internal ``node``."""
    shift = BITS * node.height
    j = i >> shift
    sizes = node.sizes
    if sizes is None:
        return j, i - (j << shift)
    while sizes[j] <= i:
        j += 1
    return j, (i - sizes[j - 1]) if j else i


def _get(node, i):
    """Element ``i`` of the tree under ``node`` (0 <= i < node.count)."""
    while node.height:
        shift = BITS * node.height
        sizes = node.sizes
        if sizes is None:
            j = (i >> shift) & MASK
            i &= (1 << shift) - 1
        else:
            j = i >> shift
            while sizes[j] <= i:
                j += 1
            if j:
                i -= sizes[j - 1]
        node = node.slots[j]
    return node.slots[i]


def _last_leaf(node):
    while node.height:
        node = node.slots[-1]
    return node


# ---------------------------------------------------------------- set / assoc


def _assoc(node, i, x, owner):
    """The tree with element ``i`` replaced by ``x`` (path copy, or in place when owned)."""
    n = _editable(node, owner)
    if n.height == 0:
        n.slots[i] = x
        return n
    j, r = _locate(n, i)
    n.slots[j] = _assoc(n.slots[j], r, x, owner)
    return n


# ---------------------------------------------------------------- push


def _new_path(height, leaf, owner):
    """A chain of single-child (balanced) nodes of ``height`` above ``leaf``."""
    node = leaf
    for h in range(1, height + 1):
        node = Node(h, leaf.count, None, owner, [node])
    return node


def _top_up(node, extra):
    """The tree with the elements ``extra`` appended to its last leaf (they
    fit): a copy of the path, never an edit in place (see ``_push_tail``)."""
    n = _editable(node, None)
    k = len(extra)
    n.count += k
    if n.height == 0:
        n.slots.extend(extra)
        return n
    # the last child only grows: a balanced node stays balanced
    if n.sizes is not None:
        n.sizes[-1] += k
    n.slots[-1] = _top_up(n.slots[-1], extra)
    return n


def _push_leaf(node, leaf, owner):
    """``node`` (height >= 1) with ``leaf`` added at its right end, or None if no room."""
    h = node.height
    k = leaf.count
    if h > 1:
        child = node.slots[-1]
        new_child = _push_leaf(child, leaf, owner)
        if new_child is not None:
            n = _editable(node, owner)
            n.slots[-1] = new_child
            n.count += k
            if n.sizes is not None:
                n.sizes[-1] += k
            elif new_child.sizes is not None:
                n.sizes = _cumulative(n.slots)
            return n
        if len(node.slots) == M:
            return None
        child = node.slots[-1]
        new_child = _new_path(h - 1, leaf, owner)
    else:
        if len(node.slots) == M:
            return None
        child = node.slots[-1]
        new_child = leaf
    n = _editable(node, owner)
    if n.sizes is None and (child.count != 1 << (BITS * h) or child.sizes is not None):
        n.sizes = _cumulative(n.slots)  # the old last child was not full
    n.count += k
    if n.sizes is not None:
        n.sizes.append(n.count)
    n.slots.append(new_child)
    return n


def _push_tail(root, leaf, owner):
    """The tree ``root`` (or None) with the full leaf ``leaf`` appended."""
    if root is None:
        return leaf
    last = _last_leaf(root)
    if last.count < M:
        # top the tree's last leaf up first, so it never becomes interior while
        # partial (keeps invariant 3 and balanced nodes balanced); the top-up
        # copies its path even for an evolver, as in C, where an allocation
        # failing later in the push must leave the value unchanged
        room = M - last.count
        root = _top_up(root, leaf.slots[:room])
        leaf = _leaf(leaf.slots[room:], owner)
    if root.height:
        r = _push_leaf(root, leaf, owner)
        if r is not None:
            return r
    return _mknode(root.height + 1, [root, _new_path(root.height, leaf, owner)], owner)


# ---------------------------------------------------------------- insert


def _roomy_neighbour(slots, j):
    """The index of the neighbour of ``slots[j]`` with the most room (the
    left one on a tie), or -1 when both are full or absent."""
    left = len(slots[j - 1].slots) if j > 0 else M
    right = len(slots[j + 1].slots) if j + 1 < len(slots) else M
    if left >= M and right >= M:
        return -1
    return j - 1 if left <= right else j + 1


def _insert(node, i, x):
    """The tree ``node`` with ``x`` inserted before its element ``i``
    (0 <= i < node.count), as one node, or two when it had to split.

    Path copy: a full leaf shares its elements with a neighbour that has
    room, or else splits in two halves; the parent is refitted to the
    search-step bound (its interior may now hold partial nodes), and splits
    in turn when it has M + 1 children.
    """
    if node.height == 0:
        slots = node.slots[:i] + [x] + node.slots[i:]
        if len(slots) <= M:
            return [_leaf(slots)]
        k = (len(slots) + 1) // 2
        return [_leaf(slots[:k]), _leaf(slots[k:])]
    j, r = _locate(node, i)
    child = node.slots[j]
    nb = _roomy_neighbour(node.slots, j) if node.height == 1 and len(child.slots) == M else -1
    if nb < 0:
        kids = node.slots[:j] + _insert(child, r, x) + node.slots[j + 1:]
    else:
        # a full leaf next to one with room: share the elements of the two
        # evenly instead of splitting (keeps leaves full, the tree dense)
        slots = child.slots[:r] + [x] + child.slots[r:]
        lo = min(nb, j)
        flat = node.slots[nb].slots + slots if nb < j else slots + node.slots[nb].slots
        k = (len(flat) + 1) // 2
        kids = node.slots[:lo] + [_leaf(flat[:k]), _leaf(flat[k:])] + node.slots[lo + 2:]
    kids = _fit(node.height, kids, interior=True)
    if len(kids) <= M:
        return [_mknode(node.height, kids)]
    k = (len(kids) + 1) // 2
    return [_mknode(node.height, kids[:k]), _mknode(node.height, kids[k:])]


# ---------------------------------------------------------------- pop


def _pop_leaf(node):
    """``(tree without its last leaf or None, that leaf)``; the tree is not stripped."""
    if node.height == 0:
        return None, node
    new_child, leaf = _pop_leaf(node.slots[-1])
    if new_child is None:
        if len(node.slots) == 1:
            return None, leaf
        slots = node.slots[:-1]
    else:
        slots = node.slots[:-1]
        slots.append(new_child)
    return _mknode(node.height, slots), leaf


# ---------------------------------------------------------------- concat


def _redistribute(height, nodes):
    """Regroup the slots of ``nodes`` (all of ``height``) into fewer nodes.

    The plan (Bagwell & Rompf; L'orange): skip nodes that are nearly full
    (>= M - E_MAX/2 slots); the first one that is not is removed by spreading
    its slots over its right neighbours, each filled up to M, until the carry
    is absorbed.  One node less each round, until the whole list's shortfall
    is below ``(E_MAX + 1) * M``.  Nodes whose slot range did not change are
    reused as they are; new ones are built (and checked, recursively) by
    ``_fit``.
    """
    sizes = [len(n.slots) for n in nodes]
    shortfall = M * len(sizes) - sum(sizes)
    i = 0
    while shortfall >= _MAX_SHORTFALL:
        n = len(sizes)
        while i < n and sizes[i] >= _SKIP:
            i += 1
        if i >= n - 1:  # cannot happen for lists of <= 2M nodes; be safe
            total = sum(sizes)
            sizes = [M] * (total // M) + ([total % M] if total % M else [])
            break
        r = sizes[i]
        j = i
        while r > 0:
            if j + 1 >= n:  # cannot happen either (see docs/design-rrb.md)
                raise AssertionError("rrb: redistribution ran out of nodes")
            s = r + sizes[j + 1]
            b = M if s > M else s
            sizes[j] = b
            r = s - b
            j += 1
        del sizes[j]
        shortfall -= M
    # build the new nodes from the flat list of all slots
    flat = []
    old = {}
    for n in nodes:
        old[(len(flat), len(n.slots))] = n
        flat.extend(n.slots)
    out = []
    pos = 0
    for s in sizes:
        n = old.get((pos, s))
        if n is None:
            chunk = flat[pos:pos + s]
            if height:
                chunk = _fit(height, chunk, interior=True)
            n = _mknode(height, chunk)
        out.append(n)
        pos += s
    return out


def _fit(height, kids, interior=False):
    """``kids`` (children for a node of ``height``) made to meet the search-step bound.

    ``interior=False`` checks the whole list (used for a merged level of a
    concatenation); ``interior=True`` only the children but the first and the
    last (the invariant of one node).  Each round removes at least one node,
    so this terminates; a node built by a round is itself checked (its
    children may be sparse edge children of different old nodes).
    """
    while True:
        checked = kids if not interior else kids[1:-1]
        if len(checked) <= 2 or _shortfall(checked) < _MAX_SHORTFALL:
            return kids
        kids = _redistribute(height - 1, kids)


def _rebalance(height, left, middle, right):
    """Nodes of ``height`` (1 or 2 of them) over the children ``left + middle + right``."""
    kids = _fit(height, left + middle + right)
    if len(kids) <= M:
        return [_mknode(height, kids)]
    # Two parents.  The one on the side the seam came from (the side with
    # fewer old children: where the next concatenation in a run of appends
    # or prepends will land) takes the remainder; the other one is full, so
    # runs of appends or of prepends leave full nodes behind them.
    if len(left) >= len(right):
        cut = M
    else:
        cut = len(kids) - M
    return [_mknode(height, kids[:cut]), _mknode(height, kids[cut:])]


def _merge(a, b):
    """Merge the right edge of tree ``a`` with the left edge of tree ``b``.

    Returns one or two nodes of height ``max(a.height, b.height)`` holding
    the elements of ``a`` then ``b``.  Each level along the seam is rebuilt
    by ``_rebalance`` from the children of the two edge nodes plus the 1-2
    nodes returned by the level below.
    """
    if a.height > b.height:
        return _rebalance(a.height, a.slots[:-1], _merge(a.slots[-1], b), [])
    if a.height < b.height:
        return _rebalance(b.height, [], _merge(a, b.slots[0]), b.slots[1:])
    if a.height == 0:
        if a.count + b.count <= M:  # two small leaves at the seam: join them
            return [_leaf(a.slots + b.slots)]
        return [a, b]
    return _rebalance(a.height, a.slots[:-1], _merge(a.slots[-1], b.slots[0]),
                      b.slots[1:])


def _concat_trees(a, b):
    """The tree holding the elements of tree ``a`` then tree ``b`` (either may be None)."""
    if a is None:
        return b
    if b is None:
        return a
    nodes = _merge(a, b)
    if len(nodes) == 1:
        return _strip(nodes[0])
    return _mknode(nodes[0].height + 1, nodes)


# ---------------------------------------------------------------- split / slice


def _take(node, k):
    """The tree holding the first ``k`` elements of ``node`` (1 <= k <= count)."""
    if k == node.count:
        return node
    if node.height == 0:
        return _leaf(node.slots[:k])
    j, r = _locate(node, k - 1)
    slots = node.slots[:j]
    slots.append(_take(node.slots[j], r + 1))
    return _mknode(node.height, slots)


def _drop(node, i):
    """The tree without the first ``i`` elements of ``node`` (0 <= i < count)."""
    if i == 0:
        return node
    if node.height == 0:
        return _leaf(node.slots[i:])
    j, r = _locate(node, i)
    slots = [_drop(node.slots[j], r)]
    slots.extend(node.slots[j + 1:])
    return _mknode(node.height, slots)


def _lower(root):
    """Strip ``root``; when it is left with two children of which one is a thin
    chain (a cut edge), concatenate the two halves again as separate trees so
    the height matches the contents (keeps small slices of big trees low)."""
    root = _strip(root)
    while (root is not None and root.height >= 2 and len(root.slots) == 2
           and (len(root.slots[0].slots) == 1 or len(root.slots[1].slots) == 1)):
        new = _concat_trees(_strip(root.slots[0]), _strip(root.slots[1]))
        if new.height >= root.height:
            break
        root = new
    return root


def _slice(count, root, tail, start, stop):
    """``(count, root, tail)`` of elements ``[start, stop)`` (0 <= start < stop <= count)."""
    tc = count - tail.count
    if start >= tc:
        if start == tc and stop == count:
            return count - tc, None, tail
        return stop - start, None, _leaf(tail.slots[start - tc:stop - tc])
    if stop <= tc:
        root, tail = _pop_leaf(_take(root, stop))
    elif stop < count:
        tail = _leaf(tail.slots[:stop - tc])
    # now the tree holds [0, stop - len(tail)); cut its front
    tc = root.count if root is not None else 0
    if start >= tc:
        return stop - start, None, _leaf(tail.slots[start - tc:])
    root = _drop(root, start)
    return stop - start, _lower(root), tail


# ---------------------------------------------------------------- iterate


def _leaves(node):
    if node.height == 0:
        yield node
    elif node.height == 1:
        yield from node.slots
    else:
        for c in node.slots:
            yield from _leaves(c)


def _leaves_reversed(node):
    if node.height == 0:
        yield node
    elif node.height == 1:
        yield from reversed(node.slots)
    else:
        for c in reversed(node.slots):
            yield from _leaves_reversed(c)


def _fill(node, out):
    if node.height == 0:
        out.extend(node.slots)
    elif node.height == 1:
        for c in node.slots:
            out.extend(c.slots)
    else:
        for c in node.slots:
            _fill(c, out)


# ---------------------------------------------------------------- build


def _build(items):
    """``(count, root, tail)`` of a balanced vector holding the list ``items``."""
    n = len(items)
    if n == 0:
        return 0, None, _EMPTY_LEAF
    tc = ((n - 1) >> BITS) << BITS  # the tail holds 1..M elements
    tail = _leaf(items[tc:])
    if tc == 0:
        return n, None, tail
    level = [_leaf(items[i:i + M]) for i in range(0, tc, M)]
    h = 0
    while len(level) > 1:
        h += 1
        level = [Node(h, sum([c.count for c in level[i:i + M]]), None, None, level[i:i + M])
                 for i in range(0, len(level), M)]
    return n, level[0], tail


# ---------------------------------------------------------------- check


def _check_node(node, height):
    """Verify invariants 1-3 below ``node``; return its element count."""
    assert isinstance(node, Node), "not a node: %r" % (node,)
    assert node.height == height, "height %d, expected %d" % (node.height, height)
    k = len(node.slots)
    assert 1 <= k <= M, "node with %d slots" % k
    if height == 0:
        assert node.sizes is None, "leaf with a size table"
        assert node.count == k, "leaf count %d != %d" % (node.count, k)
        return k
    child_cap = 1 << (BITS * height)
    counts = [_check_node(c, height - 1) for c in node.slots]
    total = sum(counts)
    assert node.count == total, "count %d, children hold %d" % (node.count, total)
    assert total <= child_cap * M, "node over capacity"
    if node.sizes is None:
        for j, c in enumerate(node.slots):
            assert c.sizes is None, "balanced node with a relaxed child"
            assert j == k - 1 or c.count == child_cap, (
                "balanced node with a non-full child at %d (%d of %d)" % (j, c.count, child_cap))
    else:
        assert len(node.sizes) == k, "size table length %d != %d" % (len(node.sizes), k)
        assert node.sizes == _cumulative(node.slots), "size table %r wrong" % (node.sizes,)
    interior = node.slots[1:-1]
    if interior:
        short = _shortfall(interior)
        assert short < _MAX_SHORTFALL, (
            "search-step bound: interior shortfall %d >= %d" % (short, _MAX_SHORTFALL))
    return total


def _check_state(count, root, tail):
    assert isinstance(tail, Node) and tail.height == 0 and tail.sizes is None, "bad tail"
    assert tail.count == len(tail.slots) <= M, "bad tail size"
    assert (count == 0) == (tail.count == 0), "tail empty iff vector empty"
    if root is None:
        assert count == tail.count, "count %d != tail %d" % (count, tail.count)
        return
    if root.height:
        assert len(root.slots) >= 2, "single-child root"
    tc = _check_node(root, root.height)
    assert tc + tail.count == count, "count %d != %d + %d" % (count, tc, tail.count)


# ---------------------------------------------------------------- helpers

_MAXSIZE = _sys.maxsize


def _room(count, add):
    """Raise OverflowError when a vector of ``count`` elements cannot take
    ``add`` more (C: ``count_room``; counts are Py_ssize_t there, as for list,
    and the twin keeps the same limit so that both agree)."""
    if count + add > _MAXSIZE:
        raise OverflowError("a vector cannot hold more than sys.maxsize elements")


def _as_index(i):
    try:
        return _operator.index(i)
    except TypeError:
        raise TypeError("'%s' object cannot be interpreted as an index"
                        % type(i).__name__) from None


def _slice_index(x):
    try:
        return _operator.index(x)
    except TypeError:
        raise TypeError("slice indices must be integers or None or have an "
                        "__index__ method") from None


def _slice_ints(sl):
    """``sl`` with its step, start and stop converted by ``__index__`` (C:
    ``PySlice_Unpack``, same order and errors).  All the user code of a slice
    runs here, before any length is read: ``sl.indices(len)`` would take the
    length first, and the ``__index__`` of an evolver's key may change it."""
    step = sl.step
    if step is not None:
        step = _slice_index(step)
        if step == 0:
            raise ValueError("slice step cannot be zero")
    start = sl.start if sl.start is None else _slice_index(sl.start)
    stop = sl.stop if sl.stop is None else _slice_index(sl.stop)
    return slice(start, stop, step)


def _new(count, root, tail):
    vec = object.__new__(Vector)
    vec._count = count
    vec._root = root
    vec._tail = tail
    return vec


_EMPTY = None  # set after the class


# ---------------------------------------------------------------- Vector


class Vector:
    """A persistent vector (RRB tree): PVector's API plus O(log n) concat,
    slice, insert, delete and split.  Build with ``vector(iterable)`` or ``v(*items)``.

    Vector cannot be subclassed.  ``v * n`` and ``n * v`` repeat the elements
    as list does: OverflowError when n does not fit in a Py_ssize_t, the
    empty vector when n <= 0.  An operation that would make more than
    sys.maxsize elements raises OverflowError (MemoryError for ``*``, as
    list)."""

    __slots__ = ("_count", "_root", "_tail", "__weakref__")

    def __new__(cls, iterable=()):
        return vector(iterable)

    def __init_subclass__(cls, **kwargs):
        # C: Vector_Type has no Py_TPFLAGS_BASETYPE
        raise TypeError("type '%s.Vector' is not an acceptable base type" % __name__)

    __class_getitem__ = classmethod(_GenericAlias)

    # -- size and access

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._getslice(index)
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
        tail = self._tail
        tc = n - tail.count
        if i >= tc:
            return tail.slots[i - tc]
        return _get(self._root, i)

    def _getslice(self, index):
        index = _slice_ints(index)  # the __index__ calls first, once
        start, stop, step = index.indices(self._count)
        if step == 1:
            return self._range(start, stop)
        return vector(self.tolist()[index])

    def _range(self, start, stop):
        """Elements ``[start, stop)`` in O(log n) (clamped ``0 <= start, stop <= len``)."""
        if start >= stop:
            return _EMPTY
        if start == 0 and stop == self._count:
            return self
        return _new(*_slice(self._count, self._root, self._tail, start, stop))

    def __iter__(self):
        if self._root is not None:
            for leaf in _leaves(self._root):
                yield from leaf.slots
        yield from self._tail.slots

    def __reversed__(self):
        yield from reversed(self._tail.slots)
        if self._root is not None:
            for leaf in _leaves_reversed(self._root):
                yield from reversed(leaf.slots)

    def tolist(self):
        """The elements as a new list."""
        if self._count > _MAXSIZE // 8:
            raise MemoryError  # C: PyList_New refuses such a size at once
        out = []
        if self._root is not None:
            _fill(self._root, out)
        out.extend(self._tail.slots)
        return out

    def _totuple(self):
        return tuple(self.tolist())

    def __contains__(self, x):
        for y in self:
            if y is x or y == x:
                return True
        return False

    def index(self, value, *args):
        """First index of ``value`` (in ``[start, stop)``); ValueError when absent."""
        return self.tolist().index(value, *args)

    def count(self, value):
        """How many elements equal ``value``."""
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
        return hash(self._totuple())

    def __repr__(self):
        return "vector(%r)" % (self.tolist(),)

    __str__ = __repr__

    def __reduce__(self):
        return vector, (self.tolist(),)

    # -- PVector updates

    def append(self, x):
        """A new vector with ``x`` at the end (amortised O(1))."""
        _room(self._count, 1)
        tail = self._tail
        if tail.count < M:
            slots = tail.slots[:]
            slots.append(x)
            return _new(self._count + 1, self._root, _leaf(slots))
        return _new(self._count + 1, _push_tail(self._root, tail, None), _leaf([x]))

    def extend(self, iterable):
        """A new vector with the elements of ``iterable`` appended (O(log n) for a Vector)."""
        if isinstance(iterable, Vector):
            return _concat(self, iterable)
        items = list(iterable)
        if not items:
            return self
        if self._count == 0:
            return _new(*_build(items))
        _room(self._count, len(items))
        e = VectorEvolver(self)
        e._extend_list(items)
        return e.persistent()

    def __add__(self, other):
        if isinstance(other, Vector):
            return _concat(self, other)
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
        if times <= 0 or self._count == 0:
            return _EMPTY
        if times == 1:
            return self
        if self._count * times > _MAXSIZE // 8:
            raise MemoryError
        return vector(self.tolist() * times)

    __rmul__ = __mul__

    def set(self, i, x):
        """A new vector with ``x`` at index ``i`` (``i == len`` appends)."""
        i = _as_index(i)
        n = self._count
        if i < 0:
            i += n
        if 0 <= i < n:
            tail = self._tail
            tc = n - tail.count
            if i >= tc:
                slots = tail.slots[:]
                slots[i - tc] = x
                return _new(n, self._root, _leaf(slots))
            return _new(n, _assoc(self._root, i, x, None), tail)
        if i == n:
            return self.append(x)
        raise IndexError("Index out of range: %s" % (i,))

    def mset(self, *args):
        """``mset(i1, x1, i2, x2, ...)``: several ``set``s at once."""
        if len(args) % 2:
            raise TypeError("mset expected an even number of arguments")
        e = VectorEvolver(self)  # private: nothing else can edit it
        for k in range(0, len(args), 2):
            e[args[k]] = args[k + 1]
        return e.persistent()

    def delete(self, index, stop=None):
        """Without element ``index``, or without ``[index:stop]`` (clamped, as ``del l[i:j]``)."""
        if stop is None and not isinstance(index, slice):
            i = _as_index(index)
            n = self._count
            if i < 0:
                i += n
            if not 0 <= i < n:
                raise IndexError("Index out of range: %s" % (index,))
            return self._cut(i, i + 1)
        sl = _slice_ints(index if stop is None else slice(index, stop))
        start, end, step = sl.indices(self._count)
        if step == 1:
            return self._cut(start, end)
        items = self.tolist()
        del items[sl]
        return vector(items)

    def _cut(self, i, j):
        """Without elements ``[i, j)`` (0 <= i <= j <= len), via slices and a concat."""
        if i >= j:
            return self
        return _concat(self._range(0, i), self._range(j, self._count))

    def remove(self, value):
        """Without the first element equal to ``value``; ValueError when absent."""
        i = 0
        for y in self:
            if y is value or y == value:
                return self._cut(i, i + 1)
            i += 1
        raise ValueError("vector.remove(x): x not in vector")

    def transform(self, *transformations):
        """pyrsistent's ``transform``: see ``march._transform``."""
        from .._transform import transform
        return transform(self, transformations)

    def evolver(self):
        """A mutable ``VectorEvolver`` starting from this vector."""
        return VectorEvolver(self)

    # -- RRB extras, O(log n) each

    def insert(self, i, x):
        """A new vector with ``x`` before index ``i`` (-len <= i <= len)."""
        i = _as_index(i)
        n = self._count
        if i < 0:
            i += n
        if not 0 <= i <= n:
            raise IndexError("Index out of range: %s" % (i,))
        _room(n, 1)
        if i == n:
            return self.append(x)
        if i == 0:
            return self.appendleft(x)
        root, tail = self._root, self._tail
        tc = n - tail.count
        if i >= tc:
            # in the tail; a full tail pushes its first M elements
            slots = tail.slots[:i - tc] + [x] + tail.slots[i - tc:]
            if len(slots) <= M:
                return _new(n + 1, root, _leaf(slots))
            return _new(n + 1, _push_tail(root, _leaf(slots[:M]), None),
                        _leaf(slots[M:]))
        nodes = _insert(root, i, x)
        if len(nodes) == 1:
            return _new(n + 1, nodes[0], tail)
        return _new(n + 1, _mknode(root.height + 1, nodes), tail)

    def split(self, i):
        """``(self[:i], self[i:])``."""
        i = _as_index(i)
        k = slice(i, None).indices(self._count)[0]
        return self._range(0, k), self._range(k, self._count)

    def pop(self, i=-1):
        """``(vector without element i, that element)``; IndexError when empty."""
        i = _as_index(i)
        n = self._count
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("pop index out of range" if n else "pop from empty vector")
        if i < n - 1:
            return self._cut(i, i + 1), self[i]
        tail = self._tail
        x = tail.slots[-1]
        if tail.count > 1:
            return _new(n - 1, self._root, _leaf(tail.slots[:-1])), x
        if self._root is None:
            return _EMPTY, x
        root, leaf = _pop_leaf(self._root)
        return _new(n - 1, _strip(root), leaf), x

    def appendleft(self, x):
        """A new vector with ``x`` in front."""
        return _concat(_new(1, None, _leaf([x])), self)

    def popleft(self):
        """``(vector without its first element, that element)``; IndexError when empty."""
        if self._count == 0:
            raise IndexError("popleft from empty vector")
        return self._range(1, self._count), self[0]

    @classmethod
    def from_concat(cls, vectors):
        """The concatenation of many vectors, by pairwise tree reduction."""
        parts = []
        for p in vectors:
            if not isinstance(p, Vector):
                p = vector(p)
            if p._count:
                parts.append(p)
        if not parts:
            return _EMPTY
        while len(parts) > 1:
            nxt = [_concat(parts[k], parts[k + 1]) for k in range(0, len(parts) - 1, 2)]
            if len(parts) % 2:
                nxt.append(parts[-1])
            parts = nxt
        return parts[0]

    # -- debugging

    def _check(self):
        """Raise AssertionError if an invariant does not hold."""
        _check_state(self._count, self._root, self._tail)

    def _height(self):
        """Levels above the leaves (0 when everything is in the tail or one leaf)."""
        return self._root.height if self._root is not None else 0


_Sequence.register(Vector)
_EMPTY = _new(0, None, _EMPTY_LEAF)


def _concat(a, b):
    """``a + b`` for two Vectors, O(log n)."""
    _room(a._count, b._count)
    if b._count == 0:
        return a
    if a._count == 0:
        return b
    if b._root is None:
        # cheap path: b fits in a tail; only full leaves are pushed
        slots = a._tail.slots + b._tail.slots
        if len(slots) <= M:
            return _new(a._count + b._count, a._root, _leaf(slots))
        root = _push_tail(a._root, _leaf(slots[:M]), None)
        return _new(a._count + b._count, root, _leaf(slots[M:]))
    # a's tail becomes a (possibly partial) leaf at the seam; b's tail stays the tail
    left = _concat_trees(a._root, a._tail)
    return _new(a._count + b._count, _concat_trees(left, b._root), b._tail)


def vector(iterable=()):
    """A Vector holding the elements of ``iterable``."""
    if isinstance(iterable, Vector):
        return iterable
    items = list(iterable)
    if not items:
        return _EMPTY
    return _new(*_build(items))


def v(*items):
    """A Vector holding the arguments."""
    return vector(items)


# ---------------------------------------------------------------- evolver


class VectorEvolver:
    """A mutable view of a Vector, edited in place through an owner token.

    VectorEvolver cannot be subclassed, pickled or copied (TypeError).  An
    edit made while one of its operations is in progress (from a __del__ run
    by the GC, or an element's __eq__) raises RuntimeError.

    The busy guard (C: ``busy``, ``evolver_writable``): an edit works on
    nodes it changes in place and on locals, and the GC may run a finalizer
    at any allocation in the middle of it; a finalizer that edited the
    evolver then would leave the outer edit working on stale state.  So each
    edit (and ``remove``'s search, which calls ``__eq__``) counts itself in
    ``_busy``, and an edit started while busy raises RuntimeError.  User
    code that runs before the edit proper (a key's ``__index__``, iterating
    the argument of ``extend``) runs outside busy and may edit the evolver;
    the edit reads the length after it.  Elements an edit drops are released
    after ``_busy`` is back, so that their ``__del__`` may edit the evolver
    (as in C)."""

    __slots__ = ("_count", "_root", "_tail", "_owner", "_orig", "_dirty",
                 "_busy", "__weakref__")

    __hash__ = None     # mutable, as the C evolver

    def __init__(self, vec):
        if not isinstance(vec, Vector):
            vec = vector(vec)
        self._busy = 0
        self._reset(vec)

    def __init_subclass__(cls, **kwargs):
        # C: Evolver_Type has no Py_TPFLAGS_BASETYPE
        raise TypeError("type '%s.VectorEvolver' is not an acceptable base type"
                        % __name__)

    def __reduce__(self):
        # C: evolver_reduce; copy.copy and copy.deepcopy go through it too
        raise TypeError("cannot pickle '%s.VectorEvolver' object" % __name__)

    def _reset(self, vec):
        self._count = vec._count
        self._root = vec._root
        self._tail = vec._tail
        self._owner = object()  # a fresh edit token
        self._orig = vec
        self._dirty = False

    def _writable(self):
        if self._busy:
            raise RuntimeError(
                "VectorEvolver changed while one of its operations was in "
                "progress (from a __del__ run by the GC, or an element's __eq__?)")

    def _index(self, index):
        i = _as_index(index)
        if i < 0:
            i += self._count
        return i

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        i = self._index(index)
        n = self._count
        if not 0 <= i < n:
            raise IndexError("Index out of range: %s" % (index,))
        tail = self._tail
        tc = n - tail.count
        if i >= tc:
            return tail.slots[i - tc]
        return _get(self._root, i)

    def __setitem__(self, index, x):
        self._writable()
        i = _as_index(index)  # may run __index__, which may edit self
        self._writable()
        n = self._count
        if i < 0:
            i += n
        if i == n:
            self.append(x)
            return
        if not 0 <= i < n:
            raise IndexError("Index out of range: %s" % (index,))
        tail = self._tail
        tc = n - tail.count
        old = tail.slots[i - tc] if i >= tc else _get(self._root, i)
        self._busy += 1
        try:
            if i >= tc:
                tail = self._tail = _editable(tail, self._owner)
                tail.slots[i - tc] = x
            else:
                self._root = _assoc(self._root, i, x, self._owner)
            self._dirty = True
        finally:
            self._busy -= 1
        del old  # after the edit: its __del__ sees a whole tree

    def set(self, index, x):
        self[index] = x
        return self

    def append(self, x):
        self._writable()
        _room(self._count, 1)
        self._busy += 1
        try:
            owner = self._owner
            tail = self._tail
            if tail.count == M:
                # everything that allocates (and so may run a finalizer that
                # reads the evolver) first, then the fields together
                new = _leaf([x], owner)
                root = _push_tail(self._root, tail, owner)
                self._root, self._tail, self._count = root, new, self._count + 1
            else:
                tail = self._tail = _editable(tail, owner)
                tail.slots.append(x)
                tail.count += 1
                self._count += 1
            self._dirty = True
        finally:
            self._busy -= 1
        return self

    def _extend_list(self, items):
        """Push the list ``items`` (private to the caller); busy."""
        _room(self._count, len(items))
        self._busy += 1
        try:
            owner = self._owner
            pos, n = 0, len(items)
            while pos < n:
                tail = self._tail
                if tail.count == M:
                    # allocations first, then the fields together (as append)
                    chunk = items[pos:pos + M]
                    new = _leaf(chunk, owner)
                    root = _push_tail(self._root, tail, owner)
                    self._root, self._tail, self._count = (
                        root, new, self._count + len(chunk))
                else:
                    chunk = items[pos:pos + M - tail.count]
                    tail = self._tail = _editable(tail, owner)
                    tail.slots.extend(chunk)
                    tail.count += len(chunk)
                    self._count += len(chunk)
                pos += len(chunk)
                self._dirty = True
        finally:
            self._busy -= 1

    def extend(self, iterable):
        """Append every element of iterable, all or nothing (the iterable is
        consumed first, outside busy; the C core also undoes a MemoryError
        part-way)."""
        self._writable()
        items = list(iterable)
        self._writable()
        self._extend_list(items)
        return self

    def _snapshot(self):
        return _new(self._count, self._root, self._tail)

    def _replace(self, vec):
        """Install the value of ``vec`` (busy: nothing may edit self while the
        fields change) and return the old ``(root, tail)``: the caller
        releases it after busy, so that the ``__del__`` of the elements it
        held see the new value, whole, and may edit (C: evolver_replace)."""
        old_root, old_tail = self._root, self._tail
        self._count = vec._count
        self._root = vec._root
        self._tail = vec._tail
        self._dirty = True
        return old_root, old_tail

    def __delitem__(self, key):
        self._writable()
        # every __index__ first (it may edit self), then the length
        if isinstance(key, slice):
            k = _slice_ints(key)
        else:
            k = _as_index(key)
        self._writable()
        self._busy += 1
        try:
            cur = self._snapshot()
            if isinstance(k, slice):
                new = cur.delete(k)
            else:
                i = k + self._count if k < 0 else k
                if not 0 <= i < self._count:
                    raise IndexError("Index out of range: %s" % (key,))
                new = cur._cut(i, i + 1)
            old = self._replace(new)
        finally:
            self._busy -= 1
        del old

    def delete(self, index, stop=None):
        if stop is None:
            del self[index]
        else:
            del self[slice(index, stop)]
        return self

    def remove(self, value):
        self._writable()
        # busy while the elements' __eq__ run
        self._busy += 1
        try:
            old = self._replace(self._snapshot().remove(value))
        finally:
            self._busy -= 1
        del old
        return self

    def is_dirty(self):
        return self._dirty

    def persistent(self):
        """A Vector with the current contents; later edits do not affect it."""
        self._writable()
        if not self._dirty:
            return self._orig
        old = self._orig
        self._busy += 1
        try:
            result = self._snapshot() if self._count else _EMPTY
            self._reset(result)  # new token: the nodes now shared are frozen
        finally:
            self._busy -= 1
        del old
        return result

    finish = persistent

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _check(self):
        _check_state(self._count, self._root, self._tail)

    def _height(self):
        return self._root.height if self._root is not None else 0
