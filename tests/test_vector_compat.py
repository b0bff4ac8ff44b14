"""Differential tests: march.Vector against pyrsistent's PVector.

pyrsistent's pure-Python PVector (``pyrsistent._pvector.python_pvector``) is
the reference for semantics.  The same operation sequences run on both; the
results (contents of returned vectors, returned values) and the exception
types must be the same.  Only the ``repr`` prefix differs by design
(``vector(...)`` instead of ``pvector(...)``).
"""
import operator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pyrsistent = pytest.importorskip("pyrsistent")
from pyrsistent._pvector import python_pvector as ref_pvector  # noqa: E402

from conftest import VECTOR_IMPLS, load_impl  # noqa: E402

SETTINGS = settings(
    deadline=None, max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def is_vec(x):
    return hasattr(x, "evolver") and hasattr(x, "tolist")


def normalize(x):
    """Vectors of either library become ('vec', list); tuples recurse."""
    if is_vec(x):
        return ("vec", x.tolist())
    if isinstance(x, tuple):
        return tuple(normalize(y) for y in x)
    if isinstance(x, list):
        return [normalize(y) for y in x]
    return x


def outcome(fn):
    try:
        return ("ok", normalize(fn()))
    except Exception as exc:  # noqa: BLE001 - comparing exception types
        return ("raise", type(exc))


def has_bad_index(op):
    if op[:1] == ("mul_bad",):
        return True  # pyrsistent: pvector() * 1.5 == pvector(); list-like: TypeError
    if op[:1] not in (("set",), ("delete",), ("getitem",), ("setitem",)):
        return False
    return any(isinstance(a, (str, float)) or a is None for a in op[1:2])


def both(mine, ref, fn, op=()):
    a, b = outcome(lambda: fn(mine)), outcome(lambda: fn(ref))
    if has_bad_index(op):
        # the spec asks for TypeError; pyrsistent's pure PVector does not
        # always check the type (e.g. v()[1.5] raises IndexError there)
        assert a == ("raise", TypeError)
    else:
        assert a == b
    return a


values = st.integers(0, 6)
indexes = st.integers(-45, 45)
bad_indexes = st.sampled_from(["a", 1.5, None])
sizes = st.one_of(st.integers(0, 70), st.sampled_from([31, 32, 33, 1023, 1024, 1025, 1056, 1057]))

vector_ops = st.one_of(
    st.tuples(st.just("append"), values),
    st.tuples(st.just("extend"), st.lists(values, max_size=40)),
    st.tuples(st.just("set"), st.one_of(indexes, bad_indexes), values),
    st.tuples(st.just("mset"), st.lists(st.one_of(indexes, values), max_size=7)),
    st.tuples(st.just("delete"), st.one_of(indexes, bad_indexes)),
    st.tuples(st.just("delete2"), indexes, indexes),
    st.tuples(st.just("remove"), values),
    st.tuples(st.just("index"), values),
    st.tuples(st.just("index2"), values, indexes),
    st.tuples(st.just("index3"), values, indexes, indexes),
    st.tuples(st.just("count"), values),
    st.tuples(st.just("getitem"), st.one_of(indexes, bad_indexes)),
    st.tuples(st.just("slice"), st.one_of(st.none(), indexes), st.one_of(st.none(), indexes),
              st.one_of(st.none(), st.integers(-4, 4))),
    st.tuples(st.just("add_list"), st.lists(values, max_size=40)),
    st.tuples(st.just("add_tuple"), st.lists(values, max_size=5)),
    st.tuples(st.just("add_self")),
    st.tuples(st.just("add_bad")),
    st.tuples(st.just("mul"), st.integers(-2, 3)),
    st.tuples(st.just("rmul"), st.integers(-2, 3)),
    st.tuples(st.just("mul_bad")),
    st.tuples(st.just("compare"), st.lists(values, max_size=6), st.booleans(),
              st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne"])),
    st.tuples(st.just("compare_prefix"), st.integers(0, 4), values,
              st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne"])),
    st.tuples(st.just("compare_tuple"), st.sampled_from(["lt", "eq", "ne"])),
    st.tuples(st.just("compare_int"), st.sampled_from(["lt", "eq", "ne"])),
    st.tuples(st.just("hash")),
    st.tuples(st.just("len")),
    st.tuples(st.just("contains"), values),
    st.tuples(st.just("reversed")),
    st.tuples(st.just("tolist")),
    st.tuples(st.just("repr")),
)


def apply_op(op, vec, mk):
    """Apply one operation; ``mk`` builds a vector of the same library."""
    name, args = op[0], op[1:]
    if name == "append":
        return vec.append(*args)
    if name == "extend":
        return vec.extend(args[0])
    if name == "set":
        return vec.set(*args)
    if name == "mset":
        return vec.mset(*args[0])
    if name == "delete":
        return vec.delete(args[0])
    if name == "delete2":
        return vec.delete(*args)
    if name == "remove":
        return vec.remove(args[0])
    if name == "index":
        return vec.index(args[0])
    if name == "index2":
        return vec.index(*args)
    if name == "index3":
        return vec.index(*args)
    if name == "count":
        return vec.count(args[0])
    if name == "getitem":
        return vec[args[0]]
    if name == "slice":
        return vec[slice(*args)]
    if name == "add_list":
        return vec + args[0]
    if name == "add_tuple":
        return vec + tuple(args[0])
    if name == "add_self":
        return vec + vec
    if name == "add_bad":
        return vec + 5
    if name == "mul":
        return vec * args[0]
    if name == "rmul":
        return args[0] * vec
    if name == "mul_bad":
        return vec * 1.5
    if name == "compare":
        other, as_vec, opname = args
        o = mk(other) if as_vec else list(other)
        return getattr(operator, opname)(vec, o)
    if name == "compare_prefix":
        k, x, opname = args
        lst = vec.tolist()[:k] + [x]
        return getattr(operator, opname)(vec, lst), getattr(operator, opname)(lst, vec)
    if name == "compare_tuple":
        return getattr(operator, args[0])(vec, tuple(vec.tolist()))
    if name == "compare_int":
        return getattr(operator, args[0])(vec, 5)
    if name == "hash":
        return hash(vec)
    if name == "len":
        return len(vec)
    if name == "contains":
        return args[0] in vec
    if name == "reversed":
        return list(reversed(vec))
    if name == "tolist":
        return vec.tolist()
    if name == "repr":
        r = repr(vec)
        return r[r.index("("):]
    raise AssertionError(name)


@SETTINGS
@given(n=sizes, ops=st.lists(vector_ops, max_size=25), data=st.data())
def test_vector_ops_match_pvector(V, n, ops, data):
    init = [i % 7 for i in range(n)]
    mine, ref = V.vector(init), ref_pvector(init)
    for op in ops:
        res = both(mine, ref, lambda x: apply_op(op, x, V.vector if x is mine else ref_pvector), op)
        # continue from the result when it is a vector, sometimes
        if res[0] == "ok" and isinstance(res[1], tuple) and res[1][:1] == ("vec",) \
                and len(res[1][1]) <= 3000 and data.draw(st.booleans()):
            new_mine = apply_op(op, mine, V.vector)
            new_ref = apply_op(op, ref, ref_pvector)
            new_mine._check()
            assert new_mine.tolist() == new_ref.tolist()
            mine, ref = new_mine, new_ref
        mine._check()
        assert mine.tolist() == ref.tolist()


evolver_ops = st.one_of(
    st.tuples(st.just("setitem"), st.one_of(indexes, bad_indexes), values),
    st.tuples(st.just("set"), indexes, values),
    st.tuples(st.just("append"), values),
    st.tuples(st.just("extend"), st.lists(values, max_size=40)),
    st.tuples(st.just("delete"), indexes),
    st.tuples(st.just("delitem"), indexes),
    st.tuples(st.just("getitem"), st.one_of(indexes, bad_indexes)),
    st.tuples(st.just("len")),
    st.tuples(st.just("is_dirty")),
    st.tuples(st.just("persistent")),
)


def apply_evolver_op(op, e):
    name, args = op[0], op[1:]
    if name == "setitem":
        e[args[0]] = args[1]
        return None
    if name == "set":
        return e.set(*args) is e
    if name == "append":
        return e.append(*args) is e
    if name == "extend":
        return e.extend(args[0]) is e
    if name == "delete":
        return e.delete(args[0]) is e
    if name == "delitem":
        del e[args[0]]
        return None
    if name == "getitem":
        return e[args[0]]
    if name == "len":
        return len(e)
    if name == "is_dirty":
        return e.is_dirty()
    if name == "persistent":
        return e.persistent()
    raise AssertionError(name)


@SETTINGS
@given(n=sizes, ops=st.lists(evolver_ops, max_size=30))
def test_evolver_ops_match_pvector(V, n, ops):
    init = [i % 7 for i in range(n)]
    src, ref_src = V.vector(init), ref_pvector(init)
    e, re_ = src.evolver(), ref_src.evolver()
    snapshots = []
    # pyrsistent's is_dirty() is unreliable after deletes and empty extends
    uncertain = False
    for op in ops:
        if op[0] == "is_dirty" and uncertain:
            continue
        if op[0] in ("delete", "delitem") or op == ("extend", []):
            uncertain = True
        if op[0] == "persistent":
            uncertain = False
            p, rp = e.persistent(), re_.persistent()
            assert p.tolist() == rp.tolist()
            snapshots.append((p, rp.tolist()))
            continue
        both(e, re_, lambda x: apply_evolver_op(op, x), op)
        e._check()
        assert len(e) == len(re_)
        assert [e[i] for i in range(len(e))] == [re_[i] for i in range(len(re_))]
    for p, expected in snapshots:
        p._check()
        assert p.tolist() == expected
    final = e.persistent()
    final._check()
    assert final.tolist() == re_.persistent().tolist()
    assert src.tolist() == init
    src._check()


def test_pyrsistent_type_quirks(V):
    """Where the pure PVector skips a type check, march raises TypeError."""
    assert ref_pvector([]) * 1.5 == ref_pvector([])
    with pytest.raises(TypeError):
        V.vector() * 1.5
    with pytest.raises(IndexError):
        ref_pvector([])[1.5]
    with pytest.raises(TypeError):
        V.vector()[1.5]


def test_evolver_mset_growing(V):
    # mset(len, x) appends, as PVector.set(len, x) does
    for mk in (V.vector, ref_pvector):
        assert mk([1, 2]).mset(2, 3).tolist() == [1, 2, 3]


@pytest.mark.parametrize("case", range(6))
def test_transform_matches_pvector(V, case):
    from pyrsistent import discard, inc, ny
    init = list(range(10))
    transformations = [
        ([3], 99),
        ([ny], inc),
        ([lambda i: i > 5], discard),
        ([10], 5),
        ([lambda i, x: x % 3 == 0], lambda x: -x),
        ([0], 1, [1], 2, [ny], inc),
    ][case]
    mine = V.vector(init).transform(*transformations)
    ref = ref_pvector(init).transform(*transformations)
    mine._check()
    assert mine.tolist() == ref.tolist()
    assert type(mine) is V.Vector


def test_nested_transform_matches_pvector(V):
    from pyrsistent import freeze, inc, ny
    mine = V.vector([V.vector([1, 2]), V.vector([3, 4])])
    ref = freeze([[1, 2], [3, 4]])
    t = ([ny, 1], inc)
    m2, r2 = mine.transform(*t), ref.transform(*t)
    assert [x.tolist() for x in m2] == [x.tolist() for x in r2]


def test_equal_to_pvector_and_lists(V):
    vec = V.vector([1, 2, 3])
    assert vec == [1, 2, 3]
    assert [1, 2, 3] == vec
    assert vec == ref_pvector([1, 2, 3])
    assert vec != ref_pvector([1, 2])
    assert (vec + ref_pvector([4])).tolist() == [1, 2, 3, 4]


@pytest.mark.parametrize("other", sorted(VECTOR_IMPLS))
def test_cross_implementation(V, other):
    """Vectors of another implementation behave as sequences: +, == work."""
    O = load_impl(VECTOR_IMPLS[other])
    a = V.vector(range(40))
    b = O.vector(range(40, 90))
    r = a + b
    assert type(r) is V.Vector
    r._check()
    assert r.tolist() == list(range(90))
    assert a == O.vector(range(40))
    assert a != b
    assert a.extend(b).tolist() == list(range(90))


def test_api_surface_superset_of_pvector(V):
    ref = ref_pvector([1])
    mine = V.vector([1])
    for name in dir(ref):
        if not name.startswith("_") and name != "Evolver":
            assert hasattr(mine, name), name
    for name in dir(ref.evolver()):
        if not name.startswith("_"):
            assert hasattr(mine.evolver(), name), name
