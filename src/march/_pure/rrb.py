# placeholder: replaced by the pure-Python RRB twin
BRANCHING = 32


class Vector:
    pass


class VectorEvolver:
    pass


def vector(iterable=()):
    raise NotImplementedError


def v(*items):
    raise NotImplementedError
