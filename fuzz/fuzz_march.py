#!/usr/bin/env python3
"""Long-running differential fuzzer for march (see fuzz/README.md).

Two engines drive the same program interpreter (tests/fuzz_diff.py):

* atheris (coverage-guided, libFuzzer):   python fuzz/fuzz_march.py [libFuzzer options] [corpus_dir]
* a plain random-bytes loop (no deps):    python fuzz/fuzz_march.py --random [--seconds N] [--seed S]

Any mismatch between the C core, the pure-Python twin and the model raises
fuzz_diff.Mismatch.  With atheris that is reported as a crash (the input is
written to ./crash-<sha1>); the random loop minimises the failing program and
writes it as hex to --out (default tests/fuzz_corpus/), where the test suite
replays it.  MARCH_FUZZ_KIND=map|vec32|vec4 restricts to one structure.
"""
import argparse
import hashlib
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if os.path.isdir(os.path.join(ROOT, "src", "march")) and "--installed" not in sys.argv:
    sys.path.insert(0, os.path.join(ROOT, "src"))
# the differential driver is test code: tests/fuzz_diff.py, not in the package
sys.path.insert(0, os.path.join(ROOT, "tests"))

HEAD = {"map": 0, "vec32": 1, "vec4": 3}
_BACKENDS = {}


def _program(data):
    kind = os.environ.get("MARCH_FUZZ_KIND")
    if kind and data:
        data = bytes([(data[0] & ~3 & 0xFF) | HEAD[kind]]) + data[1:]
    return data


def _mods(fuzz, data):
    kind = fuzz.kind_of(data)
    if kind not in _BACKENDS:
        _BACKENDS[kind] = fuzz.backends(kind)
        names = [m.__name__ for m in _BACKENDS[kind]]
        sys.stderr.write("fuzzing %s: %s (+ model)\n" % (kind, ", ".join(names)))
    return _BACKENDS[kind]


def _instrument_exec_loaded(atheris, module):
    """Instrument the functions of a module loaded outside the import
    statement (march._pure.rrb4 loads the twin's RRB files again, at
    branching 4, as its own submodules), which atheris.instrument_imports()
    does not see."""
    import types
    seen = set()

    def walk(objs):
        for obj in objs:
            if isinstance(obj, (staticmethod, classmethod)):
                obj = obj.__func__
            if isinstance(obj, property):
                walk([obj.fget, obj.fset, obj.fdel])
            elif id(obj) in seen or getattr(obj, "__module__", None) != module.__name__:
                continue
            elif isinstance(obj, types.FunctionType):
                seen.add(id(obj))
                atheris.instrument_func(obj)
            elif isinstance(obj, type):
                seen.add(id(obj))
                walk(list(vars(obj).values()))

    walk(list(vars(module).values()))
    return len(seen)


def atheris_main(argv):
    import atheris
    with atheris.instrument_imports():
        import fuzz_diff as _fuzz
        from march._pure import rrb4
    for part in (rrb4.rrb_node, rrb4.rrb, rrb4.rrb_check, rrb4.vector_object):
        n = _instrument_exec_loaded(atheris, part)
        sys.stderr.write("instrumented %d functions and classes of %s\n"
                         % (n, part.__name__))

    def test_one_input(data):
        data = _program(data)
        _fuzz.run(data, _mods(_fuzz, data))

    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


def write_case(out, data, message):
    os.makedirs(out, exist_ok=True)
    name = "found-%s.hex" % hashlib.sha1(data).hexdigest()[:12]
    path = os.path.join(out, name)
    with open(path, "w") as f:
        f.write("# %s\n" % message.replace("\n", " ")[:300])
        f.write(data.hex() + "\n")
    return path


def random_main(args):
    import fuzz_diff as _fuzz
    rnd = random.Random(args.seed)
    deadline = time.time() + args.seconds
    runs = found = 0
    seen = set()
    while time.time() < deadline and (args.runs == 0 or runs < args.runs):
        n = rnd.randrange(2, args.max_len)
        data = _program(bytes(rnd.getrandbits(8) for _ in range(n)))
        runs += 1
        msg = _fuzz.fails(data, _mods(_fuzz, data))
        if msg is None:
            continue
        small = _fuzz.minimize(data, _mods(_fuzz, data))
        msg = _fuzz.fails(small, _mods(_fuzz, data)) or msg
        key = msg.split(":")[:2]
        found += 1
        if tuple(key) in seen:
            continue
        seen.add(tuple(key))
        path = write_case(args.out, small, msg)
        print("FAILURE %s\n  %s\n  minimised: %s -> %s" % (msg, data.hex()[:80], small.hex(), path))
    print("random fuzzing: %d programs, %d failing (%d distinct)" % (runs, found, len(seen)))
    return 1 if found else 0


def main():
    if "--random" not in sys.argv:
        try:
            import atheris  # noqa: F401
        except ImportError:
            sys.stderr.write("atheris is not installed (pip install atheris); "
                             "falling back to --random\n")
        else:
            argv = [a for a in sys.argv if a != "--installed"]
            atheris_main(argv)
            return 0
    p = argparse.ArgumentParser()
    p.add_argument("--random", action="store_true")
    p.add_argument("--installed", action="store_true", help="use the installed march, not src/")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--runs", type=int, default=0, help="stop after N programs (0: no limit)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--max-len", type=int, default=800)
    p.add_argument("--out", default=os.path.join(ROOT, "tests", "fuzz_corpus"))
    args = p.parse_args()
    return random_main(args)


if __name__ == "__main__":
    sys.exit(main())
