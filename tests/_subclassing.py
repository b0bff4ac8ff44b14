"""What the tests of subclassed persistent types share: the subclasses
themselves, and an element that counts how often it is hashed or compared
(to show that an O(1) conversion reads no element)."""


def module_subclasses(base, tag, namespace):
    """(the ``__slots__ = ()`` subclass, the ``__dict__`` subclass) of
    ``base``, named ``Slots_<tag>`` and ``Dict_<tag>``, made once and put
    in ``namespace`` (a test module's ``globals()``) so that pickle finds
    them by name."""
    slots_name, dict_name = "Slots_" + tag, "Dict_" + tag
    if slots_name not in namespace:
        module = namespace["__name__"]
        namespace[slots_name] = type(slots_name, (base,),
                                     {"__slots__": (), "__module__": module})
        namespace[dict_name] = type(dict_name, (base,), {"__module__": module})
    return namespace[slots_name], namespace[dict_name]


class Counted:
    """A key or element that counts the calls of its __hash__ and __eq__
    (in the class attribute ``calls``; a test sets it to 0 first)."""

    calls = 0

    def __init__(self, v):
        self.v = v

    def __hash__(self):
        Counted.calls += 1
        return hash(self.v)

    def __eq__(self, other):
        Counted.calls += 1
        return isinstance(other, Counted) and self.v == other.v

    def __repr__(self):
        return "Counted(%r)" % (self.v,)
