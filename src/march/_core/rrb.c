/*
 * rrb.c -- march's persistent vector: an RRB tree (relaxed radix balanced
 * tree, Bagwell & Rompf 2011; L'orange 2014) with a tail buffer.
 *
 * This file holds the algorithms only (nodes, lookup, set, push/pop with the
 * tail, concatenation with rebalancing, slicing, insert/delete, the
 * invariant checker).  The Python types are in rrbmodule.c.  The pure-Python
 * twin src/march/_pure/rrb.py is the same structure in Python, function for
 * function (its names in brackets below); each explains the other, and
 * docs/design-rrb.md discusses the design.
 *
 * Branching
 * ---------
 * M = 2**BITS slots per node, BITS = MARCH_RRB_BITS: 5 (M = 32) for
 * march._rrb, 2 (M = 4) for march._rrb4 (deep trees from small vectors,
 * for the tests).  A node of height h holds at most M**(h+1) elements.
 *
 * Node layout (MarchRRBNode, rrb.h)
 * ---------------------------------
 *   PyObject_HEAD | height:u8 len:u8 flags:3 owner:45 | slots[M] | count | sizes[M]
 * The first word after the object header carries the height (0: leaf), the
 * number of slots in use, flags (RRB_FLAG_BUF: a tail buffer, below;
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
 * nodes, and the header is never read (RRB_IS_RAW is tested first: node_kind,
 * node_incref/node_decref, RRB_IS_RELAXED, RRB_IS_GCLEAF).  It has no owner:
 * owner_lo is its reference count.  Its elements are atomic (they cannot
 * hold references), so the cyclic GC has nothing to find in it and never
 * sees it: inner nodes and vectors skip raw children in tp_traverse.  The
 * other nodes are objects, so that sharing between vectors is reference
 * counting and the cyclic GC sees each shared edge exactly once.  Raw leaves
 * come from 256 KiB slabs of 264-byte blocks (see "raw leaves" below), so a
 * vector of atomic elements costs about 8.6 bytes per element.
 *
 * A vector (MarchRRB) is count, root and tail: the tree holds elements
 * [0, count - tail length), the tail leaf the last 1..M (NULL iff empty).
 *
 * The tail buffer [C only; the twin copies its tail]
 * --------------------------------------------------
 * The tail length is count - (elements in the tree), not tail->len: the tail
 * is a buffer whose len is its fill.  A leaf made by push carries
 * RRB_FLAG_BUF; pushing onto a vector whose tail is such a buffer with
 * fill == tail length < M writes the element into the next slot in place
 * (under the GIL): the vectors sharing the buffer each see only their own
 * tail length, and a later push from an older one finds the fill ahead of
 * its length and copies.  So chained persistent appends are O(1), one
 * allocation (the Vector object).  A partial buffer never becomes a tree
 * leaf (tail_as_leaf copies it), so tree leaves are never written in place;
 * a non-atomic element is never written into a raw (non-GC) buffer; owned
 * (evolver) tails keep fill == tail length; set and pop on a shared tail
 * copy exactly the tail length.  Slots past every live vector's length stay
 * referenced until the buffer dies (at most M - 1).
 *
 * Free lists
 * ----------
 * Each node type keeps a free list of dead nodes (NODE_FREE_MAX), reused by
 * node_alloc: chained persistent updates make and drop a few nodes per
 * operation, and without the lists pymalloc kept releasing and re-faulting
 * arenas on big vectors.
 *
 * Invariants (march_rrb_check verifies all of them) [_check_node]
 * ----------------------------------------------------------------
 * 1. Every tree node has 1..M slots; children of a node of height h have
 *    height h-1; counts add up; a size table is cumulative and exact.  A root
 *    of height > 0 has at least two children (single-child roots are always
 *    stripped).
 * 2. Balanced nodes are dense-left: a node without a size table has only
 *    balanced children and all but its last child are full (M**h elements
 *    under a parent of height h), so index i is found by the radix walk
 *    (i >> BITS*h) & (M-1).  Nodes are built canonically (mknode drops the
 *    size table when the children are dense), so vectors built by appends
 *    never carry size tables; a relaxed node edited in place by an evolver
 *    may become dense and keep its table (harmless).
 * 3. Search-step bound (E_MAX = 2): the interior children of a node (all but
 *    the first and the last) have a total shortfall sum(M - len) below
 *    (E_MAX+1)*M.  Edge children are exempt because cutting a tree only
 *    shrinks edge children; concatenation, which makes edge nodes interior,
 *    rebalances each merged level to the stronger whole-list bound (fit).
 *    Appends keep it: a leaf is pushed into the tree only after the tree's
 *    last leaf was topped up to M elements (top_up).
 * 4. Relaxed lookup starts at the radix guess j = i >> BITS*h (a lower bound:
 *    no child holds more than M**h) and steps forward while sizes[j] <= i.
 * 5. GC (common.h): a raw leaf holds atomic elements only; a GC leaf is
 *    tracked; an inner node is tracked iff (at least) one child is tracked.
 *    Copies inherit the GC state of what they copy (conservative).
 *
 * Persistence and evolvers (transients)
 * -------------------------------------
 * Persistent edits copy the path they change and share the rest.  An
 * evolver has an owner id; nodes it copied carry that id and it edits them in
 * place afterwards (set, push, pop).  An owned node is reachable only from
 * its evolver, and the parent of an owned node is owned.  A raw leaf has no
 * owner: the evolver edits it in place when every node above it is owned
 * (or it is the evolver's tail or root) and its reference count is 1 (that
 * one reference is then the owned parent's, or the evolver's own), and for a
 * tail when its fill is the tail length (raw_owned).  persistent() gives
 * the evolver a new id, so every node shared with the returned Vector is
 * frozen.  A size table is part of its node (inline), so it is copied with
 * it and can never be shared.  Concatenation and slicing never edit in
 * place; the evolver runs them persistently and swaps the result in.
 * Errors (MemoryError, and OverflowError when a count would pass
 * PY_SSIZE_T_MAX: count_room, asked by push, insert and concat before they
 * change anything) leave the input unchanged: in-place writes happen only
 * after every allocation an edit needs has succeeded.  An edit in place
 * sets count, root and tail before it releases the nodes it replaced, so
 * that a __del__ run by that release sees a whole value.
 * set and pop never drop the last reference to the element they remove while
 * they run (the caller holds one), so no __del__ runs in the middle of an
 * edit and sees a half-edited structure.
 *
 * Concatenation [_concat, _concat_trees, _merge, _rebalance, _fit,
 * _redistribute]
 * -------------------------------------------------------------------------
 * a's tail becomes a (possibly partial) leaf at the seam, then the right edge
 * of a's tree is merged with the left edge of b's tree level by level, from
 * the leaves up: at each level the children of the two edge nodes plus the
 * 1-2 nodes returned by the level below are rebalanced (the plan of
 * Bagwell/Rompf and L'orange: skip nodes with >= M - E_MAX/2 slots; spread
 * the first sparser node's slots over its right neighbours; repeat until the
 * whole list's shortfall is below (E_MAX+1)*M), then regrouped into 1 or 2
 * nodes.  Nodes whose slot range is unchanged are reused.  b's tail stays the
 * tail.  If b is only a tail, the two tails are joined instead (a full leaf
 * is pushed if they overflow).  O(M^2 log n) work, O(log n) new nodes.
 *
 * Insert [_insert, _roomy_neighbour]
 * ----------------------------------
 * A direct path insert: the leaf gets the element; a full leaf shares its
 * M + 1 elements evenly with a neighbour that has room, or else splits into
 * halves; each parent on the path takes the 1-2 nodes, is refitted (fit,
 * interior bound) when its interior became too sparse, and splits into
 * halves when it has M + 1 children; a split root gets a new root.  In the
 * tail, the tail gets the element and pushes a full leaf if it overflows.
 * O(M log n); the twin builds the same shapes.
 *
 * Slicing [_take, _drop, _slice, _lower]
 * --------------------------------------
 * take(k) keeps the first k elements, drop(i) removes the first i: each
 * copies one path, sharing everything else.  The last leaf of the cut tree
 * becomes the tail; single-child roots are stripped, and a root left with a
 * thin cut edge is re-concatenated so the height follows the contents.
 * delete is a slice or two and a concatenation.
 */
#include "rrb.h"

#include <stddef.h>
#include <string.h>

/* the header word (height, flags, len, owner) is one word */
typedef char rrb_header_is_one_word[
    offsetof(MarchRRBNode, slots) == sizeof(PyObject) + 8 ? 1 : -1];

#define CAP(h) ((Py_ssize_t)1 << (RRB_BITS * (h)))     /* elements in a full child of a height-h node */
#define SKIP (RRB_M - RRB_EMAX / 2)
#define MAX_SHORTFALL ((RRB_EMAX + 1) * RRB_M)
#define NCOUNT(n) march_rrb_node_count(n)
#define SLOT(n, j) ((MarchRRBNode *)(n)->slots[j])
#define LEAF_SIZE offsetof(MarchRRBNode, count)
#define INNER_SIZE offsetof(MarchRRBNode, sizes)
#define RELAXED_SIZE (offsetof(MarchRRBNode, sizes) + RRB_M * sizeof(Py_ssize_t))

/* ------------------------------------------------------------------ */
/* owner ids                                                           */

static uint64_t owner_counter = 0;

uint64_t
march_rrb_new_owner(void)
{
    /* 45 bits: a new id per evolver and per persistent() call */
    owner_counter = (owner_counter + 1) & (((uint64_t)1 << 45) - 1);
    if (owner_counter == 0) {
        owner_counter = 1;
    }
    return owner_counter;
}

/* the owner of n (0 for a raw leaf: its owner_lo is its reference count) */
static inline uint64_t
node_owner(const MarchRRBNode *n)
{
    if (RRB_IS_RAW(n)) {
        return 0;
    }
    return ((uint64_t)n->owner_hi << 32) | n->owner_lo;
}

static inline void
set_owner(MarchRRBNode *n, uint64_t owner)
{
    assert(!RRB_IS_RAW(n));
    n->owner_hi = (unsigned int)(owner >> 32) & 0x1FFF;
    n->owner_lo = (uint32_t)owner;
}

static inline int
owned(const MarchRRBNode *n, uint64_t owner)
{
    return owner != 0 && node_owner(n) == owner;
}

/* ------------------------------------------------------------------ */
/* element counts                                                      */

/* -1 with OverflowError when a vector of `count` elements cannot take `add`
 * more (counts are Py_ssize_t, as for list): push, insert and concat ask
 * before they change anything, so a vector never lies about its length */
static int
count_room(Py_ssize_t count, Py_ssize_t add)
{
    if (add > PY_SSIZE_T_MAX - count) {
        PyErr_SetString(PyExc_OverflowError,
                        "a vector cannot hold more than sys.maxsize elements");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* raw leaves                                                          */

/* A raw leaf is the block [&n->height, &n->slots[M]) of a MarchRRBNode:
 * 8 + 8M bytes (264 for M = 32), against 16 more for a leaf that is a
 * Python object.  Only atomic elements go into raw leaves, so the cyclic GC
 * has nothing to find in them and never needs to see them (invariant 5).
 * Its reference count is owner_lo; it saturates at UINT32_MAX (the leaf is
 * then never freed) rather than wrap. */
#define RAW_OFFSET offsetof(MarchRRBNode, height)
#define RAW_SIZE (offsetof(MarchRRBNode, slots) + RRB_M * sizeof(PyObject *) \
                  - RAW_OFFSET)
#define RAW_REFCNT(n) ((n)->owner_lo)
#define RAW_NODE(block) ((MarchRRBNode *)((char *)(block) - RAW_OFFSET))
#define RAW_BLOCK(n) ((void *)((char *)(n) + RAW_OFFSET))

/* The blocks come from slabs: 256 KiB regions mapped aligned to their size,
 * cut into RAW_SIZE blocks (a slab is found from a block by masking), so a
 * leaf costs 264 bytes of memory, not the 272 of pymalloc's size class.
 * Slabs with a free block are on a list; an empty slab is unmapped (one is
 * kept).  Builds with sanitizers or MARCH_DEBUG, and platforms without
 * mmap, take each block from PyMem_Malloc instead, so that the memory tools
 * and the allocation-failure tests see every leaf.  Blocks are reported to
 * tracemalloc (in its own domain) either way. */
#if !defined(MARCH_DEBUG) && (defined(__unix__) || defined(__APPLE__))
#define MARCH_RRB_SLABS 1
#else
#define MARCH_RRB_SLABS 0
#endif

const int march_rrb_raw_slabs = MARCH_RRB_SLABS;

#define RAW_TRACE_DOMAIN 0x6d617263u    /* "marc" */

#if MARCH_RRB_SLABS
#include <sys/mman.h>

#define SLAB_SIZE ((size_t)256 * 1024)
#define SLAB_HEADER 64
#define SLAB_BLOCKS ((SLAB_SIZE - SLAB_HEADER) / RAW_SIZE)

typedef struct Slab {
    struct Slab *prev, *next;   /* the list of slabs with a free block */
    void *free;                 /* freed blocks, linked through slot 0 */
    size_t used;                /* blocks handed out and not freed */
    size_t fresh;               /* blocks never handed out start here */
} Slab;

typedef char slab_header_fits[sizeof(Slab) <= SLAB_HEADER ? 1 : -1];

static Slab *slab_avail = NULL;     /* slabs with a free block */
static Slab *slab_spare = NULL;     /* one empty slab, kept */

static Slab *
slab_map(void)
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
    return (Slab *)a;
}

static void
slab_link(Slab *s)
{
    s->prev = NULL;
    s->next = slab_avail;
    if (slab_avail != NULL) {
        slab_avail->prev = s;
    }
    slab_avail = s;
}

static void
slab_unlink(Slab *s)
{
    if (s->prev != NULL) {
        s->prev->next = s->next;
    }
    else {
        slab_avail = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
}

static void *
raw_block_alloc(void)
{
    Slab *s = slab_avail;
    void *b;
    if (s == NULL) {
        s = slab_spare != NULL ? slab_spare : slab_map();
        if (s == NULL) {
            return NULL;
        }
        slab_spare = NULL;
        s->free = NULL;
        s->used = 0;
        s->fresh = 0;
        slab_link(s);
    }
    if (s->free != NULL) {
        b = s->free;
        s->free = *(void **)b;
    }
    else {
        b = (char *)s + SLAB_HEADER + s->fresh * RAW_SIZE;
        s->fresh++;
    }
    if (++s->used == SLAB_BLOCKS) {
        slab_unlink(s);
    }
    return b;
}

static void
raw_block_free(void *b)
{
    Slab *s = (Slab *)((uintptr_t)b & ~(uintptr_t)(SLAB_SIZE - 1));
    if (s->used == SLAB_BLOCKS) {
        slab_link(s);
    }
    *(void **)b = s->free;
    s->free = b;
    if (--s->used == 0) {
        slab_unlink(s);
        if (slab_spare == NULL) {
            slab_spare = s;
        }
        else {
            munmap(s, SLAB_SIZE);
        }
    }
}
#else
static void *
raw_block_alloc(void)
{
    return PyMem_Malloc(RAW_SIZE);
}

static void
raw_block_free(void *b)
{
    PyMem_Free(b);
}
#endif

/* a new raw leaf: len 0, reference count 1 (NULL with MemoryError) */
static MarchRRBNode *
raw_new(void)
{
    void *b = raw_block_alloc();
    MarchRRBNode *n;
    if (b == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
#if MARCH_RRB_SLABS
    (void)PyTraceMalloc_Track(RAW_TRACE_DOMAIN, (uintptr_t)b, RAW_SIZE);
#endif
    n = RAW_NODE(b);
    n->height = 0;
    n->len = 0;
    n->flags = RRB_FLAG_RAW;
    n->owner_hi = 0;
    RAW_REFCNT(n) = 1;
    return n;
}

static void node_release(MarchRRBNode *n);

/* the last reference to raw leaf n is gone */
static void
raw_dealloc(MarchRRBNode *n)
{
    /* atomic elements only: their deallocation cannot recurse deeply */
    int i, len = n->len;
    for (i = 0; i < len; i++) {
        Py_DECREF(n->slots[i]);
    }
    node_release(n);
}

static void
raw_free(MarchRRBNode *n)
{
    void *b = RAW_BLOCK(n);
#if MARCH_RRB_SLABS
    (void)PyTraceMalloc_Untrack(RAW_TRACE_DOMAIN, (uintptr_t)b);
#endif
    raw_block_free(b);
}

/* is node n tracked by the GC (a raw leaf never is) */
static inline int
node_tracked(const MarchRRBNode *n)
{
    return n->flags & RRB_FLAG_TRACKED;
}

/* Reference counting of nodes (which may be raw leaves).  Elements are
 * objects and use Py_INCREF / Py_DECREF. */
static inline void
raw_incref(MarchRRBNode *n)
{
    if (RAW_REFCNT(n) != UINT32_MAX) {
        RAW_REFCNT(n)++;
    }
}

static inline void
raw_decref(MarchRRBNode *n)
{
    uint32_t r = RAW_REFCNT(n);
    if (r == 1) {
        raw_dealloc(n);
    }
    else if (r != UINT32_MAX) {
        RAW_REFCNT(n) = r - 1;
    }
}

static inline void
node_incref(MarchRRBNode *n)
{
    if (RRB_IS_RAW(n)) {
        raw_incref(n);
    }
    else {
        Py_INCREF(n);
    }
}

static inline void
node_decref(MarchRRBNode *n)
{
    if (RRB_IS_RAW(n)) {
        raw_decref(n);
    }
    else {
        Py_DECREF(n);
    }
}

static inline void
node_xdecref(MarchRRBNode *n)
{
    if (n != NULL) {
        node_decref(n);
    }
}

static inline void
node_xincref(MarchRRBNode *n)
{
    if (n != NULL) {
        node_incref(n);
    }
}

/* *p = n (stolen), releasing the node *p held */
#define NODE_SETREF(p, n)                       \
    do {                                        \
        MarchRRBNode *old_ = (p);               \
        (p) = (n);                              \
        node_decref(old_);                      \
    } while (0)
#define NODE_XSETREF(p, n)                      \
    do {                                        \
        MarchRRBNode *old_ = (p);               \
        (p) = (n);                              \
        node_xdecref(old_);                     \
    } while (0)
#define NODE_CLEAR(p) NODE_XSETREF(p, NULL)
/* slot j of inner node n = child c (stolen), releasing the old child */
#define SLOT_SETREF(n, j, c)                    \
    do {                                        \
        MarchRRBNode *old_ = SLOT(n, j);        \
        (n)->slots[j] = (PyObject *)(c);        \
        node_decref(old_);                      \
    } while (0)

/* may `owner` edit raw leaf n in place?  `path`: every node above n is
 * owned (or n is the tail or root of the owner's own value); `len`: the
 * leaf's elements in the value (a tail buffer may hold more) */
static inline int
raw_owned(const MarchRRBNode *n, int len, uint64_t owner, int path)
{
    return owner != 0 && path && RAW_REFCNT(n) == 1 && n->len == len;
}

/* ------------------------------------------------------------------ */
/* node types                                                          */

/* Free lists, one per node type (like CPython's tuple free lists).  A
 * persistent update makes a few nodes and, in a chain of updates, drops as
 * many; reusing them saves the allocator calls and keeps pymalloc from
 * releasing and re-faulting arenas over and over (which it does for a
 * steady churn of these sizes on big vectors).  A block on a list is a
 * dead, untracked node of that type; node_alloc revives it. */
#define NODE_FREE_MAX 256
enum { KIND_LEAF, KIND_LEAFGC, KIND_INNER, KIND_RELAXED, NKINDS };
static MarchRRBNode *node_free[NKINDS][NODE_FREE_MAX];
static int node_nfree[NKINDS];

static inline int
node_kind(const MarchRRBNode *n);

static void
node_release(MarchRRBNode *n)
{
    int kind = node_kind(n);
    if (MARCH_RRB_FREELISTS && node_nfree[kind] < NODE_FREE_MAX) {
        node_free[kind][node_nfree[kind]++] = n;
    }
    else if (kind == KIND_LEAF) {
        raw_free(n);
    }
    else {
        Py_TYPE(n)->tp_free((PyObject *)n);
    }
}

/* release the slots of a GC node: elements of a leaf, children otherwise */
static inline void
gcnode_release_slots(MarchRRBNode *n)
{
    int i, len = n->len;
    if (n->height == 0) {
        for (i = 0; i < len; i++) {
            Py_DECREF(n->slots[i]);
        }
    }
    else if (n->height == 1 && !node_tracked(n)) {
        /* untracked: every child is a raw leaf (invariant 5), so their
         * headers need not be read for their kind; measured a little
         * faster for a chain of sets (docs/design-rrb.md, section 8) */
        for (i = 0; i < len; i++) {
            assert(RRB_IS_RAW(SLOT(n, i)));
            raw_decref(SLOT(n, i));
        }
    }
    else if (n->height == 1) {
        for (i = 0; i < len; i++) {
            node_decref(SLOT(n, i));
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
gcnode_dealloc(MarchRRBNode *n)
{
    if (!node_tracked(n)) {
        /* an untracked inner node: only atomic elements below it, so this
         * recursion is bounded by the tree height (no trashcan needed) */
        gcnode_release_slots(n);
        node_release(n);
        return;
    }
    PyObject_GC_UnTrack(n);
    Py_TRASHCAN_BEGIN(n, gcnode_dealloc)
    gcnode_release_slots(n);
    node_release(n);
    Py_TRASHCAN_END
}

static int
gcnode_traverse(MarchRRBNode *n, visitproc visit, void *arg)
{
    int i;
    for (i = 0; i < n->len; i++) {
        /* raw leaves hold atomic elements only: nothing to visit */
        if (n->height == 1 && RRB_IS_RAW(SLOT(n, i))) {
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
          Py_TPFLAGS_HAVE_GC, gcnode_dealloc, gcnode_traverse);
NODE_TYPE(MarchRRBInner_Type, MODNAME ".Inner", INNER_SIZE,
          Py_TPFLAGS_HAVE_GC, gcnode_dealloc, gcnode_traverse);
NODE_TYPE(MarchRRBRelaxed_Type, MODNAME ".RelaxedInner", RELAXED_SIZE,
          Py_TPFLAGS_HAVE_GC, gcnode_dealloc, gcnode_traverse);

static inline int
node_kind(const MarchRRBNode *n)
{
    PyTypeObject *t;
    if (RRB_IS_RAW(n)) {
        return KIND_LEAF;
    }
    t = Py_TYPE(n);
    return t == &MarchRRBLeafGC_Type ? KIND_LEAFGC
        : t == &MarchRRBInner_Type ? KIND_INNER : KIND_RELAXED;
}

/* a new node of one of the three types or a raw leaf (from its free list if
 * possible); a raw leaf comes with its header set (len 0) */
static inline MarchRRBNode *
node_alloc(int kind, PyTypeObject *type)
{
    MarchRRBNode *n;
#if MARCH_RRB_FREELISTS
    if (node_nfree[kind] > 0) {
        n = node_free[kind][--node_nfree[kind]];
        if (kind == KIND_LEAF) {
            n->len = 0;
            n->flags = RRB_FLAG_RAW;
            RAW_REFCNT(n) = 1;
        }
        else {
            _Py_NewReference((PyObject *)n);
        }
        return n;
    }
#endif
    if (kind == KIND_LEAF) {
        return raw_new();
    }
    return PyObject_GC_New(MarchRRBNode, type);
}

int
march_rrb_ready(void)
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

/* track n (a GC node type, not yet tracked) */
static inline void
node_track(MarchRRBNode *n)
{
    n->flags |= RRB_FLAG_TRACKED;
    PyObject_GC_Track(n);
}

/* an inner node that now holds child c: tracked if c is */
static inline void
track_for(MarchRRBNode *n, const MarchRRBNode *c)
{
    if (node_tracked(c) && !node_tracked(n)) {
        node_track(n);
    }
}

/* An empty leaf (len 0, not yet tracked: call leaf_done once filled). */
static MarchRRBNode *
leaf_new(int gc, uint64_t owner)
{
    MarchRRBNode *n;
    if (!gc && MARCH_RRB_RAW) {
        /* raw: no owner (see raw_owned) */
        return node_alloc(KIND_LEAF, NULL);
    }
    n = node_alloc(KIND_LEAFGC, &MarchRRBLeafGC_Type);
    if (n == NULL) {
        return NULL;
    }
    n->height = 0;
    n->len = 0;
    n->flags = 0;
    set_owner(n, owner);
    return n;
}

static inline MarchRRBNode *
leaf_done(MarchRRBNode *n)
{
    if (RRB_IS_GCLEAF(n)) {
        node_track(n);
    }
    return n;
}

static int
items_atomic(PyObject *const *items, Py_ssize_t k)
{
    Py_ssize_t i;
    for (i = 0; i < k; i++) {
        if (!march_is_atomic(items[i])) {
            return 0;
        }
    }
    return 1;
}

/* A leaf holding items[0..k) (new references), typed by its contents. */
static MarchRRBNode *
leaf_make(PyObject *const *items, Py_ssize_t k, uint64_t owner)
{
    Py_ssize_t i;
    MarchRRBNode *n = leaf_new(!items_atomic(items, k), owner);
    if (n == NULL) {
        return NULL;
    }
    for (i = 0; i < k; i++) {
        Py_INCREF(items[i]);
        n->slots[i] = items[i];
    }
    n->len = (uint8_t)k;
    return leaf_done(n);
}

/* A leaf over items[0..k) (new references), a GC leaf if gc (the items
 * are not checked: for copies of a leaf's slots plus known elements). */
static MarchRRBNode *
leaf_copy_of(int gc, PyObject *const *items, Py_ssize_t k)
{
    Py_ssize_t i;
    MarchRRBNode *n = leaf_new(gc, 0);
    if (n == NULL) {
        return NULL;
    }
    memcpy(n->slots, items, k * sizeof(PyObject *));
    for (i = 0; i < k; i++) {
        Py_INCREF(items[i]);
    }
    n->len = (uint8_t)k;
    return leaf_done(n);
}

/* An empty inner node of `height` (not yet tracked). */
static MarchRRBNode *
inner_new(int height, int relaxed, uint64_t owner)
{
    MarchRRBNode *n = relaxed
        ? node_alloc(KIND_RELAXED, &MarchRRBRelaxed_Type)
        : node_alloc(KIND_INNER, &MarchRRBInner_Type);
    if (n == NULL) {
        return NULL;
    }
    n->height = (uint8_t)height;
    n->len = 0;
    n->flags = 0;
    n->count = 0;
    set_owner(n, owner);
    return n;
}

/* children kids[0..k) of a height-h node dense-left (no size table needed)? */
static int
dense(int h, MarchRRBNode *const *kids, int k)
{
    Py_ssize_t cap = CAP(h);
    int j;
    for (j = 0; j < k; j++) {
        if (RRB_IS_RELAXED(kids[j]) || (j < k - 1 && NCOUNT(kids[j]) != cap)) {
            return 0;
        }
    }
    return 1;
}

/* [_mknode] A node of height h over kids[0..k) (borrowed; the node takes new
 * references), canonical: a size table only if the children are not dense. */
static MarchRRBNode *
mknode(int h, MarchRRBNode *const *kids, int k, uint64_t owner)
{
    MarchRRBNode *n;
    Py_ssize_t total = 0;
    int j, relaxed, tracked = 0;
    assert(h > 0 && k >= 1 && k <= RRB_M);
    if (h >= RRB_MAX_HEIGHT) {
        /* the radix shifts (BITS * h) and capacities (CAP) would pass 63
         * bits: only a relaxed tree of about 2**60 elements or more (made
         * by structure sharing) can get this high */
        PyErr_SetString(PyExc_OverflowError, "vector tree too high");
        return NULL;
    }
    relaxed = !dense(h, kids, k);
    n = inner_new(h, relaxed, owner);
    if (n == NULL) {
        return NULL;
    }
    for (j = 0; j < k; j++) {
        assert(kids[j]->height == h - 1);
        node_incref(kids[j]);
        n->slots[j] = (PyObject *)kids[j];
        total += NCOUNT(kids[j]);
        if (relaxed) {
            n->sizes[j] = total;
        }
        if (!tracked) {
            tracked = node_tracked(kids[j]);
        }
    }
    n->len = (uint8_t)k;
    n->count = total;
    if (tracked) {
        node_track(n);
    }
    return n;
}

/* A copy of n (same type, slots, table), owned by `owner`. */
static MarchRRBNode *
node_copy(MarchRRBNode *n, uint64_t owner)
{
    MarchRRBNode *c;
    int j;
    if (n->height == 0) {
        c = leaf_new(RRB_IS_GCLEAF(n), owner);
    }
    else {
        c = inner_new(n->height, RRB_IS_RELAXED(n), owner);
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
        return leaf_done(c);
    }
    if (n->height == 1) {
        for (j = 0; j < n->len; j++) {
            node_incref(SLOT(n, j));
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
    if (node_tracked(n)) {
        node_track(c);
    }
    return c;
}

/* [_editable] n itself (new reference) when `owner` may edit it in place,
 * else a copy owned by `owner`. */
static MarchRRBNode *
editable(MarchRRBNode *n, uint64_t owner)
{
    assert(n->height > 0);
    if (owned(n, owner)) {
        Py_INCREF(n);
        return n;
    }
    return node_copy(n, owner);
}

/* the leaf n (tree leaf or tail) may be edited in place by `owner`; path:
 * every node above it is owned by `owner` (1 for a tail) */
static inline int
leaf_owned(const MarchRRBNode *n, int len, uint64_t owner, int path)
{
    if (RRB_IS_RAW(n)) {
        return raw_owned(n, len, owner, path);
    }
    /* an owned GC leaf always has len == n->len (owned tails are never
     * shared views) */
    assert(!owned(n, owner) || n->len == len);
    return owned(n, owner);
}

/* editable() for a leaf whose first `len` slots are the elements (a tail
 * buffer may hold more) and that will receive an element that needs the GC
 * (need_gc): a raw leaf is then copied into a GC leaf.  path: as for
 * leaf_owned. */
static MarchRRBNode *
leaf_editable(MarchRRBNode *n, int len, uint64_t owner, int path, int need_gc)
{
    MarchRRBNode *c;
    int j;
    if (leaf_owned(n, len, owner, path) && (!need_gc || RRB_IS_GCLEAF(n))) {
        node_incref(n);
        return n;
    }
    c = leaf_new(need_gc || RRB_IS_GCLEAF(n), owner);
    if (c == NULL) {
        return NULL;
    }
    for (j = 0; j < len; j++) {
        Py_INCREF(n->slots[j]);
        c->slots[j] = n->slots[j];
    }
    c->len = (uint8_t)len;
    return leaf_done(c);
}

/* The tail of v as a leaf that may go into a tree (new reference): the
 * tail itself when it holds exactly v's elements and appends can no longer
 * extend it in place (not a buffer, or full), else an exact copy. */
static MarchRRBNode *
tail_as_leaf(const MarchRRB *v)
{
    MarchRRBNode *t = v->tail;
    int tl = march_rrb_tail_len(v);
    if (t->len == tl && (tl == RRB_M || !(t->flags & RRB_FLAG_BUF))) {
        node_incref(t);
        return t;
    }
    return leaf_make(t->slots, tl, 0);
}

/* editable() for an inner node that must carry a size table: a balanced
 * node is copied into a relaxed one (table computed from its children). */
static MarchRRBNode *
editable_relaxed(MarchRRBNode *n, uint64_t owner)
{
    MarchRRBNode *c;
    Py_ssize_t total = 0;
    int j;
    if (RRB_IS_RELAXED(n)) {
        return editable(n, owner);
    }
    c = inner_new(n->height, 1, owner);
    if (c == NULL) {
        return NULL;
    }
    for (j = 0; j < n->len; j++) {
        node_incref(SLOT(n, j));
        c->slots[j] = n->slots[j];
        total += NCOUNT(SLOT(n, j));
        c->sizes[j] = total;
    }
    c->len = n->len;
    c->count = n->count;
    if (node_tracked(n)) {
        node_track(c);
    }
    return c;
}

/* [_strip] Drop single-child roots; steals `n`, returns a new reference. */
static MarchRRBNode *
strip(MarchRRBNode *n)
{
    while (n != NULL && n->height > 0 && n->len == 1) {
        MarchRRBNode *c = SLOT(n, 0);
        node_incref(c);
        Py_DECREF(n);
        n = c;
    }
    return n;
}

static inline int
shortfall(MarchRRBNode *const *nodes, int k)
{
    int j, s = RRB_M * k;
    for (j = 0; j < k; j++) {
        s -= nodes[j]->len;
    }
    return s;
}

/* ------------------------------------------------------------------ */
/* the vector value                                                    */

void
march_rrb_init(MarchRRB *v)
{
    v->count = 0;
    v->root = NULL;
    v->tail = NULL;
}

void
march_rrb_clear(MarchRRB *v)
{
    MarchRRBNode *root = v->root, *tail = v->tail;
    march_rrb_init(v);
    node_xdecref(root);
    node_xdecref(tail);
}

void
march_rrb_copy(MarchRRB *dst, const MarchRRB *src)
{
    dst->count = src->count;
    dst->root = src->root;
    dst->tail = src->tail;
    node_xincref(dst->root);
    node_xincref(dst->tail);
}

int
march_rrb_traverse(const MarchRRB *v, visitproc visit, void *arg)
{
    if (v->root != NULL && !RRB_IS_RAW(v->root)) {
        Py_VISIT(v->root);
    }
    if (v->tail != NULL && !RRB_IS_RAW(v->tail)) {
        Py_VISIT(v->tail);
    }
    return 0;
}

int
march_rrb_needs_tracking(const MarchRRB *v)
{
    return (v->root != NULL && node_tracked(v->root))
        || (v->tail != NULL && RRB_IS_GCLEAF(v->tail));
}

/* ------------------------------------------------------------------ */
/* lookup                                                              */

/* [_locate] child index of element *i of inner node n; *i becomes the index
 * within that child. */
static inline int
locate(const MarchRRBNode *n, Py_ssize_t *i)
{
    int shift = RRB_BITS * n->height;
    Py_ssize_t idx = *i, j = idx >> shift;
    if (RRB_INNER_IS_RELAXED(n)) {
        while (n->sizes[j] <= idx) {
            j++;
        }
        if (j) {
            idx -= n->sizes[j - 1];
        }
    }
    else {
        idx -= j << shift;
    }
    assert(j < n->len);
    *i = idx;
    return (int)j;
}

static MarchRRBNode *
last_leaf(MarchRRBNode *n)
{
    while (n->height) {
        n = SLOT(n, n->len - 1);
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* set                                                                 */

/* [_assoc] The tree `n` with element i replaced by x (new reference; path
 * copy, or in place where owned).  need_gc: x is not atomic; path: every
 * node above n is owned (1 at the root of the owner's value). */
static MarchRRBNode *
assoc(MarchRRBNode *n, Py_ssize_t i, PyObject *x, int need_gc, uint64_t owner,
      int path)
{
    MarchRRBNode *out, *c;
    int j, k, own;
    if (n->height == 0) {
        out = leaf_editable(n, n->len, owner, path, need_gc);
        if (out == NULL) {
            return NULL;
        }
        Py_INCREF(x);
        Py_SETREF(out->slots[i], x);
        return out;
    }
    j = locate(n, &i);
    c = SLOT(n, j);
    /* On a big vector the path is not in the cache: start loading the
     * child (all its slots) now, and, since n will be copied on the way back
     * up and the copy takes a reference to each of n's children, their
     * headers too, so that these misses overlap instead of adding up. */
    for (k = 0; k < (int)sizeof(MarchRRBNode); k += 64) {
        MARCH_PREFETCH_W((char *)c + k);
    }
    own = owned(n, owner);
    if (!own) {
        /* the word a reference count change touches first: a raw leaf
         * starts at its header word (RAW_OFFSET) */
        int at = n->height == 1 ? (int)RAW_OFFSET : 0;
        for (k = 0; k < n->len; k++) {
            MARCH_PREFETCH_W((char *)n->slots[k] + at);
        }
    }
    c = assoc(c, i, x, need_gc, owner, path && own);
    if (c == NULL) {
        return NULL;
    }
    if (own) {
        Py_INCREF(n);
        out = n;
    }
    else {
        out = node_copy(n, owner);
        if (out == NULL) {
            node_decref(c);
            return NULL;
        }
    }
    SLOT_SETREF(out, j, c);
    track_for(out, c);
    return out;
}

int
march_rrb_set(MarchRRB *v, Py_ssize_t i, PyObject *x, uint64_t owner)
{
    int need_gc = !march_is_atomic(x);
    Py_ssize_t tc = march_rrb_tree_count(v);
    MarchRRBNode *n;
    assert(0 <= i && i < v->count);
    if (i >= tc) {
        n = leaf_editable(v->tail, (int)(v->count - tc), owner, 1, need_gc);
        if (n == NULL) {
            return -1;
        }
        Py_INCREF(x);
        Py_SETREF(n->slots[i - tc], x);
        NODE_SETREF(v->tail, n);
        return 0;
    }
    n = assoc(v->root, i, x, need_gc, owner, 1);
    if (n == NULL) {
        return -1;
    }
    NODE_SETREF(v->root, n);
    return 0;
}

/* ------------------------------------------------------------------ */
/* push                                                                */

/* [_new_path] A chain of single-child balanced nodes of `height` over leaf. */
static MarchRRBNode *
new_path(int height, MarchRRBNode *leaf, uint64_t owner)
{
    MarchRRBNode *node = leaf, *up;
    int h;
    node_incref(node);
    for (h = 1; h <= height; h++) {
        up = mknode(h, &node, 1, owner);
        node_decref(node);
        if (up == NULL) {
            return NULL;
        }
        node = up;
    }
    return node;
}

/* [_top_up] The tree n with extra[0..k) appended to its last leaf (they
 * fit): a copy of the path, never an edit in place (see push_tail). */
static MarchRRBNode *
top_up(MarchRRBNode *n, PyObject *const *extra, int k, int need_gc)
{
    MarchRRBNode *out, *c;
    int j;
    if (n->height == 0) {
        out = leaf_editable(n, n->len, 0, 0, need_gc);
        if (out == NULL) {
            return NULL;
        }
        for (j = 0; j < k; j++) {
            Py_INCREF(extra[j]);
            out->slots[out->len++] = extra[j];
        }
        return out;
    }
    c = top_up(SLOT(n, n->len - 1), extra, k, need_gc);
    if (c == NULL) {
        return NULL;
    }
    out = node_copy(n, 0);
    if (out == NULL) {
        node_decref(c);
        return NULL;
    }
    /* the last child only grows: a balanced node stays balanced */
    SLOT_SETREF(out, out->len - 1, c);
    out->count += k;
    if (RRB_IS_RELAXED(out)) {
        out->sizes[out->len - 1] += k;
    }
    track_for(out, c);
    return out;
}

/* [_push_leaf] n (height >= 1) with `leaf` added at its right end; NULL with
 * *noroom = 1 when there is no room, NULL with *noroom = 0 on error. */
static MarchRRBNode *
push_leaf(MarchRRBNode *n, MarchRRBNode *leaf, uint64_t owner, int *noroom)
{
    int h = n->height, k = n->len, relax;
    Py_ssize_t add = leaf->len;
    MarchRRBNode *child = SLOT(n, k - 1), *nc, *out;
    *noroom = 0;
    if (h > 1) {
        nc = push_leaf(child, leaf, owner, noroom);
        if (nc != NULL) {
            relax = RRB_IS_RELAXED(n) || RRB_IS_RELAXED(nc);
            out = relax ? editable_relaxed(n, owner) : editable(n, owner);
            if (out == NULL) {
                node_decref(nc);
                return NULL;
            }
            SLOT_SETREF(out, k - 1, nc);
            out->count += add;
            if (relax) {
                out->sizes[k - 1] += add;
            }
            track_for(out, nc);
            return out;
        }
        if (!*noroom || k == RRB_M) {
            return NULL;
        }
        *noroom = 0;
        nc = new_path(h - 1, leaf, owner);
        if (nc == NULL) {
            return NULL;
        }
    }
    else {
        if (k == RRB_M) {
            *noroom = 1;
            return NULL;
        }
        nc = leaf;
        node_incref(nc);
    }
    /* append nc; the old last child must have been full for a balanced n */
    relax = RRB_IS_RELAXED(n) || RRB_IS_RELAXED(child) || NCOUNT(child) != CAP(h);
    out = relax ? editable_relaxed(n, owner) : editable(n, owner);
    if (out == NULL) {
        node_decref(nc);
        return NULL;
    }
    out->slots[k] = (PyObject *)nc;
    out->len = (uint8_t)(k + 1);
    out->count += add;
    if (relax) {
        out->sizes[k] = out->count;
    }
    track_for(out, nc);
    return out;
}

/* [_push_tail] The tree `root` (or NULL) with the full leaf `leaf` appended
 * (new reference). */
static MarchRRBNode *
push_tail(MarchRRBNode *root, MarchRRBNode *leaf, uint64_t owner)
{
    MarchRRBNode *last, *r, *path, *kids[2];
    MarchRRBNode *rest = NULL;
    int noroom;
    if (root == NULL) {
        node_incref(leaf);
        return leaf;
    }
    node_incref(root);
    last = last_leaf(root);
    if (last->len < RRB_M) {
        /* top the tree's last leaf up first, so that it never becomes
         * interior while partial (keeps invariant 3, and balanced nodes
         * balanced).  The top-up copies its path even for an evolver: the
         * allocations that follow may fail, and a top-up done in place
         * could not be undone (v must then be unchanged). */
        int room = RRB_M - last->len;
        r = top_up(root, leaf->slots, room, RRB_IS_GCLEAF(leaf));
        node_decref(root);
        if (r == NULL) {
            return NULL;
        }
        root = r;
        rest = leaf_make(leaf->slots + room, leaf->len - room, owner);
        if (rest == NULL) {
            node_decref(root);
            return NULL;
        }
        leaf = rest;
    }
    if (root->height) {
        r = push_leaf(root, leaf, owner, &noroom);
        if (r != NULL || !noroom) {
            node_decref(root);
            node_xdecref(rest);
            return r;
        }
    }
    path = new_path(root->height, leaf, owner);
    node_xdecref(rest);
    if (path == NULL) {
        node_decref(root);
        return NULL;
    }
    kids[0] = root;
    kids[1] = path;
    r = mknode(root->height + 1, kids, 2, owner);
    node_decref(root);
    node_decref(path);
    return r;
}

int
march_rrb_push(MarchRRB *v, PyObject *x, uint64_t owner)
{
    int need_gc = !march_is_atomic(x);
    MarchRRBNode *t = v->tail, *n, *root, *old;
    int tl = t != NULL ? march_rrb_tail_len(v) : 0;
    if (count_room(v->count, 1) < 0) {
        return -1;
    }
    if (t != NULL && tl < RRB_M) {
        if (t->len == tl && (!need_gc || RRB_IS_GCLEAF(t))
                && (leaf_owned(t, tl, owner, 1)
                    || (MARCH_RRB_SHARED_TAIL && (t->flags & RRB_FLAG_BUF)))) {
            /* in place: the tail is ours (owned), or a tail buffer whose
             * fill is exactly our tail length, so the next slot is free:
             * vectors sharing the buffer see only their own tail length,
             * and a later append from one of them finds the fill ahead of
             * its length and copies */
            Py_INCREF(x);
            t->slots[t->len++] = x;
            v->count++;
            return 0;
        }
        n = leaf_new(need_gc || RRB_IS_GCLEAF(t), owner);
        if (n == NULL) {
            return -1;
        }
        memcpy(n->slots, t->slots, tl * sizeof(PyObject *));
        for (int j = 0; j < tl; j++) {
            Py_INCREF(n->slots[j]);
        }
        Py_INCREF(x);
        n->slots[tl] = x;
        n->len = (uint8_t)(tl + 1);
        n->flags |= RRB_FLAG_BUF;
        /* the value is whole before the old tail is released (a shared
         * buffer may hold elements past our length whose __del__ runs) */
        v->tail = leaf_done(n);
        v->count++;
        node_decref(t);
        return 0;
    }
    n = leaf_new(need_gc, owner);
    if (n == NULL) {
        return -1;
    }
    Py_INCREF(x);
    n->slots[0] = x;
    n->len = 1;
    n->flags |= RRB_FLAG_BUF;
    leaf_done(n);
    if (t != NULL) {
        /* a full tail: tl == M == t->len (the fill is at least tl) */
        assert(t->len == RRB_M);
        root = push_tail(v->root, t, owner);
        if (root == NULL) {
            node_decref(n);
            return -1;
        }
        old = v->root;
        v->root = root;
        v->tail = n;
        v->count++;
        node_xdecref(old);
        node_decref(t);
        return 0;
    }
    v->tail = n;
    v->count++;
    return 0;
}

int
march_rrb_push_fits(const MarchRRB *v, PyObject *const *items, Py_ssize_t n,
                    uint64_t owner)
{
    MarchRRBNode *t = v->tail;
    int tl;
    if (t == NULL) {
        return 0;
    }
    tl = march_rrb_tail_len(v);
    return leaf_owned(t, tl, owner, 1) && t->len == tl && n <= RRB_M - tl
        && (RRB_IS_GCLEAF(t) || items_atomic(items, n));
}

/* ------------------------------------------------------------------ */
/* pop                                                                 */

/* [_pop_leaf] *rest = the tree n without its last leaf (NULL when nothing
 * is left; not stripped), *leaf = that leaf.  New references. */
static int
pop_leaf(MarchRRBNode *n, MarchRRBNode **rest, MarchRRBNode **leaf)
{
    MarchRRBNode *kids[RRB_M], *nc;
    int k;
    if (n->height == 0) {
        node_incref(n);
        *leaf = n;
        *rest = NULL;
        return 0;
    }
    if (pop_leaf(SLOT(n, n->len - 1), &nc, leaf) < 0) {
        return -1;
    }
    k = n->len - 1;
    if (nc == NULL && k == 0) {
        *rest = NULL;
        return 0;
    }
    memcpy(kids, n->slots, k * sizeof(PyObject *));
    if (nc != NULL) {
        kids[k++] = nc;
    }
    *rest = mknode(n->height, kids, k, 0);
    node_xdecref(nc);
    if (*rest == NULL) {
        NODE_CLEAR(*leaf);
        return -1;
    }
    return 0;
}

int
march_rrb_pop(MarchRRB *v, uint64_t owner)
{
    MarchRRBNode *t = v->tail, *rest, *leaf, *old;
    int tl;
    assert(v->count > 0);
    tl = march_rrb_tail_len(v);
    if (tl > 1) {
        if (leaf_owned(t, tl, owner, 1)) {
            /* the caller holds a reference to the element */
            PyObject *x;
            assert(t->len == tl);
            t->len--;
            x = t->slots[t->len];
            v->count--;
            Py_DECREF(x);
            return 0;
        }
        else {
            /* copied (not a shorter view of the shared buffer, so that the
             * popped element is not kept alive by it) */
            MarchRRBNode *n = leaf_new(RRB_IS_GCLEAF(t), owner);
            if (n == NULL) {
                return -1;
            }
            memcpy(n->slots, t->slots, (tl - 1) * sizeof(PyObject *));
            for (int j = 0; j < tl - 1; j++) {
                Py_INCREF(n->slots[j]);
            }
            n->len = (uint8_t)(tl - 1);
            /* the value is whole before the old tail is released */
            v->tail = leaf_done(n);
            v->count--;
            node_decref(t);
            return 0;
        }
    }
    if (v->root == NULL) {
        march_rrb_clear(v);
        return 0;
    }
    if (pop_leaf(v->root, &rest, &leaf) < 0) {
        return -1;
    }
    rest = strip(rest);
    old = v->root;
    v->root = rest;
    v->tail = leaf;
    v->count--;
    node_decref(old);
    node_decref(t);
    return 0;
}

/* ------------------------------------------------------------------ */
/* bulk construction                                                   */

/* [_build] A balanced vector over items[0..n). */
int
march_rrb_from_array(MarchRRB *out, PyObject *const *items, Py_ssize_t n)
{
    Py_ssize_t tc, nl, i, k;
    MarchRRBNode **level = NULL;
    int h = 0;
    march_rrb_init(out);
    if (n == 0) {
        return 0;
    }
    tc = ((n - 1) >> RRB_BITS) << RRB_BITS;     /* the tail holds 1..M */
    out->tail = leaf_make(items + tc, n - tc, 0);
    if (out->tail == NULL) {
        return -1;
    }
    out->count = n;
    if (tc == 0) {
        return 0;
    }
    nl = tc >> RRB_BITS;
    level = PyMem_Malloc(nl * sizeof(MarchRRBNode *));
    if (level == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (i = 0; i < nl; i++) {
        level[i] = leaf_make(items + (i << RRB_BITS), RRB_M, 0);
        if (level[i] == NULL) {
            goto error_level;
        }
    }
    while (nl > 1) {
        Py_ssize_t up = (nl + RRB_M - 1) >> RRB_BITS;
        h++;
        for (i = 0; i < up; i++) {
            Py_ssize_t lo = i << RRB_BITS, hi = lo + RRB_M < nl ? lo + RRB_M : nl;
            MarchRRBNode *p = mknode(h, level + lo, (int)(hi - lo), 0);
            for (k = lo; k < hi; k++) {
                node_decref(level[k]);
            }
            if (p == NULL) {
                /* release the rest of this level and what was built */
                for (k = hi; k < nl; k++) {
                    node_decref(level[k]);
                }
                nl = i;
                goto error_level;
            }
            level[i] = p;
        }
        nl = up;
    }
    out->root = level[0];
    PyMem_Free(level);
    return 0;

error_level:
    for (k = 0; k < nl; k++) {
        if (level[k] == NULL) {
            break;
        }
        node_decref(level[k]);
    }
error:
    PyMem_Free(level);
    march_rrb_clear(out);
    return -1;
}

/* ------------------------------------------------------------------ */
/* concatenation                                                       */

static int fit(int height, MarchRRBNode *const *kids, int k, int interior,
               MarchRRBNode **out, int *nout);

/* [_redistribute] Regroup the slots of nodes[0..k) (all of `height`) into
 * fewer nodes until the whole list's shortfall is below MAX_SHORTFALL; the
 * result (new references) in out[0..*nout).  Nodes whose slot range did not
 * change are reused; new inner nodes are built from children made to meet
 * the interior bound by fit. */
static int
redistribute(int height, MarchRRBNode *const *nodes, int k,
             MarchRRBNode **out, int *nout)
{
    int sizes[2 * RRB_M + 2];
    int n = k, i, j, r, s, t, sf, si, so;
    assert(k <= 2 * RRB_M);
    for (j = 0; j < k; j++) {
        sizes[j] = nodes[j]->len;
    }
    sf = shortfall(nodes, k);
    i = 0;
    while (sf >= MAX_SHORTFALL) {
        while (i < n && sizes[i] >= SKIP) {
            i++;
        }
        if (i >= n - 1) {       /* cannot happen for <= 2M nodes; be safe */
            int total = 0;
            for (j = 0; j < n; j++) {
                total += sizes[j];
            }
            n = 0;
            while (total > 0) {
                sizes[n++] = total > RRB_M ? RRB_M : total;
                total -= sizes[n - 1];
            }
            break;
        }
        r = sizes[i];
        j = i;
        while (r > 0) {
            assert(j + 1 < n);
            s = r + sizes[j + 1];
            sizes[j] = s > RRB_M ? RRB_M : s;
            r = s - sizes[j];
            j++;
        }
        memmove(sizes + j, sizes + j + 1, (n - j - 1) * sizeof(int));
        n--;
        sf -= RRB_M;
    }
    /* build the new nodes from the slots of the old ones, in order */
    si = 0;
    so = 0;
    for (t = 0; t < n; t++) {
        PyObject *chunk[RRB_M];
        int got = 0;
        if (so == 0 && nodes[si]->len == sizes[t]) {
            node_incref(nodes[si]);
            out[t] = nodes[si++];
            continue;
        }
        while (got < sizes[t]) {
            int take = nodes[si]->len - so;
            if (take > sizes[t] - got) {
                take = sizes[t] - got;
            }
            memcpy(chunk + got, nodes[si]->slots + so, take * sizeof(PyObject *));
            got += take;
            so += take;
            if (so == nodes[si]->len) {
                si++;
                so = 0;
            }
        }
        if (height == 0) {
            out[t] = leaf_make(chunk, got, 0);
        }
        else {
            MarchRRBNode *kids[RRB_M];
            int nk;
            if (fit(height, (MarchRRBNode **)chunk, got, 1, kids, &nk) < 0) {
                out[t] = NULL;
            }
            else {
                out[t] = mknode(height, kids, nk, 0);
                for (j = 0; j < nk; j++) {
                    node_decref(kids[j]);
                }
            }
        }
        if (out[t] == NULL) {
            for (j = 0; j < t; j++) {
                node_decref(out[j]);
            }
            return -1;
        }
    }
    *nout = n;
    return 0;
}

/* [_fit] kids[0..k) (children for a node of `height`; borrowed) made to meet
 * the search-step bound: the whole list (interior = 0, a merged level of a
 * concatenation) or all but the first and last (interior = 1, one node).
 * Result: new references in out[0..*nout). */
static int
fit(int height, MarchRRBNode *const *kids, int k, int interior,
    MarchRRBNode **out, int *nout)
{
    MarchRRBNode *cur[2 * RRB_M + 2], *next[2 * RRB_M + 2];
    int n = k, j, nn;
    for (j = 0; j < k; j++) {
        node_incref(kids[j]);
        cur[j] = kids[j];
    }
    for (;;) {
        int lo = interior ? 1 : 0, cnt = interior ? n - 2 : n;
        if (cnt <= 2 || shortfall(cur + lo, cnt) < MAX_SHORTFALL) {
            break;
        }
        if (redistribute(height - 1, cur, n, next, &nn) < 0) {
            for (j = 0; j < n; j++) {
                node_decref(cur[j]);
            }
            return -1;
        }
        for (j = 0; j < n; j++) {
            node_decref(cur[j]);
        }
        memcpy(cur, next, nn * sizeof(MarchRRBNode *));
        n = nn;
    }
    memcpy(out, cur, n * sizeof(MarchRRBNode *));
    *nout = n;
    return 0;
}

/* [_rebalance] 1 or 2 nodes of `height` (new references in out) over the
 * children left + middle + right (borrowed). */
static int
rebalance(int height, MarchRRBNode *const *left, int nl,
          MarchRRBNode *const *middle, int nm,
          MarchRRBNode *const *right, int nr,
          MarchRRBNode **out, int *nout)
{
    MarchRRBNode *all[2 * RRB_M + 2], *kids[2 * RRB_M + 2];
    int n = 0, nk, j, rc = 0;
    assert(nl + nm + nr <= 2 * RRB_M);
    /* memcpy with a NULL source is undefined even for 0 bytes */
    if (nl > 0) {
        memcpy(all, left, nl * sizeof(MarchRRBNode *));
        n += nl;
    }
    if (nm > 0) {
        memcpy(all + n, middle, nm * sizeof(MarchRRBNode *));
        n += nm;
    }
    if (nr > 0) {
        memcpy(all + n, right, nr * sizeof(MarchRRBNode *));
        n += nr;
    }
    if (fit(height, all, n, 0, kids, &nk) < 0) {
        return -1;
    }
    if (nk <= RRB_M) {
        out[0] = mknode(height, kids, nk, 0);
        *nout = 1;
        if (out[0] == NULL) {
            rc = -1;
        }
    }
    else {
        /* Two parents.  The one on the side the seam came from (the side
         * with fewer old children: where the next concatenation in a run of
         * appends or prepends will land) takes the remainder; the other one
         * is full, so runs of appends or of prepends leave full nodes. */
        int cut = nl >= nr ? RRB_M : nk - RRB_M;
        out[0] = mknode(height, kids, cut, 0);
        out[1] = out[0] ? mknode(height, kids + cut, nk - cut, 0) : NULL;
        *nout = 2;
        if (out[1] == NULL) {
            node_xdecref(out[0]);
            rc = -1;
        }
    }
    for (j = 0; j < nk; j++) {
        node_decref(kids[j]);
    }
    return rc;
}

/* [_merge] Merge the right edge of tree a with the left edge of tree b: one
 * or two nodes (new references in out) of height max(a.height, b.height)
 * holding the elements of a then b. */
static int
merge(MarchRRBNode *a, MarchRRBNode *b, MarchRRBNode **out, int *nout)
{
    MarchRRBNode *mid[2];
    int nm, j, rc;
    if (a->height == 0 && b->height == 0) {
        if (a->len + b->len <= RRB_M) {
            /* two small leaves at the seam: join them */
            PyObject *slots[RRB_M];
            memcpy(slots, a->slots, a->len * sizeof(PyObject *));
            memcpy(slots + a->len, b->slots, b->len * sizeof(PyObject *));
            out[0] = leaf_make(slots, a->len + b->len, 0);
            *nout = 1;
            return out[0] == NULL ? -1 : 0;
        }
        node_incref(a);
        node_incref(b);
        out[0] = a;
        out[1] = b;
        *nout = 2;
        return 0;
    }
    if (a->height > b->height) {
        if (merge(SLOT(a, a->len - 1), b, mid, &nm) < 0) {
            return -1;
        }
        rc = rebalance(a->height, (MarchRRBNode **)a->slots, a->len - 1,
                       mid, nm, NULL, 0, out, nout);
    }
    else if (a->height < b->height) {
        if (merge(a, SLOT(b, 0), mid, &nm) < 0) {
            return -1;
        }
        rc = rebalance(b->height, NULL, 0, mid, nm,
                       (MarchRRBNode **)b->slots + 1, b->len - 1, out, nout);
    }
    else {
        if (merge(SLOT(a, a->len - 1), SLOT(b, 0), mid, &nm) < 0) {
            return -1;
        }
        rc = rebalance(a->height, (MarchRRBNode **)a->slots, a->len - 1,
                       mid, nm, (MarchRRBNode **)b->slots + 1, b->len - 1,
                       out, nout);
    }
    for (j = 0; j < nm; j++) {
        node_decref(mid[j]);
    }
    return rc;
}

/* [_concat_trees] The tree holding the elements of tree a then tree b
 * (either may be NULL); new reference (NULL with no error only if both are
 * NULL). */
static MarchRRBNode *
concat_trees(MarchRRBNode *a, MarchRRBNode *b)
{
    MarchRRBNode *nodes[2], *r;
    int n;
    if (a == NULL || b == NULL) {
        r = a ? a : b;
        node_xincref(r);
        return r;
    }
    if (merge(a, b, nodes, &n) < 0) {
        return NULL;
    }
    if (n == 1) {
        return strip(nodes[0]);
    }
    r = mknode(nodes[0]->height + 1, nodes, 2, 0);
    node_decref(nodes[0]);
    node_decref(nodes[1]);
    return r;
}

/* [_concat] */
int
march_rrb_concat(const MarchRRB *a, const MarchRRB *b, MarchRRB *out)
{
    MarchRRBNode *left, *root, *tl;
    march_rrb_init(out);
    if (count_room(a->count, b->count) < 0) {
        return -1;
    }
    if (b->count == 0) {
        march_rrb_copy(out, a);
        return 0;
    }
    if (a->count == 0) {
        march_rrb_copy(out, b);
        return 0;
    }
    if (b->root == NULL) {
        /* cheap path: b fits in a tail; only full leaves are pushed */
        PyObject *slots[2 * RRB_M];
        int na = march_rrb_tail_len(a), nb = (int)b->count;
        MarchRRBNode *full, *tail;
        memcpy(slots, a->tail->slots, na * sizeof(PyObject *));
        memcpy(slots + na, b->tail->slots, nb * sizeof(PyObject *));
        if (na + nb <= RRB_M) {
            tail = leaf_make(slots, na + nb, 0);
            if (tail == NULL) {
                return -1;
            }
            root = a->root;
            node_xincref(root);
        }
        else {
            full = leaf_make(slots, RRB_M, 0);
            if (full == NULL) {
                return -1;
            }
            root = push_tail(a->root, full, 0);
            node_decref(full);
            if (root == NULL) {
                return -1;
            }
            tail = leaf_make(slots + RRB_M, na + nb - RRB_M, 0);
            if (tail == NULL) {
                node_decref(root);
                return -1;
            }
        }
        out->count = a->count + b->count;
        out->root = root;
        out->tail = tail;
        return 0;
    }
    /* a's tail becomes a (possibly partial) leaf at the seam; b's tail
     * stays the tail */
    tl = tail_as_leaf(a);
    if (tl == NULL) {
        return -1;
    }
    left = concat_trees(a->root, tl);
    node_decref(tl);
    if (left == NULL) {
        return -1;
    }
    root = concat_trees(left, b->root);
    node_decref(left);
    if (root == NULL) {
        return -1;
    }
    out->count = a->count + b->count;
    out->root = root;
    out->tail = b->tail;
    node_incref(out->tail);
    return 0;
}

/* ------------------------------------------------------------------ */
/* slicing                                                             */

/* [_take] The tree holding the first k elements of n (1 <= k <= count). */
static MarchRRBNode *
take(MarchRRBNode *n, Py_ssize_t k)
{
    MarchRRBNode *kids[RRB_M], *c, *r;
    Py_ssize_t i = k - 1;
    int j;
    if (k == NCOUNT(n)) {
        node_incref(n);
        return n;
    }
    if (n->height == 0) {
        return leaf_make(n->slots, k, 0);
    }
    j = locate(n, &i);
    c = take(SLOT(n, j), i + 1);
    if (c == NULL) {
        return NULL;
    }
    memcpy(kids, n->slots, j * sizeof(PyObject *));
    kids[j] = c;
    r = mknode(n->height, kids, j + 1, 0);
    node_decref(c);
    return r;
}

/* [_drop] The tree without the first i elements of n (0 <= i < count). */
static MarchRRBNode *
drop(MarchRRBNode *n, Py_ssize_t i)
{
    MarchRRBNode *kids[RRB_M], *c, *r;
    int j;
    if (i == 0) {
        node_incref(n);
        return n;
    }
    if (n->height == 0) {
        return leaf_make(n->slots + i, n->len - i, 0);
    }
    j = locate(n, &i);
    c = drop(SLOT(n, j), i);
    if (c == NULL) {
        return NULL;
    }
    kids[0] = c;
    memcpy(kids + 1, n->slots + j + 1, (n->len - j - 1) * sizeof(PyObject *));
    r = mknode(n->height, kids, n->len - j, 0);
    node_decref(c);
    return r;
}

/* [_lower] Strip root; when it is left with two children of which one is a
 * thin chain (a cut edge), concatenate the two halves again as separate
 * trees so that the height follows the contents.  Steals root. */
static MarchRRBNode *
lower(MarchRRBNode *root)
{
    root = strip(root);
    while (root != NULL && root->height >= 2 && root->len == 2
           && (SLOT(root, 0)->len == 1 || SLOT(root, 1)->len == 1)) {
        MarchRRBNode *a = SLOT(root, 0), *b = SLOT(root, 1), *r;
        node_incref(a);
        node_incref(b);
        a = strip(a);
        b = strip(b);
        r = concat_trees(a, b);
        node_decref(a);
        node_decref(b);
        if (r == NULL) {
            node_decref(root);
            return NULL;
        }
        if (r->height >= root->height) {
            node_decref(r);
            break;
        }
        node_decref(root);
        root = r;
    }
    return root;
}

/* [_slice] */
int
march_rrb_slice(const MarchRRB *v, Py_ssize_t start, Py_ssize_t stop,
                MarchRRB *out)
{
    Py_ssize_t count = v->count, tc;
    MarchRRBNode *root = NULL, *tail = NULL, *r;
    march_rrb_init(out);
    assert(0 <= start && start <= stop && stop <= count);
    if (start >= stop) {
        return 0;
    }
    if (start == 0 && stop == count) {
        march_rrb_copy(out, v);
        return 0;
    }
    tc = march_rrb_tree_count(v);
    if (start >= tc) {
        tail = leaf_make(v->tail->slots + (start - tc), stop - start, 0);
        if (tail == NULL) {
            return -1;
        }
        out->count = stop - start;
        out->tail = tail;
        return 0;
    }
    if (stop <= tc) {
        MarchRRBNode *t = take(v->root, stop);
        int rc;
        if (t == NULL) {
            return -1;
        }
        rc = pop_leaf(t, &root, &tail);
        node_decref(t);
        if (rc < 0) {
            return -1;
        }
    }
    else {
        root = v->root;
        node_incref(root);
        if (stop < count) {
            tail = leaf_make(v->tail->slots, stop - tc, 0);
            if (tail == NULL) {
                node_decref(root);
                return -1;
            }
        }
        else {
            tail = v->tail;
            node_incref(tail);
        }
    }
    /* now the tree holds [0, stop - len(tail)); cut its front */
    tc = root != NULL ? NCOUNT(root) : 0;
    if (start >= tc) {
        /* the tail holds [tc, stop): the buffer may hold more */
        r = leaf_make(tail->slots + (start - tc), stop - start, 0);
        node_xdecref(root);
        node_decref(tail);
        if (r == NULL) {
            return -1;
        }
        out->count = stop - start;
        out->tail = r;
        return 0;
    }
    r = drop(root, start);
    node_decref(root);
    if (r == NULL) {
        node_decref(tail);
        return -1;
    }
    r = lower(r);
    if (r == NULL) {
        node_decref(tail);
        return -1;
    }
    out->count = stop - start;
    out->root = r;
    out->tail = tail;
    return 0;
}

/* ------------------------------------------------------------------ */
/* insert / delete                                                     */

/* [_roomy_neighbour] the neighbour of child j of n with the most room (the
 * left one on a tie), or -1 when both are full or absent */
static int
roomy_neighbour(const MarchRRBNode *n, int j)
{
    int left = j > 0 ? SLOT(n, j - 1)->len : RRB_M;
    int right = j + 1 < n->len ? SLOT(n, j + 1)->len : RRB_M;
    if (left >= RRB_M && right >= RRB_M) {
        return -1;
    }
    return left <= right ? j - 1 : j + 1;
}

/* [_insert] The tree n with x inserted before its element i
 * (0 <= i < count(n)): one node, or two when it had to split (new
 * references in out[0..*nout)).  Path copy: a full leaf shares its elements
 * with a neighbour that has room, or else splits into two halves; the
 * parent is refitted to the search-step bound (its interior may now hold
 * partial nodes) and splits in turn when it has M + 1 children. */
static int
insert_rec(MarchRRBNode *n, Py_ssize_t i, PyObject *x, MarchRRBNode **out,
           int *nout)
{
    MarchRRBNode *mid[2], *all[2 * RRB_M + 2], *kids[2 * RRB_M + 2];
    int j, k, nm, nk, nb, rc = 0;
    if (n->height == 0) {
        PyObject *slots[RRB_M + 1];
        /* the copies inherit the leaf's GC state (conservative) */
        int gc = RRB_IS_GCLEAF(n) || !march_is_atomic(x);
        k = n->len + 1;
        memcpy(slots, n->slots, i * sizeof(PyObject *));
        slots[i] = x;
        memcpy(slots + i + 1, n->slots + i, (n->len - i) * sizeof(PyObject *));
        nk = k <= RRB_M ? 1 : 2;
        j = nk == 1 ? k : (k + 1) / 2;
        out[0] = leaf_copy_of(gc, slots, j);
        if (out[0] == NULL) {
            return -1;
        }
        if (nk == 2) {
            out[1] = leaf_copy_of(gc, slots + j, k - j);
            if (out[1] == NULL) {
                node_decref(out[0]);
                return -1;
            }
        }
        *nout = nk;
        return 0;
    }
    j = locate(n, &i);
    nb = -1;
    if (n->height == 1 && SLOT(n, j)->len == RRB_M) {
        nb = roomy_neighbour(n, j);
    }
    if (nb < 0) {
        if (insert_rec(SLOT(n, j), i, x, mid, &nm) < 0) {
            return -1;
        }
        memcpy(all, n->slots, j * sizeof(PyObject *));
        memcpy(all + j, mid, nm * sizeof(PyObject *));
        memcpy(all + j + nm, n->slots + j + 1, (n->len - j - 1) * sizeof(PyObject *));
        k = n->len - 1 + nm;
    }
    else {
        /* a full leaf next to one with room: share the elements of the two
         * evenly instead of splitting (keeps leaves full, the tree dense) */
        MarchRRBNode *c = SLOT(n, j), *o = SLOT(n, nb);
        PyObject *flat[2 * RRB_M];
        int lo = nb < j ? nb : j, f = 0, gc;
        gc = RRB_IS_GCLEAF(c) || RRB_IS_GCLEAF(o) || !march_is_atomic(x);
        if (nb < j) {
            memcpy(flat, o->slots, o->len * sizeof(PyObject *));
            f = o->len;
        }
        memcpy(flat + f, c->slots, i * sizeof(PyObject *));
        flat[f + i] = x;
        memcpy(flat + f + i + 1, c->slots + i, (RRB_M - i) * sizeof(PyObject *));
        f += RRB_M + 1;
        if (nb > j) {
            memcpy(flat + f, o->slots, o->len * sizeof(PyObject *));
            f += o->len;
        }
        nm = 2;
        k = (f + 1) / 2;
        mid[0] = leaf_copy_of(gc, flat, k);
        if (mid[0] == NULL) {
            return -1;
        }
        mid[1] = leaf_copy_of(gc, flat + k, f - k);
        if (mid[1] == NULL) {
            node_decref(mid[0]);
            return -1;
        }
        memcpy(all, n->slots, lo * sizeof(PyObject *));
        all[lo] = mid[0];
        all[lo + 1] = mid[1];
        memcpy(all + lo + 2, n->slots + lo + 2, (n->len - lo - 2) * sizeof(PyObject *));
        k = n->len;
    }
    if (k > 2 && shortfall(all + 1, k - 2) >= MAX_SHORTFALL) {
        rc = fit(n->height, all, k, 1, kids, &nk);
    }
    else {
        /* the common case: the interior still meets the bound */
        for (j = 0; j < k; j++) {
            node_incref(all[j]);
            kids[j] = all[j];
        }
        nk = k;
    }
    for (j = 0; j < nm; j++) {
        node_decref(mid[j]);
    }
    if (rc < 0) {
        return -1;
    }
    if (nk <= RRB_M) {
        out[0] = mknode(n->height, kids, nk, 0);
        *nout = 1;
        if (out[0] == NULL) {
            rc = -1;
        }
    }
    else {
        j = (nk + 1) / 2;
        out[0] = mknode(n->height, kids, j, 0);
        out[1] = out[0] ? mknode(n->height, kids + j, nk - j, 0) : NULL;
        *nout = 2;
        if (out[1] == NULL) {
            node_xdecref(out[0]);
            rc = -1;
        }
    }
    for (j = 0; j < nk; j++) {
        node_decref(kids[j]);
    }
    return rc;
}

int
march_rrb_insert(const MarchRRB *v, Py_ssize_t i, PyObject *x, MarchRRB *out)
{
    MarchRRB one;
    MarchRRBNode *nodes[2], *root, *tail;
    Py_ssize_t tc;
    int rc, nn;
    march_rrb_init(out);
    if (count_room(v->count, 1) < 0) {
        return -1;
    }
    if (i == v->count) {
        march_rrb_copy(out, v);
        if (march_rrb_push(out, x, 0) < 0) {
            march_rrb_clear(out);
            return -1;
        }
        return 0;
    }
    if (i == 0) {
        march_rrb_init(&one);
        if (march_rrb_push(&one, x, 0) < 0) {
            return -1;
        }
        rc = march_rrb_concat(&one, v, out);
        march_rrb_clear(&one);
        return rc;
    }
    tc = march_rrb_tree_count(v);
    if (i >= tc) {
        /* in the tail; a full tail pushes its first M elements */
        PyObject *slots[RRB_M + 1];
        int tl = (int)(v->count - tc), at = (int)(i - tc);
        memcpy(slots, v->tail->slots, at * sizeof(PyObject *));
        slots[at] = x;
        memcpy(slots + at + 1, v->tail->slots + at, (tl - at) * sizeof(PyObject *));
        if (tl + 1 <= RRB_M) {
            tail = leaf_make(slots, tl + 1, 0);
            if (tail == NULL) {
                return -1;
            }
            root = v->root;
            node_xincref(root);
        }
        else {
            MarchRRBNode *full = leaf_make(slots, RRB_M, 0);
            if (full == NULL) {
                return -1;
            }
            root = push_tail(v->root, full, 0);
            node_decref(full);
            if (root == NULL) {
                return -1;
            }
            tail = leaf_make(slots + RRB_M, tl + 1 - RRB_M, 0);
            if (tail == NULL) {
                node_decref(root);
                return -1;
            }
        }
    }
    else {
        if (insert_rec(v->root, i, x, nodes, &nn) < 0) {
            return -1;
        }
        if (nn == 1) {
            root = nodes[0];
        }
        else {
            root = mknode(nodes[0]->height + 1, nodes, 2, 0);
            node_decref(nodes[0]);
            node_decref(nodes[1]);
            if (root == NULL) {
                return -1;
            }
        }
        tail = v->tail;
        node_incref(tail);
    }
    out->count = v->count + 1;
    out->root = root;
    out->tail = tail;
    return 0;
}

/* [_cut] without [lo, hi) */
int
march_rrb_delete(const MarchRRB *v, Py_ssize_t lo, Py_ssize_t hi, MarchRRB *out)
{
    MarchRRB left, right;
    int rc;
    march_rrb_init(out);
    if (lo >= hi) {
        march_rrb_copy(out, v);
        return 0;
    }
    if (hi == v->count) {
        return march_rrb_slice(v, 0, lo, out);
    }
    if (lo == 0) {
        return march_rrb_slice(v, hi, v->count, out);
    }
    if (march_rrb_slice(v, 0, lo, &left) < 0) {
        return -1;
    }
    if (march_rrb_slice(v, hi, v->count, &right) < 0) {
        march_rrb_clear(&left);
        return -1;
    }
    rc = march_rrb_concat(&left, &right, out);
    march_rrb_clear(&left);
    march_rrb_clear(&right);
    return rc;
}

/* ------------------------------------------------------------------ */
/* invariant checker                                                   */

static int
fail(const char *msg, Py_ssize_t a, Py_ssize_t b)
{
    PyErr_Format(PyExc_AssertionError, "rrb invariant: %s (%zd, %zd)", msg, a, b);
    return -1;
}

/* [_check_node] verify invariants 1-3 and 5 below n; *count = its elements */
static int
check_node(MarchRRBNode *n, int height, Py_ssize_t *count)
{
    int k = n->len, j;
    Py_ssize_t total = 0, cap, cc;
    int any_tracked = 0;
    if (n->height != height) {
        return fail("wrong height", n->height, height);
    }
    if (k < 1 || k > RRB_M) {
        return fail("node slot count out of range", k, RRB_M);
    }
    if (height == 0) {
        if (RRB_IS_RAW(n)) {
            if (!items_atomic(n->slots, k)) {
                return fail("raw leaf holds a non-atomic element", k, 0);
            }
            if (RAW_REFCNT(n) == 0 || node_tracked(n)) {
                return fail("raw leaf with a bad header", RAW_REFCNT(n),
                            n->flags);
            }
        }
        else if (Py_TYPE(n) != &MarchRRBLeafGC_Type) {
            return fail("leaf of a non-leaf type", 0, 0);
        }
        else if (!PyObject_GC_IsTracked((PyObject *)n) || !node_tracked(n)) {
            return fail("GC leaf not tracked", k, 0);
        }
        *count = k;
        return 0;
    }
    if (RRB_IS_RAW(n)
            || (Py_TYPE(n) != &MarchRRBInner_Type && !RRB_IS_RELAXED(n))) {
        return fail("inner node of a leaf type", height, 0);
    }
    cap = CAP(height);
    for (j = 0; j < k; j++) {
        MarchRRBNode *c = SLOT(n, j);
        if (check_node(c, height - 1, &cc) < 0) {
            return -1;
        }
        if (height == 1 && (c->flags & RRB_FLAG_BUF) && c->len < RRB_M) {
            /* appends could extend it in place under this tree */
            return fail("a partial tail buffer in a tree", c->len, j);
        }
        total += cc;
        if (RRB_IS_RELAXED(n)) {
            if (n->sizes[j] != total) {
                return fail("size table wrong", n->sizes[j], total);
            }
        }
        else {
            if (RRB_IS_RELAXED(c)) {
                return fail("balanced node with a relaxed child", j, k);
            }
            if (j < k - 1 && cc != cap) {
                return fail("balanced node with a non-full child", cc, cap);
            }
        }
        if (node_tracked(c)) {
            any_tracked = 1;
        }
    }
    if (n->count != total) {
        return fail("count wrong", n->count, total);
    }
    /* (a node high enough may hold any count: cap * M would overflow) */
    if (cap <= PY_SSIZE_T_MAX / RRB_M && total > cap * RRB_M) {
        return fail("node over capacity", total, cap * RRB_M);
    }
    if (!node_tracked(n) != !PyObject_GC_IsTracked((PyObject *)n)) {
        return fail("tracked flag differs from the GC state", height, k);
    }
    if (any_tracked && !node_tracked(n)) {
        return fail("untracked node with a tracked child", height, k);
    }
    if (k > 2) {
        int sf = shortfall((MarchRRBNode **)n->slots + 1, k - 2);
        if (sf >= MAX_SHORTFALL) {
            return fail("search-step bound: interior shortfall", sf, MAX_SHORTFALL);
        }
    }
    *count = total;
    return 0;
}

int
march_rrb_check(const MarchRRB *v, int tracked)
{
    Py_ssize_t tcount = 0;
    if (v->count < 0) {
        return fail("negative count", v->count, 0);
    }
    if (v->count == 0) {
        if (v->tail != NULL || v->root != NULL) {
            return fail("empty vector with nodes", 0, 0);
        }
        return 0;
    }
    if (v->tail == NULL) {
        return fail("non-empty vector without a tail", v->count, 0);
    }
    if (check_node(v->tail, 0, &tcount) < 0) {
        return -1;
    }
    if (v->root != NULL) {
        Py_ssize_t rc;
        if (v->root->height > 0 && v->root->len < 2) {
            return fail("single-child root", v->root->height, v->root->len);
        }
        if (check_node(v->root, v->root->height, &rc) < 0) {
            return -1;
        }
        if (v->root->height == 0 && (v->root->flags & RRB_FLAG_BUF)
                && v->root->len < RRB_M) {
            return fail("a partial tail buffer as the root", v->root->len, 0);
        }
        /* the tail length: at least 1, at most the buffer's fill */
        tcount = v->count - rc;
    }
    else {
        tcount = v->count;
    }
    if (tcount < 1 || tcount > v->tail->len) {
        return fail("tail length out of range (count - tree)", tcount, v->tail->len);
    }
    if (tracked >= 0 && march_rrb_needs_tracking(v) && !tracked) {
        return fail("holder of tracked nodes not tracked", 0, 0);
    }
    return 0;
}

int
march_rrb_height(const MarchRRB *v)
{
    return v->root != NULL ? v->root->height : 0;
}

static PyObject *
shape_node(MarchRRBNode *n)
{
    PyObject *list;
    int j;
    if (n->height == 0) {
        return PyLong_FromLong(n->len);
    }
    list = PyList_New(n->len);
    if (list == NULL) {
        return NULL;
    }
    for (j = 0; j < n->len; j++) {
        PyObject *c = shape_node(SLOT(n, j));
        if (c == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, j, c);
    }
    return list;
}

PyObject *
march_rrb_shape(const MarchRRB *v)
{
    PyObject *root, *tail;
    if (v->root != NULL) {
        root = shape_node(v->root);
    }
    else {
        root = Py_None;
        Py_INCREF(root);
    }
    if (root == NULL) {
        return NULL;
    }
    tail = PyLong_FromLong(v->tail ? march_rrb_tail_len(v) : 0);
    if (tail == NULL) {
        Py_DECREF(root);
        return NULL;
    }
    return Py_BuildValue("(NN)", root, tail);
}

static void
stats_node(MarchRRBNode *n, MarchRRBStats *st)
{
    int j;
    if (RRB_IS_RAW(n)) {
        st->bytes += (Py_ssize_t)RAW_SIZE;
    }
    else {
        st->bytes += (Py_ssize_t)Py_TYPE(n)->tp_basicsize
            + (Py_ssize_t)(2 * sizeof(void *));   /* the GC header */
    }
    if (n->height == 0) {
        st->leaves++;
        return;
    }
    st->inners++;
    if (RRB_IS_RELAXED(n)) {
        st->relaxed++;
    }
    for (j = 0; j < n->len; j++) {
        stats_node(SLOT(n, j), st);
    }
}

void
march_rrb_stats(const MarchRRB *v, MarchRRBStats *st)
{
    memset(st, 0, sizeof(*st));
    if (v->root != NULL) {
        stats_node(v->root, st);
    }
    if (v->tail != NULL) {
        stats_node(v->tail, st);
    }
}
