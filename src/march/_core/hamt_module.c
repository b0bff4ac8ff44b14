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
    return PyLong_FromSsize_t(march_hamt_walk_visits);
}

static PyMethodDef hamt_module_methods[] = {
    {"_walk_visits", hamt_module_walk_visits, METH_NOARGS,
     "nodes and entries visited by the structural walks so far (debugging)"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef hamt_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "march._hamt",
    .m_doc = "march's persistent hash map and set (HAMT, CHAMP layout): Map, "
             "MapMutation, Set, SetEvolver, s; the C core",
    .m_size = -1,
    .m_methods = hamt_module_methods,
};

PyMODINIT_FUNC
PyInit__hamt(void)
{
    PyObject *m;
    if (march_hamt_node_ready() < 0) {
        return NULL;
    }
    m = PyModule_Create(&hamt_module);
    if (m == NULL) {
        return NULL;
    }
    if (march_hamt_object_ready(m) < 0      /* MapIterator, ABSENT */
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
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
