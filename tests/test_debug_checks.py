"""The debug switch MARCH_CHECK=1 (tests/_march_check.py) really checks.

* The profile hook calls ``_check()`` after operations of both
  implementations and records a broken invariant (a map whose key changed
  its hash after insertion; a pure vector whose count was corrupted).
* End to end: a pytest run with ``MARCH_CHECK=1`` over a test that breaks
  a structure fails, and the same test passes without the switch.
"""
import os
import subprocess
import sys
import textwrap

import pytest

from _march_check import Checker

HERE = os.path.dirname(os.path.abspath(__file__))


class MutableHash:
    """A key whose hash can be changed after it was stored (a user bug)."""

    def __init__(self, h):
        self.h = h

    def __hash__(self):
        return self.h


def run_checked(fn):
    """Run ``fn`` with a private Checker installed; return the checker."""
    old = sys.getprofile()
    checker = Checker(slow=60.0)          # no time-based skipping here
    checker.install()
    try:
        fn()
    finally:
        checker.uninstall()
        if old is not None:          # the suite runs under MARCH_CHECK=1 too
            sys.setprofile(old)
    return checker


def test_checker_knows_every_implementation(M, V):
    checker = Checker()
    assert M.Map in checker.types
    assert V.Vector in checker.types and V.VectorEvolver in checker.types


def test_healthy_operations_are_checked(M, V):
    def work():
        m = M.Map({i: i for i in range(100)})
        m = m.set(1000, 1).delete(1000).discard(5)
        m.get(3)
        v = V.vector(range(200))
        a, b = v.split(77)
        e = (b + a).evolver()
        e.append(1)
        e.set(0, 2)
        e.persistent().append(3)

    checker = run_checked(work)
    assert checker.failures == []
    assert checker.checks >= 8


def test_broken_map_is_reported(M):
    k = MutableHash(5)
    m = M.Map({k: 1, 2: 2, 3: 3})
    k.h = 6                               # now k is off its hash path

    checker = run_checked(lambda: m.get(2))
    assert checker.failures, "the hook did not notice the broken map"
    assert "_check() failed after get" in checker.failures[0]


def test_broken_pure_vector_is_reported():
    from march._pure import vector_object
    v = vector_object.vector(range(100))
    v._count += 1                         # corrupt the twin's header

    checker = run_checked(lambda: v.append(1))
    assert any("append" in f for f in checker.failures), checker.failures


def test_c_method_path_uses_the_receiver():
    """c_return events: the receiver of a C method is checked (any C type)."""
    class Checked(list):
        def _check(self):
            assert len(self) < 3, "too long"

    def work():
        x = Checked()
        x.append(1)
        x.append(2)
        x.append(3)                       # breaks the toy invariant

    old = sys.getprofile()
    checker = Checker(slow=60.0)
    checker.types.add(Checked)
    checker.install()
    try:
        work()
    finally:
        checker.uninstall()
        if old is not None:
            sys.setprofile(old)
    assert len(checker.failures) == 1 and "append()" in checker.failures[0]


def test_max_len_bounds_the_cost(V):
    checker = Checker(max_len=10, max_len_pure=10, slow=60.0)
    checker.verify(V.vector(range(11)), "x")
    assert checker.checks == 0
    checker.verify(V.vector(range(10)), "x")
    assert checker.checks == 1


BROKEN_TEST = textwrap.dedent("""
    import march._pure.hamt_module as P

    class MutableHash:
        def __init__(self, h):
            self.h = h

        def __hash__(self):
            return self.h

    def test_breaks_a_map():
        k = MutableHash(5)
        m = P.Map({k: 1, 2: 2})
        k.h = 6
        assert m.get(2) == 2
""")


def test_switch_end_to_end(tmp_path):
    """A pytest run with MARCH_CHECK=1 fails on a test that breaks a map."""
    path = tmp_path / "test_broken_map.py"
    path.write_text(BROKEN_TEST)
    # the suite's conftest (it installs the fixture) next to the test
    (tmp_path / "conftest.py").write_text(
        "import sys\nsys.path.insert(0, %r)\nfrom _march_check import "
        "march_check_every_operation  # noqa\n" % HERE)
    env = dict(os.environ, MARCH_CHECK="1")
    import march
    src = os.path.dirname(os.path.dirname(os.path.abspath(march.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "MARCH_CHECK: invariant violated" in out, out
    assert "1 passed, 1 error" in out, out        # the test itself passed
    # without the switch the same test passes (run here, with no hook)
    ns = {}
    exec(compile(BROKEN_TEST, "test_broken_map.py", "exec"), ns)
    old = sys.getprofile()
    sys.setprofile(None)
    try:
        ns["test_breaks_a_map"]()
    finally:
        sys.setprofile(old)
