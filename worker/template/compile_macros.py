"""Compiles macros (see `macros` for what runs): every `<#macro>` becomes a jinja macro
defined before the template's first statement, so calls before the definition work, as
in FreeMarker. A body runs in a one-pass loop: `<#return>` sets the render's returning flag
and breaks out, and after each statement that may hold one, a check breaks out of the loop
around it, and so on up to the body's (see `one_pass`)."""

from __future__ import annotations

import dataclasses
import typing

from jinja2 import nodes

from . import statements, syntax
from .compile_expressions import STATE, ExpressionCompiler, LoopScope
from .protocols import BlockCompiler, Signature

_EXPRESSIONS = typing.get_args(syntax.Expr)


def definitions(body: tuple[statements.Statement, ...]) -> dict[str, statements.MacroDefinition]:
    """Every macro defined anywhere in the template, in document order: a later definition
    of a name wins."""
    found: dict[str, statements.MacroDefinition] = {}
    stack: list[object] = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(reversed(item))
        elif isinstance(item, statements.MacroDefinition):
            found[item.name] = item  # macros can't nest: no need to look inside
        elif isinstance(item, _EXPRESSIONS):
            continue  # no statement inside: not worth walking (compile time)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in reversed(dataclasses.fields(item)))
    return found


def define(
    compiler: ExpressionCompiler, block: BlockCompiler, macro: statements.MacroDefinition, name: str
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
    return nodes.Macro(name, [], [], [one_pass(compiler, body)])


def one_pass(compiler: ExpressionCompiler, body: list[nodes.Node]) -> nodes.For:
    """`body` in a loop that runs once, so that a `<#return>` inside can leave it by breaking
    out (of this loop and of every loop inside)."""
    once = nodes.Name(compiler.fresh("once"), "store")
    return nodes.For(once, nodes.List([nodes.Const(0)]), body, [], None, False)


def leave_if_returning() -> nodes.If:
    """After a statement that may have run a macro's `<#return>` (or nested content that
    did): leave the loop around it, up to the macro's body (see `one_pass`)."""
    returning = ExpressionCompiler.call(nodes.Name(STATE, "load"), "ftl_returning")
    return nodes.If(returning, [nodes.Break()], [], [])


def call(
    compiler: ExpressionCompiler, block: BlockCompiler, node: statements.MacroCall
) -> nodes.Node:
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
        content = _nested_content(compiler, block, node)
        held.append(content)
        nested = nodes.Name(content.name, "load")
    output = compiler.call(
        state,
        "ftl_call_macro",
        _signature(definition, node.names, node.loop_vars),
        nodes.Name(jinja_name, "load"),
        nested,
        node_id,
        # As in FreeMarker, an argument that is a missing variable is no error (its parameter
        # takes the default), but one missing inside (`a.b` of a missing `a`) is.
        *(compiler.expr(arg, strict=True) for arg in node.args),
    )
    printed = _buffered(output) if compiler.buffering else output
    return nodes.Scope([*held, nodes.Output([printed])])


def _nested_content(
    compiler: ExpressionCompiler, block: BlockCompiler, node: statements.MacroCall
) -> nodes.Macro:
    """A jinja macro taking the content's loop variables (each name once), run by the
    called macro's `<#nested>` (see `macros.nested`)."""
    assert node.body is not None
    scope = LoopScope(compiler.fresh("nested"), None, compiler.fresh("unused"))
    scope.nested_content = True
    for loop_var in dict.fromkeys(node.loop_vars):
        scope.names[loop_var] = compiler.fresh("given")
    compiler.loops.append(scope)
    compiler.buffering += 1
    compiler.breakables.append("held")
    nodes_before, exits_before = len(compiler.node_infos), compiler.macro_exits
    content = block(node.body)
    content.insert(0, _charge(compiler, nodes_before))
    if compiler.macro_exits > exits_before:
        content = [one_pass(compiler, content)]
    compiler.breakables.pop()
    compiler.buffering -= 1
    compiler.loops.pop()
    params = [nodes.Name(name, "param") for name in scope.names.values()]
    return nodes.Macro(scope.item, params, [], content)


def _signature(
    definition: statements.MacroDefinition, names: tuple[str, ...], loop_vars: tuple[str, ...]
) -> nodes.Const:
    return nodes.Const(signature(definition, names, loop_vars))


def signature(
    definition: statements.MacroDefinition,
    names: tuple[str, ...] = (),
    loop_vars: tuple[str, ...] = (),
) -> Signature:
    """What `macros.call` needs to know of the macro and of the call."""
    required = [default is None for default in definition.defaults]
    params = list(definition.params)
    return (definition.name, params, required, definition.catch_all, list(names), list(loop_vars))


def function_call(
    compiler: ExpressionCompiler, node: syntax.FunctionCall, strict: bool
) -> nodes.Expr:
    node_id = compiler.register(node.span)
    function = compiler.macros.get(node.name)
    if function is None or not function[1].is_function:
        what = "a macro" if function else "not a function the template defines"
        message = nodes.Const(f"{node.name or 'This'} is {what}: only functions can be called")
        return compiler.call(nodes.Const(""), "ftl_fail", message, node_id)
    jinja_name, definition = function
    return compiler.call(
        nodes.Name(STATE, "load"),
        "ftl_call_function",
        _signature(definition, (), ()),
        nodes.Name(jinja_name, "load"),
        node_id,
        *(compiler.expr(arg, strict) for arg in node.args),
    )


def control(compiler: ExpressionCompiler, node: statements.MacroControl) -> nodes.Node:
    if node.value is not None:  # a function's <#return value>: leaves from anywhere
        value = compiler.expr(node.value, strict=False)
        return nodes.Output([compiler.call(nodes.Name(STATE, "load"), "ftl_return", value)])
    compiler.macro_exits += 1
    state = nodes.Name(STATE, "load")
    if node.keyword == "return":  # leaves every loop and held block up to the macro's body
        return nodes.Scope([nodes.Output([compiler.call(state, "ftl_leave_macro")]), nodes.Break()])
    values = [compiler.expr(value, strict=True) for value in node.loop_values]
    return nodes.Output([_buffered(compiler.call(state, "ftl_nested", *values))])


def _charge(compiler: ExpressionCompiler, nodes_before: int) -> nodes.Output:
    """A body that may run many times (a macro's, nested content) pays for its nodes each
    time, as a loop's body does each iteration (see budget.py)."""
    count = nodes.Const(len(compiler.node_infos) - nodes_before + 1)
    return nodes.Output([compiler.call(nodes.Name(STATE, "load"), "ftl_charge_nodes", count)])


def _buffered(output: nodes.Expr) -> nodes.Expr:
    """Output of a macro's body or nested content, held until the call returns (as
    `Compiler.buffered`)."""
    return ExpressionCompiler.call(nodes.Name(STATE, "load"), "ftl_buffer", output)
