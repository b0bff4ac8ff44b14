/*
 * rrb_node.c -- the nodes of march's persistent vector, an RRB tree
 * (relaxed radix balanced tree, Bagwell & Rompf 2011; L'orange 2014): the
 * slab allocator and raw leaves, the three node types with their
 * dealloc/traverse and free lists, owner ids, and the leaf and inner-node
 * constructors and copies.  The algorithms that build trees of these nodes
 * are in rrb.c, the invariant checker in rrb_check.c, the Python types in
 * vector_object.c.  The pure-Python twin (src/march/_pure/rrb_node.py, ...)
 * is the same structure in Python, with the same function names (without
 * the march_ prefix); docs/design-rrb.md discusses the design.
 *
 * Includes only rrb_node.h (and so common.h).
 *
 * Branching
 * ---------
 * M = 2**BITS slots per node, BITS = MARCH_RRB_BITS: 5 (M = 32) for
 * march._rrb, 2 (M = 4) for march._rrb4 (deep trees from small vectors,
 * for the tests).  A node of height h holds at most M**(h+1) elements.
 *
 * Node layout (MarchRRBNode, rrb_node.h)
 * --------------------------------------
 *   PyObject_HEAD | height:u8 len:u8 flags:3 owner:45 | slots[M] | count | sizes[M]
 * The first word after the object header carries the height (0: leaf), the
 * number of slots in use, flags (RRB_FLAG_BUF: a tail buffer, rrb.c;
 * RRB_FLAG_TRACKED: tracked by the GC, mirrored so that hot paths need not
 * ask the GC; RRB_FLAG_RAW: a raw leaf) and the owner (edit token).  Leaves
 * stop after `slots` (their count is `len`).  Inner nodes add `count`
 * (elements below) and, when relaxed, the cumulative size table `sizes`
 * inline.  There are four kinds of node:
 *   raw leaf              leaf of atomic elements only; not a Python object
 *   MarchRRBLeafGC_Type   leaf that may hold anything; always GC-tracked
 *   MarchRRBInner_Type    balanced inner node (no size table)
 *   MarchRRBRelaxed_Type  relaxed inner node (size table present)
 * A raw leaf is the header word and the slots, 264 bytes for M = 32 (a leaf
 * that is an object would take 280, and 296 with the GC header): it is
 * addressed through a MarchRRBNode pointer sizeof(PyObject) before its
 * block, so that every field but the PyObject header reads as for the other
 * nodes, and the header is never read (RRB_IS_RAW is tested first:
 * rrb_node_kind, march_rrb_node_incref/march_rrb_node_decref,
 * RRB_IS_RELAXED, RRB_IS_GCLEAF).  It has no owner: owner_lo is its
 * reference count.  Its elements are atomic (they cannot hold references),
 * so the cyclic GC has nothing to find in it and never sees it: inner nodes
 * and vectors skip raw children in tp_traverse.  The other nodes are
 * objects, so that sharing between vectors is reference counting and the
 * cyclic GC sees each shared edge exactly once.  Raw leaves come from
 * 256 KiB slabs of 264-byte blocks (see "raw leaves" below), so a vector of
 * atomic elements costs about 8.6 bytes per element.
 *
 * GC (common.h; invariant 5 of rrb.c): a raw leaf holds atomic elements
 * only; a GC leaf is tracked; an inner node is tracked iff (at least) one
 * child is tracked.  Copies inherit the GC state of what they copy
 * (conservative).
 *
 * Free lists
 * ----------
 * Each node type keeps a free list of dead nodes (NODE_FREE_MAX, common.h's
 * MarchFreeList: poisoned under AddressSanitizer while they wait), reused
 * by rrb_node_alloc: chained persistent updates make and drop a few nodes
 * per operation, and without the lists pymalloc kept releasing and
 * re-faulting arenas on big vectors.
 */
#include "rrb_node.h"

#include <string.h>

/* the header word (height, flags, len, owner) is one word */
typedef char rrb_header_is_one_word[
    offsetof(MarchRRBNode, slots) == sizeof(PyObject) + 8 ? 1 : -1];

#define LEAF_SIZE offsetof(MarchRRBNode, count)
#define INNER_SIZE offsetof(MarchRRBNode, sizes)
#define RELAXED_SIZE (offsetof(MarchRRBNode, sizes) + RRB_M * sizeof(Py_ssize_t))

/* ------------------------------------------------------------------ */
/* owner ids                                                           */

static uint64_t rrb_owner_counter = 0;

uint64_t
march_rrb_new_owner(void)
{
    /* 45 bits: a new id per evolver and per persistent() call; atomic:
     * threads make evolvers at once (docs/threads.md) */
    const uint64_t mask = ((uint64_t)1 << 45) - 1;
    uint64_t id;
    do {
        id = MARCH_ATOMIC_ADD_U64(&rrb_owner_counter, 1) & mask;
    } while (id == 0);
    return id;
}

static inline void
rrb_node_set_owner(MarchRRBNode *n, uint64_t owner)
{
    assert(!RRB_IS_RAW(n));
    n->owner_hi = (unsigned int)(owner >> 32) & 0x1FFF;
    n->owner_lo = (uint32_t)owner;
}

/* ------------------------------------------------------------------ */
/* raw leaves                                                          */

/* A raw leaf is the block [&n->height, &n->slots[M]) of a MarchRRBNode
 * (RRB_RAW_BLOCK, RRB_RAW_SIZE: rrb_node.h).  Only atomic elements go into
 * raw leaves, so the cyclic GC has nothing to find in them and never needs
 * to see them (invariant 5). */

/* The blocks come from slabs: 256 KiB regions mapped aligned to their size,
 * cut into RRB_RAW_SIZE blocks (a slab is found from a block by masking),
 * so a leaf costs 264 bytes of memory, not the 272 of pymalloc's size
 * class.  Slabs with a free block are on a list; an empty slab is unmapped
 * (one is kept).  Builds with sanitizers or MARCH_DEBUG, and platforms
 * without mmap, take each block from PyMem_Malloc instead, so that the
 * memory tools and the allocation-failure tests see every leaf.  Blocks are
 * reported to tracemalloc (in its own domain) either way. */
#if !defined(MARCH_DEBUG) && (defined(__unix__) || defined(__APPLE__))
#define MARCH_RRB_SLABS 1
#else
#define MARCH_RRB_SLABS 0
#endif

/* slabs serve raw leaves only: none on a free-threaded build */
const int march_rrb_raw_slabs = MARCH_RRB_SLABS && MARCH_RRB_RAW;

#define RAW_TRACE_DOMAIN 0x6d617263u    /* "marc" */

#if MARCH_RRB_SLABS
#include <sys/mman.h>

#define SLAB_SIZE ((size_t)256 * 1024)
#define SLAB_HEADER 64
#define SLAB_BLOCKS ((SLAB_SIZE - SLAB_HEADER) / RRB_RAW_SIZE)

typedef struct RRBSlab {
    struct RRBSlab *prev, *next;    /* the list of slabs with a free block */
    void *free;                     /* freed blocks, linked through their
                                     * first word (poisoned past it under
                                     * AddressSanitizer while they wait) */
    size_t used;                    /* blocks handed out and not freed */
    size_t fresh;                   /* blocks never handed out start here */
} RRBSlab;

typedef char rrb_slab_header_fits[sizeof(RRBSlab) <= SLAB_HEADER ? 1 : -1];

static RRBSlab *rrb_slab_avail = NULL;  /* slabs with a free block */
static RRBSlab *rrb_slab_spare = NULL;  /* one empty slab, kept */

static RRBSlab *
rrb_slab_map(void)
{
    /* map twice the size and trim to an aligned slab */
    char *p = mmap(NULL, 2 * SLAB_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *a;
    size_t head;
    if (p == MAP_FAILED) {
        return NULL;
    }
    a = (char *)(((uintptr_t)p + SLAB_SIZE - 1) & ~(uintptr_t)(SLAB_SIZE - 1));
    head = (size_t)(a - p);
    if (head) {
        munmap(p, head);
    }
    munmap(a + SLAB_SIZE, SLAB_SIZE - head);
    return (RRBSlab *)a;
}

static void
rrb_slab_link(RRBSlab *s)
{
    s->prev = NULL;
    s->next = rrb_slab_avail;
    if (rrb_slab_avail != NULL) {
        rrb_slab_avail->prev = s;
    }
    rrb_slab_avail = s;
}

static void
rrb_slab_unlink(RRBSlab *s)
{
    if (s->prev != NULL) {
        s->prev->next = s->next;
    }
    else {
        rrb_slab_avail = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
}

static void *
rrb_raw_block_alloc(void)
{
    RRBSlab *s = rrb_slab_avail;
    void *b;
    if (s == NULL) {
        s = rrb_slab_spare != NULL ? rrb_slab_spare : rrb_slab_map();
        if (s == NULL) {
            return NULL;
        }
        rrb_slab_spare = NULL;
        s->free = NULL;
        s->used = 0;
        s->fresh = 0;
        rrb_slab_link(s);
    }
    if (s->free != NULL) {
        b = s->free;
        MARCH_UNPOISON(b, RRB_RAW_SIZE);
        s->free = *(void **)b;
    }
    else {
        b = (char *)s + SLAB_HEADER + s->fresh * RRB_RAW_SIZE;
        s->fresh++;
    }
    if (++s->used == SLAB_BLOCKS) {
        rrb_slab_unlink(s);
    }
    return b;
}

static void
rrb_raw_block_free(void *b)
{
    RRBSlab *s = (RRBSlab *)((uintptr_t)b & ~(uintptr_t)(SLAB_SIZE - 1));
    if (s->used == SLAB_BLOCKS) {
        rrb_slab_link(s);
    }
    *(void **)b = s->free;
    s->free = b;
    MARCH_POISON((char *)b + sizeof(void *), RRB_RAW_SIZE - sizeof(void *));
    if (--s->used == 0) {
        rrb_slab_unlink(s);
        if (rrb_slab_spare == NULL) {
            rrb_slab_spare = s;
        }
        else {
            MARCH_UNPOISON(s, SLAB_SIZE);
            munmap(s, SLAB_SIZE);
        }
    }
}
#else
static void *
rrb_raw_block_alloc(void)
{
    return PyMem_Malloc(RRB_RAW_SIZE);
}

static void
rrb_raw_block_free(void *b)
{
    PyMem_Free(b);
}
#endif

/* a new raw leaf: len 0, reference count 1 (NULL with MemoryError) */
static MarchRRBNode *
rrb_raw_new(void)
{
    void *b = rrb_raw_block_alloc();
    MarchRRBNode *n;
    if (b == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
#if MARCH_RRB_SLABS
    (void)PyTraceMalloc_Track(RAW_TRACE_DOMAIN, (uintptr_t)b, RRB_RAW_SIZE);
#endif
    n = RRB_RAW_NODE(b);
    n->height = 0;
    n->len = 0;
    n->flags = RRB_FLAG_RAW;
    n->owner_hi = 0;
    RRB_RAW_REFCNT(n) = 1;
    return n;
}

static void rrb_node_release(MarchRRBNode *n);

void
march_rrb_raw_dealloc(MarchRRBNode *n)
{
    /* atomic elements only: their deallocation cannot recurse deeply */
    int i, len = n->len;
    for (i = 0; i < len; i++) {
        Py_DECREF(n->slots[i]);
    }
    rrb_node_release(n);
}

static void
rrb_raw_free(MarchRRBNode *n)
{
    void *b = RRB_RAW_BLOCK(n);
#if MARCH_RRB_SLABS
    (void)PyTraceMalloc_Untrack(RAW_TRACE_DOMAIN, (uintptr_t)b);
#endif
    rrb_raw_block_free(b);
}

/* ------------------------------------------------------------------ */
/* node types                                                          */

/* Free lists, one per node type (like CPython's tuple free lists).  A
 * persistent update makes a few nodes and, in a chain of updates, drops as
 * many; reusing them saves the allocator calls and keeps pymalloc from
 * releasing and re-faulting arenas over and over (which it does for a
 * steady churn of these sizes on big vectors).  A block on a list is a
 * dead, untracked node of that type (a raw leaf: its block), linked
 * through its slot 0 (so that the object header stays as it was);
 * rrb_node_alloc revives it with PyObject_Init.  On GIL builds only
 * (MARCH_FREELISTS, common.h). */
#define NODE_FREE_MAX 256
enum { KIND_LEAF, KIND_LEAFGC, KIND_INNER, KIND_RELAXED, NKINDS };
static MarchFreeList rrb_node_free[NKINDS];

/* where the link of a block on a free list is, and the block's size */
#define NODE_LINK offsetof(MarchRRBNode, slots)
#define RAW_LINK (offsetof(MarchRRBNode, slots) - RRB_RAW_OFFSET)

static inline size_t
rrb_node_block_size(int kind)
{
    return kind == KIND_LEAF ? RRB_RAW_SIZE
        : kind == KIND_LEAFGC ? LEAF_SIZE
        : kind == KIND_INNER ? INNER_SIZE : RELAXED_SIZE;
}

static inline int
rrb_node_kind(const MarchRRBNode *n)
{
    PyTypeObject *t;
    if (RRB_IS_RAW(n)) {
        return KIND_LEAF;
    }
    t = Py_TYPE(n);
    return t == &MarchRRBLeafGC_Type ? KIND_LEAFGC
        : t == &MarchRRBInner_Type ? KIND_INNER : KIND_RELAXED;
}

/* the memory of dead node n: to its free list, or back to its allocator */
static void
rrb_node_release(MarchRRBNode *n)
{
    int kind = rrb_node_kind(n);
    if (kind == KIND_LEAF) {
        if (!MARCH_RRB_FREELISTS
                || !march_freelist_put(&rrb_node_free[kind], RRB_RAW_BLOCK(n),
                                       RAW_LINK, RRB_RAW_SIZE, NODE_FREE_MAX)) {
            rrb_raw_free(n);
        }
    }
    else if (!MARCH_RRB_FREELISTS
             || !march_freelist_put(&rrb_node_free[kind], n, NODE_LINK,
                                    rrb_node_block_size(kind), NODE_FREE_MAX)) {
        Py_TYPE(n)->tp_free((PyObject *)n);
    }
}

/* release the slots of a GC node: elements of a leaf, children otherwise */
static MARCH_ALWAYS_INLINE void
rrb_gcnode_release_slots(MarchRRBNode *n)
{
    int i, len = n->len;
    if (n->height == 0) {
        for (i = 0; i < len; i++) {
            Py_DECREF(n->slots[i]);
        }
    }
    else if (n->height == 1 && !march_rrb_node_tracked(n)) {
        /* untracked: every child is a raw leaf (invariant 5), so their
         * headers need not be read for their kind; measured a little
         * faster for a chain of sets (bench/notes-rrb.md, section 2;
         * docs/design-rrb.md, section 8) */
        for (i = 0; i < len; i++) {
            assert(RRB_IS_RAW(RRB_SLOT(n, i)));
            march_rrb_raw_decref(RRB_SLOT(n, i));
        }
    }
    else if (n->height == 1) {
        for (i = 0; i < len; i++) {
            march_rrb_node_decref(RRB_SLOT(n, i));
        }
    }
    else {
        /* children of height >= 1 are objects */
        for (i = 0; i < len; i++) {
            Py_DECREF(n->slots[i]);
        }
    }
}

static void
rrb_gcnode_dealloc(MarchRRBNode *n)
{
    if (!march_rrb_node_tracked(n)) {
        /* an untracked inner node: only atomic elements below it, so this
         * recursion is bounded by the tree height (no trashcan needed) */
        rrb_gcnode_release_slots(n);
        rrb_node_release(n);
        return;
    }
    PyObject_GC_UnTrack(n);
    Py_TRASHCAN_BEGIN(n, rrb_gcnode_dealloc)
    rrb_gcnode_release_slots(n);
    rrb_node_release(n);
    Py_TRASHCAN_END
}

static int
rrb_gcnode_traverse(MarchRRBNode *n, visitproc visit, void *arg)
{
    int i;
    for (i = 0; i < n->len; i++) {
        /* raw leaves hold atomic elements only: nothing to visit */
        if (n->height == 1 && RRB_IS_RAW(RRB_SLOT(n, i))) {
            continue;
        }
        Py_VISIT(n->slots[i]);
    }
    return 0;
}

#define NODE_TYPE(cname, pyname, size, flags, dealloc, traverse)        \
    PyTypeObject cname = {                                              \
        PyVarObject_HEAD_INIT(NULL, 0)                                  \
        .tp_name = pyname,                                              \
        .tp_basicsize = (Py_ssize_t)(size),                             \
        .tp_dealloc = (destructor)(dealloc),                            \
        .tp_flags = Py_TPFLAGS_DEFAULT | (flags),                       \
        .tp_traverse = (traverseproc)(traverse),                        \
    }

#if RRB_BITS == 5
#define MODNAME "march._rrb"
#else
#define MODNAME "march._rrb4"
#endif

NODE_TYPE(MarchRRBLeafGC_Type, MODNAME ".LeafGC", LEAF_SIZE,
          Py_TPFLAGS_HAVE_GC, rrb_gcnode_dealloc, rrb_gcnode_traverse);
NODE_TYPE(MarchRRBInner_Type, MODNAME ".Inner", INNER_SIZE,
          Py_TPFLAGS_HAVE_GC, rrb_gcnode_dealloc, rrb_gcnode_traverse);
NODE_TYPE(MarchRRBRelaxed_Type, MODNAME ".RelaxedInner", RELAXED_SIZE,
          Py_TPFLAGS_HAVE_GC, rrb_gcnode_dealloc, rrb_gcnode_traverse);

/* a new node of one of the three types or a raw leaf (from its free list if
 * possible); a raw leaf comes with its header set (len 0) */
static inline MarchRRBNode *
rrb_node_alloc(int kind, PyTypeObject *type)
{
#if MARCH_RRB_FREELISTS
    if (kind == KIND_LEAF) {
        void *b = march_freelist_take(&rrb_node_free[kind], RAW_LINK,
                                      RRB_RAW_SIZE);
        if (b != NULL) {
            MarchRRBNode *n = RRB_RAW_NODE(b);
            n->len = 0;
            n->flags = RRB_FLAG_RAW;
            RRB_RAW_REFCNT(n) = 1;
            return n;
        }
    }
    else {
        MarchRRBNode *n = march_freelist_take(&rrb_node_free[kind], NODE_LINK,
                                              rrb_node_block_size(kind));
        if (n != NULL) {
            PyObject_Init((PyObject *)n, type);
            return n;
        }
    }
#endif
    if (kind == KIND_LEAF) {
        return rrb_raw_new();
    }
    return PyObject_GC_New(MarchRRBNode, type);
}

int
march_rrb_node_ready(void)
{
    if (PyType_Ready(&MarchRRBLeafGC_Type) < 0
            || PyType_Ready(&MarchRRBInner_Type) < 0
            || PyType_Ready(&MarchRRBRelaxed_Type) < 0) {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* making nodes                                                        */

MarchRRBNode *
march_rrb_leaf_new(int gc, uint64_t owner)
{
    MarchRRBNode *n;
    if (!gc && MARCH_RRB_RAW) {
        /* raw: no owner (see march_rrb_raw_owned) */
        return rrb_node_alloc(KIND_LEAF, NULL);
    }
    n = rrb_node_alloc(KIND_LEAFGC, &MarchRRBLeafGC_Type);
    if (n == NULL) {
        return NULL;
    }
    n->height = 0;
    n->len = 0;
    n->flags = 0;
    rrb_node_set_owner(n, owner);
    return n;
}

int
march_rrb_items_atomic(PyObject *const *items, Py_ssize_t k)
{
    Py_ssize_t i;
    for (i = 0; i < k; i++) {
        if (!march_is_atomic(items[i])) {
            return 0;
        }
    }
    return 1;
}

MarchRRBNode *
march_rrb_leaf_copy_of(int gc, PyObject *const *items, Py_ssize_t k)
{
    Py_ssize_t i;
    MarchRRBNode *n = march_rrb_leaf_new(gc, 0);
    if (n == NULL) {
        return NULL;
    }
    memcpy(n->slots, items, k * sizeof(PyObject *));
    for (i = 0; i < k; i++) {
        Py_INCREF(items[i]);
    }
    n->len = (uint8_t)k;
    return march_rrb_leaf_done(n);
}

/* An empty inner node of `height` (not yet tracked). */
static MarchRRBNode *
rrb_inner_new(int height, int relaxed, uint64_t owner)
{
    MarchRRBNode *n = relaxed
        ? rrb_node_alloc(KIND_RELAXED, &MarchRRBRelaxed_Type)
        : rrb_node_alloc(KIND_INNER, &MarchRRBInner_Type);
    if (n == NULL) {
        return NULL;
    }
    n->height = (uint8_t)height;
    n->len = 0;
    n->flags = 0;
    n->count = 0;
    rrb_node_set_owner(n, owner);
    return n;
}

/* children kids[0..k) of a height-h node dense-left (no size table needed)? */
static int
rrb_inner_dense(int h, MarchRRBNode *const *kids, int k)
{
    Py_ssize_t cap = RRB_CAP(h);
    int j;
    for (j = 0; j < k; j++) {
        if (RRB_IS_RELAXED(kids[j]) || (j < k - 1 && RRB_NCOUNT(kids[j]) != cap)) {
            return 0;
        }
    }
    return 1;
}

MarchRRBNode *
march_rrb_inner_make(int h, MarchRRBNode *const *kids, int k, uint64_t owner)
{
    MarchRRBNode *n;
    Py_ssize_t total = 0;
    int j, relaxed, tracked = 0;
    assert(h > 0 && k >= 1 && k <= RRB_M);
    if (h >= RRB_MAX_HEIGHT) {
        /* the radix shifts (BITS * h) and capacities (RRB_CAP) would pass
         * 63 bits: only a relaxed tree of about 2**60 elements or more
         * (made by structure sharing) can get this high */
        PyErr_SetString(PyExc_OverflowError, "vector tree too high");
        return NULL;
    }
    relaxed = !rrb_inner_dense(h, kids, k);
    n = rrb_inner_new(h, relaxed, owner);
    if (n == NULL) {
        return NULL;
    }
    for (j = 0; j < k; j++) {
        assert(kids[j]->height == h - 1);
        march_rrb_node_incref(kids[j]);
        n->slots[j] = (PyObject *)kids[j];
        total += RRB_NCOUNT(kids[j]);
        if (relaxed) {
            n->sizes[j] = total;
        }
        if (!tracked) {
            tracked = march_rrb_node_tracked(kids[j]);
        }
    }
    n->len = (uint8_t)k;
    n->count = total;
    if (tracked) {
        march_rrb_node_track(n);
    }
    return n;
}

MarchRRBNode *
march_rrb_node_copy(MarchRRBNode *n, uint64_t owner)
{
    MarchRRBNode *c;
    int j;
    if (n->height == 0) {
        c = march_rrb_leaf_new(RRB_IS_GCLEAF(n), owner);
    }
    else {
        c = rrb_inner_new(n->height, RRB_IS_RELAXED(n), owner);
    }
    if (c == NULL) {
        return NULL;
    }
    if (n->height == 0) {
        for (j = 0; j < n->len; j++) {
            Py_INCREF(n->slots[j]);
            c->slots[j] = n->slots[j];
        }
        c->len = n->len;
        return march_rrb_leaf_done(c);
    }
    if (n->height == 1) {
        for (j = 0; j < n->len; j++) {
            march_rrb_node_incref(RRB_SLOT(n, j));
            c->slots[j] = n->slots[j];
        }
    }
    else {
        /* children of height >= 1 are objects */
        for (j = 0; j < n->len; j++) {
            Py_INCREF(n->slots[j]);
            c->slots[j] = n->slots[j];
        }
    }
    c->len = n->len;
    c->count = n->count;
    if (RRB_IS_RELAXED(n)) {
        memcpy(c->sizes, n->sizes, n->len * sizeof(Py_ssize_t));
    }
    if (march_rrb_node_tracked(n)) {
        march_rrb_node_track(c);
    }
    return c;
}

MarchRRBNode *
march_rrb_leaf_editable(MarchRRBNode *n, int len, uint64_t owner, int path,
                        int need_gc)
{
    MarchRRBNode *c;
    int j;
    if (march_rrb_leaf_owned(n, len, owner, path)
            && (!need_gc || RRB_IS_GCLEAF(n))) {
        march_rrb_node_incref(n);
        return n;
    }
    c = march_rrb_leaf_new(need_gc || RRB_IS_GCLEAF(n), owner);
    if (c == NULL) {
        return NULL;
    }
    for (j = 0; j < len; j++) {
        Py_INCREF(n->slots[j]);
        c->slots[j] = n->slots[j];
    }
    c->len = (uint8_t)len;
    return march_rrb_leaf_done(c);
}

MarchRRBNode *
march_rrb_inner_editable_relaxed(MarchRRBNode *n, uint64_t owner)
{
    MarchRRBNode *c;
    Py_ssize_t total = 0;
    int j;
    if (RRB_IS_RELAXED(n)) {
        return march_rrb_node_editable(n, owner);
    }
    c = rrb_inner_new(n->height, 1, owner);
    if (c == NULL) {
        return NULL;
    }
    for (j = 0; j < n->len; j++) {
        march_rrb_node_incref(RRB_SLOT(n, j));
        c->slots[j] = n->slots[j];
        total += RRB_NCOUNT(RRB_SLOT(n, j));
        c->sizes[j] = total;
    }
    c->len = n->len;
    c->count = n->count;
    if (march_rrb_node_tracked(n)) {
        march_rrb_node_track(c);
    }
    return c;
}
