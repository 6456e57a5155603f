"""Turning samples into figures: percentiles and the sustained drain rate."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Sample:
    t: float  # monotonic seconds
    done: int  # tasks completed since the backlog was released
    cpu_s: float  # the contender's CPU seconds so far
    harness_cpu_s: float  # this process's CPU seconds (mostly the Twilio stand-in)
    engine_cpu_s: float = 0.0  # the engine JVM's CPU seconds, when it runs on this machine


@dataclass(frozen=True)
class Window:
    """The steady part of a drain: from 10% to 90% of what was completed, so start-up and the
    last stragglers do not count."""

    tasks: int
    seconds: float
    cpu_s: float
    harness_cpu_s: float
    engine_cpu_s: float

    @property
    def rate(self) -> float:
        return self.tasks / self.seconds if self.seconds > 0 else 0.0


def steady_window(samples: Sequence[Sample], low: float = 0.1, high: float = 0.9) -> Window | None:
    if len(samples) < 2:
        return None
    total = samples[-1].done
    if total == 0:
        return None
    first = next(s for s in samples if s.done >= low * total)
    last = next(s for s in samples if s.done >= high * total)
    if last.done - first.done < max(2, total // 10) or last.t <= first.t:
        # Too quick to see a steady part (a smoke run): take the whole drain instead.
        first = samples[0]
        last = next(s for s in samples if s.done == total)
    if last.t <= first.t:
        return None
    return Window(
        tasks=last.done - first.done,
        seconds=last.t - first.t,
        cpu_s=last.cpu_s - first.cpu_s,
        harness_cpu_s=last.harness_cpu_s - first.harness_cpu_s,
        engine_cpu_s=last.engine_cpu_s - first.engine_cpu_s,
    )
