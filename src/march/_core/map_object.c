/*
 * map_object.c -- the Python types of march.Map (module march._hamt): Map,
 * MapMutation, the views MapKeys, MapValues, MapItems, and all of Map's
 * methods, its algebra included (union, intersection, difference,
 * symmetric_difference, diff, from_keys, filter, map_values).  The
 * algorithms are in hamt.c (one trie) and hamt_walk.c (two tries); the glue
 * Map shares with Set (slots, debugging methods, building roots, the
 * iterator, ABSENT) in hamt_object.c.
 *
 *   Map           {root, cached hash (-1: not yet), weakreflist}.  Immutable.
 *                 GC-tracked only when its root node is (the root never
 *                 changes), see the GC policy in hamt_node.c / common.h.
 *                 Subclassable: every derivation of a subclass instance is
 *                 of its type (map_result); see above Map_Type.
 *   MapMutation   {root, owner (0 once finished), busy, orig (the source
 *                 map when a subclass instance, whose type finish() makes;
 *                 else NULL), weakreflist}: a transient (hamt_object.h).
 *                 Always GC-tracked.  Not subclassable.
 *                 MapMutation.update() is atomic: on an error the mutation
 *                 keeps its previous root.
 *   MapKeys, MapValues, MapItems   views over a Map.
 *
 * The Map algebra takes a Map (or, for intersection/difference, a Set of
 * keys) structurally; another mapping is first made into a Map (for
 * intersection and difference, another iterable into a Set of keys).  Every
 * multi-step operation takes a fresh owner id per structural step: the walk
 * of hamt_walk.c reads its inputs while it edits the result in place, so an
 * input must hold no node of the result's owner.
 *
 * May include: hamt_object.h (hamt_walk.h, hamt_check.h, hamt.h,
 * hamt_node.h, common.h), docstrings.h (generated, a leaf).
 */
#include "hamt_object.h"
#include "docstrings.h"
#include <stddef.h>

typedef MarchHamtObject MapObject;
typedef MarchHamtTransient MutationObject;

static PyTypeObject Map_Type;
static PyTypeObject MapMutation_Type;
static PyTypeObject MapKeys_Type;
static PyTypeObject MapValues_Type;
static PyTypeObject MapItems_Type;

static PyObject *map_abc_mapping = NULL;    /* collections.abc.Mapping */

typedef struct {
    PyObject_HEAD
    MapObject *map;
} MapViewObject;

/* a Map or a subclass instance: the layout of a Map */
#define Map_Check(o) PyObject_TypeCheck((o), &Map_Type)
#define Map_CheckExact(o) Py_IS_TYPE((o), &Map_Type)
#define Mutation_Check(o) PyObject_TypeCheck((o), &MapMutation_Type)

/* ------------------------------------------------------------------ */
/* Map allocation                                                      */

/* A free list of exact Map objects (untracked GC objects allocated by
 * PyObject_GC_New, linked through `root`): a persistent set/delete makes a
 * Map and usually drops the previous one.  GIL builds only (common.h). */
#define MAP_FREELIST_DEPTH 64
#define MAP_FREELIST_LINK offsetof(MapObject, root)
static MarchFreeList map_freelist;

/* A new map of `type` (Map or a subclass) over `root` (stolen): the exact
 * Map from the free list (GC-tracked only when its root is), a subclass
 * instance by its tp_alloc (which GC-tracks it: its __dict__ may hold
 * anything). */
static PyObject *
map_from_root(PyTypeObject *type, MarchBitmapNode *root)
{
    MapObject *m;
    if (type == &Map_Type) {
        m = MARCH_FREELISTS
            ? (MapObject *)march_freelist_take(&map_freelist, MAP_FREELIST_LINK,
                                               sizeof(MapObject))
            : NULL;
        if (m != NULL) {
            PyObject_Init((PyObject *)m, &Map_Type);
        }
        else {
            m = PyObject_GC_New(MapObject, &Map_Type);
            if (m == NULL) {
                Py_DECREF(root);
                return NULL;
            }
        }
        march_hamt_object_init(m, root, 1);
        return (PyObject *)m;
    }
    m = (MapObject *)type->tp_alloc(type, 0);
    if (m == NULL) {
        Py_DECREF(root);
        return NULL;
    }
    march_hamt_object_init(m, root, 0);
    return (PyObject *)m;
}

/* the map for a result root (stolen), of the type of self (a subclass
 * instance's derivations are of its type): self when unchanged */
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
    return map_from_root(Py_TYPE(self), r);
}

/* ------------------------------------------------------------------ */
/* Map                                                                 */

static PyObject *
map_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *col = NULL;
    MarchBitmapNode *root, *empty;
    int has_kw = kwds != NULL && PyDict_GET_SIZE(kwds) > 0;

    if (!PyArg_UnpackTuple(args, "Map", 0, 1, &col)) {
        return NULL;
    }
    if (col != NULL && Map_Check(col) && !has_kw) {
        /* a new Map sharing the root (immutables: Map(m) is not m) */
        MapObject *src = (MapObject *)col, *m;
        Py_INCREF(src->root);
        m = (MapObject *)map_from_root(type, src->root);
        if (m != NULL) {
            m->hash = MARCH_ATOMIC_LOAD_SSIZE(&src->hash);
        }
        return (PyObject *)m;
    }
    empty = march_hamt_node_empty_root();
    if (col == NULL && !has_kw) {
        return map_from_root(type, empty);
    }
    root = march_hamt_object_update(empty, col, kwds,
                                    march_hamt_node_new_owner());
    Py_DECREF(empty);
    if (root == NULL) {
        return NULL;
    }
    return map_from_root(type, root);
}

static void
map_dealloc(MapObject *self)
{
    if (!march_gc_is_tracked((PyObject *)self)
            && Py_IS_TYPE(self, &Map_Type)) {
        /* an untracked exact Map: its root holds only atomic objects, so
         * releasing it cannot recurse deeply (no trashcan needed) */
        if (self->weakreflist != NULL) {
            PyObject_ClearWeakRefs((PyObject *)self);
        }
        Py_CLEAR(self->root);
        if (!MARCH_FREELISTS
                || !march_freelist_put(&map_freelist, self, MAP_FREELIST_LINK,
                                sizeof(MapObject), MAP_FREELIST_DEPTH)) {
            PyObject_GC_Del(self);
        }
        return;
    }
    march_hamt_object_dealloc_as((PyObject *)self, (destructor)map_dealloc);
}

static PyObject *
map_subscript(MapObject *self, PyObject *key)
{
    uint64_t h;
    PyObject *v;
    int r;
    if (march_hamt_hash(key, &h) < 0) {
        return NULL;
    }
    r = march_hamt_find_inline(self->root, key, h, &v);
    if (r > 0) {
        Py_INCREF(v);
        return v;
    }
    if (r == 0) {
        march_hamt_object_key_error(key);
    }
    return NULL;
}

static int
map_contains(MapObject *self, PyObject *key)
{
    uint64_t h;
    PyObject *v;
    if (march_hamt_hash(key, &h) < 0) {
        return -1;
    }
    return march_hamt_find_inline(self->root, key, h, &v);
}

static PyObject *
map_get(MapObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t h;
    PyObject *v, *dflt = Py_None;
    int r;
    if (!march_check_positional("get", nargs, 1, 2)) {
        return NULL;
    }
    if (nargs == 2) {
        dflt = args[1];
    }
    if (march_hamt_hash(args[0], &h) < 0) {
        return NULL;
    }
    r = march_hamt_find(self->root, args[0], h, &v);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        v = dflt;
    }
    Py_INCREF(v);
    return v;
}

static PyObject *
map_set(MapObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t h;
    int added;
    MarchBitmapNode *nr;
    if (!march_check_positional("set", nargs, 2, 2)) {
        return NULL;
    }
    if (march_hamt_hash(args[0], &h) < 0) {
        return NULL;
    }
    nr = march_hamt_assoc(self->root, args[0], h, args[1], 0, &added);
    return map_result(self, nr);
}

static PyObject *
map_delete(PyObject *self, PyObject *key)
{
    return march_hamt_object_without(self, key, map_from_root, 1);
}

static PyObject *
map_discard(PyObject *self, PyObject *key)
{
    return march_hamt_object_without(self, key, map_from_root, 0);
}

static PyObject *
map_update(MapObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *col = NULL;
    MarchBitmapNode *nr;
    if (!PyArg_UnpackTuple(args, "update", 0, 1, &col)) {
        return NULL;
    }
    if ((col == NULL || col == Py_None)
            && (kwds == NULL || PyDict_GET_SIZE(kwds) == 0)) {
        Py_INCREF(self);
        return (PyObject *)self;
    }
    nr = march_hamt_object_update(self->root, col, kwds,
                                  march_hamt_node_new_owner());
    return map_result(self, nr);
}

static PyObject *
map_or(PyObject *a, PyObject *b)
{
    MapObject *m;
    MarchBitmapNode *nr;
    if (!Map_Check(a)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    /* the result is of the type of the left operand: the slot is also
     * tried reflected (a | m with m a Map), which is not a Map operation */
    m = (MapObject *)a;
    if (Map_Check(b)) {
        MapObject *o = (MapObject *)b;
        if (o->root->count == 0) {
            Py_INCREF(a);
            return a;
        }
        /* b itself only when it is of that very type */
        if (m->root->count == 0 && Py_IS_TYPE(b, Py_TYPE(a))) {
            Py_INCREF(b);
            return b;
        }
    }
    else if (!PyDict_Check(b)) {
        int r = PyObject_IsInstance(b, map_abc_mapping);
        if (r < 0) {
            return NULL;
        }
        if (!r) {
            Py_RETURN_NOTIMPLEMENTED;
        }
    }
    nr = march_hamt_object_update(m->root, b, NULL,
                                  march_hamt_node_new_owner());
    return map_result(m, nr);
}

static PyObject *mapmutation_new(MapObject *src);

static PyObject *
map_mutate(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return mapmutation_new(self);
}

static PyObject *
mapview_new(PyTypeObject *type, MapObject *map)
{
    MapViewObject *v = PyObject_GC_New(MapViewObject, type);
    if (v == NULL) {
        return NULL;
    }
    Py_INCREF(map);
    v->map = map;
    if (march_gc_is_tracked((PyObject *)map)) {
        PyObject_GC_Track(v);
    }
    return (PyObject *)v;
}

static PyObject *
map_keys(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return mapview_new(&MapKeys_Type, self);
}

static PyObject *
map_values(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return mapview_new(&MapValues_Type, self);
}

static PyObject *
map_items(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return mapview_new(&MapItems_Type, self);
}

static PyObject *
map_iter(MapObject *self)
{
    return march_hamt_iterator_new(self->root, MARCH_HAMT_ITER_KEYS);
}

static PyObject *
map_entries_dict(MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *k, *v, *d = PyDict_New();
    if (d == NULL) {
        return NULL;
    }
    Py_INCREF(root);
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &k, &v)) {
        if (PyDict_SetItem(d, k, v) < 0) {
            Py_DECREF(root);
            Py_DECREF(d);
            return NULL;
        }
    }
    Py_DECREF(root);
    return d;
}

static PyObject *
map_reduce(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *d = map_entries_dict(self->root);
    if (d == NULL) {
        return NULL;
    }
    if (!Map_CheckExact(self)) {
        return march_reduce_subclass((PyObject *)self,
                                     Py_BuildValue("(N)", d));
    }
    return Py_BuildValue("O(N)", (PyObject *)Py_TYPE(self), d);
}

static Py_hash_t
map_hash(MapObject *self)
{
    /* the cache is read and written atomically: threads hash one Map at
     * once, and each computes the same value (common.h) */
    Py_hash_t cached = MARCH_ATOMIC_LOAD_SSIZE(&self->hash);
    if (cached == -1) {
        /* values may be maps nested arbitrarily deep: no C stack overflow */
        MarchBitmapNode *root = self->root;
        Py_hash_t h;
        if (Py_EnterRecursiveCall(" while hashing a march.Map")) {
            return -1;
        }
        /* the keys' and values' __hash__ run meanwhile: own the root */
        Py_INCREF(root);
        h = march_hamt_hash_entries(root);
        Py_DECREF(root);
        Py_LeaveRecursiveCall();
        MARCH_ATOMIC_STORE_SSIZE(&self->hash, h);
        return h;
    }
    return cached;
}

static PyObject *
map_richcompare(PyObject *a, PyObject *b, int op)
{
    MapObject *x, *y;
    Py_hash_t hx, hy;
    int r;
    if (!Map_Check(b) || (op != Py_EQ && op != Py_NE)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    x = (MapObject *)a;
    y = (MapObject *)b;
    hx = MARCH_ATOMIC_LOAD_SSIZE(&x->hash);
    hy = MARCH_ATOMIC_LOAD_SSIZE(&y->hash);
    if (x->root->count != y->root->count
            || (hx != -1 && hy != -1 && hx != hy)) {
        r = 0;
    }
    else {
        MarchBitmapNode *ra = x->root, *rb = y->root;
        Py_INCREF(ra);
        Py_INCREF(rb);
        r = march_hamt_equal(ra, rb);
        Py_DECREF(ra);
        Py_DECREF(rb);
        if (r < 0) {
            return NULL;
        }
    }
    return PyBool_FromLong(op == Py_EQ ? r : !r);
}

/* "prefix({k!r: v!r, ...})"; the caller guards recursion */
static PyObject *
map_entries_repr(const char *prefix, MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *k, *v, *parts, *sep = NULL, *body = NULL, *res = NULL;
    /* values may be maps nested arbitrarily deep, and one level of this
     * repr takes more C stack than the interpreter's own recursion limit
     * allows for (3.13 counts C calls, not stack): count it too */
    if (Py_EnterRecursiveCall(" while getting the repr of a march.Map")) {
        return NULL;
    }
    parts = PyList_New(0);
    if (parts == NULL) {
        Py_LeaveRecursiveCall();
        return NULL;
    }
    Py_INCREF(root);
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &k, &v)) {
        PyObject *s = PyUnicode_FromFormat("%R: %R", k, v);
        if (s == NULL || PyList_Append(parts, s) < 0) {
            Py_XDECREF(s);
            goto done;
        }
        Py_DECREF(s);
    }
    sep = PyUnicode_FromString(", ");
    if (sep == NULL) {
        goto done;
    }
    body = PyUnicode_Join(sep, parts);
    if (body == NULL) {
        goto done;
    }
    res = PyUnicode_FromFormat("%s({%U})", prefix, body);
done:
    Py_LeaveRecursiveCall();
    Py_DECREF(root);
    Py_DECREF(parts);
    Py_XDECREF(sep);
    Py_XDECREF(body);
    return res;
}

/* "march.Map(...)", or "Sub(...)" with a subclass's __name__ */
static PyObject *
map_repr(MapObject *self)
{
    PyObject *res, *name;
    const char *prefix;
    int r = Py_ReprEnter((PyObject *)self);
    if (r != 0) {
        return r > 0 ? PyUnicode_FromString("{...}") : NULL;
    }
    name = march_repr_name((PyObject *)self, &Map_Type, "march.Map");
    /* valid while `name` is held */
    prefix = name != NULL ? PyUnicode_AsUTF8(name) : NULL;
    if (prefix == NULL) {
        Py_XDECREF(name);
        Py_ReprLeave((PyObject *)self);
        return NULL;
    }
    res = map_entries_repr(prefix, self->root);
    Py_DECREF(name);
    Py_ReprLeave((PyObject *)self);
    return res;
}

/* ------------------------------------------------------------------ */
/* the Map algebra                                                     */

static int
map_check_combine(PyObject *combine)
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
    if (Map_Check(other)) {
        r = ((MapObject *)other)->root;
        Py_INCREF(r);
        return r;
    }
    if (march_hamt_object_is_set(other)) {
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
map_keys_root_of(PyObject *other, const char *meth)
{
    int r;
    if (Map_Check(other) || march_hamt_object_is_set(other)) {
        MarchBitmapNode *root = ((MapObject *)other)->root;
        Py_INCREF(root);
        return root;
    }
    r = PyObject_IsInstance(other, map_abc_mapping);
    if (r < 0) {
        return NULL;
    }
    if (r) {
        return map_root_of(other, meth);
    }
    return march_hamt_object_set_root(other);
}

/* self <op> b, b a new reference to a root (released; NULL: an error is
 * set) */
static PyObject *
map_algebra(MapObject *self, int op, MarchBitmapNode *b, PyObject *combine)
{
    MarchBitmapNode *a = self->root, *r;
    if (b == NULL) {
        return NULL;
    }
    Py_INCREF(a);
    r = march_hamt_object_algebra(op, a, b, combine, 1);
    Py_DECREF(a);
    Py_DECREF(b);
    return map_result(self, r);
}

/* union(other, /, combine=None), intersection(...): the argument parsing */
static int
map_algebra_args(PyObject *args, PyObject *kwds, const char *format,
                 PyObject **other, PyObject **combine)
{
    static char *kwlist[] = {"", "combine", NULL};
    *combine = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, format, kwlist, other,
                                     combine)
            || map_check_combine(*combine) < 0) {
        return -1;
    }
    return 0;
}

static PyObject *
map_union(MapObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *other, *combine;
    if (map_algebra_args(args, kwds, "O|O:union", &other, &combine) < 0) {
        return NULL;
    }
    return map_algebra(self, MARCH_HAMT_OP_UNION,
                       map_root_of(other, "union"), combine);
}

static PyObject *
map_intersection(MapObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *other, *combine;
    if (map_algebra_args(args, kwds, "O|O:intersection", &other,
                         &combine) < 0) {
        return NULL;
    }
    return map_algebra(self, MARCH_HAMT_OP_INTERSECTION,
                       map_keys_root_of(other, "intersection"), combine);
}

static PyObject *
map_difference(MapObject *self, PyObject *other)
{
    return map_algebra(self, MARCH_HAMT_OP_DIFFERENCE,
                       map_keys_root_of(other, "difference"), Py_None);
}

static PyObject *
map_symmetric_difference(MapObject *self, PyObject *other)
{
    return map_algebra(self, MARCH_HAMT_OP_SYMMETRIC_DIFFERENCE,
                       map_root_of(other, "symmetric_difference"), Py_None);
}

static PyObject *
map_diff(MapObject *self, PyObject *other)
{
    if (!Map_Check(other)) {
        PyErr_Format(PyExc_TypeError, "Map.diff() needs a Map, not %.200s",
                     Py_TYPE(other)->tp_name);
        return NULL;
    }
    return march_hamt_object_diff(self->root, MARCH_HAMT_ROOT(other), 0);
}

static PyObject *
map_from_keys(PyObject *cls, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"", "value", NULL};
    PyObject *iterable, *value = Py_None, *it, *item;
    MarchBitmapNode *r;
    uint64_t owner = march_hamt_node_new_owner();
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:from_keys", kwlist,
                                     &iterable, &value)) {
        return NULL;
    }
    it = PyObject_GetIter(iterable);
    if (it == NULL) {
        return NULL;
    }
    r = march_hamt_node_empty_root();
    while ((item = PyIter_Next(it)) != NULL) {
        int rc = march_hamt_root_assoc(&r, item, NULL, value, owner);
        Py_DECREF(item);
        if (rc < 0) {
            Py_DECREF(it);
            Py_DECREF(r);
            return NULL;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        Py_DECREF(r);
        return NULL;
    }
    return map_from_root((PyTypeObject *)cls, r);
}

/* filter (fn = pred(key, value): keep when true) or map_values (fn(value)) */
static PyObject *
map_transform(MapObject *self, PyObject *fn, int filter)
{
    MarchHamtIter it;
    PyObject *k, *v;
    MarchBitmapNode *src = self->root, *r = self->root;
    uint64_t owner = march_hamt_node_new_owner();
    Py_INCREF(src);
    Py_INCREF(r);
    march_hamt_iter_init(&it, src);
    while (march_hamt_iter_next(&it, &k, &v)) {
        PyObject *res;
        int rc;
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
            rc = march_hamt_root_without(&r, k, NULL, owner);
        }
        else {
            rc = march_hamt_root_assoc(&r, k, NULL, res, owner);
            Py_DECREF(res);
        }
        if (rc < 0) {
            goto fail;
        }
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

static PyObject *
map_filter(MapObject *self, PyObject *pred)
{
    return map_transform(self, pred, 1);
}

static PyObject *
map_map_values(MapObject *self, PyObject *fn)
{
    return map_transform(self, fn, 0);
}

static PyMethodDef map_methods[] = {
    {"set", (PyCFunction)(void (*)(void))map_set, METH_FASTCALL,
     MARCH_DOC_Map_set},
    {"get", (PyCFunction)(void (*)(void))map_get, METH_FASTCALL,
     MARCH_DOC_Map_get},
    {"delete", map_delete, METH_O, MARCH_DOC_Map_delete},
    {"discard", map_discard, METH_O, MARCH_DOC_Map_discard},
    {"update", (PyCFunction)(void (*)(void))map_update,
     METH_VARARGS | METH_KEYWORDS, MARCH_DOC_Map_update},
    {"union", (PyCFunction)(void (*)(void))map_union,
     METH_VARARGS | METH_KEYWORDS, MARCH_DOC_Map_union},
    {"intersection", (PyCFunction)(void (*)(void))map_intersection,
     METH_VARARGS | METH_KEYWORDS, MARCH_DOC_Map_intersection},
    {"difference", (PyCFunction)map_difference, METH_O,
     MARCH_DOC_Map_difference},
    {"symmetric_difference", (PyCFunction)map_symmetric_difference,
     METH_O, MARCH_DOC_Map_symmetric_difference},
    {"diff", (PyCFunction)map_diff, METH_O, MARCH_DOC_Map_diff},
    {"from_keys", (PyCFunction)(void (*)(void))map_from_keys,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS, MARCH_DOC_Map_from_keys},
    {"filter", (PyCFunction)map_filter, METH_O, MARCH_DOC_Map_filter},
    {"map_values", (PyCFunction)map_map_values, METH_O,
     MARCH_DOC_Map_map_values},
    /* one C function, two names: each name has its own text */
    {"mutate", (PyCFunction)map_mutate, METH_NOARGS, MARCH_DOC_Map_mutate},
    {"evolver", (PyCFunction)map_mutate, METH_NOARGS, MARCH_DOC_Map_evolver},
    {"keys", (PyCFunction)map_keys, METH_NOARGS, MARCH_DOC_Map_keys},
    {"values", (PyCFunction)map_values, METH_NOARGS, MARCH_DOC_Map_values},
    {"items", (PyCFunction)map_items, METH_NOARGS, MARCH_DOC_Map_items},
    {"__reduce__", (PyCFunction)map_reduce, METH_NOARGS, NULL},
    {"_stats", march_hamt_object_stats, METH_NOARGS,
     "node statistics (for the design measurements)"},
    MARCH_HAMT_PERSISTENT_METHODS,
    {NULL, NULL, 0, NULL}
};

static PyMappingMethods map_as_mapping = {
    .mp_length = march_hamt_object_length,
    .mp_subscript = (binaryfunc)map_subscript,
};

static PySequenceMethods map_as_sequence = {
    .sq_contains = (objobjproc)map_contains,
};

static PyNumberMethods map_as_number = {
    .nb_or = map_or,
};

/* The docstrings are written once, for C and twin, in
 * src/march/_docstrings.py (-> docstrings.h, tools/gen_docstrings.py).
 * The subclass rule (as Set's and Vector's): Sub(...) and
 * Sub.from_keys(...) make a Sub, and so does every operation of a Sub that
 * changes the map (set, delete, discard, update, | with it on the left,
 * the algebra, filter, map_values, mutate().finish(), pickling): the
 * result is of type(self) (map_result, map_from_root).  One that changes
 * nothing returns the map itself.  Sub(m) of any Map shares m's trie in
 * O(1).  Only the exact Map uses the free list; a subclass instance is
 * always GC-tracked (its __dict__ may hold anything), and heap subclasses
 * are deallocated and traversed by subtype_dealloc/subtype_traverse, which
 * call map_dealloc (-> march_hamt_object_dealloc_as, by tp_free) and
 * march_hamt_object_traverse after the __dict__. */
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
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
                | Py_TPFLAGS_MAPPING,
    .tp_doc = MARCH_DOC_Map,
    .tp_traverse = march_hamt_object_traverse,
    .tp_clear = march_hamt_object_clear,
    .tp_richcompare = map_richcompare,
    .tp_weaklistoffset = offsetof(MapObject, weakreflist),
    .tp_iter = (getiterfunc)map_iter,
    .tp_methods = map_methods,
    .tp_new = map_new,
    .tp_free = PyObject_GC_Del,
};

/* ------------------------------------------------------------------ */
/* MapMutation                                                         */

/* a mutation over src's root; `orig` keeps a subclass instance (the type
 * finish() makes), NULL for an exact Map */
static PyObject *
mapmutation_new(MapObject *src)
{
    return march_hamt_transient_new(&MapMutation_Type, src->root,
                                    Map_CheckExact(src) ? NULL : src);
}

#define MAPMUTATION(o) ((MarchHamtTransient *)(o))

static int
mapmutation_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    int r;
    if (value != NULL) {
        return march_hamt_transient_assoc(MAPMUTATION(self), key, value);
    }
    r = march_hamt_transient_without(MAPMUTATION(self), key, NULL);
    if (r == 0) {
        march_hamt_object_key_error(key);
        return -1;
    }
    return r < 0 ? -1 : 0;
}

static PyObject *
mapmutation_subscript(PyObject *self, PyObject *key)
{
    PyObject *v;
    int r = march_hamt_transient_find(MAPMUTATION(self), key, &v);
    if (r > 0) {
        return v;
    }
    if (r == 0) {
        march_hamt_object_key_error(key);
    }
    return NULL;
}

static PyObject *
mapmutation_set(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!march_check_positional("set", nargs, 2, 2)) {
        return NULL;
    }
    if (march_hamt_transient_assoc(MAPMUTATION(self), args[0], args[1]) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
mapmutation_delete(PyObject *self, PyObject *key)
{
    int r = march_hamt_transient_without(MAPMUTATION(self), key, NULL);
    if (r == 0) {
        march_hamt_object_key_error(key);
    }
    if (r <= 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
mapmutation_get(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *v;
    int r;
    if (!march_check_positional("get", nargs, 1, 2)) {
        return NULL;
    }
    r = march_hamt_transient_find(MAPMUTATION(self), args[0], &v);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        v = nargs == 2 ? args[1] : Py_None;
        Py_INCREF(v);
    }
    return v;
}

static PyObject *
mapmutation_pop(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *v;
    int r;
    if (!march_check_positional("pop", nargs, 1, 2)) {
        return NULL;
    }
    r = march_hamt_transient_without(MAPMUTATION(self), args[0], &v);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        if (nargs == 2) {
            Py_INCREF(args[1]);
            return args[1];
        }
        march_hamt_object_key_error(args[0]);
        return NULL;
    }
    return v;
}

static PyObject *
mapmutation_update(PyObject *op, PyObject *args, PyObject *kwds)
{
    MutationObject *self = MAPMUTATION(op);
    PyObject *col = NULL;
    MarchBitmapNode *nr, *old;
    uint64_t owner;
    if (!PyArg_UnpackTuple(args, "update", 0, 1, &col)) {
        return NULL;
    }
    if (march_hamt_transient_writable(self) < 0) {
        return NULL;
    }
    if ((col == NULL || col == Py_None)
            && (kwds == NULL || PyDict_GET_SIZE(kwds) == 0)) {
        Py_RETURN_NONE;
    }
    /* atomic: build with a fresh owner (never editing this mutation's own
     * nodes), adopt the result and its owner only on success */
    owner = march_hamt_node_new_owner();
    old = self->root;
    Py_INCREF(old);
    self->busy++;
    nr = march_hamt_object_update(old, col, kwds, owner);
    self->busy--;
    Py_DECREF(old);
    if (nr == NULL) {
        return NULL;
    }
    if (nr != self->root) {
        self->owner = owner;
    }
    Py_SETREF(self->root, nr);
    Py_RETURN_NONE;
}

/* finish() and persistent(): the Map of the current contents; the mutation
 * can no longer change */
static PyObject *
mapmutation_finish(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    MutationObject *self = MAPMUTATION(op);
    PyTypeObject *type;
    MapObject *m;
    if (march_transient_idle(self->busy, "MapMutation") < 0) {
        return NULL;
    }
    /* make the Map first: if that fails the mutation stays open, with its
     * contents, and may be edited or finished again.  The allocation may
     * run a collection, hence finalizers and gc.callbacks: `busy` keeps
     * them from editing the root being handed over (in place, or by
     * replacing it, which the Map would not see) */
    /* the type of the source map (a subclass's is kept alive by its
     * instances: hold it across the allocation) */
    type = self->orig != NULL ? Py_TYPE(self->orig) : &Map_Type;
    Py_INCREF(type);
    Py_INCREF(self->root);
    self->busy++;
    m = (MapObject *)map_from_root(type, self->root);
    self->busy--;
    Py_DECREF(type);
    if (m != NULL) {
        self->owner = 0;
    }
    return (PyObject *)m;
}

static PyObject *
mapmutation_exit(PyObject *self, PyObject *Py_UNUSED(args))
{
    return march_hamt_transient_exit(self, mapmutation_finish);
}

static PyObject *
mapmutation_richcompare(PyObject *a, PyObject *b, int op)
{
    MarchBitmapNode *ra, *rb;
    MutationObject *x = MAPMUTATION(a);
    int r;
    if (op != Py_EQ && op != Py_NE) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (Mutation_Check(b)) {
        rb = MAPMUTATION(b)->root;
    }
    else if (Map_Check(b)) {
        rb = ((MapObject *)b)->root;
    }
    else {
        Py_RETURN_NOTIMPLEMENTED;
    }
    ra = x->root;
    Py_INCREF(ra);
    Py_INCREF(rb);
    x->busy++;
    if (Mutation_Check(b)) {
        MAPMUTATION(b)->busy++;
    }
    r = march_hamt_equal(ra, rb);
    x->busy--;
    if (Mutation_Check(b)) {
        MAPMUTATION(b)->busy--;
    }
    Py_DECREF(ra);
    Py_DECREF(rb);
    if (r < 0) {
        return NULL;
    }
    return PyBool_FromLong(op == Py_EQ ? r : !r);
}

static PyObject *
mapmutation_repr(PyObject *self)
{
    PyObject *res;
    int r = Py_ReprEnter(self);
    if (r != 0) {
        return r > 0 ? PyUnicode_FromString("{...}") : NULL;
    }
    MAPMUTATION(self)->busy++;
    res = map_entries_repr("march.MapMutation", MAPMUTATION(self)->root);
    MAPMUTATION(self)->busy--;
    Py_ReprLeave(self);
    return res;
}

/* Every slot and method of a MapMutation runs in a critical section on
 * it (common.h, MARCH_LOCKED): threads that share one are serialised
 * (docs/threads.md). */
MARCH_LOCKED(int, mapmutation_ass_subscript_locked, mapmutation_ass_subscript,
             (PyObject *self, PyObject *key, PyObject *value),
             (self, key, value))
MARCH_LOCKED(PyObject *, mapmutation_subscript_locked, mapmutation_subscript,
             (PyObject *self, PyObject *key), (self, key))
MARCH_LOCKED(PyObject *, mapmutation_set_locked, mapmutation_set,
             (PyObject *self, PyObject *const *args, Py_ssize_t nargs),
             (self, args, nargs))
MARCH_LOCKED(PyObject *, mapmutation_get_locked, mapmutation_get,
             (PyObject *self, PyObject *const *args, Py_ssize_t nargs),
             (self, args, nargs))
MARCH_LOCKED(PyObject *, mapmutation_delete_locked, mapmutation_delete,
             (PyObject *self, PyObject *key), (self, key))
MARCH_LOCKED(PyObject *, mapmutation_pop_locked, mapmutation_pop,
             (PyObject *self, PyObject *const *args, Py_ssize_t nargs),
             (self, args, nargs))
MARCH_LOCKED(PyObject *, mapmutation_update_locked, mapmutation_update,
             (PyObject *self, PyObject *args, PyObject *kwds),
             (self, args, kwds))
MARCH_LOCKED(PyObject *, mapmutation_finish_locked, mapmutation_finish,
             (PyObject *self, PyObject *unused), (self, unused))
MARCH_LOCKED(PyObject *, mapmutation_exit_locked, mapmutation_exit,
             (PyObject *self, PyObject *args), (self, args))
MARCH_LOCKED(PyObject *, mapmutation_repr_locked, mapmutation_repr,
             (PyObject *self), (self))

/* == locks both sides when both are mutations */
static PyObject *
mapmutation_richcompare_locked(PyObject *self, PyObject *b, int op)
{
    PyObject *r;
    if (Mutation_Check(b) && b != self) {
        MARCH_BEGIN_CRITICAL_SECTION2(self, b);
        r = mapmutation_richcompare(self, b, op);
        MARCH_END_CRITICAL_SECTION2();
    }
    else {
        MARCH_BEGIN_CRITICAL_SECTION(self);
        r = mapmutation_richcompare(self, b, op);
        MARCH_END_CRITICAL_SECTION();
    }
    return r;
}

static PyMethodDef mapmutation_methods[] = {
    {"set", (PyCFunction)(void (*)(void))mapmutation_set_locked, METH_FASTCALL,
     MARCH_DOC_MapMutation_set},
    {"get", (PyCFunction)(void (*)(void))mapmutation_get_locked, METH_FASTCALL,
     MARCH_DOC_MapMutation_get},
    {"delete", (PyCFunction)mapmutation_delete_locked, METH_O,
     MARCH_DOC_MapMutation_delete},
    {"pop", (PyCFunction)(void (*)(void))mapmutation_pop_locked, METH_FASTCALL,
     MARCH_DOC_MapMutation_pop},
    {"update", (PyCFunction)(void (*)(void))mapmutation_update_locked,
     METH_VARARGS | METH_KEYWORDS, MARCH_DOC_MapMutation_update},
    /* one C function, two names: each name has its own text */
    {"finish", mapmutation_finish_locked, METH_NOARGS, MARCH_DOC_MapMutation_finish},
    {"persistent", mapmutation_finish_locked, METH_NOARGS,
     MARCH_DOC_MapMutation_persistent},
    {"__exit__", mapmutation_exit_locked, METH_VARARGS, NULL},
    MARCH_HAMT_TRANSIENT_METHODS,
    {NULL, NULL, 0, NULL}
};

static PyMappingMethods mapmutation_as_mapping = {
    .mp_length = march_hamt_transient_length,
    .mp_subscript = mapmutation_subscript_locked,
    .mp_ass_subscript = mapmutation_ass_subscript_locked,
};

static PySequenceMethods mapmutation_as_sequence = {
    .sq_contains = march_hamt_transient_contains,
};

/* Re-entrance: while one of its operations walks the trie (a key's
 * __eq__, a __repr__, a finalizer run by a collection), any change or
 * finish() raises RuntimeError; a key's __hash__ runs before the walk, and
 * each edit checks after it that the mutation is not finished
 * (ValueError).  MapMutation cannot be subclassed, pickled or copied
 * (TypeError). */
static PyTypeObject MapMutation_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.MapMutation",
    .tp_basicsize = sizeof(MutationObject),
    .tp_dealloc = march_hamt_transient_dealloc,
    .tp_repr = mapmutation_repr_locked,
    .tp_as_sequence = &mapmutation_as_sequence,
    .tp_as_mapping = &mapmutation_as_mapping,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = MARCH_DOC_MapMutation,
    .tp_traverse = march_hamt_transient_traverse,
    .tp_clear = march_hamt_transient_clear,
    .tp_richcompare = mapmutation_richcompare_locked,
    .tp_weaklistoffset = offsetof(MutationObject, weakreflist),
    .tp_methods = mapmutation_methods,
};

/* ------------------------------------------------------------------ */
/* views                                                               */

static int
mapview_traverse(MapViewObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->map);
    return 0;
}

static void
mapview_dealloc(MapViewObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->map);
    PyObject_GC_Del(self);
}

static Py_ssize_t
mapview_length(MapViewObject *self)
{
    return self->map->root->count;
}

static PyObject *
mapkeys_iter(MapViewObject *self)
{
    return march_hamt_iterator_new(self->map->root, MARCH_HAMT_ITER_KEYS);
}

static PyObject *
mapvalues_iter(MapViewObject *self)
{
    return march_hamt_iterator_new(self->map->root, MARCH_HAMT_ITER_VALUES);
}

static PyObject *
mapitems_iter(MapViewObject *self)
{
    return march_hamt_iterator_new(self->map->root, MARCH_HAMT_ITER_ITEMS);
}

static int
mapkeys_contains(MapViewObject *self, PyObject *key)
{
    return map_contains(self->map, key);
}

static int
mapvalues_contains(MapViewObject *self, PyObject *value)
{
    MarchHamtIter it;
    PyObject *k, *v;
    MarchBitmapNode *root = self->map->root;
    int r = 0;
    Py_INCREF(root);
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &k, &v)) {
        r = PyObject_RichCompareBool(v, value, Py_EQ);
        if (r != 0) {
            break;
        }
    }
    Py_DECREF(root);
    return r;
}

static int
mapitems_contains(MapViewObject *self, PyObject *item)
{
    uint64_t h;
    PyObject *v;
    int r;
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
        return 0;
    }
    if (march_hamt_hash(PyTuple_GET_ITEM(item, 0), &h) < 0) {
        return -1;
    }
    r = march_hamt_find(self->map->root, PyTuple_GET_ITEM(item, 0), h, &v);
    if (r <= 0) {
        return r;
    }
    Py_INCREF(v);
    r = PyObject_RichCompareBool(v, PyTuple_GET_ITEM(item, 1), Py_EQ);
    Py_DECREF(v);
    return r;
}

static PyObject *
mapview_repr(MapViewObject *self)
{
    PyObject *lst, *res;
    int r = Py_ReprEnter((PyObject *)self);
    if (r != 0) {
        return r > 0 ? PyUnicode_FromString("...") : NULL;
    }
    lst = PySequence_List((PyObject *)self);
    if (lst == NULL) {
        Py_ReprLeave((PyObject *)self);
        return NULL;
    }
    res = PyUnicode_FromFormat("%s(%R)", march_type_name(Py_TYPE(self)), lst);
    Py_DECREF(lst);
    Py_ReprLeave((PyObject *)self);
    return res;
}

static PyObject *
mapview_mapping(MapViewObject *self, void *Py_UNUSED(closure))
{
    Py_INCREF(self->map);
    return (PyObject *)self->map;
}

static PyGetSetDef mapview_getset[] = {
    {"mapping", (getter)mapview_mapping, NULL, "the Map this view is over",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PySequenceMethods mapkeys_as_sequence = {
    .sq_length = (lenfunc)mapview_length,
    .sq_contains = (objobjproc)mapkeys_contains,
};
static PySequenceMethods mapvalues_as_sequence = {
    .sq_length = (lenfunc)mapview_length,
    .sq_contains = (objobjproc)mapvalues_contains,
};
static PySequenceMethods mapitems_as_sequence = {
    .sq_length = (lenfunc)mapview_length,
    .sq_contains = (objobjproc)mapitems_contains,
};

#define MAPVIEW_TYPE(cname, pyname, seq, iterf)                            \
    static PyTypeObject cname = {                                          \
        PyVarObject_HEAD_INIT(NULL, 0)                                     \
        .tp_name = "march._hamt." pyname,                                  \
        .tp_basicsize = sizeof(MapViewObject),                             \
        .tp_dealloc = (destructor)mapview_dealloc,                         \
        .tp_repr = (reprfunc)mapview_repr,                                 \
        .tp_as_sequence = &seq,                                            \
        .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,               \
        .tp_traverse = (traverseproc)mapview_traverse,                     \
        .tp_iter = (getiterfunc)iterf,                                     \
        .tp_getset = mapview_getset,                                       \
    };

MAPVIEW_TYPE(MapKeys_Type, "MapKeys", mapkeys_as_sequence, mapkeys_iter)
MAPVIEW_TYPE(MapValues_Type, "MapValues", mapvalues_as_sequence,
             mapvalues_iter)
MAPVIEW_TYPE(MapItems_Type, "MapItems", mapitems_as_sequence, mapitems_iter)

/* ------------------------------------------------------------------ */
/* registration                                                        */

int
march_map_register(PyObject *module)
{
    if (PyType_Ready(&Map_Type) < 0 || PyType_Ready(&MapMutation_Type) < 0
            || PyType_Ready(&MapKeys_Type) < 0
            || PyType_Ready(&MapValues_Type) < 0
            || PyType_Ready(&MapItems_Type) < 0) {
        return -1;
    }
    march_hamt_types.map = &Map_Type;
    march_hamt_types.map_mutation = &MapMutation_Type;
    if (map_abc_mapping == NULL) {
        map_abc_mapping = march_hamt_object_register_abc("Mapping",
                                                         &Map_Type);
        if (map_abc_mapping == NULL) {
            return -1;
        }
    }
    if (PyModule_AddObjectRef(module, "Map", (PyObject *)&Map_Type) < 0
            || PyModule_AddObjectRef(module, "MapMutation",
                                     (PyObject *)&MapMutation_Type) < 0
            || PyModule_AddObjectRef(module, "MapKeys",
                                     (PyObject *)&MapKeys_Type) < 0
            || PyModule_AddObjectRef(module, "MapValues",
                                     (PyObject *)&MapValues_Type) < 0
            || PyModule_AddObjectRef(module, "MapItems",
                                     (PyObject *)&MapItems_Type) < 0) {
        return -1;
    }
    return 0;
}
