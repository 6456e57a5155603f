"""Running a service's blocking `serve()` on a thread for the length of a `with` block: how
the demos and the tests run the daemon and the webhooks service beside other work."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar


class Service(Protocol):
    def serve(self) -> object: ...

    def stop(self) -> None: ...


ServiceT = TypeVar("ServiceT", bound=Service)


@contextmanager
def serving_in_background(service: ServiceT, thread_name: str, join_s: float) -> Iterator[ServiceT]:
    """`serve()` on a daemon thread; at the end of the block `stop()`, then wait up to `join_s`
    for the thread (a daemon thread, so a service that will not stop cannot hold the exit)."""
    thread = threading.Thread(target=service.serve, name=thread_name, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        service.stop()
        thread.join(join_s)
