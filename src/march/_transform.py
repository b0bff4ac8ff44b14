"""pyrsistent-compatible ``transform`` for march's Vectors and Maps.

``transform(structure, transformations)`` applies ``(path, command)`` pairs in
order, as ``pyrsistent.PVector.transform`` / ``PMap.transform`` do, and is what
``Vector.transform(*transformations)`` (C and pure Python) calls.

* A *path* is a sequence of keys: an index for a vector, a key for a map.  A
  path element may also be a *matcher*: a callable taking the key (one
  argument) or the key and the value (two arguments) and returning whether to
  descend there; ``ny`` matches anything and ``rex(pattern)`` matches string
  keys against a regular expression.
* A *command* is applied at the end of the path: a callable is called with the
  current value (``inc`` adds one), any other object replaces the value, and
  ``discard`` removes the matched entries.
* A missing key (a map key that is absent, or the index ``len(v)`` of a
  vector) is created: the rest of the path then runs on an empty Map.
* Structures are updated through their evolver (``evolver()`` /
  ``persistent()``, vectors and pyrsistent structures) or mutation
  (``mutate()`` / ``finish()``, march and immutables Maps), so a path through a
  Map uses ``set``.  When nothing changes the original object is returned,
  untouched, at every level.

The helpers ``ny``, ``inc``, ``discard`` and ``rex`` are public as
``march.ny``, ``march.inc``, ``march.discard`` and ``march.rex`` (as in
pyrsistent).  pyrsistent's own ``ny``, ``discard`` and ``inc`` may be used
too: ``ny`` and ``inc`` are plain callables, and pyrsistent's ``discard`` is
recognised.

This module is imported by ``import march`` (for the helpers), so it imports
``re`` and ``inspect`` only when they are needed.
"""

__all__ = ["transform", "ny", "discard", "inc", "dec", "rex"]

_MISSING = object()


def inc(x):
    """Command for ``transform``: the current value plus one.  O(1).

    >>> import march
    >>> march.v(1, 2).transform([0], march.inc)
    vector([2, 2])
    """
    return x + 1


def dec(x):
    """Command for ``transform``: the current value minus one.  O(1)."""
    return x - 1


def discard(evolver, key):
    """Command for ``transform``: remove the matched entries (a missing map
    key is ignored).  Each removal costs what ``del`` on the structure's
    evolver or mutation costs: O(log n).

    >>> import march
    >>> march.v(1, 2, 3).transform([1], march.discard)
    vector([1, 3])
    """
    try:
        del evolver[key]
    except KeyError:
        pass


def ny(_):
    """Matcher for a ``transform`` path: any key ("any").  O(1) per key;
    a path element that is a matcher visits every entry, O(n).

    >>> import march
    >>> march.v(1, 2, 3).transform([march.ny], march.inc)
    vector([2, 3, 4])
    """
    return True


def rex(expr):
    """Matcher for a ``transform`` path: the string keys that match the
    regular expression ``expr`` (``re.match``, from the start).  Visits
    every entry: O(n).

    >>> import march
    >>> m = march.Map({"a1": 1, "a2": 2, "b1": 3})
    >>> sorted(march.v(m).transform([0, march.rex("a")], 0)[0].items())
    [('a1', 0), ('a2', 0), ('b1', 3)]
    """
    import re
    pattern = re.compile(expr)
    return lambda key: isinstance(key, str) and pattern.match(key) is not None


def _is_discard(command):
    if command is discard:
        return True
    try:
        from pyrsistent import discard as p_discard
    except ImportError:  # pragma: no cover - pyrsistent is optional
        return False
    return command is p_discard


class _CannotTransform(TypeError, AttributeError):
    """Raised when a path goes through a value that has neither an evolver
    nor a mutation (a str, say).  A ``TypeError``, and an
    ``AttributeError`` too, which is what pyrsistent's transform raises
    there (it asks the value for its ``evolver``), so code written for
    either catches it."""


def transform(structure, transformations):
    """Apply ``transformations`` (``path, command, path, command, ...``) to ``structure``."""
    transformations = list(transformations)
    if len(transformations) % 2:
        raise TypeError("transform expects pairs of path and command")
    result = structure
    for k in range(0, len(transformations), 2):
        result = _do_to_path(result, transformations[k], transformations[k + 1])
    return result


def _do_to_path(structure, path, command):
    if not path:
        return command(structure) if callable(command) else command
    pairs = _matching(structure, path[0])
    return _update(structure, pairs, path[1:], command)


def _items(structure):
    items = getattr(structure, "items", None)
    if items is not None:
        return list(items())
    return list(enumerate(structure))


def _lookup(structure, key):
    try:
        if hasattr(structure, "__getitem__"):
            return structure[key]
        return getattr(structure, key)
    except (IndexError, KeyError):
        return _MISSING


def _arity(fn):
    from inspect import Parameter, signature
    try:
        params = signature(fn).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        return 1
    return sum(1 for p in params
               if p.default is Parameter.empty
               and p.kind in (Parameter.POSITIONAL_ONLY, Parameter.POSITIONAL_OR_KEYWORD))


def _matching(structure, spec):
    """``[(key, value)]`` selected by one path element."""
    if callable(spec):
        arity = _arity(spec)
        if arity == 1:
            return [(k, v) for k, v in _items(structure) if spec(k)]
        if arity == 2:
            return [(k, v) for k, v in _items(structure) if spec(k, v)]
        raise ValueError("callable in transform path must take 1 or 2 arguments")
    return [(spec, _lookup(structure, spec))]


def _empty_map(structure):
    """The empty map a missing key on the path expands to (pyrsistent: a pmap).

    Under a ``march.pyrsistent`` map (``PMap`` and its subclasses:
    ``PRecord``, ``CheckedPMap``) it is an empty ``pmap()``, as in
    pyrsistent: ``type(structure)()`` would fail for a record with mandatory
    fields, and a checked map's key/value types need not hold one level
    down.  ``march.pyrsistent`` is not imported here: a ``PMap`` can only
    exist once its module is loaded, so the ``sys.modules`` lookup suffices.
    """
    import sys
    from collections.abc import Mapping
    if type(structure).__module__.startswith("pyrsistent"):
        from pyrsistent import pmap
        return pmap()
    pmap_module = sys.modules.get("march.pyrsistent._pmap")
    if pmap_module is not None and isinstance(structure, pmap_module.PMap):
        return pmap_module.pmap()
    if isinstance(structure, Mapping):
        try:
            return type(structure)()
        except TypeError:
            pass
    import march
    return march.Map()


class _Editor:
    """Uniform in-place editing of a persistent structure: evolver or mutation."""

    def __init__(self, structure):
        if hasattr(structure, "evolver"):
            self.e = structure.evolver()
            self.done = self.e.persistent
        elif hasattr(structure, "mutate"):
            self.e = structure.mutate()
            self.done = self.e.finish
        else:
            raise _CannotTransform("cannot transform a %s" % type(structure).__name__)


def _update(structure, pairs, path, command):
    editor = _Editor(structure)
    e = editor.e
    changed = False
    if not path and _is_discard(command):
        # backwards, so that deleting vector indexes does not shift later ones
        for k, _ in reversed(pairs):
            try:
                del e[k]
                changed = True
            except KeyError:  # a missing map key: nothing to discard
                pass
    else:
        for k, value in pairs:
            created = False
            if value is _MISSING:
                if _is_discard(command):
                    continue  # nothing there to discard: add nothing either
                created = True
                value = _empty_map(structure)
            result = _do_to_path(value, path, command)
            if result is not value or created:
                e[k] = result
                changed = True
    if not changed:
        return structure
    return editor.done()
