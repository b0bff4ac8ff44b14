"""The pure-Python twin of march's set algebra and ``Set`` (C: hamtset.c,
setmodule.c).

The parallel walk
-----------------
Two tries built by the same canonical rules put a key at the same slot of
the same level, and two versions of a map share every subtree that no change
touched.  ``_walk(a, b, want, fn)`` descends both at once:

* a pair of identical node objects is skipped without looking inside (two
  versions of a 1,000,000-entry map that differ in 10 keys cost O(10 log n)
  node visits, not n);
* a slot present on one side only is reported whole, as one-sided entries;
* two entries in one slot: identical keys are the same key, else the full
  hashes and then ``==`` decide (as in ``find``);
* an entry against a subtree: the key can only be on its hash path inside
  the subtree, so when the caller does not want the subtree's one-sided
  entries only that path is followed; otherwise the subtree is reported
  with the entry's match (if any) as "both";
* two collision nodes of one hash are compared as sets of entries; a
  collision node against anything else is seen as a bitmap node with one
  child (itself) at the slot its hash selects.

``fn(kind, ka, va, kb, vb, h)`` gets ``ONLY_A``, ``ONLY_B`` or ``BOTH`` (the
last only when the two values are not the same object) and ``h``, the key's
hash when the walk knows it (else ``None``); it returns a true value to stop
the walk.  Reports come in a fixed order (slots in ascending bit order, depth
first; in a collision pair the entries of a, then those only in b), the C
code follows the same steps, so both build identical results.

The algebra builds with ``assoc``/``without`` under a fresh owner id,
starting from one input so that whole subtrees are reused:

* union: from a (Maps: so collision nodes keep dict.update's order, a's
  keys first) or from the larger one (Sets; ties: a), adding the other
  side's one-sided
  entries, and b's value (or ``combine(key, a_value, b_value)``) for keys in
  both whose values are not the same object;
* intersection: from the smaller (ties: a), removing its one-sided keys;
  the values are a's (or combine's);
* difference: from the empty trie with a's one-sided entries, or, when
  ``4 * len(b) < len(a)``, a with b's keys removed;
* symmetric difference: from the empty trie with both sides' one-sided
  entries, or, when one side is 4 times smaller, the larger with the
  smaller's keys toggled.
"""
import collections.abc as _abc
import types as _types
from _thread import get_ident as _get_ident

from . import hamt as _h
from .hamt import (
    _EMPTY, _M64, _NOTFOUND, BitmapNode, Map, _new_map, _next_owner,
    _object_new, _popcount, assoc, check, depth, equal, find, iterate,
    iterate_keys, without,
)

__all__ = ["Set", "SetEvolver", "s", "ABSENT"]

ONLY_A = 1
ONLY_B = 2
BOTH = 3
WANT_A = 1
WANT_B = 2
_SMALL_FACTOR = 4

_visits = 0


def _walk_visits():
    """Nodes and entries the structural walks have looked at so far."""
    return _visits


class _AbsentType:
    """The type of ``ABSENT``, ``diff()``'s marker of a missing side."""

    __slots__ = ()

    def __repr__(self):
        return "march.ABSENT"

    def __reduce__(self):
        return "ABSENT"


ABSENT = _AbsentType()
_AbsentType.__new__ = None      # no other instance


# ---------------------------------------------------------------------------
# the parallel walk
# ---------------------------------------------------------------------------

def _presence(node, shift):
    if type(node) is BitmapNode:
        return node.datamap | node.nodemap
    return 1 << ((node.hash >> shift) & 31)


def _slot(node, shift, bit):
    """(kind, key, value) with kind 0 empty, 1 entry, 2 node (in value)."""
    if type(node) is BitmapNode:
        dm = node.datamap
        if dm & bit:
            i = _popcount(dm & (bit - 1)) << 1
            return 1, node.array[i], node.array[i + 1]
        nm = node.nodemap
        if nm & bit:
            return 2, None, node.array[(_popcount(dm) << 1)
                                       + _popcount(nm & (bit - 1))]
        return 0, None, None
    if bit == 1 << ((node.hash >> shift) & 31):
        return 2, None, node
    return 0, None, None


class _Walk:
    __slots__ = ("want", "fn")

    def __init__(self, want, fn):
        self.want = want
        self.fn = fn

    def wanted(self, side):
        return self.want & (WANT_A if side == ONLY_A else WANT_B)

    def one(self, side, k, v, h):
        if side == ONLY_A:
            if self.want & WANT_A:
                return self.fn(ONLY_A, k, v, None, None, h)
            return 0
        if self.want & WANT_B:
            return self.fn(ONLY_B, None, None, k, v, h)
        return 0

    def both(self, ka, va, kb, vb, h):
        if va is vb:
            return 0
        return self.fn(BOTH, ka, va, kb, vb, h)

    def match(self, eside, k, v, k2, v2, h):
        if eside == ONLY_A:
            return self.both(k, v, k2, v2, h)
        return self.both(k2, v2, k, v, h)


def _report_all(w, side, node):
    global _visits
    if not w.wanted(side):
        return 0
    _visits += 1
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
                r = w.one(side, arr[i], arr[i + 1], None)
            else:
                r = _report_all(w, side, arr[nd + _popcount(nm & (bit - 1))])
            if r:
                return r
        return 0
    h = node.hash
    for i in range(0, len(arr), 2):
        r = w.one(side, arr[i], arr[i + 1], h)
        if r:
            return r
    return 0


def _same_key(stored, key, h):
    if stored is key:
        return True
    if (hash(stored) & _M64) != h:
        return False
    return bool(stored == key)


def _entry_in_node(w, eside, k, v, h, node, shift, matched):
    """The entry (k, v) of side ``eside`` against the subtree ``node`` of the
    other side (at level ``shift``).  ``matched`` is a one-item list."""
    global _visits
    oside = ONLY_B if eside == ONLY_A else ONLY_A
    full = w.wanted(oside)
    _visits += 1
    arr = node.array
    if type(node) is not BitmapNode:
        if node.hash != h:
            return _report_all(w, oside, node) if full else 0
        ch = node.hash
        for i in range(0, len(arr), 2):
            k2 = arr[i]
            v2 = arr[i + 1]
            if not matched[0] and (k2 is k or k2 == k):
                matched[0] = True
                r = w.match(eside, k, v, k2, v2, h)
                if r or not full:
                    return r
                continue
            if full:
                r = w.one(oside, k2, v2, ch)
                if r:
                    return r
        return 0
    dm = node.datamap
    nm = node.nodemap
    hbit = 1 << ((h >> shift) & 31)
    nd = _popcount(dm) << 1
    if not full:
        if dm & hbit:
            i = _popcount(dm & (hbit - 1)) << 1
            if not _same_key(arr[i], k, h):
                return 0
            matched[0] = True
            return w.match(eside, k, v, arr[i], arr[i + 1], h)
        if nm & hbit:
            return _entry_in_node(w, eside, k, v, h,
                                  arr[nd + _popcount(nm & (hbit - 1))],
                                  shift + 5, matched)
        return 0
    allm = dm | nm
    while allm:
        bit = allm & -allm
        allm ^= bit
        if dm & bit:
            i = _popcount(dm & (bit - 1)) << 1
            k2 = arr[i]
            v2 = arr[i + 1]
            if bit == hbit and not matched[0] and _same_key(k2, k, h):
                matched[0] = True
                r = w.match(eside, k, v, k2, v2, h)
                if r:
                    return r
                continue
            r = w.one(oside, k2, v2, None)
        else:
            child = arr[nd + _popcount(nm & (bit - 1))]
            if bit == hbit:
                r = _entry_in_node(w, eside, k, v, h, child, shift + 5,
                                   matched)
            else:
                r = _report_all(w, oside, child)
        if r:
            return r
    return 0


def _entry_vs_subtree(w, eside, k, v, node, shift):
    h = hash(k) & _M64
    matched = [False]
    r = _entry_in_node(w, eside, k, v, h, node, shift, matched)
    if r or matched[0]:
        return r
    return w.one(eside, k, v, h)


def _entry_vs_entry(w, ka, va, kb, vb):
    global _visits
    _visits += 1
    if ka is kb:
        return w.both(ka, va, kb, vb, None)
    ha = hash(ka) & _M64
    hb = hash(kb) & _M64
    if ha == hb and ka == kb:
        return w.both(ka, va, kb, vb, ha)
    r = w.one(ONLY_A, ka, va, ha)
    if r:
        return r
    return w.one(ONLY_B, kb, vb, hb)


def _coll_vs_coll(w, a, b):
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
                r = w.both(ka, aa[i + 1], kb, ba[2 * jp + 1], h)
                if r:
                    return r
                break
        else:
            r = w.one(ONLY_A, ka, aa[i + 1], h)
            if r:
                return r
    for t in range(nbp):
        if not used[t]:
            r = w.one(ONLY_B, ba[2 * t], ba[2 * t + 1], b.hash)
            if r:
                return r
    return 0


def _walk_node(w, a, b, shift):
    global _visits
    if a is b:
        return 0
    _visits += 1
    if (type(a) is not BitmapNode and type(b) is not BitmapNode
            and a.hash == b.hash):
        return _coll_vs_coll(w, a, b)
    if shift >= 64:
        raise SystemError("march: corrupt trie (walk)")
    allm = _presence(a, shift) | _presence(b, shift)
    while allm:
        bit = allm & -allm
        allm ^= bit
        ka_kind, ka, va = _slot(a, shift, bit)
        kb_kind, kb, vb = _slot(b, shift, bit)
        if not ka_kind:
            r = (w.one(ONLY_B, kb, vb, None) if kb_kind == 1
                 else _report_all(w, ONLY_B, vb))
        elif not kb_kind:
            r = (w.one(ONLY_A, ka, va, None) if ka_kind == 1
                 else _report_all(w, ONLY_A, va))
        elif ka_kind == 1 and kb_kind == 1:
            r = _entry_vs_entry(w, ka, va, kb, vb)
        elif ka_kind == 1:
            r = _entry_vs_subtree(w, ONLY_A, ka, va, vb, shift + 5)
        elif kb_kind == 1:
            r = _entry_vs_subtree(w, ONLY_B, kb, vb, va, shift + 5)
        else:
            r = _walk_node(w, va, vb, shift + 5)
        if r:
            return r
    return 0


def walk(a, b, want, fn):
    """Walk the roots a and b in parallel (see the module docstring).
    Returns a true value when ``fn`` stopped it."""
    return _walk_node(_Walk(want, fn), a, b, 0)


# ---------------------------------------------------------------------------
# building results
# ---------------------------------------------------------------------------

class _Build:
    __slots__ = ("root", "owner", "combine")

    def __init__(self, root, owner, combine):
        self.root = root
        self.owner = owner
        self.combine = combine

    def assoc(self, k, v, h):
        if h is None:
            h = hash(k) & _M64
        self.root = assoc(self.root, 0, k, h, v, self.owner)
        return 0

    def without(self, k, h):
        if h is None:
            h = hash(k) & _M64
        self.root = without(self.root, 0, k, h, self.owner)
        return 0


def _run_build(base, a, b, want, mode, combine, owner):
    bd = _Build(base, owner, combine)
    if mode == "union_a":
        def fn(kind, ka, va, kb, vb, h):
            if kind == ONLY_B:
                return bd.assoc(kb, vb, h)
            if kind == BOTH:
                if combine is not None:
                    return bd.assoc(ka, combine(ka, va, vb), h)
                return bd.assoc(ka, vb, h)
            return 0
    elif mode == "union_b":
        def fn(kind, ka, va, kb, vb, h):
            if kind == ONLY_A:
                return bd.assoc(ka, va, h)
            if kind == BOTH and combine is not None:
                return bd.assoc(kb, combine(ka, va, vb), h)
            return 0
    elif mode == "inter_a":
        def fn(kind, ka, va, kb, vb, h):
            if kind == ONLY_A:
                return bd.without(ka, h)
            if kind == BOTH and combine is not None:
                return bd.assoc(ka, combine(ka, va, vb), h)
            return 0
    elif mode == "inter_b":
        def fn(kind, ka, va, kb, vb, h):
            if kind == ONLY_B:
                return bd.without(kb, h)
            if kind == BOTH:
                if combine is not None:
                    return bd.assoc(kb, combine(ka, va, vb), h)
                return bd.assoc(kb, va, h)
            return 0
    elif mode == "diff":
        def fn(kind, ka, va, kb, vb, h):
            if kind == ONLY_A:
                return bd.assoc(ka, va, h)
            return 0
    else:   # symdiff
        def fn(kind, ka, va, kb, vb, h):
            if kind == ONLY_A:
                return bd.assoc(ka, va, h)
            if kind == ONLY_B:
                return bd.assoc(kb, vb, h)
            return 0
    walk(a, b, want, fn)
    return bd.root


def union_roots(a, b, combine, owner, from_a=True):
    """The root of a | b (b's values, or combine's, for keys in both).
    From a (Maps: dict.update's order in collision nodes), or from the
    larger one when not ``from_a`` (Sets)."""
    if a is b or not b.count:
        return a
    if not a.count:
        return b
    if not from_a and b.count > a.count:
        return _run_build(b, a, b, WANT_A, "union_b", combine, owner)
    return _run_build(a, a, b, WANT_B, "union_a", combine, owner)


def intersection_roots(a, b, combine, owner):
    """The root of a & b (a's values, or combine's)."""
    if a is b or not a.count:
        return a
    if not b.count:
        return _EMPTY
    if b.count < a.count:
        return _run_build(b, a, b, WANT_B, "inter_b", combine, owner)
    return _run_build(a, a, b, WANT_A, "inter_a", combine, owner)


def difference_roots(a, b, owner):
    """The root of a - b."""
    if a is b:
        return _EMPTY
    if not a.count or not b.count:
        return a
    if b.count * _SMALL_FACTOR < a.count:
        root = a
        for k, _ in iterate(b):
            root = without(root, 0, k, hash(k) & _M64, owner)
        return root
    return _run_build(_EMPTY, a, b, WANT_A, "diff", None, owner)


def _toggle(large, small, owner):
    root = large
    for k, v in iterate(small):
        h = hash(k) & _M64
        if find(large, k, h) is not _NOTFOUND:
            root = without(root, 0, k, h, owner)
        else:
            root = assoc(root, 0, k, h, v, owner)
    return root


def symmetric_difference_roots(a, b, owner):
    """The root of a ^ b."""
    if a is b:
        return _EMPTY
    if not a.count:
        return b
    if not b.count:
        return a
    if b.count * _SMALL_FACTOR < a.count:
        return _toggle(a, b, owner)
    if a.count * _SMALL_FACTOR < b.count:
        return _toggle(b, a, owner)
    return _run_build(_EMPTY, a, b, WANT_A | WANT_B, "symdiff", None, owner)


def _stop_on_a(kind, ka, va, kb, vb, h):
    return 1 if kind == ONLY_A else 0


def issubset_roots(a, b):
    if a is b or not a.count:
        return True
    if a.count > b.count:
        return False
    return not walk(a, b, WANT_A, _stop_on_a)


def isdisjoint_roots(a, b):
    if not a.count or not b.count:
        return True
    if a is b:
        return False
    small, large = (a, b) if a.count <= b.count else (b, a)
    for k in iterate_keys(small):
        if find(large, k, hash(k) & _M64) is not _NOTFOUND:
            return False
    return True


def diff_list(a, b, keys_only):
    out = []
    append = out.append

    def fn(kind, ka, va, kb, vb, h):
        if kind == ONLY_A:
            append((ka, ka if keys_only else va, ABSENT))
        elif kind == ONLY_B:
            append((kb, ABSENT, kb if keys_only else vb))
        elif not keys_only and not (va is vb or va == vb):
            append((ka, va, vb))
        return 0

    walk(a, b, WANT_A | WANT_B, fn)
    return out


def hash_keys(root):
    """frozenset's hash of the keys (so hash(Set) == hash(frozenset))."""
    h = 0
    for k in iterate_keys(root):
        e = hash(k) & _M64
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
# the Map methods (installed on hamt.Map at the end of hamt.py)
# ---------------------------------------------------------------------------

def _map_result(self, r):
    if r is self._root:
        return self
    return _new_map(r)


def _check_combine(combine):
    if combine is not None and not callable(combine):
        raise TypeError("combine must be callable or None, not %s"
                        % type(combine).__name__)


def _map_root_of(other, meth):
    if isinstance(other, Map):
        return other._root
    if type(other) is Set:
        raise TypeError("Map.%s() needs a Map or a mapping, not a Set" % meth)
    return Map(other)._root


def _keys_root_of(other, meth):
    if isinstance(other, Map) or type(other) is Set:
        return other._root
    if isinstance(other, _abc.Mapping):
        return _map_root_of(other, meth)
    return _set_root_of(other)


def map_union(self, other, /, combine=None):
    """union(other, /, combine=None) -> a new Map.

    The keys of both; for a key in both, other's value, or
    ``combine(key, self_value, other_value)`` when given (called only when
    the two values are not the same object: shared subtrees are reused as
    they are).  ``m | other`` and ``m.update(other)`` give the same result.
    """
    _check_combine(combine)
    b = _map_root_of(other, "union")
    return _map_result(self, union_roots(self._root, b, combine,
                                         _next_owner()))


def map_intersection(self, other, /, combine=None):
    """intersection(other, /, combine=None) -> a new Map.

    The entries of self whose key is in other (a Map, a Set, a mapping or an
    iterable of keys), with self's values, or ``combine(key, self_value,
    other_value)`` when given (for keys whose values are not the same
    object; other_value is None for a Set)."""
    _check_combine(combine)
    b = _keys_root_of(other, "intersection")
    return _map_result(self, intersection_roots(self._root, b, combine,
                                                _next_owner()))


def map_difference(self, other):
    """difference(other) -> the entries of self whose key is not in other
    (a Map, a Set, a mapping or an iterable of keys)."""
    b = _keys_root_of(other, "difference")
    return _map_result(self, difference_roots(self._root, b, _next_owner()))


def map_symmetric_difference(self, other):
    """symmetric_difference(other) -> the entries whose key is in exactly
    one of self and other (a Map or a mapping), with their values."""
    b = _map_root_of(other, "symmetric_difference")
    return _map_result(self, symmetric_difference_roots(self._root, b,
                                                        _next_owner()))


def map_diff(self, other):
    """diff(other) -> an iterator of (key, old, new): keys only in self give
    (key, value, ABSENT), keys only in other (key, ABSENT, value), keys whose
    values differ (not ==) (key, self_value, other_value).  Subtrees the two
    maps share are skipped without a look."""
    if not isinstance(other, Map):
        raise TypeError("Map.diff() needs a Map, not %s"
                        % type(other).__name__)
    return iter(diff_list(self._root, other._root, False))


def map_from_keys(cls, iterable, /, value=None):
    """from_keys(iterable, /, value=None) -> a Map binding each key to value."""
    owner = _next_owner()
    root = _EMPTY
    for k in iterable:
        root = assoc(root, 0, k, hash(k) & _M64, value, owner)
    m = _object_new(cls)
    m._root = root
    m._hash = None
    return m


def map_filter(self, pred):
    """filter(pred) -> the entries for which ``pred(key, value)`` is true
    (self itself when that is all of them)."""
    owner = _next_owner()
    root = self._root
    for k, v in iterate(self._root):
        if not pred(k, v):
            root = without(root, 0, k, hash(k) & _M64, owner)
    return _map_result(self, root)


def map_map_values(self, fn):
    """map_values(fn) -> a Map with each value v replaced by ``fn(v)``."""
    owner = _next_owner()
    root = self._root
    for k, v in iterate(self._root):
        nv = fn(v)
        root = assoc(root, 0, k, hash(k) & _M64, nv, owner)
    return _map_result(self, root)


# ---------------------------------------------------------------------------
# Set
# ---------------------------------------------------------------------------

_EMPTY_SET = None      # the empty Set is a singleton, as in the C core


def _new_set(root):
    global _EMPTY_SET
    if root.count == 0 and _EMPTY_SET is not None:
        return _EMPTY_SET
    st = _object_new(Set)
    st._root = root
    st._hash = None
    if root.count == 0:
        _EMPTY_SET = st
    return st


def _add_all(root, iterable, owner):
    if type(iterable) is Set:
        return union_roots(root, iterable._root, None, _next_owner(), False)
    for k in iterable:
        root = assoc(root, 0, k, hash(k) & _M64, None, owner)
    return root


def _set_root_of(o):
    if type(o) is Set:
        return o._root
    return _add_all(_EMPTY, o, _next_owner())


def _operand_root(o):
    """A root for an operator's operand, or None (NotImplemented)."""
    if type(o) is Set:
        return o._root
    try:
        it = iter(o)
    except TypeError:
        return None
    return _add_all(_EMPTY, it, _next_owner())


def _set_result(self, other, r):
    if type(self) is Set and r is self._root:
        return self
    if type(other) is Set and r is other._root:
        return other
    return _new_set(r)


_OPS = {
    "union": lambda a, b: union_roots(a, b, None, _next_owner(), False),
    "inter": lambda a, b: intersection_roots(a, b, None, _next_owner()),
    "diff": lambda a, b: difference_roots(a, b, _next_owner()),
    "symdiff": lambda a, b: symmetric_difference_roots(a, b, _next_owner()),
}


def _binop(a, b, op):
    ra = _operand_root(a)
    if ra is None:
        return NotImplemented
    rb = _operand_root(b)
    if rb is None:
        return NotImplemented
    return _set_result(a, b, _OPS[op](ra, rb))


_repr_running = set()
_NO_ARG = object()


class Set:
    """An immutable set: a HAMT whose values are all None (the Map's nodes).

    ``Set(iterable=())``, or ``s(*elements)``.  A drop-in for pyrsistent's
    ``PSet`` and a ``collections.abc.Set``: ``add``, ``discard``, ``remove``
    (KeyError), ``update``, ``evolver()``, the operators ``| & - ^`` (with a
    Set: structurally, node against node; with another iterable: after
    making it a Set), the comparisons, ``issubset``, ``issuperset``,
    ``isdisjoint``, ``diff``.  ``hash(s) == hash(frozenset(s))``.
    ``Set`` cannot be subclassed (``TypeError``, as in C).
    """

    __slots__ = ("_root", "_hash", "__weakref__")

    def __new__(cls, *args, **kw):
        if kw:
            raise TypeError("Set() takes no keyword arguments")
        if len(args) > 1:
            raise TypeError("Set expected at most 1 argument, got %d"
                            % len(args))
        if not args:
            return _new_set(_EMPTY)
        col = args[0]
        if type(col) is Set:
            return col
        return _new_set(_set_root_of(col))

    def __init_subclass__(cls, **kw):
        raise TypeError("type 'march.Set' is not an acceptable base type")

    __class_getitem__ = classmethod(_types.GenericAlias)

    def __len__(self):
        return self._root.count

    def __contains__(self, key):
        return find(self._root, key, hash(key) & _M64) is not _NOTFOUND

    def __iter__(self):
        return iterate_keys(self._root)

    # -- new sets -------------------------------------------------------

    def add(self, element, /):
        root = self._root
        new = assoc(root, 0, element, hash(element) & _M64, None, 0)
        if new is root:
            return self
        return _new_set(new)

    def discard(self, element, /):
        root = self._root
        new = without(root, 0, element, hash(element) & _M64, 0)
        if new is root:
            return self
        return _new_set(new)

    def remove(self, element, /):
        root = self._root
        new = without(root, 0, element, hash(element) & _M64, 0)
        if new is root:
            raise KeyError(element)
        return _new_set(new)

    def update(self, *iterables):
        root = self._root
        for it in iterables:
            root = _add_all(root, it, _next_owner())
        return _set_result(self, iterables[0] if len(iterables) == 1
                           else None, root)

    union = update

    def _fold(self, others, op):
        root = self._root
        for o in others:
            root = _OPS[op](root, _set_root_of(o))
        return _set_result(self, others[0] if len(others) == 1 else None,
                           root)

    def intersection(self, *others):
        return self._fold(others, "inter")

    def difference(self, *others):
        return self._fold(others, "diff")

    def symmetric_difference(self, other):
        return _set_result(self, other, _OPS["symdiff"](
            self._root, _set_root_of(other)))

    def issubset(self, other):
        return issubset_roots(self._root, _set_root_of(other))

    def issuperset(self, other):
        return issubset_roots(_set_root_of(other), self._root)

    def isdisjoint(self, other):
        return isdisjoint_roots(self._root, _set_root_of(other))

    def diff(self, other):
        """diff(other) -> an iterator of (element, element, ABSENT) for the
        elements only in self and (element, ABSENT, element) for those only
        in other; subtrees the two share are skipped without a look."""
        if type(other) is not Set:
            raise TypeError("Set.diff() needs a Set, not %s"
                            % type(other).__name__)
        return iter(diff_list(self._root, other._root, True))

    def evolver(self):
        return _new_evolver(self)

    def copy(self):
        return self

    __copy__ = copy

    # -- operators --------------------------------------------------------

    def __or__(self, other):
        return _binop(self, other, "union")

    def __ror__(self, other):
        return _binop(other, self, "union")

    def __and__(self, other):
        return _binop(self, other, "inter")

    def __rand__(self, other):
        return _binop(other, self, "inter")

    def __sub__(self, other):
        return _binop(self, other, "diff")

    def __rsub__(self, other):
        return _binop(other, self, "diff")

    def __xor__(self, other):
        return _binop(self, other, "symdiff")

    def __rxor__(self, other):
        return _binop(other, self, "symdiff")

    def _other_root(self, other):
        if type(other) is Set:
            return other._root
        if isinstance(other, _abc.Set):
            return _set_root_of(other)
        return None

    def __eq__(self, other):
        rb = self._other_root(other)
        if rb is None:
            return NotImplemented
        ra = self._root
        if ra.count != rb.count:
            return False
        if (type(other) is Set and self._hash is not None
                and other._hash is not None and self._hash != other._hash):
            return False
        return equal(ra, rb)

    def __ne__(self, other):
        r = self.__eq__(other)
        if r is NotImplemented:
            return r
        return not r

    def __le__(self, other):
        rb = self._other_root(other)
        if rb is None:
            return NotImplemented
        return issubset_roots(self._root, rb)

    def __lt__(self, other):
        rb = self._other_root(other)
        if rb is None:
            return NotImplemented
        return self._root.count < rb.count and issubset_roots(self._root, rb)

    def __ge__(self, other):
        rb = self._other_root(other)
        if rb is None:
            return NotImplemented
        return issubset_roots(rb, self._root)

    def __gt__(self, other):
        rb = self._other_root(other)
        if rb is None:
            return NotImplemented
        return self._root.count > rb.count and issubset_roots(rb, self._root)

    def __hash__(self):
        h = self._hash
        if h is None:
            h = self._hash = hash_keys(self._root)
        return h

    def __repr__(self):
        if not self._root.count:
            return "march.Set()"
        key = (id(self), _get_ident())
        if key in _repr_running:
            return "march.Set({...})"
        _repr_running.add(key)
        try:
            body = repr(list(iterate_keys(self._root)))[1:-1]
        finally:
            _repr_running.discard(key)
        return "march.Set({%s})" % body

    def __reduce__(self):
        return (Set, (list(iterate_keys(self._root)),))

    def _check(self):
        """Verify the trie's invariants (AssertionError on a violation)."""
        check(self._root)
        for _, v in iterate(self._root):
            if v is not None:
                raise AssertionError("march.Set invariant: a value is not None")

    def _depth(self):
        """The height of the trie (0 when empty)."""
        return depth(self._root)


_abc.Set.register(Set)


def s(*elements):
    """s(*elements) -> a Set of the elements."""
    owner = _next_owner()
    root = _EMPTY
    for k in elements:
        root = assoc(root, 0, k, hash(k) & _M64, None, owner)
    return _new_set(root)


# ---------------------------------------------------------------------------
# SetEvolver
# ---------------------------------------------------------------------------

def _new_evolver(orig):
    e = _object_new(SetEvolver)
    e._root = orig._root
    e._orig = orig
    e._owner = _next_owner()
    e._busy = 0
    return e


_EVOLVER_BUSY = ("SetEvolver changed while one of its operations was in "
                 "progress (from an element's __eq__?)")


class SetEvolver:
    """A transient over a Set (``Set.evolver()``): ``add``, ``discard``,
    ``remove`` edit it (in place where it owns the nodes) and return it;
    ``persistent()`` gives a Set of its elements (and never edits the nodes
    of that Set afterwards), ``is_dirty()`` tells whether it changed since.

    While one of its operations walks the trie (an element's ``__eq__``, a
    finalizer run by a collection), any change or ``persistent()`` raises
    ``RuntimeError``; an element's ``__hash__`` runs before the walk, and
    each edit checks again after it.  ``SetEvolver`` cannot be subclassed,
    pickled or copied (``TypeError``), as in C.
    """

    __slots__ = ("_root", "_orig", "_owner", "_busy", "__weakref__")

    def __new__(cls, *args, **kw):
        raise TypeError("cannot create 'SetEvolver' instances")

    def __init_subclass__(cls, **kw):
        raise TypeError("type 'SetEvolver' is not an acceptable base type")

    __hash__ = None

    def _writable(self):
        if self._busy:
            raise RuntimeError(_EVOLVER_BUSY)

    def add(self, element, /):
        self._writable()
        h = hash(element) & _M64
        self._writable()
        self._busy += 1
        try:
            self._root = assoc(self._root, 0, element, h, None, self._owner)
        finally:
            self._busy -= 1
        return self

    def _without(self, element):
        self._writable()
        h = hash(element) & _M64
        self._writable()
        self._busy += 1
        try:
            root = self._root
            before = root.count
            root = without(root, 0, element, h, self._owner)
        finally:
            self._busy -= 1
        self._root = root
        return root.count != before

    def discard(self, element, /):
        self._without(element)
        return self

    def remove(self, element, /):
        if not self._without(element):
            raise KeyError(element)
        return self

    def is_dirty(self):
        return self._root is not self._orig._root

    def _check(self):
        """Verify the trie's invariants, as ``Set._check`` (busy meanwhile)."""
        self._busy += 1
        try:
            check(self._root)
            for _, v in iterate(self._root):
                if v is not None:
                    raise AssertionError("march.Set invariant: a value is not None")
        finally:
            self._busy -= 1

    def persistent(self):
        self._writable()
        if self._root is self._orig._root:
            return self._orig
        # the allocation may run a collection, hence finalizers and
        # gc.callbacks: _busy keeps them from editing the root handed over
        self._busy += 1
        try:
            st = _new_set(self._root)
        finally:
            self._busy -= 1
        # an emptied evolver gets the shared empty Set: adopt its root
        self._root = st._root
        self._owner = _next_owner()
        self._orig = st
        return st

    def __len__(self):
        return self._root.count

    def __contains__(self, element):
        h = hash(element) & _M64
        self._busy += 1
        try:
            return find(self._root, element, h) is not _NOTFOUND
        finally:
            self._busy -= 1

    def __reduce__(self):
        raise TypeError("cannot pickle 'SetEvolver' object")


# keep the module attribute used by the pure Map methods importable
_h.ABSENT = ABSENT
