"""The operations compiled templates call: lookups, operators, printing, loops and assignment.

They are registered as the sandbox's only filters. Each value operation exists twice: strict
(a missing operand is an error, FreeMarker's default) and lenient (a missing operand is passed
on, used inside `(...)!default` and `(...)??`, which catch missing values anywhere inside).
The last argument of every operation is the id of the template node it evaluates, so errors
can name the expression and its position.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from . import held_output, lambdas, limits, listing, macros, numbers, special_variables
from .budget import RenderBudget
from .builtins import TAKES_MISSING
from .failures import TemplateDataFailure, TemplateFailure, TemplateLimitFailure
from .operators import VALUE_OPERATIONS
from .protocols import CallFrame
from .ranges import RangeValue, slice_value
from .switching import SWITCH_FILTERS
from .values import (
    EmptyDefault,
    FalsyMissing,
    Missing,
    as_boolean,
    require_number,
    require_sequence,
    to_text,
    type_name,
)


class RenderState:
    """Per-render mutable state: `<#assign>`ed variables, loop iterations and the budget."""

    __slots__ = (
        "assigned",
        "budget",
        "buffered",
        "data",
        "frames",
        "globals",
        "iterations",
        "returning",
    )

    def __init__(self, data: Mapping[str, Any], budget: RenderBudget) -> None:
        self.data = data
        self.assigned: dict[str, Any] = {}
        self.globals: dict[str, Any] = {}  # `<#global>`: found after `assigned`, before data
        self.iterations = 0
        self.budget = budget
        # Characters held back by <#attempt>/<#compress> bodies now running (see `buffer`).
        self.buffered = 0
        # The macro calls now running, innermost last.
        self.frames: list[CallFrame] = []
        self.returning = False  # a macro's `<#return>` is leaving (see `macros.leave_macro`)

    def spend_iteration(self, nodes_in_body: int) -> None:
        """One more loop iteration, paid in advance for every node of the loop's body."""
        self.iterations += 1
        if self.iterations > limits.MAX_LOOP_ITERATIONS:
            raise TemplateLimitFailure(
                f"Loops ran more than {limits.MAX_LOOP_ITERATIONS:,} iterations in total"
            )
        self.budget.charge((nodes_in_body + 1) * limits.WORK_PER_NODE)
        self.budget.check_time()


# ---- statement-level operations (always strict) ----


def lookup_variable(state: RenderState, name: str, node_id: int) -> Any:
    value = state.frames[-1].locals.get(name) if state.frames else None
    if value is None:
        value = state.assigned.get(name)
    if value is None:
        value = state.globals.get(name)
    if value is None:
        value = state.data.get(name)
    return Missing(node_id) if value is None else value


def assigned_variable(state: RenderState, name: str, node_id: int, scope: str) -> Any:
    """The current value for `+=`, `++`...: only what the template assigned counts (with
    `<#assign>`, `<#global>` or `<#local>`, each reading its own)."""
    if scope == "local":
        value = state.frames[-1].locals.get(name)
    else:
        value = (state.globals if scope == "global" else state.assigned).get(name)
    if value is None:
        message = f"{name} must be assigned by the template before it can be updated"
        raise TemplateDataFailure(message, node_id=node_id)
    return value


def loop_variable(value: Any, node_id: int) -> Any:
    return Missing(node_id) if value is None else value


def assign(state: RenderState, name: str, value: Any, node_id: int, scope: str) -> str:
    if isinstance(value, Missing):
        raise value.failure()
    if scope == "local":
        state.frames[-1].locals[name] = value
    else:
        (state.globals if scope == "global" else state.assigned)[name] = value
    return ""


def print_value(value: Any, node_id: int) -> str:
    if isinstance(value, Missing):
        raise value.failure()
    try:
        return to_text(value)
    except TemplateFailure as failure:
        raise failure.located_at(node_id) from None


def require_boolean(value: Any, node_id: int) -> bool:
    if isinstance(value, Missing):
        raise value.failure()
    value = as_boolean(value)
    if not isinstance(value, bool):
        message = f"Expected a boolean (true/false), but this evaluated to a {type_name(value)}"
        raise TemplateDataFailure(message, node_id=node_id)
    return value


def lenient_boolean(value: Any, node_id: int, falsy_missing: bool) -> Any:
    """An operand of `&&` (falsy_missing) or `||` inside `(...)!default`: a missing value
    passes on as such, and jinja's and/or then return it, as FreeMarker's error would have
    reached the default."""
    if isinstance(value, Missing):
        return (FalsyMissing if falsy_missing else Missing)(value.node_id)
    return require_boolean(value, node_id)


def exists(value: Any) -> bool:
    return not isinstance(value, Missing)


def has_content(value: Any) -> bool:
    if isinstance(value, Missing) or value is None:
        return False
    if getattr(value, "unlisted", False) or getattr(value, "is_macro", False):
        return not getattr(value, "is_macro", False)  # `.vars`/`.globals`: yes; `.pass`: no
    if isinstance(value, (str, list, tuple, RangeValue, Mapping)):
        return len(value) > 0
    return True


# ---- lookups ----


def dot(target: Any, key: str, node_id: int, strict: bool) -> Any:
    if isinstance(target, Missing):
        if strict:
            raise target.failure()
        return target
    if isinstance(target, Mapping):
        value = target.get(key)  # dict keys only: never a Python attribute
        return Missing(node_id) if value is None else value
    if isinstance(target, EmptyDefault):
        return Missing(node_id)
    message = f"Can't read .{key}: expected a hash, but this evaluated to a {type_name(target)}"
    raise TemplateDataFailure(message, node_id=node_id)


def index(target: Any, key: Any, node_id: int, strict: bool) -> Any:
    for operand in (target, key):
        if isinstance(operand, Missing):
            if strict:
                raise operand.failure()
            return operand
    try:
        if isinstance(key, str):
            return dot(target, key, node_id, strict)
        if isinstance(key, RangeValue):
            sliced = target if isinstance(target, (list, tuple)) else to_text(target)
            return slice_value(sliced, key)
        # FreeMarker takes the key's Java intValue(): 1.7 -> 1, Infinity -> 2^31-1, NaN -> 0.
        position = numbers.java_int(require_number(key))
        if not isinstance(target, (list, tuple, RangeValue, EmptyDefault)):
            # FreeMarker indexes anything else as its text; past the end is an error there
            # (unlike a sequence, where it is a missing value).
            text = to_text(target)
            if not 0 <= position < len(text):
                raise TemplateDataFailure(f"String index {position} is out of range")
            return text[position]
        items = require_sequence(target)
        value = None
        if position >= 0:  # reads no further than `position` of a lazily computed sequence
            with contextlib.suppress(IndexError):
                value = items[position]
        return Missing(node_id) if value is None else value
    except TemplateFailure as failure:
        raise failure.located_at(node_id) from None


def _strict(operation: Callable[..., Any]) -> Callable[..., Any]:
    def run(*arguments: Any) -> Any:
        *operands, node_id = arguments
        for operand in operands:
            if isinstance(operand, Missing):
                raise operand.failure()
        try:
            result = operation(*operands)
        except TemplateFailure as failure:
            raise failure.located_at(node_id) from None
        except (TypeError, ValueError, ArithmeticError, LookupError) as error:
            raise _unexpected(error, node_id) from None
        return Missing(node_id) if result is None else result  # `?min` of an empty sequence

    return run


def _taking_missing(operation: Callable[[Any], Any]) -> Callable[[Any, int], Any]:
    """A built-in that takes a missing target (`TAKES_MISSING`), strict or lenient alike."""

    def run(value: Any, node_id: int) -> Any:
        try:
            result = operation(value)
        except TemplateFailure as failure:
            raise failure.located_at(node_id) from None
        return Missing(node_id) if result is None else result

    return run


def _unexpected(error: Exception, node_id: int) -> TemplateDataFailure:
    """A value or argument of a type an operation did not expect, found the hard way: still a
    template error, with the expression and its position, never an internal one."""
    return TemplateDataFailure(
        f"A value or argument has the wrong type here ({type(error).__name__})", node_id=node_id
    )


def _lenient(operation: Callable[..., Any]) -> Callable[..., Any]:
    def run(*arguments: Any) -> Any:
        *operands, node_id = arguments
        for operand in operands:
            if isinstance(operand, Missing):
                return operand
        try:
            result = operation(*operands)
        except TemplateFailure as failure:
            raise failure.located_at(node_id) from None
        except (TypeError, ValueError, ArithmeticError, LookupError) as error:
            raise _unexpected(error, node_id) from None
        return Missing(node_id) if result is None else result  # `?min` of an empty sequence

    return run


def build_filters() -> dict[str, Callable[..., Any]]:
    """The complete filter whitelist of the sandbox, by the names the compiler emits."""
    filters: dict[str, Callable[..., Any]] = {
        "ftl_decimal": Decimal,
        "ftl_var": lookup_variable,
        "ftl_special": special_variables.value,
        "ftl_special_vars": special_variables.variables,
        "ftl_recovered_error": special_variables.recovered_error,
        "ftl_stream": lambdas.stream,
        "ftl_lambda_result": lambdas.lambda_result,
        "ftl_assigned": assigned_variable,
        "ftl_loop_var": loop_variable,
        "ftl_assign": assign,
        "ftl_buffer": held_output.buffer,
        "ftl_attempt": held_output.attempt,
        "ftl_attempt_failed": held_output.attempt_failed,
        "ftl_compress": held_output.compress,
        "ftl_call_macro": macros.call,
        "ftl_nested": macros.nested,
        "ftl_has_local": macros.has_local,
        "ftl_set_default": macros.set_default,
        "ftl_charge_nodes": macros.charge_nodes,
        "ftl_call_function": macros.call_function,
        "ftl_return": macros.give_back,
        "ftl_leave_macro": macros.leave_macro,
        "ftl_returning": macros.is_returning,
        "ftl_given_or": macros.given_or,
        "ftl_print": print_value,
        "ftl_bool": require_boolean,
        "ftl_bool_lenient": lenient_boolean,
        "ftl_iterate": listing.iterate,
        "ftl_iterate_pairs": listing.iterate_pairs,
        "ftl_listable": listing.listable,
        "ftl_nonempty": listing.is_nonempty,
        "ftl_loop_state": listing.loop_state,
        "ftl_item_cycle": listing.item_cycle,
        "ftl_exists": exists,
        "ftl_has_content": has_content,
        "ftl_dot": dot,
        "ftl_index": index,
    }
    for name, operation in VALUE_OPERATIONS.items():
        if name.removeprefix("bi_") in TAKES_MISSING:
            filters[f"ftl_{name}"] = filters[f"ftl_{name}_lenient"] = _taking_missing(operation)
        else:
            filters[f"ftl_{name}"] = _strict(operation)
            filters[f"ftl_{name}_lenient"] = _lenient(operation)
    return filters | SWITCH_FILTERS
