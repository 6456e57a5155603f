"""Compiles `<#attempt>`/`<#recover>` and `<#compress>` (see `held_output` for what runs):
the body becomes a jinja macro (a closure: loop variables stay visible), called by the
runtime, which catches a template error (attempt) or compresses the output."""

from __future__ import annotations

from jinja2 import nodes

from . import statements
from .compile_expressions import STATE, ExpressionCompiler
from .compile_macros import one_pass
from .protocols import BlockCompiler


def held_block(
    compiler: ExpressionCompiler,
    block: BlockCompiler,
    node: statements.AttemptBlock | statements.CompressBlock,
) -> nodes.Node:
    body = compiler.fresh("held")
    compiler.buffering += 1
    compiler.breakables.append("held")
    exits = compiler.macro_exits
    compiled = block(node.body)
    if compiler.macro_exits > exits:  # a macro's <#return> inside leaves by breaking out
        compiled = [one_pass(compiler, compiled)]
    compiler.breakables.pop()
    compiler.buffering -= 1
    macro = nodes.Macro(body, [], [], compiled)
    state = nodes.Name(STATE, "load")
    if isinstance(node, statements.CompressBlock):
        output = compiler.call(state, "ftl_compress", nodes.Name(body, "load"))
        return nodes.Scope([macro, nodes.Output([_printed(compiler, output)])])
    result = compiler.fresh("attempted")
    outcome = compiler.call(state, "ftl_attempt", nodes.Name(body, "load"))
    kept: nodes.Expr = nodes.Name(result, "load")
    compiler.recovering.append(result)  # `.error` inside the recovery reads it
    recovery = block(node.recovery)
    compiler.recovering.pop()
    return nodes.Scope(
        [
            macro,
            nodes.Assign(nodes.Name(result, "store"), outcome),
            nodes.If(
                compiler.call(nodes.Name(result, "load"), "ftl_attempt_failed"),
                recovery,
                [],
                [nodes.Output([_printed(compiler, kept)])],
            ),
        ]
    )


def _printed(compiler: ExpressionCompiler, output: nodes.Expr) -> nodes.Expr:
    """Printed, or held in turn when inside another held body (as `Compiler.buffered`)."""
    if not compiler.buffering:
        return output
    return compiler.call(nodes.Name(STATE, "load"), "ftl_buffer", output)
