"""Macro calls at render time: each call runs the macro's compiled body (a jinja macro) in a
frame of its own holding its parameters and `<#local>` variables; `<#nested>` runs the
caller's nested content back in the caller's frame. Output is held until the call returns,
counted like the output of `<#attempt>` (see `held_output`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import limits
from .budget import charge
from .failures import TemplateDataFailure, TemplateFailure, TemplateLimitFailure
from .protocols import CallFrame, MacroState
from .values import Missing

# Macro calls nested in one another (recursion included): each is a few Python frames deep.
MAX_MACRO_DEPTH = 24


class Returned(Exception):
    """`<#return value>` in a function: leaves the body wherever it is (its output is
    dropped anyway); never a TemplateFailure, so `<#attempt>` lets it pass."""

    def __init__(self, value: Any) -> None:
        super().__init__("return")
        self.value = value


class Frame:
    __slots__ = ("caller", "locals", "nested")

    def __init__(self, nested: Callable[[], str] | None, caller: CallFrame | None) -> None:
        self.locals: dict[str, Any] = {}
        self.nested = nested
        self.caller = caller  # the frame the call was made in (None: the template itself)


# The frame of content outside any macro: no locals (a `<#local>` there is a syntax error).
TEMPLATE_LEVEL = Frame(None, None)


def call(
    state: MacroState,
    signature: tuple[str, list[str], list[bool], list[str]],
    body: Callable[[], str],
    nested: Callable[[], str] | None,
    node_id: int,
    *values: Any,
) -> str:
    """`signature`: the macro's name, its parameters, which of them need a value, and the
    names the call gives its values by (none: by position)."""
    name, declared, required, names = signature
    charge(limits.WORK_PER_NODE * (len(values) + 1))
    if len(state.frames) >= MAX_MACRO_DEPTH:
        raise TemplateLimitFailure(f"Macro calls are nested more than {MAX_MACRO_DEPTH} deep")
    frame = Frame(nested, state.frames[-1] if state.frames else TEMPLATE_LEVEL)
    try:
        frame.locals.update(_arguments(name, declared, names, values))
        missing = [p for p, needed in zip(declared, required, strict=True) if needed]
        missing = [p for p in missing if p not in frame.locals]
        if missing:
            raise TemplateDataFailure(f"Macro {name} needs a value for {', '.join(missing)}")
    except TemplateFailure as failure:
        raise failure.located_at(node_id) from None
    state.frames.append(frame)
    held = state.buffered
    try:
        return str(body())
    finally:
        state.frames.pop()
        state.buffered = held


def _arguments(
    name: str, declared: list[str], names: list[str], values: tuple[Any, ...]
) -> dict[str, Any]:
    if not names and len(values) > len(declared):
        raise TemplateDataFailure(f"Macro {name} takes at most {len(declared)} argument(s)")
    keys = names or declared[: len(values)]
    arguments = {}
    for key, value in zip(keys, values, strict=True):
        if key not in declared:
            raise TemplateDataFailure(f"Macro {name} has no parameter {key}")
        if isinstance(value, Missing):
            raise TemplateDataFailure(f"The value given for {key} of macro {name} is missing")
        arguments[key] = value
    return arguments


def nested(state: MacroState) -> str:
    """The caller's nested content, run in the caller's frame (its locals, not ours)."""
    frame = state.frames[-1]
    if frame.nested is None:
        return ""
    state.frames.append(frame.caller or TEMPLATE_LEVEL)
    try:
        return str(frame.nested())
    finally:
        state.frames.pop()


def has_local(state: MacroState, name: str) -> bool:
    return name in state.frames[-1].locals


def set_default(state: MacroState, name: str, value: Any) -> str:
    """A parameter's default, evaluated (in the macro's frame) only when no value was given."""
    if value is not None:
        if isinstance(value, Missing):
            raise value.failure()
        state.frames[-1].locals[name] = value
    return ""


def charge_nodes(state: MacroState, count: int) -> str:
    state.budget.charge(count * limits.WORK_PER_NODE)
    return ""


def call_function(
    state: MacroState,
    signature: tuple[str, list[str], list[bool], list[str]],
    body: Callable[[], str],
    node_id: int,
    *values: Any,
) -> Any:
    """A `<#function>`'s value: what its `<#return>` gives, else a missing value. Its
    output is dropped, as FreeMarker does."""
    try:
        call(state, signature, body, None, node_id, *values)
    except Returned as returned:
        value = returned.value
        return Missing(node_id) if value is None else value
    return Missing(node_id)


def give_back(state: MacroState, value: Any) -> str:
    raise Returned(value)
