# Type stubs of march.pyrsistent._field_common: field, PTypeError and the
# checked collection fields.  field() is typed as returning the field's value
# type, so that ``x = field(type=int)`` in a PClass / PRecord body reads as
# ``x: int`` on instances.
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, overload

from march import Map, Set, Vector

__all__ = ["field", "PTypeError", "pset_field", "pvector_field", "pmap_field"]

_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")

# (ok, error data); the data may be a callable making it lazily
_Invariant = tuple[bool, Any]

@overload
def field(
    type: type[_T] | Sequence[type[_T]] = ...,
    invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
    initial: Any = ...,
    mandatory: bool = False,
    factory: Callable[[Any], _T] = ...,
    serializer: Callable[[Any, _T], Any] = ...,
) -> _T: ...
@overload
def field(
    type: Any = ...,
    invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
    initial: Any = ...,
    mandatory: bool = False,
    factory: Callable[[Any], Any] = ...,
    serializer: Callable[[Any, Any], Any] = ...,
) -> Any: ...

class PTypeError(TypeError):
    source_class: type[Any]
    field: str
    expected_types: set[Any]
    actual_type: type[Any]
    def __init__(
        self,
        source_class: Any,
        field: Any,
        expected_types: Any,
        actual_type: Any,
        *args: Any,
        **kwargs: Any,
    ) -> None: ...

# The values are checked subclasses of PSet / PVector / PMap; for now those
# are march's Set / Vector / Map.
@overload
def pset_field(
    item_type: type[_T],
    optional: bool = False,
    initial: Iterable[_T] = ...,
    invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
    item_invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
) -> Set[_T]: ...
@overload
def pset_field(
    item_type: Any,
    optional: bool = False,
    initial: Any = (),
    invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
    item_invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
) -> Set[Any]: ...
@overload
def pvector_field(
    item_type: type[_T],
    optional: bool = False,
    initial: Iterable[_T] = ...,
    invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
    item_invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
) -> Vector[_T]: ...
@overload
def pvector_field(
    item_type: Any,
    optional: bool = False,
    initial: Any = (),
    invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
    item_invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
) -> Vector[Any]: ...
@overload
def pmap_field(
    key_type: type[_K],
    value_type: type[_V],
    optional: bool = False,
    invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
) -> Map[_K, _V]: ...
@overload
def pmap_field(
    key_type: Any,
    value_type: Any,
    optional: bool = False,
    invariant: Callable[[Any], _Invariant | Iterable[_Invariant]] = ...,
) -> Map[Any, Any]: ...
