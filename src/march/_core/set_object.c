/*
 * set_object.c -- the Python types of march.Set (module march._hamt): Set,
 * SetEvolver and the module function s().  The algorithms are the Map's
 * (hamt.c, hamt_walk.c); the glue Set shares with Map (slots, debugging
 * methods, building roots, the iterator, ABSENT) is in hamt_object.c.
 *
 *   Set         {root, cached hash, weakreflist}: the layout of a Map; a
 *               HAMT whose values are all None, so it shares every node
 *               algorithm of the Map (hamt.c) and the algebra (hamt_walk.c),
 *               and a Map and a Set can be intersected/differenced by node.
 *               GC-tracked only when its root is.  hash(s) is frozenset's
 *               hash of the same elements.  A drop-in for pyrsistent's PSet,
 *               registered as a collections.abc.Set.  Subclassable: every
 *               derivation of a subclass instance is an instance of its
 *               type (set_from_root_as); a subclass instance is always
 *               GC-tracked (tp_alloc), and only the exact Set has the
 *               shared empty Set.
 *   SetEvolver  {root, owner, busy, weakreflist, orig}: a transient over a
 *               Set (hamt_object.h; like MapMutation, but persistent() --
 *               or finish() -- may be called many times: it retires the
 *               owner id each time, so the returned Set is never edited
 *               afterwards; it is of the type of its source Set, `orig`).
 *               Not subclassable.
 *
 * Operands: the Set operators (| & - ^ and comparisons) take a Set
 * structurally; any other iterable (operators: any iterable, as PSet; the
 * comparisons: any collections.abc.Set) is first made into a Set.
 *
 * Every multi-step operation takes a fresh owner id per structural step:
 * the walk of hamt_walk.c reads its inputs while it edits the result in
 * place, so an input must hold no node of the result's owner.
 *
 * May include: hamt_object.h (hamt_walk.h, hamt_check.h, hamt.h,
 * hamt_node.h, common.h), docstrings.h (generated, a leaf).
 */
#include "hamt_object.h"
#include "docstrings.h"
#include <stddef.h>

typedef MarchHamtObject SetObject;
typedef MarchHamtTransient EvolverObject;

static PyTypeObject Set_Type;
static PyTypeObject SetEvolver_Type;

static PyObject *set_abc_set = NULL;    /* collections.abc.Set */

/* a Set or a subclass instance: the layout of a Set */
#define Set_Check(o) PyObject_TypeCheck((o), &Set_Type)
#define Set_CheckExact(o) Py_IS_TYPE((o), &Set_Type)

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* The empty exact Set is a singleton (as pyrsistent's `s() is pset()`):
 * every empty result of the exact type is this object (a subclass gets a
 * new instance of its own). */
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
    march_hamt_object_init(s, root, 1);
    if (root->count == 0) {
        empty_set = (SetObject *)Py_NewRef((PyObject *)s); /* kept for good */
    }
    return (PyObject *)s;
}

/* a new Set of `type` (Set or a subclass) over `root` (stolen): the exact
 * Set by set_from_root, a subclass instance by its tp_alloc (which
 * GC-tracks it: its __dict__ may hold anything) */
static PyObject *
set_from_root_as(PyTypeObject *type, MarchBitmapNode *root)
{
    SetObject *s;
    if (type == &Set_Type) {
        return set_from_root(root);
    }
    s = (SetObject *)type->tp_alloc(type, 0);
    if (s == NULL) {
        Py_DECREF(root);
        return NULL;
    }
    march_hamt_object_init(s, root, 0);
    return (PyObject *)s;
}

/* For the operators: 1 *root set, 0 not iterable (NotImplemented),
 * -1 error */
static int
set_operand_root(PyObject *o, MarchBitmapNode **root)
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
    *root = march_hamt_node_empty_root();
    if (march_hamt_object_add_all(root, it,
                                  march_hamt_node_new_owner()) < 0) {
        Py_DECREF(it);
        Py_CLEAR(*root);
        return -1;
    }
    Py_DECREF(it);
    return 1;
}

/* the Set of `type` for a result root (stolen): self or other when
 * unchanged and of that very type */
static PyObject *
set_result(PyTypeObject *type, PyObject *self, PyObject *other,
           MarchBitmapNode *r)
{
    if (r == NULL) {
        return NULL;
    }
    if (self != NULL && Py_IS_TYPE(self, type)
            && r == ((SetObject *)self)->root) {
        Py_DECREF(r);
        Py_INCREF(self);
        return self;
    }
    if (other != NULL && Py_IS_TYPE(other, type)
            && r == ((SetObject *)other)->root) {
        Py_DECREF(r);
        Py_INCREF(other);
        return other;
    }
    return set_from_root_as(type, r);
}

/* ------------------------------------------------------------------ */
/* Set                                                                 */

static PyObject *
set_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *col = NULL;
    MarchBitmapNode *r;
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        PyErr_SetString(PyExc_TypeError, "Set() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "Set", 0, 1, &col)) {
        return NULL;
    }
    if (col == NULL) {
        return set_from_root_as(type, march_hamt_node_empty_root());
    }
    if (type == &Set_Type && Set_CheckExact(col)) {
        Py_INCREF(col);
        return col;
    }
    if (Set_Check(col)) {
        /* O(1): a new object of `type` sharing the root */
        SetObject *src = (SetObject *)col;
        PyObject *res;
        Py_INCREF(src->root);
        res = set_from_root_as(type, src->root);
        if (res != NULL) {
            Py_hash_t h = MARCH_ATOMIC_LOAD_SSIZE(&src->hash);
            if (h != -1) {
                MARCH_ATOMIC_STORE_SSIZE(&((SetObject *)res)->hash, h);
            }
        }
        return res;
    }
    r = march_hamt_object_set_root(col);
    if (r == NULL) {
        return NULL;
    }
    return set_from_root_as(type, r);
}

static PyObject *
set_s(PyObject *Py_UNUSED(module), PyObject *args)
{
    MarchBitmapNode *r = march_hamt_node_empty_root();
    Py_ssize_t i, n = PyTuple_GET_SIZE(args);
    uint64_t owner = march_hamt_node_new_owner();
    for (i = 0; i < n; i++) {
        if (march_hamt_root_assoc(&r, PyTuple_GET_ITEM(args, i), NULL,
                                  Py_None, owner) < 0) {
            Py_DECREF(r);
            return NULL;
        }
    }
    return set_from_root(r);
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
    return march_hamt_iterator_new(self->root, MARCH_HAMT_ITER_KEYS);
}

static PyObject *
set_add(SetObject *self, PyObject *key)
{
    MarchBitmapNode *r = self->root;
    Py_INCREF(r);
    if (march_hamt_root_assoc(&r, key, NULL, Py_None, 0) < 0) {
        Py_DECREF(r);
        return NULL;
    }
    return set_result(Py_TYPE(self), (PyObject *)self, NULL, r);
}

static PyObject *
set_remove(PyObject *self, PyObject *key)
{
    return march_hamt_object_without(self, key, set_from_root_as, 1);
}

static PyObject *
set_discard(PyObject *self, PyObject *key)
{
    return march_hamt_object_without(self, key, set_from_root_as, 0);
}

/* update(*iterables) == union(*iterables) */
static PyObject *
set_update(SetObject *self, PyObject *args)
{
    MarchBitmapNode *r = self->root;
    Py_ssize_t i, n = PyTuple_GET_SIZE(args);
    Py_INCREF(r);
    for (i = 0; i < n; i++) {
        if (march_hamt_object_add_all(&r, PyTuple_GET_ITEM(args, i),
                                      march_hamt_node_new_owner()) < 0) {
            Py_DECREF(r);
            return NULL;
        }
    }
    return set_result(Py_TYPE(self), (PyObject *)self,
                      n == 1 ? PyTuple_GET_ITEM(args, 0) : NULL, r);
}

/* intersection(*others), difference(*others) */
static PyObject *
set_fold(SetObject *self, PyObject *args, int op)
{
    MarchBitmapNode *r = self->root;
    Py_ssize_t i, n = PyTuple_GET_SIZE(args);
    Py_INCREF(r);
    for (i = 0; i < n; i++) {
        MarchBitmapNode *nr, *o;
        o = march_hamt_object_set_root(PyTuple_GET_ITEM(args, i));
        if (o == NULL) {
            Py_DECREF(r);
            return NULL;
        }
        nr = march_hamt_object_algebra(op, r, o, NULL, 0);
        Py_DECREF(o);
        Py_DECREF(r);
        if (nr == NULL) {
            return NULL;
        }
        r = nr;
    }
    return set_result(Py_TYPE(self), (PyObject *)self,
                      n == 1 ? PyTuple_GET_ITEM(args, 0) : NULL, r);
}

static PyObject *
set_intersection(SetObject *self, PyObject *args)
{
    return set_fold(self, args, MARCH_HAMT_OP_INTERSECTION);
}

static PyObject *
set_difference(SetObject *self, PyObject *args)
{
    return set_fold(self, args, MARCH_HAMT_OP_DIFFERENCE);
}

static PyObject *
set_symmetric_difference(SetObject *self, PyObject *other)
{
    MarchBitmapNode *o = march_hamt_object_set_root(other), *r;
    if (o == NULL) {
        return NULL;
    }
    r = march_hamt_object_algebra(MARCH_HAMT_OP_SYMMETRIC_DIFFERENCE,
                                  self->root, o, NULL, 0);
    Py_DECREF(o);
    return set_result(Py_TYPE(self), (PyObject *)self, other, r);
}

enum { SET_SUBSET, SET_SUPERSET, SET_DISJOINT };

/* issubset(other), issuperset(other), isdisjoint(other) */
static PyObject *
set_predicate(SetObject *self, PyObject *other, int kind)
{
    MarchBitmapNode *o = march_hamt_object_set_root(other);
    int r;
    if (o == NULL) {
        return NULL;
    }
    switch (kind) {
    case SET_SUBSET:
        r = march_hamt_issubset(self->root, o);
        break;
    case SET_SUPERSET:
        r = march_hamt_issubset(o, self->root);
        break;
    default:
        r = march_hamt_isdisjoint(self->root, o);
        break;
    }
    Py_DECREF(o);
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static PyObject *
set_issubset(SetObject *self, PyObject *other)
{
    return set_predicate(self, other, SET_SUBSET);
}

static PyObject *
set_issuperset(SetObject *self, PyObject *other)
{
    return set_predicate(self, other, SET_SUPERSET);
}

static PyObject *
set_isdisjoint(SetObject *self, PyObject *other)
{
    return set_predicate(self, other, SET_DISJOINT);
}

static PyObject *
set_diff(SetObject *self, PyObject *other)
{
    if (!Set_Check(other)) {
        PyErr_Format(PyExc_TypeError, "Set.diff() needs a Set, not %.200s",
                     Py_TYPE(other)->tp_name);
        return NULL;
    }
    return march_hamt_object_diff(self->root, MARCH_HAMT_ROOT(other), 1);
}

static PyObject *setevolver_new(SetObject *orig);

/* evolver() and mutate() */
static PyObject *
set_evolver(SetObject *self, PyObject *Py_UNUSED(ignored))
{
    return setevolver_new(self);
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
    if (!Set_CheckExact(self)) {
        return march_reduce_subclass((PyObject *)self,
                                     Py_BuildValue("(N)", list));
    }
    return Py_BuildValue("O(N)", (PyObject *)Py_TYPE(self), list);
}

static Py_hash_t
set_hash(SetObject *self)
{
    /* read and written atomically: see map_hash */
    Py_hash_t h = MARCH_ATOMIC_LOAD_SSIZE(&self->hash);
    if (h == -1) {
        h = march_hamt_hash_keys(self->root);
        MARCH_ATOMIC_STORE_SSIZE(&self->hash, h);
    }
    return h;
}

static PyObject *
set_repr(SetObject *self)
{
    PyObject *list, *body, *res, *name;
    int r;
    name = march_repr_name((PyObject *)self, &Set_Type, "march.Set");
    if (name == NULL) {
        return NULL;
    }
    if (self->root->count == 0) {
        res = PyUnicode_FromFormat("%S()", name);
        Py_DECREF(name);
        return res;
    }
    r = Py_ReprEnter((PyObject *)self);
    if (r != 0) {
        res = r > 0 ? PyUnicode_FromFormat("%S({...})", name) : NULL;
        Py_DECREF(name);
        return res;
    }
    list = set_elements_list(self->root);
    if (list == NULL) {
        Py_ReprLeave((PyObject *)self);
        Py_DECREF(name);
        return NULL;
    }
    /* counted as well as the list's repr: see map_entries_repr */
    if (Py_EnterRecursiveCall(" while getting the repr of a march.Set")) {
        Py_DECREF(list);
        Py_ReprLeave((PyObject *)self);
        Py_DECREF(name);
        return NULL;
    }
    body = PyObject_Repr(list);        /* "[a, b]" */
    Py_LeaveRecursiveCall();
    Py_DECREF(list);
    Py_ReprLeave((PyObject *)self);
    if (body == NULL) {
        Py_DECREF(name);
        return NULL;
    }
    {
        PyObject *inner = PyUnicode_Substring(body, 1,
                                              PyUnicode_GET_LENGTH(body) - 1);
        Py_DECREF(body);
        if (inner == NULL) {
            Py_DECREF(name);
            return NULL;
        }
        res = PyUnicode_FromFormat("%S({%U})", name, inner);
        Py_DECREF(inner);
    }
    Py_DECREF(name);
    return res;
}

static PyObject *
set_richcompare(PyObject *a, PyObject *b, int op)
{
    MarchBitmapNode *ra, *rb;
    Py_hash_t ha, hb;
    int r;
    if (!Set_Check(a)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (Set_Check(b)) {
        rb = ((SetObject *)b)->root;
        Py_INCREF(rb);
    }
    else {
        int is_set = PyObject_IsInstance(b, set_abc_set);
        if (is_set < 0) {
            return NULL;
        }
        if (!is_set) {
            Py_RETURN_NOTIMPLEMENTED;
        }
        rb = march_hamt_object_set_root(b);
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
        else if (Set_Check(b)
                 && (ha = MARCH_ATOMIC_LOAD_SSIZE(&((SetObject *)a)->hash)) != -1
                 && (hb = MARCH_ATOMIC_LOAD_SSIZE(&((SetObject *)b)->hash)) != -1
                 && ha != hb) {
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
    int k = set_operand_root(a, &ra);
    if (k <= 0) {
        if (k == 0) {
            Py_RETURN_NOTIMPLEMENTED;
        }
        return NULL;
    }
    k = set_operand_root(b, &rb);
    if (k <= 0) {
        Py_DECREF(ra);
        if (k == 0) {
            Py_RETURN_NOTIMPLEMENTED;
        }
        return NULL;
    }
    r = march_hamt_object_algebra(op, ra, rb, NULL, 0);
    Py_DECREF(ra);
    Py_DECREF(rb);
    /* the type of the left operand, or of the right one when reflected
     * (the slot runs only when one of them is a Set) */
    return set_result(Set_Check(a) ? Py_TYPE(a) : Py_TYPE(b), a, b, r);
}

static PyObject *
set_or(PyObject *a, PyObject *b)
{
    return set_binop(a, b, MARCH_HAMT_OP_UNION);
}

static PyObject *
set_and(PyObject *a, PyObject *b)
{
    return set_binop(a, b, MARCH_HAMT_OP_INTERSECTION);
}

static PyObject *
set_sub(PyObject *a, PyObject *b)
{
    return set_binop(a, b, MARCH_HAMT_OP_DIFFERENCE);
}

static PyObject *
set_xor(PyObject *a, PyObject *b)
{
    return set_binop(a, b, MARCH_HAMT_OP_SYMMETRIC_DIFFERENCE);
}

static PyMethodDef set_methods[] = {
    {"add", (PyCFunction)set_add, METH_O, MARCH_DOC_Set_add},
    {"discard", set_discard, METH_O, MARCH_DOC_Set_discard},
    {"remove", set_remove, METH_O, MARCH_DOC_Set_remove},
    /* one C function, two names (PSet's update, set's union): each name
     * has its own text */
    {"update", (PyCFunction)set_update, METH_VARARGS, MARCH_DOC_Set_update},
    {"union", (PyCFunction)set_update, METH_VARARGS, MARCH_DOC_Set_union},
    {"intersection", (PyCFunction)set_intersection, METH_VARARGS,
     MARCH_DOC_Set_intersection},
    {"difference", (PyCFunction)set_difference, METH_VARARGS,
     MARCH_DOC_Set_difference},
    {"symmetric_difference", (PyCFunction)set_symmetric_difference, METH_O,
     MARCH_DOC_Set_symmetric_difference},
    {"issubset", (PyCFunction)set_issubset, METH_O, MARCH_DOC_Set_issubset},
    {"issuperset", (PyCFunction)set_issuperset, METH_O,
     MARCH_DOC_Set_issuperset},
    {"isdisjoint", (PyCFunction)set_isdisjoint, METH_O,
     MARCH_DOC_Set_isdisjoint},
    {"diff", (PyCFunction)set_diff, METH_O, MARCH_DOC_Set_diff},
    /* one C function, two names: each name has its own text */
    {"evolver", (PyCFunction)set_evolver, METH_NOARGS, MARCH_DOC_Set_evolver},
    {"mutate", (PyCFunction)set_evolver, METH_NOARGS, MARCH_DOC_Set_mutate},
    {"copy", (PyCFunction)set_copy, METH_NOARGS, MARCH_DOC_Set_copy},
    {"__copy__", (PyCFunction)set_copy, METH_NOARGS, NULL},
    {"__reduce__", (PyCFunction)set_reduce, METH_NOARGS, NULL},
    MARCH_HAMT_PERSISTENT_METHODS,
    {NULL, NULL, 0, NULL}
};

static PySequenceMethods set_as_sequence = {
    .sq_length = march_hamt_object_length,
    .sq_contains = (objobjproc)set_contains,
};

static PyNumberMethods set_as_number = {
    .nb_or = set_or,
    .nb_and = set_and,
    .nb_subtract = set_sub,
    .nb_xor = set_xor,
};

/* The docstrings are written once, for C and twin, in
 * src/march/_docstrings.py (-> docstrings.h, tools/gen_docstrings.py). */
static PyTypeObject Set_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.Set",
    .tp_basicsize = sizeof(SetObject),
    .tp_dealloc = march_hamt_object_dealloc,
    .tp_repr = (reprfunc)set_repr,
    .tp_as_number = &set_as_number,
    .tp_as_sequence = &set_as_sequence,
    .tp_hash = (hashfunc)set_hash,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .tp_doc = MARCH_DOC_Set,
    .tp_traverse = march_hamt_object_traverse,
    .tp_clear = march_hamt_object_clear,
    .tp_richcompare = set_richcompare,
    .tp_weaklistoffset = offsetof(SetObject, weakreflist),
    .tp_iter = (getiterfunc)set_iter,
    .tp_methods = set_methods,
    .tp_new = set_new,
    .tp_free = PyObject_GC_Del,
};

/* ------------------------------------------------------------------ */
/* SetEvolver                                                          */

static PyObject *
setevolver_new(SetObject *orig)
{
    return march_hamt_transient_new(&SetEvolver_Type, orig->root, orig);
}

#define SETEVOLVER(o) ((EvolverObject *)(o))

static PyObject *
setevolver_add(PyObject *self, PyObject *key)
{
    if (march_hamt_transient_assoc(SETEVOLVER(self), key, Py_None) < 0) {
        return NULL;
    }
    return Py_NewRef(self);
}

static PyObject *
setevolver_discard(PyObject *self, PyObject *key)
{
    if (march_hamt_transient_without(SETEVOLVER(self), key, NULL) < 0) {
        return NULL;
    }
    return Py_NewRef(self);
}

static PyObject *
setevolver_remove(PyObject *self, PyObject *key)
{
    int r = march_hamt_transient_without(SETEVOLVER(self), key, NULL);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        march_hamt_object_key_error(key);
        return NULL;
    }
    return Py_NewRef(self);
}

static PyObject *
setevolver_is_dirty(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    EvolverObject *self = SETEVOLVER(op);
    return PyBool_FromLong(self->orig == NULL
                           || self->root != self->orig->root);
}

/* persistent() and finish(): a Set of the current elements; the evolver
 * goes on, on a fresh owner id */
static PyObject *
setevolver_persistent(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    EvolverObject *self = SETEVOLVER(op);
    PyTypeObject *type;
    PyObject *s;
    if (march_hamt_transient_writable(self) < 0) {
        return NULL;
    }
    if (self->orig != NULL && self->root == self->orig->root) {
        Py_INCREF(self->orig);
        return (PyObject *)self->orig;
    }
    /* the allocation may run a collection, hence finalizers and
     * gc.callbacks: `busy` keeps them from editing the root being handed
     * over (in place, or by replacing it: the edit would be lost below) */
    /* the type of the source Set (a subclass's is kept alive by its
     * instances: hold it across the allocation) */
    type = self->orig != NULL ? Py_TYPE(self->orig) : &Set_Type;
    Py_INCREF(type);
    Py_INCREF(self->root);
    self->busy++;
    s = set_from_root_as(type, self->root);
    self->busy--;
    Py_DECREF(type);
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
    self->owner = march_hamt_node_new_owner();
    Py_INCREF(s);
    Py_XSETREF(self->orig, (SetObject *)s);
    return s;
}

static PyObject *
setevolver_exit(PyObject *self, PyObject *Py_UNUSED(args))
{
    return march_hamt_transient_exit(self, setevolver_persistent);
}

/* Every slot and method of a SetEvolver runs in a critical section on it
 * (common.h, MARCH_LOCKED): threads that share one are serialised
 * (docs/threads.md). */
MARCH_LOCKED(PyObject *, setevolver_add_locked, setevolver_add,
             (PyObject *self, PyObject *key), (self, key))
MARCH_LOCKED(PyObject *, setevolver_discard_locked, setevolver_discard,
             (PyObject *self, PyObject *key), (self, key))
MARCH_LOCKED(PyObject *, setevolver_remove_locked, setevolver_remove,
             (PyObject *self, PyObject *key), (self, key))
MARCH_LOCKED(PyObject *, setevolver_is_dirty_locked, setevolver_is_dirty,
             (PyObject *self, PyObject *unused), (self, unused))
MARCH_LOCKED(PyObject *, setevolver_persistent_locked, setevolver_persistent,
             (PyObject *self, PyObject *unused), (self, unused))
MARCH_LOCKED(PyObject *, setevolver_exit_locked, setevolver_exit,
             (PyObject *self, PyObject *args), (self, args))

static PyMethodDef setevolver_methods[] = {
    {"add", setevolver_add_locked, METH_O, MARCH_DOC_SetEvolver_add},
    {"discard", setevolver_discard_locked, METH_O, MARCH_DOC_SetEvolver_discard},
    {"remove", setevolver_remove_locked, METH_O, MARCH_DOC_SetEvolver_remove},
    {"is_dirty", setevolver_is_dirty_locked, METH_NOARGS,
     MARCH_DOC_SetEvolver_is_dirty},
    /* one C function, two names: each name has its own text */
    {"persistent", setevolver_persistent_locked, METH_NOARGS,
     MARCH_DOC_SetEvolver_persistent},
    {"finish", setevolver_persistent_locked, METH_NOARGS,
     MARCH_DOC_SetEvolver_finish},
    {"__exit__", setevolver_exit_locked, METH_VARARGS, NULL},
    MARCH_HAMT_TRANSIENT_METHODS,
    {NULL, NULL, 0, NULL}
};

static PySequenceMethods setevolver_as_sequence = {
    .sq_length = march_hamt_transient_length,
    .sq_contains = march_hamt_transient_contains,
};

/* Re-entrance: while one of its operations walks the trie (an element's
 * __eq__, a finalizer run by a collection), any change or persistent()
 * raises RuntimeError; an element's __hash__ runs before the walk, and
 * each edit checks again after it.  SetEvolver cannot be subclassed,
 * pickled or copied (TypeError). */
static PyTypeObject SetEvolver_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.SetEvolver",
    .tp_basicsize = sizeof(EvolverObject),
    .tp_dealloc = march_hamt_transient_dealloc,
    .tp_as_sequence = &setevolver_as_sequence,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = MARCH_DOC_SetEvolver,
    .tp_traverse = march_hamt_transient_traverse,
    .tp_clear = march_hamt_transient_clear,
    .tp_weaklistoffset = offsetof(EvolverObject, weakreflist),
    .tp_methods = setevolver_methods,
};

/* ------------------------------------------------------------------ */
/* registration                                                        */

static PyMethodDef set_module_functions[] = {
    {"s", set_s, METH_VARARGS, MARCH_DOC_s},
    {NULL, NULL, 0, NULL}
};

int
march_set_register(PyObject *module)
{
    if (PyType_Ready(&Set_Type) < 0 || PyType_Ready(&SetEvolver_Type) < 0) {
        return -1;
    }
    march_hamt_types.set = &Set_Type;
    march_hamt_types.set_evolver = &SetEvolver_Type;
    if (empty_set == NULL) {
        /* the empty Set is made here, before any thread can ask for one
         * (set_from_root keeps the first empty Set it makes) */
        PyObject *e = set_from_root(march_hamt_node_empty_root());
        if (e == NULL) {
            return -1;
        }
        Py_DECREF(e);
    }
    if (set_abc_set == NULL) {
        set_abc_set = march_hamt_object_register_abc("Set", &Set_Type);
        if (set_abc_set == NULL) {
            return -1;
        }
    }
    if (PyModule_AddObjectRef(module, "Set", (PyObject *)&Set_Type) < 0
            || PyModule_AddObjectRef(module, "SetEvolver",
                                     (PyObject *)&SetEvolver_Type) < 0
            || PyModule_AddFunctions(module, set_module_functions) < 0) {
        return -1;
    }
    return 0;
}
