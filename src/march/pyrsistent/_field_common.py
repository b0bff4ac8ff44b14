"""Fields of records and classes: ``field``, ``PTypeError``, the checked
collection fields (``pvector_field``, ``pset_field``, ``pmap_field``), and
the machinery ``PClass`` and ``PRecord`` share.

A field is declared as a class attribute (``x = field(type=int)``); the
class's metaclass takes it out of the class namespace and keeps it in a
dict of fields (``_pclass_fields``, ``_precord_fields``).  When a value is
given for a field it is passed through the field's factory, then its type
is checked (``PTypeError`` on a mismatch, at once), then its invariant is run
(failures are collected and reported together in one
``InvariantException``, with the missing mandatory fields).

Shared pieces, for ``PClass`` (``_pclass``) and ``PRecord``:

* ``_take_fields(namespace)``: pop the fields out of a class namespace;
  ``_merged_fields(cls, attr)``: the fields of a class and its bases (in
  method resolution order; a subclass's field replaces a base's);
* ``_Field._produce`` / ``_Field._check`` / ``_Field.invariant`` /
  ``_Field._initial_value`` / ``_Field._serialize``: one field's factory,
  type check, invariant, initial value and serializer;
* ``_field_values``: all of that for a whole set of keyword arguments, with
  the flags that tell the PClass and PRecord variants apart;
* ``_NO_INITIAL``: the ``initial`` of a field that has none.
"""
from . import _checked_types
from ._checked_types import CheckedType as _CheckedType
from ._checked_types import InvariantException as _InvariantException
from ._checked_types import _call_factory
from ._checked_types import _parse_types
from ._checked_types import _resolve_type
from ._checked_types import _resolve_types
from ._checked_types import _type_label
from ._checked_types import _unpickle
from ._checked_types import _wrap_invariant

__all__ = ["field", "PTypeError", "pset_field", "pvector_field", "pmap_field"]

_type = type  # field() has a parameter called type


def _no_invariant(_):
    """The invariant of a field declared without one: always holds."""
    return (True, None)


def _no_factory(value):
    """The factory of a field declared without one: the value itself."""
    return value


def _no_serializer(_, value):
    """The serializer of a field declared without one: the value itself."""
    return value


class _NoInitial:
    """Type of ``_NO_INITIAL``, the ``initial`` of a field without one."""

    __slots__ = ()

    def __repr__(self):
        return "<no initial value>"

    def __reduce__(self):
        return "_NO_INITIAL"


_NO_INITIAL = _NoInitial()

# _Field._maker when the factory depends on a type given by name
_RESOLVE_LATER = object()


class PTypeError(TypeError):
    """A field was given a value of a type it does not accept.

    Attributes: ``source_class`` (the record or class), ``field`` (the
    field's name), ``expected_types`` (the field's accepted types, a set
    as declared: types and type names) and ``actual_type``.  O(1).

    >>> e = PTypeError(dict, 'x', {int}, str, 'Invalid type for field dict.x, was str')
    >>> isinstance(e, TypeError), e.field, e.actual_type
    (True, 'x', <class 'str'>)
    """

    def __init__(self, source_class, field, expected_types, actual_type, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_class = source_class
        self.field = field
        self.expected_types = expected_types
        self.actual_type = actual_type

    def __reduce__(self):
        return (type(self), (self.source_class, self.field, self.expected_types,
                             self.actual_type) + self.args)


class _Field:
    """One declared field.  Made by ``field()``; read by the metaclasses.

    Public attributes, as pyrsistent's: ``type`` (a set of types and type
    names; empty: any type), ``invariant`` (returns ``(ok, error_data)``),
    ``initial`` (``_NO_INITIAL`` when there is none), ``mandatory``,
    ``factory`` and ``serializer``.
    """

    __slots__ = ("type", "invariant", "initial", "mandatory", "_factory",
                 "serializer", "_static", "_maker")

    def __init__(self, types, invariant, initial, mandatory, factory, serializer):
        self.type = types
        self.invariant = invariant
        self.initial = initial
        self.mandatory = mandatory
        self._factory = factory
        self.serializer = serializer
        # the accepted types as a tuple for isinstance, when none is given
        # by name (empty tuple: anything goes); None: resolve them each time
        self._static = (None if any(isinstance(t, str) for t in types)
                        else tuple(types))
        # what _produce calls: None (nothing), a callable, or _RESOLVE_LATER
        maker = None
        if factory is not _no_factory:
            maker = factory
        elif len(types) == 1:
            (only,) = types
            if isinstance(only, str):
                maker = _RESOLVE_LATER
            elif issubclass(only, _CheckedType):
                maker = only.create
        self._maker = maker

    @property
    def factory(self):
        """The factory: the declared one, or else, for a field whose only
        type is a CheckedType (a record, a class, a checked collection), that
        type's ``create``, or else the identity."""
        if self._factory is _no_factory and len(self.type) == 1:
            (only,) = self.type
            only = _resolve_type(only)
            if issubclass(only, _CheckedType):
                return only.create
        return self._factory

    def _produce(self, value, ignore_extra=False):
        """``value`` passed through the factory (``ignore_extra=True`` goes
        along when set and the factory has that parameter)."""
        maker = self._maker
        if maker is None:
            return value
        if maker is _RESOLVE_LATER:
            maker = self.factory
            if maker is _no_factory:
                return value
        if ignore_extra:
            return _call_factory(maker, value, ignore_extra)
        return maker(value)

    def _check(self, owner, name, value):
        """Raise PTypeError unless ``value`` is of one of the field's types."""
        types = self._static
        if types is None:
            types = _resolve_types(self.type)
        elif not types:
            return
        if not isinstance(value, types):
            actual = type(value)
            raise PTypeError(owner, name, self.type, actual,
                             "Invalid type for field {0}.{1}, was {2}".format(
                                 owner.__name__, name, actual.__name__))

    def _initial_value(self):
        """The initial value: ``initial()`` when it is callable (made anew
        each time), else ``initial`` itself."""
        initial = self.initial
        return initial() if callable(initial) else initial

    def _serialize(self, format, value):
        """The value as ``serialize(format)`` gives it: the serializer's
        result, or for a CheckedType value without a serializer of the
        field's own, the value's ``serialize(format)``."""
        if self.serializer is _no_serializer and isinstance(value, _CheckedType):
            return value.serialize(format)
        return self.serializer(format, value)


def field(type=(), invariant=_no_invariant, initial=_NO_INITIAL, mandatory=False,
          factory=_no_factory, serializer=_no_serializer):
    """Declare a field of a ``PClass`` or ``PRecord`` (as a class attribute).

    * ``type``: the accepted type(s): a type, a ``'module.Name'`` string
      (imported when first needed), or an iterable of those (``optional(...)``
      adds None).  Empty: anything.  A wrong type raises ``PTypeError``.
    * ``invariant``: a callable returning ``(ok, error_data)`` or several
      such pairs; failures raise ``InvariantException``.
    * ``initial``: the value when none is given (a callable is called each
      time to make it); checked like a given value, but not passed through
      the factory.
    * ``mandatory``: a missing value raises ``InvariantException``.
    * ``factory``: applied to each value given for the field.  Without one,
      a field whose only type is a record, class or checked collection
      builds it with that type's ``create`` (nested plain data works).
    * ``serializer``: ``serializer(format, value)``, used by ``serialize``.

    Bad declarations raise TypeError at once.  O(number of types).

    >>> from march.pyrsistent._checked_types import InvariantException
    >>> from march.pyrsistent._pclass import PClass
    >>> class Money(PClass):
    ...     cents = field(type=int, mandatory=True, invariant=lambda c: (c >= 0, 'negative'))
    ...     currency = field(type=str, initial='EUR', factory=str.upper)
    >>> Money(cents=250, currency='usd')
    Money(cents=250, currency='USD')
    >>> try:
    ...     Money(cents=-1)
    ... except InvariantException as e:
    ...     print(e.invariant_errors, e.missing_fields)
    ('negative',) ()
    """
    types = set(_parse_types(type))
    if invariant is not _no_invariant and callable(invariant):
        invariant = _wrap_invariant(invariant)
    if (initial is not _NO_INITIAL and not callable(initial) and types
            and not _may_be_instance(initial, types)):
        raise TypeError("Initial has invalid type {0}".format(_type(initial)))
    if not callable(invariant):
        raise TypeError("Invariant must be callable")
    if not callable(factory):
        raise TypeError("Factory must be callable")
    if not callable(serializer):
        raise TypeError("Serializer must be callable")
    return _Field(types, invariant, initial, mandatory, factory, serializer)


def _may_be_instance(value, types):
    """Whether ``value`` may be of one of ``types``: checked against the
    types themselves; a type given by name may not exist yet (a class naming
    itself), so with one of those the answer is yes."""
    real = tuple(t for t in types if not isinstance(t, str))
    return isinstance(value, real) or len(real) < len(types)


# -- shared by PClass and PRecord ------------------------------------------

def _take_fields(namespace):
    """Remove the fields from a class namespace (dict); return them, in
    declaration order, as a dict name -> field."""
    found = {name: value for name, value in namespace.items()
             if isinstance(value, _Field)}
    for name in found:
        del namespace[name]
    return found


def _merged_fields(cls, own_attr):
    """The fields of ``cls``: those each class of its MRO declared (kept
    under ``own_attr`` in the class's own ``__dict__``), bases first, a
    subclass's field replacing the one of the same name it inherits."""
    fields = {}
    for klass in reversed(cls.__mro__):
        fields.update(klass.__dict__.get(own_attr, ()))
    return fields


def _field_values(owner, fields, kwargs, factory_fields=None, ignore_extra=False,
                  initial_via_factory=False, collect_factory_errors=False):
    """Validate the values given (``kwargs``) for ``owner``'s ``fields``.

    For each field, in field order: a given value is popped from
    ``kwargs`` and passed through the factory (only when ``factory_fields``
    is None or names the field); a missing one takes the initial value
    (through the factory too when ``initial_via_factory``, as PRecord does);
    a missing mandatory field is noted.  Each value is type-checked
    (PTypeError raised at once) and its invariant run.

    Returns ``(values, errors, missing)``: the dict of valid values, the
    error data of the failed invariants and the ``'Owner.name'`` strings of
    the missing mandatory fields.  The names left in ``kwargs`` are not
    fields.  With ``collect_factory_errors``, an InvariantException raised
    by a factory (a nested record) is merged into ``errors`` / ``missing``
    instead of propagating (PRecord's behaviour; PClass lets it through).
    """
    values = {}
    errors = []
    missing = []
    for name, spec in fields.items():
        if name in kwargs:
            value = kwargs.pop(name)
            run_factory = factory_fields is None or name in factory_fields
        elif spec.initial is not _NO_INITIAL:
            value = spec._initial_value()
            run_factory = initial_via_factory and (factory_fields is None
                                                   or name in factory_fields)
        else:
            if spec.mandatory:
                missing.append("%s.%s" % (owner.__name__, name))
            continue
        if run_factory and spec._maker is not None:
            if collect_factory_errors:
                try:
                    value = spec._produce(value, ignore_extra)
                except _InvariantException as e:
                    errors.extend(e.invariant_errors)
                    missing.extend(e.missing_fields)
                    continue
            else:
                value = spec._produce(value, ignore_extra)
        spec._check(owner, name, value)
        if spec.invariant is not _no_invariant:
            ok, data = spec.invariant(value)
            if not ok:
                errors.append(data)
                continue
        values[name] = value
    return values, errors, missing


# -- checked collection fields ----------------------------------------------
#
# The bases come from _checked_types (CheckedPVector, CheckedPSet,
# CheckedPMap), looked up when a field is declared, so that a test can
# stand in for them.  The generated subclasses are kept in _generated, keyed
# by (kind, parsed types, item invariant token), so unpickling finds them
# again.

_generated = {}


def _invariant_token(invariant):
    """A picklable stand-in for an item invariant, for the registry key:
    None for no invariant, else where the callable was defined."""
    if invariant is _no_invariant:
        return None
    return (getattr(invariant, "__module__", None),
            getattr(invariant, "__qualname__", type(invariant).__qualname__))


def _restore_field_collection(kind, types, token, data):
    """Unpickle a value of a generated vector / set / map field type."""
    cls = _generated.get((kind, types, token))
    if cls is None:
        if token is not None:
            raise LookupError("the %s field type for %r with an item invariant "
                              "is not defined in this process (import the module "
                              "declaring the field first)" % (kind, types))
        cls = _collection_class(kind, types, _no_invariant, types)
    return _unpickle(cls, data)


def _collection_class(kind, types, item_invariant, declared):
    """The generated CheckedPVector / CheckedPSet subclass (``kind`` is
    'PVector' or 'PSet') or CheckedPMap subclass ('PMap', ``types`` then
    being ``(key types, value types)``), made once per key."""
    token = _invariant_token(item_invariant)
    key = (kind, types, token)
    cls = _generated.get(key)
    if cls is not None:
        return cls
    if kind == "PMap":
        base = _checked_types.CheckedPMap
        key_types, value_types = types
        name = "%sTo%sPMap" % (_label(key_types), _label(value_types))
        namespace = {"__key_type__": declared[0], "__value_type__": declared[1]}

        def __reduce__(self):
            return (_restore_field_collection, key + (dict(self),))
    else:
        base = getattr(_checked_types, "Checked" + kind)
        name = _label(types) + kind
        namespace = {"__type__": declared}
        if item_invariant is not _no_invariant:
            namespace["__invariant__"] = item_invariant

        def __reduce__(self):
            return (_restore_field_collection, key + (list(self),))
    namespace["__reduce__"] = __reduce__
    namespace["__qualname__"] = name
    cls = type(base)(name, (base,), namespace)
    return _generated.setdefault(key, cls)


def _label(types):
    return "".join(_type_label(t).capitalize() for t in types)


def _sequence_field(kind, item_type, optional, initial, invariant, item_invariant):
    types = _parse_types(item_type)
    cls = _collection_class(kind, types, item_invariant, item_type)
    if optional:
        def factory(argument, _factory_fields=None, ignore_extra=False):
            if argument is None:
                return None
            return cls.create(argument, _factory_fields=_factory_fields,
                              ignore_extra=ignore_extra)
        accepted = (cls, type(None))
    else:
        factory = cls.create
        accepted = cls
    return field(type=accepted, factory=factory, mandatory=True,
                 invariant=invariant, initial=factory(initial))


def pset_field(item_type, optional=False, initial=(), invariant=_no_invariant,
               item_invariant=_no_invariant):
    """Declare a field holding a checked set of ``item_type`` items.

    The field's type is a ``CheckedPSet`` subclass made for ``item_type``
    (named after it: ``IntPSet``, ``SomethingIntPSet``...; one class per
    item type); given values (any iterable) are converted to it.  The field
    is mandatory, with ``initial`` (default: empty) as its initial value;
    with ``optional=True`` it also accepts None.  ``invariant`` checks the
    whole set, ``item_invariant`` each item.  O(number of types).

    >>> f = pset_field(int)
    >>> [t.__name__ for t in f.type]
    ['IntPSet']
    """
    return _sequence_field("PSet", item_type, optional, initial, invariant,
                           item_invariant)


def pvector_field(item_type, optional=False, initial=(), invariant=_no_invariant,
                  item_invariant=_no_invariant):
    """Declare a field holding a checked vector of ``item_type`` items.

    The field's type is a ``CheckedPVector`` subclass made for
    ``item_type`` (named ``IntPVector``, ``SomethingIntPVector``...; one class
    per item type); given values (any iterable) are converted to it.  The
    field is mandatory, with ``initial`` (default: empty) as its initial
    value; with ``optional=True`` it also accepts None.  ``invariant`` checks
    the whole vector, ``item_invariant`` each item.  O(number of types).

    >>> f = pvector_field(str)
    >>> [t.__name__ for t in f.type]
    ['StrPVector']
    """
    return _sequence_field("PVector", item_type, optional, initial, invariant,
                           item_invariant)


def pmap_field(key_type, value_type, optional=False, invariant=_no_invariant):
    """Declare a field holding a checked map from ``key_type`` keys to
    ``value_type`` values.

    The field's type is a ``CheckedPMap`` subclass made for the two
    (``IntToStrPMap``...; one class per pair of types); given mappings are
    converted to it.  The field is mandatory and starts empty; with
    ``optional=True`` it also accepts None.  ``invariant`` checks the whole
    map.  O(number of types).

    >>> f = pmap_field(int, str)
    >>> [t.__name__ for t in f.type]
    ['IntToStrPMap']
    """
    key_types = _parse_types(key_type)
    value_types = _parse_types(value_type)
    cls = _collection_class("PMap", (key_types, value_types), _no_invariant,
                            (key_type, value_type))
    if optional:
        def factory(argument, _factory_fields=None, ignore_extra=False):
            if argument is None:
                return None
            return _call_factory(cls.create, argument, ignore_extra)
        accepted = (cls, type(None))
    else:
        factory = cls.create
        accepted = cls
    return field(mandatory=True, initial=cls(), type=accepted, factory=factory,
                 invariant=invariant)
