# Type stubs of march.pyrsistent._precord: PRecord (a PMap with declared,
# checked fields), its metaclass and its evolver.  Updates return the
# record's own class.
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from ._checked_types import CheckedType
from ._pmap import PMap

__all__ = ["PRecord"]

_R = TypeVar("_R", bound=PRecord)

class _PRecordMeta(type): ...

class PRecord(PMap[str, Any], CheckedType, metaclass=_PRecordMeta):
    # name -> field (the object field() made), inherited fields first
    _precord_fields: ClassVar[dict[str, Any]]
    _precord_invariants: ClassVar[tuple[Callable[[Any], tuple[bool, Any]], ...]]
    _precord_mandatory_fields: ClassVar[set[str]]
    _precord_initial_values: ClassVar[dict[str, Any]]
    def __new__(cls: type[_R], **kwargs: Any) -> _R: ...
    def set(self: _R, *args: Any, **kwargs: Any) -> _R: ...  # type: ignore[override]
    def remove(self: _R, key: str) -> _R: ...  # type: ignore[override]
    def discard(self: _R, key: str) -> _R: ...  # type: ignore[override]
    def update(self: _R, *maps: Mapping[str, Any]) -> _R: ...  # type: ignore[override]
    def update_with(  # type: ignore[override]
        self: _R, update_fn: Callable[[Any, Any], Any], *maps: Mapping[str, Any]
    ) -> _R: ...
    def __add__(self: _R, other: Mapping[str, Any], /) -> _R: ...  # type: ignore[override]
    def __or__(self: _R, other: Mapping[str, Any], /) -> _R: ...  # type: ignore[override]
    def transform(self: _R, *transformations: Any) -> _R: ...  # type: ignore[override]
    def copy(self: _R) -> _R: ...  # type: ignore[override]
    def evolver(self: _R) -> _PRecordEvolver[_R]: ...  # type: ignore[override]
    def __repr__(self) -> str: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    @classmethod
    def create(
        cls: type[_R],
        kwargs: Mapping[str, Any] | _R,
        _factory_fields: Iterable[str] | None = None,
        ignore_extra: bool = False,
    ) -> _R: ...
    def serialize(self, format: Any = None) -> dict[str, Any]: ...

class _PRecordEvolver(PMap._Evolver[str, Any], Generic[_R]):
    def __init__(
        self,
        cls: type[_R],
        original_pmap: PMap[str, Any],
        _factory_fields: Iterable[str] | None = None,
        _ignore_extra: bool = False,
    ) -> None: ...
    def set(self, key: str, value: Any) -> _PRecordEvolver[_R]: ...  # type: ignore[override]
    def remove(self, key: str) -> _PRecordEvolver[_R]: ...  # type: ignore[override]
    def persistent(self) -> _R: ...  # type: ignore[override]
