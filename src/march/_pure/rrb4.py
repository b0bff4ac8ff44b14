"""The pure-Python RRB vector with branching factor 4 (``BRANCHING = 4``).

Same API as ``march._pure.vector_object``; small vectors make deep trees,
which is what the test suite wants (C: ``march._rrb4``, the same C sources
compiled with ``-DMARCH_RRB_BITS=2``).

This module is the twin of that second compilation: it loads the twin's RRB
files again, as the submodules ``march._pure.rrb4.rrb_node``,
``.rrb``, ``.rrb_check`` and ``.vector_object`` (each file's own source,
run as a module of its own, under the package name of this module, so that
their relative imports find each other), with ``MARCH_RRB_BITS = 2``
defined in ``rrb_node``'s namespace before it runs (the ``-D`` of the C
build; rrb_node.py reads it, every other file takes its constants from
rrb_node).  So ``Vector`` here is a distinct class with distinct
functions, and no module is changed after it was loaded.  The four modules
are attributes of this one, and its public names are those of
``vector_object``.
"""
import importlib.util as _util
import os as _os
import sys as _sys

MARCH_RRB_BITS = 2

_DIR = _os.path.dirname(_os.path.abspath(__file__))


def _load(name, predefined=None):
    """Run ``_pure/<name>.py`` as the module ``march._pure.rrb4.<name>``."""
    fullname = "%s.%s" % (__name__, name)
    spec = _util.spec_from_file_location(fullname, _os.path.join(_DIR, name + ".py"))
    module = _util.module_from_spec(spec)
    module.__dict__.update(predefined or {})
    _sys.modules[fullname] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del _sys.modules[fullname]
        raise
    return module


# in dependency order: each file imports only the ones loaded before it
rrb_node = _load("rrb_node", {"MARCH_RRB_BITS": MARCH_RRB_BITS})
rrb = _load("rrb")
rrb_check = _load("rrb_check")
vector_object = _load("vector_object")

Vector = vector_object.Vector
VectorEvolver = vector_object.VectorEvolver
vector = vector_object.vector
v = vector_object.v
BRANCHING = vector_object.BRANCHING

__all__ = ["Vector", "VectorEvolver", "vector", "v", "BRANCHING"]
