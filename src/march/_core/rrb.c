/*
 * rrb.c -- the algorithms of march's persistent vector: an RRB tree
 * (relaxed radix balanced tree, Bagwell & Rompf 2011; L'orange 2014) with a
 * tail buffer, over the nodes of rrb_node.c.
 *
 * This file holds the algorithms on one vector value (MarchRRB): lookup,
 * set, push/pop with the tail, bulk construction, concatenation with
 * rebalancing, slicing, insert/delete, and the element walks the Python
 * types use (tolist, find, stepped slices, comparison).  The nodes (layout,
 * raw leaves, free lists, constructors) are in rrb_node.c, the invariant
 * checker in rrb_check.c, the Python types in vector_object.c.  The
 * pure-Python twin (src/march/_pure/rrb.py) is the same structure in
 * Python, with the same function names (without the march_ prefix); each
 * explains the other, and docs/design-rrb.md discusses the design.
 *
 * Includes only rrb.h (and so rrb_node.h and common.h).
 *
 * A vector (MarchRRB) is count, root and tail: the tree holds elements
 * [0, count - tail length), the tail leaf the last 1..M (NULL iff empty).
 *
 * The tail buffer [C only; the twin copies its tail]
 * --------------------------------------------------
 * The tail length is count - (elements in the tree), not tail->len: the tail
 * is a buffer whose len is its fill.  A leaf made by push carries
 * RRB_FLAG_BUF; pushing onto a vector whose tail is such a buffer with
 * fill == tail length < M writes the element into the next slot in place
 * (under the GIL): the vectors sharing the buffer each see only their own
 * tail length, and a later push from an older one finds the fill ahead of
 * its length and copies.  So chained persistent appends are O(1), one
 * allocation (the Vector object).  A partial buffer never becomes a tree
 * leaf (rrb_tail_as_leaf copies it), so tree leaves are never written in
 * place; a non-atomic element is never written into a raw (non-GC) buffer;
 * owned (evolver) tails keep fill == tail length; set and pop on a shared
 * tail copy exactly the tail length.  Slots past every live vector's length
 * stay referenced until the buffer dies (at most M - 1).
 *
 * Invariants (march_rrb_check, rrb_check.c, verifies all of them)
 * ---------------------------------------------------------------
 * 1. Every tree node has 1..M slots; children of a node of height h have
 *    height h-1; counts add up; a size table is cumulative and exact.  A root
 *    of height > 0 has at least two children (single-child roots are always
 *    stripped).
 * 2. Balanced nodes are dense-left: a node without a size table has only
 *    balanced children and all but its last child are full (M**h elements
 *    under a parent of height h), so index i is found by the radix walk
 *    (i >> BITS*h) & (M-1).  Nodes are built canonically
 *    (march_rrb_inner_make drops the size table when the children are
 *    dense), so vectors built by appends never carry size tables; a relaxed
 *    node edited in place by an evolver may become dense and keep its table
 *    (harmless).
 * 3. Search-step bound (E_MAX = 2): the interior children of a node (all but
 *    the first and the last) have a total shortfall sum(M - len) below
 *    (E_MAX+1)*M.  Edge children are exempt because cutting a tree only
 *    shrinks edge children; concatenation, which makes edge nodes interior,
 *    rebalances each merged level to the stronger whole-list bound
 *    (rrb_node_fit).  Appends keep it: a leaf is pushed into the tree only
 *    after the tree's last leaf was topped up to M elements
 *    (rrb_node_top_up).
 * 4. Relaxed lookup starts at the radix guess j = i >> BITS*h (a lower bound:
 *    no child holds more than M**h) and steps forward while sizes[j] <= i.
 * 5. GC (common.h): a raw leaf holds atomic elements only; a GC leaf is
 *    tracked; an inner node is tracked iff (at least) one child is tracked.
 *    Copies inherit the GC state of what they copy (conservative).
 *
 * Persistence and evolvers (transients)
 * -------------------------------------
 * Persistent edits copy the path they change and share the rest.  An
 * evolver has an owner id; nodes it copied carry that id and it edits them in
 * place afterwards (set, push, pop).  An owned node is reachable only from
 * its evolver, and the parent of an owned node is owned.  A raw leaf has no
 * owner: the evolver edits it in place when every node above it is owned
 * (or it is the evolver's tail or root) and its reference count is 1 (that
 * one reference is then the owned parent's, or the evolver's own), and for a
 * tail when its fill is the tail length (march_rrb_raw_owned).  persistent()
 * gives the evolver a new id, so every node shared with the returned Vector
 * is frozen.  A size table is part of its node (inline), so it is copied
 * with it and can never be shared.  Concatenation and slicing never edit in
 * place; the evolver runs them persistently and swaps the result in.
 * Errors (MemoryError, and OverflowError when a count would pass
 * PY_SSIZE_T_MAX: march_rrb_count_room, asked by push, insert and concat
 * before they change anything) leave the input unchanged: in-place writes
 * happen only after every allocation an edit needs has succeeded.  An edit
 * in place sets count, root and tail before it releases the nodes it
 * replaced, so that a __del__ run by that release sees a whole value.
 * set and pop never drop the last reference to the element they remove while
 * they run (the caller holds one), so no __del__ runs in the middle of an
 * edit and sees a half-edited structure.
 *
 * Concatenation (march_rrb_concat, rrb_tree_concat, rrb_node_merge,
 * rrb_node_rebalance, rrb_node_fit, rrb_node_redistribute)
 * -------------------------------------------------------------------------
 * a's tail becomes a (possibly partial) leaf at the seam, then the right edge
 * of a's tree is merged with the left edge of b's tree level by level, from
 * the leaves up: at each level the children of the two edge nodes plus the
 * 1-2 nodes returned by the level below are rebalanced (the plan of
 * Bagwell/Rompf and L'orange: skip nodes with >= M - E_MAX/2 slots; spread
 * the first sparser node's slots over its right neighbours; repeat until the
 * whole list's shortfall is below (E_MAX+1)*M), then regrouped into 1 or 2
 * nodes.  Nodes whose slot range is unchanged are reused.  b's tail stays the
 * tail.  If b is only a tail, the two tails are joined instead (a full leaf
 * is pushed if they overflow).  O(M^2 log n) work, O(log n) new nodes.
 *
 * Insert (march_rrb_insert, rrb_node_insert, rrb_node_roomy_neighbour)
 * --------------------------------------------------------------------
 * A direct path insert: the leaf gets the element; a full leaf shares its
 * M + 1 elements evenly with a neighbour that has room, or else splits into
 * halves; each parent on the path takes the 1-2 nodes, is refitted
 * (rrb_node_fit, interior bound) when its interior became too sparse, and
 * splits into halves when it has M + 1 children; a split root gets a new
 * root.  In the tail, the tail gets the element and pushes a full leaf if it
 * overflows.  O(M log n); the twin builds the same shapes.
 *
 * Slicing (march_rrb_slice, rrb_node_take, rrb_node_drop, rrb_tree_lower)
 * -----------------------------------------------------------------------
 * take(k) keeps the first k elements, drop(i) removes the first i: each
 * copies one path, sharing everything else.  The last leaf of the cut tree
 * becomes the tail; single-child roots are stripped, and a root left with a
 * thin cut edge is re-concatenated so the height follows the contents.
 * delete is a slice or two and a concatenation.
 */
#include "rrb.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* The tail of v as a leaf that may go into a tree (new reference): the
 * tail itself when it holds exactly v's elements and appends can no longer
 * extend it in place (not a buffer, or full), else an exact copy. */
static MarchRRBNode *
rrb_tail_as_leaf(const MarchRRB *v)
{
    MarchRRBNode *t = v->tail;
    int tl = march_rrb_tail_len(v);
    if (t->len == tl && (tl == RRB_M || !(t->flags & RRB_FLAG_BUF))) {
        march_rrb_node_incref(t);
        return t;
    }
    return march_rrb_leaf_make(t->slots, tl, 0);
}

/* Drop single-child roots; steals `n`, returns a new reference. */
static MarchRRBNode *
rrb_tree_strip(MarchRRBNode *n)
{
    while (n != NULL && n->height > 0 && n->len == 1) {
        MarchRRBNode *c = RRB_SLOT(n, 0);
        march_rrb_node_incref(c);
        Py_DECREF(n);
        n = c;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* the vector value                                                    */

void
march_rrb_init(MarchRRB *v)
{
    v->count = 0;
    v->root = NULL;
    v->tail = NULL;
}

void
march_rrb_clear(MarchRRB *v)
{
    MarchRRBNode *root = v->root, *tail = v->tail;
    march_rrb_init(v);
    march_rrb_node_xdecref(root);
    march_rrb_node_xdecref(tail);
}

void
march_rrb_copy(MarchRRB *dst, const MarchRRB *src)
{
    dst->count = src->count;
    dst->root = src->root;
    dst->tail = src->tail;
    march_rrb_node_xincref(dst->root);
    march_rrb_node_xincref(dst->tail);
}

int
march_rrb_traverse(const MarchRRB *v, visitproc visit, void *arg)
{
    if (v->root != NULL && !RRB_IS_RAW(v->root)) {
        Py_VISIT(v->root);
    }
    if (v->tail != NULL && !RRB_IS_RAW(v->tail)) {
        Py_VISIT(v->tail);
    }
    return 0;
}

int
march_rrb_needs_tracking(const MarchRRB *v)
{
    return (v->root != NULL && march_rrb_node_tracked(v->root))
        || (v->tail != NULL && RRB_IS_GCLEAF(v->tail));
}

/* ------------------------------------------------------------------ */
/* lookup                                                              */

static MarchRRBNode *
rrb_tree_last_leaf(MarchRRBNode *n)
{
    while (n->height) {
        n = RRB_SLOT(n, n->len - 1);
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* set                                                                 */

/* The tree `n` with element i replaced by x (new reference; path
 * copy, or in place where owned).  need_gc: x is not atomic; path: every
 * node above n is march_rrb_node_owned (1 at the root of the owner's value). */
static MarchRRBNode *
rrb_node_assoc(MarchRRBNode *n, Py_ssize_t i, PyObject *x, int need_gc,
               uint64_t owner, int path)
{
    MarchRRBNode *out, *c;
    int j, k, own;
    if (n->height == 0) {
        out = march_rrb_leaf_editable(n, n->len, owner, path, need_gc);
        if (out == NULL) {
            return NULL;
        }
        Py_INCREF(x);
        Py_SETREF(out->slots[i], x);
        return out;
    }
    j = march_rrb_node_locate(n, &i);
    c = RRB_SLOT(n, j);
    /* On a big vector the path is not in the cache: start loading the
     * child (all its slots) now, and, since n will be copied on the way back
     * up and the copy takes a reference to each of n's children, their
     * headers too, so that these misses overlap instead of adding up. */
    for (k = 0; k < (int)sizeof(MarchRRBNode); k += 64) {
        MARCH_PREFETCH_W((char *)c + k);
    }
    own = march_rrb_node_owned(n, owner);
    if (!own) {
        /* the word a reference count change touches first: a raw leaf
         * starts at its header word (RRB_RAW_OFFSET) */
        int at = n->height == 1 ? (int)RRB_RAW_OFFSET : 0;
        for (k = 0; k < n->len; k++) {
            MARCH_PREFETCH_W((char *)n->slots[k] + at);
        }
    }
    c = rrb_node_assoc(c, i, x, need_gc, owner, path && own);
    if (c == NULL) {
        return NULL;
    }
    if (own) {
        Py_INCREF(n);
        out = n;
    }
    else {
        out = march_rrb_node_copy(n, owner);
        if (out == NULL) {
            march_rrb_node_decref(c);
            return NULL;
        }
    }
    RRB_SLOT_SETREF(out, j, c);
    march_rrb_node_track_for(out, c);
    return out;
}

int
march_rrb_set(MarchRRB *v, Py_ssize_t i, PyObject *x, uint64_t owner)
{
    int need_gc = !march_is_atomic(x);
    Py_ssize_t tc = march_rrb_tree_count(v);
    MarchRRBNode *n;
    assert(0 <= i && i < v->count);
    if (i >= tc) {
        n = march_rrb_leaf_editable(v->tail, (int)(v->count - tc), owner, 1, need_gc);
        if (n == NULL) {
            return -1;
        }
        Py_INCREF(x);
        Py_SETREF(n->slots[i - tc], x);
        RRB_NODE_SETREF(v->tail, n);
        return 0;
    }
    n = rrb_node_assoc(v->root, i, x, need_gc, owner, 1);
    if (n == NULL) {
        return -1;
    }
    RRB_NODE_SETREF(v->root, n);
    return 0;
}

/* ------------------------------------------------------------------ */
/* push                                                                */

/* A chain of single-child balanced nodes of `height` over leaf. */
static MarchRRBNode *
rrb_path_new(int height, MarchRRBNode *leaf, uint64_t owner)
{
    MarchRRBNode *node = leaf, *up;
    int h;
    march_rrb_node_incref(node);
    for (h = 1; h <= height; h++) {
        up = march_rrb_inner_make(h, &node, 1, owner);
        march_rrb_node_decref(node);
        if (up == NULL) {
            return NULL;
        }
        node = up;
    }
    return node;
}

/* The tree n with extra[0..k) appended to its last leaf (they fit): a
 * copy of the path, never an edit in place (see rrb_tree_push_tail). */
static MarchRRBNode *
rrb_node_top_up(MarchRRBNode *n, PyObject *const *extra, int k, int need_gc)
{
    MarchRRBNode *out, *c;
    int j;
    if (n->height == 0) {
        out = march_rrb_leaf_editable(n, n->len, 0, 0, need_gc);
        if (out == NULL) {
            return NULL;
        }
        for (j = 0; j < k; j++) {
            Py_INCREF(extra[j]);
            out->slots[out->len++] = extra[j];
        }
        return out;
    }
    c = rrb_node_top_up(RRB_SLOT(n, n->len - 1), extra, k, need_gc);
    if (c == NULL) {
        return NULL;
    }
    out = march_rrb_node_copy(n, 0);
    if (out == NULL) {
        march_rrb_node_decref(c);
        return NULL;
    }
    /* the last child only grows: a balanced node stays balanced */
    RRB_SLOT_SETREF(out, out->len - 1, c);
    out->count += k;
    if (RRB_IS_RELAXED(out)) {
        out->sizes[out->len - 1] += k;
    }
    march_rrb_node_track_for(out, c);
    return out;
}

/* n (height >= 1) with `leaf` added at its right end; NULL with
 * *noroom = 1 when there is no room, NULL with *noroom = 0 on error. */
static MarchRRBNode *
rrb_node_push_leaf(MarchRRBNode *n, MarchRRBNode *leaf, uint64_t owner,
                   int *noroom)
{
    int h = n->height, k = n->len, relax;
    Py_ssize_t add = leaf->len;
    MarchRRBNode *child = RRB_SLOT(n, k - 1), *nc, *out;
    *noroom = 0;
    if (h > 1) {
        nc = rrb_node_push_leaf(child, leaf, owner, noroom);
        if (nc != NULL) {
            relax = RRB_IS_RELAXED(n) || RRB_IS_RELAXED(nc);
            out = relax ? march_rrb_inner_editable_relaxed(n, owner)
                        : march_rrb_node_editable(n, owner);
            if (out == NULL) {
                march_rrb_node_decref(nc);
                return NULL;
            }
            RRB_SLOT_SETREF(out, k - 1, nc);
            out->count += add;
            if (relax) {
                out->sizes[k - 1] += add;
            }
            march_rrb_node_track_for(out, nc);
            return out;
        }
        if (!*noroom || k == RRB_M) {
            return NULL;
        }
        *noroom = 0;
        nc = rrb_path_new(h - 1, leaf, owner);
        if (nc == NULL) {
            return NULL;
        }
    }
    else {
        if (k == RRB_M) {
            *noroom = 1;
            return NULL;
        }
        nc = leaf;
        march_rrb_node_incref(nc);
    }
    /* append nc; the old last child must have been full for a balanced n */
    relax = RRB_IS_RELAXED(n) || RRB_IS_RELAXED(child)
        || RRB_NCOUNT(child) != RRB_CAP(h);
    out = relax ? march_rrb_inner_editable_relaxed(n, owner)
                : march_rrb_node_editable(n, owner);
    if (out == NULL) {
        march_rrb_node_decref(nc);
        return NULL;
    }
    out->slots[k] = (PyObject *)nc;
    out->len = (uint8_t)(k + 1);
    out->count += add;
    if (relax) {
        out->sizes[k] = out->count;
    }
    march_rrb_node_track_for(out, nc);
    return out;
}

/* The tree `root` (or NULL) with the full leaf `leaf` appended
 * (new reference). */
static MarchRRBNode *
rrb_tree_push_tail(MarchRRBNode *root, MarchRRBNode *leaf, uint64_t owner)
{
    MarchRRBNode *last, *r, *path, *kids[2];
    MarchRRBNode *rest = NULL;
    int noroom;
    if (root == NULL) {
        march_rrb_node_incref(leaf);
        return leaf;
    }
    march_rrb_node_incref(root);
    last = rrb_tree_last_leaf(root);
    if (last->len < RRB_M) {
        /* top the tree's last leaf up first, so that it never becomes
         * interior while partial (keeps invariant 3, and balanced nodes
         * balanced).  The top-up copies its path even for an evolver: the
         * allocations that follow may fail, and a top-up done in place
         * could not be undone (v must then be unchanged). */
        int room = RRB_M - last->len;
        r = rrb_node_top_up(root, leaf->slots, room, RRB_IS_GCLEAF(leaf));
        march_rrb_node_decref(root);
        if (r == NULL) {
            return NULL;
        }
        root = r;
        rest = march_rrb_leaf_make(leaf->slots + room, leaf->len - room, owner);
        if (rest == NULL) {
            march_rrb_node_decref(root);
            return NULL;
        }
        leaf = rest;
    }
    if (root->height) {
        r = rrb_node_push_leaf(root, leaf, owner, &noroom);
        if (r != NULL || !noroom) {
            march_rrb_node_decref(root);
            march_rrb_node_xdecref(rest);
            return r;
        }
    }
    path = rrb_path_new(root->height, leaf, owner);
    march_rrb_node_xdecref(rest);
    if (path == NULL) {
        march_rrb_node_decref(root);
        return NULL;
    }
    kids[0] = root;
    kids[1] = path;
    r = march_rrb_inner_make(root->height + 1, kids, 2, owner);
    march_rrb_node_decref(root);
    march_rrb_node_decref(path);
    return r;
}

int
march_rrb_push(MarchRRB *v, PyObject *x, uint64_t owner)
{
    int need_gc = !march_is_atomic(x);
    MarchRRBNode *t = v->tail, *n, *root, *old;
    int tl = t != NULL ? march_rrb_tail_len(v) : 0;
    if (march_rrb_count_room(v->count, 1) < 0) {
        return -1;
    }
    if (t != NULL && tl < RRB_M) {
        if (t->len == tl && (!need_gc || RRB_IS_GCLEAF(t))
                && (march_rrb_leaf_owned(t, tl, owner, 1)
                    || (MARCH_RRB_SHARED_TAIL && (t->flags & RRB_FLAG_BUF)))) {
            /* in place: the tail is ours (owned), or a tail buffer whose
             * fill is exactly our tail length, so the next slot is free:
             * vectors sharing the buffer see only their own tail length,
             * and a later append from one of them finds the fill ahead of
             * its length and copies */
            Py_INCREF(x);
            t->slots[t->len++] = x;
            v->count++;
            return 0;
        }
        n = march_rrb_leaf_new(need_gc || RRB_IS_GCLEAF(t), owner);
        if (n == NULL) {
            return -1;
        }
        memcpy(n->slots, t->slots, tl * sizeof(PyObject *));
        for (int j = 0; j < tl; j++) {
            Py_INCREF(n->slots[j]);
        }
        Py_INCREF(x);
        n->slots[tl] = x;
        n->len = (uint8_t)(tl + 1);
        n->flags |= RRB_FLAG_BUF;
        /* the value is whole before the old tail is released (a shared
         * buffer may hold elements past our length whose __del__ runs) */
        v->tail = march_rrb_leaf_done(n);
        v->count++;
        march_rrb_node_decref(t);
        return 0;
    }
    n = march_rrb_leaf_new(need_gc, owner);
    if (n == NULL) {
        return -1;
    }
    Py_INCREF(x);
    n->slots[0] = x;
    n->len = 1;
    n->flags |= RRB_FLAG_BUF;
    march_rrb_leaf_done(n);
    if (t != NULL) {
        /* a full tail: tl == M == t->len (the fill is at least tl) */
        assert(t->len == RRB_M);
        root = rrb_tree_push_tail(v->root, t, owner);
        if (root == NULL) {
            march_rrb_node_decref(n);
            return -1;
        }
        old = v->root;
        v->root = root;
        v->tail = n;
        v->count++;
        march_rrb_node_xdecref(old);
        march_rrb_node_decref(t);
        return 0;
    }
    v->tail = n;
    v->count++;
    return 0;
}

int
march_rrb_push_fits(const MarchRRB *v, PyObject *const *items, Py_ssize_t n,
                    uint64_t owner)
{
    MarchRRBNode *t = v->tail;
    int tl;
    if (t == NULL) {
        return 0;
    }
    tl = march_rrb_tail_len(v);
    return march_rrb_leaf_owned(t, tl, owner, 1) && t->len == tl && n <= RRB_M - tl
        && (RRB_IS_GCLEAF(t) || march_rrb_items_atomic(items, n));
}

/* ------------------------------------------------------------------ */
/* pop                                                                 */

/* *rest = the tree n without its last leaf (NULL when nothing
 * is left; not stripped), *leaf = that leaf.  New references. */
static int
rrb_node_pop_leaf(MarchRRBNode *n, MarchRRBNode **rest, MarchRRBNode **leaf)
{
    MarchRRBNode *kids[RRB_M], *nc;
    int k;
    if (n->height == 0) {
        march_rrb_node_incref(n);
        *leaf = n;
        *rest = NULL;
        return 0;
    }
    if (rrb_node_pop_leaf(RRB_SLOT(n, n->len - 1), &nc, leaf) < 0) {
        return -1;
    }
    k = n->len - 1;
    if (nc == NULL && k == 0) {
        *rest = NULL;
        return 0;
    }
    memcpy(kids, n->slots, k * sizeof(PyObject *));
    if (nc != NULL) {
        kids[k++] = nc;
    }
    *rest = march_rrb_inner_make(n->height, kids, k, 0);
    march_rrb_node_xdecref(nc);
    if (*rest == NULL) {
        RRB_NODE_CLEAR(*leaf);
        return -1;
    }
    return 0;
}

int
march_rrb_pop(MarchRRB *v, uint64_t owner)
{
    MarchRRBNode *t = v->tail, *rest, *leaf, *old;
    int tl;
    assert(v->count > 0);
    tl = march_rrb_tail_len(v);
    if (tl > 1) {
        if (march_rrb_leaf_owned(t, tl, owner, 1)) {
            /* the caller holds a reference to the element */
            PyObject *x;
            assert(t->len == tl);
            t->len--;
            x = t->slots[t->len];
            v->count--;
            Py_DECREF(x);
            return 0;
        }
        else {
            /* copied (not a shorter view of the shared buffer, so that the
             * popped element is not kept alive by it) */
            MarchRRBNode *n = march_rrb_leaf_new(RRB_IS_GCLEAF(t), owner);
            if (n == NULL) {
                return -1;
            }
            memcpy(n->slots, t->slots, (tl - 1) * sizeof(PyObject *));
            for (int j = 0; j < tl - 1; j++) {
                Py_INCREF(n->slots[j]);
            }
            n->len = (uint8_t)(tl - 1);
            /* the value is whole before the old tail is released */
            v->tail = march_rrb_leaf_done(n);
            v->count--;
            march_rrb_node_decref(t);
            return 0;
        }
    }
    if (v->root == NULL) {
        march_rrb_clear(v);
        return 0;
    }
    if (rrb_node_pop_leaf(v->root, &rest, &leaf) < 0) {
        return -1;
    }
    rest = rrb_tree_strip(rest);
    old = v->root;
    v->root = rest;
    v->tail = leaf;
    v->count--;
    march_rrb_node_decref(old);
    march_rrb_node_decref(t);
    return 0;
}

/* ------------------------------------------------------------------ */
/* bulk construction                                                   */

/* A balanced vector over items[0..n). */
int
march_rrb_from_array(MarchRRB *out, PyObject *const *items, Py_ssize_t n)
{
    Py_ssize_t tc, nl, i, k;
    MarchRRBNode **level = NULL;
    int h = 0;
    march_rrb_init(out);
    if (n == 0) {
        return 0;
    }
    tc = ((n - 1) >> RRB_BITS) << RRB_BITS;     /* the tail holds 1..M */
    out->tail = march_rrb_leaf_make(items + tc, n - tc, 0);
    if (out->tail == NULL) {
        return -1;
    }
    out->count = n;
    if (tc == 0) {
        return 0;
    }
    nl = tc >> RRB_BITS;
    level = PyMem_Malloc(nl * sizeof(MarchRRBNode *));
    if (level == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (i = 0; i < nl; i++) {
        level[i] = march_rrb_leaf_make(items + (i << RRB_BITS), RRB_M, 0);
        if (level[i] == NULL) {
            goto error_level;
        }
    }
    while (nl > 1) {
        Py_ssize_t up = (nl + RRB_M - 1) >> RRB_BITS;
        h++;
        for (i = 0; i < up; i++) {
            Py_ssize_t lo = i << RRB_BITS, hi = lo + RRB_M < nl ? lo + RRB_M : nl;
            MarchRRBNode *p = march_rrb_inner_make(h, level + lo, (int)(hi - lo), 0);
            for (k = lo; k < hi; k++) {
                march_rrb_node_decref(level[k]);
            }
            if (p == NULL) {
                /* release the rest of this level and what was built */
                for (k = hi; k < nl; k++) {
                    march_rrb_node_decref(level[k]);
                }
                nl = i;
                goto error_level;
            }
            level[i] = p;
        }
        nl = up;
    }
    out->root = level[0];
    PyMem_Free(level);
    return 0;

error_level:
    for (k = 0; k < nl; k++) {
        if (level[k] == NULL) {
            break;
        }
        march_rrb_node_decref(level[k]);
    }
error:
    PyMem_Free(level);
    march_rrb_clear(out);
    return -1;
}

/* ------------------------------------------------------------------ */
/* concatenation                                                       */

static int rrb_node_fit(int height, MarchRRBNode *const *kids, int k, int interior,
                        MarchRRBNode **out, int *nout);

/* Regroup the slots of nodes[0..k) (all of `height`) into fewer nodes
 * until the whole list's shortfall is below RRB_MAX_SHORTFALL; the result
 * (new references) in out[0..*nout).  Nodes whose slot range did not change
 * are reused; new inner nodes are built from children made to meet the
 * interior bound by rrb_node_fit. */
static int
rrb_node_redistribute(int height, MarchRRBNode *const *nodes, int k,
                      MarchRRBNode **out, int *nout)
{
    int sizes[2 * RRB_M + 2];
    int n = k, i, j, r, s, t, sf, si, so;
    assert(k <= 2 * RRB_M);
    for (j = 0; j < k; j++) {
        sizes[j] = nodes[j]->len;
    }
    sf = march_rrb_node_shortfall(nodes, k);
    i = 0;
    while (sf >= RRB_MAX_SHORTFALL) {
        while (i < n && sizes[i] >= RRB_SKIP) {
            i++;
        }
        if (i >= n - 1) {       /* cannot happen for <= 2M nodes; be safe */
            int total = 0;
            for (j = 0; j < n; j++) {
                total += sizes[j];
            }
            n = 0;
            while (total > 0) {
                sizes[n++] = total > RRB_M ? RRB_M : total;
                total -= sizes[n - 1];
            }
            break;
        }
        r = sizes[i];
        j = i;
        while (r > 0) {
            assert(j + 1 < n);
            s = r + sizes[j + 1];
            sizes[j] = s > RRB_M ? RRB_M : s;
            r = s - sizes[j];
            j++;
        }
        memmove(sizes + j, sizes + j + 1, (n - j - 1) * sizeof(int));
        n--;
        sf -= RRB_M;
    }
    /* build the new nodes from the slots of the old ones, in order */
    si = 0;
    so = 0;
    for (t = 0; t < n; t++) {
        PyObject *chunk[RRB_M];
        int got = 0;
        if (so == 0 && nodes[si]->len == sizes[t]) {
            march_rrb_node_incref(nodes[si]);
            out[t] = nodes[si++];
            continue;
        }
        while (got < sizes[t]) {
            int take = nodes[si]->len - so;
            if (take > sizes[t] - got) {
                take = sizes[t] - got;
            }
            memcpy(chunk + got, nodes[si]->slots + so, take * sizeof(PyObject *));
            got += take;
            so += take;
            if (so == nodes[si]->len) {
                si++;
                so = 0;
            }
        }
        if (height == 0) {
            out[t] = march_rrb_leaf_make(chunk, got, 0);
        }
        else {
            MarchRRBNode *kids[RRB_M];
            int nk;
            if (rrb_node_fit(height, (MarchRRBNode **)chunk, got, 1, kids, &nk) < 0) {
                out[t] = NULL;
            }
            else {
                out[t] = march_rrb_inner_make(height, kids, nk, 0);
                for (j = 0; j < nk; j++) {
                    march_rrb_node_decref(kids[j]);
                }
            }
        }
        if (out[t] == NULL) {
            for (j = 0; j < t; j++) {
                march_rrb_node_decref(out[j]);
            }
            return -1;
        }
    }
    *nout = n;
    return 0;
}

/* kids[0..k) (children for a node of `height`; borrowed) made to meet
 * the search-step bound: the whole list (interior = 0, a merged level of a
 * concatenation) or all but the first and last (interior = 1, one node).
 * Result: new references in out[0..*nout). */
static int
rrb_node_fit(int height, MarchRRBNode *const *kids, int k, int interior,
             MarchRRBNode **out, int *nout)
{
    MarchRRBNode *cur[2 * RRB_M + 2], *next[2 * RRB_M + 2];
    int n = k, j, nn;
    for (j = 0; j < k; j++) {
        march_rrb_node_incref(kids[j]);
        cur[j] = kids[j];
    }
    for (;;) {
        int lo = interior ? 1 : 0, cnt = interior ? n - 2 : n;
        if (cnt <= 2 || march_rrb_node_shortfall(cur + lo, cnt) < RRB_MAX_SHORTFALL) {
            break;
        }
        if (rrb_node_redistribute(height - 1, cur, n, next, &nn) < 0) {
            for (j = 0; j < n; j++) {
                march_rrb_node_decref(cur[j]);
            }
            return -1;
        }
        for (j = 0; j < n; j++) {
            march_rrb_node_decref(cur[j]);
        }
        memcpy(cur, next, nn * sizeof(MarchRRBNode *));
        n = nn;
    }
    memcpy(out, cur, n * sizeof(MarchRRBNode *));
    *nout = n;
    return 0;
}

/* 1 or 2 nodes of `height` (new references in out) over the
 * children left + middle + right (borrowed). */
static int
rrb_node_rebalance(int height, MarchRRBNode *const *left, int nl,
                   MarchRRBNode *const *middle, int nm,
                   MarchRRBNode *const *right, int nr,
                   MarchRRBNode **out, int *nout)
{
    MarchRRBNode *all[2 * RRB_M + 2], *kids[2 * RRB_M + 2];
    int n = 0, nk, j, rc = 0;
    assert(nl + nm + nr <= 2 * RRB_M);
    /* memcpy with a NULL source is undefined even for 0 bytes */
    if (nl > 0) {
        memcpy(all, left, nl * sizeof(MarchRRBNode *));
        n += nl;
    }
    if (nm > 0) {
        memcpy(all + n, middle, nm * sizeof(MarchRRBNode *));
        n += nm;
    }
    if (nr > 0) {
        memcpy(all + n, right, nr * sizeof(MarchRRBNode *));
        n += nr;
    }
    if (rrb_node_fit(height, all, n, 0, kids, &nk) < 0) {
        return -1;
    }
    if (nk <= RRB_M) {
        out[0] = march_rrb_inner_make(height, kids, nk, 0);
        *nout = 1;
        if (out[0] == NULL) {
            rc = -1;
        }
    }
    else {
        /* Two parents.  The one on the side the seam came from (the side
         * with fewer old children: where the next concatenation in a run of
         * appends or prepends will land) takes the remainder; the other one
         * is full, so runs of appends or of prepends leave full nodes. */
        int cut = nl >= nr ? RRB_M : nk - RRB_M;
        out[0] = march_rrb_inner_make(height, kids, cut, 0);
        out[1] = out[0] ? march_rrb_inner_make(height, kids + cut, nk - cut, 0) : NULL;
        *nout = 2;
        if (out[1] == NULL) {
            march_rrb_node_xdecref(out[0]);
            rc = -1;
        }
    }
    for (j = 0; j < nk; j++) {
        march_rrb_node_decref(kids[j]);
    }
    return rc;
}

/* Merge the right edge of tree a with the left edge of tree b: one
 * or two nodes (new references in out) of height max(a.height, b.height)
 * holding the elements of a then b. */
static int
rrb_node_merge(MarchRRBNode *a, MarchRRBNode *b, MarchRRBNode **out, int *nout)
{
    MarchRRBNode *mid[2];
    int nm, j, rc;
    if (a->height == 0 && b->height == 0) {
        if (a->len + b->len <= RRB_M) {
            /* two small leaves at the seam: join them */
            PyObject *slots[RRB_M];
            memcpy(slots, a->slots, a->len * sizeof(PyObject *));
            memcpy(slots + a->len, b->slots, b->len * sizeof(PyObject *));
            out[0] = march_rrb_leaf_make(slots, a->len + b->len, 0);
            *nout = 1;
            return out[0] == NULL ? -1 : 0;
        }
        march_rrb_node_incref(a);
        march_rrb_node_incref(b);
        out[0] = a;
        out[1] = b;
        *nout = 2;
        return 0;
    }
    if (a->height > b->height) {
        if (rrb_node_merge(RRB_SLOT(a, a->len - 1), b, mid, &nm) < 0) {
            return -1;
        }
        rc = rrb_node_rebalance(a->height, (MarchRRBNode **)a->slots, a->len - 1,
                                mid, nm, NULL, 0, out, nout);
    }
    else if (a->height < b->height) {
        if (rrb_node_merge(a, RRB_SLOT(b, 0), mid, &nm) < 0) {
            return -1;
        }
        rc = rrb_node_rebalance(b->height, NULL, 0, mid, nm,
                                (MarchRRBNode **)b->slots + 1, b->len - 1, out, nout);
    }
    else {
        if (rrb_node_merge(RRB_SLOT(a, a->len - 1), RRB_SLOT(b, 0), mid, &nm) < 0) {
            return -1;
        }
        rc = rrb_node_rebalance(a->height, (MarchRRBNode **)a->slots, a->len - 1,
                                mid, nm, (MarchRRBNode **)b->slots + 1, b->len - 1,
                                out, nout);
    }
    for (j = 0; j < nm; j++) {
        march_rrb_node_decref(mid[j]);
    }
    return rc;
}

/* The tree holding the elements of tree a then tree b
 * (either may be NULL); new reference (NULL with no error only if both are
 * NULL). */
static MarchRRBNode *
rrb_tree_concat(MarchRRBNode *a, MarchRRBNode *b)
{
    MarchRRBNode *nodes[2], *r;
    int n;
    if (a == NULL || b == NULL) {
        r = a ? a : b;
        march_rrb_node_xincref(r);
        return r;
    }
    if (rrb_node_merge(a, b, nodes, &n) < 0) {
        return NULL;
    }
    if (n == 1) {
        return rrb_tree_strip(nodes[0]);
    }
    r = march_rrb_inner_make(nodes[0]->height + 1, nodes, 2, 0);
    march_rrb_node_decref(nodes[0]);
    march_rrb_node_decref(nodes[1]);
    return r;
}

int
march_rrb_concat(const MarchRRB *a, const MarchRRB *b, MarchRRB *out)
{
    MarchRRBNode *left, *root, *tl;
    march_rrb_init(out);
    if (march_rrb_count_room(a->count, b->count) < 0) {
        return -1;
    }
    if (b->count == 0) {
        march_rrb_copy(out, a);
        return 0;
    }
    if (a->count == 0) {
        march_rrb_copy(out, b);
        return 0;
    }
    if (b->root == NULL) {
        /* cheap path: b fits in a tail; only full leaves are pushed */
        PyObject *slots[2 * RRB_M];
        int na = march_rrb_tail_len(a), nb = (int)b->count;
        MarchRRBNode *full, *tail;
        memcpy(slots, a->tail->slots, na * sizeof(PyObject *));
        memcpy(slots + na, b->tail->slots, nb * sizeof(PyObject *));
        if (na + nb <= RRB_M) {
            tail = march_rrb_leaf_make(slots, na + nb, 0);
            if (tail == NULL) {
                return -1;
            }
            root = a->root;
            march_rrb_node_xincref(root);
        }
        else {
            full = march_rrb_leaf_make(slots, RRB_M, 0);
            if (full == NULL) {
                return -1;
            }
            root = rrb_tree_push_tail(a->root, full, 0);
            march_rrb_node_decref(full);
            if (root == NULL) {
                return -1;
            }
            tail = march_rrb_leaf_make(slots + RRB_M, na + nb - RRB_M, 0);
            if (tail == NULL) {
                march_rrb_node_decref(root);
                return -1;
            }
        }
        out->count = a->count + b->count;
        out->root = root;
        out->tail = tail;
        return 0;
    }
    /* a's tail becomes a (possibly partial) leaf at the seam; b's tail
     * stays the tail */
    tl = rrb_tail_as_leaf(a);
    if (tl == NULL) {
        return -1;
    }
    left = rrb_tree_concat(a->root, tl);
    march_rrb_node_decref(tl);
    if (left == NULL) {
        return -1;
    }
    root = rrb_tree_concat(left, b->root);
    march_rrb_node_decref(left);
    if (root == NULL) {
        return -1;
    }
    out->count = a->count + b->count;
    out->root = root;
    out->tail = b->tail;
    march_rrb_node_incref(out->tail);
    return 0;
}

/* ------------------------------------------------------------------ */
/* slicing                                                             */

/* The tree holding the first k elements of n (1 <= k <= count). */
static MarchRRBNode *
rrb_node_take(MarchRRBNode *n, Py_ssize_t k)
{
    MarchRRBNode *kids[RRB_M], *c, *r;
    Py_ssize_t i = k - 1;
    int j;
    if (k == RRB_NCOUNT(n)) {
        march_rrb_node_incref(n);
        return n;
    }
    if (n->height == 0) {
        return march_rrb_leaf_make(n->slots, k, 0);
    }
    j = march_rrb_node_locate(n, &i);
    c = rrb_node_take(RRB_SLOT(n, j), i + 1);
    if (c == NULL) {
        return NULL;
    }
    memcpy(kids, n->slots, j * sizeof(PyObject *));
    kids[j] = c;
    r = march_rrb_inner_make(n->height, kids, j + 1, 0);
    march_rrb_node_decref(c);
    return r;
}

/* The tree without the first i elements of n (0 <= i < count). */
static MarchRRBNode *
rrb_node_drop(MarchRRBNode *n, Py_ssize_t i)
{
    MarchRRBNode *kids[RRB_M], *c, *r;
    int j;
    if (i == 0) {
        march_rrb_node_incref(n);
        return n;
    }
    if (n->height == 0) {
        return march_rrb_leaf_make(n->slots + i, n->len - i, 0);
    }
    j = march_rrb_node_locate(n, &i);
    c = rrb_node_drop(RRB_SLOT(n, j), i);
    if (c == NULL) {
        return NULL;
    }
    kids[0] = c;
    memcpy(kids + 1, n->slots + j + 1, (n->len - j - 1) * sizeof(PyObject *));
    r = march_rrb_inner_make(n->height, kids, n->len - j, 0);
    march_rrb_node_decref(c);
    return r;
}

/* Strip root; when it is left with two children of which one is a
 * thin chain (a cut edge), concatenate the two halves again as separate
 * trees so that the height follows the contents.  Steals root. */
static MarchRRBNode *
rrb_tree_lower(MarchRRBNode *root)
{
    root = rrb_tree_strip(root);
    while (root != NULL && root->height >= 2 && root->len == 2
           && (RRB_SLOT(root, 0)->len == 1 || RRB_SLOT(root, 1)->len == 1)) {
        MarchRRBNode *a = RRB_SLOT(root, 0), *b = RRB_SLOT(root, 1), *r;
        march_rrb_node_incref(a);
        march_rrb_node_incref(b);
        a = rrb_tree_strip(a);
        b = rrb_tree_strip(b);
        r = rrb_tree_concat(a, b);
        march_rrb_node_decref(a);
        march_rrb_node_decref(b);
        if (r == NULL) {
            march_rrb_node_decref(root);
            return NULL;
        }
        if (r->height >= root->height) {
            march_rrb_node_decref(r);
            break;
        }
        march_rrb_node_decref(root);
        root = r;
    }
    return root;
}

int
march_rrb_slice(const MarchRRB *v, Py_ssize_t start, Py_ssize_t stop,
                MarchRRB *out)
{
    Py_ssize_t count = v->count, tc;
    MarchRRBNode *root = NULL, *tail = NULL, *r;
    march_rrb_init(out);
    assert(0 <= start && start <= stop && stop <= count);
    if (start >= stop) {
        return 0;
    }
    if (start == 0 && stop == count) {
        march_rrb_copy(out, v);
        return 0;
    }
    tc = march_rrb_tree_count(v);
    if (start >= tc) {
        tail = march_rrb_leaf_make(v->tail->slots + (start - tc), stop - start, 0);
        if (tail == NULL) {
            return -1;
        }
        out->count = stop - start;
        out->tail = tail;
        return 0;
    }
    if (stop <= tc) {
        MarchRRBNode *t = rrb_node_take(v->root, stop);
        int rc;
        if (t == NULL) {
            return -1;
        }
        rc = rrb_node_pop_leaf(t, &root, &tail);
        march_rrb_node_decref(t);
        if (rc < 0) {
            return -1;
        }
    }
    else {
        root = v->root;
        march_rrb_node_incref(root);
        if (stop < count) {
            tail = march_rrb_leaf_make(v->tail->slots, stop - tc, 0);
            if (tail == NULL) {
                march_rrb_node_decref(root);
                return -1;
            }
        }
        else {
            tail = v->tail;
            march_rrb_node_incref(tail);
        }
    }
    /* now the tree holds [0, stop - len(tail)); cut its front */
    tc = root != NULL ? RRB_NCOUNT(root) : 0;
    if (start >= tc) {
        /* the tail holds [tc, stop): the buffer may hold more */
        r = march_rrb_leaf_make(tail->slots + (start - tc), stop - start, 0);
        march_rrb_node_xdecref(root);
        march_rrb_node_decref(tail);
        if (r == NULL) {
            return -1;
        }
        out->count = stop - start;
        out->tail = r;
        return 0;
    }
    r = rrb_node_drop(root, start);
    march_rrb_node_decref(root);
    if (r == NULL) {
        march_rrb_node_decref(tail);
        return -1;
    }
    r = rrb_tree_lower(r);
    if (r == NULL) {
        march_rrb_node_decref(tail);
        return -1;
    }
    out->count = stop - start;
    out->root = r;
    out->tail = tail;
    return 0;
}

/* ------------------------------------------------------------------ */
/* insert / delete                                                     */

/* the neighbour of child j of n with the most room (the
 * left one on a tie), or -1 when both are full or absent */
static int
rrb_node_roomy_neighbour(const MarchRRBNode *n, int j)
{
    int left = j > 0 ? RRB_SLOT(n, j - 1)->len : RRB_M;
    int right = j + 1 < n->len ? RRB_SLOT(n, j + 1)->len : RRB_M;
    if (left >= RRB_M && right >= RRB_M) {
        return -1;
    }
    return left <= right ? j - 1 : j + 1;
}

/* The tree n with x inserted before its element i
 * (0 <= i < count(n)): one node, or two when it had to split (new
 * references in out[0..*nout)).  Path copy: a full leaf shares its elements
 * with a neighbour that has room, or else splits into two halves; the
 * parent is refitted to the search-step bound (its interior may now hold
 * partial nodes) and splits in turn when it has M + 1 children. */
static int
rrb_node_insert(MarchRRBNode *n, Py_ssize_t i, PyObject *x, MarchRRBNode **out,
                int *nout)
{
    MarchRRBNode *mid[2], *all[2 * RRB_M + 2], *kids[2 * RRB_M + 2];
    int j, k, nm, nk, nb, rc = 0;
    if (n->height == 0) {
        PyObject *slots[RRB_M + 1];
        /* the copies inherit the leaf's GC state (conservative) */
        int gc = RRB_IS_GCLEAF(n) || !march_is_atomic(x);
        k = n->len + 1;
        memcpy(slots, n->slots, i * sizeof(PyObject *));
        slots[i] = x;
        memcpy(slots + i + 1, n->slots + i, (n->len - i) * sizeof(PyObject *));
        nk = k <= RRB_M ? 1 : 2;
        j = nk == 1 ? k : (k + 1) / 2;
        out[0] = march_rrb_leaf_copy_of(gc, slots, j);
        if (out[0] == NULL) {
            return -1;
        }
        if (nk == 2) {
            out[1] = march_rrb_leaf_copy_of(gc, slots + j, k - j);
            if (out[1] == NULL) {
                march_rrb_node_decref(out[0]);
                return -1;
            }
        }
        *nout = nk;
        return 0;
    }
    j = march_rrb_node_locate(n, &i);
    nb = -1;
    if (n->height == 1 && RRB_SLOT(n, j)->len == RRB_M) {
        nb = rrb_node_roomy_neighbour(n, j);
    }
    if (nb < 0) {
        if (rrb_node_insert(RRB_SLOT(n, j), i, x, mid, &nm) < 0) {
            return -1;
        }
        memcpy(all, n->slots, j * sizeof(PyObject *));
        memcpy(all + j, mid, nm * sizeof(PyObject *));
        memcpy(all + j + nm, n->slots + j + 1, (n->len - j - 1) * sizeof(PyObject *));
        k = n->len - 1 + nm;
    }
    else {
        /* a full leaf next to one with room: share the elements of the two
         * evenly instead of splitting (keeps leaves full, the tree dense) */
        MarchRRBNode *c = RRB_SLOT(n, j), *o = RRB_SLOT(n, nb);
        PyObject *flat[2 * RRB_M];
        int lo = nb < j ? nb : j, f = 0, gc;
        gc = RRB_IS_GCLEAF(c) || RRB_IS_GCLEAF(o) || !march_is_atomic(x);
        if (nb < j) {
            memcpy(flat, o->slots, o->len * sizeof(PyObject *));
            f = o->len;
        }
        memcpy(flat + f, c->slots, i * sizeof(PyObject *));
        flat[f + i] = x;
        memcpy(flat + f + i + 1, c->slots + i, (RRB_M - i) * sizeof(PyObject *));
        f += RRB_M + 1;
        if (nb > j) {
            memcpy(flat + f, o->slots, o->len * sizeof(PyObject *));
            f += o->len;
        }
        nm = 2;
        k = (f + 1) / 2;
        mid[0] = march_rrb_leaf_copy_of(gc, flat, k);
        if (mid[0] == NULL) {
            return -1;
        }
        mid[1] = march_rrb_leaf_copy_of(gc, flat + k, f - k);
        if (mid[1] == NULL) {
            march_rrb_node_decref(mid[0]);
            return -1;
        }
        memcpy(all, n->slots, lo * sizeof(PyObject *));
        all[lo] = mid[0];
        all[lo + 1] = mid[1];
        memcpy(all + lo + 2, n->slots + lo + 2, (n->len - lo - 2) * sizeof(PyObject *));
        k = n->len;
    }
    if (k > 2 && march_rrb_node_shortfall(all + 1, k - 2) >= RRB_MAX_SHORTFALL) {
        rc = rrb_node_fit(n->height, all, k, 1, kids, &nk);
    }
    else {
        /* the common case: the interior still meets the bound */
        for (j = 0; j < k; j++) {
            march_rrb_node_incref(all[j]);
            kids[j] = all[j];
        }
        nk = k;
    }
    for (j = 0; j < nm; j++) {
        march_rrb_node_decref(mid[j]);
    }
    if (rc < 0) {
        return -1;
    }
    if (nk <= RRB_M) {
        out[0] = march_rrb_inner_make(n->height, kids, nk, 0);
        *nout = 1;
        if (out[0] == NULL) {
            rc = -1;
        }
    }
    else {
        j = (nk + 1) / 2;
        out[0] = march_rrb_inner_make(n->height, kids, j, 0);
        out[1] = out[0] ? march_rrb_inner_make(n->height, kids + j, nk - j, 0) : NULL;
        *nout = 2;
        if (out[1] == NULL) {
            march_rrb_node_xdecref(out[0]);
            rc = -1;
        }
    }
    for (j = 0; j < nk; j++) {
        march_rrb_node_decref(kids[j]);
    }
    return rc;
}

int
march_rrb_insert(const MarchRRB *v, Py_ssize_t i, PyObject *x, MarchRRB *out)
{
    MarchRRB one;
    MarchRRBNode *nodes[2], *root, *tail;
    Py_ssize_t tc;
    int rc, nn;
    march_rrb_init(out);
    if (march_rrb_count_room(v->count, 1) < 0) {
        return -1;
    }
    if (i == v->count) {
        march_rrb_copy(out, v);
        if (march_rrb_push(out, x, 0) < 0) {
            march_rrb_clear(out);
            return -1;
        }
        return 0;
    }
    if (i == 0) {
        march_rrb_init(&one);
        if (march_rrb_push(&one, x, 0) < 0) {
            return -1;
        }
        rc = march_rrb_concat(&one, v, out);
        march_rrb_clear(&one);
        return rc;
    }
    tc = march_rrb_tree_count(v);
    if (i >= tc) {
        /* in the tail; a full tail pushes its first M elements */
        PyObject *slots[RRB_M + 1];
        int tl = (int)(v->count - tc), at = (int)(i - tc);
        memcpy(slots, v->tail->slots, at * sizeof(PyObject *));
        slots[at] = x;
        memcpy(slots + at + 1, v->tail->slots + at, (tl - at) * sizeof(PyObject *));
        if (tl + 1 <= RRB_M) {
            tail = march_rrb_leaf_make(slots, tl + 1, 0);
            if (tail == NULL) {
                return -1;
            }
            root = v->root;
            march_rrb_node_xincref(root);
        }
        else {
            MarchRRBNode *full = march_rrb_leaf_make(slots, RRB_M, 0);
            if (full == NULL) {
                return -1;
            }
            root = rrb_tree_push_tail(v->root, full, 0);
            march_rrb_node_decref(full);
            if (root == NULL) {
                return -1;
            }
            tail = march_rrb_leaf_make(slots + RRB_M, tl + 1 - RRB_M, 0);
            if (tail == NULL) {
                march_rrb_node_decref(root);
                return -1;
            }
        }
    }
    else {
        if (rrb_node_insert(v->root, i, x, nodes, &nn) < 0) {
            return -1;
        }
        if (nn == 1) {
            root = nodes[0];
        }
        else {
            root = march_rrb_inner_make(nodes[0]->height + 1, nodes, 2, 0);
            march_rrb_node_decref(nodes[0]);
            march_rrb_node_decref(nodes[1]);
            if (root == NULL) {
                return -1;
            }
        }
        tail = v->tail;
        march_rrb_node_incref(tail);
    }
    out->count = v->count + 1;
    out->root = root;
    out->tail = tail;
    return 0;
}

/* without [lo, hi) */
int
march_rrb_delete(const MarchRRB *v, Py_ssize_t lo, Py_ssize_t hi, MarchRRB *out)
{
    MarchRRB left, right;
    int rc;
    march_rrb_init(out);
    if (lo >= hi) {
        march_rrb_copy(out, v);
        return 0;
    }
    if (hi == v->count) {
        return march_rrb_slice(v, 0, lo, out);
    }
    if (lo == 0) {
        return march_rrb_slice(v, hi, v->count, out);
    }
    if (march_rrb_slice(v, 0, lo, &left) < 0) {
        return -1;
    }
    if (march_rrb_slice(v, hi, v->count, &right) < 0) {
        march_rrb_clear(&left);
        return -1;
    }
    rc = march_rrb_concat(&left, &right, out);
    march_rrb_clear(&left);
    march_rrb_clear(&right);
    return rc;
}

/* ------------------------------------------------------------------ */
/* walks over the elements                                             */

/* a new list of the elements of v.  The list is made before v is read:
 * v must not change meanwhile (a Vector never does; an evolver is busy). */
PyObject *
march_rrb_tolist(const MarchRRB *v)
{
    PyObject *list = PyList_New(v->count);
    Py_ssize_t i = 0;
    if (list == NULL) {
        return NULL;
    }
    while (i < v->count) {
        Py_ssize_t start, end, j;
        MarchRRBNode *leaf = march_rrb_leaf_for(v, i, &start, &end);
        for (j = i - start; start + j < end; j++) {
            PyObject *x = leaf->slots[j];
            Py_INCREF(x);
            PyList_SET_ITEM(list, i++, x);
        }
    }
    return list;
}

/* first index in [lo, hi) of an element equal to x (identity or ==); -1 if
 * none, -2 on error.  __eq__ runs Python code: v must not change meanwhile
 * (a Vector never does; an evolver is busy), and both elements compared are
 * held (an __eq__ may drop the caller's reference to either). */
Py_ssize_t
march_rrb_find(const MarchRRB *v, PyObject *x, Py_ssize_t lo, Py_ssize_t hi)
{
    Py_ssize_t i = lo, found = -1;
    Py_INCREF(x);
    while (i < hi && found == -1) {
        Py_ssize_t start, j, end;
        MarchRRBNode *leaf = march_rrb_leaf_for(v, i, &start, &end);
        if (end > hi) {
            end = hi;
        }
        for (j = i - start; start + j < end; j++) {
            PyObject *y = leaf->slots[j];
            int r;
            if (y == x) {
                found = start + j;
                break;
            }
            Py_INCREF(y);
            r = PyObject_RichCompareBool(y, x, Py_EQ);
            Py_DECREF(y);
            if (r != 0) {
                found = r < 0 ? -2 : start + j;
                break;
            }
        }
        i = end;
    }
    Py_DECREF(x);
    return found;
}

/* The elements start, start + step, ... (len of them; indices adjusted by
 * PySlice_AdjustIndices) as a new value.  The pointers are borrowed from v
 * while leaves are allocated: v must not change meanwhile (a Vector never
 * does; an evolver is busy). */
int
march_rrb_take_step(const MarchRRB *v, Py_ssize_t start, Py_ssize_t step,
                    Py_ssize_t len, MarchRRB *out)
{
    PyObject **buf;
    Py_ssize_t k;
    int rc;
    march_rrb_init(out);
    if (len <= 0) {
        return 0;
    }
    buf = PyMem_New(PyObject *, len);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (k = 0; k < len; k++) {
        buf[k] = march_rrb_get(v, start + k * step);
    }
    rc = march_rrb_from_array(out, buf, len);
    PyMem_Free(buf);
    return rc;
}

/* v without the elements start, start + step, ... (len > 0 of them,
 * adjusted indices) as a new value; v must not change meanwhile, as for
 * rrb_take_step. */
int
march_rrb_drop_step(const MarchRRB *v, Py_ssize_t start, Py_ssize_t step,
                    Py_ssize_t len, MarchRRB *out)
{
    PyObject **buf;
    Py_ssize_t i = 0, k = 0, n = v->count;
    int rc;
    march_rrb_init(out);
    if (step < 0) {
        /* the same elements, ascending */
        start += (len - 1) * step;
        step = -step;
    }
    buf = PyMem_New(PyObject *, n - len > 0 ? n - len : 1);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    while (i < n) {
        Py_ssize_t s, e, j;
        MarchRRBNode *leaf = march_rrb_leaf_for(v, i, &s, &e);
        for (j = i - s; s + j < e; j++, i++) {
            Py_ssize_t d = i - start;
            if (d >= 0 && d % step == 0 && d / step < len) {
                continue;
            }
            buf[k++] = leaf->slots[j];
        }
    }
    assert(k == n - len);
    rc = march_rrb_from_array(out, buf, k);
    PyMem_Free(buf);
    return rc;
}

/* compare two vectors element by element: *diff = first index whose elements
 * differ (== count of the shorter when none); -1 on error */
int
march_rrb_first_difference(const MarchRRB *a, const MarchRRB *b,
                           Py_ssize_t *diff)
{
    Py_ssize_t n = a->count < b->count ? a->count : b->count, i = 0;
    while (i < n) {
        Py_ssize_t sa, sb, ea, eb, end;
        MarchRRBNode *la = march_rrb_leaf_for(a, i, &sa, &ea);
        MarchRRBNode *lb = march_rrb_leaf_for(b, i, &sb, &eb);
        end = ea < eb ? ea : eb;
        if (end > n) {
            end = n;
        }
        if (la == lb && sa == sb) {
            i = end;            /* a shared leaf: identical elements */
            continue;
        }
        for (; i < end; i++) {
            PyObject *x = la->slots[i - sa], *y = lb->slots[i - sb];
            int r;
            if (x == y) {
                continue;
            }
            Py_INCREF(x);
            Py_INCREF(y);
            r = PyObject_RichCompareBool(x, y, Py_EQ);
            Py_DECREF(x);
            Py_DECREF(y);
            if (r < 0) {
                return -1;
            }
            if (!r) {
                *diff = i;
                return 0;
            }
        }
    }
    *diff = n;
    return 0;
}
