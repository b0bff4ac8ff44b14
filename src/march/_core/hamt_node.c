/*
 * hamt_node.c -- the node types of march's HAMT (march.Map, march.Set):
 * their allocation, release and GC traversal, the bitmap nodes' free lists,
 * the empty root, the mutation (owner) ids, and the POPCNT check of
 * common.h's march_popcount32.  The algorithms over these nodes are in
 * hamt.c (one trie), hamt_walk.c (two tries) and hamt_check.c (checker).
 *
 * May include: hamt_node.h (common.h).
 *
 * Node kinds (both are CPython objects with a GC header, so that the cyclic
 * GC can traverse them when they are tracked -- see "GC policy" below)
 * ----------
 * MarchBitmapNode   datamap (u32), nodemap (u32), count (entries in the
 *                   whole subtree: len() is O(1)), owner (edit token), then
 *                   the compressed slots: 2 per inline entry (key, value),
 *                   entries first in ascending bit order, then 1 per child
 *                   node in ascending bit order.  datamap & nodemap == 0.
 *                   Entry index of bit b: popcount(datamap & (b - 1));
 *                   child index: 2*popcount(datamap) + popcount(nodemap & (b-1)).
 *                   tags (u64): 2 bits per bit position; for an entry at
 *                   index i of a node at level L, bits 2i..2i+1 hold hash
 *                   bits 5L+5 and 5L+6 of its key (march_hamt_tag), which
 *                   are the low bits of the index it would have one level
 *                   down; all other positions are 0.  A lookup reaching an
 *                   entry rejects a key whose own bits differ (3 misses in
 *                   4) without reading the stored key object.  Tags follow
 *                   from the entries, so they add no state to the canonical
 *                   form; the twin has none.
 * MarchCollisionNode hash (the shared full hash), owner, then key, value
 *                   pairs in insertion order (a replaced value keeps its place,
 *                   a deleted entry closes the gap).
 *
 * GC policy (see common.h): a node is tracked by the cyclic GC only when it
 * holds a key or value that is not atomic (march_is_atomic) or a tracked
 * child.  New nodes start untracked and are tracked when built if needed;
 * an in-place edit that stores a non-atomic object (or a now-tracked child)
 * into an untracked node tracks it, and every ancestor on the path (all
 * owned by the mutation) is tracked on the way back up.  The rule is one
 * way: a node may stay tracked after the object that required it has been
 * removed (conservative, costs only speed).  Nodes have tp_traverse but no
 * tp_clear: a node is referenced only by maps, mutations, iterators and other
 * nodes, and nodes only point downwards, so every reference cycle through a
 * node also goes through a Map or MapMutation or iterator (or a user object),
 * whose tp_clear breaks it.
 *
 * Memory management: released bitmap nodes of 1..64 slots go to per-size
 * free lists (16 each, at most 1536 slots -- about 16 KiB -- in all) and
 * are reused by march_hamt_node_bitmap_new (PyObject_Init on the old
 * memory): path copying frees about as many nodes as it allocates, of the
 * same sizes, so most allocations skip the allocator and the GC's
 * allocation counting.  Untracked nodes (atomic content only) are released
 * without the trashcan: their release cannot recurse beyond the 13 node
 * levels.  Tracked nodes keep Py_TRASHCAN.  (map_object.c keeps a free list
 * of exact Map objects the same way.)  The free lists are common.h's
 * MarchFreeList; under AddressSanitizer the waiting memory is poisoned.
 */
#include "hamt_node.h"
#include <stddef.h>

static uint64_t hamt_node_owner_counter = 0;
#ifdef MARCH_POPCNT_DISPATCH
int march_have_popcnt = 0;
#endif
static MarchBitmapNode *empty_root = NULL;

uint64_t
march_hamt_node_new_owner(void)
{
    /* atomic: threads make mutations at once (docs/threads.md) */
    return MARCH_ATOMIC_ADD_U64(&hamt_node_owner_counter, 1);
}

/* ------------------------------------------------------------------ */
/* node allocation, deallocation, traversal                            */

/* Free lists of bitmap nodes, one per slot count (1..64), each at most
 * MARCH_HAMT_FREELIST_DEPTH long.  A persistent set/delete frees about as
 * many nodes as it allocates, of the same sizes (the old path), and a build
 * through a mutation replaces each node it grows: reusing them skips the
 * allocator and the GC's allocation bookkeeping.  A free-listed node is an
 * untracked GC object whose memory came from PyObject_GC_NewVar with that
 * many slots; reuse (march_hamt_node_bitmap_new, hamt_node.h) re-initialises
 * its header with PyObject_Init.  On GIL builds only (MARCH_FREELISTS,
 * common.h). */
MarchFreeList march_hamt_node_bitmap_freelist[MARCH_HAMT_FREELIST_MAXSLOTS + 1];
Py_ssize_t march_hamt_node_bitmap_freelist_total = 0;

/* Release the memory of a node whose slots have been released. */
static inline void
hamt_node_bitmap_free(MarchBitmapNode *self, Py_ssize_t nslots)
{
    if (MARCH_FREELISTS && nslots > 0 && nslots <= MARCH_HAMT_FREELIST_MAXSLOTS
            && march_hamt_node_bitmap_freelist_total + nslots
               <= MARCH_HAMT_FREELIST_MAX_TOTAL
            && march_freelist_put(&march_hamt_node_bitmap_freelist[nslots],
                                  self, MARCH_HAMT_NODE_BITMAP_LINK,
                                  MARCH_HAMT_NODE_BITMAP_BYTES(nslots),
                                  MARCH_HAMT_FREELIST_DEPTH)) {
        march_hamt_node_bitmap_freelist_total += nslots;
        return;
    }
    PyObject_GC_Del(self);
}

static void hamt_node_bitmap_dealloc(MarchBitmapNode *self);

/* A tracked node may hold anything, so its release can recurse through
 * values: the trashcan bounds the C stack depth. */
static MARCH_NOINLINE void
hamt_node_bitmap_dealloc_tracked(MarchBitmapNode *self)
{
    Py_ssize_t i, n = march_hamt_node_bitmap_size(self);
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, hamt_node_bitmap_dealloc)
    for (i = 0; i < n; i++) {
        Py_DECREF(self->slots[i]);
    }
    hamt_node_bitmap_free(self, n);
    Py_TRASHCAN_END
}

/* An untracked node holds only atomic objects (whose release cannot reach
 * back into a map) and untracked nodes, at most 13 levels: no trashcan. */
static void
hamt_node_bitmap_dealloc(MarchBitmapNode *self)
{
    Py_ssize_t i, n;
    if (march_hamt_node_tracked(self)) {
        hamt_node_bitmap_dealloc_tracked(self);
        return;
    }
    n = march_hamt_node_bitmap_size(self);
    if (n == 0 && self->count < 0) {
        /* emptied by a mutation (hamt_node_bitmap_emptied, hamt.c): its
         * slots moved on */
        hamt_node_bitmap_free(self, -self->count);
        return;
    }
    for (i = 0; i < n; i++) {
        Py_DECREF(self->slots[i]);
    }
    hamt_node_bitmap_free(self, n);
}

static int
hamt_node_bitmap_traverse(MarchBitmapNode *self, visitproc visit, void *arg)
{
    Py_ssize_t i, n = march_hamt_node_bitmap_size(self);
    for (i = 0; i < n; i++) {
        Py_VISIT(self->slots[i]);
    }
    return 0;
}

static void
hamt_node_collision_dealloc(MarchCollisionNode *self)
{
    Py_ssize_t i, n = Py_SIZE(self);
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, hamt_node_collision_dealloc)
    for (i = 0; i < n; i++) {
        Py_XDECREF(self->slots[i]);
    }
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

static int
hamt_node_collision_traverse(MarchCollisionNode *self, visitproc visit,
                             void *arg)
{
    Py_ssize_t i, n = Py_SIZE(self);
    for (i = 0; i < n; i++) {
        Py_VISIT(self->slots[i]);
    }
    return 0;
}

PyTypeObject MarchBitmapNode_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.BitmapNode",
    .tp_basicsize = offsetof(MarchBitmapNode, slots),
    .tp_itemsize = sizeof(PyObject *),
    .tp_dealloc = (destructor)hamt_node_bitmap_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)hamt_node_bitmap_traverse,
    .tp_free = PyObject_GC_Del,
};

PyTypeObject MarchCollisionNode_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.CollisionNode",
    .tp_basicsize = offsetof(MarchCollisionNode, slots),
    .tp_itemsize = sizeof(PyObject *),
    .tp_dealloc = (destructor)hamt_node_collision_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)hamt_node_collision_traverse,
    .tp_free = PyObject_GC_Del,
};

MarchCollisionNode *
march_hamt_node_collision_new(Py_ssize_t nslots, uint64_t hash,
                              uint64_t owner)
{
    MarchCollisionNode *n = PyObject_GC_NewVar(MarchCollisionNode,
                                               &MarchCollisionNode_Type, nslots);
    if (n == NULL) {
        return NULL;
    }
    n->hash = hash;
    n->owner = owner;
    return n;
}

/* ------------------------------------------------------------------ */
/* setup, the empty root                                               */

int
march_hamt_node_ready(void)
{
#ifdef MARCH_POPCNT_DISPATCH
    __builtin_cpu_init();
    march_have_popcnt = __builtin_cpu_supports("popcnt") ? 1 : 0;
#endif
    if (PyType_Ready(&MarchBitmapNode_Type) < 0
            || PyType_Ready(&MarchCollisionNode_Type) < 0) {
        return -1;
    }
    if (empty_root == NULL) {
        empty_root = march_hamt_node_bitmap_new(0, 0);
        if (empty_root == NULL) {
            return -1;
        }
        empty_root->datamap = 0;
        empty_root->nodemap = 0;
        empty_root->count = 0;
    }
    return 0;
}

MarchBitmapNode *
march_hamt_node_empty_root(void)
{
    Py_INCREF(empty_root);
    return empty_root;
}
