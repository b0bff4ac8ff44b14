"""Docstrings are written once (src/march/_docstrings.py) for both
implementations (issue 16).

* the generated C header src/march/_core/docstrings.h is up to date;
* each text has its summary, a complexity line and an example, and each C
  text signature is a valid parameter list;
* every public name of each class (C and twin) has its DOCS text as
  ``__doc__`` (and, in C, its text signature);
* every example runs as a doctest against each implementation.
"""
import doctest
import importlib.util
import inspect
import os
import sys

import pytest

from conftest import MAP_IMPLS, VECTOR_IMPLS, _selected, load_impl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


GEN = _load("_gen_docstrings", os.path.join(ROOT, "tools", "gen_docstrings.py"))
DS = GEN.load_docstrings()
DOCS = DS.DOCS
SIGNATURES = DS.SIGNATURES

MAP_NAMES = ("Map", "MapMutation", "Set", "SetEvolver", "s")
VECTOR_NAMES = ("Vector", "VectorEvolver", "vector", "v")
CLASSES = ("Map", "MapMutation", "Set", "SetEvolver", "Vector", "VectorEvolver")
FUNCTIONS = ("vector", "v", "s")


def _map_key_of(vector_key):
    return vector_key.rstrip("4")


def _impl_globals(map_key, vector_key):
    """The doctest globals of one implementation."""
    M = load_impl(MAP_IMPLS[map_key])
    V = load_impl(VECTOR_IMPLS[vector_key])
    g = {name: getattr(M, name) for name in MAP_NAMES}
    g.update((name, getattr(V, name)) for name in VECTOR_NAMES)
    return g


def _family_impls(key):
    """The (map_key, vector_key) pairs an entry is checked against."""
    owner = key.split(".")[0]
    if owner in MAP_NAMES:
        return [(k, k) for k in _selected(MAP_IMPLS)]
    return [(_map_key_of(k), k) for k in _selected(VECTOR_IMPLS)]


def _lookup(g, key):
    """The object DOCS[key] documents, or None when it does not exist."""
    owner, _, member = key.partition(".")
    obj = g[owner]
    if member:
        return inspect.getattr_static(obj, member, None)
    return obj


def _names_of_text(key):
    """key and the aliases of the same class that share its text."""
    owner = key.split(".")[0]
    return [k for k in DOCS if k.split(".")[0] == owner and DOCS[k] == DOCS[key]]


def _cases():
    for key in DOCS:
        for map_key, vector_key in _family_impls(key):
            yield pytest.param(key, map_key, vector_key,
                               id="%s-%s" % (key, vector_key if key.split(".")[0]
                                             not in MAP_NAMES else map_key))


def _all_impls():
    pairs = [(k, k) for k in _selected(MAP_IMPLS)]
    pairs += [(_map_key_of(k), k) for k in _selected(VECTOR_IMPLS)
              if (_map_key_of(k), k) not in pairs]
    return [pytest.param(m, v, id=v) for m, v in pairs]


# ---------------------------------------------------------------------------
# (a) the header and the texts themselves

def test_header_is_up_to_date():
    with open(GEN.HEADER, encoding="ascii") as f:
        current = f.read()
    assert current == GEN.render(DOCS, SIGNATURES), (
        "src/march/_core/docstrings.h is out of date: "
        "run python tools/gen_docstrings.py")


def test_every_name_is_documented_once():
    names = set(CLASSES) | set(FUNCTIONS)
    for key in DOCS:
        assert key.split(".")[0] in names, key
    for cls in CLASSES:
        assert cls in DOCS
    for fn in FUNCTIONS:
        assert fn in DOCS
    assert set(SIGNATURES) <= set(DOCS)


@pytest.mark.parametrize("key", list(DOCS))
def test_text_shape(key):
    text = DOCS[key]
    assert text.isascii(), key
    lines = text.split("\n")
    assert lines[0] and not lines[0].startswith(" ") and len(lines[0]) <= 79, key
    assert lines[0].rstrip() == lines[0], key
    assert text == text.strip(), key
    assert any(line.startswith("Complexity: ") for line in lines), key
    assert any(line.startswith(">>> ") for line in lines), key
    assert all(len(line) <= 79 for line in lines), key
    assert all(line == line.rstrip() for line in lines), key
    # the example is last, after the complexity line
    first_example = min(i for i, line in enumerate(lines) if line.startswith(">>> "))
    complexity = min(i for i, line in enumerate(lines) if line.startswith("Complexity: "))
    assert complexity < first_example, key


@pytest.mark.parametrize("key", sorted(SIGNATURES))
def test_text_signature_is_a_parameter_list(key):
    sig = SIGNATURES[key]
    assert sig.startswith("(") and sig.endswith(")"), key
    kind = key.count(".")
    params = sig[1:-1]
    for prefix, name in (("$self", "self"), ("$type", "cls"), ("$module", "module")):
        if params.startswith(prefix):
            assert (kind == 1) == (prefix != "$module"), key
            params = name + params[len(prefix):]
            break
    else:
        assert kind == 0 and key in CLASSES, key
    ns = {"sys": sys}
    exec("def f(%s): pass" % params, ns)           # a valid parameter list
    inspect.signature(ns["f"])


# ---------------------------------------------------------------------------
# (b) each implementation carries the texts

@pytest.mark.parametrize("map_key,vector_key", _all_impls())
def test_docstrings_are_the_docs(map_key, vector_key):
    g = _impl_globals(map_key, vector_key)
    is_c = vector_key.startswith("c")
    problems = []
    names = CLASSES + FUNCTIONS
    for name in names:
        obj = g[name]
        keys = [name]
        if isinstance(obj, type):
            public = sorted(n for n in dir(obj) if not n.startswith("_"))
            for member in public:
                key = "%s.%s" % (name, member)
                if key not in DOCS:
                    problems.append("%s is public but not in DOCS" % key)
                else:
                    keys.append(key)
            for key in DOCS:
                if key.startswith(name + ".") and key.split(".", 1)[1] not in public:
                    problems.append("%s is in DOCS but not in the class" % key)
        for key in keys:
            target = obj if key == name else getattr(obj, key.split(".", 1)[1])
            if inspect.getdoc(target) is None or target.__doc__ != DOCS[key]:
                problems.append("%s.__doc__ differs from DOCS" % key)
            if is_c:
                want = SIGNATURES.get(key)
                got = getattr(target, "__text_signature__", None)
                if got != want:
                    problems.append("%s.__text_signature__ is %r, not %r"
                                    % (key, got, want))
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------
# (c) the examples run

@pytest.mark.parametrize("key,map_key,vector_key", list(_cases()))
def test_example_runs(key, map_key, vector_key):
    g = _impl_globals(map_key, vector_key)
    # an alias shares its text (and example) with its other name: both
    missing = [k for k in _names_of_text(key) if _lookup(g, k) is None]
    if missing:
        pytest.skip("not in this implementation yet: %s" % ", ".join(missing))
    test = doctest.DocTestParser().get_doctest(DOCS[key], dict(g), key, None, 0)
    assert test.examples, key
    out = []
    runner = doctest.DocTestRunner(verbose=False, optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=out.append, clear_globs=True)
    assert result.failed == 0, "".join(out)


# ---------------------------------------------------------------------------
# the twin's helper, on stand-in classes (the real wiring is checked by (b))

def test_document_helper():
    docs = {
        "A": "class A", "A.f": "A.f", "A.g": "A.g (alias of f)",
        "A.h": "A.h", "A.k": "A.k", "A.p": "A.p", "A.finish": "A.finish",
        "A.missing": "skipped",
        "B": "class B", "B.finish": "B.finish", "B.p": "B.p",
        "fn": "the function",
    }

    class Base:
        __slots__ = ()

        def finish(self, x=1, *, y=2):
            return ("finish", x, y)

        @property
        def p(self):
            return "p"

    class A(Base):
        __slots__ = ("_x",)

        def __init_subclass__(cls, **kw):
            raise TypeError("final")

        def f(self):
            return "f"
        g = f

        @classmethod
        def h(cls):
            return cls.__name__

        @staticmethod
        def k():
            return "k"

    class B(Base):
        __slots__ = ()

    def fn():
        return 1

    assert DS.document(A, "A", docs) is A
    DS.document(B, "B", docs)
    assert DS.document(fn, "fn", docs) is fn
    assert A.__doc__ == "class A" and B.__doc__ == "class B"
    assert A.f.__doc__ == "A.f" and A.g.__doc__ == "A.g (alias of f)"
    assert A.h.__doc__ == "A.h" and A.k.__doc__ == "A.k"
    assert A.finish.__doc__ == "A.finish" and B.finish.__doc__ == "B.finish"
    assert A.p.__doc__ == "A.p" and B.p.__doc__ == "B.p"
    assert fn.__doc__ == "the function"
    assert not hasattr(A, "missing")
    a = object.__new__(A)
    assert (a.f(), a.g(), A.h(), A.k(), a.finish(3, y=4), a.p) == (
        "f", "f", "A", "k", ("finish", 3, 4), "p")
    assert B().finish() == ("finish", 1, 2) and B().p == "p"
    assert inspect.signature(B.finish) == inspect.signature(Base.finish)
    assert B.finish.__qualname__ == "%s.finish" % B.__qualname__
