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
    assert out[1] == "march._pure.hamt"


def test_public_names():
    for name in ("Map", "MapMutation", "Vector", "VectorEvolver", "vector", "v", "map", "array"):
        assert hasattr(march, name), name
    import importlib
    assert importlib.import_module("march.array.imm").concat
    assert importlib.import_module("march.map").size


def test_typing_files_shipped():
    pkg = os.path.dirname(march.__file__)
    assert os.path.exists(os.path.join(pkg, "py.typed"))
