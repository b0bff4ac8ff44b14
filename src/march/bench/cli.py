"""The command line: ``python -m march bench [options]``."""
import argparse
import json
import sys
from collections import OrderedDict

from . import plot, threads
from .operations import (DEFAULT_STRUCTURES, KEYTYPES, LIBS, MAP_OPS, MAX_SIZE, OP_ALIASES,
                         PYRSISTENT_OPS, QUICK_DOC_BYTES, STRUCTURES, VECTOR_OPS, all_op_names)
from .report import build_report, format_tables
from .runner import (DEFAULT_CELL_BUDGET, DEFAULT_MEMORY_ENTRIES, DEFAULT_MIN_TIME, DEFAULT_REPEAT,
                     QUICK_CELL_BUDGET, QUICK_MEMORY_ENTRIES, QUICK_MIN_TIME, QUICK_REPEAT, QUICK_SIZES,
                     Options, Runner, selected_ops)

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


def _parse_thread_counts(text):
    out = []
    for part in _split(text):
        try:
            n = int(part)
        except ValueError:
            n = None
        if n is None or not 1 <= n <= threads.MAX_THREADS:
            raise UsageError("invalid thread count %r: thread counts are integers from 1 "
                             "to %d, e.g. 1,2,4" % (part, threads.MAX_THREADS))
        if n not in out:
            out.append(n)
    if not out:
        raise UsageError("no thread count given: thread counts are integers, e.g. 1,2,4")
    if 1 not in out:
        out.append(1)  # the reference of the speedup
    return sorted(out)


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
        epilog="ops: map: %s; vector: %s; pyrsistent: %s; aliases: %s. Exit status: 0 done, "
               "2 bad usage, 130 interrupted (Ctrl-C: the table of what was "
               "measured so far is printed and the JSON written)." % (
                   ", ".join(o.name for o in MAP_OPS),
                   ", ".join(o.name for o in VECTOR_OPS),
                   ", ".join(o.name for o in PYRSISTENT_OPS),
                   ", ".join("%s=%s" % (k, "+".join(v)) for k, v in sorted(OP_ALIASES.items()))))
    p.add_argument("--sizes", help="comma-separated sizes (default 1000,100000,1000000; "
                                   "with --quick 1000,10000)")
    p.add_argument("--ops", help="comma-separated operations (default: all)")
    p.add_argument("--structures",
                   help="map,vector,pyrsistent (default: %s). pyrsistent: march.pyrsistent "
                        "against pyrsistent itself: pmap get/set/remove/build/iterate/== "
                        "at each size and key type, freeze/thaw of a JSON document of "
                        "about 1 MB (--quick 100 kB) and PRecord create/set, once; "
                        "skipped when pyrsistent is not importable"
                        % ",".join(DEFAULT_STRUCTURES))
    p.add_argument("--keys", help="map (and pyrsistent pmap) key types: str,int (default: both)")
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
    p.add_argument("--plot", metavar="FILE.png",
                   help="draw the results with matplotlib: FILE.png, each peer's time "
                        "relative to march's, and FILE-absolute.png, the absolute times")
    p.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    p.add_argument("--from-json", metavar="FILE",
                   help="do not run: print (and --plot) the results of an earlier --json")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    t = p.add_argument_group(
        "threads", "python -m march bench --threads [--quick] [--json FILE]: instead of the "
        "tables above, the throughput of threads sharing ONE Map / Vector (march, a dict/list "
        "reference, immutables if importable), the single-thread cost relative to dict/list, "
        "and whether the build is free-threaded and the GIL on. With --threads only --quick, "
        "--repeat, --stat, --min-time, --cell-budget, --seed, --json, --markdown and -q apply.")
    t.add_argument("--threads", action="store_true",
                   help="run the threads section (default run under a minute, --quick "
                        "under 10 seconds)")
    t.add_argument("--thread-counts", metavar="N,N,...",
                   help="numbers of threads (default %s; 1 is always measured: the "
                        "speedup's reference)" % ",".join(map(str, threads.DEFAULT_THREAD_COUNTS)))
    t.add_argument("--thread-size", metavar="N",
                   help="entries of the shared Map and Vector (default %s)"
                   % format(threads.DEFAULT_SIZE, ","))
    t.add_argument("--thread-ops", metavar="N",
                   help="operations per thread per run (default: calibrated so that a "
                        "1-thread run lasts --min-time: %gs, --quick %gs)"
                   % (threads.DEFAULT_RUN_TIME, threads.QUICK_RUN_TIME))
    return p


def _parse_thread_args(a):
    for flag, val in (("--sizes", a.sizes), ("--ops", a.ops), ("--structures", a.structures),
                      ("--keys", a.keys), ("--libs", a.libs),
                      ("--memory-entries", a.memory_entries), ("--plot", a.plot),
                      ("--from-json", a.from_json)):
        if val is not None:
            raise UsageError("%s does not apply with --threads" % flag)
    opts = threads.ThreadOptions(quick=a.quick, quiet=a.quiet, json=a.json,
                                 markdown=a.markdown, stat=a.stat, seed=a.seed)
    if a.quick:
        opts.run_time = threads.QUICK_RUN_TIME
        opts.repeat = threads.QUICK_REPEAT
        opts.cell_budget = threads.QUICK_CELL_BUDGET
    if a.thread_counts is not None:
        opts.thread_counts = _parse_thread_counts(a.thread_counts)
    if a.thread_size is not None:
        try:
            opts.size = _parse_size(a.thread_size)
        except UsageError:
            raise UsageError("invalid --thread-size %r: an integer from 1 to %s, e.g. "
                             "100000 or 100k" % (a.thread_size, format(MAX_SIZE, ",")))
    if a.thread_ops is not None:
        try:
            opts.ops = _parse_size(a.thread_ops)
        except UsageError:
            raise UsageError("invalid --thread-ops %r: an integer of at least 1, e.g. "
                             "100000 or 100k" % a.thread_ops)
    if a.repeat is not None:
        if a.repeat < 1:
            raise UsageError("--repeat must be at least 1")
        opts.repeat = a.repeat
    if a.min_time is not None:
        if not a.min_time >= 0:
            raise UsageError("--min-time must be >= 0")
        opts.run_time = a.min_time
    if a.cell_budget is not None:
        if not a.cell_budget >= 0:
            raise UsageError("--cell-budget must be >= 0")
        opts.cell_budget = a.cell_budget
    return opts


def parse_args(argv):
    a = make_parser().parse_args(argv)
    if a.threads:
        return _parse_thread_args(a)
    for flag, val in (("--thread-counts", a.thread_counts), ("--thread-size", a.thread_size),
                      ("--thread-ops", a.thread_ops)):
        if val is not None:
            raise UsageError("%s applies only with --threads" % flag)
    opts = Options(quick=a.quick, quiet=a.quiet, json=a.json, plot=a.plot,
                   markdown=a.markdown, stat=a.stat, seed=a.seed)
    opts.from_json = a.from_json
    if a.quick:
        opts.sizes = list(QUICK_SIZES)
        opts.repeat = QUICK_REPEAT
        opts.min_time = QUICK_MIN_TIME
        opts.memory_entries = QUICK_MEMORY_ENTRIES
        opts.cell_budget = QUICK_CELL_BUDGET
        opts.doc_bytes = QUICK_DOC_BYTES
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
        if not isinstance(opts, threads.ThreadOptions) and opts.plot:
            plot.import_pyplot()
    except (UsageError, plot.MatplotlibMissing) as exc:
        err.write("python -m march bench: error: %s\n" % exc)
        return 2
    if isinstance(opts, threads.ThreadOptions):
        return threads.main(opts, argv, out, err)
    if opts.from_json:
        try:
            with open(opts.from_json) as f:
                report = json.load(f)
        except (OSError, ValueError) as exc:
            err.write("python -m march bench: error: cannot read %s: %s\n" % (opts.from_json, exc))
            return 2
        runner = None
        if isinstance(report, dict) and report.get("schema") == threads.SCHEMA:
            if opts.plot:
                err.write("python -m march bench: error: --plot does not apply to a "
                          "--threads report\n")
                return 2
            out.write(threads.format_tables(report, markdown=opts.markdown))
            return 130 if report.get("interrupted") else 0
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
            plot.plot_report(report, opts.plot)
        except plot.MatplotlibMissing as exc:
            err.write("python -m march bench: error: %s\n" % exc)
            return 2
    return status
