"""The charts of a report (matplotlib).

``plot_report(report, "chart.png")`` writes two figures:

* ``chart.png``, the summary: for each structure (and key type) a table of
  operations x (peer, size) whose cells give the peer's time divided by
  march's time (march = 1), coloured on a log scale and labelled "3.2x
  slower" / "2.0x faster" (memory: "larger" / "smaller");
* ``chart-absolute.png``, the detail: the absolute times per operation on log
  scales, one panel per structure, key type and size, plus memory per entry.
"""
import math
import os

from .report import _cell_value, _groups_in


class MatplotlibMissing(Exception):
    """``--plot`` was asked for but matplotlib cannot be imported."""


def import_pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MatplotlibMissing("--plot needs matplotlib, which is not installed "
                                "(pip install matplotlib)")
    return plt


def absolute_path(path):
    """Where the absolute-times figure of ``path`` goes: ``x.png`` -> ``x-absolute.png``."""
    root, ext = os.path.splitext(path)
    return root + "-absolute" + ext


def plot_report(report, path):
    """Write the summary (time relative to march) to ``path`` and the
    absolute times to ``absolute_path(path)``; return both paths."""
    plot_relative(report, path)
    detail = absolute_path(path)
    plot_absolute(report, detail)
    return [path, detail]


# ---------------------------------------------------------------------------
# the summary: each peer relative to march

RATIO_SPAN = 2.0        # colours saturate at 10**RATIO_SPAN (100x) either way
SAME = 1.05             # within 5% of march: "same"


def _short_size(n):
    for div, suffix in ((10 ** 6, "M"), (10 ** 3, "k")):
        if n >= div and n % div == 0:
            return "%d%s" % (n // div, suffix)
    return format(n, ",")


def _times(x):
    if x >= 100:
        return "{:,.0f}x".format(x)
    if x >= 10:
        return "%.0fx" % x
    return "%.1fx" % x


def ratio_label(ratio, memory=False):
    """``3.2x slower`` / ``2.0x faster`` / ``same`` for a peer / march ratio
    (memory: ``larger`` / ``smaller``)."""
    if ratio >= SAME:
        return "%s %s" % (_times(ratio), "larger" if memory else "slower")
    if ratio <= 1.0 / SAME:
        return "%s %s" % (_times(1.0 / ratio), "smaller" if memory else "faster")
    return "same"


def _summary_rows(report):
    """[(title, ops [(name, label)], peers [(key, label)], sizes, cells)] per
    structure / key type; cells[(op, peer, size)] = ratio, "n/a", "error" or
    None (no march figure to compare with)."""
    groups = _groups_in(report["results"])
    libraries = report.get("libraries", {})
    out = []
    seen = []
    for (structure, keytype, _) in groups:
        if (structure, keytype) not in seen:
            seen.append((structure, keytype))
    for structure, keytype in seen:
        rs = [r for (s, k, _), rows in groups.items() if (s, k) == (structure, keytype)
              for r in rows]
        sizes = sorted(set(r["size"] for r in rs))
        ops, peers = [], []
        for r in rs:
            label = "memory (bytes)" if r["op"] == "memory" else (
                r.get("label", r["op"]) + (("  " + r["expr"]) if r.get("expr") else ""))
            if r["op"] not in [o for o, _ in ops]:
                ops.append((r["op"], label))
        # memory last, as in the tables
        ops.sort(key=lambda o: o[0] == "memory")
        order = list(libraries.get(structure, {}))
        keys = [k for k in order if any(r["library"] == k for r in rs)]
        keys += [r["library"] for r in rs if r["library"] not in keys]
        keys = list(dict.fromkeys(keys))
        for k in keys:
            if k != "march":
                peers.append((k, libraries.get(structure, {}).get(k, {}).get("label", k)))
        by = {(r["op"], r["library"], r["size"]): r for r in rs}
        cells = {}
        for op, _ in ops:
            for size in sizes:
                ref_r = by.get((op, "march", size))
                ref = _cell_value(ref_r) if ref_r else None
                for k, _ in peers:
                    r = by.get((op, k, size))
                    if r is None:
                        continue
                    if r.get("status") in ("n/a", "error"):
                        cells[(op, k, size)] = r["status"]
                        continue
                    v = _cell_value(r)
                    cells[(op, k, size)] = (v / ref) if (ref and v) else None
        if structure == "map":
            title = "map, %s keys" % keytype
        elif structure == "pyrsistent":
            title = ("pyrsistent: freeze/thaw, PRecord" if keytype == "doc"
                     else "pyrsistent: pmap, %s keys" % keytype)
        else:
            title = structure
        out.append((title, ops, peers, sizes, cells))
    return out


def plot_relative(report, path):
    """The summary figure: one table per structure / key type, rows =
    operations, columns = peers x sizes, each cell the peer's time (or
    memory) divided by march's, on a diverging log colour scale (blue: the
    peer is slower than march, red: faster) and labelled in words."""
    plt = import_pyplot()
    from matplotlib.colors import TwoSlopeNorm
    panels = [p for p in _summary_rows(report) if p[2]]
    cmap = plt.get_cmap("RdBu").with_extremes(bad="#e8e8e8")   # n/a: grey
    norm = TwoSlopeNorm(vmin=-RATIO_SPAN, vcenter=0.0, vmax=RATIO_SPAN)
    ncols = max([len(p[2]) * len(p[3]) for p in panels] or [1])
    nsizes = max([len(p[3]) for p in panels] or [1])
    cell_w, cell_h = max(0.82, 1.5 / nsizes), 0.30     # a peer's columns: >= 1.5 in
    heights = [len(p[1]) * cell_h + 0.95 for p in panels] or [1.0]
    needed = 2.3 + ncols * cell_w + 0.3
    fig_w = max(needed, 9.5)        # room for the titles; the tables are centred
    left = 2.3 + (fig_w - needed) / 2.0
    fig_h = sum(heights) + 1.8
    fig = plt.figure(figsize=(fig_w, fig_h))
    y = 1.0 - 1.1 / fig_h           # the top of the first panel's headings
    im = None
    for title, ops, peers, sizes, cells in panels:
        ax_h = len(ops) * cell_h / fig_h
        y -= 0.72 / fig_h
        ax = fig.add_axes([left / fig_w, y - ax_h, len(peers) * len(sizes) * cell_w / fig_w, ax_h])
        y -= ax_h + 0.23 / fig_h
        ncol = len(peers) * len(sizes)
        grid = [[float("nan")] * ncol for _ in ops]
        for i, (op, _) in enumerate(ops):
            for j, (k, _) in enumerate(peers):
                for s, size in enumerate(sizes):
                    c = j * len(sizes) + s
                    v = cells.get((op, k, size))
                    if isinstance(v, float) and v > 0:
                        grid[i][c] = math.log10(v)
                    if v is None or isinstance(v, str):
                        text, colour = ("-" if v is None else v), "#555555"
                    else:
                        text = ratio_label(v, memory=(op == "memory")).replace(" ", "\n", 1)
                        colour = "white" if abs(math.log10(v)) > 0.6 * RATIO_SPAN else "black"
                    ax.text(c, i, text, ha="center", va="center", fontsize=6.5, color=colour,
                            linespacing=0.95)
        im = ax.imshow(grid, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
        ax.set_yticks(range(len(ops)))
        ax.set_yticklabels([label for _, label in ops], fontsize=8)
        ax.set_xticks(range(ncol))
        ax.set_xticklabels([_short_size(s) for _ in peers for s in sizes], fontsize=7)
        ax.xaxis.tick_top()
        ax.tick_params(length=0, pad=2)
        for j in range(1, len(peers)):
            ax.axvline(j * len(sizes) - 0.5, color="white", lw=3)
        for i in range(1, len(ops)):
            ax.axhline(i - 0.5, color="white", lw=0.6)
        for side in ax.spines.values():
            side.set_visible(False)
        for j, (_, label) in enumerate(peers):
            if len(label) * 0.075 > len(sizes) * cell_w and "." in label:
                label = label.replace(".", ".\n", 1)      # too wide: two lines
            ax.text((j + 0.5) * len(sizes) - 0.5, -1.05, label, ha="center", va="bottom",
                    fontsize=8, fontweight="bold", linespacing=1.0)
        ax.text(-0.5, -1.9, title, ha="right", va="bottom", fontsize=10, fontweight="bold",
                transform=ax.transData)
    m = report.get("march", {})
    all_sizes = sorted(set(n for p in panels for n in p[3]))
    fig.suptitle("Each peer's time relative to march's (march = 1), per operation and size "
                 "(n = %s entries)" % ", ".join(_short_size(n) for n in all_sizes),
                 x=0.5, y=1.0 - 0.12 / fig_h, va="top", fontsize=11, fontweight="bold")
    fig.text(0.5, 1.0 - 0.45 / fig_h,
             "\"3.2x slower\": the peer takes 3.2 times march's time (blue: march is faster); "
             "\"2.0x faster\": half of it (red).  Memory: bytes per entry.\n"
             "march %s (%s), Python %s, %s" % (
                 m.get("version"), m.get("implementation"),
                 report.get("python", {}).get("version"), (report.get("date") or "")[:10]),
             ha="center", va="top", fontsize=7.5)
    if im is not None:
        cax = fig.add_axes([0.30, 0.35 / fig_h, 0.40, 0.14 / fig_h])
        bar = fig.colorbar(im, cax=cax, orientation="horizontal")
        ticks = list(range(-int(RATIO_SPAN), int(RATIO_SPAN) + 1))
        bar.set_ticks(ticks)
        bar.set_ticklabels(["same as march" if t == 0 else "%sx %s" % (
            format(10 ** abs(t), ","), "slower" if t > 0 else "faster") for t in ticks])
        bar.ax.tick_params(labelsize=7)
        bar.ax.set_title("the peer's time (memory) divided by march's, log scale", fontsize=7)
    else:
        fig.text(0.5, 0.5, "no march results to compare with", ha="center", va="center")
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------------
# the detail: absolute times

def plot_absolute(report, path):
    """The detail: one panel per structure/keytype and size, absolute time
    per operation on a log scale, grouped by operation, a colour per
    library; plus a memory-per-entry panel per structure/keytype."""
    plt = import_pyplot()
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
        # one colour per library key across structures: the legend names
        # every class it stands for (pyrsistent.pmap / pyrsistent.pvector)
        label_of = lambda k: " / ".join(dict.fromkeys(  # noqa: E731
            libraries.get(st, {}).get(k, {}).get("label", k)
            for st in (list(libraries) or [structure])
            if k in libraries.get(st, {}) or not libraries)) or k
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
    fig.suptitle("march %s (%s) vs peers, absolute times; Python %s; %s" % (
        m.get("version"), m.get("implementation"),
        report.get("python", {}).get("version"), report.get("date", "")),
        y=0.998, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    fig.savefig(path, dpi=90)
    plt.close(fig)
