"""Differential fuzzing: the C core against the pure-Python twin and a model.

The driver (tests/fuzz_diff.py) reads a byte string as a program of
operations over several live versions (maps and mutations, or vectors and
evolvers) with colliding and raising keys, runs it on every implementation
available and on an independent model, and raises ``Mismatch`` on any
difference or broken invariant (``_check()``), or when the C core and the
twin build differently shaped trees (``_layout()``, ``_shape()``).

* ``test_fuzz_*``: Hypothesis-generated programs (``st.binary()``), a bounded
  number of examples: ``MARCH_FUZZ_EXAMPLES`` (default 40 per structure).
* ``test_corpus``: replays every program in tests/fuzz_corpus/*.hex
  (minimised inputs that once failed, plus seeds), as regression tests.

With ``MARCH_PURE_PYTHON=1`` only the twin runs (against the model); with
``MARCH_REQUIRE_C=1`` a missing C extension fails.  An implementation is
never compared with itself.  Long runs: fuzz/README.md.
"""
import glob
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fuzz_diff as _fuzz


def _flag(name):
    return os.environ.get(name, "") not in ("", "0")


PURE_ONLY = _flag("MARCH_PURE_PYTHON")
REQUIRE_C = _flag("MARCH_REQUIRE_C")
EXAMPLES = int(os.environ.get("MARCH_FUZZ_EXAMPLES", "40"))
CORPUS = os.path.join(os.path.dirname(__file__), "fuzz_corpus")

C_NAMES = _fuzz.C_NAMES          # structure -> candidate module names
PURE_NAMES = _fuzz.PURE_NAMES
HEAD = {"map": 0, "vec32": 1, "vec4": 3}      # first program byte per structure


def _mods(kind):
    required = [PURE_NAMES[kind]]
    if REQUIRE_C and not PURE_ONLY:
        required.append(C_NAMES[kind])
    try:
        mods = _fuzz.backends(kind, c=not PURE_ONLY, pure=True)
    except RuntimeError as exc:  # pragma: no cover
        pytest.fail(str(exc))
    names = [m.__name__ for m in mods]
    missing = [ns[0] for ns in required if not any(n in names for n in ns)]
    if missing:
        if REQUIRE_C and C_NAMES[kind][0] in missing:
            pytest.fail("MARCH_REQUIRE_C=1 but %s is not available" % C_NAMES[kind][0])
        pytest.skip("not implemented yet: %s" % ", ".join(missing))
    assert len(set(names)) == len(names), "an implementation compared with itself"
    return mods


def _program(kind, body):
    head = (body[0] & ~3 & 0xFF) if body else 0
    return bytes([head | HEAD[kind]]) + body[1:]


def _fuzz_settings():
    return settings(max_examples=EXAMPLES, deadline=None)


@pytest.mark.parametrize("kind", ["map", "vec32", "vec4"])
def test_fuzz_differential(kind):
    mods = _mods(kind)

    @_fuzz_settings()
    @given(st.binary(min_size=2, max_size=600))
    def check(body):
        _fuzz.run(_program(kind, body), mods)

    check()


@pytest.mark.parametrize("kind", ["map", "vec32", "vec4"])
def test_fuzz_long_program(kind):
    """One deterministic long program per structure (deep trees, many versions)."""
    import random
    mods = _mods(kind)
    rnd = random.Random(20261125)
    for _ in range(3):
        body = bytes(rnd.getrandbits(8) for _ in range(1500))
        _fuzz.run(_program(kind, body), mods)


@pytest.mark.parametrize("kind", ["map", "vec32", "vec4"])
def test_fuzz_containers_as_keys(kind):
    """Programs with bit 4 of byte 0 set: maps and vectors as keys / elements."""
    import random
    mods = _mods(kind)
    rnd = random.Random(5 + len(kind))
    for _ in range(2):
        body = bytes(rnd.getrandbits(8) for _ in range(700))
        prog = _program(kind, bytes([body[0] | 0x10]) + body[1:])
        assert prog[0] & 0x10 and _fuzz.kind_of(prog) == kind
        _fuzz.run(prog, mods)


def _corpus_files():
    return sorted(glob.glob(os.path.join(CORPUS, "*.hex")))


def read_hex(path):
    """A corpus file: hex digits; whitespace and '#' comment lines are ignored."""
    text = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                text.append(line)
    return bytes.fromhex("".join(text))


@pytest.mark.parametrize("path", _corpus_files(), ids=os.path.basename)
def test_corpus(path):
    data = read_hex(path)
    mods = _mods(_fuzz.kind_of(data))
    _fuzz.run(data, mods)


def test_corpus_present():
    assert _corpus_files(), "tests/fuzz_corpus/ holds no programs"


def test_harness_catches_a_difference():
    """The driver must notice a broken implementation (guards the harness itself)."""
    mods = _mods("map")

    base = mods[-1].Map

    class BrokenMap:
        """A map whose set() also stores an extra entry."""

        def __init__(self, m=None):
            self._m = base() if m is None else m

        def set(self, k, v):
            return BrokenMap(self._m.set(k, v).set("extra", 0))

        def __getattr__(self, name):
            return getattr(self._m, name)

        def __len__(self):
            return len(self._m)

        def __iter__(self):
            return iter(self._m)

    class Broken:
        Map = BrokenMap
        MapMutation = mods[-1].MapMutation

    prog = _program("map", bytes([0, 0]) + bytes([0, 0, 0, 1]))   # set(K(0), 1)
    with pytest.raises(_fuzz.Mismatch):
        _fuzz.run(prog, [Broken])


def test_harness_catches_a_different_shape():
    """Two implementations with the same contents but different trees: the
    driver compares ``_layout()`` and must fail."""
    mods = _mods("map")
    base = mods[-1].Map

    def family(tag):
        class Wrapped:
            def __init__(self, m=None):
                self._m = base() if m is None else m

            def set(self, k, v):
                return Wrapped(self._m.set(k, v))

            def _layout(self):
                return (tag, len(self._m))

            def __getattr__(self, name):
                return getattr(self._m, name)

            def __len__(self):
                return len(self._m)

            def __iter__(self):
                return iter(self._m)

            def __repr__(self):
                return repr(self._m)

            def __hash__(self):
                return hash(self._m)

        class Module:
            Map = Wrapped
            MapMutation = mods[-1].MapMutation
        Module.__name__ = "shape-" + tag
        return Module

    prog = _program("map", bytes([0, 0]) + bytes([0, 0, 0, 1]))   # set(K(0), 1)
    with pytest.raises(_fuzz.Mismatch, match=r"_layout\(\) differs"):
        _fuzz.run(prog, [family("a"), family("b")])
    _fuzz.run(prog, [family("a"), family("a")])                    # same layout: fine
