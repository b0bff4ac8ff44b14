/*
 * hamt_check.h -- debugging views of one HAMT: the invariant checker
 * (_check() of Map, Set and their transients), the depth (_depth() of Map
 * and Set), node statistics (Map._stats) and the node layout (_layout() of
 * Map, Set and their transients).
 *
 * May include: hamt.h (hamt_node.h, common.h).
 */
#ifndef MARCH_HAMT_CHECK_H
#define MARCH_HAMT_CHECK_H

#include "hamt.h"

/* 0 when every invariant holds (see hamt.c, "Canonical form", and the GC
 * rule of hamt_node.c), else -1 with AssertionError (or the error of a
 * key's __hash__ or __eq__, which the check calls) */
int march_hamt_check(MarchBitmapNode *root);
/* the same, for a Set's trie: also every value is None */
int march_hamt_check_set(MarchBitmapNode *root);

/* height of the trie (0 when empty) */
int march_hamt_depth(MarchBitmapNode *root);

/* statistics for the design doc: number of bitmap nodes, collision nodes,
 * total slots used by bitmap nodes, sum of entry depths (root = 1) */
typedef struct {
    Py_ssize_t bitmap_nodes;
    Py_ssize_t collision_nodes;
    Py_ssize_t bitmap_slots;     /* entries (2 slots) + children (1 slot) */
    Py_ssize_t bitmap_branches;  /* popcount(datamap | nodemap) summed */
    Py_ssize_t entry_depth_sum;
    Py_ssize_t bytes;            /* node memory, GC headers included */
} MarchHamtStats;
void march_hamt_stats(MarchBitmapNode *root, MarchHamtStats *st);

/* The shape of the trie as nested tuples (a new reference, NULL on error):
 *   bitmap node     ("bitmap", datamap, nodemap, (key0, key1, ...),
 *                    (child_layout, ...))   keys and children in slot order
 *   collision node  ("collision", hash, (key0, key1, ...))
 * hash as the unsigned 64-bit int; values are not included.  Calls no user
 * code, but allocates (a collection may run finalizers): the caller owns
 * the root meanwhile. */
PyObject *march_hamt_layout(MarchBitmapNode *root);

#endif /* MARCH_HAMT_CHECK_H */
