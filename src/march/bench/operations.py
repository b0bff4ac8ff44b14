"""What the benchmark runs: the operations, the libraries and the data.

``MAP_OPS`` / ``VECTOR_OPS`` are the benchmarked operations, ``MAP_LIBS`` /
``VECTOR_LIBS`` say how each library runs them (the statement timed per
operation, or why it has none), and ``make_map_data`` / ``make_vector_data``
/ ``concat_plan`` / ``build_concat`` make the inputs, deterministic for a
seed.
"""
import json
import platform
import random

MAX_SIZE = 10 ** 8
KEY_POOL = 100000          # random keys/indices generated per lookup pool
CONCAT_PIECES = 1000       # pieces of the concat-built vector

STRUCTURES = ("map", "vector", "pyrsistent")
# run when --structures is not given; the pyrsistent group (march.pyrsistent
# against pyrsistent itself) is asked for by name: --structures pyrsistent
DEFAULT_STRUCTURES = ("map", "vector")
KEYTYPES = ("str", "int")
DOC_BYTES = 1000000        # JSON document of the pyrsistent freeze/thaw ops
QUICK_DOC_BYTES = 100000
DOC_GROUP = "doc"          # "key type" of the size-independent pyrsistent rows


class Op(object):
    """One benchmarked operation.

    kind "keys": the statement runs once per pre-generated key ``k`` (random
    keys/indices); with ``chain`` the structure variable is reset to the base
    structure every ``n // 10`` operations.  kind "repeat": the statement runs
    ``count`` times (``k`` is None); ``per_entry`` divides the time by n.
    kind "memory": measured in a child process.
    """

    def __init__(self, name, title, expr, kind, pool=None, chain=False,
                 per_entry=False, needs=()):
        self.name = name
        self.title = title
        self.expr = expr
        self.kind = kind
        self.pool = pool
        self.chain = chain
        self.per_entry = per_entry
        self.needs = needs
        self.scope = None  # the pyrsistent group: "pmap" or "doc" rows

    @property
    def unit(self):
        if self.kind == "memory":
            return "B/entry"
        return "entry" if self.per_entry else "op"


MAP_OPS = [
    Op("get_hit", "get hit", "m[k]", "keys", pool="hit"),
    Op("get_miss", "get miss", "k in m", "keys", pool="miss"),
    Op("set_new", "set new key", "m.set(k, v)", "keys", pool="fresh", chain=True),
    Op("set_existing", "set existing", "m.set(k, v)", "keys", pool="existing",
       chain=True),
    Op("delete", "delete", "m.delete(k)", "keys", pool="existing", chain=True),
    Op("build_items", "build", "Map(items)", "repeat", per_entry=True),
    Op("build_mutation", "build", "mutation", "repeat", per_entry=True),
    Op("iterate", "iterate", "m.items()", "repeat", per_entry=True),
    Op("eq", "equal", "m == m2", "repeat", per_entry=True, needs=("m2",)),
    Op("memory", "memory", None, "memory"),
]

VECTOR_OPS = [
    Op("index_append", "index", "append-built", "keys", pool="index"),
    Op("index_concat", "index", "concat-built", "keys", pool="index",
       needs=("vc",)),
    Op("iterate", "iterate", "for x in v", "repeat", per_entry=True),
    Op("append", "append", "v.append(x)", "keys", pool="index", chain=True),
    Op("set", "set", "v.set(i, x)", "keys", pool="index", chain=True),
    Op("concat", "concat", "a + b (n/2 each)", "repeat", needs=("halves",)),
    Op("slice", "slice", "v[n/4:3n/4]", "repeat"),
    Op("insert", "insert", "v.insert(n/2, x)", "keys", pool="index",
       chain=True),
    Op("memory", "memory", None, "memory"),
]

# The pyrsistent group: march.pyrsistent against pyrsistent, the same
# statements for both.  scope "pmap": per key type and size, like the map
# group; scope "doc": once per run (a JSON document of about DOC_BYTES and a
# 4-field PRecord), whatever --sizes says.
PYRSISTENT_OPS = [
    Op("get_hit", "pmap get", "m[k]", "keys", pool="hit"),
    Op("set_new", "pmap set new key", "m.set(k, v)", "keys", pool="fresh", chain=True),
    Op("set_existing", "pmap set existing", "m.set(k, v)", "keys", pool="existing",
       chain=True),
    Op("delete", "pmap remove", "m.remove(k)", "keys", pool="existing", chain=True),
    Op("build_items", "pmap build", "pmap(dict)", "repeat", per_entry=True),
    Op("iterate", "pmap iterate", "m.items()", "repeat", per_entry=True),
    Op("eq", "pmap equal", "m == m2", "repeat", per_entry=True, needs=("m2",)),
    Op("freeze", "document", "freeze(doc)", "repeat", needs=("doc",)),
    Op("thaw", "document", "thaw(frozen)", "repeat", needs=("frozen",)),
    Op("precord_create", "PRecord create", "Rec(4 fields)", "repeat"),
    Op("precord_set", "PRecord set", "r.set(count=k)", "keys", pool="ints", chain=True),
]
for _op in PYRSISTENT_OPS:
    _op.scope = "doc" if _op.name in ("freeze", "thaw", "precord_create",
                                      "precord_set") else "pmap"
del _op

OPS = {"map": MAP_OPS, "vector": VECTOR_OPS, "pyrsistent": PYRSISTENT_OPS}

# --ops aliases
OP_ALIASES = {
    "get": ("get_hit", "get_miss"),
    "set": ("set_new", "set_existing", "set"),
    "build": ("build_items", "build_mutation"),
    "index": ("index_append", "index_concat"),
    "mem": ("memory",),
    "remove": ("delete",),
    "precord": ("precord_create", "precord_set"),
}


def all_op_names():
    names = []
    for s in STRUCTURES:
        for op in OPS[s]:
            if op.name not in names:
                names.append(op.name)
    return names


class Library(object):
    """How to run each operation on one library.

    ``setup`` is executed in a fresh namespace; ``build`` is an expression
    building the base structure from ``items`` (maps: a list of (key, value)
    pairs) or ``elems`` (vectors: a list).  ``stmts`` maps an op name to the
    statement run per operation, or to None when the library lacks it (the
    reason is in ``missing``).  Statements use ``m`` (maps) or ``v``
    (vectors) for the structure, ``k`` for the current key/index, ``val`` or
    ``x`` for a value.
    """

    def __init__(self, key, structure, label, module, pip, setup, build,
                 stmts, missing=None, note=None, foreign_alloc=False,
                 version_of=None):
        self.key = key
        self.structure = structure
        self.label = label
        self.module = module
        self.pip = pip
        self.setup = setup
        self.build = build
        self.stmts = stmts
        self.missing = missing or {}
        self.note = note
        self.foreign_alloc = foreign_alloc
        self.version_of = version_of

    def available(self):
        """(True, version) or (False, reason)."""
        if self.module is None:
            return True, platform.python_version()
        try:
            ns = {}
            exec(self.setup, ns)
        except Exception as exc:  # ImportError and anything import raises
            return False, "%s: %s" % (type(exc).__name__, exc)
        return True, _dist_version(self.version_of or self.module)

    def namespace(self):
        ns = {}
        exec(self.setup, ns)
        return ns


def _dist_version(name):
    try:
        from importlib import metadata
        return metadata.version(name)
    except Exception:
        pass
    try:
        mod = __import__("march" if name == "march-collections" else name)
        return str(getattr(mod, "__version__", "?"))
    except Exception:
        return "?"


_PERSISTENT_MAP = {
    "get_hit": "m[k]",
    "get_miss": "k in m",
    "set_new": "m = m.set(k, val)",
    "set_existing": "m = m.set(k, val)",
    "delete": "m = m.delete(k)",
    "build_items": "Map(items)",
    "build_mutation": ("_mm = Map().mutate()\n"
                       "for _k, _v in items:\n"
                       "    _mm[_k] = _v\n"
                       "_mm.finish()"),
    "iterate": "for _kv in m.items():\n    pass",
    "eq": "m == m2",
}

_PERSISTENT_VECTOR = {
    "index_append": "v[k]",
    "index_concat": "vc[k]",
    "iterate": "for _x in v:\n    pass",
    "append": "v = v.append(x)",
    "set": "v = v.set(k, x)",
    "concat": "a + b",
    "slice": "v[lo:hi]",
    "insert": "v = v.insert(mid, x)",
}


def _with(base, **changes):
    d = dict(base)
    d.update(changes)
    return d


MAP_LIBS = [
    Library("march", "map", "march.Map", "march", None,
            "from march import Map", "Map(items)", dict(_PERSISTENT_MAP),
            version_of="march-collections"),
    Library("immutables", "map", "immutables.Map", "immutables", "immutables",
            "from immutables import Map", "Map(items)", dict(_PERSISTENT_MAP)),
    Library("pyrsistent", "map", "pyrsistent.pmap", "pyrsistent", "pyrsistent",
            "from pyrsistent import pmap", "pmap(items)",
            _with(_PERSISTENT_MAP,
                  delete="m = m.remove(k)",
                  build_items="pmap(items)",
                  build_mutation=("_e = pmap().evolver()\n"
                                  "for _k, _v in items:\n"
                                  "    _e[_k] = _v\n"
                                  "_e.persistent()"))),
    Library("rpds-py", "map", "rpds.HashTrieMap", "rpds", "rpds-py",
            "from rpds import HashTrieMap", "HashTrieMap(items)",
            _with(_PERSISTENT_MAP,
                  set_new="m = m.insert(k, val)",
                  set_existing="m = m.insert(k, val)",
                  delete="m = m.remove(k)",
                  build_items="HashTrieMap(items)",
                  build_mutation=None),
            missing={"build_mutation": "no mutation/evolver API"},
            foreign_alloc=True, version_of="rpds-py"),
    Library("dict", "map", "dict", None, None, "", "dict(items)",
            _with(_PERSISTENT_MAP,
                  set_new="m = m.copy()\nm[k] = val",
                  set_existing="m = m.copy()\nm[k] = val",
                  delete="m = m.copy()\ndel m[k]",
                  build_items="dict(items)",
                  build_mutation=("_d = {}\n"
                                  "for _k, _v in items:\n"
                                  "    _d[_k] = _v")),
            note="persistent set/delete = copy-then-modify (O(n))"),
]

VECTOR_LIBS = [
    Library("march", "vector", "march.Vector", "march", None,
            "from march import vector", "vector(elems)",
            dict(_PERSISTENT_VECTOR), version_of="march-collections"),
    Library("list", "vector", "list", None, None, "", "list(elems)",
            _with(_PERSISTENT_VECTOR,
                  append="v = v.copy()\nv.append(x)",
                  set="v = v.copy()\nv[k] = x",
                  insert="v = v.copy()\nv.insert(mid, x)"),
            note="persistent append/set/insert = copy-then-modify (O(n)); "
                 "a + b and slices copy (O(n))"),
    Library("pyrsistent", "vector", "pyrsistent.pvector", "pyrsistent",
            "pyrsistent", "from pyrsistent import pvector", "pvector(elems)",
            _with(_PERSISTENT_VECTOR, insert=None),
            missing={"insert": "PVector has no insert"},
            note="a + b and slices are O(n)"),
    Library("pyrsistent-extras", "vector", "pyrsistent_extras.psequence",
            "pyrsistent_extras", "pyrsistent-extras",
            "from pyrsistent_extras import psequence", "psequence(elems)",
            dict(_PERSISTENT_VECTOR), version_of="pyrsistent-extras"),
    Library("rpds-py", "vector", "rpds.List", "rpds", "rpds-py",
            "from rpds import List", "List(elems)",
            {"iterate": _PERSISTENT_VECTOR["iterate"]},
            missing=dict.fromkeys(
                ["index_append", "index_concat", "append", "set", "concat",
                 "slice", "insert"],
                "rpds.List is a cons list: no indexing, append, set, "
                "concat, slice or insert (only push_front/first/rest)"),
            foreign_alloc=True, version_of="rpds-py"),
]

_PYRSISTENT_SETUP = """from %s import pmap, freeze, thaw, PRecord, field

class Rec(PRecord):
    name = field(type=str)
    count = field(type=int)
    score = field(type=float)
    active = field(type=bool)
"""

_PYRSISTENT_STMTS = {
    "get_hit": "m[k]",
    "set_new": "m = m.set(k, val)",
    "set_existing": "m = m.set(k, val)",
    "delete": "m = m.remove(k)",
    "build_items": "pmap(d)",
    "iterate": "for _kv in m.items():\n    pass",
    "eq": "m == m2",
    "freeze": "freeze(doc)",
    "thaw": "thaw(frozen)",
    "precord_create": "Rec(name='ada', count=3, score=1.5, active=True)",
    "precord_set": "r = r.set(count=k)",
}

# The group is a comparison with pyrsistent: without pyrsistent it is
# skipped as a whole (REQUIRED_LIBS), not run for march alone.
PYRSISTENT_LIBS = [
    Library("march", "pyrsistent", "march.pyrsistent", "march", None,
            _PYRSISTENT_SETUP % "march.pyrsistent", "pmap(d)",
            dict(_PYRSISTENT_STMTS), version_of="march-collections"),
    Library("pyrsistent", "pyrsistent", "pyrsistent", "pyrsistent", "pyrsistent",
            _PYRSISTENT_SETUP % "pyrsistent", "pmap(d)", dict(_PYRSISTENT_STMTS)),
]

LIBS = {"map": MAP_LIBS, "vector": VECTOR_LIBS, "pyrsistent": PYRSISTENT_LIBS}
REQUIRED_LIBS = {"pyrsistent": ("pyrsistent",)}


def group_title(structure, keytype, n):
    """The title of a table: one structure / key type / size."""
    if structure == "pyrsistent":
        if keytype == DOC_GROUP:
            return ("pyrsistent: freeze/thaw of a %s-byte JSON document, PRecord"
                    % format(n, ","))
        return "pyrsistent: pmap, %s keys, n = %s" % (keytype, format(n, ","))
    if structure == "map":
        return "map, %s keys, n = %s" % (keytype, format(n, ","))
    return "vector, n = %s" % format(n, ",")


# ---------------------------------------------------------------------------
# data


def make_map_data(keytype, n, seed, keep=None):
    """keys (n, distinct), fresh keys (not in the map) and values, all
    deterministic for (keytype, n, seed).  Intermediate objects are appended
    to ``keep`` when given."""
    rng = random.Random("%s/%d/%s" % (keytype, n, seed))
    nfresh = max(1, min(n, KEY_POOL))
    ints = rng.sample(range(2 ** 62), n + nfresh)
    if keytype == "str":
        if keep is not None:
            keep.append(ints)
        ints = ["k%x" % i for i in ints]
    keys = ints[:n]
    fresh = ints[n:]
    values = list(range(n))
    return keys, fresh, values


def make_json_document(target_bytes, seed):
    """A JSON-like document (a list of nested records: str, int, float,
    bool, None, lists and dicts) whose ``json.dumps`` is about
    ``target_bytes`` long, deterministic for (target_bytes, seed).
    Returns (document, its json.dumps length)."""
    rng = random.Random("doc/%d/%s" % (target_bytes, seed))
    words = ["alpha", "beta", "gamma", "delta", "omega", "north", "south",
             "river", "stone", "cedar", "maple", "amber"]

    def record(i):
        return {
            "id": i,
            "name": "%s-%s-%d" % (rng.choice(words), rng.choice(words), i),
            "score": round(rng.uniform(0, 1000), 3),
            "active": rng.random() < 0.5,
            "parent": None if rng.random() < 0.7 else rng.randrange(i + 1),
            "tags": [rng.choice(words) for _ in range(rng.randrange(1, 5))],
            "address": {"street": "%d %s road" % (rng.randrange(1, 999), rng.choice(words)),
                        "city": rng.choice(words).title(), "zip": rng.randrange(10000, 99999),
                        "geo": [round(rng.uniform(-90, 90), 5),
                                round(rng.uniform(-180, 180), 5)]},
            "history": [{"t": rng.randrange(10 ** 9), "value": round(rng.gauss(0, 10), 4),
                         "ok": rng.random() < 0.9, "note": None}
                        for _ in range(rng.randrange(0, 4))],
        }

    doc = []
    size = 2  # "[]"
    while size < target_bytes:
        r = record(len(doc))
        size += len(json.dumps(r)) + (2 if doc else 0)  # ", " separator
        doc.append(r)
    return doc, len(json.dumps(doc))


def make_vector_data(n, seed):
    return list(range(n))


def concat_plan(n, seed):
    """(cut points, merge order) for a vector built from CONCAT_PIECES random
    pieces by random concatenations of neighbours."""
    rng = random.Random("concat/%d/%s" % (n, seed))
    pieces = max(1, min(CONCAT_PIECES, n))
    cuts = sorted(rng.sample(range(1, n), pieces - 1)) if pieces > 1 else []
    bounds = [0] + cuts + [n]
    merges = []
    count = pieces
    while count > 1:
        merges.append(rng.randrange(count - 1))
        count -= 1
    return bounds, merges


def build_concat(ns, build_expr, concat_stmt, elems, plan):
    bounds, merges = plan
    parts = [eval(build_expr, ns, {"elems": elems[a:b]})
             for a, b in zip(bounds, bounds[1:])]
    code = compile(concat_stmt, "<concat>", "eval")
    for i in merges:
        parts[i:i + 2] = [eval(code, ns, {"a": parts[i], "b": parts[i + 1]})]
    return parts[0]


def _err(exc):
    msg = str(exc).strip().splitlines()
    return "%s: %s" % (type(exc).__name__, msg[0] if msg else "")
