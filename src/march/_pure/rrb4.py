"""The pure-Python RRB vector with branching factor 4 (``BRANCHING = 4``).

Same API as ``march._pure.rrb``; small vectors make deep trees, which is what
the test suite wants.  This module executes the source of ``rrb.py`` in its
own namespace with ``_MARCH_RRB_BITS = 2`` predefined, so ``Vector`` here is a
distinct class (C: ``march._rrb4``, the same C sources built with
``-DMARCH_RRB_BITS=2``).
"""
import os as _os

_MARCH_RRB_BITS = 2
_doc = __doc__
_path = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "rrb.py")
with open(_path, encoding="utf-8") as _f:
    exec(compile(_f.read(), _path, "exec"), globals())
__doc__ = _doc
del _f, _path, _doc
