"""Re-entrancy of march.Map / MapMutation / Set / SetEvolver (issue 15).

Python code runs inside the C core wherever it hashes or compares a key,
calls a user callable, iterates a user object, allocates (a collection may
run finalizers and ``gc.callbacks``) or releases a user object.  Such code
may drop the last reference to an object the core is holding, edit a
transient whose nodes the core is walking, finish a transient, or change a
stored key's hash.  Each test below makes the hostile code run (and checks
that it ran: a counter), and checks that nothing crashes, the structure
stays consistent and the answer is the documented one.  Both
implementations (fixture ``M``: the C core and the pure-Python twin).

* finding 3: a pair given as a 2-element *list* whose key's ``__hash__``
  (or a stored key's ``__eq__``) clears the list: the core must own the key
  and the value (every constructor/update path that reads pairs);
* finding 5: keys whose hash changes after they were stored: the trie never
  grows past its last level, whatever the hashes do; ``len`` agrees with
  iteration; ``_check()`` reports the stale key cleanly;
* finding 7: a key whose ``__hash__`` finishes the MapMutation: the edit is
  refused (ValueError), the finished Map unchanged;
* finding 8: MapMutation / Set / SetEvolver cannot be subclassed; the
  results of a Map subclass's operations; transients cannot be pickled or
  copied;
* the audit: finish()/persistent() against a collection run by their own
  allocation, repr and update() against user code that edits or finishes
  the transient, pop() hashing once, user containers changed while read.
"""
import copy
import gc
import pickle
import sys

import pytest

import collections.abc


@pytest.fixture
def gc_every_alloc():
    """The cyclic GC runs (nearly) at every allocation of a GC object."""
    old = gc.get_threshold()
    was_enabled = gc.isenabled()
    gc.enable()
    gc.set_threshold(1)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if not was_enabled:
            gc.disable()


@pytest.fixture
def no_check_hook(march_check_every_operation):
    """Under MARCH_CHECK=1 the suite runs _check() after every operation
    (a profile hook).  Off for the tests of keys whose hash changed: such a
    map fails _check() by design (the key is off its hash path); and for
    those that line a collection up with one allocation: the hook's own
    allocations would move it."""
    checker = march_check_every_operation
    if checker is None:
        yield
        return
    checker.uninstall()
    try:
        yield
    finally:
        checker.install()


# ---------------------------------------------------------------------------
# finding 3: pairs given as lists, cleared by the key's __hash__ / __eq__
# ---------------------------------------------------------------------------

class Tracked:
    """An object that records its own finalization."""
    finalized = []

    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        Tracked.finalized.append(self.tag)


class ClearingKey(Tracked):
    """A key whose __hash__ (when ``on_hash``) clears the list it came in."""
    hash_calls = 0

    def __init__(self, tag, h, victim, on_hash):
        super().__init__(tag)
        self.h = h
        self.victim = victim
        self.on_hash = on_hash

    def __hash__(self):
        ClearingKey.hash_calls += 1
        if self.on_hash:
            self.victim.clear()
        return self.h

    def __eq__(self, other):
        return self is other


class ClearingStored:
    """A stored key colliding with the pair's key, whose __eq__ clears the
    pair list (a key being stored meets it in its slot)."""
    eq_calls = 0

    def __init__(self, h, victim):
        self.h = h
        self.victim = victim

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        ClearingStored.eq_calls += 1
        self.victim.clear()
        return self is other


class ListItems(collections.abc.Mapping):
    """A mapping whose items() gives its pairs as 2-element lists."""

    def __init__(self, pairs):
        self._pairs = pairs

    def items(self):
        return self._pairs

    def __getitem__(self, key):
        for k, v in self._pairs:
            if k is key:
                return v
        raise KeyError(key)

    def __iter__(self):
        return iter([p[0] for p in self._pairs])

    def __len__(self):
        return len(self._pairs)


class ItemsObject:
    """Not a Mapping, but has items() (as dict.update / immutables accept)."""

    def __init__(self, pairs):
        self._pairs = pairs

    def items(self):
        return self._pairs


PAIR_PATHS = ["Map", "Map.update", "MapMutation.update", "or", "Map(items)",
              "union", "symmetric_difference"]


def _via(M, path, pairs):
    base = M.Map(a=1)
    if path == "Map":
        return M.Map(pairs)
    if path == "Map.update":
        return base.update(pairs)
    if path == "MapMutation.update":
        mm = base.mutate()
        mm.update(pairs)
        return mm.finish()
    if path == "or":
        return base | ListItems(pairs)
    if path == "Map(items)":
        return M.Map(ItemsObject(pairs))
    if path == "union":
        return base.union(ListItems(pairs))
    assert path == "symmetric_difference"
    return base.symmetric_difference(ListItems(pairs))


@pytest.mark.parametrize("trigger", ["hash", "eq"])
@pytest.mark.parametrize("path", PAIR_PATHS)
def test_list_pair_cleared_while_stored(M, path, trigger):
    Tracked.finalized = []
    ClearingKey.hash_calls = ClearingStored.eq_calls = 0
    pair = []
    key = ClearingKey("key", 77, pair, on_hash=trigger == "hash")
    pair.extend([key, Tracked("value")])
    pairs = [pair]
    if trigger == "eq":
        # stored first, in the slot the pair's key goes to
        pairs.insert(0, (ClearingStored(77, pair), "stored"))
    del key                      # only the list holds the key and the value
    m = _via(M, path, pairs)
    if trigger == "hash":
        assert ClearingKey.hash_calls >= 1
    else:
        assert ClearingStored.eq_calls >= 1
    assert pair == []            # the hostile code emptied the list ...
    assert Tracked.finalized == []   # ... but the map owns key and value
    got = [(k, v) for k, v in m.items() if isinstance(k, ClearingKey)]
    assert len(got) == 1
    k, v = got[0]
    assert k.tag == "key" and isinstance(v, Tracked) and v.tag == "value"
    assert m[k] is v
    assert len(m) == len(list(m))
    m._check()
    del m, got, k, v
    gc.collect()
    assert sorted(Tracked.finalized) == ["key", "value"]


def test_dict_changed_by_a_key_hash_while_read(M):
    # Map(dict) reads the dict's entries while the keys' __hash__ runs
    class DropAll:
        calls = 0

        def __init__(self, d):
            self.d = d

        def __hash__(self):
            DropAll.calls += 1
            self.d.clear()
            return 5

    base = M.Map(z=0)
    for path in ("Map", "update", "mutation", "|", "union", "intersection",
                 "difference", "symmetric_difference"):
        d = {}
        d[DropAll(d)] = Tracked("v")
        d["other"] = 2
        DropAll.calls = 0
        with pytest.raises(RuntimeError):
            if path == "Map":
                M.Map(d)
            elif path == "update":
                base.update(d)
            elif path == "mutation":
                mm = base.mutate()
                try:
                    mm.update(d)
                finally:
                    assert dict(mm.finish().items()) == {"z": 0}
            elif path == "|":
                base | d
            else:
                getattr(base, path)(d)
        assert DropAll.calls == 1
    assert dict(base.items()) == {"z": 0}


def test_kwargs_keys_and_values_are_owned(M):
    class S(str):
        calls = 0
        src = None

        def __hash__(self):
            if S.src is not None:
                S.calls += 1
                S.src.clear()
            return str.__hash__(self)

    src = {S("k"): Tracked("kw")}
    S.src = src
    Tracked.finalized = []
    m = M.Map(**src)
    S.src = None
    assert S.calls >= 1 and src == {}
    assert Tracked.finalized == []
    assert m["k"].tag == "kw"


def test_elements_cleared_from_their_list_while_added(M):
    # Set(iterable), Set.update, Map.from_keys, s(): the element comes from
    # the iterator (owned); its __hash__ empties the source list
    class Elt(Tracked):
        calls = 0

        def __init__(self, tag, src):
            super().__init__(tag)
            self.src = src

        def __hash__(self):
            Elt.calls += 1
            self.src.clear()
            return 3

        def __eq__(self, other):
            return self is other

    for path in ("Set", "Set.update", "from_keys", "Set |"):
        src = []
        src.extend([Elt("e0", src), Elt("e1", src)])
        gc.collect()
        Tracked.finalized = []
        Elt.calls = 0
        if path == "Set":
            r = M.Set(src)
        elif path == "Set.update":
            r = M.s(1).update(src)
        elif path == "from_keys":
            r = M.Map.from_keys(src, "v")
        else:
            r = M.s(1) | src
        assert Elt.calls >= 1 and src == []
        elts = [e for e in r if isinstance(e, Elt)]
        assert [e.tag for e in elts] == ["e0"]   # the list ended meanwhile
        assert Tracked.finalized == ["e1"]
        assert len(r) == len(list(r))
        r._check()
        del r, elts


def test_builtin_set_changed_while_compared(M):
    # Set == set, Set <= set, Set | set: the builtin set is read while the
    # elements' __eq__ (colliding hashes) changes it
    class Coll:
        calls = 0
        armed = False

        def __init__(self, i, victim):
            self.i = i
            self.victim = victim

        def __hash__(self):
            return 1

        def __eq__(self, other):
            if Coll.armed:
                Coll.calls += 1
                self.victim.add(object())
            return self is other

    for op in ("==", "<=", "|", "issubset", "isdisjoint", "intersection"):
        b = set()
        b.update(Coll(i, b) for i in range(4))
        a = M.Set(list(b))
        Coll.calls = 0
        Coll.armed = True
        try:
            if op == "==":
                r = a == b
            elif op == "<=":
                r = a <= b
            elif op == "|":
                r = a | b
            elif op == "issubset":
                r = a.issubset(b)
            elif op == "isdisjoint":
                r = a.isdisjoint(b)
            else:
                r = a.intersection(b)
        except RuntimeError:      # "Set changed size during iteration"
            r = None
        finally:
            Coll.armed = False
        assert Coll.calls >= 1
        a._check()
        assert len(a) == 4
        if isinstance(r, M.Set):
            assert len(r) == len(list(r))


# ---------------------------------------------------------------------------
# finding 5: keys whose hash changes after they were stored
# ---------------------------------------------------------------------------

class MutKey:
    """A key whose hash is a mutable attribute (changing it is a user bug)."""
    calls = 0

    def __init__(self, name, h):
        self.name = name
        self.h = h

    def __hash__(self):
        MutKey.calls += 1
        return self.h

    def __eq__(self, other):
        return isinstance(other, MutKey) and other.name == self.name

    def __repr__(self):
        return "MutKey(%r, %#x)" % (self.name, self.h)


def _signed(u):
    u &= (1 << 64) - 1
    return u - (1 << 64) if u >= 1 << 63 else u


X = 0x2A5F3C9D1B7E4A65          # the hash the new key brings (the path)
# what the stored key's hash becomes: it differs from X below where the
# trie looks, and nowhere else ("low": a split by the current hashes would
# never end), or also at the top ("top", "sign": the split ends at the last
# level, which takes 4 bits, 60 to 63)
CHANGES = {"low": 1, "top": 1 | (1 << 62), "sign": 1 | (1 << 63)}


def _stale_map(M, level):
    """A map whose key ``a`` sits at ``level`` on the path of X (pushed down
    by ``b``, which agrees with X below that level), and then changes its
    hash; plus unrelated keys.  Returns (map, a, b, others)."""
    a = MutKey("a", _signed(X))
    b = MutKey("b", _signed(X ^ (1 << (5 * level)))) if level else None
    others = [MutKey("o%d" % i, _signed((X ^ 0x15) + 64 * i)) for i in range(6)]
    d = {a: "A"}
    if b is not None:
        d[b] = "B"
    for o in others:
        d[o] = o.name
    m = M.Map(d)
    m._check()
    assert m._depth() == level + 1 if level else m._depth() >= 1
    return m, a, b, others


def _consistent(r, expect_len):
    items = list(r.items())
    assert len(r) == len(list(r)) == len(items) == expect_len
    assert len(list(r.values())) == expect_len
    return items


LEVELS = [0, 1, 6, 11, 12]


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("level", LEVELS)
def test_changed_hash_then_colliding_insert(M, level, change, no_check_hook):
    m, a, b, others = _stale_map(M, level)
    n = len(m)
    a.h = _signed(X ^ CHANGES[change])     # a's hash changes: a user bug
    c = MutKey("c", _signed(X))            # lands where a sits
    MutKey.calls = 0
    r = m.set(c, "C")
    assert MutKey.calls >= 2               # c's hash and a's (changed) hash
    # never past the last level: at most 13 bitmap levels, and here no
    # deeper than where a was, plus one (the collision node of a and c)
    # or the chain to the last level where their hashes part
    assert r._depth() <= (level + 2 if change == "low"
                          else 13 if level < 12 else 14)
    _consistent(r, n + 1)
    assert r[c] == "C"
    for o in others:
        assert r[o] == o.name
    if b is not None:
        assert r[b] == "B"
    assert m.get(c) is None and len(m) == n      # m itself is unchanged
    # the map says so, cleanly, when its key is off its hash path
    with pytest.raises(AssertionError, match="invariant"):
        r._check()
    # and keeps working
    r2 = r.delete(c)
    _consistent(r2, n)
    assert c not in r2
    r3 = r2.set(c, "C2").set(MutKey("d", _signed(X ^ 2)), "D")
    _consistent(r3, n + 2)
    assert r3[c] == "C2"
    assert r == r and r != m and hash(r) == hash(r)
    assert len(repr(r)) > 0
    u = r.union(M.Map({MutKey("e", _signed(X)): 1}))
    _consistent(u, n + 2)
    for res in (r.intersection(m), r.difference(m), r.symmetric_difference(m),
                r.filter(lambda k, v: True), m.update(r), r | m):
        _consistent(res, len(res))
        assert res._depth() <= 14
    assert len(list(r.diff(m))) >= 1
    pickle.loads(pickle.dumps(r))


@pytest.mark.parametrize("path", ["mutation", "mutation.update", "update_dict",
                                  "update_pairs", "from_keys", "Map(pairs)",
                                  "union", "or", "Map(map, kw)"])
def test_changed_hash_every_insert_path(M, path, no_check_hook):
    level = 6
    m, a, b, others = _stale_map(M, level)
    n = len(m)
    a.h = _signed(X ^ 1)
    c = MutKey("c", _signed(X))
    MutKey.calls = 0
    if path == "mutation":
        mm = m.mutate()
        mm[MutKey("z", 12345)] = 0          # the mutation owns its root now
        mm[c] = "C"
        assert mm[c] == "C" and len(mm) == n + 2
        mm.delete(MutKey("z", 12345))
        r = mm.finish()
    elif path == "mutation.update":
        mm = m.mutate()
        mm.update({c: "C"})
        r = mm.finish()
    elif path == "update_dict":
        r = m.update({c: "C"})
    elif path == "update_pairs":
        r = m.update([[c, "C"]])
    elif path == "from_keys":
        # a's hash changes while the map is being built
        def keys():
            a.h = _signed(X)
            yield from m
            a.h = _signed(X ^ 1)
            yield c
        r = M.Map.from_keys(keys(), "C")
    elif path == "Map(pairs)":
        def pairs():
            a.h = _signed(X)
            yield from m.items()
            a.h = _signed(X ^ 1)
            yield c, "C"
        r = M.Map(pairs())
    elif path == "union":
        r = m.union(M.Map({c: "C"}))
    elif path == "or":
        r = m | {c: "C"}
    else:
        r = M.Map(m, **{"zz": 1}).set(c, "C").delete("zz")
    assert MutKey.calls >= 2
    assert r._depth() <= level + 2
    _consistent(r, n + 1)
    assert r[c] == "C"


@pytest.mark.parametrize("level", LEVELS)
def test_changed_hash_in_sets(M, level, no_check_hook):
    a = MutKey("a", _signed(X))
    elts = [a] + [MutKey("o%d" % i, _signed((X ^ 0x15) + 64 * i)) for i in range(5)]
    if level:
        elts.append(MutKey("b", _signed(X ^ (1 << (5 * level)))))
    s0 = M.Set(elts)
    a.h = _signed(X ^ 1)
    c = MutKey("c", _signed(X))
    for path in ("add", "evolver", "update", "s", "Set(gen)", "|",
                 "union_bigger"):
        MutKey.calls = 0
        if path == "add":
            r = s0.add(c)
        elif path == "evolver":
            e = s0.evolver()
            e.add(MutKey("z", 999)).add(c).discard(MutKey("z", 999))
            assert c in e and len(e) == len(elts) + 1
            r = e.persistent()
        elif path == "update":
            r = s0.update([c])
        elif path == "s":
            r = M.s(*(elts + [c]))
        elif path == "Set(gen)":
            def gen():
                a.h = _signed(X)
                yield from elts
                a.h = _signed(X ^ 1)
                yield c
            r = M.Set(gen())
        elif path == "|":
            r = s0 | M.s(c)
        else:
            # the union starts from the larger side (Sets): c's side
            big = M.Set([c] + [MutKey("x%d" % i, i) for i in range(40)])
            r = s0 | big
        assert MutKey.calls >= 1
        assert r._depth() <= level + 2 or path == "union_bigger"
        assert r._depth() <= 14
        assert len(r) == len(list(r))
        assert c in r
        for res in (r - s0, r & s0, r ^ s0, s0 - r):
            assert len(res) == len(list(res)) and res._depth() <= 14
        assert r.issuperset(M.s(c))
        assert not r.isdisjoint([c])
        try:        # a is off its hash path, unless the path re-placed it
            r._check()
        except AssertionError as exc:
            assert "invariant" in str(exc)


def test_hash_changing_every_call(M, no_check_hook):
    # the worst user: a hash that differs at every call
    class Fickle:
        n = 0

        def __hash__(self):
            Fickle.n += 1
            return _signed(X ^ (Fickle.n * 0x9E3779B97F4A7C15 % (1 << 64)) ^ Fickle.n % 7)

    keys = [Fickle() for _ in range(300)]
    m = M.Map()
    mm = M.Map().mutate()
    st = M.s()
    for i, k in enumerate(keys):
        m = m.set(k, i)
        mm[k] = i
        st = st.add(k)
        if i % 3 == 0:
            m = m.discard(keys[i // 2])
            mm.pop(keys[i // 2], None)
            st = st.discard(keys[i // 2])
    r = mm.finish()
    assert Fickle.n > 900
    for x in (m, r, st, m | r, m.union(r), st | M.Set(keys[:50]),
              M.Map.from_keys(keys), M.Map([(k, 1) for k in keys])):
        assert x._depth() <= 14
        assert len(x) == len(list(x))


# ---------------------------------------------------------------------------
# finding 7: a key's __hash__ that finishes the mutation
# ---------------------------------------------------------------------------

class Finisher:
    """A key whose __hash__ finishes the mutation it is given to."""
    calls = 0
    mm = None
    finished = []

    def __hash__(self):
        if Finisher.mm is not None:
            Finisher.calls += 1
            Finisher.finished.append(Finisher.mm.finish())
        return 12345

    def __eq__(self, other):
        return self is other


@pytest.mark.parametrize("op", ["setitem", "set", "delitem", "delete", "pop",
                                "pop_default"])
def test_hash_finishing_the_mutation(M, op):
    src = M.Map({"a": 1, "b": 2})
    mm = src.mutate()
    mm["c"] = 3
    Finisher.calls = 0
    Finisher.mm = mm
    Finisher.finished = []
    k = Finisher()
    try:
        run_op(mm, op, k)
    finally:
        Finisher.mm = None
    assert Finisher.calls == 1
    m = Finisher.finished[0]
    assert dict(m.items()) == {"a": 1, "b": 2, "c": 3}
    m._check()
    # the mutation did not change either, and stays finished
    assert len(mm) == 3 and k not in mm and mm == m
    with pytest.raises(ValueError):
        mm["d"] = 4
    assert dict(src.items()) == {"a": 1, "b": 2}


def run_op(mm, op, k):
    with pytest.raises(ValueError, match="finished"):
        if op == "setitem":
            mm[k] = "x"
        elif op == "set":
            mm.set(k, "x")
        elif op == "delitem":
            del mm[k]
        elif op == "delete":
            mm.delete(k)
        elif op == "pop":
            mm.pop(k)
        else:
            mm.pop(k, None)


def test_hash_finishing_the_mutation_in_update(M):
    # update() hashes with the mutation busy: finish() is refused there
    src = M.Map({"a": 1})
    mm = src.mutate()
    Finisher.calls = 0
    Finisher.mm = None
    Finisher.finished = []
    arg = {Finisher(): 1}
    Finisher.mm = mm
    try:
        with pytest.raises(RuntimeError):
            mm.update(arg)
    finally:
        Finisher.mm = None
    assert Finisher.calls == 1 and Finisher.finished == []
    mm["b"] = 2                                    # still open, unchanged
    assert dict(mm.finish().items()) == {"a": 1, "b": 2}


def test_items_attribute_finishing_the_mutation_in_update(M):
    # update() reads the argument's `items` (user code) with the mutation busy
    calls = []

    class Sneaky:
        @property
        def items(self):
            calls.append(1)
            mm.finish()
            return lambda: [("x", 1)]

    mm = M.Map(a=1).mutate()
    with pytest.raises(RuntimeError):
        mm.update(Sneaky())
    assert calls == [1]
    mm["b"] = 2                                    # not finished
    assert dict(mm.finish().items()) == {"a": 1, "b": 2}


def test_evolver_hash_calling_persistent(M):
    # the SetEvolver already checked after hashing: the Set that __hash__
    # gets stays as it was, the evolver takes the element
    got = []

    class P:
        def __hash__(self):
            got.append(e.persistent())
            return 5

    e = M.s(1, 2).evolver()
    e.add(3)
    p = P()
    e.add(p)
    assert len(got) == 1 and set(got[0]) == {1, 2, 3}
    assert p in e and len(e) == 4
    assert set(e.persistent()) == {1, 2, 3, p}


def test_pop_hashes_the_key_once(M):
    class Counted:
        calls = 0

        def __hash__(self):
            Counted.calls += 1
            return 8

    k = Counted()
    mm = M.Map({k: 1, "a": 2}).mutate()
    Counted.calls = 0
    assert mm.pop(k) == 1
    assert Counted.calls == 1
    assert mm.pop(k, "d") == "d"
    assert Counted.calls == 2
    assert dict(mm.finish().items()) == {"a": 2}


@pytest.mark.parametrize("owned", [False, True])
def test_pop_returns_an_owned_value(M, owned):
    # the mutation holds the only reference to the value it pops
    gc.collect()
    Tracked.finalized = []
    mm = M.Map({"k": Tracked("v"), "a": Tracked("a")}).mutate()
    if owned:
        mm["b"] = 1                 # its root is its own: edited in place
    v = mm.pop("k")
    gc.collect()
    assert Tracked.finalized == [] and v.tag == "v"
    assert "k" not in mm and len(mm) == (2 if owned else 1)
    del v
    assert Tracked.finalized == ["v"]
    assert mm.pop("a").tag == "a"
    assert Tracked.finalized == ["v", "a"]
    del mm


# ---------------------------------------------------------------------------
# finding 8: subclassing, pickling and copying
# ---------------------------------------------------------------------------

# Set is subclassable (tests/test_set_subclass.py); its transient is not
@pytest.mark.parametrize("name", ["MapMutation", "SetEvolver"])
def test_final_types(M, name):
    base = getattr(M, name)
    with pytest.raises(TypeError, match="not an acceptable base type"):
        type("Sub", (base,), {})
    with pytest.raises(TypeError, match="not an acceptable base type"):
        class Sub(base):
            pass


def test_map_is_subclassable_with_subclass_results(M):
    # every derivation keeps the subclass (as Set's and Vector's; the full
    # table is in tests/test_map_subclass.py)
    class Sub(M.Map):
        pass

    s = Sub({"a": 1, "b": 2})
    assert type(s) is Sub and s == M.Map(a=1, b=2)
    assert type(Sub(a=1)) is Sub and type(Sub(s, c=3)) is Sub
    assert type(Sub.from_keys("xy")) is Sub
    changed = {
        "set": s.set("c", 3), "delete": s.delete("a"),
        "discard": s.discard("a"), "update": s.update(c=3),
        "update_map": s.update(M.Map(c=3)), "or": s | {"c": 3},
        "or_map": s | M.Map(c=3), "union": s.union(M.Map(c=3)),
        "intersection": s.intersection(["a"]),
        "difference": s.difference(["a"]),
        "symmetric_difference": s.symmetric_difference({"c": 3}),
        "filter": s.filter(lambda k, v: k == "a"),
        "map_values": s.map_values(str),
        "finish": s.mutate().finish(),
    }
    for name, r in changed.items():
        assert type(r) is Sub, name
    unchanged = {
        "set": s.set("a", 1), "discard": s.discard("zz"), "update": s.update(),
        "update_empty": s.update({}), "or": s | {}, "or_map": s | M.Map(),
        "union": s.union(M.Map()), "intersection": s.intersection(s),
        "difference": s.difference([]), "filter": s.filter(lambda k, v: True),
        "map_values": s.map_values(lambda v: v),
    }
    for name, r in unchanged.items():
        assert r is s, name
    other = M.Map(z=1)
    r = Sub() | other           # an empty map: the other one's trie, in Sub
    assert type(r) is Sub and r == other
    same = Sub(z=1)
    assert (Sub() | same) is same             # the other one, of that type
    sub_other = Sub(z=1)
    r = M.Map() | sub_other
    assert type(r) is M.Map and r == sub_other
    assert type(copy.copy(s)) is Sub and copy.copy(s) == s
    assert type(copy.deepcopy(s)) is Sub and copy.deepcopy(s) == s


def test_transients_cannot_be_pickled_or_copied(M):
    mm = M.Map(a=1).mutate()
    ev = M.s(1).evolver()
    for t in (mm, ev):
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            with pytest.raises(TypeError):
                pickle.dumps(t, proto)
        with pytest.raises(TypeError):
            copy.copy(t)
        with pytest.raises(TypeError):
            copy.deepcopy(t)
    mm["b"] = 2
    ev.add(2)
    assert dict(mm.finish().items()) == {"a": 1, "b": 2}
    assert set(ev.persistent()) == {1, 2}


# ---------------------------------------------------------------------------
# the audit: collections run by the transients' own allocations
# ---------------------------------------------------------------------------

# GC_IN_ALLOCATION, FREE_THREADED (conftest): where a collection can start
# inside a C operation; the free-threaded build counts allocations per thread
# in batches, so a threshold of 1 does not start one at a chosen allocation
from conftest import FREE_THREADED, GC_IN_ALLOCATION  # noqa: E402


def _arm_collection(trial):
    """Line up a collection (threshold 1: at the 2nd allocation of a GC
    object after a collection) with the next allocation but one, or with
    the next one, alternately: the callers' operation allocates first."""
    gc.collect()
    return [] if trial % 2 == 0 else [[]]


def test_finish_while_its_allocation_runs_a_collection(M, gc_every_alloc,
                                                      no_check_hook):
    # finish() allocates the Map; a collection there runs gc.callbacks (and
    # finalizers), which try to edit the mutation being handed over
    keep = [M.Map({i: i}) for i in range(300)]   # no spare Map objects
    ran = {"armed": 0, "refused": 0}
    for trial in range(16):
        src = M.Map({"a": 1})
        keep.append(src)
        mm = src.mutate()
        mm["b"] = 2
        state = {"armed": False}

        def cb(phase, info, mm=mm, state=state, trial=trial):
            if not state["armed"]:
                return
            state["armed"] = False
            ran["armed"] += 1
            try:
                mm[trial] = "late"      # a new root entry: a new root
            except RuntimeError:        # finish() in progress
                ran["refused"] += 1
            except ValueError:          # finished already
                pass

        gc.callbacks.append(cb)
        try:
            keep.append(_arm_collection(trial))
            state["armed"] = True
            m = mm.finish()
        finally:
            state["armed"] = False
            gc.callbacks.remove(cb)
        keep.append(m)
        # the Map holds what the mutation holds: an edit went in before
        # finish(), or was refused
        assert m == mm and len(m) == len(mm)
        m._check()
    assert ran["armed"] > 0 or FREE_THREADED
    if GC_IN_ALLOCATION:
        assert ran["refused"] > 0       # it did run inside finish()


def test_persistent_while_its_allocation_runs_a_collection(M, gc_every_alloc,
                                                          no_check_hook):
    keep = []
    ran = {"armed": 0, "refused": 0}
    for trial in range(16):
        src = M.s("a")
        keep.append(src)
        e = src.evolver()
        e.add("b")
        state = {"armed": False}
        added = []

        def cb(phase, info, e=e, state=state, trial=trial, added=added):
            if not state["armed"]:
                return
            state["armed"] = False
            ran["armed"] += 1
            try:
                e.add(trial)            # a new root entry: a new root
                added.append(trial)
            except RuntimeError:        # persistent() in progress
                ran["refused"] += 1

        gc.callbacks.append(cb)
        try:
            keep.append(_arm_collection(trial))
            state["armed"] = True
            st = e.persistent()
        finally:
            state["armed"] = False
            gc.callbacks.remove(cb)
        keep.append(st)
        for x in added:                 # an edit that went through stays
            assert x in e
        assert set(st) <= {"a", "b"} | set(added)
        st._check()
        assert len(e) == len(set(st) | set(added))
    assert ran["armed"] > 0 or FREE_THREADED
    if GC_IN_ALLOCATION:
        assert ran["refused"] > 0       # it did run inside persistent()


def test_finalizers_during_mutation_edits(M, gc_every_alloc):
    # cyclic garbage whose finalizer reads and tries to edit the mutation,
    # collected at the allocations inside set/delete/update
    mm = M.Map({i: i for i in range(50)}).mutate()
    log = {"read": 0, "refused": 0, "edited": 0}

    class Bomb:
        def __init__(self):
            self.cycle = self

        def __del__(self):
            log["read"] += 1
            assert len(mm) >= 0 and mm.get(3, 3) == 3
            try:
                mm[("fin", log["read"])] = 1
                log["edited"] += 1
            except (RuntimeError, ValueError):
                log["refused"] += 1

    for i in range(300):
        Bomb()
        mm[1000 + i] = i
        if i % 3 == 0:
            mm.pop(i // 2 + 1000, None)
        if i % 7 == 0:
            mm.update({("u", i): i})
    m = mm.finish()
    gc.collect()
    assert log["read"] > 0
    m._check()
    assert len(m) == len(list(m))


def test_repr_of_a_mutation_whose_value_edits_it(M):
    class Editor:
        calls = 0

        def __repr__(self):
            Editor.calls += 1
            try:
                mm["new%d" % Editor.calls] = 1
            except RuntimeError:
                return "Editor(refused)"
            return "Editor(edited)"

    mm = M.Map({i: Editor() for i in range(20)}).mutate()
    mm[100] = Editor()
    r = repr(mm)
    assert Editor.calls == 21
    assert "edited" not in r and r.count("Editor(refused)") == 21
    m = mm.finish()
    assert len(m) == 21
    m._check()


def test_user_code_in_map_reads(M):
    # lookups, views and hashing of a persistent Map whose keys' and values'
    # __eq__/__hash__ drop every other reference to the map
    holder = {}

    class Dropper:
        calls = 0

        def __init__(self, i):
            self.i = i

        def __hash__(self):
            return 7

        def __eq__(self, other):
            Dropper.calls += 1
            holder.clear()
            return isinstance(other, Dropper) and other.i == self.i

    keys = [Dropper(i) for i in range(6)]
    m = M.Map({k: Dropper(100 + k.i) for k in keys})
    probe = Dropper(3)
    for op in ("get", "in", "items_in", "values_in", "eq", "keys_in"):
        holder["m"] = M.Map(m)
        view = holder["m"]
        Dropper.calls = 0
        if op == "get":
            assert view.get(probe).i == 103
        elif op == "in":
            assert probe in view
        elif op == "items_in":
            assert (probe, Dropper(103)) in view.items()
        elif op == "values_in":
            assert Dropper(103) in view.values()
        elif op == "keys_in":
            assert probe in view.keys()
        else:
            assert view == M.Map({Dropper(k.i): Dropper(100 + k.i) for k in keys})
        assert Dropper.calls >= 1
        del view
    assert hash(m) == hash(M.Map(m))
    m._check()


def test_iterating_a_finished_map_while_the_mutation_is_used(M):
    mm = M.Map({i: i for i in range(100)}).mutate()
    m = mm.finish()
    it = iter(m.items())
    seen = []
    for k, v in it:
        seen.append(k)
        with pytest.raises(ValueError):
            mm[k + 1000] = 0
    assert sorted(seen) == list(range(100))
    assert len(mm) == 100


def test_recursion_limit_is_kept(M):
    # the guard against deep recursion in hash(m) is still in place
    m = M.Map()
    # deeper than both the Python limit and 3.12+'s separate limit of C
    # calls (about 10,000)
    for i in range(max(3 * sys.getrecursionlimit(), 50000)):
        m = M.Map({0: m})
    with pytest.raises(RecursionError):
        hash(m)


def test_callbacks_of_filter_and_map_values_drop_everything(M):
    holder = {}
    calls = []

    def pred(k, v):
        calls.append(k)
        holder.clear()          # the last other reference to the map
        if len(calls) == 1:
            gc.collect()
        return k % 2 == 0

    def fn(v):
        calls.append(v)
        holder.clear()
        if len(calls) == 1:
            gc.collect()
        return Tracked(v)

    for op in ("filter", "map_values"):
        holder["m"] = M.Map({i: i for i in range(40)})
        calls.clear()
        if op == "filter":
            r = holder["m"].filter(pred)
            assert dict(r.items()) == {i: i for i in range(0, 40, 2)}
        else:
            r = holder["m"].map_values(fn)
            assert {k: v.tag for k, v in r.items()} == {i: i for i in range(40)}
        assert len(calls) == 40 and holder == {}
        r._check()


def test_mutation_compared_while_its_keys_edit_it(M):
    class Editing:
        calls = 0
        refused = 0
        target = None

        def __init__(self, i):
            self.i = i

        def __hash__(self):
            return 4

        def __eq__(self, other):
            if Editing.target is not None:
                Editing.calls += 1
                try:
                    Editing.target[("new", Editing.calls)] = 0
                except RuntimeError:
                    Editing.refused += 1
            return isinstance(other, Editing) and other.i == self.i

    m = M.Map({Editing(i): i for i in range(5)})
    other = M.Map({Editing(i): i for i in range(5)})
    mm = m.mutate()
    Editing.calls = Editing.refused = 0
    Editing.target = mm
    try:
        assert (mm == other) is True
    finally:
        Editing.target = None
    assert Editing.calls >= 1 and Editing.refused == Editing.calls
    assert len(mm) == 5
    mm.finish()._check()


def test_mutations_have_no_iterators_or_views(M):
    # nothing can iterate a MapMutation (as immutables): no iterator or view
    # over a transient exists that an edit could invalidate
    mm = M.Map(a=1).mutate()
    with pytest.raises(TypeError):
        iter(mm)
    for name in ("keys", "values", "items"):
        assert not hasattr(mm, name)
    ev = M.s(1).evolver()
    with pytest.raises(TypeError):
        iter(ev)


# ---------------------------------------------------------------------------
# the transients' own checkers: busy while the keys are hashed again
# ---------------------------------------------------------------------------

class _EditingKey:
    """Equal by n; its __hash__ tries to edit ``target`` once it is armed."""

    target = None
    tries = 0
    refused = 0

    def __init__(self, n):
        self.n = n

    def __hash__(self):
        cls = type(self)
        if cls.target is not None:
            cls.tries += 1
            try:
                if hasattr(cls.target, "add"):
                    cls.target.add(("new", cls.tries))
                else:
                    cls.target[("new", cls.tries)] = 0
            except RuntimeError:
                cls.refused += 1
        return self.n % 3

    def __eq__(self, other):
        return isinstance(other, _EditingKey) and other.n == self.n


@pytest.mark.parametrize("kind", ["mutation", "evolver"])
def test_transient_check_is_busy(M, kind):
    keys = [_EditingKey(i) for i in range(40)]
    if kind == "mutation":
        t = M.Map((k, None) for k in keys).mutate()
    else:
        t = M.Set(keys).evolver()
    before = len(t)
    _EditingKey.target, _EditingKey.tries, _EditingKey.refused = t, 0, 0
    try:
        t._check()
    finally:
        _EditingKey.target = None
    # the check hashed the keys again, and every edit they tried was refused
    assert _EditingKey.tries > 0
    assert _EditingKey.refused == _EditingKey.tries
    assert len(t) == before
    t._check()
