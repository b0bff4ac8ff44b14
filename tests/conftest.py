"""Shared fixtures: every test runs against each implementation.

* ``M`` is the module of one Map implementation: ``march._hamt`` (C) or
  ``march._pure.hamt_module`` (the pure-Python twin).  It has ``Map`` and
  ``MapMutation``.
* ``V`` is the module of one Vector implementation: ``march._rrb`` (C,
  branching 32), ``march._rrb4`` (C, branching 4), ``march._pure.vector_object`` and
  ``march._pure.rrb4``.  It has ``Vector``, ``VectorEvolver``, ``vector``,
  ``v`` and ``BRANCHING``.

By default both implementations run.  With ``MARCH_PURE_PYTHON=1`` only the
twin runs (that is how CI checks the twin as users get it); with
``MARCH_C_ONLY=1`` only the C core's parametrizations run (CI's runs on the
other CPython versions, where the twin is the same Python code).  With
``MARCH_REQUIRE_C=1`` a missing C extension is an error, not a skip, so that
CI cannot pass while silently testing the twin alone.
"""
import importlib
import os
import sys
import sysconfig

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _env_flag(name):
    return os.environ.get(name, "") not in ("", "0")


PURE_ONLY = _env_flag("MARCH_PURE_PYTHON")
C_ONLY = _env_flag("MARCH_C_ONLY") and not PURE_ONLY
REQUIRE_C = _env_flag("MARCH_REQUIRE_C")

# the interpreter is a free-threaded build (Py_GIL_DISABLED)
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
# Up to CPython 3.11 a collection runs inside the allocation that starts it,
# so a finalizer or gc callback can run in the middle of a C operation at any
# allocation.  From 3.12 on (the free-threaded build included) it runs at the
# eval loop's next check: right after a call returns or where a Python
# function starts, so inside a C operation only where that calls back into
# Python.
GC_IN_ALLOCATION = sys.version_info < (3, 12)

MAP_IMPLS = {"c": "march._hamt", "python": "march._pure.hamt_module"}
VECTOR_IMPLS = {
    "c": "march._rrb",
    "c4": "march._rrb4",
    "python": "march._pure.vector_object",
    "python4": "march._pure.rrb4",
}


def _selected(impls):
    if C_ONLY:
        return [k for k in impls if k.startswith("c")]
    return [k for k in impls if not (PURE_ONLY and k.startswith("c"))]


def load_impl(modname):
    """Import an implementation module, or skip (or fail under MARCH_REQUIRE_C)."""
    try:
        return importlib.import_module(modname)
    except ImportError as exc:
        if REQUIRE_C or not modname.startswith("march._") or "_pure" in modname:
            raise
        pytest.skip("%s is not built: %s" % (modname, exc))


@pytest.fixture(params=_selected(MAP_IMPLS))
def M(request):
    return load_impl(MAP_IMPLS[request.param])


@pytest.fixture(params=_selected(VECTOR_IMPLS))
def V(request):
    return load_impl(VECTOR_IMPLS[request.param])


def map_impls():
    """The Map implementation modules, for tests that parametrize by hand."""
    return [pytest.param(MAP_IMPLS[k], id=k) for k in _selected(MAP_IMPLS)]


def vector_impls():
    """The Vector implementation modules, for tests that parametrize by hand."""
    return [pytest.param(VECTOR_IMPLS[k], id=k) for k in _selected(VECTOR_IMPLS)]


# The debug switch: with MARCH_CHECK=1 every test runs the structures' own
# invariant checkers (_check()) after every operation (tests/_march_check.py).
from _march_check import march_check_every_operation  # noqa: E402,F401
