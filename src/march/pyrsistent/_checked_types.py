"""Checked types: the marker class, the exceptions, ``optional``, and the
type and invariant machinery that records, classes and checked collections
share.

* ``CheckedType`` marks the classes whose instances can be built from plain
  data with ``create`` and turned back into it with ``serialize`` (``PClass``,
  ``PRecord`` and the checked collections).
* ``InvariantException`` reports failed invariants and missing mandatory
  fields; ``CheckedKeyTypeError`` / ``CheckedValueTypeError`` (both
  ``TypeError``) report a key or value of the wrong type in a checked
  collection.
* A *type specification* (``field(type=...)``, ``__type__``,
  ``__key_type__``, ``__value_type__``) is a type, a string naming one
  (``'package.module.Name'``, imported when first needed, so a class may name
  itself or a class defined later), or any iterable of those, nested freely.
  Enum classes are taken as types although they are iterable.
* An *invariant* is a callable returning ``(ok, error_data)``, or an
  iterable of such pairs; the data of the failing pairs is reported, and a
  callable error datum is called (lazily) when the exception is made.

The checked collections live here too: ``CheckedPMap`` (a ``PMap``
subclass, at the end of the module).  ``CheckedPVector`` and ``CheckedPSet``
belong here as well (see the note before ``CheckedPMap``): they need
subclassable PVector / PSet bases and are not written yet.
"""
import sys as _sys
from abc import ABCMeta as _ABCMeta
from abc import abstractmethod as _abstractmethod
from collections.abc import Iterable as _Iterable
from enum import Enum as _Enum
from importlib import import_module as _import_module

from collections.abc import Set as _AbcSet

import march as _march
from march import Map as _Map

from ._evolver import EvolverBase as _EvolverBase
from ._pmap import _EMPTY as _EMPTY_PMAP
from ._pmap import PMap as _PMap
from ._pset import PSet as _PSet
from ._pvector import PVector as _PVector

__all__ = [
    "CheckedType",
    "InvariantException",
    "CheckedTypeError",
    "CheckedKeyTypeError",
    "CheckedValueTypeError",
    "optional",
    "CheckedPMap",
    "CheckedPVector",
    "CheckedPSet",
]


class CheckedType:
    """Base of the classes whose instances are built from plain data by
    ``create`` and turned back into plain data by ``serialize``.

    ``PClass``, ``PRecord`` and the checked collections derive from it.  A
    field whose only type is a ``CheckedType`` subclass (and that has no
    factory of its own) builds its values with that class's ``create``, so
    nested plain data (dicts, lists) becomes nested checked objects.
    Creating nothing itself: O(1).

    >>> class Celsius(CheckedType):
    ...     def __init__(self, degrees):
    ...         self.degrees = degrees
    ...     @classmethod
    ...     def create(cls, source_data, _factory_fields=None):
    ...         return source_data if isinstance(source_data, cls) else cls(source_data['c'])
    ...     def serialize(self, format=None):
    ...         return {'c': self.degrees}
    >>> Celsius.create({'c': 21}).serialize()
    {'c': 21}
    """

    __slots__ = ()

    @classmethod
    @_abstractmethod
    def create(cls, source_data, _factory_fields=None):
        """Build an instance from plain data (an instance is returned as is)."""
        raise NotImplementedError()

    @_abstractmethod
    def serialize(self, format=None):
        """Turn the instance back into plain data."""
        raise NotImplementedError()


class InvariantException(Exception):
    """Raised when invariants fail or mandatory fields are missing.

    ``invariant_errors`` is a tuple with the error data of every failed
    invariant (a callable datum is called now, once, to make its message);
    an invariant that checks several things contributes one tuple with the
    data of its failed checks.  ``missing_fields`` holds the missing
    mandatory fields as ``'Class.field'`` strings.  ``str(e)`` shows both
    after the message.  O(number of errors).

    >>> e = InvariantException(('too big', lambda: 'lazy text'), ('P.x',),
    ...                        'Field invariant failed')
    >>> e.invariant_errors
    ('too big', 'lazy text')
    >>> str(e)
    'Field invariant failed, invariant_errors=[too big, lazy text], missing_fields=[P.x]'
    """

    def __init__(self, error_codes=(), missing_fields=(), *args, **kwargs):
        self.invariant_errors = tuple(code() if callable(code) else code
                                      for code in error_codes)
        self.missing_fields = missing_fields
        super().__init__(*args, **kwargs)

    def __str__(self):
        return "%s, invariant_errors=[%s], missing_fields=[%s]" % (
            super().__str__(),
            ", ".join(str(code) for code in self.invariant_errors),
            ", ".join(self.missing_fields))

    def __reduce__(self):
        return (type(self), (self.invariant_errors, self.missing_fields) + self.args)


class CheckedTypeError(TypeError):
    """A key or value of a type a checked collection does not accept.

    Attributes: ``source_class`` (the collection's class),
    ``expected_types`` (the accepted types, as declared), ``actual_type``
    and ``actual_value``.  Raised as ``CheckedKeyTypeError`` or
    ``CheckedValueTypeError``.  O(1).

    >>> e = CheckedValueTypeError(list, (int,), str, 'a', 'only ints')
    >>> isinstance(e, TypeError), e.actual_value, str(e)
    (True, 'a', 'only ints')
    """

    def __init__(self, source_class, expected_types, actual_type, actual_value,
                 *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_class = source_class
        self.expected_types = expected_types
        self.actual_type = actual_type
        self.actual_value = actual_value

    def __reduce__(self):
        return (type(self), (self.source_class, self.expected_types,
                             self.actual_type, self.actual_value) + self.args)


class CheckedKeyTypeError(CheckedTypeError):
    """A checked map was given a key of a type it does not accept.

    The attributes are those of ``CheckedTypeError``: ``source_class``,
    ``expected_types``, ``actual_type``, ``actual_value``.  O(1).

    >>> issubclass(CheckedKeyTypeError, TypeError)
    True
    """


class CheckedValueTypeError(CheckedTypeError):
    """A checked collection was given a value (an element, or a map value)
    of a type it does not accept.

    The attributes are those of ``CheckedTypeError``: ``source_class``,
    ``expected_types``, ``actual_type``, ``actual_value``.  O(1).

    >>> issubclass(CheckedValueTypeError, TypeError)
    True
    """


def optional(*typs):
    """The type specification "any of ``typs``, or None": ``typs`` followed
    by ``type(None)``, as a tuple.  O(len(typs)).

    >>> optional(int, 'mymodule.Thing')
    (<class 'int'>, 'mymodule.Thing', <class 'NoneType'>)
    """
    return typs + (type(None),)


# -- type specifications ----------------------------------------------------

_ABSENT = object()


def _parse_types(spec):
    """The flat tuple of types and type names that ``spec`` stands for.

    A string or a type is itself (an Enum class too, although it is
    iterable); an iterable is flattened recursively; anything else is a
    TypeError.  A class whose metaclass makes it iterable (other than Enum)
    is taken as an iterable of types, as pyrsistent does: wrap it in a tuple.
    """
    if isinstance(spec, str):
        return (spec,)
    if isinstance(spec, type):
        if issubclass(spec, _Enum) or not isinstance(spec, _Iterable):
            return (spec,)
    elif not isinstance(spec, _Iterable):
        raise TypeError("Type specifications must be types or strings. Input: {}"
                        .format(spec))
    parsed = []
    for item in spec:
        parsed.extend(_parse_types(item))
    return tuple(parsed)


# name -> (module name, attribute path), once the split has been found
_located = {}


def _resolve_type(spec):
    """The type ``spec`` stands for: a type is itself; a string
    ``'package.module.Name'`` (or ``'module.Outer.Inner'``) is imported.

    The split between module and attribute path is found once per name and
    remembered; later calls read ``sys.modules`` and the attributes again,
    so a reloaded module's new class is the one used.
    """
    if isinstance(spec, type):
        return spec
    where = _located.get(spec)
    fresh = where is None
    if fresh:
        where = _locate(spec)
    module_name, path = where
    obj = _sys.modules.get(module_name)
    if obj is None:
        obj = _import_module(module_name)
    for attr in path:
        obj = getattr(obj, attr)
    if not isinstance(obj, type):
        raise TypeError("%r does not name a type (it is %r)" % (spec, obj))
    if fresh:
        _located[spec] = where
    return obj


def _locate(name):
    """Split a dotted type name into the longest importable module name and
    the attribute path below it."""
    if not isinstance(name, str):
        raise TypeError("Type parameter expected, not {0}".format(type(name)))
    parts = name.split(".")
    if len(parts) < 2 or not all(parts):
        raise ValueError("a type given by name must be a dotted path "
                         "'module.Name', not %r" % (name,))
    error = None
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            _import_module(module_name)
        except ModuleNotFoundError as e:
            # only "this very module (or a parent) does not exist" moves the
            # cut; a missing import inside an existing module is a real error
            if e.name is None or not (module_name == e.name
                                      or module_name.startswith(e.name + ".")):
                raise
            error = e
            continue
        return module_name, tuple(parts[cut:])
    raise error


def _resolve_types(specs):
    """The types of a tuple of type specifications, in order."""
    return tuple(_resolve_type(spec) for spec in specs)


def _type_label(spec):
    """A type's name, for messages and generated class names, without
    importing a type given by name (its last dotted component)."""
    if isinstance(spec, type):
        return spec.__name__
    return spec.rsplit(".", 1)[-1]


# -- invariants -------------------------------------------------------------

def _wrap_invariant(invariant):
    """``invariant`` made to return one ``(ok, data)`` pair.

    An invariant that returns several pairs (a tuple or list whose first
    item is itself a pair) is reported as one: ok when all hold, with the
    tuple of the failed pairs' data.
    """
    def checked(*args):
        result = invariant(*args)
        if isinstance(result, (tuple, list)) and (
                not result or isinstance(result[0], (tuple, list))):
            failed = tuple(data for ok, data in result if not ok)
            return (not failed, failed)
        return result
    checked.__wrapped__ = invariant
    return checked


def _class_invariants(cls, attr="__invariant__"):
    """The wrapped ``__invariant__`` callables of ``cls`` and of all its
    bases (plain mixins too), in method resolution order, each class once.

    Raises TypeError('Invariants must be callable') for one that is not.
    """
    found = []
    for klass in cls.__mro__:
        invariant = klass.__dict__.get(attr, _ABSENT)
        if invariant is not _ABSENT:
            found.append(invariant)
    if not all(callable(invariant) for invariant in found):
        raise TypeError("Invariants must be callable")
    return tuple(_wrap_invariant(invariant) for invariant in found)


def _check_global_invariants(subject, invariants):
    """Run class-level invariants on ``subject``; raise InvariantException
    ('Global invariant failed') with the data of those that fail."""
    if not invariants:
        return
    errors = []
    for invariant in invariants:
        ok, data = invariant(subject)
        if not ok:
            errors.append(data)
    if errors:
        raise InvariantException(tuple(errors), (), "Global invariant failed")


# -- helpers for the checked collections -----------------------------------

def _declared_types(dct, bases, declared, stored):
    """The type specifications of a checked collection class being made:
    its own ``declared`` attribute (``__type__``, ``__key_type__``, ...)
    followed by those its bases stored under ``stored``
    (``_checked_types``, ...), parsed and without repeats."""
    specs = []
    if declared in dct:
        specs.extend(_parse_types([dct[declared]]))
    for base in bases:
        specs.extend(getattr(base, stored, ()))
    unique = []
    for spec in specs:
        if spec not in unique:
            unique.append(spec)
    return tuple(unique)


def _check_item_types(items, expected, source_class, error=CheckedValueTypeError):
    """Raise ``error`` for the first of ``items`` whose type is not one of
    ``expected`` (type specifications; empty: anything goes)."""
    if not expected:
        return
    types = _resolve_types(expected)
    for item in items:
        if not isinstance(item, types):
            raise error(source_class, expected, type(item), item,
                        "Type {0} can only be used with {1}, not {2}".format(
                            source_class.__name__,
                            tuple(t.__name__ for t in types),
                            type(item).__name__))


def _item_invariant_errors(items, invariants):
    """The error data of every invariant failing on any of ``items``."""
    errors = []
    if invariants:
        for item in items:
            for invariant in invariants:
                ok, data = invariant(item)
                if not ok:
                    errors.append(data)
    return errors


# factory function (or the function under a bound method) -> whether it has
# a parameter named ignore_extra
_takes_ignore_extra = {}


def _call_factory(factory, value, ignore_extra):
    """``factory(value)``, passing ``ignore_extra=True`` along when it is set
    and the factory has a parameter of that name (the ``create`` of records,
    classes and checked collections)."""
    if ignore_extra:
        key = getattr(factory, "__func__", factory)
        try:
            takes = _takes_ignore_extra.get(key)
        except TypeError:  # an unhashable callable
            key, takes = None, None
        if takes is None:
            from inspect import signature
            try:
                takes = "ignore_extra" in signature(factory).parameters
            except (TypeError, ValueError):
                takes = False
            if key is not None:
                _takes_ignore_extra[key] = takes
        if takes:
            return factory(value, ignore_extra=ignore_extra)
    return factory(value)


def _unpickle(cls, data):
    """Rebuild a checked object from its pickled plain data, without running
    the field factories again (they may not accept their own output)."""
    return cls.create(data, _factory_fields=set())


def _create_checked_collection(cls, source_data, _factory_fields=None, ignore_extra=False):
    """``create`` of a checked vector or set: the items that are not of an
    accepted type are built with the ``create`` of the first accepted type
    that is a CheckedType (so nested plain data becomes checked objects)."""
    if isinstance(source_data, cls):
        return source_data
    types = _resolve_types(cls._checked_types)
    maker = next((t for t in types if issubclass(t, CheckedType)), None)
    if maker is None:
        return cls(source_data)
    return cls([item if isinstance(item, types)
                else _call_factory(maker.create, item, ignore_extra)
                for item in source_data])


def _serialize_item(self, format, value):
    """Default ``__serializer__`` of checked vectors and sets."""
    if isinstance(value, CheckedType):
        return value.serialize()
    return value


def _serialize_map_item(self, format, key, value):
    """Default ``__serializer__`` of checked maps: a (key, value) pair."""
    if isinstance(key, CheckedType):
        key = key.serialize()
    if isinstance(value, CheckedType):
        value = value.serialize()
    return key, value


class _CheckedTypeMeta(_ABCMeta):
    """Metaclass for the checked vector and set (to come; ``CheckedPVector``
    and ``CheckedPSet`` are not written yet): stores the parsed
    ``__type__`` specifications as ``_checked_types`` and the wrapped
    ``__invariant__`` callables (one argument: the item) as
    ``_checked_invariants``, defaults ``__serializer__``, forces
    ``__slots__ = ()``."""

    def __new__(mcs, name, bases, dct):
        dct["_checked_types"] = _declared_types(dct, bases, "__type__", "_checked_types")
        dct.setdefault("__serializer__", _serialize_item)
        dct["__slots__"] = ()
        cls = super().__new__(mcs, name, bases, dct)
        cls._checked_invariants = _class_invariants(cls)
        return cls


class _CheckedMapTypeMeta(type):
    """Metaclass of ``CheckedPMap``: ``_checked_key_types``,
    ``_checked_value_types``, ``_checked_invariants`` (two arguments: key and
    value), a default ``__serializer__``, ``__slots__ = ()``."""

    def __new__(mcs, name, bases, dct):
        dct["_checked_key_types"] = _declared_types(
            dct, bases, "__key_type__", "_checked_key_types")
        dct["_checked_value_types"] = _declared_types(
            dct, bases, "__value_type__", "_checked_value_types")
        dct.setdefault("__serializer__", _serialize_map_item)
        dct["__slots__"] = ()
        cls = super().__new__(mcs, name, bases, dct)
        cls._checked_invariants = _class_invariants(cls)
        return cls


# -- the checked map --------------------------------------------------------
#
# CheckedPVector(PVector, CheckedType, metaclass=_CheckedTypeMeta) and
# CheckedPSet(PSet, CheckedType, metaclass=_CheckedTypeMeta) go here too, once
# PVector / PSet are subclassable (see bench/notes-pyrsistent-gap.md section
# 5).  Their pieces are above: _check_item_types, _item_invariant_errors,
# _create_checked_collection (their ``create``), _unpickle (``__reduce__`` ->
# (_unpickle, (cls, data))).  Once they are defined here under these names,
# _field_common's pvector_field / pset_field find them (they look them up in
# this module when called) and stop raising NotImplementedError.

_map_items = _Map.items
_map_new = _Map.__new__
_evolver_persistent = _PMap._Evolver.persistent
_evolver_set = _PMap._Evolver.set


def _in_class(evolver, plain, cls):
    """``plain`` (what PMap's evolver made) as an instance of ``cls``,
    sharing its trie in O(1); the same instance for the same ``plain``, so
    that ``persistent()`` twice gives one object.  ``evolver._made`` keeps
    the last (plain, result) pair."""
    if type(plain) is cls:
        return plain
    made = evolver._made
    if made is not None and made[0] is plain:
        return made[1]
    result = _map_new(cls, plain)
    evolver._made = (plain, result)
    return result


def _check_entries(cls, pairs):
    """Raise CheckedKeyTypeError / CheckedValueTypeError for the first
    ``(key, value)`` of ``pairs`` whose key or value ``cls`` does not
    accept (the key of a pair is checked before its value)."""
    key_specs = cls._checked_key_types
    value_specs = cls._checked_value_types
    if not key_specs and not value_specs:
        return
    key_types = _resolve_types(key_specs) if key_specs else None
    value_types = _resolve_types(value_specs) if value_specs else None
    for key, value in pairs:
        if key_types is not None and not isinstance(key, key_types):
            _check_item_types((key,), key_specs, cls, CheckedKeyTypeError)
        if value_types is not None and not isinstance(value, value_types):
            _check_item_types((value,), value_specs, cls, CheckedValueTypeError)


def _entry_invariant_errors(cls, pairs):
    """The error data of the class invariants failing on any of ``pairs``,
    entry by entry."""
    invariants = cls._checked_invariants
    errors = []
    if invariants:
        for key, value in pairs:
            for invariant in invariants:
                ok, data = invariant(key, value)
                if not ok:
                    errors.append(data)
    return errors


class CheckedPMap(_PMap, CheckedType, metaclass=_CheckedMapTypeMeta):
    """A ``PMap`` whose keys and values are checked: declare
    ``__key_type__`` and ``__value_type__`` (type specifications, see the
    module docstring) and ``__invariant__`` (called with a key and its
    value) on a subclass.

    Every way of adding entries -- the constructor, ``set``, ``update``,
    ``+``, ``transform``, the evolver -- checks them: a key or value of a
    wrong type raises ``CheckedKeyTypeError`` / ``CheckedValueTypeError``
    at once; failed invariants raise ``InvariantException`` with the data of
    all of them.  The results are instances of the subclass.  ``create``
    builds nested checked values (and keys) from plain data, ``serialize``
    turns them back (``__serializer__(format, key, value)`` returns each
    pair).  Reading is ``PMap``'s (``march.Map``'s), at full speed.

    Complexity: as ``PMap`` plus the checks, O(1) per entry for types
    given as classes; building from n entries O(n log32 n).

    >>> class Prices(CheckedPMap):
    ...     __key_type__ = str
    ...     __value_type__ = (int, float)
    ...     __invariant__ = lambda k, v: (v >= 0, 'negative price')
    >>> p = Prices({'tea': 2.5})
    >>> p
    Prices({'tea': 2.5})
    >>> p.set('cake', 4) == {'tea': 2.5, 'cake': 4}, type(p.set('cake', 4))
    (True, <class 'march.pyrsistent._checked_types.Prices'>)
    >>> try:
    ...     p.set('cake', 'cheap')
    ... except CheckedValueTypeError as e:
    ...     print(e)
    Type Prices can only be used with ('int', 'float'), not str
    >>> try:
    ...     p.set('cake', -1)
    ... except InvariantException as e:
    ...     print(e.invariant_errors)
    ('negative price',)
    """

    __slots__ = ()

    def __new__(cls, initial=_EMPTY_PMAP):
        if type(initial) is cls:
            return initial
        # initial.items(): a mapping is needed (None is an AttributeError,
        # as in pyrsistent, which pmap_field relies on)
        pairs = list(initial.items())
        _check_entries(cls, pairs)
        errors = _entry_invariant_errors(cls, pairs)
        if errors:
            raise InvariantException(error_codes=errors)
        if not isinstance(initial, (_Map, dict)):
            initial = dict(pairs)
        return _map_new(cls, initial)

    def evolver(self):
        """A ``CheckedPMap.Evolver``: a mutable draft of this map whose
        ``set`` checks the entry.  O(1).

        >>> class Ages(CheckedPMap):
        ...     __value_type__ = int
        >>> e = Ages({'ann': 30}).evolver()
        >>> e['ann'] = 31
        >>> e.persistent()
        Ages({'ann': 31})
        """
        cls = type(self)
        return cls.Evolver(cls, self)

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, dict(_map_items(self)))

    __str__ = __repr__

    def __reduce__(self):
        return (_unpickle, (type(self), dict(_map_items(self))))

    def serialize(self, format=None):
        """The entries as a ``dict``, each pair passed through
        ``__serializer__(format, key, value)``; by default checked keys and
        values serialize themselves.  O(n) plus the serializers.

        >>> class Sizes(CheckedPMap):
        ...     __value_type__ = int
        ...     @staticmethod
        ...     def __serializer__(format, key, value):
        ...         return key, format % value
        >>> Sizes({'a': 3}).serialize('%d cm')
        {'a': '3 cm'}
        """
        serializer = self.__serializer__
        return dict(serializer(format, key, value) for key, value in _map_items(self))

    @classmethod
    def create(cls, source_data, _factory_fields=None, ignore_extra=False):
        """Build a map from a mapping of plain data (an instance of this
        class is returned as is): a key or value that is not of an accepted
        type is built with the ``create`` of the first accepted type that is
        a CheckedType (a record, class or checked collection), so nested
        dicts and lists become checked objects.  ``ignore_extra`` is passed
        on to those.  O(n log32 n) plus the nested builds.

        >>> from march.pyrsistent._precord import PRecord
        >>> from march.pyrsistent._field_common import field
        >>> class Pet(PRecord):
        ...     name = field(type=str)
        >>> class PetsById(CheckedPMap):
        ...     __key_type__ = int
        ...     __value_type__ = Pet
        >>> PetsById.create({1: {'name': 'Rex'}})
        PetsById({1: Pet(name='Rex')})
        """
        if isinstance(source_data, cls):
            return source_data
        key_types = _resolve_types(cls._checked_key_types)
        value_types = _resolve_types(cls._checked_value_types)
        key_maker = next((t for t in key_types if issubclass(t, CheckedType)), None)
        value_maker = next((t for t in value_types if issubclass(t, CheckedType)), None)
        if key_maker is None and value_maker is None:
            return cls(source_data)
        built = {}
        for key, value in source_data.items():
            if key_maker is not None and not isinstance(key, key_types):
                key = _call_factory(key_maker.create, key, ignore_extra)
            if value_maker is not None and not isinstance(value, value_types):
                value = _call_factory(value_maker.create, value, ignore_extra)
            built[key] = value
        return cls(built)

    class Evolver(_PMap._Evolver):
        """The draft of a ``CheckedPMap`` (``cm.evolver()``): a
        ``PMap._Evolver`` whose ``set`` (and ``e[k] = v``) checks the key
        and value types at once (raising ``CheckedKeyTypeError`` /
        ``CheckedValueTypeError``, nothing changed) and runs the class
        invariants; ``persistent()`` raises ``InvariantException`` with the
        data of every invariant that failed since the evolver was made,
        else returns an instance of the destination class (the original
        map when nothing changed).  O(log32 n) per change plus the checks.

        >>> class Evens(CheckedPMap):
        ...     __value_type__ = int
        ...     __invariant__ = lambda k, v: (v % 2 == 0, 'odd')
        >>> e = Evens().evolver().set('a', 2)
        >>> e.persistent()
        Evens({'a': 2})
        >>> try:
        ...     e.set('b', 3).persistent()
        ... except InvariantException as error:
        ...     print(error.invariant_errors)
        ('odd',)
        """

        __slots__ = ("_target", "_errors", "_made")

        def __init__(self, destination_class, original_map):
            _PMap._Evolver.__init__(self, original_map)
            self._target = destination_class
            self._errors = []
            self._made = None

        def set(self, key, value):
            """Check and set one entry; returns the evolver.  O(log32 n)."""
            cls = self._target
            entry = ((key, value),)
            _check_entries(cls, entry)
            errors = _entry_invariant_errors(cls, entry)
            _evolver_set(self, key, value)  # may raise (unhashable key)
            if errors:
                self._errors.extend(errors)
            return self

        def persistent(self):
            """The checked map as the evolver has it now.  O(1)."""
            if self._errors:
                raise InvariantException(error_codes=self._errors)
            return _in_class(self, _evolver_persistent(self), self._target)


# -- the checked vector and set ----------------------------------------------
#
# CheckedPVector and CheckedPSet are subclasses of PVector / PSet, which are
# march.Vector / march.Set subclasses whose derivations keep the subclass in
# C.  So every operation that only keeps or drops elements (slicing, delete,
# remove, *, difference, ...) is the C core's and gives the checked class
# directly; every operation that can bring in new elements is overridden
# here to check them first (_admit), then calls the C operation.  An
# invariant is a property of one element, so keeping or dropping elements
# cannot break it.

_Vector = _march.Vector
_Set = _march.Set
_vector_new = _Vector.__new__
_set_new = _Set.__new__


def _admit(cls, items):
    """Check ``items`` (a list) for the checked collection class ``cls``:
    ``CheckedValueTypeError`` for the first item of a wrong type, else
    ``InvariantException`` carrying the data of every failed invariant."""
    _check_item_types(items, cls._checked_types, cls)
    errors = _item_invariant_errors(items, cls._checked_invariants)
    if errors:
        raise InvariantException(error_codes=errors)
    return items


class _CheckedEvolver(_EvolverBase):
    """The part of the checked vector's and set's evolvers they share: a
    march transient (``VectorEvolver`` / ``SetEvolver``) over the
    collection, with every new element checked on its way in.  A type error
    raises at once and changes nothing; failed invariants are collected and
    raised by ``persistent()`` (as pyrsistent does), which otherwise returns
    an instance of the checked class."""

    __slots__ = ("_destination_class", "_draft", "_base", "_invariant_errors")

    def __init__(self, destination_class, collection):
        self._destination_class = destination_class
        self._base = collection
        self._draft = _plain_mutate(collection)
        self._invariant_errors = []

    def _check(self, items):
        cls = self._destination_class
        _check_item_types(items, cls._checked_types, cls)
        self._invariant_errors.extend(
            _item_invariant_errors(items, cls._checked_invariants))

    def __len__(self):
        return len(self._draft)

    def is_dirty(self):
        """Whether there are changes ``persistent()`` has not returned yet.
        O(1)."""
        return self._draft.is_dirty()

    def persistent(self):
        """The collection as the evolver has it now, an instance of the
        checked class; ``InvariantException`` when an element added has
        failed an invariant.  The original while nothing has changed.
        O(1)."""
        if self._invariant_errors:
            raise InvariantException(error_codes=self._invariant_errors)
        result = self._draft.persistent()
        cls = self._destination_class
        if type(result) is not cls:
            result = self._wrap(cls, result)
            # go on from the checked result: the next persistent() without a
            # change returns it again
            self._base = result
            self._draft = _plain_mutate(result)
        return result


def _plain_mutate(collection):
    """The march transient of ``collection``, bypassing a checked class's
    own ``mutate`` (which would give a checked evolver)."""
    if isinstance(collection, _Vector):
        return _Vector.mutate(collection)
    return _Set.mutate(collection)


class CheckedPVector(_PVector, CheckedType, metaclass=_CheckedTypeMeta):
    """A ``PVector`` whose elements are checked: declare ``__type__`` (a type
    specification, see the module docstring) and ``__invariant__`` (called
    with one element) on a subclass.

    Every way of adding elements -- the constructor, ``append``,
    ``appendleft``, ``extend``, ``insert``, ``set``, ``mset``, ``+``,
    ``from_concat``, ``transform``, the evolver -- checks them: an element
    of a wrong type raises ``CheckedValueTypeError``, failed invariants
    raise ``InvariantException`` with the data of all of them, and nothing
    changes.  Results are instances of the subclass; what only keeps or
    drops elements (slices, ``delete``, ``remove``, ``*``) is the C core's
    own operation.  ``create`` builds nested checked elements from plain
    data, ``serialize`` turns them back.

    Complexity: as ``PVector`` plus the checks, O(1) per new element for
    types given as classes.

    >>> class Naturals(CheckedPVector):
    ...     __type__ = int
    ...     __invariant__ = lambda n: (n >= 0, 'negative')
    >>> ns = Naturals([1, 2])
    >>> ns.append(3)
    Naturals([1, 2, 3])
    >>> try:
    ...     ns.append(-1)
    ... except InvariantException as e:
    ...     print(e.invariant_errors)
    ('negative',)
    >>> try:
    ...     ns.set(0, 'one')
    ... except CheckedValueTypeError as e:
    ...     print(e)
    Type Naturals can only be used with ('int',), not str
    """

    def __new__(cls, initial=()):
        if type(initial) is cls:
            return initial
        items = _admit(cls, list(initial))
        return _vector_new(cls, items)

    def set(self, i, val):
        """A vector with element ``i`` replaced by the checked ``val``
        (``i == len(self)`` appends).  O(log32 n)."""
        _admit(type(self), [val])
        return _Vector.set(self, i, val)

    def append(self, val):
        """A vector with the checked ``val`` added at the end.  O(1)
        amortised."""
        _admit(type(self), [val])
        return _Vector.append(self, val)

    def appendleft(self, val):
        """A vector with the checked ``val`` added at the front.
        O(log n)."""
        _admit(type(self), [val])
        return _Vector.appendleft(self, val)

    def insert(self, i, val):
        """A vector with the checked ``val`` inserted before index ``i``.
        O(log n)."""
        _admit(type(self), [val])
        return _Vector.insert(self, i, val)

    def extend(self, iterable):
        """A vector with the checked elements of ``iterable`` added at the
        end.  O(k) for k elements."""
        return _Vector.extend(self, _admit(type(self), list(iterable)))

    def mset(self, *pairs):
        """``mset(i1, v1, i2, v2, ...)``: a vector with each element ``ik``
        replaced by the checked ``vk``.  O(k log32 n)."""
        _admit(type(self), list(pairs[1::2]))
        return _Vector.mset(self, *pairs)

    def __add__(self, other):
        if not isinstance(other, (list, tuple, _Vector)):
            return NotImplemented
        return _Vector.__add__(self, _admit(type(self), list(other)))

    @classmethod
    def from_concat(cls, vectors):
        """The checked concatenation of many vectors (or iterables), an
        instance of this class.  O(k log n) plus the checks of the elements
        of the arguments that are not already of this class."""
        parts = [part if type(part) is cls else list(part) for part in vectors]
        _admit(cls, [item for part in parts if type(part) is not cls
                     for item in part])
        return _vector_new(cls, _Vector.from_concat(parts))

    def evolver(self):
        """A ``CheckedPVector.Evolver``: a mutable draft of this vector whose
        additions are checked.  O(1).

        >>> class Words(CheckedPVector):
        ...     __type__ = str
        >>> e = Words(['a']).evolver()
        >>> e.append('b')[0] = 'z'
        >>> e.persistent()
        Words(['z', 'b'])
        """
        cls = type(self)
        return cls.Evolver(cls, self)

    mutate = evolver

    class Evolver(_CheckedEvolver):
        """The evolver of a ``CheckedPVector``: ``append``, ``extend``,
        ``set`` and item assignment check their elements; ``delete``,
        ``remove`` and ``del`` as a ``VectorEvolver``'s.  Complexity as a
        ``VectorEvolver``'s, plus the checks."""

        __slots__ = ()
        _wrap = staticmethod(_vector_new)

        def __getitem__(self, index):
            return self._draft[index]

        def __setitem__(self, index, val):
            self._check([val])
            self._draft[index] = val

        def set(self, index, val):
            """Set element ``index`` to the checked ``val``; returns the
            evolver.  O(log32 n)."""
            self[index] = val
            return self

        def append(self, val):
            """Add the checked ``val`` at the end; returns the evolver."""
            self._check([val])
            self._draft.append(val)
            return self

        def extend(self, iterable):
            """Add the checked elements of ``iterable``; returns the
            evolver."""
            items = list(iterable)
            self._check(items)
            self._draft.extend(items)
            return self

        def __delitem__(self, index):
            del self._draft[index]

        def delete(self, index, stop=None):
            """Delete element ``index`` (or the elements ``index:stop``);
            returns the evolver."""
            if stop is None:
                self._draft.delete(index)
            else:
                self._draft.delete(index, stop)
            return self

        def remove(self, value):
            """Delete the first element equal to ``value``; returns the
            evolver."""
            self._draft.remove(value)
            return self

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.tolist())

    __str__ = __repr__

    def __reduce__(self):
        return _unpickle, (type(self), list(self))

    def serialize(self, format=None):
        """A list of the elements, each passed through ``__serializer__``
        (by default a checked element's own ``serialize``).  O(n)."""
        serializer = self.__serializer__
        return [serializer(format, item) for item in self]

    create = classmethod(_create_checked_collection)


def _admit_each(cls, iterables):
    """The iterables as lists, their items checked together (so that every
    failed invariant of all of them is reported)."""
    lists = [list(it) for it in iterables]
    _admit(cls, [item for items in lists for item in items])
    return lists


def _set_operator(self, other, operator, brings_other):
    """``operator(self, other)`` for a checked set: when ``brings_other``,
    the elements of ``other`` are checked first (``|``, ``^``); else the
    new elements of the result are (``&`` may keep ``other``'s equal
    element, a reflected ``-`` is made of ``other``'s).  What ``Set``'s
    operator refuses (``NotImplemented``) is refused the same way."""
    cls = type(self)
    if brings_other:
        if not isinstance(other, _AbcSet):
            try:
                other = list(other)
            except TypeError:
                return NotImplemented
        _admit(cls, list(other))
        return operator(self, other)
    result = operator(self, other)
    if result is not self and result is not NotImplemented:
        _admit(cls, list(result))
    return result


class CheckedPSet(_PSet, CheckedType, metaclass=_CheckedTypeMeta):
    """A ``PSet`` whose elements are checked: declare ``__type__`` and
    ``__invariant__`` on a subclass.

    Every way of adding elements -- the constructor, ``add``, ``update``,
    ``union``/``|``, ``symmetric_difference``/``^``, a reflected ``-``, the
    evolver -- checks them, as ``CheckedPVector`` does, and nothing changes
    when a check fails.  Results are instances of the subclass.

    Complexity: as ``PSet`` plus the checks.

    >>> class Tags(CheckedPSet):
    ...     __type__ = str
    >>> Tags(['a']).add('b') == {'a', 'b'}, type(Tags(['a']).add('b')).__name__
    (True, 'Tags')
    >>> try:
    ...     Tags(['a']) | {1}
    ... except CheckedValueTypeError as e:
    ...     print(e)
    Type Tags can only be used with ('str',), not int
    """

    def __new__(cls, initial=()):
        if type(initial) is cls:
            return initial
        return _set_new(cls, _admit(cls, list(initial)))

    def add(self, element):
        """A set with the checked ``element`` added.  O(log32 n)."""
        _admit(type(self), [element])
        return _Set.add(self, element)

    def update(self, *iterables):
        """A set with the checked elements of every iterable added."""
        return _Set.update(self, *_admit_each(type(self), iterables))

    def union(self, *iterables):
        """The union with every iterable, its new elements checked."""
        return _Set.union(self, *_admit_each(type(self), iterables))

    def symmetric_difference(self, other):
        """The elements in exactly one of this set and ``other``, the ones
        from ``other`` checked."""
        (other,) = _admit_each(type(self), (other,))
        return _Set.symmetric_difference(self, other)

    def intersection(self, *iterables):
        """The elements of this set that are in every iterable.  Equal
        elements may come from either side, so the result is checked."""
        result = _Set.intersection(self, *iterables)
        if result is not self:
            _admit(type(self), list(result))
        return result

    def __or__(self, other):
        return _set_operator(self, other, _Set.__or__, True)

    def __ror__(self, other):
        return _set_operator(self, other, _Set.__ror__, True)

    def __xor__(self, other):
        return _set_operator(self, other, _Set.__xor__, True)

    def __rxor__(self, other):
        return _set_operator(self, other, _Set.__rxor__, True)

    def __and__(self, other):
        return _set_operator(self, other, _Set.__and__, False)

    def __rand__(self, other):
        return _set_operator(self, other, _Set.__rand__, False)

    def __rsub__(self, other):
        return _set_operator(self, other, _Set.__rsub__, False)

    def evolver(self):
        """A ``CheckedPSet.Evolver``: a mutable draft of this set whose
        ``add`` checks the element.  O(1).

        >>> class Tags(CheckedPSet):
        ...     __type__ = str
        >>> e = Tags().evolver()
        >>> e.add('x').add('y').persistent() == {'x', 'y'}
        True
        """
        cls = type(self)
        return cls.Evolver(cls, self)

    mutate = evolver

    class Evolver(_CheckedEvolver):
        """The evolver of a ``CheckedPSet``: ``add`` checks its element;
        ``remove`` and ``discard`` as a ``SetEvolver``'s."""

        __slots__ = ()
        _wrap = staticmethod(_set_new)

        def __contains__(self, element):
            return element in self._draft

        def add(self, element):
            """Add the checked ``element``; returns the evolver."""
            self._check([element])
            self._draft.add(element)
            return self

        def remove(self, element):
            """Remove ``element`` (``KeyError`` when absent); returns the
            evolver."""
            self._draft.remove(element)
            return self

        def discard(self, element):
            """Remove ``element`` when present; returns the evolver."""
            self._draft.discard(element)
            return self

    def __repr__(self):
        return type(self).__name__ + _PSet.__repr__(self)[4:]

    __str__ = __repr__

    def __reduce__(self):
        return _unpickle, (type(self), list(self))

    def serialize(self, format=None):
        """A ``set`` of the elements, each passed through ``__serializer__``.
        O(n)."""
        serializer = self.__serializer__
        return {serializer(format, item) for item in self}

    create = classmethod(_create_checked_collection)
