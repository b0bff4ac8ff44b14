# placeholder: replaced by the pure-Python HAMT twin
class Map:
    pass


class MapMutation:
    pass
