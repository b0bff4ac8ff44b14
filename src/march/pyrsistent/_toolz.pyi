# Type stubs of march.pyrsistent._toolz: get_in (a nested lookup).
from collections.abc import Iterable
from typing import Any

def get_in(
    keys: Iterable[Any], coll: Any, default: Any = None, no_default: bool = False
) -> Any: ...
