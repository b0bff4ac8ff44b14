/*
 * hamt_check.c -- debugging views of one HAMT: the invariant checker
 * (march_hamt_check: the canonical form of hamt.c, counts, bitmaps, tags,
 * each key's hash path and the GC rule of hamt_node.c; exposed as _check()
 * of Map, MapMutation, Set and SetEvolver), the depth (_depth() of Map and
 * Set), node statistics (Map._stats(), for docs/design.md, section 3, and
 * bench/hash_study.py) and the node layout (_layout() of all four).
 *
 * May include: hamt_check.h (hamt.h, hamt_node.h, common.h).
 */
#include "hamt_check.h"
#include <string.h>

/* ------------------------------------------------------------------ */
/* invariant checker                                                   */


static int
hamt_check_fail(const char *msg, PyObject *node)
{
    PyErr_Format(PyExc_AssertionError, "march.Map invariant violated: %s "
                 "(node %p)", msg, (void *)node);
    return -1;
}

static int
hamt_check_key_path(PyObject *key, uint64_t prefix, unsigned shift,
                    uint64_t *h)
{
    uint64_t mask = shift >= 64 ? ~0ULL : ((1ULL << shift) - 1);
    if (march_hamt_hash(key, h) < 0) {
        return -1;
    }
    if ((*h & mask) != (prefix & mask)) {
        return hamt_check_fail("a key is not on its hash path", key);
    }
    return 0;
}

/* Returns the number of entries of the subtree or -1.  `prefix` holds the
 * hash bits below `shift` that lead to this node. */
static Py_ssize_t
hamt_check_node(PyObject *node, unsigned shift, uint64_t prefix, int is_root,
                int levels)
{
    Py_ssize_t i, total = 0;
    int needs_track = 0;
    if (MarchCollisionNode_Check(node)) {
        MarchCollisionNode *c = (MarchCollisionNode *)node;
        Py_ssize_t n = Py_SIZE(c);
        if (is_root) {
            return hamt_check_fail("the root is a collision node", node);
        }
        if (n < 4 || n % 2) {
            return hamt_check_fail(
                "a collision node with fewer than 2 entries", node);
        }
        for (i = 0; i < n; i += 2) {
            uint64_t h;
            Py_ssize_t j;
            if (hamt_check_key_path(c->slots[i], prefix, shift, &h) < 0) {
                return -1;
            }
            if (h != c->hash) {
                return hamt_check_fail(
                    "collision node key with another hash", node);
            }
            for (j = 0; j < i; j += 2) {
                int r = PyObject_RichCompareBool(c->slots[i], c->slots[j],
                                                 Py_EQ);
                if (r < 0) {
                    return -1;
                }
                if (r) {
                    return hamt_check_fail(
                        "duplicate key in a collision node", node);
                }
            }
            if (!march_is_atomic(c->slots[i])
                    || !march_is_atomic(c->slots[i + 1])) {
                needs_track = 1;
            }
        }
        if (march_hamt_node_tracked(c) != march_gc_is_tracked((PyObject *)c)) {
            return hamt_check_fail(
                "collision node's tracking bit (owner bit 63) does not match "
                "the GC's", node);
        }
        if (needs_track && !march_gc_is_tracked((PyObject *)c)) {
            return hamt_check_fail(
                "collision node holds a non-atomic object but is not "
                "GC-tracked", node);
        }
        return n / 2;
    }
    if (!MarchBitmapNode_Check(node)) {
        return hamt_check_fail("a child is not a node", node);
    }
    {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        Py_ssize_t ndslots = 2 * march_popcount32(b->datamap);
        uint32_t bit;
        uint64_t tags = 0;
        Py_ssize_t di = 0, ci = ndslots;
        if (levels > MARCH_HAMT_MAX_LEVELS || shift > 60) {
            return hamt_check_fail("trie deeper than 13 levels", node);
        }
        if (b->datamap & b->nodemap) {
            return hamt_check_fail("datamap and nodemap overlap", node);
        }
        if (shift == 60 && ((b->datamap | b->nodemap) >> 16)) {
            return hamt_check_fail("level 12 uses more than 4 bits", node);
        }
        for (bit = 1; bit; bit <<= 1) {
            uint64_t idx = (uint64_t)__builtin_ctz(bit);
            uint64_t sub_prefix = prefix | (idx << shift);
            if (b->datamap & bit) {
                uint64_t h;
                PyObject *k = b->slots[di], *v = b->slots[di + 1];
                if (k == NULL || v == NULL) {
                    return hamt_check_fail("NULL slot", node);
                }
                if (hamt_check_key_path(k, sub_prefix, shift + 5, &h) < 0) {
                    return -1;
                }
                tags = march_hamt_tags_with(tags, bit,
                                            march_hamt_tag(h, shift));
                if (!march_is_atomic(k) || !march_is_atomic(v)) {
                    needs_track = 1;
                }
                total += 1;
                di += 2;
            }
            else if (b->nodemap & bit) {
                PyObject *child = b->slots[ci];
                Py_ssize_t sub;
                if (child == NULL) {
                    return hamt_check_fail("NULL child", node);
                }
                sub = hamt_check_node(child, shift + 5, sub_prefix, 0,
                                      levels + 1);
                if (sub < 0) {
                    return -1;
                }
                if (march_gc_is_tracked((PyObject *)child)) {
                    needs_track = 1;
                }
                total += sub;
                ci++;
            }
        }
        if (total != b->count) {
            return hamt_check_fail("count does not match the entries", node);
        }
        if (tags != b->tags) {
            return hamt_check_fail(
                "lookup tags do not match the entries' hashes (or are set "
                "where there is no entry)", node);
        }
        if (!is_root) {
            if (total < 2) {
                return hamt_check_fail(
                    "non-root node with fewer than 2 entries", node);
            }
            if (b->datamap == 0 && march_popcount32(b->nodemap) == 1
                    && MarchCollisionNode_Check(b->slots[0])) {
                return hamt_check_fail(
                    "non-root node holding only a collision node", node);
            }
        }
        if (march_hamt_node_tracked(b) != march_gc_is_tracked((PyObject *)b)) {
            return hamt_check_fail(
                "node's tracking bit (owner bit 63) does not match the GC's",
                node);
        }
        if (needs_track && !march_gc_is_tracked((PyObject *)b)) {
            return hamt_check_fail(
                "node holds a non-atomic object or a tracked child but is "
                "not GC-tracked", node);
        }
        return total;
    }
}

int
march_hamt_check(MarchBitmapNode *root)
{
    if (hamt_check_node((PyObject *)root, 0, 0, 1, 1) < 0) {
        return -1;
    }
    return 0;
}

/* The invariants of a set's trie: the Map's, and every value None. */
int
march_hamt_check_set(MarchBitmapNode *root)
{
    MarchHamtIter it;
    PyObject *k, *v;
    if (march_hamt_check(root) < 0) {
        return -1;
    }
    march_hamt_iter_init(&it, root);
    while (march_hamt_iter_next(&it, &k, &v)) {
        if (v != Py_None) {
            PyErr_SetString(PyExc_AssertionError,
                            "march.Set invariant: a value is not None");
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* depth, statistics                                                   */

static int
hamt_node_depth(PyObject *node)
{
    int best = 0;
    if (MarchBitmapNode_Check(node)) {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        Py_ssize_t i;
        Py_ssize_t size = march_hamt_node_bitmap_size(b);
        for (i = 2 * march_popcount32(b->datamap); i < size; i++) {
            int d = hamt_node_depth(b->slots[i]);
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
    return hamt_node_depth((PyObject *)root);
}

static void
hamt_node_stats(PyObject *node, int depth, MarchHamtStats *st)
{
    if (MarchBitmapNode_Check(node)) {
        MarchBitmapNode *b = (MarchBitmapNode *)node;
        Py_ssize_t i, nd = march_popcount32(b->datamap);
        st->bitmap_nodes++;
        st->bitmap_slots += march_hamt_node_bitmap_size(b);
        st->bitmap_branches += nd + march_popcount32(b->nodemap);
        st->entry_depth_sum += nd * depth;
        st->bytes += (Py_ssize_t)(2 * sizeof(void *)
                     + offsetof(MarchBitmapNode, slots)
                     + (size_t)march_hamt_node_bitmap_size(b)
                       * sizeof(PyObject *));
        for (i = 2 * nd; i < march_hamt_node_bitmap_size(b); i++) {
            hamt_node_stats(b->slots[i], depth + 1, st);
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
    hamt_node_stats((PyObject *)root, 1, st);
}

/* ------------------------------------------------------------------ */
/* layout                                                              */

/* a tuple of the keys in slots [start, stop) (step 2) */
static PyObject *
hamt_node_layout_keys(PyObject **slots, Py_ssize_t start, Py_ssize_t stop)
{
    Py_ssize_t i;
    PyObject *keys = PyTuple_New((stop - start) / 2);
    if (keys == NULL) {
        return NULL;
    }
    for (i = start; i < stop; i += 2) {
        PyTuple_SET_ITEM(keys, (i - start) / 2, Py_NewRef(slots[i]));
    }
    return keys;
}

static PyObject *
hamt_node_layout(PyObject *node)
{
    PyObject *keys, *children;
    MarchBitmapNode *b;
    Py_ssize_t i, nd, size;
    if (MarchCollisionNode_Check(node)) {
        MarchCollisionNode *c = (MarchCollisionNode *)node;
        keys = hamt_node_layout_keys(c->slots, 0, Py_SIZE(c));
        if (keys == NULL) {
            return NULL;
        }
        return Py_BuildValue("(sKN)", "collision",
                             (unsigned long long)c->hash, keys);
    }
    b = (MarchBitmapNode *)node;
    nd = 2 * march_popcount32(b->datamap);
    size = march_hamt_node_bitmap_size(b);
    keys = hamt_node_layout_keys(b->slots, 0, nd);
    if (keys == NULL) {
        return NULL;
    }
    children = PyTuple_New(size - nd);
    if (children == NULL) {
        Py_DECREF(keys);
        return NULL;
    }
    for (i = nd; i < size; i++) {
        PyObject *sub = hamt_node_layout(b->slots[i]);
        if (sub == NULL) {
            Py_DECREF(keys);
            Py_DECREF(children);
            return NULL;
        }
        PyTuple_SET_ITEM(children, i - nd, sub);
    }
    return Py_BuildValue("(sIINN)", "bitmap", (unsigned int)b->datamap,
                         (unsigned int)b->nodemap, keys, children);
}

PyObject *
march_hamt_layout(MarchBitmapNode *root)
{
    return hamt_node_layout((PyObject *)root);
}
