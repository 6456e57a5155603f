"""Mutation testing: do the fast tests fail when the code they cover is broken?

    python3 -m bench.mutation                  # run mutmut (slow: ~1 hour on 2 busy cores), report
    python3 -m bench.mutation --report-only    # the table of the last run, nothing re-run

mutmut (configured in pyproject.toml, `[tool.mutmut]`) mutates the core (`worker/sms/`), the
Twilio edge (`worker/twilio/`), outcome reporting (`worker/runtime/reporter.py`, `lease.py`) and
the log filter and masking rule (`worker/logs.py`, `worker/redaction.py`), and runs the fast
tests without the engine that cover each mutated function. It works in `mutants/` (ignored by
git); a second run only re-tests what changed. This prints, per module, how many mutants the
tests killed, how many survived or timed out, and lists the survivors (`mutmut show NAME` shows
one). It runs at low CPU priority: the machine is shared. Not part of CI: it is far too slow for
that.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# `mutmut results --all true` prints "    <module>.<function>__mutmut_<n>: <status>"; methods
# are named "<module>.xǁ<Class>ǁ<method>__mutmut_<n>".
_RESULT = re.compile(r"^\s+(?P<name>[\w.ǁ]+__mutmut_\d+): (?P<status>.+)$")
COLUMNS = ("killed", "survived", "timeout", "no tests", "other")
TARGET_SURVIVING = 0.05


def parse_results(text: str) -> dict[str, str]:
    """Mutant name -> status, from `mutmut results --all true`."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _RESULT.match(line)
        if match:
            found[match["name"]] = match["status"].strip()
    return found


def module_of(mutant: str) -> str:
    return mutant.rsplit(".", 1)[0]


def tally(results: dict[str, str]) -> dict[str, Counter[str]]:
    """Per module, how many mutants ended in each column."""
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for mutant, status in results.items():
        column = status if status in COLUMNS else "other"
        by_module[module_of(mutant)][column] += 1
    return dict(by_module)


def report(results: dict[str, str]) -> tuple[str, float]:
    """The table (Markdown) and the share of tested mutants that survived."""
    by_module = tally(results)
    lines = [
        "| module | " + " | ".join(COLUMNS) + " | surviving |",
        "|---|" + "---:|" * (len(COLUMNS) + 1),
    ]
    total: Counter[str] = Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        lines.append(_row(module, counts))
    lines.append(_row("**all**", total))
    survivors = sorted(m for m, status in results.items() if status != "killed")
    if survivors:
        lines += ["", "Not killed:", *(f"- {m}: {results[m]}" for m in survivors)]
    return "\n".join(lines), _surviving(total)


def _surviving(counts: Counter[str]) -> float:
    # Timeouts count as killed, as mutmut counts them: the mutant made the tests hang.
    tested = sum(counts[c] for c in ("killed", "survived", "timeout"))
    return counts["survived"] / tested if tested else 0.0


def _row(label: str, counts: Counter[str]) -> str:
    cells = " | ".join(str(counts[c]) for c in COLUMNS)
    return f"| {label} | {cells} | {_surviving(counts):.1%} |"


def _mutmut(*args: str, **run: Any) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mutmut", *args]
    return subprocess.run(command, cwd=ROOT, text=True, check=False, **run)  # noqa: S603 (fixed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report-only", action="store_true", help="report the last run")
    parser.add_argument(
        "--max-children", type=int, default=2, help="mutants tested in parallel (default 2)"
    )
    options = parser.parse_args(argv)
    if not options.report_only:
        os.nice(10)  # inherited by mutmut and its test processes
        log = ROOT / "mutants" / "run.log"
        log.parent.mkdir(exist_ok=True)
        print(f"running mutmut; progress in {log}", flush=True)
        with log.open("w") as output:
            children = str(options.max_children)
            run = _mutmut(
                "run", "--max-children", children, stdout=output, stderr=subprocess.STDOUT
            )
        if run.returncode != 0:
            print(f"mutmut run failed ({run.returncode}): see {log}", file=sys.stderr)
            return run.returncode
    listed = _mutmut("results", "--all", "true", capture_output=True)
    results = parse_results(listed.stdout)
    if not results:
        print("no mutation results: run `python3 -m bench.mutation` first", file=sys.stderr)
        return 1
    table, surviving = report(results)
    print(table)
    verdict = "within" if surviving <= TARGET_SURVIVING else "above"
    print(f"\n{surviving:.1%} of tested mutants survived ({verdict} the 5% target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
