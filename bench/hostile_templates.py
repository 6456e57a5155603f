"""CPU seconds and peak memory of each hostile template from issue 12, one fresh process each.

`python -m bench.hostile_templates` prints a table: case, outcome (the error code or "ok"),
the CPU seconds of the render (user+sys) and the process's peak RSS in MB (`ru_maxrss`,
which includes about 24 MB for Python and the imports). Each case runs in
a child process with a 60 s wall-clock cap so a case that still hangs shows as "killed".
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

_S65 = "a" * 65_000
_CAP40 = "?capitalize" * 40
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "date backtracking": ('${"' + "a" * 60 + "1\"?date(\"E''E''E''E''E''E''E''E\")}", {}),
    "seq_contains 2^40": (
        "<#assign p=[1]><#assign q=[1]><#list 1..40 as i><#assign p=[p,p]>"
        "<#assign q=[q,q]></#list>${[p]?seq_contains(q)?c}",
        {},
    ),
    "capitalize x40 x130": (
        "".join(f"<#assign k{i} = s{_CAP40}?length>\n" for i in range(130)),
        {"s": _S65},
    ),
    "capitalize x40 x20": (
        "".join(f"<#assign k{i} = s{_CAP40}?length>\n" for i in range(20)),
        {"s": _S65},
    ),
    "compile 64 KB ${n}": ("${n}" * (65_536 // 4), {"n": 1}),
    "compile 4,000 pieces": ("${n}" * 2_000, {"n": 1}),
    "loop 10,000 x 40 nodes": (
        "<#list 1..10000 as i>" + "<#assign x = i + 1>" * 20 + "</#list>",
        {},
    ),
    "list 0..1e20": ("<#list 0..99999999999999999999 as i>${i}</#list>", {}),
    "round 1e30": ("${n?round}", {"n": 1e30}),
    "string 450 zeros": ('${1?string("0.' + "0" * 450 + '")}', {}),
    "n/7 10**400": ("${n/7}", {"n": 10**400}),
    "l[Infinity]": ("${l[n]}", {"l": [1], "n": float("inf")}),
    "NaN?int": ("${n?int}", {"n": float("nan")}),
    "join(5)": ("${[1,2]?join(5)}", {}),
    'url("ascii")': ('${"é"?url("ascii")}', {}),
    'string("Q")': ('${"2024-01-05"?date.iso?string("Q")}', {}),
}

_CHILD = """
import json, resource, sys
from worker.template import render
from worker.errors import ConnectorError
name = sys.argv[1]
source, metadata = json.loads(sys.stdin.read())
if name == "n/7 10**400":
    metadata["n"] = 10**400
if name in ("l[Infinity]", "NaN?int"):
    metadata["n"] = float(metadata["n"])
start = resource.getrusage(resource.RUSAGE_SELF)
try:
    render(source, metadata)
    outcome = "ok"
except ConnectorError as error:
    outcome = error.code.name
end = resource.getrusage(resource.RUSAGE_SELF)
cpu = end.ru_utime - start.ru_utime + end.ru_stime - start.ru_stime
print(json.dumps([outcome, cpu, end.ru_maxrss / 1024]))
"""


def measure(name: str) -> tuple[str, float, float]:
    source, metadata = CASES[name]
    payload = dict(metadata)
    if name == "n/7 10**400":
        payload["n"] = 0
    if name in ("l[Infinity]", "NaN?int"):
        payload["n"] = str(metadata["n"])
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _CHILD, name],
            input=json.dumps([source, payload]),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "killed after 60 s", 60.0, float("nan")
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1], float("nan"), float("nan")
    outcome, cpu, peak = json.loads(done.stdout)
    return outcome, cpu, peak


def main() -> None:
    print("| case | outcome | CPU s (process) | peak RSS MB |")
    print("|---|---|---|---|")
    for name in [*CASES] if len(sys.argv) < 2 else sys.argv[1:]:
        outcome, cpu, peak = measure(name)
        print(f"| {name} | {outcome} | {cpu:.2f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
