"""Subclasses of march.Set: every derivation keeps the subclass.

``Set`` may be subclassed (``SetEvolver`` may not: test_reentrancy_map's
``test_final_types``).  A subclass instance's operations return instances of
its class; an operation that changes nothing returns the object itself;
``Sub(x)`` of any Set shares x's trie; the evolver of a subclass instance
gives that class back; pickling, ``copy``, ``repr``, ``==`` and ``hash``
work across the base and its subclasses; the module's constructors
(``Set(...)``, ``s(...)``) keep returning the exact type.  Every test runs
on both implementations (fixture ``M``) and on two subclasses: one with
``__slots__ = ()`` and one with a ``__dict__``.
"""
import copy
import gc
import pickle
import weakref

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from _subclassing import Counted, module_subclasses


# ---------------------------------------------------------------------------
# the subclasses, made at module level (pickle finds them by name), one pair
# per implementation
# ---------------------------------------------------------------------------

def _subclasses(M):
    """(SlotSub, DictSub) of M.Set: made once, registered in this module."""
    return module_subclasses(M.Set, M.__name__.replace(".", "_"), globals())


@pytest.fixture(params=["slots", "dict"])
def Sub(M, request):
    slot_sub, dict_sub = _subclasses(M)
    return slot_sub if request.param == "slots" else dict_sub


# ---------------------------------------------------------------------------
# every derivation returns the subclass
# ---------------------------------------------------------------------------

def _derivations(M, Sub):
    """name -> f(x) for x == Sub({1, 2, 3}): each makes a new value."""
    return {
        "add": lambda x: x.add(4),
        "discard": lambda x: x.discard(1),
        "remove": lambda x: x.remove(1),
        "remove_all": lambda x: x.remove(1).remove(2).remove(3),
        "update": lambda x: x.update([4]),
        "update_many": lambda x: x.update([4], {5}, M.s(6)),
        "update_set": lambda x: x.update(M.s(4)),
        "update_sub": lambda x: x.update(Sub([4])),
        "union": lambda x: x.union([4, 5]),
        "intersection": lambda x: x.intersection([1, 9]),
        "intersection_many": lambda x: x.intersection([1, 2], {1}),
        "intersection_set": lambda x: x.intersection(M.s(1)),
        "intersection_empty": lambda x: x.intersection([]),
        "difference": lambda x: x.difference([1]),
        "difference_set": lambda x: x.difference(M.s(1)),
        "difference_all": lambda x: x.difference([1, 2, 3]),
        "symmetric_difference": lambda x: x.symmetric_difference([3, 4]),
        "symmetric_difference_set":
            lambda x: x.symmetric_difference(M.s(3, 4)),
        "or_list": lambda x: x | [4],
        "or_set": lambda x: x | M.s(4),
        "or_sub": lambda x: x | Sub([4]),
        "or_builtin": lambda x: x | {4},
        "and_list": lambda x: x & [1],
        "and_set": lambda x: x & M.s(1, 5),
        "sub_list": lambda x: x - [1],
        "sub_set": lambda x: x - M.s(1),
        "xor_list": lambda x: x ^ [1, 4],
        "xor_set": lambda x: x ^ M.s(1, 4),
        "ror_list": lambda x: [4] | x,
        "rand_list": lambda x: [1] & x,
        "rsub_list": lambda x: [1, 2, 7] - x,
        "rxor_list": lambda x: [1, 4] ^ x,
        "ror_frozenset": lambda x: frozenset([4]) | x,
        "evolver": lambda x: x.evolver().add(4).persistent(),
        "mutate_finish": lambda x: x.mutate().discard(1).finish(),
        "evolver_emptied": lambda x: x.evolver().remove(1).remove(2)
        .remove(3).persistent(),
        "constructor": lambda x: type(x)([7, 8]),
        "constructor_empty": lambda x: type(x)(),
        "deepcopy": lambda x: copy.deepcopy(x),
        "pickle": lambda x: pickle.loads(pickle.dumps(x)),
    }


def test_every_derivation_returns_the_subclass(M, Sub):
    x = Sub([1, 2, 3])
    assert type(x) is Sub
    for name, f in _derivations(M, Sub).items():
        base = f(M.Set([1, 2, 3]))
        r = f(x)
        assert type(r) is Sub, name
        assert type(base) is M.Set, name
        assert r == base and set(r) == set(base), name
        assert hash(r) == hash(base) == hash(frozenset(base)), name
        r._check()
    assert x == M.s(1, 2, 3)       # untouched


def test_empty_results_are_subclass_instances(M, Sub):
    x = Sub([1])
    for r in (x.remove(1), x.discard(1), x - [1], x & [], Sub(), Sub([]),
              x.evolver().remove(1).persistent(), x.difference(x)):
        assert type(r) is Sub and len(r) == 0 and r == M.s()
        assert r is not M.s()
    assert M.Set() is M.s() is M.Set([]) is M.s(1).remove(1)


_UNCHANGED = {
    "add": lambda x: x.add(1), "discard": lambda x: x.discard(9),
    "update": lambda x: x.update(), "update_empty": lambda x: x.update([]),
    "update_subset": lambda x: x.update([1, 2]),
    "union": lambda x: x.union(), "intersection": lambda x: x.intersection(),
    "intersection_superset": lambda x: x.intersection([1, 2, 3, 4]),
    "difference": lambda x: x.difference([9]),
    "difference_none": lambda x: x.difference(),
    "symmetric_difference": lambda x: x.symmetric_difference([]),
    "or": lambda x: x | [], "or_subset": lambda x: x | [1],
    "and": lambda x: x & [1, 2, 3, 4], "sub": lambda x: x - [9],
    "xor": lambda x: x ^ [], "ror": lambda x: [] | x,
    "copy": lambda x: x.copy(), "__copy__": lambda x: copy.copy(x),
    "evolver": lambda x: x.evolver().persistent(),
    "evolver_unchanged":
        lambda x: x.evolver().discard(9).add(1).persistent(),
}
# what the exact type surely gives back unchanged (the others: whatever it
# does, the subclass does the same)
_SURELY_SELF = {"add", "discard", "update", "update_empty", "update_subset",
                "union", "intersection", "difference_none", "or", "ror",
                "copy", "__copy__", "evolver", "evolver_unchanged"}


def test_unchanged_results_are_self(M, Sub):
    x, base = Sub([1, 2, 3]), M.s(1, 2, 3)
    for name, f in _UNCHANGED.items():
        r, rb = f(x), f(base)
        assert type(r) is Sub and r == x, name
        assert (r is x) == (rb is base), name
        if name in _SURELY_SELF:
            assert r is x, name


def test_unchanged_result_of_another_type_is_not_returned(M, Sub):
    # an operand whose root is the result is returned only when it has the
    # result's type (the left operand's)
    base, sub = M.s(1, 2), Sub([1, 2])
    for r in (M.s() | sub, M.s().update(sub), M.s(1, 2, 3) & sub):
        assert type(r) is M.Set and r == sub
    for r in (Sub() | base, Sub().update(base), Sub([1, 2, 3]) & base):
        assert type(r) is Sub and r == base
    # same type: the operand itself, as for the exact type
    assert M.s() | base is base
    other = Sub([1, 2])
    assert Sub() | other is other


def test_operators_take_the_left_operand_type(M, Sub):
    base, sub = M.s(1, 2), Sub([2, 3])
    for op in ("__or__", "__and__", "__sub__", "__xor__"):
        assert type(getattr(base, op)(sub)) is M.Set, op
        assert type(getattr(sub, op)(base)) is Sub, op
    assert type(base | sub) is M.Set and type(sub | base) is Sub
    assert type(base - sub) is M.Set and type(sub - base) is Sub
    # between two subclasses: the left one's
    slot_sub, dict_sub = _subclasses(M)
    assert type(slot_sub([1]) | dict_sub([2])) is slot_sub
    assert type(dict_sub([1]) ^ slot_sub([2])) is dict_sub


def test_reflected_operators_follow_the_exact_type(M, Sub):
    x = Sub([1, 2])
    assert type([2, 3] | x) is Sub and [2, 3] | x == M.s(1, 2, 3)
    assert type([2, 3] & x) is Sub and [2, 3] & x == M.s(2)
    assert type([2, 3] - x) is Sub and [2, 3] - x == M.s(3)
    assert type([2, 3] ^ x) is Sub and [2, 3] ^ x == M.s(1, 3)
    assert type(frozenset([2]) - x) is Sub
    with pytest.raises(TypeError):
        x | 1
    with pytest.raises(TypeError):
        1 | x


# ---------------------------------------------------------------------------
# constructors
# ---------------------------------------------------------------------------

def test_sub_of_a_set_shares_its_trie(M, Sub):
    elements = [Counted(i) for i in range(200)]
    base = M.Set(elements)
    sub = Sub(base)
    hash(base)
    Counted.calls = 0
    sub2 = Sub(base)
    sub3 = Sub(sub)
    back = M.Set(sub)
    assert Counted.calls == 0          # no element hashed: O(1)
    for r in (sub, sub2, sub3):
        assert type(r) is Sub
    assert type(back) is M.Set
    assert sub2 is not base and sub3 is not sub and back is not sub
    assert sub._layout() == base._layout() == back._layout()
    assert sub2 == base and sub3 == base and back == base
    # the exact type keeps returning its argument
    assert M.Set(base) is base


def test_module_constructors_return_the_exact_type(M, Sub):
    x = Sub([1, 2])
    assert type(M.Set(x)) is M.Set and M.Set(x) == x
    assert type(M.Set([1])) is M.Set and type(M.s(1)) is M.Set
    assert type(M.Set()) is M.Set
    assert type(Sub()) is Sub and type(Sub("ab")) is Sub
    assert Sub("ab") == M.s("a", "b")
    with pytest.raises(TypeError):
        Sub(1)
    with pytest.raises(TypeError):
        Sub([1], [2])
    with pytest.raises(TypeError):
        Sub(x=1)


def test_subclass_instances_are_accepted_as_sets(M, Sub):
    x, base = Sub([1, 2, 3]), M.s(2, 3, 4)
    assert base.issubset(x | [4]) and x.issuperset(M.s(1))
    assert not base.isdisjoint(x) and M.s(9).isdisjoint(x)
    assert len(list(base.diff(x))) == 2 and len(list(x.diff(x))) == 0
    assert x < M.s(1, 2, 3, 4) and M.s(1) < x and x <= x and x >= base - [4]
    assert M.Set().update(x) == x and M.s(1).union(x) == x
    m = M.Map(a=1, b=2)
    assert m.intersection(Sub(["a"])) == M.Map(a=1)
    assert m.difference(Sub(["a"])) == M.Map(b=2)
    assert m.intersection(Sub(["a"])) == m.intersection(M.s("a"))
    with pytest.raises(TypeError):
        x.diff([1])


def test_structural_fast_paths_with_subclass_operands(M, Sub):
    elements = [Counted(i) for i in range(100)]
    sub = Sub(elements)
    empty = M.Set()
    Counted.calls = 0
    r1 = empty.update(sub)
    r2 = empty | sub
    r3 = sub.issubset(sub)
    assert Counted.calls == 0
    assert r1 == sub and r2 == sub and r3


# ---------------------------------------------------------------------------
# evolver, pickle, repr, ==, hash
# ---------------------------------------------------------------------------

def test_evolver_persistent_keeps_the_type(M, Sub):
    x = Sub([1, 2])
    e = x.evolver()
    assert type(e) is M.SetEvolver
    assert e.persistent() is x and not e.is_dirty()
    e.add(3)
    p1 = e.persistent()
    assert type(p1) is Sub and p1 == M.s(1, 2, 3)
    assert e.persistent() is p1
    e.discard(1).discard(2).discard(3)
    p2 = e.persistent()
    assert type(p2) is Sub and len(p2) == 0 and not e.is_dirty()
    e.add(5)
    assert type(e.finish()) is Sub
    with x.mutate() as m:
        m.add(9)
    assert type(m.persistent()) is Sub
    assert type(M.s(1).evolver().add(2).persistent()) is M.Set
    assert M.s(1).evolver().remove(1).persistent() is M.s()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(M, Sub, protocol):
    for x in (Sub(), Sub([1, "a", (2, 3)]), Sub(range(100))):
        y = pickle.loads(pickle.dumps(x, protocol))
        assert type(y) is Sub and y == x and hash(y) == hash(x)
        y._check()
    base = pickle.loads(pickle.dumps(M.s(1, 2), protocol))
    assert type(base) is M.Set and base == M.s(1, 2)


def test_pickle_keeps_the_instance_dict(M):
    _, dict_sub = _subclasses(M)
    x = dict_sub([1, 2])
    x.tag = "hello"
    y = pickle.loads(pickle.dumps(x))
    assert type(y) is dict_sub and y == x and y.tag == "hello"
    z = copy.deepcopy(x)
    assert z.tag == "hello" and z == x
    # a derivation is a new object: no attributes of its source
    assert not hasattr(x.add(3), "tag")


def test_repr(M, Sub):
    name = Sub.__name__
    assert repr(Sub()) == "%s()" % name
    assert repr(Sub([1])) == "%s({1})" % name
    r = repr(Sub([1, 2]))
    assert r in ("%s({1, 2})" % name, "%s({2, 1})" % name)
    assert repr(M.s(1)) == "march.Set({1})" and repr(M.s()) == "march.Set()"
    # inside another Set, and recursively
    assert repr(M.s(Sub([1]))) == "march.Set({%s({1})})" % name
    holder = []

    class Back:
        def __repr__(self):
            return repr(holder[0])

    x = Sub([Back()])
    holder.append(x)
    assert repr(x) == "%s({%s({...})})" % (name, name)


def test_subclass_overriding_repr(M):
    class Named(M.Set):
        __slots__ = ()

        def __repr__(self):
            return "Named<%d>" % len(self)

    x = Named([1, 2])
    assert repr(x) == "Named<2>" and repr(x.add(3)) == "Named<3>"
    assert repr(M.s(Named([1]))) == "march.Set({Named<1>})"
    assert str(x) == "Named<2>"


def test_eq_and_hash_across_types(M, Sub):
    slot_sub, dict_sub = _subclasses(M)
    a, b, c = M.s(1, 2), slot_sub([2, 1]), dict_sub([1, 2])
    for x in (a, b, c):
        for y in (a, b, c):
            assert x == y and not (x != y) and hash(x) == hash(y)
            assert x <= y and x >= y and not x < y
    assert hash(a) == hash(frozenset([1, 2]))
    assert b == {1, 2} and b == frozenset([1, 2]) and {1, 2} == b
    assert b != M.s(1) and b != Sub([1, 3]) and b != [1, 2]
    # a cached hash that differs short-cuts
    d = Sub([1, 3])
    hash(d), hash(b)
    assert d != b
    assert len({a: 1, b: 2, c: 3}) == 1


def test_subclass_with_methods_and_dict(M):
    class Tagged(M.Set):
        def with_tag(self, tag):
            r = self.add(tag)
            r.tag = tag
            return r

    x = Tagged([1]).with_tag("t")
    assert type(x) is Tagged and x.tag == "t" and x == M.s(1, "t")
    assert x.__dict__ == {"tag": "t"}
    y = x.discard(1)
    assert type(y) is Tagged and y.__dict__ == {}
    assert weakref.ref(x)() is x


def test_subclass_with_new_and_init(M):
    class Checked(M.Set):
        __slots__ = ()

        def __new__(cls, iterable=()):
            items = list(iterable)
            if not all(isinstance(i, int) for i in items):
                raise TypeError("ints only")
            return super().__new__(cls, items)

    x = Checked([1, 2])
    assert type(x) is Checked and type(x.add(3)) is Checked
    with pytest.raises(TypeError):
        Checked(["a"])


# ---------------------------------------------------------------------------
# GC
# ---------------------------------------------------------------------------

def test_cycle_through_the_dict_is_collected(M):
    _, dict_sub = _subclasses(M)
    gc.collect()
    died = []
    x = dict_sub([1, 2])
    x.me = x
    x.other = [x]
    wr = weakref.ref(x, lambda r: died.append(1))
    del x
    gc.collect()
    assert died == [1] and wr() is None


def test_cycle_through_an_element_and_the_evolver_is_collected(M):
    _, dict_sub = _subclasses(M)

    class Node:
        pass

    gc.collect()
    died = []
    n = Node()
    x = dict_sub([n])
    n.owner = x
    x.evolver = x.evolver()          # the evolver holds x (its orig)
    wr = weakref.ref(x, lambda r: died.append(1))
    del x, n
    gc.collect()
    assert died == [1] and wr() is None


def test_subclass_instances_are_gc_tracked(M, Sub):
    assert gc.is_tracked(Sub([1, 2]))
    assert gc.is_tracked(Sub())


# ---------------------------------------------------------------------------
# random operation sequences: a subclass against the base type
# ---------------------------------------------------------------------------

_elements = st.one_of(st.integers(-20, 20), st.sampled_from("abcdef"))
_lists = st.lists(_elements, max_size=8)
_ops = st.lists(st.one_of(
    st.tuples(st.sampled_from(["add", "discard", "remove"]), _elements),
    st.tuples(st.sampled_from(["update", "intersection", "difference",
                               "symmetric_difference", "or", "and", "sub",
                               "xor", "ror", "rand", "rsub", "rxor",
                               "or_same", "and_same", "evolver"]), _lists),
    st.tuples(st.just("roundtrip"), st.none()),
), max_size=25)


def _apply(M, x, op, arg):
    cls = type(x)
    if op == "add":
        return x.add(arg)
    if op == "discard":
        return x.discard(arg)
    if op == "remove":
        return x.remove(arg) if arg in x else x
    if op in ("update", "intersection", "difference",
              "symmetric_difference"):
        return getattr(x, op)(arg)
    if op == "or":
        return x | arg
    if op == "and":
        return x & arg
    if op == "sub":
        return x - arg
    if op == "xor":
        return x ^ arg
    if op == "ror":
        return arg | x
    if op == "rand":
        return arg & x
    if op == "rsub":
        return arg - x
    if op == "rxor":
        return arg ^ x
    if op == "or_same":
        return x | cls(arg)
    if op == "and_same":
        return x & cls(arg)
    if op == "evolver":
        e = x.evolver()
        for i, v in enumerate(arg):
            if i % 2:
                e.discard(v)
            else:
                e.add(v)
        return e.persistent()
    assert op == "roundtrip"
    return pickle.loads(pickle.dumps(x))


# M and Sub hold no state: sharing them between examples is safe
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=_lists, ops=_ops)
def test_subclass_against_base(M, Sub, start, ops):
    base, sub = M.Set(start), Sub(start)
    model = set(start)
    for op, arg in ops:
        nb = _apply(M, base, op, arg)
        ns = _apply(M, sub, op, arg)
        assert type(nb) is M.Set and type(ns) is Sub, op
        assert (nb is base) == (ns is sub) or op in (
            "roundtrip", "or_same", "and_same"), op
        base, sub = nb, ns
        assert sub == base and set(sub) == set(base)
        assert len(sub) == len(base) and hash(sub) == hash(base)
        model = set(base)
    sub._check()
    assert set(sub) == model
