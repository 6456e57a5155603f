"""Twilio retries a webhook it got no answer to with the same I-Twilio-Idempotency-Token. Within
one process, a token is handled once: its answer is kept (bounded, least recently used first
out) and given again to every retry, and a retry that arrives while the first attempt is still
being handled waits for it instead of running alongside.

Only final answers are kept: an answer that asks Twilio to retry (5xx: the engine is down) is
not, so the retry does the work. Across replicas, and after a restart, this memory is not
shared: `delivery` checks the engine as well (see the README, "Two-way SMS").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

_A = TypeVar("_A")

DEFAULT_CAPACITY = 10_000
# A token is printable ASCII of modest length; anything else is not worth remembering.
MAX_TOKEN_CHARS = 200


class _Entry(Generic[_A]):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answer: _A | None = None


class RecentTokens(Generic[_A]):
    def __init__(self, is_final: Callable[[_A], bool], capacity: int = DEFAULT_CAPACITY) -> None:
        self._is_final = is_final
        self._capacity = capacity
        self._entries: OrderedDict[str, _Entry[_A]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def handle(self, token: str | None, work: Callable[[], _A]) -> tuple[_A, bool]:
        """`work()`'s answer, or the answer kept for `token`; True when it was kept (a
        duplicate). Without a usable token, `work()` runs every time."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return work(), False
        entry = self._entry(token)
        with entry.lock:  # a concurrent retry of the same token waits here
            if entry.answer is not None:
                return entry.answer, True
            answer = work()
            if self._is_final(answer):
                entry.answer = answer
            return answer, False

    def _entry(self, token: str) -> _Entry[_A]:
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                entry = self._entries[token] = _Entry()
                while len(self._entries) > self._capacity:
                    # An evicted entry still being handled finishes normally; a retry arriving
                    # after that is caught by the engine-side check instead.
                    self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(token)
            return entry
