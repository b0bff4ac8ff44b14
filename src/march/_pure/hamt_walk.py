"""The twin of ``src/march/_core/hamt_walk.c``: structural algorithms over two
HAMTs -- the parallel walk (``Map.diff`` / ``Set.diff``), union,
intersection, difference, symmetric difference, subset and disjointness
tests, and the key-only hash of a Set.

The parallel walk
-----------------
Two tries built by the same canonical rules put a key at the same slot of
the same level, and two versions of a map share every subtree that no change
touched.  ``hamt_walk(a, b, want, fn, ctx)`` descends both at once:

* a pair of identical node objects is skipped without looking inside (two
  versions of a 1,000,000-entry map that differ in 10 keys cost O(10 log n)
  node visits, not n);
* a slot present on one side only is reported whole, as one-sided entries;
* two entries in one slot: identical keys are the same key, else the full
  hashes and then ``==`` decide (as in ``hamt_find``);
* an entry against a subtree: the key can only be on its hash path inside
  the subtree, so when the caller does not want the subtree's one-sided
  entries only that path is followed; otherwise the subtree is reported
  with the entry's match (if any) as "both";
* two collision nodes of one hash are compared as sets of entries; a
  collision node against anything else is seen as a bitmap node with one
  child (itself) at the slot its hash selects.

``fn(ctx, kind, ka, va, kb, vb, h)`` gets ``ONLY_A``, ``ONLY_B`` or ``BOTH``
(the last only when the two values are not the same object) and ``h``, the
key's hash when the walk knows it (else None; C: a NULL pointer); it returns
a true value to stop the walk (C: 1; -1 is an exception here).  Reports come
in a fixed order (slots in ascending bit order, depth first; in a collision
pair the entries of a, then those only in b), the C code follows the same
steps, so both build identical results.

The algebra builds with assoc/without under a fresh owner id, starting from
one input so that whole subtrees are reused:

* union: from a (Maps: so collision nodes keep dict.update's order, a's
  keys first) or from the larger one (Sets; ties: a), adding the other
  side's one-sided entries, and b's value (or ``combine(key, a_value,
  b_value)``) for keys in both whose values are not the same object;
* intersection: from the smaller (ties: a), removing its one-sided keys;
  the values are a's (or combine's);
* difference: from the empty trie with a's one-sided entries, or, when
  ``4 * len(b) < len(a)``, a with b's keys removed;
* symmetric difference: from the empty trie with both sides' one-sided
  entries, or, when one side is 4 times smaller, the larger with the
  smaller's keys toggled.
"""
from .common import popcount32 as _popcount
from .hamt import (
    NOTFOUND, hamt_find, hamt_hash_finish, hamt_hash_step, hamt_iter_init,
    hamt_iter_keys, hamt_key_match, hamt_node_bitmap_assoc, hamt_root_assoc,
    hamt_root_without,
)
from .hamt_node import HAMT_BITS, HAMT_MASK, M64, BitmapNode, hamt_node_empty_root

__all__ = [
    "ONLY_A", "ONLY_B", "BOTH", "WANT_A", "WANT_B", "HAMT_SMALL_FACTOR",
    "hamt_walk_visits", "hamt_walk", "hamt_union", "hamt_intersection",
    "hamt_difference", "hamt_symmetric_difference", "hamt_issubset",
    "hamt_isdisjoint", "hamt_diff", "hamt_hash_keys",
]

# "much smaller": the algebra takes its cheap path when
# HAMT_SMALL_FACTOR * small < large
HAMT_SMALL_FACTOR = 4

# what the walk reports (C: MARCH_ONLY_A, ...)
ONLY_A = 1      # key only in a: ka, va set, kb = vb = None
ONLY_B = 2      # key only in b: kb, vb set, ka = va = None
BOTH = 3        # equal keys, values not the same object

# which one-sided entries the caller wants (BOTH is always reported)
WANT_A = 1
WANT_B = 2

# Node pairs and entries the walks have looked at since the module was
# loaded (a debugging counter, read by march's _walk_visits()).
hamt_walk_visits = 0


# ---------------------------------------------------------------------------
# the parallel walk
# ---------------------------------------------------------------------------

class HamtWalk:
    """The state of one walk: what is wanted, the callback and its context."""

    __slots__ = ("want", "fn", "ctx")

    def __init__(self, want, fn, ctx):
        self.want = want
        self.fn = fn
        self.ctx = ctx


# what a slot holds (hamt_walk_slot)
S_EMPTY = 0
S_ENTRY = 1
S_NODE = 2


def hamt_walk_presence(node, shift):
    """The slots a node occupies at level ``shift``; a collision node is seen
    as a bitmap node with one child: itself, at the slot of its hash."""
    if type(node) is BitmapNode:
        return node.datamap | node.nodemap
    return 1 << ((node.hash >> shift) & HAMT_MASK)


def hamt_walk_slot(node, shift, bit):
    """What ``node`` holds at ``bit``: ``(kind, key, value, child)`` (C: a
    HamtWalkSlot), kind one of S_EMPTY, S_ENTRY, S_NODE."""
    if type(node) is BitmapNode:
        dm = node.datamap
        if dm & bit:
            i = _popcount(dm & (bit - 1)) << 1
            return S_ENTRY, node.array[i], node.array[i + 1], None
        nm = node.nodemap
        if nm & bit:
            return S_NODE, None, None, node.array[(_popcount(dm) << 1)
                                                  + _popcount(nm & (bit - 1))]
        return S_EMPTY, None, None, None
    if bit == 1 << ((node.hash >> shift) & HAMT_MASK):
        return S_NODE, None, None, node
    return S_EMPTY, None, None, None


def hamt_walk_side_wanted(w, side):
    return w.want & (WANT_A if side == ONLY_A else WANT_B)


def hamt_walk_report_one(w, side, k, v, h):
    """A one-sided entry, when that side is wanted."""
    if side == ONLY_A:
        if w.want & WANT_A:
            return w.fn(w.ctx, ONLY_A, k, v, None, None, h)
        return 0
    if w.want & WANT_B:
        return w.fn(w.ctx, ONLY_B, None, None, k, v, h)
    return 0


def hamt_walk_report_both(w, ka, va, kb, vb, h):
    """A key in both, when the two values are not the same object."""
    if va is vb:
        return 0
    return w.fn(w.ctx, BOTH, ka, va, kb, vb, h)


def hamt_walk_report_all(w, side, node):
    """Every entry of a subtree as one-sided, slots in ascending bit order."""
    global hamt_walk_visits
    if not hamt_walk_side_wanted(w, side):
        return 0
    hamt_walk_visits += 1
    arr = node.array
    if type(node) is BitmapNode:
        dm = node.datamap
        nm = node.nodemap
        nd = _popcount(dm) << 1
        allm = dm | nm
        while allm:
            bit = allm & -allm
            allm ^= bit
            if dm & bit:
                i = _popcount(dm & (bit - 1)) << 1
                r = hamt_walk_report_one(w, side, arr[i], arr[i + 1], None)
            else:
                r = hamt_walk_report_all(w, side,
                                         arr[nd + _popcount(nm & (bit - 1))])
            if r:
                return r
        return 0
    h = node.hash
    for i in range(0, len(arr), 2):
        r = hamt_walk_report_one(w, side, arr[i], arr[i + 1], h)
        if r:
            return r
    return 0


def hamt_walk_report_slot(w, side, s):
    """A one-sided slot (from ``hamt_walk_slot``): an entry or a subtree."""
    if s[0] == S_ENTRY:
        return hamt_walk_report_one(w, side, s[1], s[2], None)
    return hamt_walk_report_all(w, side, s[3])


def hamt_walk_same_key(stored, key, h):
    """A stored key against ``key`` of hash ``h``: the same key or not."""
    return hamt_key_match(stored, key, h)[0]


def hamt_walk_report_match(w, eside, k, v, k2, v2, h):
    """The entry (k, v) of side ``eside`` matched (k2, v2) of the other."""
    if eside == ONLY_A:
        return hamt_walk_report_both(w, k, v, k2, v2, h)
    return hamt_walk_report_both(w, k2, v2, k, v, h)


def hamt_walk_entry_in_node(w, eside, k, v, h, node, shift, matched):
    """The entry (k, v) of side ``eside`` (hash h) against the subtree
    ``node`` of the other side, at level ``shift``.  Reports the subtree's
    entries (when wanted) and the match; ``matched`` is a one-item list
    set to True when k was found (C: an int out-parameter)."""
    global hamt_walk_visits
    oside = ONLY_B if eside == ONLY_A else ONLY_A
    full = hamt_walk_side_wanted(w, oside)
    hamt_walk_visits += 1
    arr = node.array
    if type(node) is not BitmapNode:
        if node.hash != h:
            return hamt_walk_report_all(w, oside, node) if full else 0
        ch = node.hash
        for i in range(0, len(arr), 2):
            k2 = arr[i]
            v2 = arr[i + 1]
            if not matched[0] and (k2 is k or k2 == k):
                matched[0] = True
                r = hamt_walk_report_match(w, eside, k, v, k2, v2, h)
                if r or not full:
                    return r
                continue
            if full:
                r = hamt_walk_report_one(w, oside, k2, v2, ch)
                if r:
                    return r
        return 0
    dm = node.datamap
    nm = node.nodemap
    hbit = 1 << ((h >> shift) & HAMT_MASK)
    nd = _popcount(dm) << 1
    if not full:
        # only the hash path can hold k
        if dm & hbit:
            i = _popcount(dm & (hbit - 1)) << 1
            if not hamt_walk_same_key(arr[i], k, h):
                return 0
            matched[0] = True
            return hamt_walk_report_match(w, eside, k, v, arr[i], arr[i + 1], h)
        if nm & hbit:
            return hamt_walk_entry_in_node(w, eside, k, v, h,
                                           arr[nd + _popcount(nm & (hbit - 1))],
                                           shift + HAMT_BITS, matched)
        return 0
    allm = dm | nm
    while allm:
        bit = allm & -allm
        allm ^= bit
        if dm & bit:
            i = _popcount(dm & (bit - 1)) << 1
            k2 = arr[i]
            v2 = arr[i + 1]
            if bit == hbit and not matched[0] and hamt_walk_same_key(k2, k, h):
                matched[0] = True
                r = hamt_walk_report_match(w, eside, k, v, k2, v2, h)
                if r:
                    return r
                continue
            r = hamt_walk_report_one(w, oside, k2, v2, None)
        else:
            child = arr[nd + _popcount(nm & (bit - 1))]
            if bit == hbit:
                r = hamt_walk_entry_in_node(w, eside, k, v, h, child,
                                            shift + HAMT_BITS, matched)
            else:
                r = hamt_walk_report_all(w, oside, child)
        if r:
            return r
    return 0


def hamt_walk_entry_vs_subtree(w, eside, k, v, node, shift):
    """An entry of side ``eside`` in the slot where the other side has a
    subtree: the subtree (as wanted), then the entry if it had no match."""
    h = hash(k) & M64
    matched = [False]
    r = hamt_walk_entry_in_node(w, eside, k, v, h, node, shift, matched)
    if r or matched[0]:
        return r
    return hamt_walk_report_one(w, eside, k, v, h)


def hamt_walk_entry_vs_entry(w, ka, va, kb, vb):
    """An entry of each side in one slot."""
    global hamt_walk_visits
    hamt_walk_visits += 1
    if ka is kb:
        return hamt_walk_report_both(w, ka, va, kb, vb, None)
    ha = hash(ka) & M64
    hb = hash(kb) & M64
    if ha == hb and ka == kb:
        return hamt_walk_report_both(w, ka, va, kb, vb, ha)
    r = hamt_walk_report_one(w, ONLY_A, ka, va, ha)
    if r:
        return r
    return hamt_walk_report_one(w, ONLY_B, kb, vb, hb)


def hamt_walk_collision_vs_collision(w, a, b):
    """Two collision nodes of one hash, compared as sets of entries.  The
    search for each entry of a starts in b just after the previous match
    (versions of a node keep their order): O(n) for two versions."""
    aa = a.array
    ba = b.array
    nbp = len(ba) >> 1
    used = [False] * nbp
    h = a.hash
    cursor = 0
    for i in range(0, len(aa), 2):
        ka = aa[i]
        for t in range(nbp):
            jp = cursor + t
            if jp >= nbp:
                jp -= nbp
            if used[jp]:
                continue
            kb = ba[2 * jp]
            if ka is kb or ka == kb:
                used[jp] = True
                cursor = jp + 1 if jp + 1 < nbp else 0
                r = hamt_walk_report_both(w, ka, aa[i + 1], kb, ba[2 * jp + 1], h)
                if r:
                    return r
                break
        else:
            r = hamt_walk_report_one(w, ONLY_A, ka, aa[i + 1], h)
            if r:
                return r
    for t in range(nbp):
        if not used[t]:
            r = hamt_walk_report_one(w, ONLY_B, ba[2 * t], ba[2 * t + 1], b.hash)
            if r:
                return r
    return 0


def hamt_walk_node(w, a, b, shift):
    """Walk the subtrees a and b (both at level ``shift``) in parallel."""
    global hamt_walk_visits
    if a is b:
        return 0
    hamt_walk_visits += 1
    if (type(a) is not BitmapNode and type(b) is not BitmapNode
            and a.hash == b.hash):
        return hamt_walk_collision_vs_collision(w, a, b)
    if shift >= 64:
        raise SystemError("march: corrupt trie (walk)")
    allm = hamt_walk_presence(a, shift) | hamt_walk_presence(b, shift)
    while allm:
        bit = allm & -allm
        allm ^= bit
        sa = hamt_walk_slot(a, shift, bit)
        sb = hamt_walk_slot(b, shift, bit)
        if sa[0] == S_EMPTY:
            r = hamt_walk_report_slot(w, ONLY_B, sb)
        elif sb[0] == S_EMPTY:
            r = hamt_walk_report_slot(w, ONLY_A, sa)
        elif sa[0] == S_ENTRY and sb[0] == S_ENTRY:
            r = hamt_walk_entry_vs_entry(w, sa[1], sa[2], sb[1], sb[2])
        elif sa[0] == S_ENTRY:
            r = hamt_walk_entry_vs_subtree(w, ONLY_A, sa[1], sa[2], sb[3],
                                           shift + HAMT_BITS)
        elif sb[0] == S_ENTRY:
            r = hamt_walk_entry_vs_subtree(w, ONLY_B, sb[1], sb[2], sa[3],
                                           shift + HAMT_BITS)
        else:
            r = hamt_walk_node(w, sa[3], sb[3], shift + HAMT_BITS)
        if r:
            return r
    return 0


def hamt_walk(a, b, want, fn, ctx):
    """Walk the roots a and b in parallel (see the module docstring).
    Returns a true value when ``fn`` stopped it (C: 1; 0 done)."""
    return hamt_walk_node(HamtWalk(want, fn, ctx), a, b, 0)


# ---------------------------------------------------------------------------
# building results
# ---------------------------------------------------------------------------

# the build modes (C: enum)
B_UNION_A = 0       # base a: add b's one-sided entries, b's values
B_UNION_B = 1       # base b: add a's one-sided entries
B_INTER_A = 2       # base a: remove a's one-sided keys
B_INTER_B = 3       # base b: remove b's one-sided keys, a's values
B_DIFF = 4          # base empty: a's one-sided entries
B_SYMDIFF = 5       # base empty: the one-sided entries of both


class HamtBuild:
    """The result being built: its root so far, its owner id, the combine
    callable (None) and the mode."""

    __slots__ = ("root", "owner", "combine", "mode")

    def __init__(self, root, owner, combine, mode):
        self.root = root
        self.owner = owner
        self.combine = combine
        self.mode = mode


def hamt_build_assoc(bd, k, v, h):
    # hamt_root_assoc, written out
    if h is None:
        h = hash(k) & M64
    bd.root = hamt_node_bitmap_assoc(bd.root, 0, k, h, v, bd.owner)[0]
    return 0


def hamt_build_without(bd, k, h):
    bd.root = hamt_root_without(bd.root, k, h, bd.owner)[0]
    return 0


def hamt_build_combined(bd, key, ka, va, vb, h):
    """Bind ``key`` to ``combine(ka, va, vb)``."""
    return hamt_build_assoc(bd, key, bd.combine(ka, va, vb), h)


def hamt_build_visit(bd, kind, ka, va, kb, vb, h):
    """The walk's callback of the algebra (``ctx`` is the HamtBuild)."""
    mode = bd.mode
    if mode == B_UNION_A:
        if kind == ONLY_B:
            return hamt_build_assoc(bd, kb, vb, h)
        if kind == BOTH:
            if bd.combine is not None:
                return hamt_build_combined(bd, ka, ka, va, vb, h)
            return hamt_build_assoc(bd, ka, vb, h)
        return 0
    if mode == B_UNION_B:
        if kind == ONLY_A:
            return hamt_build_assoc(bd, ka, va, h)
        if kind == BOTH and bd.combine is not None:
            return hamt_build_combined(bd, kb, ka, va, vb, h)
        return 0
    if mode == B_INTER_A:
        if kind == ONLY_A:
            return hamt_build_without(bd, ka, h)
        if kind == BOTH and bd.combine is not None:
            return hamt_build_combined(bd, ka, ka, va, vb, h)
        return 0
    if mode == B_INTER_B:
        if kind == ONLY_B:
            return hamt_build_without(bd, kb, h)
        if kind == BOTH:
            if bd.combine is not None:
                return hamt_build_combined(bd, kb, ka, va, vb, h)
            return hamt_build_assoc(bd, kb, va, h)
        return 0
    if mode == B_DIFF:
        if kind == ONLY_A:
            return hamt_build_assoc(bd, ka, va, h)
        return 0
    # B_SYMDIFF
    if kind == ONLY_A:
        return hamt_build_assoc(bd, ka, va, h)
    if kind == ONLY_B:
        return hamt_build_assoc(bd, kb, vb, h)
    return 0


def hamt_build_run(base, a, b, want, mode, combine, owner):
    """Walk a and b and build the result of ``mode`` from ``base``."""
    bd = HamtBuild(base, owner, combine, mode)
    hamt_walk(a, b, want, hamt_build_visit, bd)
    return bd.root


def hamt_union(a, b, combine, owner, from_a):
    """The root of a | b (b's values, or combine's, for keys in both).
    From a (Maps: dict.update's order in collision nodes), or from the
    larger one when not ``from_a`` (Sets)."""
    if a is b or not b.count:
        return a
    if not a.count:
        return b
    if not from_a and b.count > a.count:
        return hamt_build_run(b, a, b, WANT_A, B_UNION_B, combine, owner)
    return hamt_build_run(a, a, b, WANT_B, B_UNION_A, combine, owner)


def hamt_intersection(a, b, combine, owner):
    """The root of a & b (a's values, or combine's)."""
    if a is b or not a.count:
        return a
    if not b.count:
        return hamt_node_empty_root()
    if b.count < a.count:
        return hamt_build_run(b, a, b, WANT_B, B_INTER_B, combine, owner)
    return hamt_build_run(a, a, b, WANT_A, B_INTER_A, combine, owner)


def hamt_build_edit_keys(base, keys, owner, toggle):
    """The cheap paths of a - b and a ^ b, by the keys of the much smaller
    side: ``base`` with the keys of ``keys`` removed (``toggle`` 0), or with
    the entries of ``keys`` toggled (1: removed when in base, else added)."""
    root = base
    for k, v in hamt_iter_init(keys):
        h = hash(k) & M64
        if not toggle or hamt_find(base, k, h) is not NOTFOUND:
            root = hamt_root_without(root, k, h, owner)[0]
        else:
            root = hamt_root_assoc(root, k, h, v, owner)
    return root


def hamt_difference(a, b, owner):
    """The root of a - b."""
    if a is b:
        return hamt_node_empty_root()
    if not a.count or not b.count:
        return a
    if b.count * HAMT_SMALL_FACTOR < a.count:
        return hamt_build_edit_keys(a, b, owner, 0)
    return hamt_build_run(hamt_node_empty_root(), a, b, WANT_A, B_DIFF, None,
                          owner)


def hamt_symmetric_difference(a, b, owner):
    """The root of a ^ b."""
    if a is b:
        return hamt_node_empty_root()
    if not a.count:
        return b
    if not b.count:
        return a
    if b.count * HAMT_SMALL_FACTOR < a.count:
        return hamt_build_edit_keys(a, b, owner, 1)
    if a.count * HAMT_SMALL_FACTOR < b.count:
        return hamt_build_edit_keys(b, a, owner, 1)
    return hamt_build_run(hamt_node_empty_root(), a, b, WANT_A | WANT_B,
                          B_SYMDIFF, None, owner)


# ---------------------------------------------------------------------------
# predicates
# ---------------------------------------------------------------------------

def hamt_issubset_visit(ctx, kind, ka, va, kb, vb, h):
    return 1 if kind == ONLY_A else 0


def hamt_issubset(a, b):
    """Whether every key of a is in b."""
    if a is b or not a.count:
        return True
    if a.count > b.count:
        return False
    return not hamt_walk(a, b, WANT_A, hamt_issubset_visit, None)


def hamt_isdisjoint(a, b):
    """Whether a and b have no key in common."""
    if not a.count or not b.count:
        return True
    if a is b:
        return False
    small, large = (a, b) if a.count <= b.count else (b, a)
    for k in hamt_iter_keys(small):
        if hamt_find(large, k, hash(k) & M64) is not NOTFOUND:
            return False
    return True


# ---------------------------------------------------------------------------
# diff
# ---------------------------------------------------------------------------

class HamtDiff:
    """The differences found so far: the list, the marker of a missing side,
    and whether only keys are compared (sets)."""

    __slots__ = ("list", "absent", "keys_only")

    def __init__(self, absent, keys_only):
        self.list = []
        self.absent = absent
        self.keys_only = keys_only


def hamt_diff_append(d, k, old, new):
    d.list.append((k, old, new))
    return 0


def hamt_diff_visit(d, kind, ka, va, kb, vb, h):
    if kind == ONLY_A:
        return hamt_diff_append(d, ka, ka if d.keys_only else va, d.absent)
    if kind == ONLY_B:
        return hamt_diff_append(d, kb, d.absent, kb if d.keys_only else vb)
    if d.keys_only or va is vb or va == vb:
        return 0
    return hamt_diff_append(d, ka, va, vb)


def hamt_diff(a, b, absent, keys_only):
    """A new list of the differences from a to b: ``(key, old, new)`` tuples,
    with ``absent`` for a missing side; values compared with ==.  In
    ``keys_only`` mode (sets) old/new are the key itself or ``absent``."""
    d = HamtDiff(absent, keys_only)
    hamt_walk(a, b, WANT_A | WANT_B, hamt_diff_visit, d)
    return d.list


# ---------------------------------------------------------------------------
# hash of a set
# ---------------------------------------------------------------------------

def hamt_hash_keys(root):
    """frozenset's hash of the keys (so hash(Set) == hash(frozenset))."""
    h = 0
    for k in hamt_iter_keys(root):
        h = hamt_hash_step(h, hash(k) & M64)
    return hamt_hash_finish(h, root.count)
