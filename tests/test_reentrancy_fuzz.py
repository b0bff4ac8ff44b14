"""Re-entrancy fuzzer: Python code running in the middle of every operation.

Each run builds a small world of live structures of one family (Map and
MapMutation, Set and SetEvolver, Vector and VectorEvolver, or the primitives
``march.map.*`` / ``march.array.imm.*``) over hostile objects:

* keys whose ``__hash__`` and ``__eq__``, indexes whose ``__index__``, and
  values and elements whose ``__eq__`` and ``__del__`` strike;
* cyclic garbage with finalizers that strike when a collection frees it, with
  ``gc.set_threshold(1)`` so that nearly every allocation inside an operation
  starts a collection, and a ``gc.callbacks`` hook that strikes too.

A strike, at random, raises, or edits, finishes or drops one of the world's
structures (the one being worked on included), or empties the list, dict or
pair that an operation is reading.

Every operation runs twice on equal inputs: first disarmed, as the reference,
then armed.  Checked after each armed run:

* no crash (and, under tools/sanitize.sh, no sanitizer report);
* ``_check()`` passes on every live structure, and each one's ``len``
  agrees with its iteration;
* persistent values never change, whatever ran;
* when no strike changed anything, the operation gave the reference's result
  (or raised the reference's exception) and a transient it worked on holds
  what the reference's copy holds; when a strike raised, the operation
  raised and left its transient as it was.

Each test also asserts that the hostile code ran where it should (inside
operations, armed), so the test cannot pass by missing the window.

``MARCH_REENTRANCY_STEPS`` sets the operations per run (default 150).
"""
import collections
import copy
import gc
import os
import pickle
import random
import sysconfig
import weakref

import pytest

import march

# the kinds of Python code every run must have reached inside operations:
# finalizers and gc.callbacks need a collection inside an operation, and the
# free-threaded build counts allocations per thread in batches (no
# collection starts at a chosen allocation there)
CALLBACK_KINDS = ("hash", "eq") if sysconfig.get_config_var(
    "Py_GIL_DISABLED") else ("hash", "eq", "del", "gc")
from conftest import MAP_IMPLS, VECTOR_IMPLS, PURE_ONLY, C_ONLY, load_impl

STEPS = int(os.environ.get("MARCH_REENTRANCY_STEPS", "300"))
SEEDS = range(6)


class Boom(Exception):
    """Raised by a strike: an exception from user code."""


# ---------------------------------------------------------------------------
# the hostile world


class Env:
    """The strikes of one run: where they may land and what they did."""

    def __init__(self, rng):
        self.rng = rng
        self.armed = False
        self.depth = 0
        self.rate = 0.25
        self.actions = []           # callables: one strike each
        self.ran = collections.Counter()       # hostile code run while armed, by place
        self.struck = collections.Counter()    # strikes that did something, by action
        self.effects = 0            # strikes that changed something, this operation
        self.raised = 0             # strikes that raised, this operation
        self.bombs = 0              # finalizer garbage still allowed to be planted

    def strike(self, where, may_raise=True):
        """Called from hostile code: maybe do something nasty."""
        if not self.armed or self.depth:
            return
        self.ran[where] += 1
        if self.rng.random() >= self.rate:
            return
        self.depth += 1
        try:
            if may_raise and self.rng.random() < 0.35:
                self.raised += 1
                self.struck["raise"] += 1
                raise Boom(where)
            act = self.rng.choice(self.actions)
            try:
                act()
            except Exception:
                self.raised += 1
                if may_raise:
                    raise
                return
            self.effects += 1
            self.struck[act.__name__] += 1
        finally:
            self.depth -= 1

    def plant(self, n):
        """Leave n cycles with finalizers for the next collections to find."""
        for _ in range(n):
            Bomb(self)


class Bomb:
    """Cyclic garbage whose finalizer strikes (and plants another while allowed)."""

    def __init__(self, env):
        self.env = env
        self.me = self

    def __del__(self):
        env = self.env
        if env.armed and not env.depth:
            env.ran["del"] += 1
            if env.bombs > 0:
                env.bombs -= 1
                Bomb(env)
            env.strike("del", may_raise=False)


class K:
    """A key: equal by ``ident``; hash from a small range, so keys collide."""

    __slots__ = ("ident", "h", "env", "__weakref__")

    def __init__(self, ident, env):
        self.ident = ident
        self.env = env
        self.h = ident % 7 if ident % 3 == 0 else ident * 0x9E3779B1 % 2**61

    def __hash__(self):
        self.env.strike("hash")
        return self.h

    def __eq__(self, other):
        if not isinstance(other, K):
            return NotImplemented
        self.env.strike("eq")
        return self.ident == other.ident

    def __repr__(self):
        return "K(%d)" % self.ident


class V:
    """A value or element: equal by ``vid``; strikes when compared or freed."""

    __slots__ = ("vid", "env", "__weakref__")

    def __init__(self, vid, env):
        self.vid = vid
        self.env = env

    def __eq__(self, other):
        if not isinstance(other, V):
            return NotImplemented
        self.env.strike("eq")
        return self.vid == other.vid

    def __lt__(self, other):
        if not isinstance(other, V):
            return NotImplemented
        self.env.strike("eq")
        return self.vid < other.vid

    def __hash__(self):
        self.env.strike("hash")
        return self.vid % 5

    def __del__(self):
        self.env.strike("del", may_raise=False)

    def __reduce__(self):
        return (V, (self.vid, _QUIET))

    def __repr__(self):
        return "V(%d)" % self.vid


class I:
    """An index: ``__index__`` strikes, then gives n."""

    __slots__ = ("n", "env")

    def __init__(self, n, env):
        self.n = n
        self.env = env

    def __index__(self):
        self.env.strike("index")
        return self.n


class _Quiet:
    armed = False
    depth = 0

    def strike(self, where, may_raise=True):
        pass


_QUIET = _Quiet()


def _mk_key(ident):
    return K(ident, _QUIET)


K.__reduce__ = lambda self: (_mk_key, (self.ident,))


def canon(x):
    """A plain, comparable picture of a result (calls no hostile code)."""
    if isinstance(x, K):
        return ("K", x.ident)
    if isinstance(x, V):
        return ("V", x.vid)
    if isinstance(x, (bool, int, str, float, type(None))):
        return x
    if x is march.ABSENT or type(x).__name__ == "_AbsentType":
        return "ABSENT"
    name = type(x).__name__
    if name == "Map":
        return ("Map", sorted(((canon(k), canon(v)) for k, v in x.items()), key=repr))
    if name == "Set":
        return ("Set", sorted(canon(k) for k in x))
    if name == "Vector":
        return ("Vector", [canon(e) for e in x])
    if isinstance(x, tuple):
        return tuple(canon(e) for e in x)
    if isinstance(x, list):
        return [canon(e) for e in x]
    return ("obj", name)


def unordered(xs):
    """A result whose order is unspecified (diff), as a sorted list."""
    return sorted((canon(x) for x in xs), key=repr)


KEYSPACE = 70        # every key's ident is below this: 0-39 stored at first,
                     # 40-59 made by operations, 60-69 by strikes


# ---------------------------------------------------------------------------
# the driver


CLEAR = (Boom, RuntimeError, ValueError, KeyError, IndexError, TypeError,
         OverflowError)


class World:
    """Live structures of one family and the operations over them.

    A family gives ``live()`` (every structure alive now), ``picture(x)``
    (its contents, read without hostile code), ``copy_of(x)`` (a quiet copy of
    a transient, for the reference run), ``persistent(x)`` and ``ops()``: a
    list of ``(name, transient or None, make)`` where ``make(rng, t, env)``
    draws its arguments from ``rng`` only, so that the reference run and the
    armed run get equal arguments.
    """

    def __init__(self, env, rng):
        self.env = env
        self.rng = rng
        self.args = []              # containers the current operation reads
        self.born = {}              # persistent values that strikes made: pictures
        self.strict = 0             # operations checked against the reference
        self.bad = []               # what a reading strike found broken

    def adopt(self, x, versions):
        """A strike made the persistent value x: it must never change now."""
        self.born[id(x)] = (weakref.ref(x), self.picture(x))
        versions.append(x)

    # strikes that every family has (each one public operation)
    def a_drop_version(self):
        """Drop a persistent version (maybe the one an operation works on)."""
        if len(self.versions) > 1:
            del self.versions[self.rng.randrange(len(self.versions))]

    def a_clear_args(self):
        """Empty the lists, dicts and pairs the operation is reading."""
        for a in self.args:
            a.clear()

    def a_collect(self):
        gc.collect(0)

    def arg(self, env, container):
        """Register a list, dict or set that an armed strike may empty."""
        if env is self.env:
            self.args.append(container)
        return container

    def run(self, steps):
        env = self.env
        for _ in range(steps):
            self.refresh()
            ops = self.ops()
            # half the operations work on a transient
            transient = self.rng.random() < 0.5
            name, target, make = self.rng.choice(
                [op for op in ops if (op[1] is not None) == transient] or ops)
            seed = self.rng.random()
            # the reference: disarmed, on a quiet copy of the transient
            ref_target = None if target is None else self.copy_of(target)
            try:
                ref = ("ok", canon(make(random.Random(seed), ref_target, _QUIET)))
            except Exception as exc:  # noqa: BLE001 - the reference may raise
                ref = ("raise", type(exc).__name__)
            ref_after = None if target is None else self.picture(ref_target)
            before = {id(x): (weakref.ref(x), self.picture(x)) for x in self.live()
                      if self.persistent(x)}
            target_before = None if target is None else self.picture(target)
            # the armed run
            env.effects = env.raised = 0
            env.rate = self.rng.choice((0.0, 0.0, 0.05, 0.2, 0.5, 1.0))
            env.bombs = 8
            env.plant(2)
            old = gc.get_threshold()
            gc.callbacks.append(self._gc_strike)
            gc.set_threshold(1)
            env.armed = True
            try:
                got = ("ok", make(random.Random(seed), target, env))
            except Exception as exc:  # noqa: BLE001 - checked below
                got = ("raise", exc)
            finally:
                env.armed = False
                gc.set_threshold(*old)
                gc.callbacks.remove(self._gc_strike)
                self.args = []
            gc.collect(0)
            if got[0] == "ok":
                got = ("ok", canon(got[1]))
            else:
                exc = got[1]
                assert isinstance(exc, CLEAR), "%s raised %r" % (name, exc)
                got = ("raise", type(exc).__name__)
            assert not self.bad, "%s: a strike read %r" % (name, self.bad)
            before.update(self.born)
            self.born = {}
            self.check_all(name, before)
            if env.effects == 0 and env.raised == 0:
                self.strict += 1
                assert got == ref, "%s gave %r, the reference %r" % (name, got, ref)
                if target is not None:
                    assert self.picture(target) == ref_after, name
            elif env.effects == 0 and got[0] == "raise" and target is not None:
                assert self.picture(target) == target_before, (
                    "%s raised %s and changed the transient" % (name, got[1]))
            self.after(name, target)

    def _gc_strike(self, phase, info):
        if phase == "start":
            self.env.strike("gc", may_raise=False)

    def check_all(self, name, before):
        for x in self.live():
            check = getattr(x, "_check", None)
            if check is not None:
                check()
            pic = self.picture(x)       # also checks len against the contents
            if id(x) in before and before[id(x)][0]() is x:
                assert pic == before[id(x)][1], "%s changed a persistent value" % name

    def after(self, name, target):
        """Hook: drop transients that the operation finished."""

    def hostile_ran(self):
        return self.env.ran


def _scan(x, env=_QUIET):
    """The keys 0..KEYSPACE-1 that x holds (x has len and ``in``)."""
    found = [i for i in range(KEYSPACE) if K(i, env) in x]
    assert len(found) == len(x), "len %d, but %d keys found" % (len(x), len(found))
    return found


# ---------------------------------------------------------------------------
# Map and MapMutation


class MapWorld(World):
    def __init__(self, env, rng, mod):
        super().__init__(env, rng)
        self.mod = mod
        keys = [K(i, env) for i in range(40)]
        base = mod.Map((k, V(k.ident, env)) for k in keys[:25])
        self.maps = self.versions = [base, base.set(keys[30], V(1, env)), mod.Map()]
        self.mm = None
        self.mm2 = None
        self.primitives = mod.Map is march.Map
        env.actions = [self.a_edit_mm, self.a_finish_mm, self.a_edit_mm2, self.a_read_mm,
                       self.a_drop_version, self.a_clear_args, self.a_collect]

    def refresh(self):
        if self.mm is None:
            self.mm = self.rng.choice(self.maps).mutate()
        if self.mm2 is None:
            self.mm2 = self.rng.choice(self.maps).mutate()
        while len(self.maps) < 3:
            self.maps.append(self.rng.choice(self.maps).set(
                K(self.rng.randrange(60), self.env), V(7, self.env)))

    def live(self):
        return list(self.maps) + [t for t in (self.mm, self.mm2) if t is not None]

    def persistent(self, x):
        return type(x).__name__ == "Map"

    def picture(self, x):
        if type(x).__name__ == "MapMutation":
            return [(i, canon(x[K(i, _QUIET)])) for i in _scan(x)]
        pic = canon(x)
        assert len(pic[1]) == len(x)
        return pic

    def copy_of(self, t):
        return self.mod.Map((K(i, _QUIET), V(vid, _QUIET))
                            for i, (_, vid) in self.picture(t)).mutate()

    def after(self, name, target):
        if name in ("mm.finish", "mm.with"):
            if target is self.mm:
                self.mm = None

    # strikes (each one public operation)
    def a_edit_mm(self):
        if self.mm is not None:
            if self.rng.random() < 0.5:
                self.mm[K(60 + self.rng.randrange(10), _QUIET)] = V(0, _QUIET)
            else:
                self.mm.pop(K(self.rng.randrange(40), _QUIET), None)

    def a_read_mm(self):
        """Read the mutation (allowed while busy): whatever is found is whole."""
        if self.mm is not None:
            len(self.mm)
            for i in range(0, KEYSPACE, 7):
                got = self.mm.get(K(i, _QUIET))
                if not (got is None or isinstance(got, V)):
                    self.bad.append(("MapMutation read", got))

    def a_finish_mm(self):
        mm, self.mm = self.mm, None
        if mm is not None:
            self.adopt(mm.finish(), self.maps)

    def a_edit_mm2(self):
        if self.mm2 is not None:
            self.mm2[K(60 + self.rng.randrange(10), _QUIET)] = V(0, _QUIET)

    # operations
    def ops(self):
        w = self
        mod = self.mod

        def m(rng):
            return rng.choice(w.maps)

        def k(rng, env):
            return K(rng.randrange(60), env)

        def val(rng, env):
            return V(rng.randrange(100), env)

        def pairs(rng, env, n=6):
            out = []
            for _ in range(n):
                kv = [k(rng, env), val(rng, env)]
                out.append(w.arg(env, kv) if rng.random() < 0.5 else tuple(kv))
            return w.arg(env, out)

        def dct(rng, env, n=6):
            d = {}
            env.depth += 1          # building the argument is not the operation
            try:
                for _ in range(n):
                    d[k(rng, env)] = val(rng, env)
            finally:
                env.depth -= 1
            return w.arg(env, d)

        def other(rng, env):
            return rng.choice(w.maps).set(k(rng, env), val(rng, env))

        def pred(env):
            def p(key, value):
                env.strike("eq")
                return key.ident % 2 == 0
            return p

        def fn(env):
            def f(value):
                env.strike("eq")
                return V(value.vid + 1, env)
            return f

        P = [
            ("getitem", None, lambda r, t, e: m(r)[k(r, e)]),
            ("get", None, lambda r, t, e: m(r).get(k(r, e), "d")),
            ("contains", None, lambda r, t, e: k(r, e) in m(r)),
            ("set", None, lambda r, t, e: m(r).set(k(r, e), val(r, e))),
            ("delete", None, lambda r, t, e: m(r).delete(k(r, e))),
            ("discard", None, lambda r, t, e: m(r).discard(k(r, e))),
            ("update pairs", None, lambda r, t, e: m(r).update(pairs(r, e))),
            ("update dict", None, lambda r, t, e: m(r).update(dct(r, e))),
            ("Map pairs", None, lambda r, t, e: mod.Map(pairs(r, e))),
            ("Map dict", None, lambda r, t, e: mod.Map(dct(r, e))),
            ("or map", None, lambda r, t, e: m(r) | other(r, e)),
            ("or dict", None, lambda r, t, e: m(r) | dct(r, e)),
            ("union", None, lambda r, t, e: m(r).union(other(r, e))),
            ("intersection", None, lambda r, t, e: m(r).intersection(other(r, e))),
            ("difference", None, lambda r, t, e: m(r).difference(other(r, e))),
            ("symmetric_difference", None,
             lambda r, t, e: m(r).symmetric_difference(other(r, e))),
            ("diff", None, lambda r, t, e: unordered(m(r).diff(other(r, e)))),
            ("from_keys", None, lambda r, t, e: mod.Map.from_keys(
                w.arg(e, [k(r, e) for _ in range(6)]), val(r, e))),
            ("filter", None, lambda r, t, e: m(r).filter(pred(e))),
            ("map_values", None, lambda r, t, e: m(r).map_values(fn(e))),
            ("eq map", None, lambda r, t, e: m(r) == other(r, e)),
            ("eq same", None, lambda r, t, e: m(r) == mod.Map(m(r).items())),
            ("eq dict", None, lambda r, t, e: m(r) == dct(r, e)),
            ("hash", None, lambda r, t, e: hash(m(r)) == hash(m(r))),
            ("pickle", None, lambda r, t, e: pickle.loads(pickle.dumps(m(r)))),
            ("copy", None, lambda r, t, e: copy.deepcopy(m(r))),
            ("items", None, lambda r, t, e: sorted(canon(x) for x in m(r).items())),
            ("values in", None, lambda r, t, e: val(r, e) in m(r).values()),
            ("items in", None, lambda r, t, e: (k(r, e), val(r, e)) in m(r).items()),
            ("keys in", None, lambda r, t, e: k(r, e) in m(r).keys()),
            ("mutate session", None, lambda r, t, e: _session(m(r), r, e, k, val)),
            ("Map kw", None, lambda r, t, e: mod.Map(a=val(r, e), b=val(r, e))),
            ("update kw", None, lambda r, t, e: m(r).update(pairs(r, e), z=val(r, e))),
            ("ne", None, lambda r, t, e: m(r) != other(r, e)),
            ("iterate", None, lambda r, t, e: sorted(canon(x) for x in m(r))),
            ("keys values", None, lambda r, t, e: (
                sorted(canon(x) for x in m(r).keys()),
                sorted(canon(x) for x in m(r).values()))),
            ("views len", None, lambda r, t, e: (
                len(m(r).keys()), len(m(r).values()), len(m(r).items()))),
            ("repr", None, lambda r, t, e: repr(m(r))),
            ("len", None, lambda r, t, e: len(m(r))),
        ]
        if self.primitives:
            mp = march.map
            P += [
                ("map.new", None, lambda r, t, e: mp.new()),
                ("map.free", None, lambda r, t, e: mp.free(m(r))),
                ("map.get", None, lambda r, t, e: mp.get(m(r), k(r, e), 0)),
                ("map.set", None, lambda r, t, e: mp.set(m(r), k(r, e), val(r, e))),
                ("map.remove", None, lambda r, t, e: mp.remove(m(r), k(r, e))),
                ("map.size", None, lambda r, t, e: mp.size(m(r))),
            ]
        t = self.mm
        T = [
            ("mm.getitem", t, lambda r, t, e: t[k(r, e)]),
            ("mm.get", t, lambda r, t, e: t.get(k(r, e))),
            ("mm.contains", t, lambda r, t, e: k(r, e) in t),
            ("mm.setitem", t, lambda r, t, e: t.__setitem__(k(r, e), val(r, e))),
            ("mm.delitem", t, lambda r, t, e: t.__delitem__(k(r, e))),
            ("mm.set", t, lambda r, t, e: t.set(k(r, e), val(r, e))),
            ("mm.delete", t, lambda r, t, e: t.delete(k(r, e))),
            ("mm.pop", t, lambda r, t, e: t.pop(k(r, e))),
            ("mm.pop default", t, lambda r, t, e: t.pop(k(r, e), None)),
            ("mm.update pairs", t, lambda r, t, e: t.update(pairs(r, e))),
            ("mm.update dict", t, lambda r, t, e: t.update(dct(r, e))),
            ("mm.eq", t, lambda r, t, e: t == other(r, e)),
            ("mm.len", t, lambda r, t, e: len(t)),
            ("mm.finish", t, lambda r, t, e: t.finish()),
            ("mm.with", t, lambda r, t, e: _with_mm(t, k(r, e), val(r, e))),
        ]
        return P + T


def _with_mm(t, key, value):
    with t as mm:
        mm[key] = value
    return t.finish()


def _session(m, r, e, k, val):
    """A whole transient session inside one operation."""
    with m.mutate() as mm:
        for _ in range(4):
            mm[k(r, e)] = val(r, e)
        mm.pop(k(r, e), None)
    return mm.finish()


# ---------------------------------------------------------------------------
# Set and SetEvolver


class SetWorld(World):
    def __init__(self, env, rng, mod):
        super().__init__(env, rng)
        self.mod = mod
        base = mod.Set(K(i, env) for i in range(25))
        self.sets = self.versions = [base, base.add(K(30, env)), mod.Set()]
        self.ev = None
        env.actions = [self.a_edit_ev, self.a_persist_ev, self.a_drop_version,
                       self.a_read_ev, self.a_clear_args, self.a_collect]

    def refresh(self):
        if self.ev is None:
            self.ev = self.rng.choice(self.sets).evolver()
        while len(self.sets) < 3:
            self.sets.append(self.rng.choice(self.sets).add(
                K(self.rng.randrange(60), self.env)))

    def live(self):
        return list(self.sets) + ([self.ev] if self.ev is not None else [])

    def persistent(self, x):
        return type(x).__name__ == "Set"

    def picture(self, x):
        if type(x).__name__ == "SetEvolver":
            return _scan(x)
        pic = canon(x)
        assert len(pic[1]) == len(x)
        return pic

    def copy_of(self, t):
        return self.mod.Set(K(i, _QUIET) for i in _scan(t)).evolver()

    def a_edit_ev(self):
        if self.ev is not None:
            if self.rng.random() < 0.5:
                self.ev.add(K(60 + self.rng.randrange(10), _QUIET))
            else:
                self.ev.discard(K(self.rng.randrange(40), _QUIET))

    def a_read_ev(self):
        if self.ev is not None:
            len(self.ev)
            for i in range(0, KEYSPACE, 7):
                K(i, _QUIET) in self.ev

    def a_persist_ev(self):
        if self.ev is not None:
            self.adopt(self.ev.persistent(), self.sets)

    def ops(self):
        w = self
        mod = self.mod

        def s(rng):
            return rng.choice(w.sets)

        def k(rng, env):
            return K(rng.randrange(60), env)

        def lst(rng, env, n=6):
            return w.arg(env, [k(rng, env) for _ in range(n)])

        def pyset(rng, env, n=6):
            env.depth += 1
            try:
                out = {k(rng, env) for _ in range(n)}
            finally:
                env.depth -= 1
            return w.arg(env, out)

        def other(rng, env):
            return rng.choice(w.sets).add(k(rng, env))

        P = [
            ("contains", None, lambda r, t, e: k(r, e) in s(r)),
            ("add", None, lambda r, t, e: s(r).add(k(r, e))),
            ("discard", None, lambda r, t, e: s(r).discard(k(r, e))),
            ("remove", None, lambda r, t, e: s(r).remove(k(r, e))),
            ("update", None, lambda r, t, e: s(r).update(lst(r, e))),
            ("Set list", None, lambda r, t, e: mod.Set(lst(r, e))),
            ("s", None, lambda r, t, e: mod.s(*lst(r, e))),
            ("union list", None, lambda r, t, e: s(r).union(lst(r, e))),
            ("union set", None, lambda r, t, e: s(r).union(other(r, e))),
            ("intersection list", None, lambda r, t, e: s(r).intersection(lst(r, e))),
            ("intersection set", None, lambda r, t, e: s(r).intersection(other(r, e))),
            ("difference list", None, lambda r, t, e: s(r).difference(lst(r, e))),
            ("difference set", None, lambda r, t, e: s(r).difference(other(r, e))),
            ("symmetric_difference", None,
             lambda r, t, e: s(r).symmetric_difference(lst(r, e))),
            ("or", None, lambda r, t, e: s(r) | other(r, e)),
            ("and pyset", None, lambda r, t, e: s(r) & pyset(r, e)),
            ("sub pyset", None, lambda r, t, e: s(r) - pyset(r, e)),
            ("xor pyset", None, lambda r, t, e: s(r) ^ pyset(r, e)),
            ("rsub pyset", None, lambda r, t, e: pyset(r, e) - s(r)),
            ("issubset", None, lambda r, t, e: s(r).issubset(lst(r, e))),
            ("issuperset", None, lambda r, t, e: s(r).issuperset(lst(r, e))),
            ("isdisjoint", None, lambda r, t, e: s(r).isdisjoint(lst(r, e))),
            ("le", None, lambda r, t, e: s(r) <= other(r, e)),
            ("lt pyset", None, lambda r, t, e: s(r) < pyset(r, e)),
            ("eq", None, lambda r, t, e: s(r) == other(r, e)),
            ("eq pyset", None, lambda r, t, e: s(r) == pyset(r, e)),
            ("hash", None, lambda r, t, e: hash(s(r)) == hash(s(r))),
            ("diff", None, lambda r, t, e: unordered(s(r).diff(other(r, e)))),
            ("pickle", None, lambda r, t, e: pickle.loads(pickle.dumps(s(r)))),
            ("evolver session", None, lambda r, t, e: _set_session(s(r), r, e, k)),
            ("copy", None, lambda r, t, e: s(r).copy()),
            ("ror pyset", None, lambda r, t, e: pyset(r, e) | s(r)),
            ("rand pyset", None, lambda r, t, e: pyset(r, e) & s(r)),
            ("rxor pyset", None, lambda r, t, e: pyset(r, e) ^ s(r)),
            ("ge", None, lambda r, t, e: s(r) >= other(r, e)),
            ("gt pyset", None, lambda r, t, e: s(r) > pyset(r, e)),
            ("ne", None, lambda r, t, e: s(r) != other(r, e)),
            ("iterate", None, lambda r, t, e: sorted(canon(x) for x in s(r))),
            ("repr", None, lambda r, t, e: len(repr(s(r)))),
            ("len", None, lambda r, t, e: len(s(r))),
        ]
        t = self.ev
        T = [
            ("ev.contains", t, lambda r, t, e: k(r, e) in t),
            ("ev.add", t, lambda r, t, e: t.add(k(r, e)) is t),
            ("ev.discard", t, lambda r, t, e: t.discard(k(r, e)) is t),
            ("ev.remove", t, lambda r, t, e: t.remove(k(r, e)) is t),
            ("ev.len", t, lambda r, t, e: len(t)),
            ("ev.persistent", t, lambda r, t, e: t.persistent()),
        ]
        return P + T


def _set_session(s, r, e, k):
    ev = s.evolver()
    for _ in range(4):
        ev.add(k(r, e))
    ev.discard(k(r, e))
    return ev.persistent()


# ---------------------------------------------------------------------------
# Vector and VectorEvolver


class VectorWorld(World):
    def __init__(self, env, rng, mod):
        super().__init__(env, rng)
        self.mod = mod
        base = mod.vector(V(i % 20, env) for i in range(70))
        self.vecs = self.versions = [base, base[5:40] + base, mod.vector()]
        self.ev = None
        self.primitives = mod.Vector is march.Vector
        env.actions = [self.a_edit_ev, self.a_shrink_ev, self.a_persist_ev, self.a_read_ev,
                       self.a_drop_version, self.a_clear_args, self.a_collect]

    def refresh(self):
        if self.ev is None or len(self.ev) > 400:
            self.ev = self.rng.choice(self.vecs).evolver()
        while len(self.vecs) < 3:
            self.vecs.append(self.rng.choice(self.vecs).append(V(3, self.env)))
        for i, x in enumerate(self.vecs):
            if len(x) > 400:
                self.vecs[i] = x[:100]

    def live(self):
        return list(self.vecs) + ([self.ev] if self.ev is not None else [])

    def persistent(self, x):
        return type(x).__name__ == "Vector"

    def picture(self, x):
        if type(x).__name__ == "VectorEvolver":
            return [canon(x[i]) for i in range(len(x))]
        pic = canon(x)
        assert len(pic[1]) == len(x)
        return pic

    def copy_of(self, t):
        return self.mod.vector(V(vid, _QUIET) for _, vid in self.picture(t)).evolver()

    def a_edit_ev(self):
        ev = self.ev
        if ev is not None:
            c = self.rng.random()
            if c < 0.4 or len(ev) == 0:
                ev.append(V(60, _QUIET))
            elif c < 0.7:
                ev[self.rng.randrange(len(ev))] = V(61, _QUIET)
            else:
                del ev[self.rng.randrange(len(ev))]

    def a_read_ev(self):
        """Read the evolver (allowed while busy): every element is whole."""
        ev = self.ev
        if ev is not None:
            n = len(ev)
            for i in (0, n // 3, n // 2, n - 1, -1):
                if 0 <= i < n:
                    got = ev[i]
                    if not isinstance(got, V):
                        self.bad.append(("VectorEvolver read", i, got))

    def a_shrink_ev(self):
        if self.ev is not None:
            del self.ev[0:(len(self.ev) * 3) // 4]

    def a_persist_ev(self):
        if self.ev is not None:
            self.adopt(self.ev.persistent(), self.vecs)

    def ops(self):
        w = self
        mod = self.mod

        def v(rng):
            return rng.choice(w.vecs)

        def el(rng, env):
            return V(rng.randrange(25), env)

        def ix(rng, env, n=80):
            return I(rng.randrange(-n, n), env)

        def lst(rng, env, n=None):
            n = rng.randrange(rng.choice((5, 40, 150))) if n is None else n
            return w.arg(env, [el(rng, env) for _ in range(n)])

        def sl(rng, env):
            step = rng.choice([None, None, 1, 2, -1, -3])
            return slice(ix(rng, env), ix(rng, env),
                         None if step is None else I(step, env))

        def gen(xs):
            yield from xs

        P = [
            ("getitem", None, lambda r, t, e: v(r)[ix(r, e)]),
            ("slice", None, lambda r, t, e: v(r)[sl(r, e)]),
            ("index", None, lambda r, t, e: v(r).index(el(r, e))),
            ("index range", None, lambda r, t, e: v(r).index(el(r, e), ix(r, e), ix(r, e))),
            ("count", None, lambda r, t, e: v(r).count(el(r, e))),
            ("contains", None, lambda r, t, e: el(r, e) in v(r)),
            ("eq list", None, lambda r, t, e: v(r) == lst(r, e)),
            ("eq same", None, lambda r, t, e: v(r) == mod.vector(v(r))),
            ("eq copy", None, lambda r, t, e: v(r) == mod.vector(
                V(x.vid, e) for x in v(r))),
            ("lt list", None, lambda r, t, e: v(r) < lst(r, e)),
            ("le vector", None, lambda r, t, e: v(r) <= mod.vector(lst(r, e))),
            ("hash", None, lambda r, t, e: hash(v(r)) == hash(v(r))),
            ("append", None, lambda r, t, e: v(r).append(el(r, e))),
            ("extend list", None, lambda r, t, e: v(r).extend(lst(r, e))),
            ("extend gen", None, lambda r, t, e: v(r).extend(gen(lst(r, e)))),
            ("add list", None, lambda r, t, e: v(r) + lst(r, e)),
            ("add vector", None, lambda r, t, e: v(r) + v(r)),
            ("mul", None, lambda r, t, e: v(r)[:20] * I(r.randrange(-1, 4), e)),
            ("rmul", None, lambda r, t, e: I(r.randrange(-1, 4), e) * v(r)[:20]),
            ("set", None, lambda r, t, e: v(r).set(ix(r, e), el(r, e))),
            ("mset", None, lambda r, t, e: v(r).mset(ix(r, e), el(r, e), ix(r, e), el(r, e))),
            ("delete", None, lambda r, t, e: v(r).delete(ix(r, e))),
            ("delete range", None, lambda r, t, e: v(r).delete(ix(r, e), ix(r, e))),
            ("delete slice", None, lambda r, t, e: v(r).delete(sl(r, e))),
            ("remove", None, lambda r, t, e: v(r).remove(el(r, e))),
            ("insert", None, lambda r, t, e: v(r).insert(ix(r, e), el(r, e))),
            ("split", None, lambda r, t, e: v(r).split(ix(r, e))),
            ("pop", None, lambda r, t, e: v(r).pop()),
            ("pop i", None, lambda r, t, e: v(r).pop(ix(r, e))),
            ("appendleft", None, lambda r, t, e: v(r).appendleft(el(r, e))),
            ("popleft", None, lambda r, t, e: v(r).popleft()),
            ("from_concat", None, lambda r, t, e: mod.Vector.from_concat(
                w.arg(e, [v(r), lst(r, e), v(r)]))),
            ("vector list", None, lambda r, t, e: mod.vector(lst(r, e))),
            ("tolist", None, lambda r, t, e: v(r).tolist()),
            ("reversed", None, lambda r, t, e: list(reversed(v(r)))),
            ("iterate", None, lambda r, t, e: list(v(r))),
            ("pickle", None, lambda r, t, e: pickle.loads(pickle.dumps(v(r)))),
            ("evolver session", None, lambda r, t, e: _vec_session(v(r), r, e, el, ix)),
            ("ne list", None, lambda r, t, e: v(r) != lst(r, e)),
            ("gt list", None, lambda r, t, e: v(r) > lst(r, e)),
            ("ge vector", None, lambda r, t, e: v(r) >= mod.vector(lst(r, e))),
            ("transform", None, lambda r, t, e: _transform(v(r), r, e)),
            ("repr", None, lambda r, t, e: repr(v(r))),
            ("len", None, lambda r, t, e: len(v(r))),
            ("v", None, lambda r, t, e: mod.v(*lst(r, e))),
        ]
        if self.primitives:
            ai = march.array.imm
            P += [
                ("imm.new", None, lambda r, t, e: ai.new()),
                ("imm.get", None, lambda r, t, e: ai.get(v(r), ix(r, e))),
                ("imm.set", None, lambda r, t, e: ai.set(v(r), ix(r, e), el(r, e))),
                ("imm.push", None, lambda r, t, e: ai.push(v(r), el(r, e))),
                ("imm.pop", None, lambda r, t, e: ai.pop(v(r))),
                ("imm.concat", None, lambda r, t, e: ai.concat(v(r), v(r))),
                ("imm.slice", None, lambda r, t, e: ai.slice(v(r), ix(r, e), ix(r, e))),
                ("imm.insert", None, lambda r, t, e: ai.insert(v(r), ix(r, e), el(r, e))),
                ("imm.remove", None, lambda r, t, e: ai.remove(v(r), ix(r, e))),
                ("imm.size", None, lambda r, t, e: ai.size(v(r))),
            ]
        t = self.ev
        T = [
            ("ev.getitem", t, lambda r, t, e: t[ix(r, e)]),
            ("ev.setitem", t, lambda r, t, e: t.__setitem__(ix(r, e), el(r, e))),
            ("ev.delitem", t, lambda r, t, e: t.__delitem__(ix(r, e))),
            ("ev.delitem slice", t, lambda r, t, e: t.__delitem__(sl(r, e))),
            ("ev.set", t, lambda r, t, e: t.set(ix(r, e), el(r, e)) is t),
            ("ev.append", t, lambda r, t, e: t.append(el(r, e)) is t),
            ("ev.extend", t, lambda r, t, e: t.extend(lst(r, e)) is t),
            ("ev.extend gen", t, lambda r, t, e: t.extend(gen(lst(r, e))) is t),
            ("ev.delete", t, lambda r, t, e: t.delete(ix(r, e)) is t),
            ("ev.delete range", t, lambda r, t, e: t.delete(ix(r, e), ix(r, e)) is t),
            ("ev.remove", t, lambda r, t, e: t.remove(el(r, e)) is t),
            ("ev.len", t, lambda r, t, e: len(t)),
            ("ev.persistent", t, lambda r, t, e: t.persistent()),
            ("ev.finish", t, lambda r, t, e: t.finish()),
            ("ev.with", t, lambda r, t, e: _with_ev(t, el(r, e))),
            ("ev.iterate", t, lambda r, t, e: list(t)),
        ]
        return P + T


def _transform(vec, r, e):
    if not len(vec):
        return None
    return vec.transform([r.randrange(len(vec))], lambda x: V(x.vid + 1, e))


def _with_ev(t, x):
    with t as ev:
        ev.append(x)
    return t.persistent()


def _vec_session(v, r, e, el, ix):
    ev = v.evolver()
    for _ in range(4):
        ev.append(el(r, e))
    if len(ev):
        ev[ix(r, e, len(ev))] = el(r, e)
    return ev.persistent()


# ---------------------------------------------------------------------------
# tests


@pytest.fixture(autouse=True)
def _restore_gc(march_check_every_operation):
    """gc on, and restored after; the MARCH_CHECK=1 hook off: this file runs
    _check() on every live structure after each operation itself, and the
    hook's own calls and allocations, made while an operation is half done,
    would both move the collections and check a transient mid-operation."""
    checker = march_check_every_operation
    if checker is not None:
        checker.uninstall()
    old = gc.get_threshold()
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if not enabled:  # pragma: no cover
            gc.disable()
        if checker is not None:
            checker.install()


def _impls(table, keep):
    return [pytest.param(table[k], id=k) for k in table
            if k in keep and not (PURE_ONLY and k.startswith("c"))
            and not (C_ONLY and not k.startswith("c"))]


def _run(world, steps=STEPS):
    world.run(steps)
    assert world.strict > steps // 5, "too few operations checked strictly"
    if os.environ.get("MARCH_REENTRANCY_STATS"):
        print(type(world).__name__, world.strict, dict(world.env.ran),
              dict(world.env.struck))
    return world.env


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("modname", _impls(MAP_IMPLS, ("c", "python")))
def test_map_family(modname, seed):
    env = Env(random.Random(seed))
    env = _run(MapWorld(env, random.Random(seed + 100), load_impl(modname)))
    for where in CALLBACK_KINDS:
        assert env.ran[where] > 0, (where, env.ran)
    assert env.struck["raise"] > 0 and sum(env.struck.values()) > env.struck["raise"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("modname", _impls(MAP_IMPLS, ("c", "python")))
def test_set_family(modname, seed):
    env = Env(random.Random(seed))
    env = _run(SetWorld(env, random.Random(seed + 200), load_impl(modname)))
    for where in CALLBACK_KINDS:
        assert env.ran[where] > 0, (where, env.ran)
    assert env.struck["raise"] > 0 and sum(env.struck.values()) > env.struck["raise"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("modname", _impls(VECTOR_IMPLS, ("c", "c4", "python", "python4")))
def test_vector_family(modname, seed):
    env = Env(random.Random(seed))
    env = _run(VectorWorld(env, random.Random(seed + 300), load_impl(modname)))
    for where in ("index", "eq") + CALLBACK_KINDS[2:]:
        assert env.ran[where] > 0, (where, env.ran)
    assert env.struck["raise"] > 0 and sum(env.struck.values()) > env.struck["raise"]
