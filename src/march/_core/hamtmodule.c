/*
 * hamtmodule.c -- the Python types of march.Map (module march._hamt).
 *
 * The algorithms (nodes, find, assoc, without, iteration, equality, the
 * invariant checker) are in hamt.c; this file is the type glue:
 *
 *   Map           {root, cached hash (-1: not yet), weakreflist}.  Immutable.
 *                 GC-tracked only when its root node is (the root never
 *                 changes), see the GC policy in hamt.c / common.h.
 *   MapMutation   {root, owner (0 once finished), busy, weakreflist}.  Always
 *                 GC-tracked (its root may become tracked at any time).
 *                 `busy` counts operations in progress that walk the tree
 *                 (they may call a key's __eq__ or a value's __repr__, or
 *                 allocate: a collection runs finalizers and gc.callbacks);
 *                 a mutating call made from such code would edit nodes in
 *                 place under the walker's feet, so it raises RuntimeError.
 *                 An edit hashes its key before raising `busy`, and checks
 *                 after hashing that the mutation is still open.
 *   MapKeys, MapValues, MapItems   views over a Map.
 *   MapIterator   holds a strong reference to the root it walks.
 *
 * Map.update(), Map(...), m | other and MapMutation.update() build through a
 * private owner id (a fresh transient): in-place edits of the nodes the
 * update itself created, never of shared nodes.  MapMutation.update() is
 * atomic: on an error the mutation keeps its previous root.
 */
#include "hamtmodule.h"   /* MapObject, MutationObject, the Set glue */
#include "hamtset.h"
#include <stddef.h>

static PyTypeObject MapKeys_Type;
static PyTypeObject MapValues_Type;
static PyTypeObject MapItems_Type;
static PyTypeObject MapIterator_Type;

static PyObject *abc_mapping = NULL;    /* collections.abc.Mapping */

typedef struct {
    PyObject_HEAD
    MapObject *map;
} ViewObject;

enum { IT_KEYS = 0, IT_VALUES = 1, IT_ITEMS = 2 };

typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;  /* strong; NULL once cleared */
    MarchHamtIter it;
    Py_ssize_t remaining;
    int kind;
} IterObject;

#define Map_Check(o) PyObject_TypeCheck((o), &Map_Type)
#define Mutation_Check(o) PyObject_TypeCheck((o), &MapMutation_Type)

void
march_key_error(PyObject *key)
{
    PyObject *t = PyTuple_Pack(1, key);
    if (t != NULL) {
        PyErr_SetObject(PyExc_KeyError, t);
        Py_DECREF(t);
    }
}

/* ------------------------------------------------------------------ */
/* Map allocation                                                      */

/* A free list of exact Map objects (untracked GC objects allocated by
 * PyObject_GC_New, linked through `root`): a persistent set/delete makes a
 * Map and usually drops the previous one. */
#define MAP_FREELIST_DEPTH 64
static MapObject *map_free_list = NULL;
static int map_free_len = 0;

/* A new map over `root` (stolen). */
MapObject *
map_from_root(PyTypeObject *type, MarchBitmapNode *root)
{
    MapObject *m;
    if (type == &Map_Type) {
        if (map_free_list != NULL) {
            m = map_free_list;
            map_free_list = (MapObject *)m->root;
            map_free_len--;
            MARCH_UNPOISON(m, sizeof(MapObject));
            PyObject_Init((PyObject *)m, &Map_Type);
        }
        else {
            m = PyObject_GC_New(MapObject, &Map_Type);
            if (m == NULL) {
                Py_DECREF(root);
                return NULL;
            }
        }
        m->root = root;
        m->hash = -1;
        m->weakreflist = NULL;
        if (march_gc_is_tracked((PyObject *)root)) {
            PyObject_GC_Track(m);
        }
        return m;
    }
    m = (MapObject *)type->tp_alloc(type, 0);
    if (m == NULL) {
        Py_DECREF(root);
        return NULL;
    }
    m->root = root;
    m->hash = -1;
    m->weakreflist = NULL;
    return m;
}

/* ------------------------------------------------------------------ */
/* building: assoc a stream of pairs into a root                       */

static int
assoc_into(MarchBitmapNode **root, PyObject *key, uint64_t hash,
           PyObject *value, uint64_t owner)
{
    int added;
    MarchBitmapNode *nr = march_hamt_assoc(*root, key, hash, value, owner,
                                           &added);
    if (nr == NULL) {
        return -1;
    }
    Py_SETREF(*root, nr);
    return 0;
}

static int
assoc_dict(MarchBitmapNode **root, PyObject *d, uint64_t owner)
{
    Py_ssize_t pos = 0, size = PyDict_GET_SIZE(d);
    PyObject *k, *v;
    while (PyDict_Next(d, &pos, &k, &v)) {
        /* hash(k) again rather than the dict's stored hash: a key whose
         * __hash__ raises (or changed) behaves as with immutables */
        uint64_t h;
        int r;
        Py_INCREF(k);
        Py_INCREF(v);
        r = march_hamt_hash(k, &h);
        if (r == 0) {
            r = assoc_into(root, k, h, v, owner);
        }
        Py_DECREF(k);
        Py_DECREF(v);
        if (r < 0) {
            return -1;
        }
        if (PyDict_GET_SIZE(d) != size) {
            PyErr_SetString(PyExc_RuntimeError,
                            "dictionary changed size during iteration");
            return -1;
        }
    }
    return 0;
}

static int
assoc_map(MarchBitmapNode **root, MapObject *m, uint64_t owner)
{
    /* structural union (hamtset.c): subtrees shared with m cost nothing */
    return march_map_update_from_map(root, m, owner);
}

static int
assoc_pairs(MarchBitmapNode **root, PyObject *iterable, uint64_t owner)
{
    PyObject *it = PyObject_GetIter(iterable), *item;
    Py_ssize_t i = 0;
    if (it == NULL) {
        return -1;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *k, *v, *seq = NULL;
        uint64_t h;
        int r;
        if (PyTuple_CheckExact(item) && PyTuple_GET_SIZE(item) == 2) {
            k = PyTuple_GET_ITEM(item, 0);
            v = PyTuple_GET_ITEM(item, 1);
        }
        else {
            seq = PySequence_Fast(item, "");
            if (seq == NULL) {
                if (PyErr_ExceptionMatches(PyExc_TypeError)) {
                    PyErr_Format(PyExc_TypeError,
                                 "cannot convert map update sequence element "
                                 "#%zd to a sequence", i);
                }
                goto fail;
            }
            if (PySequence_Fast_GET_SIZE(seq) != 2) {
                PyErr_Format(PyExc_ValueError,
                             "map update sequence element #%zd has length "
                             "%zd; 2 is required", i,
                             PySequence_Fast_GET_SIZE(seq));
                goto fail;
            }
            k = PySequence_Fast_GET_ITEM(seq, 0);
            v = PySequence_Fast_GET_ITEM(seq, 1);
        }
        /* own them: for a list pair, seq is the list itself, and the key's
         * __hash__ or __eq__ (or a finalizer run by an allocation) may
         * clear it, dropping the only references */
        Py_INCREF(k);
        Py_INCREF(v);
        r = march_hamt_hash(k, &h);
        if (r == 0) {
            r = assoc_into(root, k, h, v, owner);
        }
        Py_DECREF(k);
        Py_DECREF(v);
        Py_XDECREF(seq);
        Py_DECREF(item);
        if (r < 0) {
            Py_DECREF(it);
            return -1;
        }
        i++;
        continue;
    fail:
        Py_XDECREF(seq);
        Py_DECREF(item);
        Py_DECREF(it);
        return -1;
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

/* *items = col.items (new reference), or NULL without an error when col has
 * no such attribute.  -1 on another error. */
static int
get_items_attr(PyObject *col, PyObject **items)
{
    *items = PyObject_GetAttrString(col, "items");
    if (*items == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
            return -1;
        }
        PyErr_Clear();
    }
    return 0;
}

/* Returns a new reference to `root` updated with col (a Map, a dict, an
 * object with items(), or an iterable of pairs) and then the keyword
 * arguments, editing only nodes created with `owner` (a fresh id). */
static MarchBitmapNode *
update_root(MarchBitmapNode *root, PyObject *col, PyObject *kwds,
            uint64_t owner)
{
    MarchBitmapNode *r = root;
    Py_INCREF(r);
    if (col != NULL && col != Py_None) {
        int rc;
        if (Map_Check(col)) {
            rc = assoc_map(&r, (MapObject *)col, owner);
        }
        else if (PyDict_CheckExact(col)) {
            rc = assoc_dict(&r, col, owner);
        }
        else if (Mutation_Check(col)) {
            PyErr_SetString(PyExc_TypeError,
                            "cannot create Maps from MapMutations");
            rc = -1;
        }
        else {
            PyObject *items;
            if (get_items_attr(col, &items) < 0) {
                rc = -1;
            }
            else if (items != NULL) {
                PyObject *seq = PyObject_CallNoArgs(items);
                Py_DECREF(items);
                if (seq == NULL) {
                    rc = -1;
                }
                else {
                    rc = assoc_pairs(&r, seq, owner);
                    Py_DECREF(seq);
                }
            }
            else {
                rc = assoc_pairs(&r, col, owner);
            }
        }
        if (rc < 0) {
            Py_DECREF(r);
            return NULL;
        }
    }
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        if (assoc_dict(&r, kwds, owner) < 0) {
            Py_DECREF(r);
            return NULL;
        }
    }
    return r;
}

/* ------------------------------------------------------------------ */
/* Map                                                                 */

static PyObject *
map_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
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
        m = map_from_root(type, src->root);
        if (m != NULL) {
            m->hash = src->hash;
        }
        return (PyObject *)m;
    }
    empty = march_hamt_empty();
    if (col == NULL && !has_kw) {
        return (PyObject *)map_from_root(type, empty);
    }
    root = update_root(empty, col, kwds, march_hamt_new_owner());
    Py_DECREF(empty);
    if (root == NULL) {
        return NULL;
    }
    return (PyObject *)map_from_root(type, root);
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
    /* keep the map usable: an empty root instead of NULL */
    MarchBitmapNode *old = self->root;
    self->root = march_hamt_empty();
    Py_XDECREF(old);
    return 0;
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
        if (map_free_len < MAP_FREELIST_DEPTH) {
            self->root = (MarchBitmapNode *)map_free_list;
            map_free_list = self;
            map_free_len++;
            MARCH_POISON(self, offsetof(MapObject, root));
            MARCH_POISON(&self->hash, sizeof(MapObject)
                         - offsetof(MapObject, hash));
        }
        else {
            PyObject_GC_Del(self);
        }
        return;
    }
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, map_dealloc)
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    Py_CLEAR(self->root);
    Py_TYPE(self)->tp_free((PyObject *)self);
    Py_TRASHCAN_END
}

static Py_ssize_t
map_length(MapObject *self)
{
    return self->root->count;
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
        march_key_error(key);
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
    if (!_PyArg_CheckPositional("get", nargs, 1, 2)) {
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
    if (!_PyArg_CheckPositional("set", nargs, 2, 2)) {
        return NULL;
    }
    if (march_hamt_hash(args[0], &h) < 0) {
        return NULL;
    }
    nr = march_hamt_assoc(self->root, args[0], h, args[1], 0, &added);
    if (nr == NULL) {
        return NULL;
    }
    if (nr == self->root) {
        Py_DECREF(nr);
        Py_INCREF(self);
        return (PyObject *)self;
    }
    return (PyObject *)map_from_root(&Map_Type, nr);
}

/* 1 removed (*out new map), 0 absent, -1 error */
int
march_root_without(MarchBitmapNode *root, PyObject *key, MarchBitmapNode **out)
{
    uint64_t h;
    int found;
    MarchBitmapNode *nr;
    if (march_hamt_hash(key, &h) < 0) {
        return -1;
    }
    nr = march_hamt_without(root, key, h, 0, &found);
    if (nr == NULL) {
        return -1;
    }
    if (!found) {
        Py_DECREF(nr);
        return 0;
    }
    *out = nr;
    return 1;
}

static int
map_without(MapObject *self, PyObject *key, PyObject **out)
{
    MarchBitmapNode *nr;
    int r = march_root_without(self->root, key, &nr);
    if (r <= 0) {
        return r;
    }
    *out = (PyObject *)map_from_root(&Map_Type, nr);
    return *out == NULL ? -1 : 1;
}

static PyObject *
map_delete(MapObject *self, PyObject *key)
{
    PyObject *out;
    int r = map_without(self, key, &out);
    if (r > 0) {
        return out;
    }
    if (r == 0) {
        march_key_error(key);
    }
    return NULL;
}

static PyObject *
map_discard(MapObject *self, PyObject *key)
{
    PyObject *out;
    int r = map_without(self, key, &out);
    if (r > 0) {
        return out;
    }
    if (r == 0) {
        Py_INCREF(self);
        return (PyObject *)self;
    }
    return NULL;
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
    nr = update_root(self->root, col, kwds, march_hamt_new_owner());
    if (nr == NULL) {
        return NULL;
    }
    if (nr == self->root) {
        Py_DECREF(nr);
        Py_INCREF(self);
        return (PyObject *)self;
    }
    return (PyObject *)map_from_root(&Map_Type, nr);
}

static PyObject *
map_or(PyObject *a, PyObject *b)
{
    MapObject *m;
    MarchBitmapNode *nr;
    if (!Map_Check(a)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    m = (MapObject *)a;
    if (Map_Check(b)) {
        MapObject *o = (MapObject *)b;
        if (o->root->count == 0) {
            Py_INCREF(a);
            return a;
        }
        if (m->root->count == 0 && Py_IS_TYPE(b, &Map_Type)) {
            Py_INCREF(b);
            return b;
        }
    }
    else if (!PyDict_Check(b)) {
        int r = PyObject_IsInstance(b, abc_mapping);
        if (r < 0) {
            return NULL;
        }
        if (!r) {
            Py_RETURN_NOTIMPLEMENTED;
        }
    }
    nr = update_root(m->root, b, NULL, march_hamt_new_owner());
    if (nr == NULL) {
        return NULL;
    }
    if (nr == m->root) {
        Py_DECREF(nr);
        Py_INCREF(a);
        return a;
    }
    return (PyObject *)map_from_root(&Map_Type, nr);
}

static PyObject *mutation_new_from_root(MarchBitmapNode *root);

static PyObject *
map_mutate(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return mutation_new_from_root(self->root);
}

static PyObject *
view_new(PyTypeObject *type, MapObject *map)
{
    ViewObject *v = PyObject_GC_New(ViewObject, type);
    if (v == NULL) {
        return NULL;
    }
    Py_INCREF(map);
    v->map = map;
    if (PyObject_GC_IsTracked((PyObject *)map)) {
        PyObject_GC_Track(v);
    }
    return (PyObject *)v;
}

static PyObject *
map_keys(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return view_new(&MapKeys_Type, self);
}

static PyObject *
map_values(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return view_new(&MapValues_Type, self);
}

static PyObject *
map_items(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return view_new(&MapItems_Type, self);
}

static PyObject *
iter_new(MarchBitmapNode *root, int kind)
{
    IterObject *it = PyObject_GC_New(IterObject, &MapIterator_Type);
    if (it == NULL) {
        return NULL;
    }
    Py_INCREF(root);
    it->root = root;
    it->kind = kind;
    it->remaining = root->count;
    march_hamt_iter_init(&it->it, root);
    if (PyObject_GC_IsTracked((PyObject *)root)) {
        PyObject_GC_Track(it);
    }
    return (PyObject *)it;
}

static PyObject *
map_iter(MapObject *self)
{
    return iter_new(self->root, IT_KEYS);
}

static PyObject *
entries_dict(MarchBitmapNode *root)
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
    PyObject *d = entries_dict(self->root);
    if (d == NULL) {
        return NULL;
    }
    return Py_BuildValue("O(N)", (PyObject *)Py_TYPE(self), d);
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
                        "march.Map invariant violated: the root is GC-tracked "
                        "but the map is not");
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
map_stats(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    MarchHamtStats st;
    march_hamt_stats(self->root, &st);
    return Py_BuildValue("{sn,sn,sn,sn,sn,sn,si}",
                         "bitmap_nodes", st.bitmap_nodes,
                         "collision_nodes", st.collision_nodes,
                         "bitmap_slots", st.bitmap_slots,
                         "bitmap_branches", st.bitmap_branches,
                         "entry_depth_sum", st.entry_depth_sum,
                         "bytes", st.bytes,
                         "depth", march_hamt_depth(self->root));
}

static PyObject *
map_is_tracked(MapObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyBool_FromLong(PyObject_GC_IsTracked((PyObject *)self));
}

static Py_hash_t
map_hash(MapObject *self)
{
    if (self->hash == -1) {
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
        self->hash = h;
    }
    return self->hash;
}

static PyObject *
map_richcompare(PyObject *a, PyObject *b, int op)
{
    MapObject *x, *y;
    int r;
    if (!Map_Check(b) || (op != Py_EQ && op != Py_NE)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    x = (MapObject *)a;
    y = (MapObject *)b;
    if (x->root->count != y->root->count
            || (x->hash != -1 && y->hash != -1 && x->hash != y->hash)) {
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
entries_repr(const char *prefix, MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *k, *v, *parts, *sep = NULL, *body = NULL, *res = NULL;
    parts = PyList_New(0);
    if (parts == NULL) {
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
    Py_DECREF(root);
    Py_DECREF(parts);
    Py_XDECREF(sep);
    Py_XDECREF(body);
    return res;
}

static PyObject *
map_repr(MapObject *self)
{
    PyObject *res;
    int r = Py_ReprEnter((PyObject *)self);
    if (r != 0) {
        return r > 0 ? PyUnicode_FromString("{...}") : NULL;
    }
    res = entries_repr("march.Map", self->root);
    Py_ReprLeave((PyObject *)self);
    return res;
}

static PyMethodDef map_methods[] = {
    {"set", (PyCFunction)(void (*)(void))map_set, METH_FASTCALL,
     "set(key, value) -> a new Map with key bound to value"},
    {"get", (PyCFunction)(void (*)(void))map_get, METH_FASTCALL,
     "get(key, default=None)"},
    {"delete", (PyCFunction)map_delete, METH_O,
     "delete(key) -> a new Map without key (KeyError when absent)"},
    {"discard", (PyCFunction)map_discard, METH_O,
     "discard(key) -> a new Map without key (the same map when absent)"},
    {"update", (PyCFunction)(void (*)(void))map_update,
     METH_VARARGS | METH_KEYWORDS,
     "update(col=None, /, **kw) -> a new Map"},
    {"union", (PyCFunction)(void (*)(void))march_map_union,
     METH_VARARGS | METH_KEYWORDS,
     "union(other, /, combine=None) -> a new Map (other's values win)"},
    {"intersection", (PyCFunction)(void (*)(void))march_map_intersection,
     METH_VARARGS | METH_KEYWORDS,
     "intersection(other, /, combine=None) -> a new Map (self's values)"},
    {"difference", (PyCFunction)march_map_difference, METH_O,
     "difference(other) -> the entries whose key is not in other"},
    {"symmetric_difference", (PyCFunction)march_map_symmetric_difference,
     METH_O, "symmetric_difference(other) -> entries of keys in just one"},
    {"diff", (PyCFunction)march_map_diff, METH_O,
     "diff(other) -> iterator of (key, old, new), ABSENT for a missing side"},
    {"from_keys", (PyCFunction)(void (*)(void))march_map_from_keys,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "from_keys(iterable, /, value=None) -> a Map"},
    {"filter", (PyCFunction)march_map_filter, METH_O,
     "filter(pred) -> the entries for which pred(key, value) is true"},
    {"map_values", (PyCFunction)march_map_map_values, METH_O,
     "map_values(fn) -> a Map with each value v replaced by fn(v)"},
    {"mutate", (PyCFunction)map_mutate, METH_NOARGS,
     "mutate() -> a MapMutation"},
    {"keys", (PyCFunction)map_keys, METH_NOARGS, NULL},
    {"values", (PyCFunction)map_values, METH_NOARGS, NULL},
    {"items", (PyCFunction)map_items, METH_NOARGS, NULL},
    {"__reduce__", (PyCFunction)map_reduce, METH_NOARGS, NULL},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
    {"_check", (PyCFunction)map_check, METH_NOARGS,
     "verify the invariants (AssertionError on a violation)"},
    {"_depth", (PyCFunction)map_depth, METH_NOARGS,
     "height of the trie (0 when empty)"},
    {"_stats", (PyCFunction)map_stats, METH_NOARGS,
     "node statistics (for the design measurements)"},
    {"_is_gc_tracked", (PyCFunction)map_is_tracked, METH_NOARGS, NULL},
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

PyTypeObject Map_Type = {
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
    .tp_doc = "Map(col=None, /, **kw): a persistent hash map (HAMT)\n\n"
              "Map may be subclassed: Sub(...) and Sub.from_keys(...) make "
              "a Sub; an operation that changes the map (set, delete, "
              "update, |, the algebra, filter, ..., mutate().finish()) "
              "returns a plain Map, one that changes nothing returns the map "
              "itself (the rule of immutables' pure-Python Map).",
    .tp_traverse = (traverseproc)map_traverse,
    .tp_clear = (inquiry)map_clear,
    .tp_richcompare = map_richcompare,
    .tp_weaklistoffset = offsetof(MapObject, weakreflist),
    .tp_iter = (getiterfunc)map_iter,
    .tp_methods = map_methods,
    .tp_new = map_tp_new,
    .tp_free = PyObject_GC_Del,
};

/* ------------------------------------------------------------------ */
/* MapMutation                                                         */

static PyObject *
mutation_new_from_root(MarchBitmapNode *root)
{
    MutationObject *mm = PyObject_GC_New(MutationObject, &MapMutation_Type);
    if (mm == NULL) {
        return NULL;
    }
    Py_INCREF(root);
    mm->root = root;
    mm->owner = march_hamt_new_owner();
    mm->busy = 0;
    mm->weakreflist = NULL;
    PyObject_GC_Track(mm);
    return (PyObject *)mm;
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
    MarchBitmapNode *old = self->root;
    self->root = march_hamt_empty();
    Py_XDECREF(old);
    return 0;
}

static void
mutation_dealloc(MutationObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, mutation_dealloc)
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    Py_CLEAR(self->root);
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

/* 0 when the mutation may be changed now, else -1 with an exception */
static int
mutation_writable(MutationObject *self)
{
    if (self->owner == 0) {
        PyErr_SetString(PyExc_ValueError, "mutation has been finished");
        return -1;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "MapMutation changed while one of its operations was "
                        "in progress (from a key's __eq__ or __hash__?)");
        return -1;
    }
    return 0;
}

/* Every edit asks mutation_writable() before and again after hashing the
 * key: the key's __hash__ may finish the mutation (or edit it: allowed, no
 * walk is in progress yet).  From there on every call into Python (__eq__,
 * a stored key's __hash__, finalizers run by an allocation or a release)
 * happens with `busy` raised, so nothing can finish or edit the mutation
 * while its nodes are being walked or edited. */
static int
mutation_set_item(MutationObject *self, PyObject *key, PyObject *value)
{
    uint64_t h;
    int added;
    MarchBitmapNode *nr;
    if (mutation_writable(self) < 0 || march_hamt_hash(key, &h) < 0
            || mutation_writable(self) < 0) {
        return -1;
    }
    self->busy++;
    nr = march_hamt_assoc(self->root, key, h, value, self->owner, &added);
    self->busy--;
    if (nr == NULL) {
        return -1;
    }
    Py_SETREF(self->root, nr);
    return 0;
}

/* Remove key.  1 removed (*value, when not NULL: a new reference to its
 * value), 0 absent, -1 error. */
static int
mutation_remove(MutationObject *self, PyObject *key, PyObject **value)
{
    uint64_t h;
    int found;
    MarchBitmapNode *nr;
    PyObject *v = NULL;
    if (mutation_writable(self) < 0 || march_hamt_hash(key, &h) < 0
            || mutation_writable(self) < 0) {
        return -1;
    }
    self->busy++;
    if (value != NULL) {
        /* pop: the value first (owned: the removal drops the node's
         * reference), then the removal, both under the same guard */
        int r = march_hamt_find(self->root, key, h, &v);
        if (r <= 0) {
            self->busy--;
            return r;
        }
        Py_INCREF(v);
    }
    nr = march_hamt_without(self->root, key, h, self->owner, &found);
    self->busy--;
    if (nr == NULL) {
        Py_XDECREF(v);
        return -1;
    }
    Py_SETREF(self->root, nr);
    if (value != NULL) {
        if (!found) {
            /* found by find, then not by without: a key whose __eq__
             * answered differently the second time; report it absent */
            Py_DECREF(v);
            return 0;
        }
        *value = v;
    }
    return found;
}

/* 1 found (*value new reference), 0 absent, -1 error */
static int
mutation_find(MutationObject *self, PyObject *key, PyObject **value)
{
    uint64_t h;
    int r;
    if (march_hamt_hash(key, &h) < 0) {
        return -1;
    }
    self->busy++;
    r = march_hamt_find(self->root, key, h, value);
    self->busy--;
    if (r > 0) {
        Py_INCREF(*value);
    }
    return r;
}

static int
mutation_ass_subscript(MutationObject *self, PyObject *key, PyObject *value)
{
    int r;
    if (value != NULL) {
        return mutation_set_item(self, key, value);
    }
    r = mutation_remove(self, key, NULL);
    if (r == 0) {
        march_key_error(key);
        return -1;
    }
    return r < 0 ? -1 : 0;
}

static PyObject *
mutation_subscript(MutationObject *self, PyObject *key)
{
    PyObject *v;
    int r = mutation_find(self, key, &v);
    if (r > 0) {
        return v;
    }
    if (r == 0) {
        march_key_error(key);
    }
    return NULL;
}

static int
mutation_contains(MutationObject *self, PyObject *key)
{
    PyObject *v;
    int r = mutation_find(self, key, &v);
    if (r > 0) {
        Py_DECREF(v);
    }
    return r;
}

static Py_ssize_t
mutation_length(MutationObject *self)
{
    return self->root->count;
}

static PyObject *
mutation_set(MutationObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("set", nargs, 2, 2)) {
        return NULL;
    }
    if (mutation_set_item(self, args[0], args[1]) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
mutation_delete(MutationObject *self, PyObject *key)
{
    int r = mutation_remove(self, key, NULL);
    if (r == 0) {
        march_key_error(key);
    }
    if (r <= 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
mutation_get(MutationObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *v;
    int r;
    if (!_PyArg_CheckPositional("get", nargs, 1, 2)) {
        return NULL;
    }
    r = mutation_find(self, args[0], &v);
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
mutation_pop(MutationObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *v;
    int r;
    if (!_PyArg_CheckPositional("pop", nargs, 1, 2)) {
        return NULL;
    }
    r = mutation_remove(self, args[0], &v);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        if (nargs == 2) {
            Py_INCREF(args[1]);
            return args[1];
        }
        march_key_error(args[0]);
        return NULL;
    }
    return v;
}

static PyObject *
mutation_update(MutationObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *col = NULL;
    MarchBitmapNode *nr, *old;
    uint64_t owner;
    if (!PyArg_UnpackTuple(args, "update", 0, 1, &col)) {
        return NULL;
    }
    if (mutation_writable(self) < 0) {
        return NULL;
    }
    if ((col == NULL || col == Py_None)
            && (kwds == NULL || PyDict_GET_SIZE(kwds) == 0)) {
        Py_RETURN_NONE;
    }
    /* atomic: build with a fresh owner (never editing this mutation's own
     * nodes), adopt the result and its owner only on success */
    owner = march_hamt_new_owner();
    old = self->root;
    Py_INCREF(old);
    self->busy++;
    nr = update_root(old, col, kwds, owner);
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

static PyObject *
mutation_finish(MutationObject *self, PyObject *Py_UNUSED(ignored))
{
    MapObject *m;
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "MapMutation finished while one of its operations "
                        "was in progress");
        return NULL;
    }
    /* make the Map first: if that fails the mutation stays open, with its
     * contents, and may be edited or finished again.  The allocation may
     * run a collection, hence finalizers and gc.callbacks: `busy` keeps
     * them from editing the root being handed over (in place, or by
     * replacing it, which the Map would not see) */
    Py_INCREF(self->root);
    self->busy++;
    m = map_from_root(&Map_Type, self->root);
    self->busy--;
    if (m != NULL) {
        self->owner = 0;
    }
    return (PyObject *)m;
}

static PyObject *
mutation_enter(MutationObject *self, PyObject *Py_UNUSED(ignored))
{
    Py_INCREF(self);
    return (PyObject *)self;
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
mutation_reduce(MutationObject *self, PyObject *Py_UNUSED(ignored))
{
    PyErr_Format(PyExc_TypeError, "can't pickle %s objects",
                 Py_TYPE(self)->tp_name);
    return NULL;
}

static PyObject *
mutation_richcompare(PyObject *a, PyObject *b, int op)
{
    MarchBitmapNode *ra, *rb;
    MutationObject *x = (MutationObject *)a;
    int r;
    if (op != Py_EQ && op != Py_NE) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (Mutation_Check(b)) {
        rb = ((MutationObject *)b)->root;
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
        ((MutationObject *)b)->busy++;
    }
    r = march_hamt_equal(ra, rb);
    x->busy--;
    if (Mutation_Check(b)) {
        ((MutationObject *)b)->busy--;
    }
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
    PyObject *res;
    int r = Py_ReprEnter((PyObject *)self);
    if (r != 0) {
        return r > 0 ? PyUnicode_FromString("{...}") : NULL;
    }
    self->busy++;
    res = entries_repr("march.MapMutation", self->root);
    self->busy--;
    Py_ReprLeave((PyObject *)self);
    return res;
}

/* MapMutation._check(): the Map's invariants on the current root.  The
 * check hashes the keys again (user code): busy meanwhile, and the root
 * owned, so that code cannot edit or free the nodes being walked. */
static PyObject *
mutation_check(MutationObject *self, PyObject *Py_UNUSED(ignored))
{
    MarchBitmapNode *root = self->root;
    int rc;
    Py_INCREF(root);
    self->busy++;
    rc = march_hamt_check(root);
    self->busy--;
    Py_DECREF(root);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef mutation_methods[] = {
    {"set", (PyCFunction)(void (*)(void))mutation_set, METH_FASTCALL,
     "set(key, value): bind key to value in place"},
    {"get", (PyCFunction)(void (*)(void))mutation_get, METH_FASTCALL,
     "get(key, default=None)"},
    {"delete", (PyCFunction)mutation_delete, METH_O,
     "delete(key): remove key (KeyError when absent)"},
    {"pop", (PyCFunction)(void (*)(void))mutation_pop, METH_FASTCALL,
     "pop(key[, default])"},
    {"update", (PyCFunction)(void (*)(void))mutation_update,
     METH_VARARGS | METH_KEYWORDS, "update(col=None, /, **kw)"},
    {"finish", (PyCFunction)mutation_finish, METH_NOARGS,
     "finish() -> the Map; the mutation can no longer change"},
    {"__enter__", (PyCFunction)mutation_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)mutation_exit, METH_VARARGS, NULL},
    {"__reduce__", (PyCFunction)mutation_reduce, METH_NOARGS, NULL},
    {"_check", (PyCFunction)mutation_check, METH_NOARGS,
     "_check(): verify the trie's invariants (AssertionError on a violation)"},
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

PyTypeObject MapMutation_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.MapMutation",
    .tp_basicsize = sizeof(MutationObject),
    .tp_dealloc = (destructor)mutation_dealloc,
    .tp_repr = (reprfunc)mutation_repr,
    .tp_as_sequence = &mutation_as_sequence,
    .tp_as_mapping = &mutation_as_mapping,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "a transient over a Map: edits in place, finish() -> Map\n\n"
              "While one of its operations walks the trie (a key's __eq__, a "
              "__repr__, a finalizer run by a collection), any change or "
              "finish() raises RuntimeError; a key's __hash__ runs before "
              "the walk, and each edit checks after it that the mutation "
              "is not finished (ValueError).  MapMutation cannot be "
              "subclassed, pickled or copied (TypeError).",
    .tp_traverse = (traverseproc)mutation_traverse,
    .tp_clear = (inquiry)mutation_clear,
    .tp_richcompare = mutation_richcompare,
    .tp_weaklistoffset = offsetof(MutationObject, weakreflist),
    .tp_methods = mutation_methods,
};

/* ------------------------------------------------------------------ */
/* views                                                               */

static int
view_traverse(ViewObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->map);
    return 0;
}

static void
view_dealloc(ViewObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->map);
    PyObject_GC_Del(self);
}

static Py_ssize_t
view_length(ViewObject *self)
{
    return self->map->root->count;
}

static PyObject *
keys_iter(ViewObject *self)
{
    return iter_new(self->map->root, IT_KEYS);
}

static PyObject *
values_iter(ViewObject *self)
{
    return iter_new(self->map->root, IT_VALUES);
}

static PyObject *
items_iter(ViewObject *self)
{
    return iter_new(self->map->root, IT_ITEMS);
}

static int
keys_contains(ViewObject *self, PyObject *key)
{
    return map_contains(self->map, key);
}

static int
values_contains(ViewObject *self, PyObject *value)
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
items_contains(ViewObject *self, PyObject *item)
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
view_repr(ViewObject *self)
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
    res = PyUnicode_FromFormat("%s(%R)", _PyType_Name(Py_TYPE(self)), lst);
    Py_DECREF(lst);
    Py_ReprLeave((PyObject *)self);
    return res;
}

static PyObject *
view_mapping(ViewObject *self, void *Py_UNUSED(closure))
{
    Py_INCREF(self->map);
    return (PyObject *)self->map;
}

static PyGetSetDef view_getset[] = {
    {"mapping", (getter)view_mapping, NULL, "the Map this view is over", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PySequenceMethods keys_as_sequence = {
    .sq_length = (lenfunc)view_length,
    .sq_contains = (objobjproc)keys_contains,
};
static PySequenceMethods values_as_sequence = {
    .sq_length = (lenfunc)view_length,
    .sq_contains = (objobjproc)values_contains,
};
static PySequenceMethods items_as_sequence = {
    .sq_length = (lenfunc)view_length,
    .sq_contains = (objobjproc)items_contains,
};

#define VIEW_TYPE(cname, pyname, seq, iterf)                               \
    static PyTypeObject cname = {                                          \
        PyVarObject_HEAD_INIT(NULL, 0)                                     \
        .tp_name = "march._hamt." pyname,                                  \
        .tp_basicsize = sizeof(ViewObject),                                \
        .tp_dealloc = (destructor)view_dealloc,                            \
        .tp_repr = (reprfunc)view_repr,                                    \
        .tp_as_sequence = &seq,                                            \
        .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,               \
        .tp_traverse = (traverseproc)view_traverse,                        \
        .tp_iter = (getiterfunc)iterf,                                     \
        .tp_getset = view_getset,                                          \
    };

VIEW_TYPE(MapKeys_Type, "MapKeys", keys_as_sequence, keys_iter)
VIEW_TYPE(MapValues_Type, "MapValues", values_as_sequence, values_iter)
VIEW_TYPE(MapItems_Type, "MapItems", items_as_sequence, items_iter)

/* ------------------------------------------------------------------ */
/* iterator                                                            */

static int
iterator_traverse(IterObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->root);
    return 0;
}

static int
iterator_clear(IterObject *self)
{
    self->it.top = -1;
    self->remaining = 0;
    Py_CLEAR(self->root);
    return 0;
}

static void
iterator_dealloc(IterObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->root);
    PyObject_GC_Del(self);
}

static PyObject *
iterator_next(IterObject *self)
{
    PyObject *k, *v, *t;
    if (self->root == NULL || !march_hamt_iter_next(&self->it, &k, &v)) {
        return NULL;
    }
    self->remaining--;
    switch (self->kind) {
    case IT_KEYS:
        Py_INCREF(k);
        return k;
    case IT_VALUES:
        Py_INCREF(v);
        return v;
    default:
        t = PyTuple_New(2);
        if (t == NULL) {
            return NULL;
        }
        Py_INCREF(k);
        Py_INCREF(v);
        PyTuple_SET_ITEM(t, 0, k);
        PyTuple_SET_ITEM(t, 1, v);
        return t;
    }
}

static PyObject *
iterator_length_hint(IterObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSsize_t(self->remaining);
}

static PyMethodDef iterator_methods[] = {
    {"__length_hint__", (PyCFunction)iterator_length_hint, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject MapIterator_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.MapIterator",
    .tp_basicsize = sizeof(IterObject),
    .tp_dealloc = (destructor)iterator_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)iterator_traverse,
    .tp_clear = (inquiry)iterator_clear,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)iterator_next,
    .tp_methods = iterator_methods,
};

/* ------------------------------------------------------------------ */
/* module                                                              */

static struct PyModuleDef hamt_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "march._hamt",
    .m_doc = "march.Map: a persistent hash map (HAMT, CHAMP layout), C core",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__hamt(void)
{
    PyObject *m, *abc;
    PyObject *r;
    if (march_hamt_ready() < 0) {
        return NULL;
    }
    if (PyType_Ready(&Map_Type) < 0 || PyType_Ready(&MapMutation_Type) < 0
            || PyType_Ready(&MapKeys_Type) < 0
            || PyType_Ready(&MapValues_Type) < 0
            || PyType_Ready(&MapItems_Type) < 0
            || PyType_Ready(&MapIterator_Type) < 0) {
        return NULL;
    }
    if (abc_mapping == NULL) {
        abc = PyImport_ImportModule("collections.abc");
        if (abc == NULL) {
            return NULL;
        }
        abc_mapping = PyObject_GetAttrString(abc, "Mapping");
        Py_DECREF(abc);
        if (abc_mapping == NULL) {
            return NULL;
        }
        r = PyObject_CallMethod(abc_mapping, "register", "O",
                                (PyObject *)&Map_Type);
        if (r == NULL) {
            return NULL;
        }
        Py_DECREF(r);
    }
    m = PyModule_Create(&hamt_module);
    if (m == NULL) {
        return NULL;
    }
    if (march_set_register(m) < 0) {    /* Set, SetEvolver, s, ABSENT */
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "Map", (PyObject *)&Map_Type) < 0
            || PyModule_AddObjectRef(m, "MapMutation",
                                     (PyObject *)&MapMutation_Type) < 0
            || PyModule_AddObjectRef(m, "MapKeys",
                                     (PyObject *)&MapKeys_Type) < 0
            || PyModule_AddObjectRef(m, "MapValues",
                                     (PyObject *)&MapValues_Type) < 0
            || PyModule_AddObjectRef(m, "MapItems",
                                     (PyObject *)&MapItems_Type) < 0
            || PyModule_AddObjectRef(m, "MapIterator",
                                     (PyObject *)&MapIterator_Type) < 0
            || PyModule_AddIntConstant(m, "HASH_MIX",
#if defined(MARCH_HASH_MIX) && MARCH_HASH_MIX
                                       1
#else
                                       0
#endif
                                       ) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
