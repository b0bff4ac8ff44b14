"""The transient API of Vector is the same as Map's and Set's (issue 16):

* Vector.mutate() is Vector.evolver();
* VectorEvolver.finish() is VectorEvolver.persistent();
* a VectorEvolver is a context manager whose __exit__ finishes it (as
  MapMutation's does) and lets exceptions through; the evolver stays usable;
* the busy error is the RuntimeError common to every transient.

Every test runs against each Vector implementation (the ``V`` fixture of
conftest.py).
"""
import pytest


class Boom(Exception):
    pass


# ---------------------------------------------------------------------------
# mutate() = evolver()

def test_mutate_is_evolver(V):
    vec = V.vector(range(10))
    m = vec.mutate()
    e = vec.evolver()
    assert type(m) is type(e) is V.VectorEvolver
    assert len(m) == len(e) == 10
    assert not m.is_dirty()
    assert m.persistent() is vec        # nothing changed: the source itself
    m.append(10)
    m[0] = "a"
    del m[1]
    assert m.persistent() == ["a"] + list(range(2, 11))
    assert vec == list(range(10))       # the source never changes
    m._check()


def test_mutate_on_empty_and_deep(V):
    M = V.BRANCHING
    for n in (0, 1, M, M * M + 3):
        vec = V.vector(range(n))
        m = vec.mutate()
        m.extend(range(n, n + M + 1))
        out = m.finish()
        assert out == list(range(n + M + 1))
        out._check()
        assert vec == list(range(n))


# ---------------------------------------------------------------------------
# finish() = persistent()

def test_finish_is_persistent(V):
    vec = V.vector(range(5))
    e = vec.evolver()
    assert e.finish() is vec            # clean: the source
    e.append(5)
    assert e.is_dirty()
    a = e.finish()
    assert a == list(range(6))
    assert not e.is_dirty()
    assert e.persistent() is a          # clean again: the same value
    assert e.finish() is a
    e.append(6)                         # still usable; a never changes
    b = e.persistent()
    assert b == list(range(7))
    assert a == list(range(6))
    assert e.finish() is b


# ---------------------------------------------------------------------------
# the context manager

def test_context_manager_returns_itself(V):
    e = V.vector(range(3)).evolver()
    assert e.__enter__() is e
    assert e.__exit__(None, None, None) is False


def test_exit_finishes(V):
    vec = V.vector(range(5))
    e = vec.evolver()
    with e:
        e.append(5)
        e[0] = "x"
    assert not e.is_dirty()
    out = e.finish()
    assert out == ["x", 1, 2, 3, 4, 5]
    assert e.persistent() is out        # exit took the value already
    assert vec == list(range(5))
    # the evolver stays usable after the with block
    e.append(6)
    assert e.is_dirty()
    assert e.finish() == ["x", 1, 2, 3, 4, 5, 6]
    assert out == ["x", 1, 2, 3, 4, 5]


def test_exit_lets_exceptions_through(V):
    vec = V.vector(range(4))
    with pytest.raises(Boom):
        with vec.evolver() as e:
            e.append(4)
            raise Boom("inside")
    # the edits made before the exception are kept
    assert not e.is_dirty()
    assert e.finish() == list(range(5))
    assert vec == list(range(4))


def test_exit_with_nothing_changed(V):
    vec = V.vector(range(4))
    with vec.evolver() as e:
        pass
    assert not e.is_dirty()
    assert e.finish() is vec


# ---------------------------------------------------------------------------
# the busy error

BUSY = "VectorEvolver changed while one of its operations was in progress"


class EditsOnEq:
    """An element whose __eq__ edits the evolver being searched."""

    def __init__(self):
        self.e = None

    def __eq__(self, other):
        self.e.append("edit")
        return False

    __hash__ = object.__hash__


def test_busy_error_is_runtime_error(V):
    bad = EditsOnEq()
    e = V.vector([bad, 1, 2]).evolver()
    bad.e = e
    with pytest.raises(RuntimeError):
        e.remove(object())
    assert e.finish()[1:] == [1, 2]     # nothing changed
    e._check()


def test_busy_error_message(V):
    bad = EditsOnEq()
    e = V.vector([bad, 1, 2]).evolver()
    bad.e = e
    with pytest.raises(RuntimeError) as info:
        e.remove(object())
    assert str(info.value).startswith(BUSY)
