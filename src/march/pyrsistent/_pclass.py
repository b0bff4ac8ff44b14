"""``PClass``: an immutable Python object with declared, checked fields.

A PClass subclass declares its fields with ``field()`` (and
``pvector_field`` & co.); ``PClassMeta`` turns them into ``__slots__``, so an
instance stores each value in a slot, has no ``__dict__`` and refuses
attribute assignment.  Updates (``set``, ``remove``, ``evolver()``) build a
new instance through the class, checking it as the constructor does.

Behaviour follows pyrsistent 0.20's PClass: the same constructor keywords
(``_factory_fields``, ``ignore_extra``), the same exceptions and messages,
``__invariant__`` collected from every class of the hierarchy (plain
mixins too), ``_pclass_fields`` / ``_pclass_invariants`` on each class.
Two differences, both in multiple-inheritance corners: where two bases
declare a field of the same name the one earlier in the method resolution
order wins (pyrsistent takes the later base), and class invariants run in
method resolution order (pyrsistent walks the bases depth-first).
"""
from march._transform import transform as _transform

from ._evolver import EvolverBase as _EvolverBase
from ._checked_types import CheckedType
from ._checked_types import InvariantException
from ._checked_types import _check_global_invariants
from ._checked_types import _class_invariants
from ._checked_types import _unpickle
from ._field_common import _field_values
from ._field_common import _merged_fields
from ._field_common import _take_fields
from ._field_common import field  # noqa: F401 (the doctests use it)

__all__ = ["PClass", "PClassMeta"]

_MISSING = object()
_set_slot = object.__setattr__

# where each class keeps the fields it declares itself
_OWN_FIELDS = "_pclass_own_fields"


class PClassMeta(type):
    """Metaclass of ``PClass``: collects the fields and invariants.

    For each new class it takes the ``field()`` attributes out of the class
    namespace and makes them slots (one slot per field, declared once in the
    hierarchy, plus ``__weakref__`` at the root), then stores on the class
    ``_pclass_fields`` (name -> field, inherited ones first) and
    ``_pclass_invariants`` (the ``__invariant__`` callables of the class and
    all its bases).  A non-callable ``__invariant__`` is a TypeError.
    O(fields + classes in the hierarchy) per class.

    >>> class Pair(PClass):
    ...     left = field()
    ...     right = field()
    >>> type(Pair) is PClassMeta, list(Pair._pclass_fields)
    (True, ['left', 'right'])
    """

    def __new__(mcs, name, bases, namespace):
        own = _take_fields(namespace)
        inherited = set()
        for base in bases:
            inherited.update(getattr(base, "_pclass_fields", ()))
        clash = sorted(set(namespace) & (inherited - set(own)))
        if clash:
            raise ValueError("%s: %s is a field of a base class and cannot also be "
                             "a class attribute" % (name, ", ".join(map(repr, clash))))
        slots = namespace.get("__slots__", ())
        slots = [slots] if isinstance(slots, str) else list(slots)
        slots += [n for n in own if n not in inherited and n not in slots]
        if (not any(isinstance(base, PClassMeta) for base in bases)
                and not any(getattr(base, "__weakrefoffset__", 0) for base in bases)
                and "__weakref__" not in slots):
            slots.append("__weakref__")
        namespace["__slots__"] = tuple(slots)
        namespace[_OWN_FIELDS] = own
        cls = super().__new__(mcs, name, bases, namespace)
        cls._pclass_fields = _merged_fields(cls, _OWN_FIELDS)
        cls._pclass_invariants = _class_invariants(cls)
        return cls


class PClass(CheckedType, metaclass=PClassMeta):
    """An immutable object with a fixed set of declared, checked fields.

    Declare fields as class attributes with ``field()``; build instances
    with keyword arguments (``Point(x=1)``) or from a dict with ``create``.
    Values are checked for type (``PTypeError``), field and class
    invariants and mandatory presence (``InvariantException``); names that
    are not fields raise AttributeError.  Instances cannot be changed:
    ``set``, ``remove`` and ``evolver()`` return new ones.  They compare
    and hash by their field values, pickle, and support weak references.

    Complexity: building, ``set`` and ``remove`` are O(number of fields),
    plus the factories and invariants; reading a field is O(1).

    >>> class Point(PClass):
    ...     x = field(type=int, mandatory=True)
    ...     y = field(type=int, initial=0)
    >>> p = Point(x=1)
    >>> p
    Point(x=1, y=0)
    >>> p.set(y=5), p.set('x', 2)
    (Point(x=1, y=5), Point(x=2, y=0))
    >>> Point.create({'x': 3, 'y': 4}).serialize()
    {'x': 3, 'y': 4}
    >>> p.x = 5
    Traceback (most recent call last):
    ...
    AttributeError: Can't set attribute, key=x, value=5
    """

    def __new__(cls, **kwargs):
        factory_fields = kwargs.pop("_factory_fields", None)
        ignore_extra = kwargs.pop("ignore_extra", None)
        values, errors, missing = _field_values(
            cls, cls._pclass_fields, kwargs, factory_fields, ignore_extra)
        if errors or missing:
            raise InvariantException(tuple(errors), tuple(missing), "Field invariant failed")
        if kwargs:
            raise AttributeError("'{0}' are not among the specified fields for {1}"
                                 .format(", ".join(kwargs), cls.__name__))
        self = super().__new__(cls)
        for name, value in values.items():
            _set_slot(self, name, value)
        _check_global_invariants(self, cls._pclass_invariants)
        return self

    def set(self, *args, **kwargs):
        """Return a copy with fields replaced: ``set(name, value)`` or
        ``set(name=value, ...)``.  The new values go through their fields'
        factories; the whole object is checked again.  O(number of fields).

        >>> class Box(PClass):
        ...     w = field(type=int)
        ...     h = field(type=int)
        >>> Box(w=1, h=2).set(h=3)
        Box(w=1, h=3)
        """
        if args:
            if len(args) != 2:
                raise TypeError("set() takes a field name and a value, or keyword "
                                "arguments (%d positional arguments given)" % len(args))
            kwargs[args[0]] = args[1]
        factory_fields = set(kwargs)
        for name in self._pclass_fields:
            if name not in kwargs:
                value = getattr(self, name, _MISSING)
                if value is not _MISSING:
                    kwargs[name] = value
        return self.__class__(_factory_fields=factory_fields, **kwargs)

    @classmethod
    def create(cls, kwargs, _factory_fields=None, ignore_extra=False):
        """Build an instance from a mapping of field values (an instance of
        this class is returned as is).  Every value goes through its field's
        factory, so nested records and classes can be given as dicts.  With
        ``ignore_extra=True``, keys that are not fields are dropped (here
        and in nested records and classes).  O(number of fields).

        >>> class Tag(PClass):
        ...     name = field(type=str)
        >>> Tag.create({'name': 'a', 'colour': 'red'}, ignore_extra=True)
        Tag(name='a')
        """
        if isinstance(kwargs, cls):
            return kwargs
        if ignore_extra:
            kwargs = {name: kwargs[name] for name in cls._pclass_fields if name in kwargs}
        return cls(_factory_fields=_factory_fields, ignore_extra=ignore_extra, **kwargs)

    def serialize(self, format=None):
        """The field values as a dict, each passed through its field's
        serializer (``serializer(format, value)``); values that are records,
        classes or checked collections serialize themselves.  O(number of
        fields) plus the serializers.

        >>> class Temp(PClass):
        ...     c = field(serializer=lambda fmt, v: fmt % v)
        >>> Temp(c=21).serialize('%d C')
        {'c': '21 C'}
        """
        result = {}
        for name, spec in self._pclass_fields.items():
            value = getattr(self, name, _MISSING)
            if value is not _MISSING:
                result[name] = spec._serialize(format, value)
        return result

    def transform(self, *transformations):
        """Apply ``path, command`` pairs (as ``PMap.transform`` does) and
        return the result; a path goes through fields by name, into nested
        classes and collections.  Key matchers (``ny``...) do not apply to a
        PClass itself, which is not a collection.  O(path length) updates.

        >>> class Inner(PClass):
        ...     n = field(type=int)
        >>> class Outer(PClass):
        ...     inner = field(type=Inner)
        >>> Outer(inner=Inner(n=1)).transform(['inner', 'n'], 5)
        Outer(inner=Inner(n=5))
        """
        return _transform(self, transformations)

    def __eq__(self, other):
        if not isinstance(other, self.__class__):
            return NotImplemented
        for name in self._pclass_fields:
            if getattr(self, name, _MISSING) != getattr(other, name, _MISSING):
                return False
        return True

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(tuple((name, getattr(self, name, _MISSING))
                          for name in self._pclass_fields))

    def __setattr__(self, key, value):
        raise AttributeError("Can't set attribute, key={0}, value={1}".format(key, value))

    def __delattr__(self, key):
        raise AttributeError("Can't delete attribute, key={0}, use remove()".format(key))

    def _to_dict(self):
        """The fields that have a value, as a dict name -> value."""
        result = {}
        for name in self._pclass_fields:
            value = getattr(self, name, _MISSING)
            if value is not _MISSING:
                result[name] = value
        return result

    def __repr__(self):
        return "%s(%s)" % (self.__class__.__name__,
                           ", ".join("%s=%r" % item for item in self._to_dict().items()))

    def __reduce__(self):
        return _unpickle, (self.__class__, self._to_dict())

    def evolver(self):
        """A mutable draft of this object: ``set`` / ``e[name] = v`` /
        ``e.name = v``, ``remove`` / ``del e[name]``, then ``persistent()``
        makes the new object (checked as the constructor does; only the
        changed fields go through their factories).  Without changes,
        ``persistent()`` returns this very object.  O(number of fields).

        >>> class Pos(PClass):
        ...     x = field()
        ...     y = field()
        >>> p = Pos(x=1, y=2)
        >>> e = p.evolver()
        >>> e.x = 10
        >>> e.remove('y').persistent()
        Pos(x=10)
        >>> p.evolver().persistent() is p
        True
        """
        return _PClassEvolver(self, self._to_dict())

    def remove(self, name):
        """Return a copy without the field ``name`` (AttributeError if it has
        no value; InvariantException if it is mandatory).  O(number of
        fields).

        >>> class Opt(PClass):
        ...     a = field()
        ...     b = field()
        >>> Opt(a=1, b=2).remove('b')
        Opt(a=1)
        """
        evolver = self.evolver()
        del evolver[name]
        return evolver.persistent()


class _PClassEvolver(_EvolverBase):
    """The draft returned by ``PClass.evolver()``."""

    __slots__ = ("_original", "_data", "_dirty", "_factory_fields")

    def __init__(self, original, initial_dict):
        _set_slot(self, "_original", original)
        _set_slot(self, "_data", initial_dict)
        _set_slot(self, "_dirty", False)
        _set_slot(self, "_factory_fields", set())

    def __getitem__(self, name):
        return self._data[name]

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __contains__(self, name):
        return name in self._data

    def set(self, name, value):
        """Set a field (not checked until ``persistent()``); returns the evolver."""
        if self._data.get(name, _MISSING) is not value:
            self._data[name] = value
            self._factory_fields.add(name)
            _set_slot(self, "_dirty", True)
        return self

    def __setitem__(self, name, value):
        self.set(name, value)

    def __setattr__(self, name, value):
        self.set(name, value)

    def remove(self, name):
        """Remove a field's value (AttributeError if it has none); returns the evolver."""
        if name not in self._data:
            raise AttributeError(name)
        del self._data[name]
        self._factory_fields.discard(name)
        _set_slot(self, "_dirty", True)
        return self

    def __delitem__(self, name):
        self.remove(name)

    def __delattr__(self, name):
        self.remove(name)

    def is_dirty(self):
        """Whether anything was set or removed."""
        return self._dirty

    def persistent(self):
        """The resulting object: the original when nothing changed, else a
        new one built (and checked) by the original's class."""
        if not self._dirty:
            return self._original
        return self._original.__class__(_factory_fields=set(self._factory_fields),
                                        **self._data)

    def __repr__(self):
        return "%s.evolver(%r)" % (self._original.__class__.__name__, self._data)
