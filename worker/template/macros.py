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
from .macro_arguments import call_arguments
from .protocols import CallFrame, MacroState, Signature
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
    __slots__ = ("caller", "locals", "nested", "nested_names")

    def __init__(
        self,
        nested: Callable[..., str] | None,
        nested_names: tuple[str, ...],
        caller: CallFrame | None,
    ) -> None:
        self.locals: dict[str, Any] = {}
        self.nested = nested
        self.nested_names = nested_names  # the loop variables of the nested content (`; x, y`)
        self.caller = caller  # the frame the call was made in (None: the template itself)


# The frame of content outside any macro: no locals (a `<#local>` there is a syntax error).
TEMPLATE_LEVEL = Frame(None, (), None)


def call(
    state: MacroState,
    signature: Signature,
    body: Callable[[], str],
    nested: Callable[..., str] | None,
    node_id: int,
    *values: Any,
) -> str:
    try:
        return _run(state, signature, body, nested, node_id, *values)
    except Returned:
        # A function's `<#return value>` in this call's nested content ends this call (the
        # innermost running macro), not the function, as in FreeMarker; the function's
        # output, this call's included, is dropped anyway.
        return ""


def _run(
    state: MacroState,
    signature: Signature,
    body: Callable[[], str],
    nested: Callable[..., str] | None,
    node_id: int,
    *values: Any,
) -> str:
    name, declared, required, catch_all, names, loop_vars = signature
    charge(limits.WORK_PER_NODE * (len(values) + 1))
    if len(state.frames) >= MAX_MACRO_DEPTH:
        raise TemplateLimitFailure(f"Macro calls are nested more than {MAX_MACRO_DEPTH} deep")
    frame = Frame(nested, tuple(loop_vars), state.frames[-1] if state.frames else TEMPLATE_LEVEL)
    try:
        frame.locals.update(call_arguments(name, declared, catch_all, names, values))
        missing = [p for p, needed in zip(declared, required, strict=True) if needed]
        missing = [p for p in missing if frame.locals.get(p) is None]
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
        state.returning = False  # a `<#return>` leaves the innermost running macro only


def nested(state: MacroState, *values: Any) -> str:
    """The caller's nested content, run in the caller's frame (its locals, not ours), with
    its loop variables set to `values` by position. Values beyond the loop variables are
    dropped; a loop variable without a value (or a missing one) is not set, so the name means
    what it means around the call, as in FreeMarker."""
    charge(limits.WORK_PER_NODE * len(values))
    frame = state.frames[-1]
    if frame.nested is None:
        return ""
    given: dict[str, Any] = {}
    for loop_var, value in zip(frame.nested_names, values, strict=False):
        given[loop_var] = None if isinstance(value, Missing) else value  # the last one wins
    loop_values = [given.get(loop_var) for loop_var in dict.fromkeys(frame.nested_names)]
    state.frames.append(frame.caller or TEMPLATE_LEVEL)
    try:
        return str(frame.nested(*loop_values))
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
    signature: Signature,
    body: Callable[[], str],
    node_id: int,
    *values: Any,
) -> Any:
    """A `<#function>`'s value: what its `<#return>` gives, else a missing value. Its
    output is dropped, as FreeMarker does."""
    try:
        _run(state, signature, body, None, node_id, *values)
    except Returned as returned:
        value = returned.value
        return Missing(node_id) if value is None else value
    return Missing(node_id)


def give_back(state: MacroState, value: Any) -> str:
    raise Returned(value)


def leave_macro(state: MacroState) -> str:
    """A macro's `<#return>`: the compiled code then breaks out of every loop and held block
    up to the macro's body (see `compile_macros.control`), which the flag tells it to do."""
    state.returning = True
    return ""


def is_returning(state: MacroState) -> bool:
    return state.returning


def given_or(value: Any, fallback: Any) -> Any:
    """A loop variable of nested content: the value `<#nested>` gave it, else (none given, or
    a missing one) what its name means around the call."""
    return fallback if value is None else value
