"""The debug switch of the test suite: ``MARCH_CHECK=1``.

With ``MARCH_CHECK=1`` in the environment, every test runs with a profile
hook (``sys.setprofile`` and ``threading.setprofile``) that calls the
structures' own invariant checkers, ``_check()``, after every operation:

* C core (``march._hamt``, ``march._rrb``, ``march._rrb4``): after every
  method call on a ``Map``, ``Set``, ``SetEvolver``, ``Vector`` or
  ``VectorEvolver`` (``set``, ``delete``, ``append``, ``split``, evolver
  edits, ...; a profile ``c_return`` event), the object the method was
  called on is checked.  A
  persistent result is therefore checked as soon as a method is called on it
  (the profiler does not see the value a C function returns, nor operators
  such as ``m[k]`` or ``a + b``).
* pure-Python twin (``march._pure.*``): after every public method or
  operator (``__add__``, ``__getitem__``, ...) returns, both its result (a
  Map, Set or Vector, or a tuple holding some, e.g. ``split``) and ``self``
  are checked.

A violated invariant (an ``AssertionError`` from ``_check()``) is recorded
and fails the test at teardown with the operation's name; any other
exception from ``_check()`` (a key whose ``__hash__`` was rigged to fail
after insertion, a ``RecursionError``) is ignored.  Objects longer than
``MARCH_CHECK_MAX_LEN`` (default 20,000; ``MARCH_CHECK_MAX_LEN_PURE``, default
2,000, for the twin, whose checkers run in Python) are not checked, and once
one check took more than 20 ms (e.g. a collision node of thousands of keys:
its check is quadratic) structures at least that long are skipped for the
rest of the test, to keep the run's cost bounded.  ``MapMutation`` is left
out (it has a ``_check()`` in both implementations, but the hook does not
call it); the map it finishes into is checked.

Combine it with the debug build (asserts on) for the full effect:
``tools/sanitize.sh --debug`` does both.  It works with either build and
both implementations:

    MARCH_CHECK=1 python -m pytest -q tests/
    MARCH_CHECK=1 MARCH_PURE_PYTHON=1 python -m pytest -q tests/

``tests/test_debug_checks.py`` proves that the hook catches a broken
structure.  Off (the default) the fixture costs nothing.
"""
import importlib
import os
import sys
import threading
import time

import pytest

ENABLED = os.environ.get("MARCH_CHECK", "") not in ("", "0")
# the largest structure checked: C checks run at C speed, the twin's in Python
MAX_LEN = int(os.environ.get("MARCH_CHECK_MAX_LEN", "20000"))
MAX_LEN_PURE = int(os.environ.get("MARCH_CHECK_MAX_LEN_PURE", "2000"))
SLOW_CHECK = 0.02          # seconds

_MODULES = ("march._hamt", "march._rrb", "march._rrb4",
            "march._pure.map_object", "march._pure.set_object",
            "march._pure.vector_object", "march._pure.rrb4")
_CLASSES = ("Map", "Vector", "VectorEvolver", "Set", "SetEvolver")


class Checker:
    """Collects the checked types and the failures of one test."""

    def __init__(self, max_len=MAX_LEN, max_len_pure=MAX_LEN_PURE, slow=SLOW_CHECK):
        self.max_len = max_len
        self.slow = slow
        self.max_len_pure = max_len_pure
        self.types = set()
        self.pure_types = set()
        self.pure_files = set()
        self.failures = []
        self.checks = 0
        self.slow_len = float("inf")
        for name in _MODULES:
            try:
                mod = importlib.import_module(name)
            except ImportError:
                continue
            for cls in _CLASSES:
                t = getattr(mod, cls, None)
                if isinstance(t, type) and hasattr(t, "_check"):
                    self.types.add(t)
                    if "_pure" in name:
                        self.pure_types.add(t)
            if "_pure" in name:
                # march._pure.rrb4 loads vector_object.py again: its methods
                # have the co_filename of march._pure.vector_object's
                self.pure_files.add(os.path.abspath(mod.__file__))

    def verify(self, obj, what):
        if getattr(obj, "_busy", 0):
            # a twin transient called from code that runs in the middle of
            # one of its own operations (a finalizer): that operation is
            # half done, and its own end is checked (docs/reentrancy.md)
            return
        try:
            n = len(obj)
        except Exception:  # noqa: BLE001 - e.g. an evolver in a strange state
            n = 0
        limit = self.max_len_pure if type(obj) in self.pure_types else self.max_len
        if n > limit or n >= self.slow_len:
            return
        self.checks += 1
        t0 = time.perf_counter()
        try:
            obj._check()
        except AssertionError as exc:
            self.failures.append("%s.%s: _check() failed after %s: %s"
                                 % (type(obj).__module__, type(obj).__name__, what, exc))
        except Exception:  # noqa: BLE001 - a rigged key's __hash__, recursion ...
            pass
        if time.perf_counter() - t0 > self.slow:
            # e.g. a collision node of 10,000 keys: its check is quadratic;
            # skip structures this large for the rest of the test
            self.slow_len = min(self.slow_len, max(n, 1))

    def profile(self, frame, event, arg):
        if event == "c_return":
            obj = getattr(arg, "__self__", None)
            if type(obj) in self.types:
                self.verify(obj, arg.__name__ + "()")
        elif event == "return":
            code = frame.f_code
            if code.co_filename not in self.pure_files:
                return
            name = code.co_name
            if name.startswith("_") and not name.startswith("__"):
                return
            types = self.types
            if type(arg) in types:
                self.verify(arg, name + "() result")
            elif type(arg) is tuple:
                for x in arg:
                    if type(x) in types:
                        self.verify(x, name + "() result")
            obj = frame.f_locals.get("self")
            if type(obj) in types and obj is not arg:
                self.verify(obj, name + "()")

    def install(self):
        sys.setprofile(self.profile)
        threading.setprofile(self.profile)

    @staticmethod
    def uninstall():
        sys.setprofile(None)
        threading.setprofile(None)


@pytest.fixture(autouse=True)
def march_check_every_operation():
    """Autouse: under MARCH_CHECK=1, run _check() after every operation."""
    if not ENABLED:
        yield None
        return
    checker = Checker()
    checker.install()
    try:
        yield checker
    finally:
        checker.uninstall()
    if checker.failures:
        pytest.fail("MARCH_CHECK: invariant violated (%d time(s)); first: %s"
                    % (len(checker.failures), checker.failures[0]), pytrace=False)
