"""The ``pyrsistent`` group of ``python -m march bench``: march.pyrsistent
next to pyrsistent itself.  Everything runs at toy sizes (a few entries, a
JSON document of a few kB, one run per cell); timings are never checked,
only what was measured and how it is shown."""
import io
import json
import os
import subprocess
import sys

import pytest

import march
from march.bench import cli, operations, runner

SRC = os.path.dirname(os.path.dirname(os.path.abspath(march.__file__)))
FAST = ["--repeat", "1", "--min-time", "0", "-q"]
SMALL_DOC = 3000  # bytes of the freeze/thaw document in these tests

PMAP_OPS = ["get_hit", "set_new", "set_existing", "delete", "build_items", "iterate", "eq"]
DOC_OPS = ["freeze", "thaw", "precord_create", "precord_set"]

needs_pyrsistent = pytest.mark.skipif(
    not operations.PYRSISTENT_LIBS[1].available()[0], reason="pyrsistent not installed")


@pytest.fixture
def small_doc(monkeypatch):
    monkeypatch.setattr(runner, "DOC_BYTES", SMALL_DOC)


def bench(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def table(text, title):
    """The rows (first column -> the rest) of the table under ``title``."""
    lines = text.splitlines()
    start = lines.index("== %s ==" % title)
    rows = {}
    for ln in lines[start + 3:]:
        if not ln.strip():
            break
        label, _, rest = ln.partition("  ")
        rows[label.strip()] = rest
    return rows


# ---------------------------------------------------------------------------
# options


def test_group_is_named_not_default():
    assert cli.parse_args([]).structures == ["map", "vector"]
    o = cli.parse_args(["--structures", "pyrsistent"])
    assert o.structures == ["pyrsistent"]
    assert o.doc_bytes == operations.DOC_BYTES


def test_quick_makes_the_document_smaller():
    o = cli.parse_args(["--quick", "--structures", "pyrsistent"])
    assert o.doc_bytes == operations.QUICK_DOC_BYTES < operations.DOC_BYTES
    assert o.sizes == list(runner.QUICK_SIZES)


def test_op_names_and_aliases():
    o = cli.parse_args(["--structures", "pyrsistent", "--ops", "remove,precord,thaw"])
    assert o.ops == ["delete", "precord_create", "precord_set", "thaw"]
    status, _, err = bench("--structures", "pyrsistent", "--ops", "no_such_op")
    assert status == 2 and "unknown op" in err
    assert "pyrsistent" in cli.make_parser().format_help()


def test_ops_of_other_groups_only_are_refused():
    status, _, err = bench("--structures", "pyrsistent", "--ops", "slice")
    assert status == 2 and "none of the ops" in err


# ---------------------------------------------------------------------------
# the document


def test_document_is_deterministic_and_about_the_asked_size():
    doc, size = operations.make_json_document(20000, 7)
    again, size2 = operations.make_json_document(20000, 7)
    assert doc == again and size == size2
    assert size == len(json.dumps(doc))
    assert 20000 <= size < 21000
    assert operations.make_json_document(20000, 8)[0] != doc
    assert json.loads(json.dumps(doc)) == doc


def test_document_holds_every_json_type():
    doc, _ = operations.make_json_document(20000, 1)
    seen = set()

    def walk(x):
        seen.add(type(x))
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(doc)
    assert {dict, list, str, int, float, bool, type(None)} <= seen


# ---------------------------------------------------------------------------
# runs


@needs_pyrsistent
def test_run_both_libraries_every_op(small_doc, tmp_path):
    out = tmp_path / "r.json"
    status, text, _ = bench("--structures", "pyrsistent", "--sizes", "12,30", "--keys", "str",
                            "--json", str(out), *FAST)
    assert status == 0
    report = json.loads(out.read_text())
    assert report["skipped_groups"] == {}
    assert report["options"]["doc_bytes"] == SMALL_DOC
    libs = report["libraries"]["pyrsistent"]
    assert list(libs) == ["march", "pyrsistent"]
    assert libs["march"]["label"] == "march.pyrsistent"
    rows = report["results"]
    for r in rows:
        assert r["status"] == "ok", r
        assert r["structure"] == "pyrsistent"
    got = {(r["keytype"], r["size"], r["op"], r["library"]) for r in rows}
    for n in (12, 30):
        for op in PMAP_OPS:
            for lib in ("march", "pyrsistent"):
                assert ("str", n, op, lib) in got
    doc_rows = [r for r in rows if r["keytype"] == operations.DOC_GROUP]
    assert {(r["op"], r["library"]) for r in doc_rows} == {
        (op, lib) for op in DOC_OPS for lib in ("march", "pyrsistent")}
    doc_size = doc_rows[0]["size"]  # the document's real json.dumps length
    assert SMALL_DOC <= doc_size < SMALL_DOC + 1000
    assert len(rows) == 2 * (2 * len(PMAP_OPS) + len(DOC_OPS))

    # the tables: one per size, one for the document; march first, ratios
    pm = table(text, "pyrsistent: pmap, str keys, n = 12")
    assert set(pm) == {"pmap get m[k]", "pmap set new key m.set(k, v)",
                       "pmap set existing m.set(k, v)", "pmap remove m.remove(k)",
                       "pmap build pmap(dict)", "pmap iterate m.items()",
                       "pmap equal m == m2"}
    for rest in pm.values():
        assert rest.rstrip().endswith("x")
    dt = table(text, "pyrsistent: freeze/thaw of a %s-byte JSON document, PRecord"
               % format(doc_size, ","))
    assert set(dt) == {"document freeze(doc)", "document thaw(frozen)",
                       "PRecord create Rec(4 fields)", "PRecord set r.set(count=k)"}
    header = [ln for ln in text.splitlines() if ln.startswith("operation")][0]
    assert header.index("march.pyrsistent") < header.index(" pyrsistent")
    assert "pyrsistent group: march.pyrsistent against pyrsistent" in text
    assert "copy-then-modify" not in text  # notes of the other groups left out


@needs_pyrsistent
def test_ops_choose_the_tables(small_doc):
    status, text, _ = bench("--structures", "pyrsistent", "--sizes", "9", "--keys", "int",
                            "--ops", "get_hit,iterate", *FAST)
    assert status == 0
    assert "== pyrsistent: pmap, int keys, n = 9 ==" in text
    assert "JSON document" not in text
    status, text, _ = bench("--structures", "pyrsistent", "--sizes", "9",
                            "--ops", "freeze,precord_set", *FAST)
    assert status == 0
    assert "pmap," not in text
    rows = [ln for ln in text.splitlines() if ln.startswith(("document", "PRecord"))]
    assert [r.split()[0] for r in rows] == ["document", "PRecord"]


@needs_pyrsistent
def test_markdown_and_from_json(small_doc, tmp_path):
    out = tmp_path / "r.json"
    status, _, _ = bench("--structures", "pyrsistent", "--sizes", "5", "--keys", "str",
                         "--ops", "set_new,thaw", "--json", str(out), *FAST)
    assert status == 0
    status, md, _ = bench("--from-json", str(out), "--markdown")
    assert status == 0
    assert "#### pyrsistent: pmap, str keys, n = 5" in md
    assert "| pmap set new key m.set(k, v) | op |" in md
    assert "| document thaw(frozen) | op |" in md


@needs_pyrsistent
def test_progress_lines(small_doc):
    status, _, err = bench("--structures", "pyrsistent", "--sizes", "7", "--keys", "str",
                           "--ops", "get_hit,freeze", "--repeat", "1", "--min-time", "0")
    assert status == 0
    prog = [ln for ln in err.splitlines() if ln.startswith("[")]
    for lib in ("march", "pyrsistent"):
        assert any("pyrsistent/str n=7 %s get_hit: " % lib in ln for ln in prog)
        assert any(" %s freeze: " % lib in ln for ln in prog)


def test_group_skipped_without_pyrsistent(monkeypatch, tmp_path):
    march_lib, real = operations.PYRSISTENT_LIBS
    ghost = operations.Library(
        "pyrsistent", "pyrsistent", real.label, "no_such_pyrsistent_for_march",
        "pyrsistent", "import no_such_pyrsistent_for_march", real.build, dict(real.stmts))
    monkeypatch.setitem(operations.LIBS, "pyrsistent", [march_lib, ghost])
    out = tmp_path / "r.json"
    status, text, err = bench("--structures", "pyrsistent,map", "--sizes", "4",
                              "--keys", "int", "--ops", "get_hit,freeze",
                              "--libs", "march,pyrsistent,dict", "--json", str(out),
                              "--repeat", "1", "--min-time", "0")
    assert status == 0
    assert "the pyrsistent group: not run" in text
    assert "pip install pyrsistent" in text
    assert "pyrsistent group skipped" in err
    report = json.loads(out.read_text())
    assert "no_such_pyrsistent_for_march" in report["skipped_groups"]["pyrsistent"]
    assert not [r for r in report["results"] if r["structure"] == "pyrsistent"]
    # the other groups still run
    assert "== map, int keys, n = 4 ==" in text
    assert [r for r in report["results"] if r["structure"] == "map"]


@needs_pyrsistent
def test_python_m_march_bench_quick_subprocess():
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run(
        [sys.executable, "-m", "march", "bench", "--structures", "pyrsistent", "--quick",
         "--sizes", "10", "--keys", "int", "--ops", "get_hit,freeze"] + FAST,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
        env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "== pyrsistent: pmap, int keys, n = 10 ==" in r.stdout
    assert "JSON document, PRecord ==" in r.stdout
    assert "Libraries: march.pyrsistent" in r.stdout
