"""Stateful property test: Map and MapMutation against a dict model.

Several live versions (persistent maps) and live mutations are kept at once;
each step applies one operation to one of them and compares with the model:
contents, exceptions, ``set`` returning the same map for an identical value,
iteration order (the design fixes it: see ``ref_order``) and ``_check()``.
Keys include ints and strings, ``HKey``s with chosen (colliding) hashes, and
keys whose ``__hash__`` or ``__eq__`` raise: such an operation must raise that
error and leave the map / mutation unchanged (``__eq__`` is only called
against a stored key with the same full hash, as in dict).
"""
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine, invariant, precondition, rule)

from conftest import MAP_IMPLS, _selected, load_impl
from _keys import HKey, equal_copy

U64 = 0xFFFFFFFFFFFFFFFF
MAX_VERSIONS = 8
MAX_MUTATIONS = 3


class HashError(Exception):
    pass


class EqError(Exception):
    pass


class HashRaiser:
    def __hash__(self):
        raise HashError("hash")

    def __repr__(self):
        return "HashRaiser()"


class EqRaiser:
    def __init__(self, h):
        self.h = h

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        raise EqError("eq")

    __ne__ = __eq__

    def __repr__(self):
        return "EqRaiser(%r)" % (self.h,)


# hashes chosen to collide fully, or to share long prefixes of index bits
HASHES = [0, 1, 33, 1 << 5, 1 << 35, (1 << 60) + 1, 1 << 60, -2, 2 ** 63 - 1, -(2 ** 63), 7]

keys = st.one_of(
    st.integers(-3, 70),
    st.sampled_from(["a", "b", "c", "dd", "", "key"]),
    st.builds(HKey, st.integers(0, 3), st.sampled_from(HASHES)),
    st.sampled_from([1 << 60, (1 << 60) + 32, 2 ** 64 + 1]),
)
values = st.one_of(st.integers(0, 3), st.none(), st.sampled_from(["x", "y"]))
pairs = st.lists(st.tuples(keys, values), max_size=12)


def u64(k):
    return hash(k) & U64


def ref_order(ks):
    return _walk([(u64(k), k) for k in ks], 0)


def _walk(entries, level):
    groups = {}
    for h, k in entries:
        groups.setdefault((h >> (5 * level)) & 31, []).append((h, k))
    data, children = [], []
    for idx in sorted(groups):
        g = groups[idx]
        if len(g) == 1:
            data.append(g[0][1])
        elif len({h for h, _ in g}) == 1:
            children.extend(k for _, k in g)
        else:
            children.extend(_walk(g, level + 1))
    return data + children


def assert_map(m, d):
    assert m._check() is None
    assert len(m) == len(d)
    assert dict(m.items()) == d
    assert list(m) == ref_order(list(d))


def make_machine(M):
    class MapMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.versions = [(M.Map(), {})]
            self.mutations = []   # [mutation, model, finished]

        def _add(self, m, d):
            self.versions.append((m, d))
            if len(self.versions) > MAX_VERSIONS:
                self.versions.pop(1)

        def _pick(self, data):
            return data.draw(st.integers(0, len(self.versions) - 1))

        # -- persistent maps ------------------------------------------------
        @rule(ps=pairs)
        def construct(self, ps):
            d = dict(ps)
            m = M.Map(ps)
            assert_map(m, d)
            self._add(m, d)

        @rule(data=st.data(), n=st.integers(10, 200), start=st.integers(0, 5000))
        def bulk(self, data, n, start):
            m, d = self.versions[self._pick(data)]
            new = [(start + 37 * i, i) for i in range(n)]
            m2 = m.update(new)
            d2 = dict(d)
            d2.update(new)
            assert_map(m2, d2)
            assert_map(m, d)
            self._add(m2, d2)

        @rule(data=st.data(), k=keys, v=values)
        def set(self, data, k, v):
            m, d = self.versions[self._pick(data)]
            m2 = m.set(k, v)
            if k in d and d[k] is v:
                assert m2 is m
            d2 = dict(d)
            d2[k] = v
            assert_map(m2, d2)
            self._add(m2, d2)

        @rule(data=st.data(), k=keys)
        def delete(self, data, k):
            m, d = self.versions[self._pick(data)]
            if d and data.draw(st.booleans()):
                k = data.draw(st.sampled_from(list(d)))
            if k in d:
                m2 = m.delete(k)
                d2 = dict(d)
                del d2[k]
                assert_map(m2, d2)
                self._add(m2, d2)
            else:
                with pytest.raises(KeyError):
                    m.delete(k)
                assert m.discard(k) is m

        @rule(data=st.data())
        def discard_present(self, data):
            m, d = self.versions[self._pick(data)]
            if not d:
                return
            k = data.draw(st.sampled_from(list(d)))
            m2 = m.discard(k)
            d2 = dict(d)
            del d2[k]
            assert_map(m2, d2)
            self._add(m2, d2)

        @rule(data=st.data(), ps=pairs, kw=st.dictionaries(st.sampled_from("abcxyz"), values, max_size=3))
        def update(self, data, ps, kw):
            m, d = self.versions[self._pick(data)]
            m2 = m.update(ps, **kw)
            d2 = dict(d)
            d2.update(ps)
            d2.update(kw)
            assert_map(m2, d2)
            self._add(m2, d2)

        @rule(data=st.data())
        def union(self, data):
            m1, d1 = self.versions[self._pick(data)]
            m2, d2 = self.versions[self._pick(data)]
            r = m1 | m2
            exp = dict(d1)
            exp.update(dict(m2.items()))
            assert_map(r, exp)
            self._add(r, exp)

        @rule(data=st.data(), k=keys)
        def lookup(self, data, k):
            m, d = self.versions[self._pick(data)]
            if d and data.draw(st.booleans()):
                k = data.draw(st.sampled_from(list(d)))
            assert (k in m) == (k in d)
            assert m.get(k, "absent") == d.get(k, "absent")
            if k in d:
                assert m[k] == d[k]
                c = equal_copy(k)
                assert c in m and m[c] is d[k] and m.get(c) is d[k]
            else:
                with pytest.raises(KeyError):
                    m[k]

        @rule(data=st.data())
        def compare(self, data):
            m1, d1 = self.versions[self._pick(data)]
            m2, d2 = self.versions[self._pick(data)]
            assert (m1 == m2) == (d1 == d2)
            assert (m1 != m2) == (d1 != d2)
            if d1 == d2:
                assert hash(m1) == hash(m2)
                # same contents: also the same order up to collision nodes
                assert sorted(map(u64, m1)) == sorted(map(u64, m2))

        @rule(data=st.data())
        def rebuild_in_other_order(self, data):
            m, d = self.versions[self._pick(data)]
            items = list(d.items())
            data.draw(st.randoms()).shuffle(items)
            m2 = M.Map(items)
            assert m2 == m and hash(m2) == hash(m)
            assert_map(m2, dict(items))

        # -- raising keys on maps -------------------------------------------
        @rule(data=st.data())
        def raising_hash_on_map(self, data):
            m, d = self.versions[self._pick(data)]
            self._raising_map_ops(m, d, HashRaiser(), HashError, data)

        @rule(data=st.data())
        def raising_eq_on_map(self, data):
            m, d = self.versions[self._pick(data)]
            if not d:
                return
            stored = data.draw(st.sampled_from(list(d)))
            self._raising_map_ops(m, d, EqRaiser(hash(stored)), EqError, data)

        def _raising_map_ops(self, m, d, key, exc, data):
            op = data.draw(st.sampled_from(
                ["get", "getitem", "contains", "set", "delete", "discard",
                 "update", "or", "items_contains"]))
            with pytest.raises(exc):
                if op == "get":
                    m.get(key)
                elif op == "getitem":
                    m[key]
                elif op == "contains":
                    key in m
                elif op == "set":
                    m.set(key, 1)
                elif op == "delete":
                    m.delete(key)
                elif op == "discard":
                    m.discard(key)
                elif op == "update":
                    m.update([("a", 1), (key, 2)])
                elif op == "or":
                    m | M.Map().set("a", 1) | {key: 1}
                else:
                    (key, 1) in m.items()
            assert_map(m, d)

        # -- mutations ------------------------------------------------------
        @precondition(lambda self: len(self.mutations) < MAX_MUTATIONS)
        @rule(data=st.data())
        def mutate(self, data):
            m, d = self.versions[self._pick(data)]
            self.mutations.append([m.mutate(), dict(d), False])

        def _pick_mutation(self, data):
            return self.mutations[data.draw(st.integers(0, len(self.mutations) - 1))]

        @precondition(lambda self: self.mutations)
        @rule(data=st.data(), k=keys, v=values)
        def mutation_set(self, data, k, v):
            mm, d, finished = self._pick_mutation(data)
            how = data.draw(st.sampled_from(["setitem", "set", "update"]))
            if finished:
                with pytest.raises(ValueError):
                    if how == "setitem":
                        mm[k] = v
                    elif how == "set":
                        mm.set(k, v)
                    else:
                        mm.update([(k, v)])
                return
            if how == "setitem":
                mm[k] = v
            elif how == "set":
                mm.set(k, v)
            else:
                mm.update([(k, v)])
            d[k] = v
            assert len(mm) == len(d)
            assert mm[k] is v

        @precondition(lambda self: self.mutations)
        @rule(data=st.data(), n=st.integers(10, 100), start=st.integers(0, 3000))
        def mutation_bulk(self, data, n, start):
            mm, d, finished = self._pick_mutation(data)
            if finished:
                return
            new = {start + 33 * i: i for i in range(n)}
            mm.update(new)
            d.update(new)
            assert len(mm) == len(d)

        @precondition(lambda self: self.mutations)
        @rule(data=st.data(), k=keys)
        def mutation_delete(self, data, k):
            mm, d, finished = self._pick_mutation(data)
            if d and data.draw(st.booleans()):
                k = data.draw(st.sampled_from(list(d)))
            how = data.draw(st.sampled_from(["delitem", "delete", "pop", "pop_default"]))

            def do():
                if how == "delitem":
                    del mm[k]
                elif how == "delete":
                    mm.delete(k)
                elif how == "pop":
                    return mm.pop(k)
                else:
                    return mm.pop(k, "dflt")

            if finished:
                with pytest.raises(ValueError):
                    do()
                return
            if k in d:
                r = do()
                if how.startswith("pop"):
                    assert r is d[k]
                del d[k]
            elif how == "pop_default":
                assert do() == "dflt"
            else:
                with pytest.raises(KeyError):
                    do()
            assert len(mm) == len(d)

        @precondition(lambda self: self.mutations)
        @rule(data=st.data(), k=keys)
        def mutation_lookup(self, data, k):
            mm, d, finished = self._pick_mutation(data)
            if finished:
                return
            if d and data.draw(st.booleans()):
                k = data.draw(st.sampled_from(list(d)))
            assert (k in mm) == (k in d)
            assert mm.get(k, "absent") == d.get(k, "absent")
            if k in d:
                c = equal_copy(k)
                assert c in mm and mm[c] is d[k]

        @precondition(lambda self: self.mutations)
        @rule(data=st.data())
        def mutation_raising(self, data):
            mm, d, finished = self._pick_mutation(data)
            if finished:
                return
            if d and data.draw(st.booleans()):
                key, exc = EqRaiser(hash(data.draw(st.sampled_from(list(d))))), EqError
            else:
                key, exc = HashRaiser(), HashError
            op = data.draw(st.sampled_from(
                ["get", "getitem", "contains", "setitem", "set", "delitem",
                 "delete", "pop", "pop_default", "update"]))
            with pytest.raises(exc):
                if op == "get":
                    mm.get(key)
                elif op == "getitem":
                    mm[key]
                elif op == "contains":
                    key in mm
                elif op == "setitem":
                    mm[key] = 1
                elif op == "set":
                    mm.set(key, 1)
                elif op == "delitem":
                    del mm[key]
                elif op == "delete":
                    mm.delete(key)
                elif op == "pop":
                    mm.pop(key)
                elif op == "pop_default":
                    mm.pop(key, None)
                else:
                    mm.update({key: 1})
            assert len(mm) == len(d)

        @precondition(lambda self: self.mutations)
        @rule(data=st.data())
        def mutation_compare(self, data):
            mm, d, finished = self._pick_mutation(data)
            if finished:
                return
            m, d2 = self.versions[self._pick(data)]
            assert (mm == m) == (d == d2)

        @precondition(lambda self: self.mutations)
        @rule(data=st.data())
        def finish(self, data):
            i = data.draw(st.integers(0, len(self.mutations) - 1))
            mm, d, finished = self.mutations[i]
            if finished:
                with pytest.raises(ValueError):
                    mm["late"] = 1
                del self.mutations[i]
                return
            if data.draw(st.booleans()):
                m = mm.finish()
            else:
                with mm:
                    pass
                m = mm.finish()
            self.mutations[i][2] = True
            assert_map(m, d)
            self._add(m, dict(d))

        # -- invariants -----------------------------------------------------
        @invariant()
        def versions_unchanged(self):
            # every live version (and mutation) still matches its model
            for m, d in self.versions:
                assert len(m) == len(d)
                assert m._check() is None
                assert dict(m.items()) == d
            for mm, d, finished in self.mutations:
                if not finished:
                    assert len(mm) == len(d)

        def teardown(self):
            for m, d in self.versions:
                assert_map(m, d)
            for mm, d, finished in self.mutations:
                if not finished:
                    assert_map(mm.finish(), d)

    return MapMachine


@pytest.mark.parametrize("modname", [MAP_IMPLS[k] for k in _selected(MAP_IMPLS)],
                         ids=_selected(MAP_IMPLS))
def test_map_state_machine(modname):
    M = load_impl(modname)
    machine = make_machine(M)
    machine.TestCase.settings = settings(
        max_examples=150, stateful_step_count=50, deadline=None)
    machine.TestCase().runTest()
