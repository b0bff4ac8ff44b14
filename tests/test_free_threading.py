"""The free-threaded build (issue 17): importing march keeps the GIL off.

On a free-threaded CPython (``python3.13t``), importing an extension module
that does not declare ``Py_mod_gil = Py_MOD_GIL_NOT_USED`` turns the GIL back
on for the whole process and prints a RuntimeWarning.  Each check runs in a
fresh interpreter (this one may have imported march already) with
``-W error`` and without ``PYTHON_GIL`` (which would override the modules'
declarations), and asserts that ``sys._is_gil_enabled()`` is False and that
nothing was written to stderr.

These tests run only on a free-threaded build.  The C checks are skipped
when the C extension is not built for this interpreter (an error under
``MARCH_REQUIRE_C=1``, as in conftest.py); the twin's check needs no build.
"""
import os
import subprocess
import sys
import sysconfig

import pytest

FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

pytestmark = pytest.mark.skipif(
    not FREE_THREADED, reason="needs a free-threaded CPython build (Py_GIL_DISABLED)")

C_MODULES = ("march._hamt", "march._rrb", "march._rrb4")
TWIN_MODULES = ("march._pure.hamt_module", "march._pure.vector_object",
                "march._pure.rrb4")


def _env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_GIL", "MARCH_PURE_PYTHON", "PYTHONWARNINGS")}
    env.update(extra)
    return env


def _run(code, **env):
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True, text=True, timeout=600, env=_env(**env))


def _need_c():
    """Skip unless the C modules exist for this interpreter (found without
    importing them: the probe runs with the twin selected)."""
    probe = subprocess.run(
        [sys.executable, "-c",
         "import importlib.util, sys\n"
         "missing = [m for m in %r if importlib.util.find_spec(m) is None]\n"
         "print(' '.join(missing))" % (C_MODULES,)],
        capture_output=True, text=True, timeout=600,
        env=_env(MARCH_PURE_PYTHON="1"))
    assert probe.returncode == 0, probe.stderr
    missing = probe.stdout.strip()
    if missing:
        if os.environ.get("MARCH_REQUIRE_C", "") not in ("", "0"):
            pytest.fail("C extension not built for this interpreter: " + missing)
        pytest.skip("C extension not built for this interpreter: " + missing)


def _assert_gil_off(res):
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    assert res.stdout.split()[-1] == "False", res.stdout


def test_import_march_keeps_gil_disabled():
    _need_c()
    res = _run(
        "import march, march._rrb, march._rrb4, march._hamt, sys\n"
        "print(march.IMPLEMENTATION, sys._is_gil_enabled())")
    _assert_gil_off(res)
    assert res.stdout.split() == ["c", "False"]


@pytest.mark.parametrize("module", C_MODULES)
def test_each_c_module_keeps_gil_disabled(module):
    """One module alone: a failure names the module lacking the declaration."""
    _need_c()
    res = _run("import %s, sys\nprint(sys._is_gil_enabled())" % module)
    _assert_gil_off(res)


def test_import_twin_keeps_gil_disabled():
    res = _run(
        "import march, %s, sys\n"
        "assert march.IMPLEMENTATION == 'python', march.IMPLEMENTATION\n"
        "print(sys._is_gil_enabled())" % ", ".join(TWIN_MODULES),
        MARCH_PURE_PYTHON="1")
    _assert_gil_off(res)


def test_gil_stays_off_while_threads_share_values():
    """Use march from threads in a fresh interpreter (C if built, else the
    twin): the GIL is still off afterwards and nothing was printed."""
    code = (
        "import sys, threading, march\n"
        "m = march.Map({i: i for i in range(2000)})\n"
        "s = march.Set(range(2000))\n"
        "v = march.vector(range(2000))\n"
        "errors = []\n"
        "def work(t):\n"
        "    try:\n"
        "        for r in range(20):\n"
        "            assert dict(m.set(t, r).items())[t] == r\n"
        "            assert len(s | march.Set([t, -t - 1])) == 2001\n"
        "            assert v.append(t)[-1] == t and list(v) == list(range(2000))\n"
        "    except BaseException as exc:\n"
        "        errors.append(exc)\n"
        "ts = [threading.Thread(target=work, args=(t,)) for t in range(8)]\n"
        "[t.start() for t in ts]\n"
        "[t.join() for t in ts]\n"
        "assert not errors, errors\n"
        "print(march.IMPLEMENTATION, sys._is_gil_enabled())")
    pure = {} if _c_available() else {"MARCH_PURE_PYTHON": "1"}
    _assert_gil_off(_run(code, **pure))


def _c_available():
    try:
        _need_c()
    except pytest.skip.Exception:
        return False
    return True


@pytest.mark.skipif("PYTHON_GIL" in os.environ, reason="PYTHON_GIL overrides the modules")
def test_this_process_runs_without_gil(M, V):
    """With the implementations the other tests use imported here (the
    fixtures), the stress tests of test_threads.py really run in parallel."""
    assert M.Map({1: 2})[1] == 2 and V.vector([1])[0] == 1
    assert sys._is_gil_enabled() is False
