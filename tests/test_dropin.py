"""Drop-in regressions: behaviours that the peers' own test suites check and
that march must match to be a drop-in for them.

Found by running immutables 0.21's and pyrsistent 0.20's own test suites
against march (imports substituted, nothing else changed).  Each test states
what the peer does; march matches all of them.

Not here, on purpose: differences that are documented choices of march (the
``march.Map(...)`` / ``march.Set(...)`` / ``vector(...)`` reprs, extra
methods, ``MapMutation == Map``) and tests of the peers' internals
(``__dump__``, their hash function and node classes).
"""
import pytest


class _RaisingHash:
    """A key whose hash can be switched to raise after it was stored."""

    raise_now = False

    def __init__(self, name, h):
        self.name = name
        self.h = h

    def __hash__(self):
        if _RaisingHash.raise_now:
            raise _HashBoom(self.name)
        return self.h

    def __eq__(self, other):
        if not isinstance(other, _RaisingHash):
            return NotImplemented
        return (self.name, self.h) == (other.name, other.h)


class _HashBoom(Exception):
    pass


@pytest.fixture
def raising_hash():
    _RaisingHash.raise_now = False
    yield _RaisingHash
    _RaisingHash.raise_now = False


# --- Map: construction and update from a dict call the keys' __hash__ -----
# immutables tests/test_map.py test_map_mut_7 and test_map_mut_9.

def test_map_from_dict_propagates_hash_error(M, raising_hash):
    src = {raising_hash("k", 123): 1}
    raising_hash.raise_now = True
    with pytest.raises(_HashBoom):
        M.Map(src)


def test_map_update_from_dict_propagates_hash_error(M, raising_hash):
    m = M.Map({"a": 1, "b": 2}, z=100)
    upd = {raising_hash("k", 123): 1}
    raising_hash.raise_now = True
    with pytest.raises(_HashBoom):
        m.update(upd)
    raising_hash.raise_now = False
    assert dict(m.items()) == {"a": 1, "b": 2, "z": 100}


def test_map_from_dict_with_a_key_whose_hash_changed(M):
    # A key stored in a dict whose hash has changed since: immutables'
    # Python Map (and the twin) hash it again, so it can be found with its
    # current hash.  The C core keeps the dict's stale hash.

    class Key:
        def __init__(self, h):
            self.h = h

        def __hash__(self):
            return self.h

    k = Key(1)
    d = {k: "v"}
    k.h = 2
    m = M.Map(d)
    assert k in m
    assert m[k] == "v"


def test_map_from_pairs_and_kwargs_propagate_hash_error(M, raising_hash):
    # The paths that already behave (kept as guards).
    key = raising_hash("k", 123)
    raising_hash.raise_now = True
    with pytest.raises(_HashBoom):
        M.Map([(1, 2), (key, 3)])
    with pytest.raises(_HashBoom):
        M.Map({key: 1}, b=2)
    with pytest.raises(_HashBoom):
        M.Map(a=1).update([(key, 1)])
    with pytest.raises(_HashBoom):
        M.Map(a=1).mutate().update({key: 1})


# --- Map: Map(m) makes a new map --------------------------------------------
# immutables tests/test_map.py test_map_mut_16 (assertIsNot(m, m2)).

def test_map_of_a_map_is_a_new_object(M):
    m = M.Map(a=1, b=2)
    h = hash(m)
    m2 = M.Map(m)
    assert m2 == m and hash(m2) == h and len(m2) == len(m)
    assert m2 is not m


# --- Map: repr of a map that contains itself -----------------------------
# immutables tests/test_map.py test_repr_3: '...Map({{...}: 1})', the
# recursion placeholder is '{...}' (as dict's), not '...'.

def test_map_recursive_repr_placeholder(M):

    class Key:
        def __init__(self):
            self.val = None

        def __hash__(self):
            return 123

        def __repr__(self):
            return repr(self.val)

    k = Key()
    m = M.Map().set(k, 1)
    k.val = m
    assert repr(m) == "march.Map({{...}: 1})"


def test_mapmutation_recursive_repr_placeholder(M):
    mm = M.Map().mutate()
    mm["a"] = mm
    assert repr(mm) == "march.MapMutation({'a': {...}})"


# --- Vector: the IndexError message of v[i] --------------------------------
# pyrsistent tests/vector_test.py test_empty_initialization checks
# str(error) == 'Index out of range: 0'; both pyrsistent implementations say
# 'Index out of range: <i + len(v) when i < 0>' (as march's set() already
# does).

@pytest.mark.parametrize("n, i, shown", [(0, 0, 0), (3, 5, 5), (3, -9, -6),
                                         (100, 100, 100)])
def test_vector_getitem_index_error_message(V, n, i, shown):
    vec = V.vector(range(n))
    with pytest.raises(IndexError) as info:
        vec[i]
    assert str(info.value) == "Index out of range: %d" % shown


def test_vector_set_index_error_message(V):
    # Already matches pyrsistent (kept as a guard next to the one above).
    vec = V.vector([1, 2, 3])
    with pytest.raises(IndexError) as info:
        vec.set(9, 0)
    assert str(info.value) == "Index out of range: 9"
    with pytest.raises(IndexError) as info:
        vec.set(-9, 0)
    assert str(info.value) == "Index out of range: -6"


# --- Set: the empty set is a singleton ------------------------------------
# pyrsistent tests/set_test.py test_literalish_works: s() is pset().
# (march already does this for vectors: v() is vector().)

def test_empty_set_is_a_singleton(M):
    assert M.s() is M.Set()
    assert M.s() is M.s()
    assert M.Set([]) is M.Set()


def test_empty_vector_is_a_singleton(V):
    assert V.v() is V.vector()
    assert V.vector([]) is V.vector()
