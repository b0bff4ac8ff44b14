/*
 * hamt_walk.c -- structural algorithms over two HAMTs: the parallel walk
 * (Map.diff / Set.diff), union, intersection, difference, symmetric
 * difference, subset and disjointness tests (march.Map and march.Set), and
 * the key-only hash of a Set.
 *
 * May include: hamt_walk.h (hamt.h, hamt_node.h, common.h).
 *
 * The parallel walk
 * -----------------
 * Two tries built by the same canonical rules (hamt.c) put a key at the same
 * slot of the same level whenever the rest of the keys around it agree, and
 * two versions of a map share every subtree that no change touched.  The
 * walk therefore descends both tries at once and
 *   - skips a pair of identical node objects without looking inside (the
 *     heart of the matter: two versions of a 1,000,000-entry map that differ
 *     in 10 keys cost O(10 log n) node visits, not n);
 *   - for a slot present on one side only, reports the whole entry or
 *     subtree as one-sided;
 *   - for two entries in one slot: identical keys are the same key; else the
 *     full hashes and then == decide (dict's rule, as in hamt.c);
 *   - for an entry against a subtree: the entry's key can only sit on its
 *     hash path inside the subtree, so when the caller does not want the
 *     subtree's one-sided entries, only that path is followed (a find);
 *     otherwise the subtree is reported, the entry's match (if any) as
 *     "both";
 *   - for two collision nodes of the same hash: compared as sets of entries;
 *   - a collision node against a bitmap node (or one of another hash) is
 *     viewed as a bitmap node with a single child at the slot its hash
 *     selects, so the same loop handles it at any level.
 * The order of the reports is deterministic (slots in ascending bit order,
 * depth first; in a collision pair the entries of a, then those only in b)
 * and the pure-Python twin (march/_pure/hamt_walk.py) follows it step by step,
 * so both implementations build identical results.
 * "both" is reported only when the two values are not the same object: a
 * subtree shared by identity holds identical values, so skipping it is
 * consistent.  The callback is told which one-sided entries are wanted, so
 * that a union that starts from the larger side never walks the larger
 * side's own subtrees.
 *
 * The algebra: results are built with march_hamt_assoc/without under a
 * fresh owner id (a private transient), starting from one of the inputs so
 * that whole subtrees are reused by identity:
 *   union a | b       from a (a Map: the order of a collision node then
 *                     follows dict.update's, a's keys first) or from the
 *                     larger one (a Set), adding what the walk reports on
 *                     the other side (and b's value, or combine's, for keys
 *                     in both): O(difference * log n);
 *   intersection      from the smaller one, removing its one-sided keys;
 *   difference a - b  only one-sided entries of a survive: built from the
 *                     empty trie with them -- or, when b is much smaller
 *                     than a, a with b's keys removed (O(|b| log n));
 *   symmetric diff.   from the empty trie with both sides' one-sided
 *                     entries -- or the larger with the smaller's keys
 *                     toggled, when one is much smaller.
 * Errors (a key's __hash__/__eq__, combine) propagate: the half-built
 * result is dropped and the inputs, never edited, are unchanged.  The
 * inputs' nodes are never owned by the fresh owner id, so the walk reads
 * them while the result is edited in place.
 *
 * The heuristics (which side to start from, when b is "much smaller") are
 * part of the shared design: they decide which of two equal key objects the
 * result keeps and the order inside collision nodes, and the twin applies
 * the same ones.
 */
#include "hamt_walk.h"
#include <string.h>

Py_ssize_t march_hamt_walk_visits = 0;

/* ------------------------------------------------------------------ */
/* the parallel walk                                                   */

typedef struct {
    int want;
    MarchWalkFn fn;
    void *ctx;
    Py_ssize_t visits;      /* added to march_hamt_walk_visits at the end */
} HamtWalk;

enum { S_EMPTY = 0, S_ENTRY = 1, S_NODE = 2 };

typedef struct {
    int kind;
    PyObject *k;
    PyObject *v;
    PyObject *node;
} HamtWalkSlot;

/* the slots a node occupies at level `shift`; a collision node is seen as
 * a bitmap node with one child: itself, at the slot of its hash */
static inline uint32_t
hamt_walk_presence(PyObject *node, unsigned shift)
{
    if (MarchBitmapNode_Check(node)) {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        return b->datamap | b->nodemap;
    }
    return march_hamt_bit(((MarchCollisionNode *)node)->hash, shift);
}

static inline void
hamt_walk_slot(PyObject *node, unsigned shift, uint32_t bit, HamtWalkSlot *s)
{
    s->k = s->v = s->node = NULL;
    if (MarchBitmapNode_Check(node)) {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        if (b->datamap & bit) {
            Py_ssize_t i = march_hamt_node_bitmap_entry_slot(b, bit - 1);
            s->kind = S_ENTRY;
            s->k = b->slots[i];
            s->v = b->slots[i + 1];
        }
        else if (b->nodemap & bit) {
            s->kind = S_NODE;
            s->node = b->slots[2 * march_popcount32(b->datamap)
                               + march_popcount32(b->nodemap & (bit - 1))];
        }
        else {
            s->kind = S_EMPTY;
        }
        return;
    }
    if (bit == march_hamt_bit(((MarchCollisionNode *)node)->hash, shift)) {
        s->kind = S_NODE;
        s->node = node;
    }
    else {
        s->kind = S_EMPTY;
    }
}

static inline int
hamt_walk_side_wanted(HamtWalk *w, int side)
{
    return w->want & (side == MARCH_ONLY_A ? MARCH_WANT_A : MARCH_WANT_B);
}

static inline int
hamt_walk_report_one(HamtWalk *w, int side, PyObject *k, PyObject *v,
                     const uint64_t *h)
{
    if (!hamt_walk_side_wanted(w, side)) {
        return 0;
    }
    if (side == MARCH_ONLY_A) {
        return w->fn(w->ctx, MARCH_ONLY_A, k, v, NULL, NULL, h);
    }
    return w->fn(w->ctx, MARCH_ONLY_B, NULL, NULL, k, v, h);
}

static inline int
hamt_walk_report_both(HamtWalk *w, PyObject *ka, PyObject *va, PyObject *kb,
                      PyObject *vb, const uint64_t *h)
{
    if (va == vb) {
        return 0;
    }
    return w->fn(w->ctx, MARCH_BOTH, ka, va, kb, vb, h);
}

/* every entry of a subtree as one-sided, slots in ascending bit order */
static int
hamt_walk_report_all(HamtWalk *w, int side, PyObject *node)
{
    int r;
    if (!hamt_walk_side_wanted(w, side)) {
        return 0;
    }
    w->visits++;
    if (MarchBitmapNode_Check(node)) {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        uint32_t all = b->datamap | b->nodemap;
        while (all) {
            uint32_t bit = all & (~all + 1u);
            all &= all - 1u;
            if (b->datamap & bit) {
                Py_ssize_t i = march_hamt_node_bitmap_entry_slot(b, bit - 1);
                r = hamt_walk_report_one(w, side, b->slots[i],
                                         b->slots[i + 1], NULL);
            }
            else {
                r = hamt_walk_report_all(
                    w, side,
                    b->slots[march_hamt_node_bitmap_child_slot(b, bit - 1)]);
            }
            if (r) {
                return r;
            }
        }
        return 0;
    }
    else {
        MarchCollisionNode *c = (MarchCollisionNode *)node;
        Py_ssize_t i;
        for (i = 0; i < Py_SIZE(c); i += 2) {
            r = hamt_walk_report_one(w, side, c->slots[i], c->slots[i + 1],
                                     &c->hash);
            if (r) {
                return r;
            }
        }
        return 0;
    }
}

static int
hamt_walk_report_slot(HamtWalk *w, int side, HamtWalkSlot *s)
{
    if (s->kind == S_ENTRY) {
        return hamt_walk_report_one(w, side, s->k, s->v, NULL);
    }
    return hamt_walk_report_all(w, side, s->node);
}

/* a stored key against `key` of hash `hash`: 1 same, 0 not, -1 error */
static inline int
hamt_walk_same_key(PyObject *stored, PyObject *key, uint64_t hash)
{
    uint64_t h2;
    return march_hamt_key_match(stored, key, hash, &h2);
}

static inline int
hamt_walk_report_match(HamtWalk *w, int eside, PyObject *k, PyObject *v,
                       PyObject *k2, PyObject *v2, const uint64_t *h)
{
    if (eside == MARCH_ONLY_A) {
        return hamt_walk_report_both(w, k, v, k2, v2, h);
    }
    return hamt_walk_report_both(w, k2, v2, k, v, h);
}

/* The entry (k, v) of side `eside` (hash h) against the subtree `node` of
 * the other side, `node` being at level `shift`.  Reports the subtree's
 * entries (when wanted) and the match; *matched = 1 when k was found. */
static int
hamt_walk_entry_in_node(HamtWalk *w, int eside, PyObject *k, PyObject *v,
                        uint64_t h, PyObject *node, unsigned shift,
                        int *matched)
{
    int oside = eside == MARCH_ONLY_A ? MARCH_ONLY_B : MARCH_ONLY_A;
    int full = hamt_walk_side_wanted(w, oside);
    int r;
    w->visits++;
    if (MarchCollisionNode_Check(node)) {
        MarchCollisionNode *c = (MarchCollisionNode *)node;
        Py_ssize_t i;
        if (c->hash != h) {
            return full ? hamt_walk_report_all(w, oside, node) : 0;
        }
        for (i = 0; i < Py_SIZE(c); i += 2) {
            PyObject *k2 = c->slots[i], *v2 = c->slots[i + 1];
            if (!*matched) {
                int eq = k2 == k ? 1 : PyObject_RichCompareBool(k2, k, Py_EQ);
                if (eq < 0) {
                    return -1;
                }
                if (eq) {
                    *matched = 1;
                    r = hamt_walk_report_match(w, eside, k, v, k2, v2, &h);
                    if (r || !full) {
                        return r;
                    }
                    continue;
                }
            }
            if (full) {
                r = hamt_walk_report_one(w, oside, k2, v2, &c->hash);
                if (r) {
                    return r;
                }
            }
        }
        return 0;
    }
    else {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        uint32_t hbit = march_hamt_bit(h, shift);
        uint32_t all;
        if (!full) {
            /* only the hash path can hold k */
            if (b->datamap & hbit) {
                Py_ssize_t i = march_hamt_node_bitmap_entry_slot(b, hbit - 1);
                int eq = hamt_walk_same_key(b->slots[i], k, h);
                if (eq <= 0) {
                    return eq;
                }
                *matched = 1;
                return hamt_walk_report_match(w, eside, k, v, b->slots[i],
                                              b->slots[i + 1], &h);
            }
            if (b->nodemap & hbit) {
                PyObject *child =
                    b->slots[march_hamt_node_bitmap_child_slot(b, hbit - 1)];
                return hamt_walk_entry_in_node(w, eside, k, v, h, child,
                                               shift + MARCH_HAMT_BITS,
                                               matched);
            }
            return 0;
        }
        all = b->datamap | b->nodemap;
        while (all) {
            uint32_t bit = all & (~all + 1u);
            all &= all - 1u;
            if (b->datamap & bit) {
                Py_ssize_t i = march_hamt_node_bitmap_entry_slot(b, bit - 1);
                PyObject *k2 = b->slots[i], *v2 = b->slots[i + 1];
                if (bit == hbit && !*matched) {
                    int eq = hamt_walk_same_key(k2, k, h);
                    if (eq < 0) {
                        return -1;
                    }
                    if (eq) {
                        *matched = 1;
                        r = hamt_walk_report_match(w, eside, k, v, k2, v2, &h);
                        if (r) {
                            return r;
                        }
                        continue;
                    }
                }
                r = hamt_walk_report_one(w, oside, k2, v2, NULL);
            }
            else {
                PyObject *child =
                    b->slots[march_hamt_node_bitmap_child_slot(b, bit - 1)];
                if (bit == hbit) {
                    r = hamt_walk_entry_in_node(w, eside, k, v, h, child,
                                                shift + MARCH_HAMT_BITS,
                                                matched);
                }
                else {
                    r = hamt_walk_report_all(w, oside, child);
                }
            }
            if (r) {
                return r;
            }
        }
        return 0;
    }
}

static int
hamt_walk_entry_vs_subtree(HamtWalk *w, int eside, PyObject *k, PyObject *v,
                           PyObject *node, unsigned shift)
{
    uint64_t h;
    int matched = 0, r;
    if (march_hamt_hash(k, &h) < 0) {
        return -1;
    }
    r = hamt_walk_entry_in_node(w, eside, k, v, h, node, shift, &matched);
    if (r || matched) {
        return r;
    }
    return hamt_walk_report_one(w, eside, k, v, &h);
}

static int
hamt_walk_entry_vs_entry(HamtWalk *w, PyObject *ka, PyObject *va, PyObject *kb,
                         PyObject *vb)
{
    uint64_t ha, hb;
    int r;
    w->visits++;
    if (ka == kb) {
        return hamt_walk_report_both(w, ka, va, kb, vb, NULL);
    }
    if (march_hamt_hash(ka, &ha) < 0 || march_hamt_hash(kb, &hb) < 0) {
        return -1;
    }
    if (ha == hb) {
        int eq = PyObject_RichCompareBool(ka, kb, Py_EQ);
        if (eq < 0) {
            return -1;
        }
        if (eq) {
            return hamt_walk_report_both(w, ka, va, kb, vb, &ha);
        }
    }
    r = hamt_walk_report_one(w, MARCH_ONLY_A, ka, va, &ha);
    if (r) {
        return r;
    }
    return hamt_walk_report_one(w, MARCH_ONLY_B, kb, vb, &hb);
}

/* two collision nodes of the same hash: compared as sets of entries.  The
 * search for each entry of a starts in b just after the previous match:
 * two versions of a node keep their order (a replaced value keeps its
 * place, a deletion closes the gap, a new key is appended), so matching a
 * node of n entries against its next version costs O(n), not O(n^2). */
static int
hamt_walk_collision_vs_collision(HamtWalk *w, MarchCollisionNode *a,
                                 MarchCollisionNode *b)
{
    Py_ssize_t i, t, na = Py_SIZE(a), nbp = Py_SIZE(b) / 2, cursor = 0;
    char *used;
    int r = 0;
    used = (char *)PyMem_Calloc((size_t)(nbp + 1), 1);
    if (used == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < na; i += 2) {
        PyObject *ka = a->slots[i];
        int found = 0;
        for (t = 0; t < nbp; t++) {
            Py_ssize_t jp = cursor + t < nbp ? cursor + t : cursor + t - nbp;
            PyObject *kb = b->slots[2 * jp];
            int eq;
            if (used[jp]) {
                continue;
            }
            eq = ka == kb ? 1 : PyObject_RichCompareBool(ka, kb, Py_EQ);
            if (eq < 0) {
                r = -1;
                goto done;
            }
            if (eq) {
                used[jp] = 1;
                found = 1;
                cursor = jp + 1 < nbp ? jp + 1 : 0;
                r = hamt_walk_report_both(w, ka, a->slots[i + 1], kb,
                                          b->slots[2 * jp + 1], &a->hash);
                if (r) {
                    goto done;
                }
                break;
            }
        }
        if (!found) {
            r = hamt_walk_report_one(w, MARCH_ONLY_A, ka, a->slots[i + 1],
                                     &a->hash);
            if (r) {
                goto done;
            }
        }
    }
    for (t = 0; t < nbp; t++) {
        if (!used[t]) {
            r = hamt_walk_report_one(w, MARCH_ONLY_B, b->slots[2 * t],
                                     b->slots[2 * t + 1], &b->hash);
            if (r) {
                goto done;
            }
        }
    }
done:
    PyMem_Free(used);
    return r;
}

static int
hamt_walk_node(HamtWalk *w, PyObject *a, PyObject *b, unsigned shift)
{
    uint32_t all;
    int r;
    if (a == b) {
        return 0;
    }
    w->visits++;
    if (MarchCollisionNode_Check(a) && MarchCollisionNode_Check(b)
            && ((MarchCollisionNode *)a)->hash
               == ((MarchCollisionNode *)b)->hash) {
        return hamt_walk_collision_vs_collision(w, (MarchCollisionNode *)a,
                                                (MarchCollisionNode *)b);
    }
    if (shift >= 64) {
        PyErr_SetString(PyExc_SystemError, "march: corrupt trie (walk)");
        return -1;
    }
    all = hamt_walk_presence(a, shift) | hamt_walk_presence(b, shift);
    while (all) {
        uint32_t bit = all & (~all + 1u);
        HamtWalkSlot sa, sb;
        all &= all - 1u;
        hamt_walk_slot(a, shift, bit, &sa);
        hamt_walk_slot(b, shift, bit, &sb);
        if (sa.kind == S_EMPTY) {
            r = hamt_walk_report_slot(w, MARCH_ONLY_B, &sb);
        }
        else if (sb.kind == S_EMPTY) {
            r = hamt_walk_report_slot(w, MARCH_ONLY_A, &sa);
        }
        else if (sa.kind == S_ENTRY && sb.kind == S_ENTRY) {
            r = hamt_walk_entry_vs_entry(w, sa.k, sa.v, sb.k, sb.v);
        }
        else if (sa.kind == S_ENTRY) {
            r = hamt_walk_entry_vs_subtree(w, MARCH_ONLY_A, sa.k, sa.v,
                                           sb.node, shift + MARCH_HAMT_BITS);
        }
        else if (sb.kind == S_ENTRY) {
            r = hamt_walk_entry_vs_subtree(w, MARCH_ONLY_B, sb.k, sb.v,
                                           sa.node, shift + MARCH_HAMT_BITS);
        }
        else {
            r = hamt_walk_node(w, sa.node, sb.node, shift + MARCH_HAMT_BITS);
        }
        if (r) {
            return r;
        }
    }
    return 0;
}

int
march_hamt_walk(MarchBitmapNode *a, MarchBitmapNode *b, int want,
                MarchWalkFn fn, void *ctx)
{
    HamtWalk w;
    int r;
    w.want = want;
    w.fn = fn;
    w.ctx = ctx;
    w.visits = 0;
    Py_INCREF(a);
    Py_INCREF(b);
    r = hamt_walk_node(&w, (PyObject *)a, (PyObject *)b, 0);
    /* one atomic add per walk, not one per node (threads walk at once) */
    MARCH_ATOMIC_ADD_SSIZE(&march_hamt_walk_visits, w.visits);
    Py_DECREF(a);
    Py_DECREF(b);
    return r;
}

/* ------------------------------------------------------------------ */
/* building results                                                    */

enum {
    B_UNION_A,      /* base a: add b's one-sided entries, b's values */
    B_UNION_B,      /* base b: add a's one-sided entries */
    B_INTER_A,      /* base a: remove a's one-sided keys */
    B_INTER_B,      /* base b: remove b's one-sided keys, a's values */
    B_DIFF,         /* base empty: a's one-sided entries */
    B_SYMDIFF       /* base empty: the one-sided entries of both */
};

typedef struct {
    MarchBitmapNode *root;      /* the result so far (owned) */
    uint64_t owner;
    PyObject *combine;          /* NULL or a callable */
    int mode;
} HamtBuild;

static int
hamt_build_assoc(HamtBuild *bd, PyObject *k, PyObject *v, const uint64_t *hp)
{
    return march_hamt_root_assoc(&bd->root, k, hp, v, bd->owner);
}

static int
hamt_build_without(HamtBuild *bd, PyObject *k, const uint64_t *hp)
{
    return march_hamt_root_without(&bd->root, k, hp, bd->owner) < 0 ? -1 : 0;
}

/* bind `key` to combine(ka, va, vb) */
static int
hamt_build_combined(HamtBuild *bd, PyObject *key, PyObject *ka, PyObject *va,
                    PyObject *vb, const uint64_t *hp)
{
    int r;
    PyObject *val = PyObject_CallFunctionObjArgs(bd->combine, ka, va, vb,
                                                 NULL);
    if (val == NULL) {
        return -1;
    }
    r = hamt_build_assoc(bd, key, val, hp);
    Py_DECREF(val);
    return r;
}

static int
hamt_build_visit(void *ctx, int kind, PyObject *ka, PyObject *va, PyObject *kb,
                 PyObject *vb, const uint64_t *h)
{
    HamtBuild *bd = (HamtBuild *)ctx;
    switch (bd->mode) {
    case B_UNION_A:
        if (kind == MARCH_ONLY_B) {
            return hamt_build_assoc(bd, kb, vb, h);
        }
        if (kind == MARCH_BOTH) {
            if (bd->combine != NULL) {
                return hamt_build_combined(bd, ka, ka, va, vb, h);
            }
            return hamt_build_assoc(bd, ka, vb, h);
        }
        return 0;
    case B_UNION_B:
        if (kind == MARCH_ONLY_A) {
            return hamt_build_assoc(bd, ka, va, h);
        }
        if (kind == MARCH_BOTH && bd->combine != NULL) {
            return hamt_build_combined(bd, kb, ka, va, vb, h);
        }
        return 0;
    case B_INTER_A:
        if (kind == MARCH_ONLY_A) {
            return hamt_build_without(bd, ka, h);
        }
        if (kind == MARCH_BOTH && bd->combine != NULL) {
            return hamt_build_combined(bd, ka, ka, va, vb, h);
        }
        return 0;
    case B_INTER_B:
        if (kind == MARCH_ONLY_B) {
            return hamt_build_without(bd, kb, h);
        }
        if (kind == MARCH_BOTH) {
            if (bd->combine != NULL) {
                return hamt_build_combined(bd, kb, ka, va, vb, h);
            }
            return hamt_build_assoc(bd, kb, va, h);
        }
        return 0;
    case B_DIFF:
        if (kind == MARCH_ONLY_A) {
            return hamt_build_assoc(bd, ka, va, h);
        }
        return 0;
    default:    /* B_SYMDIFF */
        if (kind == MARCH_ONLY_A) {
            return hamt_build_assoc(bd, ka, va, h);
        }
        if (kind == MARCH_ONLY_B) {
            return hamt_build_assoc(bd, kb, vb, h);
        }
        return 0;
    }
}

static MarchBitmapNode *
hamt_build_run(MarchBitmapNode *base, MarchBitmapNode *a, MarchBitmapNode *b,
               int want, int mode, PyObject *combine, uint64_t owner)
{
    HamtBuild bd;
    int r;
    Py_INCREF(base);
    bd.root = base;
    bd.owner = owner;
    bd.combine = combine == Py_None ? NULL : combine;
    bd.mode = mode;
    r = march_hamt_walk(a, b, want, hamt_build_visit, &bd);
    if (r < 0) {
        Py_DECREF(bd.root);
        return NULL;
    }
    return bd.root;
}

/* a new reference to a root */
#define HAMT_ROOT_NEWREF(r) ((MarchBitmapNode *)Py_NewRef((PyObject *)(r)))

MarchBitmapNode *
march_hamt_union(MarchBitmapNode *a, MarchBitmapNode *b, PyObject *combine,
                 uint64_t owner, int from_a)
{
    if (a == b || b->count == 0) {
        return HAMT_ROOT_NEWREF(a);
    }
    if (a->count == 0) {
        return HAMT_ROOT_NEWREF(b);
    }
    if (!from_a && b->count > a->count) {
        return hamt_build_run(b, a, b, MARCH_WANT_A, B_UNION_B, combine,
                              owner);
    }
    return hamt_build_run(a, a, b, MARCH_WANT_B, B_UNION_A, combine, owner);
}

MarchBitmapNode *
march_hamt_intersection(MarchBitmapNode *a, MarchBitmapNode *b,
                        PyObject *combine, uint64_t owner)
{
    if (a == b || a->count == 0) {
        return HAMT_ROOT_NEWREF(a);
    }
    if (b->count == 0) {
        return march_hamt_node_empty_root();
    }
    if (b->count < a->count) {
        return hamt_build_run(b, a, b, MARCH_WANT_B, B_INTER_B, combine,
                              owner);
    }
    return hamt_build_run(a, a, b, MARCH_WANT_A, B_INTER_A, combine, owner);
}

/* The cheap paths of a - b and a ^ b, by the keys of the much smaller
 * side: `base` with the keys of `keys` removed (toggle = 0), or with the
 * entries of `keys` toggled (toggle = 1: removed when in base, else
 * added). */
static MarchBitmapNode *
hamt_build_edit_keys(MarchBitmapNode *base, MarchBitmapNode *keys,
                     uint64_t owner, int toggle)
{
    MarchBitmapNode *root = base;
    MarchHamtIter it;
    PyObject *k, *v, *found;
    Py_INCREF(root);
    Py_INCREF(keys);
    march_hamt_iter_init(&it, keys);
    while (march_hamt_iter_next(&it, &k, &v)) {
        uint64_t h;
        int r = march_hamt_hash(k, &h);
        if (r == 0 && toggle) {
            r = march_hamt_find(base, k, h, &found);
        }
        if (r >= 0) {
            r = r > 0 || !toggle
                ? march_hamt_root_without(&root, k, &h, owner)
                : march_hamt_root_assoc(&root, k, &h, v, owner);
        }
        if (r < 0) {
            Py_DECREF(keys);
            Py_DECREF(root);
            return NULL;
        }
    }
    Py_DECREF(keys);
    return root;
}

MarchBitmapNode *
march_hamt_difference(MarchBitmapNode *a, MarchBitmapNode *b, uint64_t owner)
{
    MarchBitmapNode *empty, *r;
    if (a == b) {
        return march_hamt_node_empty_root();
    }
    if (a->count == 0 || b->count == 0) {
        return HAMT_ROOT_NEWREF(a);
    }
    if (b->count * MARCH_HAMT_SMALL_FACTOR < a->count) {
        return hamt_build_edit_keys(a, b, owner, 0);
    }
    empty = march_hamt_node_empty_root();
    r = hamt_build_run(empty, a, b, MARCH_WANT_A, B_DIFF, NULL, owner);
    Py_DECREF(empty);
    return r;
}

MarchBitmapNode *
march_hamt_symmetric_difference(MarchBitmapNode *a, MarchBitmapNode *b,
                                uint64_t owner)
{
    MarchBitmapNode *empty, *r;
    if (a == b) {
        return march_hamt_node_empty_root();
    }
    if (a->count == 0) {
        return HAMT_ROOT_NEWREF(b);
    }
    if (b->count == 0) {
        return HAMT_ROOT_NEWREF(a);
    }
    if (b->count * MARCH_HAMT_SMALL_FACTOR < a->count) {
        return hamt_build_edit_keys(a, b, owner, 1);
    }
    if (a->count * MARCH_HAMT_SMALL_FACTOR < b->count) {
        return hamt_build_edit_keys(b, a, owner, 1);
    }
    empty = march_hamt_node_empty_root();
    r = hamt_build_run(empty, a, b, MARCH_WANT_A | MARCH_WANT_B, B_SYMDIFF,
                       NULL, owner);
    Py_DECREF(empty);
    return r;
}

/* ------------------------------------------------------------------ */
/* predicates                                                          */

static int
hamt_issubset_visit(void *ctx, int kind, PyObject *ka, PyObject *va,
                    PyObject *kb, PyObject *vb, const uint64_t *h)
{
    (void)ctx; (void)ka; (void)va; (void)kb; (void)vb; (void)h;
    return kind == MARCH_ONLY_A ? 1 : 0;
}

int
march_hamt_issubset(MarchBitmapNode *a, MarchBitmapNode *b)
{
    int r;
    if (a == b || a->count == 0) {
        return 1;
    }
    if (a->count > b->count) {
        return 0;
    }
    r = march_hamt_walk(a, b, MARCH_WANT_A, hamt_issubset_visit, NULL);
    if (r < 0) {
        return -1;
    }
    return r == 0;
}

int
march_hamt_isdisjoint(MarchBitmapNode *a, MarchBitmapNode *b)
{
    MarchBitmapNode *small, *large;
    MarchHamtIter it;
    PyObject *k, *v, *found;
    int res = 1;
    if (a->count == 0 || b->count == 0) {
        return 1;
    }
    if (a == b) {
        return 0;
    }
    small = a->count <= b->count ? a : b;
    large = small == a ? b : a;
    Py_INCREF(small);
    Py_INCREF(large);
    march_hamt_iter_init(&it, small);
    while (march_hamt_iter_next(&it, &k, &v)) {
        uint64_t h;
        int r;
        if (march_hamt_hash(k, &h) < 0) {
            res = -1;
            break;
        }
        r = march_hamt_find(large, k, h, &found);
        if (r != 0) {
            res = r < 0 ? -1 : 0;
            break;
        }
    }
    Py_DECREF(small);
    Py_DECREF(large);
    return res;
}

/* ------------------------------------------------------------------ */
/* diff                                                                */

typedef struct {
    PyObject *list;
    PyObject *absent;
    int keys_only;
} HamtDiff;

static int
hamt_diff_append(HamtDiff *d, PyObject *k, PyObject *old, PyObject *new_)
{
    int r;
    PyObject *t = PyTuple_Pack(3, k, old, new_);
    if (t == NULL) {
        return -1;
    }
    r = PyList_Append(d->list, t);
    Py_DECREF(t);
    return r;
}

static int
hamt_diff_visit(void *ctx, int kind, PyObject *ka, PyObject *va, PyObject *kb,
                PyObject *vb, const uint64_t *h)
{
    HamtDiff *d = (HamtDiff *)ctx;
    (void)h;
    if (kind == MARCH_ONLY_A) {
        return hamt_diff_append(d, ka, d->keys_only ? ka : va, d->absent);
    }
    if (kind == MARCH_ONLY_B) {
        return hamt_diff_append(d, kb, d->absent, d->keys_only ? kb : vb);
    }
    if (d->keys_only) {
        return 0;
    }
    else {
        int eq = PyObject_RichCompareBool(va, vb, Py_EQ);
        if (eq < 0) {
            return -1;
        }
        return eq ? 0 : hamt_diff_append(d, ka, va, vb);
    }
}

PyObject *
march_hamt_diff(MarchBitmapNode *a, MarchBitmapNode *b, PyObject *absent,
                int keys_only)
{
    HamtDiff d;
    d.list = PyList_New(0);
    if (d.list == NULL) {
        return NULL;
    }
    d.absent = absent;
    d.keys_only = keys_only;
    if (march_hamt_walk(a, b, MARCH_WANT_A | MARCH_WANT_B, hamt_diff_visit,
                        &d) < 0) {
        Py_DECREF(d.list);
        return NULL;
    }
    return d.list;
}

/* ------------------------------------------------------------------ */
/* hash of a set                                                       */

Py_hash_t
march_hamt_hash_keys(MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *k, *v;
    uint64_t h = 0;
    Py_ssize_t n = root->count;
    int err = 0;
    Py_INCREF(root);
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &k, &v)) {
        Py_hash_t hk = PyObject_Hash(k);
        if (hk == -1 && PyErr_Occurred()) {
            err = 1;
            break;
        }
        h = march_hamt_hash_step(h, (uint64_t)hk);
    }
    Py_DECREF(root);
    if (err) {
        return -1;
    }
    return march_hamt_hash_finish(h, n);
}
