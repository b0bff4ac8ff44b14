"""march's benchmark: ``python -m march bench``.

Runs, in one process and on the same pre-generated data, every operation of
the Map and Vector plans for ``march`` and for every peer library that can be
imported, and prints one table per structure, key type and size, with each
time and its ratio to march.

Libraries
    maps:    march.Map, immutables.Map, pyrsistent.pmap, rpds.HashTrieMap, dict
    vectors: march.Vector, list, pyrsistent.pvector,
             pyrsistent_extras.psequence, rpds.List
  A peer that cannot be imported is listed as skipped, with the pip command
  that adds it.  An operation a peer does not have is shown as ``n/a``.  For
  ``dict`` and ``list`` the persistent operations are copy-then-modify (the
  O(n) baseline of "persistence by copying").

Timing
  Every cell is a loop written out for that library (like ``timeit``: the
  statement is compiled into a function; the loop itself costs the same for
  every library and is included).  The cyclic GC stays ENABLED, as users run
  their programs.  The number of operations per run is calibrated so that a
  run lasts at least ``--min-time`` seconds; then ``--repeat`` runs are made
  (round robin over the libraries, so that a change of machine load hits all
  of them alike) and the best run is reported (all runs are in the JSON).
  Keys and indices are random and generated in advance.  Persistent updates
  are chained (``m = m.set(k, v)``), as programs use them; the chain restarts
  from the original structure every n/10 operations so that the size stays
  within 10% of n.  ``set new`` uses keys that are not in the map.

Memory
  Measured in a fresh child process per cell: the keys and values (or
  elements) are built first, then the process's resident set size (RSS, from
  /proc/self/statm or psutil, after ``gc.collect()`` and glibc
  ``malloc_trim(0)``) is read before and after building enough copies of the
  structure to hold about ``--memory-entries`` entries.  Bytes per entry =
  RSS growth / (copies * n): it counts every allocator (rpds-py allocates
  outside Python's allocator) and excludes the keys and values themselves.
  ``tracemalloc`` (exact, but blind to memory not allocated through Python's
  allocators) is reported next to it.
"""
import argparse
import datetime
import gc
import itertools
import json
import math
import os
import platform
import random
import shlex
import signal
import subprocess
import sys
import textwrap
import time
from collections import OrderedDict

SCHEMA = "march-bench/1"

DEFAULT_SIZES = (1000, 100000, 1000000)
QUICK_SIZES = (1000, 10000)
DEFAULT_REPEAT = 5
QUICK_REPEAT = 3
DEFAULT_MIN_TIME = 0.05
QUICK_MIN_TIME = 0.005
DEFAULT_CELL_BUDGET = 2.0
QUICK_CELL_BUDGET = 0.3
DEFAULT_MEMORY_ENTRIES = 300000
QUICK_MEMORY_ENTRIES = 30000
MAX_SIZE = 10 ** 8
KEY_POOL = 100000          # random keys/indices generated per lookup pool
CONCAT_PIECES = 1000       # pieces of the concat-built vector

STRUCTURES = ("map", "vector")
KEYTYPES = ("str", "int")


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

OPS = {"map": MAP_OPS, "vector": VECTOR_OPS}

# --ops aliases
OP_ALIASES = {
    "get": ("get_hit", "get_miss"),
    "set": ("set_new", "set_existing", "set"),
    "build": ("build_items", "build_mutation"),
    "index": ("index_append", "index_concat"),
    "mem": ("memory",),
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

LIBS = {"map": MAP_LIBS, "vector": VECTOR_LIBS}


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


# ---------------------------------------------------------------------------
# timing


def _timer_source(stmt, var, names):
    lines = ["def _bench(_chunks, _timer, _ns):"]
    for name in names:
        lines.append("    %s = _ns[%r]" % (name, name))
    lines.append("    _t0 = _timer()")
    lines.append("    for _ks in _chunks:")
    lines.append("        %s = _base" % var)
    lines.append("        for k in _ks:")
    lines.append(textwrap.indent(stmt, " " * 12))
    lines.append("    return _timer() - _t0")
    return "\n".join(lines) + "\n"


def compile_bench(stmt, var, ns):
    names = sorted(n for n in ns if n.isidentifier() and not n.startswith("__")
                   and not n.startswith("_pool"))
    src = _timer_source(stmt, var, names)
    glob = {}
    exec(compile(src, "<march-bench>", "exec"), glob)
    return glob["_bench"]


class Cell(object):
    """One (library, op) measurement in progress."""

    def __init__(self, lib, op, fn, ns, pool, period, n):
        self.lib = lib
        self.op = op
        self.fn = fn
        self.ns = ns
        self.pool = pool
        self.period = period
        self.n = n
        self.count = None
        self.runs = []
        self.spent = 0.0
        self._rot = 0

    def chunks(self, count):
        if self.op.kind == "repeat":
            return [itertools.repeat(None, count)]
        pool = self.pool
        size = len(pool)
        period = self.period
        out = []
        start = self._rot % size
        self._rot += 7919 * (count % size + 1)
        doubled = self.ns["_pool2"]
        while count > 0:
            take = min(period, count)
            if take <= size:
                out.append(doubled[start:start + take])
            else:  # pragma: no cover - period is never longer than the pool
                out.append(list(itertools.islice(itertools.cycle(pool), take)))
            start = (start + take) % size
            count -= take
        return out

    def run(self, count):
        chunks = self.chunks(count)
        return self.fn(chunks, time.perf_counter, self.ns)

    def timed_run(self, count):
        t0 = time.perf_counter()
        try:
            return self.run(count)
        finally:
            self.spent += time.perf_counter() - t0

    def calibrate(self, min_time):
        count = 1
        while True:
            t = self.timed_run(count)
            if t >= min_time or count >= 10 ** 9:
                break
            est = count * min_time * 1.2 / max(t, 1e-9)
            count = int(min(max(est, count * 2), count * 10))
        self.count = count
        self.runs.append(t)

    def per_op(self, stat):
        if not self.runs:
            return None
        best = min(self.runs) if stat == "best" else _median(self.runs)
        div = self.count * (self.n if self.op.per_entry else 1)
        return best / div


def _median(xs):
    xs = sorted(xs)
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2.0


def _err(exc):
    msg = str(exc).strip().splitlines()
    return "%s: %s" % (type(exc).__name__, msg[0] if msg else "")


# ---------------------------------------------------------------------------
# contexts: the base structures of one (structure, keytype, size)


class Group(object):
    """All inputs for one structure/keytype/size, shared by every library."""

    def __init__(self, structure, keytype, n, seed):
        self.structure = structure
        self.keytype = keytype
        self.n = n
        self.seed = seed
        rng = random.Random("pools/%s/%s/%d/%s" % (structure, keytype, n, seed))
        self.period = max(1, n // 10)
        if structure == "map":
            keys, fresh, values = make_map_data(keytype, n, seed)
            self.items = list(zip(keys, values))
            shuffled = list(self.items)
            rng.shuffle(shuffled)
            self.items_shuffled = shuffled
            self.pools = {
                "hit": rng.choices(keys, k=KEY_POOL),
                "miss": rng.choices(fresh, k=KEY_POOL),
                "fresh": fresh,
                "existing": rng.sample(keys, min(n, max(self.period, min(n, KEY_POOL)))),
            }
        else:
            self.elems = make_vector_data(n, seed)
            self.pools = {"index": [rng.randrange(n) for _ in range(KEY_POOL)]}
            self.plan = None

    def label(self):
        if self.structure == "map":
            return "map, %s keys, n = %s" % (self.keytype, format(self.n, ","))
        return "vector, n = %s" % format(self.n, ",")


class LibContext(object):
    """The base structure(s) of one library for one Group."""

    def __init__(self, lib, group):
        self.lib = lib
        self.group = group
        self.ns = lib.namespace()
        self.error = None
        self.extra_error = {}
        g = group
        if g.structure == "map":
            self.ns["items"] = g.items
            self.ns["val"] = -1
            self.ns["_base"] = eval(lib.build, self.ns, {"items": g.items})
        else:
            n = g.n
            self.ns.update(elems=g.elems, x=-1, mid=n // 2, lo=n // 4,
                           hi=(3 * n) // 4)
            self.ns["_base"] = eval(lib.build, self.ns, {"elems": g.elems})
        self.ns["m" if g.structure == "map" else "v"] = self.ns["_base"]

    def need(self, what):
        if what in self.extra_error:
            raise RuntimeError(self.extra_error[what])
        g = self.group
        try:
            if what == "m2" and "m2" not in self.ns:
                self.ns["m2"] = eval(self.lib.build, self.ns,
                                     {"items": g.items_shuffled})
            elif what == "vc" and "vc" not in self.ns:
                if g.plan is None:
                    g.plan = concat_plan(g.n, g.seed)
                concat = self.lib.stmts.get("concat")
                if concat is None:
                    raise RuntimeError("no concatenation")
                self.ns["vc"] = build_concat(self.ns, self.lib.build, concat,
                                             g.elems, g.plan)
            elif what == "halves" and "a" not in self.ns:
                h = g.n // 2
                self.ns["a"] = eval(self.lib.build, self.ns, {"elems": g.elems[:h]})
                self.ns["b"] = eval(self.lib.build, self.ns, {"elems": g.elems[h:]})
        except Exception as exc:
            self.extra_error[what] = _err(exc)
            raise

    def drop(self, what):
        for name in {"m2": ("m2",), "vc": ("vc",), "halves": ("a", "b")}[what]:
            self.ns.pop(name, None)

    def make_cell(self, op):
        g = self.group
        for what in op.needs:
            self.need(what)
        stmt = self.lib.stmts[op.name]
        var = "m" if g.structure == "map" else "v"
        if op.kind == "keys":
            pool = g.pools[op.pool]
            period = g.period if op.chain else len(pool)
            period = min(period, len(pool))
        else:
            pool, period = None, None
        ns = dict(self.ns)
        fn = compile_bench(stmt, var, ns)
        if pool is not None:
            ns["_pool2"] = pool + pool
        return Cell(self.lib, op, fn, ns, pool, period, g.n)


# ---------------------------------------------------------------------------
# memory (child process)


def _rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except Exception:
        pass
    try:
        import psutil
        return psutil.Process().memory_info().rss
    except Exception:
        return None


def _trim():
    gc.collect()
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except Exception:
        pass


def memory_worker(spec):
    """Run in a child process: measure one library's memory per entry, by
    RSS growth (mode "rss") or by tracemalloc (mode "tracemalloc")."""
    structure, key, keytype, n, seed, target, mode = (
        spec["structure"], spec["library"], spec["keytype"], spec["n"],
        spec["seed"], spec["target"], spec["mode"])
    lib = [lb for lb in LIBS[structure] if lb.key == key][0]
    ns = lib.namespace()
    keep = []  # every object made while preparing the data stays alive, so
    #            that no freed block is reused by the structure (undercount)
    if structure == "map":
        keys, fresh, values = make_map_data(keytype, n, seed, keep=keep)
        arg = {"items": list(zip(keys, values))}
        keep.append(fresh)
    else:
        arg = {"elems": make_vector_data(n, seed)}
    code = compile(lib.build, "<build>", "eval")
    # warm up (imports, caches) on a tiny input: a full-size warm-up would
    # leave freed memory behind that the measured builds reuse.
    small = {name: value[:2] for name, value in arg.items()}
    keep.append(eval(code, ns, small))
    if mode == "tracemalloc":
        import tracemalloc
        _trim()
        tracemalloc.start()
        t0 = tracemalloc.get_traced_memory()[0]
        s = eval(code, ns, dict(arg))
        t1 = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del s
        return {"tracemalloc_bytes_per_entry": (t1 - t0) / float(n)}
    copies = max(1, int(math.ceil(target / float(n))))
    hold = [None] * copies
    _trim()
    rss0 = _rss_bytes()
    if rss0 is None:
        raise RuntimeError("cannot read the process's RSS (no /proc, no psutil)")
    for i in range(copies):
        hold[i] = eval(code, ns, dict(arg))
    _trim()
    rss1 = _rss_bytes()
    return {"copies": copies,
            "rss_bytes_per_entry": (rss1 - rss0) / float(copies * n)}


def _memory_worker_main(argv):
    spec = json.loads(argv[0])
    try:
        out = memory_worker(spec)
    except Exception as exc:
        out = {"error": _err(exc)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


def _child_env():
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = here + (os.pathsep + old if old else "")
    return env


def measure_memory(lib, group, target, timeout=1800):
    out = {}
    for mode in ("rss", "tracemalloc") if not lib.foreign_alloc else ("rss",):
        spec = {"structure": group.structure, "library": lib.key,
                "keytype": group.keytype, "n": group.n, "seed": group.seed,
                "target": target, "mode": mode}
        out.update(_memory_child(spec, timeout))
    return out


def _memory_child(spec, timeout):
    cmd = [sys.executable, "-c",
           "import sys; from march.bench import _memory_worker_main; "
           "_memory_worker_main(sys.argv[1:])", json.dumps(spec)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=_child_env(), timeout=timeout,
                          universal_newlines=True)
    if proc.returncode != 0:
        if proc.returncode < 0 and proc.returncode == -2:
            raise KeyboardInterrupt
        tail = (proc.stderr.strip().splitlines() or ["exit status %d" % proc.returncode])[-1]
        raise RuntimeError("memory child failed: %s" % tail)
    lines = proc.stdout.strip().splitlines()
    out = json.loads(lines[-1])
    if "error" in out:
        raise RuntimeError(out["error"])
    return out


# ---------------------------------------------------------------------------
# the run


class Options(object):
    def __init__(self, **kw):
        self.sizes = list(DEFAULT_SIZES)
        self.ops = None
        self.structures = list(STRUCTURES)
        self.keytypes = list(KEYTYPES)
        self.libs = None
        self.repeat = DEFAULT_REPEAT
        self.min_time = DEFAULT_MIN_TIME
        self.cell_budget = DEFAULT_CELL_BUDGET
        self.memory_entries = DEFAULT_MEMORY_ENTRIES
        self.stat = "best"
        self.seed = 1
        self.quick = False
        self.quiet = False
        self.json = None
        self.plot = None
        self.markdown = False
        self.__dict__.update(kw)


def selected_ops(structure, opts):
    ops = OPS[structure]
    if opts.ops is None:
        return list(ops)
    return [op for op in ops if op.name in opts.ops]


def library_status(structure, opts):
    """OrderedDict key -> info dict (available, version / skip reason, pip)."""
    out = OrderedDict()
    for lib in LIBS[structure]:
        if opts.libs is not None and lib.key not in opts.libs:
            continue
        ok, info = lib.available()
        d = {"label": lib.label, "available": ok, "pip": lib.pip,
             "note": lib.note}
        if ok:
            d["version"] = info
        else:
            d["reason"] = info
            d["install"] = ("pip install %s" % lib.pip) if lib.pip else None
        out[lib.key] = d
    return out


def _fmt_time(sec):
    if sec is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if sec >= scale or unit == "ns":
            v = sec / scale
            if v >= 100:
                return "%.0f %s" % (v, unit)
            if v >= 10:
                return "%.1f %s" % (v, unit)
            return "%.2f %s" % (v, unit)


def _fmt_bytes(b):
    if b is None:
        return "-"
    return "%.1f B" % b


class Runner(object):
    def __init__(self, opts, out=None, err=None):
        self.opts = opts
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.results = []
        self.libraries = {}
        self.interrupted = False
        self.sigint = False
        self.started = time.time()
        self.done_ops = 0

    def progress(self, msg):
        if not self.opts.quiet:
            self.err.write("[%6.1fs] %s\n" % (time.time() - self.started, msg))
            self.err.flush()

    def groups(self):
        for structure in self.opts.structures:
            if not selected_ops(structure, self.opts):
                continue
            keytypes = self.opts.keytypes if structure == "map" else [None]
            for n in self.opts.sizes:
                for kt in keytypes:
                    yield structure, kt, n

    def record(self, group, lib, op, **fields):
        r = OrderedDict([
            ("structure", group.structure), ("keytype", group.keytype),
            ("size", group.n), ("op", op.name), ("label", op.title), ("expr", op.expr),
            ("unit", op.unit), ("library", lib.key)])
        r.update(fields)
        self.results.append(r)
        return r

    def run(self):
        restore = self._catch_sigint()
        try:
            for structure in self.opts.structures:
                if selected_ops(structure, self.opts):
                    self.libraries[structure] = library_status(structure, self.opts)
            for structure, kt, n in self.groups():
                self.run_group(structure, kt, n)
        except KeyboardInterrupt:
            self.interrupted = True
            self.progress("interrupted: reporting what was measured so far")
        finally:
            restore()
        return self.results

    def _catch_sigint(self):
        """Ctrl-C raises KeyboardInterrupt as usual and also sets
        self.sigint, which stops the run before its next cell: Python drops
        an exception raised while a finalizer (a __del__, a generator being
        collected) runs, so the interrupt alone can be lost.  Returns the
        function that puts the previous handler back."""
        try:
            previous = signal.getsignal(signal.SIGINT)
            if previous is not signal.default_int_handler:
                return lambda: None

            def handler(signum, frame):
                self.sigint = True
                raise KeyboardInterrupt

            signal.signal(signal.SIGINT, handler)
        except ValueError:  # not the main thread
            return lambda: None
        return lambda: signal.signal(signal.SIGINT, previous)

    def check_interrupt(self):
        if self.sigint:
            raise KeyboardInterrupt

    def run_group(self, structure, keytype, n):
        """Measure one structure/keytype/size.  Library after library: only
        the structures of the library being measured are alive, so that the
        cyclic GC (enabled) does not charge one library for traversing
        another's objects."""
        opts = self.opts
        group = Group(structure, keytype, n, opts.seed)
        gc.collect()  # untracks the atomic (key, value) tuples once for all
        libs = [lb for lb in LIBS[structure]
                if lb.key in self.libraries[structure]
                and self.libraries[structure][lb.key]["available"]]
        ops = selected_ops(structure, opts)
        timed = [op for op in ops if op.kind != "memory"]
        for lib in libs:
            if not timed:
                break
            t0 = time.time()
            try:
                ctx = LibContext(lib, group)
                ctx_err = None
            except Exception as exc:
                ctx, ctx_err = None, "building the structure: " + _err(exc)
            self.progress_line(group, lib, "(base structure built)",
                               None if ctx_err is None else ctx_err,
                               time.time() - t0)
            for op in timed:
                self.check_interrupt()
                t0 = time.time()
                r = self.run_timed(group, lib, op, ctx, ctx_err)
                self.progress_line(group, lib, op.name, _cell_text(r), time.time() - t0)
            del ctx
            gc.collect()
        for op in ops:
            if op.kind == "memory":
                for lib in libs:
                    self.check_interrupt()
                    t0 = time.time()
                    r = self.run_memory(group, lib, op)
                    self.progress_line(group, lib, op.name, _cell_text(r),
                                       time.time() - t0)

    def progress_line(self, group, lib, what, result, elapsed):
        if result is None:
            return
        where = group.structure + ("/" + group.keytype if group.keytype else "")
        self.progress("%s n=%s %s %s: %s (%.1fs)" % (
            where, format(group.n, ","), lib.key, what, result, elapsed))

    def run_timed(self, group, lib, op, ctx, ctx_err):
        opts = self.opts
        stmt = lib.stmts.get(op.name)
        if stmt is None:
            return self.record(group, lib, op, status="n/a",
                               reason=lib.missing.get(op.name, "not available"))
        if ctx_err is not None:
            return self.record(group, lib, op, status="error", error=ctx_err)
        try:
            try:
                cell = ctx.make_cell(op)
                cell.calibrate(opts.min_time)
                while len(cell.runs) < opts.repeat and cell.spent < opts.cell_budget:
                    cell.runs.append(cell.timed_run(cell.count))
            finally:
                for what in op.needs:
                    ctx.drop(what)
        except Exception as exc:
            return self.record(group, lib, op, status="error", error=_err(exc))
        return self.record(group, lib, op, status="ok",
                           seconds=cell.per_op(opts.stat),
                           ops_per_run=cell.count, runs=cell.runs, stmt=stmt)

    def run_memory(self, group, lib, op):
        try:
            res = measure_memory(lib, group, self.opts.memory_entries)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            return self.record(group, lib, op, status="error", error=_err(exc))
        return self.record(group, lib, op, status="ok",
                           bytes_per_entry=res["rss_bytes_per_entry"],
                           tracemalloc_bytes_per_entry=res.get("tracemalloc_bytes_per_entry"),
                           tracemalloc_applies=not lib.foreign_alloc,
                           copies=res["copies"])


def _cell_value(r):
    if r.get("status") != "ok":
        return None
    if r["op"] == "memory":
        return r.get("bytes_per_entry")
    return r.get("seconds")


def _cell_text(r, ratio=False, ref=None):
    st = r.get("status")
    if st == "n/a":
        return "n/a"
    if st == "error":
        e = r.get("error", "error")
        return "error: " + e.split(":")[0]
    v = _cell_value(r)
    s = _fmt_bytes(v) if r["op"] == "memory" else _fmt_time(v)
    if ratio and ref and v is not None:
        s += " %5.2fx" % (v / ref)
    return s


# ---------------------------------------------------------------------------
# report


def machine_info():
    info = OrderedDict()
    info["platform"] = platform.platform()
    info["machine"] = platform.machine()
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except Exception:
        pass
    info["cpu_model"] = model or platform.processor() or None
    info["cpu_count"] = os.cpu_count()
    try:
        info["affinity_cpus"] = len(os.sched_getaffinity(0))
    except Exception:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memory_total_bytes"] = int(line.split()[1]) * 1024
    except Exception:
        pass
    try:
        info["loadavg"] = list(os.getloadavg())
    except Exception:
        pass
    return info


def march_info():
    import march
    return OrderedDict([("version", getattr(march, "__version__", "?")),
                        ("implementation", getattr(march, "IMPLEMENTATION", "?")),
                        ("file", os.path.dirname(os.path.abspath(march.__file__)))])


MEMORY_NOTE = (
    "memory: bytes per entry of the structure alone (keys/values excluded), "
    "measured in a fresh child process per cell as RSS growth (/proc/self/statm "
    "or psutil, after gc.collect() and malloc_trim) around building copies of "
    "the structure from pre-built keys/values (about --memory-entries entries "
    "in all), so memory from any allocator counts (rpds-py allocates outside "
    "Python's); in brackets: tracemalloc bytes per entry (exact, but only "
    "memory from Python's allocators; n/a* for libraries that allocate "
    "elsewhere).")


def notes(opts):
    return [
        "time per operation (per entry for rows whose 'per' column says entry); ratio = "
        "time / march's time (>1: march is faster; for memory >1: march is "
        "smaller).",
        "timing: loops of at least %gs, GC enabled, %s of %d runs (fewer when "
        "a cell's runs already took %gs), random pre-generated keys/indices; "
        "one library at a time, with only its own structures alive (so the "
        "GC never traverses another library's objects); "
        "persistent updates are chained (m = m.set(k, v)), restarting from the "
        "base structure every n/10 operations; 'set new key' uses keys not in "
        "the map." % (opts.min_time, opts.stat, opts.repeat, opts.cell_budget),
        "dict/list have no persistent operations: their set/delete/append/"
        "insert are copy-then-modify (m.copy(); m[k] = v), the O(n) baseline; "
        "list a + b and slices copy too.",
        "vector 'concat-built': built from %d random pieces by random "
        "concatenations of neighbours; 'append-built' is built by the "
        "constructor from a list (dense, the shape n appends give)."
        % CONCAT_PIECES,
        MEMORY_NOTE,
    ]


def build_report(runner, argv):
    opts = runner.opts
    return OrderedDict([
        ("schema", SCHEMA),
        ("command", "python -m march bench " + " ".join(shlex.quote(a) for a in argv)),
        ("argv", list(argv)),
        ("date", datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")),
        ("duration_seconds", round(time.time() - runner.started, 3)),
        ("interrupted", runner.interrupted),
        ("python", OrderedDict([
            ("version", platform.python_version()),
            ("implementation", platform.python_implementation()),
            ("full", sys.version),
            ("executable", sys.executable)])),
        ("machine", machine_info()),
        ("march", march_info()),
        ("options", OrderedDict([
            ("sizes", opts.sizes), ("ops", opts.ops), ("structures", opts.structures),
            ("keytypes", opts.keytypes), ("libs", opts.libs),
            ("repeat", opts.repeat), ("min_time", opts.min_time),
            ("cell_budget", opts.cell_budget),
            ("memory_entries", opts.memory_entries), ("stat", opts.stat),
            ("seed", opts.seed), ("quick", opts.quick)])),
        ("libraries", runner.libraries),
        ("notes", notes(opts)),
        ("results", runner.results),
    ])


def _groups_in(results):
    seen = OrderedDict()
    for r in results:
        seen.setdefault((r["structure"], r["keytype"], r["size"]), []).append(r)
    return seen


def format_tables(report, markdown=False):
    """The human-readable tables of a report (dict as in the JSON)."""
    lines = []
    libraries = report.get("libraries", {})
    foot = []
    for (structure, keytype, size), rows in _groups_in(report["results"]).items():
        libs = [k for k, d in libraries.get(structure, {}).items() if d.get("available")]
        for r in rows:
            if r["library"] not in libs:
                libs.append(r["library"])
        if "march" in libs:
            libs.remove("march")
            libs.insert(0, "march")
        title = ("map, %s keys, n = %s" % (keytype, format(size, ","))
                 if structure == "map" else "vector, n = %s" % format(size, ","))
        ops = []
        by = {}
        for r in rows:
            if r["op"] not in ops:
                ops.append(r["op"])
            by[(r["op"], r["library"])] = r
        header = ["operation", "per"] + [
            libraries.get(structure, {}).get(k, {}).get("label", k) for k in libs]
        table = []
        for opname in ops:
            some = next(r for r in rows if r["op"] == opname)
            ref_r = by.get((opname, "march"))
            ref = _cell_value(ref_r) if ref_r else None
            label = some["label"] + ((" " + some["expr"]) if some.get("expr") else "")
            if opname == "memory":
                label = "memory (RSS)"
            row = [label, some["unit"] if opname != "memory" else "B/entry"]
            for k in libs:
                r = by.get((opname, k))
                if r is None:
                    row.append("")
                    continue
                txt = _cell_text(r, ratio=(k != "march"), ref=ref)
                if r.get("status") == "error":
                    foot.append("%s %s %s: %s" % (title, k, opname, r.get("error")))
                    txt += " [%d]" % len(foot)
                row.append(txt)
            table.append(row)
            if opname == "memory":
                tm = ["  tracemalloc", "B/entry"]
                tref = by.get(("memory", "march"), {}).get("tracemalloc_bytes_per_entry")
                for k in libs:
                    r = by.get((opname, k))
                    if r is None or r.get("status") != "ok":
                        tm.append("")
                    elif not r.get("tracemalloc_applies", True):
                        tm.append("n/a*")
                    else:
                        v = r.get("tracemalloc_bytes_per_entry")
                        s = _fmt_bytes(v)
                        if k != "march" and tref and v is not None:
                            s += " %5.2fx" % (v / tref)
                        tm.append(s)
                table.append(tm)
        lines.extend(_render(title, header, table, markdown))
        lines.append("")
    skipped = []
    for structure, libs in libraries.items():
        for k, d in libs.items():
            if not d.get("available"):
                skipped.append("%s (%s): skipped, not importable (%s)%s" % (
                    d.get("label", k), structure, d.get("reason"),
                    "; add it with: " + d["install"] if d.get("install") else ""))
    versions = []
    for structure, libs in libraries.items():
        for k, d in libs.items():
            if d.get("available"):
                versions.append("%s %s" % (d.get("label", k), d.get("version")))
    if versions:
        lines.extend(textwrap.wrap("Libraries: " + ", ".join(versions), 78,
                                   subsequent_indent="  "))
        lines.append("")
    if skipped:
        lines.append("Skipped:")
        lines.extend("  " + s for s in skipped)
        lines.append("")
    na = OrderedDict()
    for r in report["results"]:
        if r.get("status") == "n/a":
            key = "%s %s" % (libraries.get(r["structure"], {}).get(r["library"], {}).get("label", r["library"]), r.get("reason"))
            na.setdefault(key, []).append(r["op"])
    if na:
        lines.append("n/a:")
        for key, opsl in na.items():
            lines.append("  %s (%s)" % (key, ", ".join(sorted(set(opsl)))))
        lines.append("")
    if foot:
        lines.append("Errors:")
        lines.extend("  [%d] %s" % (i + 1, f) for i, f in enumerate(foot))
        lines.append("")
    lines.append("Notes:")
    for note in report.get("notes", []):
        lines.extend(textwrap.wrap(note, 78, initial_indent="  - ",
                                   subsequent_indent="    "))
    m = report.get("march", {})
    mach = report.get("machine", {})
    lines.append("")
    lines.append("march %s (implementation: %s), Python %s, %s, %s cpus, %s" % (
        m.get("version"), m.get("implementation"),
        report.get("python", {}).get("version"), mach.get("cpu_model"),
        mach.get("cpu_count"), report.get("date")))
    if report.get("interrupted"):
        lines.append("INTERRUPTED: partial results.")
    return "\n".join(lines) + "\n"


def _render(title, header, table, markdown):
    if markdown:
        out = ["#### " + title, "",
               "| " + " | ".join(header) + " |",
               "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"]
        for row in table:
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
        return out
    widths = [max(len(str(r[i])) for r in [header] + table) for i in range(len(header))]
    out = ["== %s ==" % title]
    fmt = lambda row: "  ".join(  # noqa: E731
        (str(c).ljust(w) if i < 2 else str(c).rjust(w))
        for i, (c, w) in enumerate(zip(row, widths))).rstrip()
    out.append(fmt(header))
    out.append("  ".join("-" * w for w in widths))
    out.extend(fmt(r) for r in table)
    return out


# ---------------------------------------------------------------------------
# plot


def _import_pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib, which is not installed "
                         "(pip install matplotlib)")
    return plt


def plot_report(report, path):
    """Draw the report: one panel per structure/keytype and size, time per
    operation on a log scale, grouped by operation, a colour per library;
    plus a memory-per-entry panel per structure/keytype."""
    plt = _import_pyplot()
    groups = _groups_in(report["results"])
    rows = []
    for (structure, keytype, size) in groups:
        key = (structure, keytype)
        if key not in rows:
            rows.append(key)
    sizes = sorted(set(s for (_, _, s) in groups))
    libraries = report.get("libraries", {})
    all_libs = []
    for structure in libraries:
        for k in libraries[structure]:
            if k not in all_libs:
                all_libs.append(k)
    for r in report["results"]:
        if r["library"] not in all_libs:
            all_libs.append(r["library"])
    cmap = plt.get_cmap("tab10")
    colour = {k: cmap(i % 10) for i, k in enumerate(all_libs)}
    has_mem = any(r["op"] == "memory" for r in report["results"])
    ncols = len(sizes) + (1 if has_mem else 0)
    fig, axes = plt.subplots(len(rows) or 1, ncols or 1,
                             figsize=(5.5 * max(ncols, 1), 3.8 * max(len(rows), 1)),
                             squeeze=False)
    handles = {}
    for ri, (structure, keytype) in enumerate(rows):
        libnames = [k for k in all_libs
                    if any(r["library"] == k and r["structure"] == structure
                           for r in report["results"])]
        label_of = lambda k: libraries.get(structure, {}).get(k, {}).get("label", k)  # noqa: E731
        for ci, size in enumerate(sizes):
            ax = axes[ri][ci]
            rs = [r for r in groups.get((structure, keytype, size), [])
                  if r["op"] != "memory"]
            ops = []
            for r in rs:
                if r["op"] not in ops:
                    ops.append(r["op"])
            width = 0.8 / max(1, len(libnames))
            for li, k in enumerate(libnames):
                xs, ys = [], []
                for oi, opname in enumerate(ops):
                    r = next((r for r in rs if r["op"] == opname and r["library"] == k), None)
                    v = _cell_value(r) if r else None
                    if v:
                        xs.append(oi + (li - (len(libnames) - 1) / 2.0) * width)
                        ys.append(v)
                if xs:
                    h = ax.bar(xs, ys, width=width, color=colour[k], label=label_of(k))
                    handles.setdefault(k, (h, label_of(k)))
            ax.set_yscale("log")
            ax.set_xticks(range(len(ops)))
            ax.set_xticklabels(ops, rotation=45, ha="right", fontsize=8)
            ax.set_ylabel("seconds per op (or per entry)", fontsize=8)
            ax.set_title("%s%s, n=%s" % (structure, " (%s keys)" % keytype if keytype else "",
                                         format(size, ",")), fontsize=10)
            ax.grid(axis="y", which="both", alpha=0.3)
            if not rs:
                ax.set_visible(False)
        if has_mem:
            ax = axes[ri][ncols - 1]
            width = 0.8 / max(1, len(libnames))
            any_bar = False
            for li, k in enumerate(libnames):
                xs, ys = [], []
                for si, size in enumerate(sizes):
                    r = next((r for r in groups.get((structure, keytype, size), [])
                              if r["op"] == "memory" and r["library"] == k), None)
                    v = _cell_value(r) if r else None
                    if v and v > 0:
                        xs.append(si + (li - (len(libnames) - 1) / 2.0) * width)
                        ys.append(v)
                if xs:
                    any_bar = True
                    h = ax.bar(xs, ys, width=width, color=colour[k], label=label_of(k))
                    handles.setdefault(k, (h, label_of(k)))
            ax.set_xticks(range(len(sizes)))
            ax.set_xticklabels(["n=%s" % format(s, ",") for s in sizes], fontsize=8)
            ax.set_ylabel("bytes per entry (RSS)", fontsize=8)
            ax.set_title("%s%s: memory" % (structure, " (%s keys)" % keytype if keytype else ""),
                         fontsize=10)
            ax.grid(axis="y", alpha=0.3)
            if not any_bar:
                ax.set_visible(False)
    if handles:
        fig.legend([h for h, _ in handles.values()], [lab for _, lab in handles.values()],
                   loc="upper center", bbox_to_anchor=(0.5, 0.975),
                   ncol=min(len(handles), 7), fontsize=9)
    m = report.get("march", {})
    fig.suptitle("march %s (%s) vs peers; Python %s; %s" % (
        m.get("version"), m.get("implementation"),
        report.get("python", {}).get("version"), report.get("date", "")),
        y=0.998, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    fig.savefig(path, dpi=90)
    plt.close(fig)


# ---------------------------------------------------------------------------
# command line


class UsageError(Exception):
    pass


def _parse_size(text):
    t = text.strip().lower().replace("_", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1000000, t[:-1]
    try:
        if "e" in t:
            val = float(t) * mult
            if val != int(val):
                raise ValueError
            val = int(val)
        else:
            val = int(t) * mult
    except ValueError:
        val = None
    if val is None or not 1 <= val <= MAX_SIZE:
        raise UsageError(
            "invalid size %r: sizes are integers from 1 to %s, e.g. "
            "1000,100000,1000000 (also 1k, 100k, 1M, 1e6)" % (text, format(MAX_SIZE, ",")))
    return val


def _split(text):
    return [p.strip() for p in text.split(",") if p.strip()]


def _parse_ops(text):
    valid = all_op_names()
    out = []
    for name in _split(text):
        names = OP_ALIASES.get(name, (name,))
        for nm in names:
            if nm not in valid:
                raise UsageError("unknown op %r; valid ops: %s (aliases: %s)" % (
                    name, ", ".join(valid), ", ".join(sorted(OP_ALIASES))))
            if nm not in out:
                out.append(nm)
    if not out:
        raise UsageError("no op given; valid ops: %s" % ", ".join(valid))
    return out


def _parse_choice(text, valid, what):
    out = []
    for name in _split(text):
        if name not in valid:
            raise UsageError("unknown %s %r; valid %ss: %s" % (what, name, what, ", ".join(valid)))
        if name not in out:
            out.append(name)
    if not out:
        raise UsageError("no %s given; valid %ss: %s" % (what, what, ", ".join(valid)))
    return out


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def make_parser(prog="python -m march bench"):
    p = _Parser(
        prog=prog,
        description="Benchmark march's Map and Vector against dict/list, "
                    "immutables, pyrsistent, pyrsistent-extras and rpds-py "
                    "(whichever are importable), in one process on the same data.",
        epilog="ops: map: %s; vector: %s; aliases: %s. Exit status: 0 done, "
               "2 bad usage, 130 interrupted (Ctrl-C: the table of what was "
               "measured so far is printed and the JSON written)." % (
                   ", ".join(o.name for o in MAP_OPS),
                   ", ".join(o.name for o in VECTOR_OPS),
                   ", ".join("%s=%s" % (k, "+".join(v)) for k, v in sorted(OP_ALIASES.items()))))
    p.add_argument("--sizes", help="comma-separated sizes (default 1000,100000,1000000; "
                                   "with --quick 1000,10000)")
    p.add_argument("--ops", help="comma-separated operations (default: all)")
    p.add_argument("--structures", help="map,vector (default: both)")
    p.add_argument("--keys", help="map key types: str,int (default: both)")
    p.add_argument("--libs", help="only these libraries (march, immutables, pyrsistent, "
                                  "pyrsistent-extras, rpds-py, dict, list)")
    p.add_argument("--quick", action="store_true",
                   help="small sizes and short runs: a smoke run under 30 seconds")
    p.add_argument("--repeat", type=int, help="runs per cell (default %d; --quick %d)"
                   % (DEFAULT_REPEAT, QUICK_REPEAT))
    p.add_argument("--stat", choices=("best", "median"), default="best",
                   help="report the best (default) or the median run")
    p.add_argument("--min-time", type=float,
                   help="minimum seconds per run (default %g; --quick %g)"
                   % (DEFAULT_MIN_TIME, QUICK_MIN_TIME))
    p.add_argument("--cell-budget", type=float, metavar="SECONDS",
                   help="no further repeats of a cell once its runs took this "
                        "long in all (default %g; --quick %g): slow peers at "
                        "large sizes get fewer runs" % (DEFAULT_CELL_BUDGET, QUICK_CELL_BUDGET))
    p.add_argument("--memory-entries", type=int,
                   help="entries built per memory measurement (default %d; --quick %d)"
                   % (DEFAULT_MEMORY_ENTRIES, QUICK_MEMORY_ENTRIES))
    p.add_argument("--seed", type=int, default=1, help="random seed of the data (default 1)")
    p.add_argument("--json", metavar="FILE", help="write the raw results as JSON")
    p.add_argument("--plot", metavar="FILE.png", help="draw the results with matplotlib")
    p.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    p.add_argument("--from-json", metavar="FILE",
                   help="do not run: print (and --plot) the results of an earlier --json")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return p


def parse_args(argv):
    a = make_parser().parse_args(argv)
    opts = Options(quick=a.quick, quiet=a.quiet, json=a.json, plot=a.plot,
                   markdown=a.markdown, stat=a.stat, seed=a.seed)
    opts.from_json = a.from_json
    if a.quick:
        opts.sizes = list(QUICK_SIZES)
        opts.repeat = QUICK_REPEAT
        opts.min_time = QUICK_MIN_TIME
        opts.memory_entries = QUICK_MEMORY_ENTRIES
        opts.cell_budget = QUICK_CELL_BUDGET
    if a.sizes is not None:
        sizes = [_parse_size(s) for s in _split(a.sizes)]
        if not sizes:
            raise UsageError("no size given: sizes are integers, e.g. 1000,100000,1000000")
        opts.sizes = list(OrderedDict.fromkeys(sizes))
    if a.ops is not None:
        opts.ops = _parse_ops(a.ops)
    if a.structures is not None:
        opts.structures = _parse_choice(a.structures, STRUCTURES, "structure")
    if a.keys is not None:
        opts.keytypes = _parse_choice(a.keys, KEYTYPES, "key type")
    if a.libs is not None:
        valid = []
        for s in STRUCTURES:
            for lb in LIBS[s]:
                if lb.key not in valid:
                    valid.append(lb.key)
        opts.libs = _parse_choice(a.libs, valid, "library")
    if a.repeat is not None:
        if a.repeat < 1:
            raise UsageError("--repeat must be at least 1")
        opts.repeat = a.repeat
    if a.min_time is not None:
        if not a.min_time >= 0:
            raise UsageError("--min-time must be >= 0")
        opts.min_time = a.min_time
    if a.cell_budget is not None:
        if not a.cell_budget >= 0:
            raise UsageError("--cell-budget must be >= 0")
        opts.cell_budget = a.cell_budget
    if a.memory_entries is not None:
        if a.memory_entries < 1:
            raise UsageError("--memory-entries must be at least 1")
        opts.memory_entries = a.memory_entries
    if opts.ops is not None and not any(selected_ops(s, opts) for s in opts.structures):
        raise UsageError("none of the ops %s applies to the structures %s" % (
            ",".join(opts.ops), ",".join(opts.structures)))
    return opts


def main(argv=None, out=None, err=None):
    """Entry point of ``python -m march bench``; returns the exit status."""
    if argv is None:
        argv = sys.argv[1:]
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        opts = parse_args(argv)
        if opts.plot:
            _import_pyplot()
    except UsageError as exc:
        err.write("python -m march bench: error: %s\n" % exc)
        return 2
    if opts.from_json:
        try:
            with open(opts.from_json) as f:
                report = json.load(f)
        except (OSError, ValueError) as exc:
            err.write("python -m march bench: error: cannot read %s: %s\n" % (opts.from_json, exc))
            return 2
        runner = None
    else:
        runner = Runner(opts, out=out, err=err)
        runner.run()
        report = build_report(runner, argv)
    try:
        out.write(format_tables(report, markdown=opts.markdown))
        out.flush()
    except KeyboardInterrupt:
        pass
    status = 130 if report.get("interrupted") else 0
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
    if opts.plot:
        try:
            plot_report(report, opts.plot)
        except UsageError as exc:
            err.write("python -m march bench: error: %s\n" % exc)
            return 2
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
