/*
 * hamt_module.c -- the march._hamt extension module: its definition and
 * init, which readies the nodes (hamt_node.c) and the shared types
 * (hamt_object.c) and registers the two type families, Map (map_object.c)
 * and Set (set_object.c).  Module-level: Map, MapMutation, MapKeys,
 * MapValues, MapItems, MapIterator, Set, SetEvolver, s, ABSENT, and the
 * private _walk_visits() and _HASH_MIX.
 *
 * May include: hamt_object.h (hamt_walk.h, hamt_check.h, hamt.h,
 * hamt_node.h, common.h).
 */
#include "hamt_object.h"

static PyObject *
hamt_module_walk_visits(PyObject *Py_UNUSED(module),
                        PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSsize_t(
        MARCH_ATOMIC_LOAD_SSIZE(&march_hamt_walk_visits));
}

static PyMethodDef hamt_module_methods[] = {
    {"_walk_visits", hamt_module_walk_visits, METH_NOARGS,
     "nodes and entries visited by the structural walks so far (debugging)"},
    {NULL, NULL, 0, NULL}
};

/* Multi-phase initialisation (PEP 489), so that the module can declare:
 * - that it runs without the GIL (Py_mod_gil, 3.13+): its shared state is
 *   safe without it (docs/threads.md);
 * - that it cannot be loaded in a second interpreter (3.12+): its types
 *   are static and its singletons are process-wide, shared objects that
 *   belong to the first interpreter (docs/threads.md, "Subinterpreters"). */
static int
hamt_module_exec(PyObject *m)
{
    if (march_hamt_node_ready() < 0
            || march_hamt_object_ready(m) < 0      /* MapIterator, ABSENT */
            || march_map_register(m) < 0    /* Map, MapMutation, views */
            || march_set_register(m) < 0    /* Set, SetEvolver, s */
            /* 1 when built with -DMARCH_HASH_MIX=1: bench/hash_study.py;
             * decision in docs/design.md section 2 */
            || PyModule_AddIntConstant(m, "_HASH_MIX",
#if defined(MARCH_HASH_MIX) && MARCH_HASH_MIX
                                       1
#else
                                       0
#endif
                                       ) < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot hamt_module_slots[] = {
    {Py_mod_exec, (void *)hamt_module_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL}
};

static struct PyModuleDef hamt_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "march._hamt",
    .m_doc = "march's persistent hash map and set (HAMT, CHAMP layout): Map, "
             "MapMutation, Set, SetEvolver, s; the C core",
    .m_size = 0,
    .m_methods = hamt_module_methods,
    .m_slots = hamt_module_slots,
};

PyMODINIT_FUNC
PyInit__hamt(void)
{
    return PyModuleDef_Init(&hamt_module);
}
