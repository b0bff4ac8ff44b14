/*
 * hamt_node.h -- the node types of march's HAMT (Map and Set): the bitmap
 * and collision node layouts, their type objects, the slot and tag helpers,
 * allocation (with the bitmap nodes' free lists), the empty root and the
 * mutation (owner) ids.  See hamt_node.c for the node kinds, the GC policy
 * and the memory management; hamt.c for the algorithms.
 *
 * May include: common.h only.
 */
#ifndef MARCH_HAMT_NODE_H
#define MARCH_HAMT_NODE_H

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
 * the bitmaps), which saves a word: the header is 64 bytes with the GC
 * header (16 + object header 16 + count, bitmaps, tags, owner 8 each).
 *   slots    key0, value0, key1, value1, ..., child0, child1, ...
 *            (entries, then children, each in ascending bit order)
 *   tags     2 bits per bit position b (bits 2b, 2b + 1): for an inline
 *            entry at b, the 2 hash bits that follow this level's 5
 *            (march_hamt_tag); 0 at every position that is not an entry.
 *            A lookup that lands on an entry whose tag differs from its own
 *            hash's is a miss, decided without touching the stored key
 *            (a cache miss in a big map).  C only: the twin has no tags. */
typedef struct {
    PyObject_HEAD
    Py_ssize_t count;       /* entries in this whole subtree (ob_size's place) */
    uint32_t datamap;       /* slots holding an inline key/value entry */
    uint32_t nodemap;       /* slots holding a child node */
    uint64_t tags;          /* lookup filter, 2 bits per entry position */
    uint64_t owner;         /* mutation that may edit it in place; 0: none */
    PyObject *slots[1];
} MarchBitmapNode;

/* The tag of an entry with hash h stored in a node at level shift / 5:
 * hash bits shift + 5 and shift + 6 (the low bits of its index one level
 * further down, so that an entry moving up a level on delete gets its tag
 * from its old position; 0 past the 64 bits, at the last level). */
#define MARCH_HAMT_TAG_MASK 3u
static inline unsigned
march_hamt_tag(uint64_t h, unsigned shift)
{
    unsigned s = shift + MARCH_HAMT_BITS;
    return s < 64 ? (unsigned)((h >> s) & MARCH_HAMT_TAG_MASK) : 0u;
}

/* the tags word with position `bit` (a one-bit mask) set to tag t, or
 * cleared (t = 0) when an entry leaves that position */
static inline uint64_t
march_hamt_tags_with(uint64_t tags, uint32_t bit, unsigned t)
{
    unsigned sh = 2 * (unsigned)__builtin_ctz(bit);
    return (tags & ~((uint64_t)MARCH_HAMT_TAG_MASK << sh)) | ((uint64_t)t << sh);
}

/* the bit (a one-bit mask) of hash h in a node at level shift / 5 */
static inline uint32_t
march_hamt_bit(uint64_t h, unsigned shift)
{
    return 1u << ((h >> shift) & MARCH_HAMT_MASK);
}

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

/* the number of slots of a bitmap node (its ob_size field holds the entry
 * count) */
/* GC tracking.  A node is tracked by the cyclic GC only when it holds
 * something that may be part of a cycle (common.h), and it is tracked once,
 * when made, and untracked only when freed.  Bit 63 of its owner field
 * mirrors that state (owner ids are counters far below 2**63), so the hot
 * paths, which ask it of every node they copy or free, read the node they
 * already have in cache instead of calling PyObject_GC_IsTracked (public
 * API: CPython's GC header is private).  The checker (hamt_check.c)
 * verifies that the bit and PyObject_GC_IsTracked agree. */
#define MARCH_HAMT_NODE_TRACKED ((uint64_t)1 << 63)

/* the owner word of a bitmap or collision node */
static inline uint64_t *
march_hamt_node_owner_word(const void *node)
{
    return MarchBitmapNode_Check((PyObject *)node)
           ? &((MarchBitmapNode *)node)->owner
           : &((MarchCollisionNode *)node)->owner;
}

/* the mutation that may edit `node` in place (0: none) */
static inline uint64_t
march_hamt_node_owner(const void *node)
{
    return *march_hamt_node_owner_word(node) & ~MARCH_HAMT_NODE_TRACKED;
}

/* is the node tracked by the GC? */
static inline int
march_hamt_node_tracked(const void *node)
{
    return (*march_hamt_node_owner_word(node) & MARCH_HAMT_NODE_TRACKED) != 0;
}

/* track a node that is not tracked yet */
static inline void
march_hamt_node_track(void *node)
{
    PyObject_GC_Track(node);
    *march_hamt_node_owner_word(node) |= MARCH_HAMT_NODE_TRACKED;
}

static inline Py_ssize_t
march_hamt_node_bitmap_size(const MarchBitmapNode *b)
{
    return 2 * march_popcount32(b->datamap) + march_popcount32(b->nodemap);
}

/* Slot index, in a bitmap node, of the entry / the child at the index whose
 * lower bits are `below` (bit - 1): entries come first, two slots each. */
static inline unsigned
march_hamt_node_bitmap_entry_slot(const MarchBitmapNode *node, uint32_t below)
{
    return 2 * march_popcount32(node->datamap & below);
}

static inline unsigned
march_hamt_node_bitmap_child_slot(const MarchBitmapNode *node, uint32_t below)
{
    return 2 * march_popcount32(node->datamap)
           + march_popcount32(node->nodemap & below);
}

/* the entries of a subtree */
static inline Py_ssize_t
march_hamt_node_count(PyObject *node)
{
    if (MarchBitmapNode_Check(node)) {
        return ((MarchBitmapNode *)node)->count;
    }
    return Py_SIZE(node) / 2;
}

/* ------------------------------------------------------------------ */
/* allocation                                                          */

/* Free lists of bitmap nodes, one per slot count (1..64), each at most
 * MARCH_HAMT_FREELIST_DEPTH long (hamt_node.c).  Linked through slots[0]. */
#define MARCH_HAMT_FREELIST_MAXSLOTS 64
#define MARCH_HAMT_FREELIST_DEPTH 16
/* and at most this many slots in all (about 16 KiB with the headers), so
 * that what waits there stays small next to a map of a thousand entries */
#define MARCH_HAMT_FREELIST_MAX_TOTAL 1536
extern MarchFreeList
    march_hamt_node_bitmap_freelist[MARCH_HAMT_FREELIST_MAXSLOTS + 1];
extern Py_ssize_t march_hamt_node_bitmap_freelist_total;

/* the bytes of a bitmap node of n slots (without the GC header) and the
 * offset of its free-list link */
#define MARCH_HAMT_NODE_BITMAP_BYTES(n) \
    (offsetof(MarchBitmapNode, slots) + (size_t)(n) * sizeof(PyObject *))
#define MARCH_HAMT_NODE_BITMAP_LINK offsetof(MarchBitmapNode, slots)

/* A new untracked bitmap node with `nslots` slots (filled by the caller
 * before anything can fail).  Inline: every path copy allocates. */
static inline MarchBitmapNode *
march_hamt_node_bitmap_new(Py_ssize_t nslots, uint64_t owner)
{
    MarchBitmapNode *n = NULL;
    if (MARCH_FREELISTS && nslots > 0 && nslots <= MARCH_HAMT_FREELIST_MAXSLOTS) {
        n = (MarchBitmapNode *)march_freelist_take(
            &march_hamt_node_bitmap_freelist[nslots],
            MARCH_HAMT_NODE_BITMAP_LINK, MARCH_HAMT_NODE_BITMAP_BYTES(nslots));
    }
    if (n != NULL) {
        march_hamt_node_bitmap_freelist_total -= nslots;
        PyObject_Init((PyObject *)n, &MarchBitmapNode_Type);
    }
    else {
        n = PyObject_GC_NewVar(MarchBitmapNode, &MarchBitmapNode_Type,
                               nslots);
        if (n == NULL) {
            return NULL;
        }
    }
    n->owner = owner;
    n->datamap = 0;
    n->nodemap = 0;
    n->tags = 0;
    n->count = 0;
    return n;
}

/* A new untracked collision node of `nslots` slots (2 per entry). */
MarchCollisionNode *march_hamt_node_collision_new(Py_ssize_t nslots,
                                                  uint64_t hash,
                                                  uint64_t owner);

int march_hamt_node_ready(void);            /* PyType_Ready the node types */
MarchBitmapNode *march_hamt_node_empty_root(void);  /* new reference */
uint64_t march_hamt_node_new_owner(void);   /* a fresh mutation id (never 0) */

#endif /* MARCH_HAMT_NODE_H */
