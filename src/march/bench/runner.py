"""The run: every selected structure / key type / size, library after
library, operation after operation; the options it follows.

``Runner.run()`` measures (timing in this process, memory in child
processes) and collects one result dict per (library, operation) cell.
"""
import gc
import signal
import sys
import time
from collections import OrderedDict

from .memory import measure_memory
from .operations import (DEFAULT_STRUCTURES, DOC_BYTES, DOC_GROUP, KEYTYPES, LIBS, OPS,
                         REQUIRED_LIBS, _err)
from .report import _cell_text
from .timing import Group, LibContext

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


class Options(object):
    def __init__(self, **kw):
        self.sizes = list(DEFAULT_SIZES)
        self.ops = None
        self.structures = list(DEFAULT_STRUCTURES)
        self.keytypes = list(KEYTYPES)
        self.libs = None
        self.repeat = DEFAULT_REPEAT
        self.min_time = DEFAULT_MIN_TIME
        self.cell_budget = DEFAULT_CELL_BUDGET
        self.memory_entries = DEFAULT_MEMORY_ENTRIES
        self.doc_bytes = DOC_BYTES
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
        self.skipped_groups = OrderedDict()  # structure -> why it was not run

    def progress(self, msg):
        if not self.opts.quiet:
            self.err.write("[%6.1fs] %s\n" % (time.time() - self.started, msg))
            self.err.flush()

    def groups(self):
        for structure in self.opts.structures:
            ops = selected_ops(structure, self.opts)
            if not ops or structure in self.skipped_groups:
                continue
            keytypes = self.opts.keytypes if structure in ("map", "pyrsistent") else [None]
            if structure != "pyrsistent" or any(op.scope == "pmap" for op in ops):
                for n in self.opts.sizes:
                    for kt in keytypes:
                        yield structure, kt, n
            if structure == "pyrsistent" and any(op.scope == "doc" for op in ops):
                yield structure, DOC_GROUP, self.opts.doc_bytes

    def skip_unavailable_groups(self):
        """A group that compares against a library (REQUIRED_LIBS) is not
        run at all when that library cannot be imported."""
        for structure, status in self.libraries.items():
            for key in REQUIRED_LIBS.get(structure, ()):
                d = status.get(key)
                if d is not None and not d["available"]:
                    why = "%s is not importable (%s)" % (d["label"], d["reason"])
                    if d.get("install"):
                        why += "; add it with: " + d["install"]
                    self.skipped_groups[structure] = why
                    self.progress("%s group skipped: %s" % (structure, why))

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
            self.skip_unavailable_groups()
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
        if structure == "pyrsistent":
            ops = [op for op in ops if (op.scope == "doc") == (keytype == DOC_GROUP)]
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
        if group.keytype == DOC_GROUP:
            where += " bytes"
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
