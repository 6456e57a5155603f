"""Compiles `value?switch(case1, result1, ..., [default])`.

FreeMarker evaluates the value once, then the cases in order until one is `==` to it, and only
the result chosen: a result not chosen may fail without harm (`?switch(0, 1 / x, ...)`). Jinja
expressions cannot hold a value for later, so the cases become a jinja macro of the value (as
a lambda does, see compile_lambdas.py) whose body is a chain of conditionals, and
`switching.switch` calls it with the value evaluated once.
"""

from __future__ import annotations

from jinja2 import nodes

from . import syntax
from .compile_expressions import ExpressionCompiler


def switch_builtin(compiler: ExpressionCompiler, node: syntax.BuiltIn, strict: bool) -> nodes.Expr:
    target = compiler.expr(node.target, strict)
    node_id = compiler.register(node.span)
    param, box = compiler.fresh("switch_value"), compiler.fresh("switch_box")
    value = nodes.Name(param, "load")
    args = list(node.args)
    outer, compiler.lambdas = compiler.lambdas, []  # lambdas of the cases: inside the macro
    if len(args) % 2:
        chosen = compiler.expr(args.pop(), strict=True)
    else:
        chosen = compiler.call(value, "ftl_switch_unmatched", node_id)
    for at in reversed(range(0, len(args), 2)):
        case = compiler.expr(args[at], strict=True)
        test = compiler.call(value, "ftl_switch_matches", case, compiler.register(args[at].span))
        chosen = nodes.CondExpr(test, compiler.expr(args[at + 1], strict=True), chosen)
    result = compiler.call(nodes.Name(box, "load"), "ftl_lambda_result", chosen)
    inner, compiler.lambdas = compiler.lambdas, outer
    name = compiler.fresh("switch")
    params = [nodes.Name(param, "param"), nodes.Name(box, "param")]
    body: list[nodes.Node] = [*inner, nodes.Output([result])]
    compiler.lambdas.append(nodes.Macro(name, params, [], body))
    return compiler.call(
        target, "ftl_switch", nodes.Const(strict), nodes.Name(name, "load"), node_id
    )
