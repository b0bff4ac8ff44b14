"""Stateful property test: march.Set, its evolver and the Map algebra against
Python set/dict models.

Several live versions are kept; each step edits one version persistently
(so later versions share structure with earlier ones), combines two
versions with an operator, or edits an evolver, and compares with the model
(contents, ``_check()``, hash equal to the frozenset's).  Elements include
ints, strings and keys with chosen, colliding hashes.  The Map versions ride
along: each Set version has a Map version with the same keys, and the Map
algebra and ``diff`` between two of them are checked against dicts.
"""
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from conftest import MAP_IMPLS, _selected, load_impl
from _keys import HKey

HASHES = [0, 1, 33, 1 << 5, 1 << 35, (1 << 60) + 1, 1 << 60, -2]
elements = st.one_of(
    st.integers(-3, 100),
    st.sampled_from(["a", "b", "c"]),
    st.builds(HKey, st.integers(0, 3), st.sampled_from(HASHES)),
)
MAX_VERSIONS = 8


def check_set(s, py):
    s._check()
    assert len(s) == len(py)
    assert set(s) == py
    assert hash(s) == hash(frozenset(py))


def check_map(m, d):
    m._check()
    assert dict(m.items()) == d


def make_machine(M):
    class SetMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.versions = [(M.Set(), set(), M.Map(), {})]
            self.evolver = None

        def _push(self, s, py, m, d):
            self.versions.append((s, py, m, d))
            if len(self.versions) > MAX_VERSIONS:
                del self.versions[1]

        @rule(i=st.integers(0, MAX_VERSIONS), x=elements, v=st.integers(0, 2))
        def add(self, i, x, v):
            s, py, m, d = self.versions[i % len(self.versions)]
            d2 = dict(d)
            d2[x] = v
            self._push(s.add(x), py | {x}, m.set(x, v), d2)

        @rule(i=st.integers(0, MAX_VERSIONS), x=elements)
        def remove(self, i, x):
            s, py, m, d = self.versions[i % len(self.versions)]
            if x in py:
                d2 = dict(d)
                del d2[x]
                self._push(s.remove(x), py - {x}, m.delete(x), d2)
            else:
                with pytest.raises(KeyError):
                    s.remove(x)
                assert s.discard(x) is s

        @rule(i=st.integers(0, MAX_VERSIONS), j=st.integers(0, MAX_VERSIONS),
              op=st.sampled_from(["|", "&", "-", "^"]))
        def combine(self, i, j, op):
            s1, p1, m1, d1 = self.versions[i % len(self.versions)]
            s2, p2, m2, d2 = self.versions[j % len(self.versions)]
            if op == "|":
                r, pr = s1 | s2, p1 | p2
                mr, dr = m1.union(m2), {**d1, **d2}
            elif op == "&":
                r, pr = s1 & s2, p1 & p2
                mr, dr = m1.intersection(m2), {k: v for k, v in d1.items() if k in d2}
            elif op == "-":
                r, pr = s1 - s2, p1 - p2
                mr, dr = m1.difference(m2), {k: v for k, v in d1.items() if k not in d2}
            else:
                r, pr = s1 ^ s2, p1 ^ p2
                mr = m1.symmetric_difference(m2)
                dr = {**{k: v for k, v in d1.items() if k not in d2},
                      **{k: v for k, v in d2.items() if k not in d1}}
            check_set(r, pr)
            check_map(mr, dr)
            assert (s1 <= s2) == (p1 <= p2)
            assert (s1 == s2) == (p1 == p2)
            assert s1.isdisjoint(s2) == p1.isdisjoint(p2)
            changes = {k: (o, n) for k, o, n in m1.diff(m2)}
            expect = {}
            for k in p1 | p2:
                o = d1.get(k, M.ABSENT)
                n = d2.get(k, M.ABSENT)
                if o is M.ABSENT or n is M.ABSENT or o != n:
                    expect[k] = (o, n)
            assert changes == expect
            self._push(r, pr, mr, dr)

        @rule(i=st.integers(0, MAX_VERSIONS))
        def start_evolver(self, i):
            s, py, _, _ = self.versions[i % len(self.versions)]
            self.evolver = (s.evolver(), set(py))

        @rule(x=elements, add=st.booleans())
        def evolve(self, x, add):
            if self.evolver is None:
                return
            e, py = self.evolver
            if add:
                e.add(x)
                py.add(x)
            else:
                e.discard(x)
                py.discard(x)
            assert len(e) == len(py)

        @rule()
        def persist(self):
            if self.evolver is None:
                return
            e, py = self.evolver
            s = e.persistent()
            check_set(s, py)
            assert not e.is_dirty()
            m = M.Map.from_keys(s, 0)
            self._push(s, set(py), m, {k: 0 for k in py})

        @invariant()
        def versions_unchanged(self):
            for s, py, m, d in self.versions[-2:]:
                check_set(s, py)
                check_map(m, d)

        def teardown(self):
            for s, py, m, d in self.versions:
                check_set(s, py)
                check_map(m, d)

    return SetMachine


@pytest.mark.parametrize("modname", [MAP_IMPLS[k] for k in _selected(MAP_IMPLS)],
                         ids=_selected(MAP_IMPLS))
def test_set_state_machine(modname):
    M = load_impl(modname)
    machine = make_machine(M)
    machine.TestCase.settings = settings(
        max_examples=100, stateful_step_count=40, deadline=None)
    machine.TestCase().runTest()
