"""The engine nodes of one cluster (CAMUNDA_URL may name several): which to ask next, and
which are down.

A task is the database's, not a node's: any node can complete, fail or extend any task, so a
call may go to whichever node answers. Long polls are spread over the nodes in turn. A node
that gave no answer is down for a while (doubling, up to `DOWN_CAP_S`); once that while is
over it takes its turn again, and the first answer makes it up. A node that answered, even
with an error, is up: the answer is the cluster's (the same database behind every node), so
it is never asked again elsewhere.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from worker.errors import (
    EngineError,
    EngineUnreachable,
    LockLost,
    LostRace,
    TaskGone,
    UnreachableCause,
)

_N = TypeVar("_N")
_R = TypeVar("_R")

DOWN_BASE_S = 1.0
DOWN_CAP_S = 8.0


@dataclass
class _State:
    failures: int = 0  # in a row; 0: up
    down_until: float = 0.0


class Nodes(Generic[_N]):
    """Round-robin over `nodes`, skipping those that are down. Thread-safe."""

    def __init__(self, nodes: Sequence[_N], *, clock: Callable[[], float] = time.monotonic) -> None:
        if not nodes:
            raise ValueError("no engine nodes")
        self.nodes = tuple(nodes)
        self._states = [_State() for _ in self.nodes]
        self._next = 0
        self._clock = clock
        self._lock = threading.Lock()

    @property
    def up(self) -> int:
        """How many nodes answered the last call made to them (all, before the first)."""
        with self._lock:
            return sum(1 for state in self._states if state.failures == 0)

    def order(self) -> list[int]:
        """Indexes to try, in order: from the next in turn, those up or due to be tried again,
        then those still down, soonest due first (when all are down, one is tried anyway: a
        single URL behaves as it always did)."""
        now = self._clock()
        with self._lock:
            start, count = self._next, len(self.nodes)
            self._next = (start + 1) % count
            turn = [(start + i) % count for i in range(count)]
            ready = [i for i in turn if self._states[i].down_until <= now]
            waiting = sorted(
                (i for i in turn if self._states[i].down_until > now),
                key=lambda i: self._states[i].down_until,
            )
        return ready + waiting

    def answered(self, index: int) -> None:
        with self._lock:
            self._states[index] = _State()

    def unreachable(self, index: int) -> None:
        with self._lock:
            state = self._states[index]
            state.down_until = self._clock() + min(DOWN_CAP_S, DOWN_BASE_S * 2.0**state.failures)
            state.failures = min(state.failures + 1, 16)

    def call(self, call: Callable[[_N], _R], *, repeatable: bool = True) -> _R:
        """`call` on one node after another until one answers; the last EngineUnreachable when
        none does. Any other error is the cluster's answer and is raised as it is.

        `repeatable`: the engine itself refuses a second attempt that would change anything
        (a task's calls check who holds its lock). Otherwise the call moves on only when the
        node refused the connection, so surely never got it."""
        last: EngineUnreachable | None = None
        for index in self.order():
            try:
                result = call(self.nodes[index])
            except EngineUnreachable as exc:
                self.unreachable(index)
                last = exc
                if not repeatable and _maybe_carried_out(exc):
                    raise
                continue
            except (TaskGone, LockLost) as exc:
                self.answered(index)
                if _maybe_carried_out(last) and not isinstance(exc, LostRace):
                    # The node that failed may have carried the call out before the connection
                    # broke: the task then went with it, and this is our own earlier attempt
                    # having got there first, not a task taken from us.
                    raise LostRace(f"{exc} (after {last})", exc.status) from exc
                raise
            except EngineError:
                self.answered(index)
                raise
            self.answered(index)
            return result
        assert last is not None
        raise last


def _maybe_carried_out(failure: EngineUnreachable | None) -> bool:
    """Whether a call that got no answer may still have reached the node: all but a refused
    connection (nothing was sent) may have."""
    return failure is not None and failure.cause is not UnreachableCause.REFUSED
