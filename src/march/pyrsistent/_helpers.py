"""``freeze``, ``thaw`` and ``mutant``: pyrsistent 0.20's converters between
plain Python containers and persistent ones.

``freeze`` turns ``dict`` (and ``collections.defaultdict``) into ``PMap``,
``list`` into ``PVector`` and ``set`` into ``PSet``, and rebuilds tuples,
recursing into values; ``thaw`` goes the other way.  Any ``march.Map``
counts as a persistent map (a ``PMap`` is one), any ``march.Vector`` as a
persistent vector and any ``march.Set`` as a persistent set.

Rules (pyrsistent's): only the exact types ``dict``, ``defaultdict``,
``list``, ``tuple`` and ``set`` are converted (subclasses such as
``OrderedDict`` or named tuples are left alone); dict keys and set
elements are never converted.  ``strict`` (the default) also recurses into
the persistent containers: ``freeze`` into the values of maps and the
elements of vectors, ``thaw`` into the values of dicts and the elements of
lists.  With ``strict=False`` those are returned as they are; tuples are
always recursed into.

Speed.  A JSON document is mostly scalars, so the work is arranged around
them: a container whose values are all scalars (checked in one C-level
pass, ``_SCALARS.issuperset(map(type, values))``) is converted in one call
-- ``PMap`` from the dict, ``vector`` from the list.  Otherwise a dict's
entries are written into a ``MapMutation`` of the empty map (a transient,
``mutate()`` / ``finish()``), nested containers frozen on the way, and a
list is copied with its nested containers frozen and made into a vector
in one go.  Python recursion happens only for nested containers, one
frame per container (no comprehension frames either); ``freeze`` of a
``PMap`` or a vector whose values need no change returns it as it is, and
one whose values do is changed through a mutation of it, sharing the
rest.  ``thaw`` always returns new mutable containers (never one of its
inputs), as pyrsistent does.
"""
from collections import defaultdict as _defaultdict
from functools import wraps as _wraps

import march as _march
from march.pyrsistent._pmap import _EMPTY, _as_pmap
from march.pyrsistent._pmap import PMap as _PMap
from march.pyrsistent._pset import PSet as _PSet
from march.pyrsistent._pset import pset as _pset
from march.pyrsistent._pvector import PVector as _PVector
from march.pyrsistent._pvector import pvector as _vector

__all__ = ["freeze", "thaw", "mutant"]

_Map = _march.Map
_Vector = _march.Vector
_Set = _march.Set
_map_items = _Map.items
_map_values = _Map.values
_map_mutate = _Map.mutate

# Types that freeze returns as they are, whatever ``strict`` is: an entry of
# one of these needs no call.  (Any other type goes through the checks.)
_SCALARS = frozenset({str, int, float, bool, type(None), bytes, complex,
                      frozenset, range, _Set, _PSet})
# ... and those thaw returns as they are
_THAW_SCALARS = frozenset({str, int, float, bool, type(None), bytes,
                           complex, frozenset, range})


def freeze(o, strict=True):
    """``o`` with its plain containers made persistent, recursively: a
    ``dict`` or ``defaultdict`` becomes a ``PMap`` (values frozen, keys
    not), a ``list`` a ``PVector``, a ``set`` a ``PSet`` (elements not
    frozen), a ``tuple`` a tuple of frozen elements.  With ``strict`` (the
    default) the values of a ``PMap`` and the elements of a ``PVector`` are
    frozen too; with ``strict=False`` they are left as they are.  Anything
    else is returned as it is.  O(n) for n entries in all, each map built
    in O(k log32 k).

    >>> from march.pyrsistent._pmap import m
    >>> freeze({'a': [1, {'b': (2, {3})}]})
    pmap({'a': pvector([1, pmap({'b': (2, pset([3]))})])})
    >>> freeze([m(a=[1])], strict=False)
    pvector([pmap({'a': [1]})])
    """
    return _freeze(o, strict)


def _freeze(o, strict):
    """freeze(o, strict); every kind of container is handled in this one
    function, so that each nested container costs one Python frame."""
    t = type(o)
    if t is dict or t is _defaultdict:
        if _SCALARS.issuperset(map(type, o.values())):
            return _as_pmap(o) if o else _EMPTY
        draft = _map_mutate(_EMPTY)  # finish() gives a PMap
        for key, value in o.items():
            draft[key] = (value if type(value) in _SCALARS
                          else _freeze(value, strict))
        return draft.finish()
    if t is list:
        if _SCALARS.issuperset(map(type, o)):
            return _vector(o)
        out = []
        append = out.append
        for x in o:
            append(x if type(x) in _SCALARS else _freeze(x, strict))
        return _vector(out)
    if t is tuple:
        if _SCALARS.issuperset(map(type, o)):
            return o
        out = []
        append = out.append
        for x in o:
            append(x if type(x) in _SCALARS else _freeze(x, strict))
        return tuple(out)
    if t is set:
        return _pset(o)
    if strict:
        if isinstance(o, _Map):
            if _SCALARS.issuperset(map(type, _map_values(o))):
                return o if t is _PMap else _as_pmap(o)
            draft = None
            for key, value in _map_items(o):
                if type(value) not in _SCALARS:
                    frozen = _freeze(value, strict)
                    if frozen is not value:
                        if draft is None:
                            draft = _map_mutate(o)
                        draft[key] = frozen
            if draft is None:
                return o if t is _PMap else _as_pmap(o)
            # finish() gives o's class: a PMap, or what _as_pmap makes one of
            return draft.finish() if t is _PMap else _as_pmap(draft.finish())
        if isinstance(o, _Vector):
            if _SCALARS.issuperset(map(type, o)):
                return o if t is _PVector else _vector(o)
            changed = False
            out = []
            append = out.append
            for x in o:
                if type(x) not in _SCALARS:
                    frozen = _freeze(x, strict)
                    if frozen is not x:
                        changed = True
                        x = frozen
                append(x)
            if not changed and t is _PVector:
                return o
            return _vector(out)
    return o


def thaw(o, strict=True):
    """``o`` with its persistent containers made plain, recursively: a
    ``PVector`` becomes a ``list`` (elements thawed), a ``PMap`` (any
    ``march.Map``) a ``dict`` (values thawed, keys not), a ``PSet`` a
    ``set`` (elements not thawed), a ``tuple`` a tuple of thawed elements.
    With ``strict`` (the default) the values of a ``dict`` and the elements
    of a ``list`` are thawed too, into new containers; with
    ``strict=False`` they are left as they are.  Anything else is returned
    as it is.  O(n) for n entries in all.

    >>> from march import v, s
    >>> from march.pyrsistent._pmap import m
    >>> thaw(m(a=v(1, s(2), (v(),))))
    {'a': [1, {2}, ([],)]}
    """
    return _thaw(o, strict)


def _thaw(o, strict):
    """thaw(o, strict), with one Python frame per nested container."""
    t = type(o)
    if isinstance(o, _Vector) or (strict and t is list):
        out = list(o)
        if not _THAW_SCALARS.issuperset(map(type, out)):
            for i, x in enumerate(out):
                if type(x) not in _THAW_SCALARS:
                    out[i] = _thaw(x, strict)
        return out
    if isinstance(o, _Map) or (strict and t is dict):
        out = dict(_map_items(o)) if t is not dict else o.copy()
        if not _THAW_SCALARS.issuperset(map(type, out.values())):
            for k, x in out.items():
                if type(x) not in _THAW_SCALARS:
                    out[k] = _thaw(x, strict)
        return out
    if t is tuple:
        if _THAW_SCALARS.issuperset(map(type, o)):
            return o
        out = []
        append = out.append
        for x in o:
            append(x if type(x) in _THAW_SCALARS else _thaw(x, strict))
        return tuple(out)
    if isinstance(o, _Set):
        return set(o)
    return o


def mutant(fn):
    """Decorator: ``fn`` is called with its arguments frozen (``freeze``,
    strict) and its result is frozen too, so mutation stays inside it.
    Costs one ``freeze`` per argument and one of the result.

    >>> @mutant
    ... def tag(doc, tags):
    ...     return [doc, tags]
    >>> tag({'a': 1}, tags=['x'])
    pvector([pmap({'a': 1}), pvector(['x'])])
    """
    @_wraps(fn)
    def frozen_in_and_out(*args, **kwargs):
        args = [_freeze(a, True) for a in args]
        kwargs = {name: _freeze(value, True) for name, value in kwargs.items()}
        return _freeze(fn(*args, **kwargs), True)
    return frozen_in_and_out

