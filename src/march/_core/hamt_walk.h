/*
 * hamt_walk.h -- structural algorithms over two HAMTs (see hamt_walk.c): the
 * parallel walk (diff), union, intersection, difference, symmetric
 * difference, subset and disjointness tests, the key-only hash of a Set.
 *
 * They use only the API of hamt.h and hamt_node.h (find/assoc/without, the
 * node structs and their type checks).
 *
 * May include: hamt.h (hamt_node.h, common.h).
 */
#ifndef MARCH_HAMT_WALK_H
#define MARCH_HAMT_WALK_H

#include "hamt.h"

/* "much smaller": the algebra takes its cheap path when
 * MARCH_HAMT_SMALL_FACTOR * small < large (hamt_walk.c) */
#define MARCH_HAMT_SMALL_FACTOR 4

/* what the walk reports */
enum {
    MARCH_ONLY_A = 1,   /* key only in a: ka, va set, kb = vb = NULL */
    MARCH_ONLY_B = 2,   /* key only in b: kb, vb set, ka = va = NULL */
    MARCH_BOTH = 3      /* equal keys, values not the same object */
};

/* which one-sided entries the caller wants (MARCH_BOTH is always reported) */
#define MARCH_WANT_A 1
#define MARCH_WANT_B 2

/* The walk's callback.  `hash` points to the key's march hash when the walk
 * knows it, else NULL.  Returns 0 to go on, 1 to stop the walk, -1 on error
 * (with an exception set). */
typedef int (*MarchWalkFn)(void *ctx, int kind, PyObject *ka, PyObject *va,
                           PyObject *kb, PyObject *vb, const uint64_t *hash);

/* Walk a and b in parallel, skipping subtrees they share by identity.
 * 0 done, 1 stopped by fn, -1 error.  The caller keeps a and b alive and
 * unchanged during the walk. */
int march_hamt_walk(MarchBitmapNode *a, MarchBitmapNode *b, int want,
                    MarchWalkFn fn, void *ctx);

/* Node pairs and entries the walks have looked at since the module was
 * loaded (a debugging counter exposed as march._hamt._walk_visits()). */
extern Py_ssize_t march_hamt_walk_visits;

/* The set algebra.  Each returns a new reference to the root of the result
 * (possibly a or b itself), or NULL with an exception set, a and b being
 * unchanged.  `owner` must be a fresh owner id that owns no node of a or b:
 * the result's new nodes carry it.  `combine` is NULL or a callable
 * combine(key, value_in_a, value_in_b), called for the keys present in both
 * whose values are not the same object.
 *   union         every key of a or b; the value of b (or combine's);
 *                 from_a: start from a (Maps: keeps dict.update's order in
 *                 collision nodes and a's key objects), else from the
 *                 larger one (Sets)
 *   intersection  the keys of both; the value of a (or combine's)
 *   difference    the entries of a whose key is not in b
 *   symmetric     the entries whose key is in exactly one of them */
MarchBitmapNode *march_hamt_union(MarchBitmapNode *a, MarchBitmapNode *b,
                                  PyObject *combine, uint64_t owner,
                                  int from_a);
MarchBitmapNode *march_hamt_intersection(MarchBitmapNode *a,
                                         MarchBitmapNode *b,
                                         PyObject *combine, uint64_t owner);
MarchBitmapNode *march_hamt_difference(MarchBitmapNode *a, MarchBitmapNode *b,
                                       uint64_t owner);
MarchBitmapNode *march_hamt_symmetric_difference(MarchBitmapNode *a,
                                                 MarchBitmapNode *b,
                                                 uint64_t owner);

/* 1 every key of a is in b, 0 not, -1 error */
int march_hamt_issubset(MarchBitmapNode *a, MarchBitmapNode *b);
/* 1 no key in common, 0 some, -1 error */
int march_hamt_isdisjoint(MarchBitmapNode *a, MarchBitmapNode *b);

/* A new list of the differences from a to b: (key, old, new) tuples, with
 * `absent` for a missing side; values compared with ==.  In `keys_only`
 * mode (sets) old/new are the key itself or `absent`. */
PyObject *march_hamt_diff(MarchBitmapNode *a, MarchBitmapNode *b,
                          PyObject *absent, int keys_only);

/* hash of the keys alone, frozenset's formula (so hash(Set) equals the hash
 * of the frozenset of the same elements); -1 on error */
Py_hash_t march_hamt_hash_keys(MarchBitmapNode *root);

#endif /* MARCH_HAMT_WALK_H */
