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


def equal_copy(k):
    """An equal key that is another object where one can be made, else k
    itself (CPython caches small ints and one-character strs).  A lookup by
    the stored object stops at the identity test; a copy goes through the
    rest of the comparison (in C: the node's lookup tags, the hash, ==)."""
    if isinstance(k, HKey):
        return HKey(k.name, k.h)
    if isinstance(k, str):
        return "".join(list(k))
    if isinstance(k, int):
        return int(str(k))
    return k
