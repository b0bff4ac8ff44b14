"""The RRB tree stays O(log n) high under many concatenations, splits and inserts.

Bound checked: ``_height() <= 2 * ceil(log_M(n)) + 2`` (a perfectly dense tree
has about ``log_M(n) - 1`` levels above the leaves; naive concatenation
without rebalancing would grow by one level per concatenation).
"""
import random

import pytest


def height_bound(n, M):
    levels, cap = 1, M
    while cap < n:
        levels += 1
        cap *= M
    return 2 * levels + 2


def assert_height_ok(vec, M):
    h = vec._height()
    assert h <= height_bound(len(vec), M), (len(vec), h)


def full_check(vec, model):
    vec._check()
    assert len(vec) == len(model)
    assert [vec[i] for i in range(len(model))] == model
    assert vec.tolist() == model


def piece_sizes(rng, M, k):
    return [rng.choice([0, 1, 2, M - 1, M, M + 1, rng.randrange(3 * M + 1)]) for _ in range(k)]


@pytest.mark.parametrize("direction", ["append_right", "prepend_left", "alternate"])
def test_thousand_sequential_concats(V, direction):
    M = V.BRANCHING
    rng = random.Random(["append_right", "prepend_left", "alternate"].index(direction))
    acc, model = V.vector(), []
    counter = 0
    for step, n in enumerate(piece_sizes(rng, M, 1000)):
        items = list(range(counter, counter + n))
        counter += n
        piece = V.vector(items)
        if direction == "append_right" or (direction == "alternate" and step % 2):
            acc, model = acc + piece, model + items
        else:
            acc, model = piece + acc, items + model
        assert_height_ok(acc, M)
        if step % 100 == 99:
            full_check(acc, model)
    full_check(acc, model)


def test_thousand_random_tree_concats(V):
    """Concatenate random pairs from a pool: relaxed nodes on both sides."""
    M = V.BRANCHING
    cap = 4000 if M == 4 else 20000
    rng = random.Random(99)
    counter = 0
    pool = []
    for n in piece_sizes(rng, M, 60):
        pool.append((V.vector(range(counter, counter + n)), list(range(counter, counter + n))))
        counter += n
    for step in range(1000):
        i, j = rng.randrange(len(pool)), rng.randrange(len(pool))
        (a, am), (b, bm) = pool[i], pool[j]
        r, rm = a + b, am + bm
        assert_height_ok(r, M)
        if len(rm) > cap:
            # split it back at a random point instead of growing without end
            k = rng.randrange(len(rm) + 1)
            left, right = r.split(k)
            assert_height_ok(left, M)
            assert_height_ok(right, M)
            pool[i] = (left, rm[:k])
            pool[j] = (right, rm[k:])
        else:
            pool[rng.randrange(len(pool))] = (r, rm)
        if step % 100 == 0:
            full_check(r, rm)
    for vec, model in pool:
        assert_height_ok(vec, M)
        full_check(vec, model)


def test_thousand_splits_rotations_inserts(V):
    M = V.BRANCHING
    n = 3 * M * M + 17
    rng = random.Random(5)
    vec, model = V.vector(range(n)), list(range(n))
    for step in range(1000):
        op = rng.randrange(4)
        if op == 0:
            k = rng.randrange(len(model) + 1)
            left, right = vec.split(k)
            vec, model = right + left, model[k:] + model[:k]
        elif op == 1:
            k = rng.randrange(len(model) + 1)
            vec = vec.insert(k, -step)
            model.insert(k, -step)
        elif op == 2 and model:
            k = rng.randrange(len(model))
            vec = vec.delete(k)
            del model[k]
        else:
            i = rng.randrange(len(model) + 1)
            j = rng.randrange(len(model) + 1)
            i, j = min(i, j), max(i, j)
            vec, model = vec[:i] + vec[j:] + vec[i:j], model[:i] + model[j:] + model[i:j]
        assert_height_ok(vec, M)
        if step % 100 == 0:
            full_check(vec, model)
    full_check(vec, model)


def test_from_concat_thousand_vectors(V):
    M = V.BRANCHING
    rng = random.Random(8)
    parts, model, counter = [], [], 0
    for n in piece_sizes(rng, M, 1000):
        parts.append(V.vector(range(counter, counter + n)))
        model.extend(range(counter, counter + n))
        counter += n
    r = V.Vector.from_concat(parts)
    assert_height_ok(r, M)
    full_check(r, model)
    # from_concat of concatenation results (relaxed inputs)
    pairs = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
    r2 = V.Vector.from_concat(pairs)
    assert_height_ok(r2, M)
    full_check(r2, model)


def test_append_only_height_is_minimal(V):
    M = V.BRANCHING
    vec = V.vector(range(M ** 4 + 1 if M == 4 else M * M * 2))
    n = len(vec)
    tree = n - ((n - 1) % M + 1)
    h, cap = 0, M
    while cap < tree:
        h += 1
        cap *= M
    assert vec._height() == h
