"""The plan's map primitives: march.map.new/get/set/remove/size/free."""
import pytest

import march
import march.map as pm


def test_new():
    m = pm.new()
    assert type(m) is march.Map
    assert len(m) == 0
    assert m == march.Map()
    assert pm.new() is not None


def test_get_set_remove_size(M):
    m = M.Map()
    assert pm.size(m) == 0
    m1 = pm.set(m, "a", 1)
    assert type(m1) is M.Map
    assert pm.size(m) == 0 and pm.size(m1) == 1
    assert pm.get(m1, "a") == 1
    assert pm.get(m1, "b") is None
    assert pm.get(m1, "b", 7) == 7
    assert pm.get(m, "a", "d") == "d"
    m2 = pm.set(m1, "b", 2)
    assert dict(m2.items()) == {"a": 1, "b": 2}
    assert dict(m1.items()) == {"a": 1}
    # set with the identical value: the same map
    v = object()
    m3 = pm.set(m2, "v", v)
    assert pm.set(m3, "v", v) is m3
    # remove: the same map when absent, no KeyError
    assert pm.remove(m2, "zz") is m2
    m4 = pm.remove(m2, "a")
    assert dict(m4.items()) == {"b": 2}
    assert pm.size(m4) == 1
    assert pm.size(pm.remove(m4, "b")) == 0
    m4._check()


def test_many(M):
    m = M.Map()
    for i in range(2000):
        m = pm.set(m, i, str(i))
    assert pm.size(m) == 2000
    for i in range(0, 2000, 2):
        m = pm.remove(m, i)
    assert pm.size(m) == 1000
    assert all(pm.get(m, i) == (None if i % 2 == 0 else str(i)) for i in range(2000))
    m._check()


def test_free(M):
    m = pm.set(M.Map(), "a", [1])
    assert pm.free(m) is None
    # a no-op: the map is still usable afterwards
    assert pm.get(m, "a") == [1]
    assert pm.size(m) == 1


def test_key_errors_propagate(M):
    m = pm.set(M.Map(), "a", 1)
    with pytest.raises(TypeError):
        pm.get(m, [])
    with pytest.raises(TypeError):
        pm.set(m, [], 1)
    with pytest.raises(TypeError):
        pm.remove(m, [])
    assert pm.size(m) == 1


@pytest.mark.parametrize("bad", [
    None, {}, {"a": 1}, [], 1, "map", object(), frozenset(),
], ids=lambda b: type(b).__name__)
def test_type_errors(bad):
    for fn, args in ((pm.get, (bad, "a")), (pm.get, (bad, "a", 1)), (pm.set, (bad, "a", 1)),
                     (pm.remove, (bad, "a")), (pm.size, (bad,)), (pm.free, (bad,))):
        with pytest.raises(TypeError):
            fn(*args)


def test_type_errors_other_collections(M):
    mm = M.Map(a=1).mutate()
    for fn, args in ((pm.get, (mm, "a")), (pm.set, (mm, "a", 1)),
                     (pm.remove, (mm, "a")), (pm.size, (mm,)), (pm.free, (mm,))):
        with pytest.raises(TypeError):
            fn(*args)
    assert len(mm) == 1  # untouched
    vec = march.vector([1, 2]) if hasattr(march, "vector") else None
    if vec is not None:
        with pytest.raises(TypeError):
            pm.size(vec)
    try:
        import immutables
    except ImportError:
        return
    with pytest.raises(TypeError):
        pm.size(immutables.Map(a=1))
    with pytest.raises(TypeError):
        pm.get(immutables.Map(a=1), "a")


def test_mixed_implementations(M):
    # the primitives take a Map of either implementation
    import march._pure.hamt_module as pure
    for cls in {M.Map, pure.Map, march.Map}:
        m = pm.set(cls(), "k", "v")
        assert type(m) is cls
        assert pm.get(m, "k") == "v"
        assert pm.size(m) == 1
