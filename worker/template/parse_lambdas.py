"""Parses the stream built-ins (`?filter`, `?map`, `?take_while`, `?drop_while`) and their
lambda argument, and marks which of them FreeMarker would compute lazily.

A lambda (`x -> x.qty > 0`, `(x) -> ...`) is legal only as the argument of these built-ins,
as in FreeMarker's grammar: anywhere else `->` is an unexpected token. FreeMarker checks the
argument count and the lambda's parameter count when parsing, so both are syntax errors.
"""

from __future__ import annotations

import dataclasses

from . import syntax
from .lexer import Kind
from .protocols import ExpressionParsing

STREAM_BUILTINS = frozenset({"filter", "map", "take_while", "drop_while"})
# Built-ins that let their target produce its items on demand (FreeMarker's
# `enableLazilyGeneratedResult`); `<#list>` and `[index]` do too.
LAZY_CONSUMERS = STREAM_BUILTINS | {"first", "join", "seq_contains", "seq_index_of"}
LAZY_CONSUMERS |= {"seq_last_index_of", "min", "max", "size"}


def parse_stream_builtin(
    parser: ExpressionParsing, start: int, target: syntax.Expr, name: str, name_start: int
) -> syntax.StreamBuiltIn:
    if not parser.at("("):
        raise parser.map.fail(f"?{name} needs a function or lambda argument", name_start)
    parser.advance()
    functions: list[syntax.Expr | syntax.Lambda] = []
    while not parser.at(")"):
        if functions and parser.at(","):
            parser.advance()
        functions.append(_lambda_or_expression(parser))
    parser.advance()
    if len(functions) != 1:
        message = f"?{name} takes exactly 1 argument, got {len(functions)}"
        raise parser.map.fail(message, name_start)
    return syntax.StreamBuiltIn(parser.span(start), target, name, functions[0])


def _lambda_or_expression(parser: ExpressionParsing) -> syntax.Expr | syntax.Lambda:
    start = parser.peek().start
    params = _lambda_params(parser)
    if params is None:
        return parser.parse_expression()
    if len(params) != 1:
        raise parser.map.fail(
            f"The lambda must have exactly 1 parameter, it has {len(params)}", start
        )
    body = parser.parse_expression()
    return syntax.Lambda(parser.span(start), params[0], body)


def _lambda_params(parser: ExpressionParsing) -> list[str] | None:
    """The parameter names when a lambda starts here (consuming them and the `->`)."""
    token = parser.peek()
    if token.kind is Kind.NAME and _is_arrow(parser, 1):
        parser.pos += 2
        return [token.text]
    if not parser.at("("):
        return None
    names: list[str] = []
    ahead = 1
    while True:
        token = parser.peek(ahead)
        if token.kind is Kind.OPERATOR and token.text == ")" and not (names and ahead % 2):
            break
        expected_name = ahead % 2 == 1
        if expected_name and token.kind is Kind.NAME:
            names.append(token.text)
        elif expected_name or token.kind is not Kind.OPERATOR or token.text != ",":
            return None
        ahead += 1
    if not _is_arrow(parser, ahead + 1):
        return None
    parser.pos += ahead + 2
    return names


def _is_arrow(parser: ExpressionParsing, ahead: int) -> bool:
    token = parser.peek(ahead)
    return token.kind is Kind.OPERATOR and token.text in ("->", "-&gt;")  # as FreeMarker


def lazy(expr: syntax.Expr) -> syntax.Expr:
    """`expr` told that its consumer takes items on demand: a stream built-in (also inside
    parentheses, as FreeMarker passes it on) then computes them lazily."""
    if isinstance(expr, syntax.StreamBuiltIn):
        return dataclasses.replace(expr, lazy=True)
    if isinstance(expr, syntax.Parenthesized):
        return dataclasses.replace(expr, inner=lazy(expr.inner))
    return expr
