/*
 * hamtmodule.c -- the Python types over hamt.c: march._hamt.Map,
 * MapMutation, the keys/values/items views and their iterator.
 *
 * Map          an immutable value: a root node (hamt.c), a cached hash, a
 *              weak reference list.  GC-tracked only when its root is
 *              (see common.h), so a map of atomic keys and values costs the
 *              cyclic collector nothing.
 * MapMutation  a transient: a root and the owner id that lets it edit the
 *              nodes it copied in place.  finish() hands the root to a new
 *              Map in O(1) and sets owner to 0: every later edit raises
 *              ValueError.  A `busy` flag refuses re-entrant edits (a key's
 *              __eq__ editing the same mutation while it is being edited).
 *
 * All the algorithms are in hamt.c; this file converts arguments, raises
 * the Python-level errors and builds the objects.
 */
#include "hamt.h"

#include <stddef.h>

typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;
    Py_hash_t hash;             /* -1: not computed yet */
    PyObject *weakreflist;
} MapObject;

typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;
    uint64_t owner;             /* 0 once finished */
    int busy;
    PyObject *weakreflist;
} MutationObject;

enum { VIEW_KEYS, VIEW_VALUES, VIEW_ITEMS };

typedef struct {
    PyObject_HEAD
    MapObject *map;
    int kind;
} ViewObject;

typedef struct {
    PyObject_HEAD
    MapObject *map;
    MarchHamtIter it;
    Py_ssize_t left;
    int kind;
} IterObject;

static PyTypeObject Map_Type;
static PyTypeObject Mutation_Type;
static PyTypeObject Keys_Type;
static PyTypeObject Values_Type;
static PyTypeObject Items_Type;
static PyTypeObject Iter_Type;

static PyObject *mapping_abc = NULL;    /* collections.abc.Mapping */

#define Map_Check(o) (Py_TYPE(o) == &Map_Type)
#define Mutation_Check(o) (Py_TYPE(o) == &Mutation_Type)

/* ------------------------------------------------------------------ */
/* Map objects                                                         */

/* A new Map over `root` (the reference is stolen). */
static MapObject *
map_from_root(MarchBitmapNode *root)
{
    MapObject *m = PyObject_GC_New(MapObject, &Map_Type);
    if (m == NULL) {
        Py_DECREF(root);
        return NULL;
    }
    m->root = root;
    m->hash = -1;
    m->weakreflist = NULL;
    if (PyObject_GC_IsTracked((PyObject *)root)) {
        PyObject_GC_Track(m);
    }
    return m;
}

static void
map_dealloc(MapObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    Py_TRASHCAN_BEGIN(self, map_dealloc)
    Py_CLEAR(self->root);
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

static int
map_traverse(MapObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->root);
    return 0;
}

static int
map_clear(MapObject *self)
{
    /* only ever called on garbage; leave a valid (empty) map behind */
    MarchBitmapNode *empty = march_hamt_empty();
    if (empty == NULL) {
        PyErr_Clear();
        return 0;
    }
    Py_SETREF(self->root, empty);
    return 0;
}

/* Apply `col` (a Map, a mapping or an iterable of pairs) and the keyword
 * arguments to *root, a root owned by `owner` or shared.  On error *root is
 * left as a valid root (possibly partly updated: callers drop it). */
static int
apply_update(MarchBitmapNode **root, uint64_t owner, PyObject *col,
             PyObject *kwargs);

static int
root_set(MarchBitmapNode **root, uint64_t owner, PyObject *key,
         PyObject *value)
{
    uint64_t hash;
    int added;
    MarchBitmapNode *res;
    if (march_hamt_hash(key, &hash) < 0) {
        return -1;
    }
    res = march_hamt_assoc(*root, key, hash, value, owner, &added);
    if (res == NULL) {
        return -1;
    }
    Py_SETREF(*root, res);
    return 0;
}

static int
apply_pairs(MarchBitmapNode **root, uint64_t owner, PyObject *col)
{
    PyObject *iter = PyObject_GetIter(col), *item;
    Py_ssize_t i = 0;
    if (iter == NULL) {
        return -1;
    }
    while ((item = PyIter_Next(iter)) != NULL) {
        PyObject *fast = PySequence_Fast(item, "");
        int r;
        if (fast == NULL) {
            Py_DECREF(item);
            Py_DECREF(iter);
            if (PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Format(PyExc_TypeError,
                             "cannot convert map update sequence element "
                             "#%zd to a sequence", i);
            }
            return -1;
        }
        if (PySequence_Fast_GET_SIZE(fast) != 2) {
            PyErr_Format(PyExc_ValueError,
                         "map update sequence element #%zd has length "
                         "%zd; 2 is required",
                         i, PySequence_Fast_GET_SIZE(fast));
            Py_DECREF(fast);
            Py_DECREF(item);
            Py_DECREF(iter);
            return -1;
        }
        r = root_set(root, owner, PySequence_Fast_GET_ITEM(fast, 0),
                     PySequence_Fast_GET_ITEM(fast, 1));
        Py_DECREF(fast);
        Py_DECREF(item);
        if (r < 0) {
            Py_DECREF(iter);
            return -1;
        }
        i++;
    }
    Py_DECREF(iter);
    return PyErr_Occurred() ? -1 : 0;
}

static int
apply_dict(MarchBitmapNode **root, uint64_t owner, PyObject *dict)
{
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        int r;
        Py_INCREF(key);
        Py_INCREF(value);
        r = root_set(root, owner, key, value);
        Py_DECREF(key);
        Py_DECREF(value);
        if (r < 0) {
            return -1;
        }
    }
    return 0;
}

static int
apply_map(MarchBitmapNode **root, uint64_t owner, MapObject *other)
{
    MarchHamtIter it;
    PyObject *key, *value;
    if ((*root)->count == 0 && owner != 0) {
        /* nothing to merge into: share the other map's tree */
        Py_SETREF(*root, (MarchBitmapNode *)Py_NewRef(other->root));
        return 0;
    }
    march_hamt_iter_init(&it, other->root);
    while (march_hamt_iter_next(&it, &key, &value)) {
        if (root_set(root, owner, key, value) < 0) {
            return -1;
        }
    }
    return 0;
}

static int
apply_mapping(MarchBitmapNode **root, uint64_t owner, PyObject *col)
{
    PyObject *keys = PyMapping_Keys(col), *iter, *key;
    if (keys == NULL) {
        return -1;
    }
    iter = PyObject_GetIter(keys);
    Py_DECREF(keys);
    if (iter == NULL) {
        return -1;
    }
    while ((key = PyIter_Next(iter)) != NULL) {
        PyObject *value = PyObject_GetItem(col, key);
        int r;
        if (value == NULL) {
            Py_DECREF(key);
            Py_DECREF(iter);
            return -1;
        }
        r = root_set(root, owner, key, value);
        Py_DECREF(key);
        Py_DECREF(value);
        if (r < 0) {
            Py_DECREF(iter);
            return -1;
        }
    }
    Py_DECREF(iter);
    return PyErr_Occurred() ? -1 : 0;
}

static int
apply_update(MarchBitmapNode **root, uint64_t owner, PyObject *col,
             PyObject *kwargs)
{
    if (col != NULL && col != Py_None) {
        int r;
        if (Map_Check(col)) {
            r = apply_map(root, owner, (MapObject *)col);
        }
        else if (Mutation_Check(col)) {
            PyErr_SetString(PyExc_TypeError,
                            "cannot update a map from a MapMutation; "
                            "finish() it first");
            r = -1;
        }
        else if (PyDict_Check(col)) {
            r = apply_dict(root, owner, col);
        }
        else {
            int has_keys = PyObject_HasAttrString(col, "keys");
            r = has_keys ? apply_mapping(root, owner, col)
                         : apply_pairs(root, owner, col);
        }
        if (r < 0) {
            return -1;
        }
    }
    if (kwargs != NULL && PyDict_GET_SIZE(kwargs) > 0) {
        return apply_dict(root, owner, kwargs);
    }
    return 0;
}

/* A new Map: `base` updated with col and kwargs, through a private
 * mutation (nodes are edited in place while building). */
static PyObject *
map_updated(MarchBitmapNode *base, PyObject *col, PyObject *kwargs)
{
    MarchBitmapNode *root = (MarchBitmapNode *)Py_NewRef(base);
    uint64_t owner = march_hamt_new_owner();
    if (apply_update(&root, owner, col, kwargs) < 0) {
        Py_DECREF(root);
        return NULL;
    }
    return (PyObject *)map_from_root(root);
}

static PyObject *
map_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *col = NULL;
    MarchBitmapNode *empty;
    PyObject *res;
    if (type != &Map_Type) {
        PyErr_SetString(PyExc_TypeError, "march.Map cannot be subclassed");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "Map", 0, 1, &col)) {
        return NULL;
    }
    if (col != NULL && Map_Check(col)
        && (kwargs == NULL || PyDict_GET_SIZE(kwargs) == 0)) {
        return (PyObject *)map_from_root(
            (MarchBitmapNode *)Py_NewRef(((MapObject *)col)->root));
    }
    empty = march_hamt_empty();
    if (empty == NULL) {
        return NULL;
    }
    res = map_updated(empty, col, kwargs);
    Py_DECREF(empty);
    return res;
}

static Py_ssize_t
map_length(MapObject *self)
{
    return self->root->count;
}

/* 1 found, 0 absent, -1 error */
static int
root_find(MarchBitmapNode *root, PyObject *key, PyObject **value)
{
    uint64_t hash;
    if (march_hamt_hash(key, &hash) < 0) {
        return -1;
    }
    return march_hamt_find(root, key, hash, value);
}

static PyObject *
map_subscript(MapObject *self, PyObject *key)
{
    PyObject *value;
    int r = root_find(self->root, key, &value);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    return Py_NewRef(value);
}

static int
map_contains(MapObject *self, PyObject *key)
{
    PyObject *value;
    return root_find(self->root, key, &value);
}

static PyObject *
map_get(MapObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *value, *dflt = Py_None;
    int r;
    if (nargs < 1 || nargs > 2) {
        PyErr_Format(PyExc_TypeError,
                     "get() takes 1 or 2 arguments (%zd given)", nargs);
        return NULL;
    }
    if (nargs == 2) {
        dflt = args[1];
    }
    r = root_find(self->root, args[0], &value);
    if (r < 0) {
        return NULL;
    }
    return Py_NewRef(r ? value : dflt);
}

static PyObject *
map_set(MapObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t hash;
    int added;
    MarchBitmapNode *root;
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError,
                     "set() takes exactly 2 arguments (%zd given)", nargs);
        return NULL;
    }
    if (march_hamt_hash(args[0], &hash) < 0) {
        return NULL;
    }
    root = march_hamt_assoc(self->root, args[0], hash, args[1], 0, &added);
    if (root == NULL) {
        return NULL;
    }
    if (root == self->root) {
        Py_DECREF(root);
        return Py_NewRef(self);
    }
    return (PyObject *)map_from_root(root);
}

/* delete (strict: KeyError when absent) or discard */
static PyObject *
map_without(MapObject *self, PyObject *key, int strict)
{
    uint64_t hash;
    int found;
    MarchBitmapNode *root;
    if (march_hamt_hash(key, &hash) < 0) {
        return NULL;
    }
    root = march_hamt_without(self->root, key, hash, 0, &found);
    if (root == NULL) {
        return NULL;
    }
    if (!found) {
        Py_DECREF(root);
        if (strict) {
            PyErr_SetObject(PyExc_KeyError, key);
            return NULL;
        }
        return Py_NewRef(self);
    }
    return (PyObject *)map_from_root(root);
}

static PyObject *
map_delete(MapObject *self, PyObject *key)
{
    return map_without(self, key, 1);
}

static PyObject *
map_discard(MapObject *self, PyObject *key)
{
    return map_without(self, key, 0);
}

static PyObject *
map_update(MapObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *col = NULL;
    if (!PyArg_UnpackTuple(args, "update", 0, 1, &col)) {
        return NULL;
    }
    if ((col == NULL || col == Py_None)
        && (kwargs == NULL || PyDict_GET_SIZE(kwargs) == 0)) {
        return Py_NewRef(self);
    }
    return map_updated(self->root, col, kwargs);
}

static int
is_mapping(PyObject *o)
{
    if (Map_Check(o) || PyDict_Check(o)) {
        return 1;
    }
    if (mapping_abc == NULL) {
        return 0;
    }
    return PyObject_IsInstance(o, mapping_abc);
}

static PyObject *
map_or(PyObject *a, PyObject *b)
{
    int r;
    if (!Map_Check(a)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    r = is_mapping(b);
    if (r < 0) {
        return NULL;
    }
    if (!r) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (Map_Check(b) && ((MapObject *)a)->root->count == 0) {
        return Py_NewRef(b);
    }
    return map_updated(((MapObject *)a)->root, b, NULL);
}

static PyObject *mutation_new_from(MarchBitmapNode *root);

static PyObject *
map_mutate(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return mutation_new_from(self->root);
}

static PyObject *
map_richcompare(PyObject *a, PyObject *b, int op)
{
    int r;
    if (!Map_Check(a) || !(Map_Check(b) || Mutation_Check(b))
        || (op != Py_EQ && op != Py_NE)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (Mutation_Check(b)) {
        /* the mutation's root is held: a value's __eq__ may edit it */
        MarchBitmapNode *rb = (MarchBitmapNode *)Py_NewRef(
            ((MutationObject *)b)->root);
        r = march_hamt_equal(((MapObject *)a)->root, rb);
        Py_DECREF(rb);
    }
    else {
        r = march_hamt_equal(((MapObject *)a)->root, ((MapObject *)b)->root);
    }
    if (r < 0) {
        return NULL;
    }
    return PyBool_FromLong(op == Py_EQ ? r : !r);
}

static Py_hash_t
map_hash(MapObject *self)
{
    if (self->hash == -1) {
        self->hash = march_hamt_hash_entries(self->root);
    }
    return self->hash;
}

/* "prefix{k: v, ...})" in iteration order */
static PyObject *
root_repr(PyObject *self, MarchBitmapNode *root, const char *prefix)
{
    _PyUnicodeWriter writer;
    MarchHamtIter it;
    PyObject *key, *value;
    int first = 1, r;
    r = Py_ReprEnter(self);
    if (r != 0) {
        return r > 0 ? PyUnicode_FromString("...") : NULL;
    }
    _PyUnicodeWriter_Init(&writer);
    writer.overallocate = 1;
    if (_PyUnicodeWriter_WriteASCIIString(&writer, prefix, -1) < 0) {
        goto error;
    }
    march_hamt_iter_init(&it, root);
    Py_INCREF(root);
    while (march_hamt_iter_next(&it, &key, &value)) {
        PyObject *s;
        if (!first
            && _PyUnicodeWriter_WriteASCIIString(&writer, ", ", 2) < 0) {
            goto error_root;
        }
        first = 0;
        s = PyObject_Repr(key);
        if (s == NULL || _PyUnicodeWriter_WriteStr(&writer, s) < 0) {
            Py_XDECREF(s);
            goto error_root;
        }
        Py_DECREF(s);
        if (_PyUnicodeWriter_WriteASCIIString(&writer, ": ", 2) < 0) {
            goto error_root;
        }
        s = PyObject_Repr(value);
        if (s == NULL || _PyUnicodeWriter_WriteStr(&writer, s) < 0) {
            Py_XDECREF(s);
            goto error_root;
        }
        Py_DECREF(s);
    }
    Py_DECREF(root);
    if (_PyUnicodeWriter_WriteASCIIString(&writer, "})", 2) < 0) {
        goto error;
    }
    Py_ReprLeave(self);
    return _PyUnicodeWriter_Finish(&writer);
error_root:
    Py_DECREF(root);
error:
    Py_ReprLeave(self);
    _PyUnicodeWriter_Dealloc(&writer);
    return NULL;
}

static PyObject *
map_repr(MapObject *self)
{
    return root_repr((PyObject *)self, self->root, "march.Map({");
}

static PyObject *
root_to_dict(MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *key, *value, *dict = PyDict_New();
    if (dict == NULL) {
        return NULL;
    }
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &key, &value)) {
        if (PyDict_SetItem(dict, key, value) < 0) {
            Py_DECREF(dict);
            return NULL;
        }
    }
    return dict;
}

static PyObject *
map_reduce(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *dict = root_to_dict(self->root);
    if (dict == NULL) {
        return NULL;
    }
    return Py_BuildValue("O(N)", (PyObject *)Py_TYPE(self), dict);
}

static PyObject *
map_copy(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_NewRef(self);
}

static PyObject *
map_check(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    if (march_hamt_check(self->root) < 0) {
        return NULL;
    }
    if (PyObject_GC_IsTracked((PyObject *)self->root)
        && !PyObject_GC_IsTracked((PyObject *)self)) {
        PyErr_SetString(PyExc_AssertionError,
                        "untracked map over a tracked root");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
map_depth(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(march_hamt_depth(self->root));
}

static PyObject *
map_sizeof(MapObject *Py_UNUSED(self), PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSsize_t((Py_ssize_t)sizeof(MapObject));
}

static PyObject *view_new(MapObject *map, PyTypeObject *type, int kind);

static PyObject *
map_keys(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return view_new(self, &Keys_Type, VIEW_KEYS);
}

static PyObject *
map_values(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return view_new(self, &Values_Type, VIEW_VALUES);
}

static PyObject *
map_items(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return view_new(self, &Items_Type, VIEW_ITEMS);
}

static PyObject *iter_new(MapObject *map, int kind);

static PyObject *
map_iter(MapObject *self)
{
    return iter_new(self, VIEW_KEYS);
}

static PyMethodDef map_methods[] = {
    {"get", (PyCFunction)(void (*)(void))map_get, METH_FASTCALL,
     "get(key, default=None): the value of key, or default"},
    {"set", (PyCFunction)(void (*)(void))map_set, METH_FASTCALL,
     "set(key, value): a new map with key bound to value"},
    {"delete", (PyCFunction)map_delete, METH_O,
     "delete(key): a new map without key; KeyError when absent"},
    {"discard", (PyCFunction)map_discard, METH_O,
     "discard(key): a new map without key; this map when absent"},
    {"update", (PyCFunction)(void (*)(void))map_update,
     METH_VARARGS | METH_KEYWORDS,
     "update(col=None, /, **kw): a new map with the entries of col and kw"},
    {"mutate", (PyCFunction)map_mutate, METH_NOARGS,
     "mutate(): a MapMutation starting from this map"},
    {"keys", (PyCFunction)map_keys, METH_NOARGS, "a view of the keys"},
    {"values", (PyCFunction)map_values, METH_NOARGS, "a view of the values"},
    {"items", (PyCFunction)map_items, METH_NOARGS,
     "a view of the (key, value) pairs"},
    {"__reduce__", (PyCFunction)map_reduce, METH_NOARGS, NULL},
    {"__copy__", (PyCFunction)map_copy, METH_NOARGS, NULL},
    {"__sizeof__", (PyCFunction)map_sizeof, METH_NOARGS, NULL},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
    {"_check", (PyCFunction)map_check, METH_NOARGS,
     "debug: raise AssertionError if an invariant is broken"},
    {"_depth", (PyCFunction)map_depth, METH_NOARGS,
     "debug: the height of the trie"},
    {NULL, NULL, 0, NULL}
};

static PyMappingMethods map_as_mapping = {
    .mp_length = (lenfunc)map_length,
    .mp_subscript = (binaryfunc)map_subscript,
};

static PySequenceMethods map_as_sequence = {
    .sq_contains = (objobjproc)map_contains,
};

static PyNumberMethods map_as_number = {
    .nb_or = map_or,
};

static PyTypeObject Map_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.Map",
    .tp_basicsize = sizeof(MapObject),
    .tp_dealloc = (destructor)map_dealloc,
    .tp_repr = (reprfunc)map_repr,
    .tp_as_number = &map_as_number,
    .tp_as_sequence = &map_as_sequence,
    .tp_as_mapping = &map_as_mapping,
    .tp_hash = (hashfunc)map_hash,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_MAPPING,
    .tp_doc = "Map(col=None, /, **kw): a persistent hash map (HAMT)",
    .tp_traverse = (traverseproc)map_traverse,
    .tp_clear = (inquiry)map_clear,
    .tp_richcompare = map_richcompare,
    .tp_weaklistoffset = offsetof(MapObject, weakreflist),
    .tp_iter = (getiterfunc)map_iter,
    .tp_methods = map_methods,
    .tp_new = map_tp_new,
};

/* ------------------------------------------------------------------ */
/* MapMutation                                                         */

static PyObject *
mutation_new_from(MarchBitmapNode *root)
{
    MutationObject *mm = PyObject_GC_New(MutationObject, &Mutation_Type);
    if (mm == NULL) {
        return NULL;
    }
    mm->root = (MarchBitmapNode *)Py_NewRef(root);
    mm->owner = march_hamt_new_owner();
    mm->busy = 0;
    mm->weakreflist = NULL;
    PyObject_GC_Track(mm);
    return (PyObject *)mm;
}

static void
mutation_dealloc(MutationObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    Py_TRASHCAN_BEGIN(self, mutation_dealloc)
    Py_CLEAR(self->root);
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

static int
mutation_traverse(MutationObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->root);
    return 0;
}

static int
mutation_clear(MutationObject *self)
{
    MarchBitmapNode *empty = march_hamt_empty();
    if (empty == NULL) {
        PyErr_Clear();
        return 0;
    }
    Py_SETREF(self->root, empty);
    return 0;
}

/* May this mutation be edited now?  0 yes, -1 with an exception. */
static int
mutation_writable(MutationObject *self)
{
    if (self->owner == 0) {
        PyErr_SetString(PyExc_ValueError, "mutation has been finished");
        return -1;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "MapMutation edited while it is being edited");
        return -1;
    }
    return 0;
}

static int
mutation_do_set(MutationObject *self, PyObject *key, PyObject *value)
{
    int r;
    if (mutation_writable(self) < 0) {
        return -1;
    }
    self->busy = 1;
    r = root_set(&self->root, self->owner, key, value);
    self->busy = 0;
    return r;
}

/* 1 removed, 0 absent, -1 error; *old receives the removed value (new
 * reference) when `old` is not NULL */
static int
mutation_do_delete(MutationObject *self, PyObject *key, PyObject **old)
{
    uint64_t hash;
    int found, r;
    MarchBitmapNode *root;
    PyObject *value = NULL;
    if (mutation_writable(self) < 0) {
        return -1;
    }
    if (march_hamt_hash(key, &hash) < 0) {
        return -1;
    }
    self->busy = 1;
    if (old != NULL) {
        r = march_hamt_find(self->root, key, hash, &value);
        if (r <= 0) {
            self->busy = 0;
            return r;
        }
        Py_INCREF(value);
    }
    root = march_hamt_without(self->root, key, hash, self->owner, &found);
    self->busy = 0;
    if (root == NULL) {
        Py_XDECREF(value);
        return -1;
    }
    Py_SETREF(self->root, root);
    if (old != NULL) {
        *old = value;
    }
    return found;
}

static Py_ssize_t
mutation_length(MutationObject *self)
{
    return self->root->count;
}

/* A lookup in a mutation: the root is held while the key's __eq__ runs,
 * which may edit the mutation.  New reference, or NULL; *found tells. */
static PyObject *
mutation_lookup(MutationObject *self, PyObject *key, int *found)
{
    MarchBitmapNode *root = (MarchBitmapNode *)Py_NewRef(self->root);
    PyObject *value = NULL;
    int r = root_find(root, key, &value);
    Py_XINCREF(r > 0 ? value : NULL);
    Py_DECREF(root);
    *found = r;
    return r > 0 ? value : NULL;
}

static PyObject *
mutation_subscript(MutationObject *self, PyObject *key)
{
    int found;
    PyObject *value = mutation_lookup(self, key, &found);
    if (found == 0) {
        PyErr_SetObject(PyExc_KeyError, key);
    }
    return value;
}

static int
mutation_ass_subscript(MutationObject *self, PyObject *key, PyObject *value)
{
    int r;
    if (value != NULL) {
        return mutation_do_set(self, key, value);
    }
    r = mutation_do_delete(self, key, NULL);
    if (r == 0) {
        PyErr_SetObject(PyExc_KeyError, key);
        return -1;
    }
    return r < 0 ? -1 : 0;
}

static int
mutation_contains(MutationObject *self, PyObject *key)
{
    int found;
    PyObject *value = mutation_lookup(self, key, &found);
    Py_XDECREF(value);
    return found;
}

static PyObject *
mutation_get(MutationObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *value, *dflt = Py_None;
    int r;
    if (nargs < 1 || nargs > 2) {
        PyErr_Format(PyExc_TypeError,
                     "get() takes 1 or 2 arguments (%zd given)", nargs);
        return NULL;
    }
    if (nargs == 2) {
        dflt = args[1];
    }
    value = mutation_lookup(self, args[0], &r);
    if (r < 0) {
        return NULL;
    }
    return r ? value : Py_NewRef(dflt);
}

static PyObject *
mutation_set(MutationObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError,
                     "set() takes exactly 2 arguments (%zd given)", nargs);
        return NULL;
    }
    if (mutation_do_set(self, args[0], args[1]) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
mutation_delete(MutationObject *self, PyObject *key)
{
    int r = mutation_do_delete(self, key, NULL);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
mutation_pop(MutationObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *old = NULL;
    int r;
    if (nargs < 1 || nargs > 2) {
        PyErr_Format(PyExc_TypeError,
                     "pop() takes 1 or 2 arguments (%zd given)", nargs);
        return NULL;
    }
    r = mutation_do_delete(self, args[0], &old);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        if (nargs == 2) {
            return Py_NewRef(args[1]);
        }
        PyErr_SetObject(PyExc_KeyError, args[0]);
        return NULL;
    }
    return old;
}

static PyObject *
mutation_update(MutationObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *col = NULL;
    MarchBitmapNode *root;
    int r;
    if (!PyArg_UnpackTuple(args, "update", 0, 1, &col)) {
        return NULL;
    }
    if (mutation_writable(self) < 0) {
        return NULL;
    }
    /* All or nothing: the update runs under a fresh owner id, so it copies
     * instead of editing this mutation's nodes in place; on error the old
     * root is kept.  On success the mutation adopts the new id (its older
     * nodes are then copied once more if edited again: a cost, not a
     * risk, since an owned node's parent is always owned too). */
    root = (MarchBitmapNode *)Py_NewRef(self->root);
    self->busy = 1;
    {
        uint64_t owner = march_hamt_new_owner();
        r = apply_update(&root, owner, col, kwargs);
        if (r == 0) {
            self->owner = owner;
        }
    }
    self->busy = 0;
    if (r < 0) {
        Py_DECREF(root);
        return NULL;
    }
    Py_SETREF(self->root, root);
    Py_RETURN_NONE;
}

static PyObject *
mutation_finish(MutationObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "MapMutation finished while it is being edited");
        return NULL;
    }
    self->owner = 0;
    return (PyObject *)map_from_root(
        (MarchBitmapNode *)Py_NewRef(self->root));
}

static PyObject *
mutation_enter(MutationObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_NewRef(self);
}

static PyObject *
mutation_exit(MutationObject *self, PyObject *Py_UNUSED(args))
{
    PyObject *m = mutation_finish(self, NULL);
    if (m == NULL) {
        return NULL;
    }
    Py_DECREF(m);
    Py_RETURN_FALSE;
}

static PyObject *
mutation_richcompare(PyObject *a, PyObject *b, int op)
{
    MarchBitmapNode *ra, *rb;
    int r;
    if (!Mutation_Check(a) || !(Map_Check(b) || Mutation_Check(b))
        || (op != Py_EQ && op != Py_NE)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    ra = ((MutationObject *)a)->root;
    rb = Map_Check(b) ? ((MapObject *)b)->root : ((MutationObject *)b)->root;
    Py_INCREF(ra);
    Py_INCREF(rb);
    r = march_hamt_equal(ra, rb);
    Py_DECREF(ra);
    Py_DECREF(rb);
    if (r < 0) {
        return NULL;
    }
    return PyBool_FromLong(op == Py_EQ ? r : !r);
}

static PyObject *
mutation_repr(MutationObject *self)
{
    return root_repr((PyObject *)self, self->root, "march.MapMutation({");
}

static PyObject *
mutation_check(MutationObject *self, PyObject *Py_UNUSED(ignored))
{
    if (march_hamt_check(self->root) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef mutation_methods[] = {
    {"get", (PyCFunction)(void (*)(void))mutation_get, METH_FASTCALL,
     "get(key, default=None)"},
    {"set", (PyCFunction)(void (*)(void))mutation_set, METH_FASTCALL,
     "set(key, value): bind key in place"},
    {"delete", (PyCFunction)mutation_delete, METH_O,
     "delete(key): remove key in place; KeyError when absent"},
    {"pop", (PyCFunction)(void (*)(void))mutation_pop, METH_FASTCALL,
     "pop(key[, default]): remove key and return its value"},
    {"update", (PyCFunction)(void (*)(void))mutation_update,
     METH_VARARGS | METH_KEYWORDS, "update(col=None, /, **kw)"},
    {"finish", (PyCFunction)mutation_finish, METH_NOARGS,
     "finish(): the Map of this mutation; later edits raise ValueError"},
    {"__enter__", (PyCFunction)mutation_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)mutation_exit, METH_VARARGS, NULL},
    {"_check", (PyCFunction)mutation_check, METH_NOARGS,
     "debug: raise AssertionError if an invariant is broken"},
    {NULL, NULL, 0, NULL}
};

static PyMappingMethods mutation_as_mapping = {
    .mp_length = (lenfunc)mutation_length,
    .mp_subscript = (binaryfunc)mutation_subscript,
    .mp_ass_subscript = (objobjargproc)mutation_ass_subscript,
};

static PySequenceMethods mutation_as_sequence = {
    .sq_contains = (objobjproc)mutation_contains,
};

static PyTypeObject Mutation_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.MapMutation",
    .tp_basicsize = sizeof(MutationObject),
    .tp_dealloc = (destructor)mutation_dealloc,
    .tp_repr = (reprfunc)mutation_repr,
    .tp_as_sequence = &mutation_as_sequence,
    .tp_as_mapping = &mutation_as_mapping,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "MapMutation: a transient map; see Map.mutate()",
    .tp_traverse = (traverseproc)mutation_traverse,
    .tp_clear = (inquiry)mutation_clear,
    .tp_richcompare = mutation_richcompare,
    .tp_weaklistoffset = offsetof(MutationObject, weakreflist),
    .tp_methods = mutation_methods,
};

/* ------------------------------------------------------------------ */
/* views and iterator                                                  */

static PyObject *
view_new(MapObject *map, PyTypeObject *type, int kind)
{
    ViewObject *v = PyObject_GC_New(ViewObject, type);
    if (v == NULL) {
        return NULL;
    }
    v->map = (MapObject *)Py_NewRef(map);
    v->kind = kind;
    PyObject_GC_Track(v);
    return (PyObject *)v;
}

static void
view_dealloc(ViewObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->map);
    PyObject_GC_Del(self);
}

static int
view_traverse(ViewObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->map);
    return 0;
}

static Py_ssize_t
view_length(ViewObject *self)
{
    return self->map->root->count;
}

static PyObject *
view_iter(ViewObject *self)
{
    return iter_new(self->map, self->kind);
}

static int
view_contains(ViewObject *self, PyObject *item)
{
    PyObject *value;
    int r;
    if (self->kind == VIEW_KEYS) {
        return map_contains(self->map, item);
    }
    if (self->kind == VIEW_ITEMS) {
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            return 0;
        }
        r = root_find(self->map->root, PyTuple_GET_ITEM(item, 0), &value);
        if (r <= 0) {
            return r;
        }
        Py_INCREF(value);
        r = PyObject_RichCompareBool(value, PyTuple_GET_ITEM(item, 1), Py_EQ);
        Py_DECREF(value);
        return r;
    }
    {
        MarchHamtIter it;
        PyObject *key;
        march_hamt_iter_init(&it, self->map->root);
        while (march_hamt_iter_next(&it, &key, &value)) {
            r = PyObject_RichCompareBool(value, item, Py_EQ);
            if (r != 0) {
                return r;
            }
        }
        return 0;
    }
}

static PyObject *
view_repr(ViewObject *self)
{
    PyObject *list, *res;
    const char *name = self->kind == VIEW_KEYS ? "MapKeys"
                       : self->kind == VIEW_VALUES ? "MapValues" : "MapItems";
    list = PySequence_List((PyObject *)self);
    if (list == NULL) {
        return NULL;
    }
    res = PyUnicode_FromFormat("%s(%R)", name, list);
    Py_DECREF(list);
    return res;
}

static PySequenceMethods view_as_sequence = {
    .sq_length = (lenfunc)view_length,
    .sq_contains = (objobjproc)view_contains,
};

#define VIEW_TYPE(cname, pyname)                                        \
    static PyTypeObject cname = {                                       \
        PyVarObject_HEAD_INIT(NULL, 0)                                  \
        .tp_name = "march._hamt." pyname,                               \
        .tp_basicsize = sizeof(ViewObject),                             \
        .tp_dealloc = (destructor)view_dealloc,                         \
        .tp_repr = (reprfunc)view_repr,                                 \
        .tp_as_sequence = &view_as_sequence,                            \
        .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,            \
        .tp_traverse = (traverseproc)view_traverse,                     \
        .tp_iter = (getiterfunc)view_iter,                              \
    };

VIEW_TYPE(Keys_Type, "MapKeys")
VIEW_TYPE(Values_Type, "MapValues")
VIEW_TYPE(Items_Type, "MapItems")

static PyObject *
iter_new(MapObject *map, int kind)
{
    IterObject *it = PyObject_GC_New(IterObject, &Iter_Type);
    if (it == NULL) {
        return NULL;
    }
    it->map = (MapObject *)Py_NewRef(map);
    it->kind = kind;
    it->left = map->root->count;
    march_hamt_iter_init(&it->it, map->root);
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static void
iter_dealloc(IterObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->map);
    PyObject_GC_Del(self);
}

static int
iter_traverse(IterObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->map);
    return 0;
}

static PyObject *
iter_next(IterObject *self)
{
    PyObject *key, *value;
    if (self->map == NULL
        || !march_hamt_iter_next(&self->it, &key, &value)) {
        Py_CLEAR(self->map);
        return NULL;
    }
    self->left--;
    switch (self->kind) {
    case VIEW_KEYS:
        return Py_NewRef(key);
    case VIEW_VALUES:
        return Py_NewRef(value);
    default:
        return PyTuple_Pack(2, key, value);
    }
}

static PyObject *
iter_length_hint(IterObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSsize_t(self->map == NULL ? 0 : self->left);
}

static PyMethodDef iter_methods[] = {
    {"__length_hint__", (PyCFunction)iter_length_hint, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject Iter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.MapIterator",
    .tp_basicsize = sizeof(IterObject),
    .tp_dealloc = (destructor)iter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)iter_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)iter_next,
    .tp_methods = iter_methods,
};

/* ------------------------------------------------------------------ */
/* module                                                              */

static int
register_mapping(PyObject *module)
{
    PyObject *abc = PyImport_ImportModule("collections.abc");
    PyObject *res;
    if (abc == NULL) {
        return -1;
    }
    mapping_abc = PyObject_GetAttrString(abc, "Mapping");
    Py_DECREF(abc);
    if (mapping_abc == NULL) {
        return -1;
    }
    res = PyObject_CallMethod(mapping_abc, "register", "O",
                              (PyObject *)&Map_Type);
    if (res == NULL) {
        return -1;
    }
    Py_DECREF(res);
    (void)module;
    return 0;
}

static struct PyModuleDef hamt_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "march._hamt",
    .m_doc = "march's persistent hash map (HAMT), C core",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__hamt(void)
{
    PyObject *m;
    if (march_hamt_ready() < 0) {
        return NULL;
    }
    if (PyType_Ready(&Map_Type) < 0 || PyType_Ready(&Mutation_Type) < 0
        || PyType_Ready(&Keys_Type) < 0 || PyType_Ready(&Values_Type) < 0
        || PyType_Ready(&Items_Type) < 0 || PyType_Ready(&Iter_Type) < 0) {
        return NULL;
    }
    m = PyModule_Create(&hamt_module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "Map", (PyObject *)&Map_Type) < 0
        || PyModule_AddObjectRef(m, "MapMutation",
                                 (PyObject *)&Mutation_Type) < 0
        || PyModule_AddObjectRef(m, "MapKeys", (PyObject *)&Keys_Type) < 0
        || PyModule_AddObjectRef(m, "MapValues",
                                 (PyObject *)&Values_Type) < 0
        || PyModule_AddObjectRef(m, "MapItems", (PyObject *)&Items_Type) < 0
        || register_mapping(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
