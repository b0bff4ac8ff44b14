/*
 * rrb.h -- the algorithms of march's persistent vector, an RRB tree
 * (relaxed radix balanced tree), on one vector value (MarchRRB): lookup,
 * set, push/pop with the tail buffer, bulk construction, concatenation,
 * slicing, insert/delete, and the element-level walks the Python types use
 * (tolist, find, stepped slices, comparison).  See rrb.c for the design
 * comment (invariants, tail buffer, transients, concatenation, slicing).
 *
 * Includes only rrb_node.h (the nodes; it includes common.h).  The checker
 * (rrb_check.h) and the Python types (vector_object.c) build on it.
 */
#ifndef MARCH_RRB_H
#define MARCH_RRB_H

#include "rrb_node.h"

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

/* -1 with OverflowError when a vector of `count` elements cannot take `add`
 * more (counts are Py_ssize_t, as for list): push, insert, concat and the
 * bulk appends of the Python types ask before they change anything, so a
 * vector never lies about its length */
static inline int
march_rrb_count_room(Py_ssize_t count, Py_ssize_t add)
{
    if (add > PY_SSIZE_T_MAX - count) {
        PyErr_SetString(PyExc_OverflowError,
                        "a vector cannot hold more than sys.maxsize elements");
        return -1;
    }
    return 0;
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

/* child index of element *i of inner node n; *i becomes the index
 * within that child. */
static inline int
march_rrb_node_locate(const MarchRRBNode *n, Py_ssize_t *i)
{
    int shift = RRB_BITS * n->height;
    Py_ssize_t idx = *i, j = idx >> shift;
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
    assert(j < n->len);
    *i = idx;
    return (int)j;
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
        n = RRB_SLOT(n, march_rrb_node_locate(n, &idx));
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

/* Walks over the elements.  Those that allocate or run Python code (__eq__)
 * while they hold pointers into v need v not to change meanwhile: a Vector
 * never does; the caller raises an evolver's `busy` around them. */
/* a new list of the elements of v */
PyObject *march_rrb_tolist(const MarchRRB *v);
/* first index in [lo, hi) of an element equal to x (identity or ==); -1 if
 * none, -2 on error */
Py_ssize_t march_rrb_find(const MarchRRB *v, PyObject *x, Py_ssize_t lo,
                          Py_ssize_t hi);
/* the elements start, start + step, ... (len of them; indices adjusted by
 * PySlice_AdjustIndices) as a new value */
int march_rrb_take_step(const MarchRRB *v, Py_ssize_t start, Py_ssize_t step,
                        Py_ssize_t len, MarchRRB *out);
/* v without the elements start, start + step, ... (len > 0 of them,
 * adjusted indices) as a new value */
int march_rrb_drop_step(const MarchRRB *v, Py_ssize_t start, Py_ssize_t step,
                        Py_ssize_t len, MarchRRB *out);
/* compare two vectors element by element: *diff = first index whose
 * elements differ (== count of the shorter when none); -1 on error */
int march_rrb_first_difference(const MarchRRB *a, const MarchRRB *b,
                               Py_ssize_t *diff);

#endif /* MARCH_RRB_H */
