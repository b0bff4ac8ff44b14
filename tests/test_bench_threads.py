"""Tests of ``python -m march bench --threads``: options, the tables, the
JSON, errors.  Tiny sizes and operation counts; no timing assertions.

In-process runs block ``import immutables``: on a free-threaded build
importing it turns the GIL on for the rest of the process (the test
session); subprocess runs import it freely."""
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import threading

import pytest

import march
from march.bench import cli, plot, threads

SRC = os.path.dirname(os.path.dirname(os.path.abspath(march.__file__)))
TINY = ["--thread-size", "300", "--thread-ops", "200", "--repeat", "1", "-q"]
HAVE_IMMUTABLES = importlib.util.find_spec("immutables") is not None

THREAD_ROWS = ["Map lookup m[k]", "Map set m.set(k, x)", "Vector lookup v[i]",
               "Vector set v.set(i, x)", "Map lookup d[k]", "Vector lookup l[i]"]
SINGLE_ROWS = ["Map lookup m[k]", "Map set m.set(k, x)", "Vector get v[i]",
               "Vector set v.set(i, x)", "loop alone"]
MARCH_CELLS = {("map", "march", "lookup"), ("map", "march", "set"),
               ("vector", "march", "lookup"), ("vector", "march", "set"),
               ("map", "dict", "lookup"), ("vector", "list", "lookup")}
IMMUTABLES_CELLS = {("map", "immutables", "lookup"), ("map", "immutables", "set")}


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONWARNINGS", None)
    return env


def run_cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "march", "bench"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, env=_env(), timeout=timeout)


@pytest.fixture
def no_immutables(monkeypatch):
    """``import immutables`` raises ImportError in this process."""
    monkeypatch.setitem(sys.modules, "immutables", None)


def run_main(*args):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(args), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def _error_lines(stderr):
    # the C-extension fallback warning of `import march` is not ours
    return [ln for ln in stderr.splitlines()
            if ln.strip() and "RuntimeWarning" not in ln and "warnings.warn" not in ln
            and not ln.startswith("  ")]


def check_report(report, counts):
    for key in ("schema", "command", "argv", "date", "duration_seconds", "interrupted",
                "python", "machine", "march", "options", "libraries", "notes",
                "threads", "single_thread", "ratios"):
        assert key in report, key
    assert report["schema"] == threads.SCHEMA
    assert report["command"].startswith("python -m march bench --threads")
    py = report["python"]
    for key in ("version", "free_threaded_build", "gil_enabled_at_start", "gil_enabled_at_end"):
        assert key in py, key
    assert isinstance(py["free_threaded_build"], bool)
    assert "cpu_count" in report["machine"]
    assert report["march"]["implementation"] in ("c", "python")
    assert report["options"]["thread_counts"] == counts
    assert report["interrupted"] is False
    cells = {}
    for r in report["threads"]:
        for key in ("structure", "library", "op", "expr", "threads", "ops_per_thread",
                    "status", "gil_enabled"):
            assert key in r, (key, r)
        assert r["status"] == "ok", r
        assert r["ops_per_second"] > 0 and r["seconds"] > 0 and len(r["runs"]) >= 1
        assert r["total_ops"] == r["threads"] * r["ops_per_thread"]
        cells.setdefault((r["structure"], r["library"], r["op"]), {})[r["threads"]] = r
    for cell, by in cells.items():
        assert sorted(by) == counts, cell
        assert by[1]["speedup"] == 1.0
        assert all(r["speedup"] > 0 for r in by.values())
    for r in report["single_thread"]:
        assert r["seconds_per_op"] > 0 and r["runs"]
    for r in report["ratios"]:
        assert r["builtin"] == {"map": "dict", "vector": "list"}[r["structure"]]
        assert r["ratio"] > 0
    return cells


def test_subprocess_run_table_and_json(tmp_path):
    out = tmp_path / "threads.json"
    r = run_cli("--threads", "--quick", "--json", str(out), *TINY)
    assert r.returncode == 0, r.stderr
    text = r.stdout
    first = text.splitlines()[0]
    for words in ("Python %s" % ".".join(map(str, sys.version_info[:3])),
                  "free-threaded build: ", "GIL enabled at run time: ", "CPUs"):
        assert words in first, first
    assert "== threads: one shared Map (300 int keys) / Vector (300 elements)" in text
    assert "1 thread" in text and "2 threads" in text
    assert "== single thread: time per operation / the builtin's" in text
    for row in THREAD_ROWS + SINGLE_ROWS:
        assert row in text, row
    assert "in-place store" in text and "threading.Barrier" in text
    report = json.loads(out.read_text())
    cells = check_report(report, [1, 2])
    assert report["options"]["size"] == 300 and report["options"]["ops_per_thread"] == 200
    assert all(r["ops_per_thread"] == 200 for r in report["threads"])
    assert MARCH_CELLS <= set(cells)
    ratios = {(r["structure"], r["op"], r["library"]) for r in report["ratios"]}
    assert {("map", "lookup", "march"), ("map", "set", "march"),
            ("vector", "lookup", "march"), ("vector", "set", "march")} <= ratios
    if HAVE_IMMUTABLES:
        assert IMMUTABLES_CELLS <= set(cells)
        assert report["libraries"]["immutables"]["available"] is True
        assert "immutables.Map" in text
        assert ("map", "lookup", "immutables") in ratios
    else:
        assert not IMMUTABLES_CELLS & set(cells)
        assert "immutables.Map: skipped, not importable" in text
    # march is measured before immutables is imported: its rows keep the
    # GIL state of the start
    for r in report["threads"]:
        if r["library"] != "immutables":
            assert r["gil_enabled"] == report["python"]["gil_enabled_at_start"]


def test_in_process_counts_progress_and_no_immutables(no_immutables, tmp_path):
    gil_before = threads.gil_status()[1]
    out = tmp_path / "t.json"
    status, text, err = run_main("--threads", "--thread-counts", "4,2", "--thread-size", "50",
                                 "--thread-ops", "1500", "--repeat", "2", "--json", str(out))
    assert status == 0, err
    assert "4 threads" in text and "2 threads" in text and "1 thread " in text
    assert "immutables.Map: skipped, not importable" in text
    assert "pip install immutables" in text
    assert "threads: map march lookup, 4 threads" in err
    assert "single thread:" in err
    report = json.loads(out.read_text())
    cells = check_report(report, [1, 2, 4])
    assert set(cells) == MARCH_CELLS
    assert report["libraries"]["immutables"]["available"] is False
    # 1500 operations: a pool of 1500 keys; with --repeat 2, two runs a cell
    assert all(len(r["runs"]) == 2 for r in report["threads"])
    # this process's GIL is as it was (on a free-threaded build: still off)
    assert threads.gil_status()[1] == gil_before
    assert all(r["gil_enabled"] == gil_before for r in report["threads"])


def test_quick_calibrated_and_markdown(no_immutables):
    status, text, err = run_main("--threads", "--quick", "--thread-size", "100", "-q",
                                 "--repeat", "1", "--min-time", "0", "--markdown")
    assert status == 0, err
    assert err == ""
    assert "#### threads: one shared Map (100 int keys)" in text
    assert "| Map lookup m[k] | march.Map |" in text
    for line in text.splitlines():
        if line.startswith("| Map set m.set(k, x) | march.Map |"):
            # calibrated, at least MIN_OPS per thread
            assert int(line.split("|")[3].strip().replace(",", "")) >= threads.MIN_OPS


def test_from_json_prints_the_threads_tables(no_immutables, tmp_path, monkeypatch):
    out = tmp_path / "t.json"
    status, text, err = run_main("--threads", "--json", str(out), *TINY)
    assert status == 0, err
    status, again, err = run_main("--from-json", str(out))
    assert status == 0, err
    assert again == text
    status, md, err = run_main("--from-json", str(out), "--markdown")
    assert status == 0 and "#### single thread" in md
    monkeypatch.setattr(plot, "import_pyplot", lambda: None)  # matplotlib or not
    status, _, err = run_main("--from-json", str(out), "--plot", str(tmp_path / "x.png"))
    assert status == 2 and "--plot does not apply to a --threads report" in err


def test_parse_thread_options():
    o = cli.parse_args(["--threads"])
    assert isinstance(o, threads.ThreadOptions)
    assert o.thread_counts == [1, 2] and o.size == 100000 and o.ops is None
    assert o.run_time == threads.DEFAULT_RUN_TIME and o.repeat == threads.DEFAULT_REPEAT
    o = cli.parse_args(["--threads", "--quick"])
    assert o.quick and o.run_time == threads.QUICK_RUN_TIME and o.repeat == threads.QUICK_REPEAT
    o = cli.parse_args(["--threads", "--thread-counts", "4,2,2", "--thread-size", "1k",
                        "--thread-ops", "5k", "--repeat", "7", "--min-time", "0.5",
                        "--stat", "median", "--seed", "3"])
    assert o.thread_counts == [1, 2, 4]  # 1, the speedup's reference, is always in
    assert (o.size, o.ops, o.repeat, o.run_time, o.stat, o.seed) == (1000, 5000, 7, 0.5,
                                                                      "median", 3)
    # the ordinary benchmark is untouched
    assert not isinstance(cli.parse_args([]), threads.ThreadOptions)


@pytest.mark.parametrize("args, words", [
    (["--threads", "--thread-counts", "0"], ["invalid thread count '0'", "1,2,4"]),
    (["--threads", "--thread-counts", "1,two"], ["invalid thread count 'two'"]),
    (["--threads", "--thread-counts", "-2"], ["invalid thread count '-2'"]),
    (["--threads", "--thread-counts", "1000"], ["invalid thread count '1000'", "256"]),
    (["--threads", "--thread-counts", ","], ["no thread count given"]),
    (["--threads", "--thread-size", "0"], ["invalid --thread-size '0'"]),
    (["--threads", "--thread-ops", "x"], ["invalid --thread-ops 'x'"]),
    (["--threads", "--repeat", "0"], ["--repeat must be at least 1"]),
    (["--threads", "--sizes", "1000"], ["--sizes does not apply with --threads"]),
    (["--threads", "--ops", "get"], ["--ops does not apply with --threads"]),
    (["--threads", "--plot", "x.png"], ["--plot does not apply with --threads"]),
    (["--threads", "--from-json", "x.json"], ["--from-json does not apply with --threads"]),
    (["--thread-counts", "1,2"], ["--thread-counts applies only with --threads"]),
    (["--thread-size", "10"], ["--thread-size applies only with --threads"]),
])
def test_bad_thread_arguments(args, words):
    status, out, err = run_main(*args)
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("python -m march bench: error: ")
    for w in words:
        assert w in lines[0]


def test_bad_thread_counts_subprocess():
    r = run_cli("--threads", "--thread-counts", "0")
    assert r.returncode == 2
    assert r.stdout == ""
    lines = _error_lines(r.stderr)
    assert len(lines) == 1, r.stderr
    assert "invalid thread count '0'" in lines[0]


def test_help_lists_the_thread_options():
    r = run_cli("--help")
    assert r.returncode == 0
    for opt in ("--threads", "--thread-counts", "--thread-size", "--thread-ops"):
        assert opt in r.stdout


def test_a_failing_operation_is_reported_and_the_run_goes_on(no_immutables, monkeypatch):
    def boom(obj, chunks):
        raise ValueError("boom in a worker")

    original = threads.march_subjects

    def subjects():
        return ([threads.Subject("map", "march", "march.Map", "lookup", "m[k]", boom,
                                 "march-map")] + original()[1:])

    monkeypatch.setattr(threads, "march_subjects", subjects)
    status, text, err = run_main("--threads", *TINY)
    assert status == 0, err
    line = next(ln for ln in text.splitlines() if ln.startswith("Map lookup m[k]"))
    assert line.count("error: ValueError") == 2  # 1 and 2 threads
    assert "threads, map march lookup: ValueError: boom in a worker" in text
    assert "Vector set v.set(i, x)" in text
    # a failure in a worker thread (not in the calibration, which runs here)
    calls = []

    def boom_in_threads(obj, chunks):
        calls.append(threading.current_thread() is threading.main_thread())
        if not calls[-1]:
            raise ValueError("boom in a worker")
        threads._lookup(obj, chunks)

    def subjects2():
        return ([threads.Subject("map", "march", "march.Map", "lookup", "m[k]",
                                 boom_in_threads, "march-map")] + original()[1:])

    monkeypatch.setattr(threads, "march_subjects", subjects2)
    status, text, err = run_main("--threads", "--thread-size", "300", "--repeat", "1",
                                 "--min-time", "0", "-q")
    assert status == 0, err
    line = next(ln for ln in text.splitlines() if ln.startswith("Map lookup m[k]"))
    assert line.count("error: ValueError") == 2
    assert "Vector set v.set(i, x)" in text


def test_a_failing_single_thread_cell(no_immutables, monkeypatch):
    def boom(obj, chunks):
        raise RuntimeError("single boom")

    cells = list(threads.SINGLE_MARCH)
    cells[2] = cells[2][:4] + (boom,) + cells[2][5:]
    monkeypatch.setattr(threads, "SINGLE_MARCH", cells)
    status, text, err = run_main("--threads", *TINY)
    assert status == 0, err
    assert "single thread, map march set: RuntimeError: single boom" in text
    assert not re.search(r"^Map set m\.set\(k, x\)\s+march\s", text, re.M)
    assert re.search(r"^Vector set v\.set\(i, x\)\s+march\s", text, re.M)
    assert "Vector set v.set(i, x)" in text


def test_run_threads_raises_a_worker_error_without_hanging():
    data = threads.Data(20, 1)
    data.build_march()
    real_pool = data.pool

    def pool(structure, tid, size=threads.POOL):
        if tid == 1:
            raise KeyError("no pool")
        return real_pool(structure, tid, size)

    data.pool = pool
    got = []

    def target():
        try:
            threads.run_threads(threads._lookup, data.objs["march-map"], data, "map", 3, 100)
        except KeyError as exc:
            got.append(exc)

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(60)
    assert not t.is_alive(), "run_threads hangs when a worker fails before the barrier"
    assert got and "no pool" in str(got[0])


def test_helpers():
    pool = list(range(7))
    for ops in (1, 6, 7, 8, 30):
        chunks = threads._chunks(pool, ops)
        assert sum(len(c) for c in chunks) == ops
    data = threads.Data(500, 1)
    keys = data.pool("map", 3, 50)
    assert keys == data.pool("map", 3, 50) and keys != data.pool("map", 4, 50)
    valid = {threads.map_key(j) for j in range(500)}
    assert len(valid) == 500 and set(keys) <= valid
    assert all(0 <= i < 500 for i in data.pool("vector", 0, 50))
    ft, gil = threads.gil_status()
    assert isinstance(ft, bool) and gil in (True, False, None)
    if not ft:
        assert gil is True
    for n, txt in ((2.5e9, "2.50 G/s"), (12.3e6, "12.3 M/s"), (999.0, "999 /s"),
                   (150e3, "150 k/s")):
        assert threads._fmt_rate(n) == txt
