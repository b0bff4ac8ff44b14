/*
 * rrb_node.h -- the nodes of march's persistent vector (an RRB tree): the
 * node layout, the three node types and the raw leaf, owner ids, node
 * reference counting and GC tracking, and the constructors (rrb_node.c).
 * See rrb_node.c for the design of the nodes (layout, raw leaves, slabs,
 * free lists) and rrb.c for the tree (invariants, algorithms).
 *
 * Includes only common.h.  The algorithms (rrb.h), the checker
 * (rrb_check.h) and the Python types (vector_object.c) build on it.
 *
 * Compile-time branching: MARCH_RRB_BITS (default 5: 32 slots per node;
 * march._rrb4 is built with 2: 4 slots per node, so small vectors make deep
 * trees in the tests).
 */
#ifndef MARCH_RRB_NODE_H
#define MARCH_RRB_NODE_H

#include "common.h"
#include <stddef.h>
#include <stdint.h>

#ifndef MARCH_RRB_BITS
#define MARCH_RRB_BITS 5
#endif

#define RRB_BITS MARCH_RRB_BITS
#define RRB_M (1 << RRB_BITS)             /* slots per node */
#define RRB_MASK (RRB_M - 1)
#define RRB_EMAX 2                        /* extra search steps allowed */
/* Py_ssize_t counts fit in 63 bits: a height-h node holds up to M**(h+1) */
#define RRB_MAX_HEIGHT (63 / RRB_BITS + 1)
/* the search-step bound (rrb.c, invariant 3): nodes with at least RRB_SKIP
 * slots are skipped by the rebalancing plan, which runs until a list of
 * nodes falls short of full by less than RRB_MAX_SHORTFALL slots */
#define RRB_SKIP (RRB_M - RRB_EMAX / 2)
#define RRB_MAX_SHORTFALL ((RRB_EMAX + 1) * RRB_M)
/* elements in a full child of a height-h node */
#define RRB_CAP(h) ((Py_ssize_t)1 << (RRB_BITS * (h)))

/* One node of the tree.  Three PyTypeObjects share this layout, and a
 * fourth kind of node is not a Python object at all:
 *   raw leaf      height 0, slots are elements, all atomic (RRB_FLAG_RAW);
 *                 not an object: a block holding the header word and the
 *                 slots, addressed through a MarchRRBNode pointer
 *                 sizeof(PyObject) before the block, so that height, len,
 *                 flags and slots read as for every node.  Its PyObject
 *                 header does not exist and is never read; its reference
 *                 count is the 32-bit `owner_lo` (raw leaves have no owner)
 *   leaf (gc)     height 0, may hold any element; a GC type, always tracked
 *   inner         height > 0, balanced (no size table); a GC type, tracked
 *                 iff some child is tracked
 *   inner relaxed height > 0, with the cumulative size table `sizes`
 * GC leaves are allocated without `count` and `sizes` (their count is
 * `len`); a balanced inner node without `sizes`.  The owner id (45 bits) is
 * split in two fields so that the header (with `flags`) stays one word. */
typedef struct MarchRRBNode {
    PyObject_HEAD               /* absent in a raw leaf */
    uint8_t height;             /* 0: leaf */
    uint8_t len;                /* slots in use, 1..M in a tree; for a tail:
                                 * the buffer's fill (>= the tail length) */
    unsigned int flags : 3;     /* RRB_FLAG_*: a tail buffer; GC-tracked;
                                 * a raw leaf */
    unsigned int owner_hi : 13; /* owner: evolver allowed to edit in place */
    uint32_t owner_lo;          /* (0: persistent, never edited); a raw
                                 * leaf: its reference count */
    PyObject *slots[RRB_M];
    Py_ssize_t count;           /* inner only: elements in the subtree */
    Py_ssize_t sizes[];         /* relaxed only: sizes[j] = elements in slots 0..j */
} MarchRRBNode;

extern PyTypeObject MarchRRBLeafGC_Type;
extern PyTypeObject MarchRRBInner_Type;
extern PyTypeObject MarchRRBRelaxed_Type;

/* a leaf made as a tail buffer by push: a vector whose tail length equals
 * the buffer's fill may append in place (see rrb.c, "The tail buffer") */
#define RRB_FLAG_BUF 1
/* the node is tracked by the GC (mirrors PyObject_GC_IsTracked: our nodes
 * are tracked once, when made, and untracked only when deallocated) */
#define RRB_FLAG_TRACKED 2
/* a raw leaf (not a Python object, see above) */
#define RRB_FLAG_RAW 4

/* Free lists of nodes and Vectors (rrb_node.c, vector_object.c) exist
 * where common.h's MARCH_FREELISTS says: on GIL builds. */
#define MARCH_RRB_FREELISTS MARCH_FREELISTS
/* Raw leaves count their references with plain (non-atomic) integers and
 * come from slabs kept in global lists: both rely on the GIL, so a
 * free-threaded build makes every leaf a GC leaf. */
#ifdef Py_GIL_DISABLED
#define MARCH_RRB_SHARED_TAIL 0
#define MARCH_RRB_RAW 0
#else
#define MARCH_RRB_SHARED_TAIL 1
#define MARCH_RRB_RAW 1
#endif

/* n is an inner node (height > 0) with a size table */
#define RRB_IS_RELAXED(n) ((n)->height != 0 && Py_TYPE(n) == &MarchRRBRelaxed_Type)
/* the same for n known to be an inner node */
#define RRB_INNER_IS_RELAXED(n) (Py_TYPE(n) == &MarchRRBRelaxed_Type)
#define RRB_IS_RAW(n) ((n)->flags & RRB_FLAG_RAW)
/* n is a leaf that is a Python object (a GC leaf) */
#define RRB_IS_GCLEAF(n) ((n)->height == 0 && !RRB_IS_RAW(n))

/* child j of inner node n */
#define RRB_SLOT(n, j) ((MarchRRBNode *)(n)->slots[j])

/* A raw leaf is the block [&n->height, &n->slots[M]) of a MarchRRBNode:
 * 8 + 8M bytes (264 for M = 32), against 16 more for a leaf that is a
 * Python object (see rrb_node.c, "raw leaves").  Its reference count is
 * owner_lo; it saturates at UINT32_MAX (the leaf is then never freed)
 * rather than wrap. */
#define RRB_RAW_OFFSET offsetof(MarchRRBNode, height)
#define RRB_RAW_SIZE (offsetof(MarchRRBNode, slots) + RRB_M * sizeof(PyObject *) \
                      - RRB_RAW_OFFSET)
#define RRB_RAW_REFCNT(n) ((n)->owner_lo)
#define RRB_RAW_NODE(block) ((MarchRRBNode *)((char *)(block) - RRB_RAW_OFFSET))
#define RRB_RAW_BLOCK(n) ((void *)((char *)(n) + RRB_RAW_OFFSET))

int march_rrb_node_ready(void);             /* PyType_Ready the node types */
/* 1 when raw leaves come from slabs (not PyMem_Malloc), see rrb_node.c */
extern const int march_rrb_raw_slabs;
uint64_t march_rrb_new_owner(void);         /* a fresh evolver id (never 0) */

/* elements below n */
static inline Py_ssize_t
march_rrb_node_count(const MarchRRBNode *n)
{
    return n->height ? n->count : (Py_ssize_t)n->len;
}
#define RRB_NCOUNT(n) march_rrb_node_count(n)

/* ------------------------------------------------------------------ */
/* owners                                                              */

/* the owner of n (0 for a raw leaf: its owner_lo is its reference count) */
static inline uint64_t
march_rrb_node_owner(const MarchRRBNode *n)
{
    if (RRB_IS_RAW(n)) {
        return 0;
    }
    return ((uint64_t)n->owner_hi << 32) | n->owner_lo;
}

static inline int
march_rrb_node_owned(const MarchRRBNode *n, uint64_t owner)
{
    return owner != 0 && march_rrb_node_owner(n) == owner;
}

/* ------------------------------------------------------------------ */
/* reference counting and GC tracking                                  */

/* the last reference to raw leaf n is gone */
void march_rrb_raw_dealloc(MarchRRBNode *n);

/* is node n tracked by the GC (a raw leaf never is) */
static inline int
march_rrb_node_tracked(const MarchRRBNode *n)
{
    return n->flags & RRB_FLAG_TRACKED;
}

/* Reference counting of nodes (which may be raw leaves).  Elements are
 * objects and use Py_INCREF / Py_DECREF. */
static inline void
march_rrb_raw_incref(MarchRRBNode *n)
{
    if (RRB_RAW_REFCNT(n) != UINT32_MAX) {
        RRB_RAW_REFCNT(n)++;
    }
}

static inline void
march_rrb_raw_decref(MarchRRBNode *n)
{
    uint32_t r = RRB_RAW_REFCNT(n);
    if (r == 1) {
        march_rrb_raw_dealloc(n);
    }
    else if (r != UINT32_MAX) {
        RRB_RAW_REFCNT(n) = r - 1;
    }
}

static inline void
march_rrb_node_incref(MarchRRBNode *n)
{
    if (RRB_IS_RAW(n)) {
        march_rrb_raw_incref(n);
    }
    else {
        Py_INCREF(n);
    }
}

static inline void
march_rrb_node_decref(MarchRRBNode *n)
{
    if (RRB_IS_RAW(n)) {
        march_rrb_raw_decref(n);
    }
    else {
        Py_DECREF(n);
    }
}

static inline void
march_rrb_node_xdecref(MarchRRBNode *n)
{
    if (n != NULL) {
        march_rrb_node_decref(n);
    }
}

static inline void
march_rrb_node_xincref(MarchRRBNode *n)
{
    if (n != NULL) {
        march_rrb_node_incref(n);
    }
}

/* *p = n (stolen), releasing the node *p held */
#define RRB_NODE_SETREF(p, n)                   \
    do {                                        \
        MarchRRBNode *old_ = (p);               \
        (p) = (n);                              \
        march_rrb_node_decref(old_);            \
    } while (0)
#define RRB_NODE_XSETREF(p, n)                  \
    do {                                        \
        MarchRRBNode *old_ = (p);               \
        (p) = (n);                              \
        march_rrb_node_xdecref(old_);           \
    } while (0)
#define RRB_NODE_CLEAR(p) RRB_NODE_XSETREF(p, NULL)
/* slot j of inner node n = child c (stolen), releasing the old child */
#define RRB_SLOT_SETREF(n, j, c)                \
    do {                                        \
        MarchRRBNode *old_ = RRB_SLOT(n, j);    \
        (n)->slots[j] = (PyObject *)(c);        \
        march_rrb_node_decref(old_);            \
    } while (0)

/* track n (a GC node type, not yet tracked) */
static inline void
march_rrb_node_track(MarchRRBNode *n)
{
    n->flags |= RRB_FLAG_TRACKED;
    PyObject_GC_Track(n);
}

/* an inner node that now holds child c: tracked if c is */
static inline void
march_rrb_node_track_for(MarchRRBNode *n, const MarchRRBNode *c)
{
    if (march_rrb_node_tracked(c) && !march_rrb_node_tracked(n)) {
        march_rrb_node_track(n);
    }
}

/* ------------------------------------------------------------------ */
/* edits in place                                                      */

/* may `owner` edit raw leaf n in place?  `path`: every node above n is
 * owned (or n is the tail or root of the owner's own value); `len`: the
 * leaf's elements in the value (a tail buffer may hold more) */
static inline int
march_rrb_raw_owned(const MarchRRBNode *n, int len, uint64_t owner, int path)
{
    return owner != 0 && path && RRB_RAW_REFCNT(n) == 1 && n->len == len;
}

/* the leaf n (tree leaf or tail) may be edited in place by `owner`; path:
 * every node above it is owned by `owner` (1 for a tail) */
static inline int
march_rrb_leaf_owned(const MarchRRBNode *n, int len, uint64_t owner, int path)
{
    if (RRB_IS_RAW(n)) {
        return march_rrb_raw_owned(n, len, owner, path);
    }
    /* an owned GC leaf always has len == n->len (owned tails are never
     * shared views) */
    assert(!march_rrb_node_owned(n, owner) || n->len == len);
    return march_rrb_node_owned(n, owner);
}

/* ------------------------------------------------------------------ */
/* making nodes (rrb_node.c)                                           */

/* An empty leaf (len 0, not yet tracked: call march_rrb_leaf_done once
 * filled): a raw leaf unless gc (a raw leaf has no owner). */
MarchRRBNode *march_rrb_leaf_new(int gc, uint64_t owner);

/* a leaf made by march_rrb_leaf_new, filled: track it if it is a GC leaf */
static inline MarchRRBNode *
march_rrb_leaf_done(MarchRRBNode *n)
{
    if (RRB_IS_GCLEAF(n)) {
        march_rrb_node_track(n);
    }
    return n;
}

/* 1 when every one of items[0..k) is atomic (common.h) */
int march_rrb_items_atomic(PyObject *const *items, Py_ssize_t k);
/* A leaf over items[0..k) (new references), a GC leaf if gc (the items
 * are not checked: for copies of a leaf's slots plus known elements). */
MarchRRBNode *march_rrb_leaf_copy_of(int gc, PyObject *const *items,
                                     Py_ssize_t k);
/* A node of height h over kids[0..k) (borrowed; the node takes new
 * references), canonical: a size table only if the children are not dense
 * (rrb.c, invariant 2).  OverflowError past RRB_MAX_HEIGHT. */
MarchRRBNode *march_rrb_inner_make(int h, MarchRRBNode *const *kids, int k,
                                   uint64_t owner);
/* A copy of n (same type, slots, table), owned by `owner`. */
MarchRRBNode *march_rrb_node_copy(MarchRRBNode *n, uint64_t owner);
/* march_rrb_node_editable for a leaf whose first `len` slots are the
 * elements (a tail buffer may hold more) and that will receive an element
 * that needs the GC (need_gc): a raw leaf is then copied into a GC leaf.
 * path: as for march_rrb_leaf_owned. */
MarchRRBNode *march_rrb_leaf_editable(MarchRRBNode *n, int len, uint64_t owner,
                                      int path, int need_gc);
/* march_rrb_node_editable for an inner node that must carry a size table:
 * a balanced node is copied into a relaxed one (table computed from its
 * children). */
MarchRRBNode *march_rrb_inner_editable_relaxed(MarchRRBNode *n, uint64_t owner);

/* A leaf holding items[0..k) (new references), typed by its contents.
 * (Inline: a bulk build makes one per M elements.) */
static inline MarchRRBNode *
march_rrb_leaf_make(PyObject *const *items, Py_ssize_t k, uint64_t owner)
{
    Py_ssize_t i;
    MarchRRBNode *n = march_rrb_leaf_new(!march_rrb_items_atomic(items, k),
                                         owner);
    if (n == NULL) {
        return NULL;
    }
    for (i = 0; i < k; i++) {
        Py_INCREF(items[i]);
        n->slots[i] = items[i];
    }
    n->len = (uint8_t)k;
    return march_rrb_leaf_done(n);
}

/* inner node n itself (new reference) when `owner` may edit it in place,
 * else a copy owned by `owner`. */
static inline MarchRRBNode *
march_rrb_node_editable(MarchRRBNode *n, uint64_t owner)
{
    assert(n->height > 0);
    if (march_rrb_node_owned(n, owner)) {
        Py_INCREF(n);
        return n;
    }
    return march_rrb_node_copy(n, owner);
}

/* slots missing from nodes[0..k) to make them all full (the quantity the
 * search-step bound limits) */
static inline int
march_rrb_node_shortfall(MarchRRBNode *const *nodes, int k)
{
    int j, s = RRB_M * k;
    for (j = 0; j < k; j++) {
        s -= nodes[j]->len;
    }
    return s;
}

#endif /* MARCH_RRB_NODE_H */
