"""Lookup time and node memory of march.Map in its CHAMP form against the
same maps rewritten with "dense" top levels (no inline entries in a node
whose subtree holds more than T entries), and against immutables.Map.

Needs a build with dense-top-levels.patch applied (it adds the experimental
Map._densify(T)); results in bench/notes-hamt.md, section 3.2, the decision
in docs/design.md, section 1.3.  The patch is against the C files of the
commit that added it (f26ce7b: src/march/_core/hamt.c and hamtmodule.c,
before the files were split), so check that commit out first:

    git apply bench/experiments/dense-top-levels.patch
    python setup.py build_ext --inplace
    PYTHONPATH=src python bench/experiments/dense_lookup.py
    git apply -R bench/experiments/dense-top-levels.patch

Per cell: ns per m[k] (hit, random order) and per `k in m` (miss), best of
3 interleaved rounds of 7 timed loops; bytes: Map._stats()["bytes"] / n.
"""
import argparse
import random
import time

import immutables

import march


def _time(stmt_fn, m, keys, rounds=7):
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        stmt_fn(m, keys)
        best = min(best, time.perf_counter() - t)
    return best / len(keys) * 1e9


def _hits(m, keys):
    for k in keys:
        m[k]


def _misses(m, keys):
    for k in keys:
        k in m


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000,100000,1000000")
    p.add_argument("--thresholds", default="8,16,32")
    a = p.parse_args()
    if not hasattr(march.Map, "_densify"):
        raise SystemExit("this build has no Map._densify: apply "
                         "bench/experiments/dense-top-levels.patch first")
    ts = [int(t) for t in a.thresholds.split(",")]
    rng = random.Random(5)
    print("n kind | hit ns: champ immutables dense-T... | miss ns: same "
          "| node bytes/entry: champ dense-T...")
    for n in [int(x) for x in a.sizes.split(",")]:
        for kind in ("str", "int"):
            if kind == "str":
                keys = ["k%d_%d" % (i, rng.randrange(10**9)) for i in range(n)]
                miss = ["m%d_%d" % (i, rng.randrange(10**9)) for i in range(n)]
            else:
                keys = rng.sample(range(1 << 60), n)
                miss = rng.sample(range(1 << 60), n)
            items = [(k, i) for i, k in enumerate(keys)]
            maps = {"champ": march.Map(items), "immutables": immutables.Map(items)}
            for t in ts:
                maps["dense-%d" % t] = maps["champ"]._densify(t)
            hk = (keys * max(1, 200000 // n))[:200000]
            rng.shuffle(hk)
            mk = (miss * max(1, 200000 // n))[:200000]
            hit = {name: [] for name in maps}
            mis = {name: [] for name in maps}
            for _ in range(3):
                for name, m in maps.items():
                    hit[name].append(_time(_hits, m, hk))
                    mis[name].append(_time(_misses, m, mk))
            mem = {name: m._stats()["bytes"] / n
                   for name, m in maps.items() if name != "immutables"}
            print("%d %s | hit %s | miss %s | bytes %s" % (
                n, kind,
                " ".join("%s=%.1f" % (k, min(v)) for k, v in hit.items()),
                " ".join("%s=%.1f" % (k, min(v)) for k, v in mis.items()),
                " ".join("%s=%.1f" % (k, v) for k, v in mem.items())),
                flush=True)


if __name__ == "__main__":
    main()
