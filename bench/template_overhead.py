"""What the render budget costs on normal templates: this tree against a baseline commit,
side by side, on the realistic corpus of the differential test (tests/template).

`python -m bench.template_overhead [--baseline REF] [--rounds N]` extracts `worker/` of REF
(default: the commit before the budget) into a temporary folder and times, in alternating
child processes of the same interpreter, (a) rendering every corpus template with its
metadata from a warm cache and (b) compiling every template cold. CPU seconds (process
time) per round; the table gives the medians and the ratio ours / baseline.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "3c4f038"  # main before issue 12's template work

_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
from tests.template import corpus_realistic
from worker.template import engine, render
from worker.errors import ConnectorError
cases = corpus_realistic.cases()
def render_all():
    for template, metadata in cases:
        try:
            render(template, metadata)
        except ConnectorError:
            pass
def compile_all():
    # The baseline caches with lru_cache (compile through __wrapped__), ours in _CACHE.
    cold = getattr(engine.compile_template, "__wrapped__", None)
    for template, _ in cases:
        if cold is None:
            engine._CACHE.clear()
        try:
            (cold or engine.compile_template)(template)
        except ConnectorError:
            pass
        except Exception:  # a template failure class, before translation
            pass
render_all()  # warm: every template compiled and cached
start = time.process_time()
for _ in range(int(sys.argv[3])):
    render_all()
renders = time.process_time() - start
start = time.process_time()
compile_all()
compiles = time.process_time() - start
print(json.dumps({"render": renders, "compile": compiles, "templates": len(cases)}))
"""


def _measure(worker_root: Path, repeats: int) -> dict[str, float]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _CHILD, str(worker_root), str(ROOT), str(repeats)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=20, help="corpus renders per round")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(  # noqa: S603
            ["git", "archive", options.baseline, "worker"],  # noqa: S607
            capture_output=True,
            check=True,
            cwd=ROOT,
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)  # noqa: S603,S607
        trees = {"baseline": Path(folder), "ours": ROOT}
        rounds: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for _ in range(options.rounds):
            for name, tree in trees.items():
                rounds[name].append(_measure(tree, options.repeats))
    templates = int(rounds["ours"][0]["templates"])
    print(f"{templates} realistic templates; medians of {options.rounds} rounds (CPU s)")
    print("| what | baseline | ours | ratio |")
    print("|---|---|---|---|")
    for what, label in (
        ("render", f"render all, {options.repeats} times (warm cache)"),
        ("compile", "compile all (cold)"),
    ):
        base = statistics.median(r[what] for r in rounds["baseline"])
        ours = statistics.median(r[what] for r in rounds["ours"])
        print(f"| {label} | {base:.3f} | {ours:.3f} | {ours / base:.2f} |")


if __name__ == "__main__":
    main()
