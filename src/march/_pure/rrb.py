"""Pure-Python twin of ``src/march/_core/rrb.c``: the algorithms of march's
persistent vector, an RRB tree (relaxed radix balanced tree, Bagwell &
Rompf 2011; L'orange 2014) with a tail, over the nodes of ``rrb_node.py``.

The twin of a C function is the C name without its ``march_`` prefix
(``march_rrb_concat`` -> ``rrb_concat``, ``rrb_node_merge`` ->
``rrb_node_merge``); each file explains the other, and docs/design-rrb.md
discusses the design.  The checker is in ``rrb_check.py``, the Python types
in ``vector_object.py``.

The vector value
----------------
C's ``MarchRRB`` (count, root, tail) is three values here: the functions on
a vector value (``rrb_get``, ``rrb_set``, ``rrb_push``, ``rrb_pop``,
``rrb_from_array``, ``rrb_concat``, ``rrb_slice``, ``rrb_insert``,
``rrb_delete``, ``rrb_tolist``) take ``count, root, tail`` and return the new
value as a tuple ``(count, root, tail)`` (C edits ``*v`` or fills ``*out``).

``count``  number of elements.
``root``   ``None`` or a tree holding elements ``[0, count - tail.count)``.
           A root of height > 0 has at least two children (single-child
           roots are always stripped).
``tail``   a leaf with the last 1..M elements; it is empty
           (``RRB_EMPTY_LEAF``) only when ``count == 0`` (C: NULL).  Appends
           and pops touch only the tail, except once every M operations (a
           full tail is pushed into the tree; an emptied tail is refilled
           with the tree's last leaf).  [C only: the tail buffer appended to
           in place; the twin copies its tail.]

Invariants (``rrb_check`` verifies all of them)
-----------------------------------------------
1. Every tree node has 1..M slots; the children of a node of height h all
   have height h - 1; counts add up; a size table is cumulative and exact.
2. Balanced nodes are dense-left: a node with ``sizes is None`` has only
   balanced children, and every child but the last is full (holds exactly
   ``M**h`` elements for a parent of height h).  Index i is then found by a
   pure radix walk: child ``(i >> (BITS*h)) & (M-1)``.  Nodes are built
   canonically: ``rrb_inner_make`` drops the size table whenever the node
   is dense.
3. Search-step bound (E_MAX = 2): the *interior* children of a node (all but
   its first and its last) are nearly full.  Their total shortfall
   ``sum(M - len(c.slots))`` is below ``(E_MAX + 1) * M``; equivalently, a
   node whose k - 2 interior children hold T slots has
   ``k - 2 <= ceil(T / M) + E_MAX``.  The first and last children are exempt
   because cutting a tree (slice, pop) only ever shrinks edge children, so
   the bound survives every cut without any repair.  Concatenation, the one
   operation that makes edge nodes interior, rebalances every merged level
   with the stronger *whole-list* bound (all children counted), see
   ``rrb_node_fit``.  Appends keep it because a leaf is only pushed after
   the tree's last leaf was topped up to M elements (``rrb_node_top_up``).
4. Relaxed lookup starts at the radix guess ``j = i >> (BITS*h)`` (a lower
   bound, since no child holds more than ``M**h`` elements) and steps forward
   while ``sizes[j] <= i``.

Persistence and evolvers
------------------------
Persistent edits copy the path they change and share the rest.  With an
``owner`` token (an evolver's), nodes tagged with it are edited in place and
the nodes made are tagged with it (``rrb_node_editable``, rrb_node.py);
``owner=None`` copies.  Concatenation, slicing, insert and delete never edit
in place: the evolver runs them persistently and swaps the result in.

One verb per function: ``rrb_node_get`` / ``rrb_get`` (lookup), ``rrb_node_assoc`` /
``rrb_set`` (set), ``rrb_tree_push_tail`` / ``rrb_node_push_leaf`` /
``rrb_node_top_up`` / ``rrb_push`` (push), ``rrb_node_pop_leaf`` /
``rrb_pop`` (pop), ``rrb_from_array`` (bulk construction),
``rrb_tree_concat`` / ``rrb_node_merge`` / ``rrb_node_rebalance`` /
``rrb_node_fit`` / ``rrb_node_redistribute`` / ``rrb_concat`` (concat),
``rrb_node_take`` / ``rrb_node_drop`` / ``rrb_tree_lower`` / ``rrb_slice``
(slice), ``rrb_node_insert`` / ``rrb_insert`` (insert), ``rrb_delete``,
``rrb_node_leaves`` / ``rrb_tolist`` (walks).
"""
import sys as _sys

from .rrb_node import (
    RRB_BITS, RRB_EMPTY_LEAF, RRB_M, RRB_MASK, RRB_MAX_SHORTFALL, RRB_SKIP,
    RRBNode, rrb_inner_make, rrb_inner_sizes, rrb_leaf_make, rrb_node_copy,
    rrb_node_editable, rrb_node_shortfall,
)

__all__ = [
    "rrb_count_room", "rrb_get", "rrb_set", "rrb_push", "rrb_pop",
    "rrb_from_array", "rrb_concat", "rrb_slice", "rrb_insert", "rrb_delete",
    "rrb_tolist", "rrb_node_get", "rrb_node_assoc", "rrb_tree_push_tail", "rrb_node_leaves",
    "rrb_node_leaves_reversed",
]

_MAXSIZE = _sys.maxsize


# ---------------------------------------------------------------- helpers


def rrb_count_room(count, add):
    """Raise OverflowError when a vector of ``count`` elements cannot take
    ``add`` more (counts are Py_ssize_t in C, as for list, and the twin keeps
    the same limit so that both agree)."""
    if count + add > _MAXSIZE:
        raise OverflowError("a vector cannot hold more than sys.maxsize elements")


def rrb_tree_strip(node):
    """Drop single-child roots (the tree gets lower)."""
    while node is not None and node.height > 0 and len(node.slots) == 1:
        node = node.slots[0]
    return node


# ---------------------------------------------------------------- lookup


def rrb_node_locate(node, i):
    """Child index and index within that child of element ``i`` of internal ``node``."""
    shift = RRB_BITS * node.height
    j = i >> shift
    sizes = node.sizes
    if sizes is None:
        return j, i - (j << shift)
    while sizes[j] <= i:
        j += 1
    return j, (i - sizes[j - 1]) if j else i


def rrb_node_get(node, i):
    """Element ``i`` of the tree under ``node`` (0 <= i < node.count) [twin
    only: the tree walk of C's ``march_rrb_get``, a function of its own so
    that the glue can read the tail inline and call it for the tree]."""
    while node.height:
        shift = RRB_BITS * node.height
        sizes = node.sizes
        if sizes is None:
            j = (i >> shift) & RRB_MASK
            i &= (1 << shift) - 1
        else:
            j = i >> shift
            while sizes[j] <= i:
                j += 1
            if j:
                i -= sizes[j - 1]
        node = node.slots[j]
    return node.slots[i]


def rrb_get(count, root, tail, i):
    """Element ``i`` of the vector (0 <= i < count)."""
    tc = count - tail.count
    if i >= tc:
        return tail.slots[i - tc]
    return rrb_node_get(root, i)


def rrb_tree_last_leaf(node):
    while node.height:
        node = node.slots[-1]
    return node


# ---------------------------------------------------------------- set / assoc


def rrb_node_assoc(node, i, x, owner):
    """The tree with element ``i`` replaced by ``x`` (path copy, or in place when owned)."""
    n = rrb_node_editable(node, owner)
    if n.height == 0:
        n.slots[i] = x
        return n
    j, r = rrb_node_locate(n, i)
    n.slots[j] = rrb_node_assoc(n.slots[j], r, x, owner)
    return n


def rrb_set(count, root, tail, i, x, owner):
    """The vector with element ``i`` (0 <= i < count) replaced by ``x``."""
    tc = count - tail.count
    if i >= tc:
        tail = rrb_node_editable(tail, owner)
        tail.slots[i - tc] = x
        return count, root, tail
    return count, rrb_node_assoc(root, i, x, owner), tail


# ---------------------------------------------------------------- push


def rrb_path_new(height, leaf, owner):
    """A chain of single-child (balanced) nodes of ``height`` above ``leaf``."""
    node = leaf
    for h in range(1, height + 1):
        node = RRBNode(h, leaf.count, None, owner, [node])
    return node


def rrb_node_top_up(node, extra):
    """The tree with the elements ``extra`` appended to its last leaf (they
    fit): a copy of the path, never an edit in place (see ``rrb_tree_push_tail``)."""
    n = rrb_node_copy(node, None)
    k = len(extra)
    n.count += k
    if n.height == 0:
        n.slots.extend(extra)
        return n
    # the last child only grows: a balanced node stays balanced
    if n.sizes is not None:
        n.sizes[-1] += k
    n.slots[-1] = rrb_node_top_up(n.slots[-1], extra)
    return n


def rrb_node_push_leaf(node, leaf, owner):
    """``node`` (height >= 1) with ``leaf`` added at its right end, or None if no room."""
    h = node.height
    k = leaf.count
    if h > 1:
        child = node.slots[-1]
        new_child = rrb_node_push_leaf(child, leaf, owner)
        if new_child is not None:
            n = rrb_node_editable(node, owner)
            n.slots[-1] = new_child
            n.count += k
            if n.sizes is not None:
                n.sizes[-1] += k
            elif new_child.sizes is not None:
                n.sizes = rrb_inner_sizes(n.slots)
            return n
        if len(node.slots) == RRB_M:
            return None
        child = node.slots[-1]
        new_child = rrb_path_new(h - 1, leaf, owner)
    else:
        if len(node.slots) == RRB_M:
            return None
        child = node.slots[-1]
        new_child = leaf
    n = rrb_node_editable(node, owner)
    if n.sizes is None and (child.count != 1 << (RRB_BITS * h) or child.sizes is not None):
        n.sizes = rrb_inner_sizes(n.slots)  # the old last child was not full
    n.count += k
    if n.sizes is not None:
        n.sizes.append(n.count)
    n.slots.append(new_child)
    return n


def rrb_tree_push_tail(root, leaf, owner):
    """The tree ``root`` (or None) with the full leaf ``leaf`` appended."""
    if root is None:
        return leaf
    last = rrb_tree_last_leaf(root)
    if last.count < RRB_M:
        # top the tree's last leaf up first, so it never becomes interior while
        # partial (keeps invariant 3 and balanced nodes balanced); the top-up
        # copies its path even for an evolver, as in C, where an allocation
        # failing later in the push must leave the value unchanged
        room = RRB_M - last.count
        root = rrb_node_top_up(root, leaf.slots[:room])
        leaf = rrb_leaf_make(leaf.slots[room:], owner)
    if root.height:
        r = rrb_node_push_leaf(root, leaf, owner)
        if r is not None:
            return r
    return rrb_inner_make(root.height + 1,
                          [root, rrb_path_new(root.height, leaf, owner)], owner)


def rrb_push(count, root, tail, x, owner):
    """The vector with ``x`` appended: into the tail (in place when the
    evolver ``owner`` owns it), or, when the tail is full, the tail goes into
    the tree and ``x`` starts a new one.  ``Vector.append`` and
    ``VectorEvolver.append`` run the first case inline (speed)."""
    rrb_count_room(count, 1)
    if tail.count < RRB_M:
        tail = rrb_node_editable(tail, owner)
        tail.slots.append(x)
        tail.count += 1
        return count + 1, root, tail
    # everything that allocates first, then the new value (as C)
    new = rrb_leaf_make([x], owner)
    return count + 1, rrb_tree_push_tail(root, tail, owner), new


# ---------------------------------------------------------------- pop


def rrb_node_pop_leaf(node):
    """``(tree without its last leaf or None, that leaf)``; the tree is not stripped."""
    if node.height == 0:
        return None, node
    new_child, leaf = rrb_node_pop_leaf(node.slots[-1])
    if new_child is None:
        if len(node.slots) == 1:
            return None, leaf
        slots = node.slots[:-1]
    else:
        slots = node.slots[:-1]
        slots.append(new_child)
    return rrb_inner_make(node.height, slots), leaf


def rrb_pop(count, root, tail):
    """The vector without its last element (count > 0), persistent [C's owner
    argument has no twin: the twin's evolver deletes with ``rrb_delete``]."""
    if tail.count > 1:
        return count - 1, root, rrb_leaf_make(tail.slots[:-1])
    if root is None:
        return 0, None, RRB_EMPTY_LEAF
    root, leaf = rrb_node_pop_leaf(root)
    return count - 1, rrb_tree_strip(root), leaf


# ---------------------------------------------------------------- build


def rrb_from_array(items):
    """The balanced vector holding the list ``items``."""
    n = len(items)
    if n == 0:
        return 0, None, RRB_EMPTY_LEAF
    tc = ((n - 1) >> RRB_BITS) << RRB_BITS  # the tail holds 1..M elements
    tail = rrb_leaf_make(items[tc:])
    if tc == 0:
        return n, None, tail
    M = RRB_M
    level = [rrb_leaf_make(items[i:i + M]) for i in range(0, tc, M)]
    h = 0
    while len(level) > 1:
        h += 1
        level = [RRBNode(h, sum([c.count for c in level[i:i + M]]), None, None,
                         level[i:i + M])
                 for i in range(0, len(level), M)]
    return n, level[0], tail


# ---------------------------------------------------------------- concat


def rrb_node_redistribute(height, nodes):
    """Regroup the slots of ``nodes`` (all of ``height``) into fewer nodes.

    The plan (Bagwell & Rompf; L'orange): skip nodes that are nearly full
    (>= M - E_MAX/2 slots); the first one that is not is removed by spreading
    its slots over its right neighbours, each filled up to M, until the carry
    is absorbed.  One node less each round, until the whole list's shortfall
    is below ``(E_MAX + 1) * M``.  Nodes whose slot range did not change are
    reused as they are; new ones are built (and checked, recursively) by
    ``rrb_node_fit``.
    """
    M = RRB_M
    sizes = [len(n.slots) for n in nodes]
    shortfall = M * len(sizes) - sum(sizes)
    i = 0
    while shortfall >= RRB_MAX_SHORTFALL:
        n = len(sizes)
        while i < n and sizes[i] >= RRB_SKIP:
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
                chunk = rrb_node_fit(height, chunk, interior=True)
            n = rrb_inner_make(height, chunk)
        out.append(n)
        pos += s
    return out


def rrb_node_fit(height, kids, interior=False):
    """``kids`` (children for a node of ``height``) made to meet the search-step bound.

    ``interior=False`` checks the whole list (used for a merged level of a
    concatenation); ``interior=True`` only the children but the first and the
    last (the invariant of one node).  Each round removes at least one node,
    so this terminates; a node built by a round is itself checked (its
    children may be sparse edge children of different old nodes).
    """
    while True:
        checked = kids if not interior else kids[1:-1]
        if len(checked) <= 2 or rrb_node_shortfall(checked) < RRB_MAX_SHORTFALL:
            return kids
        kids = rrb_node_redistribute(height - 1, kids)


def rrb_node_rebalance(height, left, middle, right):
    """Nodes of ``height`` (1 or 2 of them) over the children ``left + middle + right``."""
    kids = rrb_node_fit(height, left + middle + right)
    if len(kids) <= RRB_M:
        return [rrb_inner_make(height, kids)]
    # Two parents.  The one on the side the seam came from (the side with
    # fewer old children: where the next concatenation in a run of appends
    # or prepends will land) takes the remainder; the other one is full, so
    # runs of appends or of prepends leave full nodes behind them.
    if len(left) >= len(right):
        cut = RRB_M
    else:
        cut = len(kids) - RRB_M
    return [rrb_inner_make(height, kids[:cut]), rrb_inner_make(height, kids[cut:])]


def rrb_node_merge(a, b):
    """Merge the right edge of tree ``a`` with the left edge of tree ``b``.

    Returns one or two nodes of height ``max(a.height, b.height)`` holding
    the elements of ``a`` then ``b``.  Each level along the seam is rebuilt
    by ``rrb_node_rebalance`` from the children of the two edge nodes plus
    the 1-2 nodes returned by the level below.
    """
    if a.height > b.height:
        return rrb_node_rebalance(a.height, a.slots[:-1],
                                  rrb_node_merge(a.slots[-1], b), [])
    if a.height < b.height:
        return rrb_node_rebalance(b.height, [], rrb_node_merge(a, b.slots[0]),
                                  b.slots[1:])
    if a.height == 0:
        if a.count + b.count <= RRB_M:  # two small leaves at the seam: join them
            return [rrb_leaf_make(a.slots + b.slots)]
        return [a, b]
    return rrb_node_rebalance(a.height, a.slots[:-1],
                              rrb_node_merge(a.slots[-1], b.slots[0]), b.slots[1:])


def rrb_tree_concat(a, b):
    """The tree holding the elements of tree ``a`` then tree ``b`` (either may be None)."""
    if a is None:
        return b
    if b is None:
        return a
    nodes = rrb_node_merge(a, b)
    if len(nodes) == 1:
        return rrb_tree_strip(nodes[0])
    return rrb_inner_make(nodes[0].height + 1, nodes)


def rrb_concat(a_count, a_root, a_tail, b_count, b_root, b_tail):
    """The vector holding the elements of vector ``a`` then vector ``b``, O(log n)."""
    rrb_count_room(a_count, b_count)
    if b_count == 0:
        return a_count, a_root, a_tail
    if a_count == 0:
        return b_count, b_root, b_tail
    if b_root is None:
        # cheap path: b fits in a tail; only full leaves are pushed
        slots = a_tail.slots + b_tail.slots
        if len(slots) <= RRB_M:
            return a_count + b_count, a_root, rrb_leaf_make(slots)
        root = rrb_tree_push_tail(a_root, rrb_leaf_make(slots[:RRB_M]), None)
        return a_count + b_count, root, rrb_leaf_make(slots[RRB_M:])
    # a's tail becomes a (possibly partial) leaf at the seam; b's tail stays the tail
    left = rrb_tree_concat(a_root, a_tail)
    return a_count + b_count, rrb_tree_concat(left, b_root), b_tail


# ---------------------------------------------------------------- slice


def rrb_node_take(node, k):
    """The tree holding the first ``k`` elements of ``node`` (1 <= k <= count)."""
    if k == node.count:
        return node
    if node.height == 0:
        return rrb_leaf_make(node.slots[:k])
    j, r = rrb_node_locate(node, k - 1)
    slots = node.slots[:j]
    slots.append(rrb_node_take(node.slots[j], r + 1))
    return rrb_inner_make(node.height, slots)


def rrb_node_drop(node, i):
    """The tree without the first ``i`` elements of ``node`` (0 <= i < count)."""
    if i == 0:
        return node
    if node.height == 0:
        return rrb_leaf_make(node.slots[i:])
    j, r = rrb_node_locate(node, i)
    slots = [rrb_node_drop(node.slots[j], r)]
    slots.extend(node.slots[j + 1:])
    return rrb_inner_make(node.height, slots)


def rrb_tree_lower(root):
    """Strip ``root``; when it is left with two children of which one is a thin
    chain (a cut edge), concatenate the two halves again as separate trees so
    the height matches the contents (keeps small slices of big trees low)."""
    root = rrb_tree_strip(root)
    while (root is not None and root.height >= 2 and len(root.slots) == 2
           and (len(root.slots[0].slots) == 1 or len(root.slots[1].slots) == 1)):
        new = rrb_tree_concat(rrb_tree_strip(root.slots[0]),
                              rrb_tree_strip(root.slots[1]))
        if new.height >= root.height:
            break
        root = new
    return root


def rrb_slice(count, root, tail, start, stop):
    """The vector of elements ``[start, stop)`` (0 <= start <= stop <= count)."""
    if start >= stop:
        return 0, None, RRB_EMPTY_LEAF
    if start == 0 and stop == count:
        return count, root, tail
    tc = count - tail.count
    if start >= tc:
        if start == tc and stop == count:
            return count - tc, None, tail
        return stop - start, None, rrb_leaf_make(tail.slots[start - tc:stop - tc])
    if stop <= tc:
        root, tail = rrb_node_pop_leaf(rrb_node_take(root, stop))
    elif stop < count:
        tail = rrb_leaf_make(tail.slots[:stop - tc])
    # now the tree holds [0, stop - len(tail)); cut its front
    tc = root.count if root is not None else 0
    if start >= tc:
        return stop - start, None, rrb_leaf_make(tail.slots[start - tc:])
    root = rrb_node_drop(root, start)
    return stop - start, rrb_tree_lower(root), tail


# ---------------------------------------------------------------- insert / delete


def rrb_node_roomy_neighbour(slots, j):
    """The index of the neighbour of ``slots[j]`` with the most room (the
    left one on a tie), or -1 when both are full or absent."""
    left = len(slots[j - 1].slots) if j > 0 else RRB_M
    right = len(slots[j + 1].slots) if j + 1 < len(slots) else RRB_M
    if left >= RRB_M and right >= RRB_M:
        return -1
    return j - 1 if left <= right else j + 1


def rrb_node_insert(node, i, x):
    """The tree ``node`` with ``x`` inserted before its element ``i``
    (0 <= i < node.count), as one node, or two when it had to split.

    Path copy: a full leaf shares its elements with a neighbour that has
    room, or else splits in two halves; the parent is refitted to the
    search-step bound (its interior may now hold partial nodes), and splits
    in turn when it has M + 1 children.
    """
    M = RRB_M
    if node.height == 0:
        slots = node.slots[:i] + [x] + node.slots[i:]
        if len(slots) <= M:
            return [rrb_leaf_make(slots)]
        k = (len(slots) + 1) // 2
        return [rrb_leaf_make(slots[:k]), rrb_leaf_make(slots[k:])]
    j, r = rrb_node_locate(node, i)
    child = node.slots[j]
    nb = (rrb_node_roomy_neighbour(node.slots, j)
          if node.height == 1 and len(child.slots) == M else -1)
    if nb < 0:
        kids = node.slots[:j] + rrb_node_insert(child, r, x) + node.slots[j + 1:]
    else:
        # a full leaf next to one with room: share the elements of the two
        # evenly instead of splitting (keeps leaves full, the tree dense)
        slots = child.slots[:r] + [x] + child.slots[r:]
        lo = min(nb, j)
        flat = node.slots[nb].slots + slots if nb < j else slots + node.slots[nb].slots
        k = (len(flat) + 1) // 2
        kids = (node.slots[:lo] + [rrb_leaf_make(flat[:k]), rrb_leaf_make(flat[k:])]
                + node.slots[lo + 2:])
    kids = rrb_node_fit(node.height, kids, interior=True)
    if len(kids) <= M:
        return [rrb_inner_make(node.height, kids)]
    k = (len(kids) + 1) // 2
    return [rrb_inner_make(node.height, kids[:k]), rrb_inner_make(node.height, kids[k:])]


def rrb_insert(count, root, tail, i, x):
    """The vector with ``x`` inserted before element ``i`` (0 <= i <= count)."""
    rrb_count_room(count, 1)
    if i == count:
        return rrb_push(count, root, tail, x, None)
    if i == 0:
        return rrb_concat(1, None, rrb_leaf_make([x]), count, root, tail)
    tc = count - tail.count
    if i >= tc:
        # in the tail; a full tail pushes its first M elements
        slots = tail.slots[:i - tc] + [x] + tail.slots[i - tc:]
        if len(slots) <= RRB_M:
            return count + 1, root, rrb_leaf_make(slots)
        return (count + 1, rrb_tree_push_tail(root, rrb_leaf_make(slots[:RRB_M]), None),
                rrb_leaf_make(slots[RRB_M:]))
    nodes = rrb_node_insert(root, i, x)
    if len(nodes) == 1:
        return count + 1, nodes[0], tail
    return count + 1, rrb_inner_make(root.height + 1, nodes), tail


def rrb_delete(count, root, tail, lo, hi):
    """The vector without elements ``[lo, hi)`` (0 <= lo <= hi <= count):
    a slice or two and a concatenation."""
    if lo >= hi:
        return count, root, tail
    if hi == count:
        return rrb_slice(count, root, tail, 0, lo)
    if lo == 0:
        return rrb_slice(count, root, tail, hi, count)
    return rrb_concat(*rrb_slice(count, root, tail, 0, lo),
                      *rrb_slice(count, root, tail, hi, count))


# ---------------------------------------------------------------- walks


def rrb_node_leaves(node):
    """The leaves of the tree ``node``, left to right [twin only: C's
    iterators find each leaf with ``march_rrb_leaf_for``]."""
    if node.height == 0:
        yield node
    elif node.height == 1:
        yield from node.slots
    else:
        for c in node.slots:
            yield from rrb_node_leaves(c)


def rrb_node_leaves_reversed(node):
    """The leaves of the tree ``node``, right to left [twin only]."""
    if node.height == 0:
        yield node
    elif node.height == 1:
        yield from reversed(node.slots)
    else:
        for c in reversed(node.slots):
            yield from rrb_node_leaves_reversed(c)


def rrb_node_fill(node, out):
    """Append the elements of the tree ``node`` to the list ``out`` [twin only]."""
    if node.height == 0:
        out.extend(node.slots)
    elif node.height == 1:
        for c in node.slots:
            out.extend(c.slots)
    else:
        for c in node.slots:
            rrb_node_fill(c, out)


def rrb_tolist(count, root, tail):
    """A new list of the elements of the vector."""
    if count > _MAXSIZE // 8:
        raise MemoryError  # C: PyList_New refuses such a size at once
    out = []
    if root is not None:
        rrb_node_fill(root, out)
    out.extend(tail.slots)
    return out
