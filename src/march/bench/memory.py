"""Memory per entry, measured in a fresh child process per cell.

``measure_memory`` starts ``python -c "...memory._memory_worker_main..."``
once per mode: "rss" (growth of the resident set size around building copies
of the structure: every allocator counts) and, for libraries that allocate
through Python's allocators, "tracemalloc".  ``memory_worker`` is what the
child runs.
"""
import gc
import json
import math
import os
import subprocess
import sys

from .operations import LIBS, _err, make_map_data, make_vector_data

def _rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except Exception:
        pass
    try:
        import psutil
        return psutil.Process().memory_info().rss
    except Exception:
        return None


def _trim():
    gc.collect()
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except Exception:
        pass


def memory_worker(spec):
    """Run in a child process: measure one library's memory per entry, by
    RSS growth (mode "rss") or by tracemalloc (mode "tracemalloc")."""
    structure, key, keytype, n, seed, target, mode = (
        spec["structure"], spec["library"], spec["keytype"], spec["n"],
        spec["seed"], spec["target"], spec["mode"])
    lib = [lb for lb in LIBS[structure] if lb.key == key][0]
    ns = lib.namespace()
    keep = []  # every object made while preparing the data stays alive, so
    #            that no freed block is reused by the structure (undercount)
    if structure == "map":
        keys, fresh, values = make_map_data(keytype, n, seed, keep=keep)
        arg = {"items": list(zip(keys, values))}
        keep.append(fresh)
    else:
        arg = {"elems": make_vector_data(n, seed)}
    code = compile(lib.build, "<build>", "eval")
    # warm up (imports, caches) on a tiny input: a full-size warm-up would
    # leave freed memory behind that the measured builds reuse.
    small = {name: value[:2] for name, value in arg.items()}
    keep.append(eval(code, ns, small))
    if mode == "tracemalloc":
        import tracemalloc
        _trim()
        tracemalloc.start()
        t0 = tracemalloc.get_traced_memory()[0]
        s = eval(code, ns, dict(arg))
        t1 = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del s
        return {"tracemalloc_bytes_per_entry": (t1 - t0) / float(n)}
    copies = max(1, int(math.ceil(target / float(n))))
    hold = [None] * copies
    _trim()
    rss0 = _rss_bytes()
    if rss0 is None:
        raise RuntimeError("cannot read the process's RSS (no /proc, no psutil)")
    for i in range(copies):
        hold[i] = eval(code, ns, dict(arg))
    _trim()
    rss1 = _rss_bytes()
    return {"copies": copies,
            "rss_bytes_per_entry": (rss1 - rss0) / float(copies * n)}


def _memory_worker_main(argv):
    spec = json.loads(argv[0])
    try:
        out = memory_worker(spec)
    except Exception as exc:
        out = {"error": _err(exc)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


def _child_env():
    env = dict(os.environ)
    # the directory that holds the march package (src/ in a checkout)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = here + (os.pathsep + old if old else "")
    return env


def measure_memory(lib, group, target, timeout=1800):
    out = {}
    for mode in ("rss", "tracemalloc") if not lib.foreign_alloc else ("rss",):
        spec = {"structure": group.structure, "library": lib.key,
                "keytype": group.keytype, "n": group.n, "seed": group.seed,
                "target": target, "mode": mode}
        out.update(_memory_child(spec, timeout))
    return out


def _memory_child(spec, timeout):
    cmd = [sys.executable, "-c",
           "import sys; from march.bench.memory import _memory_worker_main; "
           "_memory_worker_main(sys.argv[1:])", json.dumps(spec)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=_child_env(), timeout=timeout,
                          universal_newlines=True)
    if proc.returncode != 0:
        if proc.returncode < 0 and proc.returncode == -2:
            raise KeyboardInterrupt
        tail = (proc.stderr.strip().splitlines() or ["exit status %d" % proc.returncode])[-1]
        raise RuntimeError("memory child failed: %s" % tail)
    lines = proc.stdout.strip().splitlines()
    out = json.loads(lines[-1])
    if "error" in out:
        raise RuntimeError(out["error"])
    return out
