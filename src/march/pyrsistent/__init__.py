"""march.pyrsistent: pyrsistent's API on march's structures (in progress)."""
