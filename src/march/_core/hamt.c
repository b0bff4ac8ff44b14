/*
 * hamt.c -- the algorithms of march.Map and march.Set on one trie: a
 * persistent hash array mapped trie (HAMT) in the CHAMP layout.  find,
 * assoc, without, equality, the hash of the entries, iteration.  The node
 * types (layout, allocation, free lists, GC policy) are in hamt_node.c; the
 * walks over two tries (diff, the set algebra) in hamt_walk.c; the checker
 * in hamt_check.c; the Python types in map_object.c and set_object.c.
 *
 * May include: hamt.h (hamt_node.h, common.h).
 *
 * Hashing
 * -------
 * h = hash(key) taken as an unsigned 64-bit integer, with no extra mixing
 * (march_hamt_mix() is the identity unless built with -DMARCH_HASH_MIX=1, a
 * switch that only exists for the hashing study: bench/hash_study.py, results
 * in bench/notes-hamt.md, section 1, the decision in docs/design.md, section
 * 2).  The trie consumes 5 bits per level from the low end: the index at
 * level L is (h >> 5L) & 31 for L = 0..12, level 12 using the 4 top bits.
 * So a path has at most 13 bitmap nodes; keys whose full 64-bit hashes are
 * equal end in a collision node.  (The node kinds are described in hamt_node.c.)
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
 * march_hamt_check() (hamt_check.c) verifies all of this (plus counts,
 * bitmaps, tags, each key's hash path and the GC rule of hamt_node.c) and is
 * exposed as _check() of Map, MapMutation, Set and SetEvolver.
 *
 * Keys whose hash changes after they were stored (a user error that dict
 * survives): the trie places a key by the hash it had then and never stores
 * it, so a stored key's hash is recomputed when a new key meets it in its
 * slot.  Its bits below that level are then taken from the path (they are
 * the ones that put it there) and only the higher ones from its current
 * hash (hamt_known_hash): two such hashes either part at a level the trie has,
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
 * filled in directly (hamt_node_bitmap_clone_replace), without touching the
 * replaced object.
 * Invariant: a node owned by a live mutation is only reachable through nodes
 * owned by the same mutation, so when a child was edited in place its parent
 * is editable too, and no allocation (hence no failure) happens after the
 * first in-place write.  Objects dropped by in-place edits are collected in a
 * small "garbage" list and released only once the whole tree is consistent
 * again, so a __del__ triggered by the release sees a sane structure.
 *
 */
#include "hamt.h"
#include <stddef.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

/* track a node that may not be tracked yet */
static inline void
hamt_node_track(void *o)
{
    if (!march_hamt_node_tracked((PyObject *)o)) {
        march_hamt_node_track(o);
    }
}

static inline void
hamt_slots_incref(PyObject **p, Py_ssize_t n)
{
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        Py_INCREF(p[i]);
    }
}

/* copy n slots with new references (one pass: no memcpy call for the few
 * dozen pointers of a node) */
static inline void
hamt_slots_copy(PyObject **dst, PyObject **src, Py_ssize_t n)
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
 * over (hamt_slots_move), and the old one is left empty
 * (hamt_node_bitmap_emptied) before its parent drops it.  Its slot count is
 * kept as -count so that the node still goes back to the right free list
 * (hamt_node_bitmap_dealloc, hamt_node.c). */
static inline int
hamt_node_bitmap_can_steal(MarchBitmapNode *node, int editable,
                           unsigned shift)
{
    return editable && shift > 0 && Py_REFCNT(node) == 1;
}

static inline void
hamt_slots_move(PyObject **dst, PyObject **src, Py_ssize_t n, int steal)
{
    if (steal) {
        memcpy(dst, src, (size_t)n * sizeof(PyObject *));
    }
    else {
        hamt_slots_copy(dst, src, n);
    }
}

static inline void
hamt_node_bitmap_emptied(MarchBitmapNode *node, Py_ssize_t size)
{
    node->datamap = 0;
    node->nodemap = 0;
    node->tags = 0;
    node->count = -size;
}

/* A clone of `node` owned by `owner` whose slot `idx` holds `obj` (a
 * reference stolen) instead: the replaced object is not touched (at scale
 * it is often not in the cache).  Tracked when `node` is. */
static MarchBitmapNode *
hamt_node_bitmap_clone_replace(MarchBitmapNode *node, uint64_t owner,
                               Py_ssize_t idx, PyObject *obj)
{
    Py_ssize_t size = march_hamt_node_bitmap_size(node);
    MarchBitmapNode *n = march_hamt_node_bitmap_new(size, owner);
    if (n == NULL) {
        return NULL;
    }
    n->datamap = node->datamap;
    n->nodemap = node->nodemap;
    n->tags = node->tags;
    n->count = node->count;
    hamt_slots_copy(n->slots, node->slots, idx);
    n->slots[idx] = obj;
    hamt_slots_copy(n->slots + idx + 1, node->slots + idx + 1,
                    size - idx - 1);
    if (march_hamt_node_tracked((PyObject *)node)) {
        march_hamt_node_track(n);
    }
    return n;
}

static MarchCollisionNode *
hamt_node_collision_clone(MarchCollisionNode *node, uint64_t owner)
{
    MarchCollisionNode *n = march_hamt_node_collision_new(Py_SIZE(node),
                                                          node->hash, owner);
    if (n == NULL) {
        return NULL;
    }
    hamt_slots_copy(n->slots, node->slots, Py_SIZE(node));
    if (march_hamt_node_tracked((PyObject *)node)) {
        march_hamt_node_track(n);
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
hamt_garbage_add(Garbage *g, PyObject *o)
{
    if (g->n < GARBAGE_CAP) {
        g->items[g->n++] = o;
    }
    else {
        Py_DECREF(o);   /* cannot happen: at most one per level + 1 */
    }
}

static void
hamt_garbage_flush(Garbage *g)
{
    int i, n = g->n;
    g->n = 0;
    for (i = 0; i < n; i++) {
        Py_DECREF(g->items[i]);
    }
}

/* `node` with slot `idx` holding `obj` (a reference stolen) and `delta`
 * entries more in its subtree: edited in place when the mutation owns it
 * (`editable`; the replaced object goes to the garbage), else a clone.
 * `needs_track`: obj requires the node to be GC-tracked.  A new reference,
 * NULL on error (obj released). */
static inline PyObject *
hamt_node_bitmap_replace_slot(MarchBitmapNode *node, int editable,
                              uint64_t owner, Py_ssize_t idx, PyObject *obj,
                              Py_ssize_t delta, int needs_track, Garbage *g)
{
    MarchBitmapNode *n;
    if (editable) {
        PyObject *old = node->slots[idx];
        node->slots[idx] = obj;
        hamt_garbage_add(g, old);
        node->count += delta;
        if (needs_track) {
            hamt_node_track(node);
        }
        Py_INCREF(node);
        return (PyObject *)node;
    }
    n = hamt_node_bitmap_clone_replace(node, owner, idx, obj);
    if (n == NULL) {
        Py_DECREF(obj);
        return NULL;
    }
    n->count += delta;
    if (needs_track) {
        hamt_node_track(n);
    }
    return (PyObject *)n;
}

/* The hash of a stored entry as the trie knows it: its bits below `bits`
 * are those of the path that leads to it, here the ones of `path` (the hash
 * of the key being inserted or looked up along that path); the others are
 * those of `h` (its current hash).  Equal to h unless the key's hash changed
 * since it was stored.  bits >= 64: all of path's. */
static inline uint64_t
hamt_known_hash(uint64_t h, uint64_t path, unsigned bits)
{
    uint64_t low = bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    return (h & ~low) | (path & low);
}

/* The slot of the key equal to `key` in a collision node (the caller has
 * compared the hashes): 1 with *index set, 0 absent, -1 error. */
static inline int
hamt_node_collision_find_index(MarchCollisionNode *c, PyObject *key,
                               Py_ssize_t *index)
{
    Py_ssize_t i, n = Py_SIZE(c);
    for (i = 0; i < n; i += 2) {
        int r = PyObject_RichCompareBool(c->slots[i], key, Py_EQ);
        if (r != 0) {
            *index = i;
            return r;
        }
    }
    return 0;
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
 * path of march_hamt_find_inline): march_hamt_key_match() for lookups.
 * The stored key's hash is cheap for the common keys (an exact str's is
 * cached, a short exact int's is computed inline) and rejects most
 * mismatches without calling ==. */
int
march_hamt_find_entry(PyObject **p, PyObject *key, uint64_t hash,
                      PyObject **value)
{
    uint64_t h2;
    if (march_hamt_hash(p[0], &h2) < 0) {
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
    Py_ssize_t i;
    int r;
    if (c->hash != hash) {
        return 0;
    }
    r = hamt_node_collision_find_index(c, key, &i);
    if (r > 0) {
        *value = c->slots[i + 1];
    }
    return r;
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
hamt_node_split(unsigned shift, PyObject *anode, PyObject *k1, PyObject *v1,
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
        MarchBitmapNode *sub = hamt_node_split(shift + MARCH_HAMT_BITS,
                                               anode, k1, v1, h1, k2, v2, h2,
                                               owner);
        if (sub == NULL) {
            return NULL;
        }
        n = march_hamt_node_bitmap_new(1, owner);
        if (n == NULL) {
            Py_DECREF(sub);
            return NULL;
        }
        n->datamap = 0;
        n->nodemap = 1u << i1;
        n->count = sub->count;
        n->slots[0] = (PyObject *)sub;
        if (march_hamt_node_tracked((PyObject *)sub)) {
            march_hamt_node_track(n);
        }
        return n;
    }
    if (anode == NULL) {
        n = march_hamt_node_bitmap_new(4, owner);
        if (n == NULL) {
            return NULL;
        }
        n->datamap = (1u << i1) | (1u << i2);
        n->nodemap = 0;
        n->tags = march_hamt_tags_with(
            march_hamt_tags_with(0, 1u << i1, march_hamt_tag(h1, shift)),
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
        hamt_slots_incref(n->slots, 4);
        if (!march_is_atomic(k1) || !march_is_atomic(v1)
                || !march_is_atomic(k2) || !march_is_atomic(v2)) {
            march_hamt_node_track(n);
        }
        return n;
    }
    n = march_hamt_node_bitmap_new(3, owner);
    if (n == NULL) {
        return NULL;
    }
    n->datamap = 1u << i2;
    n->nodemap = 1u << i1;
    n->tags = march_hamt_tags_with(0, 1u << i2, march_hamt_tag(h2, shift));
    n->count = 1 + march_hamt_node_count(anode);
    n->slots[0] = k2;
    n->slots[1] = v2;
    n->slots[2] = anode;
    hamt_slots_incref(n->slots, 3);
    if (march_hamt_node_tracked(anode) || !march_is_atomic(k2)
            || !march_is_atomic(v2)) {
        march_hamt_node_track(n);
    }
    return n;
}

static PyObject *hamt_node_assoc(PyObject *node, unsigned shift,
                                 PyObject *key, uint64_t hash,
                                 PyObject *value, uint64_t owner, int *added,
                                 Garbage *g);

static PyObject *
hamt_node_collision_assoc(MarchCollisionNode *c, unsigned shift,
                          PyObject *key, uint64_t hash, PyObject *value,
                          uint64_t owner, int *added, Garbage *g)
{
    Py_ssize_t i, n = Py_SIZE(c);
    MarchCollisionNode *nc;
    int r;

    if (c->hash != hash) {
        /* a collision node lies on the path of its hash (it was placed by
         * that hash, and a key's later change of hash does not change it) */
        assert(hamt_known_hash(c->hash, hash, shift) == c->hash);
        *added = 1;
        return (PyObject *)hamt_node_split(shift, (PyObject *)c, NULL, NULL,
                                           c->hash, key, value, hash, owner);
    }
    r = hamt_node_collision_find_index(c, key, &i);
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
        if (owner != 0 && march_hamt_node_owner(c) == owner) {
            Py_INCREF(value);
            c->slots[i + 1] = value;
            hamt_garbage_add(g, old);
            if (!march_is_atomic(value)) {
                hamt_node_track(c);
            }
            Py_INCREF(c);
            return (PyObject *)c;
        }
        nc = hamt_node_collision_clone(c, owner);
        if (nc == NULL) {
            return NULL;
        }
        Py_INCREF(value);
        Py_SETREF(nc->slots[i + 1], value);   /* old stays alive in c */
        if (!march_is_atomic(value)) {
            hamt_node_track(nc);
        }
        return (PyObject *)nc;
    }
    /* a new key with the same full hash: append */
    nc = march_hamt_node_collision_new(n + 2, hash, owner);
    if (nc == NULL) {
        return NULL;
    }
    hamt_slots_copy(nc->slots, c->slots, n);
    Py_INCREF(key);
    Py_INCREF(value);
    nc->slots[n] = key;
    nc->slots[n + 1] = value;
    if (march_hamt_node_tracked((PyObject *)c) || !march_is_atomic(key)
            || !march_is_atomic(value)) {
        march_hamt_node_track(nc);
    }
    *added = 1;
    return (PyObject *)nc;
}

static PyObject *
hamt_node_bitmap_assoc(MarchBitmapNode *node, unsigned shift, PyObject *key,
                       uint64_t hash, PyObject *value, uint64_t owner,
                       int *added, Garbage *g)
{
    uint32_t bit = march_hamt_bit(hash, shift);
    int editable = owner != 0
        && (node->owner & ~MARCH_HAMT_NODE_TRACKED) == owner;
    Py_ssize_t size = march_hamt_node_bitmap_size(node);
    Py_ssize_t ndslots = 2 * march_popcount32(node->datamap);
    MarchBitmapNode *n;

    if (node->datamap & bit) {
        Py_ssize_t di = march_hamt_node_bitmap_entry_slot(node, bit - 1);
        PyObject *k2 = node->slots[di];
        PyObject *v2 = node->slots[di + 1];
        PyObject *sub;
        Py_ssize_t ci;
        uint64_t h2;
        int steal;
        int r = march_hamt_key_match(k2, key, hash, &h2);
        if (r < 0) {
            return NULL;
        }
        if (r) {
            *added = 0;
            if (v2 == value) {
                Py_INCREF(node);
                return (PyObject *)node;
            }
            Py_INCREF(value);
            return hamt_node_bitmap_replace_slot(node, editable, owner, di + 1,
                                                 value, 0,
                                                 !march_is_atomic(value), g);
        }
        /* another key in this slot: push both one level down.  The entry
         * sits on the path of `hash` (the bits below shift + 5), so those
         * are its bits as far as the trie is concerned; only the higher
         * ones come from its hash.  They differ from its own hash's only
         * for a key whose hash changed since it was stored (a user error
         * that dict survives): taking its current hash whole there would
         * ask hamt_node_split to separate two hashes that agree on every
         * bit from shift + 5 up, a chain past the last level.  With the
         * path's bits the two hashes either differ at a level
         * hamt_node_split reaches (<= 60) or are equal: a collision node, at
         * the last level too. */
        h2 = hamt_known_hash(h2, hash, shift + MARCH_HAMT_BITS);
        if (h2 == hash) {
            MarchCollisionNode *c = march_hamt_node_collision_new(4, hash,
                                                                  owner);
            if (c == NULL) {
                return NULL;
            }
            c->slots[0] = k2; c->slots[1] = v2;
            c->slots[2] = key; c->slots[3] = value;
            hamt_slots_incref(c->slots, 4);
            if (!march_is_atomic(k2) || !march_is_atomic(v2)
                    || !march_is_atomic(key) || !march_is_atomic(value)) {
                march_hamt_node_track(c);
            }
            sub = (PyObject *)c;
        }
        else {
            sub = (PyObject *)hamt_node_split(shift + MARCH_HAMT_BITS, NULL,
                                              k2, v2, h2, key, value, hash,
                                              owner);
            if (sub == NULL) {
                return NULL;
            }
        }
        n = march_hamt_node_bitmap_new(size - 1, owner);
        if (n == NULL) {
            Py_DECREF(sub);
            return NULL;
        }
        steal = hamt_node_bitmap_can_steal(node, editable, shift);
        ci = march_popcount32(node->nodemap & (bit - 1));
        n->datamap = node->datamap ^ bit;
        n->nodemap = node->nodemap | bit;
        n->tags = march_hamt_tags_with(node->tags, bit, 0);
        n->count = node->count + 1;
        hamt_slots_move(n->slots, node->slots, di, steal);
        hamt_slots_move(n->slots + di, node->slots + di + 2, ndslots - di - 2,
                        steal);
        hamt_slots_move(n->slots + ndslots - 2, node->slots + ndslots, ci,
                        steal);
        n->slots[ndslots - 2 + ci] = sub;   /* steals */
        hamt_slots_move(n->slots + ndslots - 1 + ci,
                        node->slots + ndslots + ci, size - ndslots - ci,
                        steal);
        if (march_hamt_node_tracked((PyObject *)node)
                || march_hamt_node_tracked(sub)) {
            march_hamt_node_track(n);
        }
        if (steal) {
            /* k2 and v2 went into sub, which took its own references:
             * the node's cannot be the last ones */
            Py_DECREF(k2);
            Py_DECREF(v2);
            hamt_node_bitmap_emptied(node, size);
        }
        *added = 1;
        return (PyObject *)n;
    }

    if (node->nodemap & bit) {
        Py_ssize_t ci = ndslots + march_popcount32(node->nodemap & (bit - 1));
        PyObject *child = node->slots[ci];
        PyObject *sub = hamt_node_assoc(child, shift + MARCH_HAMT_BITS, key,
                                        hash, value, owner, added, g);
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
            if (editable && !march_hamt_node_tracked((PyObject *)node)
                    && march_hamt_node_tracked(sub)) {
                march_hamt_node_track(node);
            }
            Py_INCREF(node);
            return (PyObject *)node;
        }
        return hamt_node_bitmap_replace_slot(node, editable, owner, ci, sub,
                                             *added, march_hamt_node_tracked(sub),
                                             g);
    }

    /* empty slot: insert an entry */
    {
        Py_ssize_t di = march_hamt_node_bitmap_entry_slot(node, bit - 1);
        int steal;
        n = march_hamt_node_bitmap_new(size + 2, owner);
        if (n == NULL) {
            return NULL;
        }
        steal = hamt_node_bitmap_can_steal(node, editable, shift);
        n->datamap = node->datamap | bit;
        n->nodemap = node->nodemap;
        n->tags = march_hamt_tags_with(node->tags, bit,
                                       march_hamt_tag(hash, shift));
        n->count = node->count + 1;
        hamt_slots_move(n->slots, node->slots, di, steal);
        Py_INCREF(key);
        Py_INCREF(value);
        n->slots[di] = key;
        n->slots[di + 1] = value;
        hamt_slots_move(n->slots + di + 2, node->slots + di, size - di,
                        steal);
        if (march_hamt_node_tracked((PyObject *)node) || !march_is_atomic(key)
                || !march_is_atomic(value)) {
            march_hamt_node_track(n);
        }
        if (steal) {
            hamt_node_bitmap_emptied(node, size);
        }
        *added = 1;
        return (PyObject *)n;
    }
}

static PyObject *
hamt_node_assoc(PyObject *node, unsigned shift, PyObject *key, uint64_t hash,
                PyObject *value, uint64_t owner, int *added, Garbage *g)
{
    if (MarchBitmapNode_Check(node)) {
        return hamt_node_bitmap_assoc((MarchBitmapNode *)node, shift, key,
                                      hash, value, owner, added, g);
    }
    return hamt_node_collision_assoc((MarchCollisionNode *)node, shift, key,
                                     hash, value, owner, added, g);
}

MarchBitmapNode *
march_hamt_assoc(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                 PyObject *value, uint64_t owner, int *added)
{
    Garbage g;
    PyObject *r;
    g.n = 0;
    *added = 0;
    r = hamt_node_bitmap_assoc(root, 0, key, hash, value, owner, added, &g);
    if (r == NULL) {
        assert(g.n == 0);
        return NULL;
    }
    if (g.n) {
        /* the caller stores r before anything runs: keep r alive and
         * release the dropped objects now (the tree is consistent) */
        hamt_garbage_flush(&g);
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

static int hamt_node_without(PyObject *node, unsigned shift, PyObject *key,
                             uint64_t hash, uint64_t owner, int is_root,
                             WResult *res, Garbage *g);

static int
hamt_node_collision_without(MarchCollisionNode *c, unsigned shift,
                            PyObject *key, uint64_t hash, uint64_t owner,
                            WResult *res)
{
    Py_ssize_t i, n = Py_SIZE(c);
    MarchCollisionNode *nc;
    int r;
    if (c->hash != hash) {
        return W_NOTFOUND;
    }
    r = hamt_node_collision_find_index(c, key, &i);
    if (r <= 0) {
        return r;   /* W_ERROR or W_NOTFOUND */
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
    nc = march_hamt_node_collision_new(n - 2, c->hash, owner);
    if (nc == NULL) {
        return W_ERROR;
    }
    hamt_slots_copy(nc->slots, c->slots, i);
    hamt_slots_copy(nc->slots + i, c->slots + i + 2, n - i - 2);
    if (march_hamt_node_tracked((PyObject *)c)) {
        march_hamt_node_track(nc);
    }
    res->node = (PyObject *)nc;
    return W_NODE;
}

static int
hamt_node_bitmap_without(MarchBitmapNode *node, unsigned shift,
                         PyObject *key, uint64_t hash, uint64_t owner,
                         int is_root, WResult *res, Garbage *g)
{
    uint32_t bit = march_hamt_bit(hash, shift);
    int editable = owner != 0
        && (node->owner & ~MARCH_HAMT_NODE_TRACKED) == owner;
    Py_ssize_t size = march_hamt_node_bitmap_size(node);
    Py_ssize_t ndslots = 2 * march_popcount32(node->datamap);
    MarchBitmapNode *n;

    if (node->datamap & bit) {
        Py_ssize_t di = march_hamt_node_bitmap_entry_slot(node, bit - 1);
        uint64_t h2;
        int r = march_hamt_key_match(node->slots[di], key, hash, &h2);
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
            if (node->datamap == bit && march_popcount32(node->nodemap) == 1
                    && MarchCollisionNode_Check(node->slots[2])) {
                /* rule 3: the lone collision node replaces this node */
                res->node = node->slots[2];
                Py_INCREF(res->node);
                return W_NODE;
            }
        }
        n = march_hamt_node_bitmap_new(size - 2, owner);
        if (n == NULL) {
            return W_ERROR;
        }
        n->datamap = node->datamap ^ bit;
        n->nodemap = node->nodemap;
        n->tags = march_hamt_tags_with(node->tags, bit, 0);
        n->count = node->count - 1;
        hamt_slots_copy(n->slots, node->slots, di);
        hamt_slots_copy(n->slots + di, node->slots + di + 2, size - di - 2);
        if (march_hamt_node_tracked((PyObject *)node)) {
            march_hamt_node_track(n);
        }
        res->node = (PyObject *)n;
        return W_NODE;
    }

    if (node->nodemap & bit) {
        Py_ssize_t cpos = march_popcount32(node->nodemap & (bit - 1));
        Py_ssize_t ci = ndslots + cpos;
        PyObject *child = node->slots[ci];
        WResult sub;
        int r = hamt_node_without(child, shift + MARCH_HAMT_BITS, key, hash,
                                  owner, 0, &sub, g);
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
            n = march_hamt_node_bitmap_new(size + 1, owner);
            if (n == NULL) {
                Py_DECREF(sub.key);
                Py_DECREF(sub.value);
                return W_ERROR;
            }
            di = march_hamt_node_bitmap_entry_slot(node, bit - 1);
            n->datamap = node->datamap | bit;
            n->nodemap = node->nodemap ^ bit;
            n->tags = march_hamt_tags_with(node->tags, bit, sub.tag);
            n->count = node->count - 1;
            hamt_slots_copy(n->slots, node->slots, di);
            n->slots[di] = sub.key;         /* steal */
            n->slots[di + 1] = sub.value;
            hamt_slots_copy(n->slots + di + 2, node->slots + di,
                            ndslots - di);
            hamt_slots_copy(n->slots + ndslots + 2, node->slots + ndslots,
                            cpos);
            hamt_slots_copy(n->slots + ndslots + 2 + cpos,
                            node->slots + ci + 1, size - ci - 1);
            if (march_hamt_node_tracked((PyObject *)node)) {
                march_hamt_node_track(n);
            }
            res->node = (PyObject *)n;
            return W_NODE;
        }
        /* W_NODE */
        if (!is_root && node->datamap == 0
                && march_popcount32(node->nodemap) == 1
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
        res->node = hamt_node_bitmap_replace_slot(
            node, editable, owner, ci, sub.node, -1,
            march_hamt_node_tracked(sub.node), g);
        return res->node == NULL ? W_ERROR : W_NODE;
    }
    return W_NOTFOUND;
}

static int
hamt_node_without(PyObject *node, unsigned shift, PyObject *key,
                  uint64_t hash, uint64_t owner, int is_root, WResult *res,
                  Garbage *g)
{
    if (MarchBitmapNode_Check(node)) {
        return hamt_node_bitmap_without((MarchBitmapNode *)node, shift, key,
                                        hash, owner, is_root, res, g);
    }
    return hamt_node_collision_without((MarchCollisionNode *)node, shift,
                                       key, hash, owner, res);
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
    r = hamt_node_bitmap_without(root, 0, key, hash, owner, 1, &res, &g);
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
        hamt_garbage_flush(&g);
    }
    if (((MarchBitmapNode *)res.node)->count == 0) {
        /* the map is empty: the shared empty root */
        MarchBitmapNode *empty = march_hamt_node_empty_root();
        if (res.node != (PyObject *)empty) {
            Py_DECREF(res.node);
            return empty;
        }
        Py_DECREF(empty);
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
hamt_node_collision_equal(MarchCollisionNode *a, MarchCollisionNode *b)
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
hamt_node_equal(PyObject *a, PyObject *b)
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
        return hamt_node_collision_equal((MarchCollisionNode *)a,
                                         (MarchCollisionNode *)b);
    }
    x = (MarchBitmapNode *)a;
    y = (MarchBitmapNode *)b;
    if (x->datamap != y->datamap || x->nodemap != y->nodemap
            || x->count != y->count) {
        return 0;
    }
    ndslots = 2 * march_popcount32(x->datamap);
    size = march_hamt_node_bitmap_size(x);
    for (i = 0; i < ndslots; i += 2) {
        PyObject *k1 = x->slots[i], *k2 = y->slots[i];
        int r;
        if (k1 != k2) {
            uint64_t h1, h2;
            if (march_hamt_hash(k1, &h1) < 0) {
                return -1;
            }
            r = march_hamt_key_match(k2, k1, h1, &h2);
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
        int r = hamt_node_equal(x->slots[i], y->slots[i]);
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
    return hamt_node_equal((PyObject *)a, (PyObject *)b);
}

/* ------------------------------------------------------------------ */
/* hash(m): see the design spec; must agree bit for bit with the twin   */

Py_hash_t
march_hamt_hash_entries(MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *k, *v;
    uint64_t h = 0;
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
        h = march_hamt_hash_step(h, e);
    }
    return march_hamt_hash_finish(h, root->count);
}

