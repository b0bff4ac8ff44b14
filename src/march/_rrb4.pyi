# Type stubs for march._rrb4: the vector built with branching 4 (the same C
# sources as march._rrb: rrb_node.c, rrb.c, rrb_check.c, vector_object.c,
# with -DMARCH_RRB_BITS=2).  Same interface as march._rrb.
from ._rrb import BRANCHING as BRANCHING
from ._rrb import _RAW_SLABS as _RAW_SLABS
from ._rrb import Vector as Vector
from ._rrb import VectorEvolver as VectorEvolver
from ._rrb import v as v
from ._rrb import vector as vector
