"""Compiles macros (see `macros` for what runs): every `<#macro>` becomes a jinja macro
defined before the template's first statement, so calls before the definition work, as
in FreeMarker. A body runs in a one-pass loop, so `<#return>` is a `break` out of it."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable

from jinja2 import nodes

from . import syntax
from .compile_expressions import STATE, ExpressionCompiler

# The statement compiler's `block` (`compiler.Compiler`, which imports this module): compiles
# a macro's body or a call's nested content.
BlockCompiler = Callable[[tuple[syntax.Statement, ...]], list[nodes.Node]]

_EXPRESSIONS = typing.get_args(syntax.Expr)


def definitions(body: tuple[syntax.Statement, ...]) -> dict[str, syntax.MacroDefinition]:
    """Every macro defined anywhere in the template, in document order: a later definition
    of a name wins."""
    found: dict[str, syntax.MacroDefinition] = {}
    stack: list[object] = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(reversed(item))
        elif isinstance(item, syntax.MacroDefinition):
            found[item.name] = item  # macros can't nest: no need to look inside
        elif isinstance(item, _EXPRESSIONS):
            continue  # no statement inside: not worth walking (compile time)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in reversed(dataclasses.fields(item)))
    return found


def define(
    compiler: ExpressionCompiler, block: BlockCompiler, macro: syntax.MacroDefinition, name: str
) -> nodes.Macro:
    saved = compiler.loops, compiler.breakables, compiler.buffering
    compiler.loops, compiler.breakables, compiler.buffering = [], ["macro"], 1
    state = nodes.Name(STATE, "load")
    body: list[nodes.Node] = []
    nodes_before = len(compiler.node_infos)
    for param, default in zip(macro.params, macro.defaults, strict=True):
        if default is not None:  # evaluated in the macro's frame, only when not given
            given = compiler.call(state, "ftl_has_local", nodes.Const(param))
            value = nodes.CondExpr(given, nodes.Const(None), compiler.expr(default, strict=True))
            body.append(
                nodes.Output([compiler.call(state, "ftl_set_default", nodes.Const(param), value)])
            )
    body += block(macro.body)
    compiler.loops, compiler.breakables, compiler.buffering = saved
    body.insert(0, _charge(compiler, nodes_before))
    once = nodes.For(
        nodes.Name(compiler.fresh("once"), "store"),
        nodes.List([nodes.Const(0)]),
        body,
        [],
        None,
        False,
    )
    return nodes.Macro(name, [], [], [once])


def call(compiler: ExpressionCompiler, block: BlockCompiler, node: syntax.MacroCall) -> nodes.Node:
    node_id = compiler.register(node.span)
    state = nodes.Name(STATE, "load")
    macro = compiler.macros.get(node.name)
    if macro is None:
        message = nodes.Const(f"No macro named {node.name} is defined")
        failing = compiler.call(nodes.Const(""), "ftl_fail", message, node_id)
        return nodes.Output([failing])
    jinja_name, definition = macro
    if definition.is_function:
        message = nodes.Const(f"{node.name} is a function: call it as {node.name}(...)")
        return nodes.Output([compiler.call(nodes.Const(""), "ftl_fail", message, node_id)])
    held: list[nodes.Node] = []
    nested: nodes.Expr = nodes.Const(None)
    if node.body is not None:
        nested_name = compiler.fresh("nested")
        compiler.buffering += 1
        compiler.breakables.append("held")
        nodes_before = len(compiler.node_infos)
        content = block(node.body)
        content.insert(0, _charge(compiler, nodes_before))
        compiler.breakables.pop()
        compiler.buffering -= 1
        held.append(nodes.Macro(nested_name, [], [], content))
        nested = nodes.Name(nested_name, "load")
    required = [default is None for default in definition.defaults]
    output = compiler.call(
        state,
        "ftl_call_macro",
        nodes.Const((node.name, list(definition.params), required, list(node.names))),
        nodes.Name(jinja_name, "load"),
        nested,
        node_id,
        *(compiler.expr(arg, strict=False) for arg in node.args),
    )
    printed = _buffered(output) if compiler.buffering else output
    return nodes.Scope([*held, nodes.Output([printed])])


def function_call(compiler: ExpressionCompiler, node: syntax.FunctionCall) -> nodes.Expr:
    node_id = compiler.register(node.span)
    function = compiler.macros.get(node.name)
    if function is None or not function[1].is_function:
        what = "a macro" if function else "not a function the template defines"
        message = nodes.Const(f"{node.name or 'This'} is {what}: only functions can be called")
        return compiler.call(nodes.Const(""), "ftl_fail", message, node_id)
    jinja_name, definition = function
    required = [default is None for default in definition.defaults]
    return compiler.call(
        nodes.Name(STATE, "load"),
        "ftl_call_function",
        nodes.Const((node.name, list(definition.params), required, [])),
        nodes.Name(jinja_name, "load"),
        node_id,
        *(compiler.expr(arg, strict=False) for arg in node.args),
    )


def control(compiler: ExpressionCompiler, node: syntax.MacroControl) -> nodes.Node:
    if node.value is not None:  # a function's <#return value>: leaves from anywhere
        value = compiler.expr(node.value, strict=False)
        return nodes.Output([compiler.call(nodes.Name(STATE, "load"), "ftl_return", value)])
    if node.keyword == "return":
        if compiler.breakables[-1] != "macro":
            message = "<#return> inside a loop, switch or block of a macro is not supported"
            raise compiler.fail(message, node.span)
        return nodes.Break()
    output = compiler.call(nodes.Name(STATE, "load"), "ftl_nested")
    return nodes.Output([_buffered(output)])


def _charge(compiler: ExpressionCompiler, nodes_before: int) -> nodes.Output:
    """A body that may run many times (a macro's, nested content) pays for its nodes each
    time, as a loop's body does each iteration (see budget.py)."""
    count = nodes.Const(len(compiler.node_infos) - nodes_before + 1)
    return nodes.Output([compiler.call(nodes.Name(STATE, "load"), "ftl_charge_nodes", count)])


def _buffered(output: nodes.Expr) -> nodes.Expr:
    """Output of a macro's body or nested content, held until the call returns (as
    `Compiler.buffered`)."""
    return ExpressionCompiler.call(nodes.Name(STATE, "load"), "ftl_buffer", output)
