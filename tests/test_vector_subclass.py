"""Subclasses of march.Vector (every implementation: the fixture ``V``).

Vector may be subclassed (for march.pyrsistent's PVector / CheckedPVector);
its transient, VectorEvolver, stays final (tests/test_reentrancy_vector.py).

* every operation on a subclass instance that makes a new vector returns an
  instance of ``type(self)`` (the table ``OPS``, each checked against the
  same operation on a plain Vector); an operation that changes nothing
  returns ``self``; binary operators take the type of the left operand;
* ``Sub(iterable)`` makes a Sub, ``Sub(vector)`` shares the tree (O(1)); the
  module's constructors (``vector``, ``v``) keep making Vectors;
* an evolver remembers the type: ``persistent()`` returns a Sub;
* pickling, ``repr`` (the subclass's ``__name__``, or its own ``__repr__``),
  ``==`` and ``hash`` across the base and subclasses;
* a subclass with a ``__dict__`` works, and is collected in a reference cycle
  through its ``__dict__``;
* a Hypothesis test runs random operation sequences on a subclass instance
  and on a plain Vector side by side.
"""
import copy
import gc
import pickle
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _subclassing import module_subclasses
from conftest import load_impl, vector_impls

# ---------------------------------------------------------------- subclasses

# One pair of subclasses per implementation module, at module level (so that
# pickle finds them by name): ``Slots_<module>`` (``__slots__ = ()``) and
# ``Dict_<module>`` (no ``__slots__``: instances have a ``__dict__``).

def subclasses(V):
    """(the __slots__ subclass, the __dict__ subclass) of V.Vector."""
    return module_subclasses(V.Vector, V.__name__.replace(".", "_"), globals())


@pytest.fixture(params=["slots", "dict"])
def Sub(V, request):
    slots, dicty = subclasses(V)
    return slots if request.param == "slots" else dicty


def sizes(V):
    M = V.BRANCHING
    # empty, in the tail, a tree of one and of several levels
    return [0, 3, M + 1, M * M + 5, M ** 3 + 7]


def check_sub(result, Sub, expected):
    assert type(result) is Sub
    result._check()
    assert result.tolist() == list(expected)


# ---------------------------------------------------------------- the table

# (name, function of a vector) -> a vector, or a tuple whose vector parts are
# listed by the third element (the indexes of the vectors in the tuple)
OPS = [
    ("append", lambda x: x.append("new")),
    ("extend list", lambda x: x.extend(["a", "b", "c"])),
    ("extend tuple", lambda x: x.extend(tuple(range(40)))),
    ("extend generator", lambda x: x.extend(i for i in range(5))),
    ("extend vector", lambda x: x.extend(type(x).__mro__[-2]([7, 8]))),
    ("add list", lambda x: x + [1, 2]),
    ("add self", lambda x: x + x),
    ("set 0", lambda x: x.set(0, "s") if len(x) else x.set(0, "s")),
    ("set -1", lambda x: x.set(-1, "s") if len(x) else x.append("s")),
    ("set len", lambda x: x.set(len(x), "end")),
    ("mset", lambda x: x.mset(0, "m", len(x) // 2, "n") if len(x) else x.mset(0, "m")),
    ("delete index", lambda x: x.delete(len(x) // 2) if len(x) else x.append(1).delete(0)),
    ("delete range", lambda x: x.delete(1, max(len(x) - 1, 1))),
    ("delete step", lambda x: x.delete(slice(None, None, 3))),
    ("delete neg step", lambda x: x.delete(slice(None, None, -2))),
    ("remove", lambda x: x.remove(x[len(x) // 2]) if len(x) else x.append(0).remove(0)),
    ("insert 0", lambda x: x.insert(0, "i")),
    ("insert mid", lambda x: x.insert(len(x) // 2, "i")),
    ("insert end", lambda x: x.insert(len(x), "i")),
    ("appendleft", lambda x: x.appendleft("l")),
    ("slice", lambda x: x[1:len(x) - 1]),
    ("slice empty", lambda x: x[5:2]),
    ("slice step", lambda x: x[::2]),
    ("slice step empty", lambda x: x[5:2:2]),
    ("reversed slice", lambda x: x[::-1]),
    ("mul 3", lambda x: x * 3),
    ("rmul 2", lambda x: 2 * x),
    ("mul 0", lambda x: x * 0),
    ("mul -1", lambda x: -1 * x),
    ("transform", lambda x: x.transform([0], "t") if len(x) else x.append("t")),
    ("evolver append", lambda x: x.evolver().append(1).persistent()),
    ("evolver set", lambda x: x.evolver().set(len(x), 2).persistent()),
    ("evolver extend", lambda x: x.evolver().extend(range(50)).persistent()),
    ("evolver delete", lambda x: x.append(0).evolver().delete(0).persistent()),
    ("evolver remove", lambda x: x.append("r").evolver().remove("r").finish()),
    ("evolver setitem", lambda x: _evolver_setitem(x)),
    ("evolver with", lambda x: _evolver_with(x)),
]

TUPLE_OPS = [
    ("pop", lambda x: x.append(1).pop(), (0,)),
    ("pop 0", lambda x: x.append(1).pop(0), (0,)),
    ("popleft", lambda x: x.append(1).popleft(), (0,)),
    ("split", lambda x: x.split(len(x) // 2), (0, 1)),
    ("split 0", lambda x: x.split(0), (0, 1)),
    ("split end", lambda x: x.split(len(x)), (0, 1)),
]


def _evolver_setitem(x):
    e = x.evolver()
    e[len(e)] = "a"
    if len(e) > 1:
        e[0] = "z"
        del e[1]
    return e.persistent()


def _evolver_with(x):
    with x.evolver() as e:
        e.append("w")
    return e.persistent()


@pytest.mark.parametrize("name, op", OPS, ids=[o[0] for o in OPS])
def test_every_derivation_is_a_subclass(V, Sub, name, op):
    for n in sizes(V):
        items = list(range(n))
        base = V.vector(items)
        sub = Sub(items)
        expected = op(base)
        assert type(expected) is V.Vector
        got = op(sub)
        check_sub(got, Sub, expected.tolist())
        # self is unchanged
        assert sub.tolist() == items


@pytest.mark.parametrize("name, op, parts", TUPLE_OPS, ids=[o[0] for o in TUPLE_OPS])
def test_every_tuple_derivation_is_a_subclass(V, Sub, name, op, parts):
    for n in sizes(V):
        items = list(range(n))
        expected = op(V.vector(items))
        got = op(Sub(items))
        assert len(got) == len(expected)
        for k in range(len(got)):
            if k in parts:
                check_sub(got[k], Sub, expected[k].tolist())
            else:
                assert got[k] == expected[k]


def test_empty_results_are_not_the_singleton(V, Sub):
    empty = V.vector()
    assert V.vector() is empty and V.v() is empty and V.Vector() is empty
    for x in (Sub(), Sub([]), Sub(range(5))[3:1], Sub([1]) * 0, Sub([1]).delete(0),
              Sub([1]).pop()[0], Sub([1]).popleft()[0], Sub([1]).split(0)[0],
              Sub([1, 2])[2:2:1], Sub.from_concat([])):
        check_sub(x, Sub, [])
        assert x is not empty
        assert x == empty
    # the exact type keeps its singleton
    assert V.v(1).delete(0) is empty
    assert V.v(1)[1:0] is empty
    assert V.v(1) * 0 is empty


def test_unchanged_results_are_self(V, Sub):
    for n in sizes(V):
        s = Sub(range(n))
        assert s.extend([]) is s
        assert s.extend(()) is s
        assert s + [] is s
        assert s + V.vector() is s
        assert s + Sub() is s
        assert s[:] is s
        assert s[0:len(s)] is s
        assert s * 1 is s
        assert 1 * s is s
        assert s.delete(2, 2) is s
        assert s.delete(slice(3, 3)) is s
        assert s.delete(slice(4, 1, 2)) is s
        assert s.evolver().persistent() is s
        e = s.evolver()
        assert e.persistent() is s
        assert V.VectorEvolver(s).persistent() is s
        assert Sub(s) is s
        assert s.split(0)[1] is s
        assert s.split(len(s))[0] is s
        if n:
            assert s.popleft()[0].appendleft(0) == s


def test_binary_operators_take_the_left_type(V, Sub):
    slots, dicty = subclasses(V)
    other = dicty if Sub is slots else slots
    for n in sizes(V)[:4]:
        a, b = Sub(range(n)), other(range(n, 2 * n))
        check_sub(a + b, Sub, range(2 * n))
        check_sub(a.extend(b), Sub, range(2 * n))
        r = b + a
        assert type(r) is other and r.tolist() == list(range(n, 2 * n)) + list(range(n))
        # a plain Vector on the left stays a plain Vector
        plain = V.vector(range(n))
        for r in (plain + a, plain.extend(a)):
            assert type(r) is V.Vector
            assert r.tolist() == list(range(n)) * 2
        # the empty left operand: the right operand rewrapped, not returned
        r = V.vector() + a
        assert type(r) is V.Vector and r.tolist() == list(range(n))
        if n:
            assert r is not a
        check_sub(Sub() + plain, Sub, range(n))


def test_reflected_operators(V, Sub):
    s = Sub([1, 2])
    # as the exact type: list + vector is a TypeError, n * vector repeats
    with pytest.raises(TypeError):
        [0] + s
    with pytest.raises(TypeError):
        [0] + V.v(1, 2)
    check_sub(3 * s, Sub, [1, 2] * 3)
    assert s.__add__(V.v(3)).tolist() == [1, 2, 3]
    assert s.__mul__("x") is NotImplemented
    check_sub(s.__add__([3]), Sub, [1, 2, 3])


def test_from_concat(V, Sub):
    M = V.BRANCHING
    parts = [Sub(range(M)), [1, 2], V.v(3), (), Sub(range(M * M))]
    r = Sub.from_concat(parts)
    check_sub(r, Sub, list(range(M)) + [1, 2, 3] + list(range(M * M)))
    r = V.Vector.from_concat(parts)
    assert type(r) is V.Vector
    assert r.tolist() == list(range(M)) + [1, 2, 3] + list(range(M * M))
    check_sub(Sub.from_concat([[1]]), Sub, [1])
    check_sub(Sub.from_concat([V.v(1, 2)]), Sub, [1, 2])
    one = Sub([5])
    assert Sub.from_concat([one]) is one


# ---------------------------------------------------------------- construction


def relaxed(V):
    """A vector whose tree is relaxed (made by concatenations): rebuilding it
    from its elements would give another shape."""
    M = V.BRANCHING
    x = V.vector(range(M + 3)) + V.vector(range(M * M * 3)) + V.vector(range(M + 1))
    assert x._stats()["relaxed"] > 0
    return x


def test_construction(V, Sub):
    check_sub(Sub(), Sub, [])
    check_sub(Sub([1, 2]), Sub, [1, 2])
    check_sub(Sub(iterable=(1, 2)), Sub, [1, 2])
    check_sub(Sub(x for x in range(100)), Sub, range(100))
    check_sub(Sub("abc"), Sub, "abc")
    with pytest.raises(TypeError):
        Sub(1)
    with pytest.raises(TypeError):
        Sub([1], [2])
    # the module's constructors keep making Vectors
    s = Sub([1, 2])
    for r in (V.vector(s), V.vector(iterable=s), V.Vector(s)):
        assert type(r) is V.Vector and r.tolist() == [1, 2]
    assert type(V.v(*s)) is V.Vector


def test_construction_from_a_vector_shares_the_tree(V, Sub):
    slots, dicty = subclasses(V)
    x = relaxed(V)
    for src in (x, slots(x), dicty(x)):
        for make in (Sub, V.vector, V.Vector):
            r = make(src)
            r._check()
            assert r == x
            # the same (relaxed) tree: not rebuilt from the elements
            assert r._shape() == x._shape()
            assert r._stats() == x._stats()
    # a vector of the same type is returned as it is
    s = Sub(x)
    assert Sub(s) is s
    assert V.vector(x) is x


def test_subclass_with_new_and_init(V):
    class Checked(V.Vector):
        __slots__ = ()

        def __new__(cls, iterable=()):
            return super().__new__(cls, [int(i) for i in iterable])

    c = Checked(["1", 2])
    check_sub(c, Checked, [1, 2])
    check_sub(c.append(3), Checked, [1, 2, 3])

    class WithInit(V.Vector):
        def __init__(self, iterable=()):
            self.label = "y"

    w = WithInit([1])
    assert w.label == "y"
    with pytest.raises(TypeError):
        WithInit([1], label="z")        # as tuple: __new__ sees the arguments
    check_sub(w, WithInit, [1])
    r = w.append(2)
    check_sub(r, WithInit, [1, 2])     # derivations run neither __new__ nor __init__
    assert not hasattr(r, "label")


# ---------------------------------------------------------------- evolver


def test_evolver_remembers_the_type(V, Sub):
    for n in sizes(V):
        s = Sub(range(n))
        e = s.evolver()
        assert type(e) is V.VectorEvolver
        assert e.persistent() is s
        e.append(n)
        p = e.persistent()
        check_sub(p, Sub, range(n + 1))
        assert e.persistent() is p          # clean again
        e.extend([1, 2])
        check_sub(e.finish(), Sub, list(range(n + 1)) + [1, 2])
        e2 = V.VectorEvolver(s)
        e2.append("x")
        check_sub(e2.persistent(), Sub, list(range(n)) + ["x"])
        m = s.mutate()
        m.append(0)
        check_sub(m.persistent(), Sub, list(range(n)) + [0])
        # an evolver made from a list or a plain vector makes Vectors
        e3 = V.VectorEvolver(list(range(n)))
        e3.append(1)
        assert type(e3.persistent()) is V.Vector
    with pytest.raises(TypeError, match="not an acceptable base type"):
        class SubEvolver(V.VectorEvolver):
            pass


# ---------------------------------------------------------------- pickle, repr, ==


@pytest.mark.parametrize("proto", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(V, Sub, proto):
    for n in sizes(V):
        s = Sub(range(n))
        r = pickle.loads(pickle.dumps(s, proto))
        check_sub(r, Sub, range(n))
    for f in (copy.copy, copy.deepcopy):
        check_sub(f(Sub([1, [2]])), Sub, [1, [2]])
    # the exact type still pickles through vector()
    assert V.v(1).__reduce__()[0] is V.vector
    assert Sub([1]).__reduce__()[0] is Sub


def test_pickle_keeps_the_dict(V):
    slots, dicty = subclasses(V)
    d = dicty([1, 2])
    d.label = "hello"
    r = pickle.loads(pickle.dumps(d))
    check_sub(r, dicty, [1, 2])
    assert r.label == "hello"
    assert copy.deepcopy(d).label == "hello"
    assert len(dicty([1]).__reduce__()) == 2     # no state when __dict__ is empty


def test_repr(V, Sub):
    name = Sub.__name__
    assert repr(Sub()) == name + "([])"
    assert repr(Sub([1, "a"])) == name + "([1, 'a'])"
    assert str(Sub([1])) == name + "([1])"
    assert repr(V.v(1)) == "vector([1])"
    assert repr(V.v(Sub([1]))) == "vector([%s([1])])" % name
    assert repr(Sub([Sub([2])])) == "%s([%s([2])])" % (name, name)


def test_repr_override(V):
    class PVectorLike(V.Vector):
        __slots__ = ()

        def __repr__(self):
            return "pvector(%r)" % (self.tolist(),)

    p = PVectorLike([1, 2])
    assert repr(p) == "pvector([1, 2])"
    assert repr(p.append(3)) == "pvector([1, 2, 3])"
    assert repr(V.v(p)) == "vector([pvector([1, 2])])"

    class Renamed(V.Vector):
        __slots__ = ()

    Renamed.__name__ = "Other"
    assert repr(Renamed([1])) == "Other([1])"


def test_eq_hash_across_types(V, Sub):
    slots, dicty = subclasses(V)
    for n in sizes(V)[:4]:
        items = list(range(n))
        plain, a, b = V.vector(items), Sub(items), (dicty if Sub is slots else slots)(items)
        for x in (plain, a, b):
            for y in (plain, a, b):
                assert x == y and not x != y
                assert hash(x) == hash(y)
                assert x <= y and x >= y and not x < y
        assert a == items and a != items + [0]
        assert a != plain.append(0) and plain.append(0) != a
        assert a < plain.append(0) and plain < a.append(0)
        assert {plain: 1}[a] == 1
        assert a in {b} and plain in {a}
    assert Sub([1, 2]) < V.v(1, 3)
    assert V.v(1, 2) < Sub([1, 3])
    assert (Sub([1, 2]) == (1, 2)) is (V.v(1, 2) == (1, 2))


def test_sequence_protocol(V, Sub):
    import collections.abc
    s = Sub(range(10))
    assert isinstance(s, collections.abc.Sequence)
    assert isinstance(s, V.Vector)
    assert len(s) == 10 and s[3] == 3 and s[-1] == 9 and 5 in s
    assert list(reversed(s)) == list(range(9, -1, -1))
    assert s.index(4) == 4 and s.count(4) == 1
    assert weakref.ref(s)() is s


# ---------------------------------------------------------------- __dict__ and GC


def test_subclass_with_dict(V):
    slots, dicty = subclasses(V)
    assert not hasattr(slots([1]), "__dict__")
    with pytest.raises(AttributeError):
        slots([1]).x = 1
    d = dicty([1, 2])
    d.x = 5
    assert d.x == 5 and d.__dict__ == {"x": 5}
    r = d.append(3)
    check_sub(r, dicty, [1, 2, 3])
    assert r.__dict__ == {}      # a new instance: the attributes are not copied
    assert hash(d) == hash(V.v(1, 2))


def _collected(make):
    """True when the object make() returns (in a cycle) is freed by gc."""
    gc.collect()
    freed = []
    ref = weakref.ref(make(), lambda r: freed.append(1))
    gc.collect()
    return ref() is None and freed == [1]


def test_gc_cycle_through_dict(V):
    slots, dicty = subclasses(V)
    M = V.BRANCHING

    def through_dict():
        d = dicty(range(M * M + 3))
        d.me = d
        return d

    def through_elements_and_dict():
        class Node:
            pass
        n = Node()
        d = dicty([n] + list(range(M * M)))
        n.back = d
        d.node = n
        return d

    def through_elements_only():
        class Node:
            pass
        n = Node()
        s = slots([n, 1, 2])
        n.back = s
        return s

    def evolver_cycle():
        d = dicty([1])
        e = d.evolver()
        e.append(e)
        d.e = e
        return d

    for make in (through_dict, through_elements_and_dict, through_elements_only,
                 evolver_cycle):
        assert _collected(make), make.__name__


def test_gc_count(V):
    slots, dicty = subclasses(V)
    gc.collect()
    for _ in range(20):
        d = dicty(range(10))
        d.me = d
        del d
    assert gc.collect() >= 20


def test_dealloc_many(V, Sub):
    # instances of a subclass are freed through CPython's subtype_dealloc,
    # those of Vector through the free list: interleave them
    keep = []
    for i in range(2000):
        s = Sub(range(i % 40))
        keep.append(s.append(i))
        keep.append(V.vector(range(i % 7)).append(i))
        if len(keep) > 50:
            del keep[:25]
    del keep
    gc.collect()


# ---------------------------------------------------------------- Hypothesis

_ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.integers(-5, 5)),
        st.tuples(st.just("extend"), st.lists(st.integers(), max_size=40)),
        st.tuples(st.just("set"), st.integers(0, 10 ** 6)),
        st.tuples(st.just("delete"), st.integers(0, 10 ** 6)),
        st.tuples(st.just("insert"), st.integers(0, 10 ** 6)),
        st.tuples(st.just("slice"), st.tuples(st.integers(-50, 50), st.integers(-50, 50),
                                              st.sampled_from([None, 1, 2, -1, 3]))),
        st.tuples(st.just("concat"), st.booleans()),
        st.tuples(st.just("mul"), st.integers(-1, 3)),
        st.tuples(st.just("pop"), st.integers(0, 10 ** 6)),
        st.tuples(st.just("popleft"), st.none()),
        st.tuples(st.just("split"), st.integers(0, 10 ** 6)),
        st.tuples(st.just("evolve"), st.lists(st.integers(), max_size=20)),
        st.tuples(st.just("remove"), st.integers(0, 10 ** 6)),
    ),
    max_size=25)


def _apply(x, action, arg):
    n = len(x)
    if action == "append":
        return x.append(arg)
    if action == "extend":
        return x.extend(arg)
    if action == "set":
        return x.set(arg % (n + 1), "s")
    if action == "delete":
        return x.delete(arg % n) if n else x
    if action == "insert":
        return x.insert(arg % (n + 1), "i")
    if action == "slice":
        return x[slice(*arg)]
    if action == "concat":
        return x + x if arg else x + list(range(5))
    if action == "mul":
        return x * arg if n < 200 else x
    if action == "pop":
        return x.pop(arg % n)[0] if n else x
    if action == "popleft":
        return x.popleft()[0] if n else x
    if action == "split":
        return x.split(arg % (n + 1))[arg % 2]
    if action == "evolve":
        e = x.evolver()
        for i in arg:
            e.append(i)
        if len(e) > 2:
            del e[1]
            e[0] = "e"
        return e.persistent()
    if action == "remove":
        return x.remove(x[arg % n]) if n else x
    raise AssertionError(action)


@pytest.mark.parametrize("modname", vector_impls())
@settings(max_examples=60, deadline=None)
@given(start=st.lists(st.integers(), max_size=80), actions=_ACTIONS, which=st.booleans())
def test_random_operations_match_the_base(modname, start, actions, which):
    V = load_impl(modname)
    Sub = subclasses(V)[1 if which else 0]
    base, sub = V.vector(start), Sub(start)
    for action, arg in actions:
        base = _apply(base, action, arg)
        sub = _apply(sub, action, arg)
        assert type(base) is V.Vector
        assert type(sub) is Sub
        assert sub == base and base == sub
        assert sub.tolist() == base.tolist()
    sub._check()
    assert hash(sub) == hash(base)


def test_threads_share_a_subclass_instance(V, Sub):
    # derivations of one subclass instance (and its evolvers) from several
    # threads at once (on a free-threaded build: really at once)
    import threading
    M = V.BRANCHING
    shared = Sub(range(M * M + 3))
    errors = []
    barrier = threading.Barrier(4)

    def work(k):
        try:
            barrier.wait()
            for i in range(200):
                r = shared.append(k).set(i % len(shared), i)[1:].insert(0, k)
                assert type(r) is Sub and len(r) == len(shared) + 1
                e = shared.evolver()
                e.append(i)
                p = e.persistent()
                assert type(p) is Sub and p[-1] == i
                assert repr(Sub([k])) == "%s([%d])" % (Sub.__name__, k)
        except BaseException as exc:     # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert shared.tolist() == list(range(M * M + 3))
