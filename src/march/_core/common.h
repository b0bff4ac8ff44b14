/*
 * common.h -- helpers shared by march's C structures (hamt.c, rrb.c).
 *
 * GC tracking policy
 * ------------------
 * A persistent collection of a million strings holds tens of thousands of
 * internal nodes.  If every node were tracked by CPython's cyclic garbage
 * collector, each collection of the generation the nodes live in would
 * traverse all of them again, and that is most of what a persistent `set`
 * costs at scale in other libraries.  CPython itself untracks tuples and dicts
 * that hold only "atomic" objects.  march does the same, eagerly: a node is
 * tracked by the GC only when it holds (directly, or through a tracked child
 * node) an object that could be part of a reference cycle.
 *
 * An object is *atomic* -- it can never be part of a cycle -- when its type
 * does not support the GC at all (int, float, str, bytes, None, bool, ...), or
 * when it is an exact tuple whose items are all atomic (tuples are immutable,
 * so that stays true).  Anything else, including an untracked dict (which may
 * become tracked later), counts as possibly cyclic.  The test is conservative:
 * treating an atomic object as cyclic only costs speed.
 */
#ifndef MARCH_COMMON_H
#define MARCH_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MARCH_ATOMIC_TUPLE_DEPTH 4

static inline int
march_is_atomic_depth(PyObject *o, int depth)
{
    PyTypeObject *t = Py_TYPE(o);
    if (!PyType_IS_GC(t)) {
        return 1;
    }
    if (t == &PyTuple_Type && depth > 0) {
        Py_ssize_t i, n = PyTuple_GET_SIZE(o);
        for (i = 0; i < n; i++) {
            if (!march_is_atomic_depth(PyTuple_GET_ITEM(o, i), depth - 1)) {
                return 0;
            }
        }
        return 1;
    }
    return 0;
}

/* True when `o` can never take part in a reference cycle (see above). */
static inline int
march_is_atomic(PyObject *o)
{
    return march_is_atomic_depth(o, MARCH_ATOMIC_TUPLE_DEPTH);
}

#endif /* MARCH_COMMON_H */
