/*
 * rrb_check.h -- debugging and statistics for march's persistent vector:
 * the invariant checker, the height, the shape and the node statistics of
 * a vector value (rrb_check.c).
 *
 * Includes only rrb.h (and so rrb_node.h and common.h).  Used by the Python
 * types (vector_object.c: _check, _height, _shape, _stats).
 */
#ifndef MARCH_RRB_CHECK_H
#define MARCH_RRB_CHECK_H

#include "rrb.h"

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

#endif /* MARCH_RRB_CHECK_H */
