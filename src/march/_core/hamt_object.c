/*
 * hamt_object.c -- the glue shared by the Map family (map_object.c: Map,
 * MapMutation, the views) and the Set family (set_object.c: Set,
 * SetEvolver) of march._hamt, written once:
 *
 *   - the registry of their type objects (march_hamt_types), through which
 *     each family recognises the other's objects without calling into it;
 *   - the slots of the persistent objects (traverse, clear, dealloc) and of
 *     the transients (traverse, clear, dealloc, the writable/busy check,
 *     assoc, without, find, contains, __enter__/__exit__, __reduce__);
 *   - the debugging methods, over hamt_check.c: _check and _layout of all
 *     four types, _depth and _is_gc_tracked of Map and Set, _stats of Map;
 *   - building a root from a mapping, an iterable of pairs or of elements
 *     (Map(...), Map.update(), m | other, MapMutation.update(), Set(...),
 *     the Set operators' operands, the Map algebra's key operands);
 *   - the iterator type (march._hamt.MapIterator: iter(Map), Map's keys(),
 *     values(), items(), and iter(Set)) and ABSENT (diff()'s marker of a missing
 *     side, Map's and Set's).
 *
 * Map.update(), Map(...), m | other and MapMutation.update() build through a
 * private owner id (a fresh transient): in-place edits of the nodes the
 * update itself created, never of shared nodes.
 *
 * May include: hamt_object.h (hamt_walk.h, hamt_check.h, hamt.h,
 * hamt_node.h, common.h).
 */
#include "hamt_object.h"
#include <stddef.h>

/* all four types share the head {PyObject_HEAD, root} (MARCH_HAMT_ROOT) */
typedef char hamt_object_head_check[
    offsetof(MarchHamtObject, root) == offsetof(MarchHamtRooted, root)
    && offsetof(MarchHamtTransient, root) == offsetof(MarchHamtRooted, root)
    ? 1 : -1];

MarchHamtTypes march_hamt_types = {NULL, NULL, NULL, NULL};
PyObject *march_hamt_absent = NULL;

static inline int
hamt_object_is_transient(PyObject *o)
{
    return Py_IS_TYPE(o, march_hamt_types.map_mutation)
           || Py_IS_TYPE(o, march_hamt_types.set_evolver);
}

static inline int
hamt_object_is_setlike(PyObject *o)
{
    return march_hamt_object_is_set(o)
           || Py_IS_TYPE(o, march_hamt_types.set_evolver);
}

void
march_hamt_object_key_error(PyObject *key)
{
    PyObject *t = PyTuple_Pack(1, key);
    if (t != NULL) {
        PyErr_SetObject(PyExc_KeyError, t);
        Py_DECREF(t);
    }
}

int
march_hamt_object_root_without(MarchBitmapNode *root, PyObject *key,
                               MarchBitmapNode **out)
{
    MarchBitmapNode *r = root;
    int found;
    Py_INCREF(r);
    found = march_hamt_root_without(&r, key, NULL, 0);
    if (found <= 0) {
        Py_DECREF(r);
        return found;
    }
    *out = r;
    return 1;
}

PyObject *
march_hamt_object_without(PyObject *self, PyObject *key,
                          PyObject *(*from_root)(PyTypeObject *,
                                                 MarchBitmapNode *),
                          int strict)
{
    MarchBitmapNode *nr;
    int r = march_hamt_object_root_without(MARCH_HAMT_ROOT(self), key, &nr);
    if (r > 0) {
        /* self (and so its type) is the caller's: alive across the walk */
        return from_root(Py_TYPE(self), nr);
    }
    if (r == 0) {
        if (!strict) {
            return Py_NewRef(self);
        }
        march_hamt_object_key_error(key);
    }
    return NULL;
}

PyObject *
march_hamt_object_diff(MarchBitmapNode *a, MarchBitmapNode *b, int keys_only)
{
    PyObject *it, *list = march_hamt_diff(a, b, march_hamt_absent, keys_only);
    if (list == NULL) {
        return NULL;
    }
    it = PyObject_GetIter(list);
    Py_DECREF(list);
    return it;
}

/* ------------------------------------------------------------------ */
/* Map and Set                                                         */

void
march_hamt_object_init(MarchHamtObject *o, MarchBitmapNode *root, int track)
{
    o->root = root;
    o->hash = -1;
    o->weakreflist = NULL;
    if (track && march_hamt_node_tracked(root)) {
        PyObject_GC_Track(o);
    }
}

int
march_hamt_object_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(MARCH_HAMT_ROOT(self));
    return 0;
}

int
march_hamt_object_clear(PyObject *self)
{
    /* keep the object usable: an empty root instead of NULL */
    MarchBitmapNode *old = MARCH_HAMT_ROOT(self);
    MARCH_HAMT_ROOT(self) = march_hamt_node_empty_root();
    Py_XDECREF(old);
    return 0;
}

void
march_hamt_object_dealloc_as(PyObject *self, destructor dealloc)
{
    MarchHamtObject *o = (MarchHamtObject *)self;
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, dealloc)
    if (o->weakreflist != NULL) {
        PyObject_ClearWeakRefs(self);
    }
    Py_CLEAR(o->root);
    Py_TYPE(self)->tp_free(self);
    Py_TRASHCAN_END
}

void
march_hamt_object_dealloc(PyObject *self)
{
    march_hamt_object_dealloc_as(self, march_hamt_object_dealloc);
}

Py_ssize_t
march_hamt_object_length(PyObject *self)
{
    return MARCH_HAMT_ROOT(self)->count;
}

/* ------------------------------------------------------------------ */
/* debugging methods                                                   */

/* Run fn on the object's root, owning it, and for a transient with `busy`
 * raised: the check hashes the keys again (user code), and both allocate
 * (a collection runs finalizers), which must not edit or free the nodes
 * being walked. */
static PyObject *
hamt_object_on_root(PyObject *self, PyObject *(*fn)(PyObject *,
                                                     MarchBitmapNode *))
{
    MarchBitmapNode *root;
    PyObject *res;
    if (!hamt_object_is_transient(self)) {
        root = MARCH_HAMT_ROOT(self);
        Py_INCREF(root);
        res = fn(self, root);
        Py_DECREF(root);
        return res;
    }
    /* a transient: in a critical section on it (docs/threads.md) */
    MARCH_BEGIN_CRITICAL_SECTION(self);
    root = MARCH_HAMT_ROOT(self);
    Py_INCREF(root);
    ((MarchHamtTransient *)self)->busy++;
    res = fn(self, root);
    ((MarchHamtTransient *)self)->busy--;
    Py_DECREF(root);
    MARCH_END_CRITICAL_SECTION();
    return res;
}

static PyObject *
hamt_object_check_root(PyObject *self, MarchBitmapNode *root)
{
    int set = hamt_object_is_setlike(self);
    if ((set ? march_hamt_check_set(root) : march_hamt_check(root)) < 0) {
        return NULL;
    }
    /* a persistent object is GC-tracked when its root is (the root's
     * tracking cannot change later: nothing edits it) */
    if (!hamt_object_is_transient(self)
            && march_hamt_node_tracked(root)
            && !march_gc_is_tracked(self)) {
        PyErr_SetString(PyExc_AssertionError, set
                        ? "march.Set invariant: the root is GC-tracked but "
                          "the set is not"
                        : "march.Map invariant violated: the root is "
                          "GC-tracked but the map is not");
        return NULL;
    }
    Py_RETURN_NONE;
}

PyObject *
march_hamt_object_check(PyObject *self, PyObject *Py_UNUSED(unused))
{
    return hamt_object_on_root(self, hamt_object_check_root);
}

static PyObject *
hamt_object_layout_root(PyObject *self, MarchBitmapNode *root)
{
    (void)self;
    return march_hamt_layout(root);
}

PyObject *
march_hamt_object_layout(PyObject *self, PyObject *Py_UNUSED(unused))
{
    return hamt_object_on_root(self, hamt_object_layout_root);
}

PyObject *
march_hamt_object_depth(PyObject *self, PyObject *Py_UNUSED(unused))
{
    return PyLong_FromLong(march_hamt_depth(MARCH_HAMT_ROOT(self)));
}

PyObject *
march_hamt_object_stats(PyObject *self, PyObject *Py_UNUSED(unused))
{
    MarchHamtStats st;
    MarchBitmapNode *root = MARCH_HAMT_ROOT(self);
    march_hamt_stats(root, &st);
    return Py_BuildValue("{sn,sn,sn,sn,sn,sn,si}",
                         "bitmap_nodes", st.bitmap_nodes,
                         "collision_nodes", st.collision_nodes,
                         "bitmap_slots", st.bitmap_slots,
                         "bitmap_branches", st.bitmap_branches,
                         "entry_depth_sum", st.entry_depth_sum,
                         "bytes", st.bytes,
                         "depth", march_hamt_depth(root));
}

PyObject *
march_hamt_object_is_gc_tracked(PyObject *self, PyObject *Py_UNUSED(unused))
{
    return PyBool_FromLong(march_gc_is_tracked(self));
}

/* ------------------------------------------------------------------ */
/* building: a root updated with a mapping or pairs                    */

static int
hamt_object_update_dict(MarchBitmapNode **root, PyObject *d, uint64_t owner)
{
    Py_ssize_t pos = 0, size;
    PyObject *k, *v;
    int rc = 0;
    /* on the free-threaded build another thread may edit d meanwhile: the
     * walk runs in a critical section on d, as dict.update does (a key's
     * __hash__ may suspend it; the size check below then catches a
     * change) */
    MARCH_BEGIN_CRITICAL_SECTION(d);
    size = PyDict_GET_SIZE(d);
    while (PyDict_Next(d, &pos, &k, &v)) {
        /* hash(k) again rather than the dict's stored hash: a key whose
         * __hash__ raises (or changed) behaves as with immutables */
        int r;
        Py_INCREF(k);
        Py_INCREF(v);
        r = march_hamt_root_assoc(root, k, NULL, v, owner);
        Py_DECREF(k);
        Py_DECREF(v);
        if (r < 0) {
            rc = -1;
            break;
        }
        if (PyDict_GET_SIZE(d) != size) {
            PyErr_SetString(PyExc_RuntimeError,
                            "dictionary changed size during iteration");
            rc = -1;
            break;
        }
    }
    MARCH_END_CRITICAL_SECTION();
    return rc;
}

/* `*root` updated with the entries of the Map `other` (its values win),
 * structurally: a union (hamt_walk.c), where subtrees shared with other
 * cost nothing */
static int
hamt_object_update_map(MarchBitmapNode **root, MarchHamtObject *other,
                       uint64_t owner)
{
    MarchBitmapNode *r, *b = other->root;
    if (march_hamt_node_owner(*root) == owner) {
        /* the walk must not read nodes it edits */
        owner = march_hamt_node_new_owner();
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

static int
hamt_object_update_pairs(MarchBitmapNode **root, PyObject *iterable,
                         uint64_t owner)
{
    PyObject *it = PyObject_GetIter(iterable), *item;
    Py_ssize_t i = 0;
    if (it == NULL) {
        return -1;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *k, *v, *seq = NULL;
        int r;
        if (PyTuple_CheckExact(item) && PyTuple_GET_SIZE(item) == 2) {
            k = PyTuple_GET_ITEM(item, 0);
            v = PyTuple_GET_ITEM(item, 1);
        }
        else {
            /* a tuple of its own: a list pair may be changed by a key's
             * __hash__, a finalizer or another thread meanwhile */
            seq = PySequence_Tuple(item);
            if (seq == NULL) {
                if (PyErr_ExceptionMatches(PyExc_TypeError)) {
                    PyErr_Format(PyExc_TypeError,
                                 "cannot convert map update sequence element "
                                 "#%zd to a sequence", i);
                }
                goto fail;
            }
            if (PyTuple_GET_SIZE(seq) != 2) {
                PyErr_Format(PyExc_ValueError,
                             "map update sequence element #%zd has length "
                             "%zd; 2 is required", i, PyTuple_GET_SIZE(seq));
                goto fail;
            }
            k = PyTuple_GET_ITEM(seq, 0);
            v = PyTuple_GET_ITEM(seq, 1);
        }
        /* own them (the key's __hash__ may drop the pair) */
        Py_INCREF(k);
        Py_INCREF(v);
        r = march_hamt_root_assoc(root, k, NULL, v, owner);
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
hamt_object_items_attr(PyObject *col, PyObject **items)
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

MarchBitmapNode *
march_hamt_object_update(MarchBitmapNode *root, PyObject *col,
                         PyObject *kwds, uint64_t owner)
{
    MarchBitmapNode *r = root;
    Py_INCREF(r);
    if (col != NULL && col != Py_None) {
        int rc;
        if (march_hamt_object_is_map(col)) {
            rc = hamt_object_update_map(&r, (MarchHamtObject *)col, owner);
        }
        else if (PyDict_CheckExact(col)) {
            rc = hamt_object_update_dict(&r, col, owner);
        }
        else if (march_hamt_object_is_map_mutation(col)) {
            PyErr_SetString(PyExc_TypeError,
                            "cannot create Maps from MapMutations");
            rc = -1;
        }
        else {
            PyObject *items;
            if (hamt_object_items_attr(col, &items) < 0) {
                rc = -1;
            }
            else if (items != NULL) {
                PyObject *seq = PyObject_CallNoArgs(items);
                Py_DECREF(items);
                if (seq == NULL) {
                    rc = -1;
                }
                else {
                    rc = hamt_object_update_pairs(&r, seq, owner);
                    Py_DECREF(seq);
                }
            }
            else {
                rc = hamt_object_update_pairs(&r, col, owner);
            }
        }
        if (rc < 0) {
            Py_DECREF(r);
            return NULL;
        }
    }
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        if (hamt_object_update_dict(&r, kwds, owner) < 0) {
            Py_DECREF(r);
            return NULL;
        }
    }
    return r;
}

/* ------------------------------------------------------------------ */
/* building: a root of elements                                        */

int
march_hamt_object_add_all(MarchBitmapNode **root, PyObject *iterable,
                          uint64_t owner)
{
    PyObject *it, *item;
    if (march_hamt_object_is_set(iterable)) {
        MarchBitmapNode *o = MARCH_HAMT_ROOT(iterable), *r;
        Py_INCREF(o);
        r = march_hamt_union(*root, o, NULL, march_hamt_node_new_owner(), 0);
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
        int r = march_hamt_root_assoc(root, item, NULL, Py_None, owner);
        Py_DECREF(item);
        if (r < 0) {
            Py_DECREF(it);
            return -1;
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

MarchBitmapNode *
march_hamt_object_set_root(PyObject *o)
{
    MarchBitmapNode *r;
    if (march_hamt_object_is_set(o)) {
        r = MARCH_HAMT_ROOT(o);
        Py_INCREF(r);
        return r;
    }
    r = march_hamt_node_empty_root();
    if (march_hamt_object_add_all(&r, o, march_hamt_node_new_owner()) < 0) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

MarchBitmapNode *
march_hamt_object_algebra(int op, MarchBitmapNode *a, MarchBitmapNode *b,
                          PyObject *combine, int from_a)
{
    uint64_t owner = march_hamt_node_new_owner();
    switch (op) {
    case MARCH_HAMT_OP_UNION:
        return march_hamt_union(a, b, combine, owner, from_a);
    case MARCH_HAMT_OP_INTERSECTION:
        return march_hamt_intersection(a, b, combine, owner);
    case MARCH_HAMT_OP_DIFFERENCE:
        return march_hamt_difference(a, b, owner);
    default:
        return march_hamt_symmetric_difference(a, b, owner);
    }
}

/* ------------------------------------------------------------------ */
/* MapMutation and SetEvolver                                          */

PyObject *
march_hamt_transient_new(PyTypeObject *type, MarchBitmapNode *root,
                         MarchHamtObject *orig)
{
    MarchHamtTransient *t = PyObject_GC_New(MarchHamtTransient, type);
    if (t == NULL) {
        return NULL;
    }
    Py_INCREF(root);
    t->root = root;
    Py_XINCREF(orig);
    t->orig = orig;
    t->owner = march_hamt_node_new_owner();
    t->busy = 0;
    t->weakreflist = NULL;
    PyObject_GC_Track(t);
    return (PyObject *)t;
}

int
march_hamt_transient_traverse(PyObject *self, visitproc visit, void *arg)
{
    MarchHamtTransient *t = (MarchHamtTransient *)self;
    Py_VISIT(t->root);
    Py_VISIT(t->orig);
    return 0;
}

int
march_hamt_transient_clear(PyObject *self)
{
    MarchHamtTransient *t = (MarchHamtTransient *)self;
    march_hamt_object_clear(self);
    Py_CLEAR(t->orig);
    return 0;
}

void
march_hamt_transient_dealloc(PyObject *self)
{
    MarchHamtTransient *t = (MarchHamtTransient *)self;
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, march_hamt_transient_dealloc)
    if (t->weakreflist != NULL) {
        PyObject_ClearWeakRefs(self);
    }
    Py_CLEAR(t->root);
    Py_CLEAR(t->orig);
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

int
march_hamt_transient_writable(MarchHamtTransient *t)
{
    if (t->owner == 0) {
        PyErr_SetString(PyExc_ValueError, "mutation has been finished");
        return -1;
    }
    if (t->busy) {
        return march_transient_idle(
            t->busy, hamt_object_is_setlike((PyObject *)t) ? "SetEvolver"
                                                           : "MapMutation");
    }
    return 0;
}

int
march_hamt_transient_assoc(MarchHamtTransient *t, PyObject *key,
                           PyObject *value)
{
    uint64_t h;
    int added;
    MarchBitmapNode *nr;
    if (march_hamt_transient_writable(t) < 0 || march_hamt_hash(key, &h) < 0
            || march_hamt_transient_writable(t) < 0) {
        return -1;
    }
    t->busy++;
    nr = march_hamt_assoc(t->root, key, h, value, t->owner, &added);
    t->busy--;
    if (nr == NULL) {
        return -1;
    }
    Py_SETREF(t->root, nr);
    return 0;
}

int
march_hamt_transient_without(MarchHamtTransient *t, PyObject *key,
                             PyObject **value)
{
    uint64_t h;
    int found;
    MarchBitmapNode *nr;
    PyObject *v = NULL;
    if (march_hamt_transient_writable(t) < 0 || march_hamt_hash(key, &h) < 0
            || march_hamt_transient_writable(t) < 0) {
        return -1;
    }
    t->busy++;
    if (value != NULL) {
        /* pop: the value first (owned: the removal drops the node's
         * reference), then the removal, both under the same guard */
        int r = march_hamt_find(t->root, key, h, &v);
        if (r <= 0) {
            t->busy--;
            return r;
        }
        Py_INCREF(v);
    }
    nr = march_hamt_without(t->root, key, h, t->owner, &found);
    t->busy--;
    if (nr == NULL) {
        Py_XDECREF(v);
        return -1;
    }
    Py_SETREF(t->root, nr);
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

int
march_hamt_transient_find(MarchHamtTransient *t, PyObject *key,
                          PyObject **value)
{
    uint64_t h;
    int r;
    if (march_hamt_hash(key, &h) < 0) {
        return -1;
    }
    t->busy++;
    r = march_hamt_find(t->root, key, h, value);
    t->busy--;
    if (r > 0) {
        Py_INCREF(*value);
    }
    return r;
}

int
march_hamt_transient_contains(PyObject *self, PyObject *key)
{
    PyObject *v;
    int r;
    MARCH_BEGIN_CRITICAL_SECTION(self);
    r = march_hamt_transient_find((MarchHamtTransient *)self, key, &v);
    MARCH_END_CRITICAL_SECTION();
    if (r > 0) {
        Py_DECREF(v);
    }
    return r;
}

Py_ssize_t
march_hamt_transient_length(PyObject *self)
{
    Py_ssize_t n;
    /* another thread may replace (and free) the root meanwhile */
    MARCH_BEGIN_CRITICAL_SECTION(self);
    n = ((MarchHamtTransient *)self)->root->count;
    MARCH_END_CRITICAL_SECTION();
    return n;
}

PyObject *
march_hamt_transient_enter(PyObject *self, PyObject *Py_UNUSED(unused))
{
    return Py_NewRef(self);
}

PyObject *
march_hamt_transient_exit(PyObject *self, PyCFunction finish)
{
    PyObject *r = finish(self, NULL);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

PyObject *
march_hamt_transient_reduce(PyObject *self, PyObject *Py_UNUSED(unused))
{
    PyErr_Format(PyExc_TypeError, "cannot pickle '%s' object",
                 march_type_name(Py_TYPE(self)));
    return NULL;
}

/* ------------------------------------------------------------------ */
/* iterator                                                            */

typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;  /* strong; NULL once cleared */
    MarchHamtIter it;
    Py_ssize_t remaining;
    int kind;
} MarchHamtIterator;

static PyTypeObject MarchHamtIterator_Type;

PyObject *
march_hamt_iterator_new(MarchBitmapNode *root, int kind)
{
    MarchHamtIterator *it = PyObject_GC_New(MarchHamtIterator,
                                            &MarchHamtIterator_Type);
    if (it == NULL) {
        return NULL;
    }
    Py_INCREF(root);
    it->root = root;
    it->kind = kind;
    it->remaining = root->count;
    march_hamt_iter_init(&it->it, root);
    if (march_hamt_node_tracked(root)) {
        PyObject_GC_Track(it);
    }
    return (PyObject *)it;
}

static int
hamt_iterator_traverse(MarchHamtIterator *self, visitproc visit, void *arg)
{
    Py_VISIT(self->root);
    return 0;
}

static int
hamt_iterator_clear(MarchHamtIterator *self)
{
    self->it.top = -1;
    self->remaining = 0;
    Py_CLEAR(self->root);
    return 0;
}

static void
hamt_iterator_dealloc(MarchHamtIterator *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->root);
    PyObject_GC_Del(self);
}

static PyObject *
hamt_iterator_next(MarchHamtIterator *self)
{
    PyObject *k, *v, *t;
    if (self->root == NULL || !march_hamt_iter_next(&self->it, &k, &v)) {
        return NULL;
    }
    self->remaining--;
    switch (self->kind) {
    case MARCH_HAMT_ITER_KEYS:
        Py_INCREF(k);
        return k;
    case MARCH_HAMT_ITER_VALUES:
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
hamt_iterator_length_hint(MarchHamtIterator *self,
                          PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSsize_t(self->remaining);
}

/* Each step runs in a critical section on the iterator: threads that share
 * one get each entry once (docs/threads.md). */
MARCH_LOCKED(PyObject *, hamt_iterator_next_locked, hamt_iterator_next,
             (MarchHamtIterator *self), (self))
MARCH_LOCKED(PyObject *, hamt_iterator_length_hint_locked,
             hamt_iterator_length_hint,
             (MarchHamtIterator *self, PyObject *unused), (self, unused))

static PyMethodDef hamt_iterator_methods[] = {
    {"__length_hint__", (PyCFunction)hamt_iterator_length_hint_locked,
     METH_NOARGS,
     NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject MarchHamtIterator_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.MapIterator",
    .tp_basicsize = sizeof(MarchHamtIterator),
    .tp_dealloc = (destructor)hamt_iterator_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)hamt_iterator_traverse,
    .tp_clear = (inquiry)hamt_iterator_clear,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)hamt_iterator_next_locked,
    .tp_methods = hamt_iterator_methods,
};

/* ------------------------------------------------------------------ */
/* ABSENT                                                              */

static PyObject *
hamt_absent_repr(PyObject *Py_UNUSED(self))
{
    return PyUnicode_FromString("march.ABSENT");
}

static PyObject *
hamt_absent_reduce(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(ignored))
{
    return PyUnicode_FromString("ABSENT");
}

static PyMethodDef hamt_absent_methods[] = {
    {"__reduce__", (PyCFunction)hamt_absent_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject MarchHamtAbsent_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt._AbsentType",
    .tp_basicsize = sizeof(PyObject),
    .tp_repr = hamt_absent_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "the type of ABSENT, diff()'s marker of a missing side",
    .tp_methods = hamt_absent_methods,
};

/* ------------------------------------------------------------------ */
/* registration                                                        */

int
march_hamt_object_ready(PyObject *module)
{
    if (PyType_Ready(&MarchHamtIterator_Type) < 0
            || PyType_Ready(&MarchHamtAbsent_Type) < 0) {
        return -1;
    }
    if (march_hamt_absent == NULL) {
        march_hamt_absent = PyObject_New(PyObject, &MarchHamtAbsent_Type);
        if (march_hamt_absent == NULL) {
            return -1;
        }
    }
    if (PyModule_AddObjectRef(module, "MapIterator",
                              (PyObject *)&MarchHamtIterator_Type) < 0
            || PyModule_AddObjectRef(module, "ABSENT",
                                     march_hamt_absent) < 0) {
        return -1;
    }
    return 0;
}

PyObject *
march_hamt_object_register_abc(const char *name, PyTypeObject *type)
{
    PyObject *abc = PyImport_ImportModule("collections.abc"), *cls, *r;
    if (abc == NULL) {
        return NULL;
    }
    cls = PyObject_GetAttrString(abc, name);
    Py_DECREF(abc);
    if (cls == NULL) {
        return NULL;
    }
    r = PyObject_CallMethod(cls, "register", "O", (PyObject *)type);
    if (r == NULL) {
        Py_DECREF(cls);
        return NULL;
    }
    Py_DECREF(r);
    return cls;
}
