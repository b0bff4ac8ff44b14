"""The pure-Python twin of march's C core.

``hamt`` mirrors ``src/march/_core/hamt.c`` and ``rrb`` mirrors
``src/march/_core/rrb.c``; ``rrb4`` is the same vector with a branching
factor of 4, used by the test suite to make deep trees from small vectors.
"""
