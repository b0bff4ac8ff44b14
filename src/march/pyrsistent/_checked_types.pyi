# Type stubs of march.pyrsistent._checked_types: CheckedType, the exceptions
# of records, classes and checked collections, and optional.
from typing import Any, TypeVar, overload

__all__ = [
    "CheckedType",
    "InvariantException",
    "CheckedTypeError",
    "CheckedKeyTypeError",
    "CheckedValueTypeError",
    "optional",
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
