"""Tests of ``python -m march bench``: options, output, JSON schema, error
handling and the chart.  Tiny sizes, no timing assertions."""
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import march
from march.bench import cli, memory, operations, plot, runner
from march.bench import report as bench_report

SRC = os.path.dirname(os.path.dirname(os.path.abspath(march.__file__)))
TINY = ["--repeat", "1", "--min-time", "0", "--memory-entries", "64", "-q"]


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONWARNINGS", None)
    return env


def run_cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "march"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, env=_env(), timeout=timeout)


def run_main(*args):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(args), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def _error_lines(stderr):
    # the C-extension fallback warning of `import march` is not ours
    return [ln for ln in stderr.splitlines()
            if ln.strip() and "RuntimeWarning" not in ln and "warnings.warn" not in ln
            and not ln.startswith("  ")]


# ---------------------------------------------------------------------------
# fake libraries, to test error handling without depending on the peers

FAKE_SETUP = '''
class FakeMap(dict):
    def set(self, k, v):
        if k in self:
            raise ValueError("boom on set")
        d = FakeMap(self)
        d[k] = v
        return d

    def delete(self, k):
        d = FakeMap(self)
        del d[k]
        return d
'''


def fake_lib(key="fake", module="json", build="FakeMap(items)", setup=FAKE_SETUP,
             stmts=None, pip=None):
    base = dict(operations._PERSISTENT_MAP)
    base["build_items"] = build
    base["build_mutation"] = None
    if stmts:
        base.update(stmts)
    return operations.Library(key, "map", "fake.Map", module, pip, setup, build, base,
                         missing={"build_mutation": "fake has none"})


@pytest.fixture
def with_libs(monkeypatch):
    def install(*libs):
        monkeypatch.setitem(operations.LIBS, "map", list(operations.MAP_LIBS) + list(libs))
    return install


# ---------------------------------------------------------------------------
# command line


def test_help():
    r = run_cli("--help")
    assert r.returncode == 0
    assert "bench" in r.stdout
    r = run_cli("bench", "--help")
    assert r.returncode == 0
    for opt in ("--sizes", "--ops", "--structures", "--quick", "--repeat", "--json", "--plot"):
        assert opt in r.stdout


def test_no_command_and_unknown_command():
    r = run_cli()
    assert r.returncode == 2
    r = run_cli("frobnicate")
    assert r.returncode == 2
    assert "bench" in r.stderr


def test_parse_options():
    o = cli.parse_args([])
    assert o.sizes == [1000, 100000, 1000000]
    assert o.structures == ["map", "vector"]
    assert o.ops is None
    o = cli.parse_args(["--quick"])
    assert o.sizes == list(runner.QUICK_SIZES)
    assert max(o.sizes) <= 10000 and o.repeat <= 3
    o = cli.parse_args(["--quick", "--sizes", "1k,2_000,1e4,5", "--repeat", "7"])
    assert o.sizes == [1000, 2000, 10000, 5] and o.repeat == 7
    o = cli.parse_args(["--ops", "get,set,iterate", "--structures", "map"])
    assert o.ops == ["get_hit", "get_miss", "set_new", "set_existing", "set", "iterate"]
    o = cli.parse_args(["--sizes", "1M", "--keys", "int", "--libs", "march,dict"])
    assert o.sizes == [1000000] and o.keytypes == ["int"] and o.libs == ["march", "dict"]


@pytest.mark.parametrize("args, words", [
    (["--ops", "get_hit,frob"], ["unknown op 'frob'", "get_hit", "index_concat", "memory"]),
    (["--sizes", "10,abc"], ["invalid size 'abc'", "1000,100000,1000000"]),
    (["--sizes", "0"], ["invalid size '0'"]),
    (["--sizes", "1.5"], ["invalid size '1.5'"]),
    (["--structures", "tree"], ["unknown structure 'tree'", "map, vector"]),
    (["--keys", "float"], ["unknown key type 'float'", "str, int"]),
    (["--libs", "numpy"], ["unknown library 'numpy'", "immutables"]),
    (["--repeat", "0"], ["--repeat"]),
    (["--ops", "get_hit", "--structures", "vector"], ["none of the ops"]),
    (["--bogus"], ["unrecognized arguments"]),
])
def test_bad_input_in_process(args, words):
    status, out, err = run_main(*args)
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0]


def test_bad_input_subprocess():
    r = run_cli("bench", "--ops", "nope")
    assert r.returncode == 2
    lines = _error_lines(r.stderr)
    assert len(lines) == 1, r.stderr
    assert "unknown op 'nope'" in lines[0] and "get_miss" in lines[0]
    r = run_cli("bench", "--sizes", "-3")
    assert r.returncode == 2
    assert "invalid size" in _error_lines(r.stderr)[0]


# ---------------------------------------------------------------------------
# a run: output and JSON


def check_schema(report):
    for key in ("schema", "command", "argv", "date", "python", "machine", "march",
                "options", "libraries", "notes", "results", "interrupted"):
        assert key in report, key
    assert report["schema"] == bench_report.SCHEMA
    assert report["command"].startswith("python -m march bench")
    assert report["python"]["version"]
    assert "cpu_count" in report["machine"]
    assert report["march"]["implementation"] in ("c", "python")
    assert report["march"]["version"]
    for r in report["results"]:
        for key in ("structure", "keytype", "size", "op", "unit", "library", "status"):
            assert key in r, (key, r)
        assert r["status"] in ("ok", "n/a", "error")
        if r["status"] == "ok" and r["op"] != "memory":
            assert r["seconds"] > 0 or r["seconds"] == 0
            assert len(r["runs"]) >= 1 and r["ops_per_run"] >= 1
        if r["status"] == "ok" and r["op"] == "memory":
            assert isinstance(r["bytes_per_entry"], float)
            assert "tracemalloc_bytes_per_entry" in r
        if r["status"] == "error":
            assert r["error"]
        if r["status"] == "n/a":
            assert r["reason"]


NO_MEMORY = ",".join(n for n in operations.all_op_names() if n != "memory")


def test_cli_run_and_json(tmp_path):
    out = tmp_path / "r.json"
    r = run_cli("bench", "--sizes", "8,20", "--libs", "march,dict,list",
                "--ops", NO_MEMORY, "--json", str(out), *TINY)
    assert r.returncode == 0, r.stderr
    for title in ("== map, str keys, n = 8 ==", "== map, int keys, n = 20 ==",
                  "== vector, n = 8 ==", "== vector, n = 20 =="):
        assert title in r.stdout
    assert "copy-then-modify" in r.stdout
    report = json.loads(out.read_text())
    check_schema(report)
    assert report["argv"][:2] == ["--sizes", "8,20"]
    assert report["options"]["sizes"] == [8, 20]
    assert report["interrupted"] is False
    got = {(r["structure"], r["keytype"], r["size"], r["op"], r["library"])
           for r in report["results"]}
    for kt in ("str", "int"):
        for n in (8, 20):
            for op in operations.MAP_OPS[:-1]:
                for lib in ("march", "dict"):
                    assert ("map", kt, n, op.name, lib) in got
    for n in (8, 20):
        for op in operations.VECTOR_OPS[:-1]:
            for lib in ("march", "list"):
                assert ("vector", None, n, op.name, lib) in got
    # the baselines always work
    for r in report["results"]:
        if r["library"] in ("dict", "list"):
            assert r["status"] == "ok", r


def test_cli_memory(tmp_path):
    out = tmp_path / "r.json"
    r = run_cli("bench", "--sizes", "30", "--keys", "int", "--libs", "dict,list",
                "--ops", "mem", "--json", str(out), *TINY)
    assert r.returncode == 0, r.stderr
    assert "memory (RSS)" in r.stdout and "tracemalloc" in r.stdout
    assert "RSS growth" in r.stdout
    report = json.loads(out.read_text())
    check_schema(report)
    mem = [x for x in report["results"] if x["op"] == "memory"]
    assert {(x["structure"], x["library"]) for x in mem} == {("map", "dict"), ("vector", "list")}
    for x in mem:
        assert x["status"] == "ok" and x["unit"] == "B/entry"
        assert x["copies"] == 3  # 64 entries asked, n = 30
        assert x["tracemalloc_bytes_per_entry"] > 0


def test_in_process_table_and_progress():
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(["--sizes", "10", "--structures", "map", "--keys", "str",
                         "--ops", "get,set_new,iterate", "--libs", "march,dict",
                         "--repeat", "2", "--min-time", "0"], out=out, err=err)
    assert status == 0
    text = out.getvalue()
    lines = text.splitlines()
    i = lines.index("== map, str keys, n = 10 ==")
    header = lines[i + 1].split()
    assert header[:2] == ["operation", "per"]
    assert "march.Map" in header and "dict" in header
    body = "\n".join(lines[i + 3:i + 7])
    for label in ("get hit m[k]", "get miss k in m", "set new key m.set(k, v)",
                  "iterate m.items()"):
        assert label in body
    for row in lines[i + 3:i + 7]:
        assert any(u in row for u in (" ns", " us", " ms", " s", "error")), row
    # progress: one line per operation on stderr
    prog = [ln for ln in err.getvalue().splitlines() if ln.startswith("[")]
    assert len(prog) == 8  # 2 libraries x 4 operations
    for op in ("get_hit", "get_miss", "set_new", "iterate"):
        assert len([ln for ln in prog if " %s: " % op in ln]) == 2
    assert any(" dict get_hit: " in ln for ln in prog)


def test_ratio_column(with_libs):
    # a fake "march" that is just a dict, to see ratios without the real one
    fake = fake_lib(key="dict2", module=None, setup="", build="dict(items)",
                    stmts={"set_new": "m = m.copy()\nm[k] = val"})
    with_libs(fake)
    status, out, err = run_main("--sizes", "10", "--structures", "map", "--keys", "int",
                                "--ops", "get_hit,set_new,build_mutation",
                                "--libs", "march,dict,dict2", *TINY)
    assert status == 0
    rows = [ln for ln in out.splitlines() if ln.startswith(("get hit", "set new"))]
    assert len(rows) == 2
    march_ok = "error" not in rows[0].split("  ")[2]
    if march_ok:
        for row in rows:
            assert row.rstrip().endswith("x")
    assert "n/a" in out and "fake has none" in out


def test_markdown_and_from_json(tmp_path):
    out = tmp_path / "r.json"
    status, text, _ = run_main("--sizes", "6", "--structures", "vector", "--ops",
                               "index,slice", "--libs", "march,list", "--json", str(out),
                               *TINY)
    assert status == 0
    status, md, _ = run_main("--from-json", str(out), "--markdown")
    assert status == 0
    assert "#### vector, n = 6" in md
    assert "| operation | per |" in md
    assert "| index append-built | op |" in md
    status, _, err = run_main("--from-json", str(tmp_path / "missing.json"))
    assert status == 2 and "cannot read" in err


def test_vector_ops_na_and_peers():
    pytest.importorskip("rpds")
    status, out, _ = run_main("--sizes", "12", "--structures", "vector",
                              "--libs", "march,list,rpds-py", "--ops",
                              "index_append,iterate,insert", *TINY)
    assert status == 0
    row = [ln for ln in out.splitlines() if ln.startswith("index append-built")][0]
    assert row.rstrip().endswith("n/a")
    assert "cons list" in out


# ---------------------------------------------------------------------------
# peers missing or failing


def test_missing_peer_is_skipped(with_libs, tmp_path):
    with_libs(fake_lib(key="ghost", module="no_such_module_march_test",
                       setup="import no_such_module_march_test", pip="ghost-maps"))
    out = tmp_path / "r.json"
    status, text, _ = run_main("--sizes", "5", "--structures", "map", "--ops", "get_hit",
                               "--libs", "dict,ghost", "--json", str(out), *TINY)
    assert status == 0
    assert "Skipped:" in text
    assert "pip install ghost-maps" in text
    report = json.loads(out.read_text())
    info = report["libraries"]["map"]["ghost"]
    assert info["available"] is False and info["install"] == "pip install ghost-maps"
    assert not [r for r in report["results"] if r["library"] == "ghost"]


def test_peer_raising_shows_error_and_run_goes_on(with_libs, tmp_path):
    with_libs(fake_lib())
    out = tmp_path / "r.json"
    status, text, _ = run_main("--sizes", "9", "--structures", "map", "--keys", "str",
                               "--ops", "get_hit,set_existing,delete,build_mutation",
                               "--libs", "dict,fake", "--json", str(out), *TINY)
    assert status == 0
    report = json.loads(out.read_text())
    by = {(r["op"], r["library"]): r for r in report["results"]}
    assert by[("set_existing", "fake")]["status"] == "error"
    assert "boom on set" in by[("set_existing", "fake")]["error"]
    assert by[("get_hit", "fake")]["status"] == "ok"
    assert by[("delete", "fake")]["status"] == "ok"
    assert by[("build_mutation", "fake")]["status"] == "n/a"
    assert by[("set_existing", "dict")]["status"] == "ok"
    assert "error: ValueError [1]" in text
    assert "Errors:" in text and "boom on set" in text


def test_peer_failing_to_build(with_libs):
    with_libs(fake_lib(build="FakeMap(items, bad_argument=1/0)"))
    status, text, _ = run_main("--sizes", "4", "--structures", "map", "--keys", "int",
                               "--ops", "get_hit,iterate", "--libs", "dict,fake", *TINY)
    assert status == 0
    assert text.count("error: building the structure") == 2
    assert "ZeroDivisionError" in text


def test_interrupt_in_process(with_libs, tmp_path):
    setup = FAKE_SETUP + '''
class Stop(FakeMap):
    def __contains__(self, k):
        raise KeyboardInterrupt
'''
    with_libs(fake_lib(key="stop", setup=setup, build="Stop(items)"))
    out = tmp_path / "r.json"
    status, text, _ = run_main("--sizes", "7", "--structures", "map", "--keys", "str",
                               "--ops", "get_hit,get_miss,iterate", "--libs", "dict,stop",
                               "--json", str(out), *TINY)
    assert status == 130
    assert "INTERRUPTED" in text
    assert "== map, str keys, n = 7 ==" in text
    report = json.loads(out.read_text())
    assert report["interrupted"] is True
    ops = {(r["op"], r["library"]) for r in report["results"]}
    assert ("get_hit", "stop") in ops and ("iterate", "dict") in ops
    assert ("get_miss", "stop") not in ops and ("iterate", "stop") not in ops


@pytest.mark.skipif(not hasattr(signal, "raise_signal"), reason="no signal.raise_signal")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_interrupt_lost_in_a_finalizer(with_libs, tmp_path):
    # Ctrl-C while a __del__ runs: Python prints and drops the
    # KeyboardInterrupt, but the run must still stop before its next cell
    setup = FAKE_SETUP + '''
import signal

class Bomb(object):
    def __del__(self):
        signal.raise_signal(signal.SIGINT)

class Stop(FakeMap):
    def __contains__(self, k):
        Bomb()
        return False
'''
    with_libs(fake_lib(key="stop", setup=setup, build="Stop(items)"))
    out = tmp_path / "r.json"
    # pytest may run with SIGINT ignored (a shell's background job): the
    # bench then leaves it so, so give it Python's usual handler here
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        status, text, _ = run_main("--sizes", "7", "--structures", "map", "--keys", "str",
                                   "--ops", "get_hit,get_miss,iterate", "--libs", "dict,stop",
                                   "--json", str(out), *TINY)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)
    assert status == 130
    assert "INTERRUPTED" in text
    report = json.loads(out.read_text())
    assert report["interrupted"] is True
    ops = {(r["op"], r["library"]) for r in report["results"]}
    # get_hit is `m[k]` (no __contains__): it runs; get_miss (`k in m`)
    # loses the interrupt in the finalizer but finishes its cell; iterate
    # never starts
    assert ("get_hit", "stop") in ops and ("get_miss", "stop") in ops
    assert ("iterate", "stop") not in ops


def _default_sigint():
    # a child inherits an ignored SIGINT (pytest run as a shell's background
    # job), and Python then keeps ignoring it: undo that in the child
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_subprocess(tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "march", "bench", "--sizes", "2000,3000,4000",
         "--libs", "dict,list", "--ops", "get,set,delete,iterate,index,append",
         "--repeat", "20", "--min-time", "0.05", "--json", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
        env=_env(), preexec_fn=_default_sigint)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            line = proc.stderr.readline()
            if line.startswith("["):
                break
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "INTERRUPTED" in stdout
    assert "== map, str keys, n = 2,000 ==" in stdout
    report = json.loads(out.read_text())
    assert report["interrupted"] is True
    assert report["results"]
    check_schema(report)


# ---------------------------------------------------------------------------
# the chart


def test_plot(tmp_path):
    pytest.importorskip("matplotlib")
    js, png = tmp_path / "r.json", tmp_path / "chart.png"
    status, _, _ = run_main("--sizes", "6,12", "--keys", "str", "--libs", "march,dict,list",
                            "--ops", "get_hit,iterate,index", "--json", str(js),
                            "--plot", str(png), *TINY)
    assert status == 0
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    # the summary (relative to march) and the detail (absolute times)
    detail = tmp_path / "chart-absolute.png"
    assert plot.absolute_path(str(png)) == str(detail)
    assert detail.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and len(detail.read_bytes()) > 5000
    # with memory results (added by hand: no child processes here)
    report = json.loads(js.read_text())
    for r in list(report["results"]):
        if r["op"] == "iterate":
            m = dict(r, op="memory", unit="B/entry", status="ok", bytes_per_entry=40.0,
                     tracemalloc_bytes_per_entry=38.0, tracemalloc_applies=True, copies=1)
            report["results"].append(m)
    js.write_text(json.dumps(report))
    png2 = tmp_path / "again.png"
    status, text, _ = run_main("--from-json", str(js), "--plot", str(png2))
    assert status == 0 and png2.read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "again-absolute.png").read_bytes()[:4] == b"\x89PNG"
    assert "memory (RSS)" in text and "40.0 B" in text


def test_plot_relative_cells(tmp_path):
    """The summary's cells: each peer's figure divided by march's, per
    operation and size; n/a and errors stay so; no march figure: no ratio."""
    pytest.importorskip("matplotlib")

    def res(op, lib, size, **kw):
        r = {"structure": "map", "keytype": "int", "size": size, "op": op, "label": op,
             "expr": "", "unit": "op", "library": lib, "status": "ok"}
        r.update(kw)
        return r

    rep = {"libraries": {"map": {"march": {"label": "march.Map", "available": True},
                                 "dict": {"label": "dict", "available": True},
                                 "fake": {"label": "fake.Map", "available": True}}},
           "results": [
               res("get_hit", "march", 10, seconds=2e-8),
               res("get_hit", "dict", 10, seconds=6.4e-8),
               res("get_hit", "fake", 10, status="n/a", reason="none"),
               res("get_hit", "march", 20, status="error", error="E: x"),
               res("get_hit", "dict", 20, seconds=1e-8),
               res("memory", "march", 10, unit="B/entry", bytes_per_entry=40.0),
               res("memory", "dict", 10, unit="B/entry", bytes_per_entry=20.0)]}
    [(title, ops, peers, sizes, cells)] = plot._summary_rows(rep)
    assert title == "map, int keys" and sizes == [10, 20]
    assert [k for k, _ in peers] == ["dict", "fake"]
    assert [o for o, _ in ops] == ["get_hit", "memory"]
    assert cells[("get_hit", "dict", 10)] == pytest.approx(3.2)
    assert cells[("get_hit", "fake", 10)] == "n/a"
    assert cells[("get_hit", "dict", 20)] is None          # march failed there
    assert cells[("memory", "dict", 10)] == pytest.approx(0.5)
    plot.plot_relative(rep, str(tmp_path / "r.png"))
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
    # a run without march draws the tables without ratios
    rep["results"] = [r for r in rep["results"] if r["library"] != "march"]
    plot.plot_report(rep, str(tmp_path / "nomarch.png"))
    assert (tmp_path / "nomarch-absolute.png").exists()


def test_ratio_label():
    assert plot.ratio_label(3.2) == "3.2x slower"
    assert plot.ratio_label(0.5) == "2.0x faster"
    assert plot.ratio_label(1.01) == "same"
    assert plot.ratio_label(798.2) == "798x slower"
    assert plot.ratio_label(10778.0) == "10,778x slower"
    assert plot.ratio_label(1.7, memory=True) == "1.7x larger"
    assert plot.ratio_label(0.25, memory=True) == "4.0x smaller"


def test_python_m_march_bench_package():
    r = subprocess.run([sys.executable, "-m", "march.bench", "--help"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, env=_env(), timeout=300)
    assert r.returncode == 0 and "--sizes" in r.stdout


def test_plot_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status, out, err = run_main("--sizes", "5", "--plot", str(tmp_path / "x.png"), *TINY)
    assert status == 2
    assert out == ""
    assert "matplotlib" in err and "pip install matplotlib" in err
    assert len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------------------
# pieces


def test_format_time():
    assert bench_report._fmt_time(5e-9) == "5.00 ns"
    assert bench_report._fmt_time(123.4e-9) == "123 ns"
    assert bench_report._fmt_time(1.5e-6) == "1.50 us"
    assert bench_report._fmt_time(25e-3) == "25.0 ms"
    assert bench_report._fmt_time(2.0) == "2.00 s"


def test_data_is_deterministic_and_fresh_keys_are_new():
    keys, fresh, values = operations.make_map_data("str", 50, 3)
    assert (keys, fresh) == operations.make_map_data("str", 50, 3)[:2]
    assert len(set(keys)) == 50 and not set(keys) & set(fresh)
    assert len(values) == 50
    keys, fresh, _ = operations.make_map_data("int", 50, 3)
    assert all(isinstance(k, int) for k in keys)
    bounds, merges = operations.concat_plan(5000, 1)
    assert bounds[0] == 0 and bounds[-1] == 5000 and len(bounds) == 1001
    assert len(merges) == 999


def test_concat_plan_builds_the_same_sequence():
    elems = list(range(300))
    plan = operations.concat_plan(300, 2)
    got = operations.build_concat({}, "list(elems)", "a + b", elems, plan)
    assert got == elems


def test_memory_worker_direct():
    out = memory.memory_worker({"structure": "map", "library": "dict", "keytype": "int",
                               "n": 2000, "seed": 1, "target": 20000, "mode": "rss"})
    # in this (used) process the figure means little: only its shape is checked
    assert out["copies"] == 10 and isinstance(out["rss_bytes_per_entry"], float)
    out = memory.memory_worker({"structure": "vector", "library": "list", "keytype": None,
                               "n": 2000, "seed": 1, "target": 1, "mode": "tracemalloc"})
    assert 7 < out["tracemalloc_bytes_per_entry"] < 12


def test_bench_extra_installs_the_peers():
    """``pip install "march-collections[bench]"`` brings every peer the
    benchmark knows, and matplotlib for --plot."""
    if sys.version_info < (3, 11):
        pytest.skip("tomllib needs Python 3.11")
    import re
    import tomllib
    path = os.path.join(os.path.dirname(SRC), "pyproject.toml")
    if not os.path.exists(path):
        pytest.skip("not a source checkout")
    with open(path, "rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]

    def names(reqs):
        return {re.split(r"[<>=!~ \[;]", r, maxsplit=1)[0].lower() for r in reqs}

    bench_extra = names(extras["bench"])
    pips = {lib.pip for libs in operations.LIBS.values() for lib in libs if lib.pip}
    assert pips and pips <= bench_extra
    assert {"matplotlib", "psutil"} <= bench_extra
    assert {"pytest", "hypothesis", "pyrsistent", "immutables"} <= names(extras["test"])
