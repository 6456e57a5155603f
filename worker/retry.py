"""The one retry helper: a call retried with `backoff_delay_s` while an error is retriable and
a deadline allows. Used by the poll loop, progress records, outcome reports and Twilio's 429s,
which differ only in their policy, in what they retry and in their deadline."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from worker.backoff import backoff_delay_s

_T = TypeVar("_T")
_E = TypeVar("_E", bound=Exception)


@dataclass(frozen=True)
class RetryPolicy:
    """Full-jitter exponential backoff between `base_s` and `cap_s` (see `backoff_delay_s`)."""

    base_s: float
    cap_s: float


def _always(_error: Exception, _attempt: int) -> bool:
    return True


def _no_advice(_error: Exception) -> float | None:
    return None


def _quiet(_error: Exception, _delay_s: float) -> None:
    return None


def retry_call(
    call: Callable[[], _T],
    *,
    policy: RetryPolicy,
    errors: type[_E],
    retriable: Callable[[_E, int], bool] = _always,
    deadline: float | None = None,
    advised_delay_s: Callable[[_E], float | None] = _no_advice,
    on_retry: Callable[[_E, float], None] = _quiet,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> _T:
    """Return `call()`'s result; on an `errors` exception, retry it after a backoff.

    `retriable(error, attempt)` decides whether retry number `attempt` (0 for the first) is
    worth it; an exception it rejects, of another type, or one whose retry could not start by
    `deadline` (clock time) is raised as it is. `advised_delay_s` lets the remote side ask for
    a longer wait (HTTP Retry-After); the backoff is never shortened by it.
    """
    attempt = 0
    while True:
        try:
            return call()
        except errors as error:
            if not retriable(error, attempt):
                raise
            delay = backoff_delay_s(
                attempt, base_s=policy.base_s, cap_s=policy.cap_s, jitter=jitter()
            )
            advised = advised_delay_s(error)
            if advised is not None:
                delay = max(delay, advised)
            if deadline is not None and clock() + delay > deadline:
                raise
            on_retry(error, delay)
            sleep(delay)
            attempt += 1
