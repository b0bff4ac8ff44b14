/*
 * hamtmodule.h -- what the glue files of march._hamt share: the Map and
 * MapMutation object layouts and types (hamtmodule.c), and the Set types
 * and Map algebra methods (setmodule.c, over the algorithms of hamtset.c).
 */
#ifndef MARCH_HAMTMODULE_H
#define MARCH_HAMTMODULE_H

#include "hamt.h"

typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;
    Py_hash_t hash;
    PyObject *weakreflist;
} MapObject;

typedef struct {
    PyObject_HEAD
    MarchBitmapNode *root;
    uint64_t owner;         /* 0: finished */
    Py_ssize_t busy;
    PyObject *weakreflist;
} MutationObject;

/* hamtmodule.c */
extern PyTypeObject Map_Type;
extern PyTypeObject MapMutation_Type;
/* A new map of `type` over `root` (stolen). */
MapObject *map_from_root(PyTypeObject *type, MarchBitmapNode *root);

/* raise KeyError(key) (the key wrapped in a tuple, so a tuple key shows
 * whole); shared by Map, MapMutation and Set */
void march_key_error(PyObject *key);

/* `root` without `key`, persistently: 1 with *out a new root, 0 when the key
 * is absent, -1 on error (the hash/eq exception propagates); shared by
 * Map.delete/discard and Set.remove/discard */
int march_root_without(MarchBitmapNode *root, PyObject *key,
                       MarchBitmapNode **out);

/* setmodule.c: the Map algebra methods (entries of map_methods[]) */
PyObject *march_map_union(MapObject *self, PyObject *args, PyObject *kwds);
PyObject *march_map_intersection(MapObject *self, PyObject *args,
                                 PyObject *kwds);
PyObject *march_map_difference(MapObject *self, PyObject *other);
PyObject *march_map_symmetric_difference(MapObject *self, PyObject *other);
PyObject *march_map_diff(MapObject *self, PyObject *other);
PyObject *march_map_from_keys(PyObject *cls, PyObject *args, PyObject *kwds);
PyObject *march_map_filter(MapObject *self, PyObject *pred);
PyObject *march_map_map_values(MapObject *self, PyObject *fn);

/* setmodule.c: `root` updated with the entries of the Map `other` (b's
 * values win), structurally; `owner` is a fresh id.  For Map.update and |. */
int march_map_update_from_map(MarchBitmapNode **root, MapObject *other,
                              uint64_t owner);

/* setmodule.c: ready the Set types and add Set, SetEvolver, s, ABSENT to
 * the module; 0 or -1 */
int march_set_register(PyObject *module);

#endif /* MARCH_HAMTMODULE_H */
