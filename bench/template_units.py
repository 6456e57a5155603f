"""How much of the render budget normal templates spend: units per render over the realistic
corpus of the differential test (tests/template), the figure the README quotes.

`python -m bench.template_units` renders each corpus template with its metadata under a budget
it can read afterwards, and prints the largest, the 90th percentile and the median. Units are
counted, not timed, so the figures do not depend on the machine's load.
"""

from __future__ import annotations

import contextlib
import statistics

from tests.template import corpus_realistic
from worker.template import engine
from worker.template.budget import RenderBudget
from worker.template.failures import TemplateFailure
from worker.template.limits import MAX_RENDER_WORK


def units_of(source: str, metadata: dict[str, object]) -> int:
    """Units one render of `source` spends."""
    budget = RenderBudget(lambda: 0.0)
    # The corpus holds templates that fail on purpose: they count what they spent until then.
    with contextlib.suppress(TemplateFailure):
        engine.compile_template(source).render(metadata, lambda: 0.0, budget=budget)
    return budget.spent


def main() -> None:
    spent = sorted(units_of(source, metadata) for source, metadata in corpus_realistic.cases())
    p90 = spent[int(len(spent) * 0.9)]
    print(
        f"{len(spent)} realistic templates: largest {spent[-1]:,} units "
        f"({spent[-1] / MAX_RENDER_WORK:.3%} of the budget), 90th percentile {p90:,}, "
        f"median {statistics.median(spent):,.0f}"
    )


if __name__ == "__main__":
    main()
