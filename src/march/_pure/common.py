"""The twin of ``src/march/_core/common.h``: what the twins share.

Most of common.h has no twin: symbol visibility, inlining, prefetching,
GC-tracking tests, AddressSanitizer poisoning and the free lists are C
matters.  What remains:

``popcount32(x)``
    the number of set bits of a 32-bit map (C: ``march_popcount32``).
``repr_name(obj, exact, exact_name)``
    what a repr of ``obj`` starts with: ``exact_name`` for an instance of
    the exact class ``exact``, else the subclass's ``__name__`` (C:
    ``march_repr_name``).
``reduce_subclass(obj, args)``
    ``__reduce__`` of a subclass instance: ``(type(obj), args)``, plus the
    instance's ``__dict__`` as the state when it is not empty (C:
    ``march_reduce_subclass``).
``transient_idle(busy, type_name)``
    the one "busy" error of every transient (C: ``march_transient_idle``):
    raises ``RuntimeError`` with the same text as C when ``busy`` is
    non-zero (C returns -1 with the error set), else returns None (C: 0).
"""

__all__ = ["popcount32", "reduce_subclass", "repr_name", "transient_idle"]

try:
    popcount32 = int.bit_count                      # Python >= 3.10
except AttributeError:                              # pragma: no cover
    def popcount32(x):
        return bin(x).count("1")


def repr_name(obj, exact, exact_name):
    """``exact_name`` for an ``exact`` instance, else its class's name."""
    cls = type(obj)
    return exact_name if cls is exact else cls.__name__


def reduce_subclass(obj, args):
    """``(type(obj), args)``, with a non-empty ``__dict__`` as the state."""
    state = getattr(obj, "__dict__", None)
    if isinstance(state, dict) and state:
        return type(obj), args, state
    return type(obj), args


def transient_idle(busy, type_name):
    """Raise the busy error of the transient ``type_name`` if ``busy``."""
    if busy:
        raise RuntimeError(
            "%s changed while one of its operations was in progress "
            "(from a __hash__, __eq__ or __index__, or a __del__ run by the "
            "GC?)" % type_name)
