"""Differential fuzzing driver for march (test code: used by tests/test_fuzz_diff.py,
fuzz/fuzz_march.py and tools/valgrind_workload.py; not part of the installed
package).

A byte string is read as a small *program* of operations on several live
versions at once: maps and their mutations, or vectors and their evolvers.
Every operation is performed on each implementation under test (the C core
and the pure-Python twin) and on a reference *model*, and the outcomes are
compared:

* results (values are compared by identity, collections by content),
* exception types (``KeyError`` vs ``IndexError`` vs the key's own error ...),
* contents of every version produced, and -- between the C core and the twin,
  which follow the same designs -- the exact iteration order, ``repr``,
  ``hash``, trie depth and trie layout (``_layout()``) of maps and the tree
  shape (``_shape()``) of vectors,
* the invariant checkers ``_check()`` of every version produced.

Models: for maps an insertion-ordered association list that compares keys
exactly as the HAMT design says (only keys with equal full hashes are
compared; identity first, then ``==``; colliding keys in insertion order), so
that even keys whose ``__eq__`` raises behave identically.  For vectors
pyrsistent's pure-Python ``PVector`` (the reference for the PVector API) plus
list arithmetic for the RRB-only operations (insert, split, pop, ...).

The harness never compares an implementation with itself: ``backends()``
returns distinct modules, and the model is independent code.

Program format (every read past the end yields 0, and the program stops when
the input is exhausted):

    byte 0: bit 0 selects the structure (0: map, 1: vector); for maps
            bits 1-3 select the key-hash mode (see ``_hash_for``), for
            vectors bit 1 selects branching 32 or 4.  Bit 4 adds
            containers to the pool of keys (maps) or elements (vectors):
            maps and vectors of the pure twin, equal but not identical
            pairs of them, and a tuple holding one (see ``_containers``);
            programs without it read exactly as before.
    byte 1: a salt for the hash mode.
    then:   a sequence of operations; each starts with an opcode byte,
            followed by its operand bytes (slot numbers, keys, indexes).

``run(data)`` runs one program; it raises ``Mismatch`` (an AssertionError)
on any difference.  Nothing here depends on pytest or hypothesis.
"""
import copy
import importlib
import pickle

__all__ = ["Mismatch", "run", "run_map_program", "run_vector_program", "backends",
           "pure_module", "kind_of", "fails", "minimize", "K", "C_NAMES", "PURE_NAMES"]

MASK64 = (1 << 64) - 1
MAX_LEN = 3000          # versions longer than this are compared but not kept
MAX_OPS = 400           # bound on the number of operations per program
MAX_SLOTS = 6
MAX_SIDE = 3            # live mutations / evolvers
BIG_CHECK = 300         # maps longer than this: _check() BIG_CHECKS times per program
BIG_CHECKS = 4


class Mismatch(AssertionError):
    """The implementations (or an implementation and the model) disagree."""


class KeyEqError(Exception):
    """Raised by a key whose __eq__ is rigged to fail."""


class KeyHashError(Exception):
    """Raised by a key whose __hash__ is rigged to fail."""


def _signed(u):
    u &= MASK64
    return u - (1 << 64) if u >= (1 << 63) else u


def _hash_for(ident, mode, salt):
    """The hash of key ``ident`` under ``mode`` (a signed 64-bit value)."""
    if mode == 0:                       # distinct small hashes
        u = ident
    elif mode == 1:                     # few full-hash collision groups
        u = ident % (2 + salt % 3)
    elif mode == 2:                     # differ only at the top level (and a bit at level 0)
        u = ((ident % 16) << 60) | (ident % 2)
    elif mode == 3:                     # share the low 5*L bits, L = 0..12
        u = (ident + 1) << (5 * (ident % 13))
    elif mode == 4:                     # scrambled, masked to the low bits: deep collisions
        u = (ident * 0x9E3779B97F4A7C15) & ((1 << (salt % 65)) - 1)
    elif mode == 5:                     # strides of 32
        u = ident * 32 * (1 + salt % 4)
    elif mode == 6:                     # powers of two
        u = 1 << (ident % 64)
    else:                               # -1/-2 and negative numbers
        u = -(ident % 7) - 1
    return _signed(u)


class K:
    """A key with a chosen hash; equality by ``ident``.

    ``raise_eq``: __eq__ raises KeyEqError whenever this key takes part in a
    comparison (on either side), so the outcome does not depend on which
    side Python asks first.  ``raise_hash``: __hash__ raises KeyHashError.
    """
    __slots__ = ("ident", "h", "raise_eq", "raise_hash", "__weakref__")

    def __init__(self, ident, h, raise_eq=False, raise_hash=False):
        self.ident = ident
        self.h = h
        self.raise_eq = raise_eq
        self.raise_hash = raise_hash

    def __hash__(self):
        if self.raise_hash:
            raise KeyHashError(self.ident)
        return self.h

    def __eq__(self, other):
        if self.raise_eq or getattr(other, "raise_eq", False) is True:
            raise KeyEqError(self.ident)
        if type(other) is not K:
            return NotImplemented
        return self.ident == other.ident

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __repr__(self):
        flags = "!" if self.raise_eq else ("#" if self.raise_hash else "")
        return "K(%d%s)" % (self.ident, flags)

    def __reduce__(self):
        return (K, (self.ident, self.h, self.raise_eq, self.raise_hash))


# --------------------------------------------------------------------------
# byte reader

class Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def more(self):
        return self.pos < len(self.data)

    def byte(self):
        if self.pos < len(self.data):
            b = self.data[self.pos]
            self.pos += 1
            return b
        return 0

    def u16(self):
        return self.byte() | (self.byte() << 8)

    def pick(self, seq):
        return seq[self.byte() % len(seq)]


# --------------------------------------------------------------------------
# implementations under test

def _usable_map(mod):
    return hasattr(getattr(mod, "Map", None), "set") and hasattr(mod, "MapMutation")


def _usable_vector(mod):
    return hasattr(mod, "vector") and hasattr(getattr(mod, "Vector", None), "append")


def _load(name, usable):
    try:
        mod = importlib.import_module(name)
    except ImportError:
        return None
    return mod if usable(mod) else None


# The modules of each implementation, by structure: the first importable name
# that has the classes is used.
C_NAMES = {"map": ("march._hamt",), "vec32": ("march._rrb",), "vec4": ("march._rrb4",)}
PURE_NAMES = {
    "map": ("march._pure.hamt_module",),
    "vec32": ("march._pure.vector_object",),
    "vec4": ("march._pure.rrb4",),
}


def backends(kind, c=True, pure=True, required=()):
    """The implementation modules to compare for ``kind`` ("map", "vec32", "vec4").

    Modules missing or not yet implemented are left out, unless their
    name is in ``required`` (then ImportError/RuntimeError).  The result holds
    distinct modules, never one implementation twice.
    """
    usable = _usable_map if kind == "map" else _usable_vector
    out = []
    for names, wanted in ((C_NAMES[kind], c), (PURE_NAMES[kind], pure)):
        if not wanted:
            continue
        mod = None
        for name in names:
            mod = _load(name, usable)
            if mod is not None:
                break
        if mod is None:
            if any(name in required for name in names):
                raise RuntimeError("%s is required but not available" % names[0])
            continue
        out.append(mod)
    assert len({id(m) for m in out}) == len(out)
    return out


def pure_module(kind):
    """The pure-Python twin's module for ``kind`` (whichever name it has)."""
    for name in PURE_NAMES[kind]:
        mod = _load(name, _usable_map if kind == "map" else _usable_vector)
        if mod is not None:
            return mod
    raise ImportError("no pure-Python module for %s among %s" % (kind, PURE_NAMES[kind]))


# --------------------------------------------------------------------------
# outcome helpers

_MISSING = object()


def _outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # noqa: BLE001 - that is the point
        return ("exc", type(exc))


class Runner:
    """Shared bits of the two program kinds."""

    def __init__(self, mods, names):
        self.mods = mods
        self.names = names       # e.g. ["march._hamt", "march._pure.hamt_module", "model"]
        self.trace = []
        self.big_checks = 0

    def fail(self, msg):
        tail = "\n  ".join(self.trace[-25:])
        raise Mismatch("%s\n  implementations: %s\n  last operations:\n  %s"
                       % (msg, ", ".join(self.names), tail))

    def agree(self, what, outs, norm, model_out=_MISSING, lenient_exc=()):
        """Compare the outcomes of one operation (one per backend, plus the model).

        A difference where one side raised an exception whose type is in
        ``lenient_exc`` is accepted (used where the order in which an
        operation compares keys is not specified, e.g. == on maps holding a
        key whose __eq__ raises).
        """
        def same(a, b):
            if a == b:
                return True
            return bool(lenient_exc) and any(
                k[0] == "exc" and k[1] in lenient_exc for k in (a, b))

        normed = [(kind, val if kind == "exc" else norm(val)) for kind, val in outs]
        first = normed[0]
        for name, other in zip(self.names[1:], normed[1:]):
            if not same(first, other):
                self.fail("%s: %s gives %r but %s gives %r"
                          % (what, self.names[0], first, name, other))
        if model_out is not _MISSING:
            kind, val = model_out
            m = (kind, val if kind == "exc" else norm(val))
            for name, got in zip(self.names, normed):
                if not same(got, m):
                    self.fail("%s: %s gives %r but the model gives %r" % (what, name, got, m))
        return normed

    def same_shape(self, what, objs, method):
        """The C core and the twin build the same tree: compare ``_layout()``
        (maps) or ``_shape()`` (vectors) of one version across the
        implementations (keys are compared by identity).

        Only a run over two or more implementations compares.
        """
        if len(objs) < 2:
            return
        ref = _by_identity(getattr(objs[0], method)())
        for name, o in zip(self.names[1:], objs[1:]):
            got = _by_identity(getattr(o, method)())
            if got != ref:
                self.fail("%s: %s() differs: %s %r vs %s %r"
                          % (what, method, self.names[0], ref, name, got))

    def check_obj(self, what, obj):
        chk = getattr(obj, "_check", None)
        if chk is None:
            return
        try:
            chk()
        except AssertionError as exc:
            self.fail("%s: _check() failed on %s: %s" % (what, type(obj).__module__, exc))


def _by_identity(x):
    """A ``_layout()`` / ``_shape()`` result with every object that is not a
    plain number or string replaced by its ``id()``: two layouts are compared
    without calling a key's ``__eq__`` (some keys raise)."""
    t = type(x)
    if t is tuple or t is list:
        return (t.__name__,) + tuple(_by_identity(e) for e in x)
    if x is None or t is int or t is str:
        return x
    return ("id", id(x))


def _each(fn, arglists):
    for args in arglists:
        fn(*args)


def _oknorm(x):
    return x


def _idnorm(x):
    return id(x)


# ==========================================================================
# maps

class MapModel:
    """Reference map: insertion-ordered (key, value) list with HAMT key rules.

    ``_idx`` (built lazily, shared between versions, never mutated once
    shared) maps a hash value to the positions of the entries with that
    hash, in insertion order, so that a lookup costs what the design's
    does instead of a scan of every entry (long programs with bulk updates
    would otherwise spend minutes in the model)."""
    __slots__ = ("entries", "_idx")

    def __init__(self, entries=(), idx=None):
        self.entries = list(entries)
        self._idx = idx

    def _index(self):
        if self._idx is None:
            idx = {}
            for i, (k, _) in enumerate(self.entries):
                h = hash(k)
                idx[h] = idx.get(h, ()) + (i,)
            self._idx = idx
        return self._idx

    # -- lookup exactly as the design: hash first (may raise), then only
    # equal-hash entries are compared, identity first, in insertion order
    def _find(self, key):
        h = hash(key)
        entries = self.entries
        for i in self._index().get(h, ()):
            k = entries[i][0]
            if k is key or k == key:
                return i
        return -1

    def __len__(self):
        return len(self.entries)

    def __contains__(self, key):
        return self._find(key) >= 0

    def __getitem__(self, key):
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return self.entries[i][1]

    def get(self, key, default=None):
        i = self._find(key)
        return default if i < 0 else self.entries[i][1]

    def _assoc(self, key, value):
        """The new entry list, or None when value is identical to the stored one."""
        i = self._find(key)
        if i >= 0:
            if self.entries[i][1] is value:
                return None
            new = list(self.entries)
            new[i] = (new[i][0], value)
            return new
        return self.entries + [(key, value)]

    def set(self, key, value):
        new = self._assoc(key, value)
        if new is None:
            return self
        idx = self._idx
        if idx is not None and len(new) > len(self.entries):   # appended: extend a copy
            h = hash(key)
            idx = dict(idx)
            idx[h] = idx.get(h, ()) + (len(new) - 1,)
        return MapModel(new, idx)                  # (a replacement keeps positions)

    def delete(self, key):
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return MapModel(self.entries[:i] + self.entries[i + 1:])

    def discard(self, key):
        i = self._find(key)
        if i < 0:
            return self
        return MapModel(self.entries[:i] + self.entries[i + 1:])

    def update(self, col=None, **kw):
        pairs = []
        if col is not None:
            if isinstance(col, MapModel):
                pairs.extend(col.entries)
            else:
                pairs.extend(col)
        pairs.extend(kw.items())
        if col is None and not kw:
            return self
        m = MapModel(self.entries)                 # a private copy and index
        idx = m._index()
        entries = m.entries
        for k, v in pairs:
            i = m._find(k)
            if i >= 0:
                if entries[i][1] is not v:
                    entries[i] = (entries[i][0], v)
            else:
                h = hash(k)
                idx[h] = idx.get(h, ()) + (len(entries),)
                entries.append((k, v))
        return m

    def __or__(self, other):
        if not isinstance(other, MapModel):
            return NotImplemented
        return self.update(other)

    def items(self):
        return list(self.entries)

    def __eq__(self, other):
        if not isinstance(other, MapModel):
            return NotImplemented
        if len(self) != len(other):
            return False
        for k, v in self.entries:
            i = other._find(k)
            if i < 0 or not (other.entries[i][1] == v):
                return False
        return True

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    __hash__ = None

    def hash(self):
        """The design's order-independent map hash (bit for bit)."""
        h = 0
        for k, v in self.entries:
            hk = hash(k) & MASK64
            hv = hash(v) & MASK64
            e = (hk + 0x9E3779B97F4A7C15 * hv) & MASK64
            h ^= (((e ^ 89869747) ^ (e << 16)) * 3644798167) & MASK64
        h ^= ((len(self.entries) + 1) * 1927868237) & MASK64
        h ^= (h >> 11) ^ (h >> 25)
        h = (h * 69069 + 907133923) & MASK64
        r = _signed(h)
        return 590923713 if r == -1 else r

    def mutate(self):
        return MutModel(self.entries)


class MutModel:
    __slots__ = ("m", "finished")

    def __init__(self, entries):
        self.m = MapModel(entries)
        self.finished = False

    def _live(self):
        if self.finished:
            raise ValueError("mutation has been finished")

    def __len__(self):
        return len(self.m)

    def __contains__(self, key):
        return key in self.m

    def __getitem__(self, key):
        return self.m[key]

    def get(self, key, default=None):
        return self.m.get(key, default)

    def set(self, key, value):
        self._live()
        self.m = self.m.set(key, value)

    __setitem__ = set

    def delete(self, key):
        self._live()
        self.m = self.m.delete(key)

    __delitem__ = delete

    def pop(self, key, *default):
        self._live()
        i = self.m._find(key)
        if i < 0:
            if default:
                return default[0]
            raise KeyError(key)
        v = self.m.entries[i][1]
        self.m = self.m.delete(key)
        return v

    def update(self, col=None, **kw):
        self._live()
        self.m = self.m.update(col, **kw)

    def finish(self):
        self.finished = True
        return self.m

    def __eq__(self, other):
        if isinstance(other, MutModel):
            return self.m == other.m
        if isinstance(other, MapModel):
            return self.m == other
        return NotImplemented

    __hash__ = None


class _Slot:
    __slots__ = ("objs", "model", "finished")

    def __init__(self, objs, model):
        self.objs = objs
        self.model = model
        self.finished = False


def _containers():
    """Keys / elements that are themselves maps and vectors (bit 4 of byte 0).

    Built from the pure-Python twin (an independent object for every
    implementation under test, and hashable by content); equal-but-not-
    identical pairs make lookups go through ``==`` of maps and vectors."""
    pmap = pure_module("map")
    pvec = pure_module("vec32")
    inner = pmap.Map({1: 2, "x": (3,)})
    return [inner, pmap.Map({1: 2, "x": (3,)}), pmap.Map(), pvec.v(1, 2), pvec.v(1, 2),
            pvec.vector(), pmap.Map({pvec.v(1): inner}), (inner, pvec.v(0))]


class MapProgram(Runner):
    """Interprets a byte program over maps and mutations."""

    def __init__(self, mods, mode, salt, containers=False):
        super().__init__(mods, [m.__name__ for m in mods])
        self.mode = mode
        self.salt = salt
        self.map_types = tuple(m.Map for m in mods) + (MapModel,)
        h = lambda i: _hash_for(i, mode, salt)  # noqa: E731
        pool = [K(i, h(i)) for i in range(40)]
        pool += [K(i, h(i)) for i in range(4)]                   # equal, not identical
        pool += [K(100, h(100), raise_eq=True), K(101, h(101), raise_eq=True),
                 K(102, h(102), raise_hash=True)]
        pool += [-1, -2, 0, 1, 2 ** 64 + 3, "a", "b", (1, "x"), 1.5, None]
        pool += [[1]]                                            # unhashable
        if containers:
            pool += _containers()
        self.keys = pool
        self.values = [0, 1, 2, 3, 7, None, "v", (1, 2)]
        self.next_ident = 1000
        self.maps = [_Slot([m.Map() for m in mods], MapModel())]
        self.muts = []
        self.any_raise_eq = False

    # -- helpers
    def key(self, r):
        k = r.pick(self.keys)
        if getattr(k, "raise_eq", False) is True:
            self.any_raise_eq = True
        return k

    def value(self, r):
        return r.pick(self.values)

    def slot(self, r):
        return self.maps[r.byte() % len(self.maps)]

    def norm_map(self, x):
        if isinstance(x, self.map_types):
            pairs = x.items()
            return ("map", len(x), frozenset((id(k), id(v)) for k, v in pairs))
        return x

    def _store(self, objs, model):
        if len(model) > MAX_LEN:
            return
        s = _Slot(objs, model)
        if len(self.maps) >= MAX_SLOTS:
            self.maps[1 + (len(self.trace) % (MAX_SLOTS - 1))] = s
        else:
            self.maps.append(s)

    def verify(self, what, objs, model):
        """Full comparison of one version across implementations and the model."""
        expect = frozenset((id(k), id(v)) for k, v in model.entries)
        ref_items = ref_repr = ref_depth = None
        # _check() of a collision node is quadratic (no two keys equal): in the
        # collision-heavy hash modes a program of bulk updates spent a minute
        # there.  Versions up to BIG_CHECK entries are always checked, bigger
        # ones at most BIG_CHECKS times per program.
        check = len(model) <= BIG_CHECK or self.big_checks < BIG_CHECKS
        if check and len(model) > BIG_CHECK:
            self.big_checks += 1
        for name, o in zip(self.names, objs):
            if check:
                self.check_obj(what, o)
            items = list(o.items())
            if len(o) != len(model) or len(items) != len(model):
                self.fail("%s: %s has len %d (%d items), model %d"
                          % (what, name, len(o), len(items), len(model)))
            if frozenset((id(k), id(v)) for k, v in items) != expect:
                self.fail("%s: %s holds %r, the model %r" % (what, name, items, model.entries))
            keys = list(o)
            vals = list(o.values())
            if [id(k) for k in keys] != [id(k) for k, _ in items]:
                self.fail("%s: %s: iter() and items() disagree" % (what, name))
            if [id(v) for v in vals] != [id(v) for _, v in items]:
                self.fail("%s: %s: values() and items() disagree" % (what, name))
            order = [(id(k), id(v)) for k, v in items]
            rep = repr(o)
            depth = o._depth() if hasattr(o, "_depth") else None
            if ref_items is None:
                ref_items, ref_repr, ref_depth = order, rep, depth
            else:
                if order != ref_items:
                    self.fail("%s: iteration order differs: %s %r vs %s %r"
                              % (what, self.names[0], list(objs[0].items()), name, items))
                if rep != ref_repr:
                    self.fail("%s: repr differs: %r vs %r" % (what, ref_repr, rep))
                if depth != ref_depth:
                    self.fail("%s: _depth() differs: %r vs %r" % (what, ref_depth, depth))
        self.same_shape(what, objs, "_layout")
        # hash (values here are all hashable; keys too, once stored)
        outs = [_outcome(hash, o) for o in objs]
        self.agree(what + " hash", outs, _oknorm, _outcome(model.hash))

    def new_version(self, what, outs, model_out, src, check_same=True):
        """Store the maps an operation returned (after comparing them)."""
        self.agree(what, outs, self.norm_map, model_out)
        if outs[0][0] != "ok":
            return
        objs = [v for _, v in outs]
        same = [o is s for o, s in zip(objs, src.objs)]
        msame = model_out[1] is src.model
        if check_same and any(x != msame for x in same):
            self.fail("%s: returns-self differs: impls %r, model %r" % (what, same, msame))
        if not msame:
            self.verify(what, objs, model_out[1])
            self._store(objs, model_out[1])

    # -- the operations
    def op(self, r):
        code = r.byte() % 20
        s = self.slot(r)
        if code in (0, 1):
            k, v = self.key(r), self.value(r)
            self.trace.append("set(%r, %r)" % (k, v))
            self.new_version("set", [_outcome(o.set, k, v) for o in s.objs],
                             _outcome(s.model.set, k, v), s)
        elif code == 2:
            k = self.key(r)
            self.trace.append("delete(%r)" % (k,))
            self.new_version("delete", [_outcome(o.delete, k) for o in s.objs],
                             _outcome(s.model.delete, k), s)
        elif code == 3:
            k = self.key(r)
            self.trace.append("discard(%r)" % (k,))
            self.new_version("discard", [_outcome(o.discard, k) for o in s.objs],
                             _outcome(s.model.discard, k), s)
        elif code == 4:
            k, sub = self.key(r), r.byte() % 4
            self.trace.append("read#%d(%r)" % (sub, k))
            fn = [lambda o: o.get(k), lambda o: o.get(k, "dflt"), lambda o: o[k],
                  lambda o: k in o][sub]
            self.agree("read#%d" % sub, [_outcome(fn, o) for o in s.objs],
                       _idnorm if sub < 3 else _oknorm, _outcome(fn, s.model))
        elif code == 5:
            n = r.byte() % 5
            pairs = [(self.key(r), self.value(r)) for _ in range(n)]
            kw = {}
            if r.byte() % 4 == 0:
                kw = {"a": self.value(r), "zz": self.value(r)}
            self.trace.append("update(%r, **%r)" % (pairs, kw))
            args = (pairs,) if pairs or r.byte() % 2 else ()
            self.new_version("update", [_outcome(lambda o: o.update(*args, **kw), o)
                                        for o in s.objs],
                             _outcome(lambda: s.model.update(*args, **kw)), s,
                             check_same=not args and not kw)
        elif code == 6:
            t = self.slot(r)
            sub = r.byte() % 2
            self.trace.append("%s other" % ("update" if sub == 0 else "|"))
            if sub == 0:
                outs = [_outcome(a.update, b) for a, b in zip(s.objs, t.objs)]
                mo = _outcome(s.model.update, t.model)
            else:
                outs = [_outcome(lambda a, b: a | b, a, b) for a, b in zip(s.objs, t.objs)]
                mo = _outcome(lambda: s.model | t.model)
            # m.update(other) with nothing new may return m itself or a new equal
            # map; compare contents only
            self.agree("update/|", outs, self.norm_map, mo)
            if outs[0][0] == "ok" and mo[1] is not s.model:
                objs = [v for _, v in outs]
                self.verify("update/|", objs, mo[1])
                self._store(objs, mo[1])
        elif code == 7:
            t = self.slot(r)
            sub = r.byte() % 3
            self.trace.append("==#%d" % sub)
            if sub == 2:
                outs = [_outcome(lambda a: a == {}, a) for a in s.objs]
                self.agree("== {}", outs, _oknorm, ("ok", False))
                return
            op = (lambda a, b: a == b) if sub == 0 else (lambda a, b: a != b)
            outs = [_outcome(op, a, b) for a, b in zip(s.objs, t.objs)]
            self.agree("==", outs, _oknorm, _outcome(op, s.model, t.model),
                       lenient_exc=(KeyEqError,) if self.any_raise_eq else ())
        elif code == 8:
            self.trace.append("verify")
            self.verify("verify", s.objs, s.model)
        elif code == 9:
            if len(self.muts) >= MAX_SIDE:
                self.muts.pop(0)
            self.trace.append("mutate()")
            self.muts.append(_Slot([o.mutate() for o in s.objs], s.model.mutate()))
        elif code in (10, 11, 12):
            self.mutation_op(r, s)
        elif code == 13:
            n = r.u16() % 600
            base = self.next_ident
            self.next_ident += n
            h = lambda i: _hash_for(i, self.mode, self.salt)  # noqa: E731
            fresh = [K(i, h(i)) for i in range(base, base + n)]
            pairs = [(k, k.ident & 7) for k in fresh]
            self.trace.append("bulk set %d" % n)
            self.new_version("bulk update", [_outcome(o.update, pairs) for o in s.objs],
                             _outcome(s.model.update, pairs), s, check_same=bool(pairs))
        elif code == 14:
            sub = r.byte() % 3
            self.trace.append("bulk delete#%d" % sub)
            ents = s.model.entries[sub::3]
            ms = [m.mutate() for m in s.objs]
            outs = []
            for mm in ms:
                outs.append(_outcome(_each, mm.delete, [(k,) for k, _ in ents]))
            self.agree("bulk delete", outs, _oknorm, ("ok", None))
            mo = MapModel([e for e in s.model.entries if not any(e is x for x in ents)])
            objs = [mm.finish() for mm in ms]
            self.verify("bulk delete", objs, mo)
            self._store(objs, mo)
        elif code == 15:
            sub = r.byte() % 3
            self.trace.append("construct#%d" % sub)
            if sub == 0:
                # Map(m) reuses m's trie (O(1)); it need not be m itself
                outs = [_outcome(type(o), o) for o in s.objs]
                self.agree("Map(m)", outs, self.norm_map, ("ok", s.model))
                self.verify("Map(m)", [v for _, v in outs], s.model)
            elif sub == 1:
                pairs = list(s.model.entries)
                outs = [_outcome(m.Map, pairs) for m in self.mods]
                self.agree("Map(pairs)", outs, self.norm_map, ("ok", s.model))
                self.verify("Map(pairs)", [v for _, v in outs], s.model)
            else:
                outs = [_outcome(lambda o: pickle.loads(pickle.dumps(o)), o) for o in s.objs]
                # pickling rebuilds keys: compare by equality of content
                for name, (kind, val) in zip(self.names, outs):
                    if kind == "exc":
                        if not any(getattr(k, "raise_eq", False) is True
                                   for k, _ in s.model.entries):
                            self.fail("pickle round trip raised %r on %s" % (val, name))
                        continue
                    if len(val) != len(s.model) or sorted(map(repr, val.items())) != \
                            sorted(repr(e) for e in s.model.entries):
                        self.fail("pickle round trip changed the map on %s" % name)
                    self.check_obj("pickle", val)
                    c = copy.copy(val)
                    if c is not val and c != val:
                        self.fail("copy.copy changed the map")
        elif code == 16:
            n = r.byte() % 4
            pairs = [(self.key(r), self.value(r)) for _ in range(n)]
            self.trace.append("with mutate(): set %r" % (pairs,))
            outs = []
            mms = []
            for o in s.objs:
                def body(o=o):
                    with o.mutate() as mm:
                        mms.append(mm)
                        for k, v in pairs:
                            mm[k] = v
                outs.append(_outcome(body))
            mm_model = s.model.mutate()
            mo = _outcome(_each, mm_model.set, pairs)
            self.agree("with-mutate", outs, _oknorm, mo)
            if outs[0][0] == "ok":
                for name, mm in zip(self.names, mms):
                    o2 = _outcome(mm.set, "x", 1)
                    if o2 != ("exc", ValueError):
                        self.fail("%s: mutation not finished by __exit__: %r" % (name, o2))
                # finish() on a finished mutation returns its map (as immutables)
                got = [_outcome(mm.finish) for mm in mms]
                self.agree("finish after with", got, self.norm_map, ("ok", mm_model.m))
                objs = [v for _, v in got]
                self.verify("with-mutate", objs, mm_model.m)
                self._store(objs, mm_model.m)
        elif code == 17:
            k, v = self.key(r), self.value(r)
            self.trace.append("views(%r, %r)" % (k, v))
            for sub, fn in enumerate((lambda o: k in o.keys(), lambda o: (k, v) in o.items(),
                                      lambda o: len(o.values()), lambda o: len(o.items()))):
                outs = [_outcome(fn, o) for o in s.objs]
                if sub == 1:
                    def mfn():
                        i = s.model._find(k)
                        return i >= 0 and s.model.entries[i][1] == v
                    mo = _outcome(mfn)
                elif sub == 0:
                    mo = _outcome(lambda: k in s.model)
                else:
                    mo = ("ok", len(s.model))
                self.agree("view#%d" % sub, outs, _oknorm, mo)
        else:
            self.trace.append("hash")
            self.agree("hash", [_outcome(hash, o) for o in s.objs], _oknorm,
                       _outcome(s.model.hash))

    def mutation_op(self, r, s):
        if not self.muts:
            return
        mslot = self.muts[r.byte() % len(self.muts)]
        sub = r.byte() % 14
        objs, model = mslot.objs, mslot.model
        if mslot.finished and sub in (4, 5, 6, 7, 8):
            return   # reads after finish: unspecified ("may still work")
        k, v = self.key(r), self.value(r)
        if mslot.finished:
            k = self.keys[r.byte() % 40]     # the ValueError must not race a key's error
        what = "mutation#%d(%r, %r)" % (sub, k, v)
        self.trace.append(what)
        if sub == 0:
            fn = lambda o: o.__setitem__(k, v)          # noqa: E731
        elif sub == 1:
            fn = lambda o: o.set(k, v)                  # noqa: E731
        elif sub == 2:
            fn = lambda o: o.__delitem__(k)             # noqa: E731
        elif sub == 3:
            fn = lambda o: o.delete(k)                  # noqa: E731
        elif sub == 4:
            fn = lambda o: id(o.get(k))                 # noqa: E731
        elif sub == 5:
            fn = lambda o: id(o[k])                     # noqa: E731
        elif sub == 6:
            fn = lambda o: k in o                       # noqa: E731
        elif sub == 7:
            fn = len
        elif sub == 8:
            t = self.slot(r)
            outs = [_outcome(lambda a, b: a == b, a, b) for a, b in zip(objs, t.objs)]
            self.agree(what + " ==", outs, _oknorm, _outcome(lambda: model == t.model),
                       lenient_exc=(KeyEqError,) if self.any_raise_eq else ())
            return
        elif sub == 9:
            fn = lambda o: id(o.pop(k))                 # noqa: E731
        elif sub == 10:
            fn = lambda o: id(o.pop(k, "dflt"))         # noqa: E731
        elif sub == 11:
            pairs = [(k, v), (self.key(r), self.value(r))]
            fn = lambda o: o.update(pairs)              # noqa: E731
        else:
            outs = [_outcome(o.finish) for o in objs]
            mo = _outcome(model.finish)
            self.agree(what, outs, self.norm_map, mo)
            mslot.finished = True
            if outs[0][0] == "ok":
                new = [v for _, v in outs]
                self.verify("finish", new, mo[1])
                self._store(new, mo[1])
            return
        outs = [_outcome(fn, o) for o in objs]
        mo = _outcome(fn, model)
        # a failing update leaves the mutation unchanged (as immutables does)
        self.agree(what, outs, _oknorm, mo)
        if not mslot.finished and sub in (0, 1, 2, 3, 9, 10, 11):
            self._mut_items(objs, model.m)
            self.same_shape(what, objs, "_layout")

    def _mut_items(self, objs, model):
        """Compare live mutations by probing every known key with get()."""
        probes = []
        seen = set()
        for k in self.keys + [k for k, _ in self._all_model_keys()]:
            if id(k) not in seen:
                seen.add(id(k))
                probes.append(k)

        def probe(mm):
            out = []
            for k in probes:
                kind, val = _outcome(mm.get, k, _MISSING)
                out.append((kind, val if kind == "exc" else id(val)))
            return out, len(mm)

        def diff(a, b):
            if a[1] != b[1]:
                return "len %d vs %d" % (a[1], b[1])
            for k, x, y in zip(probes, a[0], b[0]):
                if x != y:
                    return "get(%r): %r vs %r" % (k, x, y)
            return "?"

        ref = probe(objs[0])
        for name, mm in zip(self.names[1:], objs[1:]):
            got = probe(mm)
            if got != ref:
                self.fail("live mutations differ: %s vs %s: %s"
                          % (self.names[0], name, diff(ref, got)))
        if model is not None:
            got = probe(model)
            if got != ref:
                self.fail("live mutation differs from the model: %s (impl vs model)"
                          % diff(ref, got))

    def _all_model_keys(self):
        seen = {}
        for sl in self.maps:
            for k, v in sl.model.entries:
                seen[id(k)] = (k, v)
        for sl in self.muts:
            for k, v in sl.model.m.entries:
                seen[id(k)] = (k, v)
        return list(seen.values())

    def finish_program(self):
        for i, s in enumerate(self.maps):
            self.verify("final slot %d" % i, s.objs, s.model)


# ==========================================================================
# vectors

def _python_pvector():
    from pyrsistent._pvector import python_pvector
    return python_pvector


class VecModel:
    """Reference vector: pyrsistent's pure-Python PVector plus list arithmetic."""
    __slots__ = ("pv",)

    def __init__(self, pv):
        self.pv = pv

    @classmethod
    def of(cls, items):
        return cls(_python_pvector()(items))

    def tolist(self):
        return self.pv.tolist()

    def __len__(self):
        return len(self.pv)

    def __iter__(self):
        return iter(self.pv)

    def __reversed__(self):
        return reversed(self.pv.tolist())

    def _wrap(self, x):
        return VecModel(x) if x is not self.pv else self

    @staticmethod
    def _un(x):
        return x.pv if isinstance(x, VecModel) else x

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._wrap(self.pv[i])
        n = len(self.pv)
        if not -n <= i < n:
            raise IndexError(i)
        return self.pv[i]

    def append(self, x):
        return VecModel(self.pv.append(x))

    def extend(self, it):
        return self._wrap(self.pv.extend(it))

    def set(self, i, x):
        return self._wrap(self.pv.set(i, x))

    def mset(self, *a):
        return self._wrap(self.pv.mset(*a))

    def delete(self, i, stop=None):
        return VecModel(self.pv.delete(i, stop))

    def remove(self, x):
        return VecModel(self.pv.remove(x))

    def __add__(self, other):
        return self._wrap(self.pv + self._un(other))

    def __mul__(self, n):
        return self._wrap(self.pv * n)

    __rmul__ = __mul__

    def index(self, x, *a):
        return self.pv.index(x, *a)

    def count(self, x):
        return self.pv.count(x)

    def __hash__(self):
        return hash(self.pv)

    def __eq__(self, o):
        return self.pv == self._un(o)

    def __ne__(self, o):
        return self.pv != self._un(o)

    def __lt__(self, o):
        return self.pv < self._un(o)

    def __le__(self, o):
        return self.pv <= self._un(o)

    def __gt__(self, o):
        return self.pv > self._un(o)

    def __ge__(self, o):
        return self.pv >= self._un(o)

    # RRB-only operations
    def insert(self, i, x):
        lst = self.tolist()
        n = len(lst)
        if not -n <= i <= n:
            raise IndexError(i)
        lst.insert(i + n if i < 0 else i, x)
        return VecModel.of(lst)

    def split(self, i):
        lst = self.tolist()
        return VecModel.of(lst[:i]), VecModel.of(lst[i:])

    def pop(self, i=-1):
        lst = self.tolist()
        x = lst.pop(i)
        return VecModel.of(lst), x

    def appendleft(self, x):
        return VecModel.of([x] + self.tolist())

    def popleft(self):
        lst = self.tolist()
        if not lst:
            raise IndexError("pop from an empty vector")
        return VecModel.of(lst[1:]), lst[0]

    @classmethod
    def from_concat(cls, vs):
        out = []
        for x in vs:
            out.extend(x.tolist())
        return cls.of(out)

    def evolver(self):
        return EvoModel(self)


class EvoModel:
    """Reference evolver: a list (PVector evolver semantics, plus delete(i, stop)).

    ``dirty`` is what is_dirty() must say: True after a real edit, False
    after persistent(), None (not compared) after an edit that changed
    nothing (e.g. deleting an empty slice), where PVector's answer is an
    accident of its layout.
    """
    __slots__ = ("lst", "orig", "dirty")

    def __init__(self, vec):
        self.lst = vec.tolist()
        self.orig = vec
        self.dirty = False

    def _edited(self, changed=True):
        if changed:
            self.dirty = True
        elif self.dirty is False:
            self.dirty = None

    def __len__(self):
        return len(self.lst)

    def __getitem__(self, i):
        return self.lst[i]

    def _index(self, i):
        n = len(self.lst)
        if i < 0:
            i += n
        return i

    def __setitem__(self, i, x):
        j = self._index(i)
        if 0 <= j < len(self.lst):
            self.lst[j] = x
        elif j == len(self.lst):
            self.lst.append(x)
        else:
            raise IndexError(i)
        self._edited()

    def set(self, i, x):
        self[i] = x
        return self

    def append(self, x):
        self.lst.append(x)
        self._edited()
        return self

    def extend(self, it):
        n = len(self.lst)
        self.lst.extend(it)
        self._edited(len(self.lst) != n)
        return self

    def delete(self, i, stop=None):
        n = len(self.lst)
        if stop is None:
            del self.lst[i]
        else:
            del self.lst[i:stop]
        self._edited(len(self.lst) != n)
        return self

    def __delitem__(self, i):
        del self.lst[i]
        self._edited()

    def remove(self, x):
        self.lst.remove(x)
        self._edited()
        return self

    def is_dirty(self):
        return self.dirty

    def persistent(self):
        self.dirty = False
        return VecModel.of(list(self.lst))


class _Raiser:
    """A vector element whose == raises (identity still short-circuits)."""
    __slots__ = ()

    def __eq__(self, other):
        raise KeyEqError("element")

    __ne__ = __eq__
    __lt__ = __eq__
    __gt__ = __eq__
    __hash__ = object.__hash__

    def __repr__(self):
        return "<raiser>"


class VectorProgram(Runner):

    def __init__(self, mods, salt, containers=False):
        super().__init__(mods, [m.__name__ for m in mods])
        self.salt = salt
        self.vec_types = tuple(m.Vector for m in mods) + (VecModel,)
        self.evo_types = tuple(m.VectorEvolver for m in mods) + (EvoModel,)
        self.elems = list(range(10)) + [None, "s", (1,), -5, 2 ** 70]
        if containers:
            self.elems += _containers()
        self.elems += [_Raiser(), [0]]                  # keep these two last
        self.vecs = [_Slot([m.vector() for m in mods], VecModel.of([]))]
        self.evos = []

    def elem(self, r):
        b = r.byte()
        # the raiser and the unhashable list are rare
        if b >= 250:
            return self.elems[-2 + (b & 1)]
        return self.elems[b % (len(self.elems) - 2)]

    def index(self, r, n, extra=2):
        # mostly in range, sometimes just outside, in both directions
        span = 2 * n + 2 * extra + 1
        return (r.u16() % span) - n - extra

    def slot(self, r):
        return self.vecs[r.byte() % len(self.vecs)]

    def norm(self, x):
        if isinstance(x, self.vec_types):
            return ("vec", tuple(id(e) for e in x.tolist()))
        if isinstance(x, tuple):
            return tuple(self.norm(e) for e in x)
        if isinstance(x, self.evo_types):
            return "evolver"
        return ("val", id(x)) if not isinstance(x, (bool, int)) or x is None else ("val", x)

    def _store(self, objs, model):
        if len(model) > MAX_LEN:
            return
        s = _Slot(objs, model)
        if len(self.vecs) >= MAX_SLOTS:
            self.vecs[1 + (len(self.trace) % (MAX_SLOTS - 1))] = s
        else:
            self.vecs.append(s)

    def verify(self, what, objs, model):
        expect = [id(e) for e in model.tolist()]
        for name, o in zip(self.names, objs):
            self.check_obj(what, o)
            if len(o) != len(expect):
                self.fail("%s: %s has len %d, model %d" % (what, name, len(o), len(expect)))
            got = [id(e) for e in o]
            if got != expect:
                self.fail("%s: %s holds %r, model %r" % (what, name, list(o), model.tolist()))
            if [id(e) for e in o.tolist()] != expect:
                self.fail("%s: %s: tolist() differs from iteration" % (what, name))
            if [id(e) for e in reversed(o)] != expect[::-1]:
                self.fail("%s: %s: reversed() differs" % (what, name))
            n = len(expect)
            for i in {0, n // 3, n // 2, n - 1, -1}:
                if 0 <= i < n or (i == -1 and n):
                    if o[i] is not model.tolist()[i]:
                        self.fail("%s: %s[%d] differs" % (what, name, i))
        self.same_shape(what, objs, "_shape")

    def new_versions(self, what, outs, mo):
        """Compare; keep every vector found in the result (a vector or tuple)."""
        self.agree(what, outs, self.norm, mo)
        if outs[0][0] != "ok":
            return
        res = [v for _, v in outs]
        mres = mo[1]
        if isinstance(mres, tuple):
            for j, part in enumerate(mres):
                if isinstance(part, VecModel):
                    objs = [x[j] for x in res]
                    self.verify(what, objs, part)
                    self._store(objs, part)
        elif isinstance(mres, VecModel):
            self.verify(what, res, mres)
            self._store(res, mres)

    def op(self, r):
        code = r.byte() % 24
        s = self.slot(r)
        n = len(s.model)
        objs, model = s.objs, s.model

        def run(what, fn, *extra_models):
            self.trace.append(what)
            self.new_versions(what, [_outcome(fn, o) for o in objs], _outcome(fn, model))

        if code == 0:
            x = self.elem(r)
            run("append(%r)" % (x,), lambda o: o.append(x))
        elif code == 1:
            xs = [self.elem(r) for _ in range(r.byte() % 6)]
            run("extend(%r)" % (xs,), lambda o: o.extend(xs))
        elif code == 2:
            xs = list(range(r.u16() % 1100))
            run("extend(range(%d))" % len(xs), lambda o: o.extend(xs))
        elif code == 3:
            i, x = self.index(r, n), self.elem(r)
            run("set(%d, %r)" % (i, x), lambda o: o.set(i, x))
        elif code == 4:
            a = (self.index(r, n), self.elem(r), self.index(r, n), self.elem(r))
            run("mset%r" % (a,), lambda o: o.mset(*a))
        elif code == 5:
            i = self.index(r, n)
            run("delete(%d)" % i, lambda o: o.delete(i))
        elif code == 6:
            i, j = self.index(r, n), self.index(r, n)
            run("delete(%d, %d)" % (i, j), lambda o: o.delete(i, j))
        elif code == 7:
            x = self.elem(r)
            run("remove(%r)" % (x,), lambda o: o.remove(x))
        elif code == 8:
            t = self.slot(r)
            self.trace.append("concat")
            self.new_versions("concat", [_outcome(lambda a, b: a + b, a, b)
                                         for a, b in zip(objs, t.objs)],
                              _outcome(lambda: model + t.model))
        elif code == 9:
            xs = [self.elem(r) for _ in range(r.byte() % 4)]
            run("+ list %r" % (xs,), lambda o: o + xs)
        elif code == 10:
            k = r.byte() % 5 - 1
            if r.byte() % 2:
                run("* %d" % k, lambda o: o * k)
            else:
                run("%d *" % k, lambda o: k * o)
        elif code == 11:
            i = self.index(r, n)
            run("[%d]" % i, lambda o: o[i])
        elif code == 12:
            i, j = self.index(r, n, 3), self.index(r, n, 3)
            st = r.pick([None, 1, 2, -1, -2, 3, -3])
            run("[%d:%d:%r]" % (i, j, st), lambda o: o[i:j:st])
        elif code == 13:
            i, j = r.u16() % (n + 1), r.u16() % (n + 1)
            i, j = min(i, j), max(i, j)
            run("[%d:%d]" % (i, j), lambda o: o[i:j])
        elif code == 14:
            i, x = self.index(r, n, 1), self.elem(r)
            run("insert(%d, %r)" % (i, x), lambda o: o.insert(i, x))
        elif code == 15:
            i = r.u16() % (n + 1)
            run("split(%d)" % i, lambda o: o.split(i))
        elif code == 16:
            if r.byte() % 2:
                run("pop()", lambda o: o.pop())
            else:
                i = self.index(r, n, 1)
                run("pop(%d)" % i, lambda o: o.pop(i))
        elif code == 17:
            if r.byte() % 2:
                x = self.elem(r)
                run("appendleft(%r)" % (x,), lambda o: o.appendleft(x))
            else:
                run("popleft()", lambda o: o.popleft())
        elif code == 18:
            picks = [self.slot(r) for _ in range(r.byte() % 5)]
            self.trace.append("from_concat(%d)" % len(picks))
            outs = [_outcome(lambda i: m.Vector.from_concat([p.objs[i] for p in picks]), i)
                    for i, m in enumerate(self.mods)]
            self.new_versions("from_concat", outs,
                              _outcome(VecModel.from_concat, [p.model for p in picks]))
        elif code == 19:
            x, sub = self.elem(r), r.byte() % 4
            fns = [lambda o: o.index(x), lambda o: o.count(x), lambda o: x in o,
                   lambda o: o.index(x, n // 2)]
            run("query#%d(%r)" % (sub, x), fns[sub])
        elif code == 20:
            t = self.slot(r)
            sub = r.byte() % 8
            ops = [lambda a, b: a == b, lambda a, b: a != b, lambda a, b: a < b,
                   lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b]
            self.trace.append("compare#%d" % sub)
            if sub < 6:
                outs = [_outcome(ops[sub], a, b) for a, b in zip(objs, t.objs)]
                self.agree("compare#%d" % sub, outs, _oknorm, _outcome(ops[sub], model, t.model))
            elif sub == 6:
                lst = t.model.tolist()
                outs = [_outcome(lambda a: (a == lst, a < lst, a != lst), a) for a in objs]
                self.agree("compare list", outs, _oknorm,
                           _outcome(lambda: (model == lst, model < lst, model != lst)))
            else:
                tup = tuple(t.model.tolist())
                outs = [_outcome(lambda a: a == tup, a) for a in objs]
                self.agree("== tuple", outs, _oknorm, _outcome(lambda: model == tup))
        elif code == 21:
            self.trace.append("hash/pickle")
            self.agree("hash", [_outcome(hash, o) for o in objs], _oknorm, _outcome(hash, model))
            for name, o in zip(self.names, objs):
                kind, val = _outcome(lambda: pickle.loads(pickle.dumps(o)))
                if kind == "ok":
                    self.check_obj("pickle", val)
                    if len(val) != n:
                        self.fail("pickle changed the length on %s" % name)
        elif code == 22:
            if len(self.evos) >= MAX_SIDE:
                self.evos.pop(0)
            self.trace.append("evolver()")
            self.evos.append(_Slot([o.evolver() for o in objs], model.evolver()))
        else:
            self.evolver_op(r)

    def evolver_op(self, r):
        if not self.evos:
            return
        es = self.evos[r.byte() % len(self.evos)]
        objs, model = es.objs, es.model
        n = len(model)
        sub = r.byte() % 12
        x = self.elem(r)
        i = self.index(r, n, 1)
        j = self.index(r, n, 1)
        what = "evolver#%d(%d, %d, %r)" % (sub, i, j, x)
        self.trace.append(what)
        fns = [
            lambda e: e[i],
            lambda e: e.__setitem__(i, x),
            lambda e: e.set(i, x),
            lambda e: e.append(x),
            lambda e: e.extend([x, x]),
            lambda e: e.delete(i),
            lambda e: e.delete(i, j),
            lambda e: e.__delitem__(i),
            lambda e: e.remove(x),
            len,
            lambda e: e.is_dirty(),
            lambda e: e.persistent(),
        ]
        fn = fns[sub]
        outs = [_outcome(fn, e) for e in objs]
        if sub == 10:
            if model.dirty is not None:
                self.agree(what, outs, _oknorm, ("ok", model.dirty))
            return
        mo = _outcome(fn, model)
        if sub in (2, 3, 4, 5, 6, 8):
            # these return the evolver itself
            for (kind, val), e in zip(outs, objs):
                if kind == "ok" and val is not e:
                    self.fail("%s: does not return the evolver" % what)
        if sub == 11:
            self.new_versions(what, outs, mo)
        else:
            self.agree(what, outs, self.norm, mo)
        # contents after the edit
        expect = [id(v) for v in model.lst]
        for name, e in zip(self.names, objs):
            self.check_obj(what, e)
            got = []
            for k in range(len(e)):
                got.append(id(e[k]))
            if got != expect:
                self.fail("%s: evolver %s holds %r, model %r"
                          % (what, name, [e[k] for k in range(len(e))], model.lst))

    def finish_program(self):
        for i, s in enumerate(self.vecs):
            self.verify("final slot %d" % i, s.objs, s.model)
        for es in self.evos:
            outs = [_outcome(lambda e: e.persistent(), e) for e in es.objs]
            self.new_versions("final persistent", outs, _outcome(es.model.persistent))


# ==========================================================================
# entry points

def run_map_program(data, mods):
    r = Reader(data)
    head = r.byte()
    mode = (head >> 1) % 8
    salt = r.byte()
    prog = MapProgram(mods, mode, salt, containers=bool(head & 0x10))
    steps = 0
    while r.more() and steps < MAX_OPS:
        prog.op(r)
        steps += 1
    prog.finish_program()
    return steps


def run_vector_program(data, mods):
    r = Reader(data)
    head = r.byte()
    salt = r.byte()
    prog = VectorProgram(mods, salt, containers=bool(head & 0x10))
    steps = 0
    while r.more() and steps < MAX_OPS:
        prog.op(r)
        steps += 1
    prog.finish_program()
    return steps


def kind_of(data):
    """Which structure a program drives: "map", "vec32" or "vec4"."""
    head = data[0] if data else 0
    if head & 1 == 0:
        return "map"
    return "vec4" if head & 2 else "vec32"


def run(data, mods=None):
    """Run one program on ``mods`` (default: every available implementation)."""
    kind = kind_of(data)
    if mods is None:
        mods = backends(kind)
    if not mods:
        return 0
    if kind == "map":
        return run_map_program(data, mods)
    return run_vector_program(data, mods)


# --------------------------------------------------------------------------
# minimisation

def fails(data, mods=None):
    """The Mismatch/crash message when ``data`` fails, else None."""
    try:
        run(data, mods)
    except Exception as exc:  # noqa: BLE001
        return "%s: %s" % (type(exc).__name__, str(exc).split("\n")[0])
    return None


def minimize(data, mods=None, same_message=True, budget=2000):
    """Shrink a failing program (greedy chunk removal, then byte lowering)."""
    data = bytes(data)
    target = fails(data, mods)
    if target is None:
        return data
    key = target.split(":")[0:2] if same_message else None

    def still(d):
        m = fails(d, mods)
        return m is not None and (key is None or m.split(":")[0:2] == key)

    tries = 0
    chunk = max(1, len(data) // 2)
    while chunk >= 1 and tries < budget:
        i = 2
        progress = False
        while i < len(data) and tries < budget:
            cand = data[:i] + data[i + chunk:]
            tries += 1
            if still(cand):
                data = cand
                progress = True
            else:
                i += chunk
        if not progress:
            chunk //= 2
    for i in range(len(data)):
        for b in (0, 1, 2, data[i] // 2):
            if tries >= budget or b >= data[i]:
                break
            cand = data[:i] + bytes([b]) + data[i + 1:]
            tries += 1
            if still(cand):
                data = cand
                break
    return data
