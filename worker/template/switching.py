"""The running side of `value?switch(case1, result1, ..., [default])`, compiled to a jinja
macro of the value (compile_switch.py) that tests the cases in order with `==` and evaluates
only the result chosen, as FreeMarker does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import limits
from .budget import charge
from .failures import MissingValueFailure, TemplateDataFailure
from .operators import compare
from .values import Missing


def switch_matches(value: Any, case: Any, node_id: int) -> bool:
    if isinstance(case, Missing):
        raise case.failure()
    charge(limits.WORK_PER_NODE)  # a comparison is a few Python calls
    try:
        return compare(value, case, "==")
    except TemplateDataFailure as failure:
        raise failure.located_at(node_id) from None


def switch_unmatched(value: Any, node_id: int) -> Any:
    raise TemplateDataFailure(
        "The value before ?switch(case1, value1, ...) matched none of the cases, and there is "
        "no default value (a last, unpaired argument)",
        node_id=node_id,
    )


def switch(value: Any, strict: bool, chooser: Any, node_id: int) -> Any:
    """Runs the compiled chooser on `value`. Inside `(...)!default` (not `strict`) a missing
    value anywhere, before `?switch`, in a case tested or the result chosen, makes the whole
    missing, as in FreeMarker."""
    if isinstance(value, Missing):
        if strict:
            raise value.failure()
        return value
    box: list[Any] = []
    try:
        chooser(value, box)
    except MissingValueFailure:
        if strict:
            raise
        return Missing(node_id)
    result = box[0]
    if isinstance(result, Missing) and strict:
        raise result.failure()
    return result


SWITCH_FILTERS: dict[str, Callable[..., Any]] = {
    "ftl_switch": switch,
    "ftl_switch_matches": switch_matches,
    "ftl_switch_unmatched": switch_unmatched,
}
