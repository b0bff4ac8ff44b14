"""The package: implementation choice, primitives' type checks."""
import os
import subprocess
import sys

import pytest

import march


def test_implementation_flag():
    assert march.IMPLEMENTATION in ("c", "python")
    if os.environ.get("MARCH_PURE_PYTHON", "") not in ("", "0"):
        assert march.IMPLEMENTATION == "python"
        assert march.Map.__module__.startswith("march._pure")
    elif os.environ.get("MARCH_REQUIRE_C", "") not in ("", "0"):
        assert march.IMPLEMENTATION == "c"


def test_pure_python_env_selects_twin():
    env = dict(os.environ, MARCH_PURE_PYTHON="1")
    out = subprocess.run(
        [sys.executable, "-c", "import march; print(march.IMPLEMENTATION, march.Map.__module__)"],
        env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "python"
    assert out[1] == "march._pure.map_object"


def test_public_names():
    for name in ("Map", "MapMutation", "Vector", "VectorEvolver", "vector", "v", "map", "array"):
        assert hasattr(march, name), name
    import importlib
    assert importlib.import_module("march.array.imm").concat
    assert importlib.import_module("march.map").size


def test_typing_files_shipped():
    pkg = os.path.dirname(march.__file__)
    assert os.path.exists(os.path.join(pkg, "py.typed"))


# ---------------------------------------------------------------------------
# the public surface (issue 16)

def test_star_import_shadows_no_builtin():
    import builtins
    assert not set(march.__all__) & set(dir(builtins))
    ns = {}
    exec("from march import *", ns)
    assert not set(ns) - {"__builtins__"} & set(dir(builtins))
    assert "map" not in march.__all__ and march.map.size   # still an attribute
    for name in march.__all__:
        assert hasattr(march, name), name


def test_no_internal_names_exported():
    for name in march.__all__:
        assert not name.startswith("_"), name
        assert name not in ("HASH_MIX", "BRANCHING"), name
    for mod in (march.map, march.array.imm):
        for name in mod.__all__:
            assert not name.startswith("_"), (mod.__name__, name)


def test_transform_helpers_are_public():
    from march import _transform
    for name in ("ny", "inc", "discard", "rex"):
        assert name in march.__all__
        assert getattr(march, name) is getattr(_transform, name)
    v = march.v(1, 2, 3)
    assert v.transform([march.ny], march.inc) == march.v(2, 3, 4)
    assert v.transform([1], march.discard) == march.v(1, 3)
    m = march.Map({"a1": 1, "b1": 2})
    got = march.v(m).transform([0, march.rex("a")], 0)[0]
    assert dict(got.items()) == {"a1": 0, "b1": 2}


def test_fuzzer_is_not_in_the_package():
    import importlib.util
    assert importlib.util.find_spec("march._fuzz") is None
    pkg = os.path.dirname(march.__file__)
    for dirpath, _, files in os.walk(pkg):
        for f in files:
            if f.endswith(".py"):
                with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                    text = fh.read()
                for mod in ("hypothesis", "pytest"):
                    assert "import %s" % mod not in text, (f, mod)


def _run(code, env=None, cwd=None):
    env = dict(os.environ if env is None else env)
    return subprocess.run([sys.executable, "-W", "always", "-c", code], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


LOADED = ("import march, sys; print(march.IMPLEMENTATION); "
          "print(' '.join(sorted(m for m in sys.modules if m.startswith('march'))))")


def test_import_loads_only_the_implementation_in_use():
    env = dict(os.environ)
    env.pop("MARCH_PURE_PYTHON", None)
    r = _run(LOADED, env)
    assert r.returncode == 0, r.stderr
    impl, mods = r.stdout.splitlines()
    mods = mods.split()
    if impl == "c":
        assert not [m for m in mods if m.startswith("march._pure")], mods
        assert "march._rrb4" not in mods, mods
        assert "march._hamt" in mods and "march._rrb" in mods
    env["MARCH_PURE_PYTHON"] = "1"
    r = _run(LOADED, env)
    assert r.returncode == 0, r.stderr
    impl, mods = r.stdout.splitlines()
    mods = mods.split()
    assert impl == "python"
    assert not {"march._hamt", "march._rrb", "march._rrb4"} & set(mods), mods
    # no test-only or benchmark code either way
    assert not [m for m in mods if m.startswith(("march.bench", "march._fuzz"))], mods


def test_primitives_accept_the_other_implementation():
    """The type checks are lazy, not blind: a twin value (its module loaded
    later) is accepted, a foreign one refused."""
    import importlib
    twin_vec = importlib.import_module("march._pure.vector_object")
    twin_map = march.map.set(march.map.new(), 1, 2)
    assert march.array.imm.size(twin_vec.v(1, 2)) == 2
    assert march.map.size(twin_map) == 1
    with pytest.raises(TypeError, match="march.Vector"):
        march.array.imm.size([1, 2])
    with pytest.raises(TypeError, match="march.Map"):
        march.map.size({1: 2})


def _copy_package(tmp_path):
    """The package's Python files without the C extension: march as
    installed without a C compiler.  The real extension is not touched."""
    import shutil
    dst = tmp_path / "site" / "march"
    shutil.copytree(os.path.dirname(march.__file__), dst,
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__", "_core"))
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    env.pop("MARCH_PURE_PYTHON", None)
    return dst, env


WHERE = "import march; print(march.IMPLEMENTATION, march.__file__)"


def test_warning_when_the_c_extension_is_not_built(tmp_path):
    dst, env = _copy_package(tmp_path)
    r = _run(WHERE, env, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    impl, where = r.stdout.split()
    assert impl == "python" and where.startswith(str(dst))
    assert ("march: the C extension is not built (march._hamt not found: was it "
            "installed without a C compiler?); using the pure-Python implementation, "
            "which is slower") in r.stderr
    assert "RuntimeWarning" in r.stderr and "circular import" not in r.stderr


def test_warning_when_the_c_extension_cannot_be_loaded(tmp_path):
    import importlib.machinery
    dst, env = _copy_package(tmp_path)
    (dst / ("_hamt" + importlib.machinery.EXTENSION_SUFFIXES[0])).write_bytes(b"not a library")
    r = _run(WHERE, env, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0] == "python"
    assert "march: the C extension march._hamt cannot be loaded (" in r.stderr
    assert "using the pure-Python implementation, which is slower" in r.stderr


def test_no_warning_with_the_c_extension_or_when_asked_for_the_twin():
    env = dict(os.environ, MARCH_PURE_PYTHON="1")
    r = _run(WHERE, env)
    assert r.returncode == 0 and "RuntimeWarning" not in r.stderr, r.stderr
    if march.IMPLEMENTATION == "c":
        env.pop("MARCH_PURE_PYTHON")
        r = _run(WHERE, env)
        assert r.returncode == 0 and "RuntimeWarning" not in r.stderr, r.stderr


# ---------------------------------------------------------------------------
# the primitives' docstrings

@pytest.mark.parametrize("modname", ["march.map", "march.array.imm"])
def test_primitives_document_themselves(modname):
    """Every primitive says what it does, its cost and shows an example,
    and the examples run (with the implementation in use)."""
    import doctest
    import importlib
    mod = importlib.import_module(modname)
    for name in mod.__all__:
        doc = getattr(mod, name).__doc__ or ""
        assert "O(" in doc, (modname, name)
        assert ">>> " in doc, (modname, name)
    failures, tried = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)[:2]
    assert tried >= len(mod.__all__) and failures == 0


def test_primitives_say_where_they_differ_from_the_methods():
    assert "Vector.remove(x)" in march.array.imm.remove.__doc__
    assert "index" in march.array.imm.remove.__doc__
    assert "discard" in march.map.remove.__doc__ and "delete" in march.map.remove.__doc__


def test_transform_helpers_examples():
    import doctest
    from march import _transform
    failures, tried = doctest.testmod(_transform)[:2]
    assert tried >= 4 and failures == 0
