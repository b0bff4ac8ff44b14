# Type stubs of march.pyrsistent._checked_types: CheckedType, the exceptions
# of records, classes and checked collections, optional, and CheckedPMap.
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Generic, SupportsIndex, TypeVar, overload

from typing_extensions import Self

from ._pmap import PMap
from ._pset import PSet
from ._pvector import PVector
from ._evolver import EvolverBase

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

_T = TypeVar("_T")

class CheckedType:
    @classmethod
    def create(cls, source_data: Any, _factory_fields: Any = None) -> Any: ...
    def serialize(self, format: Any = None) -> Any: ...

class InvariantException(Exception):
    # error data of the failed invariants (nested tuples for invariants that
    # check several things; lazy callables already called)
    invariant_errors: tuple[Any, ...]
    missing_fields: tuple[str, ...]
    def __init__(
        self,
        error_codes: Any = (),
        missing_fields: Any = (),
        *args: Any,
        **kwargs: Any,
    ) -> None: ...

class CheckedTypeError(TypeError):
    source_class: type[Any]
    expected_types: tuple[Any, ...]
    actual_type: type[Any]
    actual_value: Any
    def __init__(
        self,
        source_class: Any,
        expected_types: Any,
        actual_type: Any,
        actual_value: Any,
        *args: Any,
        **kwargs: Any,
    ) -> None: ...

class CheckedKeyTypeError(CheckedTypeError): ...
class CheckedValueTypeError(CheckedTypeError): ...

@overload
def optional(type: _T, /) -> tuple[_T, type[None]]: ...
@overload
def optional(*typs: Any) -> tuple[Any, ...]: ...

# -- the checked map ---------------------------------------------------------

_K = TypeVar("_K")
_V = TypeVar("_V")
_C = TypeVar("_C", bound=CheckedPMap[Any, Any])

class _CheckedMapTypeMeta(type): ...

class CheckedPMap(PMap[_K, _V], CheckedType, metaclass=_CheckedMapTypeMeta):
    # declared on subclasses: type specifications (a type, a 'module.Name'
    # string, or an iterable of those) and an invariant (key, value) -> (ok, data)
    __key_type__: ClassVar[Any]
    __value_type__: ClassVar[Any]
    _checked_key_types: ClassVar[tuple[Any, ...]]
    _checked_value_types: ClassVar[tuple[Any, ...]]
    _checked_invariants: ClassVar[tuple[Callable[[Any, Any], tuple[bool, Any]], ...]]
    def __new__(cls: type[_C], initial: Mapping[Any, Any] = ...) -> _C: ...
    def set(self: _C, key: _K, val: _V) -> _C: ...  # type: ignore[override]
    def remove(self: _C, key: _K) -> _C: ...  # type: ignore[override]
    def discard(self: _C, key: _K) -> _C: ...  # type: ignore[override]
    def update(self: _C, *maps: Mapping[_K, _V]) -> _C: ...  # type: ignore[override]
    def update_with(  # type: ignore[override]
        self: _C, update_fn: Callable[[_V, _V], _V], *maps: Mapping[_K, _V]
    ) -> _C: ...
    def __add__(self: _C, other: Mapping[_K, _V], /) -> _C: ...  # type: ignore[override]
    def __or__(self: _C, other: Mapping[_K, _V], /) -> _C: ...  # type: ignore[override]
    def transform(self: _C, *transformations: Any) -> _C: ...  # type: ignore[override]
    def copy(self: _C) -> _C: ...  # type: ignore[override]
    def evolver(self: _C) -> CheckedPMap.Evolver[_C]: ...  # type: ignore[override]
    def __repr__(self) -> str: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def serialize(self, format: Any = None) -> dict[Any, Any]: ...
    @classmethod
    def create(
        cls: type[_C],
        source_data: Mapping[Any, Any] | _C,
        _factory_fields: Iterable[str] | None = None,
        ignore_extra: bool = False,
    ) -> _C: ...
    def __serializer__(self, format: Any, key: Any, value: Any) -> tuple[Any, Any]: ...

    class Evolver(PMap._Evolver[Any, Any], Generic[_C]):
        def __init__(self, destination_class: type[_C], original_map: PMap[Any, Any]) -> None: ...
        def set(self, key: Any, value: Any) -> CheckedPMap.Evolver[_C]: ...  # type: ignore[override]
        def remove(self, key: Any) -> CheckedPMap.Evolver[_C]: ...  # type: ignore[override]
        def persistent(self) -> _C: ...  # type: ignore[override]


# -- the checked vector and set -------------------------------------------------

_E = TypeVar("_E")
_C2 = TypeVar("_C2")

class _CheckedTypeMeta(type): ...

class _CheckedEvolver(EvolverBase, Generic[_C2]):
    def __init__(self, destination_class: type[_C2], collection: Any) -> None: ...
    def __len__(self) -> int: ...
    def is_dirty(self) -> bool: ...
    def persistent(self) -> _C2: ...
    def finish(self) -> _C2: ...  # the same as persistent()

class CheckedPVector(PVector[_E], CheckedType, metaclass=_CheckedTypeMeta):
    # declared on subclasses: a type specification and an invariant
    # element -> (ok, data)
    __type__: ClassVar[Any]
    _checked_types: ClassVar[tuple[Any, ...]]
    _checked_invariants: ClassVar[tuple[Callable[[Any], tuple[bool, Any]], ...]]
    def __new__(cls, initial: Iterable[_E] = ...) -> Self: ...
    def evolver(self) -> CheckedPVector.Evolver[Self]: ...  # type: ignore[override]
    def mutate(self) -> CheckedPVector.Evolver[Self]: ...  # type: ignore[override]
    def serialize(self, format: Any = None) -> list[Any]: ...
    @classmethod
    def create(
        cls,
        source_data: Iterable[Any],
        _factory_fields: Iterable[str] | None = None,
        ignore_extra: bool = False,
    ) -> Self: ...
    def __serializer__(self, format: Any, value: Any) -> Any: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

    class Evolver(_CheckedEvolver[_C2]):
        def __getitem__(self, index: SupportsIndex) -> Any: ...
        def __setitem__(self, index: SupportsIndex, val: Any) -> None: ...
        def __delitem__(self, index: SupportsIndex) -> None: ...
        def set(self, index: SupportsIndex, val: Any) -> Self: ...
        def append(self, val: Any) -> Self: ...
        def extend(self, iterable: Iterable[Any]) -> Self: ...
        def delete(self, index: SupportsIndex, stop: SupportsIndex | None = None) -> Self: ...
        def remove(self, value: Any) -> Self: ...

class CheckedPSet(PSet[_E], CheckedType, metaclass=_CheckedTypeMeta):
    __type__: ClassVar[Any]
    _checked_types: ClassVar[tuple[Any, ...]]
    _checked_invariants: ClassVar[tuple[Callable[[Any], tuple[bool, Any]], ...]]
    def __new__(cls, initial: Iterable[_E] = ...) -> Self: ...
    def evolver(self) -> CheckedPSet.Evolver[Self]: ...  # type: ignore[override]
    def mutate(self) -> CheckedPSet.Evolver[Self]: ...  # type: ignore[override]
    def serialize(self, format: Any = None) -> set[Any]: ...
    @classmethod
    def create(
        cls,
        source_data: Iterable[Any],
        _factory_fields: Iterable[str] | None = None,
        ignore_extra: bool = False,
    ) -> Self: ...
    def __serializer__(self, format: Any, value: Any) -> Any: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

    class Evolver(_CheckedEvolver[_C2]):
        def __contains__(self, element: object) -> bool: ...
        def add(self, element: Any) -> Self: ...
        def remove(self, element: Any) -> Self: ...
        def discard(self, element: Any) -> Self: ...
