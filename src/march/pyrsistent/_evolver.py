"""What every evolver of ``march.pyrsistent`` has besides pyrsistent's
``persistent()``: march's transient vocabulary, ``finish()`` and the
``with`` statement.

``PMap._Evolver`` (and so the evolvers of ``PRecord`` and ``CheckedPMap``),
the evolver of ``PClass`` and those of ``CheckedPVector`` / ``CheckedPSet``
derive from ``EvolverBase``; ``PVector`` and ``PSet`` use march's own
``VectorEvolver`` / ``SetEvolver``, which have them already.
"""

__all__ = ["EvolverBase"]


class EvolverBase:
    """``finish()`` (another name for the subclass's ``persistent()``) and
    the context manager: ``with x.evolver() as e: ...`` calls
    ``persistent()`` when the block ends without an exception (one that
    raised leaves the evolver as the exception found it).  O(1) besides
    ``persistent()``.

    >>> from march.pyrsistent import m
    >>> with m(a=1).evolver() as e:
    ...     e['b'] = 2
    >>> e.finish() == {'a': 1, 'b': 2}
    True
    """

    __slots__ = ()

    def finish(self):
        """The same as ``persistent()``."""
        return self.persistent()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.persistent()
        return False
