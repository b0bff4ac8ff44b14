"""Keys with chosen hashes, shared by the map test modules."""


class HKey:
    """A key with a chosen hash (equal when name and hash are equal)."""

    def __init__(self, name, h):
        self.name = name
        self.h = h

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        if not isinstance(other, HKey):
            return NotImplemented
        return self.name == other.name and self.h == other.h

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __repr__(self):
        return "HKey(%r, %r)" % (self.name, self.h)
