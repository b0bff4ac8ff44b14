"""``march.array``: array primitives.  ``march.array.imm`` holds the immutable ones."""
from . import imm

__all__ = ["imm"]
