"""Compiles the stream built-ins and special variables (see `lambdas`, `special_variables`).

A lambda becomes a jinja macro with the lambda's parameter and a box, into which its body puts
the value of the lambda's expression (see `lambdas.lambda_result`). Jinja defines macros as
statements, so the compiler collects them in `lambdas` while compiling an expression, and
`Compiler.block` defines them just before the statement that uses them: in the same scope,
so the lambda sees the loop variables (and an enclosing lambda's parameter) the statement sees.
"""

from __future__ import annotations

from jinja2 import nodes

from . import compile_macros, syntax
from .compile_expressions import STATE, ExpressionCompiler, LoopScope
from .protocols import Signature


def stream_builtin(
    compiler: ExpressionCompiler, node: syntax.StreamBuiltIn, strict: bool
) -> nodes.Expr:
    target = compiler.expr(node.target, strict)
    function = node.function
    nodes_in_function = 0
    signature: Signature | None = None
    if isinstance(function, syntax.Lambda):
        name, nodes_in_function = _define_lambda(compiler, function)
        called: nodes.Expr = nodes.Name(name, "load")
    elif (
        isinstance(function, syntax.Variable)
        and compiler.resolve_loop_name(function.name) is None
        and function.name in compiler.macros
        and compiler.macros[function.name][1].is_function
    ):
        jinja_name, definition = compiler.macros[function.name]
        signature = compile_macros.signature(definition)
        called = nodes.Name(jinja_name, "load")
    else:  # a value: not a function, fails when evaluated (as in FreeMarker)
        called = compiler.expr(function, strict)
    spec = nodes.Const((node.name, node.lazy, nodes_in_function, signature, strict))
    return compiler.call(
        target, "ftl_stream", nodes.Name(STATE, "load"), spec, called, compiler.register(node.span)
    )


def _define_lambda(compiler: ExpressionCompiler, function: syntax.Lambda) -> tuple[str, int]:
    param = compiler.fresh("lambda_param")
    scope = LoopScope(param, None, "")  # no loop state: `x?index` is refused
    scope.names[function.param] = param
    compiler.loops.append(scope)
    outer, compiler.lambdas = compiler.lambdas, []
    nodes_before = len(compiler.node_infos)
    value = compiler.expr(function.body, strict=True)
    nodes_in_body = len(compiler.node_infos) - nodes_before
    inner, compiler.lambdas = compiler.lambdas, outer
    compiler.loops.pop()
    name, box = compiler.fresh("lambda"), compiler.fresh("lambda_box")
    result = compiler.call(nodes.Name(box, "load"), "ftl_lambda_result", value)
    body: list[nodes.Node] = [*inner, nodes.Output([result])]
    params = [nodes.Name(param, "param"), nodes.Name(box, "param")]
    compiler.lambdas.append(nodes.Macro(name, params, [], body))
    return name, nodes_in_body


def special(compiler: ExpressionCompiler, node: syntax.Special) -> nodes.Expr:
    node_id = compiler.register(node.span)
    state = nodes.Name(STATE, "load")
    if node.name == "vars":
        visible: dict[str, str] = {}
        for loop in compiler.loops:  # innermost last: it wins
            visible |= loop.names
        pairs = [
            nodes.Pair(nodes.Const(name), nodes.Name(jinja_name, "load"))
            for name, jinja_name in visible.items()
        ]
        return compiler.call(state, "ftl_special_vars", nodes.Dict(pairs), node_id)
    if node.name == "error":
        recovered: nodes.Expr = nodes.Const(None)
        if compiler.recovering:
            recovered = nodes.Name(compiler.recovering[-1], "load")
        return compiler.call(recovered, "ftl_recovered_error", node_id)
    return compiler.call(state, "ftl_special", nodes.Const(node.name), node_id)
