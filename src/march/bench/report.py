"""The report: the JSON document of a run and its human-readable tables
(plain text or Markdown), with each time's ratio to march's.
"""
import datetime
import os
import platform
import shlex
import sys
import textwrap
import time
from collections import OrderedDict

from .operations import CONCAT_PIECES, group_title

SCHEMA = "march-bench/1"


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


PYRSISTENT_NOTE = (
    "pyrsistent group: march.pyrsistent against pyrsistent, the same statements "
    "for both (ratio = pyrsistent's time / march.pyrsistent's); pmap build is "
    "pmap(dict) from a dict of the n items; 'equal' compares two equal maps built "
    "separately (the second from the items shuffled); freeze/thaw work on a "
    "deterministic JSON-like document (a list of nested records with str, int, "
    "float, bool, None, lists and dicts) whose json.dumps is the size in the "
    "title; the PRecord has 4 typed fields (str, int, float, bool); its set is "
    "chained (r = r.set(count=k)), restarting every 1,000 operations.")


def notes(opts):
    structures = getattr(opts, "structures", ("map", "vector"))
    out = [
        "time per operation (per entry for rows whose 'per' column says entry); ratio = "
        "time / march's time (>1: march is faster; for memory >1: march is "
        "smaller).",
        "timing: loops of at least %gs, GC enabled, %s of %d runs (fewer when "
        "a cell's runs already took %gs), random pre-generated keys/indices; "
        "one library at a time, with only its own structures alive (so the "
        "GC never traverses another library's objects); "
        "persistent updates are chained (m = m.set(k, v)), restarting from the "
        "base structure every n/10 operations; 'set new key' uses keys not in "
        "the map." % (opts.min_time, opts.stat, opts.repeat, opts.cell_budget)]
    if "pyrsistent" in structures:
        out.append(PYRSISTENT_NOTE)
    if "map" not in structures and "vector" not in structures:
        return out
    return out + [
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
            ("seed", opts.seed), ("quick", opts.quick),
            ("doc_bytes", getattr(opts, "doc_bytes", None))])),
        ("libraries", runner.libraries),
        ("skipped_groups", runner.skipped_groups),
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
        title = group_title(structure, keytype, size)
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
    for structure, why in report.get("skipped_groups", {}).items():
        skipped.insert(0, "the %s group: not run, %s" % (structure, why))
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
