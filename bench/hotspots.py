"""`python -m bench.hotspots FILE...`: the functions a py-spy raw profile spends its samples in.

Inclusive: share of samples with the function anywhere on the stack; self: at the top.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path


def load(paths: list[Path]) -> tuple[Counter[str], Counter[str], int]:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack:
                continue
            count = int(count_text)
            # Thread-root frames (process, thread name) are the same everywhere: drop them.
            frames = [f for f in stack.split(";") if "(" in f]
            total += count
            for frame in set(frames):
                inclusive[frame] += count
            if frames:
                own[frames[-1]] += count
    return inclusive, own, total


def main(argv: list[str]) -> int:
    top = 30
    inclusive, own, total = load([Path(a) for a in argv])
    if total == 0:
        print("no samples")
        return 1
    print(f"{total} samples")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n-- {title} --")
        for frame, count in counter.most_common(top):
            print(f"{100 * count / total:5.1f}%  {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
