/*
 * hamt_object.h -- the glue shared by march._hamt's two type families, Map
 * and MapMutation (map_object.c), Set and SetEvolver (set_object.c): the
 * object layouts, the registry of the type objects (so that neither object
 * file needs the other), the slots and debugging methods they share,
 * building a root from an iterable or a mapping, the iterator type, ABSENT
 * and the KeyError.  See hamt_object.c.
 *
 * May include: hamt_walk.h, hamt_check.h (hamt.h, hamt_node.h, common.h).
 */
#ifndef MARCH_HAMT_OBJECT_H
#define MARCH_HAMT_OBJECT_H

#include "hamt_walk.h"
#include "hamt_check.h"

/* Every object of the two families starts with these fields: the slots
 * and methods shared by all four types (len(), _check(), _layout(), ...)
 * read the root through this view. */
typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;
} MarchHamtRooted;

#define MARCH_HAMT_ROOT(o) (((MarchHamtRooted *)(o))->root)

/* Map and Set: immutable.  GC-tracked only when the root node is (the root
 * never changes), see the GC policy in hamt_node.c / common.h. */
typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;
    Py_hash_t hash;         /* -1: not computed yet */
    PyObject *weakreflist;
} MarchHamtObject;

/* MapMutation and SetEvolver: a transient over a root, always GC-tracked
 * (its root may become tracked at any time).  `busy` counts operations in
 * progress that walk the tree (they may call a key's __eq__ or a value's
 * __repr__, or allocate: a collection runs finalizers and gc.callbacks); a
 * mutating call made from such code would edit nodes in place under the
 * walker's feet, so it raises RuntimeError (march_transient_idle).  An edit
 * hashes its key before raising `busy`, and checks after hashing that the
 * transient is still writable. */
typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;
    uint64_t owner;         /* nodes it may edit in place; 0: finished */
    Py_ssize_t busy;
    PyObject *weakreflist;
    MarchHamtObject *orig;  /* SetEvolver: the last persistent Set (or the
                             * source); MapMutation: the source map when a
                             * subclass instance (its type is finish()'s),
                             * NULL for an exact Map */
} MarchHamtTransient;

/* ------------------------------------------------------------------ */
/* the registry of the type objects                                    */

/* Filled by march_map_register (map_object.c) and march_set_register
 * (set_object.c), which hamt_module.c calls at import, before any object
 * exists. */
typedef struct {
    PyTypeObject *map;          /* Map (subclassable) */
    PyTypeObject *map_mutation; /* MapMutation */
    PyTypeObject *set;          /* Set (subclassable) */
    PyTypeObject *set_evolver;  /* SetEvolver */
} MarchHamtTypes;

extern MarchHamtTypes march_hamt_types;

static inline int
march_hamt_object_is_map(PyObject *o)
{
    return PyObject_TypeCheck(o, march_hamt_types.map);
}

static inline int
march_hamt_object_is_map_mutation(PyObject *o)
{
    return PyObject_TypeCheck(o, march_hamt_types.map_mutation);
}

/* a Set or an instance of a subclass (the layout of a Set) */
static inline int
march_hamt_object_is_set(PyObject *o)
{
    return PyObject_TypeCheck(o, march_hamt_types.set);
}

/* ready Map, MapMutation and the views, register Map as a
 * collections.abc.Mapping, add them to the module; 0 or -1 */
int march_map_register(PyObject *module);
/* ready Set and SetEvolver, register Set as a collections.abc.Set, add them
 * and s() to the module; 0 or -1 */
int march_set_register(PyObject *module);
/* ready the shared types (the iterator, ABSENT's) and add MapIterator and
 * ABSENT to the module; 0 or -1 */
int march_hamt_object_ready(PyObject *module);
/* collections.abc.<name> (a new reference) with `type` registered as a
 * virtual subclass; NULL on error */
PyObject *march_hamt_object_register_abc(const char *name,
                                         PyTypeObject *type);

/* ------------------------------------------------------------------ */
/* Map and Set                                                         */

/* fill in a new object's fields (root stolen); `track`: GC-track it when
 * the root is tracked (an object allocated untracked) */
void march_hamt_object_init(MarchHamtObject *o, MarchBitmapNode *root,
                            int track);
int march_hamt_object_traverse(PyObject *self, visitproc visit, void *arg);
int march_hamt_object_clear(PyObject *self);
/* tp_dealloc of Set; `dealloc_as`: the same for a type whose tp_dealloc
 * (given, for the trashcan) does more first (Map's free list).  Also the
 * base dealloc of a heap subclass (Map's, Set's): it frees by the type's
 * tp_free, and subtype_dealloc has cleared the __dict__ before and drops
 * the reference to the type after. */
void march_hamt_object_dealloc(PyObject *self);
void march_hamt_object_dealloc_as(PyObject *self, destructor dealloc);

/* all four types */
Py_ssize_t march_hamt_object_length(PyObject *self);
/* the debugging methods (METH_NOARGS) of all four types: _check() (a
 * Set's: also every value None; a transient's: busy, owning the root, while
 * the check hashes the keys), _layout() (hamt_check.h; a transient's:
 * busy, owning the root); of Map and Set: _depth(), _is_gc_tracked();
 * of Map: _stats() */
PyObject *march_hamt_object_check(PyObject *self, PyObject *unused);
PyObject *march_hamt_object_layout(PyObject *self, PyObject *unused);
PyObject *march_hamt_object_depth(PyObject *self, PyObject *unused);
PyObject *march_hamt_object_stats(PyObject *self, PyObject *unused);
PyObject *march_hamt_object_is_gc_tracked(PyObject *self, PyObject *unused);

/* method-table entries: the debugging methods of all four types, those of
 * Map and Set, and those of MapMutation and SetEvolver */
#define MARCH_HAMT_OBJECT_DEBUG_METHODS                                     \
    {"_check", march_hamt_object_check, METH_NOARGS,                        \
     "_check(): verify the trie's invariants (AssertionError on a "         \
     "violation)"},                                                         \
    {"_layout", march_hamt_object_layout, METH_NOARGS,                      \
     "_layout(): the trie's nodes as nested tuples (debugging)"}
#define MARCH_HAMT_PERSISTENT_METHODS                                       \
    MARCH_HAMT_OBJECT_DEBUG_METHODS,                                        \
    {"_depth", march_hamt_object_depth, METH_NOARGS,                        \
     "height of the trie (0 when empty)"},                                  \
    {"_is_gc_tracked", march_hamt_object_is_gc_tracked, METH_NOARGS, NULL}, \
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL}
#define MARCH_HAMT_TRANSIENT_METHODS                                        \
    MARCH_HAMT_OBJECT_DEBUG_METHODS,                                        \
    {"__enter__", march_hamt_transient_enter, METH_NOARGS, NULL},           \
    {"__reduce__", march_hamt_transient_reduce, METH_NOARGS, NULL}

/* raise KeyError(key) (the key wrapped in a tuple, so a tuple key shows
 * whole) */
void march_hamt_object_key_error(PyObject *key);

/* `root` without `key`, persistently: 1 with *out a new root, 0 when the key
 * is absent, -1 on error (the hash/eq exception propagates); Map.delete and
 * discard, Set.remove and discard */
int march_hamt_object_root_without(MarchBitmapNode *root, PyObject *key,
                                   MarchBitmapNode **out);

/* Map.delete/discard, Set.remove/discard: a new object of self's type
 * (by `from_root(type, root)`, which steals the root) without key; when the
 * key is absent, KeyError (`strict`) or self */
PyObject *march_hamt_object_without(PyObject *self, PyObject *key,
                                    PyObject *(*from_root)(PyTypeObject *,
                                                           MarchBitmapNode *),
                                    int strict);

/* Map.diff, Set.diff: an iterator over the differences from a to b (see
 * march_hamt_diff; ABSENT for a missing side) */
PyObject *march_hamt_object_diff(MarchBitmapNode *a, MarchBitmapNode *b,
                                 int keys_only);

/* ------------------------------------------------------------------ */
/* building roots                                                      */

/* A new reference to `root` updated with col (a Map -- structurally, a dict,
 * an object with items(), or an iterable of pairs) and then the keyword
 * arguments, editing only nodes created with `owner` (a fresh id).  NULL
 * on error.  Map(), Map.update(), |, MapMutation.update(). */
MarchBitmapNode *march_hamt_object_update(MarchBitmapNode *root,
                                          PyObject *col, PyObject *kwds,
                                          uint64_t owner);

/* *root with the elements of `iterable` added (value None).  A Set is
 * merged by a structural union (under its own fresh owner).  0 or -1. */
int march_hamt_object_add_all(MarchBitmapNode **root, PyObject *iterable,
                              uint64_t owner);

/* A new reference to the root of a Set of the elements of `o` (a Set: its
 * own root).  NULL on error. */
MarchBitmapNode *march_hamt_object_set_root(PyObject *o);

/* the set algebra on two roots, under a fresh owner id: a new reference to
 * the result's root (possibly a or b itself), NULL on error.  combine: NULL,
 * None or a callable (union, intersection; see hamt_walk.h); from_a: the
 * union starts from a (Maps), else from the larger (Sets). */
enum {
    MARCH_HAMT_OP_UNION,
    MARCH_HAMT_OP_INTERSECTION,
    MARCH_HAMT_OP_DIFFERENCE,
    MARCH_HAMT_OP_SYMMETRIC_DIFFERENCE
};
MarchBitmapNode *march_hamt_object_algebra(int op, MarchBitmapNode *a,
                                           MarchBitmapNode *b,
                                           PyObject *combine, int from_a);

/* ------------------------------------------------------------------ */
/* MapMutation and SetEvolver                                          */

/* a new transient of `type` over `root` (a new reference taken) with a
 * fresh owner id; orig: SetEvolver's source Set, a MapMutation's source
 * map when a subclass instance, else NULL */
PyObject *march_hamt_transient_new(PyTypeObject *type, MarchBitmapNode *root,
                                   MarchHamtObject *orig);
int march_hamt_transient_traverse(PyObject *self, visitproc visit,
                                  void *arg);
int march_hamt_transient_clear(PyObject *self);
void march_hamt_transient_dealloc(PyObject *self);

/* 0 when the transient may be changed now, else -1 with ValueError
 * (finished) or RuntimeError (busy: march_transient_idle) */
int march_hamt_transient_writable(MarchHamtTransient *t);

/* Every edit asks march_hamt_transient_writable() before and again after
 * hashing the key: the key's __hash__ may finish the transient (or edit it:
 * allowed, no walk is in progress yet).  From there on every call into
 * Python (__eq__, a stored key's __hash__, finalizers run by an allocation
 * or a release) happens with `busy` raised, so nothing can finish or edit
 * the transient while its nodes are being walked or edited. */
/* bind key to value in place: 0 or -1 */
int march_hamt_transient_assoc(MarchHamtTransient *t, PyObject *key,
                               PyObject *value);
/* Remove key.  1 removed (*value, when value is not NULL: a new reference
 * to its value), 0 absent, -1 error. */
int march_hamt_transient_without(MarchHamtTransient *t, PyObject *key,
                                 PyObject **value);
/* 1 found (*value a new reference), 0 absent, -1 error */
int march_hamt_transient_find(MarchHamtTransient *t, PyObject *key,
                              PyObject **value);
/* `in` and len() of a transient (each in a critical section on it: the
 * other operations of the two types lock it in their own files) */
int march_hamt_transient_contains(PyObject *self, PyObject *key);
Py_ssize_t march_hamt_transient_length(PyObject *self);

/* __enter__; __exit__ calls `finish` (the type's finish()) and returns
 * False; __reduce__ raises TypeError (no pickling) */
PyObject *march_hamt_transient_enter(PyObject *self, PyObject *unused);
PyObject *march_hamt_transient_exit(PyObject *self, PyCFunction finish);
PyObject *march_hamt_transient_reduce(PyObject *self, PyObject *unused);

/* ------------------------------------------------------------------ */
/* iterator, ABSENT                                                    */

/* what an iterator yields */
enum {
    MARCH_HAMT_ITER_KEYS = 0,
    MARCH_HAMT_ITER_VALUES = 1,
    MARCH_HAMT_ITER_ITEMS = 2
};

/* A new iterator (march._hamt.MapIterator) over `root` (it keeps a strong
 * reference to it) */
PyObject *march_hamt_iterator_new(MarchBitmapNode *root, int kind);

/* march._hamt.ABSENT, diff()'s marker of a missing side (borrowed; set by
 * march_hamt_object_ready) */
extern PyObject *march_hamt_absent;

#endif /* MARCH_HAMT_OBJECT_H */
