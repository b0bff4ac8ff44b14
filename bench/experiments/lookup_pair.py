"""m[k] (hit) and `k in m` (miss) of march.Map against immutables.Map and
dict, interleaved in one process on the benchmark's own data
(march.bench.make_map_data), the loop behind docs/design.md, section 3.1:

    PYTHONPATH=src python bench/experiments/lookup_pair.py 1000
    PYTHONPATH=src python bench/experiments/lookup_pair.py 1000000

Per key type: two rounds; each cell is ns per lookup, best of 9 loops over
200,000 random keys (hits: keys of the map; misses: keys not in it).
"""
import random
import sys
import time

import immutables

import march
from march.bench import make_map_data


def _best(loop, m, keys, rounds=9):
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        loop(m, keys)
        best = min(best, time.perf_counter() - t)
    return best / len(keys) * 1e9


def _hits(m, keys):
    for k in keys:
        m[k]


def _misses(m, keys):
    for k in keys:
        k in m


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    for kind in ("str", "int"):
        keys, fresh, values = make_map_data(kind, n, 0)
        items = list(zip(keys, values))
        rng = random.Random(1)
        hit = [rng.choice(keys) for _ in range(200000)]
        miss = [rng.choice(fresh) for _ in range(200000)]
        maps = [("march", march.Map(items)), ("immutables", immutables.Map(items)),
                ("dict", dict(items))]
        for _ in range(2):
            cells = ["%s %.1f/%.1f" % (name, _best(_hits, m, hit), _best(_misses, m, miss))
                     for name, m in maps]
            print("%s n=%d hit/miss ns: %s" % (kind, n, "  ".join(cells)), flush=True)


if __name__ == "__main__":
    main()
