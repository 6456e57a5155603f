"""The render budget: every operation pays for its work before doing it.

A render may do at most `limits.MAX_RENDER_WORK` units of work. A unit is about one character
or item handled by one C-level operation; evaluating a template node costs
`limits.WORK_PER_NODE`. Built-ins, comparisons and operators charge in proportion to the size
of their input and of the output they are about to build, *before* building it, so no single
operation can run long between two checks: the time one render can take is bounded by the
budget, whatever the operation. The wall-clock deadline stays as a second line, read every
`limits.WORK_PER_CLOCK_CHECK` units.

The budget of the render running in this thread (a ContextVar, so threads never share one) is
found by `charge`, so the operations need no extra argument. Outside a render (direct calls
in tests, compile time) nothing is charged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from . import limits
from .failures import TemplateLimitFailure


class RenderBudget:
    __slots__ = ("clock", "deadline", "next_check", "spent")

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.deadline = clock() + limits.MAX_RENDER_SECONDS
        self.spent = 0
        # The next point at which `settle` looks at the limit and the clock.
        self.next_check = min(limits.WORK_PER_CLOCK_CHECK, limits.MAX_RENDER_WORK + 1)

    def charge(self, units: int) -> None:
        self.spent += units
        if self.spent >= self.next_check:
            self.settle()

    def settle(self) -> None:
        if self.spent > limits.MAX_RENDER_WORK:
            raise TemplateLimitFailure(
                f"Rendering needs more than {limits.MAX_RENDER_WORK:,} units of work"
            )
        self.next_check = min(self.spent + limits.WORK_PER_CLOCK_CHECK, limits.MAX_RENDER_WORK + 1)
        self.check_time()

    def check_time(self) -> None:
        if self.clock() > self.deadline:
            raise TemplateLimitFailure(
                f"Rendering took longer than {limits.MAX_RENDER_SECONDS} seconds"
            )


_CURRENT: ContextVar[RenderBudget | None] = ContextVar("template_render_budget", default=None)


def charge(units: int) -> None:
    """Pay for `units` of work about to be done by the render running in this thread."""
    budget = _CURRENT.get()
    if budget is not None:  # RenderBudget.charge, inlined: this runs for every operation
        budget.spent += units
        if budget.spent >= budget.next_check:
            budget.settle()


def charge_text(*sizes: int) -> None:
    """Pay for a string operation reading and writing these many characters; refuses first
    when the result would exceed the string limit (the last size is the result's)."""
    if sizes and sizes[-1] > limits.MAX_STRING_CHARS:
        raise TemplateLimitFailure(
            f"A string value would exceed {limits.MAX_STRING_CHARS:,} characters"
        )
    charge(sum(sizes) + 1)


def seconds_left() -> float:
    """What remains of the running render's time limit (all of it outside a render), for the
    operations that bound themselves by time: regular expressions."""
    budget = _CURRENT.get()
    if budget is None:
        return float(limits.MAX_RENDER_SECONDS)
    return budget.deadline - budget.clock()


@contextmanager
def spending(budget: RenderBudget) -> Iterator[RenderBudget]:
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)
