"""The twin of ``src/march/_core/common.h``: what the twins share.

Most of common.h has no twin: symbol visibility, inlining, prefetching,
GC-tracking tests, AddressSanitizer poisoning and the free lists are C
matters.  What remains:

``popcount32(x)``
    the number of set bits of a 32-bit map (C: ``march_popcount32``).
``transient_idle(busy, type_name)``
    the one "busy" error of every transient (C: ``march_transient_idle``):
    raises ``RuntimeError`` with the same text as C when ``busy`` is
    non-zero (C returns -1 with the error set), else returns None (C: 0).
"""

__all__ = ["popcount32", "transient_idle"]

try:
    popcount32 = int.bit_count                      # Python >= 3.10
except AttributeError:                              # pragma: no cover
    def popcount32(x):
        return bin(x).count("1")


def transient_idle(busy, type_name):
    """Raise the busy error of the transient ``type_name`` if ``busy``."""
    if busy:
        raise RuntimeError(
            "%s changed while one of its operations was in progress "
            "(from a __hash__, __eq__ or __index__, or a __del__ run by the "
            "GC?)" % type_name)
