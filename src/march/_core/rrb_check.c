/*
 * rrb_check.c -- the invariant checker of march's persistent vector
 * (march_rrb_check: invariants 1-5 of rrb.c, the tail buffer and the GC
 * state), and its height, shape and statistics.  The pure-Python twin's
 * src/march/_pure/rrb_check.py has the same functions (names without the
 * march_ prefix) and the same results.
 *
 * Includes only rrb_check.h (and so rrb.h, rrb_node.h and common.h).
 */
#include "rrb_check.h"

#include <string.h>


static int
rrb_check_fail(const char *msg, Py_ssize_t a, Py_ssize_t b)
{
    PyErr_Format(PyExc_AssertionError, "rrb invariant: %s (%zd, %zd)", msg, a, b);
    return -1;
}

/* verify invariants 1-3 and 5 below n; *count = its elements */
static int
rrb_check_node(MarchRRBNode *n, int height, Py_ssize_t *count)
{
    int k = n->len, j;
    Py_ssize_t total = 0, cap, cc;
    int any_tracked = 0;
    if (n->height != height) {
        return rrb_check_fail("wrong height", n->height, height);
    }
    if (k < 1 || k > RRB_M) {
        return rrb_check_fail("node slot count out of range", k, RRB_M);
    }
    if (height == 0) {
        if (RRB_IS_RAW(n)) {
            if (!march_rrb_items_atomic(n->slots, k)) {
                return rrb_check_fail("raw leaf holds a non-atomic element", k, 0);
            }
            if (RRB_RAW_REFCNT(n) == 0 || march_rrb_node_tracked(n)) {
                return rrb_check_fail("raw leaf with a bad header", RRB_RAW_REFCNT(n),
                                      n->flags);
            }
        }
        else if (Py_TYPE(n) != &MarchRRBLeafGC_Type) {
            return rrb_check_fail("leaf of a non-leaf type", 0, 0);
        }
        else if (!PyObject_GC_IsTracked((PyObject *)n) || !march_rrb_node_tracked(n)) {
            return rrb_check_fail("GC leaf not tracked", k, 0);
        }
        *count = k;
        return 0;
    }
    if (RRB_IS_RAW(n)
            || (Py_TYPE(n) != &MarchRRBInner_Type && !RRB_IS_RELAXED(n))) {
        return rrb_check_fail("inner node of a leaf type", height, 0);
    }
    cap = RRB_CAP(height);
    for (j = 0; j < k; j++) {
        MarchRRBNode *c = RRB_SLOT(n, j);
        if (rrb_check_node(c, height - 1, &cc) < 0) {
            return -1;
        }
        if (height == 1 && (c->flags & RRB_FLAG_BUF) && c->len < RRB_M) {
            /* appends could extend it in place under this tree */
            return rrb_check_fail("a partial tail buffer in a tree", c->len, j);
        }
        total += cc;
        if (RRB_IS_RELAXED(n)) {
            if (n->sizes[j] != total) {
                return rrb_check_fail("size table wrong", n->sizes[j], total);
            }
        }
        else {
            if (RRB_IS_RELAXED(c)) {
                return rrb_check_fail("balanced node with a relaxed child", j, k);
            }
            if (j < k - 1 && cc != cap) {
                return rrb_check_fail("balanced node with a non-full child", cc, cap);
            }
        }
        if (march_rrb_node_tracked(c)) {
            any_tracked = 1;
        }
    }
    if (n->count != total) {
        return rrb_check_fail("count wrong", n->count, total);
    }
    /* (a node high enough may hold any count: cap * M would overflow) */
    if (cap <= PY_SSIZE_T_MAX / RRB_M && total > cap * RRB_M) {
        return rrb_check_fail("node over capacity", total, cap * RRB_M);
    }
    if (!march_rrb_node_tracked(n) != !PyObject_GC_IsTracked((PyObject *)n)) {
        return rrb_check_fail("tracked flag differs from the GC state", height, k);
    }
    if (any_tracked && !march_rrb_node_tracked(n)) {
        return rrb_check_fail("untracked node with a tracked child", height, k);
    }
    if (k > 2) {
        int sf = march_rrb_node_shortfall((MarchRRBNode **)n->slots + 1, k - 2);
        if (sf >= RRB_MAX_SHORTFALL) {
            return rrb_check_fail("search-step bound: interior shortfall", sf,
                                  RRB_MAX_SHORTFALL);
        }
    }
    *count = total;
    return 0;
}

int
march_rrb_check(const MarchRRB *v, int tracked)
{
    Py_ssize_t tcount = 0;
    if (v->count < 0) {
        return rrb_check_fail("negative count", v->count, 0);
    }
    if (v->count == 0) {
        if (v->tail != NULL || v->root != NULL) {
            return rrb_check_fail("empty vector with nodes", 0, 0);
        }
        return 0;
    }
    if (v->tail == NULL) {
        return rrb_check_fail("non-empty vector without a tail", v->count, 0);
    }
    if (rrb_check_node(v->tail, 0, &tcount) < 0) {
        return -1;
    }
    if (v->root != NULL) {
        Py_ssize_t rc;
        if (v->root->height > 0 && v->root->len < 2) {
            return rrb_check_fail("single-child root", v->root->height, v->root->len);
        }
        if (rrb_check_node(v->root, v->root->height, &rc) < 0) {
            return -1;
        }
        if (v->root->height == 0 && (v->root->flags & RRB_FLAG_BUF)
                && v->root->len < RRB_M) {
            return rrb_check_fail("a partial tail buffer as the root", v->root->len, 0);
        }
        /* the tail length: at least 1, at most the buffer's fill */
        tcount = v->count - rc;
    }
    else {
        tcount = v->count;
    }
    if (tcount < 1 || tcount > v->tail->len) {
        return rrb_check_fail("tail length out of range (count - tree)",
                              tcount, v->tail->len);
    }
    if (tracked >= 0 && march_rrb_needs_tracking(v) && !tracked) {
        return rrb_check_fail("holder of tracked nodes not tracked", 0, 0);
    }
    return 0;
}

int
march_rrb_height(const MarchRRB *v)
{
    return v->root != NULL ? v->root->height : 0;
}

static PyObject *
rrb_shape_node(MarchRRBNode *n)
{
    PyObject *list;
    int j;
    if (n->height == 0) {
        return PyLong_FromLong(n->len);
    }
    list = PyList_New(n->len);
    if (list == NULL) {
        return NULL;
    }
    for (j = 0; j < n->len; j++) {
        PyObject *c = rrb_shape_node(RRB_SLOT(n, j));
        if (c == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, j, c);
    }
    return list;
}

PyObject *
march_rrb_shape(const MarchRRB *v)
{
    PyObject *root, *tail;
    if (v->root != NULL) {
        root = rrb_shape_node(v->root);
    }
    else {
        root = Py_None;
        Py_INCREF(root);
    }
    if (root == NULL) {
        return NULL;
    }
    tail = PyLong_FromLong(v->tail ? march_rrb_tail_len(v) : 0);
    if (tail == NULL) {
        Py_DECREF(root);
        return NULL;
    }
    return Py_BuildValue("(NN)", root, tail);
}

static void
rrb_stats_node(MarchRRBNode *n, MarchRRBStats *st)
{
    int j;
    if (RRB_IS_RAW(n)) {
        st->bytes += (Py_ssize_t)RRB_RAW_SIZE;
    }
    else {
        st->bytes += (Py_ssize_t)Py_TYPE(n)->tp_basicsize
            + (Py_ssize_t)(2 * sizeof(void *));   /* the GC header */
    }
    if (n->height == 0) {
        st->leaves++;
        return;
    }
    st->inners++;
    if (RRB_IS_RELAXED(n)) {
        st->relaxed++;
    }
    for (j = 0; j < n->len; j++) {
        rrb_stats_node(RRB_SLOT(n, j), st);
    }
}

void
march_rrb_stats(const MarchRRB *v, MarchRRBStats *st)
{
    memset(st, 0, sizeof(*st));
    if (v->root != NULL) {
        rrb_stats_node(v->root, st);
    }
    if (v->tail != NULL) {
        rrb_stats_node(v->tail, st);
    }
}
