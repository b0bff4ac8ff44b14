"""Benchmark of the structural set algebra and diff (issue 6).

    PYTHONPATH=src python bench/algebra.py [--n 1000000] [--changes 1000]
                                           [--diff-changes 10] [--repeat 5]
                                           [--json FILE] [--quick]

Measured in one process, interleaved (each repeat runs every contender once,
in turn), best of --repeat, with the garbage collector on:

1. Two versions of an N-entry map (str keys) that share all but --changes
   keys (a third of the changes replace values, a third delete keys, a third
   add keys): ``a.union(b)``, ``a.intersection(b)``, ``a.difference(b)`` and
   ``a.symmetric_difference(b)`` against building the same result key by key
   (a MapMutation loop over the entries) and against the same operation on
   Python dicts (``da | db``, dict comprehensions over ``keys()`` views);
   the same three for ``march.Set`` against Python ``set``.
2. ``a.diff(b)`` of two versions that differ in --diff-changes keys.
3. The union of two unrelated N-key maps: ``a.union(b)`` against immutables
   with a mutation loop (``mm[k] = v`` for every entry of b).
"""
import argparse
import gc
import json
import os
import random
import sys
import time

try:
    import march
except ImportError:     # run from a checkout without PYTHONPATH=src
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import march

try:
    import immutables
except ImportError:     # pragma: no cover
    immutables = None


def best_of(fns, repeat):
    """{name: best seconds}, running each contender once per round."""
    best = {name: float("inf") for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
            if dt < best[name]:
                best[name] = dt
    return best


def fmt(sec):
    if sec < 1e-3:
        return "%.1f us" % (sec * 1e6)
    if sec < 1:
        return "%.2f ms" % (sec * 1e3)
    return "%.2f s" % sec


def make_versions(n, changes, seed):
    rnd = random.Random(seed)
    keys = ["k%d" % i for i in range(n)]
    da = {k: i for i, k in enumerate(keys)}
    a = march.Map(da)
    per = max(1, changes // 3)
    picked = rnd.sample(keys, 2 * per)
    replaced, deleted = picked[:per], picked[per:]
    added = ["new%d" % i for i in range(changes - 2 * per)]
    with a.mutate() as mm:
        for k in replaced:
            mm[k] = -1
        for k in deleted:
            del mm[k]
        for k in added:
            mm[k] = -2
        b = mm.finish()
    db = dict(b.items())
    return a, b, da, db


def key_by_key(a, b, op):
    """The result built entry by entry through a mutation (the baseline)."""
    if op == "union":
        mm = a.mutate()
        for k, v in b.items():
            mm[k] = v
        return mm.finish()
    mm = march.Map().mutate()
    if op == "intersection":
        for k, v in a.items():
            if k in b:
                mm[k] = v
    elif op == "difference":
        for k, v in a.items():
            if k not in b:
                mm[k] = v
    else:
        for k, v in a.items():
            if k not in b:
                mm[k] = v
        for k, v in b.items():
            if k not in a:
                mm[k] = v
    return mm.finish()


DICT_OPS = {
    "union": lambda da, db: da | db,
    "intersection": lambda da, db: {k: da[k] for k in da.keys() & db.keys()},
    "difference": lambda da, db: {k: da[k] for k in da.keys() - db.keys()},
    "symmetric_difference": lambda da, db: {
        k: (da[k] if k in da else db[k]) for k in da.keys() ^ db.keys()},
}
SET_OPS = {
    "union": lambda x, y: x | y,
    "intersection": lambda x, y: x & y,
    "difference": lambda x, y: x - y,
    "symmetric_difference": lambda x, y: x ^ y,
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=1000000)
    p.add_argument("--changes", type=int, default=1000)
    p.add_argument("--diff-changes", type=int, default=10)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="n = 100000, 3 repeats")
    p.add_argument("--json", metavar="FILE")
    opts = p.parse_args(argv)
    if opts.quick:
        opts.n = min(opts.n, 100000)
        opts.repeat = 3
    n, rep = opts.n, opts.repeat
    results = {"n": n, "changes": opts.changes, "implementation":
               march.IMPLEMENTATION, "gc": gc.isenabled(), "rows": []}

    def row(section, op, contenders, best):
        results["rows"].append({"section": section, "op": op,
                                "seconds": best})
        ref = best[contenders[0]]
        cells = ["%s %s" % (name, fmt(best[name])) for name in contenders]
        ratios = ["%s/%s %.*fx" % (name, contenders[0],
                                   1 if best[name] < 10 * ref else 0,
                                   best[name] / ref)
                  for name in contenders[1:]]
        print("  %-22s %s   [%s]" % (op, "  ".join(cells), ", ".join(ratios)))
        sys.stdout.flush()

    print("march %s (%s), n = %d, gc %s, best of %d"
          % (march.__version__, march.IMPLEMENTATION, n,
             "on" if gc.isenabled() else "off", rep))

    # 1. versions sharing all but `changes` keys ---------------------------
    a, b, da, db = make_versions(n, opts.changes, opts.seed)
    print("\n1. Map: two versions sharing all but %d keys" % opts.changes)
    for op in ("union", "intersection", "difference", "symmetric_difference"):
        best = best_of({
            "march": lambda op=op: getattr(a, op)(b),
            "key-by-key": lambda op=op: key_by_key(a, b, op),
            "dict": lambda op=op: DICT_OPS[op](da, db),
        }, rep)
        row("map_versions", op, ["march", "key-by-key", "dict"], best)

    sa = march.Set(a)
    sb = sa
    ea = sb.evolver()
    keys = list(da)
    rnd = random.Random(opts.seed + 1)
    half = opts.changes // 2
    for k in rnd.sample(keys, half):
        ea.discard(k)
    for i in range(opts.changes - half):
        ea.add("new%d" % i)
    sb = ea.persistent()
    pa, pb = set(sa), set(sb)
    print("\n   Set: two versions sharing all but %d elements" % opts.changes)
    for op in ("union", "intersection", "difference", "symmetric_difference"):
        best = best_of({
            "march": lambda op=op: SET_OPS[op](sa, sb),
            "set": lambda op=op: SET_OPS[op](pa, pb),
        }, rep)
        row("set_versions", op, ["march", "set"], best)
    del sa, sb, pa, pb, ea

    # 2. diff ---------------------------------------------------------------
    c = a
    for k in random.Random(opts.seed + 2).sample(keys, opts.diff_changes):
        c = c.set(k, "changed")
    assert len(list(a.diff(c))) == opts.diff_changes

    def diff_many():
        for _ in range(100):
            list(a.diff(c))
    best = best_of({"march": diff_many}, rep)
    best = {"march": best["march"] / 100}
    print("\n2. diff of two versions differing in %d keys" % opts.diff_changes)
    row("diff", "diff", ["march"], best)
    del b, c, db

    # 3. unrelated maps -------------------------------------------------------
    print("\n3. union of two unrelated %d-key maps" % n)
    d2 = {"u%d" % i: i for i in range(n)}
    m2 = march.Map(d2)
    contenders = {"march": lambda: a.union(m2)}
    names = ["march"]
    if immutables is not None:
        ia = immutables.Map(da)
        ib = immutables.Map(d2)

        def imm_loop():
            with ia.mutate() as mm:
                for k, v in ib.items():
                    mm[k] = v
                return mm.finish()
        contenders["immutables"] = imm_loop
        names.append("immutables")
    contenders["march-loop"] = lambda: key_by_key(a, m2, "union")
    names.append("march-loop")
    contenders["dict"] = lambda: da | d2
    names.append("dict")
    best = best_of(contenders, max(2, rep // 2))
    row("unrelated", "union", names, best)

    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
