#!/usr/bin/env python3
"""The HAMT hashing study behind the "Hashing" section of docs/design.md
(section 2); its results are in bench/notes-hamt.md, section 1.

Question (issue 2 / the plan's open question): should march.Map index its
trie with the key's own ``hash()`` as an unsigned 64-bit integer, or pass it
through a cheap bijective mixer first (or FNV-1a)?  This script measures it.

It compares, on several key families and sizes:

``plain``  the C extension as shipped: h = (uint64_t)hash(key);
``mix``    the same sources built with ``-DMARCH_HASH_MIX=1``: h = fmix64(hash)
           (murmur3's finalizer, a bijection on 64 bits; see hamt.h);
``fnv``    (shape only) FNV-1a over the 8 bytes of hash(key), simulated with
           wrapper keys whose ``__hash__`` returns the FNV-1a value, on the
           plain build.  The same trick with fmix64 is checked against the
           ``mix`` build (the shapes must be identical), which validates it.

Shape figures come from ``Map._stats()`` (node counts, bytes of node memory
including GC headers, sum of entry depths) and ``Map._depth()``.  Timings
(get-hit, persistent set of a new key, build ``Map(pairs)``; per operation)
are taken in one process, the two builds interleaved and alternated in
order, ``--repeat`` times; the medians are printed.  The cost of the hash
functions themselves is measured in a tiny C program when a C compiler is
available.

Usage (from the repository root):

    python bench/hash_study.py                        # builds both variants in a temp dir
    python bench/hash_study.py --plain-so P.so --mix-so M.so   # reuse two builds
    python bench/hash_study.py --quick                # sizes 1000,10000, 1 repeat
    python bench/hash_study.py --sizes 1000,100000 --repeat 5 --json out.json

Both variants are built from one snapshot of the sources, copied into a
private temporary directory (nothing in ``src/march`` is touched or used), so
they differ only in the switch.
"""
import argparse
import collections
import gc
import glob
import importlib.machinery
import importlib.util
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MASK = (1 << 64) - 1
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX") or ".so"


# ---------------------------------------------------------------------------
# the two builds

def load_extension(name, path):
    """Load a _hamt extension file under a private module name."""
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def build_variant(workdir, mix):
    """Copy the sources to `workdir` and build _hamt there (MARCH_HASH_MIX=mix).

    Both variants are built from one snapshot of the sources (the script
    copies them once), so that they differ only in the switch, even while
    someone edits or rebuilds the checkout.
    """
    env = dict(os.environ)
    if mix:
        env["CFLAGS"] = (env.get("CFLAGS", "") + " -DMARCH_HASH_MIX=1").strip()
    env["MARCH_BUILD_ONLY"] = "_hamt"
    for var in ("MARCH_PURE_PYTHON", "MARCH_DEBUG", "MARCH_SANITIZE"):
        env.pop(var, None)
    cmd = [sys.executable, "setup.py", "-q", "build_ext", "--inplace",
           "-t", os.path.join(workdir, "build")]
    sys.stderr.write("building the %s variant in %s ...\n"
                     % ("mix" if mix else "plain", workdir))
    res = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True,
                         text=True)
    found = glob.glob(os.path.join(workdir, "src", "march",
                                   "_hamt*" + EXT_SUFFIX))
    if res.returncode != 0 or not found:
        sys.stderr.write(res.stdout + res.stderr)
        sys.exit("hash_study: building the %s variant failed"
                 % ("mix" if mix else "plain"))
    return found[0]


def snapshot_sources(dest):
    """Copy src/ (without built files), setup.py, pyproject.toml to dest."""
    os.makedirs(dest)
    for item in ("src", "setup.py", "pyproject.toml", "README.md"):
        src = os.path.join(ROOT, item)
        dst = os.path.join(dest, item)
        if os.path.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(
                "*.so", "*.pyd", "__pycache__"))
        elif os.path.exists(src):
            shutil.copy(src, dst)


# ---------------------------------------------------------------------------
# hash functions (Python versions, for the shape simulation)

def fmix64(h):
    h &= MASK
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK
    h ^= h >> 33
    return h


def fnv1a64(h):
    h &= MASK
    x = 0xCBF29CE484222325
    for i in range(0, 64, 8):
        x ^= (h >> i) & 0xFF
        x = (x * 0x100000001B3) & MASK
    return x


def as_signed(h):
    return h - (1 << 64) if h >= (1 << 63) else h


class HashedKey:
    """A key whose hash is a precomputed 64-bit value (shape simulation)."""

    __slots__ = ("h",)

    def __init__(self, h):
        self.h = as_signed(h)

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        return self is other


# ---------------------------------------------------------------------------
# key families: f(n, rnd) -> n distinct keys

def _rand_str(n, rnd):
    return ["k%016x" % rnd.getrandbits(64) for _ in range(n)]


def _rand_float(n, rnd):
    return [rnd.random() for _ in range(n)]


FAMILIES = collections.OrderedDict([
    ("str", ("random str (SipHash)", _rand_str)),
    ("int_seq", ("ints 0..n-1", lambda n, rnd: list(range(n)))),
    ("int_x32", ("ints i*32", lambda n, rnd: [i * 32 for i in range(n)])),
    ("int_x1024", ("ints i*1024", lambda n, rnd: [i * 1024 for i in range(n)])),
    ("int_x2^32", ("ints i*2**32", lambda n, rnd: [i << 32 for i in range(n)])),
    ("tuple", ("tuples (i>>10, i&1023)",
               lambda n, rnd: [(i >> 10, i & 1023) for i in range(n)])),
    ("float", ("random floats", _rand_float)),
    ("float_/1024", ("floats i/1024", lambda n, rnd: [i / 1024 for i in range(n)])),
])


def make_keys(family, n, extra, seed=12345):
    """n keys of the family and `extra` more drawn from the same range.

    The family's first n + extra keys are generated and `extra` of them,
    evenly spaced, are held out as the fresh keys (for "set a new key"), so
    that structured families keep their structure in both halves.
    """
    rnd = random.Random(seed)
    gen = FAMILIES[family][1]
    keys = list(dict.fromkeys(gen(n + extra, rnd)))
    while len(keys) < n + extra:             # random families: deduplicate
        keys = list(dict.fromkeys(keys + gen(n + extra - len(keys), rnd)))
    if not extra:
        return keys, []
    step = (n + extra) / extra
    held = set(int(i * step + step / 2) for i in range(extra))
    fresh = [keys[i] for i in sorted(held)]
    return [k for i, k in enumerate(keys) if i not in held], fresh


# ---------------------------------------------------------------------------
# shape

def shape(mod, keys):
    m = mod.Map(zip(keys, itertools.repeat(None)))
    st = m._stats()
    n = len(keys)
    nodes = st.get("bitmap_nodes", 0) + st.get("collision_nodes", 0)
    return {
        "avg_depth": st["entry_depth_sum"] / n if n else 0.0,
        "max_depth": m._depth(),
        "nodes": nodes,
        "collision_nodes": st.get("collision_nodes", 0),
        "bytes_per_entry": st["bytes"] / n if n else 0.0,
    }


# ---------------------------------------------------------------------------
# timing

def _per_op(fn, nops):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) / nops * 1e9      # ns per op


def time_ops(mod, pairs, probe, fresh):
    Map = mod.Map
    res = {}
    res["build"] = _per_op(lambda: Map(pairs), len(pairs))
    m = Map(pairs)
    get = m.__getitem__
    res["get_hit"] = _per_op(
        lambda: collections.deque(map(get, probe), 0), len(probe))
    mset = m.set
    res["set_new"] = _per_op(
        lambda: collections.deque(map(mset, fresh, itertools.repeat(0)), 0),
        len(fresh))
    return res


# ---------------------------------------------------------------------------
# cost of the hash functions themselves (C micro-benchmark)

C_MICRO = r"""
#include <stdint.h>
#include <stdio.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static inline uint64_t ident(uint64_t h){return h;}
static inline uint64_t fmix(uint64_t h){h^=h>>33;h*=0xff51afd7ed558ccdULL;h^=h>>33;h*=0xc4ceb9fe1a85ec53ULL;h^=h>>33;return h;}
static inline uint64_t fnv(uint64_t h){uint64_t x=0xcbf29ce484222325ULL;for(int i=0;i<64;i+=8){x^=(h>>i)&0xff;x*=0x100000001b3ULL;}return x;}
#define N 50000000ULL
#define RUN(f) do{ volatile uint64_t sink; uint64_t acc=0, h=0x123456789ULL; double t0=now(); \
  for(uint64_t i=0;i<N;i++){ h=f(h+i)^acc; acc+=h&31; } sink=acc; (void)sink; \
  printf("%s %.3f\n", #f, (now()-t0)/N*1e9);}while(0)
int main(void){ for(int r=0;r<3;r++){ RUN(ident); RUN(fmix); RUN(fnv);} return 0; }
"""


def hash_cost():
    """ns per hash (dependent chain, the latency a lookup pays), or None."""
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if not cc:
        return None
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "m.c")
        exe = os.path.join(d, "m")
        with open(src, "w") as f:
            f.write(C_MICRO)
        if subprocess.run([cc, "-O2", "-o", exe, src],
                          capture_output=True).returncode != 0:
            return None
        out = subprocess.run([exe], capture_output=True, text=True).stdout
    runs = collections.defaultdict(list)
    for line in out.split("\n"):
        if line.strip():
            name, ns = line.split()
            runs[name].append(float(ns))
    return {k: statistics.median(v) for k, v in runs.items()}


# ---------------------------------------------------------------------------

def fmt_table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i == 0 else "---:"
                          for i in range(len(header))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mix-so", help="path of a _hamt built with "
                    "-DMARCH_HASH_MIX=1 (default: build one in a temp dir)")
    ap.add_argument("--plain-so", help="path of a plain _hamt (default: "
                    "build one in a temp dir from the same sources as the "
                    "mix variant)")
    ap.add_argument("--sizes", default="1000,100000,1000000")
    ap.add_argument("--families", default=",".join(FAMILIES),
                    help="comma-separated, from: " + ", ".join(FAMILIES))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-time", action="store_true",
                    help="shapes only (no timings)")
    ap.add_argument("--no-fnv", action="store_true",
                    help="skip the FNV-1a / fmix64 shape simulation")
    ap.add_argument("--quick", action="store_true",
                    help="sizes 1000,10000, 1 repeat")
    ap.add_argument("--json", help="write the raw results to this file")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "1000,10000", 1
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    families = [f for f in args.families.split(",") if f]
    for f in families:
        if f not in FAMILIES:
            ap.error("unknown family %r; valid: %s" % (f, ", ".join(FAMILIES)))

    tmp = None
    plain_path, mix_path = args.plain_so, args.mix_so
    if plain_path is None or mix_path is None:
        tmp = tempfile.mkdtemp(prefix="march-hashstudy-")
        snapshot_sources(os.path.join(tmp, "plain"))
        shutil.copytree(os.path.join(tmp, "plain"), os.path.join(tmp, "mix"))
        if plain_path is None:
            plain_path = build_variant(os.path.join(tmp, "plain"), False)
        if mix_path is None:
            mix_path = build_variant(os.path.join(tmp, "mix"), True)
    plain = load_extension("_hs_plain._hamt", plain_path)
    mix = load_extension("_hs_mix._hamt", mix_path)
    if getattr(plain, "_HASH_MIX", False) or not getattr(mix, "_HASH_MIX", True):
        sys.exit("hash_study: the builds are not plain/mix (_HASH_MIX flags)")
    builds = [("plain", plain), ("mix", mix)]

    result = {"machine": platform.machine(), "python": sys.version.split()[0],
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "repeat": args.repeat, "sizes": sizes, "shape": {}, "time": {},
              "hash_cost_ns": None}

    # -- shapes --------------------------------------------------------
    shape_rows = []
    for fam in families:
        for n in sizes:
            keys, _ = make_keys(fam, n, 0)
            row = {}
            for name, mod in builds:
                row[name] = shape(mod, keys)
            if not args.no_fnv:
                hs = [hash(k) & MASK for k in keys]
                sim_mix = shape(plain, [HashedKey(fmix64(h)) for h in hs])
                for field in ("avg_depth", "max_depth", "nodes"):
                    if sim_mix[field] != row["mix"][field]:
                        sys.exit("hash_study: fmix64 simulation disagrees with "
                                 "the mix build (%s, %d, %s)" % (fam, n, field))
                row["fnv"] = shape(plain, [HashedKey(fnv1a64(h)) for h in hs])
            result["shape"]["%s/%d" % (fam, n)] = row
            cells = [FAMILIES[fam][0], "{:,}".format(n)]
            for name in [b for b, _ in builds] + ([] if args.no_fnv else ["fnv"]):
                s = row[name]
                cells.append("%.2f / %d" % (s["avg_depth"], s["max_depth"]))
            for name in [b for b, _ in builds] + ([] if args.no_fnv else ["fnv"]):
                s = row[name]
                cells.append("{:,} ({:.1f})".format(s["nodes"],
                                                    s["bytes_per_entry"]))
            shape_rows.append(cells)
            sys.stderr.write("shape %s %d done\n" % (fam, n))
    names = [b for b, _ in builds] + ([] if args.no_fnv else ["fnv"])
    print("## Trie shape: avg / max depth (levels, root = 1); nodes (bytes per entry)\n")
    print(fmt_table(["keys", "n"] + ["depth " + x for x in names]
                    + ["nodes (B/entry) " + x for x in names], shape_rows))
    print()
    sys.stdout.flush()

    # -- timings ---------------------------------------------------------
    if not args.no_time:
        time_rows = []
        for fam in families:
            for n in sizes:
                keys, fresh = make_keys(fam, n, max(1, n // 10))
                pairs = list(zip(keys, range(n)))
                probe = keys[:]
                random.Random(7).shuffle(probe)
                while len(probe) < 200000:
                    probe = probe + probe
                probe = probe[:200000]
                while len(fresh) < 20000:
                    fresh = fresh + fresh
                samples = {b: collections.defaultdict(list) for b, _ in builds}
                for r in range(args.repeat):
                    order = builds if r % 2 == 0 else builds[::-1]
                    for name, mod in order:
                        gc.collect()
                        for op, ns in time_ops(mod, pairs, probe, fresh).items():
                            samples[name][op].append(ns)
                med = {b: {op: statistics.median(v) for op, v in s.items()}
                       for b, s in samples.items()}
                result["time"]["%s/%d" % (fam, n)] = {
                    "median_ns": med,
                    "samples_ns": {b: dict(s) for b, s in samples.items()}}
                cells = [FAMILIES[fam][0], "{:,}".format(n)]
                for op in ("get_hit", "set_new", "build"):
                    p, x = med["plain"][op], med["mix"][op]
                    # paired: in how many repeats was mix the faster one
                    wins = sum(1 for a, b in zip(samples["plain"][op],
                                                 samples["mix"][op]) if b < a)
                    cells.append("%.0f / %.0f (%.2f; %d/%d)"
                                 % (p, x, x / p, wins, args.repeat))
                time_rows.append(cells)
                sys.stderr.write("time %s %d done\n" % (fam, n))
        print("## Time per operation, ns, median of %d interleaved runs: "
              "plain / mix (mix/plain; runs in which mix was faster)\n"
              % args.repeat)
        print(fmt_table(["keys", "n", "get hit", "set new key", "build Map(pairs)"],
                        time_rows))
        print()

    cost = hash_cost()
    result["hash_cost_ns"] = cost
    if cost:
        print("## Cost of the hash function alone (C, dependent chain, "
              "median of 3): " + ", ".join("%s %.2f ns" % kv for kv in
                                          sorted(cost.items())))
        print()
    print("machine %s, Python %s, %s; sizes %s; repeat %d"
          % (result["machine"], result["python"], result["date"],
             ",".join(map(str, sizes)), args.repeat))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
