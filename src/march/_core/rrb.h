/*
 * rrb.h -- the algorithms of march's persistent vector, an RRB tree
 * (relaxed radix balanced tree).  See rrb.c for the design comment: node
 * layout, invariants, concatenation, slicing, transients, GC policy.
 *
 * The Python types (Vector, VectorEvolver, iterators) live in rrbmodule.c
 * and use only what is declared here.
 *
 * Compile-time branching: MARCH_RRB_BITS (default 5: 32 slots per node;
 * march._rrb4 is built with 2: 4 slots per node, so small vectors make deep
 * trees in the tests).
 */
#ifndef MARCH_RRB_H
#define MARCH_RRB_H

#include "common.h"
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

/* Free lists of nodes and Vectors revive dead objects with
 * _Py_NewReference, as CPython's own free lists do; it is a private API, so
 * they are used only on the versions known to have it.  The in-place tail
 * buffer append relies on the GIL (one writer at a time). */
#if PY_VERSION_HEX < 0x030D0000
#define MARCH_RRB_FREELISTS 1
#else
#define MARCH_RRB_FREELISTS 0
#endif
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

/* The value of a vector: a tree and a tail.
 *   count  number of elements
 *   root   NULL (the tree is empty) or a node holding elements
 *          [0, count - tail length)
 *   tail   NULL iff count == 0, else a leaf whose first `tail length`
 *          slots are the last 1..M elements.  The tail length is
 *          count - (elements in the tree), not tail->len: a tail buffer
 *          may be shared with vectors that appended to it in place, and it
 *          then holds more slots (tail->len) than this vector sees.
 * Both pointers are owned references. */
typedef struct {
    Py_ssize_t count;
    MarchRRBNode *root;
    MarchRRBNode *tail;
} MarchRRB;

int march_rrb_ready(void);                  /* PyType_Ready the node types */
/* 1 when raw leaves come from slabs (not PyMem_Malloc), see rrb.c */
extern const int march_rrb_raw_slabs;
uint64_t march_rrb_new_owner(void);         /* a fresh evolver id (never 0) */

static inline Py_ssize_t
march_rrb_node_count(const MarchRRBNode *n)
{
    return n->height ? n->count : (Py_ssize_t)n->len;
}

/* elements in the tree of v (count minus the tail length) */
static inline Py_ssize_t
march_rrb_tree_count(const MarchRRB *v)
{
    return v->root != NULL ? march_rrb_node_count(v->root) : 0;
}

/* the tail length of v: the number of tail slots that are v's elements */
static inline int
march_rrb_tail_len(const MarchRRB *v)
{
    return (int)(v->count - march_rrb_tree_count(v));
}

/* The leaf holding element i (0 <= i < v->count), borrowed; *start is the
 * index of its first element (slot 0), *end the index after its last
 * element of v (for the tail, v->count: the buffer may hold more slots). */
static inline MarchRRBNode *
march_rrb_leaf_for(const MarchRRB *v, Py_ssize_t i, Py_ssize_t *start,
                   Py_ssize_t *end)
{
    Py_ssize_t toff = march_rrb_tree_count(v), idx = i;
    MarchRRBNode *n;
    if (i >= toff) {
        *start = toff;
        *end = v->count;
        return v->tail;
    }
    n = v->root;
    while (n->height) {
        int shift = RRB_BITS * n->height;
        Py_ssize_t j = idx >> shift;
        if (RRB_INNER_IS_RELAXED(n)) {
            while (n->sizes[j] <= idx) {
                j++;
            }
            if (j) {
                idx -= n->sizes[j - 1];
            }
        }
        else {
            idx -= j << shift;
        }
        n = (MarchRRBNode *)n->slots[j];
    }
    *start = i - idx;
    *end = *start + n->len;
    return n;
}

/* element i (0 <= i < v->count), borrowed.  Below the relaxed top of the
 * tree (if any) every node is balanced, and the walk reads only the line
 * holding the slot it follows (not the node's header): the height is
 * counted down from the root's. */
static inline PyObject *
march_rrb_get(const MarchRRB *v, Py_ssize_t i)
{
    Py_ssize_t toff = march_rrb_tree_count(v), idx = i;
    const MarchRRBNode *n = v->root;
    int h;
    if (i >= toff) {
        return v->tail->slots[i - toff];
    }
    h = n->height;
    while (h > 0 && RRB_INNER_IS_RELAXED(n)) {
        Py_ssize_t j = idx >> (RRB_BITS * h);
        while (n->sizes[j] <= idx) {
            j++;
        }
        if (j) {
            idx -= n->sizes[j - 1];
        }
        n = (const MarchRRBNode *)n->slots[j];
        h--;
    }
    while (h > 0) {
        n = (const MarchRRBNode *)n->slots[(idx >> (RRB_BITS * h)) & RRB_MASK];
        h--;
    }
    return n->slots[idx & RRB_MASK];
}

void march_rrb_init(MarchRRB *v);                       /* the empty vector */
void march_rrb_clear(MarchRRB *v);                      /* release, make empty */
void march_rrb_copy(MarchRRB *dst, const MarchRRB *src); /* new references */
/* the GC state a Vector object over v needs */
int march_rrb_needs_tracking(const MarchRRB *v);
/* tp_traverse of an object holding v: visits its nodes that are objects */
int march_rrb_traverse(const MarchRRB *v, visitproc visit, void *arg);

/* In-place edits of *v.  With owner != 0, nodes tagged with that owner are
 * edited in place and the nodes made are tagged with it; a raw leaf (which
 * has no owner) is edited in place when its reference count is 1 and every
 * node above it is owned (v itself must then be the owner's own value);
 * owner == 0 copies.
 * 0 on success, -1 on error with *v unchanged.  set and pop do not release
 * the element they remove while they run: the caller holds a reference to it
 * (so that no __del__ runs in the middle of an edit). */
int march_rrb_push(MarchRRB *v, PyObject *x, uint64_t owner);
/* 1 when pushing items[0..n) with `owner` would only write into v's own
 * tail (owned, with room for all n, and a GC leaf if some item needs one):
 * no allocation, so those pushes cannot fail; else 0 */
int march_rrb_push_fits(const MarchRRB *v, PyObject *const *items,
                        Py_ssize_t n, uint64_t owner);
int march_rrb_set(MarchRRB *v, Py_ssize_t i, PyObject *x, uint64_t owner);
int march_rrb_pop(MarchRRB *v, uint64_t owner);          /* count > 0 */

/* New values (*out is set by the call; on error *out is the empty vector).
 * Nodes made are persistent (owner 0); nothing is edited in place. */
int march_rrb_from_array(MarchRRB *out, PyObject *const *items, Py_ssize_t n);
int march_rrb_concat(const MarchRRB *a, const MarchRRB *b, MarchRRB *out);
int march_rrb_slice(const MarchRRB *v, Py_ssize_t lo, Py_ssize_t hi,
                    MarchRRB *out);                    /* 0<=lo<=hi<=count */
int march_rrb_insert(const MarchRRB *v, Py_ssize_t i, PyObject *x,
                     MarchRRB *out);                   /* 0 <= i <= count */
int march_rrb_delete(const MarchRRB *v, Py_ssize_t lo, Py_ssize_t hi,
                     MarchRRB *out);                   /* 0<=lo<=hi<=count */

/* debugging: 0 when every invariant holds, else -1 with AssertionError.
 * `tracked` is the GC state of the object holding v (-1: don't check). */
int march_rrb_check(const MarchRRB *v, int tracked);
int march_rrb_height(const MarchRRB *v);
/* debugging: the shape of the tree as nested lists of leaf lengths */
PyObject *march_rrb_shape(const MarchRRB *v);

/* statistics: nodes and bytes of the structure (not of the elements) */
typedef struct {
    Py_ssize_t leaves;
    Py_ssize_t inners;
    Py_ssize_t relaxed;
    Py_ssize_t bytes;
} MarchRRBStats;
void march_rrb_stats(const MarchRRB *v, MarchRRBStats *st);

#endif /* MARCH_RRB_H */
