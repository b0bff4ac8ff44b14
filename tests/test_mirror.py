"""The twin mirrors the C core file for file and name for name.

Each C file of a structure (``src/march/_core/X.c`` with the inline
functions of ``X.h``) has a twin ``src/march/_pure/X.py``, and a function
named ``march_name`` or ``name`` in C is ``name`` in the twin.  This test
holds the table of both sides: every C function has its twin, or is listed
in ``C_ONLY`` with the reason it has none (memory management, type slots,
GC tracking, speed-only paths); every twin function has its C original, or
is listed in ``TWIN_ONLY`` with its reason.  A function added, renamed or
removed on one side alone fails here, so the two cannot drift apart
silently (see docs/architecture.md).
"""
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORE = os.path.join(ROOT, "src", "march", "_core")
PURE = os.path.join(ROOT, "src", "march", "_pure")

# the files that mirror each other (the object files' types are methods in
# the twin, compared by test_dropin and the docstring test instead)
MIRRORED = ["hamt_node", "hamt", "hamt_walk", "hamt_check", "hamt_object",
            "rrb_node", "rrb", "rrb_check"]

_MEMORY = "C memory management: Python allocates and frees the twin's objects"
_SLOT = "a C type slot (dealloc, traverse, clear): Python does it itself"
_GC = "GC tracking: the twin's objects are tracked by Python"
_FAST = "a C fast path; the twin takes the general path"
_STRUCT = "a field access or setup of a C struct; an attribute in the twin"

C_ONLY = {
    "hamt_node": {
        "hamt_node_bitmap_dealloc": _SLOT,
        "hamt_node_bitmap_dealloc_tracked": _SLOT,
        "hamt_node_bitmap_traverse": _SLOT,
        "hamt_node_collision_dealloc": _SLOT,
        "hamt_node_collision_traverse": _SLOT,
        "hamt_node_bitmap_free": _MEMORY,
        "hamt_node_owner": "the owner field without its GC-tracking bit (C only)",
        "hamt_node_owner_word": _STRUCT,
        "hamt_node_track": _GC,
        "hamt_node_tracked": _GC,
        "hamt_node_ready": "type and popcount setup at module import",
        "hamt_tag": "C only: the lookup's 2-bit hash tags (the twin has no tags)",
        "hamt_tags_with": "C only: the lookup's 2-bit hash tags (the twin has no tags)",
    },
    "hamt": {
        "hamt_find_entry": _FAST,
        "hamt_find_equal": _FAST,
        "hamt_find_inline": _FAST,
        "hamt_quick_hash": _FAST,
        "hamt_split_level": _FAST,
        "hamt_mix": "an optional hash finalizer, off by default (measurements only)",
        "hamt_hash_given": _FAST,
        "hamt_garbage_add": _MEMORY,
        "hamt_garbage_flush": _MEMORY,
        "hamt_node_bitmap_can_steal": _MEMORY,
        "hamt_node_bitmap_emptied": _MEMORY,
        "hamt_slots_copy": _MEMORY,
        "hamt_slots_incref": _MEMORY,
        "hamt_slots_move": _MEMORY,
        "hamt_node_track": _GC,
        "hamt_iter_next": "the twin iterates with generators (hamt_iter_keys, ...)",
    },
    "hamt_walk": {},
    "hamt_check": {},
    "hamt_object": {
        "hamt_absent_reduce": "ABSENT's pickling: a module-level singleton in the twin",
        "hamt_absent_repr": "ABSENT's repr: a class attribute in the twin",
        "hamt_iterator_clear": _SLOT,
        "hamt_iterator_dealloc": _SLOT,
        "hamt_iterator_traverse": _SLOT,
        "hamt_iterator_length_hint": "the twin's iterators are generators",
        "hamt_iterator_next": "the twin's iterators are generators",
        "hamt_object_clear": _SLOT,
        "hamt_object_dealloc": _SLOT,
        "hamt_object_dealloc_as": _SLOT,
        "hamt_object_traverse": _SLOT,
        "hamt_transient_clear": _SLOT,
        "hamt_transient_dealloc": _SLOT,
        "hamt_transient_traverse": _SLOT,
        "hamt_object_is_gc_tracked": _GC,
        "hamt_object_ready": "type setup at module import",
        "hamt_object_register_abc": "the twin's classes register in their own modules",
    },
    "rrb_node": {
        **{name: _MEMORY for name in (
            "rrb_gcnode_release_slots", "rrb_node_alloc", "rrb_node_block_size",
            "rrb_node_decref", "rrb_node_incref", "rrb_node_xdecref",
            "rrb_node_xincref", "rrb_node_release", "rrb_node_kind",
            "rrb_raw_block_alloc", "rrb_raw_block_free", "rrb_raw_dealloc",
            "rrb_raw_decref", "rrb_raw_free", "rrb_raw_incref", "rrb_raw_new",
            "rrb_raw_owned", "rrb_slab_link", "rrb_slab_map", "rrb_slab_unlink",
            "rrb_items_atomic", "rrb_leaf_copy_of", "rrb_leaf_done",
            "rrb_leaf_new", "rrb_leaf_owned", "rrb_leaf_editable")},
        "rrb_gcnode_dealloc": _SLOT,
        "rrb_gcnode_traverse": _SLOT,
        "rrb_node_track": _GC,
        "rrb_node_track_for": _GC,
        "rrb_node_tracked": _GC,
        "rrb_node_ready": "type setup at module import",
        "rrb_inner_new": "the twin's node constructor is the class itself",
        "rrb_inner_dense": "inside rrb_inner_make in the twin",
        "rrb_inner_editable_relaxed": "rrb_inner_sizes on an editable node in the twin",
        "rrb_node_count": _STRUCT,
        "rrb_node_owner": "inside rrb_node_editable in the twin",
        "rrb_node_owned": "inside rrb_node_editable in the twin",
        "rrb_node_set_owner": _STRUCT,
    },
    "rrb": {
        "rrb_clear": _MEMORY,
        "rrb_copy": _MEMORY,
        "rrb_init": _STRUCT,
        "rrb_tree_count": _STRUCT,
        "rrb_tail_len": _STRUCT,
        "rrb_traverse": _SLOT,
        "rrb_needs_tracking": _GC,
        "rrb_tail_as_leaf": "the twin's tail is an exact list, one leaf kind",
        "rrb_push_fits": _FAST,
        "rrb_leaf_for": "the twin walks elements with generators",
        "rrb_find": "the twin walks elements with generators",
        "rrb_first_difference": "the twin walks elements with generators",
        "rrb_take_step": "the twin slices lists",
        "rrb_drop_step": "the twin slices lists",
    },
    "rrb_check": {
        "rrb_check_fail": "the twin's checker raises AssertionError directly",
    },
}

_GEN = "the twin's element walk, a generator (C walks leaves in a loop)"
TWIN_ONLY = {
    "hamt_node": {},
    "hamt": {
        "hamt_iter_keys": _GEN,
        "hamt_iter_values": _GEN,
        "hamt_iter_nodes": _GEN,
        "hamt_from_entries": "builds a trie from entries in one pass (C: assoc per entry)",
        "_from_entries_group": "private helper of hamt_from_entries",
        "_from_entries_node": "private helper of hamt_from_entries",
    },
    "hamt_walk": {},
    "hamt_check": {},
    "hamt_object": {
        "_hamt_object_pair": "private helper: unpacks one pair of an iterable",
        "hamt_object_build": "the twin's shared constructor body of Map() and Set()",
    },
    "rrb_node": {
        "rrb_inner_sizes": "the size table of a relaxed node, made on demand",
    },
    "rrb": {
        "rrb_node_get": "one element of a subtree (C: inline in march_rrb_get)",
        "rrb_node_leaves": _GEN,
        "rrb_node_leaves_reversed": _GEN,
        "rrb_node_fill": "fills a list from a subtree (C: memcpy of leaves)",
    },
    "rrb_check": {},
}

_C_DEF = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\(([^;{]*?)\)\s*\n\{", re.M | re.S)
# a twin function: a def, or a module-level name bound to a callable
# (``hamt_node_bitmap_new = BitmapNode``)
_PY_DEF = re.compile(r"^(?:def ([A-Za-z_][A-Za-z0-9_]*)\(|([a-z_][a-z0-9_]*) = )", re.M)


def c_functions(base):
    """the functions defined in _core/base.c and base.h, without march_"""
    names = set()
    for ext in (".c", ".h"):
        path = os.path.join(CORE, base + ext)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            names.update(re.sub("^march_", "", m.group(1))
                         for m in _C_DEF.finditer(text))
    return names


def twin_functions(base):
    """the twin's defs, and its module-level names that alias a C function"""
    c = c_functions(base)
    with open(os.path.join(PURE, base + ".py"), encoding="utf-8") as f:
        found = _PY_DEF.findall(f.read())
    return {d for d, _ in found if d} | {a for _, a in found if a in c}


def test_every_c_file_has_its_twin():
    c_files = sorted(os.path.splitext(f)[0] for f in os.listdir(CORE)
                     if f.endswith(".c"))
    for base in c_files:
        assert os.path.exists(os.path.join(PURE, base + ".py")), base


@pytest.mark.parametrize("base", MIRRORED)
def test_c_functions_have_twins(base):
    c, py = c_functions(base), twin_functions(base)
    assert c, "no C function found in %s: the parser is out of date" % base
    missing = sorted(c - py - set(C_ONLY[base]))
    assert not missing, "C functions of %s.c with no twin in _pure/%s.py " \
        "(mirror them, or list them in C_ONLY with a reason): %s" % (base, base, missing)


@pytest.mark.parametrize("base", MIRRORED)
def test_twin_functions_have_c_originals(base):
    c, py = c_functions(base), twin_functions(base)
    extra = sorted(py - c - set(TWIN_ONLY[base]))
    assert not extra, "twin functions of _pure/%s.py with no C original " \
        "(rename them to the C name, or list them in TWIN_ONLY): %s" % (base, extra)


@pytest.mark.parametrize("base", MIRRORED)
def test_exception_lists_are_current(base):
    """a C_ONLY/TWIN_ONLY entry whose function is gone, or now mirrored"""
    c, py = c_functions(base), twin_functions(base)
    stale = sorted(n for n in C_ONLY[base] if n not in c or n in py)
    stale += sorted(n for n in TWIN_ONLY[base] if n not in py or n in c)
    assert not stale, stale
