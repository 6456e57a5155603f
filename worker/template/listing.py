"""What `<#list>` does while rendering: the items of a sequence or hash, each iteration paid
for (and counted against the loop limit) before it runs, and the loop variables' built-ins."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .budget import charge
from .failures import TemplateFailure
from .protocols import IteratingState
from .values import Missing, require_hash, require_sequence


def iterate(state: IteratingState, source: Any, node_id: int, body_nodes: int) -> Iterator[Any]:
    return _spending(state, listable(source, False, node_id), node_id, body_nodes)


def iterate_pairs(
    state: IteratingState, source: Any, node_id: int, body_nodes: int
) -> Iterator[Any]:
    return _spending(state, listable(source, True, node_id), node_id, body_nodes)


def _spending(state: IteratingState, items: Any, node_id: int, body_nodes: int) -> Iterator[Any]:
    for item in items:
        try:
            state.spend_iteration(body_nodes)
        except TemplateFailure as failure:
            raise failure.located_at(node_id) from None
        yield item


def listable(source: Any, pairs: bool, node_id: int) -> Any:
    if isinstance(source, Missing):
        raise source.failure()
    try:
        items = list(require_hash(source).items()) if pairs else require_sequence(source)
        charge(len(items) if pairs else 1)
        return items
    except TemplateFailure as failure:
        raise failure.located_at(node_id) from None


def is_nonempty(items: Any) -> bool:
    return len(items) > 0


def loop_state(loop: Any, what: str) -> Any:
    states: dict[str, Callable[[], Any]] = {
        "index": lambda: loop.index0,
        "counter": lambda: loop.index,
        "has_next": lambda: not loop.last,
        "is_first": lambda: loop.first,
        "is_last": lambda: loop.last,
        "item_parity": lambda: "odd" if loop.index % 2 else "even",
        "item_parity_cap": lambda: "Odd" if loop.index % 2 else "Even",
        "is_odd_item": lambda: loop.index % 2 == 1,
        "is_even_item": lambda: loop.index % 2 == 0,
    }
    return states[what]()


def item_cycle(loop: Any, *choices: Any) -> Any:
    return choices[loop.index0 % len(choices)]
