"""Work to do a little later, off the request threads: one thread, a bounded queue, and
nothing kept across a restart (what it does is a second chance, never the only one)."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_PENDING = 10_000


class Later:
    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_pending: int = MAX_PENDING
    ) -> None:
        self._clock, self._max = clock, max_pending
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def __call__(self, delay_s: float, work: Callable[[], None]) -> bool:
        """Run `work` in about `delay_s`; False (and nothing scheduled) when too much waits."""
        with self._wake:
            if self._stopped or len(self._queue) >= self._max:
                return False
            heapq.heappush(self._queue, (self._clock() + delay_s, next(self._order), work))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sms-later", daemon=True)
                self._thread.start()
            self._wake.notify()
        return True

    def stop(self) -> None:
        """Drop what waits; work already running finishes on its own."""
        with self._wake:
            self._stopped = True
            self._queue.clear()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._queue or self._queue[0][0] > self._clock()):
                    wait = self._queue[0][0] - self._clock() if self._queue else None
                    self._wake.wait(wait)
                if self._stopped:
                    return
                _, _, work = heapq.heappop(self._queue)
            try:
                work()
            except Exception:
                log.exception("delayed work failed")
