"""The frame of the pyrsistent-type state machines (test_pyrsistent_pmap,
test_pyrsistent_pset, test_pyrsistent_pvector).

Every version a machine makes is kept with a copy of its model; the latest
ones are re-checked after each step and all of them at the end, so a change
to an old version (a broken persistence) is caught.  One evolver at a time
runs against its own model.  A machine says what its model copy is
(``copy_model``), how a new version is checked in full (``check_new``),
cheaply after each step (``matches``) and at the end (``check_final``).
"""
from hypothesis.stateful import RuleBasedStateMachine, invariant


class VersionsMachine(RuleBasedStateMachine):
    RECENT = 6          # versions re-checked after every step

    def __init__(self):
        super().__init__()
        self.versions = []
        self.evolver = None
        self.evolver_model = None
        self.evolver_base = None

    def copy_model(self, model):
        raise NotImplementedError

    def check_new(self, value, model):
        raise NotImplementedError

    def matches(self, value, model):
        raise NotImplementedError

    def check_final(self, value, model):
        raise NotImplementedError

    def remember(self, value, model):
        """Check a new version and keep it: the (value, model) pair a bundle
        holds."""
        self.check_new(value, model)
        self.versions.append((value, self.copy_model(model)))
        return (value, self.copy_model(model))

    def persist_evolver(self):
        """The evolver's ``persistent()``, remembered: its base when nothing
        changed, and the same object again from a second call."""
        e = self.evolver
        dirty = e.is_dirty()
        out = e.persistent()
        if not dirty:
            assert out is self.evolver_base
        assert e.persistent() is out and not e.is_dirty()
        self.evolver_base = out
        return self.remember(out, self.evolver_model)

    @invariant()
    def no_recent_version_changed(self):
        for value, model in self.versions[-self.RECENT:]:
            assert self.matches(value, model)

    def teardown(self):
        for value, model in self.versions:
            self.check_final(value, model)
