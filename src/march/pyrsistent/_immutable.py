"""``immutable``: pyrsistent's named-tuple based class factory.

The class is built directly, with ``collections.namedtuple`` for the base
and ``type()`` for the class itself: no source text is generated or run.
"""
import keyword as _keyword
import sys as _sys
from collections import namedtuple as _namedtuple

__all__ = ["immutable"]

_BASE_NAME = "ImmutableBase"


def _member_names(members):
    """The field names: a string is split at commas and whitespace."""
    if isinstance(members, str):
        return members.replace(",", " ").split()
    return list(members)


def _make_set(names, frozen):
    """The ``set`` method of a class with these fields (frozen: those ending
    with ``_``)."""
    known = frozenset(names)

    def set(self, **kwargs):
        """Return a copy with the given fields replaced (keyword arguments).

        Raises AttributeError for a name that is not a field, or for a frozen
        field (one whose name ends with ``_``).  Without arguments, returns
        this very object.  The copy is made with the class's ``__new__``, so
        a subclass's checks there apply.  O(number of fields).
        """
        if not kwargs:
            return self
        unknown = [name for name in kwargs if name not in known]
        if unknown:
            raise AttributeError("'%s' is not a member" % ", ".join(unknown))
        if frozen:
            refused = [name for name in frozen if name in kwargs]
            if refused:
                raise AttributeError("Cannot set frozen members %s" % ", ".join(refused))
        cls = self.__class__
        get = kwargs.get
        values = [get(name, current) for name, current in zip(names, self)]
        return cls.__new__(cls, *values)

    return set


def _describe(name, names, frozen):
    """The text ``verbose=True`` prints: the class, as it could be written."""
    lines = [
        "class %s(namedtuple(%r, %r)):" % (name, _BASE_NAME, names),
        "    __slots__ = ()",
        "",
        "    def set(self, **kwargs):",
        "        # a copy with the named fields replaced; unknown names raise",
        "        # AttributeError ('<name>' is not a member)",
    ]
    if frozen:
        lines.append("        # frozen (cannot be set): %s" % ", ".join(frozen))
    lines.append("        ...")
    return "\n".join(lines)


def immutable(members="", name="Immutable", verbose=False):
    """Return a tuple-based class with the given fields and a ``set`` method.

    ``members`` is a string of names separated by commas or spaces, or an
    iterable of names.  Instances are named tuples (fields read by name or
    index, assignment refused); ``set(**fields)`` returns a copy with some
    fields replaced, built with the class's ``__new__``.  A field whose name
    ends with ``_`` is frozen: ``set`` refuses to change it.  The class is
    meant to be used as is or as a base class; ``verbose=True`` prints an
    outline of it.  Building the class is O(number of fields); ``set`` is
    too.

    >>> Point = immutable('x, y, id_', name='Point')
    >>> p = Point(1, 2, id_=7)
    >>> p.set(x=5)
    Point(x=5, y=2, id_=7)
    >>> p.set(id_=8)
    Traceback (most recent call last):
    AttributeError: Cannot set frozen members id_
    """
    names = _member_names(members)
    if not isinstance(name, str) or not name.isidentifier() or _keyword.iskeyword(name):
        raise SyntaxError("immutable: the class name must be an identifier, not %r" % (name,))
    base = _namedtuple(_BASE_NAME, names)
    names = list(base._fields)
    frozen = [field for field in names if field.endswith("_")]
    try:
        module = _sys._getframe(1).f_globals.get("__name__", __name__)
    except (AttributeError, ValueError):  # pragma: no cover - no frames
        module = __name__
    base.__module__ = module
    namespace = {
        "__slots__": (),
        "__module__": module,
        "__qualname__": name,
        "__doc__": "%s(%s): an immutable record (see march.pyrsistent.immutable)."
                   % (name, ", ".join(names)),
        "set": _make_set(tuple(names), tuple(frozen)),
    }
    namespace["set"].__qualname__ = name + ".set"
    cls = type(name, (base,), namespace)
    if verbose:
        print(_describe(name, names, frozen))
    return cls
