/*
 * hamt.c -- the algorithms of march.Map: a persistent hash array mapped trie
 * (HAMT) in the CHAMP layout.  The Python types live in hamtmodule.c.
 *
 * Hashing
 * -------
 * h = hash(key) taken as an unsigned 64-bit integer, with no extra mixing
 * (march_hamt_mix() is the identity unless built with -DMARCH_HASH_MIX=1, a
 * switch that only exists for the measurements in docs/design.md, section
 * 2).  The trie consumes 5 bits per level from the low end: the index at level L is
 * (h >> 5L) & 31 for L = 0..12, level 12 using the 4 top bits.  So a path has
 * at most 13 bitmap nodes; keys whose full 64-bit hashes are equal end in a
 * collision node.
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
 * Canonical form (equal maps have identical shapes, so == can skip shared
 * subtrees by identity and compare the rest position by position):
 *  1. the root is always a bitmap node (the empty map: count 0);
 *  2. a non-root bitmap node never has count 1 (such a subtree is inlined in
 *     its parent as an entry);
 *  3. a non-root bitmap node never consists of a single collision-node child
 *     and nothing else (the collision node takes its place: collision nodes
 *     sit as high as possible);
 *  4. two entries (or an entry and a collision node) that meet in one slot
 *     are split at the first level where their index bits differ, through a
 *     chain of single-child bitmap nodes where they agree.
 * march_hamt_check() verifies all of this (plus counts, bitmaps, each key's
 * hash path and the GC rule below) and is exposed as Map._check().
 *
 * Keys whose hash changes after they were stored (a user error that dict
 * survives): the trie places a key by the hash it had then and never stores
 * it, so a stored key's hash is recomputed when a new key meets it in its
 * slot.  Its bits below that level are then taken from the path (they are
 * the ones that put it there) and only the higher ones from its current
 * hash (known_hash): two such hashes either part at a level the trie has,
 * or are equal (a collision node, at the last level too).  So the trie
 * never grows past its last level and its counts stay right, whatever the
 * hashes do.  As in dict, a lookup by the key's new hash generally misses
 * it; march_hamt_check() reports it ("a key is not on its hash path").
 *
 * Algorithms
 * ----------
 * find: iterative descent (march_hamt_find_inline in hamt.h, inlined into
 * m[k] and `k in m`: a leaf loop; on reaching an entry: identity, then the
 * entry's tag (no access to the stored key), then, for an exact str or
 * short exact int, its hash, inline; the other comparisons and collision
 * nodes are out of line).  Each level prefetches
 * the slot it would read if the node were full of children (the shape of
 * the levels near the root of a large map), so that in a map that does not
 * fit in the cache the slot's line is on its way while the bitmaps load: the
 * header and the slot are otherwise two dependent cache misses per level.
 * A node that is full of children (nodemap all ones) is taken by a
 * predicted branch straight to slot i, so the load of the child does not
 * wait for the bitmaps; a node that is not also prefetches the line after
 * its header, where a small node keeps its slots.  Maps of 256 to 262,143
 * entries, whose entries split at random between two levels, take the
 * level above the split by masks instead of branches and decide a miss or
 * an identity hit where they land without a branch on the slot's kind
 * (hamt.h).  Keys compare like dict: identity, then equal full
 * hashes (a stored key's hash is recomputed: an exact str's cached hash is
 * read directly, a short exact int's is computed inline by the documented
 * numeric-hash formula, anything else through PyObject_Hash), then ==.
 * __eq__ therefore runs only for equal hashes.  Bitmap indexes use the
 * POPCNT instruction when the CPU has it (runtime check), else SWAR.
 * assoc / without: recursive, copying the path they change (clone-on-write).
 * All key comparisons happen at the bottom before anything is built or
 * edited, so an exception from __hash__/__eq__ leaves everything unchanged.
 * without() reports one of: not found, a new node, or "the subtree collapsed
 * to a single entry" (which the parent inlines, rule 2); a parent left with a
 * lone collision child hands that child up (rule 3).  The collapsed entry
 * carries its tag for the parent: the index it had in the node it leaves,
 * mod 4 (or, leaving a collision node, the hash bits at that level), so no
 * key is hashed again on the way up.
 *
 * Transients (MapMutation): every mutation has a fresh owner id (a global
 * counter, never 0).  A node whose owner equals the mutation's id was created
 * by that mutation and is referenced by nothing else, so it may be edited in
 * place: a value replaced or a child pointer swapped.  Changes of size
 * (insert/remove of a slot) always allocate a new node (with the owner id);
 * when the old node is owned too, is not the root and only its parent
 * references it, the new node takes over its references instead of copying
 * them (no incref/decref per slot), and the old node is left empty (bitmaps
 * 0, count = -slots, so that its memory returns to the right free list)
 * until its editable parent drops it -- it is never reachable from a root.
 * Persistent copies of a path copy each node with the one changed slot
 * filled in directly (bnode_clone_replace), without touching the replaced
 * object.
 * Invariant: a node owned by a live mutation is only reachable through nodes
 * owned by the same mutation, so when a child was edited in place its parent
 * is editable too, and no allocation (hence no failure) happens after the
 * first in-place write.  Objects dropped by in-place edits are collected in a
 * small "garbage" list and released only once the whole tree is consistent
 * again, so a __del__ triggered by the release sees a sane structure.
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
 * are reused by bnode_alloc (PyObject_Init on the old memory): path copying
 * frees about as many nodes as it allocates, of the same sizes, so most
 * allocations skip the allocator and the GC's allocation counting.
 * Untracked nodes (atomic content only) are released without the trashcan:
 * their release cannot recurse beyond the 13 node levels.  Tracked nodes
 * keep Py_TRASHCAN.  (hamtmodule.c keeps a free list of exact Map objects
 * the same way.)  Under AddressSanitizer the waiting
 * memory is poisoned.
 */
#include "hamt.h"
#include <stddef.h>
#include <string.h>

/* POPC: march_popcount32() of hamt.h (the POPCNT instruction when the CPU
 * has it, else an inline SWAR count). */
#define POPC(x) march_popcount32((uint32_t)(x))
/* slots of a bitmap node (its ob_size field holds the entry count) */
#define BSIZE(b) (2 * POPC((b)->datamap) + POPC((b)->nodemap))

static uint64_t owner_counter = 0;
#ifdef MARCH_POPCNT_DISPATCH
int march_have_popcnt = 0;
#endif
static MarchBitmapNode *empty_root = NULL;

uint64_t
march_hamt_new_owner(void)
{
    return ++owner_counter;
}

/* ------------------------------------------------------------------ */
/* node allocation, deallocation, traversal                            */

/* Free lists of bitmap nodes, one per slot count (1..64), each at most
 * FREELIST_DEPTH long.  A persistent set/delete frees about as many nodes
 * as it allocates, of the same sizes (the old path), and a build through a
 * mutation replaces each node it grows: reusing them skips the allocator and
 * the GC's allocation bookkeeping.  A free-listed node is an untracked GC
 * object whose memory came from PyObject_GC_NewVar with that many slots;
 * reuse re-initialises its header with PyObject_Init.  Linked through
 * slots[0]. */
#define FREELIST_MAXSLOTS 64
#define FREELIST_DEPTH 16
/* and at most this many slots in all (about 16 KiB with the headers), so
 * that what waits there stays small next to a map of a thousand entries */
#define FREELIST_MAX_TOTAL 1536
static MarchBitmapNode *bfree[FREELIST_MAXSLOTS + 1];
static int bfree_len[FREELIST_MAXSLOTS + 1];
static Py_ssize_t bfree_total = 0;

/* Release the memory of a node whose slots have been released. */
static inline void
bnode_free(MarchBitmapNode *self, Py_ssize_t nslots)
{
    if (nslots > 0 && nslots <= FREELIST_MAXSLOTS
            && bfree_len[nslots] < FREELIST_DEPTH
            && bfree_total + nslots <= FREELIST_MAX_TOTAL) {
        self->slots[0] = (PyObject *)bfree[nslots];
        bfree[nslots] = self;
        bfree_len[nslots]++;
        bfree_total += nslots;
        MARCH_POISON(self, offsetof(MarchBitmapNode, slots));
        MARCH_POISON(self->slots + 1, (size_t)(nslots - 1) * sizeof(PyObject *));
        return;
    }
    PyObject_GC_Del(self);
}

static void bnode_dealloc(MarchBitmapNode *self);

/* A tracked node may hold anything, so its release can recurse through
 * values: the trashcan bounds the C stack depth. */
static MARCH_NOINLINE void
bnode_dealloc_tracked(MarchBitmapNode *self)
{
    Py_ssize_t i, n = BSIZE(self);
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, bnode_dealloc)
    for (i = 0; i < n; i++) {
        Py_DECREF(self->slots[i]);
    }
    bnode_free(self, n);
    Py_TRASHCAN_END
}

/* An untracked node holds only atomic objects (whose release cannot reach
 * back into a map) and untracked nodes, at most 13 levels: no trashcan. */
static void
bnode_dealloc(MarchBitmapNode *self)
{
    Py_ssize_t i, n;
    if (march_gc_is_tracked((PyObject *)self)) {
        bnode_dealloc_tracked(self);
        return;
    }
    n = BSIZE(self);
    if (n == 0 && self->count < 0) {
        /* emptied by a mutation (node_emptied): its slots moved on */
        bnode_free(self, -self->count);
        return;
    }
    for (i = 0; i < n; i++) {
        Py_DECREF(self->slots[i]);
    }
    bnode_free(self, n);
}

static int
bnode_traverse(MarchBitmapNode *self, visitproc visit, void *arg)
{
    Py_ssize_t i, n = BSIZE(self);
    for (i = 0; i < n; i++) {
        Py_VISIT(self->slots[i]);
    }
    return 0;
}

static void
cnode_dealloc(MarchCollisionNode *self)
{
    Py_ssize_t i, n = Py_SIZE(self);
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, cnode_dealloc)
    for (i = 0; i < n; i++) {
        Py_XDECREF(self->slots[i]);
    }
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

static int
cnode_traverse(MarchCollisionNode *self, visitproc visit, void *arg)
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
    .tp_dealloc = (destructor)bnode_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)bnode_traverse,
    .tp_free = PyObject_GC_Del,
};

PyTypeObject MarchCollisionNode_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.CollisionNode",
    .tp_basicsize = offsetof(MarchCollisionNode, slots),
    .tp_itemsize = sizeof(PyObject *),
    .tp_dealloc = (destructor)cnode_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)cnode_traverse,
    .tp_free = PyObject_GC_Del,
};

/* A new untracked bitmap node with `nslots` slots (filled by the caller
 * before anything can fail). */
static MarchBitmapNode *
bnode_alloc(Py_ssize_t nslots, uint64_t owner)
{
    MarchBitmapNode *n;
    if (nslots > 0 && nslots <= FREELIST_MAXSLOTS
            && (n = bfree[nslots]) != NULL) {
        bfree[nslots] = (MarchBitmapNode *)n->slots[0];
        bfree_len[nslots]--;
        bfree_total -= nslots;
        MARCH_UNPOISON(n, offsetof(MarchBitmapNode, slots)
                       + (size_t)nslots * sizeof(PyObject *));
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

static MarchCollisionNode *
cnode_alloc(Py_ssize_t nslots, uint64_t hash, uint64_t owner)
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

int
march_hamt_ready(void)
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
        empty_root = bnode_alloc(0, 0);
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
march_hamt_empty(void)
{
    Py_INCREF(empty_root);
    return empty_root;
}

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static inline int
is_tracked(void *o)
{
    return march_gc_is_tracked((PyObject *)o);
}

static inline void
track(void *o)
{
    if (!march_gc_is_tracked((PyObject *)o)) {
        PyObject_GC_Track(o);
    }
}

static inline int
cyclic(PyObject *o)
{
    return !march_is_atomic(o);
}

static inline Py_ssize_t
node_count(PyObject *node)
{
    if (MarchBitmapNode_Check(node)) {
        return ((MarchBitmapNode *)node)->count;
    }
    return Py_SIZE(node) / 2;
}

static inline void
incref_range(PyObject **p, Py_ssize_t n)
{
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        Py_INCREF(p[i]);
    }
}

/* copy n slots with new references (one pass: no memcpy call for the few
 * dozen pointers of a node) */
static inline void
copy_slots(PyObject **dst, PyObject **src, Py_ssize_t n)
{
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        PyObject *o = src[i];
        Py_INCREF(o);
        dst[i] = o;
    }
}

/* Growing or shrinking a node that the current mutation owns (and that only
 * its parent references) need not copy references: the new node takes them
 * over (move_slots), and the old one is left empty (node_emptied) before
 * its parent drops it.  Its slot count is kept as -count so that the node
 * still goes back to the right free list. */
static inline int
can_steal(MarchBitmapNode *node, int editable, unsigned shift)
{
    return editable && shift > 0 && Py_REFCNT(node) == 1;
}

static inline void
move_slots(PyObject **dst, PyObject **src, Py_ssize_t n, int steal)
{
    if (steal) {
        memcpy(dst, src, (size_t)n * sizeof(PyObject *));
    }
    else {
        copy_slots(dst, src, n);
    }
}

static inline void
node_emptied(MarchBitmapNode *node, Py_ssize_t size)
{
    node->datamap = 0;
    node->nodemap = 0;
    node->tags = 0;
    node->count = -size;
}

/* the tags word (see hamt.h) with position `bit` (a one-bit mask) set to
 * tag t, or cleared (t = 0) when an entry leaves that position */
static inline uint64_t
tags_with(uint64_t tags, uint32_t bit, unsigned t)
{
    unsigned sh = 2 * (unsigned)__builtin_ctz(bit);
    return (tags & ~((uint64_t)MARCH_HAMT_TAG_MASK << sh)) | ((uint64_t)t << sh);
}

/* A clone of `node` owned by `owner` whose slot `idx` holds `obj` (a
 * reference stolen) instead: the replaced object is not touched (at scale
 * it is often not in the cache).  Tracked when `node` is. */
static MarchBitmapNode *
bnode_clone_replace(MarchBitmapNode *node, uint64_t owner, Py_ssize_t idx,
                    PyObject *obj)
{
    Py_ssize_t size = BSIZE(node);
    MarchBitmapNode *n = bnode_alloc(size, owner);
    if (n == NULL) {
        return NULL;
    }
    n->datamap = node->datamap;
    n->nodemap = node->nodemap;
    n->tags = node->tags;
    n->count = node->count;
    copy_slots(n->slots, node->slots, idx);
    n->slots[idx] = obj;
    copy_slots(n->slots + idx + 1, node->slots + idx + 1, size - idx - 1);
    if (is_tracked(node)) {
        PyObject_GC_Track(n);
    }
    return n;
}

static MarchCollisionNode *
cnode_clone(MarchCollisionNode *node, uint64_t owner)
{
    MarchCollisionNode *n = cnode_alloc(Py_SIZE(node), node->hash, owner);
    if (n == NULL) {
        return NULL;
    }
    copy_slots(n->slots, node->slots, Py_SIZE(node));
    if (is_tracked(node)) {
        PyObject_GC_Track(n);
    }
    return n;
}

/* Objects released by in-place edits, decref'd at the very end. */
#define GARBAGE_CAP (2 * MARCH_HAMT_STACK + 4)
typedef struct {
    PyObject *items[GARBAGE_CAP];
    int n;
} Garbage;

static inline void
garbage_add(Garbage *g, PyObject *o)
{
    if (g->n < GARBAGE_CAP) {
        g->items[g->n++] = o;
    }
    else {
        Py_DECREF(o);   /* cannot happen: at most one per level + 1 */
    }
}

static void
garbage_flush(Garbage *g)
{
    int i, n = g->n;
    g->n = 0;
    for (i = 0; i < n; i++) {
        Py_DECREF(g->items[i]);
    }
}

/* The hash of a key already stored in the map (so hashable): an exact str's
 * cached hash is read directly. */
static inline int
stored_hash(PyObject *stored, uint64_t *h)
{
    return march_hamt_hash(stored, h);
}

/* The hash of a stored entry as the trie knows it: its bits below `bits`
 * are those of the path that leads to it, here the ones of `path` (the hash
 * of the key being inserted or looked up along that path); the others are
 * those of `h` (its current hash).  Equal to h unless the key's hash changed
 * since it was stored.  bits >= 64: all of path's. */
static inline uint64_t
known_hash(uint64_t h, uint64_t path, unsigned bits)
{
    uint64_t low = bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    return (h & ~low) | (path & low);
}

/* Compare a stored key with `key` (whose hash is `hash`).  1 equal, 0 not,
 * -1 error.  *h2 gets the stored key's hash (needed by assoc when the keys
 * differ). */
static inline int
key_match(PyObject *stored, PyObject *key, uint64_t hash, uint64_t *h2)
{
    if (stored == key) {
        *h2 = hash;
        return 1;
    }
    if (stored_hash(stored, h2) < 0) {
        return -1;
    }
    if (*h2 != hash) {
        return 0;
    }
    return PyObject_RichCompareBool(stored, key, Py_EQ);
}

/* ------------------------------------------------------------------ */
/* find                                                                */

/* the entry at p (key, value) against a key whose hash its stored key
 * shares: == decides (march_hamt_find_inline calls this directly when it
 * has compared the hashes itself) */
int
march_hamt_find_equal(PyObject **p, PyObject *key, PyObject **value)
{
    int r = PyObject_RichCompareBool(p[0], key, Py_EQ);
    if (r > 0) {
        *value = p[1];
    }
    return r;
}

/* the entry at p against a key that is not its stored key object (the slow
 * path of march_hamt_find_inline): key_match() for lookups.  The stored
 * key's hash is cheap for the common keys (an exact str's is cached, a
 * short exact int's is computed inline) and rejects most mismatches without
 * calling ==. */
int
march_hamt_find_entry(PyObject **p, PyObject *key, uint64_t hash,
                      PyObject **value)
{
    uint64_t h2;
    if (stored_hash(p[0], &h2) < 0) {
        return -1;
    }
    if (h2 != hash) {
        return 0;
    }
    return march_hamt_find_equal(p, key, value);
}

int
march_hamt_find_collision(PyObject *node, PyObject *key, uint64_t hash,
                          PyObject **value)
{
    MarchCollisionNode *c = (MarchCollisionNode *)node;
    Py_ssize_t i, n = Py_SIZE(c);
    if (c->hash != hash) {
        return 0;
    }
    for (i = 0; i < n; i += 2) {
        int r = PyObject_RichCompareBool(c->slots[i], key, Py_EQ);
        if (r < 0) {
            return -1;
        }
        if (r) {
            *value = c->slots[i + 1];
            return 1;
        }
    }
    return 0;
}

int
march_hamt_find(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                PyObject **value)
{
    return march_hamt_find_inline(root, key, hash, value);
}

/* ------------------------------------------------------------------ */
/* assoc                                                               */

/* A subtree at level `shift` holding A and the entry (k2, v2), whose hashes
 * h1 != h2 agree on all the bits below `shift`.  A is either the entry
 * (k1, v1) (anode == NULL) or the collision node `anode`. */
static MarchBitmapNode *
make_split(unsigned shift, PyObject *anode, PyObject *k1, PyObject *v1,
           uint64_t h1, PyObject *k2, PyObject *v2, uint64_t h2,
           uint64_t owner)
{
    uint32_t i1, i2;
    MarchBitmapNode *n;

    if (shift > 60) {
        /* unreachable (below); kept so that no input can build a trie past
         * its last level (or shift by 64 or more) in a release build */
        PyErr_SetString(PyExc_SystemError,
                        "march: split past the last level of the trie");
        return NULL;
    }
    /* h1 != h2 and they agree below `shift` (the callers see to it, also
     * for keys whose hash changed): they differ at this level or a later
     * one, the last (shift 60, 4 bits) at the latest */
    assert(h1 != h2);
    assert(((h1 ^ h2) & (((uint64_t)1 << shift) - 1)) == 0);
    i1 = (uint32_t)((h1 >> shift) & MARCH_HAMT_MASK);
    i2 = (uint32_t)((h2 >> shift) & MARCH_HAMT_MASK);
    if (i1 == i2) {
        MarchBitmapNode *sub = make_split(shift + MARCH_HAMT_BITS, anode,
                                          k1, v1, h1, k2, v2, h2, owner);
        if (sub == NULL) {
            return NULL;
        }
        n = bnode_alloc(1, owner);
        if (n == NULL) {
            Py_DECREF(sub);
            return NULL;
        }
        n->datamap = 0;
        n->nodemap = 1u << i1;
        n->count = sub->count;
        n->slots[0] = (PyObject *)sub;
        if (is_tracked(sub)) {
            PyObject_GC_Track(n);
        }
        return n;
    }
    if (anode == NULL) {
        n = bnode_alloc(4, owner);
        if (n == NULL) {
            return NULL;
        }
        n->datamap = (1u << i1) | (1u << i2);
        n->nodemap = 0;
        n->tags = tags_with(tags_with(0, 1u << i1, march_hamt_tag(h1, shift)),
                            1u << i2, march_hamt_tag(h2, shift));
        n->count = 2;
        if (i1 < i2) {
            n->slots[0] = k1; n->slots[1] = v1;
            n->slots[2] = k2; n->slots[3] = v2;
        }
        else {
            n->slots[0] = k2; n->slots[1] = v2;
            n->slots[2] = k1; n->slots[3] = v1;
        }
        incref_range(n->slots, 4);
        if (cyclic(k1) || cyclic(v1) || cyclic(k2) || cyclic(v2)) {
            PyObject_GC_Track(n);
        }
        return n;
    }
    n = bnode_alloc(3, owner);
    if (n == NULL) {
        return NULL;
    }
    n->datamap = 1u << i2;
    n->nodemap = 1u << i1;
    n->tags = tags_with(0, 1u << i2, march_hamt_tag(h2, shift));
    n->count = 1 + node_count(anode);
    n->slots[0] = k2;
    n->slots[1] = v2;
    n->slots[2] = anode;
    incref_range(n->slots, 3);
    if (is_tracked(anode) || cyclic(k2) || cyclic(v2)) {
        PyObject_GC_Track(n);
    }
    return n;
}

static PyObject *node_assoc(PyObject *node, unsigned shift, PyObject *key,
                            uint64_t hash, PyObject *value, uint64_t owner,
                            int *added, Garbage *g);

static PyObject *
cnode_assoc(MarchCollisionNode *c, unsigned shift, PyObject *key,
            uint64_t hash, PyObject *value, uint64_t owner, int *added,
            Garbage *g)
{
    Py_ssize_t i, n = Py_SIZE(c);
    MarchCollisionNode *nc;

    if (c->hash != hash) {
        /* a collision node lies on the path of its hash (it was placed by
         * that hash, and a key's later change of hash does not change it) */
        assert(known_hash(c->hash, hash, shift) == c->hash);
        *added = 1;
        return (PyObject *)make_split(shift, (PyObject *)c, NULL, NULL,
                                      c->hash, key, value, hash, owner);
    }
    for (i = 0; i < n; i += 2) {
        int r = PyObject_RichCompareBool(c->slots[i], key, Py_EQ);
        if (r < 0) {
            return NULL;
        }
        if (r) {
            PyObject *old = c->slots[i + 1];
            *added = 0;
            if (old == value) {
                Py_INCREF(c);
                return (PyObject *)c;
            }
            if (owner != 0 && c->owner == owner) {
                Py_INCREF(value);
                c->slots[i + 1] = value;
                garbage_add(g, old);
                if (cyclic(value)) {
                    track(c);
                }
                Py_INCREF(c);
                return (PyObject *)c;
            }
            nc = cnode_clone(c, owner);
            if (nc == NULL) {
                return NULL;
            }
            Py_INCREF(value);
            Py_SETREF(nc->slots[i + 1], value);   /* old stays alive in c */
            if (cyclic(value)) {
                track(nc);
            }
            return (PyObject *)nc;
        }
    }
    /* a new key with the same full hash: append */
    nc = cnode_alloc(n + 2, hash, owner);
    if (nc == NULL) {
        return NULL;
    }
    copy_slots(nc->slots, c->slots, n);
    Py_INCREF(key);
    Py_INCREF(value);
    nc->slots[n] = key;
    nc->slots[n + 1] = value;
    if (is_tracked(c) || cyclic(key) || cyclic(value)) {
        PyObject_GC_Track(nc);
    }
    *added = 1;
    return (PyObject *)nc;
}

static PyObject *
bnode_assoc(MarchBitmapNode *node, unsigned shift, PyObject *key,
            uint64_t hash, PyObject *value, uint64_t owner, int *added,
            Garbage *g)
{
    uint32_t bit = 1u << ((hash >> shift) & MARCH_HAMT_MASK);
    int editable = owner != 0 && node->owner == owner;
    Py_ssize_t size = BSIZE(node);
    Py_ssize_t ndslots = 2 * POPC(node->datamap);
    MarchBitmapNode *n;

    if (node->datamap & bit) {
        Py_ssize_t di = 2 * POPC(node->datamap & (bit - 1));
        PyObject *k2 = node->slots[di];
        PyObject *v2 = node->slots[di + 1];
        PyObject *sub;
        Py_ssize_t ci;
        uint64_t h2;
        int steal;
        int r = key_match(k2, key, hash, &h2);
        if (r < 0) {
            return NULL;
        }
        if (r) {
            *added = 0;
            if (v2 == value) {
                Py_INCREF(node);
                return (PyObject *)node;
            }
            if (editable) {
                Py_INCREF(value);
                node->slots[di + 1] = value;
                garbage_add(g, v2);
                if (cyclic(value)) {
                    track(node);
                }
                Py_INCREF(node);
                return (PyObject *)node;
            }
            Py_INCREF(value);
            n = bnode_clone_replace(node, owner, di + 1, value);
            if (n == NULL) {
                Py_DECREF(value);
                return NULL;
            }
            if (cyclic(value)) {
                track(n);
            }
            return (PyObject *)n;
        }
        /* another key in this slot: push both one level down.  The entry
         * sits on the path of `hash` (the bits below shift + 5), so those
         * are its bits as far as the trie is concerned; only the higher
         * ones come from its hash.  They differ from its own hash's only
         * for a key whose hash changed since it was stored (a user error
         * that dict survives): taking its current hash whole there would
         * ask make_split to separate two hashes that agree on every bit
         * from shift + 5 up, a chain past the last level.  With the path's
         * bits the two hashes either differ at a level make_split reaches
         * (<= 60) or are equal: a collision node, at the last level too. */
        h2 = known_hash(h2, hash, shift + MARCH_HAMT_BITS);
        if (h2 == hash) {
            MarchCollisionNode *c = cnode_alloc(4, hash, owner);
            if (c == NULL) {
                return NULL;
            }
            c->slots[0] = k2; c->slots[1] = v2;
            c->slots[2] = key; c->slots[3] = value;
            incref_range(c->slots, 4);
            if (cyclic(k2) || cyclic(v2) || cyclic(key) || cyclic(value)) {
                PyObject_GC_Track(c);
            }
            sub = (PyObject *)c;
        }
        else {
            sub = (PyObject *)make_split(shift + MARCH_HAMT_BITS, NULL, k2, v2,
                                         h2, key, value, hash, owner);
            if (sub == NULL) {
                return NULL;
            }
        }
        n = bnode_alloc(size - 1, owner);
        if (n == NULL) {
            Py_DECREF(sub);
            return NULL;
        }
        steal = can_steal(node, editable, shift);
        ci = POPC(node->nodemap & (bit - 1));
        n->datamap = node->datamap ^ bit;
        n->nodemap = node->nodemap | bit;
        n->tags = tags_with(node->tags, bit, 0);
        n->count = node->count + 1;
        move_slots(n->slots, node->slots, di, steal);
        move_slots(n->slots + di, node->slots + di + 2, ndslots - di - 2,
                   steal);
        move_slots(n->slots + ndslots - 2, node->slots + ndslots, ci, steal);
        n->slots[ndslots - 2 + ci] = sub;   /* steals */
        move_slots(n->slots + ndslots - 1 + ci, node->slots + ndslots + ci,
                   size - ndslots - ci, steal);
        if (is_tracked(node) || is_tracked(sub)) {
            PyObject_GC_Track(n);
        }
        if (steal) {
            /* k2 and v2 went into sub, which took its own references:
             * the node's cannot be the last ones */
            Py_DECREF(k2);
            Py_DECREF(v2);
            node_emptied(node, size);
        }
        *added = 1;
        return (PyObject *)n;
    }

    if (node->nodemap & bit) {
        Py_ssize_t ci = ndslots + POPC(node->nodemap & (bit - 1));
        PyObject *child = node->slots[ci];
        PyObject *sub = node_assoc(child, shift + MARCH_HAMT_BITS, key, hash,
                                   value, owner, added, g);
        if (sub == NULL) {
            return NULL;
        }
        if (sub == child) {
            /* unchanged, or edited in place (then node is editable too) */
            Py_DECREF(sub);
            if (*added) {
                assert(editable);
                node->count++;
            }
            if (editable && !is_tracked(node) && is_tracked(sub)) {
                PyObject_GC_Track(node);
            }
            Py_INCREF(node);
            return (PyObject *)node;
        }
        if (editable) {
            node->slots[ci] = sub;
            garbage_add(g, child);
            node->count += *added;
            if (is_tracked(sub)) {
                track(node);
            }
            Py_INCREF(node);
            return (PyObject *)node;
        }
        n = bnode_clone_replace(node, owner, ci, sub);
        if (n == NULL) {
            Py_DECREF(sub);
            return NULL;
        }
        n->count += *added;
        if (is_tracked(sub)) {
            track(n);
        }
        return (PyObject *)n;
    }

    /* empty slot: insert an entry */
    {
        Py_ssize_t di = 2 * POPC(node->datamap & (bit - 1));
        int steal;
        n = bnode_alloc(size + 2, owner);
        if (n == NULL) {
            return NULL;
        }
        steal = can_steal(node, editable, shift);
        n->datamap = node->datamap | bit;
        n->nodemap = node->nodemap;
        n->tags = tags_with(node->tags, bit, march_hamt_tag(hash, shift));
        n->count = node->count + 1;
        move_slots(n->slots, node->slots, di, steal);
        Py_INCREF(key);
        Py_INCREF(value);
        n->slots[di] = key;
        n->slots[di + 1] = value;
        move_slots(n->slots + di + 2, node->slots + di, size - di, steal);
        if (is_tracked(node) || cyclic(key) || cyclic(value)) {
            PyObject_GC_Track(n);
        }
        if (steal) {
            node_emptied(node, size);
        }
        *added = 1;
        return (PyObject *)n;
    }
}

static PyObject *
node_assoc(PyObject *node, unsigned shift, PyObject *key, uint64_t hash,
           PyObject *value, uint64_t owner, int *added, Garbage *g)
{
    if (MarchBitmapNode_Check(node)) {
        return bnode_assoc((MarchBitmapNode *)node, shift, key, hash, value,
                           owner, added, g);
    }
    return cnode_assoc((MarchCollisionNode *)node, shift, key, hash, value,
                       owner, added, g);
}

MarchBitmapNode *
march_hamt_assoc(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                 PyObject *value, uint64_t owner, int *added)
{
    Garbage g;
    PyObject *r;
    g.n = 0;
    *added = 0;
    r = bnode_assoc(root, 0, key, hash, value, owner, added, &g);
    if (r == NULL) {
        assert(g.n == 0);
        return NULL;
    }
    if (g.n) {
        /* the caller stores r before anything runs: keep r alive and
         * release the dropped objects now (the tree is consistent) */
        garbage_flush(&g);
    }
    return (MarchBitmapNode *)r;
}

/* ------------------------------------------------------------------ */
/* without                                                             */

enum { W_ERROR = -1, W_NOTFOUND = 0, W_NODE = 1, W_ENTRY = 2 };

typedef struct {
    PyObject *node;     /* W_NODE: the new subtree (new reference) */
    PyObject *key;      /* W_ENTRY: the one entry left (new references) */
    PyObject *value;
    unsigned tag;       /* W_ENTRY: its tag in the parent (one level up:
                         * march_hamt_tag at shift - 5), which is the index
                         * it had here, mod 4 */
} WResult;

static int node_without(PyObject *node, unsigned shift, PyObject *key,
                        uint64_t hash, uint64_t owner, int is_root,
                        WResult *res, Garbage *g);

static int
cnode_without(MarchCollisionNode *c, unsigned shift, PyObject *key,
              uint64_t hash, uint64_t owner, WResult *res)
{
    Py_ssize_t i, n = Py_SIZE(c);
    MarchCollisionNode *nc;
    if (c->hash != hash) {
        return W_NOTFOUND;
    }
    for (i = 0; i < n; i += 2) {
        int r = PyObject_RichCompareBool(c->slots[i], key, Py_EQ);
        if (r < 0) {
            return W_ERROR;
        }
        if (r) {
            break;
        }
    }
    if (i >= n) {
        return W_NOTFOUND;
    }
    if (n == 4) {
        Py_ssize_t o = i == 0 ? 2 : 0;
        res->key = c->slots[o];
        res->value = c->slots[o + 1];
        assert(shift >= MARCH_HAMT_BITS);   /* never the root */
        res->tag = march_hamt_tag(c->hash, shift - MARCH_HAMT_BITS);
        Py_INCREF(res->key);
        Py_INCREF(res->value);
        return W_ENTRY;
    }
    nc = cnode_alloc(n - 2, c->hash, owner);
    if (nc == NULL) {
        return W_ERROR;
    }
    copy_slots(nc->slots, c->slots, i);
    copy_slots(nc->slots + i, c->slots + i + 2, n - i - 2);
    if (is_tracked(c)) {
        PyObject_GC_Track(nc);
    }
    res->node = (PyObject *)nc;
    return W_NODE;
}

static int
bnode_without(MarchBitmapNode *node, unsigned shift, PyObject *key,
              uint64_t hash, uint64_t owner, int is_root, WResult *res,
              Garbage *g)
{
    uint32_t bit = 1u << ((hash >> shift) & MARCH_HAMT_MASK);
    int editable = owner != 0 && node->owner == owner;
    Py_ssize_t size = BSIZE(node);
    Py_ssize_t ndslots = 2 * POPC(node->datamap);
    MarchBitmapNode *n;

    if (node->datamap & bit) {
        Py_ssize_t di = 2 * POPC(node->datamap & (bit - 1));
        uint64_t h2;
        int r = key_match(node->slots[di], key, hash, &h2);
        if (r <= 0) {
            return r;   /* W_ERROR or W_NOTFOUND */
        }
        if (!is_root) {
            if (node->count == 2) {
                /* canonical: the other item is an entry */
                Py_ssize_t o = di == 0 ? 2 : 0;
                assert(node->nodemap == 0 && ndslots == 4);
                res->key = node->slots[o];
                res->value = node->slots[o + 1];
                res->tag = (unsigned)__builtin_ctz(node->datamap ^ bit)
                           & MARCH_HAMT_TAG_MASK;
                Py_INCREF(res->key);
                Py_INCREF(res->value);
                return W_ENTRY;
            }
            if (node->datamap == bit && POPC(node->nodemap) == 1
                    && MarchCollisionNode_Check(node->slots[2])) {
                /* rule 3: the lone collision node replaces this node */
                res->node = node->slots[2];
                Py_INCREF(res->node);
                return W_NODE;
            }
        }
        n = bnode_alloc(size - 2, owner);
        if (n == NULL) {
            return W_ERROR;
        }
        n->datamap = node->datamap ^ bit;
        n->nodemap = node->nodemap;
        n->tags = tags_with(node->tags, bit, 0);
        n->count = node->count - 1;
        copy_slots(n->slots, node->slots, di);
        copy_slots(n->slots + di, node->slots + di + 2, size - di - 2);
        if (is_tracked(node)) {
            PyObject_GC_Track(n);
        }
        res->node = (PyObject *)n;
        return W_NODE;
    }

    if (node->nodemap & bit) {
        Py_ssize_t cpos = POPC(node->nodemap & (bit - 1));
        Py_ssize_t ci = ndslots + cpos;
        PyObject *child = node->slots[ci];
        WResult sub;
        int r = node_without(child, shift + MARCH_HAMT_BITS, key, hash, owner,
                             0, &sub, g);
        if (r <= 0) {
            return r;
        }
        if (r == W_ENTRY) {
            Py_ssize_t di;
            if (!is_root && node->count == 2) {
                /* this node held only that child: collapse further */
                *res = sub;     /* the entry left shares this slot's path */
                assert(shift >= MARCH_HAMT_BITS);
                res->tag = march_hamt_tag(hash, shift - MARCH_HAMT_BITS);
                return W_ENTRY;
            }
            /* inline the entry: one child slot out, two entry slots in */
            n = bnode_alloc(size + 1, owner);
            if (n == NULL) {
                Py_DECREF(sub.key);
                Py_DECREF(sub.value);
                return W_ERROR;
            }
            di = 2 * POPC(node->datamap & (bit - 1));
            n->datamap = node->datamap | bit;
            n->nodemap = node->nodemap ^ bit;
            n->tags = tags_with(node->tags, bit, sub.tag);
            n->count = node->count - 1;
            copy_slots(n->slots, node->slots, di);
            n->slots[di] = sub.key;         /* steal */
            n->slots[di + 1] = sub.value;
            copy_slots(n->slots + di + 2, node->slots + di, ndslots - di);
            copy_slots(n->slots + ndslots + 2, node->slots + ndslots, cpos);
            copy_slots(n->slots + ndslots + 2 + cpos, node->slots + ci + 1,
                       size - ci - 1);
            if (is_tracked(node)) {
                PyObject_GC_Track(n);
            }
            res->node = (PyObject *)n;
            return W_NODE;
        }
        /* W_NODE */
        if (!is_root && node->datamap == 0 && POPC(node->nodemap) == 1
                && MarchCollisionNode_Check(sub.node)) {
            *res = sub;     /* rule 3: hoist the collision node */
            return W_NODE;
        }
        if (sub.node == child) {
            /* edited in place: node is editable too */
            assert(editable);
            Py_DECREF(sub.node);
            node->count--;
            Py_INCREF(node);
            res->node = (PyObject *)node;
            return W_NODE;
        }
        if (editable) {
            node->slots[ci] = sub.node;
            garbage_add(g, child);
            node->count--;
            if (is_tracked(sub.node)) {
                track(node);
            }
            Py_INCREF(node);
            res->node = (PyObject *)node;
            return W_NODE;
        }
        n = bnode_clone_replace(node, owner, ci, sub.node);
        if (n == NULL) {
            Py_DECREF(sub.node);
            return W_ERROR;
        }
        n->count--;
        if (is_tracked(sub.node)) {
            track(n);
        }
        res->node = (PyObject *)n;
        return W_NODE;
    }
    return W_NOTFOUND;
}

static int
node_without(PyObject *node, unsigned shift, PyObject *key, uint64_t hash,
             uint64_t owner, int is_root, WResult *res, Garbage *g)
{
    if (MarchBitmapNode_Check(node)) {
        return bnode_without((MarchBitmapNode *)node, shift, key, hash, owner,
                             is_root, res, g);
    }
    return cnode_without((MarchCollisionNode *)node, shift, key, hash, owner,
                         res);
}

MarchBitmapNode *
march_hamt_without(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                   uint64_t owner, int *found)
{
    Garbage g;
    WResult res;
    int r;
    g.n = 0;
    *found = 0;
    r = bnode_without(root, 0, key, hash, owner, 1, &res, &g);
    if (r == W_ERROR) {
        assert(g.n == 0);
        return NULL;
    }
    if (r == W_NOTFOUND) {
        Py_INCREF(root);
        return root;
    }
    assert(r == W_NODE);
    *found = 1;
    if (g.n) {
        garbage_flush(&g);
    }
    if (((MarchBitmapNode *)res.node)->count == 0
            && res.node != (PyObject *)empty_root) {
        Py_DECREF(res.node);
        return march_hamt_empty();
    }
    return (MarchBitmapNode *)res.node;
}

/* ------------------------------------------------------------------ */
/* iteration                                                           */

void
march_hamt_iter_init(MarchHamtIter *it, MarchBitmapNode *root)
{
    it->node[0] = (PyObject *)root;
    it->pos[0] = 0;
    it->top = 0;
}

/* ------------------------------------------------------------------ */
/* equality                                                            */

static int
cnode_equal(MarchCollisionNode *a, MarchCollisionNode *b)
{
    Py_ssize_t i, j, n = Py_SIZE(a);
    if (a->hash != b->hash || n != Py_SIZE(b)) {
        return 0;
    }
    for (i = 0; i < n; i += 2) {
        int r = 0;
        for (j = 0; j < n; j += 2) {
            r = PyObject_RichCompareBool(a->slots[i], b->slots[j], Py_EQ);
            if (r < 0) {
                return -1;
            }
            if (r) {
                break;
            }
        }
        if (!r) {
            return 0;
        }
        r = PyObject_RichCompareBool(a->slots[i + 1], b->slots[j + 1], Py_EQ);
        if (r <= 0) {
            return r;
        }
    }
    return 1;
}

static int
node_equal(PyObject *a, PyObject *b)
{
    MarchBitmapNode *x, *y;
    Py_ssize_t i, ndslots, size;
    if (a == b) {
        return 1;
    }
    if (Py_TYPE(a) != Py_TYPE(b)) {
        return 0;
    }
    if (MarchCollisionNode_Check(a)) {
        return cnode_equal((MarchCollisionNode *)a, (MarchCollisionNode *)b);
    }
    x = (MarchBitmapNode *)a;
    y = (MarchBitmapNode *)b;
    if (x->datamap != y->datamap || x->nodemap != y->nodemap
            || x->count != y->count) {
        return 0;
    }
    ndslots = 2 * POPC(x->datamap);
    size = BSIZE(x);
    for (i = 0; i < ndslots; i += 2) {
        PyObject *k1 = x->slots[i], *k2 = y->slots[i];
        int r;
        if (k1 != k2) {
            uint64_t h1, h2;
            if (march_hamt_hash(k1, &h1) < 0) {
                return -1;
            }
            r = key_match(k2, k1, h1, &h2);
            if (r <= 0) {
                return r;
            }
        }
        r = PyObject_RichCompareBool(x->slots[i + 1], y->slots[i + 1], Py_EQ);
        if (r <= 0) {
            return r;
        }
    }
    for (i = ndslots; i < size; i++) {
        int r = node_equal(x->slots[i], y->slots[i]);
        if (r <= 0) {
            return r;
        }
    }
    return 1;
}

int
march_hamt_equal(MarchBitmapNode *a, MarchBitmapNode *b)
{
    if (a->count != b->count) {
        return 0;
    }
    return node_equal((PyObject *)a, (PyObject *)b);
}

/* ------------------------------------------------------------------ */
/* hash(m): see the design spec; must agree bit for bit with the twin   */

Py_hash_t
march_hamt_hash_entries(MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *k, *v;
    uint64_t h = 0;
    Py_hash_t result;
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &k, &v)) {
        Py_hash_t hk = PyObject_Hash(k), hv;
        uint64_t e;
        if (hk == -1 && PyErr_Occurred()) {
            return -1;
        }
        hv = PyObject_Hash(v);
        if (hv == -1 && PyErr_Occurred()) {
            return -1;
        }
        e = (uint64_t)hk + 0x9E3779B97F4A7C15ULL * (uint64_t)hv;
        h ^= ((e ^ 89869747ULL) ^ (e << 16)) * 3644798167ULL;
    }
    h ^= ((uint64_t)root->count + 1) * 1927868237ULL;
    h ^= (h >> 11) ^ (h >> 25);
    h = h * 69069ULL + 907133923ULL;
    result = (Py_hash_t)h;
    if (result == -1) {
        result = 590923713;
    }
    return result;
}

/* ------------------------------------------------------------------ */
/* invariant checker, depth, statistics                                */

static int
check_fail(const char *msg, PyObject *node)
{
    PyErr_Format(PyExc_AssertionError, "march.Map invariant violated: %s "
                 "(node %p)", msg, (void *)node);
    return -1;
}

static int
check_key_path(PyObject *key, uint64_t prefix, unsigned shift, uint64_t *h)
{
    uint64_t mask = shift >= 64 ? ~0ULL : ((1ULL << shift) - 1);
    if (march_hamt_hash(key, h) < 0) {
        return -1;
    }
    if ((*h & mask) != (prefix & mask)) {
        return check_fail("a key is not on its hash path", key);
    }
    return 0;
}

/* Returns the number of entries of the subtree or -1.  `prefix` holds the
 * hash bits below `shift` that lead to this node. */
static Py_ssize_t
check_node(PyObject *node, unsigned shift, uint64_t prefix, int is_root,
           int levels)
{
    Py_ssize_t i, total = 0;
    int needs_track = 0;
    if (MarchCollisionNode_Check(node)) {
        MarchCollisionNode *c = (MarchCollisionNode *)node;
        Py_ssize_t n = Py_SIZE(c);
        if (is_root) {
            return check_fail("the root is a collision node", node);
        }
        if (n < 4 || n % 2) {
            return check_fail("a collision node with fewer than 2 entries",
                              node);
        }
        for (i = 0; i < n; i += 2) {
            uint64_t h;
            Py_ssize_t j;
            if (check_key_path(c->slots[i], prefix, shift, &h) < 0) {
                return -1;
            }
            if (h != c->hash) {
                return check_fail("collision node key with another hash", node);
            }
            for (j = 0; j < i; j += 2) {
                int r = PyObject_RichCompareBool(c->slots[i], c->slots[j],
                                                 Py_EQ);
                if (r < 0) {
                    return -1;
                }
                if (r) {
                    return check_fail("duplicate key in a collision node",
                                      node);
                }
            }
            if (cyclic(c->slots[i]) || cyclic(c->slots[i + 1])) {
                needs_track = 1;
            }
        }
        if (needs_track && !is_tracked(c)) {
            return check_fail("collision node holds a non-atomic object but "
                              "is not GC-tracked", node);
        }
        return n / 2;
    }
    if (!MarchBitmapNode_Check(node)) {
        return check_fail("a child is not a node", node);
    }
    {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        Py_ssize_t ndslots = 2 * POPC(b->datamap);
        uint32_t bit;
        uint64_t tags = 0;
        Py_ssize_t di = 0, ci = ndslots;
        if (levels > MARCH_HAMT_MAX_LEVELS || shift > 60) {
            return check_fail("trie deeper than 13 levels", node);
        }
        if (b->datamap & b->nodemap) {
            return check_fail("datamap and nodemap overlap", node);
        }
        if (shift == 60 && ((b->datamap | b->nodemap) >> 16)) {
            return check_fail("level 12 uses more than 4 bits", node);
        }
        for (bit = 1; bit; bit <<= 1) {
            uint64_t idx = (uint64_t)__builtin_ctz(bit);
            uint64_t sub_prefix = prefix | (idx << shift);
            if (b->datamap & bit) {
                uint64_t h;
                PyObject *k = b->slots[di], *v = b->slots[di + 1];
                if (k == NULL || v == NULL) {
                    return check_fail("NULL slot", node);
                }
                if (check_key_path(k, sub_prefix, shift + 5, &h) < 0) {
                    return -1;
                }
                tags = tags_with(tags, bit, march_hamt_tag(h, shift));
                if (cyclic(k) || cyclic(v)) {
                    needs_track = 1;
                }
                total += 1;
                di += 2;
            }
            else if (b->nodemap & bit) {
                PyObject *child = b->slots[ci];
                Py_ssize_t sub;
                if (child == NULL) {
                    return check_fail("NULL child", node);
                }
                sub = check_node(child, shift + 5, sub_prefix, 0, levels + 1);
                if (sub < 0) {
                    return -1;
                }
                if (is_tracked(child)) {
                    needs_track = 1;
                }
                total += sub;
                ci++;
            }
        }
        if (total != b->count) {
            return check_fail("count does not match the entries", node);
        }
        if (tags != b->tags) {
            return check_fail("lookup tags do not match the entries' hashes "
                              "(or are set where there is no entry)", node);
        }
        if (!is_root) {
            if (total < 2) {
                return check_fail("non-root node with fewer than 2 entries",
                                  node);
            }
            if (b->datamap == 0 && POPC(b->nodemap) == 1
                    && MarchCollisionNode_Check(b->slots[0])) {
                return check_fail("non-root node holding only a collision "
                                  "node", node);
            }
        }
        if (needs_track && !is_tracked(b)) {
            return check_fail("node holds a non-atomic object or a tracked "
                              "child but is not GC-tracked", node);
        }
        return total;
    }
}

int
march_hamt_check(MarchBitmapNode *root)
{
    if (check_node((PyObject *)root, 0, 0, 1, 1) < 0) {
        return -1;
    }
    return 0;
}

static int
node_depth(PyObject *node)
{
    int best = 0;
    if (MarchBitmapNode_Check(node)) {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        Py_ssize_t i;
        for (i = 2 * POPC(b->datamap); i < BSIZE(b); i++) {
            int d = node_depth(b->slots[i]);
            if (d > best) {
                best = d;
            }
        }
    }
    return best + 1;
}

int
march_hamt_depth(MarchBitmapNode *root)
{
    if (root->count == 0) {
        return 0;
    }
    return node_depth((PyObject *)root);
}

static void
node_stats(PyObject *node, int depth, MarchHamtStats *st)
{
    if (MarchBitmapNode_Check(node)) {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        Py_ssize_t i, nd = POPC(b->datamap);
        st->bitmap_nodes++;
        st->bitmap_slots += BSIZE(b);
        st->bitmap_branches += nd + POPC(b->nodemap);
        st->entry_depth_sum += nd * depth;
        st->bytes += (Py_ssize_t)(2 * sizeof(void *)
                     + offsetof(MarchBitmapNode, slots)
                     + (size_t)BSIZE(b) * sizeof(PyObject *));
        for (i = 2 * nd; i < BSIZE(b); i++) {
            node_stats(b->slots[i], depth + 1, st);
        }
    }
    else {
        st->collision_nodes++;
        st->entry_depth_sum += (Py_SIZE(node) / 2) * depth;
        st->bytes += (Py_ssize_t)(2 * sizeof(void *)
                     + offsetof(MarchCollisionNode, slots)
                     + (size_t)Py_SIZE(node) * sizeof(PyObject *));
    }
}

void
march_hamt_stats(MarchBitmapNode *root, MarchHamtStats *st)
{
    memset(st, 0, sizeof(*st));
    node_stats((PyObject *)root, 1, st);
}
