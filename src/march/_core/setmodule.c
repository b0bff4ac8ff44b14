/*
 * setmodule.c -- march.Set, its evolver, and the Map algebra methods (the
 * type glue over the structural algorithms of hamtset.c).  Part of the
 * march._hamt extension; hamtmodule.c adds the Map methods defined here to
 * map_methods[] and calls march_set_register() from PyInit__hamt.
 *
 *   Set         {root, cached hash, weakreflist}: the layout of a Map; a
 *               HAMT whose values are all None, so it shares every node
 *               algorithm of the Map (hamt.c) and the algebra (hamtset.c),
 *               and a Map and a Set can be intersected/differenced by node.
 *               GC-tracked only when its root is.  hash(s) is frozenset's
 *               hash of the same elements.  A drop-in for pyrsistent's PSet,
 *               registered as a collections.abc.Set.  Not subclassable.
 *   SetEvolver  {root, orig, owner, busy}: a transient over a Set (like
 *               MapMutation, but persistent() may be called many times: it
 *               retires the owner id each time, so the returned Set is never
 *               edited afterwards).
 *   ABSENT      the sentinel of diff() for a missing side.
 *
 * Operands: the Set operators (| & - ^ and comparisons) take a Set
 * structurally; any other iterable (operators: any iterable, as PSet; the
 * comparisons: any collections.abc.Set) is first made into a Set.  The Map
 * algebra takes a Map (or, for intersection/difference, a Set of keys)
 * structurally; another mapping is first made into a Map (for intersection
 * and difference, another iterable into a Set of keys).
 *
 * Every multi-step operation takes a fresh owner id per structural step:
 * the walk of hamtset.c reads its inputs while it edits the result in place,
 * so an input must hold no node of the result's owner.
 */
#include "hamtmodule.h"
#include "hamtset.h"
#include <stddef.h>

static PyTypeObject Set_Type;
static PyTypeObject SetEvolver_Type;
static PyTypeObject Absent_Type;

static PyObject *absent = NULL;         /* march._hamt.ABSENT */
static PyObject *abc_mapping_ = NULL;   /* collections.abc.Mapping */
static PyObject *abc_set = NULL;        /* collections.abc.Set */

typedef MapObject SetObject;

typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;
    SetObject *orig;        /* the last persistent Set (or the source) */
    uint64_t owner;
    Py_ssize_t busy;
    PyObject *weakreflist;
} EvolverObject;

#define Set_Check(o) Py_IS_TYPE((o), &Set_Type)
#define MapObj_Check(o) PyObject_TypeCheck((o), &Map_Type)

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* The empty Set is a singleton (as pyrsistent's `s() is pset()`); Set cannot
 * be subclassed, so every empty result may be this object. */
static SetObject *empty_set = NULL;

/* a new Set over `root` (stolen) */
static PyObject *
set_from_root(MarchBitmapNode *root)
{
    SetObject *s;
    if (root->count == 0 && empty_set != NULL) {
        Py_DECREF(root);
        return Py_NewRef((PyObject *)empty_set);
    }
    s = PyObject_GC_New(SetObject, &Set_Type);
    if (s == NULL) {
        Py_DECREF(root);
        return NULL;
    }
    s->root = root;
    s->hash = -1;
    s->weakreflist = NULL;
    if (PyObject_GC_IsTracked((PyObject *)root)) {
        PyObject_GC_Track(s);
    }
    if (root->count == 0) {
        empty_set = (SetObject *)Py_NewRef((PyObject *)s);   /* kept for good */
    }
    return (PyObject *)s;
}

/* *root with key bound to None (owner's nodes edited in place) */
static int
root_add(MarchBitmapNode **root, PyObject *key, uint64_t owner)
{
    uint64_t h;
    int added;
    MarchBitmapNode *nr;
    if (march_hamt_hash(key, &h) < 0) {
        return -1;
    }
    nr = march_hamt_assoc(*root, key, h, Py_None, owner, &added);
    if (nr == NULL) {
        return -1;
    }
    Py_SETREF(*root, nr);
    return 0;
}

/* *root with the elements of `iterable` added.  A Set is merged by a
 * structural union (under its own fresh owner). */
static int
root_add_all(MarchBitmapNode **root, PyObject *iterable, uint64_t owner)
{
    PyObject *it, *item;
    if (Set_Check(iterable)) {
        MarchBitmapNode *o = ((SetObject *)iterable)->root, *r;
        Py_INCREF(o);
        r = march_hamt_union(*root, o, NULL, march_hamt_new_owner(), 0);
        Py_DECREF(o);
        if (r == NULL) {
            return -1;
        }
        Py_SETREF(*root, r);
        return 0;
    }
    it = PyObject_GetIter(iterable);
    if (it == NULL) {
        return -1;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        int r = root_add(root, item, owner);
        Py_DECREF(item);
        if (r < 0) {
            Py_DECREF(it);
            return -1;
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

/* A new reference to the root of a Set of the elements of `o` (a Set: its
 * own root).  NULL on error. */
static MarchBitmapNode *
set_root_of(PyObject *o)
{
    MarchBitmapNode *r;
    if (Set_Check(o)) {
        r = ((SetObject *)o)->root;
        Py_INCREF(r);
        return r;
    }
    r = march_hamt_empty();
    if (root_add_all(&r, o, march_hamt_new_owner()) < 0) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

/* For the operators: 1 *root set, 0 not iterable (NotImplemented),
 * -1 error */
static int
operand_root(PyObject *o, MarchBitmapNode **root)
{
    PyObject *it;
    if (Set_Check(o)) {
        *root = ((SetObject *)o)->root;
        Py_INCREF(*root);
        return 1;
    }
    it = PyObject_GetIter(o);
    if (it == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            return 0;
        }
        return -1;
    }
    *root = march_hamt_empty();
    if (root_add_all(root, it, march_hamt_new_owner()) < 0) {
        Py_DECREF(it);
        Py_CLEAR(*root);
        return -1;
    }
    Py_DECREF(it);
    return 1;
}

/* the Set for a result root (stolen): self or other when unchanged */
static PyObject *
set_result(PyObject *self, PyObject *other, MarchBitmapNode *r)
{
    if (r == NULL) {
        return NULL;
    }
    if (self != NULL && Set_Check(self) && r == ((SetObject *)self)->root) {
        Py_DECREF(r);
        Py_INCREF(self);
        return self;
    }
    if (other != NULL && Set_Check(other)
            && r == ((SetObject *)other)->root) {
        Py_DECREF(r);
        Py_INCREF(other);
        return other;
    }
    return set_from_root(r);
}

enum { OP_UNION, OP_INTER, OP_DIFF, OP_SYMDIFF };

static MarchBitmapNode *
root_op(int op, MarchBitmapNode *a, MarchBitmapNode *b)
{
    uint64_t owner = march_hamt_new_owner();
    switch (op) {
    case OP_UNION:
        return march_hamt_union(a, b, NULL, owner, 0);
    case OP_INTER:
        return march_hamt_intersection(a, b, NULL, owner);
    case OP_DIFF:
        return march_hamt_difference(a, b, owner);
    default:
        return march_hamt_symmetric_difference(a, b, owner);
    }
}

/* ------------------------------------------------------------------ */
/* Set                                                                 */

static PyObject *
set_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *col = NULL;
    MarchBitmapNode *r;
    (void)type;
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        PyErr_SetString(PyExc_TypeError, "Set() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "Set", 0, 1, &col)) {
        return NULL;
    }
    if (col == NULL) {
        return set_from_root(march_hamt_empty());
    }
    if (Set_Check(col)) {
        Py_INCREF(col);
        return col;
    }
    r = set_root_of(col);
    if (r == NULL) {
        return NULL;
    }
    return set_from_root(r);
}

static PyObject *
march_s(PyObject *Py_UNUSED(module), PyObject *args)
{
    MarchBitmapNode *r = march_hamt_empty();
    Py_ssize_t i, n = PyTuple_GET_SIZE(args);
    uint64_t owner = march_hamt_new_owner();
    for (i = 0; i < n; i++) {
        if (root_add(&r, PyTuple_GET_ITEM(args, i), owner) < 0) {
            Py_DECREF(r);
            return NULL;
        }
    }
    return set_from_root(r);
}

static int
set_traverse(SetObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->root);
    return 0;
}

static int
set_clear(SetObject *self)
{
    MarchBitmapNode *old = self->root;
    self->root = march_hamt_empty();
    Py_XDECREF(old);
    return 0;
}

static void
set_dealloc(SetObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, set_dealloc)
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    Py_CLEAR(self->root);
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

static Py_ssize_t
set_length(SetObject *self)
{
    return self->root->count;
}

static int
set_contains(SetObject *self, PyObject *key)
{
    uint64_t h;
    PyObject *v;
    if (march_hamt_hash(key, &h) < 0) {
        return -1;
    }
    return march_hamt_find(self->root, key, h, &v);
}

static PyObject *
set_iter(SetObject *self)
{
    /* the keys iterator of a Map over the same root */
    PyObject *m, *it;
    Py_INCREF(self->root);
    m = (PyObject *)map_from_root(&Map_Type, self->root);
    if (m == NULL) {
        return NULL;
    }
    it = PyObject_GetIter(m);
    Py_DECREF(m);
    return it;
}

static PyObject *
set_add(SetObject *self, PyObject *key)
{
    MarchBitmapNode *r = self->root;
    Py_INCREF(r);
    if (root_add(&r, key, 0) < 0) {
        Py_DECREF(r);
        return NULL;
    }
    return set_result((PyObject *)self, NULL, r);
}

/* 1 removed (*out), 0 absent, -1 error */
static int
set_without(SetObject *self, PyObject *key, PyObject **out)
{
    MarchBitmapNode *nr;
    int r = march_root_without(self->root, key, &nr);
    if (r <= 0) {
        return r;
    }
    *out = set_from_root(nr);
    return *out == NULL ? -1 : 1;
}

static PyObject *
set_remove(SetObject *self, PyObject *key)
{
    PyObject *out;
    int r = set_without(self, key, &out);
    if (r > 0) {
        return out;
    }
    if (r == 0) {
        march_key_error(key);
    }
    return NULL;
}

static PyObject *
set_discard(SetObject *self, PyObject *key)
{
    PyObject *out;
    int r = set_without(self, key, &out);
    if (r > 0) {
        return out;
    }
    if (r == 0) {
        Py_INCREF(self);
        return (PyObject *)self;
    }
    return NULL;
}

/* update(*iterables) == union(*iterables) */
static PyObject *
set_update(SetObject *self, PyObject *args)
{
    MarchBitmapNode *r = self->root;
    Py_ssize_t i, n = PyTuple_GET_SIZE(args);
    Py_INCREF(r);
    for (i = 0; i < n; i++) {
        if (root_add_all(&r, PyTuple_GET_ITEM(args, i),
                         march_hamt_new_owner()) < 0) {
            Py_DECREF(r);
            return NULL;
        }
    }
    return set_result((PyObject *)self, n == 1 ? PyTuple_GET_ITEM(args, 0)
                                               : NULL, r);
}

/* intersection(*others), difference(*others) */
static PyObject *
set_fold(SetObject *self, PyObject *args, int op)
{
    MarchBitmapNode *r = self->root;
    Py_ssize_t i, n = PyTuple_GET_SIZE(args);
    Py_INCREF(r);
    for (i = 0; i < n; i++) {
        MarchBitmapNode *o = set_root_of(PyTuple_GET_ITEM(args, i)), *nr;
        if (o == NULL) {
            Py_DECREF(r);
            return NULL;
        }
        nr = root_op(op, r, o);
        Py_DECREF(o);
        Py_DECREF(r);
        if (nr == NULL) {
            return NULL;
        }
        r = nr;
    }
    return set_result((PyObject *)self, n == 1 ? PyTuple_GET_ITEM(args, 0)
                                               : NULL, r);
}

static PyObject *
set_intersection(SetObject *self, PyObject *args)
{
    return set_fold(self, args, OP_INTER);
}

static PyObject *
set_difference(SetObject *self, PyObject *args)
{
    return set_fold(self, args, OP_DIFF);
}

static PyObject *
set_symmetric_difference(SetObject *self, PyObject *other)
{
    MarchBitmapNode *o = set_root_of(other), *r;
    if (o == NULL) {
        return NULL;
    }
    r = root_op(OP_SYMDIFF, self->root, o);
    Py_DECREF(o);
    return set_result((PyObject *)self, other, r);
}

static PyObject *
set_issubset(SetObject *self, PyObject *other)
{
    MarchBitmapNode *o = set_root_of(other);
    int r;
    if (o == NULL) {
        return NULL;
    }
    r = march_hamt_issubset(self->root, o);
    Py_DECREF(o);
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static PyObject *
set_issuperset(SetObject *self, PyObject *other)
{
    MarchBitmapNode *o = set_root_of(other);
    int r;
    if (o == NULL) {
        return NULL;
    }
    r = march_hamt_issubset(o, self->root);
    Py_DECREF(o);
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static PyObject *
set_isdisjoint(SetObject *self, PyObject *other)
{
    MarchBitmapNode *o = set_root_of(other);
    int r;
    if (o == NULL) {
        return NULL;
    }
    r = march_hamt_isdisjoint(self->root, o);
    Py_DECREF(o);
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static PyObject *
set_diff(SetObject *self, PyObject *other)
{
    PyObject *list, *it;
    MarchBitmapNode *a = self->root, *b;
    if (!Set_Check(other)) {
        PyErr_Format(PyExc_TypeError, "Set.diff() needs a Set, not %.200s",
                     Py_TYPE(other)->tp_name);
        return NULL;
    }
    b = ((SetObject *)other)->root;
    list = march_hamt_diff_list(a, b, absent, 1);
    if (list == NULL) {
        return NULL;
    }
    it = PyObject_GetIter(list);
    Py_DECREF(list);
    return it;
}

static PyObject *evolver_new(SetObject *orig);

static PyObject *
set_evolver(SetObject *self, PyObject *Py_UNUSED(ignored))
{
    return evolver_new(self);
}

static PyObject *
set_copy(SetObject *self, PyObject *Py_UNUSED(ignored))
{
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *
set_elements_list(MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *k, *v, *list = PyList_New(0);
    if (list == NULL) {
        return NULL;
    }
    Py_INCREF(root);
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &k, &v)) {
        if (PyList_Append(list, k) < 0) {
            Py_DECREF(root);
            Py_DECREF(list);
            return NULL;
        }
    }
    Py_DECREF(root);
    return list;
}

static PyObject *
set_reduce(SetObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *list = set_elements_list(self->root);
    if (list == NULL) {
        return NULL;
    }
    return Py_BuildValue("O(N)", (PyObject *)&Set_Type, list);
}

/* The invariants of a set's trie: the Map's, and every value None.
 * 0 ok, -1 with AssertionError (or the error of a key's __hash__). */
static int
set_root_check(MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *k, *v;
    if (march_hamt_check(root) < 0) {
        return -1;
    }
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &k, &v)) {
        if (v != Py_None) {
            PyErr_SetString(PyExc_AssertionError,
                            "march.Set invariant: a value is not None");
            return -1;
        }
    }
    return 0;
}

static PyObject *
set_check(SetObject *self, PyObject *Py_UNUSED(ignored))
{
    if (set_root_check(self->root) < 0) {
        return NULL;
    }
    if (PyObject_GC_IsTracked((PyObject *)self->root)
            && !PyObject_GC_IsTracked((PyObject *)self)) {
        PyErr_SetString(PyExc_AssertionError,
                        "march.Set invariant: the root is GC-tracked but the "
                        "set is not");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
set_depth(SetObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(march_hamt_depth(self->root));
}

static PyObject *
set_is_tracked(SetObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyBool_FromLong(PyObject_GC_IsTracked((PyObject *)self));
}

static Py_hash_t
set_hash(SetObject *self)
{
    if (self->hash == -1) {
        self->hash = march_hamt_hash_keys(self->root);
    }
    return self->hash;
}

static PyObject *
set_repr(SetObject *self)
{
    PyObject *list, *body, *res;
    int r;
    if (self->root->count == 0) {
        return PyUnicode_FromString("march.Set()");
    }
    r = Py_ReprEnter((PyObject *)self);
    if (r != 0) {
        return r > 0 ? PyUnicode_FromString("march.Set({...})") : NULL;
    }
    list = set_elements_list(self->root);
    if (list == NULL) {
        Py_ReprLeave((PyObject *)self);
        return NULL;
    }
    body = PyObject_Repr(list);        /* "[a, b]" */
    Py_DECREF(list);
    Py_ReprLeave((PyObject *)self);
    if (body == NULL) {
        return NULL;
    }
    {
        PyObject *inner = PyUnicode_Substring(body, 1,
                                              PyUnicode_GET_LENGTH(body) - 1);
        Py_DECREF(body);
        if (inner == NULL) {
            return NULL;
        }
        res = PyUnicode_FromFormat("march.Set({%U})", inner);
        Py_DECREF(inner);
    }
    return res;
}

static PyObject *
set_richcompare(PyObject *a, PyObject *b, int op)
{
    MarchBitmapNode *ra, *rb;
    int r;
    if (!Set_Check(a)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (Set_Check(b)) {
        rb = ((SetObject *)b)->root;
        Py_INCREF(rb);
    }
    else {
        int is_set = PyObject_IsInstance(b, abc_set);
        if (is_set < 0) {
            return NULL;
        }
        if (!is_set) {
            Py_RETURN_NOTIMPLEMENTED;
        }
        rb = set_root_of(b);
        if (rb == NULL) {
            return NULL;
        }
    }
    ra = ((SetObject *)a)->root;
    Py_INCREF(ra);
    switch (op) {
    case Py_EQ:
    case Py_NE:
        if (ra->count != rb->count) {
            r = 0;
        }
        else if (Set_Check(b) && ((SetObject *)a)->hash != -1
                 && ((SetObject *)b)->hash != -1
                 && ((SetObject *)a)->hash != ((SetObject *)b)->hash) {
            r = 0;
        }
        else {
            r = march_hamt_equal(ra, rb);
        }
        if (r >= 0 && op == Py_NE) {
            r = !r;
        }
        break;
    case Py_LE:
        r = march_hamt_issubset(ra, rb);
        break;
    case Py_LT:
        r = ra->count < rb->count ? march_hamt_issubset(ra, rb) : 0;
        break;
    case Py_GE:
        r = march_hamt_issubset(rb, ra);
        break;
    default:    /* Py_GT */
        r = ra->count > rb->count ? march_hamt_issubset(rb, ra) : 0;
        break;
    }
    Py_DECREF(ra);
    Py_DECREF(rb);
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static PyObject *
set_binop(PyObject *a, PyObject *b, int op)
{
    MarchBitmapNode *ra, *rb, *r;
    int k = operand_root(a, &ra);
    if (k <= 0) {
        if (k == 0) {
            Py_RETURN_NOTIMPLEMENTED;
        }
        return NULL;
    }
    k = operand_root(b, &rb);
    if (k <= 0) {
        Py_DECREF(ra);
        if (k == 0) {
            Py_RETURN_NOTIMPLEMENTED;
        }
        return NULL;
    }
    r = root_op(op, ra, rb);
    Py_DECREF(ra);
    Py_DECREF(rb);
    return set_result(a, b, r);
}

static PyObject *
set_or(PyObject *a, PyObject *b)
{
    return set_binop(a, b, OP_UNION);
}

static PyObject *
set_and(PyObject *a, PyObject *b)
{
    return set_binop(a, b, OP_INTER);
}

static PyObject *
set_sub(PyObject *a, PyObject *b)
{
    return set_binop(a, b, OP_DIFF);
}

static PyObject *
set_xor(PyObject *a, PyObject *b)
{
    return set_binop(a, b, OP_SYMDIFF);
}

static PyMethodDef set_methods[] = {
    {"add", (PyCFunction)set_add, METH_O,
     "add(element) -> a new Set with element (the same set if present)"},
    {"discard", (PyCFunction)set_discard, METH_O,
     "discard(element) -> a new Set without element (the same if absent)"},
    {"remove", (PyCFunction)set_remove, METH_O,
     "remove(element) -> a new Set without element (KeyError if absent)"},
    {"update", (PyCFunction)set_update, METH_VARARGS,
     "update(*iterables) -> a new Set with their elements added"},
    {"union", (PyCFunction)set_update, METH_VARARGS,
     "union(*iterables) -> self | others (structural for Sets)"},
    {"intersection", (PyCFunction)set_intersection, METH_VARARGS,
     "intersection(*iterables) -> self & others"},
    {"difference", (PyCFunction)set_difference, METH_VARARGS,
     "difference(*iterables) -> self - others"},
    {"symmetric_difference", (PyCFunction)set_symmetric_difference, METH_O,
     "symmetric_difference(iterable) -> self ^ other"},
    {"issubset", (PyCFunction)set_issubset, METH_O, NULL},
    {"issuperset", (PyCFunction)set_issuperset, METH_O, NULL},
    {"isdisjoint", (PyCFunction)set_isdisjoint, METH_O, NULL},
    {"diff", (PyCFunction)set_diff, METH_O,
     "diff(other) -> iterator of (element, element, ABSENT) for elements "
     "only in self and (element, ABSENT, element) for those only in other"},
    {"evolver", (PyCFunction)set_evolver, METH_NOARGS,
     "evolver() -> a SetEvolver (a transient)"},
    {"copy", (PyCFunction)set_copy, METH_NOARGS, "the set itself"},
    {"__copy__", (PyCFunction)set_copy, METH_NOARGS, NULL},
    {"__reduce__", (PyCFunction)set_reduce, METH_NOARGS, NULL},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
    {"_check", (PyCFunction)set_check, METH_NOARGS,
     "verify the invariants (AssertionError on a violation)"},
    {"_depth", (PyCFunction)set_depth, METH_NOARGS,
     "height of the trie (0 when empty)"},
    {"_is_gc_tracked", (PyCFunction)set_is_tracked, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PySequenceMethods set_as_sequence = {
    .sq_length = (lenfunc)set_length,
    .sq_contains = (objobjproc)set_contains,
};

static PyNumberMethods set_as_number = {
    .nb_or = set_or,
    .nb_and = set_and,
    .nb_subtract = set_sub,
    .nb_xor = set_xor,
};

static PyTypeObject Set_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.Set",
    .tp_basicsize = sizeof(SetObject),
    .tp_dealloc = (destructor)set_dealloc,
    .tp_repr = (reprfunc)set_repr,
    .tp_as_number = &set_as_number,
    .tp_as_sequence = &set_as_sequence,
    .tp_hash = (hashfunc)set_hash,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Set(iterable=(), /): a persistent hash set (HAMT)\n\n"
              "Set cannot be subclassed (TypeError).",
    .tp_traverse = (traverseproc)set_traverse,
    .tp_clear = (inquiry)set_clear,
    .tp_richcompare = set_richcompare,
    .tp_weaklistoffset = offsetof(SetObject, weakreflist),
    .tp_iter = (getiterfunc)set_iter,
    .tp_methods = set_methods,
    .tp_new = set_tp_new,
    .tp_free = PyObject_GC_Del,
};

/* ------------------------------------------------------------------ */
/* SetEvolver                                                          */

static PyObject *
evolver_new(SetObject *orig)
{
    EvolverObject *e = PyObject_GC_New(EvolverObject, &SetEvolver_Type);
    if (e == NULL) {
        return NULL;
    }
    Py_INCREF(orig->root);
    e->root = orig->root;
    Py_INCREF(orig);
    e->orig = orig;
    e->owner = march_hamt_new_owner();
    e->busy = 0;
    e->weakreflist = NULL;
    PyObject_GC_Track(e);
    return (PyObject *)e;
}

static int
evolver_traverse(EvolverObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->root);
    Py_VISIT(self->orig);
    return 0;
}

static int
evolver_clear(EvolverObject *self)
{
    MarchBitmapNode *old = self->root;
    self->root = march_hamt_empty();
    Py_XDECREF(old);
    Py_CLEAR(self->orig);
    return 0;
}

static void
evolver_dealloc(EvolverObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, evolver_dealloc)
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    Py_CLEAR(self->root);
    Py_CLEAR(self->orig);
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

static int
evolver_writable(EvolverObject *self)
{
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "SetEvolver changed while one of its operations was "
                        "in progress (from an element's __eq__?)");
        return -1;
    }
    return 0;
}

static PyObject *
evolver_add(EvolverObject *self, PyObject *key)
{
    uint64_t h;
    int added;
    MarchBitmapNode *nr;
    if (evolver_writable(self) < 0 || march_hamt_hash(key, &h) < 0
            || evolver_writable(self) < 0) {
        return NULL;
    }
    self->busy++;
    nr = march_hamt_assoc(self->root, key, h, Py_None, self->owner, &added);
    self->busy--;
    if (nr == NULL) {
        return NULL;
    }
    Py_SETREF(self->root, nr);
    Py_INCREF(self);
    return (PyObject *)self;
}

/* 1 removed, 0 absent, -1 error */
static int
evolver_without(EvolverObject *self, PyObject *key)
{
    uint64_t h;
    int found;
    MarchBitmapNode *nr;
    if (evolver_writable(self) < 0 || march_hamt_hash(key, &h) < 0
            || evolver_writable(self) < 0) {
        return -1;
    }
    self->busy++;
    nr = march_hamt_without(self->root, key, h, self->owner, &found);
    self->busy--;
    if (nr == NULL) {
        return -1;
    }
    Py_SETREF(self->root, nr);
    return found;
}

static PyObject *
evolver_discard(EvolverObject *self, PyObject *key)
{
    if (evolver_without(self, key) < 0) {
        return NULL;
    }
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *
evolver_remove(EvolverObject *self, PyObject *key)
{
    int r = evolver_without(self, key);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        march_key_error(key);
        return NULL;
    }
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *
evolver_is_dirty(EvolverObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyBool_FromLong(self->orig == NULL
                           || self->root != self->orig->root);
}

static PyObject *
evolver_persistent(EvolverObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *s;
    if (evolver_writable(self) < 0) {
        return NULL;
    }
    if (self->orig != NULL && self->root == self->orig->root) {
        Py_INCREF(self->orig);
        return (PyObject *)self->orig;
    }
    /* the allocation may run a collection, hence finalizers and
     * gc.callbacks: `busy` keeps them from editing the root being handed
     * over (in place, or by replacing it: the edit would be lost below) */
    Py_INCREF(self->root);
    self->busy++;
    s = set_from_root(self->root);
    self->busy--;
    if (s == NULL) {
        return NULL;
    }
    /* an emptied evolver gets the shared empty Set, whose root differs
       from ours: adopt it, so that is_dirty() is false again */
    if (((SetObject *)s)->root != self->root) {
        Py_INCREF(((SetObject *)s)->root);
        Py_SETREF(self->root, ((SetObject *)s)->root);
    }
    /* the new Set shares our nodes: never edit them again */
    self->owner = march_hamt_new_owner();
    Py_INCREF(s);
    Py_XSETREF(self->orig, (SetObject *)s);
    return s;
}

static Py_ssize_t
evolver_length(EvolverObject *self)
{
    return self->root->count;
}

static int
evolver_contains(EvolverObject *self, PyObject *key)
{
    uint64_t h;
    PyObject *v;
    int r;
    if (march_hamt_hash(key, &h) < 0) {
        return -1;
    }
    self->busy++;
    r = march_hamt_find(self->root, key, h, &v);
    self->busy--;
    return r;
}

static PyObject *
evolver_reduce(EvolverObject *self, PyObject *Py_UNUSED(ignored))
{
    (void)self;
    PyErr_SetString(PyExc_TypeError, "cannot pickle 'SetEvolver' object");
    return NULL;
}

/* SetEvolver._check(): the Set's invariants on the current root; busy and
 * the root owned while the check hashes the elements again (user code). */
static PyObject *
evolver_check(EvolverObject *self, PyObject *Py_UNUSED(ignored))
{
    MarchBitmapNode *root = self->root;
    int rc;
    Py_INCREF(root);
    self->busy++;
    rc = set_root_check(root);
    self->busy--;
    Py_DECREF(root);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef evolver_methods[] = {
    {"add", (PyCFunction)evolver_add, METH_O, "add(element) -> self"},
    {"discard", (PyCFunction)evolver_discard, METH_O,
     "discard(element) -> self"},
    {"remove", (PyCFunction)evolver_remove, METH_O,
     "remove(element) -> self (KeyError if absent)"},
    {"is_dirty", (PyCFunction)evolver_is_dirty, METH_NOARGS,
     "whether it differs from the last persistent Set"},
    {"persistent", (PyCFunction)evolver_persistent, METH_NOARGS,
     "persistent() -> a Set of the current elements"},
    {"__reduce__", (PyCFunction)evolver_reduce, METH_NOARGS, NULL},
    {"_check", (PyCFunction)evolver_check, METH_NOARGS,
     "_check(): verify the trie's invariants (AssertionError on a violation)"},
    {NULL, NULL, 0, NULL}
};

static PySequenceMethods evolver_as_sequence = {
    .sq_length = (lenfunc)evolver_length,
    .sq_contains = (objobjproc)evolver_contains,
};

static PyTypeObject SetEvolver_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.SetEvolver",
    .tp_basicsize = sizeof(EvolverObject),
    .tp_dealloc = (destructor)evolver_dealloc,
    .tp_as_sequence = &evolver_as_sequence,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "a transient over a Set (Set.evolver())\n\n"
              "While one of its operations walks the trie (an element's "
              "__eq__, a finalizer run by a collection), any change or "
              "persistent() raises RuntimeError; an element's __hash__ runs "
              "before the walk, and each edit checks again after it.  "
              "SetEvolver cannot be subclassed, pickled or copied "
              "(TypeError).",
    .tp_traverse = (traverseproc)evolver_traverse,
    .tp_clear = (inquiry)evolver_clear,
    .tp_weaklistoffset = offsetof(EvolverObject, weakreflist),
    .tp_methods = evolver_methods,
};

/* ------------------------------------------------------------------ */
/* ABSENT                                                              */

static PyObject *
absent_repr(PyObject *Py_UNUSED(self))
{
    return PyUnicode_FromString("march.ABSENT");
}

static PyObject *
absent_reduce(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(ignored))
{
    return PyUnicode_FromString("ABSENT");
}

static PyMethodDef absent_methods[] = {
    {"__reduce__", (PyCFunction)absent_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject Absent_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt._AbsentType",
    .tp_basicsize = sizeof(PyObject),
    .tp_repr = absent_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "the type of ABSENT, diff()'s marker of a missing side",
    .tp_methods = absent_methods,
};

/* ------------------------------------------------------------------ */
/* the Map algebra                                                     */

static PyObject *
map_result(MapObject *self, MarchBitmapNode *r)
{
    if (r == NULL) {
        return NULL;
    }
    if (r == self->root) {
        Py_DECREF(r);
        Py_INCREF(self);
        return (PyObject *)self;
    }
    return (PyObject *)map_from_root(&Map_Type, r);
}

static int
check_combine(PyObject *combine)
{
    if (combine != Py_None && !PyCallable_Check(combine)) {
        PyErr_Format(PyExc_TypeError, "combine must be callable or None, "
                     "not %.200s", Py_TYPE(combine)->tp_name);
        return -1;
    }
    return 0;
}

/* a new reference to the root of a Map for `other` (union, symmetric
 * difference: values needed) */
static MarchBitmapNode *
map_root_of(PyObject *other, const char *meth)
{
    MarchBitmapNode *r;
    PyObject *m;
    if (MapObj_Check(other)) {
        r = ((MapObject *)other)->root;
        Py_INCREF(r);
        return r;
    }
    if (Set_Check(other)) {
        PyErr_Format(PyExc_TypeError, "Map.%s() needs a Map or a mapping, "
                     "not a Set", meth);
        return NULL;
    }
    m = PyObject_CallOneArg((PyObject *)&Map_Type, other);
    if (m == NULL) {
        return NULL;
    }
    r = ((MapObject *)m)->root;
    Py_INCREF(r);
    Py_DECREF(m);
    return r;
}

/* a new reference to a root whose keys are those of `other` (intersection,
 * difference): a Map or Set as is, a mapping made into a Map, another
 * iterable into a Set */
static MarchBitmapNode *
keys_root_of(PyObject *other, const char *meth)
{
    int r;
    if (MapObj_Check(other) || Set_Check(other)) {
        MarchBitmapNode *root = ((MapObject *)other)->root;
        Py_INCREF(root);
        return root;
    }
    r = PyObject_IsInstance(other, abc_mapping_);
    if (r < 0) {
        return NULL;
    }
    if (r) {
        return map_root_of(other, meth);
    }
    return set_root_of(other);
}

PyObject *
march_map_union(MapObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"", "combine", NULL};
    PyObject *other, *combine = Py_None;
    MarchBitmapNode *a, *b, *r;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:union", kwlist,
                                     &other, &combine)
            || check_combine(combine) < 0) {
        return NULL;
    }
    b = map_root_of(other, "union");
    if (b == NULL) {
        return NULL;
    }
    a = self->root;
    Py_INCREF(a);
    r = march_hamt_union(a, b, combine, march_hamt_new_owner(), 1);
    Py_DECREF(a);
    Py_DECREF(b);
    return map_result(self, r);
}

PyObject *
march_map_intersection(MapObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"", "combine", NULL};
    PyObject *other, *combine = Py_None;
    MarchBitmapNode *a, *b, *r;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:intersection", kwlist,
                                     &other, &combine)
            || check_combine(combine) < 0) {
        return NULL;
    }
    b = keys_root_of(other, "intersection");
    if (b == NULL) {
        return NULL;
    }
    a = self->root;
    Py_INCREF(a);
    r = march_hamt_intersection(a, b, combine, march_hamt_new_owner());
    Py_DECREF(a);
    Py_DECREF(b);
    return map_result(self, r);
}

PyObject *
march_map_difference(MapObject *self, PyObject *other)
{
    MarchBitmapNode *a, *b, *r;
    b = keys_root_of(other, "difference");
    if (b == NULL) {
        return NULL;
    }
    a = self->root;
    Py_INCREF(a);
    r = march_hamt_difference(a, b, march_hamt_new_owner());
    Py_DECREF(a);
    Py_DECREF(b);
    return map_result(self, r);
}

PyObject *
march_map_symmetric_difference(MapObject *self, PyObject *other)
{
    MarchBitmapNode *a, *b, *r;
    b = map_root_of(other, "symmetric_difference");
    if (b == NULL) {
        return NULL;
    }
    a = self->root;
    Py_INCREF(a);
    r = march_hamt_symmetric_difference(a, b, march_hamt_new_owner());
    Py_DECREF(a);
    Py_DECREF(b);
    return map_result(self, r);
}

PyObject *
march_map_diff(MapObject *self, PyObject *other)
{
    PyObject *list, *it;
    MarchBitmapNode *a, *b;
    if (!MapObj_Check(other)) {
        PyErr_Format(PyExc_TypeError, "Map.diff() needs a Map, not %.200s",
                     Py_TYPE(other)->tp_name);
        return NULL;
    }
    a = self->root;
    b = ((MapObject *)other)->root;
    list = march_hamt_diff_list(a, b, absent, 0);
    if (list == NULL) {
        return NULL;
    }
    it = PyObject_GetIter(list);
    Py_DECREF(list);
    return it;
}

int
march_map_update_from_map(MarchBitmapNode **root, MapObject *other,
                          uint64_t owner)
{
    MarchBitmapNode *r, *b = other->root;
    if ((*root)->owner == owner) {
        /* the walk must not read nodes it edits */
        owner = march_hamt_new_owner();
    }
    Py_INCREF(b);
    r = march_hamt_union(*root, b, NULL, owner, 1);
    Py_DECREF(b);
    if (r == NULL) {
        return -1;
    }
    Py_SETREF(*root, r);
    return 0;
}

PyObject *
march_map_from_keys(PyObject *cls, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"", "value", NULL};
    PyObject *iterable, *value = Py_None, *it, *item;
    MarchBitmapNode *r;
    uint64_t owner = march_hamt_new_owner();
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:from_keys", kwlist,
                                     &iterable, &value)) {
        return NULL;
    }
    it = PyObject_GetIter(iterable);
    if (it == NULL) {
        return NULL;
    }
    r = march_hamt_empty();
    while ((item = PyIter_Next(it)) != NULL) {
        uint64_t h;
        int added;
        MarchBitmapNode *nr = NULL;
        if (march_hamt_hash(item, &h) == 0) {
            nr = march_hamt_assoc(r, item, h, value, owner, &added);
        }
        Py_DECREF(item);
        if (nr == NULL) {
            Py_DECREF(it);
            Py_DECREF(r);
            return NULL;
        }
        Py_SETREF(r, nr);
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        Py_DECREF(r);
        return NULL;
    }
    return (PyObject *)map_from_root((PyTypeObject *)cls, r);
}

/* filter (fn = pred(key, value): keep when true) or map_values (fn(value)) */
static PyObject *
map_transform(MapObject *self, PyObject *fn, int filter)
{
    MarchHamtIter it;
    PyObject *k, *v;
    MarchBitmapNode *src = self->root, *r = self->root;
    uint64_t owner = march_hamt_new_owner();
    Py_INCREF(src);
    Py_INCREF(r);
    march_hamt_iter_init(&it, src);
    while (march_hamt_iter_next(&it, &k, &v)) {
        PyObject *res;
        MarchBitmapNode *nr;
        uint64_t h;
        int found;
        /* the callback may drop the last other reference to k or v */
        Py_INCREF(k);
        Py_INCREF(v);
        if (filter) {
            res = PyObject_CallFunctionObjArgs(fn, k, v, NULL);
        }
        else {
            res = PyObject_CallOneArg(fn, v);
        }
        if (res == NULL) {
            goto fail;
        }
        if (filter) {
            int t = PyObject_IsTrue(res);
            Py_DECREF(res);
            if (t < 0) {
                goto fail;
            }
            if (t) {
                Py_DECREF(k);
                Py_DECREF(v);
                continue;
            }
            nr = march_hamt_hash(k, &h) < 0 ? NULL
                : march_hamt_without(r, k, h, owner, &found);
        }
        else {
            int added;
            nr = march_hamt_hash(k, &h) < 0 ? NULL
                : march_hamt_assoc(r, k, h, res, owner, &added);
            Py_DECREF(res);
        }
        if (nr == NULL) {
            goto fail;
        }
        Py_SETREF(r, nr);
        Py_DECREF(k);
        Py_DECREF(v);
    }
    Py_DECREF(src);
    return map_result(self, r);
fail:
    Py_DECREF(k);
    Py_DECREF(v);
    Py_DECREF(src);
    Py_DECREF(r);
    return NULL;
}

PyObject *
march_map_filter(MapObject *self, PyObject *pred)
{
    return map_transform(self, pred, 1);
}

PyObject *
march_map_map_values(MapObject *self, PyObject *fn)
{
    return map_transform(self, fn, 0);
}

/* ------------------------------------------------------------------ */
/* registration                                                        */

static PyObject *
walk_visits(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSsize_t(march_hamt_walk_visits);
}

static PyMethodDef s_def = {
    "s", (PyCFunction)march_s, METH_VARARGS,
    "s(*elements) -> a Set of the elements"
};

static PyMethodDef walk_visits_def = {
    "_walk_visits", (PyCFunction)walk_visits, METH_NOARGS,
    "nodes and entries visited by the structural walks so far (debugging)"
};

static int
add_function(PyObject *module, PyMethodDef *def)
{
    PyObject *name = PyModule_GetNameObject(module), *f;
    int r;
    if (name == NULL) {
        return -1;
    }
    f = PyCFunction_NewEx(def, NULL, name);
    Py_DECREF(name);
    if (f == NULL) {
        return -1;
    }
    r = PyModule_AddObjectRef(module, def->ml_name, f);
    Py_DECREF(f);
    return r;
}

int
march_set_register(PyObject *module)
{
    if (PyType_Ready(&Set_Type) < 0 || PyType_Ready(&SetEvolver_Type) < 0
            || PyType_Ready(&Absent_Type) < 0) {
        return -1;
    }
    if (absent == NULL) {
        PyObject *abc, *r;
        absent = PyObject_New(PyObject, &Absent_Type);
        if (absent == NULL) {
            return -1;
        }
        abc = PyImport_ImportModule("collections.abc");
        if (abc == NULL) {
            return -1;
        }
        abc_mapping_ = PyObject_GetAttrString(abc, "Mapping");
        abc_set = PyObject_GetAttrString(abc, "Set");
        Py_DECREF(abc);
        if (abc_mapping_ == NULL || abc_set == NULL) {
            return -1;
        }
        r = PyObject_CallMethod(abc_set, "register", "O",
                                (PyObject *)&Set_Type);
        if (r == NULL) {
            return -1;
        }
        Py_DECREF(r);
    }
    if (PyModule_AddObjectRef(module, "Set", (PyObject *)&Set_Type) < 0
            || PyModule_AddObjectRef(module, "SetEvolver",
                                     (PyObject *)&SetEvolver_Type) < 0
            || PyModule_AddObjectRef(module, "ABSENT", absent) < 0
            || add_function(module, &s_def) < 0
            || add_function(module, &walk_visits_def) < 0) {
        return -1;
    }
    return 0;
}
