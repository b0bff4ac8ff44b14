/*
 * vector_object.c -- the Python types over the RRB tree (rrb.c): Vector,
 * VectorEvolver and the forward/reverse iterators, and the `_rrb`/`_rrb4`
 * module (def and init).  Built twice: march._rrb (MARCH_RRB_BITS = 5,
 * branching 32) and march._rrb4 (MARCH_RRB_BITS = 2, branching 4).
 *
 * Includes rrb_check.h (and so rrb.h, rrb_node.h and common.h); nothing
 * includes it.  Function names: vector_<method> (Vector),
 * vectorevolver_<method> (VectorEvolver), vectoriter_ (the iterators).
 *
 * Vector         an immutable value: a MarchRRB (count, root, tail), a cached
 *                hash and a weak reference list.  GC-tracked only when its
 *                root or tail is (common.h), so a vector of atomic elements
 *                costs the cyclic collector nothing.  Dead Vector objects go
 *                to a small free list (persistent updates make and drop one
 *                per operation).
 * VectorEvolver  a transient: a MarchRRB, the owner id that lets it edit the
 *                nodes it copied in place, and the Vector that persistent()
 *                returns while nothing changed.  persistent() (= finish())
 *                hands the current tree to a new Vector in O(1) and takes a
 *                new owner id, so that vector never changes; the evolver
 *                stays usable.  `busy` counts its operations in progress: an
 *                edit started from Python code that runs inside one (a
 *                __del__ run by a GC that an allocation started, an
 *                element's __eq__) raises RuntimeError (common.h's
 *                march_transient_idle; see "The busy guard" below).
 * Re-entrancy    Python code runs wherever the core calls __index__, __eq__,
 *                __hash__, drops a reference, or allocates (a GC collection
 *                runs finalizers).  Across such a call no function here holds
 *                a length, node pointer or item array that the code could
 *                change: indices are converted before lengths are read
 *                (vector_key_unpack), a caller's list is copied with
 *                references first (vector_items_get), the elements compared
 *                are held, a Vector never changes, and an evolver is busy.
 * Iterators      hold the vector and the current leaf (borrowed: the vector
 *                keeps it alive), so next() is an index test and a load.
 *
 * Semantics follow the pure-Python twin (src/march/_pure/vector_object.py),
 * which follows pyrsistent's PVector; the algorithms are all in rrb.c.
 */
#include "rrb_check.h"
#include "docstrings.h"    /* MARCH_DOC_*: generated from _docstrings.py */

#include <stddef.h>
#include <string.h>

#if RRB_BITS == 5
#define MODULE_NAME "_rrb"
#define INIT_FUNC PyInit__rrb
#elif RRB_BITS == 2
#define MODULE_NAME "_rrb4"
#define INIT_FUNC PyInit__rrb4
#else
#error "MARCH_RRB_BITS must be 5 or 2"
#endif
#define QUAL(name) "march." MODULE_NAME "." name

typedef struct {
    PyObject_HEAD
    MarchRRB v;
    Py_hash_t hash;             /* -1: not computed yet */
    PyObject *weakreflist;
} VectorObject;

typedef struct {
    PyObject_HEAD
    MarchRRB v;
    uint64_t owner;
    VectorObject *orig;         /* what persistent() returns while clean */
    int dirty;
    Py_ssize_t busy;            /* operations in progress (see below) */
    PyObject *weakreflist;
} VectorEvolverObject;

typedef struct {
    PyObject_HEAD
    VectorObject *vec;          /* NULL once exhausted */
    Py_ssize_t pos;             /* next index (reverse: next index + 1) */
    MarchRRBNode *leaf;         /* borrowed; leaf holding [start, end) */
    Py_ssize_t start, end;
} VectorIterObject;

static PyTypeObject Vector_Type;
static PyTypeObject VectorEvolver_Type;
static PyTypeObject VectorIter_Type;
static PyTypeObject VectorRevIter_Type;

static VectorObject *empty_vector = NULL;
static PyObject *vector_func = NULL;        /* the module's vector(), for pickling */

/* Vector or a subclass instance (the layout); where identity matters, the
 * code compares Py_TYPE itself. */
#define Vector_Check(o) PyObject_TypeCheck(o, &Vector_Type)

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* A free list of Vector objects (persistent updates make and drop one per
 * operation; common.h's MarchFreeList, poisoned under AddressSanitizer).
 * Blocks on it are untracked GC objects whose fields are dead, linked
 * through their `v` field; vector_wrap revives them with a new
 * reference. */
#define VECTOR_FREE_MAX 64
#define VECTOR_FREE_LINK offsetof(VectorObject, v)
static MarchFreeList vector_free_list;

/* A new instance of `type` (Vector or a subclass of it) over *v (its
 * references are stolen; *v is left empty).  The exact type takes the free
 * list and the empty singleton; a subclass gets a new object from its
 * tp_alloc (tracked by the GC: a subclass instance may have a __dict__). */
static PyObject *
vector_wrap(PyTypeObject *type, MarchRRB *v)
{
    VectorObject *o;
    int exact = (type == &Vector_Type);
    if (!exact) {
        o = (VectorObject *)type->tp_alloc(type, 0);
    }
    else if (v->count == 0 && empty_vector != NULL) {
        march_rrb_clear(v);
        Py_INCREF(empty_vector);
        return (PyObject *)empty_vector;
    }
    else {
#if MARCH_RRB_FREELISTS
        o = march_freelist_take(&vector_free_list, VECTOR_FREE_LINK,
                                sizeof(VectorObject));
        if (o != NULL) {
            PyObject_Init((PyObject *)o, &Vector_Type);
        }
        else
#endif
        {
            o = PyObject_GC_New(VectorObject, &Vector_Type);
        }
    }
    if (o == NULL) {
        march_rrb_clear(v);
        return NULL;
    }
    o->v = *v;
    march_rrb_init(v);
    o->hash = -1;
    o->weakreflist = NULL;
    /* tp_alloc has tracked a subclass instance already */
    if (exact && march_rrb_needs_tracking(&o->v)) {
        PyObject_GC_Track(o);
    }
    return (PyObject *)o;
}

/* Result of a function filling *out: wrap it as a `type`, or NULL on
 * error. */
static PyObject *
vector_wrap_result(PyTypeObject *type, int rc, MarchRRB *out)
{
    if (rc < 0) {
        march_rrb_clear(out);
        return NULL;
    }
    return vector_wrap(type, out);
}

/* The type of the values that operations on self build: type(self) (Vector,
 * or the subclass self is an instance of). */
static PyTypeObject *
vector_result_type(VectorObject *self)
{
    return Py_TYPE(self);
}

/* An empty `type`: the empty singleton for Vector. */
static PyObject *
vector_empty(PyTypeObject *type)
{
    MarchRRB empty;
    march_rrb_init(&empty);
    return vector_wrap(type, &empty);
}

/* A `type` over the elements of the Vector (or subclass instance) src,
 * sharing its tree, O(1): src itself when it is a `type`. */
static PyObject *
vector_rewrap(PyTypeObject *type, VectorObject *src)
{
    MarchRRB copy;
    if (Py_TYPE(src) == type) {
        Py_INCREF(src);
        return (PyObject *)src;
    }
    march_rrb_copy(&copy, &src->v);
    return vector_wrap(type, &copy);
}

/* operator.index(o) as a clamped Py_ssize_t; -1 with an error set on failure
 * (*err = 1). */
static Py_ssize_t
vector_as_index(PyObject *o, int *err)
{
    Py_ssize_t i;
    PyObject *idx;
    *err = 0;
    if (PyLong_CheckExact(o)) {
        i = PyLong_AsSsize_t(o);
        if (i == -1 && PyErr_Occurred()) {
            int overflow;
            PyErr_Clear();
            /* out of range: the sign says which end to clamp to */
            (void)PyLong_AsLongLongAndOverflow(o, &overflow);
            return overflow < 0 ? PY_SSIZE_T_MIN : PY_SSIZE_T_MAX;
        }
        return i;
    }
    idx = PyNumber_Index(o);
    if (idx == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Format(PyExc_TypeError,
                         "'%.200s' object cannot be interpreted as an index",
                         Py_TYPE(o)->tp_name);
        }
        *err = 1;
        return -1;
    }
    i = PyNumber_AsSsize_t(idx, NULL);      /* clamps on overflow */
    Py_DECREF(idx);
    if (i == -1 && PyErr_Occurred()) {
        *err = 1;
    }
    return i;
}

/* operator.index(o) as an index into v (clamped, as vector_as_index):
 * a negative one counts from the end, with v->count read after the
 * __index__ ran (it may edit an evolver's v).  0, or -1 with an error. */
static int
vector_index_in(PyObject *o, const MarchRRB *v, Py_ssize_t *i)
{
    int err;
    *i = vector_as_index(o, &err);
    if (err) {
        return -1;
    }
    if (*i < 0) {
        *i += v->count;
    }
    return 0;
}

static PyObject *
vector_index_error(PyObject *index)
{
    PyErr_Format(PyExc_IndexError, "Index out of range: %S", index);
    return NULL;
}

static PyObject *
vector_index_error_n(Py_ssize_t i)
{
    PyErr_Format(PyExc_IndexError, "Index out of range: %zd", i);
    return NULL;
}

/* An index or a slice given by the caller, converted in two steps: first
 * vector_key_unpack runs all the user code (the key's __index__, or those
 * of the slice's start, stop and step), then the length is read and
 * vector_key_range turns the key into the elements it means.  Reading the
 * length first would check the bounds against a length that such code may
 * have changed (an evolver). */
typedef struct {
    int is_slice;
    Py_ssize_t i;               /* an index as given (may be negative) */
    Py_ssize_t start, stop, step;
    Py_ssize_t len;             /* set by vector_key_range */
} VectorKey;

static int
vector_key_unpack(PyObject *key, VectorKey *k)
{
    int err;
    if (PySlice_Check(key)) {
        k->is_slice = 1;
        return PySlice_Unpack(key, &k->start, &k->stop, &k->step);
    }
    k->is_slice = 0;
    k->i = vector_as_index(key, &err);
    return err ? -1 : 0;
}

/* The elements that k (from vector_key_unpack) means in a vector of n
 * elements: k->len of them, at k->start, k->start + k->step, ...  A slice
 * is adjusted as list does (PySlice_AdjustIndices: k->stop too); an index
 * is the one element [i, i + 1) (step 1), or -1 with IndexError naming
 * `key` when it is out of range. */
static int
vector_key_range(VectorKey *k, Py_ssize_t n, PyObject *key)
{
    if (k->is_slice) {
        k->len = PySlice_AdjustIndices(n, &k->start, &k->stop, k->step);
        return 0;
    }
    k->start = k->i < 0 ? k->i + n : k->i;
    if (k->start < 0 || k->start >= n) {
        vector_index_error(key);
        return -1;
    }
    k->stop = k->start + 1;
    k->step = 1;
    k->len = 1;
    return 0;
}

/* The elements of a caller's iterable as an array that stays valid while
 * leaves are allocated: an allocation may start a GC collection, whose
 * finalizers (and gc.callbacks) run Python code, and that code may change
 * a list the caller passed.  A tuple is immutable: its own items.  A list
 * (or a list subclass) is copied, with new references, into a block
 * allocated before its items are read (PyMem_Malloc runs no Python code, so
 * the list cannot change between reading its size and copying).  Anything
 * else is iterated into a new list that no other code holds
 * (PySequence_Fast). */
typedef struct {
    PyObject *seq;              /* a tuple or a new list, or NULL */
    PyObject **own;             /* new references (a list's copy), or NULL */
    PyObject *const *items;
    Py_ssize_t n;
} VectorItems;

static int
vector_items_get(VectorItems *it, PyObject *iterable, const char *msg)
{
    it->seq = NULL;
    it->own = NULL;
    it->items = NULL;
    it->n = 0;
    if (PyList_Check(iterable)) {
        Py_ssize_t n, i;
        PyObject **own;
        /* in a critical section on the list: on the free-threaded build,
         * another thread may change it (nothing in here runs Python code) */
        MARCH_BEGIN_CRITICAL_SECTION(iterable);
        n = PyList_GET_SIZE(iterable);
        own = PyMem_New(PyObject *, n > 0 ? n : 1);
        /* PyMem_New runs no Python code (no collection): the list still
         * has n items, and they are owned before anything else allocates */
        for (i = 0; own != NULL && i < n; i++) {
            own[i] = PyList_GET_ITEM(iterable, i);
            Py_INCREF(own[i]);
        }
        MARCH_END_CRITICAL_SECTION();
        if (own == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        it->own = own;
        it->items = own;
        it->n = n;
        return 0;
    }
    it->seq = PySequence_Fast(iterable, msg);
    if (it->seq == NULL) {
        return -1;
    }
    it->items = PySequence_Fast_ITEMS(it->seq);
    it->n = PySequence_Fast_GET_SIZE(it->seq);
    return 0;
}

/* release what vector_items_get took (may run __del__: call it once the structure
 * being built is whole) */
static void
vector_items_release(VectorItems *it)
{
    if (it->own != NULL) {
        Py_ssize_t i;
        for (i = 0; i < it->n; i++) {
            Py_DECREF(it->own[i]);
        }
        PyMem_Free(it->own);
        it->own = NULL;
    }
    Py_CLEAR(it->seq);
    it->items = NULL;
    it->n = 0;
}

/* ------------------------------------------------------------------ */
/* construction                                                        */

/* A `type` (Vector or a subclass) over the elements of iterable: a Vector
 * or subclass instance shares its tree (O(1); itself when it is a `type`) */
static PyObject *
vector_from_iterable_as(PyTypeObject *type, PyObject *iterable)
{
    VectorItems it;
    MarchRRB out;
    int rc;
    PyObject *r;
    if (Vector_Check(iterable)) {
        return vector_rewrap(type, (VectorObject *)iterable);
    }
    if (vector_items_get(&it, iterable, "vector() argument must be iterable") < 0) {
        return NULL;
    }
    rc = march_rrb_from_array(&out, it.items, it.n);
    r = vector_wrap_result(type, rc, &out);
    vector_items_release(&it);
    return r;
}

/* vector(iterable): a Vector (the exact type) over the elements of iterable */
static PyObject *
vector_from_iterable(PyObject *iterable)
{
    return vector_from_iterable_as(&Vector_Type, iterable);
}

/* vector(iterable=()): positional or keyword, as pyrsistent's pvector() */
static PyObject *
vector_module_vector(PyObject *Py_UNUSED(module), PyObject *const *args,
                     Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *iterable = NULL;
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    if (!march_check_positional("vector", nargs + nkw, 0, 1)) {
        return NULL;
    }
    if (nkw == 1) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, 0);
        if (!PyUnicode_Check(name)
                || PyUnicode_CompareWithASCIIString(name, "iterable") != 0) {
            PyErr_Format(PyExc_TypeError,
                         "vector() got an unexpected keyword argument '%S'", name);
            return NULL;
        }
        iterable = args[nargs];
    }
    else if (nargs == 1) {
        iterable = args[0];
    }
    if (iterable == NULL) {
        Py_INCREF(empty_vector);
        return (PyObject *)empty_vector;
    }
    return vector_from_iterable(iterable);
}

static PyObject *
vector_module_v(PyObject *Py_UNUSED(module), PyObject *args)
{
    MarchRRB out;
    int rc = march_rrb_from_array(&out, &PyTuple_GET_ITEM(args, 0),
                                  PyTuple_GET_SIZE(args));
    return vector_wrap_result(&Vector_Type, rc, &out);
}

/* Vector(iterable=()) and Sub(iterable=()) for a subclass Sub: a `type` */
static PyObject *
vector_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"iterable", NULL};
    PyObject *iterable = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:Vector", kwlist, &iterable)) {
        return NULL;
    }
    if (iterable == NULL) {
        return vector_empty(type);
    }
    return vector_from_iterable_as(type, iterable);
}

/* ------------------------------------------------------------------ */
/* Vector: object protocol                                             */

static void
vector_dealloc(VectorObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    Py_TRASHCAN_BEGIN(self, vector_dealloc)
    march_rrb_clear(&self->v);
    if (Py_TYPE(self) != &Vector_Type) {
        /* a subclass instance: called by CPython's subtype_dealloc, which
         * cleared its __dict__ and drops the reference to its type */
        Py_TYPE(self)->tp_free((PyObject *)self);
    }
    else if (!MARCH_RRB_FREELISTS
            || !march_freelist_put(&vector_free_list, self, VECTOR_FREE_LINK,
                                   sizeof(VectorObject), VECTOR_FREE_MAX)) {
        PyObject_GC_Del(self);
    }
    Py_TRASHCAN_END
}

static int
vector_traverse(VectorObject *self, visitproc visit, void *arg)
{
    return march_rrb_traverse(&self->v, visit, arg);
}

static int
vector_clear(VectorObject *self)
{
    /* only ever called on garbage: leave a valid empty vector */
    march_rrb_clear(&self->v);
    return 0;
}

static Py_ssize_t
vector_len(VectorObject *self)
{
    return self->v.count;
}

static PyObject *
vector_item(VectorObject *self, Py_ssize_t i)
{
    PyObject *x;
    if (i < 0 || i >= self->v.count) {
        /* pyrsistent's message, with the index after adding len() */
        return vector_index_error_n(i);
    }
    x = march_rrb_get(&self->v, i);
    Py_INCREF(x);
    return x;
}

static PyObject *vector_range(VectorObject *self, Py_ssize_t lo, Py_ssize_t hi);

static PyObject *
vector_subscript(VectorObject *self, PyObject *key)
{
    Py_ssize_t i, n;
    if (PyLong_CheckExact(key)) {
        i = PyLong_AsSsize_t(key);
        if (i == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            i = PY_SSIZE_T_MIN;
        }
    }
    else if (PySlice_Check(key)) {
        Py_ssize_t start, stop, step, len;
        MarchRRB out;
        /* the __index__ calls first, then the length */
        if (PySlice_Unpack(key, &start, &stop, &step) < 0) {
            return NULL;
        }
        len = PySlice_AdjustIndices(self->v.count, &start, &stop, step);
        if (step == 1) {
            return vector_range(self, start, stop);
        }
        return vector_wrap_result(vector_result_type(self),
            march_rrb_take_step(&self->v, start, step, len, &out), &out);
    }
    else if (PyIndex_Check(key)) {
        i = PyNumber_AsSsize_t(key, NULL);
        if (i == -1 && PyErr_Occurred()) {
            return NULL;
        }
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "vector indices must be integers or slices, not %.200s",
                     Py_TYPE(key)->tp_name);
        return NULL;
    }
    n = self->v.count;
    if (i < 0) {
        i += n;
    }
    return vector_item(self, i);
}

/* elements [lo, hi) (0 <= lo, hi <= count), O(log n) */
static PyObject *
vector_range(VectorObject *self, Py_ssize_t lo, Py_ssize_t hi)
{
    MarchRRB out;
    /* all of it (an empty self too: a subclass's empty instance) */
    if (lo == 0 && hi == self->v.count) {
        Py_INCREF(self);
        return (PyObject *)self;
    }
    if (lo >= hi) {
        return vector_empty(vector_result_type(self));
    }
    return vector_wrap_result(vector_result_type(self),
                              march_rrb_slice(&self->v, lo, hi, &out), &out);
}

static int
vector_contains(VectorObject *self, PyObject *x)
{
    Py_ssize_t r = march_rrb_find(&self->v, x, 0, self->v.count);
    return r == -2 ? -1 : r >= 0;
}

/* a + b, a type(a) (b: a Vector or a subclass instance) */
static PyObject *
vector_concat(VectorObject *a, VectorObject *b)
{
    MarchRRB out;
    if (b->v.count == 0) {
        Py_INCREF(a);
        return (PyObject *)a;
    }
    if (a->v.count == 0) {
        /* b itself only when it has a's type */
        return vector_rewrap(vector_result_type(a), b);
    }
    return vector_wrap_result(vector_result_type(a),
                              march_rrb_concat(&a->v, &b->v, &out), &out);
}

/* extend with the elements of a list/tuple (a fresh owner id: nodes made
 * here are edited in place, the shared ones are copied) */
static PyObject *
vector_extend_items(VectorObject *self, PyObject *const *items, Py_ssize_t n)
{
    MarchRRB out;
    uint64_t owner;
    Py_ssize_t i;
    if (n == 0) {
        Py_INCREF(self);
        return (PyObject *)self;
    }
    if (self->v.count == 0) {
        return vector_wrap_result(vector_result_type(self),
                                  march_rrb_from_array(&out, items, n), &out);
    }
    if (march_rrb_count_room(self->v.count, n) < 0) {
        return NULL;
    }
    march_rrb_copy(&out, &self->v);
    owner = march_rrb_new_owner();
    for (i = 0; i < n; i++) {
        if (march_rrb_push(&out, items[i], owner) < 0) {
            march_rrb_clear(&out);
            return NULL;
        }
    }
    return vector_wrap(vector_result_type(self), &out);
}

static PyObject *
vector_extend(VectorObject *self, PyObject *iterable)
{
    VectorItems it;
    PyObject *r;
    if (Vector_Check(iterable)) {
        return vector_concat(self, (VectorObject *)iterable);
    }
    if (vector_items_get(&it, iterable, "extend() argument must be iterable") < 0) {
        return NULL;
    }
    r = vector_extend_items(self, it.items, it.n);
    vector_items_release(&it);
    return r;
}

static PyObject *
vector_add(PyObject *a, PyObject *b)
{
    if (!Vector_Check(a)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    return vector_extend((VectorObject *)a, b);
}

/* v * t and t * v, as list: t is converted first (its __index__ may run);
 * a t that does not fit in Py_ssize_t raises OverflowError, t <= 0 gives
 * the empty vector, a product over sys.maxsize MemoryError.  The result is
 * dense (as in the twin). */
static PyObject *
vector_mul(PyObject *a, PyObject *b)
{
    VectorObject *self;
    PyObject *times;
    PyObject **buf;
    Py_ssize_t t, n, k;
    MarchRRB out;
    int rc;
    if (Vector_Check(a)) {
        self = (VectorObject *)a;
        times = b;
    }
    else {
        self = (VectorObject *)b;
        times = a;
    }
    if (!PyIndex_Check(times)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    t = PyNumber_AsSsize_t(times, PyExc_OverflowError);
    if (t == -1 && PyErr_Occurred()) {
        return NULL;
    }
    n = self->v.count;
    if (t == 1 || n == 0) {
        /* unchanged (an empty self too: a subclass's empty instance) */
        Py_INCREF(self);
        return (PyObject *)self;
    }
    if (t <= 0) {
        return vector_empty(vector_result_type(self));
    }
    if (n > PY_SSIZE_T_MAX / t
            || n * t > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(PyObject *)) {
        return PyErr_NoMemory();
    }
    /* the elements, borrowed from self (immutable, and alive while the
     * caller holds it) while the leaves are allocated */
    buf = PyMem_New(PyObject *, n * t);
    if (buf == NULL) {
        return PyErr_NoMemory();
    }
    for (k = 0; k < n; k++) {
        buf[k] = march_rrb_get(&self->v, k);
    }
    for (k = 1; k < t; k++) {
        memcpy(buf + k * n, buf, n * sizeof(PyObject *));
    }
    rc = march_rrb_from_array(&out, buf, n * t);
    PyMem_Free(buf);
    return vector_wrap_result(vector_result_type(self), rc, &out);
}

/* ------------------------------------------------------------------ */
/* Vector: comparison, hash, repr                                      */

static PyObject *
vector_compare(VectorObject *a, VectorObject *b, int op)
{
    Py_ssize_t d, na = a->v.count, nb = b->v.count;
    PyObject *x, *y, *r;
    if ((op == Py_EQ || op == Py_NE) && (a == b || na != nb)) {
        if (a == b) {
            return PyBool_FromLong(op == Py_EQ);
        }
        return PyBool_FromLong(op == Py_NE);
    }
    if (march_rrb_first_difference(&a->v, &b->v, &d) < 0) {
        return NULL;
    }
    if (d >= na || d >= nb) {
        Py_RETURN_RICHCOMPARE(na, nb, op);
    }
    if (op == Py_EQ) {
        Py_RETURN_FALSE;
    }
    if (op == Py_NE) {
        Py_RETURN_TRUE;
    }
    x = march_rrb_get(&a->v, d);
    y = march_rrb_get(&b->v, d);
    Py_INCREF(x);
    Py_INCREF(y);
    r = PyObject_RichCompare(x, y, op);
    Py_DECREF(x);
    Py_DECREF(y);
    return r;
}

static PyObject *
vector_richcompare(PyObject *self, PyObject *other, int op)
{
    PyObject *list, *r;
    VectorObject *a = (VectorObject *)self;
    if (Vector_Check(other)) {
        return vector_compare(a, (VectorObject *)other, op);
    }
    if (op == Py_EQ || op == Py_NE) {
        /* the twin: hasattr(other, "__len__") and lengths equal, then lists */
        int has = PyObject_HasAttrString(other, "__len__");
        Py_ssize_t n;
        if (!has) {
            return PyBool_FromLong(op == Py_NE);
        }
        n = PyObject_Size(other);
        if (n < 0) {
            return NULL;
        }
        if (n != a->v.count) {
            return PyBool_FromLong(op == Py_NE);
        }
        list = march_rrb_tolist(&a->v);
        if (list == NULL) {
            return NULL;
        }
        r = PyObject_RichCompare(list, other, Py_EQ);
        Py_DECREF(list);
        if (r != NULL && op == Py_NE) {
            int t = PyObject_IsTrue(r);
            Py_DECREF(r);
            if (t < 0) {
                return NULL;
            }
            return PyBool_FromLong(!t);
        }
        return r;
    }
    list = march_rrb_tolist(&a->v);
    if (list == NULL) {
        return NULL;
    }
    r = PyObject_RichCompare(list, other, op);
    Py_DECREF(list);
    return r;
}

/* hash(tuple(v)): CPython's tuple hash (xxHash-based, 3.8+) over the
 * elements, computed without building the tuple */
#if SIZEOF_PY_UHASH_T > 4
#define XXPRIME_1 ((Py_uhash_t)11400714785074694791ULL)
#define XXPRIME_2 ((Py_uhash_t)14029467366897019727ULL)
#define XXPRIME_5 ((Py_uhash_t)2870177450012600261ULL)
#define XXROTATE(x) ((x << 31) | (x >> 33))
#else
#define XXPRIME_1 ((Py_uhash_t)2654435761UL)
#define XXPRIME_2 ((Py_uhash_t)2246822519UL)
#define XXPRIME_5 ((Py_uhash_t)374761393UL)
#define XXROTATE(x) ((x << 13) | (x >> 19))
#endif

static Py_hash_t
vector_hash(VectorObject *self)
{
    Py_uhash_t acc = XXPRIME_5;
    Py_ssize_t i = 0, n = self->v.count;
    /* the cache is read and written atomically: see common.h */
    Py_hash_t cached = MARCH_ATOMIC_LOAD_SSIZE(&self->hash);
    if (cached != -1) {
        return cached;
    }
    /* elements may be vectors nested arbitrarily deep: no C stack overflow */
    if (Py_EnterRecursiveCall(" while hashing a march.Vector")) {
        return -1;
    }
    while (i < n) {
        Py_ssize_t start, end, j;
        MarchRRBNode *leaf = march_rrb_leaf_for(&self->v, i, &start, &end);
        for (j = i - start; start + j < end; j++, i++) {
            Py_uhash_t lane = (Py_uhash_t)PyObject_Hash(leaf->slots[j]);
            if (lane == (Py_uhash_t)-1) {
                Py_LeaveRecursiveCall();
                return -1;
            }
            acc += lane * XXPRIME_2;
            acc = XXROTATE(acc);
            acc *= XXPRIME_1;
        }
    }
    Py_LeaveRecursiveCall();
    acc += (Py_uhash_t)n ^ (XXPRIME_5 ^ 3527539UL);
    if (acc == (Py_uhash_t)-1) {
        acc = 1546275796;
    }
    MARCH_ATOMIC_STORE_SSIZE(&self->hash, (Py_hash_t)acc);
    return (Py_hash_t)acc;
}

/* the repr of a Vector or an evolver: fmt (%S, then %R) over `name` and
 * `list`, the list of its elements (both stolen; NULL: an error is set) */
static PyObject *
vector_repr_of(PyObject *name, PyObject *list, const char *fmt)
{
    PyObject *r = NULL;
    if (name != NULL && list != NULL) {
        /* counted as well as the list's repr: elements may be vectors
         * nested arbitrarily deep (see map_entries_repr, map_object.c) */
        if (!Py_EnterRecursiveCall(" while getting the repr of a march.Vector")) {
            r = PyUnicode_FromFormat(fmt, name, list);
            Py_LeaveRecursiveCall();
        }
    }
    Py_XDECREF(name);
    Py_XDECREF(list);
    return r;
}

/* vector([...]); a subclass instance: TypeName([...]), with the
 * subclass's __name__ */
static PyObject *
vector_repr(VectorObject *self)
{
    PyObject *name = march_repr_name((PyObject *)self, &Vector_Type, "vector");
    if (name == NULL) {
        return NULL;
    }
    return vector_repr_of(name, march_rrb_tolist(&self->v), "%S(%R)");
}

/* ------------------------------------------------------------------ */
/* Vector: methods                                                     */

static PyObject *
vector_tolist(VectorObject *self, PyObject *Py_UNUSED(ignored))
{
    return march_rrb_tolist(&self->v);
}

/* (vector, (list,)); a subclass instance: (type(self), (list,)), with its
 * __dict__ as the state when it has a non-empty one */
static PyObject *
vector_reduce(VectorObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *list = march_rrb_tolist(&self->v);
    if (list == NULL) {
        return NULL;
    }
    if (Py_TYPE(self) != &Vector_Type) {
        return march_reduce_subclass((PyObject *)self,
                                     Py_BuildValue("(N)", list));
    }
    return Py_BuildValue("O(N)", vector_func, list);
}

static PyObject *
vector_append(VectorObject *self, PyObject *x)
{
    MarchRRB out;
    march_rrb_copy(&out, &self->v);
    if (march_rrb_push(&out, x, 0) < 0) {
        march_rrb_clear(&out);
        return NULL;
    }
    return vector_wrap(vector_result_type(self), &out);
}

static PyObject *
vector_set(VectorObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t i, n;
    MarchRRB out;
    if (!march_check_positional("set", nargs, 2, 2)) {
        return NULL;
    }
    if (vector_index_in(args[0], &self->v, &i) < 0) {
        return NULL;
    }
    n = self->v.count;
    if (0 <= i && i < n) {
        /* persistent: the replaced element stays in self, so nothing is
         * released while the edit runs (no need to hold it) */
        march_rrb_copy(&out, &self->v);
        if (march_rrb_set(&out, i, args[1], 0) < 0) {
            march_rrb_clear(&out);
            return NULL;
        }
        return vector_wrap(vector_result_type(self), &out);
    }
    if (i == n) {
        return vector_append(self, args[1]);
    }
    return vector_index_error_n(i);
}

static PyObject *
vector_mset(VectorObject *self, PyObject *args)
{
    Py_ssize_t k, nargs = PyTuple_GET_SIZE(args);
    MarchRRB out;
    uint64_t owner;
    if (nargs % 2) {
        PyErr_SetString(PyExc_TypeError, "mset expected an even number of arguments");
        return NULL;
    }
    march_rrb_copy(&out, &self->v);
    owner = march_rrb_new_owner();
    for (k = 0; k < nargs; k += 2) {
        int rc;
        Py_ssize_t i;
        PyObject *x = PyTuple_GET_ITEM(args, k + 1);
        if (vector_index_in(PyTuple_GET_ITEM(args, k), &out, &i) < 0) {
            goto error;
        }
        if (0 <= i && i < out.count) {
            PyObject *old = march_rrb_get(&out, i);
            Py_INCREF(old);
            rc = march_rrb_set(&out, i, x, owner);
            Py_DECREF(old);
        }
        else if (i == out.count) {
            rc = march_rrb_push(&out, x, owner);
        }
        else {
            vector_index_error_n(i);
            rc = -1;
        }
        if (rc < 0) {
            goto error;
        }
    }
    return vector_wrap(vector_result_type(self), &out);
error:
    march_rrb_clear(&out);
    return NULL;
}

/* without [lo, hi) */
static PyObject *
vector_cut(VectorObject *self, Py_ssize_t lo, Py_ssize_t hi)
{
    MarchRRB out;
    if (lo >= hi) {
        Py_INCREF(self);
        return (PyObject *)self;
    }
    return vector_wrap_result(vector_result_type(self),
                              march_rrb_delete(&self->v, lo, hi, &out), &out);
}

static PyObject *
vector_delete(VectorObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *key, *stop, *sl = NULL;
    VectorKey k;
    MarchRRB out;
    int rc;
    if (!march_check_positional("delete", nargs, 1, 2)) {
        return NULL;
    }
    key = args[0];
    stop = nargs > 1 ? args[1] : Py_None;
    if (stop != Py_None) {
        sl = PySlice_New(key, stop, NULL);
        if (sl == NULL) {
            return NULL;
        }
        key = sl;
    }
    /* every __index__ first, then the length */
    rc = vector_key_unpack(key, &k);
    Py_XDECREF(sl);
    if (rc < 0) {
        return NULL;
    }
    if (vector_key_range(&k, self->v.count, args[0]) < 0) {
        return NULL;
    }
    if (k.step == 1) {
        return vector_cut(self, k.start, k.stop);
    }
    if (k.len == 0) {
        Py_INCREF(self);
        return (PyObject *)self;
    }
    return vector_wrap_result(vector_result_type(self),
        march_rrb_drop_step(&self->v, k.start, k.step, k.len, &out), &out);
}

static PyObject *
vector_remove(VectorObject *self, PyObject *x)
{
    Py_ssize_t i = march_rrb_find(&self->v, x, 0, self->v.count);
    if (i == -2) {
        return NULL;
    }
    if (i == -1) {
        PyErr_SetString(PyExc_ValueError, "vector.remove(x): x not in vector");
        return NULL;
    }
    return vector_cut(self, i, i + 1);
}

/* a start or stop argument of index(), as list.index takes it (clamped) */
static int
vector_slice_index(PyObject *o, Py_ssize_t *out)
{
    Py_ssize_t i;
    if (!PyIndex_Check(o)) {
        PyErr_SetString(PyExc_TypeError,
                        "slice indices must be integers or have an __index__ method");
        return -1;
    }
    i = PyNumber_AsSsize_t(o, NULL);
    if (i == -1 && PyErr_Occurred()) {
        return -1;
    }
    *out = i;
    return 0;
}

static PyObject *
vector_index(VectorObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t n, lo = 0, hi = PY_SSIZE_T_MAX, r;
    if (!march_check_positional("index", nargs, 1, 3)) {
        return NULL;
    }
    if (nargs > 1 && vector_slice_index(args[1], &lo) < 0) {
        return NULL;
    }
    if (nargs > 2 && vector_slice_index(args[2], &hi) < 0) {
        return NULL;
    }
    n = self->v.count;          /* after the __index__ calls */
    if (lo < 0) {
        lo += n;
        if (lo < 0) {
            lo = 0;
        }
    }
    if (hi < 0) {
        hi += n;
        if (hi < 0) {
            hi = 0;
        }
    }
    if (hi > n) {
        hi = n;
    }
    r = lo < hi ? march_rrb_find(&self->v, args[0], lo, hi) : -1;
    if (r == -2) {
        return NULL;
    }
    if (r == -1) {
        PyErr_Format(PyExc_ValueError, "%R is not in list", args[0]);
        return NULL;
    }
    return PyLong_FromSsize_t(r);
}

static PyObject *
vector_count(VectorObject *self, PyObject *x)
{
    Py_ssize_t i = 0, n = self->v.count, c = 0;
    PyObject *res = NULL;
    /* self never changes; x is held (an __eq__ may drop the caller's
     * reference) */
    Py_INCREF(x);
    while (i < n) {
        Py_ssize_t start, end, j;
        MarchRRBNode *leaf = march_rrb_leaf_for(&self->v, i, &start, &end);
        for (j = i - start; start + j < end; j++, i++) {
            PyObject *y = leaf->slots[j];
            int r;
            if (y == x) {
                c++;
                continue;
            }
            Py_INCREF(y);
            r = PyObject_RichCompareBool(y, x, Py_EQ);
            Py_DECREF(y);
            if (r < 0) {
                goto done;
            }
            c += r;
        }
    }
    res = PyLong_FromSsize_t(c);
done:
    Py_DECREF(x);
    return res;
}

static PyObject *
vector_transform(VectorObject *self, PyObject *args)
{
    PyObject *mod = PyImport_ImportModule("march._transform"), *r;
    if (mod == NULL) {
        return NULL;
    }
    r = PyObject_CallMethod(mod, "transform", "OO", (PyObject *)self, args);
    Py_DECREF(mod);
    return r;
}

static PyObject *vectorevolver_new(VectorObject *vec);

static PyObject *
vector_evolver(VectorObject *self, PyObject *Py_UNUSED(ignored))
{
    return vectorevolver_new(self);
}

static PyObject *
vector_insert(VectorObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t i, n;
    MarchRRB out;
    if (!march_check_positional("insert", nargs, 2, 2)) {
        return NULL;
    }
    if (vector_index_in(args[0], &self->v, &i) < 0) {
        return NULL;
    }
    n = self->v.count;
    if (i < 0 || i > n) {
        return vector_index_error_n(i);
    }
    return vector_wrap_result(vector_result_type(self),
                              march_rrb_insert(&self->v, i, args[1], &out), &out);
}

static PyObject *
vector_split(VectorObject *self, PyObject *index)
{
    Py_ssize_t i, n;
    PyObject *a, *b;
    if (vector_index_in(index, &self->v, &i) < 0) {
        return NULL;
    }
    n = self->v.count;
    if (i < 0) {
        i = 0;
    }
    if (i > n) {
        i = n;
    }
    a = vector_range(self, 0, i);
    if (a == NULL) {
        return NULL;
    }
    b = vector_range(self, i, n);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    return Py_BuildValue("(NN)", a, b);
}

static PyObject *
vector_pop(VectorObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t i, n;
    PyObject *x, *rest;
    MarchRRB out;
    if (!march_check_positional("pop", nargs, 0, 1)) {
        return NULL;
    }
    if (nargs == 0) {
        i = self->v.count - 1;
    }
    else if (vector_index_in(args[0], &self->v, &i) < 0) {
        return NULL;
    }
    n = self->v.count;
    if (i < 0 || i >= n) {
        PyErr_SetString(PyExc_IndexError,
                        n ? "pop index out of range" : "pop from empty vector");
        return NULL;
    }
    x = march_rrb_get(&self->v, i);
    Py_INCREF(x);
    if (i < n - 1) {
        rest = vector_cut(self, i, i + 1);
    }
    else {
        march_rrb_copy(&out, &self->v);
        if (march_rrb_pop(&out, 0) < 0) {
            march_rrb_clear(&out);
            rest = NULL;
        }
        else {
            rest = vector_wrap(vector_result_type(self), &out);
        }
    }
    if (rest == NULL) {
        Py_DECREF(x);
        return NULL;
    }
    return Py_BuildValue("(NN)", rest, x);
}

static PyObject *
vector_appendleft(VectorObject *self, PyObject *x)
{
    MarchRRB out;
    return vector_wrap_result(vector_result_type(self),
                              march_rrb_insert(&self->v, 0, x, &out), &out);
}

static PyObject *
vector_popleft(VectorObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *x, *rest;
    if (self->v.count == 0) {
        PyErr_SetString(PyExc_IndexError, "popleft from empty vector");
        return NULL;
    }
    x = march_rrb_get(&self->v, 0);
    Py_INCREF(x);
    rest = vector_range(self, 1, self->v.count);
    if (rest == NULL) {
        Py_DECREF(x);
        return NULL;
    }
    return Py_BuildValue("(NN)", rest, x);
}

/* Vector.from_concat(vectors), a cls (Vector or the subclass it is called
 * on) */
static PyObject *
vector_from_concat(PyObject *cls, PyObject *vectors)
{
    PyObject *iter, *item, *parts, *r;
    Py_ssize_t n, k;
    iter = PyObject_GetIter(vectors);
    if (iter == NULL) {
        return NULL;
    }
    parts = PyList_New(0);
    if (parts == NULL) {
        Py_DECREF(iter);
        return NULL;
    }
    while ((item = PyIter_Next(iter)) != NULL) {
        PyObject *p;
        if (Vector_Check(item)) {
            /* a subclass instance as it is (the result is rewrapped) */
            p = item;
            Py_INCREF(p);
        }
        else {
            p = vector_from_iterable(item);
        }
        Py_DECREF(item);
        if (p == NULL || (((VectorObject *)p)->v.count
                          && PyList_Append(parts, p) < 0)) {
            Py_XDECREF(p);
            goto error;
        }
        Py_DECREF(p);
    }
    if (PyErr_Occurred()) {
        goto error;
    }
    Py_DECREF(iter);
    iter = NULL;
    /* pairwise tree reduction: balanced concatenation */
    while ((n = PyList_GET_SIZE(parts)) > 1) {
        for (k = 0; k + 1 < n; k += 2) {
            PyObject *x = PyList_GET_ITEM(parts, k);
            PyObject *y = PyList_GET_ITEM(parts, k + 1);
            PyObject *c;
            MarchRRB out;
            /* held: the concat allocates (a GC may run finalizers); both
             * are non-empty; the partial results are Vectors (the parts may
             * be subclass instances: the result is rewrapped as a cls) */
            Py_INCREF(x);
            Py_INCREF(y);
            c = vector_wrap_result(&Vector_Type,
                                   march_rrb_concat(&((VectorObject *)x)->v,
                                                    &((VectorObject *)y)->v, &out),
                                   &out);
            Py_DECREF(x);
            Py_DECREF(y);
            if (c == NULL) {
                goto error;
            }
            /* k / 2 <= k: that slot was already read */
            Py_INCREF(c);
            PyList_SetItem(parts, k / 2, c);    /* steals; drops the old */
            Py_DECREF(c);
        }
        if (n % 2) {
            PyObject *last = PyList_GET_ITEM(parts, n - 1);
            Py_INCREF(last);
            PyList_SetItem(parts, n / 2, last);
        }
        if (PyList_SetSlice(parts, (n + 1) / 2, n, NULL) < 0) {
            goto error;
        }
    }
    if (PyList_GET_SIZE(parts) == 0) {
        r = vector_empty((PyTypeObject *)cls);
    }
    else {
        r = vector_rewrap((PyTypeObject *)cls,
                          (VectorObject *)PyList_GET_ITEM(parts, 0));
    }
    Py_DECREF(parts);
    return r;
error:
    Py_XDECREF(iter);
    Py_DECREF(parts);
    return NULL;
}

static PyObject *
vector_check(VectorObject *self, PyObject *Py_UNUSED(ignored))
{
    if (march_rrb_check(&self->v, PyObject_GC_IsTracked((PyObject *)self)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
vector_height(VectorObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(march_rrb_height(&self->v));
}

static PyObject *
vector_stats(VectorObject *self, PyObject *Py_UNUSED(ignored))
{
    MarchRRBStats st;
    march_rrb_stats(&self->v, &st);
    return Py_BuildValue("{snsnsnsn}", "leaves", st.leaves, "inners", st.inners,
                         "relaxed", st.relaxed, "bytes", st.bytes);
}

static PyObject *
vector_shape(VectorObject *self, PyObject *Py_UNUSED(ignored))
{
    return march_rrb_shape(&self->v);
}

static PyObject *vector_iter(VectorObject *self);
static PyObject *vector_reversed(VectorObject *self, PyObject *Py_UNUSED(ignored));

#define FASTCALL(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL

static PyMethodDef vector_methods[] = {
    {"tolist", (PyCFunction)vector_tolist, METH_NOARGS, MARCH_DOC_Vector_tolist},
    {"append", (PyCFunction)vector_append, METH_O, MARCH_DOC_Vector_append},
    {"extend", (PyCFunction)vector_extend, METH_O, MARCH_DOC_Vector_extend},
    {"set", FASTCALL(vector_set), MARCH_DOC_Vector_set},
    {"mset", (PyCFunction)vector_mset, METH_VARARGS, MARCH_DOC_Vector_mset},
    {"delete", FASTCALL(vector_delete), MARCH_DOC_Vector_delete},
    {"remove", (PyCFunction)vector_remove, METH_O, MARCH_DOC_Vector_remove},
    {"index", FASTCALL(vector_index), MARCH_DOC_Vector_index},
    {"count", (PyCFunction)vector_count, METH_O, MARCH_DOC_Vector_count},
    {"transform", (PyCFunction)vector_transform, METH_VARARGS,
     MARCH_DOC_Vector_transform},
    /* two names of one function, each with its own text */
    {"evolver", (PyCFunction)vector_evolver, METH_NOARGS, MARCH_DOC_Vector_evolver},
    {"mutate", (PyCFunction)vector_evolver, METH_NOARGS, MARCH_DOC_Vector_mutate},
    {"insert", FASTCALL(vector_insert), MARCH_DOC_Vector_insert},
    {"split", (PyCFunction)vector_split, METH_O, MARCH_DOC_Vector_split},
    {"pop", FASTCALL(vector_pop), MARCH_DOC_Vector_pop},
    {"appendleft", (PyCFunction)vector_appendleft, METH_O, MARCH_DOC_Vector_appendleft},
    {"popleft", (PyCFunction)vector_popleft, METH_NOARGS, MARCH_DOC_Vector_popleft},
    {"from_concat", (PyCFunction)vector_from_concat, METH_O | METH_CLASS,
     MARCH_DOC_Vector_from_concat},
    {"__reduce__", (PyCFunction)vector_reduce, METH_NOARGS, NULL},
    {"__reversed__", (PyCFunction)vector_reversed, METH_NOARGS, NULL},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
    {"_check", (PyCFunction)vector_check, METH_NOARGS, "Verify the invariants."},
    {"_height", (PyCFunction)vector_height, METH_NOARGS, "Levels above the leaves."},
    {"_stats", (PyCFunction)vector_stats, METH_NOARGS, "Node counts and bytes."},
    {"_shape", (PyCFunction)vector_shape, METH_NOARGS, "(tree shape, tail length)"},
    {NULL, NULL, 0, NULL}
};

static PySequenceMethods vector_as_sequence = {
    .sq_length = (lenfunc)vector_len,
    .sq_item = (ssizeargfunc)vector_item,
    .sq_contains = (objobjproc)vector_contains,
};

static PyMappingMethods vector_as_mapping = {
    .mp_length = (lenfunc)vector_len,
    .mp_subscript = (binaryfunc)vector_subscript,
};

static PyNumberMethods vector_as_number = {
    .nb_add = vector_add,
    .nb_multiply = vector_mul,
};

/* Vector can be subclassed: operations on a subclass instance build
 * instances of its type (vector_result_type), the constructors of the module
 * build Vectors.  v * n and n * v
 * repeat the elements as list does: OverflowError when n does not fit in a
 * Py_ssize_t, the empty vector when n <= 0.  An operation that would make
 * more than sys.maxsize elements raises OverflowError (MemoryError for *, as
 * list). */
static PyTypeObject Vector_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = QUAL("Vector"),
    .tp_basicsize = sizeof(VectorObject),
    .tp_dealloc = (destructor)vector_dealloc,
    .tp_repr = (reprfunc)vector_repr,
    .tp_as_number = &vector_as_number,
    .tp_as_sequence = &vector_as_sequence,
    .tp_as_mapping = &vector_as_mapping,
    .tp_hash = (hashfunc)vector_hash,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
                | Py_TPFLAGS_SEQUENCE,
    .tp_doc = MARCH_DOC_Vector,
    .tp_traverse = (traverseproc)vector_traverse,
    .tp_clear = (inquiry)vector_clear,
    .tp_richcompare = vector_richcompare,
    .tp_weaklistoffset = offsetof(VectorObject, weakreflist),
    .tp_iter = (getiterfunc)vector_iter,
    .tp_methods = vector_methods,
    .tp_new = vector_tp_new,
};

/* ------------------------------------------------------------------ */
/* iterators                                                           */

static PyObject *
vectoriter_new(VectorObject *vec, PyTypeObject *type, Py_ssize_t pos)
{
    VectorIterObject *it = PyObject_GC_New(VectorIterObject, type);
    if (it == NULL) {
        return NULL;
    }
    Py_INCREF(vec);
    it->vec = vec;
    it->pos = pos;
    it->leaf = NULL;
    it->start = 0;
    it->end = 0;
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *
vector_iter(VectorObject *self)
{
    return vectoriter_new(self, &VectorIter_Type, 0);
}

static PyObject *
vector_reversed(VectorObject *self, PyObject *Py_UNUSED(ignored))
{
    return vectoriter_new(self, &VectorRevIter_Type, self->v.count);
}

static void
vectoriter_dealloc(VectorIterObject *it)
{
    PyObject_GC_UnTrack(it);
    Py_XDECREF(it->vec);
    PyObject_GC_Del(it);
}

static int
vectoriter_traverse(VectorIterObject *it, visitproc visit, void *arg)
{
    Py_VISIT(it->vec);
    return 0;
}

static PyObject *
vectoriter_next(VectorIterObject *it)
{
    Py_ssize_t i = it->pos;
    PyObject *x;
    if (i >= it->end) {
        if (it->vec == NULL) {
            return NULL;
        }
        if (i >= it->vec->v.count) {
            Py_CLEAR(it->vec);
            return NULL;
        }
        it->leaf = march_rrb_leaf_for(&it->vec->v, i, &it->start, &it->end);
    }
    x = it->leaf->slots[i - it->start];
    it->pos = i + 1;
    Py_INCREF(x);
    return x;
}

static PyObject *
vectorreviter_next(VectorIterObject *it)
{
    Py_ssize_t i = it->pos - 1;
    PyObject *x;
    if (it->vec == NULL) {
        return NULL;
    }
    if (i < it->start || it->leaf == NULL) {
        if (i < 0) {
            Py_CLEAR(it->vec);
            return NULL;
        }
        Py_ssize_t end;
        it->leaf = march_rrb_leaf_for(&it->vec->v, i, &it->start, &end);
    }
    x = it->leaf->slots[i - it->start];
    it->pos = i;
    Py_INCREF(x);
    return x;
}

static PyObject *
vectoriter_length_hint(VectorIterObject *it, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t n = 0;
    if (it->vec != NULL) {
        n = Py_TYPE(it) == &VectorIter_Type ? it->vec->v.count - it->pos : it->pos;
    }
    return PyLong_FromSsize_t(n);
}

/* Each step of an iterator runs in a critical section on it: threads
 * that share one iterator get each element once (docs/threads.md). */
MARCH_LOCKED(PyObject *, vectoriter_next_locked, vectoriter_next,
             (VectorIterObject *self), (self))
MARCH_LOCKED(PyObject *, vectorreviter_next_locked, vectorreviter_next,
             (VectorIterObject *self), (self))
MARCH_LOCKED(PyObject *, vectoriter_length_hint_locked, vectoriter_length_hint,
             (VectorIterObject *self, PyObject *unused), (self, unused))

static PyMethodDef vectoriter_methods[] = {
    {"__length_hint__", (PyCFunction)vectoriter_length_hint_locked, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject VectorIter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = QUAL("VectorIterator"),
    .tp_basicsize = sizeof(VectorIterObject),
    .tp_dealloc = (destructor)vectoriter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)vectoriter_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)vectoriter_next_locked,
    .tp_methods = vectoriter_methods,
};

static PyTypeObject VectorRevIter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = QUAL("VectorReverseIterator"),
    .tp_basicsize = sizeof(VectorIterObject),
    .tp_dealloc = (destructor)vectoriter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)vectoriter_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)vectorreviter_next_locked,
    .tp_methods = vectoriter_methods,
};

/* ------------------------------------------------------------------ */
/* VectorEvolver                                                       */

static PyObject *
vectorevolver_new(VectorObject *vec)
{
    VectorEvolverObject *e = PyObject_GC_New(VectorEvolverObject, &VectorEvolver_Type);
    if (e == NULL) {
        return NULL;
    }
    march_rrb_copy(&e->v, &vec->v);
    e->owner = march_rrb_new_owner();
    Py_INCREF(vec);
    e->orig = vec;
    e->dirty = 0;
    e->busy = 0;
    e->weakreflist = NULL;
    PyObject_GC_Track(e);
    return (PyObject *)e;
}

static PyObject *
vectorevolver_tp_new(PyTypeObject *Py_UNUSED(type), PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"vector", NULL};
    PyObject *src = NULL, *vec, *e;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:VectorEvolver", kwlist, &src)) {
        return NULL;
    }
    if (src == NULL) {
        vec = (PyObject *)empty_vector;
        Py_INCREF(vec);
    }
    else if (Vector_Check(src)) {
        /* a subclass instance too: persistent() then builds its type */
        vec = src;
        Py_INCREF(vec);
    }
    else {
        vec = vector_from_iterable(src);
        if (vec == NULL) {
            return NULL;
        }
    }
    e = vectorevolver_new((VectorObject *)vec);
    Py_DECREF(vec);
    return e;
}

static void
vectorevolver_dealloc(VectorEvolverObject *e)
{
    PyObject_GC_UnTrack(e);
    if (e->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)e);
    }
    Py_TRASHCAN_BEGIN(e, vectorevolver_dealloc)
    march_rrb_clear(&e->v);
    Py_CLEAR(e->orig);
    PyObject_GC_Del(e);
    Py_TRASHCAN_END
}

static int
vectorevolver_traverse(VectorEvolverObject *e, visitproc visit, void *arg)
{
    Py_VISIT(e->orig);
    return march_rrb_traverse(&e->v, visit, arg);
}

static int
vectorevolver_clear(VectorEvolverObject *e)
{
    march_rrb_clear(&e->v);
    Py_CLEAR(e->orig);
    e->dirty = 1;
    e->owner = march_rrb_new_owner();
    return 0;
}

/* replace the evolver's value by *nv (stolen), releasing the old one last
 * (its __del__s then see the new value, whole; call it outside busy) */
static void
vectorevolver_replace(VectorEvolverObject *e, MarchRRB *nv)
{
    MarchRRB old = e->v;
    e->v = *nv;
    march_rrb_init(nv);
    e->dirty = 1;
    march_rrb_clear(&old);
}

/* The busy guard.  An edit of e->v works on local copies of its fields and
 * on nodes it edits in place, and it allocates; an allocation may start a
 * GC collection whose finalizers (__del__, weakref callbacks, gc.callbacks)
 * run Python code, and searches call __eq__.  Code run there that edited the
 * evolver would leave the outer edit working on stale pointers (freed
 * nodes, a wrong count).  So every edit, and every read that allocates
 * while it holds pointers into the tree (repr, remove's search), counts
 * itself in `busy`, and an edit started while busy raises RuntimeError (in
 * a __del__ Python reports it as unraisable; the outer operation completes).
 * User code that runs before the edit proper (a key's __index__, iterating
 * the argument of extend) runs outside busy and may edit the evolver: the
 * edit then reads the length and everything else after it.  The check is
 * common.h's march_transient_idle(e->busy, "VectorEvolver"). */
static Py_ssize_t
vectorevolver_len(VectorEvolverObject *e)
{
    return e->v.count;
}

static PyObject *
vectorevolver_item(VectorEvolverObject *e, Py_ssize_t i)
{
    PyObject *x;
    if (i < 0 || i >= e->v.count) {
        PyErr_SetString(PyExc_IndexError, "Index out of range");
        return NULL;
    }
    x = march_rrb_get(&e->v, i);
    Py_INCREF(x);
    return x;
}

static PyObject *
vectorevolver_subscript(VectorEvolverObject *e, PyObject *key)
{
    Py_ssize_t i;
    PyObject *x;
    if (vector_index_in(key, &e->v, &i) < 0) {
        return NULL;
    }
    if (i < 0 || i >= e->v.count) {
        return vector_index_error(key);
    }
    x = march_rrb_get(&e->v, i);
    Py_INCREF(x);
    return x;
}

static int
vectorevolver_append_one(VectorEvolverObject *e, PyObject *x)
{
    int rc;
    if (march_transient_idle(e->busy, "VectorEvolver") < 0) {
        return -1;
    }
    e->busy++;
    rc = march_rrb_push(&e->v, x, e->owner);
    e->busy--;
    if (rc == 0) {
        e->dirty = 1;
    }
    return rc;
}

static int
vectorevolver_setitem(VectorEvolverObject *e, PyObject *key, PyObject *x)
{
    int rc;
    Py_ssize_t i, n;
    PyObject *old;
    if (march_transient_idle(e->busy, "VectorEvolver") < 0) {
        return -1;
    }
    /* may run __index__, which may edit e */
    if (vector_index_in(key, &e->v, &i) < 0
            || march_transient_idle(e->busy, "VectorEvolver") < 0) {
        return -1;
    }
    n = e->v.count;
    if (i == n) {
        return vectorevolver_append_one(e, x);
    }
    if (i < 0 || i > n) {
        vector_index_error(key);
        return -1;
    }
    old = march_rrb_get(&e->v, i);
    Py_INCREF(old);
    e->busy++;
    rc = march_rrb_set(&e->v, i, x, e->owner);
    e->busy--;
    if (rc == 0) {
        e->dirty = 1;
    }
    Py_DECREF(old);             /* after the edit: its __del__ sees a whole tree */
    return rc;
}

static int
vectorevolver_delitem(VectorEvolverObject *e, PyObject *key)
{
    MarchRRB out;
    VectorKey k;
    Py_ssize_t lo, hi, n;
    int rc;
    if (march_transient_idle(e->busy, "VectorEvolver") < 0) {
        return -1;
    }
    /* every __index__ first (it may edit e), then the length */
    if (vector_key_unpack(key, &k) < 0
            || march_transient_idle(e->busy, "VectorEvolver") < 0) {
        return -1;
    }
    n = e->v.count;
    if (vector_key_range(&k, n, key) < 0) {
        return -1;
    }
    if (k.len == 0) {
        return 0;
    }
    if (k.step != 1 && k.len > 1) {
        e->busy++;
        rc = march_rrb_drop_step(&e->v, k.start, k.step, k.len, &out);
        e->busy--;
        if (rc < 0) {
            march_rrb_clear(&out);
            return -1;
        }
        vectorevolver_replace(e, &out);
        return 0;
    }
    /* a range, or one element (an index, or a slice of any step) */
    lo = k.start;
    hi = k.step == 1 ? k.stop : k.start + 1;
    if (hi == n && hi - lo == 1) {
        /* the last element: a tail pop, in place when owned */
        PyObject *x = march_rrb_get(&e->v, lo);
        Py_INCREF(x);
        e->busy++;
        rc = march_rrb_pop(&e->v, e->owner);
        e->busy--;
        if (rc == 0) {
            e->dirty = 1;
        }
        Py_DECREF(x);
        return rc;
    }
    e->busy++;
    rc = march_rrb_delete(&e->v, lo, hi, &out);
    e->busy--;
    if (rc < 0) {
        march_rrb_clear(&out);
        return -1;
    }
    vectorevolver_replace(e, &out);
    return 0;
}

static int
vectorevolver_ass_subscript(VectorEvolverObject *e, PyObject *key, PyObject *x)
{
    if (x == NULL) {
        return vectorevolver_delitem(e, key);
    }
    return vectorevolver_setitem(e, key, x);
}

static PyObject *
vectorevolver_set(VectorEvolverObject *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (!march_check_positional("set", nargs, 2, 2)) {
        return NULL;
    }
    if (vectorevolver_setitem(e, args[0], args[1]) < 0) {
        return NULL;
    }
    Py_INCREF(e);
    return (PyObject *)e;
}

static PyObject *
vectorevolver_append(VectorEvolverObject *e, PyObject *x)
{
    if (vectorevolver_append_one(e, x) < 0) {
        return NULL;
    }
    Py_INCREF(e);
    return (PyObject *)e;
}

/* push items[0..n) (owned by the caller: they cannot change meanwhile),
 * all or nothing.  Unless the items fit in our own tail (no allocation, so
 * nothing can fail), freeze the current nodes with a new owner id and keep
 * them as `snap`: the pushes then copy what they change, and a failure
 * (MemoryError) puts `snap` back. */
static int
vectorevolver_push_items(VectorEvolverObject *e, PyObject *const *items, Py_ssize_t n)
{
    MarchRRB snap, failed;
    Py_ssize_t i;
    int frozen = 0;
    if (n == 0) {
        return 0;
    }
    if (march_rrb_count_room(e->v.count, n) < 0) {
        return -1;
    }
    e->busy++;
    if (!march_rrb_push_fits(&e->v, items, n, e->owner)) {
        e->owner = march_rrb_new_owner();
        march_rrb_copy(&snap, &e->v);
        frozen = 1;
    }
    for (i = 0; i < n; i++) {
        if (march_rrb_push(&e->v, items[i], e->owner) < 0) {
            assert(frozen);
            e->busy--;
            if (frozen) {
                failed = e->v;
                e->v = snap;
                march_rrb_clear(&failed);
            }
            return -1;
        }
    }
    e->busy--;
    e->dirty = 1;
    if (frozen) {
        march_rrb_clear(&snap);
    }
    return 0;
}

static PyObject *
vectorevolver_extend(VectorEvolverObject *e, PyObject *iterable)
{
    VectorItems it;
    int rc;
    if (march_transient_idle(e->busy, "VectorEvolver") < 0) {
        return NULL;
    }
    /* iterating a general iterable runs Python code (outside busy: it may
     * edit e); a list is copied, so that no finalizer can change it while
     * its items are pushed */
    if (vector_items_get(&it, iterable, "extend() argument must be iterable") < 0) {
        return NULL;
    }
    rc = march_transient_idle(e->busy, "VectorEvolver");
    if (rc == 0) {
        rc = vectorevolver_push_items(e, it.items, it.n);
    }
    vector_items_release(&it);
    if (rc < 0) {
        return NULL;
    }
    Py_INCREF(e);
    return (PyObject *)e;
}

static PyObject *
vectorevolver_delete(VectorEvolverObject *e, PyObject *const *args, Py_ssize_t nargs)
{
    int rc;
    if (!march_check_positional("delete", nargs, 1, 2)) {
        return NULL;
    }
    if (nargs == 1 || args[1] == Py_None) {
        rc = vectorevolver_delitem(e, args[0]);
    }
    else {
        PyObject *sl = PySlice_New(args[0], args[1], NULL);
        if (sl == NULL) {
            return NULL;
        }
        rc = vectorevolver_delitem(e, sl);
        Py_DECREF(sl);
    }
    if (rc < 0) {
        return NULL;
    }
    Py_INCREF(e);
    return (PyObject *)e;
}

static PyObject *
vectorevolver_remove(VectorEvolverObject *e, PyObject *x)
{
    MarchRRB out;
    Py_ssize_t i;
    int rc = 0;
    if (march_transient_idle(e->busy, "VectorEvolver") < 0) {
        return NULL;
    }
    /* busy while the elements' __eq__ run: they cannot edit the tree that
     * the search walks */
    e->busy++;
    i = march_rrb_find(&e->v, x, 0, e->v.count);
    if (i >= 0) {
        rc = march_rrb_delete(&e->v, i, i + 1, &out);
    }
    e->busy--;
    if (i < 0) {
        if (i == -1) {
            PyErr_SetString(PyExc_ValueError, "vector.remove(x): x not in vector");
        }
        return NULL;
    }
    if (rc < 0) {
        march_rrb_clear(&out);
        return NULL;
    }
    vectorevolver_replace(e, &out);
    Py_INCREF(e);
    return (PyObject *)e;
}

static PyObject *
vectorevolver_is_dirty(VectorEvolverObject *e, PyObject *Py_UNUSED(ignored))
{
    return PyBool_FromLong(e->dirty);
}

static PyObject *
vectorevolver_persistent(VectorEvolverObject *e, PyObject *Py_UNUSED(ignored))
{
    MarchRRB copy;
    PyObject *vec;
    VectorObject *old;
    if (march_transient_idle(e->busy, "VectorEvolver") < 0) {
        return NULL;
    }
    if (!e->dirty && e->orig != NULL) {
        Py_INCREF(e->orig);
        return (PyObject *)e->orig;
    }
    /* busy while the Vector is allocated: an edit in place made by a
     * finalizer then would change (or free elements of) the nodes that the
     * new Vector shares */
    e->busy++;
    march_rrb_copy(&copy, &e->v);
    /* the type of the vector the evolver was made from (orig is NULL only
     * after the GC cleared it) */
    vec = vector_wrap(e->orig != NULL ? vector_result_type(e->orig) : &Vector_Type,
                      &copy);
    if (vec == NULL) {
        e->busy--;
        return NULL;
    }
    /* a new owner id: the nodes now shared with vec are frozen */
    e->owner = march_rrb_new_owner();
    old = e->orig;
    Py_INCREF(vec);
    e->orig = (VectorObject *)vec;
    e->dirty = 0;
    e->busy--;
    Py_XDECREF(old);
    return vec;
}

static PyObject *
vectorevolver_enter(VectorEvolverObject *e, PyObject *Py_UNUSED(ignored))
{
    Py_INCREF(e);
    return (PyObject *)e;
}

static PyObject *
vectorevolver_exit(VectorEvolverObject *e, PyObject *Py_UNUSED(args))
{
    /* finishes it, as MapMutation's does (the evolver stays usable) */
    PyObject *vec = vectorevolver_persistent(e, NULL);
    if (vec == NULL) {
        return NULL;
    }
    Py_DECREF(vec);
    Py_RETURN_FALSE;
}

static PyObject *
vectorevolver_check(VectorEvolverObject *e, PyObject *Py_UNUSED(ignored))
{
    if (march_rrb_check(&e->v, -1) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
vectorevolver_height(VectorEvolverObject *e, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(march_rrb_height(&e->v));
}

static PyObject *
vectorevolver_repr(VectorEvolverObject *e)
{
    PyObject *list;
    e->busy++;                  /* the list is allocated, then filled */
    list = march_rrb_tolist(&e->v);
    e->busy--;
    return vector_repr_of(PyUnicode_FromString("vector"), list,
                          "%S(%R).evolver()");
}

static PyObject *
vectorevolver_reduce(VectorEvolverObject *e, PyObject *Py_UNUSED(ignored))
{
    PyErr_Format(PyExc_TypeError, "cannot pickle '%.200s' object",
                 Py_TYPE(e)->tp_name);
    return NULL;
}

/* Every slot and method of a VectorEvolver runs in a critical section on
 * it (common.h, MARCH_LOCKED): threads that share one are serialised
 * (docs/threads.md). */
MARCH_LOCKED(Py_ssize_t, vectorevolver_len_locked, vectorevolver_len,
             (VectorEvolverObject *self), (self))
MARCH_LOCKED(PyObject *, vectorevolver_item_locked, vectorevolver_item,
             (VectorEvolverObject *self, Py_ssize_t i), (self, i))
MARCH_LOCKED(PyObject *, vectorevolver_subscript_locked, vectorevolver_subscript,
             (VectorEvolverObject *self, PyObject *key), (self, key))
MARCH_LOCKED(int, vectorevolver_ass_subscript_locked, vectorevolver_ass_subscript,
             (VectorEvolverObject *self, PyObject *key, PyObject *x), (self, key, x))
MARCH_LOCKED(PyObject *, vectorevolver_set_locked, vectorevolver_set,
             (VectorEvolverObject *self, PyObject *const *args, Py_ssize_t nargs), (self, args, nargs))
MARCH_LOCKED(PyObject *, vectorevolver_append_locked, vectorevolver_append,
             (VectorEvolverObject *self, PyObject *x), (self, x))
MARCH_LOCKED(PyObject *, vectorevolver_extend_locked, vectorevolver_extend,
             (VectorEvolverObject *self, PyObject *x), (self, x))
MARCH_LOCKED(PyObject *, vectorevolver_delete_locked, vectorevolver_delete,
             (VectorEvolverObject *self, PyObject *const *args, Py_ssize_t nargs), (self, args, nargs))
MARCH_LOCKED(PyObject *, vectorevolver_remove_locked, vectorevolver_remove,
             (VectorEvolverObject *self, PyObject *x), (self, x))
MARCH_LOCKED(PyObject *, vectorevolver_is_dirty_locked, vectorevolver_is_dirty,
             (VectorEvolverObject *self, PyObject *unused), (self, unused))
MARCH_LOCKED(PyObject *, vectorevolver_persistent_locked, vectorevolver_persistent,
             (VectorEvolverObject *self, PyObject *unused), (self, unused))
MARCH_LOCKED(PyObject *, vectorevolver_exit_locked, vectorevolver_exit,
             (VectorEvolverObject *self, PyObject *args), (self, args))
MARCH_LOCKED(PyObject *, vectorevolver_check_locked, vectorevolver_check,
             (VectorEvolverObject *self, PyObject *unused), (self, unused))
MARCH_LOCKED(PyObject *, vectorevolver_height_locked, vectorevolver_height,
             (VectorEvolverObject *self, PyObject *unused), (self, unused))
MARCH_LOCKED(PyObject *, vectorevolver_repr_locked, vectorevolver_repr,
             (VectorEvolverObject *self), (self))

static PyMethodDef vectorevolver_methods[] = {
    {"set", FASTCALL(vectorevolver_set_locked), MARCH_DOC_VectorEvolver_set},
    {"append", (PyCFunction)vectorevolver_append_locked, METH_O, MARCH_DOC_VectorEvolver_append},
    {"extend", (PyCFunction)vectorevolver_extend_locked, METH_O, MARCH_DOC_VectorEvolver_extend},
    {"delete", FASTCALL(vectorevolver_delete_locked), MARCH_DOC_VectorEvolver_delete},
    {"remove", (PyCFunction)vectorevolver_remove_locked, METH_O, MARCH_DOC_VectorEvolver_remove},
    {"is_dirty", (PyCFunction)vectorevolver_is_dirty_locked, METH_NOARGS,
     MARCH_DOC_VectorEvolver_is_dirty},
    /* two names of one function, each with its own text */
    {"persistent", (PyCFunction)vectorevolver_persistent_locked, METH_NOARGS,
     MARCH_DOC_VectorEvolver_persistent},
    {"finish", (PyCFunction)vectorevolver_persistent_locked, METH_NOARGS,
     MARCH_DOC_VectorEvolver_finish},
    {"__enter__", (PyCFunction)vectorevolver_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)vectorevolver_exit_locked, METH_VARARGS, NULL},
    {"__reduce__", (PyCFunction)vectorevolver_reduce, METH_NOARGS, NULL},
    {"_check", (PyCFunction)vectorevolver_check_locked, METH_NOARGS, "Verify the invariants."},
    {"_height", (PyCFunction)vectorevolver_height_locked, METH_NOARGS,
     "Levels above the leaves."},
    {NULL, NULL, 0, NULL}
};

static PySequenceMethods vectorevolver_as_sequence = {
    .sq_length = (lenfunc)vectorevolver_len_locked,
    .sq_item = (ssizeargfunc)vectorevolver_item_locked,
};

static PyMappingMethods vectorevolver_as_mapping = {
    .mp_length = (lenfunc)vectorevolver_len_locked,
    .mp_subscript = (binaryfunc)vectorevolver_subscript_locked,
    .mp_ass_subscript = (objobjargproc)vectorevolver_ass_subscript_locked,
};

static PyTypeObject VectorEvolver_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = QUAL("VectorEvolver"),
    .tp_basicsize = sizeof(VectorEvolverObject),
    .tp_dealloc = (destructor)vectorevolver_dealloc,
    .tp_repr = (reprfunc)vectorevolver_repr_locked,
    .tp_as_sequence = &vectorevolver_as_sequence,
    .tp_as_mapping = &vectorevolver_as_mapping,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = MARCH_DOC_VectorEvolver,
    .tp_traverse = (traverseproc)vectorevolver_traverse,
    .tp_clear = (inquiry)vectorevolver_clear,
    .tp_weaklistoffset = offsetof(VectorEvolverObject, weakreflist),
    .tp_methods = vectorevolver_methods,
    .tp_new = vectorevolver_tp_new,
};

/* ------------------------------------------------------------------ */
/* module                                                              */

static PyMethodDef module_methods[] = {
    {"vector", (PyCFunction)(void (*)(void))vector_module_vector,
     METH_FASTCALL | METH_KEYWORDS, MARCH_DOC_vector},
    {"v", (PyCFunction)vector_module_v, METH_VARARGS, MARCH_DOC_v},
    {NULL, NULL, 0, NULL}
};

/* Multi-phase initialisation, for the declarations of hamt_module.c (the
 * GIL, other interpreters). */
static int
rrb_module_exec(PyObject *m)
{
    PyObject *abc = NULL, *seq = NULL, *r;
    MarchRRB empty;
    if (march_rrb_node_ready() < 0
            || PyType_Ready(&Vector_Type) < 0
            || PyType_Ready(&VectorEvolver_Type) < 0
            || PyType_Ready(&VectorIter_Type) < 0
            || PyType_Ready(&VectorRevIter_Type) < 0) {
        return -1;
    }
    if (empty_vector == NULL) {
        march_rrb_init(&empty);
        empty_vector = (VectorObject *)vector_wrap(&Vector_Type, &empty);
        if (empty_vector == NULL) {
            goto error;
        }
    }
    if (vector_func == NULL) {
        vector_func = PyObject_GetAttrString(m, "vector");
        if (vector_func == NULL) {
            goto error;
        }
    }
    if (PyModule_AddObjectRef(m, "Vector", (PyObject *)&Vector_Type) < 0
            || PyModule_AddObjectRef(m, "VectorEvolver",
                                     (PyObject *)&VectorEvolver_Type) < 0) {
        goto error;
    }
    if (PyModule_AddIntConstant(m, "BRANCHING", RRB_M) < 0) {
        goto error;
    }
    /* 1: raw leaves come from march's own slabs (rrb_node.c), which the
     * allocation-failure tests cannot make fail */
    if (PyModule_AddIntConstant(m, "_RAW_SLABS", march_rrb_raw_slabs) < 0) {
        goto error;
    }
    abc = PyImport_ImportModule("collections.abc");
    if (abc == NULL) {
        goto error;
    }
    seq = PyObject_GetAttrString(abc, "Sequence");
    if (seq == NULL) {
        goto error;
    }
    r = PyObject_CallMethod(seq, "register", "O", (PyObject *)&Vector_Type);
    if (r == NULL) {
        goto error;
    }
    Py_DECREF(r);
    Py_DECREF(seq);
    Py_DECREF(abc);
    return 0;
error:
    Py_XDECREF(seq);
    Py_XDECREF(abc);
    return -1;
}

static PyModuleDef_Slot rrb_module_slots[] = {
    {Py_mod_exec, (void *)rrb_module_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL}
};

static struct PyModuleDef rrb_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "march." MODULE_NAME,
    .m_doc = "march's C RRB-tree vector (branching " MODULE_NAME ").",
    .m_size = 0,
    .m_methods = module_methods,
    .m_slots = rrb_module_slots,
};

PyMODINIT_FUNC
INIT_FUNC(void)
{
    return PyModuleDef_Init(&rrb_module);
}
