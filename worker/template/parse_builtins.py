"""Parsing a built-in call after an expression: its name, variant and arguments, checked
against the built-ins the implementation has (unknown ones are refused when parsing)."""

from __future__ import annotations

from . import syntax
from .builtins import BUILTIN_ARITIES, BUILTIN_REFUSALS, VARIANT_BUILTINS
from .lexer import Kind
from .parse_lambdas import LAZY_CONSUMERS, STREAM_BUILTINS, lazy, parse_stream_builtin
from .protocols import ExpressionParsing


def parse_builtin(parser: ExpressionParsing, start: int, target: syntax.Expr) -> syntax.Expr:
    """`target?name`, `?name(args)`, `?name[args]` (`?string[...]`), `?name.variant`; the
    `?` is the next token. A wrong argument count fails when evaluated, as in FreeMarker,
    except for `?then` and `?switch`, which FreeMarker checks when parsing."""
    question = parser.advance()
    name_token = parser.peek()
    if name_token.kind is not Kind.NAME:
        raise parser.fail("Expected a built-in name after '?'")
    parser.advance()
    name = name_token.text
    if name in LAZY_CONSUMERS:
        target = lazy(target)
    if name in STREAM_BUILTINS:
        return parse_stream_builtin(parser, start, target, name, name_token.start)
    if name not in BUILTIN_ARITIES:
        message = BUILTIN_REFUSALS.get(name, f"Unknown or unsupported built-in ?{name}")
        raise parser.map.fail(message, question.start)
    if name in VARIANT_BUILTINS and parser.at(".") and parser.peek(1).kind is Kind.NAME:
        variant = f"{name}.{parser.peek(1).text}"
        if variant in BUILTIN_ARITIES:
            parser.pos += 2
            name = variant
    args: list[syntax.Expr] = []
    if parser.at("("):
        args = parser.arguments(")")
    elif name in VARIANT_BUILTINS and parser.at("["):
        args = parser.arguments("]")
    low, high = BUILTIN_ARITIES[name]
    error = None
    if not low <= len(args) <= high:
        wanted = f"{low}" if low == high else f"{low} to {high}"
        error = f"?{name} takes {wanted} argument(s), got {len(args)}"
        if name in ("then", "switch"):  # FreeMarker checks these two when parsing
            raise parser.map.fail(error, name_token.start)
    return syntax.BuiltIn(parser.span(start), target, name, tuple(args), error)
