"""march.array.imm: the plan's immutable-array primitives over march.Vector.

They accept a Vector of every implementation (``V`` fixture).
"""
import pytest

import march
from march.array import imm


def check(vec, expected):
    expected = list(expected)
    vec._check()
    assert imm.size(vec) == len(expected)
    assert [imm.get(vec, i) for i in range(len(expected))] == expected
    assert vec.tolist() == expected


NOT_VECTORS = [[1, 2], (1, 2), None, 5, "ab", range(3)]
BAD_INDEXES = ["1", 1.5, None, [0]]


def test_new():
    a = imm.new()
    assert isinstance(a, march.Vector)
    assert imm.size(a) == 0
    assert imm.new() == imm.new()
    check(imm.push(a, 1), [1])
    check(a, [])


def test_all_exported():
    for name in ("new", "get", "set", "push", "pop", "concat", "slice", "insert",
                 "remove", "size"):
        assert name in imm.__all__
        assert callable(getattr(imm, name))


def test_get(V):
    data = list(range(3 * V.BRANCHING + 1))
    a = V.vector(data)
    n = len(data)
    for i in range(-n, n):
        assert imm.get(a, i) == data[i]
    assert imm.get(a, True) == data[1]
    for bad in (n, -n - 1, 10 ** 12):
        with pytest.raises(IndexError):
            imm.get(a, bad)
    with pytest.raises(IndexError):
        imm.get(V.vector(), 0)
    for bad in BAD_INDEXES:
        with pytest.raises(TypeError):
            imm.get(a, bad)
    check(a, data)


def test_set(V):
    data = list(range(2 * V.BRANCHING))
    a = V.vector(data)
    n = len(data)
    for i in (0, 1, n // 2, n - 1, -1, -n):
        m = list(data)
        m[i] = "x"
        r = imm.set(a, i, "x")
        assert type(r) is V.Vector
        check(r, m)
    for bad in (n, n + 1, -n - 1):
        with pytest.raises(IndexError):
            imm.set(a, bad, "x")
    for bad in BAD_INDEXES:
        with pytest.raises(TypeError):
            imm.set(a, bad, "x")
    check(a, data)


def test_push_pop(V):
    a = V.vector()
    model = []
    for i in range(V.BRANCHING * V.BRANCHING + V.BRANCHING + 2):
        a = imm.push(a, i)
        model.append(i)
        assert type(a) is V.Vector
    check(a, model)
    while model:
        a, x = imm.pop(a)
        assert x == model.pop()
        assert type(a) is V.Vector
    check(a, [])
    with pytest.raises(IndexError):
        imm.pop(a)
    check(a, [])


def test_concat(V):
    M = V.BRANCHING
    for na in (0, 1, M, M * M + 1):
        for nb in (0, 1, M + 1, M * M + M + 1):
            a, b = V.vector(range(na)), V.vector(range(100, 100 + nb))
            r = imm.concat(a, b)
            assert type(r) is V.Vector
            check(r, list(range(na)) + list(range(100, 100 + nb)))
    a = V.v(1, 2)
    for bad in NOT_VECTORS:
        with pytest.raises(TypeError):
            imm.concat(a, bad)
        with pytest.raises(TypeError):
            imm.concat(bad, a)
    check(a, [1, 2])


def test_slice(V):
    n = 2 * V.BRANCHING + 3
    data = list(range(n))
    a = V.vector(data)
    points = [0, 1, n // 2, n - 1, n, -1, -n]
    for i in points:
        for j in points:
            ri = i + n if i < 0 else i
            rj = j + n if j < 0 else j
            if rj < ri:
                with pytest.raises(IndexError):
                    imm.slice(a, i, j)
            else:
                r = imm.slice(a, i, j)
                assert type(r) is V.Vector
                check(r, data[ri:rj])
    for i, j in [(0, n + 1), (-n - 1, 0), (n + 1, n + 2), (3, 2)]:
        with pytest.raises(IndexError):
            imm.slice(a, i, j)
    for bad in BAD_INDEXES:
        with pytest.raises(TypeError):
            imm.slice(a, bad, 1)
        with pytest.raises(TypeError):
            imm.slice(a, 0, bad)
    check(a, data)


def test_insert(V):
    n = V.BRANCHING + 2
    data = list(range(n))
    a = V.vector(data)
    for i in range(-n, n + 1):
        m = list(data)
        m.insert(i, "x")
        r = imm.insert(a, i, "x")
        assert type(r) is V.Vector
        check(r, m)
    for bad in (n + 1, -n - 1):
        with pytest.raises(IndexError):
            imm.insert(a, bad, "x")
    for bad in BAD_INDEXES:
        with pytest.raises(TypeError):
            imm.insert(a, bad, "x")
    check(imm.insert(V.vector(), 0, 1), [1])
    check(a, data)


def test_remove(V):
    n = V.BRANCHING + 2
    data = list(range(n))
    a = V.vector(data)
    for i in range(-n, n):
        m = list(data)
        del m[i]
        r = imm.remove(a, i)
        assert type(r) is V.Vector
        check(r, m)
    for bad in (n, -n - 1):
        with pytest.raises(IndexError):
            imm.remove(a, bad)
    for bad in BAD_INDEXES:
        with pytest.raises(TypeError):
            imm.remove(a, bad)
    with pytest.raises(IndexError):
        imm.remove(V.vector(), 0)
    check(a, data)


def test_size(V):
    for n in (0, 1, V.BRANCHING, V.BRANCHING ** 2 + 1):
        assert imm.size(V.vector(range(n))) == n


@pytest.mark.parametrize("bad", NOT_VECTORS)
def test_type_errors_for_non_vectors(bad):
    with pytest.raises(TypeError):
        imm.get(bad, 0)
    with pytest.raises(TypeError):
        imm.set(bad, 0, 1)
    with pytest.raises(TypeError):
        imm.push(bad, 1)
    with pytest.raises(TypeError):
        imm.pop(bad)
    with pytest.raises(TypeError):
        imm.slice(bad, 0, 1)
    with pytest.raises(TypeError):
        imm.insert(bad, 0, 1)
    with pytest.raises(TypeError):
        imm.remove(bad, 0)
    with pytest.raises(TypeError):
        imm.size(bad)


def test_pyrsistent_vector_is_not_a_march_vector():
    pyrsistent = pytest.importorskip("pyrsistent")
    p = pyrsistent.pvector([1, 2])
    with pytest.raises(TypeError):
        imm.size(p)
    with pytest.raises(TypeError):
        imm.push(p, 3)


def test_persistence(V):
    """Every primitive leaves its input alone."""
    data = list(range(V.BRANCHING * V.BRANCHING + 5))
    a = V.vector(data)
    imm.set(a, 3, "x")
    imm.push(a, "x")
    imm.pop(a)
    imm.concat(a, a)
    imm.slice(a, 2, len(data) - 1)
    imm.insert(a, 7, "x")
    imm.remove(a, 7)
    check(a, data)
