/*
 * common.h -- helpers shared by march's C structures: compiler and
 * platform macros, popcount, prefetch, the cyclic GC's tracking test and
 * policy, free lists and their AddressSanitizer poisoning.
 *
 * GC tracking policy
 * ------------------
 * A persistent collection of a million strings holds tens of thousands of
 * internal nodes.  If every node were tracked by CPython's cyclic garbage
 * collector, each collection of the generation the nodes live in would
 * traverse all of them again, and that is most of what a persistent `set`
 * costs at scale in other libraries.  CPython itself untracks tuples and dicts
 * that hold only "atomic" objects.  march does the same, eagerly: a node is
 * tracked by the GC only when it holds (directly, or through a tracked child
 * node) an object that could be part of a reference cycle.
 *
 * An object is *atomic* -- it can never be part of a cycle -- when its type
 * does not support the GC at all (int, float, str, bytes, None, bool, ...), or
 * when it is an exact tuple whose items are all atomic (tuples are immutable,
 * so that stays true).  Anything else, including an untracked dict (which may
 * become tracked later), counts as possibly cyclic.  The test is conservative:
 * treating an atomic object as cyclic only costs speed.
 */
#ifndef MARCH_COMMON_H
#define MARCH_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* compiler and platform                                               */

#if (defined(__GNUC__) || defined(__clang__)) && !defined(_WIN32)
#define MARCH_HIDDEN __attribute__((visibility("hidden")))
#else
#define MARCH_HIDDEN
#endif
#if defined(__GNUC__) || defined(__clang__)
#define MARCH_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MARCH_ALWAYS_INLINE inline
#endif
#if defined(__GNUC__) || defined(__clang__)
#define MARCH_NOINLINE __attribute__((noinline))
#else
#define MARCH_NOINLINE
#endif
/* prefetch for a read (MARCH_PREFETCH) or a write (MARCH_PREFETCH_W) */
#if defined(__GNUC__) || defined(__clang__)
#define MARCH_PREFETCH(p) __builtin_prefetch((p))
#define MARCH_PREFETCH_W(p) __builtin_prefetch((p), 1, 3)
#else
#define MARCH_PREFETCH(p) ((void)(p))
#define MARCH_PREFETCH_W(p) ((void)(p))
#endif

/* popcount of a 32-bit bitmap.  Without -mpopcnt, __builtin_popcount is a
 * call into libgcc, so on x86 the POPCNT instruction is used when the CPU
 * has it (checked once by the HAMT's node setup, hamt_node.c; the test is a well-predicted
 * branch on a global) and an inline branch-free SWAR count otherwise.  Every
 * level of a lookup has one or two counts on its critical path. */
#if !defined(__POPCNT__) && (defined(__GNUC__) || defined(__clang__)) \
        && (defined(__x86_64__) || defined(__i386__))
#define MARCH_POPCNT_DISPATCH 1
extern int march_have_popcnt;
#endif

static inline Py_ssize_t
march_popcount32(uint32_t x)
{
#if defined(__POPCNT__)
    return (Py_ssize_t)__builtin_popcount(x);
#else
#ifdef MARCH_POPCNT_DISPATCH
    if (march_have_popcnt) {
        uint32_t r;
        __asm__("popcnt %1, %0" : "=r"(r) : "rm"(x) : "cc");
        return (Py_ssize_t)r;
    }
#endif
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (Py_ssize_t)((x * 0x01010101u) >> 24);
#endif
}

/* ------------------------------------------------------------------ */
/* the cyclic GC                                                       */

/* Is a GC-capable object tracked by the cyclic GC?  PyObject_GC_IsTracked,
 * the public test (no read of the GC header, whose layout differs between
 * versions and builds). */
#define march_gc_is_tracked(o) PyObject_GC_IsTracked(o)

/* ------------------------------------------------------------------ */
/* free lists and AddressSanitizer                                     */

/* Free lists keep released objects for reuse; under AddressSanitizer their
 * memory is poisoned while it waits (except the link field), so a use after
 * release is still reported. */
#if defined(__SANITIZE_ADDRESS__)
#define MARCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MARCH_ASAN 1
#endif
#endif
#ifdef MARCH_ASAN
#include <sanitizer/asan_interface.h>
#define MARCH_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define MARCH_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define MARCH_POISON(p, n) ((void)(p), (void)(n))
#define MARCH_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* One free-list design serves every node kind: a LIFO of released blocks,
 * linked through one pointer-sized word inside the block (at `link`
 * bytes from its start), at most `max` long.  Under AddressSanitizer the
 * rest of the block's `size` bytes is poisoned while it waits.
 * march_freelist_put returns 0 (and keeps nothing) when the list is full. */
typedef struct {
    void *head;
    Py_ssize_t len;
} MarchFreeList;

static inline int
march_freelist_put(MarchFreeList *fl, void *block, size_t link, size_t size,
                   Py_ssize_t max)
{
    char *b = (char *)block;
    if (fl->len >= max) {
        return 0;
    }
    *(void **)(b + link) = fl->head;
    fl->head = block;
    fl->len++;
    MARCH_POISON(b, link);
    MARCH_POISON(b + link + sizeof(void *), size - link - sizeof(void *));
    return 1;
}

static inline void *
march_freelist_take(MarchFreeList *fl, size_t link, size_t size)
{
    char *b = (char *)fl->head;
    if (b == NULL) {
        return NULL;
    }
    MARCH_UNPOISON(b, size);
    fl->head = *(void **)(b + link);
    fl->len--;
    return b;
}


#define MARCH_ATOMIC_TUPLE_DEPTH 4

static inline int
march_is_atomic_depth(PyObject *o, int depth)
{
    PyTypeObject *t = Py_TYPE(o);
    if (!PyType_IS_GC(t)) {
        return 1;
    }
    if (t == &PyTuple_Type && depth > 0) {
        Py_ssize_t i, n = PyTuple_GET_SIZE(o);
        for (i = 0; i < n; i++) {
            if (!march_is_atomic_depth(PyTuple_GET_ITEM(o, i), depth - 1)) {
                return 0;
            }
        }
        return 1;
    }
    return 0;
}

/* True when `o` can never take part in a reference cycle (see above). */
static inline int
march_is_atomic(PyObject *o)
{
    return march_is_atomic_depth(o, MARCH_ATOMIC_TUPLE_DEPTH);
}

/* ------------------------------------------------------------------ */
/* threads (docs/threads.md)                                           */

/* MARCH_FREELISTS: march keeps free lists of released nodes and objects only
 * where the interpreter has a GIL.  There the lists are touched only by the
 * thread that holds it, and march's modules do not declare support for
 * interpreters with a GIL of their own, so every thread that can reach
 * them is serialised by that one lock.  The free-threaded build has none:
 * its allocator (mimalloc) already keeps a free list per thread, and a
 * list of march's own would need a lock or per-thread storage that dies
 * with its thread. */
#ifdef Py_GIL_DISABLED
#define MARCH_FREELISTS 0
#else
#define MARCH_FREELISTS 1
#endif

/* Atomic operations on shared words: the owner-id counters, the cached
 * hashes of persistent values and the walks' debugging counter.  With the GIL they are plain operations (the
 * GIL orders them); without it, C11-style atomics (relaxed: each word is
 * independent, and a cached hash is a pure function of an immutable
 * value, so any thread that reads it either sees -1 and computes the same
 * value or sees that value). */
#if defined(Py_GIL_DISABLED) && (defined(__GNUC__) || defined(__clang__))
#define MARCH_ATOMIC_ADD_U64(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define MARCH_ATOMIC_ADD_SSIZE(p, v) ((void)__atomic_add_fetch((p), (v), __ATOMIC_RELAXED))
#define MARCH_ATOMIC_LOAD_SSIZE(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define MARCH_ATOMIC_STORE_SSIZE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#elif defined(Py_GIL_DISABLED)
#error "march needs GCC or Clang atomics on a free-threaded build"
#else
#define MARCH_ATOMIC_ADD_U64(p, v) (*(p) += (v))
#define MARCH_ATOMIC_ADD_SSIZE(p, v) ((void)(*(p) += (v)))
#define MARCH_ATOMIC_LOAD_SSIZE(p) (*(p))
#define MARCH_ATOMIC_STORE_SSIZE(p, v) ((void)(*(p) = (v)))
#endif

/* Per-object critical sections (CPython 3.13's public API, as its own list
 * and dict use): every operation on a transient, and every step of an
 * iterator, runs inside one on that object, so operations from several
 * threads on one object are serialised.  On a GIL build they compile to
 * nothing (the GIL serialises); before 3.13 they do not exist, and march
 * defines them so. */
#if PY_VERSION_HEX >= 0x030D0000
#define MARCH_BEGIN_CRITICAL_SECTION(o) Py_BEGIN_CRITICAL_SECTION(o)
#define MARCH_END_CRITICAL_SECTION() Py_END_CRITICAL_SECTION()
#define MARCH_BEGIN_CRITICAL_SECTION2(a, b) Py_BEGIN_CRITICAL_SECTION2(a, b)
#define MARCH_END_CRITICAL_SECTION2() Py_END_CRITICAL_SECTION2()
#else
#define MARCH_BEGIN_CRITICAL_SECTION(o) {
#define MARCH_END_CRITICAL_SECTION() }
#define MARCH_BEGIN_CRITICAL_SECTION2(a, b) {
#define MARCH_END_CRITICAL_SECTION2() }
#endif

/* MARCH_LOCKED defines `name`, the slot or method that the type tables
 * name: `impl` (which does the work) called inside a critical section on
 * its first argument, `self`.  For example
 *     MARCH_LOCKED(PyObject *, mapmutation_set_locked, mapmutation_set,
 *                  (PyObject *self, PyObject *const *a, Py_ssize_t n),
 *                  (self, a, n))
 * On a GIL build it is a plain call, which the compiler inlines.  An impl
 * never calls a locked function: what it calls runs in the section it is
 * in. */
#define MARCH_LOCKED(ret, name, impl, params, args)                     \
    static ret name params                                              \
    {                                                                   \
        ret result_;                                                    \
        MARCH_BEGIN_CRITICAL_SECTION(self);                             \
        result_ = impl args;                                            \
        MARCH_END_CRITICAL_SECTION();                                   \
        return result_;                                                 \
    }

/* ------------------------------------------------------------------ */
/* arguments                                                           */

/* Check the number of positional arguments of a METH_FASTCALL method:
 * 1 when min <= nargs <= max, else 0 with TypeError set. */
static inline int
march_check_positional(const char *name, Py_ssize_t nargs, Py_ssize_t min,
                       Py_ssize_t max)
{
    if (nargs >= min && nargs <= max) {
        return 1;
    }
    if (min == max) {
        PyErr_Format(PyExc_TypeError,
                     "%s expected %zd argument%s, got %zd", name, min,
                     min == 1 ? "" : "s", nargs);
    }
    else if (nargs < min) {
        PyErr_Format(PyExc_TypeError,
                     "%s expected at least %zd argument%s, got %zd", name,
                     min, min == 1 ? "" : "s", nargs);
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "%s expected at most %zd argument%s, got %zd", name,
                     max, max == 1 ? "" : "s", nargs);
    }
    return 0;
}

/* The name of a type for messages: tp_name after its last dot. */
static inline const char *
march_type_name(PyTypeObject *t)
{
    const char *s = strrchr(t->tp_name, '.');
    return s != NULL ? s + 1 : t->tp_name;
}

/* ------------------------------------------------------------------ */
/* subclasses of the persistent types                                  */

/* What a repr of `self` starts with: `exact_name` for an instance of the
 * exact type `exact`, else the subclass's __name__.  A new reference, NULL
 * with an error set. */
static inline PyObject *
march_repr_name(PyObject *self, PyTypeObject *exact, const char *exact_name)
{
    if (Py_IS_TYPE(self, exact)) {
        return PyUnicode_FromString(exact_name);
    }
    return PyObject_GetAttrString((PyObject *)Py_TYPE(self), "__name__");
}

/* __reduce__ of a subclass instance: (type(self), args), or (type(self),
 * args, state) with the instance's __dict__ as the state pickle restores
 * when it has a non-empty one.  `args` is stolen (NULL: an error is set
 * already); NULL with an error set on failure. */
static inline PyObject *
march_reduce_subclass(PyObject *self, PyObject *args)
{
    PyObject *dict;
    if (args == NULL) {
        return NULL;
    }
    dict = PyObject_GetAttrString(self, "__dict__");
    if (dict == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
            Py_DECREF(args);
            return NULL;
        }
        PyErr_Clear();
    }
    else if (PyDict_Check(dict) && PyDict_GET_SIZE(dict) > 0) {
        return Py_BuildValue("ONN", (PyObject *)Py_TYPE(self), args, dict);
    }
    else {
        Py_DECREF(dict);
    }
    return Py_BuildValue("ON", (PyObject *)Py_TYPE(self), args);
}

/* ------------------------------------------------------------------ */
/* transients                                                          */

/* Every transient (MapMutation, SetEvolver, VectorEvolver) counts its
 * operations in progress in a `busy` field.  An operation raises it before
 * it can call into Python code (a key's __hash__ or __eq__, an __index__, a
 * finalizer run by an allocation) and lowers it after; an edit started
 * while it is raised fails with this error and changes nothing (see
 * docs/reentrancy.md).  0 when idle, else -1 with RuntimeError set. */
static inline int
march_transient_idle(Py_ssize_t busy, const char *type_name)
{
    if (busy) {
        PyErr_Format(PyExc_RuntimeError,
                     "%s changed while one of its operations was in progress "
                     "(from a __hash__, __eq__ or __index__, or a __del__ "
                     "run by the GC?)", type_name);
        return -1;
    }
    return 0;
}

#endif /* MARCH_COMMON_H */
