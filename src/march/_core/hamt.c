/*
 * hamt.c -- march's persistent hash map: a hash array mapped trie (HAMT).
 *
 * This file holds the algorithms only (nodes, find, assoc, without,
 * iteration, equality, hashing, the invariant checker).  The Python types
 * are in hamtmodule.c.  src/march/_pure/hamt.py is the same structure in
 * Python; each explains the other.
 *
 * Hashing
 * -------
 * A key's hash is hash(key), the object's own (cached for str and bytes,
 * SipHash for them), read as an unsigned 64-bit integer and used without
 * any further mixing; docs/design.md gives the measurements behind that.
 * Each level of the trie consumes 5 bits from the low end: the slot of a key
 * at level L is (hash >> 5L) & 31.  Levels 0..11 use 5 bits, level 12 the
 * last 4, so a trie has at most 13 levels of bitmap nodes; keys whose full
 * 64-bit hashes are equal are kept in a collision node.
 *
 * Node layout (CHAMP: two bitmaps instead of pointer tagging)
 * ------------------------------------------------------------
 *   MarchBitmapNode    ob_size, datamap:u32, nodemap:u32, count, owner, slots[]
 *       slots = k0 v0 k1 v1 ... kd-1 vd-1 | child0 child1 ... childc-1
 *       A slot bit set in datamap holds a key/value entry inline; a bit set
 *       in nodemap holds a child node; never both.  Entries come first, then
 *       children, each in ascending bit order, so the position of bit b is
 *       popcount(map & (b - 1)).  `count` is the number of entries of the
 *       whole subtree: len() is O(1) and a positional walk is O(log n).
 *   MarchCollisionNode ob_size, hash:u64, owner, slots[] = k0 v0 k1 v1 ...
 *       Entries with one full hash, in insertion order.
 * Both are PyObjects, so that nodes shared by many maps are reference
 * counted and so that the cyclic GC sees each shared edge once.
 *
 * Canonical form (invariants, checked by march_hamt_check)
 * ---------------------------------------------------------
 *   1. The root is a bitmap node (the empty map: an empty one, count 0).
 *   2. A non-root bitmap node holds at least 2 entries in all; a subtree of
 *      one entry is stored inline in its parent.
 *   3. A non-root bitmap node is never just one collision-node child: the
 *      collision node takes its place (collision nodes sit as high as they
 *      can).  A collision node holds at least 2 entries.
 *   4. Every key sits on its hash path; counts add up.
 * Insertions and deletions restore these as they return up the path, so a
 * set of keys has exactly one shape whatever the order of operations that
 * built it.  Equality can therefore compare two maps node by node and skip
 * subtrees they share by identity.
 *
 * Persistence and mutations
 * -------------------------
 * Persistent operations copy the path they change (clone on write) and
 * share everything else.  A mutation (transient) has a unique `owner` id;
 * nodes it copies carry that id and it edits them in place afterwards.  A
 * node owned by a mutation is reachable only from that mutation's root, and
 * an owned node's parent is owned too: a child is copied before its parent,
 * and the parent copy is what links it.  Once the mutation finishes, its id
 * is never used again, so its nodes are effectively immutable.
 *
 * Errors leave everything unchanged: all comparisons (which may call
 * __hash__ / __eq__ of keys and so raise) happen on the way down, before any
 * node is written; writes happen on the way up, where the only possible
 * failure is an allocation for a node that is not owned (whose children are
 * then not owned either, so nothing was edited in place yet).
 *
 * Garbage collection
 * ------------------
 * See common.h.  A node is tracked by the cyclic GC only if it holds a
 * non-atomic key or value, or a tracked child.  Copies inherit the tracked
 * state of the node they copy (a copy that drops the only cyclic object
 * stays tracked: conservative, never wrong), and become tracked when a
 * non-atomic key or value or a tracked child is stored in them; so an
 * untracked node never references a tracked one.
 */
#include "hamt.h"

#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define POPCOUNT(x) ((Py_ssize_t)__builtin_popcount(x))
#else
static Py_ssize_t
POPCOUNT(uint32_t x)
{
    Py_ssize_t n = 0;
    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}
#endif

static uint64_t owner_counter = 0;

uint64_t
march_hamt_new_owner(void)
{
    return ++owner_counter;
}

static inline uint32_t
bit_for(uint64_t hash, unsigned shift)
{
    return (uint32_t)1 << ((hash >> shift) & MARCH_HAMT_MASK);
}

static inline Py_ssize_t
index_of(uint32_t map, uint32_t bit)
{
    return POPCOUNT(map & (bit - 1));
}

static inline Py_ssize_t
node_count(PyObject *node)
{
    if (MarchBitmapNode_Check(node)) {
        return ((MarchBitmapNode *)node)->count;
    }
    return Py_SIZE(node) / 2;
}

static inline PyObject **
node_slots(PyObject *node)
{
    if (MarchBitmapNode_Check(node)) {
        return ((MarchBitmapNode *)node)->slots;
    }
    return ((MarchCollisionNode *)node)->slots;
}

static inline int
needs_tracking(PyObject *o)
{
    if (MarchBitmapNode_Check(o) || MarchCollisionNode_Check(o)) {
        return PyObject_GC_IsTracked(o);
    }
    return !march_is_atomic(o);
}

static inline void
track_if(PyObject *node, int cond)
{
    if (cond && !PyObject_GC_IsTracked(node)) {
        PyObject_GC_Track(node);
    }
}

/* ------------------------------------------------------------------ */
/* node types                                                          */

static void
bitmap_dealloc(MarchBitmapNode *self)
{
    Py_ssize_t i, n = Py_SIZE(self);
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, bitmap_dealloc)
    for (i = 0; i < n; i++) {
        Py_XDECREF(self->slots[i]);
    }
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

static int
bitmap_traverse(MarchBitmapNode *self, visitproc visit, void *arg)
{
    Py_ssize_t i, n = Py_SIZE(self);
    for (i = 0; i < n; i++) {
        Py_VISIT(self->slots[i]);
    }
    return 0;
}

static void
collision_dealloc(MarchCollisionNode *self)
{
    Py_ssize_t i, n = Py_SIZE(self);
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, collision_dealloc)
    for (i = 0; i < n; i++) {
        Py_XDECREF(self->slots[i]);
    }
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

static int
collision_traverse(MarchCollisionNode *self, visitproc visit, void *arg)
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
    .tp_basicsize = sizeof(MarchBitmapNode) - sizeof(PyObject *),
    .tp_itemsize = sizeof(PyObject *),
    .tp_dealloc = (destructor)bitmap_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)bitmap_traverse,
    .tp_free = PyObject_GC_Del,
};

PyTypeObject MarchCollisionNode_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "march._hamt.CollisionNode",
    .tp_basicsize = sizeof(MarchCollisionNode) - sizeof(PyObject *),
    .tp_itemsize = sizeof(PyObject *),
    .tp_dealloc = (destructor)collision_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)collision_traverse,
    .tp_free = PyObject_GC_Del,
};

static MarchBitmapNode *empty_root = NULL;

int
march_hamt_ready(void)
{
    if (PyType_Ready(&MarchBitmapNode_Type) < 0) {
        return -1;
    }
    if (PyType_Ready(&MarchCollisionNode_Type) < 0) {
        return -1;
    }
    return 0;
}

/* A new, untracked bitmap node with `size` NULL slots. */
static MarchBitmapNode *
bitmap_new(Py_ssize_t size, uint64_t owner)
{
    MarchBitmapNode *node = PyObject_GC_NewVar(
        MarchBitmapNode, &MarchBitmapNode_Type, size);
    if (node == NULL) {
        return NULL;
    }
    memset(node->slots, 0, (size_t)size * sizeof(PyObject *));
    node->datamap = 0;
    node->nodemap = 0;
    node->count = 0;
    node->owner = owner;
    return node;
}

static MarchCollisionNode *
collision_new(Py_ssize_t size, uint64_t hash, uint64_t owner)
{
    MarchCollisionNode *node = PyObject_GC_NewVar(
        MarchCollisionNode, &MarchCollisionNode_Type, size);
    if (node == NULL) {
        return NULL;
    }
    memset(node->slots, 0, (size_t)size * sizeof(PyObject *));
    node->hash = hash;
    node->owner = owner;
    return node;
}

MarchBitmapNode *
march_hamt_empty(void)
{
    if (empty_root == NULL) {
        empty_root = bitmap_new(0, 0);
        if (empty_root == NULL) {
            return NULL;
        }
    }
    Py_INCREF(empty_root);
    return empty_root;
}

/* A copy of `node` with the same slots (new references), owned by `owner`;
 * tracked if the original is. */
static MarchBitmapNode *
bitmap_copy(MarchBitmapNode *node, uint64_t owner)
{
    Py_ssize_t i, n = Py_SIZE(node);
    MarchBitmapNode *copy = bitmap_new(n, owner);
    if (copy == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        copy->slots[i] = Py_NewRef(node->slots[i]);
    }
    copy->datamap = node->datamap;
    copy->nodemap = node->nodemap;
    copy->count = node->count;
    track_if((PyObject *)copy, PyObject_GC_IsTracked((PyObject *)node));
    return copy;
}

static MarchCollisionNode *
collision_copy(MarchCollisionNode *node, Py_ssize_t size, uint64_t owner)
{
    Py_ssize_t i, n = Py_SIZE(node) < size ? Py_SIZE(node) : size;
    MarchCollisionNode *copy = collision_new(size, node->hash, owner);
    if (copy == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        copy->slots[i] = Py_NewRef(node->slots[i]);
    }
    return copy;
}

/* ------------------------------------------------------------------ */
/* key comparison                                                      */

/* Does the stored key equal `key` (whose hash is `hash`)?  Identity first,
 * then the full hashes, then ==, as dict does.  1 / 0 / -1 on error.
 * *stored_hash receives the stored key's hash when it was computed. */
static int
key_equal(PyObject *stored, PyObject *key, uint64_t hash, uint64_t *stored_hash)
{
    if (stored == key) {
        *stored_hash = hash;
        return 1;
    }
    if (march_hamt_hash(stored, stored_hash) < 0) {
        return -1;
    }
    if (*stored_hash != hash) {
        return 0;
    }
    return PyObject_RichCompareBool(stored, key, Py_EQ);
}

/* ------------------------------------------------------------------ */
/* find                                                                */

static int
collision_find(MarchCollisionNode *node, PyObject *key, Py_ssize_t *index)
{
    Py_ssize_t i, n = Py_SIZE(node);
    for (i = 0; i < n; i += 2) {
        int r = PyObject_RichCompareBool(node->slots[i], key, Py_EQ);
        if (r != 0) {
            *index = i;
            return r;
        }
    }
    return 0;
}

int
march_hamt_find(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                PyObject **value)
{
    PyObject *node = (PyObject *)root;
    unsigned shift = 0;
    for (;;) {
        if (MarchBitmapNode_Check(node)) {
            MarchBitmapNode *b = (MarchBitmapNode *)node;
            uint32_t bit = bit_for(hash, shift);
            if (b->datamap & bit) {
                Py_ssize_t i = 2 * index_of(b->datamap, bit);
                uint64_t h2;
                int r = key_equal(b->slots[i], key, hash, &h2);
                if (r > 0) {
                    *value = b->slots[i + 1];
                }
                return r;
            }
            if (b->nodemap & bit) {
                node = b->slots[2 * POPCOUNT(b->datamap)
                                + index_of(b->nodemap, bit)];
                shift += MARCH_HAMT_BITS;
                continue;
            }
            return 0;
        }
        else {
            MarchCollisionNode *c = (MarchCollisionNode *)node;
            Py_ssize_t i;
            int r;
            if (c->hash != hash) {
                return 0;
            }
            r = collision_find(c, key, &i);
            if (r > 0) {
                *value = c->slots[i + 1];
            }
            return r;
        }
    }
}

/* ------------------------------------------------------------------ */
/* building blocks for assoc                                           */

/* A subtree holding `item1` (an entry k1/v1, or a node when v1 == NULL)
 * with hash h1, and the entry k2/v2 with hash h2 != h1, at `shift`. */
static PyObject *
make_split(unsigned shift, uint64_t h1, PyObject *k1, PyObject *v1,
           uint64_t h2, PyObject *k2, PyObject *v2, uint64_t owner)
{
    uint32_t b1 = bit_for(h1, shift), b2 = bit_for(h2, shift);
    MarchBitmapNode *node;
    int tracked;
    if (b1 == b2) {
        PyObject *sub = make_split(shift + MARCH_HAMT_BITS, h1, k1, v1,
                                   h2, k2, v2, owner);
        if (sub == NULL) {
            return NULL;
        }
        node = bitmap_new(1, owner);
        if (node == NULL) {
            Py_DECREF(sub);
            return NULL;
        }
        node->nodemap = b1;
        node->count = node_count(sub);
        node->slots[0] = sub;
        track_if((PyObject *)node, PyObject_GC_IsTracked(sub));
        return (PyObject *)node;
    }
    if (v1 == NULL) {
        /* k1 is a (collision) node: one entry and one child */
        node = bitmap_new(3, owner);
        if (node == NULL) {
            return NULL;
        }
        node->datamap = b2;
        node->nodemap = b1;
        node->count = node_count(k1) + 1;
        node->slots[0] = Py_NewRef(k2);
        node->slots[1] = Py_NewRef(v2);
        node->slots[2] = Py_NewRef(k1);
        tracked = needs_tracking(k1) || needs_tracking(k2)
                  || needs_tracking(v2);
    }
    else {
        Py_ssize_t first = b1 < b2 ? 0 : 2, second = 2 - first;
        node = bitmap_new(4, owner);
        if (node == NULL) {
            return NULL;
        }
        node->datamap = b1 | b2;
        node->count = 2;
        node->slots[first] = Py_NewRef(k1);
        node->slots[first + 1] = Py_NewRef(v1);
        node->slots[second] = Py_NewRef(k2);
        node->slots[second + 1] = Py_NewRef(v2);
        tracked = needs_tracking(k1) || needs_tracking(v1)
                  || needs_tracking(k2) || needs_tracking(v2);
    }
    track_if((PyObject *)node, tracked);
    return (PyObject *)node;
}

/* Two entries with the same full hash: a collision node. */
static PyObject *
make_collision(uint64_t hash, PyObject *k1, PyObject *v1,
               PyObject *k2, PyObject *v2, uint64_t owner)
{
    MarchCollisionNode *node = collision_new(4, hash, owner);
    if (node == NULL) {
        return NULL;
    }
    node->slots[0] = Py_NewRef(k1);
    node->slots[1] = Py_NewRef(v1);
    node->slots[2] = Py_NewRef(k2);
    node->slots[3] = Py_NewRef(v2);
    track_if((PyObject *)node,
             needs_tracking(k1) || needs_tracking(v1)
             || needs_tracking(k2) || needs_tracking(v2));
    return (PyObject *)node;
}

/* `node` with the slot at `index` replaced by `item` (a new reference is
 * taken).  Edits in place when the node is owned, else copies. */
static MarchBitmapNode *
bitmap_replace(MarchBitmapNode *node, Py_ssize_t index, PyObject *item,
               Py_ssize_t count_delta, uint64_t owner)
{
    MarchBitmapNode *out;
    if (owner != 0 && node->owner == owner) {
        out = (MarchBitmapNode *)Py_NewRef(node);
    }
    else {
        out = bitmap_copy(node, owner);
        if (out == NULL) {
            return NULL;
        }
    }
    Py_SETREF(out->slots[index], Py_NewRef(item));
    out->count += count_delta;
    track_if((PyObject *)out, needs_tracking(item));
    return out;
}

/* `node` with a new entry k/v for `bit` inserted among its entries. */
static MarchBitmapNode *
bitmap_add_entry(MarchBitmapNode *node, uint32_t bit, PyObject *key,
                 PyObject *value, uint64_t owner)
{
    Py_ssize_t n = Py_SIZE(node);
    Py_ssize_t at = 2 * index_of(node->datamap, bit);
    Py_ssize_t i;
    MarchBitmapNode *out = bitmap_new(n + 2, owner);
    if (out == NULL) {
        return NULL;
    }
    for (i = 0; i < at; i++) {
        out->slots[i] = Py_NewRef(node->slots[i]);
    }
    out->slots[at] = Py_NewRef(key);
    out->slots[at + 1] = Py_NewRef(value);
    for (i = at; i < n; i++) {
        out->slots[i + 2] = Py_NewRef(node->slots[i]);
    }
    out->datamap = node->datamap | bit;
    out->nodemap = node->nodemap;
    out->count = node->count + 1;
    track_if((PyObject *)out,
             PyObject_GC_IsTracked((PyObject *)node)
             || needs_tracking(key) || needs_tracking(value));
    return out;
}

/* `node` with the entry of `bit` replaced by the child `sub` (which holds
 * that entry and `added` more). */
static MarchBitmapNode *
bitmap_entry_to_child(MarchBitmapNode *node, uint32_t bit, PyObject *sub,
                      uint64_t owner)
{
    Py_ssize_t n = Py_SIZE(node);
    Py_ssize_t at = 2 * index_of(node->datamap, bit);
    Py_ssize_t ndata = 2 * POPCOUNT(node->datamap);
    Py_ssize_t cat = ndata - 2 + index_of(node->nodemap, bit);
    Py_ssize_t i, j = 0;
    MarchBitmapNode *out = bitmap_new(n - 1, owner);
    if (out == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (i == at || i == at + 1) {
            continue;
        }
        if (j == cat) {
            out->slots[j++] = Py_NewRef(sub);
        }
        out->slots[j++] = Py_NewRef(node->slots[i]);
    }
    if (j == cat) {
        out->slots[j++] = Py_NewRef(sub);
    }
    assert(j == n - 1);
    out->datamap = node->datamap & ~bit;
    out->nodemap = node->nodemap | bit;
    out->count = node->count - 1 + node_count(sub);
    track_if((PyObject *)out,
             PyObject_GC_IsTracked((PyObject *)node) || needs_tracking(sub));
    return out;
}

/* ------------------------------------------------------------------ */
/* assoc                                                               */

static PyObject *node_assoc(PyObject *node, unsigned shift, uint64_t hash,
                            PyObject *key, PyObject *value, uint64_t owner,
                            int *added);

static PyObject *
collision_assoc(MarchCollisionNode *node, unsigned shift, uint64_t hash,
                PyObject *key, PyObject *value, uint64_t owner, int *added)
{
    Py_ssize_t i, n = Py_SIZE(node);
    MarchCollisionNode *out;
    int r;
    if (node->hash != hash) {
        /* push this collision node down beside the new entry */
        *added = 1;
        return make_split(shift, node->hash, (PyObject *)node, NULL,
                          hash, key, value, owner);
    }
    r = collision_find(node, key, &i);
    if (r < 0) {
        return NULL;
    }
    if (r > 0) {
        if (node->slots[i + 1] == value) {
            return Py_NewRef(node);
        }
        if (owner != 0 && node->owner == owner) {
            out = (MarchCollisionNode *)Py_NewRef(node);
        }
        else {
            out = collision_copy(node, n, owner);
            if (out == NULL) {
                return NULL;
            }
            track_if((PyObject *)out, PyObject_GC_IsTracked((PyObject *)node));
        }
        Py_SETREF(out->slots[i + 1], Py_NewRef(value));
        track_if((PyObject *)out, needs_tracking(value));
        return (PyObject *)out;
    }
    out = collision_copy(node, n + 2, owner);
    if (out == NULL) {
        return NULL;
    }
    out->slots[n] = Py_NewRef(key);
    out->slots[n + 1] = Py_NewRef(value);
    track_if((PyObject *)out,
             PyObject_GC_IsTracked((PyObject *)node)
             || needs_tracking(key) || needs_tracking(value));
    *added = 1;
    return (PyObject *)out;
}

static PyObject *
bitmap_assoc(MarchBitmapNode *node, unsigned shift, uint64_t hash,
             PyObject *key, PyObject *value, uint64_t owner, int *added)
{
    uint32_t bit = bit_for(hash, shift);
    if (node->datamap & bit) {
        Py_ssize_t i = 2 * index_of(node->datamap, bit);
        PyObject *k2 = node->slots[i], *v2 = node->slots[i + 1];
        uint64_t h2;
        PyObject *sub;
        MarchBitmapNode *out;
        int r = key_equal(k2, key, hash, &h2);
        if (r < 0) {
            return NULL;
        }
        if (r > 0) {
            if (v2 == value) {
                return Py_NewRef(node);
            }
            return (PyObject *)bitmap_replace(node, i + 1, value, 0, owner);
        }
        if (h2 == hash) {
            sub = make_collision(hash, k2, v2, key, value, owner);
        }
        else {
            sub = make_split(shift + MARCH_HAMT_BITS, h2, k2, v2,
                             hash, key, value, owner);
        }
        if (sub == NULL) {
            return NULL;
        }
        out = bitmap_entry_to_child(node, bit, sub, owner);
        Py_DECREF(sub);
        if (out != NULL) {
            *added = 1;
        }
        return (PyObject *)out;
    }
    if (node->nodemap & bit) {
        Py_ssize_t ci = 2 * POPCOUNT(node->datamap)
                        + index_of(node->nodemap, bit);
        PyObject *child = node->slots[ci];
        PyObject *newchild;
        MarchBitmapNode *out;
        int sub_added = 0;
        newchild = node_assoc(child, shift + MARCH_HAMT_BITS, hash, key,
                              value, owner, &sub_added);
        if (newchild == NULL) {
            return NULL;
        }
        if (newchild == child) {
            /* unchanged, or edited in place (then this node is owned too) */
            Py_DECREF(newchild);
            if (sub_added) {
                assert(owner != 0 && node->owner == owner);
                node->count += 1;
                *added = 1;
            }
            track_if((PyObject *)node,
                     owner != 0 && node->owner == owner
                     && PyObject_GC_IsTracked(child));
            return Py_NewRef(node);
        }
        out = bitmap_replace(node, ci, newchild, sub_added, owner);
        Py_DECREF(newchild);
        if (out != NULL) {
            *added = sub_added;
        }
        return (PyObject *)out;
    }
    {
        MarchBitmapNode *out = bitmap_add_entry(node, bit, key, value, owner);
        if (out != NULL) {
            *added = 1;
        }
        return (PyObject *)out;
    }
}

static PyObject *
node_assoc(PyObject *node, unsigned shift, uint64_t hash, PyObject *key,
           PyObject *value, uint64_t owner, int *added)
{
    if (MarchBitmapNode_Check(node)) {
        return bitmap_assoc((MarchBitmapNode *)node, shift, hash, key, value,
                            owner, added);
    }
    return collision_assoc((MarchCollisionNode *)node, shift, hash, key,
                           value, owner, added);
}

MarchBitmapNode *
march_hamt_assoc(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                 PyObject *value, uint64_t owner, int *added)
{
    *added = 0;
    return (MarchBitmapNode *)bitmap_assoc(root, 0, hash, key, value, owner,
                                           added);
}

/* ------------------------------------------------------------------ */
/* without                                                             */

static PyObject *node_without(PyObject *node, unsigned shift, uint64_t hash,
                              PyObject *key, uint64_t owner, int *found);

static PyObject *
collision_without(MarchCollisionNode *node, uint64_t hash, PyObject *key,
                  uint64_t owner, int *found)
{
    Py_ssize_t i, j, k, n = Py_SIZE(node);
    MarchCollisionNode *out;
    int r;
    if (node->hash != hash) {
        return Py_NewRef(node);
    }
    r = collision_find(node, key, &i);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        return Py_NewRef(node);
    }
    /* a node of one entry is returned as is; the parent inlines it */
    out = collision_new(n - 2, hash, owner);
    if (out == NULL) {
        return NULL;
    }
    for (j = 0, k = 0; j < n; j++) {
        if (j != i && j != i + 1) {
            out->slots[k++] = Py_NewRef(node->slots[j]);
        }
    }
    track_if((PyObject *)out, PyObject_GC_IsTracked((PyObject *)node));
    *found = 1;
    return (PyObject *)out;
}

/* `node` without the entry at slot `at` (in place when owned). */
static MarchBitmapNode *
bitmap_remove_entry(MarchBitmapNode *node, uint32_t bit, Py_ssize_t at,
                    uint64_t owner)
{
    Py_ssize_t i, n = Py_SIZE(node);
    MarchBitmapNode *out;
    if (owner != 0 && node->owner == owner) {
        PyObject *k = node->slots[at], *v = node->slots[at + 1];
        memmove(&node->slots[at], &node->slots[at + 2],
                (size_t)(n - at - 2) * sizeof(PyObject *));
        node->slots[n - 2] = NULL;
        node->slots[n - 1] = NULL;
        Py_SET_SIZE(node, n - 2);
        node->datamap &= ~bit;
        node->count -= 1;
        Py_DECREF(k);
        Py_DECREF(v);
        return (MarchBitmapNode *)Py_NewRef(node);
    }
    out = bitmap_new(n - 2, owner);
    if (out == NULL) {
        return NULL;
    }
    for (i = 0; i < at; i++) {
        out->slots[i] = Py_NewRef(node->slots[i]);
    }
    for (i = at + 2; i < n; i++) {
        out->slots[i - 2] = Py_NewRef(node->slots[i]);
    }
    out->datamap = node->datamap & ~bit;
    out->nodemap = node->nodemap;
    out->count = node->count - 1;
    track_if((PyObject *)out, PyObject_GC_IsTracked((PyObject *)node));
    return out;
}

/* `node` with the child of `bit` (at slot ci) replaced by the single entry
 * of `sub` (a node of count 1). */
static MarchBitmapNode *
bitmap_child_to_entry(MarchBitmapNode *node, uint32_t bit, Py_ssize_t ci,
                      PyObject *sub, uint64_t owner)
{
    Py_ssize_t n = Py_SIZE(node);
    Py_ssize_t at = 2 * index_of(node->datamap, bit);
    PyObject **sslots = node_slots(sub);
    Py_ssize_t i, j = 0;
    MarchBitmapNode *out = bitmap_new(n + 1, owner);
    if (out == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (j == at) {
            out->slots[j++] = Py_NewRef(sslots[0]);
            out->slots[j++] = Py_NewRef(sslots[1]);
        }
        if (i != ci) {
            out->slots[j++] = Py_NewRef(node->slots[i]);
        }
    }
    if (j == at) {
        out->slots[j++] = Py_NewRef(sslots[0]);
        out->slots[j++] = Py_NewRef(sslots[1]);
    }
    assert(j == n + 1);
    out->datamap = node->datamap | bit;
    out->nodemap = node->nodemap & ~bit;
    out->count = node->count - 1;
    track_if((PyObject *)out, PyObject_GC_IsTracked((PyObject *)node));
    return out;
}

static PyObject *
bitmap_without(MarchBitmapNode *node, unsigned shift, uint64_t hash,
               PyObject *key, uint64_t owner, int *found)
{
    uint32_t bit = bit_for(hash, shift);
    if (node->datamap & bit) {
        Py_ssize_t i = 2 * index_of(node->datamap, bit);
        uint64_t h2;
        int r = key_equal(node->slots[i], key, hash, &h2);
        if (r < 0) {
            return NULL;
        }
        if (r == 0) {
            return Py_NewRef(node);
        }
        *found = 1;
        return (PyObject *)bitmap_remove_entry(node, bit, i, owner);
    }
    if (node->nodemap & bit) {
        Py_ssize_t ci = 2 * POPCOUNT(node->datamap)
                        + index_of(node->nodemap, bit);
        PyObject *child = node->slots[ci];
        PyObject *newchild, *res;
        int sub_found = 0;
        newchild = node_without(child, shift + MARCH_HAMT_BITS, hash, key,
                                owner, &sub_found);
        if (newchild == NULL) {
            return NULL;
        }
        if (!sub_found) {
            Py_DECREF(newchild);
            return Py_NewRef(node);
        }
        if (node_count(newchild) == 1) {
            res = (PyObject *)bitmap_child_to_entry(node, bit, ci, newchild,
                                                    owner);
        }
        else if (MarchBitmapNode_Check(newchild)
                 && ((MarchBitmapNode *)newchild)->datamap == 0
                 && Py_SIZE(newchild) == 1
                 && MarchCollisionNode_Check(
                        ((MarchBitmapNode *)newchild)->slots[0])) {
            /* a lone collision node moves up into this slot */
            res = (PyObject *)bitmap_replace(
                node, ci, ((MarchBitmapNode *)newchild)->slots[0], -1, owner);
        }
        else if (newchild == child) {
            /* edited in place: so is this node */
            assert(owner != 0 && node->owner == owner);
            node->count -= 1;
            res = Py_NewRef(node);
        }
        else {
            res = (PyObject *)bitmap_replace(node, ci, newchild, -1, owner);
        }
        Py_DECREF(newchild);
        if (res != NULL) {
            *found = 1;
        }
        return res;
    }
    return Py_NewRef(node);
}

static PyObject *
node_without(PyObject *node, unsigned shift, uint64_t hash, PyObject *key,
             uint64_t owner, int *found)
{
    if (MarchBitmapNode_Check(node)) {
        return bitmap_without((MarchBitmapNode *)node, shift, hash, key,
                              owner, found);
    }
    return collision_without((MarchCollisionNode *)node, hash, key, owner,
                             found);
}

MarchBitmapNode *
march_hamt_without(MarchBitmapNode *root, PyObject *key, uint64_t hash,
                   uint64_t owner, int *found)
{
    *found = 0;
    return (MarchBitmapNode *)bitmap_without(root, 0, hash, key, owner, found);
}

/* ------------------------------------------------------------------ */
/* iteration                                                           */

void
march_hamt_iter_init(MarchHamtIter *it, MarchBitmapNode *root)
{
    it->top = 0;
    it->node[0] = (PyObject *)root;
    it->pos[0] = 0;
}

int
march_hamt_iter_next(MarchHamtIter *it, PyObject **key, PyObject **value)
{
    while (it->top >= 0) {
        PyObject *node = it->node[it->top];
        Py_ssize_t pos = it->pos[it->top];
        if (MarchBitmapNode_Check(node)) {
            MarchBitmapNode *b = (MarchBitmapNode *)node;
            Py_ssize_t ndata = 2 * POPCOUNT(b->datamap);
            if (pos < ndata) {
                *key = b->slots[pos];
                *value = b->slots[pos + 1];
                it->pos[it->top] = pos + 2;
                return 1;
            }
            if (pos < Py_SIZE(b)) {
                it->pos[it->top] = pos + 1;
                it->top++;
                assert(it->top < MARCH_HAMT_STACK);
                it->node[it->top] = b->slots[pos];
                it->pos[it->top] = 0;
                continue;
            }
        }
        else if (pos < Py_SIZE(node)) {
            MarchCollisionNode *c = (MarchCollisionNode *)node;
            *key = c->slots[pos];
            *value = c->slots[pos + 1];
            it->pos[it->top] = pos + 2;
            return 1;
        }
        it->top--;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* equality                                                            */

static int node_equal(PyObject *a, PyObject *b);

static int
collision_equal(MarchCollisionNode *a, MarchCollisionNode *b)
{
    Py_ssize_t i, j, n = Py_SIZE(a);
    if (a->hash != b->hash || Py_SIZE(b) != n) {
        return 0;
    }
    for (i = 0; i < n; i += 2) {
        int r = collision_find(b, a->slots[i], &j);
        if (r <= 0) {
            return r;
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
    Py_ssize_t i, n, ndata;
    if (a == b) {
        return 1;
    }
    if (Py_TYPE(a) != Py_TYPE(b)) {
        return 0;
    }
    if (MarchCollisionNode_Check(a)) {
        return collision_equal((MarchCollisionNode *)a,
                               (MarchCollisionNode *)b);
    }
    x = (MarchBitmapNode *)a;
    y = (MarchBitmapNode *)b;
    if (x->datamap != y->datamap || x->nodemap != y->nodemap
        || x->count != y->count) {
        return 0;
    }
    n = Py_SIZE(x);
    ndata = 2 * POPCOUNT(x->datamap);
    for (i = 0; i < ndata; i += 2) {
        uint64_t h, h2;
        int r;
        if (x->slots[i] != y->slots[i]) {
            if (march_hamt_hash(x->slots[i], &h) < 0) {
                return -1;
            }
            r = key_equal(y->slots[i], x->slots[i], h, &h2);
            if (r <= 0) {
                return r;
            }
        }
        if (x->slots[i + 1] != y->slots[i + 1]) {
            r = PyObject_RichCompareBool(x->slots[i + 1], y->slots[i + 1],
                                         Py_EQ);
            if (r <= 0) {
                return r;
            }
        }
    }
    for (i = ndata; i < n; i++) {
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
/* hash of a map                                                       */

/* Order independent (so equal maps hash alike), mirrored exactly by the
 * pure-Python twin.  All arithmetic is modulo 2**64. */
Py_hash_t
march_hamt_hash_entries(MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *key, *value;
    uint64_t h = 0, hk, hv, e;
    Py_hash_t result;
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &key, &value)) {
        if (march_hamt_hash(key, &hk) < 0 || march_hamt_hash(value, &hv) < 0) {
            return -1;
        }
        e = hk + UINT64_C(0x9E3779B97F4A7C15) * hv;
        h ^= ((e ^ UINT64_C(89869747)) ^ (e << 16)) * UINT64_C(3644798167);
    }
    h ^= ((uint64_t)root->count + 1) * UINT64_C(1927868237);
    h ^= (h >> 11) ^ (h >> 25);
    h = h * UINT64_C(69069) + UINT64_C(907133923);
    result = (Py_hash_t)h;
    if (result == -1) {
        result = 590923713;
    }
    return result;
}

/* ------------------------------------------------------------------ */
/* invariant checker                                                   */

static int
check_fail(const char *what, unsigned shift)
{
    PyErr_Format(PyExc_AssertionError, "HAMT invariant broken at level %u: %s",
                 shift / MARCH_HAMT_BITS, what);
    return -1;
}

/* Checks the subtree; `prefix` holds the hash bits fixed by the path. */
static int
check_node(PyObject *node, unsigned shift, uint64_t prefix, int is_root,
           Py_ssize_t *count)
{
    int tracked = PyObject_GC_IsTracked(node);
    uint64_t pmask = shift >= 64 ? ~(uint64_t)0
                                 : (((uint64_t)1 << shift) - 1);
    if (MarchCollisionNode_Check(node)) {
        MarchCollisionNode *c = (MarchCollisionNode *)node;
        Py_ssize_t i, n = Py_SIZE(c);
        if (is_root) {
            return check_fail("root is a collision node", shift);
        }
        if (n < 4 || n % 2) {
            return check_fail("collision node with fewer than 2 entries",
                              shift);
        }
        if ((c->hash & pmask) != (prefix & pmask)) {
            return check_fail("collision node off its hash path", shift);
        }
        for (i = 0; i < n; i += 2) {
            uint64_t h;
            if (march_hamt_hash(c->slots[i], &h) < 0) {
                return -1;
            }
            if (h != c->hash) {
                return check_fail("collision key with another hash", shift);
            }
            if (!tracked && (needs_tracking(c->slots[i])
                             || needs_tracking(c->slots[i + 1]))) {
                return check_fail("untracked node holds a cyclic object",
                                  shift);
            }
        }
        *count = n / 2;
        return 0;
    }
    else {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        Py_ssize_t ndata = POPCOUNT(b->datamap), nnodes = POPCOUNT(b->nodemap);
        Py_ssize_t i, total = ndata, sub;
        int bitpos;
        if (b->datamap & b->nodemap) {
            return check_fail("a slot is both entry and child", shift);
        }
        if (Py_SIZE(b) != 2 * ndata + nnodes) {
            return check_fail("slot count does not match the bitmaps", shift);
        }
        if (shift > 60 && (b->datamap | b->nodemap) != 0 && !is_root) {
            return check_fail("trie deeper than the hash", shift);
        }
        i = 0;
        for (bitpos = 0; bitpos < 32; bitpos++) {
            uint32_t bit = (uint32_t)1 << bitpos;
            uint64_t sub_prefix = prefix | ((uint64_t)bitpos << shift);
            if (b->datamap & bit) {
                uint64_t h;
                PyObject *k = b->slots[2 * index_of(b->datamap, bit)];
                PyObject *v = b->slots[2 * index_of(b->datamap, bit) + 1];
                if (march_hamt_hash(k, &h) < 0) {
                    return -1;
                }
                if ((h & (pmask | ((uint64_t)MARCH_HAMT_MASK << shift)))
                    != (sub_prefix & (pmask | ((uint64_t)MARCH_HAMT_MASK
                                               << shift)))) {
                    return check_fail("key off its hash path", shift);
                }
                if (!tracked && (needs_tracking(k) || needs_tracking(v))) {
                    return check_fail("untracked node holds a cyclic object",
                                      shift);
                }
            }
            if (b->nodemap & bit) {
                PyObject *child = b->slots[2 * ndata
                                           + index_of(b->nodemap, bit)];
                if (!MarchBitmapNode_Check(child)
                    && !MarchCollisionNode_Check(child)) {
                    return check_fail("child is not a node", shift);
                }
                if (!tracked && PyObject_GC_IsTracked(child)) {
                    return check_fail("untracked node has a tracked child",
                                      shift);
                }
                if (check_node(child, shift + MARCH_HAMT_BITS, sub_prefix, 0,
                               &sub) < 0) {
                    return -1;
                }
                total += sub;
                i++;
            }
        }
        if (total != b->count) {
            return check_fail("count does not match the subtree", shift);
        }
        if (!is_root) {
            if (b->count < 2) {
                return check_fail("non-root node with fewer than 2 entries",
                                  shift);
            }
            if (ndata == 0 && nnodes == 1
                && MarchCollisionNode_Check(b->slots[0])) {
                return check_fail("lone collision node not moved up", shift);
            }
        }
        *count = total;
        return 0;
    }
}

int
march_hamt_check(MarchBitmapNode *root)
{
    Py_ssize_t count;
    if (!MarchBitmapNode_Check(root)) {
        return check_fail("root is not a bitmap node", 0);
    }
    return check_node((PyObject *)root, 0, 0, 1, &count);
}

static int
node_depth(PyObject *node)
{
    int best = 0;
    if (MarchBitmapNode_Check(node)) {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        Py_ssize_t i;
        for (i = 2 * POPCOUNT(b->datamap); i < Py_SIZE(b); i++) {
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
