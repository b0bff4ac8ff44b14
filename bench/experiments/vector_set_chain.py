"""Chained persistent set(i, x) at random indices: march.Vector against
pyrsistent's PVector, the loop behind docs/design-rrb.md, section 8 ("What
bounds it").  Each library runs in its own process:

    PYTHONPATH=src python bench/experiments/vector_set_chain.py march
    python bench/experiments/vector_set_chain.py pyrsistent

Per size: ns per v = v.set(i, -1), best of 5 loops of 400,000, on
vector(range(n)), restarting from the base vector every 100,000 sets (as
`python -m march bench` does at n = 1,000,000).
"""
import random
import sys
import time


def run(make, n, ops=400000, restart=100000):
    rng = random.Random(1)
    base = make(list(range(n)))
    idx = [rng.randrange(n) for _ in range(ops)]
    x = -1
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        v = base
        c = 0
        for i in idx:
            v = v.set(i, x)
            c += 1
            if c == restart:
                v = base
                c = 0
        best = min(best, time.perf_counter() - t)
    return best / ops * 1e9


def main():
    lib = sys.argv[1] if len(sys.argv) > 1 else "march"
    if lib == "march":
        from march import vector as make
    elif lib == "pyrsistent":
        from pyrsistent import pvector as make
    else:
        raise SystemExit("usage: vector_set_chain.py [march|pyrsistent]")
    for n in (100000, 1000000):
        print("%s n=%d: %.1f ns per set" % (lib, n, run(make, n)), flush=True)


if __name__ == "__main__":
    main()
