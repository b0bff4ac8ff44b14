"""How a cell is timed.

``compile_bench`` compiles a library's statement into a loop (like
``timeit``); a ``Cell`` calibrates the number of operations per run and
collects the runs; ``Group`` holds the inputs of one structure / key type /
size (shared by every library) and ``LibContext`` the base structures one
library builds from them.
"""
import itertools
import random
import textwrap
import time

from .operations import (DOC_GROUP, KEY_POOL, _err, build_concat, concat_plan, group_title,
                         make_json_document, make_map_data, make_vector_data)

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
        if structure == "pyrsistent" and keytype == DOC_GROUP:
            # n is the target size in bytes of the JSON document
            self.doc, self.n = make_json_document(n, seed)  # n: its actual size
            self.period = 1000
            self.pools = {"ints": [rng.randrange(10 ** 6) for _ in range(KEY_POOL)]}
        elif structure in ("map", "pyrsistent"):
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
        if self.structure == "pyrsistent":
            return group_title("pyrsistent", self.keytype, self.n)
        if self.structure == "map":
            return "map, %s keys, n = %s" % (self.keytype, format(self.n, ","))
        return "vector, n = %s" % format(self.n, ",")


_VAR = {("map", False): "m", ("pyrsistent", False): "m", ("pyrsistent", True): "r"}


class LibContext(object):
    """The base structure(s) of one library for one Group."""

    def __init__(self, lib, group):
        self.lib = lib
        self.group = group
        self.ns = lib.namespace()
        self.error = None
        self.extra_error = {}
        g = group
        if g.structure == "pyrsistent" and g.keytype == DOC_GROUP:
            self.ns["doc"] = None  # filled by need("doc") / need("frozen")
            self.ns["_base"] = eval("Rec(name='ada', count=3, score=1.5, active=True)",
                                    self.ns)
            self.ns["r"] = self.ns["_base"]
            return
        if g.structure == "pyrsistent":
            self.ns["items"] = g.items
            self.ns["d"] = dict(g.items)
            self.ns["val"] = -1
            self.ns["_base"] = eval(lib.build, self.ns)
            self.ns["m"] = self.ns["_base"]
            return
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
                local = ({"d": dict(g.items_shuffled)} if g.structure == "pyrsistent"
                         else {"items": g.items_shuffled})
                self.ns["m2"] = eval(self.lib.build, self.ns, local)
            elif what == "doc":
                self.ns["doc"] = g.doc
            elif what == "frozen" and "frozen" not in self.ns:
                self.ns["frozen"] = eval("freeze(doc)", self.ns, {"doc": g.doc})
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
        for name in {"m2": ("m2",), "vc": ("vc",), "halves": ("a", "b"),
                     "doc": (), "frozen": ("frozen",)}[what]:
            self.ns.pop(name, None)

    def make_cell(self, op):
        g = self.group
        for what in op.needs:
            self.need(what)
        stmt = self.lib.stmts[op.name]
        var = _VAR.get((g.structure, g.keytype == DOC_GROUP), "v")
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
