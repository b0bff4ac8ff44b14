"""``get_in``: a nested lookup, as pyrsistent's (from the toolz library)."""

__all__ = ["get_in"]


def get_in(keys, coll, default=None, no_default=False):
    """Return ``coll[k0][k1]...[kn]`` for the keys ``k0 ... kn`` in order.

    Works on any mix of mappings and sequences: march and pyrsistent maps
    and vectors as well as dicts, lists and tuples.  When a step fails with
    KeyError, IndexError or TypeError (a missing key, an index out of range,
    a value that cannot be indexed that way, or ``keys`` that is not
    iterable), ``default`` is returned, or, with ``no_default=True``, the
    error is raised.  O(sum of the lookups' costs): O(len(keys) log32 n) on
    march structures.

    >>> data = {'name': 'Ada', 'langs': ['en', 'fr']}
    >>> get_in(['langs', 1], data)
    'fr'
    >>> get_in(['langs', 5], data, default='?')
    '?'
    >>> get_in(['age'], data, no_default=True)
    Traceback (most recent call last):
    KeyError: 'age'
    """
    try:
        for key in keys:
            coll = coll[key]
    except (KeyError, IndexError, TypeError):
        if no_default:
            raise
        return default
    return coll
