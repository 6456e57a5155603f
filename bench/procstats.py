"""CPU time and memory of one child process, read from /proc (Linux)."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of every thread of `pid` so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) / _TICKS_PER_S, int(fields[12]) / _TICKS_PER_S


def cpu_seconds(pid: int) -> float:
    """user + system CPU of every thread of `pid` so far."""
    return sum(cpu_times(pid))


def context_switches(pid: int) -> dict[str, int]:
    """Voluntary and involuntary context switches of every thread of `pid` so far."""
    totals = {"voluntary": 0, "involuntary": 0}
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        try:
            text = status.read_text()
        except OSError:  # the thread ended meanwhile
            continue
        for line in text.splitlines():
            name, _, value = line.partition(":")
            if name == "voluntary_ctxt_switches":
                totals["voluntary"] += int(value)
            elif name == "nonvoluntary_ctxt_switches":
                totals["involuntary"] += int(value)
    return totals


def memory_kb(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS (current), in kB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            found[name] = int(value.split()[0])
    return found


def find_java_on_port(port: int) -> int | None:
    """The pid of the local engine started with --server.port=PORT, if it runs here."""
    wanted = f"--server.port={port}".encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in args and args and args[0].endswith(b"java"):
            return int(cmdline.parent.name)
    return None
