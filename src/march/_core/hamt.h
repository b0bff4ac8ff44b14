/*
 * hamt.h -- the algorithms of march's persistent hash map (see hamt.c for
 * the design comment: node layout, invariants, hashing, GC policy).
 *
 * The Python types (Map, MapMutation, views) live in hamtmodule.c and use
 * only what is declared here.
 */
#ifndef MARCH_HAMT_H
#define MARCH_HAMT_H

#include "common.h"
#include <stdint.h>

/* 5 bits of the 64-bit hash per level: 13 levels (12 x 5 bits + 4 bits). */
#define MARCH_HAMT_BITS 5
#define MARCH_HAMT_MASK 31u
#define MARCH_HAMT_MAX_LEVELS 13
/* iteration stack: 13 bitmap levels plus one collision node, plus slack */
#define MARCH_HAMT_STACK (MARCH_HAMT_MAX_LEVELS + 2)

/* A bitmap-compressed trie node (CHAMP layout).  It is allocated as a
 * variable-size object of 2 * popcount(datamap) + popcount(nodemap) slots,
 * but the ob_size field is reused for `count` (the slot count follows from
 * the bitmaps): the header is then 56 bytes with the GC header, 8 less.
 *   slots    key0, value0, key1, value1, ..., child0, child1, ...
 *            (entries, then children, each in ascending bit order) */
typedef struct {
    PyObject_HEAD
    Py_ssize_t count;       /* entries in this whole subtree (ob_size's place) */
    uint32_t datamap;       /* slots holding an inline key/value entry */
    uint32_t nodemap;       /* slots holding a child node */
    uint64_t owner;         /* mutation that may edit it in place; 0: none */
    PyObject *slots[1];
} MarchBitmapNode;

/* Entries whose full 64-bit hashes are equal.
 *   ob_size  2 * number of entries (>= 4 in a canonical tree)
 *   slots    key0, value0, key1, value1, ... (insertion order) */
typedef struct {
    PyObject_VAR_HEAD
    uint64_t hash;
    uint64_t owner;
    PyObject *slots[1];
} MarchCollisionNode;

extern PyTypeObject MarchBitmapNode_Type;
extern PyTypeObject MarchCollisionNode_Type;

#define MarchBitmapNode_Check(o) (Py_TYPE(o) == &MarchBitmapNode_Type)
#define MarchCollisionNode_Check(o) (Py_TYPE(o) == &MarchCollisionNode_Type)

/* Iteration state: a stack of (node, next slot) pairs; borrowed node
 * references (the caller keeps the root alive and unchanged). */
typedef struct {
    PyObject *node[MARCH_HAMT_STACK];
    Py_ssize_t pos[MARCH_HAMT_STACK];
    int top;                /* -1: exhausted */
} MarchHamtIter;

int march_hamt_ready(void);                 /* PyType_Ready the node types */
MarchBitmapNode *march_hamt_empty(void);    /* new reference to the empty root */
uint64_t march_hamt_new_owner(void);        /* a fresh mutation id (never 0) */

/* Optional bijective 64-bit finalizer (murmur3 fmix64).  OFF by default: the
 * design fixes h = hash(key) as u64, and the pure-Python twin relies on it.
 * Build with -DMARCH_HASH_MIX=1 only for the measurements in
 * docs/design-hamt.md. */
static inline uint64_t
march_hamt_mix(uint64_t h)
{
#if defined(MARCH_HASH_MIX) && MARCH_HASH_MIX
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
#endif
    return h;
}

/* the hash march uses for a key: hash(key) as unsigned 64 bits (an exact
 * str's cached hash is read directly, as dict does) */
static inline int
march_hamt_hash(PyObject *key, uint64_t *hash)
{
    Py_hash_t h;
    if (PyUnicode_CheckExact(key)
            && (h = ((PyASCIIObject *)key)->hash) != -1) {
        *hash = march_hamt_mix((uint64_t)h);
        return 0;
    }
    h = PyObject_Hash(key);
    if (h == -1 && PyErr_Occurred()) {
        return -1;
    }
    *hash = march_hamt_mix((uint64_t)h);
    return 0;
}

/* 1: found (*value borrowed), 0: absent, -1: error */
int march_hamt_find(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                    PyObject **value);

/* Bind key to value.  Returns a new reference to the new root: `root` itself
 * when nothing changed (value identical) or when it was edited in place
 * (owner != 0 and root->owner == owner).  *added is set to 1 when the key was
 * new.  NULL on error, with everything unchanged. */
MarchBitmapNode *march_hamt_assoc(MarchBitmapNode *root, PyObject *key,
                                  uint64_t hash, PyObject *value,
                                  uint64_t owner, int *added);

/* Remove key.  Returns a new reference to the new root (`root` itself when
 * the key is absent, *found = 0, or when edited in place).  NULL on error. */
MarchBitmapNode *march_hamt_without(MarchBitmapNode *root, PyObject *key,
                                    uint64_t hash, uint64_t owner, int *found);

/* 1 equal, 0 not, -1 error (values compared with ==) */
int march_hamt_equal(MarchBitmapNode *a, MarchBitmapNode *b);

/* order-independent hash of the entries (see hamt.c); -1 on error */
Py_hash_t march_hamt_hash_entries(MarchBitmapNode *root);

void march_hamt_iter_init(MarchHamtIter *it, MarchBitmapNode *root);
/* 1: *key and *value set (borrowed), 0: exhausted */
int march_hamt_iter_next(MarchHamtIter *it, PyObject **key, PyObject **value);

/* debugging: 0 when every invariant holds, else -1 with AssertionError */
int march_hamt_check(MarchBitmapNode *root);
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

/* GC helper: a node or root that holds possibly-cyclic objects is tracked */
static inline int
march_hamt_is_tracked(PyObject *node)
{
    return PyObject_GC_IsTracked(node);
}

#endif /* MARCH_HAMT_H */
