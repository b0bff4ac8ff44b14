"""The typed public API: the ``.pyi`` stubs agree with both implementations.

* every public method/attribute (and every protocol dunder) of the runtime
  classes -- the C types and the pure-Python twins -- appears in the stubs,
  and every name the stubs declare exists on every implementation;
* the C types and the twins have the same public surface;
* ``py.typed`` and the stubs exist and ``pyproject.toml`` ships them;
* the plain-Python primitive modules (``march.map``, ``march.array.imm``) are
  fully annotated;
* when mypy is importable: a typed usage file type-checks under ``--strict``
  against the stubs, and a file with type errors is rejected at the expected
  lines (skipped when mypy is absent; it is not a test dependency).
"""
import ast
import importlib
import inspect
import os
import sys
import textwrap

import pytest

import march

# the package as imported (installed or from src/): its stubs must ship with it
PKG = os.path.dirname(os.path.abspath(march.__file__))
# the source checkout this test file belongs to (setup.py, pyproject.toml)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Dunders that make up an interface (operators, protocols).  Object plumbing
# (__init__, __new__, __repr__, __reduce__, ...) is not compared.
PROTOCOL = {
    "__len__", "__getitem__", "__setitem__", "__delitem__", "__iter__",
    "__next__", "__reversed__", "__contains__", "__bool__",
    "__add__", "__radd__", "__mul__", "__rmul__", "__or__", "__ror__",
    "__and__", "__rand__", "__sub__", "__rsub__", "__xor__", "__rxor__",
    "__iadd__", "__ior__",
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__",
    "__enter__", "__exit__", "__class_getitem__",
}
# A C type that defines tp_richcompare shows all six comparison wrappers, and
# one with nb_add / nb_or shows the reflected wrapper too, whether or not the
# type supports them; these are not part of the interface.
C_SLOT_ARTIFACTS = {"__ne__", "__lt__", "__le__", "__gt__", "__ge__",
                    "__radd__", "__ror__"}

# (stub file, class names, runtime modules implementing them)
STUBS = {
    "_hamt.pyi": (["Map", "MapMutation", "MapKeys", "MapValues", "MapItems",
                   "Set", "SetEvolver"],
                  ["march._hamt", "march._pure.hamt_module"]),
    "_rrb.pyi": (["Vector", "VectorEvolver"],
                 ["march._rrb", "march._rrb4", "march._pure.vector_object",
                  "march._pure.rrb4"]),
}

# Differences between the C types and the twins that are known and reported
# (not typing matters; each should go away when the implementations agree).
KNOWN_DIFFERENCES = set()   # (class, attribute) pairs where C and the twin differ: none


def _is_c(modname):
    return not modname.startswith("march._pure")


def _load(modname):
    try:
        return importlib.import_module(modname)
    except ImportError:
        if _is_c(modname):
            return None         # extension not built: only the twin is checked
        raise


# ---------------------------------------------------------------------------
# reading the stubs

def _parse(stub):
    with open(os.path.join(PKG, stub), encoding="utf-8") as f:
        return ast.parse(f.read(), stub)


def _target_names(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    return []


def stub_module_names(stub):
    names = set()
    for node in _parse(stub).body:
        names.update(_target_names(node))
        if isinstance(node, ast.ImportFrom):    # re-exports: `import X as X`
            names.update(a.asname for a in node.names if a.asname == a.name)
    return names


def stub_class_members(stub, cls):
    """{name: 'none' | 'def'} for the members declared in class `cls`."""
    for node in _parse(stub).body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            out = {}
            for item in node.body:
                for name in _target_names(item):
                    none = (isinstance(item, ast.AnnAssign)
                            and "None" in ast.unparse(item.annotation))
                    out[name] = "none" if none else "def"
            return out
    raise AssertionError("class %s not in %s" % (cls, stub))


def _interface(names):
    return {n for n in names
            if (not n.startswith("_")) or n in PROTOCOL}


# ---------------------------------------------------------------------------
# reading the runtime classes

def runtime_members(cls):
    """{name: 'none' | 'def'} for the members defined by `cls` (not object)."""
    out = {}
    for klass in cls.__mro__:
        if klass is object:
            continue
        for name, value in vars(klass).items():
            out.setdefault(name, "none" if value is None else "def")
    return out


def _impl_params():
    params = []
    for stub, (classes, modules) in STUBS.items():
        for cls in classes:
            for mod in modules:
                params.append(pytest.param(stub, cls, mod,
                                           id="%s-%s" % (mod, cls)))
    return params


# ---------------------------------------------------------------------------
# files and packaging

def test_py_typed_and_stubs_exist():
    assert os.path.isfile(os.path.join(PKG, "py.typed"))
    for stub in ("__init__.pyi", "_hamt.pyi", "_rrb.pyi", "_rrb4.pyi"):
        assert os.path.isfile(os.path.join(PKG, stub)), stub
        _parse(stub)            # valid syntax


def test_every_extension_module_has_a_stub():
    with open(os.path.join(ROOT, "setup.py"), encoding="utf-8") as f:
        setup_py = f.read()
    for name in ("_hamt", "_rrb", "_rrb4"):
        assert '"%s"' % name in setup_py
        assert os.path.isfile(os.path.join(PKG, name + ".pyi")), name


def test_pyproject_ships_stubs():
    path = os.path.join(ROOT, "pyproject.toml")
    if not os.path.isfile(path):
        pytest.skip("not a source checkout")
    if sys.version_info < (3, 11):
        pytest.skip("tomllib needs Python 3.11")
    import tomllib
    with open(path, "rb") as f:
        conf = tomllib.load(f)
    data = conf["tool"]["setuptools"]["package-data"]["march"]
    assert "py.typed" in data
    assert "*.pyi" in data
    assert "Typing :: Typed" in conf["project"]["classifiers"]


# ---------------------------------------------------------------------------
# stubs against the runtime classes

@pytest.mark.parametrize("stub, cls, modname", _impl_params())
def test_runtime_interface_is_in_stub(stub, cls, modname):
    mod = _load(modname)
    if mod is None:
        pytest.skip("%s is not built" % modname)
    rt = runtime_members(getattr(mod, cls))
    st = stub_class_members(stub, cls)
    missing = set()
    for name in _interface(rt):
        if rt[name] == "none" and name != "__hash__":
            continue            # blocked (e.g. __reversed__ = None): not offered
        if name in st:
            continue
        if _is_c(modname) and name in C_SLOT_ARTIFACTS:
            continue
        if (cls, name) in KNOWN_DIFFERENCES:
            continue
        missing.add(name)
    assert not missing, "%s.%s has %s, not in %s" % (
        modname, cls, sorted(missing), stub)


@pytest.mark.parametrize("stub, cls, modname", _impl_params())
def test_stub_names_exist_at_runtime(stub, cls, modname):
    mod = _load(modname)
    if mod is None:
        pytest.skip("%s is not built" % modname)
    klass = getattr(mod, cls)
    rt = runtime_members(klass)
    st = stub_class_members(stub, cls)
    for name, kind in st.items():
        if name in ("__init__", "__new__"):
            continue
        if (cls, name) in KNOWN_DIFFERENCES:
            continue
        if kind == "none":      # declared unsupported, e.g. __hash__: None
            assert getattr(klass, name, None) is None, (modname, cls, name)
            continue
        assert hasattr(klass, name), "%s.%s lacks %s (declared in %s)" % (
            modname, cls, name, stub)
        if name in rt:
            assert rt[name] == "def", (modname, cls, name)


@pytest.mark.parametrize("stub", sorted(STUBS))
def test_stub_module_level_names_exist(stub):
    classes, modules = STUBS[stub]
    declared = {n for n in stub_module_names(stub) if not n.startswith("_")}
    for modname in modules:
        mod = _load(modname)
        if mod is None:
            continue
        for name in declared:
            if name == "MapIterator" and not _is_c(modname):
                continue        # C-only details of march._hamt
            assert hasattr(mod, name), (modname, name)
        for cls in classes:
            assert cls in declared


def test_package_stub_matches_package():
    declared = stub_module_names("__init__.pyi")
    for name in march.__all__:
        assert name in declared, name
    tree = _parse("__init__.pyi")
    stub_all = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            stub_all = ast.literal_eval(node.value)
    assert stub_all is not None and sorted(stub_all) == sorted(march.__all__)
    for name in declared:
        if not name.startswith("_") or name == "__version__":
            assert hasattr(march, name), name


# ---------------------------------------------------------------------------
# the two implementations agree

def _pairs():
    out = []
    for stub, (classes, modules) in STUBS.items():
        c_mods = [m for m in modules if _is_c(m)]
        py_mods = [m for m in modules if not _is_c(m)]
        for cmod, pmod in zip(c_mods, py_mods):
            for cls in classes:
                for known in sorted(n for c, n in KNOWN_DIFFERENCES if c == cls):
                    out.append(pytest.param(
                        cmod, pmod, cls, known, id="%s-%s-%s" % (cmod, cls, known),
                        marks=pytest.mark.xfail(reason="known C/twin difference")))
                out.append(pytest.param(cmod, pmod, cls, None,
                                        id="%s-%s" % (cmod, cls)))
    return out


@pytest.mark.parametrize("cmod, pmod, cls, only", _pairs())
def test_c_and_pure_have_the_same_interface(cmod, pmod, cls, only):
    c = _load(cmod)
    if c is None:
        pytest.skip("%s is not built" % cmod)
    p = _load(pmod)
    crt = runtime_members(getattr(c, cls))
    prt = runtime_members(getattr(p, cls))

    def offered(rt, names, is_c):
        out = set()
        for n in _interface(names):
            if rt[n] == "none" and n != "__hash__":
                continue
            if is_c and n in C_SLOT_ARTIFACTS and n not in prt:
                continue
            out.add((n, rt[n]))
        return out

    cset = offered(crt, crt, True)
    pset = offered(prt, prt, False)
    diff = {n for n, _ in cset ^ pset}
    if only is not None:
        assert only not in diff
    else:
        diff -= {n for c_, n in KNOWN_DIFFERENCES if c_ == cls}
        assert not diff, "%s.%s and %s.%s differ in %s" % (
            cmod, cls, pmod, cls, sorted(diff))


# ---------------------------------------------------------------------------
# the plain-Python primitive modules are annotated

@pytest.mark.parametrize("modname", ["march.map", "march.array.imm"])
def test_primitives_are_annotated(modname):
    mod = importlib.import_module(modname)
    for name in mod.__all__:
        fn = getattr(mod, name)
        sig = inspect.signature(fn)
        assert sig.return_annotation is not inspect.Signature.empty, name
        for p in sig.parameters.values():
            assert p.annotation is not inspect.Parameter.empty, (name, p.name)


# ---------------------------------------------------------------------------
# mypy (optional)

USAGE = '''
from typing import Mapping, Sequence
import march
import march.map as mm
import march.array.imm as imm
from march import Map, MapMutation, Set, Vector, VectorEvolver

m: Map[str, int] = Map({"a": 1})
m2: Map[str, int] = m.set("b", 2).delete("a").discard("zz").update(c=3)
x: int = m2["b"]
y: int | None = m2.get("b")
z: int | str = m2.get("q", "none")
m4: Map[int, str] = Map([(1, "x")]) | {2: "y"}
kw: Map[str, int] = Map(a=1, b=2)
mut: MapMutation[str, int] = m.mutate()
mut["c"] = 3
mut.set("d", 4)
p: int = mut.pop("c")
q: int | None = mut.pop("zz", None)
del mut["d"]
with m.mutate() as mu:
    mu["e"] = 5
fin: Map[str, int] = mut.finish()
ks: list[str] = list(m.keys())
vs: list[int] = list(m.values())
its: list[tuple[str, int]] = list(m.items())

def takes_mapping(mp: Mapping[str, int]) -> int:
    return len(mp)

n1: int = takes_mapping(m) + hash(m)

vec: Vector[int] = march.vector([1, 2, 3])
a: int = vec[0]
s: Vector[int] = vec[1:]
vv: Vector[int] = march.v(1, 2, 3)
vec2 = vec.append(4).extend([5]).set(0, 9).insert(1, 7).delete(0).delete(0, 1)
left, right = vec2.split(1)
rest, last = vec2.pop()
rest2, first = vec2.popleft()
cat: Vector[int] = Vector.from_concat([vec, vec2]) + [1] + vec
e: VectorEvolver[int] = vec.evolver()
e[0] = 1
e.append(2).extend([3])
back: Vector[int] = e.persistent()
with vec.evolver() as ev:
    ev.set(0, 5)

def takes_seq(sq: Sequence[int]) -> int:
    return sq[0]

n2: int = takes_seq(vec) + last + first + len(left) + len(right) + len(rest2)
lst: list[int] = vec.tolist()
lt: bool = vec < [1, 2]
n3: int = mm.size(mm.set(mm.new(), "a", 1))
got: int | None = mm.get(m, "a")
i1: int = imm.get(vec, 0)
i2: Vector[int] = imm.concat(vec, imm.push(vec, 3))
i3: tuple[Vector[int], int] = imm.pop(vec)
impl: str = march.IMPLEMENTATION

st: Set[int] = march.s(1, 2)
st2: Set[int] = st.add(3).discard(1).remove(2) | {4}
st3: Set[int] = (st & [1]) - st2 ^ Set([9])
sev = st.evolver()
sev.add(5).discard(1)
st4: Set[int] = sev.persistent()
sub: bool = st <= st2 and st.issubset([1, 2, 3]) and st.isdisjoint(st4)
u: Map[str, int] = m.union(m2, combine=lambda k, a, b: a + b)
fk: Map[str, None] = Map.from_keys(["a"])
fk2: Map[str, float] = Map.from_keys(["a"], 1.5)
mv: Map[str, str] = m.map_values(str)
fl: Map[str, int] = m.filter(lambda k, v: v > 1).intersection(st2).difference(["a"])
for key, old, new in m.diff(m2):
    gone: bool = new is march.ABSENT
'''

BAD = '''
import march
m: march.Map[str, int] = march.Map({"a": 1})
m.set(1, 2)
x: str = m["a"]
v = march.vector([1, 2])
y: str = v[0]
s: int = v[0:1]
e = v.evolver().persistent().append("x")
'''
BAD_LINES = {4, 5, 7, 8, 9}


def _mypy(tmp_path, source):
    api = pytest.importorskip("mypy.api")
    path = tmp_path / "use_march.py"
    path.write_text(textwrap.dedent(source))
    stubs = [os.path.join(PKG, s) for s in
             ("__init__.pyi", "_hamt.pyi", "_rrb.pyi", "_rrb4.pyi", "map.py",
              os.path.join("array", "imm.py"))]
    env_path = os.environ.get("MYPYPATH")
    os.environ["MYPYPATH"] = os.path.dirname(PKG)
    try:
        out, err, status = api.run([
            "--strict", "--no-incremental", "--follow-imports=silent",
            "--python-version", "%d.%d" % sys.version_info[:2],
            "--cache-dir", str(tmp_path / ".mypy_cache"),
            str(path)] + stubs)
    finally:
        if env_path is None:
            del os.environ["MYPYPATH"]
        else:
            os.environ["MYPYPATH"] = env_path
    return out + err, status, path.name


def test_mypy_accepts_typed_usage(tmp_path):
    out, status, _ = _mypy(tmp_path, USAGE)
    assert status == 0, out


def test_mypy_rejects_type_errors(tmp_path):
    out, status, name = _mypy(tmp_path, BAD)
    assert status == 1, out
    lines = set()
    for line in out.splitlines():
        head, sep, _ = line.partition(": error:")
        if sep and head.rsplit(":", 1)[0].endswith(name):
            lines.add(int(head.rsplit(":", 1)[1]))
    assert lines == BAD_LINES, out
