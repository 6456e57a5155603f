"""A clock that only moves when the code under test sleeps: deadlines and budgets become exact,
and no test depends on how fast the machine is."""

from __future__ import annotations


class FakeClock:
    """Pass the instance as `clock` and its `sleep` as `sleep`."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Time passing while the code under test works (not sleeping)."""
        self.now += seconds
