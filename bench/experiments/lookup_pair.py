"""m[k] (hit) and `k in m` (miss) of march.Map against immutables.Map and
dict, interleaved in one process on the benchmark's own data
(march.bench.operations.make_map_data), the loop behind bench/notes-hamt.md,
sections 3.3 and 3.4 (the lookup tags and the masked level; the decisions in
docs/design.md, sections 1.2 and 1.4):

    PYTHONPATH=src python bench/experiments/lookup_pair.py 1000
    PYTHONPATH=src python bench/experiments/lookup_pair.py 1000000

Per key type: two rounds; each cell is ns per lookup, best of 9 loops over
200,000 random keys (hits: keys of the map; misses: keys not in it).
"""
import random
import sys

import immutables

import march
from dense_lookup import _hits, _misses, _time   # the timing loops, shared
from march.bench.operations import make_map_data


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
            cells = ["%s %.1f/%.1f" % (name, _time(_hits, m, hit, 9), _time(_misses, m, miss, 9))
                     for name, m in maps]
            print("%s n=%d hit/miss ns: %s" % (kind, n, "  ".join(cells)), flush=True)


if __name__ == "__main__":
    main()
