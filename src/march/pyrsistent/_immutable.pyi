# Type stubs of march.pyrsistent._immutable: immutable, pyrsistent's
# named-tuple based class factory.
from collections.abc import Iterable
from typing import Any

# The class returned is a subclass of a namedtuple (fields known only at run
# time) with a method set(**fields) -> same class.
def immutable(
    members: str | Iterable[str] = "",
    name: str = "Immutable",
    verbose: bool = False,
) -> type[tuple[Any, ...]]: ...
