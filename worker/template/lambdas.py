"""The stream built-ins at render time: `?filter`, `?map`, `?take_while`, `?drop_while`.

The function is a compiled lambda (a jinja macro whose body puts its value in a box it is given)
or a `<#function>` the template defines. Each element evaluated pays for the function's nodes
(see budget.py). As in FreeMarker, the result is computed on demand when the consumer allows
it (`lazy`: `<#list>`, `?first`, `?seq_contains`, another stream built-in...), so an error in
an element nobody reads never happens; otherwise it is computed at once, as a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from . import limits, macros
from .budget import charge
from .failures import TemplateDataFailure, TemplateFailure, TemplateLimitFailure
from .protocols import MacroState, Signature
from .ranges import RangeValue
from .values import EmptyDefault, Missing, as_boolean, type_name, wrong_type


class LazySequence(list):  # type: ignore[type-arg]
    """Items produced on demand and kept (in the list itself): iterating, indexing or a
    truth test computes only what is read; the length computes them all. Only the lazy
    consumers listed in `parse_lambdas` ever receive one, and they read it through these
    methods (never C-level list internals before the length)."""

    __slots__ = ("_size", "_source")

    def __init__(self, source: Iterator[Any], size: int | None = None) -> None:
        super().__init__()
        self._source: Iterator[Any] | None = source
        self._size = size  # known without computing the items (`?map` of a sized sequence)

    def _fill(self, count: int) -> None:
        while self._source is not None and list.__len__(self) < count:
            item = next(self._source, _END)
            if item is _END:
                self._source = None
            elif list.__len__(self) >= limits.MAX_SEQUENCE_ITEMS:
                raise TemplateLimitFailure(
                    f"A sequence would exceed {limits.MAX_SEQUENCE_ITEMS:,} items"
                )
            else:
                self.append(item)

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, int) and position >= 0:
            self._fill(position + 1)
        else:
            self._fill(limits.MAX_SEQUENCE_ITEMS + 1)
        return list.__getitem__(self, position)

    def __iter__(self) -> Iterator[Any]:
        at = 0
        while True:
            self._fill(at + 1)
            if at >= list.__len__(self):
                return
            yield list.__getitem__(self, at)
            at += 1

    def __len__(self) -> int:
        if self._size is not None:
            return self._size
        self._fill(limits.MAX_SEQUENCE_ITEMS + 1)
        return list.__len__(self)

    def __bool__(self) -> bool:
        if self._size is not None:
            return self._size > 0
        self._fill(1)
        return list.__len__(self) > 0


_END = object()


def stream(
    target: Any,
    state: MacroState,
    spec: tuple[str, bool, int, Signature | None, bool],
    function: Any,
    node_id: int,
) -> Any:
    """`spec`: the built-in's name, whether lazy, the function's node count, the signature
    when `function` is a `<#function>` (None: a lambda, or a value that is no function), and
    whether strict (else a missing target is passed on, inside `(...)!default`)."""
    name, lazy, nodes_in_function, signature, strict = spec
    if isinstance(target, Missing):
        if strict:
            raise target.failure()
        return target
    try:
        items = _items(target, name)
        apply = _applier(state, function, signature, nodes_in_function, node_id)
        produced = _PRODUCERS[name](items, apply, name)
        if lazy:  # as FreeMarker, `?map` of a sequence knows its size without mapping
            return LazySequence(produced, _known_size(target) if name == "map" else None)
        result: list[Any] = []
        for item in produced:
            if len(result) >= limits.MAX_SEQUENCE_ITEMS:
                raise TemplateLimitFailure(
                    f"A sequence would exceed {limits.MAX_SEQUENCE_ITEMS:,} items"
                )
            result.append(item)
        return result
    except TemplateFailure as failure:
        raise failure.located_at(node_id) from None


def _known_size(target: Any) -> int | None:
    if isinstance(target, LazySequence):
        return target._size
    if isinstance(target, (list, tuple, RangeValue)):
        return len(target.listable() if isinstance(target, RangeValue) else target)
    return None


def _items(target: Any, name: str) -> Iterator[Any]:
    if isinstance(target, RangeValue):
        return iter(target.listable())
    if isinstance(target, (list, tuple)):
        return iter(target)
    if isinstance(target, EmptyDefault):  # FreeMarker's empty default `x!`
        return iter(())
    raise wrong_type(f"sequence (for ?{name})", target)


def _applier(
    state: MacroState,
    function: Any,
    signature: Signature | None,
    nodes_in_function: int,
    node_id: int,
) -> Callable[[Any], Any]:
    cost = (nodes_in_function + 1) * limits.WORK_PER_NODE
    if signature is not None:

        def call_function(item: Any) -> Any:
            charge(cost)
            given = Missing(node_id) if item is None else item
            return macros.call_function(state, signature, function, node_id, given)

        return call_function
    if not callable(function) or isinstance(function, (str, Missing)):
        if isinstance(function, Missing):
            raise function.failure()
        raise TemplateDataFailure(
            f"Expected a function or lambda, but this evaluated to a {type_name(function)}"
        )

    def call_lambda(item: Any) -> Any:
        charge(cost)
        box: list[Any] = []
        function(item, box)
        return box[0]

    return call_lambda


def _matches(apply: Callable[[Any], Any], item: Any) -> bool:
    result = as_boolean(apply(item))  # a `?matches` result counts as its whole-string match
    if isinstance(result, Missing) or result is None:
        raise TemplateDataFailure("The filter expression has returned no value, not a boolean")
    if not isinstance(result, bool):
        raise TemplateDataFailure(
            f"The filter expression must return a boolean, but returned a {type_name(result)}"
        )
    return result


def _filter(items: Iterator[Any], apply: Callable[[Any], Any], name: str) -> Iterator[Any]:
    for item in items:
        if _matches(apply, item):
            yield item


def _map(items: Iterator[Any], apply: Callable[[Any], Any], name: str) -> Iterator[Any]:
    for item in items:
        result = apply(item)
        if isinstance(result, Missing) or result is None:
            raise TemplateDataFailure("The ?map function has returned no value")
        yield result


def _take_while(items: Iterator[Any], apply: Callable[[Any], Any], name: str) -> Iterator[Any]:
    for item in items:
        if not _matches(apply, item):
            return
        yield item


def _drop_while(items: Iterator[Any], apply: Callable[[Any], Any], name: str) -> Iterator[Any]:
    for item in items:
        if not _matches(apply, item):
            yield item
            break
    for item in items:
        charge(1)
        yield item


_PRODUCERS: dict[str, Callable[[Iterator[Any], Callable[[Any], Any], str], Iterator[Any]]] = {
    "filter": _filter,
    "map": _map,
    "take_while": _take_while,
    "drop_while": _drop_while,
}


def lambda_result(box: list[Any], value: Any) -> str:
    """The end of a compiled lambda's body: hands its value back to `stream` in `box`."""
    box.append(value)
    return ""
