"""Checks shared by the test modules of pyrsistent's two sequences, PList
(test_pyrsistent_plist) and PDeque (test_pyrsistent_pdeque)."""
import ast
import os

import pytest

# what vars(cls) holds besides methods and properties, and the dunders a
# stub need not name
_PLUMBING = {"__module__", "__doc__", "__slots__", "__weakref__", "__repr__",
             "__str__", "__qualname__", "__firstlineno__", "__static_attributes__"}


def check_stub_agrees(module, cls, functions):
    """module's .pyi names what module has: the one class cls with its
    public methods and protocol dunders, and the functions named in the
    set functions."""
    path = os.path.splitext(module.__file__)[0] + ".pyi"
    with open(path) as f:
        tree = ast.parse(f.read())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    stub_functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert set(classes) == {cls.__name__} and stub_functions == functions
    body = classes[cls.__name__].body
    stub = {n.name for n in body if isinstance(n, ast.FunctionDef)}
    runtime = set(vars(cls))
    assert {n for n in stub if not n.startswith("_")} == {n for n in runtime if not n.startswith("_")}
    assert {n for n in runtime if n.startswith("__")} - _PLUMBING <= stub
    assert {n for n in stub if n.startswith("__")} <= set(dir(cls))


def check_searching_matches_list(x, items, value, start, stop):
    """``in``, ``count`` and ``index(value, start, stop)`` on the sequence x
    answer as on the Python list items (a None start is 0, a None stop is
    left out of the call)."""
    assert (value in x) == (value in items)
    assert x.count(value) == items.count(value)
    args = (0 if start is None else start,) + (() if stop is None else (stop,))
    try:
        expected = items.index(value, *args)
    except ValueError:
        with pytest.raises(ValueError):
            x.index(value, *args)
    else:
        assert x.index(value, *args) == expected
