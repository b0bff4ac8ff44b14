"""``PRecord``: a ``PMap`` with a fixed set of declared, checked fields.

A PRecord subclass declares its fields with ``field()`` (and
``pvector_field`` & co.); ``_PRecordMeta`` takes them out of the class
namespace.  An instance *is* a ``PMap`` (so a ``march.Map``): reading
(``r['x']``, ``r.x``, ``get``, ``in``, iteration, ``len``) is the map's, and
a record equals any mapping with the same entries, ``dict`` included.

Every update goes through the record's evolver (``_PRecordEvolver``, a
``PMap._Evolver``): ``set``, ``remove``, ``discard``, ``update``,
``update_with``, ``+``, ``transform``.  Setting a field runs its factory,
checks its type (``PTypeError`` at once) and its invariant (failures are
collected); ``persistent()`` then reports the failed invariants and the
missing mandatory fields together in one ``InvariantException``, runs the
class invariants, and returns an instance of the record's class (the
original record when nothing changed).  A name that is not a field is an
AttributeError; removing a mandatory field is an InvariantException.

Behaviour follows pyrsistent 0.20's PRecord: the constructor keywords
(``_factory_fields``, ``_ignore_extra``), ``create(..., ignore_extra)``,
``serialize``, the exceptions and their messages, the repr
``Name(x=1, y=2)``, pickling without running the factories again, and the
class attributes ``_precord_fields``, ``_precord_invariants``,
``_precord_mandatory_fields`` and ``_precord_initial_values``.

Differences, all in corners: the repr and ``serialize`` list the fields in
declaration order (pyrsistent: the map's order), and missing mandatory
fields are reported in declaration order; unpickling gives back exactly
the pickled fields (pyrsistent adds the initial value of a field the
record did not have, which can even fail the class invariant);
``persistent()`` called twice on an evolver gives the same record; a
record built directly (not through ``set``) checks the names it is given
before running any factory, so an unknown name is reported before a wrong
type; a field whose name is one of ``march.Map``'s own methods that
pyrsistent's PMap does not have (``filter``, ``union``, ``delete``,
``diff``, ``mutate``...) reads as the field on an instance (``r.filter``);
the method stays reachable on the class.  A mandatory field whose factory
raised InvariantException (a nested record) is reported through that
exception only, not also as missing.
"""
import march as _march

from ._checked_types import CheckedType
from ._checked_types import InvariantException
from ._checked_types import _check_global_invariants
from ._checked_types import _class_invariants
from ._checked_types import _in_class
from ._field_common import _NO_INITIAL
from ._field_common import _field_values
from ._field_common import _merged_fields
from ._field_common import _no_invariant
from ._field_common import _take_fields
from ._field_common import field  # noqa: F401 (the doctests use it)
from ._pmap import _EMPTY as _EMPTY_PMAP
from ._pmap import PMap

__all__ = ["PRecord"]

_Map = _march.Map
_map_new = _Map.__new__
_map_get = _Map.get
_map_items = _Map.items
_evolver_set = PMap._Evolver.set
_evolver_persistent = PMap._Evolver.persistent
_MISSING = object()

# where each class keeps the fields it declares itself
_OWN_FIELDS = "_precord_own_fields"

# march.Map's public methods that pyrsistent's PMap also has: a field of
# one of these names is hidden behind the method, as in pyrsistent
_PMAP_API = frozenset({"get", "keys", "values", "items", "set", "discard",
                       "update", "evolver"})


class _FieldOverMethod:
    """Class attribute standing for a field whose name is also one of
    ``march.Map``'s extra methods: on an instance it reads the field (a
    missing value falls through to ``PMap.__getattr__``, which raises
    AttributeError); on the class it is the method."""

    __slots__ = ("_name", "_method")

    def __init__(self, name, method):
        self._name = name
        self._method = method

    def __get__(self, instance, owner=None):
        if instance is None:
            return self._method.__get__(None, owner)
        value = _map_get(instance, self._name, _MISSING)
        if value is _MISSING:
            raise AttributeError(self._name)
        return value


class _PRecordMeta(type):
    """Metaclass of ``PRecord``: collects the fields and invariants.

    For each new class it takes the ``field()`` attributes out of the
    namespace, forces ``__slots__ = ()`` (records have no instance
    attributes), and stores on the class ``_precord_fields`` (name ->
    field, inherited ones first, a subclass's field replacing a base's),
    ``_precord_invariants`` (the wrapped ``__invariant__`` callables of the
    class and of all its bases), ``_precord_mandatory_fields`` (a set of
    names) and ``_precord_initial_values`` (name -> initial, for the fields
    that have one).  A non-callable ``__invariant__`` is a TypeError.
    O(fields + classes in the hierarchy) per class.

    >>> class Pair(PRecord):
    ...     left = field(mandatory=True)
    ...     right = field(initial=0)
    >>> type(Pair) is _PRecordMeta, list(Pair._precord_fields)
    (True, ['left', 'right'])
    >>> Pair._precord_mandatory_fields, Pair._precord_initial_values
    ({'left'}, {'right': 0})
    """

    def __new__(mcs, name, bases, namespace):
        own = _take_fields(namespace)
        namespace[_OWN_FIELDS] = own
        namespace["__slots__"] = ()
        cls = super().__new__(mcs, name, bases, namespace)
        fields = _merged_fields(cls, _OWN_FIELDS)
        cls._precord_fields = fields
        cls._precord_invariants = _class_invariants(cls)
        cls._precord_mandatory_fields = {n for n, f in fields.items() if f.mandatory}
        cls._precord_initial_values = {n: f.initial for n, f in fields.items()
                                       if f.initial is not _NO_INITIAL}
        for field_name in own:
            _uncover(cls, field_name)
        return cls


def _uncover(cls, name):
    """Make the field ``name`` readable as ``r.name`` when ``march.Map``
    has a public method of that name that pyrsistent's PMap does not.
    Private names are left alone: they are march.Map's internals (the
    pure-Python twin keeps its trie in ``_root``)."""
    if name.startswith("_") or name in _PMAP_API:
        return
    for klass in cls.__mro__:
        if name in klass.__dict__:
            if klass is _Map:
                setattr(cls, name, _FieldOverMethod(name, _Map.__dict__[name]))
            return


class PRecord(PMap, CheckedType, metaclass=_PRecordMeta):
    """A ``PMap`` with a fixed set of declared, checked fields.

    Declare fields as class attributes with ``field()``; build records with
    keyword arguments (``Point(x=1)``) or from a mapping with ``create``.
    Values go through the field's factory, then are checked for type
    (``PTypeError``), invariants (field and class) and mandatory presence
    (``InvariantException``); names that are not fields raise
    AttributeError.  A record is a persistent map: read it as one
    (``r['x']``, or ``r.x``), compare it with dicts; updates (``set``,
    ``remove``, ``discard``, ``update``, ``transform``, ``evolver()``)
    return new records, checked the same way.  Records hash, pickle and
    support weak references.

    Complexity: building and ``serialize`` O(number of fields) map
    operations (O(log32 n) each) plus the factories and invariants; ``set``
    of k fields O(k log32 n) plus the class invariants; reading a field
    O(log32 n).

    >>> class Point(PRecord):
    ...     x = field(type=int, mandatory=True)
    ...     y = field(type=int, initial=0)
    >>> p = Point(x=1)
    >>> p
    Point(x=1, y=0)
    >>> p.set(y=5), p.set('x', 2), p.x
    (Point(x=1, y=5), Point(x=2, y=0), 1)
    >>> p == {'x': 1, 'y': 0}
    True
    >>> p.set(z=1)
    Traceback (most recent call last):
    ...
    AttributeError: 'z' is not among the specified fields for Point
    """

    __slots__ = ()

    def __new__(cls, **kwargs):
        factory_fields = kwargs.pop("_factory_fields", None)
        ignore_extra = kwargs.pop("_ignore_extra", False)
        fields = cls._precord_fields
        for name in kwargs:
            if name not in fields:
                raise AttributeError("'{0}' is not among the specified fields for {1}"
                                     .format(name, cls.__name__))
        values, errors, missing = _field_values(
            cls, fields, kwargs, factory_fields, ignore_extra,
            initial_via_factory=True, collect_factory_errors=True)
        if errors or missing:
            raise InvariantException(tuple(errors), tuple(missing),
                                     "Field invariant failed")
        self = _map_new(cls, values)
        _check_global_invariants(self, cls._precord_invariants)
        return self

    def set(self, *args, **kwargs):
        """A record with fields replaced: ``set(name, value)``, or several
        at once with ``set(name=value, ...)`` (both forms may be combined).
        The new values go through their fields' factories and checks; the
        result is checked as a whole, so all of them change or none.
        O(k log32 n) for k fields, plus the checks.

        >>> class Box(PRecord):
        ...     w = field(type=int)
        ...     h = field(type=int)
        >>> Box(w=1, h=2).set(h=3)
        Box(w=1, h=3)
        >>> Box(w=1).set('h', 2)
        Box(w=1, h=2)
        """
        evolver = self.evolver()
        if args:
            if len(args) != 2:
                raise TypeError("set() takes a field name and a value, or keyword "
                                "arguments (%d positional arguments given)" % len(args))
            evolver.set(args[0], args[1])
        for name, value in kwargs.items():
            evolver.set(name, value)
        return evolver.persistent()

    def evolver(self):
        """A mutable draft of this record (``_PRecordEvolver``): each
        ``set`` / ``e[name] = value`` runs the field's factory and checks
        at once; ``persistent()`` reports failed invariants and missing
        mandatory fields and makes the new record (this one, when nothing
        changed).  O(1).

        >>> class Pos(PRecord):
        ...     x = field(type=int)
        ...     y = field(type=int)
        >>> p = Pos(x=1, y=2)
        >>> e = p.evolver()
        >>> e['x'] = 10
        >>> e.remove('y').persistent()
        Pos(x=10)
        >>> p.evolver().persistent() is p
        True
        """
        return _PRecordEvolver(type(self), self)

    def __repr__(self):
        parts = []
        for name in self._precord_fields:
            value = _map_get(self, name, _MISSING)
            if value is not _MISSING:
                parts.append("%s=%r" % (name, value))
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))

    def __reduce__(self):
        return (_restore, (type(self), dict(_map_items(self))))

    @classmethod
    def create(cls, kwargs, _factory_fields=None, ignore_extra=False):
        """Build a record from a mapping of field values (a record of this
        class is returned as is).  Every value goes through its field's
        factory, so nested records and checked collections can be given as
        plain dicts and lists.  With ``ignore_extra=True``, keys that are
        not fields are dropped (here and in nested records); otherwise they
        raise AttributeError.  O(number of fields) plus the factories.

        >>> class Inner(PRecord):
        ...     n = field(type=int, factory=int)
        >>> class Outer(PRecord):
        ...     inner = field(type=Inner)
        >>> Outer.create({'inner': {'n': '5', 'colour': 'red'}}, ignore_extra=True)
        Outer(inner=Inner(n=5))
        """
        if isinstance(kwargs, cls):
            return kwargs
        if ignore_extra:
            kwargs = {name: kwargs[name] for name in cls._precord_fields if name in kwargs}
        return cls(_factory_fields=_factory_fields, _ignore_extra=ignore_extra, **kwargs)

    def serialize(self, format=None):
        """The record as a ``dict``, each value passed through its field's
        serializer (``serializer(format, value)``); values that are records,
        classes or checked collections serialize themselves.  O(number of
        fields) plus the serializers.

        >>> from datetime import date
        >>> class Event(PRecord):
        ...     day = field(type=date, serializer=lambda fmt, d: d.strftime(fmt))
        ...     name = field()
        >>> Event(day=date(2015, 1, 14), name='x').serialize('%d/%m')
        {'day': '14/01', 'name': 'x'}
        """
        result = {}
        for name, spec in self._precord_fields.items():
            value = _map_get(self, name, _MISSING)
            if value is not _MISSING:
                result[name] = spec._serialize(format, value)
        return result


class _PRecordEvolver(PMap._Evolver):
    """The draft returned by ``PRecord.evolver()``: ``PMap``'s evolver with
    each ``set`` checked against the destination class's fields, and a
    ``persistent()`` that checks the record as a whole."""

    __slots__ = ("_target", "_errors", "_missing", "_factory_fields",
                 "_ignore_extra", "_made")

    # _target: the record class to make; _errors / _missing: the error data
    #   of the failed field invariants and the missing fields reported by
    #   nested records' factories, collected until persistent(); _made: the
    #   last (plain PMap, record) pair persistent() made (see _in_class)

    def __init__(self, cls, original_pmap, _factory_fields=None, _ignore_extra=False):
        PMap._Evolver.__init__(self, original_pmap)
        self._target = cls
        self._errors = []
        self._missing = []
        self._factory_fields = _factory_fields
        self._ignore_extra = _ignore_extra
        self._made = None

    def set(self, key, value):
        """Set the field ``key``: factory, type check (PTypeError at once),
        invariant (reported by ``persistent()``).  Returns the evolver."""
        cls = self._target
        spec = cls._precord_fields.get(key)
        if spec is None:
            raise AttributeError("'{0}' is not among the specified fields for {1}"
                                 .format(key, cls.__name__))
        factory_fields = self._factory_fields
        if factory_fields is None or key in factory_fields:
            try:
                value = spec._produce(value, self._ignore_extra)
            except InvariantException as e:
                self._errors.extend(e.invariant_errors)
                self._missing.extend(e.missing_fields)
                return self
        spec._check(cls, key, value)
        ok = True
        if spec.invariant is not _no_invariant:
            ok, data = spec.invariant(value)
        _evolver_set(self, key, value)  # set even when the invariant failed
        if not ok:
            self._errors.append(data)
        return self

    def persistent(self):
        """The record as the evolver has it now (the original when nothing
        changed); InvariantException for failed field invariants or missing
        mandatory fields, then for failed class invariants."""
        cls = self._target
        result = _in_class(self, _evolver_persistent(self), cls)
        missing = list(self._missing)
        if cls._precord_mandatory_fields:
            name = cls.__name__
            missing.extend("%s.%s" % (name, field_name)
                           for field_name, spec in cls._precord_fields.items()
                           if spec.mandatory and field_name not in result)
        if self._errors or missing:
            raise InvariantException(tuple(self._errors), tuple(missing),
                                     "Field invariant failed")
        _check_global_invariants(result, cls._precord_invariants)
        return result


def _restore(cls, data):
    """Unpickle a record: the fields exactly as they were pickled, checked
    again (types, invariants, mandatory fields) but without running the
    factories (they may not accept their own output) and without adding
    initial values for the fields the record did not have."""
    evolver = _PRecordEvolver(cls, _EMPTY_PMAP, _factory_fields=frozenset())
    for name, value in data.items():
        evolver.set(name, value)
    return evolver.persistent()
