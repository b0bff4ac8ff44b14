"""The threads section: ``python -m march bench --threads``.

Measures, on the interpreter that runs it:

* the throughput of N threads working on ONE shared ``march.Map`` (int
  keys) and ONE shared ``march.Vector``: every thread runs the same fixed
  number of operations of one kind (``lookup``: ``m[k]`` / ``v[i]``;
  ``set``: the derivation ``m.set(k, x)`` / ``v.set(i, x)``, result
  discarded), all threads started together on a ``threading.Barrier``; the
  total operations per second and the speedup over 1 thread.  The same loops
  on a shared ``dict`` / ``list`` (lookups only) are the interpreter's own
  reference, and ``immutables.Map`` is measured beside march when it can be
  imported;
* the single-thread cost of march relative to the builtins (Map lookup /
  dict lookup, Map set / ``d[k] = x``, Vector get / list get, Vector set /
  ``l[i] = x``), so that the ratio on a free-threaded build can be compared
  with the ratio on a GIL build;
* whether the build is free-threaded and whether the GIL is enabled at run
  time.

march and the builtins are measured first: on a free-threaded build
importing ``immutables`` (whose C extension does not declare free-threading
support) turns the GIL on for the rest of the process, so it is imported
only afterwards, and every result records whether the GIL was on.

Nothing here asserts speed.
"""
import datetime
import gc
import platform
import random
import shlex
import sys
import sysconfig
import textwrap
import threading
import time
import warnings
from collections import OrderedDict

from .operations import _dist_version, _err
from .report import _fmt_time, _render, machine_info, march_info

SCHEMA = "march-bench-threads/1"

DEFAULT_THREAD_COUNTS = (1, 2)
MAX_THREADS = 256
DEFAULT_SIZE = 100000
POOL = 10000              # keys / indices per thread, cycled over
MIN_OPS = 1000            # operations per thread and run, at the least
DEFAULT_RUN_TIME = 0.2    # seconds of a 1-thread run (sets the ops per thread)
QUICK_RUN_TIME = 0.02
DEFAULT_REPEAT = 5
QUICK_REPEAT = 3
DEFAULT_CELL_BUDGET = 3.0
QUICK_CELL_BUDGET = 0.3

# map keys: j -> a distinct pseudo-random int below 2**40 (the multiplier is
# odd, so this is a bijection modulo 2**40); values are small ints (immortal
# on 3.12+, so reading one does not touch a shared reference count)
_MULT = 2654435761
_ADD = 0x5DEECE66D
_MASK = (1 << 40) - 1
SET_VALUE = None  # the value of every set: not in the structures, so never a no-op


def map_key(j):
    return (j * _MULT + _ADD) & _MASK


class ThreadOptions(object):
    def __init__(self, **kw):
        self.thread_counts = list(DEFAULT_THREAD_COUNTS)
        self.size = DEFAULT_SIZE
        self.ops = None          # operations per thread; None: calibrated
        self.run_time = DEFAULT_RUN_TIME
        self.repeat = DEFAULT_REPEAT
        self.cell_budget = DEFAULT_CELL_BUDGET
        self.stat = "best"
        self.seed = 1
        self.quick = False
        self.quiet = False
        self.json = None
        self.markdown = False
        self.__dict__.update(kw)


# ---------------------------------------------------------------------------
# the loops: tight, the structure and the method in locals

def _lookup(obj, chunks):
    for ks in chunks:
        for k in ks:
            obj[k]


def _derive(obj, chunks):
    s = obj.set
    x = SET_VALUE
    for ks in chunks:
        for k in ks:
            s(k, x)


def _store(obj, chunks):
    x = SET_VALUE
    for ks in chunks:
        for k in ks:
            obj[k] = x


def _empty(obj, chunks):
    for ks in chunks:
        for k in ks:
            pass


def _chunks(pool, ops):
    """``ops`` operations over ``pool``: the pool repeated, then a prefix."""
    full, rest = divmod(ops, len(pool))
    out = [pool] * full
    if rest:
        out.append(pool[:rest])
    return out


def gil_status():
    """(free-threaded build, GIL enabled now); the second is None if unknown."""
    ft = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    check = getattr(sys, "_is_gil_enabled", None)
    if check is not None:
        return ft, bool(check())
    return ft, (None if ft else True)


def python_info():
    ft, gil = gil_status()
    return OrderedDict([
        ("version", platform.python_version()),
        ("implementation", platform.python_implementation()),
        ("full", sys.version),
        ("executable", sys.executable),
        ("free_threaded_build", ft),
        ("gil_check", "sys._is_gil_enabled()" if hasattr(sys, "_is_gil_enabled")
         else "none (no sys._is_gil_enabled: the GIL is always on)"),
        ("gil_enabled_at_start", gil),
    ])


def _fmt_rate(ops_per_s):
    if ops_per_s is None:
        return "-"
    for unit, scale in (("G/s", 1e9), ("M/s", 1e6), ("k/s", 1e3)):
        if ops_per_s >= scale:
            v = ops_per_s / scale
            return ("%.0f %s" if v >= 100 else "%.1f %s" if v >= 10 else "%.2f %s") % (v, unit)
    return "%.0f /s" % ops_per_s


def _fmt_ns(sec):
    return _fmt_time(sec)


def _pick(values, stat):
    values = sorted(values)
    if stat == "median":
        return values[len(values) // 2]
    return values[0]


# ---------------------------------------------------------------------------
# what is measured

class Subject(object):
    """One structure of one library and one kind of operation."""

    def __init__(self, structure, library, label, op, expr, fn, obj_name, reference=False):
        self.structure = structure
        self.library = library
        self.label = label
        self.op = op
        self.expr = expr
        self.fn = fn
        self.obj_name = obj_name
        self.reference = reference


MAP_INT = "map"
VECTOR = "vector"


class Data(object):
    """The shared structures and the per-thread pools of keys."""

    def __init__(self, n, seed):
        self.n = n
        self.seed = seed
        self.objs = {}

    def build_march(self):
        import march
        n = self.n
        items = {map_key(j): j & 255 for j in range(n)}
        self.objs["march-map"] = march.Map(items)
        self.objs["march-vector"] = march.Vector([j & 255 for j in range(n)])
        self.objs["dict"] = items
        self.objs["list"] = [j & 255 for j in range(n)]

    def build_immutables(self, immutables):
        self.objs["immutables-map"] = immutables.Map(self.objs["dict"])

    def pool(self, structure, tid, size=POOL):
        """Random keys (map) or indices (vector), built by the calling
        thread (so they are its own int objects), deterministic per thread."""
        rnd = random.Random("threads/%s/%s/%d" % (structure, self.seed, tid))
        r = rnd.randrange
        n = self.n
        if structure == MAP_INT:
            return [(r(n) * _MULT + _ADD) & _MASK for _ in range(size)]
        return [r(n) for _ in range(size)]


def march_subjects():
    return [
        Subject(MAP_INT, "march", "march.Map", "lookup", "m[k]", _lookup, "march-map"),
        Subject(MAP_INT, "march", "march.Map", "set", "m.set(k, x)", _derive, "march-map"),
        Subject(VECTOR, "march", "march.Vector", "lookup", "v[i]", _lookup, "march-vector"),
        Subject(VECTOR, "march", "march.Vector", "set", "v.set(i, x)", _derive, "march-vector"),
        Subject(MAP_INT, "dict", "dict", "lookup", "d[k]", _lookup, "dict", reference=True),
        Subject(VECTOR, "list", "list", "lookup", "l[i]", _lookup, "list", reference=True),
    ]


def immutables_subjects():
    return [
        Subject(MAP_INT, "immutables", "immutables.Map", "lookup", "m[k]", _lookup,
                "immutables-map"),
        Subject(MAP_INT, "immutables", "immutables.Map", "set", "m.set(k, x)", _derive,
                "immutables-map"),
    ]


# single thread, relative to the builtins: (structure, op, library, expr, fn, obj)
SINGLE_MARCH = [
    (MAP_INT, "lookup", "march", "m[k]", _lookup, "march-map"),
    (MAP_INT, "lookup", "dict", "d[k]", _lookup, "dict"),
    (MAP_INT, "set", "march", "m.set(k, x)", _derive, "march-map"),
    (MAP_INT, "set", "dict", "d[k] = x", _store, "dict-copy"),
    (VECTOR, "lookup", "march", "v[i]", _lookup, "march-vector"),
    (VECTOR, "lookup", "list", "l[i]", _lookup, "list"),
    (VECTOR, "set", "march", "v.set(i, x)", _derive, "march-vector"),
    (VECTOR, "set", "list", "l[i] = x", _store, "list-copy"),
    (MAP_INT, "loop", "loop", "for k in keys: pass", _empty, "dict"),
]
SINGLE_IMMUTABLES = [
    (MAP_INT, "lookup", "immutables", "m[k]", _lookup, "immutables-map"),
    (MAP_INT, "lookup", "dict", "d[k]", _lookup, "dict"),
    (MAP_INT, "set", "immutables", "m.set(k, x)", _derive, "immutables-map"),
    (MAP_INT, "set", "dict", "d[k] = x", _store, "dict-copy"),
]
BUILTIN = {MAP_INT: "dict", VECTOR: "list"}
STRUCTURE_LABELS = {MAP_INT: "Map", VECTOR: "Vector"}
SINGLE_LABELS = OrderedDict([
    ((MAP_INT, "lookup"), "Map lookup"),
    ((MAP_INT, "set"), "Map set"),
    ((VECTOR, "lookup"), "Vector get"),
    ((VECTOR, "set"), "Vector set"),
])


# ---------------------------------------------------------------------------
# the run

def run_threads(fn, obj, data, structure, nthreads, ops):
    """One run: ``nthreads`` threads, ``ops`` operations each on ``obj``;
    returns the wall time from the first start to the last end."""
    barrier = threading.Barrier(nthreads)
    spans = [None] * nthreads
    errors = []

    def work(tid):
        try:
            pool = data.pool(structure, tid, min(POOL, ops))
            chunks = _chunks(pool, ops)
            barrier.wait()
            t0 = time.perf_counter()
            fn(obj, chunks)
            spans[tid] = (t0, time.perf_counter())
        except threading.BrokenBarrierError:
            pass
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(tid,), name="march-bench-%d" % tid,
                                daemon=True) for tid in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return max(s[1] for s in spans) - min(s[0] for s in spans)


def calibrate(fn, obj, pool, run_time):
    """Operations (at least MIN_OPS) so that one run of ``fn`` in one thread
    lasts about run_time."""
    count = min(MIN_OPS, len(pool))
    fn(obj, _chunks(pool, count))  # warm up
    while True:
        t0 = time.perf_counter()
        fn(obj, _chunks(pool, count))
        dt = time.perf_counter() - t0
        if dt >= run_time / 5 or count >= len(pool):
            break
        count = min(count * 10, len(pool))
    return max(MIN_OPS, int(run_time * count / max(dt, 1e-9)))


class ThreadRunner(object):
    def __init__(self, opts, argv=(), out=None, err=None):
        self.opts = opts
        self.argv = list(argv)
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.started = time.time()
        self.python = python_info()
        self.libraries = OrderedDict()
        self.threads = []
        self.single = []
        self.interrupted = False
        self.data = Data(opts.size, opts.seed)

    def progress(self, msg):
        if not self.opts.quiet:
            self.err.write("[%6.1fs] %s\n" % (time.time() - self.started, msg))
            self.err.flush()

    def run(self):
        try:
            self.progress("building the structures (n = %s)" % format(self.opts.size, ","))
            self.data.build_march()
            for subj in march_subjects():
                self.measure_subject(subj)
            self.measure_single(SINGLE_MARCH)
            immutables = self.import_immutables()
            if immutables is not None:
                self.data.build_immutables(immutables)
                for subj in immutables_subjects():
                    self.measure_subject(subj)
                self.measure_single(SINGLE_IMMUTABLES, after_import=True)
        except KeyboardInterrupt:
            self.interrupted = True
            self.progress("interrupted: reporting what was measured so far")
        return self

    def import_immutables(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                import immutables
            except Exception as exc:
                self.libraries["immutables"] = OrderedDict([
                    ("label", "immutables.Map"), ("available", False),
                    ("reason", "%s: %s" % (type(exc).__name__, exc)),
                    ("install", "pip install immutables")])
                self.progress("immutables: not importable, skipped")
                return None
        _, gil = gil_status()
        info = OrderedDict([("label", "immutables.Map"), ("available", True),
                            ("version", _dist_version("immutables")),
                            ("gil_enabled_after_import", gil)])
        msgs = [str(w.message) for w in caught if "GIL" in str(w.message)]
        if msgs:
            info["import_warning"] = msgs[0]
        self.libraries["immutables"] = info
        return immutables

    def measure_subject(self, subj):
        opts = self.opts
        obj = self.data.objs[subj.obj_name]
        gc.collect()
        base = OrderedDict([
            ("structure", subj.structure), ("library", subj.library), ("label", subj.label),
            ("op", subj.op), ("expr", subj.expr), ("reference", subj.reference)])
        try:
            ops = opts.ops or calibrate(subj.fn, obj, self.data.pool(subj.structure, 0),
                                        opts.run_time)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            self._record_subject(base, None, {nt: [] for nt in opts.thread_counts}, _err(exc))
            return
        counts = opts.thread_counts
        runs = {nt: [] for nt in counts}
        spent = {nt: 0.0 for nt in counts}
        error = None
        try:
            for _ in range(opts.repeat):
                for nt in counts:
                    if runs[nt] and spent[nt] >= opts.cell_budget:
                        continue
                    wall = run_threads(subj.fn, obj, self.data, subj.structure, nt, ops)
                    runs[nt].append(wall)
                    spent[nt] += wall
        except KeyboardInterrupt:
            self._record_subject(base, ops, runs, None)
            raise
        except Exception as exc:
            error = _err(exc)
        self._record_subject(base, ops, runs, error)

    def _record_subject(self, base, ops, runs, error):
        _, gil = gil_status()
        one = None
        for nt in self.opts.thread_counts:
            r = OrderedDict(base)
            r.update([("threads", nt), ("ops_per_thread", ops),
                      ("total_ops", nt * ops if ops else None), ("gil_enabled", gil)])
            if not runs[nt]:
                r.update(status="error", error=error or "interrupted")
                self.threads.append(r)
                continue
            sec = _pick(runs[nt], self.opts.stat)
            rate = nt * ops / sec if sec > 0 else None
            if nt == 1:
                one = rate
            r.update([("status", "ok"), ("runs", runs[nt]), ("seconds", sec),
                      ("ops_per_second", rate),
                      ("speedup", rate / one if (one and rate) else None)])
            self.threads.append(r)
            self.progress("threads: %s %s %s, %d thread%s: %s%s" % (
                base["structure"], base["library"], base["op"], nt, "s" if nt > 1 else "",
                _fmt_rate(rate), (" (%.2fx)" % r["speedup"]) if r["speedup"] else ""))

    def measure_single(self, cells, after_import=False):
        """Single thread, in this thread, round robin over the cells."""
        opts = self.opts
        data = self.data
        objs = dict(data.objs)
        objs["dict-copy"] = dict(data.objs["dict"])
        objs["list-copy"] = list(data.objs["list"])
        gc.collect()
        pools = {s: data.pool(s, 0) for s in (MAP_INT, VECTOR)}
        n = len(cells)
        counts, runs, spent, errors = [None] * n, [[] for _ in cells], [0.0] * n, [None] * n

        try:
            for i, (structure, op, lib, expr, fn, name) in enumerate(cells):
                try:
                    counts[i] = opts.ops or calibrate(fn, objs[name], pools[structure],
                                                      opts.run_time / 2)
                except Exception as exc:
                    errors[i] = _err(exc)
            for _ in range(opts.repeat):
                for i, (structure, op, lib, expr, fn, name) in enumerate(cells):
                    if errors[i] or (runs[i] and spent[i] >= opts.cell_budget):
                        continue
                    chunks = _chunks(pools[structure], counts[i])
                    obj = objs[name]
                    t0 = time.perf_counter()
                    try:
                        fn(obj, chunks)
                    except Exception as exc:
                        errors[i] = _err(exc)
                        continue
                    dt = time.perf_counter() - t0
                    runs[i].append(dt / counts[i])
                    spent[i] += dt
        finally:
            _, gil = gil_status()
            for i, (structure, op, lib, expr, fn, name) in enumerate(cells):
                r = OrderedDict([
                    ("structure", structure), ("op", op), ("library", lib), ("expr", expr),
                    ("ops_per_run", counts[i]), ("gil_enabled", gil),
                    ("after_immutables_import", after_import)])
                if runs[i]:
                    r.update([("status", "ok"), ("runs", runs[i]),
                              ("seconds_per_op", _pick(runs[i], opts.stat))])
                else:
                    r.update([("status", "error"), ("error", errors[i] or "interrupted")])
                self.single.append(r)
        self.progress("single thread: %s" % ", ".join(
            "%s %s %s" % (r["library"], r["expr"], _fmt_ns(r.get("seconds_per_op"))
                          if r["status"] == "ok" else "error: " + r["error"])
            for r in self.single if r["after_immutables_import"] == after_import))


def ratios(single):
    """march (and immutables) time per op / the builtin's, per (structure, op);
    each against the builtin measured in the same conditions."""
    out = []
    for after in (False, True):
        got = {(r["structure"], r["op"], r["library"]): r for r in single
               if r["after_immutables_import"] == after and r.get("status") == "ok"}
        for (structure, op) in SINGLE_LABELS:
            base = got.get((structure, op, BUILTIN[structure]))
            for lib in ("march", "immutables"):
                r = got.get((structure, op, lib))
                if r is None or base is None:
                    continue
                out.append(OrderedDict([
                    ("structure", structure), ("op", op), ("library", lib),
                    ("expr", r["expr"]), ("builtin", base["library"]),
                    ("builtin_expr", base["expr"]),
                    ("seconds_per_op", r["seconds_per_op"]),
                    ("builtin_seconds_per_op", base["seconds_per_op"]),
                    ("ratio", r["seconds_per_op"] / base["seconds_per_op"]
                     if base["seconds_per_op"] > 0 else None),
                    ("gil_enabled", r["gil_enabled"])]))
    return out


def notes(opts):
    return [
        "throughput: every thread runs the same number of operations "
        "(ops/thread: %s) on the same shared structure, all started together "
        "on a threading.Barrier; total ops/s = threads x ops/thread / (last end "
        "- first start); speedup = ops/s at N threads / ops/s at 1 thread; "
        "%s of up to %d runs per cell (fewer once a cell's runs took %gs)."
        % ("--thread-ops" if opts.ops else
           "calibrated so that a 1-thread run lasts about %gs" % opts.run_time,
           opts.stat, opts.repeat, opts.cell_budget),
        "keys: each thread builds its own list of up to %d random keys/indices "
        "(its own int objects) before the barrier and cycles over it. Map keys: "
        "distinct pseudo-random ints below 2**40; values and elements: small "
        "ints; x = None. Loops: `for k in keys: m[k]`; `s = m.set` then "
        "`for k in keys: s(k, x)`, the derived value discarded (allocation-"
        "heavy: path copying)." % POOL,
        "dict/list rows of the threads table: the same lookup loop on a shared "
        "builtin, the interpreter's own reference for scaling.",
        "single thread: time per operation relative to the builtins on this "
        "interpreter. The builtin 'set' is d[k] = x / l[i] = x, an in-place "
        "store on an unshared dict/list (no copy: the cheapest update there "
        "is, not a persistent one); march's set is a method call returning a "
        "new value. immutables is measured after march (see above), beside "
        "dict measured again: its ratio is to that dict time. 'loop alone' is "
        "the cost of the loop itself, included in every time.",
        "on a build with the GIL, threads do not run Python code in parallel: "
        "a speedup of about 1 or below is expected. The cyclic GC stays "
        "enabled. Nothing here asserts speed; on a busy machine the numbers "
        "are noisy.",
    ]


def build_report(runner):
    opts = runner.opts
    py = OrderedDict(runner.python)
    py["gil_enabled_at_end"] = gil_status()[1]
    return OrderedDict([
        ("schema", SCHEMA),
        ("command", "python -m march bench " + " ".join(shlex.quote(a) for a in runner.argv)),
        ("argv", list(runner.argv)),
        ("date", datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")),
        ("duration_seconds", round(time.time() - runner.started, 3)),
        ("interrupted", runner.interrupted),
        ("python", py),
        ("machine", machine_info()),
        ("march", march_info()),
        ("options", OrderedDict([
            ("thread_counts", opts.thread_counts), ("size", opts.size),
            ("ops_per_thread", opts.ops), ("run_time", opts.run_time),
            ("repeat", opts.repeat), ("cell_budget", opts.cell_budget),
            ("stat", opts.stat), ("seed", opts.seed), ("quick", opts.quick),
            ("pool", POOL)])),
        ("libraries", runner.libraries),
        ("notes", notes(opts)),
        ("threads", runner.threads),
        ("single_thread", runner.single),
        ("ratios", ratios(runner.single)),
    ])


# ---------------------------------------------------------------------------
# the tables

def _yes_no(v):
    return "unknown" if v is None else ("yes" if v else "no")


def header_line(report):
    py = report.get("python", {})
    mach = report.get("machine", {})
    m = report.get("march", {})
    cpus = "%s CPUs" % mach.get("cpu_count")
    if mach.get("affinity_cpus") not in (None, mach.get("cpu_count")):
        cpus += " (%s usable)" % mach.get("affinity_cpus")
    return ("Python %s (%s), free-threaded build: %s, GIL enabled at run time: %s; %s; "
            "march %s (implementation: %s)" % (
                py.get("version"), py.get("implementation"),
                _yes_no(py.get("free_threaded_build")), _yes_no(py.get("gil_enabled_at_start")),
                cpus, m.get("version"), m.get("implementation")))


def format_tables(report, markdown=False):
    lines = [header_line(report), ""]
    py = report.get("python", {})
    gil0 = py.get("gil_enabled_at_start")
    opts = report.get("options", {})
    counts = opts.get("thread_counts", [1])
    size = format(opts.get("size", 0), ",")
    marked = []

    def mark(r):
        if r.get("gil_enabled") != gil0:
            marked.append(r)
            return " [GIL on]" if r.get("gil_enabled") else " [GIL off]"
        return ""

    # throughput
    rows = OrderedDict()
    for r in report.get("threads", []):
        rows.setdefault((r["structure"], r["library"], r["op"]), []).append(r)
    header = ["operation", "library", "ops/thread"] + [
        "%d thread%s" % (n, "s" if n > 1 else "") for n in counts]
    table = []
    for (structure, lib, op), rs in rows.items():
        first = rs[0]
        by = {r.get("threads"): r for r in rs}
        row = ["%s %s %s" % (STRUCTURE_LABELS.get(structure, structure), op, first["expr"]),
               first["label"] + (" (reference)" if first.get("reference") else "") + mark(first),
               format(first["ops_per_thread"], ",") if first.get("ops_per_thread") else "-"]
        for n in counts:
            r = by.get(n)
            if r is None:
                row.append("")
            elif r.get("status") != "ok":
                row.append("error: " + str(r.get("error", "")).split(":")[0])
            else:
                txt = _fmt_rate(r.get("ops_per_second"))
                if n != 1 and r.get("speedup") is not None:
                    txt += " %5.2fx" % r["speedup"]
                row.append(txt)
        table.append(row)
    title = ("threads: one shared Map (%s int keys) / Vector (%s elements); total "
             "operations per second, speedup over 1 thread" % (size, size))
    if table:
        lines.extend(_render(title, header, table, markdown))
        lines.append("")

    # single thread
    header = ["operation", "library", "time/op", "builtin", "time/op", "ratio"]
    table = []
    for lib in ("march", "immutables"):
        for r in report.get("ratios", []):
            if r["library"] != lib:
                continue
            table.append([
                "%s %s" % (SINGLE_LABELS.get((r["structure"], r["op"]), r["op"]), r["expr"]),
                lib + mark(r), _fmt_ns(r["seconds_per_op"]),
                "%s %s" % (r["builtin"], r["builtin_expr"]), _fmt_ns(r["builtin_seconds_per_op"]),
                "%.2fx" % r["ratio"] if r["ratio"] is not None else "-"])
    loop = [r for r in report.get("single_thread", [])
            if r["op"] == "loop" and r.get("status", "ok") == "ok"]
    if loop:
        table.append(["loop alone: " + loop[0]["expr"], "", _fmt_ns(loop[0]["seconds_per_op"]),
                      "", "", ""])
    if table:
        lines.extend(_render("single thread: time per operation / the builtin's (Map: %s "
                             "int keys, Vector: %s elements)" % (size, size),
                             header, table, markdown))
        lines.append("")

    libs = report.get("libraries", {})
    for key, d in libs.items():
        if d.get("available"):
            lines.append("%s %s" % (d.get("label", key), d.get("version")))
            if d.get("import_warning"):
                lines.extend(textwrap.wrap(
                    "importing it: " + d["import_warning"], 78,
                    initial_indent="  ", subsequent_indent="  "))
        else:
            lines.append("%s: skipped, not importable (%s); add it with: %s" % (
                d.get("label", key), d.get("reason"), d.get("install")))
    errors = []
    for r in report.get("threads", []):
        if r.get("status") == "error" and r.get("threads") == 1:
            errors.append("threads, %s %s %s: %s" % (r["structure"], r["library"], r["op"],
                                                       r.get("error")))
    for r in report.get("single_thread", []):
        if r.get("status") == "error":
            errors.append("single thread, %s %s %s: %s" % (r["structure"], r["library"],
                                                            r["op"], r.get("error")))
    if errors:
        lines.append("Errors:")
        lines.extend("  " + e for e in errors)
    if marked:
        lines.append("[GIL on] / [GIL off]: measured with the GIL in the other state "
                     "than at the start (importing immutables can turn it on).")
    if libs or marked or errors:
        lines.append("")
    lines.append("Notes:")
    for note in report.get("notes", []):
        lines.extend(textwrap.wrap(note, 78, initial_indent="  - ", subsequent_indent="    "))
    lines.append("")
    lines.append("%s, %s cpus, %s, %.1fs" % (
        report.get("machine", {}).get("cpu_model"), report.get("machine", {}).get("cpu_count"),
        report.get("date"), report.get("duration_seconds") or 0))
    if report.get("interrupted"):
        lines.append("INTERRUPTED: partial results.")
    return "\n".join(lines) + "\n"


def main(opts, argv, out, err):
    """Run, print the tables, write the JSON; returns the exit status."""
    import json
    runner = ThreadRunner(opts, argv, out=out, err=err).run()
    report = build_report(runner)
    try:
        out.write(format_tables(report, markdown=opts.markdown))
        out.flush()
    except KeyboardInterrupt:
        pass
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
    return 130 if report["interrupted"] else 0
