"""Retry delays as a pure function, shared by the Twilio 429 retries and the engine poll loop."""

from __future__ import annotations


def backoff_delay_s(attempt: int, *, base_s: float, cap_s: float, jitter: float) -> float:
    """Delay before retry number `attempt` (0 for the first retry), "full jitter" style.

    `jitter` is a number in [0, 1) supplied by the caller (usually `random.random()`), so the
    function stays deterministic under test. Full jitter spreads competing replicas apart, which
    matters when several workers hit the same overloaded engine or Twilio account at once.
    """
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    if not 0.0 <= jitter < 1.0:
        raise ValueError("jitter must be in [0, 1)")
    # Cap the exponent before computing the power so a long outage cannot overflow a float.
    ceiling = min(cap_s, base_s * 2.0 ** min(attempt, 62))
    return ceiling * jitter
