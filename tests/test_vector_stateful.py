"""A Hypothesis state machine: Vector and VectorEvolver against a list model.

Several versions stay alive at once (every operation adds a version and never
drops the older ones), so that a structural-sharing bug that mutates an older
version shows up.  After every step the new version (or the edited evolver) is
checked with ``_check()`` and by reading ``v[i]`` at every index; at the end
every version is checked again.
"""
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine, initialize, invariant, precondition, rule,
    run_state_machine_as_test)

from conftest import load_impl, vector_impls


def full_check(vec, model):
    vec._check()
    n = len(model)
    assert len(vec) == n
    assert [vec[i] for i in range(n)] == model
    if n:
        assert vec[-1] == model[-1]
        assert vec[-n] == model[0]


def evolver_check(e, model):
    e._check()
    n = len(model)
    assert len(e) == n
    assert [e[i] for i in range(n)] == model


def make_machine(V):
    M = V.BRANCHING
    MAX = 700 if M == 4 else 2600
    size_choices = sorted({0, 1, 2, M - 1, M, M + 1, M * M - 1, M * M, M * M + 1,
                           M * M + M, M * M + M + 1}
                          | ({M ** 3 + M, M ** 3 + M + 1} if M == 4 else set()))
    big = [n for n in size_choices if n > M * M]
    sizes = st.one_of(st.sampled_from(size_choices), st.integers(0, 3 * M),
                      st.sampled_from(big), st.integers(M * M, MAX // 2))
    picks = st.integers(0, 10 ** 6)

    class VectorMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.versions = []   # [(vector, model list)]
            self.evolvers = []   # [[evolver, model list]]
            self.counter = 0

        def fresh(self, n=1):
            start = self.counter
            self.counter += n
            return list(range(start, start + n))

        def pick(self, p):
            return self.versions[p % len(self.versions)]

        def add(self, vec, model):
            full_check(vec, model)
            self.versions.append((vec, model))

        @initialize(n=sizes)
        def init(self, n):
            items = self.fresh(n)
            self.add(V.vector(items), items)

        # -------------------------------------------------- persistent ops

        @rule(n=sizes)
        def new(self, n):
            items = self.fresh(n)
            self.add(V.vector(items), items)

        @rule(p=picks, k=st.integers(1, 2 * M + 1))
        def append(self, p, k):
            vec, model = self.pick(p)
            for x in self.fresh(k):
                vec = vec.append(x)
                model = model + [x]
            self.add(vec, model)

        @rule(p=picks, k=st.integers(0, 3 * M))
        def extend(self, p, k):
            vec, model = self.pick(p)
            items = self.fresh(k)
            self.add(vec.extend(items), model + items)

        @rule(p=picks, i=picks, neg=st.booleans())
        def set(self, p, i, neg):
            vec, model = self.pick(p)
            n = len(model)
            i = i % (n + 1)           # n appends
            if neg and i < n:
                i -= n
            x = self.fresh()[0]
            m = list(model)
            if i == n:
                m.append(x)
            else:
                m[i] = x
            self.add(vec.set(i, x), m)

        @rule(p=picks, q=picks, right_first=st.booleans())
        def concat(self, p, q, right_first):
            (a, am), (b, bm) = self.pick(p), self.pick(q)
            if right_first:
                (a, am), (b, bm) = (b, bm), (a, am)
            if len(am) + len(bm) <= MAX:
                self.add(a + b, am + bm)

        @rule(p=picks, i=picks, j=picks)
        def slice(self, p, i, j):
            vec, model = self.pick(p)
            n = len(model)
            i, j = i % (n + 1), j % (n + 1)
            if i > j:
                i, j = j, i
            self.add(vec[i:j], model[i:j])

        @rule(p=picks, i=st.integers(-5, 5), j=st.integers(-5, 5),
              step=st.sampled_from([2, 3, -1, -2, M + 1]))
        def slice_step(self, p, i, j, step):
            vec, model = self.pick(p)
            self.add(vec[i:j:step], model[i:j:step])
            self.add(vec[::step], model[::step])

        @rule(p=picks, i=picks, neg=st.booleans())
        def insert(self, p, i, neg):
            vec, model = self.pick(p)
            n = len(model)
            if n + 1 > MAX:
                return
            i = i % (n + 1)
            if neg:
                i -= n
            x = self.fresh()[0]
            m = list(model)
            m.insert(i, x)
            self.add(vec.insert(i, x), m)

        @rule(p=picks, i=picks)
        def delete(self, p, i):
            vec, model = self.pick(p)
            n = len(model)
            if n == 0:
                with pytest.raises(IndexError):
                    vec.delete(0)
                full_check(vec, model)
                return
            i = i % n
            m = list(model)
            del m[i]
            self.add(vec.delete(i), m)

        @rule(p=picks, i=picks, j=picks)
        def delete_range(self, p, i, j):
            vec, model = self.pick(p)
            n = len(model)
            i, j = i % (n + 2), j % (n + 2)
            m = list(model)
            del m[i:j]
            self.add(vec.delete(i, j), m)

        @rule(p=picks, i=picks)
        def split(self, p, i):
            vec, model = self.pick(p)
            i = i % (len(model) + 1)
            left, right = vec.split(i)
            self.add(left, model[:i])
            self.add(right, model[i:])

        @rule(p=picks, i=picks, default=st.booleans())
        def pop(self, p, i, default):
            vec, model = self.pick(p)
            n = len(model)
            if n == 0:
                with pytest.raises(IndexError):
                    vec.pop()
                full_check(vec, model)
                return
            m = list(model)
            if default:
                nv, x = vec.pop()
                assert x == m.pop()
            else:
                i = i % (2 * n) - n   # -n <= i < n
                nv, x = vec.pop(i)
                assert x == m.pop(i)
            self.add(nv, m)

        @rule(p=picks)
        def popleft(self, p):
            vec, model = self.pick(p)
            if not model:
                with pytest.raises(IndexError):
                    vec.popleft()
                full_check(vec, model)
                return
            nv, x = vec.popleft()
            assert x == model[0]
            self.add(nv, model[1:])

        @rule(p=picks, k=st.integers(1, M + 2))
        def appendleft(self, p, k):
            vec, model = self.pick(p)
            for x in self.fresh(k):
                vec = vec.appendleft(x)
                model = [x] + model
            self.add(vec, model)

        @rule(ps=st.lists(picks, min_size=0, max_size=8))
        def from_concat(self, ps):
            parts = [self.pick(p) for p in ps]
            total = sum(len(m) for _, m in parts)
            if total > MAX:
                return
            model = []
            for _, m in parts:
                model += m
            self.add(V.Vector.from_concat([vv for vv, _ in parts]), model)

        @rule(p=picks, i=picks)
        def remove(self, p, i):
            vec, model = self.pick(p)
            if not model:
                with pytest.raises(ValueError):
                    vec.remove(0)
                return
            x = model[i % len(model)]
            m = list(model)
            m.remove(x)
            self.add(vec.remove(x), m)

        @rule(p=picks, i=picks, j=picks)
        def mset(self, p, i, j):
            vec, model = self.pick(p)
            if not model:
                return
            n = len(model)
            i, j = i % n, j % n
            x, y = self.fresh(2)
            m = list(model)
            m[i] = x
            m[j] = y
            self.add(vec.mset(i, x, j, y), m)

        @rule(p=picks, bad=st.sampled_from(["set", "insert", "delete", "get", "pop"]))
        def failing(self, p, bad):
            vec, model = self.pick(p)
            n = len(model)
            with pytest.raises(IndexError):
                if bad == "set":
                    vec.set(n + 1, 0)
                elif bad == "insert":
                    vec.insert(n + 1, 0)
                elif bad == "delete":
                    vec.delete(n)
                elif bad == "get":
                    vec[n]
                else:
                    vec.pop(n)
            full_check(vec, model)

        # -------------------------------------------------- evolvers

        @rule(p=picks)
        def new_evolver(self, p):
            vec, model = self.pick(p)
            e = vec.evolver()
            assert not e.is_dirty()
            evolver_check(e, model)
            self.evolvers.append([e, list(model)])

        def pick_evolver(self, q):
            return self.evolvers[q % len(self.evolvers)]

        @precondition(lambda self: self.evolvers)
        @rule(q=picks, i=picks, k=st.integers(1, 8))
        def e_set(self, q, i, k):
            entry = self.pick_evolver(q)
            e, model = entry
            for x in self.fresh(k):
                n = len(model)
                j = (i + x) % (n + 1)
                if j == n:
                    e[j] = x
                    model.append(x)
                else:
                    e.set(j, x)
                    model[j] = x
            assert e.is_dirty()
            evolver_check(e, model)

        @precondition(lambda self: self.evolvers)
        @rule(q=picks, k=st.integers(1, 2 * M + 1), bulk=st.booleans())
        def e_append(self, q, k, bulk):
            e, model = self.pick_evolver(q)
            if len(model) + k > MAX:
                return
            items = self.fresh(k)
            if bulk:
                e.extend(items)
            else:
                for x in items:
                    e.append(x)
            model.extend(items)
            evolver_check(e, model)

        @precondition(lambda self: self.evolvers)
        @rule(q=picks, i=picks, how=st.sampled_from(["del", "delete", "range", "remove"]))
        def e_delete(self, q, i, how):
            e, model = self.pick_evolver(q)
            n = len(model)
            if n == 0:
                with pytest.raises(IndexError):
                    del e[0]
                evolver_check(e, model)
                return
            i = i % n
            if how == "del":
                del e[i]
                del model[i]
            elif how == "delete":
                e.delete(i - n)
                del model[i]
            elif how == "range":
                j = min(n, i + (i % (M + 3)))
                e.delete(i, j)
                del model[i:j]
            else:
                x = model[i]
                e.remove(x)
                model.remove(x)
            evolver_check(e, model)

        @precondition(lambda self: self.evolvers)
        @rule(q=picks, finish=st.booleans())
        def e_persistent(self, q, finish):
            e, model = self.pick_evolver(q)
            vec = e.finish() if finish else e.persistent()
            assert not e.is_dirty()
            self.add(vec, list(model))
            evolver_check(e, model)

        @precondition(lambda self: self.evolvers)
        @rule(q=picks)
        def e_failing(self, q):
            e, model = self.pick_evolver(q)
            n = len(model)
            dirty = e.is_dirty()
            with pytest.raises(IndexError):
                e[n + 1] = 0
            with pytest.raises(IndexError):
                e[n]
            with pytest.raises(IndexError):
                del e[n]
            assert e.is_dirty() == dirty
            evolver_check(e, model)

        # -------------------------------------------------- invariants

        @invariant()
        def newest_versions_intact(self):
            # the two newest versions and one older one, read at every index
            for vec, model in self.versions[-2:]:
                full_check(vec, model)
            if self.versions:
                vec, model = self.versions[len(self.versions) // 2]
                full_check(vec, model)

        def teardown(self):
            for vec, model in self.versions:
                full_check(vec, model)
            for e, model in self.evolvers:
                evolver_check(e, model)
                full_check(e.persistent(), model)

    return VectorMachine


@pytest.mark.parametrize("modname", vector_impls())
def test_vector_state_machine(modname):
    V = load_impl(modname)
    run_state_machine_as_test(
        make_machine(V),
        settings=settings(deadline=None, max_examples=100, stateful_step_count=50,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.filter_too_much]))
