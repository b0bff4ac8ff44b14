/*
 * hamt.h -- the algorithms of march's HAMT on one trie: hashing, find (and
 * its inline form for the hot callers), assoc, without, equality, the hash
 * of the entries, iteration.  See hamt.c for the design comment (hashing,
 * canonical form, algorithms, transients).  The node layout is in
 * hamt_node.h; walks over two tries in hamt_walk.h; the checker in
 * hamt_check.h.
 *
 * May include: hamt_node.h (common.h).
 */
#ifndef MARCH_HAMT_H
#define MARCH_HAMT_H

#include "hamt_node.h"
#include <stdint.h>

/* Iteration state: a stack of (node, next slot) pairs; borrowed node
 * references (the caller keeps the root alive and unchanged). */
typedef struct {
    PyObject *node[MARCH_HAMT_STACK];
    Py_ssize_t pos[MARCH_HAMT_STACK];
    int top;                /* -1: exhausted */
} MarchHamtIter;

/* Optional bijective 64-bit finalizer (murmur3 fmix64).  OFF by default: the
 * design fixes h = hash(key) as u64, and the pure-Python twin relies on it.
 * Build with -DMARCH_HASH_MIX=1 only to re-run the hashing study
 * (bench/hash_study.py; results in bench/notes-hamt.md, section 1; the
 * decision in docs/design.md, section 2). */
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

/* The hash of an exact str or an exact int: 1 with *hash set, 0 for any
 * other key.  Neither runs Python code nor fails, so the lookup's miss test
 * may ask it of a stored key.  Public API only: a str's cached hash is
 * read with PyUnstable_Unicode_GET_CACHED_HASH where it exists (3.14+),
 * and otherwise through PyObject_Hash (which returns the cache). */
static inline int
march_hamt_quick_hash(PyObject *o, uint64_t *hash)
{
    Py_hash_t h;
    if (PyUnicode_CheckExact(o)) {
#if PY_VERSION_HEX >= 0x030E0000
        h = PyUnstable_Unicode_GET_CACHED_HASH(o);
        if (h == -1) {
            h = PyObject_Hash(o);
        }
#else
        h = PyObject_Hash(o);
#endif
    }
    else if (PyLong_CheckExact(o)) {
        h = PyObject_Hash(o);
    }
    else {
        return 0;
    }
    *hash = march_hamt_mix((uint64_t)h);
    return 1;
}

/* the hash march uses for a key: hash(key) as unsigned 64 bits */
static inline int
march_hamt_hash(PyObject *key, uint64_t *hash)
{
    Py_hash_t h;
    if (march_hamt_quick_hash(key, hash)) {
        return 0;
    }
    h = PyObject_Hash(key);
    if (h == -1 && PyErr_Occurred()) {
        return -1;
    }
    *hash = march_hamt_mix((uint64_t)h);
    return 0;
}

/* Compare a stored key with `key` (whose hash is `hash`).  1 equal, 0 not,
 * -1 error.  *h2 gets the stored key's hash (needed by assoc when the keys
 * differ). */
static inline int
march_hamt_key_match(PyObject *stored, PyObject *key, uint64_t hash,
                     uint64_t *h2)
{
    if (stored == key) {
        *h2 = hash;
        return 1;
    }
    if (march_hamt_hash(stored, h2) < 0) {
        return -1;
    }
    if (*h2 != hash) {
        return 0;
    }
    return PyObject_RichCompareBool(stored, key, Py_EQ);
}

/* 1: found (*value borrowed), 0: absent, -1: error */
int march_hamt_find(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                    PyObject **value);

/* the out-of-line parts of march_hamt_find_inline: an entry whose key is
 * not `key` itself (p: its key and value slots), and a collision node */
MARCH_HIDDEN int march_hamt_find_entry(PyObject **p, PyObject *key,
                                       uint64_t hash, PyObject **value);
/* the same, for a stored key whose hash is known to equal key's: == only */
MARCH_HIDDEN int march_hamt_find_equal(PyObject **p, PyObject *key,
                                       PyObject **value);
MARCH_HIDDEN int march_hamt_find_collision(PyObject *node, PyObject *key,
                                           uint64_t hash, PyObject **value);

/* march_hamt_find, inlined into the hot callers (m[k], k in m).  The
 * descent is a leaf loop; comparisons other than identity (and the hash
 * rejection of an exact str or short exact int) are out of line (tail
 * calls, hidden symbols: no PLT), so the common paths need no stack frame.
 * Each level prefetches the slot a full node of children would read, and
 * takes a node full of children without its bitmaps; maps of 256 to
 * 262,143 entries take one level by masks (below; see hamt.c, "find"). */
/* The sizes of map whose lookups take a masked level (see below), and that
 * level: 1 for 256..8,191 entries, 2 for 8,192..262,143 (the level above
 * the two that hold most entries, n / 32**(m + 1) between 1/4 and 8). */
#define MARCH_HAMT_SPLIT_MIN 256
#define MARCH_HAMT_SPLIT_MAX 262144
static inline int
march_hamt_split_level(Py_ssize_t count)
{
    return count < 8192 ? 1 : 2;
}
static MARCH_ALWAYS_INLINE int
march_hamt_find_inline(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                       PyObject **value)
{
    MarchBitmapNode *node = root;
    uint64_t h = hash;
    /* In a map of n random keys the canonical form puts an entry as high as
     * it is alone in its slot, so the entries split between two levels, at
     * random: at 1,000 keys 38% at level 1 and 58% at level 2; at 6,000,
     * 83% at level 2 and 17% at level 3.  The loop below branches on what
     * each slot holds ("entry, child or empty?"), and at the level of the
     * split that branch goes either way: about every other lookup is
     * mispredicted.  A map of MARCH_HAMT_SPLIT_MIN to MARCH_HAMT_SPLIT_MAX
     * - 1 entries therefore descends to the level m above its split by
     * predicted branches (these levels are full of children), takes level
     * m by masks instead of a branch (to the child if the slot holds one,
     * else it stays), and decides the two common outcomes where it lands
     * without branching on the slot's kind: a miss (an empty slot, or an
     * entry whose tag rejects the key) and a hit on the key object itself;
     * anything else goes on in the loop.  Bigger maps are bound by cache
     * misses, and there the masked level, which cannot run ahead of its
     * loads as a predicted branch does, costs more than it saves
     * (bench/notes-hamt.md, section 3.4; docs/design.md, section 1.4).
     * The masked level may select a collision node: its type is tested
     * before anything else is read from it. */
    if ((size_t)(root->count - MARCH_HAMT_SPLIT_MIN)
            < (size_t)(MARCH_HAMT_SPLIT_MAX - MARCH_HAMT_SPLIT_MIN)) {
        int lv, m = march_hamt_split_level(root->count);
        unsigned i;
        uint32_t is_child, is_entry, rejected;
        uintptr_t stay;
        PyObject *child, **p;
        for (lv = 0; lv < m; lv++) {
            i = (unsigned)(h & MARCH_HAMT_MASK);
            if (node->nodemap == 0xFFFFFFFFu) {   /* as in the loop below */
                child = node->slots[i];
            }
            else if ((node->nodemap >> i) & 1u) {
                child = node->slots[march_hamt_node_bitmap_child_slot(
                    node, (1u << i) - 1)];
            }
            else {
                goto loop;
            }
            if (!MarchBitmapNode_Check(child)) {
                goto loop;
            }
            node = (MarchBitmapNode *)child;
            h >>= MARCH_HAMT_BITS;
        }
        /* level m, masked: a non-root node has a slot 0, read and
         * discarded when slot i holds no child */
        assert(node != root && (node->datamap | node->nodemap));
        i = (unsigned)(h & MARCH_HAMT_MASK);
        MARCH_PREFETCH(node->slots + i);
        is_child = (node->nodemap >> i) & 1u;
        stay = (uintptr_t)is_child - 1;               /* all ones: stay */
        child = node->slots[march_hamt_node_bitmap_child_slot(node,
                                                              (1u << i) - 1)
                            & (0u - is_child)];
        node = (MarchBitmapNode *)(((uintptr_t)node & stay)
                                   | ((uintptr_t)child & ~stay));
        h >>= MARCH_HAMT_BITS & (unsigned)~stay;
        if (!MarchBitmapNode_Check(node)) {
            return march_hamt_find_collision((PyObject *)node, key, hash,
                                             value);
        }
        /* where it landed: miss, hit by identity, or on to the loop */
        i = (unsigned)(h & MARCH_HAMT_MASK);
        is_entry = (node->datamap >> i) & 1u;
        rejected = (((node->tags >> (2 * i)) ^ (h >> MARCH_HAMT_BITS))
                    & MARCH_HAMT_TAG_MASK) != 0;
        if ((~node->nodemap >> i) & (~is_entry | rejected) & 1u) {
            return 0;
        }
        p = node->slots + (march_hamt_node_bitmap_entry_slot(node,
                                                             (1u << i) - 1)
                           & (0u - is_entry));
        if (is_entry & (uint32_t)(p[0] == key)) {
            *value = p[1];
            return 1;
        }
    }
loop:
    for (;;) {
        uint32_t bit = 1u << (h & MARCH_HAMT_MASK);
        uint32_t below = bit - 1;
        PyObject *child;
        /* the slot this level reads if the node is full of children (as
         * the levels near the root of a large map are): fetch its cache
         * line while the bitmaps are still on their way */
        MARCH_PREFETCH(node->slots + (h & MARCH_HAMT_MASK));
        if (node->nodemap == 0xFFFFFFFFu) {
            /* full of children (the levels near the root of a big map):
             * the child is slot i, an address that needs no bitmap, so a
             * predicted branch lets its load start before the bitmaps
             * arrive */
            child = node->slots[h & MARCH_HAMT_MASK];
            goto descend;
        }
        /* a node with few slots (the bottom levels of a big map) keeps them
         * on the line after its header: fetch it with the header */
        MARCH_PREFETCH(node->slots + 2);
        if (node->datamap & bit) {
            PyObject **p = node->slots
                           + march_hamt_node_bitmap_entry_slot(node, below);
            PyObject *stored = p[0];
            if (stored == key) {
                *value = p[1];
                return 1;
            }
            /* the entry's tag (read with the bitmaps) against the next hash
             * bits: most misses end here, the stored key never touched */
            if (((node->tags >> (2 * (h & MARCH_HAMT_MASK)))
                    ^ (h >> MARCH_HAMT_BITS)) & MARCH_HAMT_TAG_MASK) {
                return 0;
            }
            /* a miss on an exact str or exact int: reject on its hash
             * here (no Python code can run), without the general path */
            {
                uint64_t sh;
                if (march_hamt_quick_hash(stored, &sh)) {
                    if (sh != hash) {
                        return 0;
                    }
                    return march_hamt_find_equal(p, key, value);
                }
            }
            return march_hamt_find_entry(p, key, hash, value);
        }
        if (!(node->nodemap & bit)) {
            return 0;
        }
        child = node->slots[march_hamt_node_bitmap_child_slot(node, below)];
    descend:
        if (!MarchBitmapNode_Check(child)) {
            return march_hamt_find_collision(child, key, hash, value);
        }
        node = (MarchBitmapNode *)child;
        h >>= MARCH_HAMT_BITS;
    }
}

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

/* *h = the key's hash: *hp when the caller knows it, else computed.  0 or
 * -1 (the error of its __hash__) */
static inline int
march_hamt_hash_given(PyObject *key, const uint64_t *hp, uint64_t *h)
{
    if (hp != NULL) {
        *h = *hp;
        return 0;
    }
    return march_hamt_hash(key, h);
}

/* `*root` (a new reference, replaced) with key bound to value, editing the
 * nodes `owner` owns in place; the key's hash is *hp, or computed when hp is
 * NULL.  0, or -1 with *root unchanged. */
static inline int
march_hamt_root_assoc(MarchBitmapNode **root, PyObject *key,
                      const uint64_t *hp, PyObject *value, uint64_t owner)
{
    uint64_t h;
    int added;
    MarchBitmapNode *nr;
    if (march_hamt_hash_given(key, hp, &h) < 0) {
        return -1;
    }
    nr = march_hamt_assoc(*root, key, h, value, owner, &added);
    if (nr == NULL) {
        return -1;
    }
    Py_SETREF(*root, nr);
    return 0;
}

/* `*root` without key, the same way: 1 removed, 0 absent, -1 error (with
 * *root unchanged) */
static inline int
march_hamt_root_without(MarchBitmapNode **root, PyObject *key,
                        const uint64_t *hp, uint64_t owner)
{
    uint64_t h;
    int found;
    MarchBitmapNode *nr;
    if (march_hamt_hash_given(key, hp, &h) < 0) {
        return -1;
    }
    nr = march_hamt_without(*root, key, h, owner, &found);
    if (nr == NULL) {
        return -1;
    }
    Py_SETREF(*root, nr);
    return found;
}

/* 1 equal, 0 not, -1 error (values compared with ==) */
int march_hamt_equal(MarchBitmapNode *a, MarchBitmapNode *b);

/* The order-independent hash of a collection of entries (frozenset's
 * formula, over one 64-bit word per entry): h = 0, march_hamt_hash_step for
 * each entry, then march_hamt_hash_finish with the number of entries.  Must
 * agree bit for bit with the twin. */
static inline uint64_t
march_hamt_hash_step(uint64_t h, uint64_t e)
{
    return h ^ (((e ^ 89869747ULL) ^ (e << 16)) * 3644798167ULL);
}

static inline Py_hash_t
march_hamt_hash_finish(uint64_t h, Py_ssize_t count)
{
    h ^= ((uint64_t)count + 1) * 1927868237ULL;
    h ^= (h >> 11) ^ (h >> 25);
    h = h * 69069ULL + 907133923ULL;
    if ((Py_hash_t)h == -1) {
        return 590923713;
    }
    return (Py_hash_t)h;
}

/* hash(m): of the (key, value) entries; -1 on error */
Py_hash_t march_hamt_hash_entries(MarchBitmapNode *root);

void march_hamt_iter_init(MarchHamtIter *it, MarchBitmapNode *root);
/* 1: *key and *value set (borrowed), 0: exhausted.  Inline: it is the
 * step of every iteration (items(), ==, the set algebra). */
static inline int
march_hamt_iter_next(MarchHamtIter *it, PyObject **key, PyObject **value)
{
    while (it->top >= 0) {
        PyObject *node = it->node[it->top];
        Py_ssize_t pos = it->pos[it->top];
        if (MarchBitmapNode_Check(node)) {
            MarchBitmapNode *b = (MarchBitmapNode *)node;
            Py_ssize_t ndslots = 2 * march_popcount32(b->datamap);
            if (pos < ndslots) {
                *key = b->slots[pos];
                *value = b->slots[pos + 1];
                it->pos[it->top] = pos + 2;
#if defined(__GNUC__) || defined(__clang__)
                /* the caller will touch the next entry's key and value
                 * (reference counts): start loading them now */
                if (pos + 3 < ndslots) {
                    __builtin_prefetch(b->slots[pos + 2], 1);
                    __builtin_prefetch(b->slots[pos + 3], 1);
                }
#endif
                return 1;
            }
            if (pos < ndslots + march_popcount32(b->nodemap)) {
                it->pos[it->top] = pos + 1;
                it->top++;
                assert(it->top < MARCH_HAMT_STACK);
                it->node[it->top] = b->slots[pos];
                it->pos[it->top] = 0;
                continue;
            }
        }
        else {
            MarchCollisionNode *c = (MarchCollisionNode *)node;
            if (pos < Py_SIZE(c)) {
                *key = c->slots[pos];
                *value = c->slots[pos + 1];
                it->pos[it->top] = pos + 2;
                return 1;
            }
        }
        it->top--;
    }
    return 0;
}

#endif /* MARCH_HAMT_H */
